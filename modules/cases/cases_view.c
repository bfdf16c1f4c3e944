/*
 * cases_view.c — reading cases: the staff work list and case page, the public tracking
 * JSON, the printable notices; and a staff member's own phone for work notices.
 *
 * Routes: GET /cases, GET /cases/{no}, GET /track/{token}, GET /case-notices?n=<token>,
 *         PUT /staff/me/phone
 * Tables: cases, case_parts, case_history, case_materials, case_tracking, case_notices,
 *         items, departments, halls, hall_hours, windows, staff, audit_log, results (the
 *         tracking page lists them: results_track_json)
 * Redis:  trk:tok:<sha256(token)> → case id; {case:<id>}:trk (the tracking page, cached),
 *         {case:<id>}:trkv (its version, bumped by case_changed)
 *
 * Staff see the cases of their own hall; an approver only those with a part in their
 * department.  Applicant data is masked; GET /cases/{no}?reveal=1 opens it for the roles that
 * work with it (clerk at pickup, approver deciding, manager), and every reveal is audited.
 * Tracking and notice tokens are capabilities (256 random bits): unknown, revoked or
 * malformed ones are all the same 404.  The notice token travels in the query string, which
 * neither nginx's nor the app's access log records.
 */
#include "handlers.h"
#include "../shared/audit.h"
#include "cases.h"
#include "../hall/halldir.h"
#include "../shared/pii.h"
#include "../results/results.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/log.h"

#include <pthread.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_PAGE 20

/* ---------------------------------------------------------------- GET /cases */

