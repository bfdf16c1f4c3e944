/*
 * restore.c — yichuang-admin restore (see backup.h): a backup made by backup.c brought back
 * into an instance, in six steps, each checked before the next: (1) the backup is whole and
 * the passphrase opens its key — nothing changes before that; (2) the target has the same
 * schema (or none) and no records of its own (unless --force), and Redis answers; (3) the
 * records, each table then counted against the manifest; (4) the key, installed only once it
 * opens the restored records; (5) the uploaded files; (6) Redis cleared, so the hall is
 * rebuilt from the restored records.
 *
 * Tables: every table of the dump (replaced), schema_migrations (compared).  Redis: FLUSHDB.
 */
#include "backup.h"
#include "backup_parts.h"
#include "../../fcgi/config.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/util.h"
#include "../shared/pii.h"
#include "../../fcgi/keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One restore's state, from step to step. */
struct restore {
	const struct backup_opts *o;
	json_t		*man;			/* owned */
	json_t		*files, *tables, *want_mig;	/* members of man */
	unsigned char	 key[KEY_MAX + 1];	/* wiped at the end */
	size_t		 klen;
	int		 has_tar;		/* 0: the backup has uploads.tar */
	double		 t_import;
	long long	 uploads;
	char		 defaults[600];		/* --defaults-file= of the MariaDB client */
	int		 optfd;
};

static int
check_file(json_t *files, const char *dir, const char *name, int required)
{
	json_t *f = json_object_get(files, name);
	char path[1024], hex[65];
	long long bytes;

	if (f == NULL) {
		if (required)
			fprintf(stderr, "the manifest lists no %s\n", name);
		return required ? -1 : 1;
	}
	if (backup_path_in(path, sizeof path, dir, name) != 0 ||
	    backup_sha256_file(path, hex, &bytes) != 0) {
		fprintf(stderr, "%s is missing or unreadable\n", path);
		return -1;
	}
	if (bytes != json_integer_value(json_object_get(f, "bytes")) ||
	    json_string_value(json_object_get(f, "sha256")) == NULL ||
	    strcmp(hex, json_string_value(json_object_get(f, "sha256"))) != 0) {
		fprintf(stderr, "%s is damaged: its size or SHA-256 is not what the manifest says\n",
		    path);
		return -1;
	}
	return 0;
}

/* Write the restored key file: beside key_file, checked, then in its place (the one it
 * replaces is kept as <key_file>.before-restore).  0 or -1. */
