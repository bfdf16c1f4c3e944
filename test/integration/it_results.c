/*
 * it_results.c — results you can trust (issue 23) against the live test stack: the result is
 * recorded when a case is approved (or a 不予许可决定书 when rejected), 一照通 joins a
 * permit to its licence, the QR's Ed25519 signature tells a genuine result from a changed
 * byte and from another key both offline (yichuang-admin verify-result, and result_qr_check
 * with nothing but the published key) and on the public verify route, revoke and replace are
 * audited and told apart (two managers at once: one wins, checked against the rows), the
 * applicant downloads an electronic result as a PDF (recorded; the SMS says where), and the
 * printed PDFs — the result, 受理通知书, 一次性告知书 — carry a QR that zbarimg decodes from
 * the page pdftoppm renders.
 *
 * Items of the demo seed: IT-B-002 (公司设立, 营业执照, electronic), IT-B-004 (公司变更, a
 * 准予许可决定书 on paper), BD-004 (一照通: IT-B-002 with IT-B-005 公共场所卫生许可证, a
 * permit of 卫健委, 4 years, electronic).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "../lib/expect.h"
#include "../lib/http.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../modules/results/results.h"
#include "../../modules/hall/staff.h"
#include "../lib/records.h"
#include "../lib/flows.h"
#include "../lib/steps.h"
#include "../lib/suite.h"
#include "../lib/stackproc.h"

#define APPLICANT "\"applicant\":{\"name\":\"欧阳小龙\",\"id_number\":\"11010519491231002X\"," \
	"\"phone\":\"13800138023\"}"
/* The online 一照通 applicant: an ID number of their own (实名, 一证一号). */
#define APPLICANT_ONLINE "\"applicant\":{\"name\":\"欧阳小龙\",\"id_number\":\"110105198503156621\"," \
	"\"phone\":\"13800138023\"}"
#define CITIZEN_PHONE "13800138023"	/* the applicant of the window cases */

static char clerk[128], approver[128], approver_wjw[128], manager[128], manager2[128];
static char citizen[128], other_citizen[128];

/* ---------------------------------------------------------------- helpers */

/* Run a shell command, its standard output into out; the exit status. */
static int
run(const char *cmd, char *out, size_t osz)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int st;

	assert_non_null(p);
	if (out) {
		n = fread(out, 1, osz - 1, p);
		out[n] = '\0';
	} else {
		char sink[4096];

		while (fread(sink, 1, sizeof sink, p) > 0)
			;
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* yichuang-admin [-c the instance] [-k key] verify-result '<qr>'; its exit status. */
static int
admin_verify(int with_conf, const char *key, const char *qr, char *out, size_t osz)
{
	char cmd[2048];
	const char *b = getenv("YICHUANG_BUILD");

	snprintf(cmd, sizeof cmd, "%s/yichuang-admin %s%s%s %s%s verify-result '%s'",
	    b && *b ? b : "build", with_conf ? "-c var/" : "", with_conf ? test_instance() : "",
	    with_conf ? "/yichuang.conf" : "", key ? "-k " : "", key ? key : "", qr);
	return run(cmd, out, osz);
}

/* A window case of item with a complete checklist; its number into no (64). */
static void
accept_case(const char *item, char *no)
{
	struct resp r;
	char mats[512], body[2048];

	material_codes_text(item, 1, 0, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"item\":\"%s\",\"materials\":%s," APPLICANT "}", item, mats);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", clerk, body), 0);
	expect_status(&r, 201);
	snprintf(no, 64, "%s", jstr(r.json, "case.no"));
	resp_free(&r);
}

static void
act(const char *who, const char *no, const char *body, long status)
{
	struct resp r;
	char path[160];

	snprintf(path, sizeof path, "/api/v1/cases/%s/actions", no);
	assert_int_equal(http_json(&r, "POST", path, who, body), 0);
	expect_status(&r, status);
	resp_free(&r);
}

/* GET /cases/{no}/results (staff); the results array (a new reference). */
static json_t *
case_results(const char *no)
{
	return get_member(clerk, "results", "/api/v1/cases/%s/results", no);
}

/* An approved IT-B-002 window case: its number and its one result (a new reference). */
static json_t *
approved_licence(char *no)
{
	json_t *a, *res;

	accept_case("IT-B-002", no);
	act(approver, no, "{\"action\":\"assign\"}", 200);
	act(approver, no, "{\"action\":\"approve\"}", 200);
	a = case_results(no);
	assert_int_equal(json_array_size(a), 1);
	res = json_incref(json_array_get(a, 0));
	json_decref(a);
	return res;
}

/* The published public key (raw) and its base64url text. */
static void
public_key(unsigned char pk[32], char b64[RESULT_PK_B64])
{
	struct resp r, w;

	assert_int_equal(http(&r, "GET", "/api/v1/results/public-key", NULL, NULL), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "alg"), "Ed25519");
	snprintf(b64, RESULT_PK_B64, "%s", jstr(r.json, "public_key"));
	assert_int_equal(result_pk_parse(b64, pk), 0);
	/* The same key at the well-known address. */
	assert_int_equal(http(&w, "GET", "/.well-known/yichuang-result-key", NULL, NULL), 0);
	expect_status(&w, 200);
	assert_string_equal(jstr(w.json, "public_key"), b64);
	resp_free(&r);
	resp_free(&w);
}

