/*
 * results_view.c — a result as it is read: loading it (by its public id, for staff of its
 * hall, for the citizen of its case), its JSON for staff, the applicant, the tracking page
 * and the verify page, and its PDF.  The public view never reads the applicant's sealed
 * columns: only the masked name the result was issued with.
 *
 * Tables: results, cases, citizens (the caller's phone hash), result_downloads (insert)
 */
#include "results_int.h"
#include "../shared/pii.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <stdlib.h>
#include <string.h>

const char *
result_status_label(const char *s)
{
	if (strcmp(s, "valid") == 0)
		return "有效";
	if (strcmp(s, "revoked") == 0)
		return "已撤销";
	if (strcmp(s, "replaced") == 0)
		return "已被替换";
	return "无效";
}

#define RESULT_COLS \
	"SELECT r.id, r.vid, r.kind, r.title, r.number, r.holder_mask, r.issuer," \
	" DATE_FORMAT(r.issued_on, '%Y-%m-%d'), DATE_FORMAT(r.valid_until, '%Y-%m-%d')," \
	" r.hall, r.department, r.item, r.status, r.case_id, c.no, r.electronic, r.licence_id," \
	" r.replaced_by, r.replaces_id, DATE_FORMAT(r.changed_at, '%Y-%m-%dT%H:%i:%s+08:00')," \
	" r.change_reason, n.number, c.status FROM results r JOIN cases c ON c.id = r.case_id" \
	" LEFT JOIN results n ON n.id = r.replaced_by "

struct rows {
	struct result_row	*v;
	size_t			 n, max;
};

#define RR(m)	DBC_S(struct result_row, m)
#define RRI(m)	DBC_I(struct result_row, m, 0, INT64_MAX)
/* The columns of RESULT_COLS, in order. */
static const struct db_col result_cols[] = {
	RRI(id), RR(f.vid), RR(f.kind), RR(f.title), RR(f.number), RR(f.holder), RR(f.issuer),
	RR(f.issued_on), RR(f.valid_until), RR(hall), RR(department), RR(item), RR(status),
	RRI(case_id), RR(case_no), DBC_B(struct result_row, electronic), RRI(licence_id),
	RRI(replaced_by), RRI(replaces_id), RR(changed_at), RR(change_reason),
	RR(replaced_by_number), RR(case_status),
};
#undef RR
#undef RRI

/* Every row of sql (RESULT_COLS ...) into rs, as many as it holds.  Rows or a DB_* code. */
static int
result_rows(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs,
    struct rows *rs)
{
	int rc = db_rows_into(c, sql, args, nargs, DB_COLS(result_cols), rs->v, sizeof *rs->v,
	    rs->max);

	rs->n = rc < 0 ? 0 : (size_t)rc < rs->max ? (size_t)rc : rs->max;
	return rc;
}

int
result_load(struct ctx *c, const char *vid, struct result_row *out)
{
	struct rows rs = { out, 0, 1 };
	int rc;

	if (strlen(vid) != RESULT_VID_LEN || !token_ok(vid, RESULT_VID_LEN))
		return 0;
	rc = result_rows(c, RESULT_COLS "WHERE r.vid = ?", DBARGS(DBS(vid)), &rs);
	return rc < 0 ? rc : rs.n > 0;
}

int
result_load_staff(struct ctx *c, const char *vid, const char *hall, const char *department,
    struct result_row *x)
{
	int rc = result_load(c, vid, x);

	if (rc > 0 && strcmp(x->hall, hall) != 0)
		rc = 0;
	if (rc > 0 && department != NULL && strcmp(x->department, department) != 0)
		rc = 0;
	return rc;
}

/* The results of a case, oldest first, into rs (calloc'd: free(rs->v)).  0 or DB_*. */
static int
case_rows(struct ctx *c, long long case_id, struct rows *rs)
{
	int rc;

	rs->n = 0;
	rs->max = 32;
	if ((rs->v = calloc(rs->max, sizeof *rs->v)) == NULL)
		return DB_FAIL;
	rc = result_rows(c, RESULT_COLS "WHERE r.case_id = ? ORDER BY r.id", DBARGS(DBI(case_id)),
	    rs);
	return rc < 0 ? rc : 0;
}

json_t *
result_fields_json(const struct result_row *x)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o}",
	    "vid", x->f.vid, "kind", x->f.kind, "kind_label", result_kind_label(x->f.kind),
	    "title", x->f.title, "number", x->f.number, "holder", x->f.holder,
	    "issuer", x->f.issuer, "issued_on", x->f.issued_on,
	    "status", x->status, "status_label", result_status_label(x->status),
	    "valid_until", x->f.valid_until[0] ? json_string(x->f.valid_until) : json_null());
}

