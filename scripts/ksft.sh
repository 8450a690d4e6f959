#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build and install the selftests the kselftest way (lib.mk's install and
# emit_tests, kselftest's run_kselftest.sh and runner.sh) in DIR (default
# build/kselftest), and print DIR.  In the VM: DIR/run_kselftest.sh.
#   scripts/ksft.sh [DIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

ksft=$(realpath "$("$top/scripts/linux-source.sh")/tools/testing/selftests")
out=$(realpath -m "${1:-$top/build/kselftest}")
collection=drivers/net/netloop
# SRC_PATH and OBJ_PATH as the kernel's selftests Makefile passes them: lib.mk
# installs TEST_INCLUDES (net/lib.sh) at their place under OBJ_PATH.
mk=(make -s -C "$top/selftests" KSFT_DIR="$ksft" OUTPUT="$out.obj" SRC_PATH="$ksft" OBJ_PATH="$out")

rm -rf "$out"
mkdir -p "$out.obj"
"${mk[@]}" INSTALL_PATH="$out/$collection" install >&2
"${mk[@]}" COLLECTION="$collection" emit_tests >"$out/kselftest-list.txt"
if [[ ! -s $out/kselftest-list.txt ]]; then
	echo "ksft.sh: lib.mk listed no selftests in $out/kselftest-list.txt" >&2
	exit 1
fi
cp -r "$ksft/kselftest" "$ksft/run_kselftest.sh" "$out/"
echo "$out"
