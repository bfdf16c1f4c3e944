/*
 * test_keyfile.c — the one reader of the instance key (fcgi/keyfile.h) that personal data,
 * idempotent replies and the backup all depend on: the key as 64 hex digits on its first
 * line, nothing else accepted, and a file too large to be a key refused rather than cut.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/tests.h"
#include "../../fcgi/keyfile.h"

#define HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static char path[64];

static void
write_key(const char *text, size_t n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	fclose(f);
}

FIXTURE(setup)
{
	int fd;

	snprintf(path, sizeof path, "/tmp/yc-keyfile-XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	close(fd);
	return 0;
}

FIXTURE(teardown)
{
	unlink(path);
	return 0;
}

TEST_WITH(loads_the_key, setup, teardown)
{
	unsigned char key[KEYFILE_BYTES];
	size_t i;

	write_key(HEX "\n", strlen(HEX) + 1);
	assert_int_equal(keyfile_load(path, key), KEYFILE_OK);
	for (i = 0; i < KEYFILE_BYTES; i++)
		assert_int_equal(key[i], i);
	/* No newline, or CRLF, or a comment line after it: the first line counts. */
	write_key(HEX, strlen(HEX));
	assert_int_equal(keyfile_load(path, key), KEYFILE_OK);
	write_key(HEX "\r\n# made by ops/stack.sh\n", strlen(HEX) + 24);
	assert_int_equal(keyfile_load(path, key), KEYFILE_OK);
	assert_int_equal(key[31], 31);
}

TEST_WITH(refuses_what_is_not_a_key, setup, teardown)
{
	unsigned char key[KEYFILE_BYTES];
	static const unsigned char zero[KEYFILE_BYTES];
	char big[KEYFILE_MAX + 10];

	write_key(HEX "00\n", strlen(HEX) + 3);		/* 33 bytes */
	assert_int_equal(keyfile_load(path, key), KEYFILE_BAD);
	assert_memory_equal(key, zero, sizeof key);	/* wiped, never half a key */
	write_key("0001\n", 5);				/* too short */
	assert_int_equal(keyfile_load(path, key), KEYFILE_BAD);
	write_key("zz" HEX, strlen(HEX));		/* not hex: "zz000102…1d1e" */
	assert_int_equal(keyfile_load(path, key), KEYFILE_BAD);
	write_key("", 0);
	assert_int_equal(keyfile_load(path, key), KEYFILE_BAD);
	/* Larger than a key file may be: refused, not read in part. */
	memset(big, '0', sizeof big);
	write_key(big, sizeof big);
	assert_int_equal(keyfile_load(path, key), KEYFILE_UNREADABLE);
	assert_int_equal(keyfile_load("/nonexistent/yc-key", key), KEYFILE_UNREADABLE);
	assert_int_equal(keyfile_load("", key), KEYFILE_UNREADABLE);
}

TEST_WITH(text_as_it_is, setup, teardown)
{
	unsigned char text[KEYFILE_MAX];
	size_t n = 0;

	/* The backup seals the file as it is, so a restore writes back the same bytes. */
	write_key(HEX "\n", strlen(HEX) + 1);
	assert_int_equal(keyfile_read_text(path, text, sizeof text, &n), 0);
	assert_int_equal(n, strlen(HEX) + 1);
	assert_memory_equal(text, HEX "\n", n);
	assert_int_equal(keyfile_read_text(path, text, strlen(HEX) + 1, &n), -1);
	assert_int_equal(n, 0);
}

UNIT_MAIN("keyfile", NULL, NULL)
