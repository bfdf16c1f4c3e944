/*
 * notify.c — delivering the outbox (the worker job), and the per-phone limits.
 *
 * Job notify-deliver (notify_jobs below, every 200 ms; several workers may run it at once):
 *   1. claim: in one short transaction, SELECT … FOR UPDATE SKIP LOCKED up to 10 due rows
 *      (pending, held past their hour, or sending with an expired lease) and mark them
 *      'sending' with a fresh lease token, attempts + 1 and next_attempt_at = now + lease
 *      (config sms_lease_seconds, default 60; kept above sms_timeout_ms).  The marking
 *      UPDATE repeats the read's condition and a row it no longer matches is left out: on a
 *      Galera cluster row locks do not reach other nodes, so two workers on two nodes may
 *      read the same row; both write it, and certification lets only the first commit
 *      through — the other's COMMIT fails (ER_LOCK_DEADLOCK) and it sends nothing.
 *   2. for each row, outside any transaction: quiet hours (held until 08:00), the message's
 *      age (dropped EXPIRED after the template's ttl), the daily cap per phone and template
 *      (dropped DAILY_CAP), render, send through the configured provider.
 *   3. record: success unconditionally unless already recorded (UPDATE … WHERE status <>
 *      'sent'); a retry or failure only while this worker still holds the lease.
 * A worker killed between the provider's reply and step 3 leaves the row 'sending'; when
 * the lease runs out another worker sends it again with the same id as OutId /
 * SessionContext, so the provider side can drop the duplicate.  A row whose success is
 * recorded is never claimed again.
 *
 * Retries: exponential from sms_retry_base_ms (5000) doubling to sms_retry_max_ms (600000),
 * ±20 %, until the template's ttl or sms_max_attempts (50).  When the provider is
 * unreachable (network, 5xx) the channel pauses (1 s doubling to 30 s) and the rest of the
 * batch is put back without using up an attempt, so an outage costs each queued message
 * nothing and everything goes out when the provider is back.
 *
 * Secrets at rest: a row's variables are sealed (params_enc, outbox.h); the worker opens
 * them only to send, and blanks them (NULL) together with recording the row sent, failed
 * or dropped, so no code or link outlives its message.  Rows queued before migration 103
 * carry them in clear in params: job notify-housekeeping seals those still to be sent, and
 * recording a final state masks them.
 *
 * A notice that fails for good (failed, or dropped EXPIRED) raises the hall alert
 * notice:<id> in the transaction that records it: what failed, for which case, ticket or
 * booking, to whom (masked) and why.  A resend of it that is sent clears it.  Verification
 * codes raise none (the citizen simply asks again).
 *
 * Limits (Redis, hall time):
 *   {sms:<phone hash>}:codes             zset of verification codes sent (1/min, 5/h, 10/day)
 *   {sms:<phone hash>}:cap:<tmpl>:<day>  set of outbox ids counted against the daily cap
 * Every result is also counted for GET /metrics (fcgi/metrics.h): sent, retry (failed, to be
 * tried again) or failed (for good), per provider, in the Redis hash metrics:sms.
 * Tables: outbox, hall_alerts.
 */
#include "notify.h"
#include "notify_sms.h"
#include "outbox.h"
#include "../shared/alerts.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/log.h"
#include "../../fcgi/metrics.h"
#include "../rooms.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define CLAIM_BATCH 10
#define JOB_BUDGET_MS 1000

/* ------------------------------------------------------------------ limits */

static struct kv_script code_limit = {
	"notify_code_limit",
	/* KEYS[1] zset of codes (score: hall ms); ARGV[1] now ms, ARGV[2] member.
	 * Checks every window first; writes only when all pass. Returns 0 or ms to wait. */
	"local now = tonumber(ARGV[1])\n"
	"local windows = { {60000, 1}, {3600000, 5}, {86400000, 10} }\n"
	"local wait = 0\n"
	"for _, w in ipairs(windows) do\n"
	"  local n = redis.call('ZCOUNT', KEYS[1], now - w[1] + 1, '+inf')\n"
	"  if n >= w[2] then\n"
	"    local e = redis.call('ZRANGEBYSCORE', KEYS[1], now - w[1] + 1, '+inf', 'WITHSCORES',"
	"      'LIMIT', n - w[2], 1)\n"
	"    local ms = tonumber(e[2]) + w[1] - now\n"
	"    if ms > wait then wait = ms end\n"
	"  end\n"
	"end\n"
	"if wait > 0 then return wait end\n"
	"redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 86400000)\n"
	"redis.call('ZADD', KEYS[1], now, ARGV[2])\n"
	"redis.call('PEXPIRE', KEYS[1], 86400000)\n"
	"return 0\n",
	""
};

