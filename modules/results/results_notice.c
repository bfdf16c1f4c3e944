/*
 * results_notice.c — the printable notices as A4 PDFs with their QR code.
 *
 * Routes: GET /case-notices/pdf?n=<token>   (public, like GET /case-notices?n=: the token is
 *         the capability; nginx keeps it out of the logs)
 *         POST /case-notices/refusals          (clerk at a window: 不予受理通知书)
 * Tables: through case_notice_json (cases room): case_notices, cases, case_materials, case_tracking;
 *         items, case_notices (the refusal: notice_refusal_write), audit_log
 * Redis:  none
 *
 * The PDF shows exactly what GET /case-notices shows (the JSON handler builds it; this one
 * only lays it out): 受理通知书 carries the tracking QR (扫码查询办理进度), 一次性告知书 and
 * 补正材料通知书 and 不予受理通知书 the QR of the notice itself, so the applicant reopens it
 * on the phone.
 *
 * 不予受理 (refusal to accept) creates no case: one case_notices row (kind 'refused') with the
 * item, the applicant's masked name, the reason and the window, and its audit row.  The clerk
 * prints it at once (staff/notice.html or the PDF); no SMS, so no phone is asked for.
 */
#include "handlers.h"
#include "results.h"
#include "../shared/audit.h"
#include "../cases/cases.h"
#include "../shared/pii.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <sodium.h>
#include <string.h>

#define LINES_MAX 24

