# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Helpers shared by scripts/*.sh. Source it, do not run it.

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}
