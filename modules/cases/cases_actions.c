/*
 * cases_actions.c — the back office, the unified pickup window and mail (后台审批、统一出件).
 *
 * Routes: POST /cases/{no}/actions, POST /cases/{no}/track-token
 * Tables: cases, case_parts, case_materials, case_history, case_supplements, case_notices,
 *         case_tracking, results (approve, reject: results_record), item_materials, staff, windows, hall_hours, outbox, audit_log,
 *         hall_alerts (a missing holiday year)
 * Redis:  none
 *
 * Every action is one transaction whose first statement is the guarded transition
 *   UPDATE cases SET status = <to> … WHERE id = ? AND status = <the status we read>
 * so of two people acting on the same case at the same moment one changes it and the other
 * finds 0 rows and gets 409 INVALID_TRANSITION.  The same transaction writes the part's
 * status, the history row, the outbox row (the applicant's SMS) and the audit row.
 *
 *   action              who                          from                      to
 *   assign              approver (dept), manager     accepted                  processing
 *   approve             approver (dept)              processing                approved
 *   reject              approver (dept)              processing                rejected
 *   request_supplement  approver (dept)              processing                supplement_needed
 *   supplement          clerk                        supplement_needed         processing
 *                                                    accepted/processing (容缺 materials arrive)
 *   ready               clerk, approver, manager     approved/rejected         ready
 *   mail                clerk, approver, manager     approved/rejected         mailed
 *   hand_over           clerk                        ready/mailed              closed
 *
 * Hand-over at the window is against the pickup code of the applicant's SMS, or — when the
 * applicant has no code — against an identity document the clerk checked and names
 * (identity_checked): the history row and the audit row record which it was.
 * 补正 stops the clock: the day of the request is remembered; when the clerk receives the
 * supplement the working days in between are added to the deadline (calendar.h).
 * A bundle (several parts) moves to approved when its last part is approved.
 */
#include "handlers.h"
#include "../shared/audit.h"
#include "../hall/calendar.h"
#include "cases.h"
#include "../notify/notify.h"
#include "../shared/pii.h"
#include "../results/results.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum act { A_ASSIGN, A_APPROVE, A_REJECT, A_REQUEST_SUPPLEMENT, A_SUPPLEMENT, A_READY, A_MAIL,
	A_HAND_OVER, A__MAX };

static const char *const act_names[A__MAX + 1] = {
	"assign", "approve", "reject", "request_supplement", "supplement", "ready", "mail",
	"hand_over", NULL
};

static const unsigned act_roles[A__MAX] = {
	ROLE_APPROVER | ROLE_MANAGER, ROLE_APPROVER, ROLE_APPROVER, ROLE_APPROVER, ROLE_CLERK,
	ROLE_CLERK | ROLE_APPROVER | ROLE_MANAGER, ROLE_CLERK | ROLE_APPROVER | ROLE_MANAGER,
	ROLE_CLERK
};

/* What the clerk checked to hand a result over without the pickup code. */
enum checked { CHK_NONE, CHK_ID_CARD, CHK_AGENT_PAPERS, CHK__MAX };

static const char *const checked_names[CHK__MAX + 1] = {
	"none", "id_card", "agent_papers", NULL
};
/* What a request may send (checked_names without "none"). */
static const char *const *const checked_choices = checked_names + 1;

static const char *const checked_labels[CHK__MAX] = {
	"", "已核验申请人本人身份证原件", "已核验代领人身份证原件及申请人签字的授权委托书"
};

#define CONFLICT 409	/* the guarded UPDATE found another status */
#define REFUSED  422	/* r already carries the 422 */
#define MAX_CODES 40

struct code_name {
	char	code[16];
	char	name[204];
	char	form[24];
	long long copies;
	char	note[304];
	char	state[12];
};

struct action {
	enum act	 act;
	const char	*note, *reason, *carrier, *tracking_no, *assignee, *pickup_code, *address;
	int		 checked;		/* enum checked: how a hand-over was verified */
	json_t		*codes;			/* material codes (array) or NULL */
	struct case_row	 cr;
	char		 now[20];
	int64_t		 today;
	long long	 staff;
	char		 dept[32];		/* the part acted on */
	long long	 assignee_id;
	char		 assignee_name[204];	/* staff.name: up to 50 characters */
	struct code_name mats[MAX_CODES];	/* the case's materials (for codes) */
	size_t		 nmats;
	char		 notice[CASE_TOKEN_MAX];	/* 补正告知书 */
	char		 new_deadline[12];
	int		 paused;
};

/* ---------------------------------------------------------------- helpers */

/* The result of a guarded UPDATE: 0 when it changed the one row, CONFLICT when it found none. */
static int
guarded(uint64_t affected, int rc)
{
	if (rc != 0)
		return rc;
	return affected == 1 ? 0 : CONFLICT;
}

static int
count_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	long long *n = arg;

	(void)ncol;
	(void)lens;
	parse_ll(v[0], 0, INT64_MAX, n);
	return 1;
}

/* The materials of the case's items, with the state each has in the case (if any). */
static int
mat_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct action *a = arg;
	struct code_name *m;

	(void)ncol;
	(void)lens;
	if (a->nmats == MAX_CODES)
		return 1;
	m = &a->mats[a->nmats++];
	str_copy(m->code, sizeof m->code, v[0]);
	str_copy(m->name, sizeof m->name, v[1]);
	str_copy(m->form, sizeof m->form, v[2]);
	parse_ll(v[3], 0, 255, &m->copies);
	str_copy(m->note, sizeof m->note, v[4]);
	str_copy(m->state, sizeof m->state, v[5] ? v[5] : "");
	return 0;
}

static int
load_materials(struct req *r, struct action *a)
{
	a->nmats = 0;
	return db_query(r->ctx,
	    "SELECT im.code, im.name, im.form, im.copies, im.note, cm.state"
	    " FROM case_parts p JOIN item_materials im ON im.item = p.item"
	    " LEFT JOIN case_materials cm ON cm.case_id = p.case_id AND cm.item = im.item"
	    "  AND cm.code = im.code"
	    " WHERE p.case_id = ? ORDER BY p.seq, im.sort, im.code",
	    DBARGS(DBI(a->cr.id)), mat_row, a);
}

static struct code_name *
find_mat(struct action *a, const char *code)
{
	size_t i;

	for (i = 0; i < a->nmats; i++)
		if (strcmp(a->mats[i].code, code) == 0)
			return &a->mats[i];
	return NULL;
}

