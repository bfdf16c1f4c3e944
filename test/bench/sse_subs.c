/*
 * sse_subs.c — the push bench's subscribers (`make bench`, test/bench/scenarios/push.sh):
 * N Server-Sent Events connections held at once by one thread on epoll, and the time from
 * a clerk's call-next to each subscriber's message.
 *
 *   sse_subs PORT PATH N FIRST NADDR GOFILE CALLPATH TOKEN
 *
 * Opens N connections to 127.0.0.1:PORT, GET PATH with Accept: text/event-stream, spread
 * over the source addresses 127.0.0.FIRST … 127.0.0.(FIRST+NADDR-1) (nginx limits the
 * subscriptions of one address; the kernel gives each address its own ephemeral ports).
 * When every connection is answered, prints "held H refused R failed F" and waits until
 * GOFILE exists (the bench measures /health meanwhile), then POSTs CALLPATH with the bearer
 * TOKEN on a connection of its own — the instant just before that send is t0 — and takes
 * each held connection's first "data:" after t0 as its message.  Prints
 *   "call STATUS received K of H p50 A p99 B max C ms"
 * where p50 and p99 are over all H held subscribers (one that never got it counts as never),
 * then exits.  Waits for the messages 5 s at most.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MAX_SUBS	200000
#define PENDING_MAX	256		/* connects in flight at once (nginx's listen backlog) */
#define TAIL		8		/* bytes kept across reads to find "data:" split by a read */

enum { S_CONNECTING, S_HEADERS, S_HELD, S_DONE, S_FAILED };

struct conn {
	int	 fd;
	int	 state;
	int	 status;
	char	 tail[TAIL];
	int	 ntail;
	int64_t	 got_ms;		/* ms after t0 of the first message, -1 none */
};

static struct conn *cs;
static int nconn, port;
static const char *path;
static volatile int64_t t0_ms = -1;
static int call_status;

static int
open_one(int i, int first, int naddr, int ep)
{
	struct sockaddr_in src, dst;
	struct epoll_event ev;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	char ip[32];

	if (fd < 0)
		return -1;
	snprintf(ip, sizeof ip, "127.0.0.%d", first + i % naddr);
	memset(&src, 0, sizeof src);
	src.sin_family = AF_INET;
	inet_pton(AF_INET, ip, &src.sin_addr);
	if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0) {
		close(fd);
		return -1;
	}
	memset(&dst, 0, sizeof dst);
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)port);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	cs[i].fd = fd;
	cs[i].state = S_CONNECTING;
	cs[i].got_ms = -1;
	ev.events = EPOLLOUT | EPOLLIN;
	ev.data.u32 = (uint32_t)i;
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void
fail_one(int i, int ep)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, cs[i].fd, NULL);
	close(cs[i].fd);
	cs[i].state = S_FAILED;
}

/* Is "data:" in tail + p[0..n)?  Keeps the last bytes for the next read. */
static int
saw_data(struct conn *c, const char *p, size_t n)
{
	char buf[TAIL + 4096];
	size_t k = (size_t)c->ntail, take = n < 4096 ? n : 4096;
	int hit;

	memcpy(buf, c->tail, k);
	memcpy(buf + k, p + (n - take), take);
	k += take;
	hit = memmem(buf, k, "data:", 5) != NULL || memmem(p, n, "data:", 5) != NULL;
	c->ntail = k < TAIL ? (int)k : TAIL;
	memcpy(c->tail, buf + k - (size_t)c->ntail, (size_t)c->ntail);
	return hit;
}

/* Read what is there; advance the connection's state. */
static void
on_read(int i, int ep)
{
	struct conn *c = &cs[i];
	char buf[8192];
	ssize_t n;

	for (;;) {
		n = read(c->fd, buf, sizeof buf);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			if (c->state == S_HEADERS && c->status)
				c->state = S_DONE;	/* refused, answered and closed */
			else if (c->state != S_DONE)
				fail_one(i, ep);
			if (c->state == S_DONE) {
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
			}
			return;
		}
		if (c->state == S_HEADERS) {
			if (c->status == 0 && n >= 12 && memcmp(buf, "HTTP/1.", 7) == 0)
				c->status = (int)strtol(buf + 9, NULL, 10) > 0 ?
				    (int)strtol(buf + 9, NULL, 10) : -1;
			if (c->status == 200)
				c->state = S_HELD;
			else if (c->status != 0)
				continue;	/* a refusal: read to its end */
		}
		if (c->state == S_HELD && t0_ms >= 0 && c->got_ms < 0 && saw_data(c, buf, (size_t)n))
			c->got_ms = now_ms() - t0_ms;
	}
}

static void
on_write(int i, int ep)
{
	struct conn *c = &cs[i];
	struct epoll_event ev;
	char req[512];
	int err = 0, len;
	socklen_t el = sizeof err;

	if (c->state != S_CONNECTING)
		return;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
		fail_one(i, ep);
		return;
	}
	len = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Accept: text/event-stream\r\n\r\n", path);
	if (len <= 0 || (size_t)len >= sizeof req || write(c->fd, req, (size_t)len) != len) {
		fail_one(i, ep);
		return;
	}
	c->state = S_HEADERS;
	ev.events = EPOLLIN;
	ev.data.u32 = (uint32_t)i;
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

