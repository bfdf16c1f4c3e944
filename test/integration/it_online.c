/*
 * it_online.c — online applications (issue 11) against the live test stack: uploads checked
 * by their bytes and refused without a trace (415, 413), read only by the owner and the
 * hall's staff, a citizen's application (submitted), the clerk's return listing every
 * problem, the resubmission, pre-acceptance with the window's deadline, tracking and SMS,
 * a bundle (一件事一次办) with parallel parts and the longest part's deadline, material reuse
 * with consent, and an agent (代办) who follows the case and gets the notices too.
 *
 * Uploads go through test/lib/flows.h (binary bodies); the JSON calls through test/lib/http.h.
 * The test looks into MariaDB (test_conf_load) and into upload_dir to prove that refused
 * uploads stored nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "../lib/http.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../lib/expect.h"
#include "../lib/steps.h"
#include "../lib/records.h"
#include "../lib/flows.h"
#include "../lib/suite.h"

#define APPLICANT "\"applicant\":{\"name\":\"王小明\",\"id_number\":\"11010519491231002X\"," \
	"\"phone\":\"13911110001\"}"

static char clerk[128], citizen_a[128], citizen_b[128], citizen_agent[128];

/* ---------------------------------------------------------------- helpers */

/* Files under upload_dir (recursively), temporary ones included. */
static long
files_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long n = 0;
	char p[1024];
	struct stat st;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		if (stat(p, &st) != 0)
			continue;
		n += S_ISDIR(st.st_mode) ? files_in(p) : 1;
	}
	closedir(d);
	return n;
}

static long
stored_files(void)
{
	return files_in(config_get("upload_dir", "/nonexistent"));
}

static long long
upload_rows(void)
{
	return db_count(&test_db, "SELECT COUNT(*) FROM uploads WHERE ? <> ''", "x");
}

