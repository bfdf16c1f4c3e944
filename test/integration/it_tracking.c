/*
 * it_tracking.c — QR codes and case tracking (issue 8) against the live test stack.
 *
 * A clerk accepts a real case (POST /cases); its tracking token must then give QR images
 * (PNG and SVG) that scan — with zbarimg, the SVG rasterised by rsvg-convert — to exactly
 * the absolute tracking URL, cacheable with an ETag; unknown, malformed and revoked tokens
 * get a 404 that says nothing; lookups on /api/v1/track/ are rate-limited per client (429 in
 * the API's JSON shape).  Queue tickets get QR codes of their /q/<token> page the same way.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/expect.h"
#include "../lib/flows.h"
#include "../lib/steps.h"
#include "../lib/suite.h"
#include "../lib/http.h"
#include "../lib/proc.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct tcase {
	char	 no[64];
	char	 token[128];
	char	 track_url[256];
	char	 notice_url[512];	/* the 受理通知书 to print: …/case-notices?n=… */
};

/* The first demo item of department dept (NULL: any) with a promised deadline, and the codes
 * of all its materials as a JSON array. */
static void
pick_item(const char *dept, char *id, size_t isz, char *mats, size_t msz)
{
	struct resp r;
	json_t *items, *it, *m, *codes;
	size_t i, j;
	char *s;

	assert_int_equal(http(&r, "GET", "/api/v1/items?hall=demo", NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	items = jget(r.json, "items");
	assert_true(json_array_size(items) > 0);
	json_array_foreach(items, i, it) {
		const char *kind = jstr(it, "kind"), *d = jstr(it, "department");

		if (kind == NULL || strcmp(kind, "promised") != 0)
			continue;
		if (dept && (d == NULL || strcmp(d, dept) != 0))
			continue;
		snprintf(id, isz, "%s", jstr(it, "id"));
		codes = json_array();
		json_array_foreach(jget(it, "materials"), j, m)
			json_array_append(codes, json_object_get(m, "code"));
		s = json_dumps(codes, JSON_COMPACT);
		snprintf(mats, msz, "%s", s);
		free(s);
		json_decref(codes);
		resp_free(&r);
		return;
	}
	fail_msg("no promised item of department %s in the demo hall", dept ? dept : "(any)");
}

/* A clerk at window 1 accepts a complete application; the case's number and token. */
static void
new_case(struct tcase *tc, const char *dept)
{
	struct resp r;
	char clerk[256], id[64], mats[1024], body[2048];

	assert_int_equal(staff_login("clerk1", 1, clerk, sizeof clerk), 0);
	pick_item(dept, id, sizeof id, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"item\":\"%s\",\"materials\":%s,\"delivery\":\"pickup\","
	    "\"applicant\":{\"name\":\"张三丰\",\"id_number\":\"11010519491231002X\","
	    "\"phone\":\"13800138000\"}}", id, mats);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", clerk, body), 0);
	if (r.status != 201)
		fprintf(stderr, "POST /cases: %ld %.400s\n", r.status, r.body ? r.body : "");
	assert_int_equal(r.status, 201);
	assert_string_equal(jstr(r.json, "case.status"), "accepted");
	snprintf(tc->no, sizeof tc->no, "%s", jstr(r.json, "case.no"));
	snprintf(tc->token, sizeof tc->token, "%s", jstr(r.json, "case.track_token"));
	snprintf(tc->track_url, sizeof tc->track_url, "%s", jstr(r.json, "case.track_url"));
	snprintf(tc->notice_url, sizeof tc->notice_url, "%s", jstr(r.json, "case.notice_url"));
	assert_true(strlen(tc->token) >= 22);		/* ≥ 128 bits in base64url */
	/* Neither the case number nor a database id is in the URL. */
	assert_null(strstr(tc->track_url, tc->no));
	resp_free(&r);
}

/* zbarimg's reading of an image file (one symbol, newline stripped); caller frees. */
static char *
scan(const char *file)
{
	char cmd[256], *out = calloc(1, 2048);
	size_t n = 0, k;
	FILE *p;

	assert_non_null(out);
	snprintf(cmd, sizeof cmd, "zbarimg --raw -q -Sdisable -Sqrcode.enable '%s' 2>/dev/null",
	    file);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (n < 2047 && (k = fread(out + n, 1, 2047 - n, p)) > 0)
		n += k;
	assert_int_equal(pclose(p), 0);
	if (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	return out;
}

/* GET path (a QR image), check it is one, and that it scans to exactly want. */
static void
assert_qr(const char *path, int svg, const char *want)
{
	struct resp r;
	char file[64], png[80], cmd[256], h[128], *got;

	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	if (r.status != 200)
		fprintf(stderr, "GET %s: %ld %.300s\n", path, r.status, r.body ? r.body : "");
	assert_int_equal(r.status, 200);
	assert_non_null(resp_header(&r, "Content-Type", h, sizeof h));
	assert_true(strncmp(h, svg ? "image/svg+xml" : "image/png", svg ? 13 : 9) == 0);
	proc_temp_file("it_tracking", r.body, r.len, svg ? ".svg" : ".png", file);
	if (svg) {
		snprintf(png, sizeof png, "%s.png", file);
		snprintf(cmd, sizeof cmd, "rsvg-convert -w 480 -b white -o '%s' '%s'", png, file);
		assert_int_equal(system(cmd), 0);
		got = scan(png);
		unlink(png);
	} else {
		assert_memory_equal(r.body, "\x89PNG", 4);
		got = scan(file);
	}
	if (strcmp(got, want) != 0)
		fprintf(stderr, "%s scans to [%s], want [%s]\n", path, got, want);
	assert_string_equal(got, want);
	free(got);
	unlink(file);
	resp_free(&r);
}

TEST(case_qr_scans_to_the_tracking_url)
{
	struct tcase tc;
	char path[256], want[512];

	new_case(&tc, NULL);
	snprintf(want, sizeof want, "%s%s", base_url(), tc.track_url);
	assert_string_equal(tc.track_url + 3, tc.token);
	assert_true(strncmp(tc.track_url, "/t/", 3) == 0);

	snprintf(path, sizeof path, "/api/v1/track/%s/qr.png", tc.token);
	assert_qr(path, 0, want);
	snprintf(path, sizeof path, "/api/v1/track/%s/qr.svg", tc.token);
	assert_qr(path, 1, want);
	/* Receipt printers and phones ask for other module sizes. */
	snprintf(path, sizeof path, "/api/v1/track/%s/qr.png?px=3", tc.token);
	assert_qr(path, 0, want);
	snprintf(path, sizeof path, "/api/v1/track/%s/qr.png?px=12", tc.token);
	assert_qr(path, 0, want);
}

TEST(qr_is_cacheable)
{
	struct tcase tc;
	struct resp r, r2;
	char path[256], etag[128], etag2[128], cc[128], inm[160];
	const char *hdr[2] = { inm, NULL };

	new_case(&tc, NULL);
	snprintf(path, sizeof path, "/api/v1/track/%s/qr.png", tc.token);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(resp_header(&r, "ETag", etag, sizeof etag));
	assert_int_equal(etag[0], '"');
	assert_non_null(resp_header(&r, "Cache-Control", cc, sizeof cc));
	assert_string_equal(cc, "public, max-age=86400");

	/* The same image again: 304, no body, the same validators. */
	snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
	assert_int_equal(http(&r2, "GET", path, NULL, hdr), 0);
	assert_int_equal(r2.status, 304);
	assert_int_equal(r2.len, 0);
	assert_non_null(resp_header(&r2, "ETag", etag2, sizeof etag2));
	assert_string_equal(etag, etag2);
	assert_non_null(resp_header(&r2, "Cache-Control", cc, sizeof cc));
	assert_string_equal(cc, "public, max-age=86400");
	resp_free(&r2);

	/* A weak form of the tag (nginx weakens tags of what it gzips) still matches. */
	snprintf(inm, sizeof inm, "If-None-Match: \"nope\", W/%s", etag);
	assert_int_equal(http(&r2, "GET", path, NULL, hdr), 0);
	assert_int_equal(r2.status, 304);
	resp_free(&r2);

	/* Another size or format is another image with another tag. */
	snprintf(path, sizeof path, "/api/v1/track/%s/qr.png?px=4", tc.token);
	assert_int_equal(http(&r2, "GET", path, NULL, hdr), 0);
	assert_int_equal(r2.status, 200);
	assert_non_null(resp_header(&r2, "ETag", etag2, sizeof etag2));
	assert_string_not_equal(etag, etag2);
	resp_free(&r2);
	snprintf(path, sizeof path, "/api/v1/track/%s/qr.svg", tc.token);
	assert_int_equal(http(&r2, "GET", path, NULL, hdr), 0);
	assert_int_equal(r2.status, 200);
	resp_free(&r2);
	resp_free(&r);
}

TEST(unknown_tokens_reveal_nothing)
{
	static const char *const paths[] = {
		"/api/v1/track/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/qr.png",
		"/api/v1/track/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/qr.svg",
		"/api/v1/track/a.b/qr.png",
		"/api/v1/track/x/qr.svg",
		"/api/v1/tickets/AAAAAAAAAAAAAAAAAAAAAAAA/qr.png",
		"/api/v1/tickets/AAAAAAAAAAAAAAAAAAAAAAAA/qr.svg",
		"/api/v1/appointments/AAAAAAAAAAAAAAAAAAAAAAAA/qr.png",
		"/api/v1/appointments/AAAAAAAAAAAAAAAAAAAAAAAA/qr.svg",
	};
	struct resp r, first;
	char cc[64];
	size_t i;

	assert_int_equal(http(&first, "GET", paths[0], NULL, NULL), 0);
	assert_error(&first, 404, "NOT_FOUND");
	assert_non_null(resp_header(&first, "Cache-Control", cc, sizeof cc));
	assert_string_equal(cc, "no-store");
	for (i = 1; i < NELEM(paths); i++) {
		assert_int_equal(http(&r, "GET", paths[i], NULL, NULL), 0);
		assert_error(&r, 404, "NOT_FOUND");
		/* The same words whatever was wrong. */
		assert_string_equal(jstr(r.json, "error.message"), jstr(first.json, "error.message"));
		resp_free(&r);
	}
	resp_free(&first);
}

TEST(bad_module_size_is_400)
{
	static const char *const bad[] = { "0", "21", "-1", "abc", "6.5" };
	struct tcase tc;
	struct resp r;
	char path[256];
	size_t i;

	new_case(&tc, NULL);
	for (i = 0; i < NELEM(bad); i++) {
		snprintf(path, sizeof path, "/api/v1/track/%s/qr.png?px=%s", tc.token, bad[i]);
		assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
		assert_fields(&r, "px");
		resp_free(&r);
	}
}

TEST(revoked_token_is_404)
{
	struct tcase tc;
	struct resp r;
	char clerk[256], path[256], fresh[128], want[512];

	new_case(&tc, NULL);
	assert_int_equal(staff_login("clerk1", 1, clerk, sizeof clerk), 0);
	snprintf(path, sizeof path, "/api/v1/cases/%s/track-token", tc.no);
	assert_int_equal(http_json(&r, "POST", path, clerk, "{}"), 0);
	if (r.status != 201)
		fprintf(stderr, "POST %s: %ld %.300s\n", path, r.status, r.body ? r.body : "");
	assert_int_equal(r.status, 201);
	snprintf(fresh, sizeof fresh, "%s", jstr(r.json, "track_token"));
	resp_free(&r);

	snprintf(path, sizeof path, "/api/v1/track/%s/qr.png", tc.token);
	expect_refusal("GET", path, NULL, NULL, 404, "NOT_FOUND");
	snprintf(path, sizeof path, "/api/v1/track/%s/qr.svg", tc.token);
	expect_refusal("GET", path, NULL, NULL, 404, "NOT_FOUND");

	snprintf(want, sizeof want, "%s/t/%s", base_url(), fresh);
	snprintf(path, sizeof path, "/api/v1/track/%s/qr.png", fresh);
	assert_qr(path, 0, want);
}

TEST(tracking_lookup_shows_the_case)
{
	struct tcase tc;
	struct resp r;
	char path[256];

	new_case(&tc, NULL);
	snprintf(path, sizeof path, "/api/v1/track/%s", tc.token);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "case.no"), tc.no);
	assert_string_equal(jstr(r.json, "case.status"), "accepted");
	/* The applicant's name, masked: the surname and stars. */
	assert_non_null(jstr(r.json, "case.applicant"));
	assert_true(strncmp(jstr(r.json, "case.applicant"), "张", strlen("张")) == 0);
	assert_non_null(strchr(jstr(r.json, "case.applicant"), '*'));
	assert_null(strstr(jstr(r.json, "case.applicant"), "三丰"));
	assert_non_null(jstr(r.json, "case.warning"));
	assert_true(json_array_size(jget(r.json, "case.steps")) >= 1);
	assert_string_equal(jstr(r.json, "case.steps.0.status"), "accepted");
	/* Nothing personal beyond the masked name. */
	assert_null(strstr(r.body, "13800138000"));
	assert_null(strstr(r.body, "11010519491231002X"));
	resp_free(&r);
}

/* The page is answered from Redis while nothing changed; a change of the case (the cases
 * room's case_changed) drops that copy, so the next lookup shows it at once. */
TEST(a_change_shows_at_once)
{
	struct tcase tc;
	struct resp r;
	char approver[256], path[256];
	int i;

	new_case(&tc, "scjg");
	snprintf(path, sizeof path, "/api/v1/track/%s", tc.token);
	for (i = 0; i < 2; i++) {	/* the first fills the copy, the second is served from it */
		assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
		assert_int_equal(r.status, 200);
		assert_string_equal(jstr(r.json, "case.status"), "accepted");
		resp_free(&r);
	}
	assert_int_equal(staff_login("approver1", 0, approver, sizeof approver), 0);
	case_act_ok(approver, tc.no, "{\"action\":\"assign\"}", "processing");
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "case.status"), "processing");
	resp_free(&r);
}

