/*
 * complaints.c — 投诉: a signed-in citizen's complaint about one of their cases, a visit
 * (a ticket number) or the hall; assigned by a manager, answered by the one it was assigned
 * to (or a manager) within complaint_answer_days working days of the hall calendar; the
 * citizen is told the answer by SMS (complaint_answered) and reads it on /complaint.html.
 *
 * Tables: complaints, complaint_history, cases (a case complained about must be the
 *         citizen's), citizens (the phone the answer goes to), staff (the assignee),
 *         hall_alerts (through reviews_alert_clear), outbox (outbox_add)
 * Redis:  none.
 *
 * Every change is a guarded UPDATE … WHERE status … in the caller's transaction with its
 * history row: of two people acting at once one wins, the other is told it was handled.
 * A deadline that runs into a year whose holiday notice is not loaded stays NULL (never
 * guessed), as for a rectification task.
 */
#include "reviews.h"
#include "reviews_int.h"
#include "../hall/calendar.h"
#include "../identity/identity.h"
#include "../notify/outbox.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <sodium.h>
#include <string.h>

int
complaint_answer_days(void)
{
	return (int)config_int("complaint_answer_days", 5, 1, 60);
}

int
complaint_deadline(struct ctx *c, const char *hall, char deadline[12])
{
	int64_t dl;
	int rc, missing = 0;

	deadline[0] = '\0';
	rc = calendar_add_workdays(c, hall_day(hall_now()), complaint_answer_days(), &dl,
	    &missing);
	if (rc == CAL_OK)
		date_format_days(dl, deadline, 12);
	else if (rc == CAL_MISSING)
		log_warn("hall %s: complaint deadline reaches %d, not loaded", hall, missing);
	else
		return rc;
	return 0;
}

int
complaint_case_mine(struct ctx *c, const char *hall, const char *no, const char *citizen)
{
	char ph[PII_HASH_HEX], one[4];

	ph[0] = '\0';
	if (db_scalar(c, "SELECT phone_hash FROM citizens WHERE id = ?", DBARGS(DBS(citizen)),
	    ph, sizeof ph) <= 0)
		ph[0] = '\0';
	return db_scalar(c, "SELECT 1 FROM cases WHERE hall = ? AND no = ? AND (citizen = ?"
	    " OR (? <> '' AND (applicant_phone_hash = ? OR agent_phone_hash = ?)))",
	    DBARGS(DBS(hall), DBS(no), DBS(citizen), DBS(ph), DBS(ph), DBS(ph)), one, sizeof one);
}

int
complaint_count_today(struct ctx *c, const char *citizen, long long *n)
{
	char today[12], v[24];
	int rc;

	date_format_t(hall_now(), today, sizeof today);
	/* The citizen's row, locked: two complaints at once count one after the other. */
	if ((rc = db_scalar(c, "SELECT id FROM citizens WHERE id = ? FOR UPDATE",
	    DBARGS(DBS(citizen)), v, sizeof v)) < 0)
		return rc;
	rc = db_scalar(c, "SELECT COUNT(*) FROM complaints WHERE citizen = ? AND day = ?",
	    DBARGS(DBS(citizen), DBS(today)), v, sizeof v);
	if (rc < 0)
		return rc;
	*n = 0;
	parse_ll(v, 0, INT64_MAX, n);
	return 0;
}

int
complaint_history_add(struct ctx *c, long long id, const char *at, const char *action,
    const char *actor, const char *note)
{
	return db_exec(c, "INSERT INTO complaint_history (complaint, at, action, actor, note)"
	    " VALUES (?, ?, ?, ?, ?)", DBARGS(DBI(id), DBS(at), DBS(action), DBS(actor),
	    DBS(note)), NULL, NULL);
}

int
complaint_create(struct ctx *c, const struct complaint_in *in, long long *id)
{
	char now[24], today[12], actor[64];
	uint64_t nid = 0;
	int rc;

	sql_now(now, sizeof now);
	date_format_t(hall_now(), today, sizeof today);
	rc = db_exec(c, "INSERT INTO complaints (hall, citizen, about, ref, body, status, day,"
	    " deadline, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)",
	    DBARGS(DBS(in->hall), DBS(in->citizen), DBS(in->about), DBS(in->ref ? in->ref : ""),
	    DBS(in->body), DBS(today), DBSO(in->deadline[0] ? in->deadline : NULL), DBS(now),
	    DBS(now)), NULL, &nid);
	if (rc != 0)
		return rc;
	*id = (long long)nid;
	fmt(actor, sizeof actor, "citizen:%s", in->citizen);
	return complaint_history_add(c, *id, now, "open", actor,
	    in->deadline[0] ? "" : "节假日安排未导入，暂无期限");
}

