#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# netloop routing, IPv4 and IPv6: local delivery after the loop, forwarding
# until the TTL runs out, what `ip route get ... iif` predicts, two devices
# chained by policy rules, namespaces, fragmentation at the device MTU and
# GSO super-packets.  Every check counts packets: on the device, in the SNMP
# counters, at the receiving socket.
#
# Nothing but the test's own packets crosses a device, which gets no IPv6
# link-local address (addrgenmode none).  Without one the kernel sends no
# router solicitation, no MLD report for it, and no redirect
# (ndisc_send_redirect() needs one); the device has no IFF_MULTICAST, so
# IPv6 forwarding joins no all-routers group either.  IPv6 addresses are
# added with nodad (a NOARP device skips DAD anyway).

# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "$0")")/lib.sh"

XFER=$lib_dir/xfer
PORT=5001
PINGS=3
# Hop limit of the forwarded echo requests.
TTL=4
MARK=42
TCP_BYTES=$((4 << 20))
UDP_SIZE=4000
MTU=1500

# Per address family (4 or 6).  FAR is not local: it is reached through nl0.
declare -A ADDR=([4]=192.0.2.1 [6]=2001:db8::1)
declare -A PLEN=([4]=32 [6]=128)
declare -A FAR=([4]=198.51.100.1 [6]=2001:db8:100::1)
declare -A FARNET=([4]=198.51.100.0/24 [6]=2001:db8:100::/64)
declare -A IPHDR=([4]=20 [6]=40)
# IPv6 puts a fragment header in each fragment.
declare -A FRAGHDR=([4]=0 [6]=8)
declare -A FORWARDING=([4]=net.ipv4.ip_forward [6]=net.ipv6.conf.all.forwarding)
# nstat's names: IpFragCreates and Ip6FragCreates, ...
declare -A MIB=([4]=Ip [6]=Ip6)
declare -A FORW_MIB=([4]=IpForwDatagrams [6]=Ip6OutForwDatagrams)
declare -A FWMARK_REFLECT=([4]=net.ipv4.fwmark_reflect [6]=net.ipv6.fwmark_reflect)
declare -A EXCEEDED=([4]="Time to live exceeded" [6]="Time exceeded: Hop limit")

# An echo request or reply of ping's 56 bytes: Ethernet, IP, ICMP, data.
ping_frame()
{
	echo $((14 + IPHDR[$1] + 8 + 56))
}

# The time exceeded for such a request quotes all of it (IPv4 quotes up to
# 576 bytes, IPv6 up to 1280).
exceeded_frame()
{
	echo $((14 + IPHDR[$1] + 8 + IPHDR[$1] + 8 + 56))
}

# nl_add NS DEV...: netloop devices in NS, up, without a link-local address.
nl_add()
{
	local dev

	for dev in "${@:2}"; do
		echo "link add $dev type netloop"
		echo "link set $dev addrgenmode none"
		echo "link set $dev up"
	done | ip -n "$1" -batch -
}

# addr_add NS FAM DEV: ADDR on DEV.
addr_add()
{
	local -a flags=()

	(($2 == 4)) || flags=(nodad)
	ip -n "$1" addr add "${ADDR[$2]}/${PLEN[$2]}" dev "$3" "${flags[@]}"
}

# setup_forward NS FAM: setup_loop (lib.sh), and FARNET routed out nl0,
# forwarding still off.  What nl0 loops to FAR comes back in on nl0 and,
# forwarded, goes out nl0 again.
setup_forward()
{
	setup_loop "$1" "${ADDR[$2]}" && ip -n "$1" route add "${FARNET[$2]}" dev nl0 || return
	(($2 == 6)) && return
	# IPv4 sends a redirect for a packet forwarded back out of the device
	# it came in on, and that spends the per-destination ICMP rate limit
	# that the time exceeded needs.  And the source check of a forwarded
	# packet looks its source up as if it came in on the output device:
	# rule "iif nl0 lookup local" makes ADDR a local source there, a
	# martian (in_martian_src, "Invalid argument" from `ip route get`)
	# unless accept_local.  IPv6 has no such source check, and sends no
	# redirect from a device without a link-local address.
	ns_sysctl "$1" net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.nl0.send_redirects=0 net.ipv4.conf.nl0.accept_local=1
}

# counters NS DEV: DEV's tx_packets rx_packets tx_bytes rx_bytes.
counters()
{
	local -a v

	mapfile -t v <<<"$(ip netns exec "$1" cat \
		/sys/class/net/"$2"/statistics/{tx_packets,rx_packets,tx_bytes,rx_bytes})"
	echo "${v[*]}"
}

