/*
 * test_notify_rules.c — the daily budgets of login codes (modules/notify/notify_budget.c),
 * without Redis: when the managers' alert goes up, and what the budget script's reply means
 * for the citizen who asked (sent; or refused by which cap, and until when).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../lib/tests.h"
#include "../../modules/notify/notify.h"

/* 2026-11-23 23:59:30 in the hall (+08:00), and 00:00:00 of the same day. */
#define LATE_EVENING	1795449570LL
#define MIDNIGHT	(LATE_EVENING - (23 * 3600 + 59 * 60 + 30))

TEST(alert_threshold)
{
	/* The defaults: 80 % of a hall's 2000 and of the instance's 5000. */
	assert_int_equal(notify_budget_threshold(2000, 80), 1600);
	assert_int_equal(notify_budget_threshold(5000, 80), 4000);
	/* Rounded up: at 2.4 of 3 codes the alert waits for the third, never goes up at 2. */
	assert_int_equal(notify_budget_threshold(3, 80), 3);
	assert_int_equal(notify_budget_threshold(7, 50), 4);
	assert_int_equal(notify_budget_threshold(10, 100), 10);
	assert_int_equal(notify_budget_threshold(1, 1), 1);
	/* No cap (0 turns it off): no alert either. */
	assert_int_equal(notify_budget_threshold(0, 80), 0);
}

TEST(taken)
{
	const long long v[5] = { 0, 1, 0, 1600, 3999 };
	struct code_budget b;

	memset(&b, 0, sizeof b);
	assert_int_equal(notify_budget_verdict(v, 5, LATE_EVENING, &b), 1);
	assert_int_equal(b.taken, 1);
	assert_int_equal(b.refused, BUDGET_NONE);
	assert_int_equal(b.warn_hall, 1);
	assert_int_equal(b.warn_all, 0);
	assert_int_equal(b.hall_count, 1600);
	assert_int_equal(b.all_count, 3999);
	assert_int_equal(b.retry_after, 0);
}

TEST(refused_until_midnight)
{
	const long long addr[3] = { BUDGET_ADDRESS, 0, 0 }, hall[3] = { BUDGET_HALL, 1, 0 };
	const long long inst[3] = { BUDGET_INSTANCE, 0, 0 };
	struct code_budget b;

	memset(&b, 0, sizeof b);
	assert_int_equal(notify_budget_verdict(addr, 3, LATE_EVENING, &b), 0);
	assert_int_equal(b.taken, 0);	/* nothing to give back */
	assert_int_equal(b.refused, BUDGET_ADDRESS);
	assert_int_equal(b.alert_spent, 0);
	assert_int_equal(b.retry_after, 30);	/* the budget comes back at the hall's midnight */
	memset(&b, 0, sizeof b);
	assert_int_equal(notify_budget_verdict(hall, 3, MIDNIGHT, &b), 0);
	assert_int_equal(b.refused, BUDGET_HALL);
	assert_int_equal(b.alert_spent, 1);	/* the hall's critical alert */
	assert_int_equal(b.retry_after, 86400);
	memset(&b, 0, sizeof b);
	assert_int_equal(notify_budget_verdict(inst, 3, MIDNIGHT + 86399, &b), 0);
	assert_int_equal(b.refused, BUDGET_INSTANCE);
	assert_int_equal(b.retry_after, 1);
}

TEST(unreadable_reply)
{
	const long long short_take[3] = { 0, 0, 0 }, unknown[3] = { 7, 0, 0 };
	struct code_budget b;

	memset(&b, 0, sizeof b);
	/* Neither a take nor a known cap: Redis answered nonsense, the caller says 503. */
	assert_int_equal(notify_budget_verdict(short_take, 3, LATE_EVENING, &b), -1);
	assert_int_equal(notify_budget_verdict(unknown, 3, LATE_EVENING, &b), -1);
	assert_int_equal(b.taken, 0);
	assert_int_equal(b.refused, BUDGET_NONE);
}

UNIT_MAIN("notify_rules", NULL, NULL)
