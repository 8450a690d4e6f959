#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What `make bench` runs inside the VM (scripts/bench.sh boots it with the
# selftests mounted at /kselftest).  Each benchmark measures its kinds of
# device in alternating rounds and prints one line per measurement for the
# host to summarise:
#
#   RESULT BENCH KIND ROUND VALUE UNIT
#
# Every figure is a cost in the guest's time, lower is better: ns per
# packet, per round trip, per KiB of a TCP stream.  Under QEMU's -icount
# (scripts/vm.sh -a icount, what `make bench` uses) the guest's clock
# counts executed instructions, one per ns, and the figures repeat from
# boot to boot whatever the host does; under mttcg (BENCH_CLOCK=wall) it
# is the host's time, shared with the host's load.
#
# Kinds: netloop (reflect mode, policy-routed as in the selftests), lo,
# veth (a pair across two namespaces, sender in one, receiver in the
# other), mirred (a dummy device whose egress tc redirects each packet to
# its own ingress: the in-tree way to loop a packet without netloop,
# policy-routed as netloop), bpf (the same with a tc BPF program,
# bpf_redirect(its ifindex, BPF_F_INGRESS): netloop.bpf.c); for UDP also netloop-al (accept_local=1 on the
# device, which spares the kernel the reverse route lookup that validates
# the source) and dummy (transmit only: the cost floor of a device that
# does nothing); for pktgen netloop-lb (loopback mode), netloop-rps (RPS
# moves the receive path to the other CPU; with two CPUs),
# netloop-otherhost (frames for another MAC, which IP drops on entry: the
# driver and the backlog without the IP receive path), lo and dummy.
#
# Usage: bench-guest.sh [ROUNDS [PART...]]
# PARTS: transfers (TCP, UDP, request/response), pktgen, streams (with two
# CPUs), scale; all of them by default.  And:
#   bench-guest.sh gate ROUNDS
# the instruction-count gate of `make check`: netloop against lo in KTAP.
#
# No set -e or -u: the selftests' lib.sh and the kernel's net/lib.sh under
# it are not written for them (setup_ns reads the variables it is given).
# Setup steps and measurements check for themselves, and any failure ends
# the run.
# shellcheck disable=SC2015 # "A && B || die": die when either fails
set -o pipefail
# shellcheck source=../selftests/lib.sh
source /kselftest/drivers/net/netloop/lib.sh

