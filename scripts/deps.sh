#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install the Debian packages netloop needs to build and test, plus any named
# on the command line. Prints nothing and returns at once when all are there.
#
# Usage: scripts/deps.sh [PACKAGE...]

set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"

pkgs=(qemu-system-x86 busybox-static linux-image-amd64 linux-headers-amd64
      linux-image-6.12-amd64 linux-headers-6.12-amd64 iproute2 iputils-ping
      ethtool iperf3 kmod cpio gzip xz-utils sparse linux-source-6.12
      gcc make libc6-dev bash rsync zstd shellcheck nftables tcpdump
      clang libbpf-dev "$@")

for p in "$@"; do
	[[ $p =~ ^[a-z0-9][a-z0-9+.-]+$ ]] || die "bad package name '$p'"
done

# dpkg-query fails when a package is unknown to dpkg; those are just missing.
installed=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "${pkgs[@]}" 2>/dev/null |
	    awk '$1 == "installed" { print $2 }') || true

missing=()
for p in "${pkgs[@]}"; do
	grep -qxF -- "$p" <<<"$installed" || missing+=("$p")
done
((${#missing[@]})) || exit 0

((EUID == 0)) || die "must be root to install missing packages: ${missing[*]}"

# make check boots its kernels in parallel; their runners may install at
# the same time.  apt installs again what another has meanwhile: nothing.
lock apt
echo "${0##*/}: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive INITRD=No
{ apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } >&2 ||
	die "apt-get failed to install: ${missing[*]}"
