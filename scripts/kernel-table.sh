#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The supported-kernels table of Documentation/networking/netloop.rst, made
# from the matrix (MATRIX in the Makefile), so that the two cannot drift:
# with no argument, write it between the rst's "kernel-table" comments;
# with --check, fail if what is there differs (make check runs that).
# A series counts as bookworm's when the host has it (scripts/deps.sh
# installs those): run it after scripts/deps.sh.
#
# Usage: scripts/kernel-table.sh [--check]

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$top/scripts/lib.sh"

rst=$top/Documentation/networking/netloop.rst
rule='======  ==========  ===============================  ==================================================='

table() {
	local s flavour from runs

	echo
	echo "$rule"
	printf '%-6s  %-10s  %-31s  %s\n' Series Flavour "Packages and compiler" "What \`\`make check\`\` runs on it"
	echo "$rule"
	for s in "${matrix[@]}"; do
		flavour=generic
		[[ $s != *-rt ]] || flavour=PREEMPT_RT
		if "$top/scripts/kver.sh" --host "$s" >/dev/null 2>&1; then
			from="bookworm's, the host's gcc"
			runs="W=1 build, sparse, selftests, install, DKMS, .deb"
		else
			from="trixie-backports or sid, gcc-14"
			runs="W=1 build, sparse, selftests, install, DKMS"
		fi
		printf '%-6s  %-10s  %-31s  %s\n' "${s%-rt}" "$flavour" "$from" "$runs"
	done
	echo "$rule"
	echo
}

# The rst with the lines between the markers replaced by the table.
new=$(awk -v table="$(table)" '
	/^\.\. kernel-table end/ { print table; print ""; skip = 0 }
	!skip { print }
	/^\.\. kernel-table begin/ { skip = 1 }' "$rst")
grep -q '^\.\. kernel-table end' "$rst" || die "$rst has no kernel-table markers"

if [[ ${1-} == --check ]]; then
	diff -u "$rst" - <<<"$new" >&2 ||
		die "the supported-kernels table in $rst is not the matrix's: run scripts/kernel-table.sh"
	echo "kernel-table: $rst lists the matrix: ${matrix[*]}"
else
	cat <<<"$new" >"$rst"
fi