# moved NS DEV BEFORE: how far each of DEV's counters moved since BEFORE
# (from counters), in the same order.
moved()
{
	local -a b a
	local i

	read -r -a b <<<"$3"
	read -r -a a <<<"$(counters "$1" "$2")"
	for i in 0 1 2 3; do
		a[i]=$((a[i] - b[i]))
	done
	echo "${a[*]}"
}

# expect_moved NS DEV BEFORE PACKETS BYTES: DEV's tx and rx counters each
# moved by exactly PACKETS packets and BYTES bytes since BEFORE.
expect_moved()
{
	local -a d

	read -r -a d <<<"$(moved "$1" "$2" "$3")"
	((d[0] == $4 && d[1] == $4 && d[2] == $5 && d[3] == $5)) ||
		fail "$1 $2: tx/rx packets moved by ${d[0]}/${d[1]}," \
		     "bytes by ${d[2]}/${d[3]}; want $4 packets, $5 bytes"
}

# expect_mib NS COUNTER BEFORE N: the nstat COUNTER moved by exactly N.
expect_mib()
{
	local now

	now=$(nstat_get "$1" "$2")
	((now - $3 == $4)) || fail "$2 moved by $((now - $3)), want $4"
}

# pings NS FAM DST [PING_ARGS...]: PINGS echo requests to DST; ping's
# output and status.
pings()
{
	ip netns exec "$1" ping "-$2" -c "$PINGS" -i 0.2 -W 2 "${@:4}" "$3"
}

# tcp_through NS FAM BYTES: a TCP transfer of BYTES to ADDR, which is
# looped through nl0 (lib.sh setup_loop), arrives intact, and nl0 counted it.
# Sets XFER_PACKETS to nl0's tx_packets for it and XFER_MSS to its MSS.
tcp_through()
{
	local ns=$1 fam=$2 bytes=$3 before before_tcp extra
	local -a d tcp=(TcpRetransSegs TcpExtTCPOFOQueue)

	before_tcp=$(nstat_get "$ns" "${tcp[@]}")
	before=$(counters "$ns" nl0)
	transfer "$ns" tcp "${ADDR[$fam]}" "$PORT" "$bytes" "$RANDOM" || return
	XFER_MSS=$(field mss "$SENT")

	read -r -a d <<<"$(moved "$ns" nl0 "$before")"
	XFER_PACKETS=${d[0]}
	((d[0] > 0 && d[0] == d[1] && d[2] == d[3])) ||
		fail "nl0 tx/rx packets moved by ${d[0]}/${d[1]}, bytes by ${d[2]}/${d[3]}" ||
		return
	# How many packets is up to TCP (ACKs, TSO sizes), but each carries
	# Ethernet, IP and a TCP header with timestamps (32 bytes), SYN and
	# SYN-ACK 8 bytes of options more, and the data crosses once.  Unless
	# TCP retransmitted or received out of order (both seen under TCG):
	# then data may cross twice, ACKs carry SACK blocks.
	extra=$((d[2] - bytes - d[0] * (14 + IPHDR[$fam] + 32)))
	if [[ $(nstat_get "$ns" "${tcp[@]}") == "$before_tcp" ]]; then
		((extra == 16)) || fail "nl0 counted $extra bytes beyond data and headers, want 16"
	else
		((extra >= 16)) || fail "nl0 counted $extra bytes beyond data and headers, want >= 16"
	fi
}

# Case 1: ADDR through nl0 and delivered where it comes back in.
test_local()
{
	local fam=$1 ns before

	setup_ns ns && setup_loop "$ns" "${ADDR[$fam]}" || fail "setup" || return
	before=$(counters "$ns" nl0)
	pings "$ns" "$fam" "${ADDR[$fam]}" >/dev/null ||
		fail "ping ${ADDR[$fam]} through nl0 got no answer" || return
	# Each echo crosses nl0 twice: the request, then the reply.
	expect_moved "$ns" nl0 "$before" $((2 * PINGS)) $((2 * PINGS * $(ping_frame "$fam"))) &&
	tcp_through "$ns" "$fam" "$TCP_BYTES"
}

