/*
 * case_json.c — the case as staff see it (GET /cases/{no} and every staff reply that returns
 * a case), the actions a page offers, and the sealed tokens of a case opened for its links.
 *
 * Tables: cases, case_parts, case_materials, item_materials, case_history, case_supplements,
 *         case_tracking, case_notices, items, departments, staff, windows; case_custody
 *         and handovers through the hook cases_on_custody (the handover room's)
 * Redis:  none
 */
#include "case_promise.h"
#include "case_agent.h"
#include "case_provisional.h"
#include "case_json.h"
#include "case_rules.h"
#include "case_route.h"
#include "cases.h"
#include "../shared/pii.h"
#include "../../fcgi/db.h"

#include <sodium.h>
#include <string.h>

/* ---------------------------------------------------------------- sealed tokens */

/* The newest token of a sealed token column, opened ("" when it cannot be). */
int
case_track_token(struct ctx *c, long long case_id, const char *holder,
    char out[CASE_TOKEN_MAX])
{
	return case_sealed_get(c, "SELECT token_enc FROM case_tracking WHERE case_id = ?"
	    " AND (? IS NULL OR holder = ?) AND revoked_at IS NULL"
	    " ORDER BY created_at DESC LIMIT 1",
	    DBARGS(DBI(case_id), DBSO(holder), DBSO(holder)), out, CASE_TOKEN_MAX);
}

int
case_notice_token(struct ctx *c, long long case_id, const char *kind,
    char out[CASE_TOKEN_MAX])
{
	return case_sealed_get(c, "SELECT token_enc FROM case_notices WHERE case_id = ?"
	    " AND kind = ? ORDER BY created_at DESC LIMIT 1",
	    DBARGS(DBI(case_id), DBS(kind)), out, CASE_TOKEN_MAX);
}

/* o[member] = the page of the case's newest notice of kind, when it has one. */
static int
notice_link(struct ctx *c, long long case_id, const char *kind, json_t *o, const char *member)
{
	char tok[CASE_TOKEN_MAX], url[256];
	int rc = case_notice_token(c, case_id, kind, tok);

	if (rc == 0 && tok[0]) {
		case_notice_url(tok, url, sizeof url);
		json_object_set_new(o, member, json_string(url));
	}
	sodium_memzero(tok, sizeof tok);
	return rc;
}

/* ---------------------------------------------------------------- what the caller may do */

json_t *
case_actions_json(const struct session *who, const struct case_row *cr, int online)
{
	enum case_act acts[CA__MAX];
	json_t *a = json_array();
	size_t i, n;

	unsigned at = case_hall_is(cr, who->hall);

	n = case_rule_offer(online, case_status_parse(cr->status), who->role,
	    who->role == ROLE_APPROVER && case_in_department(who, cr), acts, NELEM(acts));
	/* Only the steps that fall to the caller's hall (全市通办, case_route.h); a citizen's
	 * own (resubmit) is theirs wherever. */
	for (i = 0; i < n; i++)
		if ((who->role == ROLE_CITIZEN || (case_act_halls(acts[i], cr) & at) != 0) &&
		    !case_act_cross_province(acts[i], cr))
			json_array_append_new(a, json_string(case_act_names[acts[i]]));
	return a;
}

/* The page's actions: a clerk's "supplement" outside a 补正 only takes waived (容缺) materials. */
static json_t *
page_actions(const struct session *who, const struct case_row *cr, json_t *mats)
{
	json_t *acts = case_actions_json(who, cr, 0), *m;
	int waived = 0;
	size_t i;

	json_array_foreach(mats, i, m)
		if (strcmp(json_string_value(json_object_get(m, "state")), "waived") == 0)
			waived = 1;
	if (!waived && strcmp(cr->status, "supplement_needed") != 0)
		for (i = 0; i < json_array_size(acts); i++)
			if (strcmp(json_string_value(json_array_get(acts, i)), "supplement") == 0)
				json_array_remove(acts, i--);
	return acts;
}

/* ---------------------------------------------------------------- the case for staff */

struct cj {
	json_t	*o;
	int	 reveal;
	int	 bad;
};

