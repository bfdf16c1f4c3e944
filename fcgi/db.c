/*
 * db.c — prepared statements over one connection per thread (see db.h).
 *
 * Statements are prepared once per connection and cached by the address of their SQL text
 * (always a string literal), so the hot path is bind → execute → fetch.  Results are bound
 * as strings sized from the column's max_length after mysql_stmt_store_result, which keeps
 * this layer small; callers convert with parse_ll and friends.
 *
 * A connection error (CR_* codes, ≥ 2000) drops the connection: libmariadb connections are
 * not reusable after that, and the next call reconnects.  Reads outside a transaction get
 * one retry on a fresh connection, so the first request after a MariaDB restart succeeds.
 */
#include "db.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "yc.h"

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include <poll.h>
#include <stdlib.h>

static int
classify_(unsigned err)
{
	if (err == ER_DUP_ENTRY || err == ER_DUP_KEY)
		return DB_DUP;
	if (err == ER_LOCK_DEADLOCK || err == ER_LOCK_WAIT_TIMEOUT)
		return DB_RETRY;
	if (err >= 2000 && err < 3000)
		return DB_DOWN;
	/* Server going away as seen by the server side. */
	if (err == ER_SERVER_SHUTDOWN || err == ER_CON_COUNT_ERROR || err == ER_QUERY_INTERRUPTED ||
	    err == 1927 /* ER_CONNECTION_KILLED */ || err == ER_ACCESS_DENIED_ERROR)
		return DB_DOWN;
	return DB_FAIL;
}

/* The kind of an error, counted for the metrics (a duplicate key is an answer, not an
 * error: it is not counted). */
static int
classify(unsigned err)
{
	int rc = classify_(err);

	if (rc == DB_DOWN)
		metrics_db_error(MET_DB_DOWN);
	else if (rc == DB_RETRY)
		metrics_db_error(MET_DB_RETRY);
	else if (rc == DB_FAIL)
		metrics_db_error(MET_DB_FAIL);
	return rc;
}

void
db_after_tx(struct ctx *c, ctx_after_fn fn, long long arg)
{
	size_t i;

	if (!c->db_in_tx) {
		fn(c, arg);
		return;
	}
	for (i = 0; i < c->nafter; i++)
		if (c->after[i].fn == fn && c->after[i].arg == arg)
			return;
	if (c->nafter == CTX_MAX_AFTER) {
		log_warn("more than %d after-transaction calls: one left out", CTX_MAX_AFTER);
		return;
	}
	c->after[c->nafter].fn = fn;
	c->after[c->nafter].arg = arg;
	c->nafter++;
}

/* The transaction has ended (db_in_tx is 0 again): what waited for it. */
static void
run_after(struct ctx *c)
{
	size_t i, n = c->nafter;

	c->nafter = 0;
	for (i = 0; i < n; i++)
		c->after[i].fn(c, c->after[i].arg);
}

void
db_drop(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->nstmts; i++)
		mysql_stmt_close(c->stmts[i].stmt);
	c->nstmts = 0;
	if (c->db)
		mysql_close(c->db);
	c->db = NULL;
	c->db_in_tx = 0;
	run_after(c);
}

static int
db_connect(struct ctx *c)
{
	unsigned timeout = 2, rw = (unsigned)config_int("mysql_rw_timeout", 30, 1, 600);
	const char *sock = config_get("mysql_socket", NULL);
	const char *host = config_get("mysql_host", "127.0.0.1");
	MYSQL *m;

	/* As in kv.c: a connection the server closed (restart) is readable between statements;
	 * drop it now rather than fail the request — never inside a transaction, whose loss
	 * must surface as an error — when it sat idle a while (ctx_idle). */
	if (c->db && !c->db_in_tx && ctx_idle(&c->db_used_ms)) {
		struct pollfd p = { .fd = (int)mysql_get_socket(c->db), .events = POLLIN };

		if (p.fd >= 0 && poll(&p, 1, 0) > 0)
			db_drop(c);
	}
	if (c->db)
		return 0;
	if ((m = mysql_init(NULL)) == NULL)
		return DB_DOWN;
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rw);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rw);
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(m, MYSQL_INIT_COMMAND,
	    "SET time_zone = '+08:00', SESSION tx_isolation = 'READ-COMMITTED'");
	if (sock && *sock == '\0')
		sock = NULL;
	if (mysql_real_connect(m, sock ? "localhost" : host,
	    config_get("mysql_user", "yichuang"), config_get("mysql_password", ""),
	    config_get("mysql_db", "yichuang"),
	    (unsigned)config_int("mysql_port", 3306, 1, 65535), sock, 0) == NULL) {
		log_warn("connect: %u %s", mysql_errno(m), mysql_error(m));
		metrics_db_error(MET_DB_DOWN);
		mysql_close(m);
		return DB_DOWN;
	}
	c->db = m;
	return 0;
}

