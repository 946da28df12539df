#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debugkernel.sh -- the sanitizer kernel for `make check KERNEL=debug`.
#
#   scripts/debugkernel.sh build    build it unless cached; print its tree
#   scripts/debugkernel.sh kdir     print the tree (KDIR), fail if not built
#   scripts/debugkernel.sh vmlinuz  print its bzImage, fail if not built
#   scripts/debugkernel.sh module [MAKE-ARGS...]
#                                   build kmod/ against it, into
#                                   build/kernels/debug/ctnr.ko (kmod/ctnr.ko,
#                                   the module for the default kernel, is
#                                   left alone)
#   scripts/debugkernel.sh ko       print where `module` puts ctnr.ko
#   scripts/debugkernel.sh hash     print the cache key
#   scripts/debugkernel.sh check    compare an existing tree's .config with
#                                   the fragment again
#
# The kernel is Debian's linux-source-6.1 configured from allnoconfig plus
# scripts/debugkernel.config (KASAN, kmemleak, lockdep, UBSAN, fault
# injection and what virtme-ng and the selftests need).  It is built once
# per machine, in
#   ${XDG_CACHE_HOME:-~/.cache}/ctnr/debug-kernel/<key>/linux
# where <key> hashes the fragment, the build steps of this script and the
# linux-source version, so that a change to any builds a new kernel next
# to the old one.  The tree is kept whole: it is the KDIR that ctnr.ko is built
# against (Module.symvers, generated headers), and its bzImage is what the
# VM boots.  Nothing from it is ever copied into this repository.
#
# The build runs under `nice -n 15` with -j$DEBUGK_JOBS (default 2), and is
# logged to <key>/build.log.  Concurrent callers wait for one another
# (flock on <key>.lock).
#
# Environment: LINUX_SOURCE_TAR (default /usr/src/linux-source-6.1.tar.xz),
# DEBUGK_JOBS, DEBUGK_NICE (15), DEBUGK_CACHE (the debug-kernel directory).

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
REPO=$(cd "$here/.." && pwd -P)
. "$here/common.sh"

FRAGMENT=$here/debugkernel.config
LINUX_SOURCE_TAR=${LINUX_SOURCE_TAR:-/usr/src/linux-source-6.1.tar.xz}
DEBUGK_CACHE=${DEBUGK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ctnr/debug-kernel}
JOBS=${DEBUGK_JOBS:-2}
NICE=${DEBUGK_NICE:-15}

# What the kernel is made of: the source package's version (or, for a
# tarball from elsewhere, its name and size), this script and the fragment.
source_id() {
	local v
	v=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
	if [ -n "$v" ] && [ "$LINUX_SOURCE_TAR" = /usr/src/linux-source-6.1.tar.xz ]; then
		echo "linux-source-6.1 $v"
	else
		echo "$LINUX_SOURCE_TAR $(stat -c %s "$LINUX_SOURCE_TAR")"
	fi
}

# The key covers the code that builds (declare -f: without comments, so
# editing this file's text elsewhere does not force a rebuild).
cache_key() {
	{ source_id; declare -f build check_config; cat "$FRAGMENT"; } |
		sha256sum | cut -c1-16
}

# check_config CONFIG: every line of the fragment must be in CONFIG as
# written ("# CONFIG_X is not set" also holds when X is absent).  Prints
# the ones that are not, with what CONFIG has instead.
check_config() {
	local config=$1 line sym want have bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			sym=${line%%=*}
			want=$line
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			want=
			;;
		*) continue ;;
		esac
		have=$(grep -E "^($sym=|# $sym is not set)" "$config" || true)
		case "$have" in
		"# $sym is not set") have= ;;
		esac
		if [ "$have" != "$want" ]; then
			echo "debugkernel: asked for '${want:-# $sym is not set}', got '${have:-# $sym is not set}'" >&2
			bad=1
		fi
	done <"$FRAGMENT"
	return $bad
}

# vng boots a kernel from its build tree and wants the tree's modules in
# .virtme_mods (it would create them on first use, racing with a second
# VM); make them once here.  Harmless when vng cannot be found: then vng
# does it itself.
prep_vng() {
	local prep
	[ -f "$TREE/.virtme_mods/lib/modules/0.0.0/modules.dep" ] && return 0
	prep=$(command -v virtme-prep-kdir-mods 2>/dev/null) ||
		prep=$(dirname "$(ctnr_find_vng 2>/dev/null || echo /nonexistent/x)")/virtme-prep-kdir-mods
	[ -x "$prep" ] || return 0
	(cd "$TREE" && "$prep") >>"$DIR/build.log" 2>&1 ||
		echo "debugkernel: warning: $prep failed (see $DIR/build.log)" >&2
}