int
result_add_joined(struct ctx *c, const struct result_row *x, json_t *o)
{
	struct result_row *v;
	struct rows rs;
	json_t *a;
	size_t i;
	int rc;

	if ((v = calloc(16, sizeof *v)) == NULL)
		return DB_FAIL;
	rs.v = v;
	rs.n = 0;
	rs.max = 16;
	if (strcmp(x->f.kind, "licence") == 0)
		rc = result_rows(c, RESULT_COLS "WHERE r.licence_id = ? ORDER BY r.id",
		    DBARGS(DBI(x->id)), &rs);
	else if (x->licence_id != 0)
		rc = result_rows(c, RESULT_COLS "WHERE r.id = ?", DBARGS(DBI(x->licence_id)), &rs);
	else
		rc = 0;
	if (rc >= 0) {
		a = json_array();
		for (i = 0; i < rs.n; i++)
			json_array_append_new(a, result_fields_json(&v[i]));
		if (strcmp(x->f.kind, "licence") == 0)
			json_object_set_new(o, "permits", a);
		else if (rs.n > 0) {
			json_object_set(o, "licence", json_array_get(a, 0));
			json_decref(a);
		} else
			json_decref(a);
		rc = 0;
	}
	free(v);
	return rc;
}

int
result_json(struct ctx *c, const struct result_row *x, json_t **out)
{
	json_t *o = result_fields_json(x);
	char qr[RESULT_QR_MAX];
	int rc;

	json_object_set_new(o, "case_no", json_string(x->case_no));
	json_object_set_new(o, "electronic", json_boolean(x->electronic));
	json_object_set_new(o, "replaced_by", x->replaced_by_number[0] ?
	    json_string(x->replaced_by_number) : json_null());
	json_object_set_new(o, "changed_at", x->changed_at[0] ? json_string(x->changed_at) :
	    json_null());
	json_object_set_new(o, "change_reason", x->change_reason[0] ?
	    json_string(x->change_reason) : json_null());
	if (result_qr_text(&x->f, qr, sizeof qr) != 0) {
		json_decref(o);
		return DB_FAIL;
	}
	json_object_set_new(o, "qr_text", json_string(qr));
	if ((rc = result_add_joined(c, x, o)) != 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}

/* One result of a case as an element of an array.  0 or a DB_* code. */
typedef int (*row_json_fn)(struct ctx *c, const struct result_row *x, int citizen,
    json_t **o);

/* The results of a case, oldest first, each as fn makes it, as an array. */
static int
case_results_map(struct ctx *c, long long case_id, int citizen, row_json_fn fn,
    json_t **out)
{
	struct rows rs;
	json_t *a = json_array(), *o;
	size_t i;
	int rc = case_rows(c, case_id, &rs);

	for (i = 0; rc == 0 && i < rs.n; i++)
		if ((rc = fn(c, &rs.v[i], citizen, &o)) == 0)
			json_array_append_new(a, o);
	free(rs.v);
	if (rc != 0) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return 0;
}

/* A result for staff or its applicant: with pdf_url for the citizen when it is electronic
 * and valid. */
static int
case_row_json(struct ctx *c, const struct result_row *x, int citizen, json_t **o)
{
	char url[160];
	int rc;

	if ((rc = result_json(c, x, o)) != 0)
		return rc;
	if (citizen && x->electronic && strcmp(x->status, "valid") == 0) {
		fmt(url, sizeof url, "/api/v1/me/cases/%s/results/%s/pdf", x->case_no, x->f.vid);
		json_object_set_new(*o, "pdf_url", json_string(url));
	}
	return 0;
}

int
results_case_json(struct ctx *c, long long case_id, int citizen, json_t **out)
{
	return case_results_map(c, case_id, citizen, case_row_json, out);
}

/* A result on the tracking page: its fields and verify_url (the QR text). */
static int
track_row_json(struct ctx *c, const struct result_row *x, int citizen, json_t **o)
{
	char qr[RESULT_QR_MAX];

	(void)c;
	(void)citizen;
	if (result_qr_text(&x->f, qr, sizeof qr) != 0)
		return DB_FAIL;
	*o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:o,s:b,s:s}",
	    "vid", x->f.vid, "kind", x->f.kind, "kind_label", result_kind_label(x->f.kind),
	    "title", x->f.title, "number", x->f.number, "issuer", x->f.issuer,
	    "issued_on", x->f.issued_on,
	    "valid_until", x->f.valid_until[0] ? json_string(x->f.valid_until) : json_null(),
	    "status", x->status, "status_label", result_status_label(x->status),
	    "replaced_by", x->replaced_by_number[0] ? json_string(x->replaced_by_number) :
	    json_null(), "electronic", x->electronic, "verify_url", qr);
	return 0;
}

