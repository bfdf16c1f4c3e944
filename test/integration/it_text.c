/*
 * it_text.c — text that must never cause a 500 or a silent failure (issue 17, items 1 and 8),
 * against the live test stack.
 *
 * Every POST/PUT/PATCH route of the rooms' tables (modules/<room>/routes.c) that takes text is driven with valid but
 * unusual text: Chinese addresses at their documented limit, 4-byte characters (𠮷, emoji),
 * names with ·, full-width digits (１２３), mixed scripts.  No answer may be a 5xx, and what
 * was stored reads back intact — masked by characters where the API masks.  The route table
 * at the end (`text_routes`) names each such route and the test that drives it with text it
 * must keep; `every_text_route_survives_unusual_strings` checks against the rooms' route tables that no
 * POST/PUT/PATCH route is missing from it and sends each one every member filled with
 * unusual strings.
 *
 * Item 8: a reason an SMS cannot carry (CR/LF, 【】, ${, a link) is refused at the door with
 * 400 naming the field and creates nothing; an unusual reason it can carry reaches the SMS
 * log intact.
 *
 * The test looks into MariaDB itself (test_conf_load) to count rows and to read outbox rows,
 * creates an approver of the ybj department if missing (its name has · and 𠮷), and moves
 * the hall clock to a Tuesday morning (put back at the end).
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

#include <curl/curl.h>

#include "../lib/expect.h"
#include "../lib/steps.h"
#include "../lib/http.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../modules/hall/staff.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../lib/flows.h"
#include "../../fcgi/yc.h"
#include "../../programs/assembly.h"

#define API "/api/v1"
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static char clerk[128], approver[128], approver_ybj[128], manager[128], kiosk[128];
static char citizen_book[128], citizen_apply[128];
static unsigned run_id;		/* makes phones and ID numbers of this run distinct */

/* State the route sweep reuses: real ids so each handler gets past its lookups. */
static char case_open[64];		/* a case of this run (mailed by then) */
static char ticket_token[96], appt_token[96], slot_id[40];
static long long rect_id;

/* ---------------------------------------------------------------- unusual text */

/* Characters that are valid everywhere text is free, and unusual: CJK Extension B, emoji,
 * the middle dot of transcribed names, full-width digits, Latin with accents, Greek,
 * Cyrillic, a dash, 〇.  None is a control character, none is refused by an SMS. */
static const char *const odd[] = {
	"𠮷", "😀", "·", "１", "２", "３", "号", "楼", "é", "Ω", "Ж", "a", "7", "路", "〇", "—",
	"幸", "福", "ü", "🏠",
};
/* Characters of a name (appointments refuse ASCII digits and punctuation in names). */
static const char *const name_chars[] = { "阿", "依", "古", "丽", "·", "𠮷", "买", "提", "é" };

/* n characters from set, starting at index `from`, into out. */
static void
make_text(char *out, size_t osz, const char *const *set, size_t nset, size_t n, size_t from)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), osz - strlen(out), "%s", set[(from + i) % nset]);
}

#define ODD(out, n, from)  make_text(out, sizeof out, odd, NELEM(odd), n, from)
#define NAME(out, n, from) make_text(out, sizeof out, name_chars, NELEM(name_chars), n, from)

/* Characters of UTF-8 text, counted here without the code under test. */
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Bytes of the first k characters of s. */
static size_t
prefix(const char *s, size_t k)
{
	size_t i = 0;

	while (s[i] && k > 0) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		k--;
	}
	return i;
}

/* What the API documents: a name keeps its first character (two of a name of four or
 * more), then one * per character; an address its first 6 characters (at most half of
 * them), then ****. */
static void
expect_name_mask(const char *name, char *out, size_t osz)
{
	size_t n = chars(name), keep = n >= 4 ? 2 : 1, i;

	snprintf(out, osz, "%.*s", (int)prefix(name, keep), name);
	for (i = keep; i < n; i++)
		snprintf(out + strlen(out), osz - strlen(out), "*");
}

static void
expect_address_mask(const char *addr, char *out, size_t osz)
{
	size_t keep = chars(addr) / 2;

	if (keep > 6)
		keep = 6;
	snprintf(out, osz, "%.*s****", (int)prefix(addr, keep), addr);
}

/* A mobile number of this run: 135 0017 and four digits from run_id and k. */
static void
phone_of(char out[12], unsigned k)
{
	snprintf(out, 12, "1350017%04u", (run_id * 10 + k) % 10000);
}

/* ---------------------------------------------------------------- requests */

static void
no5xx(const struct resp *r, const char *what)
{
	if (r->status >= 500 || r->status == 0)
		fail_msg("%s answered %ld: %.600s", what, r->status, r->body ? r->body : "");
}

/* method path with a JSON body built by jansson (which escapes CR/LF and the rest); the
 * body is taken. */
static void
call(struct resp *r, const char *method, const char *path, const char *token, json_t *body)
{
	char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;

	assert_int_equal(http_json(r, method, path, token, s), 0);
	free(s);
	json_decref(body);
	no5xx(r, path);
}

static void
act(struct resp *r, const char *token, const char *no, json_t *body)
{
	char path[160];

	snprintf(path, sizeof path, API "/cases/%s/actions", no);
	call(r, "POST", path, token, body);
}

static void
act_ok(const char *token, const char *no, json_t *body, const char *status)
{
	struct resp r;

	act(&r, token, no, body);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "case.status"), status);
	resp_free(&r);
}

static void
get_case(struct resp *r, const char *token, const char *no, int reveal)
{
	char path[160];

	snprintf(path, sizeof path, API "/cases/%s%s", no, reveal ? "?reveal=1" : "");
	call(r, "GET", path, token, NULL);
	expect_status(r, 200);
}

/* POST /cases at the window; extra members are merged into the body (taken). */
static void
accept_case(const char *item, const char *name, const char *phone, json_t *extra, char no[64])
{
	struct resp r;
	char id[19];
	json_t *b;

	make_id(id, "19850615", (int)(run_id + 7));
	b = json_pack("{s:s,s:{s:s,s:s,s:s},s:o}", "item", item, "applicant", "name", name,
	    "id_number", id, "phone", phone, "materials", material_codes(item, 1, 0));
	if (extra) {
		json_object_update(b, extra);
		json_decref(extra);
	}
	call(&r, "POST", API "/cases", clerk, b);
	expect_status(&r, 201);
	snprintf(no, 64, "%s", jstr(r.json, "case.no"));
	resp_free(&r);
}

/* The newest history entry of a case with this action (staff view), as a new reference. */
static json_t *
history_of(const char *no, const char *action)
{
	struct resp r;
	json_t *h, *found = NULL;
	size_t i;

	get_case(&r, clerk, no, 0);
	json_array_foreach(jget(r.json, "case.history"), i, h)
		if (strcmp(jstr(h, "action"), action) == 0) {
			json_decref(found);
			found = json_incref(h);
		}
	resp_free(&r);
	assert_non_null(found);
	return found;
}

/* ---------------------------------------------------------------- setup */

