#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the whole ctnr selftest suite.  Meant to run INSIDE the test VM, as
# root, on a built tree (scripts/vm.sh check does that); it loads and unloads
# the module itself.
#
#   1. insmod kmod/ctnr.ko                                  (one check)
#   2. every program in TEST_PROGS but module_reload and stress, in order,
#      each under a timeout; their KTAP output is shown and counted
#   3. rmmod ctnr                                           (one check)
#   4. module_reload and stress, with CTNR_KO set (they load and unload
#      the module themselves)
#   5. new kernel log lines: every WARNING/BUG/Oops/lockdep/leak/... line
#      is one failed check; none at all is one passed check
#
# An oops (the kernel killed the task that hit it) stops the suite after
# the program it happened in: the report is shown and counted, and nothing
# more runs, the module is not unloaded (the dead task may have held any
# lock: the rest would hang, not fail).
#
# On a kernel with kmemleak, the leaks of the boot are scanned for and
# cleared before the module is loaded, and kmemleak scans once after the
# suite (module still loaded) and once at the end (module unloaded): each
# "unreferenced object" is one failed check.  With CTNR_SANITIZERS=1
# (make check KERNEL=debug) the run first shows the kernel's own evidence
# that each sanitizer is on, fails if one is not, checks at the end that
# lockdep and kmemleak did not turn themselves off, and says so in its
# last lines.
#
# Counting: each KTAP leaf result ("ok N", "not ok N", at any indentation)
# is one test; a result line that closes a nested (more indented) block is
# that block's summary and is not counted again.  "# SKIP" results are
# counted as skipped.  A program that exits abnormally without reporting a
# failure, times out, or reports fewer results than its plan counts as one
# failure.  Comment lines ("# Totals: ...") are never counted.
#
# The output is KTAP version 1 (see the comment at check_ok).  The count,
# written to build/result.txt and shown as the last line ("# Totals: ..."),
# is
#   N passed, M failed[, K skipped]
# and the exit status is non-zero when M > 0.
#
# Environment: CTNR_TEST_TIMEOUT (seconds per program, default 300),
# CTNR_FUZZ_SECONDS, CTNR_FUZZ_OPS, CTNR_FUZZ_SEED (selftests/fuzz),
# CTNR_SANITIZERS (1: require the debug kernel's sanitizers),
# CTNR_TESTS (space-separated subset of TEST_PROGS to run), CTNR_RESULT
# (the result file instead of build/result.txt; scripts/vm.sh gives each
# run its own, so that runs sharing the tree do not read each other's).

set -u

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$REPO" || exit 1

# scripts/vm.sh sets CTNR_KO for a kernel other than the default one
KO=${CTNR_KO:-$REPO/kmod/ctnr.ko}
RESULT=${CTNR_RESULT:-$REPO/build/result.txt}
TIMEOUT=${CTNR_TEST_TIMEOUT:-300}
RELOAD_TESTS="module_reload stress"
# Programs left out of the default run (CTNR_TESTS=NAME runs one); none
# now.  A program goes here only with the finding that keeps it out
# written next to it.
OPT_IN_TESTS=""

export PATH="$REPO/ctl:$PATH"
export LD_LIBRARY_PATH="$REPO/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

mkdir -p "$REPO/build" "$(dirname "$RESULT")"
rm -f "$RESULT"
LOGDIR=$(mktemp -d /tmp/ctnr-selftests.XXXXXX)
trap '[ -n "${kmsg_pid:-}" ] && kill "$kmsg_pid" 2>/dev/null; rm -rf "$LOGDIR"' EXIT

npass=0
nfail=0
nskip=0
failed_names=()

# The output is KTAP: a plan of one top-level result per unit (each
# program, and each check of our own: sanitizers, insmod, the kmemleak
# scans, rmmod, the kernel log, lockdep), every program's own KTAP nested
# below it (indented two spaces), everything else a "# " diagnostic line.
# The counts of the last line are not the top-level results: they count
# every leaf of every program, and every check of our own (one kernel log
# line or one kmemleak object is one failed check).
#
# check_ok DESCRIPTION / check_fail NAME DESCRIPTION: a check of our own,
# counted, shown as a diagnostic line, and part of the current unit, whose
# top-level result unit_end prints.
unit_failed=0
ktap_n=0
check_ok() {
	npass=$((npass + 1))
	echo "# ok: $*"
}

