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
 * IFLA_INFO_DATA nest holding a well-formed IFLA_NETLOOP_MODE or random
 * attributes, names valid and invalid.  The requests aim at the devices
 * that exist: every 32 requests a link dump lists them, and beyond 32
 * devices the oldest are deleted, so that the run stays bounded in memory.
 * The same SEED (default: the time) sends the same requests.
 *
 * A refused request must change nothing.  Before each request nlfuzz
 * looks its target up with RTM_GETLINK (by ifindex, else by name, as
 * rtnetlink does); when the request is refused, the target must be there
 * with the same index, name, flags, MTU and the other fields of fields[]
 * (bar what do_setlink() may leave half applied, see steps[]).  A refused
 * request without a target, such as a create, must leave the same devices
 * (indexes and names) as before it; one for a group of devices is not
 * checked.  Prints what the first five offenders changed first, and
 *
 *   nlfuzz: seed=S requests=N acks=A errors=E checked=C core-partial=P
 *           unchanged-violations=V devices=D
 *
 * (on one line): C refusals were checked, P of them were left half
 * applied by do_setlink() as it may, V changed what they must not.
 *
 * Exit status: 0 when every request was sent and answered and no refusal
 * changed anything, 1 otherwise.
 */

#include <ctype.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/netloop.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
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
#define LINKS_MAX	(MAX_DEVS * 8)
#define REFRESH		32
/* Attribute types looked at are below this. */
#define TB_MAX		128
/* do_setlink()'s step for ifi_flags and ifi_change, in steps[]. */
#define STEP_FLAGS	TB_MAX
/* Since 6.3, not in every uapi header. */
#define ATTR_GSO_IPV4_MAX_SIZE	63
#define ATTR_GRO_IPV4_MAX_SIZE	64

static uint64_t rng;
static uint32_t seq;
static unsigned long acks, errs, checked, partial, violations;

/* The devices of the namespace but lo, as a link dump lists them. */
struct links {
	int n;
	struct {
		int index;
		char name[IFNAMSIZ];
	} dev[LINKS_MAX];
};

static struct links cur;
/* cur is still what the namespace holds: no request succeeded since. */
static bool cur_ok;

/* A device as RTM_GETLINK shows it. */
struct link {
	char buf[BUF_SIZE * 4];
	const struct ifinfomsg *ifi;
	const struct nlattr *tb[TB_MAX];
};

/*
 * do_setlink() applies a request one step after the other and stops at
 * the first step that fails, keeping what the steps before applied (it
 * logs "A link change request failed with some changes committed
 * already"); rtnetlink does so up to 7.3 at least.  That is the core's
 * doing, not netloop's: after a refusal, a field may differ when the
 * request set it and carried a later step that can fail for a netloop
 * device or lo (ifindex 1, targeted too).  The steps in do_setlink()'s
 * order, and whether they can fail:
 */
static const struct step {
	int type;	/* the attribute that asks for it, or STEP_FLAGS */
	bool fails;
} steps[] = {
	{ IFLA_NET_NS_PID,	true },	/* moves the device out */
	{ IFLA_NET_NS_FD,	true },
	{ IFLA_TARGET_NETNSID,	true },
	{ IFLA_MAP,		true },	/* no ndo_set_config */
	{ IFLA_ADDRESS,		true },	/* not unicast (without kind) */
	{ IFLA_MTU,		true },	/* out of bounds */
	{ IFLA_GROUP,		false },
	{ IFLA_IFNAME,		true },	/* renames: taken, bad, device up */
	{ IFLA_IFALIAS,		false },
	{ IFLA_BROADCAST,	false },
	{ STEP_FLAGS,		false },
	{ IFLA_MASTER,		true },	/* not a master */
	{ IFLA_CARRIER,		true },	/* lo: no ndo_change_carrier */
	/* 6.1 checks these three here, 6.12 before the first step */
	{ IFLA_TXQLEN,		true },	/* above S16_MAX */
	{ IFLA_GSO_MAX_SIZE,	true },	/* above tso_max_size */
	{ IFLA_GSO_MAX_SEGS,	true },
	{ IFLA_GRO_MAX_SIZE,	false },
	{ ATTR_GSO_IPV4_MAX_SIZE, false },
	{ ATTR_GRO_IPV4_MAX_SIZE, false },
	{ IFLA_OPERSTATE,	false },
	{ IFLA_LINKMODE,	false },
	{ IFLA_VFINFO_LIST,	true },	/* no VFs */
	{ IFLA_VF_PORTS,	true },
	{ IFLA_PORT_SELF,	true },
	{ IFLA_AF_SPEC,		true },	/* an IPv6 token on a NOARP device */
	{ IFLA_PROTO_DOWN,	true },	/* no proto_down */
	{ IFLA_PROTO_DOWN_REASON, true },
	{ IFLA_XDP,		true },	/* a bad program */
};

