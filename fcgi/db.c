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
 *
 * Bounded waits (yichuang.conf): a connection opens within mysql_connect_timeout seconds (2);
 * the server must answer each read or write within mysql_rw_timeout (5); and the server
 * itself gives up waiting for a lock — a row lock, or a FLUSH TABLES WITH READ LOCK, a
 * COMMIT included — after mysql_lock_wait_timeout (3, kept below the former), so a stalled
 * transaction ends with an error and is rolled back on the server rather than left to
 * finish after the client has gone.  Either way the call answers DB_DOWN (503) and the
 * connection is dropped, never reused; within a request MariaDB is then not asked again
 * (ctx.h), and a timed-out read is not retried.  GET /health has its own, shorter bound
 * (db_ping_within: the non-blocking API, so the wait is cut at the deadline).
 *
 * Several hosts (a Galera cluster): mysql_hosts lists the nodes this app host may use,
 * "host[:port], …" in the order it prefers them (its own first).  A new connection goes to
 * the node that served the process last and, if that one refuses or does not answer within
 * mysql_connect_timeout, to the next; a node that answers "WSREP has not yet prepared node
 * for application use" (1047: joining, or cut off from the cluster's majority) counts as
 * down and the next connection starts at the following node.  Galera refuses at COMMIT a
 * transaction whose rows another node changed first (a certification conflict): it reports
 * ER_LOCK_DEADLOCK, so db_tx runs the transaction again as it does after a deadlock.
 * mysql_wsrep_sync_wait (0: not set) is given to every session as wsrep_sync_wait: 1 makes
 * each read and each START TRANSACTION wait until this node has applied everything the
 * cluster committed before it, so a request sees what an earlier request wrote through any
 * other node (docs/API.md, "Several hosts").
 */
#include "db.h"
#include "clock.h"
#include "config.h"
#include "hostlist.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

#include <mysql.h>
#include <errmsg.h>
#include <errno.h>
#include <stdatomic.h>
#include <mysqld_error.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

/* The refusal an error number stands for (DBR_NONE: not a refusal of a value). */
static enum db_refusal
refusal_kind(unsigned err)
{
	switch (err) {
	case ER_DUP_ENTRY:
	case ER_DUP_KEY:
		return DBR_DUP;
	case ER_CONSTRAINT_FAILED:
		return DBR_CHECK;
	case ER_DATA_TOO_LONG:
	case ER_WARN_DATA_OUT_OF_RANGE:
		return DBR_TOO_LONG;
	case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
	case ER_TRUNCATED_WRONG_VALUE:
	case WARN_DATA_TRUNCATED:	/* 1265: an ENUM value it does not have */
	case ER_INVALID_CHARACTER_STRING:
		return DBR_BAD_VALUE;
	case ER_NO_REFERENCED_ROW:
	case ER_NO_REFERENCED_ROW_2:
		return DBR_NO_PARENT;
	case ER_BAD_NULL_ERROR:
		return DBR_NULL;
	default:
		return DBR_NONE;
	}
}

/*
 * The name the server's message gives: the constraint (`CONSTRAINT \`chk_x\``), the key
 * (`for key 'uk_x'`, maybe `'table.uk_x'`) or the column (`for column 'c'` or
 * `` `db`.`t`.`c` ``).  Only the identifier is kept: the message also quotes the value.
 */
void
db_refused_name(const char *msg, char *out, size_t osz)
{
	const char *p, *e, *dot;
	char q;

	out[0] = '\0';
	if ((p = strstr(msg, "CONSTRAINT `")) != NULL)
		p += strlen("CONSTRAINT ");
	else if ((p = strstr(msg, "for key ")) != NULL)
		p += strlen("for key ");
	else if ((p = strstr(msg, "for column ")) != NULL)
		p += strlen("for column ");
	else if ((p = strstr(msg, "Column ")) != NULL)
		p += strlen("Column ");
	else
		return;
	/* A quoted path `a`.`b`.`c` or 'a.b': its last identifier. */
	for (;;) {
		q = *p;
		if (q != '`' && q != '\'')
			return;
		if ((e = strchr(p + 1, q)) == NULL)
			return;
		if (e[1] == '.' && (e[2] == '`' || e[2] == '\'')) {
			p = e + 2;
			continue;
		}
		break;
	}
	p++;
	if (q == '\'' && (dot = memchr(p, '.', (size_t)(e - p))) != NULL)
		p = dot + 1;
	if ((size_t)(e - p) >= osz)
		return;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
}

