#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# netloop under stress: module unload racing traffic, namespace churn,
# device churn and scale against dummy, state flips under load, concurrent
# counter readers, bad input and a netlink fuzzer.  Every scenario runs
# with live traffic (ping -f, UDP floods, TCP) through netloop devices,
# is bounded in count and time, and ends by checking that the devices it
# made are gone and that memory came back (see mem_check).  The kernel
# log is checked after each case and once more at the end.
#
# NETLOOP_STRESS=short (default, part of the kselftest list) or full (the
# issue's numbers: make stress).  NETLOOP_FUZZ_SEED fixes the fuzzer seed.

# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "$0")")/lib.sh"

XFER=$lib_dir/xfer
NLFUZZ=$lib_dir/nlfuzz
MODE=${NETLOOP_STRESS:-short}

case $MODE in
short)
	UNLOAD_CYCLES=2 NS_TOTAL=6 NS_PAR=3 CHURN=100 SCALE=200
	FLIP_ROUNDS=1 READ_SECS=4 FUZZ=2000 RACES=5
	;;
full)
	UNLOAD_CYCLES=50 NS_TOTAL=500 NS_PAR=4 CHURN=5000 SCALE=10000
	FLIP_ROUNDS=30 READ_SECS=60 FUZZ=100000 RACES=100
	;;
*)
	echo "NETLOOP_STRESS must be short or full, not '$MODE'" >&2
	exit 2
	;;
esac

# Memory must come back to within these of where a case started, after
# dropping caches and shrinking every slab cache.  What the kernel keeps
# for itself after a churn (per-CPU partial slabs, rhashtables and idr
# layers that grew, RCU-deferred frees, percpu chunks) stays in single
# MiB here; one leaked netdev costs 10 KiB or more (net_device, its
# kobjects and sysfs nodes, inet/inet6 state), so a leak per cycle shows
# as tens of MiB in the full run.  The short run only catches big leaks.
SLAB_BOUND_KB=16384
AVAIL_BOUND_KB=32768

# Traffic flowed: a netloop device under ping -f loops hundreds of packets
# a second even under TCG, a UDP flood more; the kernel's own (router
# solicitations, MLD) comes to a few.
TRAFFIC_MIN=100

A4=192.0.2.1
B4=192.0.2.2
A6=2001:db8::1

BG=()

# bg CMD...: run CMD niced in the background; stop_bg ends it.
bg()
{
	bg_out /dev/null "$@"
}

# bg_out FILE CMD...: bg, CMD's output to FILE.
bg_out()
{
	local dest=$1

	shift
	nice -n 5 "$@" >"$dest" 2>&1 &
	BG+=($!)
}