GATE=
[[ $1 != gate ]] || { GATE=1; shift; }
ROUNDS=${1:-5}
shift
PARTS=("${@:-transfers}")
(($#)) || PARTS+=(profile pktgen streams scale)
XFER=$lib_dir/xfer
ADDR=192.0.2.1
VETH_SRC=192.0.2.2
# Not a local address: routed out of dummy, which drops it.
AWAY=198.51.100.1
TCP_BYTES=$((256 << 20))
UDP_COUNT=20000
RR_SECONDS=1
PKTGEN_COUNT=50000
SCALE=(1000 10000)
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

# tc_loop NS DEV FILTER...: a dummy device DEV in NS holding ADDR, whose
# egress tc FILTER (tc filter add's words after "egress") sends each packet
# back in on DEV, policy-routed as netloop.
tc_loop()
{
	ip -n "$1" -batch - <<-EOF &&
		link add $2 type dummy
		link set $2 addrgenmode none
		link set $2 up
		addr add $ADDR/32 dev $2
	EOF
	tc -n "$1" qdisc add dev "$2" clsact &&
	tc -n "$1" filter add dev "$2" egress "${@:3}" &&
	loop_route "$1" "$2" "$ADDR"
}

# The namespaces of each kind: where the sender runs (src) and where ADDR
# is (dst).
declare -A src dst
setup_kinds()
{
	local nl al lo va vb mi bp du

	setup_ns nl al lo va vb mi bp du &&
	setup_loop "$nl" "$ADDR" &&
	setup_loop "$al" "$ADDR" &&
	ns_sysctl "$al" net.ipv4.conf.nl0.accept_local=1 &&
	ip -n "$lo" addr add "$ADDR/32" dev lo &&
	ip link add veth0 netns "$va" type veth peer veth1 netns "$vb" &&
	ip -n "$va" addr add "$VETH_SRC/24" dev veth0 &&
	ip -n "$vb" addr add "$ADDR/24" dev veth1 &&
	ip -n "$va" link set veth0 up &&
	ip -n "$vb" link set veth1 up &&
	tc_loop "$mi" mi0 matchall action mirred ingress redirect dev mi0 &&
	tc_loop "$bp" bp0 bpf direct-action obj "$lib_dir/netloop.bpf.o" sec tc/self_ingress &&
	ip -n "$du" link add du0 type dummy &&
	ip -n "$du" link set du0 up &&
	ip -n "$du" route add "$AWAY/32" dev du0 || die "setup"
	src=([netloop]=$nl [netloop-al]=$al [lo]=$lo [veth]=$va [mirred]=$mi [bpf]=$bp
	     [dummy]=$du)
	dst=([netloop]=$nl [netloop-al]=$al [lo]=$lo [veth]=$vb [mirred]=$mi [bpf]=$bp
	     [dummy]=$du)
	# Resolve the neighbour once, outside the measurements.
	ip netns exec "$va" ping -q -c 1 -W 5 "$ADDR" >/dev/null || die "veth: no ping"
}

# tcp_bulk KIND STREAMS [ADDR...]: TCP_BYTES in STREAMS concurrent transfers
# (to ADDR, or one to each ADDR) of zeros, not hashed (xfer -P: hashing
# would cost more than the transfer), checked for length; prints the
# slowest stream's time per KiB of all of them, in ns.
tcp_bulk()
{
	local kind=$1 n=$2 bytes=$((TCP_BYTES / $2)) i secs=0 s pid
	local -a addrs=("${@:3}") pids

	for ((i = 0; i < n; i++)); do
		on $((i + 1)) "${dst[$kind]}" "$XFER" -t 60 -P tcp-recv \
			"${addrs[i]:-$ADDR}" $((5001 + i)) >"$tmp/rx$i" &
		pids+=($!)
		wait_listen "${dst[$kind]}" tcp $((5001 + i)) >&2 || return
	done
	for ((i = 0; i < n; i++)); do
		on "$i" "${src[$kind]}" "$XFER" -t 60 -P tcp-send \
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
	awk -v b=$((n * bytes)) -v s="$secs" 'BEGIN { printf "%.2f\n", s * 1e9 * 1024 / b }'
}

# rr KIND tcp|udp SIZE: mean round trip in ns.  Both sides on one CPU:
# across two, a round trip under TCG is mostly the time to wake the other
# vCPU (1 to 6 ms, against 0.3 to 0.6 on one).
rr()
{
	local kind=$1 out

	on 0 "${dst[$kind]}" "$XFER" -t 5 "$2-echo" "$ADDR" 5100 "$3" &
	wait_listen "${dst[$kind]}" "$2" 5100 >&2 || return
	out=$(on 0 "${src[$kind]}" "$XFER" -t 5 -T "$RR_SECONDS" \
		"$2-rr" "$ADDR" 5100 "$3") && wait $! || return
	awk -v us="$(field rtt_us "$out")" 'BEGIN { printf "%.0f\n", us * 1000 }'
}

# lockstep KIND udp|tcp COUNT SIZE: ns per SIZE-byte message, sent and
# received in lock-step by one process (xfer udp-lockstep, tcp-lockstep):
# across the pair for veth, sent only for dummy (UDP).  In two processes,
# where the scheduler switches from sender to receiver varies from run to
# run, and with it the cost of a TCP stream by 5 %.
lockstep()
{
	local kind=$1 out to=$ADDR
	local -a opt=()

	[[ ${src[$kind]} == "${dst[$kind]}" ]] || opt=(-N "/run/netns/${src[$kind]}")
	[[ $kind != dummy ]] || opt=(-S) to=$AWAY
	out=$(on 0 "${dst[$kind]}" "$XFER" "${opt[@]}" "$2-lockstep" "$to" 5200 "$3" "$4") &&
	field ns "$out"
}

# udp64 KIND: ns per 64-byte datagram.
udp64()
{
	lockstep "$1" udp "$UDP_COUNT" 64
}

# tcp_kib KIND: ns per KiB of a TCP stream, in 64 KiB messages.
tcp_kib()
{
	local ns

	ns=$(lockstep "$1" tcp $((TCP_BYTES / 65536)) 65536) &&
	awk -v ns="$ns" 'BEGIN { printf "%.2f\n", ns / 64 }'
}

# pktgen_ns NS DEV MAC: PKTGEN_COUNT 60-byte frames to MAC into DEV, for a
# destination that the receiving side blackholes; prints ns per frame, from
# pktgen's own rate.
pktgen_ns()
{
	local ns=$1 dev=$2 res

	pktgen_setup "$ns" "$dev" "$PKTGEN_COUNT" "$3" &&
	pg "$ns" pgctrl start || return
	res=$(ip netns exec "$ns" cat "/proc/net/pktgen/$dev")
	pg "$ns" kpktgend_0 rem_device_all
	[[ $res == *"Result: OK"* ]] || { echo "bench: pktgen $dev: $res" >&2; return 1; }
	sed -n 's/^ *\([0-9]*\)pps.*/\1/p' <<<"$res" | awk '$1 { printf "%.1f\n", 1e9 / $1 }'
}

# bench_pktgen: pktgen transmits from a thread on CPU 0, and the receive
# path runs on the same CPU (softirq, when the thread enables bottom halves
# again), except for netloop-rps, where RPS queues it to CPU 1.  dummy frees
# what it is given: the cost of a transmit alone.  lo receives what it is
# given as netloop does, and a frame from pktgen has no route to keep: this
# is how netloop-lb (loopback mode) and lo compare per packet.
# netloop-otherhost is netloop with frames for a MAC that is not the
# device's: ip_rcv drops them first thing, so it costs the driver, the
# backlog and the protocol dispatch, and the difference from netloop is
# IP's receive path.
bench_pktgen()
{
	local nl lb rp du va vb r kind n
	local -a kinds=(netloop netloop-otherhost netloop-lb lo veth dummy)
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
	    [lo]=$lb [veth]=$va [dummy]=$du)
	dev=([netloop]=nl0 [netloop-otherhost]=nl0 [netloop-lb]=nl0 [netloop-rps]=nl0
	     [lo]=lo [veth]=veth0 [dummy]=du0)
	# A locally administered unicast MAC that is not nl0's.
	mac=([netloop]=$(ip netns exec "$nl" cat /sys/class/net/nl0/address)
	     [netloop-otherhost]=02:00:00:00:00:01
	     [netloop-lb]=$(ip netns exec "$lb" cat /sys/class/net/nl0/address)
	     [netloop-rps]=$(ip netns exec "$rp" cat /sys/class/net/nl0/address)
	     [lo]=00:00:00:00:00:00
	     [veth]=$(ip netns exec "$vb" cat /sys/class/net/veth1/address)
	     [dummy]=$(ip netns exec "$du" cat /sys/class/net/du0/address))
	if ((NCPU > 1)); then
		ip netns exec "$rp" sh -c 'echo 2 >/sys/class/net/nl0/queues/rx-0/rps_cpus' ||
			die "pktgen setup: rps_cpus"
		kinds+=(netloop-rps)
	fi
	for ((r = 1; r <= ROUNDS; r++)); do
		for kind in "${kinds[@]}"; do
			measure pktgen "$kind" "$r" ns/packet \
				pktgen_ns "${ns[$kind]}" "${dev[$kind]}" "${mac[$kind]}"
		done
	done
}

# bench_scale: time and memory to create N devices in one namespace with
# one ip -batch, per device.  The memory is the kernel's allocations (Slab
# and Percpu), which a device's memory nearly all is and which, unlike
# MemFree, do not move with the page cache and the free page lists.  With
# fewer than 1000 devices both figures are mostly ip's start and the
# allocator's state, and spread over 3 to 13 % from round to round even
# in instructions.  rmmod deletes them all in one batch (one RCU grace
# period, as a namespace's exit does) and returns once they are gone, so
# each round starts from the same state.
bench_scale()
{
	local n r kind t0 t1 k0 k1 ns i
	local -A args=([netloop]=numdevs=0 [dummy]=numdummies=0)

	for n in "${SCALE[@]}"; do
		for ((r = 1; r <= ROUNDS; r++)); do
			for kind in netloop dummy; do
				modprobe "$kind" "${args[$kind]}" && setup_ns ns ||
					die "scale setup"
				sync
				echo 3 >/proc/sys/vm/drop_caches
				k0=$(meminfo Slab Percpu)
				t0=${EPOCHREALTIME/./}
				for ((i = 0; i < n; i++)); do
					echo "link add d$i type $kind"
				done | ip -n "$ns" -batch - || die "creating $n $kind devices"
				t1=${EPOCHREALTIME/./}
				k1=$(meminfo Slab Percpu)
				echo "RESULT create-$n $kind $r $(((t1 - t0) / n)) us/device"
				echo "RESULT kmem-$n $kind $r $(((k1 - k0) * 1024 / n)) bytes/device"
				rmmod "$kind" || die "rmmod $kind"
				cleanup_all_ns
			done
		done
	done
}

# bench_streams: TCP through N netloop devices at once, one stream through
# each: ns per KiB of all streams.  Two CPUs or more (BENCH_CLOCK=wall).
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
			measure "devices-$n" netloop "$r" ns/KiB \
				tcp_bulk multi "$n" "${addrs[@]:0:n}"
		done
	done
}

