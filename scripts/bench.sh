#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What `make bench` runs: scripts/bench-guest.sh in one VM boot per kernel,
# then for each kernel a Markdown table (median and spread of the rounds,
# and the project's targets as ratios of medians) and a PNG plot, under
# results/bench-DATE-COMMIT/.  Prints the tables.  Fails if a run fails,
# not if a target is missed: the targets are reported, not asserted.
#
# Usage: scripts/bench.sh [SERIES...]	(default: the matrix, MATRIX in the Makefile)
#        BENCH_ROUNDS=N (default 5) sets the number of rounds,
#        BENCH_PARTS="pktgen scale" runs only those parts of
#        scripts/bench-guest.sh (default: all).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$top/scripts/lib.sh"
cd "$top"

rounds=${BENCH_ROUNDS:-5}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS wants a whole number of rounds, not '$rounds'"
read -r -a parts <<<"${BENCH_PARTS:-}"
series=("${@:-${matrix[@]}}")
command -v gnuplot >/dev/null || die "gnuplot not found: run scripts/deps.sh gnuplot-nox"
commit=$(git describe --always --dirty 2>/dev/null) || commit=unknown
date=$(date -u +%Y-%m-%dT%H:%MZ)
out=$top/results/bench-${date//:/}-$commit
mkdir -p "$out"

ksft=$("$top/scripts/ksft.sh")
make -s plugin >/dev/null
# The kinds of device scripts/bench-guest.sh measures: the columns, in order.
kinds="netloop netloop-al netloop-otherhost netloop-lb netloop-rps lo veth dummy"

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

# table SUMMARY: the results, one row per benchmark, one column per kind.
table()
{
	awk -v list="$kinds" 'function fmt(x) { return x >= 100 ? sprintf("%.0f", x) : sprintf("%.3g", x) }
	{
		if (!($1 in unit)) { order[++rows] = $1; unit[$1] = $7 }
		cell[$1, $2] = fmt($4) " (" fmt($5) "–" fmt($6) ")"
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

# targets SUMMARY: the issue's targets, as ratios of medians.
targets()
{
	awk '{ med[$1, $2] = $4 }
	function target(what, bench, a, b, op, want,   r, ok) {
		if (!((bench, a) in med) || !((bench, b) in med) || med[bench, b] == 0) {
			printf "| %s | not measured | |\n", what
			return
		}
		r = med[bench, a] / med[bench, b]
		ok = op == ">=" ? r >= want : r <= want
		printf "| %s | %.2f | %s |\n", what, r, ok ? "met" : "**not met**"
	}
	END {
		print "| target | ratio of medians | |"
		print "|---|---|---|"
		target("TCP 1 stream: netloop ≥ 1.00 × lo", "tcp-1", "netloop", "lo", ">=", 1.00)
		target("TCP 1 stream: netloop ≥ 1.05 × veth", "tcp-1", "netloop", "veth", ">=", 1.05)
		target("TCP 2 streams: netloop ≥ 1.00 × lo", "tcp-2", "netloop", "lo", ">=", 1.00)
		target("TCP 2 streams: netloop ≥ 1.05 × veth", "tcp-2", "netloop", "veth", ">=", 1.05)
		target("UDP 64 B pps: netloop ≥ 0.90 × lo", "udp-64", "netloop", "lo", ">=", 0.90)
		target("UDP 64 B pps: netloop ≥ 1.15 × veth", "udp-64", "netloop", "veth", ">=", 1.15)
		target("pktgen pps: netloop ≥ 0.50 × dummy", "pktgen", "netloop", "dummy", ">=", 0.50)
		target("10 000 devices, time per device: netloop ≤ dummy", "create-10000", "netloop", "dummy", "<=", 1.00)
		target("10 000 devices, memory per device: netloop ≤ dummy", "memory-10000", "netloop", "dummy", "<=", 1.00)
		target("10 000 devices, slab and percpu per device: netloop ≤ dummy", "kmem-10000", "netloop", "dummy", "<=", 1.00)
	}' "$1"
}

# plot SUMMARY PNG KVER: three panels: speed relative to lo (to dummy for
# pktgen; round trips as their inverse, so higher is better throughout),
# creation time per device against the number of devices, and throughput
# against the number of netloop devices.
plot()
{
	local dir panels

	dir=$(dirname "$2")
	# A header line, then a row per benchmark and a column per kind that
	# was measured in one of them (gnuplot fails on a column of NaN).
	awk -v list="$kinds" '$1 !~ /^(create|memory|kmem|devices)-/ {
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
			ref = b == "pktgen" ? "dummy" : "lo"
			line = b
			for (k = 1; k <= nk; k++) {
				x = (b, kinds[k]) in med ? med[b, kinds[k]] / med[b, ref] : "NaN"
				if (b ~ /^rr-/ && x != "NaN")
					x = 1 / x
				line = line " " x
			}
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
				set title "relative speed: lo = 1 (pktgen: dummy = 1)"
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
				set title "time to create a device (at 1: mostly starting ip)"
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
				set ylabel "MB/s, all streams"
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

start=$SECONDS
for kver in $("$top/scripts/kernels.sh" "${series[@]}"); do
	echo "# bench on $kver, $rounds rounds"
	raw=$out/raw-$kver.txt
	scripts/vm.sh -a mttcg -k "$kver" -t 5400 -l "$out/vm-$kver.log" \
		-f "$ksft:/kselftest" -f "$(plugin_files)" \
		-- scripts/bench-guest.sh "$rounds" "${parts[@]}" | tee "$raw" | grep -v '^RESULT '
	mkdir -p "$out/$kver"
	summary "$raw" >"$out/$kver/summary.txt"
	{
		echo "## netloop benchmark: $kver"
		echo
		echo "Commit $commit, $date; $rounds rounds, alternating kinds, in one boot"
		echo "(QEMU TCG, 2 vCPUs). Median (min–max)."
		echo
		table "$out/$kver/summary.txt"
		echo
		targets "$out/$kver/summary.txt"
	} >"$out/bench-$kver.md"
	plot "$out/$kver/summary.txt" "$out/bench-$kver.png" "$kver"
	cat "$out/bench-$kver.md"
	echo
done
echo "# make bench took $((SECONDS - start)) s; results in ${out#"$top"/}/"
