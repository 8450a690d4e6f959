#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build netloop.ko for one kernel that is here (the host's, or one
# scripts/kernels.sh fetched: built in the build root, with its compiler),
# or a kernel directory such as scripts/debug-kernel.sh makes, in
# build/<kver>/, with W=1 and warnings as errors, and print the module's
# path.  Extra arguments go to kbuild (e.g. C=2 for sparse).
#   scripts/build.sh [SERIES|KVER|DIR] [KBUILD_ARGS...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$top/scripts/lib.sh"
kernel_spec "${1:-6.12}"
shift || true
out=$top/build/$kver/src

# A copy per kernel, so that builds for two kernels do not share objects.
mkdir -p "$out"
cp -r --preserve=timestamps -u "$top/Kbuild" "$top/drivers" "$top/include" "$out/"
run=() kdir=$kroot/lib/modules/$kver/build
if [[ $kroot == "$(build_root)" ]]; then
	run=(in_root "$kroot") kdir=/lib/modules/$kver/build
fi
"${run[@]}" make -s -C "$kdir" M="$out" CONFIG_NETLOOP=m W=1 KCFLAGS=-Werror "$@" >&2
echo "$out/drivers/net/netloop/netloop.ko"
