/*
 * notify_api.c — notices for staff, the SMS providers' delivery receipts, hall alerts.
 *
 * Routes: GET  /notices?ref_kind=&ref_id=&status=   staff of the hall: the notices of a case
 *                                                    (ticket, appointment …), oldest first
 *         POST /notices/{id}/resend                  staff of the hall: queue the notice again
 *         POST /sms/receipts/aliyun/{secret}         Aliyun delivery receipts (SmsReport batch)
 *         POST /sms/receipts/tencent/{secret}        Tencent delivery receipts (status callback)
 *         POST /sms/receipts/aliyun, …/tencent       refused: 401 (no secret)
 *         POST /halls/{hall}/alerts/dismiss          manager, admin: an alert is dealt with
 * Tables: outbox (read; resend inserts a row pointing at the original), sms_receipts,
 *         hall_alerts, audit_log; a resend that carries a fresh code or link has it from the
 *         renewer the owning room handed in (notify_on_resend: cases/case_resend.c,
 *         appointments/resend.c).  Redis: none.
 *
 * Staff never see a secret variable (a code, a link): the notice's text shows ******.  A
 * resend of a notice that carried one gets a fresh one from the record it belongs to — a new
 * pickup code (the old one stops working), a new appointment code (likewise), the case's
 * current tracking link — never the one sent before, which the outbox no longer holds.
 *
 * Receipts carry no signature at either provider, and both consoles take only a URL: the
 * per-instance secret (config sms_receipt_token, made by ops/stack.sh) is the last segment
 * of the callback URL registered there, compared in constant time (keyed hashes of equal
 * length).  A receipt is stored only for a message the outbox sent through that provider
 * (found by out_id / SessionContext, or by biz_id / sid); anything else is counted and
 * dropped.  Each is stored once (unique provider + message + status): a batch pushed twice
 * changes nothing the second time.  A DELIVERED status is never overwritten by a later one.
 * nginx bounds the body (256 KiB) and the rate (zone receipts) before the app sees them.
 */
#include "handlers.h"
#include "../shared/access.h"
#include "../shared/audit.h"
#include "../shared/alerts.h"
#include "notify.h"
#include "outbox.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/errors.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define RECEIPTS_MAX 1000

static int
ref_kind_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			return 0;
	return 1;
}

static void
now_dt(char *out, size_t osz)
{
	char s[32];

	sql_now(s, sizeof s);
	s[19] = '\0';	/* whole seconds */
	str_copy(out, osz, s);
}

/* ------------------------------------------------------------------ staff */

static const char *const notice_cols[] = { "id", "template", "channel", "recipient", "status",
    "attempts", "created_at", "next_attempt_at", "sent_at", "provider", "last_error",
    "delivery_status", "delivered_at", "segments", "resend_of", "requested_by", "params",
    "ref_kind" };
#define NOTICE_TYPES "issssisSSsssSiIsss"

#define NOTICE_SELECT \
	"SELECT id, template, channel, recipient_mask, status, attempts," \
	" DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s+08:00')," \
	" DATE_FORMAT(next_attempt_at, '%Y-%m-%dT%H:%i:%s+08:00')," \
	" DATE_FORMAT(sent_at, '%Y-%m-%dT%H:%i:%s+08:00'), provider, last_error," \
	" delivery_status, DATE_FORMAT(delivered_at, '%Y-%m-%dT%H:%i:%s+08:00'), segments," \
	" resend_of, requested_by, params, ref_kind FROM outbox"

/* ------------------------------------------------------------------ fresh secrets */

/* The notice a resend starts from (row locked). */
struct orig {
	int		 found;
	char		 status[16];
	char		 tmpl[64];
	char		*params;	/* readable form: secrets masked (owned) */
	char		 ref_kind[32];
	char		 ref_id[64];
	unsigned char	 rec[PII_SEALED_MAX];
	size_t		 reclen;
};

/* Which room gives a fresh value of a secret variable, by the notice's ref_kind: handed in
 * at start by the rooms that own the records (notify_on_resend). */
