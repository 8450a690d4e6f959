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
#include <net/rtnetlink.h>

/* After 6.12, netdev_lockdep_set_classes() moved to its own header. */
#ifdef NETLOOP_HAVE_NETDEV_LOCK_H
#include <net/netdev_lock.h>
#endif

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

/*
 * After 6.12, rtnl_link_ops::newlink's arguments were gathered into struct
 * rtnl_newlink_params.  netloop.c is written against that; before it, a
 * wrapper with the old arguments calls netloop_newlink().
 */
#ifdef NETLOOP_HAVE_NEWLINK_PARAMS
#define NETLOOP_NEWLINK	netloop_newlink
#else
struct rtnl_newlink_params {
	struct net *src_net;
	struct nlattr **tb;
	struct nlattr **data;
};

static int netloop_newlink(struct net_device *dev,
			   struct rtnl_newlink_params *params,
			   struct netlink_ext_ack *extack);

static inline int netloop_newlink_args(struct net *src_net,
				       struct net_device *dev,
				       struct nlattr *tb[],
				       struct nlattr *data[],
				       struct netlink_ext_ack *extack)
{
	struct rtnl_newlink_params params = {
		.src_net	= src_net,
		.tb		= tb,
		.data		= data,
	};

	return netloop_newlink(dev, &params, extack);
}

#define NETLOOP_NEWLINK	netloop_newlink_args
#endif

#endif /* _NETLOOP_COMPAT_H */
