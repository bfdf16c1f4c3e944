/*
 * it_roles.c — every route serves only its roles, against the live test stack.
 *
 * The route table itself (every room's modules/<room>/routes.c, put together as the app does) says which roles each route serves.
 * For every route that does not serve everybody, the test calls it through nginx as each
 * role it does not serve — a citizen, the kiosk, a clerk, an approver, a manager, the
 * administrator, the 帮办代办 helper (helper1 of the demo seed), each signed in for real — and wants 403 FORBIDDEN in the API's error shape,
 * and without any session 401 UNAUTHENTICATED.  A route added later is covered without
 * touching this file.
 *
 * Many handlers check the role again (modules/identity/identity.h); this test is what notices when
 * the router's own check goes (some handlers, e.g. GET /notices and GET /me/tickets, rely on
 * it alone).  Path parameters get placeholder values ({hall} = demo, others 1): the refusal
 * must come before anything looks at them, so nothing is read or changed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../lib/expect.h"
#include "../lib/suite.h"
#include "../lib/http.h"
#include "../../fcgi/yc.h"
#include "../../programs/assembly.h"

static struct who {
	unsigned	 role;
	const char	*name;
	const char	*user;		/* staff username, NULL for the citizen */
	int		 window;
	char		 token[256];
} who[] = {
	{ ROLE_CITIZEN, "citizen", NULL, 0, "" },
	{ ROLE_KIOSK, "kiosk", "kiosk1", 0, "" },
	{ ROLE_CLERK, "clerk", "clerk1", 1, "" },
	{ ROLE_APPROVER, "approver", "approver1", 0, "" },
	{ ROLE_MANAGER, "manager", "manager1", 0, "" },
	{ ROLE_ADMIN, "admin", "admin", 0, "" },
	{ ROLE_HELPER, "helper", "helper1", 0, "" },
	{ ROLE_REGION_ADMIN, "region_admin", "region1", 0, "" },
	{ ROLE_CITY_MANAGER, "city_manager", "city1", 0, "" },
};

static const char *const method_names[M__MAX] = {
	"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"
};

/* /api/v1 + the pattern with every {param} filled in. */
static void
route_path(const char *pattern, char *out, size_t osz)
{
	size_t o = 0;
	const char *p = pattern, *e;

	o = (size_t)snprintf(out, osz, "/api/v1");
	while (*p && o + 1 < osz) {
		if (*p == '{' && (e = strchr(p, '}')) != NULL) {
			const char *v = (e - p == 5 && strncmp(p, "{hall}", 6) == 0) ? "demo" : "1";

			o += (size_t)snprintf(out + o, osz - o, "%s", v);
			p = e + 1;
		} else
			out[o++] = *p++;
	}
	out[o < osz ? o : osz - 1] = '\0';
}

/* The route as token's holder (NULL: nobody signed in); the reply in r. */
static void
call(struct resp *r, const struct route *rt, const char *token)
{
	char path[256], auth[300];
	const char *h[3] = { NULL, NULL, NULL };
	int n = 0, body = rt->method == M_POST || rt->method == M_PUT || rt->method == M_PATCH;

	route_path(rt->pattern, path, sizeof path);
	if (token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		h[n++] = auth;
	}
	if (body)
		h[n++] = "Content-Type: application/json";
	assert_int_equal(http(r, method_names[rt->method], path, body ? "{}" : NULL, h), 0);
}

TEST(every_route_refuses_other_roles)
{
	struct resp r;
	size_t i, k, nroutes;
	const struct route *routes;
	int checked = 0, bad = 0, routes_checked = 0;

	assert_int_equal(rooms_assemble(), 0);
	routes = router_routes(&nroutes);
	for (i = 0; i < nroutes; i++) {
		const struct route *rt = &routes[i];

		if (rt->roles == ROLE_ANY || (rt->roles & ROLE_ALL) == ROLE_ALL)
			continue;	/* everybody (signed in) may */
		routes_checked++;
		call(&r, rt, NULL);
		if (r.status != 401 || jstr(r.json, "error.code") == NULL ||
		    strcmp(jstr(r.json, "error.code"), "UNAUTHENTICATED") != 0) {
			fprintf(stderr, "%s %s without a session: %ld %.200s\n",
			    method_names[rt->method], rt->pattern, r.status, r.body ? r.body : "");
			bad++;
		}
		resp_free(&r);
		for (k = 0; k < NELEM(who); k++) {
			if (rt->roles & who[k].role)
				continue;
			call(&r, rt, who[k].token);
			checked++;
			if (r.status != 403 || jstr(r.json, "error.code") == NULL ||
			    strcmp(jstr(r.json, "error.code"), "FORBIDDEN") != 0 ||
			    jstr(r.json, "error.message") == NULL) {
				fprintf(stderr, "%s %s as %s: %ld %.200s\n", method_names[rt->method],
				    rt->pattern, who[k].name, r.status, r.body ? r.body : "");
				bad++;
			}
			resp_free(&r);
		}
	}
	printf("  %d routes, %d refusals checked, %d wrong\n", routes_checked, checked, bad);
	assert_true(routes_checked >= 20);	/* the table was read, not skipped */
	assert_int_equal(bad, 0);
}

/* The same route is served to a role it lists (the tokens above are real sessions). */
TEST(listed_roles_get_past_the_router)
{
	struct resp r;

	/* GET /notices is staff only and relies on the router alone: a clerk is served, the
	 * kiosk of the same hall is not. */
	assert_int_equal(http_json(&r, "GET", "/api/v1/notices?ref_kind=case&ref_id=none",
	    who[2].token, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_true(json_is_array(jget(r.json, "notices")));
	resp_free(&r);
	expect_refusal("GET", "/api/v1/notices?ref_kind=case&ref_id=none",
	    who[1].token, NULL, 403, "FORBIDDEN");
	/* The helper's work list is the helper's: served to helper1, refused to a clerk. */
	assert_int_equal(http_json(&r, "GET", "/api/v1/helper/cases", who[6].token, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_true(json_is_array(jget(r.json, "cases")));
	resp_free(&r);
	expect_refusal("GET", "/api/v1/helper/cases", who[2].token, NULL, 403, "FORBIDDEN");
	/* The city's figures are the city manager's (city1 of the demo seed); a hall's manager
	 * is refused them, and the city manager reads a hall's dashboard but not its staff. */
	assert_int_equal(http_json(&r, "GET", "/api/v1/city/stats", who[8].token, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_true(json_array_size(jget(r.json, "halls")) >= 4);
	resp_free(&r);
	expect_refusal("GET", "/api/v1/city/stats", who[4].token, NULL, 403, "FORBIDDEN");
	assert_int_equal(http_json(&r, "GET", "/api/v1/halls/chengbei/stats", who[8].token, NULL),
	    0);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	expect_refusal("GET", "/api/v1/halls/chengbei/stats", who[4].token, NULL, 403, "FORBIDDEN");
	expect_refusal("GET", "/api/v1/halls/demo/staff", who[8].token, NULL, 403, "FORBIDDEN");
}

FIXTURE(setup)
{
	char phone[16];
	size_t k;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(phone, sizeof phone, "136%08ld", (long)(time(NULL) % 100000000));
	for (k = 0; k < NELEM(who); k++) {
		int rc = who[k].user ? staff_login(who[k].user, who[k].window, who[k].token,
		    sizeof who[k].token) : citizen_login(phone, who[k].token, sizeof who[k].token);

		if (rc != 0) {
			fprintf(stderr, "cannot sign in as %s\n", who[k].name);
			return -1;
		}
	}
	return 0;
}

SUITE_MAIN("roles", setup, NULL)
