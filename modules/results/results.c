/*
 * results.c — the result of a case as a record (办理结果: 证照、决定书), its public
 * verification, revocation and replacement, and its electronic delivery.
 *
 * Routes: GET  /results/public-key               the instance's Ed25519 public key (public)
 *         GET  /verify/{vid}                     what the verify page shows (public; nginx
 *                                                rate-limits /api/v1/verify/ like tracking)
 *         GET  /cases/{no}/results               staff: the case's results with their QR text
 *         GET  /results/{vid}/pdf                staff: print the result (recorded)
 *         POST /results/{vid}/revoke             manager, admin: 撤销 (audited)
 *         POST /results/{vid}/replace            manager, admin: 换发 a new one (audited)
 *         GET  /me/cases/{no}/results            the applicant (or agent): the case's results
 *         GET  /me/cases/{no}/results/{vid}/pdf  the applicant: electronic delivery (recorded)
 * Tables: results, result_downloads, cases, case_parts, items, departments, staff, audit_log
 * Redis:  none
 *
 * A result is recorded in the transaction that decides its case (results_record, called by
 * cases_actions.c and cases_accept.c), so an approved case without its result cannot exist.
 * Revoke and replace are guarded UPDATEs (… WHERE status = 'valid'): of two managers acting
 * at once one wins, the other gets 409 RESULT_NOT_VALID.  The public view never reads the
 * applicant's sealed columns: only the masked name the result was issued with.
 */
#include "handlers.h"
#include "../shared/audit.h"
#include "../cases/cases.h"
#include "../shared/pii.h"
#include "results.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFLICT 409

struct result_row {
	long long		 id, case_id, licence_id, replaced_by, replaces_id;
	struct result_fields	 f;
	char			 hall[32];
	char			 department[32];
	char			 item[48];
	char			 status[12];
	char			 case_no[CASE_NO_MAX];
	int			 electronic;
	char			 changed_at[20];
	char			 change_reason[604];
	char			 replaced_by_number[68];
	char			 case_status[24];
};

static const char *
status_label(const char *s)
{
	if (strcmp(s, "valid") == 0)
		return "有效";
	if (strcmp(s, "revoked") == 0)
		return "已撤销";
	if (strcmp(s, "replaced") == 0)
		return "已被替换";
	return "无效";
}

/* ---------------------------------------------------------------- recording */

struct part {
	long long	 seq, years;
	int		 electronic;
	char		 item[48], department[32], issuer[304], kind[16], title[184];
	char		 no[CASE_NO_MAX], holder[68], hall[32];
};

struct parts {
	struct part	 p[16];
	size_t		 n;
};

static int
part_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct parts *ps = arg;
	struct part *p;

	(void)ncol;
	(void)lens;
	if (ps->n >= sizeof ps->p / sizeof ps->p[0])
		return 1;
	p = &ps->p[ps->n++];
	parse_ll(v[0], 0, 255, &p->seq);
	str_copy(p->item, sizeof p->item, v[1]);
	str_copy(p->department, sizeof p->department, v[2]);
	str_copy(p->issuer, sizeof p->issuer, v[3]);
	str_copy(p->kind, sizeof p->kind, v[4]);
	str_copy(p->title, sizeof p->title, v[5]);
	parse_ll(v[6], 0, 99, &p->years);
	p->electronic = v[7][0] == '1';
	str_copy(p->no, sizeof p->no, v[8]);
	str_copy(p->holder, sizeof p->holder, v[9]);
	str_copy(p->hall, sizeof p->hall, v[10]);
	return 0;
}

static int
id_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	long long *id = arg;

	(void)ncol;
	(void)lens;
	parse_ll(v[0], 0, INT64_MAX, id);
	return 1;
}

/* A new public id: 10 random bytes, hex. */
static void
vid_new(char out[RESULT_VID_LEN + 1])
{
	unsigned char b[RESULT_VID_LEN / 2];

	randombytes_buf(b, sizeof b);
	hex_encode(out, b, sizeof b);
}

