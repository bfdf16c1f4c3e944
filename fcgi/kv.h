/*
 * kv.h — Redis through hiredis, one connection per thread.
 *
 * kv_cmd returns the reply (caller frees with freeReplyObject) or NULL when Redis is down;
 * the connection is then dropped and the next call reconnects.  Values always travel as
 * %s/%b arguments, never pasted into the command text.  Scripts are EVALSHA'd with a
 * fallback to EVAL on NOSCRIPT (after a Redis restart the script cache is empty).
 */
#ifndef YC_KV_H
#define YC_KV_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "ctx.h"

struct kv_script {
	const char	*name;
	const char	*src;
	char		 sha[41];	/* filled by kv_script_init */
};

int		 kv_connect(struct ctx *c);
void		 kv_drop(struct ctx *c);
redisReply	*kv_cmd(struct ctx *c, const char *fmt, ...);
redisReply	*kv_cmdargv(struct ctx *c, int argc, const char **argv, const size_t *lens);
/* Compute the SHA1 of a script (once, at start-up). */
void		 kv_script_init(struct kv_script *s);
/* Run a script with nkeys keys followed by args. NULL when Redis is down. */
redisReply	*kv_eval(struct ctx *c, struct kv_script *s, int nkeys, int nargs,
		    const char **args, const size_t *lens);
/* The same for a script that answers one integer: 0 with it in *out (out may be NULL), -1
 * when Redis is down or the answer is not an integer.  The reply is freed. */
int		 kv_eval_int(struct ctx *c, struct kv_script *s, int nkeys, int nargs,
		    const char **args, long long *out);
/* 0 when Redis answers PING, -1 otherwise. */
int		 kv_ping(struct ctx *c);
/*
 * The same in two halves, so a caller can wait for Redis and something else at once
 * (GET /health asks MariaDB in between), and neither waits past deadline (mono_ms): a
 * Redis that does not answer by then counts as down and the connection is dropped.
 * kv_ping_send returns 0 when the PING is on its way.
 */
int		 kv_ping_send(struct ctx *c, int64_t deadline);
int		 kv_ping_recv(struct ctx *c, int64_t deadline);
/* rep is an array of exactly n integers: 0 with them in out[0..n-1], else -1 (out
 * untouched).  rep may be NULL (Redis down): -1. */
int		 kv_reply_ints(const redisReply *rep, long long *out, size_t n);
/* kv_eval for a script that answers an array of n integers: 0 with them in out, -1 when
 * Redis is down or the answer is not that.  The reply is freed. */
int		 kv_eval_ints(struct ctx *c, struct kv_script *s, int nkeys, int nargs,
		    const char **args, long long *out, size_t n);

#endif
