/*
 * release_rush.c — the city booking release bench (`make bench`, test/bench/scenarios/
 * release.sh): many citizens, each on a connection of their own, ask for a place the moment
 * a day's slots are released, and every answer is counted.
 *
 *   release_rush sessions IDFILE TOKFILE
 *	For each citizen id (one a line in IDFILE) a session token: written one a line to
 *	TOKFILE, and the Redis commands that make the sessions as fcgi/session.c keeps them
 *	(sess:<SHA-256 of the token, hex>) printed on stdout for redis-cli.
 *
 *   release_rush rush PORT NADDR CONC TIMEOUT_S TOKFILE SLOTFILE OUTFILE
 *	Citizen k (line k of TOKFILE) asks POST /api/v1/appointments for slot k·7919 mod S of
 *	SLOTFILE ("hall slot-id" a line) with an ID number of its own, on a new connection
 *	(Connection: close) from 127.0.0.(2 + k mod NADDR); CONC connections at once, the
 *	next citizen as soon as one is answered.  A citizen not answered within TIMEOUT_S
 *	seconds counts as a timeout.  OUTFILE gets one line a citizen:
 *	    k slot-index status code request-id sent-ms answered-ms
 *	(code: SLOT_FULL, ALREADY_BOOKED, … from the error body, "-" for 201; ms on the
 *	monotonic clock from the start).  stdout gets the summary:
 *	    citizens N booked B full F other O timeouts T failed X secs S p50 A p99 B ms
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MAX_CITIZENS	200000
#define MAX_SLOTS	4096
#define TOKEN_MAX	96
#define REPLY_MAX	8192
#define MAX_CONC	8192

enum { C_IDLE, C_CONNECTING, C_SENDING, C_READING };

struct citizen {
	int	 slot;
	int	 status;	/* 0: none yet; -1 timeout; -2 failed */
	char	 code[24];
	char	 rid[40];
	int64_t	 sent_ms, done_ms;
};

struct conn {
	int	 fd;
	int	 state;
	int	 who;		/* citizen index */
	char	 req[1024];
	size_t	 reqlen, sent;
	char	 reply[REPLY_MAX];
	size_t	 got;
	int64_t	 deadline;
};

static char (*tokens)[TOKEN_MAX];
static struct citizen *cz;
static char slot_hall[MAX_SLOTS][33], slot_id[MAX_SLOTS][24];
static int ncz, nslots, port, naddr;

/* A resident ID number of its own for citizen k (GB 11643 check digit): region 310101
 * (none of the other scenarios' 110105), born 1 January of 1950 + k / 1000, sequence
 * k % 1000. */
static void
id_number(int k, char out[19])
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	int i, sum = 0;

	snprintf(out, 19, "310101%04d0101%03d", 1950 + (k / 1000) % 50, k % 1000);
	for (i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = "10X98765432"[sum % 11];
	out[18] = '\0';
}

