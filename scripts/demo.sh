#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What `make demo` runs inside the VM: netloop at work.  Two devices are
# created, 192.0.2.1 on lo1 is made reachable only through lo1 by policy
# routing, and ping and iperf3 traffic to it is looped by lo1 and delivered.
set -euo pipefail

ADDR=192.0.2.1

run()
{
	printf '\n$ %s\n' "$*"
	"$@"
}

run modprobe netloop
run ip link add lo1 type netloop
run ip link add lo2 type netloop
run ip -d link show lo1

# No IPv6 link-local address: its router solicitations would show in the
# counters next to the 2 packets per ping.
run ip link set lo1 addrgenmode none
run ip addr add "$ADDR/32" dev lo1
run ip link set lo1 up

# Local addresses are found in table local, which normally comes first:
# send ADDR out lo1 (pref 20), deliver what lo1 loops back (pref 10).
run ip rule add pref 1000 lookup local
run ip rule del pref 0
run ip rule add pref 10 iif lo1 lookup local
run ip rule add pref 20 to "$ADDR" lookup 100
run ip route add "$ADDR" dev lo1 table 100
run ip rule show
run ip route get "$ADDR"

run ping -c 3 -i 0.2 "$ADDR"
run ip -s link show lo1

iperf3 -s -1 -D -B "$ADDR"
sleep 1
run iperf3 -c "$ADDR" -t 3 -f m
run ip -s link show lo1
run ip -s link show lo
run ethtool -i lo1
run ethtool -k lo1 | grep -E 'segmentation-offload|scatter-gather|checksumming'
run ip link del lo2
run ip -br link show type netloop