TEST(ticket_qr_scans_to_the_ticket_page)
{
	struct resp r;
	char kiosk[256], path[256], want[512];
	const char *tok;

	assert_int_equal(staff_login("kiosk1", 0, kiosk, sizeof kiosk), 0);
	assert_int_equal(http_json(&r, "POST", "/api/v1/halls/demo/tickets", kiosk,
	    "{\"category\":\"A\",\"priority\":\"normal\"}"), 0);
	if (r.status != 201)
		fprintf(stderr, "POST tickets: %ld %.300s\n", r.status, r.body ? r.body : "");
	assert_int_equal(r.status, 201);
	tok = jstr(r.json, "ticket.token");
	assert_non_null(tok);
	snprintf(want, sizeof want, "%s/q/%s", base_url(), tok);
	snprintf(path, sizeof path, "/api/v1/tickets/%s/qr.png", tok);
	assert_qr(path, 0, want);
	snprintf(path, sizeof path, "/api/v1/tickets/%s/qr.svg", tok);
	assert_qr(path, 1, want);
	/* The same letters in another case are another token. */
	{
		char other[128];
		size_t i;

		snprintf(other, sizeof other, "%s", tok);
		for (i = 0; other[i]; i++)
			if (other[i] >= 'a' && other[i] <= 'z')
				other[i] = (char)(other[i] - 'a' + 'A');
			else if (other[i] >= 'A' && other[i] <= 'Z')
				other[i] = (char)(other[i] - 'A' + 'a');
		snprintf(path, sizeof path, "/api/v1/tickets/%s/qr.png", other);
		expect_refusal("GET", path, NULL, NULL, 404, "NOT_FOUND");
	}
	resp_free(&r);
}

