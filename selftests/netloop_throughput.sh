#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Throughput through netloop and lo in the same boot, at MTU 65536 and
# 1500.  Speed is reported, not asserted: what passes or fails is that the
# data arrived intact and that every packet is accounted for.  Wall-clock
# rates under TCG spread up to fourfold between rounds of one device in one
# boot (a floor of 0.7 of lo's best round still failed at 0.57 on a loaded
# machine), and cannot tell a netloop that lost GSO.  What can: routing's
# test_gso and offload's test_udp_gso count packets, and make check's cost
# gate compares netloop with lo in guest instructions, which do not depend
# on the host's load (scripts/bench-guest.sh gate).

# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "$0")")/lib.sh"

XFER=$lib_dir/xfer
ADDR=192.0.2.1
TCP_BYTES=$((64 << 20))
UDP_SECONDS=2
PKTGEN_COUNT=20000

# setup NSVAR DEV [MTU]: a namespace whose ADDR is reached through DEV:
# through netloop by policy routing, or through lo as usual; DEV's MTU
# set to MTU if given.
setup()
{
	local -n _ns=$1

	setup_ns "$1" || return
	if [[ $2 == lo ]]; then
		ip -n "$_ns" addr add "$ADDR/32" dev lo
	else
		setup_loop "$_ns" "$ADDR"
	fi &&
	ip -n "$_ns" link set "$2" mtu "${3:-65536}"
}

# median N...: the median of whole numbers.
median()
{
	local -a s

	mapfile -t s < <(printf '%s\n' "$@" | sort -n)
	echo "${s[$((${#s[@]} / 2))]}"
}

# test_tcp_bulk MTU: TCP_BYTES through netloop, then through lo, both at
# MTU, each intact; reports each one's rate.
test_tcp_bulk()
{
	local nl lo ns
	local -a rates

	setup nl nl0 "$1" && setup lo lo "$1" || fail "setup" || return
	for ns in "$nl" "$lo"; do
		transfer -t 30 "$ns" tcp "$ADDR" 5001 "$TCP_BYTES" || return
		rates+=("$(awk -v b="$TCP_BYTES" -v s="$(field seconds "$SENT")" \
			'BEGIN { printf "%d\n", b / s / 1e6 }')")
	done
	echo "# TCP bulk at MTU $1: netloop ${rates[0]} MB/s, lo ${rates[1]} MB/s"
}

# udp_round NS DEV: 64-byte datagrams to ADDR for UDP_SECONDS; sets RATE
# to the pps received.  Every datagram sent must be received or counted: as a
# socket receive-buffer drop (UdpRcvbufErrors) or, on netloop, as a
# backlog drop (rx_dropped).
udp_round()
{
	local ns=$1 dev=$2 tx rx sent got rcvbuf drops
	local rcvbuf0 drops0

	rcvbuf0=$(nstat_get "$ns" UdpRcvbufErrors)
	drops0=$(dev_stat "$ns" "$dev" rx_dropped)
	# The receiver stops when nothing came for 5 s: the sender may be
	# slow to start on a loaded host.
	ip netns exec "$ns" "$XFER" -t 5 udp-recv "$ADDR" 5002 0 64 >"$tmp/rx" &
	wait_listen "$ns" udp 5002 || return
	tx=$(ip netns exec "$ns" "$XFER" -T "$UDP_SECONDS" udp-send "$ADDR" 5002 0 64) ||
		fail "udp-send in $ns failed" || return
	wait $!
	rx=$(<"$tmp/rx")
	sent=$(field datagrams "$tx")
	got=$(field datagrams "$rx")
	rcvbuf=$(($(nstat_get "$ns" UdpRcvbufErrors) - rcvbuf0))
	drops=$(($(dev_stat "$ns" "$dev" rx_dropped) - drops0))
	[[ $(field bad "$rx") == 0 ]] || fail "damaged datagrams: $rx" || return
	((sent > 0 && sent == got + rcvbuf + drops)) ||
		fail "$dev: sent $sent, received $got, rcvbuf drops $rcvbuf, rx_dropped $drops" ||
		return
	RATE=$(field pps "$rx")
}

test_udp_small()
{
	local nl lo r
	local -a nl_pps lo_pps

	setup nl nl0 && setup lo lo || fail "setup" || return
	for ((r = 0; r < 3; r++)); do
		udp_round "$nl" nl0 && nl_pps+=("$RATE") || return
		udp_round "$lo" lo && lo_pps+=("$RATE") || return
	done
	echo "# UDP 64-byte pps received, median of 3: netloop $(median "${nl_pps[@]}")," \
	     "lo $(median "${lo_pps[@]}")"
}

# pktgen into nl0 PKTGEN_COUNT frames addressed to it, for a blackholed
# destination so each one ends the same cheap way, without clone_skb.  Each frame crosses nl0
# once: it counts in tx and rx, or (refused by the backlog) in rx_dropped.
test_pktgen()
{
	local ns mac tx0 rx0 drop0 tx rx drop result

	modprobe pktgen || fail "no pktgen module" || return
	setup ns nl0 || fail "setup" || return
	ip -n "$ns" route add blackhole 198.51.100.0/24
	mac=$(ip netns exec "$ns" cat /sys/class/net/nl0/address)
	pktgen_setup "$ns" nl0 "$PKTGEN_COUNT" "$mac" || fail "pktgen setup" || return
	# nl0 queues each skb to the backlog: pktgen must not send it again
	# (no IFF_TX_SKB_SHARING), and refuses clone_skb (ENOTSUPP).
	! pg "$ns" nl0 "clone_skb 10" 2>/dev/null ||
		fail "pktgen took clone_skb 10 for nl0" || return
	tx0=$(dev_stat "$ns" nl0 tx_packets)
	rx0=$(dev_stat "$ns" nl0 rx_packets)
	drop0=$(dev_stat "$ns" nl0 rx_dropped)
	pg "$ns" pgctrl start || fail "pktgen start" || return
	tx=$(($(dev_stat "$ns" nl0 tx_packets) - tx0))
	rx=$(($(dev_stat "$ns" nl0 rx_packets) - rx0))
	drop=$(($(dev_stat "$ns" nl0 rx_dropped) - drop0))
	result=$(ip netns exec "$ns" grep -A1 '^Result' /proc/net/pktgen/nl0)
	pg "$ns" kpktgend_0 rem_device_all
	echo "# pktgen: $(tr -s " \n" " " <<<"$result")"
	[[ $result == *"Result: OK"* && $result == *"errors: 0"* ]] ||
		fail "pktgen did not finish cleanly" || return
	((tx == rx && tx + drop == PKTGEN_COUNT)) ||
		fail "pktgen sent $PKTGEN_COUNT: tx $tx, rx $rx, rx_dropped $drop"
}

require_cmd ip nstat awk sort
require_netloop
[[ -x $XFER ]] || skip_all "xfer helper not built"
run_cases \
	"TCP bulk at MTU 65536 through netloop and lo, data intact:test_tcp_bulk 65536" \
	"TCP bulk at MTU 1500 through netloop and lo, data intact:test_tcp_bulk 1500" \
	"UDP 64-byte datagrams: every one received or counted:test_udp_small" \
	"pktgen into netloop: clone_skb refused, counters match pktgen's count:test_pktgen"