/* The item of the case's part in department dept (for material rows). */
static int
part_item(struct req *r, struct action *a, char *item, size_t isz)
{
	int rc = db_scalar(r->ctx, "SELECT item FROM case_parts WHERE case_id = ? ORDER BY"
	    " department = ? DESC, seq LIMIT 1", DBARGS(DBI(a->cr.id), DBS(a->dept)), item, isz);

	return rc < 0 ? rc : rc == 0 ? DB_FAIL : 0;
}

static const char *form_label(const char *f)
{
	if (strcmp(f, "original") == 0)
		return "原件";
	if (strcmp(f, "copy") == 0)
		return "复印件";
	if (strcmp(f, "original_and_copy") == 0)
		return "原件及复印件";
	if (strcmp(f, "electronic") == 0)
		return "电子件";
	return f;
}

/* "A、B、C" of the listed materials, cut to ~24 characters for an SMS variable. */
static void
names_list(struct action *a, char *out, size_t osz, int sms)
{
	size_t i, shown = 0, cps = 0, total = a->codes ? json_array_size(a->codes) : 0;
	char tail[32];

	out[0] = '\0';
	for (i = 0; i < total; i++) {
		struct code_name *m = find_mat(a, json_string_value(json_array_get(a->codes, i)));
		size_t n;

		if (m == NULL)
			continue;
		n = utf8_len(m->name, strlen(m->name));
		if (sms && shown > 0 && cps + n + 1 > 24)
			break;
		if (strlen(out) + strlen(m->name) + 4 >= osz)
			break;
		if (shown > 0)
			str_copy(out + strlen(out), osz - strlen(out), "、");
		str_copy(out + strlen(out), osz - strlen(out), m->name);
		cps += n + 1;
		shown++;
	}
	if (shown < total) {
		fmt(tail, sizeof tail, "等%zu项", total);
		str_copy(out + strlen(out), osz - strlen(out), tail);
	}
}

/* The applicant is told, and the authorised agent too when the case names one. */
static int
sms(struct req *r, struct action *a, const char *tmpl, json_t *params)
{
	char agent[32];
	int rc = case_sms(r->ctx, a->cr.hall, tmpl, a->cr.phone, params, a->cr.no);

	if (rc == 0)
		rc = case_agent_phone(r->ctx, a->cr.id, agent);
	if (rc == 0 && agent[0] && strcmp(agent, a->cr.phone) != 0)
		rc = case_sms(r->ctx, a->cr.hall, tmpl, agent, params, a->cr.no);
	json_decref(params);
	return rc == -1 ? DB_FAIL : rc;
}

/* The light a decided case keeps: red when it was decided after its deadline, else green. */
static const char *
frozen_warning(struct req *r, struct action *a)
{
	const char *w = case_warning_for(r->ctx, a->cr.deadline, NULL, a->today);

	if (w == NULL)
		w = a->cr.warning;
	return strcmp(w, "red") == 0 ? "red" : "green";
}

/* ---------------------------------------------------------------- the actions */

static int
act_assign(struct req *r, struct action *a)
{
	uint64_t n = 0;
	int rc, first = strcmp(a->cr.status, "accepted") == 0;
	char note[1024], pub[512];	/* a note of 200 and an office of 100 characters */

	rc = db_exec(r->ctx, "UPDATE cases SET status = 'processing', version = version + 1,"
	    " updated_at = ? WHERE id = ? AND status = ?",
	    DBARGS(DBS(a->now), DBI(a->cr.id), DBS(a->cr.status)), &n, NULL);
	if ((rc = guarded(n, rc)) != 0)
		return rc;
	/* An approver claims a part nobody has; a manager may also hand one over to another. */
	if (r->sess.role == ROLE_MANAGER)
		rc = db_exec(r->ctx, "UPDATE case_parts SET status = 'processing', assigned_to = ?"
		    " WHERE case_id = ? AND department = ? AND status IN ('pending', 'processing')",
		    DBARGS(DBI(a->assignee_id), DBI(a->cr.id), DBS(a->dept)), &n, NULL);
	else
		rc = db_exec(r->ctx, "UPDATE case_parts SET status = 'processing', assigned_to = ?"
		    " WHERE case_id = ? AND department = ? AND status = 'pending'",
		    DBARGS(DBI(a->assignee_id), DBI(a->cr.id), DBS(a->dept)), &n, NULL);
	if ((rc = guarded(n, rc)) != 0)
		return rc;
	fmt(note, sizeof note, "由 %s 办理%s%s", a->assignee_name, a->note ? "；" : "",
	    a->note ? a->note : "");
	if (a->cr.cross_province)
		fmt(pub, sizeof pub, "材料已流转至办理地（%s）审批", a->cr.office);
	else
		str_copy(pub, sizeof pub, "已转审批部门办理");
	rc = case_history_add(r, a->cr.id, a->now, "assign", a->cr.status, "processing", a->dept,
	    note, pub);
	if (rc == 0 && first)
		rc = sms(r, a, "case_processing", json_pack("{s:s,s:s}", "case_no", a->cr.no,
		    "item", a->cr.title));
	return rc;
}