/*
 * What a refused request must leave as it was: what RTM_GETLINK shows
 * that only a request changes, with the step that sets it (0: none), and
 * the index, type and flags (but IFF_RUNNING, IFF_LOWER_UP and
 * IFF_DORMANT).  Not compared: counters, IFLA_OPERSTATE and those flags,
 * which linkwatch updates later from a work item, IFLA_QDISC, and
 * IFLA_AF_SPEC, per-family counters and state that follows the MTU and
 * flags (IPv6 goes away below an MTU of 1280).
 */
static const struct field {
	const char *name;
	int set;	/* the step that sets it, 0: none */
	int type[3];	/* attribute types, nested */
} fields[] = {
	{ "name", IFLA_IFNAME, { IFLA_IFNAME } },
	{ "kind", 0, { IFLA_LINKINFO, IFLA_INFO_KIND } },
	{ "mode", 0, { IFLA_LINKINFO, IFLA_INFO_DATA, IFLA_NETLOOP_MODE } },
	{ "linkinfo", 0, { IFLA_LINKINFO } },
	{ "mtu", IFLA_MTU, { IFLA_MTU } },
	{ "min_mtu", 0, { IFLA_MIN_MTU } },
	{ "max_mtu", 0, { IFLA_MAX_MTU } },
	{ "address", IFLA_ADDRESS, { IFLA_ADDRESS } },
	{ "broadcast", IFLA_BROADCAST, { IFLA_BROADCAST } },
	{ "perm_address", 0, { IFLA_PERM_ADDRESS } },
	{ "txqlen", IFLA_TXQLEN, { IFLA_TXQLEN } },
	{ "carrier", IFLA_CARRIER, { IFLA_CARRIER } },
	{ "linkmode", IFLA_LINKMODE, { IFLA_LINKMODE } },
	{ "group", IFLA_GROUP, { IFLA_GROUP } },
	{ "ifalias", IFLA_IFALIAS, { IFLA_IFALIAS } },
	{ "promiscuity", STEP_FLAGS, { IFLA_PROMISCUITY } },
	{ "allmulti", STEP_FLAGS, { IFLA_ALLMULTI } },
	{ "master", IFLA_MASTER, { IFLA_MASTER } },
	{ "num_tx_queues", 0, { IFLA_NUM_TX_QUEUES } },
	{ "num_rx_queues", 0, { IFLA_NUM_RX_QUEUES } },
	{ "gso_max_size", IFLA_GSO_MAX_SIZE, { IFLA_GSO_MAX_SIZE } },
	{ "gso_max_segs", IFLA_GSO_MAX_SEGS, { IFLA_GSO_MAX_SEGS } },
	{ "gro_max_size", IFLA_GRO_MAX_SIZE, { IFLA_GRO_MAX_SIZE } },
	{ "gso_ipv4_max_size", ATTR_GSO_IPV4_MAX_SIZE, { ATTR_GSO_IPV4_MAX_SIZE } },
	{ "gro_ipv4_max_size", ATTR_GRO_IPV4_MAX_SIZE, { ATTR_GRO_IPV4_MAX_SIZE } },
	{ "tso_max_size", 0, { IFLA_TSO_MAX_SIZE } },
	{ "tso_max_segs", 0, { IFLA_TSO_MAX_SEGS } },
	{ "map", IFLA_MAP, { IFLA_MAP } },
	{ "proto_down", IFLA_PROTO_DOWN, { IFLA_PROTO_DOWN } },
	{ "proto_down_reason", IFLA_PROTO_DOWN, { IFLA_PROTO_DOWN_REASON } },
	{ "xdp", IFLA_XDP, { IFLA_XDP } },
	{ "altnames", 0, { IFLA_PROP_LIST } },
};

