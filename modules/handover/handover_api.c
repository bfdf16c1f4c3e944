/*
 * handover_api.c — the hand-over routes: sending a sheet, reading it (JSON, QR), the lists of
 * the signed-in staff's side, what that side holds (for the sheet's form), and receipt by the
 * sheet's id or by the token its QR carries.
 *
 * Routes: POST /handovers                      clerk, approver, manager → h_handover_create
 *         GET  /handovers                      staff                    → h_handovers_list
 *         POST /handovers/lookup               staff                    → h_handover_lookup
 *         POST /handovers/receive              clerk, approver, manager → h_handover_receive_token
 *         GET  /custody                        clerk, approver, manager → h_custody_mine
 *         GET  /handovers/{id}                 staff                    → h_handover_get
 *         GET  /handovers/{id}/qr.svg          staff                    → h_handover_qr
 *         POST /handovers/{id}/receive         clerk, approver, manager → h_handover_receive
 * Tables: handovers, handover_cases, handover_materials, case_custody (through handover.c);
 *         cases, case_materials, staff, halls, windows, departments (read);
 *         idempotency_keys (shared/idempotency.h).
 * Redis:  idempotency answers (shared/idempotency.h).
 *
 * The receive token travels only in bodies (POST …/lookup, …/receive) and in the fragment
 * of the receive URL (#t=…), never in a path or query a log line would keep.
 *
 * Who may read a sheet: staff acting for its sending or receiving side (handover_on_side),
 * and the managers and admins of either hall; anyone else gets 404, as if it did not exist.
 */
#include "handover.h"
#include "handover_int.h"
#include "handlers.h"
#include "../cases/cases.h"
#include "../shared/idempotency.h"
#include "../tracking/qr.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define LIST_MAX 200
#define RECEIPT_MAX 200	/* discrepancies in one receipt */

#define RFC3339(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s+08:00')"

static const char *const status_names[] = {
	"sent", "received", "received_with_discrepancies", NULL
};

/* The words of each status, in the order of status_names. */
static const char *const status_labels[] = { "待签收", "已签收", "已签收（有差异）" };

static const char *
status_label(const char *s)
{
	int i = str_index(status_names, s);

	return status_labels[i < 0 ? 2 : i];
}

/* ---------------------------------------------------------------- the sheet */

struct head {
	int			 found;
	json_t			*o;
	struct handover_end	 from, to;
};

/* id, status, from×5, to×5, note, sent_by, sender name, sent_at, received_by, receiver
 * name, received_at, receive_note */
static int
head_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct head *h = arg;
	long long id = 0;

	(void)lens;
	if (ncol < 20)
		return 1;
	h->found = 1;
	parse_ll(v[0], 1, INT64_MAX, &id);
	handover_end_from(&h->from, v + 2);
	handover_end_from(&h->to, v + 7);
	h->o = json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)id, "status", v[1],
	    "status_label", status_label(v[1]), "note", v[12] ? v[12] : "");
	json_object_set_new(h->o, "sent_by", json_pack("{s:s,s:s}", "id", v[13] ? v[13] : "",
	    "name", v[14] ? v[14] : ""));
	json_object_set_new(h->o, "sent_at", db_json_str(v[15]));
	json_object_set_new(h->o, "received_by", v[16] ? json_pack("{s:s,s:s}", "id", v[16],
	    "name", v[17] ? v[17] : "") : json_null());
	json_object_set_new(h->o, "received_at", db_json_str(v[18]));
	json_object_set_new(h->o, "receive_note", json_string(v[19] ? v[19] : ""));
	return 1;
}

#define HEAD_COLS "SELECT h.id, h.status, h.from_kind, h.from_hall, h.from_department," \
	" h.from_window, h.from_office, h.to_kind, h.to_hall, h.to_department, h.to_window," \
	" h.to_office, h.note, h.sent_by, ss.name, " RFC3339("h.sent_at") ", h.received_by," \
	" rs.name, " RFC3339("h.received_at") ", h.receive_note FROM handovers h" \
	" JOIN staff ss ON ss.id = h.sent_by LEFT JOIN staff rs ON rs.id = h.received_by "

struct lines {
	json_t		*cases;
	long long	 materials, pages, discrepancies;
};

