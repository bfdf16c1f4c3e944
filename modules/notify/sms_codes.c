/*
 * sms_codes.c — the provider template codes an admin set (sms_template_codes) over the
 * placeholders of the sms-templates files, as the outbox worker sends with them.
 *
 * Routes: none (admin/sms_api.c edits them).
 * Tables: sms_template_codes (read).
 * Redis:  none.
 *
 * Each process keeps one copy of the table (fcgi/cache.h, strict, SMS_CODES_TTL_MS old at
 * most): a code set in the console is used by every worker's next message within seconds,
 * and sending asks MariaDB nothing more than before.
 */
#include "notify.h"
#include "../../fcgi/cache.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"

#include <string.h>

#define SMS_CODES_MAX 256

struct code_row {
	char	 tmpl[64];
	int	 tencent;	/* 0 aliyun, 1 tencent */
	char	 code[64];
};

struct codes {
	struct code_row	 row[SMS_CODES_MAX];
	int		 n;
};

static const struct db_col code_cols[] = {
	DBC_S(struct code_row, tmpl), DBC_B(struct code_row, tencent), DBC_S(struct code_row, code),
};

static int
codes_load(struct ctx *c, void *value, void *arg)
{
	struct codes *k = value;
	int rc;

	(void)arg;
	rc = db_rows_into(c, "SELECT template, provider = 'tencent', code FROM sms_template_codes"
	    " ORDER BY template, provider", DBNOARGS, DB_COLS(code_cols), k->row, sizeof k->row[0],
	    SMS_CODES_MAX);
	if (rc < 0)
		return rc;
	k->n = rc < SMS_CODES_MAX ? rc : SMS_CODES_MAX;
	return 0;
}

static struct cache codes_cache = { .size = sizeof(struct codes),
	.max_age_ms = SMS_CODES_TTL_MS, .load = codes_load, .wait_ms = CACHE_WAIT_MS, .strict = 1,
	.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

int
sms_codes_apply(struct ctx *c, const struct tmpl *t, struct tmpl *out)
{
	const struct codes *k;
	int rc, i, changed = 0;

	if ((k = cache_get(&codes_cache, c, NULL, &rc)) == NULL)
		return rc;
	for (i = 0; i < k->n; i++) {
		if (strcmp(k->row[i].tmpl, t->name) != 0)
			continue;
		if (!changed)
			*out = *t;
		changed = 1;
		if (k->row[i].tencent)
			str_copy(out->tencent_id, sizeof out->tencent_id, k->row[i].code);
		else
			str_copy(out->aliyun, sizeof out->aliyun, k->row[i].code);
	}
	cache_put(&codes_cache, k);
	return changed;
}

void
sms_codes_changed(void)
{
	cache_invalidate(&codes_cache);
}
