/*
 * festivals.h — the Gregorian dates of the statutory holidays that move with the lunar
 * calendar (春节, 端午, 中秋) or the solar terms (清明), for the years the provisional
 * calendar covers (workdays.c, workcal_provisional).  A table, not an algorithm: see
 * festivals.c for where the dates come from.  Pure data, no database, no clock.
 */
#ifndef YC_FESTIVALS_H
#define YC_FESTIVALS_H

#include <stdint.h>

#define FESTIVAL_FIRST_YEAR 2025
#define FESTIVAL_LAST_YEAR  2036

/* Days since 1970-01-01 of one year's movable festivals. */
struct festival_days {
	int64_t	chunjie;	/* 春节, 正月初一 (除夕 is the day before) */
	int64_t	qingming;	/* 清明 */
	int64_t	duanwu;		/* 端午, 五月初五 */
	int64_t	zhongqiu;	/* 中秋, 八月十五 */
};

/* 0 with *out filled, or -1 when the year is not in the table. */
int	festival_days(int year, struct festival_days *out);

#endif
