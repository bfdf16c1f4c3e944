/*
 * state.h — what the files of the appointments' hot state share (state.c: the operations;
 * state_rebuild.c: the rebuild from MariaDB and the markers; state_scripts.c: key names,
 * lifetimes and the Lua scripts).  Private to those three: the rest of the room uses
 * appointments_int.h.
 *
 * Tables: appointments, appointment_bans (read to rebuild); the slot plan (appt_day_slots).
 * Redis (every key under the hall's hash tag, so each script touches one cluster slot):
 *   {hall:<code>}:appt:ready:d:<YYYYMMDD>  marker: the day is loaded (value: its epoch)
 *   {hall:<code>}:appt:cap:<YYYYMMDD>      hash slot id → capacity
 *   {hall:<code>}:appt:free:<YYYYMMDD>     sorted set of the free places, "<slot id>|0007",
 *                                          all scored 0 so a slot's places are one lex range
 *   {hall:<code>}:appt:cday:<YYYYMMDD>     hash holder → 1: holds a live booking that day (the
 *                                          citizen id; "x:<ID number hash>" for a booking
 *                                          made through a proxy relation: appt_holder)
 *   {hall:<code>}:appt:iday:<YYYYMMDD>     hash ID-number hash → 1: the same per ID number
 *   {hall:<code>}:appt:ready:w:<Monday>    marker, and
 *   {hall:<code>}:appt:wk:<Monday>         hash ID-number hash → bookings that week
 *   {hall:<code>}:appt:ready:m:<YYYYMM>    marker, and
 *   {hall:<code>}:appt:mo:<YYYYMM>         hash ID-number hash → bookings that month
 *   {hall:<code>}:appt:ready:b             marker, and
 *   {hall:<code>}:appt:bans                hash ID-number hash → last banned day (day number)
 *   {hall:<code>}:appt:lock:<scope>        the rebuild lock of a scope (SET NX PX)
 *
 * Why places are numbered.  A booking takes the lowest free place of its slot in the booking
 * script and records that seat in MariaDB, where (hall, day, category, start, seat) is unique
 * for live bookings.  So even if Redis were wrong — wiped between a booking's script and its
 * commit, and rebuilt without it — two bookings can never both commit the same place: the
 * second one's insert fails, the day is invalidated and rebuilt, and it tries again.
 *
 * Why markers and epochs.  MariaDB is the record; Redis is rebuilt from it whenever a marker
 * is missing (a wipe, a restart without data, a new week): every script first checks the
 * markers it depends on and, when one is missing, changes nothing and answers REBUILD.  The
 * app then rebuilds that scope under its lock and sets the marker last, with a fresh random
 * epoch.  A booking that fails after taking a place gives it back only into the markers it
 * took it from (same epochs): a rebuilt state already comes from MariaDB and must not get the
 * place twice.
 *
 * Counting rules: a week is Monday–Sunday and a month the calendar month of the appointment
 * day; every booking that is not cancelled counts (no-shows too).  The caps and bans are per
 * hall: each hall's keys live in its own cluster slot, and one script can only see one.
 */
#ifndef YC_APPOINTMENTS_STATE_H
#define YC_APPOINTMENTS_STATE_H

#include <hiredis/hiredis.h>

#include "appointments_int.h"
#include "../../fcgi/kv.h"

#define LOCK_MS        10000
#define WAIT_STEP_MS   20
#define WAIT_STEPS     250		/* 5 s for someone else's rebuild */
#define EMPTY_TTL      300		/* a day without a loaded calendar: look again soon */

/* The key names of a hall's day (and its week, month and bans). */
struct akeys {
	char	 rd[96], rw[96], rm[96], rb[96];
	char	 cap[96], free[96], cday[96], iday[96], wk[96], mo[96], bans[96];
};
void	appt_keys(const char *hall, int64_t day, struct akeys *k);

/* Seconds a key of the day, its week or its month lives: until two days after its end. */
long long appt_ttl_until(int64_t until_day);
long long appt_ttl_day(int64_t day);
long long appt_ttl_week(int64_t day);
long long appt_ttl_month(int64_t day);

/* The scripts (state_scripts.c says what each takes and answers). */
extern struct kv_script appt_s_take, appt_s_release, appt_s_load_day, appt_s_load_hash,
	appt_s_list, appt_s_set_cap, appt_s_ban, appt_s_unlock;
/* Run a script; args are NUL-terminated strings.  The caller frees the reply. */
redisReply *appt_run(struct ctx *c, struct kv_script *s, int nkeys, int nargs,
	    const char **args);
/* Run a script whose answer is only "done": 0, or -1 (down, or the script failed). */
int	appt_run_ok(struct ctx *c, struct kv_script *s, int nkeys, int nargs, const char **args);
/* Is element i of an array reply the string s; element i as a string ("" if none). */
int	appt_is_str(const redisReply *rep, size_t i, const char *s);
const char *appt_elem(const redisReply *rep, size_t i);
void	appt_pause_ms(int ms);

/* Rebuild one scope ('d', 'w', 'm', 'b') of a hall's day under its lock.
 * 0 done (or nothing to do), 1 someone else holds the lock, -1 down. */
int	appt_rebuild(struct ctx *c, const char *hall, int64_t day, char scope);
/* Rebuild every scope named in `scopes`.  0, 1 (wait: a lock was busy) or -1. */
int	appt_rebuild_all(struct ctx *c, const char *hall, int64_t day, const char *scopes);

#endif
