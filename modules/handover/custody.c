/*
 * custody.c — who holds a case's paper file now (handover.h): the case_custody row, or
 * before the first hand-over the accepting window (the accepting hall for a case without
 * one); and the sides of a hand-over: who acts for which, their labels in words.
 *
 * Routes: none (the case JSON of the cases room and the tracking page read custody here,
 *         through case_custody_json, cases.h: handover_custody_json is its hook).
 * Tables: case_custody, cases, halls, windows, departments, handovers (read).
 * Redis:  none.
 */
#include "handover.h"
#include "handover_int.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"

#include <string.h>

const char *const handover_kind_names[HO__MAX + 1] = {
	"window", "department", "hall", "office", NULL
};

int
handover_kind_parse(const char *s)
{
	return str_index(handover_kind_names, s);
}

int
handover_on_side(const struct session *who, const struct handover_end *e)
{
	if (who == NULL || strcmp(who->hall, e->hall) != 0)
		return 0;
	switch (e->kind) {
	case HO_WINDOW:
		return who->role == ROLE_CLERK && who->window > 0 && who->window == e->window;
	case HO_DEPARTMENT:
		return who->role == ROLE_APPROVER && who->department[0] != '\0' &&
		    strcmp(who->department, e->department) == 0;
	case HO_HALL:
	case HO_OFFICE:
		return who->role == ROLE_CLERK || who->role == ROLE_MANAGER;
	default:
		return 0;
	}
}

int
handover_end_same(const struct handover_end *a, const struct handover_end *b)
{
	if (a->kind != b->kind || strcmp(a->hall, b->hall) != 0)
		return 0;
	switch (a->kind) {
	case HO_WINDOW:
		return a->window == b->window;
	case HO_DEPARTMENT:
		return strcmp(a->department, b->department) == 0;
	case HO_OFFICE:
		return strcmp(a->office, b->office) == 0;
	default:
		return 1;
	}
}

/* kind, hall, department, window, office from five columns (NULL-safe). */
void
handover_end_from(struct handover_end *e, char **v)
{
	long long n = 0;
	int k = handover_kind_parse(v[0]);

	memset(e, 0, sizeof *e);
	e->kind = k < 0 ? HO_HALL : (enum handover_kind)k;
	str_copy(e->hall, sizeof e->hall, v[1] ? v[1] : "");
	str_copy(e->department, sizeof e->department, v[2] ? v[2] : "");
	if (v[3] && parse_ll(v[3], 0, 65535, &n) == 0)
		e->window = (int)n;
	str_copy(e->office, sizeof e->office, v[4] ? v[4] : "");
}

/* ---------------------------------------------------------------- the holder */

struct cust_row {
	int			 found;
	struct handover_end	*e;
	long long		 transit;
};

/* cases: hall, window_no; case_custody: kind, hall, department, window_no, office, in_transit */
static int
cust_row_fn(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct cust_row *c = arg;
	char *cols[5];

	(void)lens;
	if (ncol < 8)
		return 1;
	c->found = 1;
	c->transit = 0;
	if (v[2]) {
		handover_end_from(c->e, v + 2);
		if (v[7])
			parse_ll(v[7], 0, INT64_MAX, &c->transit);
		return 1;
	}
	cols[0] = v[1] ? "window" : "hall";
	cols[1] = v[0];
	cols[2] = NULL;
	cols[3] = v[1];
	cols[4] = NULL;
	handover_end_from(c->e, cols);
	return 1;
}

int
handover_custody_get(struct ctx *c, long long case_id, struct handover_end *e,
    long long *in_transit)
{
	struct cust_row cr = { 0, e, 0 };
	int rc;

	memset(e, 0, sizeof *e);
	rc = db_query(c, "SELECT c.hall, c.window_no, k.holder_kind, k.hall, k.department,"
	    " k.window_no, k.office, k.in_transit FROM cases c"
	    " LEFT JOIN case_custody k ON k.case_id = c.id WHERE c.id = ?",
	    DBARGS(DBI(case_id)), cust_row_fn, &cr);
	if (rc < 0)
		return rc;
	if (in_transit)
		*in_transit = cr.transit;
	return cr.found;
}

/* ---------------------------------------------------------------- labels */

struct names {
	char	 hall[204];
	char	 window[204];
	char	 dept[204];
};

static const struct db_col names_cols[] = {
	DBC_S(struct names, hall), DBC_S(struct names, window), DBC_S(struct names, dept),
};

