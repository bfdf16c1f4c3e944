/*
 * order.c — the queue's rules that need no server: which line a ticket waits in, where a
 * rejoin goes, whether the hall issues numbers now, and the waiting-time estimate.
 * test/unit/test_queue.c and test_queue_order.c run these very functions.
 *
 * Who is called next is decided in Redis, in one script with the pop (lines.c: pop, and
 * ahead_of / near for the places): it must stay there to be atomic.  The rules in short:
 *   - two lines per category: 'p' (priority class: 绿色通道 elderly and disabled, and
 *     appointment check-ins) and 'n' (ordinary), each in order-score order (first come,
 *     first served; scores only grow within the hall, so they compare across categories);
 *   - a window takes the oldest 'p' ticket across the categories it serves, unless it has
 *     called queue_fair_ratio of those in a row and an ordinary ticket waits: then the
 *     oldest 'n' one (the streak is per window, and an ordinary call resets it);
 *   - a transferred ticket keeps its score and line: it waits ahead of everything of the
 *     new category taken after it;
 *   - a skipped ticket leaves the lines; its one rejoin puts it at the back of the ordinary
 *     line (q_rejoin_score); a recall calls the same ticket again and changes no line;
 *   - a call that fails in MariaDB puts the ticket back with its own score (its place).
 *
 * Routes, tables, Redis: none (configuration: queue_fair_ratio, queue_turn_near_ahead,
 *         queue_checkin_before_open_minutes).
 */
#include "queue_int.h"
#include "../../fcgi/config.h"
#include "../../fcgi/util.h"

#include <math.h>
#include <stdlib.h>

int
q_fair_ratio(void)
{
	/* After this many priority-class calls in a row, a window calls an ordinary ticket. */
	return (int)config_int("queue_fair_ratio", 3, 1, 100);
}

int
q_near_ahead(void)
{
	/* The turn-near SMS goes once this many or fewer tickets are ahead. */
	return (int)config_int("queue_turn_near_ahead", 3, 0, 50);
}

char
q_line_of(enum q_priority p)
{
	return p == Q_PRI_NORMAL ? 'n' : 'p';
}

long long
q_rejoin_score(long long last, int64_t day_ms)
{
	if (last < (long long)day_ms * 1000 + 999)
		return (long long)day_ms * 1000 + 999;
	return last + 1;
}

int
q_hours_open(const struct q_hall *h, int sec)
{
	return q_hours_checkin(h, sec, 0);
}

int
q_hours_checkin(const struct q_hall *h, int sec, int early_s)
{
	int i;

	for (i = 0; i < h->nhours; i++)
		if (sec >= h->open_s[i] - early_s && sec < h->close_s[i])
			return 1;
	return 0;
}

int
q_checkin_early_s(void)
{
	/* Appointment check-ins are taken this long before each opening period. */
	return (int)config_int("queue_checkin_before_open_minutes", 30, 0, 240) * 60;
}

#define Q_OPEN_MS (30 * 60 * 1000)	/* a window with no clerk action for 30 min is closed */

int
q_eta(const struct q_hall *h, char cat, long long ahead, const redisReply *svc,
    const redisReply *const *open, size_t nopen, int64_t now_ms)
{
	const struct q_cat *qc = q_hall_cat(h, cat);
	double avg_s, m;
	int windows = 0, i;
	size_t k;

	if (qc == NULL || ahead <= 0)
		return 0;
	avg_s = qc->avg_min * 60.0;
	if (svc && svc->type == REDIS_REPLY_STRING && svc->len > 0) {
		double v = strtod(svc->str, NULL);

		if (v > 0 && v < 86400)
			avg_s = v;
	}
	for (i = 0; i < h->nwin; i++) {
		if (!(h->wins[i].mask & (1u << (cat - 'A'))))
			continue;
		for (k = 0; k + 1 < nopen; k += 2) {
			long long w, at;

			if (open[k]->str && open[k + 1]->str &&
			    parse_ll(open[k]->str, 1, 65535, &w) == 0 && w == h->wins[i].number &&
			    parse_ll(open[k + 1]->str, 0, INT64_MAX / 2, &at) == 0 &&
			    now_ms - at < Q_OPEN_MS && at - now_ms < Q_OPEN_MS)
				windows++;
		}
	}
	if (windows == 0)
		windows = qc->nwin > 0 ? qc->nwin : 1;
	m = ceil((double)ahead * avg_s / windows / 60.0);
	return m > 24 * 60 ? 24 * 60 : (int)m;
}

int
q_eta_of(const struct q_hall *h, char cat, long long ahead, const redisReply *svc,
    const redisReply *open, int64_t now_ms)
{
	return q_eta(h, cat, ahead, svc,
	    open && open->type == REDIS_REPLY_ARRAY ? (const redisReply *const *)open->element : NULL,
	    open && open->type == REDIS_REPLY_ARRAY ? open->elements : 0, now_ms);
}
