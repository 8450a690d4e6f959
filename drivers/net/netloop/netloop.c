// SPDX-License-Identifier: GPL-2.0-only
/*
 * netloop: instantiable loopback-style network devices.
 *
 * Every packet transmitted on a netloop device is handed straight back to
 * the receive path of the same device, as if it had just arrived from a
 * wire.  In reflect mode (the default), unlike lo, the output route is
 * released first, so the looped packet goes through its own input route
 * lookup on the netloop device: policy routing on iif, forwarding,
 * rp_filter and martian filtering all apply to it.  In loopback mode the
 * output route is kept, as lo keeps it, but what is forwarded to the device
 * is dropped.  The mode is fixed at creation.
 * See Documentation/networking/netloop.rst.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/netloop.h>
#include <linux/skbuff.h>
#include <net/dst.h>
#include <net/rtnetlink.h>

#include "compat.h"

#define DRV_NAME	"netloop"
#define DRV_VERSION	"0.1.0"

/* Same as lo: the largest IPv4 or IPv6 packet plus room to spare. */
#define NETLOOP_MTU	65536

/* numdevs beyond this is a typo, not a configuration. */
#define NETLOOP_MAX_NUMDEVS	4096

static unsigned int numdevs;

struct netloop_priv {
	u32 mode;	/* enum netloop_mode, fixed at creation */
};

static netdev_tx_t netloop_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct netloop_priv *priv = netdev_priv(dev);
	unsigned int len = skb->len;

	/* Linkwatch swaps in the noop qdisc when the carrier goes off, but
	 * only later, from a work item: loop nothing in the meantime.
	 */
	if (unlikely(!netif_carrier_ok(dev))) {
		dev_core_stats_tx_dropped_inc(dev);
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_READY);
		return NETDEV_TX_OK;
	}

	/* A packet that came in on a device (skb_iif) and was routed out of
	 * this one is being forwarded.  In loopback mode its kept route would
	 * forward it straight back out of here, round and round until its TTL
	 * runs out and the sender gets time exceeded, as with lo.  A
	 * loopback-mode device does not forward: drop it, once, for the
	 * reason a packet for another host gets with forwarding off.  Not
	 * IPSKB_FORWARDED: a qdisc or tc may have reused skb->cb by now.  The
	 * route's device: tc mirred sets skb_iif on what it mirrors or
	 * redirects from another device's egress, with that device's route.
	 */
	if (priv->mode == NETLOOP_MODE_LOOPBACK && skb->skb_iif &&
	    skb_dst(skb) && skb_dst_dev(skb) == dev) {
		dev_core_stats_tx_dropped_inc(dev);
		kfree_skb_reason(skb, SKB_DROP_REASON_IP_INADDRERRORS);
		return NETDEV_TX_OK;
	}

	skb_tx_timestamp(skb);
	/* do not fool net_timestamp_check() with various clock bases */
	skb_clear_tstamp(skb);
	skb_orphan(skb);

	/* Loopback mode keeps the output dst, as lo, past the RCU section a
	 * noref dst was taken in.  Reflect mode scrubs what veth scrubs
	 * within a namespace: the dst, conntrack, skb extensions, skb_iif
	 * and ignore_df, but not the mark.
	 */
	if (priv->mode == NETLOOP_MODE_LOOPBACK)
		skb_dst_force(skb);
	else
		skb_scrub_packet(skb, false);
	skb->protocol = eth_type_trans(skb, dev);

	/* A refusal by the backlog is counted by the core in rx_dropped. */
	if (likely(__netif_rx(skb) == NET_RX_SUCCESS))
		dev_lstats_add(dev, len);

	return NETDEV_TX_OK;
}

static void netloop_get_stats64(struct net_device *dev,
				struct rtnl_link_stats64 *stats)
{
	u64 packets, bytes;

	dev_lstats_read(dev, &packets, &bytes);

	stats->rx_packets = packets;
	stats->tx_packets = packets;
	stats->rx_bytes = bytes;
	stats->tx_bytes = bytes;
}

static int netloop_dev_init(struct net_device *dev)
{
	netdev_lockdep_set_classes(dev);
	return 0;
}

static int netloop_change_carrier(struct net_device *dev, bool new_carrier)
{
	if (new_carrier)
		netif_carrier_on(dev);
	else
		netif_carrier_off(dev);
	return 0;
}

static const struct net_device_ops netloop_netdev_ops = {
	.ndo_init		= netloop_dev_init,
	.ndo_start_xmit		= netloop_xmit,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_get_stats64	= netloop_get_stats64,
	.ndo_change_carrier	= netloop_change_carrier,
};

static void netloop_get_drvinfo(struct net_device *dev,
				struct ethtool_drvinfo *info)
{
	strscpy(info->driver, DRV_NAME, sizeof(info->driver));
	strscpy(info->version, DRV_VERSION, sizeof(info->version));
}

static const struct ethtool_ops netloop_ethtool_ops = {
	.get_drvinfo		= netloop_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_ts_info		= ethtool_op_get_ts_info,
};