int
h_cases_list(struct req *r)
{
	static const char *const cols[] = { "no", "item", "item_name", "status", "deadline",
	    "warning", "applicant", "accepted_at", "delivery", "department", "department_name",
	    "paused_since", "window", "cross_province" };
	static const char *const warnings[] = { "green", "yellow", "red", NULL };
	const char *status = NULL, *overdue = NULL, *warning = NULL, *item = NULL, *q = NULL;
	long long page = 1, per = PER_PAGE;
	int od = 0, by_deadline = 0, rc;
	char today[12], total[24] = "0", like[176];
	const char *dept = r->sess.role == ROLE_APPROVER ? r->sess.department : NULL;
	json_t *list, *row;
	size_t i;
	long long tot = 0;

	q_str(r, "status", 0, 24, &status);
	q_str(r, "overdue", 0, 8, &overdue);
	q_str(r, "warning", 0, 8, &warning);
	q_str(r, "item", 0, 40, &item);
	q_str(r, "q", 0, 40, &q);
	q_int(r, "page", 0, 1, 10000, &page);
	q_int(r, "per_page", 0, 1, 100, &per);
	if (status && case_status_parse(status) < 0)
		req_fail_field(r, "status", "不是有效的办件状态");
	if (overdue) {
		if (strcmp(overdue, "1") == 0 || strcmp(overdue, "true") == 0)
			od = 1;
		else if (strcmp(overdue, "yellow") == 0 || strcmp(overdue, "warning") == 0)
			od = 2;
		else if (strcmp(overdue, "0") != 0 && strcmp(overdue, "false") != 0)
			req_fail_field(r, "overdue", "取值为 1（已超期）、yellow（预警及超期）或 0");
	}
	if (warning) {
		for (i = 0; warnings[i] && strcmp(warnings[i], warning) != 0; i++)
			;
		if (warnings[i] == NULL)
			req_fail_field(r, "warning", "取值为 green、yellow 或 red");
	}
	if (q) {
		for (i = 0; q[i]; i++)
			if (!((q[i] >= '0' && q[i] <= '9') || (q[i] >= 'A' && q[i] <= 'Z') ||
			    (q[i] >= 'a' && q[i] <= 'z') || q[i] == '-'))
				break;
		if (q[i])
			req_fail_field(r, "q", "按办件编号查询：字母、数字和连字符");
	}
	if (in_has_errors(r))
		return req_invalid(r);
	if (r->sess.role == ROLE_APPROVER && dept[0] == '\0')
		return req_fail(r, 403, "FORBIDDEN", "您的账号未设置所属部门");
	fmt(like, sizeof like, "%%%s%%", q ? q : "");
	date_format_days(case_today(), today, sizeof today);
	by_deadline = od != 0 || warning != NULL;

#define CASES_WHERE \
	" WHERE c.hall = ? AND (? IS NULL OR c.status = ?)" \
	" AND (? = 0 OR (c.status IN ('accepted', 'processing') AND c.deadline < ?)" \
	"  OR (? = 2 AND c.status IN ('accepted', 'processing') AND c.warning <> 'green'))" \
	" AND (? IS NULL OR c.warning = ?) AND (? IS NULL OR c.item = ?) AND c.no LIKE ?" \
	" AND (? IS NULL OR EXISTS (SELECT 1 FROM case_parts p WHERE p.case_id = c.id" \
	"  AND p.department = ?))"
#define CASES_ARGS \
	DBS(r->sess.hall), DBSO(status), DBSO(status), DBI(od), DBS(today), DBI(od), \
	DBSO(warning), DBSO(warning), DBSO(item), DBSO(item), DBS(like), DBSO(dept), DBSO(dept)

	list = json_array();
	rc = db_rows_json(r->ctx,
	    "SELECT c.no, c.item, c.title, c.status, DATE_FORMAT(c.deadline, '%Y-%m-%d'),"
	    " c.warning, c.applicant_name_mask,"
	    " DATE_FORMAT(c.accepted_at, '%Y-%m-%dT%H:%i:%s+08:00'), c.delivery, i.department,"
	    " d.name, DATE_FORMAT(c.paused_since, '%Y-%m-%d'), c.window_no, c.cross_province"
	    " FROM cases c LEFT JOIN items i ON i.id = c.item"
	    " LEFT JOIN departments d ON d.code = i.department" CASES_WHERE
	    " ORDER BY CASE WHEN ? = 1 THEN c.deadline END ASC, c.id DESC LIMIT ? OFFSET ?",
	    DBARGS(CASES_ARGS, DBI(by_deadline), DBI(per), DBI((page - 1) * per)),
	    cols, "sSssSssSsSSSIb", list);
	if (rc >= 0)
		rc = db_scalar(r->ctx, "SELECT COUNT(*) FROM cases c" CASES_WHERE,
		    DBARGS(CASES_ARGS), total, sizeof total);
	if (rc < 0) {
		json_decref(list);
		return db_fail(r, rc);
	}
	parse_ll(total, 0, INT64_MAX, &tot);
	/* The live light of the cases still running (the stored one is up to a minute old). */
	json_array_foreach(list, i, row) {
		const char *st = json_string_value(json_object_get(row, "status"));
		int paused = strcmp(st, "supplement_needed") == 0;

		json_object_set_new(row, "status_label", json_string(case_status_label(st)));
		if (strcmp(st, "accepted") == 0 || strcmp(st, "processing") == 0 || paused) {
			const char *w = case_warning_for(r->ctx,
			    json_string_value(json_object_get(row, "deadline")),
			    paused ? json_string_value(json_object_get(row, "paused_since")) : NULL,
			    case_today());

			if (w)
				json_object_set_new(row, "warning", json_string(w));
		}
	}
	return req_ok(r, 200, json_pack("{s:o,s:I,s:I,s:I}", "cases", list, "page", page,
	    "per_page", per, "total", tot));
#undef CASES_WHERE
#undef CASES_ARGS
}

/* ---------------------------------------------------------------- GET /cases/{no} */

int
h_case_get(struct req *r)
{
	struct case_row cr;
	const char *reveal = NULL;
	json_t *o;
	int rc, open;

	q_str(r, "reveal", 0, 1, &reveal);
	if (in_has_errors(r))
		return req_invalid(r);
	open = reveal && reveal[0] == '1' &&
	    (r->sess.role & (ROLE_CLERK | ROLE_APPROVER | ROLE_MANAGER)) != 0;
	rc = case_load(r->ctx, r->sess.hall, r->pathv[0], &cr);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0 || !case_visible(r, &cr))
		return req_fail(r, 404, "NOT_FOUND", "没有这个办件");
	if (reveal && reveal[0] == '1' && !open)
		return req_fail(r, 403, "FORBIDDEN", "您的岗位不能查看申请人完整信息");
	if (open)
		audit(r, "case.reveal", cr.no, "ok", "applicant");
	rc = case_json(r, &cr, open, &o);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这个办件");
	return req_ok(r, 200, json_pack("{s:o}", "case", o));
}