int
results_record(struct ctx *c, long long case_id, const char *now, int approved,
    const char *department)
{
	struct parts *ps;
	long long licence = 0;
	size_t i;
	int rc;

	if ((ps = calloc(1, sizeof *ps)) == NULL)
		return DB_FAIL;
	rc = db_query(c, "SELECT p.seq, p.item, p.department, d.name, i.result_kind,"
	    " i.result_name, i.result_valid_years, i.result_electronic, c.no,"
	    " c.applicant_name_mask, c.hall FROM case_parts p JOIN items i ON i.id = p.item"
	    " JOIN departments d ON d.code = p.department JOIN cases c ON c.id = p.case_id"
	    " WHERE p.case_id = ? AND (? = 1 OR p.department = ?) ORDER BY p.seq",
	    DBARGS(DBI(case_id), DBI(approved), DBS(department ? department : "")), part_row, ps);
	if (rc < 0)
		goto out;
	rc = 0;
	for (i = 0; i < ps->n && rc == 0; i++) {
		struct part *p = &ps->p[i];
		char vid[RESULT_VID_LEN + 1], number[68];
		const char *kind = approved ? p->kind : "refusal";
		const char *title = !approved ? "不予许可决定书" :
		    p->title[0] ? p->title : "准予许可决定书";
		uint64_t id = 0;

		vid_new(vid);
		fmt(number, sizeof number, "%s-%lld", p->no, p->seq);
		rc = db_exec(c, "INSERT INTO results (vid, hall, case_id, item, department, kind,"
		    " title, number, holder_mask, issuer, issued_on, valid_until, electronic,"
		    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, DATE(?),"
		    " IF(? > 0, DATE_SUB(DATE_ADD(DATE(?), INTERVAL ? YEAR), INTERVAL 1 DAY), NULL),"
		    " ?, ?)",
		    DBARGS(DBS(vid), DBS(p->hall), DBI(case_id), DBS(p->item), DBS(p->department),
		    DBS(kind), DBS(title), DBS(number), DBS(p->holder), DBS(p->issuer), DBS(now),
		    DBI(approved ? p->years : 0), DBS(now), DBI(approved ? p->years : 0),
		    DBI(approved && p->electronic), DBS(now)), NULL, &id);
		if (rc == 0 && approved && strcmp(kind, "licence") == 0 && licence == 0)
			licence = (long long)id;
		if (!approved)
			break;	/* one 不予许可决定书 for the rejected part */
	}
	/* 一照通: the case's permits are joined to its licence. */
	if (rc == 0 && licence != 0)
		rc = db_exec(c, "UPDATE results SET licence_id = ? WHERE case_id = ?"
		    " AND kind = 'permit' AND licence_id IS NULL", DBARGS(DBI(licence), DBI(case_id)),
		    NULL, NULL);
out:
	free(ps);
	return rc;
}

void
results_page_url(char *out, size_t osz)
{
	const char *base = config_get("public_base_url", "");
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	if (fmt(out, osz, "%.*s/my-cases.html", (int)n, base) < 0)
		out[0] = '\0';
}

/* ---------------------------------------------------------------- loading */

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

static int
result_row_fn(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct rows *rs = arg;
	struct result_row *x;

	(void)ncol;
	(void)lens;
	if (rs->n >= rs->max)
		return 1;
	x = &rs->v[rs->n++];
	memset(x, 0, sizeof *x);
	parse_ll(v[0], 0, INT64_MAX, &x->id);
	str_copy(x->f.vid, sizeof x->f.vid, v[1]);
	str_copy(x->f.kind, sizeof x->f.kind, v[2]);
	str_copy(x->f.title, sizeof x->f.title, v[3]);
	str_copy(x->f.number, sizeof x->f.number, v[4]);
	str_copy(x->f.holder, sizeof x->f.holder, v[5]);
	str_copy(x->f.issuer, sizeof x->f.issuer, v[6]);
	str_copy(x->f.issued_on, sizeof x->f.issued_on, v[7]);
	str_copy(x->f.valid_until, sizeof x->f.valid_until, v[8] ? v[8] : "");
	str_copy(x->hall, sizeof x->hall, v[9]);
	str_copy(x->department, sizeof x->department, v[10]);
	str_copy(x->item, sizeof x->item, v[11]);
	str_copy(x->status, sizeof x->status, v[12]);
	parse_ll(v[13], 0, INT64_MAX, &x->case_id);
	str_copy(x->case_no, sizeof x->case_no, v[14]);
	x->electronic = v[15][0] == '1';
	if (v[16])
		parse_ll(v[16], 0, INT64_MAX, &x->licence_id);
	if (v[17])
		parse_ll(v[17], 0, INT64_MAX, &x->replaced_by);
	if (v[18])
		parse_ll(v[18], 0, INT64_MAX, &x->replaces_id);
	str_copy(x->changed_at, sizeof x->changed_at, v[19] ? v[19] : "");
	str_copy(x->change_reason, sizeof x->change_reason, v[20] ? v[20] : "");
	str_copy(x->replaced_by_number, sizeof x->replaced_by_number, v[21] ? v[21] : "");
	str_copy(x->case_status, sizeof x->case_status, v[22]);
	return 0;
}

