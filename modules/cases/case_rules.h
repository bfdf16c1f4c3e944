/*
 * case_rules.h — the case state machine as data: which action may be taken from which status,
 * by which role, and the status it leads to.  Pure functions over one table (case_rules.c),
 * so the handlers of the window, the back office and online pre-review, the "actions" list
 * of a case page and test/unit/test_case_rules.c all read the same rules.
 *
 *   action              who                          from                      to
 *   assign              approver (dept), manager     accepted, processing      processing
 *   approve             approver (dept)              processing                approved
 *   reject              approver (dept)              processing                rejected
 *   request_supplement  approver (dept)              processing                supplement_needed
 *   supplement          clerk                        supplement_needed         processing
 *                                                    accepted, processing      (unchanged: 容缺)
 *   ready               clerk, approver, manager     approved, rejected        ready
 *   mail                clerk, approver, manager     approved, rejected        mailed
 *   hand_over           clerk                        ready, mailed             closed
 *   pre_accept          clerk                        submitted                 accepted
 *   return              clerk                        submitted                 returned
 *   resubmit            citizen (the filer)          returned                  submitted
 *
 * An approve of one part of a bundle leaves the case in processing until the last part is
 * approved (the table gives the case's status once every part is decided).
 */
#ifndef YC_CASE_RULES_H
#define YC_CASE_RULES_H

#include <stddef.h>

enum case_act {
	CA_ASSIGN, CA_APPROVE, CA_REJECT, CA_REQUEST_SUPPLEMENT, CA_SUPPLEMENT, CA_READY, CA_MAIL,
	CA_HAND_OVER, CA_PRE_ACCEPT, CA_RETURN, CA_RESUBMIT, CA__MAX
};

/* "assign", … in enum order, NULL-terminated (an in_enum list). */
extern const char *const case_act_names[CA__MAX + 1];
/* The actions of online pre-review (pre_accept, return, resubmit). */
int	case_act_online(enum case_act act);
/* CA_* of a name, or -1. */
int	case_act_parse(const char *name);

/* Whether role (one ROLE_* bit) may ever take act. */
int	case_rule_permits(enum case_act act, unsigned role);
/*
 * May role take act on a case in status (CS_*)?  in_dept: the caller is an approver of one
 * of the case's departments.  0 with *to set to the resulting status (CS_*), E_FORBIDDEN
 * (not this role's, or an approver of another department) or E_INVALID_TRANSITION (not from
 * this status).
 */
int	case_rule_check(enum case_act act, int status, unsigned role, int in_dept, int *to);
/*
 * The actions a case page offers role in status, in the order the page lists them:
 * online pre-review ones when online, the others otherwise.  Writes up to n, returns how many.
 */
size_t	case_rule_offer(int online, int status, unsigned role, int in_dept, enum case_act *out,
	    size_t n);

#endif
