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
 * output route is kept, as lo keeps it.  See
 * Documentation/networking/netloop.rst.
 */

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/netloop.h>
#include <linux/skbuff.h>
#include <linux/u64_stats_sync.h>
#include <net/dst.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "compat.h"

#define DRV_NAME	"netloop"
#define DRV_VERSION	"0.1.0"

/* Same as lo: the largest IPv4 or IPv6 packet plus room to spare. */
#define NETLOOP_MTU	65536

/* numdevs beyond this is a typo, not a configuration. */
#define NETLOOP_MAX_NUMDEVS	4096

static unsigned int numdevs;

/* Packets the receive backlog refused, per CPU (as the backlog is), for
 * ethtool -S.  What was looped is counted in dev->lstats.
 */
struct netloop_drops {
	u64_stats_t backlog;
	struct u64_stats_sync syncp;
};

struct netloop_priv {
	struct netloop_drops __percpu *drops;
	/* enum netloop_mode; changed only while the device is down. */
	u32 mode;
};

/* One CPU's share of the counters. */
struct netloop_cpu_stats {
	u64 packets;
	u64 bytes;
	u64 backlog;
};

static void netloop_count_backlog_drop(struct net_device *dev)
{
	struct netloop_priv *priv = netdev_priv(dev);
	struct netloop_drops *d = this_cpu_ptr(priv->drops);

	u64_stats_update_begin(&d->syncp);
	u64_stats_inc(&d->backlog);
	u64_stats_update_end(&d->syncp);
}

static void netloop_read_cpu(struct net_device *dev, int cpu,
			     struct netloop_cpu_stats *s)
{
	const struct pcpu_lstats *l = per_cpu_ptr(dev->lstats, cpu);
	struct netloop_priv *priv = netdev_priv(dev);
	const struct netloop_drops *d = per_cpu_ptr(priv->drops, cpu);
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&l->syncp);
		s->packets = u64_stats_read(&l->packets);
		s->bytes = u64_stats_read(&l->bytes);
	} while (u64_stats_fetch_retry(&l->syncp, start));
	do {
		start = u64_stats_fetch_begin(&d->syncp);
		s->backlog = u64_stats_read(&d->backlog);
	} while (u64_stats_fetch_retry(&d->syncp, start));
}

static netdev_tx_t netloop_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct netloop_priv *priv = netdev_priv(dev);
	unsigned int len = skb->len;

	/* Linkwatch swaps in the noop qdisc when the carrier goes off, but
	 * only later, from a work item: loop nothing in the meantime.
	 */
	if (unlikely(!netif_carrier_ok(dev))) {
		dev_core_stats_tx_dropped_inc(dev);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}

	skb_tx_timestamp(skb);
	/* do not fool net_timestamp_check() with various clock bases */
	skb_clear_tstamp(skb);
	skb_orphan(skb);

	if (READ_ONCE(priv->mode) == NETLOOP_MODE_LOOPBACK) {
		/* As lo: the output dst stays and decides the packet's fate
		 * on input, without an input route lookup.  The backlog
		 * outlives the RCU section a noref dst was taken in.
		 */
		skb_dst_force(skb);
	} else {
		/* Scrub what veth scrubs when it forwards within a namespace:
		 * the output dst (the packet must be routed again as input on
		 * this device), conntrack and skb extensions (a received
		 * packet has none), skb_iif and ignore_df.  skb->mark is
		 * kept, as veth keeps it, so fwmark policy routing sees it.
		 */
		skb_scrub_packet(skb, false);
	}
	skb->protocol = eth_type_trans(skb, dev);

	/* The core counts a refusal by the backlog in rx_dropped too. */
	if (likely(__netif_rx(skb) == NET_RX_SUCCESS))
		dev_lstats_add(dev, len);
	else
		netloop_count_backlog_drop(dev);

	return NETDEV_TX_OK;
}

static void netloop_get_stats64(struct net_device *dev,
				struct rtnl_link_stats64 *stats)
{
	struct netloop_cpu_stats s;
	int cpu;

	for_each_possible_cpu(cpu) {
		netloop_read_cpu(dev, cpu, &s);
		stats->tx_packets += s.packets;
		stats->tx_bytes += s.bytes;
	}
	stats->rx_packets = stats->tx_packets;
	stats->rx_bytes = stats->tx_bytes;
}

static int netloop_dev_init(struct net_device *dev)
{
	struct netloop_priv *priv = netdev_priv(dev);

	priv->drops = netdev_alloc_pcpu_stats(struct netloop_drops);
	if (!priv->drops)
		return -ENOMEM;

	netdev_lockdep_set_classes(dev);
	return 0;
}

