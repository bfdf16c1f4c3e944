/*
 * queue.h — the queue as other modules use it.
 *
 * Appointments: POST /appointments/{token}/check-in gives a priority ticket through
 * queue_take() with .priority = Q_PRI_APPOINTMENT; pass .tx_hook to change the appointment in
 * the same transaction that records the ticket (both happen, or neither).
 * Reviews and statistics: the tickets are rows of queue_tickets (030_queue.sql): taken_at,
 * called_at, started_at, finished_at, window_no, clerk, category, outcome.
 */
#ifndef YC_QUEUE_H
#define YC_QUEUE_H

#include <stdint.h>

#include <jansson.h>

#include "../../fcgi/yc.h"

struct idem;

enum q_priority {
	Q_PRI_NORMAL,
	Q_PRI_ELDERLY,
	Q_PRI_DISABLED,
	Q_PRI_APPOINTMENT,
	Q_PRI__MAX
};

enum q_source {
	Q_SRC_KIOSK,
	Q_SRC_CLERK,
	Q_SRC_CITIZEN,
	Q_SRC_APPOINTMENT,
	Q_SRC__MAX
};

struct queue_take_args {
	const char	*hall;
	char		 category;	/* 'A' … */
	enum q_priority	 priority;
	enum q_source	 source;
	const char	*citizen;	/* the citizen (id) the ticket is for, or NULL: at most one
					 * active ticket per citizen and hall (409 ALREADY_QUEUED) */
	const char	*phone;		/* in clear for the turn-near SMS, or NULL (sealed here) */
	const char	*appointment;	/* reference of a check-in, or NULL */
	struct idem	*idem;		/* idempotency.h: the answer is saved with the ticket */
	/*
	 * Runs inside the ticket's transaction after its row is written (ticket_id is its
	 * queue_tickets.id).  Return 0; or a DB_* code, or the status of a refusal set on r with
	 * req_fail: then everything is rolled back (the number is not reused) and queue_take
	 * returns that failure.  DB_RETRY reruns the whole transaction, hook included.
	 */
	int		(*tx_hook)(struct req *r, void *arg, uint64_t ticket_id);
	void		*tx_arg;
};

/*
 * Take a number.  Checks the hall (404), the category (400), the opening hours and working
 * day (422 HALL_CLOSED) and one active ticket per citizen (409 ALREADY_QUEUED); with .idem
 * (after idem_begin) the 201 answer is saved in the ticket's transaction.  Returns 0 with
 * the ticket as the API shows it in *ticket (caller owns it), or the failure status with the
 * error set on r.
 */
int	queue_take(struct req *r, const struct queue_take_args *a, json_t **ticket);

/* Worker jobs (queue_jobs.c, listed in jobs.c). */
struct ctx;
int	job_queue_close_day(struct ctx *c);
/* The hall's categories, windows or hours changed (called after the commit): this
 * process's copy of the hall (hall_config.c) is read afresh at the next request, the other
 * processes' within queue_config_check_ms (the generation yc:queue:cfg_gen raised). */
void	queue_hall_changed(struct ctx *c, const char *hall);
int	job_queue_reconcile(struct ctx *c);

#endif
