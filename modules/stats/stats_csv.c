/*
 * stats_csv.c — the hall's figures as CSV (GET /halls/{hall}/stats?format=csv, or Accept:
 * text/csv): one line per figure, "section,group,metric,value", after a UTF-8 BOM so that
 * spreadsheets read the Chinese names.  A nested object is its own section (section.name);
 * an array of rows gives its rows' key members (category, hour, window, clerk, department,
 * key) joined with "/" as the group (A, A/9, 3, …).  No database: it lays out what
 * stats_collect built.
 */
#include "stats.h"

#include <string.h>

static const char *const csv_keys[] = { "category", "hour", "window", "clerk", "department",
	"key", NULL };

static int
csv_is_key(const char *k)
{
	size_t i;

	for (i = 0; csv_keys[i]; i++)
		if (strcmp(csv_keys[i], k) == 0)
			return 1;
	return 0;
}

static void
csv_field(struct buf *b, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_adds(b, s);
		return;
	}
	buf_adds(b, "\"");
	for (; *s; s++)
		buf_add(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
	buf_adds(b, "\"");
}

static void
csv_value(struct buf *b, json_t *v)
{
	char tmp[64];

	if (json_is_string(v))
		csv_field(b, json_string_value(v));
	else if (json_is_integer(v))
		buf_addf(b, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v)) {
		fmt(tmp, sizeof tmp, "%.4f", json_real_value(v));
		buf_adds(b, tmp);
	}
	/* null: empty */
}

static void
csv_line(struct buf *b, const char *section, const char *group, const char *metric, json_t *v)
{
	csv_field(b, section);
	buf_adds(b, ",");
	csv_field(b, group);
	buf_adds(b, ",");
	csv_field(b, metric);
	buf_adds(b, ",");
	csv_value(b, v);
	buf_adds(b, "\r\n");
}

/* One section (object): scalars as lines, nested objects as section.name, arrays of rows
 * with their key members as the group (A, A/9, 3, …). */
static void
csv_section(struct buf *b, const char *section, json_t *o)
{
	const char *k, *k2;
	json_t *v, *v2;
	char sub[96], group[160];
	size_t i;

	json_object_foreach(o, k, v) {
		if (json_is_object(v)) {
			fmt(sub, sizeof sub, "%s.%s", section, k);
			csv_section(b, sub, v);
		} else if (json_is_array(v)) {
			fmt(sub, sizeof sub, "%s.%s", section, k);
			for (i = 0; i < json_array_size(v); i++) {
				json_t *row = json_array_get(v, i);

				group[0] = '\0';
				json_object_foreach(row, k2, v2)
					if (csv_is_key(k2)) {
						char part[64] = "";

						if (json_is_string(v2))
							str_copy(part, sizeof part, json_string_value(v2));
						else if (json_is_integer(v2))
							fmt(part, sizeof part, "%lld",
							    (long long)json_integer_value(v2));
						if (fmt(group + strlen(group), sizeof group - strlen(group),
						    "%s%s", group[0] ? "/" : "", part) < 0)
							break;
					}
				json_object_foreach(row, k2, v2)
					if (!csv_is_key(k2))
						csv_line(b, sub, group, k2, v2);
			}
		} else
			csv_line(b, section, "", k, v);
	}
}

void
stats_csv(struct buf *b, json_t *o, const struct period *p)
{
	static const char *const sections[] = { "tickets", "appointments", "cases", "reviews" };
	json_t *h = json_pack("{s:s,s:s,s:s}", "hall", p->hall, "from", p->from, "to", p->to);
	size_t i;

	buf_adds(b, "\xEF\xBB\xBF");	/* BOM: spreadsheets then read UTF-8 */
	buf_adds(b, "section,group,metric,value\r\n");
	csv_section(b, "period", h);
	json_decref(h);
	for (i = 0; i < sizeof sections / sizeof sections[0]; i++)
		csv_section(b, sections[i], json_object_get(o, sections[i]));
}
