/*
 * ticket_api.c — the ticket routes (取号 and following a number), and queue_take for the
 * appointment check-in.
 *
 * Routes: POST   /halls/{hall}/tickets          kiosk, clerk, citizen   → take.c
 *         GET    /tickets/{token}               anyone with the token   → tickets.c
 *         DELETE /tickets/{token}               the holder: leave       → ticket_ops.c
 *         POST   /tickets/{token}/rejoin        the holder, once after a skip (extension)
 *         GET    /me/tickets                    citizen: today's tickets (extension)
 * Tables and Redis: through the domain files named above; idempotency_keys through
 *         shared/idempotency.h.
 */
#include "handlers.h"
#include "queue.h"
#include "queue_int.h"
#include "../hall/catalog.h"
#include "../shared/idempotency.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"

#include <stdio.h>
#include <string.h>

/* The hall's opening hours, for the error of HALL_CLOSED. */
static json_t *
hours_json(const struct q_hall *h)
{
	json_t *hours = json_array();
	int i;

	for (i = 0; i < h->nhours; i++) {
		char o[8], c[8];

		fmt(o, sizeof o, "%02d:%02d", h->open_s[i] / 3600, h->open_s[i] / 60 % 60);
		fmt(c, sizeof c, "%02d:%02d", h->close_s[i] / 3600, h->close_s[i] / 60 % 60);
		json_array_append_new(hours, json_pack("{s:s,s:s}", "open", o, "close", c));
	}
	return json_pack("{s:o}", "hours", hours);
}

/* What runs in the ticket's transaction on the caller's behalf: the idempotent answer, then
 * the caller's own hook (queue.h). */
struct take_hook {
	struct req	*r;
	const struct queue_take_args *a;
	int		 idem_dup;	/* the Idempotency-Key won elsewhere */
	int		 refused;	/* the hook's refusal (a status set on r) */
};

static int
take_in_tx(void *arg, uint64_t ticket_id, json_t *ticket)
{
	struct take_hook *k = arg;
	const struct queue_take_args *a = k->a;
	int rc;

	k->idem_dup = 0;
	k->refused = 0;
	if (a->idem && a->idem->active) {
		json_t *body = json_pack("{s:O}", "ticket", ticket);

		rc = idem_save_tx(k->r, a->idem, 201, body);
		json_decref(body);
		if (rc == DB_DUP)
			k->idem_dup = 1;
		if (rc != 0)
			return rc;
	}
	if (a->tx_hook == NULL)
		return 0;
	if ((rc = a->tx_hook(k->r, a->tx_arg, ticket_id)) > 0)
		k->refused = rc;
	return rc;
}

int
queue_take(struct req *r, const struct queue_take_args *a, json_t **ticket)
{
	struct q_take q;
	struct q_actor who;
	struct take_hook k;
	int rc;

	*ticket = NULL;
	q_actor_of(r, &who);
	memset(&k, 0, sizeof k);
	k.r = r;
	k.a = a;
	memset(&q, 0, sizeof q);
	q.a = a;
	q.who = &who;
	/* The hook only when it has something to do: without one the ticket's rows are one
	 * round trip (take.c, take_call). */
	if ((a->idem && a->idem->active) || a->tx_hook) {
		q.in_tx = take_in_tx;
		q.in_tx_arg = &k;
	}
	if ((rc = q_take_run(r->ctx, &q)) == 0) {
		*ticket = q.ticket;
		return 0;
	}
	if (k.idem_dup)
		return idem_replay(r, a->idem);
	if (k.refused)
		return k.refused;
	if (rc == E_HALL_CLOSED) {
		json_decref(r->err_extra);
		r->err_extra = hours_json(&q.h);
		return req_err_msg(r, rc, q.why);
	}
	return q_fail(r, rc, q.why, "category");
}