/* A sealed column, opened when revealing, else the mask. */
static json_t *
sealed_or_mask(struct cj *cj, const char *enc, size_t n, const char *mask)
{
	char plain[PII_PLAIN_MAX + 1];

	if (!cj->reveal || enc == NULL)
		return db_json_str(mask);
	if (pii_open((const unsigned char *)enc, n, plain, sizeof plain) != 0) {
		cj->bad = 1;
		return json_null();
	}
	return json_string(plain);
}

static int
case_main_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct cj *cj = arg;
	json_t *o = json_object(), *app = json_object(), *x;
	long long n;

	(void)ncol;
	json_object_set_new(o, "no", json_string(v[0]));
	json_object_set_new(o, "hall", json_string(v[1]));
	json_object_set_new(o, "channel", json_string(v[2]));
	json_object_set_new(o, "item", db_json_str(v[3]));
	json_object_set_new(o, "bundle", db_json_str(v[4]));
	json_object_set_new(o, "item_name", json_string(v[5]));
	json_object_set_new(o, "status", json_string(v[6]));
	json_object_set_new(o, "status_label", json_string(case_status_label(v[6])));
	json_object_set_new(o, "kind", db_json_str(v[7]));
	json_object_set_new(app, "name", sealed_or_mask(cj, v[8], lens[8], v[9]));
	json_object_set_new(app, "id_number", sealed_or_mask(cj, v[10], lens[10], v[11]));
	json_object_set_new(app, "phone", sealed_or_mask(cj, v[12], lens[12], v[13]));
	json_object_set_new(o, "applicant", app);
	json_object_set_new(o, "delivery", json_string(v[14]));
	if (strcmp(v[14], "mail") == 0)
		json_object_set_new(o, "address", sealed_or_mask(cj, v[15], lens[15], v[16]));
	json_object_set_new(o, "ticket", db_json_str(v[17]));
	json_object_set_new(o, "window", v[18] && parse_ll(v[18], 0, 9999, &n) == 0 ?
	    json_integer(n) : json_null());
	json_object_set_new(o, "accepted_by", db_json_str(v[19]));
	json_object_set_new(o, "accepted_at", db_json_str(v[20]));
	json_object_set_new(o, "promised_days", db_json_ll(v[21], 0, 10000));
	json_object_set_new(o, "deadline", db_json_str(v[22]));
	json_object_set_new(o, "paused_since", db_json_str(v[23]));
	json_object_set_new(o, "paused_days", db_json_ll(v[24], 0, 100000));
	json_object_set_new(o, "warning", json_string(v[25]));
	if (v[26]) {
		x = json_pack("{s:s,s:o,s:o,s:o}", "result", v[26], "at", db_json_str(v[27]),
		    "by", db_json_str(v[28]), "note", db_json_str(v[29]));
		json_object_set_new(o, "decision", x);
	} else
		json_object_set_new(o, "decision", json_null());
	json_object_set_new(o, "cross_province", json_boolean(v[30][0] == '1'));
	if (v[30][0] == '1')
		json_object_set_new(o, "cross", json_pack("{s:s,s:o}", "accepting_hall", v[1],
		    "processing_office", db_json_str(v[31])));
	if (v[32] || v[34])
		json_object_set_new(o, "pickup", json_pack("{s:o,s:o,s:o,s:o}",
		    "window", db_json_str(v[33]), "ready_at", db_json_str(v[34]),
		    "handed_over_at", db_json_str(v[35]), "handed_over_by", db_json_str(v[36])));
	if (v[37])
		json_object_set_new(o, "mail", json_pack("{s:s,s:o,s:o}", "carrier", v[37],
		    "tracking_no", db_json_str(v[38]), "mailed_at", db_json_str(v[39])));
	json_object_set_new(o, "closed_at", db_json_str(v[40]));
	json_object_set_new(o, "version", db_json_ll(v[41], 0, INT64_MAX));
	json_object_set_new(o, "department", db_json_str(v[42]));
	json_object_set_new(o, "department_name", db_json_str(v[43]));
	cj->o = o;
	return 1;
}

