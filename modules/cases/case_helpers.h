/*
 * case_helpers.h — 帮办代办: the hall helpers (role helper) who file and follow cases for
 * citizens who need it (the elderly, the disabled), and the cases each one follows
 * (case_helpers, 117_case_helpers.sql).
 */
#ifndef YC_CASE_HELPERS_H
#define YC_CASE_HELPERS_H

#include "../../fcgi/yc.h"
#include "cases.h"

/* A case filed by a helper (who->role ROLE_HELPER) is theirs to follow: the 'filed' row,
 * inside the caller's transaction.  Anyone else: nothing.  0 or a DB_* code. */
int	case_helper_filed(struct ctx *c, const struct session *who, long long case_id,
	    const char *now);
/* Whether the helper who follows the case (filed or assigned, in its hall): 1, 0 or DB_*. */
int	case_helper_sees(struct ctx *c, const struct session *who, const struct case_row *cr);

#endif
