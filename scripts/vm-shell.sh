#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The login shell of `make shell` (scripts/vm.sh shell) inside the VM: load
# the module, put ctnrctl on PATH and libctnr on LD_LIBRARY_PATH, then hand
# over to an interactive bash.  The module stays loaded; rmmod it yourself
# to test unloading.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
export PATH="$REPO/ctl:$PATH"
export LD_LIBRARY_PATH="$REPO/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export SHELL=/bin/bash
cd "$REPO" || true

# scripts/vm.sh names the module built for this kernel in build/vm-shell.ko
ko=$REPO/kmod/ctnr.ko
[ -s "$REPO/build/vm-shell.ko" ] && ko=$(cat "$REPO/build/vm-shell.ko")
if ! grep -qw '^ctnr' /proc/modules; then
	insmod "$ko" && echo "ctnr: module loaded from ${ko#"$REPO"/}"
fi
echo "ctnr: ctnrctl is on PATH; try 'ctnrctl version'.  Exit the shell to stop the VM."
[ $# -gt 0 ] && exec /bin/bash "$@"

# ~/.bashrc may put other directories in front of PATH: put ctl/ first
# again after it has run.
rc=$(mktemp /tmp/ctnr-shellrc.XXXXXX)
{
	echo '[ -f ~/.bashrc ] && . ~/.bashrc'
	printf 'export PATH=%q:"$PATH"\n' "$REPO/ctl"
	printf 'rm -f %q\n' "$rc"
} >"$rc"
exec /bin/bash --rcfile "$rc" -i