FIXTURE(setup)
{
	char p1[12], p2[12];
	const struct signer who[] = {
		STAFF("clerk1", 1, clerk), STAFF("approver1", 0, approver),
		STAFF("approver_ybj_t", 0, approver_ybj), STAFF("manager1", 0, manager),
		STAFF("kiosk1", 0, kiosk), CITIZEN(p1, citizen_book), CITIZEN(p2, citizen_apply),
	};

	if (suite_setup(st) != 0)
		return -1;
	run_id = (unsigned)getpid() % 997;
	/* An approver whose own name is unusual: it goes into the timeline ("由 … 办理"). */
	ensure_staff("approver_ybj_t", "阿依古丽·𠮷", "approver", "ybj");
	set_clock("2026-11-24T09:30:00+08:00");
	usleep(300 * 1000);
	phone_of(p1, 1);
	phone_of(p2, 2);
	return sign_in_all(who);
}

/* ---------------------------------------------------------------- window acceptance */

/*
 * The report of issue 17: mail delivery with 1号楼2单元301室幸福路88号 answered 500 (the
 * address mask was cut inside 室).  Then the documented limits with 4-byte characters: a
 * 60-character address, a 20-character name with · and 𠮷, a 200-character note, a
 * 100-character processing office.
 */
TEST(window_acceptance_keeps_unusual_text)
{
	static const char issue_addr[] = "1号楼2单元301室幸福路88号";
	char no[64], no2[64], addr[300], name[100], note[900], office[450], mask[300], phone[12];
	struct resp r;
	json_t *h;

	phone_of(phone, 3);
	accept_case("IT-B-004", "张三", phone, json_pack("{s:s,s:s}", "delivery", "mail",
	    "address", issue_addr), no);
	get_case(&r, clerk, no, 0);
	expect_address_mask(issue_addr, mask, sizeof mask);
	assert_string_equal(jstr(r.json, "case.address"), mask);
	assert_string_equal(mask, "1号楼2单元****");
	resp_free(&r);
	get_case(&r, clerk, no, 1);
	assert_string_equal(jstr(r.json, "case.address"), issue_addr);
	resp_free(&r);

	ODD(addr, 60, 0);
	NAME(name, 20, 0);
	ODD(note, 200, 3);
	assert_int_equal(chars(addr), 60);
	accept_case("IT-B-004", name, phone, json_pack("{s:s,s:s,s:s}", "delivery", "mail",
	    "address", addr, "note", note), no2);
	get_case(&r, clerk, no2, 0);
	expect_address_mask(addr, mask, sizeof mask);
	assert_string_equal(jstr(r.json, "case.address"), mask);
	expect_name_mask(name, mask, sizeof mask);
	assert_string_equal(jstr(r.json, "case.applicant.name"), mask);
	assert_string_equal(jstr(r.json, "case.history.0.note"), note);
	resp_free(&r);
	get_case(&r, clerk, no2, 1);
	assert_string_equal(jstr(r.json, "case.address"), addr);
	assert_string_equal(jstr(r.json, "case.applicant.name"), name);
	resp_free(&r);
	/* The printable notice shows the masked name too. */

	/* 跨省通办: a 100-character office, kept whole, and told on the timeline when the
	 * part is assigned ("材料已流转至办理地（…）审批"). */
	ODD(office, 100, 5);
	accept_case("IT-F-001", name, phone, json_pack("{s:s}", "processing_office", office), no);
	get_case(&r, clerk, no, 0);
	assert_string_equal(jstr(r.json, "case.cross.processing_office"), office);
	resp_free(&r);
	act_ok(approver_ybj, no, json_pack("{s:s,s:s}", "action", "assign", "note", note),
	    "processing");
	h = history_of(no, "assign");
	assert_non_null(strstr(jstr(h, "public_note"), office));
	/* "由 <approver> 办理；<note>": the approver's name (· 𠮷) and the whole note. */
	assert_non_null(strstr(jstr(h, "note"), "阿依古丽·𠮷"));
	assert_non_null(strstr(jstr(h, "note"), note));
	json_decref(h);
}

/* `mail` on a case to be collected at the window, without an address: chk_cases_mail made it
 * a 500.  Now 400 naming address, and nothing changes; with an address it is mailed. */
TEST(mail_on_a_pickup_case_needs_an_address)
{
	char no[64], addr[300], mask[300], phone[12], carrier[120];
	long long hist0, sms0;
	struct resp r;

	phone_of(phone, 4);
	accept_case("IT-B-004", "李四", phone, NULL, no);
	act_ok(approver, no, json_pack("{s:s}", "action", "assign"), "processing");
	act_ok(approver, no, json_pack("{s:s}", "action", "approve"), "approved");
	hist0 = case_rows("case_history h", no, NULL);
	sms0 = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE ref_id = ?", no);

	act(&r, clerk, no, json_pack("{s:s,s:s,s:s}", "action", "mail", "carrier", "EMS",
	    "tracking_no", "EA123456789CN"));
	assert_fields(&r, "address");
	resp_free(&r);
	get_case(&r, clerk, no, 0);
	assert_string_equal(jstr(r.json, "case.status"), "approved");
	assert_string_equal(jstr(r.json, "case.delivery"), "pickup");
	resp_free(&r);
	assert_int_equal(case_rows("case_history h", no, NULL), hist0);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE ref_id = ?", no), sms0);

	/* With a 60-character address of unusual characters and a carrier with 𠮷: mailed,
	 * the address kept whole and masked by characters. */
	ODD(addr, 60, 7);
	snprintf(carrier, sizeof carrier, "顺丰速运𠮷·１号");
	act_ok(clerk, no, json_pack("{s:s,s:s,s:s,s:s}", "action", "mail", "carrier", carrier,
	    "tracking_no", "SF1234567890123", "address", addr), "mailed");
	get_case(&r, clerk, no, 0);
	expect_address_mask(addr, mask, sizeof mask);
	assert_string_equal(jstr(r.json, "case.address"), mask);
	assert_string_equal(jstr(r.json, "case.mail.carrier"), carrier);
	resp_free(&r);
	get_case(&r, clerk, no, 1);
	assert_string_equal(jstr(r.json, "case.address"), addr);
	resp_free(&r);
}

/* The back office with unusual notes at every step, the pickup, the closing, the review
 * and the rectification of a bad review — every text read back whole. */
