/*
 * backup_parts.h — what backup.c (the backup) and restore.c (the restore) share: child
 * processes, files, the sealed key and the check that a key opens the records.  Private to
 * modules/ops.
 */
#ifndef YC_BACKUP_PARTS_H
#define YC_BACKUP_PARTS_H

#include <stddef.h>
#include <sys/types.h>

#include "backup.h"
#include "../../fcgi/keyfile.h"

struct ctx;

#define FORMAT		"yichuang-backup/1"
#define KEY_MAX		KEYFILE_MAX	/* the key file's text (fcgi/keyfile.h) */

/* Seconds of the monotonic clock (durations printed to the operator). */
double	backup_now_s(void);
/* dir/name into out.  0 or -1 (too long). */
int	backup_path_in(char *out, size_t osz, const char *dir, const char *name);
/* Start argv with stdin in / stdout out (-1: inherited) and fd keep left open. */
pid_t	backup_run(const char *const *argv, int in, int out, int keep);
/* Wait for pid; 0 when it exited with at most ok_max, else -1 (reported as name). */
int	backup_reap(pid_t pid, const char *name, int ok_max);
/* The MariaDB tools' --defaults-file= argument into arg (and the memfd behind it in *fd). */
int	backup_client_options(const struct backup_opts *o, char *arg, size_t asz, int *fd);
int	backup_sha256_file(const char *path, char hex[65], long long *bytes);
int	backup_write_file(const char *path, const void *p, size_t n, mode_t mode);
int	backup_read_small(const char *path, unsigned char *out, size_t osz, size_t *n);
/* Open key.sealed with the passphrase into out (NUL-terminated).  0, -1 (damaged or
 * another format) or -2 (wrong passphrase). */
int	backup_key_open(const unsigned char *in, size_t n, const char *pass, unsigned char *out,
	    size_t osz, size_t *olen);
/* A row of SELECT version FROM schema_migrations appended to the JSON array arg. */
int	backup_migration_row(void *arg, size_t ncol, char **v, const size_t *lens);
/* Every sampled sealed value opens with the key now loaded (pii_init).  0, -1 (some do
 * not) or a DB_* code; *n: how many were tried. */
int	backup_samples_open(struct ctx *c, const struct backup_sample *samples, int *n);

#endif