/* case_id, no, title, status, missing, note */
static int
case_line(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct lines *l = arg;
	long long id = 0;
	json_t *o;

	(void)lens;
	if (ncol < 6)
		return 1;
	parse_ll(v[0], 1, INT64_MAX, &id);
	o = json_pack("{s:s,s:s,s:s,s:s,s:b,s:s,s:[]}", "no", v[1], "title", v[2] ? v[2] : "",
	    "status", v[3], "status_label", case_status_label(v[3]), "missing", v[4][0] == '1',
	    "note", v[5] ? v[5] : "", "materials");
	json_object_set_new(o, "_id", json_integer(id));
	if (v[4][0] == '1')
		l->discrepancies++;
	json_array_append_new(l->cases, o);
	return 0;
}

/* case_id, code, name, pages, pages_received, missing, note */
static int
mat_line(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct lines *l = arg;
	long long cid = 0, pages = 0, got = 0;
	size_t i;
	json_t *c, *m;

	(void)lens;
	if (ncol < 7)
		return 1;
	parse_ll(v[0], 1, INT64_MAX, &cid);
	parse_ll(v[3], 0, HANDOVER_PAGES_MAX, &pages);
	json_array_foreach(l->cases, i, c) {
		if (json_integer_value(json_object_get(c, "_id")) != cid)
			continue;
		m = json_pack("{s:s,s:s,s:I,s:b,s:s}", "code", v[1], "name", v[2],
		    "pages", (json_int_t)pages, "missing", v[5][0] == '1', "note",
		    v[6] ? v[6] : "");
		if (v[4] && parse_ll(v[4], 0, HANDOVER_PAGES_MAX, &got) == 0)
			json_object_set_new(m, "pages_received", json_integer(got));
		else
			json_object_set_new(m, "pages_received", json_null());
		if (v[4] || v[5][0] == '1')
			l->discrepancies++;
		json_array_append_new(json_object_get(c, "materials"), m);
		l->materials++;
		l->pages += pages;
		break;
	}
	return 0;
}

/* The sheet with its lines; side flags for the reader.  1, 0 none, or DB_*. */
static int
sheet_load(struct ctx *c, long long id, struct head *h)
{
	struct lines l = { NULL, 0, 0, 0 };
	json_t *fj = NULL, *tj = NULL, *v;
	char url[96];
	size_t i;
	int rc;

	memset(h, 0, sizeof *h);
	rc = db_query(c, HEAD_COLS "WHERE h.id = ?", DBARGS(DBI(id)), head_row, h);
	if (rc <= 0 || !h->found)
		return rc < 0 ? rc : 0;
	l.cases = json_array();
	json_object_set_new(h->o, "cases", l.cases);
	rc = db_query(c, "SELECT hc.case_id, c.no, c.title, c.status, hc.missing, hc.note"
	    " FROM handover_cases hc JOIN cases c ON c.id = hc.case_id"
	    " WHERE hc.handover_id = ? ORDER BY hc.seq", DBARGS(DBI(id)), case_line, &l);
	if (rc >= 0)
		rc = db_query(c, "SELECT case_id, code, name, pages, pages_received, missing, note"
		    " FROM handover_materials WHERE handover_id = ? ORDER BY case_id, seq",
		    DBARGS(DBI(id)), mat_line, &l);
	if (rc >= 0)
		rc = handover_end_json(c, &h->from, &fj);
	if (rc >= 0)
		rc = handover_end_json(c, &h->to, &tj);
	if (rc < 0) {
		json_decref(fj);
		json_decref(h->o);
		h->o = NULL;
		return rc;
	}
	json_array_foreach(l.cases, i, v)
		json_object_del(v, "_id");
	json_object_set_new(h->o, "from", fj);
	json_object_set_new(h->o, "to", tj);
	json_object_set_new(h->o, "totals", json_pack("{s:I,s:I,s:I,s:I}", "cases",
	    (json_int_t)json_array_size(l.cases), "materials", (json_int_t)l.materials,
	    "pages", (json_int_t)l.pages, "discrepancies", (json_int_t)l.discrepancies));
	fmt(url, sizeof url, "/api/v1/handovers/%lld/qr.svg", id);
	json_object_set_new(h->o, "qr_url", json_string(url));
	fmt(url, sizeof url, "/staff/handover-sheet.html?id=%lld", id);
	json_object_set_new(h->o, "sheet_url", json_string(url));
	return 1;
}

