/*
 * test_stats.c — the arithmetic of the hall's figures (modules/stats/stats_calc.c), without
 * a server: rates to 0.0001 and null when nothing was counted, minutes to 0.1, the
 * nearest-rank 90th percentile, the (group, value) packing that sorts a grouping's times
 * together (negative groups and values included), and how a ticket counts by its status and
 * outcome.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/tests.h"
#include "../../modules/stats/stats_calc.h"

static void
real_is(json_t *v, double want)
{
	assert_true(json_is_real(v));
	assert_true(json_real_value(v) > want - 1e-9 && json_real_value(v) < want + 1e-9);
	json_decref(v);
}

TEST(rates_and_minutes)
{
	json_t *v;

	real_is(stats_rate(1, 3), 0.3333);
	real_is(stats_rate(2, 3), 0.6667);
	real_is(stats_rate(3, 3), 1.0);
	real_is(stats_rate(0, 7), 0.0);
	v = stats_rate(5, 0);
	assert_true(json_is_null(v));
	v = stats_rate(5, -1);
	assert_true(json_is_null(v));
	assert_true(stats_minutes(90) > 1.49 && stats_minutes(90) < 1.51);
	assert_true(stats_minutes(93) > 1.59 && stats_minutes(93) < 1.61);	/* 1.55 → 1.6 */
	assert_true(stats_minutes(92) > 1.49 && stats_minutes(92) < 1.51);	/* 1.533 → 1.5 */
	assert_true(stats_minutes(0) == 0.0);
	assert_int_equal(stats_ll("12"), 12);
	assert_int_equal(stats_ll("12.0000"), 12);
	assert_int_equal(stats_ll("-3"), -3);
	assert_int_equal(stats_ll(NULL), 0);
	assert_int_equal(stats_ll("x"), 0);
}

TEST(p90_by_nearest_rank)
{
	/* ⌈0.9 k⌉: the smallest rank with at least 90 % of the values at or below it */
	assert_int_equal(stats_p90_rank(1), 1);
	assert_int_equal(stats_p90_rank(2), 2);
	assert_int_equal(stats_p90_rank(9), 9);
	assert_int_equal(stats_p90_rank(10), 9);
	assert_int_equal(stats_p90_rank(11), 10);
	assert_int_equal(stats_p90_rank(20), 18);
	assert_int_equal(stats_p90_rank(21), 19);
	assert_int_equal(stats_p90_rank(100), 90);
	assert_int_equal(stats_p90_rank(101), 91);
}

static int
u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

TEST(groups_sort_and_run)
{
	uint64_t p[16];
	size_t n = 0, i = 0, k;
	double avg = -1;
	int32_t p90 = -1, v;

	assert_int_equal(stats_pack_group(stats_pack(-1, -5)), -1);
	assert_int_equal(stats_pack_value(stats_pack(-1, -5)), -5);
	assert_int_equal(stats_pack_value(stats_pack(7, INT32_MIN + 1)), INT32_MIN + 1);
	/* group 3: 10 values 10..100 given out of order; group -1 (no window): -20 and 40 */
	for (v = 100; v >= 10; v -= 10)
		p[n++] = stats_pack(3, v);
	p[n++] = stats_pack(-1, 40);
	p[n++] = stats_pack(-1, -20);
	qsort(p, n, sizeof *p, u64cmp);
	/* the group without a key sorts first, its values in order */
	assert_int_equal(stats_pack_group(p[0]), -1);
	assert_int_equal(stats_pack_value(p[0]), -20);
	k = stats_group_run(p, n, &i, -1, &avg, &p90);
	assert_int_equal(k, 2);
	assert_int_equal(i, 2);
	assert_true(avg > 9.99 && avg < 10.01);
	assert_int_equal(p90, 40);
	k = stats_group_run(p, n, &i, 3, &avg, &p90);
	assert_int_equal(k, 10);
	assert_int_equal(i, n);
	assert_true(avg > 54.99 && avg < 55.01);
	assert_int_equal(p90, 90);	/* rank 9 of 10 */
	/* a group with no values leaves avg and p90 alone */
	k = stats_group_run(p, n, &i, 4, &avg, &p90);
	assert_int_equal(k, 0);
	assert_int_equal(p90, 90);
}

/* The radix sort puts pairs in the order qsort gives: negative groups and values, groups
 * and values of every width, runs of one value, none and one pair. */
TEST(radix_sort_as_qsort)
{
	enum { N = 5000 };
	static uint64_t p[N], q[N], tmp[N];
	uint32_t x = 2463534242u;
	size_t i;

	for (i = 0; i < N; i++) {
		int32_t g, v;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		g = (int32_t)(x % 300) - 1;
		v = i % 7 == 0 ? 1200 : (int32_t)(x >> 9) - (i % 3 == 0 ? 40000000 : 0);
		if (i % 11 == 0)
			g = (int32_t)(x >> 4);	/* wide groups: every byte differs */
		p[i] = q[i] = stats_pack(g, v);
	}
	qsort(q, N, sizeof *q, u64cmp);
	stats_sort_packed(p, N, tmp);
	assert_memory_equal(p, q, sizeof p);
	/* already sorted, and the trivial sizes */
	stats_sort_packed(p, N, tmp);
	assert_memory_equal(p, q, sizeof p);
	stats_sort_packed(p, 0, tmp);
	p[0] = stats_pack(-1, -20);
	stats_sort_packed(p, 1, tmp);
	assert_int_equal(stats_pack_value(p[0]), -20);
}

TEST(tickets_count)
{
	long long n[C_N];

	memset(n, 0, sizeof n);
	stats_ticket_count(n, "done", "done");
	stats_ticket_count(n, "done", "no_show");
	stats_ticket_count(n, "cancelled", NULL);
	stats_ticket_count(n, "skipped", NULL);
	stats_ticket_count(n, "waiting", NULL);
	stats_ticket_count(n, "called", NULL);
	stats_ticket_count(n, "serving", NULL);
	stats_ticket_count(n, "done", "transferred");
	assert_int_equal(n[C_TAKEN], 8);
	assert_int_equal(n[C_SERVED], 1);
	assert_int_equal(n[C_NO_SHOW], 1);
	assert_int_equal(n[C_CANCELLED], 1);
	assert_int_equal(n[C_SKIPPED], 1);
	assert_int_equal(n[C_OPEN], 3);
}

UNIT_MAIN("stats", NULL, NULL)