/* One result by its public id. 1, 0 or a DB_* code. */
static int
result_load(struct ctx *c, const char *vid, struct result_row *out)
{
	struct rows rs = { out, 0, 1 };
	int rc;

	if (strlen(vid) != RESULT_VID_LEN || !token_ok(vid, RESULT_VID_LEN))
		return 0;
	rc = db_query(c, RESULT_COLS "WHERE r.vid = ?", DBARGS(DBS(vid)), result_row_fn, &rs);
	return rc < 0 ? rc : rs.n > 0;
}

/* ---------------------------------------------------------------- JSON */

static json_t *
fields_json(const struct result_row *x)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o}",
	    "vid", x->f.vid, "kind", x->f.kind, "kind_label", result_kind_label(x->f.kind),
	    "title", x->f.title, "number", x->f.number, "holder", x->f.holder,
	    "issuer", x->f.issuer, "issued_on", x->f.issued_on,
	    "status", x->status, "status_label", status_label(x->status),
	    "valid_until", x->f.valid_until[0] ? json_string(x->f.valid_until) : json_null());
}

/* Permits joined to a licence, or the licence a permit is joined to (一照通). */
static int
add_joined(struct ctx *c, const struct result_row *x, json_t *o)
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
		rc = db_query(c, RESULT_COLS "WHERE r.licence_id = ? ORDER BY r.id",
		    DBARGS(DBI(x->id)), result_row_fn, &rs);
	else if (x->licence_id != 0)
		rc = db_query(c, RESULT_COLS "WHERE r.id = ?", DBARGS(DBI(x->licence_id)),
		    result_row_fn, &rs);
	else
		rc = 0;
	if (rc >= 0) {
		a = json_array();
		for (i = 0; i < rs.n; i++)
			json_array_append_new(a, fields_json(&v[i]));
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

/* Everything a holder or staff sees of a result, the QR text included. */
static int
result_json(struct ctx *c, const struct result_row *x, int with_qr, json_t **out)
{
	json_t *o = fields_json(x);
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
	if (with_qr) {
		if (result_qr_text(&x->f, qr, sizeof qr) != 0) {
			json_decref(o);
			return DB_FAIL;
		}
		json_object_set_new(o, "qr_text", json_string(qr));
	}
	if ((rc = add_joined(c, x, o)) != 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}

/* The results of a case, newest last, as an array. 0 or a DB_* code. */
static int
case_results_json(struct req *r, long long case_id, int citizen, json_t **out)
{
	struct result_row *v;
	struct rows rs;
	json_t *a = json_array(), *o;
	size_t i;
	int rc;

	if ((v = calloc(32, sizeof *v)) == NULL)
		return DB_FAIL;
	rs.v = v;
	rs.n = 0;
	rs.max = 32;
	rc = db_query(r->ctx, RESULT_COLS "WHERE r.case_id = ? ORDER BY r.id",
	    DBARGS(DBI(case_id)), result_row_fn, &rs);
	for (i = 0; rc >= 0 && i < rs.n; i++) {
		if ((rc = result_json(r->ctx, &v[i], 1, &o)) != 0)
			break;
		if (citizen && v[i].electronic && strcmp(v[i].status, "valid") == 0) {
			char url[160];

			fmt(url, sizeof url, "/api/v1/me/cases/%s/results/%s/pdf", v[i].case_no,
			    v[i].f.vid);
			json_object_set_new(o, "pdf_url", json_string(url));
		}
		json_array_append_new(a, o);
	}
	free(v);
	if (rc < 0) {
		json_decref(a);
		return rc;
	}
	*out = a;
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
	struct result_row *v;
	struct rows rs;
	char qr[RESULT_QR_MAX];
	json_t *a, *o;
	size_t i;
	int rc;

	if ((v = calloc(32, sizeof *v)) == NULL)
		return DB_FAIL;
	rs.v = v;
	rs.n = 0;
	rs.max = 32;
	rc = db_query(c, RESULT_COLS "WHERE r.case_id = ? ORDER BY r.id", DBARGS(DBI(case_id)),
	    result_row_fn, &rs);
	a = json_array();
	for (i = 0; rc >= 0 && i < rs.n; i++) {
		const struct result_row *x = &v[i];

		if (result_qr_text(&x->f, qr, sizeof qr) != 0) {
			rc = DB_FAIL;
			break;
		}
		o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:o,s:b,s:s}",
		    "vid", x->f.vid, "kind", x->f.kind, "kind_label", result_kind_label(x->f.kind),
		    "title", x->f.title, "number", x->f.number, "issuer", x->f.issuer,
		    "issued_on", x->f.issued_on,
		    "valid_until", x->f.valid_until[0] ? json_string(x->f.valid_until) : json_null(),
		    "status", x->status, "status_label", status_label(x->status),
		    "replaced_by", x->replaced_by_number[0] ? json_string(x->replaced_by_number) :
		    json_null(), "electronic", x->electronic, "verify_url", qr);
		json_array_append_new(a, o);
	}
	free(v);
	if (rc < 0) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return 0;
}

