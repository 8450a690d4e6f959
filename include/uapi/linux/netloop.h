/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * netloop: attributes of a netloop device inside IFLA_INFO_DATA
 * (RTM_NEWLINK, RTM_GETLINK).  See Documentation/networking/netloop.rst.
 */
#ifndef _UAPI_LINUX_NETLOOP_H
#define _UAPI_LINUX_NETLOOP_H

enum {
	IFLA_NETLOOP_UNSPEC,
	IFLA_NETLOOP_MODE,	/* u32, enum netloop_mode */
	__IFLA_NETLOOP_MAX
};

#define IFLA_NETLOOP_MAX	(__IFLA_NETLOOP_MAX - 1)

enum netloop_mode {
	/* Release the output route: the looped packet is routed again as
	 * input on the device.  The default.
	 */
	NETLOOP_MODE_REFLECT,
	/* Keep the output route, as lo does: the looped packet goes where
	 * its output route says, without an input route lookup.
	 */
	NETLOOP_MODE_LOOPBACK,
	__NETLOOP_MODE_MAX
};

#define NETLOOP_MODE_MAX	(__NETLOOP_MODE_MAX - 1)

#endif /* _UAPI_LINUX_NETLOOP_H */