static int
act_approve(struct req *r, struct action *a)
{
	uint64_t n = 0;
	long long left = 0;
	int rc;

	rc = db_exec(r->ctx, "UPDATE cases SET version = version + 1, updated_at = ?"
	    " WHERE id = ? AND status = 'processing'",
	    DBARGS(DBS(a->now), DBI(a->cr.id)), &n, NULL);
	if ((rc = guarded(n, rc)) != 0)
		return rc;
	rc = db_exec(r->ctx, "UPDATE case_parts SET status = 'approved', decided_at = ?,"
	    " decided_by = ? WHERE case_id = ? AND department = ? AND status = 'processing'",
	    DBARGS(DBS(a->now), DBI(a->staff), DBI(a->cr.id), DBS(a->dept)), &n, NULL);
	if ((rc = guarded(n, rc)) != 0)
		return rc;
	rc = db_query(r->ctx, "SELECT COUNT(*) FROM case_parts WHERE case_id = ?"
	    " AND status <> 'approved'", DBARGS(DBI(a->cr.id)), count_row, &left);
	if (rc < 0)
		return rc;
	if (left > 0)	/* a bundle: other departments still decide their parts */
		return case_history_add(r, a->cr.id, a->now, "approve", "processing", "processing",
		    a->dept, a->note, "部门审批通过");
	rc = db_exec(r->ctx, "UPDATE cases SET status = 'approved', decision = 'approved',"
	    " decided_at = ?, decided_by = ?, decision_note = ?, warning = ?"
	    " WHERE id = ? AND status = 'processing'",
	    DBARGS(DBS(a->now), DBI(a->staff), DBSO(a->note), DBS(frozen_warning(r, a)),
	    DBI(a->cr.id)), &n, NULL);
	if ((rc = guarded(n, rc)) != 0)
		return rc;
	rc = case_history_add(r, a->cr.id, a->now, "approve", "processing", "approved", a->dept,
	    a->note, "审批通过");
	if (rc == 0)	/* the result as a record, in the same transaction (results.c) */
		rc = results_record(r->ctx, a->cr.id, a->now, 1, NULL);
	if (rc == 0)
		rc = db_query(r->ctx, "SELECT COUNT(*) FROM results WHERE case_id = ?"
		    " AND electronic = 1", DBARGS(DBI(a->cr.id)), count_row, &left);
	if (rc >= 0 && left > 0) {
		/* 全程网办 to the end: the SMS says where the PDF is (results.c). */
		char url[256];

		results_page_url(url, sizeof url);
		return sms(r, a, "result_online", json_pack("{s:s,s:s,s:s}", "case_no", a->cr.no,
		    "item", a->cr.title, "url", url));
	}
	if (rc >= 0)
		rc = sms(r, a, "case_approved", json_pack("{s:s,s:s}", "case_no", a->cr.no,
		    "item", a->cr.title));
	return rc;
}

static int
act_reject(struct req *r, struct action *a)
{
	uint64_t n = 0;
	int rc;

	rc = db_exec(r->ctx, "UPDATE cases SET status = 'rejected', decision = 'rejected',"
	    " decided_at = ?, decided_by = ?, decision_note = ?, warning = ?, version = version + 1,"
	    " updated_at = ? WHERE id = ? AND status = 'processing'",
	    DBARGS(DBS(a->now), DBI(a->staff), DBS(a->reason), DBS(frozen_warning(r, a)),
	    DBS(a->now), DBI(a->cr.id)), &n, NULL);
	if ((rc = guarded(n, rc)) != 0)
		return rc;
	rc = db_exec(r->ctx, "UPDATE case_parts SET status = 'rejected', decided_at = ?,"
	    " decided_by = ? WHERE case_id = ? AND department = ? AND status = 'processing'",
	    DBARGS(DBS(a->now), DBI(a->staff), DBI(a->cr.id), DBS(a->dept)), &n, NULL);
	if ((rc = guarded(n, rc)) != 0)
		return rc;
	rc = case_history_add(r, a->cr.id, a->now, "reject", "processing", "rejected", a->dept,
	    a->note, a->reason);
	if (rc == 0)	/* the 不予许可决定书 (results.c) */
		rc = results_record(r->ctx, a->cr.id, a->now, 0, a->dept);
	if (rc == 0)
		rc = sms(r, a, "case_rejected", json_pack("{s:s,s:s}", "case_no", a->cr.no,
		    "reason", a->reason));
	return rc;
}

static int
act_request_supplement(struct req *r, struct action *a)
{
	unsigned char sealed[PII_SEALED_MAX];
	char today_s[12], hash[65], item[48], list[600], smslist[200], pub[1600];
	json_t *stored = json_array(), *full = json_array();
	char *stored_s = NULL, *full_s = NULL;
	uint64_t n = 0;
	size_t i;
	int rc, ns;

	date_format_days(a->today, today_s, sizeof today_s);
	for (i = 0; a->codes && i < json_array_size(a->codes); i++) {
		struct code_name *m = find_mat(a, json_string_value(json_array_get(a->codes, i)));

		json_array_append_new(stored, json_pack("{s:s,s:s}", "code", m->code, "name",
		    m->name));
		json_array_append_new(full, json_pack("{s:s,s:s,s:s,s:I,s:s}", "code", m->code,
		    "name", m->name, "form", form_label(m->form), "copies", m->copies, "note",
		    m->note));
	}
	stored_s = json_dumps(stored, JSON_COMPACT);
	full_s = json_dumps(full, JSON_COMPACT);
	json_decref(stored);
	json_decref(full);
	if (stored_s == NULL || full_s == NULL ||
	    (ns = case_token_new(a->notice, hash, sealed, sizeof sealed)) < 0) {
		rc = DB_FAIL;
		goto out;
	}
	names_list(a, list, sizeof list, 0);
	names_list(a, smslist, sizeof smslist, 1);
	if (smslist[0] == '\0')
		str_copy(smslist, sizeof smslist, "补正材料");

	rc = db_exec(r->ctx, "UPDATE cases SET status = 'supplement_needed', paused_since = ?,"
	    " version = version + 1, updated_at = ? WHERE id = ? AND status = 'processing'",
	    DBARGS(DBS(today_s), DBS(a->now), DBI(a->cr.id)), &n, NULL);
	if ((rc = guarded(n, rc)) != 0)
		goto out;
	rc = db_exec(r->ctx, "UPDATE case_parts SET status = 'supplement_needed'"
	    " WHERE case_id = ? AND department = ? AND status = 'processing'",
	    DBARGS(DBI(a->cr.id), DBS(a->dept)), &n, NULL);
	if ((rc = guarded(n, rc)) != 0)
		goto out;
	rc = db_exec(r->ctx, "INSERT INTO case_supplements (case_id, requested_at, requested_by,"
	    " materials, note) VALUES (?, ?, ?, ?, ?)",
	    DBARGS(DBI(a->cr.id), DBS(a->now), DBI(a->staff), DBS(stored_s),
	    DBS(a->note ? a->note : "")), NULL, NULL);
	if (rc == 0)
		rc = part_item(r, a, item, sizeof item);
	for (i = 0; rc == 0 && a->codes && i < json_array_size(a->codes); i++) {
		struct code_name *m = find_mat(a, json_string_value(json_array_get(a->codes, i)));

		rc = db_exec(r->ctx, "INSERT INTO case_materials (case_id, item, code, name, required,"
		    " state) VALUES (?, ?, ?, ?, 1, 'requested') ON DUPLICATE KEY UPDATE"
		    " state = 'requested', received_at = NULL",
		    DBARGS(DBI(a->cr.id), DBS(item), DBS(m->code), DBS(m->name)), NULL, NULL);
	}
	if (rc == 0)
		rc = db_exec(r->ctx, "INSERT INTO case_notices (token_hash, token_enc, kind, hall,"
		    " item, case_id, applicant_mask, materials, note, window_no, created_by,"
		    " created_at) SELECT ?, ?, 'supplement', c.hall, ?, c.id, c.applicant_name_mask,"
		    " ?, ?, c.window_no, ?, ? FROM cases c WHERE c.id = ?",
		    DBARGS(DBS(hash), DBSN((const char *)sealed, (size_t)ns), DBS(item),
		    DBS(full_s), DBS(a->note ? a->note : ""), DBI(a->staff), DBS(a->now),
		    DBI(a->cr.id)), NULL, NULL);
	fmt(pub, sizeof pub, "需补正：%s%s%s", list[0] ? list : "", list[0] && a->note ? "；" : "",
	    a->note ? a->note : "");
	utf8_trunc(pub, sizeof pub, CASE_PUBLIC_NOTE_MAX, "…");	/* the column's characters */
	if (rc == 0)
		rc = case_history_add(r, a->cr.id, a->now, "request_supplement", "processing",
		    "supplement_needed", a->dept, a->note, pub);
	if (rc == 0)
		rc = sms(r, a, "supplement_requested", json_pack("{s:s,s:s}", "case_no", a->cr.no,
		    "list", smslist));
out:
	free(stored_s);
	free(full_s);
	return rc;
}

