// SPDX-License-Identifier: GPL-2.0-only
/* Must compile wherever netloop does: proves the probe command works. */
#include <linux/netdevice.h>

void netloop_probe(struct net_device *dev);
void netloop_probe(struct net_device *dev)
{
	dev->mtu = ETH_DATA_LEN;
}
