/*
 * keyfile.h — the instance key (config key_file): the one place that reads it.
 *
 * The file holds the 32-byte master key as 64 hex digits on its first line (a newline after
 * it, or none).  shared/pii.c and shared/idempotency.c derive their keys from it; the backup
 * (ops/backup.c) seals the file's text as it is, so a restore writes back the same file.
 * Every read is bounded and the text is wiped from memory once used.
 */
#ifndef YC_KEYFILE_H
#define YC_KEYFILE_H

#include <stddef.h>

#define KEYFILE_BYTES	32	/* the master key */
#define KEYFILE_MAX	1024	/* the file's text: 64 hex digits and a newline, with room */

enum { KEYFILE_OK = 0, KEYFILE_UNREADABLE = -1, KEYFILE_BAD = -2 };

/* The file's text, as it is, into out (size osz): 0 and *n its length, or -1 when it cannot
 * be opened or read or holds osz bytes or more (out wiped). */
int	keyfile_read_text(const char *path, unsigned char *out, size_t osz, size_t *n);
/* The master key from the file at path: KEYFILE_OK; KEYFILE_UNREADABLE (no path, cannot be
 * read); KEYFILE_BAD (its first line is not 64 hex digits).  key is wiped unless OK. */
int	keyfile_load(const char *path, unsigned char key[KEYFILE_BYTES]);

#endif
