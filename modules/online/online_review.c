/*
 * online_review.c — 网上预审: a clerk pre-reviews an online application, the citizen fixes
 * and resubmits it.  Reached through POST /cases/{no}/actions (cases/cases_post.c sends the
 * pre-review actions here).
 *
 * Routes: POST /cases/{no}/actions  clerk pre_accept | return; citizen resubmit
 * Tables: cases, case_parts, case_materials, online_materials, uploads (read),
 *         case_history, case_tracking, case_notices, calendar_* (calendar.c), hall_alerts,
 *         outbox, audit_log
 * Redis:  none
 *
 *   action      who                from                to
 *   return      clerk              submitted           returned     every problem at once
 *   resubmit    citizen (filer)    returned            submitted
 *   pre_accept  clerk              submitted           accepted     same as the window
 *
 * Each change is one transaction (db_tx): the guarded UPDATE … WHERE status = ?, the history
 * row, the outbox rows (applicant and agent) and the audit row.  The review_* functions are
 * the domain (connection, session, values; 0, DB_* or E_*); online_review is the handler.  Acceptance does what a window does
 * (cases_accept.c): deadline by the holiday calendar (a year not loaded: the provisional
 * calendar, the deadline marked provisional — case_provisional.h), tracking token, 受理通知书 row, case_accepted SMS.  A
 * bundle's parts each get their own deadline; the case's is the longest part's.
 */
#include "../cases/case_promise.h"
#include "online_api.h"
#include "online_int.h"
#include "../shared/audit.h"
#include "../cases/case_provisional.h"
#include "../cases/cases.h"
#include "../cases/case_deadline.h"
#include "../cases/case_mats.h"
#include "../cases/case_reply.h"
#include "../notify/notify.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/log.h"
#include "../hall/calendar.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- what the actions read */

struct agent_row {
	char	 phone[32];
	char	 title[204];
};

/* The agent's phone ("" when none) and the case's title.  ≥ 0 or a DB_* code. */
static int
agent_load(struct ctx *c, long long case_id, struct agent_row *ag)
{
	int rc;

	memset(ag, 0, sizeof *ag);
	rc = case_agent_phone(c, case_id, ag->phone);
	if (rc == 0)
		rc = db_scalar(c, "SELECT title FROM cases WHERE id = ?", DBARGS(DBI(case_id)),
		    ag->title, sizeof ag->title);
	return rc;
}

/* The SMS to the applicant, and to the agent when there is one. */
static int
notify_both(struct ctx *c, const struct case_row *cr, const char *agent_phone,
    const char *tmpl, json_t *params, json_t *agent_params)
{
	int rc = case_sms(c, cr->hall, tmpl, cr->phone, params, cr->no);

	if (rc == 0 && agent_phone && agent_phone[0])
		rc = case_sms(c, cr->hall, tmpl, agent_phone, agent_params ? agent_params : params,
		    cr->no);
	return rc == -1 ? DB_FAIL : rc;
}

/* The online case's materials (the one row loader, case_mats.h). */
static int
om_load(struct ctx *c, long long case_id, struct case_mats *l)
{
	memset(l, 0, sizeof *l);
	return db_query(c, "SELECT om.code, om.name, om.required, 0, '', 0, '', om.state,"
	    " om.parts, om.upload_id, u.size"
	    " FROM online_materials om LEFT JOIN uploads u ON u.id = om.upload_id"
	    " WHERE om.case_id = ? ORDER BY LENGTH(om.code), om.code", DBARGS(DBI(case_id)),
	    case_mat_row, l);
}

/* ---------------------------------------------------------------- pre_accept (domain) */

struct part_dl {
	long long	 seq;
	long long	 days;
	char		 item[48];
	char		 deadline[12];
};

static const struct db_col part_dl_cols[] = {
	DBC_I(struct part_dl, seq, 0, 255), DBC_I(struct part_dl, days, 0, 10000),
	DBC_S(struct part_dl, item),
};

/* What acceptance reads before its transaction: parts and their deadlines, the agent. */
struct accept_ctx {
	struct part_dl	 parts[FORM_MAX_PARTS];
	size_t		 nparts;
	char		 deadline[12];		/* the longest part's */
	char		 m_name[64];		/* the applicant's mask */
	struct agent_row ag;
	int		 missing_year;		/* E_CALENDAR_MISSING: the year not loaded */
	int		 provisional;		/* the deadline ran through a provisional year */
};