TEST(back_office_keeps_unusual_text)
{
	char no[64], note[900], sup[900], phone[12], comment[2100], text[2100], path[160];
	char track[96];
	struct resp r;
	json_t *h, *t;
	size_t i;

	phone_of(phone, 5);
	accept_case("IT-B-004", "王·𠮷", phone, NULL, no);
	get_case(&r, clerk, no, 0);
	assert_string_equal(jstr(r.json, "case.applicant.name"), "王**");
	resp_free(&r);
	ODD(note, 200, 1);
	act_ok(approver, no, json_pack("{s:s,s:s}", "action", "assign", "note", note),
	    "processing");
	h = history_of(no, "assign");	/* "由 <approver> 办理；<note>", the note whole */
	assert_non_null(strstr(jstr(h, "note"), note));
	json_decref(h);
	ODD(sup, 200, 9);
	act_ok(approver, no, json_pack("{s:s,s:[s],s:s}", "action", "request_supplement",
	    "materials", "M1", "note", sup), "supplement_needed");
	h = history_of(no, "request_supplement");
	assert_string_equal(jstr(h, "note"), sup);
	assert_non_null(strstr(jstr(h, "public_note"), sup));
	json_decref(h);
	get_case(&r, clerk, no, 0);
	assert_string_equal(jstr(r.json, "case.supplements.0.note"), sup);
	resp_free(&r);
	act_ok(clerk, no, json_pack("{s:s,s:s}", "action", "supplement", "note", note),
	    "processing");
	act_ok(approver, no, json_pack("{s:s,s:s}", "action", "approve", "note", note),
	    "approved");
	get_case(&r, clerk, no, 0);
	assert_string_equal(jstr(r.json, "case.decision.note"), note);
	resp_free(&r);
	act_ok(clerk, no, json_pack("{s:s,s:s}", "action", "ready", "note", note), "ready");
	act_ok(clerk, no, json_pack("{s:s,s:s,s:s}", "action", "hand_over", "identity_checked",
	    "id_card", "note", note), "closed");
	h = history_of(no, "hand_over");
	assert_non_null(strstr(jstr(h, "note"), note));
	json_decref(h);

	/* A new tracking token, then a bad review of the closed case with a 500-character
	 * comment, and its rectification with 500-character notes. */
	snprintf(path, sizeof path, API "/cases/%s/track-token", no);
	call(&r, "POST", path, clerk, json_object());
	expect_status(&r, 201);
	snprintf(track, sizeof track, "%s", jstr(r.json, "track_token"));
	resp_free(&r);
	ODD(comment, 500, 11);
	call(&r, "POST", API "/reviews", NULL, json_pack("{s:s,s:i,s:s,s:{s:i}}", "case", track,
	    "score", 1, "comment", comment, "indicators", "attitude", 1));
	expect_status(&r, 201);
	assert_true(json_is_true(jget(r.json, "review.rectification")));
	resp_free(&r);
	call(&r, "GET", API "/halls/demo/rectifications?status=all&limit=500", manager, NULL);
	expect_status(&r, 200);
	json_array_foreach(jget(r.json, "rectifications"), i, t)
		if (strcmp(jstr(t, "ref"), no) == 0) {
			assert_string_equal(jstr(t, "comment"), comment);
			rect_id = jint(t, "id");
		}
	resp_free(&r);
	assert_true(rect_id > 0);
	ODD(text, 500, 13);
	snprintf(path, sizeof path, API "/halls/demo/rectifications/%lld", rect_id);
	call(&r, "PATCH", path, manager, json_pack("{s:b,s:s,s:s}", "contacted", 1,
	    "contact_note", text, "cause", comment));
	expect_strs(&r, 200, "rectification.contact_note", text, "rectification.cause", comment,
	    NULL);
	resp_free(&r);
	snprintf(path, sizeof path, API "/halls/demo/rectifications/%lld/close", rect_id);
	call(&r, "POST", path, manager, json_pack("{s:s}", "fix", text));
	expect_strs(&r, 200, "rectification.fix", text, "rectification.status", "fixed", NULL);
	resp_free(&r);
}

/* ---------------------------------------------------------------- SMS text (item 8) */

/* An unusual reason the SMS can carry reaches the applicant's SMS intact. */
TEST(rejection_reason_reaches_the_sms_intact)
{
	static const char reason[] = "营业执照𠮷已过期😀·请携带１２３号原件";
	char no[64], phone[12];
	long since;
	json_t *line;
	struct resp r;

	phone_of(phone, 6);
	accept_case("IT-B-004", "赵五", phone, NULL, no);
	act_ok(approver, no, json_pack("{s:s}", "action", "assign"), "processing");
	since = sms_log_size();
	act_ok(approver, no, json_pack("{s:s,s:s}", "action", "reject", "reason", reason),
	    "rejected");
	get_case(&r, clerk, no, 0);
	assert_string_equal(jstr(r.json, "case.decision.note"), reason);
	resp_free(&r);
	assert_int_equal(sms_log_find_since(since, phone, "case_rejected", &line, 15000), 0);
	assert_string_equal(jstr(line, "params.reason"), reason);
	assert_non_null(strstr(jstr(line, "text"), reason));
	json_decref(line);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = 'case_rejected'"
	    " AND ref_id = ? AND status = 'failed'", no), 0);
}

/* What an SMS cannot carry is refused with 400 naming the field, and nothing is created:
 * the case stays where it was, no history, no outbox row. */
TEST(text_an_sms_cannot_carry_is_refused_at_the_door)
{
	static const char *const bad[] = {
		"材料不全\r\n请补交", "【重要】营业执照已过期", "见${code}", "原因\t说明",
		"详见www.gdzwfw.gov.cn", "请访问 HTTPS://x.cn",
	};
	char no[64], phone[12], tn[40];
	long long hist0, sms0;
	struct resp r;
	size_t i;

	phone_of(phone, 7);
	accept_case("IT-B-004", "钱六", phone, NULL, no);
	act_ok(approver, no, json_pack("{s:s}", "action", "assign"), "processing");
	hist0 = case_rows("case_history h", no, NULL);
	sms0 = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE ref_id = ?", no);
	for (i = 0; i < NELEM(bad); i++) {
		act(&r, approver, no, json_pack("{s:s,s:s}", "action", "reject", "reason", bad[i]));
		assert_fields(&r, "reason");
		resp_free(&r);
		/* The reason given as "note" is named as note. */
		act(&r, approver, no, json_pack("{s:s,s:s}", "action", "reject", "note", bad[i]));
		assert_fields(&r, "note");
		resp_free(&r);
	}
	get_case(&r, clerk, no, 0);
	assert_string_equal(jstr(r.json, "case.status"), "processing");
	assert_true(json_is_null(jget(r.json, "case.decision")));
	resp_free(&r);
	assert_int_equal(case_rows("case_history h", no, NULL), hist0);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE ref_id = ?", no), sms0);

	/* Mail: the carrier and the tracking number go into the SMS too. */
	act_ok(approver, no, json_pack("{s:s}", "action", "approve"), "approved");
	sms0 = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE ref_id = ?", no);
	act(&r, clerk, no, json_pack("{s:s,s:s,s:s,s:s}", "action", "mail", "carrier",
	    "【顺丰】", "tracking_no", "SF1234567890", "address", "北京市东城区正义路1号"));
	assert_fields(&r, "carrier");
	resp_free(&r);
	/* 27 characters: more than an SMS variable holds (26 with the log provider). */
	snprintf(tn, sizeof tn, "SF12345678901234567890ABCDE");
	act(&r, clerk, no, json_pack("{s:s,s:s,s:s,s:s}", "action", "mail", "carrier", "顺丰速运",
	    "tracking_no", tn, "address", "北京市东城区正义路1号"));
	assert_fields(&r, "tracking_no");
	resp_free(&r);
	get_case(&r, clerk, no, 0);
	assert_string_equal(jstr(r.json, "case.status"), "approved");
	resp_free(&r);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE ref_id = ?", no), sms0);
	/* 26 is taken. */
	tn[26] = '\0';
	act_ok(clerk, no, json_pack("{s:s,s:s,s:s,s:s}", "action", "mail", "carrier", "顺丰速运",
	    "tracking_no", tn, "address", "北京市东城区正义路1号"), "mailed");
	snprintf(case_open, sizeof case_open, "%s", no);
}

