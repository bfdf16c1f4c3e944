/*
 * hall_config.c — the hall as the queue needs it (name, categories, windows and what each
 * serves, opening hours), read from MariaDB and cached per process.
 *
 * Routes: none.
 * Tables: halls, categories, windows, window_categories, hall_hours (read only).
 * Redis:  yc:queue:cfg_gen — the configuration's generation: queue_hall_changed raises it
 *         after the administration commits a change of categories, windows or hours, and
 *         every process reads it at most every queue_config_check_ms (500 ms).
 *
 * The cache: one fcgi/cache.h value per hall (Q_CACHE_HALLS kept), loaded by q_hall_load
 * outside the cache's lock and aged by the hall clock (a minute: the backstop for rows
 * changed by hand).  A process that sees a new generation drops every hall's copy, so a
 * window retired or moved, a category added or retired, reaches the calls, the board and
 * the kiosk on every process within a second or so (this process's at once).  Why a
 * generation rather than a message: as catalog_cache.c — one cheap GET, any number of
 * hosts, nothing to subscribe.  Redis unreadable: the copies are dropped (the record is
 * read), as a change could not be signalled meanwhile.
 *
 * Retired categories are kept in the copy, marked: their tickets already waiting are still
 * called; taking a new number in one is refused (take.c).  Retired windows are left out:
 * nobody signs in or calls there, and the board does not show them.
 */
#include "queue_int.h"
#include "../hall/catalog.h"
#include "../../fcgi/cache.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv_gen.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <pthread.h>
#include <string.h>

#define Q_CACHE_HALLS 16
#define Q_CACHE_MS    (60 * 1000)


static const struct db_col cfg_hall_cols[] = { DBC_S(struct q_hall, name) };

static int
cfg_cat_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct q_hall *h = arg;
	struct q_cat *c;
	long long n = 10;

	(void)ncol;
	(void)lens;
	if (h->ncat == Q_MAX_CATS || v[0][0] < 'A' || v[0][0] > 'Z')
		return 0;
	c = &h->cats[h->ncat++];
	c->code = v[0][0];
	str_copy(c->name, sizeof c->name, v[1]);
	parse_ll(v[2], 1, 1000, &n);
	c->avg_min = (int)n;
	c->nwin = 0;
	c->consult = ncol > 3 && v[3] && strcmp(v[3], "consult") == 0;
	c->retired = ncol > 4 && v[4] && strcmp(v[4], "1") == 0;
	return 0;
}

/* windows.kind is one of comprehensive, pickup, consult (never NULL). */
static const struct db_col cfg_win_cols[] = {
	DBC_I(struct q_win, number, 1, 65535), DBC_S(struct q_win, name),
	DBC_S(struct q_win, kind),
};

static int
cfg_wc_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct q_hall *h = arg;
	long long n;
	int i;

	(void)ncol;
	(void)lens;
	if (parse_ll(v[0], 1, 65535, &n) != 0 || v[1][0] < 'A' || v[1][0] > 'Z')
		return 0;
	for (i = 0; i < h->nwin; i++)
		if (h->wins[i].number == n)
			break;
	if (i == h->nwin)
		return 0;	/* a retired window serves nothing */
	h->wins[i].mask |= 1u << (v[1][0] - 'A');
	for (i = 0; i < h->ncat; i++)
		if (h->cats[i].code == v[1][0])
			h->cats[i].nwin++;
	return 0;
}

static int
hms(const char *s)
{
	long long hh, mm, ss;

	if (strlen(s) < 8 || parse_lln(s, 2, 0, 23, &hh) || parse_lln(s + 3, 2, 0, 59, &mm) ||
	    parse_lln(s + 6, 2, 0, 59, &ss))
		return -1;
	return (int)(hh * 3600 + mm * 60 + ss);
}

static int
cfg_hours_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct q_hall *h = arg;
	int o = hms(v[0]), c = hms(v[1]);

	(void)ncol;
	(void)lens;
	if (h->nhours == Q_MAX_HOURS || o < 0 || c < 0)
		return 0;
	h->open_s[h->nhours] = o;
	h->close_s[h->nhours] = c;
	h->nhours++;
	return 0;
}

/*
 * Everything from MariaDB, with no lock held and nothing shared touched: the cache below
 * calls it between its two short critical sections (and a cache helper can call it as its
 * loader as it is).
 */
