/*
 * staff_signin.h — the sign-in locks of staff accounts (signin_guard.h) by account: lifting
 * them, and each account's state (staff_signin.c).
 */
#ifndef YC_STAFF_SIGNIN_H
#define YC_STAFF_SIGNIN_H

#include <stddef.h>

#include <jansson.h>

#include "../../fcgi/ctx.h"

/* Lift the sign-in locks of an account and forget its failures (signin_guard.h), audited;
 * *addresses and *account say what was locked.  0, or -1 with a reason in err. */
int	staff_unlock(struct ctx *c, const char *hall, const char *username, int *addresses,
	    int *account, char *err, size_t esz);
/* Each account of list (objects with "username") gets its "sign_in" state (locks and
 * failures, signin_guard.h).  0, or E_UNAVAILABLE when Redis does not answer. */
int	staff_sign_in_states(struct ctx *c, const char *hall, json_t *list);

#endif
