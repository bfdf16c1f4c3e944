/*
 * festivals.c — the dates of 春节, 清明, 端午 and 中秋, 2025–2036 (see festivals.h).
 *
 * Sources, so the next engineer can extend the table the same way:
 * - 春节 (正月初一), 端午 (五月初五), 中秋 (八月十五): the Chinese lunar calendar as
 *   tabulated by the lunardate library (lidaobing/python-lunardate, `LunarDate(y, m, d)
 *   .to_solar_date()`), whose table follows the 紫金山天文台 calendar; 2025 and 2026 agree
 *   with the State Council's notices for those years (春节 1-29 and 2-17, 端午 5-31 and
 *   6-19, 中秋 10-6 and 9-25).
 * - 清明: the day, in Beijing time (UTC+8), on which the Sun's apparent ecliptic longitude
 *   reaches 15°, computed with Meeus' low-precision solar formulae (Astronomical
 *   Algorithms, ch. 25, about 0.01°, i.e. some 15 minutes).  Every instant in the table is
 *   at least an hour from midnight (the closest: 2034-04-05 01:01), so the day is certain;
 *   2025 (4-4) and 2026 (4-5) agree with the notices.
 * A year after the table has no movable festival in the provisional calendar (weekends,
 * 元旦, 劳动节 and 国庆 only) until a row is added here.
 */
#include "festivals.h"
#include "../../fcgi/clock.h"

static const struct {
	int		year;
	unsigned char	cj[2], qm[2], dw[2], zq[2];	/* month, day */
} festival_table[] = {
	{ 2025, { 1, 29 }, { 4, 4 }, { 5, 31 }, { 10, 6 } },
	{ 2026, { 2, 17 }, { 4, 5 }, { 6, 19 }, { 9, 25 } },
	{ 2027, { 2, 6 }, { 4, 5 }, { 6, 9 }, { 9, 15 } },
	{ 2028, { 1, 26 }, { 4, 4 }, { 5, 28 }, { 10, 3 } },
	{ 2029, { 2, 13 }, { 4, 4 }, { 6, 16 }, { 9, 22 } },
	{ 2030, { 2, 3 }, { 4, 5 }, { 6, 5 }, { 9, 12 } },
	{ 2031, { 1, 23 }, { 4, 5 }, { 6, 24 }, { 10, 1 } },
	{ 2032, { 2, 11 }, { 4, 4 }, { 6, 12 }, { 9, 19 } },
	{ 2033, { 1, 31 }, { 4, 4 }, { 6, 1 }, { 9, 8 } },
	{ 2034, { 2, 19 }, { 4, 5 }, { 6, 20 }, { 9, 27 } },
	{ 2035, { 2, 8 }, { 4, 5 }, { 6, 10 }, { 9, 16 } },
	{ 2036, { 1, 28 }, { 4, 4 }, { 5, 30 }, { 10, 4 } },
};

int
festival_days(int year, struct festival_days *out)
{
	size_t i;

	for (i = 0; i < sizeof festival_table / sizeof festival_table[0]; i++) {
		if (festival_table[i].year != year)
			continue;
		out->chunjie = days_from_civil(year, festival_table[i].cj[0], festival_table[i].cj[1]);
		out->qingming = days_from_civil(year, festival_table[i].qm[0],
		    festival_table[i].qm[1]);
		out->duanwu = days_from_civil(year, festival_table[i].dw[0], festival_table[i].dw[1]);
		out->zhongqiu = days_from_civil(year, festival_table[i].zq[0],
		    festival_table[i].zq[1]);
		return 0;
	}
	return -1;
}