#define RENEWERS_MAX 8
static struct {
	char		 ref_kind[33];
	char		 var[33];
	notice_renew_fn	 fn;
} renewers[RENEWERS_MAX];
static size_t nrenewers;

static size_t
renewer_at(const char *ref_kind, const char *var)
{
	size_t i;

	for (i = 0; i < nrenewers; i++)
		if (strcmp(renewers[i].ref_kind, ref_kind) == 0 &&
		    strcmp(renewers[i].var, var) == 0)
			break;
	return i;
}

int
notify_on_resend(const char *ref_kind, const char *var, notice_renew_fn fn)
{
	size_t i = renewer_at(ref_kind, var);	/* set again (a second start): replaced */

	if (i == RENEWERS_MAX)
		return -1;
	str_copy(renewers[i].ref_kind, sizeof renewers[0].ref_kind, ref_kind);
	str_copy(renewers[i].var, sizeof renewers[0].var, var);
	renewers[i].fn = fn;
	if (i == nrenewers)
		nrenewers++;
	return 0;
}

static notice_renew_fn
renewer(const char *ref_kind, const char *var)
{
	size_t i = renewer_at(ref_kind, var);

	return i < nrenewers ? renewers[i].fn : NULL;
}

/* A notice may be resent: not a verification code, and every secret it carries can be
 * given afresh. */
static int
resendable(const struct tmpl *t, const char *ref_kind)
{
	int i;

	if (t == NULL || t->is_code)
		return 0;
	for (i = 0; i < t->nvars; i++)
		if (t->vars[i].secret && renewer(ref_kind, t->vars[i].name) == NULL)
			return 0;
	return 1;
}

/* ------------------------------------------------------------------ staff */

/* Shape each row for staff: the title and text of its template, secrets as ******. */
static void
notices_finish(json_t *list)
{
	size_t i;
	json_t *n;

	json_array_foreach(list, i, n) {
		const struct tmpl *t = tmpl_find(json_string_value(json_object_get(n, "template")));
		json_t *params = json_loads(json_string_value(json_object_get(n, "params")), 0, NULL);
		const char *kind = json_string_value(json_object_get(n, "ref_kind"));
		struct rendered rd;

		memset(&rd, 0, sizeof rd);
		json_object_set_new(n, "title", json_string(t && t->title[0] ? t->title : ""));
		json_object_set_new(n, "resendable", json_boolean(resendable(t, kind ? kind : "")));
		if (t && params && tmpl_render_masked(t, params, config_get("sms_sign_name",
		    "一窗政务"), &rd) == 0)
			json_object_set_new(n, "text", json_string(rd.text));
		else
			json_object_set_new(n, "text", json_null());
		json_object_del(n, "params");
		json_object_del(n, "ref_kind");
		rendered_free(&rd);
		json_decref(params);
		if (json_string_length(json_object_get(n, "delivery_status")) == 0)
			json_object_set_new(n, "delivery_status", json_null());
		if (json_string_length(json_object_get(n, "last_error")) == 0)
			json_object_set_new(n, "last_error", json_null());
		if (json_string_length(json_object_get(n, "provider")) == 0)
			json_object_set_new(n, "provider", json_null());
		if (json_string_length(json_object_get(n, "requested_by")) == 0)
			json_object_set_new(n, "requested_by", json_null());
		if (strcmp(json_string_value(json_object_get(n, "status")), "sent") == 0 ||
		    strcmp(json_string_value(json_object_get(n, "status")), "failed") == 0 ||
		    strcmp(json_string_value(json_object_get(n, "status")), "dropped") == 0)
			json_object_set_new(n, "next_attempt_at", json_null());
	}
}

static const char *const status_choices[] = { "pending", "sending", "sent", "failed", "held",
    "dropped", NULL };

