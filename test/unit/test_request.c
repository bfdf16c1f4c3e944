/*
 * test_request.c — request parsing, routing and the error shape, without a server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/tests.h"
#include "../../fcgi/db.h"
#include "../../fcgi/yc.h"

struct env {
	const char *k[16];
	const char *v[16];
};

static const char *
getp(void *arg, const char *name)
{
	struct env *e = arg;

	for (int i = 0; i < 16 && e->k[i]; i++)
		if (strcmp(e->k[i], name) == 0)
			return e->v[i];
	return NULL;
}

static int
parse(struct req *r, const char *method, const char *uri, const char *qs, const char *cookie)
{
	struct env e = { { "REQUEST_METHOD", "REQUEST_URI", "QUERY_STRING", "HTTP_COOKIE" },
	    { method, uri, qs, cookie } };

	req_init(r, NULL);
	return req_parse_head(r, getp, &e);
}

TEST(query_is_decoded)
{
	struct req r;

	assert_int_equal(parse(&r, "GET", "/api/v1/items?x", "hall=demo&q=%E8%90%A5%E4%B8%9A+a&&c=",
	    NULL), 0);
	assert_string_equal(r.path, "/items");
	assert_string_equal(req_query(&r, "hall"), "demo");
	assert_string_equal(req_query(&r, "q"), "营业 a");
	assert_string_equal(req_query(&r, "c"), "");
	assert_null(req_query(&r, "zzz"));
	req_free(&r);
}

TEST(bad_escapes_are_400)
{
	struct req r;

	assert_int_equal(parse(&r, "GET", "/api/v1/items", "q=%zz", NULL), 400);
	assert_string_equal(r.err_code, "INVALID_INPUT");
	req_free(&r);
	assert_int_equal(parse(&r, "GET", "/api/v1/items", "q=%00", NULL), 400);
	req_free(&r);
	assert_int_equal(parse(&r, "GET", "/api/v1/items", "q=%ff%fe", NULL), 400);
	req_free(&r);
	assert_int_equal(parse(&r, "GET", "/api/v1/items%", NULL, NULL), 400);
	req_free(&r);
	assert_int_equal(parse(&r, "BREW", "/api/v1/items", NULL, NULL), 405);
	req_free(&r);
}

TEST(too_many_params)
{
	struct req r;
	char qs[1024] = "";

	for (int i = 0; i < 40; i++) {
		char one[16];

		snprintf(one, sizeof one, "k%d=v&", i);
		strncat(qs, one, sizeof qs - strlen(qs) - 1);
	}
	assert_int_equal(parse(&r, "GET", "/api/v1/items", qs, NULL), 400);
	req_free(&r);
}

TEST(cookies)
{
	struct req r;

	assert_int_equal(parse(&r, "GET", "/api/v1/me", NULL, "a=1; yc_session=\"tok\" ;bad; b = 2"),
	    0);
	assert_string_equal(req_cookie(&r, "yc_session"), "tok");
	assert_string_equal(req_cookie(&r, "b"), "2");
	assert_null(req_cookie(&r, "bad"));
	req_free(&r);
}

TEST(body_json)
{
	struct req r;
	char *b;

	parse(&r, "POST", "/api/v1/staff/login", NULL, NULL);
	r.content_type = "application/json; charset=utf-8";
	b = strdup("{\"a\":1}");
	assert_int_equal(req_parse_body(&r, b, strlen(b), 0), 0);
	assert_true(json_is_object(r.body));
	req_free(&r);

	parse(&r, "POST", "/api/v1/staff/login", NULL, NULL);
	r.content_type = "application/json";
	b = strdup("{\"a\":1,\"a\":2}");
	assert_int_equal(req_parse_body(&r, b, strlen(b), 0), 400);
	req_free(&r);

	parse(&r, "POST", "/api/v1/staff/login", NULL, NULL);
	r.content_type = "application/json";
	b = strdup("[1,2]");
	assert_int_equal(req_parse_body(&r, b, strlen(b), 0), 400);
	req_free(&r);

	parse(&r, "POST", "/api/v1/staff/login", NULL, NULL);
	r.content_type = "text/plain";
	b = strdup("{}");
	assert_int_equal(req_parse_body(&r, b, strlen(b), 0), 415);
	req_free(&r);
}

static int dummy_handler(struct req *r) { return req_ok(r, 200, json_object()); }

static const struct route table[] = {
	{ M_GET, "/halls/{hall}/categories", dummy_handler, ROLE_ANY, 0, 0 },
	{ M_POST, "/windows/{window}/call-next", dummy_handler, ROLE_CLERK, 0, 0 },
	{ M_GET, "/items/{id}", dummy_handler, ROLE_ANY, 0, 0 },
};

TEST(routing)
{
	struct req r;

	parse(&r, "GET", "/api/v1/halls/demo/categories", NULL, NULL);
	assert_int_equal(router_match(&r, table, 3), 0);
	assert_string_equal(r.pathv[0], "demo");
	assert_ptr_equal(r.route, &table[0]);
	assert_int_equal(req_route_ends(&r, "/categories"), 1);
	assert_int_equal(req_route_ends(&r, "/call-next"), 0);
	assert_int_equal(req_route_ends(&r, "/halls/{hall}/categories/x"), 0);
	req_free(&r);

	parse(&r, "GET", "/api/v1/windows/3/call-next", NULL, NULL);
	assert_int_equal(router_match(&r, table, 3), 405);
	assert_non_null(strstr(r.headers.data, "Allow: POST"));
	req_free(&r);

	parse(&r, "GET", "/api/v1/halls/de%2Fmo/categories", NULL, NULL);
	assert_int_equal(router_match(&r, table, 3), 404);
	req_free(&r);

	parse(&r, "GET", "/api/v1/halls//categories", NULL, NULL);
	assert_int_equal(router_match(&r, table, 3), 404);
	req_free(&r);

	parse(&r, "GET", "/api/v1/items/<script>", NULL, NULL);
	assert_int_equal(router_match(&r, table, 3), 404);
	assert_string_equal(r.err_code, "NOT_FOUND");
	req_free(&r);
}

TEST(error_shape)
{
	struct req r;
	struct buf out;
	json_t *j;
	const char *body;

	req_init(&r, NULL);
	req_fail_field(&r, "phone", "必填");
	req_fail_field(&r, "phone", "second message is ignored");
	req_fail_field(&r, "name", "内容过长");
	req_invalid(&r);
	buf_init(&out, 1 << 20);
	assert_int_equal(reply_render(&r, &out), 0);
	assert_non_null(strstr(out.data, "Status: 400 Bad Request\r\n"));
	assert_non_null(strstr(out.data, "Cache-Control: no-store\r\n"));
	body = strstr(out.data, "\r\n\r\n") + 4;
	j = json_loads(body, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
	    "INVALID_INPUT");
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(j,
	    "error"), "fields"), "phone")), "必填");
	assert_int_equal(json_object_size(json_object_get(json_object_get(j, "error"), "fields")), 2);
	json_decref(j);
	buf_free(&out);
	req_free(&r);
}

TEST(input_helpers)
{
	struct req r;
	json_t *o = json_loads("{\"s\":\"张三\",\"long\":\"一二三四五六\",\"n\":5,\"bad\":\"a\\u0001\","
	    "\"e\":\"elderly\"}", 0, NULL);
	static const char *const pri[] = { "normal", "elderly", NULL };
	const char *s;
	long long n;
	int e;

	req_init(&r, NULL);
	assert_int_equal(in_str(&r, o, "s", 1, 1, 2, &s), 0);
	assert_string_equal(s, "张三");
	assert_int_equal(in_str(&r, o, "long", 1, 1, 5, &s), -1);
	assert_int_equal(in_str(&r, o, "bad", 1, 1, 5, &s), -1);
	assert_int_equal(in_str(&r, o, "missing", 0, 1, 5, &s), 0);
	assert_null(s);
	assert_int_equal(in_int(&r, o, "n", 1, 1, 4, &n), -1);
	assert_int_equal(in_enum(&r, o, "e", 1, pri, &e), 0);
	assert_int_equal(e, 1);
	assert_int_equal(json_object_size(r.err_fields), 3);
	json_decref(o);
	req_free(&r);
}

/* q_enum: a listed value gives its index, an absent one leaves the default, anything else
 * is a field error with the message given; db_row_fill: each column lands where its table
 * line says, cut, parsed or defaulted as documented. */
