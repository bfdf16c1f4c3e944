/*
 * realname_int.h — what realname.c and realname_me.c share inside the identity room.
 */
#ifndef YC_REALNAME_INT_H
#define YC_REALNAME_INT_H

/* "2026-11-23T09:30:00+08:00" of a DATETIME column, in SQL. */
#define RFC3339(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s+08:00')"

/* How many people one account may act for (config proxy_max_principals, default 5). */
int	rn_proxy_max(void);

#endif
