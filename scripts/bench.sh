#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What `make bench` runs: scripts/bench-guest.sh in one VM boot per kernel,
# then for each kernel a Markdown table (median and spread of the rounds,
# and the project's targets as ratios of medians) and a PNG plot, under
# results/bench-DATE-COMMIT/.  Prints the tables.  Fails if a run fails,
# not if a target is missed: the targets are reported, not asserted.
#
# The guest runs under QEMU's -icount (scripts/vm.sh -a icount): its clock
# counts the instructions it executes, so each figure is a cost in
# instructions (1 ns = 1 instruction) and repeats from run to run whatever
# the host is doing.  BENCH_CLOCK=wall runs it with two vCPUs in threads of
# their own (mttcg) and the host's clock instead, for what needs two CPUs
# at once (several streams, RPS): figures that move with the host's load.
#
# Usage: scripts/bench.sh [SERIES...]	(default: the matrix, MATRIX in the Makefile)
#        BENCH_ROUNDS=N (default 3) sets the number of rounds,
#        BENCH_PARTS="pktgen scale" runs only those parts of
#        scripts/bench-guest.sh (default: all),
#        BENCH_CLOCK=icount (default) or wall.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$top/scripts/lib.sh"
cd "$top"

rounds=${BENCH_ROUNDS:-3}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS wants a whole number of rounds, not '$rounds'"
clock=${BENCH_CLOCK:-icount}
case $clock in
icount) accel=icount clock_note="QEMU -icount, 1 vCPU: guest ns are instructions" ;;
wall) accel=mttcg clock_note="QEMU mttcg, 2 vCPUs: wall-clock time, noisy" ;;
*) die "BENCH_CLOCK wants icount or wall, not '$clock'" ;;
esac
read -r -a parts <<<"${BENCH_PARTS:-}"
series=("${@:-${matrix[@]}}")
command -v gnuplot >/dev/null || die "gnuplot not found: run scripts/deps.sh gnuplot-nox"
commit=$(git describe --always --dirty 2>/dev/null) || commit=unknown
date=$(date -u +%Y-%m-%dT%H:%MZ)
out=$top/results/bench-${date//:/}-$commit-$clock
mkdir -p "$out"
declare -A pids

ksft=$("$top/scripts/ksft.sh")
make -s plugin >/dev/null
# The kinds of device scripts/bench-guest.sh measures: the columns, in order.
kinds="netloop netloop-al netloop-otherhost netloop-lb netloop-rps lo veth mirred bpf dummy"

# summary RAW: "BENCH KIND N MEDIAN MIN MAX UNIT" for each benchmark and
# kind, in the order they were first measured.
summary()
{
	awk '$1 == "RESULT" {
		k = $2 " " $3
		if (!(k in n)) { order[++keys] = k; unit[k] = $6 }
		v[k, ++n[k]] = $5
	}
	END {
		for (i = 1; i <= keys; i++) {
			k = order[i]
			for (a = 1; a <= n[k]; a++)
				s[a] = v[k, a]
			# Insertion sort: a handful of values.
			for (a = 2; a <= n[k]; a++)
				for (b = a; b > 1 && s[b - 1] > s[b]; b--) {
					t = s[b]; s[b] = s[b - 1]; s[b - 1] = t
				}
			m = n[k] % 2 ? s[(n[k] + 1) / 2] : (s[n[k] / 2] + s[n[k] / 2 + 1]) / 2
			print k, n[k], m, s[1], s[n[k]], unit[k]
		}
	}' "$1"
}

# table SUMMARY: the results, one row per benchmark, one column per kind:
# the median and the spread of the rounds, (max - min) / median.
table()
{
	awk -v list="$kinds" 'function fmt(x) { return x >= 100 ? sprintf("%.0f", x) : sprintf("%.3g", x) }
	{
		if (!($1 in unit)) { order[++rows] = $1; unit[$1] = $7 }
		cell[$1, $2] = fmt($4) " ±" sprintf("%.1f", $4 ? ($6 - $5) / $4 * 100 : 0) "%"
	}
	END {
		nk = split(list, kinds)
		printf "| benchmark | unit |"
		for (k = 1; k <= nk; k++)
			printf " %s |", kinds[k]
		printf "\n|---|---|"
		for (k = 1; k <= nk; k++)
			printf "---|"
		printf "\n"
		for (r = 1; r <= rows; r++) {
			printf "| %s | %s |", order[r], unit[order[r]]
			for (k = 1; k <= nk; k++)
				printf " %s |", cell[order[r], kinds[k]]
			printf "\n"
		}
	}' "$1"
}