int
h_ticket_take(struct req *r)
{
	struct queue_take_args a;
	struct idem im;
	const char *hall = r->pathv[0], *cat = NULL, *phone = NULL;
	int pri = Q_PRI_NORMAL, rc;
	json_t *ticket;

	in_str(r, r->body, "category", 1, 1, 1, &cat);
	in_enum(r, r->body, "priority", 0, q_priority_names, &pri);
	in_str(r, r->body, "phone", 0, 1, 11, &phone);
	if (cat && !category_code_ok(cat))
		req_fail_field(r, "category", "须为一个大写字母");
	if (phone && !phone_ok(phone))
		req_fail_field(r, "phone", "不是有效的手机号码");
	if (r->sess.role == ROLE_CITIZEN && phone)
		req_fail_field(r, "phone", "线上取号使用您账号绑定的手机号接收提醒");
	if (in_has_errors(r))
		return req_invalid(r);
	if (!hall_code_ok(hall))
		return req_err_msg(r, E_NOT_FOUND, Q_NO_HALL);
	if ((r->sess.role & (ROLE_KIOSK | ROLE_CLERK)) && strcmp(r->sess.hall, hall) != 0)
		return req_err_msg(r, E_FORBIDDEN, "只能为本中心取号");
	if (pri == Q_PRI_APPOINTMENT)
		return req_err(r, E_CHECK_IN_REQUIRED);
	if (r->sess.role == ROLE_CITIZEN && pri != Q_PRI_NORMAL)
		return req_err(r, E_PRIORITY_AT_HALL);

	memset(&a, 0, sizeof a);
	a.hall = hall;
	a.category = cat[0];
	a.priority = (enum q_priority)pri;
	a.phone = phone;
	a.idem = &im;
	if (r->sess.role == ROLE_CITIZEN) {
		a.source = Q_SRC_CITIZEN;
		a.citizen = r->sess.subject;
	} else
		a.source = r->sess.role == ROLE_KIOSK ? Q_SRC_KIOSK : Q_SRC_CLERK;
	if ((rc = idem_begin(r, &im)) != 0)
		return rc;
	if ((rc = queue_take(r, &a, &ticket)) == 0)
		rc = req_ok(r, 201, json_pack("{s:o}", "ticket", ticket));
	idem_end(r, &im);
	return rc;
}

/* The ticket of the path's token and its hall, and the caller.  0 or the status replied. */
static int
ticket_begin(struct req *r, struct q_ticket *t, struct q_hall *h, struct q_actor *who)
{
	const char *why = NULL;
	int rc;

	if ((rc = q_ticket_load(r->ctx, r->pathv[0], t, h, &why)) != 0)
		return q_fail(r, rc, why, NULL);
	q_actor_of(r, who);
	return 0;
}

int
h_ticket_get(struct req *r)
{
	struct q_actor who;
	struct q_ticket t;
	struct q_hall h;
	int rc;

	if ((rc = ticket_begin(r, &t, &h, &who)) != 0)
		return rc;
	return q_reply_ticket(r, &h, &t);
}

/* Cancel (DELETE /tickets/{token}) or rejoin (POST /tickets/{token}/rejoin) the ticket of
 * the path's token. */
int
h_ticket_change(struct req *r)
{
	const int rejoin = req_route_ends(r, "/rejoin");
	struct q_actor who;
	struct q_ticket t;
	struct q_hall h;
	const char *why = NULL;
	int rc;

	if ((rc = ticket_begin(r, &t, &h, &who)) != 0)
		return rc;
	if (rejoin)
		rc = q_ticket_rejoin(r->ctx, &who, &h, &t, &why);
	else
		rc = q_ticket_cancel(r->ctx, &who, &h, &t, &why);
	if (rc != 0)
		return q_fail(r, rc, why, NULL);
	return rejoin ? q_reply_ticket(r, &h, &t) : req_ok(r, 204, NULL);
}

struct mine {
	struct q_ticket	 t[8];
	int		 n;
};

static int
mine_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct mine *m = arg;

	if (m->n == (int)NELEM(m->t))
		return 1;
	q_ticket_row(&m->t[m->n], ncol, v, lens);
	m->n++;
	return 0;
}

int
h_my_tickets(struct req *r)
{
	struct mine m;
	char day[11];
	const char *why = NULL;
	json_t *list = json_array();
	int rc, i;

	memset(&m, 0, sizeof m);
	q_today(hall_now_ms(), day, NULL);
	rc = db_query(r->ctx, T_COLS "WHERE citizen = ? AND day = ? ORDER BY id DESC LIMIT 8",
	    DBARGS(DBS(r->sess.subject), DBS(day)), mine_row, &m);
	if (rc < 0) {
		json_decref(list);
		return db_fail(r, rc);
	}
	for (i = 0; i < m.n; i++) {
		struct q_hall h;
		json_t *j;

		if ((rc = q_hall_get(r->ctx, m.t[i].hall, &h)) != 1)
			rc = rc < 0 ? rc : E_UNAVAILABLE;
		else
			rc = q_ticket_view(r->ctx, &h, &m.t[i], &j, &why);
		if (rc != 0) {
			json_decref(list);
			return q_fail(r, rc, why, NULL);
		}
		json_array_append_new(list, j);
	}
	return req_ok(r, 200, json_pack("{s:o}", "tickets", list));
}
