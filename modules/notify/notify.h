/*
 * notify.h — notifications: SMS templates, the outbox worker, per-phone limits.
 *
 * Other modules queue notices with outbox_add() (outbox.h) inside their transaction; the
 * worker job job_notify_deliver() delivers them.  The one call other modules make here is
 * notify_code_allowed(), before sending a verification code.
 */
#ifndef YC_NOTIFY_H
#define YC_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../../fcgi/ctx.h"

/*
 * Verification codes per phone: at most 1 a minute, 5 an hour, 10 a day (hall time).
 * Checks and, when allowed, counts this code in one Redis script.
 * Returns 1 allowed (counted), 0 refused with *retry_after seconds (≥ 1) to wait,
 * -1 when Redis is down (answer 503) or the phone is not a valid mobile number.
 */
int	notify_code_allowed(struct ctx *c, const char *phone, int *retry_after);

/*
 * Daily budgets for verification codes (notify_budget.c): per client address, per hall and
 * for the instance (config sms_code_address_day [50], sms_code_hall_day [2000],
 * sms_code_instance_day [5000]; 0 turns one off), so that nobody can pump SMS across many
 * numbers.  Call notify_code_budget_take before notify_code_allowed; when the code is not
 * sent after all, notify_code_budget_give_back; after the commit, notify_code_budget_alerts
 * (also after a refusal) raises the managers' alerts the take called for.
 */
enum code_budget_scope { BUDGET_NONE, BUDGET_ADDRESS, BUDGET_HALL, BUDGET_INSTANCE };
struct code_budget {
	char			 hall[32];
	char			 day[12];	/* YYYY-MM-DD, hall time */
	char			 addr_tag[33];	/* keyed hash of the client address */
	int			 taken;		/* counted: give it back if not sent */
	enum code_budget_scope	 refused;	/* which cap said no */
	int			 retry_after;	/* seconds to the hall's midnight */
	long long		 hall_count, all_count;
	int			 warn_hall, warn_all, alert_spent;	/* alerts to raise */
};
/* 1 taken, 0 refused (b->refused, b->retry_after), -1 Redis down. */
int	notify_code_budget_take(struct ctx *c, const char *hall, const char *addr,
	    struct code_budget *b);
void	notify_code_budget_give_back(struct ctx *c, struct code_budget *b);
/* The rules behind notify_code_budget_take, pure (test/unit/test_notify_rules.c):
 * the count at which a cap's alert goes up, ⌈cap × pct / 100⌉ (0: no cap, no alert); and
 * what the script's reply v[0..n-1] means at hall instant now — {0, warn hall, warn all,
 * hall count, all count}: taken (1); {scope, spent alert, …}: refused by that cap until the
 * hall's next midnight (0); anything else -1. */
long long notify_budget_threshold(long long cap, long long pct);
int	notify_budget_verdict(const long long *v, size_t n, int64_t now, struct code_budget *b);
/* Outside any transaction: failures are logged (and the alert raised again later). */
void	notify_code_budget_alerts(struct ctx *c, struct code_budget *b);
/* The hall a code is counted against when the request names none: config sms_code_hall,
 * else the first hall by code.  1 found, 0 none, or a DB_* code. */
int	notify_code_default_hall(struct ctx *c, char *out, size_t osz);

/* Worker job: deliver due outbox rows (every 200 ms; its table: notify.c). */
int	job_notify_deliver(struct ctx *c);
/* Worker job (every minute): seal the variables of rows queued before migration 103, and
 * clear the budget alerts of earlier days. */
int	job_notify_housekeeping(struct ctx *c);
/* The budget alerts of earlier days are cleared (notify_budget.c; the job calls it). */
int	notify_budget_alerts_expire(struct ctx *c);

/* ------------------------------------------------------------------ templates */

#define TMPL_MAX_VARS    12
#define TMPL_MAX_WFIELDS 10
#define TMPL_TEXT_MAX    1024

enum var_kind { VK_TEXT, VK_NUMBER, VK_CODE, VK_URL };
enum quiet_rule { QUIET_FLAG, QUIET_HOLD, QUIET_SEND };
enum provider { PROV_LOG, PROV_ALIYUN, PROV_TENCENT };

struct tmpl_var {
	char		 name[32];
	enum var_kind	 kind;
	int		 max;		/* 0: the provider's limit */
	int		 fit;		/* cut to fit instead of refusing */
	int		 secret;	/* a code or link: sealed at rest, masked for staff */
};

