/*
 * backup.c — yichuang-admin backup (see backup.h; the restore is restore.c, and what the two
 * share is declared in backup_parts.h).
 *
 * The MariaDB tools run as child processes with an argument vector (no shell).  They get
 * their account from an option file: the operator's (--mysql-defaults, e.g. a DBA account for
 * restore, which creates tables), or one written into an anonymous memory file (memfd) from
 * yichuang.conf — so no password is ever on a command line, in the environment or on disk.
 *
 * Backup pipeline: mariadb-dump → this process → gzip → db.sql.gz.  Passing through here
 * lets the manifest record the exact number of rows of every table *in the snapshot the dump
 * read* (a COUNT(*) of our own would see another moment while the hall keeps working), and
 * the restore checks the restored tables against those numbers.
 */
#include "backup.h"
#include "backup_parts.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../fcgi/keyfile.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"
#include "../shared/pii.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <mysql.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef YC_VERSION
#define YC_VERSION "dev"
#endif

#define KEY_MAGIC	"YCKEY01"	/* 8 bytes with its NUL */
#define MANIFEST_MAX	(4 * 1024 * 1024)

double
backup_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
backup_path_in(char *out, size_t osz, const char *dir, const char *name)
{
	if (fmt(out, osz, "%s/%s", dir, name) < 0) {
		fprintf(stderr, "path too long: %s/%s\n", dir, name);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ passphrase */

int
backup_passphrase(const char *file, char *out, size_t osz, int confirm)
{
	struct termios old, quiet;
	int tty = 0, rc = -1;
	FILE *f = stdin;
	size_t n;

	if (file != NULL && (f = fopen(file, "r")) == NULL) {
		fprintf(stderr, "cannot read the passphrase file %s: %s\n", file, strerror(errno));
		return -1;
	}
	if (file == NULL && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0) {
		tty = 1;
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		fprintf(stderr, "passphrase: ");
	}
	if (fgets(out, (int)osz, f) != NULL) {
		n = strcspn(out, "\r\n");
		if (out[n] == '\0' && n == osz - 1 && !feof(f))
			fprintf(stderr, "the passphrase is longer than %zu bytes\n", osz - 2);
		else {
			out[n] = '\0';
			rc = 0;
		}
	} else
		fprintf(stderr, "a passphrase is expected %s\n", file ? "in the file" :
		    "on standard input");
	if (rc == 0 && tty && confirm) {
		char again[512];

		fprintf(stderr, "\nagain: ");
		if (fgets(again, sizeof again, f) == NULL ||
		    (again[strcspn(again, "\r\n")] = '\0', strcmp(again, out) != 0)) {
			fprintf(stderr, "\nthe two passphrases differ\n");
			rc = -1;
		}
		sodium_memzero(again, sizeof again);
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	if (file != NULL)
		fclose(f);
	if (rc != 0)
		sodium_memzero(out, osz);
	return rc;
}

/* ------------------------------------------------------------------ child processes */

/* Run argv with stdin from in (-1: /dev/null) and stdout to out (-1: ours); keep (-1: none)
 * stays open in it (the option file).  The pid, or -1. */
pid_t
backup_run(const char *const *argv, int in, int out, int keep)
{
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr, "fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (in < 0)
			in = open("/dev/null", O_RDONLY);
		if (in >= 0 && in != STDIN_FILENO)
			dup2(in, STDIN_FILENO);
		if (out >= 0 && out != STDOUT_FILENO)
			dup2(out, STDOUT_FILENO);
		if (keep >= 0)
			fcntl(keep, F_SETFD, 0);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Wait for pid; 0 when it exited with a status of at most ok_max. */
int
backup_reap(pid_t pid, const char *name, int ok_max)
{
	int st;

	if (pid < 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) <= ok_max)
		return 0;
	if (WIFEXITED(st))
		fprintf(stderr, "%s failed (exit status %d)\n", name, WEXITSTATUS(st));
	else
		fprintf(stderr, "%s failed (signal %d)\n", name, WTERMSIG(st));
	return -1;
}

/* An option value in double quotes: the format's escapes for backslash. */
static int
opt_value(struct buf *b, const char *key, const char *v)
{
	if (strpbrk(v, "\r\n\"") != NULL) {
		fprintf(stderr, "the %s in the configuration cannot go into an option file\n", key);
		return -1;
	}
	buf_addf(b, "%s=\"", key);
	for (; *v; v++)
		buf_adds(b, *v == '\\' ? "\\\\" : (char[2]){ *v, 0 });
	buf_adds(b, "\"\n");
	return 0;
}

/*
 * The option file for the mariadb tools: --defaults-file=<path> (always their first
 * argument).  *fd is the memfd to keep open in the child, or -1.  0 or -1.
 */
int
backup_client_options(const struct backup_opts *o, char *arg, size_t asz, int *fd)
{
	const char *sock = config_get("mysql_socket", "");
	struct buf b;
	int rc = -1;

	*fd = -1;
	if (o->mysql_defaults != NULL) {
		if (access(o->mysql_defaults, R_OK) != 0) {
			fprintf(stderr, "cannot read %s: %s\n", o->mysql_defaults, strerror(errno));
			return -1;
		}
		return fmt(arg, asz, "--defaults-file=%s", o->mysql_defaults) < 0 ? -1 : 0;
	}
	buf_init(&b, 8192);
	buf_adds(&b, "[client]\n");
	if (opt_value(&b, "user", config_get("mysql_user", "yichuang")) != 0 ||
	    opt_value(&b, "password", config_get("mysql_password", "")) != 0)
		goto out;
	if (*sock) {
		if (opt_value(&b, "socket", sock) != 0)
			goto out;
	} else {
		if (opt_value(&b, "host", config_get("mysql_host", "127.0.0.1")) != 0)
			goto out;
		buf_addf(&b, "port=%lld\n", config_int("mysql_port", 3306, 1, 65535));
	}
	/* Mode 0600: the client ignores an option file anyone may write to. */
	if (b.overflow || (*fd = memfd_create("yichuang-client", MFD_CLOEXEC)) < 0 ||
	    fchmod(*fd, 0600) != 0 || write(*fd, b.data, b.len) != (ssize_t)b.len ||
	    fmt(arg, asz, "--defaults-file=/dev/fd/%d", *fd) < 0) {
		fprintf(stderr, "cannot prepare the MariaDB client options: %s\n", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(b.data, b.cap);
	buf_free(&b);
	if (rc != 0 && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

/* ------------------------------------------------------------------ files */

int
backup_sha256_file(const char *path, char hex[65], long long *bytes)
{
	crypto_hash_sha256_state st;
	unsigned char d[crypto_hash_sha256_BYTES], buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*bytes = 0;
	if (fd < 0)
		return -1;
	crypto_hash_sha256_init(&st);
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
		*bytes += n;
	}
	close(fd);
	if (n < 0)
		return -1;
	crypto_hash_sha256_final(&st, d);
	hex_encode(hex, d, sizeof d);
	return 0;
}

int
backup_write_file(const char *path, const void *p, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, p, n) == (ssize_t)n && fsync(fd) == 0;
	if (close(fd) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

int
backup_read_small(const char *path, unsigned char *out, size_t osz, size_t *n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	*n = 0;
	if (fd < 0)
		return -1;
	while ((r = read(fd, out + *n, osz - *n)) > 0)
		*n += (size_t)r;
	close(fd);
	if (r < 0 || *n == osz)
		return -1;	/* unreadable, or larger than it may be */
	return 0;
}

static int
fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Remove DIR.partial and what it holds (a failed backup leaves nothing). */
static void
remove_partial(const char *dir)
{
	static const char *const names[] = { "manifest.json", "db.sql.gz", "key.sealed",
	    "uploads.tar" };
	char p[1024];
	size_t i;

	for (i = 0; i < NELEM(names); i++)
		if (backup_path_in(p, sizeof p, dir, names[i]) == 0)
			unlink(p);
	rmdir(dir);
}

/* ------------------------------------------------------------------ the key */

static void
le64(unsigned char *p, unsigned long long v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static unsigned long long
get_le64(const unsigned char *p)
{
	unsigned long long v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

#define KEY_HEAD (8 + 8 + 8 + crypto_pwhash_SALTBYTES + crypto_secretbox_NONCEBYTES)

/* Seal the key file's bytes under the passphrase into out.  Its length, or -1. */
static int
key_seal(const unsigned char *key, size_t klen, const char *pass, unsigned char *out,
    size_t osz)
{
	unsigned char k[crypto_secretbox_KEYBYTES];
	unsigned long long ops = crypto_pwhash_OPSLIMIT_MODERATE;
	size_t mem = crypto_pwhash_MEMLIMIT_MODERATE;
	unsigned char *salt = out + 24, *nonce = out + 24 + crypto_pwhash_SALTBYTES;

	if (osz < KEY_HEAD + crypto_secretbox_MACBYTES + klen)
		return -1;
	memcpy(out, KEY_MAGIC, 8);
	le64(out + 8, ops);
	le64(out + 16, (unsigned long long)mem);
	randombytes_buf(salt, crypto_pwhash_SALTBYTES);
	randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
	if (crypto_pwhash(k, sizeof k, pass, strlen(pass), salt, ops, mem,
	    crypto_pwhash_ALG_ARGON2ID13) != 0) {
		fprintf(stderr, "Argon2id needs %zu MiB of memory: not available\n",
		    mem / (1024 * 1024));
		return -1;
	}
	crypto_secretbox_easy(out + KEY_HEAD, key, klen, nonce, k);
	sodium_memzero(k, sizeof k);
	return (int)(KEY_HEAD + crypto_secretbox_MACBYTES + klen);
}

/* Open a sealed key; the key file's bytes into out (NUL-terminated).  0, -1 (damaged or
 * another format) or -2 (wrong passphrase). */
int
backup_key_open(const unsigned char *in, size_t n, const char *pass, unsigned char *out,
    size_t osz, size_t *olen)
{
	unsigned char k[crypto_secretbox_KEYBYTES];
	unsigned long long ops, mem;
	size_t clen;

	if (n < KEY_HEAD + crypto_secretbox_MACBYTES || memcmp(in, KEY_MAGIC, 8) != 0)
		return -1;
	ops = get_le64(in + 8);
	mem = get_le64(in + 16);
	/* The header is not secret but could be changed: no absurd work from it. */
	if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > 4 * crypto_pwhash_OPSLIMIT_SENSITIVE ||
	    mem < crypto_pwhash_MEMLIMIT_MIN || mem > 4ULL * crypto_pwhash_MEMLIMIT_SENSITIVE)
		return -1;
	clen = n - KEY_HEAD;
	if (clen - crypto_secretbox_MACBYTES + 1 > osz)
		return -1;
	if (crypto_pwhash(k, sizeof k, pass, strlen(pass), in + 24, ops, (size_t)mem,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -1;
	if (crypto_secretbox_open_easy(out, in + KEY_HEAD, clen,
	    in + 24 + crypto_pwhash_SALTBYTES, k) != 0) {
		sodium_memzero(k, sizeof k);
		return -2;
	}
	sodium_memzero(k, sizeof k);
	*olen = clen - crypto_secretbox_MACBYTES;
	out[*olen] = '\0';
	return 0;
}

/* How many sampled sealed values the loaded key opens (*tried: how many there were). */
struct sample_count {
	int	 tried, opened;
};

static int
sample_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct sample_count *s = arg;
	char plain[256];

	(void)ncol;
	if (v[0] == NULL || lens[0] == 0)
		return 0;
	s->tried++;
	if (pii_open((const unsigned char *)v[0], lens[0], plain, sizeof plain) == 0)
		s->opened++;
	sodium_memzero(plain, sizeof plain);
	return 0;
}

/* Every sampled sealed value must open with the key now loaded.  0, -1 (some do not), or a
 * DB_* code.  *n: how many were tried. */
int
backup_samples_open(struct ctx *c, const struct backup_sample *samples, int *n)
{
	const struct backup_sample *s;
	struct sample_count total = { 0, 0 };
	int rc;

	for (s = samples; s && s->sql; s++) {
		struct sample_count one = { 0, 0 };

		if ((rc = db_query(c, s->sql, DBNOARGS, sample_row, &one)) < 0)
			return rc;
		if (one.opened != one.tried)
			fprintf(stderr, "%s: %d of %d sealed values do not open with the key\n",
			    s->what, one.tried - one.opened, one.tried);
		total.tried += one.tried;
		total.opened += one.opened;
	}
	*n = total.tried;
	return total.opened == total.tried ? 0 : -1;
}

/* ------------------------------------------------------------------ counting the dump */

/*
 * Rows of each table in mariadb-dump's output, read as it streams past.  The dump writes
 * "CREATE TABLE `t`" for every table and "INSERT INTO `t` VALUES (…),(…);" statements
 * (extended inserts; 10.11 puts each row on a line of its own, older versions all on one;
 * newlines inside values are escaped); a row is a parenthesised tuple at depth 0 after
 * " VALUES", outside quoted strings ('…' with backslash escapes), up to the ';'.
 */
enum { CT_LINE, CT_SKIP, CT_NAME, CT_PREVAL, CT_ROWS };

struct counter {
	json_t		*tables;	/* name → rows */
	int		 mode, create, depth, in_str, esc, bad;
	char		 pre[16];
	size_t		 npre, vmatch;
	char		 name[65];
	size_t		 nname;
	long long	 rows;
};

static const char ins_pre[] = "INSERT INTO `", crt_pre[] = "CREATE TABLE `", values[] = " VALUES";

static void
count_feed(struct counter *k, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = p[i];

		switch (k->mode) {
		case CT_LINE:
			if (ch == '\n') {
				k->npre = 0;
				break;
			}
			k->pre[k->npre++] = ch;
			if (k->npre <= sizeof ins_pre - 1 && memcmp(k->pre, ins_pre, k->npre) == 0) {
				if (k->npre == sizeof ins_pre - 1) {
					k->mode = CT_NAME;
					k->create = 0;
					k->nname = 0;
				}
			} else if (k->npre <= sizeof crt_pre - 1 &&
			    memcmp(k->pre, crt_pre, k->npre) == 0) {
				if (k->npre == sizeof crt_pre - 1) {
					k->mode = CT_NAME;
					k->create = 1;
					k->nname = 0;
				}
			} else
				k->mode = CT_SKIP;
			break;
		case CT_SKIP:
			if (ch == '\n') {
				k->mode = CT_LINE;
				k->npre = 0;
			}
			break;
		case CT_NAME:
			if (ch != '`') {
				if (k->nname + 1 < sizeof k->name)
					k->name[k->nname++] = ch;
				else
					k->bad = 1;
				break;
			}
			k->name[k->nname] = '\0';
			if (k->create) {
				if (json_object_get(k->tables, k->name) == NULL)
					json_object_set_new(k->tables, k->name, json_integer(0));
				k->mode = CT_SKIP;
			} else {
				k->mode = CT_PREVAL;
				k->vmatch = 0;
			}
			break;
		case CT_PREVAL:
			if (ch == values[k->vmatch]) {
				if (++k->vmatch == sizeof values - 1) {
					k->mode = CT_ROWS;
					k->depth = k->in_str = k->esc = 0;
					k->rows = 0;
				}
			} else
				k->vmatch = ch == ' ' ? 1 : 0;
			break;
		case CT_ROWS:
			if (k->in_str) {
				if (k->esc)
					k->esc = 0;
				else if (ch == '\\')
					k->esc = 1;
				else if (ch == '\'')
					k->in_str = 0;
				break;
			}
			if (ch == '\'')
				k->in_str = 1;
			else if (ch == '(') {
				if (k->depth++ == 0)
					k->rows++;
			} else if (ch == ')')
				k->depth--;
			else if (ch == ';' && k->depth == 0) {
				json_t *t = json_object_get(k->tables, k->name);
				long long had = t ? json_integer_value(t) : 0;

				json_object_set_new(k->tables, k->name, json_integer(had + k->rows));
				k->mode = CT_SKIP;
			}
			break;
		}
		if (k->mode == CT_LINE && k->npre >= sizeof k->pre)
			k->mode = CT_SKIP;
	}
}

/* ------------------------------------------------------------------ backup */

static int
print_engines(void *arg, size_t ncol, char **v, const size_t *lens)
{
	int *n = arg;

	(void)ncol;
	(void)lens;
	fprintf(stderr, "table %s uses %s, not InnoDB: a consistent online backup is not possible\n",
	    v[0] ? v[0] : "?", v[1] ? v[1] : "no engine");
	(*n)++;
	return 0;
}

int
backup_migration_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	(void)ncol;
	(void)lens;
	if (v[0])
		json_array_append_new(arg, json_string(v[0]));
	return 0;
}

/* The dump through this process into gzip: db.sql.gz in dir; rows counted into tables. */
static int
dump_db(const struct backup_opts *o, const char *dir, json_t *tables)
{
	char defaults[600], out_path[1024];
	const char *db = config_get("mysql_db", "yichuang");
	const char *dump_argv[] = { "mariadb-dump", defaults, "--single-transaction", "--quick",
	    "--hex-blob", "--skip-lock-tables", "--no-tablespaces", "--skip-add-locks",
	    "--skip-disable-keys", "--skip-dump-date", "--default-character-set=utf8mb4",
	    "--triggers", "--routines", "--", db, NULL };
	const char *gzip_argv[] = { "gzip", "-c", "-6", NULL };
	struct counter k;
	int dump_out[2] = { -1, -1 }, gz_in[2] = { -1, -1 }, optfd = -1, outfd = -1, rc = -1;
	pid_t dump_pid = -1, gz_pid = -1;
	char buf[65536];
	ssize_t n;

	memset(&k, 0, sizeof k);
	k.tables = tables;
	if (backup_client_options(o, defaults, sizeof defaults, &optfd) != 0 ||
	    backup_path_in(out_path, sizeof out_path, dir, "db.sql.gz") != 0)
		goto out;
	if ((outfd = open(out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 ||
	    pipe2(dump_out, O_CLOEXEC) != 0 || pipe2(gz_in, O_CLOEXEC) != 0) {
		fprintf(stderr, "%s: %s\n", out_path, strerror(errno));
		goto out;
	}
	dump_pid = backup_run(dump_argv, -1, dump_out[1], optfd);
	gz_pid = backup_run(gzip_argv, gz_in[0], outfd, -1);
	close(dump_out[1]);
	close(gz_in[0]);
	dump_out[1] = gz_in[0] = -1;
	while ((n = read(dump_out[0], buf, sizeof buf)) != 0) {
		size_t off = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		count_feed(&k, buf, (size_t)n);
		while (off < (size_t)n) {
			ssize_t w = write(gz_in[1], buf + off, (size_t)n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		if (off < (size_t)n)
			break;	/* gzip is gone: its status says why */
	}
	close(dump_out[0]);
	close(gz_in[1]);
	dump_out[0] = gz_in[1] = -1;
	rc = 0;
	if (backup_reap(dump_pid, "mariadb-dump", 0) != 0)
		rc = -1;
	if (backup_reap(gz_pid, "gzip", 0) != 0)
		rc = -1;
	dump_pid = gz_pid = -1;
	if (rc == 0 && fsync(outfd) != 0)
		rc = -1;
	if (rc == 0 && (k.bad || json_object_size(tables) == 0)) {
		fprintf(stderr, "the dump is not in the form expected (no tables found)\n");
		rc = -1;
	}
out:
	if (dump_pid > 0)
		backup_reap(dump_pid, "mariadb-dump", 0);
	if (gz_pid > 0)
		backup_reap(gz_pid, "gzip", 0);
	if (dump_out[0] >= 0)
		close(dump_out[0]);
	if (dump_out[1] >= 0)
		close(dump_out[1]);
	if (gz_in[0] >= 0)
		close(gz_in[0]);
	if (gz_in[1] >= 0)
		close(gz_in[1]);
	if (outfd >= 0)
		close(outfd);
	if (optfd >= 0)
		close(optfd);
	return rc;
}

/* uploads.tar of upload_dir (the files citizens handed in).  Its file count, 0 when there is
 * nothing to keep (no file is written then), or -1. */
static long long
tar_uploads(const char *dir)
{
	const char *up = config_get("upload_dir", "");
	char out_path[1024];
	long long files = 0;
	struct stat st;
	FILE *l;

	if (*up == '\0' || stat(up, &st) != 0 || !S_ISDIR(st.st_mode))
		return 0;
	{
		/* Count what there is (two levels: <sha[0..2]>/<sha>). */
		const char *argv[] = { "find", up, "-mindepth", "2", "-type", "f", "!", "-name",
		    ".tmp-*", NULL };
		int p[2];
		pid_t pid;
		char line[1024];

		if (pipe2(p, O_CLOEXEC) != 0)
			return -1;
		pid = backup_run(argv, -1, p[1], -1);
		close(p[1]);
		if ((l = fdopen(p[0], "r")) == NULL) {
			close(p[0]);
			backup_reap(pid, "find", 0);
			return -1;
		}
		while (fgets(line, sizeof line, l))
			files++;
		fclose(l);
		if (backup_reap(pid, "find", 0) != 0)
			return -1;
	}
	if (files == 0)
		return 0;
	if (backup_path_in(out_path, sizeof out_path, dir, "uploads.tar") != 0)
		return -1;
	{
		/* Files only ever appear (content-addressed) or vanish when their upload failed:
		 * tar's status 1 ("changed while read") is no harm. */
		const char *argv[] = { "tar", "-C", up, "--exclude=.tmp-*", "-cf", out_path, ".",
		    NULL };

		if (backup_reap(backup_run(argv, -1, -1, -1), "tar", 1) != 0 || fsync_path(out_path) != 0)
			return -1;
	}
	return files;
}

static int
add_file(json_t *files, const char *dir, const char *name)
{
	char path[1024], hex[65];
	long long bytes;

	if (backup_path_in(path, sizeof path, dir, name) != 0 ||
	    backup_sha256_file(path, hex, &bytes) != 0) {
		fprintf(stderr, "cannot read back %s/%s\n", dir, name);
		return -1;
	}
	json_object_set_new(files, name, json_pack("{s:I,s:s}", "bytes", (json_int_t)bytes,
	    "sha256", hex));
	return 0;
}

/* Before anything is copied: is this backup possible, and will it be of use?  Every table
 * InnoDB, key_file read (into key, *klen) and opening the sealed samples, and the schema's
 * migrations listed (into migrations): 0, or -1 with the reason printed. */
static int
backup_preflight(struct ctx *c, const struct backup_opts *o, unsigned char *key, size_t ksz,
    size_t *klen, json_t *migrations)
{
	const char *kpath = config_get("key_file", "");
	int bad = 0, tried = 0;

	if (db_query(c, "SELECT table_name, engine FROM information_schema.tables"
	    " WHERE table_schema = DATABASE() AND table_type IN ('BASE TABLE', 'SYSTEM VERSIONED')"
	    " AND (engine IS NULL OR engine <> 'InnoDB')", DBNOARGS, print_engines, &bad) < 0 ||
	    bad) {
		fprintf(stderr, "backup refused\n");
		return -1;
	}
	if (keyfile_read_text(kpath, key, ksz, klen) != 0 || *klen == 0) {
		fprintf(stderr, "cannot read key_file %s\n", kpath);
		return -1;
	}
	if (backup_samples_open(c, o->samples, &tried) != 0) {
		fprintf(stderr, "key_file %s does not open the sealed data: a backup with it would"
		    " be of no use (is it the key this database was written with?)\n", kpath);
		return -1;
	}
	if (db_query(c, "SELECT version FROM schema_migrations ORDER BY version", DBNOARGS,
	    backup_migration_row, migrations) < 0) {
		fprintf(stderr, "cannot read schema_migrations\n");
		return -1;
	}
	return 0;
}

/* manifest.json written in partial (and partial synced): what the backup holds, how it was
 * made and how long it took (t_dump; the total since t0).  0, or -1 with the reason printed. */
static int
backup_manifest(const char *partial, const char *when, json_t *migrations, json_t *tables,
    long long rows, long long uploads, json_t *files, double t_dump, double t0)
{
	char path[1024], *text = NULL;
	json_t *man;
	int rc = 0;

	man = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:O,s:O,s:I,s:I,s:O,s:{s:s,s:s,s:I,s:I},"
	    "s:{s:f,s:f}}",
	    "format", FORMAT, "created_at", when, "instance", config_get("instance", ""),
	    "version", YC_VERSION, "method", "mariadb-dump --single-transaction",
	    "database", config_get("mysql_db", "yichuang"), "migrations", migrations,
	    "tables", tables, "rows", (json_int_t)rows, "uploads", (json_int_t)uploads,
	    "files", files,
	    "key", "file", "key.sealed", "kdf", "argon2id13",
	    "opslimit", (json_int_t)crypto_pwhash_OPSLIMIT_MODERATE,
	    "memlimit", (json_int_t)crypto_pwhash_MEMLIMIT_MODERATE,
	    "seconds", "dump", t_dump, "total", backup_now_s() - t0);
	if (man == NULL || (text = json_dumps(man, JSON_INDENT(1) | JSON_SORT_KEYS)) == NULL ||
	    backup_path_in(path, sizeof path, partial, "manifest.json") != 0 ||
	    backup_write_file(path, text, strlen(text), 0600) != 0 || fsync_path(partial) != 0) {
		fprintf(stderr, "cannot write the manifest\n");
		rc = -1;
	}
	free(text);
	json_decref(man);
	return rc;
}

/*
 * One pass from an empty DIR.partial to the renamed backup, in the order the manifest is
 * built (key, dump, uploads, manifest), with one exit that removes the partial directory.
 */
int
backup_create(struct ctx *c, const struct backup_opts *o)
{
	char partial[1024], path[1024], when[40];
	unsigned char key[KEY_MAX], sealed[KEY_MAX + 128];
	json_t *tables = json_object(), *migrations = json_array(), *files = json_object();
	double t0 = backup_now_s(), t_dump;
	long long rows = 0, uploads;
	size_t klen = 0;
	const char *name;
	json_t *v;
	int rc = 1, nsealed;
	struct stat st;

	signal(SIGPIPE, SIG_IGN);
	if (utf8_len(o->passphrase, strlen(o->passphrase)) < 12) {
		fprintf(stderr, "the passphrase must have at least 12 characters\n");
		goto out;
	}
	if (stat(o->dir, &st) == 0) {
		fprintf(stderr, "%s exists already: a backup goes into a new directory\n", o->dir);
		goto out;
	}
	if (fmt(partial, sizeof partial, "%s.partial", o->dir) < 0)
		goto out;
	if (mkdir(partial, 0700) != 0) {
		fprintf(stderr, "cannot create %s: %s%s\n", partial, strerror(errno),
		    errno == EEXIST ? " (left by a backup that failed: remove it)" : "");
		goto out;
	}
	if (backup_preflight(c, o, key, sizeof key, &klen, migrations) != 0)
		goto fail;
	time_format(hall_now(), when, sizeof when);

	if (dump_db(o, partial, tables) != 0)
		goto fail;
	t_dump = backup_now_s() - t0;
	if ((uploads = tar_uploads(partial)) < 0)
		goto fail;
	if ((nsealed = key_seal(key, klen, o->passphrase, sealed, sizeof sealed)) < 0 ||
	    backup_path_in(path, sizeof path, partial, "key.sealed") != 0 ||
	    backup_write_file(path, sealed, (size_t)nsealed, 0600) != 0) {
		fprintf(stderr, "cannot write the sealed key\n");
		goto fail;
	}
	if (add_file(files, partial, "db.sql.gz") != 0 || add_file(files, partial, "key.sealed") ||
	    (uploads > 0 && add_file(files, partial, "uploads.tar") != 0))
		goto fail;
	json_object_foreach(tables, name, v)
		rows += json_integer_value(v);
	if (backup_manifest(partial, when, migrations, tables, rows, uploads, files, t_dump,
	    t0) != 0)
		goto fail;
	if (rename(partial, o->dir) != 0) {
		fprintf(stderr, "cannot rename %s to %s: %s\n", partial, o->dir, strerror(errno));
		goto fail;
	}
	str_copy(path, sizeof path, o->dir);
	fsync_path(dirname(path));		/* the rename, made durable */
	printf("backup %s: %zu tables, %lld rows, %lld uploaded files, key sealed; "
	    "dump %.1f s, total %.1f s\n", o->dir, json_object_size(tables), rows, uploads,
	    t_dump, backup_now_s() - t0);
	rc = 0;
	goto out;
fail:
	remove_partial(partial);
out:
	sodium_memzero(key, sizeof key);
	json_decref(tables);
	json_decref(migrations);
	json_decref(files);
	return rc;
}