check_fail() {
	nfail=$((nfail + 1))
	failed_names+=("$1")
	shift
	unit_failed=1
	echo "# not ok: $*"
}

# unit_end DESCRIPTION [SKIP-REASON]: the unit's top-level KTAP result
# ("#" cannot be part of a description).
unit_end() {
	local desc=${1//#/}
	ktap_n=$((ktap_n + 1))
	if [ -n "${2:-}" ]; then
		echo "ok $ktap_n $desc # SKIP ${2//#/}"
	elif [ "$unit_failed" -ne 0 ]; then
		echo "not ok $ktap_n $desc"
	else
		echo "ok $ktap_n $desc"
	fi
	unit_failed=0
}

# Count the KTAP results in file $1; print "pass fail skip plan toplevel".
# plan is the first plan line at the outermost level (-1 if none) and
# toplevel the number of results at that level.
ktap_count() {
	awk '
	function indent(s) { match(s, /^[ \t]*/); return RLENGTH }
	BEGIN { pass = fail = skip = 0; plan = -1; top = 0; last = -1; base = -1 }
	/^[ \t]*(not )?ok [0-9]+/ {
		d = indent($0)
		if (base < 0 || d < base)
			base = d
		isfail = ($0 ~ /^[ \t]*not ok/)
		isskip = ($0 ~ /#[ \t]*SKIP/)
		if (last > d) {
			# summary of the nested block just closed: counts
			# only if it failed without any failed leaf below it
			sub_fail = 0
			for (k in leaffail)
				if (k + 0 > d) { sub_fail += leaffail[k]; delete leaffail[k] }
			if (isfail && !isskip && sub_fail == 0)
				fail++
		} else if (isskip) {
			skip++
		} else if (isfail) {
			fail++
			leaffail[d]++
		} else {
			pass++
		}
		if (d == base)
			top++
		last = d
		next
	}
	/^[ \t]*1\.\.[0-9]+/ {
		d = indent($0)
		if (plan < 0 && (base < 0 || d <= base)) {
			s = $0; sub(/^[ \t]*1\.\./, "", s)
			plan = s + 0
			if (base < 0)
				base = d
			# "1..0 # SKIP reason": the whole program skipped
			if (plan == 0 && $0 ~ /#[ \t]*SKIP/)
				skip++
		}
		if (last < 0 || d > last)
			last = d
		next
	}
	/^[ \t]*(TAP|KTAP) version/ {
		d = indent($0)
		if (last >= 0 && d > last)
			last = d
	}
	END { print pass, fail, skip, plan, top }
	' "$1"
}

# After a timeout: show the stacks of blocked (D state) tasks and of what
# runs on each CPU; CTNR_SYSRQ_ALL=1 adds every task's (sysrq-t).
dump_blocked_tasks() {
	local m="ctnr-selftests: blocked tasks $RANDOM"
	[ -w /proc/sysrq-trigger ] || return 0
	echo "$m" >/dev/kmsg 2>/dev/null || return 0
	echo w >/proc/sysrq-trigger
	echo l >/proc/sysrq-trigger
	[ "${CTNR_SYSRQ_ALL:-0}" = 1 ] && echo t >/proc/sysrq-trigger
	sleep 1
	echo "# blocked tasks (sysrq-w), CPUs (sysrq-l):"
	dmesg | awk -v m="$m" 'seen; index($0, m) { seen = 1 }' | sed 's/^/# /'
}

# prog_timeout NAME: seconds NAME may take.  container_bulk registers and
# deletes 100 000 containers: under emulation on a loaded machine that
# alone can take minutes, so it has a budget of its own (its tests'
# harness timeouts are within it).
prog_timeout() {
	case "$1" in
	container_bulk) echo $((TIMEOUT > 900 ? TIMEOUT : 900)) ;;
	# 19 sweeps of up to some 400 injection points each under KASAN
	failnth) echo $((TIMEOUT > 3600 || SANITIZERS != 1 ? TIMEOUT : 3600)) ;;
	# the fuzzer runs for CTNR_FUZZ_SECONDS in all (default 60), then
	# checks and cleans up; its own watchdog gives up 120 s past that
	fuzz) local f=$(( ${CTNR_FUZZ_SECONDS:-60} * 2 + 300 ))
	      echo $((TIMEOUT > f ? TIMEOUT : f)) ;;
	*) echo "$TIMEOUT" ;;
	esac
}

