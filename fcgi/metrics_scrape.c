/*
 * metrics_scrape.c — GET /metrics: the exposition (the counters of metrics.c, then the
 * gauges read from the record at scrape time) and the small HTTP listener that serves it;
 * and the worker's SMS results, counted in Redis (see metrics.h).
 *
 * Tables read at scrape time: outbox, queue_tickets, categories, cases, halls.
 * Redis: metrics:sms (hash "<result>:<provider>" -> count, written by the worker).
 */
#include "metrics.h"
#include "clock.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "kv.h"
#include "log.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

void
metrics_sms_count(struct ctx *c, const char *provider, const char *result)
{
	char field[48];
	redisReply *r;

	if (fmt(field, sizeof field, "%s:%s", result, provider) < 0)
		return;
	if ((r = kv_cmd(c, "HINCRBY metrics:sms %s 1", field)) != NULL)
		freeReplyObject(r);
}

/* ---------------------------------------------------------------- gauges from the record */

struct rows {
	struct buf	*b;
	const char	*metric;
	int		 n;
};

static int
outbox_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	long long *counts = arg;
	long long n = 0;

	(void)ncol;
	(void)lens;
	if (v[0] == NULL || v[1] == NULL || parse_ll(v[1], 0, INT64_MAX, &n) != 0)
		return 0;
	if (strcmp(v[0], "pending") == 0)
		counts[0] = n;
	else if (strcmp(v[0], "sending") == 0)
		counts[1] = n;
	else if (strcmp(v[0], "held") == 0)
		counts[2] = n;
	return 0;
}

static int
waiting_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct rows *w = arg;

	(void)ncol;
	(void)lens;
	if (v[0] == NULL || v[1] == NULL || v[2] == NULL)
		return 0;
	buf_adds(w->b, "yichuang_tickets_waiting{hall=\"");
	metrics_label(w->b, v[0]);
	buf_adds(w->b, "\",category=\"");
	metrics_label(w->b, v[1]);
	buf_addf(w->b, "\"} %s\n", v[2]);
	w->n++;
	return 0;
}

static int
cases_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct rows *w = arg;

	(void)ncol;
	(void)lens;
	if (v[0] == NULL)
		return 0;
	buf_adds(w->b, "yichuang_cases_deadline{hall=\"");
	metrics_label(w->b, v[0]);
	buf_addf(w->b, "\",state=\"near\"} %s\n", v[1] ? v[1] : "0");
	buf_adds(w->b, "yichuang_cases_deadline{hall=\"");
	metrics_label(w->b, v[0]);
	buf_addf(w->b, "\",state=\"overdue\"} %s\n", v[2] ? v[2] : "0");
	w->n++;
	return 0;
}