#define RFC3339(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s+08:00')"

static const char *const part_cols[] = { "item", "item_name", "department", "department_name",
    "status", "promised_days", "deadline", "assigned_to" };
static const char *const mat_cols[] = { "item", "code", "name", "required", "state", "due",
    "received_at" };
static const char *const hist_cols[] = { "at", "action", "from", "to", "department", "by",
    "note", "public_note" };
static const char *const sup_cols[] = { "requested_at", "materials", "note", "received_at",
    "paused_days" };

/* The lists of a case: its member in the case's JSON, and the rows of the case (one
 * argument, the case's id) as db_rows_json reads them. */
static const struct case_list {
	const char		 *member;
	const char		 *sql;
	const char *const	 *cols;
	const char		 *types;
} case_lists[] = {
	{ "parts", "SELECT p.item, i.name, p.department, d.name, p.status, p.promised_days,"
	    " DATE_FORMAT(p.deadline, '%Y-%m-%d'), s.name"
	    " FROM case_parts p JOIN items i ON i.id = p.item"
	    " JOIN departments d ON d.code = p.department"
	    " LEFT JOIN staff s ON s.id = p.assigned_to WHERE p.case_id = ? ORDER BY p.seq",
	    part_cols, "ssssSiSS" },
	{ "materials", "SELECT m.item, m.code, m.name, m.required, m.state,"
	    " DATE_FORMAT(m.due, '%Y-%m-%d'), " RFC3339("m.received_at")
	    " FROM case_materials m LEFT JOIN item_materials im"
	    "  ON im.item = m.item AND im.code = m.code"
	    " WHERE m.case_id = ? ORDER BY m.item, im.sort, m.code",
	    mat_cols, "sssbsSS" },
	{ "history", "SELECT " RFC3339("at") ", action, from_status, to_status, department,"
	    " actor_name, note, public_note FROM case_history WHERE case_id = ? ORDER BY id",
	    hist_cols, "ssSsSsss" },
	{ "supplements", "SELECT " RFC3339("requested_at") ", materials, note, "
	    RFC3339("received_at") ", paused_days FROM case_supplements WHERE case_id = ?"
	    " ORDER BY id", sup_cols, "sssSI" },
};

/*
 * The case's lists onto o: parts, materials (also into *mats, o's reference), history and
 * supplements (their material lists stored as JSON text).  0 or a DB_* code.
 */
static int
case_lists_json(struct ctx *c, long long case_id, json_t *o, json_t **mats_out)
{
	json_t *sups, *v;
	size_t i;
	int rc = 0;

	for (i = 0; i < NELEM(case_lists); i++) {
		json_t *a = json_array();

		json_object_set_new(o, case_lists[i].member, a);
		if (rc >= 0)
			rc = db_rows_json(c, case_lists[i].sql, DBARGS(DBI(case_id)),
			    case_lists[i].cols, case_lists[i].types, a);
	}
	*mats_out = json_object_get(o, "materials");
	if (rc < 0)
		return rc;
	sups = json_object_get(o, "supplements");
	json_array_foreach(sups, i, v) {
		json_t *m = json_loads(json_string_value(json_object_get(v, "materials")), 0, NULL);

		json_object_set_new(v, "materials", m ? m : json_array());
	}
	return 0;
}

/* The tracking link and the notices' links onto o.  0 or a DB_* code. */
static int
case_links_json(struct ctx *c, long long case_id, json_t *o)
{
	char tok[CASE_TOKEN_MAX] = "", url[256];
	int rc;

	if ((rc = case_track_token(c, case_id, NULL, tok)) < 0)
		return rc;
	if (tok[0]) {
		fmt(url, sizeof url, "/t/%s", tok);
		json_object_set_new(o, "track_url", json_string(url));
	}
	sodium_memzero(tok, sizeof tok);
	if ((rc = notice_link(c, case_id, "accepted", o, "notice_url")) < 0 ||
	    (rc = notice_link(c, case_id, "supplement", o, "supplement_notice_url")) < 0)
		return rc;
	return 0;
}