int
db_ping(struct ctx *c)
{
	if (db_connect(c) != 0)
		return DB_DOWN;
	if (mysql_ping(c->db) != 0) {
		db_drop(c);
		if (db_connect(c) != 0 || mysql_ping(c->db) != 0) {
			db_drop(c);
			return DB_DOWN;
		}
	}
	return 0;
}

static MYSQL_STMT *
stmt_get(struct ctx *c, const char *sql, int *rc)
{
	MYSQL_STMT *st;
	size_t i;

	for (i = 0; i < c->nstmts; i++)
		if (c->stmts[i].sql == sql)
			return c->stmts[i].stmt;
	if ((st = mysql_stmt_init(c->db)) == NULL) {
		*rc = DB_DOWN;
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql)) != 0) {
		*rc = classify(mysql_stmt_errno(st));
		if (*rc == DB_FAIL)
			log_err("prepare: %s: %s", mysql_stmt_error(st), sql);
		mysql_stmt_close(st);
		return NULL;
	}
	if (c->nstmts < CTX_MAX_STMTS) {
		c->stmts[c->nstmts].sql = sql;
		c->stmts[c->nstmts].stmt = st;
		c->nstmts++;
	} else {
		/* Cache full: evict the oldest; statements are few, this is only a guard. */
		mysql_stmt_close(c->stmts[0].stmt);
		memmove(&c->stmts[0], &c->stmts[1], sizeof c->stmts[0] * (CTX_MAX_STMTS - 1));
		c->stmts[CTX_MAX_STMTS - 1].sql = sql;
		c->stmts[CTX_MAX_STMTS - 1].stmt = st;
	}
	return st;
}

#define DB_MAX_ARGS 40
#define DB_MAX_COLS 64

static int
bind_args(MYSQL_STMT *st, const struct dbv *args, size_t nargs)
{
	MYSQL_BIND b[DB_MAX_ARGS];
	size_t i;

	if (nargs > DB_MAX_ARGS || nargs != mysql_stmt_param_count(st))
		return DB_FAIL;
	if (nargs == 0)
		return 0;
	memset(b, 0, sizeof(MYSQL_BIND) * nargs);
	for (i = 0; i < nargs; i++) {
		switch (args[i].t) {
		case DBT_NULL:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		case DBT_STR:
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)args[i].s;
			b[i].buffer_length = (unsigned long)args[i].n;
			break;
		case DBT_INT:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)&args[i].i;
			break;
		}
	}
	return mysql_stmt_bind_param(st, b) ? DB_FAIL : 0;
}

