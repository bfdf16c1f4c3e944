/*
 * audit.h — the audit trail: who did what, when, from where, with what result.
 * The app's database user may insert audit rows but never change them.
 */
#ifndef YC_AUDIT_H
#define YC_AUDIT_H

#include "../../fcgi/yc.h"

/* Record one event for request r (actor from its session).  Failures are logged, not fatal. */
void	audit(struct req *r, const char *action, const char *target, const char *result,
	    const char *detail);
/* The request ends refused (401/403) and nothing audited it yet: record the refusal
 * (the router calls this once per request; handlers need not). */
void	audit_refusal(struct req *r);

#endif
