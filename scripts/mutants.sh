#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What `make mutants` runs: break the driver on purpose, one way at a time,
# and check that the selftests notice, each fault by the cases meant to
# catch it.  Each mutant is a copy of the driver with one fault put in by
# literal substitution, built with W=1 and warnings as errors; a VM runs
# the cases it names (program:case, the case as -t takes it) against it.
# A mutant passes ("caught") when every one of its cases fails; one that
# survives a case is a hole in that test.  The case "gate" is make check's
# instruction-count gate (scripts/bench-guest.sh gate, under -icount): a
# mutant that names it must fail it, and only by its measured cost.
#
# First the baseline: the unmodified driver runs every case named below,
# in one boot, and all must pass, or a flaky case would "catch" mutants.
#
# Usage: scripts/mutants.sh [SERIES] [MUTANT...]	(default: 6.12, all)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$top/scripts/lib.sh"
cd "$top"

# NAME@CASES@FROM@TO[@FROM@TO]: the fault, where it goes in netloop.c, and
# the cases that must catch it.
mutants=(
	"keep-dst@routing:local4 routing:local6 mode:local_addr@skb_scrub_packet(skb, false);@skb_dst_force(skb);@netloop_set_lltx(dev);@netloop_set_lltx(dev); netif_keep_dst(dev);"
	"loopback-drops-dst@mode:local_addr mode:martian_dst@skb_dst_force(skb);@skb_dst_drop(skb);"
	"uncounted@basic:ping@dev_lstats_add(dev, len);@(void)len;"
	"rx-uncounted@basic:ping@stats->rx_packets = packets;@"
	"backlog-drop-counted-as-looped@basic:backlog_drops@if (likely(__netif_rx(skb) == NET_RX_SUCCESS))@if (__netif_rx(skb) >= NET_RX_SUCCESS)"
	"carrier-ignored@martian:carrier_off@if (unlikely(!netif_carrier_ok(dev)))@if (0)"
	"carrier-drop-leaks@martian:carrier_off@kfree_skb_reason(skb, SKB_DROP_REASON_DEV_READY);@"
	"gso-segmented@routing:gso4 routing:gso6 offload:udp_gso4 offload:udp_gso6@NETIF_F_GSO_SOFTWARE | NETIF_F_HW_CSUM@NETIF_F_HW_CSUM"
	"csum-unnecessary@offload:bad_csum4 offload:bad_csum6@skb->protocol = eth_type_trans(skb, dev);@skb->ip_summed = CHECKSUM_UNNECESSARY; skb->protocol = eth_type_trans(skb, dev);"
	"mark-scrubbed@routing:fwmark4 routing:fwmark6@skb_scrub_packet(skb, false);@skb_scrub_packet(skb, true);"
	"tx-skb-sharing@throughput:pktgen@dev->priv_flags &= ~IFF_TX_SKB_SHARING;@"
	"mtu-unbounded@basic:mtu@dev->max_mtu = NETLOOP_MTU;@dev->max_mtu = 0;"
	"mode-change-applied@mode:mode_fixed iproute2:refused@return -EOPNOTSUPP;@priv->mode = nla_get_u32(data[IFLA_NETLOOP_MODE]); return 0;"
	"info-data-lax@mode:bad_values@return nla_validate_nested(info_data,@return 0 * nla_validate_nested(info_data,"
	"forwarded-looped@mode:forwarded@if (priv->mode == NETLOOP_MODE_LOOPBACK && skb->skb_iif &&@if (0 &&"
	"local-dropped-as-forwarded@mode:martian_dst mode:local_addr@ && skb->skb_iif &&@ &&"
	"mirrored-dropped-as-forwarded@mode:mirrored@ && skb_dst_dev(skb) == dev)@)"
	"xmit-copies@gate@skb_orphan(skb);@skb_orphan(skb); { struct sk_buff *copy = skb_copy(skb, GFP_ATOMIC); if (copy) { consume_skb(skb); skb = copy; } }"
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

# run_cases DIR KO PROG:CASE...: boot with module KO and run each program
# once with its cases (-t), in DIR/selftests.log; print, for each program
# in the order run, "PROGRAM PLAN REPORTED FAILED": its KTAP plan, the
# results it reported and how many of them failed, the kernel log's case
# (the last) aside.
run_cases() {
	local dir=$1 ko=$2 pc cmd='' prog
	local -A cases=()
	local -a progs=()

	for pc in "${@:3}"; do
		prog=${pc%%:*}
		[[ -v cases[$prog] ]] || progs+=("$prog")
		cases[$prog]+=" ${pc#*:}"
	done
	for prog in "${progs[@]}"; do
		cmd+="/kselftest/drivers/net/netloop/netloop_$prog.sh -t '${cases[$prog]# }'; "
	done
	scripts/vm.sh -k "$kver" -m "$ko" -t 2700 -l "$dir/vm.log" \
		-f "$ksft:/kselftest" -f "$(plugin_files)" -- "$cmd" >"$dir/selftests.log" 2>&1 || true
	tr -d '\r' <"$dir/selftests.log" | awk -v progs="${progs[*]}" '
		BEGIN { n = split(progs, p, " ") }
		function done() { if (i) print p[i], plan, reported, failed - (last == "not") }
		/^1\.\.[0-9]+$/ { done(); i++; plan = substr($0, 4); reported = failed = 0; next }
		i && /^(not )?ok [0-9]+ / { reported++; last = $1; failed += $1 == "not" }
		END { done(); for (i++; i <= n; i++) print p[i], "none", 0, 0 }'
}

# gate DIR KO: run the instruction-count gate with module KO, in
# DIR/gate.log; print its two results, and "passed", "failed" (by what it
# measured) or "no result".
gate() {
	local ran bad

	gate_vm "$kver" "$ksft" "$1/vm-gate.log" -m "$2" >"$1/gate.log" 2>&1 || true
	sed -n -E 's/^(not )?ok [12] /# &/p' "$1/gate.log"
	ran=$(grep -cE '^(not )?ok [12] ' "$1/gate.log") || true
	bad=$(grep -c '^not ok [12] ' "$1/gate.log") || true
	if ((ran != 2)); then
		echo "no result"
	elif ((bad)); then
		echo failed
	else
		echo passed
	fi
}

# Every case a mutant names, each program's once; the gate apart.
mapfile -t all < <(for m in "${mutants[@]}"; do
	IFS=@ read -r -a f <<<"$m@"
	tr ' ' '\n' <<<"${f[1]}"
done | grep -vx gate | sort -u)

echo "# mutants on $kver"
dir=$logs/baseline
rm -rf "$dir"
mkdir -p "$dir"
ko=$(scripts/build.sh "$kver" 2>"$dir/build.log" | tail -n 1) || die "the unmodified driver does not build: $dir/build.log"
ok=1
while read -r prog plan reported bad; do
	if [[ $plan == none || $reported != "$plan" || $bad != 0 ]]; then
		echo "# $prog: plan $plan, $reported reported, $bad failed"
		ok=0
	fi
done < <(run_cases "$dir" "$ko" "${all[@]}")
result "$ok" "baseline: the unmodified driver passes the ${#all[@]} cases (see $dir/selftests.log)"
((ok)) || die "the baseline failed: a mutant's catch would mean nothing"
out=$(gate "$dir" "$ko")
echo "${out%$'\n'*}"
[[ ${out##*$'\n'} == passed ]] || ok=0
result "$ok" "baseline: the unmodified driver passes the gate (see $dir/gate.log)"
((ok)) || die "the baseline failed the gate: a mutant's catch would mean nothing"

for m in "${mutants[@]}"; do
	IFS=@ read -r -a subs <<<"$m@"	# keeps an empty last TO
	name=${subs[0]}
	read -r -a want <<<"${subs[1]}"
	if (($#)) && [[ " $* " != *" $name "* ]]; then
		continue
	fi
	dir=$logs/$name
	rm -rf "$dir"
	copy_sources "$dir" Kbuild Makefile drivers include scripts/build.sh scripts/lib.sh scripts/kver.sh
	mutate "$dir" "${subs[@]:2}"
	if ! ko=$("$dir/scripts/build.sh" "$kver" 2>"$dir/build.log" | tail -n 1); then
		sed 's/^/# /' "$dir/build.log"
		result 0 "$name: does not build"
		continue
	fi
	if [[ ${want[*]} == gate ]]; then
		out=$(gate "$dir" "$ko")
		echo "${out%$'\n'*}"
		if [[ ${out##*$'\n'} == failed ]]; then
			result 1 "$name: caught by the gate"
		else
			result 0 "$name: not caught by the gate (see $dir/gate.log)"
		fi
		continue
	fi
	ok=1
	while read -r prog plan reported bad; do
		# Every case run failed: the plan less the kernel log's case.
		if [[ $plan == none || $reported != "$plan" || $bad != $((plan - 1)) ]]; then
			echo "# $prog: plan $plan, $reported reported, $bad failed; want $((plan - 1)) failed"
			ok=0
		fi
	done < <(run_cases "$dir" "$ko" "${want[@]}")
	if ((ok)); then
		result 1 "$name: caught by ${want[*]}"
	else
		result 0 "$name: not caught as expected by ${want[*]} (see $dir/selftests.log)"
	fi
done
echo "# make mutants took $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
((failed == 0 && passed > 0))
