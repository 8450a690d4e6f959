#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The stack around netloop, exercised: tc on nl0's own egress and ingress
# (mirred from its egress to its own ingress, netem duplicating, an
# ingress filter dropping), and two local addresses forced through nl0 and
# shaped by tbf.  Each case asserts exact counters.

# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "$0")")/lib.sh"

XFER=$lib_dir/xfer
ADDR=192.0.2.1		# on nl0, routed through it (setup_loop)
OTHER=198.51.100.1	# on lo: the source of the shaped transfer
N=3

# setup NSVAR: a namespace with IPv6 off (no packets of its own on nl0)
# and nl0 carrying ADDR, routed through it (setup_loop).
setup()
{
	setup_ns "$1" || return
	{
		ns_sysctl "${!1}" net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 &&
		setup_loop "${!1}" $ADDR
	} || fail "setup"
}

# ping_out NS ARG...: N pings to ADDR; sets PING to ping's summary line
# ("3 packets transmitted, 3 received, +9 duplicates, ..."), whether
# answered or not.
ping_out()
{
	PING=$(ip netns exec "$1" ping -n -q -c $N -i 0.2 -W 1 "${@:2}" $ADDR 2>&1 |
		grep "packets transmitted")
}

# filter_pkts NS DIR: the packets the first action of nl0's DIR (ingress,
# egress) filter counted (tc -s filter show's "Sent N bytes M pkt").
filter_pkts()
{
	tc -n "$1" -s filter show dev nl0 "$2" |
		sed -n 's/^[[:space:]]*Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p' | head -n 1
}

# Measured: mirred on nl0's egress, at clsact (before the qdisc and before
# netloop's xmit), steals each packet and hands it to nl0's ingress once
# (netif_rx).  nl0's xmit never sees it: nl0's tx counter does not move,
# rx does not either (netloop counts both in its xmit, as lo does), the
# packet is not looped again (mirred is an egress filter; the ingress
# path has none), and ping is answered: request and reply each crossed
# mirred once, 2N in the action's stats.
test_mirred_self()
{
	local ns before got

	setup ns || return
	tc -n "$ns" qdisc add dev nl0 clsact &&
	tc -n "$ns" filter add dev nl0 egress matchall \
		action mirred ingress redirect dev nl0 || fail "tc setup" || return
	before=$(packets "$ns" nl0)
	ping_out "$ns"
	echo "# mirred: ping: $PING; nl0 $(packets "$ns" nl0) (before $before); action: $(filter_pkts "$ns" egress)"
	[[ $PING == "$N packets transmitted, $N received, 0% packet loss"* ]] ||
		fail "ping: '$PING', want $N answered" || return
	packets_moved "$ns" nl0 "$before" 0 0 || return
	got=$(filter_pkts "$ns" egress)
	[[ $got == $((2 * N)) ]] || fail "mirred counted '$got' packets, want $((2 * N))"
}

# Measured: netem duplicate 100% on nl0 sends each packet twice.  Each
# request arrives twice and is answered twice; each of those two replies
# is sent twice: per echo, nl0 carries 2 requests and 4 replies (6 tx,
# 6 rx; IcmpInEchoReps 4N), and ping gets 1 reply and 3 duplicates of
# each echo but the last: ping -c N exits on the last echo's first reply,
# before it reads that echo's 3 duplicates (ping -c 1 prints no DUP!).
test_netem_dup()
{
	local ns before sent

	setup ns || return
	tc -n "$ns" qdisc add dev nl0 root netem duplicate 100% ||
		fail "tc qdisc add dev nl0 root netem duplicate 100%" || return
	before=$(packets "$ns" nl0)
	ping_out "$ns"
	echo "# netem dup: ping: $PING; nl0 $(packets "$ns" nl0) (before $before)"
	[[ $PING == "$N packets transmitted, $N received, +$((3 * (N - 1))) duplicates, 0% packet loss"* ]] ||
		fail "ping: '$PING', want $N answered, +$((3 * (N - 1))) duplicates" || return
	packets_moved "$ns" nl0 "$before" $((6 * N)) $((6 * N)) || return
	sent=$(tc -n "$ns" -s qdisc show dev nl0 | sed -n 's/^ *Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p')
	[[ $sent == $((6 * N)) ]] || fail "netem sent '$sent' packets, want $((6 * N))"
}