/*
 * mysql_hosts: the node that served last (index into the list), for the whole process, and
 * the one this thread's connection is on (-1: none, or no list).
 */
static _Atomic int node_pref;
static _Thread_local int node_cur = -1;

static void
node_failed(void)
{
	int cur = node_cur;

	if (cur >= 0)
		atomic_compare_exchange_strong(&node_pref, &cur, cur + 1);
}

static int
classify_(struct ctx *c, unsigned err, const char *msg)
{
	enum db_refusal k = refusal_kind(err);

	if (k != DBR_NONE) {
		c->db_refusal = (int)k;
		db_refused_name(msg, c->db_refused, sizeof c->db_refused);
		return k == DBR_DUP ? DB_DUP : DB_REFUSED;
	}
	if (err == ER_LOCK_DEADLOCK)
		return DB_RETRY;	/* also Galera's certification conflict */
	/* A Galera node that is not part of the primary component (joining, or cut off):
	 * this node cannot serve, another can. */
	if (err == ER_UNKNOWN_COM_ERROR) {
		node_failed();
		return DB_DOWN;
	}
	/* The server waited its whole lock_wait_timeout: retrying would wait again. */
	if (err == ER_LOCK_WAIT_TIMEOUT)
		return DB_DOWN;
	if (err >= 2000 && err < 3000)
		return DB_DOWN;
	/* Server going away as seen by the server side. */
	if (err == ER_SERVER_SHUTDOWN || err == ER_CON_COUNT_ERROR || err == ER_QUERY_INTERRUPTED ||
	    err == 1927 /* ER_CONNECTION_KILLED */ || err == ER_ACCESS_DENIED_ERROR)
		return DB_DOWN;
	return DB_FAIL;
}

/* The kind of an error, counted for the metrics (a duplicate key or a refused value is an
 * answer, not an error: neither is counted). */
static int
classify(struct ctx *c, unsigned err, const char *msg)
{
	int rc = classify_(c, err, msg);

	if (rc == DB_DOWN)
		metrics_db_error(MET_DB_DOWN);
	else if (rc == DB_RETRY)
		metrics_db_error(MET_DB_RETRY);
	else if (rc == DB_FAIL)
		metrics_db_error(MET_DB_FAIL);
	return rc;
}

enum db_refusal
db_refusal(const struct ctx *c, const char **name)
{
	if (name)
		*name = c->db_refused;
	return (enum db_refusal)c->db_refusal;
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

static long long
rw_timeout_s(void)
{
	return config_int("mysql_rw_timeout", 5, 1, 600);
}

/* MariaDB ran out of time: within a request, it is not asked again (ctx.h). */
static void
timed_out(struct ctx *c, const char *what, int64_t took)
{
	log_warn("mariadb: %s after %lld ms: connection dropped", what, (long long)took);
	if (c->in_request)
		c->db_timed_out = 1;
}

/*
 * A call that failed after waiting about its whole timeout ran out of time (libmariadb says
 * only "lost connection"), as did one the server refused after its lock wait.  Returns
 * whether it timed out.
 */
static int
note_timeout(struct ctx *c, int64_t t0, unsigned err)
{
	int64_t took = mono_ms() - t0;

	if (err == ER_LOCK_WAIT_TIMEOUT)
		timed_out(c, "lock wait timed out", took);
	else if (took >= rw_timeout_s() * 1000 - 250)
		timed_out(c, "no answer", took);
	else
		return 0;
	return 1;
}

/* A new handle with every option set; NULL when out of memory. */
static MYSQL *
db_handle(void)
{
	unsigned ct = (unsigned)config_int("mysql_connect_timeout", 2, 1, 60);
	unsigned rw = (unsigned)rw_timeout_s();
	long long lw = config_int("mysql_lock_wait_timeout", 3, 1, 600);
	long long sw = config_int("mysql_wsrep_sync_wait", 0, 0, 15);
	char init[256];
	MYSQL *m;

	if (lw >= rw)
		lw = rw > 1 ? rw - 1 : 1;
	if ((m = mysql_init(NULL)) == NULL)
		return NULL;
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rw);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rw);
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* Blocking calls behave as without it; db_ping_within uses the non-blocking API. */
	mysql_options(m, MYSQL_OPT_NONBLOCK, 0);
	/* wsrep_sync_wait only when asked for: a server without Galera may lack it. */
	snprintf(init, sizeof init, "SET time_zone = '" HALL_UTC_SUFFIX "',"
	    " SESSION tx_isolation = 'READ-COMMITTED', SESSION innodb_lock_wait_timeout = %lld,"
	    " SESSION lock_wait_timeout = %lld%s%.0lld", lw, lw,
	    sw > 0 ? ", SESSION wsrep_sync_wait = " : "", sw);
	mysql_options(m, MYSQL_INIT_COMMAND, init);
	return m;
}

