/*
 * notify_budget.c — daily budgets for verification codes, against SMS pumping.
 *
 * The per-phone limits (notify.c) stop one number being flooded; they do nothing against
 * someone asking for codes to thousands of numbers, each once, which costs the hall one
 * paid SMS each.  So login codes also count, per hall day (hall time), against
 *   - the client address that asked            sms_code_address_day   [50]
 *   - the hall the request is for               sms_code_hall_day      [2000]
 *   - the whole instance                        sms_code_instance_day  [5000]
 * (0 turns a cap off).  One Redis script checks the three and, only when all pass, counts
 * the code in each.  A code that is not sent after all (the phone's own limit, an outage)
 * is given back.  When a hall's or the instance's count reaches sms_code_alert_percent [80]
 * of its budget, the hall's managers get an alert (dashboard); when the budget is used up
 * and codes are refused, the alert turns critical.  The alerts are keyed by day and cleared
 * the next day by the notify-housekeeping job.
 *
 * Redis (one hash slot: the script touches them together):
 *   {smsbudget}:a:<YYYY-MM-DD>:<address tag>   codes asked from an address (tag: keyed hash)
 *   {smsbudget}:h:<YYYY-MM-DD>:<hall>          codes for a hall
 *   {smsbudget}:i:<YYYY-MM-DD>                 codes of the instance
 *   {smsbudget}:warned:{h:<hall>|i}:<day>      set once the alert for reaching the threshold
 *   {smsbudget}:spent:{h:<hall>|i}:<day>       set once the alert for a used-up budget
 *                                              was raised (cleared again if raising failed)
 * Tables: hall_alerts (akey sms_budget:<day>, sms_budget_all:<day>), halls (read).
 */
#include "notify.h"
#include "../shared/alerts.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <string.h>

#define BUDGET_TTL "172800"	/* two days: a day's counters outlive the day */

/*
 * KEYS: 1 address, 2 hall, 3 instance counters; 4, 5 the hall's and the instance's
 * "warned" flags; 6, 7 their "spent" flags.
 * ARGV: 1–3 the caps (0: none), 4–5 the alert thresholds (0: none), 6 ttl seconds.
 * Refused: {scope (1 address, 2 hall, 3 instance), first refusal of that budget today, count}.
 * Taken:   {0, hall crossed its threshold now, instance crossed now, hall count, all count}.
 */
static struct kv_script budget_take = {
	"notify_code_budget_take",
	"for i = 1, 3 do\n"
	"  local cap = tonumber(ARGV[i])\n"
	"  if cap > 0 then\n"
	"    local n = tonumber(redis.call('GET', KEYS[i]) or '0')\n"
	"    if n >= cap then\n"
	"      local first = 0\n"
	"      if i > 1 and redis.call('SET', KEYS[4 + i], '1', 'NX', 'EX', ARGV[6]) then\n"
	"        first = 1\n"
	"      end\n"
	"      return {i, first, n}\n"
	"    end\n"
	"  end\n"
	"end\n"
	"local c = {}\n"
	"for i = 1, 3 do\n"
	"  c[i] = redis.call('INCR', KEYS[i])\n"
	"  redis.call('EXPIRE', KEYS[i], ARGV[6])\n"
	"end\n"
	"local wh, wi = 0, 0\n"
	"local th, ti = tonumber(ARGV[4]), tonumber(ARGV[5])\n"
	"if th > 0 and c[2] >= th and redis.call('SET', KEYS[4], '1', 'NX', 'EX', ARGV[6]) then\n"
	"  wh = 1\n"
	"end\n"
	"if ti > 0 and c[3] >= ti and redis.call('SET', KEYS[5], '1', 'NX', 'EX', ARGV[6]) then\n"
	"  wi = 1\n"
	"end\n"
	"return {0, wh, wi, c[2], c[3]}\n",
	""
};

/* KEYS: the three counters of a code taken.  Uncounts it (never below zero). */
static struct kv_script budget_give = {
	"notify_code_budget_give",
	"for i = 1, 3 do\n"
	"  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then\n"
	"    redis.call('DECR', KEYS[i])\n"
	"  end\n"
	"end\n"
	"return 0\n",
	""
};

static long long
cap_of(enum code_budget_scope s)
{
	switch (s) {
	case BUDGET_ADDRESS:
		return config_int("sms_code_address_day", 50, 0, 100000000);
	case BUDGET_HALL:
		return config_int("sms_code_hall_day", 2000, 0, 100000000);
	case BUDGET_INSTANCE:
		return config_int("sms_code_instance_day", 5000, 0, 100000000);
	default:
		return 0;
	}
}

long long
notify_budget_threshold(long long cap, long long pct)
{
	return cap > 0 ? (cap * pct + 99) / 100 : 0;
}