stop_bg()
{
	((${#BG[@]})) || return 0
	kill "${BG[@]}" 2>/dev/null
	wait "${BG[@]}" 2>/dev/null
	BG=()
}

# netloop_count [NS]: how many netloop devices NS (default: here) holds.
netloop_count()
{
	ip ${1:+-n "$1"} -o link show type netloop 2>/dev/null | wc -l
}

# ns_count: how many named namespaces exist.
ns_count()
{
	ip netns list | wc -l
}

# loop_devs NS DEV ADDR...: in NS, one netloop device per ADDR (DEV0,
# DEV1, ...), up, each routed to itself as loop_route does, in one ip run.
loop_devs()
{
	local ns=$1 dev=$2 i=0 a

	shift 2
	{
		echo "rule add pref 1000 lookup local"
		echo "rule del pref 0"
		for a; do
			echo "link add $dev$i type netloop"
			echo "addr add $a/32 dev $dev$i"
			echo "link set $dev$i up"
			echo "rule add pref 10 iif $dev$i lookup local"
			echo "rule add pref 20 to $a lookup 100"
			echo "route add $a dev $dev$i table 100"
			i=$((i + 1))
		done
	} | ip -n "$ns" -4 -batch -
}

# flood NS ADDR SECS PORT: ping -f and a UDP flood to ADDR for SECS.  The
# sender waits for the receiver, and the receiver for the sender as long
# as a loaded TCG guest may take to start it: one datagram to a port not
# bound and the next send fails (ECONNREFUSED), which ends the flood.
flood()
{
	local ns=$1 a=$2 s=$3 port=$4

	bg ip netns exec "$ns" "$XFER" -t 30 udp-recv "$a" "$port" 0 1000
	slowwait 30 bound "$ns" udp "$port" ||
		fail "no UDP receiver on port $port in $ns in 30 s" || return
	bg ip netns exec "$ns" "$XFER" -t 2 -T "$s" udp-send "$a" "$port" 0 1000
	bg ip netns exec "$ns" ping -f -q -w "$s" "$a"
}

# counters NS NAME...: one line of counters read in NS by one process: a
# device's tx_packets for a device NAME, the namespace's UdpInDatagrams
# for "udp", its TCP InSegs (MSS-sized segments) for "tcp".  A netloop
# device counts what it looped, once.
counters()
{
	local ns=$1

	shift
	# shellcheck disable=SC2016 # awk's fields, in awk's program
	ip netns exec "$ns" awk -v names="$*" 'BEGIN {
		while ((getline l < "/proc/net/snmp") > 0) {
			split(l, f)
			if (f[1] == "Udp:" && f[2] ~ /^[0-9]/)
				v["udp"] = f[2]
			if (f[1] == "Tcp:" && f[2] ~ /^[0-9]/)
				v["tcp"] = f[11]
		}
		n = split(names, w, " ")
		for (i = 1; i <= n; i++) {
			if (!(w[i] in v))
				getline v[w[i]] < ("/sys/class/net/" w[i] "/statistics/tx_packets")
			printf "%d%s", v[w[i]], i < n ? " " : "\n"
		}
	}'
}

declare -A MARK

# mark NS NAME...: remember the counters (see counters) as traffic starts.
mark()
{
	local ns=$1 n i=0
	local -a v

	shift
	read -r -a v <<<"$(counters "$ns" "$@")"
	for n; do
		MARK[$ns/$n]=${v[i++]}
	done
}

# moved NS SECS MIN NAME...: every NAME's counter went at least MIN past
# its mark, waiting up to SECS (0: as it stands) for the traffic to get
# there.  Sets MOVED to what each one moved ("nl0 +812 udp +310").
moved()
{
	local ns=$1 end=$((SECONDS + $2)) min=$3 n i short
	local -a v

	shift 3
	while :; do
		read -r -a v <<<"$(counters "$ns" "$@")"
		i=0 short='' MOVED=''
		for n; do
			MOVED+="$n +$((v[i] - MARK[$ns/$n])) "
			((v[i] - MARK[$ns/$n] >= min)) || short+="$n "
			i=$((i + 1))
		done
		MOVED=${MOVED% }
		[[ -z $short ]] && return 0
		((SECONDS < end)) || break
		sleep 0.2
	done
	fail "traffic in $ns did not flow: ${short% } moved less than $min ($MOVED)"
}

declare -A TCP_PIDS

# tcp_stream NS ADDR PORT: one checked TCP stream to ADDR in NS, from now
# until tcp_stream_end: a flow that must survive a disruption runs across
# all of it, on one connection.
tcp_stream()
{
	local ns=$1 a=$2 port=$3 file=$tmp/tcp.$1.$3 r

	bg_out "$file.recv" ip netns exec "$ns" "$XFER" -t 30 tcp-recv "$a" "$port"
	r=$!
	slowwait 30 bound "$ns" tcp "$port" ||
		fail "no TCP listener on port $port in $ns in 30 s" || return
	bg_out "$file.send" ip netns exec "$ns" "$XFER" -t 30 tcp-send "$a" "$port" 0
	TCP_PIDS[$ns.$port]="$! $r"
}

# tcp_stream_end NS PORT: end tcp_stream's stream, which both ends must
# have carried to the end with every byte intact.  Sets TCP_SENT (bytes).
tcp_stream_end()
{
	local file=$tmp/tcp.$1.$2 s r src rrc sent got

	read -r s r <<<"${TCP_PIDS[$1.$2]}"
	kill -TERM "$s"
	wait "$s"
	src=$?
	wait "$r"
	rrc=$?
	sent=$(<"$file.send") got=$(<"$file.recv")
	TCP_SENT=$(field bytes "$sent")
	if ((src || rrc || TCP_SENT <= 0)) ||
	   [[ $(field bytes "$got") != "$TCP_SENT" ||
	      $(field fnv "$got") != "$(field fnv "$sent")" ]]; then
		fail "TCP in $1: sent '$sent' (exit $src), received '$got' (exit $rrc)"
	fi
}

# mem_settle: give back what can be given back, then read Slab, Percpu and
# MemAvailable into MEM_SLAB, MEM_PCPU, MEM_AVAIL.
mem_settle()
{
	local f

	sleep 0.5
	echo 3 >/proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$f" 2>/dev/null
	done
	MEM_SLAB=$(meminfo Slab)
	MEM_PCPU=$(meminfo Percpu)
	MEM_AVAIL=$(meminfo MemAvailable)
}

# mem_mark: where memory stands as a case starts.
mem_mark()
{
	CASE_T0=$SECONDS
	mem_settle
	MEM0_SLAB=$MEM_SLAB MEM0_AVAIL=$MEM_AVAIL MEM0_PCPU=$MEM_PCPU
}

# mem_check: memory back within the bounds of mem_mark's; a few tries, as
# namespaces and RCU free late.
mem_check()
{
	local i ds da

	for ((i = 0; i < 5; i++)); do
		mem_settle
		ds=$((MEM_SLAB - MEM0_SLAB))
		da=$((MEM0_AVAIL - MEM_AVAIL))
		((ds <= SLAB_BOUND_KB && da <= AVAIL_BOUND_KB)) && break
		sleep 2
	done
	echo "# memory: Slab ${ds} kB, MemAvailable $((-da)) kB, Percpu $((MEM_PCPU - MEM0_PCPU)) kB from start (bounds ${SLAB_BOUND_KB}, ${AVAIL_BOUND_KB})"
	((ds <= SLAB_BOUND_KB)) || fail "Slab grew by $ds kB" || return
	((da <= AVAIL_BOUND_KB)) || fail "MemAvailable fell by $da kB"
}

# unload: remove netloop, which waits for namespaces being cleaned up
# (pernet_ops_rwsem); a device that is never freed hangs it.
unload()
{
	[[ -d /sys/module/netloop ]] || return 0
	timeout 300 modprobe -r netloop || fail "modprobe -r netloop failed"
}

# end_case: the checks every scenario ends with.
end_case()
{
	stop_bg
	cleanup_all_ns
	unload || return
	(($(ns_count) == NS0)) || fail "$(ns_count) namespaces left, want $NS0" || return
	mem_check || return
	echo "# $((SECONDS - CASE_T0)) s"
	kernel_log_clean || return
	modprobe netloop || fail "modprobe netloop"
}

# (a) rmmod with devices present and traffic running, and (odd cycles)
# `ip link del` of every device racing rmmod.
test_unload()
{
	local i a b ns pids

	mem_mark
	for ((i = 0; i < UNLOAD_CYCLES; i++)); do
		modprobe netloop || fail "modprobe netloop" || return
		setup_ns a b || return
		for ns in "$a" "$b"; do
			loop_devs "$ns" nl "$A4" "$B4" || fail "setup $ns" || return
			mark "$ns" nl0 nl1 udp
			# These die with the devices: their exit codes do not
			# count, what they looped before does.
			flood "$ns" "$A4" 10 5001 || return
			bg ip netns exec "$ns" ping -f -q -w 10 "$B4"
		done
		# Through lo: the unload must leave it alone (flush_backlog).
		mark "$a" tcp
		tcp_stream "$a" 127.0.0.1 5003 || return
		moved "$a" 30 "$TRAFFIC_MIN" nl0 nl1 udp tcp || return
		moved "$b" 30 "$TRAFFIC_MIN" nl0 nl1 udp || return
		echo "# cycle $i: before the unload $MOVED in $b"
		if ((i % 2)); then
			pids=()
			for ns in "$a" "$b"; do
				ip -n "$ns" link del nl0 2>/dev/null & pids+=($!)
				ip -n "$ns" link del nl1 2>/dev/null & pids+=($!)
			done
			modprobe -r netloop 2>/dev/null & pids+=($!)
			wait "${pids[@]}"
		fi
		unload || return
		for ns in "$a" "$b"; do
			! ip -n "$ns" -o link show | grep -q ' nl[01]' ||
				fail "devices left in $ns after unload (cycle $i)" || return
		done
		tcp_stream_end "$a" 5003 || return
		echo "# cycle $i: $((TCP_SENT >> 20)) MiB of TCP through lo intact across the unload"
		stop_bg
		cleanup_all_ns
	done
	echo "# $UNLOAD_CYCLES unload cycles, $((UNLOAD_CYCLES / 2)) of them racing ip link del"
	end_case
}

# ns_worker ID COUNT: COUNT namespaces one after another, each with two
# netloop devices under traffic, deleted while the traffic runs.
ns_worker()
{
	local id=$1 n=$2 k ns

	for ((k = 0; k < n; k++)); do
		ns=stress-$$-$id-$k
		ip netns add "$ns" || fail "ip netns add $ns" || return
		ip -n "$ns" link set lo up
		loop_devs "$ns" nl "$A4" "$B4" || fail "devices in $ns" || return
		mark "$ns" nl0 nl1 udp
		# These die with the namespace: their exit codes do not
		# count, what they looped before it goes does.
		bg ip netns exec "$ns" ping -f -q -w 10 "$B4"
		if ! flood "$ns" "$A4" 10 5001 ||
		   ! moved "$ns" 30 "$TRAFFIC_MIN" nl0 nl1 udp; then
			ip netns del "$ns"
			stop_bg
			return 1
		fi
		ip netns del "$ns" || fail "ip netns del $ns" || return
		# The namespace, unnamed now, dies with its last process.
		stop_bg
	done
}

# (b) NS_TOTAL namespaces created and destroyed, NS_PAR at a time.
test_ns_churn()
{
	local w pids=() t0=$SECONDS rc=0

	mem_mark
	for ((w = 0; w < NS_PAR; w++)); do
		ns_worker "$w" $((NS_TOTAL / NS_PAR)) & pids+=($!)
	done
	for w in "${pids[@]}"; do
		wait "$w" || rc=1
	done
	((rc == 0)) || fail "a namespace worker failed" || return
	echo "# $((NS_TOTAL / NS_PAR * NS_PAR)) namespaces with 2 devices each, $NS_PAR at once, in $((SECONDS - t0)) s"
	end_case
}

# churn_worker NS N: N device create/delete cycles in NS, as one ip run.
churn_worker()
{
	local i

	for ((i = 0; i < $2; i++)); do
		echo "link add c$i type netloop"
		((i % 8)) || echo "link set c$i up"
		echo "link del c$i"
	done | ip -n "$1" -batch -
}

# (c) CHURN create/delete cycles in two namespaces at once, while both
# loop traffic through a device that stays: ping -f in both, checked TCP
# transfers in one, which must flow all along and arrive intact.
test_dev_churn()
{
	local a b ns t0 p1 p2 us

	mem_mark
	setup_ns a b || return
	for ns in "$a" "$b"; do
		loop_devs "$ns" nl "$A4" || fail "setup $ns" || return
		mark "$ns" nl0
		bg ip netns exec "$ns" ping -f -q -w 600 "$A4"
	done
	mark "$a" tcp
	tcp_stream "$a" "$A4" 5002 || return
	moved "$a" 30 "$TRAFFIC_MIN" nl0 tcp || return
	moved "$b" 30 "$TRAFFIC_MIN" nl0 || return
	mark "$a" nl0 tcp
	mark "$b" nl0
	t0=$EPOCHREALTIME
	churn_worker "$a" $((CHURN / 2)) & p1=$!
	churn_worker "$b" $((CHURN / 2)) & p2=$!
	wait "$p1" || fail "churn in $a failed" || return
	wait "$p2" || fail "churn in $b failed" || return
	us=$(((${EPOCHREALTIME/[.,]/} - ${t0/[.,]/}) / CHURN))
	echo "# $CHURN device create/delete cycles in $((us * CHURN / 1000000)) s, $us us per cycle"
	moved "$b" 0 "$TRAFFIC_MIN" nl0 || return
	moved "$a" 0 "$TRAFFIC_MIN" nl0 tcp || return
	tcp_stream_end "$a" 5002 || return
	echo "# meanwhile in $a $MOVED, and $((TCP_SENT >> 20)) MiB of TCP intact"
	for ns in "$a" "$b"; do
		(($(netloop_count "$ns") == 1)) ||
			fail "$ns holds $(netloop_count "$ns") netloop devices, want 1" || return
		ip netns exec "$ns" ping -q -c 2 -W 2 "$A4" >/dev/null ||
			fail "nl0 in $ns stopped looping" || return
	done
	end_case
}

# scale KIND: SCALE devices of KIND at once in a namespace; sets US (time
# per device) and SLAB, PCPU, AVAIL (bytes per device).
scale()
{
	local kind=$1 ns t0 n i

	setup_ns ns || return
	mem_settle
	local s0=$MEM_SLAB p0=$MEM_PCPU a0=$MEM_AVAIL
	t0=$EPOCHREALTIME
	for ((i = 0; i < SCALE; i++)); do
		echo "link add d$i type $kind"
	done | ip -n "$ns" -batch - || fail "creating $SCALE $kind devices" || return
	US=$(((${EPOCHREALTIME/[.,]/} - ${t0/[.,]/}) / SCALE))
	mem_settle
	SLAB=$(((MEM_SLAB - s0) * 1024 / SCALE))
	PCPU=$(((MEM_PCPU - p0) * 1024 / SCALE))
	AVAIL=$(((a0 - MEM_AVAIL) * 1024 / SCALE))
	n=$(ip -n "$ns" -o link show type "$kind" | wc -l)
	((n == SCALE)) || fail "$n $kind devices, want $SCALE" || return
	echo "# $kind: $SCALE devices at once, created in $((US * SCALE / 1000000)) s ($US us each); per device: MemAvailable $AVAIL B, Slab $SLAB B, Percpu $PCPU B"
	ip netns del "$ns"
}

# (c) SCALE netloop devices alive at once, time and memory per device
# against dummy in the same boot; netloop may cost at most twice dummy's
# slab plus 8 KiB per device (slab, not MemAvailable, which moves with
# page cache and percpu chunks by more than the short run's devices take).  Traffic loops through a device meanwhile.
test_scale()
{
	local t a dummy_slab

	mem_mark
	setup_ns t || return
	loop_devs "$t" nl "$A4" || fail "setup" || return
	mark "$t" nl0
	bg ip netns exec "$t" ping -f -q -w 900 "$A4"
	moved "$t" 30 "$TRAFFIC_MIN" nl0 || return
	mark "$t" nl0
	modprobe dummy numdummies=0 || fail "modprobe dummy" || return
	scale dummy || return
	dummy_slab=$SLAB
	timeout 300 modprobe -r dummy || fail "modprobe -r dummy" || return
	scale netloop || return
	# nl0 stays: it looped all along, the namespace of SCALE netloop
	# devices dying too.
	moved "$t" 0 "$TRAFFIC_MIN" nl0 || return
	echo "# meanwhile nl0 looped $MOVED"
	# Deleting the namespace queued SCALE devices for unregistering:
	# unload waits for that, then nothing may be left.
	stop_bg
	cleanup_all_ns
	unload || return
	modprobe netloop || return
	((SLAB <= 2 * dummy_slab + 8192)) ||
		fail "netloop takes $SLAB B of slab per device, dummy $dummy_slab B" || return
	end_case
}

# flip_round NS MAC: one round of state changes on nl0 and a move of nl1
# to the second namespace and back, as batches (processes cost under TCG).
flip_round()
{
	local a=$1 b=$2 m f

	{
		for m in 68 576 1279 1280 1500 9000 $((68 + RANDOM * 2)) 65535 65536; do
			echo "link set nl0 mtu $m"
		done
		echo "link set nl0 down"
		echo "link set nl0 up"
		# Down took nl0's routes: without this one, $A4 would go
		# through lo from here on.
		echo "route add $A4 dev nl0 table 100"
		echo "link set nl0 address 02:$(printf '%02x:' $((RANDOM % 256)) \
			$((RANDOM % 256)) $((RANDOM % 256)) $((RANDOM % 256)))01"
		echo "link set nl0 carrier off"
		echo "link set nl0 carrier on"
		echo "link set nl1 netns $b"
	} | ip -n "$a" -batch - || fail "state flips on nl0" || return
	ip -n "$b" -batch - <<-EOF || fail "nl1 in $b" || return
		addr add $B4/32 dev nl1
		link set nl1 up mtu 1500
		link set nl1 netns $a
	EOF
	ip -n "$a" -4 -batch - <<-EOF || fail "nl1 back in $a" || return
		addr add $B4/32 dev nl1
		link set nl1 up
		route add $B4 dev nl1 table 100
	EOF
	# Below 1280 IPv6 left nl0: bring its address and route back.
	ip -n "$a" addr add "$A6/128" dev nl0 nodad 2>/dev/null
	ip -n "$a" -6 route replace "$A6" dev nl0 table 100
	for f in gso tso sg tx; do
		ip netns exec "$a" ethtool -K nl0 "$f" off >/dev/null &&
			ip netns exec "$a" ethtool -K nl0 "$f" on >/dev/null ||
			fail "ethtool -K nl0 $f" || return
	done
}

# (d) MTU across 68..65536, up/down, offload toggles, MAC changes,
# carrier, namespace moves, all under ping -f, UDP and TCP floods.
test_flips()
{
	local a b r addr

	mem_mark
	setup_ns a b || return
	loop_devs "$a" nl "$A4" "$B4" || fail "setup" || return
	ip -n "$a" addr add "$A6/128" dev nl0 nodad
	ip -n "$a" -6 -batch - <<-EOF
		rule add pref 1000 lookup local
		rule del pref 0
		rule add pref 10 iif nl0 lookup local
		rule add pref 20 to $A6 lookup 100
		route add $A6 dev nl0 table 100
	EOF
	mark "$a" nl0 nl1 udp tcp
	# The floods are cut by nl0 down and nl1 away, the UDP sender
	# dies of it: their exit codes do not count, what they looped
	# before the flips does.
	flood "$a" "$A4" 900 5001 || return
	bg ip netns exec "$a" ping -f -q -w 900 "$A6"
	bg ip netns exec "$a" ping -f -q -w 900 "$B4"
	# TCP retransmits across all of it: the stream arrives intact.
	tcp_stream "$a" "$A4" 5002 || return
	moved "$a" 30 "$TRAFFIC_MIN" nl0 nl1 udp tcp || return
	echo "# before the flips: $MOVED"
	for ((r = 0; r < FLIP_ROUNDS; r++)); do
		flip_round "$a" "$b" || return
	done
	tcp_stream_end "$a" 5002 || return
	stop_bg
	echo "# $FLIP_ROUNDS rounds of 9 MTUs, down/up, MAC, carrier, 4 offload toggles, netns move; $((TCP_SENT >> 20)) MiB of TCP intact"
	# Both still loop, through themselves: two pings, four packets each.
	for addr in "$A4:nl0" "$B4:nl1"; do
		mark "$a" "${addr#*:}"
		ip netns exec "$a" ping -q -c 2 -W 2 "${addr%:*}" >/dev/null ||
			fail "no loop to ${addr%:*} after the flips" || return
		moved "$a" 0 4 "${addr#*:}" || return
	done
	end_case
}

# read_counters NS SOURCE: "DEV TX RX" lines for nl0 and nl1 from SOURCE
# (ip, procfs, sysfs), read 20 times over where one process can do it.
read_counters()
{
	local ns=$1 i

	case $2 in
	ip)
		for ((i = 0; i < 20; i++)); do
			echo "link show dev nl0"
			echo "link show dev nl1"
		done | ip -n "$ns" -s -batch - |
			awk '/^[0-9]+:/ { d = $2; sub(":", "", d) }
			     /RX:/ { getline; r = $2 }
			     /TX:/ { getline; print d, $2, r }'
		;;
	procfs)
		ip netns exec "$ns" awk 'BEGIN {
			f = "/proc/net/dev"
			for (i = 0; i < 20; i++) {
				while ((getline l < f) > 0) {
					split(l, a)
					if (a[1] == "nl0:" || a[1] == "nl1:")
						print substr(a[1], 1, 3), a[11], a[3]
				}
				close(f)
			}
		}'
		;;
	sysfs)
		ip netns exec "$ns" awk 'BEGIN {
			for (i = 0; i < 20; i++) {
				for (d = 0; d < 2; d++) {
					t = "/sys/class/net/nl" d "/statistics/tx_packets"
					r = "/sys/class/net/nl" d "/statistics/rx_packets"
					getline tx < t
					getline rx < r
					close(t)
					close(r)
					print "nl" d, tx, rx
				}
			}
		}'
		;;
	esac
}

