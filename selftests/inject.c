// SPDX-License-Identifier: GPL-2.0-only
/*
 * inject: send hand-built UDP datagrams over IPv4 or IPv6, whatever their
 * addresses, for the netloop selftests.
 *
 *   inject -i DEV -s SRC -d DST [-m MAC] [-b] [-x] [-t TTL] [-c COUNT] [-l LEN]
 *   inject -r -s SRC -d DST [-x] [-t TTL] [-c COUNT] [-l LEN]
 *
 * The first form writes COUNT Ethernet frames to DEV through an AF_PACKET
 * socket: on a netloop device they go through its ndo_start_xmit and come
 * back in on it with no route attached.  MAC is their destination (default
 * DEV's own, so that they arrive as PACKET_HOST); -b sets
 * PACKET_QDISC_BYPASS, which hands them to the driver without the qdisc.
 *
 * The second form sends the IP packets through a raw socket (IPPROTO_RAW):
 * the kernel routes each to DST as it routes any local packet and attaches
 * that route, but keeps the source address it is given (only 0.0.0.0 is
 * replaced by the route's).
 *
 * A packet the kernel drops on the way out (sendto() fails with ENOBUFS,
 * as it does with PACKET_QDISC_BYPASS on a device without carrier) does not
 * stop the others, but makes the exit status 1.
 *
 * SRC and DST are numeric addresses of one family.  The datagrams go from
 * port 9 to port 9 (discard), carry LEN bytes (default 8, at most 8192)
 * and a correct IP checksum; their UDP checksum is correct too, or with -x
 * wrong (one bit off).  TTL (IPv6: hop limit) defaults to 64.  A frame
 * longer than a page leaves AF_PACKET with only its Ethernet header in the
 * skb's linear part and the rest in page fragments.
 *
 * Before it exits, inject waits up to 2 s for the kernel to release every
 * packet it sent (the socket's send queue, SIOCOUTQ, back to 0), whether
 * delivered or dropped: a packet still held is a leak, and an error.
 *
 * Exit status: 0 when every packet was sent and released; 1 on an error
 * (printed with its errno message); 2 on a usage error.
 */

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define UDP_PORT	9
#define PAYLOAD		"netloop"
#define MAX_LEN		8192

struct addr {
	int family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

static const char usage[] =
	"usage: inject -i DEV -s SRC -d DST [-m MAC] [-b] [-x] [-t TTL] [-c COUNT] [-l LEN]\n"
	"       inject -r -s SRC -d DST [-x] [-t TTL] [-c COUNT] [-l LEN]\n";

static _Noreturn void bad_usage(const char *what)
{
	fprintf(stderr, "inject: %s\n%s", what, usage);
	exit(2);
}

static void parse_addr(const char *s, struct addr *a)
{
	if (inet_pton(AF_INET, s, &a->v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a->v6) == 1)
		a->family = AF_INET6;
	else
		bad_usage("addresses must be numeric IPv4 or IPv6");
}

static long parse_num(const char *s, long min, long max, const char *what)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (!*s || *end || n < min || n > max)
		bad_usage(what);
	return n;
}

/* Add LEN bytes at DATA to a ones' complement sum of 16-bit words. */
static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

/* Fold SUM to the checksum field's value, in network order. */
static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/*
 * Write an IP header and a UDP datagram of LEN bytes (PAYLOAD, repeated)
 * from SRC to DST at BUF; return their length.  The UDP checksum covers
 * the pseudo-header: both addresses, the protocol and the UDP length;
 * BAD_CSUM flips its lowest bit.
 */
static size_t build_ip(uint8_t *buf, const struct addr *src,
		       const struct addr *dst, int ttl, int bad_csum,
		       size_t len)
{
	size_t i, ulen = sizeof(struct udphdr) + len;
	struct udphdr *udp;
	uint32_t sum;
	size_t hlen;

	if (src->family == AF_INET) {
		struct iphdr *ip = (struct iphdr *)buf;

		hlen = sizeof(*ip);
		memset(ip, 0, hlen);
		ip->version = 4;
		ip->ihl = hlen / 4;
		ip->tot_len = htons(hlen + ulen);
		ip->ttl = ttl;
		ip->protocol = IPPROTO_UDP;
		ip->saddr = src->v4.s_addr;
		ip->daddr = dst->v4.s_addr;
		ip->check = csum_fold(csum_add(0, ip, hlen));
		sum = csum_add(0, &ip->saddr, 2 * sizeof(ip->saddr));
	} else {
		struct ip6_hdr *ip6 = (struct ip6_hdr *)buf;

		hlen = sizeof(*ip6);
		memset(ip6, 0, hlen);
		ip6->ip6_flow = htonl(6 << 28);
		ip6->ip6_plen = htons(ulen);
		ip6->ip6_nxt = IPPROTO_UDP;
		ip6->ip6_hlim = ttl;
		ip6->ip6_src = src->v6;
		ip6->ip6_dst = dst->v6;
		sum = csum_add(0, &ip6->ip6_src, 2 * sizeof(ip6->ip6_src));
	}

	udp = (struct udphdr *)(buf + hlen);
	udp->source = htons(UDP_PORT);
	udp->dest = htons(UDP_PORT);
	udp->len = htons(ulen);
	udp->check = 0;
	for (i = 0; i < len; i++)
		((uint8_t *)(udp + 1))[i] = PAYLOAD[i % sizeof(PAYLOAD)];
	udp->check = csum_fold(csum_add(sum + IPPROTO_UDP + ulen, udp, ulen));
	/* 0 means "no checksum": send its other form. */
	if (!udp->check)
		udp->check = 0xffff;
	if (bad_csum)
		udp->check ^= htons(1);
	return hlen + ulen;
}

