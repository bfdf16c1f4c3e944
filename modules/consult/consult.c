/*
 * consult.c — 咨询导办 records and 首问负责 referrals: parsing and checking a record, writing
 * it in the finishing transaction, listing open referrals, accepting one.
 *
 * Routes: GET  /consult/referrals              clerk, approver, manager, admin → h_consult_referrals
 *         POST /consult/referrals/{id}/accept  the receiver            → h_consult_referral_accept
 *         (the record is written by POST /windows/{window}/finish, queue/window_api.c)
 * Tables: consult_records (written); queue_tickets, staff, items, departments, windows (read);
 *         audit_log through shared/audit.h.
 * Redis:  none.
 *
 * 首问负责: the clerk who wrote the record (the first asked) stays responsible for a referral
 * until the party it went to accepts it.  Who may accept: a referral to a member of staff,
 * that person; to a window, the clerk signed in at that window; to a department, a member of
 * staff of that department.  Accepting is a guarded UPDATE … WHERE ref_status = 'open'.
 */
#include "consult.h"
#include "handlers.h"
#include "../shared/audit.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <string.h>

static const char *const ref_names[CONSULT_REF__MAX + 1] = {
	"", "window", "department", "staff", NULL
};

#define CONSULT_LIST_MAX 200

/* Move the field errors recorded since `saved` was taken under prefix. */
static void
fields_prefixed(struct req *r, json_t *saved, const char *prefix)
{
	json_t *mine = r->err_fields, *v;
	const char *k;
	char name[96];

	r->err_fields = saved;
	json_object_foreach(mine, k, v) {
		fmt(name, sizeof name, "%s%s", prefix, k);
		req_fail_field(r, name, json_string_value(v));
	}
	json_decref(mine);
}

/*
 * o's member key as a nested object whose field errors fields_prefixed names later: 1 with
 * *sub and *saved (the errors so far, put aside meanwhile); 0 when it is absent or null;
 * -1 when it is not an object (the field error says what it must be).
 */
static int
sub_object(struct req *r, json_t *o, const char *key, const char *field, const char *shape,
    json_t **sub, json_t **saved)
{
	*sub = o ? json_object_get(o, key) : NULL;
	if (*sub == NULL || json_is_null(*sub))
		return 0;
	if (!json_is_object(*sub)) {
		req_fail_field(r, field, shape);
		return -1;
	}
	*saved = r->err_fields;
	r->err_fields = NULL;
	return 1;
}

int
consult_parse(struct req *r, json_t *body, struct consult_in *in)
{
	json_t *o, *ref, *saved;
	int kind = 0, rc;

	memset(in, 0, sizeof *in);
	rc = sub_object(r, body, "consult", "consult", "须为对象：问题、事项、答复、转交", &o, &saved);
	if (rc <= 0)
		return rc != 0;
	in_str(r, o, "question", 1, 1, CONSULT_QUESTION_MAX, &in->question);
	in_str(r, o, "item", 0, 1, 40, &in->item);
	in_str(r, o, "answer", 1, 1, CONSULT_ANSWER_MAX, &in->answer);
	if (in->question && utf8_blank(in->question))
		req_fail_field(r, "question", "不能为空");
	if (in->answer && utf8_blank(in->answer))
		req_fail_field(r, "answer", "不能为空");
	if (in->item && !token_ok(in->item, 40))
		req_fail_field(r, "item", "不是有效的事项编号");
	fields_prefixed(r, saved, "consult.");
	if (sub_object(r, o, "referral", "consult.referral", "须为对象：{\"kind\",\"to\"}", &ref,
	    &saved) <= 0)
		return 1;
	if (in_enum(r, ref, "kind", 1, ref_names, &kind) == 0 && kind == CONSULT_REF_NONE)
		req_fail_field(r, "kind", "须为 window、department 或 staff");
	in->ref = (enum consult_ref)kind;
	if (in->ref == CONSULT_REF_WINDOW)
		in_int(r, ref, "to", 1, 1, 65535, &in->ref_window);
	else if (in->ref != CONSULT_REF_NONE) {
		in_str(r, ref, "to", 1, 1, 32, &in->ref_to);
		if (in->ref_to && !token_ok(in->ref_to, 32))
			req_fail_field(r, "to", in->ref == CONSULT_REF_STAFF ? "不是有效的账号" :
			    "不是有效的部门代码");
	}
	fields_prefixed(r, saved, "consult.referral.");
	return 1;
}

