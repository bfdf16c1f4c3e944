/*
 * state.c — the operations on the appointments' hot state in Redis: take a place (every
 * per-citizen rule checked in the same script), give it back, the places left of a day, a
 * day's capacity, a ban.  Each script that finds a marker missing changes nothing and the
 * scope is rebuilt from MariaDB first (state_rebuild.c).
 *
 * Routes, tables: none (the rebuild reads appointments and appointment_bans).
 * Redis:  {hall:<code>}:appt:* (state.h lists them).
 */
#include "state.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ the operations */

enum appt_take_rc
appt_take(struct ctx *c, struct appt_take *t)
{
	struct appt_rules ru;
	struct akeys k;
	char today[24], pw[16], pm[16], one[4], td[24], tw[24], tm[24];
	/* KEYS (11), then ARGV: the slot, who books, the rules, the keys' lifetimes, and
	 * which of the old booking's day, week and month a move stays in. */
	const char *args[26] = { k.rd, k.rw, k.rm, k.rb, k.cap, k.free, k.cday, k.iday, k.wk,
		k.mo, k.bans, t->slot->id, t->citizen, t->idhash, today, pw, pm, one, td, tw, tm,
		t->move ? "1" : "0", t->same_day ? "1" : "0", t->same_week ? "1" : "0",
		t->same_month ? "1" : "0", t->peek ? "1" : "0" };
	int i;

	appt_rules(&ru);
	appt_keys(t->hall, t->slot->day, &k);
	snprintf(today, sizeof today, "%lld", (long long)hall_day(hall_now()));
	snprintf(pw, sizeof pw, "%d", ru.per_week);
	snprintf(pm, sizeof pm, "%d", ru.per_month);
	snprintf(one, sizeof one, "%d", ru.one_per_day);
	snprintf(td, sizeof td, "%lld", appt_ttl_day(t->slot->day));
	snprintf(tw, sizeof tw, "%lld", appt_ttl_week(t->slot->day));
	snprintf(tm, sizeof tm, "%lld", appt_ttl_month(t->slot->day));
	for (i = 0; i < WAIT_STEPS; i++) {
		redisReply *rep = appt_run(c, &appt_s_take, 11, 26, args);
		enum appt_take_rc rc;
		long long n;

		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements < 1) {
			if (rep)
				freeReplyObject(rep);
			return APPT_TAKE_DOWN;
		}
		if (appt_is_str(rep, 0, "REBUILD")) {
			int b = appt_rebuild_all(c, t->hall, t->slot->day, appt_elem(rep, 1));

			freeReplyObject(rep);
			if (b < 0)
				return APPT_TAKE_DOWN;
			if (b > 0)
				appt_pause_ms(WAIT_STEP_MS);
			continue;
		}
		if (t->peek && appt_is_str(rep, 0, "FREE"))
			rc = APPT_TAKE_OK;
		else if (appt_is_str(rep, 0, "OK")) {
			if (parse_ll(appt_elem(rep, 1), 1, 1000, &n) != 0) {
				freeReplyObject(rep);
				return APPT_TAKE_DOWN;
			}
			t->seat = (int)n;
			str_copy(t->ep.d, sizeof t->ep.d, appt_elem(rep, 2));
			str_copy(t->ep.w, sizeof t->ep.w, appt_elem(rep, 3));
			str_copy(t->ep.m, sizeof t->ep.m, appt_elem(rep, 4));
			rc = APPT_TAKE_OK;
		} else if (appt_is_str(rep, 0, "FULL"))
			rc = APPT_TAKE_FULL;
		else if (appt_is_str(rep, 0, "ALREADY"))
			rc = APPT_TAKE_ALREADY;
		else if (appt_is_str(rep, 0, "LIMIT"))
			rc = appt_is_str(rep, 1, "week") ? APPT_TAKE_LIMIT_WEEK : APPT_TAKE_LIMIT_MONTH;
		else if (appt_is_str(rep, 0, "BANNED")) {
			t->banned_until = parse_ll(appt_elem(rep, 1), 0, 1000000, &n) == 0 ? n : 0;
			rc = APPT_TAKE_BANNED;
		} else if (appt_is_str(rep, 0, "NO_SLOT"))
			rc = APPT_TAKE_NO_SLOT;
		else {
			log_err("appt_take: unexpected reply");
			rc = APPT_TAKE_DOWN;
		}
		freeReplyObject(rep);
		return rc;
	}
	return APPT_TAKE_BUSY;
}

