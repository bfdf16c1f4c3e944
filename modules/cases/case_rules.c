/*
 * case_rules.c — the case state machine (case_rules.h): one table, read by pure functions.
 *
 * Tables: none.  Redis: none.
 */
#include "case_rules.h"
#include "cases.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <string.h>

const char *const case_act_names[CA__MAX + 1] = {
	"assign", "approve", "reject", "request_supplement", "supplement", "ready", "mail",
	"hand_over", "pre_accept", "return", "resubmit", NULL
};

#define CRA	(ROLE_CLERK | ROLE_APPROVER | ROLE_MANAGER)

/*
 * One row per (action, status it may start from).  `may`: the roles allowed; `offer`: the
 * roles a case page lists it for (an approver claims a part from accepted; once the case is
 * processing, assigning again is the manager's to offer — an approver whose part of a bundle
 * is still pending may still claim it).  Rows are in the order a page lists actions.
 */
static const struct case_rule {
	enum case_act	 act;
	int		 from;
	unsigned	 may;
	unsigned	 offer;
	int		 to;
} rules[] = {
	{ CA_ASSIGN,             CS_ACCEPTED,   ROLE_APPROVER | ROLE_MANAGER,
	  ROLE_APPROVER | ROLE_MANAGER, CS_PROCESSING },
	{ CA_SUPPLEMENT,         CS_ACCEPTED,   ROLE_CLERK, ROLE_CLERK, CS_ACCEPTED },
	{ CA_APPROVE,            CS_PROCESSING, ROLE_APPROVER, ROLE_APPROVER, CS_APPROVED },
	{ CA_REJECT,             CS_PROCESSING, ROLE_APPROVER, ROLE_APPROVER, CS_REJECTED },
	{ CA_REQUEST_SUPPLEMENT, CS_PROCESSING, ROLE_APPROVER, ROLE_APPROVER, CS_SUPPLEMENT },
	{ CA_ASSIGN,             CS_PROCESSING, ROLE_APPROVER | ROLE_MANAGER, ROLE_MANAGER,
	  CS_PROCESSING },
	{ CA_SUPPLEMENT,         CS_PROCESSING, ROLE_CLERK, ROLE_CLERK, CS_PROCESSING },
	{ CA_SUPPLEMENT,         CS_SUPPLEMENT, ROLE_CLERK, ROLE_CLERK, CS_PROCESSING },
	{ CA_READY,              CS_APPROVED,   CRA, CRA, CS_READY },
	{ CA_MAIL,               CS_APPROVED,   CRA, CRA, CS_MAILED },
	{ CA_READY,              CS_REJECTED,   CRA, CRA, CS_READY },
	{ CA_MAIL,               CS_REJECTED,   CRA, CRA, CS_MAILED },
	{ CA_HAND_OVER,          CS_READY,      ROLE_CLERK, ROLE_CLERK, CS_CLOSED },
	{ CA_HAND_OVER,          CS_MAILED,     ROLE_CLERK, ROLE_CLERK, CS_CLOSED },
	{ CA_PRE_ACCEPT,         CS_SUBMITTED,  ROLE_CLERK, ROLE_CLERK, CS_ACCEPTED },
	{ CA_RETURN,             CS_SUBMITTED,  ROLE_CLERK, ROLE_CLERK, CS_RETURNED },
	{ CA_RESUBMIT,           CS_RETURNED,   ROLE_CITIZEN, 0, CS_SUBMITTED },
};

int
case_act_online(enum case_act act)
{
	return act == CA_PRE_ACCEPT || act == CA_RETURN || act == CA_RESUBMIT;
}

int
case_act_parse(const char *name)
{
	return str_index(case_act_names, name);
}

int
case_rule_permits(enum case_act act, unsigned role)
{
	size_t i;

	for (i = 0; i < NELEM(rules); i++)
		if (rules[i].act == act && (rules[i].may & role) != 0)
			return 1;
	return 0;
}

int
case_rule_check(enum case_act act, int status, unsigned role, int in_dept, int *to)
{
	size_t i;

	if (!case_rule_permits(act, role) || (role == ROLE_APPROVER && !in_dept))
		return E_FORBIDDEN;
	for (i = 0; i < NELEM(rules); i++)
		if (rules[i].act == act && rules[i].from == status) {
			*to = rules[i].to;
			return 0;
		}
	return E_INVALID_TRANSITION;
}

size_t
case_rule_offer(int online, int status, unsigned role, int in_dept, enum case_act *out,
    size_t n)
{
	size_t i, k = 0;

	if (role == ROLE_APPROVER && !in_dept)
		return 0;
	for (i = 0; i < NELEM(rules) && k < n; i++)
		if (rules[i].from == status && (rules[i].offer & role) != 0 &&
		    case_act_online(rules[i].act) == (online != 0))
			out[k++] = rules[i].act;
	return k;
}
