// SPDX-License-Identifier: GPL-2.0-only
/*
 * xfer: TCP and UDP transfers that count exactly, for the netloop selftests.
 *
 *   xfer [-t SECS] [-P] tcp-recv|sctp-recv ADDR PORT
 *   xfer [-t SECS] [-P] tcp-send|sctp-send ADDR PORT BYTES [SEED]
 *   xfer [-t SECS] udp-recv ADDR PORT COUNT SIZE
 *   xfer [-t SECS] [-D] [-T SECS] [-G SEGS] udp-send ADDR PORT COUNT SIZE
 *   xfer [-t SECS] tcp-echo|udp-echo ADDR PORT SIZE
 *   xfer [-t SECS] [-T SECS] tcp-rr|udp-rr ADDR PORT SIZE
 *   xfer [-t SECS] [-N NETNS] [-S] udp-lockstep ADDR PORT COUNT SIZE
 *   xfer [-t SECS] [-N NETNS] tcp-lockstep ADDR PORT COUNT SIZE
 *
 * ADDR is a numeric IPv4 or IPv6 address: where the receivers bind, where
 * the senders send.  The TCP stream is BYTES of a pseudo-random sequence
 * chosen by SEED (default 1); both ends print its length and its 64-bit
 * FNV-1a hash, so that a shell can compare them:
 *
 *   tcp-recv: bytes=N fnv=HASH seconds=S
 *   tcp-send: bytes=N fnv=HASH mss=MSS seconds=S
 *
 * tcp-send connects, sends, shuts down its side and waits for the
 * receiver to close: when it returns, everything arrived.  MSS is the
 * connection's (TCP_MAXSEG, timestamps already taken off).  With BYTES 0
 * it sends until SIGTERM or SIGINT, then ends the stream the same way
 * and prints what it sent: a stream that runs across whatever a test does
 * meanwhile.  sctp-recv and sctp-send do the same over an SCTP
 * association (one-to-one style), without the MSS.  -P (plain, for the
 * benchmark, where making and hashing the bytes would cost more than
 * moving them) sends zeros and hashes nothing: both ends print fnv=0.
 *
 * UDP datagrams are SIZE bytes (at least 8): a sequence number, then bytes
 * derived from it, so that the receiver checks each one's size and
 * content.  udp-send sends COUNT datagrams, or with COUNT 0 as many as it
 * can for -T seconds; -D forbids fragmentation (IP_PMTUDISC_DO or
 * IPV6_DONTFRAG), so a datagram above the path MTU fails with EMSGSIZE.
 * -G hands the kernel SEGS datagrams at a time in one send (UDP_SEGMENT,
 * UDP GSO), which it sends as one super-packet where the device can take
 * it, and splits where not.
 * udp-recv stops after COUNT datagrams (0: no limit) or when none came for
 * the timeout.  Rates are over the first to the last datagram:
 *
 *   udp-send: datagrams=N pps=P
 *   udp-recv: datagrams=N bad=B pps=P
 *
 * The request/response pair measures latency (for the benchmark): the
 * echo side returns every SIZE-byte message it gets; the rr side sends
 * one, waits for it to come back, and repeats for -T seconds (default 1).
 * TCP runs with TCP_NODELAY on one connection; udp-rr ends by sending an
 * empty datagram, which stops udp-echo.  The mean round trip:
 *
 *   tcp-rr: transactions=N rtt_us=U
 *
 * The lock-step pair measures the cost of a message (for the benchmark)
 * in a single process, so that no other is scheduled in between and the
 * cost repeats from run to run: it binds to ADDR PORT, sends COUNT
 * messages of SIZE bytes there (UDP datagrams, or a TCP connection to
 * itself), and receives each before it sends the next, so that nothing
 * queues and nothing is dropped.  The datagrams are checked as udp-recv
 * checks them; the TCP messages are zeros, checked for length only.  -N
 * sends from the network namespace NETNS (a path such as /run/netns/NAME;
 * across a veth pair, say); -S only sends UDP (through a device that drops
 * what it is given, such as dummy).  The mean time per message, in ns of
 * the guest's clock (of its instructions under QEMU's -icount):
 *
 *   udp-lockstep: messages=N ns=T
 *
 * Every blocking call gives up after -t seconds (default 10).  Exit status:
 * 0 on success; 1 on an error (printed with its errno message), a datagram
 * that was bad, or fewer datagrams than COUNT; 2 on a usage error.
 */

