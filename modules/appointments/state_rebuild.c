/*
 * state_rebuild.c — the appointments' Redis state rebuilt from MariaDB, scope by scope
 * (the day's places and holders, the week's and the month's counts, the bans) under each
 * scope's lock, and the markers that say a scope is loaded (state.h says why markers and
 * epochs).
 *
 * Routes: none.
 * Tables: appointments, appointment_bans (read); the slot plan (appt_day_slots).
 * Redis:  {hall:<code>}:appt:ready:*, :cap:, :free:, :cday:, :iday:, :wk:, :mo:, :bans,
 *         and the scopes' locks (state.h).
 */
#include "state.h"
#include "../hall/calendar.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ rebuild */

struct day_rows {
	json_t	*slots;		/* object: slot id → array of taken seats */
	json_t	*cit, *ids;
	int64_t	 day;
};

static int
day_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct day_rows *dr = arg;
	long long start, seat;
	char id[APPT_SLOT_ID_LEN + 1];
	json_t *a;

	(void)ncol;
	(void)lens;
	if (parse_ll(v[1], 0, 24 * 60 - 1, &start) != 0 || v[0][0] < 'A' || v[0][0] > 'Z')
		return 0;
	appt_slot_id(v[0][0], dr->day, (int)start, id);
	if (v[2] && parse_ll(v[2], 1, 1000, &seat) == 0) {
		if ((a = json_object_get(dr->slots, id)) == NULL) {
			a = json_array();
			json_object_set_new(dr->slots, id, a);
		}
		json_array_append_new(a, json_integer(seat));
	}
	if (strcmp(v[5], "booked") == 0 || strcmp(v[5], "checked_in") == 0) {
		json_array_append_new(dr->cit, json_string(v[3]));
		json_array_append_new(dr->ids, json_string(v[4]));
	}
	return 0;
}

static int
rebuild_day(struct ctx *c, const char *hall, int64_t day, const struct akeys *k,
    const char *epoch)
{
	struct appt_slot *sl;
	struct day_rows dr;
	char date[11], ttl[24], *js;
	const char *args[8] = { k->rd, k->cap, k->free, k->cday, k->iday, epoch, ttl,
		NULL /* js, once made */ };
	json_t *list, *empty, *all;
	int n, i, rc;
	long long t = appt_ttl_day(day);

	if ((sl = calloc(APPT_MAX_SLOTS, sizeof *sl)) == NULL)
		return -1;
	n = appt_day_slots(c, hall, day, 0, sl, APPT_MAX_SLOTS);
	if (n == CAL_MISSING) {
		n = 0;		/* no slots while the year is not loaded; look again soon */
		t = EMPTY_TTL;
	}
	if (n < 0) {
		free(sl);
		return -1;
	}
	dr.slots = json_object();
	dr.cit = json_array();
	dr.ids = json_array();
	dr.day = day;
	date_format_days(day, date, sizeof date);
	/* The day's holder as appt_holder writes it: a proxy booking under its ID number. */
	rc = db_query(c, "SELECT category, HOUR(start_time) * 60 + MINUTE(start_time), seat,"
	    " IF(proxy_id IS NULL, CAST(citizen_id AS CHAR), CONCAT('x:', idnum_hash)),"
	    " idnum_hash, status FROM appointments"
	    " WHERE hall = ? AND day = ? AND status <> 'cancelled'",
	    DBARGS(DBS(hall), DBS(date)), day_row, &dr);
	if (rc < 0) {
		free(sl);
		json_decref(dr.slots);
		json_decref(dr.cit);
		json_decref(dr.ids);
		return -1;
	}
	list = json_array();
	empty = json_array();
	for (i = 0; i < n; i++) {
		json_t *taken = json_object_get(dr.slots, sl[i].id);

		json_array_append_new(list, json_pack("[s,i,O]", sl[i].id, sl[i].capacity,
		    taken ? taken : empty));
	}
	free(sl);
	json_decref(empty);
	json_decref(dr.slots);
	all = json_pack("{s:o,s:o,s:o}", "s", list, "c", dr.cit, "i", dr.ids);
	js = all ? json_dumps(all, JSON_COMPACT) : NULL;
	json_decref(all);
	if (js == NULL)
		return -1;
	snprintf(ttl, sizeof ttl, "%lld", t);
	args[7] = js;
	rc = appt_run_ok(c, &appt_s_load_day, 5, 8, args);
	free(js);
	return rc;
}

