/*
 * appointments.h — appointments (预约) as other modules and programs use them.
 *
 * The routes are in handlers.h; the worker's jobs, the cancellations a rebinding causes and
 * the demo seed are here (README.md in this folder maps the room).
 */
#ifndef YC_APPOINTMENTS_H
#define YC_APPOINTMENTS_H

#include "../../fcgi/ctx.h"

#include <stdint.h>

/* Worker jobs (appointments_jobs.c): mark no-shows once a slot has ended (and ban after
 * repeated ones); queue the reminder SMS the day before. */
int	job_appointments_noshow(struct ctx *c);
int	job_appointments_remind(struct ctx *c);
/* Compare Redis's free places of the loaded days with MariaDB's bookings; a difference that
 * stays the same over three runs is dropped, so the day is rebuilt from MariaDB. */
int	job_appointments_reconcile(struct ctx *c);

/*
 * A clerk rebound an ID number to the account `holder` (the hook realname_on_rebind of
 * identity/realname.h, set at start; this is cancel.c): cancel the live
 * bookings another account made for that number as its own (not through a proxy relation),
 * so they give their places back and cannot count against the holder or end as no-shows.
 * Each is cancelled as by its holder (history, audit; actor the clerk).  *cancelled gets the
 * count.  0, or -1 when one could not be cancelled now (Redis or MariaDB down): running it
 * again finishes the job.  It takes the clerk's request for the audit rows' actor (audit.h
 * records from a request).
 */
struct req;
int	appt_cancel_identity(struct req *r, const char *idhash, long long holder,
	    int *cancelled);

/* A booking's notice resent by staff (resend.c): a new appointment code, unique in the
 * hall's day; the one sent before stops working at the kiosk.  The renewer of
 * appointment/code handed to the notify room at start (notify_on_resend, notify.h). */
struct notice_ref;
int	appt_renew_code(struct req *r, const struct notice_ref *n, char *out, size_t osz,
	    const char **msg);

/*
 * The hall's opening of a day changed (admin/hours_api.c): the booked appointments of that
 * day whose slot no longer lies inside `open` (NULL: the hall does not open that day).
 * appt_outside_count counts them (0 or a DB_* code); appt_outside_cancel cancels each as
 * its holder's cancellation would (history, audit, the appointment_cancelled SMS; actor
 * the admin), gives the day's places back and has the day's slots rebuilt from MariaDB.
 * *cancelled gets the count.  0, or -1 when one could not be cancelled now (Redis or
 * MariaDB down): running it again finishes the job.
 */
struct hall_day;
int	appt_outside_count(struct ctx *c, const char *hall, int64_t day,
	    const struct hall_day *open, int *count);
int	appt_outside_cancel(struct req *r, const char *hall, int64_t day,
	    const struct hall_day *open, int *cancelled);
/*
 * The same for any change of the plan (admin/slots_api.c): the booked appointments of hall
 * (of category cat, 0: every one) from day `from` to `to` for which keep(arg, …) returns 0
 * are counted, or cancelled as above (the days' places rebuilt from MariaDB afterwards).
 */
typedef int (*appt_keep_fn)(void *arg, char cat, int64_t day, int start_min, int end_min,
    int seat);
int	appt_affected_count(struct ctx *c, const char *hall, char cat, int64_t from, int64_t to,
	    appt_keep_fn keep, void *arg, int *count);
int	appt_affected_cancel(struct req *r, const char *hall, char cat, int64_t from,
	    int64_t to, appt_keep_fn keep, void *arg, int *cancelled);
/* 1 Monday … 7 Sunday of a day (days since 1970-01-01, hall time). */
int	appt_weekday(int64_t day);
/* The plans (appointment_slot_templates, a weekday's or a date's: slot_plan.c) changed:
 * this process reads them afresh, the others within a second (yc:appt:plan_gen). */
void	appt_plan_changed(struct ctx *c);
/* The day's slots changed in MariaDB: its places in Redis are rebuilt at the next use. */
void	appt_day_changed(struct ctx *c, const char *hall, int64_t day);

/*
 * The demo hall's slot templates: every category, 30-minute slots through the opening hours
 * (hall_hours), 6 places for A and 4 for the others.  Idempotent (existing rows are kept).
 * Called by `yichuang-admin seed-demo`.  0 or a DB_* code.
 */
int	appt_seed_demo(struct ctx *c);

#endif
