/*
 * handlers.h — the queue room's route handlers (routes.c says which path, method and roles
 * reach each), and what they share to reply.  Private to the room: other rooms call
 * queue.h, not its handlers.
 */
#ifndef YC_QUEUE_HANDLERS_H
#define YC_QUEUE_HANDLERS_H

#include "../../fcgi/yc.h"

struct q_actor;
struct q_hall;
struct q_ticket;

/* ticket_api.c */
int	h_ticket_take(struct req *);
int	h_ticket_get(struct req *);
int	h_ticket_change(struct req *);
int	h_my_tickets(struct req *);
/* window_api.c */
int	h_window_get(struct req *);
int	h_window_call_next(struct req *);
int	h_window_recall(struct req *);
int	h_window_skip(struct req *);
int	h_window_start(struct req *);
int	h_window_transfer(struct req *);
int	h_window_finish(struct req *);
/* board.c */
int	h_board(struct req *);
/* push_api.c */
int	h_push_auth_ticket(struct req *);
int	h_push_auth_staff(struct req *);

/* reply.c: the request's caller as the domain records it (history rows, audit). */
void	q_actor_of(struct req *r, struct q_actor *who);
/* A domain result that is not 0 as the reply: a DB_* code through db_fail, E_UNAVAILABLE
 * as 503 with Retry-After, E_INTERNAL as 500 (logged), E_INVALID_INPUT as 400 naming
 * `field` (with why as its message), any other kind with why or its own message. */
int	q_fail(struct req *r, int rc, const char *why, const char *field);
/* 200 with the ticket as the API shows it (its place when it waits today). */
int	q_reply_ticket(struct req *r, const struct q_hall *h, const struct q_ticket *t);

#endif
