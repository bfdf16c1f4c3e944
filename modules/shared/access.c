/*
 * access.c — the access-control helpers every room's handlers use (access.h): whether the
 * signed-in caller (r->sess, fcgi/session.c) may act, else the refusal set on r.
 *
 * Routes: none.  Tables: none.  Redis: none.
 */
#include "access.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/session.h"
#include "../../fcgi/util.h"

#include <stdint.h>
#include <string.h>

static int
refuse(struct req *r)
{
	if (r->sess.role == 0)
		return req_err(r, E_UNAUTHENTICATED);
	return req_err(r, E_FORBIDDEN);
}

int
require_role(struct req *r, unsigned roles)
{
	if (r->sess.role != 0 && (r->sess.role & roles) != 0)
		return 0;
	return refuse(r);
}

static int
same_hall(const struct req *r, const char *hall)
{
	return hall != NULL && r->sess.hall[0] != '\0' && strcmp(r->sess.hall, hall) == 0;
}

int
require_staff_of_hall(struct req *r, const char *hall)
{
	if ((r->sess.role & ROLE_STAFF) != 0 && same_hall(r, hall))
		return 0;
	return refuse(r);
}

int
require_member_of_hall(struct req *r, const char *hall)
{
	if ((r->sess.role & (ROLE_STAFF | ROLE_KIOSK)) != 0 && same_hall(r, hall))
		return 0;
	return refuse(r);
}

int
require_manager_of_hall(struct req *r, const char *hall)
{
	if ((r->sess.role & (ROLE_MANAGER | ROLE_ADMIN)) != 0 && same_hall(r, hall))
		return 0;
	return refuse(r);
}

int
require_admin_of_hall(struct req *r, const char *hall)
{
	if (r->sess.role == ROLE_ADMIN && same_hall(r, hall))
		return 0;
	return refuse(r);
}

int
require_clerk_at_window(struct req *r, int window)
{
	if (r->sess.role == ROLE_CLERK && r->sess.hall[0] != '\0' && window > 0 &&
	    r->sess.window == window)
		return 0;
	return refuse(r);
}

int
require_approver_of(struct req *r, const char *hall, const char *department)
{
	if (r->sess.role == ROLE_APPROVER && same_hall(r, hall) && department != NULL &&
	    r->sess.department[0] != '\0' && strcmp(r->sess.department, department) == 0)
		return 0;
	return refuse(r);
}

long long
session_citizen(const struct req *r)
{
	long long id;

	if (r->sess.role != ROLE_CITIZEN || parse_ll(r->sess.subject, 1, INT64_MAX, &id) != 0)
		return 0;
	return id;
}

int
require_citizen(struct req *r, long long *citizen_id)
{
	long long id = session_citizen(r);

	if (citizen_id)
		*citizen_id = id;
	return id > 0 ? 0 : refuse(r);
}

int
require_owner(struct req *r, long long owner_citizen_id)
{
	long long id = session_citizen(r);

	if (id > 0 && owner_citizen_id > 0 && id == owner_citizen_id)
		return 0;
	return refuse(r);
}
