/*
 * case_actions.c — the writes of each back-office action (审批), the unified pickup window
 * (统一出件) and mail, inside the transaction the handler (case_actions_api.c) opens.
 *
 * Tables: cases, case_parts, case_materials, case_history, case_supplements, case_notices,
 *         results (approve, reject: case_results_record, the results room's hook),
 *         item_materials, staff, windows, hall_hours, outbox
 * Redis:  none
 *
 * Every action's first statement is the guarded transition
 *   UPDATE cases SET status = <to> … WHERE id = ? AND status = <the status we read>
 * so of two people acting on the same case at the same moment one changes it and the other
 * finds 0 rows: E_INVALID_TRANSITION.  The same transaction writes the part's status, the
 * history row and the outbox row (the applicant's SMS); the handler adds the audit row.
 * Which action from which status by whom: case_rules.h.
 *
 * 补正 stops the clock: the day of the request is remembered; when the clerk receives the
 * supplement the working days in between are added to the deadline (case_deadline.h).
 * A bundle (several parts) moves to approved when its last part is approved.
 */
#include "case_actions.h"
#include "case_deadline.h"
#include "case_provisional.h"
#include "case_json.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../hall/calendar.h"
#include "../hall/halldir.h"
#include "../notify/notify.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const checked_names[CHK__MAX + 1] = {
	"none", "id_card", "agent_papers", NULL
};

static const char *const checked_labels[CHK__MAX] = {
	"", "已核验申请人本人身份证原件", "已核验代领人身份证原件及申请人签字的授权委托书"
};

/* ---------------------------------------------------------------- helpers */

int
case_action_mats(struct ctx *c, struct action *a)
{
	a->mats.n = 0;
	a->mats.cap = MAX_CODES;
	return db_query(c,
	    "SELECT im.code, im.name, im.required, im.waivable, im.form, im.copies, im.note,"
	    " cm.state, '', NULL, NULL"
	    " FROM case_parts p JOIN item_materials im ON im.item = p.item"
	    " LEFT JOIN case_materials cm ON cm.case_id = p.case_id AND cm.item = im.item"
	    "  AND cm.code = im.code"
	    " WHERE p.case_id = ? AND (cm.code IS NOT NULL OR"
	    "  (im.since_version <= COALESCE(p.item_version, im.since_version) AND"
	    "  (im.retired_version IS NULL OR im.retired_version > COALESCE(p.item_version, 0))))"
	    " ORDER BY p.seq, im.sort, im.code",
	    DBARGS(DBI(a->cr.id)), case_mat_row, &a->mats);
}

struct case_mat *
case_action_mat(struct action *a, const char *code)
{
	return case_mats_find(&a->mats, code);
}

/* The item of the case's part in department dept (for material rows). */
static int
part_item(struct ctx *c, struct action *a, char *item, size_t isz)
{
	int rc = db_scalar(c, "SELECT item FROM case_parts WHERE case_id = ? ORDER BY"
	    " department = ? DESC, seq LIMIT 1", DBARGS(DBI(a->cr.id), DBS(a->dept)), item, isz);

	return rc < 0 ? rc : rc == 0 ? DB_FAIL : 0;
}

/* "A、B、C" of the listed materials; for an SMS variable cut to 24 characters. */
static void
names_list(struct action *a, char *out, size_t osz, int sms)
{
	size_t i, total = a->codes ? json_array_size(a->codes) : 0;
	struct case_names n;

	case_names_start(&n, out, osz, sms ? 24 : 0);
	for (i = 0; i < total; i++) {
		struct case_mat *m = case_action_mat(a, json_string_value(json_array_get(a->codes, i)));

		if (m != NULL)
			case_names_add(&n, m->name);
	}
	case_names_end(&n, total);
}

