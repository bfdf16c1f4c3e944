/*
 * cases_bundle.c — 一件事一次办 at the window: POST /cases with "bundle" by a clerk (or a
 * 帮办代办 helper).  cases_accept.c sends a body with "bundle" and no "item" here.
 *
 * Routes: POST /cases (staff, a bundle)
 * Tables: bundles, bundle_items, items, item_materials (the online room's form, bundles.c),
 *         cases, case_parts, case_materials, case_history, case_tracking, case_notices,
 *         case_counters, case_helpers, calendar_* (calendar.c), hall_alerts, outbox,
 *         audit_log, idempotency_keys
 * Redis:  idem:<scope> (idempotency.c)
 *
 * The form is the catalog's (hall/forms.h, form_load): the union of the bundle's items'
 * materials, merged by name and answered by B1, B2 …, so the clerk ticks each paper once and
 * every item material it stands for is received.  Complete → one transaction: the case (item
 * NULL, bundle set, channel 'window', status accepted), one part per item with its own
 * deadline from the calendar (the case's = the longest part's), the item materials
 * received, the agent (case_agent.c), the helper's row, one tracking token, one 受理通知书
 * (its notice lists every part), the history row, the case_accepted SMS (applicant and
 * agent) and the audit row.  Incomplete → 422 MATERIALS_INCOMPLETE naming every missing
 * material at once, nothing written.  Not for bundles: 容缺 (waived, commitment), approve,
 * processing_office (400 naming them).
 */
#include "handlers.h"
#include "case_agent.h"
#include "case_helpers.h"
#include "case_json.h"
#include "case_promise.h"
#include "case_reply.h"
#include "case_route.h"
#include "cases.h"
#include "../hall/calendar.h"
#include "../hall/forms.h"
#include "../shared/audit.h"
#include "../shared/idempotency.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wbundle {
	struct form	 form;
	int		 given[FORM_MAX_MATS];
	int		 promised[FORM_MAX_MATS];	/* 告知承诺 (case_promise.c) */
	int		 npromised;
	int		 auth_given;
	const char	*bundle, *name, *id_number, *phone, *address, *ticket, *note;
	int		 mail;
	struct case_agent agent;
	char		 part_dl[FORM_MAX_PARTS][12];
	char		 deadline[12];
	char		 now[20];
	char		 case_no[CASE_NO_MAX];
	long long	 case_id;
	char		 track[CASE_TOKEN_MAX];
};

/* The fields of the item path a bundle does not take. */
static void
refuse_item_only(struct req *r)
{
	static const char *const only[][2] = {
		{ "waived", "一件事窗口受理须材料齐全，不适用容缺受理" },
		{ "commitment", "一件事窗口受理须材料齐全，不适用容缺受理" },
		{ "approve", "一件事不是即办件，不能当场办结" },
		{ "processing_office", "一件事不适用跨省通办" },
	};
	size_t i;
	json_t *v;

	for (i = 0; i < NELEM(only); i++) {
		v = json_object_get(r->body, only[i][0]);
		if (v && !json_is_null(v) && !json_is_false(v) &&
		    !(json_is_array(v) && json_array_size(v) == 0))
			req_fail_field(r, only[i][0], only[i][1]);
	}
}

/* "materials": codes of the form (B1…), and AUTH with an agent; no repeats. */
static void
codes_parse(struct req *r, struct wbundle *b)
{
	json_t *a = json_object_get(r->body, "materials"), *v;
	char msg[96];
	size_t i, k;

	if (!json_is_array(a) || json_array_size(a) > FORM_MAX_MATS + 1) {
		req_fail_field(r, "materials", "须为已收取材料的编号列表，如 [\"B1\",\"B2\"]");
		return;
	}
	json_array_foreach(a, i, v) {
		const char *code = json_string_value(v);
		int *slot = NULL;

		if (code && b->agent.present && strcmp(code, CASE_AGENT_AUTH_CODE) == 0)
			slot = &b->auth_given;
		for (k = 0; code && slot == NULL && k < b->form.nmats; k++)
			if (strcmp(code, b->form.mats[k].code) == 0)
				slot = &b->given[k];
		if (slot == NULL) {
			/* The code is the caller's text: cut by characters, never inside one. */
			fmt(msg, sizeof msg, "该一件事没有材料 %.*s", code ? (int)utf8_cut(code,
			    strlen(code), 16, 64) : 0, code ? code : "");
			req_fail_field(r, "materials", msg);
			return;
		}
		if (*slot) {
			req_fail_field(r, "materials", "材料编号重复");
			return;
		}
		*slot = 1;
	}
}

