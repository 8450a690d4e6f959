#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Check the documentation: the man page renders without a groff or man
# warning, netloop.rst has no reStructuredText warning or error, and its
# supported-kernels table is the matrix's.
#
# Usage: scripts/test-docs.sh

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$top/scripts/lib.sh"

"$top/scripts/deps.sh" man-db groff-base python3-docutils

# man exits 0 after warnings: they are on stderr.
warnings=$(man --warnings -l "$top/Documentation/netloop.4" 2>&1 >/dev/null)
[[ -z $warnings ]] || die "Documentation/netloop.4: $(head -n 1 <<<"$warnings")"
echo "test-docs: Documentation/netloop.4 renders without warnings"

# Debian's rst2html, not whatever python3 is first in PATH.
out=$(/usr/bin/rst2html --halt=warning "$top/Documentation/networking/netloop.rst" 2>&1 >/dev/null) ||
	die "$(head -n 1 <<<"$out")"
echo "test-docs: Documentation/networking/netloop.rst passes docutils"

"$top/scripts/kernel-table.sh" --check
