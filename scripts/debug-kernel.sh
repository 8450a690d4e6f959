#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the sanitizer kernel of `make check-debug` (KASAN, lockdep,
# kmemleak, UBSAN, the networking reference trackers) from Debian's
# linux-source-6.12: tinyconfig plus scripts/debug-kernel.config.  It is
# built once per fragment, source version and compiler, in a cache outside
# the repo, and the script prints its directory, which scripts/vm.sh -k,
# build.sh and kver.sh take in place of a Debian SERIES or KVER:
#   DIR/vmlinux              what QEMU boots
#   DIR/kernel.release       its release (uname -r)
#   DIR/linux/               the tree, built in place: kbuild for M= builds
#   DIR/lib/modules/<rel>/   its modules, indexed by depmod; build -> linux
# The cache is ${XDG_CACHE_HOME:-~/.cache}/netloop, or NETLOOP_CACHE.
#
# Usage: scripts/debug-kernel.sh
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
# shellcheck source=lib.sh
. "$here/lib.sh"

src_pkg=linux-source-6.12
frag=$here/debug-kernel.config
# Bump when what a cached DIR holds changes.
layout=1

(($# == 0)) || die "usage: debug-kernel.sh"
"$here/deps.sh" "$src_pkg" bc bison flex libelf-dev
# What the kernel is made of: the module build must use the same compiler.
key=$({
	echo "layout $layout"
	dpkg-query -W -f='${Version}\n' "$src_pkg"
	gcc -dumpfullversion
	cat "$frag"
} | sha256sum)
cache=$(netloop_cache)
dir=$cache/kernel-${key:0:16}

# check_config CONFIG: every option the fragment sets has that value in
# CONFIG; olddefconfig drops those whose dependencies are not met.
check_config() {
	local line opt want lost=()

	while IFS= read -r line; do
		[[ $line =~ ^(CONFIG_[A-Z0-9_]+)=(.*)$ ]] || continue
		opt=${BASH_REMATCH[1]} want=${BASH_REMATCH[2]}
		if [[ $want == n ]]; then
			! grep -x "$opt=.*" "$1" >/dev/null || lost+=("$opt=n")
		else
			grep -xF "$opt=$want" "$1" >/dev/null || lost+=("$line")
		fi
	done <"$frag"
	((${#lost[@]} == 0)) ||
		die "olddefconfig did not keep ${lost[*]} of ${frag#"${here%/*}/"} (a dependency missing? selected by another option?); see $1"
}

if [[ ! -f $dir/kernel.release ]]; then
	mkdir -p "$cache"
	# One build at a time; whoever waited finds it built.
	exec 9>"$cache/.lock"
	flock 9
fi
if [[ ! -f $dir/kernel.release ]]; then
	start=$SECONDS
	# A build that was interrupted left its .tmp: it never counts.
	rm -rf "$cache"/kernel-*.tmp
	tmp=$dir.tmp
	log=$tmp/build.log
	mkdir -p "$tmp/linux"
	echo "debug-kernel.sh: building the sanitizer kernel in $tmp; log in $log" >&2
	tar -xJf "/usr/src/$src_pkg.tar.xz" -C "$tmp/linux" --strip-components=1
	kmake=(make -C "$tmp/linux" -j"$(nproc)")
	logged "$log" "${kmake[@]}" tinyconfig
	logged "$log" "$tmp/linux/scripts/kconfig/merge_config.sh" -m -O "$tmp/linux" \
		"$tmp/linux/.config" "$frag"
	logged "$log" "${kmake[@]}" olddefconfig
	check_config "$tmp/linux/.config"
	logged "$log" "${kmake[@]}" vmlinux modules
	# modules_install runs depmod and links build to the tree's path now:
	# make that relative, as the directory is renamed below.
	logged "$log" "${kmake[@]}" INSTALL_MOD_PATH="$tmp" modules_install
	rel=$(cat "$tmp/linux/include/config/kernel.release")
	ln -sfn ../../../linux "$tmp/lib/modules/$rel/build"
	ln -s linux/vmlinux "$tmp/vmlinux"
	echo "$rel" >"$tmp/kernel.release"
	mv -T "$tmp" "$dir"
	echo "debug-kernel.sh: built $rel in $((SECONDS - start)) s: $dir" >&2
fi
echo "$dir"