static int
part_deadline_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	json_t *a = arg;

	(void)ncol;
	(void)lens;
	json_array_append_new(a, json_pack("{s:s,s:s}", "seq", v[0], "deadline", v[1] ? v[1] : ""));
	return 0;
}

/* The applicant brings materials to the window: a 补正 (the clock runs again) or 容缺 ones. */
static int
act_supplement(struct req *r, struct action *a)
{
	int resume = strcmp(a->cr.status, "supplement_needed") == 0;
	char pub[300], deadline_note[120] = "";
	uint64_t n = 0;
	size_t i;
	int rc;

	if (resume) {
		char pd[8];
		json_t *parts = json_array(), *p;

		fmt(pd, sizeof pd, "%d", a->paused);
		rc = db_exec(r->ctx, "UPDATE cases SET status = 'processing', paused_since = NULL,"
		    " paused_days = paused_days + ?, deadline = ?, warning = 'green',"
		    " version = version + 1, updated_at = ? WHERE id = ? AND status = 'supplement_needed'",
		    DBARGS(DBI(a->paused), DBS(a->new_deadline), DBS(a->now), DBI(a->cr.id)), &n, NULL);
		if ((rc = guarded(n, rc)) != 0) {
			json_decref(parts);
			return rc;
		}
		rc = db_exec(r->ctx, "UPDATE case_parts SET status = 'processing'"
		    " WHERE case_id = ? AND status = 'supplement_needed'",
		    DBARGS(DBI(a->cr.id)), NULL, NULL);
		if (rc == 0)
			rc = db_exec(r->ctx, "UPDATE case_supplements SET received_at = ?,"
			    " received_by = ?, paused_days = ? WHERE case_id = ? AND received_at IS NULL",
			    DBARGS(DBS(a->now), DBI(a->staff), DBI(a->paused), DBI(a->cr.id)), NULL,
			    NULL);
		/* Each part's own deadline moves by the same paused working days. */
		if (rc == 0 && a->paused > 0)
			rc = db_query(r->ctx, "SELECT seq, DATE_FORMAT(deadline, '%Y-%m-%d')"
			    " FROM case_parts WHERE case_id = ?", DBARGS(DBI(a->cr.id)),
			    part_deadline_row, parts);
		json_array_foreach(parts, i, p) {
			int64_t d, nd;
			int missing = 0;
			char nds[12];
			long long seq;

			if (rc < 0 || date_parse(json_string_value(json_object_get(p, "deadline")),
			    &d) != 0 || parse_ll(json_string_value(json_object_get(p, "seq")), 0, 255,
			    &seq) != 0)
				continue;
			if (calendar_add_workdays(r->ctx, d, a->paused, &nd, &missing) != 0)
				continue;	/* the case deadline (checked before) is what counts */
			date_format_days(nd, nds, sizeof nds);
			rc = db_exec(r->ctx, "UPDATE case_parts SET deadline = ? WHERE case_id = ?"
			    " AND seq = ?", DBARGS(DBS(nds), DBI(a->cr.id), DBI(seq)), NULL, NULL);
		}
		json_decref(parts);
		if (rc > 0)
			rc = 0;
		if (a->paused > 0)
			fmt(deadline_note, sizeof deadline_note, "，办理时限顺延 %d 个工作日至 %s",
			    a->paused, a->new_deadline);
	} else {
		rc = db_exec(r->ctx, "UPDATE cases SET version = version + 1, updated_at = ?"
		    " WHERE id = ? AND status = ?",
		    DBARGS(DBS(a->now), DBI(a->cr.id), DBS(a->cr.status)), &n, NULL);
		rc = guarded(n, rc);
	}
	for (i = 0; rc == 0 && a->codes && i < json_array_size(a->codes); i++)
		rc = db_exec(r->ctx, "UPDATE case_materials SET state = 'received', received_at = ?"
		    " WHERE case_id = ? AND code = ? AND state IN ('waived', 'requested')",
		    DBARGS(DBS(a->now), DBI(a->cr.id),
		    DBS(json_string_value(json_array_get(a->codes, i)))), NULL, NULL);
	fmt(pub, sizeof pub, "%s%s", resume ? "补正材料已收到，恢复办理" : "容缺材料已补交",
	    deadline_note);
	if (rc == 0)
		rc = case_history_add(r, a->cr.id, a->now, "supplement", a->cr.status,
		    resume ? "processing" : a->cr.status, NULL, a->note, pub);
	if (rc == 0)
		rc = sms(r, a, "case_supplement_received", json_pack("{s:s,s:s}", "case_no",
		    a->cr.no, "deadline", resume ? a->new_deadline : a->cr.deadline));
	return rc;
}

struct pickup {
	long long window;
	char	  name[204];	/* windows.name: up to 50 characters */
};

static int
pickup_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct pickup *p = arg;

	(void)ncol;
	(void)lens;
	parse_ll(v[0], 1, 9999, &p->window);
	str_copy(p->name, sizeof p->name, v[1]);
	return 1;
}

