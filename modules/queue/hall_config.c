/*
 * hall_config.c — the hall as the queue needs it (name, categories, windows and what each
 * serves, opening hours), read from MariaDB and cached per process for a minute.
 *
 * Routes: none.
 * Tables: halls, categories, windows, window_categories, hall_hours (read only).
 * Redis:  none.
 *
 * The cache: Q_CACHE_HALLS entries under cfg_mtx, which is only held to copy an entry in
 * or out; q_hall_load does the reading, outside the lock.
 */
#include "queue_int.h"
#include "../hall/catalog.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"

#include <pthread.h>
#include <string.h>

#define Q_CACHE_HALLS 16
#define Q_CACHE_MS    (60 * 1000)

static pthread_mutex_t cfg_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct {
	struct q_hall	 h;
	int64_t		 at;
} cfg_cache[Q_CACHE_HALLS];

static int
cfg_hall_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct q_hall *h = arg;

	(void)ncol;
	(void)lens;
	str_copy(h->name, sizeof h->name, v[0]);
	return 1;
}

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
	return 0;
}

static int
cfg_win_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct q_hall *h = arg;
	long long n;

	(void)ncol;
	(void)lens;
	if (h->nwin == Q_MAX_WINDOWS || parse_ll(v[0], 1, 65535, &n) != 0)
		return 0;
	h->wins[h->nwin].number = (int)n;
	str_copy(h->wins[h->nwin].name, sizeof h->wins[h->nwin].name, v[1]);
	h->wins[h->nwin].mask = 0;
	h->nwin++;
	return 0;
}

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
	int rc;

	memset(h, 0, sizeof *h);
	str_copy(h->code, sizeof h->code, code);
	rc = db_query(c, "SELECT name FROM halls WHERE code = ?", DBARGS(DBS(code)), cfg_hall_row, h);
	if (rc <= 0)
		return rc;
	if ((rc = db_query(c, "SELECT code, name, avg_service_minutes FROM categories"
	    " WHERE hall = ? ORDER BY sort, code", DBARGS(DBS(code)), cfg_cat_row, h)) < 0 ||
	    (rc = db_query(c, "SELECT number, name FROM windows WHERE hall = ? ORDER BY number",
	    DBARGS(DBS(code)), cfg_win_row, h)) < 0 ||
	    (rc = db_query(c, "SELECT window_no, category FROM window_categories WHERE hall = ?",
	    DBARGS(DBS(code)), cfg_wc_row, h)) < 0 ||
	    (rc = db_query(c, "SELECT TIME_FORMAT(open_at, '%H:%i:%s'),"
	    " TIME_FORMAT(close_at, '%H:%i:%s') FROM hall_hours WHERE hall = ? ORDER BY seq",
	    DBARGS(DBS(code)), cfg_hours_row, h)) < 0)
		return rc;
	return 1;
}

int
q_hall_get(struct ctx *c, const char *code, struct q_hall *h)
{
	int64_t now = hall_now_ms();
	int i, rc, slot = -1, oldest = 0;

	if (!hall_code_ok(code))
		return 0;
	pthread_mutex_lock(&cfg_mtx);
	for (i = 0; i < Q_CACHE_HALLS; i++) {
		if (cfg_cache[i].at && strcmp(cfg_cache[i].h.code, code) == 0 &&
		    now - cfg_cache[i].at < Q_CACHE_MS && now >= cfg_cache[i].at) {
			*h = cfg_cache[i].h;
			pthread_mutex_unlock(&cfg_mtx);
			return 1;
		}
	}
	pthread_mutex_unlock(&cfg_mtx);

	if ((rc = q_hall_load(c, code, h)) != 1)
		return rc;

	pthread_mutex_lock(&cfg_mtx);
	for (i = 0; i < Q_CACHE_HALLS; i++) {
		if (cfg_cache[i].at == 0 || strcmp(cfg_cache[i].h.code, code) == 0) {
			slot = i;
			break;
		}
		if (cfg_cache[i].at < cfg_cache[oldest].at)
			oldest = i;
	}
	if (slot < 0)
		slot = oldest;
	cfg_cache[slot].h = *h;
	cfg_cache[slot].at = now;
	pthread_mutex_unlock(&cfg_mtx);
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