# run_prog NAME [VAR=VALUE...]: run selftests/NAME, show and count its KTAP.
run_prog() {
	local name=$1 out rc p f s plan top pid tailpid start
	shift
	out=$LOGDIR/$name.log
	prog_skip=
	echo "# ---- selftests/$name ----"
	if [ ! -x "selftests/$name" ]; then
		check_fail "$name" "$name: selftests/$name not built"
		return
	fi
	# Output goes to a file that tail shows live, not through a pipe: a
	# test child stuck in the kernel would hold a pipe open forever.
	: >"$out"
	tmo=$(prog_timeout "$name")
	env "$@" timeout -k 10 "$tmo" "selftests/$name" >"$out" 2>&1 &
	pid=$!
	# nested KTAP: the program's lines indented by two spaces
	tail -n +1 -s 0.2 -f --pid="$pid" "$out" > >(sed -u 's/^/  /') &
	tailpid=$!
	# timeout(1) itself waits for the test; if the test cannot be killed
	# (stuck in D state), give up on it a little later.
	start=$SECONDS
	while kill -0 "$pid" 2>/dev/null &&
	      [ $((SECONDS - start)) -lt $((tmo + 30)) ]; do
		sleep 0.2
	done
	if kill -0 "$pid" 2>/dev/null; then
		rc=124
		disown "$tailpid"
		kill -KILL "$tailpid" 2>/dev/null
		echo "# $name: could not be killed; abandoned"
	else
		wait "$pid"
		rc=$?
		wait "$tailpid" 2>/dev/null
	fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		dump_blocked_tasks
	fi
	read -r p f s plan top < <(ktap_count "$out")
	npass=$((npass + p))
	nfail=$((nfail + f))
	nskip=$((nskip + s))
	[ "$f" -gt 0 ] && failed_names+=("$name")
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		check_fail "$name" "$name: timed out after ${tmo}s"
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$f" -eq 0 ]; then
		check_fail "$name" "$name: exited with status $rc without reporting a failure"
	elif [ "$plan" -gt 0 ] && [ "$top" -lt "$plan" ]; then
		check_fail "$name" "$name: planned $plan results, reported $top"
	elif [ $((p + f + s)) -eq 0 ] && [ "$plan" -ne 0 ]; then
		# no KTAP at all: the exit status is the result
		if [ "$rc" -eq 4 ]; then
			nskip=$((nskip + 1))
			prog_skip="exit status 4"
		else
			check_ok "$name (exit status 0, no KTAP output)"
		fi
	fi
	# a whole program skipped ("1..0 # SKIP"): so is its unit
	[ "$plan" -eq 0 ] && [ "$s" -gt 0 ] && [ "$f" -eq 0 ] && prog_skip="the program skipped"
	[ "$f" -gt 0 ] && unit_failed=1
	echo "# $name: exit status $rc; $p passed, $f failed, $s skipped"
}

# ---- sanitizers ----

SANITIZERS=${CTNR_SANITIZERS:-0}
KMEMLEAK=/sys/kernel/debug/kmemleak
nleaks=0
nbad=0
sanitizers_on=0

