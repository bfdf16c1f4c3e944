/*
 * track_api.c — the public tracking page of a case: GET /track/{token} (JSON; the H5 page
 * that shows it is nginx/site/t.html, its QR code qr_api.c).
 *
 * Routes: GET /track/{token}
 * Tables: case_tracking (the token's hash, not revoked), cases (with deadline_provisional:
 *         "provisional", case_provisional.h), case_history (the public
 *         steps; hand-overs as 材料交接), case_materials (the 容缺 ones: due, received),
 *         case_custody and handovers (where the paper file is: case_custody_json, cases.h), results (results_track_json); halls, hall_hours and windows through the
 *         process's copy of the directory (halldir.h)
 * Redis:  the page's copy (track_cache.h): trk:tok:<hash>, {case:<id>}:trk, {case:<id>}:trkv
 *
 * Tracking tokens are capabilities (256 random bits): unknown, revoked or malformed ones are
 * all the same 404.
 */
#include "handlers.h"
#include "track_cache.h"
#include "../cases/cases.h"
#include "../cases/case_provisional.h"
#include "../hall/halldir.h"
#include "../cases/case_route.h"
#include "../results/results.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <stdlib.h>
#include <string.h>

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
	char	 hours[160];	/* the pickup hall's hours, as the directory has them */
	json_t	*results, *waived, *custody;	/* the caller's */
	int	 provisional;
};

#define TR_S(m)	DBC_S(struct track, m)
static const struct db_col track_cols[] = {	/* the case's columns; the step's follow */
	DBC_I(struct track, id, 1, INT64_MAX), TR_S(no), TR_S(title), TR_S(status),
	TR_S(deadline), TR_S(paused), TR_S(warning), TR_S(applicant), TR_S(hall), TR_S(carrier),
	TR_S(tracking_no), TR_S(ready_at), TR_S(mailed_at), TR_S(delivery),
	DBC_I(struct track, pickup_window, 0, 65535),
};
#undef TR_S