/* ---------------------------------------------------------------- online */

/* POST /uploads of a small PNG, its bytes this run's own; its id into id. */
static void
upload_png(const char *token, unsigned seed, char *id, size_t isz)
{
	unsigned char b[1024];

	upload_file(token, "image/png", b, make_png(b, (int)(run_id * 1000 + seed)), id, isz);
}

/* A citizen's online application with an unusual name, agent and 60-character address; the
 * clerk returns it with unusual 100-character reasons (一次性告知), the citizen resubmits,
 * the clerk accepts it with a 200-character note. */
TEST(online_application_keeps_unusual_text)
{
	char name[100], agent[100], addr[300], reason[450], reason2[450], note[900], mask[300];
	char phone[12], aphone[12], id[19], up[64], no[64], path[160], first[20] = "";
	json_t *mats = material_codes("IT-B-002", 1, 0), *given = json_object(), *m, *h;
	struct resp r;
	size_t i;
	long long sms0;

	phone_of(phone, 2);
	phone_of(aphone, 8);
	make_id(id, "19930303", (int)(run_id + 31));	/* a birth date no other suite uses */
	NAME(name, 20, 2);
	NAME(agent, 7, 4);
	ODD(addr, 60, 2);
	json_array_foreach(mats, i, m) {
		upload_png(citizen_apply, (unsigned)i, up, sizeof up);
		json_object_set_new(given, json_string_value(m), json_string(up));
		if (first[0] == '\0')
			snprintf(first, sizeof first, "%s", json_string_value(m));
	}
	json_decref(mats);
	call(&r, "POST", API "/cases", citizen_apply, json_pack("{s:s,s:{s:s,s:s,s:s},s:o,s:s,"
	    "s:s,s:{s:s,s:s}}", "item", "IT-B-002", "applicant", "name", name, "id_number", id,
	    "phone", phone, "materials", given, "delivery", "mail", "address", addr, "agent",
	    "name", agent, "phone", aphone));
	expect_status(&r, 201);
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	expect_name_mask(name, mask, sizeof mask);
	assert_string_equal(jstr(r.json, "case.applicant"), mask);
	expect_name_mask(agent, mask, sizeof mask);
	assert_string_equal(jstr(r.json, "case.agent"), mask);
	resp_free(&r);
	get_case(&r, clerk, no, 1);
	assert_string_equal(jstr(r.json, "case.address"), addr);
	assert_string_equal(jstr(r.json, "case.applicant.name"), name);
	resp_free(&r);
	get_case(&r, clerk, no, 0);
	expect_address_mask(addr, mask, sizeof mask);
	assert_string_equal(jstr(r.json, "case.address"), mask);
	resp_free(&r);

	/* A reason the SMS rule refuses: 400 naming the problem, nothing returned. */
	sms0 = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE ref_id = ?", no);
	act(&r, clerk, no, json_pack("{s:s,s:[{s:s,s:s}]}", "action", "return", "problems",
	    "material", first, "reason", "照片模糊\r\n【请重拍】"));
	assert_fields(&r, "problems.0");
	resp_free(&r);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE ref_id = ?", no), sms0);

	/* Unusual 100-character reasons: each kept whole for the citizen. */
	ODD(reason, 100, 4);
	ODD(reason2, 100, 8);
	act(&r, clerk, no, json_pack("{s:s,s:[{s:s,s:s},{s:s,s:s}]}", "action", "return",
	    "problems", "material", first, "reason", reason, "material", "M2", "reason", reason2));
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "case.status"), "returned");
	resp_free(&r);
	snprintf(path, sizeof path, API "/me/cases/%s", no);
	call(&r, "GET", path, citizen_apply, NULL);
	expect_status(&r, 200);
	json_array_foreach(jget(r.json, "case.materials"), i, m) {
		if (strcmp(jstr(m, "code"), first) == 0)
			assert_string_equal(jstr(m, "reason"), reason);
		if (strcmp(jstr(m, "code"), "M2") == 0)
			assert_string_equal(jstr(m, "reason"), reason2);
	}
	resp_free(&r);
	/* The timeline lists both problems (its note is cut only at the column's 500). */
	h = history_of(no, "return");
	assert_non_null(strstr(jstr(h, "public_note"), reason));
	assert_non_null(strstr(jstr(h, "public_note"), reason2));
	json_decref(h);

	/* Resubmitted with new files, accepted with a 200-character note. */
	{
		json_t *again = json_object();

		upload_png(citizen_apply, 100, up, sizeof up);
		json_object_set_new(again, first, json_string(up));
		upload_png(citizen_apply, 101, up, sizeof up);
		json_object_set_new(again, "M2", json_string(up));
		act(&r, citizen_apply, no, json_pack("{s:s,s:o}", "action", "resubmit", "materials",
		    again));
		expect_status(&r, 200);
		resp_free(&r);
	}
	ODD(note, 200, 6);
	act_ok(clerk, no, json_pack("{s:s,s:s}", "action", "pre_accept", "note", note),
	    "accepted");
	h = history_of(no, "accept");
	assert_string_equal(jstr(h, "note"), note);
	json_decref(h);
}

/* ---------------------------------------------------------------- appointments, queue */

/* A booking under an unusual name keeps it (masked by characters); the number-taking and
 * check-in routes refuse full-width digits and other scripts with 400, never 5xx. */
