/*
 * online_mine.c — a citizen's own cases (as applicant or authorised agent), the materials
 * "reuse" would find, and the applicant's files as a clerk pre-reviews them.
 *
 * Routes: GET /me/cases, GET /me/cases/{no}, PUT /me/cases/{no}/pickup,
 *         GET /me/reusable-materials (citizen);
 *         GET /cases/{no}/uploads (staff of the hall)
 * Tables: cases, case_parts, online_materials, uploads, case_history, case_tracking,
 *         citizens (the caller's phone hash), items, departments
 * Redis:  none
 */
#include "handlers.h"
#include "online_int.h"
#include "../cases/cases.h"
#include "../cases/case_json.h"
#include "../cases/case_reply.h"
#include "../cases/case_route.h"
#include "../shared/audit.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The caller's phone hash (citizens), "" when none. */
static void
my_phone_hash(struct ctx *c, const struct session *who, char out[PII_HASH_HEX])
{
	out[0] = '\0';
	if (db_scalar(c, "SELECT phone_hash FROM citizens WHERE id = ?",
	    DBARGS(DBS(who->subject)), out, PII_HASH_HEX) <= 0)
		out[0] = '\0';
}

/* ---------------------------------------------------------------- the citizen's view */

/* The lists an online case carries, each read by the case id: its parts, its materials and
 * its public history. */
static const struct case_list {
	const char		*member, *sql, *types;
	const char *const	*cols;
} case_lists[] = {
	{ "parts",
	    "SELECT p.item, i.name, p.department, d.name, p.status, p.promised_days,"
	    " DATE_FORMAT(p.deadline, '%Y-%m-%d') FROM case_parts p"
	    " JOIN items i ON i.id = p.item JOIN departments d ON d.code = p.department"
	    " WHERE p.case_id = ? ORDER BY p.seq", "ssssSiS",
	    (const char *const[]){ "item", "item_name", "department", "department_name", "status",
	    "promised_days", "deadline" } },
	{ "materials",
	    "SELECT om.code, om.name, om.required, om.upload_id, om.reused, om.state,"
	    " om.reason, u.type, u.size FROM online_materials om"
	    " LEFT JOIN uploads u ON u.id = om.upload_id WHERE om.case_id = ?"
	    " ORDER BY LENGTH(om.code), om.code", "ssbSbssSI",
	    (const char *const[]){ "code", "name", "required", "upload_id", "reused", "state",
	    "reason", "type", "size" } },
	{ "steps",
	    "SELECT DATE_FORMAT(at, '%Y-%m-%dT%H:%i:%s+08:00'), to_status, public_note"
	    " FROM case_history WHERE case_id = ? ORDER BY id", "sss",
	    (const char *const[]){ "at", "status", "note" } },
};

/* An online case as its applicant (or agent) sees it. 1, 0 not found, or a DB_* code. */
int
my_case_json(struct ctx *c, long long id, const char *holder, json_t **out)
{
	static const char *const main_cols[] = { "no", "hall", "channel", "item", "bundle", "title",
	    "status", "applicant", "agent", "delivery", "submitted_at", "accepted_at",
	    "promised_days", "deadline", "provisional" };
	json_t *o, *list;
	char tok[CASE_TOKEN_MAX] = "", url[160];
	size_t i;
	int rc;

	*out = NULL;
	rc = db_row_json(c,
	    "SELECT c.no, c.hall, c.channel, c.item, c.bundle, c.title, c.status,"
	    " c.applicant_name_mask, c.agent_name_mask, c.delivery,"
	    " DATE_FORMAT(c.submitted_at, '%Y-%m-%dT%H:%i:%s+08:00'),"
	    " DATE_FORMAT(c.accepted_at, '%Y-%m-%dT%H:%i:%s+08:00'), c.promised_days,"
	    " DATE_FORMAT(c.deadline, '%Y-%m-%d'), c.deadline_provisional FROM cases c"
	    " WHERE c.id = ?", DBARGS(DBI(id)), main_cols, "sssSSsssSsSSiSb", &o);
	if (rc <= 0)
		return rc;
	if ((rc = case_halls_json(c, id, o)) < 0) {	/* 全市通办: the three halls by name */
		json_decref(o);
		return rc;
	}
	json_object_set_new(o, "status_label",
	    json_string(case_status_label(json_string_value(json_object_get(o, "status")))));
	json_object_set_new(o, "role", json_string(holder));
	for (i = 0; i < NELEM(case_lists) && rc >= 0; i++) {
		list = json_array();
		rc = db_rows_json(c, case_lists[i].sql, DBARGS(DBI(id)), case_lists[i].cols,
		    case_lists[i].types, list);
		json_object_set_new(o, case_lists[i].member, list);
	}
	if (rc >= 0)
		rc = case_track_token(c, id, holder, tok);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	if (tok[0]) {
		fmt(url, sizeof url, "/t/%s", tok);
		json_object_set_new(o, "track_url", json_string(url));
	}
	sodium_memzero(tok, sizeof tok);
	*out = o;
	return 1;
}