# The evidence that each sanitizer is on, from the kernel itself: its boot
# banner, or for those that print none, a symbol or file that exists only
# when it is built in.  "name|kind|what": kind is dmesg (a fixed string of
# the boot log), sym (/proc/kallsyms) or file.
sanitizer_evidence='KASAN|dmesg|KernelAddressSanitizer initialized
KFENCE|dmesg|kfence: initialized
kmemleak|dmesg|kmemleak: Kernel memory leak detector initialized
lockdep|dmesg|Lock dependency validator
PROVE_RCU|dmesg|RCU lockdep checking is enabled
UBSAN|sym|__ubsan_handle_out_of_bounds
DEBUG_ATOMIC_SLEEP|sym|__might_sleep
DEBUG_LIST|sym|__list_add_valid
DEBUG_OBJECTS|file|/sys/kernel/debug/debug_objects/stats
FAILSLAB|file|/sys/kernel/debug/failslab/probability
FAIL_PAGE_ALLOC|file|/sys/kernel/debug/fail_page_alloc/probability
fail-nth|file|/proc/self/fail-nth'

# Show the evidence; one failed check for each sanitizer without it.
sanitizers_show() {
	local name kind what line missing=()
	echo "# sanitizers of $(uname -r):"
	while IFS='|' read -r name kind what; do
		line=
		case "$kind" in
		dmesg) line=$(dmesg | grep -F -m1 "$what") ;;
		sym) grep -qw "$what" /proc/kallsyms && line="$what in /proc/kallsyms" ;;
		file) [ -e "$what" ] && line="$what exists" ;;
		esac
		if [ -n "$line" ]; then
			echo "#   $name: $line"
		else
			echo "#   $name: NOT FOUND ($kind: $what)"
			missing+=("$name")
		fi
	done <<<"$sanitizer_evidence"
	if [ ${#missing[@]} -eq 0 ]; then
		sanitizers_on=1
		check_ok "sanitizers on: $(cut -d'|' -f1 <<<"$sanitizer_evidence" | tr '\n' ' ')"
	else
		check_fail sanitizers "sanitizers missing from this kernel: ${missing[*]}"
	fi
}

# kmemleak_scan: two scans some seconds apart (an object is reported only
# once it is older than 5 s and unchanged between two scans).  False when
# kmemleak refuses (it turned itself off).
kmemleak_scan() {
	sleep 6
	echo scan >"$KMEMLEAK" 2>/dev/null || return 1
	sleep 6
	echo scan >"$KMEMLEAK" 2>/dev/null
}

# kmemleak_check WHEN: scan, count the reports since the last clear (one
# failed check each, the first ones shown whole), then clear them.
kmemleak_check() {
	local when=$1 n
	[ -e "$KMEMLEAK" ] || return 0
	echo "# kmemleak scan $when"
	if ! kmemleak_scan; then
		check_fail kmemleak "kmemleak scan $when: refused (kmemleak turned itself off?)"
		return
	fi
	cat "$KMEMLEAK" >"$LOGDIR/kmemleak" 2>/dev/null
	n=$(grep -c '^unreferenced object' "$LOGDIR/kmemleak")
	nleaks=$((nleaks + n))
	if [ "$n" -eq 0 ]; then
		check_ok "kmemleak $when: no unreferenced object"
	else
		grep '^unreferenced object' "$LOGDIR/kmemleak" | while IFS= read -r line; do
			echo "# not ok: kmemleak $when: $line"
		done
		nfail=$((nfail + n))
		unit_failed=1
		failed_names+=(kmemleak)
		echo "# kmemleak $when: $n unreferenced objects; the first reports:"
		head -n 120 "$LOGDIR/kmemleak" | sed 's/^/# /'
		cp "$LOGDIR/kmemleak" "$REPO/build/kmemleak-$when.txt" 2>/dev/null &&
			echo "# (all of them in build/kmemleak-$when.txt)"
	fi
	echo clear >"$KMEMLEAK" 2>/dev/null
}

# ---- set-up ----

mountpoint -q /sys/kernel/debug 2>/dev/null ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if [ -d /sys/kernel/tracing ] && ! mountpoint -q /sys/kernel/tracing; then
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
fi

echo "KTAP version 1"
echo "# ctnr selftests on $(uname -r), $(nproc) CPUs"

tests=$(make -s --no-print-directory -C selftests list-tests 2>/dev/null)
if [ -z "$tests" ]; then
	# make missing in the guest? fall back to the sources, sorted like make
	tests=$(cd selftests && ls -1 *.c 2>/dev/null | sed 's/\.c$//' | LC_ALL=C sort)
fi
if [ -n "${CTNR_TESTS:-}" ]; then
	tests=$CTNR_TESTS
else
	for t in $OPT_IN_TESTS; do
		tests=$(echo $tests | tr ' ' '\n' | grep -vx "$t" | tr '\n' ' ')
		echo "# $t: not in the default run (CTNR_TESTS=$t runs it)"
	done
fi

# The plan: every program, insmod, rmmod and the kernel log; the
# sanitizers at the start and lockdep at the end with CTNR_SANITIZERS=1;
# two kmemleak scans where there is kmemleak.
plan=$(( $(wc -w <<<"$tests") + 3 ))
[ "$SANITIZERS" = 1 ] && plan=$((plan + 2))
[ -e "$KMEMLEAK" ] && plan=$((plan + 2))
echo "1..$plan"

if [ "$SANITIZERS" = 1 ]; then
	sanitizers_show
	unit_end "sanitizers"
fi

# What the boot leaked is not ours: find it and set it aside before the
# module comes in ("clear" also greys every object older than 5 s).
if [ -e "$KMEMLEAK" ]; then
	if kmemleak_scan; then
		echo "# kmemleak: $(grep -c '^unreferenced object' "$KMEMLEAK") objects leaked by the boot, cleared"
		echo clear >"$KMEMLEAK"
	else
		check_fail kmemleak "kmemleak scan before the suite: refused"
	fi
fi

# Mark where this run starts in the kernel log, and follow the log from
# here on: a snapshot taken at the end may have lost the start of the run
# if the ring buffer wrapped meanwhile (an oops followed by a flood).
marker="ctnr-selftests: start $$-$RANDOM"
dmesg_before=$(dmesg | wc -l)
dmesg -w >"$LOGDIR/kmsg" 2>/dev/null &
kmsg_pid=$!
echo "$marker" >/dev/kmsg 2>/dev/null || true

# What keeps the module loaded: its use count, the processes with one of
# its files open, its block devices and its mounts.
module_holders() {
	local p
	echo "# $(lsmod | grep -w '^ctnr' || echo 'ctnr: not in lsmod')"
	for p in /proc/[0-9]*; do
		ls -l "$p"/fd 2>/dev/null | grep -q ctnr || continue
		echo "# holder: pid ${p#/proc/} ($(tr '\0' ' ' <"$p"/cmdline 2>/dev/null | cut -c1-80)):" \
			"$(ls -l "$p"/fd 2>/dev/null | grep -oE '/dev/ctnr[^ ]*' | sort -u | tr '\n' ' ')"
		# a holder that does not go: where it waits, and why
		echo "#   state $(sed -n 's/.*) \(.\).*/\1/p' "$p"/stat 2>/dev/null)," \
			"parent $(awk '/^PPid:/ { print $2 }' "$p"/status 2>/dev/null)," \
			"wchan $(cat "$p"/wchan 2>/dev/null)"
		sed 's/^/#   /' "$p"/stack 2>/dev/null
	done
	ls -d /sys/block/ctnrloop* 2>/dev/null | sed 's/^/# block device left: /'
	grep -E 'ctnr' /proc/self/mountinfo 2>/dev/null | sed 's/^/# mount left: /'
	return 0
}

# An oops kills the task that hit it wherever it was, locks held and all
# (the genetlink mutex, say): after one, the rest of the suite would hang
# rather than fail.  After each program: did the kernel oops since the
# start of the run?  If so, the report is shown, the program fails, and
# nothing more is run or unloaded.
oopsed=
oops_check() {
	local name=$1 at
	[ -n "$oopsed" ] && return 0
	awk -v m="$marker" 'seen; index($0, m) { seen = 1 }' "$LOGDIR/kmsg" \
		>"$LOGDIR/kmsg.now" 2>/dev/null
	at=$(grep -nE 'Oops: |general protection fault|kernel BUG at|Kernel panic' \
		"$LOGDIR/kmsg.now" | head -1 | cut -d: -f1)
	[ -n "$at" ] || return 1
	oopsed=$name
	check_fail "$name" "the kernel oopsed during $name: $(sed -n "$((at > 1 ? at - 1 : 1))p" "$LOGDIR/kmsg.now")"
	echo "# the kernel's report:"
	sed -n "$((at > 3 ? at - 3 : 1)),$((at + 60))p" "$LOGDIR/kmsg.now" | sed 's/^/# /'
	echo "# the kernel oopsed: the remaining programs are not run and the module is not unloaded"
	return 0
}

# ---- 1. load ----

loaded=0
if grep -qw '^ctnr' /proc/modules; then
	echo "# ctnr was already loaded: unloading it first"
	rmmod ctnr
fi
if [ -f "$KO" ] && out=$(insmod "$KO" 2>&1); then
	loaded=1
	check_ok "insmod ${KO#"$REPO"/}"
else
	check_fail insmod "insmod ${KO#"$REPO"/}: ${out:-file not found}"
fi
unit_end "insmod"

# ---- 2. the tests ----


reload_tests=
for t in $tests; do
	case " $RELOAD_TESTS " in
	*" $t "*)
		reload_tests="$reload_tests $t"
		continue
		;;
	esac
	# what an oops left unrun is reported as skipped (the oops failed)
	if [ -n "$oopsed" ]; then
		unit_end "selftests: ctnr: $t" "not run: the kernel oopsed during $oopsed"
		continue
	fi
	run_prog "$t"
	oops_check "$t"
	unit_end "selftests: ctnr: $t" "$prog_skip"
