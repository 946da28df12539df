#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what ctnr needs on a Debian bookworm machine.  Idempotent: when
# everything is present it only queries dpkg and returns within seconds.
#
#   scripts/deps.sh          check, then install whatever is missing
#   scripts/deps.sh --check  only check; exit 1 and list what is missing
#
# virtme-ng comes from PyPI at a pinned version.  The kernel's ynl-gen, for
# make regen and regen-check, comes from Debian trixie's linux-source-6.12,
# through scripts/ynl.sh fetch (cached; also fetched on first use).  If pip refuses (also with
# --break-system-packages), Debian sid's virtme-ng .deb is fetched through a
# private apt configuration (the system's sources are never touched) and
# unpacked under $CTNR_VNG_CACHE.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

check_only=0
case "${1:-}" in
--check) check_only=1 ;;
"") ;;
*) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

PACKAGES=(
	build-essential pkg-config xz-utils
	linux-headers-amd64 linux-image-amd64 linux-source-6.1
	qemu-system-x86 busybox-static
	libnl-3-dev libnl-genl-3-dev
	e2fsprogs util-linux kmod procps
	fuse2fs			# ctnrloop tests: mkfs + fuse2fs in a user namespace
	debootstrap		# newer kernels: scripts/krel.sh (make check KREL=trixie)
	flex bison bc libelf-dev	# the debug kernel: scripts/debugkernel.sh
	sparse cppcheck		# make static (part of make check)
	lxcfs			# make bench: bench/procview compares with it
	python3-yaml python3-jsonschema	# the kernel's ynl-gen: make regen(-check)
)

log() { echo "deps: $*"; }

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q ' installed$'
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		ctnr_die "need root to run: $*"
	fi
}

apt_updated=0
apt_install() {
	if [ $apt_updated -eq 0 ]; then
		log "apt-get update"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
		apt_updated=1
	fi
	log "apt-get install $*"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

missing=()
for p in "${PACKAGES[@]}"; do
	if [ "$p" = busybox-static ] && ! installed busybox-static; then
		# vng packs a static busybox into its initramfs; a dynamic
		# busybox package would conflict, so do not replace it.
		if installed busybox; then
			log "warning: 'busybox' is installed, vng wants busybox-static"
			continue
		fi
	fi
	installed "$p" || missing+=("$p")
done

vng=$(ctnr_find_vng || true)

# The headers and the image metapackages may point at a version whose
# headers directory is absent (half-finished upgrade); kver.sh would fail.
kver=$(ctnr_newest_kver)

if [ $check_only -eq 1 ]; then
	rc=0
	if [ ${#missing[@]} -gt 0 ]; then
		echo "deps: missing packages: ${missing[*]}"
		rc=1
	fi
	if [ -z "$vng" ]; then
		echo "deps: missing: vng (virtme-ng $CTNR_VNG_VERSION)"
		rc=1
	fi
	if [ -z "$kver" ]; then
		echo "deps: missing: a /boot/vmlinuz-*-amd64 with its linux-headers"
		rc=1
	fi
	exit $rc
fi

if [ ${#missing[@]} -gt 0 ]; then
	apt_install "${missing[@]}"
fi

kver=$(ctnr_newest_kver)
if [ -z "$kver" ]; then
	# the metapackages are there but their headers are not: install the
	# headers matching the newest image explicitly
	img=$(ls -1 /boot | sed -n 's/^vmlinuz-\(.*-amd64\)$/\1/p' | sort -V | tail -n1)
	[ -n "$img" ] || ctnr_die "no /boot/vmlinuz-*-amd64 after installing linux-image-amd64"
	apt_install "linux-headers-$img"
	kver=$(ctnr_newest_kver)
	[ -n "$kver" ] || ctnr_die "no kernel headers for $img"
fi

install_vng_pip() {
	local py=python3 out
	command -v "$py" >/dev/null || apt_install python3
	if ! "$py" -m pip --version >/dev/null 2>&1; then
		apt_install python3-pip
		# a pyenv python may shadow the system one and still lack pip
		"$py" -m pip --version >/dev/null 2>&1 || py=/usr/bin/python3
	fi
	log "$py -m pip install virtme-ng==$CTNR_VNG_VERSION"
	if out=$("$py" -m pip install -q "virtme-ng==$CTNR_VNG_VERSION" 2>&1); then
		return 0
	fi
	echo "$out" | tail -n 5
	if echo "$out" | grep -q externally-managed; then
		log "retrying with --break-system-packages"
		"$py" -m pip install -q --break-system-packages \
			"virtme-ng==$CTNR_VNG_VERSION" && return 0
	fi
	return 1
}

# Last resort: Debian sid's virtme-ng package, fetched with a private apt
# configuration (own sources list, lists and cache under $CTNR_VNG_CACHE)
# and unpacked there; never installed with dpkg, sid never added to the
# system's sources.
install_vng_sid_deb() {
	local d=$CTNR_VNG_CACHE apt deb pydir
	log "fetching virtme-ng from Debian sid into $d"
	rm -rf "$d"
	mkdir -p "$d/apt/lists/partial" "$d/apt/cache/archives/partial" \
		"$d/apt/sources.list.d" "$d/root" "$d/bin"
	echo "deb http://deb.debian.org/debian sid main" >"$d/apt/sources.list"
	apt=(apt-get -q
		-o Dir::Etc::SourceList="$d/apt/sources.list"
		-o Dir::Etc::SourceParts="$d/apt/sources.list.d"
		-o Dir::State::Lists="$d/apt/lists"
		-o Dir::Cache="$d/apt/cache"
		-o Debug::NoLocking=1
		-o APT::Sandbox::User=root)
	"${apt[@]}" update
	(cd "$d/apt" && "${apt[@]}" download virtme-ng)
	deb=$(ls -1 "$d"/apt/virtme-ng_*.deb | tail -n1)
	dpkg-deb -x "$deb" "$d/root"
	# its Python dependencies, from the system's own (bookworm) sources
	for p in python3-argcomplete python3-requests; do
		installed "$p" || apt_install "$p"
	done
	pydir="$d/root/usr/lib/python3/dist-packages"
	cat >"$d/bin/vng" <<EOF
#!/bin/sh
PYTHONPATH="$pydir\${PYTHONPATH:+:\$PYTHONPATH}" exec /usr/bin/python3 "$d/root/usr/bin/vng" "\$@"
EOF
	chmod +x "$d/bin/vng"
}

if [ -z "$vng" ]; then
	if ! install_vng_pip; then
		log "pip could not install virtme-ng; using Debian sid's package"
		install_vng_sid_deb
	fi
	if command -v pyenv >/dev/null 2>&1; then
		pyenv rehash || true
	fi
	hash -r
	vng=$(ctnr_find_vng || true)
	[ -n "$vng" ] || ctnr_die "virtme-ng installed, but no vng found"
fi

"$here/ynl.sh" fetch >/dev/null

have=$("$vng" --version 2>/dev/null | awk '{print $NF}')
if [ "$have" != "$CTNR_VNG_VERSION" ]; then
	log "note: $vng is virtme-ng $have (tested with $CTNR_VNG_VERSION)"
fi
log "ok: guest kernel $kver, vng $vng"
