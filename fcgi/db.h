/*
 * db.h — MariaDB through prepared statements only.
 *
 * Arguments are typed values (DBS string, DBI integer, DBN null); result rows arrive as
 * strings (NULL for SQL NULL) to a callback.  Every call returns one of the DB_* codes so a
 * handler maps them in one line: DB_DOWN → 503 (the server is away, or did not answer in
 * time, or waited out its lock_wait_timeout), DB_DUP → 409, DB_RETRY (deadlock) → retry the
 * transaction, DB_REFUSED (a value the schema does not take: a CHECK
 * constraint, a value too long or not valid for its column, a missing parent row) → 400
 * naming the field, DB_FAIL → a bug (500).
 *
 * DB_DUP and DB_REFUSED say what was refused — db_refusal(): the kind (DBR_*) and the
 * constraint, key or column by its name in sql/migrations — so a module maps the ones its
 * clients can cause to the field of its API with a table (struct db_field, db_fail_map).
 * The refused value itself is never logged (it may be personal data or a secret).
 */
#ifndef YC_DB_H
#define YC_DB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "ctx.h"

enum { DB_OK = 0, DB_DOWN = -1, DB_DUP = -2, DB_RETRY = -3, DB_FAIL = -4, DB_REFUSED = -5 };

/* What the server refused (DB_DUP: DBR_DUP; DB_REFUSED: the others). */
enum db_refusal {
	DBR_NONE,
	DBR_DUP,	/* duplicate entry for a unique key (name: the key) */
	DBR_CHECK,	/* a CHECK constraint failed (name: the constraint) */
	DBR_TOO_LONG,	/* data too long, or a number out of range (name: the column) */
	DBR_BAD_VALUE,	/* incorrect string, date or enum value (name: the column) */
	DBR_NO_PARENT,	/* a foreign key found no parent row (name: the constraint) */
	DBR_NULL,	/* NULL in a NOT NULL column (name: the column) */
	DBR__MAX
};

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
 * One transaction around fn(c, arg): BEGIN, fn, COMMIT (ROLLBACK when fn returns non-zero),
 * tried again up to three times in all while the server reports a deadlock (DB_RETRY), from
 * BEGIN on, so fn must keep nothing of a failed try but what it rewrites.  Returns fn's
 * non-zero value (a DB_* code, or a room's E_* kind), the commit's DB_* code, or 0.
 */
int	db_tx(struct ctx *c, int (*fn)(struct ctx *c, void *arg), void *arg);
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
/* The same, connecting included, cut at deadline (mono_ms): a server that has not answered
 * by then counts as down and the connection is dropped (GET /health).  0 or DB_DOWN. */
int	db_ping_within(struct ctx *c, int64_t deadline);
void	db_drop(struct ctx *c);
/*
 * Rows as JSON objects appended to array: names[i] is the member for column i, and
 * types[i] says how to convert it: 's' string, 'i' integer, 'b' boolean (0/1),
 * 'S' string or null, 'I' integer or null, '-' skip.  Returns rows or a DB_* code.
 */
int	db_rows_json(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs,
	    const char *const *names, const char *types, json_t *array);
/*
 * A row read into a struct by a table instead of a callback written out: cols[i] says where
 * column i goes (DBC_SKIP: nowhere).  Strings are cut to their buffer at a character
 * boundary (NULL: ""); integers (long long or int fields) parsed within [min, max] (NULL,
 * or not a number within the range: 0); booleans (int fields) are 1 when the column is "1".
 */
enum db_colk { DBC_SKIP, DBC_STR, DBC_INT, DBC_BOOL };
struct db_col {
	enum db_colk	 kind;
	size_t		 off, size;
	long long	 min, max;
};
#define DBC_S(type, m)	{ DBC_STR, offsetof(type, m), sizeof(((type *)0)->m), 0, 0 }
#define DBC_I(type, m, lo, hi) \
	{ DBC_INT, offsetof(type, m), sizeof(((type *)0)->m), (lo), (hi) }
#define DBC_B(type, m)	{ DBC_BOOL, offsetof(type, m), sizeof(((type *)0)->m), 0, 0 }
#define DBC_NONE	{ DBC_SKIP, 0, 0, 0, 0 }
#define DB_COLS(t)	(t), (sizeof(t) / sizeof((t)[0]))
/*
 * A row struct and its column table from one list, so that each member is written once, in
 * the order of the query's columns.  LIST(I, S, t) names the members: I(t, m, min, max) a
 * long long within [min, max], S(t, m, size) a string buffer of size bytes.
 *	#define LATE_ROW(I, S, t) I(t, id, 1, INT64_MAX) S(t, hall, 32) S(t, due, 12)
 *	DB_ROW_STRUCT(late_check, LATE_ROW);
 * declares struct late_check { long long id; char hall[32]; char due[12]; } and its table,
 * static const struct db_col late_check_cols[], for db_row_into / db_rows_into.
 */
#define DBR_MEMBER_I(t, m, lo, hi)	long long m;
#define DBR_MEMBER_S(t, m, size)	char m[size];
#define DBR_COL_I(t, m, lo, hi)		DBC_I(struct t, m, lo, hi),
#define DBR_COL_S(t, m, size)		DBC_S(struct t, m),
#define DB_ROW_STRUCT(name, LIST) \
	struct name { LIST(DBR_MEMBER_I, DBR_MEMBER_S, name) }; \
	static const struct db_col name##_cols[] = { LIST(DBR_COL_I, DBR_COL_S, name) }
/* Row v (ncol values) into the struct at dst, as the n cols say. */
void	db_row_fill(void *dst, const struct db_col *cols, size_t n, size_t ncol, char **v);
/* The first row of sql into the struct at dst: 1, 0 when there is none (dst untouched), or
 * a DB_* code. */
int	db_row_into(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs,
	    const struct db_col *cols, size_t n, void *dst);
/* Every row of sql into the array arr of at most cap structs of elem bytes each, as the
 * cols say (each struct zeroed first); rows beyond cap are not kept.  Returns the rows seen
 * (which may exceed cap: the caller keeps min(rows, cap)) or a DB_* code. */
int	db_rows_into(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs,
	    const struct db_col *cols, size_t n, void *arr, size_t elem, size_t cap);
/* The first row the same way, as a new object into *out: 1, 0 when there is none (*out
 * NULL), or a DB_* code (*out NULL).  For a record read by its key. */
int	db_row_json(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs,
	    const char *const *names, const char *types, json_t **out);
/*
 * Exact number of rows of table (in the connection's database): for the restore's check
 * against the backup.  A table name cannot be bound in a prepared statement, so this is the
 * one statement built from text — from a name that must be 1–64 of [A-Za-z0-9_].
 * 0, DB_FAIL (no such table, or a bad name) or DB_DOWN.
 */
int	db_table_rows(struct ctx *c, const char *table, long long *out);
/* The identifier a server message names ("CONSTRAINT `chk_x` failed…", "for key 'uk_x'",
 * "for column `db`.`t`.`c`", "Column 'c' cannot be null") into out; "" when none. */
void	db_refused_name(const char *msg, char *out, size_t osz);
/* The kind of the last refusal on this connection's thread, and its name (or ""). */
enum db_refusal db_refusal(const struct ctx *c, const char **name);

/*
 * One line of a module's map from what the schema refuses to what the client sent:
 * `kind` on `name` (a constraint, key or column as in sql/migrations; NULL matches any name)
 * is the API field `field`, explained by `msg`.
 */
struct db_field {
	enum db_refusal	 kind;
	const char	*name;
	const char	*field;
	const char	*msg;
};
/* Map a DB_* code to a reply: 503 / 409 / 400 / 500 (errors.c: the reply layer, which this
 * header does not include; declared here too because every handler that reads the database
 * calls them).  Refusals are looked up in map (n lines;
 * NULL, 0 for none): a match answers 400 INVALID_INPUT (409 CONFLICT for a duplicate key)
 * naming its field.  A refusal no map names is still 4xx — 409 CONFLICT for a duplicate,
 * 400 INVALID_INPUT naming the column or constraint otherwise — and is logged as a gap. */
struct req;
int	db_fail_map(struct req *r, int rc, const struct db_field *map, size_t n);
#define DB_FIELDS(m) (m), (sizeof(m) / sizeof((m)[0]))
int	db_fail(struct req *r, int rc);

/*
 * Row callbacks for db_query over a one-column query.  db_str_row appends each row's first
 * column to the JSON array arg as a string (SQL NULL: skipped) and reads on; db_ll_row
 * reads the first row's first column into the long long at arg, a count or an id from 0 to
 * INT64_MAX (NULL or not such a number: 0), and stops.
 */
int	db_str_row(void *arg, size_t ncol, char **v, const size_t *lens);
int	db_ll_row(void *arg, size_t ncol, char **v, const size_t *lens);

/*
 * One column's value as JSON, for row callbacks that build an object member by member:
 * db_json_str a string, or null for SQL NULL; db_json_ll an integer parsed within [min, max]
 * (NULL, or not such a number: 0).
 */
json_t	*db_json_str(const char *v);
json_t	*db_json_ll(const char *v, long long min, long long max);

#endif
