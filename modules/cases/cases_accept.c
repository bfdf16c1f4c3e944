/*
 * cases_accept.c — 一窗受理: POST /cases (clerk at a window).
 *
 * Routes: POST /cases
 * Tables: items, item_materials (the checklist), cases, case_parts, case_materials,
 *         case_history, case_tracking, case_notices, case_counters,
 *         calendar_* (through calendar.c), hall_alerts, outbox, audit_log,
 *         idempotency_keys (through idempotency.c)
 * Redis:  idem:<scope> (through idempotency.c)
 *
 * The submitted materials are checked against the item's checklist.  Every required
 * material must be handed in or — when the item allows it (容缺) — waived with the
 * applicant's signed commitment and a due date.
 *   complete   → one transaction: the case number from the hall's daily counter row (a unique
 *                key backs it), the case, its part and materials, a tracking token, the
 *                受理通知书 notice row, the history row, the case_accepted SMS and the audit
 *                row; a 即办件 (approve) also its result (case_results_record) and, when that is
 *                electronic, the result_online SMS.  The deadline counts promised working days from the holiday calendar;
 *                through a year not loaded, on the provisional calendar and marked so
 *                (case_provisional.h); 422 CALENDAR_MISSING only beyond 2100.
 *   incomplete → 422 MATERIALS_INCOMPLETE naming every missing material at once; one
 *                transaction writes only the 一次性告知书 notice row (its own token: it needs no
 *                case), the materials_incomplete SMS and the audit row.  No case.
 * accept_write and incomplete_write are the domain (connection, session, values); the
 * handler parses, reads the checklist, runs one of them in db_tx with the idempotent copy
 * of its answer and the audit row, and replies.
 * An Idempotency-Key replays the first outcome — the 201 or the 422, both of which wrote
 * something — for the same body, and is 409 for another body (idempotency.h).
 */
#include "handlers.h"
#include "../shared/audit.h"
#include "../hall/calendar.h"
#include "case_agent.h"
#include "case_deadline.h"
#include "case_helpers.h"
#include "case_provisional.h"
#include "case_route.h"
#include "case_json.h"
#include "case_mats.h"
#include "case_promise.h"
#include "case_reply.h"
#include "../../fcgi/errors.h"
#include "cases.h"
#include "../shared/idempotency.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MATERIALS 40

struct item_info {
	int	 found;
	char	 hall[32];
	char	 name[204];
	char	 kind[12];
	long long promised_days;
	char	 department[32];
	int	 cross_province;
};

struct accept {
	/* validated input */
	const char	*item_id;
	const char	*name, *id_number, *phone, *address, *ticket, *office, *note;
	const char	*due;			/* 容缺 commitment date */
	int		 mail;
	int		 approve;
	const char	*pickup_hall;		/* where the result is picked up (NULL: here) */
	char		 decide_hall[32];	/* who decides (全市通办, case_route.h) */
	struct case_agent agent;		/* 代办 (case_agent.c) */
	/* the checklist */
	struct item_info item;
	struct case_mats mats;			/* up to MAX_MATERIALS */
	int		 nmissing;
	int		 nwaived;
	int		 npromised;		/* 告知承诺 in place of a certificate */
	/* results */
	int64_t		 today;
	int64_t		 deadline;
	char		 deadline_s[12];
	int		 provisional;		/* the deadline ran through a provisional year */
	char		 now[20];
	char		 case_no[CASE_NO_MAX];
	long long	 case_id;
	char		 track[CASE_TOKEN_MAX];
	char		 notice[CASE_TOKEN_MAX];
};

/* An array of material codes: strings of 1–16 characters, no repeats. */
static int
in_codes(struct req *r, const char *field, int required, json_t **out)
{
	json_t *a = json_object_get(r->body, field), *v, *w;
	size_t i, j;

	*out = NULL;
	if (a == NULL || json_is_null(a))
		return required ? req_fail_field(r, field, "必填") : 0;
	if (!json_is_array(a) || json_array_size(a) > MAX_MATERIALS)
		return req_fail_field(r, field, "须为不超过 40 项的材料编号列表");
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || json_string_length(v) < 1 || json_string_length(v) > 16)
			return req_fail_field(r, field, "材料编号须为文本，如 M1");
		for (j = 0; j < i; j++) {
			w = json_array_get(a, j);
			if (strcmp(json_string_value(v), json_string_value(w)) == 0)
				return req_fail_field(r, field, "材料编号重复");
		}
	}
	*out = a;
	return 0;
}

