/*
 * case_route.c — 全市通办: a case's three halls, what falls to each, where its file goes next
 * (case_route.h).
 *
 * Tables: cases, items, hall_items, departments, halls, windows (read only).  Redis: none.
 */
#include "case_route.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <string.h>

/* The deciding hall of a case: decide_hall, or the accepting hall for a row without it. */
static const char *
decide_of(const struct case_row *cr)
{
	return cr->decide_hall[0] ? cr->decide_hall : cr->hall;
}

unsigned
case_hall_is(const struct case_row *cr, const char *hall)
{
	unsigned at = 0;

	if (strcmp(cr->hall, hall) == 0)
		at |= CASE_AT_ACCEPT;
	if (strcmp(decide_of(cr), hall) == 0)
		at |= CASE_AT_DECIDE;
	if (cr->pickup_hall[0] && strcmp(cr->pickup_hall, hall) == 0)
		at |= CASE_AT_PICKUP;
	return at;
}

unsigned
case_act_halls(enum case_act act, const struct case_row *cr)
{
	switch (act) {
	case CA_ASSIGN:
	case CA_APPROVE:
	case CA_REJECT:
	case CA_REQUEST_SUPPLEMENT:
	case CA_MAIL:
		return CASE_AT_DECIDE;
	case CA_READY:
		/* The result arrives at the pickup hall; a case to be mailed has none. */
		return cr->pickup_hall[0] ? CASE_AT_PICKUP : CASE_AT_DECIDE;
	case CA_HAND_OVER:
		return strcmp(cr->status, "mailed") == 0 || !cr->pickup_hall[0] ? CASE_AT_DECIDE :
		    CASE_AT_PICKUP;
	case CA_SUPPLEMENT:
	case CA_PRE_ACCEPT:
	case CA_RETURN:
	case CA_RESUBMIT:
	default:
		return CASE_AT_ACCEPT;
	}
}

int
case_act_cross_province(enum case_act act, const struct case_row *cr)
{
	if (!cr->cross_province || !cr->in_states)
		return 0;
	switch (act) {
	case CA_ASSIGN:
	case CA_APPROVE:
	case CA_REJECT:
	case CA_REQUEST_SUPPLEMENT:
	case CA_READY:
	case CA_MAIL:
	case CA_HAND_OVER:
		return 1;
	default:
		return 0;
	}
}

const char *
case_act_hall(enum case_act act, const struct case_row *cr)
{
	unsigned at = case_act_halls(act, cr);

	if (at & CASE_AT_PICKUP)
		return cr->pickup_hall;
	if (at & CASE_AT_DECIDE)
		return decide_of(cr);
	return cr->hall;
}

struct item_route {
	int	 accepts;
	char	 decide[32];
};

static const struct db_col item_route_cols[] = {
	DBC_B(struct item_route, accepts), DBC_S(struct item_route, decide),
};

int
case_item_route(struct ctx *c, const char *hall, const char *item, int *accepts, char *decide,
    size_t dsz)
{
	struct item_route ir = { 0, "" };
	int rc;

	rc = db_row_into(c,
	    "SELECT (hi.accepts = 1 OR (hi.item IS NULL AND i.hall = ?)),"
	    " CASE WHEN hi.decides = 1 OR (hi.item IS NULL AND i.hall = ?) THEN ?"
	    "  ELSE COALESCE(d.hall, i.hall) END"
	    " FROM items i JOIN departments d ON d.code = i.department"
	    " LEFT JOIN hall_items hi ON hi.item = i.id AND hi.hall = ?"
	    " WHERE i.id = ? AND i.retired_at IS NULL",
	    DBARGS(DBS(hall), DBS(hall), DBS(hall), DBS(hall), DBS(item)),
	    DB_COLS(item_route_cols), &ir);
	*accepts = ir.accepts;
	str_copy(decide, dsz, ir.decide);
	return rc;
}

int
case_pickup_ok(struct ctx *c, const char *hall, const char *pickup)
{
	char one[8];

	return db_scalar(c,
	    "SELECT 1 FROM halls p JOIN halls a ON a.code = ?"
	    " WHERE p.code = ? AND (p.code = a.code OR p.region = a.region)"
	    " AND EXISTS (SELECT 1 FROM windows w WHERE w.hall = p.code AND w.kind = 'pickup')",
	    DBARGS(DBS(hall), DBS(pickup)), one, sizeof one);
}

static int
halls_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	json_t *o = arg, *halls = json_object();
	static const char *const keys[] = { "accept", "decide", "pickup" };
	size_t i;

	(void)ncol;
	(void)lens;
	for (i = 0; i < 3; i++)
		json_object_set_new(halls, keys[i], v[2 * i] ?
		    json_pack("{s:s,s:s}", "code", v[2 * i], "name", v[2 * i + 1] ? v[2 * i + 1] : "") :
		    json_null());
	json_object_set_new(o, "decide_hall", v[2] ? json_string(v[2]) : json_string(v[0]));
	json_object_set_new(o, "pickup_hall", v[4] ? json_string(v[4]) : json_null());
	json_object_set_new(o, "halls", halls);
	return 1;
}

int
case_halls_json(struct ctx *c, long long case_id, json_t *o)
{
	int rc = db_query(c,
	    "SELECT c.hall, ha.name, COALESCE(c.decide_hall, c.hall), hd.name, c.pickup_hall,"
	    " hp.name FROM cases c JOIN halls ha ON ha.code = c.hall"
	    " LEFT JOIN halls hd ON hd.code = COALESCE(c.decide_hall, c.hall)"
	    " LEFT JOIN halls hp ON hp.code = c.pickup_hall WHERE c.id = ?",
	    DBARGS(DBI(case_id)), halls_row, o);

	return rc < 0 ? rc : 0;
}

