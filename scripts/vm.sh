#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm.sh check|demo|shell -- boot the guest kernel under virtme-ng with this
# repository visible (read-write) at the same path, and
#   check: run selftests/run.sh; the exit status and the last line printed
#          ("N passed, M failed") come from the result file run.sh writes
#          inside the VM (build/result-<run>.txt, then copied to
#          build/result.txt), not from vng's exit status.  Output is also
#          kept in build/vm-check.log.
#   demo:  run scripts/demo.sh (a scripted ctnrctl session).
#   shell: an interactive shell, module loaded, ctnrctl on PATH.
#
# Expects a built tree (`make`).  Environment:
#   KVER, KDIR, VMLINUZ   which kernel to boot (default: the newest
#                         /boot/vmlinuz-*-amd64 that has headers installed)
#   KREL                  boot the kernel of another Debian release instead
#                         (trixie, sid: scripts/krel.sh); its module is
#                         build/kernels/<kver>/ctnr.ko
#   KERNEL=debug          boot the sanitizer kernel (scripts/debugkernel.sh;
#                         module build/kernels/debug/ctnr.ko); the defaults
#                         become VM_MEMORY=3G, VM_TIMEOUT=7200,
#                         CTNR_TEST_TIMEOUT=1800, VM_APPEND="kasan_multi_shot
#                         log_buf_len=8M" (PREEMPT=y is built in), and run.sh
#                         checks the sanitizers (CTNR_SANITIZERS=1)
#   CTNR_KO               the module to load (default: kmod/ctnr.ko, or the
#                         KREL or KERNEL one)
#   VM_CPUS (2), VM_MEMORY (2G), VM_TIMEOUT (seconds, 1500; check and demo)
#   VM_APPEND             extra kernel command line (check: preempt=full)
#   VM_CONSOLE_LOGLEVEL   console loglevel (5: warnings and worse); the serial
#                         console is kept in build/console-<mode>.log
#   VM_KVM                1/0 forces KVM on/off (default: on only when
#                         /proc/cpuinfo has vmx or svm and /dev/kvm is usable)
#   VM_TCG_THREAD         without KVM: single (default; one QEMU thread
#                         runs every vCPU in turn) or multi (MTTCG, a thread
#                         per vCPU: stale patched code can kill the guest)
#   VNG                   the vng to use (default: found by common.sh)
#   CTNR_TESTS, CTNR_TEST_TIMEOUT, CTNR_FUZZ_SECONDS, CTNR_FUZZ_OPS,
#   CTNR_FUZZ_SEED        passed on to selftests/run.sh (check)

set -uo pipefail

MODE=${1:-}
case "$MODE" in
check | demo | shell | bench) ;;
*)
	echo "usage: $0 check|demo|shell|bench" >&2
	exit 2
	;;
esac

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$REPO" || exit 1
. scripts/common.sh

# ---- which kernel ----

if [ -n "${KREL:-}" ]; then
	KVER=$(scripts/krel.sh kver "$KREL") || exit 1
	VMLINUZ=$(scripts/krel.sh vmlinuz "$KREL") || exit 1
	CTNR_KO=${CTNR_KO:-$(scripts/krel.sh ko "$KREL")} || exit 1
fi
if [ "${KERNEL:-}" = debug ]; then
	VMLINUZ=${VMLINUZ:-$(scripts/debugkernel.sh vmlinuz)} || exit 1
	KVER=$(cat "$(scripts/debugkernel.sh kdir)/include/config/kernel.release") || exit 1
	CTNR_KO=${CTNR_KO:-$(scripts/debugkernel.sh ko)}
	# KASAN's shadow, kmemleak's and lockdep's tables need memory; every
	# instrumented access is slow under TCG.  PREEMPT=y is built in.
	VM_MEMORY=${VM_MEMORY:-3G}
	VM_TIMEOUT=${VM_TIMEOUT:-7200}
	CTNR_TEST_TIMEOUT=${CTNR_TEST_TIMEOUT:-1800}
	# every KASAN report, not only the first; room for long reports
	VM_APPEND=${VM_APPEND-kasan_multi_shot log_buf_len=8M}
	CTNR_SANITIZERS=1
