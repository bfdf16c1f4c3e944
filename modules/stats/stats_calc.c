/*
 * stats_calc.c — the pure arithmetic of the hall's figures (see stats_calc.h).
 */
#include "stats_calc.h"
#include "../../fcgi/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

json_t *
stats_rate(long long num, long long den)
{
	if (den <= 0)
		return json_null();
	return json_real(round((double)num * 10000.0 / (double)den) / 10000.0);
}

double
stats_minutes(double seconds)
{
	return round(seconds / 6.0) / 10.0;
}

long long
stats_ll(const char *s)
{
	long long v = 0;
	double d;
	char *end;

	if (s == NULL)
		return 0;
	if (parse_ll(s, INT64_MIN, INT64_MAX, &v) == 0)
		return v;
	d = strtod(s, &end);	/* SUM() of a DECIMAL arrives as "12.0000" at times */
	return end == s ? 0 : (long long)llround(d);
}

size_t
stats_p90_rank(size_t k)
{
	return (9 * k + 9) / 10;	/* ⌈0.9 k⌉, exactly, in integers */
}

uint64_t
stats_pack(int32_t group, int32_t value)
{
	return ((uint64_t)(uint32_t)(group + 1) << 32) | ((uint32_t)value ^ 0x80000000u);
}

int32_t
stats_pack_group(uint64_t p)
{
	return (int32_t)(uint32_t)(p >> 32) - 1;
}

int32_t
stats_pack_value(uint64_t p)
{
	return (int32_t)((uint32_t)p ^ 0x80000000u);
}

void
stats_sort_packed(uint64_t *p, size_t n, uint64_t *tmp)
{
	size_t count[256], i, b, sum;
	uint64_t *from = p, *to = tmp, *swap;
	unsigned shift;

	for (shift = 0; shift < 64; shift += 8) {
		memset(count, 0, sizeof count);
		for (i = 0; i < n; i++)
			count[(from[i] >> shift) & 0xff]++;
		if (n == 0 || count[(from[0] >> shift) & 0xff] == n)
			continue;	/* every pair has this byte: already in order by it */
		for (b = 0, sum = 0; b < 256; b++) {
			size_t k = count[b];

			count[b] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			to[count[(from[i] >> shift) & 0xff]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	if (from != p)
		memcpy(p, from, n * sizeof *p);
}

size_t
stats_group_run(const uint64_t *p, size_t n, size_t *i, int32_t g, double *avg, int32_t *p90)
{
	size_t s = *i, k;
	double sum = 0;

	while (*i < n && stats_pack_group(p[*i]) == g)
		sum += stats_pack_value(p[(*i)++]);
	k = *i - s;
	if (k) {
		*avg = sum / (double)k;
		*p90 = stats_pack_value(p[s + stats_p90_rank(k) - 1]);
	}
	return k;
}

void
stats_ticket_count(long long n[C_N], const char *status, const char *outcome)
{
	n[C_TAKEN]++;
	if (outcome && strcmp(outcome, "done") == 0)
		n[C_SERVED]++;
	else if (outcome && strcmp(outcome, "no_show") == 0)
		n[C_NO_SHOW]++;
	if (strcmp(status, "cancelled") == 0)
		n[C_CANCELLED]++;
	else if (strcmp(status, "skipped") == 0)
		n[C_SKIPPED]++;
	else if (strcmp(status, "waiting") == 0 || strcmp(status, "called") == 0 ||
	    strcmp(status, "serving") == 0)
		n[C_OPEN]++;
}