TEST(appointments_and_queue_take_unusual_text)
{
	char name[100], id[19], mask[300], path[200];
	struct resp r;

	free_slot("category=C", slot_id, sizeof slot_id);
	NAME(name, 30, 1);
	make_id(id, "19770707", (int)(run_id + 53));
	call(&r, "POST", API "/appointments", citizen_book, json_pack("{s:s,s:s,s:s,s:s,s:s}",
	    "hall", "demo", "category", "C", "slot", slot_id, "name", name, "id_number", id));
	expect_status(&r, 201);
	snprintf(appt_token, sizeof appt_token, "%s", jstr(r.json, "appointment.token"));
	expect_name_mask(name, mask, sizeof mask);
	assert_string_equal(jstr(r.json, "appointment.name"), mask);
	resp_free(&r);
	snprintf(path, sizeof path, API "/appointments/%s", appt_token);
	call(&r, "GET", path, citizen_book, NULL);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "appointment.name"), mask);
	resp_free(&r);

	/* Full-width digits are not digits; other scripts are not codes. */
	snprintf(path, sizeof path, API "/appointments/%s/reschedule", appt_token);
	call(&r, "POST", path, citizen_book, json_pack("{s:s}", "slot", "Ｃ-２０２６１１２５-０９００"));
	assert_true(r.status >= 400 && r.status < 500);
	resp_free(&r);
	call(&r, "POST", API "/halls/demo/appointments/check-in", kiosk, json_pack("{s:s}",
	    "code", "１２３４５６"));
	assert_error(&r, 400, "INVALID_INPUT");
	resp_free(&r);
	call(&r, "POST", API "/halls/demo/tickets", kiosk, json_pack("{s:s,s:s}", "category", "A",
	    "phone", "１３８００１３８０００"));
	assert_fields(&r, "phone");
	resp_free(&r);
	call(&r, "POST", API "/halls/demo/tickets", kiosk, json_pack("{s:s}", "category", "Ａ"));
	assert_error(&r, 400, "INVALID_INPUT");
	resp_free(&r);
	call(&r, "POST", API "/halls/demo/tickets", kiosk, json_pack("{s:s}", "category", "A"));
	expect_status(&r, 201);
	snprintf(ticket_token, sizeof ticket_token, "%s", jstr(r.json, "ticket.token"));
	resp_free(&r);
	call(&r, "POST", API "/windows/1/transfer", clerk, json_pack("{s:s}", "category", "Ｂ"));
	assert_true(r.status >= 400 && r.status < 500);
	resp_free(&r);
	call(&r, "POST", API "/windows/1/finish", clerk, json_pack("{s:s,s:s}", "outcome", "done",
	    "case", "DEMO－２０２６１１２４－𠮷"));
	assert_fields(&r, "case");
	resp_free(&r);
	call(&r, "PUT", API "/staff/me/phone", clerk, json_pack("{s:s}", "phone", "１３９００１３９００１"));
	assert_error(&r, 400, "INVALID_INPUT");
	resp_free(&r);
}

/* Sign-in with other scripts: refused (401/400), never failed. */
TEST(sign_in_with_unusual_text_is_refused_not_failed)
{
	struct resp r;

	call(&r, "POST", API "/staff/login", NULL, json_pack("{s:s,s:s,s:s}", "hall", "demo",
	    "username", "管理员𠮷·１", "password", "密码😀密码😀密码😀"));
	assert_true(r.status == 401 || r.status == 400);
	resp_free(&r);
	call(&r, "POST", API "/auth/sms-code", NULL, json_pack("{s:s}", "phone", "１３８００１３８０００"));
	assert_error(&r, 400, "INVALID_INPUT");
	resp_free(&r);
	call(&r, "POST", API "/auth/sms-login", NULL, json_pack("{s:s,s:s}", "phone", "13800138000",
	    "code", "１２３４５６"));
	assert_true(r.status == 400 || r.status == 401);
	resp_free(&r);
	call(&r, "POST", API "/auth/wx-login", NULL, json_pack("{s:s}", "code", "𠮷😀·１２３"));
	assert_error(&r, 400, "INVALID_INPUT");
	resp_free(&r);
	call(&r, "POST", API "/auth/wx-phone", citizen_book, json_pack("{s:s}", "code", "𠮷😀"));
	assert_true(r.status >= 400 && r.status < 500);
	resp_free(&r);
}

/* ---------------------------------------------------------------- receipts */

/* A Tencent receipt whose errmsg is 66 Chinese characters: stored with the first 60, whole
 * (it was cut inside a character at 60 bytes, and did not fit the columns: a 503 the
 * provider would push again forever). */
TEST(receipt_with_a_chinese_message_is_stored_whole)
{
	static const char msg[] = "用户手机号码处于关机状态或者欠费停机状态无法接收短信请稍后再试或联系运营商处理谢谢"
	    "号码状态异常请核实后重新发送谢谢合作再见再见";
	char no[64], phone[12], id[24] = "", sid[48], body[2048], path[256], want[400], got[400];
	const char *tok = config_get("sms_receipt_token", "");
	const char *hdr[] = { "Content-Type: application/json", NULL };
	struct resp r;
	int i;

	assert_true(chars(msg) > 60);
	phone_of(phone, 9);
	accept_case("IT-B-004", "孙七", phone, NULL, no);
	/* The acceptance SMS once the worker has sent it (log provider) ... */
	for (i = 0; i < 150 && id[0] == '\0'; i++) {
		if (db_scalar(&test_db, "SELECT id FROM outbox WHERE ref_id = ? AND template ="
		    " 'case_accepted' AND status = 'sent'", DBARGS(DBS(no)), id, sizeof id) < 0)
			break;
		if (id[0] == '\0')
			usleep(100 * 1000);
	}
	assert_true(id[0] != '\0');
	/* ... as if Tencent had sent it. */
	snprintf(sid, sizeof sid, "it-text-sid-%u-%s", run_id, id);
	assert_int_equal(db_exec(&test_db, "UPDATE outbox SET provider = 'tencent', provider_msg_id = ?"
	    " WHERE id = ?", DBARGS(DBS(sid), DBS(id)), NULL, NULL), 0);
	snprintf(body, sizeof body, "[{\"user_receive_time\":\"2026-11-24 09:31:00\","
	    "\"nationcode\":\"86\",\"mobile\":\"%s\",\"report_status\":\"FAIL\",\"errmsg\":\"%s\","
	    "\"description\":\"%s\",\"sid\":\"%s\",\"ext\":{\"SessionContext\":\"%s\"}}]", phone,
	    msg, msg, sid, id);
	snprintf(path, sizeof path, API "/sms/receipts/tencent/%s", tok);
	assert_int_equal(http(&r, "POST", path, body, hdr), 0);
	no5xx(&r, path);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	snprintf(want, sizeof want, "FAILED:%.*s", (int)prefix(msg, 60), msg);
	assert_int_equal(db_scalar(&test_db, "SELECT delivery_status FROM outbox WHERE id = ?",
	    DBARGS(DBS(id)), got, sizeof got), 1);
	assert_string_equal(got, want);
	assert_int_equal(db_scalar(&test_db, "SELECT status FROM sms_receipts WHERE provider ="
	    " 'tencent' AND msg_key = ?", DBARGS(DBS(sid)), got, sizeof got), 1);
	assert_string_equal(got, want);
}

/* ---------------------------------------------------------------- the schema's refusals */

/* What MariaDB refuses is typed and named from its real messages (the maps of the modules
 * rely on the names): the mail CHECK, a value too long, a split character, a missing parent.
 * Each statement is refused, so nothing changes. */
