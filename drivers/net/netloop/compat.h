/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What differs between the kernels netloop builds for.  NETLOOP_HAVE_*
 * come from compile probes of the target kernel's headers (see Makefile
 * and probe/), not from its version number: distributions backport these
 * interfaces into older versions.
 */
#ifndef _NETLOOP_COMPAT_H
#define _NETLOOP_COMPAT_H

#include <linux/netdevice.h>

#ifndef NETLOOP_HAVE_PCPU_STAT_TYPE
#error "netloop needs net_device::pcpu_stat_type: Linux 6.6 or later, or 6.1.y with its backport"
#endif

/* Linux 6.12 turned the NETIF_F_LLTX feature into the lltx flag. */
static inline void netloop_set_lltx(struct net_device *dev)
{
#ifdef NETLOOP_HAVE_DEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

#endif /* _NETLOOP_COMPAT_H */