fi
CTNR_KO=${CTNR_KO:-$REPO/kmod/ctnr.ko}
case "$CTNR_KO" in
/*) ;;
*) CTNR_KO=$REPO/$CTNR_KO ;;
esac

if [ -z "${KVER:-}" ] && [ -n "${KDIR:-}" ]; then
	KVER=$(basename "$(cd "$KDIR" 2>/dev/null && pwd -P || echo "$KDIR")")
	KVER=${KVER#linux-headers-}
fi
[ -n "${KVER:-}" ] || KVER=$(ctnr_newest_kver)
if [ -z "${VMLINUZ:-}" ]; then
	if [ -n "$KVER" ] && [ -f "/boot/vmlinuz-$KVER" ]; then
		VMLINUZ=/boot/vmlinuz-$KVER
	elif [ -n "${KDIR:-}" ] && [ -f "$KDIR/arch/x86/boot/bzImage" ]; then
		VMLINUZ=$KDIR/arch/x86/boot/bzImage
	else
		ctnr_die "no kernel image for '${KVER:-?}': run 'make deps', or set VMLINUZ"
	fi
fi
[ -r "$VMLINUZ" ] || ctnr_die "cannot read $VMLINUZ"

VNG=${VNG:-$(ctnr_find_vng)} || ctnr_die "vng (virtme-ng) not found: run 'make deps'"

[ -f "$CTNR_KO" ] || ctnr_die "$CTNR_KO is not built: run 'make'"

# ---- the vng command line ----

args=(--run "$VMLINUZ" --user root
	--cpus "${VM_CPUS:-2}" --memory "${VM_MEMORY:-2G}"
	--rwdir "$REPO")
# Extra kernel command line.  The checks run with full preemption (Debian
# boots voluntary preemption): it lets races in the module show; set
# VM_APPEND= (empty) to boot the kernel's default.
[ "$MODE" = check ] && [ -z "${VM_APPEND+set}" ] && VM_APPEND=preempt=full
[ -n "${VM_APPEND:-}" ] && args+=(--append "$VM_APPEND")
case "${VM_KVM:-}" in
1) ;;
0) args+=(--disable-kvm) ;;
*) ctnr_have_kvm || args+=(--disable-kvm) ;;
esac
# Without KVM, QEMU runs each vCPU in a thread of its own (MTTCG) by
# default.  Under MTTCG a vCPU can go on executing kernel text another vCPU
# has just patched in its old form (a static key, ftrace or a kprobe
# switched: the int3 the text-poke code wrote and removed is hit again);
# see Documentation/testing.rst, "When the VM dies".  One thread for all
# vCPUs (thread=single, round-robin) cannot: a vCPU leaves its translated
# block before another runs, and a write to code drops that code's blocks
# before any vCPU runs again.  VM_TCG_THREAD=multi brings MTTCG back (true
# parallel vCPUs, for hunting races, at that risk).
if [[ " ${args[*]} " == *" --disable-kvm "* ]]; then
	case "${VM_TCG_THREAD:-single}" in
	single | multi) args+=(--qemu-opts="-accel tcg,thread=${VM_TCG_THREAD:-single}") ;;
	*) ctnr_die "VM_TCG_THREAD='$VM_TCG_THREAD': single or multi" ;;
	esac
fi

q_repo=$(printf '%q' "$REPO")
q_ko=$(printf '%q' "$CTNR_KO")
mkdir -p build
# Files the guest writes for us are per run: several runs may share a tree.
run_id=$$-$(date +%s)

# The guest's serial console (the kernel's own log, up to warnings, from
# the first line of boot to the last before the VM went away) is always kept
# in build/console-<mode>.log.  vng sends the console to its stderr with
# --verbose; the guest command's own stderr is folded into its stdout, so
# that stream holds nothing else.  loglevel=5 keeps info and debug lines off
# the emulated UART (the ring buffer and `dmesg -w` in the guest still have
# them); oops, panic, WARN, KASAN and lockdep reports are all above that.
if [ "$MODE" != shell ]; then
	args+=(--verbose --append "loglevel=${VM_CONSOLE_LOGLEVEL:-5}")
fi

# console_report CONSOLE-LOG: what a reader needs when a VM died: the first
# oops/panic/BUG block in full, and the last lines of the console.
console_report() {
	local con=$1 pat
	pat='Kernel panic|BUG:|Oops|general protection|kernel BUG at|WARNING:|KASAN|UBSAN|KFENCE|possible circular locking|Out of memory|Killed process|watchdog: BUG|soft lockup|hard LOCKUP|rcu: INFO:|detected stall|hung_task|INFO: task|refcount_t:|list_add corruption|list_del corruption|RIP:|Call Trace'
	if grep -qE "$pat" "$con" 2>/dev/null; then
		echo "vm: kernel reports on the console (first 80 lines from the first one):"
		awk -v p="$pat" 'n == 0 && $0 ~ p { n = 1 } n && n++ <= 80' "$con" | sed 's/^/vm:   /'
	fi
	echo "vm: last 40 lines of the console ($con):"
	tail -n 40 "$con" | sed 's/^/vm:   /'
}

# run_vm LOGFILE GUEST-COMMAND: boot non-interactively, show the output live
# and keep it in LOGFILE (written under a per-run name, renamed at the end),
# the console in build/console-<mode>.log.  stdin is /dev/null: vng and qemu
# must not wait for (or steal) a terminal, and CI has none.
run_vm() {
	local log=$1 cmd=$2 rc start con
	con=build/console-$MODE.log
	echo "vm: $VNG ${args[*]} --exec '$cmd'"
	echo "vm: serial console: $con"
	start=$(date +%s)
	timeout -k 30 "${VM_TIMEOUT:-1500}" "$VNG" "${args[@]}" --exec "exec 2>&1; $cmd" \
		</dev/null 2>"$con.$run_id" | tee "$log.$run_id"
	rc=${PIPESTATUS[0]}
	mv -f "$log.$run_id" "$log"
	mv -f "$con.$run_id" "$con"
	VM_CONSOLE=$con
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "vm: timed out after ${VM_TIMEOUT:-1500}s"
	fi
	echo "vm: vng exited with status $rc after $(($(date +%s) - start))s"
	return "$rc"
}

case "$MODE" in
check)
	result=build/result-$run_id.txt
	rm -f "$result"
	# hand a test selection and the per-program timeout on to run.sh
	envs="CTNR_RESULT=$q_repo/$result "
	for v in CTNR_KO CTNR_TESTS CTNR_TEST_TIMEOUT CTNR_SYSRQ_ALL CTNR_SANITIZERS \
		 CTNR_STRESS_SECONDS CTNR_STRESS_ROUNDS CTNR_STRESS_SEED \
		 CTNR_FUZZ_SECONDS CTNR_FUZZ_OPS CTNR_FUZZ_SEED; do
		[ -n "${!v:-}" ] && envs+="$v=$(printf '%q' "${!v}") "
	done
	run_vm build/vm-check.log "cd $q_repo && ${envs}selftests/run.sh"
	line=$(tail -n 1 "$result" 2>/dev/null)
	rm -f "$result"
	if ! [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		echo "vm: no result from the VM ($result missing or malformed)"
		console_report "$VM_CONSOLE"
		reason=$(grep -m1 -E 'Kernel panic|BUG:|Oops|general protection|kernel BUG at' "$VM_CONSOLE" 2>/dev/null |
			 sed 's/^\[[^]]*\] *//')
		echo "vm: the VM ended without a result: ${reason:-no kernel report on the console; see $VM_CONSOLE}"
		line="0 passed, 1 failed"
	fi
	[[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]
	failed=${BASH_REMATCH[2]}
	echo "$line" >build/result.txt
	echo "$line"
	[ "$failed" -eq 0 ]
	exit
	;;
demo)
	rcfile=build/demo-$run_id.rc
	rm -f "$rcfile"
	run_vm build/vm-demo.log "cd $q_repo && { CTNR_KO=$q_ko scripts/demo.sh; echo \$? >$rcfile; }"
	rc=$?
	if [ -s "$rcfile" ]; then
		rc=$(cat "$rcfile")
		rm -f "$rcfile"
	elif [ "$rc" -eq 0 ]; then
		echo "vm: the demo did not report its exit status"
		console_report "$VM_CONSOLE"
		rc=1
	fi
	echo "vm: demo exit status $rc"
	exit "$rc"
	;;
bench)
	envs=
	[ -n "${CTNR_BENCHES:-}" ] && envs="CTNR_BENCHES=$(printf '%q' "$CTNR_BENCHES") "
	run_vm build/vm-bench.log "cd $q_repo && CTNR_KO=$q_ko ${envs}scripts/bench.sh"
	exit
	;;
shell)
	echo "$CTNR_KO" >build/vm-shell.ko
	echo "vm: $VNG ${args[*]} --shell $REPO/scripts/vm-shell.sh"
	exec "$VNG" "${args[@]}" --cwd "$REPO" --shell "$REPO/scripts/vm-shell.sh"
	;;
esac
