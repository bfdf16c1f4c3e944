/*
 * finish_sms.c — the SMS a served visit ends with (ticket_finished): its review link, so that
 * the citizen can review the visit (一次一评) from the phone — POST /reviews with the ticket's
 * token, the same credential as the ticket's page /q/<token>.
 *
 * Tables: queue_tickets (phone_enc), outbox.
 * Redis:  none.
 *
 * Queued in the finish's transaction (window.c act_tx) when the visit ended served (outcome
 * done) and a phone is on the ticket (given at the kiosk or window, or the account's when
 * the number was taken on the phone).  The link is
 * <public_base_url>/review.html?ticket=<token>; query strings are never logged.
 */
#include "queue_int.h"
#include "../notify/outbox.h"
#include "../shared/pii.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <sodium.h>
#include <string.h>


void
q_review_url(const char *token, char *out, size_t osz)
{
	config_public_url("/review.html?ticket=", token, out, osz);
}

int
q_finish_sms(struct ctx *c, const struct q_window *w)
{
	const struct q_ticket *t = &w->t;
	char phone[32], url[320];
	json_t *params;
	int rc;

	if (!t->has_phone)
		return 0;
	if ((rc = q_ticket_phone(c, t->id, phone, sizeof phone)) <= 0)
		return rc;	/* none that opens: no SMS */
	q_review_url(t->token, url, sizeof url);
	params = json_pack("{s:s,s:s,s:s}", "hall_name", w->h.name, "number", t->number,
	    "url", url);
	rc = q_ticket_sms(c, t, phone, "ticket_finished", params, 0);
	sodium_memzero(phone, sizeof phone);
	sodium_memzero(url, sizeof url);
	return rc;
}
