#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The use cases of Documentation/networking/netloop.rst, "Use cases", run
# as the recipes there give them, each asserting its outcome exactly:
# locally generated traffic seen by a prerouting hook on nl0 (nftables),
# one local address impaired by netem on nl0 while another, on lo, is not,
# a capture on nl0 seeing each looped packet leave and arrive, nl0 as an
# extra loopback in a VRF, and the source address the kernel picks with a
# router-id on nl0.

# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "$0")")/lib.sh"

ADDR=192.0.2.1		# on nl0, routed through it (setup_loop)
OTHER=198.51.100.1	# on lo, not routed through nl0
N=3

# ping_n NS ADDR [ARG...]: N pings from NS to ADDR, all answered; ping's
# summary on stdout.
ping_n()
{
	# Its warnings (ping -I VRF: source address might be selected on
	# device other than VRF) only when it fails.
	ip netns exec "$1" ping -n -q -c $N -i 0.2 -W 5 "${@:3}" "$2" 2>"$tmp/ping.err" ||
		fail "ping ${*:3} $2 in $1: not all $N answered: $(<"$tmp/ping.err")"
}

# setup NS: a namespace with IPv6 off (no packets of its own on nl0) and
# nl0 carrying ADDR, routed through it (setup_loop), and OTHER on lo.
setup()
{
	setup_ns "$1" || return
	{
		ns_sysctl "${!1}" net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 &&
		setup_loop "${!1}" $ADDR &&
		ip -n "${!1}" addr add $OTHER/32 dev lo
	} || fail "setup"
}

# nft_count NS DEV: the packets counted by the rule on iifname DEV of
# chain prerouting in table inet uc.
nft_count()
{
	ip netns exec "$1" nft list chain inet uc prerouting |
		sed -n "s/^[[:space:]]*iifname \"$2\" counter packets \([0-9]*\) bytes.*/\1/p"
}

# Use case 1: locally generated traffic through the ingress path.  With
# ADDR routed through nl0, a prerouting rule on iifname "nl0" counts each
# echo twice (request and reply come in on nl0) and the one on "lo" none;
# without the route (rule pref 20 deleted) the same pings take lo.
test_prerouting()
{
	local ns before c_nl0 c_lo

	setup ns || return
	ip netns exec "$ns" nft -f - <<-EOF || fail "nft: prerouting chain" || return
		table inet uc {
			chain prerouting {
				type filter hook prerouting priority filter; policy accept;
				iifname "nl0" counter
				iifname "lo" counter
			}
		}
	EOF
	before=$(packets "$ns" nl0)
	ping_n "$ns" $ADDR >/dev/null || return
	packets_moved "$ns" nl0 "$before" $((2 * N)) $((2 * N)) || return
	c_nl0=$(nft_count "$ns" nl0) c_lo=$(nft_count "$ns" lo)
	[[ $c_nl0 == $((2 * N)) && $c_lo == 0 ]] ||
		fail "through nl0: counters nl0 $c_nl0, lo $c_lo, want $((2 * N)) and 0" ||
		return

	ip -n "$ns" rule del pref 20 || fail "rule del pref 20" || return
	before=$(packets "$ns" nl0)
	ping_n "$ns" $ADDR >/dev/null || return
	packets_moved "$ns" nl0 "$before" 0 0 || return
	c_nl0=$(nft_count "$ns" nl0) c_lo=$(nft_count "$ns" lo)
	[[ $c_nl0 == $((2 * N)) && $c_lo == $((2 * N)) ]] ||
		fail "through lo: counters nl0 $c_nl0, lo $c_lo, want $((2 * N)) and $((2 * N))"
}

# rtt FIELD SUMMARY: min, avg or max of ping's rtt line, in microseconds.
rtt()
{
	local i

	i=$(case $1 in min) echo 1 ;; avg) echo 2 ;; max) echo 3 ;; esac)
	sed -n 's|^rtt min/avg/max/mdev = \([0-9./]*\) ms.*|\1|p' <<<"$2" |
		awk -F/ -v i="$i" '{ printf "%d\n", $i * 1000 }'
}