/* Everything read from MariaDB; 0, or a DB_* code (then nothing of it was rendered). */
static int
render_record(struct ctx *c, struct buf *b)
{
	long long counts[3] = { 0, 0, 0 }, age = 0;
	char now[32], today[16], v[32];
	struct rows w;
	struct buf part;
	int rc;

	sql_now(now, sizeof now);
	date_format_t(hall_now(), today, sizeof today);
	buf_init(&part, 4 * 1024 * 1024);
	rc = db_query(c, "SELECT status, COUNT(*) FROM outbox"
	    " WHERE status IN ('pending', 'sending', 'held') GROUP BY status",
	    DBNOARGS, outbox_row, counts);
	if (rc < 0)
		goto out;
	/* Held rows wait for the end of quiet hours on purpose: not counted in the age. */
	rc = db_scalar(c, "SELECT GREATEST(0, TIMESTAMPDIFF(SECOND, MIN(created_at), ?))"
	    " FROM outbox WHERE status IN ('pending', 'sending')", DBARGS(DBS(now)), v, sizeof v);
	if (rc < 0)
		goto out;
	if (rc == 1 && v[0])
		parse_ll(v, 0, INT64_MAX, &age);
	metrics_family(&part, "yichuang_outbox_messages", "gauge",
	    "Outbox messages not delivered yet: pending (due or waiting for a retry), sending "
	    "(a worker holds it), held (quiet hours).");
	buf_addf(&part, "yichuang_outbox_messages{status=\"pending\"} %lld\n"
	    "yichuang_outbox_messages{status=\"sending\"} %lld\n"
	    "yichuang_outbox_messages{status=\"held\"} %lld\n", counts[0], counts[1], counts[2]);
	metrics_family(&part, "yichuang_outbox_oldest_unsent_age_seconds", "gauge",
	    "Age of the oldest pending or sending outbox message (0 when there is none).");
	buf_addf(&part, "yichuang_outbox_oldest_unsent_age_seconds %lld\n", age);

	metrics_family(&part, "yichuang_tickets_waiting", "gauge",
	    "Queue tickets of today waiting to be called, by hall and category (the line).");
	w.b = &part;
	w.n = 0;
	rc = db_query(c, "SELECT c.hall, c.code, COUNT(t.id) FROM categories c"
	    " LEFT JOIN queue_tickets t ON t.hall = c.hall AND t.day = ? AND t.status = 'waiting'"
	    " AND t.category = c.code GROUP BY c.hall, c.code ORDER BY c.hall, c.code",
	    DBARGS(DBS(today)), waiting_row, &w);
	if (rc < 0)
		goto out;
	metrics_family(&part, "yichuang_cases_deadline", "gauge",
	    "Running cases (accepted, processing, waiting for a supplement) near their deadline "
	    "(yellow light of 电子监察) or past it (red), by hall.");
	rc = db_query(c, "SELECT h.code, COALESCE(SUM(c.warning = 'yellow'), 0),"
	    " COALESCE(SUM(c.warning = 'red'), 0) FROM halls h"
	    " LEFT JOIN cases c ON c.hall = h.code"
	    " AND c.status IN ('accepted', 'processing', 'supplement_needed')"
	    " AND c.warning <> 'green' GROUP BY h.code ORDER BY h.code", DBNOARGS, cases_row, &w);
	if (rc < 0)
		goto out;
	rc = 0;
	if (part.len)
		buf_add(b, part.data, part.len);
out:
	buf_free(&part);
	return rc;
}

static int
sms_field(const char *f, char *result, size_t rsz, char *provider, size_t psz)
{
	const char *colon = strchr(f, ':');
	size_t i, rn;

	if (colon == NULL)
		return -1;
	rn = (size_t)(colon - f);
	if (rn == 0 || rn >= rsz || strlen(colon + 1) == 0 || strlen(colon + 1) >= psz)
		return -1;
	for (i = 0; colon[1 + i]; i++)
		if (!((colon[1 + i] >= 'a' && colon[1 + i] <= 'z') || colon[1 + i] == '_'))
			return -1;
	memcpy(result, f, rn);
	result[rn] = '\0';
	str_copy(provider, psz, colon + 1);
	return 0;
}