TEST(database_refusals_are_typed_and_named)
{
	char no[64], phone[12];
	const char *name;

	phone_of(phone, 10);
	accept_case("IT-B-004", "周八", phone, NULL, no);
	assert_int_equal(db_exec(&test_db, "UPDATE cases SET delivery = 'mail', address_enc = NULL"
	    " WHERE no = ?", DBARGS(DBS(no)), NULL, NULL), DB_REFUSED);
	assert_int_equal(db_refusal(&test_db, &name), DBR_CHECK);
	assert_string_equal(name, "chk_cases_mail");
	/* 1号楼2单元301 and the first byte of 室: what the byte cut stored. */
	assert_int_equal(db_exec(&test_db, "UPDATE cases SET address_mask = ? WHERE no = ?",
	    DBARGS(DBSN("1号楼2单元301\xe5****", strlen("1号楼2单元301\xe5****")), DBS(no)), NULL,
	    NULL), DB_REFUSED);
	assert_int_equal(db_refusal(&test_db, &name), DBR_BAD_VALUE);
	assert_string_equal(name, "address_mask");
	assert_int_equal(db_exec(&test_db, "UPDATE cases SET mail_carrier = REPEAT('x', 33)"
	    " WHERE no = ?", DBARGS(DBS(no)), NULL, NULL), DB_REFUSED);
	assert_int_equal(db_refusal(&test_db, &name), DBR_TOO_LONG);
	assert_string_equal(name, "mail_carrier");
	assert_int_equal(db_exec(&test_db, "UPDATE cases SET item = 'IT-NONE' WHERE no = ?",
	    DBARGS(DBS(no)), NULL, NULL), DB_REFUSED);
	assert_int_equal(db_refusal(&test_db, &name), DBR_NO_PARENT);
	assert_string_equal(name, "fk_cases_item");
	assert_int_equal(db_exec(&test_db, "UPDATE cases SET no = (SELECT no FROM (SELECT no FROM cases"
	    " WHERE no <> ? LIMIT 1) x) WHERE no = ?", DBARGS(DBS(no), DBS(no)), NULL, NULL),
	    DB_DUP);
	assert_int_equal(db_refusal(&test_db, &name), DBR_DUP);
	assert_string_equal(name, "uk_cases_no");
}

/* ---------------------------------------------------------------- every route */

/*
 * Every POST/PUT/PATCH route of the rooms' tables (modules/<room>/routes.c): the members it reads, or why it takes no
 * text.  `kept` names the test above that checks what it stores reads back whole.
 */
struct text_route {
	const char	*method, *pattern;
	const char	*fields;	/* space-separated members; NULL: takes no text */
	int		 who;		/* 0 anonymous, 1 clerk, 2 citizen, 3 kiosk,
					   4 manager, 5 approver */
	const char	*kept;		/* or why no text */
};

