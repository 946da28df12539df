# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shell helpers shared by the scripts in this directory.  Source it from bash;
# do not run it.

# The Debian virtme-ng version we pin.
CTNR_VNG_VERSION=${CTNR_VNG_VERSION:-1.42}

# Where deps.sh unpacks virtme-ng when neither pip nor the system provide it.
CTNR_VNG_CACHE=${CTNR_VNG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ctnr/virtme-ng}

ctnr_die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# Print the newest kernel version <ver> (ending in -amd64) for which both
# /boot/vmlinuz-<ver> and /usr/src/linux-headers-<ver> exist.  This is the
# guest kernel; the host's `uname -r` is never consulted.
ctnr_newest_kver() {
	ls -1 /boot 2>/dev/null |
		sed -n 's/^vmlinuz-\(.*-amd64\)$/\1/p' |
		sort -rV |
		while read -r v; do
			if [ -d "/usr/src/linux-headers-$v" ]; then
				echo "$v"
				break
			fi
		done
	return 0
}

# Print the path of a working vng, or nothing.
ctnr_find_vng() {
	local c scripts
	for c in "$(command -v vng 2>/dev/null)" \
		 /usr/local/bin/vng \
		 "$HOME/.local/bin/vng" \
		 "$CTNR_VNG_CACHE/bin/vng"; do
		if [ -n "$c" ] && [ -x "$c" ] && "$c" --version >/dev/null 2>&1; then
			echo "$c"
			return 0
		fi
	done
	# pip may have put it next to the interpreter without it being on PATH
	scripts=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null)
	if [ -n "$scripts" ] && [ -x "$scripts/vng" ] &&
	   "$scripts/vng" --version >/dev/null 2>&1; then
		echo "$scripts/vng"
		return 0
	fi
	return 1
}

# True when the CPU offers hardware virtualisation and /dev/kvm is usable.
ctnr_have_kvm() {
	grep -qwE 'vmx|svm' /proc/cpuinfo 2>/dev/null && [ -w /dev/kvm ]
}