struct mine {
	long long	 id;
	char		 holder[12];
};

static const struct db_col mine_cols[] = {
	DBC_I(struct mine, id, 1, INT64_MAX), DBC_S(struct mine, holder),
};

/* The case no if the caller filed it or follows it (as applicant or agent). 1, 0, DB_*. */
static int
my_case_find(struct ctx *c, const struct session *who, const char *no, struct mine *m)
{
	char ph[PII_HASH_HEX];

	memset(m, 0, sizeof *m);
	if (strlen(no) >= CASE_NO_MAX)
		return 0;
	my_phone_hash(c, who, ph);
	return db_row_into(c, "SELECT id, CASE WHEN citizen = ? OR applicant_phone_hash = ?"
	    " THEN 'applicant' ELSE 'agent' END FROM cases WHERE no = ?"
	    " AND (citizen = ? OR (? <> '' AND (applicant_phone_hash = ? OR agent_phone_hash = ?)))",
	    DBARGS(DBS(who->subject), DBS(ph), DBS(no), DBS(who->subject), DBS(ph), DBS(ph),
	    DBS(ph)), DB_COLS(mine_cols), m);
}

/*
 * The names of the materials "reuse" would find for this citizen (reuse_find's rule): the
 * form offers 复用 only for those, and says nothing of reuse to a first-time applicant.
 */
int
h_my_reusable(struct req *r)
{
	static const char *const cols[] = { "name" };
	json_t *rows = json_array(), *names = json_array(), *v;
	size_t i;
	int rc;

	rc = db_rows_json(r->ctx, "SELECT DISTINCT om.name FROM online_materials om"
	    " JOIN cases c ON c.id = om.case_id JOIN uploads u ON u.id = om.upload_id"
	    " WHERE c.citizen = ? AND om.state = 'given'"
	    " AND c.status NOT IN ('submitted', 'returned') AND u.owner_kind = 'citizen'"
	    " AND u.owner = ? ORDER BY om.name LIMIT 200",
	    DBARGS(DBS(r->sess.subject), DBS(r->sess.subject)), cols, "s", rows);
	if (rc < 0) {
		json_decref(rows);
		json_decref(names);
		return db_fail(r, rc);
	}
	json_array_foreach(rows, i, v)
		json_array_append(names, json_object_get(v, "name"));
	json_decref(rows);
	return req_ok(r, 200, json_pack("{s:o}", "materials", names));
}

int
h_my_cases(struct req *r)
{
	static const char *const cols[] = { "no", "title", "bundle", "status", "channel",
	    "submitted_at", "accepted_at", "deadline", "role" };
	char ph[PII_HASH_HEX];
	json_t *list = json_array(), *v;
	size_t i;
	int rc;

	my_phone_hash(r->ctx, &r->sess, ph);
	rc = db_rows_json(r->ctx,
	    "SELECT no, title, bundle, status, channel,"
	    " DATE_FORMAT(submitted_at, '%Y-%m-%dT%H:%i:%s+08:00'),"
	    " DATE_FORMAT(accepted_at, '%Y-%m-%dT%H:%i:%s+08:00'), DATE_FORMAT(deadline, '%Y-%m-%d'),"
	    " CASE WHEN citizen = ? OR applicant_phone_hash = ? THEN 'applicant' ELSE 'agent' END"
	    " FROM cases WHERE citizen = ?"
	    " OR (? <> '' AND (applicant_phone_hash = ? OR agent_phone_hash = ?))"
	    " ORDER BY id DESC LIMIT 100",
	    DBARGS(DBS(r->sess.subject), DBS(ph), DBS(r->sess.subject), DBS(ph), DBS(ph), DBS(ph)),
	    cols, "ssSssSSSs", list);
	if (rc < 0) {
		json_decref(list);
		return db_fail(r, rc);
	}
	json_array_foreach(list, i, v)
		json_object_set_new(v, "status_label",
		    json_string(case_status_label(json_string_value(json_object_get(v, "status")))));
	return req_ok(r, 200, json_pack("{s:o}", "cases", list));
}

