/*
 * suite.c — an integration suite's set-up and tear-down (see suite.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdio.h>

#include "suite.h"
#include "http.h"

#include "../../fcgi/clock.h"

struct ctx test_db;

int
suite_setup(void **st)
{
	(void)st;
	if (test_conf_load() != 0) {
		fprintf(stderr, "cannot load var/<instance>/yichuang.conf\n");
		return -1;
	}
	clock_init();
	ctx_init(&test_db, 0);
	return 0;
}

int
suite_teardown(void **st)
{
	(void)st;
	set_clock(NULL);
	ctx_close(&test_db);
	return 0;
}

int
suite_main(const char *name, CMFixtureFunction setup, CMFixtureFunction teardown)
{
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = tests_run(name, setup, teardown);
	curl_global_cleanup();
	return rc;
}