static const struct text_route text_routes[] = {
	{ "PUT", "/admin/halls/{hall}/windows/{number}", "name kind", 4,
	  "it_admin_hall: a_window_moves_to_another_category (综合·窗口𠮷)" },
	{ "POST", "/admin/halls/{hall}/windows/{number}/retire", NULL, 4,
	  "no body: the window is in the path" },
	{ "POST", "/admin/halls/{hall}/windows/{number}/restore", NULL, 4,
	  "no body: the window is in the path" },
	{ "PUT", "/admin/halls/{hall}/categories/{code}", "name description kind", 4,
	  "it_admin_more: a_category_is_created_changed_retired_and_restored (户籍·𠮷 业务)" },
	{ "POST", "/admin/halls/{hall}/categories/{code}/retire", NULL, 4,
	  "no body: the category is in the path" },
	{ "POST", "/admin/halls/{hall}/categories/{code}/restore", NULL, 4,
	  "no body: the category is in the path" },
	{ "PUT", "/admin/departments/{code}", "name", 4,
	  "it_admin_more: a_department_is_created_retired_and_takes_no_new_items (市𠮷局)" },
	{ "POST", "/admin/departments/{code}/retire", NULL, 4,
	  "no body: the department is in the path" },
	{ "POST", "/admin/departments/{code}/restore", NULL, 4,
	  "no body: the department is in the path" },
	{ "PUT", "/admin/halls/{hall}/slot-plans/{category}/weekdays/{weekday}", "slots", 4,
	  "it_admin_more: weekday_and_date_plans_decide_the_slots (times and numbers only)" },
	{ "PUT", "/admin/halls/{hall}/slot-plans/{category}/dates/{date}", "slots", 4,
	  "it_admin_more: weekday_and_date_plans_decide_the_slots (times and numbers only)" },
	{ "POST", "/admin/calendar/preview", "year source days", 4,
	  "it_admin_hall: calendar_preview_then_apply (nothing kept: a preview)" },
	{ "POST", "/admin/calendar", "year source days", 4,
	  "it_admin_hall: calendar_preview_then_apply; names: it_calendar" },
	{ "PUT", "/admin/sms-templates/{name}", "aliyun tencent", 4,
	  "no text kept: codes of digits (it_notify: admin_codes_reach_the_provider)" },
	{ "PUT", "/admin/halls/{hall}/slot-plans/{category}", "slots", 4,
	  "no text kept: times and numbers (it_admin_hall: slot_plan_below_booked_needs_notify)" },
	{ "POST", "/admin/halls/{hall}/staff", "username name role department", 4,
	  "it_admin_hall: staff_lock_and_reset_force_a_new_password (欧阳·测试)" },
	{ "PATCH", "/admin/halls/{hall}/staff/{username}", "name role department", 4,
	  "it_admin_hall: staff_lock_and_reset_force_a_new_password" },
	{ "POST", "/admin/halls/{hall}/staff/{username}/lock", NULL, 4, "no body" },
	{ "POST", "/admin/halls/{hall}/staff/{username}/unlock", NULL, 4, "no body" },
	{ "POST", "/admin/halls/{hall}/staff/{username}/reset-password", NULL, 4, "no body" },
	{ "PUT", "/admin/halls/{hall}/hours", "periods", 4,
	  "no text kept: periods are HH:MM times (it_admin_hall: bad_hours_name_each_field…)" },
	{ "PUT", "/admin/halls/{hall}/hours/{date}", "periods note", 4,
	  "it_admin_hall: saturday_opening_takes_numbers_and_offers_slots (the note)" },
	{ "POST", "/staff/login", "hall username password window new_password", 0,
	  "sign_in_with_unusual_text_is_refused_not_failed (nothing stored)" },
	{ "POST", "/auth/logout", NULL, 0, "no body" },
	{ "POST", "/auth/sms-code", "phone purpose", 0,
	  "sign_in_with_unusual_text_is_refused_not_failed" },
	{ "POST", "/auth/sms-login", "phone code", 0,
	  "sign_in_with_unusual_text_is_refused_not_failed" },
	{ "POST", "/auth/wx-login", "code", 0, "sign_in_with_unusual_text_is_refused_not_failed" },
	{ "POST", "/auth/wx-phone", "code", 2, "sign_in_with_unusual_text_is_refused_not_failed" },
	{ "POST", "/notices/{id}/resend", NULL, 1, "no body: the notice id is in the path" },
	{ "POST", "/sms/receipts/aliyun", "phone_number send_time report_time err_code err_msg "
	  "biz_id out_id", 0, "receipt_with_a_chinese_message_is_stored_whole (tencent)" },
	{ "POST", "/sms/receipts/tencent", "user_receive_time nationcode mobile report_status "
	  "errmsg description sid", 0, "receipt_with_a_chinese_message_is_stored_whole" },
	{ "POST", "/sms/receipts/aliyun/{secret}", "phone_number send_time report_time err_code "
	  "err_msg biz_id out_id", 0, "receipt_with_a_chinese_message_is_stored_whole (tencent)" },
	{ "POST", "/sms/receipts/tencent/{secret}", "user_receive_time nationcode mobile "
	  "report_status errmsg description sid", 0,
	  "receipt_with_a_chinese_message_is_stored_whole" },
	{ "POST", "/halls/{hall}/tickets", "category priority phone", 3,
	  "appointments_and_queue_take_unusual_text" },
	{ "POST", "/tickets/{token}/rejoin", NULL, 0, "no body" },
	{ "POST", "/windows/{window}/call-next", NULL, 1, "no body" },
	{ "POST", "/windows/{window}/recall", NULL, 1, "no body" },
	{ "POST", "/windows/{window}/skip", NULL, 1, "no body" },
	{ "POST", "/windows/{window}/start", NULL, 1, "no body" },
	{ "POST", "/windows/{window}/transfer", "category", 1,
	  "appointments_and_queue_take_unusual_text" },
	{ "POST", "/windows/{window}/finish", "outcome case consult", 1,
	  "appointments_and_queue_take_unusual_text; consult: it_consult consult_record_and_referral" },
	{ "POST", "/consult/referrals/{id}/accept", NULL, 1, "no body" },
	{ "POST", "/handovers", "to cases note", 1,
	  "it_handover: window_to_department_to_pickup (the note 交接备注𠮷😀 reads back whole)" },
	{ "POST", "/handovers/lookup", "token", 1, "a look-up: nothing kept" },
	{ "POST", "/handovers/receive", "token discrepancies note", 1,
	  "it_handover: window_to_department_to_pickup (a discrepancy's note reads back whole)" },
	{ "POST", "/handovers/{id}/receive", "discrepancies note", 5,
	  "it_handover: bad_input_names_fields_and_changes_nothing (袋内无此卷)" },
	{ "POST", "/cases/{no}/cross-province", "step via waybill materials pages date decision "
	  "doc_no note how pickup_code carrier address", 1,
	  "it_cross_province: outgoing_case_walks_every_state (文号 粤医保转〔2026〕𠮷118号, the "
	  "note 办理地回函😀 read back whole)" },
	{ "POST", "/cross-province/incoming", "office their_no item applicant accepted_on "
	  "materials via waybill", 1,
	  "it_cross_province: incoming_case_walks_every_state (广东省𠮷州市医疗保障局 read back whole)" },
	{ "PATCH", "/halls/{hall}/slots/{slot}", "capacity", 4, "a number: text is refused" },
	{ "POST", "/halls/{hall}/appointments/check-in", "code", 3,
	  "appointments_and_queue_take_unusual_text" },
	{ "POST", "/appointments", "hall category slot item name id_number", 2,
	  "appointments_and_queue_take_unusual_text" },
	{ "POST", "/appointments/{token}/reschedule", "slot", 2,
	  "appointments_and_queue_take_unusual_text" },
	{ "POST", "/appointments/{token}/check-in", NULL, 2, "no body" },
	{ "POST", "/cases", "item bundle materials waived delivery address ticket "
	  "processing_office approve note applicant agent commitment promises pickup_hall", 1,
	  "window_acceptance_keeps_unusual_text, online_application_keeps_unusual_text" },
	{ "POST", "/cases/{no}/actions", "action note reason carrier tracking_no assignee "
	  "pickup_code identity_checked address materials problems", 5,
	  "back_office_keeps_unusual_text, mail_on_a_pickup_case_needs_an_address" },
	{ "POST", "/cases/{no}/track-token", NULL, 1, "no body" },
	{ "PUT", "/me/cases/{no}/pickup", "pickup_hall", 2,
	  "it_city the_citizen_changes_the_pickup_hall (a hall code: else 400, nothing stored)" },
	{ "POST", "/cases/{no}/helpers", "helper", 1,
	  "it_window (a helper of the hall by username, else 400: nothing stored)" },
	{ "PUT", "/staff/me/phone", "phone", 1, "appointments_and_queue_take_unusual_text" },
	{ "POST", "/uploads", NULL, 2, "the body is a file (JPEG, PNG, PDF)" },
	{ "POST", "/halls/{hall}/staff/{username}/unlock", NULL, 4,
	  "no body: the account is in the path" },
	{ "POST", "/halls/{hall}/alerts/dismiss", "key", 4,
	  "a key the hall has, else 404/422: nothing stored from the text" },
	{ "POST", "/me/principals/sms-code", "name id_number", 2,
	  "it_realname (a number and a name: refused unless valid, nothing stored)" },
	{ "POST", "/me/principals", "name id_number code", 2,
	  "it_realname (refused unless the holder's code is right)" },
	{ "POST", "/identity-bindings/rebind", "phone name id_number", 1,
	  "it_realname (refused unless a valid phone and number)" },
	{ "POST", "/identity-bindings/proxies", "name id_number proxy_phone", 1,
	  "it_realname (refused unless a valid phone and number)" },
	{ "POST", "/reviews", "ticket case score comment indicators channel", 0,
	  "back_office_keeps_unusual_text" },
	{ "PATCH", "/halls/{hall}/rectifications/{id}", "contacted contact_note cause fix", 4,
	  "back_office_keeps_unusual_text" },
	{ "POST", "/halls/{hall}/rectifications/{id}/close", "cause fix", 4,
	  "back_office_keeps_unusual_text" },
	{ "POST", "/halls/{hall}/rectifications/{id}/check", "result note", 4,
	  "it_review_loop fix_is_checked_by_a_second_person (the note reads back)" },
	{ "POST", "/complaints", "hall about ref text", 2,
	  "it_review_loop complaint_is_assigned_and_answered (the text reads back)" },
	{ "POST", "/halls/{hall}/complaints/{id}/assign", "assignee", 4,
	  "it_review_loop complaint_is_assigned_and_answered (a staff id: else refused)" },
	{ "POST", "/halls/{hall}/complaints/{id}/answer", "answer", 4,
	  "it_review_loop complaint_is_assigned_and_answered (the answer reads back)" },
	{ "POST", "/case-notices/refusals", "item applicant reason", 1,
	  "it_results notice_pdfs_carry_their_qr (a name and a reason read back)" },
	{ "POST", "/promise-checks/{id}/close", "result note", 5,
	  "it_promise only_the_department_closes_and_a_false_promise_is_on_the_case (the note "
	  "reads back)" },
	{ "POST", "/results/{vid}/revoke", "reason", 4,
	  "it_results revoke_and_replace_are_audited_and_told_apart (the reason reads back)" },
	{ "POST", "/results/{vid}/replace", "reason valid_until", 4,
	  "it_results revoke_and_replace_are_audited_and_told_apart (a date: else refused)" },
	{ "PUT", "/admin/items/{id}", "id hall name category department kind fee basis "
	  "description result_kind result_name", 4,
	  "it_admin_catalog item_is_created_changed_retired_and_audited (a name with · and 𠮷 "
	  "and a keyword 𠮷祥 read back)" },
	{ "POST", "/admin/items/{id}/retire", NULL, 4, "no body: the item is in the path" },
	{ "POST", "/admin/items/{id}/restore", NULL, 4, "no body: the item is in the path" },
	{ "PUT", "/admin/halls/{hall}/items/{id}", "category", 4,
	  "it_admin_catalog hall_chooses_the_items_it_accepts (a letter: else refused)" },
	{ "PUT", "/admin/bundles/{id}", "id hall name description", 4,
	  "it_admin_catalog bundle_has_the_union_of_materials_and_holds_its_items" },
	{ "POST", "/admin/bundles/{id}/retire", NULL, 4, "no body: the bundle is in the path" },
	{ "POST", "/admin/bundles/{id}/restore", NULL, 4, "no body: the bundle is in the path" },
	{ "POST", "/admin/catalog/import", NULL, 4,
	  "the body is a file: it_admin_catalog import_is_all_or_nothing_with_every_problem_listed "
	  "(a material name with a comma in CSV reads back)" },
};

