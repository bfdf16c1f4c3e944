/*
 * db.h — MariaDB through prepared statements only.
 *
 * Arguments are typed values (DBS string, DBI integer, DBN null); result rows arrive as
 * strings (NULL for SQL NULL) to a callback.  Every call returns one of the DB_* codes so a
 * handler maps them in one line: DB_DOWN → 503, DB_DUP → 409, DB_RETRY (deadlock, lock
 * wait) → retry the transaction, DB_FAIL → a bug (500).
 */
#ifndef YC_DB_H
#define YC_DB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "ctx.h"

enum { DB_OK = 0, DB_DOWN = -1, DB_DUP = -2, DB_RETRY = -3, DB_FAIL = -4 };

enum dbt { DBT_NULL, DBT_STR, DBT_INT };
struct dbv {
	enum dbt	 t;
	const char	*s;
	size_t		 n;
	long long	 i;
};
#define DBS(x)      ((struct dbv){ .t = DBT_STR, .s = (x), .n = strlen(x) })
#define DBSN(x, len) ((struct dbv){ .t = DBT_STR, .s = (x), .n = (len) })
#define DBI(x)      ((struct dbv){ .t = DBT_INT, .i = (long long)(x) })
#define DBN         ((struct dbv){ .t = DBT_NULL })
/* Optional string: NULL → SQL NULL. */
static inline struct dbv
dbso(const char *s)
{
	struct dbv v = { DBT_NULL, NULL, 0, 0 };

	if (s) {
		v.t = DBT_STR;
		v.s = s;
		v.n = strlen(s);
	}
	return v;
}
#define DBSO(x)     dbso(x)
#define DBARGS(...) ((const struct dbv[]){ __VA_ARGS__ }), \
	(sizeof((const struct dbv[]){ __VA_ARGS__ }) / sizeof(struct dbv))
#define DBNOARGS    NULL, 0

/* A row: ncol values, each NUL-terminated (NULL when SQL NULL).  Return non-zero to stop. */
typedef int (*db_row_fn)(void *arg, size_t ncol, char **vals, const size_t *lens);

int	db_exec(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs,
	    uint64_t *affected, uint64_t *insert_id);
/* Returns the number of rows seen (≥ 0) or a DB_* code. */
int	db_query(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs,
	    db_row_fn fn, void *arg);
/* One row, first column into out (size osz). 1 found, 0 none, or a DB_* code. */
int	db_scalar(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs,
	    char *out, size_t osz);
int	db_begin(struct ctx *c);
int	db_commit(struct ctx *c);
void	db_rollback(struct ctx *c);
/*
 * Run fn(c, arg) once the current transaction has ended — committed, rolled back, or its
 * connection lost — or at once outside a transaction.  For work that must follow what the
 * transaction wrote and is harmless when repeated, such as telling a cache a record changed:
 * it runs whatever the outcome, so an unknown one (a commit whose answer was lost) is never
 * missed.  The same (fn, arg) is kept once per transaction.
 */
void	db_after_tx(struct ctx *c, ctx_after_fn fn, long long arg);
/* Connect if needed and check the server answers.  0 or DB_DOWN. */
int	db_ping(struct ctx *c);
void	db_drop(struct ctx *c);
/*
 * Rows as JSON objects appended to array: names[i] is the member for column i, and
 * types[i] says how to convert it: 's' string, 'i' integer, 'b' boolean (0/1),
 * 'S' string or null, 'I' integer or null, '-' skip.  Returns rows or a DB_* code.
 */
int	db_rows_json(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs,
	    const char *const *names, const char *types, json_t *array);
/*
 * Exact number of rows of table (in the connection's database): for the restore's check
 * against the backup.  A table name cannot be bound in a prepared statement, so this is the
 * one statement built from text — from a name that must be 1–64 of [A-Za-z0-9_].
 * 0, DB_FAIL (no such table, or a bad name) or DB_DOWN.
 */
int	db_table_rows(struct ctx *c, const char *table, long long *out);
/* Map a DB_* code to a reply: 503 / 409 code / 500. */
struct req;
int	db_fail(struct req *r, int rc);

#endif
