#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What `make bench` runs inside the VM (scripts/bench.sh boots it with the
# selftests mounted at /kselftest).  Each benchmark measures its kinds of
# device in alternating rounds, so that drift in the guest (TCG, the host's
# load) spreads over all of them alike, and prints one line per
# measurement for the host to summarise:
#
#   RESULT BENCH KIND ROUND VALUE UNIT
#
# Kinds: netloop (reflect mode, policy-routed as in the selftests), lo,
# veth (a pair across two namespaces, sender in one, receiver in the
# other); for UDP also netloop-al (accept_local=1 on the device, which
# spares the kernel the reverse route lookup that validates the source);
# for pktgen also netloop-lb (loopback mode), netloop-rps (RPS moves the
# receive path to the other CPU), netloop-otherhost (frames for another
# MAC, which IP drops on entry: the driver and the backlog without the IP
# receive path) and dummy.
#
# Usage: bench-guest.sh [ROUNDS [PART...]]
# PARTS: transfers (TCP, UDP, request/response), pktgen, streams, scale;
# all of them by default.
#
# No set -e or -u: the selftests' lib.sh and the kernel's net/lib.sh under
# it are not written for them (setup_ns reads the variables it is given).
# Setup steps and measurements check for themselves, and any failure ends
# the run.
# shellcheck disable=SC2015 # "A && B || die": die when either fails
set -o pipefail
# shellcheck source=../selftests/lib.sh
source /kselftest/drivers/net/netloop/lib.sh

