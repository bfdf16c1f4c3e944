/*
 * notify_api.c — notices for staff, and the SMS providers' delivery receipts.
 *
 * Routes: GET  /notices?ref_kind=&ref_id=&status=   staff of the hall: the notices of a case
 *                                                    (ticket, appointment …), oldest first
 *         POST /notices/{id}/resend                  staff of the hall: queue the notice again
 *         POST /sms/receipts/aliyun                  Aliyun delivery receipts (SmsReport batch)
 *         POST /sms/receipts/tencent                 Tencent delivery receipts (status callback)
 * Tables: outbox (read; resend inserts a row pointing at the original), sms_receipts,
 *         audit_log.  Redis: none.
 *
 * Receipts carry no signature at either provider; config sms_receipt_token, when set, must
 * come back as ?token= in the callback URL configured in the provider's console.  Each
 * receipt is stored once (unique provider + message + status): a batch pushed twice changes
 * nothing the second time.  A DELIVERED status is never overwritten by a later one.
 */
#include "handlers.h"
#include "audit.h"
#include "notify.h"
#include "../fcgi/clock.h"
#include "../fcgi/config.h"
#include "../fcgi/db.h"
#include "../fcgi/log.h"

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

	time_format(hall_now(), s, sizeof s);
	s[10] = ' ';
	s[19] = '\0';
	str_copy(out, osz, s);
}

/* ------------------------------------------------------------------ staff */

static const char *const notice_cols[] = { "id", "template", "channel", "recipient", "status",
    "attempts", "created_at", "next_attempt_at", "sent_at", "provider", "last_error",
    "delivery_status", "delivered_at", "segments", "resend_of", "requested_by", "params" };
#define NOTICE_TYPES "issssisSSsssSiIss"

#define NOTICE_SELECT \
	"SELECT id, template, channel, recipient_mask, status, attempts," \
	" DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s+08:00')," \
	" DATE_FORMAT(next_attempt_at, '%Y-%m-%dT%H:%i:%s+08:00')," \
	" DATE_FORMAT(sent_at, '%Y-%m-%dT%H:%i:%s+08:00'), provider, last_error," \
	" delivery_status, DATE_FORMAT(delivered_at, '%Y-%m-%dT%H:%i:%s+08:00'), segments," \
	" resend_of, requested_by, params FROM outbox"

