/*
 * ctx.h — what each worker thread owns: one MariaDB connection with its prepared-statement
 * cache, and one Redis connection.  Both are opened lazily and dropped after any error
 * (hiredis and libmariadb connections are dead after an I/O error); the next use reconnects.
 *
 * Every wait on either is bounded (redis_timeout_ms, mysql_rw_timeout and the lock waits, see
 * kv.c and db.c).  A connection that ran out of time is dropped, never reused: a late answer
 * must never be read as the answer to the next command.  Within one request
 * (ctx_request_begin … ctx_request_end), a dependency that ran out of time once is not asked
 * again: the request fails at once (503) instead of waiting a second time on a server that is
 * stuck.  The next request tries afresh.
 *
 * Layers: db.c and kv.c use this header only (the struct and ctx_idle); ctx.c, the
 * lifecycle, calls them (ctx_close drops both connections).  Nothing calls back into ctx.c.
 */
#ifndef YC_CTX_H
#define YC_CTX_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"

#define CTX_MAX_STMTS 192
#define CTX_MAX_AFTER 64

struct ctx;
typedef void (*ctx_after_fn)(struct ctx *c, long long arg);

struct st_mysql;
struct st_mysql_stmt;
struct redisContext;

struct ctx {
	int			 id;
	struct st_mysql		*db;
	int			 db_in_tx;
	struct {
		const char		*sql;	/* statements are string literals: keyed by pointer */
		struct st_mysql_stmt	*stmt;
	}			 stmts[CTX_MAX_STMTS];
	size_t			 nstmts;
	struct redisContext	*kv;
	uint64_t		 kv_generation;	/* bumps at each reconnect */
	struct {
		ctx_after_fn		 fn;
		long long		 arg;
	}			 after[CTX_MAX_AFTER];	/* db_after_tx: when the transaction ends */
	size_t			 nafter;
	int			 db_refusal;	/* DBR_* of the last refused statement */
	char			 db_refused[65];	/* its constraint, key or column */
	int64_t			 db_used_ms;	/* last use of each connection (monotonic) */
	int64_t			 kv_used_ms;
	int			 in_request;	/* between ctx_request_begin and _end */
	int			 db_timed_out;	/* this request: MariaDB ran out of time */
	int			 kv_timed_out;	/* this request: Redis ran out of time */
	/* Set by db.c and kv.c when they open a connection, so ctx_close can close them
	 * without this layer knowing the storage layer above it. */
	void			(*db_close)(struct ctx *);
	void			(*kv_close)(struct ctx *);
};

void	ctx_init(struct ctx *c, int id);
void	ctx_close(struct ctx *c);
/* A request starts and ends on this thread (programs/app.c). */
void	ctx_request_begin(struct ctx *c);
void	ctx_request_end(struct ctx *c);
/*
 * Whether a connection about to be used should first be checked for a server that went
 * away (db.c, kv.c): only after it sat idle CTX_IDLE_CHECK_MS.  One in steady use is not
 * checked before every command; should its server restart, the command fails with a 503
 * and the next one reconnects.  Records the use in *used_ms.
 */
#define CTX_IDLE_CHECK_MS 100
static inline int
ctx_idle(int64_t *used_ms)
{
	int64_t now = mono_ms(), last = *used_ms;

	*used_ms = now;
	return last == 0 || now - last >= CTX_IDLE_CHECK_MS;
}

#endif