/* The applicant is told, and the authorised agent too when the case names one. */
static int
sms(struct ctx *c, struct action *a, const char *tmpl, json_t *params)
{
	char agent[32];
	int rc = case_sms(c, a->cr.hall, tmpl, a->cr.phone, params, a->cr.no);

	if (rc == 0)
		rc = case_agent_phone(c, a->cr.id, agent);
	if (rc == 0 && agent[0] && strcmp(agent, a->cr.phone) != 0)
		rc = case_sms(c, a->cr.hall, tmpl, agent, params, a->cr.no);
	json_decref(params);
	return rc == -1 ? DB_FAIL : rc;
}

/* The SMS that names the case and its item (case_processing, case_approved). */
static int
sms_item(struct ctx *c, struct action *a, const char *tmpl)
{
	return sms(c, a, tmpl, json_pack("{s:s,s:s}", "case_no", a->cr.no, "item", a->cr.title));
}

/* The department's part, being processed, decided (approved or rejected) by the actor. */
static int
part_decide(struct ctx *c, struct action *a, const char *status)
{
	uint64_t n = 0;
	int rc;

	rc = db_exec(c, "UPDATE case_parts SET status = ?, decided_at = ?,"
	    " decided_by = ? WHERE case_id = ? AND department = ? AND status = 'processing'",
	    DBARGS(DBS(status), DBS(a->now), DBI(a->staff), DBI(a->cr.id), DBS(a->dept)), &n,
	    NULL);
	return case_guarded(n, rc);
}

/* The light a decided case keeps: red when it was decided after its deadline, else green. */
static const char *
frozen_warning(struct ctx *c, struct action *a)
{
	const char *w = case_warning_for(c, a->cr.deadline, NULL, a->today);

	if (w == NULL)
		w = a->cr.warning;
	return strcmp(w, "red") == 0 ? "red" : "green";
}

/* ---------------------------------------------------------------- the actions */

static int
act_assign(struct ctx *c, const struct session *who, struct action *a)
{
	uint64_t n = 0;
	int rc, first = strcmp(a->cr.status, "accepted") == 0;
	char note[1024], pub[512];	/* a note of 200 and an office of 100 characters */

	rc = db_exec(c, "UPDATE cases SET status = 'processing', version = version + 1,"
	    " updated_at = ? WHERE id = ? AND status = ?",
	    DBARGS(DBS(a->now), DBI(a->cr.id), DBS(a->cr.status)), &n, NULL);
	if ((rc = case_guarded(n, rc)) != 0)
		return rc;
	/* An approver claims a part nobody has; a manager may also hand one over to another. */
	if (who->role == ROLE_MANAGER)
		rc = db_exec(c, "UPDATE case_parts SET status = 'processing', assigned_to = ?"
		    " WHERE case_id = ? AND department = ? AND status IN ('pending', 'processing')",
		    DBARGS(DBI(a->assignee_id), DBI(a->cr.id), DBS(a->dept)), &n, NULL);
	else
		rc = db_exec(c, "UPDATE case_parts SET status = 'processing', assigned_to = ?"
		    " WHERE case_id = ? AND department = ? AND status = 'pending'",
		    DBARGS(DBI(a->assignee_id), DBI(a->cr.id), DBS(a->dept)), &n, NULL);
	if ((rc = case_guarded(n, rc)) != 0)
		return rc;
	fmt(note, sizeof note, "由 %s 办理%s%s", a->assignee_name, a->note ? "；" : "",
	    a->note ? a->note : "");
	if (a->cr.cross_province)
		fmt(pub, sizeof pub, "材料已流转至办理地（%s）审批", a->cr.office);
	else
		str_copy(pub, sizeof pub, "已转审批部门办理");
	rc = case_history_add(c, who, a->cr.id, a->now, "assign", a->cr.status, "processing", a->dept,
	    note, pub);
	if (rc == 0 && first)
		rc = sms_item(c, a, "case_processing");
	return rc;
}

