#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Extract what the harness takes from Debian's linux-source package (kselftest's
# runner, lib.mk and ktap_helpers.sh, net/lib.sh, checkpatch) into
# build/linux-source, once per tarball, and print that directory.
# --all: the whole tree, into build/linux-tree (scripts/vng-tree.sh).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$top/scripts/lib.sh"

tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' | sort -V | tail -n 1)
[[ -n $tarball ]] || die "no /usr/src/linux-source-*.tar.xz: run scripts/deps.sh"

members=('*/tools/testing/selftests/lib.mk'
	 '*/tools/testing/selftests/kselftest*'
	 '*/tools/testing/selftests/run_kselftest.sh'
	 '*/tools/testing/selftests/net/lib.sh'
	 '*/scripts/checkpatch.pl' '*/scripts/spelling.txt'
	 '*/scripts/const_structs.checkpatch')
dir=$top/build/linux-source
if [[ ${1-} == --all ]]; then
	members=() dir=$top/build/linux-tree
fi
# Extracted again when the tarball or the list changes.
stamp="$tarball ${members[*]}"
if [[ $(cat "$dir/.tarball" 2>/dev/null) != "$stamp" ]]; then
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -xJf "$tarball" -C "$dir" --strip-components=1 --wildcards "${members[@]}"
	echo "$stamp" >"$dir/.tarball"
fi
echo "$dir"