/* ---------------------------------------------------------------- GET /track/{token} */

struct track {
	int	 found;
	long long id;
	char	 no[CASE_NO_MAX];
	char	 title[256];
	char	 status[24];
	char	 deadline[12];
	char	 paused[12];
	char	 warning[8];
	char	 applicant[64];
	char	 hall[32];
	char	 hall_name[404];
	char	 hall_phone[32];
	long long pickup_window;
	char	 window[204];
	char	 carrier[40];
	char	 tracking_no[48];
	char	 ready_at[32];
	char	 mailed_at[32];
	char	 delivery[8];
	json_t	*steps;		/* [[history id, {status, at, note?}], …]; the caller's */
};

/* One row per public step (or one row without a step): the case's columns repeat. */
static int
track_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct track *t = arg;
	long long sid;

	(void)ncol;
	(void)lens;
	if (!t->found) {
		t->found = 1;
		parse_ll(v[0], 1, INT64_MAX, &t->id);
		str_copy(t->no, sizeof t->no, v[1]);
		str_copy(t->title, sizeof t->title, v[2]);
		str_copy(t->status, sizeof t->status, v[3]);
		str_copy(t->deadline, sizeof t->deadline, v[4] ? v[4] : "");
		str_copy(t->paused, sizeof t->paused, v[5] ? v[5] : "");
		str_copy(t->warning, sizeof t->warning, v[6]);
		str_copy(t->applicant, sizeof t->applicant, v[7]);
		str_copy(t->hall, sizeof t->hall, v[8]);
		str_copy(t->carrier, sizeof t->carrier, v[9] ? v[9] : "");
		str_copy(t->tracking_no, sizeof t->tracking_no, v[10] ? v[10] : "");
		str_copy(t->ready_at, sizeof t->ready_at, v[11] ? v[11] : "");
		str_copy(t->mailed_at, sizeof t->mailed_at, v[12] ? v[12] : "");
		str_copy(t->delivery, sizeof t->delivery, v[13]);
		t->pickup_window = 0;
		if (v[14])
			parse_ll(v[14], 0, 65535, &t->pickup_window);
		t->steps = json_array();
	}
	if (v[15] && parse_ll(v[15], 1, INT64_MAX, &sid) == 0) {
		json_t *st = json_pack("{s:s,s:s}", "status", v[16] ? v[16] : "",
		    "at", v[17] ? v[17] : "");

		if (v[18] && v[18][0])
			json_object_set_new(st, "note", json_string(v[18]));
		json_object_set_new(st, "label", json_string(case_status_label(v[16] ? v[16] : "")));
		json_array_append_new(t->steps, json_pack("[I,o]", sid, st));
	}
	return 0;
}

static int
step_order(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_array_get(*(json_t *const *)a, 0));
	json_int_t y = json_integer_value(json_array_get(*(json_t *const *)b, 0));

	return x < y ? -1 : x > y;
}

/* The steps oldest first, as the list the page shows. */
static json_t *
track_steps(json_t *rows)
{
	size_t i, n = json_array_size(rows);
	json_t **v = n ? calloc(n, sizeof *v) : NULL, *out = json_array();

	if (n && v == NULL)
		return out;
	for (i = 0; i < n; i++)
		v[i] = json_array_get(rows, i);
	qsort(v, n, sizeof *v, step_order);
	for (i = 0; i < n; i++)
		json_array_append(out, json_array_get(v[i], 1));
	free(v);
	return out;
}

static int
token_unknown(struct req *r)
{
	return req_fail(r, 404, "NOT_FOUND", "查询码无效或已失效");
}