static int
act_approve(struct ctx *c, const struct session *who, struct action *a)
{
	uint64_t n = 0;
	char one[4];
	int rc;

	rc = db_exec(c, "UPDATE cases SET version = version + 1, updated_at = ?"
	    " WHERE id = ? AND status = 'processing'",
	    DBARGS(DBS(a->now), DBI(a->cr.id)), &n, NULL);
	if ((rc = case_guarded(n, rc)) != 0)
		return rc;
	if ((rc = part_decide(c, a, "approved")) != 0)
		return rc;
	rc = db_scalar(c, "SELECT 1 FROM case_parts WHERE case_id = ? AND status <> 'approved'"
	    " LIMIT 1", DBARGS(DBI(a->cr.id)), one, sizeof one);
	if (rc < 0)
		return rc;
	if (rc == 1)	/* a bundle: other departments still decide their parts */
		return case_history_add(c, who, a->cr.id, a->now, "approve", "processing", "processing",
		    a->dept, a->note, "部门审批通过");
	rc = db_exec(c, "UPDATE cases SET status = 'approved', decision = 'approved',"
	    " decided_at = ?, decided_by = ?, decision_note = ?, warning = ?"
	    " WHERE id = ? AND status = 'processing'",
	    DBARGS(DBS(a->now), DBI(a->staff), DBSO(a->note), DBS(frozen_warning(c, a)),
	    DBI(a->cr.id)), &n, NULL);
	if ((rc = case_guarded(n, rc)) != 0)
		return rc;
	rc = case_history_add(c, who, a->cr.id, a->now, "approve", "processing", "approved", a->dept,
	    a->note, "审批通过");
	if (rc == 0)	/* the result as a record, in the same transaction (results.c) */
		rc = case_results_record(c, a->cr.id, a->now, 1, NULL);
	if (rc == 0)
		rc = case_result_electronic(c, a->cr.id);
	if (rc == 1) {
		/* 全程网办 to the end: the SMS says where the PDF is (results.c). */
		char url[256];

		case_results_abs(url, sizeof url);
		return sms(c, a, "result_online", json_pack("{s:s,s:s,s:s}", "case_no", a->cr.no,
		    "item", a->cr.title, "url", url));
	}
	if (rc == 0)
		rc = sms_item(c, a, "case_approved");
	return rc;
}

static int
act_reject(struct ctx *c, const struct session *who, struct action *a)
{
	uint64_t n = 0;
	int rc;

	rc = db_exec(c, "UPDATE cases SET status = 'rejected', decision = 'rejected',"
	    " decided_at = ?, decided_by = ?, decision_note = ?, warning = ?, version = version + 1,"
	    " updated_at = ? WHERE id = ? AND status = 'processing'",
	    DBARGS(DBS(a->now), DBI(a->staff), DBS(a->reason), DBS(frozen_warning(c, a)),
	    DBS(a->now), DBI(a->cr.id)), &n, NULL);
	if ((rc = case_guarded(n, rc)) != 0)
		return rc;
	if ((rc = part_decide(c, a, "rejected")) != 0)
		return rc;
	rc = case_history_add(c, who, a->cr.id, a->now, "reject", "processing", "rejected", a->dept,
	    a->note, a->reason);
	if (rc == 0)	/* the 不予许可决定书 (results.c) */
		rc = case_results_record(c, a->cr.id, a->now, 0, a->dept);
	if (rc == 0)
		rc = sms(c, a, "case_rejected", json_pack("{s:s,s:s}", "case_no", a->cr.no,
		    "reason", a->reason));
	return rc;
}

