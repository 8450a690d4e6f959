// SPDX-License-Identifier: GPL-2.0-only
/*
 * link_netloop.so: netloop support for iproute2's ip link.
 *
 *   ip link add NAME type netloop [mode { reflect | loopback }]
 *   ip link set NAME type netloop mode { reflect | loopback }
 *					(the kernel refuses a change: the
 *					mode is fixed at creation)
 *   ip -d link show NAME		(prints "mode reflect|loopback")
 *   ip link help netloop
 *
 * iproute2 loads link_<kind>.so from its library directory ($IP_LIB_DIR,
 * else Debian's /usr/lib/x86_64-linux-gnu/ip) and uses its
 * <kind>_link_util, which calls back into the ip binary (addattr32,
 * print_color_string).  iproute2 installs no header for either, so both
 * are declared here, as iproute2 6.1 (Debian 12), 6.15 (Debian 13) and
 * 7.3 (sid) have them, all three alike: struct link_util in
 * ip/ip_common.h, nine pointer-sized fields, 72 bytes on 64-bit; the
 * functions in include/libnetlink.h and include/json_print.h, with
 * enum output_type and enum color_attr (COLOR_NONE is 6) from
 * include/json_print.h and include/color.h.
 *
 * ip exports no version, but it exports its own link_utils (it is linked
 * with -export-dynamic so that plugins can call back into it), and its
 * dynamic symbol table holds their size.  When ip loads this plugin, the
 * constructor below checks that this ip's dummy_link_util, built into
 * every ip, is as big as the struct link_util declared here, and looks
 * up the two functions.  An ip that fails either is refused with one
 * line on stderr and exit status 1, before it can call into this plugin.
 * That catches a field added or removed, not a change that keeps the size
 * (fields reordered, a callback's arguments changed): the comparison above
 * rules those out for 6.1 to 7.3 only.
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/elf.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/uapi/linux/netloop.h"

/* The ELF symbol that dladdr1() finds, ElfW(Sym) in glibc's <link.h> */
#if __SIZEOF_POINTER__ == 8
#define elf_sym elf64_sym
#else
#define elf_sym elf32_sym
#endif

/* iproute2 6.1 to 7.3 ip/ip_common.h */
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

/* iproute2 6.1 to 7.3 include/json_print.h and include/color.h */
enum output_type { PRINT_FP = 1, PRINT_JSON = 2, PRINT_ANY = 4 };
enum color_attr {
	COLOR_IFNAME,
	COLOR_MAC,
	COLOR_INET,
	COLOR_INET6,
	COLOR_OPERSTATE_UP,
	COLOR_OPERSTATE_DOWN,
	COLOR_NONE
};

/* The ip binary's functions, looked up in it when it loads the plugin. */
static struct {
	int (*addattr32)(struct nlmsghdr *n, int maxlen, int type,
			 unsigned int data);
	int (*print_color_string)(enum output_type t, enum color_attr color,
				  const char *key, const char *fmt,
				  const char *value);
} ip;

/*
 * NULL if this ip's struct link_util is as big as the one above, with
 * ip.addattr32 and ip.print_color_string looked up; else why not.
 */
static const char *ip_bind(void)
{
	static char why[80];
	const struct elf_sym *sym = NULL;
	Dl_info info;
	void *lu;

	lu = dlsym(RTLD_DEFAULT, "dummy_link_util");
	if (!lu || !dladdr1(lu, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym)
		return "exports no dummy_link_util";
	if (sym->st_size != sizeof(struct link_util)) {
		snprintf(why, sizeof(why),
			 "has a struct link_util of %llu bytes, not %zu",
			 (unsigned long long)sym->st_size,
			 sizeof(struct link_util));
		return why;
	}
	ip.addattr32 = dlsym(RTLD_DEFAULT, "addattr32");
	if (!ip.addattr32)
		return "has no addattr32()";
	ip.print_color_string = dlsym(RTLD_DEFAULT, "print_color_string");
	if (!ip.print_color_string)
		return "has no print_color_string()";
	return NULL;
}

/* Run by ip's dlopen() of the plugin, before it looks at netloop_link_util. */
static void __attribute__((constructor)) netloop_init(void)
{
	const char *why = ip_bind();

	if (why) {
		fprintf(stderr,
			"link_netloop.so: this ip %s: netloop knows the plugin interface of iproute2 6.1 to 7.3 only\n",
			why);
		exit(1);
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
	bool have_mode = false;
	unsigned int mode;

	while (argc > 0) {
		if (!strcmp(*argv, "help")) {
			netloop_help(stderr);
			return -1;
		}
		if (strcmp(*argv, "mode")) {
			fprintf(stderr, "netloop: unknown argument \"%s\"\n",
				*argv);
			netloop_help(stderr);
			return -1;
		}
		if (have_mode) {
			fprintf(stderr, "Error: duplicate \"mode\"\n");
			return -1;
		}
		if (argc < 2) {
			fprintf(stderr,
				"Error: \"mode\" needs a value: reflect or loopback\n");
			return -1;
		}
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
		have_mode = true;
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