struct tmpl_wfield {
	char		 key[40];	/* thing1, time2 … */
	int		 var[3];	/* indexes into vars, joined with a space */
	int		 nvar;
};

struct tmpl {
	char		 name[64];
	char		 title[64];
	int		 is_code;	/* type = code */
	enum quiet_rule	 quiet;
	int		 ttl;		/* seconds */
	int		 daily_cap;	/* 0: none */
	struct tmpl_var	 vars[TMPL_MAX_VARS];
	int		 nvars;
	char		 aliyun[64];
	char		 tencent_id[32];
	int		 tencent_order[TMPL_MAX_VARS];
	int		 ntencent;
	char		 text[TMPL_TEXT_MAX];
	char		 tencent_text[TMPL_TEXT_MAX];	/* "" → text */
	char		 wechat_id[96];
	struct tmpl_wfield wfields[TMPL_MAX_WFIELDS];
	int		 nwfields;
	char		 wechat_page[128];
};

/*
 * The provider codes an admin set for t (sms_codes.c): when there are any, *out becomes t
 * with them and 1 is returned; 0 when t's own (the file's) stand; or a DB_* code.  Every
 * process reads a change within SMS_CODES_TTL_MS; sms_codes_changed makes this one read it
 * at once.
 */
#define SMS_CODES_TTL_MS 2000
struct ctx;
int	sms_codes_apply(struct ctx *c, const struct tmpl *t, struct tmpl *out);
void	sms_codes_changed(void);

/* Parse one template file's text.  0, or -1 with a reason in err. */
int	tmpl_parse(const char *text, size_t len, struct tmpl *t, char *err, size_t esz);
/* Load every *.tmpl of dir (config sms_templates_dir, default sms-templates) once per
 * process; later calls return the count loaded the first time.  Files that do not parse
 * are logged and left out. */
int	tmpl_load_all(void);
/* Load dir into the table now (tests).  Number loaded, or -1. */
int	tmpl_load_dir(const char *dir);
const struct tmpl *tmpl_find(const char *name);
/* The i-th template loaded (0, 1, …), NULL past the last: every template, for listing. */
const struct tmpl *tmpl_at(int i);

struct rendered {
	char	 text[TMPL_TEXT_MAX + 128];	/* 【签名】 + text */
	size_t	 chars;				/* characters of text */
	int	 segments;
	json_t	*values;			/* var → value as sent (owned; after fit) */
	char	 err[96];			/* why rendering refused */
};

/* Render t with params for provider p and signature sign.  0, or -1 with out->err set.
 * Always call rendered_free afterwards. */
int	tmpl_render(const struct tmpl *t, json_t *params, enum provider p, const char *sign,
	    struct rendered *out);
void	rendered_free(struct rendered *r);

/*
 * Secret variables — kind code or url, or marked `secret` (an appointment code, a pickup
 * code): a credential of the recipient.  The outbox keeps them only sealed; staff see
 * TMPL_MASK in their place.
 */
#define TMPL_MASK "******"
/* Whether t has a secret variable. */
int	tmpl_has_secret(const struct tmpl *t);
/* A copy of params for staff and for the outbox's clear column (a new object): every secret
 * variable, and every one t does not declare (or all, when t is NULL), as TMPL_MASK. */
json_t	*tmpl_params_masked(const struct tmpl *t, json_t *params);
/* The text as the log provider would render it, with each secret variable shown as
 * TMPL_MASK (for staff screens).  0, or -1 with out->err.  Call rendered_free afterwards. */
int	tmpl_render_masked(const struct tmpl *t, json_t *params, const char *sign,
	    struct rendered *out);
/* WeChat subscribe-message "data" for t (new reference), or NULL with err set. */
json_t	*tmpl_wechat_data(const struct tmpl *t, json_t *params, char *err, size_t esz);
/* Segments for a text of n characters: ≤ 70 → 1, else ⌈n/67⌉. */
int	sms_segments(size_t chars);

/* ------------------------------------------------------------------ text an SMS can carry */