#define _GNU_SOURCE		/* setns() */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK		65536
#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103	/* glibc 2.36's netinet/udp.h lacks it */
#endif

static int timeout_s = 10;
/* The protocol of SOCK_STREAM sockets: TCP, or SCTP for sctp-*. */
static int stream_proto = IPPROTO_TCP;
/* -P: a stream of zeros, not hashed. */
static int plain;
static volatile sig_atomic_t stop;

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "xfer: %s: %s\n", what, strerror(errno));
	exit(1);
}

static _Noreturn void bad_usage(void)
{
	fprintf(stderr,
		"usage: xfer [-t SECS] [-P] tcp-recv|sctp-recv ADDR PORT\n"
		"       xfer [-t SECS] [-P] tcp-send|sctp-send ADDR PORT BYTES [SEED]\n"
		"       xfer [-t SECS] udp-recv ADDR PORT COUNT SIZE\n"
		"       xfer [-t SECS] [-D] [-T SECS] [-G SEGS] udp-send ADDR PORT COUNT SIZE\n"
		"       xfer [-t SECS] tcp-echo|udp-echo ADDR PORT SIZE\n"
		"       xfer [-t SECS] [-T SECS] tcp-rr|udp-rr ADDR PORT SIZE\n"
		"       xfer [-t SECS] [-N NETNS] [-S] udp-lockstep ADDR PORT COUNT SIZE\n"
		"       xfer [-t SECS] [-N NETNS] tcp-lockstep ADDR PORT COUNT SIZE\n");
	exit(2);
}

static unsigned long long number(const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-')
		bad_usage();
	return v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*, seeded through splitmix64 so that any seed works. */
static uint64_t rng_seed(uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) | 1;
}

/* LEN bytes of the sequence; a stream continues where the last call left. */
static void fill(uint8_t *buf, size_t len, uint64_t *state)
{
	uint64_t x;
	size_t n;

	for (; len; len -= n, buf += n) {
		*state ^= *state >> 12;
		*state ^= *state << 25;
		*state ^= *state >> 27;
		x = *state * 0x2545f4914f6cdd1dULL;
		n = len < sizeof(x) ? len : sizeof(x);
		memcpy(buf, &x, n);
	}
}

static uint64_t fnv(uint64_t hash, const uint8_t *buf, size_t len)
{
	while (len--) {
		hash ^= *buf++;
		hash *= FNV_PRIME;
	}
	return hash;
}

/* A socket of TYPE for ADDR PORT, with the timeouts set, its address in SA. */
static int open_socket(int type, const char *addr, const char *port,
		       struct sockaddr_storage *sa, socklen_t *salen)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)sa;
	struct sockaddr_in *sin = (struct sockaddr_in *)sa;
	struct timeval tv = { .tv_sec = timeout_s };
	unsigned long long p = number(port);
	int fd;

	if (p > 65535)
		bad_usage();
	memset(sa, 0, sizeof(*sa));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		*salen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p);
		*salen = sizeof(*sin6);
	} else {
		bad_usage();
	}

	fd = socket(sa->ss_family, type, type == SOCK_STREAM ? stream_proto : 0);
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		die("setsockopt timeouts");
	return fd;
}

static int bound_socket(int type, const char *addr, const char *port)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	int fd, one = 1;

	fd = open_socket(type, addr, port, &sa, &salen);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("SO_REUSEADDR");
	if (bind(fd, (struct sockaddr *)&sa, salen))
		die("bind");
	return fd;
}