static void netloop_dev_uninit(struct net_device *dev)
{
	struct netloop_priv *priv = netdev_priv(dev);

	free_percpu(priv->drops);
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
	.ndo_uninit		= netloop_dev_uninit,
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

enum {
	NETLOOP_STAT_PACKETS,
	NETLOOP_STAT_BYTES,
	NETLOOP_STAT_BACKLOG,
	NETLOOP_NSTATS
};

static const char netloop_stat_names[NETLOOP_NSTATS][ETH_GSTRING_LEN] = {
	[NETLOOP_STAT_PACKETS]	= "looped_packets",
	[NETLOOP_STAT_BYTES]	= "looped_bytes",
	[NETLOOP_STAT_BACKLOG]	= "rx_backlog_drops",
};

/* After the totals, each CPU's looped packets and backlog drops: the
 * backlog is per CPU, and the remedy (RPS, netdev_max_backlog) depends on
 * how the load spreads.
 */
#define NETLOOP_NSTATS_PER_CPU	2

static int netloop_get_sset_count(struct net_device *dev, int sset)
{
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return NETLOOP_NSTATS + NETLOOP_NSTATS_PER_CPU * num_possible_cpus();
}

static void netloop_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	int cpu;

	if (sset != ETH_SS_STATS)
		return;
	memcpy(data, netloop_stat_names, sizeof(netloop_stat_names));
	data += sizeof(netloop_stat_names);
	for_each_possible_cpu(cpu) {
		ethtool_sprintf(&data, "cpu%d_looped_packets", cpu);
		ethtool_sprintf(&data, "cpu%d_rx_backlog_drops", cpu);
	}
}

static void netloop_get_ethtool_stats(struct net_device *dev,
				      struct ethtool_stats *estats, u64 *data)
{
	u64 *per_cpu = data + NETLOOP_NSTATS;
	struct netloop_cpu_stats s;
	int cpu;

	memset(data, 0, NETLOOP_NSTATS * sizeof(*data));
	for_each_possible_cpu(cpu) {
		netloop_read_cpu(dev, cpu, &s);
		data[NETLOOP_STAT_PACKETS] += s.packets;
		data[NETLOOP_STAT_BYTES] += s.bytes;
		data[NETLOOP_STAT_BACKLOG] += s.backlog;
		*per_cpu++ = s.packets;
		*per_cpu++ = s.backlog;
	}
}

static const struct ethtool_ops netloop_ethtool_ops = {
	.get_drvinfo		= netloop_get_drvinfo,
	.get_sset_count		= netloop_get_sset_count,
	.get_strings		= netloop_get_strings,
	.get_ethtool_stats	= netloop_get_ethtool_stats,
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

static void netloop_set_mode(struct net_device *dev, u32 mode)
{
	struct netloop_priv *priv = netdev_priv(dev);

	WRITE_ONCE(priv->mode, mode);
	/* The core releases the dst before ndo_start_xmit unless the
	 * device asks to keep it, as lo does.
	 */
	if (mode == NETLOOP_MODE_LOOPBACK)
		netif_keep_dst(dev);
	else
		dev->priv_flags |= IFF_XMIT_DST_RELEASE |
				   IFF_XMIT_DST_RELEASE_PERM;
}

static int netloop_newlink(struct net_device *dev,
			   struct rtnl_newlink_params *params,
			   struct netlink_ext_ack *extack)
{
	struct nlattr **data = params->data;

	if (data && data[IFLA_NETLOOP_MODE])
		netloop_set_mode(dev, nla_get_u32(data[IFLA_NETLOOP_MODE]));
	return register_netdevice(dev);
}

static int netloop_changelink(struct net_device *dev, struct nlattr *tb[],
			      struct nlattr *data[],
			      struct netlink_ext_ack *extack)
{
	struct netloop_priv *priv = netdev_priv(dev);
	u32 mode;

	if (!data || !data[IFLA_NETLOOP_MODE])
		return 0;
	mode = nla_get_u32(data[IFLA_NETLOOP_MODE]);
	if (mode == priv->mode)
		return 0;
	/* Packets in flight would be looped half in one mode, half in the
	 * other.
	 */
	if (netif_running(dev)) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_NETLOOP_MODE],
				    "cannot change mode while the device is up");
		return -EBUSY;
	}
	netloop_set_mode(dev, mode);
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
		pr_err(DRV_NAME ": numdevs=%u is above the maximum of %u\n",
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