done

# with the module still loaded: what the tests left behind
if [ -e "$KMEMLEAK" ]; then
	if [ $loaded -eq 1 ]; then
		kmemleak_check after-suite
		unit_end "kmemleak after-suite"
	else
		unit_end "kmemleak after-suite" "the module is not loaded"
	fi
fi

# ---- 3. unload ----

if [ $loaded -eq 1 ] && [ -z "$oopsed" ]; then
	if out=$(rmmod ctnr 2>&1); then
		check_ok "rmmod ctnr"
	else
		check_fail rmmod "rmmod ctnr: $out"
		module_holders
	fi
	unit_end "rmmod"
elif [ -n "$oopsed" ]; then
	unit_end "rmmod" "the kernel oopsed during $oopsed"
else
	unit_end "rmmod" "the module was not loaded"
fi

# ---- 4. load/unload loop ----

for t in $reload_tests; do
	if [ -n "$oopsed" ]; then
		unit_end "selftests: ctnr: $t" "not run: the kernel oopsed during $oopsed"
		continue
	fi
	stuck=0
	grep -qw '^ctnr' /proc/modules && stuck=1
	run_prog "$t" CTNR_KO="$KO"
	if ! oops_check "$t" && [ $stuck -eq 0 ] &&
	   grep -qw '^ctnr' /proc/modules; then
		check_fail "$t" "$t left the module loaded"
		module_holders
		rmmod ctnr 2>/dev/null
	fi
	unit_end "selftests: ctnr: $t" "$prog_skip"