/* IFF_RUNNING, IFF_LOWER_UP and IFF_DORMANT (linux/if.h) */
#define IFF_LINKWATCH	(IFF_RUNNING | 0x10000 | 0x20000)

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

static void start(struct msg *m, int type, int flags, uint32_t seq)
{
	memset(m->buf, 0, NLMSG_HDRLEN);
	m->nh = (struct nlmsghdr *)m->buf;
	m->nh->nlmsg_len = NLMSG_HDRLEN;
	m->nh->nlmsg_type = type;
	m->nh->nlmsg_flags = flags;
	m->nh->nlmsg_seq = seq;
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
		if (below(2))	/* a mode, valid or just beyond */
			put_u32(m, IFLA_NETLOOP_MODE,
				below(NETLOOP_MODE_MAX + 2));
		else
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
	if (cur.n && below(4))
		return cur.dev[below(cur.n)].index;
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

	start(m, types[below(5)], NLM_F_REQUEST | NLM_F_ACK, seq);
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

/* Point tb[] at the last attribute of each type in LEN bytes at DATA,
 * as nla_parse() does.
 */
static void parse(const struct nlattr **tb, const void *data, int len)
{
	const struct nlattr *a = data;
	int type;

	memset(tb, 0, TB_MAX * sizeof(*tb));
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= len) {
		type = a->nla_type & NLA_TYPE_MASK;
		if (type < TB_MAX)
			tb[type] = a;
		len -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
}

/* The attributes of a link message, as rtnetlink reads them. */
static void parse_link(const struct nlattr **tb, const struct nlmsghdr *nh)
{
	parse(tb, IFLA_RTA(NLMSG_DATA(nh)), (int)IFLA_PAYLOAD(nh));
}

/* Read and drop every answer queued on FD. */
static void flush(int fd)
{
	static char buf[BUF_SIZE * 4];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* The answer to request S, queued on FD already: requests are handled
 * within sendmsg().  Its error (negative), 0 for an ACK, 1 for none (no
 * NLM_F_ACK, or a message the kernel dropped unread).
 */
static int answer(int fd, uint32_t s)
{
	static char buf[BUF_SIZE * 4];
	struct nlmsghdr *nh;
	int n, ret = 1;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			return ret;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n))
			if (nh->nlmsg_type == NLMSG_ERROR && nh->nlmsg_seq == s)
				ret = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
	}
}

/* RTM_GETLINK of INDEX, or of the names NAME and ALTNAME (attributes as
 * a request carried them), into L.  Returns 0 or the error.
 */
static int get_link(int fd, int index, const struct nlattr *name,
		    const struct nlattr *altname, struct link *l)
{
	static struct msg m;
	struct ifinfomsg *ifi;
	struct nlmsghdr *nh;
	int n;

	start(&m, RTM_GETLINK, NLM_F_REQUEST, ++seq);
	ifi = reserve(&m, sizeof(*ifi));
	ifi->ifi_index = index;
	if (name)
		put(&m, IFLA_IFNAME, name + 1, name->nla_len - NLA_HDRLEN);
	if (altname)
		put(&m, IFLA_ALT_IFNAME, altname + 1,
		    altname->nla_len - NLA_HDRLEN);
	flush(fd);
	if (send(fd, m.buf, m.nh->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, l->buf, sizeof(l->buf), 0);
		if (n <= 0)
			return -EIO;
		for (nh = (struct nlmsghdr *)l->buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			l->ifi = NLMSG_DATA(nh);
			parse_link(l->tb, nh);
			return 0;
		}
	}
}

