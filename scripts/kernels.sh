#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The kernels netloop is tested on.  Bookworm's series come with the host's
# packages (scripts/deps.sh); any other series is fetched from Debian's
# archive (trixie, trixie-backports, sid) with a private apt configuration:
# the newest release of the series whose image, modules and headers are all
# there, unpacked into a trixie build root that has the compiler its headers
# want.  Nothing is installed into the host's /boot, /lib/modules or apt
# setup; all of it lives in the cache (scripts/lib.sh, netloop_cache).
#
# Usage: scripts/kernels.sh [--update] [SERIES...]
#		make sure a kernel of each SERIES (6.12, 7.3, 7.3-rt; default:
#		the matrix, MATRIX in the Makefile) is here, fetching what is
#		missing, and print their releases, one a line.  --update: the
#		newest release in the archive, unless the host has the series
#        scripts/kernels.sh --matrix	print the matrix's series
#        scripts/kernels.sh --newest	print the archive's newest series and
#					its -rt flavour
#        scripts/kernels.sh --root	make the build root if missing, print it
#        scripts/kernels.sh --deb PACKAGE[/SUITE]
#					download a package for the host (scripts/vng.sh:
#					trixie's virtme-ng) into the cache, print its path

set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"

cache=$(netloop_cache)
apt_dir=$cache/apt
# The Debian mirror the host's apt uses for bookworm serves the others too.
# shellcheck disable=SC2016 # apt's format, not the shell's
mirror=$(apt-get indextargets --format '$(REPO_URI)' 'Created-By: Packages' \
	 'Codename: bookworm' 'Component: main' | head -n 1)
[[ -n $mirror ]] || die "the host's apt has no bookworm main: no Debian mirror to fetch kernels from"
root=$(build_root)
# One at a time: make check and a DKMS test may both want a kernel.
mkdir -p "$cache"
exec 9>"$cache/.kernels.lock"
flock 9

# A fresh index of the three suites, once per run.
apt_ready=
archive() {
	local cmd=$1

	shift
	"$cmd" -o Dir::Etc::sourcelist="$apt_dir/sources.list" \
		-o Dir::Etc::sourceparts=- -o Dir::State::Lists="$apt_dir/lists" \
		-o Dir::Cache="$apt_dir/cache" -o Dir::State::status=/dev/null \
		-o APT::Sandbox::User=root -q "$@"
}

archive_update() {
	[[ -z $apt_ready ]] || return 0
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	for suite in trixie trixie-backports sid; do
		echo "deb $mirror $suite main"
	done >"$apt_dir/sources.list"
	archive apt-get --error-on=any update >"$apt_dir/update.log" 2>&1 || return 1
	apt_ready=1
}
update_failed="cannot read Debian's archive index (trixie, trixie-backports, sid); see $apt_dir/update.log"

# packages KVER: the packages that make KVER bootable and buildable: image
# and headers, and those of their dependencies named after its version
# (binary, modules, base, headers-common, kbuild).  Fails if one is not in
# the archive, or if the headers call a compiler the build root lacks
# (sid's kernels want sid's gcc).
packages() {
	local upstream=${1%-amd64} deps cc pkgs

	upstream=${upstream%-rt}
	deps=$(archive apt-cache show --no-all-versions "linux-image-$1" "linux-headers-$1" 2>/dev/null |
	       sed -n 's/^Depends: //p' | sed 's/[,|]/\n/g' | sed 's/^ *//; s/ .*//')
	cc=$(grep -x 'gcc-[0-9]*-for-host' <<<"$deps") || true
	[[ -z $cc ]] || build_root_packages | grep -qx -- "${cc%-for-host}" || return 1
	pkgs=$({ echo "linux-image-$1"; echo "linux-headers-$1"; grep -F -- "$upstream" <<<"$deps"; } | sort -u)
	# shellcheck disable=SC2086 # one package a word
	(($(archive apt-cache show --no-all-versions $pkgs 2>/dev/null | grep -c '^Package: ') ==
	  $(wc -l <<<"$pkgs"))) || return 1
	echo "$pkgs"
}

# series KVER: its series, 7.3.4+deb13-rt-amd64 -> 7.3-rt.
series() {
	local s

	s=$(cut -d . -f 1,2 <<<"$1")
	[[ $1 != *-rt-amd64 ]] || s+=-rt
	echo "$s"
}

# releases SERIES: the archive's releases of SERIES (6.12, 7.3-rt), newest
# first.
releases() {
	local s=${1%-rt} flavour=amd64

	[[ $1 != *-rt ]] || flavour=rt-amd64
	archive apt-cache pkgnames "linux-headers-$s." |
		sed -n "s/^linux-headers-\\(${s//./\\.}\\.[0-9]*+deb[0-9]*-$flavour\\)\$/\\1/p" |
		sort -rV
}

# newest_release SERIES: its newest release that has every package (one
# fetched already had them).
newest_release() {
	local kver

	archive_update || die "$update_failed"
	for kver in $(releases "$1"); do
		if [[ -f $root/var/lib/netloop/$kver ]] || packages "$kver" >/dev/null; then
			echo "$kver"
			return
		fi
	done
	die "no release of Linux $1 in trixie, trixie-backports or sid with image, modules and headers, built with $(build_root_packages | grep '^gcc-')"
}

