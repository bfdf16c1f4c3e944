/*
 * tests.h — tests that enter themselves in their binary's table.
 *
 *	TEST(name) { … }                        a test
 *	TEST_WITH(name, setup, teardown) { … }  a test with its own set-up and tear-down
 *	FIXTURE(name) { … return 0; }           a set-up or tear-down (0, or -1: failed)
 *	UNIT_MAIN("clock", setup, teardown)     the whole main of a unit test
 *	                                        (SUITE_MAIN, suite.h, for an integration suite)
 *
 * Each TEST enters itself, with its source line, from a constructor; the binary runs its
 * tests in the order they stand in the file (sorted by line: the order constructors run in
 * is not promised), as one cmocka group with the given set-up and tear-down.  There is no
 * list to keep beside the tests, so a test cannot be written and forgotten in it.  The exit
 * status is cmocka's: non-zero when a test failed.
 *
 * A test's or a fixture's argument is cmocka's state, named st.  TESTS_ONLY_FROM("VAR") at file scope
 * lets the environment variable VAR (a glob) run only the tests whose names match.
 */
#ifndef YC_TEST_TESTS_H
#define YC_TEST_TESTS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* The most tests one binary may hold: one more stops it before anything runs. */
#define TESTS_MAX	64

void	 tests_add(const char *name, CMUnitTestFunction fn, CMFixtureFunction setup,
	     CMFixtureFunction teardown, int line);
void	 tests_only_from(const char *var);
/* Every test entered, in source order, as one group: cmocka's exit status. */
int	 tests_run(const char *group, CMFixtureFunction setup, CMFixtureFunction teardown);

#define TEST_WITH(fn, setup, teardown)						\
	static void fn(void **);						\
	__attribute__((constructor)) static void				\
	fn##_enter(void)							\
	{									\
		tests_add(#fn, fn, (setup), (teardown), __LINE__);		\
	}									\
	static void								\
	fn(void **st __attribute__((unused)))
#define TEST(fn)	TEST_WITH(fn, NULL, NULL)
#define FIXTURE(fn)	static int fn(void **st __attribute__((unused)))

#define TESTS_ONLY_FROM(var)							\
	__attribute__((constructor)) static void				\
	tests_only_enter(void)							\
	{									\
		tests_only_from(var);						\
	}

#define UNIT_MAIN(group, setup, teardown)					\
	int									\
	main(void)								\
	{									\
		return tests_run((group), (setup), (teardown));			\
	}

#endif
