#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Debian's linux-headers packages lack scripts/checker-valid.sh, which
# kbuild runs before a C=1 or C=2 build and without which it turns the
# checker off.  scripts/kernels.sh puts this one in their place.  Like the
# kernel's, it prints 1 if the checker ($1, with its flags) parses what
# current headers use (__typeof_unqual__, Linux 6.15+), else 0.
#   checker-valid.sh CHECK [CHECKFLAGS...]
command -v "$1" >/dev/null || { echo 0; exit; }
src=$(mktemp --suffix=.c) || exit 1
trap 'rm -f "$src"' EXIT
printf 'static inline int f(const int *p) { __typeof_unqual__(*p) v = *p; return v; }\n' >"$src"
if "$@" "$src" 2>&1 | grep -q error; then
	echo 0
else
	echo 1
fi