int
consult_check(struct req *r, const char *hall, int window, struct consult_in *in)
{
	char v[32];
	long long id = 0;
	int rc;

	if (in->item) {
		rc = db_scalar(r->ctx, "SELECT 1 FROM items WHERE id = ? AND hall = ?",
		    DBARGS(DBS(in->item), DBS(hall)), v, sizeof v);
		if (rc < 0)
			return db_fail(r, rc);
		if (rc == 0)
			req_fail_field(r, "consult.item", "本中心没有这个事项");
	}
	switch (in->ref) {
	case CONSULT_REF_WINDOW:
		rc = db_scalar(r->ctx, "SELECT 1 FROM windows WHERE hall = ? AND number = ?",
		    DBARGS(DBS(hall), DBI(in->ref_window)), v, sizeof v);
		if (rc < 0)
			return db_fail(r, rc);
		if (rc == 0)
			req_fail_field(r, "consult.referral.to", "本中心没有这个窗口");
		else if (in->ref_window == window)
			req_fail_field(r, "consult.referral.to", "不能转交给本窗口");
		break;
	case CONSULT_REF_DEPARTMENT:
		rc = db_scalar(r->ctx, "SELECT 1 FROM departments WHERE code = ?",
		    DBARGS(DBS(in->ref_to)), v, sizeof v);
		if (rc < 0)
			return db_fail(r, rc);
		if (rc == 0)
			req_fail_field(r, "consult.referral.to", "没有这个部门");
		break;
	case CONSULT_REF_STAFF:
		rc = db_scalar(r->ctx, "SELECT id FROM staff WHERE hall = ? AND username = ?"
		    " AND disabled = 0 AND role IN ('clerk', 'approver', 'manager')",
		    DBARGS(DBS(hall), DBS(in->ref_to)), v, sizeof v);
		if (rc < 0)
			return db_fail(r, rc);
		if (rc == 0 || parse_ll(v, 1, INT64_MAX, &id) != 0)
			req_fail_field(r, "consult.referral.to", "本中心没有这个工作人员");
		else if (strcmp(v, r->sess.subject) == 0)
			req_fail_field(r, "consult.referral.to", "不能转交给自己");
		in->ref_staff = (unsigned long long)id;
		break;
	default:
		break;
	}
	return in_has_errors(r) ? req_invalid(r) : 0;
}

int
consult_record_tx(struct req *r, const char *hall, unsigned long long ticket_id,
    const char *number, int window, const struct consult_in *in)
{
	char now[32], target[64], detail[64];
	uint64_t id = 0;
	int rc, ref = in->ref != CONSULT_REF_NONE;

	sql_now(now, sizeof now);
	rc = db_exec(r->ctx, "INSERT INTO consult_records (hall, ticket_id, window_no, clerk,"
	    " question, item, answer, ref_kind, ref_window, ref_department, ref_staff, ref_status,"
	    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    DBARGS(DBS(hall), DBI(ticket_id), DBI(window), DBS(r->sess.subject),
	    DBS(in->question), DBSO(in->item), DBS(in->answer),
	    ref ? DBS(ref_names[in->ref]) : DBN,
	    in->ref == CONSULT_REF_WINDOW ? DBI(in->ref_window) : DBN,
	    in->ref == CONSULT_REF_DEPARTMENT ? DBS(in->ref_to) : DBN,
	    in->ref == CONSULT_REF_STAFF ? DBI(in->ref_staff) : DBN,
	    ref ? DBS("open") : DBN, DBS(now)), NULL, &id);
	if (rc != 0)
		return rc;
	fmt(target, sizeof target, "consult:%llu", (unsigned long long)id);
	fmt(detail, sizeof detail, "%s window %d%s%s", number, window, ref ? " referral " : "",
	    ref ? ref_names[in->ref] : "");
	audit(r, "consult.record", target, "ok", detail);
	return 0;
}

/* ------------------------------------------------------------------ reading */

/* The record as the API shows it; the columns of C_COLS. */
#define C_COLS "SELECT r.id, t.number, DATE_FORMAT(t.day, '%Y-%m-%d'), r.window_no," \
	" r.clerk, s.name, r.question, r.item, i.name, r.answer, r.ref_kind, r.ref_window," \
	" w.name, r.ref_department, d.name, r.ref_staff, rs.username, rs.name, r.ref_status," \
	" r.accepted_by, a.name, DATE_FORMAT(r.accepted_at, '%Y-%m-%dT%H:%i:%s+08:00')," \
	" DATE_FORMAT(r.created_at, '%Y-%m-%dT%H:%i:%s+08:00'), cw.name" \
	" FROM consult_records r JOIN queue_tickets t ON t.id = r.ticket_id" \
	" JOIN staff s ON s.id = r.clerk" \
	" JOIN windows cw ON cw.hall = r.hall AND cw.number = r.window_no" \
	" LEFT JOIN items i ON i.id = r.item" \
	" LEFT JOIN windows w ON w.hall = r.hall AND w.number = r.ref_window" \
	" LEFT JOIN departments d ON d.code = r.ref_department" \
	" LEFT JOIN staff rs ON rs.id = r.ref_staff" \
	" LEFT JOIN staff a ON a.id = r.accepted_by "