static struct kv_script daily_cap = {
	"notify_daily_cap",
	/* KEYS[1] set of outbox ids counted today; ARGV[1] id, ARGV[2] cap, ARGV[3] ttl s.
	 * A row already counted (a retry) passes again.  0 pass, 1 over the cap. */
	"if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end\n"
	"if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 1 end\n"
	"redis.call('SADD', KEYS[1], ARGV[1])\n"
	"redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))\n"
	"return 0\n",
	""
};

static void
phone_tag(const char *phone, char out[33])
{
	char h[PII_HASH_HEX];

	pii_hash("phone", phone, h);
	memcpy(out, h, 32);
	out[32] = '\0';
}

int
notify_code_allowed(struct ctx *c, const char *phone, int *retry_after)
{
	char tag[33], key[64], now[24], member[64], rnd[16];
	const char *args[3];
	int64_t ms = hall_now_ms();
	long long wait;

	*retry_after = 0;
	if (phone == NULL || !phone_ok(phone))
		return -1;
	phone_tag(phone, tag);
	fmt(key, sizeof key, "{sms:%s}:codes", tag);
	fmt(now, sizeof now, "%lld", (long long)ms);
	token_new(rnd, sizeof rnd, 6);
	fmt(member, sizeof member, "%lld-%s", (long long)ms, rnd);
	args[0] = key;
	args[1] = now;
	args[2] = member;
	if (kv_eval_int(c, &code_limit, 1, 3, args, &wait) != 0)
		return -1;
	if (wait <= 0)
		return 1;
	*retry_after = (int)((wait + 999) / 1000);
	if (*retry_after < 1)
		*retry_after = 1;
	return 0;
}

/* 0 pass, 1 over the cap, -1 Redis down. */
static int
cap_take(struct ctx *c, const struct tmpl *t, const char *phone, uint64_t id)
{
	char tag[33], key[160], ids[24], cap[16], day[16];
	const char *args[4];
	redisReply *r;
	int rc;

	if (t->daily_cap <= 0 || config_int("sms_daily_caps", 1, 0, 1) == 0)
		return 0;
	phone_tag(phone, tag);
	date_format_t(hall_now(), day, sizeof day);
	fmt(key, sizeof key, "{sms:%s}:cap:%s:%s", tag, t->name, day);
	fmt(ids, sizeof ids, "%llu", (unsigned long long)id);
	fmt(cap, sizeof cap, "%d", t->daily_cap);
	args[0] = key;
	args[1] = ids;
	args[2] = cap;
	args[3] = "172800";
	if ((r = kv_eval(c, &daily_cap, 1, 4, args, NULL)) == NULL)
		return -1;
	rc = r->type == REDIS_REPLY_INTEGER ? (int)r->integer : -1;
	freeReplyObject(r);
	return rc;
}

/* ------------------------------------------------------------------ the job */

struct row {
	uint64_t	 id;
	char		 channel[8];
	char		 tmpl[64];
	char		 hall[32];
	unsigned char	 rec[PII_SEALED_MAX];
	size_t		 reclen;
	unsigned char	*penc;		/* the variables, sealed (owned) */
	size_t		 penclen;
	char		*params;	/* a row from before 103: its variables in clear (owned) */
	char		*masked;	/* … and as they are to stay (owned) */
	uint64_t	 resend_of;
	int		 urgent;
	int		 attempts;	/* after this claim */
	long long	 age;		/* seconds since created */
	char		 lease[24];
};

struct claim {
	struct row	 rows[CLAIM_BATCH];
	int		 n;
};

/* A row queued before migration 103: its variables in clear, and masked as they stay. */
static void
legacy_params(struct row *r, const char *clear)
{
	json_t *p = json_loads(clear ? clear : "{}", 0, NULL), *m;

	r->params = strdup(clear ? clear : "{}");
	m = tmpl_params_masked(tmpl_find(r->tmpl), p);
	r->masked = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	json_decref(p);
}

