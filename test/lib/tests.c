/*
 * tests.c — the table of a test binary's tests (see tests.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests.h"

static struct entry {
	struct CMUnitTest	 t;
	int			 line;
} table[TESTS_MAX];
static size_t	 ntable;
static int	 overflow;
static const char *only_var;

void
tests_add(const char *name, CMUnitTestFunction fn, CMFixtureFunction setup,
    CMFixtureFunction teardown, int line)
{
	if (ntable == TESTS_MAX) {
		overflow = 1;
		return;
	}
	table[ntable].t.name = name;
	table[ntable].t.test_func = fn;
	table[ntable].t.setup_func = setup;
	table[ntable].t.teardown_func = teardown;
	table[ntable].t.initial_state = NULL;
	table[ntable].line = line;
	ntable++;
}

void
tests_only_from(const char *var)
{
	only_var = var;
}

static int
by_line(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return (x->line > y->line) - (x->line < y->line);
}

int
tests_run(const char *group, CMFixtureFunction setup, CMFixtureFunction teardown)
{
	struct CMUnitTest tests[TESTS_MAX];
	const char *only;
	size_t i;

	if (overflow) {
		fprintf(stderr, "%s: more than %d tests: raise TESTS_MAX (test/lib/tests.h)\n",
		    group, TESTS_MAX);
		return 1;
	}
	qsort(table, ntable, sizeof table[0], by_line);
	for (i = 0; i < ntable; i++)
		tests[i] = table[i].t;
	only = only_var ? getenv(only_var) : NULL;
	if (only && *only)
		cmocka_set_test_filter(only);
	return _cmocka_run_group_tests(group, tests, ntable, setup, teardown);
}