int
handover_end_json(struct ctx *c, const struct handover_end *e, json_t **out)
{
	struct names n;
	char label[700];
	json_t *o;
	int rc;

	*out = NULL;
	memset(&n, 0, sizeof n);
	rc = db_row_into(c, "SELECT h.name, w.name, d.name FROM halls h"
	    " LEFT JOIN windows w ON w.hall = h.code AND w.number = ?"
	    " LEFT JOIN departments d ON d.code = ? WHERE h.code = ?",
	    DBARGS(DBI(e->window), DBS(e->department), DBS(e->hall)), DB_COLS(names_cols), &n);
	if (rc < 0)
		return rc;
	if (n.hall[0] == '\0')
		str_copy(n.hall, sizeof n.hall, e->hall);
	o = json_pack("{s:s,s:s,s:s}", "kind", handover_kind_names[e->kind], "hall", e->hall,
	    "hall_name", n.hall);
	switch (e->kind) {
	case HO_WINDOW:
		json_object_set_new(o, "window", json_integer(e->window));
		json_object_set_new(o, "window_name", json_string(n.window[0] ? n.window : ""));
		fmt(label, sizeof label, "%s %s", n.hall, n.window[0] ? n.window : "");
		break;
	case HO_DEPARTMENT:
		json_object_set_new(o, "department", json_string(e->department));
		json_object_set_new(o, "department_name", json_string(n.dept));
		fmt(label, sizeof label, "%s（%s）", n.dept[0] ? n.dept : e->department, n.hall);
		break;
	case HO_OFFICE:
		json_object_set_new(o, "office", json_string(e->office));
		fmt(label, sizeof label, "%s", e->office);
		break;
	default:
		fmt(label, sizeof label, "%s", n.hall);
		break;
	}
	json_object_set_new(o, "label", json_string(label));
	*out = o;
	return 0;
}

/* The side in a citizen's words: "市场监督管理局（…中心）", "…中心 8号窗口 统一出件". */
static int
end_words(struct ctx *c, const struct handover_end *e, char *out, size_t osz)
{
	json_t *o;
	int rc;

	if ((rc = handover_end_json(c, e, &o)) < 0)
		return rc;
	str_copy(out, osz, json_string_value(json_object_get(o, "label")));
	json_decref(o);
	return 0;
}

/* ---------------------------------------------------------------- custody as JSON */

struct since_row {
	char	 since[40];
	long long handover;
};

static const struct db_col since_cols[] = {
	DBC_S(struct since_row, since), DBC_I(struct since_row, handover, 0, INT64_MAX),
};

/* The destination of sheet id into e.  1, 0 or DB_*. */
static int
sheet_to(struct ctx *c, long long id, struct handover_end *e)
{
	struct handover_end *p = e;
	int rc;

	rc = db_query(c, "SELECT to_kind, to_hall, to_department, to_window, to_office"
	    " FROM handovers WHERE id = ?", DBARGS(DBI(id)), handover_end_row, &p);
	return rc;
}

int
handover_end_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct handover_end **e = arg;

	(void)lens;
	if (ncol < 5)
		return 1;
	handover_end_from(*e, v);
	return 1;
}

int
handover_custody_json(struct ctx *c, long long case_id, int public_view, json_t **out)
{
	struct handover_end holder, to;
	struct since_row s;
	json_t *o, *h = NULL, *t = NULL;
	char words[700], words_to[700], text[1500];
	long long transit = 0;
	int rc;

	*out = NULL;
	if ((rc = handover_custody_get(c, case_id, &holder, &transit)) <= 0)
		return rc < 0 ? rc : DB_FAIL;
	memset(&s, 0, sizeof s);
	rc = db_row_into(c, "SELECT DATE_FORMAT(COALESCE(k.since, c.accepted_at, c.created_at),"
	    " '%Y-%m-%dT%H:%i:%s+08:00'), k.handover_id FROM cases c"
	    " LEFT JOIN case_custody k ON k.case_id = c.id WHERE c.id = ?",
	    DBARGS(DBI(case_id)), DB_COLS(since_cols), &s);
	if (rc < 0)
		return rc;
	if (transit && (rc = sheet_to(c, transit, &to)) < 0)
		return rc;
	if (public_view) {
		if ((rc = end_words(c, &holder, words, sizeof words)) < 0)
			return rc;
		if (transit) {
			if ((rc = end_words(c, &to, words_to, sizeof words_to)) < 0)
				return rc;
			fmt(text, sizeof text, "材料正在从%s移交至%s", words, words_to);
		} else
			fmt(text, sizeof text, "材料在%s", words);
		*out = json_pack("{s:s,s:b,s:s}", "where", text, "in_transit", transit != 0,
		    "since", s.since);
		return 0;
	}
	if ((rc = handover_end_json(c, &holder, &h)) < 0)
		return rc;
	if (transit && (rc = handover_end_json(c, &to, &t)) < 0) {
		json_decref(h);
		return rc;
	}
	o = json_pack("{s:o,s:s,s:b}", "holder", h, "since", s.since, "in_transit", transit != 0);
	json_object_set_new(o, "handover", s.handover ? json_integer(s.handover) : json_null());
	if (transit) {
		json_object_set_new(o, "transit_handover", json_integer(transit));
		json_object_set_new(o, "to", t);
	}
	*out = o;
	return 0;
}