static long long
threshold(long long cap)
{
	return notify_budget_threshold(cap, config_int("sms_code_alert_percent", 80, 1, 100));
}

int
notify_budget_verdict(const long long *v, size_t n, int64_t now, struct code_budget *b)
{
	if (n == 5 && v[0] == 0) {
		b->taken = 1;
		b->warn_hall = v[1] == 1;
		b->warn_all = v[2] == 1;
		b->hall_count = v[3];
		b->all_count = v[4];
		return 1;
	}
	if (n >= 3 && v[0] >= BUDGET_ADDRESS && v[0] <= BUDGET_INSTANCE) {
		b->refused = (enum code_budget_scope)v[0];
		b->alert_spent = v[1] == 1;
		/* A day's budget comes back at the hall's midnight. */
		b->retry_after = (int)(hall_day_start(hall_day(now) + 1) - now);
		if (b->retry_after < 1)
			b->retry_after = 1;
		return 0;
	}
	return -1;
}

static void
keys_of(const struct code_budget *b, char k[7][128])
{
	fmt(k[0], 128, "{smsbudget}:a:%s:%s", b->day, b->addr_tag);
	fmt(k[1], 128, "{smsbudget}:h:%s:%s", b->day, b->hall);
	fmt(k[2], 128, "{smsbudget}:i:%s", b->day);
	fmt(k[3], 128, "{smsbudget}:warned:h:%s:%s", b->hall, b->day);
	fmt(k[4], 128, "{smsbudget}:warned:i:%s", b->day);
	fmt(k[5], 128, "{smsbudget}:spent:h:%s:%s", b->hall, b->day);
	fmt(k[6], 128, "{smsbudget}:spent:i:%s", b->day);
}

int
notify_code_budget_take(struct ctx *c, const char *hall, const char *addr,
    struct code_budget *b)
{
	char k[7][128], caps[3][24], th[2][24], h[PII_HASH_HEX];
	const char *args[13];
	long long v[5];
	int64_t now = hall_now();
	redisReply *r;
	int i, rc = -1;

	memset(b, 0, sizeof b[0]);
	str_copy(b->hall, sizeof b->hall, hall);
	date_format_t(now, b->day, sizeof b->day);
	/* The address only as a keyed hash: Redis never holds who asked. */
	pii_hash("client-address", addr && *addr ? addr : "-", h);
	memcpy(b->addr_tag, h, 32);
	b->addr_tag[32] = '\0';
	keys_of(b, k);
	for (i = 0; i < 3; i++)
		fmt(caps[i], sizeof caps[i], "%lld", cap_of((enum code_budget_scope)(i + 1)));
	fmt(th[0], sizeof th[0], "%lld", threshold(cap_of(BUDGET_HALL)));
	fmt(th[1], sizeof th[1], "%lld", threshold(cap_of(BUDGET_INSTANCE)));
	for (i = 0; i < 7; i++)
		args[i] = k[i];
	args[7] = caps[0];
	args[8] = caps[1];
	args[9] = caps[2];
	args[10] = th[0];
	args[11] = th[1];
	args[12] = BUDGET_TTL;
	if ((r = kv_eval(c, &budget_take, 7, 13, args, NULL)) == NULL)
		return -1;
	if (r->type == REDIS_REPLY_ARRAY && r->elements >= 3 && r->elements <= 5) {
		for (i = 0; i < (int)r->elements; i++) {
			if (r->element[i]->type != REDIS_REPLY_INTEGER)
				goto out;
			v[i] = r->element[i]->integer;
		}
		rc = notify_budget_verdict(v, r->elements, now, b);
	}
out:
	freeReplyObject(r);
	return rc;
}

void
notify_code_budget_give_back(struct ctx *c, struct code_budget *b)
{
	char k[7][128];
	const char *args[3];
	redisReply *r;

	if (!b->taken)
		return;
	keys_of(b, k);
	args[0] = k[0];
	args[1] = k[1];
	args[2] = k[2];
	if ((r = kv_eval(c, &budget_give, 3, 3, args, NULL)) == NULL)
		log_warn("a login code's budget was not given back (Redis down)");
	else
		freeReplyObject(r);
	b->taken = 0;
}

/* Raise (or reopen, or sharpen) the alert akey in one hall, or in every hall (hall NULL). */
static int
alert_raise(struct ctx *c, const char *hall, const char *akey, const char *level,
    const char *msg)
{
	char now[32];

	sql_now(now, sizeof now);
	if (hall)
		return hall_alert_raise(c, hall, akey, level, msg, now);
	return db_exec(c, "INSERT INTO hall_alerts (hall, akey, level, message, raised_at)"
	    " SELECT code, ?, ?, ?, ? FROM halls ON DUPLICATE KEY UPDATE level = VALUES(level),"
	    " message = VALUES(message), raised_at = VALUES(raised_at), cleared_at = NULL",
	    DBARGS(DBS(akey), DBS(level), DBS(msg), DBS(now)), NULL, NULL);
}

