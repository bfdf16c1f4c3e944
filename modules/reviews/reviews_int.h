/*
 * reviews_int.h — the reviews room's domain, private to the room: what a review is about
 * (found by its token), writing a review with its rectification task, and the tasks
 * themselves.  Functions take a ctx and values and return 0 (or 1/0 found), a DB_* code, or
 * an E_* kind; the handlers (reviews_api.c, rectifications_api.c) map those to replies.
 */
#ifndef YC_REVIEWS_INT_H
#define YC_REVIEWS_INT_H

#include <jansson.h>

#include "review_rules.h"
#include "../../fcgi/ctx.h"

#define REVIEW_COMMENT_MAX 500
#define RECT_NOTE_MAX      500

/* What a review is about, as found by its token. */
struct review_subject {
	int		 is_case;
	long long	 id;
	char		 hall[32];
	char		 ref[48];
	char		 status[24];
	char		 outcome[12];
	char		 category[4];
	char		 window[8];
	char		 clerk[48];
};

struct review_in {
	const char	*comment;
	const char	*channel;	/* NULL: phone */
	long long	 score;
	long long	 ind[REVIEW_NINDICATORS];	/* 0: not given */
};

/* reviews.c */
/* The one row of sql, whose arguments are today, the hall and the id, as {member: row} into
 * *out (cols and types as db_row_json's): a complaint or a task read by its id.  1 found,
 * 0 not, or a DB_* code. */
int	reviews_row_json(struct ctx *c, const char *sql, const char *hall, long long id,
	    const char *const *cols, const char *types, const char *member, json_t **out);
/* A guarded change of a complaint or task found nothing: E_NOT_FOUND when the hall has no
 * such record (exists_sql: its arguments the hall and the id, a row when it exists), else
 * E_INVALID_TRANSITION (its state moved on).  Or a DB_* code. */
int	reviews_refusal(struct ctx *c, const char *exists_sql, const char *hall, long long id);
/* The ticket (is_case 0) or case of a token.  1 found, 0 not, or a DB_* code. */
int	review_subject_find(struct ctx *c, int is_case, const char *token,
	    struct review_subject *s);
/* The deadline of a task opened today: review_rectify_days working days on, into deadline
 * (size 12); "" and *missing (the year) when it runs into a holiday year not loaded.
 * 0 or a DB_* code. */
int	review_task_deadline(struct ctx *c, const char *hall, char deadline[12], int *missing);
/*
 * Inside the caller's transaction: the review, and for a 差评 its task (deadline, or "" for
 * none) and the task's first history row, and the hall's calendar:<missing> alert when
 * missing is a year.  0, or a DB_* code (DB_DUP: the visit or case was reviewed already).
 */
int	review_write(struct ctx *c, const struct review_subject *s, const struct review_in *in,
	    const char *deadline, int missing, long long *review_id, long long *task_id);
/* The review given for s, as GET /reviews shows it, or NULL when none.  0 or a DB_* code. */
int	review_given(struct ctx *c, const struct review_subject *s, json_t **out);

/* A rectification task's history row (reviews.c, which opens tasks): action by actor ("" for
 * the system) at at, with a note.  0 or a DB_* code. */
int	rect_history_add(struct ctx *c, long long task, const char *at, const char *action,
	    const char *actor, const char *note);

/* rectifications.c */
enum rect_filter { RECT_OPEN, RECT_CLOSED, RECT_OVERDUE, RECT_ALL, RECT_CHECKING };
/* The hall's tasks (at most limit), each with contact_phone masked or null. */
int	rect_list(struct ctx *c, const char *hall, enum rect_filter f, long long limit,
	    json_t *tasks);
/* {"rectification": …}.  1 found, 0 not, or a DB_* code. */
int	rect_json(struct ctx *c, const char *hall, long long id, json_t **out);
/* The reviewer's mobile in full: 1 and out, 0 none known; E_NOT_FOUND (no such task of the
 * hall) or a DB_* code. */
int	rect_phone(struct ctx *c, const char *hall, long long id, char out[32]);