/* ---------------------------------------------------------------- public routes */

/* GET /results/public-key */
int
h_result_public_key(struct req *r)
{
	char pk[RESULT_PK_B64], id[17];

	if (result_public_key_b64(pk, id) != 0)
		return req_unavailable(r);
	req_header(r, "Cache-Control", "public, max-age=3600");
	return req_ok(r, 200, json_pack("{s:s,s:s,s:s,s:s}", "alg", "Ed25519", "public_key", pk,
	    "key_id", id, "encoding", "base64url"));
}

/* GET /verify/{vid}: the record behind a QR, for the verify page (no PII but the mask). */
int
h_result_verify(struct req *r)
{
	struct result_row x;
	json_t *o;
	int rc = result_load(r->ctx, r->pathv[0], &x);

	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这个办理结果，该二维码无效");
	o = fields_json(&x);
	json_object_set_new(o, "replaced_by", x.replaced_by_number[0] ?
	    json_string(x.replaced_by_number) : json_null());
	json_object_set_new(o, "changed_at", x.changed_at[0] ? json_string(x.changed_at) :
	    json_null());
	if ((rc = add_joined(r->ctx, &x, o)) != 0) {
		json_decref(o);
		return db_fail(r, rc);
	}
	req_header(r, "Cache-Control", "no-store");
	return req_ok(r, 200, json_pack("{s:o}", "result", o));
}

/* ---------------------------------------------------------------- staff routes */

/* GET /cases/{no}/results */
int
h_case_results(struct req *r)
{
	struct case_row cr;
	json_t *a;
	int rc = case_load(r->ctx, r->sess.hall, r->pathv[0], &cr);

	sodium_memzero(cr.phone, sizeof cr.phone);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0 || !case_visible(&r->sess, &cr))
		return req_fail(r, 404, "NOT_FOUND", "没有这个办件");
	if ((rc = case_results_json(r, cr.id, 0, &a)) != 0)
		return db_fail(r, rc);
	return req_ok(r, 200, json_pack("{s:s,s:o}", "case_no", cr.no, "results", a));
}

/* A result of the caller's hall (staff). 1, 0 or a DB_* code. */
static int
staff_result(struct req *r, struct result_row *x)
{
	int rc = result_load(r->ctx, r->pathv[0], x);

	if (rc > 0 && strcmp(x->hall, r->sess.hall) != 0)
		rc = 0;
	if (rc > 0 && r->sess.role == ROLE_APPROVER &&
	    strcmp(x->department, r->sess.department) != 0)
		rc = 0;
	return rc;
}

struct change {
	const char	*reason;
	const char	*valid_until;
	char		 now[20];
	long long	 staff;
	uint64_t	 new_id;
	char		 new_vid[RESULT_VID_LEN + 1];
};