/* A valid 18-digit resident ID number with a random sequence (the check digit computed). */
static void
random_id(char out[19])
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char check[] = "10X98765432";
	int i, sum = 0;

	snprintf(out, 19, "11010519800101%03d", (int)(random() % 1000));
	for (i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = check[sum % 11];
	out[18] = '\0';
}

/* A citizen books a place; the booking's QR says <base>/a/<token>; once cancelled, 404. */
TEST(appointment_qr_scans_to_the_booking)
{
	struct resp r;
	char phone[16], tok[256], id[19], body[512], path[256], want[512], appt[128];
	char slot_id[64];
	const char *slot = NULL;
	json_t *s;
	size_t i;
	int tries, d;
	char cat;

	srandom((unsigned)getpid());
	snprintf(phone, sizeof phone, "139%08ld", random() % 100000000L);
	for (tries = 0; tries < 10 && citizen_login(phone, tok, sizeof tok) != 0; tries++)
		usleep(500 * 1000);
	assert_true(tries < 10);
	/* A free place on a working day after the test stack's start (Monday 2026-11-23); other
	 * tests may have filled some (the booking rush), so look through a few days and lines. */
	for (d = 25; d <= 27 && slot == NULL; d++)
		for (cat = 'A'; cat <= 'E' && slot == NULL; cat++) {
			snprintf(path, sizeof path, "/api/v1/halls/demo/slots?category=%c"
			    "&date=2026-11-%d", cat, d);
			assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
			assert_int_equal(r.status, 200);
			json_array_foreach(jget(r.json, "slots"), i, s)
				if (jint(s, "remaining") > 0) {
					snprintf(slot_id, sizeof slot_id, "%s", jstr(s, "id"));
					slot = slot_id;
					break;
				}
			resp_free(&r);
		}
	assert_non_null(slot);
	random_id(id);
	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"category\":\"%c\",\"slot\":\"%s\","
	    "\"name\":\"王小明\",\"id_number\":\"%s\"}", slot[0], slot, id);
	assert_int_equal(http_json(&r, "POST", "/api/v1/appointments", tok, body), 0);
	if (r.status != 201)
		fprintf(stderr, "POST /appointments: %ld %.300s\n", r.status, r.body ? r.body : "");
	assert_int_equal(r.status, 201);
	snprintf(appt, sizeof appt, "%s", jstr(r.json, "appointment.token"));
	resp_free(&r);

	snprintf(want, sizeof want, "%s/a/%s", base_url(), appt);
	snprintf(path, sizeof path, "/api/v1/appointments/%s/qr.png", appt);
	assert_qr(path, 0, want);
	snprintf(path, sizeof path, "/api/v1/appointments/%s/qr.svg", appt);
	assert_qr(path, 1, want);

	snprintf(path, sizeof path, "/api/v1/appointments/%s", appt);
	expect_reply("DELETE", path, tok, NULL, 204);
	snprintf(path, sizeof path, "/api/v1/appointments/%s/qr.png", appt);
	expect_refusal("GET", path, NULL, NULL, 404, "NOT_FOUND");
}