ROUNDS=${1:-5}
shift
PARTS=("${@:-transfers}")
(($#)) || PARTS+=(pktgen streams scale)
XFER=$lib_dir/xfer
ADDR=192.0.2.1
VETH_SRC=192.0.2.2
TCP_BYTES=$((256 << 20))
SECONDS_PER_RUN=2
PKTGEN_COUNT=50000
SCALE=(1 100 1000 10000)
STREAMS=(1 2 4 8)
NCPU=$(nproc)

die()
{
	echo "bench: $*" >&2
	exit 1
}

# measure BENCH KIND ROUND UNIT CMD...: run CMD, which prints one number.
measure()
{
	local v

	v=$("${@:5}") && [[ $v =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
		die "$1 on $2, round $3: no result ('$v')"
	echo "RESULT $1 $2 $3 $v $4"
}

# on CPU NS CMD...: run CMD in NS, pinned to CPU (modulo the CPUs there
# are).  Left to the scheduler, the two sides of a transfer share a CPU in
# some runs and not in others, and the rounds of one kind spread over a
# factor of two.  In bulk transfers senders run on one CPU and receivers
# on the other.  The receive path of what is sent (lo, netloop, veth
# alike: __netif_rx, then the softirq) runs on the sender's CPU.
on()
{
	ip netns exec "$2" taskset -c $(($1 % NCPU)) "${@:3}"
}

# The namespaces of each kind: where the sender runs (src) and where ADDR
# is (dst).
declare -A src dst
setup_kinds()
{
	local nl al lo va vb

	setup_ns nl al lo va vb &&
	setup_loop "$nl" "$ADDR" &&
	setup_loop "$al" "$ADDR" &&
	ns_sysctl "$al" net.ipv4.conf.nl0.accept_local=1 &&
	ip -n "$lo" addr add "$ADDR/32" dev lo &&
	ip link add veth0 netns "$va" type veth peer veth1 netns "$vb" &&
	ip -n "$va" addr add "$VETH_SRC/24" dev veth0 &&
	ip -n "$vb" addr add "$ADDR/24" dev veth1 &&
	ip -n "$va" link set veth0 up &&
	ip -n "$vb" link set veth1 up || die "setup"
	src=([netloop]=$nl [netloop-al]=$al [lo]=$lo [veth]=$va)
	dst=([netloop]=$nl [netloop-al]=$al [lo]=$lo [veth]=$vb)
	# Resolve the neighbour once, outside the measurements.
	ip netns exec "$va" ping -q -c 1 -W 5 "$ADDR" >/dev/null || die "veth: no ping"
}

# tcp_bulk KIND STREAMS [ADDR...]: TCP_BYTES in STREAMS concurrent transfers
# (to ADDR, or one to each ADDR), checked for integrity; prints the
# aggregate MB/s over the slowest stream's time.
tcp_bulk()
{
	local kind=$1 n=$2 bytes=$((TCP_BYTES / $2)) i secs=0 s pid
	local -a addrs=("${@:3}") pids

	for ((i = 0; i < n; i++)); do
		on $((i + 1)) "${dst[$kind]}" "$XFER" -t 60 tcp-recv \
			"${addrs[i]:-$ADDR}" $((5001 + i)) >"$tmp/rx$i" &
		pids+=($!)
		wait_listen "${dst[$kind]}" tcp $((5001 + i)) >&2 || return
	done
	for ((i = 0; i < n; i++)); do
		on "$i" "${src[$kind]}" "$XFER" -t 60 tcp-send \
			"${addrs[i]:-$ADDR}" $((5001 + i)) "$bytes" "$i" >"$tmp/tx$i" &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || return
	done
	for ((i = 0; i < n; i++)); do
		[[ $(field fnv "$(<"$tmp/rx$i")") == "$(field fnv "$(<"$tmp/tx$i")")" &&
		   $(field bytes "$(<"$tmp/rx$i")") == "$bytes" ]] ||
			{ echo "bench: $kind stream $i damaged" >&2; return 1; }
		s=$(field seconds "$(<"$tmp/tx$i")")
		secs=$(awk -v a="$secs" -v b="$s" 'BEGIN { print (b > a) ? b : a }')
	done
	awk -v b=$((n * bytes)) -v s="$secs" 'BEGIN { printf "%.0f\n", b / s / 1e6 }'
}

# rr KIND tcp|udp SIZE: mean round trip in microseconds.  Both sides on
# one CPU: across two, a round trip under TCG is mostly the time to wake
# the other vCPU (1 to 6 ms, against 0.3 to 0.6 on one).
rr()
{
	local kind=$1 out

	on 0 "${dst[$kind]}" "$XFER" -t 5 "$2-echo" "$ADDR" 5100 "$3" &
	wait_listen "${dst[$kind]}" "$2" 5100 >&2 || return
	out=$(on 0 "${src[$kind]}" "$XFER" -t 5 -T "$SECONDS_PER_RUN" \
		"$2-rr" "$ADDR" 5100 "$3") && wait $! || return
	field rtt_us "$out"
}

# udp64 KIND: 64-byte datagrams received per second.
udp64()
{
	local kind=$1 rx

	on 1 "${dst[$kind]}" "$XFER" -t 2 udp-recv "$ADDR" 5200 0 64 >"$tmp/udp" &
	wait_listen "${dst[$kind]}" udp 5200 >&2 || return
	on 0 "${src[$kind]}" "$XFER" -T "$SECONDS_PER_RUN" \
		udp-send "$ADDR" 5200 0 64 >/dev/null && wait $! || return
	rx=$(<"$tmp/udp")
	[[ $(field bad "$rx") == 0 ]] || { echo "bench: $kind: $rx" >&2; return 1; }
	field pps "$rx"
}

# pktgen_pps NS DEV MAC: PKTGEN_COUNT 60-byte frames to MAC into DEV, for a
# destination that the receiving side blackholes; prints pktgen's pps.
pktgen_pps()
{
	local ns=$1 dev=$2 res

	pktgen_setup "$ns" "$dev" "$PKTGEN_COUNT" "$3" &&
	pg "$ns" pgctrl start || return
	res=$(ip netns exec "$ns" cat "/proc/net/pktgen/$dev")
	pg "$ns" kpktgend_0 rem_device_all
	[[ $res == *"Result: OK"* ]] || { echo "bench: pktgen $dev: $res" >&2; return 1; }
	sed -n 's/^ *\([0-9]*\)pps.*/\1/p' <<<"$res"
}

# bench_pktgen: pktgen transmits from a thread on CPU 0, and the receive
# path runs on the same CPU (softirq, when the thread enables bottom halves
# again), except for netloop-rps, where RPS queues it to CPU 1.  dummy frees
# what it is given: the cost of a transmit alone.  netloop-otherhost is
# netloop with frames for a MAC that is not the device's: ip_rcv drops them
# first thing, so it costs the driver, the backlog and the protocol
# dispatch, and the difference from netloop is IP's receive path.
bench_pktgen()
{
	local nl lb rp du va vb r kind n
	local -a kinds=(netloop netloop-otherhost netloop-lb veth dummy)
	local -A ns dev mac

	setup_ns nl lb rp du va vb &&
	ip -n "$nl" link add nl0 type netloop &&
	ip -n "$lb" link add nl0 type netloop mode loopback &&
	ip -n "$rp" link add nl0 type netloop &&
	ip -n "$du" link add du0 type dummy &&
	ip link add veth0 netns "$va" type veth peer veth1 netns "$vb" || die "pktgen setup"
	for n in "$nl:nl0" "$lb:nl0" "$rp:nl0" "$du:du0" "$va:veth0" "$vb:veth1"; do
		ip -n "${n%:*}" link set "${n#*:}" up || die "pktgen setup"
	done
	for n in "$nl" "$lb" "$rp" "$vb"; do
		ip -n "$n" route add blackhole 198.51.100.0/24 || die "pktgen setup"
	done
	ns=([netloop]=$nl [netloop-otherhost]=$nl [netloop-lb]=$lb [netloop-rps]=$rp
	    [veth]=$va [dummy]=$du)
	dev=([netloop]=nl0 [netloop-otherhost]=nl0 [netloop-lb]=nl0 [netloop-rps]=nl0
	     [veth]=veth0 [dummy]=du0)
	# A locally administered unicast MAC that is not nl0's.
	mac=([netloop]=$(ip netns exec "$nl" cat /sys/class/net/nl0/address)
	     [netloop-otherhost]=02:00:00:00:00:01
	     [netloop-lb]=$(ip netns exec "$lb" cat /sys/class/net/nl0/address)
	     [netloop-rps]=$(ip netns exec "$rp" cat /sys/class/net/nl0/address)
	     [veth]=$(ip netns exec "$vb" cat /sys/class/net/veth1/address)
	     [dummy]=$(ip netns exec "$du" cat /sys/class/net/du0/address))
	if (($(nproc) > 1)); then
		ip netns exec "$rp" sh -c 'echo 2 >/sys/class/net/nl0/queues/rx-0/rps_cpus' ||
			die "pktgen setup: rps_cpus"
		kinds+=(netloop-rps)
	fi
	for ((r = 1; r <= ROUNDS; r++)); do
		for kind in "${kinds[@]}"; do
			measure pktgen "$kind" "$r" pps \
				pktgen_pps "${ns[$kind]}" "${dev[$kind]}" "${mac[$kind]}"
		done
	done
}

# bench_scale: time and memory to create N devices in one namespace with
# one ip -batch, per device; for one device, the time is mostly ip's
# start.  Memory twice: all of it (MemFree), and the kernel's allocations
# (Slab and Percpu), which a device's memory nearly all is and which do
# not move with the page cache and the free page lists: its spread over
# the rounds is a hundredth of MemFree's.  rmmod deletes them all in one batch (one RCU
# grace period, as a namespace's exit does) and returns once they are gone,
# so each round starts from the same state.
bench_scale()
{
	local n r kind t0 t1 m0 m1 k0 k1 ns i
	local -A args=([netloop]=numdevs=0 [dummy]=numdummies=0)

	for n in "${SCALE[@]}"; do
		for ((r = 1; r <= ROUNDS; r++)); do
			for kind in netloop dummy; do
				modprobe "$kind" "${args[$kind]}" && setup_ns ns ||
					die "scale setup"
				sync
				echo 3 >/proc/sys/vm/drop_caches
				m0=$(meminfo MemFree)
				k0=$(meminfo Slab Percpu)
				t0=${EPOCHREALTIME/./}
				for ((i = 0; i < n; i++)); do
					echo "link add d$i type $kind"
				done | ip -n "$ns" -batch - || die "creating $n $kind devices"
				t1=${EPOCHREALTIME/./}
				m1=$(meminfo MemFree)
				k1=$(meminfo Slab Percpu)
				echo "RESULT create-$n $kind $r $(((t1 - t0) / n)) us/device"
				# One device is lost in the noise of free pages.
				((n < 100)) || {
					echo "RESULT memory-$n $kind $r $(((m0 - m1) * 1024 / n)) bytes/device"
					echo "RESULT kmem-$n $kind $r $(((k1 - k0) * 1024 / n)) bytes/device"
				}
				rmmod "$kind" || die "rmmod $kind"
				cleanup_all_ns
			done
		done
	done
}

# bench_streams: aggregate TCP throughput with N netloop devices at once,
# one stream through each.
bench_streams()
{
	local ns n r i
	local -a addrs

	setup_ns ns || die "setup"
	src=([multi]=$ns) dst=([multi]=$ns)
	ip -n "$ns" -batch - <<-EOF || die "setup"
		rule add pref 1000 lookup local
		rule del pref 0
	EOF
	for ((i = 0; i < ${STREAMS[-1]}; i++)); do
		addrs+=("192.0.2.$((i + 1))")
		ip -n "$ns" -batch - <<-EOF || die "setup nl$i"
			link add nl$i type netloop
			link set nl$i addrgenmode none
			link set nl$i up
			addr add ${addrs[i]}/32 dev nl$i
			rule add pref 10 iif nl$i lookup local
			rule add pref 20 to ${addrs[i]} lookup 100
			route add ${addrs[i]} dev nl$i table 100
		EOF
	done
	for ((r = 1; r <= ROUNDS; r++)); do
		for n in "${STREAMS[@]}"; do
			measure "devices-$n" netloop "$r" MB/s \
				tcp_bulk multi "$n" "${addrs[@]:0:n}"
		done
	done
}

# bench_transfers: TCP bulk, UDP and request/response through netloop, lo
# and veth.
bench_transfers()
{
	local kind r p size

	setup_kinds
	# One unmeasured transfer each: the first in a boot is slow.
	for kind in netloop lo veth; do
		tcp_bulk "$kind" 1 >/dev/null || die "first transfer on $kind"
	done
	for ((r = 1; r <= ROUNDS; r++)); do
		for kind in netloop lo veth; do
			measure tcp-1 "$kind" "$r" MB/s tcp_bulk "$kind" 1
			measure tcp-2 "$kind" "$r" MB/s tcp_bulk "$kind" 2
			measure udp-64 "$kind" "$r" pps udp64 "$kind"
			[[ $kind != netloop ]] ||
				measure udp-64 netloop-al "$r" pps udp64 netloop-al
			for p in tcp udp; do
				for size in 1 1024; do
					measure "rr-$p-$size" "$kind" "$r" us \
						rr "$kind" "$p" "$size"
				done
			done
		done
	done
}

modprobe netloop && modprobe pktgen || die "no netloop or pktgen module"
echo "# kernel $(uname -r), $(nproc) CPUs, $ROUNDS rounds: ${PARTS[*]}"
for part in "${PARTS[@]}"; do
	case $part in
	transfers|pktgen|streams|scale) "bench_$part" ;;
	*) die "no part '$part' (transfers, pktgen, streams, scale)" ;;
	esac
	cleanup_all_ns
done
