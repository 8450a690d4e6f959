#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# netloop's checksum and segmentation offloads, IPv4 and IPv6: a datagram
# with a bad UDP checksum is verified after the loop and dropped; TCP is
# intact with transmit checksumming or scatter-gather turned off; UDP GSO
# super-packets loop whole (and are split by the core with the offload
# off); SCTP is intact with its CRC left to the device and computed in
# software.  Every check counts: packets on the device, the SNMP counters,
# bytes at the receiver.

# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "$0")")/lib.sh"

XFER=$lib_dir/xfer
INJECT=$lib_dir/inject
PORT=5001
N=10
BYTES=$((1 << 20))
# UDP GSO: SEGS datagrams of SIZE bytes per send, GSO_SENDS sends.
SEGS=8
SIZE=1000
GSO_SENDS=4
# test_bad_csum's datagrams: small, and over a page (non-linear skbs).
SMALL=8
LARGE=8000

# Per address family (4 or 6).  FAR is not local and not martian: the
# source of injected datagrams.
declare -A ADDR=([4]=192.0.2.1 [6]=2001:db8::1)
declare -A FAR=([4]=198.51.100.2 [6]=2001:db8:100::2)
declare -A UDP=([4]=Udp [6]=Udp6)
# ethtool -K's names and -k's.
declare -A FEATURE=([tx]=tx-checksumming [sg]=scatter-gather)

# loop_ns NSVAR FAM: a namespace with nl0 looping ADDR (setup_loop).
loop_ns()
{
	setup_ns "$1" && setup_loop "${!1}" "${ADDR[$2]}"
}

# A datagram injected on nl0 (AF_PACKET: its checksum not yet verified)
# comes back in on nl0 for ADDR's port 9, where nothing listens.  With a
# bad checksum it is dropped as a checksum error, before the port is
# looked up; with a good one it reaches the port lookup and counts in
# NoPorts.  A driver that marked looped packets CHECKSUM_UNNECESSARY
# would let the bad ones through to NoPorts.  test_bad_csum FAM LEN: with
# LEN bytes of data; LARGE, over a page, makes AF_PACKET put all but the
# Ethernet header in page fragments: eth_type_trans() in netloop's xmit
# gets a header and nothing more in the linear part, and the checksum,
# verified over all the data, shows that every byte arrived.
test_bad_csum()
{
	local fam=$1 ns rx0 bad out want c0 c1 p0 p1
	local csum=${UDP[$1]}InCsumErrors noports=${UDP[$1]}NoPorts
	local -a frame

	loop_ns ns "$fam" || fail "setup" || return
	frame=(-i nl0 -s "${FAR[$fam]}" -d "${ADDR[$fam]}" -c "$N" -l "$2")
	for bad in -x ""; do
		rx0=$(dev_stat "$ns" nl0 rx_packets)
		read -r c0 p0 <<<"$(nstat_get "$ns" "$csum" "$noports")"
		ip netns exec "$ns" "$INJECT" ${bad:+"$bad"} "${frame[@]}" ||
			fail "inject ${bad:+$bad }${frame[*]} failed" || return
		read -r c1 p1 <<<"$(nstat_get "$ns" "$csum" "$noports")"
		out="rx_packets $(($(dev_stat "$ns" nl0 rx_packets) - rx0)), $csum $((c1 - c0)), $noports $((p1 - p0))"
		want="rx_packets $N, $csum $N, $noports 0"
		[[ -z $bad ]] && want="rx_packets $N, $csum 0, $noports $N"
		[[ $out == "$want" ]] ||
			fail "${bad:-good} checksums: $out; want $want" || return
	done
}

# stream NS FAM PROTO: BYTES over PROTO (tcp or sctp) to ADDR, which
# crosses nl0; fails unless every byte arrived with the sender's hash, and
# nl0 carried packets.
stream()
{
	local ns=$1 rx0

	rx0=$(dev_stat "$ns" nl0 rx_packets)
	transfer "$ns" "$3" "${ADDR[$2]}" "$PORT" "$BYTES" || return
	(($(dev_stat "$ns" nl0 rx_packets) > rx0)) || fail "$3 did not cross nl0"
}

# features NS: nl0's ethtool -k lines, one string.
features()
{
	ip netns exec "$1" ethtool -k nl0 | tr -s '\t\n' ' '
}