/* Shape each row for staff: the title and text of its template; never a code's text. */
static void
notices_finish(json_t *list)
{
	size_t i;
	json_t *n;

	json_array_foreach(list, i, n) {
		const struct tmpl *t = tmpl_find(json_string_value(json_object_get(n, "template")));
		json_t *params = json_loads(json_string_value(json_object_get(n, "params")), 0, NULL);
		struct rendered rd;

		memset(&rd, 0, sizeof rd);
		json_object_del(n, "params");
		json_object_set_new(n, "title", json_string(t && t->title[0] ? t->title : ""));
		json_object_set_new(n, "resendable", json_boolean(t && !t->is_code));
		if (t && !t->is_code && params &&
		    tmpl_render(t, params, PROV_LOG, config_get("sms_sign_name", "一窗政务"), &rd) == 0)
			json_object_set_new(n, "text", json_string(rd.text));
		else
			json_object_set_new(n, "text", json_null());
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
	size_t i;

	q_str(r, "ref_kind", 1, 32, &kind);
	q_str(r, "ref_id", 1, 64, &ref);
	q_str(r, "status", 0, 16, &status);
	if (kind && !ref_kind_ok(kind))
		req_fail_field(r, "ref_kind", "只能是小写字母和下划线");
	if (ref && *ref == '\0')
		req_fail_field(r, "ref_id", "不能为空");
	if (status) {
		for (i = 0; status_choices[i] && strcmp(status_choices[i], status) != 0; i++)
			;
		if (status_choices[i] == NULL)
			req_fail_field(r, "status", "不是有效的状态");
	}
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

struct orig {
	int	 found;
	char	 status[16];
	char	 tmpl[64];
};

static int
orig_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct orig *o = arg;

	(void)ncol;
	(void)lens;
	o->found = 1;
	str_copy(o->status, sizeof o->status, v[0] ? v[0] : "");
	str_copy(o->tmpl, sizeof o->tmpl, v[1] ? v[1] : "");
	return 1;
}

int
h_notice_resend(struct req *r)
{
	long long id;
	struct orig o;
	const struct tmpl *t;
	char now[32], busy[8], idtxt[24];
	uint64_t nid = 0;
	json_t *list;
	int rc;

	if (parse_ll(r->pathv[0], 1, INT64_MAX, &id) != 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这条通知");
	memset(&o, 0, sizeof o);
	now_dt(now, sizeof now);
	if ((rc = db_begin(r->ctx)) != 0)
		return db_fail(r, rc);
	rc = db_query(r->ctx, "SELECT status, template FROM outbox WHERE id = ? AND hall = ?"
	    " FOR UPDATE", DBARGS(DBI(id), DBS(r->sess.hall)), orig_row, &o);
	if (rc < 0)
		goto dbfail;
	if (!o.found) {
		db_rollback(r->ctx);
		return req_fail(r, 404, "NOT_FOUND", "没有这条通知");
	}
	t = tmpl_find(o.tmpl);
	if (t == NULL || t->is_code) {
		db_rollback(r->ctx);
		return req_fail(r, 422, "NOT_RESENDABLE", "验证码类通知不能重发");
	}
	if (strcmp(o.status, "pending") == 0 || strcmp(o.status, "sending") == 0 ||
	    strcmp(o.status, "held") == 0) {
		db_rollback(r->ctx);
		return req_fail(r, 409, "NOTICE_PENDING", "该通知尚在发送中，无需重发");
	}
	/* A resend already on its way is enough: a double click queues one. */
	rc = db_scalar(r->ctx, "SELECT 1 FROM outbox WHERE resend_of = ?"
	    " AND status IN ('pending', 'sending', 'held') LIMIT 1", DBARGS(DBI(id)), busy,
	    sizeof busy);
	if (rc < 0)
		goto dbfail;
	if (rc == 1) {
		db_rollback(r->ctx);
		return req_fail(r, 409, "NOTICE_PENDING", "已重发，正在发送中");
	}
	rc = db_exec(r->ctx, "INSERT INTO outbox (hall, channel, template, recipient_enc,"
	    " recipient_mask, params, ref_kind, ref_id, resend_of, requested_by, urgent, status,"
	    " next_attempt_at, created_at)"
	    " SELECT hall, channel, template, recipient_enc, recipient_mask, params, ref_kind,"
	    " ref_id, id, ?, 1, 'pending', ?, ? FROM outbox WHERE id = ?",
	    DBARGS(DBS(r->sess.subject), DBS(now), DBS(now), DBI(id)), NULL, &nid);
	if (rc != 0)
		goto dbfail;
	fmt(idtxt, sizeof idtxt, "%lld", id);
	audit(r, "notice.resend", idtxt, "ok", o.tmpl);
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
dbfail:
	db_rollback(r->ctx);
	return db_fail(r, rc);
}

/* ------------------------------------------------------------------ receipts */

static int
receipt_token_ok(struct req *r)
{
	const char *want = config_get("sms_receipt_token", "");
	const char *got = req_query(r, "token");

	if (*want == '\0')
		return 1;
	return got && strlen(got) == strlen(want) &&
	    sodium_memcmp(got, want, strlen(want)) == 0;
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

/* Store one receipt and mark the outbox row.  0 stored or ignored, else a DB_* code. */
static int
receipt_store(struct ctx *c, const char *provider, const char *msg_key, const char *out_id,
    const char *status, const char *reported)
{
	char now[32], idbuf[24];
	long long id = 0;
	int rc;

	now_dt(now, sizeof now);
	if (out_id && parse_ll(out_id, 1, INT64_MAX, &id) == 0) {
		/* OutId / SessionContext is our row id, but only for a row that went through
		 * this provider. */
		rc = db_scalar(c, "SELECT id FROM outbox WHERE id = ? AND provider = ?",
		    DBARGS(DBI(id), DBS(provider)), idbuf, sizeof idbuf);
		if (rc < 0)
			return rc;
		if (rc == 0)
			id = 0;
	}
	if (id == 0 && msg_key && *msg_key) {
		rc = db_scalar(c, "SELECT id FROM outbox WHERE provider = ? AND provider_msg_id = ?"
		    " ORDER BY id DESC LIMIT 1", DBARGS(DBS(provider), DBS(msg_key)), idbuf,
		    sizeof idbuf);
		if (rc < 0)
			return rc;
		if (rc == 0 || parse_ll(idbuf, 1, INT64_MAX, &id) != 0)
			id = 0;
	}
	if (msg_key == NULL || *msg_key == '\0')
		msg_key = out_id;
	if (msg_key == NULL || *msg_key == '\0' || strlen(msg_key) > 128)
		return 0;
	rc = db_exec(c, "INSERT INTO sms_receipts (provider, msg_key, status, outbox_id,"
	    " reported_at, received_at) VALUES (?, ?, ?, ?, ?, ?)",
	    DBARGS(DBS(provider), DBS(msg_key), DBS(status), id ? DBI(id) : DBN, DBSO(reported),
	    DBS(now)), NULL, NULL);
	if (rc == DB_DUP)
		return 0;	/* pushed before */
	if (rc != 0 || id == 0)
		return rc;
	return db_exec(c, "UPDATE outbox SET delivery_status = ?,"
	    " delivered_at = IF(? = 'DELIVERED', COALESCE(?, ?), delivered_at)"
	    " WHERE id = ? AND delivery_status <> 'DELIVERED'",
	    DBARGS(DBS(status), DBS(status), DBSO(reported), DBS(now), DBI(id)), NULL, NULL);
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
};

static int
receipt_one(const struct sms_receipt *rc, void *arg)
{
	struct receipt_run *run = arg;

	return receipt_store(run->ctx, run->provider, rc->msg_key, rc->out_id, rc->status,
	    rc->reported);
}

int
h_sms_receipt_aliyun(struct req *r)
{
	struct receipt_run run = { r->ctx, "aliyun" };
	int rc;

	if (!receipt_token_ok(r))
		return req_ok(r, 403, json_pack("{s:i,s:s}", "code", 1, "msg", "token"));
	rc = sms_receipts_each(PROV_ALIYUN, r->raw_body, r->body_len, receipt_one, &run);
	if (rc == 1)
		return req_ok(r, 400, json_pack("{s:i,s:s}", "code", 1, "msg", "格式错误"));
	if (rc != 0) {
		log_warn("aliyun receipts not stored (%d)", rc);
		return req_ok(r, 503, json_pack("{s:i,s:s}", "code", 1, "msg", "稍后重试"));
	}
	return req_ok(r, 200, json_pack("{s:i,s:s}", "code", 0, "msg", "成功"));
}

int
h_sms_receipt_tencent(struct req *r)
{
	struct receipt_run run = { r->ctx, "tencent" };
	int rc;

	if (!receipt_token_ok(r))
		return req_ok(r, 403, json_pack("{s:i,s:s}", "result", 1, "errmsg", "token"));
	rc = sms_receipts_each(PROV_TENCENT, r->raw_body, r->body_len, receipt_one, &run);
	if (rc == 1)
		return req_ok(r, 400, json_pack("{s:i,s:s}", "result", 1, "errmsg", "bad format"));
	if (rc != 0) {
		log_warn("tencent receipts not stored (%d)", rc);
		return req_ok(r, 503, json_pack("{s:i,s:s}", "result", 1, "errmsg", "retry"));
	}
	return req_ok(r, 200, json_pack("{s:i,s:s}", "result", 0, "errmsg", "OK"));
}