static int
sessions(const char *idfile, const char *tokfile)
{
	FILE *in = fopen(idfile, "r"), *out = fopen(tokfile, "w");
	unsigned char rnd[12], md[SHA256_DIGEST_LENGTH];
	char line[64], tok[TOKEN_MAX], hex[2 * SHA256_DIGEST_LENGTH + 1];
	FILE *ur = fopen("/dev/urandom", "r");
	size_t i;
	long id;

	if (!in || !out || !ur) {
		fprintf(stderr, "release_rush: cannot open the files\n");
		return 1;
	}
	while (fgets(line, sizeof line, in)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (num(line, 1, 1L << 50, &id) != 0)
			continue;
		if (fread(rnd, 1, sizeof rnd, ur) != sizeof rnd)
			return 1;
		snprintf(tok, sizeof tok, "bench-release-%ld-", id);
		for (i = 0; i < sizeof rnd; i++)
			snprintf(tok + strlen(tok), sizeof tok - strlen(tok), "%02x", rnd[i]);
		SHA256((const unsigned char *)tok, strlen(tok), md);
		for (i = 0; i < sizeof md; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
		printf("HSET sess:%s role citizen subject %ld hall \"\" window 0 dept \"\" csrf x"
		    " idle 3600\n", hex, id);
		fprintf(out, "%s\n", tok);
	}
	fclose(ur);
	fclose(in);
	return fclose(out) == 0 ? 0 : 1;
}

static int
load(const char *tokfile, const char *slotfile)
{
	FILE *f;
	char line[256];

	if ((f = fopen(tokfile, "r")) == NULL)
		return -1;
	while (ncz < MAX_CITIZENS && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (*line == '\0' || strlen(line) >= TOKEN_MAX)
			continue;
		memcpy(tokens[ncz], line, strlen(line) + 1);
		ncz++;
	}
	fclose(f);
	if ((f = fopen(slotfile, "r")) == NULL)
		return -1;
	while (nslots < MAX_SLOTS && fgets(line, sizeof line, f)) {
		char h[64], s[64];

		if (sscanf(line, "%63s %63s", h, s) != 2 || strlen(h) > 32 || strlen(s) > 23)
			continue;
		memcpy(slot_hall[nslots], h, strlen(h) + 1);
		memcpy(slot_id[nslots], s, strlen(s) + 1);
		nslots++;
	}
	fclose(f);
	return ncz > 0 && nslots > 0 ? 0 : -1;
}

/* Start citizen k on connection c.  0, or -1 (the citizen counts as failed). */
static int
start(struct conn *c, int k, int ep)
{
	struct sockaddr_in src, dst;
	struct epoll_event ev;
	char body[320], ip[32], id[19];
	int s = (int)(((long long)k * 7919) % nslots), n;

	cz[k].slot = s;
	id_number(k, id);
	n = snprintf(body, sizeof body, "{\"hall\":\"%s\",\"category\":\"%c\",\"slot\":\"%s\","
	    "\"name\":\"张三\",\"id_number\":\"%s\"}", slot_hall[s], slot_id[s][0], slot_id[s], id);
	n = snprintf(c->req, sizeof c->req, "POST /api/v1/appointments HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n"
	    "Authorization: Bearer %s\r\nContent-Length: %d\r\n\r\n%s", tokens[k], n, body);
	if (n <= 0 || (size_t)n >= sizeof c->req)
		return -1;
	c->reqlen = (size_t)n;
	c->sent = c->got = 0;
	c->who = k;
	cz[k].sent_ms = now_ms();
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	snprintf(ip, sizeof ip, "127.0.0.%d", 2 + k % naddr);
	memset(&src, 0, sizeof src);
	src.sin_family = AF_INET;
	inet_pton(AF_INET, ip, &src.sin_addr);
	memset(&dst, 0, sizeof dst);
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)port);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(c->fd, (struct sockaddr *)&src, sizeof src) != 0 ||
	    (connect(c->fd, (struct sockaddr *)&dst, sizeof dst) != 0 && errno != EINPROGRESS)) {
		close(c->fd);
		return -1;
	}
	c->state = C_CONNECTING;
	ev.events = EPOLLOUT | EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
		close(c->fd);
		return -1;
	}
	return 0;
}