# TCP with the transmit checksum computed before the loop (tx off, which
# also turns off TSO), and with linear packets only (sg off, which turns
# off TSO and GSO's use of page fragments).  (7.x keeps its new
# tx-tcp-accecn-segmentation on, so -k's summary "tcp-segmentation-offload"
# stays on: check tx-tcp-segmentation itself.)
test_csum_off()
{
	local fam=$1 ns f errs0 errs

	loop_ns ns "$fam" || fail "setup" || return
	stream "$ns" "$fam" tcp || return
	errs0=$(nstat_get "$ns" TcpInCsumErrors)
	for f in tx sg; do
		ip netns exec "$ns" ethtool -K nl0 "$f" off >/dev/null ||
			fail "ethtool -K nl0 $f off" || return
		[[ $(features "$ns") == *"${FEATURE[$f]}: off"*"tx-tcp-segmentation: off"* ]] ||
			fail "after $f off: $(features "$ns")" || return
		stream "$ns" "$fam" tcp || return
		ip netns exec "$ns" ethtool -K nl0 "$f" on >/dev/null || fail "ethtool -K nl0 $f on" || return
	done
	errs=$(nstat_get "$ns" TcpInCsumErrors)
	((errs == errs0)) || fail "TcpInCsumErrors moved by $((errs - errs0))"
}

# udp_gso NS FAM WANT: GSO_SENDS sends of SEGS datagrams each (UDP_SEGMENT)
# all arrive intact as separate datagrams, and nl0's rx_packets moves by
# WANT.
udp_gso()
{
	local ns=$1 addr=${ADDR[$2]} count=$((GSO_SENDS * SEGS)) rx0 rx moved

	rx0=$(dev_stat "$ns" nl0 rx_packets)
	ip netns exec "$ns" "$XFER" -t 2 udp-recv "$addr" "$PORT" "$count" "$SIZE" >"$tmp/rx" &
	wait_listen "$ns" udp "$PORT" || return
	ip netns exec "$ns" "$XFER" -G "$SEGS" udp-send "$addr" "$PORT" "$count" "$SIZE" >/dev/null ||
		fail "udp-send -G $SEGS failed" || return
	wait $!
	rx=$(<"$tmp/rx")
	[[ $(field datagrams "$rx") == "$count" && $(field bad "$rx") == 0 ]] ||
		fail "sent $count datagrams in $GSO_SENDS sends, received: $rx" || return
	moved=$(($(dev_stat "$ns" nl0 rx_packets) - rx0))
	((moved == $3)) || fail "nl0 rx_packets moved by $moved, want $3"
}

# UDP GSO: each send of SEGS datagrams crosses nl0 as one super-packet and
# is split at the receiving socket; with tx-udp-segmentation off the core
# splits it before nl0, which then carries every datagram.
test_udp_gso()
{
	local fam=$1 ns

	loop_ns ns "$fam" || fail "setup" || return
	udp_gso "$ns" "$fam" "$GSO_SENDS" || return
	ip netns exec "$ns" ethtool -K nl0 tx-udp-segmentation off >/dev/null ||
		fail "ethtool -K nl0 tx-udp-segmentation off" || return
	udp_gso "$ns" "$fam" $((GSO_SENDS * SEGS))
}

# SCTP leaves its CRC32c to a device with SCTP_CRC, as to lo: the looped
# packet arrives with the checksum still partial, which the receiver
# trusts.  With tx-checksum-sctp off, SCTP computes the CRC itself and the
# receiver verifies it.
test_sctp()
{
	local fam=$1 ns

	# ss finds SCTP sockets through sctp_diag.
	modprobe sctp && modprobe sctp_diag || fail "no sctp or sctp_diag module" || return
	loop_ns ns "$fam" || fail "setup" || return
	[[ $(features "$ns") == *"tx-checksum-sctp: on"* ]] ||
		fail "tx-checksum-sctp off: $(features "$ns")" || return
	stream "$ns" "$fam" sctp || return
	ip netns exec "$ns" ethtool -K nl0 tx-checksum-sctp off >/dev/null ||
		fail "ethtool -K nl0 tx-checksum-sctp off" || return
	[[ $(features "$ns") == *"tx-checksum-sctp: off"* ]] ||
		fail "tx-checksum-sctp still on: $(features "$ns")" || return
	stream "$ns" "$fam" sctp
}

require_cmd ip nstat ethtool modprobe
require_netloop
[[ -x $XFER && -x $INJECT ]] || skip_all "xfer or inject helper not built"
cases=()
for fam in 4 6; do
	cases+=(
	"IPv$fam: bad UDP checksum looped through nl0 dropped and counted, good one delivered:test_bad_csum $fam $SMALL"
	"IPv$fam: the same with the data in page fragments, header alone in the linear part:test_bad_csum $fam $LARGE"
	"IPv$fam: TCP intact with tx checksumming off and with scatter-gather off:test_csum_off $fam"
	"IPv$fam: UDP GSO super-packets cross nl0 whole, split by the core with the offload off:test_udp_gso $fam"
	"IPv$fam: SCTP intact with the CRC left partial and computed in software:test_sctp $fam"
	)
done
run_cases "${cases[@]}"