static int connected_socket(int type, const char *addr, const char *port,
			    int dontfrag)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	int fd, val;

	fd = open_socket(type, addr, port, &sa, &salen);
	if (dontfrag) {
		if (sa.ss_family == AF_INET) {
			val = IP_PMTUDISC_DO;
			if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &val, sizeof(val)))
				die("IP_MTU_DISCOVER");
		} else {
			val = 1;
			if (setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, &val, sizeof(val)))
				die("IPV6_DONTFRAG");
		}
	}
	if (connect(fd, (struct sockaddr *)&sa, salen))
		die("connect");
	return fd;
}

static int tcp_recv(const char *addr, const char *port)
{
	unsigned long long bytes = 0;
	uint64_t hash = FNV_OFFSET;
	static uint8_t buf[CHUNK];
	double start;
	int lfd, fd;
	ssize_t n;

	lfd = bound_socket(SOCK_STREAM, addr, port);
	if (listen(lfd, 1))
		die("listen");
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	start = now();
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		if (!plain)
			hash = fnv(hash, buf, n);
		bytes += n;
	}
	if (n < 0)
		die("recv");
	close(fd);
	printf("bytes=%llu fnv=%016llx seconds=%.6f\n", bytes,
	       plain ? 0ULL : (unsigned long long)hash, now() - start);
	return 0;
}

static void on_stop(int sig)
{
	stop = sig;
}

static int tcp_send(const char *addr, const char *port,
		    unsigned long long bytes, uint64_t seed)
{
	/* SA_RESTART: a send cut short goes on; the loop below looks at
	 * stop between chunks.
	 */
	struct sigaction sa = { .sa_handler = on_stop, .sa_flags = SA_RESTART };
	unsigned long long left = bytes ? bytes : ~0ULL;
	uint64_t hash = FNV_OFFSET, state = rng_seed(seed);
	socklen_t len = sizeof(int);
	static uint8_t buf[CHUNK];
	double start = now();
	size_t chunk, off;
	int fd, mss;
	ssize_t n;

	if (!bytes && (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL)))
		die("sigaction");
	fd = connected_socket(SOCK_STREAM, addr, port, 0);
	if (stream_proto == IPPROTO_TCP &&
	    getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, &len))
		die("TCP_MAXSEG");
	while (left && !stop) {
		chunk = left < CHUNK ? left : CHUNK;
		if (!plain) {
			fill(buf, chunk, &state);
			hash = fnv(hash, buf, chunk);
		}
		for (off = 0; off < chunk; off += n) {
			n = send(fd, buf + off, chunk - off, MSG_NOSIGNAL);
			if (n < 0)
				die("send");
		}
		left -= chunk;
	}
	if (!bytes)
		bytes = ~0ULL - left;
	if (shutdown(fd, SHUT_WR))
		die("shutdown");
	/* The receiver closes when it has read everything.  SCTP has no
	 * half-close: its shutdown ends the association once the peer has
	 * acknowledged every byte, and recv() then finds it gone.
	 */
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0 && !(stream_proto == IPPROTO_SCTP && errno == ENOTCONN))
		die("waiting for the receiver to close");
	close(fd);
	printf("bytes=%llu fnv=%016llx", bytes,
	       plain ? 0ULL : (unsigned long long)hash);
	if (stream_proto == IPPROTO_TCP)
		printf(" mss=%d", mss);
	printf(" seconds=%.6f\n", now() - start);
	return 0;
}

/* Datagram SEQ: its number, then bytes derived from it. */
static void make_datagram(uint8_t *buf, size_t size, uint64_t seq)
{
	uint64_t state = rng_seed(seq);

	memcpy(buf, &seq, sizeof(seq));
	fill(buf + sizeof(seq), size - sizeof(seq), &state);
}

static unsigned long long rate(unsigned long long n, double first, double last)
{
	return n > 1 && last > first ? (n - 1) / (last - first) : 0;
}