struct call { const char *path, *token; };

/* The clerk's call-next, on a blocking connection of its own. */
static void *
call_main(void *arg)
{
	struct call *a = arg;
	struct sockaddr_in dst;
	char req[1024], buf[512];
	int fd = socket(AF_INET, SOCK_STREAM, 0), len;
	ssize_t n;

	memset(&dst, 0, sizeof dst);
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)port);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	len = snprintf(req, sizeof req, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Authorization: Bearer %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	    a->path, a->token);
	if (fd < 0 || connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0 || len <= 0 ||
	    (size_t)len >= sizeof req) {
		call_status = -1;
		t0_ms = now_ms();
		return NULL;
	}
	t0_ms = now_ms();
	if (write(fd, req, (size_t)len) != len)
		call_status = -1;
	else if ((n = read(fd, buf, sizeof buf - 1)) >= 12)
		call_status = (int)strtol(buf + 9, NULL, 10);
	close(fd);
	return NULL;
}

static int
cmp_ll(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct epoll_event evs[1024];
	struct rlimit rl;
	struct call call;
	pthread_t th;
	long v, first, naddr;
	int ep, i, opened = 0, pending, held, refused, failed, k, got;
	int64_t deadline, *lat;
	struct stat st;

	if (argc != 9 || num(argv[1], 1, 65535, &v) != 0) {
		fprintf(stderr, "usage: sse_subs PORT PATH N FIRST NADDR GOFILE CALLPATH TOKEN\n");
		return 2;
	}
	port = (int)v;
	path = argv[2];
	if (num(argv[3], 1, MAX_SUBS, &v) != 0 || num(argv[4], 1, 254, &first) != 0 ||
	    num(argv[5], 1, 254, &naddr) != 0 || first + naddr > 255) {
		fprintf(stderr, "sse_subs: bad N, FIRST or NADDR\n");
		return 2;
	}
	nconn = (int)v;
	rl.rlim_cur = rl.rlim_max = (rlim_t)nconn + 256;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < (rlim_t)nconn + 64) {
			fprintf(stderr, "sse_subs: only %lu files allowed\n", (unsigned long)rl.rlim_cur);
			return 1;
		}
	}
	if ((cs = calloc((size_t)nconn, sizeof *cs)) == NULL || (ep = epoll_create1(0)) < 0)
		return 1;

	/* Connect all, at most PENDING_MAX unanswered at a time. */
	deadline = now_ms() + 120000;
	for (;;) {
		pending = held = refused = failed = 0;
		for (i = 0; i < opened; i++) {
			if (cs[i].state == S_CONNECTING || (cs[i].state == S_HEADERS && cs[i].status == 0))
				pending++;
			else if (cs[i].state == S_HELD)
				held++;
			else if (cs[i].state == S_FAILED)
				failed++;
			else
				refused++;
		}
		while (opened < nconn && pending < PENDING_MAX) {
			if (open_one(opened, (int)first, (int)naddr, ep) != 0)
				cs[opened].state = S_FAILED;
			else
				pending++;
			opened++;
		}
		if ((opened == nconn && pending == 0) || now_ms() > deadline)
			break;
		k = epoll_wait(ep, evs, 1024, 50);
		for (i = 0; i < k; i++) {
			int j = (int)evs[i].data.u32;

			if (evs[i].events & EPOLLOUT)
				on_write(j, ep);
			if (cs[j].state != S_FAILED && (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				on_read(j, ep);
		}
	}
	printf("held %d refused %d failed %d\n", held, refused, failed + (nconn - opened));
	fflush(stdout);

	/* Hold until the bench says go. */
	while (stat(argv[6], &st) != 0) {
		k = epoll_wait(ep, evs, 1024, 100);
		for (i = 0; i < k; i++)
			on_read((int)evs[i].data.u32, ep);
	}
	call.path = argv[7];
	call.token = argv[8];
	if (pthread_create(&th, NULL, call_main, &call) != 0)
		return 1;
	deadline = now_ms() + 5000;
	for (;;) {
		got = 0;
		for (i = 0; i < nconn; i++)
			if (cs[i].state == S_HELD && cs[i].got_ms >= 0)
				got++;
		if (got == held || now_ms() > deadline)
			break;
		k = epoll_wait(ep, evs, 1024, 20);
		for (i = 0; i < k; i++)
			on_read((int)evs[i].data.u32, ep);
	}
	pthread_join(th, NULL);
	if ((lat = calloc((size_t)(held > 0 ? held : 1), sizeof *lat)) == NULL)
		return 1;
	for (i = 0, k = 0; i < nconn; i++)
		if (cs[i].state == S_HELD)
			lat[k++] = cs[i].got_ms >= 0 ? cs[i].got_ms : INT64_MAX;
	qsort(lat, (size_t)k, sizeof *lat, cmp_ll);
#define PCT(p) (k == 0 ? -1LL : lat[(k - 1) * (p) / 100] == INT64_MAX ? -1LL : (long long)lat[(k - 1) * (p) / 100])
	printf("call %d received %d of %d p50 %lld p99 %lld max %lld ms\n", call_status, got, held,
	    PCT(50), PCT(99), PCT(100));
	return 0;
}
