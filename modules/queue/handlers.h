/*
 * handlers.h — the queue room's route handlers (routes.c says which path, method and roles
 * reach each).  Private to the room: other rooms call its functions, not its handlers.
 */
#ifndef YC_QUEUE_HANDLERS_H
#define YC_QUEUE_HANDLERS_H

#include "../../fcgi/yc.h"

int	h_ticket_take(struct req *);
int	h_board(struct req *);
int	h_ticket_get(struct req *);
int	h_ticket_cancel(struct req *);
int	h_ticket_rejoin(struct req *);
int	h_my_tickets(struct req *);
int	h_window_get(struct req *);
int	h_window_call_next(struct req *);
int	h_window_recall(struct req *);
int	h_window_skip(struct req *);
int	h_window_start(struct req *);
int	h_window_transfer(struct req *);
int	h_window_finish(struct req *);

#endif
