#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ynl.sh COMMAND [ROOT] -- the generic netlink ABI, made from its YAML spec
# by the kernel's own generator.
#
# Documentation/netlink/specs/ctnr.yaml is the source.  The kernel's
# tools/net/ynl/ynl-gen-c.py turns it into
#   uapi/linux/ctnr.h       the generic netlink part, between the lines
#                           "YNL-GEN BEGIN ctnr.yaml" and "YNL-GEN END
#                           ctnr.yaml" (--mode uapi); the ioctls and
#                           structs around it stay hand-written
#   kmod/genl-gen.h, .c     the module's policy tables (--mode kernel)
# and only that output is committed, never the generator.
#
#   fetch      make sure ynl-gen and the schemas are cached; print where
#   validate   check the spec against the kernel's genetlink-c.yaml schema
#   regen      validate, then rewrite the generated files of ROOT
#   check      validate, regenerate into a temporary directory and fail,
#              one line per file, if ROOT's files differ (make regen-check)
# ROOT is the tree to work on (default: this repository; scripts/
# ynl-test.sh points it at a scratch copy).
#
# Where ynl-gen comes from: Debian's linux-source-6.12 (trixie); bookworm's
# linux-source-6.1 predates tools/net/ynl.  The package is fetched once with
# a private apt configuration (its own sources.list, lists and cache under
# the cache directory; the system's apt sources are never read or touched),
# and of its tarball only tools/net/ynl and Documentation/netlink/*.yaml are
# kept, in $CTNR_YNL_CACHE/linux-source-6.12 (default ~/.cache/ctnr/ynl).
# If /usr/src/linux-source-6.12.tar.xz exists, on the host or in the trixie
# chroot of scripts/krel.sh, it is used instead of a download.
# CTNR_YNL_SRC=DIR takes ynl-gen from a kernel tree instead (DIR/tools/net/
# ynl, DIR/Documentation/netlink); the output must not change with it.
#
# Why the kernel output is post-processed (scripts/ynl-post.py): for a
# genetlink-c family ynl-gen writes, after the policies, a struct
# genl_split_ops table and a multicast group array, and keeps the per-op
# policies static.  Split ops do not exist on 6.1, the oldest kernel the
# module supports, and no ynl-gen option or genetlink-c property selects
# another table: "kernel-policy: per-op", which makes it write struct
# genl_ops, is a genetlink-legacy property, and even there it cannot
# express dump-only operations or a dump's start and done.  So the
# policies, the range tables and the handler prototypes are kept as
# ynl-gen wrote them; the split op table and the group array are left out
# (kmod/genl.c has the one struct genl_ops table, which 6.1 to 7.2 all
# take, and the events group, which needs GENL_MCAST_CAP_SYS_ADMIN that
# this ynl-gen does not write); and the per-op policies are exported and
# declared in genl-gen.h, as ynl-gen itself does for per-op tables, so
# that the table can name them.  A ynl-gen that writes something else makes
# the post-processing fail rather than guess.

set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
. "$REPO/scripts/common.sh"

SPEC=Documentation/netlink/specs/ctnr.yaml
UAPI=uapi/linux/ctnr.h
KGEN_H=kmod/genl-gen.h
KGEN_C=kmod/genl-gen.c

