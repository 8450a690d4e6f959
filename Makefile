# SPDX-License-Identifier: GPL-2.0-only
#
# netloop out of tree.  The module itself is built by kbuild (see Kbuild and
# drivers/net/netloop/Makefile); this file adds the project's commands:
#
#   make [KDIR=...]   build drivers/net/netloop/netloop.ko
#   make install      install it under /lib/modules/<kver>/updates, run depmod,
#                     and the iproute2 plugin (ip link ... type netloop mode ...)
#   make modules_install  the same without the plugin
#   make plugin       build/link_netloop.so, the iproute2 plugin
#   make clean        remove what the build and the harness made
#   make demo         boot a VM with netloop and show it at work
#   make check        build for every kernel of MATRIX (below), lint, run the
#                     selftests in VMs (KERNELS="6.1 7.3" for some; RUNNER=vng
#                     to boot them with virtme-ng)
#   make check-newest the same on the archive's newest series and its -rt
#   make stress       the full stress suite in VMs on every kernel (KERNEL=... for one)
#   make check-debug  the selftests and the short stress suite on a KASAN, lockdep,
#                     kmemleak and UBSAN kernel built from linux-source-6.12 (cached)
#   make bench        netloop's costs against lo, veth, dummy and tc mirred, in
#                     guest instructions (QEMU -icount), in VMs on every kernel
#                     (KERNEL=... for one): tables and plots under results/
#   make mutants      break the driver on purpose; the cases named must catch each
#   make shell        an interactive shell in a VM (KERNEL=6.1 for 6.1)
#   make dkms-src     copy the sources DKMS needs to /usr/src/netloop-<version>
#   make deb          build/deb/netloop-dkms_<version>_all.deb and
#                     netloop-iproute2_<version>_<arch>.deb (the ip plugin)
#   make man          Documentation/netloop.4 from Documentation/netloop.4.rst

# The running kernel's build tree; where there is none (a machine whose
# kernel has no modules), the newest installed Debian headers.
ifeq ($(origin KDIR),undefined)
KDIR := /lib/modules/$(shell uname -r)/build
ifeq ($(wildcard $(KDIR)),)
KDIR := $(lastword $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V))
KDIR_NOTE := no headers for the running kernel; building against $(KDIR)
endif
endif

KBUILD := $(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_NETLOOP=m

# The kernel series netloop is tested on, and so supports: bookworm's 6.1
# and 6.12, and from Debian's archive the two newest series and the newest
# one's PREEMPT_RT flavour (the newest release of each, found when fetched:
# scripts/kernels.sh).  The scripts read this line.  `make check-newest`
# runs the suite on the archive's newest series, whatever it is this week:
# add it here when it passes.
MATRIX := 6.1 6.12 7.2 7.3 7.3-rt
KERNELS ?= $(MATRIX)
# One kernel (demo, shell, mutants...): bookworm's newer series, on the host.
KERNEL ?= 6.12
# What boots the VMs of make check's selftests and of make demo:
# scripts/vm.sh (vm, its own initramfs) or scripts/vng.sh (vng, virtme-ng).
RUNNER ?= vm
# DKMS and the Debian package use the version dkms.conf gives.
NETLOOP_VERSION = $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
DKMS_SRC := Kbuild Makefile dkms.conf drivers include

all: modules

modules: kdir-check
	$(KBUILD) modules

# Debian's headers lack what kbuild's modules_install relies on: 6.1's
# kernel.release names the upstream version (6.1.x, not 6.1.0-N-amd64), so
# install where the kernel's own uname -r says; there is no System.map, so
# kbuild skips depmod, which is run here; and no key Debian signed with, so
# install unsigned, as DKMS does without a key of its own.
KRELEASE = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' $(KDIR)/include/generated/utsrelease.h)
SIG_KEY = $(shell sed -n 's/^CONFIG_MODULE_SIG_KEY="\(.*\)"$$/\1/p' $(KDIR)/.config)
NO_SIGN = $(if $(wildcard $(KDIR)/$(SIG_KEY) $(filter /%,$(SIG_KEY))),,CONFIG_MODULE_SIG_ALL=)

install: modules_install
	$(MAKE) -C iproute2 O=$(CURDIR)/build install

modules_install: modules
	$(KBUILD) INSTALL_MOD_DIR=updates KERNELRELEASE=$(KRELEASE) $(NO_SIGN) modules_install
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KRELEASE)