/* The device REQ aims at, found as rtnetlink finds it: by a positive
 * ifi_index, else by IFLA_IFNAME or IFLA_ALT_IFNAME.  Returns 0 or the
 * error.  (A DELLINK with IFLA_TARGET_NETNSID looks in another namespace:
 * nothing there can be checked from here.)
 */
static int get_target(int fd, const struct nlmsghdr *req, struct link *l)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(req);
	const struct nlattr *tb[TB_MAX];

	if ((int)IFLA_PAYLOAD(req) < 0)
		return -EINVAL;
	parse_link(tb, req);
	return get_link(fd, ifi->ifi_index, tb[IFLA_IFNAME],
			tb[IFLA_ALT_IFNAME], l);
}

/* List the devices of this namespace but lo into LS. */
static void dump_links(int fd, struct links *ls)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh.nlmsg_len = sizeof(req),
		.nh.nlmsg_type = RTM_GETLINK,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nh.nlmsg_seq = ++seq,
	};
	static char buf[BUF_SIZE * 4];
	const struct nlattr *tb[TB_MAX];
	const struct ifinfomsg *ifi;
	struct nlmsghdr *nh;
	int n;

	flush(fd);
	ls->n = 0;
	if (send(fd, &req, sizeof(req), 0) < 0)
		return;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR)
				return;
			ifi = NLMSG_DATA(nh);
			if (nh->nlmsg_type != RTM_NEWLINK || ifi->ifi_index == 1)
				continue;
			if (ls->n == LINKS_MAX) {
				fprintf(stderr, "nlfuzz: more than %d devices\n",
					LINKS_MAX);
				exit(1);
			}
			parse_link(tb, nh);
			ls->dev[ls->n].index = ifi->ifi_index;
			snprintf(ls->dev[ls->n].name, IFNAMSIZ, "%s",
				 tb[IFLA_IFNAME] ? (char *)(tb[IFLA_IFNAME] + 1) : "");
			ls->n++;
		}
	}
}

static void refresh(int fd)
{
	dump_links(fd, &cur);
	cur_ok = true;
}

/* Delete the oldest devices beyond MAX_DEVS. */
static void reap(int fd)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh.nlmsg_len = sizeof(req),
		.nh.nlmsg_type = RTM_DELLINK,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
	};
	int i;

	for (i = 0; i + MAX_DEVS < cur.n; i++) {
		req.nh.nlmsg_seq = ++seq;
		req.ifi.ifi_index = cur.dev[i].index;
		if (send(fd, &req, sizeof(req), 0) >= 0)
			flush(fd);
	}
	cur_ok = false;
}

/* An attribute's value for the log: a string, a number or hex bytes. */
static const char *show(const struct nlattr *a, char *buf, size_t size)
{
	const unsigned char *p = (const void *)(a + 1);
	int len, i, n = 0;
	uint32_t v;

	if (!a)
		return "(none)";
	len = a->nla_len - NLA_HDRLEN;
	for (i = 0; i < len - 1 && isprint(p[i]); i++)
		;
	if (len > 1 && i == len - 1 && !p[i]) {
		snprintf(buf, size, "\"%s\"", p);
	} else if (len == 4) {
		memcpy(&v, p, sizeof(v));
		snprintf(buf, size, "%u", v);
	} else if (len == 1) {
		snprintf(buf, size, "%u", p[0]);
	} else {
		buf[0] = '\0';
		for (i = 0; i < len && n + 3 < (int)size; i++)
			n += snprintf(buf + n, size - n, "%02x", p[i]);
	}
	return buf;
}

/* Report that refused request REQ (error ERR) changed something: the
 * first five in full, then only counted.
 */