/*
 * The tracking page, cached in Redis.  Citizens' pages poll it and QR codes are scanned at
 * the counter, while a case changes a few times in its life; so a lookup is answered from
 * Redis while nothing changed, and from MariaDB otherwise, with the same JSON.
 *
 *   trk:tok:<hash>     the case a token belongs to (tokens never move to another case)
 *   {case:<id>}:trkv   the page's version: case_changed() bumps it once the writing
 *                      transaction has ended (db_after_tx), whatever its outcome
 *   {case:<id>}:trk    {"v": version, "tokens": [the hashes not revoked], "case": {…},
 *                      "deadline", "paused"}: the page as MariaDB had it at that version
 *
 * A copy is served only when its version is the current one and the token is among its
 * tokens (revoking a token changes the case: the next copy leaves it out).  A copy is
 * written only if the version read before MariaDB was asked is still the current one, so
 * a change that commits in between is never hidden behind an older page.  The warning light
 * depends on today and is worked out at each answer.  Copies live TRACK_DOC_TTL seconds;
 * Redis away, every lookup asks MariaDB.
 */
#define TRACK_DOC_TTL 60
#define TRACK_MAP_TTL 86400
#define TRACK_VER_TTL 86400	/* longer than any copy: a version never comes round again */

static struct kv_script s_track_fill = { "track_fill",
	"if (redis.call('GET', KEYS[2]) or '') == ARGV[1] then\n"
	"  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])\n"
	"end\n"
	"return 1\n", "" };
static pthread_once_t track_once = PTHREAD_ONCE_INIT;

static void
track_scripts(void)
{
	kv_script_init(&s_track_fill);
}

static void
track_invalidate(struct ctx *c, long long id)
{
	redisReply *rep;

	if ((rep = kv_cmd(c, "INCR {case:%lld}:trkv", id)) != NULL)
		freeReplyObject(rep);
	if ((rep = kv_cmd(c, "EXPIRE {case:%lld}:trkv %d", id, TRACK_VER_TTL)) != NULL)
		freeReplyObject(rep);
	if ((rep = kv_cmd(c, "DEL {case:%lld}:trk", id)) != NULL)
		freeReplyObject(rep);
}

void
case_changed(struct ctx *c, long long case_id)
{
	if (case_id > 0)
		db_after_tx(c, track_invalidate, case_id);
}

/* What a lookup learnt from Redis. */
struct track_probe {
	long long id;		/* the token's case, when Redis knows it */
	char	 ver[24];	/* the version before MariaDB is asked ("" none yet) */
	int	 redis_ok;
};

/* The page from Redis (owned by the caller), or NULL with p telling what is known. */
static json_t *
track_cached(struct ctx *c, const char *hash, struct track_probe *p)
{
	redisReply *rep;
	json_t *env = NULL, *tok;
	const char *v;
	size_t i;
	int ok = 0;

	memset(p, 0, sizeof *p);
	if ((rep = kv_cmd(c, "GET trk:tok:%s", hash)) == NULL)
		return NULL;
	p->redis_ok = 1;
	if (rep->type == REDIS_REPLY_STRING)
		parse_ll(rep->str, 1, INT64_MAX, &p->id);
	freeReplyObject(rep);
	if (p->id == 0)
		return NULL;
	if ((rep = kv_cmd(c, "MGET {case:%lld}:trk {case:%lld}:trkv", p->id, p->id)) == NULL) {
		p->redis_ok = 0;
		return NULL;
	}
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2) {
		if (rep->element[1]->type == REDIS_REPLY_STRING)
			str_copy(p->ver, sizeof p->ver, rep->element[1]->str);
		if (rep->element[0]->type == REDIS_REPLY_STRING)
			env = json_loadb(rep->element[0]->str, rep->element[0]->len, 0, NULL);
	}
	freeReplyObject(rep);
	v = json_string_value(json_object_get(env, "v"));
	if (v && strcmp(v, p->ver) == 0)
		json_array_foreach(json_object_get(env, "tokens"), i, tok)
			if (json_is_string(tok) && strcmp(json_string_value(tok), hash) == 0) {
				ok = 1;
				break;
			}
	if (!ok || !json_is_object(json_object_get(env, "case"))) {
		json_decref(env);
		return NULL;
	}
	return env;
}