int
reply_mine(struct req *r, long long id, const char *holder, int status)
{
	json_t *o;
	int rc = my_case_json(r->ctx, id, holder, &o);

	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这个办件");
	return req_ok(r, status, json_pack("{s:o}", "case", o));
}

int
h_my_case(struct req *r)
{
	struct mine m;
	int rc = my_case_find(r->ctx, &r->sess, r->pathv[0], &m);

	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这个办件");
	return reply_mine(r, m.id, m.holder, 200);
}

struct pickup_tx {
	struct req	*r;
	long long	 id;
	const char	*hall;
};

static int
pickup_tx(struct ctx *c, void *arg)
{
	struct pickup_tx *t = arg;
	int rc = case_pickup_set(c, &t->r->sess, t->id, t->hall);

	if (rc == 0)
		audit(t->r, "case.pickup_hall", t->r->pathv[0], "ok", t->hall);
	return rc;
}

/*
 * PUT /me/cases/{no}/pickup {"pickup_hall"}: the applicant (or agent) chooses another hall of
 * the city to pick the result up at, before it is ready (全市通办, case_route.h).
 */
int
h_my_case_pickup(struct req *r)
{
	const char *hall = NULL;
	struct mine m;
	int rc;

	in_str(r, r->body, "pickup_hall", 1, 1, 32, &hall);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = my_case_find(r->ctx, &r->sess, r->pathv[0], &m)) < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这个办件");
	rc = db_tx(r->ctx, pickup_tx, &(struct pickup_tx){ r, m.id, hall });
	if (rc == E_INVALID_INPUT)
		return case_reply_pickup(r);
	if (rc == E_INVALID_STATE)
		return req_err_msg(r, rc, "办理结果已送达或已领取，不能再更改领取地点");
	if (rc == E_INVALID_TRANSITION || rc == E_NOT_FOUND)
		return req_err_msg(r, rc == E_NOT_FOUND ? rc : E_INVALID_STATE,
		    rc == E_NOT_FOUND ? "没有这个办件" : "办件状态刚刚变化，请刷新后重试");
	if (rc != 0)
		return db_fail(r, rc);
	return reply_mine(r, m.id, m.holder, 200);
}

/* GET /cases/{no}/uploads: the applicant's files for pre-review, side by side. */
int
h_case_uploads(struct req *r)
{
	static const char *const cols[] = { "code", "name", "required", "parts", "upload_id",
	    "reused", "state", "reason", "type", "size" };
	struct case_row cr;
	json_t *mats = json_array(), *acts;
	int rc;

	rc = case_load(r->ctx, r->sess.hall, r->pathv[0], &cr);
	if (rc > 0 && !case_visible(&r->sess, &cr))
		rc = 0;
	if (rc > 0)
		rc = db_rows_json(r->ctx,
		    "SELECT om.code, om.name, om.required, om.parts, om.upload_id, om.reused,"
		    " om.state, om.reason, u.type, u.size FROM online_materials om"
		    " LEFT JOIN uploads u ON u.id = om.upload_id WHERE om.case_id = ?"
		    " ORDER BY LENGTH(om.code), om.code", DBARGS(DBI(cr.id)), cols, "ssbsSbssSI", mats);
	if (rc <= 0) {
		json_decref(mats);
		return rc < 0 ? db_fail(r, rc) : req_err_msg(r, E_NOT_FOUND, "没有这个办件");
	}
	acts = case_actions_json(&r->sess, &cr, 1);
	sodium_memzero(cr.phone, sizeof cr.phone);
	return req_ok(r, 200, json_pack("{s:s,s:s,s:o,s:o}", "no", cr.no, "status", cr.status,
	    "materials", mats, "actions", acts));
}