static void violation(const struct nlmsghdr *req, int err, const char *fmt, ...)
{
	static const char * const names[] = {
		[RTM_NEWLINK - RTM_BASE] = "RTM_NEWLINK",
		[RTM_DELLINK - RTM_BASE] = "RTM_DELLINK",
		[RTM_SETLINK - RTM_BASE] = "RTM_SETLINK",
	};
	const struct ifinfomsg *ifi = NLMSG_DATA(req);
	const struct nlattr *a = (const void *)IFLA_RTA(ifi);
	int len = IFLA_PAYLOAD(req);
	va_list ap;

	if (++violations > 5)
		return;
	fprintf(stderr, "nlfuzz: request %u, %s flags %#x ifindex %d, refused (%s), changed ",
		req->nlmsg_seq, names[req->nlmsg_type - RTM_BASE],
		req->nlmsg_flags, ifi->ifi_index, strerror(-err));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; its flags %#x change %#x, attributes", ifi->ifi_flags,
		ifi->ifi_change);
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		fprintf(stderr, " %d", a->nla_type & NLA_TYPE_MASK);
		len -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	fprintf(stderr, "\n");
}

/* Whether do_setlink() may have left what step SET applies changed by a
 * refused request that carried CARRIED: when it carried SET and a later
 * step that can fail.
 */
static bool may_differ(const bool *carried, int set)
{
	size_t i;

	if (!set || !carried[set])
		return false;
	for (i = 0; i < ARRAY_SIZE(steps) && steps[i].type != set; i++)
		;
	while (++i < ARRAY_SIZE(steps))
		if (carried[steps[i].type] && steps[i].fails)
			return true;
	return false;
}

/* The attribute at PATH in L, or NULL. */
static const struct nlattr *lookup(const struct link *l, const int *path)
{
	const struct nlattr *a = l->tb[path[0]], *tb[TB_MAX];
	int i;

	for (i = 1; i < 3 && path[i] && a; i++) {
		parse(tb, a + 1, a->nla_len - NLA_HDRLEN);
		a = tb[path[i]];
	}
	return a;
}

static bool same(const struct nlattr *a, const struct nlattr *b)
{
	if (!a || !b)
		return a == b;
	return a->nla_len == b->nla_len && !memcmp(a + 1, b + 1, a->nla_len - NLA_HDRLEN);
}

/* Refused request REQ aimed at the device in BEFORE: it must still be
 * there, as it was.  Returns whether it changed (allowed or not).
 */
static bool check_link(int fd, const struct nlmsghdr *req, const bool *carried,
		       int err, const struct link *before)
{
	static struct link after;
	int index = before->ifi->ifi_index;
	unsigned int fl0 = before->ifi->ifi_flags & ~IFF_LINKWATCH, fl1;
	char v0[64], v1[64];
	bool half = false;
	size_t i;

	if (get_link(fd, index, NULL, NULL, &after)) {
		if (may_differ(carried, IFLA_NET_NS_PID) ||
		    may_differ(carried, IFLA_NET_NS_FD) ||
		    may_differ(carried, IFLA_TARGET_NETNSID))
			partial++;
		else
			violation(req, err, "ifindex %d: the device is gone", index);
		return true;
	}
	fl1 = after.ifi->ifi_flags & ~IFF_LINKWATCH;
	if (after.ifi->ifi_type != before->ifi->ifi_type) {
		violation(req, err, "ifindex %d: type %u -> %u", index,
			  before->ifi->ifi_type, after.ifi->ifi_type);
		return true;
	}
	if (fl0 != fl1) {
		if (!may_differ(carried, STEP_FLAGS)) {
			violation(req, err, "ifindex %d: flags %#x -> %#x",
				  index, fl0, fl1);
			return true;
		}
		half = true;
	}
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct nlattr *a = lookup(before, fields[i].type);
		const struct nlattr *b = lookup(&after, fields[i].type);

		if (same(a, b))
			continue;
		if (!may_differ(carried, fields[i].set)) {
			violation(req, err, "ifindex %d: %s %s -> %s", index,
				  fields[i].name, show(a, v0, sizeof(v0)),
				  show(b, v1, sizeof(v1)));
			return true;
		}
		half = true;
	}
	partial += half;
	return half;
}

static const char *find_dev(const struct links *ls, int index)
{
	int i;

	for (i = 0; i < ls->n; i++)
		if (ls->dev[i].index == index)
			return ls->dev[i].name;
	return NULL;
}