static const struct db_col item_cols[] = {
	DBC_S(struct item_info, hall), DBC_S(struct item_info, name),
	DBC_S(struct item_info, kind), DBC_I(struct item_info, promised_days, 0, 10000),
	DBC_S(struct item_info, department), DBC_B(struct item_info, cross_province),
};

static int accept_check_mats(struct req *r, struct accept *a, json_t *given, json_t *waived);

/* The item and its checklist (the domain's read; hall checked by the caller).  0 or DB_*. */
static int
item_load(struct ctx *c, struct accept *a)
{
	int rc;

	memset(&a->item, 0, sizeof a->item);
	a->mats.n = 0;
	a->mats.cap = MAX_MATERIALS;
	rc = db_row_into(c, "SELECT hall, name, kind, promised_days, department, cross_province"
	    " FROM items WHERE id = ? AND retired_at IS NULL", DBARGS(DBS(a->item_id)),
	    DB_COLS(item_cols), &a->item);
	a->item.found = rc == 1;
	if (rc >= 0)
		rc = db_query(c, "SELECT code, name, required, waivable, form, copies, note,"
		    " '', '', NULL, NULL, promise_allowed FROM item_materials WHERE item = ?"
		    " AND retired_version IS NULL ORDER BY sort, code",
		    DBARGS(DBS(a->item_id)), case_mat_row, &a->mats);
	return rc < 0 ? rc : 0;
}

/* Parse and check everything; 0 or the status already set on r. */
static int
accept_parse(struct req *r, struct accept *a)
{
	json_t *given = NULL, *waived = NULL, *commit, *v;
	int signed_ok = 0, rc;
	int64_t due;

	in_str(r, r->body, "item", 1, 1, 40, &a->item_id);
	case_applicant_parse(r, &a->name, &a->id_number, &a->phone);
	in_codes(r, "materials", 1, &given);
	in_codes(r, "waived", 0, &waived);
	case_delivery_parse(r, &a->mail, &a->address, &a->pickup_hall);
	in_str(r, r->body, "ticket", 0, 1, 64, &a->ticket);
	if (a->ticket && !token_ok(a->ticket, 64))
		req_fail_field(r, "ticket", "不是有效的排队号凭证");
	in_str(r, r->body, "processing_office", 0, 2, 100, &a->office);
	in_str(r, r->body, "note", 0, 1, 200, &a->note);
	in_bool(r, r->body, "approve", 0, &a->approve);
	case_agent_parse(r, a->id_number, a->phone, &a->agent);
	commit = json_object_get(r->body, "commitment");
	if (waived && json_array_size(waived) > 0) {
		if (!json_is_object(commit))
			req_fail_field(r, "commitment", "容缺受理须有申请人签署的承诺及补交日期");
		else {
			v = json_object_get(commit, "signed");
			signed_ok = json_is_true(v);
			if (!signed_ok)
				req_fail_field(r, "commitment.signed", "须由申请人签署容缺承诺书");
			if (in_sub_str(r, commit, "due", "commitment.due", 1, 10, 10, &a->due) == 0 &&
			    (date_parse(a->due, &due) != 0 || due < case_today() ||
			    due > case_today() + 90))
				req_fail_field(r, "commitment.due", "补交日期须为今天起 90 天内的日期");
		}
	}
	if (in_has_errors(r))
		return req_invalid(r);

	/* The item and its checklist: an item the clerk's hall accepts (GET /items' rule),
	 * decided here or by another hall (全市通办, case_route.h). */
	if ((rc = item_load(r->ctx, a)) < 0)
		return db_fail(r, rc);
	if (!a->item.found)
		return req_fail_field(r, "item", "本中心没有这个事项"), req_invalid(r);
	{
		int accepts = 0;
		char msg[400];

		rc = case_item_route(r->ctx, r->sess.hall, a->item_id, &accepts, a->decide_hall,
		    sizeof a->decide_hall);
		if (rc < 0)
			return db_fail(r, rc);
		if (!accepts) {
			fmt(msg, sizeof msg, "本中心不受理“%s”，请到受理该事项的服务大厅办理",
			    a->item.name);
			return req_fail_field(r, "item", msg), req_invalid(r);
		}
	}
	if ((rc = case_pickup_check(r, r->sess.hall, a->pickup_hall)) != 0)
		return rc;
	if (a->approve && strcmp(a->decide_hall, r->sess.hall) != 0)
		return req_fail_field(r, "approve", "该事项由其他服务大厅作出决定，不能当场办结"),
		    req_invalid(r);
	if (a->agent.present && case_agent_checklist(&a->mats) != 0)
		return req_fail_field(r, "agent", "该事项材料过多，无法加入授权委托书"), req_invalid(r);
	return accept_check_mats(r, a, given, waived);
}