static json_t *
item_materials(const char *item)
{
	struct resp r;
	char path[128];
	json_t *m;

	snprintf(path, sizeof path, "/api/v1/items/%s", item);
	assert_int_equal(http_json(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	m = json_incref(jget(r.json, "item.materials") ? jget(r.json, "item.materials") :
	    jget(r.json, "materials"));
	resp_free(&r);
	assert_non_null(m);
	return m;
}

/* ---------------------------------------------------------------- setup */

/* GET /me/cases as the bearer of tok: the newest case is no, with field (status, role) at
 * value. */
static void
newest_of_mine(const char *tok, const char *no, const char *field, const char *value)
{
	json_t *c = get_member(tok, "cases.0", "/api/v1/me/cases");
	const char *v;

	if (c == NULL || jstr(c, "no") == NULL)
		fail_msg("no case in GET /me/cases, %s expected", no);
	assert_string_equal(jstr(c, "no"), no);
	v = jstr(c, field);
	if (v == NULL || strcmp(v, value) != 0)
		fail_msg("my newest case %s: %s is %s, not %s", no, field, v ? v : "absent", value);
	json_decref(c);
}

FIXTURE(setup)
{
	static const struct signer who[] = {
		STAFF("clerk1", 1, clerk), CITIZEN("13911110001", citizen_a),
		CITIZEN("13911110002", citizen_b), CITIZEN("13911110003", citizen_agent),
	};

	return suite_sign_in(st, "2026-11-23T10:00:00+08:00", who);
}

/* ---------------------------------------------------------------- uploads */

TEST(uploads_checked_by_bytes_and_refusals_store_nothing)
{
	static const unsigned char gif[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff";
	unsigned char b[1024], *big;
	struct resp r;
	long files0 = stored_files();
	long long rows0 = upload_rows();
	size_t n, bign = 10u * 1024 * 1024 + 1;

	/* A GIF (or anything else) is refused whatever it claims to be. */
	upload(&r, citizen_a, "image/png", gif, sizeof gif - 1);
	assert_error(&r, 415, "UNSUPPORTED_TYPE");
	resp_free(&r);
	/* A PDF that claims to be a JPEG is refused too. */
	n = make_pdf(b, 1);
	upload(&r, citizen_a, "image/jpeg", b, n);
	assert_error(&r, 415, "UNSUPPORTED_TYPE");
	resp_free(&r);
	/* Over the 10 MiB per file: 413 with a message saying the limit. */
	big = calloc(1, bign);
	assert_non_null(big);
	memcpy(big, "\xff\xd8\xff\xe0", 4);
	upload(&r, citizen_a, "image/jpeg", big, bign);
	assert_error(&r, 413, "TOO_LARGE");
	assert_non_null(strstr(jstr(r.json, "error.message"), "10 MB"));
	resp_free(&r);
	free(big);
	/* Nothing on disk, nothing in the table. */
	assert_int_equal(stored_files(), files0);
	assert_int_equal(upload_rows(), rows0);

	/* JPEG, PNG and PDF are taken, stored once by content hash. */
	memcpy(b, "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20);
	/* bytes of this run only, so the file is new on disk */
	n = 20 + (size_t)snprintf((char *)b + 20, 64, "%ld-%ld", (long)time(NULL), (long)getpid());
	memcpy(b + n, "\xff\xd9", 2);
	n += 2;
	upload(&r, citizen_a, "image/jpeg", b, n);
	expect_status(&r, 201);
	assert_string_equal(jstr(r.json, "upload.type"), "image/jpeg");
	assert_int_equal(jint(r.json, "upload.size"), (long long)n);
	assert_int_equal(strlen(jstr(r.json, "upload.sha256")), 64);
	assert_true(strlen(jstr(r.json, "upload.id")) >= 22);
	resp_free(&r);
	upload(&r, citizen_a, "image/jpeg", b, n);	/* the same bytes again: a new id, one file */
	expect_status(&r, 201);
	resp_free(&r);
	assert_int_equal(stored_files(), files0 + 1);
	assert_int_equal(upload_rows(), rows0 + 2);
	n = make_png(b, 7);
	upload(&r, citizen_a, "image/png", b, n);
	expect_status(&r, 201);
	resp_free(&r);
	n = make_pdf(b, 7);
	upload(&r, citizen_a, "application/pdf", b, n);
	expect_status(&r, 201);
	resp_free(&r);

	/* Only on the upload route; anonymous callers are refused. */
	expect_reply("POST", "/api/v1/uploads", NULL, "{}", 401);
}

TEST(only_the_owner_and_hall_staff_read_a_file)
{
	unsigned char b[1024];
	struct resp r;
	char id[64], path[160];
	size_t n = make_png(b, 42);

	upload(&r, citizen_a, "image/png", b, n);
	expect_status(&r, 201);
	snprintf(id, sizeof id, "%s", jstr(r.json, "upload.id"));
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/uploads/%s", id);

	assert_int_equal(http_json(&r, "GET", path, citizen_a, NULL), 0);
	expect_status(&r, 200);
	assert_int_equal(r.len, n);
	assert_memory_equal(r.body, b, n);
	resp_free(&r);
	/* Another citizen: as if it did not exist. */
	expect_refusal("GET", path, citizen_b, NULL, 404, "NOT_FOUND");
	/* Staff see it only once a case of their hall names it. */
	expect_refusal("GET", path, clerk, NULL, 404, "NOT_FOUND");
	expect_reply("GET", path, NULL, NULL, 401);
	/* Never listed. */
	assert_int_equal(http_json(&r, "GET", "/api/v1/uploads", citizen_a, NULL), 0);
	assert_true(r.status == 404 || r.status == 405);
	resp_free(&r);
}

/* ---------------------------------------------------------------- the online case */

TEST(item_submit_return_resubmit_accept)
{
	json_t *mats = item_materials("IT-B-002");
	struct resp r;
	char m[2048], body[4096], no[64], path[160], newid[64], first[16], up[64];
	long long n;

	/* Nothing given for the required materials: every missing one at once. */
	snprintf(body, sizeof body, "{\"item\":\"IT-B-002\"," APPLICANT ",\"materials\":{}}");
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", citizen_a, body), 0);
	assert_error(&r, 422, "MATERIALS_INCOMPLETE");
	assert_int_equal(json_array_size(jget(r.json, "error.missing")), 5);
	resp_free(&r);
	/* Someone else's upload is not the applicant's to give. */
	upload_ok(citizen_b, 900, up, sizeof up);
	snprintf(body, sizeof body, "{\"item\":\"IT-B-002\"," APPLICANT
	    ",\"materials\":{\"M1\":\"%s\"}}", up);
	expect_fields("POST", "/api/v1/cases", citizen_a, body, "materials.M1");

	materials_for(citizen_a, mats, 100, m, sizeof m);
	snprintf(body, sizeof body, "{\"item\":\"IT-B-002\"," APPLICANT
	    ",\"materials\":%s,\"delivery\":\"mail\",\"address\":\"北京市东城区正义路1号\"}", m);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", citizen_a, body), 0);
	expect_strs(&r, 201, "case.status", "submitted", "case.channel", "online",
	    "case.applicant", "王**", NULL);
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	snprintf(first, sizeof first, "%s", jstr(r.json, "case.materials.0.code"));
	resp_free(&r);

	/* The clerk sees the files side by side, and may open them now. */
	snprintf(path, sizeof path, "/api/v1/cases/%s/uploads", no);
	assert_int_equal(http_json(&r, "GET", path, clerk, NULL), 0);
	expect_status(&r, 200);
	assert_int_equal(json_array_size(jget(r.json, "materials")), 5);
	snprintf(up, sizeof up, "%s", jstr(r.json, "materials.0.upload_id"));
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/uploads/%s", up);
	expect_reply("GET", path, clerk, NULL, 200);
	expect_reply("GET", path, citizen_b, NULL, 404);

	/* A citizen cannot accept; a return must list problems. */
	case_act_refused(citizen_a, no, "{\"action\":\"pre_accept\"}", 403, "FORBIDDEN");
	case_act_refused(clerk, no, "{\"action\":\"return\",\"problems\":[]}", 400,
	    "INVALID_INPUT");
	case_act_refused(clerk, no, "{\"action\":\"return\",\"problems\":[{\"material\":\"M9\","
	    "\"reason\":\"看不清\"}]}", 400, "INVALID_INPUT");

	snprintf(body, sizeof body, "{\"action\":\"return\",\"problems\":[{\"material\":\"%s\","
	    "\"reason\":\"照片模糊，看不清签字\"},{\"material\":\"M2\",\"reason\":\"缺少股东签字页\"}]}",
	    first);
	case_act_ok(clerk, no, body, "returned");
	n = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = 'case_returned' AND ref_id = ?", no);
	assert_int_equal(n, 1);
	/* Pre-accepting a returned case is a conflict. */
	case_act_refused(clerk, no, "{\"action\":\"pre_accept\"}", 409, "INVALID_TRANSITION");

	/* The citizen sees why, per material. */
	snprintf(path, sizeof path, "/api/v1/me/cases/%s", no);
	assert_int_equal(http_json(&r, "GET", path, citizen_a, NULL), 0);
	expect_strs(&r, 200, "case.status", "returned", "case.materials.0.state", "returned",
	    "case.materials.0.reason", "照片模糊，看不清签字", NULL);
	resp_free(&r);
	expect_reply("GET", path, citizen_b, NULL, 404);

	/* Resubmitting must replace every returned file. */
	upload_ok(citizen_a, 201, newid, sizeof newid);
	snprintf(body, sizeof body, "{\"action\":\"resubmit\",\"materials\":{\"%s\":\"%s\"}}",
	    first, newid);
	case_act(&r, citizen_a, no, body);
	assert_fields(&r, "materials.M2");
	resp_free(&r);
	case_act_expect(citizen_b, no, body, 404);
	upload_ok(citizen_a, 202, up, sizeof up);
	snprintf(body, sizeof body, "{\"action\":\"resubmit\",\"materials\":{\"%s\":\"%s\","
	    "\"M2\":\"%s\"}}", first, newid, up);
	case_act(&r, citizen_a, no, body);
	expect_strs(&r, 200, "case.status", "submitted", "case.materials.0.upload_id", newid,
	    "case.materials.0.state", "given", NULL);
	resp_free(&r);

	/* Accepted like at the window: deadline by the calendar, tracking, notice, SMS. */
	case_act(&r, clerk, no, "{\"action\":\"pre_accept\"}");
	expect_strs(&r, 200, "case.status", "accepted", "case.deadline", "2026-11-24", NULL);
	assert_non_null(jstr(r.json, "case.track_url"));
	assert_non_null(jstr(r.json, "case.notice_url"));
	resp_free(&r);
	n = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = 'case_accepted' AND ref_id = ?", no);
	assert_int_equal(n, 1);
	n = db_count(&test_db, "SELECT COUNT(*) FROM case_materials WHERE upload_id IS NOT NULL AND case_id ="
	    " (SELECT id FROM cases WHERE no = ?)", no);
	assert_int_equal(n, 5);
	/* Twice is a conflict. */
	case_act_refused(clerk, no, "{\"action\":\"pre_accept\"}", 409, "INVALID_TRANSITION");
	/* My applications. */
	newest_of_mine(citizen_a, no, "status", "accepted");
	http_at(&r, "GET", citizen_a, NULL, "/api/v1/me/cases/%s", no);
	expect_status(&r, 200);
	assert_non_null(jstr(r.json, "case.track_url"));
	resp_free(&r);
	json_decref(mats);
}

TEST(bundle_one_acceptance_parallel_parts_longest_deadline)
{
	json_t *b = bundle("BD-003");
	struct resp r;
	char m[4096], body[6000], no[64];
	json_t *mm;
	size_t i;
	int dup = 0;

	/* The union has no duplicates: 不动产登记申请书 stands for both items' M2. */
	assert_int_equal(json_array_size(jget(b, "items")), 2);
	json_array_foreach(jget(b, "materials"), i, mm)
		if (json_array_size(json_object_get(mm, "parts")) == 2)
			dup++;
	assert_true(dup >= 1);
	assert_int_equal(jint(b, "promised_days"), 5);

	materials_for(citizen_a, jget(b, "materials"), 300, m, sizeof m);
	snprintf(body, sizeof body, "{\"bundle\":\"BD-003\"," APPLICANT ",\"materials\":%s}", m);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", citizen_a, body), 0);
	expect_status(&r, 201);
	assert_string_equal(jstr(r.json, "case.bundle"), "BD-003");
	assert_int_equal(json_array_size(jget(r.json, "case.parts")), 2);
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	resp_free(&r);

	case_act(&r, clerk, no, "{\"action\":\"pre_accept\"}");
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "case.status"), "accepted");
	/* Five working days from Monday 2026-11-23; the 1-day part keeps its own. */
	assert_string_equal(jstr(r.json, "case.deadline"), "2026-11-30");
	assert_string_equal(jstr(r.json, "case.parts.0.deadline"), "2026-11-30");
	assert_string_equal(jstr(r.json, "case.parts.1.deadline"), "2026-11-24");
	resp_free(&r);
	json_decref(b);
}

TEST(reuse_with_consent_and_agent_follows)
{
	json_t *mats = item_materials("IT-B-002");
	struct resp r;
	char m[2048], body[4096], no[64];
	long long n;

	/* What the form may offer to reuse: nothing for one who never had a case accepted… */
	assert_int_equal(http_json(&r, "GET", "/api/v1/me/reusable-materials", citizen_b, NULL), 0);
	expect_status(&r, 200);
	assert_int_equal(json_array_size(jget(r.json, "materials")), 0);
	resp_free(&r);
	/* …and, for one who had, the names of what they gave. */
	assert_int_equal(http_json(&r, "GET", "/api/v1/me/reusable-materials", citizen_a, NULL), 0);
	expect_status(&r, 200);
	{
		size_t k, j;
		json_t *names = jget(r.json, "materials");

		for (k = 0; k < json_array_size(mats); k++) {
			const char *want = json_string_value(json_object_get(json_array_get(mats, k),
			    "name"));
			int seen = 0;

			for (j = 0; j < json_array_size(names); j++)
				seen |= strcmp(json_string_value(json_array_get(names, j)), want) == 0;
			if (k < 5 && !seen)
				fail_msg("reusable materials lack %s", want);
		}
	}
	resp_free(&r);
	expect_reply("GET", "/api/v1/me/reusable-materials", NULL, NULL, 401);

	/* A material never given before cannot be reused. */
	expect_fields("POST", "/api/v1/cases", citizen_b,
	    "{\"item\":\"IT-B-002\"," APPLICANT ",\"materials\":{\"M1\":\"reuse\"}}",
	    "materials.M1");

	/* citizen_a's IT-B-002 case was accepted above: M1 … M5 are on file. */
	snprintf(m, sizeof m, "{\"M1\":\"reuse\",\"M2\":\"reuse\",\"M3\":\"reuse\",\"M4\":\"reuse\","
	    "\"M5\":\"reuse\"}");
	snprintf(body, sizeof body, "{\"item\":\"IT-B-002\"," APPLICANT ",\"materials\":%s,"
	    "\"agent\":{\"name\":\"赵代办\",\"phone\":\"13911110003\"}}", m);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", citizen_a, body), 0);
	expect_status(&r, 201);
	assert_true(json_is_true(jget(r.json, "case.materials.0.reused")));
	assert_string_equal(jstr(r.json, "case.agent"), "赵**");
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	resp_free(&r);

	/* The agent follows it from their own phone. */
	newest_of_mine(citizen_agent, no, "role", "agent");
	expect_at("GET", citizen_agent, NULL, 200, NULL, "/api/v1/me/cases/%s", no);
	/* …but only the one who filed it resubmits. */
	case_act_expect(citizen_agent, no, "{\"action\":\"resubmit\",\"materials\":{}}", 404);

	/* Acceptance tells both. */
	case_act_expect(clerk, no, "{\"action\":\"pre_accept\"}", 200);
	n = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = 'case_accepted' AND ref_id = ?", no);
	assert_int_equal(n, 2);
	n = db_count(&test_db, "SELECT COUNT(*) FROM case_tracking WHERE holder = 'agent' AND case_id ="
	    " (SELECT id FROM cases WHERE no = ?)", no);
	assert_int_equal(n, 1);

	/* The back office's notices reach the agent too (the applicant and the agent: 2). */
	{
		char approver[128];

		assert_int_equal(staff_login("approver1", 0, approver, sizeof approver), 0);
		case_act_expect(approver, no, "{\"action\":\"assign\"}", 200);
		case_act_expect(approver, no,
		    "{\"action\":\"approve\",\"note\":\"材料齐全，准予登记\"}", 200);
	}
	/* IT-B-002's licence is delivered electronically: the SMS says where (result_online). */
	n = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = 'result_online' AND ref_id = ?", no);
	assert_int_equal(n, 2);
	json_decref(mats);
}

SUITE_MAIN("online", setup, suite_teardown)
