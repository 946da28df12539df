#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the guest kernel version: the newest /boot/vmlinuz-<ver> (<ver> ending
# in -amd64) whose /usr/src/linux-headers-<ver> is installed.  Exit 1, and
# print nothing, when there is none (run `make deps`).
. "$(dirname "$0")/common.sh"
v=$(ctnr_newest_kver)
[ -n "$v" ] || exit 1
echo "$v"
