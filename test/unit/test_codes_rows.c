/*
 * test_s9-da_helpers.c — str_in_set (fcgi/util.h), the one check behind the codes the
 * console and the catalog take (hall and department codes, catalog ids, usernames, SMS
 * template codes): the length bounds are inclusive, every byte must be in the class, and
 * a byte outside it anywhere (first, last, a UTF-8 character) refuses the whole code.
 * And the one-column row readers of fcgi/db.h: db_str_row keeps every row's string whole
 * (bytes after a NUL included, by its length) and skips SQL NULL; db_ll_row reads a count
 * or an id, 0 for what is not one, and stops after the first row.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../lib/tests.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"

#define ID_SET CH_LOWER CH_UPPER CH_DIGIT "_.-"

TEST(lengths_are_inclusive)
{
	assert_int_equal(str_in_set("a", 1, 3, CH_LOWER), 1);
	assert_int_equal(str_in_set("abc", 1, 3, CH_LOWER), 1);
	assert_int_equal(str_in_set("abcd", 1, 3, CH_LOWER), 0);
	assert_int_equal(str_in_set("", 1, 3, CH_LOWER), 0);
	assert_int_equal(str_in_set("", 0, 3, CH_LOWER), 1);
}

TEST(every_byte_must_be_in_the_set)
{
	assert_int_equal(str_in_set("item_01.v-2", 1, 40, ID_SET), 1);
	assert_int_equal(str_in_set("Xitem", 1, 40, CH_LOWER), 0);	/* first */
	assert_int_equal(str_in_set("itemX", 1, 40, CH_LOWER), 0);	/* last */
	assert_int_equal(str_in_set("it em", 1, 40, ID_SET), 0);
	assert_int_equal(str_in_set("事项", 1, 40, ID_SET), 0);
	assert_int_equal(str_in_set("a/b", 1, 40, ID_SET), 0);
}

TEST(digits_only)
{
	assert_int_equal(str_in_set("123456", 1, 12, CH_DIGIT), 1);
	assert_int_equal(str_in_set("12345a", 1, 12, CH_DIGIT), 0);
	assert_int_equal(str_in_set("-1", 1, 12, CH_DIGIT), 0);
	assert_int_equal(str_in_set("1234567890123", 1, 12, CH_DIGIT), 0);
}

TEST(str_rows_append_each_value)
{
	char a[] = "tok-1", b[] = "x\0y", *row[1];
	size_t len[1];
	json_t *arr = json_array();

	row[0] = a;
	len[0] = 5;
	assert_int_equal(db_str_row(arr, 1, row, len), 0);	/* reads on */
	row[0] = NULL;
	len[0] = 0;
	assert_int_equal(db_str_row(arr, 1, row, len), 0);
	row[0] = b;
	len[0] = 3;
	assert_int_equal(db_str_row(arr, 1, row, len), 0);
	assert_int_equal(json_array_size(arr), 2);
	assert_string_equal(json_string_value(json_array_get(arr, 0)), "tok-1");
	assert_int_equal(json_string_length(json_array_get(arr, 1)), 3);
	assert_memory_equal(json_string_value(json_array_get(arr, 1)), "x\0y", 3);
	json_decref(arr);
}

TEST(ll_row_reads_a_count_and_stops)
{
	char n[] = "42", big[] = "9223372036854775807", neg[] = "-3", word[] = "many", *row[1];
	size_t len[1] = { 0 };
	long long out = 7;

	row[0] = n;
	assert_int_equal(db_ll_row(&out, 1, row, len), 1);	/* stops */
	assert_int_equal(out, 42);
	row[0] = big;
	db_ll_row(&out, 1, row, len);
	assert_true(out == INT64_MAX);
	row[0] = neg;
	db_ll_row(&out, 1, row, len);
	assert_int_equal(out, 0);
	out = 7;
	row[0] = word;
	db_ll_row(&out, 1, row, len);
	assert_int_equal(out, 0);
	out = 7;
	row[0] = NULL;
	db_ll_row(&out, 1, row, len);
	assert_int_equal(out, 0);
}

UNIT_MAIN("codes_rows", NULL, NULL)
