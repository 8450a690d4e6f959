#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What `make mutants` runs: break the driver on purpose, one way at a time,
# and check that the selftests notice.  Each mutant is a copy of the driver
# with one fault put in by literal substitution; it is built with W=1 and
# warnings as errors, and the whole selftest suite runs against it in a VM.
# A mutant passes ("caught") when a case fails or the guest's kernel
# complains; one that survives the suite is a hole in the tests.
#
# Usage: scripts/mutants.sh [SERIES] [MUTANT...]	(default: 6.12, all)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$top/scripts/lib.sh"
cd "$top"

# NAME@FROM@TO[@FROM@TO]: the fault and where it goes in netloop.c.
mutants=(
	"keep-dst@skb_scrub_packet(skb, false);@skb_dst_force(skb);@netloop_set_lltx(dev);@netloop_set_lltx(dev); netif_keep_dst(dev);"
	"loopback-drops-dst@skb_dst_force(skb);@skb_dst_drop(skb);"
	"uncounted@dev_lstats_add(dev, len);@(void)len;"
	"rx-uncounted@stats->rx_packets = packets;@"
	"backlog-drop-counted-as-looped@if (likely(__netif_rx(skb) == NET_RX_SUCCESS))@if (__netif_rx(skb) >= NET_RX_SUCCESS)"
	"carrier-ignored@if (unlikely(!netif_carrier_ok(dev)))@if (0)"
	"gso-segmented@NETIF_F_GSO_SOFTWARE | NETIF_F_HW_CSUM@NETIF_F_HW_CSUM"
	"mtu-unbounded@dev->max_mtu = NETLOOP_MTU;@dev->max_mtu = 0;"
	"mode-change-applied@return -EOPNOTSUPP;@priv->mode = nla_get_u32(data[IFLA_NETLOOP_MODE]); return 0;"
	"info-data-lax@return nla_validate_nested(info_data,@return 0 * nla_validate_nested(info_data,"
)

series=${1:-6.12}
shift || true
for name; do
	[[ " ${mutants[*]%%@*} " == *" $name "* ]] || die "no mutant '$name'; there are: ${mutants[*]%%@*}"
done
kver=$(scripts/kver.sh "$series")
logs=$top/build/mutants/$kver
mkdir -p "$logs"
passed=0 failed=0 n=0
start=$SECONDS

make -s -C iproute2 O="$top/build" >/dev/null
ksft=$(scripts/ksft.sh "$logs/kselftest")

# mutate DIR FROM TO...: apply each FROM -> TO to DIR's netloop.c; die if a
# FROM is not there exactly once.
mutate() {
	local c=$1/drivers/net/netloop/netloop.c

	shift
	while (($#)); do
		FROM=$1 TO=$2 perl -0pi -e '
			$n = () = /\Q$ENV{FROM}\E/g;
			die "found $n times\n" if $n != 1;
			s/\Q$ENV{FROM}\E/$ENV{TO}/;' "$c" || die "'$1' in $c"
		shift 2
	done
}

echo "# mutants on $kver"
for m in "${mutants[@]}"; do
	IFS=@ read -r -a subs <<<"$m@"	# keeps an empty last TO
	name=${subs[0]}
	if (($#)) && [[ " $* " != *" $name "* ]]; then
		continue
	fi
	dir=$logs/$name
	rm -rf "$dir"
	copy_sources "$dir" Kbuild Makefile drivers include scripts/build.sh scripts/lib.sh scripts/kver.sh
	mutate "$dir" "${subs[@]:1}"
	if ! ko=$("$dir/scripts/build.sh" "$kver" 2>"$dir/build.log" | tail -n 1); then
		sed 's/^/# /' "$dir/build.log"
		result 0 "$name: does not build"
		continue
	fi
	out=$dir/selftests.log
	rc=0
	scripts/vm.sh -k "$kver" -m "$ko" -t 2700 -l "$dir/vm.log" \
		-f "$ksft:/kselftest" -f "$(plugin_files)" \
		-- /kselftest/run_kselftest.sh >"$out" 2>&1 || rc=$?
	caught=$(tr -d '\r' <"$out" | sed -n 's/^# not ok [0-9]* //p' | sed 's/^/#   /')
	if grep -q 'kernel trouble in the guest' "$out"; then
		caught+=${caught:+$'\n'}"#   the kernel log (see $dir/vm.log)"
	elif ((rc)) && [[ -z $caught ]]; then
		caught="#   the VM run, exit code $rc (see $dir/vm.log)"
	fi
	if [[ -n $caught ]]; then
		result 1 "$name: caught"
		echo "$caught"
	else
		result 0 "$name: survived the selftests (see $out)"
	fi
done
echo "# make mutants took $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
((failed == 0 && passed > 0))