/* The materials handed in and waived against the checklist; 0 or the status set on r. */
static int
accept_check_mats(struct req *r, struct accept *a, json_t *given, json_t *waived)
{
	char bad[256];
	json_t *v;
	size_t i;

	bad[0] = '\0';
	json_array_foreach(given, i, v) {
		struct case_mat *m = case_mats_find(&a->mats, json_string_value(v));

		if (m == NULL) {
			fmt(bad, sizeof bad, "该事项没有材料 %s", json_string_value(v));
			req_fail_field(r, "materials", bad);
			break;
		}
		m->given = 1;
	}
	bad[0] = '\0';
	if (waived)
		json_array_foreach(waived, i, v) {
			struct case_mat *m = case_mats_find(&a->mats, json_string_value(v));

			if (m == NULL)
				fmt(bad, sizeof bad, "该事项没有材料 %s", json_string_value(v));
			else if (!m->waivable)
				fmt(bad, sizeof bad, "%s（%s）不可容缺受理", m->name, m->code);
			else if (m->given)
				fmt(bad, sizeof bad, "%s（%s）已收取，无需容缺", m->name, m->code);
			if (bad[0]) {
				req_fail_field(r, "waived", bad);
				break;
			}
			m->waived = 1;
			a->nwaived++;
		}
	a->npromised = case_promises_parse(r, &a->mats);	/* 告知承诺 (case_promise.c) */
	if (a->item.cross_province && a->office == NULL)
		req_fail_field(r, "processing_office", "跨省通办事项须填写办理地（受理地收件、办理地审批）");
	if (!a->item.cross_province && a->office != NULL)
		req_fail_field(r, "processing_office", "该事项不是跨省通办事项");
	if (a->approve && strcmp(a->item.kind, "instant") != 0)
		req_fail_field(r, "approve", "只有即办件可以当场办结");
	if (a->approve && a->nwaived > 0)
		req_fail_field(r, "approve", "有容缺材料待补交，不能当场办结");
	if (in_has_errors(r))
		return req_invalid(r);
	for (i = 0; i < a->mats.n; i++)
		if (a->mats.rows[i].required && !a->mats.rows[i].given && !a->mats.rows[i].waived &&
		    !a->mats.rows[i].promised)
			a->nmissing++;
	return 0;
}

/* ---------------------------------------------------------------- incomplete (domain) */

/* "居民身份证、营业执照等3项" — short enough for an SMS variable. */
static void
sms_list(struct accept *a, char *out, size_t osz)
{
	struct case_names n;
	size_t i;

	case_names_start(&n, out, osz, 24);
	for (i = 0; i < a->mats.n; i++) {
		struct case_mat *m = &a->mats.rows[i];

		if (m->required && !m->given && !m->waived && !m->promised)
			case_names_add(&n, m->name);
	}
	case_names_end(&n, (size_t)a->nmissing);
}

/* The missing materials as the 422 and the 一次性告知书 list them. */
static json_t *
missing_json(const struct accept *a)
{
	json_t *missing = json_array();
	size_t i;

	for (i = 0; i < a->mats.n; i++) {
		const struct case_mat *m = &a->mats.rows[i];

		if (m->required && !m->given && !m->waived && !m->promised)
			json_array_append_new(missing, json_pack("{s:s,s:s,s:s,s:I,s:s}",
			    "code", m->code, "name", m->name, "form", case_mat_form_label(m->form),
			    "copies", m->copies, "note", m->note));
	}
	return missing;
}

