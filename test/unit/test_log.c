/*
 * test_log.c — the access log written by the writer thread: every line whole, however many
 * arrive between two of its turns (a burst larger than one write(2) chunk used to leave a
 * line cut in two at the chunk's end).
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
#include <jansson.h>

#include "../lib/tests.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#define LINES 6000		/* ~900 KiB: fourteen chunks within one turn of the writer */

TEST(burst_lines_stay_whole)
{
	char path[] = "/tmp/yc-test-log-XXXXXX", rid[32], route[64], *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	int fd, i, seen = 0;
	FILE *f;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	log_open_access(path);
	log_async_start();
	for (i = 0; i < LINES; i++) {
		struct access_rec a = { rid, "GET", route, 200, 0.02, NULL, NULL };

		fmt(rid, sizeof rid, "rid%06d", i);
		/* Lines of many lengths, so chunk ends fall anywhere inside one. */
		fmt(route, sizeof route, "/items%.*s", i % 37, "/abcdefghijklmnopqrstuvwxyz0123456789");
		log_access(&a);
	}
	log_async_stop(5000);
	f = fopen(path, "r");
	assert_non_null(f);
	while ((len = getline(&buf, &cap, f)) > 0) {
		json_t *j = json_loadb(buf, (size_t)len, 0, NULL);
		char want[32];

		if (j == NULL)
			fail_msg("line %d is not whole JSON: %.80s", seen + 1, buf);
		fmt(want, sizeof want, "rid%06d", seen);
		assert_string_equal(json_string_value(json_object_get(j, "rid")), want);
		json_decref(j);
		seen++;
	}
	free(buf);
	fclose(f);
	unlink(path);
	assert_int_equal(seen, LINES);
}

UNIT_MAIN("log", NULL, NULL)