/* The worker's SMS counts (Redis).  0, or -1 when Redis did not answer. */
static int
render_sms(struct ctx *c, struct buf *b)
{
	redisReply *r = kv_cmd(c, "HGETALL metrics:sms");
	const char *configured = config_get("sms_provider", "log");
	struct buf sent, failed;
	int have[3] = { 0, 0, 0 };	/* the configured provider's sent, retry, failed */
	size_t i;

	if (r == NULL)
		return -1;
	if (r->type != REDIS_REPLY_ARRAY) {
		freeReplyObject(r);
		return -1;
	}
	/* As the worker names it (modules/notify/notify.c): anything else is the log provider. */
	if (strcmp(configured, "aliyun") != 0 && strcmp(configured, "tencent") != 0)
		configured = "log";
	buf_init(&sent, 64 * 1024);
	buf_init(&failed, 64 * 1024);
	for (i = 0; i + 1 < r->elements; i += 2) {
		char result[16], prov[17];
		long long n;
		int k;

		if (r->element[i]->type != REDIS_REPLY_STRING ||
		    r->element[i + 1]->type != REDIS_REPLY_STRING ||
		    sms_field(r->element[i]->str, result, sizeof result, prov, sizeof prov) != 0 ||
		    parse_ll(r->element[i + 1]->str, 0, INT64_MAX, &n) != 0)
			continue;
		k = strcmp(result, "sent") == 0 ? 0 : strcmp(result, "retry") == 0 ? 1 :
		    strcmp(result, "failed") == 0 ? 2 : -1;
		if (k < 0)
			continue;
		if (strcmp(prov, configured) == 0)
			have[k] = 1;
		if (k == 0)
			buf_addf(&sent, "yichuang_sms_sent_total{provider=\"%s\"} %lld\n", prov, n);
		else
			buf_addf(&failed, "yichuang_sms_failed_total{provider=\"%s\",final=\"%s\"}"
			    " %lld\n", prov, k == 2 ? "true" : "false", n);
	}
	freeReplyObject(r);
	/* The configured provider's series exist from the start (an alert on their rate then
	 * works before the first failure). */
	if (!have[0])
		buf_addf(&sent, "yichuang_sms_sent_total{provider=\"%s\"} 0\n", configured);
	if (!have[1])
		buf_addf(&failed, "yichuang_sms_failed_total{provider=\"%s\",final=\"false\"} 0\n",
		    configured);
	if (!have[2])
		buf_addf(&failed, "yichuang_sms_failed_total{provider=\"%s\",final=\"true\"} 0\n",
		    configured);
	metrics_family(b, "yichuang_sms_sent_total", "counter",
	    "Messages the provider accepted, by provider (counted by the worker, kept in Redis).");
	if (sent.len)
		buf_add(b, sent.data, sent.len);
	metrics_family(b, "yichuang_sms_failed_total", "counter",
	    "Messages that failed, by provider: final=\"false\" will be tried again, "
	    "final=\"true\" failed for good.");
	if (failed.len)
		buf_add(b, failed.data, failed.len);
	buf_free(&sent);
	buf_free(&failed);
	return 0;
}

int
metrics_render(struct ctx *c, struct buf *out)
{
	int db_up, kv_up;

	metrics_render_counters(out);
	db_up = db_ping(c) == 0 && render_record(c, out) == 0;
	kv_up = render_sms(c, out) == 0;
	metrics_family(out, "yichuang_mysql_up", "gauge",
	    "MariaDB answered this scrape (1) or not (0).");
	buf_addf(out, "yichuang_mysql_up %d\n", db_up);
	metrics_family(out, "yichuang_redis_up", "gauge",
	    "Redis answered this scrape (1) or not (0).");
	buf_addf(out, "yichuang_redis_up %d\n", kv_up);
	return out->overflow ? -1 : 0;
}

/* ------------------------------------------------------------------ the listener */

/*
 * Who may scrape: metrics_allow, a list of addresses or CIDR blocks separated by commas or
 * spaces (default "127.0.0.0/8 ::1").  IPv4 peers on an IPv6 socket (::ffff:a.b.c.d) are
 * matched as IPv4.
 */
static int
prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[full] ^ b[full]) & (0xff << (8 - rest))) == 0;
}

