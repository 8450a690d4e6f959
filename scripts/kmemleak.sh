#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# In a guest of scripts/vm.sh on a kernel with kmemleak (the sanitizer
# kernel of scripts/debug-kernel.sh): run COMMAND, then scan for memory
# leaked while it ran, print kmemleak's report and a last line
# "kmemleak: N objects reported".  Exits with COMMAND's status, or
# non-zero if kmemleak cannot be read.
#
# What boot leaves unreferenced (early allocations kmemleak cannot follow)
# is scanned and cleared first, so only what COMMAND's time leaked counts.
# kmemleak reports an object only once it is 5 s old and no scan found a
# pointer to it; the scans at the end come after a pause for what is freed
# late (RCU callbacks, namespace cleanup on a workqueue), and twice, as the
# docs advise.
#
# Usage (host): scripts/vm.sh -k DIR -- scripts/kmemleak.sh COMMAND [ARGS...]
set -euo pipefail
kml=/sys/kernel/debug/kmemleak

# scan: one kmemleak scan; it returns when done.
scan() {
	echo scan >"$kml"
}

[[ -e $kml ]] || mount -t debugfs debugfs /sys/kernel/debug
if [[ ! -w $kml ]]; then
	echo "kmemleak: no $kml: the kernel has no CONFIG_DEBUG_KMEMLEAK"
	exit 1
fi
# Objects allocated by init just before this are not 5 s old yet.
sleep 5
scan
echo clear >"$kml"

rc=0
"$@" || rc=$?

sleep 10
scan
sleep 5
scan
report=$(<"$kml")
n=$(grep -c '^unreferenced object' <<<"$report") || true
[[ -z $report ]] || echo "$report"
echo "kmemleak: $n objects reported"
exit "$rc"
