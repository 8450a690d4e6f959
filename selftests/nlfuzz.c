// SPDX-License-Identifier: GPL-2.0-only
/*
 * nlfuzz: random rtnetlink link requests for kind "netloop", for the
 * netloop stress test.
 *
 *   nlfuzz [-s SEED] [-n COUNT]
 *
 * Sends COUNT (default 1000) random RTM_NEWLINK, RTM_SETLINK and
 * RTM_DELLINK requests in the caller's network namespace: random header
 * flags and ifinfomsg fields, random IFLA_* attributes of random sizes,
 * an IFLA_LINKINFO nest with IFLA_INFO_KIND (mostly "netloop") and an
 * IFLA_INFO_DATA nest of random attributes, names valid and invalid.  The
 * requests aim at the devices that exist: every 32 requests a link dump
 * lists them, and beyond 32 devices the oldest are deleted, so that the
 * run stays bounded in memory.  ACKs and errors are read and counted.  The
 * same SEED (default: the time) sends the same requests.  Prints
 *
 *   nlfuzz: seed=S requests=N acks=A errors=E devices=D
 *
 * Exit status: 0 when every request was sent and answered, 1 otherwise.
 */

#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BUF_SIZE	8192
#define MAX_DEVS	32
#define REFRESH		32

static uint64_t rng;
static int known[MAX_DEVS * 8];
static int nknown;
static unsigned long acks, errs;

static uint32_t rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 0x2545f4914f6cdd1dULL) >> 32;
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

/* A number worth trying: small, a boundary, or anything. */
static uint32_t value(void)
{
	static const uint32_t edge[] = {
		0, 1, 2, 67, 68, 1280, 1500, 65535, 65536, 65537,
		0x7fffffff, 0x80000000, 0xffffffff,
	};

	switch (below(4)) {
	case 0:
	case 1:
		return below(17);
	case 2:
		return edge[below(ARRAY_SIZE(edge))];
	default:
		return rnd();
	}
}

struct msg {
	char buf[BUF_SIZE];
	struct nlmsghdr *nh;
};

/* Room for LEN more bytes (aligned) at the end of the message, or NULL. */
static void *reserve(struct msg *m, size_t len)
{
	size_t off = NLMSG_ALIGN(m->nh->nlmsg_len);
	void *p;

	if (off + NLA_ALIGN(len) > sizeof(m->buf))
		return NULL;
	p = m->buf + off;
	memset(p, 0, NLA_ALIGN(len));
	m->nh->nlmsg_len = off + len;
	return p;
}

static struct nlattr *put(struct msg *m, int type, const void *data, size_t len)
{
	struct nlattr *a = reserve(m, NLA_HDRLEN + len);

	if (!a)
		return NULL;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	return a;
}

static void put_u32(struct msg *m, int type, uint32_t v)
{
	put(m, type, &v, sizeof(v));
}

static void put_str(struct msg *m, int type, const char *s)
{
	put(m, type, s, strlen(s) + 1);
}

static struct nlattr *nest(struct msg *m, int type)
{
	return put(m, type | (below(8) ? NLA_F_NESTED : 0), NULL, 0);
}

static void nest_end(struct msg *m, struct nlattr *a)
{
	if (a)
		a->nla_len = m->buf + m->nh->nlmsg_len - (char *)a;
}

/* A name: mostly from a small set, so that requests meet their devices. */
static void put_name(struct msg *m, int type)
{
	static const char * const fixed[] = {
		"fz%d", "netloop%d", "", "abcdefghijklmno", "abcdefghijklmnop",
		"a/b", "a:b", "lo", ".", "..", "fz%d%d", "fz 1",
	};
	char name[32] = "";
	int i, n;

	switch (below(4)) {
	case 0:
	case 1:
		snprintf(name, sizeof(name), "fz%u", below(16));
		break;
	case 2:
		snprintf(name, sizeof(name), "%s", fixed[below(ARRAY_SIZE(fixed))]);
		break;
	default:
		n = 1 + below(20);
		for (i = 0; i < n; i++)
			name[i] = "abcdefghijklmnopqrstuvwxyz0123456789.-_"[below(39)];
		name[n] = '\0';
	}
	if (below(16))
		put_str(m, type, name);
	else	/* no terminating NUL, or a random length */
		put(m, type, name, below(sizeof(name)));
}

/* An attribute of random type and size with random contents. */
static void put_random(struct msg *m, int maxtype, int depth)
{
	int type = below(maxtype + 4);
	uint32_t data[16];
	size_t len;
	struct nlattr *a;
	int i;

	if (depth < 2 && !below(8)) {
		a = nest(m, type);
		for (i = below(4); i > 0; i--)
			put_random(m, maxtype, depth + 1);
		nest_end(m, a);
		return;
	}
	for (i = 0; i < 16; i++)
		data[i] = value();
	switch (below(4)) {
	case 0:
		len = 4;
		break;
	case 1:
		len = below(9);
		break;
	default:
		len = below(sizeof(data) + 1);
	}
	put(m, type, data, len);
}

static void put_linkinfo(struct msg *m)
{
	static const char * const kinds[] = {
		"netloo", "netloopx", "NETLOOP", "",
	};
	struct nlattr *li, *data;
	int i;

	li = nest(m, IFLA_LINKINFO);
	if (below(16))
		put_str(m, IFLA_INFO_KIND, below(16) ? "netloop" :
			kinds[below(ARRAY_SIZE(kinds))]);
	if (below(2)) {
		data = nest(m, IFLA_INFO_DATA);
		for (i = below(4); i > 0; i--)
			put_random(m, 8, 1);
		nest_end(m, data);
	}
	if (!below(8))
		put_random(m, IFLA_INFO_MAX, 1);
	nest_end(m, li);
}

