/*
 * staff.h — staff accounts: creation and passwords (argon2id through libsodium).
 */
#ifndef YC_STAFF_H
#define YC_STAFF_H

#include <stddef.h>

#include <jansson.h>

#include "../../fcgi/ctx.h"

#define STAFF_PASSWORD_MIN 12

struct staff_new {
	const char	*hall;
	const char	*username;
	const char	*name;
	const char	*role;		/* clerk, approver, manager, admin */
	const char	*department;	/* approver */
	int		 window;	/* clerk: the usual window (0: none) */
	const char	*password;
	int		 must_change;	/* 1: a first password, replaced at the first sign-in */
};

/* 1 exists, 0 not, or a DB_* code. */
int	staff_exists(struct ctx *c, const char *hall, const char *username);
/* 0, or -1 with a reason in err. */
int	staff_create(struct ctx *c, const struct staff_new *s, char *err, size_t esz);
int	staff_set_password(struct ctx *c, const char *hall, const char *username,
	    const char *password, char *err, size_t esz);
/* Switch an account off (disabled = 1) or on again; *id gets its staff id (so the caller can
 * end its sessions).  0, or -1 with a reason in err. */
int	staff_set_disabled(struct ctx *c, const char *hall, const char *username, int disabled,
	    char *id, size_t idsz, char *err, size_t esz);
/* The staff id of hall/username into id.  1 found, 0 not, or a DB_* code. */
int	staff_id_of(struct ctx *c, const char *hall, const char *username, char *id, size_t idsz);
/* An audit row of the operator's (actor yichuang-admin) about account user of hall. */
void	staff_audit(struct ctx *c, const char *hall, const char *action, const char *user,
	    const char *result, const char *detail);
/* Hash a password (argon2id, interactive limits). 0 or -1. */
int	staff_hash_password(const char *password, char *out, size_t osz);

#endif