# mtu KIND MTU: set the MTU of the devices KIND's packets cross.
mtu()
{
	case $1 in
	netloop) ip -n "${src[$1]}" link set nl0 mtu "$2" ;;
	lo) ip -n "${src[$1]}" link set lo mtu "$2" ;;
	# veth's largest MTU is 65535.
	veth) ip -n "${src[$1]}" link set veth0 mtu $(($2 > 65535 ? 65535 : $2)) &&
	      ip -n "${dst[$1]}" link set veth1 mtu $(($2 > 65535 ? 65535 : $2)) ;;
	mirred) ip -n "${src[$1]}" link set mi0 mtu "$2" ;;
	bpf) ip -n "${src[$1]}" link set bp0 mtu "$2" ;;
	esac
}

# bench_transfers: TCP bulk at MTU 65536 (lo's) and 1500, UDP and
# request/response through netloop, lo, veth, mirred and bpf.
bench_transfers()
{
	local kind r p m
	local -a kinds=(netloop lo veth mirred bpf)

	setup_kinds
	# One unmeasured transfer each: the first in a boot is slow.
	for kind in "${kinds[@]}"; do
		tcp_bulk "$kind" 1 >/dev/null || die "first transfer on $kind"
	done
	for ((r = 1; r <= ROUNDS; r++)); do
		for kind in "${kinds[@]}"; do
			for m in 65536 1500; do
				mtu "$kind" "$m" || die "MTU $m on $kind"
				measure "tcp-$m" "$kind" "$r" ns/KiB tcp_kib "$kind"
			done
			mtu "$kind" 65536 || die "MTU 65536 on $kind"
			((NCPU < 2)) || measure tcp-2 "$kind" "$r" ns/KiB tcp_bulk "$kind" 2
			measure udp-64 "$kind" "$r" ns/packet udp64 "$kind"
			for p in tcp udp; do
				measure "rr-$p-1" "$kind" "$r" ns rr "$kind" "$p" 1
			done
		done
		for kind in netloop-al dummy; do
			measure udp-64 "$kind" "$r" ns/packet udp64 "$kind"
		done
	done
}