/*
 * An incomplete application, inside the caller's transaction: the 一次性告知书 notice row (its
 * own token, into a->notice: it needs no case) listing missing_s, and the
 * materials_incomplete SMS.  0 or a DB_* code.
 */
static int
incomplete_write(struct ctx *c, const struct session *who, struct accept *a,
    const char *missing_s)
{
	unsigned char sealed[PII_SEALED_MAX];
	char name_mask[64], list[256], hash[65];
	json_t *params;
	long long staff = 0;
	int n, rc;

	if ((n = case_token_new(a->notice, hash, sealed, sizeof sealed)) < 0)
		return DB_FAIL;
	mask_name(a->name, name_mask, sizeof name_mask);
	parse_ll(who->subject, 1, INT64_MAX, &staff);
	rc = db_exec(c, "INSERT INTO case_notices (token_hash, token_enc, kind, hall, item,"
	    " case_id, applicant_mask, materials, note, window_no, created_by, created_at)"
	    " VALUES (?, ?, 'incomplete', ?, ?, NULL, ?, ?, '', ?, ?, ?)",
	    DBARGS(DBS(hash), DBSN((const char *)sealed, (size_t)n), DBS(who->hall),
	    DBS(a->item_id), DBS(name_mask), DBS(missing_s),
	    who->window ? DBI(who->window) : DBN, staff ? DBI(staff) : DBN, DBS(a->now)),
	    NULL, NULL);
	if (rc != 0)
		return rc;
	sms_list(a, list, sizeof list);
	params = json_pack("{s:s,s:i,s:s}", "item", a->item.name, "count", a->nmissing,
	    "list", list);
	rc = case_sms(c, who->hall, "materials_incomplete", a->phone, params, "");
	json_decref(params);
	return rc == -1 ? DB_FAIL : rc;
}

/* ---------------------------------------------------------------- complete (domain) */

/* The cases row, numbered from the hall's daily counter; its id into a->case_id. */
static int
accept_insert_case(struct ctx *c, const struct session *who, struct accept *a,
    long long staff)
{
	struct case_window_new n = {
		.item = a->item_id, .title = a->item.name, .name = a->name,
		.id_number = a->id_number, .phone = a->phone, .address = a->mail ? a->address : NULL,
		.ticket = a->ticket, .office = a->office, .decide_hall = a->decide_hall,
		.pickup_hall = a->mail ? NULL : a->pickup_hall ? a->pickup_hall : who->hall,
		.promised_days = a->item.promised_days, .staff = staff,
		.cross_province = a->item.cross_province, .deadline = a->deadline_s, .now = a->now,
	};

	return case_window_insert(c, who, a->today, &n, a->case_no, sizeof a->case_no,
	    &a->case_id);
}

/* Its part, the materials handed in or waived, the tracking token (into a->track) and the
 * 受理通知书 row (a->notice). */
static int
accept_insert_rows(struct ctx *c, const struct session *who, struct accept *a,
    long long staff)
{
	size_t i;
	int rc;

	rc = db_exec(c, "INSERT INTO case_parts (case_id, seq, item, department, status,"
	    " promised_days, deadline) VALUES (?, 1, ?, ?, 'pending', ?, ?)",
	    DBARGS(DBI(a->case_id), DBS(a->item_id), DBS(a->item.department),
	    DBI(a->item.promised_days), DBS(a->deadline_s)), NULL, NULL);
	for (i = 0; rc == 0 && i < a->mats.n; i++) {
		struct case_mat *m = &a->mats.rows[i];

		if (!m->given && !m->waived && !m->promised)
			continue;
		rc = db_exec(c, "INSERT INTO case_materials (case_id, item, code, name, required,"
		    " state, due, committed_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    DBARGS(DBI(a->case_id), DBS(a->item_id), DBS(m->code), DBS(m->name),
		    DBI(m->required), DBS(m->given ? "received" : m->waived ? "waived" : "promised"),
		    m->waived ? DBS(a->due) : DBN, m->waived ? DBS(a->now) : DBN,
		    m->given ? DBS(a->now) : DBN), NULL, NULL);
	}
	if (rc == 0)
		rc = case_window_papers(c, who, staff, a->now, a->case_id, a->name, a->item_id, "",
		    a->track, a->notice);
	return rc;
}

