#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# netloop basics: module load and numdevs, device creation and deletion,
# namespaces, MTU bounds, carrier, ethtool, a ping looped through a device
# with exact counters, backlog refusals in rx_dropped, and rmmod with
# devices present.

# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "$0")")/lib.sh"

ADDR=192.0.2.1
PINGS=5
# An echo request or reply of ping's default 56 bytes: Ethernet 14, IPv4 20,
# ICMP 8.
PING_FRAME=$((14 + 20 + 8 + 56))

# netloop_names [NS]: the netloop devices in NS (default: this namespace).
netloop_names()
{
	ip ${1:+-n "$1"} -o link show type netloop | awk -F': ' '{ print $2 }' |
		paste -sd ' '
}

# ping_counted NS: PINGS echoes to ADDR all answered, and nl0's tx and rx
# counters each moved by exactly 2 * PINGS packets (requests and replies).
ping_counted()
{
	local ns=$1 c before after want_p=$((2 * PINGS))
	local want_b=$((2 * PINGS * PING_FRAME))
	local -A b

	for c in tx_packets rx_packets tx_bytes rx_bytes; do
		b[$c]=$(dev_stat "$ns" nl0 "$c")
	done
	ip netns exec "$ns" ping -q -c "$PINGS" -i 0.2 -W 2 "$ADDR" >/dev/null ||
		fail "ping $ADDR through nl0 got no answer" || return
	for c in tx_packets rx_packets tx_bytes rx_bytes; do
		before=${b[$c]}
		after=$(dev_stat "$ns" nl0 "$c")
		if [[ $c == *packets ]]; then
			((after - before == want_p)) ||
				fail "$c moved by $((after - before)), want $want_p" || return
		else
			((after - before == want_b)) ||
				fail "$c moved by $((after - before)), want $want_b" || return
		fi
	done
}

test_load()
{
	modprobe -r netloop 2>/dev/null
	modprobe netloop || fail "modprobe netloop failed" || return
	[[ -d /sys/module/netloop ]] || fail "no /sys/module/netloop" || return
	[[ -z $(netloop_names) ]] || fail "devices created without numdevs"
}