/*
 * Every part's deadline from the calendar (the case's is the longest part's), the agent and
 * the applicant's mask.  0, a DB_* code, or E_CALENDAR_MISSING (alert raised, the year in
 * ac->missing_year).
 */
static int
review_accept_prepare(struct ctx *c, const struct case_row *cr, struct accept_ctx *ac)
{
	size_t i;
	int rc;

	memset(ac, 0, sizeof *ac);
	rc = db_rows_into(c, "SELECT seq, promised_days, item FROM case_parts WHERE case_id = ?"
	    " ORDER BY seq", DBARGS(DBI(cr->id)), DB_COLS(part_dl_cols), ac->parts,
	    sizeof ac->parts[0], FORM_MAX_PARTS);
	ac->nparts = rc > FORM_MAX_PARTS ? FORM_MAX_PARTS : rc > 0 ? (size_t)rc : 0;
	if (rc >= 0)
		rc = agent_load(c, cr->id, &ac->ag);
	if (rc >= 0)
		rc = db_scalar(c, "SELECT applicant_name_mask FROM cases WHERE id = ?",
		    DBARGS(DBI(cr->id)), ac->m_name, sizeof ac->m_name);
	if (rc < 0)
		return rc;
	for (i = 0; i < ac->nparts; i++) {
		int64_t dl;

		rc = calendar_add_workdays(c, case_today(), (int)ac->parts[i].days, &dl,
		    &ac->missing_year);
		if (rc == CAL_MISSING)
			return case_calendar_missing(c, cr->hall, ac->missing_year);
		if (rc < 0)
			return rc;
		date_format_days(dl, ac->parts[i].deadline, sizeof ac->parts[i].deadline);
		if (strcmp(ac->parts[i].deadline, ac->deadline) > 0)
			str_copy(ac->deadline, sizeof ac->deadline, ac->parts[i].deadline);
		if ((rc = calendar_provisional_in(c, case_today(), dl)) < 0)
			return rc;
		ac->provisional |= rc > 0;
	}
	return 0;
}

/* A tracking token of holder for the case; its absolute link into url.  0 or DB_*. */
static int
track_insert(struct ctx *c, long long case_id, const char *holder, const char *now,
    char *url, size_t usz)
{
	char tok[CASE_TOKEN_MAX];
	int rc;

	if ((rc = case_track_new(c, case_id, holder, now, tok)) == 0)
		case_track_abs(tok, url, usz);
	sodium_memzero(tok, sizeof tok);
	return rc;
}

/* The 受理通知书 row of the accepted application. */
static int
notice_insert(struct ctx *c, const struct session *who, const struct case_row *cr,
    const struct accept_ctx *ac, const char *now)
{
	unsigned char sealed[PII_SEALED_MAX];
	char tok[CASE_TOKEN_MAX], hash[65];
	long long staff = 0;
	int n, rc;

	if ((n = case_token_new(tok, hash, sealed, sizeof sealed)) < 0)
		return DB_FAIL;
	sodium_memzero(tok, sizeof tok);
	parse_ll(who->subject, 1, INT64_MAX, &staff);
	rc = db_exec(c, "INSERT INTO case_notices (token_hash, token_enc, kind, hall,"
	    " item, case_id, applicant_mask, materials, note, window_no, created_by,"
	    " created_at) VALUES (?, ?, 'accepted', ?, ?, ?, ?, NULL, '网上申请', ?, ?, ?)",
	    DBARGS(DBS(hash), DBSN((const char *)sealed, (size_t)n), DBS(cr->hall),
	    DBS(ac->parts[0].item), DBI(cr->id), DBS(ac->m_name),
	    who->window ? DBI(who->window) : DBN, staff ? DBI(staff) : DBN, DBS(now)),
	    NULL, NULL);
	return rc;
}

