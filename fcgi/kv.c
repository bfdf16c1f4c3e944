/*
 * kv.c — Redis connection per thread (see kv.h).
 *
 * Every command waits at most redis_timeout_ms (2000) for its answer, a connection at most
 * redis_connect_timeout_ms (1000) to open (yichuang.conf).  A command that runs out of time
 * leaves the connection dropped (its answer may still come, and must never be taken for the
 * next command's) and, within a request, Redis is not asked again until the request ends
 * (ctx.h): one bounded wait per request, then 503.
 *
 * Where Redis is: redis_socket, else redis_host:redis_port — or, when redis_sentinels lists
 * Sentinels (host:port, …; hostlist.h), whatever primary they name for redis_master_name
 * (default "yichuang").  Each new connection asks them in turn (SENTINEL
 * get-master-addr-by-name, each waited on at most redis_sentinel_timeout_ms, 500), connects
 * to the address the first one that answers gives, and checks with ROLE that it is the
 * primary: during a failover a Sentinel may still name the old one.  A command refused with
 * READONLY (the server was turned into a replica under us) drops the connection like an I/O
 * error, so the next command asks the Sentinels again: the app follows a failover by itself,
 * with no restart and no configuration change; the request that met it gets 503.
 */
#include "kv.h"
#include "clock.h"
#include "config.h"
#include "hostlist.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

#include <errno.h>
#include <openssl/sha.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void
kv_drop(struct ctx *c)
{
	if (c->kv)
		redisFree(c->kv);
	c->kv = NULL;
}

/*
 * Between two commands nothing may arrive on a connection: readable means the server closed
 * it (a restart, a failover).  Dropping it before use saves the request that would otherwise
 * find out with a 503 — every thread's first request after a Redis restart — and never
 * resends a command that may have run.  Asked only of a connection that sat idle a while
 * (ctx_idle): one in steady use is not polled before every command.
 */
