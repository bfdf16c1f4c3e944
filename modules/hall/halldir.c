/*
 * halldir.c — the halls' directory, copied per process (see halldir.h).
 *
 * Tables: halls, hall_hours, windows (read); the dated hours through hall_hours.h.
 *
 * The copy is a cache (fcgi/cache.h): reloaded whole when older than HALLDIR_TTL_MS, with
 * no lock held while MariaDB answers.  A directory larger than the copy's room is not
 * copied: lookups then ask MariaDB, which is only slower.
 */
#include "halldir.h"
#include "hall_hours.h"
#include "workdays.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/cache.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"

#include <string.h>

#define DIR_HALLS   64
#define DIR_WINDOWS 1024

struct dir_hall {
	char	 code[33];
	char	 name[404];		/* VARCHAR(100), utf8mb4 */
	char	 phone[33];
	char	 hours[160];
};

struct dir_window {
	char	 hall[33];
	long long number;
	char	 name[204];		/* VARCHAR(50), utf8mb4 */
};

struct dir {
	struct dir_hall	  halls[DIR_HALLS];
	size_t		  nhalls;
	struct dir_window windows[DIR_WINDOWS];
	size_t		  nwindows;
	int		  overflow;
};


/* SELECT code, name, phone FROM halls: a hall's row (phone NULL: ""). */
static const struct db_col hall_cols[] = {
	DBC_S(struct dir_hall, code), DBC_S(struct dir_hall, name), DBC_S(struct dir_hall, phone),
};
/* SELECT hall, number, name FROM windows. */
static const struct db_col window_cols[] = {
	DBC_S(struct dir_window, hall), DBC_I(struct dir_window, number, 1, 65535),
	DBC_S(struct dir_window, name),
};

static const struct dir_hall *
find_hall(const struct dir *d, const char *code)
{
	size_t i;

	for (i = 0; i < d->nhalls; i++)
		if (strcmp(d->halls[i].code, code) == 0)
			return &d->halls[i];
	return NULL;
}

static int
hours_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct dir_hall *h = (struct dir_hall *)find_hall(arg, v[0]);	/* arg: the copy filling */

	(void)ncol;
	(void)lens;
	if (h && v[1])
		str_copy(h->hours, sizeof h->hours, v[1]);
	return 0;
}

/* The whole directory into d (zeroed).  0 or a DB_* code. */
static int
dir_load(struct ctx *c, void *value, void *arg)
{
	struct dir *d = value;
	int rc;

	(void)arg;
	rc = db_rows_into(c, "SELECT code, name, phone FROM halls", DBNOARGS, DB_COLS(hall_cols),
	    d->halls, sizeof d->halls[0], DIR_HALLS);
	if (rc >= 0) {
		d->nhalls = (size_t)rc < DIR_HALLS ? (size_t)rc : DIR_HALLS;
		d->overflow = (size_t)rc > DIR_HALLS;
		rc = db_query(c, "SELECT hall, GROUP_CONCAT(CONCAT(DATE_FORMAT(open_at, '%H:%i'), '-',"
		    " DATE_FORMAT(close_at, '%H:%i')) ORDER BY seq SEPARATOR '、') FROM hall_hours"
		    " GROUP BY hall", DBNOARGS, hours_row, d);
	}
	if (rc >= 0)
		rc = db_rows_into(c, "SELECT hall, number, name FROM windows", DBNOARGS,
		    DB_COLS(window_cols), d->windows, sizeof d->windows[0], DIR_WINDOWS);
	if (rc >= 0) {
		d->nwindows = (size_t)rc < DIR_WINDOWS ? (size_t)rc : DIR_WINDOWS;
		d->overflow |= (size_t)rc > DIR_WINDOWS;
	}
	return rc < 0 ? rc : 0;
}

static struct cache dir_cache = CACHE_INIT(sizeof(struct dir), HALLDIR_TTL_MS, dir_load);