# Use case 2: netem on nl0 delays only ADDR.  Each echo crosses nl0 twice,
# so its RTT is at least twice the delay; OTHER, on lo, in the same run,
# answers in less than a quarter of that.  netem counts each packet.
test_netem()
{
	local ns before out_nl0 out_lo min_nl0 max_lo sent

	setup ns || return
	tc -n "$ns" qdisc add dev nl0 root netem delay 100ms ||
		fail "tc qdisc add dev nl0 root netem delay 100ms" || return
	before=$(packets "$ns" nl0)
	out_nl0=$(ping_n "$ns" $ADDR) || return
	out_lo=$(ping_n "$ns" $OTHER) || return
	packets_moved "$ns" nl0 "$before" $((2 * N)) $((2 * N)) || return
	min_nl0=$(rtt min "$out_nl0") max_lo=$(rtt max "$out_lo")
	[[ $min_nl0 && $max_lo ]] || fail "no rtt in '$out_nl0' or '$out_lo'" || return
	((min_nl0 >= 200000)) ||
		fail "RTT to $ADDR through netem: min $min_nl0 us, want >= 200000" || return
	((max_lo * 4 < min_nl0)) ||
		fail "RTT to $OTHER via lo: max $max_lo us, want < $((min_nl0 / 4)) (nl0: $min_nl0)" ||
		return
	sent=$(tc -n "$ns" -s qdisc show dev nl0 | sed -n 's/^ *Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p')
	[[ $sent == $((2 * N)) ]] || fail "netem sent '$sent' packets, want $((2 * N))"
}

# pcap_count FILE: the packets in the capture FILE.  tcpdump drops its
# privileges to its own user, when it has one: -Z root keeps them (and
# asks for no user).
pcap_count()
{
	tcpdump -Z root -n -r "$1" 2>/dev/null | wc -l
}

# capture NS WANT [TCPDUMP_ARG...]: tcpdump on nl0 in NS, writing to a
# file, while N pings go to ADDR: it has captured exactly WANT packets.
capture()
{
	local ns=$1 want=$2 pid got i

	rm -f "$tmp/cap.pcap" "$tmp/cap.err"
	ip netns exec "$ns" tcpdump -Z root -n -i nl0 --immediate-mode -U \
		-c 1000 -w "$tmp/cap.pcap" "${@:3}" 2>"$tmp/cap.err" &
	pid=$!
	slowwait 10 grep -q "listening on" "$tmp/cap.err" ||
		fail "tcpdump ${*:3} not listening: $(<"$tmp/cap.err")" || return
	ping_n "$ns" $ADDR >/dev/null || return
	# The pings are answered, so all was looped: wait for the writes.
	for ((i = 0; i < 50; i++)); do
		got=$(pcap_count "$tmp/cap.pcap")
		((got >= want)) && break
		sleep 0.1
	done
	kill -INT "$pid" && wait "$pid"
	got=$(pcap_count "$tmp/cap.pcap")
	((got == want)) || fail "tcpdump ${*:3} -i nl0: $got packets, want $want:" \
		"$(tcpdump -Z root -n -r "$tmp/cap.pcap" 2>&1)" || return
	grep -q "^0 packets dropped by kernel" "$tmp/cap.err" ||
		fail "tcpdump ${*:3}: $(<"$tmp/cap.err")"
}

# Use case 3: tcpdump -i nl0 sees each looped packet twice, leaving and
# arriving (only on the device named lo does libpcap hide the outgoing
# copy): N echoes are 4N packets, 2N with -Q in.
test_capture()
{
	local ns

	setup ns || return
	capture "$ns" $((4 * N)) || return
	capture "$ns" $((2 * N)) -Q in || return
	capture "$ns" $((2 * N)) -Q out
}

# setup_vrf NS: vrf-a (table 10) up in NS, IPv6 off, and nl0 enslaved to
# it, carrying ADDR.
setup_vrf()
{
	setup_ns "$1" || return
	ns_sysctl "${!1}" net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || fail "setup" || return
	ip -n "${!1}" -batch - <<-EOF || fail "vrf setup"
		link add vrf-a type vrf table 10
		link set vrf-a up
		link add nl0 type netloop
		link set nl0 master vrf-a
		link set nl0 up
		addr add $ADDR/32 dev nl0
	EOF
}