# Case 1b: the mark survives the loop (reflect mode scrubs as veth does
# within a namespace, the mark excepted), so a fwmark rule matches looped
# packets: only marked echoes are delivered after the loop.  With
# fwmark_reflect the replies carry the request's mark and loop the same way.
test_fwmark()
{
	local fam=$1 ns before

	setup_ns ns && setup_loop "$ns" "${ADDR[$fam]}" &&
		ip -n "$ns" "-$fam" -batch - <<-EOF &&
			rule del pref 10
			rule add pref 10 iif nl0 fwmark $MARK lookup local
		EOF
		ns_sysctl "$ns" "${FWMARK_REFLECT[$fam]}=1" || fail "setup" || return
	before=$(counters "$ns" nl0)
	pings "$ns" "$fam" "${ADDR[$fam]}" -m "$MARK" >/dev/null ||
		fail "echoes marked $MARK got no answer" || return
	expect_moved "$ns" nl0 "$before" $((2 * PINGS)) $((2 * PINGS * $(ping_frame "$fam"))) ||
		return
	# Unmarked, the looped request misses the rule and is not delivered.
	before=$(counters "$ns" nl0)
	! pings "$ns" "$fam" "${ADDR[$fam]}" >/dev/null || fail "unmarked echoes answered" ||
		return
	expect_moved "$ns" nl0 "$before" "$PINGS" $((PINGS * $(ping_frame "$fam")))
}

# Case 2: forwarded from nl0 back out of nl0 until the TTL runs out.
test_forward()
{
	local fam=$1 ns before errs forw out n

	setup_ns ns && setup_forward "$ns" "$fam" || fail "setup" || return

	# Forwarding off: dropped the first time it comes back, in IPv4 by
	# ip_error() (the input route lookup gave EHOSTUNREACH), in IPv6 by
	# ip6_forward(); both count InAddrErrors and send no ICMP error.
	before=$(counters "$ns" nl0)
	errs=$(nstat_get "$ns" "${MIB[$fam]}InAddrErrors")
	! pings "$ns" "$fam" "${FAR[$fam]}" -t "$TTL" >/dev/null ||
		fail "${FAR[$fam]} answered" || return
	expect_moved "$ns" nl0 "$before" "$PINGS" $((PINGS * $(ping_frame "$fam"))) &&
	expect_mib "$ns" "${MIB[$fam]}InAddrErrors" "$errs" "$PINGS" || return

	# Forwarding on: a request sent with TTL T comes in with T, T-1, ...
	# 1, forwarded every time but the last: T trips.  The time exceeded
	# goes to ADDR, through nl0 (loop_route): one more.  The ICMP rate
	# limit, per destination and namespace, lets 6 through at once.
	ns_sysctl "$ns" "${FORWARDING[$fam]}=1" || fail "forwarding on" || return
	before=$(counters "$ns" nl0)
	forw=$(nstat_get "$ns" "${FORW_MIB[$fam]}")
	out=$(pings "$ns" "$fam" "${FAR[$fam]}" -t "$TTL")
	n=$(grep -c "${EXCEEDED[$fam]}" <<<"$out")
	((n == PINGS)) || fail "$n of $PINGS got '${EXCEEDED[$fam]}': $out" || return
	expect_moved "$ns" nl0 "$before" $((PINGS * (TTL + 1))) \
		$((PINGS * (TTL * $(ping_frame "$fam") + $(exceeded_frame "$fam")))) &&
	expect_mib "$ns" "${FORW_MIB[$fam]}" "$forw" $((PINGS * (TTL - 1)))
}

# route_verdict NS FAM DST: what `ip route get DST from ADDR iif nl0` says
# becomes of a packet that nl0 loops: local, forward (out nl0) or drop.
route_verdict()
{
	local out

	out=$(ip -n "$1" route get "$3" from "${ADDR[$2]}" iif nl0 2>&1) || {
		echo drop
		return
	}
	case $out in
	"local $3 "*) echo local ;;
	"$3 from "*" dev nl0 "*) echo forward ;;
	*) echo "unexpected: $out" ;;
	esac
}

# real_verdict NS FAM DST: what becomes of an echo request to DST with TTL
# 2 sent through nl0: local (answered, 2 trips: request and reply), forward
# (time exceeded, 3 trips: the request twice, the error) or drop
# (unanswered, 1 trip).
real_verdict()
{
	local before out
	local -a d

	before=$(counters "$1" nl0)
	out=$(ip netns exec "$1" ping "-$2" -c 1 -W 1 -t 2 "$3")
	read -r -a d <<<"$(moved "$1" nl0 "$before")"
	if [[ $out == *" 1 received"* ]] && ((d[0] == 2)); then
		echo local
	elif [[ $out == *"${EXCEEDED[$2]}"* ]] && ((d[0] == 3)); then
		echo forward
	elif [[ $out == *" 0 received"* && $out != *"+1 errors"* ]] && ((d[0] == 1)); then
		echo drop
	else
		echo "unexpected, $((d[0])) trips: $out"
	fi
}