static int
act_ready(struct req *r, struct action *a)
{
	struct pickup p = { 0, "" };
	char code[8], hash[PII_HASH_HEX], hours[160] = "", pub[512];
	uint64_t n = 0;
	int rc;

	/* 统一出件: the hall's pickup window, else the clerk's own. */
	rc = db_query(r->ctx, "SELECT number, name FROM windows WHERE hall = ? AND kind = 'pickup'"
	    " ORDER BY number LIMIT 1", DBARGS(DBS(a->cr.hall)), pickup_row, &p);
	if (rc == 0 && r->sess.window)
		rc = db_query(r->ctx, "SELECT number, name FROM windows WHERE hall = ? AND number = ?",
		    DBARGS(DBS(a->cr.hall), DBI(r->sess.window)), pickup_row, &p);
	if (rc < 0)
		return rc;
	if (p.window == 0) {
		req_fail(r, 422, "NO_PICKUP_WINDOW", "本中心未设置出件窗口");
		return REFUSED;
	}
	rc = db_scalar(r->ctx, "SELECT GROUP_CONCAT(CONCAT(DATE_FORMAT(open_at, '%H:%i'), '-',"
	    " DATE_FORMAT(close_at, '%H:%i')) ORDER BY seq SEPARATOR '、') FROM hall_hours"
	    " WHERE hall = ?", DBARGS(DBS(a->cr.hall)), hours, sizeof hours);
	if (rc < 0)
		return rc;
	fmt(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
	case_pickup_hash(a->cr.no, code, hash);
	rc = db_exec(r->ctx, "UPDATE cases SET status = 'ready', pickup_window = ?,"
	    " pickup_code_hash = ?, ready_at = ?, version = version + 1, updated_at = ?"
	    " WHERE id = ? AND status = ?",
	    DBARGS(DBI(p.window), DBS(hash), DBS(a->now), DBS(a->now), DBI(a->cr.id),
	    DBS(a->cr.status)), &n, NULL);
	if ((rc = guarded(n, rc)) != 0)
		return rc;
	fmt(pub, sizeof pub, "办理结果已送达%s，请于工作日 %s 凭身份证和取件码领取", p.name,
	    hours[0] ? hours : "办公时间");
	rc = case_history_add(r, a->cr.id, a->now, "ready", a->cr.status, "ready", NULL, a->note,
	    pub);
	{
		char wno[8], when[180];

		/* The template says "到${window}号窗口": the number; hours as "工作日08:30-12:00、…". */
		fmt(wno, sizeof wno, "%lld", p.window);
		fmt(when, sizeof when, "工作日%s", hours[0] ? hours : "办公时间");
		if (rc == 0)
			rc = sms(r, a, "result_ready", json_pack("{s:s,s:s,s:s,s:s}", "case_no",
			    a->cr.no, "window", wno, "hours", when, "pickup_code", code));
	}
	sodium_memzero(code, sizeof code);
	return rc;
}

static int
act_mail(struct req *r, struct action *a)
{
	unsigned char sealed[PII_SEALED_MAX];
	struct dbv addr = DBN;
	char mask[100], pub[320];
	uint64_t n = 0;
	int rc, ns;

	if (a->address) {
		if ((ns = pii_seal(a->address, sealed, sizeof sealed)) < 0)
			return DB_FAIL;
		addr = DBSN((const char *)sealed, (size_t)ns);
		mask_address(a->address, mask, sizeof mask);
	}
	rc = db_exec(r->ctx, "UPDATE cases SET status = 'mailed', delivery = 'mail',"
	    " address_enc = COALESCE(?, address_enc), address_mask = COALESCE(?, address_mask),"
	    " mail_carrier = ?, mail_tracking_no = ?, mailed_at = ?, version = version + 1,"
	    " updated_at = ? WHERE id = ? AND status = ?",
	    DBARGS(addr, a->address ? DBS(mask) : DBN, DBS(a->carrier), DBS(a->tracking_no),
	    DBS(a->now), DBS(a->now), DBI(a->cr.id), DBS(a->cr.status)), &n, NULL);
	if ((rc = guarded(n, rc)) != 0)
		return rc;
	fmt(pub, sizeof pub, "办理结果已免费邮寄：%s %s", a->carrier, a->tracking_no);
	rc = case_history_add(r, a->cr.id, a->now, "mail", a->cr.status, "mailed", NULL, a->note,
	    pub);
	if (rc == 0)
		rc = sms(r, a, "result_mailed", json_pack("{s:s,s:s,s:s}", "case_no", a->cr.no,
		    "carrier", a->carrier, "tracking_no", a->tracking_no));
	return rc;
}

static int
act_hand_over(struct req *r, struct action *a)
{
	int mailed = strcmp(a->cr.status, "mailed") == 0;
	uint64_t n = 0;
	int rc;

	if (mailed)
		rc = db_exec(r->ctx, "UPDATE cases SET status = 'closed', closed_at = ?,"
		    " version = version + 1, updated_at = ? WHERE id = ? AND status = 'mailed'",
		    DBARGS(DBS(a->now), DBS(a->now), DBI(a->cr.id)), &n, NULL);
	else
		rc = db_exec(r->ctx, "UPDATE cases SET status = 'closed', closed_at = ?,"
		    " handed_over_at = ?, handed_over_by = ?, version = version + 1, updated_at = ?"
		    " WHERE id = ? AND status = 'ready'",
		    DBARGS(DBS(a->now), DBS(a->now), DBI(a->staff), DBS(a->now), DBI(a->cr.id)),
		    &n, NULL);
	if ((rc = guarded(n, rc)) != 0)
		return rc;
	char note[1024];	/* the basis of the hand-over and a note of 200 characters */

	if (mailed || a->pickup_code)
		fmt(note, sizeof note, "%s%s%s", mailed ? "" : "凭取件码领取",
		    !mailed && a->note ? "；" : "", a->note ? a->note : "");
	else
		fmt(note, sizeof note, "未凭取件码领取：%s%s%s", checked_labels[a->checked],
		    a->note ? "；" : "", a->note ? a->note : "");
	rc = case_history_add(r, a->cr.id, a->now, "hand_over", a->cr.status, "closed", NULL,
	    note[0] ? note : NULL, mailed ? "邮件已签收，办件完结" : "办理结果已领取，办件完结");
	if (rc == 0)
		rc = sms(r, a, "case_closed", json_pack("{s:s,s:s}", "case_no", a->cr.no, "item",
		    a->cr.title));
	return rc;
}

/* ---------------------------------------------------------------- checks before the tx */

static int
allowed_from(enum act act, const char *status)
{
	switch (act) {
	case A_ASSIGN:
		return strcmp(status, "accepted") == 0 || strcmp(status, "processing") == 0;
	case A_APPROVE:
	case A_REJECT:
	case A_REQUEST_SUPPLEMENT:
		return strcmp(status, "processing") == 0;
	case A_SUPPLEMENT:
		return strcmp(status, "supplement_needed") == 0 ||
		    strcmp(status, "accepted") == 0 || strcmp(status, "processing") == 0;
	case A_READY:
	case A_MAIL:
		return strcmp(status, "approved") == 0 || strcmp(status, "rejected") == 0;
	case A_HAND_OVER:
		return strcmp(status, "ready") == 0 || strcmp(status, "mailed") == 0;
	default:
		return 0;
	}
}

static int
invalid_transition(struct req *r, struct action *a)
{
	char msg[200];

	fmt(msg, sizeof msg, "办件当前状态为“%s”，不能进行该操作", case_status_label(a->cr.status));
	req_fail(r, 409, "INVALID_TRANSITION", msg);
	json_decref(r->err_extra);
	r->err_extra = json_pack("{s:s,s:s}", "status", a->cr.status, "action",
	    act_names[a->act]);
	return 409;
}

struct staff_pick {
	int	 found;
	long long id;
	char	 name[204];	/* staff.name: up to 50 characters */
	char	 dept[32];
};

static int
staff_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct staff_pick *s = arg;

	(void)ncol;
	(void)lens;
	s->found = 1;
	parse_ll(v[0], 1, INT64_MAX, &s->id);
	str_copy(s->name, sizeof s->name, v[1]);
	str_copy(s->dept, sizeof s->dept, v[2] ? v[2] : "");
	return 1;
}

