// SPDX-License-Identifier: GPL-2.0-only
/* After 6.12: netdev_lockdep_set_classes() is in <net/netdev_lock.h>. */
#include <net/netdev_lock.h>

void netloop_probe(struct net_device *dev);
void netloop_probe(struct net_device *dev)
{
	netdev_lockdep_set_classes(dev);
}