/* GET /verify/{vid}: the status the public page shows. */
static void
verify_status(const char *vid, long status, const char *want)
{
	struct resp r;
	char path[128];

	snprintf(path, sizeof path, "/api/v1/verify/%s", vid);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, status);
	if (want)
		assert_string_equal(jstr(r.json, "result.status"), want);
	resp_free(&r);
}

/*
 * The QR text with the message changed in one byte and re-encoded (still well formed: only
 * the signature can tell).
 */
static void
tamper(const char *qr, char *out, size_t osz)
{
	unsigned char msg[2048];
	char b64[3000];
	const char *hash = strchr(qr, '#'), *dot = strchr(hash, '.');
	size_t n = 0;
	char *p;

	assert_int_equal(sodium_base642bin(msg, sizeof msg, hash + 1, (size_t)(dot - hash - 1),
	    NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	/* The valid-until line is the last: give the result an end date it never had, or
	 * move its issue date: flip a digit of the issue date (the last but one line). */
	p = (char *)msg + n - 2;
	while (p > (char *)msg && *p != '\n')
		p--;
	p--;	/* the last digit of issued_on */
	*p = *p == '9' ? '8' : (char)(*p + 1);
	sodium_bin2base64(b64, sizeof b64, msg, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(out, osz, "%.*s%s%s", (int)(hash + 1 - qr), qr, b64, dot);
}

/* The SMS log line (JSON) of template about case no, written after byte offset since;
 * waits up to 15 s for the worker.  NULL when none came. */
static json_t *
sms_line_for(long since, const char *template, const char *no)
{
	char path[200], line[4096];
	int tries;

	snprintf(path, sizeof path, "var/%s/sms.log", test_instance());
	for (tries = 0; tries < 150; tries++) {
		FILE *f = fopen(path, "r");

		if (f && fseek(f, since, SEEK_SET) == 0)
			while (fgets(line, sizeof line, f)) {
				json_t *j = json_loads(line, 0, NULL);

				if (j && strcmp(jstr(j, "template") ? jstr(j, "template") : "",
				    template) == 0 && jstr(j, "params.case_no") &&
				    strcmp(jstr(j, "params.case_no"), no) == 0) {
					fclose(f);
					return j;
				}
				json_decref(j);
			}
		if (f)
			fclose(f);
		usleep(100 * 1000);
	}
	return NULL;
}

/* Fetch path (a PDF) with token into a file; its status, the file's name into file. */
static long
get_pdf(const char *path, const char *token, char *file, size_t fsz)
{
	struct resp r;
	char auth[200], type[64] = "";
	const char *h[2] = { auth, NULL };
	FILE *f;

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
	assert_int_equal(http(&r, "GET", path, NULL, token ? h : NULL), 0);
	if (r.status == 200) {
		resp_header(&r, "Content-Type", type, sizeof type);
		assert_string_equal(type, "application/pdf");
		assert_true(r.len > 1000 && memcmp(r.body, "%PDF-", 5) == 0);
		snprintf(file, fsz, "/tmp/it_results_%d_%u.pdf", (int)getpid(),
		    (unsigned)randombytes_uniform(1000000));
		assert_non_null(f = fopen(file, "wb"));
		assert_int_equal(fwrite(r.body, 1, r.len, f), r.len);
		fclose(f);
	}
	{
		long st = r.status;

		resp_free(&r);
		return st;
	}
}

/* Render page 1 of the PDF (pdftoppm), decode its QR code (zbarimg): it must say want. */
static void
pdf_qr_is(const char *file, const char *want)
{
	char cmd[1200], png[300], out[RESULT_QR_MAX];
	size_t n;

	snprintf(png, sizeof png, "%s-page", file);
	snprintf(cmd, sizeof cmd, "pdftoppm -r 150 -png -singlefile -f 1 -l 1 '%s' '%s'"
	    " && zbarimg --quiet --raw -Sbinary '%s.png' 2>/dev/null", file, png, png);
	assert_int_equal(run(cmd, out, sizeof out), 0);
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	snprintf(cmd, sizeof cmd, "rm -f '%s' '%s.png'", file, png);
	run(cmd, NULL, 0);
	assert_string_equal(out, want);
}

FIXTURE(setup)
{
	static const struct signer who[] = {
		STAFF("clerk1", 1, clerk), STAFF("approver1", 0, approver),
		STAFF("approver_wjw", 0, approver_wjw), STAFF("manager1", 0, manager),
		STAFF("manager_r2", 0, manager2), CITIZEN(CITIZEN_PHONE, citizen),
		CITIZEN("13911112324", other_citizen),
	};

	if (sodium_init() < 0 || suite_setup(st) != 0)
		return -1;
	ensure_staff("approver_wjw", "卫健审批", "approver", "wjw");
	ensure_staff("manager_r2", "第二值班长", "manager", NULL);
	set_clock("2026-11-23T10:00:00+08:00");
	return sign_in_all(who);
}

/* The outbox rows of template about case no. */
static long long
outbox_rows(const char *template, const char *no)
{
	return db_count_with(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = ? AND"
	    " ref_id = ?", DBARGS(DBS(template), DBS(no)));
}

/* ---------------------------------------------------------------- the record */

/* A window case of item (its number into no) that approver1 takes and decides with decision
 * (the action's JSON): its results (a new reference). */
static json_t *
decided(const char *item, const char *decision, char *no)
{
	accept_case(item, no);
	act(approver, no, "{\"action\":\"assign\"}", 200);
	act(approver, no, decision, 200);
	return case_results(no);
}

TEST(approval_records_the_result)
{
	char no[64], number[80];
	json_t *res, *a;

	res = approved_licence(no);
	assert_string_equal(jstr(res, "kind"), "licence");
	assert_string_equal(jstr(res, "title"), "营业执照");
	snprintf(number, sizeof number, "%s-1", no);
	assert_string_equal(jstr(res, "number"), number);
	assert_string_equal(jstr(res, "issuer"), "市场监督管理局");
	assert_string_equal(jstr(res, "issued_on"), "2026-11-23");
	assert_true(json_is_null(jget(res, "valid_until")));
	assert_string_equal(jstr(res, "status"), "valid");
	/* The holder is masked by characters, never the whole name. */
	assert_null(strstr(jstr(res, "holder"), "欧阳小龙"));
	assert_non_null(strstr(jstr(res, "holder"), "欧"));
	assert_int_equal(case_rows("results r", no, NULL), 1);
	/* Deciding twice is refused by the case's own guard: still one result. */
	act(approver, no, "{\"action\":\"approve\"}", 409);
	assert_int_equal(case_rows("results r", no, NULL), 1);
	json_decref(res);

	/* A paper decision: recorded too, not electronic. */
	a = decided("IT-B-004", "{\"action\":\"approve\"}", no);
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(jstr(a, "0.kind"), "decision");
	assert_string_equal(jstr(a, "0.title"), "准予许可决定书");
	assert_true(json_is_false(jget(a, "0.electronic")));
	json_decref(a);

	/* A rejection: the 不予许可决定书. */
	a = decided("IT-B-004", "{\"action\":\"reject\",\"reason\":\"经营范围不符合规定\"}", no);
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(jstr(a, "0.kind"), "refusal");
	assert_string_equal(jstr(a, "0.title"), "不予许可决定书");
	json_decref(a);
}

/* ---------------------------------------------------------------- the signature */

TEST(qr_verifies_offline_and_tells_forgeries_apart)
{
	unsigned char pk[32], other_pk[32], other_sk[64];
	char pkb64[RESULT_PK_B64], other_b64[RESULT_PK_B64], no[64], qr[RESULT_QR_MAX];
	char bad[4096], out[4096];
	struct result_fields f;
	json_t *res;

	public_key(pk, pkb64);
	res = approved_licence(no);
	snprintf(qr, sizeof qr, "%s", jstr(res, "qr_text"));
	/* The QR opens the public verify page on this site. */
	assert_true(strncmp(qr, base_url(), strlen(base_url())) == 0);
	assert_non_null(strstr(qr, "/v.html#"));

	/* Genuine: with nothing but the published key, in-process and with the admin tool. */
	assert_int_equal(result_qr_check(qr, pk, &f), RC_GENUINE);
	assert_string_equal(f.number, jstr(res, "number"));
	assert_string_equal(f.vid, jstr(res, "vid"));
	assert_int_equal(admin_verify(0, pkb64, qr, out, sizeof out), 0);
	assert_non_null(strstr(out, jstr(res, "number")));
	assert_non_null(strstr(out, "签名有效"));
	/* On the instance's own machine it also reads the status: valid. */
	assert_int_equal(admin_verify(1, NULL, qr, out, sizeof out), 0);
	assert_non_null(strstr(out, "有效"));

	/* A changed byte. */
	tamper(qr, bad, sizeof bad);
	assert_string_not_equal(bad, qr);
	assert_int_equal(result_qr_check(bad, pk, &f), RC_FORGED);
	assert_int_equal(admin_verify(0, pkb64, bad, out, sizeof out), 1);
	assert_non_null(strstr(out, "forged"));
	/* A byte of the signature. */
	snprintf(bad, sizeof bad, "%s", qr);
	bad[strlen(bad) - 3] = bad[strlen(bad) - 3] == 'A' ? 'B' : 'A';
	assert_true(result_qr_check(bad, pk, &f) != RC_GENUINE);
	assert_int_equal(admin_verify(0, pkb64, bad, out, sizeof out), 1);

	/* Another key: the real QR does not verify against it. */
	crypto_sign_keypair(other_pk, other_sk);
	sodium_bin2base64(other_b64, sizeof other_b64, other_pk, sizeof other_pk,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_int_equal(result_qr_check(qr, other_pk, &f), RC_FORGED);
	assert_int_equal(admin_verify(0, other_b64, qr, out, sizeof out), 1);
	/* Nor a QR signed by another key with this one. */
	{
		unsigned char msg[2048], sig[64];
		char m64[3000], s64[100];
		const char *hash = strchr(qr, '#'), *dot = strchr(hash, '.');
		size_t n = 0;

		assert_int_equal(sodium_base642bin(msg, sizeof msg, hash + 1,
		    (size_t)(dot - hash - 1), NULL, &n, NULL,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
		crypto_sign_detached(sig, NULL, msg, n, other_sk);
		sodium_bin2base64(m64, sizeof m64, msg, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		sodium_bin2base64(s64, sizeof s64, sig, sizeof sig,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		snprintf(bad, sizeof bad, "%.*s%s.%s", (int)(hash + 1 - qr), qr, m64, s64);
		assert_int_equal(result_qr_check(bad, pk, &f), RC_FORGED);
		assert_int_equal(admin_verify(0, pkb64, bad, out, sizeof out), 1);
	}
	/* Not a result QR at all. */
	assert_int_equal(admin_verify(0, pkb64, "https://example.com/t/abc", out, sizeof out), 1);
	assert_non_null(strstr(out, "malformed"));

	/* The public route shows the record and nothing private. */
	{
		struct resp r;
		char path[128];

		snprintf(path, sizeof path, "/api/v1/verify/%s", jstr(res, "vid"));
		assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
		expect_strs(&r, 200, "result.status_label", "有效",
		    "result.number", jstr(res, "number"), NULL);
		assert_null(strstr(r.body, "13800138023"));
		assert_null(strstr(r.body, "11010519491231002X"));
		assert_null(strstr(r.body, "1949"));
		assert_null(strstr(r.body, "欧阳小龙"));
		assert_null(strstr(r.body, "phone"));
		resp_free(&r);
	}
	verify_status("00000000000000000000", 404, NULL);
	verify_status("not-a-result", 404, NULL);
	json_decref(res);
}

/* ---------------------------------------------------------------- revoke and replace */

struct race_arg {
	const char	*token;
	const char	*path;
	const char	*body;
	long		 status;
};

static void *
race(void *p)
{
	struct race_arg *a = p;
	struct resp r;

	if (http_json(&r, "POST", a->path, a->token, a->body) == 0)
		a->status = r.status;
	resp_free(&r);
	return NULL;
}

TEST(revoke_and_replace_are_audited_and_told_apart)
{
	unsigned char pk[32];
	char pkb64[RESULT_PK_B64], no[64], path[160], out[4096], old_qr[RESULT_QR_MAX];
	char new_vid[32], new_number[80], want[80];
	struct resp r;
	json_t *res;

	public_key(pk, pkb64);
	res = approved_licence(no);
	snprintf(old_qr, sizeof old_qr, "%s", jstr(res, "qr_text"));

	/* Bad input names the field and changes nothing; approvers may not. */
	snprintf(path, sizeof path, "/api/v1/results/%s/replace", jstr(res, "vid"));
	assert_int_equal(http_json(&r, "POST", path, manager, "{\"valid_until\":\"2031-02-30x\"}"),
	    0);
	assert_fields(&r, "reason valid_until");
	resp_free(&r);
	expect_reply("POST", path, approver, "{\"reason\":\"换发\"}", 403);
	assert_int_equal(case_rows("results r", no, NULL), 1);

	/* Two managers replace at the same moment: one new result, one 409. */
	{
		struct race_arg a1 = { manager, path, "{\"reason\":\"经营场所变更换发\"}", 0 };
		struct race_arg a2 = { manager2, path, "{\"reason\":\"经营场所变更换发\"}", 0 };
		pthread_t t1, t2;

		pthread_create(&t1, NULL, race, &a1);
		pthread_create(&t2, NULL, race, &a2);
		pthread_join(t1, NULL);
		pthread_join(t2, NULL);
		assert_true((a1.status == 201 && a2.status == 409) ||
		    (a1.status == 409 && a2.status == 201));
	}
	assert_int_equal(case_rows("results r", no, NULL), 2);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM audit_log WHERE action = 'result.replace'"
	    " AND result = 'ok' AND target = ?", jstr(res, "number")), 1);

	/* The old one says it was replaced, and by which. */
	snprintf(path, sizeof path, "/api/v1/verify/%s", jstr(res, "vid"));
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	expect_strs(&r, 200, "result.status", "replaced", "result.status_label", "已被替换", NULL);
	snprintf(want, sizeof want, "%s-R1", jstr(res, "number"));
	assert_string_equal(jstr(r.json, "result.replaced_by"), want);
	resp_free(&r);
	{
		json_t *a = case_results(no);

		assert_int_equal(json_array_size(a), 2);
		snprintf(new_vid, sizeof new_vid, "%s", jstr(a, "1.vid"));
		snprintf(new_number, sizeof new_number, "%s", jstr(a, "1.number"));
		assert_string_equal(new_number, want);
		assert_string_equal(jstr(a, "1.status"), "valid");
		json_decref(a);
	}
	/* The old QR's signature is still genuine, but the instance says: replaced (exit 3). */
	assert_int_equal(admin_verify(1, NULL, old_qr, out, sizeof out), 3);
	assert_non_null(strstr(out, "已被替换"));

	/* Revoke the new one: 已撤销, audited, and a second revoke is 409. */
	snprintf(path, sizeof path, "/api/v1/results/%s/revoke", new_vid);
	assert_int_equal(http_json(&r, "POST", path, manager, "{\"reason\":\"以欺骗手段取得许可\"}"),
	    0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "result.status"), "revoked");
	resp_free(&r);
	expect_refusal("POST", path, manager2, "{\"reason\":\"再次撤销\"}", 409, "RESULT_NOT_VALID");
	verify_status(new_vid, 200, "revoked");
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM audit_log WHERE action = 'result.revoke'"
	    " AND result = 'ok' AND target = ?", new_number), 1);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM results WHERE status = 'revoked'"
	    " AND change_reason = '以欺骗手段取得许可' AND number = ?", new_number), 1);
	{
		json_t *a = case_results(no);
		char qr[RESULT_QR_MAX];

		snprintf(qr, sizeof qr, "%s", jstr(a, "1.qr_text"));
		assert_int_equal(admin_verify(1, NULL, qr, out, sizeof out), 3);
		assert_non_null(strstr(out, "已撤销"));
		json_decref(a);
	}
	json_decref(res);
}

TEST(one_zhao_tong_licence_lists_its_permit)
{
	json_t *b = bundle("BD-004"), *a, *lic = NULL, *per = NULL, *v;
	struct resp r;
	char m[4096], body[6000], no[64], path[160];
	size_t i;

	/* BD-004: the applicant files online, the clerk accepts, two departments approve. */
	materials_for(citizen, jget(b, "materials"), 2300, m, sizeof m);
	snprintf(body, sizeof body, "{\"bundle\":\"BD-004\"," APPLICANT_ONLINE ",\"materials\":%s}", m);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", citizen, body), 0);
	expect_status(&r, 201);
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	resp_free(&r);
	json_decref(b);
	act(clerk, no, "{\"action\":\"pre_accept\"}", 200);
	act(approver, no, "{\"action\":\"assign\"}", 200);
	act(approver, no, "{\"action\":\"approve\"}", 200);
	/* One part approved: no result yet (the case is not decided). */
	assert_int_equal(case_rows("results r", no, NULL), 0);
	act(approver_wjw, no, "{\"action\":\"assign\"}", 200);
	act(approver_wjw, no, "{\"action\":\"approve\"}", 200);
	assert_int_equal(case_rows("results r", no, NULL), 2);
	/* The permit is joined to the licence, in the rows. */
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM results p JOIN results l ON l.id = p.licence_id"
	    " JOIN cases c ON c.id = p.case_id WHERE c.no = ? AND p.kind = 'permit'"
	    " AND l.kind = 'licence' AND l.case_id = p.case_id", no), 1);

	/* The applicant's case page lists both; the licence shows its permit. */
	a = get_member(citizen, "results", "/api/v1/me/cases/%s/results", no);
	assert_int_equal(json_array_size(a), 2);
	json_array_foreach(a, i, v) {
		if (strcmp(jstr(v, "kind"), "licence") == 0)
			lic = v;
		else
			per = v;
	}
	assert_non_null(lic);
	assert_non_null(per);
	assert_string_equal(jstr(per, "title"), "公共场所卫生许可证");
	assert_string_equal(jstr(per, "issuer"), "卫生健康委员会");
	/* Four years from 2026-11-23. */
	assert_string_equal(jstr(per, "valid_until"), "2030-11-22");
	assert_int_equal(json_array_size(jget(lic, "permits")), 1);
	assert_string_equal(jstr(lic, "permits.0.number"), jstr(per, "number"));
	assert_string_equal(jstr(per, "licence.number"), jstr(lic, "number"));
	/* Both electronic: each has its download. */
	assert_non_null(jstr(lic, "pdf_url"));
	assert_non_null(jstr(per, "pdf_url"));

	/* Scanning the licence shows the permit, with its status. */
	snprintf(path, sizeof path, "/api/v1/verify/%s", jstr(lic, "vid"));
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	expect_strs(&r, 200, "result.permits.0.title", "公共场所卫生许可证",
	    "result.permits.0.status_label", "有效", NULL);
	resp_free(&r);

	/* The licence's PDF lists the permit too (pdftotext of the page). */
	{
		char file[200], cmd[600], text[8192];

		snprintf(path, sizeof path, "/api/v1/results/%s/pdf", jstr(lic, "vid"));
		assert_int_equal(get_pdf(path, clerk, file, sizeof file), 200);
		snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - && rm -f '%s'", file, file);
		assert_int_equal(run(cmd, text, sizeof text), 0);
		assert_non_null(strstr(text, "关联许可"));
		assert_non_null(strstr(text, jstr(per, "number")));
	}

	/* Another citizen sees nothing of it. */
	snprintf(path, sizeof path, "/api/v1/me/cases/%s/results", no);
	expect_reply("GET", path, other_citizen, NULL, 404);
	json_decref(a);
}

