/*
 * access.h — the access-control helpers every room's handlers use (access.c).  Each answers
 * 0 when the signed-in caller may go on, else sets the refusal on r (401 when nobody is
 * signed in, 403 otherwise) and returns its status.
 */
#ifndef YC_ACCESS_H
#define YC_ACCESS_H

#include "../../fcgi/yc.h"

/* The caller's role is one of roles (a set of ROLE_* bits). */
int	require_role(struct req *r, unsigned roles);
/* Clerk, approver, manager or admin of hall. */
int	require_staff_of_hall(struct req *r, const char *hall);
/* Staff (as above) or a kiosk of hall: hall devices and people. */
int	require_member_of_hall(struct req *r, const char *hall);
/* Manager or admin of hall. */
int	require_manager_of_hall(struct req *r, const char *hall);
/* Admin of hall (the administration console's changes). */
int	require_admin_of_hall(struct req *r, const char *hall);
/* A clerk signed in at that window (of the clerk's own hall, r->sess.hall). */
int	require_clerk_at_window(struct req *r, int window);
/* An approver of that department in that hall (a clerk, a manager or another department's
 * approver is refused). */
int	require_approver_of(struct req *r, const char *hall, const char *department);
/* A signed-in citizen; *citizen_id (may be NULL) gets its id. */
int	require_citizen(struct req *r, long long *citizen_id);
/* The signed-in citizen owns the record: owner_citizen_id is the record's citizen id.
 * Anyone else — another citizen, staff, a kiosk — is refused (403). */
int	require_owner(struct req *r, long long owner_citizen_id);
/* The caller's citizen id, or 0 when the caller is not a signed-in citizen (no error set:
 * for routes open to anyone that act on "the holder" when one is signed in). */
long long session_citizen(const struct req *r);

#endif
