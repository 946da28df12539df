#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ynl-test.sh -- proves that `make regen-check` fails when it must (make
# regen-test; host only, no VM).  Each case works on a scratch copy of the
# spec and of the generated files:
#
#   unchanged               the copy passes (the check is not always false)
#   a value of the spec     CTNR_LOG_SIZE_MAX changed in the spec only:
#                           uapi/linux/ctnr.h is named, and nothing else
#   a check of the spec     the name's max-len changed in the spec only:
#                           kmod/genl-gen.c is named, and nothing else
#   a generated file        a line added between the YNL-GEN markers of the
#                           header by hand: the header is named
#   not the schema          a property genetlink-c.yaml does not have: the
#                           spec is refused before anything is generated
#
# Prints one "ok"/"not ok" line per case and fails if any case did.

set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
SPEC=Documentation/netlink/specs/ctnr.yaml
FILES=(uapi/linux/ctnr.h kmod/genl-gen.h kmod/genl-gen.c)

t=$(mktemp -d "${TMPDIR:-/tmp}/ctnr-ynl-test.XXXXXX")
trap 'rm -rf "$t"' EXIT
failed=0
n=0

# A fresh scratch tree with the committed spec and generated files.
scratch() {
	local f

	rm -rf "$t/tree"
	for f in "$SPEC" "${FILES[@]}"; do
		mkdir -p "$t/tree/$(dirname "$f")"
		cp "$REPO/$f" "$t/tree/$f"
	done
}

# Replace the one line matching $2 in scratch file $1 by $3.
edit() {
	local f=$t/tree/$1

	[ "$(grep -cxF -- "$2" "$f")" = 1 ] || {
		echo "ynl-test: '$2' is not one line of $1" >&2
		exit 1
	}
	awk -v old="$2" -v new="$3" '$0 == old { print new; next } { print }' \
		"$f" >"$f.new"
	mv "$f.new" "$f"
}

result() {
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2: $3"
		sed 's/^/#   /' "$t/err"
		failed=1
	fi
}

# check NAME EXPECT [FILE...]: run the check on the scratch tree; EXPECT is
# pass or fail, and a failure must name exactly FILE... (one line each).
check() {
	local name=$1 expect=$2 rc=0 f named
	shift 2

	"$REPO/scripts/ynl.sh" check "$t/tree" >/dev/null 2>"$t/err" || rc=$?
	if [ "$expect" = pass ]; then
		if [ $rc -eq 0 ]; then
			result ok "$name"
		else
			result fail "$name" "regen-check failed (rc $rc)"
		fi
		return
	fi
	if [ $rc -eq 0 ]; then
		result fail "$name" "regen-check passed"
		return
	fi
	for f in "$@"; do
		if ! grep -q "^regen-check: $f is not what $SPEC gives" "$t/err"; then
			result fail "$name" "$f not named"
			return
		fi
	done
	named=$(grep -c '^regen-check: ' "$t/err" || true)
	if [ "$named" -ne $# ]; then
		result fail "$name" "$named files named, expected $#"
		return
	fi
	result ok "$name"
}

scratch
check "unchanged spec and output pass" pass

scratch
edit "$SPEC" "    value: 16777216" "    value: 16777215"
check "a value changed in the spec alone fails" fail uapi/linux/ctnr.h

scratch
edit "$SPEC" "          max-len: 63" "          max-len: 62"
check "a check changed in the spec alone fails" fail kmod/genl-gen.c

scratch
edit uapi/linux/ctnr.h "#define CTNR_DEV_RULES_MAX	4096" \
	"#define CTNR_DEV_RULES_MAX	8192"
check "a generated line edited by hand fails" fail uapi/linux/ctnr.h

scratch
edit "$SPEC" "max-by-define: true" "max-by-define: true
no-such-property: true"
rc=0
"$REPO/scripts/ynl.sh" check "$t/tree" >/dev/null 2>"$t/err" || rc=$?
if [ $rc -ne 0 ] && grep -q "is not valid genetlink-c" "$t/err"; then
	result ok "a spec the schema refuses fails"
else
	result fail "a spec the schema refuses fails" "rc $rc, no schema message"
fi

[ $failed -eq 0 ] || { echo "regen-test: failed"; exit 1; }
echo "regen-test: $n passed"