/* The case_accepted SMS with each holder's own tracking link. */
static int
accept_notify(struct ctx *c, const struct case_row *cr, const struct accept_ctx *ac,
    const char *url, const char *aurl)
{
	json_t *params, *aparams = NULL;
	int rc;

	params = json_pack("{s:s,s:s,s:s,s:s}", "case_no", cr->no, "item", ac->ag.title,
	    "deadline", ac->deadline, "url", url);
	if (ac->ag.phone[0])
		aparams = json_pack("{s:s,s:s,s:s,s:s}", "case_no", cr->no, "item", ac->ag.title,
		    "deadline", ac->deadline, "url", aurl);
	rc = notify_both(c, cr, ac->ag.phone, "case_accepted", params, aparams);
	json_decref(params);
	json_decref(aparams);
	return rc;
}

/*
 * submitted → accepted, inside the caller's transaction: the guarded change with the
 * deadlines, tracking tokens (applicant, agent), the notice row, history and SMS.
 * 0, a DB_* code or E_INVALID_TRANSITION.
 */
static int
review_accept(struct ctx *c, const struct session *who, const struct case_row *cr,
    const struct accept_ctx *ac, const char *now, const char *note)
{
	char url[320], aurl[320] = "";
	long long staff = 0;
	uint64_t n = 0;
	size_t i;
	int rc;

	parse_ll(who->subject, 1, INT64_MAX, &staff);
	rc = db_exec(c, "UPDATE cases SET status = 'accepted', accepted_by = ?, accepted_at = ?,"
	    " window_no = ?, deadline = ?, version = version + 1, updated_at = ?"
	    " WHERE id = ? AND status = 'submitted'",
	    DBARGS(staff ? DBI(staff) : DBN, DBS(now), who->window ? DBI(who->window) : DBN,
	    DBS(ac->deadline), DBS(now), DBI(cr->id)), &n, NULL);
	rc = case_guarded(n, rc);
	if (rc == 0 && ac->provisional)
		rc = case_provisional_set(c, cr->id, 1);
	for (i = 0; rc == 0 && i < ac->nparts; i++)
		rc = db_exec(c, "UPDATE case_parts SET deadline = ? WHERE case_id = ? AND seq = ?",
		    DBARGS(DBS(ac->parts[i].deadline), DBI(cr->id), DBI(ac->parts[i].seq)),
		    NULL, NULL);
	if (rc == 0)
		rc = track_insert(c, cr->id, "applicant", now, url, sizeof url);
	if (rc == 0 && ac->ag.phone[0])
		rc = track_insert(c, cr->id, "agent", now, aurl, sizeof aurl);
	if (rc == 0)
		rc = notice_insert(c, who, cr, ac, now);
	if (rc == 0)
		rc = case_history_add(c, who, cr->id, now, "accept", "submitted", "accepted", NULL,
		    note, "网上预审通过，予以受理");
	if (rc == 0)	/* 告知承诺: the 事后核查 tasks (cases/case_promise.c) */
		rc = case_promise_open(c, who, cr->id, cr->hall, "accepted", now, NULL);
	if (rc == 0)
		rc = accept_notify(c, cr, ac, url, aurl);
	sodium_memzero(url, sizeof url);
	sodium_memzero(aurl, sizeof aurl);
	return rc;
}

/* ---------------------------------------------------------------- return (domain) */

/* "problems": [{"material","reason"}], every one a material of the case, no repeats. */
static int
problems_parse(struct req *r, struct case_mats *l)
{
	json_t *a = json_object_get(r->body, "problems"), *p;
	size_t i, n = 0;
	char field[40];

	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > FORM_MAX_MATS)
		return req_fail_field(r, "problems", "请逐项列出需修改的材料及原因（一次性告知）");
	json_array_foreach(a, i, p) {
		const char *code = json_string_value(json_object_get(p, "material"));
		const char *reason = json_string_value(json_object_get(p, "reason"));
		struct case_mat *m;

		fmt(field, sizeof field, "problems.%zu", i);
		if (code == NULL || (m = case_mats_find(l, code)) == NULL) {
			req_fail_field(r, field, "不是本申请的材料");
			continue;
		}
		if (m->problem) {
			req_fail_field(r, field, "同一材料只需列出一次");
			continue;
		}
		if (reason == NULL || utf8_len(reason, strlen(reason)) < 2 ||
		    utf8_len(reason, strlen(reason)) > 100 || !utf8_ok(reason, strlen(reason))) {
			req_fail_field(r, field, "请写明原因（2–100 字）");
			continue;
		}
		/* A reason is told to the applicant: the same rule as every reason a clerk
		 * types (what an SMS can carry, notify.h). */
		if (sms_text_field(r, field, reason, 1) != 0)
			continue;
		m->problem = 1;
		m->reason = reason;
		n++;
	}
	return n > 0 ? 0 : -1;
}

