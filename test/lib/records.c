/*
 * records.c — numbers from the record for the integration tests (see records.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "records.h"

#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"

int
db_count_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	long long *n = arg;

	(void)ncol;
	(void)lens;
	*n = v[0] ? strtoll(v[0], NULL, 10) : 0;
	return 1;
}

long long
db_count(struct ctx *c, const char *sql, const char *arg)
{
	long long n = -1;
	int rc;

	rc = arg ? db_query(c, sql, DBARGS(DBS(arg)), db_count_row, &n) :
	    db_query(c, sql, DBNOARGS, db_count_row, &n);
	assert_true(rc >= 0);
	return n;
}
