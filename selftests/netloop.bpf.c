// SPDX-License-Identifier: GPL-2.0-only
/* BPF programs of netloop_bpf.sh and of make bench, one per section,
 * attached with tc (cls_bpf in direct-action mode) and ip link ...
 * xdpgeneric.  netloop_bpf.sh creates nl0 and dummy0 with the interface
 * indexes below.
 */

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define NL0_IFINDEX	100
#define DUMMY0_IFINDEX	101
/* bounce_udp9 sends a datagram back out until its TTL has come down to this. */
#define BOUNCE_TTL	54

/* From another device's egress into nl0's transmit. */
SEC("tc/to_nl0")
int to_nl0(struct __sk_buff *skb)
{
	return bpf_redirect(NL0_IFINDEX, 0);
}

/* From nl0's ingress out of dummy0. */
SEC("tc/to_dummy0")
int to_dummy0(struct __sk_buff *skb)
{
	return bpf_redirect(DUMMY0_IFINDEX, 0);
}

/* From a device's egress back in on the same device, as if received: the
 * in-tree way to loop a packet with BPF, which make bench compares netloop
 * with (scripts/bench-guest.sh, kind bpf).
 */
SEC("tc/self_ingress")
int self_ingress(struct __sk_buff *skb)
{
	return bpf_redirect(skb->ifindex, BPF_F_INGRESS);
}

/* udp9: the IPv4 header of a frame that holds a UDP datagram to port 9
 * (and an IP header without options), or NULL.
 */
static __always_inline struct iphdr *udp9(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	if ((void *)(udp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->ihl != 5 || ip->protocol != IPPROTO_UDP ||
	    udp->dest != bpf_htons(9))
		return NULL;
	return ip;
}

SEC("xdp/drop_udp9")
int drop_udp9(struct xdp_md *ctx)
{
	return udp9(ctx) ? XDP_DROP : XDP_PASS;
}

/* A datagram to port 9 goes back out of the device it came in on (XDP_TX)
 * with its TTL one lower, as ip_decrease_ttl() does it, until the TTL is
 * BOUNCE_TTL: then it is passed up.
 */
SEC("xdp/bounce_udp9")
int bounce_udp9(struct xdp_md *ctx)
{
	struct iphdr *ip = udp9(ctx);
	__u32 check;

	if (!ip || ip->ttl <= BOUNCE_TTL)
		return XDP_PASS;
	check = ip->check + bpf_htons(0x0100);
	ip->check = check + (check >= 0xffff);
	ip->ttl--;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
