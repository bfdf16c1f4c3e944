/*
 * migrate.c — applying schema migrations and the app account's grants (see migrate.h).
 *
 * A migration file is a script of DDL shipped with the release, not input: it runs as it
 * is, over one connection with multi-statements on (the server parses the statements, so
 * a CREATE TRIGGER … BEGIN … END needs no DELIMITER), and everything this file adds of its
 * own — the lock, what was applied, the record of a migration — goes through prepared
 * statements.  The grants cannot take their table and account names as parameters; the
 * server writes them (QUOTE and doubled back-quotes over information_schema and mysql.user,
 * with the database and account names bound as parameters) and they are run as it wrote
 * them.
 */
#include "migrate.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <mysql.h>
#include <openssl/sha.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MIG_NAME_MAX  64			/* schema_migrations.version */
#define MIG_MAX_FILES 4000
#define MIG_FILE_MAX  (16 * 1024 * 1024)
#define MIG_DB_MAX    47			/* "yichuang-migrate:" + name fits GET_LOCK's 64 */

#ifndef YC_VERSION
#define YC_VERSION "dev"
#endif

/* ------------------------------------------------------------------ names */

struct names {
	char	(*v)[MIG_NAME_MAX + 1];
	size_t	 n, cap;
};

static int
names_add(struct names *s, const char *name)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		void *nv;

		if (cap > MIG_MAX_FILES || (nv = realloc(s->v, cap * sizeof *s->v)) == NULL)
			return -1;
		s->v = nv;
		s->cap = cap;
	}
	if (str_copy(s->v[s->n], sizeof s->v[s->n], name) >= sizeof s->v[s->n])
		return -1;
	s->n++;
	return 0;
}

static int
names_has(const struct names *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return 1;
	return 0;
}

static void
names_free(struct names *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int
by_bytes(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* A version: 1–64 of [A-Za-z0-9_.:-] (as ops/stack.sh has always recorded them). */
static int
version_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > MIG_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("_.:-", s[i]) != NULL))
			return 0;
	return 1;
}

/* The *.sql files of dir, by name without .sql, in byte order.  0, or -1 with err. */
static int
list_dir(const char *dir, struct names *out, char *err, size_t esz)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	memset(out, 0, sizeof *out);
	if ((d = opendir(dir)) == NULL) {
		fmt(err, esz, "migrations_dir %s: %s", dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char path[1024], base[MIG_NAME_MAX + 1];
		struct stat st;

		if (de->d_name[0] == '.' || l < 5 || strcmp(de->d_name + l - 4, ".sql") != 0)
			continue;
		if (fmt(path, sizeof path, "%s/%s", dir, de->d_name) < 0 || stat(path, &st) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (!version_ok(de->d_name, l - 4)) {
			fmt(err, esz, "%s/%s: a migration's name is 1-64 letters, digits, _ . : -"
			    " before .sql", dir, de->d_name);
			rc = -1;
			break;
		}
		memcpy(base, de->d_name, l - 4);
		base[l - 4] = '\0';
		if (names_add(out, base) != 0) {
			fmt(err, esz, "%s: more than %d migrations", dir, MIG_MAX_FILES);
			rc = -1;
		}
	}
	closedir(d);
	if (rc != 0) {
		names_free(out);
		return -1;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, by_bytes);
	return 0;
}

static int
read_text(const char *path, char **out, size_t *len)
{
	struct buf b;
	char chunk[8192];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf_init(&b, MIG_FILE_MAX);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (b.overflow) {
		fprintf(stderr, "%s is larger than %d bytes\n", path, MIG_FILE_MAX);
		buf_free(&b);
		return -1;
	}
	*out = b.data ? b.data : calloc(1, 1);
	*len = b.len;
	return *out ? 0 : -1;
}

/* ------------------------------------------------------------------ the DBA connection */

typedef int (*row_fn)(void *arg, char **vals, size_t ncol);

/*
 * A prepared statement with string parameters; each result row goes to fn as strings
 * (NULL for SQL NULL).  Rows seen, or -1 with the server's message on stderr.
 */
static int
sq(MYSQL *m, const char *sql, const char *const *params, size_t np, row_fn fn, void *arg)
{
	MYSQL_BIND pb[16], rb[4];
	unsigned long rlen[4];
	char *rv[4] = { NULL, NULL, NULL, NULL };
	my_bool rnull[4];
	MYSQL_STMT *st;
	MYSQL_RES *meta = NULL;
	unsigned ncol = 0, i;
	int rows = -1, f;

	if (np > NELEM(pb) || (st = mysql_stmt_init(m)) == NULL)
		return -1;
	if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql)) != 0)
		goto fail;
	memset(pb, 0, sizeof pb);
	for (i = 0; i < np; i++) {
		pb[i].buffer_type = MYSQL_TYPE_STRING;
		pb[i].buffer = (void *)params[i];
		pb[i].buffer_length = (unsigned long)strlen(params[i]);
	}
	if ((np > 0 && mysql_stmt_bind_param(st, pb) != 0) || mysql_stmt_execute(st) != 0)
		goto fail;
	if ((ncol = mysql_stmt_field_count(st)) == 0) {
		rows = 0;
		goto done;
	}
	if (ncol > NELEM(rb))
		goto fail;
	{
		my_bool on = 1;

		mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
	}
	if (mysql_stmt_store_result(st) != 0 || (meta = mysql_stmt_result_metadata(st)) == NULL)
		goto fail;
	memset(rb, 0, sizeof rb);
	for (i = 0; i < ncol; i++) {
		size_t cap = mysql_fetch_field_direct(meta, i)->max_length + 1;

		if ((rv[i] = malloc(cap)) == NULL)
			goto fail;
		rb[i].buffer_type = MYSQL_TYPE_STRING;
		rb[i].buffer = rv[i];
		rb[i].buffer_length = (unsigned long)cap;
		rb[i].length = &rlen[i];
		rb[i].is_null = &rnull[i];
	}
	if (mysql_stmt_bind_result(st, rb) != 0)
		goto fail;
	rows = 0;
	while ((f = mysql_stmt_fetch(st)) == 0 || f == MYSQL_DATA_TRUNCATED) {
		char *vals[4];

		for (i = 0; i < ncol; i++) {
			vals[i] = rnull[i] ? NULL : rv[i];
			if (vals[i])
				vals[i][rlen[i] < rb[i].buffer_length ? rlen[i] :
				    rb[i].buffer_length - 1] = '\0';
		}
		rows++;
		if (fn && fn(arg, vals, ncol) != 0)
			break;
	}
	goto done;
