/*
 * case_waivers.c — 容缺受理 that is watched: the worker's job "cases-waivers" and the list of
 * waived (容缺) materials still awaited, GET /case-waivers.
 *
 * Routes: GET /case-waivers (clerk: the cases they accepted; manager, admin: the hall's)
 * Tables: case_materials (state 'waived', due), cases, case_waiver_notices, case_history,
 *         staff (the accepting clerk's name and sealed phone), hall_alerts (akey
 *         waiver:<case no>), outbox, audit_log; calendar_* through calendar.c
 * Redis:  none (case_history rows drop the case's cached tracking page: case_changed)
 *
 * A 容缺 material is accepted on the applicant's signed commitment to bring it by a due date
 * (POST /cases, cases_accept.c: a working day, never after the case's deadline).  The job
 * watches that promise for every running case (accepted, processing, supplement_needed):
 *   reminder — on the hall's working day before the due date (holidays and 调休 from the
 *              calendar; a due date on Monday is reminded on Friday, after a holiday on the
 *              last working day before it), the SMS waiver_due_reminder {case_no,list,due} to
 *              the applicant and to the case's agent when it has one, as other case SMS go.
 *              Not when the commitment was signed on that working day or later: the applicant
 *              has just been told.  A worker that was down on that day sends it late, up to
 *              the day before the due date, never on or after it.
 *   overdue  — once the due date has passed and the material is still awaited: a staff-only
 *              history row, the SMS waiver_overdue_staff {case_no,list,due} to the clerk who
 *              accepted the case (when their work phone is on file), and the hall alert
 *              waiver:<case no> (level warning) that managers see with the other alerts; the
 *              alert clears itself once no 容缺 material of the case is overdue any more.
 * Each is given once per case and due date: a case_waiver_notices row (its primary key) is
 * written first, in the same transaction as the SMS, so of several workers one gives it.
 * A year whose holiday notice is missing skips the reminder of that due date (the working
 * day before it cannot be known); the overdue notice needs no calendar.
 */
#include "handlers.h"
#include "cases.h"
#include "../shared/alerts.h"
#include "case_mats.h"
#include "../hall/calendar.h"
#include "../notify/outbox.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIVE_SCAN_MAX	500	/* rows a scan looks at; the rest on the next minute */
#define REMIND_HORIZON	30	/* calendar days: the working day before is always closer */
#define LIST_CHARS	24	/* the material list in an SMS variable */
#define LIST_MAX	20	/* materials of one case and due date (a checklist has ≤ 40) */

/* One case and due date with its awaited 容缺 materials. */
struct waive_group {
	long long id;
	char	  no[CASE_NO_MAX];
	char	  hall[32];
	char	  title[256];
	char	  status[24];
	char	  due[12];
	char	  signed_on[12];	/* the day the commitment was signed */
	long long clerk;		/* accepted_by, 0 when none */
	char	  clerk_name[204];
	size_t	  nnames;
	char	  names[LIST_MAX][204];
};

struct waive_scan {
	struct waive_group *g;
	size_t		    n, cap;
};

/*
 * Rows: case id, no, hall, title, status, due, signed day, accepted_by, clerk name, material
 * name — ordered by case and due, so one group's rows come together.
 */
static int
waive_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct waive_scan *s = arg;
	struct waive_group *g = s->n ? &s->g[s->n - 1] : NULL;
	long long id = 0;

	(void)ncol;
	(void)lens;
	parse_ll(v[0], 1, INT64_MAX, &id);
	if (g == NULL || g->id != id || strcmp(g->due, v[5] ? v[5] : "") != 0) {
		if (s->n == s->cap)
			return 1;
		g = &s->g[s->n++];
		memset(g, 0, sizeof *g);
		g->id = id;
		str_copy(g->no, sizeof g->no, v[1]);
		str_copy(g->hall, sizeof g->hall, v[2]);
		str_copy(g->title, sizeof g->title, v[3]);
		str_copy(g->status, sizeof g->status, v[4]);
		str_copy(g->due, sizeof g->due, v[5] ? v[5] : "");
		str_copy(g->signed_on, sizeof g->signed_on, v[6] ? v[6] : "");
		if (v[7])
			parse_ll(v[7], 1, INT64_MAX, &g->clerk);
		str_copy(g->clerk_name, sizeof g->clerk_name, v[8] ? v[8] : "");
	}
	if (g->nnames < LIST_MAX)
		str_copy(g->names[g->nnames++], sizeof g->names[0], v[9] ? v[9] : "");
	return 0;
}