static int
install_key(struct ctx *c, const struct backup_opts *o, const unsigned char *key, size_t klen)
{
	char kpath[512], tmp[600], old[600];
	unsigned char cur[KEY_MAX];
	size_t clen = 0;
	int tried = 0, kept = 0, rc;

	str_copy(kpath, sizeof kpath, config_get("key_file", ""));
	if (kpath[0] == '\0' || fmt(tmp, sizeof tmp, "%s.restore", kpath) < 0 ||
	    fmt(old, sizeof old, "%s.before-restore", kpath) < 0) {
		fprintf(stderr, "key_file is not configured\n");
		return -1;
	}
	if (backup_write_file(tmp, key, klen, 0600) != 0) {
		fprintf(stderr, "cannot write %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	config_set("key_file", tmp);
	rc = pii_init() == 0 ? backup_samples_open(c, o->samples, &tried) : -1;
	config_set("key_file", kpath);
	if (rc != 0) {
		fprintf(stderr, "the key in the backup does not open the restored records\n");
		unlink(tmp);
		pii_init();
		return -1;
	}
	if (keyfile_read_text(kpath, cur, sizeof cur, &clen) == 0 &&
	    (clen != klen || memcmp(cur, key, klen) != 0)) {
		if (rename(kpath, old) != 0) {
			fprintf(stderr, "cannot keep the old key as %s: %s\n", old, strerror(errno));
			unlink(tmp);
			return -1;
		}
		kept = 1;
	}
	sodium_memzero(cur, sizeof cur);
	if (rename(tmp, kpath) != 0) {
		fprintf(stderr, "cannot install %s: %s\n", kpath, strerror(errno));
		return -1;
	}
	pii_init();
	printf("key_file %s restored: %d sealed values of the restored records open with it\n",
	    kpath, tried);
	if (kept)
		printf("the key it replaces is kept as %s\n", old);
	return 0;
}

/* 1. The backup is whole and the passphrase opens its key: nothing changes before.  0/-1. */
static int
restore_open(struct restore *rs)
{
	const struct backup_opts *o = rs->o;
	unsigned char sealed[KEY_MAX + 128];
	char path[1024];
	size_t slen = 0;
	json_error_t jerr;
	int pk;

	if (backup_path_in(path, sizeof path, o->dir, "manifest.json") != 0)
		return -1;
	if ((rs->man = json_load_file(path, 0, &jerr)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, jerr.text);
		return -1;
	}
	if (json_string_value(json_object_get(rs->man, "format")) == NULL ||
	    strcmp(json_string_value(json_object_get(rs->man, "format")), FORMAT) != 0) {
		fprintf(stderr, "%s is not a %s manifest\n", path, FORMAT);
		return -1;
	}
	rs->files = json_object_get(rs->man, "files");
	rs->tables = json_object_get(rs->man, "tables");
	rs->want_mig = json_object_get(rs->man, "migrations");
	if (!json_is_object(rs->files) || !json_is_object(rs->tables) ||
	    !json_is_array(rs->want_mig)) {
		fprintf(stderr, "%s is incomplete\n", path);
		return -1;
	}
	if (check_file(rs->files, o->dir, "db.sql.gz", 1) != 0 ||
	    check_file(rs->files, o->dir, "key.sealed", 1) != 0 ||
	    (rs->has_tar = check_file(rs->files, o->dir, "uploads.tar", 0)) < 0)
		return -1;
	if (backup_path_in(path, sizeof path, o->dir, "key.sealed") != 0 ||
	    backup_read_small(path, sealed, sizeof sealed, &slen) != 0)
		return -1;
	if ((pk = backup_key_open(sealed, slen, o->passphrase, rs->key, sizeof rs->key,
	    &rs->klen)) != 0) {
		fprintf(stderr, pk == -2 ? "wrong passphrase: the key cannot be opened; nothing was"
		    " changed\n" : "key.sealed is damaged; nothing was changed\n");
		return -1;
	}
	return 0;
}

/* 2. The target: same schema (or none), no records of its own, Redis reachable.  0/-1. */
static int
restore_check_target(struct ctx *c, struct restore *rs)
{
	json_t *have_mig = json_array();
	long long target_tables = 0, records = 0;
	char n[32];
	int rc = -1;

	if (db_scalar(c, "SELECT COUNT(*) FROM information_schema.tables"
	    " WHERE table_schema = DATABASE()", DBNOARGS, n, sizeof n) != 1 ||
	    parse_ll(n, 0, INT64_MAX, &target_tables) != 0) {
		fprintf(stderr, "cannot read the target database\n");
		goto out;
	}
	if (target_tables > 0) {
		if (db_query(c, "SELECT version FROM schema_migrations ORDER BY version", DBNOARGS,
		    backup_migration_row, have_mig) < 0 || !json_equal(have_mig, rs->want_mig)) {
			fprintf(stderr, "the target database is at other migrations than the backup"
			    " (%zu here, %zu in the backup): restore into an instance of the version"
			    " that made it (%s), then upgrade\n", json_array_size(have_mig),
			    json_array_size(rs->want_mig),
			    json_string_value(json_object_get(rs->man, "version")));
			goto out;
		}
		if (db_scalar(c, rs->o->records_sql, DBNOARGS, n, sizeof n) != 1 ||
		    parse_ll(n, 0, INT64_MAX, &records) != 0) {
			fprintf(stderr, "cannot count the records of the target database\n");
			goto out;
		}
		if (records > 0 && !rs->o->force) {
			fprintf(stderr, "the target database holds %lld records of its own (tickets,"
			    " bookings, cases, citizens …): restore replaces them only with --force\n",
			    records);
			goto out;
		}
	}
	if (kv_ping(c) != 0) {
		fprintf(stderr, "Redis is not reachable: restore clears it, so that the hall is"
		    " rebuilt from the restored records\n");
		goto out;
	}
	rc = 0;
out:
	json_decref(have_mig);
	return rc;
}

/* 3. The records: gzip -dc | mariadb, then every table counted against the manifest. */
static int
restore_import(struct ctx *c, struct restore *rs)
{
	const char *db = config_get("mysql_db", "yichuang"), *name;
	char path[1024];
	const char *gz_argv[] = { "gzip", "-dc", "--", path, NULL };
	const char *sql_argv[] = { "mariadb", rs->defaults, "--default-character-set=utf8mb4",
	    "--batch", "--", db, NULL };
	int p[2], mismatch = 0;
	pid_t gz, sql;
	double t1 = backup_now_s();
	json_t *v;

	if (backup_client_options(rs->o, rs->defaults, sizeof rs->defaults, &rs->optfd) != 0)
		return -1;
	if (backup_path_in(path, sizeof path, rs->o->dir, "db.sql.gz") != 0 ||
	    pipe2(p, O_CLOEXEC) != 0)
		return -1;
	printf("restoring %s into database %s …\n", rs->o->dir, db);
	fflush(stdout);
	gz = backup_run(gz_argv, -1, p[1], -1);
	sql = backup_run(sql_argv, p[0], -1, rs->optfd);
	close(p[0]);
	close(p[1]);
	if ((backup_reap(gz, "gzip", 0) | backup_reap(sql, "mariadb", 0)) != 0) {
		fprintf(stderr, "the import failed: the database may be half restored; fix the"
		    " cause and run restore again with --force\n");
		return -1;
	}
	rs->t_import = backup_now_s() - t1;
	db_drop(c);	/* tables were replaced under its prepared statements */
	json_object_foreach(rs->tables, name, v) {
		long long got;

		if (db_table_rows(c, name, &got) != 0) {
			fprintf(stderr, "table %s: cannot count its rows\n", name);
			mismatch++;
		} else if (got != json_integer_value(v)) {
			fprintf(stderr, "table %s: %lld rows, the backup had %lld\n", name, got,
			    (long long)json_integer_value(v));
			mismatch++;
		}
	}
	if (mismatch) {
		fprintf(stderr, "%d tables differ from the backup\n", mismatch);
		return -1;
	}
	return 0;
}

/* 5. The uploaded files, when the backup has them.  0/-1. */
static int
restore_uploads(struct restore *rs)
{
	const char *up = config_get("upload_dir", "");
	char tar_path[1024];

	if (rs->has_tar != 0)
		return 0;
	if (*up == '\0' || backup_path_in(tar_path, sizeof tar_path, rs->o->dir,
	    "uploads.tar") != 0) {
		fprintf(stderr, "upload_dir is not configured: the uploads were not restored\n");
		return -1;
	}
	if (mkdir(up, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "cannot create %s: %s\n", up, strerror(errno));
		return -1;
	}
	{
		const char *argv[] = { "tar", "-C", up, "-xf", tar_path, NULL };

		if (backup_reap(backup_run(argv, -1, -1, -1), "tar", 0) != 0)
			return -1;
	}
	rs->uploads = json_integer_value(json_object_get(rs->man, "uploads"));
	return 0;
}

/* 6. Redis: everything in it described the hall before; it is rebuilt from MariaDB. */
static int
restore_clear_redis(struct ctx *c)
{
	redisReply *r;

	if ((r = kv_cmd(c, "FLUSHDB")) == NULL || r->type == REDIS_REPLY_ERROR) {
		fprintf(stderr, "Redis FLUSHDB failed: flush it by hand before starting the app\n");
		if (r)
			freeReplyObject(r);
		return -1;
	}
	freeReplyObject(r);
	return 0;
}

int
backup_restore(struct ctx *c, const struct backup_opts *o)
{
	struct restore rs;
	double t0 = backup_now_s();
	int rc = 1;

	memset(&rs, 0, sizeof rs);
	rs.o = o;
	rs.optfd = -1;
	signal(SIGPIPE, SIG_IGN);
	if (restore_open(&rs) != 0 || restore_check_target(c, &rs) != 0 ||
	    restore_import(c, &rs) != 0 ||
	    install_key(c, o, rs.key, rs.klen) != 0 ||	/* 4. checked against the records */
	    restore_uploads(&rs) != 0 || restore_clear_redis(c) != 0)
		goto out;
	printf("restored %zu tables, %lld rows (each table as in the backup), %lld uploaded files;"
	    " Redis cleared; import %.1f s, total %.1f s\n", json_object_size(rs.tables),
	    (long long)json_integer_value(json_object_get(rs.man, "rows")), rs.uploads,
	    rs.t_import, backup_now_s() - t0);
	rc = 0;
out:
	sodium_memzero(rs.key, sizeof rs.key);
	if (rs.optfd >= 0)
		close(rs.optfd);
	json_decref(rs.man);
	return rc;
}
