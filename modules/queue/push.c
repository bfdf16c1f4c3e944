/*
 * push.c — a change of a hall's queue, pushed to its screens and phones.
 *
 * Routes: none here (the subscribers' routes are nginx's: see nginx/nginx.conf.in, and the
 *         app's part of them is push_api.c).
 * Tables: none.
 * Redis:  {hall:<code>}:ready, :ver, :calls, :waiting (read, through q_board_build).
 *
 * The screens (board), the citizens' ticket pages, the clerks' consoles and the managers'
 * dashboard hold a Server-Sent Events connection to nginx's nchan module, not to the app:
 * a held subscriber costs nginx a few kilobytes and no thread anywhere.  After a change is
 * committed (a take, a call, a recall, a skip, a start, a transfer, a finish, a cancel, a
 * rejoin), the request that made it publishes the board as it now stands to the hall's
 * channel ("hall.<code>") by one HTTP POST to nchan's publisher location (push_publisher):
 * a unix socket under the instance's run directory, or a loopback port of the installed
 * site (127.0.0.1:port, refused to every other address) — never a place a client reaches.
 * Several app hosts behind a balancer each have their own nginx and so their own
 * subscribers: push_publisher then lists every host's publisher, comma-separated, and the
 * message goes to each (make cluster: ops/cluster.sh).  Every subscriber of the hall then gets that message.
 *
 * What is published is exactly what the public board shows (the calls on the board, the
 * waiting counts, the version, the hall's time) plus what happened: kind, window, number —
 * a number and a window are on the board already.  No token, name or phone is ever
 * published: a ticket page learns its own place by its own small fetch when told that the
 * queue moved.
 *
 * Publishing must never fail or hold up the clerk's action: it runs after the commit, the
 * whole exchange (connect, send, read the status line) is bounded by push_timeout_ms
 * (default 250), and any failure — nginx away, a full socket, a slow answer, Redis unable to
 * give the board — is logged and forgotten.  The clients' polling fallback covers a lost
 * message: the board page re-reads the board whenever its push connection errs, and
 * every page reads its data again when the push connection comes back.
 *
 * Why a raw request and not libcurl: it is one short request on a local socket, and a curl
 * handle per thread would add a dependency on a library state for 40 lines of poll().
 */
#include "queue_int.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define PUSH_MAX_BODY	(64 * 1024)

/* Milliseconds left until deadline (at least 0). */
static int
push_left(int64_t deadline)
{
	int64_t left = deadline - mono_ms();

	return left > 0 ? (int)left : 0;
}

/* Wait for fd to be ready for ev before the deadline.  0, or -1 (timed out, error). */
static int
push_wait(int fd, short ev, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = ev, .revents = 0 };
	int n;

	for (;;) {
		n = poll(&p, 1, push_left(deadline));
		if (n > 0)
			return (p.revents & (ev | POLLHUP)) ? 0 : -1;
		if (n == 0 || errno != EINTR)
			return -1;
	}
}

/* One publisher as an address: "/path" (unix) or "a.b.c.d:port".  0 or -1. */
static int
push_addr(const char *p, struct sockaddr_storage *ss, socklen_t *len)
{
	const char *colon;
	char host[16];
	long long port;

	memset(ss, 0, sizeof *ss);
	if (p[0] == '/') {
		struct sockaddr_un *su = (struct sockaddr_un *)ss;
		size_t n = strlen(p);

		if (n >= sizeof su->sun_path)
			return -1;
		su->sun_family = AF_UNIX;
		memcpy(su->sun_path, p, n + 1);
		*len = (socklen_t)sizeof *su;
		return 0;
	}
	if ((colon = strrchr(p, ':')) == NULL || (size_t)(colon - p) >= sizeof host ||
	    parse_ll(colon + 1, 1, 65535, &port) != 0)
		return -1;
	memcpy(host, p, (size_t)(colon - p));
	host[colon - p] = '\0';
	{
		struct sockaddr_in *si = (struct sockaddr_in *)ss;

		si->sin_family = AF_INET;
		si->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &si->sin_addr) != 1)
			return -1;
		*len = (socklen_t)sizeof *si;
	}
	return 0;
}

/*
 * POST head + body to the publisher socket and read the status line.  0 when nchan took
 * the message (2xx: 201 with subscribers, 202 without), or -1 with *what naming the step
 * that failed (for the log).
 */