static const struct text_route *
route_find(const char *method, const char *pattern)
{
	size_t i;

	for (i = 0; i < NELEM(text_routes); i++)
		if (strcmp(text_routes[i].method, method) == 0 &&
		    strcmp(text_routes[i].pattern, pattern) == 0)
			return &text_routes[i];
	return NULL;
}

/* The path of a route with this run's real ids in place of its parameters. */
static void
fill_path(const char *pattern, char *out, size_t osz)
{
	const char *p = pattern;
	char rid[24];

	snprintf(rid, sizeof rid, "%lld", rect_id);
	snprintf(out, osz, "%s", API);
	while (*p) {
		const char *e;

		if (*p != '{') {
			snprintf(out + strlen(out), osz - strlen(out), "%c", *p++);
			continue;
		}
		e = strchr(p, '}');
		assert_non_null(e);
		if (strncmp(p, "{hall}", 6) == 0)
			snprintf(out + strlen(out), osz - strlen(out), "demo");
		else if (strncmp(p, "{window}", 8) == 0)
			snprintf(out + strlen(out), osz - strlen(out), "1");
		else if (strncmp(p, "{slot}", 6) == 0)
			snprintf(out + strlen(out), osz - strlen(out), "%s", slot_id);
		else if (strncmp(p, "{no}", 4) == 0)
			snprintf(out + strlen(out), osz - strlen(out), "%s", case_open);
		else if (strncmp(p, "{secret}", 8) == 0)
			snprintf(out + strlen(out), osz - strlen(out), "%s",
			    config_get("sms_receipt_token", ""));
		else if (strncmp(p, "{username}", 10) == 0)
			snprintf(out + strlen(out), osz - strlen(out), "clerk8");
		else if (strncmp(p, "{id}", 4) == 0)
			snprintf(out + strlen(out), osz - strlen(out), "%s", rid);
		else if (strncmp(p, "{vid}", 5) == 0) {
			/* A result of this run if there is one (the back office's approvals). */
			char vid[32] = "00000000000000000000";

			db_scalar(&test_db, "SELECT vid FROM results ORDER BY id DESC LIMIT 1", DBNOARGS,
			    vid, sizeof vid);
			snprintf(out + strlen(out), osz - strlen(out), "%s", vid);
		} else if (strncmp(p, "{token}", 7) == 0)
			snprintf(out + strlen(out), osz - strlen(out), "%s",
			    strstr(pattern, "appointments") ? appt_token : ticket_token);
		p = e + 1;
	}
}

/* A body with every member of the route set to v (objects and arrays where the route
 * reads them, filled with v too). */
static json_t *
sweep_body(const struct text_route *rt, const char *v)
{
	json_t *b = json_object();
	char f[400], *w, *save = NULL;

	snprintf(f, sizeof f, "%s", rt->fields);
	for (w = strtok_r(f, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (strcmp(w, "applicant") == 0 || strcmp(w, "agent") == 0)
			json_object_set_new(b, w, json_pack("{s:s,s:s,s:s}", "name", v,
			    "id_number", v, "phone", v));
		else if (strcmp(w, "commitment") == 0)
			json_object_set_new(b, w, json_pack("{s:b,s:s}", "signed", 1, "due", v));
		else if (strcmp(w, "problems") == 0)
			json_object_set_new(b, w, json_pack("[{s:s,s:s}]", "material", v,
			    "reason", v));
		else if (strcmp(w, "indicators") == 0)
			json_object_set_new(b, w, json_pack("{s:i}", v, 3));
		else if (strcmp(w, "promises") == 0)	/* a material code as the key */
			json_object_set_new(b, w, json_pack("{s:{s:b}}", v, "signed", 1));
		else if (strcmp(w, "consult") == 0)
			json_object_set_new(b, w, json_pack("{s:s,s:s,s:s,s:{s:s,s:s}}",
			    "question", v, "item", v, "answer", v, "referral", "kind", "staff",
			    "to", v));
		else if (strcmp(w, "waived") == 0)
			json_object_set_new(b, w, json_pack("[s]", v));
		else
			json_object_set_new(b, w, json_string(v));
	}
	return b;
}

static const char *
token_of(int who)
{
	static const char *const t[] = { NULL, clerk, citizen_book, kiosk, manager, approver };

	return t[who];
}

TEST(every_text_route_survives_unusual_strings)
{
	char values[4][4200], path[512];
	const struct route *all;
	size_t i, j, nall, seen = 0;
	struct resp r;

	/* The table covers every POST/PUT/PATCH route of every room (as the app puts them
	 * together). */
	assert_int_equal(rooms_assemble(), 0);
	all = router_routes(&nall);
	assert_true(nall > 50);
	for (i = 0; i < nall; i++) {
		const char *m = all[i].method == M_POST ? "POST" : all[i].method == M_PUT ? "PUT" :
		    all[i].method == M_PATCH ? "PATCH" : NULL;

		if (m == NULL)
			continue;
		if (route_find(m, all[i].pattern) == NULL)
			fail_msg("%s %s is not in it_text's route table", m, all[i].pattern);
		seen++;
	}
	assert_int_equal(seen, NELEM(text_routes));

	ODD(values[0], 7, 0);			/* short */
	ODD(values[1], 200, 2);			/* at many limits */
	ODD(values[2], 1000, 4);		/* over every limit */
	snprintf(values[3], sizeof values[3], "１２３４５６７８９０１");	/* full-width digits */
	for (i = 0; i < NELEM(text_routes); i++) {
		const struct text_route *rt = &text_routes[i];

		if (rt->fields == NULL)
			continue;
		fill_path(rt->pattern, path, sizeof path);
		for (j = 0; j < NELEM(values); j++) {
			call(&r, rt->method, path, token_of(rt->who), sweep_body(rt, values[j]));
			if (r.status >= 400 && strstr(rt->pattern, "/sms/receipts/") == NULL &&
			    jstr(r.json, "error.code") == NULL)
				fail_msg("%s %s: %ld without the error shape: %.300s", rt->method,
				    rt->pattern, r.status, r.body ? r.body : "");
			resp_free(&r);
		}
		/* Receipts are arrays of such objects. */
		if (strstr(rt->pattern, "/sms/receipts/")) {
			json_t *a = json_array();

			json_array_append_new(a, sweep_body(rt, values[1]));
			call(&r, rt->method, path, NULL, a);
			resp_free(&r);
		}
	}
}

SUITE_MAIN("text", setup, suite_teardown)
