/*
 * test_identity.c — the access-control helpers of modules/shared/access.h (through
 * identity.h), one caller at a time: who may act at which window, in which hall, on which
 * department's cases and on whose records.  Each refusal must be a 401 (nobody signed in) or a 403 in the API's shape.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../lib/tests.h"
#include "../../fcgi/yc.h"
#include "../../modules/identity/identity.h"

static struct req r;

static void
as(unsigned role, const char *subject, const char *hall, int window, const char *dept)
{
	req_free(&r);
	req_init(&r, NULL);
	r.sess.role = role;
	str_copy(r.sess.subject, sizeof r.sess.subject, subject ? subject : "");
	str_copy(r.sess.hall, sizeof r.sess.hall, hall ? hall : "");
	r.sess.window = window;
	str_copy(r.sess.department, sizeof r.sess.department, dept ? dept : "");
}

/* rc is a refusal with that status and the API's code. */
static void
refused(int rc, int status)
{
	assert_int_equal(rc, status);
	assert_int_equal(r.status, status);
	assert_string_equal(r.err_code, status == 401 ? "UNAUTHENTICATED" : "FORBIDDEN");
	assert_true(strlen(r.err_msg) > 0);
}

TEST(clerk_window)
{
	as(ROLE_CLERK, "12", "demo", 2, NULL);
	assert_int_equal(require_clerk_at_window(&r, 2), 0);
	/* A clerk of window 2 cannot act at window 3. */
	refused(require_clerk_at_window(&r, 3), 403);
	as(ROLE_CLERK, "12", "demo", 2, NULL);
	refused(require_clerk_at_window(&r, 0), 403);
	/* Other roles are not window staff, even a manager. */
	as(ROLE_MANAGER, "5", "demo", 0, NULL);
	refused(require_clerk_at_window(&r, 2), 403);
	as(ROLE_KIOSK, "9", "demo", 0, NULL);
	refused(require_clerk_at_window(&r, 0), 403);
	as(ROLE_CITIZEN, "2", "", 0, NULL);
	refused(require_clerk_at_window(&r, 2), 403);
	as(0, NULL, NULL, 0, NULL);
	refused(require_clerk_at_window(&r, 2), 401);
}

/* Who may act for a hall: each row a session, a check of the hall and its answer (0: let
 * through, else the refusal's status). */
static const struct hall_check {
	unsigned	 role;
	const char	*subject, *hall;
	int		 window;
	int		(*check)(struct req *, const char *);
	const char	*arg;
	int		 want;
} hall_checks[] = {
	{ ROLE_CLERK, "12", "demo", 2, require_staff_of_hall, "demo", 0 },
	{ ROLE_CLERK, "12", "demo", 2, require_member_of_hall, "demo", 0 },
	{ ROLE_CLERK, "12", "demo", 2, require_staff_of_hall, "other", 403 },
	{ ROLE_CLERK, "12", "demo", 2, require_staff_of_hall, NULL, 403 },
	{ ROLE_CLERK, "12", "demo", 2, require_manager_of_hall, "demo", 403 },
	{ ROLE_MANAGER, "5", "demo", 0, require_manager_of_hall, "demo", 0 },
	{ ROLE_MANAGER, "5", "demo", 0, require_manager_of_hall, "demo2", 403 },
	{ ROLE_ADMIN, "6", "demo", 0, require_manager_of_hall, "demo", 0 },
	{ ROLE_ADMIN, "6", "demo", 0, require_staff_of_hall, "demo", 0 },
	/* A kiosk belongs to its hall but is not staff. */
	{ ROLE_KIOSK, "9", "demo", 0, require_member_of_hall, "demo", 0 },
	{ ROLE_KIOSK, "9", "demo", 0, require_staff_of_hall, "demo", 403 },
	{ ROLE_KIOSK, "9", "demo", 0, require_member_of_hall, "other", 403 },
	/* Citizens have no hall; an empty hall never matches an empty session hall. */
	{ ROLE_CITIZEN, "2", "", 0, require_staff_of_hall, "demo", 403 },
	{ ROLE_CITIZEN, "2", "", 0, require_member_of_hall, "", 403 },
	{ 0, NULL, NULL, 0, require_staff_of_hall, "demo", 401 },
};

