/*
 * reviews.c — 好差评: a review of a visit (一次一评) or of a case (一事一评), found by its
 * token, and written with the rectification task (差评整改) a bad one opens.
 *
 * Tables: reviews, review_rectifications, review_rectification_history, queue_tickets,
 *         case_tracking, cases, hall_alerts (a missing holiday year), calendar_* (through
 *         calendar.c)
 * Redis:  none.
 *
 * The token is the credential: the ticket's token (/q/<token>) or the case's tracking token
 * (/t/<token>).  When a visit or case may be reviewed and which score opens a task are the
 * rules of review_rules.c.  The unique keys uk_reviews_ticket / uk_reviews_case make a
 * second review a DB_DUP however two requests race.  A task's deadline is
 * review_rectify_days working days after today; when that runs into a year whose holiday
 * notice is not loaded it is counted on the provisional calendar (hall/calendar.h; the
 * calendar-check job warns the managers).  Only beyond the years a calendar holds does the
 * deadline stay NULL.
 */
#include "reviews.h"
#include "reviews_int.h"
#include "../hall/calendar.h"
#include "../cases/cases.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <string.h>

int
review_rectify_days(void)
{
	return (int)config_int("review_rectify_days", 5, 1, 60);
}

#define RS(m)	DBC_S(struct review_subject, m)
/* id, hall, ref, status, outcome, category, window, clerk: a ticket's or a case's. */
static const struct db_col subject_cols[] = {
	DBC_I(struct review_subject, id, 1, INT64_MAX), RS(hall), RS(ref), RS(status), RS(outcome),
	RS(category), RS(window), RS(clerk),
};
#undef RS

int
review_subject_find(struct ctx *c, int is_case, const char *token, struct review_subject *s)
{
	char hash[65];
	int rc;

	memset(s, 0, sizeof *s);
	s->is_case = is_case;
	if (!is_case)
		rc = db_row_into(c, "SELECT id, hall, number, status, outcome, category, window_no,"
		    " clerk FROM queue_tickets WHERE token = ?", DBARGS(DBS(token)),
		    DB_COLS(subject_cols), s);
	else {
		case_token_hash(token, hash);
		rc = db_row_into(c, "SELECT c.id, c.hall, c.no, c.status, NULL, NULL, c.window_no,"
		    " NULL FROM case_tracking t JOIN cases c ON c.id = t.case_id"
		    " WHERE t.token_hash = ? AND t.revoked_at IS NULL", DBARGS(DBS(hash)),
		    DB_COLS(subject_cols), s);
	}
	if (rc < 0)
		return rc;
	return s->id > 0 ? 1 : 0;
}

int
review_task_deadline(struct ctx *c, const char *hall, char deadline[12], int *missing)
{
	int64_t dl;
	int rc;

	deadline[0] = '\0';
	*missing = 0;
	rc = calendar_add_workdays(c, hall_day(hall_now()), review_rectify_days(), &dl, missing);
	if (rc == CAL_OK)
		date_format_days(dl, deadline, 12);
	else if (rc == CAL_MISSING)
		log_warn("hall %s: rectification deadline reaches %d, not loaded", hall, *missing);
	else
		return rc;
	return 0;
}

static struct dbv
ind_arg(long long v)
{
	return v > 0 ? DBI(v) : DBN;
}

/* Raise (or reopen) the hall's alert for a holiday year that is not loaded. */
static int
alert_calendar(struct ctx *c, const char *hall, int year, const char *now)
{
	char key[32], msg[300];

	fmt(key, sizeof key, "calendar:%d", year);
	fmt(msg, sizeof msg, "%d 年节假日安排尚未导入：差评整改期限无法计算（暂不设期限）。"
	    "请尽快导入国务院办公厅 %d 年节假日安排。", year, year);
	return db_exec(c, "INSERT INTO hall_alerts (hall, akey, level, message, raised_at)"
	    " VALUES (?, ?, 'critical', ?, ?) ON DUPLICATE KEY UPDATE level = 'critical',"
	    " raised_at = IF(cleared_at IS NULL, raised_at, VALUES(raised_at)), cleared_at = NULL",
	    DBARGS(DBS(hall), DBS(key), DBS(msg), DBS(now)), NULL, NULL);
}

/* A rectification task's history row (the task's steps write theirs through it too). */
int
rect_history_add(struct ctx *c, long long task, const char *at, const char *action,
    const char *actor, const char *note)
{
	return db_exec(c, "INSERT INTO review_rectification_history (task_id, at, action,"
	    " actor, note) VALUES (?, ?, ?, ?, ?)",
	    DBARGS(DBI(task), DBS(at), DBS(action), DBS(actor), DBS(note)), NULL, NULL);
}

/* The task a 差评 opens, and its first history row. */
static int
task_open(struct ctx *c, const struct review_subject *s, long long review_id,
    const char *deadline, const char *today, const char *now, long long *task_id)
{
	const char *dl = deadline[0] ? deadline : NULL;
	uint64_t id = 0;
	int rc;

	rc = db_exec(c, "INSERT INTO review_rectifications (review_id, hall, day, status,"
	    " deadline, opened_at, updated_at) VALUES (?, ?, ?, 'open', ?, ?, ?)",
	    DBARGS(DBI(review_id), DBS(s->hall), DBS(today), DBSO(dl), DBS(now), DBS(now)),
	    NULL, &id);
	if (rc != 0)
		return rc;
	*task_id = (long long)id;
	return rect_history_add(c, *task_id, now, "open", "",
	    dl ? "" : "节假日安排未导入，暂无期限");
}

