/*
 * outbox.c — writing outbox rows (see outbox.h).
 */
#include "outbox.h"
#include "notify.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"

#include <sodium.h>
#include <stdlib.h>

int
outbox_params_seal(const char *template, json_t *params, char **masked,
    unsigned char **sealed, size_t *slen)
{
	json_t *empty = NULL, *shown;
	char *whole;
	int n;

	*masked = NULL;
	*sealed = NULL;
	*slen = 0;
	if (params == NULL)
		params = empty = json_object();
	whole = json_dumps(params, JSON_COMPACT);
	shown = tmpl_params_masked(tmpl_find(template), params);
	*masked = json_dumps(shown, JSON_COMPACT);
	json_decref(shown);
	json_decref(empty);
	if (whole == NULL || *masked == NULL ||
	    (n = pii_seal_blob(whole, strlen(whole), sealed)) < 0) {
		if (whole)
			sodium_memzero(whole, strlen(whole));
		free(whole);
		free(*masked);
		*masked = NULL;
		return -1;
	}
	sodium_memzero(whole, strlen(whole));
	free(whole);
	*slen = (size_t)n;
	return 0;
}

int
outbox_add(struct ctx *c, const struct outbox_msg *m, uint64_t *id)
{
	unsigned char sealed[PII_SEALED_MAX], *penc;
	char mask[32], now[32];
	char *params;
	size_t plen;
	int n, rc;

	/* Not a database failure: no key, or a recipient too long to be real (a bug). */
	if ((n = pii_seal(m->recipient, sealed, sizeof sealed)) < 0)
		return DB_FAIL;
	if (m->channel == NULL || strcmp(m->channel, "sms") == 0)
		mask_phone(m->recipient, mask, sizeof mask);
	else
		str_copy(mask, sizeof mask, "微信用户");
	/* Catalogue text (item, material, hall names …) an SMS cannot carry is made safe now,
	 * not found out by the worker after the change was promised (notify.h). */
	if (m->params)
		sms_params_clean(m->params);
	if (outbox_params_seal(m->template, m->params, &params, &penc, &plen) != 0)
		return DB_FAIL;
	sql_now(now, sizeof now);
	rc = db_exec(c, "INSERT INTO outbox (hall, channel, template, recipient_enc, recipient_mask,"
	    " params, params_enc, ref_kind, ref_id, urgent, next_attempt_at, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    DBARGS(DBSO(m->hall), DBS(m->channel ? m->channel : "sms"), DBS(m->template),
	    DBSN((const char *)sealed, (size_t)n), DBS(mask), DBS(params),
	    DBSN((const char *)penc, plen),
	    DBS(m->ref_kind ? m->ref_kind : ""), DBS(m->ref_id ? m->ref_id : ""),
	    DBI(m->urgent ? 1 : 0), DBS(now), DBS(now)), NULL, id);
	free(params);
	free(penc);
	return rc;
}
