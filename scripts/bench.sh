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
rc=0
rmmod ctnr 2>/dev/null
echo "# ---- bench/devaccess ----"
selftests/bench/devaccess || rc=1
rmmod ctnr 2>/dev/null
insmod "$CTNR_KO" || exit 1
echo "# ---- bench/kmsg ----"
selftests/bench/kmsg || rc=1
echo "# ---- bench/loop ----"
selftests/bench/loop || rc=1
echo "# ---- bench/procview ----"
selftests/bench/procview || rc=1
rmmod ctnr || rc=1
exit $rc