int
reviews_row_json(struct ctx *c, const char *sql, const char *hall, long long id,
    const char *const *cols, const char *types, const char *member, json_t **out)
{
	char today[12];
	json_t *row;
	int rc;

	date_format_t(hall_now(), today, sizeof today);
	rc = db_row_json(c, sql, DBARGS(DBS(today), DBS(hall), DBI(id)), cols, types, &row);
	if (rc == 1)
		*out = json_pack("{s:o}", member, row);
	return rc;
}

int
reviews_refusal(struct ctx *c, const char *exists_sql, const char *hall, long long id)
{
	char one[4];
	int rc = db_scalar(c, exists_sql, DBARGS(DBS(hall), DBI(id)), one, sizeof one);

	if (rc < 0)
		return rc;
	return rc == 0 ? E_NOT_FOUND : E_INVALID_TRANSITION;
}

int
review_write(struct ctx *c, const struct review_subject *s, const struct review_in *in,
    const char *deadline, int missing, long long *review_id, long long *task_id)
{
	char now[24], today[12];
	uint64_t id = 0;
	int rc;

	sql_now(now, sizeof now);
	date_format_t(hall_now(), today, sizeof today);
	*task_id = 0;
	rc = db_exec(c, "INSERT INTO reviews (hall, kind, ticket_id, case_id, ref, day, score,"
	    " attitude, efficiency, competence, convenience, transparency, comment, category,"
	    " window_no, clerk, channel, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    DBARGS(DBS(s->hall), DBS(s->is_case ? "case" : "ticket"),
	    s->is_case ? DBN : DBI(s->id), s->is_case ? DBI(s->id) : DBN, DBS(s->ref),
	    DBS(today), DBI(in->score), ind_arg(in->ind[0]), ind_arg(in->ind[1]),
	    ind_arg(in->ind[2]), ind_arg(in->ind[3]), ind_arg(in->ind[4]),
	    DBS(in->comment ? in->comment : ""), DBSO(s->category[0] ? s->category : NULL),
	    DBSO(s->window[0] ? s->window : NULL), DBSO(s->clerk[0] ? s->clerk : NULL),
	    DBS(in->channel ? in->channel : "phone"), DBS(now)), NULL, &id);
	if (rc != 0)
		return rc;
	*review_id = (long long)id;
	if (!review_opens_task(in->score))
		return 0;
	if ((rc = task_open(c, s, *review_id, deadline, today, now, task_id)) != 0)
		return rc;
	return missing && !deadline[0] ? alert_calendar(c, s->hall, missing, now) : 0;
}

/* The row of GET /reviews: indicators as one object, the score's label, and the task's
 * deadline and contact only when the review opened one. */
static void
review_shape(json_t *row)
{
	json_t *ind = json_object();
	long long score = json_integer_value(json_object_get(row, "score"));
	int has_task = !json_is_null(json_object_get(row, "task_status"));
	size_t i;

	for (i = 0; i < REVIEW_NINDICATORS; i++) {
		json_t *v = json_object_get(row, review_indicators[i]);

		if (json_is_integer(v))
			json_object_set(ind, review_indicators[i], v);
		json_object_del(row, review_indicators[i]);
	}
	json_object_set_new(row, "indicators", ind);
	json_object_set_new(row, "score_label", json_string(review_score_label(score)));
	json_object_set_new(row, "rectification", json_boolean(has_task));
	if (!has_task) {
		json_object_del(row, "deadline");
		json_object_del(row, "contacted_at");
	}
	json_object_del(row, "task_status");
}

int
review_given(struct ctx *c, const struct review_subject *s, json_t **out)
{
	static const char *const cols[] = { "score", "attitude", "efficiency", "competence",
	    "convenience", "transparency", "comment", "channel", "created_at", "task_status",
	    "deadline", "contacted_at" };
	int rc;

	rc = db_row_json(c,
	    "SELECT v.score, v.attitude, v.efficiency, v.competence, v.convenience, v.transparency,"
	    " v.comment, v.channel, DATE_FORMAT(v.created_at, '%Y-%m-%dT%H:%i:%s+08:00'),"
	    " t.status, DATE_FORMAT(t.deadline, '%Y-%m-%d'),"
	    " DATE_FORMAT(t.contacted_at, '%Y-%m-%dT%H:%i:%s+08:00')"
	    " FROM reviews v LEFT JOIN review_rectifications t ON t.review_id = v.id"
	    " WHERE (? = 1 AND v.case_id = ?) OR (? = 0 AND v.ticket_id = ?)",
	    DBARGS(DBI(s->is_case), DBI(s->id), DBI(s->is_case), DBI(s->id)), cols, "iIIIIIsssSSS",
	    out);
	if (rc == 1)
		review_shape(*out);
	return rc < 0 ? rc : 0;
}