/* The printed notices: the 受理通知书 shows the tracking QR (its address is ours), the
 * 一次性告知书 a QR of the notice itself. */
TEST(notice_qrs)
{
	struct resp r;
	char clerk[256], id[64], mats[1024], body[2048], path[512], want[512];
	const char *url, *n;

	assert_int_equal(staff_login("clerk1", 1, clerk, sizeof clerk), 0);
	pick_item(NULL, id, sizeof id, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"item\":\"%s\",\"materials\":[],\"delivery\":\"pickup\","
	    "\"applicant\":{\"name\":\"张三丰\",\"id_number\":\"11010519491231002X\","
	    "\"phone\":\"13800138000\"}}", id);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", clerk, body), 0);
	assert_error(&r, 422, "MATERIALS_INCOMPLETE");
	url = jstr(r.json, "error.notice_url");
	assert_non_null(url);
	n = strstr(url, "?n=");
	assert_non_null(n);
	snprintf(want, sizeof want, "%s%s", base_url(), url);
	snprintf(path, sizeof path, "/api/v1/case-notices/qr.png?n=%s", n + 3);
	assert_qr(path, 0, want);
	snprintf(path, sizeof path, "/api/v1/case-notices/qr.svg?n=%s", n + 3);
	assert_qr(path, 1, want);
	resp_free(&r);

	assert_int_equal(http(&r, "GET", "/api/v1/case-notices/qr.png", NULL, NULL), 0);
	assert_fields(&r, "n");
	resp_free(&r);
	assert_int_equal(http(&r, "GET", "/api/v1/case-notices/qr.svg?n=AAAAAAAAAAAAAAAAAAAAAAAA",
	    NULL, NULL), 0);
	assert_error(&r, 404, "NOT_FOUND");
	resp_free(&r);
}

