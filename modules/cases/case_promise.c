/*
 * case_promise.c — 证明事项告知承诺制, the domain (case_promise.h): the window's promises, the
 * 事后核查 tasks opened with an accepted case, their JSON on the case, and the overdue scan.
 *
 * Routes: none (case_promise_api.c serves the tasks).
 * Tables: promise_checks, case_materials, case_parts, case_history, cases, departments,
 *         staff (closer, phones), hall_alerts, outbox (outbox.c), audit_log,
 *         calendar_* (calendar.c)
 * Redis:  none.
 *
 * Why a task per material and not per case: a bundle's promised materials may belong to parts
 * of different departments, and each department verifies its own (the one that decides it).
 */
#include "case_promise.h"
#include "cases.h"
#include "../shared/alerts.h"
#include "../hall/calendar.h"
#include "../notify/outbox.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
promise_signed_check(json_t *v)
{
	if (!json_is_object(v))
		return "告知承诺须为 {\"signed\": true}";
	if (!json_is_true(json_object_get(v, "signed")))
		return "须由申请人签署告知承诺书";
	return NULL;
}

/*
 * The body's "promises" ({code: {"signed": true}}, at most max codes) walked once for both
 * checklists: find says where code's promise is marked, or NULL with msg saying why it
 * cannot be promised; a promise not signed is refused.  Field errors promises.<code> and
 * promises.<code>.signed.  Returns how many were marked.
 */
typedef int *(*promise_find_fn)(void *arg, const char *code, char *msg, size_t msz);

static int
promises_walk(struct req *r, size_t max, promise_find_fn find, void *arg)
{
	json_t *obj = json_object_get(r->body, "promises"), *v;
	const char *code, *why;
	char field[96], msg[300];
	int *mark, n = 0;

	if (obj == NULL || json_is_null(obj))
		return 0;
	if (!json_is_object(obj) || json_object_size(obj) > max) {
		req_fail_field(r, "promises", "须为 {材料编号: {\"signed\": true}}");
		return 0;
	}
	json_object_foreach(obj, code, v) {
		msg[0] = '\0';
		if ((mark = find(arg, code, msg, sizeof msg)) == NULL) {
			fmt(field, sizeof field, "promises.%.*s",
			    (int)utf8_cut(code, strlen(code), 16, SIZE_MAX), code);
			req_fail_field(r, field, msg);
			continue;
		}
		if ((why = promise_signed_check(v)) != NULL) {
			fmt(field, sizeof field, "promises.%s.signed", code);
			req_fail_field(r, field, why);
			continue;
		}
		*mark = 1;
		n++;
	}
	return n;
}

static int *
mats_find(void *arg, const char *code, char *msg, size_t msz)
{
	struct case_mat *m = case_mats_find(arg, code);

	if (m == NULL)
		str_copy(msg, msz, "该事项没有这项材料");
	else if (!m->promise_allowed)
		fmt(msg, msz, "%s（%s）不适用告知承诺制，须提交材料", m->name, m->code);
	else if (m->given)
		fmt(msg, msz, "%s（%s）已收取，无需承诺", m->name, m->code);
	else if (m->waived)
		fmt(msg, msz, "%s（%s）已容缺受理，不能同时以承诺替代", m->name, m->code);
	else
		return &m->promised;
	return NULL;
}

int
case_promises_parse(struct req *r, struct case_mats *l)
{
	return promises_walk(r, CASE_MATS_MAX, mats_find, l);
}

struct form_promises {
	const struct form	*f;
	const int		*given;
	int			*promised;
};

static int *
form_find(void *arg, const char *code, char *msg, size_t msz)
{
	struct form_promises *fp = arg;
	const struct form *f = fp->f;
	size_t i;

	for (i = 0; i < f->nmats && strcmp(f->mats[i].code, code) != 0; i++)
		;
	if (i == f->nmats)
		str_copy(msg, msz, "该一件事没有这项材料");
	else if (!f->mats[i].promise_allowed)
		fmt(msg, msz, "%s（%s）不适用告知承诺制，须提交材料", f->mats[i].name,
		    f->mats[i].code);
	else if (fp->given[i])
		fmt(msg, msz, "%s（%s）已收取，无需承诺", f->mats[i].name, f->mats[i].code);
	else
		return &fp->promised[i];
	return NULL;
}

int
case_promises_parse_form(struct req *r, const struct form *f, const int *given, int *promised)
{
	struct form_promises fp = { f, given, promised };

	return promises_walk(r, FORM_MAX_MATS, form_find, &fp);
}