# Use case 4, the plain part: an address on nl0 in a VRF is a local
# address of the VRF, as on lo: a ping from the VRF reaches it, through
# the VRF device's own loop, without crossing nl0.
test_vrf_address()
{
	local ns before

	setup_vrf ns || return
	ip -n "$ns" route show table 10 | grep -q "^local $ADDR dev nl0" ||
		fail "no local route for $ADDR in table 10: $(ip -n "$ns" route show table 10)" ||
		return
	before=$(packets "$ns" nl0)
	ping_n "$ns" $ADDR -I vrf-a >/dev/null || return
	packets_moved "$ns" nl0 "$before" 0 0
}

# Use case 4, through the device: a rule for locally generated packets
# (iif lo) ahead of the VRF's l3mdev rule sends ADDR out nl0; what comes
# back in on nl0 is the VRF's (its input lookup is in table 10) and is
# delivered.  Each echo crosses nl0 twice.
test_vrf_loop()
{
	local ns before

	setup_vrf ns || return
	ip -n "$ns" -batch - <<-EOF || fail "vrf routing" || return
		rule add pref 20 iif lo to $ADDR lookup 100
		route add $ADDR dev nl0 table 100
	EOF
	before=$(packets "$ns" nl0)
	ping_n "$ns" $ADDR -I vrf-a >/dev/null || return
	packets_moved "$ns" nl0 "$before" $((2 * N)) $((2 * N))
}

# src_is NS DST WANT [ARG...]: ip route get DST picks source WANT.
src_is()
{
	local out got

	out=$(ip -n "$1" -4 route get "$2" "${@:4}") || fail "route get $2: failed" || return
	got=$(field src "${out// src / src=}")
	[[ $got == "$3" ]] || fail "route get $2 ${*:4}: source '$got', want $3 ($out)"
}

# Use case 5: a router-id, ADDR/32, on nl0 is not the source of traffic
# out a numbered device (the device's own address is), nor of traffic out
# a device without an address when a device created before nl0 has a
# global address: then the first such device (creation order, lo first)
# gives it.  A route's src picks the router-id explicitly.
test_source_address()
{
	local ns

	setup_ns ns || return
	ip -n "$ns" -batch - <<-EOF || fail "setup" || return
		link add nl0 type netloop
		link set nl0 up
		addr add $ADDR/32 dev nl0
		link add d0 type dummy
		link set d0 up
		addr add 10.0.0.1/24 dev d0
		route add 203.0.113.0/24 via 10.0.0.2
		link add u0 type dummy
		link set u0 up
		route add 198.18.0.0/24 dev u0
		route add 198.18.1.0/24 dev u0 src $ADDR
	EOF
	src_is "$ns" 10.0.0.2 10.0.0.1 || return
	src_is "$ns" 203.0.113.9 10.0.0.1 || return
	src_is "$ns" 198.18.0.9 $ADDR || return
	src_is "$ns" 198.18.1.9 $ADDR || return

	# nl0 created after d0: d0's address comes first.
	ip -n "$ns" -batch - <<-EOF || fail "recreate nl0" || return
		link del nl0
		link add nl0 type netloop
		link set nl0 up
		addr add $ADDR/32 dev nl0
		route add 198.18.1.0/24 dev u0 src $ADDR
	EOF
	src_is "$ns" 198.18.0.9 10.0.0.1 || return
	src_is "$ns" 198.18.1.9 $ADDR || return
	src_is "$ns" 203.0.113.9 10.0.0.1 || return

	# An address on lo, the first device, comes before both.
	ip -n "$ns" addr add 192.0.2.2/32 dev lo || fail "addr on lo" || return
	src_is "$ns" 198.18.0.9 192.0.2.2 || return
	src_is "$ns" 203.0.113.9 10.0.0.1
}

require_cmd nft tcpdump
require_netloop
for m in nf_tables sch_netem vrf dummy; do
	modprobe -q "$m" || skip_all "module $m not available"
done

run_cases "nft prerouting counts looped local traffic on nl0, not lo:test_prerouting" \
	"netem on nl0 delays only the address routed through it:test_netem" \
	"tcpdump -i nl0 sees each looped packet leave and arrive:test_capture" \
	"an address on nl0 in a VRF is local to the VRF:test_vrf_address" \
	"a VRF's local traffic loops through nl0 with a rule:test_vrf_loop" \
	"source address with a router-id on nl0:test_source_address"