# Functions along a datagram's way, sent and received by xfer
# udp-lockstep; the kernels of the matrix trace them all.
PROFILE_FUNCS=(__sys_sendto __dev_queue_xmit netloop_xmit loopback_xmit
	       veth_xmit tcf_mirred_act __netif_rx __netif_receive_skb ip_rcv
	       ip_route_input_noref fib_validate_source ip_local_deliver udp_rcv
	       __sys_recvfrom)

# profile_kind KIND: trace PROFILE_FUNCS (ftrace's function tracer, the
# x86-tsc clock: under -icount the TSC counts instructions) while KIND
# carries PROFILE_COUNT datagrams; print "PROFILE KIND FROM TO INSNS N" for
# each step from one traced function to the next that every datagram
# takes, INSNS its mean, and "PROFILE KIND total - INSNS N" for the whole
# way with the tracer, then "PROFILE KIND untraced - INSNS N" without it.
PROFILE_COUNT=2000
profile_kind()
{
	local t=/sys/kernel/tracing f

	echo 0 >$t/tracing_on && echo nop >$t/current_tracer &&
	echo x86-tsc >$t/trace_clock && echo 32768 >$t/buffer_size_kb &&
	: >$t/set_ftrace_filter || die "profile: ftrace setup"
	for f in "${PROFILE_FUNCS[@]}"; do
		echo "$f" >>$t/set_ftrace_filter 2>/dev/null
	done
	echo function >$t/current_tracer && : >$t/trace && echo 1 >$t/tracing_on &&
	lockstep "$1" udp "$PROFILE_COUNT" 64 >/dev/null || die "profile: $1"
	echo 0 >$t/tracing_on
	awk -v kind="$1" -v n="$PROFILE_COUNT" '$1 ~ /^xfer-/ {
		for (i = 2; i < NF; i++)
			if ($i ~ /^[0-9]+:$/)
				break
		ts = $i + 0; fn = $(i + 1)
		if (prev != "") {
			k = prev " " fn
			if (!(k in cnt))
				order[++keys] = k
			cnt[k]++; sum[k] += ts - last
		}
		if (fn == "__sys_sendto") {
			if (start)
				cycles++, whole += ts - start
			start = ts
		}
		prev = fn; last = ts
	}
	END {
		for (i = 1; i <= keys; i++)
			if (cnt[order[i]] >= n - 1)
				printf "PROFILE %s %s %.0f %d\n", kind, order[i], sum[order[i]] / cnt[order[i]], cnt[order[i]]
		printf "PROFILE %s total - %.0f %d\n", kind, whole / cycles, cycles
	}' $t/trace
	echo nop >$t/current_tracer
	echo "PROFILE $1 untraced - $(lockstep "$1" udp "$PROFILE_COUNT" 64) $PROFILE_COUNT"
}