static int
run(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs, db_row_fn fn,
    void *arg, uint64_t *affected, uint64_t *insert_id)
{
	MYSQL_STMT *st;
	MYSQL_RES *meta = NULL;
	MYSQL_BIND rb[DB_MAX_COLS];
	char *vals[DB_MAX_COLS];
	size_t lens[DB_MAX_COLS];
	unsigned long rlen[DB_MAX_COLS];
	my_bool isnull[DB_MAX_COLS];
	unsigned ncol = 0, i;
	int rc = DB_OK, rows = 0;

	if (db_connect(c) != 0)
		return DB_DOWN;
	if ((st = stmt_get(c, sql, &rc)) == NULL)
		goto fail;
	if ((rc = bind_args(st, args, nargs)) != 0) {
		log_err("bind: %zu args for %s", nargs, sql);
		return DB_FAIL;
	}
	if (mysql_stmt_execute(st) != 0) {
		rc = classify(mysql_stmt_errno(st));
		if (rc == DB_FAIL)
			log_err("execute: %u %s: %s", mysql_stmt_errno(st), mysql_stmt_error(st), sql);
		goto fail;
	}
	if (affected)
		*affected = mysql_stmt_affected_rows(st);
	if (insert_id)
		*insert_id = mysql_stmt_insert_id(st);
	if ((meta = mysql_stmt_result_metadata(st)) == NULL)
		return DB_OK;

	ncol = mysql_num_fields(meta);
	if (ncol > DB_MAX_COLS) {
		mysql_free_result(meta);
		mysql_stmt_free_result(st);
		return DB_FAIL;
	}
	{
		my_bool on = 1;

		mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
	}
	if (mysql_stmt_store_result(st) != 0) {
		rc = classify(mysql_stmt_errno(st));
		mysql_free_result(meta);
		goto fail;
	}
	memset(rb, 0, sizeof(MYSQL_BIND) * ncol);
	for (i = 0; i < ncol; i++) {
		MYSQL_FIELD *f = mysql_fetch_field_direct(meta, i);
		size_t cap = (f->max_length > 0 ? f->max_length : 0) + 64;

		vals[i] = malloc(cap);
		rb[i].buffer_type = MYSQL_TYPE_STRING;
		rb[i].buffer = vals[i];
		rb[i].buffer_length = (unsigned long)cap;
		rb[i].length = &rlen[i];
		rb[i].is_null = &isnull[i];
	}
	mysql_free_result(meta);
	if (mysql_stmt_bind_result(st, rb) != 0) {
		rc = DB_FAIL;
		goto out;
	}
	for (;;) {
		int f = mysql_stmt_fetch(st);
		char *rowv[DB_MAX_COLS];

		if (f == MYSQL_NO_DATA)
			break;
		if (f == 1) {
			rc = classify(mysql_stmt_errno(st));
			break;
		}
		/* MYSQL_DATA_TRUNCATED cannot happen: buffers are max_length + 64. */
		for (i = 0; i < ncol; i++) {
			if (isnull[i]) {
				rowv[i] = NULL;
				lens[i] = 0;
			} else {
				size_t n = rlen[i] < rb[i].buffer_length ? rlen[i] :
				    rb[i].buffer_length - 1;

				vals[i][n] = '\0';
				rowv[i] = vals[i];
				lens[i] = n;
			}
		}
		rows++;
		if (fn && fn(arg, ncol, rowv, lens) != 0)
			break;
	}
out:
	mysql_stmt_free_result(st);
	for (i = 0; i < ncol; i++)
		free(vals[i]);
	if (rc == DB_DOWN)
		db_drop(c);
	return rc == DB_OK ? rows : rc;
fail:
	if (rc == DB_DOWN)
		db_drop(c);
	return rc;
}

int
db_exec(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs,
    uint64_t *affected, uint64_t *insert_id)
{
	int rc = run(c, sql, args, nargs, NULL, NULL, affected, insert_id);

	return rc < 0 ? rc : DB_OK;
}

int
db_query(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs, db_row_fn fn,
    void *arg)
{
	int in_tx = c->db_in_tx;
	int rc = run(c, sql, args, nargs, fn, arg, NULL, NULL);

	/* A read outside a transaction is safe to repeat once on a new connection. */
	if (rc == DB_DOWN && !in_tx)
		rc = run(c, sql, args, nargs, fn, arg, NULL, NULL);
	return rc;
}

struct scalar {
	char	*out;
	size_t	 osz;
};

static int
scalar_row(void *arg, size_t ncol, char **vals, const size_t *lens)
{
	struct scalar *s = arg;

	(void)lens;
	if (ncol > 0)
		str_copy(s->out, s->osz, vals[0] ? vals[0] : "");
	return 1;
}

int
db_scalar(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs, char *out,
    size_t osz)
{
	struct scalar s = { out, osz };
	int rc;

	if (osz)
		out[0] = '\0';
	rc = db_query(c, sql, args, nargs, scalar_row, &s);
	return rc < 0 ? rc : rc > 0;
}

int
db_begin(struct ctx *c)
{
	if (db_connect(c) != 0)
		return DB_DOWN;
	/* autocommit stays on: START TRANSACTION .. COMMIT is one round trip fewer than turning
	 * autocommit off and on again around every transaction. */
	if (mysql_real_query(c->db, "START TRANSACTION", 17) != 0) {
		metrics_db_error(MET_DB_DOWN);
		db_drop(c);
		return DB_DOWN;
	}
	c->db_in_tx = 1;
	return DB_OK;
}