/* Forget a flag whose alert could not be written, so the next code raises it again. */
static void
flag_forget(struct ctx *c, const char *key)
{
	redisReply *r = kv_cmd(c, "DEL %s", key);

	if (r)
		freeReplyObject(r);
}

void
notify_code_budget_alerts(struct ctx *c, struct code_budget *b)
{
	char k[7][128], key[48], msg[500];
	long long pct = config_int("sms_code_alert_percent", 80, 1, 100);

	keys_of(b, k);
	if (b->warn_hall) {
		fmt(key, sizeof key, "sms_budget:%s", b->day);
		fmt(msg, sizeof msg, "%s 本大厅已发出登录验证码短信 %lld 条，达到每日额度 %lld 条的"
		    " %lld%%。额度用完后当日将不能再发送登录验证码；如是办事高峰，请联系系统管理员调高"
		    " sms_code_hall_day，如非正常请核查是否有人恶意刷短信。", b->day, b->hall_count,
		    cap_of(BUDGET_HALL), pct);
		if (alert_raise(c, b->hall, key, "warning", msg) != 0) {
			log_warn("alert %s not raised", key);
			flag_forget(c, k[3]);
		}
	}
	if (b->warn_all) {
		fmt(key, sizeof key, "sms_budget_all:%s", b->day);
		fmt(msg, sizeof msg, "%s 本系统（全部大厅）已发出登录验证码短信 %lld 条，达到每日总额度"
		    " %lld 条的 %lld%%。额度用完后当日所有大厅都不能再发送登录验证码，请联系系统管理员。",
		    b->day, b->all_count, cap_of(BUDGET_INSTANCE), pct);
		if (alert_raise(c, NULL, key, "warning", msg) != 0) {
			log_warn("alert %s not raised", key);
			flag_forget(c, k[4]);
		}
	}
	if (b->alert_spent && b->refused == BUDGET_HALL) {
		fmt(key, sizeof key, "sms_budget:%s", b->day);
		fmt(msg, sizeof msg, "%s 本大厅登录验证码短信的每日额度（%lld 条）已用完：市民今天暂时"
		    "不能用短信验证码登录，明日零时自动恢复。请核查是否有人恶意刷短信，必要时联系系统"
		    "管理员调高 sms_code_hall_day。", b->day, cap_of(BUDGET_HALL));
		if (alert_raise(c, b->hall, key, "critical", msg) != 0) {
			log_warn("alert %s not raised", key);
			flag_forget(c, k[5]);
		}
	}
	if (b->alert_spent && b->refused == BUDGET_INSTANCE) {
		fmt(key, sizeof key, "sms_budget_all:%s", b->day);
		fmt(msg, sizeof msg, "%s 本系统登录验证码短信的每日总额度（%lld 条）已用完：所有大厅的"
		    "市民今天暂时不能用短信验证码登录，明日零时自动恢复。请立即联系系统管理员。",
		    b->day, cap_of(BUDGET_INSTANCE));
		if (alert_raise(c, NULL, key, "critical", msg) != 0) {
			log_warn("alert %s not raised", key);
			flag_forget(c, k[6]);
		}
	}
	b->warn_hall = b->warn_all = b->alert_spent = 0;
}

int
notify_code_default_hall(struct ctx *c, char *out, size_t osz)
{
	const char *h = config_get("sms_code_hall", "");

	if (*h) {
		str_copy(out, osz, h);
		return 1;
	}
	/* The first hall, as GET /halls lists them (and the home page picks it). */
	return db_scalar(c, "SELECT code FROM halls"
	    " ORDER BY FIELD(kind, 'centre', 'district', 'station'), code LIMIT 1", DBNOARGS, out,
	    osz);
}

int
notify_budget_alerts_expire(struct ctx *c)
{
	char now[32], today[12], k1[48], k2[48];

	sql_now(now, sizeof now);
	date_format_t(hall_now(), today, sizeof today);
	fmt(k1, sizeof k1, "sms_budget:%s", today);
	fmt(k2, sizeof k2, "sms_budget_all:%s", today);
	return db_exec(c, "UPDATE hall_alerts SET cleared_at = ? WHERE cleared_at IS NULL"
	    " AND (LEFT(akey, 11) = 'sms_budget:' OR LEFT(akey, 15) = 'sms_budget_all:')"
	    " AND akey <> ? AND akey <> ?", DBARGS(DBS(now), DBS(k1), DBS(k2)), NULL, NULL);
}
