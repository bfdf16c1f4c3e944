/*
 * suite.h — what every integration suite does around its tests: load the test stack's
 * configuration, open the suite's own Redis and MariaDB connections (test_db), follow the
 * hall clock, and afterwards put the clock back and close them; libcurl set up around the run.
 *
 * A suite with nothing more to prepare passes suite_setup and suite_teardown to SUITE_MAIN;
 * one that signs people in calls suite_sign_in (flows.h) from its own, and one that starts
 * other things first calls suite_setup.
 */
#ifndef YC_TEST_SUITE_H
#define YC_TEST_SUITE_H

#include <stddef.h>

#include "tests.h"
#include "../../fcgi/ctx.h"

/* The suite's own connections to the stack's Redis and MariaDB (kv.h, db.h), open between
 * suite_setup and suite_teardown. */
extern struct ctx test_db;

/* Load var/<instance>/yichuang.conf, follow the hall clock, open test_db.  0 or -1. */
int	 suite_setup(void **st);
/* Put the hall clock back where the stack started it, close test_db.  0. */
int	 suite_teardown(void **st);
/* The whole main of an integration suite (or of a unit test that drives libcurl): its tests
 * (tests.h) in source order as the group NAME, with libcurl set up around the run; the exit
 * status is cmocka's. */
int	 suite_main(const char *name, CMFixtureFunction setup, CMFixtureFunction teardown);
#define SUITE_MAIN(name, setup, teardown)					\
	int									\
	main(void)								\
	{									\
		return suite_main((name), (setup), (teardown));			\
	}

#endif