# targets SUMMARY: the issue's targets, as ratios of medians of costs (lower
# is better), and the widest spread of any figure.
targets()
{
	awk '{ med[$1, $2] = $4; if ($4 && ($6 - $5) / $4 > spread) { spread = ($6 - $5) / $4; widest = $1 " " $2 } }
	function target(what, bench, a, b, want,   r) {
		if (!((bench, a) in med) || !((bench, b) in med) || med[bench, b] == 0) {
			printf "| %s | not measured | |\n", what
			return
		}
		# Met at the precision the target is stated in, two decimals.
		r = med[bench, a] / med[bench, b]
		printf "| %s | %.3f | %s |\n", what, r, sprintf("%.2f", r) + 0 <= want ? "met" : "**not met**"
	}
	END {
		print "| target (cost, lower is better; met to two decimals) | ratio of medians | |"
		print "|---|---|---|"
		target("TCP, MTU 65536, per KiB: netloop ≤ 1.02 × lo", "tcp-65536", "netloop", "lo", 1.02)
		target("TCP, MTU 1500, per KiB: netloop ≤ 1.02 × lo", "tcp-1500", "netloop", "lo", 1.02)
		target("UDP 64 B, per datagram: netloop ≤ 1.10 × lo", "udp-64", "netloop", "lo", 1.10)
		target("UDP 64 B, per datagram: netloop ≤ 0.85 × veth", "udp-64", "netloop", "veth", 0.85)
		target("UDP 64 B, per datagram: netloop ≤ 0.85 × mirred", "udp-64", "netloop", "mirred", 0.85)
		target("UDP 64 B, per datagram: netloop ≤ 0.85 × bpf", "udp-64", "netloop", "bpf", 0.85)
		target("pktgen, per frame: netloop loopback mode ≤ 1.00 × lo", "pktgen", "netloop-lb", "lo", 1.00)
		target("10 000 devices, time per device: netloop ≤ dummy", "create-10000", "netloop", "dummy", 1.00)
		target("10 000 devices, slab and percpu per device: netloop ≤ dummy", "kmem-10000", "netloop", "dummy", 1.00)
		printf "\nWidest spread of the rounds: %.2f %% (%s).\n", spread * 100, widest
	}' "$1"
}

# profile RAW: bench-guest.sh's profile as a table: for each kind, the
# instructions from one traced function to the next, less the tracer's own
# cost per event: (the whole way traced - untraced) / events.
profile()
{
	awk '$1 != "PROFILE" { next }
	$3 == "total" { total[$2] = $5; next }
	$3 == "untraced" { untraced[$2] = $5; kinds[++nk] = $2; next }
	{ step[$2, ++steps[$2]] = $3 " → " $4; insns[$2, steps[$2]] = $5 }
	END {
		if (!nk)
			exit
		print "| kind | from → to | instructions |"
		print "|---|---|---|"
		for (k = 1; k <= nk; k++) {
			kind = kinds[k]
			m = untraced[kind]
			over = (total[kind] - m) / steps[kind]
			for (i = 1; i <= steps[kind]; i++)
				printf "| %s | %s | %.0f |\n", kind, step[kind, i], insns[kind, i] - over
			printf "| %s | whole datagram, untraced (the tracer: %.0f per event) | %.0f |\n", kind, over, m
		}
	}' "$1"
}