int
case_material_rows(struct ctx *c, long long case_id, const char *parts, const char *received_at)
{
	char buf[500], *s, *save = NULL, *colon;
	int rc = 0;

	str_copy(buf, sizeof buf, parts);
	for (s = strtok_r(buf, ",", &save); rc == 0 && s; s = strtok_r(NULL, ",", &save)) {
		if ((colon = strchr(s, ':')) == NULL)
			continue;
		*colon = '\0';
		rc = db_exec(c, "INSERT INTO case_materials (case_id, item, code, name, required,"
		    " state, received_at) SELECT ?, item, code, name, required, ?, ?"
		    " FROM item_materials WHERE item = ? AND code = ?",
		    DBARGS(DBI(case_id), DBS(received_at ? "received" : "promised"),
		    DBSO(received_at), DBS(s), DBS(colon + 1)), NULL, NULL);
	}
	return rc;
}

/* ---------------------------------------------------------------- opening the tasks */

static int
name_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	(void)ncol;
	(void)lens;
	case_names_add(arg, v[0]);
	return 0;
}

/* promise_check_days working days after today: 0 with due ("" when it cannot be counted:
 * alert raised) and *provisional (counted on the provisional calendar), or a DB_* code. */
static int
promise_due(struct ctx *c, const char *hall, char due[12], int *provisional)
{
	int64_t d, today = case_today();
	int year = 0, rc;

	due[0] = '\0';
	*provisional = 0;
	rc = calendar_add_workdays(c, today, (int)config_int("promise_check_days", 20, 1, 250),
	    &d, &year);
	if (rc == CAL_MISSING) {
		case_calendar_missing(c, hall, year);
		return 0;
	}
	if (rc < 0 || (rc = calendar_provisional_in(c, today, d)) < 0)
		return rc;
	*provisional = rc > 0;
	date_format_days(d, due, 12);
	return 0;
}

int
case_promise_open(struct ctx *c, const struct session *who, long long case_id,
    const char *hall, const char *status, const char *now, int *opened)
{
	struct case_names names;
	char due[12], list[400], pub[CASE_PUBLIC_NOTE_MAX * 4];
	uint64_t n = 0;
	int rc, provisional;

	if (opened)
		*opened = 0;
	if ((rc = promise_due(c, hall, due, &provisional)) < 0)
		return rc;
	/* The verification is the deciding hall's department's (全市通办: case_route.h). */
	rc = db_exec(c, "INSERT INTO promise_checks (case_id, hall, item, code, name, department,"
	    " status, due, due_provisional, opened_at) SELECT m.case_id, COALESCE(k.decide_hall, ?),"
	    " m.item, m.code, m.name, p.department, 'open', ?, ?, ? FROM case_materials m"
	    " JOIN case_parts p ON p.case_id = m.case_id AND p.item = m.item"
	    " JOIN cases k ON k.id = m.case_id WHERE m.case_id = ?"
	    " AND m.state = 'promised'",
	    DBARGS(DBS(hall), due[0] ? DBS(due) : DBN, DBI(provisional), DBS(now), DBI(case_id)),
	    &n, NULL);
	if (rc != 0 || n == 0)
		return rc;
	if (opened)
		*opened = (int)n;
	case_names_start(&names, list, sizeof list, 0);
	rc = db_query(c, "SELECT name FROM promise_checks WHERE case_id = ? ORDER BY id",
	    DBARGS(DBI(case_id)), name_row, &names);
	if (rc < 0)
		return rc;
	case_names_end(&names, (size_t)n);
	if (due[0])
		fmt(pub, sizeof pub, "告知承诺：%s 以申请人签署的告知承诺书替代，"
		    "主管部门将于 %s 前完成事后核查；承诺不实的，依法处理并记入信用记录", list, due);
	else
		fmt(pub, sizeof pub, "告知承诺：%s 以申请人签署的告知承诺书替代，"
		    "由主管部门事后核查；承诺不实的，依法处理并记入信用记录", list);
	utf8_trunc(pub, sizeof pub, CASE_PUBLIC_NOTE_MAX, "…");
	return case_history_add(c, who, case_id, now, "promise", status, status, NULL, "", pub);
}

/* ---------------------------------------------------------------- on the case */