static int
claim_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct claim *cl = arg;
	struct row *r;
	long long n;

	(void)ncol;
	if (cl->n == CLAIM_BATCH)
		return 1;
	r = &cl->rows[cl->n];
	memset(r, 0, sizeof *r);
	if (parse_ll(v[0], 1, INT64_MAX, &n) != 0)
		return 0;
	r->id = (uint64_t)n;
	str_copy(r->channel, sizeof r->channel, v[1] ? v[1] : "sms");
	str_copy(r->tmpl, sizeof r->tmpl, v[2] ? v[2] : "");
	if (v[3] && lens[3] <= sizeof r->rec) {
		memcpy(r->rec, v[3], lens[3]);
		r->reclen = lens[3];
	}
	if (v[8]) {
		if ((r->penc = malloc(lens[8] ? lens[8] : 1)) != NULL) {
			memcpy(r->penc, v[8], lens[8]);
			r->penclen = lens[8];
		}
	} else
		legacy_params(r, v[4]);
	r->urgent = v[5] && v[5][0] == '1';
	if (v[6] && parse_ll(v[6], 0, 65535, &n) == 0)
		r->attempts = (int)n + 1;
	r->age = 0;
	if (v[7])
		parse_ll(v[7], -INT64_MAX / 2, INT64_MAX / 2, &r->age);
	str_copy(r->hall, sizeof r->hall, v[9] ? v[9] : "");
	if (v[10] && parse_ll(v[10], 1, INT64_MAX, &n) == 0)
		r->resend_of = (uint64_t)n;
	cl->n++;
	return 0;
}

static void
row_free(struct row *r)
{
	if (r->params)
		sodium_memzero(r->params, strlen(r->params));
	free(r->params);
	free(r->masked);
	free(r->penc);
	r->params = r->masked = NULL;
	r->penc = NULL;
}

static void
claim_free(struct claim *cl)
{
	int i;

	for (i = 0; i < cl->n; i++)
		row_free(&cl->rows[i]);
	cl->n = 0;
}

static int64_t
lease_ms(void)
{
	int64_t lease = config_int("sms_lease_seconds", 60, 2, 3600) * 1000;
	int64_t timeout = config_int("sms_timeout_ms", 5000, 100, 120000);

	/* Never shorter than a send can take (WeChat may make three calls). */
	return lease > 3 * timeout + 1000 ? lease : 3 * timeout + 1000;
}

static int
claim(struct ctx *c, struct claim *cl)
{
	char now[32], until[32], lease[24], due[8];
	int64_t ms = hall_now_ms();
	int rc, i;

	cl->n = 0;
	sql_datetime(ms, now, sizeof now);
	sql_datetime(ms + lease_ms(), until, sizeof until);
	token_new(lease, sizeof lease, 12);
	/* Five times a second per worker: one indexed read when nothing is due, the locking
	 * transaction only when something is. */
	rc = db_scalar(c, "SELECT 1 FROM outbox WHERE status IN ('pending', 'sending', 'held')"
	    " AND next_attempt_at <= ? LIMIT 1", DBARGS(DBS(now)), due, sizeof due);
	if (rc <= 0)
		return rc;
	if ((rc = db_begin(c)) != 0)
		return rc;
	rc = db_query(c, "SELECT id, channel, template, recipient_enc, params, urgent, attempts,"
	    " TIMESTAMPDIFF(SECOND, created_at, ?), params_enc, hall, resend_of"
	    " FROM outbox WHERE status IN ('pending', 'sending', 'held') AND next_attempt_at <= ?"
	    " ORDER BY next_attempt_at, id LIMIT 10 FOR UPDATE SKIP LOCKED",
	    DBARGS(DBS(now), DBS(now)), claim_row, cl);
	if (rc < 0)
		goto fail;
	for (i = 0; i < cl->n; i++) {
		uint64_t got = 0;

		str_copy(cl->rows[i].lease, sizeof cl->rows[i].lease, lease);
		/* The claim is a write guarded by what was read: still due, still claimable.
		 * SKIP LOCKED locks only on this server; on a Galera cluster two workers on two
		 * nodes may read the same due row, and it is this write that decides — the node
		 * that commits second fails certification (DB_RETRY below) and sends nothing. */
		rc = db_exec(c, "UPDATE outbox SET status = 'sending', lease = ?,"
		    " attempts = LEAST(attempts + 1, 65535), next_attempt_at = ? WHERE id = ?"
		    " AND status IN ('pending', 'sending', 'held') AND next_attempt_at <= ?",
		    DBARGS(DBS(lease), DBS(until), DBI(cl->rows[i].id), DBS(now)), &got, NULL);
		if (rc != 0)
			goto fail;
		if (got == 0) {
			/* Claimed by another worker since the read: not ours. */
			row_free(&cl->rows[i]);
			cl->rows[i] = cl->rows[cl->n - 1];
			memset(&cl->rows[cl->n - 1], 0, sizeof cl->rows[0]);
			cl->n--;
			i--;
		}
	}
	if ((rc = db_commit(c)) != 0) {
		if (rc == DB_RETRY) {
			/* Another worker's claim of the same rows won (certification conflict on
			 * a Galera cluster, or a deadlock): they are its to send. */
			claim_free(cl);
			return 0;
		}
		goto fail_nr;
	}
	return 0;
fail:
	db_rollback(c);
fail_nr:
	claim_free(cl);
	return rc;
}