/*
 * What a return tells: the timeline's public note listing every problem into pub (cut, by
 * characters with …, only where the column ends: the reasons are kept whole in
 * online_materials) and the SMS's short list of names into list.  The number of problems,
 * or -1 (out of memory).
 */
static long long
return_texts(const struct case_mats *l, struct buf *pub, char *list, size_t lsz)
{
	size_t i, count = 0;

	buf_adds(pub, "网上预审退回，请修改：");
	list[0] = '\0';
	for (i = 0; i < l->n; i++) {
		const struct case_mat *m = &l->rows[i];

		if (!m->problem)
			continue;
		buf_addf(pub, "%s%s（%s）", count ? "；" : "", m->name, m->reason);
		if (utf8_len(list, strlen(list)) + utf8_len(m->name, strlen(m->name)) < 24 &&
		    strlen(list) + strlen(m->name) + 4 < lsz) {
			if (list[0])
				str_copy(list + strlen(list), lsz - strlen(list), "、");
			str_copy(list + strlen(list), lsz - strlen(list), m->name);
		}
		count++;
	}
	if (list[0] == '\0')
		str_copy(list, lsz, "申请材料");
	if (pub->data == NULL || pub->overflow)
		return -1;
	utf8_trunc(pub->data, pub->len + 1, CASE_PUBLIC_NOTE_MAX, "…");
	return (long long)count;
}

/*
 * submitted → returned, inside the caller's transaction: the guarded change, each problem
 * material returned with its reason (its case_materials rows requested again), history
 * and SMS.  *count gets the number of problems.  0, a DB_* code or E_INVALID_TRANSITION.
 */
static int
review_return(struct ctx *c, const struct session *who, const struct case_row *cr,
    const struct case_mats *l, const char *now, const char *note, long long *count)
{
	char list[120];
	struct buf pub;
	struct agent_row ag;
	uint64_t n = 0;
	size_t i;
	int rc;
	json_t *params;

	if ((rc = agent_load(c, cr->id, &ag)) < 0)
		return rc;
	buf_init(&pub, 64 * 1024);
	if ((*count = return_texts(l, &pub, list, sizeof list)) < 0) {
		buf_free(&pub);
		return DB_FAIL;
	}
	rc = db_exec(c, "UPDATE cases SET status = 'returned', version = version + 1,"
	    " updated_at = ? WHERE id = ? AND status = 'submitted'",
	    DBARGS(DBS(now), DBI(cr->id)), &n, NULL);
	rc = case_guarded(n, rc);
	for (i = 0; rc == 0 && i < l->n; i++) {
		struct form_mat fm;

		if (!l->rows[i].problem)
			continue;
		rc = db_exec(c, "UPDATE online_materials SET state = 'returned', reason = ?,"
		    " updated_at = ? WHERE case_id = ? AND code = ?",
		    DBARGS(DBS(l->rows[i].reason), DBS(now), DBI(cr->id), DBS(l->rows[i].code)),
		    NULL, NULL);
		memset(&fm, 0, sizeof fm);
		str_copy(fm.parts, sizeof fm.parts, l->rows[i].parts);
		if (rc == 0)
			rc = item_materials_set(c, cr->id, &fm, NULL, now, 0);
	}
	if (rc == 0)
		rc = case_history_add(c, who, cr->id, now, "return", "submitted", "returned", NULL,
		    note, pub.data);
	buf_free(&pub);
	params = json_pack("{s:s,s:s,s:I,s:s}", "case_no", cr->no, "item", ag.title,
	    "count", (json_int_t)*count, "list", list);
	if (rc == 0)
		rc = notify_both(c, cr, ag.phone, "case_returned", params, NULL);
	json_decref(params);
	sodium_memzero(&ag, sizeof ag);
	return rc;
}