/* Who is assigned: the approver themself, or the named approver of one of the departments. */
static int
pick_assignee(struct req *r, struct action *a)
{
	struct staff_pick s;
	char needle[40];
	int rc;

	memset(&s, 0, sizeof s);
	if (a->assignee)
		rc = db_query(r->ctx, "SELECT id, name, department FROM staff WHERE hall = ?"
		    " AND username = ? AND role = 'approver' AND disabled = 0",
		    DBARGS(DBS(a->cr.hall), DBS(a->assignee)), staff_row, &s);
	else if (r->sess.role == ROLE_APPROVER)
		rc = db_query(r->ctx, "SELECT id, name, department FROM staff WHERE id = ?",
		    DBARGS(DBI(a->staff)), staff_row, &s);
	else
		return req_fail_field(r, "assignee", "请选择承办的审批人员"), req_invalid(r);
	if (rc < 0)
		return db_fail(r, rc);
	fmt(needle, sizeof needle, ",%s,", s.dept);
	if (!s.found || strstr(a->cr.departments, needle) == NULL)
		return req_fail_field(r, "assignee", "不是该办件所属部门的审批人员"), req_invalid(r);
	if (r->sess.role == ROLE_APPROVER && strcmp(s.dept, r->sess.department) != 0)
		return req_fail_field(r, "assignee", "只能分派给本部门人员"), req_invalid(r);
	a->assignee_id = s.id;
	str_copy(a->assignee_name, sizeof a->assignee_name, s.name);
	str_copy(a->dept, sizeof a->dept, s.dept);
	return 0;
}

/* Waived (容缺) or requested (补正) materials still outstanding: 422 naming them. */
static int
outstanding(struct req *r, struct action *a, const char *code, const char *msg_fmt)
{
	json_t *list = json_array();
	size_t i;
	char msg[200];

	for (i = 0; i < a->nmats; i++)
		if (strcmp(a->mats[i].state, "waived") == 0 ||
		    strcmp(a->mats[i].state, "requested") == 0)
			json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "code",
			    a->mats[i].code, "name", a->mats[i].name, "state", a->mats[i].state));
	if (json_array_size(list) == 0) {
		json_decref(list);
		return 0;
	}
	fmt(msg, sizeof msg, msg_fmt, json_array_size(list));
	req_fail(r, 422, code, msg);
	json_decref(r->err_extra);
	r->err_extra = json_pack("{s:o}", "missing", list);
	return 422;
}

static int
check_codes(struct req *r, struct action *a, const char *want_state)
{
	size_t i;
	char msg[200];

	for (i = 0; a->codes && i < json_array_size(a->codes); i++) {
		const char *code = json_string_value(json_array_get(a->codes, i));
		struct code_name *m = find_mat(a, code);

		if (m == NULL) {
			fmt(msg, sizeof msg, "该办件没有材料 %s", code);
			return req_fail_field(r, "materials", msg), req_invalid(r);
		}
		if (want_state && strcmp(m->state, "waived") != 0 &&
		    strcmp(m->state, "requested") != 0) {
			fmt(msg, sizeof msg, "%s（%s）不在待补交之列", m->name, code);
			return req_fail_field(r, "materials", msg), req_invalid(r);
		}
	}
	return 0;
}

/*
 * Materials brought to the window.  Outside a 补正 they must be waived (容缺) ones.  A 补正
 * must bring every requested material at once (no list: all of them); then the clock runs
 * again and the deadline moves by the working days it stood still.
 */
static int
check_supplement(struct req *r, struct action *a)
{
	json_t *still, *all;
	size_t i, j;
	int64_t since, dl, nd = 0;
	int rc, missing = 0;
	char msg[160];

	if ((rc = check_codes(r, a, "outstanding")) != 0)
		return rc;
	if (strcmp(a->cr.status, "supplement_needed") != 0) {
		if (a->codes == NULL || json_array_size(a->codes) == 0)
			return req_fail_field(r, "materials", "请勾选补交的容缺材料"), req_invalid(r);
		return 0;
	}
	still = json_array();
	all = json_array();
	for (i = 0; i < a->nmats; i++) {
		int listed = a->codes == NULL;

		if (strcmp(a->mats[i].state, "requested") != 0)
			continue;
		for (j = 0; !listed && j < json_array_size(a->codes); j++)
			listed = strcmp(json_string_value(json_array_get(a->codes, j)),
			    a->mats[i].code) == 0;
		if (listed)
			json_array_append_new(all, json_string(a->mats[i].code));
		else
			json_array_append_new(still, json_pack("{s:s,s:s}", "code", a->mats[i].code,
			    "name", a->mats[i].name));
	}
	if (json_array_size(still) > 0) {
		fmt(msg, sizeof msg, "补正材料还缺 %zu 项，请一次性补齐", json_array_size(still));
		req_fail(r, 422, "MATERIALS_INCOMPLETE", msg);
		json_decref(r->err_extra);
		r->err_extra = json_pack("{s:o}", "missing", still);
		json_decref(all);
		return 422;
	}
	json_decref(still);
	if (a->codes == NULL) {
		/* r->body owns the list from here on, as it owns a given one. */
		json_object_set_new(r->body, "materials", all);
		a->codes = all;
	} else
		json_decref(all);
	/* The clock stood still from the day of the request to today. */
	if (date_parse(a->cr.paused_since, &since) != 0 || date_parse(a->cr.deadline, &dl) != 0)
		return req_bug(r, "paused case without dates");
	rc = calendar_workdays_between(r->ctx, since, a->today, &a->paused, &missing);
	if (rc == 0 && a->paused < 0)
		a->paused = 0;
	if (rc == 0)
		rc = calendar_add_workdays(r->ctx, dl, a->paused, &nd, &missing);
	if (rc == CAL_MISSING)
		return case_calendar_missing(r, a->cr.hall, missing);
	if (rc < 0)
		return db_fail(r, rc);
	date_format_days(nd, a->new_deadline, sizeof a->new_deadline);
	return 0;
}