static int
push_post(const char *path, const char *head, size_t hlen, const char *body, size_t blen,
    int timeout_ms, const char **what)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	const char *parts[2] = { head, body };
	size_t lens[2] = { hlen, blen };
	char line[64];
	size_t got = 0, i, off;
	int64_t deadline = mono_ms() + timeout_ms;
	ssize_t n;
	int fd, rc = -1;

	if (push_addr(path, &ss, &slen) != 0) {
		*what = "push_publisher: not a unix socket path or an IPv4 address:port";
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		*what = "socket";
		return -1;
	}
	*what = "connect";
	if (connect(fd, (struct sockaddr *)&ss, slen) != 0 &&
	    (errno != EINPROGRESS || push_wait(fd, POLLOUT, deadline) != 0))
		goto fail;
	*what = "send";
	for (i = 0; i < 2; i++)
		for (off = 0; off < lens[i]; off += (size_t)n) {
			if (push_wait(fd, POLLOUT, deadline) != 0)
				goto fail;
			n = send(fd, parts[i] + off, lens[i] - off, MSG_NOSIGNAL);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				n = 0;
			else if (n <= 0)
				goto fail;
		}
	*what = "answer";
	while (got < sizeof line - 1 && memchr(line, '\n', got) == NULL) {
		if (push_wait(fd, POLLIN, deadline) != 0)
			goto fail;
		n = recv(fd, line + got, sizeof line - 1 - got, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	line[got] = '\0';
	/* "HTTP/1.1 201 Created" */
	*what = "refused";
	if (got >= 12 && strncmp(line, "HTTP/1.", 7) == 0 && line[9] == '2')
		rc = 0;
fail:
	close(fd);
	return rc;
}

/* Build the hall's board now and publish it with its event to every publisher. */
static void
push_publish(struct ctx *c, const char *hall, const char *kind, int window,
    const char *number)
{
	const char *sock = config_get("push_publisher", ""), *why = NULL, *what = NULL;
	int timeout = (int)config_int("push_timeout_ms", 250, 10, 5000);
	char day[11], head[512];
	json_t *board = NULL, *ev;
	char *body = NULL;
	size_t blen;
	int rc, hl;

	if (sock[0] == '\0')
		return;		/* push is off: the clients poll */
	q_today(hall_now_ms(), day, NULL);
	if ((rc = q_board_build(c, hall, day, 0, &board, &why)) != 0) {
		log_warn("push %s %s: no board to publish (%d)", hall, kind, rc);
		return;
	}
	ev = json_pack("{s:s}", "kind", kind);
	if (ev && window > 0)
		json_object_set_new(ev, "window", json_integer(window));
	if (ev && number && number[0])
		json_object_set_new(ev, "number", json_string(number));
	if (ev)
		json_object_set_new(board, "event", ev);
	body = json_dumps(board, JSON_COMPACT);
	json_decref(board);
	if (body == NULL || (blen = strlen(body)) > PUSH_MAX_BODY) {
		log_warn("push %s %s: board too large to publish", hall, kind);
		free(body);
		return;
	}
	hl = fmt(head, sizeof head, "POST /pub/hall/%s HTTP/1.1\r\nHost: yichuang-push\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
	    hall, blen);
	if (hl < 0) {
		log_warn("push %s %s: not published (request); clients fall back to polling",
		    hall, kind);
		free(body);
		return;
	}
	/* Every publisher of the list, each in its own time bound (several nginx hosts behind
	 * a balancer: each holds its own subscribers). */
	while (*sock) {
		const char *end = strchr(sock, ',');
		size_t n = end ? (size_t)(end - sock) : strlen(sock);
		char one[256];

		while (n > 0 && (*sock == ' ' || *sock == '\t')) {
			sock++;
			n--;
		}
		while (n > 0 && (sock[n - 1] == ' ' || sock[n - 1] == '\t'))
			n--;
		if (n > 0 && n < sizeof one) {
			memcpy(one, sock, n);
			one[n] = '\0';
			if (push_post(one, head, strlen(head), body, blen, timeout, &what) != 0)
				log_warn("push %s %s: not published to %s (%s); clients fall back to"
				    " polling", hall, kind, one, what ? what : "request");
		} else if (n > 0)
			log_warn("push %s %s: a push_publisher entry is too long", hall, kind);
		sock += n;
		while (*sock == ' ' || *sock == '\t')
			sock++;
		if (*sock == ',')
			sock++;
	}
	free(body);
}

/*
 * Coalescing.  A hall issuing numbers fast (a kiosk queue in the morning, a booking wave
 * checking in) would otherwise publish the whole board once per number: a board read from
 * Redis, a request to nginx, and a message to every phone of the hall, each of which then
 * reads its own place again.  So `take`, `cancel` and `rejoin` — changes that only move the
 * waiting counts — are published at most once per push_coalesce_ms [100] per hall and
 * process: the first at once, the ones after it within that time together at its end (by
 * this process's push thread), with the board as it then stands and the latest of them as
 * the event.  Every other event (a call, recall, skip, start, transfer, finish) is
 * published at once by the request, as before, and carries the board with every change
 * committed before it, so a coalesced message still waiting is then dropped.
 * push_coalesce_ms = 0: one message per change.
 */
#define PUSH_HALLS 128

struct push_slot {
	char	 hall[33];
	int64_t	 last_ms;	/* mono_ms of the last publish */
	int	 pending;
	char	 kind[12];
	char	 number[8];
};

static struct {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 started;	/* the push thread: 0 not yet, 1 running, -1 could not */
	size_t		 n;
	struct push_slot s[PUSH_HALLS];
} pq = { .mu = PTHREAD_MUTEX_INITIALIZER };

static int
push_coalesced_kind(const char *kind)
{
	return strcmp(kind, "take") == 0 || strcmp(kind, "cancel") == 0 ||
	    strcmp(kind, "rejoin") == 0;
}

/* The hall's slot (pq.mu held); NULL when the table is full. */
static struct push_slot *
push_slot(const char *hall)
{
	size_t i;

	for (i = 0; i < pq.n; i++)
		if (strcmp(pq.s[i].hall, hall) == 0)
			return &pq.s[i];
	if (pq.n == PUSH_HALLS || strlen(hall) >= sizeof pq.s[0].hall)
		return NULL;
	memset(&pq.s[pq.n], 0, sizeof pq.s[pq.n]);
	str_copy(pq.s[pq.n].hall, sizeof pq.s[pq.n].hall, hall);
	pq.s[pq.n].last_ms = INT64_MIN / 2;
	return &pq.s[pq.n++];
}

/* The push thread: publishes each hall's waiting message when its time has come, with a
 * Redis connection of its own.  Runs for the life of the process. */
static void *
push_thread_main(void *arg)
{
	struct ctx c;
	struct push_slot one;
	int64_t now, due, next;
	struct timespec ts;
	size_t i;
	int win;

	(void)arg;
	ctx_init(&c, 0);
	pthread_mutex_lock(&pq.mu);
	for (;;) {
		win = (int)config_int("push_coalesce_ms", 100, 0, 5000);
		now = mono_ms();
		next = INT64_MAX;
		for (i = 0; i < pq.n; i++) {
			if (!pq.s[i].pending)
				continue;
			due = pq.s[i].last_ms + win;
			if (due <= now)
				break;
			if (due < next)
				next = due;
		}
		if (i < pq.n) {
			one = pq.s[i];
			pq.s[i].pending = 0;
			pq.s[i].last_ms = now;
			pthread_mutex_unlock(&pq.mu);
			push_publish(&c, one.hall, one.kind, 0, one.number);
			pthread_mutex_lock(&pq.mu);
			continue;
		}
		if (next == INT64_MAX) {
			pthread_cond_wait(&pq.cv, &pq.mu);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)((next - now) / 1000);
		ts.tv_nsec += (long)((next - now) % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&pq.cv, &pq.mu, &ts);
	}
	return NULL;
}

/* Start the push thread once (pq.mu held).  0, or -1: it could not start. */
static int
push_thread_start(void)
{
	pthread_condattr_t ca;
	pthread_attr_t at;
	pthread_t tid;

	if (pq.started != 0)
		return pq.started > 0 ? 0 : -1;
	pq.started = -1;
	if (pthread_condattr_init(&ca) != 0)
		return -1;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_cond_init(&pq.cv, &ca) != 0) {
		pthread_condattr_destroy(&ca);
		return -1;
	}
	pthread_condattr_destroy(&ca);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &at, push_thread_main, NULL) == 0)
		pq.started = 1;
	else
		log_warn("push: no push thread; every change is published at once");
	pthread_attr_destroy(&at);
	return pq.started > 0 ? 0 : -1;
}