TEST(query_enum_and_row_tables)
{
	static const char *const statuses[] = { "open", "closed", "all", NULL };
	struct row {
		long long	 id;
		char		 name[8];
		int		 n, flag;
	} x;
	static const struct db_col cols[] = {
		DBC_I(struct row, id, 1, 1000), DBC_S(struct row, name), DBC_NONE,
		DBC_I(struct row, n, 0, 9), DBC_B(struct row, flag),
	};
	char id[] = "42", name[] = "张三李四王五", skip[] = "x", n[] = "12", flag[] = "1";
	char *v[] = { id, name, skip, n, flag };
	struct req r;
	int k = 7;

	assert_int_equal(parse(&r, "GET", "/api/v1/x", "status=closed", NULL), 0);
	assert_int_equal(q_enum(&r, "status", statuses, "取值为 open、closed 或 all", &k), 0);
	assert_int_equal(k, 1);
	assert_int_equal(q_enum(&r, "other", statuses, "-", &k), 0);
	assert_int_equal(k, 1);
	assert_false(in_has_errors(&r));
	req_free(&r);
	assert_int_equal(parse(&r, "GET", "/api/v1/x", "status=OPEN", NULL), 0);
	assert_int_equal(q_enum(&r, "status", statuses, "取值为 open、closed 或 all", &k), -1);
	assert_int_equal(k, 1);
	assert_string_equal(json_string_value(json_object_get(r.err_fields, "status")),
	    "取值为 open、closed 或 all");
	req_free(&r);

	memset(&x, 0x55, sizeof x);
	db_row_fill(&x, cols, sizeof cols / sizeof cols[0], 5, v);
	assert_int_equal(x.id, 42);
	assert_string_equal(x.name, "张三");	/* 7 bytes: cut before the third character */
	assert_int_equal(x.n, 0);		/* 12 is out of 0–9 */
	assert_int_equal(x.flag, 1);
	v[0] = NULL;
	v[1] = NULL;
	flag[0] = '0';
	db_row_fill(&x, cols, sizeof cols / sizeof cols[0], 5, v);
	assert_int_equal(x.id, 0);
	assert_string_equal(x.name, "");
	assert_int_equal(x.flag, 0);
	/* Fewer columns than the table: the rest is left as it was. */
	x.flag = 3;
	db_row_fill(&x, cols, sizeof cols / sizeof cols[0], 4, v);
	assert_int_equal(x.flag, 3);
}

UNIT_MAIN("request", NULL, NULL)
