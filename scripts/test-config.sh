#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Check the selftests' config fragment the way a CI applies it (make
# kselftest-merge, vng --config): merged into x86_64's defconfig in the
# linux-source tree (scripts/linux-source.sh), every option it sets must
# come out of olddefconfig as it asked; one whose dependencies the
# fragment lacks is dropped without a word.  CONFIG_NETLOOP is left out:
# the tree has no netloop.
#
# Usage: scripts/test-config.sh

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$top/scripts/lib.sh"

"$top/scripts/deps.sh" flex bison
tree=$("$top/scripts/linux-source.sh")
frag=$top/selftests/config
lock linux-source
make -s -C "$tree" defconfig
"$tree/scripts/kconfig/merge_config.sh" -m -O "$tree" "$tree/.config" "$frag" >/dev/null
make -s -C "$tree" olddefconfig
dropped=$(grep '^CONFIG_' "$frag" | grep -v '^CONFIG_NETLOOP=' | grep -vxFf "$tree/.config") || true
[[ -z $dropped ]] ||
	die "olddefconfig dropped or changed (a dependency missing from selftests/config?):" "${dropped//$'\n'/ }"
echo "selftests/config: every option kept"