int
case_promises_json(struct ctx *c, long long case_id, json_t *o)
{
	static const char *const cols[] = { "id", "item", "code", "name", "department",
	    "department_name", "status", "due", "due_provisional", "opened_at", "closed_at",
	    "closed_by", "note", "overdue" };
	char today[12];
	json_t *a = json_array();
	int rc;

	date_format_days(case_today(), today, sizeof today);
	json_object_set_new(o, "promises", a);
	rc = db_rows_json(c, "SELECT pc.id, pc.item, pc.code, pc.name, pc.department, d.name,"
	    " pc.status, DATE_FORMAT(pc.due, '%Y-%m-%d'), pc.due_provisional,"
	    " DATE_FORMAT(pc.opened_at, '%Y-%m-%dT%H:%i:%s+08:00'),"
	    " DATE_FORMAT(pc.closed_at, '%Y-%m-%dT%H:%i:%s+08:00'), s.name, pc.note,"
	    " pc.status = 'open' AND pc.due IS NOT NULL AND pc.due < ?"
	    " FROM promise_checks pc JOIN departments d ON d.code = pc.department"
	    " LEFT JOIN staff s ON s.id = pc.closed_by WHERE pc.case_id = ? ORDER BY pc.id",
	    DBARGS(DBS(today), DBI(case_id)), cols, "issssssSbsSSsb", a);
	return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------- the overdue scan */

#define SCAN_MAX 200

#define LATE_CHECK(I, S, t) \
	I(t, id, 1, INT64_MAX) S(t, hall, 32) S(t, name, 204) S(t, due, 12) \
	S(t, case_no, CASE_NO_MAX) S(t, department, 32) S(t, dept_name, 204)
DB_ROW_STRUCT(late_check, LATE_CHECK);

/* The department's approvers with a work phone on file: promise_check_overdue_staff. */
static int
late_tell(struct ctx *c, const struct late_check *t)
{
	struct pii_phones p;
	json_t *params;
	int rc;

	memset(&p, 0, sizeof p);
	rc = db_query(c, "SELECT phone_enc FROM staff WHERE hall = ? AND department = ?"
	    " AND role = 'approver' AND phone_enc IS NOT NULL AND disabled = 0",
	    DBARGS(DBS(t->hall), DBS(t->department)), pii_phones_row, &p);
	if (rc < 0)
		return rc;
	params = json_pack("{s:s,s:s,s:s}", "case_no", t->case_no, "material", t->name,
	    "deadline", t->due);
	rc = case_tell_staff(c, t->hall, t->case_no, "promise_check_overdue_staff", &p, params);
	json_decref(params);
	return rc;
}

struct late_step {
	const struct late_check	*t;
	const char		*now;
};

/* One try (db_tx retries): the guarded mark, the alert, the approvers' SMS, the audit row.
 * Another worker, or the task closed meanwhile: nothing. */
static int
late_tx(struct ctx *c, void *arg)
{
	struct late_step *st = arg;
	const struct late_check *t = st->t;
	char key[48], msg[600], target[32];
	uint64_t n = 0;
	int rc;

	rc = db_exec(c, "UPDATE promise_checks SET alerted_at = ? WHERE id = ? AND status = 'open'"
	    " AND alerted_at IS NULL", DBARGS(DBS(st->now), DBI(t->id)), &n, NULL);
	if (rc != 0 || n != 1)
		return rc;
	fmt(key, sizeof key, "promise_check:%lld", t->id);
	fmt(msg, sizeof msg, "告知承诺核查超期：办件 %s 的「%s」应由%s于 %s 前完成事后核查，"
	    "至今未核查。", t->case_no, t->name, t->dept_name, t->due);
	rc = hall_alert_raise(c, t->hall, key, "warning", msg, st->now);
	if (rc == 0)
		rc = late_tell(c, t);
	fmt(target, sizeof target, "%lld", t->id);
	if (rc == 0)
		rc = case_job_audit(c, st->now, t->hall, "promise_check.overdue", target,
		    t->case_no);
	return rc;
}

int
job_promise_checks_overdue(struct ctx *c)
{
	struct late_check *t;
	char today[12], now[20];
	size_t i, n;
	int rc;

	if ((t = calloc(SCAN_MAX, sizeof *t)) == NULL)
		return DB_FAIL;
	date_format_days(case_today(), today, sizeof today);
	case_now(now);
	rc = db_rows_into(c, "SELECT pc.id, pc.hall, pc.name, DATE_FORMAT(pc.due, '%Y-%m-%d'), c.no,"
	    " pc.department, d.name FROM promise_checks pc JOIN cases c ON c.id = pc.case_id"
	    " JOIN departments d ON d.code = pc.department WHERE pc.status = 'open'"
	    " AND pc.due < ? AND pc.alerted_at IS NULL ORDER BY pc.due, pc.id LIMIT 200",
	    DBARGS(DBS(today)), DB_COLS(late_check_cols), t, sizeof *t, SCAN_MAX);
	n = rc > 0 ? (size_t)rc : 0;	/* the LIMIT is SCAN_MAX */
	for (i = 0; rc >= 0 && i < n; i++) {
		rc = db_tx(c, late_tx, &(struct late_step){ &t[i], now });
		if (rc == 0)
			log_info("promise check %lld of case %s overdue", t[i].id, t[i].case_no);
	}
	free(t);
	return rc < 0 ? rc : 0;
}