# expect_verdicts NS FAM DST REAL ROUTE: the real fate of a packet to DST
# is REAL and `ip route get` says ROUTE.
expect_verdicts()
{
	local real route

	real=$(real_verdict "$1" "$2" "$3")
	route=$(route_verdict "$1" "$2" "$3")
	[[ $real == "$4" && $route == "$5" ]] ||
		fail "$3: packet: $real, want $4; ip route get: $route, want $5"
}

# Case 3: `ip route get ... iif nl0` against what packets experience.
test_route_get()
{
	local fam=$1 ns

	setup_ns ns && setup_forward "$ns" "$fam" || fail "setup" || return
	expect_verdicts "$ns" "$fam" "${ADDR[$fam]}" local local || return
	# Forwarding off.  IPv4's input route lookup refuses to forward, and
	# says so (No route to host).  IPv6 checks forwarding only later, in
	# ip6_forward(): `ip -6 route get` answers "dev nl0" for a packet that
	# is dropped.
	if ((fam == 4)); then
		expect_verdicts "$ns" "$fam" "${FAR[$fam]}" drop drop
	else
		expect_verdicts "$ns" "$fam" "${FAR[$fam]}" drop forward
	fi || return
	ns_sysctl "$ns" "${FORWARDING[$fam]}=1" || fail "forwarding on" || return
	expect_verdicts "$ns" "$fam" "${FAR[$fam]}" forward forward
}

# Case 4: out nl0, in nl0, forwarded out nl1, in nl1, delivered.
test_chain()
{
	local fam=$1 ns b0 b1 forw
	local frames=$((2 * PINGS)) bytes=$((2 * PINGS * $(ping_frame "$fam")))

	setup_ns ns && nl_add "$ns" nl0 nl1 && addr_add "$ns" "$fam" nl0 &&
	# nl1 loops ADDR and delivers it; in front, what the host itself sends
	# to ADDR ("iif lo") goes out nl0, and comes in on nl0 to be
	# forwarded by the loop_route rules out nl1.
	loop_route "$ns" nl1 "${ADDR[$fam]}" &&
	ip -n "$ns" "-$fam" rule add pref 15 iif lo to "${ADDR[$fam]}" lookup 101 &&
	ip -n "$ns" route add "${ADDR[$fam]}" dev nl0 table 101 &&
	ns_sysctl "$ns" "${FORWARDING[$fam]}=1" || fail "setup" || return
	if ((fam == 4)); then
		# The forwarded packet's source check looks ADDR up as if it
		# came in on nl1: local (accept_local on nl0, where it comes
		# in).  Delivered on nl1, its source is reached out of nl0:
		# strict rp_filter on nl1 would drop it.
		ns_sysctl "$ns" net.ipv4.conf.nl0.accept_local=1 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.nl1.rp_filter=0 ||
			fail "sysctl" || return
	fi

	b0=$(counters "$ns" nl0)
	b1=$(counters "$ns" nl1)
	forw=$(nstat_get "$ns" "${FORW_MIB[$fam]}")
	pings "$ns" "$fam" "${ADDR[$fam]}" >/dev/null || fail "no answer" || return
	# Requests and replies alike: once through each device, forwarded once.
	expect_moved "$ns" nl0 "$b0" "$frames" "$bytes" &&
	expect_moved "$ns" nl1 "$b1" "$frames" "$bytes" &&
	expect_mib "$ns" "${FORW_MIB[$fam]}" "$forw" "$frames"
}

# Case 5: two namespaces, the same device name and address in each.
test_netns()
{
	local fam=$1 a b from to bfrom bto

	setup_ns a b && setup_loop "$a" "${ADDR[$fam]}" && setup_loop "$b" "${ADDR[$fam]}" ||
		fail "setup" || return
	for from in "$a" "$b"; do
		to=$a
		[[ $from == "$a" ]] && to=$b
		bfrom=$(counters "$from" nl0)
		bto=$(counters "$to" nl0)
		pings "$from" "$fam" "${ADDR[$fam]}" >/dev/null ||
			fail "no answer in $from" || return
		expect_moved "$from" nl0 "$bfrom" $((2 * PINGS)) \
			$((2 * PINGS * $(ping_frame "$fam"))) &&
		expect_moved "$to" nl0 "$bto" 0 0 || return
	done
}

