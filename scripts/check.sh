#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Everything `make check` runs: checkpatch --strict on the driver, the
# scripts and selftests through shellcheck, the man page and rst checks,
# the selftests' config fragment (scripts/test-config.sh),
# for each kernel of the matrix (fetched first when it is not here:
# scripts/kernels.sh) a W=1 build with warnings as errors, a sparse pass,
# the selftests in a VM (run by kselftest's run_kselftest.sh, or in the
# kernel tree by its make run_tests: scripts/ksft.sh) and the
# instruction-count gate (netloop's cost per packet against lo's, in a VM
# under QEMU's -icount: scripts/bench-guest.sh gate), then the
# make install, DKMS and Debian package tests (which install and remove
# netloop on this host, as root).  Prints a line per kernel with its
# counts and ends with "N passed, N failed"; exits non-zero if anything
# failed.
#
# RUNNER=vng runs the selftests through virtme-ng (scripts/vng.sh) instead
# of vm.sh; the gate stays with vm.sh.
#
# Usage: [RUNNER=vm|vng] scripts/check.sh [SERIES...]	(default: the matrix, MATRIX in the Makefile)
#        [RUNNER=vm|vng] scripts/check.sh --newest	the archive's newest series and its -rt
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$top/scripts/lib.sh"
cd "$top"
runner=${RUNNER:-vm}
[[ $runner == vm || $runner == vng ]] || die "RUNNER wants vm or vng, not '$runner'"

if [[ ${1-} == --newest ]]; then
	read -ra series <<<"$(scripts/kernels.sh --newest)"
else
	series=("${@:-${matrix[@]}}")
fi
logs=$top/build/check
mkdir -p "$logs"
passed=0 failed=0 skipped=0 n=0

# sparse KVER: build with sparse on every file; fail on any report, and
# where kbuild turned sparse off ("C=2 specified, but sparse is not
# available or not up to date").
sparse()
{
	local out

	out=$(scripts/build.sh "$1" C=2 2>&1) || { echo "$out"; return 1; }
	echo "$out"
	! grep -qE 'warning:|error:|specified, but' <<<"$out"
}

# kernel_checks KVER: the W=1 build, sparse and the selftests on KVER, with
# counts of their own, ending with a line of those counts.
kernel_checks() {
	local kver=$1 passed=0 failed=0 skipped=0 n=0 start=$SECONDS
	local vmlog=$logs/selftests-$kver.log

	step "build $kver W=1" "$logs/build-$kver.log" scripts/build.sh "$kver"
	step "sparse $kver" "$logs/sparse-$kver.log" sparse "$kver"
	local files=(-f "$ksft:$guest_ksft") run=("$guest_ksft/run_kselftest.sh") f

	if [[ $kver == "$tree_series".* ]]; then
		files=()
		for f in "${tree_files[@]}"; do
			files+=(-f "$tree/$f:$guest_tree/$f")
		done
		run=(make -C "$guest_tree/tools/testing/selftests" TARGETS=drivers/net/netloop run_tests)
	fi
	if ! "scripts/$runner.sh" -k "$kver" -t 2700 -l "$logs/$runner-$kver.log" \
		"${files[@]}" -f "$(plugin_files)" -- "${run[@]}" >"$vmlog" 2>&1; then
		result 0 "VM run on $kver (see $logs/$runner-$kver.log)"
	fi
	cat "$vmlog"
	count_ktap "$vmlog" "$kver" "${programs[@]}"
	step "instruction-count gate on $kver" "$logs/gate-$kver.log" \
		gate_vm "$kver" "$ksft" "$logs/vm-gate-$kver.log"
	sed -n 's/^\(not \)\{0,1\}ok [0-9]* - /# gate: /p' "$logs/gate-$kver.log"
	echo "# $kver: $passed passed, $failed failed, $skipped skipped, $((SECONDS - start)) s"
}

