/*
 * kv.c — Redis connection per thread (see kv.h).
 */
#include "kv.h"
#include "config.h"
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

int
kv_connect(struct ctx *c)
{
	struct timeval ct = { 1, 0 }, rt = { 3, 0 };
	const char *sock = config_get("redis_socket", "");
	redisContext *k;

	if (c->kv && ctx_idle(&c->kv_used_ms) && kv_stale(c->kv))
		kv_drop(c);
	if (c->kv)
		return 0;
	if (*sock)
		k = redisConnectUnixWithTimeout(sock, ct);
	else
		k = redisConnectWithTimeout(config_get("redis_host", "127.0.0.1"),
		    (int)config_int("redis_port", 6379, 1, 65535), ct);
	if (k == NULL || k->err) {
		metrics_redis_error();
		if (k) {
			log_warn("connect: %s", k->errstr);
			redisFree(k);
		}
		return -1;
	}
	redisSetTimeout(k, rt);
	c->kv = k;
	c->kv_generation++;
	return 0;
}

static redisReply *
checked(struct ctx *c, redisReply *rep)
{
	if (rep == NULL) {
		/* I/O error: the context is unusable from now on. */
		log_warn("redis: %s", c->kv ? c->kv->errstr : "no connection");
		metrics_redis_error();
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
	return checked(c, rep);
}

redisReply *
kv_cmdargv(struct ctx *c, int argc, const char **argv, const size_t *lens)
{
	if (kv_connect(c) != 0)
		return NULL;
	return checked(c, redisCommandArgv(c->kv, argc, argv, lens));
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
kv_ping(struct ctx *c)
{
	redisReply *rep = kv_cmd(c, "PING");
	int ok = rep && rep->type == REDIS_REPLY_STATUS;

	if (rep)
		freeReplyObject(rep);
	if (!ok && c->kv) {
		kv_drop(c);
	}
	if (!ok) {
		/* One fresh try: the old connection may have died while Redis restarted. */
		rep = kv_cmd(c, "PING");
		ok = rep && rep->type == REDIS_REPLY_STATUS;
		if (rep)
			freeReplyObject(rep);
	}
	return ok ? 0 : -1;
}

int
kv_ping_send(struct ctx *c)
{
	int done = 0;

	if (kv_connect(c) != 0)
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

int
kv_ping_recv(struct ctx *c)
{
	void *rep = NULL;
	int ok;

	if (c->kv == NULL || redisGetReply(c->kv, &rep) != REDIS_OK || rep == NULL) {
		kv_drop(c);
		return kv_ping(c);	/* the connection was stale: one fresh try */
	}
	ok = ((redisReply *)rep)->type == REDIS_REPLY_STATUS;
	freeReplyObject(rep);
	return ok ? 0 : -1;
}