/* ---------------------------------------------------------------- resubmit (domain) */

/*
 * returned → submitted, inside the caller's transaction: the guarded change, each material
 * given again (g, one per row of l; f the same materials as a form) and history.
 * 0, a DB_* code or E_INVALID_TRANSITION.
 */
static int
review_resubmit(struct ctx *c, const struct session *who, const struct case_row *cr,
    const struct case_mats *l, const struct form *f, const struct given *g, const char *now)
{
	uint64_t n = 0;
	size_t i;
	int rc;

	rc = db_exec(c, "UPDATE cases SET status = 'submitted', submitted_at = ?,"
	    " version = version + 1, updated_at = ? WHERE id = ? AND status = 'returned'",
	    DBARGS(DBS(now), DBS(now), DBI(cr->id)), &n, NULL);
	rc = case_guarded(n, rc);
	for (i = 0; rc == 0 && i < l->n; i++) {
		if (!g[i].set)
			continue;
		rc = db_exec(c, "UPDATE online_materials SET upload_id = ?, reused = ?,"
		    " state = 'given', reason = '', updated_at = ? WHERE case_id = ? AND code = ?",
		    DBARGS(DBS(g[i].upload), DBI(g[i].reused), DBS(now), DBI(cr->id),
		    DBS(l->rows[i].code)), NULL, NULL);
		if (rc == 0)
			rc = item_materials_set(c, cr->id, &f->mats[i], g[i].upload, now, 0);
	}
	if (rc == 0)
		rc = case_history_add(c, who, cr->id, now, "resubmit", "returned", "submitted",
		    NULL, "", "材料已修改并重新提交，等待预审");
	return rc;
}

/* ---------------------------------------------------------------- the handler */

/* Everything one review action carries to its transaction. */
struct review {
	struct req		*r;
	const char		*action;	/* pre_accept, return, resubmit */
	struct case_row		 cr;
	struct case_mats	 mats;
	const char		*note;
	char			 now[20];
	struct accept_ctx	 ac;		/* pre_accept */
	struct form		 form;		/* resubmit: the case's materials as a form */
	struct given		 given[FORM_MAX_MATS];
};

/* One try of the action's transaction and its audit row (db_tx retries). */
static int
review_tx(struct ctx *c, void *arg)
{
	struct review *v = arg;
	const struct session *who = &v->r->sess;
	char detail[32];
	long long count = 0;
	int rc;

	if (strcmp(v->action, "pre_accept") == 0) {
		if ((rc = review_accept(c, who, &v->cr, &v->ac, v->now, v->note)) == 0)
			audit(v->r, "case.pre_accept", v->cr.no, "ok", v->ac.deadline);
	} else if (strcmp(v->action, "return") == 0) {
		rc = review_return(c, who, &v->cr, &v->mats, v->now, v->note, &count);
		fmt(detail, sizeof detail, "%lld problems", count);
		if (rc == 0)
			audit(v->r, "case.return", v->cr.no, "ok", detail);
	} else if ((rc = review_resubmit(c, who, &v->cr, &v->mats, &v->form, v->given,
	    v->now)) == 0)
		audit(v->r, "case.resubmit", v->cr.no, "ok", "");
	return rc == -1 ? DB_FAIL : rc;
}

/* The materials of a resubmission, parsed against the case's own (as a form, so the answers
 * parse the same way): every returned one given again, the files within the size limit.
 * 0, or the reply set (400, 413, 503). */
