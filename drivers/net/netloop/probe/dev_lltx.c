// SPDX-License-Identifier: GPL-2.0-only
/* Linux 6.12+: lockless TX is net_device::lltx, not NETIF_F_LLTX. */
#include <linux/netdevice.h>

void netloop_probe(struct net_device *dev);
void netloop_probe(struct net_device *dev)
{
	dev->lltx = true;
}