# Measured: a matchall drop on nl0's ingress drops each request as it
# comes back in: nl0 counted it sent and received (in its xmit, before
# the stack's ingress), the filter counts N drops, no reply is ever sent.
test_ingress_drop()
{
	local ns before got

	setup ns || return
	tc -n "$ns" qdisc add dev nl0 clsact &&
	tc -n "$ns" filter add dev nl0 ingress matchall action drop ||
		fail "tc setup" || return
	before=$(packets "$ns" nl0)
	ping_out "$ns"
	echo "# ingress drop: ping: $PING; nl0 $(packets "$ns" nl0) (before $before); filter: $(filter_pkts "$ns" ingress)"
	[[ $PING == "$N packets transmitted, 0 received, 100% packet loss"* ]] ||
		fail "ping: '$PING', want none of $N answered" || return
	packets_moved "$ns" nl0 "$before" $N $N || return
	got=$(filter_pkts "$ns" ingress)
	[[ $got == "$N" ]] || fail "the ingress filter dropped '$got' packets, want $N"
}

TBF_BYTES=1000000	# 1 s at 8 Mbit/s
TBF_FLOOR=0.8

# Two local addresses, OTHER (on lo) to ADDR, forced through nl0 (ADDR's
# route, source OTHER) and shaped by tbf at 8 Mbit/s: a TCP transfer of
# TBF_BYTES takes at least TBF_FLOOR of the time the rate implies, and
# nl0 carried its data segments (the ACKs, to OTHER, take lo): at least
# TBF_BYTES, each sent one received (GSO packets up to tbf's burst pass
# as one, so the packet count is not bytes / MSS), at MTU 1500 (tbf drops
# a packet bigger than its burst that it cannot segment).  Never an upper
# bound on time: TCG is slow and noisy.
test_tbf_local()
{
	local ns before secs tx1 rx1 mss bb rbb by1 rb1
	local -a b

	setup ns || return
	# A source on lo arriving on nl0 is martian without accept_local.
	ns_sysctl "$ns" net.ipv4.conf.nl0.accept_local=1 || fail "accept_local" || return
	ip -n "$ns" -batch - <<-EOF || fail "tbf setup" || return
		addr add $OTHER/32 dev lo
		link set nl0 mtu 1500
		route replace $ADDR dev nl0 table 100 src $OTHER
	EOF
	tc -n "$ns" qdisc add dev nl0 root tbf rate 8mbit burst 32kbit latency 400ms ||
		fail "tc qdisc add dev nl0 root tbf" || return
	before=$(packets "$ns" nl0)
	bb=$(dev_stat "$ns" nl0 tx_bytes) rbb=$(dev_stat "$ns" nl0 rx_bytes)
	transfer -t 20 "$ns" tcp "$ADDR" 5001 $TBF_BYTES || return
	secs=$(field seconds "$SENT") mss=$(field mss "$SENT")
	read -r -a b <<<"$before"
	read -r tx1 rx1 <<<"$(packets "$ns" nl0)"
	by1=$(dev_stat "$ns" nl0 tx_bytes) rb1=$(dev_stat "$ns" nl0 rx_bytes)
	echo "# tbf: $SENT; nl0 tx $((tx1 - b[0])) rx $((rx1 - b[1]))"
	awk -v s="$secs" -v b=$TBF_BYTES -v f=$TBF_FLOOR \
		'BEGIN { exit !(s >= f * b * 8 / 8e6) }' ||
		fail "$TBF_BYTES bytes in $secs s: faster than $TBF_FLOOR of 8 Mbit/s" || return
	((tx1 - b[0] == rx1 - b[1])) ||
		fail "nl0 sent $((tx1 - b[0])) packets, received $((rx1 - b[1]))" || return
	((mss > 0 && mss <= 1460)) || fail "mss '$mss', want at most 1460" || return
	((by1 - bb >= TBF_BYTES && by1 - bb == rb1 - rbb)) ||
		fail "nl0 sent $((by1 - bb)) bytes, received $((rb1 - rbb)), want equal and >= $TBF_BYTES"
}

require_netloop
for m in sch_ingress cls_matchall act_mirred act_gact sch_netem sch_tbf; do
	modprobe -q "$m" || skip_all "module $m not available"
done
[[ -x $XFER ]] || skip_all "xfer helper not built"

run_cases "tc mirred from nl0's egress to its own ingress: once, answered:test_mirred_self" \
	"netem duplicate on nl0: each request and reply twice:test_netem_dup" \
	"tc ingress drop on nl0 drops the looped requests:test_ingress_drop" \
	"two local addresses through nl0, shaped by tbf:test_tbf_local"
