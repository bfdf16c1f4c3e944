/*
 * outbox.h — queueing a notice in the caller's transaction.
 *
 * outbox_add writes one row; call it between db_begin and db_commit of the business change
 * so the notice exists exactly when the change does.  The worker delivers it (notify.c).
 * The recipient and the variables are sealed at rest; codes and links never stay readable.
 * Table: outbox.
 */
#ifndef YC_OUTBOX_H
#define YC_OUTBOX_H

#include <jansson.h>
#include <stdint.h>

#include "../../fcgi/ctx.h"

struct outbox_msg {
	const char	*hall;		/* may be NULL */
	const char	*channel;	/* "sms" (default) or "wechat" */
	const char	*template;	/* sms-templates/<name>.tmpl */
	const char	*recipient;	/* phone (sms) or openid (wechat), in clear: sealed here */
	json_t		*params;	/* template variables (borrowed; made SMS-safe in
					 * place: sms_params_clean, notify.h) */
	const char	*ref_kind;	/* "case", "ticket", "appointment", "login" … */
	const char	*ref_id;
	int		 urgent;	/* 0: held during quiet hours */
};

/* 0 or a DB_* code (DB_FAIL when the recipient cannot be sealed: a bug, not an outage). */
int	outbox_add(struct ctx *c, const struct outbox_msg *m, uint64_t *id);

/*
 * The two forms a notice's variables are kept in: `params`, readable, with every secret
 * variable of the template (a code, a link: see tmpl_params_masked in notify.h) as
 * "******", and `params_enc`, all of them as queued, sealed with the data key.  The worker
 * sends from the sealed form and blanks it (NULL) once the row is sent, failed or dropped.
 * 0, or -1 (nothing to free); else the caller frees *masked and *sealed.
 */
int	outbox_params_seal(const char *template, json_t *params, char **masked,
	    unsigned char **sealed, size_t *slen);

#endif
