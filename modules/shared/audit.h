/*
 * audit.h — the audit trail: who did what, when, from where, with what result.
 * The app's database user may insert audit rows but never change them.
 */
#ifndef YC_AUDIT_H
#define YC_AUDIT_H

#include "../../fcgi/yc.h"
#include "../../fcgi/db.h"

/* Record one event for request r (actor from its session).  Failures are logged, not fatal. */
void	audit(struct req *r, const char *action, const char *target, const char *result,
	    const char *detail);
/*
 * The same event as the 9 values of an audit_log row — at, hall, actor_kind, actor, action,
 * target, result, remote_addr, detail, in that order, each cut to its column — for a caller
 * that writes the row itself in one statement with its change (queue_take_record).  The
 * values point into r, the arguments and v->at: use them before any of those goes.  r counts
 * as audited.
 */
#define AUDIT_NVALUES 9
struct audit_values {
	char		 at[32];
	struct dbv	 v[AUDIT_NVALUES];
};
void	audit_values(struct req *r, const char *action, const char *target, const char *result,
	    const char *detail, struct audit_values *out);
/* The request ends refused (401/403) and nothing audited it yet: record the refusal
 * (the router calls this once per request; handlers need not). */
void	audit_refusal(struct req *r);

#endif
