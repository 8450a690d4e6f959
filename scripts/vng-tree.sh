#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The selftests the way the netdev CI runs them: in a kernel tree (Debian's
# linux-source, extracted whole into build/linux-tree), as
# tools/testing/selftests/drivers/net/netloop with <linux/netloop.h> in
# include/uapi and the headers installed (make headers), built by the
# kernel's selftests Makefile on the host, then run by it (run_tests) in a
# virtme-ng guest of KERNEL (scripts/vng.sh: netloop.ko built for it, the
# ip plugin).  Counts the cases as make check does, plans enforced; ends
# with "N passed, N failed, N skipped".
#
# Usage: scripts/vng-tree.sh [SERIES|KVER]	(default: 6.12)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$top/scripts/lib.sh"

kernel=${1:-6.12}
tree=$("$top/scripts/linux-source.sh" --all)
dst=$tree/tools/testing/selftests/drivers/net/netloop
rm -rf "$dst"
cp -r "$top/selftests" "$dst"
cp "$top/include/uapi/linux/netloop.h" "$tree/include/uapi/linux/"
make -s -C "$tree" headers
make -s -C "$top/iproute2" O="$top/build"
selftests=(make -C "$tree/tools/testing/selftests" TARGETS=drivers/net/netloop)
"${selftests[@]}" >&2

log=$top/build/vng-tree.log
passed=0 failed=0 skipped=0 n=0
"$top/scripts/vng.sh" -k "$kernel" -t 2700 -f "$(plugin_files)" -- \
	"${selftests[@]}" run_tests | tee "$log" || result 0 "the guest's run_tests"
mapfile -t programs < <(ksft_programs "$("$top/scripts/ksft.sh")")
count_ktap "$log" "$kernel" "${programs[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0 && passed > 0))
