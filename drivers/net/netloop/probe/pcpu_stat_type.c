// SPDX-License-Identifier: GPL-2.0-only
/* Linux 6.6+ and 6.1.y backports: the core allocates per-CPU stats. */
#include <linux/netdevice.h>

void netloop_probe(struct net_device *dev);
void netloop_probe(struct net_device *dev)
{
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_LSTATS;
}