# The build root: trixie's compiler and kbuild's tools, made once in a
# temporary directory and renamed when complete.
make_root() {
	local tmp=$root.tmp

	[[ ! -d $root ]] || return 0
	"${BASH_SOURCE[0]%/*}/deps.sh" debootstrap
	echo "kernels.sh: making the trixie build root $root" >&2
	rm -rf "$tmp"
	mkdir -p "$cache"
	debootstrap --variant=minbase --include="$(build_root_packages | grep -v / | paste -sd ,)" \
		trixie "$tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
		die "debootstrap of the trixie build root failed; see $cache/debootstrap.log"
	# trixie's sparse 0.6.4 cannot parse __typeof_unqual__, which the
	# headers of Linux 6.15 and later use: sid's sparse binary runs there.
	archive_update || die "$update_failed"
	(cd "$tmp/tmp" && archive apt-get download sparse/sid >sparse.log 2>&1 &&
	 dpkg-deb -x sparse_*.deb sparse && cp sparse/usr/bin/sparse ../usr/local/bin/ &&
	 rm -r sparse sparse_*.deb) || die "cannot put sid's sparse in $tmp; see $tmp/tmp/sparse.log"
	mv "$tmp" "$root"
}

# fetch KVER: unpack its packages into the root; the stamp says it is whole.
fetch() {
	local kver=$1 debs=$cache/debs-$1 stamp=$root/var/lib/netloop/$1 pkgs

	[[ ! -f $stamp ]] || return 0
	make_root
	pkgs=$(packages "$kver") || die "Linux $kver: a package is missing from the archive"
	echo "kernels.sh: fetching Linux $kver: $(paste -sd ' ' <<<"$pkgs")" >&2
	rm -rf "$debs"
	mkdir -p "$debs" "${stamp%/*}"
	# shellcheck disable=SC2086 # one package a word
	(cd "$debs" && archive apt-get download $pkgs >download.log 2>&1) ||
		die "cannot download Linux $kver's packages; see $debs/download.log"
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$root" || die "cannot unpack $deb"
	done
	depmod -b "$root" "$kver" || die "depmod for $kver in $root failed"
	# The release this one replaces is no longer used: drop its modules.
	for old in "${stamp%/*}/${kver%%.*}".*; do
		if [[ $old != "$stamp" && $(series "${old##*/}") == "$(series "$kver")" ]]; then
			rm -rf "$old" "$root/usr/lib/modules/${old##*/}"
		fi
	done
	# Debian's headers lack the script kbuild checks sparse with.
	for dir in "$root"/usr/src/linux-headers-*/scripts; do
		[[ -e $dir/checker-valid.sh || ! -e ${dir%/*}/Makefile ]] ||
			install -m 755 "${BASH_SOURCE[0]%/*}/checker-valid.sh" "$dir/"
	done
	rm -rf "$debs"
	echo "$pkgs" >"$stamp"
}

update=
case ${1-} in
--matrix)
	echo "${matrix[@]}"
	exit
	;;
--newest)
	archive_update || die "$update_failed"
	newest=$(archive apt-cache pkgnames linux-headers- |
		 sed -n 's/^linux-headers-\([0-9]*\.[0-9]*\)\.[0-9]*+deb[0-9]*-amd64$/\1/p' |
		 sort -urV)
	for s in $newest; do
		if newest_release "$s" >/dev/null 2>&1; then
			echo "$s $s-rt"
			exit
		fi
	done
	die "no kernel series in the archive has image, modules and headers"
	;;
--root)
	make_root
	echo "$root"
	exit
	;;
--deb)
	(($# == 2)) || die "usage: kernels.sh --deb PACKAGE[/SUITE]"
	archive_update || die "$update_failed"
	(cd "$apt_dir/cache" && archive apt-get download "$2" >download.log 2>&1) ||
		die "cannot download $2; see $apt_dir/cache/download.log"
	printf '%s\n' "$apt_dir/cache/${2%/*}"_*.deb | sort -V | tail -n 1
	exit
	;;
--update)
	update=1
	shift
	;;
-*)
	die "usage: kernels.sh [--update] [SERIES...] | --matrix | --newest | --root | --deb PACKAGE[/SUITE]"
	;;
esac

for s in "${@:-${matrix[@]}}"; do
	[[ $s =~ ^[0-9]+\.[0-9]+(-rt)?$ ]] || die "'$s' is not a kernel series (6.12, 7.3, 7.3-rt)"
	if kver=$("${BASH_SOURCE[0]%/*}/kver.sh" --host "$s" 2>/dev/null) ||
	   { [[ -z $update ]] && kver=$("${BASH_SOURCE[0]%/*}/kver.sh" "$s" 2>/dev/null); }; then
		echo "$kver"
		continue
	fi
	# A passing failure of a mirror need not stop a run that has a kernel.
	if ! archive_update && kver=$("${BASH_SOURCE[0]%/*}/kver.sh" "$s" 2>/dev/null); then
		echo "kernels.sh: $update_failed: $kver is used as it is" >&2
		echo "$kver"
		continue
	fi
	kver=$(newest_release "$s")
	fetch "$kver"
	echo "$kver"
done