/* Put a claimed row back without counting the attempt (held, paused, Redis down). */
static int
release(struct ctx *c, const struct row *r, const char *status, int64_t at_ms,
    const char *why)
{
	char at[32];

	sql_datetime(at_ms, at, sizeof at);
	return db_exec(c, "UPDATE outbox SET status = ?, lease = '', attempts = attempts - 1,"
	    " next_attempt_at = ?, last_error = IF(? = '', last_error, ?)"
	    " WHERE id = ? AND status = 'sending' AND lease = ? AND attempts > 0",
	    DBARGS(DBS(status), DBS(at), DBS(why), DBS(why), DBI(r->id), DBS(r->lease)),
	    NULL, NULL);
}

/* ------------------------------------------------------------------ alerts */

/* What a failure code means, for a hall manager. */
static const char *
failure_words(const char *code)
{
	if (strcmp(code, "EXPIRED") == 0)
		return "超过有效期仍未发出（短信服务曾长时间不可用）";
	if (strcmp(code, "TOO_MANY_ATTEMPTS") == 0)
		return "多次重试仍未发出";
	if (strcmp(code, "PHONE_INVALID") == 0 || strstr(code, "MOBILE_NUMBER") ||
	    strstr(code, "PhoneNumber"))
		return "手机号码无效";
	if (strncmp(code, "VAR_", 4) == 0 || strncmp(code, "URL_", 4) == 0 ||
	    strcmp(code, "TEXT_TOO_LONG") == 0 || strcmp(code, "PARAMS_INVALID") == 0)
		return "短信内容不符合模板要求";
	if (strncmp(code, "WX_", 3) == 0)
		return "微信未能送达（用户未订阅或已拒收）";
	return "短信服务拒绝发送";
}

struct dead {
	char	 hall[32];
	char	 ref_kind[32];
	char	 ref_id[64];
	char	 mask[32];
	char	 number[16];	/* a ticket's number, from the readable variables */
};

static int
dead_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct dead *d = arg;
	json_t *p;

	(void)ncol;
	(void)lens;
	str_copy(d->hall, sizeof d->hall, v[0] ? v[0] : "");
	str_copy(d->ref_kind, sizeof d->ref_kind, v[1] ? v[1] : "");
	str_copy(d->ref_id, sizeof d->ref_id, v[2] ? v[2] : "");
	str_copy(d->mask, sizeof d->mask, v[3] ? v[3] : "");
	if ((p = json_loads(v[4] ? v[4] : "{}", 0, NULL)) != NULL &&
	    json_is_string(json_object_get(p, "number")))
		str_copy(d->number, sizeof d->number, json_string_value(json_object_get(p, "number")));
	json_decref(p);
	return 1;
}

/* In the recording transaction: the hall's alert notice:<id> for a notice that failed for
 * good.  0 or a DB_* code. */