static void netloop_setup(struct net_device *dev)
{
	ether_setup(dev);

	dev->netdev_ops = &netloop_netdev_ops;
	dev->ethtool_ops = &netloop_ethtool_ops;
	dev->needs_free_netdev = true;
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_LSTATS;

	/* Nothing to resolve: a neighbour on a NOARP device gets our own
	 * address, so looped frames arrive as PACKET_HOST.
	 */
	dev->flags |= IFF_NOARP;
	dev->flags &= ~IFF_MULTICAST;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE | IFF_NO_QUEUE;
	/* The skb is queued to the backlog: pktgen must not resend it. */
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	netloop_set_lltx(dev);

	/* As lo: GSO super-packets and partial checksums loop unchanged. */
	dev->hw_features = NETIF_F_SG | NETIF_F_FRAGLIST |
			   NETIF_F_GSO_SOFTWARE | NETIF_F_HW_CSUM |
			   NETIF_F_SCTP_CRC;
	dev->features |= dev->hw_features | NETIF_F_RXCSUM | NETIF_F_HIGHDMA;
	netif_set_tso_max_size(dev, GSO_MAX_SIZE);

	dev->mtu = NETLOOP_MTU;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = NETLOOP_MTU;

	eth_hw_addr_random(dev);
}

static const struct nla_policy netloop_policy[IFLA_NETLOOP_MAX + 1] = {
	[IFLA_NETLOOP_MODE]	= NLA_POLICY_MAX(NLA_U32, NETLOOP_MODE_MAX),
};

static int netloop_validate(struct nlattr *tb[], struct nlattr *data[],
			    struct netlink_ext_ack *extack)
{
	const struct nlattr *info_data;

	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "MAC address must be 6 bytes");
			return -EINVAL;
		}
		if (!is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "MAC address must be unicast and non-zero");
			return -EADDRNOTAVAIL;
		}
	}

	/* rtnetlink parses IFLA_INFO_DATA liberally and skips attribute
	 * types above maxtype.  Refuse them instead: a request meant for a
	 * newer netloop must not be half applied.
	 */
	if (!tb[IFLA_LINKINFO])
		return 0;
	info_data = nla_find_nested(tb[IFLA_LINKINFO], IFLA_INFO_DATA);
	if (!info_data)
		return 0;
	return nla_validate_nested(info_data, IFLA_NETLOOP_MAX, netloop_policy,
				   extack);
}

static int netloop_newlink(struct net_device *dev,
			   struct rtnl_newlink_params *params,
			   struct netlink_ext_ack *extack)
{
	struct netloop_priv *priv = netdev_priv(dev);
	struct nlattr **data = params->data;

	if (data && data[IFLA_NETLOOP_MODE])
		priv->mode = nla_get_u32(data[IFLA_NETLOOP_MODE]);
	/* As lo, loopback mode asks the core to keep the dst for xmit. */
	if (priv->mode == NETLOOP_MODE_LOOPBACK)
		netif_keep_dst(dev);
	return register_netdevice(dev);
}

static int netloop_changelink(struct net_device *dev, struct nlattr *tb[],
			      struct nlattr *data[],
			      struct netlink_ext_ack *extack)
{
	struct netloop_priv *priv = netdev_priv(dev);

	/* Fixed at creation, as netkit's mode: __dev_queue_xmit() reads the
	 * dst release flags without a lock, and bond and team compute their
	 * own from their slaves' only when these are enslaved.
	 */
	if (data && data[IFLA_NETLOOP_MODE] &&
	    nla_get_u32(data[IFLA_NETLOOP_MODE]) != priv->mode) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_NETLOOP_MODE],
				    "mode cannot be changed after creation");
		return -EOPNOTSUPP;
	}
	return 0;
}

static size_t netloop_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(u32));	/* IFLA_NETLOOP_MODE */
}

static int netloop_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	const struct netloop_priv *priv = netdev_priv(dev);

	if (nla_put_u32(skb, IFLA_NETLOOP_MODE, priv->mode))
		return -EMSGSIZE;
	return 0;
}

static struct rtnl_link_ops netloop_link_ops __read_mostly = {
	.kind		= DRV_NAME,
	.priv_size	= sizeof(struct netloop_priv),
	.maxtype	= IFLA_NETLOOP_MAX,
	.policy		= netloop_policy,
	.setup		= netloop_setup,
	.validate	= netloop_validate,
	.newlink	= NETLOOP_NEWLINK,
	.changelink	= netloop_changelink,
	.get_size	= netloop_get_size,
	.fill_info	= netloop_fill_info,
};

module_param(numdevs, uint, 0444);
MODULE_PARM_DESC(numdevs, "Number of netloop devices to create at load time (default 0, at most 4096)");

static int __init netloop_init_one(void)
{
	struct net_device *dev;
	int err;

	dev = alloc_netdev(sizeof(struct netloop_priv), DRV_NAME "%d",
			   NET_NAME_ENUM, netloop_setup);
	if (!dev)
		return -ENOMEM;

	dev->rtnl_link_ops = &netloop_link_ops;
	err = register_netdev(dev);
	if (err < 0)
		free_netdev(dev);
	return err;
}

static int __init netloop_init_module(void)
{
	unsigned int i;
	int err;

	if (numdevs > NETLOOP_MAX_NUMDEVS) {
		pr_err("numdevs=%u is above the maximum of %u\n",
		       numdevs, NETLOOP_MAX_NUMDEVS);
		return -EINVAL;
	}

	err = rtnl_link_register(&netloop_link_ops);
	if (err < 0)
		return err;

	for (i = 0; i < numdevs && !err; i++) {
		err = netloop_init_one();
		cond_resched();
	}
	/* Also deletes the devices created before the failure. */
	if (err < 0)
		rtnl_link_unregister(&netloop_link_ops);

	return err;
}

static void __exit netloop_cleanup_module(void)
{
	rtnl_link_unregister(&netloop_link_ops);
}

module_init(netloop_init_module);
module_exit(netloop_cleanup_module);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The netloop developers");
MODULE_DESCRIPTION("Loopback-style netdevice that hands every transmitted packet back to its own receive path");
MODULE_VERSION(DRV_VERSION);
MODULE_ALIAS_RTNL_LINK(DRV_NAME);