static int udp_recv(const char *addr, const char *port,
		    unsigned long long count, size_t size)
{
	unsigned long long n = 0, bad = 0;
	static uint8_t buf[65536], want[65536];
	double first = 0, last = 0;
	uint64_t seq;
	ssize_t len;
	int fd;

	fd = bound_socket(SOCK_DGRAM, addr, port);
	while (!count || n < count) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			if (errno == EAGAIN)
				break;
			die("recv");
		}
		last = now();
		if (!n++)
			first = last;
		if ((size_t)len != size) {
			bad++;
			continue;
		}
		memcpy(&seq, buf, sizeof(seq));
		make_datagram(want, size, seq);
		bad += !!memcmp(buf, want, size);
	}
	printf("datagrams=%llu bad=%llu pps=%llu\n", n, bad,
	       rate(n, first, last));
	return bad || (count && n < count);
}

static int udp_send(const char *addr, const char *port,
		    unsigned long long count, size_t size, int dontfrag,
		    int seconds, int segs)
{
	static uint8_t buf[65536];
	double first = now(), last = first;
	unsigned long long n;
	int fd, i;

	fd = connected_socket(SOCK_DGRAM, addr, port, dontfrag);
	if (segs > 1 &&
	    setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &(int){ size }, sizeof(int)))
		die("UDP_SEGMENT");
	for (n = 0; count ? n < count : last - first < seconds; n += i) {
		for (i = 0; i < segs && (!count || n + i < count); i++)
			make_datagram(buf + i * size, size, n + i);
		if (send(fd, buf, i * size, 0) < 0)
			die("sendto");
		last = now();
	}
	printf("datagrams=%llu pps=%llu\n", n, rate(n, first, last));
	return 0;
}

/* Exactly LEN bytes from FD; 0 at end of stream before the first byte. */
static size_t recv_all(int fd, uint8_t *buf, size_t len)
{
	size_t off;
	ssize_t n;

	for (off = 0; off < len; off += n) {
		n = recv(fd, buf + off, len - off, 0);
		if (n < 0)
			die("recv");
		if (!n && !off)
			return 0;
		if (!n) {
			errno = EPIPE;
			die("message cut short");
		}
	}
	return len;
}

static void send_all(int fd, const uint8_t *buf, size_t len)
{
	if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		die("send");
}

static int lockstep(int type, const char *addr, const char *port,
		    unsigned long long count, size_t size, const char *netns,
		    int send_only)
{
	static uint8_t buf[65536], got[65536];
	unsigned long long n;
	int rx = -1, tx, fd;
	double start;

	if (!send_only) {
		rx = bound_socket(type, addr, port);
		if (type == SOCK_STREAM && listen(rx, 1))
			die("listen");
	}
	if (netns) {
		fd = open(netns, O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWNET))
			die(netns);
		close(fd);
	}
	tx = connected_socket(type, addr, port, 0);
	if (type == SOCK_STREAM) {
		fd = accept(rx, NULL, NULL);
		if (fd < 0)
			die("accept");
		close(rx);
		rx = fd;
	}
	start = now();
	for (n = 0; n < count; n++) {
		if (type == SOCK_DGRAM)
			make_datagram(buf, size, n);
		send_all(tx, buf, size);
		if (send_only)
			continue;
		if (recv_all(rx, got, size) != size ||
		    (type == SOCK_DGRAM && memcmp(buf, got, size))) {
			errno = EBADMSG;
			die("message lost or damaged");
		}
	}
	printf("messages=%llu ns=%.1f\n", n, (now() - start) * 1e9 / n);
	return 0;
}

static void nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die("TCP_NODELAY");
}

static int echo(int type, const char *addr, const char *port, size_t size)
{
	static uint8_t buf[65536];
	struct sockaddr_storage peer;
	socklen_t len;
	int lfd, fd;
	ssize_t n;

	fd = bound_socket(type, addr, port);
	if (type == SOCK_STREAM) {
		lfd = fd;
		if (listen(lfd, 1))
			die("listen");
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die("accept");
		nodelay(fd);
		while (recv_all(fd, buf, size))
			send_all(fd, buf, size);
		return 0;
	}
	for (;;) {
		len = sizeof(peer);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer,
			     &len);
		if (n <= 0)
			break;
		if (sendto(fd, buf, n, 0, (struct sockaddr *)&peer, len) != n)
			die("sendto");
	}
	if (n < 0)
		die("recvfrom");
	return 0;
}

