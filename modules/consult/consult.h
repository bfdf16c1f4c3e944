/*
 * consult.h — 咨询导办 and 首问负责 as other rooms use them.
 *
 * The queue room's finish of a ticket at a consult window (POST /windows/{window}/finish with
 * "consult") parses the record with consult_parse, checks its references with consult_check
 * before the transaction, and writes it with consult_record_tx inside the transaction that
 * finishes the ticket (both happen, or neither).
 */
#ifndef YC_CONSULT_H
#define YC_CONSULT_H

#include <jansson.h>

#include "../../fcgi/yc.h"

#define CONSULT_QUESTION_MAX 500	/* characters */
#define CONSULT_ANSWER_MAX   1000

enum consult_ref {
	CONSULT_REF_NONE,
	CONSULT_REF_WINDOW,
	CONSULT_REF_DEPARTMENT,
	CONSULT_REF_STAFF,
	CONSULT_REF__MAX
};

struct consult_in {
	const char	*question;
	const char	*item;		/* items.id, or NULL */
	const char	*answer;
	enum consult_ref ref;
	long long	 ref_window;	/* CONSULT_REF_WINDOW */
	const char	*ref_to;	/* department code, or a staff username, as given */
	unsigned long long ref_staff;	/* CONSULT_REF_STAFF: staff.id (consult_check) */
};

/* The "consult" member of body: 1 present (into in), 0 absent.  Bad fields are recorded on
 * r as "consult.<name>" (and "consult.referral.<name>"); the caller checks in_has_errors. */
int	consult_parse(struct req *r, json_t *body, struct consult_in *in);
/* Do the item, window, department or staff exist in the hall (and is the window another
 * one than `window`)?  0, or the status of the reply (400 naming the field, 503). */
int	consult_check(struct req *r, const char *hall, int window, struct consult_in *in);
/* Write the record (and its open referral) for ticket_id; the signed-in clerk is the
 * first-asked.  Runs inside the caller's transaction.  0 or a DB_* code. */
int	consult_record_tx(struct req *r, const char *hall, unsigned long long ticket_id,
	    const char *number, int window, const struct consult_in *in);

#endif
