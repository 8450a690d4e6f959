#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build and install the selftests the way a kernel tree does: selftests/
# goes into Debian's linux-source tree (scripts/linux-source.sh) as
# tools/testing/selftests/drivers/net/netloop, <linux/netloop.h> into its
# include/uapi, the tree installs its headers (make headers), and its
# selftests Makefile builds the programs in place and installs them with
# kselftest's run_kselftest.sh and kselftest-list.txt into DIR (default
# build/kselftest).  Prints DIR; in a VM: DIR/run_kselftest.sh.  The
# tree's copy stays built, for `make run_tests` (scripts/check.sh).
#   scripts/ksft.sh [DIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$top/scripts/lib.sh"

tree=$("$top/scripts/linux-source.sh")
out=$(realpath -m "${1:-$top/build/kselftest}")
collection=drivers/net/netloop

lock linux-source
rm -rf "${tree:?}/tools/testing/selftests/$collection" "$out"
cp -r "$top/selftests" "$tree/tools/testing/selftests/$collection"
cp "$top/include/uapi/linux/netloop.h" "$tree/include/uapi/linux/"
make -s -C "$tree" headers >&2
make -s -C "$tree/tools/testing/selftests" TARGETS="$collection" \
	KSFT_INSTALL_PATH="$out" install >&2
[[ -s $out/kselftest-list.txt ]] ||
	die "the tree's selftests Makefile listed no selftests in $out/kselftest-list.txt"
echo "$out"
