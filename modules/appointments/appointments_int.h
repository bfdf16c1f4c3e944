/*
 * appointments_int.h — what the files of the appointments room share: slots and their ids
 * (slot_plan.c), the Redis state's operations (state.c, state_rebuild.c) and the rules
 * (rules.h).  Other rooms use appointments.h.  README.md in this folder maps the files.
 */
#ifndef YC_APPOINTMENTS_INT_H
#define YC_APPOINTMENTS_INT_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>
#include <jansson.h>

#include "../../fcgi/yc.h"
#include "rules.h"

#define APPT_SLOT_ID_LEN   15		/* "A-20261124-0900" */
#define APPT_MAX_SLOTS     512		/* per hall and day, all categories */
#define APPT_TOKEN_BYTES   18		/* 144 random bits → 24 characters */
#define APPT_EPOCH_LEN     24

/* One slot of one day. */
struct appt_slot {
	char	 id[APPT_SLOT_ID_LEN + 1];
	char	 cat;
	int64_t	 day;			/* days since 1970-01-01, hall time */
	int	 start_min, end_min;	/* minutes after midnight */
	int	 capacity;
	int	 retired;		/* its category is retired: shown to no one, not booked */
};

/* "A-20261124-0900" ↔ its parts.  parse: 0 or -1. */
int	appt_slot_parse(const char *id, char *cat, int64_t *day, int *start_min);
void	appt_slot_id(char cat, int64_t day, int start_min, char out[APPT_SLOT_ID_LEN + 1]);
/* "2026-11-24T09:00:00+08:00" of a slot minute. */
void	appt_time(int64_t day, int minute, char *out, size_t osz);
/* "09:00" */
void	appt_hhmm(int minute, char out[6]);

/*
 * The slots a hall offers on a day (templates with the day's overrides), only when the day
 * is a working day; cat 0 = every category.  Returns the count (≥ 0), CAL_MISSING when the
 * day's year is not loaded (no slots: never a guess), or a DB_* code.
 */
int	appt_day_slots(struct ctx *c, const char *hall, int64_t day, char cat,
	    struct appt_slot *out, int max);
/* One slot by id (its day's plan).  1 found, 0 not offered, CAL_MISSING, or a DB_* code. */
int	appt_slot_find(struct ctx *c, const char *hall, const char *id, struct appt_slot *out);
/* The same from the process's copy of the plan (at most 10 s old; see slot_plan.c):
 * for booking, whose capacity is Redis's.  end_min is the plan's; capacity the template's. */
int	appt_slot_lookup(struct ctx *c, const char *hall, const char *id, struct appt_slot *out);

/* ---- Redis (state.c; appt_ready, appt_epochs_get, appt_invalidate: state_rebuild.c) ---- */

/* Epochs of the markers a booking of a day depends on ("" when missing). */
struct appt_epochs {
	char	 d[APPT_EPOCH_LEN + 1];	/* the day: places, who holds one that day */
	char	 w[APPT_EPOCH_LEN + 1];	/* the week's counts per ID number */
	char	 m[APPT_EPOCH_LEN + 1];	/* the month's counts per ID number */
};


struct appt_take {
	const char	*hall;
	const struct appt_slot *slot;
	const char	*citizen;	/* the day's holder (appt_holder) */
	const char	*idhash;	/* keyed hash of the ID number */
	/* A move (reschedule) from another booking of the same citizen and ID number: the rules
	 * count that booking as gone.  For a new booking all three are 0. */
	int		 move;
	int		 same_day, same_week, same_month;
	/* 1: only look — every rule checked, nothing written; APPT_TAKE_OK then means a place
	 * is free now (seat stays 0), any other answer is the one the take would give. */
	int		 peek;
	/* Out. */
	int		 seat;
	int64_t		 banned_until;	/* day number, for APPT_TAKE_BANNED */
	struct appt_epochs ep;
};

/*
 * Who holds a booking's day in Redis (appt_take's citizen, appt_release's): the account's id
 * in decimal for its own booking, "x:<ID number hash>" for one made through a proxy relation
 * (proxy_id > 0) — that counts for the principal, whose ID number is checked anyway, never
 * for the proxy's account.  The rebuild from MariaDB writes the same.
 */
#define APPT_HOLDER_MAX 72
void	appt_holder(long long citizen, long long proxy_id, const char *idhash,
	    char out[APPT_HOLDER_MAX]);

/* Take a place (and count it for the citizen), rebuilding what Redis lost first. */
enum appt_take_rc appt_take(struct ctx *c, struct appt_take *t);

/* Give a place back: what the booking held in the markers of ep (others rebuilt since: their
 * state already comes from MariaDB).  Parts: the seat, the day's holder entries, the week's
 * and the month's counts (APPT_REL_*, rules.h).  0 or -1 (Redis down). */
int	appt_release(struct ctx *c, const char *hall, const char *slot_id, int seat,
	    const char *citizen, const char *idhash, const struct appt_epochs *ep, int parts);
/* Make sure the day's, its week's and its month's state is in Redis (rebuilt under its lock
 * when a marker is missing).  0 or -1 (down, or a rebuild held too long). */
int	appt_ready(struct ctx *c, const char *hall, int64_t day);
/* Read the current epochs of a day's markers.  0 or -1. */
int	appt_epochs_get(struct ctx *c, const char *hall, int64_t day, struct appt_epochs *ep);
/* Forget the markers of a day (and its week and month): the next request rebuilds them from
 * MariaDB.  Used when MariaDB and Redis may disagree (a commit whose outcome is unknown). */
void	appt_invalidate(struct ctx *c, const char *hall, int64_t day);

/* Remaining places of a day's slots: fills rem[i] (−1 when unknown) for slots[i], and the
 * capacity Redis holds into cap[i].  0, or -1 (down). */
int	appt_remaining(struct ctx *c, const char *hall, int64_t day,
	    const struct appt_slot *slots, int n, int *rem, int *cap);
/* The same without loading the day: 1 when it is not in Redis (nothing read). */
int	appt_peek(struct ctx *c, const char *hall, int64_t day, const struct appt_slot *slots,
	    int n, int *rem, int *cap);
/* Change a slot's capacity in Redis (the day is loaded first).  0 ok (*old set), 1 below
 * the places booked, 2 no such slot, -1 down. */
int	appt_set_capacity(struct ctx *c, const char *hall, const struct appt_slot *s, int cap,
	    int *old);
/* Push a ban into Redis (when its marker is there; else the rebuild reads it).  0 or -1. */
int	appt_ban_push(struct ctx *c, const char *hall, const char *idhash, int64_t until);

#endif
