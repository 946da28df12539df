#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A short scripted ctnrctl session, run inside the VM by `make demo`
# (scripts/vm.sh demo).  Loads the module, shows each command as
# "+ command" followed by its output, unloads the module.  Exits non-zero
# when any step failed.

set -u

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$REPO" || exit 1
export PATH="$REPO/ctl:$PATH"
export LD_LIBRARY_PATH="$REPO/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

failed=0

# run CMD...: echo the command, run it, note a failure.
run() {
	local rc
	echo "+ $*"
	"$@"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "  (exit status $rc)"
		failed=$((failed + 1))
	fi
	return $rc
}

# run_sh 'PIPELINE': the same for a pipeline.
run_sh() {
	echo "+ $1"
	if ! bash -o pipefail -c "$1"; then
		echo "  (failed)"
		failed=$((failed + 1))
	fi
}

# first child of pid $1 (the container's init, under unshare --fork)
child_of() {
	local c
	for _ in $(seq 50); do
		c=$(cat /proc/"$1"/task/*/children 2>/dev/null | awk '{print $1; exit}')
		if [ -n "$c" ]; then
			echo "$c"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

init_pid=
unshare_pid=
cleanup() {
	# the init has a TERM handler: it exits, and unshare with it
	if [ -n "$init_pid" ]; then
		kill -TERM "$init_pid" 2>/dev/null
	elif [ -n "$unshare_pid" ]; then
		kill -KILL "$unshare_pid" 2>/dev/null
	fi
	[ -n "$unshare_pid" ] && wait "$unshare_pid" 2>/dev/null
	init_pid=
	unshare_pid=
	if grep -qw '^ctnr' /proc/modules; then
		echo "+ rmmod ctnr"
		rmmod ctnr || failed=$((failed + 1))
	fi
}
trap cleanup EXIT

echo "# ctnr demo on Linux $(uname -r)"
run insmod "${CTNR_KO:-kmod/ctnr.ko}" || exit 1

run ctnrctl version
run_sh "ctnrctl -j version | python3 -m json.tool"

# A container: an init process in fresh pid, mount, uts, net and ipc
# namespaces, with its own hostname.
init='hostname demo-ctr; trap "exit 0" TERM; sleep 1000 & wait'
echo "+ unshare --fork --pid --mount-proc --uts --net --ipc sh -c '$init' &"
unshare --fork --pid --mount-proc --uts --net --ipc sh -c "$init" &
unshare_pid=$!
if init_pid=$(child_of "$unshare_pid"); then
	sleep 0.2	# let it set its hostname
	echo "# container init is pid $init_pid"
	run ctnrctl container add demo pid "$init_pid"
	run ctnrctl container list
	run ctnrctl container show demo
	run ctnrctl container exec demo -- hostname
	run ctnrctl container identify "$init_pid"
	run ctnrctl container del demo
	run ctnrctl container list
else
	echo "# could not start the container init"
	failed=$((failed + 1))
fi

# The syslog namespace: a container on a cgroup of its own; dmesg run in it
# with /dev/ctnr-kmsg bound over /dev/kmsg sees the container's log only.
kmsg_demo() {
	local root cg pid
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	cg=$root/ctnr-demo-log
	if [ -z "$root" ] || ! mkdir -p "$cg"; then
		echo "# no cgroup2: skipping the log demo"
		return
	fi
	echo "+ sh -c 'echo \$\$ > $cg/cgroup.procs; exec sleep 1000' &"
	sh -c "echo \$\$ > $cg/cgroup.procs; exec sleep 1000" &
	pid=$!
	sleep 0.2
	run ctnrctl container add demo-log pid "$pid"
	run_sh "echo '<4>hello from the host' > /dev/kmsg"
	run_sh "unshare --mount sh -c 'echo \$\$ > $cg/cgroup.procs; mount --bind /dev/ctnr-kmsg /dev/kmsg; echo \"<4>hello from inside demo-log\" > /dev/kmsg; dmesg'"
	run ctnrctl log show demo-log
	run_sh "ctnrctl -j log show demo-log | python3 -m json.tool | tail -n 12"
	run_sh "dmesg | tail -n 2"
	run ctnrctl container del demo-log
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rmdir "$cg"
}
kmsg_demo

# Device rules: LXC's policy on a container; inside it /dev/mem cannot be
# opened, the host is unaffected, and the denial is in the container's log.
dev_demo() {
	local root cg pid
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	cg=$root/ctnr-demo-dev
	if [ -z "$root" ] || ! mkdir -p "$cg"; then
		echo "# no cgroup2: skipping the device rules demo"
		return
	fi
	echo "+ sh -c 'echo \$\$ > $cg/cgroup.procs; exec sleep 1000' &"
	sh -c "echo \$\$ > $cg/cgroup.procs; exec sleep 1000" &
	pid=$!
	sleep 0.2
	run ctnrctl container add demo-dev pid "$pid"
	run ctnrctl dev preset demo-dev lxc
	run ctnrctl dev show demo-dev
	run_sh "sh -c 'echo \$\$ > $cg/cgroup.procs; head -c 4 /dev/urandom | od -An -tx1'"
	echo "+ sh -c 'echo \$\$ > $cg/cgroup.procs; head -c 1 /dev/mem'    # refused"
	if sh -c "echo \$\$ > $cg/cgroup.procs; head -c 1 /dev/mem" >/dev/null; then
		echo "  (/dev/mem was readable inside the container)"
		failed=$((failed + 1))
	fi
	run_sh "sh -c 'exec 3</dev/mem && echo the host still opens /dev/mem'"
	sleep 0.5	# the report is sent from a work item
	run_sh "ctnrctl log show demo-dev | grep denied"
	run ctnrctl container del demo-dev
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rmdir "$cg"
}
dev_demo

# Loop devices: uid 1000, root of a user namespace of its own, registers
# its container, attaches its own image as /dev/ctnrloopN, makes a file
# system on it from inside; a process outside the container is refused;
# deleting the container takes the device away.
loop_demo() {
	local root cg pid img dev as_user
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	cg=$root/ctnr-demo-loop
	if [ -z "$root" ] || ! mkdir -p "$cg"; then
		echo "# no cgroup2: skipping the loop demo"
		return
	fi
	img=/tmp/ctnr-demo-loop.img
	truncate -s 64M "$img" && chown 1000:1000 "$img"
	echo "+ sh -c 'echo \$\$ > $cg/cgroup.procs; exec setpriv --reuid 1000 --regid 1000 --clear-groups unshare -Ur sleep 1000' &"
	sh -c "echo \$\$ > $cg/cgroup.procs; exec setpriv --reuid 1000 --regid 1000 --clear-groups unshare -Ur sleep 1000" &
	pid=$!
	sleep 0.5
	# uid 1000 as root of the container's user namespace
	as_user="setpriv --reuid 1000 --regid 1000 --clear-groups nsenter --preserve-credentials -t $pid -U"
	run $as_user ctnrctl container add demo-loop pid "$pid"
	echo "+ $as_user ctnrctl loop attach demo-loop $img"
	dev=$($as_user ctnrctl loop attach demo-loop "$img")
	echo "$dev"
	if [ -z "$dev" ]; then
		failed=$((failed + 1))
	else
		# what a runtime does when it puts the node in the container's /dev
		run chown 1000:1000 "$dev"
		run_sh "sh -c 'echo \$\$ > $cg/cgroup.procs; exec $as_user mkfs.ext4 -q $dev' && echo mkfs.ext4 inside demo-loop: ok"
		run_sh "sh -c 'echo \$\$ > $cg/cgroup.procs; exec $as_user e2fsck -fn $dev'"
		echo "+ $as_user dd if=$dev of=/dev/null count=1    # outside the container: refused"
		if $as_user dd if="$dev" of=/dev/null count=1 2>&1; then
			echo "  (opened from outside the container)"
			failed=$((failed + 1))
		fi
		run ctnrctl loop show demo-loop
		run_sh "ctnrctl log show demo-loop | grep ctnrloop"
		run ctnrctl container del demo-loop
		echo "+ test ! -e $dev    # gone with the container"
		sleep 0.2
		if [ -e "$dev" ]; then
			echo "  ($dev is still there)"
			failed=$((failed + 1))
		fi
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$img"
	rmdir "$cg"
}
loop_demo

cleanup
trap - EXIT
if [ $failed -gt 0 ]; then
	echo "# demo: $failed step(s) failed"
	exit 1
fi
echo "# demo: done"