int
handover_json(struct ctx *c, long long id, json_t **out)
{
	struct head h;
	int rc;

	*out = NULL;
	if ((rc = sheet_load(c, id, &h)) <= 0)
		return rc;
	*out = h.o;
	return 1;
}

/* May who read the sheet?  Either side, or a manager/admin of either hall. */
static int
may_read(const struct session *who, const struct head *h)
{
	if (handover_on_side(who, &h->from) || handover_on_side(who, &h->to))
		return 1;
	return (who->role & (ROLE_MANAGER | ROLE_ADMIN)) &&
	    (strcmp(who->hall, h->from.hall) == 0 || strcmp(who->hall, h->to.hall) == 0);
}

/* The sheet for r's caller, with "can_receive": 200, 404 or 503. */
static int
reply_sheet(struct req *r, long long id, int status)
{
	struct head h;
	int rc;

	if ((rc = sheet_load(r->ctx, id, &h)) < 0)
		return db_fail(r, rc);
	if (rc == 0 || !may_read(&r->sess, &h)) {
		json_decref(h.o);
		return req_err_msg(r, E_NOT_FOUND, "没有这张交接单");
	}
	json_object_set_new(h.o, "can_receive", json_boolean(handover_on_side(&r->sess, &h.to) &&
	    strcmp(json_string_value(json_object_get(h.o, "status")), "sent") == 0));
	return req_ok(r, status, json_pack("{s:o}", "handover", h.o));
}

static int
path_id(struct req *r, long long *id)
{
	return parse_ll(r->pathv[0], 1, INT64_MAX, id);
}

