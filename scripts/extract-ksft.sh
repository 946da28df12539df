#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# extract-ksft.sh TARBALL OUTDIR
#
# Take the few third-party files the build needs out of Debian's
# linux-source tarball, in one pass over the (slow to decompress) archive:
#   OUTDIR/ksft/kselftest_harness.h, OUTDIR/ksft/kselftest.h
#   OUTDIR/scripts/checkpatch.pl, spelling.txt, const_structs.checkpatch
# and touch OUTDIR/.ksft-extracted.  Nothing else is unpacked.

set -euo pipefail

tarball=${1:?usage: $0 TARBALL OUTDIR}
out=${2:?usage: $0 TARBALL OUTDIR}

if [ ! -r "$tarball" ]; then
	echo "${0##*/}: $tarball not found; run 'make deps' (package linux-source-6.1)" >&2
	exit 1
fi

mkdir -p "$out"
tmp=$(mktemp -d "$out/.extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "  EXTRACT $tarball (kselftest headers, checkpatch)"
# The tarball's top directory is linux-source-<ver>/: strip it.
# --touch: the files get the extraction time, so what depends on them is
# rebuilt when a newer linux-source is installed.
tar -xJf "$tarball" -C "$tmp" --strip-components=1 --touch --wildcards \
	'*/tools/testing/selftests/kselftest_harness.h' \
	'*/tools/testing/selftests/kselftest.h' \
	'*/scripts/checkpatch.pl' \
	'*/scripts/spelling.txt' \
	'*/scripts/const_structs.checkpatch'

mkdir -p "$out/ksft" "$out/scripts"
for f in kselftest_harness.h kselftest.h; do
	mv -f "$tmp/tools/testing/selftests/$f" "$out/ksft/$f"
done
for f in checkpatch.pl spelling.txt const_structs.checkpatch; do
	mv -f "$tmp/scripts/$f" "$out/scripts/$f"
done
chmod +x "$out/scripts/checkpatch.pl"
touch "$out/.ksft-extracted"