static int
change_parse(struct req *r, struct change *ch, int replace)
{
	long long y, m, d;

	in_str(r, r->body, "reason", 1, 1, 200, &ch->reason);
	if (replace)
		in_str(r, r->body, "valid_until", 0, 10, 10, &ch->valid_until);
	if (ch->valid_until && (sscanf(ch->valid_until, "%4lld-%2lld-%2lld", &y, &m, &d) != 3 ||
	    ch->valid_until[4] != '-' || ch->valid_until[7] != '-' || y < 2000 || y > 2199 ||
	    m < 1 || m > 12 || d < 1 || d > 31))
		req_fail_field(r, "valid_until", "请按 YYYY-MM-DD 填写有效期至");
	if (in_has_errors(r))
		return req_invalid(r);
	parse_ll(r->sess.subject, 1, INT64_MAX, &ch->staff);
	case_now(ch->now);
	return 0;
}

static int
revoke_tx(struct req *r, struct result_row *x, struct change *ch)
{
	uint64_t n = 0;
	int rc;

	rc = db_exec(r->ctx, "UPDATE results SET status = 'revoked', changed_at = ?,"
	    " changed_by = ?, change_reason = ? WHERE id = ? AND status = 'valid'",
	    DBARGS(DBS(ch->now), DBI(ch->staff), DBS(ch->reason), DBI(x->id)), &n, NULL);
	if (rc == 0 && n != 1)
		return CONFLICT;
	if (rc == 0)
		rc = case_history_add(r->ctx, &r->sess, x->case_id, ch->now, "result_revoke", x->case_status,
		    x->case_status,
		    x->department, ch->reason, "办理结果已撤销");
	return rc;
}

static int
replace_tx(struct req *r, struct result_row *x, struct change *ch)
{
	char number[68], base[68], *p;
	long long gen = 0;
	uint64_t n = 0;
	int rc;

	/* Number: the original's, with -R<n> for the n-th replacement. */
	str_copy(base, sizeof base, x->f.number);
	if ((p = strstr(base, "-R")) != NULL)
		*p = '\0';
	rc = db_query(r->ctx, "SELECT COUNT(*) FROM results WHERE case_id = ? AND item = ?"
	    " AND kind = ?", DBARGS(DBI(x->case_id), DBS(x->item), DBS(x->f.kind)), id_row, &gen);
	if (rc < 0)
		return rc;
	fmt(number, sizeof number, "%s-R%lld", base, gen);
	vid_new(ch->new_vid);
	rc = db_exec(r->ctx, "INSERT INTO results (vid, hall, case_id, item, department, kind,"
	    " title, number, holder_mask, issuer, issued_on, valid_until, electronic, licence_id,"
	    " replaces_id, created_at) SELECT ?, hall, case_id, item, department, kind, title, ?,"
	    " holder_mask, issuer, DATE(?), IF(? = '', valid_until, ?), electronic, licence_id,"
	    " id, ? FROM results WHERE id = ? AND status = 'valid'",
	    DBARGS(DBS(ch->new_vid), DBS(number), DBS(ch->now),
	    DBS(ch->valid_until ? ch->valid_until : ""),
	    DBS(ch->valid_until ? ch->valid_until : "2000-01-01"), DBS(ch->now), DBI(x->id)),
	    &n, &ch->new_id);
	if (rc == 0 && n != 1)
		return CONFLICT;
	if (rc == 0)
		rc = db_exec(r->ctx, "UPDATE results SET status = 'replaced', replaced_by = ?,"
		    " changed_at = ?, changed_by = ?, change_reason = ? WHERE id = ?"
		    " AND status = 'valid'", DBARGS(DBI(ch->new_id), DBS(ch->now), DBI(ch->staff),
		    DBS(ch->reason), DBI(x->id)), &n, NULL);
	if (rc == 0 && n != 1)
		return CONFLICT;
	/* A replaced licence keeps its permits: they now hang on the new one. */
	if (rc == 0 && strcmp(x->f.kind, "licence") == 0)
		rc = db_exec(r->ctx, "UPDATE results SET licence_id = ? WHERE licence_id = ?"
		    " AND id <> ?", DBARGS(DBI(ch->new_id), DBI(x->id), DBI(ch->new_id)), NULL, NULL);
	if (rc == 0)
		rc = case_history_add(r->ctx, &r->sess, x->case_id, ch->now, "result_replace", x->case_status,
		    x->case_status,
		    x->department, ch->reason, "办理结果已换发");
	return rc;
}