fail:
	fprintf(stderr, "MariaDB: %s\n", mysql_stmt_error(st));
	rows = -1;
done:
	if (meta)
		mysql_free_result(meta);
	for (i = 0; i < NELEM(rv); i++)
		free(rv[i]);
	mysql_stmt_close(st);
	return rows;
}

static int
first_value(void *arg, char **vals, size_t ncol)
{
	char *out = arg;

	(void)ncol;
	str_copy(out, 64, vals[0] ? vals[0] : "");
	return 1;
}

static int
collect(void *arg, char **vals, size_t ncol)
{
	(void)ncol;
	return vals[0] ? names_add(arg, vals[0]) : 0;
}

/* mysql_db for the statements that name it: letters, digits and _ only. */
static const char *
db_name(void)
{
	const char *db = config_get("mysql_db", "yichuang");
	size_t i, n = strlen(db);

	for (i = 0; i < n; i++)
		if (!((db[i] >= 'a' && db[i] <= 'z') || (db[i] >= 'A' && db[i] <= 'Z') ||
		    (db[i] >= '0' && db[i] <= '9') || db[i] == '_'))
			break;
	if (n == 0 || n > MIG_DB_MAX || i < n) {
		fprintf(stderr, "mysql_db = %s: migrate needs 1-%d letters, digits or _\n", db,
		    MIG_DB_MAX);
		return NULL;
	}
	return db;
}

/*
 * The account that may change the schema: migrate_user (default root: on Debian the
 * server lets the system's root in by unix_socket, no password anywhere), its password
 * from migrate_password_file when one is named — a file only root reads, never
 * yichuang.conf, which the app's own user reads.
 */