static int
record_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	json_t *list = arg, *o, *ref = json_null();

	(void)lens;
	if (ncol < 24 || json_array_size(list) >= CONSULT_LIST_MAX)
		return 0;
	o = json_object();
	json_object_set_new(o, "id", db_json_ll(v[0], 0, INT64_MAX));
	json_object_set_new(o, "ticket", json_string(v[1]));
	json_object_set_new(o, "day", json_string(v[2]));
	json_object_set_new(o, "window", db_json_ll(v[3], 0, 65535));
	json_object_set_new(o, "window_name", json_string(v[23]));
	json_object_set_new(o, "clerk", json_pack("{s:s,s:s}", "id", v[4], "name", v[5]));
	json_object_set_new(o, "question", json_string(v[6]));
	json_object_set_new(o, "item", v[7] ? json_pack("{s:s,s:s}", "id", v[7], "name",
	    v[8] ? v[8] : "") : json_null());
	json_object_set_new(o, "answer", json_string(v[9]));
	if (v[10]) {
		ref = json_object();
		json_object_set_new(ref, "kind", json_string(v[10]));
		if (strcmp(v[10], "window") == 0) {
			json_object_set_new(ref, "to", db_json_ll(v[11], 0, 65535));
			json_object_set_new(ref, "to_name", db_json_str(v[12]));
		} else if (strcmp(v[10], "department") == 0) {
			json_object_set_new(ref, "to", db_json_str(v[13]));
			json_object_set_new(ref, "to_name", db_json_str(v[14]));
		} else {
			json_object_set_new(ref, "to", db_json_str(v[16]));
			json_object_set_new(ref, "to_name", db_json_str(v[17]));
		}
		json_object_set_new(ref, "status", json_string(v[18] ? v[18] : "open"));
		if (v[19]) {
			json_object_set_new(ref, "accepted_by", json_pack("{s:s,s:s}", "id", v[19],
			    "name", v[20] ? v[20] : ""));
			json_object_set_new(ref, "accepted_at", db_json_str(v[21]));
		}
	}
	json_object_set_new(o, "referral", ref);
	json_object_set_new(o, "created_at", json_string(v[22]));
	json_array_append_new(list, o);
	return 0;
}

/* The staff member's department ("" none).  0 or a DB_* code. */
static int
my_department(struct req *r, char *dept, size_t dsz)
{
	int rc;

	dept[0] = '\0';
	rc = db_scalar(r->ctx, "SELECT COALESCE(department, '') FROM staff WHERE id = ?",
	    DBARGS(DBS(r->sess.subject)), dept, dsz);
	return rc < 0 ? rc : 0;
}

int
h_consult_referrals(struct req *r)
{
	json_t *responsible = json_array(), *incoming = json_array(), *open = json_array();
	char dept[40];
	int rc;

	rc = 0;
	if (r->sess.role & (ROLE_MANAGER | ROLE_ADMIN))
		rc = db_query(r->ctx, C_COLS "WHERE r.hall = ? AND r.ref_status = 'open'"
		    " ORDER BY r.created_at, r.id LIMIT 200", DBARGS(DBS(r->sess.hall)),
		    record_row, open);
	if (rc >= 0)
		rc = db_query(r->ctx, C_COLS "WHERE r.hall = ? AND r.clerk = ? AND"
		    " r.ref_status = 'open' ORDER BY r.created_at, r.id LIMIT 200",
		    DBARGS(DBS(r->sess.hall), DBS(r->sess.subject)), record_row, responsible);
	if (rc >= 0)
		rc = my_department(r, dept, sizeof dept);
	if (rc >= 0)
		rc = db_query(r->ctx, C_COLS "WHERE r.hall = ? AND r.ref_status = 'open' AND"
		    " ((r.ref_kind = 'staff' AND r.ref_staff = ?) OR"
		    "  (r.ref_kind = 'window' AND r.ref_window = ?) OR"
		    "  (r.ref_kind = 'department' AND r.ref_department = ?))"
		    " ORDER BY r.created_at, r.id LIMIT 200",
		    DBARGS(DBS(r->sess.hall), DBS(r->sess.subject), DBI(r->sess.window),
		    DBS(dept)), record_row, incoming);
	if (rc < 0) {
		json_decref(responsible);
		json_decref(incoming);
		json_decref(open);
		return db_fail(r, rc);
	}
	if (r->sess.role & (ROLE_MANAGER | ROLE_ADMIN))
		return req_ok(r, 200, json_pack("{s:o,s:o,s:o}", "open", open,
		    "responsible", responsible, "incoming", incoming));
	json_decref(open);
	return req_ok(r, 200, json_pack("{s:o,s:o}", "responsible", responsible,
	    "incoming", incoming));
}