int
h_handover_get(struct req *r)
{
	long long id;

	if (path_id(r, &id) != 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这张交接单");
	return reply_sheet(r, id, 200);
}

/*
 * The token of a body: as the QR carries it, or the whole receive URL a hand-held scanner
 * typed (its t= parameter, in the fragment or the query, is taken).  0 with t filled, or
 * the field error recorded (-1).
 */
static int
body_token(struct req *r, char t[HANDOVER_TOKEN_MAX])
{
	const char *tok = NULL, *p;
	size_t n;

	t[0] = '\0';
	if (in_str(r, r->body, "token", 1, 1, 512, &tok) != 0)
		return -1;
	if ((p = strstr(tok, "t=")) != NULL &&
	    (p == tok || p[-1] == '?' || p[-1] == '&' || p[-1] == '#'))
		tok = p + 2;
	n = strcspn(tok, "&# \t\r\n");
	if (n == 0 || n >= HANDOVER_TOKEN_MAX) {
		req_fail_field(r, "token", "不是有效的交接单二维码");
		return -1;
	}
	memcpy(t, tok, n);
	t[n] = '\0';
	if (!token_ok(t, HANDOVER_TOKEN_MAX - 1)) {
		sodium_memzero(t, HANDOVER_TOKEN_MAX);
		req_fail_field(r, "token", "不是有效的交接单二维码");
		return -1;
	}
	return 0;
}

/* POST /handovers/lookup {"token"}: the sheet a scanned QR names. */
int
h_handover_lookup(struct req *r)
{
	char t[HANDOVER_TOKEN_MAX], hash[65], v[24];
	long long id = 0;
	int rc;

	if (body_token(r, t) != 0)
		return req_invalid(r);
	handover_token_hash(t, hash);
	sodium_memzero(t, sizeof t);
	rc = db_scalar(r->ctx, "SELECT id FROM handovers WHERE token_hash = ?", DBARGS(DBS(hash)),
	    v, sizeof v);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0 || parse_ll(v, 1, INT64_MAX, &id) != 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这张交接单");
	return reply_sheet(r, id, 200);
}

/* GET /handovers/{id}/qr.svg: the receive URL with the sheet's token, for either side. */
int
h_handover_qr(struct req *r)
{
	struct head h;
	char tok[HANDOVER_TOKEN_MAX], url[QR_TEXT_MAX];
	long long id;
	int rc;

	if (path_id(r, &id) != 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这张交接单");
	if ((rc = sheet_load(r->ctx, id, &h)) < 0)
		return db_fail(r, rc);
	if (rc == 0 || !may_read(&r->sess, &h)) {
		json_decref(h.o);
		return req_err_msg(r, E_NOT_FOUND, "没有这张交接单");
	}
	json_decref(h.o);
	if ((rc = handover_token_open(r->ctx, id, tok)) < 0)
		return db_fail(r, rc);
	if (tok[0] == '\0')
		return req_bug(r, "handover token cannot be opened");
	handover_receive_url(tok, url, sizeof url);
	sodium_memzero(tok, sizeof tok);
	rc = qr_svg(url, 4, &r->raw_reply);
	sodium_memzero(url, sizeof url);
	if (rc != 0)
		return req_bug(r, "handover QR");
	r->raw_type = "image/svg+xml";
	req_header(r, "Cache-Control", "private, no-store");
	return 200;
}

/* ---------------------------------------------------------------- sending */

struct create_arg {
	struct req		*r;
	struct handover_in	*in;
	struct idem		*im;
	struct handover_made	 made;
	struct handover_why	 why;
	json_t			*body;
	int			 replay;
};

static int
create_tx(struct ctx *c, void *arg)
{
	struct create_arg *a = arg;
	struct head h;
	char url[QR_TEXT_MAX];
	int rc;

	json_decref(a->body);
	a->body = NULL;
	if ((rc = handover_create_tx(c, a->r, a->in, &a->made, &a->why)) != 0)
		return rc;
	if ((rc = sheet_load(c, a->made.id, &h)) <= 0)
		return rc < 0 ? rc : DB_FAIL;
	json_object_set_new(h.o, "token", json_string(a->made.token));
	handover_receive_url(a->made.token, url, sizeof url);
	json_object_set_new(h.o, "receive_url", json_string(url));
	sodium_memzero(url, sizeof url);
	json_object_set_new(h.o, "can_receive", json_false());
	a->body = json_pack("{s:o}", "handover", h.o);
	rc = idem_save_tx(a->r, a->im, 201, a->body);
	if (rc == DB_DUP)
		a->replay = 1;
	return rc;
}

int
h_handover_create(struct req *r)
{
	struct handover_in in;
	struct create_arg a;
	struct idem im;
	int rc;

	if (handover_parse(r, r->body, &in) != 0)
		return req_unavailable(r);
	if (in_has_errors(r)) {
		free(in.cases);
		return req_invalid(r);
	}
	if ((rc = idem_begin(r, &im)) != 0) {
		free(in.cases);
		return rc;
	}
	memset(&a, 0, sizeof a);
	a.r = r;
	a.in = &in;
	a.im = &im;
	rc = db_tx(r->ctx, create_tx, &a);
	sodium_memzero(a.made.token, sizeof a.made.token);
	free(in.cases);
	if (rc == 0)
		rc = req_ok(r, 201, a.body);
	else {
		json_decref(a.body);
		if (a.replay)
			rc = idem_replay(r, &im);
		else if (rc == E_INVALID_INPUT)
			rc = req_invalid(r);
		else if (rc > 0)
			rc = req_err_msg(r, rc, a.why.msg[0] ? a.why.msg : NULL);
		else
			rc = db_fail(r, rc);
	}
	idem_end(r, &im);
	return rc;
}

/* ---------------------------------------------------------------- receiving */

struct receive_arg {
	struct req		*r;
	long long		 id;
	const char		*token;
	struct handover_disc	*d;
	size_t			 nd;
	const char		*note;
	long long		 got;
	struct handover_why	 why;
};

static int
receive_tx(struct ctx *c, void *arg)
{
	struct receive_arg *a = arg;

	return handover_receive_tx(c, a->r, a->id, a->token, a->d, a->nd, a->note, &a->got,
	    &a->why);
}

static int
receive(struct req *r, long long id, const char *token)
{
	struct receive_arg a;
	int rc;

	memset(&a, 0, sizeof a);
	if ((a.d = calloc(RECEIPT_MAX, sizeof *a.d)) == NULL)
		return req_unavailable(r);
	handover_parse_receipt(r, r->body, a.d, RECEIPT_MAX, &a.nd, &a.note);
	if (in_has_errors(r)) {
		free(a.d);
		return req_invalid(r);
	}
	a.r = r;
	a.id = id;
	a.token = token;
	rc = db_tx(r->ctx, receive_tx, &a);
	free(a.d);
	if (rc == E_INVALID_INPUT)
		return req_invalid(r);
	if (rc > 0)
		return req_err_msg(r, rc, a.why.msg[0] ? a.why.msg : NULL);
	if (rc < 0)
		return db_fail(r, rc);
	return reply_sheet(r, a.got, 200);
}

int
h_handover_receive(struct req *r)
{
	long long id;

	if (path_id(r, &id) != 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这张交接单");
	return receive(r, id, NULL);
}

/* POST /handovers/receive {"token", "discrepancies"?, "note"?}: receipt by the QR. */
int
h_handover_receive_token(struct req *r)
{
	char t[HANDOVER_TOKEN_MAX];
	int rc;

	if (body_token(r, t) != 0)
		return req_invalid(r);
	rc = receive(r, 0, t);
	sodium_memzero(t, sizeof t);
	return rc;
}

/* ---------------------------------------------------------------- lists */

struct list_arg {
	struct ctx	*c;
	json_t		*list;
	int		 rc;
};

static int
list_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct list_arg *l = arg;
	struct head h;

	memset(&h, 0, sizeof h);
	if (json_array_size(l->list) >= LIST_MAX)
		return 1;
	head_row(&h, ncol, v, lens);
	if (h.o == NULL)
		return 1;
	json_array_append_new(l->list, h.o);
	return 0;
}

/* The sides' labels and the counts of each listed sheet (after the rows are read: a row
 * callback must not run another statement). */
static int
list_finish(struct ctx *c, json_t *list)
{
	json_t *o, *full;
	size_t i;
	int rc;

	json_array_foreach(list, i, o) {
		rc = handover_json(c, json_integer_value(json_object_get(o, "id")), &full);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		json_object_set(o, "from", json_object_get(full, "from"));
		json_object_set(o, "to", json_object_get(full, "to"));
		json_object_set(o, "totals", json_object_get(full, "totals"));
		json_object_set(o, "sheet_url", json_object_get(full, "sheet_url"));
		json_object_set(o, "cases", json_object_get(full, "cases"));
		json_decref(full);
	}
	return 0;
}

/* The SQL condition "the side (prefix from_ / to_) is the caller's". */
#define SIDE_IS(p) \
	" (h." p "hall = ? AND ((h." p "kind = 'window' AND ? = 'clerk' AND h." p "window = ?)" \
	" OR (h." p "kind = 'department' AND ? = 'approver' AND h." p "department = ?)" \
	" OR (h." p "kind IN ('hall', 'office') AND ? IN ('clerk', 'manager'))" \
	" OR ? IN ('manager', 'admin')))"
#define SIDE_ARGS(s) DBS((s)->hall), DBS(role_name((s)->role)), DBI((s)->window), \
	DBS(role_name((s)->role)), DBS((s)->department), DBS(role_name((s)->role)), \
	DBS(role_name((s)->role))

int
h_handovers_list(struct req *r)
{
	static const char *const dirs[] = { "in", "out", NULL };
	struct list_arg l;
	const char *status, *dir;
	int st = -1, d = -1, rc;

	q_enum(r, "status", status_names, "须为 sent、received 或 received_with_discrepancies", &st);
	q_enum(r, "direction", dirs, "须为 in 或 out", &d);
	if (in_has_errors(r))
		return req_invalid(r);
	status = st < 0 ? NULL : status_names[st];
	dir = d < 0 ? "" : dirs[d];
	l.c = r->ctx;
	l.list = json_array();
	l.rc = 0;
	rc = db_query(r->ctx, HEAD_COLS "WHERE (? IS NULL OR h.status = ?) AND ("
	    " (? <> 'out' AND" SIDE_IS("to_") ") OR (? <> 'in' AND" SIDE_IS("from_") "))"
	    " ORDER BY h.sent_at DESC, h.id DESC LIMIT 200",
	    DBARGS(DBSO(status), DBSO(status), DBS(dir), SIDE_ARGS(&r->sess), DBS(dir),
	    SIDE_ARGS(&r->sess)), list_row, &l);
	if (rc >= 0)
		rc = list_finish(r->ctx, l.list);
	if (rc < 0) {
		json_decref(l.list);
		return db_fail(r, rc);
	}
	return req_ok(r, 200, json_pack("{s:o}", "handovers", l.list));
}

/* ---------------------------------------------------------------- what my side holds */

static int
holding_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	json_t *list = arg, *o;
	long long id = 0;

	(void)lens;
	if (ncol < 6 || json_array_size(list) >= LIST_MAX)
		return 1;
	parse_ll(v[0], 1, INT64_MAX, &id);
	o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:b,s:[]}", "_id", (json_int_t)id, "no", v[1],
	    "title", v[2] ? v[2] : "", "status", v[3], "status_label", case_status_label(v[3]),
	    "decided", v[4] && v[4][0] == '1', "materials");
	json_object_set_new(o, "accepted_at", db_json_str(v[5]));
	json_array_append_new(list, o);
	return 0;
}