static const char *
db_socket(void)
{
	const char *sock = config_get("mysql_socket", NULL);

	return sock && *sock ? sock : NULL;
}

/*
 * Wait for what a non-blocking call asked for (status), no later than deadline.  The event
 * mask for its _cont call, or -1 when the time ran out.
 */
static int
nb_wait(MYSQL *m, int status, int64_t deadline)
{
	struct pollfd p = { .fd = (int)mysql_get_socket(m), .events = 0 };
	int64_t left;
	int ms, lib = -1, n, ev = 0;

	if (status & MYSQL_WAIT_READ)
		p.events |= POLLIN;
	if (status & MYSQL_WAIT_WRITE)
		p.events |= POLLOUT;
	if (status & MYSQL_WAIT_EXCEPT)
		p.events |= POLLPRI;
	if (status & MYSQL_WAIT_TIMEOUT)
		lib = (int)mysql_get_timeout_value_ms(m);
	for (;;) {
		if ((left = deadline - mono_ms()) <= 0)
			return -1;
		ms = left > 60000 ? 60000 : (int)left;
		if (lib >= 0 && lib < ms)
			ms = lib;
		if ((n = poll(&p, 1, ms)) >= 0 || errno != EINTR)
			break;
	}
	if (n == 0)
		return lib >= 0 && ms == lib ? MYSQL_WAIT_TIMEOUT : -1;
	if (n < 0)
		return -1;
	if (p.revents & (POLLIN | POLLHUP | POLLERR))
		ev |= MYSQL_WAIT_READ;
	if (p.revents & POLLOUT)
		ev |= MYSQL_WAIT_WRITE;
	if (p.revents & POLLPRI)
		ev |= MYSQL_WAIT_EXCEPT;
	return ev;
}

/* A connected handle to host:port (or the socket), blocking (deadline 0) or cut at
 * deadline; NULL (logged) when it could not connect. */