static const char *const mine_cols[] = { "id", "hall", "hall_name", "about", "ref", "text",
	"status", "created_at", "deadline", "answer", "answered_at" };

int
complaint_list_mine(struct ctx *c, const char *citizen, json_t *out)
{
	int rc = db_rows_json(c, "SELECT p.id, p.hall, h.name, p.about, p.ref, p.body, p.status,"
	    " DATE_FORMAT(p.created_at, '%Y-%m-%dT%H:%i:%s+08:00'), DATE_FORMAT(p.deadline, '%Y-%m-%d'),"
	    " p.answer, DATE_FORMAT(p.answered_at, '%Y-%m-%dT%H:%i:%s+08:00')"
	    " FROM complaints p JOIN halls h ON h.code = p.hall WHERE p.citizen = ?"
	    " ORDER BY p.id DESC LIMIT 50", DBARGS(DBS(citizen)), mine_cols, "issssssSSsS", out);

	return rc < 0 ? rc : 0;
}

static const char *const hall_cols[] = { "id", "about", "ref", "text", "status", "created_at",
	"deadline", "overdue", "assigned_to", "assignee_name", "assigned_at", "answer",
	"answered_at", "answered_by_name", "late" };
static const char hall_types[] = "issssSSbISSsSSb";

#define COMPLAINT_SELECT \
	"SELECT p.id, p.about, p.ref, p.body, p.status," \
	" DATE_FORMAT(p.created_at, '%Y-%m-%dT%H:%i:%s+08:00'), DATE_FORMAT(p.deadline, '%Y-%m-%d')," \
	" (p.status <> 'answered' AND p.deadline IS NOT NULL AND p.deadline < ?)," \
	" p.assigned_to, s.name, DATE_FORMAT(p.assigned_at, '%Y-%m-%dT%H:%i:%s+08:00'), p.answer," \
	" DATE_FORMAT(p.answered_at, '%Y-%m-%dT%H:%i:%s+08:00'), b.name, p.late" \
	" FROM complaints p LEFT JOIN staff s ON s.id = p.assigned_to" \
	" LEFT JOIN staff b ON b.id = p.answered_by"

int
complaint_list_hall(struct ctx *c, const char *hall, enum complaint_filter f,
    const char *assignee, long long limit, json_t *out)
{
	char today[12];
	int rc;

	date_format_t(hall_now(), today, sizeof today);
	/* assignee (a staff id) or NULL: everyone's. */
	if (f == CF_OPEN)
		rc = db_rows_json(c, COMPLAINT_SELECT " WHERE p.hall = ? AND p.status <> 'answered'"
		    " AND (? IS NULL OR p.assigned_to = ?)"
		    " ORDER BY p.deadline IS NULL, p.deadline, p.id LIMIT ?",
		    DBARGS(DBS(today), DBS(hall), DBSO(assignee), DBSO(assignee), DBI(limit)),
		    hall_cols, hall_types, out);
	else if (f == CF_OVERDUE)
		rc = db_rows_json(c, COMPLAINT_SELECT " WHERE p.hall = ? AND p.status <> 'answered'"
		    " AND p.deadline < ? AND (? IS NULL OR p.assigned_to = ?)"
		    " ORDER BY p.deadline, p.id LIMIT ?",
		    DBARGS(DBS(today), DBS(hall), DBS(today), DBSO(assignee), DBSO(assignee),
		    DBI(limit)), hall_cols, hall_types, out);
	else if (f == CF_ANSWERED)
		rc = db_rows_json(c, COMPLAINT_SELECT " WHERE p.hall = ? AND p.status = 'answered'"
		    " AND (? IS NULL OR p.assigned_to = ?) ORDER BY p.answered_at DESC, p.id DESC"
		    " LIMIT ?", DBARGS(DBS(today), DBS(hall), DBSO(assignee), DBSO(assignee),
		    DBI(limit)), hall_cols, hall_types, out);
	else
		rc = db_rows_json(c, COMPLAINT_SELECT " WHERE p.hall = ?"
		    " AND (? IS NULL OR p.assigned_to = ?) ORDER BY p.id DESC LIMIT ?",
		    DBARGS(DBS(today), DBS(hall), DBSO(assignee), DBSO(assignee), DBI(limit)),
		    hall_cols, hall_types, out);
	return rc < 0 ? rc : 0;
}

