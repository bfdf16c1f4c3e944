/*
 * test_hostlist.c — the "host[:port], …" lists of yichuang.conf (redis_sentinels,
 * mysql_hosts): what an operator writes is read as meant, and a slip is refused at the
 * first connection (logged) instead of sending the app to a wrong address.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../lib/tests.h"
#include "../../fcgi/hostlist.h"

TEST(lists)
{
	struct hostport h[HOSTLIST_MAX];

	assert_int_equal(hostlist_parse("10.77.0.21:26379, 10.77.0.22:26380 ,10.77.0.23",
	    26379, h, HOSTLIST_MAX), 3);
	assert_string_equal(h[0].host, "10.77.0.21");
	assert_int_equal(h[0].port, 26379);
	assert_string_equal(h[1].host, "10.77.0.22");
	assert_int_equal(h[1].port, 26380);
	assert_string_equal(h[2].host, "10.77.0.23");
	assert_int_equal(h[2].port, 26379);	/* no port: the default */
	assert_int_equal(hostlist_parse("db-1.hall.internal db-2.hall.internal:3307", 3306, h,
	    HOSTLIST_MAX), 2);
	assert_string_equal(h[0].host, "db-1.hall.internal");
	assert_int_equal(h[0].port, 3306);
	assert_int_equal(h[1].port, 3307);
	assert_int_equal(hostlist_parse("[fd00::7]:3306,[fd00::8]", 3310, h, HOSTLIST_MAX), 2);
	assert_string_equal(h[0].host, "fd00::7");
	assert_int_equal(h[0].port, 3306);
	assert_string_equal(h[1].host, "fd00::8");
	assert_int_equal(h[1].port, 3310);
	assert_int_equal(hostlist_parse("", 1, h, HOSTLIST_MAX), 0);
	assert_int_equal(hostlist_parse(" , ", 1, h, HOSTLIST_MAX), 0);
}

TEST(refused)
{
	struct hostport h[2];
	char longhost[HOSTLIST_HOST_MAX + 8];

	assert_int_equal(hostlist_parse("a:0", 1, h, 2), -1);
	assert_int_equal(hostlist_parse("a:65536", 1, h, 2), -1);
	assert_int_equal(hostlist_parse("a:-1", 1, h, 2), -1);
	assert_int_equal(hostlist_parse("a:12x", 1, h, 2), -1);
	assert_int_equal(hostlist_parse("a:", 1, h, 2), -1);
	assert_int_equal(hostlist_parse(":3306", 1, h, 2), -1);
	assert_int_equal(hostlist_parse("fd00::7", 1, h, 2), -1);	/* brackets needed */
	assert_int_equal(hostlist_parse("[fd00::7", 1, h, 2), -1);
	assert_int_equal(hostlist_parse("[fd00::7]x", 1, h, 2), -1);
	assert_int_equal(hostlist_parse("a,b,c", 1, h, 2), -1);		/* more than max */
	memset(longhost, 'h', sizeof longhost - 1);
	longhost[sizeof longhost - 1] = '\0';
	assert_int_equal(hostlist_parse(longhost, 1, h, 2), -1);
}

UNIT_MAIN("hostlist", NULL, NULL)