done

# ---- 5. kernel log ----

# the module unloaded: what it did not free
if [ -e "$KMEMLEAK" ]; then
	kmemleak_check after-rmmod
	unit_end "kmemleak after-rmmod"
fi

echo "# ---- kernel log ----"
sleep 1
kill "$kmsg_pid" 2>/dev/null
wait "$kmsg_pid" 2>/dev/null
if grep -qF "$marker" "$LOGDIR/kmsg"; then
	cp "$LOGDIR/kmsg" "$LOGDIR/dmesg"
else
	dmesg >"$LOGDIR/dmesg"
fi
if grep -qF "$marker" "$LOGDIR/dmesg"; then
	awk -v m="$marker" 'seen; index($0, m) { seen = 1 }' "$LOGDIR/dmesg" >"$LOGDIR/dmesg.new"
else
	# the marker was overwritten (or /dev/kmsg unwritable): fall back to
	# the line count, or to the whole log if it wrapped
	echo "# kernel log start marker lost; scanning by line count"
	tail -n +"$((dmesg_before + 1))" "$LOGDIR/dmesg" >"$LOGDIR/dmesg.new"
fi

# WARNING: and BUG: cover most reports (KASAN and KFENCE say "BUG:
# KASAN: ...", lockdep "WARNING: possible circular locking ...", list
# corruption and ODEBUG go through WARN); the rest print neither.
patterns='WARNING:|BUG:|kernel BUG at|Oops|general protection|Kernel panic'
patterns+='|possible circular locking|possible recursive locking|inconsistent lock state'
patterns+='|suspicious RCU usage|bad unlock balance|held lock freed|lock held when returning'
patterns+='|non-static key|lockdep is turned off|turning off the locking correctness validator'
patterns+='|INFO: task .* blocked|detected stall|soft lockup|hard LOCKUP'
patterns+='|kmemleak|lockdep|refcount_t:|UBSAN|KASAN|KFENCE|ODEBUG|list_(add|del) corruption'
patterns+='|unreferenced object|ctnr: leak:'
# Made on purpose: kmsg's kt.hung_task_line_in_its_log hangs a task named
# ktmkdir to see khungtaskd's report copied into a container's log.  Each
# "INFO: task ktmkdir:" line (the report, and since 6.x with
# DETECT_HUNG_TASK_BLOCKER "... blocked on an rw-semaphore ...") is followed
# by a stack up to its "</TASK>": the scan skips them, and nothing else (a
# report that starts inside such a stack ends the skipping).
awk '/INFO: task ktmkdir:[0-9]+ / { skip = 1; next }
     skip && /<\/TASK>/ { skip = 0; next }
     skip && /WARNING:|BUG:|Oops|Kernel panic|INFO: / { skip = 0 }
     !skip { print }' "$LOGDIR/dmesg.new" >"$LOGDIR/dmesg.scan"