/* ---------------------------------------------------------------- PDFs */

TEST(electronic_delivery_is_recorded_and_its_qr_decodes)
{
	char no[64], path[200], file[200], qr[RESULT_QR_MAX], url[300], want[300];
	struct resp r;
	json_t *res;
	long long before;
	long since = sms_log_size();

	res = approved_licence(no);
	/* The SMS of the approval says where to download it (instead of case_approved). */
	snprintf(want, sizeof want, "%s/my-cases.html", base_url());
	assert_int_equal(outbox_rows("case_approved", no), 0);
	assert_int_equal(outbox_rows("result_online", no), 1);
	{
		json_t *line = sms_line_for(since, "result_online", no);

		assert_non_null(line);
		assert_string_equal(jstr(line, "params.url"), want);
		assert_non_null(strstr(jstr(line, "text"), want));
		json_decref(line);
	}
	/* The applicant's case page offers the PDF. */
	snprintf(path, sizeof path, "/api/v1/me/cases/%s/results", no);
	assert_int_equal(http_json(&r, "GET", path, citizen, NULL), 0);
	expect_status(&r, 200);
	snprintf(url, sizeof url, "%s", jstr(r.json, "results.0.pdf_url"));
	snprintf(qr, sizeof qr, "%s", jstr(r.json, "results.0.qr_text"));
	resp_free(&r);
	before = db_count(&test_db, "SELECT COUNT(*) FROM result_downloads d JOIN results x ON"
	    " x.id = d.result_id WHERE x.vid = ?", jstr(res, "vid"));
	assert_int_equal(before, 0);
	assert_int_equal(get_pdf(url, citizen, file, sizeof file), 200);
	pdf_qr_is(file, qr);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM result_downloads d JOIN results x ON"
	    " x.id = d.result_id WHERE x.vid = ? AND d.citizen IS NOT NULL", jstr(res, "vid")), 1);
	/* Someone else's case, or nobody signed in: nothing, and nothing recorded. */
	assert_int_equal(get_pdf(url, other_citizen, file, sizeof file), 404);
	assert_int_equal(get_pdf(url, NULL, file, sizeof file), 401);
	/* The window prints it too (recorded as staff). */
	snprintf(path, sizeof path, "/api/v1/results/%s/pdf", jstr(res, "vid"));
	assert_int_equal(get_pdf(path, clerk, file, sizeof file), 200);
	pdf_qr_is(file, qr);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM result_downloads d JOIN results x ON"
	    " x.id = d.result_id WHERE x.vid = ?", jstr(res, "vid")), 2);

	/* Revoked: no more downloads. */
	snprintf(path, sizeof path, "/api/v1/results/%s/revoke", jstr(res, "vid"));
	expect_reply("POST", path, manager, "{\"reason\":\"申请人主动注销\"}", 200);
	expect_refusal("GET", url, citizen, NULL, 409, "RESULT_NOT_VALID");
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM result_downloads d JOIN results x ON"
	    " x.id = d.result_id WHERE x.vid = ?", jstr(res, "vid")), 2);
	json_decref(res);

	/* A paper decision is not delivered electronically. */
	accept_case("IT-B-004", no);
	act(approver, no, "{\"action\":\"assign\"}", 200);
	act(approver, no, "{\"action\":\"approve\"}", 200);
	res = case_results(no);
	assert_null(jget(res, "0.pdf_url"));
	snprintf(path, sizeof path, "/api/v1/me/cases/%s/results/%s/pdf", no, jstr(res, "0.vid"));
	expect_refusal("GET", path, citizen, NULL, 422, "RESULT_NOT_ELECTRONIC");
	json_decref(res);
}