static MYSQL *
db_open_one(const char *host, unsigned port, const char *sock, int64_t deadline)
{
	const char *user = config_get("mysql_user", "yichuang");
	const char *pw = config_get("mysql_password", "");
	const char *dbname = config_get("mysql_db", "yichuang");
	MYSQL *m, *ret = NULL;

	if ((m = db_handle()) == NULL)
		return NULL;
	if (deadline == 0)
		ret = mysql_real_connect(m, host, user, pw, dbname, port, sock, 0);
	else {
		int st = mysql_real_connect_start(&ret, m, host, user, pw, dbname, port, sock, 0);

		while (st) {
			int ev = nb_wait(m, st, deadline);

			if (ev < 0) {
				log_warn("connect %s: no answer within the health timeout", host);
				mariadb_cancel(m);
				mysql_close(m);
				return NULL;
			}
			st = mysql_real_connect_cont(&ret, m, ev);
		}
	}
	if (ret == NULL) {
		log_warn("connect %s: %u %s", sock ? sock : host, mysql_errno(m), mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

/* Open the connection if there is none: blocking (deadline 0) or cut at deadline. */
static int
db_open(struct ctx *c, int64_t deadline)
{
	const char *sock = db_socket();
	const char *list = config_get("mysql_hosts", "");
	struct hostport nodes[HOSTLIST_MAX];
	int64_t t0 = mono_ms();
	MYSQL *m = NULL;
	int i, n = 0, first;

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
	if (c->in_request && c->db_timed_out)
		return DB_DOWN;		/* it ran out of time once in this request: not again */
	if (!sock && *list && (n = hostlist_parse(list, 3306, nodes, HOSTLIST_MAX)) <= 0) {
		log_err("mysql_hosts: not a list of host:port (%s)", list);
		return DB_DOWN;
	}
	node_cur = -1;
	if (n == 0)
		m = db_open_one(sock ? "localhost" : config_get("mysql_host", "127.0.0.1"),
		    (unsigned)config_int("mysql_port", 3306, 1, 65535), sock, deadline);
	else {
		/* From the node that served last, round the list once. */
		first = atomic_load(&node_pref);
		first = ((first % n) + n) % n;
		for (i = 0; i < n && m == NULL; i++) {
			int k = (first + i) % n;

			if (deadline != 0 && mono_ms() >= deadline)
				break;
			if ((m = db_open_one(nodes[k].host, nodes[k].port, NULL, deadline)) != NULL) {
				node_cur = k;
				atomic_store(&node_pref, k);
			}
		}
	}
	if (m == NULL) {
		metrics_db_error(MET_DB_DOWN);
		if (n == 0 && mono_ms() - t0 >= config_int("mysql_connect_timeout", 2, 1, 60) * 1000 - 250)
			timed_out(c, "connect", mono_ms() - t0);
		return DB_DOWN;
	}
	c->db = m;
	c->db_close = db_drop;
	return 0;
}

static int
db_connect(struct ctx *c)
{
	return db_open(c, 0);
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

/* One non-blocking COM_PING cut at deadline: 0 answered, -1 failed, -2 out of time. */
static int
ping_nb(struct ctx *c, int64_t deadline)
{
	int ret = 1, st = mysql_ping_start(&ret, c->db);

	while (st) {
		int ev = nb_wait(c->db, st, deadline);

		if (ev < 0) {
			log_warn("mariadb: ping not answered within the health timeout: connection dropped");
			mariadb_cancel(c->db);
			db_drop(c);
			return -2;
		}
		st = mysql_ping_cont(&ret, c->db, ev);
	}
	if (ret != 0) {
		db_drop(c);
		return -1;
	}
	return 0;
}

int
db_ping_within(struct ctx *c, int64_t deadline)
{
	int rc;

	if (c->db_in_tx)
		return DB_FAIL;
	if (db_open(c, deadline) != 0)
		return DB_DOWN;
	if ((rc = ping_nb(c, deadline)) == 0)
		return 0;
	/* Failed at once (a connection the server had closed): one fresh one, in the time left. */
	if (rc == -2 || mono_ms() >= deadline || db_open(c, deadline) != 0 ||
	    ping_nb(c, deadline) != 0)
		return DB_DOWN;
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
		*rc = classify(c, mysql_stmt_errno(st), mysql_stmt_error(st));
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

/*
 * The rows of an executed statement to fn, each column as a NUL-terminated string in a
 * buffer sized by the column's longest value (+ 64).  Rows seen (≥ 0) or a DB_* code;
 * *err: the server's error number when fetching failed.
 */
static int
fetch_rows(struct ctx *c, MYSQL_STMT *st, MYSQL_RES *meta, db_row_fn fn, void *arg,
    unsigned *err)
{
	MYSQL_BIND rb[DB_MAX_COLS];
	char *vals[DB_MAX_COLS];
	size_t lens[DB_MAX_COLS];
	unsigned long rlen[DB_MAX_COLS];
	my_bool isnull[DB_MAX_COLS];
	unsigned ncol = mysql_num_fields(meta), i;
	int rc = DB_OK, rows = 0;

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
		*err = mysql_stmt_errno(st);
		mysql_free_result(meta);
		return classify(c, *err, mysql_stmt_error(st));
	}
	memset(rb, 0, sizeof(MYSQL_BIND) * ncol);
	for (i = 0; i < ncol; i++) {
		MYSQL_FIELD *f = mysql_fetch_field_direct(meta, i);
		size_t cap = (f->max_length > 0 ? f->max_length : 0) + 64;

		if ((vals[i] = malloc(cap)) == NULL)
			rc = DB_FAIL;
		rb[i].buffer_type = MYSQL_TYPE_STRING;
		rb[i].buffer = vals[i];
		rb[i].buffer_length = (unsigned long)cap;
		rb[i].length = &rlen[i];
		rb[i].is_null = &isnull[i];
	}
	mysql_free_result(meta);
	if (rc != DB_OK || mysql_stmt_bind_result(st, rb) != 0) {
		rc = DB_FAIL;
		goto out;
	}
	for (;;) {
		int f = mysql_stmt_fetch(st);
		char *rowv[DB_MAX_COLS];

		if (f == MYSQL_NO_DATA)
			break;
		if (f == 1) {
			*err = mysql_stmt_errno(st);
			rc = classify(c, *err, mysql_stmt_error(st));
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
	return rc == DB_OK ? rows : rc;
}

/* One statement from the cache: bind, execute, rows to fn.  Rows seen or a DB_* code; a
 * connection that failed is dropped. */
static int
run(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs, db_row_fn fn,
    void *arg, uint64_t *affected, uint64_t *insert_id)
{
	MYSQL_STMT *st;
	MYSQL_RES *meta;
	unsigned err = 0;
	int rc = DB_OK;
	int64_t t0;

	if (db_connect(c) != 0)
		return DB_DOWN;
	t0 = mono_ms();
	if ((st = stmt_get(c, sql, &rc)) == NULL)
		goto out;
	if ((rc = bind_args(st, args, nargs)) != 0) {
		log_err("bind: %zu args for %s", nargs, sql);
		return DB_FAIL;
	}
	if (mysql_stmt_execute(st) != 0) {
		err = mysql_stmt_errno(st);
		rc = classify(c, err, mysql_stmt_error(st));
		if (rc == DB_FAIL)
			log_err("execute: %u %s: %s", mysql_stmt_errno(st), mysql_stmt_error(st), sql);
		goto out;
	}
	if (affected)
		*affected = mysql_stmt_affected_rows(st);
	if (insert_id)
		*insert_id = mysql_stmt_insert_id(st);
	if ((meta = mysql_stmt_result_metadata(st)) == NULL)
		return DB_OK;
	rc = fetch_rows(c, st, meta, fn, arg, &err);
out:
	if (rc == DB_DOWN) {
		note_timeout(c, t0, err);
		db_drop(c);
	}
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
	int64_t t0 = mono_ms();
	int rc = run(c, sql, args, nargs, fn, arg, NULL, NULL);

	/* A read outside a transaction is safe to repeat once on a new connection — after a
	 * connection the server had closed, not after one that ran out of time. */
	if (rc == DB_DOWN && !in_tx && !(c->in_request && c->db_timed_out) &&
	    mono_ms() - t0 < rw_timeout_s() * 1000 - 250)
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
	int64_t t0;

	if (db_connect(c) != 0)
		return DB_DOWN;
	t0 = mono_ms();
	/* autocommit stays on: START TRANSACTION .. COMMIT is one round trip fewer than turning
	 * autocommit off and on again around every transaction. */
	if (mysql_real_query(c->db, "START TRANSACTION", 17) != 0) {
		metrics_db_error(MET_DB_DOWN);
		note_timeout(c, t0, mysql_errno(c->db));
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
	int64_t t0 = mono_ms();

	if (c->db == NULL)
		return DB_DOWN;
	if (mysql_commit(c->db) != 0) {
		unsigned err = mysql_errno(c->db);

		rc = classify(c, err, mysql_error(c->db));
		if (rc == DB_FAIL)
			rc = DB_DOWN;
		if (rc == DB_DOWN)
			note_timeout(c, t0, err);
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
db_tx(struct ctx *c, int (*fn)(struct ctx *c, void *arg), void *arg)
{
	int i, rc = DB_RETRY;

	for (i = 0; i < 3 && rc == DB_RETRY; i++) {
		if ((rc = db_begin(c)) != 0)
			return rc;
		rc = fn(c, arg);
		if (rc == 0)
			rc = db_commit(c);
		else
			db_rollback(c);
	}
	return rc;
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
		rc = classify(c, mysql_errno(c->db), mysql_error(c->db));
		if (rc == DB_DOWN)
			db_drop(c);
		return rc;
	}
	if ((res = mysql_store_result(c->db)) == NULL) {
		rc = classify(c, mysql_errno(c->db), mysql_error(c->db));
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

void
db_row_fill(void *dst, const struct db_col *cols, size_t n, size_t ncol, char **v)
{
	size_t i;
	long long x;
	int b;
	char *p;

	for (i = 0; i < n && i < ncol; i++) {
		p = (char *)dst + cols[i].off;
		switch (cols[i].kind) {
		case DBC_STR:
			str_copy(p, cols[i].size, v[i] ? v[i] : "");
			break;
		case DBC_INT:
			if (v[i] == NULL || parse_ll(v[i], cols[i].min, cols[i].max, &x) != 0)
				x = 0;
			if (cols[i].size == sizeof(int)) {
				b = (int)x;
				memcpy(p, &b, sizeof b);
			} else
				memcpy(p, &x, sizeof x);
			break;
		case DBC_BOOL:
			b = v[i] != NULL && v[i][0] == '1';
			memcpy(p, &b, sizeof b);
			break;
		case DBC_SKIP:
			break;
		}
	}
}

struct into {
	void			*dst;
	const struct db_col	*cols;
	size_t			 n;
};

static int
into_row(void *arg, size_t ncol, char **vals, const size_t *lens)
{
	struct into *in = arg;

	(void)lens;
	db_row_fill(in->dst, in->cols, in->n, ncol, vals);
	return 1;
}

int
db_row_into(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs,
    const struct db_col *cols, size_t n, void *dst)
{
	struct into in = { dst, cols, n };
	int rc = db_query(c, sql, args, nargs, into_row, &in);

	return rc < 0 ? rc : rc > 0;
}

struct rows_into {
	char			*arr;
	size_t			 elem, cap, seen;
	const struct db_col	*cols;
	size_t			 n;
};

static int
rows_into_row(void *arg, size_t ncol, char **vals, const size_t *lens)
{
	struct rows_into *ri = arg;
	char *dst;

	(void)lens;
	if (ri->seen < ri->cap) {
		dst = ri->arr + ri->seen * ri->elem;
		memset(dst, 0, ri->elem);
		db_row_fill(dst, ri->cols, ri->n, ncol, vals);
	}
	ri->seen++;
	return 0;
}

int
db_rows_into(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs,
    const struct db_col *cols, size_t n, void *arr, size_t elem, size_t cap)
{
	struct rows_into ri = { arr, elem, cap, 0, cols, n };
	int rc = db_query(c, sql, args, nargs, rows_into_row, &ri);

	return rc < 0 ? rc : (int)ri.seen;
}

int
db_row_json(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs,
    const char *const *names, const char *types, json_t **out)
{
	json_t *a = json_array();
	int rc;

	*out = NULL;
	if (a == NULL)
		return DB_FAIL;
	rc = db_rows_json(c, sql, args, nargs, names, types, a);
	if (rc > 0) {
		*out = json_incref(json_array_get(a, 0));
		rc = 1;
	}
	json_decref(a);
	return rc;
}

int
db_str_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	if (ncol > 0 && v[0] != NULL)
		json_array_append_new(arg, json_stringn(v[0], lens[0]));
	return 0;
}

int
db_ll_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	long long *out = arg;

	(void)lens;
	if (ncol == 0 || v[0] == NULL || parse_ll(v[0], 0, INT64_MAX, out) != 0)
		*out = 0;
	return 1;
}

json_t *
db_json_str(const char *v)
{
	return v ? json_string(v) : json_null();
}

json_t *
db_json_ll(const char *v, long long min, long long max)
{
	long long n;

	if (v == NULL || parse_ll(v, min, max, &n) != 0)
		n = 0;
	return json_integer(n);
}
