/*
 * test_case_rules.c — the case state machine (modules/cases/case_rules.c): which action is
 * allowed from which status by which role, the status it leads to, and what a case page
 * offers.  The handlers of the window, the back office and online pre-review ask the same
 * table, so a rule broken here is a rule broken on the wire.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../lib/tests.h"
#include "../../modules/cases/cases.h"
#include "../../modules/cases/case_rules.h"
#include "../../fcgi/errors.h"

struct want {
	enum case_act	 act;
	int		 from;
	unsigned	 role;
	int		 in_dept;
	int		 rc;		/* 0, E_FORBIDDEN or E_INVALID_TRANSITION */
	int		 to;		/* when rc == 0 */
};

static const struct want wants[] = {
	/* the back office: approvers of the case's department decide */
	{ CA_ASSIGN, CS_ACCEPTED, ROLE_APPROVER, 1, 0, CS_PROCESSING },
	{ CA_ASSIGN, CS_ACCEPTED, ROLE_MANAGER, 0, 0, CS_PROCESSING },
	{ CA_ASSIGN, CS_PROCESSING, ROLE_MANAGER, 0, 0, CS_PROCESSING },
	{ CA_ASSIGN, CS_ACCEPTED, ROLE_CLERK, 0, E_FORBIDDEN, 0 },
	{ CA_ASSIGN, CS_APPROVED, ROLE_MANAGER, 0, E_INVALID_TRANSITION, 0 },
	{ CA_APPROVE, CS_PROCESSING, ROLE_APPROVER, 1, 0, CS_APPROVED },
	{ CA_APPROVE, CS_PROCESSING, ROLE_APPROVER, 0, E_FORBIDDEN, 0 },
	{ CA_APPROVE, CS_PROCESSING, ROLE_MANAGER, 0, E_FORBIDDEN, 0 },
	{ CA_APPROVE, CS_ACCEPTED, ROLE_APPROVER, 1, E_INVALID_TRANSITION, 0 },
	{ CA_APPROVE, CS_SUPPLEMENT, ROLE_APPROVER, 1, E_INVALID_TRANSITION, 0 },
	{ CA_REJECT, CS_PROCESSING, ROLE_APPROVER, 1, 0, CS_REJECTED },
	{ CA_REJECT, CS_PROCESSING, ROLE_CLERK, 0, E_FORBIDDEN, 0 },
	{ CA_REQUEST_SUPPLEMENT, CS_PROCESSING, ROLE_APPROVER, 1, 0, CS_SUPPLEMENT },
	{ CA_REQUEST_SUPPLEMENT, CS_SUPPLEMENT, ROLE_APPROVER, 1, E_INVALID_TRANSITION, 0 },
	/* 补正 resumes the clock; 容缺 materials arrive without a change of status */
	{ CA_SUPPLEMENT, CS_SUPPLEMENT, ROLE_CLERK, 0, 0, CS_PROCESSING },
	{ CA_SUPPLEMENT, CS_ACCEPTED, ROLE_CLERK, 0, 0, CS_ACCEPTED },
	{ CA_SUPPLEMENT, CS_PROCESSING, ROLE_CLERK, 0, 0, CS_PROCESSING },
	{ CA_SUPPLEMENT, CS_SUPPLEMENT, ROLE_APPROVER, 1, E_FORBIDDEN, 0 },
	{ CA_SUPPLEMENT, CS_APPROVED, ROLE_CLERK, 0, E_INVALID_TRANSITION, 0 },
	/* 统一出件 and mail */
	{ CA_READY, CS_APPROVED, ROLE_CLERK, 0, 0, CS_READY },
	{ CA_READY, CS_REJECTED, ROLE_MANAGER, 0, 0, CS_READY },
	{ CA_MAIL, CS_APPROVED, ROLE_APPROVER, 1, 0, CS_MAILED },
	{ CA_MAIL, CS_READY, ROLE_CLERK, 0, E_INVALID_TRANSITION, 0 },
	{ CA_READY, CS_APPROVED, ROLE_CITIZEN, 0, E_FORBIDDEN, 0 },
	{ CA_HAND_OVER, CS_READY, ROLE_CLERK, 0, 0, CS_CLOSED },
	{ CA_HAND_OVER, CS_MAILED, ROLE_CLERK, 0, 0, CS_CLOSED },
	{ CA_HAND_OVER, CS_READY, ROLE_MANAGER, 0, E_FORBIDDEN, 0 },
	{ CA_HAND_OVER, CS_CLOSED, ROLE_CLERK, 0, E_INVALID_TRANSITION, 0 },
	{ CA_HAND_OVER, CS_APPROVED, ROLE_CLERK, 0, E_INVALID_TRANSITION, 0 },
	/* online pre-review */
	{ CA_PRE_ACCEPT, CS_SUBMITTED, ROLE_CLERK, 0, 0, CS_ACCEPTED },
	{ CA_RETURN, CS_SUBMITTED, ROLE_CLERK, 0, 0, CS_RETURNED },
	{ CA_RETURN, CS_RETURNED, ROLE_CLERK, 0, E_INVALID_TRANSITION, 0 },
	{ CA_PRE_ACCEPT, CS_SUBMITTED, ROLE_CITIZEN, 0, E_FORBIDDEN, 0 },
	{ CA_RESUBMIT, CS_RETURNED, ROLE_CITIZEN, 0, 0, CS_SUBMITTED },
	{ CA_RESUBMIT, CS_SUBMITTED, ROLE_CITIZEN, 0, E_INVALID_TRANSITION, 0 },
	{ CA_RESUBMIT, CS_RETURNED, ROLE_CLERK, 0, E_FORBIDDEN, 0 },
};

