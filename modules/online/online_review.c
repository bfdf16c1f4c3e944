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
 * Each change is one transaction: the guarded UPDATE … WHERE status = ?, the history row, the
 * outbox rows (applicant and agent) and the audit row.  Acceptance does what a window does
 * (cases_accept.c): deadline by the holiday calendar (a year not loaded → 422
 * CALENDAR_MISSING and a hall alert), tracking token, 受理通知书 row, case_accepted SMS.  A
 * bundle's parts each get their own deadline; the case's is the longest part's.
 */
#include "online_api.h"
#include "online_int.h"
#include "../shared/audit.h"
#include "../cases/cases.h"
#include "../cases/case_deadline.h"
#include "../cases/case_json.h"
#include "../cases/case_reply.h"
#include "../notify/notify.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TX_TRIES 3
#define CONFLICT 409

static int
guarded(uint64_t affected, int rc)
{
	if (rc != 0)
		return rc;
	return affected == 1 ? 0 : CONFLICT;
}

/* ---------------------------------------------------------------- the pre-review actions */

struct agent_row {
	char	 phone[32];
	char	 title[204];
};

static int
agent_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct agent_row *a = arg;

	(void)ncol;
	if (v[0] && pii_open((const unsigned char *)v[0], lens[0], a->phone, sizeof a->phone) != 0)
		a->phone[0] = '\0';
	str_copy(a->title, sizeof a->title, v[1]);
	return 1;
}

/* The SMS to the applicant, and to the agent when there is one. */
static int
notify_both(struct req *r, const struct case_row *cr, const char *agent_phone,
    const char *tmpl, json_t *params, json_t *agent_params)
{
	int rc = case_sms(r->ctx, cr->hall, tmpl, cr->phone, params, cr->no);

	if (rc == 0 && agent_phone && agent_phone[0])
		rc = case_sms(r->ctx, cr->hall, tmpl, agent_phone, agent_params ? agent_params : params,
		    cr->no);
	return rc == -1 ? DB_FAIL : rc;
}

struct part_dl {
	long long	 seq;
	long long	 days;
	char		 deadline[12];
};

struct accept_ctx {
	struct part_dl	 parts[FORM_MAX_PARTS];
	size_t		 nparts;
	char		 deadline[12];
	char		 first_item[48];
};

static int
pdl_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct accept_ctx *a = arg;

	(void)ncol;
	(void)lens;
	if (a->nparts == FORM_MAX_PARTS)
		return 1;
	parse_ll(v[0], 0, 255, &a->parts[a->nparts].seq);
	parse_ll(v[1], 0, 10000, &a->parts[a->nparts].days);
	if (a->nparts == 0)
		str_copy(a->first_item, sizeof a->first_item, v[2]);
	a->nparts++;
	return 0;
}