static int
alert_dead(struct ctx *c, const struct row *r, const struct tmpl *t, const char *code)
{
	char key[40], what[120], msg[500], now[32];
	struct dead d;
	int rc;

	if (t && t->is_code)
		return 0;	/* a verification code: the citizen asks for another */
	memset(&d, 0, sizeof d);
	rc = db_query(c, "SELECT hall, ref_kind, ref_id, recipient_mask, params FROM outbox"
	    " WHERE id = ?", DBARGS(DBI(r->id)), dead_row, &d);
	if (rc <= 0 || d.hall[0] == '\0')
		return rc < 0 ? rc : 0;	/* no hall: nobody's dashboard */
	if (strcmp(d.ref_kind, "case") == 0 && d.ref_id[0])
		fmt(what, sizeof what, "办件 %s", d.ref_id);
	else if (strcmp(d.ref_kind, "appointment") == 0)
		fmt(what, sizeof what, "预约 #%s", d.ref_id);
	else if (strcmp(d.ref_kind, "ticket") == 0)
		fmt(what, sizeof what, "排队号 %s", d.number[0] ? d.number : d.ref_id);
	else if (d.ref_id[0])
		fmt(what, sizeof what, "%s %s", d.ref_kind, d.ref_id);
	else
		str_copy(what, sizeof what, "无关联业务");
	fmt(msg, sizeof msg, "「%s」%s未能送达 %s（%s）：%s（%s）。请核实后在办件或通知记录中重发，"
	    "或电话告知。", t && t->title[0] ? t->title : r->tmpl,
	    strcmp(r->channel, "wechat") == 0 ? "微信消息" : "短信", d.mask, what,
	    failure_words(code), code);
	fmt(key, sizeof key, "notice:%llu", (unsigned long long)r->id);
	sql_now(now, sizeof now);
	rc = hall_alert_raise(c, d.hall, key, "warning", msg, now);
	/* A hall that is not in halls (a foreign key): nobody to tell, not a failure. */
	return rc == DB_FAIL ? 0 : rc;
}

/* A resend went out: the alert about the notice it replaced is done. */
static int
alert_done(struct ctx *c, const struct row *r)
{
	char key[40], now[32];

	if (r->resend_of == 0 || r->hall[0] == '\0')
		return 0;
	fmt(key, sizeof key, "notice:%llu", (unsigned long long)r->resend_of);
	sql_now(now, sizeof now);
	return hall_alert_clear(c, r->hall, key, now, NULL);
}

/* ------------------------------------------------------------------ recording */

/*
 * A final state blanks the sealed variables (and masks those of a row from before 103) in
 * the same statement; its alert, if any, is written in the same transaction, so a row is
 * never final without it.
 */
static int
record_sent(struct ctx *c, const struct row *r, const char *provider,
    const struct send_result *res, int segments)
{
	char now[32];
	uint64_t n = 0;
	int rc;

	sql_datetime(hall_now_ms(), now, sizeof now);
	if ((rc = db_begin(c)) != 0)
		return rc;
	rc = db_exec(c, "UPDATE outbox SET status = 'sent', lease = '', provider = ?,"
	    " provider_msg_id = ?, segments = ?, sent_at = ?, last_error = '',"
	    " params_enc = NULL, params = COALESCE(?, params)"
	    " WHERE id = ? AND status <> 'sent'",
	    DBARGS(DBS(provider), DBS(res->msg_id), DBI(segments), DBS(now), DBSO(r->masked),
	    DBI(r->id)), &n, NULL);
	if (rc == 0 && n == 1)
		rc = alert_done(c, r);
	if (rc != 0) {
		db_rollback(c);
		return rc;
	}
	if ((rc = db_commit(c)) == 0)
		metrics_sms_count(c, provider, "sent");
	return rc;
}