static int known_index(void)
{
	if (nknown && below(4))
		return known[below(nknown)];
	return below(4) ? 0 : (int)value();
}

/* One random request. */
static void build(struct msg *m, uint32_t seq)
{
	static const int types[] = {
		RTM_NEWLINK, RTM_NEWLINK, RTM_NEWLINK, RTM_SETLINK, RTM_DELLINK,
	};
	static const int iff[] = { IFF_UP, IFF_NOARP, IFF_PROMISC, IFF_ALLMULTI };
	struct ifinfomsg *ifi;
	int i;

	memset(m->buf, 0, NLMSG_HDRLEN);
	m->nh = (struct nlmsghdr *)m->buf;
	m->nh->nlmsg_len = NLMSG_HDRLEN;
	m->nh->nlmsg_type = types[below(5)];
	m->nh->nlmsg_seq = seq;
	m->nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (m->nh->nlmsg_type == RTM_NEWLINK && below(8))
		m->nh->nlmsg_flags |= NLM_F_CREATE;
	if (!below(4))
		m->nh->nlmsg_flags |= NLM_F_EXCL;
	if (!below(8))
		m->nh->nlmsg_flags |= NLM_F_REPLACE;
	if (!below(16))
		m->nh->nlmsg_flags &= ~NLM_F_ACK;

	ifi = reserve(m, sizeof(*ifi));
	ifi->ifi_family = below(16) ? AF_UNSPEC : below(64);
	ifi->ifi_index = known_index();
	if (below(2)) {
		ifi->ifi_flags = iff[below(4)];
		ifi->ifi_change = below(4) ? ifi->ifi_flags : value();
	}
	if (!below(32))
		ifi->ifi_type = value();

	if (below(4))
		put_name(m, IFLA_IFNAME);
	if (m->nh->nlmsg_type != RTM_DELLINK && below(4)) {
		switch (below(4)) {
		case 0:
			put_u32(m, IFLA_MTU, value());
			break;
		case 1:
			put_u32(m, IFLA_TXQLEN, value());
			break;
		case 2:
			put_u32(m, IFLA_NUM_TX_QUEUES, below(9));
			break;
		default:
			put_u32(m, IFLA_GSO_MAX_SIZE, value());
		}
	}
	if (m->nh->nlmsg_type != RTM_DELLINK ? below(8) : !below(4))
		put_linkinfo(m);
	for (i = below(5); i > 0; i--)
		put_random(m, IFLA_MAX, 0);
	/* Now and then, a length that lies about the message. */
	if (!below(64))
		m->nh->nlmsg_len -= below(m->nh->nlmsg_len - NLMSG_HDRLEN + 1);
}

/* Read every answer queued on FD without waiting: requests are handled
 * within sendmsg(), so their ACKs are there already.  Returns the
 * number of ACKs and errors seen.
 */
static int drain(int fd)
{
	static char buf[BUF_SIZE * 4];
	struct nlmsghdr *nh;
	struct nlmsgerr *e;
	int n, seen = 0;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			return seen;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type != NLMSG_ERROR)
				continue;
			e = NLMSG_DATA(nh);
			if (e->error)
				errs++;
			else
				acks++;
			seen++;
		}
	}
}

/* List the devices of this namespace but lo into known[]. */
static void refresh(int fd, uint32_t seq)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh.nlmsg_len = sizeof(req),
		.nh.nlmsg_type = RTM_GETLINK,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nh.nlmsg_seq = seq,
	};
	static char buf[BUF_SIZE * 4];
	struct nlmsghdr *nh;
	struct ifinfomsg *ifi;
	int n;

	drain(fd);
	if (send(fd, &req, sizeof(req), 0) < 0)
		return;
	nknown = 0;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR)
				return;
			if (nh->nlmsg_type != RTM_NEWLINK)
				continue;
			ifi = NLMSG_DATA(nh);
			if (ifi->ifi_index != 1 &&
			    nknown < (int)ARRAY_SIZE(known))
				known[nknown++] = ifi->ifi_index;
		}
	}
}

/* Delete the oldest devices beyond MAX_DEVS. */
static void reap(int fd, uint32_t seq)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh.nlmsg_len = sizeof(req),
		.nh.nlmsg_type = RTM_DELLINK,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		.nh.nlmsg_seq = seq,
	};
	int i;

	for (i = 0; i + MAX_DEVS < nknown; i++) {
		req.ifi.ifi_index = known[i];
		if (send(fd, &req, sizeof(req), 0) >= 0)
			drain(fd);
	}
}

int main(int argc, char **argv)
{
	unsigned long count = 1000, sent = 0, i;
	unsigned long long seed = time(NULL);
	int fd, opt, rcvbuf = 1 << 20, one = 1;
	static struct msg m;

	while ((opt = getopt(argc, argv, "s:n:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: nlfuzz [-s SEED] [-n COUNT]\n");
			return 2;
		}
	}
	fprintf(stderr, "nlfuzz: seed=%llu\n", seed);
	rng = seed * 2 + 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		perror("nlfuzz: socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	for (i = 0; i < count; i++) {
		if (i % REFRESH == 0) {
			refresh(fd, i);
			reap(fd, i);
			refresh(fd, i);
		}
		build(&m, i);
		if (send(fd, m.buf, NLMSG_ALIGN(m.nh->nlmsg_len), 0) < 0) {
			if (errno != EINVAL && errno != ENOBUFS && errno != EMSGSIZE) {
				perror("nlfuzz: send");
				return 1;
			}
		} else {
			sent++;
		}
		drain(fd);
	}
	refresh(fd, count);
	printf("nlfuzz: seed=%llu requests=%lu acks=%lu errors=%lu devices=%d\n",
	       seed, sent, acks, errs, nknown);
	return 0;
}