static int
act_pre_accept(struct req *r, struct case_row *cr, const char *now, const char *note)
{
	unsigned char s_track[PII_SEALED_MAX], s_atrack[PII_SEALED_MAX], s_notice[PII_SEALED_MAX];
	char track[CASE_TOKEN_MAX], atrack[CASE_TOKEN_MAX], notice[CASE_TOKEN_MAX], th[65], ath[65],
	    nh[65], url[320], aurl[320], m_name[64] = "";
	struct workcal cal = case_workcal(r->ctx);
	struct accept_ctx ac;
	struct agent_row ag;
	long long staff = 0;
	int rc, missing_year = 0, nt, nat = 0, nn;
	size_t i;
	uint64_t n = 0;
	json_t *params, *aparams = NULL;

	memset(&ac, 0, sizeof ac);
	memset(&ag, 0, sizeof ag);
	rc = db_query(r->ctx, "SELECT seq, promised_days, item FROM case_parts WHERE case_id = ?"
	    " ORDER BY seq", DBARGS(DBI(cr->id)), pdl_row, &ac);
	if (rc >= 0)
		rc = db_query(r->ctx, "SELECT agent_phone_enc, title FROM cases WHERE id = ?",
		    DBARGS(DBI(cr->id)), agent_row, &ag);
	if (rc >= 0)
		rc = db_scalar(r->ctx, "SELECT applicant_name_mask FROM cases WHERE id = ?",
		    DBARGS(DBI(cr->id)), m_name, sizeof m_name);
	if (rc < 0)
		return rc;
	/* Every part's deadline from the calendar; the case's is the longest part's. */
	for (i = 0; i < ac.nparts; i++) {
		int64_t dl;

		rc = deadline_add(&cal, case_today(), (int)ac.parts[i].days, &dl, &missing_year);
		if (rc == CAL_MISSING) {
			case_calendar_missing(r->ctx, cr->hall, missing_year);
			return case_reply_calendar(r, missing_year);
		}
		if (rc < 0)
			return rc;
		date_format_days(dl, ac.parts[i].deadline, sizeof ac.parts[i].deadline);
		if (strcmp(ac.parts[i].deadline, ac.deadline) > 0)
			str_copy(ac.deadline, sizeof ac.deadline, ac.parts[i].deadline);
	}
	if ((nt = case_token_new(track, th, s_track, sizeof s_track)) < 0 ||
	    (nn = case_token_new(notice, nh, s_notice, sizeof s_notice)) < 0 ||
	    (ag.phone[0] && (nat = case_token_new(atrack, ath, s_atrack, sizeof s_atrack)) < 0))
		return DB_FAIL;
	parse_ll(r->sess.subject, 1, INT64_MAX, &staff);

	if ((rc = db_begin(r->ctx)) != 0)
		return rc;
	rc = db_exec(r->ctx, "UPDATE cases SET status = 'accepted', accepted_by = ?, accepted_at = ?,"
	    " window_no = ?, deadline = ?, version = version + 1, updated_at = ?"
	    " WHERE id = ? AND status = 'submitted'",
	    DBARGS(staff ? DBI(staff) : DBN, DBS(now), r->sess.window ? DBI(r->sess.window) : DBN,
	    DBS(ac.deadline), DBS(now), DBI(cr->id)), &n, NULL);
	rc = guarded(n, rc);
	for (i = 0; rc == 0 && i < ac.nparts; i++)
		rc = db_exec(r->ctx, "UPDATE case_parts SET deadline = ? WHERE case_id = ? AND seq = ?",
		    DBARGS(DBS(ac.parts[i].deadline), DBI(cr->id), DBI(ac.parts[i].seq)), NULL, NULL);
	if (rc == 0)
		rc = db_exec(r->ctx, "INSERT INTO case_tracking (token_hash, case_id, token_enc,"
		    " holder, created_at) VALUES (?, ?, ?, 'applicant', ?)",
		    DBARGS(DBS(th), DBI(cr->id), DBSN((const char *)s_track, (size_t)nt), DBS(now)),
		    NULL, NULL);
	if (rc == 0 && ag.phone[0])
		rc = db_exec(r->ctx, "INSERT INTO case_tracking (token_hash, case_id, token_enc,"
		    " holder, created_at) VALUES (?, ?, ?, 'agent', ?)",
		    DBARGS(DBS(ath), DBI(cr->id), DBSN((const char *)s_atrack, (size_t)nat), DBS(now)),
		    NULL, NULL);
	if (rc == 0)
		rc = db_exec(r->ctx, "INSERT INTO case_notices (token_hash, token_enc, kind, hall,"
		    " item, case_id, applicant_mask, materials, note, window_no, created_by,"
		    " created_at) VALUES (?, ?, 'accepted', ?, ?, ?, ?, NULL, '网上申请', ?, ?, ?)",
		    DBARGS(DBS(nh), DBSN((const char *)s_notice, (size_t)nn), DBS(cr->hall),
		    DBS(ac.first_item), DBI(cr->id), DBS(m_name),
		    r->sess.window ? DBI(r->sess.window) : DBN, staff ? DBI(staff) : DBN, DBS(now)),
		    NULL, NULL);
	if (rc == 0)
		rc = case_history_add(r->ctx, &r->sess, cr->id, now, "accept", "submitted", "accepted", NULL, note,
		    "网上预审通过，予以受理");
	case_track_abs(track, url, sizeof url);
	params = json_pack("{s:s,s:s,s:s,s:s}", "case_no", cr->no, "item", ag.title,
	    "deadline", ac.deadline, "url", url);
	if (ag.phone[0]) {
		case_track_abs(atrack, aurl, sizeof aurl);
		aparams = json_pack("{s:s,s:s,s:s,s:s}", "case_no", cr->no, "item", ag.title,
		    "deadline", ac.deadline, "url", aurl);
	}
	if (rc == 0)
		rc = notify_both(r, cr, ag.phone, "case_accepted", params, aparams);
	json_decref(params);
	json_decref(aparams);
	if (rc == 0) {
		audit(r, "case.pre_accept", cr->no, "ok", ac.deadline);
		rc = db_commit(r->ctx);
	} else
		db_rollback(r->ctx);
	sodium_memzero(track, sizeof track);
	sodium_memzero(atrack, sizeof atrack);
	sodium_memzero(notice, sizeof notice);
	sodium_memzero(&ag, sizeof ag);
	return rc == -1 ? DB_FAIL : rc;
}