struct rect_record {
	int		 contacted;
	const char	*note, *cause, *fix;	/* NULL: not given */
	const char	*actor;			/* staff id */
};
/* Inside the caller's transaction: record contact, cause, fix on an open task, with its
 * history row.  0, E_NOT_FOUND, E_INVALID_TRANSITION (closed) or a DB_* code. */
int	rect_record(struct ctx *c, const char *hall, long long id, const struct rect_record *u);
/* Inside the caller's transaction: record the fix of an open, contacted task (cause and fix
 * given or recorded): it waits for its 复核 ('fixed').  0, E_INVALID_TRANSITION (not open,
 * or not contacted meanwhile) or a DB_* code. */
int	rect_fix(struct ctx *c, const char *hall, long long id, const char *cause,
	    const char *fix, const char *actor);
/* Inside the caller's transaction: the 复核 of a fixed task by actor, who did not record the
 * fix: pass → closed (late as given) and the reviewer's outcome SMS (*told 1 when queued);
 * reject → open again, note saying why.  0, E_INVALID_TRANSITION (not fixed, or the fixer
 * meanwhile) or a DB_* code. */
int	rect_check(struct ctx *c, const char *hall, long long id, int pass, const char *note,
	    int late, const char *actor, int *told);

/* complaints.c */
/* A complaint's history row: action by actor ("" for the system) at at, with a note.
 * 0 or a DB_* code. */
int	complaint_history_add(struct ctx *c, long long id, const char *at, const char *action,
	    const char *actor, const char *note);
#define COMPLAINT_TEXT_MIN 5
#define COMPLAINT_TEXT_MAX 500
#define COMPLAINT_REF_MAX  40
#define COMPLAINT_DAILY_MAX 5	/* complaints a citizen may file in a hall day */

struct complaint_in {
	const char	*hall, *citizen, *about, *ref, *body;
	char		 deadline[12];	/* "" when the calendar year is not loaded */
};
enum complaint_filter { CF_OPEN, CF_ANSWERED, CF_OVERDUE, CF_ALL };

/* The answer deadline of a complaint filed today: complaint_answer_days working days on,
 * "" when that runs into a year not loaded.  0 or a DB_* code. */
int	complaint_deadline(struct ctx *c, const char *hall, char deadline[12]);
/* 1 when case no of the hall is the citizen's (applicant or agent, as /me/cases lists it),
 * 0 not, or a DB_* code. */
int	complaint_case_mine(struct ctx *c, const char *hall, const char *no, const char *citizen);
/* Inside the caller's transaction (locks the citizen): complaints filed today. */
int	complaint_count_today(struct ctx *c, const char *citizen, long long *n);
/* Inside the caller's transaction: the complaint and its first history row. */
int	complaint_create(struct ctx *c, const struct complaint_in *in, long long *id);
/* The citizen's complaints, newest first (at most 50), appended to out. */
int	complaint_list_mine(struct ctx *c, const char *citizen, json_t *out);
/* The hall's complaints (assignee: only those assigned to that staff id; NULL: all). */
int	complaint_list_hall(struct ctx *c, const char *hall, enum complaint_filter f,
	    const char *assignee, long long limit, json_t *out);
/* {"complaint": …}.  1 found, 0 not, or a DB_* code. */
int	complaint_json(struct ctx *c, const char *hall, long long id, json_t **out);
/* Inside the caller's transaction: assign (or reassign) an unanswered complaint to staff.
 * 0, E_NOT_FOUND, E_INVALID_TRANSITION (answered) or a DB_* code. */
int	complaint_assign(struct ctx *c, const char *hall, long long id, long long staff,
	    const char *actor);
/* Inside the caller's transaction: the answer (by the assignee, or by anyone when any),
 * its SMS to the citizen (*told) and the overdue alert cleared.  0, E_NOT_FOUND,
 * E_INVALID_TRANSITION (answered, or not the assignee's) or a DB_* code. */
int	complaint_answer(struct ctx *c, const char *hall, long long id, const char *answer,
	    const char *actor, int any, int *told);

/* satisfaction.c: by_department, by_window, by_clerk of the reviews given from..to (days,
 * inclusive) into out.  0 or a DB_* code. */
int	satisfaction_collect(struct ctx *c, const char *hall, const char *from, const char *to,
	    json_t *out);

#endif