static int
result_change(struct req *r, int replace)
{
	struct result_row x, nx;
	struct change ch;
	json_t *o = NULL, *old = NULL;
	int rc, tries;

	memset(&ch, 0, sizeof ch);
	if ((rc = change_parse(r, &ch, replace)) != 0)
		return rc;
	if ((rc = staff_result(r, &x)) < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这个办理结果");
	if (strcmp(x.status, "valid") != 0)
		goto conflict;
	if (strcmp(x.f.kind, "refusal") == 0 && replace)
		return req_fail(r, 422, "RESULT_NOT_REPLACEABLE", "不予许可决定书不能换发");
	for (tries = 0; tries < 3; tries++) {
		if ((rc = db_begin(r->ctx)) != 0)
			return db_fail(r, rc);
		rc = replace ? replace_tx(r, &x, &ch) : revoke_tx(r, &x, &ch);
		if (rc == 0) {
			audit(r, replace ? "result.replace" : "result.revoke", x.f.number, "ok",
			    replace ? ch.new_vid : x.f.vid);
			rc = db_commit(r->ctx);
		} else
			db_rollback(r->ctx);
		if (rc != DB_RETRY)
			break;
	}
	if (rc == CONFLICT) {
		audit(r, replace ? "result.replace" : "result.revoke", x.f.number, "conflict", "");
		goto conflict;
	}
	if (rc != 0)
		return db_fail(r, rc);
	if ((rc = result_load(r->ctx, x.f.vid, &x)) <= 0 || (rc = result_json(r->ctx, &x, 1,
	    &old)) != 0)
		return rc < 0 ? db_fail(r, rc) : req_bug(r, "result vanished");
	if (!replace)
		return req_ok(r, 200, json_pack("{s:o}", "result", old));
	if ((rc = result_load(r->ctx, ch.new_vid, &nx)) <= 0 ||
	    (rc = result_json(r->ctx, &nx, 1, &o)) != 0) {
		json_decref(old);
		return rc < 0 ? db_fail(r, rc) : req_bug(r, "result vanished");
	}
	return req_ok(r, 201, json_pack("{s:o,s:o}", "result", o, "replaced", old));
conflict:
	{
		json_t *f = json_pack("{s:s}", "status", x.status);

		rc = req_fail(r, 409, "RESULT_NOT_VALID", strcmp(x.status, "revoked") == 0 ?
		    "该办理结果已撤销，不能再操作" : "该办理结果已被替换，请对新的结果操作");
		json_decref(r->err_extra);
		r->err_extra = f;
		return rc;
	}
}

/* POST /results/{vid}/revoke */
int
h_result_revoke(struct req *r)
{
	return result_change(r, 0);
}

/* POST /results/{vid}/replace */
int
h_result_replace(struct req *r)
{
	return result_change(r, 1);
}

/* ---------------------------------------------------------------- PDFs */

/* "title number（status）；…" of the permits joined to a licence (一照通). */
static int
permit_line(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct buf *b = arg;

	(void)ncol;
	(void)lens;
	buf_addf(b, "%s%s %s（%s）", b->len ? "；" : "", v[0], v[1], status_label(v[2]));
	return 0;
}

static int
result_pdf(struct req *r, const struct result_row *x, const char *citizen, long long staff)
{
	char qr[RESULT_QR_MAX], disp[128], now[20], kind[64];
	const char *lines[20];
	struct buf permits;
	size_t n = 0;
	int rc;

	if (result_qr_text(&x->f, qr, sizeof qr) != 0)
		return req_unavailable(r);
	buf_init(&permits, 8192);
	if (strcmp(x->f.kind, "licence") == 0 && (rc = db_query(r->ctx, "SELECT title, number,"
	    " status FROM results WHERE licence_id = ? ORDER BY id", DBARGS(DBI(x->id)),
	    permit_line, &permits)) < 0) {
		buf_free(&permits);
		return db_fail(r, rc);
	}
	buf_add(&permits, "", 1);
	fmt(kind, sizeof kind, "%s", result_kind_label(x->f.kind));
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
	if (permits.data && permits.data[0]) {
		lines[n++] = "关联许可";
		lines[n++] = permits.data;
	}
	lines[n++] = NULL;
	lines[n] = NULL;
	buf_free(&r->raw_reply);
	buf_init(&r->raw_reply, 16 * 1024 * 1024);
	rc = pdf_document(x->f.title, lines, qr, "扫码核验真伪（有效 / 已撤销 / 已被替换 / 无效）",
	    x->f.issuer, &r->raw_reply);
	buf_free(&permits);
	if (rc != 0)
		return req_bug(r, "PDF rendering failed");
	case_now(now);
	rc = db_exec(r->ctx, "INSERT INTO result_downloads (result_id, citizen, staff_id, at)"
	    " VALUES (?, ?, ?, ?)", DBARGS(DBI(x->id), DBSO(citizen), staff ? DBI(staff) : DBN,
	    DBS(now)), NULL, NULL);
	if (rc != 0) {
		buf_free(&r->raw_reply);
		return db_fail(r, rc);
	}
	r->raw_type = "application/pdf";
	r->status = 200;
	fmt(disp, sizeof disp, "attachment; filename=\"result-%s.pdf\"", x->f.number);
	req_header(r, "Content-Disposition", disp);
	req_header(r, "Cache-Control", "no-store");
	return 200;
}

/* GET /results/{vid}/pdf (staff: the window prints it) */
int
h_result_pdf(struct req *r)
{
	struct result_row x;
	long long staff = 0;
	int rc = staff_result(r, &x);

	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这个办理结果");
	parse_ll(r->sess.subject, 1, INT64_MAX, &staff);
	return result_pdf(r, &x, NULL, staff);
}

/* ---------------------------------------------------------------- the applicant */

/* The case id if the caller applied for it or follows it. 1, 0 or a DB_* code. */
static int
my_case_id(struct req *r, const char *no, long long *id)
{
	char ph[PII_HASH_HEX];

	*id = 0;
	if (strlen(no) >= CASE_NO_MAX)
		return 0;
	if (db_scalar(r->ctx, "SELECT phone_hash FROM citizens WHERE id = ?",
	    DBARGS(DBS(r->sess.subject)), ph, sizeof ph) <= 0)
		ph[0] = '\0';
	return db_query(r->ctx, "SELECT id FROM cases WHERE no = ? AND (citizen = ?"
	    " OR (? <> '' AND (applicant_phone_hash = ? OR agent_phone_hash = ?)))",
	    DBARGS(DBS(no), DBS(r->sess.subject), DBS(ph), DBS(ph), DBS(ph)), id_row, id);
}

/* GET /me/cases/{no}/results */
int
h_my_case_results(struct req *r)
{
	long long id;
	json_t *a;
	int rc = my_case_id(r, r->pathv[0], &id);

	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0 || id == 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这个办件");
	if ((rc = case_results_json(r, id, 1, &a)) != 0)
		return db_fail(r, rc);
	return req_ok(r, 200, json_pack("{s:s,s:o}", "case_no", r->pathv[0], "results", a));
}

/* GET /me/cases/{no}/results/{vid}/pdf: electronic delivery (全程网办) */
int
h_my_result_pdf(struct req *r)
{
	struct result_row x;
	long long id;
	int rc = my_case_id(r, r->pathv[0], &id);

	if (rc > 0 && id != 0)
		rc = result_load(r->ctx, r->pathv[1], &x);
	if (rc > 0 && x.case_id != id)
		rc = 0;
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0 || id == 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这个办理结果");
	if (!x.electronic)
		return req_fail(r, 422, "RESULT_NOT_ELECTRONIC",
		    "该事项的办理结果不提供电子版，请到窗口领取或邮寄");
	if (strcmp(x.status, "valid") != 0)
		return req_fail(r, 409, "RESULT_NOT_VALID", strcmp(x.status, "revoked") == 0 ?
		    "该办理结果已撤销" : "该办理结果已被替换，请下载新的结果");
	audit(r, "result.download", x.f.number, "ok", x.f.vid);
	return result_pdf(r, &x, r->sess.subject, 0);
}
