/*
 * xprov.h — 跨省通办 收受分离: a cross-province case's steps, as states.
 *
 * Two directions.  out: accepted here (window or online), decided by another province's
 * office (cases.processing_office).  in: accepted by another province's office for one of
 * our departments, registered here when the file is sent.  The same six states, seen from
 * either side:
 *   accepted → dispatched → received → decided → returned → delivered
 * A step moves one state forward (xprov_step_from says from which); each step that moves
 * paper is a hand-over (handover.h) in the same transaction as the state change, the
 * case's history (its public note is what the tracking page shows) and the SMS.
 *
 * Domain functions run inside the caller's transaction and return 0, a negative DB_* code,
 * or a positive E_* kind (E_INVALID_STATE: out of order; E_INVALID_INPUT: fields on r;
 * E_FORBIDDEN, E_NOT_IN_CUSTODY, E_HANDOVER_OPEN, E_PICKUP_CODE_WRONG) with why->msg.
 */
#ifndef YC_XPROV_H
#define YC_XPROV_H

#include <jansson.h>

#include "../../fcgi/yc.h"
#include "../cases/cases.h"
#include "../handover/handover.h"

enum xprov_state {
	XS_ACCEPTED, XS_DISPATCHED, XS_RECEIVED, XS_DECIDED, XS_RETURNED, XS_DELIVERED,
	XS__MAX
};
extern const char *const xprov_state_names[XS__MAX + 1];

enum xprov_step { XP_DISPATCH, XP_RECEIVE, XP_DECIDE, XP_RETURN, XP_DELIVER, XP__MAX };
extern const char *const xprov_step_names[XP__MAX + 1];

#define XPROV_DOCNO_MAX		50	/* characters of a 文号 */
#define XPROV_WAYBILL_MAX	40

/* One step as the API gives it (parsed and checked for shape by the handler). */
struct xprov_step_in {
	enum xprov_step	 step;
	int		 electronic;	/* dispatch, return: 0 mail, 1 electronically */
	const char	*waybill;	/* mail: the waybill number */
	struct handover_mat_in mats[HANDOVER_MATS_MAX];	/* dispatch, incoming receive */
	size_t		 nmats;
	long long	 pages;		/* return: pages of the result (default 1) */
	int64_t		 on;		/* receive, decide, deliver (in): the date (days) */
	int		 approved;	/* decide */
	const char	*doc_no;	/* decide */
	const char	*note;
	/* deliver (out) */
	int		 by_mail;
	const char	*pickup_code, *carrier, *address;
};

struct xprov_why {
	char	 msg[256];
};

/* The state a step leaves from (the state before it). */
enum xprov_state xprov_step_from(enum xprov_step s);

/* May who record steps on this hall's cross-province cases?  1 a clerk signed in at a
 * window that calls a 跨省通办 category, or a manager of the hall; 0 no; DB_* code. */
int	xprov_may_record(struct ctx *c, const struct session *who);

/* Record step in of case cr (loaded by the caller, visible to r's staff). */
int	xprov_step_tx(struct ctx *c, struct req *r, const struct case_row *cr,
	    const struct xprov_step_in *in, struct xprov_why *why);

/* The cross-province part of a case as JSON (*out a new object, NULL when the case is not
 * cross-province).  0 or DB_*. */
int	xprov_json(struct ctx *c, long long case_id, json_t **out);

/* The hall's figures: {"out":{state:n,…,"overdue":n},"in":{…}}.  0 or DB_*. */
int	xprov_figures(struct ctx *c, const char *hall, json_t **out);

/* The hall's work list (GET /cross-province/cases) appended to array; state and direction
 * NULL for all.  Rows or DB_*. */
int	xprov_list(struct ctx *c, const char *hall, const char *state, const char *direction,
	    json_t *array);

/* An incoming case: another province's office accepted it for a department of ours. */
struct xprov_incoming_in {
	const char	*office, *their_no, *item;
	const char	*name, *id_number, *phone;	/* masked, as the office sent them */
	const char	*codes[HANDOVER_MATS_MAX];	/* the item's materials in the file */
	size_t		 ncodes;
	int64_t		 accepted_on;
	int		 electronic;
	const char	*waybill, *note;
};

/* Register it (status accepted, state dispatched, custody: the office) inside the caller's
 * transaction; its number into no.  0, DB_*, E_INVALID_INPUT (fields on r), E_CONFLICT
 * (the office's number registered already), E_CALENDAR_MISSING (*missing_year). */
int	xprov_incoming_tx(struct ctx *c, struct req *r, const struct xprov_incoming_in *in,
	    char no[CASE_NO_MAX], int *missing_year);

#endif