# module [MAKE-ARGS...]: a fresh copy of the module sources, so that the
# objects of the default build in kmod/ are neither used nor clobbered.
# -g: line numbers for a KASAN or lockdep report (scripts/faddr2line in
# the tree), which the kernel itself is built without.
module() {
	local out=$REPO/build/kernels/debug src
	src=$out/src
	rm -rf "$src"
	mkdir -p "$src/kmod"
	cp "$REPO/Kbuild" "$REPO/VERSION" "$src/"
	cp -r "$REPO/uapi" "$src/"
	cp "$REPO"/kmod/Kbuild "$REPO"/kmod/*.[ch] "$src/kmod/"
	rm -f "$src"/kmod/*.mod.c
	make -C "$TREE" M="$src" KCFLAGS=-g \
		CTNR_GIT_DESC="$(git -C "$REPO" describe --always --dirty 2>/dev/null || true)" \
		"$@" modules
	cp "$src/kmod/ctnr.ko" "$out/ctnr.ko"
	echo "debugkernel: built ${out#"$REPO"/}/ctnr.ko against $(cat "$TREE/include/config/kernel.release")"
}

built() {
	[ -f "$DIR/done" ] && [ -f "$IMAGE" ] && [ -f "$TREE/Module.symvers" ]
}

build() {
	local start log
	mkdir -p "$DIR"
	log=$DIR/build.log
	[ -r "$LINUX_SOURCE_TAR" ] ||
		ctnr_die "$LINUX_SOURCE_TAR is missing: run 'make deps' (package linux-source-6.1)"
	start=$(date +%s)
	echo "debugkernel: building the debug kernel in $TREE (log: $log)" >&2
	{
		echo "# $(source_id); key $KEY; started $(date -u +%FT%TZ)"
		rm -rf "$TREE" "$DIR/done"
		mkdir -p "$TREE"
		echo "# extracting $LINUX_SOURCE_TAR"
		nice -n "$NICE" tar -xf "$LINUX_SOURCE_TAR" -C "$TREE" --strip-components=1
		# allnoconfig with the fragment as the "all" values: everything
		# not named there, and not selected by what is, is off
		nice -n "$NICE" make -C "$TREE" KCONFIG_ALLCONFIG="$FRAGMENT" allnoconfig
		check_config "$TREE/.config"
		# bzImage, vmlinux and Module.symvers; modules_prepare leaves
		# what an external module build needs (it is part of "all" when
		# CONFIG_MODULES=y, named here to say that it is relied upon)
		nice -n "$NICE" make -C "$TREE" -j"$JOBS" all modules_prepare
		echo "# done in $(($(date +%s) - start))s; .config: $(grep -c '=' "$TREE/.config") options set"
	} >"$log" 2>&1 || {
		echo "debugkernel: the build failed; the end of $log:" >&2
		tail -n 30 "$log" >&2
		return 1
	}
	echo "$(($(date +%s) - start))" >"$DIR/done"
	echo "debugkernel: built in $(cat "$DIR/done")s" >&2
}

KEY=$(cache_key)
DIR=$DEBUGK_CACHE/$KEY
TREE=$DIR/linux
IMAGE=$TREE/arch/x86/boot/bzImage

case "${1:-}" in
build)
	mkdir -p "$DEBUGK_CACHE"
	exec 9>"$DIR.lock"
	if ! flock -n 9; then
		echo "debugkernel: another build of $KEY is running; waiting" >&2
		flock 9
	fi
	built || build
	prep_vng
	echo "$TREE"
	;;
module)
	shift
	built || ctnr_die "the debug kernel ($KEY) is not built: run '$0 build'"
	module "$@"
	;;
ko)
	echo "$REPO/build/kernels/debug/ctnr.ko"
	;;
kdir | vmlinuz)
	built || ctnr_die "the debug kernel ($KEY) is not built: run '$0 build'"
	if [ "$1" = kdir ]; then echo "$TREE"; else echo "$IMAGE"; fi
	;;
hash)
	echo "$KEY"
	;;
check)
	[ -f "$TREE/.config" ] || ctnr_die "no $TREE/.config"
	check_config "$TREE/.config" && echo "debugkernel: $TREE/.config has every option of the fragment"
	;;
*)
	echo "usage: $0 build|kdir|vmlinuz|module|ko|hash|check" >&2
	exit 2
	;;
esac
