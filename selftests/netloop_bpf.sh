#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# BPF around netloop (netloop.bpf.c): tc programs that bpf_redirect()
# from another device's egress into nl0's transmit and from nl0's ingress
# out of another device, and generic XDP on nl0, dropping and sending
# packets back out through nl0's transmit from its own receive path
# (XDP_TX), which must loop a bounded number of times.  Each case asserts
# exact counters.

# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "$0")")/lib.sh"

XFER=$lib_dir/xfer
BPF=$lib_dir/netloop.bpf.o
ADDR=192.0.2.1		# on nl0, routed through it (loop_route)
# netloop.bpf.c's NL0_IFINDEX and DUMMY0_IFINDEX.
NL0_IFINDEX=100
DUMMY0_IFINDEX=101
# nl0's address, and dummy0's: what dummy0 sends to nl0 is for nl0.
MAC=02:00:00:00:00:01
# bounce_udp9 sends a datagram sent with TTL 64 back out until its TTL is 54.
BOUNCES=10
N=3

# setup NSVAR: a namespace with IPv6 off (no packets of its own on the
# devices), nl0 carrying ADDR, routed through it (loop_route), and dummy0,
# both up with the interface indexes netloop.bpf.c names.
setup()
{
	setup_ns "$1" || return
	{
		ns_sysctl "${!1}" net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 &&
		ip -n "${!1}" -batch - <<-EOF &&
			link add nl0 index $NL0_IFINDEX address $MAC type netloop
			link add dummy0 index $DUMMY0_IFINDEX address $MAC type dummy
			link set nl0 up
			link set dummy0 up
			addr add $ADDR/32 dev nl0
		EOF
		loop_route "${!1}" nl0 $ADDR
	} || fail "setup"
}

# tc_bpf NS DEV DIR SEC: netloop.bpf.c's program SEC on DEV's DIR (ingress,
# egress), in direct-action mode.
tc_bpf()
{
	{
		tc -n "$1" qdisc add dev "$2" clsact &&
		tc -n "$1" filter add dev "$2" "$3" bpf direct-action obj "$BPF" sec "$4"
	} || fail "tc filter add dev $2 $3 bpf obj netloop.bpf.o sec $4"
}

# xdp NS SEC: netloop.bpf.c's program SEC on nl0 as generic XDP.
xdp()
{
	ip -n "$1" link set dev nl0 xdpgeneric obj "$BPF" sec "$2" ||
		fail "ip link set dev nl0 xdpgeneric obj netloop.bpf.o sec $2"
}

# pings NS WANT: N pings to ADDR, WANT of them answered.
pings()
{
	local out

	out=$(ip netns exec "$1" ping -n -q -c $N -i 0.2 -W 1 $ADDR 2>&1 |
		grep "packets transmitted")
	[[ $out == "$N packets transmitted, $2 received,"* ]] ||
		fail "ping: '$out', want $2 of $N received"
}

# ADDR routed out of dummy0, whose egress program redirects each packet
# to nl0's transmit (bpf_redirect without BPF_F_INGRESS): the request and
# the reply each cross nl0 once, and come in on nl0 for nl0's address.
# dummy0's transmit never sees them.
test_to_nl0()
{
	local ns nl dummy

	setup ns || return
	ip -n "$ns" route replace $ADDR dev dummy0 table 100 || fail "route" || return
	tc_bpf "$ns" dummy0 egress tc/to_nl0 || return
	nl=$(packets "$ns" nl0) dummy=$(packets "$ns" dummy0)
	pings "$ns" $N || return
	packets_moved "$ns" nl0 "$nl" $((2 * N)) $((2 * N)) &&
	packets_moved "$ns" dummy0 "$dummy" 0 0
}

# nl0's ingress program redirects what nl0 loops out of dummy0: each
# request crosses nl0 once and leaves through dummy0; none is answered.
test_from_nl0()
{
	local ns nl dummy

	setup ns || return
	tc_bpf "$ns" nl0 ingress tc/to_dummy0 || return
	nl=$(packets "$ns" nl0) dummy=$(packets "$ns" dummy0)
	pings "$ns" 0 || return
	packets_moved "$ns" nl0 "$nl" $N $N &&
	packets_moved "$ns" dummy0 "$dummy" $N 0
}

# udp NS PORT...: N 64-byte datagrams to ADDR on each PORT.
udp()
{
	local port

	for port in "${@:2}"; do
		ip netns exec "$1" "$XFER" udp-send $ADDR "$port" $N 64 >/dev/null ||
			fail "udp-send to port $port failed" || return
	done
}

# recv NS PORT: in the background, an xfer that receives N datagrams on
# PORT, checks each, and exits; once it is listening.
recv()
{
	ip netns exec "$1" "$XFER" udp-recv $ADDR "$2" $N 64 >"$tmp/recv" &
	wait_listen "$1" udp "$2"
}

# Generic XDP on nl0 drops the datagrams to port 9 and passes those to
# port 10: both cross nl0, only port 10's reach UDP, and nothing finds
# port 9 closed.
test_xdp_drop()
{
	local ns nl in0 noports0 in1 noports1

	setup ns || return
	xdp "$ns" xdp/drop_udp9 || return
	recv "$ns" 10 || return
	nl=$(packets "$ns" nl0)
	read -r in0 noports0 <<<"$(nstat_get "$ns" UdpInDatagrams UdpNoPorts)"
	udp "$ns" 9 10 || return
	wait $! || fail "udp-recv on port 10: $(<"$tmp/recv")" || return
	read -r in1 noports1 <<<"$(nstat_get "$ns" UdpInDatagrams UdpNoPorts)"
	packets_moved "$ns" nl0 "$nl" $((2 * N)) $((2 * N)) || return
	((in1 - in0 == N && noports1 == noports0)) ||
		fail "UDP delivered $((in1 - in0)), no port $((noports1 - noports0)); want $N, 0"
}

# Generic XDP on nl0 sends each datagram to port 9 back out of nl0 from its
# receive path (XDP_TX, into nl0's transmit, which queues it to the backlog
# again), BOUNCES times as the TTL comes down, then passes it up: it
# crosses nl0 BOUNCES + 1 times and arrives intact, once.
test_xdp_bounce()
{
	local ns nl

	setup ns || return
	xdp "$ns" xdp/bounce_udp9 || return
	recv "$ns" 9 || return
	nl=$(packets "$ns" nl0)
	udp "$ns" 9 || return
	wait $! || fail "udp-recv on port 9: $(<"$tmp/recv")" || return
	packets_moved "$ns" nl0 "$nl" $((N * (BOUNCES + 1))) $((N * (BOUNCES + 1)))
}

require_cmd ip tc ping nstat
require_netloop
[[ -x $XFER ]] || skip_all "xfer helper not built"
[[ -f $BPF ]] || skip_all "netloop.bpf.o not built (needs clang and libbpf's headers)"
for m in sch_ingress cls_bpf; do
	modprobe -q "$m" || skip_all "module $m not available"
done

run_cases "tc BPF on dummy0's egress redirects into nl0's transmit:test_to_nl0" \
	"tc BPF on nl0's ingress redirects out of dummy0:test_from_nl0" \
	"generic XDP on nl0 drops what it is told to, passes the rest:test_xdp_drop" \
	"generic XDP_TX on nl0 loops a datagram back through nl0, bounded:test_xdp_bounce"