static int request_response(int type, const char *addr, const char *port,
			    size_t size, int seconds)
{
	static uint8_t req[65536], resp[65536];
	double start = now(), elapsed = 0;
	uint64_t state = rng_seed(size);
	unsigned long long n;
	int fd;

	fd = connected_socket(type, addr, port, 0);
	if (type == SOCK_STREAM)
		nodelay(fd);
	fill(req, size, &state);
	for (n = 0; elapsed < seconds; n++) {
		send_all(fd, req, size);
		if (recv_all(fd, resp, size) != size || memcmp(req, resp, size)) {
			errno = EBADMSG;
			die("response differs from the request");
		}
		elapsed = now() - start;
	}
	if (type == SOCK_DGRAM)
		send_all(fd, req, 0);
	printf("transactions=%llu rtt_us=%.3f\n", n, elapsed * 1e6 / n);
	return 0;
}

/* CMD is tcp-WHAT, or sctp-WHAT, which makes SCTP the stream protocol. */
static int stream_cmd(const char *cmd, const char *what)
{
	if (!strncmp(cmd, "sctp-", 5) && !strcmp(cmd + 5, what)) {
		stream_proto = IPPROTO_SCTP;
		return 1;
	}
	return !strncmp(cmd, "tcp-", 4) && !strcmp(cmd + 4, what);
}

int main(int argc, char **argv)
{
	int opt, dontfrag = 0, seconds = 0, segs = 1, send_only = 0, type;
	unsigned long long count, size;
	const char *netns = NULL;

	while ((opt = getopt(argc, argv, "t:DT:G:N:SP")) != -1) {
		switch (opt) {
		case 't':
			timeout_s = number(optarg);
			break;
		case 'D':
			dontfrag = 1;
			break;
		case 'T':
			seconds = number(optarg);
			break;
		case 'G':
			segs = number(optarg);
			break;
		case 'N':
			netns = optarg;
			break;
		case 'S':
			send_only = 1;
			break;
		case 'P':
			plain = 1;
			break;
		default:
			bad_usage();
		}
	}
	argv += optind;
	argc -= optind;
	if (argc < 3)
		bad_usage();

	if (stream_cmd(argv[0], "recv") && argc == 3)
		return tcp_recv(argv[1], argv[2]);
	if (stream_cmd(argv[0], "send") && (argc == 4 || argc == 5))
		return tcp_send(argv[1], argv[2], number(argv[3]),
				argc == 5 ? number(argv[4]) : 1);
	if (argc == 4 && (!strncmp(argv[0], "tcp-", 4) ||
			  !strncmp(argv[0], "udp-", 4))) {
		type = argv[0][0] == 't' ? SOCK_STREAM : SOCK_DGRAM;
		size = number(argv[3]);
		if (!size || size > 65535)
			bad_usage();
		if (!strcmp(argv[0] + 4, "echo"))
			return echo(type, argv[1], argv[2], size);
		if (!strcmp(argv[0] + 4, "rr"))
			return request_response(type, argv[1], argv[2], size,
						seconds ? seconds : 1);
		bad_usage();
	}
	if (argc != 5)
		bad_usage();
	count = number(argv[3]);
	size = number(argv[4]);
	if (size < sizeof(uint64_t) || size > 65536)
		bad_usage();
	if (!strcmp(argv[0], "udp-recv"))
		return udp_recv(argv[1], argv[2], count, size);
	if (!strcmp(argv[0], "udp-lockstep") && count)
		return lockstep(SOCK_DGRAM, argv[1], argv[2], count, size,
				netns, send_only);
	if (!strcmp(argv[0], "tcp-lockstep") && count && !send_only)
		return lockstep(SOCK_STREAM, argv[1], argv[2], count, size,
				netns, 0);
	if (!segs || size * segs > 65000)
		bad_usage();
	if (!strcmp(argv[0], "udp-send") && (count || seconds))
		return udp_send(argv[1], argv[2], count, size, dontfrag,
				seconds, segs);
	bad_usage();
}