/* The PDF of the notice at notice_url (".../case-notices?n=<token>") carries want as its QR. */
static void
notice_qr_is(const char *notice_url, const char *want)
{
	char path[300], file[200];
	const char *tok = notice_url ? strstr(notice_url, "n=") : NULL;

	assert_non_null(tok);
	snprintf(path, sizeof path, "/api/v1/case-notices/pdf?n=%s", tok + 2);
	assert_int_equal(get_pdf(path, NULL, file, sizeof file), 200);
	pdf_qr_is(file, want);
}

TEST(notice_pdfs_carry_their_qr)
{
	char no[64], path[300], file[200], want[600], mats[512], body[2048];
	const char *tok;
	struct resp r;

	/* 受理通知书: the QR is the case's tracking link. */
	material_codes_text("IT-B-004", 1, 0, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"item\":\"IT-B-004\",\"materials\":%s," APPLICANT "}", mats);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", clerk, body), 0);
	expect_status(&r, 201);
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	snprintf(want, sizeof want, "%s%s", base_url(), jstr(r.json, "case.track_url"));
	notice_qr_is(jstr(r.json, "case.notice_url"), want);
	resp_free(&r);

	/* 一次性告知书: the QR reopens the notice itself. */
	snprintf(body, sizeof body, "{\"item\":\"IT-B-004\",\"materials\":[]," APPLICANT "}");
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", clerk, body), 0);
	assert_error(&r, 422, "MATERIALS_INCOMPLETE");
	snprintf(want, sizeof want, "%s%s", base_url(), jstr(r.json, "error.notice_url"));
	notice_qr_is(jstr(r.json, "error.notice_url"), want);
	resp_free(&r);

	/* 不予受理通知书: no case, a notice with the reason; bad input stores nothing. */
	{
		long long before = db_count(&test_db, "SELECT COUNT(*) FROM case_notices WHERE kind = ?",
		    "refused");

		expect_fields("POST", "/api/v1/case-notices/refusals", clerk,
		    "{\"item\":\"IT-NONE\",\"applicant\":{\"name\":\"\"}}",
		    "reason applicant.name");
		expect_fields("POST", "/api/v1/case-notices/refusals", clerk,
		    "{\"item\":\"IT-NONE\",\"applicant\":{\"name\":\"欧阳小龙\"},"
		    "\"reason\":\"不属于本中心受理范围\"}", "item");
		expect_reply("POST", "/api/v1/case-notices/refusals", citizen,
		    "{\"item\":\"IT-B-004\",\"applicant\":{\"name\":\"欧阳小龙\"},"
		    "\"reason\":\"x\"}", 403);
		assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM case_notices WHERE kind = ?", "refused"),
		    before);

		assert_int_equal(http_json(&r, "POST", "/api/v1/case-notices/refusals", clerk,
		    "{\"item\":\"IT-B-004\",\"applicant\":{\"name\":\"欧阳小龙\"},"
		    "\"reason\":\"申请事项依法不需要取得行政许可\"}"), 0);
		expect_status(&r, 201);
		snprintf(want, sizeof want, "%s%s", base_url(), jstr(r.json, "notice_url"));
		snprintf(path, sizeof path, "%s", jstr(r.json, "notice_pdf_url"));
		resp_free(&r);
		assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM case_notices WHERE kind = ?", "refused"),
		    before + 1);
		tok = strstr(want, "n=");
		assert_non_null(tok);
		{
			char q[300];

			snprintf(q, sizeof q, "/api/v1/case-notices?n=%s", tok + 2);
			assert_int_equal(http(&r, "GET", q, NULL, NULL), 0);
			expect_strs(&r, 200, "notice.title", "不予受理通知书",
			    "notice.note", "申请事项依法不需要取得行政许可", NULL);
			assert_null(strstr(r.body, "欧阳小龙"));
			resp_free(&r);
		}
		assert_int_equal(get_pdf(path, NULL, file, sizeof file), 200);
		pdf_qr_is(file, want);
	}

	/* An unknown notice: 404, no PDF. */
	assert_int_equal(get_pdf("/api/v1/case-notices/pdf?n=nosuchnoticetoken0000000", NULL, file,
	    sizeof file), 404);
	assert_int_equal(get_pdf("/api/v1/case-notices/pdf", NULL, file, sizeof file), 400);
}