int
h_notices(struct req *r)
{
	const char *kind = NULL, *ref = NULL, *status = NULL;
	json_t *list;
	int rc;

	q_str(r, "ref_kind", 1, 32, &kind);
	q_str(r, "ref_id", 1, 64, &ref);
	q_str(r, "status", 0, 16, &status);
	if (kind && !ref_kind_ok(kind))
		req_fail_field(r, "ref_kind", "只能是小写字母和下划线");
	if (ref && *ref == '\0')
		req_fail_field(r, "ref_id", "不能为空");
	if (status && str_index(status_choices, status) < 0)
		req_fail_field(r, "status", "不是有效的状态");
	if (in_has_errors(r))
		return req_invalid(r);
	list = json_array();
	if (status)
		rc = db_rows_json(r->ctx, NOTICE_SELECT
		    " WHERE hall = ? AND ref_kind = ? AND ref_id = ? AND status = ? ORDER BY id LIMIT 200",
		    DBARGS(DBS(r->sess.hall), DBS(kind), DBS(ref), DBS(status)), notice_cols,
		    NOTICE_TYPES, list);
	else
		rc = db_rows_json(r->ctx, NOTICE_SELECT
		    " WHERE hall = ? AND ref_kind = ? AND ref_id = ? ORDER BY id LIMIT 200",
		    DBARGS(DBS(r->sess.hall), DBS(kind), DBS(ref)), notice_cols, NOTICE_TYPES, list);
	if (rc < 0) {
		json_decref(list);
		return db_fail(r, rc);
	}
	notices_finish(list);
	return req_ok(r, 200, json_pack("{s:o}", "notices", list));
}

static int
orig_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct orig *o = arg;

	(void)ncol;
	o->found = 1;
	str_copy(o->status, sizeof o->status, v[0] ? v[0] : "");
	str_copy(o->tmpl, sizeof o->tmpl, v[1] ? v[1] : "");
	o->params = strdup(v[2] ? v[2] : "{}");
	str_copy(o->ref_kind, sizeof o->ref_kind, v[3] ? v[3] : "");
	str_copy(o->ref_id, sizeof o->ref_id, v[4] ? v[4] : "");
	if (v[5] && lens[5] <= sizeof o->rec) {
		memcpy(o->rec, v[5], lens[5]);
		o->reclen = lens[5];
	}
	return 1;
}

/*
 * The variables of the resend: those of the original as staff see them, each secret one
 * given afresh by its record.  0 (*out set), 1 refused (the reply is set), or a DB_* code.
 */
static int
resend_params(struct req *r, const struct tmpl *t, const struct orig *o, json_t **out)
{
	char fresh[512];
	const char *msg = "";
	const struct notice_ref n = { o->tmpl, o->ref_id, o->rec, o->reclen };
	json_t *p;
	notice_renew_fn fn;
	int i, rc;

	*out = NULL;
	if ((p = json_loads(o->params, 0, NULL)) == NULL || !json_is_object(p)) {
		json_decref(p);
		req_err_msg(r, E_NOT_RESENDABLE, "这条通知的内容无法读取，不能重发");
		return 1;
	}
	for (i = 0; i < t->nvars; i++) {
		if (!t->vars[i].secret)
			continue;
		if ((fn = renewer(o->ref_kind, t->vars[i].name)) == NULL) {
			json_decref(p);
			req_err_msg(r, E_NOT_RESENDABLE, "这条通知含有验证码或链接，不能重发");
			return 1;
		}
		if ((rc = fn(r, &n, fresh, sizeof fresh, &msg)) != 0) {
			json_decref(p);
			if (rc == 1)
				req_err_msg(r, E_NOT_RESENDABLE, msg);
			return rc;
		}
		json_object_set_new(p, t->vars[i].name, json_string(fresh));
		sodium_memzero(fresh, sizeof fresh);
	}
	*out = p;
	return 0;
}