static int
act_request_supplement(struct ctx *c, const struct session *who, struct action *a)
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
		struct case_mat *m = case_action_mat(a, json_string_value(json_array_get(a->codes, i)));

		json_array_append_new(stored, json_pack("{s:s,s:s}", "code", m->code, "name",
		    m->name));
		json_array_append_new(full, json_pack("{s:s,s:s,s:s,s:I,s:s}", "code", m->code,
		    "name", m->name, "form", case_mat_form_label(m->form), "copies", m->copies, "note",
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

	rc = db_exec(c, "UPDATE cases SET status = 'supplement_needed', paused_since = ?,"
	    " version = version + 1, updated_at = ? WHERE id = ? AND status = 'processing'",
	    DBARGS(DBS(today_s), DBS(a->now), DBI(a->cr.id)), &n, NULL);
	if ((rc = case_guarded(n, rc)) != 0)
		goto out;
	rc = db_exec(c, "UPDATE case_parts SET status = 'supplement_needed'"
	    " WHERE case_id = ? AND department = ? AND status = 'processing'",
	    DBARGS(DBI(a->cr.id), DBS(a->dept)), &n, NULL);
	if ((rc = case_guarded(n, rc)) != 0)
		goto out;
	rc = db_exec(c, "INSERT INTO case_supplements (case_id, requested_at, requested_by,"
	    " materials, note) VALUES (?, ?, ?, ?, ?)",
	    DBARGS(DBI(a->cr.id), DBS(a->now), DBI(a->staff), DBS(stored_s),
	    DBS(a->note ? a->note : "")), NULL, NULL);
	if (rc == 0)
		rc = part_item(c, a, item, sizeof item);
	for (i = 0; rc == 0 && a->codes && i < json_array_size(a->codes); i++) {
		struct case_mat *m = case_action_mat(a, json_string_value(json_array_get(a->codes, i)));

		rc = db_exec(c, "INSERT INTO case_materials (case_id, item, code, name, required,"
		    " state) VALUES (?, ?, ?, ?, 1, 'requested') ON DUPLICATE KEY UPDATE"
		    " state = 'requested', received_at = NULL",
		    DBARGS(DBI(a->cr.id), DBS(item), DBS(m->code), DBS(m->name)), NULL, NULL);
	}
	if (rc == 0)
		rc = db_exec(c, "INSERT INTO case_notices (token_hash, token_enc, kind, hall,"
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
		rc = case_history_add(c, who, a->cr.id, a->now, "request_supplement", "processing",
		    "supplement_needed", a->dept, a->note, pub);
	if (rc == 0)
		rc = sms(c, a, "supplement_requested", json_pack("{s:s,s:s}", "case_no", a->cr.no,
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
act_supplement(struct ctx *c, const struct session *who, struct action *a)
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
		rc = db_exec(c, "UPDATE cases SET status = 'processing', paused_since = NULL,"
		    " paused_days = paused_days + ?, deadline = ?, warning = 'green',"
		    " version = version + 1, updated_at = ? WHERE id = ? AND status = 'supplement_needed'",
		    DBARGS(DBI(a->paused), DBS(a->new_deadline), DBS(a->now), DBI(a->cr.id)), &n, NULL);
		if ((rc = case_guarded(n, rc)) != 0) {
			json_decref(parts);
			return rc;
		}
		if (a->new_provisional)
			rc = case_provisional_set(c, a->cr.id, 1);
		if (rc == 0)
			rc = db_exec(c, "UPDATE case_parts SET status = 'processing'"
			    " WHERE case_id = ? AND status = 'supplement_needed'",
			    DBARGS(DBI(a->cr.id)), NULL, NULL);
		if (rc == 0)
			rc = db_exec(c, "UPDATE case_supplements SET received_at = ?,"
			    " received_by = ?, paused_days = ? WHERE case_id = ? AND received_at IS NULL",
			    DBARGS(DBS(a->now), DBI(a->staff), DBI(a->paused), DBI(a->cr.id)), NULL,
			    NULL);
		/* Each part's own deadline moves by the same paused working days. */
		if (rc == 0 && a->paused > 0)
			rc = db_query(c, "SELECT seq, DATE_FORMAT(deadline, '%Y-%m-%d')"
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
			if (calendar_add_workdays(c, d, a->paused, &nd, &missing) != 0)
				continue;	/* the case deadline (checked before) is what counts */
			date_format_days(nd, nds, sizeof nds);
			rc = db_exec(c, "UPDATE case_parts SET deadline = ? WHERE case_id = ?"
			    " AND seq = ?", DBARGS(DBS(nds), DBI(a->cr.id), DBI(seq)), NULL, NULL);
		}
		json_decref(parts);
		if (rc > 0)
			rc = 0;
		if (a->paused > 0)
			fmt(deadline_note, sizeof deadline_note, "，办理时限顺延 %d 个工作日至 %s",
			    a->paused, a->new_deadline);
	} else {
		rc = db_exec(c, "UPDATE cases SET version = version + 1, updated_at = ?"
		    " WHERE id = ? AND status = ?",
		    DBARGS(DBS(a->now), DBI(a->cr.id), DBS(a->cr.status)), &n, NULL);
		rc = case_guarded(n, rc);
	}
	for (i = 0; rc == 0 && a->codes && i < json_array_size(a->codes); i++)
		rc = db_exec(c, "UPDATE case_materials SET state = 'received', received_at = ?"
		    " WHERE case_id = ? AND code = ? AND state IN ('waived', 'requested')",
		    DBARGS(DBS(a->now), DBI(a->cr.id),
		    DBS(json_string_value(json_array_get(a->codes, i)))), NULL, NULL);
	fmt(pub, sizeof pub, "%s%s", resume ? "补正材料已收到，恢复办理" : "容缺材料已补交",
	    deadline_note);
	if (rc == 0)
		rc = case_history_add(c, who, a->cr.id, a->now, "supplement", a->cr.status,
		    resume ? "processing" : a->cr.status, NULL, a->note, pub);
	if (rc == 0)
		rc = sms(c, a, "case_supplement_received", json_pack("{s:s,s:s}", "case_no",
		    a->cr.no, "deadline", resume ? a->new_deadline : a->cr.deadline));
	return rc;
}

struct pickup {
	long long window;
	char	  name[204];	/* windows.name: up to 50 characters */
};

static const struct db_col pickup_cols[] = {
	DBC_I(struct pickup, window, 1, 9999), DBC_S(struct pickup, name),
};

static int
act_ready(struct ctx *c, const struct session *who, struct action *a)
{
	struct pickup p = { 0, "" };
	char code[8], hash[PII_HASH_HEX], hours[160] = "", pub[900], hname[404] = "",
	    when_pg[360], when_sms[360];
	/* The result arrives at the pickup hall (全市通办: case_route.h); a case to be mailed
	 * that is made ready after all is handed out where it was decided. */
	const char *hall = a->cr.pickup_hall[0] ? a->cr.pickup_hall : a->cr.decide_hall[0] ?
	    a->cr.decide_hall : a->cr.hall;
	uint64_t n = 0;
	int rc;

	/* 统一出件: the hall's pickup window, else the clerk's own. */
	rc = db_row_into(c, "SELECT number, name FROM windows WHERE hall = ? AND kind = 'pickup'"
	    " ORDER BY number LIMIT 1", DBARGS(DBS(hall)), DB_COLS(pickup_cols), &p);
	if (rc == 0 && who->window && strcmp(who->hall, hall) == 0)
		rc = db_row_into(c, "SELECT number, name FROM windows WHERE hall = ? AND number = ?",
		    DBARGS(DBS(hall), DBI(who->window)), DB_COLS(pickup_cols), &p);
	if (rc < 0)
		return rc;
	if (p.window == 0)
		return E_NO_PICKUP_WINDOW;
	rc = db_scalar(c, "SELECT GROUP_CONCAT(CONCAT(DATE_FORMAT(open_at, '%H:%i'), '-',"
	    " DATE_FORMAT(close_at, '%H:%i')) ORDER BY seq SEPARATOR '、') FROM hall_hours"
	    " WHERE hall = ?", DBARGS(DBS(hall)), hours, sizeof hours);
	if (rc >= 0)
		rc = db_scalar(c, "SELECT name FROM halls WHERE code = ?", DBARGS(DBS(hall)), hname,
		    sizeof hname);
	if (rc < 0)
		return rc;
	fmt(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
	case_pickup_hash(a->cr.no, code, hash);
	rc = db_exec(c, "UPDATE cases SET status = 'ready', pickup_window = ?, pickup_hall = ?,"
	    " pickup_code_hash = ?, ready_at = ?, version = version + 1, updated_at = ?"
	    " WHERE id = ? AND status = ?",
	    DBARGS(DBI(p.window), DBS(hall), DBS(hash), DBS(a->now), DBS(a->now), DBI(a->cr.id),
	    DBS(a->cr.status)), &n, NULL);
	if ((rc = case_guarded(n, rc)) != 0)
		return rc;
	/* The pickup hall's week and the coming week's own (延时服务 till 20:00, a Saturday). */
	if ((rc = halldir_hours_text(c, hall, hours, " ", hall_day(hall_now()), 7, 0,
	    when_pg, sizeof when_pg)) < 0 ||
	    (rc = halldir_hours_text(c, hall, hours, "", hall_day(hall_now()), 7,
	    (size_t)sms_var_max(), when_sms, sizeof when_sms)) < 0)
		return rc;
	fmt(pub, sizeof pub, "办理结果已送达%s%s，请于%s 凭身份证和取件码领取", hname, p.name, when_pg);
	rc = case_history_add(c, who, a->cr.id, a->now, "ready", a->cr.status, "ready", NULL, a->note,
	    pub);
	{
		char wno[8];

		/* The template says "到${window}号窗口": the number; hours as "工作日08:30-12:00、…"
		 * with the coming week's own dates ("；12月8日08:30-12:00、13:30-20:00") as far as
		 * the provider's limit on a variable lets them in (the notice on the tracking page,
		 * linked from every SMS, has them all). */
		fmt(wno, sizeof wno, "%lld", p.window);
		if (rc == 0)
			rc = sms(c, a, "result_ready", json_pack("{s:s,s:s,s:s,s:s,s:s}", "case_no",
			    a->cr.no, "hall", hname[0] ? hname : hall, "window", wno, "hours", when_sms,
			    "pickup_code", code));
	}
	sodium_memzero(code, sizeof code);
	return rc;
}

static int
act_mail(struct ctx *c, const struct session *who, struct action *a)
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
	/* Mailed from the deciding hall: no pickup hall any more (case_route.h). */
	rc = db_exec(c, "UPDATE cases SET status = 'mailed', delivery = 'mail', pickup_hall = NULL,"
	    " address_enc = COALESCE(?, address_enc), address_mask = COALESCE(?, address_mask),"
	    " mail_carrier = ?, mail_tracking_no = ?, mailed_at = ?, version = version + 1,"
	    " updated_at = ? WHERE id = ? AND status = ?",
	    DBARGS(addr, a->address ? DBS(mask) : DBN, DBS(a->carrier), DBS(a->tracking_no),
	    DBS(a->now), DBS(a->now), DBI(a->cr.id), DBS(a->cr.status)), &n, NULL);
	if ((rc = case_guarded(n, rc)) != 0)
		return rc;
	fmt(pub, sizeof pub, "办理结果已免费邮寄：%s %s", a->carrier, a->tracking_no);
	rc = case_history_add(c, who, a->cr.id, a->now, "mail", a->cr.status, "mailed", NULL, a->note,
	    pub);
	if (rc == 0)
		rc = sms(c, a, "result_mailed", json_pack("{s:s,s:s,s:s}", "case_no", a->cr.no,
		    "carrier", a->carrier, "tracking_no", a->tracking_no));
	return rc;
}

/* 办件完结 with the review link: the applicant's tracking token (else the newest one). */
static int
closed_sms(struct ctx *c, struct action *a)
{
	char tok[CASE_TOKEN_MAX], url[320];
	int rc = case_track_token(c, a->cr.id, "applicant", tok);

	if (rc == 0 && tok[0] == '\0')
		rc = case_track_token(c, a->cr.id, NULL, tok);
	if (rc != 0)
		return rc;
	if (tok[0])
		case_review_abs(tok, url, sizeof url);
	else			/* no live token: the citizen's own list of cases */
		case_results_abs(url, sizeof url);
	sodium_memzero(tok, sizeof tok);
	rc = sms(c, a, "case_closed", json_pack("{s:s,s:s,s:s}", "case_no", a->cr.no, "item",
	    a->cr.title, "url", url));
	sodium_memzero(url, sizeof url);
	return rc;
}

static int
act_hand_over(struct ctx *c, const struct session *who, struct action *a)
{
	int mailed = strcmp(a->cr.status, "mailed") == 0;
	uint64_t n = 0;
	int rc;

	if (mailed)
		rc = db_exec(c, "UPDATE cases SET status = 'closed', closed_at = ?,"
		    " version = version + 1, updated_at = ? WHERE id = ? AND status = 'mailed'",
		    DBARGS(DBS(a->now), DBS(a->now), DBI(a->cr.id)), &n, NULL);
	else
		rc = db_exec(c, "UPDATE cases SET status = 'closed', closed_at = ?,"
		    " handed_over_at = ?, handed_over_by = ?, version = version + 1, updated_at = ?"
		    " WHERE id = ? AND status = 'ready'",
		    DBARGS(DBS(a->now), DBS(a->now), DBI(a->staff), DBS(a->now), DBI(a->cr.id)),
		    &n, NULL);
	if ((rc = case_guarded(n, rc)) != 0)
		return rc;
	char note[1024];	/* the basis of the hand-over and a note of 200 characters */

	if (mailed || a->pickup_code)
		fmt(note, sizeof note, "%s%s%s", mailed ? "" : "凭取件码领取",
		    !mailed && a->note ? "；" : "", a->note ? a->note : "");
	else
		fmt(note, sizeof note, "未凭取件码领取：%s%s%s", checked_labels[a->checked],
		    a->note ? "；" : "", a->note ? a->note : "");
	rc = case_history_add(c, who, a->cr.id, a->now, "hand_over", a->cr.status, "closed", NULL,
	    note[0] ? note : NULL, mailed ? "邮件已签收，办件完结" : "办理结果已领取，办件完结");
	if (rc == 0)
		rc = closed_sms(c, a);
	return rc;
}

int
case_act_run(struct ctx *c, const struct session *who, struct action *a)
{
	switch (a->act) {
	case CA_ASSIGN: return act_assign(c, who, a);
	case CA_APPROVE: return act_approve(c, who, a);
	case CA_REJECT: return act_reject(c, who, a);
	case CA_REQUEST_SUPPLEMENT: return act_request_supplement(c, who, a);
	case CA_SUPPLEMENT: return act_supplement(c, who, a);
	case CA_READY: return act_ready(c, who, a);
	case CA_MAIL: return act_mail(c, who, a);
	case CA_HAND_OVER: return act_hand_over(c, who, a);
	default: return DB_FAIL;
	}
}

int
case_track_renew(struct ctx *c, const struct session *who, const struct case_row *cr,
    const char *now, const char *hash, const unsigned char *sealed, size_t n)
{
	int rc;

	rc = db_exec(c, "UPDATE case_tracking SET revoked_at = ? WHERE case_id = ?"
	    " AND revoked_at IS NULL", DBARGS(DBS(now), DBI(cr->id)), NULL, NULL);
	if (rc == 0)
		rc = db_exec(c, "INSERT INTO case_tracking (token_hash, case_id, token_enc,"
		    " holder, created_at) VALUES (?, ?, ?, 'applicant', ?)",
		    DBARGS(DBS(hash), DBI(cr->id), DBSN((const char *)sealed, n), DBS(now)),
		    NULL, NULL);
	if (rc == 0)
		rc = case_history_add(c, who, cr->id, now, "track_token", cr->status, cr->status,
		    NULL, "查询码已重新生成，原查询码作废", "");
	return rc;
}