static int
token_hash_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	(void)ncol;
	json_array_append_new(arg, json_stringn(v[0], lens[0]));
	return 0;
}

/* After MariaDB answered (the page o, not yet sent): remember it for the next lookups. */
static void
track_remember(struct ctx *c, const char *hash, const struct track_probe *p,
    const struct track *t, json_t *o)
{
	json_t *env, *tokens;
	const char *args[5];
	char ttl[16], *text;
	redisReply *rep;

	if (!p->redis_ok)
		return;
	if (p->id != t->id) {	/* first sight of this token: which case is it */
		if ((rep = kv_cmd(c, "SET trk:tok:%s %lld EX %d", hash, t->id, TRACK_MAP_TTL)) != NULL)
			freeReplyObject(rep);
		return;
	}
	tokens = json_array();
	if (db_query(c, "SELECT token_hash FROM case_tracking WHERE case_id = ?"
	    " AND revoked_at IS NULL", DBARGS(DBI(t->id)), token_hash_row, tokens) < 0) {
		json_decref(tokens);
		return;
	}
	env = json_pack("{s:s,s:o,s:O,s:s,s:s}", "v", p->ver, "tokens", tokens, "case", o,
	    "deadline", t->deadline, "paused", t->paused);
	text = env ? json_dumps(env, JSON_COMPACT) : NULL;
	json_decref(env);
	if (text == NULL)
		return;
	{
		char kdoc[64], kver[64];

		snprintf(kdoc, sizeof kdoc, "{case:%lld}:trk", t->id);
		snprintf(kver, sizeof kver, "{case:%lld}:trkv", t->id);
		snprintf(ttl, sizeof ttl, "%d", TRACK_DOC_TTL);
		args[0] = kdoc;
		args[1] = kver;
		args[2] = p->ver;
		args[3] = text;
		args[4] = ttl;
		pthread_once(&track_once, track_scripts);
		if ((rep = kv_eval(c, &s_track_fill, 2, 5, args, NULL)) != NULL)
			freeReplyObject(rep);
	}
	free(text);
}

/* The light of a running case, as of today (the stored one is up to a minute old). */
static void
track_light(struct ctx *c, json_t *o, const char *deadline, const char *paused)
{
	const char *st = json_string_value(json_object_get(o, "status"));
	const char *w;

	if (st == NULL || (strcmp(st, "accepted") != 0 && strcmp(st, "processing") != 0 &&
	    strcmp(st, "supplement_needed") != 0))
		return;
	w = case_warning_for(c, deadline, strcmp(st, "supplement_needed") == 0 ? paused : NULL,
	    case_today());
	if (w)
		json_object_set_new(o, "warning", json_string(w));
}

/*
 * The tracking page polls this and QR codes are scanned at the counter: one statement
 * brings the case with its public steps (one row per step), and the hall's name, phone,
 * hours and window names come from the process's copy of the directory (halldir.h).
 */