/* ---------------------------------------------------------------- the tracking page */

/* A 即办件 of item decided at acceptance; its number into no (64), its tracking token into
 * tok (128). */
static void
accept_instant(const char *item, char *no, char *tok)
{
	struct resp r;
	char mats[512], body[2048];

	material_codes_text(item, 1, 0, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"item\":\"%s\",\"materials\":%s,\"approve\":true,"
	    APPLICANT "}", item, mats);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", clerk, body), 0);
	expect_status(&r, 201);
	assert_string_equal(jstr(r.json, "case.status"), "approved");
	snprintf(no, 64, "%s", jstr(r.json, "case.no"));
	snprintf(tok, 128, "%s", jstr(r.json, "case.track_token"));
	resp_free(&r);
}

/* GET /track/{token}: its case.results (a new reference). */
static json_t *
track_results(const char *tok)
{
	json_t *a = get_member(NULL, "case.results", "/api/v1/track/%s", tok);

	assert_true(json_is_array(a));
	return a;
}

TEST(tracking_page_lists_the_results)
{
	char no[64], tok[128], path[200];
	struct resp r;
	json_t *staff, *a;

	/* Not decided yet: nothing issued, an empty list. */
	{
		char mats[512], body[2048];

		material_codes_text("IT-B-002", 1, 0, mats, sizeof mats);
		snprintf(body, sizeof body, "{\"item\":\"IT-B-002\",\"materials\":%s," APPLICANT
		    "}", mats);
		case_post_ok(clerk, body, NULL, 0, tok, sizeof tok);
		a = track_results(tok);
		assert_int_equal(json_array_size(a), 0);
		json_decref(a);
	}

	/* A 即办件 with an electronic 营业执照, decided at the window. */
	accept_instant("IT-B-001", no, tok);
	staff = case_results(no);
	assert_int_equal(json_array_size(staff), 1);
	a = track_results(tok);
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(jstr(a, "0.vid"), jstr(staff, "0.vid"));
	assert_string_equal(jstr(a, "0.kind"), "licence");
	assert_string_equal(jstr(a, "0.title"), "营业执照");
	assert_string_equal(jstr(a, "0.number"), jstr(staff, "0.number"));
	assert_string_equal(jstr(a, "0.status"), "valid");
	assert_string_equal(jstr(a, "0.status_label"), "有效");
	assert_true(json_is_true(jget(a, "0.electronic")));
	/* The link is the result's own QR text: the verify page, signed. */
	assert_string_equal(jstr(a, "0.verify_url"), jstr(staff, "0.qr_text"));
	assert_non_null(strstr(jstr(a, "0.verify_url"), "/v.html#"));
	/* Never the PDF (the token is not the applicant's sign-in), nor the holder. */
	assert_null(jget(a, "0.pdf_url"));
	assert_null(jget(a, "0.holder"));
	json_decref(a);

	/* Revoked: the page (cached a moment ago) says so at once. */
	snprintf(path, sizeof path, "/api/v1/results/%s/revoke", jstr(staff, "0.vid"));
	expect_reply("POST", path, manager, "{\"reason\":\"申请人主动注销\"}", 200);
	a = track_results(tok);
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(jstr(a, "0.status"), "revoked");
	assert_string_equal(jstr(a, "0.status_label"), "已撤销");
	json_decref(a);
	json_decref(staff);

	/* Replaced: both listed, oldest first, the old one naming the new number. */
	accept_instant("IT-B-001", no, tok);
	staff = case_results(no);
	snprintf(path, sizeof path, "/api/v1/results/%s/replace", jstr(staff, "0.vid"));
	assert_int_equal(http_json(&r, "POST", path, manager, "{\"reason\":\"登记事项变更\"}"), 0);
	expect_status(&r, 201);
	a = track_results(tok);
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(jstr(a, "0.status_label"), "已被替换");
	assert_string_equal(jstr(a, "0.replaced_by"), jstr(r.json, "result.number"));
	assert_string_equal(jstr(a, "1.number"), jstr(r.json, "result.number"));
	assert_string_equal(jstr(a, "1.status_label"), "有效");
	resp_free(&r);
	json_decref(a);
	json_decref(staff);
}