# reader NS CPU SECS SOURCE: read the counters from SOURCE on CPU for SECS;
# every counter that went down goes to $tmp/backwards, the number of
# reads to $tmp/reads.CPU.SOURCE.
reader()
{
	local end=$((SECONDS + $3))

	taskset -cp "$2" "$BASHPID" >/dev/null
	while ((SECONDS < end)); do
		read_counters "$1" "$4"
	done | awk -v src="$4" -v bad="$tmp/backwards" '
		NF != 3 || $2 !~ /^[0-9]+$/ || $3 !~ /^[0-9]+$/ {
			print src ": unreadable: " $0 >>bad; next
		}
		$1 in tx && ($2 + 0 < tx[$1] || $3 + 0 < rx[$1]) {
			print src " " $1 ": tx " tx[$1] " then " $2 ", rx " rx[$1] " then " $3 >>bad
		}
		{ tx[$1] = $2 + 0; rx[$1] = $3 + 0; n++ }
		END { print n + 0 }' >"$tmp/reads.$2.$4"
}

# (e) ip -s link, /proc/net/dev and sysfs in loops on both CPUs while
# traffic runs in two namespaces: no counter ever goes backwards, the
# counters did move all along, and the TCP transfers arrived intact.
test_readers()
{
	local a b ns cpu src pids=() reads=0 n

	mem_mark
	rm -f "$tmp"/backwards "$tmp"/reads.*
	setup_ns a b || return
	for ns in "$a" "$b"; do
		loop_devs "$ns" nl "$A4" "$B4" || fail "setup $ns" || return
		mark "$ns" nl0 nl1 udp tcp
		flood "$ns" "$A4" 900 5001 || return
		bg ip netns exec "$ns" ping -f -q -w 900 "$B4"
		tcp_stream "$ns" "$B4" 5002 || return
	done
	for ns in "$a" "$b"; do
		moved "$ns" 30 "$TRAFFIC_MIN" nl0 nl1 udp tcp || return
		mark "$ns" nl0 nl1 udp tcp
	done
	for cpu in 0 1; do
		for src in ip procfs sysfs; do
			reader "$a" "$cpu" "$READ_SECS" "$src" & pids+=($!)
		done
	done
	wait "${pids[@]}"
	for ns in "$b" "$a"; do
		moved "$ns" 0 "$TRAFFIC_MIN" nl0 nl1 udp tcp || return
	done
	for ns in "$a" "$b"; do
		tcp_stream_end "$ns" 5002 || return
	done
	stop_bg
	for src in "$tmp"/reads.*; do
		read -r n _ <"$src"
		reads=$((reads + n))
	done
	echo "# $reads counter reads by 6 readers on 2 CPUs in $READ_SECS s; meanwhile $MOVED in $a, and $((TCP_SENT >> 20)) MiB of TCP intact"
	[[ ! -s $tmp/backwards ]] || fail "$(head -n 5 "$tmp/backwards")" || return
	((reads > 0)) || fail "no counter reads" || return
	end_case
}

