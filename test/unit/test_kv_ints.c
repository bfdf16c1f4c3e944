/*
 * test_s9-dc_helpers.c — the runtime helpers added for the rooms' scripts: a script's
 * answer of n integers (kv_reply_ints, behind kv_eval_ints) is read only when it is exactly
 * that, so a sign-in or check-in guard never acts on a reply it did not expect.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../lib/tests.h"
#include "../../fcgi/kv.h"

static redisReply
integer(long long v)
{
	redisReply r;

	memset(&r, 0, sizeof r);
	r.type = REDIS_REPLY_INTEGER;
	r.integer = v;
	return r;
}

static redisReply
array(redisReply **elems, size_t n)
{
	redisReply r;

	memset(&r, 0, sizeof r);
	r.type = REDIS_REPLY_ARRAY;
	r.element = elems;
	r.elements = n;
	return r;
}

/* {verdict, wait}: both read, in order. */
TEST(reply_ints_read)
{
	redisReply a = integer(2), b = integer(-1500), *e[2] = { &a, &b }, rep = array(e, 2);
	long long out[2] = { 7, 7 };

	assert_int_equal(kv_reply_ints(&rep, out, 2), 0);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], -1500);
}

/* Anything else — Redis down, an error, a number alone, too few or too many, a string
 * among them — is refused and out is left as it was. */
TEST(reply_ints_refused)
{
	redisReply a = integer(1), b = integer(2), c = integer(3), s, err, one = integer(0);
	redisReply *two[2] = { &a, &b }, *three[3] = { &a, &b, &c }, *mixed[2] = { &a, &s };
	redisReply r2 = array(two, 2), r3 = array(three, 3), rm = array(mixed, 2);
	redisReply r0 = array(NULL, 0);
	long long out[3] = { 7, 7, 7 };
	char one_s[] = "1", noscript[] = "NOSCRIPT";

	memset(&s, 0, sizeof s);
	s.type = REDIS_REPLY_STRING;
	s.str = one_s;
	s.len = 1;
	memset(&err, 0, sizeof err);
	err.type = REDIS_REPLY_ERROR;
	err.str = noscript;
	err.len = 8;
	assert_int_equal(kv_reply_ints(NULL, out, 2), -1);
	assert_int_equal(kv_reply_ints(&err, out, 2), -1);
	assert_int_equal(kv_reply_ints(&one, out, 1), -1);	/* not an array */
	assert_int_equal(kv_reply_ints(&r3, out, 2), -1);
	assert_int_equal(kv_reply_ints(&r2, out, 3), -1);
	assert_int_equal(kv_reply_ints(&r0, out, 2), -1);
	assert_int_equal(kv_reply_ints(&rm, out, 2), -1);
	assert_int_equal(out[0], 7);
	assert_int_equal(out[1], 7);
	assert_int_equal(out[2], 7);
	/* The same three integers are read when three are asked for. */
	assert_int_equal(kv_reply_ints(&r3, out, 3), 0);
	assert_int_equal(out[2], 3);
}

UNIT_MAIN("kv_ints", NULL, NULL)