/*
 * The one rule for text that goes into an SMS template variable, used at three places:
 * the worker before sending (tmpl_render: VAR_CHARS, URL_FORBIDDEN), the API at the door
 * for a field a person types (sms_text_field: 400 naming the field) and outbox_add for text
 * from the catalogue (sms_params_clean: made safe before it is queued).
 *   SMS_TEXT_CHARS  a character no variable may hold: control characters (CR, LF, TAB, …,
 *                   U+0080–U+009F), the line separators U+2028/U+2029, the signature
 *                   brackets 【 】, the placeholder opener ${
 *   SMS_TEXT_LINK   a link (http://, https://, www., any case) — allowed only in a `url`
 *                   variable
 */
#define SMS_TEXT_CHARS 0x1
#define SMS_TEXT_LINK  0x2
/* Which of the rules s (n bytes) breaks: 0 or SMS_TEXT_* bits. */
int	sms_text_check(const char *s, size_t n);
/* Characters a variable may hold with the configured provider (sms_var_max_aliyun 35,
 * sms_var_max_tencent 26, the smaller for the log provider). */
int	sms_var_max(void);
/* The same for provider p. */
int	sms_provider_var_max(enum provider p);
/* The door: s for the API field `field` goes into an SMS variable; fit says whether the
 * template cuts it to length (`fit`) — else it must be at most sms_var_max() characters.
 * Records a field error on r and returns -1 when it cannot go; 0 when it can. */
struct req;
int	sms_text_field(struct req *r, const char *field, const char *s, int fit);
/* s with every SMS_TEXT_CHARS character replaced (control characters and line separators
 * by a space, 【】 by ［］, ${ by $｛) appended to out.  1 when anything was replaced. */
struct buf;
int	sms_text_clean(const char *s, struct buf *out);
/* Every string of params made safe with sms_text_clean, in place (outbox_add). */
void	sms_params_clean(json_t *params);

/* ------------------------------------------------------------------ delivery receipts */

/* One delivery receipt as a provider pushes it (notify_api.c); the pointers point into the
 * struct's own buffers or are NULL when the member is absent or too long. */
struct sms_receipt {
	const char	*msg_key;	/* Aliyun biz_id, Tencent sid */
	const char	*out_id;	/* OutId / SessionContext: our outbox row id as sent */
	const char	*reported;	/* "YYYY-MM-DD HH:MM:SS" (Beijing time) or NULL */
	char		 status[256];	/* DELIVERED or FAILED:<provider code, ≤ 60 chars> */
	char		 b_key[136], b_out[24], b_time[24];
};

/* Parse a receipts body pushed by provider p (PROV_ALIYUN: SmsReport, PROV_TENCENT: status
 * callback; a single object or an array of at most 1000) and call fn for each receipt, in
 * order, stopping at the first nonzero return.  Returns 1 when the body is not receipts,
 * else 0 or what fn returned (fn must return 0 or a negative code).  No I/O of its own. */
int	sms_receipts_each(enum provider p, const char *body, size_t len,
	    int (*fn)(const struct sms_receipt *, void *), void *arg);

/* ------------------------------------------------------------------ timing rules */

/* Quiet hours 21:00–08:00 hall time (config sms_quiet_from, sms_quiet_to, in hours):
 * 0 when t is outside them, else the instant they end. */
int64_t	quiet_until(int64_t t);
/* Delay before attempt n+1 after n failed attempts (ms), exponential, capped. */
int64_t	retry_delay_ms(int attempts, int64_t base_ms, int64_t max_ms);

/*
 * Resending a notice (POST /notices/{id}/resend) that carried a secret variable (a code, a
 * link) takes a fresh value from the record the notice is about; the rooms that own such
 * records hand in a renewer for (ref_kind, var) at start (programs/assembly.c).  A notice
 * whose secret has no renewer cannot be resent.
 */
struct req;
struct notice_ref {
	const char		*tmpl;		/* the notice's template */
	const char		*ref_id;	/* the record it is about: a case number, an id */
	const unsigned char	*rec;		/* its recipient, sealed (pii.h) */
	size_t			 reclen;
};
/* The fresh value into out: 0, 1 when there is none to give now (*msg says why: 422
 * NOT_RESENDABLE), or a DB_* code.  r is the staff member's request (their hall). */
typedef int (*notice_renew_fn)(struct req *r, const struct notice_ref *n, char *out,
    size_t osz, const char **msg);
/* 0 (a second call for the same pair replaces it), or -1 when the table (8) is full. */
int	notify_on_resend(const char *ref_kind, const char *var, notice_renew_fn fn);

#endif