# reject NS WANT CMD...: CMD must fail, with a message matching WANT, and
# leave NS's netloop devices as they were.
reject()
{
	local ns=$1 want=$2 before err

	shift 2
	before=$(netloop_count "$ns")
	err=$("$@" 2>&1) && { fail "accepted: $*"; return 1; }
	[[ $err =~ $want ]] || fail "'$*' said '$err', want /$want/" || return
	(($(netloop_count "$ns") == before)) || fail "'$*' left a device behind"
}

# Bad input: MTU out of range at create and set, names too long or taken.
test_bad_link()
{
	local ns long=0123456789abcdef

	mem_mark
	setup_ns ns || return
	reject "$ns" 'less than device minimum' ip -n "$ns" link add nl0 mtu 67 type netloop || return
	reject "$ns" 'less than device minimum' ip -n "$ns" link add nl0 mtu 0 type netloop || return
	reject "$ns" 'greater than device maximum' ip -n "$ns" link add nl0 mtu 65537 type netloop || return
	reject "$ns" 'greater than device maximum' ip -n "$ns" link add nl0 mtu 1000000 type netloop || return
	reject "$ns" 'not a valid ifname|policy validation' ip -n "$ns" link add "$long" type netloop || return
	reject "$ns" 'not a valid ifname' ip -n "$ns" link add "a/b" type netloop || return
	ip -n "$ns" link add nl0 type netloop || fail "add nl0" || return
	reject "$ns" 'File exists' ip -n "$ns" link add nl0 type netloop || return
	reject "$ns" 'File exists' ip -n "$ns" link add lo type netloop || return
	reject "$ns" 'less than device minimum' ip -n "$ns" link set nl0 mtu 67 || return
	reject "$ns" 'greater than device maximum' ip -n "$ns" link set nl0 mtu 65537 || return
	reject "$ns" 'must be unicast|Invalid' ip -n "$ns" link add nl1 address 01:02:03:04:05:06 type netloop || return
	reject "$ns" 'must be unicast|Invalid' ip -n "$ns" link add nl1 address 00:00:00:00:00:00 type netloop || return
	[[ $(ip netns exec "$ns" cat /sys/class/net/nl0/mtu) == 65536 ]] ||
		fail "a refused MTU changed nl0" || return
	end_case
}