# bench_profile: where the instructions go per datagram.
bench_profile()
{
	local kind

	[[ -e /sys/kernel/tracing/trace ]] || mount -t tracefs nodev /sys/kernel/tracing ||
		die "profile: no tracefs"
	setup_kinds
	for kind in netloop lo veth mirred; do
		profile_kind "$kind"
	done
}

# gate: the regression gate of `make check`, under -icount: netloop's cost
# per 64-byte datagram and per KiB of a TCP stream (MTU 65536) against
# lo's, medians of ROUNDS rounds, in KTAP.  Measured on the matrix: UDP
# 1.220 to 1.227 x lo, TCP 1.00 to 1.01 x lo, each figure within 0.2 %
# from round to round and boot to boot (Documentation/dev/netloop-dev.rst,
# "Performance"): a transmit that costs some 200 instructions more per
# packet, or touches the data, fails.
GATE_UDP=1.25
GATE_TCP=1.03
gate()
{
	local r kind

	setup_kinds
	TCP_BYTES=$((64 << 20))
	for ((r = 1; r <= ROUNDS; r++)); do
		for kind in netloop lo; do
			measure udp-64 "$kind" "$r" ns/packet udp64 "$kind"
			measure tcp-65536 "$kind" "$r" ns/KiB tcp_kib "$kind"
		done
	done | tee "$tmp/gate" >&2 || die "gate: a measurement failed"
	echo "TAP version 13"
	echo "1..2"
	awk -v udp="$GATE_UDP" -v tcp="$GATE_TCP" '{ v[$2, $3] = v[$2, $3] " " $5 }
	function median(s,   a, n, i, j, t) {
		n = split(s, a)
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function check(i, what, bench, unit, limit,   nl, lo, r) {
		nl = median(v[bench, "netloop"]); lo = median(v[bench, "lo"]); r = nl / lo
		printf "%s %d - %s: netloop %.1f %s, lo %.1f: %.3f x lo (limit %.2f)\n",
			r <= limit ? "ok" : "not ok", i, what, nl, unit, lo, r, limit
		return r <= limit
	}
	END {
		ok = check(1, "UDP 64 B", "udp-64", "ns per datagram", udp)
		ok = check(2, "TCP at MTU 65536", "tcp-65536", "ns per KiB", tcp) && ok
		exit !ok
	}' "$tmp/gate"
}

modprobe netloop && modprobe pktgen || die "no netloop or pktgen module"
if [[ $GATE ]]; then
	echo "# kernel $(uname -r), $NCPU CPUs, $ROUNDS rounds: gate" >&2
	gate
	exit
fi
echo "# kernel $(uname -r), $NCPU CPUs, $ROUNDS rounds: ${PARTS[*]}"
for part in "${PARTS[@]}"; do
	case $part in
	transfers|pktgen|scale|profile) "bench_$part" ;;
	streams) ((NCPU < 2)) || bench_streams ;;
	*) die "no part '$part' (transfers, pktgen, streams, scale, profile)" ;;
	esac
	cleanup_all_ns
done