/* status 'pending' (retry at at_ms), 'failed' or 'dropped'. */
static int
record_end(struct ctx *c, const struct row *r, const char *status, const char *provider,
    const char *code, int64_t at_ms)
{
	char at[32], err[256];
	const struct tmpl *t;
	uint64_t n = 0;
	int rc;

	sql_datetime(at_ms, at, sizeof at);
	str_copy(err, sizeof err, code);
	if (strcmp(status, "pending") == 0) {
		metrics_sms_count(c, provider, "retry");
		return db_exec(c, "UPDATE outbox SET status = ?, lease = '', provider = ?,"
		    " last_error = ?, next_attempt_at = ?"
		    " WHERE id = ? AND status = 'sending' AND lease = ?",
		    DBARGS(DBS(status), DBS(provider), DBS(err), DBS(at), DBI(r->id),
		    DBS(r->lease)), NULL, NULL);
	}
	if (strcmp(status, "failed") == 0)
		metrics_sms_count(c, provider, "failed");
	if ((rc = db_begin(c)) != 0)
		return rc;
	rc = db_exec(c, "UPDATE outbox SET status = ?, lease = '', provider = ?,"
	    " last_error = ?, next_attempt_at = ?, params_enc = NULL, params = COALESCE(?, params)"
	    " WHERE id = ? AND status = 'sending' AND lease = ?",
	    DBARGS(DBS(status), DBS(provider), DBS(err), DBS(at), DBSO(r->masked), DBI(r->id),
	    DBS(r->lease)), &n, NULL);
	t = tmpl_find(r->tmpl);
	if (rc == 0 && n == 1 &&
	    (strcmp(status, "failed") == 0 || strcmp(code, "EXPIRED") == 0))
		rc = alert_dead(c, r, t, err);
	if (rc != 0) {
		db_rollback(c);
		return rc;
	}
	return db_commit(c);
}

static enum provider
configured_provider(const char **name)
{
	const char *p = config_get("sms_provider", "log");

	if (strcmp(p, "aliyun") == 0) {
		*name = "aliyun";
		return PROV_ALIYUN;
	}
	if (strcmp(p, "tencent") == 0) {
		*name = "tencent";
		return PROV_TENCENT;
	}
	*name = "log";
	return PROV_LOG;
}

/* Per-process pause of a channel after the provider proved unreachable. */
struct pause {
	int64_t	 until_ms;
	int64_t	 step_ms;
};
static struct pause pause_sms, pause_wechat;

static void
pause_hit(struct pause *p)
{
	p->step_ms = p->step_ms ? p->step_ms * 2 : 1000;
	if (p->step_ms > 30000)
		p->step_ms = 30000;
	p->until_ms = hall_now_ms() + p->step_ms;
}

/* The row's variables as queued: opened from params_enc (or, from before 103, the clear
 * column).  NULL when they cannot be read. */
static json_t *
row_params(const struct row *r)
{
	char *text = NULL;
	size_t len = 0;
	json_t *p;

	if (r->penc == NULL)
		return r->params ? json_loads(r->params, 0, NULL) : NULL;
	if (pii_open_blob(r->penc, r->penclen, &text, &len) != 0)
		return NULL;
	p = json_loadb(text, len, 0, NULL);
	sodium_memzero(text, len);
	free(text);
	return p;
}

/* m sent through its channel: WeChat when it is set up, else the configured SMS provider
 * (the log stands in for both). */
static void
deliver_send(struct ctx *c, const struct row *r, int wechat_live, enum provider prov,
    const struct sms_out *m, struct send_result *res)
{
	if (wechat_live)
		wechat_send(c, m, res);
	else if (prov == PROV_ALIYUN)
		sms_aliyun_send(m, res);
	else if (prov == PROV_TENCENT)
		sms_tencent_send(m, res);
	else
		sms_log_send(m, r->channel, res);
}

/* What a send came to, recorded: sent (the channel's pause lifted), to be tried again with
 * backoff while the row is young enough (the channel paused when it proved unreachable),
 * or failed.  0 or a DB_* code. */
static int
deliver_outcome(struct ctx *c, struct row *r, const struct tmpl *t, const char *pname,
    struct pause *pz, const struct send_result *res, int segments, int max_attempts)
{
	int64_t now_ms = hall_now_ms();
	int rc;

	if (res->outcome == SEND_OK) {
		pz->step_ms = 0;
		rc = record_sent(c, r, pname, res, segments);
		log_info("outbox %llu %s sent via %s (%d segment%s)", (unsigned long long)r->id,
		    t->name, pname, segments, segments == 1 ? "" : "s");
	} else if (res->outcome == SEND_RETRY && r->age < t->ttl && r->attempts < max_attempts) {
		int64_t d = retry_delay_ms(r->attempts,
		    config_int("sms_retry_base_ms", 5000, 10, 3600000),
		    config_int("sms_retry_max_ms", 600000, 10, 86400000));

		if (res->unreachable)
			pause_hit(pz);
		rc = record_end(c, r, "pending", pname, res->code, now_ms + d);
		log_warn("outbox %llu %s via %s: %s, retry in %lld ms", (unsigned long long)r->id,
		    t->name, pname, res->code, (long long)d);
	} else {
		rc = record_end(c, r, "failed", pname, res->code[0] ? res->code : "FAILED", now_ms);
		log_warn("outbox %llu %s via %s failed: %s", (unsigned long long)r->id, t->name,
		    pname, res->code);
	}
	return rc;
}