static int
kv_stale(const redisContext *k)
{
	struct pollfd p = { .fd = k->fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

static struct timeval
tv_ms(long long ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	return tv;
}

/*
 * The primary's address as the Sentinels of redis_sentinels know it.  0 with host/port set,
 * -1 when none answered (each is waited on at most ms for its connection and its answer).
 */
static int
kv_sentinel_primary(const char *list, long long ms, char *host, size_t hsz, int *port)
{
	struct hostport s[HOSTLIST_MAX];
	const char *name = config_get("redis_master_name", "yichuang");
	long long p;
	int i, n = hostlist_parse(list, 26379, s, HOSTLIST_MAX);

	if (n <= 0) {
		log_err("redis_sentinels: not a list of host:port (%s)", list);
		return -1;
	}
	for (i = 0; i < n; i++) {
		redisContext *k = redisConnectWithTimeout(s[i].host, (int)s[i].port, tv_ms(ms));
		redisReply *rep = NULL;
		int ok = 0;

		if (k && !k->err) {
			redisSetTimeout(k, tv_ms(ms));
			rep = redisCommand(k, "SENTINEL get-master-addr-by-name %s", name);
		}
		if (rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
		    rep->element[0]->type == REDIS_REPLY_STRING &&
		    rep->element[1]->type == REDIS_REPLY_STRING &&
		    parse_ll(rep->element[1]->str, 1, 65535, &p) == 0 &&
		    str_copy(host, hsz, rep->element[0]->str) < hsz) {
			*port = (int)p;
			ok = 1;
		} else
			log_warn("sentinel %s:%u: no primary named %s (%s)", s[i].host, s[i].port,
			    name, k == NULL ? "no memory" : k->err ? k->errstr :
			    rep && rep->type == REDIS_REPLY_ERROR ? rep->str : "unknown master");
		if (rep)
			freeReplyObject(rep);
		if (k)
			redisFree(k);
		if (ok)
			return 0;
	}
	return -1;
}

/* A connection the Sentinels pointed to is the primary (ROLE says "master"). */
static int
kv_is_primary(redisContext *k)
{
	redisReply *rep = redisCommand(k, "ROLE");
	int ok = rep && rep->type == REDIS_REPLY_ARRAY && rep->elements > 0 &&
	    rep->element[0]->type == REDIS_REPLY_STRING && strcmp(rep->element[0]->str, "master") == 0;

	if (rep)
		freeReplyObject(rep);
	return ok;
}

/* Open the connection if there is none; connect_ms > 0 caps the connect timeout. */
static int
kv_open(struct ctx *c, long long connect_ms)
{
	long long ct_ms = config_int("redis_connect_timeout_ms", 1000, 10, 60000);
	const char *sock = config_get("redis_socket", "");
	const char *sentinels = config_get("redis_sentinels", "");
	char host[HOSTLIST_HOST_MAX];
	int port = 0;
	redisContext *k;

	if (c->kv && ctx_idle(&c->kv_used_ms) && kv_stale(c->kv))
		kv_drop(c);
	if (c->kv)
		return 0;
	if (c->in_request && c->kv_timed_out)
		return -1;	/* it ran out of time once in this request: not again */
	if (connect_ms > 0 && connect_ms < ct_ms)
		ct_ms = connect_ms;
	if (*sentinels) {
		long long st_ms = config_int("redis_sentinel_timeout_ms", 500, 10, 60000);

		if (kv_sentinel_primary(sentinels, st_ms < ct_ms ? st_ms : ct_ms, host,
		    sizeof host, &port) != 0) {
			metrics_redis_error();
			return -1;
		}
		k = redisConnectWithTimeout(host, port, tv_ms(ct_ms));
	} else if (*sock)
		k = redisConnectUnixWithTimeout(sock, tv_ms(ct_ms));
	else
		k = redisConnectWithTimeout(config_get("redis_host", "127.0.0.1"),
		    (int)config_int("redis_port", 6379, 1, 65535), tv_ms(ct_ms));
	if (k == NULL || k->err) {
		metrics_redis_error();
		if (k) {
			log_warn("connect: %s", k->errstr);
			redisFree(k);
		}
		return -1;
	}
	redisSetTimeout(k, tv_ms(config_int("redis_timeout_ms", 2000, 10, 60000)));
	if (*sentinels && !kv_is_primary(k)) {
		log_warn("redis %s:%d is not the primary (yet): a failover is under way", host, port);
		metrics_redis_error();
		redisFree(k);
		return -1;
	}
	c->kv = k;
	c->kv_close = kv_drop;
	c->kv_generation++;
	return 0;
}

int
kv_connect(struct ctx *c)
{
	return kv_open(c, 0);
}

/* The last command on c->kv failed after waiting its whole timeout (SO_RCVTIMEO/SNDTIMEO:
 * hiredis reports EAGAIN as an I/O error). */
static int
timed_out(const struct ctx *c, int err)
{
	return c->kv && c->kv->err == REDIS_ERR_IO && (err == EAGAIN || err == EWOULDBLOCK);
}

/* A command ran out of time: drop the connection (its answer may still arrive) and, within
 * a request, stop asking. */
static void
kv_timeout(struct ctx *c, const char *what)
{
	log_warn("redis: %s timed out: connection dropped", what);
	if (c->in_request)
		c->kv_timed_out = 1;
	kv_drop(c);
}

static redisReply *
kv_checked(struct ctx *c, redisReply *rep)
{
	int err = errno;

	if (rep == NULL) {
		/* I/O error: the context is unusable from now on. */
		if (timed_out(c, err)) {
			kv_timeout(c, "command");
			return NULL;
		}
		log_warn("redis: %s", c->kv ? c->kv->errstr : "no connection");
		metrics_redis_error();
		kv_drop(c);
		return NULL;
	}
	if (rep->type == REDIS_REPLY_ERROR && (strncmp(rep->str, "READONLY", 8) == 0 ||
	    strstr(rep->str, "-READONLY") != NULL || strstr(rep->str, "READONLY You") != NULL)) {
		/* A replica now (a failover): the primary is elsewhere.  Drop the connection
		 * so the next command asks the Sentinels where. */
		log_warn("redis: the server turned read-only (failover): connection dropped");
		metrics_redis_error();
		freeReplyObject(rep);
		kv_drop(c);
		return NULL;
	}
	if (rep->type == REDIS_REPLY_ERROR &&
	    (strncmp(rep->str, "LOADING", 7) == 0 || strncmp(rep->str, "MASTERDOWN", 10) == 0 ||
	    strncmp(rep->str, "BUSY", 4) == 0)) {
		/* Not an answer we can use: treat as unavailable. */
		metrics_redis_error();
		freeReplyObject(rep);
		return NULL;
	}
	return rep;
}

redisReply *
kv_cmd(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	redisReply *rep;

	if (kv_connect(c) != 0)
		return NULL;
	va_start(ap, fmt);
	rep = redisvCommand(c->kv, fmt, ap);
	va_end(ap);
	return kv_checked(c, rep);
}

redisReply *
kv_cmdargv(struct ctx *c, int argc, const char **argv, const size_t *lens)
{
	if (kv_connect(c) != 0)
		return NULL;
	return kv_checked(c, redisCommandArgv(c->kv, argc, argv, lens));
}

void
kv_script_init(struct kv_script *s)
{
	unsigned char d[SHA_DIGEST_LENGTH];

	SHA1((const unsigned char *)s->src, strlen(s->src), d);
	hex_encode(s->sha, d, sizeof d);
}

redisReply *
kv_eval(struct ctx *c, struct kv_script *s, int nkeys, int nargs, const char **args,
    const size_t *lens)
{
	const char *argv[64];
	size_t argl[64];
	char nk[16];
	redisReply *rep;
	int i, argc = 3 + nargs;

	if (nargs < 0 || argc > 64 || nkeys > nargs)
		return NULL;
	if (s->sha[0] == '\0')
		kv_script_init(s);
	snprintf(nk, sizeof nk, "%d", nkeys);
	argv[0] = "EVALSHA";
	argl[0] = 7;
	argv[1] = s->sha;
	argl[1] = 40;
	argv[2] = nk;
	argl[2] = strlen(nk);
	for (i = 0; i < nargs; i++) {
		argv[3 + i] = args[i];
		argl[3 + i] = lens ? lens[i] : strlen(args[i]);
	}
	rep = kv_cmdargv(c, argc, argv, argl);
	if (rep && rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(rep);
		argv[0] = "EVAL";
		argl[0] = 4;
		argv[1] = s->src;
		argl[1] = strlen(s->src);
		rep = kv_cmdargv(c, argc, argv, argl);
	}
	if (rep && rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, "ERR", 3) == 0)
		log_err("script %s: %s", s->name, rep->str);
	return rep;
}

int
kv_eval_int(struct ctx *c, struct kv_script *s, int nkeys, int nargs, const char **args,
    long long *out)
{
	redisReply *rep = kv_eval(c, s, nkeys, nargs, args, NULL);
	int rc = -1;

	if (rep && rep->type == REDIS_REPLY_INTEGER) {
		if (out)
			*out = rep->integer;
		rc = 0;
	}
	if (rep)
		freeReplyObject(rep);
	return rc;
}

int
kv_ping(struct ctx *c)
{
	redisReply *rep = kv_cmd(c, "PING");
	int ok = rep && rep->type == REDIS_REPLY_STATUS;

	if (rep)
		freeReplyObject(rep);
	if (!ok && c->kv)
		kv_drop(c);
	if (!ok && !(c->in_request && c->kv_timed_out)) {
		/* One fresh try: the old connection may have died while Redis restarted. */
		rep = kv_cmd(c, "PING");
		ok = rep && rep->type == REDIS_REPLY_STATUS;
		if (rep)
			freeReplyObject(rep);
	}
	return ok ? 0 : -1;
}

static int
ms_left(int64_t deadline)
{
	int64_t left = deadline - mono_ms();

	return left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

int
kv_ping_send(struct ctx *c, int64_t deadline)
{
	int done = 0;

	if (kv_open(c, ms_left(deadline) > 0 ? ms_left(deadline) : 1) != 0)
		return -1;
	if (redisAppendCommand(c->kv, "PING") != REDIS_OK)
		goto fail;
	/* Write it now; the reply is read by kv_ping_recv. */
	while (!done)
		if (redisBufferWrite(c->kv, &done) != REDIS_OK)
			goto fail;
	return 0;
fail:
	kv_drop(c);
	return -1;
}

/* The PING's answer, waiting no later than deadline. */
static int
ping_answer(struct ctx *c, int64_t deadline)
{
	struct pollfd p = { .fd = c->kv->fd, .events = POLLIN };
	void *rep = NULL;
	int n, ok;

	while ((n = poll(&p, 1, ms_left(deadline))) < 0 && errno == EINTR)
		;
	if (n == 0) {
		kv_timeout(c, "PING");
		return -2;
	}
	if (n < 0 || redisGetReply(c->kv, &rep) != REDIS_OK || rep == NULL) {
		kv_drop(c);
		return -1;
	}
	ok = ((redisReply *)rep)->type == REDIS_REPLY_STATUS;
	freeReplyObject(rep);
	return ok ? 0 : -1;
}

int
kv_ping_recv(struct ctx *c, int64_t deadline)
{
	int rc;

	if (c->kv == NULL)
		return -1;
	if ((rc = ping_answer(c, deadline)) != -1)
		return rc == 0 ? 0 : -1;
	/* The connection was stale (Redis restarted): one fresh try, in the time left. */
	if (ms_left(deadline) == 0 || kv_ping_send(c, deadline) != 0)
		return -1;
	return ping_answer(c, deadline) == 0 ? 0 : -1;
}

/*
 * A script's answer of n integers ({verdict, wait} and the like): the checks written once,
 * so a caller reads numbers, not reply types.
 */
int
kv_reply_ints(const redisReply *rep, long long *out, size_t n)
{
	size_t i;

	if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements != n)
		return -1;
	for (i = 0; i < n; i++)
		if (rep->element[i] == NULL || rep->element[i]->type != REDIS_REPLY_INTEGER)
			return -1;
	for (i = 0; i < n; i++)
		out[i] = rep->element[i]->integer;
	return 0;
}

int
kv_eval_ints(struct ctx *c, struct kv_script *s, int nkeys, int nargs, const char **args,
    long long *out, size_t n)
{
	redisReply *rep = kv_eval(c, s, nkeys, nargs, args, NULL);
	int rc = kv_reply_ints(rep, out, n);

	if (rep)
		freeReplyObject(rep);
	return rc;
}