int
halldir_hall(struct ctx *c, const char *hall, char *name, size_t nsz, char *phone, size_t psz,
    char *hours, size_t hsz)
{
	const struct dir *d;
	const struct dir_hall *h;
	int rc, found = 0, overflow;

	if ((d = cache_get(&dir_cache, c, NULL, &rc)) == NULL)
		return rc;
	if ((h = find_hall(d, hall)) != NULL) {
		str_copy(name, nsz, h->name);
		str_copy(phone, psz, h->phone);
		str_copy(hours, hsz, h->hours);
		found = 1;
	}
	overflow = d->overflow;
	cache_put(&dir_cache, d);
	if (found || !overflow)
		return found;

	/* Not in a copy that could not hold every hall: ask. */
	{
		struct dir_hall one;

		memset(&one, 0, sizeof one);
		rc = db_row_into(c, "SELECT code, name, phone FROM halls WHERE code = ?",
		    DBARGS(DBS(hall)), DB_COLS(hall_cols), &one);
		if (rc > 0)
			rc = db_scalar(c, "SELECT GROUP_CONCAT(CONCAT(DATE_FORMAT(open_at, '%H:%i'),"
			    " '-', DATE_FORMAT(close_at, '%H:%i')) ORDER BY seq SEPARATOR '、')"
			    " FROM hall_hours WHERE hall = ?", DBARGS(DBS(hall)), one.hours,
			    sizeof one.hours);
		if (rc < 0)
			return rc;
		if (one.code[0] == '\0')
			return 0;
		str_copy(name, nsz, one.name);
		str_copy(phone, psz, one.phone);
		str_copy(hours, hsz, one.hours);
		return 1;
	}
}

int
halldir_window(struct ctx *c, const char *hall, long long number, char *name, size_t nsz)
{
	const struct dir *d;
	size_t i;
	int rc, found = 0, overflow;

	if ((d = cache_get(&dir_cache, c, NULL, &rc)) == NULL)
		return rc;
	for (i = 0; i < d->nwindows; i++)
		if (d->windows[i].number == number && strcmp(d->windows[i].hall, hall) == 0) {
			str_copy(name, nsz, d->windows[i].name);
			found = 1;
			break;
		}
	overflow = d->overflow;
	cache_put(&dir_cache, d);
	if (found || !overflow)
		return found;
	rc = db_scalar(c, "SELECT name FROM windows WHERE hall = ? AND number = ?",
	    DBARGS(DBS(hall), DBI(number)), name, nsz);
	return rc < 0 ? rc : rc > 0;
}

int
halldir_hours_text(struct ctx *c, const char *hall, const char *week, const char *sep,
    int64_t from, int days, size_t max_chars, char *out, size_t osz)
{
	struct hall_day hd;
	char one[120], p[24];
	size_t len;
	int64_t d;
	int rc, i, shown = 0;

	fmt(out, osz, "工作日%s%s", sep, week && week[0] ? week : "办公时间");
	for (d = from; d < from + days && shown < 3; d++) {
		int y;
		unsigned m, dd;

		if ((rc = hall_day_hours(c, hall, d, &hd)) < 0 && rc != CAL_MISSING)
			return rc;
		if (!hd.dated)
			continue;
		civil_from_days(d, &y, &m, &dd);
		fmt(one, sizeof one, "；%u月%u日", m, dd);
		if (hd.closed || hd.n == 0)
			fmt(one + strlen(one), sizeof one - strlen(one), "不办公");
		for (i = 0; !hd.closed && i < hd.n; i++) {
			fmt(p, sizeof p, "%s%02d:%02d-%02d:%02d", i ? "、" : "", hd.open_min[i] / 60,
			    hd.open_min[i] % 60, hd.close_min[i] / 60, hd.close_min[i] % 60);
			fmt(one + strlen(one), sizeof one - strlen(one), "%s", p);
		}
		len = strlen(out);
		if (len + strlen(one) + 1 > osz || (max_chars > 0 &&
		    utf8_len(out, len) + utf8_len(one, strlen(one)) > max_chars))
			break;	/* whole days only: never a cut one */
		memcpy(out + len, one, strlen(one) + 1);
		shown++;
	}
	return 0;
}