int
q_hall_load(struct ctx *c, const char *code, struct q_hall *h)
{
	int i, rc;

	memset(h, 0, sizeof *h);
	str_copy(h->code, sizeof h->code, code);
	rc = db_row_into(c, "SELECT name FROM halls WHERE code = ?", DBARGS(DBS(code)),
	    DB_COLS(cfg_hall_cols), h);
	if (rc <= 0)
		return rc;
	if ((rc = db_query(c, "SELECT code, name, avg_service_minutes, kind, retired_at IS NOT NULL"
	    " FROM categories WHERE hall = ? ORDER BY sort, code", DBARGS(DBS(code)), cfg_cat_row,
	    h)) < 0)
		return rc;
	if ((rc = db_rows_into(c, "SELECT number, name, kind FROM windows WHERE hall = ? AND"
	    " retired_at IS NULL ORDER BY number", DBARGS(DBS(code)), DB_COLS(cfg_win_cols),
	    h->wins, sizeof h->wins[0], Q_MAX_WINDOWS)) < 0)
		return rc;
	h->nwin = rc < Q_MAX_WINDOWS ? rc : Q_MAX_WINDOWS;
	for (i = 0; i < h->nwin; i++)
		h->wins[i].consult = strcmp(h->wins[i].kind, "consult") == 0;
	if ((rc = db_query(c, "SELECT window_no, category FROM window_categories WHERE hall = ?",
	    DBARGS(DBS(code)), cfg_wc_row, h)) < 0 ||
	    (rc = db_query(c, "SELECT TIME_FORMAT(open_at, '%H:%i:%s'),"
	    " TIME_FORMAT(close_at, '%H:%i:%s') FROM hall_hours WHERE hall = ? ORDER BY seq",
	    DBARGS(DBS(code)), cfg_hours_row, h)) < 0)
		return rc;
	return 1;
}

/* The cache's loader: 0, CFG_NO_HALL (kept nothing), or a DB_* code. */
enum { CFG_NO_HALL = 1 };
static int
cfg_load(struct ctx *c, void *value, void *arg)
{
	int rc = q_hall_load(c, arg, value);

	return rc == 1 ? 0 : rc == 0 ? CFG_NO_HALL : rc;
}

static struct cache cfg_slots[Q_CACHE_HALLS];
/* Aged by the hall clock, as the hall's figures are (tests move it); strict: a category or
 * window added is taken from the first request after a minute, never an older copy. */
static struct cache_set cfg_cache = { .slots = cfg_slots, .n = Q_CACHE_HALLS,
	.size = sizeof(struct q_hall), .max_age_ms = Q_CACHE_MS, .load = cfg_load,
	.clock = hall_now_ms, .strict = 1, .mu = PTHREAD_MUTEX_INITIALIZER };

/* ------------------------------------------------------------------ the generation */

static struct kv_gen cfg_gen = KV_GEN_INIT("yc:queue:cfg_gen", 500);
static pthread_once_t gen_once = PTHREAD_ONCE_INIT;

static void
gen_init(void)
{
	cfg_gen.check_ms = config_int("queue_config_check_ms", 500, 10, 1000);
}

/* A new generation seen (or Redis unreadable): every hall's copy goes. */
static void
gen_check(struct ctx *c)
{
	pthread_once(&gen_once, gen_init);
	if (kv_gen_check(c, &cfg_gen))
		cache_set_invalidate(&cfg_cache, NULL);
}

void
queue_hall_changed(struct ctx *c, const char *hall)
{
	cache_set_invalidate(&cfg_cache, hall);
	if (kv_gen_bump(c, &cfg_gen) != 0)
		log_warn("queue: the configuration's generation cannot be raised; the other"
		    " processes follow within a minute");
}

int
q_hall_get(struct ctx *c, const char *code, struct q_hall *h)
{
	const struct q_hall *v;
	int rc;

	if (!hall_code_ok(code))
		return 0;
	gen_check(c);
	if ((v = cache_set_get(&cfg_cache, c, code, &rc)) == NULL)
		return rc == CFG_NO_HALL ? 0 : rc;
	*h = *v;
	cache_put(NULL, v);
	return 1;
}

const struct q_cat *
q_hall_cat(const struct q_hall *h, char code)
{
	int i;

	for (i = 0; i < h->ncat; i++)
		if (h->cats[i].code == code)
			return &h->cats[i];
	return NULL;
}

const struct q_win *
q_hall_win(const struct q_hall *h, int number)
{
	int i;

	for (i = 0; i < h->nwin; i++)
		if (h->wins[i].number == number)
			return &h->wins[i];
	return NULL;
}
