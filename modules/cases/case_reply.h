/*
 * case_reply.h — the replies the case handlers share (cases, online and tracking rooms):
 * what a refusal of the case domain looks like on the wire.  Handlers only.
 */
#ifndef YC_CASE_REPLY_H
#define YC_CASE_REPLY_H

#include <jansson.h>

#include "../../fcgi/yc.h"

struct case_row;

/*
 * A DB_* code as the case routes answer it (db_fail_map with the cases tables' map): what the
 * schema refuses is named by the API field the client sent (chk_cases_mail → address, a
 * column too long → its field …), never a 500.
 */
int	case_db_fail(struct req *r, int rc);
/* 422 CALENDAR_MISSING for year (the alert is raised by case_calendar_missing). */
int	case_reply_calendar(struct req *r, int year);
/* 409 INVALID_TRANSITION: the case is in status, action cannot be taken from it. */
int	case_reply_transition(struct req *r, const char *status, const char *action);
/* 200 {"case": …}: case no of the caller's hall as staff see it after a change (or 404/503). */
int	case_reply_case(struct req *r, const char *no);
/* 409 INVALID_TRANSITION after a guarded change found another status (someone acted
 * first): the case is read again and the reply names what it is now. */
int	case_reply_conflict(struct req *r, const struct case_row *cr, const char *action);
/* 403 WRONG_HALL: action on the case falls to another hall (case_route.h), named. */
int	case_reply_wrong_hall(struct req *r, const struct case_row *cr, int act);
/* A 422 of kind with message msg and "missing": list (taken). */
int	case_reply_missing(struct req *r, int kind, const char *msg, json_t *list);
/* The same when list (taken) is not empty, its message msg_fmt with the list's length for
 * its one %zu; 0 when it is empty. */
int	case_reply_missing_n(struct req *r, int kind, const char *msg_fmt, json_t *list);
/* 400 naming pickup_hall: not a hall of the city where the case's result can be picked up. */
int	case_reply_pickup(struct req *r);
/* A pickup_hall given (not NULL) checked against the hall that accepts the case
 * (case_pickup_ok): 0 when it may be picked up there, else the reply (400 or 503). */
int	case_pickup_check(struct req *r, const char *hall, const char *pickup);

#endif
