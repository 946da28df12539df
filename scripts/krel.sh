#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# krel.sh COMMAND RELEASE -- a newer Debian kernel (trixie, sid, ...) for
# the VM, next to the default bookworm one, without touching the host's apt
# sources (apt would upgrade libc).
#
# Newer kernel headers need the gcc they were built with, which bookworm
# lacks, so each release gets a debootstrap chroot of its own under
# $CTNR_KREL_CACHE/<release>/chroot (default ~/.cache/ctnr/kernels), where
# the chroot's own apt installs linux-image-amd64, linux-headers-amd64 and
# their compiler.  The VM boots the chroot's /boot/vmlinuz-* over the host's
# root; virtme-ng finds the kernel's modules beside it.  The module is built
# inside the chroot from a copy of Kbuild, kmod/ and uapi/, and copied back
# to build/kernels/<kver>/ctnr.ko.
#
#   setup RELEASE    create the chroot, or bring it up to date when
#                    CTNR_KREL_REFRESH=1; quick when it is there
#   kver RELEASE     its kernel version
#   vmlinuz RELEASE  its kernel image
#   ko RELEASE       where `build` puts the module
#   build RELEASE [MAKE-ARGS...]
#                    setup, then build kmod/ against the release's headers
#
# Needs root (debootstrap, chroot) and the debootstrap package (make deps).

set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
. "$REPO/scripts/common.sh"

CACHE=${CTNR_KREL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ctnr/kernels}
MIRROR=${CTNR_KREL_MIRROR:-http://deb.debian.org/debian}
# What the chroot needs to build an external module; the headers package
# pulls in the matching gcc and kbuild.  perl: W=1 runs kernel-doc.
PACKAGES=(linux-image-amd64 linux-headers-amd64 make libc6-dev perl)

usage() {
	echo "usage: $0 setup|kver|vmlinuz|ko|build RELEASE [MAKE-ARGS...]" >&2
	exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
rel=$2
shift 2
[[ "$rel" =~ ^[a-z][a-z0-9-]*$ ]] || ctnr_die "bad release name '$rel'"
[ "$rel" != bookworm ] || ctnr_die "bookworm is the host's release: build without KREL"

dir=$CACHE/$rel
root=$dir/chroot

log() { echo "krel: $*" >&2; }

# The newest kernel in the chroot with its headers, like ctnr_newest_kver.
chroot_kver() {
	local v
	for v in $(ls -1 "$root/boot" 2>/dev/null |
		   sed -n 's/^vmlinuz-\(.*-amd64\)$/\1/p' | sort -rV); do
		if [ -d "$root/usr/src/linux-headers-$v" ]; then
			echo "$v"
			return 0
		fi
	done
	return 1
}

in_chroot() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"
}

setup() {
	[ "$(id -u)" -eq 0 ] || ctnr_die "setting up the $rel chroot needs root"
	mkdir -p "$dir"
	# One setup at a time per release; builds wait for it.
	exec 9>"$dir/.lock"
	flock 9
	if [ -f "$dir/.ready" ] && [ "${CTNR_KREL_REFRESH:-0}" != 1 ] &&
	   chroot_kver >/dev/null; then
		return 0
	fi
	if [ ! -x "$root/usr/bin/apt-get" ]; then
		command -v debootstrap >/dev/null ||
			ctnr_die "debootstrap is missing: run 'make deps'"
		log "debootstrap $rel into $root (a few minutes, once)"
		rm -rf "$root"
		debootstrap --variant=minbase "$rel" "$root" "$MIRROR" \
			>"$dir/debootstrap.log" 2>&1 ||
			ctnr_die "debootstrap failed, see $dir/debootstrap.log"
	fi
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	log "installing ${PACKAGES[*]} in the $rel chroot"
	{
		# a mirror may serve a sid Release past its Valid-Until;
		# the signatures are still checked
		in_chroot apt-get -o Acquire::Check-Valid-Until=false \
			update -q &&
		in_chroot apt-get install -y -q --no-install-recommends \
			"${PACKAGES[@]}" &&
		in_chroot apt-get clean
	} >"$dir/apt.log" 2>&1 ||
		ctnr_die "apt-get in the $rel chroot failed, see $dir/apt.log"
	chroot_kver >/dev/null ||
		ctnr_die "no kernel with headers in the $rel chroot, see $dir/apt.log"
	touch "$dir/.ready"
	log "$rel: kernel $(chroot_kver)"
}

need_ready() {
	chroot_kver >/dev/null ||
		ctnr_die "no $rel kernel yet: run 'scripts/krel.sh setup $rel'"
}

case "$cmd" in
setup)
	setup
	;;
kver)
	need_ready
	chroot_kver
	;;
vmlinuz)
	need_ready
	echo "$root/boot/vmlinuz-$(chroot_kver)"
	;;
ko)
	need_ready
	echo "$REPO/build/kernels/$(chroot_kver)/ctnr.ko"
	;;
build)
	setup
	kver=$(chroot_kver)
	src=/build/ctnr
	# A fresh copy each time: nothing of an earlier build can leak in.
	rm -rf "${root:?}$src"
	mkdir -p "$root$src/kmod"
	cp "$REPO/Kbuild" "$REPO/VERSION" "$root$src/"
	cp -r "$REPO/uapi" "$root$src/"
	cp "$REPO"/kmod/Kbuild "$REPO"/kmod/*.[ch] "$root$src/kmod/"
	rm -f "$root$src"/kmod/*.mod.c
	# git is not in the chroot: hand the version on
	git_desc=$(git -C "$REPO" describe --always --dirty 2>/dev/null || true)
	log "building kmod/ against $kver in the $rel chroot"
	# objtool of newer kernels reads /proc/self
	if ! mountpoint -q "$root/proc"; then
		mount -t proc proc "$root/proc" ||
			ctnr_die "cannot mount /proc in the $rel chroot"
		trap 'umount "$root/proc"' EXIT
	fi
	in_chroot make -C "/usr/src/linux-headers-$kver" M="$src" \
		CTNR_GIT_DESC="$git_desc" "$@" modules
	mkdir -p "$REPO/build/kernels/$kver"
	cp "$root$src/kmod/ctnr.ko" "$REPO/build/kernels/$kver/ctnr.ko"
	log "built build/kernels/$kver/ctnr.ko"
	;;
*)
	usage
	;;
esac
