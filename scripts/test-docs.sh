#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Check the documentation: every rst under Documentation/ has no
# reStructuredText warning or error; the man page, Documentation/netloop.4,
# is what `make man` makes of its rst (Documentation/netloop.4.rst, which
# includes networking/netloop.rst), renders without a groff or man warning
# and has a NAME line that whatis can read; and the supported-kernels table
# of networking/netloop.rst is the matrix's.
#
# Usage: scripts/test-docs.sh

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$top/scripts/lib.sh"

"$top/scripts/deps.sh" man-db groff-base python3-docutils
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Debian's rst2html, not whatever python3 is first in PATH.
mapfile -t rsts < <(cd "$top" && find Documentation -name '*.rst' | sort)
((${#rsts[@]})) || die "no rst under Documentation/"
for rst in "${rsts[@]}"; do
	out=$(/usr/bin/rst2html --halt=warning "$top/$rst" 2>&1 >/dev/null) ||
		die "$rst: $(head -n 1 <<<"$out")"
done
echo "test-docs: ${rsts[*]} pass docutils"

"$top/scripts/kernel-table.sh" --check

out=$(make -s -C "$top" man MAN_OUT="$tmp/netloop.4" 2>&1) ||
	die "make man: $(head -n 1 <<<"$out")"
diff -u "$top/Documentation/netloop.4" "$tmp/netloop.4" >&2 ||
	die "Documentation/netloop.4 is not what Documentation/netloop.4.rst and networking/netloop.rst make: run make man"
echo "test-docs: Documentation/netloop.4 is made from its rst (make man)"

# man exits 0 after warnings: they are on stderr.
warnings=$(man --warnings -l "$top/Documentation/netloop.4" 2>&1 >/dev/null)
[[ -z $warnings ]] || die "Documentation/netloop.4: $(head -n 1 <<<"$warnings")"
whatis=$(lexgrog "$top/Documentation/netloop.4") ||
	die "Documentation/netloop.4: lexgrog finds no NAME line"
[[ $whatis == *'"netloop - '* ]] || die "Documentation/netloop.4: NAME is $whatis"
echo "test-docs: Documentation/netloop.4 renders without warnings"