int
appt_release(struct ctx *c, const char *hall, const char *slot_id, int seat, const char *citizen,
    const char *idhash, const struct appt_epochs *ep, int parts)
{
	struct akeys k;
	char cat, st[8], p[8];
	int64_t day;
	int start, n = 0;
	const char *args[17];

	if (appt_slot_parse(slot_id, &cat, &day, &start) != 0)
		return -1;
	appt_keys(hall, day, &k);
	snprintf(st, sizeof st, "%04d", seat);
	if (parts & APPT_REL_SEAT)
		p[n++] = 's';
	if (parts & APPT_REL_DAY)
		p[n++] = 'd';
	if (parts & APPT_REL_WEEK)
		p[n++] = 'w';
	if (parts & APPT_REL_MONTH)
		p[n++] = 'm';
	p[n] = '\0';
	args[0] = k.rd;
	args[1] = k.rw;
	args[2] = k.rm;
	args[3] = k.free;
	args[4] = k.cday;
	args[5] = k.iday;
	args[6] = k.wk;
	args[7] = k.mo;
	args[8] = k.cap;
	args[9] = slot_id;
	args[10] = st;
	args[11] = citizen;
	args[12] = idhash;
	args[13] = ep->d;
	args[14] = ep->w;
	args[15] = ep->m;
	args[16] = p;
	return appt_run_ok(c, &appt_s_release, 9, 17, args);
}

static int
remaining(struct ctx *c, const char *hall, int64_t day, const struct appt_slot *slots, int n,
    int *rem, int *cap, int load)
{
	struct akeys k;
	const char *args[3];
	int i, step;
	size_t e;

	for (i = 0; i < n; i++)
		rem[i] = cap[i] = -1;
	appt_keys(hall, day, &k);
	args[0] = k.rd;
	args[1] = k.cap;
	args[2] = k.free;
	for (step = 0; step < WAIT_STEPS; step++) {
		redisReply *rep = appt_run(c, &appt_s_list, 3, 3, args);

		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY) {
			if (rep)
				freeReplyObject(rep);
			return -1;
		}
		if (appt_is_str(rep, 0, "REBUILD")) {
			int b;

			freeReplyObject(rep);
			if (!load)
				return 1;
			if ((b = appt_rebuild(c, hall, day, 'd')) < 0)
				return -1;
			if (b > 0)
				appt_pause_ms(WAIT_STEP_MS);
			continue;
		}
		for (e = 1; e + 2 < rep->elements; e += 3) {
			const char *id = appt_elem(rep, e);
			long long cv, fv;

			if (parse_ll(appt_elem(rep, e + 1), 0, 1000, &cv) != 0 ||
			    parse_ll(appt_elem(rep, e + 2), 0, 1000, &fv) != 0)
				continue;
			for (i = 0; i < n; i++)
				if (strcmp(slots[i].id, id) == 0) {
					cap[i] = (int)cv;
					rem[i] = (int)fv;
				}
		}
		freeReplyObject(rep);
		return 0;
	}
	return -1;
}

int
appt_remaining(struct ctx *c, const char *hall, int64_t day, const struct appt_slot *slots,
    int n, int *rem, int *cap)
{
	return remaining(c, hall, day, slots, n, rem, cap, 1);
}

int
appt_peek(struct ctx *c, const char *hall, int64_t day, const struct appt_slot *slots, int n,
    int *rem, int *cap)
{
	return remaining(c, hall, day, slots, n, rem, cap, 0);
}

int
appt_set_capacity(struct ctx *c, const char *hall, const struct appt_slot *s, int cap, int *old)
{
	struct akeys k;
	char cs[16];
	const char *args[5];
	int step;
	long long o;

	appt_keys(hall, s->day, &k);
	snprintf(cs, sizeof cs, "%d", cap);
	args[0] = k.rd;
	args[1] = k.cap;
	args[2] = k.free;
	args[3] = s->id;
	args[4] = cs;
	for (step = 0; step < WAIT_STEPS; step++) {
		redisReply *rep = appt_run(c, &appt_s_set_cap, 3, 5, args);
		int rc;

		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY) {
			if (rep)
				freeReplyObject(rep);
			return -1;
		}
		if (appt_is_str(rep, 0, "REBUILD")) {
			int b = appt_rebuild(c, hall, s->day, 'd');

			freeReplyObject(rep);
			if (b < 0)
				return -1;
			if (b > 0)
				appt_pause_ms(WAIT_STEP_MS);
			continue;
		}
		if (appt_is_str(rep, 0, "OK") || appt_is_str(rep, 0, "BELOW")) {
			*old = parse_ll(appt_elem(rep, 1), 0, 1000, &o) == 0 ? (int)o : 0;
			rc = appt_is_str(rep, 0, "OK") ? 0 : 1;
		} else
			rc = 2;
		freeReplyObject(rep);
		return rc;
	}
	return -1;
}

int
appt_ban_push(struct ctx *c, const char *hall, const char *idhash, int64_t until)
{
	struct akeys k;
	char u[24];
	const char *args[4];
	redisReply *rep;

	appt_keys(hall, hall_day(hall_now()), &k);
	snprintf(u, sizeof u, "%lld", (long long)until);
	args[0] = k.rb;
	args[1] = k.bans;
	args[2] = idhash;
	args[3] = u;
	if ((rep = appt_run(c, &appt_s_ban, 2, 4, args)) == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}