static int
bundle_parse(struct req *r, struct wbundle *b)
{
	int rc;

	in_str(r, r->body, "bundle", 1, 1, 40, &b->bundle);
	case_applicant_parse(r, &b->name, &b->id_number, &b->phone);
	case_delivery_parse(r, &b->mail, &b->address, NULL);	/* picked up where accepted */
	in_str(r, r->body, "ticket", 0, 1, 64, &b->ticket);
	if (b->ticket && !token_ok(b->ticket, 64))
		req_fail_field(r, "ticket", "不是有效的排队号凭证");
	in_str(r, r->body, "note", 0, 1, 200, &b->note);
	case_agent_parse(r, b->id_number, b->phone, &b->agent);
	refuse_item_only(r);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = form_load(r->ctx, NULL, b->bundle, &b->form)) < 0)
		return db_fail(r, rc);
	if (!b->form.found || strcmp(b->form.hall, r->sess.hall) != 0)
		return req_fail_field(r, "bundle", "本中心没有这个一件事"), req_invalid(r);
	codes_parse(r, b);
	b->npromised = case_promises_parse_form(r, &b->form, b->given, b->promised);
	if (in_has_errors(r))
		return req_invalid(r);
	return 0;
}

/* 422 MATERIALS_INCOMPLETE naming every required material not ticked, or 0. */
static int
bundle_missing(struct req *r, struct wbundle *b)
{
	int have[FORM_MAX_MATS];
	json_t *missing;
	size_t i;

	for (i = 0; i < b->form.nmats; i++)
		have[i] = b->given[i] || b->promised[i];
	missing = form_missing(&b->form, have);
	if (b->agent.present && !b->auth_given)
		json_array_append_new(missing, json_pack("{s:s,s:s,s:s}", "code",
		    CASE_AGENT_AUTH_CODE, "name", CASE_AGENT_AUTH_NAME, "note",
		    "申请人签字的授权委托书，并核验代办人身份证原件"));
	return case_reply_missing_n(r, E_MATERIALS_INCOMPLETE,
	    "申请材料不齐全，还缺 %zu 项，请一次性补齐后再来办理", missing);
}

/* Every part's deadline; the case's is the longest.  0, or the reply set (422, 503). */
static int
bundle_deadlines(struct req *r, struct wbundle *b)
{
	int64_t dl;
	size_t i;
	int rc, year = 0;

	for (i = 0; i < b->form.nparts; i++) {
		rc = calendar_add_workdays(r->ctx, case_today(), (int)b->form.parts[i].promised_days,
		    &dl, &year);
		if (rc == CAL_MISSING) {
			case_calendar_missing(r->ctx, r->sess.hall, year);
			return case_reply_calendar(r, year);
		}
		if (rc < 0)
			return db_fail(r, rc);
		date_format_days(dl, b->part_dl[i], sizeof b->part_dl[i]);
		if (strcmp(b->part_dl[i], b->deadline) > 0)
			str_copy(b->deadline, sizeof b->deadline, b->part_dl[i]);
	}
	return 0;
}

/* ---------------------------------------------------------------- the write (domain) */

/* The cases row: picked up where it was accepted (pickup_hall NULL) or mailed. */
static int
bundle_insert_case(struct ctx *c, const struct session *who, struct wbundle *b,
    long long staff)
{
	struct case_window_new n = {
		.bundle = b->form.bundle, .title = b->form.title, .name = b->name,
		.id_number = b->id_number, .phone = b->phone, .address = b->mail ? b->address : NULL,
		.ticket = b->ticket, .promised_days = b->form.promised_days, .staff = staff,
		.deadline = b->deadline, .now = b->now,
	};

	return case_window_insert(c, who, case_today(), &n, b->case_no, sizeof b->case_no,
	    &b->case_id);
}