/* The group's materials as a list: "A、B" or "A、B等3项" within max_chars (0: all). */
static void
group_list(const struct waive_group *g, size_t max_chars, char *out, size_t osz)
{
	struct case_names n;
	size_t i;

	case_names_start(&n, out, osz, max_chars);
	for (i = 0; i < g->nnames; i++)
		case_names_add(&n, g->names[i]);
	case_names_end(&n, g->nnames);
}

#define WAIVE_SELECT \
	"SELECT c.id, c.no, c.hall, c.title, c.status, DATE_FORMAT(m.due, '%Y-%m-%d')," \
	" DATE_FORMAT(m.committed_at, '%Y-%m-%d'),"	/* one commitment per case */ \
	" c.accepted_by, s.name, m.name" \
	" FROM case_materials m JOIN cases c ON c.id = m.case_id" \
	" LEFT JOIN staff s ON s.id = c.accepted_by" \
	" LEFT JOIN item_materials im ON im.item = m.item AND im.code = m.code" \
	" WHERE m.state = 'waived'" \
	" AND c.status IN ('accepted', 'processing', 'supplement_needed')"

/* The 容缺 materials of running cases with no notice of kind yet, due in [from, to]. */
static int
waive_scan(struct ctx *c, const char *kind, const char *from, const char *to,
    struct waive_scan *s)
{
	return db_query(c, WAIVE_SELECT " AND m.due >= ? AND m.due <= ?"
	    " AND NOT EXISTS (SELECT 1 FROM case_waiver_notices n WHERE n.case_id = c.id"
	    "  AND n.due = m.due AND n.kind = ?)"
	    " ORDER BY m.due, c.id, im.sort, m.code LIMIT 500",
	    DBARGS(DBS(from), DBS(to), DBS(kind)), waive_row, s);
}

/* The notice's guard row: 1 written (this worker gives it), 0 given before, or a DB_* code. */
static int
notice_claim(struct ctx *c, const struct waive_group *g, const char *kind, const char *now)
{
	uint64_t n = 0;
	int rc;

	rc = db_exec(c, "INSERT IGNORE INTO case_waiver_notices (case_id, due, kind, at)"
	    " VALUES (?, ?, ?, ?)", DBARGS(DBI(g->id), DBS(g->due), DBS(kind), DBS(now)), &n,
	    NULL);
	return rc != 0 ? rc : n == 1;
}

/* A staff-only history row by the system (from = to: the tracking page does not show it). */
static int
system_note(struct ctx *c, const struct waive_group *g, const char *now, const char *action,
    const char *note)
{
	int rc;

	rc = db_exec(c, "INSERT INTO case_history (case_id, at, action, from_status, to_status,"
	    " actor_kind, actor, actor_name, note, public_note) VALUES (?, ?, ?, ?, ?,"
	    " 'system', '', '电子监察', ?, '')", DBARGS(DBI(g->id), DBS(now), DBS(action),
	    DBS(g->status), DBS(g->status), DBS(note)), NULL, NULL);
	case_changed(c, g->id);
	return rc;
}

struct waive_tx {
	struct waive_group	*g;
	const char		*now;
	int			 given;		/* this worker gave the notice */
};

/* ---------------------------------------------------------------- the reminder */

/* One try (db_tx retries): the guard row, the SMS to the applicant and agent, the history
 * and audit rows. */
static int
remind_tx(struct ctx *c, void *arg)
{
	struct waive_tx *t = arg;
	struct waive_group *g = t->g;
	struct case_row cr;
	char list[256], agent[32], note[400];
	json_t *params;
	int rc;

	t->given = 0;
	if ((rc = notice_claim(c, g, "reminder", t->now)) <= 0)
		return rc;
	memset(&cr, 0, sizeof cr);
	rc = case_load(c, g->hall, g->no, &cr);
	if (rc <= 0) {
		sodium_memzero(&cr, sizeof cr);
		return rc < 0 ? rc : DB_FAIL;
	}
	group_list(g, LIST_CHARS, list, sizeof list);
	params = json_pack("{s:s,s:s,s:s}", "case_no", g->no, "list", list, "due", g->due);
	rc = case_sms(c, g->hall, "waiver_due_reminder", cr.phone, params, g->no);
	if (rc == 0)
		rc = case_agent_phone(c, g->id, agent);
	if (rc == 0 && agent[0] && strcmp(agent, cr.phone) != 0)
		rc = case_sms(c, g->hall, "waiver_due_reminder", agent, params, g->no);
	json_decref(params);
	sodium_memzero(&cr, sizeof cr);
	sodium_memzero(agent, sizeof agent);
	if (rc == -1)
		rc = DB_FAIL;
	group_list(g, 0, list, sizeof list);
	fmt(note, sizeof note, "已短信提醒申请人：容缺材料（%s）须于 %s 前补交", list, g->due);
	if (rc == 0)
		rc = system_note(c, g, t->now, "waiver_reminder", note);
	if (rc == 0)
		rc = case_job_audit(c, t->now, g->hall, "case.waiver_reminder", g->no, g->due);
	t->given = rc == 0;
	return rc;
}

