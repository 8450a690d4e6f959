#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Everything `make check` runs: checkpatch --strict on the driver, the man
# page and rst checks, for each supported kernel a W=1 build with warnings
# as errors, a sparse pass and the selftests in a VM run by kselftest's
# run_kselftest.sh, then the make install, DKMS and Debian package tests
# (which install and remove netloop on this host, as root).  Ends with
# "N passed, N failed"; exits non-zero if anything failed.
#
# Usage: scripts/check.sh [SERIES...]	(default: 6.1 6.12)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$top/scripts/lib.sh"
cd "$top"

series=("${@:-6.1}")
(($#)) || series+=(6.12)
logs=$top/build/check
mkdir -p "$logs"
passed=0 failed=0 skipped=0 n=0

# sparse KVER: build with sparse on every file; fail on any report.
sparse()
{
	local out

	out=$(scripts/build.sh "$1" C=2 2>&1) || { echo "$out"; return 1; }
	echo "$out"
	! grep -qE 'warning:|error:' <<<"$out"
}

start=$SECONDS
checkpatch=$("$top/scripts/linux-source.sh")/scripts/checkpatch.pl
step "checkpatch --strict" "$logs/checkpatch.log" \
	"$checkpatch" --strict --no-tree --quiet --show-types -f \
	drivers/net/netloop/*.[ch] drivers/net/netloop/probe/*.c \
	include/uapi/linux/netloop.h
step "man page and rst" "$logs/docs.log" scripts/test-docs.sh
step "iproute2 plugin builds" "$logs/plugin.log" make -C iproute2 O="$top/build"
ksft=$("$top/scripts/ksft.sh")

for s in "${series[@]}"; do
	kver=$("$top/scripts/kver.sh" "$s")
	step "build $kver W=1" "$logs/build-$kver.log" scripts/build.sh "$kver"
	step "sparse $kver" "$logs/sparse-$kver.log" sparse "$kver"
	echo "# selftests on $kver"
	vmlog=$logs/selftests-$kver.log
	if scripts/vm.sh -k "$kver" -t 2700 -l "$logs/vm-$kver.log" \
		-f "$ksft:/kselftest" -f "$(plugin_files)" \
		-- /kselftest/run_kselftest.sh | tee "$vmlog"; then
		count_ktap "$vmlog" "$kver"
	else
		count_ktap "$vmlog" "$kver"
		result 0 "VM run on $kver (see $logs/vm-$kver.log)"
	fi
done

step "make install and removal on every kernel" "$logs/install.log" \
	scripts/test-install.sh
step "DKMS add, build, install, remove on every kernel" "$logs/dkms.log" \
	scripts/test-dkms.sh
step "netloop-dkms .deb: build, install, boot, purge" "$logs/deb.log" \
	scripts/test-deb.sh

echo "# make check took $((SECONDS - start)) s"
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0 && passed > 0))
