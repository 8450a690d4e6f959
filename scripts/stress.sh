#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What `make stress` runs: the full stress suite (selftests/netloop_stress.sh
# with NETLOOP_STRESS=full: the issue's cycle, namespace, device and fuzzer
# counts) in a VM on each kernel, through kselftest's runner.  Ends with
# "N passed, N failed"; exits non-zero if a case failed or a VM run did.
#
# Usage: scripts/stress.sh [SERIES...]	(default: the matrix, MATRIX in the Makefile)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$top/scripts/lib.sh"
cd "$top"

series=("${@:-${matrix[@]}}")
logs=$top/build/stress
mkdir -p "$logs"
passed=0 failed=0 skipped=0 n=0
start=$SECONDS

ksft=$("$top/scripts/ksft.sh" "$top/build/kselftest-stress")
for kver in $("$top/scripts/kernels.sh" "${series[@]}"); do
	echo "# stress on $kver"
	out=$logs/stress-$kver.log
	rc=0
	scripts/vm.sh -k "$kver" -t 7200 -l "$logs/vm-$kver.log" -f "$ksft:/kselftest" -- \
		NETLOOP_STRESS=full /kselftest/run_kselftest.sh -o 7000 \
		-t drivers/net/netloop:netloop_stress.sh | tee "$out" || rc=$?
	count_ktap "$out" "$kver" netloop_stress.sh
	if ((rc)); then
		echo "# stress on $kver: the VM run failed (see $logs/vm-$kver.log)"
		failed=$((failed + 1))
	fi
done
echo "# make stress took $((SECONDS - start)) s"
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0 && passed > 0))