/* Refused request REQ had no target: the namespace must hold the same
 * devices as before, cur.
 */
static void check_links(int fd, const struct nlmsghdr *req, int err)
{
	static struct links now;
	const char *name;
	int i;

	dump_links(fd, &now);
	for (i = 0; i < now.n; i++) {
		name = find_dev(&cur, now.dev[i].index);
		if (!name || strcmp(name, now.dev[i].name)) {
			violation(req, err, "the devices: ifindex %d %s appeared",
				  now.dev[i].index, now.dev[i].name);
			goto out;
		}
	}
	for (i = 0; i < cur.n; i++) {
		if (!find_dev(&now, cur.dev[i].index)) {
			violation(req, err, "the devices: ifindex %d %s went away",
				  cur.dev[i].index, cur.dev[i].name);
			goto out;
		}
	}
out:
	cur = now;
	cur_ok = true;
}

/* Request REQ, refused with ERR, aimed at BEFORE's device (or NULL):
 * check that it changed nothing.
 */
static void refused(int fd, const struct nlmsghdr *req, int err,
		    const struct link *before)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(req);
	const struct nlattr *tb[TB_MAX];
	bool carried[STEP_FLAGS + 1] = { false };
	int t;

	if ((int)IFLA_PAYLOAD(req) >= 0) {
		parse_link(tb, req);
		for (t = 0; t < TB_MAX; t++)
			carried[t] = tb[t];
		/* A name only renames a device found by its index. */
		carried[IFLA_IFNAME] = tb[IFLA_IFNAME] && ifi->ifi_index > 0;
		carried[STEP_FLAGS] = ifi->ifi_flags || ifi->ifi_change;
		/* netif_set_gso_max_size() and netif_set_gro_max_size()
		 * set the IPv4 limits too, up to 65536.
		 */
		carried[ATTR_GSO_IPV4_MAX_SIZE] |= carried[IFLA_GSO_MAX_SIZE];
		carried[ATTR_GRO_IPV4_MAX_SIZE] |= carried[IFLA_GRO_MAX_SIZE];
	}
	/* rtnl_group_changelink(): do_setlink() on each device of the
	 * group in turn, up to the first that fails.  Not checked.
	 */
	if (!before && req->nlmsg_type == RTM_NEWLINK &&
	    !(req->nlmsg_flags & NLM_F_CREATE) && carried[IFLA_GROUP]) {
		cur_ok = false;
		return;
	}
	checked++;
	if (!before)
		check_links(fd, req, err);
	else if (check_link(fd, req, carried, err, before))
		cur_ok = false;	/* a rename or a move leaves cur behind */
}

int main(int argc, char **argv)
{
	unsigned long count = 1000, sent = 0, i;
	unsigned long long seed = time(NULL);
	int fd, opt, err, rcvbuf = 1 << 20, one = 1;
	static struct link before;
	static struct msg m;
	bool target;

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
			refresh(fd);
			reap(fd);
			refresh(fd);
		}
		build(&m, ++seq);
		target = !get_target(fd, m.nh, &before);
		/* Without a target, a refusal is checked against cur. */
		if (!target && !cur_ok)
			refresh(fd);
		if (send(fd, m.buf, NLMSG_ALIGN(m.nh->nlmsg_len), 0) < 0) {
			if (errno != EINVAL && errno != ENOBUFS && errno != EMSGSIZE) {
				perror("nlfuzz: send");
				return 1;
			}
			continue;
		}
		sent++;
		err = answer(fd, m.nh->nlmsg_seq);
		if (err < 0) {
			errs++;
			refused(fd, m.nh, err, target ? &before : NULL);
		} else {
			acks += !err;
			cur_ok = false;
		}
	}
	refresh(fd);
	printf("nlfuzz: seed=%llu requests=%lu acks=%lu errors=%lu ",
	       seed, sent, acks, errs);
	printf("checked=%lu core-partial=%lu unchanged-violations=%lu devices=%d\n",
	       checked, partial, violations, cur.n);
	return violations ? 1 : 0;
}