start=$SECONDS
kvers=$(scripts/kernels.sh --update "${series[@]}")
echo "# kernels: $(paste -sd ' ' <<<"$kvers") ($((SECONDS - start)) s to fetch)"
tree=$("$top/scripts/linux-source.sh")
checkpatch=$tree/scripts/checkpatch.pl
step "checkpatch --strict" "$logs/checkpatch.log" \
	"$checkpatch" --strict --no-tree --quiet --show-types -f \
	drivers/net/netloop/*.[ch] drivers/net/netloop/probe/*.c \
	include/uapi/linux/netloop.h
# Userspace: glibc's Dl_info is not ours to rename.
step "checkpatch --strict on the ip plugin" "$logs/checkpatch-plugin.log" \
	"$checkpatch" --strict --no-tree --quiet --show-types --ignore CAMELCASE \
	-f iproute2/link_netloop.c
# .shellcheckrc: sourced files are found next to the script and followed.
step "shellcheck" "$logs/shellcheck.log" shellcheck .ci/run scripts/*.sh selftests/*.sh
step "man page and rst" "$logs/docs.log" scripts/test-docs.sh
step "selftests config fragment on defconfig" "$logs/config.log" scripts/test-config.sh
step "iproute2 plugin builds" "$logs/plugin.log" make -C iproute2 O="$top/build"
step "iproute2 plugin with bookworm's ip" "$logs/plugin-bookworm.log" scripts/test-plugin.sh
step "iproute2 plugin with trixie's ip" "$logs/plugin-trixie.log" \
	scripts/test-plugin.sh "$(build_root)"
ksft=$("$top/scripts/ksft.sh")
# The kernel of the linux-source tree's series (6.12) runs the selftests
# in the tree, where ksft.sh built them, with its `make run_tests`, as the
# netdev CI does; the others run the installed run_kselftest.sh.  vm.sh
# copies the installed tree, or the tree's parts run_tests reads, into its
# initramfs; vng's guest sees them where they are.
tree_series=$(make -s -C "$tree" kernelversion | cut -d. -f1,2)
tree_files=(scripts/subarch.include)
for f in Makefile lib.mk kselftest kselftest.h kselftest_harness.h net/lib.sh drivers/net/netloop; do
	tree_files+=("tools/testing/selftests/$f")
done
guest_ksft=/kselftest guest_tree=/linux
[[ $runner == vm ]] || guest_ksft=$ksft guest_tree=$tree
mapfile -t programs < <(ksft_programs "$ksft")

# A VM runs on one host CPU: run the kernels' checks NETLOOP_JOBS at a
# time (default: one per CPU), the newest (the slowest to boot and to run)
# first, and the host's install tests on the CPU the last kernel leaves
# free; then show each kernel's in matrix order.
maxjobs=${NETLOOP_JOBS:-$(nproc)}
free_slot() {
	while (($(jobs -rp | wc -l) >= maxjobs)); do
		wait -n || true
	done
}
for kver in $(tac <<<"$kvers"); do
	free_slot
	echo "# checks on $kver started"
	kernel_checks "$kver" >"$logs/kernel-$kver.out" 2>&1 &
done
free_slot
step "make install and removal on every kernel" "$logs/install.log" \
	scripts/test-install.sh
step "DKMS add, build, install, remove on every kernel" "$logs/dkms.log" \
	scripts/test-dkms.sh
step "netloop-dkms .deb: build, install, boot, purge" "$logs/deb.log" \
	scripts/test-deb.sh
wait
summary=()
for kver in $kvers; do
	out=$logs/kernel-$kver.out
	echo "# checks on $kver"
	cat "$out"
	read -r p f k <<<"$(tail -n 1 "$out" |
		sed -n 's/^# [^ ]*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped, .*/\1 \2 \3/p')"
	if [[ -z $p ]]; then
		result 0 "checks on $kver did not finish (see $out)"
		continue
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + k))
	summary+=("$(tail -n 1 "$out")")
done

printf '%s\n' "${summary[@]}"
echo "# make check took $((SECONDS - start)) s"
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0 && passed > 0))
