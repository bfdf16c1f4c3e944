/*
 * push_api.c — the app's part of the push subscriptions: may this client listen?
 *
 * Routes: GET /push/auth/halls/{hall}/tickets/{token}   any (the ticket's token is the key)
 *         GET /push/auth/halls/{hall}/staff             clerk, manager, admin of the hall
 * Tables: queue_tickets (the token's ticket, through q_ticket_load).
 * Redis:  the session (staff).
 *
 * nginx asks these (nchan_authorize_request, a subrequest carrying the subscriber's own
 * headers and cookies) before it lets a client hold a connection on a hall's channel.  Asked
 * directly they tell no more than GET /tickets/{token} or GET /me do.  204 lets the
 * subscriber in; anything else is what the subscriber gets (404 for a token that is not a
 * ticket of this hall, 401 without a session, 403 for another hall's staff).  The board's
 * own channel needs no question: it is what the public board shows.
 */
#include "handlers.h"
#include "queue_int.h"
#include "../hall/catalog.h"

#include <string.h>

int
h_push_auth_ticket(struct req *r)
{
	const char *hall = r->pathv[0], *why = NULL;
	struct q_ticket t;
	struct q_hall h;
	int rc;

	if (!hall_code_ok(hall))
		return req_err_msg(r, E_NOT_FOUND, Q_NO_HALL);
	if ((rc = q_ticket_load(r->ctx, r->pathv[1], &t, &h, &why)) != 0)
		return q_fail(r, rc, why, NULL);
	if (strcmp(t.hall, hall) != 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这个号码");
	return req_ok(r, 204, NULL);
}

int
h_push_auth_staff(struct req *r)
{
	const char *hall = r->pathv[0];

	if (!hall_code_ok(hall))
		return req_err_msg(r, E_NOT_FOUND, Q_NO_HALL);
	if (strcmp(r->sess.hall, hall) != 0)
		return req_err_msg(r, E_FORBIDDEN, "只能接收本中心的推送");
	return req_ok(r, 204, NULL);
}