static int
count_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	(void)ncol;
	(void)lens;
	json_object_set_new(arg, v[0], json_string(v[1]));
	return 0;
}

static int
load_hash(struct ctx *c, const char *marker, const char *hash, const char *epoch, long long ttl,
    json_t *obj)
{
	char t[24], *js = json_dumps(obj, JSON_COMPACT);
	const char *args[5] = { marker, hash, epoch, t, js };
	int rc;

	json_decref(obj);
	if (js == NULL)
		return -1;
	snprintf(t, sizeof t, "%lld", ttl);
	rc = appt_run_ok(c, &appt_s_load_hash, 2, 5, args);
	free(js);
	return rc;
}

static int
rebuild_range(struct ctx *c, const char *hall, int64_t from, int64_t to, const char *marker,
    const char *hash, const char *epoch, long long ttl)
{
	char a[11], b[11];
	json_t *o = json_object();
	int rc;

	date_format_days(from, a, sizeof a);
	date_format_days(to, b, sizeof b);
	rc = db_query(c, "SELECT idnum_hash, COUNT(*) FROM appointments"
	    " WHERE hall = ? AND day BETWEEN ? AND ? AND status <> 'cancelled'"
	    " GROUP BY idnum_hash", DBARGS(DBS(hall), DBS(a), DBS(b)), count_row, o);
	if (rc < 0) {
		json_decref(o);
		return -1;
	}
	return load_hash(c, marker, hash, epoch, ttl, o);
}

static int
ban_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	int64_t d;
	char s[24];

	(void)ncol;
	(void)lens;
	if (date_parse(v[1], &d) == 0) {
		snprintf(s, sizeof s, "%lld", (long long)d);
		json_object_set_new(arg, v[0], json_string(s));
	}
	return 0;
}

static int
rebuild_bans(struct ctx *c, const char *hall, const struct akeys *k, const char *epoch)
{
	char today[11];
	json_t *o = json_object();
	int rc;

	date_format_days(hall_day(hall_now()), today, sizeof today);
	rc = db_query(c, "SELECT idnum_hash, DATE_FORMAT(until, '%Y-%m-%d') FROM appointment_bans"
	    " WHERE hall = ? AND until >= ?", DBARGS(DBS(hall), DBS(today)), ban_row, o);
	if (rc < 0) {
		json_decref(o);
		return -1;
	}
	return load_hash(c, k->rb, k->bans, epoch, 0, o);
}

/* Rebuild one scope ('d', 'w', 'm', 'b') of a hall's day under its lock.
 * 0 done (or nothing to do), 1 someone else holds the lock, -1 down. */