test_create_delete()
{
	local ns mac0 mac2 info

	setup_ns ns || return
	for i in 0 1 2; do
		ip -n "$ns" link add "nl$i" type netloop || fail "add nl$i" || return
	done
	[[ $(netloop_names "$ns") == "nl0 nl1 nl2" ]] || fail "want 3 devices" || return
	ip -n "$ns" link del nl1 || fail "del nl1" || return
	[[ $(netloop_names "$ns") == "nl0 nl2" ]] || fail "want nl0 and nl2 left" || return

	info=$(ip -n "$ns" -d link show nl0)
	[[ $info == *",NOARP>"* && $info == *"mtu 65536"* && $info == *"netloop"* ]] ||
		fail "unexpected flags, MTU or kind: $info" || return
	mac0=$(ip netns exec "$ns" cat /sys/class/net/nl0/address)
	mac2=$(ip netns exec "$ns" cat /sys/class/net/nl2/address)
	[[ $mac0 != "$mac2" ]] || fail "two devices share MAC $mac0" || return
	# eth_random_addr(): unicast, locally administered.
	(((16#${mac0:0:2} & 3) == 2)) || fail "MAC $mac0 is not a random one"
}

test_numdevs()
{
	local n

	modprobe -r netloop || fail "modprobe -r netloop" || return
	modprobe netloop numdevs=2 || fail "modprobe netloop numdevs=2" || return
	n=$(netloop_names)
	[[ $n == "netloop0 netloop1" ]] || fail "numdevs=2 made '$n'" || return
	[[ $(cat /sys/module/netloop/parameters/numdevs) == 2 ]] ||
		fail "numdevs parameter does not read back" || return
	modprobe -r netloop || fail "modprobe -r with numdevs devices" || return
	[[ -z $(netloop_names) ]] || fail "numdevs devices left after unload" || return

	! modprobe netloop numdevs=4097 2>/dev/null ||
		fail "numdevs=4097 was accepted" || return
	kernel_log | grep -q 'numdevs=4097 is above the maximum of 4096' ||
		fail "no message for numdevs=4097" || return
	! modprobe netloop numdevs=-1 2>/dev/null ||
		fail "numdevs=-1 was accepted" || return
	modprobe netloop || fail "reload"
}

test_netns()
{
	local a b

	setup_ns a b && setup_loop "$a" "$ADDR" || fail "setup in $a" || return
	ping_counted "$a" || return
	ip -n "$a" link set nl0 netns "$b" || fail "move to $b" || return
	! ip -n "$a" link show nl0 &>/dev/null || fail "nl0 still in $a" || return
	# The move takes the device down and its addresses and IPv6 settings
	# away: loop in the new namespace as in the old.
	ip -n "$b" -batch - <<-EOF && loop_route "$b" nl0 "$ADDR" || fail "set up nl0 in $b" || return
		link set nl0 addrgenmode none
		link set nl0 up
		addr add $ADDR/32 dev nl0
	EOF
	ping_counted "$b" || return
	# Its devices go with the namespace, deleted rather than moved to the
	# initial one as devices without rtnl_link_ops are; a leak would show
	# in the log as "waiting for nl0 to become free".
	ip netns del "$b" || fail "delete $b" || return
	! slowwait 3 ip link show nl0 &>/dev/null || fail "nl0 moved to the initial namespace"
}

test_mtu()
{
	local ns err

	setup_ns ns || return
	err=$(ip -n "$ns" link add nl0 mtu 67 type netloop 2>&1) &&
		{ fail "MTU 67 accepted"; return 1; }
	[[ $err == *"mtu less than device minimum"* ]] ||
		fail "MTU 67: unexpected message '$err'" || return
	! ip -n "$ns" link show nl0 &>/dev/null || fail "MTU 67 left nl0 behind" || return

	ip -n "$ns" link add nl0 mtu 68 type netloop || fail "MTU 68 refused" || return
	ip -n "$ns" link set nl0 mtu 65536 || fail "MTU 65536 refused" || return
	err=$(ip -n "$ns" link set nl0 mtu 65537 2>&1) &&
		{ fail "MTU 65537 accepted"; return 1; }
	[[ $err == *"mtu greater than device maximum"* ]] ||
		fail "MTU 65537: unexpected message '$err'" || return
	[[ $(ip netns exec "$ns" cat /sys/class/net/nl0/mtu) == 65536 ]] ||
		fail "MTU changed by a refused request"
}

test_ping()
{
	local ns route

	setup_ns ns && setup_loop "$ns" "$ADDR" || fail "setup" || return
	route=$(ip -n "$ns" route get "$ADDR")
	[[ $route == *"dev nl0 table 100"* ]] || fail "route to $ADDR: $route" || return
	ping_counted "$ns"
}

test_mac_change()
{
	local ns

	setup_ns ns && setup_loop "$ns" "$ADDR" || fail "setup" || return
	ping_counted "$ns" || return
	ip -n "$ns" link set nl0 address 02:00:5e:10:00:01 ||
		fail "live MAC change refused" || return
	[[ $(ip netns exec "$ns" cat /sys/class/net/nl0/address) == 02:00:5e:10:00:01 ]] ||
		fail "MAC did not change" || return
	ping_counted "$ns" || return
	! ip -n "$ns" link set nl0 address 01:00:5e:10:00:01 2>/dev/null ||
		fail "multicast MAC accepted"
}

test_carrier()
{
	local ns tx

	setup_ns ns && setup_loop "$ns" "$ADDR" || fail "setup" || return
	ip -n "$ns" link set nl0 carrier off || fail "carrier off refused" || return
	[[ $(ip netns exec "$ns" cat /sys/class/net/nl0/carrier) == 0 ]] ||
		fail "carrier still on" || return
	ip netns exec "$ns" ethtool nl0 | grep -q 'Link detected: no' ||
		fail "ethtool still detects a link" || return
	ip -n "$ns" route show table 100 | grep -q linkdown ||
		fail "route not marked linkdown" || return
	tx=$(dev_stat "$ns" nl0 tx_packets)
	! ip netns exec "$ns" ping -q -c 2 -i 0.2 -W 1 "$ADDR" >/dev/null ||
		fail "ping answered without carrier" || return
	(($(dev_stat "$ns" nl0 tx_packets) == tx)) ||
		fail "packets looped without carrier" || return
	ip -n "$ns" link set nl0 carrier on || fail "carrier on refused" || return
	ip netns exec "$ns" ethtool nl0 | grep -q 'Link detected: yes' ||
		fail "ethtool detects no link" || return
	ping_counted "$ns"
}

test_ethtool()
{
	local ns out

	setup_ns ns || return
	ip -n "$ns" link add nl0 type netloop || return
	out=$(ip netns exec "$ns" ethtool -i nl0)
	[[ $out == *"driver: netloop"* && $out == *"version: 0.1.0"* ]] ||
		fail "ethtool -i: $out" || return
	out=$(ip netns exec "$ns" ethtool -k nl0)
	for f in "scatter-gather: on" "tcp-segmentation-offload: on" \
		 "generic-segmentation-offload: on" "tx-checksumming: on" \
		 "rx-checksumming: on [fixed]" "highdma: on [fixed]"; do
		[[ $out == *"$f"* ]] || fail "ethtool -k lacks '$f'" || return
	done
	ip netns exec "$ns" ethtool -K nl0 tso off gso off ||
		fail "ethtool -K tso off gso off" || return
	out=$(ip netns exec "$ns" ethtool -k nl0)
	[[ $out == *"tcp-segmentation-offload: off"* &&
	   $out == *"generic-segmentation-offload: off"* ]] ||
		fail "TSO/GSO did not turn off" || return
	out=$(ip netns exec "$ns" ethtool -T nl0)
	[[ $out == *"software-transmit"* ]] || fail "ethtool -T: $out" || return
	# The standard counters hold all there is: no ethtool -S.
	! ip netns exec "$ns" ethtool -S nl0 &>/dev/null ||
		fail "ethtool -S reports driver statistics"
}

# softnet_stat COLUMN: a column of /proc/net/softnet_stat (1: packets the
# receive path processed, 2: packets the backlog refused) summed over the
# per-CPU lines, which are in hex.  Global: the VM has no other traffic.
softnet_stat()
{
	local -a v
	local sum=0

	while read -r -a v; do
		sum=$((sum + 16#${v[$1 - 1]}))
	done </proc/net/softnet_stat
	echo "$sum"
}

# With MTU 1500 and TSO off (GSO on), the core splits each TCP
# super-packet into many segments and hands nl0 them in one go; a backlog
# that takes no second packet refuses all but the first.  The core counts
# each refusal in nl0's rx_dropped and in /proc/net/softnet_stat; what the
# backlog accepted is what tx and rx count, and what the receive path
# processed.
test_backlog_drops()
{
	local ns drops0 proc0 refused0 tx0 drops proc refused looped max ok

	setup_ns ns && setup_loop "$ns" "$ADDR" || fail "setup" || return
	ip -n "$ns" link set nl0 mtu 1500 &&
		ip netns exec "$ns" ethtool -K nl0 tso off || fail "mtu, tso" || return
	drops0=$(dev_stat "$ns" nl0 rx_dropped)
	tx0=$(dev_stat "$ns" nl0 tx_packets)
	proc0=$(softnet_stat 1)
	refused0=$(softnet_stat 2)
	max=$(sysctl -n net.core.netdev_max_backlog)
	sysctl_set net.core.netdev_max_backlog=0
	transfer "$ns" tcp "$ADDR" 5001 $((4 << 20))
	ok=$?
	sysctl -qw net.core.netdev_max_backlog="$max"
	((ok == 0)) || return
	# Let the last FIN and ACK through the receive path.
	sleep 1
	drops=$(($(dev_stat "$ns" nl0 rx_dropped) - drops0))
	looped=$(($(dev_stat "$ns" nl0 tx_packets) - tx0))
	proc=$(($(softnet_stat 1) - proc0))
	refused=$(($(softnet_stat 2) - refused0))
	echo "# backlog refused $refused, processed $proc; nl0 rx_dropped +$drops, tx_packets +$looped"
	((refused > 0)) || fail "no backlog refusals with netdev_max_backlog=0" || return
	((drops == refused)) ||
		fail "rx_dropped moved by $drops, the backlog refused $refused" || return
	((looped == proc)) ||
		fail "tx_packets moved by $looped, the receive path processed $proc" || return
	(($(dev_stat "$ns" nl0 rx_packets) == $(dev_stat "$ns" nl0 tx_packets) &&
	  $(dev_stat "$ns" nl0 rx_bytes) == $(dev_stat "$ns" nl0 tx_bytes))) ||
		fail "rx and tx differ"
}

test_rmmod()
{
	local a b

	setup_ns a b || return
	ip -n "$a" link add nl0 type netloop && ip -n "$a" link add nl1 type netloop &&
		ip -n "$b" link add nl0 type netloop || fail "add" || return
	ip -n "$a" link set nl0 up
	modprobe -r netloop || fail "rmmod with devices present failed" || return
	[[ -z $(netloop_names "$a")$(netloop_names "$b") ]] ||
		fail "devices left after rmmod"
}

require_cmd ip ethtool ping modprobe
[[ -x $lib_dir/xfer ]] || skip_all "xfer helper not built"
run_cases \
	"module loads:test_load" \
	"create three devices, delete one:test_create_delete" \
	"numdevs creates devices at load:test_numdevs" \
	"device looping in a namespace, moved, deleted with its namespace:test_netns" \
	"MTU bounds 68..65536 enforced with a message:test_mtu" \
	"ping looped through nl0 by policy routing, exact counters:test_ping" \
	"live MAC change keeps looping:test_mac_change" \
	"carrier off loops nothing, on restores:test_carrier" \
	"ethtool -i, -k, -K and -T, no ethtool -S:test_ethtool" \
	"backlog refusals counted exactly once, in rx_dropped:test_backlog_drops" \
	"rmmod with devices present removes them:test_rmmod"