static case_custody_fn custody_hook;

void
cases_on_custody(case_custody_fn fn)
{
	custody_hook = fn;
}

int
case_custody_json(struct ctx *c, long long case_id, int public_view, json_t **out)
{
	*out = NULL;
	return custody_hook != NULL ? custody_hook(c, case_id, public_view, out) : 0;
}

/* Who holds the case's paper file now (case_custody_json): "custody". 0 or a DB_* code. */
static int
case_custody_add(struct ctx *c, long long case_id, json_t *o)
{
	json_t *k = NULL;
	int rc;

	if ((rc = case_custody_json(c, case_id, 0, &k)) < 0)
		return rc;
	json_object_set_new(o, "custody", k ? k : json_null());
	return 0;
}

int
case_json(struct ctx *c, const struct session *who, const struct case_row *cr, int reveal,
    json_t **out)
{
	struct cj cj = { NULL, reveal, 0 };
	json_t *mats = NULL;
	const char *w;
	int rc;

	*out = NULL;
	rc = db_query(c,
	    "SELECT c.no, c.hall, c.channel, c.item, c.bundle, c.title, c.status, i.kind,"
	    " c.applicant_name_enc, c.applicant_name_mask, c.applicant_id_enc, c.applicant_id_mask,"
	    " c.applicant_phone_enc, c.applicant_phone_mask, c.delivery, c.address_enc,"
	    " c.address_mask, c.ticket, c.window_no, sa.name, " RFC3339("c.accepted_at") ","
	    " c.promised_days, DATE_FORMAT(c.deadline, '%Y-%m-%d'),"
	    " DATE_FORMAT(c.paused_since, '%Y-%m-%d'), c.paused_days, c.warning, c.decision,"
	    " " RFC3339("c.decided_at") ", sd.name, c.decision_note, c.cross_province,"
	    " c.processing_office, c.pickup_window, w.name, " RFC3339("c.ready_at") ","
	    " " RFC3339("c.handed_over_at") ", sh.name, c.mail_carrier, c.mail_tracking_no,"
	    " " RFC3339("c.mailed_at") ", " RFC3339("c.closed_at") ", c.version, i.department,"
	    " d.name"
	    " FROM cases c LEFT JOIN items i ON i.id = c.item"
	    " LEFT JOIN departments d ON d.code = i.department"
	    " LEFT JOIN staff sa ON sa.id = c.accepted_by"
	    " LEFT JOIN staff sd ON sd.id = c.decided_by"
	    " LEFT JOIN staff sh ON sh.id = c.handed_over_by"
	    " LEFT JOIN windows w ON w.hall = COALESCE(c.pickup_hall, c.hall)"
	    "  AND w.number = c.pickup_window"
	    " WHERE c.id = ?", DBARGS(DBI(cr->id)), case_main_row, &cj);
	if (rc <= 0 || cj.bad) {
		json_decref(cj.o);
		return rc < 0 ? rc : cj.bad ? DB_FAIL : 0;
	}
	if ((rc = case_halls_json(c, cr->id, cj.o)) < 0 ||
	    (rc = case_lists_json(c, cr->id, cj.o, &mats)) < 0 ||
	    (rc = case_promises_json(c, cr->id, cj.o)) < 0 ||
	    (rc = case_links_json(c, cr->id, cj.o)) < 0 ||
	    (rc = case_agent_json_add(c, cr->id, cj.o)) < 0 ||
	    (rc = case_custody_add(c, cr->id, cj.o)) < 0) {
		json_decref(cj.o);
		return rc;
	}
	if ((rc = case_provisional_get(c, cr->id)) < 0) {
		json_decref(cj.o);
		return rc;
	}
	json_object_set_new(cj.o, "provisional", json_boolean(rc));
	/* The live warning: the worker's stored one may be up to a minute old. */
	if ((w = case_live_warning(c, cr->status, cr->deadline, cr->paused_since)) != NULL)
		json_object_set_new(cj.o, "warning", json_string(w));
	json_object_set_new(cj.o, "actions", page_actions(who, cr, mats));
	*out = cj.o;
	return 1;
}