# Case 6: a datagram above the MTU is fragmented before nl0 and reassembled
# after it; with DF it is refused.
test_frag()
{
	local fam=$1 ns before err i per frags bytes
	local -a names=(FragCreates FragOKs ReasmReqds ReasmOKs) want m0 m1

	setup_ns ns && setup_loop "$ns" "${ADDR[$fam]}" && ip -n "$ns" link set nl0 mtu "$MTU" ||
		fail "setup" || return
	# Each fragment carries what fits after the IP (and fragment) header,
	# in multiples of 8, of the UDP datagram (8 bytes of header, data).
	per=$(((MTU - IPHDR[$fam] - FRAGHDR[$fam]) & ~7))
	frags=$(((UDP_SIZE + 8 + per - 1) / per))
	bytes=$((frags * (14 + IPHDR[$fam] + FRAGHDR[$fam]) + UDP_SIZE + 8))

	want=("$frags" 1 "$frags" 1)
	names=("${names[@]/#/${MIB[$fam]}}")

	before=$(counters "$ns" nl0)
	read -r -a m0 <<<"$(nstat_get "$ns" "${names[@]}")"
	ip netns exec "$ns" "$XFER" udp-recv "${ADDR[$fam]}" "$PORT" 1 "$UDP_SIZE" >"$tmp/rx" &
	wait_listen "$ns" udp "$PORT" || return
	ip netns exec "$ns" "$XFER" udp-send "${ADDR[$fam]}" "$PORT" 1 "$UDP_SIZE" >/dev/null ||
		fail "udp-send failed" || return
	wait $! || fail "udp-recv: $(<"$tmp/rx")" || return
	expect_moved "$ns" nl0 "$before" "$frags" "$bytes" || return
	read -r -a m1 <<<"$(nstat_get "$ns" "${names[@]}")"
	for i in "${!names[@]}"; do
		((m1[i] - m0[i] == want[i])) ||
			fail "${names[i]} moved by $((m1[i] - m0[i])), want ${want[i]}" || return
	done

	before=$(counters "$ns" nl0)
	err=$(ip netns exec "$ns" "$XFER" -D udp-send "${ADDR[$fam]}" "$PORT" 1 "$UDP_SIZE" 2>&1) &&
		{ fail "sent $UDP_SIZE bytes with DF over MTU $MTU: $err"; return 1; }
	[[ $err == *"Message too long"* ]] || fail "with DF: $err" || return
	expect_moved "$ns" nl0 "$before" 0 0
}

# Case 7: TCP super-packets cross nl0 whole; without GSO they are
# segmented before it.
test_gso()
{
	local fam=$1 ns

	setup_ns ns && setup_loop "$ns" "${ADDR[$fam]}" && ip -n "$ns" link set nl0 mtu "$MTU" ||
		fail "setup" || return
	# The sizes TSO picks and the number of ACKs are up to TCP: a bound.
	# Super-packets of up to 64 KiB make it about 2 * TCP_BYTES / 64 KiB.
	tcp_through "$ns" "$fam" "$TCP_BYTES" || return
	((XFER_PACKETS < TCP_BYTES / (4 * XFER_MSS))) ||
		fail "GSO on: $XFER_PACKETS packets for $TCP_BYTES bytes, MSS $XFER_MSS" ||
		return
	ip netns exec "$ns" ethtool -K nl0 gso off tso off || fail "ethtool -K" || return
	# Segmented, a data packet carries at most one MSS.
	tcp_through "$ns" "$fam" "$TCP_BYTES" || return
	((XFER_PACKETS >= TCP_BYTES / XFER_MSS)) ||
		fail "GSO off: $XFER_PACKETS packets for $TCP_BYTES bytes, MSS $XFER_MSS"
}

require_cmd ip ping nstat ss ethtool "$XFER"
require_netloop

cases=()
for fam in 4 6; do
	cases+=(
	"IPv$fam: ping and TCP to a local address through nl0, exact counters:test_local $fam"
	"IPv$fam: the mark survives the loop, fwmark rules match looped packets:test_fwmark $fam"
	"IPv$fam: forwarded out nl0 until the TTL expires; dropped without forwarding:test_forward $fam"
	"IPv$fam: ip route get iif nl0 matches what packets experience:test_route_get $fam"
	"IPv$fam: two devices chained by rules on iif, one pass through each:test_chain $fam"
	"IPv$fam: traffic in one namespace leaves another's netloop alone:test_netns $fam"
	"IPv$fam: datagram over the MTU fragmented and reassembled, EMSGSIZE with DF:test_frag $fam"
	"IPv$fam: TCP crosses nl0 as GSO super-packets, segmented with GSO off:test_gso $fam"
	)
done
run_cases "${cases[@]}"