static int
resubmit_parse(struct req *r, struct review *v)
{
	const struct case_mats *l = &v->mats;
	long long total = 0, max = upload_case_max_bytes();
	char field[40];
	size_t i;
	int rc;

	for (i = 0; i < l->n; i++) {
		str_copy(v->form.mats[i].code, sizeof v->form.mats[i].code, l->rows[i].code);
		str_copy(v->form.mats[i].name, sizeof v->form.mats[i].name, l->rows[i].name);
		str_copy(v->form.mats[i].parts, sizeof v->form.mats[i].parts, l->rows[i].parts);
	}
	v->form.nmats = l->n;
	if ((rc = materials_parse(r, &v->form, v->given)) < 0)
		return db_fail(r, rc);
	for (i = 0; i < l->n; i++)
		if (strcmp(l->rows[i].state, "returned") == 0 && !v->given[i].set) {
			fmt(field, sizeof field, "materials.%s", l->rows[i].code);
			req_fail_field(r, field, "退回的材料须重新上传");
		}
	if (in_has_errors(r))
		return req_invalid(r);
	/* The case's files together after the change (duplicates counted once is close enough). */
	for (i = 0; i < l->n; i++)
		total += v->given[i].set ? v->given[i].size : l->rows[i].size;
	if (total > max) {
		char msg[160];

		fmt(msg, sizeof msg, "本次申请的文件合计不能超过 %lld MB，请压缩后重新上传",
		    max / (1024 * 1024));
		return req_err_msg(r, E_TOO_LARGE, msg);
	}
	return 0;
}

/* The case the caller may review: a clerk's of their hall, a citizen's own.  1, 0, DB_*. */
static int
review_case(struct req *r, int citizen, struct case_row *cr)
{
	char hall[32] = "";
	int rc;

	if (citizen) {
		/* Only the citizen who filed it resubmits. */
		rc = db_scalar(r->ctx, "SELECT hall FROM cases WHERE no = ? AND citizen = ?",
		    DBARGS(DBS(r->pathv[0]), DBS(r->sess.subject)), hall, sizeof hall);
		if (rc > 0)
			rc = case_load(r->ctx, hall, r->pathv[0], cr);
	} else {
		rc = case_load(r->ctx, r->sess.hall, r->pathv[0], cr);
		if (rc > 0 && !case_visible(&r->sess, cr))
			rc = 0;
	}
	return rc;
}

/* The checks and reads before the transaction; 0, or the reply set. */
static int
review_prepare(struct req *r, struct review *v)
{
	int rc;

	if ((rc = om_load(r->ctx, v->cr.id, &v->mats)) < 0)
		return db_fail(r, rc);
	if (strcmp(v->action, "return") == 0 && problems_parse(r, &v->mats) != 0)
		return req_invalid(r);
	if (strcmp(v->action, "resubmit") == 0)
		return resubmit_parse(r, v);
	if (strcmp(v->action, "pre_accept") == 0) {
		rc = review_accept_prepare(r->ctx, &v->cr, &v->ac);
		if (rc == E_CALENDAR_MISSING)
			return case_reply_calendar(r, v->ac.missing_year);
		if (rc < 0)
			return case_db_fail(r, rc);
	}
	return 0;
}

int
online_review(struct req *r, const char *action)
{
	struct review *v;
	int citizen = r->sess.role == ROLE_CITIZEN, rc;

	if ((v = calloc(1, sizeof *v)) == NULL)
		return req_bug(r, "out of memory");
	v->r = r;
	v->action = action;
	in_str(r, r->body, "note", 0, 1, 200, &v->note);
	if (in_has_errors(r)) {
		rc = req_invalid(r);
		goto out;
	}
	if (citizen != (strcmp(action, "resubmit") == 0) ||
	    (!citizen && r->sess.role != ROLE_CLERK)) {
		audit(r, "case.action", r->pathv[0], "forbidden", action);
		rc = req_err_msg(r, E_FORBIDDEN, "您不能进行该操作");
		goto out;
	}
	if ((rc = review_case(r, citizen, &v->cr)) <= 0) {
		rc = rc < 0 ? db_fail(r, rc) : req_err_msg(r, E_NOT_FOUND, "没有这个办件");
		goto out;
	}
	if (strcmp(v->cr.status, citizen ? "returned" : "submitted") != 0) {
		rc = case_reply_transition(r, v->cr.status, action);
		goto out;
	}
	if ((rc = review_prepare(r, v)) != 0)
		goto out;
	case_now(v->now);
	rc = db_tx(r->ctx, review_tx, v);
	if (rc == E_INVALID_TRANSITION)
		rc = case_reply_conflict(r, &v->cr, action);
	else if (rc != 0)
		rc = case_db_fail(r, rc);
	else if (citizen)
		rc = reply_mine(r, v->cr.id, "applicant", 200);
	else
		rc = case_reply_case(r, v->cr.no);
out:
	sodium_memzero(v, sizeof *v);
	free(v);
	return rc;
}
