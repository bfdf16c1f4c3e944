/*
 * fuzz_time.c — libFuzzer target for RFC 3339 times and dates (query parameters, bodies,
 * YICHUANG_NOW).  A parsed time must format and parse back to the same second.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../fcgi/clock.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[64];
	int64_t t, t2, d;

	memcpy(s, data, size);
	s[size] = '\0';
	if (time_parse(s, &t) == 0) {
		time_format(t, buf, sizeof buf);
		if (time_parse(buf, &t2) != 0 || t2 != t)
			abort();
	}
	if (date_parse(s, &d) == 0) {
		date_format_days(d, buf, sizeof buf);
		if (strcmp(buf, s) != 0)
			abort();
	}
	free(s);
	return 0;
}
