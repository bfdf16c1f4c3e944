/*
 * test_s9db_helpers.c — the runtime helpers the case, hand-over, cross-province and online
 * rooms share, without a server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../lib/tests.h"
#include "../../fcgi/yc.h"

static const char *
field_error(struct req *r, const char *field)
{
	return json_string_value(json_object_get(r->err_fields, field));
}

/* in_sub_str: a nested member is read as in_str reads a member, and its errors carry the
 * name the API gives it ("applicant.phone"), never the bare key. */
TEST(nested_string_member)
{
	json_t *o = json_loads("{\"applicant\":{\"name\":\"张三\",\"phone\":\"1380013800\","
	    "\"id_number\":7,\"note\":null}}", 0, NULL);
	json_t *app = json_object_get(o, "applicant");
	const char *s = "x";
	struct req r;

	req_init(&r, NULL);
	assert_int_equal(in_sub_str(&r, app, "name", "applicant.name", 1, 1, 20, &s), 0);
	assert_string_equal(s, "张三");
	assert_false(in_has_errors(&r));
	/* Characters, not bytes: two characters do not fit one. */
	assert_int_equal(in_sub_str(&r, app, "name", "applicant.name", 1, 1, 1, &s), -1);
	assert_null(s);
	assert_string_equal(field_error(&r, "applicant.name"), "内容过长");
	assert_int_equal(in_sub_str(&r, app, "phone", "applicant.phone", 1, 11, 11, &s), -1);
	assert_string_equal(field_error(&r, "applicant.phone"), "内容过短");
	assert_int_equal(in_sub_str(&r, app, "id_number", "applicant.id_number", 1, 18, 18, &s),
	    -1);
	assert_string_equal(field_error(&r, "applicant.id_number"), "须为文本");
	assert_null(json_object_get(r.err_fields, "id_number"));
	/* Absent or null: an error only when required; no object at all counts as absent. */
	assert_int_equal(in_sub_str(&r, app, "note", "applicant.note", 0, 1, 20, &s), 0);
	assert_null(s);
	assert_int_equal(in_sub_str(&r, NULL, "due", "commitment.due", 0, 10, 10, &s), 0);
	assert_int_equal(in_sub_str(&r, NULL, "due", "commitment.due", 1, 10, 10, &s), -1);
	assert_string_equal(field_error(&r, "commitment.due"), "必填");
	assert_int_equal(json_object_size(r.err_fields), 4);
	json_decref(o);
	req_free(&r);
}

UNIT_MAIN("nested_input", NULL, NULL)
