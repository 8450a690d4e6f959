// SPDX-License-Identifier: GPL-2.0-only
/*
 * link_netloop.so: netloop support for iproute2's ip link.
 *
 *   ip link add NAME type netloop [mode { reflect | loopback }]
 *   ip link set NAME type netloop mode { reflect | loopback }
 *   ip -d link show NAME		(prints "mode reflect|loopback")
 *   ip link help netloop
 *
 * iproute2 loads link_<kind>.so from its library directory ($IP_LIB_DIR,
 * else Debian 12's /usr/lib/x86_64-linux-gnu/ip) and uses its
 * <kind>_link_util, which calls back into the ip binary (addattr32,
 * matches, print_color_string...).  iproute2 installs no header for
 * either, so both are declared here, pinned to iproute2 6.1 (Debian 12):
 * struct link_util from include/ip_common.h, the functions from
 * include/libnetlink.h, include/utils.h and include/json_print.h.  Another
 * iproute2 may lay them out differently: rebuild against it.  An ip binary
 * that lacks one of the functions is refused with a message at the first
 * use rather than crashing.
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/uapi/linux/netloop.h"

/* iproute2 6.1 include/ip_common.h */
struct link_util {
	struct link_util *next;
	const char *id;
	int maxattr;
	int (*parse_opt)(struct link_util *lu, int argc, char **argv,
			 struct nlmsghdr *n);
	void (*print_opt)(struct link_util *lu, FILE *f, struct rtattr *tb[]);
	void (*print_xstats)(struct link_util *lu, FILE *f,
			     struct rtattr *xstats);
	void (*print_help)(struct link_util *lu, int argc, char **argv,
			   FILE *f);
	int (*parse_ifla_xstats)(struct link_util *lu, int argc, char **argv);
	int (*print_ifla_xstats)(struct nlmsghdr *n, void *arg);
};

/* iproute2 6.1 include/json_print.h and include/color.h */
enum output_type { PRINT_FP = 1, PRINT_JSON = 2, PRINT_ANY = 4 };
#define COLOR_NONE	0

/* The ip binary's functions, looked up in it at the first use. */
static struct {
	int (*addattr32)(struct nlmsghdr *n, int maxlen, int type,
			 unsigned int data);
	int (*print_color_string)(enum output_type t, int color,
				  const char *key, const char *fmt,
				  const char *value);
} ip;

#define IP_SYM(name)	{ #name, (void **)&ip.name }

static void ip_bind(void)
{
	static const struct { const char *name; void **fn; } syms[] = {
		IP_SYM(addattr32),
		IP_SYM(print_color_string),
	};
	unsigned int i;

	if (ip.addattr32)
		return;
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		*syms[i].fn = dlsym(RTLD_DEFAULT, syms[i].name);
		if (!*syms[i].fn) {
			fprintf(stderr,
				"link_netloop.so: this ip has no %s(): built for iproute2 6.1, rebuild it for this one\n",
				syms[i].name);
			exit(1);
		}
	}
}

static const char * const mode_names[] = {
	[NETLOOP_MODE_REFLECT]	= "reflect",
	[NETLOOP_MODE_LOOPBACK]	= "loopback",
};

static void netloop_help(FILE *f)
{
	fprintf(f,
		"Usage: ... netloop [ mode { reflect | loopback } ]\n"
		"\n"
		"reflect (default): the looped packet is routed again as input\n"
		"loopback: the looped packet keeps its output route, as on lo\n");
}

static void netloop_print_help(struct link_util *lu, int argc, char **argv,
			       FILE *f)
{
	netloop_help(f);
}

static int netloop_parse_opt(struct link_util *lu, int argc, char **argv,
			     struct nlmsghdr *n)
{
	unsigned int mode;

	ip_bind();
	while (argc > 0) {
		if (!strcmp(*argv, "mode") && argc > 1) {
			argc--, argv++;
			for (mode = 0; mode <= NETLOOP_MODE_MAX; mode++)
				if (!strcmp(*argv, mode_names[mode]))
					break;
			if (mode > NETLOOP_MODE_MAX) {
				fprintf(stderr,
					"Error: argument \"%s\" is wrong: mode must be reflect or loopback\n",
					*argv);
				return -1;
			}
			ip.addattr32(n, 1024, IFLA_NETLOOP_MODE, mode);
		} else if (!strcmp(*argv, "help")) {
			netloop_help(stderr);
			return -1;
		} else {
			fprintf(stderr, "netloop: unknown argument \"%s\"\n",
				*argv);
			netloop_help(stderr);
			return -1;
		}
		argc--, argv++;
	}
	return 0;
}

static void netloop_print_opt(struct link_util *lu, FILE *f,
			      struct rtattr *tb[])
{
	const char *name = "unknown";
	unsigned int mode;

	if (!tb || !tb[IFLA_NETLOOP_MODE] ||
	    RTA_PAYLOAD(tb[IFLA_NETLOOP_MODE]) < sizeof(mode))
		return;
	ip_bind();
	memcpy(&mode, RTA_DATA(tb[IFLA_NETLOOP_MODE]), sizeof(mode));
	if (mode <= NETLOOP_MODE_MAX)
		name = mode_names[mode];
	ip.print_color_string(PRINT_ANY, COLOR_NONE, "mode", "mode %s ", name);
}

struct link_util netloop_link_util = {
	.id		= "netloop",
	.maxattr	= IFLA_NETLOOP_MAX,
	.parse_opt	= netloop_parse_opt,
	.print_opt	= netloop_print_opt,
	.print_help	= netloop_print_help,
};