static const char *
jsv(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* "1. name（form，n 份）；2. …", bounded. */
static void
materials_text(json_t *mats, struct buf *b)
{
	json_t *m;
	size_t i;

	json_array_foreach(mats, i, m) {
		const char *state = jsv(m, "state"), *due = jsv(m, "due");

		buf_addf(b, "%s%zu. %s", i ? "；" : "", i + 1, jsv(m, "name"));
		if (strcmp(state, "waived") == 0)
			buf_addf(b, "（容缺，%s 前补交）", due);
		else if (json_is_true(json_object_get(m, "waived")))
			buf_addf(b, "（容缺，约定 %s 前补交，已于 %.10s 补交）", due,
			    jsv(m, "received_at"));
		else if (strcmp(state, "requested") == 0)
			buf_adds(b, "（需补正）");
		else if (strcmp(state, "promised") == 0)
			buf_adds(b, "（告知承诺替代，待事后核查）");
		else if (jsv(m, "form")[0])
			buf_addf(b, "（%s，%lld 份）", jsv(m, "form"),
			    (long long)json_integer_value(json_object_get(m, "copies")));
	}
	buf_add(b, "", 1);
}

/*
 * The notice of the request's token (?n=), as GET /case-notices shows it (the cases room's
 * case_notice_json): 0 with *out (the caller's), or the status of the refusal written.
 */
static int
notice_fetch(struct req *r, const char **token, json_t **out)
{
	*token = NULL;
	q_str(r, "n", 1, CASE_TOKEN_MAX, token);
	if (in_has_errors(r))
		return req_invalid(r);
	return db_found(r, case_notice_json(r->ctx, *token, out), "查询码无效或已失效");
}

/* The label/value lines of a notice's page (NULL-terminated pairs; lines ≥ LINES_MAX + 2);
 * mt: its materials as one text, window: room for the window line (size 160), agent: room
 * for the agent's line (size 200).  A 一件事 case shows its title and 多部门并联办理; a case
 * with an agent (代办) names the agent, masked, as the printable page does. */
static void
notice_lines(json_t *n, const char *mt, char *window, char *agent, const char **lines)
{
	json_t *c = json_object_get(n, "case");
	json_t *ag = c ? json_object_get(c, "agent") : NULL;
	int bundle = c && jsv(c, "bundle")[0];
	size_t k = 0;

	lines[k++] = bundle ? "一件事" : "事项";
	lines[k++] = bundle ? jsv(c, "title") : jsv(json_object_get(n, "item"), "name");
	lines[k++] = "实施部门";
	lines[k++] = bundle ? "多部门并联办理" : jsv(json_object_get(n, "item"), "department");
	lines[k++] = "申请人";
	lines[k++] = jsv(n, "applicant");
	if (ag) {
		fmt(agent, 200, "%s（%s）%s，凭授权委托书代为办理", jsv(ag, "name"),
		    jsv(ag, "relation_label"), jsv(ag, "phone"));
		lines[k++] = "代办人";
		lines[k++] = agent;
	}
	if (c) {
		lines[k++] = "办件编号";
		lines[k++] = jsv(c, "no");
		if (jsv(c, "deadline")[0]) {
			/* A year without its holiday notice: the date may still move later. */
			lines[k++] = json_is_true(json_object_get(c, "provisional")) ?
			    "承诺办结日期（暂定）" : "承诺办结日期";
			lines[k++] = jsv(c, "deadline");
		}
		if (jsv(c, "acceptance_text")[0]) {	/* 容缺受理 is never 材料齐全 */
			lines[k++] = "受理方式";
			lines[k++] = jsv(c, "acceptance_text");
		}
	}
	if (strcmp(jsv(n, "kind"), "refused") == 0) {
		lines[k++] = "不予受理理由";
		lines[k++] = jsv(n, "note");
	} else {
		lines[k++] = strcmp(jsv(n, "kind"), "incomplete") == 0 ? "需补齐的材料" : "材料";
		lines[k++] = mt;
		if (jsv(n, "note")[0]) {
			lines[k++] = "说明";
			lines[k++] = jsv(n, "note");
		}
	}
	fmt(window, 160, "%s %s", jsv(n, "window_name"), jsv(n, "clerk"));
	lines[k++] = "经办窗口";
	lines[k++] = window;
	lines[k++] = "日期";
	lines[k++] = jsv(n, "created_at");
	lines[k++] = "咨询电话";
	lines[k++] = jsv(json_object_get(n, "hall"), "phone");
	lines[k] = NULL;
	lines[k + 1] = NULL;
}

int
h_notice_pdf(struct req *r)
{
	const char *lines[LINES_MAX + 2], *token, *caption;
	char qr[512], path[160], window[160], agent[200];
	const char *base = config_get("public_base_url", "");
	json_t *n = NULL, *c, *mats;
	struct buf mt;
	size_t bn = strlen(base);
	int rc;

	if ((rc = notice_fetch(r, &token, &n)) != 0)
		return rc;
	c = json_object_get(n, "case");
	mats = c ? json_object_get(c, "materials") : json_object_get(n, "materials");
	buf_init(&mt, 16 * 1024);
	materials_text(mats, &mt);
	notice_lines(n, mt.data && mt.data[0] ? mt.data : "无", window, agent, lines);

	while (bn > 0 && base[bn - 1] == '/')
		bn--;
	if (c && jsv(c, "track_url")[0]) {
		str_copy(qr, sizeof qr, jsv(c, "track_url"));
		caption = "扫码查询办理进度";
	} else {
		case_notice_url(token, path, sizeof path);
		fmt(qr, sizeof qr, "%.*s%s", (int)bn, base, path);
		caption = "扫码在手机上查看本告知书";
	}
	buf_free(&r->raw_reply);
	buf_init(&r->raw_reply, 16 * 1024 * 1024);
	rc = pdf_document(jsv(n, "title"), lines, qr, caption,
	    jsv(json_object_get(n, "hall"), "name"), &r->raw_reply);
	buf_free(&mt);
	json_decref(n);
	if (rc != 0)
		return req_bug(r, "PDF rendering failed");
	r->raw_type = "application/pdf";
	r->status = 200;
	req_header(r, "Content-Disposition", "inline; filename=\"notice.pdf\"");
	req_header(r, "Cache-Control", "no-store");
	return 200;
}

/* A 不予受理通知书 to record: what the clerk gave, and the notice's token. */
struct refusal {
	const char	*hall, *item, *reason;
	char		 mask[64];		/* the applicant's masked name */
	long long	 window, staff;		/* 0: none */
	char		 now[20];
	char		 hash[65];		/* the token's, for lookup */
	unsigned char	 sealed[PII_SEALED_MAX];	/* the token, sealed */
	size_t		 nsealed;
};

/* 1 when the hall offers the item, 0 not, or a DB_* code. */
static int
refusal_item_ok(struct ctx *c, const char *hall, const char *item)
{
	char one[4];

	return db_scalar(c, "SELECT 1 FROM items WHERE id = ? AND hall = ?",
	    DBARGS(DBS(item), DBS(hall)), one, sizeof one);
}

/* Inside the caller's transaction: the notice row (kind 'refused', no case).  0 or DB_*. */
static int
refusal_write(struct ctx *c, const struct refusal *f)
{
	return db_exec(c, "INSERT INTO case_notices (token_hash, token_enc, kind, hall, item,"
	    " case_id, applicant_mask, materials, note, window_no, created_by, created_at)"
	    " VALUES (?, ?, 'refused', ?, ?, NULL, ?, NULL, ?, ?, ?, ?)",
	    DBARGS(DBS(f->hash), DBSN((const char *)f->sealed, f->nsealed), DBS(f->hall),
	    DBS(f->item), DBS(f->mask), DBS(f->reason), f->window ? DBI(f->window) : DBN,
	    f->staff ? DBI(f->staff) : DBN, DBS(f->now)), NULL, NULL);
}

struct refusal_step {
	struct req		*r;
	const struct refusal	*f;
};

/* The refusal's transaction: its notice row and its audit row. */
static int
refusal_step(struct ctx *c, void *arg)
{
	struct refusal_step *st = arg;
	int rc = refusal_write(c, st->f);

	if (rc == 0)
		audit(st->r, "case.refuse_accept", st->f->item, "ok", "");
	return rc;
}

/* applicant.name of the body: the error names "applicant.name", as POST /cases does. */
static void
applicant_name(struct req *r, const char **name)
{
	json_t *ap = json_object_get(r->body, "applicant"), *tmp = json_object();

	json_object_set(tmp, "applicant.name", json_is_object(ap) ?
	    json_object_get(ap, "name") : NULL);
	in_str(r, tmp, "applicant.name", 1, 1, 20, name);
	json_decref(tmp);	/* name stays valid: ap still holds the string */
}

/*
 * POST /case-notices/refusals {"item","applicant":{"name"},"reason"} (clerk): 不予受理.
 * 201 {"notice_url","notice_pdf_url"}.
 */
int
h_notice_refuse(struct req *r)
{
	const char *name = NULL;
	struct refusal f;
	struct refusal_step st = { r, &f };
	char tok[CASE_TOKEN_MAX], url[160], pdf[200];
	int rc, n;

	memset(&f, 0, sizeof f);
	in_str(r, r->body, "item", 1, 1, 40, &f.item);
	in_str(r, r->body, "reason", 1, 1, 200, &f.reason);
	applicant_name(r, &name);
	if (in_has_errors(r))
		return req_invalid(r);
	f.hall = r->sess.hall;
	if ((rc = refusal_item_ok(r->ctx, f.hall, f.item)) < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail_field(r, "item", "本中心没有这个事项"), req_invalid(r);
	if ((n = case_token_new(tok, f.hash, f.sealed, sizeof f.sealed)) < 0)
		return req_bug(r, "cannot make a token");
	f.nsealed = (size_t)n;
	mask_name(name, f.mask, sizeof f.mask);
	parse_ll(r->sess.subject, 1, INT64_MAX, &f.staff);
	f.window = r->sess.window;
	case_now(f.now);
	if ((rc = db_tx(r->ctx, refusal_step, &st)) != 0) {
		sodium_memzero(tok, sizeof tok);
		return db_fail(r, rc);
	}
	case_notice_url(tok, url, sizeof url);
	fmt(pdf, sizeof pdf, "/api/v1/case-notices/pdf?n=%s", tok);
	sodium_memzero(tok, sizeof tok);
	rc = req_ok(r, 201, json_pack("{s:s,s:s}", "notice_url", url, "notice_pdf_url", pdf));
	sodium_memzero(pdf, sizeof pdf);
	return rc;
}