int
h_track(struct req *r)
{
	const char *token = r->pathv[0];
	struct track t;
	struct track_probe probe;
	char hash[65], hours[160] = "";
	json_t *steps, *o, *env, *results = NULL;
	int rc;

	if (!token_ok(token, CASE_TOKEN_MAX))
		return token_unknown(r);
	case_token_hash(token, hash);
	if ((env = track_cached(r->ctx, hash, &probe)) != NULL) {
		o = json_incref(json_object_get(env, "case"));
		track_light(r->ctx, o, json_string_value(json_object_get(env, "deadline")),
		    json_string_value(json_object_get(env, "paused")));
		json_decref(env);
		return req_ok(r, 200, json_pack("{s:o}", "case", o));
	}
	memset(&t, 0, sizeof t);
	rc = db_query(r->ctx,
	    "SELECT c.id, c.no, c.title, c.status, DATE_FORMAT(c.deadline, '%Y-%m-%d'),"
	    " DATE_FORMAT(c.paused_since, '%Y-%m-%d'), c.warning, c.applicant_name_mask, c.hall,"
	    " c.mail_carrier, c.mail_tracking_no,"
	    " DATE_FORMAT(c.ready_at, '%Y-%m-%dT%H:%i:%s+08:00'),"
	    " DATE_FORMAT(c.mailed_at, '%Y-%m-%dT%H:%i:%s+08:00'), c.delivery, c.pickup_window,"
	    " s.id, s.to_status, DATE_FORMAT(s.at, '%Y-%m-%dT%H:%i:%s+08:00'), s.public_note"
	    " FROM case_tracking t JOIN cases c ON c.id = t.case_id"
	    " LEFT JOIN case_history s ON s.case_id = c.id"
	    "  AND (s.from_status IS NULL OR s.from_status <> s.to_status)"
	    " WHERE t.token_hash = ? AND t.revoked_at IS NULL",
	    DBARGS(DBS(hash)), track_row, &t);
	if (rc >= 0 && t.found)
		rc = halldir_hall(r->ctx, t.hall, t.hall_name, sizeof t.hall_name, t.hall_phone,
		    sizeof t.hall_phone, hours, sizeof hours);
	if (rc >= 0 && t.found && t.pickup_window > 0)
		rc = halldir_window(r->ctx, t.hall, t.pickup_window, t.window, sizeof t.window);
	if (rc >= 0 && t.found)	/* what the case yielded, once decided (results.c) */
		rc = results_track_json(r->ctx, t.id, &results);
	if (rc < 0) {
		json_decref(t.steps);
		return db_fail(r, rc);
	}
	if (!t.found)
		return token_unknown(r);
	steps = track_steps(t.steps);
	json_decref(t.steps);
	if (strcmp(t.status, "accepted") == 0 || strcmp(t.status, "processing") == 0 ||
	    strcmp(t.status, "supplement_needed") == 0) {
		const char *w = case_warning_for(r->ctx, t.deadline,
		    strcmp(t.status, "supplement_needed") == 0 ? t.paused : NULL, case_today());

		if (w)
			str_copy(t.warning, sizeof t.warning, w);
	}
	o = json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:o,s:{s:s,s:s}}",
	    "no", t.no, "item", t.title, "status", t.status,
	    "status_label", case_status_label(t.status),
	    "deadline", t.deadline[0] ? json_string(t.deadline) : json_null(),
	    "warning", t.warning, "applicant", t.applicant, "delivery", t.delivery,
	    "steps", steps, "hall", "name", t.hall_name, "phone", t.hall_phone);
	json_object_set_new(o, "results", results);
	if (strcmp(t.status, "ready") == 0) {
		char when[200];

		fmt(when, sizeof when, "工作日 %s", hours[0] ? hours : "办公时间");
		json_object_set_new(o, "pickup", json_pack("{s:s,s:s,s:s,s:[s,s]}",
		    "window", t.window, "hours", when, "ready_at", t.ready_at, "bring",
		    "申请人本人有效身份证件原件", "短信中的取件码或受理通知书"));
	}
	if (t.carrier[0])
		json_object_set_new(o, "mail", json_pack("{s:s,s:s,s:s}", "carrier", t.carrier,
		    "tracking_no", t.tracking_no, "mailed_at", t.mailed_at));
	track_remember(r->ctx, hash, &probe, &t, o);
	return req_ok(r, 200, json_pack("{s:o}", "case", o));
}

/* ---------------------------------------------------------------- GET /case-notices?n= */

struct notice {
	int	 found;
	char	 kind[16];
	char	 hall[32];
	char	 item[48];
	long long case_id;
	char	 applicant[64];
	json_t	*materials;
	char	 note[504];
	long long window;
	char	 clerk[64];
	char	 created_at[32];
	char	 hall_name[128];
	char	 hall_address[256];
	char	 hall_phone[32];
	char	 item_name[256];
	char	 dept_name[128];
	char	 kind_item[12];
	long long promised_days;
	char	 window_name[64];
};

