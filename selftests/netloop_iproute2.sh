#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The iproute2 plugin link_netloop.so (iproute2/) with the real ip: mode at
# creation, ip -d link show, ip link help, mode changes and bad values
# refused with a message.  Skipped when ip has no plugin for netloop.

# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "$0")")/lib.sh"

# shown NS DEV MODE: ip -d link show and ip -j -d link show report MODE.
shown()
{
	local out

	out=$(ip -n "$1" -d link show "$2")
	[[ $out == *"netloop mode $3 "* ]] || fail "ip -d link show: $out" || return
	out=$(ip -n "$1" -j -d link show "$2")
	[[ $out == *'"info_data":{"mode":"'"$3"'"}'* ]] || fail "ip -j -d link show: $out"
}

test_round_trip()
{
	local ns

	setup_ns ns || return
	ip -n "$ns" link add lo0 type netloop || fail "add lo0" || return
	shown "$ns" lo0 reflect || return
	ip -n "$ns" link add lo1 type netloop mode loopback || fail "add lo1 mode loopback" || return
	shown "$ns" lo1 loopback || return
	# The mode it has: not a change, accepted.
	ip -n "$ns" link set lo1 type netloop mode loopback ||
		fail "set mode loopback on a loopback-mode device" || return
	shown "$ns" lo1 loopback
}

test_refused()
{
	local ns err state

	setup_ns ns || return
	err=$(ip -n "$ns" link add lo1 type netloop mode bogus 2>&1) &&
		{ fail "mode bogus accepted"; return 1; }
	[[ $err == *'"bogus" is wrong: mode must be reflect or loopback'* ]] ||
		fail "mode bogus: '$err'" || return
	! ip -n "$ns" link show lo1 &>/dev/null || fail "mode bogus left lo1 behind" || return
	ip -n "$ns" link add lo1 type netloop || fail "add lo1" || return
	for state in down up; do
		ip -n "$ns" link set lo1 "$state" || fail "lo1 $state" || return
		err=$(ip -n "$ns" link set lo1 type netloop mode loopback 2>&1) &&
			{ fail "mode change accepted ($state)"; return 1; }
		[[ $err == *"mode cannot be changed after creation"* ]] ||
			fail "mode change ($state): '$err'" || return
		shown "$ns" lo1 reflect || return
	done
}

test_help()
{
	local out

	out=$(ip link help netloop 2>&1)
	[[ $out == *"netloop [ mode { reflect | loopback } ]"* ]] || fail "ip link help netloop: $out"
}

require_cmd ip modprobe
require_netloop
ip link help netloop 2>&1 | grep -q 'mode { reflect' ||
	skip_all "no iproute2 plugin for netloop (link_netloop.so)"
run_cases \
	"mode set at creation and shown by ip link:test_round_trip" \
	"mode bogus and mode change refused with a message:test_refused" \
	"ip link help netloop:test_help"
