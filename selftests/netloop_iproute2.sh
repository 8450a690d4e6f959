#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The iproute2 plugin link_netloop.so (iproute2/) with the real ip: mode at
# creation, mode change, ip -d link show, ip link help, bad values refused
# with a message.  Skipped when ip has no plugin for netloop.

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
	ip -n "$ns" link set lo1 type netloop mode reflect || fail "set mode reflect" || return
	shown "$ns" lo1 reflect || return
	ip -n "$ns" link set lo1 type netloop mode loopback || fail "set mode loopback" || return
	shown "$ns" lo1 loopback
}

test_refused()
{
	local ns err

	setup_ns ns || return
	err=$(ip -n "$ns" link add lo1 type netloop mode bogus 2>&1) &&
		fail "mode bogus accepted" && return 1
	[[ $err == *'"bogus" is wrong: mode must be reflect or loopback'* ]] ||
		fail "mode bogus: '$err'" || return
	! ip -n "$ns" link show lo1 &>/dev/null || fail "mode bogus left lo1 behind" || return
	ip -n "$ns" link add lo1 up type netloop || fail "add lo1" || return
	err=$(ip -n "$ns" link set lo1 type netloop mode loopback 2>&1) &&
		fail "mode change accepted while up" && return 1
	[[ $err == *"cannot change mode while the device is up"* ]] ||
		fail "mode change while up: '$err'" || return
	shown "$ns" lo1 reflect
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
	"mode set, changed and shown by ip link:test_round_trip" \
	"mode bogus and change while up refused with a message:test_refused" \
	"ip link help netloop:test_help"
