/*
 * errors.h — the API's error vocabulary in one table: each kind with its HTTP status, its
 * code (the `error.code` of docs/API.md) and the message a citizen or clerk reads when the
 * handler has nothing more specific to say.  Rooms return these kinds from their functions
 * (0 is success; DB_* codes, which are negative, stay the storage layer's); handlers alone turn
 * them into replies with req_err / req_err_msg.
 *
 * Two codes stand at two statuses, both as docs/API.md states them: TOO_LARGE (413 a body, 414
 * a request line: E_URI_TOO_LONG — the code names the problem, the status its HTTP sense) and
 * CODE_INVALID (401 when the code was the sign-in itself: E_LOGIN_CODE_INVALID; 422 when it
 * confirms something of a signed-in citizen: E_CODE_INVALID).
 */
#ifndef YC_ERRORS_H
#define YC_ERRORS_H

#include <stddef.h>

struct req;

enum err {
	E_OK = 0,
	E_INVALID_INPUT,
	E_UNAUTHENTICATED,
	E_LOGIN_CODE_INVALID,
	E_FORBIDDEN,
	E_CSRF,
	E_NO_SHOW_BANNED,
	E_PASSWORD_CHANGE_REQUIRED,
	E_WRONG_HALL,
	E_NOT_FOUND,
	E_METHOD_NOT_ALLOWED,
	E_CONFLICT,
	E_INVALID_STATE,
	E_INVALID_TRANSITION,
	E_ALREADY_BOOKED,
	E_ALREADY_QUEUED,
	E_ALREADY_REVIEWED,
	E_CAPACITY_BELOW_BOOKED,
	E_BOOKINGS_AFFECTED,
	E_IDEMPOTENCY_IN_PROGRESS,
	E_IDEMPOTENCY_MISMATCH,
	E_ID_BOUND_ELSEWHERE,
	E_HANDOVER_OPEN,
	E_NOT_IN_CUSTODY,
	E_NOTICE_PENDING,
	E_NOT_WECHAT_SESSION,
	E_NO_CURRENT_TICKET,
	E_PRINCIPAL_NOT_REGISTERED,
	E_PROXY_EXISTS,
	E_PROXY_IS_PRINCIPAL,
	E_PROXY_LIMIT,
	E_PROXY_REQUIRED,
	E_REJOIN_USED,
	E_RESULT_NOT_VALID,
	E_SLOT_FULL,
	E_WINDOW_BUSY,
	E_TOO_LARGE,
	E_URI_TOO_LONG,
	E_UNSUPPORTED_TYPE,
	E_ALERT_NOT_DISMISSABLE,
	E_APPOINTMENT_STARTED,
	E_CALENDAR_MISSING,
	E_CHECK_IN_REQUIRED,
	E_CODE_INVALID,
	E_HALL_CLOSED,
	E_MATERIALS_INCOMPLETE,
	E_MATERIALS_OUTSTANDING,
	E_MUST_ATTEND,
	E_NOT_RESENDABLE,
	E_NOT_REVIEWABLE,
	E_NO_PICKUP_WINDOW,
	E_OUTSIDE_CHECKIN_WINDOW,
	E_PERIOD_TOO_LARGE,
	E_PHONE_UNSUPPORTED,
	E_PICKUP_CODE_WRONG,
	E_PRIORITY_AT_HALL,
	E_QUEUE_FULL,
	E_RECTIFICATION_INCOMPLETE,
	E_RESULT_NOT_ELECTRONIC,
	E_RESULT_NOT_REPLACEABLE,
	E_SAME_SLOT,
	E_SLOT_PAST,
	E_SLOT_UNAVAILABLE,
	E_RATE_LIMITED,
	E_BOOKING_LIMIT,
	E_INTERNAL,
	E_UNAVAILABLE,
	E__MAX
};

struct err_kind {
	int		 status;
	const char	*code;
	const char	*message;
};

/* The kind's row; E_INTERNAL's for a value outside the table. */
const struct err_kind *err_kind(int kind);
/* Reply with kind's status, code and default message (or msg).  Returns the status. */
int	req_err(struct req *r, int kind);
int	req_err_msg(struct req *r, int kind, const char *msg);

/* A DB_* code (db.h) as a reply: 503 / 409 / 400 / 500, the refusals looked up in map (see
 * db.h, struct db_field).  Defined in errors.c; db.h declares them as well. */
struct db_field;
int	db_fail_map(struct req *r, int rc, const struct db_field *map, size_t n);
int	db_fail(struct req *r, int rc);
/* A lookup's answer (1 found, 0 none, or a DB_* code) as a handler needs it: 0 when found;
 * otherwise the reply is set, 404 NOT_FOUND saying msg for none, db_fail's for a DB_* code,
 * and its status returned. */
int	db_found(struct req *r, int rc, const char *msg);

#endif
