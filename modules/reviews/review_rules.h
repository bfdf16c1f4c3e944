/*
 * review_rules.h — the rules of 好差评, pure (no database, no request), so that the handlers,
 * the hall's figures (stats/) and test/unit/test_reviews.c all use the same ones:
 *   - five levels, 1 非常不满意 … 5 非常满意; 4 and 5 count as satisfied;
 *   - a review of 1 or 2 (差评) must say why (a comment) and opens a rectification task
 *     (差评整改);
 *   - a visit may be reviewed once served (status and outcome done), a case once closed;
 *   - a task's fix may be recorded only when the reviewer was contacted and the cause and the
 *     fix are recorded; it counts (closed) once a second person passed it (复核), late when
 *     that happens after its deadline; the one who recorded the fix may not check it.
 */
#ifndef YC_REVIEW_RULES_H
#define YC_REVIEW_RULES_H

#define REVIEW_SCORE_MIN 1
#define REVIEW_SCORE_MAX 5
#define REVIEW_NINDICATORS 5

/* attitude, efficiency, competence, convenience, transparency: the columns of reviews. */
extern const char *const review_indicators[REVIEW_NINDICATORS];

/* The index of an indicator by its name, or -1. */
int	 review_indicator(const char *name);
/* What a score says to the citizen (非常不满意 … 非常满意); "" outside 1–5. */
const char *review_score_label(long long score);
/* 1 for a 差评 (1 or 2): it opens a rectification task. */
int	 review_opens_task(long long score);
/* 1 when a review of this score must carry a comment (a 差评: 1 or 2). */
int	 review_needs_comment(long long score);
/* 1 for a satisfied review (4 or 5). */
int	 review_is_satisfied(long long score);
/* 1 when a visit (is_case 0: the ticket's status and outcome) or a case (its status) may
 * be reviewed now. */
int	 review_reviewable(int is_case, const char *status, const char *outcome);

/* What a task still lacks before it may close (0: nothing, it may close). */
enum {
	RECT_NEEDS_CONTACT = 1 << 0,	/* the reviewer was not contacted */
	RECT_NEEDS_CAUSE = 1 << 1,	/* no cause, neither recorded nor given now */
	RECT_NEEDS_FIX = 1 << 2		/* no fix, neither recorded nor given now */
};
unsigned rectification_missing(int contacted, int has_cause, int has_fix);
/* 1 when a task closed on day today ("YYYY-MM-DD") is late: it had a deadline (NULL or ""
 * when none) and that day has passed. */
int	 rectification_late(const char *deadline, const char *today);
/* 1 when checker may check (复核) a fix recorded by fixer (both staff ids): not the same. */
int	 rectification_may_check(const char *fixer, const char *checker);

#endif
