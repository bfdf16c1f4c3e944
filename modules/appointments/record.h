/*
 * record.h — a booking as the appointments room reads and writes it in MariaDB (struct
 * appt_row, APPT_ROW_COLS), its JSON, its history rows and SMS, and the refusals every
 * booking route shares.  Private to the room (book.c, cancel.c, reschedule.c, checkin.c,
 * view_api.c); other rooms use appointments.h.
 */
#ifndef YC_APPOINTMENTS_RECORD_H
#define YC_APPOINTMENTS_RECORD_H

#include "appointments_int.h"

#define APPT_NOT_FOUND      "没有这个预约"
#define APPT_SLOT_NOT_FOUND "没有这个预约时段"
#define APPT_STATE_CHANGED  "该预约状态已变化，请刷新后重试"

struct appt_row {
	int		 found;
	long long	 id;
	char		 token[48];
	char		 code[8];
	char		 hall[33];
	char		 hall_name[256];
	char		 cat;
	char		 cat_name[160];
	int64_t		 day;
	int		 start_min, end_min;
	int		 seat;
	long long	 citizen;
	long long	 proxy_id;	/* booked through this proxy relation, 0: own */
	char		 name[128];
	char		 idnum[24];
	char		 idhash[65];
	char		 item[48];
	char		 status[16];
	long long	 ticket_id;
	char		 t_token[40], t_number[12], t_status[16], t_priority[16];
	char		 t_cat;
};

/* The columns row_fill reads, before a WHERE: `db_query(c, APPT_ROW_COLS "WHERE …")`. */
#define APPT_ROW_COLS \
	"SELECT a.id, a.token_enc, a.code, a.hall, h.name, a.category, c.name," \
	" DATE_FORMAT(a.day, '%Y-%m-%d'), HOUR(a.start_time) * 60 + MINUTE(a.start_time)," \
	" HOUR(a.end_time) * 60 + MINUTE(a.end_time), a.seat, a.citizen_id, a.name_enc," \
	" a.idnum_enc, a.idnum_hash, a.item, a.status, a.ticket_id, t.token, t.number, t.status," \
	" t.priority, t.category, a.proxy_id" \
	" FROM appointments a JOIN halls h ON h.code = a.hall" \
	" JOIN categories c ON c.hall = a.hall AND c.code = a.category" \
	" LEFT JOIN queue_tickets t ON t.id = a.ticket_id "


/* A row of APPT_ROW_COLS into a (its sealed token, name and ID number opened). */
void	appt_row_fill(struct appt_row *a, char **v, const size_t *lens);
/* db_row_fn: the first row into arg (a struct appt_row), then stop. */
int	appt_one_row(void *arg, size_t ncol, char **v, const size_t *lens);
/* The Redis day holder of a booking (appt_holder). */
void	appt_row_holder(const struct appt_row *a, char out[APPT_HOLDER_MAX]);
/* SHA-256 of a booking token, in hex: the token_hash column. */
void	appt_token_hash(const char *token, char out[65]);
/* By token.  1 found, 0 not (or not a token), or a DB_* code. */
int	appt_row_by_token(struct ctx *c, const char *token, struct appt_row *a);
/* The booking as docs/API.md shows it; its ticket (NULL before check-in). */
json_t	*appt_row_json(const struct appt_row *a);
json_t	*appt_ticket_json(const struct appt_row *a);

/* Who acts: the session's role (ROLE_*, 0 for the system) and subject. */
struct appt_actor {
	unsigned	 role;
	const char	*subject;
};
#define APPT_ACTOR(r) ((struct appt_actor){ (r)->sess.role, (r)->sess.subject })
/* One appointment_history row, in the caller's transaction.  0 or a DB_* code. */
int	appt_history(struct ctx *c, struct appt_actor who, long long id, const char *action,
	    const char *from, const char *to, const char *detail, const char *at);
/*
 * A booking's SMS, in the caller's transaction: the confirmation (new booking or a move,
 * template appointment_booked, with the code) or the cancellation (appointment_cancelled:
 * the citizen learns that the place, and its code, is gone whoever cancelled it).  No phone
 * bound (a mini-program citizen without one): nothing to send.  0 or a DB_* code.
 */
int	appt_sms(struct ctx *c, const struct appt_row *a, const char *phone, int cancelled);
/* A booking's SMS `template` with params (taken: freed here) to phone, into the outbox with
 * the booking (id) as its reference; urgent 0: held during quiet hours.  0 or a DB_* code. */
int	appt_sms_queue(struct ctx *c, const char *hall, long long id, const char *phone,
	    const char *template, json_t *params, int urgent);
/* The variables every booking SMS has: hall_name, date ("2026年11月24日"), time ("09:00"). */
json_t	*appt_sms_params(const char *hall_name, int64_t day, int start_min);
/* The account's phone for a booking's SMS into phone ("" when none).  1 found, 0 no such
 * account, or a DB_* code (DB_DOWN; DB_FAIL: a record that does not open). */
int	appt_phone(struct ctx *c, long long citizen, char phone[24]);

/* A new 6-digit booking code (code ≥ 7 bytes): uniform, from the system's CSPRNG. */
void	appt_code_new(char code[8]);
/* Does a booking of hall on date (YYYY-MM-DD) hold code?  After a write met a duplicate key:
 * 1, the code (draw another); 0, another key.  Or a DB_* code. */
int	appt_code_taken(struct ctx *c, const char *hall, const char *date, const char *code);

/* Outcomes of writing a booking besides 0, a DB_* code and a reply status. */
enum { REC_RETRY = -100, REC_ID_LOST = -101 };

/* ---- replies the booking handlers share ---- */

/* The holder, or staff / a kiosk of the appointment's hall.  0 or the refusal. */
int	appt_may_see(struct req *r, const struct appt_row *a);
/* The booking of the path's {token} into a, for its holder only (APPT_HOLDER) or for whoever
 * may see it (APPT_VIEWER, appt_may_see).  0, or the reply (404, 401/403, 503) set. */
enum { APPT_HOLDER, APPT_VIEWER };
int	appt_row_of_path(struct req *r, int who, struct appt_row *a);
/* A take refused (appt_take_kind), with what the API adds: "limit" for BOOKING_LIMIT,
 * "until" for NO_SHOW_BANNED, Retry-After when busy.  0 for APPT_TAKE_OK. */
int	appt_take_fail(struct req *r, enum appt_take_rc rc, const struct appt_take *t);
/* 503 UNAVAILABLE with Retry-After: 1 — a rebuild held the day too long. */
int	appt_busy(struct req *r);

#endif