/* The materials of a held case, pages prefilled from the case's last sheet (else 1). */
static int
holding_mats(struct ctx *c, json_t *o)
{
	static const char *const cols[] = { "code", "name", "state", "pages" };
	json_t *mats = json_object_get(o, "materials");
	long long id = json_integer_value(json_object_get(o, "_id"));
	int rc;

	rc = db_rows_json(c,
	    "SELECT m.code, m.name, m.state, COALESCE((SELECT COALESCE(hm.pages_received, hm.pages)"
	    "  FROM handover_materials hm WHERE hm.case_id = m.case_id AND hm.code = m.code"
	    "  ORDER BY hm.handover_id DESC LIMIT 1), 1)"
	    " FROM case_materials m LEFT JOIN item_materials im ON im.item = m.item AND"
	    " im.code = m.code WHERE m.case_id = ? AND m.state IN ('received', 'waived')"
	    " ORDER BY m.item, im.sort, m.code", DBARGS(DBI(id)), cols, "sssi", mats);
	if (rc < 0)
		return rc;
	if (json_is_true(json_object_get(o, "decided")))
		json_array_append_new(mats, json_pack("{s:s,s:s,s:s,s:i}", "code",
		    HANDOVER_RESULT_CODE, "name", "办理结果", "state", "result", "pages", 1));
	json_object_del(o, "_id");
	return 0;
}

