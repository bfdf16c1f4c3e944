/*
 * stats_calc.h — the arithmetic of the hall's figures, pure (no database, no request): the
 * rounding of rates and minutes, the nearest-rank 90th percentile over sorted (group, value)
 * pairs, and how a ticket's status and outcome count.  stats_tickets.c and stats_figures.c
 * use these; test/unit/test_stats.c checks them.
 */
#ifndef YC_STATS_CALC_H
#define YC_STATS_CALC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Counts of one category (A..Z): the columns of tickets.by_category, in this order. */
enum { C_TAKEN, C_SERVED, C_NO_SHOW, C_CANCELLED, C_SKIPPED, C_OPEN, C_N };

/* num / den to 0.0001; null when den ≤ 0 (nothing was counted). */
json_t	*stats_rate(long long num, long long den);
/* Seconds as minutes to 0.1. */
double	 stats_minutes(double seconds);
/* A number as MariaDB sends it ("12", or "12.0000" for a SUM of a DECIMAL); 0 for NULL. */
long long stats_ll(const char *s);
/* The 1-based nearest rank of the 90th percentile of k sorted values: ⌈0.9 k⌉ (k ≥ 1). */
size_t	 stats_p90_rank(size_t k);

/* A (group, seconds) pair in one 64-bit integer that sorts by group, then value. */
uint64_t stats_pack(int32_t group, int32_t value);
int32_t	 stats_pack_group(uint64_t p);
int32_t	 stats_pack_value(uint64_t p);
/*
 * Sort n packed pairs in place, ascending, with tmp (room for n) as scratch: a radix sort,
 * 8 bits at a time, that skips a byte all the pairs share (a month of a city's tickets is
 * 150,000 pairs per grouping, which qsort spent more than half the figures' time on).
 */
void	 stats_sort_packed(uint64_t *p, size_t n, uint64_t *tmp);
/* The run of group g starting at *i of the sorted pairs p (n): its count (returned; *i moves
 * past it), average and nearest-rank p90 (left alone when the run is empty). */
size_t	 stats_group_run(const uint64_t *p, size_t n, size_t *i, int32_t g, double *avg,
	    int32_t *p90);

/* Count one ticket into n[C_N]: taken always; served (outcome done) or no_show; cancelled,
 * skipped, or open (waiting, called, serving) by its status. */
void	 stats_ticket_count(long long n[C_N], const char *status, const char *outcome);

#endif