static int
action_parse(struct req *r, struct action *a)
{
	int act = 0;
	json_t *codes;
	size_t i;

	in_enum(r, r->body, "action", 1, act_names, &act);
	a->act = (enum act)act;
	in_str(r, r->body, "note", 0, 1, 200, &a->note);
	in_str(r, r->body, "reason", 0, 1, 200, &a->reason);
	in_str(r, r->body, "carrier", 0, 1, 32, &a->carrier);
	in_str(r, r->body, "tracking_no", 0, 4, 40, &a->tracking_no);
	in_str(r, r->body, "assignee", 0, 1, 32, &a->assignee);
	in_str(r, r->body, "pickup_code", 0, 6, 6, &a->pickup_code);
	in_str(r, r->body, "address", 0, 5, 60, &a->address);
	{
		int k = -1;

		in_enum(r, r->body, "identity_checked", 0, checked_choices, &k);
		a->checked = k + 1;
	}
	codes = json_object_get(r->body, "materials");
	if (codes && !json_is_null(codes)) {
		if (!json_is_array(codes) || json_array_size(codes) > MAX_CODES)
			req_fail_field(r, "materials", "须为材料编号列表");
		else
			for (i = 0; i < json_array_size(codes); i++) {
				json_t *c = json_array_get(codes, i);

				if (!json_is_string(c) || json_string_length(c) < 1 ||
				    json_string_length(c) > 16) {
					req_fail_field(r, "materials", "材料编号须为文本，如 M1");
					break;
				}
			}
		a->codes = codes;
	}
	if (in_has_errors(r))
		return req_invalid(r);
	if (a->tracking_no)
		for (i = 0; a->tracking_no[i]; i++)
			if (!((a->tracking_no[i] >= '0' && a->tracking_no[i] <= '9') ||
			    (a->tracking_no[i] >= 'A' && a->tracking_no[i] <= 'Z') ||
			    (a->tracking_no[i] >= 'a' && a->tracking_no[i] <= 'z') ||
			    a->tracking_no[i] == '-'))
				return req_fail_field(r, "tracking_no", "运单号只能包含字母、数字和连字符"),
				    req_invalid(r);
	if (a->pickup_code)
		for (i = 0; i < 6; i++)
			if (a->pickup_code[i] < '0' || a->pickup_code[i] > '9')
				return req_fail_field(r, "pickup_code", "取件码为 6 位数字"),
				    req_invalid(r);
	/* The reason of a rejection may come as "reason" or, per API.md, as "note". */
	if (a->act == A_REJECT && a->reason == NULL)
		a->reason = a->note;
	if (a->act == A_REJECT && a->reason == NULL)
		req_fail_field(r, "reason", "不予办理须写明理由");
	/* Text that goes into the applicant's SMS is refused here if the SMS cannot carry it,
	 * never accepted and then failed for good by the worker (notify.h). */
	if (a->act == A_REJECT && a->reason != NULL)
		sms_text_field(r, a->reason == a->note ? "note" : "reason", a->reason, 1);
	if (a->act == A_MAIL && a->carrier == NULL)
		req_fail_field(r, "carrier", "请填写寄递企业");
	if (a->act == A_MAIL && a->tracking_no == NULL)
		req_fail_field(r, "tracking_no", "请填写运单号");
	if (a->act == A_MAIL && a->carrier != NULL)
		sms_text_field(r, "carrier", a->carrier, 0);
	if (a->act == A_MAIL && a->tracking_no != NULL)
		sms_text_field(r, "tracking_no", a->tracking_no, 0);
	if (a->act == A_REQUEST_SUPPLEMENT && (a->codes == NULL ||
	    json_array_size(a->codes) == 0) && a->note == NULL)
		req_fail_field(r, "materials", "请列出需补正的材料或写明补正要求");
	if (in_has_errors(r))
		return req_invalid(r);
	return 0;
}

static int
run_action(struct req *r, struct action *a)
{
	int rc;

	if ((rc = db_begin(r->ctx)) != 0)
		return rc;
	switch (a->act) {
	case A_ASSIGN: rc = act_assign(r, a); break;
	case A_APPROVE: rc = act_approve(r, a); break;
	case A_REJECT: rc = act_reject(r, a); break;
	case A_REQUEST_SUPPLEMENT: rc = act_request_supplement(r, a); break;
	case A_SUPPLEMENT: rc = act_supplement(r, a); break;
	case A_READY: rc = act_ready(r, a); break;
	case A_MAIL: rc = act_mail(r, a); break;
	case A_HAND_OVER: rc = act_hand_over(r, a); break;
	default: rc = DB_FAIL; break;
	}
	if (rc == 0) {
		char what[48];
		const char *detail = a->dept;

		fmt(what, sizeof what, "case.%s", act_names[a->act]);
		/* A hand-over says what it was checked against: the code, or the document. */
		if (a->act == A_HAND_OVER && strcmp(a->cr.status, "ready") == 0)
			detail = a->pickup_code ? "pickup_code" : checked_names[a->checked];
		audit(r, what, a->cr.no, "ok", detail);
		rc = db_commit(r->ctx);
	} else
		db_rollback(r->ctx);
	return rc;
}