/* Deliver one claimed row.  Returns a DB_* code when recording failed (the lease then
 * brings the row back), else 0. */
static int
deliver(struct ctx *c, struct row *r)
{
	const struct tmpl *t = tmpl_find(r->tmpl);
	static _Thread_local struct tmpl coded;	/* t with the codes an admin set */
	int wechat = strcmp(r->channel, "wechat") == 0;
	int wechat_live = wechat && *config_get("wechat_base_url", "") != '\0';
	struct pause *pz = wechat_live ? &pause_wechat : &pause_sms;
	const char *pname;
	enum provider prov = configured_provider(&pname);
	int64_t now_ms = hall_now_ms(), q;
	int max_attempts = (int)config_int("sms_max_attempts", 50, 1, 1000);
	char to[PII_SEALED_MAX];
	struct rendered rd;
	struct send_result res;
	struct sms_out m;
	json_t *params;
	int rc;

	if (wechat_live)
		pname = "wechat";
	else if (wechat)
		prov = PROV_LOG, pname = "log";
	if (t == NULL)
		return record_end(c, r, "failed", pname, "TEMPLATE_UNKNOWN", now_ms);
	/* The provider's codes set in the console (sms_codes.c) over the file's placeholders;
	 * MariaDB away: the row comes back later, never sent with a stale code. */
	if ((rc = sms_codes_apply(c, t, &coded)) < 0)
		return release(c, r, "pending", now_ms + 2000, "DB_DOWN");
	if (rc == 1)
		t = &coded;
	if (r->age > t->ttl)
		return record_end(c, r, "dropped", pname, "EXPIRED", now_ms);
	if (r->attempts > max_attempts)
		return record_end(c, r, "failed", pname, "TOO_MANY_ATTEMPTS", now_ms);
	if (t->quiet != QUIET_SEND && (t->quiet == QUIET_HOLD || !r->urgent) &&
	    (q = quiet_until(now_ms / 1000)) > 0)
		return release(c, r, "held", q * 1000, "");
	if (pz->until_ms > now_ms)
		return release(c, r, "pending", pz->until_ms, "");
	if (pii_open(r->rec, r->reclen, to, sizeof to) != 0)
		return record_end(c, r, "failed", pname, "RECIPIENT_UNREADABLE", now_ms);
	if (!wechat && !phone_ok(to)) {
		sodium_memzero(to, sizeof to);
		return record_end(c, r, "failed", pname, "PHONE_INVALID", now_ms);
	}
	if ((params = row_params(r)) == NULL) {
		sodium_memzero(to, sizeof to);
		return record_end(c, r, "failed", pname, "PARAMS_INVALID", now_ms);
	}
	if ((rc = cap_take(c, t, to, r->id)) != 0) {
		sodium_memzero(to, sizeof to);
		json_decref(params);
		if (rc > 0)
			return record_end(c, r, "dropped", pname, "DAILY_CAP", now_ms);
		return release(c, r, "pending", now_ms + 2000, "REDIS_DOWN");
	}
	memset(&rd, 0, sizeof rd);
	if (!(wechat && wechat_live) &&
	    tmpl_render(t, params, prov, config_get("sms_sign_name", "一窗政务"), &rd) != 0) {
		sodium_memzero(to, sizeof to);
		json_decref(params);
		log_warn("outbox %llu (%s) not rendered: %s", (unsigned long long)r->id, t->name,
		    rd.err);
		rc = record_end(c, r, "failed", pname, rd.err, now_ms);
		rendered_free(&rd);
		return rc;
	}
	m.id = r->id;
	m.to = to;
	m.t = t;
	m.params = params;
	m.r = &rd;
	deliver_send(c, r, wechat_live, prov, &m, &res);
	sodium_memzero(to, sizeof to);
	json_decref(params);
	rc = deliver_outcome(c, r, t, pname, pz, &res, rd.segments, max_attempts);
	rendered_free(&rd);
	return rc;
}

