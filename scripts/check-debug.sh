#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What `make check-debug` runs: the sanitizer kernel (scripts/debug-kernel.sh:
# KASAN, lockdep, kmemleak, UBSAN, DEBUG_NET and the netdev and netns
# reference trackers; built once, then cached), netloop built against it
# with W=1, and in one boot of it every selftest through kselftest's
# run_kselftest.sh, the short stress suite among them, followed by a
# kmemleak scan (scripts/kmemleak.sh).  Any sanitizer report fails the run:
# KASAN and UBSAN panic under panic_on_warn, and scripts/vm.sh fails on
# what the others print.  Ends with "N passed, N failed"; exits non-zero
# if anything failed.
#
# Usage: scripts/check-debug.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$top/scripts/lib.sh"
cd "$top"

(($# == 0)) || die "usage: check-debug.sh"
logs=$top/build/check-debug
mkdir -p "$logs"
passed=0 failed=0 skipped=0 n=0
start=$SECONDS

kdir=$(scripts/debug-kernel.sh)
kver=$(scripts/kver.sh "$kdir")
built=$SECONDS
echo "# sanitizer kernel $kver in $kdir ($((built - start)) s to build or find)"
step "build $kver W=1" "$logs/build.log" scripts/build.sh "$kdir"
step "iproute2 plugin builds" "$logs/plugin.log" make -C iproute2 O="$top/build"
ksft=$(scripts/ksft.sh "$top/build/kselftest-debug")
mapfile -t programs < <(ksft_programs "$ksft")

# Limits for a hang, not for the expected run: under TCG this kernel runs
# the selftests three to four times slower than Debian's, 1 to 4 minutes
# each and 15 in all, where settings allows each 10.
out=$logs/selftests.log
vmrc=0
scripts/vm.sh -k "$kdir" -t 7200 -l "$logs/vm.log" \
	-f "$ksft:/kselftest" -f "$(plugin_files)" -- \
	scripts/kmemleak.sh env NETLOOP_STRESS=short \
	/kselftest/run_kselftest.sh -o 1800 | tee "$out" || vmrc=$?
count_ktap "$out" "$kver" "${programs[@]}"
# scripts/kmemleak.sh's last line; none if the guest died before it.  (Its
# words are not "unreferenced object", which vm.sh takes for a report.)
leaks=$(sed -n 's/^kmemleak: \([0-9]*\) objects reported$/\1/p' "$out")
if [[ -n $leaks ]]; then
	result "$((leaks == 0))" "kmemleak scan after the tests: $leaks objects reported"
else
	result 0 "kmemleak scan after the tests: not reached"
fi
result "$((vmrc == 0))" "VM run: no sanitizer report, clean exit (see $logs/vm.log)"

echo "# make check-debug took $((SECONDS - start)) s: kernel $((built - start)) s, tests $((SECONDS - built)) s"
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0 && passed > 0))