struct route_row {
	char	 status[24];
	char	 decide[32];
	char	 pickup[32];
	char	 dept[32];
};

static const struct db_col route_cols[] = {
	DBC_S(struct route_row, status), DBC_S(struct route_row, decide),
	DBC_S(struct route_row, pickup), DBC_S(struct route_row, dept),
};

int
case_route(struct ctx *c, const char *no, struct case_holder *next)
{
	struct route_row rr;
	const char *what;
	int rc;

	memset(next, 0, sizeof *next);
	memset(&rr, 0, sizeof rr);
	rc = db_row_into(c,
	    "SELECT c.status, COALESCE(c.decide_hall, c.hall), c.pickup_hall,"
	    " (SELECT p.department FROM case_parts p WHERE p.case_id = c.id ORDER BY p.seq"
	    "  LIMIT 1) FROM cases c WHERE c.no = ?", DBARGS(DBS(no)), DB_COLS(route_cols), &rr);
	if (rc <= 0)
		return rc;
	if (strcmp(rr.status, "accepted") == 0 || strcmp(rr.status, "processing") == 0 ||
	    strcmp(rr.status, "supplement_needed") == 0)
		what = "decide";
	else if (strcmp(rr.status, "approved") == 0 || strcmp(rr.status, "rejected") == 0)
		what = rr.pickup[0] ? "pickup" : "mail";
	else if (strcmp(rr.status, "ready") == 0)
		what = "citizen";
	else
		what = "none";
	str_copy(next->what, sizeof next->what, what);
	if (strcmp(what, "decide") == 0) {
		str_copy(next->hall, sizeof next->hall, rr.decide);
		str_copy(next->department, sizeof next->department, rr.dept);
	} else if (strcmp(what, "pickup") == 0 || strcmp(what, "citizen") == 0)
		str_copy(next->hall, sizeof next->hall, rr.pickup);
	else if (strcmp(what, "mail") == 0)
		str_copy(next->hall, sizeof next->hall, rr.decide);
	return 1;
}

/* The statuses before the result reaches a pickup window: the pickup hall may still change. */
static const char *const before_result[] = {
	"submitted", "returned", "accepted", "processing", "supplement_needed", "approved",
	"rejected", NULL
};

int
case_pickup_set(struct ctx *c, const struct session *who, long long case_id,
    const char *pickup)
{
	char hall[40] = "", status[24] = "", name[404] = "", now[20], note[480];
	uint64_t n = 0;
	int rc;

	rc = db_scalar(c, "SELECT hall FROM cases WHERE id = ? FOR UPDATE", DBARGS(DBI(case_id)),
	    hall, sizeof hall);
	if (rc == 0)
		return E_NOT_FOUND;
	if (rc > 0)
		rc = db_scalar(c, "SELECT status FROM cases WHERE id = ?", DBARGS(DBI(case_id)),
		    status, sizeof status);
	if (rc < 0)
		return rc;
	if (str_index(before_result, status) < 0)
		return E_INVALID_STATE;
	if ((rc = case_pickup_ok(c, hall, pickup)) <= 0)
		return rc < 0 ? rc : E_INVALID_INPUT;
	if ((rc = db_scalar(c, "SELECT name FROM halls WHERE code = ?", DBARGS(DBS(pickup)), name,
	    sizeof name)) < 0)
		return rc;
	case_now(now);
	rc = db_exec(c, "UPDATE cases SET pickup_hall = ?, delivery = 'pickup',"
	    " version = version + 1, updated_at = ? WHERE id = ? AND status = ?",
	    DBARGS(DBS(pickup), DBS(now), DBI(case_id), DBS(status)), &n, NULL);
	if ((rc = case_guarded(n, rc)) != 0)
		return rc;
	fmt(note, sizeof note, "领取地点改为%s", name);
	return case_history_add(c, who, case_id, now, "pickup_hall", status, status, NULL, pickup,
	    note);
}

void
case_delivery_parse(struct req *r, int *mail, const char **address, const char **pickup_hall)
{
	static const char *const deliveries[] = { "pickup", "mail", NULL };
	int delivery = 0;

	in_enum(r, r->body, "delivery", 0, deliveries, &delivery);
	*mail = delivery == 1;
	in_str(r, r->body, "address", *mail, 5, 60, address);
	if (pickup_hall == NULL)
		return;
	in_str(r, r->body, "pickup_hall", 0, 1, 32, pickup_hall);
	if (*mail && *pickup_hall)
		req_fail_field(r, "pickup_hall", "邮寄送达的办件不选领取大厅");
}

/* ---------------------------------------------------------------- who sees a case */

int
case_in_department(const struct session *who, const struct case_row *cr)
{
	char needle[40];

	if (who->department[0] == '\0' ||
	    fmt(needle, sizeof needle, ",%s,", who->department) < 0)
		return 0;
	return strstr(cr->departments, needle) != NULL;
}

int
case_visible(const struct session *who, const struct case_row *cr)
{
	unsigned at = case_hall_is(cr, who->hall);

	if (at == 0)
		return 0;
	if (who->role == ROLE_APPROVER)
		return (at & CASE_AT_DECIDE) && case_in_department(who, cr);
	return (who->role & ROLE_STAFF) != 0;
}