/* The parts with their deadlines, and every item material a ticked form material stands
 * for (plus the 授权委托书 under the first part's item). */
static int
bundle_insert_parts(struct ctx *c, struct wbundle *b)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < b->form.nparts; i++)
		rc = db_exec(c, "INSERT INTO case_parts (case_id, seq, item, department, status,"
		    " promised_days, deadline) VALUES (?, ?, ?, ?, 'pending', ?, ?)",
		    DBARGS(DBI(b->case_id), DBI(i + 1), DBS(b->form.parts[i].item),
		    DBS(b->form.parts[i].department), DBI(b->form.parts[i].promised_days),
		    DBS(b->part_dl[i])), NULL, NULL);
	for (i = 0; rc == 0 && i < b->form.nmats; i++) {
		if (b->promised[i])	/* 告知承诺: kept as promised (case_promise.c) */
			rc = case_material_rows(c, b->case_id, b->form.mats[i].parts, NULL);
		if (rc == 0 && b->given[i])
			rc = case_material_rows(c, b->case_id, b->form.mats[i].parts, b->now);
	}
	if (rc == 0 && b->auth_given)
		rc = db_exec(c, "INSERT INTO case_materials (case_id, item, code, name, required,"
		    " state, received_at) VALUES (?, ?, ?, ?, 1, 'received', ?)",
		    DBARGS(DBI(b->case_id), DBS(b->form.parts[0].item), DBS(CASE_AGENT_AUTH_CODE),
		    DBS(CASE_AGENT_AUTH_NAME), DBS(b->now)), NULL, NULL);
	return rc;
}

/* The applicant's tracking token (into b->track) and the one 受理通知书. */
static int
bundle_insert_papers(struct ctx *c, const struct session *who, struct wbundle *b,
    long long staff)
{
	char note[300];

	fmt(note, sizeof note, "一件事一次办：%s（%zu 个事项并联办理）", b->form.title,
	    b->form.nparts);
	return case_window_papers(c, who, staff, b->now, b->case_id, b->name,
	    b->form.parts[0].item, note, b->track, NULL);
}

static int
bundle_write(struct ctx *c, const struct session *who, struct wbundle *b)
{
	char public_note[300];
	long long staff = 0;
	int rc;

	parse_ll(who->subject, 1, INT64_MAX, &staff);
	rc = bundle_insert_case(c, who, b, staff);
	if (rc == 0)
		rc = bundle_insert_parts(c, b);
	if (rc == 0 && b->agent.present)
		rc = case_agent_store(c, b->case_id, &b->agent);
	if (rc == 0)
		rc = case_helper_filed(c, who, b->case_id, b->now);
	if (rc == 0)
		rc = bundle_insert_papers(c, who, b, staff);
	if (b->npromised)
		fmt(public_note, sizeof public_note, "一件事一次办：予以受理（%zu 个事项），"
		    "%d 项证明以告知承诺替代", b->form.nparts, b->npromised);
	else
		fmt(public_note, sizeof public_note, "一件事一次办：材料齐全，予以受理（%zu 个事项）",
		    b->form.nparts);
	if (rc == 0)
		rc = case_history_add(c, who, b->case_id, b->now, "accept", NULL, "accepted", NULL,
		    b->note, public_note);
	if (rc == 0 && b->npromised)	/* the 事后核查 tasks, one per item material */
		rc = case_promise_open(c, who, b->case_id, who->hall, "accepted", b->now, NULL);
	if (rc != 0)
		return rc;
	rc = case_sms_accepted(c, who->hall, b->track, b->case_no, b->form.title, b->deadline,
	    b->phone);
	if (rc == 0 && b->agent.present)
		rc = case_agent_accepted(c, who->hall, b->case_id, b->case_no, b->form.title,
		    b->deadline, b->now, b->agent.phone);
	return rc;
}

