/*
 * case_promise.h — 证明事项告知承诺制: a certificate the catalogue allows to be replaced by the
 * applicant's signed promise (item_materials.promise_allowed), and the 事后核查 task that the
 * deciding department then closes as verified or false (promise_checks, migration 115).
 *
 *   the window   POST /cases {"promises":{"M3":{"signed":true}}} (cases_accept.c hooks in
 *                case_promises_parse and, in its transaction, case_promise_open)
 *   online       {"materials":{"M3":{"promise":{"signed":true}}}} (online room), the tasks
 *                opened at the pre-review's acceptance (case_promise_open)
 *   the tasks    GET /promise-checks, POST /promise-checks/{id}/close (case_promise_api.c);
 *                the worker's "promise-checks-overdue" job raises the overdue alerts
 */
#ifndef YC_CASE_PROMISE_H
#define YC_CASE_PROMISE_H

#include <jansson.h>

#include "../../fcgi/yc.h"
#include "../hall/forms.h"
#include "case_mats.h"

#define PROMISE_NOTE_MAX 200	/* characters of a task's closing note */

/*
 * A promise as the API takes it: {"signed": true}.  NULL when v is one, else the message
 * for the field (the applicant must have signed the 告知承诺书).
 */
const char *promise_signed_check(json_t *v);

/*
 * The window's "promises" member against the item's checklist l (loaded with
 * promise_allowed): each named material is marked promised.  Field errors ("promises",
 * "promises.<code>", "promises.<code>.signed") go on r: a material not in the checklist, one
 * the catalogue does not allow a promise for, one also handed in or waived, an unsigned
 * promise.  Returns how many materials were promised.
 */
int	case_promises_parse(struct req *r, struct case_mats *l);

/*
 * The same "promises" member for a 一件事 at the window, against its form f (codes B1…; a
 * form material allows a promise when every item material it stands for does): promised[i]
 * set for each; given[i] are the materials handed in.  Field errors as above.  Returns how
 * many were promised.
 */
int	case_promises_parse_form(struct req *r, const struct form *f, const int *given,
	    int *promised);

/* The case_materials rows of the item materials a form material stands for ("IT-B-002:M5,…"),
 * inside the caller's transaction: 'received' at received_at, or 'promised' when it is NULL
 * (告知承诺).  0 or a DB_* code. */
int	case_material_rows(struct ctx *c, long long case_id, const char *parts,
	    const char *received_at);

/*
 * Inside the caller's transaction, once the case is accepted: one 事后核查 task per material
 * of the case kept as 'promised', for the department of its part, due promise_check_days
 * working days after today (config, default 20; NULL, and the calendar alert raised, when that
 * day is in a year not loaded), and one history row whose public note tells the applicant.
 * status: the case's status now.  Tasks opened into *opened (may be NULL).  0 or a DB_* code.
 */
int	case_promise_open(struct ctx *c, const struct session *who, long long case_id,
	    const char *hall, const char *status, const char *now, int *opened);

/* The case's tasks as "promises" on o (the staff view of a case).  0 or a DB_* code. */
int	case_promises_json(struct ctx *c, long long case_id, json_t *o);

/* The worker's job: open tasks past their due day raise the hall alert
 * promise_check:<id> and tell the department's approvers, once.  0 or a DB_* code. */
int	job_promise_checks_overdue(struct ctx *c);

#endif