static MYSQL *
connect_dba(int *why)
{
	const char *user = config_get("migrate_user", "root");
	const char *pwfile = config_get("migrate_password_file", "");
	const char *sock = config_get("mysql_socket", "");
	unsigned timeout = 5;
	char pw[256] = "", q[96];
	MYSQL *m;

	*why = MIG_DOWN;
	if (*pwfile) {
		FILE *f = fopen(pwfile, "r");

		if (f == NULL) {
			fprintf(stderr, "migrate_password_file %s: %s\n", pwfile, strerror(errno));
			*why = MIG_USAGE;
			return NULL;
		}
		if (fgets(pw, sizeof pw, f) == NULL)
			pw[0] = '\0';
		fclose(f);
		pw[strcspn(pw, "\r\n")] = '\0';
	}
	if ((m = mysql_init(NULL)) == NULL)
		return NULL;
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (mysql_real_connect(m, *sock ? "localhost" : config_get("mysql_host", "127.0.0.1"),
	    user, *pwfile ? pw : NULL, NULL, (unsigned)config_int("mysql_port", 3306, 1, 65535),
	    *sock ? sock : NULL, CLIENT_MULTI_STATEMENTS) == NULL) {
		fprintf(stderr, "cannot connect to MariaDB as %s (migrate_user): %s\n", user,
		    mysql_error(m));
		memset(pw, 0, sizeof pw);
		mysql_close(m);
		return NULL;
	}
	memset(pw, 0, sizeof pw);
	/*
	 * The hall's zone, as the app's sessions have it.  A DDL statement waits for the
	 * transactions on its table; while it waits, the hall's requests on that table queue
	 * behind it.  So it gives up after migrate_lock_wait seconds (the migration fails, is
	 * not recorded, and can be run again) rather than stall the hall.
	 */
	if (fmt(q, sizeof q, "SET time_zone = '" HALL_UTC_SUFFIX "', lock_wait_timeout = %lld",
	    config_int("migrate_lock_wait", 10, 1, 86400)) < 0 || mysql_query(m, q) != 0) {
		fprintf(stderr, "MariaDB: %s\n", mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

/* Run one script: every statement, in order, stopping at the first that fails. */
static int
run_script(MYSQL *m, const char *label, const char *text, size_t len)
{
	unsigned stmt = 1;
	int st;

	if (mysql_real_query(m, text, (unsigned long)len) != 0) {
		if (mysql_errno(m) == ER_EMPTY_QUERY)
			return 0;		/* comments only */
		goto fail;
	}
	for (;;) {
		MYSQL_RES *r = mysql_store_result(m);

		if (r)
			mysql_free_result(r);
		else if (mysql_field_count(m) != 0)
			goto fail;
		if ((st = mysql_next_result(m)) == -1)
			return 0;
		stmt++;
		if (st > 0)
			goto fail;
	}
fail:
	fprintf(stderr, "%s: statement %u failed: %u %s\n", label, stmt, mysql_errno(m),
	    mysql_error(m));
	return -1;
}

/* schema_migrations has the columns of 107_migration_checksums (a database migrated by an
 * earlier release does not, until that migration runs). */
static int
has_checksums(MYSQL *m)
{
	char n[64] = "";

	return sq(m, "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = "
	    "DATABASE() AND table_name = 'schema_migrations' AND column_name = 'checksum'",
	    NULL, 0, first_value, n) == 1 && strcmp(n, "1") == 0;
}

static int
apply_one(MYSQL *m, const char *db, const char *version, const char *path,
    char sum[2 * SHA256_DIGEST_LENGTH + 1])
{
	const char *p[3] = { version, sum, YC_VERSION };
	int64_t t0 = mono_ms();
	char *text;
	size_t len;
	int rc;

	printf("applying %s\n", version);
	fflush(stdout);
	if (read_text(path, &text, &len) != 0)
		return -1;
	/* Each script starts in the hall's database, whatever the one before did. */
	if (mysql_select_db(m, db) != 0 || run_script(m, path, text, len) != 0) {
		free(text);
		fprintf(stderr, "%s is not recorded: fix it (what it did before the failing "
		    "statement stays) and run migrate again\n", version);
		return -1;
	}
	hex_sha256(text, len, sum);
	free(text);
	if (mysql_select_db(m, db) != 0)
		rc = -1;
	else if (has_checksums(m))
		rc = sq(m, "INSERT INTO schema_migrations (version, applied_at, checksum, "
		    "applied_by) VALUES (?, NOW(), ?, ?)", p, 3, NULL, NULL);
	else
		rc = sq(m, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, NOW())",
		    p, 1, NULL, NULL);
	if (rc < 0) {
		fprintf(stderr, "%s was applied but could not be recorded: %s\n", version,
		    mysql_error(m));
		return -1;
	}
	printf("applied %s (%lld ms)\n", version, (long long)(mono_ms() - t0));
	fflush(stdout);
	return 0;
}

/* ------------------------------------------------------------------ grants */

/*
 * The app's account gets, on every table of the database (its own and any a migration
 * added): SELECT, INSERT, UPDATE, DELETE; on the audit* tables only SELECT, INSERT (and
 * UPDATE, DELETE are taken back in case anyone ever gave them); on schema_migrations only
 * SELECT; on sequences SELECT, INSERT (NEXTVAL inserts); on views SELECT; EXECUTE on the
 * procedures that run with the caller's rights (SQL SECURITY INVOKER: a procedure can do
 * nothing the account could not do statement by statement; a DEFINER one would lend it the
 * migrating account's rights, so it gets no grant); TRIGGER on the tables that carry triggers,
 * because yichuang-admin backup dumps as this account and MariaDB shows a trigger's
 * definition only to an account with TRIGGER on its table (a backup without them would
 * restore the tables bare); and SELECT on mysql.proc when the database has routines, for the
 * same reason: MariaDB (before 11.3's SHOW CREATE ROUTINE) shows a routine's body to another
 * account only through it, and a backup without queue_take_record (migration 134) could not
 * be restored into an empty database.  Grants left on tables that are gone are taken back
 * (a dropped procedure's go with it).  Parameters: the account name (?1, ?3, ?7, ?8, ?11,
 * ?12), the database (?2, ?4, ?5, ?6, ?9, ?10, ?13).
 */
static const char grants_sql[] =
    "SELECT stmt FROM ("
    " SELECT t.table_name AS tn, u.Host AS h, 1 AS ord, CONCAT('GRANT ',"
    "  CASE WHEN t.table_type IN ('BASE TABLE', 'SYSTEM VERSIONED') AND t.table_name LIKE 'audit%'"
    "        THEN 'SELECT, INSERT'"
    "       WHEN t.table_name = 'schema_migrations' THEN 'SELECT'"
    "       WHEN t.table_type IN ('BASE TABLE', 'SYSTEM VERSIONED') THEN 'SELECT, INSERT, UPDATE, DELETE'"
    "       WHEN t.table_type = 'SEQUENCE' THEN 'SELECT, INSERT'"
    "       ELSE 'SELECT' END,"
    "  ' ON `', REPLACE(t.table_schema, '`', '``'), '`.`', REPLACE(t.table_name, '`', '``'),"
    "  '` TO ', QUOTE(u.User), '@', QUOTE(u.Host)) AS stmt"
    " FROM information_schema.tables t JOIN mysql.user u ON u.User = ?"
    " WHERE t.table_schema = ?"
    " UNION ALL"
    " SELECT t.table_name, u.Host, 2, CONCAT('REVOKE UPDATE, DELETE ON `',"
    "  REPLACE(t.table_schema, '`', '``'), '`.`', REPLACE(t.table_name, '`', '``'), '` FROM ',"
    "  QUOTE(u.User), '@', QUOTE(u.Host))"
    " FROM information_schema.tables t JOIN mysql.user u ON u.User = ?"
    " WHERE t.table_schema = ? AND t.table_name LIKE 'audit%'"
    "  AND t.table_type IN ('BASE TABLE', 'SYSTEM VERSIONED')"
    " UNION ALL"
    " SELECT p.Table_name, p.Host, 3, CONCAT('REVOKE ALL PRIVILEGES ON `',"
    "  REPLACE(p.Db, '`', '``'), '`.`', REPLACE(p.Table_name, '`', '``'), '` FROM ',"
    "  QUOTE(p.User), '@', QUOTE(p.Host))"
    " FROM mysql.tables_priv p"
    " WHERE p.Db = ? AND NOT EXISTS (SELECT 1 FROM information_schema.tables t"
    "  WHERE t.table_schema = ? AND BINARY t.table_name = BINARY p.Table_name)"
    "  AND p.User = ?"
    " UNION ALL"
    " SELECT r.routine_name, u.Host, 4, CONCAT('GRANT EXECUTE ON PROCEDURE `',"
    "  REPLACE(r.routine_schema, '`', '``'), '`.`', REPLACE(r.routine_name, '`', '``'),"
    "  '` TO ', QUOTE(u.User), '@', QUOTE(u.Host))"
    " FROM information_schema.routines r JOIN mysql.user u ON u.User = ?"
    " WHERE r.routine_schema = ? AND r.routine_type = 'PROCEDURE'"
    "  AND r.security_type = 'INVOKER'"
    " UNION ALL"
    " SELECT tr.tn, u.Host, 5, CONCAT('GRANT TRIGGER ON `',"
    "  REPLACE(tr.ts, '`', '``'), '`.`', REPLACE(tr.tn, '`', '``'),"
    "  '` TO ', QUOTE(u.User), '@', QUOTE(u.Host))"
    " FROM (SELECT DISTINCT event_object_schema AS ts, event_object_table AS tn"
    "  FROM information_schema.triggers WHERE event_object_schema = ?) tr"
    " JOIN mysql.user u ON u.User = ?"
    " UNION ALL"
    " SELECT 'mysql.proc', u.Host, 6, CONCAT('GRANT SELECT ON `mysql`.`proc` TO ',"
    "  QUOTE(u.User), '@', QUOTE(u.Host))"
    " FROM mysql.user u WHERE u.User = ? AND EXISTS (SELECT 1 FROM information_schema.routines r"
    "  WHERE r.routine_schema = ?)"
    ") g ORDER BY tn, h, ord";

struct grant_run {
	MYSQL	*m;
	int	 done, failed;
};

static int
grant_one(void *arg, char **vals, size_t ncol)
{
	struct grant_run *g = arg;

	(void)ncol;
	if (vals[0] == NULL)
		return 0;
	if (mysql_query(g->m, vals[0]) != 0) {
		fprintf(stderr, "%s: %s\n", vals[0], mysql_error(g->m));
		g->failed = 1;
		return 1;
	}
	g->done++;
	return 0;
}

static int
grants_on(MYSQL *m, const char *db)
{
	const char *app = config_get("mysql_user", "yichuang");
	const char *p1[1] = { app };
	const char *p11[13] = { app, db, app, db, db, db, app, app, db, db, app, app, db };
	struct grant_run g = { m, 0, 0 };
	struct names hosts;
	size_t i;

	memset(&hosts, 0, sizeof hosts);
	if (sq(m, "SELECT Host FROM mysql.user WHERE User = ? ORDER BY Host", p1, 1, collect,
	    &hosts) < 0) {
		names_free(&hosts);
		return MIG_FAILED;
	}
	if (hosts.n == 0) {
		fprintf(stderr, "the app's account %s (mysql_user) does not exist yet: no grants "
		    "made.  Create it (e.g. CREATE USER '%s'@'localhost' IDENTIFIED VIA unix_socket)"
		    " and run yichuang-admin grants\n", app, app);
		names_free(&hosts);
		return MIG_FAILED;
	}
	if (sq(m, grants_sql, p11, 13, grant_one, &g) < 0 || g.failed) {
		names_free(&hosts);
		return MIG_FAILED;
	}
	printf("grants: %d statements for %s at", g.done, app);
	for (i = 0; i < hosts.n; i++)
		printf(" %s", hosts.v[i]);
	printf("\n");
	names_free(&hosts);
	return MIG_OK;
}

/* ------------------------------------------------------------------ checksums */

struct drift {
	const char	*dir;
	int		 changed;
};

static int
check_one(void *arg, char **vals, size_t ncol)
{
	struct drift *d = arg;
	char path[1024], sum[2 * SHA256_DIGEST_LENGTH + 1], *text;
	size_t len;
	FILE *f;

	(void)ncol;
	if (vals[0] == NULL || vals[1] == NULL || strncmp(vals[0], "seed:", 5) == 0 ||
	    fmt(path, sizeof path, "%s/%s.sql", d->dir, vals[0]) < 0)
		return 0;
	if ((f = fopen(path, "r")) == NULL)
		return 0;		/* a newer release's: not ours to judge */
	fclose(f);
	if (read_text(path, &text, &len) != 0)
		return 0;
	hex_sha256(text, len, sum);
	free(text);
	if (strcmp(sum, vals[1]) != 0) {
		printf("warning: %s.sql has changed since it was applied on %s (by %s): a hall "
		    "that applied it will never run the change; write a new migration instead\n",
		    vals[0], vals[2] ? vals[2] : "?", vals[3] ? vals[3] : "?");
		d->changed++;
	}
	return 0;
}

/* Warn about every applied migration whose file no longer matches what was applied. */
static void
check_drift(MYSQL *m, const char *dir)
{
	struct drift d = { dir, 0 };

	if (has_checksums(m))
		sq(m, "SELECT version, checksum, applied_at, applied_by FROM schema_migrations "
		    "WHERE checksum IS NOT NULL ORDER BY version", NULL, 0, check_one, &d);
}

/* ------------------------------------------------------------------ migrate */

/*
 * The lock, taken before anything is read: GET_LOCK(name, 0) answers at once.  A lock
 * someone holds is reported with their connection id (SHOW PROCESSLIST shows who).
 */
static int
lock_take(MYSQL *m, const char *lock)
{
	const char *p[1] = { lock };
	char got[64] = "", holder[64] = "";

	if (sq(m, "SELECT GET_LOCK(?, 0)", p, 1, first_value, got) != 1)
		return MIG_FAILED;
	if (strcmp(got, "1") == 0)
		return MIG_OK;
	sq(m, "SELECT IS_USED_LOCK(?)", p, 1, first_value, holder);
	fprintf(stderr, "another yichuang-admin migrate is running on this database (it holds "
	    "the lock %s, MariaDB connection %s): nothing was done; run migrate again once it "
	    "has finished\n", lock, *holder ? holder : "?");
	return MIG_BUSY;
}

static int
migrate_open(MYSQL **out, char *lock, size_t lsz, const char **dbp)
{
	const char *db = db_name();
	int rc, why;
	MYSQL *m;
	char q[160];

	*out = NULL;
	if (db == NULL)
		return MIG_USAGE;
	if ((m = connect_dba(&why)) == NULL)
		return why;
	fmt(lock, lsz, "yichuang-migrate:%s", db);
	if ((rc = lock_take(m, lock)) != MIG_OK) {
		mysql_close(m);
		return rc;
	}
	/* The name was checked (db_name): letters, digits and _ need no quoting. */
	if (fmt(q, sizeof q, "CREATE DATABASE IF NOT EXISTS `%s` CHARACTER SET utf8mb4 "
	    "COLLATE utf8mb4_unicode_ci", db) < 0 || mysql_query(m, q) != 0 ||
	    mysql_select_db(m, db) != 0 ||
	    mysql_query(m, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version VARCHAR(64) NOT NULL PRIMARY KEY,"
	    " applied_at DATETIME NOT NULL"
	    ") ENGINE=InnoDB") != 0) {
		fprintf(stderr, "MariaDB: %s\n", mysql_error(m));
		mysql_close(m);
		return MIG_FAILED;
	}
	*out = m;
	*dbp = db;
	return MIG_OK;
}

static void
migrate_close(MYSQL *m, const char *lock)
{
	const char *p[1] = { lock };

	sq(m, "SELECT RELEASE_LOCK(?)", p, 1, NULL, NULL);
	mysql_close(m);
}

/*
 * Migrations applied in this run before 107_migration_checksums gave schema_migrations its
 * checksum column were recorded without one: they get theirs now (a fresh install records
 * every file's).
 */
static void
record_sums(MYSQL *m, const struct names *done, const struct names *sums)
{
	size_t i;

	if (done->n == 0 || !has_checksums(m))
		return;
	for (i = 0; i < done->n; i++) {
		const char *p[3] = { sums->v[i], YC_VERSION, done->v[i] };

		sq(m, "UPDATE schema_migrations SET checksum = ?, applied_by = ? WHERE version = ? "
		    "AND checksum IS NULL", p, 3, NULL, NULL);
	}
}

int
migrate_run(const char *const *seeds, size_t nseeds)
{
	const char *dir = config_get("migrations_dir", "sql/migrations"), *db = NULL;
	struct names files, applied, done, sums;
	char sum[2 * SHA256_DIGEST_LENGTH + 1];
	char lock[96], path[1024], err[1200];
	size_t i, unknown = 0;
	int rc, napplied = 0;
	MYSQL *m;

	memset(&applied, 0, sizeof applied);
	memset(&done, 0, sizeof done);
	memset(&sums, 0, sizeof sums);
	if (list_dir(dir, &files, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return MIG_USAGE;
	}
	if ((rc = migrate_open(&m, lock, sizeof lock, &db)) != MIG_OK) {
		names_free(&files);
		return rc;
	}
	printf("migrate: database %s, %zu migrations in %s\n", db, files.n, dir);
	if (sq(m, "SELECT version FROM schema_migrations ORDER BY version", NULL, 0, collect,
	    &applied) < 0) {
		rc = MIG_FAILED;
		goto out;
	}
	for (i = 0; i < files.n && rc == MIG_OK; i++) {
		if (names_has(&applied, files.v[i]))
			continue;
		if (fmt(path, sizeof path, "%s/%s.sql", dir, files.v[i]) < 0 ||
		    apply_one(m, db, files.v[i], path, sum) != 0)
			rc = MIG_FAILED;
		else {
			napplied++;
			if (names_add(&done, files.v[i]) == 0 && names_add(&sums, sum) != 0)
				done.n--;
		}
	}
	for (i = 0; i < nseeds && rc == MIG_OK; i++) {
		const char *base = strrchr(seeds[i], '/');
		char version[MIG_NAME_MAX + 1];
		size_t l;

		base = base ? base + 1 : seeds[i];
		l = strlen(base);
		if (l > 4 && strcmp(base + l - 4, ".sql") == 0)
			l -= 4;
		if (l + 5 > MIG_NAME_MAX || !version_ok(base, l)) {
			fprintf(stderr, "%s: a seed's name is 1-59 letters, digits, _ . : -\n",
			    seeds[i]);
			rc = MIG_USAGE;
			break;
		}
		fmt(version, sizeof version, "seed:%.*s", (int)l, base);
		if (names_has(&applied, version))
			continue;
		if (apply_one(m, db, version, seeds[i], sum) != 0)
			rc = MIG_FAILED;
		else {
			napplied++;
			if (names_add(&done, version) == 0 && names_add(&sums, sum) != 0)
				done.n--;
		}
	}
	record_sums(m, &done, &sums);
	/* Versions this release has no file for: a newer release migrated the database.  Its
	 * migrations only added (the rule), so this release's programs still work on it. */
	for (i = 0; i < applied.n; i++)
		if (strncmp(applied.v[i], "seed:", 5) != 0 && !names_has(&files, applied.v[i]))
			unknown++;
	if (unknown)
		printf("note: the database has %zu migration(s) this release does not have "
		    "(a newer release applied them)\n", unknown);
	if (rc == MIG_OK)
		check_drift(m, dir);
	if (rc == MIG_OK)
		rc = grants_on(m, db);
	if (rc == MIG_OK)
		printf("migrate: %d applied, none pending\n", napplied);
	else
		fprintf(stderr, "migrate: stopped after %d applied\n", napplied);
out:
	migrate_close(m, lock);
	names_free(&files);
	names_free(&applied);
	names_free(&done);
	names_free(&sums);
	return rc;
}

int
migrate_grants(void)
{
	const char *db = NULL;
	char lock[96];
	MYSQL *m;
	int rc;

	if ((rc = migrate_open(&m, lock, sizeof lock, &db)) != MIG_OK)
		return rc;
	rc = grants_on(m, db);
	migrate_close(m, lock);
	return rc;
}

/* ------------------------------------------------------------------ start-up check */

static int
collect_row(void *arg, size_t ncol, char **vals, const size_t *lens)
{
	(void)ncol;
	(void)lens;
	return vals[0] && names_add(arg, vals[0]) != 0;
}

int
migrate_pending(struct ctx *c, char *first, size_t fsz)
{
	const char *dir = config_get("migrations_dir", "sql/migrations");
	struct names files, applied;
	char err[1200];
	size_t i;
	int n = 0, rc;

	first[0] = '\0';
	if (list_dir(dir, &files, err, sizeof err) != 0) {
		log_warn("%s", err);
		return -1;
	}
	memset(&applied, 0, sizeof applied);
	rc = db_query(c, "SELECT version FROM schema_migrations", DBNOARGS, collect_row,
	    &applied);
	if (rc == DB_DOWN) {
		names_free(&files);
		names_free(&applied);
		return -1;
	}
	/* Any other refusal (no such table, no privilege on it): nothing usable was ever
	 * migrated here, so every migration is pending. */
	for (i = 0; i < files.n; i++)
		if (!names_has(&applied, files.v[i]) && n++ == 0)
			str_copy(first, fsz, files.v[i]);
	names_free(&files);
	names_free(&applied);
	return n;
}