struct bundle_tx {
	struct req	*r;
	struct wbundle	*b;
	struct idem	*im;
	json_t		*reply;
};

static int
bundle_tx(struct ctx *c, void *arg)
{
	struct bundle_tx *t = arg;
	struct case_row cr;
	char url[128];
	json_t *o = NULL;
	int rc;

	json_decref(t->reply);
	t->reply = NULL;
	if ((rc = bundle_write(c, &t->r->sess, t->b)) != 0)
		return rc;
	rc = case_load(c, t->r->sess.hall, t->b->case_no, &cr);
	if (rc > 0)
		rc = case_json(c, &t->r->sess, &cr, 0, &o);
	sodium_memzero(&cr, sizeof cr);
	if (rc <= 0)
		return rc < 0 ? rc : DB_FAIL;
	json_object_set_new(o, "track_token", json_string(t->b->track));
	fmt(url, sizeof url, "/t/%s", t->b->track);
	json_object_set_new(o, "track_url", json_string(url));
	t->reply = json_pack("{s:o}", "case", o);
	rc = idem_save_tx(t->r, t->im, 201, t->reply);
	if (rc == 0)
		audit(t->r, "case.accept", t->b->case_no, "ok", t->b->form.bundle);
	return rc;
}

int
case_bundle_create(struct req *r)
{
	struct bundle_tx t = { r, NULL, NULL, NULL };
	struct wbundle *b;
	struct idem im;
	int rc;

	if ((b = calloc(1, sizeof *b)) == NULL)
		return req_bug(r, "out of memory");
	t.b = b;
	t.im = &im;
	if ((rc = bundle_parse(r, b)) != 0 || (rc = bundle_missing(r, b)) != 0 ||
	    (rc = bundle_deadlines(r, b)) != 0)
		goto out;
	case_now(b->now);
	if ((rc = idem_begin(r, &im)) != 0)
		goto out;
	rc = db_tx(r->ctx, bundle_tx, &t);
	if (rc == 0) {
		log_info("case %s (bundle) accepted at window %d", b->case_no, r->sess.window);
		req_ok(r, 201, t.reply);
		t.reply = NULL;
		rc = 201;
	} else if (rc == DB_DUP && im.active)
		rc = idem_replay(r, &im);
	else
		rc = case_db_fail(r, rc == -1 ? DB_FAIL : rc);
	idem_end(r, &im);
out:
	json_decref(t.reply);
	sodium_memzero(b, sizeof *b);
	free(b);
	return rc;
}

/* The parts of a bundle case on its 受理通知书 (GET /case-notices): title and each item
 * with its department and deadline.  Nothing for a single item.  0 or a DB_* code. */
int
case_bundle_notice_add(struct ctx *c, long long case_id, json_t *o)
{
	static const char *const cols[] = { "item", "item_name", "department_name",
	    "promised_days", "deadline" };
	char bundle[48] = "", title[256] = "";
	json_t *parts;
	int rc;

	rc = db_scalar(c, "SELECT COALESCE(bundle, '') FROM cases WHERE id = ?",
	    DBARGS(DBI(case_id)), bundle, sizeof bundle);
	if (rc < 0 || bundle[0] == '\0')
		return rc < 0 ? rc : 0;
	if ((rc = db_scalar(c, "SELECT title FROM cases WHERE id = ?", DBARGS(DBI(case_id)),
	    title, sizeof title)) < 0)
		return rc;
	parts = json_array();
	rc = db_rows_json(c, "SELECT p.item, i.name, d.name, p.promised_days,"
	    " DATE_FORMAT(p.deadline, '%Y-%m-%d') FROM case_parts p JOIN items i ON i.id = p.item"
	    " JOIN departments d ON d.code = p.department WHERE p.case_id = ? ORDER BY p.seq",
	    DBARGS(DBI(case_id)), cols, "sssiS", parts);
	if (rc < 0) {
		json_decref(parts);
		return rc;
	}
	json_object_set_new(o, "bundle", json_string(bundle));
	json_object_set_new(o, "title", json_string(title));
	json_object_set_new(o, "parts", parts);
	return 0;
}