# Bad input: numdevs negative, not a number, above 4096: the load fails
# with a message and leaves neither module nor device behind.
test_bad_numdevs()
{
	local v

	mem_mark
	unload || return
	for v in -1 abc 4097 99999999999; do
		reject "" 'could not insert|Invalid|Numerical result' modprobe netloop "numdevs=$v" || return
		[[ ! -d /sys/module/netloop ]] || fail "numdevs=$v left the module loaded" || return
	done
	kernel_log | grep -q 'numdevs=4097 is above the maximum of 4096' ||
		fail "no kernel message for numdevs=4097" || return
	kernel_log | grep -q "invalid for parameter .numdevs" ||
		fail "no kernel message for numdevs=abc" || return
	end_case
}

# Bad input: creating devices in a namespace as it is being deleted, by
# name (ip -n) and by reference (ip link add ... netns).  Whatever wins,
# nothing is left behind.
test_dying_ns()
{
	local k ns pids

	mem_mark
	for ((k = 0; k < RACES; k++)); do
		ns=dying-$$-$k
		ip netns add "$ns" || return
		pids=()
		ip -n "$ns" link add nl0 type netloop 2>/dev/null & pids+=($!)
		ip link add "dy$k" netns "$ns" type netloop 2>/dev/null & pids+=($!)
		ip netns del "$ns" & pids+=($!)
		wait "${pids[@]}"
	done
	(($(netloop_count) == 0)) || fail "netloop devices left in the init namespace" || return
	ip netns list | grep -q "^dying-$$" && { fail "namespaces left behind"; return 1; }
	echo "# $RACES creations racing namespace deletion"
	end_case
}