plugin:
	$(MAKE) -C iproute2 O=$(CURDIR)/build

clean:
	$(if $(wildcard $(KDIR)),$(KBUILD) clean)
	rm -rf build

# A kernel newer than the newest series of MATRIX is built, with a warning
# (dkms.conf says why).  Series compare as versions: 6.12 comes after 6.1.
KSERIES = $(shell sed -n 's/^\#define UTS_RELEASE "\([0-9]*\.[0-9]*\).*/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
TESTED = $(shell printf '%s\n' $(patsubst %-rt,%,$(MATRIX)) | sort -V | tail -n 1)
UNTESTED = $(filter-out $(TESTED),$(lastword $(shell printf '%s\n' $(TESTED) $(KSERIES) | sort -V)))

kdir-check:
	$(if $(KDIR_NOTE),@echo "netloop: $(KDIR_NOTE)")
	@test -d "$(KDIR)" || { echo "netloop: no kernel build tree at '$(KDIR)': install linux-headers-amd64 or set KDIR" >&2; exit 1; }
	$(if $(UNTESTED),@echo "netloop: warning: Linux $(UNTESTED) is newer than the newest kernel netloop is tested on ($(TESTED)); building anyway" >&2)

demo:
	scripts/deps.sh
	scripts/$(RUNNER).sh -k $(KERNEL) -t 300 scripts/demo.sh

check:
	scripts/deps.sh
	RUNNER=$(RUNNER) scripts/check.sh $(KERNELS)

check-newest:
	scripts/deps.sh
	RUNNER=$(RUNNER) scripts/check.sh --newest

# The sanitizer kernel takes long to build once (then ~/.cache/netloop has
# it) and its selftests run slower than Debian's: not part of `make check`.
check-debug:
	scripts/deps.sh
	scripts/check-debug.sh

# NETLOOP_STRESS=full: the issue's counts; about 20 minutes per kernel
# under TCG.  `make check` runs the short version with the other selftests.
stress:
	scripts/deps.sh
	scripts/stress.sh $(if $(filter command line,$(origin KERNEL)),$(KERNEL))

# About 20 minutes per kernel, two kernels at a time; BENCH_ROUNDS=3 rounds,
# BENCH_CLOCK=wall for the wall clock (scripts/bench.sh).
bench:
	scripts/deps.sh gnuplot-nox
	scripts/bench.sh $(if $(filter command line,$(origin KERNEL)),$(KERNEL))

# Run the cases the mutants name and the cost gate on the unmodified driver,
# then break the driver eighteen ways and check that each one's cases (or the
# gate) catch it (see scripts/mutants.sh); about 30 minutes on one kernel
# (KERNEL=6.1 for 6.1).
mutants:
	scripts/deps.sh
	scripts/mutants.sh $(KERNEL)

shell:
	scripts/deps.sh
	scripts/vm.sh -k $(KERNEL) -i

# The sources without build products (those .gitignore names).
dkms-src:
	install -d $(DESTDIR)/usr/src/netloop-$(NETLOOP_VERSION)
	tar -c -X .gitignore $(DKMS_SRC) | tar -x -C $(DESTDIR)/usr/src/netloop-$(NETLOOP_VERSION)

# The man page is Documentation/networking/netloop.rst's text, put together
# by Documentation/netloop.4.rst and made by Debian's rst2man.  It is
# committed, so that `man -l Documentation/netloop.4` works in a clone and
# the package builds without docutils; scripts/test-docs.sh fails when it is
# not what this makes.  MAN_OUT=FILE writes it elsewhere.
MAN_OUT ?= Documentation/netloop.4
man:
	scripts/deps.sh python3-docutils
	/usr/bin/rst2man --halt=warning Documentation/netloop.4.rst $(MAN_OUT)

# dpkg-buildpackage writes next to the tree it builds: build a copy.
deb:
	scripts/deps.sh debhelper dh-dkms
	rm -rf build/deb
	mkdir -p build/deb/src
	tar -c -X .gitignore $(DKMS_SRC) .gitignore README Documentation debian iproute2 | tar -x -C build/deb/src
	cd build/deb/src && dpkg-buildpackage -b --no-sign

.PHONY: all modules install modules_install plugin clean kdir-check demo check check-newest check-debug stress bench mutants shell dkms-src deb man