int
job_notify_deliver(struct ctx *c)
{
	int64_t start = hall_now_ms();
	struct claim cl;
	int rc, i, n;

	tmpl_load_all();
	do {
		if ((rc = claim(c, &cl)) != 0)
			return rc;
		n = cl.n;
		for (i = 0; i < cl.n; i++)
			if ((rc = deliver(c, &cl.rows[i])) != 0) {
				/* Could not record: the lease brings the row back later. */
				log_warn("outbox %llu: recording failed (%d)",
				    (unsigned long long)cl.rows[i].id, rc);
				claim_free(&cl);
				return rc;
			}
		claim_free(&cl);
	} while (n == CLAIM_BATCH && hall_now_ms() - start < JOB_BUDGET_MS);
	return 0;
}

/* ------------------------------------------------------------------ housekeeping */

struct legacy {
	uint64_t	 id[100];
	char		 tmpl[100][64];
	char		*clear[100];
	int		 n;
};

static int
legacy_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct legacy *l = arg;
	long long id;

	(void)ncol;
	(void)lens;
	if (l->n == (int)NELEM(l->id))
		return 1;
	if (parse_ll(v[0], 1, INT64_MAX, &id) != 0 || (l->clear[l->n] = strdup(v[2] ? v[2] :
	    "{}")) == NULL)
		return 0;
	l->id[l->n] = (uint64_t)id;
	str_copy(l->tmpl[l->n], sizeof l->tmpl[0], v[1] ? v[1] : "");
	l->n++;
	return 0;
}

static void
legacy_free(struct legacy *l)
{
	int i;

	for (i = 0; i < l->n; i++) {
		sodium_memzero(l->clear[i], strlen(l->clear[i]));
		free(l->clear[i]);
	}
	l->n = 0;
}

/*
 * Rows queued before migration 103 that are still to be sent carry their variables in
 * clear: seal them into params_enc and mask params, 100 at a time.  Rows being sent just
 * now are left to the worker that holds them (recording them masks them).  Number of rows
 * sealed, or a DB_* code.
 */
static int
seal_legacy(struct ctx *c)
{
	struct legacy l;
	unsigned char *sealed;
	char *masked;
	size_t slen;
	json_t *p;
	int rc, i, done = 0;

	memset(&l, 0, sizeof l);
	if ((rc = db_begin(c)) != 0)
		return rc;
	rc = db_query(c, "SELECT id, template, params FROM outbox"
	    " WHERE status IN ('pending', 'held') AND params_enc IS NULL"
	    " ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED", DBNOARGS, legacy_row, &l);
	for (i = 0; rc >= 0 && i < l.n; i++) {
		p = json_loads(l.clear[i], 0, NULL);
		if (p == NULL)	/* not JSON: the worker fails it PARAMS_INVALID */
			p = json_object();
		rc = outbox_params_seal(l.tmpl[i], p, &masked, &sealed, &slen);
		json_decref(p);
		if (rc != 0) {
			rc = DB_FAIL;	/* no key: a bug, not an outage */
			break;
		}
		rc = db_exec(c, "UPDATE outbox SET params_enc = ?, params = ? WHERE id = ?"
		    " AND params_enc IS NULL", DBARGS(DBSN((const char *)sealed, slen), DBS(masked),
		    DBI(l.id[i])), NULL, NULL);
		free(masked);
		free(sealed);
		done++;
	}
	legacy_free(&l);
	if (rc < 0) {
		db_rollback(c);
		return rc;
	}
	if ((rc = db_commit(c)) != 0)
		return rc;
	if (done > 0)
		log_info("sealed the variables of %d outbox rows queued before migration 103", done);
	return done;
}

int
job_notify_housekeeping(struct ctx *c)
{
	int rc;

	tmpl_load_all();
	do {
		if ((rc = seal_legacy(c)) < 0)
			return rc;
	} while (rc == 100);
	return notify_budget_alerts_expire(c);
}

const struct job notify_jobs[] = {
	/* first: at start-up, rows from before migration 103 are sealed before any is sent */
	{ "notify-housekeeping", 60 * 1000, job_notify_housekeeping },
	{ "notify-deliver", 200, job_notify_deliver },
};
const size_t notify_njobs = NELEM(notify_jobs);