/*
 * The results on the citizen's tracking page (GET /track/{token}): what was issued and where
 * to check it, never the PDF (the tracking token is not the applicant's sign-in) nor the
 * holder (the page already shows the masked applicant).  Oldest first.  0 or a DB_* code.
 */
int
results_track_json(struct ctx *c, long long case_id, json_t **out)
{
	return case_results_map(c, case_id, 0, track_row_json, out);
}

int
results_my_case(struct ctx *c, const char *citizen, const char *no, long long *id)
{
	char ph[PII_HASH_HEX];
	int rc;

	*id = 0;
	if (strlen(no) >= CASE_NO_MAX)
		return 0;
	if (db_scalar(c, "SELECT phone_hash FROM citizens WHERE id = ?", DBARGS(DBS(citizen)), ph,
	    sizeof ph) <= 0)
		ph[0] = '\0';
	rc = db_query(c, "SELECT id FROM cases WHERE no = ? AND (citizen = ?"
	    " OR (? <> '' AND (applicant_phone_hash = ? OR agent_phone_hash = ?)))",
	    DBARGS(DBS(no), DBS(citizen), DBS(ph), DBS(ph), DBS(ph)), db_ll_row, id);
	if (rc < 0)
		return rc;
	return rc > 0 && *id != 0;
}

/* "title number（status）；…" of the permits joined to a licence (一照通). */
static int
permit_line(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct buf *b = arg;

	(void)ncol;
	(void)lens;
	buf_addf(b, "%s%s %s（%s）", b->len ? "；" : "", v[0], v[1], result_status_label(v[2]));
	return 0;
}

/* The label/value lines of a result's page (NULL-terminated pairs; lines ≥ 20). */
static void
pdf_lines(const struct result_row *x, const char *kind, const char *permits,
    const char **lines)
{
	size_t n = 0;

	lines[n++] = "编号";
	lines[n++] = x->f.number;
	lines[n++] = "类别";
	lines[n++] = kind;
	lines[n++] = "持有人";
	lines[n++] = x->f.holder;
	lines[n++] = "发证机关";
	lines[n++] = x->f.issuer;
	lines[n++] = "发证日期";
	lines[n++] = x->f.issued_on;
	lines[n++] = "有效期至";
	lines[n++] = x->f.valid_until[0] ? x->f.valid_until : "长期";
	lines[n++] = "办件编号";
	lines[n++] = x->case_no;
	if (permits && permits[0]) {
		lines[n++] = "关联许可";
		lines[n++] = permits;
	}
	lines[n++] = NULL;
	lines[n] = NULL;
}

int
result_pdf_make(struct ctx *c, const struct result_row *x, const char *citizen,
    long long staff, struct buf *out)
{
	char qr[RESULT_QR_MAX], now[20], kind[64];
	const char *lines[20];
	struct buf permits;
	int rc;

	if (result_qr_text(&x->f, qr, sizeof qr) != 0)
		return E_UNAVAILABLE;	/* no key loaded */
	buf_init(&permits, 8192);
	if (strcmp(x->f.kind, "licence") == 0 && (rc = db_query(c, "SELECT title, number,"
	    " status FROM results WHERE licence_id = ? ORDER BY id", DBARGS(DBI(x->id)),
	    permit_line, &permits)) < 0) {
		buf_free(&permits);
		return rc;
	}
	buf_add(&permits, "", 1);
	fmt(kind, sizeof kind, "%s", result_kind_label(x->f.kind));
	pdf_lines(x, kind, permits.data, lines);
	rc = pdf_document(x->f.title, lines, qr, "扫码核验真伪（有效 / 已撤销 / 已被替换 / 无效）",
	    x->f.issuer, out);
	buf_free(&permits);
	if (rc != 0)
		return E_INTERNAL;
	case_now(now);
	return db_exec(c, "INSERT INTO result_downloads (result_id, citizen, staff_id, at)"
	    " VALUES (?, ?, ?, ?)", DBARGS(DBI(x->id), DBSO(citizen), staff ? DBI(staff) : DBN,
	    DBS(now)), NULL, NULL);
}
