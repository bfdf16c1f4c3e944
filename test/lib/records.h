/*
 * records.h — the integration tests' look into the record (MariaDB), through a ctx of their
 * own (test_conf_load, then ctx_init): what a reply promised must be in the rows.
 */
#ifndef YC_TEST_RECORDS_H
#define YC_TEST_RECORDS_H

#include <stddef.h>

struct ctx;

/* A db_query row callback for one number: the first column of the row into *(long long *)arg
 * (NULL counts as 0); it stops after the first row. */
int	 db_count_row(void *arg, size_t ncol, char **v, const size_t *lens);

/* The number in the first column of the first row of sql, with one string argument arg (NULL:
 * no argument); -1 when there is no row.  The query failing fails the test. */
long long db_count(struct ctx *c, const char *sql, const char *arg);

#endif