int
complaint_json(struct ctx *c, const char *hall, long long id, json_t **out)
{
	return reviews_row_json(c, COMPLAINT_SELECT " WHERE p.hall = ? AND p.id = ?", hall, id,
	    hall_cols, hall_types, "complaint", out);
}

#define COMPLAINT_EXISTS "SELECT 1 FROM complaints WHERE hall = ? AND id = ?"

int
complaint_assign(struct ctx *c, const char *hall, long long id, long long staff,
    const char *actor)
{
	char now[24], note[32];
	uint64_t n = 0;
	int rc;

	sql_now(now, sizeof now);
	rc = db_exec(c, "UPDATE complaints SET status = 'assigned', assigned_to = ?,"
	    " assigned_at = ?, version = version + 1, updated_at = ?"
	    " WHERE id = ? AND hall = ? AND status IN ('open', 'assigned')",
	    DBARGS(DBI(staff), DBS(now), DBS(now), DBI(id), DBS(hall)), &n, NULL);
	if (rc != 0)
		return rc;
	if (n != 1)
		return reviews_refusal(c, COMPLAINT_EXISTS, hall, id);
	fmt(note, sizeof note, "staff:%lld", staff);
	return complaint_history_add(c, id, now, "assign", actor, note);
}

/* The answer's SMS to the citizen's bound phone; *told 1 when queued. */
static int
answer_sms(struct ctx *c, const char *hall, long long id, const char *answer, int *told)
{
	struct citizen ci;
	struct outbox_msg m;
	char citizen[24], day[12], ref[24];
	json_t *params;
	long long cid = 0;
	int rc;

	*told = 0;
	rc = db_scalar(c, "SELECT citizen FROM complaints WHERE id = ?", DBARGS(DBI(id)),
	    citizen, sizeof citizen);
	if (rc <= 0)
		return rc < 0 ? rc : DB_FAIL;
	if (db_scalar(c, "SELECT DATE_FORMAT(day, '%m月%d日') FROM complaints WHERE id = ?",
	    DBARGS(DBI(id)), day, sizeof day) <= 0)
		str_copy(day, sizeof day, "近日");
	parse_ll(citizen, 1, INT64_MAX, &cid);
	memset(&ci, 0, sizeof ci);
	if ((rc = citizen_get(c, cid, &ci)) < 0)
		return rc;
	if (rc == 0 || ci.phone[0] == '\0')
		return 0;
	fmt(ref, sizeof ref, "%lld", id);
	params = json_pack("{s:s,s:s}", "date", day, "answer", answer);
	m = (struct outbox_msg){ .hall = hall, .template = "complaint_answered",
	    .recipient = ci.phone, .params = params, .ref_kind = "complaint", .ref_id = ref };
	rc = outbox_add(c, &m, NULL);
	json_decref(params);
	sodium_memzero(&ci, sizeof ci);
	*told = rc == 0;
	return rc;
}

int
complaint_answer(struct ctx *c, const char *hall, long long id, const char *answer,
    const char *actor, int any, int *told)
{
	char now[24], today[12];
	uint64_t n = 0;
	int rc;

	*told = 0;
	sql_now(now, sizeof now);
	date_format_t(hall_now(), today, sizeof today);
	/* A manager (any) may answer an unassigned one: it is then theirs. */
	rc = db_exec(c, "UPDATE complaints SET status = 'answered', answer = ?, answered_at = ?,"
	    " answered_by = ?, assigned_to = COALESCE(assigned_to, ?),"
	    " assigned_at = COALESCE(assigned_at, ?),"
	    " late = (deadline IS NOT NULL AND deadline < ?), version = version + 1, updated_at = ?"
	    " WHERE id = ? AND hall = ? AND status <> 'answered' AND (? = 1 OR assigned_to = ?)",
	    DBARGS(DBS(answer), DBS(now), DBS(actor), DBS(actor), DBS(now), DBS(today), DBS(now),
	    DBI(id), DBS(hall), DBI(any), DBS(actor)), &n, NULL);
	if (rc != 0)
		return rc;
	if (n != 1)
		return reviews_refusal(c, COMPLAINT_EXISTS, hall, id);
	rc = complaint_history_add(c, id, now, "answer", actor, "");
	if (rc == 0)
		rc = answer_sms(c, hall, id, answer, told);
	if (rc == 0)
		rc = reviews_alert_clear(c, hall, "complaint", id);
	return rc;
}