int
h_notice_resend(struct req *r)
{
	long long id;
	struct orig o;
	const struct tmpl *t;
	char now[32], busy[8], idtxt[24], *masked = NULL;
	unsigned char *sealed = NULL;
	size_t slen = 0;
	uint64_t nid = 0;
	json_t *list, *params = NULL;
	int rc;

	if (parse_ll(r->pathv[0], 1, INT64_MAX, &id) != 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这条通知");
	memset(&o, 0, sizeof o);
	now_dt(now, sizeof now);
	if ((rc = db_begin(r->ctx)) != 0)
		return db_fail(r, rc);
	rc = db_query(r->ctx, "SELECT status, template, params, ref_kind, ref_id, recipient_enc"
	    " FROM outbox WHERE id = ? AND hall = ? FOR UPDATE",
	    DBARGS(DBI(id), DBS(r->sess.hall)), orig_row, &o);
	if (rc < 0)
		goto dbfail;
	if (!o.found) {
		db_rollback(r->ctx);
		return req_err_msg(r, E_NOT_FOUND, "没有这条通知");
	}
	t = tmpl_find(o.tmpl);
	if (t == NULL || t->is_code) {
		rc = req_err_msg(r, E_NOT_RESENDABLE, "验证码类通知不能重发");
		goto refused;
	}
	if (strcmp(o.status, "pending") == 0 || strcmp(o.status, "sending") == 0 ||
	    strcmp(o.status, "held") == 0) {
		rc = req_err_msg(r, E_NOTICE_PENDING, "该通知尚在发送中，无需重发");
		goto refused;
	}
	/* A resend already on its way is enough: a double click queues one. */
	rc = db_scalar(r->ctx, "SELECT 1 FROM outbox WHERE resend_of = ?"
	    " AND status IN ('pending', 'sending', 'held') LIMIT 1", DBARGS(DBI(id)), busy,
	    sizeof busy);
	if (rc < 0)
		goto dbfail;
	if (rc == 1) {
		rc = req_err(r, E_NOTICE_PENDING);
		goto refused;
	}
	if ((rc = resend_params(r, t, &o, &params)) != 0) {
		if (rc == 1) {
			rc = r->status;
			goto refused;
		}
		goto dbfail;
	}
	rc = outbox_params_seal(o.tmpl, params, &masked, &sealed, &slen);
	json_decref(params);
	if (rc != 0) {
		rc = DB_FAIL;
		goto dbfail;
	}
	rc = db_exec(r->ctx, "INSERT INTO outbox (hall, channel, template, recipient_enc,"
	    " recipient_mask, params, params_enc, ref_kind, ref_id, resend_of, requested_by,"
	    " urgent, status, next_attempt_at, created_at)"
	    " SELECT hall, channel, template, recipient_enc, recipient_mask, ?, ?, ref_kind,"
	    " ref_id, id, ?, 1, 'pending', ?, ? FROM outbox WHERE id = ?",
	    DBARGS(DBS(masked), DBSN((const char *)sealed, slen), DBS(r->sess.subject),
	    DBS(now), DBS(now), DBI(id)), NULL, &nid);
	free(masked);
	free(sealed);
	if (rc != 0)
		goto dbfail;
	fmt(idtxt, sizeof idtxt, "%lld", id);
	audit(r, "notice.resend", idtxt, "ok", o.tmpl);
	free(o.params);
	if ((rc = db_commit(r->ctx)) != 0)
		return db_fail(r, rc);
	list = json_array();
	rc = db_rows_json(r->ctx, NOTICE_SELECT " WHERE id = ?", DBARGS(DBI(nid)), notice_cols,
	    NOTICE_TYPES, list);
	if (rc <= 0) {
		json_decref(list);
		return rc < 0 ? db_fail(r, rc) : req_bug(r, "resent notice vanished");
	}
	notices_finish(list);
	rc = req_ok(r, 201, json_pack("{s:O}", "notice", json_array_get(list, 0)));
	json_decref(list);
	return rc;
refused:
	db_rollback(r->ctx);
	free(o.params);
	return rc;
dbfail:
	db_rollback(r->ctx);
	free(o.params);
	return db_fail(r, rc);
}

/* ------------------------------------------------------------------ receipts */

/*
 * The secret of the callback URL against config sms_receipt_token, in constant time: both
 * are hashed to 32 bytes first, so neither the content nor the length of the secret shows
 * in the time taken.  A secret shorter than 32 characters (or none) accepts nothing.
 */
static int
receipt_secret_ok(const char *got)
{
	const char *want = config_get("sms_receipt_token", "");
	unsigned char a[32], b[32];
	int ok;

	if (strlen(want) < 32) {
		log_warn("sms_receipt_token is not set (or shorter than 32 characters):"
		    " every delivery receipt is refused");
		return 0;
	}
	crypto_generichash(a, sizeof a, (const unsigned char *)got, strlen(got), NULL, 0);
	crypto_generichash(b, sizeof b, (const unsigned char *)want, strlen(want), NULL, 0);
	ok = sodium_memcmp(a, b, sizeof a) == 0;
	sodium_memzero(b, sizeof b);
	return ok;
}

/* "YYYY-MM-DD HH:MM:SS" as the providers send it (Beijing time), else NULL. */
static const char *
provider_time(const char *s)
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd";
	size_t i;

	if (s == NULL || strlen(s) != sizeof shape - 1)
		return NULL;
	for (i = 0; i < sizeof shape - 1; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return NULL;
	return s;
}

#define FOUND(I, S, t) \
	I(t, id, 1, INT64_MAX) S(t, msg_id, 136) S(t, provider, 16) S(t, status, 16)
DB_ROW_STRUCT(found, FOUND);

#define RECEIPT_EARLY 2

/*
 * Store one receipt and mark the outbox row.  1 stored (or pushed before), 0 ignored: no
 * message of ours went through this provider under that id (a guess, a stale push, junk).
 * RECEIPT_EARLY: the row is still being sent (the receipt overtook the worker recording
 * the provider's reply): the batch is answered 503 so the provider pushes it again.
 * Else a DB_* code.
 */
static int
receipt_store(struct ctx *c, const char *provider, const char *msg_key, const char *out_id,
    const char *status, const char *reported)
{
	struct found f;
	char now[32];
	long long id = 0;
	int rc;

	now_dt(now, sizeof now);
	memset(&f, 0, sizeof f);
	if (out_id && parse_ll(out_id, 1, INT64_MAX, &id) == 0) {
		/* OutId / SessionContext is our row id, but only for a row that went out through
		 * this provider, and under the provider's id when both are given. */
		rc = db_row_into(c, "SELECT id, provider_msg_id, provider, status FROM outbox"
		    " WHERE id = ?", DBARGS(DBI(id)), DB_COLS(found_cols), &f);
		if (rc < 0)
			return rc;
		if (f.id && strcmp(f.status, "sending") == 0 && f.provider[0] == '\0')
			return RECEIPT_EARLY;
		if (strcmp(f.provider, provider) != 0 ||
		    (f.id && msg_key && *msg_key && f.msg_id[0] && strcmp(f.msg_id, msg_key) != 0))
			memset(&f, 0, sizeof f);
	}
	if (f.id == 0 && msg_key && *msg_key) {
		rc = db_row_into(c, "SELECT id, provider_msg_id, provider, status FROM outbox"
		    " WHERE provider = ? AND provider_msg_id = ? ORDER BY id DESC LIMIT 1",
		    DBARGS(DBS(provider), DBS(msg_key)), DB_COLS(found_cols), &f);
		if (rc < 0)
			return rc;
	}
	if (f.id == 0)
		return 0;
	if (msg_key == NULL || *msg_key == '\0')
		msg_key = out_id;
	if (msg_key == NULL || *msg_key == '\0' || strlen(msg_key) > 128)
		return 0;
	rc = db_exec(c, "INSERT INTO sms_receipts (provider, msg_key, status, outbox_id,"
	    " reported_at, received_at) VALUES (?, ?, ?, ?, ?, ?)",
	    DBARGS(DBS(provider), DBS(msg_key), DBS(status), DBI(f.id), DBSO(reported),
	    DBS(now)), NULL, NULL);
	if (rc == DB_DUP)
		return 1;	/* pushed before */
	if (rc != 0)
		return rc;
	rc = db_exec(c, "UPDATE outbox SET delivery_status = ?,"
	    " delivered_at = IF(? = 'DELIVERED', COALESCE(?, ?), delivered_at)"
	    " WHERE id = ? AND delivery_status <> 'DELIVERED'",
	    DBARGS(DBS(status), DBS(status), DBSO(reported), DBS(now), DBI(f.id)), NULL, NULL);
	return rc == 0 ? 1 : rc;
}

/* A member as text (providers send ids as strings or numbers) into out; NULL if absent. */
static const char *
jtext(json_t *o, const char *k, char *out, size_t osz)
{
	json_t *v = json_object_get(o, k);

	if (json_is_integer(v)) {
		fmt(out, osz, "%lld", (long long)json_integer_value(v));
		return out;
	}
	if (!json_is_string(v) || str_copy(out, osz, json_string_value(v)) >= osz)
		return NULL;
	return out;
}

/* One Aliyun SmsReport entry. */
static void
receipt_aliyun(json_t *e, struct sms_receipt *rc)
{
	char code[72];
	json_t *ok = json_object_get(e, "success");

	rc->msg_key = jtext(e, "biz_id", rc->b_key, sizeof rc->b_key);
	rc->out_id = jtext(e, "out_id", rc->b_out, sizeof rc->b_out);
	rc->reported = provider_time(jtext(e, "report_time", rc->b_time, sizeof rc->b_time));
	if (json_is_true(ok))
		str_copy(rc->status, sizeof rc->status, "DELIVERED");
	else if (jtext(e, "err_code", code, sizeof code) && code[0])
		fmt(rc->status, sizeof rc->status, "FAILED:%.*s",
		    (int)utf8_cut(code, strlen(code), 60, SIZE_MAX), code);
	else
		str_copy(rc->status, sizeof rc->status, "FAILED:UNKNOWN");
}

/* One Tencent status callback entry. */
static void
receipt_tencent(json_t *e, struct sms_receipt *rc)
{
	char b2[24], b3[256];
	const char *rs, *em;
	json_t *ext = json_object_get(e, "ext");

	rc->msg_key = jtext(e, "sid", rc->b_key, sizeof rc->b_key);
	rs = jtext(e, "report_status", b2, sizeof b2);
	em = jtext(e, "errmsg", b3, sizeof b3);
	rc->reported = provider_time(jtext(e, "user_receive_time", rc->b_time, sizeof rc->b_time));
	/* SessionContext comes back in ext (a string, or an object carrying it). */
	rc->b_out[0] = '\0';
	if (json_is_string(ext))
		str_copy(rc->b_out, sizeof rc->b_out, json_string_value(ext));
	else if (json_is_object(ext) &&
	    jtext(ext, "SessionContext", rc->b_out, sizeof rc->b_out) == NULL)
		rc->b_out[0] = '\0';
	rc->out_id = rc->b_out;
	if (rs && strcmp(rs, "SUCCESS") == 0)
		str_copy(rc->status, sizeof rc->status, "DELIVERED");
	else {
		/* Tencent's errmsg may be Chinese: cut by characters, not bytes. */
		em = em && *em ? em : "UNKNOWN";
		fmt(rc->status, sizeof rc->status, "FAILED:%.*s",
		    (int)utf8_cut(em, strlen(em), 60, SIZE_MAX), em);
	}
}

int
sms_receipts_each(enum provider p, const char *body, size_t len,
    int (*fn)(const struct sms_receipt *, void *), void *arg)
{
	json_t *batch, *e;
	size_t i;
	int rc = 0;

	if (body == NULL || len == 0)
		return 1;
	batch = json_loadb(body, len, 0, NULL);
	if (json_is_object(batch)) {	/* a single receipt */
		json_t *a = json_array();

		json_array_append_new(a, batch);
		batch = a;
	}
	if (!json_is_array(batch) || json_array_size(batch) > RECEIPTS_MAX) {
		json_decref(batch);
		return 1;
	}
	json_array_foreach(batch, i, e) {
		struct sms_receipt one;

		if (!json_is_object(e))
			continue;
		memset(&one, 0, sizeof one);
		if (p == PROV_TENCENT)
			receipt_tencent(e, &one);
		else
			receipt_aliyun(e, &one);
		if ((rc = fn(&one, arg)) != 0)
			break;
	}
	json_decref(batch);
	return rc;
}

struct receipt_run {
	struct ctx	*ctx;
	const char	*provider;
	int		 stored, ignored, early;
};

static int
receipt_one(const struct sms_receipt *rc, void *arg)
{
	struct receipt_run *run = arg;
	int n = receipt_store(run->ctx, run->provider, rc->msg_key, rc->out_id, rc->status,
	    rc->reported);

	if (n < 0)
		return n;
	if (n == 1)
		run->stored++;
	else if (n == RECEIPT_EARLY)
		run->early++;
	else
		run->ignored++;
	return 0;
}

/* The batch in the provider's own reply shapes: Aliyun {"code","msg"}, Tencent
 * {"result","errmsg"}.  Refusals of the caller (no or a wrong secret) are the API's. */
static int
receipts(struct req *r, enum provider p)
{
	struct receipt_run run = { r->ctx, p == PROV_TENCENT ? "tencent" : "aliyun", 0, 0, 0 };
	int tc = p == PROV_TENCENT, rc;

	if (!receipt_secret_ok(r->pathv[0]))
		return req_err_msg(r, E_FORBIDDEN, "回执地址不正确");
	rc = sms_receipts_each(p, r->raw_body, r->body_len, receipt_one, &run);
	if (rc == 1)
		return req_ok(r, 400, tc ? json_pack("{s:i,s:s}", "result", 1, "errmsg",
		    "bad format") : json_pack("{s:i,s:s}", "code", 1, "msg", "格式错误"));
	if (rc != 0 || run.early > 0) {
		if (rc != 0)
			log_warn("%s receipts not stored (%d)", run.provider, rc);
		return req_ok(r, 503, tc ? json_pack("{s:i,s:s}", "result", 1, "errmsg", "retry") :
		    json_pack("{s:i,s:s}", "code", 1, "msg", "稍后重试"));
	}
	if (run.ignored > 0)
		log_info("%s receipts: %d stored, %d for no message of ours (dropped)",
		    run.provider, run.stored, run.ignored);
	return req_ok(r, 200, tc ? json_pack("{s:i,s:s}", "result", 0, "errmsg", "OK") :
	    json_pack("{s:i,s:s}", "code", 0, "msg", "成功"));
}

int
h_sms_receipt_aliyun(struct req *r)
{
	return receipts(r, PROV_ALIYUN);
}

int
h_sms_receipt_tencent(struct req *r)
{
	return receipts(r, PROV_TENCENT);
}

/* The callback URL without its secret: the console was given the wrong address. */
int
h_sms_receipt_nosecret(struct req *r)
{
	return req_err_msg(r, E_UNAUTHENTICATED, "回执地址缺少密钥");
}

/* ------------------------------------------------------------------ hall alerts */

/*
 * A manager has dealt with alert key of hall (a notice that failed for good, a budget
 * warning): 0, E_ALERT_NOT_DISMISSABLE (the system clears calendar:* itself, when the year
 * is loaded), E_NOT_FOUND (no such open alert), or a DB_* code.
 */
static int
alert_dismiss(struct ctx *c, const char *hall, const char *key)
{
	char now[32];
	uint64_t n = 0;
	int rc;

	if (strncmp(key, "calendar:", 9) == 0)
		return E_ALERT_NOT_DISMISSABLE;
	now_dt(now, sizeof now);
	if ((rc = hall_alert_clear(c, hall, key, now, &n)) != 0)
		return rc;
	return n == 0 ? E_NOT_FOUND : 0;
}

/* POST /halls/{hall}/alerts/dismiss {"key"}: 204, audited. */
int
h_alert_dismiss(struct req *r)
{
	const char *hall = r->pathv[0], *key = NULL;
	int rc;

	in_str(r, r->body, "key", 1, 1, 64, &key);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = require_manager_of_hall(r, hall)) != 0)
		return rc;
	rc = alert_dismiss(r->ctx, hall, key);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == E_ALERT_NOT_DISMISSABLE)
		return req_err_msg(r, rc, "节假日安排提醒会在导入该年度安排后自动消除");
	if (rc == E_NOT_FOUND)
		return req_err_msg(r, rc, "没有这条待处理提醒");
	audit(r, "alert.dismiss", key, "ok", hall);
	return 204;
}
