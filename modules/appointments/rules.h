/*
 * rules.h — the booking rules of the appointments room as pure decisions: given the rules
 * (appointment_* of yichuang.conf), a booking's status and times and the hall clock's now,
 * what may happen.  No storage, no reply: the room's files call these and turn the verdict
 * into a Redis script's arguments, a transaction or a reply; test/unit/test_appt_rules.c
 * checks them without a stack.
 *
 * What these do not decide: a slot's capacity, one booking per citizen and ID number per
 * hall and day, the weekly and monthly caps and the ban check are taken and checked in one
 * Lua script (state.c, s_take) so that no two requests can both pass them; a booking's
 * outcome there is turned into an error kind by appt_take_kind.
 */
#ifndef YC_APPOINTMENTS_RULES_H
#define YC_APPOINTMENTS_RULES_H

#include <stdint.h>

/* What the booking script answers (state.c, appt_take): the rules it checked atomically. */
enum appt_take_rc {
	APPT_TAKE_OK,
	APPT_TAKE_NO_SLOT,
	APPT_TAKE_FULL,
	APPT_TAKE_ALREADY,
	APPT_TAKE_LIMIT_WEEK,
	APPT_TAKE_LIMIT_MONTH,
	APPT_TAKE_BANNED,
	APPT_TAKE_DOWN,		/* Redis (or MariaDB during a rebuild) is down */
	APPT_TAKE_BUSY		/* a rebuild held the lock too long */
};

/* The parts of a place given back (appt_release): the seat, the day's holder entries, the
 * week's and the month's counts. */
#define APPT_REL_SEAT  0x1
#define APPT_REL_DAY   0x2
#define APPT_REL_WEEK  0x4
#define APPT_REL_MONTH 0x8
#define APPT_REL_ALL   0xf

/* The rules, from yichuang.conf (appointment_*), read once per call. */
struct appt_rules {
	int	 days_ahead;		/* appointment_days_ahead (7): today … today + n */
	int	 per_week;		/* appointment_max_per_week (2) per ID number, Mon–Sun */
	int	 per_month;		/* appointment_max_per_month (6) per ID number */
	int	 one_per_day;		/* appointment_one_per_day (1): per citizen and ID number */
	int	 noshow_limit;		/* appointment_noshow_limit (2) … */
	int	 noshow_window;		/* … within appointment_noshow_window_days (90) … */
	int	 ban_days;		/* … ban for appointment_ban_days (90) */
	int	 checkin_before;	/* appointment_checkin_before_minutes (30) */
	int	 checkin_after;		/* appointment_checkin_after_minutes (15) */
	int	 release_min;		/* appointment_release_time (08:00), minute of the day */
};
void	appt_rules(struct appt_rules *ru);

/* Instant (seconds) a slot minute of a day (days since 1970-01-01, hall time) begins. */
int64_t	appt_instant(int64_t day, int minute);
/* Monday of the week of day, and the month key (YYYYMM) of day. */
int64_t	appt_monday(int64_t day);
int	appt_month(int64_t day);

/*
 * May a slot (day, start minute) be booked — or moved to — at now?  From today to today +
 * days_ahead, and only before it begins.  The last day (today + days_ahead) opens at the
 * release time of today (appointment_release_time, 08:00): every slot of a day is released
 * at one instant, release_min on the day days_ahead days before it (appt_release_at).  The
 * slot list shows exactly these.  0 or E_SLOT_UNAVAILABLE.
 */
int	appt_rule_bookable(const struct appt_rules *ru, int64_t now, int64_t day, int start_min);
/* The instant every slot of day is released for booking. */
int64_t	appt_release_at(const struct appt_rules *ru, int64_t day);

/*
 * May a booking in `status` whose slot begins at `start` be cancelled at now?  0 (go),
 * E_INVALID_STATE (checked in, or no longer booked), E_APPOINTMENT_STARTED.  A cancelled
 * booking is cancelled again as a no-op: 0 with *noop set.
 */
int	appt_rule_cancel(const char *status, int64_t start, int64_t now, int *noop);

/*
 * May the booking (status, slot from_slot beginning at start) move to to_slot at now?
 * 0, E_INVALID_STATE (not booked), E_APPOINTMENT_STARTED, E_SAME_SLOT.  Whether the target
 * exists and is bookable is asked after (appt_rule_bookable).
 */
int	appt_rule_reschedule(const char *status, int64_t start, int64_t now,
	    const char *from_slot, const char *to_slot);

/*
 * What a move from from_day to to_day counts as: the same day, week and month keep the
 * booking's day holder and counts (the script counts the move as no new booking there), and
 * the parts of the old place to give back once the move is recorded (APPT_REL_*).
 */
struct appt_move {
	int	 same_day, same_week, same_month;
	int	 release;		/* APPT_REL_* of the old place */
};
void	appt_rule_move(int64_t from_day, int64_t to_day, struct appt_move *m);

/* The check-in window of a slot beginning at start: [from, until], both inclusive. */
void	appt_checkin_window(const struct appt_rules *ru, int64_t start, int64_t *from,
	    int64_t *until);

/*
 * May a booking in `status` whose slot begins at start check in at now?  0 (go), or
 * *already set (checked in: show its ticket), E_INVALID_STATE (cancelled),
 * E_OUTSIDE_CHECKIN_WINDOW (before or after the window, or no longer booked; *early says
 * which message: not yet, or too late).
 */
int	appt_rule_checkin(const struct appt_rules *ru, const char *status, int64_t start,
	    int64_t now, int *already, int *early);

/*
 * The no-shows counted for a no-show on `day`: those of the same ID number at the hall from
 * *from to day.  With `count` of them (this one included), is the number banned, and until
 * which day?  1 banned (*until set), 0 not.
 */
/* The error kind of a take's outcome (enum appt_take_rc of appointments_int.h): 0 for
 * APPT_TAKE_OK, E_NOT_FOUND, E_SLOT_FULL, E_ALREADY_BOOKED, E_BOOKING_LIMIT, E_NO_SHOW_BANNED
 * or E_UNAVAILABLE. */
int	appt_take_kind(int take_rc);

void	appt_noshow_span(const struct appt_rules *ru, int64_t day, int64_t *from);
int	appt_rule_noshow_ban(const struct appt_rules *ru, int64_t day, long long count,
	    int64_t *until);

#endif