struct om_row {
	char	 code[16];
	char	 name[204];
	char	 parts[500];
	char	 state[12];
	char	 upload[UPLOAD_ID_MAX];
	long long size;
	int	 problem;		/* returned in this request */
	const char *reason;
};

struct om_list {
	struct om_row	 rows[FORM_MAX_MATS];
	size_t		 n;
};

static int
om_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct om_list *l = arg;
	struct om_row *m;

	(void)ncol;
	(void)lens;
	if (l->n == FORM_MAX_MATS)
		return 1;
	m = &l->rows[l->n++];
	memset(m, 0, sizeof *m);
	str_copy(m->code, sizeof m->code, v[0]);
	str_copy(m->name, sizeof m->name, v[1]);
	str_copy(m->parts, sizeof m->parts, v[2]);
	str_copy(m->state, sizeof m->state, v[3]);
	str_copy(m->upload, sizeof m->upload, v[4] ? v[4] : "");
	parse_ll(v[5] ? v[5] : "0", 0, INT64_MAX, &m->size);
	return 0;
}

static int
om_load(struct ctx *c, long long case_id, struct om_list *l)
{
	memset(l, 0, sizeof *l);
	return db_query(c, "SELECT om.code, om.name, om.parts, om.state, om.upload_id, u.size"
	    " FROM online_materials om LEFT JOIN uploads u ON u.id = om.upload_id"
	    " WHERE om.case_id = ? ORDER BY LENGTH(om.code), om.code", DBARGS(DBI(case_id)),
	    om_row, l);
}

static struct om_row *
om_find(struct om_list *l, const char *code)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->rows[i].code, code) == 0)
			return &l->rows[i];
	return NULL;
}