TEST(accepted_notice_prints_the_tracking_address)
{
	struct tcase tc;
	struct resp r;
	char path[600], want[512];
	const char *n;

	new_case(&tc, NULL);
	assert_non_null(n = strstr(tc.notice_url, "?n="));
	snprintf(path, sizeof path, "/api/v1/case-notices?n=%s", n + 3);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	/* What the notice prints is exactly what its QR code says. */
	snprintf(want, sizeof want, "%s/t/%s", base_url(), tc.token);
	assert_string_equal(jstr(r.json, "notice.case.track_url"), want);
	snprintf(path, sizeof path, "/api/v1/track/%s/qr.svg", tc.token);
	assert_qr(path, 1, want);
	resp_free(&r);
}

/*
 * Hammer /api/v1/track/ from one client until nginx says 429 in the API's shape, then wait
 * for the bucket to refill so later tests (and the browser tests) are not throttled.
 */
TEST(lookups_are_rate_limited)
{
	struct resp r;
	char ra[16];
	int i, limited = 0;

	for (i = 0; i < 2000 && !limited; i++) {
		assert_int_equal(http(&r, "GET", "/api/v1/track/AAAAAAAAAAAAAAAAAAAAAA", NULL,
		    NULL), 0);
		if (r.status == 429) {
			limited = 1;
			assert_error(&r, 429, "RATE_LIMITED");
			assert_non_null(resp_header(&r, "Retry-After", ra, sizeof ra));
		} else
			assert_int_equal(r.status, 404);
		resp_free(&r);
	}
	assert_true(limited);
	assert_true(i > 20);	/* generous: a phone's poll never meets it */
	for (i = 0; i < 60; i++) {
		sleep(1);
		assert_int_equal(http(&r, "GET", "/api/v1/track/AAAAAAAAAAAAAAAAAAAAAA", NULL,
		    NULL), 0);
		limited = r.status == 429;
		resp_free(&r);
		if (!limited)
			break;
	}
	assert_false(limited);
	/* The bucket refills at the configured rate; give the burst back to later tests. */
	sleep(6);
}

SUITE_MAIN("tracking", NULL, NULL)