int
appt_rebuild(struct ctx *c, const char *hall, int64_t day, char scope)
{
	struct akeys k;
	char lock[128], me[32], epoch[APPT_EPOCH_LEN + 1];
	const char *marker, *args[2];
	redisReply *rep;
	int rc, y;
	unsigned m, d;

	appt_keys(hall, day, &k);
	marker = scope == 'd' ? k.rd : scope == 'w' ? k.rw : scope == 'm' ? k.rm : k.rb;
	snprintf(lock, sizeof lock, "%s:lock", marker);
	if (token_new(me, sizeof me, 12) != 0 || token_new(epoch, sizeof epoch, 12) != 0)
		return -1;
	rep = kv_cmd(c, "SET %s %s NX PX %d", lock, me, LOCK_MS);
	if (rep == NULL)
		return -1;
	rc = rep->type == REDIS_REPLY_STATUS ? 0 : 1;
	freeReplyObject(rep);
	if (rc == 1)
		return 1;
	switch (scope) {
	case 'd':
		rc = rebuild_day(c, hall, day, &k, epoch);
		break;
	case 'w':
		rc = rebuild_range(c, hall, appt_monday(day), appt_monday(day) + 6, k.rw, k.wk,
		    epoch, appt_ttl_week(day));
		break;
	case 'm':
		civil_from_days(day, &y, &m, &d);
		rc = rebuild_range(c, hall, days_from_civil(y, m, 1),
		    (m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1)) - 1,
		    k.rm, k.mo, epoch, appt_ttl_month(day));
		break;
	default:
		rc = rebuild_bans(c, hall, &k, epoch);
		break;
	}
	args[0] = lock;
	args[1] = me;
	if ((rep = appt_run(c, &appt_s_unlock, 1, 2, args)) != NULL)
		freeReplyObject(rep);
	if (rc == 0) {
		char date[11];

		date_format_days(day, date, sizeof date);
		log_info("hall %s: appointment state '%c' of %s rebuilt from MariaDB", hall, scope,
		    date);
	}
	return rc;
}

/* Rebuild every scope named in `scopes`.  0, 1 (wait: a lock was busy) or -1. */
int
appt_rebuild_all(struct ctx *c, const char *hall, int64_t day, const char *scopes)
{
	int busy = 0, rc;

	for (; *scopes; scopes++) {
		if ((rc = appt_rebuild(c, hall, day, *scopes)) < 0)
			return -1;
		busy |= rc;
	}
	return busy;
}

/* ------------------------------------------------------------------ markers */

int
appt_ready(struct ctx *c, const char *hall, int64_t day)
{
	struct akeys k;
	int step;

	appt_keys(hall, day, &k);
	for (step = 0; step < WAIT_STEPS; step++) {
		redisReply *rep = kv_cmd(c, "MGET %s %s %s", k.rd, k.rw, k.rm);
		char miss[4];
		int n = 0, b;

		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements != 3) {
			if (rep)
				freeReplyObject(rep);
			return -1;
		}
		if (rep->element[0]->type == REDIS_REPLY_NIL)
			miss[n++] = 'd';
		if (rep->element[1]->type == REDIS_REPLY_NIL)
			miss[n++] = 'w';
		if (rep->element[2]->type == REDIS_REPLY_NIL)
			miss[n++] = 'm';
		miss[n] = '\0';
		freeReplyObject(rep);
		if (n == 0)
			return 0;
		if ((b = appt_rebuild_all(c, hall, day, miss)) < 0)
			return -1;
		if (b > 0)
			appt_pause_ms(WAIT_STEP_MS);
	}
	return -1;
}

int
appt_epochs_get(struct ctx *c, const char *hall, int64_t day, struct appt_epochs *ep)
{
	struct akeys k;
	redisReply *rep;

	memset(ep, 0, sizeof *ep);
	appt_keys(hall, day, &k);
	if ((rep = kv_cmd(c, "MGET %s %s %s", k.rd, k.rw, k.rm)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 3) {
		str_copy(ep->d, sizeof ep->d, appt_elem(rep, 0));
		str_copy(ep->w, sizeof ep->w, appt_elem(rep, 1));
		str_copy(ep->m, sizeof ep->m, appt_elem(rep, 2));
	}
	freeReplyObject(rep);
	return 0;
}

void
appt_invalidate(struct ctx *c, const char *hall, int64_t day)
{
	struct akeys k;
	redisReply *rep;

	appt_keys(hall, day, &k);
	if ((rep = kv_cmd(c, "DEL %s %s %s", k.rd, k.rw, k.rm)) != NULL)
		freeReplyObject(rep);
	else
		log_warn("hall %s: markers of day %lld not dropped (Redis down)", hall,
		    (long long)day);
}