# The netlink fuzzer in its own namespace: it fails when a request that
# was refused changed a device or the set of devices (nlfuzz.c).  Then
# every netloop device it left must delete, here and in the namespace.
test_fuzz()
{
	local ns seed=${NETLOOP_FUZZ_SEED:-$(( (RANDOM << 15) | RANDOM ))} d n out t0

	[[ -x $NLFUZZ ]] || fail "nlfuzz not built" || return
	mem_mark
	setup_ns ns || return
	t0=$SECONDS
	out=$(ip netns exec "$ns" "$NLFUZZ" -s "$seed" -n "$FUZZ" 2>"$tmp/fuzz.err") ||
		fail "nlfuzz -s $seed failed: $out $(cat "$tmp/fuzz.err")" || return
	echo "# $out in $((SECONDS - t0)) s"
	for n in "$ns" ""; do
		for d in $(ip ${n:+-n "$n"} -o link show type netloop | awk -F': ' '{ print $2 }'); do
			# "dev": a name such as "n" would be taken for a keyword.
			ip ${n:+-n "$n"} link del dev "$d" ||
				fail "cannot delete $d left by the fuzzer (seed $seed)" || return
		done
		(($(netloop_count "$n") == 0)) ||
			fail "netloop devices remain (seed $seed)" || return
	done
	end_case
}

