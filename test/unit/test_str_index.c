/*
 * test_s9-m2a_helpers.c — str_index (fcgi/util.h), the one name-to-enum lookup behind the
 * case statuses, the clerk actions, the hand-over kinds and the cross-province states: each
 * name is found at its own position, a name not in the list (a prefix, another case, an
 * empty string) and NULL are -1, and the lookup stops at the list's NULL.  And the parsers
 * built on it give back every status and action by its name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../lib/tests.h"
#include "../../fcgi/util.h"
#include "../../modules/cases/cases.h"
#include "../../modules/cases/case_rules.h"
#include "../../modules/handover/handover.h"
#include "../../modules/handover/handover_int.h"

static const char *const colours[] = { "green", "yellow", "red", NULL };

TEST(each_name_at_its_position)
{
	assert_int_equal(str_index(colours, "green"), 0);
	assert_int_equal(str_index(colours, "yellow"), 1);
	assert_int_equal(str_index(colours, "red"), 2);
}

TEST(only_the_whole_name_matches)
{
	static const char *const none[] = { NULL };

	assert_int_equal(str_index(colours, "re"), -1);		/* a prefix */
	assert_int_equal(str_index(colours, "redd"), -1);
	assert_int_equal(str_index(colours, "Red"), -1);	/* case counts */
	assert_int_equal(str_index(colours, ""), -1);
	assert_int_equal(str_index(colours, NULL), -1);
	assert_int_equal(str_index(none, "red"), -1);
}

TEST(the_parsers_find_every_name)
{
	int i;

	for (i = 0; i < CS__MAX; i++)
		assert_int_equal(case_status_parse(case_status_names[i]), i);
	for (i = 0; i < CA__MAX; i++)
		assert_int_equal(case_act_parse(case_act_names[i]), i);
	for (i = 0; i < HO__MAX; i++)
		assert_int_equal(handover_kind_parse(handover_kind_names[i]), i);
	assert_int_equal(case_status_parse("approve"), -1);
	assert_int_equal(case_act_parse("approved"), -1);
	assert_int_equal(case_act_parse(NULL), -1);
	assert_int_equal(handover_kind_parse("windows"), -1);
}

UNIT_MAIN("str_index", NULL, NULL)
