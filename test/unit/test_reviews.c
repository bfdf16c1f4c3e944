/*
 * test_reviews.c — the rules of 好差评 (modules/reviews/review_rules.c), without a server:
 * the five levels and their labels; which review opens a rectification task (1 and 2) and
 * which count as satisfied (4 and 5) in the hall's figures; when a visit or a case may be
 * reviewed; when a rectification may close (contacted, cause and fix) and when it closes late.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../lib/tests.h"
#include "../../modules/reviews/review_rules.h"

TEST(five_levels)
{
	static const char *const want[] = { "非常不满意", "不满意", "基本满意", "满意",
	    "非常满意" };
	long long s;

	for (s = REVIEW_SCORE_MIN; s <= REVIEW_SCORE_MAX; s++)
		assert_string_equal(review_score_label(s), want[s - 1]);
	assert_int_equal(REVIEW_SCORE_MAX - REVIEW_SCORE_MIN + 1, 5);
	assert_string_equal(review_score_label(0), "");
	assert_string_equal(review_score_label(6), "");
	assert_string_equal(review_score_label(-1), "");
}

TEST(bad_reviews_open_a_task)
{
	assert_true(review_opens_task(1));
	assert_true(review_opens_task(2));
	assert_false(review_opens_task(3));
	assert_false(review_opens_task(4));
	assert_false(review_opens_task(5));
	assert_false(review_opens_task(0));
	/* satisfied: 4 and 5 only; 基本满意 (3) is neither bad nor satisfied */
	assert_false(review_is_satisfied(3));
	assert_true(review_is_satisfied(4));
	assert_true(review_is_satisfied(5));
	assert_false(review_is_satisfied(6));
	assert_false(review_is_satisfied(2));
}

TEST(what_may_be_reviewed)
{
	/* a visit: served to the end (status done, outcome done) */
	assert_true(review_reviewable(0, "done", "done"));
	assert_false(review_reviewable(0, "done", "no_show"));
	assert_false(review_reviewable(0, "done", ""));
	assert_false(review_reviewable(0, "done", NULL));
	assert_false(review_reviewable(0, "serving", ""));
	assert_false(review_reviewable(0, "waiting", "done"));
	/* a case: closed (办结) */
	assert_true(review_reviewable(1, "closed", NULL));
	assert_false(review_reviewable(1, "approved", NULL));
	assert_false(review_reviewable(1, "accepted", NULL));
	assert_false(review_reviewable(1, "done", "done"));
}

TEST(when_a_rectification_closes)
{
	int contacted, cause, fix;

	for (contacted = 0; contacted <= 1; contacted++)
		for (cause = 0; cause <= 1; cause++)
			for (fix = 0; fix <= 1; fix++) {
				unsigned m = rectification_missing(contacted, cause, fix);

				assert_int_equal(!!(m & RECT_NEEDS_CONTACT), !contacted);
				assert_int_equal(!!(m & RECT_NEEDS_CAUSE), !cause);
				assert_int_equal(!!(m & RECT_NEEDS_FIX), !fix);
				/* it closes only with all three */
				assert_int_equal(m == 0, contacted && cause && fix);
			}
	/* late: closed on a day after the deadline; on the deadline it is in time */
	assert_true(rectification_late("2026-11-27", "2026-11-28"));
	assert_false(rectification_late("2026-11-27", "2026-11-27"));
	assert_false(rectification_late("2026-11-27", "2026-11-26"));
	assert_true(rectification_late("2026-12-31", "2027-01-01"));
	/* no deadline (holiday year not loaded): never late */
	assert_false(rectification_late(NULL, "2026-11-28"));
	assert_false(rectification_late("", "2026-11-28"));
}

TEST(indicators)
{
	int i;

	for (i = 0; i < REVIEW_NINDICATORS; i++)
		assert_int_equal(review_indicator(review_indicators[i]), i);
	assert_int_equal(review_indicator("attitude"), 0);
	assert_int_equal(review_indicator("transparency"), 4);
	assert_int_equal(review_indicator("Attitude"), -1);
	assert_int_equal(review_indicator(""), -1);
	assert_int_equal(review_indicator("speed"), -1);
}

/* A 差评 needs its reason; a fix is checked by someone else than its fixer. */
TEST(comment_and_second_checker)
{
	long long sc;

	for (sc = REVIEW_SCORE_MIN; sc <= REVIEW_SCORE_MAX; sc++)
		assert_int_equal(review_needs_comment(sc), sc <= 2);
	assert_false(review_needs_comment(0));
	assert_true(rectification_may_check("12", "13"));
	assert_false(rectification_may_check("12", "12"));
	assert_false(rectification_may_check(NULL, "12"));
	assert_false(rectification_may_check("", "12"));
	assert_false(rectification_may_check("12", ""));
}

UNIT_MAIN("reviews", NULL, NULL)