/*
 * The working day before due (strictly before it), looking back at most REMIND_HORIZON days:
 * 0 with *out, CAL_MISSING (a year not loaded) or a DB_* code.
 */
static int
workday_before(struct ctx *c, int64_t due, int64_t *out)
{
	int64_t d;
	int rc;

	for (d = due - 1; d > due - REMIND_HORIZON; d--) {
		if ((rc = calendar_is_workday(c, d)) < 0)
			return rc;
		if (rc == 1) {
			*out = d;
			return 0;
		}
	}
	return CAL_MISSING;
}

static int
waivers_remind(struct ctx *c, struct waive_scan *s, int64_t today, const char *now)
{
	char from[12], to[12];
	size_t i;
	int rc;

	date_format_days(today + 1, from, sizeof from);
	date_format_days(today + REMIND_HORIZON, to, sizeof to);
	s->n = 0;
	if ((rc = waive_scan(c, "reminder", from, to, s)) < 0)
		return rc;
	for (i = 0; i < s->n; i++) {
		struct waive_group *g = &s->g[i];
		struct waive_tx t = { g, now, 0 };
		int64_t due, before, signed_on;

		if (date_parse(g->due, &due) != 0 || date_parse(g->signed_on, &signed_on) != 0)
			continue;
		rc = workday_before(c, due, &before);
		if (rc == CAL_MISSING)
			continue;	/* the calendar job has told the managers */
		if (rc < 0)
			return rc;
		if (today < before || signed_on >= before)
			continue;	/* not yet; or signed that day: the applicant knows */
		if ((rc = db_tx(c, remind_tx, &t)) != 0)
			return rc;
		if (t.given)
			log_info("case %s: 容缺 reminder for %s", g->no, g->due);
	}
	return 0;
}

/* ---------------------------------------------------------------- overdue */

/* The accepting clerk's work phone: SMS waiver_overdue_staff; none on file: nothing. */
static int
tell_clerk(struct ctx *c, const struct waive_group *g, const char *list)
{
	struct outbox_msg m;
	char phone[32];
	json_t *params;
	int rc;

	if (g->clerk == 0)
		return 0;
	rc = case_sealed_get(c, "SELECT phone_enc FROM staff WHERE id = ? AND disabled = 0",
	    DBARGS(DBI(g->clerk)), phone, sizeof phone);
	if (rc < 0 || phone[0] == '\0')
		return rc;
	params = json_pack("{s:s,s:s,s:s}", "case_no", g->no, "list", list, "due", g->due);
	memset(&m, 0, sizeof m);
	m.hall = g->hall;
	m.template = "waiver_overdue_staff";
	m.recipient = phone;
	m.params = params;
	m.ref_kind = "case";
	m.ref_id = g->no;
	m.urgent = 0;	/* a work notice: held through the night */
	rc = outbox_add(c, &m, NULL);
	json_decref(params);
	sodium_memzero(phone, sizeof phone);
	return rc == -1 ? DB_FAIL : rc;
}

/* One try: the guard row, the history row, the clerk's SMS, the managers' alert, audit. */
static int
overdue_tx(struct ctx *c, void *arg)
{
	struct waive_tx *t = arg;
	struct waive_group *g = t->g;
	char list[256], all[600], note[700], msg[500], key[64];
	int rc;

	t->given = 0;
	if ((rc = notice_claim(c, g, "overdue", t->now)) <= 0)
		return rc;
	group_list(g, LIST_CHARS, list, sizeof list);
	group_list(g, 0, all, sizeof all);
	fmt(note, sizeof note, "容缺材料逾期未补交：%s（约定 %s 前补交）", all, g->due);
	rc = system_note(c, g, t->now, "waiver_overdue", note);
	if (rc == 0)
		rc = tell_clerk(c, g, list);
	if (rc == 0) {
		group_list(g, 60, list, sizeof list);
		fmt(key, sizeof key, "waiver:%s", g->no);
		fmt(msg, sizeof msg, "容缺材料逾期未补交：办件 %s（%s）的%s约定 %s 前补交，"
		    "至今未收到。受理人：%s。请督促申请人补交。", g->no, g->title, list, g->due,
		    g->clerk_name[0] ? g->clerk_name : "—");
		rc = hall_alert_raise(c, g->hall, key, "warning", msg, t->now);
	}
	if (rc == 0)
		rc = case_job_audit(c, t->now, g->hall, "case.waiver_overdue", g->no, g->due);
	t->given = rc == 0;
	return rc;
}

