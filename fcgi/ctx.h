/*
 * ctx.h — what each worker thread owns: one MariaDB connection with its prepared-statement
 * cache, and one Redis connection.  Both are opened lazily and dropped after any error
 * (hiredis and libmariadb connections are dead after an I/O error); the next use reconnects.
 */
#ifndef YC_CTX_H
#define YC_CTX_H

#include <stddef.h>
#include <stdint.h>

#define CTX_MAX_STMTS 192

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
};

void	ctx_init(struct ctx *c, int id);
void	ctx_close(struct ctx *c);

#endif