/* A 即办件 decided at the window with an electronic result: the applicant is told where to
 * download it, as after an approval; a paper one is not. */
TEST(instant_electronic_result_sends_where_to_download)
{
	char no[64], tok[128], want[300];
	long since = sms_log_size();
	json_t *line;

	accept_instant("IT-B-001", no, tok);
	assert_int_equal(case_rows("results r", no, "r.electronic = 1"), 1);
	assert_int_equal(outbox_rows("result_online", no), 1);
	assert_int_equal(outbox_rows("case_accepted", no), 1);
	snprintf(want, sizeof want, "%s/my-cases.html", base_url());
	line = sms_line_for(since, "result_online", no);
	assert_non_null(line);
	assert_string_equal(jstr(line, "params.url"), want);
	assert_non_null(strstr(jstr(line, "text"), want));
	assert_non_null(strstr(jstr(line, "text"), no));
	json_decref(line);

	/* A 即办件 whose result is on paper (IT-A-001, a 准予许可决定书): no download SMS. */
	accept_instant("IT-A-001", no, tok);
	assert_int_equal(case_rows("results r", no, "r.electronic = 0"), 1);
	assert_int_equal(outbox_rows("result_online", no), 0);
	assert_int_equal(outbox_rows("case_accepted", no), 1);
}

SUITE_MAIN("results", setup, suite_teardown)