require_cmd ip ethtool ping modprobe taskset timeout nice
[[ -x $XFER ]] || skip_all "xfer helper not built"
require_netloop
NS0=$(ns_count)
echo "# NETLOOP_STRESS=$MODE"
CASES=(
	"module unload racing traffic and ip link del:test_unload"
	"namespace churn with devices and traffic:test_ns_churn"
	"device create/delete churn under traffic:test_dev_churn"
	"devices at once, time and memory against dummy:test_scale"
	"MTU, up/down, offloads, MAC, carrier, netns flips under load:test_flips"
	"concurrent counter readers, never backwards:test_readers"
	"bad MTU, name and address rejected, nothing left:test_bad_link"
	"bad numdevs rejected, nothing left:test_bad_numdevs"
	"device creation racing namespace deletion:test_dying_ns"
	"netlink fuzzer, refusals change nothing, every device deletes:test_fuzz"
)
# NETLOOP_STRESS_CASES="test_unload test_fuzz": only those (for debugging).
if [[ -n ${NETLOOP_STRESS_CASES:-} ]]; then
	mapfile -t CASES < <(printf '%s\n' "${CASES[@]}" |
		grep -E ":($(tr ' ' '|' <<<"$NETLOOP_STRESS_CASES"))\$")
fi
run_cases "${CASES[@]}"