/* 即办件: decided on the spot, the same guarded transition the back office makes, and the
 * result as a record (results.c). */
static int
accept_instant(struct ctx *c, const struct session *who, struct accept *a, long long staff)
{
	uint64_t n = 0;
	int rc;

	rc = db_exec(c, "UPDATE cases SET status = 'approved', decision = 'approved',"
	    " decided_at = ?, decided_by = ?, version = version + 1, updated_at = ?"
	    " WHERE id = ? AND status = 'accepted'",
	    DBARGS(DBS(a->now), staff ? DBI(staff) : DBN, DBS(a->now), DBI(a->case_id)), &n, NULL);
	if (rc == 0 && n != 1)
		rc = DB_FAIL;
	if (rc == 0)
		rc = db_exec(c, "UPDATE case_parts SET status = 'approved', decided_at = ?,"
		    " decided_by = ? WHERE case_id = ? AND status = 'pending'",
		    DBARGS(DBS(a->now), staff ? DBI(staff) : DBN, DBI(a->case_id)), NULL, NULL);
	if (rc == 0)
		rc = case_history_add(c, who, a->case_id, a->now, "approve", "accepted", "approved",
		    a->item.department, "即办件当场办结", "即办件，当场办结");
	if (rc == 0)
		rc = case_results_record(c, a->case_id, a->now, 1, NULL);
	return rc;
}

/*
 * The case_accepted SMS (it carries the tracking link) and, for a 即办件 decided at
 * acceptance whose result is electronic (全程网办 to the end), the same result_online SMS an
 * approved case receives (case_actions.c): where the PDF is.  0 or a DB_* code.
 */
static int
accept_notify(struct ctx *c, const struct session *who, struct accept *a)
{
	char url[320];
	json_t *params;
	int rc;

	rc = case_sms_accepted(c, who->hall, a->track, a->case_no, a->item.name, a->deadline_s,
	    a->phone);
	if (rc != 0 || !a->approve)
		return rc;
	if ((rc = case_result_electronic(c, a->case_id)) <= 0)
		return rc;
	case_results_abs(url, sizeof url);
	params = json_pack("{s:s,s:s,s:s}", "case_no", a->case_no, "item", a->item.name,
	    "url", url);
	rc = case_sms(c, who->hall, "result_online", a->phone, params, a->case_no);
	json_decref(params);
	return rc == -1 ? DB_FAIL : rc;
}

/*
 * The accepted application, inside the caller's transaction: the case, its part and
 * materials, tracking token, notice row, history row, a 即办件's decision and result, and
 * the SMS.  0 or a DB_* code.
 */
static int
accept_write(struct ctx *c, const struct session *who, struct accept *a)
{
	char public_note[200];
	long long staff = 0;
	int rc;

	parse_ll(who->subject, 1, INT64_MAX, &staff);
	if (a->nwaived)
		fmt(public_note, sizeof public_note, "容缺受理：%d 项材料须在 %s 前补交",
		    a->nwaived, a->due);
	else if (a->npromised)
		fmt(public_note, sizeof public_note, "予以受理：%d 项证明以告知承诺替代",
		    a->npromised);
	else
		str_copy(public_note, sizeof public_note, "材料齐全，予以受理");
	rc = accept_insert_case(c, who, a, staff);
	if (rc == 0 && a->provisional)
		rc = case_provisional_set(c, a->case_id, 1);
	if (rc == 0)
		rc = accept_insert_rows(c, who, a, staff);
	if (rc == 0 && a->agent.present)
		rc = case_agent_store(c, a->case_id, &a->agent);
	if (rc == 0)
		rc = case_helper_filed(c, who, a->case_id, a->now);
	if (rc == 0)
		rc = case_history_add(c, who, a->case_id, a->now, "accept", NULL, "accepted",
		    a->item.department, a->note, public_note);
	if (rc == 0 && a->npromised)
		rc = case_promise_open(c, who, a->case_id, who->hall, "accepted", a->now, NULL);
	if (rc == 0 && a->approve)
		rc = accept_instant(c, who, a, staff);
	if (rc == 0)
		rc = accept_notify(c, who, a);
	if (rc == 0 && a->agent.present)
		rc = case_agent_accepted(c, who->hall, a->case_id, a->case_no, a->item.name,
		    a->deadline_s, a->now, a->agent.phone);
	return rc;
}