int
db_commit(struct ctx *c)
{
	int rc = DB_OK;

	if (c->db == NULL)
		return DB_DOWN;
	if (mysql_commit(c->db) != 0) {
		rc = classify(mysql_errno(c->db));
		if (rc == DB_FAIL)
			rc = DB_DOWN;
	}
	c->db_in_tx = 0;
	if (rc == DB_DOWN)
		db_drop(c);
	else if (rc != DB_OK)
		db_rollback(c);
	run_after(c);
	return rc;
}

void
db_rollback(struct ctx *c)
{
	if (c->db == NULL)
		return;
	if (mysql_rollback(c->db) != 0)
		db_drop(c);
	c->db_in_tx = 0;
	run_after(c);
}

int
db_table_rows(struct ctx *c, const char *table, long long *out)
{
	char sql[128];
	MYSQL_RES *res;
	MYSQL_ROW row;
	size_t i, n = strlen(table);
	int rc = DB_FAIL;

	*out = 0;
	if (n == 0 || n > 64)
		return DB_FAIL;
	for (i = 0; i < n; i++)
		if (!((table[i] >= 'a' && table[i] <= 'z') || (table[i] >= 'A' && table[i] <= 'Z') ||
		    (table[i] >= '0' && table[i] <= '9') || table[i] == '_'))
			return DB_FAIL;
	if (fmt(sql, sizeof sql, "SELECT COUNT(*) FROM `%s`", table) < 0)
		return DB_FAIL;
	if (db_connect(c) != 0)
		return DB_DOWN;
	if (mysql_real_query(c->db, sql, (unsigned long)strlen(sql)) != 0) {
		rc = classify(mysql_errno(c->db));
		if (rc == DB_DOWN)
			db_drop(c);
		return rc;
	}
	if ((res = mysql_store_result(c->db)) == NULL) {
		rc = classify(mysql_errno(c->db));
		if (rc == DB_DOWN)
			db_drop(c);
		return rc;
	}
	if ((row = mysql_fetch_row(res)) != NULL && row[0] != NULL &&
	    parse_ll(row[0], 0, INT64_MAX, out) == 0)
		rc = DB_OK;
	mysql_free_result(res);
	return rc;
}

int
db_fail(struct req *r, int rc)
{
	switch (rc) {
	case DB_DOWN:
		return req_unavailable(r);
	case DB_RETRY:
		req_header(r, "Retry-After", "1");
		return req_fail(r, 503, "UNAVAILABLE", "系统繁忙，请稍后重试");
	case DB_DUP:
		return req_fail(r, 409, "CONFLICT", "记录已存在");
	default:
		return req_bug(r, "database error");
	}
}

struct rows_json {
	const char *const	*names;
	const char		*types;
	json_t			*array;
};

static int
rows_json_row(void *arg, size_t ncol, char **vals, const size_t *lens)
{
	struct rows_json *rj = arg;
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < ncol && rj->types[i]; i++) {
		char t = rj->types[i];
		long long n = 0;

		if (t == '-')
			continue;
		if (vals[i] == NULL) {
			if (t == 'S' || t == 'I')
				json_object_set_new(o, rj->names[i], json_null());
			else if (t == 'b')
				json_object_set_new(o, rj->names[i], json_false());
			else if (t == 'i')
				json_object_set_new(o, rj->names[i], json_integer(0));
			else
				json_object_set_new(o, rj->names[i], json_string(""));
			continue;
		}
		switch (t) {
		case 'i':
		case 'I':
			parse_lln(vals[i], lens[i], -(1LL << 62), 1LL << 62, &n);
			json_object_set_new(o, rj->names[i], json_integer(n));
			break;
		case 'b':
			json_object_set_new(o, rj->names[i], json_boolean(vals[i][0] == '1'));
			break;
		default:
			json_object_set_new(o, rj->names[i], json_stringn(vals[i], lens[i]));
			break;
		}
	}
	json_array_append_new(rj->array, o);
	return 0;
}

int
db_rows_json(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs,
    const char *const *names, const char *types, json_t *array)
{
	struct rows_json rj = { names, types, array };

	return db_query(c, sql, args, nargs, rows_json_row, &rj);
}