int
h_custody_mine(struct req *r)
{
	const struct session *s = &r->sess;
	const char *role = role_name(s->role);
	json_t *list = json_array(), *o;
	size_t i;
	int rc;

	rc = db_query(r->ctx,
	    "SELECT c.id, c.no, c.title, c.status, c.decision IS NOT NULL, "
	    RFC3339("c.accepted_at")
	    " FROM cases c LEFT JOIN case_custody k ON k.case_id = c.id"
	    " WHERE c.status NOT IN ('submitted', 'returned', 'closed') AND k.in_transit IS NULL AND ("
	    "  (k.case_id IS NULL AND c.hall = ? AND ((? = 'clerk' AND c.window_no = ?)"
	    "   OR (c.window_no IS NULL AND ? IN ('clerk', 'manager'))))"
	    "  OR (k.hall = ? AND ((k.holder_kind = 'window' AND ? = 'clerk' AND k.window_no = ?)"
	    "   OR (k.holder_kind = 'department' AND ? = 'approver' AND k.department = ?)"
	    "   OR (k.holder_kind IN ('hall', 'office') AND ? IN ('clerk', 'manager')))))"
	    " ORDER BY c.accepted_at DESC, c.id DESC LIMIT 200",
	    DBARGS(DBS(s->hall), DBS(role), DBI(s->window), DBS(role), DBS(s->hall), DBS(role),
	    DBI(s->window), DBS(role), DBS(s->department), DBS(role)), holding_row, list);
	json_array_foreach(list, i, o) {
		if (rc < 0)
			break;
		rc = holding_mats(r->ctx, o);
	}
	if (rc < 0) {
		json_decref(list);
		return db_fail(r, rc);
	}
	return req_ok(r, 200, json_pack("{s:o}", "cases", list));
}