/*
 * The 201 body: the case as staff see it, with its tracking token.  Built inside the
 * transaction (this connection sees its own rows) so the idempotent copy is saved with it.
 */
static int
case_body(struct ctx *c, const struct session *who, struct accept *a, json_t **out)
{
	struct case_row cr;
	char url[128];
	json_t *o;
	int rc;

	*out = NULL;
	rc = case_load(c, who->hall, a->case_no, &cr);
	if (rc > 0)
		rc = case_json(c, who, &cr, 0, &o);
	sodium_memzero(&cr, sizeof cr);
	if (rc <= 0)
		return rc < 0 ? rc : DB_FAIL;
	json_object_set_new(o, "track_token", json_string(a->track));
	fmt(url, sizeof url, "/t/%s", a->track);
	json_object_set_new(o, "track_url", json_string(url));
	*out = json_pack("{s:o}", "case", o);
	return 0;
}

/* ---------------------------------------------------------------- the handler */

/* 422 MATERIALS_INCOMPLETE: every missing material and the 一次性告知书. */
static void
set_incomplete(struct req *r, struct accept *a, json_t *missing)
{
	char url[256], msg[200];

	case_notice_url(a->notice, url, sizeof url);
	fmt(msg, sizeof msg, "申请材料不齐全，还缺 %d 项，请按告知书一次性补齐后再来办理",
	    a->nmissing);
	req_err_msg(r, E_MATERIALS_INCOMPLETE, msg);
	json_decref(r->err_extra);
	r->err_extra = json_pack("{s:O,s:s}", "missing", missing, "notice_url", url);
}

/* The same error as the body reply.c renders, for the idempotent copy. */
static json_t *
error_body(struct req *r)
{
	json_t *e = json_pack("{s:s,s:s}", "code", r->err_code, "message", r->err_msg);

	if (r->err_extra)
		json_object_update(e, r->err_extra);
	return json_pack("{s:o}", "error", e);
}

/* What one try of either transaction needs besides the connection (db_tx retries). */
struct accept_tx {
	struct req	*r;
	struct accept	*a;
	struct idem	*im;
	json_t		*missing;	/* incomplete: the list, and as text */
	const char	*missing_s;
	json_t		*reply;		/* complete: the 201 body */
};

/* Incomplete: the notice and SMS, the 422 (kept like a success's answer: the refusal wrote
 * something) and the audit row. */
static int
incomplete_tx(struct ctx *c, void *arg)
{
	struct accept_tx *t = arg;
	char detail[96];
	json_t *body;
	int rc;

	if ((rc = incomplete_write(c, &t->r->sess, t->a, t->missing_s)) != 0)
		return rc;
	set_incomplete(t->r, t->a, t->missing);
	body = error_body(t->r);
	rc = idem_save_tx(t->r, t->im, 422, body);
	json_decref(body);
	if (rc != 0)
		return rc;
	fmt(detail, sizeof detail, "%s missing %d", t->a->item_id, t->a->nmissing);
	audit(t->r, "case.incomplete", t->a->item_id, "refused", detail);
	return 0;
}

/* Complete: the case, the 201 body, its idempotent copy and the audit row. */
static int
accept_tx(struct ctx *c, void *arg)
{
	struct accept_tx *t = arg;
	int rc;

	json_decref(t->reply);
	t->reply = NULL;
	rc = accept_write(c, &t->r->sess, t->a);
	if (rc == 0)
		rc = case_body(c, &t->r->sess, t->a, &t->reply);
	if (rc == 0)
		rc = idem_save_tx(t->r, t->im, 201, t->reply);
	if (rc == 0)
		audit(t->r, "case.accept", t->a->case_no, "ok",
		    t->a->approve ? "approved" : "accepted");
	return rc;
}

