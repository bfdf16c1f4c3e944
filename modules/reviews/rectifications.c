/*
 * rectifications.c — 差评整改: the tasks bad reviews open, as the hall's managers list,
 * record and close them, and the reviewer's mobile for calling back.
 *
 * Tables: review_rectifications, review_rectification_history, reviews, staff (the clerk's
 *         name), cases, queue_tickets, citizens (where the reviewer's mobile is)
 * Redis:  none.
 *
 * Every change is a guarded UPDATE … WHERE status = 'open' in the caller's transaction with
 * its history row: of two managers acting at once one wins, the other is told the task was
 * closed.  When a task may close is review_rules.c's rectification_missing.
 */
#include "reviews.h"
#include "reviews_int.h"
#include "../notify/outbox.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <sodium.h>
#include <string.h>

static const char *const task_cols[] = { "id", "status", "deadline", "overdue", "opened_at",
	"contacted_at", "contact_note", "cause", "fix", "closed_at", "late", "kind", "ref",
	"score", "comment", "window", "clerk_name", "category", "attitude", "efficiency",
	"competence", "convenience", "transparency", "review_id", "fixed_at", "fixed_by",
	"fixed_by_name", "checked_at", "checked_by_name", "check_note", "rejections",
	"outcome_sms" };
static const char task_types[] = "isSbsSsssSbssisISSIIIIIiSSSSSsib";

/* overdue: not closed (open, or fixed and waiting for its 复核) after the deadline. */
#define TASK_SELECT \
	"SELECT t.id, t.status, DATE_FORMAT(t.deadline, '%Y-%m-%d')," \
	" (t.status <> 'closed' AND t.deadline IS NOT NULL AND t.deadline < ?)," \
	" DATE_FORMAT(t.opened_at, '%Y-%m-%dT%H:%i:%s+08:00')," \
	" DATE_FORMAT(t.contacted_at, '%Y-%m-%dT%H:%i:%s+08:00'), t.contact_note, t.cause, t.fix," \
	" DATE_FORMAT(t.closed_at, '%Y-%m-%dT%H:%i:%s+08:00'), t.late, v.kind, v.ref, v.score," \
	" v.comment, v.window_no, s.name, v.category, v.attitude, v.efficiency, v.competence," \
	" v.convenience, v.transparency, v.id," \
	" DATE_FORMAT(t.fixed_at, '%Y-%m-%dT%H:%i:%s+08:00'), t.fixed_by, f.name," \
	" DATE_FORMAT(t.checked_at, '%Y-%m-%dT%H:%i:%s+08:00'), k.name, t.check_note," \
	" t.rejections, t.outcome_sms_at IS NOT NULL" \
	" FROM review_rectifications t JOIN reviews v ON v.id = t.review_id" \
	" LEFT JOIN staff s ON s.id = v.clerk" \
	" LEFT JOIN staff f ON f.id = t.fixed_by" \
	" LEFT JOIN staff k ON k.id = t.checked_by"

static void
today_str(char out[12])
{
	date_format_t(hall_now(), out, 12);
}

#define TASK_EXISTS "SELECT 1 FROM review_rectifications WHERE hall = ? AND id = ?"

/* 1 when the hall has task id, 0 not, or a DB_* code. */
static int
task_exists(struct ctx *c, const char *hall, long long id)
{
	char one[4];

	return db_scalar(c, TASK_EXISTS, DBARGS(DBS(hall), DBI(id)), one, sizeof one);
}

/*
 * The reviewer's mobile, so that the manager can call back about a bad review: the case's
 * applicant; for a visit, the phone given at the kiosk or window for the reminder, else the
 * account of the citizen who took the number on the phone.  Sealed at rest; opened here only
 * to mask it (the list) or to show it to a manager (…/contact, audited).
 */
struct contact_blobs {
	unsigned char	 b[3][PII_SEALED_MAX];
	size_t		 n[3];
};

static int
contact_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct contact_blobs *cb = arg;
	size_t i;

	for (i = 0; i < ncol && i < 3; i++)
		if (v[i] && lens[i] <= sizeof cb->b[i]) {
			memcpy(cb->b[i], v[i], lens[i]);
			cb->n[i] = lens[i];
		}
	return 1;
}

/* 1 and the phone in out (size 32), 0 none known, or a DB_* code. */
static int
task_phone(struct ctx *c, const char *hall, long long id, char out[32])
{
	struct contact_blobs cb;
	int rc, i, found = 0;

	memset(&cb, 0, sizeof cb);
	out[0] = '\0';
	rc = db_query(c, "SELECT cs.applicant_phone_enc, q.phone_enc, ci.phone_enc"
	    " FROM review_rectifications t JOIN reviews v ON v.id = t.review_id"
	    " LEFT JOIN cases cs ON cs.id = v.case_id"
	    " LEFT JOIN queue_tickets q ON q.id = v.ticket_id"
	    " LEFT JOIN citizens ci ON q.citizen IS NOT NULL AND ci.id = q.citizen"
	    " WHERE t.hall = ? AND t.id = ?", DBARGS(DBS(hall), DBI(id)), contact_row, &cb);
	if (rc < 0)
		return rc;
	for (i = 0; i < 3 && !found; i++)
		if (cb.n[i] > 0 && pii_open(cb.b[i], cb.n[i], out, 32) == 0 && out[0])
			found = 1;
	if (!found)
		out[0] = '\0';
	sodium_memzero(&cb, sizeof cb);
	return found;
}