if grep -E "$patterns" "$LOGDIR/dmesg.scan" >"$LOGDIR/dmesg.bad"; then
	nbad=$(wc -l <"$LOGDIR/dmesg.bad")
	while IFS= read -r line; do
		check_fail dmesg "kernel log: $line"
	done <"$LOGDIR/dmesg.bad"
	echo "# kernel log since the start of the run:"
	sed 's/^/# /' "$LOGDIR/dmesg.new"
else
	check_ok "kernel log clean ($(wc -l <"$LOGDIR/dmesg.new") new lines)"
fi
unit_end "kernel log"

# lockdep stops at its first report, or when a table overflows: the rest
# of the run would go unchecked.
if [ "$SANITIZERS" = 1 ]; then
	if grep -qE '^ *debug_locks: *1' /proc/lockdep_stats 2>/dev/null; then
		check_ok "lockdep still on at the end (debug_locks 1)"
	else
		check_fail lockdep "lockdep turned off during the run: $(grep debug_locks /proc/lockdep_stats 2>&1)"
	fi
	unit_end "lockdep"
	# kmemleak: kmemleak_check fails when a scan is refused
fi

# ---- totals ----

if [ "$SANITIZERS" = 1 ]; then
	if [ "$sanitizers_on" = 1 ]; then
		echo "# sanitizers were on: $(cut -d'|' -f1 <<<"$sanitizer_evidence" | tr '\n' ' ')"
	else
		echo "# sanitizers: NOT all on (see the start of the run)"
	fi
	echo "# sanitizer reports: $nbad in the kernel log, $nleaks from kmemleak"
fi

if [ ${#failed_names[@]} -gt 0 ]; then
	echo "# failed: $(printf '%s\n' "${failed_names[@]}" | awk '!seen[$0]++' | tr '\n' ' ')"
fi
summary="$npass passed, $nfail failed"
[ $nskip -gt 0 ] && summary="$summary, $nskip skipped"
echo "$summary" >"$RESULT"
sync "$RESULT" 2>/dev/null || sync
[ "$ktap_n" -ne "$plan" ] && echo "# run.sh: planned $plan results, gave $ktap_n"
echo "# Totals: $summary"
[ $nfail -eq 0 ]