/*
 * An AF_PACKET socket sending on DEV, and at BUF the Ethernet header of
 * frames to MAC (NULL: DEV's own address) carrying ETHERTYPE.
 */
static int packet_socket(const char *dev, const char *mac, int bypass,
			 int ethertype, struct sockaddr_ll *sll, uint8_t *buf)
{
	struct ether_header *eth = (struct ether_header *)buf;
	size_t namelen = strlen(dev) + 1;
	struct ifreq ifr = {};
	int fd, one = 1;

	if (namelen > sizeof(ifr.ifr_name))
		bad_usage("device name too long");
	memcpy(ifr.ifr_name, dev, namelen);

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		err(1, "socket(AF_PACKET)");
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		err(1, "SIOCGIFHWADDR %s", dev);
	if (bypass &&
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		err(1, "PACKET_QDISC_BYPASS");

	memcpy(eth->ether_shost, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	if (!mac)
		memcpy(eth->ether_dhost, eth->ether_shost, ETH_ALEN);
	else if (sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
			&eth->ether_dhost[0], &eth->ether_dhost[1],
			&eth->ether_dhost[2], &eth->ether_dhost[3],
			&eth->ether_dhost[4], &eth->ether_dhost[5]) != ETH_ALEN)
		bad_usage("MAC must be six hex bytes separated by colons");
	eth->ether_type = htons(ethertype);

	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_protocol = htons(ethertype);
	sll->sll_ifindex = if_nametoindex(dev);
	if (!sll->sll_ifindex)
		err(1, "%s", dev);
	return fd;
}

/* Wait up to 2 s for the kernel to release what FD sent. */
static void wait_released(int fd)
{
	const struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	int i, held = 0;

	for (i = 0; i < 200; i++) {
		if (ioctl(fd, SIOCOUTQ, &held) < 0)
			err(1, "SIOCOUTQ");
		if (!held)
			return;
		nanosleep(&tick, NULL);
	}
	errx(1, "the kernel still holds %d bytes of the packets sent", held);
}

int main(int argc, char **argv)
{
	const char *dev = NULL, *mac = NULL;
	int opt, fd, ttl = 64, bypass = 0, raw = 0, bad_csum = 0;
	struct sockaddr_storage to = {};
	struct addr src = {}, dst = {};
	static uint8_t buf[ETH_HLEN + sizeof(struct ip6_hdr) +
			   sizeof(struct udphdr) + MAX_LEN];
	uint8_t *ip = buf;
	socklen_t tolen;
	long i, count = 1, dropped = 0;
	size_t len, payload = sizeof(PAYLOAD);

	while ((opt = getopt(argc, argv, "i:s:d:m:bxt:c:l:r")) != -1) {
		switch (opt) {
		case 'i':
			dev = optarg;
			break;
		case 's':
			parse_addr(optarg, &src);
			break;
		case 'd':
			parse_addr(optarg, &dst);
			break;
		case 'm':
			mac = optarg;
			break;
		case 'b':
			bypass = 1;
			break;
		case 'x':
			bad_csum = 1;
			break;
		case 't':
			ttl = parse_num(optarg, 1, 255, "TTL must be 1 to 255");
			break;
		case 'c':
			count = parse_num(optarg, 1, 1000000,
					  "COUNT must be 1 to 1000000");
			break;
		case 'l':
			payload = parse_num(optarg, 0, MAX_LEN,
					    "LEN must be 0 to 8192");
			break;
		case 'r':
			raw = 1;
			break;
		default:
			bad_usage("unknown option");
		}
	}
	if (optind != argc || !src.family || src.family != dst.family)
		bad_usage("want -s and -d of one family, and no arguments");
	if (raw ? dev || mac || bypass : !dev)
		bad_usage("want either -i DEV or -r (without -m or -b)");

	if (raw) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&to;
		struct sockaddr_in *sin = (struct sockaddr_in *)&to;

		fd = socket(dst.family, SOCK_RAW, IPPROTO_RAW);
		if (fd < 0)
			err(1, "socket(IPPROTO_RAW)");
		to.ss_family = dst.family;
		if (dst.family == AF_INET) {
			sin->sin_addr = dst.v4;
			tolen = sizeof(*sin);
		} else {
			sin6->sin6_addr = dst.v6;
			tolen = sizeof(*sin6);
		}
	} else {
		fd = packet_socket(dev, mac, bypass,
				   src.family == AF_INET ? ETH_P_IP : ETH_P_IPV6,
				   (struct sockaddr_ll *)&to, buf);
		tolen = sizeof(struct sockaddr_ll);
		ip += ETH_HLEN;
	}

	len = ip - buf + build_ip(ip, &src, &dst, ttl, bad_csum, payload);
	for (i = 0; i < count; i++)
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, tolen) < 0) {
			if (errno != ENOBUFS)
				err(1, "sendto");
			dropped++;
		}
	wait_released(fd);
	close(fd);
	if (dropped)
		errx(1, "%ld of %ld packets dropped (ENOBUFS)", dropped, count);
	return 0;
}