/* Each task of the list gets "contact_phone": the reviewer's mobile, masked, or null. */
static int
tasks_add_contact(struct ctx *c, const char *hall, json_t *tasks)
{
	size_t i;
	json_t *t;
	char phone[32], mask[32];
	int rc;

	json_array_foreach(tasks, i, t) {
		long long id = (long long)json_integer_value(json_object_get(t, "id"));

		if ((rc = task_phone(c, hall, id, phone)) < 0)
			return rc;
		if (rc == 1) {
			mask_phone(phone, mask, sizeof mask);
			json_object_set_new(t, "contact_phone", json_string(mask));
		} else
			json_object_set_new(t, "contact_phone", json_null());
		sodium_memzero(phone, sizeof phone);
	}
	return 0;
}

int
rect_phone(struct ctx *c, const char *hall, long long id, char out[32])
{
	int rc;

	out[0] = '\0';
	if ((rc = task_exists(c, hall, id)) <= 0)
		return rc < 0 ? rc : E_NOT_FOUND;
	return task_phone(c, hall, id, out);
}

int
rect_list(struct ctx *c, const char *hall, enum rect_filter f, long long limit, json_t *tasks)
{
	char today[12];
	int rc;

	today_str(today);
	if (f == RECT_OPEN)
		rc = db_rows_json(c, TASK_SELECT " WHERE t.hall = ? AND t.status <> 'closed'"
		    " ORDER BY t.deadline IS NULL, t.deadline, t.id LIMIT ?",
		    DBARGS(DBS(today), DBS(hall), DBI(limit)), task_cols, task_types, tasks);
	else if (f == RECT_CHECKING)
		rc = db_rows_json(c, TASK_SELECT " WHERE t.hall = ? AND t.status = 'fixed'"
		    " ORDER BY t.fixed_at, t.id LIMIT ?",
		    DBARGS(DBS(today), DBS(hall), DBI(limit)), task_cols, task_types, tasks);
	else if (f == RECT_CLOSED)
		rc = db_rows_json(c, TASK_SELECT " WHERE t.hall = ? AND t.status = 'closed'"
		    " ORDER BY t.closed_at DESC, t.id DESC LIMIT ?",
		    DBARGS(DBS(today), DBS(hall), DBI(limit)), task_cols, task_types, tasks);
	else if (f == RECT_OVERDUE)
		rc = db_rows_json(c, TASK_SELECT " WHERE t.hall = ? AND t.status <> 'closed'"
		    " AND t.deadline < ? ORDER BY t.deadline, t.id LIMIT ?",
		    DBARGS(DBS(today), DBS(hall), DBS(today), DBI(limit)), task_cols, task_types,
		    tasks);
	else
		rc = db_rows_json(c, TASK_SELECT " WHERE t.hall = ? ORDER BY t.id DESC LIMIT ?",
		    DBARGS(DBS(today), DBS(hall), DBI(limit)), task_cols, task_types, tasks);
	if (rc >= 0)
		rc = tasks_add_contact(c, hall, tasks);
	return rc < 0 ? rc : 0;
}

int
rect_json(struct ctx *c, const char *hall, long long id, json_t **out)
{
	return reviews_row_json(c, TASK_SELECT " WHERE t.hall = ? AND t.id = ?", hall, id,
	    task_cols, task_types, "rectification", out);
}

int
rect_record(struct ctx *c, const char *hall, long long id, const struct rect_record *u)
{
	char now[24], detail[64];
	int contact = u->contacted || u->note;
	uint64_t n = 0;
	int rc;

	sql_now(now, sizeof now);
	rc = db_exec(c, "UPDATE review_rectifications SET"
	    " contacted_at = IF(? OR ? IS NOT NULL, COALESCE(contacted_at, ?), contacted_at),"
	    " contact_note = COALESCE(?, contact_note), cause = COALESCE(?, cause),"
	    " fix = COALESCE(?, fix), version = version + 1, updated_at = ?"
	    " WHERE id = ? AND hall = ? AND status = 'open'",
	    DBARGS(DBI(u->contacted), DBSO(u->note), DBS(now), DBSO(u->note), DBSO(u->cause),
	    DBSO(u->fix), DBS(now), DBI(id), DBS(hall)), &n, NULL);
	if (rc != 0)
		return rc;
	if (n != 1)
		return reviews_refusal(c, TASK_EXISTS, hall, id);
	fmt(detail, sizeof detail, "%s%s%s", contact ? "contact " : "", u->cause ? "cause " : "",
	    u->fix ? "fix" : "");
	return rect_history_add(c, id, now, contact ? "contact" : "record", u->actor, detail);
}