/* One row per public step (or one row without a step): the case's columns repeat. */
static int
track_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct track *t = arg;
	long long sid;

	(void)lens;
	if (!t->found) {
		t->found = 1;
		db_row_fill(t, DB_COLS(track_cols), ncol, v);
		t->steps = json_array();
	}
	if (v[15] && parse_ll(v[15], 1, INT64_MAX, &sid) == 0) {
		json_t *st = json_pack("{s:s,s:s}", "status", v[16] ? v[16] : "",
		    "at", v[17] ? v[17] : "");

		if (v[18] && v[18][0])
			json_object_set_new(st, "note", json_string(v[18]));
		/* 告知承诺 and its 事后核查 (cases/case_promise.c): a step of its own, told to
		 * the applicant whatever the status. */
		json_object_set_new(st, "label", json_string(ncol > 19 && v[19] &&
		    strncmp(v[19], "promise", 7) == 0 ? (strcmp(v[19], "promise") == 0 ?
		    "告知承诺" : "告知承诺核查") : ncol > 19 && v[19] &&
		    strncmp(v[19], "handover_", 9) == 0 ? "材料交接" :
		    case_status_label(v[16] ? v[16] : "")));
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

/*
 * The 容缺 materials of the case (accepted on the applicant's commitment): each one's name,
 * the date it is due and when it was received (null while awaited), in checklist order.
 * Receiving one writes a history row, which drops the page's cached copy.  0 or a DB_* code.
 */
static int
track_waived(struct ctx *c, long long case_id, json_t **out)
{
	static const char *const cols[] = { "name", "due", "received_at" };
	int rc;

	*out = json_array();
	rc = db_rows_json(c, "SELECT m.name, DATE_FORMAT(m.due, '%Y-%m-%d'),"
	    " DATE_FORMAT(m.received_at, '%Y-%m-%dT%H:%i:%s+08:00')"
	    " FROM case_materials m LEFT JOIN item_materials im ON im.item = m.item"
	    "  AND im.code = m.code WHERE m.case_id = ? AND m.committed_at IS NOT NULL"
	    " ORDER BY im.sort, m.code", DBARGS(DBI(case_id)), cols, "sSS", *out);
	return rc < 0 ? rc : 0;
}

/* The page's copy of the case under hash, its light worked out for today (it depends on
 * the day): the "case" object, or NULL when there is no copy (probe: what to keep one by). */
static json_t *
track_cached_case(struct ctx *c, const char *hash, struct track_probe *probe)
{
	json_t *env, *o;
	const char *w;

	if ((env = track_cached(c, hash, probe)) == NULL)
		return NULL;
	o = json_incref(json_object_get(env, "case"));
	w = case_live_warning(c, json_string_value(json_object_get(o, "status")),
	    json_string_value(json_object_get(env, "deadline")),
	    json_string_value(json_object_get(env, "paused")));
	if (w)
		json_object_set_new(o, "warning", json_string(w));
	json_decref(env);
	return o;
}

/*
 * The case of the token's hash into *t (t->found: there is one), with its public steps, its
 * hall and pickup window from the directory, its results, 容缺 materials and custody.
 * 0 or a DB_* code; the JSON members are the caller's either way.
 */
static int
track_load(struct ctx *c, const char *hash, struct track *t)
{
	char pickup[40] = "";
	int rc;

	memset(t, 0, sizeof *t);
	rc = db_query(c,
	    "SELECT c.id, c.no, c.title, c.status, DATE_FORMAT(c.deadline, '%Y-%m-%d'),"
	    " DATE_FORMAT(c.paused_since, '%Y-%m-%d'), c.warning, c.applicant_name_mask, c.hall,"
	    " c.mail_carrier, c.mail_tracking_no,"
	    " DATE_FORMAT(c.ready_at, '%Y-%m-%dT%H:%i:%s+08:00'),"
	    " DATE_FORMAT(c.mailed_at, '%Y-%m-%dT%H:%i:%s+08:00'), c.delivery, c.pickup_window,"
	    " s.id, s.to_status, DATE_FORMAT(s.at, '%Y-%m-%dT%H:%i:%s+08:00'), s.public_note,"
	    " s.action FROM case_tracking t JOIN cases c ON c.id = t.case_id"
	    " LEFT JOIN case_history s ON s.case_id = c.id"
	    "  AND (s.from_status IS NULL OR s.from_status <> s.to_status"
	    "   OR s.action IN ('promise', 'promise_verified', 'promise_false',"
	    "    'handover_sent', 'handover_received', 'xprov_receive', 'xprov_return'))"
	    " WHERE t.token_hash = ? AND t.revoked_at IS NULL",
	    DBARGS(DBS(hash)), track_row, t);
	if (rc < 0 || !t->found)
		return rc;
	rc = halldir_hall(c, t->hall, t->hall_name, sizeof t->hall_name, t->hall_phone,
	    sizeof t->hall_phone, t->hours, sizeof t->hours);
	/* 全市通办: the result waits at the pickup hall, with that hall's window and hours. */
	if (rc >= 0 && t->pickup_window > 0 &&
	    (rc = db_scalar(c, "SELECT COALESCE(pickup_hall, hall) FROM cases WHERE id = ?",
	    DBARGS(DBI(t->id)), pickup, sizeof pickup)) >= 0 && strcmp(pickup, t->hall) != 0) {
		char pname[404], pphone[32];

		rc = halldir_hall(c, pickup, pname, sizeof pname, pphone, sizeof pphone,
		    t->hours, sizeof t->hours);
	}
	if (rc >= 0 && t->pickup_window > 0)
		rc = halldir_window(c, pickup[0] ? pickup : t->hall, t->pickup_window, t->window,
		    sizeof t->window);
	if (rc >= 0)	/* what the case yielded, once decided (results.c) */
		rc = results_track_json(c, t->id, &t->results);
	if (rc >= 0 && (rc = case_provisional_get(c, t->id)) >= 0)
		t->provisional = rc;
	if (rc >= 0)
		rc = track_waived(c, t->id, &t->waived);
	if (rc >= 0)	/* where the paper file is, in plain words (the cases room's case_custody_json) */
		rc = case_custody_json(c, t->id, 1, &t->custody);
	return rc;
}

/* The page's "case" object of a found case *t (its JSON members move into it) into *out.
 * 0 or a DB_* code (*out NULL then). */
static int
track_case_json(struct ctx *c, struct track *t, json_t **out)
{
	json_t *steps, *o;
	const char *w;
	int rc;

	*out = NULL;
	steps = track_steps(t->steps);
	json_decref(t->steps);
	t->steps = NULL;
	if ((w = case_live_warning(c, t->status, t->deadline, t->paused)) != NULL)
		str_copy(t->warning, sizeof t->warning, w);
	o = json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:o,s:{s:s,s:s}}",
	    "no", t->no, "item", t->title, "status", t->status,
	    "status_label", case_status_label(t->status),
	    "deadline", t->deadline[0] ? json_string(t->deadline) : json_null(),
	    "warning", t->warning, "applicant", t->applicant, "delivery", t->delivery,
	    "steps", steps, "hall", "name", t->hall_name, "phone", t->hall_phone);
	json_object_set_new(o, "results", t->results);
	json_object_set_new(o, "waived", t->waived);
	json_object_set_new(o, "custody", t->custody ? t->custody : json_null());
	json_object_set_new(o, "provisional", json_boolean(t->provisional));
	if ((rc = case_halls_json(c, t->id, o)) < 0) {	/* the three halls by name */
		json_decref(o);
		return rc;
	}
	if (strcmp(t->status, "ready") == 0) {
		char when[360];

		/* The week's hours and the coming week's own dates (延时服务, a Saturday). */
		if ((rc = halldir_hours_text(c, t->hall, t->hours, " ", hall_day(hall_now()), 7,
		    0, when, sizeof when)) < 0) {
			json_decref(o);
			return rc;
		}
		json_object_set_new(o, "pickup", json_pack("{s:s,s:s,s:s,s:[s,s]}",
		    "window", t->window, "hours", when, "ready_at", t->ready_at, "bring",
		    "申请人本人有效身份证件原件", "短信中的取件码或受理通知书"));
	}
	if (t->carrier[0])
		json_object_set_new(o, "mail", json_pack("{s:s,s:s,s:s}", "carrier", t->carrier,
		    "tracking_no", t->tracking_no, "mailed_at", t->mailed_at));
	*out = o;
	return 0;
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
	char hash[65];
	json_t *o;
	int rc;

	if (!token_ok(token, CASE_TOKEN_MAX))
		return req_err_msg(r, E_NOT_FOUND, "查询码无效或已失效");
	case_token_hash(token, hash);
	if ((o = track_cached_case(r->ctx, hash, &probe)) != NULL)
		return req_ok(r, 200, json_pack("{s:o}", "case", o));
	if ((rc = track_load(r->ctx, hash, &t)) < 0) {
		json_decref(t.custody);
		json_decref(t.results);
		json_decref(t.waived);
		json_decref(t.steps);
		return db_fail(r, rc);
	}
	if (!t.found)
		return req_err_msg(r, E_NOT_FOUND, "查询码无效或已失效");
	if ((rc = track_case_json(r->ctx, &t, &o)) < 0)
		return db_fail(r, rc);
	track_remember(r->ctx, hash, &probe, t.id, t.deadline, t.paused, o);
	return req_ok(r, 200, json_pack("{s:o}", "case", o));
}
