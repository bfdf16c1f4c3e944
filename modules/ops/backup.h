/*
 * backup.h — a consistent online backup of one instance, and bringing it back
 * (yichuang-admin backup / restore).
 *
 * A backup is a directory, created whole or not at all (it is written as DIR.partial and
 * renamed at the end), mode 0700:
 *
 *   manifest.json   what is in it: format, hall time, version, the migrations, every table
 *                   with its exact row count in the snapshot, each file's size and SHA-256
 *   db.sql.gz       mariadb-dump --single-transaction of the database (gzip)
 *   key.sealed      the instance key file (key_file), sealed: XSalsa20-Poly1305
 *                   (crypto_secretbox) under a key derived from the passphrase with Argon2id
 *   uploads.tar     the citizens' uploaded files (upload_dir), when there are any
 *
 * Why mariadb-dump --single-transaction: every table is InnoDB (backup_create refuses
 * otherwise), so one REPEATABLE READ snapshot is a consistent picture of the whole database
 * taken without locking anyone out — the hall keeps issuing numbers and bookings meanwhile.
 * It needs only SELECT, i.e. the app's own account, and no access to the server's files, so
 * it runs from any host; the result restores into any MariaDB.  For the size of a hall (a
 * few GB after years) dump and restore take minutes.  mariadb-backup (physical) is faster
 * for much larger databases but needs the server's datadir and extra privileges, and
 * restores only into the same server version.
 *
 * The key file travels sealed because without it the phones and ID numbers in the dump
 * cannot be read back — and with it, anyone holding the backup could read them.  The dump
 * itself holds those values sealed, as the database does; like the database it also holds
 * staff password hashes, case notes and the uploads: keep backups where the database may be.
 */
#ifndef YC_BACKUP_H
#define YC_BACKUP_H

#include <stddef.h>

struct ctx;

/* A sealed column to check a key against: a statement returning sealed values. */
struct backup_sample {
	const char	*what;	/* for messages: "cases.applicant_phone_enc" */
	const char	*sql;	/* a string literal (statements are cached by address) */
};

struct backup_opts {
	const char	*dir;		/* the backup directory */
	const char	*passphrase;	/* NUL-terminated */
	const char	*mysql_defaults;	/* option file for the mariadb tools, or NULL */
	int		 force;		/* restore: over a database that holds records */
	/* Checked with the key: some must open (backup: the key in use; restore: the key
	 * brought back, on the restored rows).  NULL-terminated by a NULL .sql. */
	const struct backup_sample *samples;
	/* Restore refuses a database in which this statement counts more than 0 rows (the
	 * hall's records), unless force.  A string literal. */
	const char	*records_sql;
};

/* Passphrase from file (its first line) or, with file NULL, from standard input (without
 * echo on a terminal).  0, or -1 with a message on stderr. */
int	backup_passphrase(const char *file, char *out, size_t osz, int confirm);
int	backup_create(struct ctx *c, const struct backup_opts *o);
int	backup_restore(struct ctx *c, const struct backup_opts *o);

#endif