/* "problems": [{"material","reason"}], every one a material of the case, no repeats. */
static int
problems_parse(struct req *r, struct om_list *l)
{
	json_t *a = json_object_get(r->body, "problems"), *p;
	size_t i, n = 0;
	char field[40];

	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > FORM_MAX_MATS)
		return req_fail_field(r, "problems", "请逐项列出需修改的材料及原因（一次性告知）");
	json_array_foreach(a, i, p) {
		const char *code = json_string_value(json_object_get(p, "material"));
		const char *reason = json_string_value(json_object_get(p, "reason"));
		struct om_row *m;

		fmt(field, sizeof field, "problems.%zu", i);
		if (code == NULL || (m = om_find(l, code)) == NULL) {
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

static int
act_return(struct req *r, struct case_row *cr, struct om_list *l, const char *now,
    const char *note)
{
	char list[120] = "", item[8];
	struct buf pub;
	struct agent_row ag;
	uint64_t n = 0;
	size_t i, count = 0;
	int rc;
	json_t *params;

	memset(&ag, 0, sizeof ag);
	rc = db_query(r->ctx, "SELECT agent_phone_enc, title FROM cases WHERE id = ?",
	    DBARGS(DBI(cr->id)), agent_row, &ag);
	if (rc < 0)
		return rc;
	/* The timeline's public note lists every problem; it is cut (by characters, with …)
	 * only where the column ends, the reasons themselves are kept whole in
	 * online_materials. */
	buf_init(&pub, 64 * 1024);
	buf_adds(&pub, "网上预审退回，请修改：");
	for (i = 0; i < l->n; i++) {
		struct om_row *m = &l->rows[i];

		if (!m->problem)
			continue;
		buf_addf(&pub, "%s%s（%s）", count ? "；" : "", m->name, m->reason);
		if (utf8_len(list, strlen(list)) + utf8_len(m->name, strlen(m->name)) < 24 &&
		    strlen(list) + strlen(m->name) + 4 < sizeof list) {
			if (list[0])
				str_copy(list + strlen(list), sizeof list - strlen(list), "、");
			str_copy(list + strlen(list), sizeof list - strlen(list), m->name);
		}
		count++;
	}
	if (list[0] == '\0')
		str_copy(list, sizeof list, "申请材料");
	(void)item;
	if (pub.data == NULL || pub.overflow) {
		buf_free(&pub);
		return DB_FAIL;
	}
	utf8_trunc(pub.data, pub.len + 1, CASE_PUBLIC_NOTE_MAX, "…");

	if ((rc = db_begin(r->ctx)) != 0) {
		buf_free(&pub);
		return rc;
	}
	rc = db_exec(r->ctx, "UPDATE cases SET status = 'returned', version = version + 1,"
	    " updated_at = ? WHERE id = ? AND status = 'submitted'",
	    DBARGS(DBS(now), DBI(cr->id)), &n, NULL);
	rc = guarded(n, rc);
	for (i = 0; rc == 0 && i < l->n; i++) {
		struct form_mat fm;

		if (!l->rows[i].problem)
			continue;
		rc = db_exec(r->ctx, "UPDATE online_materials SET state = 'returned', reason = ?,"
		    " updated_at = ? WHERE case_id = ? AND code = ?",
		    DBARGS(DBS(l->rows[i].reason), DBS(now), DBI(cr->id), DBS(l->rows[i].code)),
		    NULL, NULL);
		memset(&fm, 0, sizeof fm);
		str_copy(fm.parts, sizeof fm.parts, l->rows[i].parts);
		if (rc == 0)
			rc = item_materials_set(r->ctx, cr->id, &fm, NULL, now, 0);
	}
	if (rc == 0)
		rc = case_history_add(r->ctx, &r->sess, cr->id, now, "return", "submitted", "returned", NULL, note,
		    pub.data);
	buf_free(&pub);
	params = json_pack("{s:s,s:s,s:I,s:s}", "case_no", cr->no, "item", ag.title,
	    "count", (json_int_t)count, "list", list);
	if (rc == 0)
		rc = notify_both(r, cr, ag.phone, "case_returned", params, NULL);
	json_decref(params);
	if (rc == 0) {
		char detail[32];

		fmt(detail, sizeof detail, "%zu problems", count);
		audit(r, "case.return", cr->no, "ok", detail);
		rc = db_commit(r->ctx);
	} else
		db_rollback(r->ctx);
	sodium_memzero(&ag, sizeof ag);
	return rc == -1 ? DB_FAIL : rc;
}

static int
act_resubmit(struct req *r, struct case_row *cr, struct om_list *l, const char *now)
{
	struct form *f;
	struct given *g;
	size_t i;
	int rc;
	uint64_t n = 0;
	char field[40];
	long long total = 0, max = upload_case_max_bytes();

	/* The case's own materials as a form, so the answers parse the same way. */
	if ((f = calloc(1, sizeof *f)) == NULL || (g = calloc(FORM_MAX_MATS, sizeof *g)) == NULL) {
		free(f);
		return DB_FAIL;
	}
	for (i = 0; i < l->n; i++) {
		str_copy(f->mats[i].code, sizeof f->mats[i].code, l->rows[i].code);
		str_copy(f->mats[i].name, sizeof f->mats[i].name, l->rows[i].name);
		str_copy(f->mats[i].parts, sizeof f->mats[i].parts, l->rows[i].parts);
	}
	f->nmats = l->n;
	rc = materials_parse(r, f, g);
	for (i = 0; rc == 0 && i < l->n; i++)
		if (strcmp(l->rows[i].state, "returned") == 0 && !g[i].set) {
			fmt(field, sizeof field, "materials.%s", l->rows[i].code);
			req_fail_field(r, field, "退回的材料须重新上传");
		}
	if (rc == 0 && in_has_errors(r)) {
		rc = req_invalid(r);
		goto out;
	}
	if (rc < 0)
		goto out;
	/* The case's files together after the change (duplicates counted once is close enough). */
	for (i = 0; i < l->n; i++)
		total += g[i].set ? g[i].size : l->rows[i].size;
	if (total > max) {
		char msg[160];

		fmt(msg, sizeof msg, "本次申请的文件合计不能超过 %lld MB，请压缩后重新上传",
		    max / (1024 * 1024));
		rc = req_err_msg(r, E_TOO_LARGE, msg);
		goto out;
	}

	if ((rc = db_begin(r->ctx)) != 0)
		goto out;
	rc = db_exec(r->ctx, "UPDATE cases SET status = 'submitted', submitted_at = ?,"
	    " version = version + 1, updated_at = ? WHERE id = ? AND status = 'returned'",
	    DBARGS(DBS(now), DBS(now), DBI(cr->id)), &n, NULL);
	rc = guarded(n, rc);
	for (i = 0; rc == 0 && i < l->n; i++) {
		if (!g[i].set)
			continue;
		rc = db_exec(r->ctx, "UPDATE online_materials SET upload_id = ?, reused = ?,"
		    " state = 'given', reason = '', updated_at = ? WHERE case_id = ? AND code = ?",
		    DBARGS(DBS(g[i].upload), DBI(g[i].reused), DBS(now), DBI(cr->id),
		    DBS(l->rows[i].code)), NULL, NULL);
		if (rc == 0)
			rc = item_materials_set(r->ctx, cr->id, &f->mats[i], g[i].upload, now, 0);
	}
	if (rc == 0)
		rc = case_history_add(r->ctx, &r->sess, cr->id, now, "resubmit", "returned", "submitted", NULL, "",
		    "材料已修改并重新提交，等待预审");
	if (rc == 0) {
		audit(r, "case.resubmit", cr->no, "ok", "");
		rc = db_commit(r->ctx);
	} else
		db_rollback(r->ctx);
out:
	free(f);
	free(g);
	return rc == -1 ? DB_FAIL : rc;
}

int
online_review(struct req *r, const char *action)
{
	struct case_row cr;
	struct om_list *l = NULL;
	const char *note = NULL, *from;
	char now[20], hall[32] = "";
	int citizen = r->sess.role == ROLE_CITIZEN, rc, tries;

	in_str(r, r->body, "note", 0, 1, 200, &note);
	if (in_has_errors(r))
		return req_invalid(r);
	if (citizen != (strcmp(action, "resubmit") == 0) ||
	    (!citizen && r->sess.role != ROLE_CLERK)) {
		audit(r, "case.action", r->pathv[0], "forbidden", action);
		return req_err_msg(r, E_FORBIDDEN, "您不能进行该操作");
	}
	if (citizen) {
		/* Only the citizen who filed it resubmits. */
		rc = db_scalar(r->ctx, "SELECT hall FROM cases WHERE no = ? AND citizen = ?",
		    DBARGS(DBS(r->pathv[0]), DBS(r->sess.subject)), hall, sizeof hall);
		if (rc > 0)
			rc = case_load(r->ctx, hall, r->pathv[0], &cr);
	} else {
		rc = case_load(r->ctx, r->sess.hall, r->pathv[0], &cr);
		if (rc > 0 && !case_visible(&r->sess, &cr))
			rc = 0;
	}
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这个办件");
	from = strcmp(action, "resubmit") == 0 ? "returned" : "submitted";
	if (strcmp(cr.status, from) != 0) {
		rc = case_reply_transition(r, cr.status, action);
		goto out;
	}
	if ((l = malloc(sizeof *l)) == NULL) {
		rc = req_bug(r, "out of memory");
		goto out;
	}
	if ((rc = om_load(r->ctx, cr.id, l)) < 0) {
		rc = db_fail(r, rc);
		goto out;
	}
	if (strcmp(action, "return") == 0 && problems_parse(r, l) != 0) {
		rc = req_invalid(r);
		goto out;
	}
	case_now(now);
	for (tries = 0; tries < TX_TRIES; tries++) {
		if (strcmp(action, "pre_accept") == 0)
			rc = act_pre_accept(r, &cr, now, note);
		else if (strcmp(action, "return") == 0)
			rc = act_return(r, &cr, l, now, note);
		else
			rc = act_resubmit(r, &cr, l, now);
		if (rc != DB_RETRY)
			break;
	}
	if (rc == CONFLICT) {
		struct case_row again;

		if (case_load(r->ctx, cr.hall, cr.no, &again) > 0)
			str_copy(cr.status, sizeof cr.status, again.status);
		sodium_memzero(&again, sizeof again);
		rc = case_reply_transition(r, cr.status, action);
		goto out;
	}
	if (rc > 0 && r->status >= 400)	/* 400, 413, 422 already on r */
		goto out;
	if (rc != 0) {
		rc = case_db_fail(r, rc);
		goto out;
	}
	if (citizen) {
		rc = reply_mine(r, cr.id, "applicant", 200);
	} else {
		json_t *o;
		char no[CASE_NO_MAX];

		str_copy(no, sizeof no, cr.no);
		rc = case_load(r->ctx, r->sess.hall, no, &cr);
		if (rc > 0)
			rc = case_json(r->ctx, &r->sess, &cr, 0, &o);
		if (rc <= 0)
			rc = rc < 0 ? db_fail(r, rc) : req_bug(r, "case vanished");
		else
			rc = req_ok(r, 200, json_pack("{s:o}", "case", o));
	}
out:
	free(l);
	sodium_memzero(&cr, sizeof cr);
	return rc;
}
