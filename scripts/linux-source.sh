#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Extract Debian's linux-source tree (the newest /usr/src/linux-source-*.tar.xz:
# checkpatch, the kselftest framework, the tree the selftests are built in
# by scripts/ksft.sh) into build/linux-source, once per tarball, and print
# that directory.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$top/scripts/lib.sh"

tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' | sort -V | tail -n 1)
[[ -n $tarball ]] || die "no /usr/src/linux-source-*.tar.xz: run scripts/deps.sh"

dir=$top/build/linux-source
if [[ $(cat "$dir/.tarball" 2>/dev/null) != "$tarball" ]]; then
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -xJf "$tarball" -C "$dir" --strip-components=1
	echo "$tarball" >"$dir/.tarball"
fi
echo "$dir"