static int
waivers_overdue(struct ctx *c, struct waive_scan *s, int64_t today, const char *now)
{
	char to[12];
	size_t i;
	int rc;

	date_format_days(today - 1, to, sizeof to);
	s->n = 0;
	if ((rc = waive_scan(c, "overdue", "2000-01-01", to, s)) < 0)
		return rc;
	for (i = 0; i < s->n; i++) {
		struct waive_tx t = { &s->g[i], now, 0 };

		if ((rc = db_tx(c, overdue_tx, &t)) != 0)
			return rc;
		if (t.given)
			log_info("case %s: 容缺 overdue since %s", s->g[i].no, s->g[i].due);
	}
	/* Alerts of cases whose overdue materials came (or that ended): done. */
	return db_exec(c, "UPDATE hall_alerts a SET a.cleared_at = ? WHERE a.akey LIKE 'waiver:%'"
	    " AND a.cleared_at IS NULL AND NOT EXISTS (SELECT 1 FROM cases c JOIN case_materials m"
	    "  ON m.case_id = c.id WHERE c.hall = a.hall AND c.no = SUBSTRING(a.akey, 8)"
	    "  AND m.state = 'waived' AND m.due <= ?"
	    "  AND c.status IN ('accepted', 'processing', 'supplement_needed'))",
	    DBARGS(DBS(now), DBS(to)), NULL, NULL);
}

int
job_cases_waivers(struct ctx *c)
{
	struct waive_scan s;
	int64_t today = case_today();
	char now[20];
	int rc;

	s.cap = WAIVE_SCAN_MAX;
	s.n = 0;
	if ((s.g = calloc(s.cap, sizeof *s.g)) == NULL)
		return DB_FAIL;
	case_now(now);
	rc = waivers_remind(c, &s, today, now);
	if (rc == 0)
		rc = waivers_overdue(c, &s, today, now);
	free(s.g);
	return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------- GET /case-waivers */

/*
 * The 容缺 materials still awaited on running cases, nearest due first: a clerk's own
 * acceptances, or the hall's for a manager or admin; ?overdue=1 only those past their due
 * date (the dashboard's list).  days_overdue counts calendar days since the due date.
 */
int
h_case_waivers(struct req *r)
{
	static const char *const cols[] = { "case_no", "item", "status", "code", "name", "due",
	    "committed_at", "days_overdue", "accepted_by", "window" };
	long long overdue = 0, limit = 100, staff = 0;
	char today_s[12];
	json_t *rows, *row, *out;
	size_t i;
	int rc, own = r->sess.role == ROLE_CLERK;

	q_int(r, "overdue", 0, 0, 1, &overdue);
	q_int(r, "limit", 0, 1, 500, &limit);
	if (in_has_errors(r))
		return req_invalid(r);
	if (own)
		parse_ll(r->sess.subject, 1, INT64_MAX, &staff);
	date_format_days(case_today(), today_s, sizeof today_s);
	rows = json_array();
	rc = db_rows_json(r->ctx, "SELECT c.no, c.title, c.status, m.code, m.name,"
	    " DATE_FORMAT(m.due, '%Y-%m-%d'),"
	    " DATE_FORMAT(m.committed_at, '%Y-%m-%dT%H:%i:%s+08:00'),"
	    " GREATEST(DATEDIFF(?, m.due), 0), s.name, c.window_no"
	    " FROM case_materials m JOIN cases c ON c.id = m.case_id"
	    " LEFT JOIN staff s ON s.id = c.accepted_by"
	    " WHERE c.hall = ? AND m.state = 'waived'"
	    " AND c.status IN ('accepted', 'processing', 'supplement_needed')"
	    " AND (? = 0 OR m.due < ?) AND (? = 0 OR c.accepted_by = ?)"
	    " ORDER BY m.due, c.no, m.code LIMIT ?",
	    DBARGS(DBS(today_s), DBS(r->sess.hall), DBI(overdue), DBS(today_s), DBI(own),
	    DBI(staff), DBI(limit)), cols, "ssssssSiSI", rows);
	if (rc < 0) {
		json_decref(rows);
		return db_fail(r, rc);
	}
	json_array_foreach(rows, i, row) {
		json_object_set_new(row, "overdue",
		    json_boolean(json_integer_value(json_object_get(row, "days_overdue")) > 0));
		json_object_set_new(row, "status_label",
		    json_string(case_status_label(json_string_value(json_object_get(row,
		    "status")))));
	}
	out = json_pack("{s:o,s:s}", "waivers", rows, "today", today_s);
	return req_ok(r, 200, out);
}