TEST(hall_bound)
{
	size_t i;

	for (i = 0; i < sizeof hall_checks / sizeof hall_checks[0]; i++) {
		const struct hall_check *c = &hall_checks[i];

		print_message("row %zu: role %u, hall %s\n", i, c->role, c->arg ? c->arg : "(none)");
		as(c->role, c->subject, c->hall, c->window, NULL);
		if (c->want == 0)
			assert_int_equal(c->check(&r, c->arg), 0);
		else
			refused(c->check(&r, c->arg), c->want);
	}
}

TEST(approver)
{
	as(ROLE_APPROVER, "10", "demo", 0, "scjg");
	assert_int_equal(require_approver_of(&r, "demo", "scjg"), 0);
	refused(require_approver_of(&r, "demo", "gaj"), 403);
	as(ROLE_APPROVER, "10", "demo", 0, "scjg");
	refused(require_approver_of(&r, "other", "scjg"), 403);
	/* A clerk cannot approve a case; nor can a manager stand in for the department. */
	as(ROLE_CLERK, "12", "demo", 2, NULL);
	refused(require_approver_of(&r, "demo", "scjg"), 403);
	as(ROLE_MANAGER, "5", "demo", 0, NULL);
	refused(require_approver_of(&r, "demo", "scjg"), 403);
	as(ROLE_APPROVER, "10", "demo", 0, "");
	refused(require_approver_of(&r, "demo", ""), 403);
}

TEST(citizen_owner)
{
	long long id = -1;

	as(ROLE_CITIZEN, "42", "", 0, NULL);
	assert_int_equal(require_citizen(&r, &id), 0);
	assert_int_equal(id, 42);
	assert_int_equal(session_citizen(&r), 42);
	assert_int_equal(require_owner(&r, 42), 0);
	/* A citizen token cannot reach another citizen's record. */
	refused(require_owner(&r, 43), 403);
	as(ROLE_CITIZEN, "42", "", 0, NULL);
	refused(require_owner(&r, 0), 403);

	/* Staff subjects are numbers too: staff 42 is not citizen 42. */
	as(ROLE_CLERK, "42", "demo", 1, NULL);
	assert_int_equal(session_citizen(&r), 0);
	refused(require_owner(&r, 42), 403);
	as(ROLE_CLERK, "42", "demo", 1, NULL);
	refused(require_citizen(&r, &id), 403);
	assert_int_equal(id, 0);

	/* A broken subject is nobody. */
	as(ROLE_CITIZEN, "4x", "", 0, NULL);
	assert_int_equal(session_citizen(&r), 0);
	refused(require_owner(&r, 4), 403);

	as(0, NULL, NULL, 0, NULL);
	assert_int_equal(session_citizen(&r), 0);
	refused(require_citizen(&r, NULL), 401);
	as(0, NULL, NULL, 0, NULL);
	refused(require_owner(&r, 42), 401);
}

TEST(roles)
{
	as(ROLE_KIOSK, "9", "demo", 0, NULL);
	assert_int_equal(require_role(&r, ROLE_KIOSK | ROLE_CLERK), 0);
	refused(require_role(&r, ROLE_STAFF), 403);
	as(0, NULL, NULL, 0, NULL);
	refused(require_role(&r, ROLE_ALL), 401);
}

/* The one request every test reads its session from. */
FIXTURE(req_up)
{
	req_init(&r, NULL);
	return 0;
}

FIXTURE(req_down)
{
	req_free(&r);
	return 0;
}

UNIT_MAIN("identity", req_up, req_down)