static int
notice_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct notice *n = arg;

	(void)ncol;
	(void)lens;
	n->found = 1;
	str_copy(n->kind, sizeof n->kind, v[0]);
	str_copy(n->hall, sizeof n->hall, v[1]);
	str_copy(n->item, sizeof n->item, v[2]);
	n->case_id = 0;
	if (v[3])
		parse_ll(v[3], 1, INT64_MAX, &n->case_id);
	str_copy(n->applicant, sizeof n->applicant, v[4]);
	n->materials = v[5] ? json_loads(v[5], 0, NULL) : NULL;
	str_copy(n->note, sizeof n->note, v[6]);
	n->window = 0;
	if (v[7])
		parse_ll(v[7], 0, 9999, &n->window);
	str_copy(n->clerk, sizeof n->clerk, v[8] ? v[8] : "");
	str_copy(n->created_at, sizeof n->created_at, v[9]);
	str_copy(n->hall_name, sizeof n->hall_name, v[10]);
	str_copy(n->hall_address, sizeof n->hall_address, v[11]);
	str_copy(n->hall_phone, sizeof n->hall_phone, v[12]);
	str_copy(n->item_name, sizeof n->item_name, v[13]);
	str_copy(n->dept_name, sizeof n->dept_name, v[14]);
	str_copy(n->kind_item, sizeof n->kind_item, v[15]);
	parse_ll(v[16], 0, 10000, &n->promised_days);
	str_copy(n->window_name, sizeof n->window_name, v[17] ? v[17] : "");
	return 1;
}

static int
tok_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	char *out = arg;

	(void)ncol;
	if (pii_open((const unsigned char *)v[0], lens[0], out, CASE_TOKEN_MAX) != 0)
		out[0] = '\0';
	return 1;
}

/* The accepted case on its 受理通知书: number, deadline, materials, the tracking address. */
static int
notice_case(struct req *r, long long case_id, json_t *o)
{
	static const char *const case_cols[] = { "no", "status", "deadline", "accepted_at",
	    "delivery", "processing_office" };
	static const char *const mat_cols[] = { "code", "name", "state", "due" };
	json_t *cs = json_array(), *mats = json_array(), *c;
	char tok[CASE_TOKEN_MAX] = "", url[320];
	int rc;

	rc = db_rows_json(r->ctx,
	    "SELECT no, status, DATE_FORMAT(deadline, '%Y-%m-%d'),"
	    " DATE_FORMAT(accepted_at, '%Y-%m-%dT%H:%i:%s+08:00'), delivery, processing_office"
	    " FROM cases WHERE id = ?", DBARGS(DBI(case_id)), case_cols, "ssSSsS", cs);
	if (rc >= 0)
		rc = db_rows_json(r->ctx,
		    "SELECT m.code, m.name, m.state, DATE_FORMAT(m.due, '%Y-%m-%d')"
		    " FROM case_materials m LEFT JOIN item_materials im ON im.item = m.item"
		    "  AND im.code = m.code WHERE m.case_id = ? ORDER BY im.sort, m.code",
		    DBARGS(DBI(case_id)), mat_cols, "sssS", mats);
	if (rc >= 0)
		rc = db_query(r->ctx, "SELECT token_enc FROM case_tracking WHERE case_id = ?"
		    " AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1",
		    DBARGS(DBI(case_id)), tok_row, tok);
	if (rc < 0 || json_array_size(cs) != 1) {
		json_decref(cs);
		json_decref(mats);
		return rc < 0 ? rc : DB_FAIL;
	}
	c = json_incref(json_array_get(cs, 0));
	json_decref(cs);
	json_object_set_new(c, "materials", mats);
	if (tok[0]) {
		case_track_abs(tok, url, sizeof url);
		json_object_set_new(c, "track_url", json_string(url));
	}
	sodium_memzero(tok, sizeof tok);
	json_object_set_new(o, "case", c);
	return 0;
}

