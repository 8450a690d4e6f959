// SPDX-License-Identifier: GPL-2.0-only
/* After 6.12: rtnl_link_ops::newlink takes struct rtnl_newlink_params. */
#include <net/rtnetlink.h>

static int netloop_probe_newlink(struct net_device *dev,
				 struct rtnl_newlink_params *params,
				 struct netlink_ext_ack *extack)
{
	return params->data ? 0 : -EINVAL;
}

struct rtnl_link_ops netloop_probe_ops;
struct rtnl_link_ops netloop_probe_ops = {
	.newlink	= netloop_probe_newlink,
};
