// SPDX-License-Identifier: GPL-2.0-only
/*
 * nlsend: create or change a netloop device with raw RTM_NEWLINK requests,
 * for the netloop selftests: iproute2 cannot send IFLA_INFO_DATA for a
 * kind it does not know, nor values it would refuse itself.
 *
 *   nlsend add NAME [mode N] [attr TYPE N]...
 *   nlsend set NAME [mode N] [attr TYPE N]...
 *   nlsend get NAME
 *
 * "add" creates NAME (kind netloop), "set" changes it.  "mode N" puts
 * IFLA_NETLOOP_MODE = N in IFLA_INFO_DATA, "attr TYPE N" any attribute
 * type with the u32 value N.  "get" prints "mode=N", the mode the kernel
 * reports in RTM_GETLINK, or "mode=none" when it reports none.  Exit
 * status: 0 when the kernel accepted the request; 1 when it refused it,
 * with its error and extack message printed as
 * "nlsend: ERRNO-MESSAGE: EXTACK-MESSAGE"; 2 on a usage error.
 */

#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/netloop.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFLEN	4096

static char buf[BUFLEN] __attribute__((aligned(NLMSG_ALIGNTO)));

static void usage(void)
{
	fprintf(stderr, "usage: nlsend add|set NAME [mode N] [attr TYPE N]...\n"
			"       nlsend get NAME\n");
	exit(2);
}

static struct nlattr *put(struct nlmsghdr *nh, uint16_t type,
			  const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(buf + NLMSG_ALIGN(nh->nlmsg_len));

	if (NLMSG_ALIGN(nh->nlmsg_len) + NLA_ALIGN(NLA_HDRLEN + len) > BUFLEN)
		usage();
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static void end_nest(struct nlmsghdr *nh, struct nlattr *nest)
{
	nest->nla_len = (char *)nh + nh->nlmsg_len - (char *)nest;
}

static uint32_t number(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || !*s || v > UINT32_MAX)
		usage();
	return v;
}

/* The nested attribute TYPE in the LEN bytes at A, or NULL. */
static struct nlattr *find(struct nlattr *a, int len, uint16_t type)
{
	while (len >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		len -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
	}
	return NULL;
}

#define NLA_DATA(a)	((struct nlattr *)((char *)(a) + NLA_HDRLEN))
#define NLA_PAYLOAD(a)	((int)(a)->nla_len - NLA_HDRLEN)

/* Print the mode in an RTM_NEWLINK answer to RTM_GETLINK. */
static int print_mode(int fd)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct nlattr *a = NULL;
	ssize_t n;
	uint32_t v;

	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0 || !NLMSG_OK(nh, n)) {
		fprintf(stderr, "nlsend: no answer from the kernel\n");
		return 1;
	}
	if (nh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(nh);

		fprintf(stderr, "nlsend: %s\n", strerror(-e->error));
		return 1;
	}
	a = find((struct nlattr *)IFLA_RTA(NLMSG_DATA(nh)), IFLA_PAYLOAD(nh),
		 IFLA_LINKINFO);
	if (a)
		a = find(NLA_DATA(a), NLA_PAYLOAD(a), IFLA_INFO_DATA);
	if (a)
		a = find(NLA_DATA(a), NLA_PAYLOAD(a), IFLA_NETLOOP_MODE);
	if (!a || NLA_PAYLOAD(a) != sizeof(v)) {
		printf("mode=none\n");
		return 0;
	}
	memcpy(&v, NLA_DATA(a), sizeof(v));
	printf("mode=%u\n", v);
	return 0;
}

/* The error and extack message of the kernel's answer; 0 on success. */
static int answer(int fd)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	const char *msg = "";
	struct nlmsgerr *e;
	struct nlattr *a;
	ssize_t n;

	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0 || !NLMSG_OK(nh, n) || nh->nlmsg_type != NLMSG_ERROR) {
		fprintf(stderr, "nlsend: no answer from the kernel\n");
		return 1;
	}
	e = NLMSG_DATA(nh);
	if (!e->error)
		return 0;
	/* With NLM_F_CAPPED the request is not echoed: TLVs follow. */
	if (nh->nlmsg_flags & NLM_F_ACK_TLVS) {
		a = find((struct nlattr *)(e + 1),
			 (char *)nh + nh->nlmsg_len - (char *)(e + 1),
			 NLMSGERR_ATTR_MSG);
		if (a)
			msg = (char *)NLA_DATA(a);
	}
	fprintf(stderr, "nlsend: %s: %s\n", strerror(-e->error), msg);
	return 1;
}

int main(int argc, char **argv)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlattr *linkinfo, *data;
	struct ifinfomsg *ifi;
	int fd, one = 1, get, i;
	uint32_t v;

	if (argc < 3)
		usage();
	get = !strcmp(argv[1], "get");
	if (get ? argc != 3 : strcmp(argv[1], "add") && strcmp(argv[1], "set"))
		usage();

	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	nh->nlmsg_type = get ? RTM_GETLINK : RTM_NEWLINK;
	nh->nlmsg_flags = NLM_F_REQUEST | (get ? 0 : NLM_F_ACK);
	if (!strcmp(argv[1], "add"))
		nh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	ifi = NLMSG_DATA(nh);
	memset(ifi, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;

	put(nh, IFLA_IFNAME, argv[2], strlen(argv[2]) + 1);
	if (get)
		goto send;
	linkinfo = put(nh, IFLA_LINKINFO | NLA_F_NESTED, NULL, 0);
	put(nh, IFLA_INFO_KIND, "netloop", sizeof("netloop"));
	data = put(nh, IFLA_INFO_DATA | NLA_F_NESTED, NULL, 0);
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "mode") && i + 1 < argc) {
			v = number(argv[++i]);
			put(nh, IFLA_NETLOOP_MODE, &v, sizeof(v));
		} else if (!strcmp(argv[i], "attr") && i + 2 < argc) {
			uint16_t type = number(argv[++i]);

			v = number(argv[++i]);
			put(nh, type, &v, sizeof(v));
		} else {
			usage();
		}
	}
	end_nest(nh, data);
	end_nest(nh, linkinfo);

send:
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		perror("nlsend: socket");
		return 1;
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (sendto(fd, buf, nh->nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0) {
		perror("nlsend: sendto");
		return 1;
	}
	return get ? print_mode(fd) : answer(fd);
}