int
h_case_action(struct req *r)
{
	struct action *a;
	json_t *o;
	int rc, tries;

	if ((a = calloc(1, sizeof *a)) == NULL)
		return req_bug(r, "out of memory");
	if ((rc = action_parse(r, a)) != 0)
		goto out;
	rc = case_load(r->ctx, r->sess.hall, r->pathv[0], &a->cr);
	if (rc < 0) {
		rc = db_fail(r, rc);
		goto out;
	}
	if (rc == 0 || !case_visible(r, &a->cr)) {
		rc = req_fail(r, 404, "NOT_FOUND", "没有这个办件");
		goto out;
	}
	if ((r->sess.role & act_roles[a->act]) == 0 || (r->sess.role == ROLE_APPROVER &&
	    !case_in_department(r, &a->cr))) {
		audit(r, "case.action", a->cr.no, "forbidden", act_names[a->act]);
		rc = req_fail(r, 403, "FORBIDDEN", "您的岗位不能进行该操作");
		goto out;
	}
	if (!allowed_from(a->act, a->cr.status)) {
		rc = invalid_transition(r, a);
		goto out;
	}
	parse_ll(r->sess.subject, 1, INT64_MAX, &a->staff);
	a->today = case_today();
	case_now(a->now);
	str_copy(a->dept, sizeof a->dept, r->sess.department);
	if ((rc = load_materials(r, a)) < 0) {
		rc = db_fail(r, rc);
		goto out;
	}
	rc = 0;
	switch (a->act) {
	case A_ASSIGN:
		rc = pick_assignee(r, a);
		break;
	case A_APPROVE:
		rc = outstanding(r, a, "MATERIALS_OUTSTANDING",
		    "还有 %zu 项容缺或补正材料未补交，暂不能审批通过");
		break;
	case A_REQUEST_SUPPLEMENT:
		rc = check_codes(r, a, NULL);
		break;
	case A_MAIL:
		/* A case to be collected at the window has no address: the mail needs one
		 * (chk_cases_mail would refuse the change). */
		if (a->address == NULL && strcmp(a->cr.delivery, "mail") != 0)
			rc = req_fail_field(r, "address", "该办件原定窗口领取，没有邮寄地址，请填写收件地址"),
			    req_invalid(r);
		break;
	case A_SUPPLEMENT:
		rc = check_supplement(r, a);
		break;
	case A_HAND_OVER:
		/* At the window the result goes to whoever shows the code, or to a person whose
		 * papers the clerk checked and names: never on nothing. */
		if (a->pickup_code == NULL && a->checked == CHK_NONE &&
		    strcmp(a->cr.status, "ready") == 0)
			rc = req_fail_field(r, "pickup_code", "请输入申请人短信中的 6 位取件码；"
			    "申请人没有取件码时，请核验身份证件并选择核验方式"),
			    req_fail_field(r, "identity_checked", "没有取件码时须选择核验方式"),
			    req_invalid(r);
		else if (a->pickup_code && strcmp(a->cr.status, "ready") == 0) {
			char hash[PII_HASH_HEX];

			case_pickup_hash(a->cr.no, a->pickup_code, hash);
			if (strcmp(hash, a->cr.pickup_hash) != 0)
				rc = req_fail(r, 422, "PICKUP_CODE_WRONG", "取件码不正确");
		}
		break;
	default:
		break;
	}
	if (rc != 0)
		goto out;
	for (tries = 0; tries < 3; tries++)
		if ((rc = run_action(r, a)) != DB_RETRY)
			break;
	if (rc == CONFLICT) {
		/* Someone else changed the case first: say what it is now. */
		struct case_row now;

		if (case_load(r->ctx, r->sess.hall, a->cr.no, &now) > 0)
			str_copy(a->cr.status, sizeof a->cr.status, now.status);
		audit(r, "case.action", a->cr.no, "conflict", act_names[a->act]);
		rc = invalid_transition(r, a);
		goto out;
	}
	if (rc == REFUSED) {
		rc = r->status;
		goto out;
	}
	if (rc != 0) {
		rc = case_db_fail(r, rc);
		goto out;
	}
	{
		char no[CASE_NO_MAX];

		str_copy(no, sizeof no, a->cr.no);
		rc = case_load(r->ctx, r->sess.hall, no, &a->cr);
	}
	if (rc > 0)
		rc = case_json(r, &a->cr, 0, &o);
	if (rc <= 0) {
		rc = rc < 0 ? db_fail(r, rc) : req_bug(r, "case vanished");
		goto out;
	}
	rc = req_ok(r, 200, json_pack("{s:o}", "case", o));
out:
	sodium_memzero(a, sizeof *a);
	free(a);
	return rc;
}

/*
 * POST /cases/{no}/track-token (clerk, manager): the applicant lost the notice or the link
 * leaked — every earlier tracking token stops working and a new one is issued.
 */
int
h_case_track_token(struct req *r)
{
	struct case_row cr;
	unsigned char sealed[PII_SEALED_MAX];
	char tok[CASE_TOKEN_MAX], hash[65], now[20], url[128];
	int rc, n;

	rc = case_load(r->ctx, r->sess.hall, r->pathv[0], &cr);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0 || !case_visible(r, &cr))
		return req_fail(r, 404, "NOT_FOUND", "没有这个办件");
	if ((n = case_token_new(tok, hash, sealed, sizeof sealed)) < 0)
		return req_bug(r, "cannot make a token");
	case_now(now);
	if ((rc = db_begin(r->ctx)) != 0)
		return db_fail(r, rc);
	rc = db_exec(r->ctx, "UPDATE case_tracking SET revoked_at = ? WHERE case_id = ?"
	    " AND revoked_at IS NULL", DBARGS(DBS(now), DBI(cr.id)), NULL, NULL);
	if (rc == 0)
		rc = db_exec(r->ctx, "INSERT INTO case_tracking (token_hash, case_id, token_enc,"
		    " holder, created_at) VALUES (?, ?, ?, 'applicant', ?)",
		    DBARGS(DBS(hash), DBI(cr.id), DBSN((const char *)sealed, (size_t)n), DBS(now)),
		    NULL, NULL);
	if (rc == 0)
		rc = case_history_add(r, cr.id, now, "track_token", cr.status, cr.status, NULL,
		    "查询码已重新生成，原查询码作废", "");
	if (rc == 0) {
		audit(r, "case.track_token", cr.no, "ok", "");
		rc = db_commit(r->ctx);
	} else
		db_rollback(r->ctx);
	if (rc != 0) {
		sodium_memzero(tok, sizeof tok);
		return db_fail(r, rc);
	}
	fmt(url, sizeof url, "/t/%s", tok);
	rc = req_ok(r, 201, json_pack("{s:s,s:s}", "track_token", tok, "track_url", url));
	sodium_memzero(tok, sizeof tok);
	return rc;
}