/* The deadline of a complete application; 0, or the reply set (422 CALENDAR_MISSING, 503). */
static int
accept_deadline(struct req *r, struct accept *a)
{
	int rc, missing_year = 0;

	rc = calendar_add_workdays(r->ctx, a->today, (int)a->item.promised_days, &a->deadline,
	    &missing_year);
	if (rc == CAL_MISSING) {
		case_calendar_missing(r->ctx, r->sess.hall, missing_year);
		return case_reply_calendar(r, missing_year);
	}
	if (rc < 0 || (rc = calendar_provisional_in(r->ctx, a->today, a->deadline)) < 0)
		return db_fail(r, rc);
	a->provisional = rc > 0;
	date_format_days(a->deadline, a->deadline_s, sizeof a->deadline_s);
	return 0;
}

/*
 * The 容缺 due date against the deadline just computed: the applicant must be able to hand
 * the material in before the case is due, on a day the hall is open.  A date after the
 * deadline would block approval until the case runs red (the clock does not stop for 容缺),
 * and nobody can hand anything in on a weekend or a holiday.  0, or the reply set (400
 * naming commitment.due; 503).
 */
static int
accept_check_due(struct req *r, struct accept *a)
{
	char msg[200];
	int64_t due;
	unsigned mo, d;
	int rc, year;

	if (a->nwaived == 0 || a->due == NULL || date_parse(a->due, &due) != 0)
		return 0;
	if (due > a->deadline) {
		fmt(msg, sizeof msg, "补交日期不能晚于办结期限 %s：容缺材料须在办结期限前补齐，"
		    "最晚可约定 %s", a->deadline_s, a->deadline_s);
		return req_fail_field(r, "commitment.due", msg), req_invalid(r);
	}
	/* due ≤ deadline: its year is loaded (the deadline's was). */
	if ((rc = calendar_is_workday(r->ctx, due)) < 0) {
		civil_from_days(due, &year, &mo, &d);
		return rc == CAL_MISSING ? case_reply_calendar(r, year) : db_fail(r, rc);
	}
	if (rc == 0) {
		fmt(msg, sizeof msg, "%s 是休息日（周末或节假日），申请人无法到窗口补交，"
		    "请约定工作日，最晚 %s", a->due, a->deadline_s);
		return req_fail_field(r, "commitment.due", msg), req_invalid(r);
	}
	return 0;
}

/* One of the two transactions, and its reply. */
static int
accept_run(struct req *r, struct accept *a, struct idem *im)
{
	struct accept_tx t = { r, a, im, NULL, NULL, NULL };
	char *missing_s = NULL;
	int rc;

	if (a->nmissing > 0) {
		t.missing = missing_json(a);
		if ((missing_s = json_dumps(t.missing, JSON_COMPACT)) == NULL)
			rc = DB_FAIL;
		else {
			t.missing_s = missing_s;
			rc = db_tx(r->ctx, incomplete_tx, &t);
		}
		free(missing_s);
		json_decref(t.missing);
	} else if ((rc = db_tx(r->ctx, accept_tx, &t)) == 0) {
		log_info("case %s accepted at window %d", a->case_no, r->sess.window);
		req_ok(r, 201, t.reply);
		t.reply = NULL;
	}
	json_decref(t.reply);
	if (rc == -1)
		rc = DB_FAIL;
	if (rc == 0)
		return r->status;
	json_decref(r->err_extra);
	r->err_extra = NULL;
	if (rc == DB_DUP && im->active)
		return idem_replay(r, im);
	return case_db_fail(r, rc);
}

int
h_case_create(struct req *r)
{
	struct accept *a;
	struct idem im;
	int rc;

	if (json_object_get(r->body, "bundle") != NULL &&
	    json_object_get(r->body, "item") == NULL)
		return case_bundle_create(r);	/* 一件事一次办 at the window: cases_bundle.c */
	if ((a = calloc(1, sizeof *a)) == NULL)
		return req_bug(r, "out of memory");
	if ((rc = accept_parse(r, a)) != 0)
		goto out;
	a->today = case_today();
	case_now(a->now);
	if (a->nmissing == 0 && ((rc = accept_deadline(r, a)) != 0 ||
	    (rc = accept_check_due(r, a)) != 0))
		goto out;
	if ((rc = idem_begin(r, &im)) != 0)
		goto out;
	rc = accept_run(r, a, &im);
	idem_end(r, &im);
out:
	sodium_memzero(a, sizeof *a);
	free(a);
	return rc;
}