static int
peer_allowed(const struct sockaddr_storage *ss)
{
	const char *list = config_get("metrics_allow", "127.0.0.0/8 ::1");
	unsigned char peer[16];
	int family_ = 0;
	char item[64];
	const char *p = list;

	if (ss->ss_family == AF_INET) {
		memcpy(peer, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		family_ = AF_INET;
	} else if (ss->ss_family == AF_INET6) {
		const unsigned char *a = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

		if (memcmp(a, mapped, 12) == 0) {
			memcpy(peer, a + 12, 4);
			family_ = AF_INET;
		} else {
			memcpy(peer, a, 16);
			family_ = AF_INET6;
		}
	} else
		return 0;
	while (*p) {
		size_t n = strcspn(p, ", \t");
		unsigned char net[16];
		long long bits;
		char *slash;
		int fam, max;

		if (n == 0) {
			p++;
			continue;
		}
		if (n >= sizeof item) {
			p += n;
			continue;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		p += n;
		fam = strchr(item, ':') ? AF_INET6 : AF_INET;
		max = fam == AF_INET ? 32 : 128;
		bits = max;
		if ((slash = strchr(item, '/')) != NULL) {
			*slash = '\0';
			if (parse_ll(slash + 1, 0, max, &bits) != 0)
				continue;
		}
		if (fam != family_ || inet_pton(fam, item, net) != 1)
			continue;
		if (prefix_match(peer, net, (int)bits))
			return 1;
	}
	return 0;
}

int
metrics_listen_open(const char *spec)
{
	char host[128], port[16];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints, *ai = NULL;
	size_t hn;
	int fd, on = 1, rc;

	if (colon == NULL || colon == spec || strlen(colon + 1) == 0 ||
	    strlen(colon + 1) >= sizeof port || (size_t)(colon - spec) >= sizeof host) {
		log_err("metrics_listen = %s: want host:port (e.g. 127.0.0.1:9464)", spec);
		return -1;
	}
	hn = (size_t)(colon - spec);
	memcpy(host, spec, hn);
	host[hn] = '\0';
	if (host[0] == '[' && hn > 2 && host[hn - 1] == ']') {
		memmove(host, host + 1, hn - 2);
		host[hn - 2] = '\0';
	}
	str_copy(port, sizeof port, colon + 1);
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0 || ai == NULL) {
		log_err("metrics_listen = %s: %s", spec, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 16) != 0) {
		log_err("metrics_listen = %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static void
respond(int fd, int status, const char *reason, const char *type, const char *body,
    size_t blen, int head_only)
{
	char head[256];
	int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
	    status, reason, type, blen);
	const char *p;
	size_t left;

	if (n <= 0 || (size_t)n >= sizeof head)
		return;
	if (send(fd, head, (size_t)n, MSG_NOSIGNAL) != n || head_only)
		return;
	for (p = body, left = blen; left > 0;) {
		ssize_t w = send(fd, p, left, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		p += w;
		left -= (size_t)w;
	}
}

#define TEXT "text/plain; charset=utf-8"

/* One connection: read the request head (at most 8 KiB, 5 s), answer, close. */
static void
serve_one(int fd, const struct sockaddr_storage *peer, struct ctx *c)
{
	struct timeval tv = { 5, 0 };
	char req[8192], method[8], path[256];
	size_t got = 0;
	int head_only;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (!peer_allowed(peer)) {
		respond(fd, 403, "Forbidden", TEXT, "forbidden\n", 10, 0);
		return;
	}
	while (got < sizeof req - 1) {
		ssize_t n = recv(fd, req + got, sizeof req - 1 - got, 0);

		if (n <= 0)
			return;
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	if (sscanf(req, "%7s %255s HTTP/", method, path) != 2) {
		respond(fd, 400, "Bad Request", TEXT, "bad request\n", 12, 0);
		return;
	}
	path[strcspn(path, "?")] = '\0';
	head_only = strcmp(method, "HEAD") == 0;
	if (strcmp(path, "/metrics") != 0) {
		respond(fd, 404, "Not Found", TEXT, "not found\n", 10, head_only);
		return;
	}
	if (strcmp(method, "GET") != 0 && !head_only) {
		respond(fd, 405, "Method Not Allowed", TEXT, "method not allowed\n", 19, 0);
		return;
	}
	{
		struct buf out;

		buf_init(&out, 16 * 1024 * 1024);
		if (metrics_render(c, &out) == 0)
			respond(fd, 200, "OK", "text/plain; version=0.0.4; charset=utf-8",
			    out.data ? out.data : "", out.len, head_only);
		else
			respond(fd, 500, "Internal Server Error", TEXT, "too large\n", 10, 0);
		buf_free(&out);
	}
}

static volatile sig_atomic_t serve_stop, serve_hup;

static void
on_stop(int sig)
{
	if (sig == SIGHUP)
		serve_hup = 1;
	else
		serve_stop = 1;
}

int
metrics_serve(int fd)
{
	struct sigaction sa;
	struct ctx c;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	log_async_start();
	ctx_init(&c, 0);
	while (!serve_stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_storage peer;
		socklen_t plen = sizeof peer;
		int cfd;

		if (serve_hup) {
			serve_hup = 0;
			log_reopen();
		}
		if (poll(&p, 1, 1000) <= 0)
			continue;
		if ((cfd = accept4(fd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC)) < 0)
			continue;
		serve_one(cfd, &peer, &c);
		close(cfd);
	}
	ctx_close(&c);
	log_async_stop(2000);
	return 0;
}
