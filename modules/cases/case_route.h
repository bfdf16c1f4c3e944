/*
 * case_route.h — 全市通办: the halls a case touches and what falls to each (issue 22).
 *
 * A case has three halls (cases.hall, decide_hall, pickup_hall):
 *   accepting hall  its window took the application: materials, 容缺 and 补正 (supplement);
 *   deciding hall   its approvers (of the case's department) assign, approve, reject, ask for
 *                   补正; it mails a result (mail, and confirms a mailed one: hand_over);
 *   pickup hall     the result arrives there: its staff mark it ready at their pickup window
 *                   and hand it out (hand_over); NULL when the result is mailed.
 * In a single hall the three are the same hall and everything is as before.  Staff of any of
 * the three see the case (approvers: of the deciding hall and the case's department); an
 * action by another hall's staff is 403 WRONG_HALL naming the hall it falls to.
 */
#ifndef YC_CASE_ROUTE_H
#define YC_CASE_ROUTE_H

#include <stddef.h>

#include <jansson.h>

#include "case_rules.h"
#include "cases.h"

#define CASE_AT_ACCEPT 1u
#define CASE_AT_DECIDE 2u
#define CASE_AT_PICKUP 4u

/* Which of the case's halls hall is: a set of CASE_AT_*; 0 when the case does not touch it. */
unsigned case_hall_is(const struct case_row *cr, const char *hall);
/* The hall(s) whose staff take act on the case in its status: a set of CASE_AT_*. */
unsigned case_act_halls(enum case_act act, const struct case_row *cr);
/*
 * 跨省通办 收受分离: once a cross-province case has entered the 跨省通办 window's states
 * (dispatched to the other province's office, or registered as accepted there for ours:
 * modules/xprov/), it is decided and delivered only through those steps, so the back
 * office's and the pickup window's own actions (assign, approve, reject, request_supplement,
 * ready, mail, hand_over) are not taken on it: 1 for those, else 0.
 */
int	case_act_cross_province(enum case_act act, const struct case_row *cr);
/* The code of the hall act falls to (for the message of a refusal). */
const char *case_act_hall(enum case_act act, const struct case_row *cr);

/*
 * Where a hall stands on an item of the region (the same rule as GET /items): *accepts 1 when
 * the hall takes applications for it (hall_items.accepts, or the item's own hall without a
 * row); decide (room for 32) the hall that decides it when accepted here — this hall when it
 * decides the item (hall_items.decides, or its own item without a row), else the hall of the
 * item's department (departments.hall; the item's own hall when that is not set).
 * 1 the item exists (and is not retired), 0 not, or a DB_* code.
 */
int	case_item_route(struct ctx *c, const char *hall, const char *item, int *accepts,
	    char *decide, size_t dsz);

/*
 * Whether pickup may be where a case accepted at hall is picked up: a hall of the same
 * region (or hall itself) with a pickup window.  1 yes, 0 no, or a DB_* code.
 */
int	case_pickup_ok(struct ctx *c, const char *hall, const char *pickup);
/*
 * How the result goes back, from the body: "delivery" "pickup" (the default) or "mail"
 * into *mail (1: mail), "address" (5–60 characters, required to mail) and, when pickup_hall
 * is not NULL, "pickup_hall" (1–32 characters, not with mail; case_pickup_ok checks it
 * once the form is loaded).  Field errors on r.
 */
void	case_delivery_parse(struct req *r, int *mail, const char **address,
	    const char **pickup_hall);

/*
 * The citizen changes where they pick up the result, before it is ready (statuses up to
 * approved / rejected), inside the caller's transaction: pickup must pass case_pickup_ok for
 * the accepting hall; a case to be mailed becomes one to collect there.  Writes the
 * 'pickup_hall' history row naming the hall.  0, E_NOT_FOUND, E_INVALID_STATE (the result
 * is ready, mailed or handed out), E_INVALID_INPUT (not a pickup hall of the city),
 * E_INVALID_TRANSITION (someone changed the case meanwhile) or a DB_* code.
 */
int	case_pickup_set(struct ctx *c, const struct session *who, long long case_id,
	    const char *pickup);

/* The case's three halls by name, into o: "decide_hall", "pickup_hall" (codes, pickup_hall
 * null when mailed) and "halls": {"accept","decide","pickup"} each {code, name} or null.
 * 0 or a DB_* code. */
int	case_halls_json(struct ctx *c, long long case_id, json_t *o);

/*
 * The next holder of a case's file (for the hand-over sheets between halls): where the file
 * must go from where it is now.  what: "decide" (to the deciding hall's department: accepted,
 * or 补正 materials come back), "pickup" (the result to the pickup hall), "mail" (to be
 * mailed from the deciding hall), "citizen" (ready: handed out where it is), "none" (closed,
 * or not yet accepted).  hall and department are "" when they do not apply.
 */
struct case_holder {
	char	 what[12];
	char	 hall[32];
	char	 department[32];
};
/* 1 with *next set, 0 no such case, or a DB_* code. */
int	case_route(struct ctx *c, const char *no, struct case_holder *next);

#endif