PKG=${CTNR_YNL_PACKAGE:-linux-source-6.12}
RELEASE=${CTNR_YNL_RELEASE:-trixie}
MIRROR=${CTNR_YNL_MIRROR:-${CTNR_KREL_MIRROR:-http://deb.debian.org/debian}}
KEYRING=${CTNR_YNL_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
CACHE=${CTNR_YNL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ctnr/ynl}
KREL_CACHE=${CTNR_KREL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ctnr/kernels}

usage() {
	echo "usage: $0 fetch|validate|regen|check [ROOT]" >&2
	exit 2
}

log() { echo "ynl: $*" >&2; }

# A Python 3 with yaml and jsonschema (python3-yaml, python3-jsonschema).
pick_python() {
	local py
	for py in ${PYTHON:-} python3 /usr/bin/python3; do
		if "$py" -c 'import yaml, jsonschema' 2>/dev/null; then
			echo "$py"
			return 0
		fi
	done
	ctnr_die "no python3 with the yaml and jsonschema modules: run 'make deps' (python3-yaml, python3-jsonschema)"
}

# The source tarball to extract from, if one is already on this machine.
local_tarball() {
	local t
	for t in "/usr/src/$PKG.tar.xz" \
		 "$KREL_CACHE/$RELEASE/chroot/usr/src/$PKG.tar.xz"; do
		if [ -r "$t" ]; then
			echo "$t"
			return 0
		fi
	done
	return 1
}

# Download $PKG's .deb into $1 with apt-get and a configuration of our own.
download_deb() {
	local into=$1 apt=$CACHE/apt o
	rm -rf "$apt"
	mkdir -p "$apt/etc/sources.list.d" "$apt/etc/preferences.d" \
		"$apt/lists/partial" "$apt/cache/archives/partial"
	[ -r "$KEYRING" ] || ctnr_die "no $KEYRING: install debian-archive-keyring"
	echo "deb [signed-by=$KEYRING] $MIRROR $RELEASE main" \
		>"$apt/etc/sources.list"
	o=(-o "Dir::Etc::SourceList=$apt/etc/sources.list"
	   -o "Dir::Etc::SourceParts=$apt/etc/sources.list.d"
	   -o "Dir::Etc::Preferences=$apt/etc/preferences"
	   -o "Dir::Etc::PreferencesParts=$apt/etc/preferences.d"
	   -o "Dir::State::Lists=$apt/lists"
	   -o "Dir::Cache=$apt/cache"
	   -o "Debug::NoLocking=1")
	# as root apt downloads as _apt, who may not write into $HOME
	[ "$(id -u)" -ne 0 ] || o+=(-o "APT::Sandbox::User=root")
	log "downloading $PKG from $RELEASE ($MIRROR), once"
	apt-get "${o[@]}" -q update >"$CACHE/apt.log" 2>&1 ||
		ctnr_die "apt-get update failed, see $CACHE/apt.log"
	(cd "$into" && apt-get "${o[@]}" -q download "$PKG") \
		>>"$CACHE/apt.log" 2>&1 ||
		ctnr_die "apt-get download $PKG failed, see $CACHE/apt.log"
	rm -rf "$apt"
}

# Only what ynl-gen needs, from a linux-source tarball (xz) on stdin.
# The tarball's top directory is linux-source-<ver>/: it is stripped.
extract() {
	tar -xJ -C "$1" --strip-components=1 \
		--wildcards '*/tools/net/ynl/*' \
		--no-wildcards-match-slash '*/Documentation/netlink/*.yaml' ||
		ctnr_die "cannot extract tools/net/ynl from $PKG"
}

# Print the directory with tools/net/ynl and Documentation/netlink.
fetch() {
	local dir=$CACHE/$PKG tmp tarball deb version

	if [ -n "${CTNR_YNL_SRC:-}" ]; then
		[ -f "$CTNR_YNL_SRC/tools/net/ynl/ynl-gen-c.py" ] &&
		[ -f "$CTNR_YNL_SRC/Documentation/netlink/genetlink-c.yaml" ] ||
			ctnr_die "CTNR_YNL_SRC=$CTNR_YNL_SRC has no tools/net/ynl or Documentation/netlink"
		echo "$CTNR_YNL_SRC"
		return 0
	fi
	if [ -f "$dir/.ready" ]; then
		echo "$dir"
		return 0
	fi
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	flock 9
	if [ -f "$dir/.ready" ]; then		# fetched while we waited
		echo "$dir"
		return 0
	fi
	tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	mkdir "$tmp/src"
	if tarball=$(local_tarball); then
		version="from $tarball"
		log "extracting ynl-gen from $tarball"
		extract <"$tarball" "$tmp/src"
	else
		command -v apt-get >/dev/null ||
			ctnr_die "no apt-get to fetch $PKG with"
		download_deb "$tmp"
		deb=$(ls "$tmp"/"$PKG"_*.deb 2>/dev/null | head -n1)
		[ -n "$deb" ] || ctnr_die "apt-get download left no $PKG .deb"
		version=$(dpkg-deb -f "$deb" Version)
		log "extracting ynl-gen from $PKG $version"
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO "./usr/src/$PKG.tar.xz" | extract "$tmp/src"
		rm -f "$deb"
	fi
	[ -f "$tmp/src/tools/net/ynl/ynl-gen-c.py" ] &&
	[ -f "$tmp/src/Documentation/netlink/genetlink-c.yaml" ] ||
		ctnr_die "$PKG has no tools/net/ynl/ynl-gen-c.py or genetlink-c.yaml"
	echo "$PKG $version" >"$tmp/src/VERSION"
	touch "$tmp/src/.ready"
	rm -rf "$dir"
	mv "$tmp/src" "$dir"
	log "ynl-gen of $PKG $version cached in $dir"
	echo "$dir"
}

# validate PYTHON YNLDIR ROOT: the spec against the schema of its protocol.
validate() {
	"$1" - "$2/Documentation/netlink" "$3/$SPEC" "$SPEC" <<'EOF'
import sys, yaml, jsonschema
schemas, spec, name = sys.argv[1:]
try:
    with open(spec, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    proto = doc.get("protocol", "genetlink")
    with open("%s/%s.yaml" % (schemas, proto), encoding="utf-8") as f:
        schema = yaml.safe_load(f)
    jsonschema.validate(doc, schema)
except jsonschema.ValidationError as e:
    where = "/".join(str(p) for p in e.absolute_path) or "top level"
    sys.exit("ynl: %s is not valid %s (%s): %s" % (name, proto, where, e.message))
except (OSError, yaml.YAMLError, AttributeError) as e:
    sys.exit("ynl: %s: %s" % (name, e))
EOF
}

# generate PYTHON YNLDIR ROOT OUT: what ROOT's spec gives, into OUT.
generate() {
	local py=$1 ynl=$2 root=$3 out=$4 t gen

	t=$out/.ynl
	gen=$ynl/tools/net/ynl/ynl-gen-c.py
	# A kernel-like tree for ynl-gen: it names the spec by its path below
	# the directory with MAINTAINERS (and searches upwards for it without
	# end when there is none), and validates against ../<protocol>.yaml.
	mkdir -p "$t/Documentation/netlink/specs" "$out/uapi/linux" "$out/kmod"
	: >"$t/MAINTAINERS"
	cp "$ynl"/Documentation/netlink/*.yaml "$t/Documentation/netlink/"
	cp "$root/$SPEC" "$t/$SPEC"
	(
		cd "$t"
		"$py" "$gen" --mode uapi --header --spec "$SPEC" -o uapi.h &&
		"$py" "$gen" --mode kernel --header --spec "$SPEC" -o genl-gen.h &&
		"$py" "$gen" --mode kernel --source --spec "$SPEC" -o genl-gen.c
	) >"$t/log" 2>&1 || {
		cat "$t/log" >&2
		ctnr_die "ynl-gen-c.py failed on $SPEC"
	}
	"$py" "$REPO/scripts/ynl-post.py" uapi "$t/uapi.h" "$root/$UAPI" \
		"$out/$UAPI"
	"$py" "$REPO/scripts/ynl-post.py" kernel "$t/genl-gen.h" \
		"$t/genl-gen.c" "$out/$KGEN_H" "$out/$KGEN_C"
	rm -rf "$t"
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
cmd=$1
root=$(cd "${2:-$REPO}" && pwd -P)

case "$cmd" in
fetch)
	fetch
	exit 0
	;;
validate|regen|check)
	;;
*)
	usage
	;;
esac

[ -f "$root/$SPEC" ] || ctnr_die "no $SPEC in $root"
py=$(pick_python)
ynl=$(fetch)
validate "$py" "$ynl" "$root"
[ "$cmd" != validate ] || exit 0

out=$(mktemp -d "${TMPDIR:-/tmp}/ctnr-ynl.XXXXXX")
trap 'rm -rf "$out"' EXIT
generate "$py" "$ynl" "$root" "$out"

rc=0
for f in "$UAPI" "$KGEN_H" "$KGEN_C"; do
	if cmp -s "$out/$f" "$root/$f"; then
		continue
	fi
	if [ "$cmd" = regen ]; then
		echo "  GEN     $f"
		cp "$out/$f" "$root/$f"
	else
		echo "regen-check: $f is not what $SPEC gives: run 'make regen'" >&2
		rc=1
	fi
done
exit $rc