void
q_push(struct ctx *c, const char *hall, const char *kind, int window, const char *number)
{
	int win = (int)config_int("push_coalesce_ms", 100, 0, 5000);
	struct push_slot *s;
	int64_t now;

	if (config_get("push_publisher", "")[0] == '\0')
		return;		/* push is off: the clients poll */
	if (win == 0) {
		push_publish(c, hall, kind, window, number);
		return;
	}
	pthread_mutex_lock(&pq.mu);
	now = mono_ms();
	s = push_slot(hall);
	if (s != NULL && push_coalesced_kind(kind) && (s->pending || now - s->last_ms < win) &&
	    push_thread_start() == 0) {
		/* The push thread learns of a hall's first waiting message; for the ones after
		 * it, it is already waiting for that hall's time (a wake-up per number taken
		 * would cost two context switches each). */
		if (!s->pending)
			pthread_cond_signal(&pq.cv);
		s->pending = 1;
		str_copy(s->kind, sizeof s->kind, kind);
		str_copy(s->number, sizeof s->number, number ? number : "");
		pthread_mutex_unlock(&pq.mu);
		return;
	}
	if (s != NULL) {	/* this message carries every change before it */
		s->pending = 0;
		s->last_ms = now;
	}
	pthread_mutex_unlock(&pq.mu);
	push_publish(c, hall, kind, window, number);
}