# plot SUMMARY PNG KVER: three panels: cost relative to lo's (lower is
# better), creation time per device against the number of devices, and the
# cost of TCP through N netloop devices at once (BENCH_CLOCK=wall).
plot()
{
	local dir panels

	dir=$(dirname "$2")
	# A header line, then a row per benchmark and a column per kind that
	# was measured in one of them (gnuplot fails on a column of NaN).
	awk -v list="$kinds" '$1 !~ /^(create|kmem|devices)-/ {
		med[$1, $2] = $4; have[$2]
		if (!($1 in seen)) { seen[$1]; order[++n] = $1 }
	}
	END {
		split(list, all)
		for (k = 1; k in all; k++)
			if (all[k] in have)
				kinds[++nk] = all[k]
		if (!n)
			exit
		line = "benchmark"
		for (k = 1; k <= nk; k++)
			line = line " " kinds[k]
		print line
		for (i = 1; i <= n; i++) {
			b = order[i]
			line = b
			for (k = 1; k <= nk; k++)
				line = line " " ((b, kinds[k]) in med ? med[b, kinds[k]] / med[b, "lo"] : "NaN")
			print line
		}
	}' "$1" >"$dir/relative.dat"
	awk '$1 ~ /^create-/ { sub(/create-/, "", $1); t[$1, $2] = $4; n[$1] }
	END { for (d in n) print d, t[d, "netloop"], t[d, "dummy"] }' "$1" |
		sort -n >"$dir/create.dat"
	awk '$1 ~ /^devices-/ { sub(/devices-/, "", $1); print $1, $4 }' "$1" |
		sort -n >"$dir/devices.dat"
	# A panel for each part that ran (BENCH_PARTS may leave some out).
	{
		echo "set style fill solid 0.8 border -1"
		echo "set key below"
		if [[ -s $dir/relative.dat ]]; then
			cat <<-EOF
				set style data histograms
				set style histogram clustered gap 1
				set xtics rotate by -45 nomirror
				set yrange [0:*]
				set title "cost relative to lo (lower is better)"
				plot for [i = 2:$(head -n 1 "$dir/relative.dat" | wc -w)] \\
				     "$dir/relative.dat" using i:xtic(1) title columnheader(i)
			EOF
		fi
		if [[ -s $dir/create.dat ]]; then
			cat <<-EOF
				set style data linespoints
				set logscale xy
				set yrange [*:*]
				set xtics norotate
				set title "time to create a device"
				set xlabel "devices created at once"
				set ylabel "µs per device"
				plot "$dir/create.dat" using 1:2 title "netloop", "" using 1:3 title "dummy"
				unset logscale xy
			EOF
		fi
		if [[ -s $dir/devices.dat ]]; then
			cat <<-EOF
				set style data linespoints
				set yrange [0:*]
				set xtics norotate
				set title "TCP through N netloop devices, one stream each"
				set xlabel "devices"
				set ylabel "ns per KiB, all streams"
				plot "$dir/devices.dat" using 1:2 title "netloop"
			EOF
		fi
	} >"$dir/plot.gp"
	panels=$(grep -c '^plot ' "$dir/plot.gp") || return 0
	gnuplot <<-EOF
		set terminal pngcairo size $((500 * panels)),500 font ",10" noenhanced
		set output "$2"
		set multiplot layout 1,$panels title "netloop benchmark, $3, $commit (medians of $rounds rounds)"
		load "$dir/plot.gp"
		unset multiplot
	EOF
}

# A kernel's run, in the background: under -icount two at a time (the
# guest's clock does not see the host's load), on the wall clock one.
run() {
	scripts/vm.sh -a "$accel" -k "$1" -t 5400 -l "$out/vm-$1.log" \
		-f "$ksft:/kselftest" -f "$(plugin_files)" \
		-- scripts/bench-guest.sh "$rounds" "${parts[@]}" >"$out/raw-$1.txt" 2>"$out/run-$1.log"
}

start=$SECONDS
kvers=$("$top/scripts/kernels.sh" "${series[@]}")
maxjobs=1
[[ $clock == wall ]] || maxjobs=${NETLOOP_JOBS:-$(nproc)}
for kver in $kvers; do
	while (($(jobs -rp | wc -l) >= maxjobs)); do
		wait -n || true
	done
	echo "# bench on $kver, $rounds rounds, started"
	run "$kver" &
	pids[$kver]=$!
done
failed=0
for kver in $kvers; do
	raw=$out/raw-$kver.txt
	if ! wait "${pids[$kver]}"; then
		cat "$out/run-$kver.log" >&2
		echo "bench: the run on $kver failed; see $out/vm-$kver.log" >&2
		failed=1
		continue
	fi
	mkdir -p "$out/$kver"
	summary "$raw" >"$out/$kver/summary.txt"
	{
		echo "## netloop benchmark: $kver"
		echo
		echo "Commit $commit, $date; $rounds rounds, alternating kinds, in one boot"
		echo "($clock_note). Costs in guest time, lower is better:"
		echo "median ±spread of the rounds, (max − min) / median."
		echo
		table "$out/$kver/summary.txt"
		echo
		targets "$out/$kver/summary.txt"
		if grep -q '^PROFILE ' "$raw"; then
			echo
			echo "Where a 64-byte datagram's instructions go (ftrace):"
			echo
			profile "$raw"
		fi
	} >"$out/bench-$kver.md"
	plot "$out/$kver/summary.txt" "$out/bench-$kver.png" "$kver"
	cat "$out/bench-$kver.md"
	echo
done
echo "# make bench took $((SECONDS - start)) s; results in ${out#"$top"/}/"
exit "$failed"