/* The answer in c->reply: status, request id, error code. */
static void
finish(struct conn *c, int ep)
{
	struct citizen *z = &cz[c->who];
	char *p, *e;

	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->state = C_IDLE;
	z->done_ms = now_ms();
	c->reply[c->got < REPLY_MAX ? c->got : REPLY_MAX - 1] = '\0';
	if (sscanf(c->reply, "HTTP/1.%*d %d", &z->status) != 1)
		z->status = -2;
	if ((p = strcasestr(c->reply, "\r\nX-Request-Id: ")) != NULL) {
		p += 16;
		e = p + strcspn(p, "\r\n");
		snprintf(z->rid, sizeof z->rid, "%.*s", (int)(e - p), p);
	}
	if ((p = strstr(c->reply, "\"code\":\"")) != NULL) {
		p += 8;
		e = p + strcspn(p, "\"");
		snprintf(z->code, sizeof z->code, "%.*s", (int)(e - p), p);
	}
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int
rush(int argc, char **argv)
{
	long v, conc, tmo;
	struct conn *cs;
	struct epoll_event evs[512];
	struct rlimit rl;
	int ep, next = 0, active = 0, i, n, k;
	int64_t t0, *lat;
	long booked = 0, full = 0, other = 0, timeouts = 0, failed = 0, nl = 0;
	FILE *out;

	if (argc != 9 || num(argv[2], 1, 65535, &v) != 0)
		return 2;
	port = (int)v;
	if (num(argv[3], 1, 200, &v) != 0)
		return 2;
	naddr = (int)v;
	if (num(argv[4], 1, MAX_CONC, &conc) != 0 || num(argv[5], 1, 600, &tmo) != 0)
		return 2;
	tokens = calloc(MAX_CITIZENS, sizeof *tokens);
	cz = calloc(MAX_CITIZENS, sizeof *cz);
	cs = calloc((size_t)conc, sizeof *cs);
	lat = calloc(MAX_CITIZENS, sizeof *lat);
	if (!tokens || !cz || !cs || !lat || load(argv[6], argv[7]) != 0) {
		fprintf(stderr, "release_rush: no citizens or no slots\n");
		return 1;
	}
	rl.rlim_cur = rl.rlim_max = (rlim_t)conc * 2 + 64;
	setrlimit(RLIMIT_NOFILE, &rl);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return 1;
	t0 = now_ms();
	for (;;) {
		for (i = 0; i < conc && next < ncz; i++)
			if (cs[i].state == C_IDLE) {
				k = next++;
				if (start(&cs[i], k, ep) != 0) {
					cz[k].status = -2;
					cz[k].sent_ms = cz[k].done_ms = now_ms();
					cs[i].state = C_IDLE;
					continue;
				}
				cs[i].deadline = now_ms() + tmo * 1000;
				active++;
			}
		if (active == 0 && next >= ncz)
			break;
		n = epoll_wait(ep, evs, 512, 50);
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			ssize_t r;

			if (c->state == C_CONNECTING || c->state == C_SENDING) {
				c->state = C_SENDING;
				r = send(c->fd, c->req + c->sent, c->reqlen - c->sent, MSG_NOSIGNAL);
				if (r > 0)
					c->sent += (size_t)r;
				else if (r < 0 && errno != EAGAIN && errno != EINTR) {
					finish(c, ep);
					cz[c->who].status = -2;
					active--;
					continue;
				}
				if (c->sent == c->reqlen) {
					struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

					epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
					c->state = C_READING;
				}
				continue;
			}
			if (c->state != C_READING)
				continue;
			for (;;) {
				char sink[4096];
				char *dst = c->got < REPLY_MAX - 1 ? c->reply + c->got : sink;
				size_t room = c->got < REPLY_MAX - 1 ? REPLY_MAX - 1 - c->got : sizeof sink;

				r = recv(c->fd, dst, room, 0);
				if (r > 0) {
					if (dst != sink)
						c->got += (size_t)r;
					continue;
				}
				if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
					finish(c, ep);
					active--;
				}
				break;
			}
		}
		{
			int64_t now = now_ms();

			for (i = 0; i < conc; i++)
				if (cs[i].state != C_IDLE && now > cs[i].deadline) {
					epoll_ctl(ep, EPOLL_CTL_DEL, cs[i].fd, NULL);
					close(cs[i].fd);
					cs[i].state = C_IDLE;
					cz[cs[i].who].status = -1;
					cz[cs[i].who].done_ms = now;
					active--;
				}
		}
	}
	if ((out = fopen(argv[8], "w")) == NULL)
		return 1;
	for (k = 0; k < ncz; k++) {
		struct citizen *z = &cz[k];

		fprintf(out, "%d %d %d %s %s %lld %lld\n", k, z->slot, z->status,
		    z->status == 201 ? "-" : (z->code[0] ? z->code : "none"),
		    z->rid[0] ? z->rid : "-", (long long)(z->sent_ms - t0),
		    (long long)(z->done_ms - t0));
		if (z->status == 201)
			booked++;
		else if (z->status == 409 && strcmp(z->code, "SLOT_FULL") == 0)
			full++;
		else if (z->status == -1)
			timeouts++;
		else if (z->status == -2)
			failed++;
		else
			other++;
		if (z->status > 0)
			lat[nl++] = z->done_ms - z->sent_ms;
	}
	fclose(out);
	qsort(lat, (size_t)nl, sizeof *lat, cmp_i64);
	printf("citizens %d booked %ld full %ld other %ld timeouts %ld failed %ld secs %.2f"
	    " p50 %lld p99 %lld ms\n", ncz, booked, full, other, timeouts, failed,
	    (double)(now_ms() - t0) / 1000.0, nl ? (long long)lat[(nl - 1) / 2] : -1LL,
	    nl ? (long long)lat[(long)((double)nl * 0.99 + 0.5) > 0 ?
	    (long)((double)nl * 0.99 + 0.5) - 1 : 0] : -1LL);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "sessions") == 0)
		return sessions(argv[2], argv[3]);
	if (argc >= 2 && strcmp(argv[1], "rush") == 0) {
		int rc = rush(argc, argv);

		if (rc == 2)
			fprintf(stderr, "usage: release_rush rush PORT NADDR CONC TIMEOUT_S TOKFILE"
			    " SLOTFILE OUTFILE\n");
		return rc;
	}
	fprintf(stderr, "usage: release_rush sessions IDFILE TOKFILE | rush …\n");
	return 2;
}