int
rect_fix(struct ctx *c, const char *hall, long long id, const char *cause, const char *fix,
    const char *actor)
{
	char now[24];
	uint64_t n = 0;
	int rc;

	sql_now(now, sizeof now);
	rc = db_exec(c, "UPDATE review_rectifications SET status = 'fixed',"
	    " cause = COALESCE(?, cause), fix = COALESCE(?, fix), fixed_at = ?, fixed_by = ?,"
	    " version = version + 1, updated_at = ?"
	    " WHERE id = ? AND hall = ? AND status = 'open' AND contacted_at IS NOT NULL",
	    DBARGS(DBSO(cause), DBSO(fix), DBS(now), DBS(actor), DBS(now), DBI(id),
	    DBS(hall)), &n, NULL);
	if (rc != 0)
		return rc;
	if (n != 1)
		return E_INVALID_TRANSITION;
	return rect_history_add(c, id, now, "fix", actor, "");
}

/*
 * The reviewer is told the outcome (review_rectified) when a fix passed its 复核: to the
 * phone …/contact would show, when one is known.  *sent: 1 when queued.
 */
static int
outcome_sms(struct ctx *c, const char *hall, long long id, const char *now, int *sent)
{
	struct outbox_msg m;
	char phone[32], ref[24], subject[64], kind[12] = "", vref[48] = "", fix[RECT_NOTE_MAX * 4 + 4];
	json_t *params;
	int rc;

	*sent = 0;
	if ((rc = task_phone(c, hall, id, phone)) <= 0)
		return rc;
	rc = db_scalar(c, "SELECT v.kind FROM review_rectifications t JOIN reviews v"
	    " ON v.id = t.review_id WHERE t.id = ?", DBARGS(DBI(id)), kind, sizeof kind);
	if (rc >= 0)
		rc = db_scalar(c, "SELECT v.ref FROM review_rectifications t JOIN reviews v"
		    " ON v.id = t.review_id WHERE t.id = ?", DBARGS(DBI(id)), vref, sizeof vref);
	if (rc >= 0)
		rc = db_scalar(c, "SELECT fix FROM review_rectifications WHERE id = ?",
		    DBARGS(DBI(id)), fix, sizeof fix);
	if (rc < 0) {
		sodium_memzero(phone, sizeof phone);
		return rc;
	}
	fmt(subject, sizeof subject, strcmp(kind, "case") == 0 ? "办件%s" : "%s号的办理", vref);
	fmt(ref, sizeof ref, "%lld", id);
	params = json_pack("{s:s,s:s}", "subject", subject, "fix", fix);
	m = (struct outbox_msg){ .hall = hall, .template = "review_rectified", .recipient = phone,
	    .params = params, .ref_kind = "rectification", .ref_id = ref };
	rc = outbox_add(c, &m, NULL);
	json_decref(params);
	sodium_memzero(phone, sizeof phone);
	if (rc != 0)
		return rc;
	*sent = 1;
	return db_exec(c, "UPDATE review_rectifications SET outcome_sms_at = ? WHERE id = ?",
	    DBARGS(DBS(now), DBI(id)), NULL, NULL);
}

int
rect_check(struct ctx *c, const char *hall, long long id, int pass, const char *note,
    int late, const char *actor, int *told)
{
	char now[24];
	uint64_t n = 0;
	int rc;

	*told = 0;
	sql_now(now, sizeof now);
	if (pass)
		rc = db_exec(c, "UPDATE review_rectifications SET status = 'closed', closed_at = ?,"
		    " closed_by = ?, late = ?, checked_at = ?, checked_by = ?, check_note = ?,"
		    " version = version + 1, updated_at = ?"
		    " WHERE id = ? AND hall = ? AND status = 'fixed' AND fixed_by <> ?",
		    DBARGS(DBS(now), DBS(actor), DBI(late), DBS(now), DBS(actor),
		    DBS(note ? note : ""), DBS(now), DBI(id), DBS(hall), DBS(actor)), &n, NULL);
	else
		rc = db_exec(c, "UPDATE review_rectifications SET status = 'open', fixed_at = NULL,"
		    " fixed_by = NULL, rejections = rejections + 1, checked_at = ?, checked_by = ?,"
		    " check_note = ?, version = version + 1, updated_at = ?"
		    " WHERE id = ? AND hall = ? AND status = 'fixed' AND fixed_by <> ?",
		    DBARGS(DBS(now), DBS(actor), DBS(note ? note : ""), DBS(now), DBI(id),
		    DBS(hall), DBS(actor)), &n, NULL);
	if (rc != 0)
		return rc;
	if (n != 1)
		return E_INVALID_TRANSITION;
	rc = rect_history_add(c, id, now, pass ? "check_pass" : "check_reject", actor,
	    note ? note : "");
	if (rc == 0 && pass)
		rc = outcome_sms(c, hall, id, now, told);
	if (rc == 0 && pass)
		rc = reviews_alert_clear(c, hall, "rectification", id);
	return rc;
}
