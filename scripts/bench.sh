#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM (scripts/vm.sh bench): every benchmark of
# selftests/bench in one boot, each printing its ratios.  devaccess loads
# and unloads the module itself; kmsg and loop want it loaded.
set -u
cd "$(dirname "$0")/.."
export CTNR_KO=${CTNR_KO:-$PWD/kmod/ctnr.ko}
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
# CTNR_BENCHES: run only these (make bench CTNR_BENCHES="procview")
want() { [ -z "${CTNR_BENCHES:-}" ] || [[ " $CTNR_BENCHES " == *" $1 "* ]]; }
rc=0
rmmod ctnr 2>/dev/null
if want devaccess; then
	echo "# ---- bench/devaccess ----"
	selftests/bench/devaccess || rc=1
	rmmod ctnr 2>/dev/null
fi
insmod "$CTNR_KO" || exit 1
for b in kmsg loop procview; do
	want $b || continue
	echo "# ---- bench/$b ----"
	selftests/bench/$b || rc=1
done
rmmod ctnr || rc=1
exit $rc