int
h_notice(struct req *r)
{
	static const char *const titles[][2] = {
		{ "accepted", "受理通知书" }, { "incomplete", "一次性告知书" },
		{ "supplement", "补正材料通知书" }, { "refused", "不予受理通知书" },
	};
	const char *token = NULL, *title = "";
	struct notice n;
	char hash[65];
	json_t *o;
	size_t i;
	int rc;

	q_str(r, "n", 1, CASE_TOKEN_MAX, &token);
	if (in_has_errors(r))
		return req_invalid(r);
	if (!token_ok(token, CASE_TOKEN_MAX))
		return token_unknown(r);
	case_token_hash(token, hash);
	memset(&n, 0, sizeof n);
	rc = db_query(r->ctx,
	    "SELECT n.kind, n.hall, n.item, n.case_id, n.applicant_mask, n.materials, n.note,"
	    " n.window_no, s.name, DATE_FORMAT(n.created_at, '%Y-%m-%dT%H:%i:%s+08:00'),"
	    " h.name, h.address, h.phone, i.name, d.name, i.kind, i.promised_days, w.name"
	    " FROM case_notices n JOIN halls h ON h.code = n.hall JOIN items i ON i.id = n.item"
	    " JOIN departments d ON d.code = i.department"
	    " LEFT JOIN staff s ON s.id = n.created_by"
	    " LEFT JOIN windows w ON w.hall = n.hall AND w.number = n.window_no"
	    " WHERE n.token_hash = ?", DBARGS(DBS(hash)), notice_row, &n);
	if (rc < 0)
		return db_fail(r, rc);
	if (!n.found) {
		json_decref(n.materials);
		return token_unknown(r);
	}
	for (i = 0; i < NELEM(titles); i++)
		if (strcmp(titles[i][0], n.kind) == 0)
			title = titles[i][1];
	o = json_pack("{s:s,s:s,s:{s:s,s:s,s:s},s:{s:s,s:s,s:s,s:s,s:I},s:s,s:s,s:s,s:o,s:s}",
	    "kind", n.kind, "title", title,
	    "hall", "name", n.hall_name, "address", n.hall_address, "phone", n.hall_phone,
	    "item", "id", n.item, "name", n.item_name, "department", n.dept_name,
	    "kind", n.kind_item, "promised_days", n.promised_days,
	    "applicant", n.applicant, "created_at", n.created_at, "clerk", n.clerk,
	    "window", n.window ? json_integer(n.window) : json_null(),
	    "window_name", n.window_name);
	if (n.note[0])
		json_object_set_new(o, "note", json_string(n.note));
	if (n.materials)
		json_object_set_new(o, "materials", n.materials);
	if (n.case_id && (rc = notice_case(r, n.case_id, o)) != 0) {
		json_decref(o);
		return db_fail(r, rc);
	}
	return req_ok(r, 200, json_pack("{s:o}", "notice", o));
}

/* ---------------------------------------------------------------- PUT /staff/me/phone */

int
h_staff_phone(struct req *r)
{
	unsigned char sealed[PII_SEALED_MAX];
	const char *phone = NULL;
	char mask[32] = "";
	long long id = 0;
	uint64_t n = 0;
	int rc, ns = 0;

	in_str(r, r->body, "phone", 0, 11, 11, &phone);
	if (phone && !phone_ok(phone))
		req_fail_field(r, "phone", "手机号码无效");
	if (in_has_errors(r))
		return req_invalid(r);
	if (parse_ll(r->sess.subject, 1, INT64_MAX, &id) != 0)
		return req_fail(r, 403, "FORBIDDEN", "无权进行此操作");
	if (phone) {
		if ((ns = pii_seal(phone, sealed, sizeof sealed)) < 0)
			return req_bug(r, "cannot seal");
		mask_phone(phone, mask, sizeof mask);
	}
	rc = db_exec(r->ctx, "UPDATE staff SET phone_enc = ?, phone_mask = ? WHERE id = ?"
	    " AND hall = ?", DBARGS(phone ? DBSN((const char *)sealed, (size_t)ns) : DBN,
	    phone ? DBS(mask) : DBN, DBI(id), DBS(r->sess.hall)), &n, NULL);
	if (rc != 0)
		return db_fail(r, rc);
	audit(r, "staff.phone", r->sess.subject, "ok", phone ? "set" : "cleared");
	return req_ok(r, 200, json_pack("{s:o}", "phone", phone ? json_string(mask) :
	    json_null()));
}