/* ------------------------------------------------------------------ accepting */

struct accept_arg {
	struct req	*r;
	long long	 id;
	const char	*dept;
	int		 refused;	/* E_* kind */
	const char	*why;
};

struct ref_row {
	char		 kind[16];
	long long	 window;
	char		 dept[40];
	char		 staff[24];
	char		 status[12];
};

static const struct db_col ref_cols[] = {
	DBC_S(struct ref_row, kind), DBC_I(struct ref_row, window, 0, 65535),
	DBC_S(struct ref_row, dept), DBC_S(struct ref_row, staff), DBC_S(struct ref_row, status),
};

static int
accept_tx(struct ctx *c, void *arg)
{
	struct accept_arg *a = arg;
	struct req *r = a->r;
	struct ref_row f;
	char now[32], target[48];
	uint64_t n = 0;
	int rc, mine;

	memset(&f, 0, sizeof f);
	a->refused = 0;
	rc = db_row_into(c, "SELECT ref_kind, ref_window, ref_department, ref_staff, ref_status"
	    " FROM consult_records WHERE id = ? AND hall = ? FOR UPDATE",
	    DBARGS(DBI(a->id), DBS(r->sess.hall)), DB_COLS(ref_cols), &f);
	if (rc < 0)
		return rc;
	if (rc == 0 || f.kind[0] == '\0') {
		a->why = "没有这个转交";
		return a->refused = E_NOT_FOUND;
	}
	if (strcmp(f.status, "open") != 0) {
		a->why = "该转交已被接收";
		return a->refused = E_INVALID_STATE;
	}
	mine = (strcmp(f.kind, "staff") == 0 && strcmp(f.staff, r->sess.subject) == 0) ||
	    (strcmp(f.kind, "window") == 0 && r->sess.window > 0 && f.window == r->sess.window) ||
	    (strcmp(f.kind, "department") == 0 && a->dept[0] && strcmp(f.dept, a->dept) == 0);
	if (!mine) {
		a->why = "只有被转交的窗口、部门或工作人员可以接收";
		return a->refused = E_FORBIDDEN;
	}
	sql_now(now, sizeof now);
	rc = db_exec(c, "UPDATE consult_records SET ref_status = 'accepted', accepted_by = ?,"
	    " accepted_at = ? WHERE id = ? AND ref_status = 'open'",
	    DBARGS(DBS(r->sess.subject), DBS(now), DBI(a->id)), &n, NULL);
	if (rc != 0)
		return rc;
	if (n != 1)
		return DB_RETRY;
	fmt(target, sizeof target, "consult:%lld", a->id);
	audit(r, "consult.accept", target, "ok", f.kind);
	return 0;
}

int
h_consult_referral_accept(struct req *r)
{
	struct accept_arg a;
	json_t *list;
	char dept[40];
	long long id;
	int rc;

	if (parse_ll(r->pathv[0], 1, INT64_MAX, &id) != 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这个转交");
	if ((rc = my_department(r, dept, sizeof dept)) < 0)
		return db_fail(r, rc);
	memset(&a, 0, sizeof a);
	a.r = r;
	a.id = id;
	a.dept = dept;
	if ((rc = db_tx(r->ctx, accept_tx, &a)) != 0) {
		if (a.refused)
			return req_err_msg(r, a.refused, a.why);
		return db_fail(r, rc);
	}
	list = json_array();
	if ((rc = db_query(r->ctx, C_COLS "WHERE r.id = ?", DBARGS(DBI(id)), record_row,
	    list)) < 0 || json_array_size(list) != 1) {
		json_decref(list);
		return rc < 0 ? db_fail(r, rc) : req_bug(r, "accepted referral vanished");
	}
	rc = req_ok(r, 200, json_pack("{s:O}", "record", json_array_get(list, 0)));
	json_decref(list);
	return rc;
}
