/*
 * review_rules.c — the rules of 好差评 (see review_rules.h).
 */
#include "review_rules.h"

#include <string.h>

const char *const review_indicators[REVIEW_NINDICATORS] = {
	"attitude", "efficiency", "competence", "convenience", "transparency"
};

int
review_indicator(const char *name)
{
	int i;

	for (i = 0; i < REVIEW_NINDICATORS; i++)
		if (strcmp(name, review_indicators[i]) == 0)
			return i;
	return -1;
}

const char *
review_score_label(long long score)
{
	static const char *const labels[] = { "", "非常不满意", "不满意", "基本满意", "满意",
	    "非常满意" };

	return labels[score >= REVIEW_SCORE_MIN && score <= REVIEW_SCORE_MAX ? score : 0];
}

int
review_opens_task(long long score)
{
	return score >= REVIEW_SCORE_MIN && score <= 2;
}

int
review_needs_comment(long long score)
{
	return review_opens_task(score);
}

int
review_is_satisfied(long long score)
{
	return score >= 4 && score <= REVIEW_SCORE_MAX;
}

int
review_reviewable(int is_case, const char *status, const char *outcome)
{
	if (is_case)
		return strcmp(status, "closed") == 0;
	return strcmp(status, "done") == 0 && outcome != NULL && strcmp(outcome, "done") == 0;
}

unsigned
rectification_missing(int contacted, int has_cause, int has_fix)
{
	return (contacted ? 0u : RECT_NEEDS_CONTACT) | (has_cause ? 0u : RECT_NEEDS_CAUSE) |
	    (has_fix ? 0u : RECT_NEEDS_FIX);
}

int
rectification_late(const char *deadline, const char *today)
{
	/* Both are YYYY-MM-DD: their text sorts as their days. */
	return deadline != NULL && deadline[0] != '\0' && strcmp(deadline, today) < 0;
}

int
rectification_may_check(const char *fixer, const char *checker)
{
	return fixer != NULL && checker != NULL && fixer[0] != '\0' && checker[0] != '\0' &&
	    strcmp(fixer, checker) != 0;
}