TEST(transitions)
{
	size_t i;

	for (i = 0; i < sizeof wants / sizeof wants[0]; i++) {
		const struct want *w = &wants[i];
		int to = -1, rc = case_rule_check(w->act, w->from, w->role, w->in_dept, &to);

		print_message("%s from %s by role %u\n", case_act_names[w->act],
		    case_status_names[w->from], w->role);
		assert_int_equal(rc, w->rc);
		if (rc == 0)
			assert_int_equal(to, w->to);
	}
}

/* What a case page lists, in its order. */
TEST(offered)
{
	enum case_act a[CA__MAX];

	assert_int_equal(case_rule_offer(0, CS_PROCESSING, ROLE_APPROVER, 1, a, CA__MAX), 3);
	assert_int_equal(a[0], CA_APPROVE);
	assert_int_equal(a[1], CA_REJECT);
	assert_int_equal(a[2], CA_REQUEST_SUPPLEMENT);
	/* once processing, (re)assigning is offered to the manager only */
	assert_int_equal(case_rule_offer(0, CS_PROCESSING, ROLE_MANAGER, 0, a, CA__MAX), 1);
	assert_int_equal(a[0], CA_ASSIGN);
	assert_int_equal(case_rule_offer(0, CS_ACCEPTED, ROLE_APPROVER, 1, a, CA__MAX), 1);
	assert_int_equal(a[0], CA_ASSIGN);
	assert_int_equal(case_rule_offer(0, CS_ACCEPTED, ROLE_CLERK, 0, a, CA__MAX), 1);
	assert_int_equal(a[0], CA_SUPPLEMENT);
	assert_int_equal(case_rule_offer(0, CS_APPROVED, ROLE_CLERK, 0, a, CA__MAX), 2);
	assert_int_equal(a[0], CA_READY);
	assert_int_equal(a[1], CA_MAIL);
	/* an approver of another department is offered nothing */
	assert_int_equal(case_rule_offer(0, CS_APPROVED, ROLE_APPROVER, 0, a, CA__MAX), 0);
	assert_int_equal(case_rule_offer(0, CS_CLOSED, ROLE_CLERK, 0, a, CA__MAX), 0);
	/* online pre-review lists only its own actions, and the window page none of them */
	assert_int_equal(case_rule_offer(1, CS_SUBMITTED, ROLE_CLERK, 0, a, CA__MAX), 2);
	assert_int_equal(a[0], CA_PRE_ACCEPT);
	assert_int_equal(a[1], CA_RETURN);
	assert_int_equal(case_rule_offer(0, CS_SUBMITTED, ROLE_CLERK, 0, a, CA__MAX), 0);
	assert_int_equal(case_rule_offer(1, CS_PROCESSING, ROLE_CLERK, 0, a, CA__MAX), 0);
}

TEST(names)
{
	assert_int_equal(case_act_parse("hand_over"), CA_HAND_OVER);
	assert_int_equal(case_act_parse("resubmit"), CA_RESUBMIT);
	assert_int_equal(case_act_parse("close"), -1);
	assert_true(case_act_online(CA_RETURN));
	assert_false(case_act_online(CA_APPROVE));
}

UNIT_MAIN("case_rules", NULL, NULL)
