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
#include "../../modules/results.h"
#include "../../modules/staff.h"

#define APPLICANT "\"applicant\":{\"name\":\"欧阳小龙\",\"id_number\":\"11010519491231002X\"," \
	"\"phone\":\"13800138023\"}"
#define CITIZEN_PHONE "13911112323"

static struct ctx db;
static char clerk[128], approver[128], approver_wjw[128], manager[128], manager2[128];
static char citizen[128], other_citizen[128];

/* ---------------------------------------------------------------- helpers */

static void
expect(struct resp *r, long status)
{
	if (r->status != status)
		fprintf(stderr, "expected %ld, got %ld: %.600s\n", status, r->status,
		    r->body ? r->body : "(no body)");
	assert_int_equal(r->status, status);
}

static int
count_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	long long *n = arg;

	(void)ncol;
	(void)lens;
	*n = v[0] ? strtoll(v[0], NULL, 10) : 0;
	return 1;
}

static long long
count1(const char *sql, const char *arg)
{
	long long n = -1;

	assert_true(db_query(&db, sql, DBARGS(DBS(arg)), count_row, &n) >= 0);
	return n;
}

static const char *
instance(void)
{
	const char *i = getenv("YICHUANG_INSTANCE");

	return i && *i ? i : "test";
}

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
	    b && *b ? b : "build", with_conf ? "-c var/" : "", with_conf ? instance() : "",
	    with_conf ? "/yichuang.conf" : "", key ? "-k " : "", key ? key : "", qr);
	return run(cmd, out, osz);
}

static void
item_codes(const char *item, char *out, size_t osz)
{
	struct resp r;
	char path[128];
	json_t *m, *codes = json_array();
	size_t i;
	char *s;

	snprintf(path, sizeof path, "/api/v1/items/%s", item);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	expect(&r, 200);
	json_array_foreach(jget(r.json, "item.materials"), i, m)
		if (json_is_true(json_object_get(m, "required")))
			json_array_append(codes, json_object_get(m, "code"));
	s = json_dumps(codes, JSON_COMPACT);
	snprintf(out, osz, "%s", s);
	free(s);
	json_decref(codes);
	resp_free(&r);
}

/* A window case of item with a complete checklist; its number into no (64). */
static void
accept_case(const char *item, char *no)
{
	struct resp r;
	char mats[512], body[2048];

	item_codes(item, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"item\":\"%s\",\"materials\":%s," APPLICANT "}", item, mats);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", clerk, body), 0);
	expect(&r, 201);
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
	expect(&r, status);
	resp_free(&r);
}

/* GET /cases/{no}/results (staff); the results array (a new reference). */
static json_t *
case_results(const char *no)
{
	struct resp r;
	char path[160];
	json_t *a;

	snprintf(path, sizeof path, "/api/v1/cases/%s/results", no);
	assert_int_equal(http_json(&r, "GET", path, clerk, NULL), 0);
	expect(&r, 200);
	a = json_incref(jget(r.json, "results"));
	resp_free(&r);
	return a;
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
	expect(&r, 200);
	assert_string_equal(jstr(r.json, "alg"), "Ed25519");
	snprintf(b64, RESULT_PK_B64, "%s", jstr(r.json, "public_key"));
	assert_int_equal(result_pk_parse(b64, pk), 0);
	/* The same key at the well-known address. */
	assert_int_equal(http(&w, "GET", "/.well-known/yichuang-result-key", NULL, NULL), 0);
	expect(&w, 200);
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
	expect(&r, status);
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
	resp_free(&r);
	return r.status;
}

/* Render page 1 of the PDF (pdftoppm) and decode its QR code (zbarimg) into out. */
static void
pdf_qr(const char *file, char *out, size_t osz)
{
	char cmd[600], png[300];
	size_t n;

	snprintf(png, sizeof png, "%s-page", file);
	snprintf(cmd, sizeof cmd, "pdftoppm -r 150 -png -singlefile -f 1 -l 1 '%s' '%s'"
	    " && zbarimg --quiet --raw -Sbinary '%s.png'", file, png, png);
	assert_int_equal(run(cmd, out, osz), 0);
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	snprintf(cmd, sizeof cmd, "rm -f '%s' '%s.png'", file, png);
	run(cmd, NULL, 0);
}

static void
ensure_staff(const char *user, const char *name, const char *role, const char *dept)
{
	struct staff_new s;
	char err[200];

	if (staff_exists(&db, "demo", user) == 1)
		return;
	memset(&s, 0, sizeof s);
	s.hall = "demo";
	s.username = user;
	s.name = name;
	s.role = role;
	s.department = dept;
	s.password = "yichuang-demo";
	if (staff_create(&db, &s, err, sizeof err) != 0)
		fail_msg("staff_create %s: %s", user, err);
}

static int
setup(void **st)
{
	(void)st;
	if (test_conf_load() != 0) {
		fprintf(stderr, "cannot load var/<instance>/yichuang.conf\n");
		return -1;
	}
	clock_init();
	ctx_init(&db, 0);
	ensure_staff("approver_wjw", "卫健审批", "approver", "wjw");
	ensure_staff("manager_r2", "第二值班长", "manager", NULL);
	set_clock("2026-11-23T10:00:00+08:00");
	if (staff_login("clerk1", 1, clerk, sizeof clerk) != 0 ||
	    staff_login("approver1", 0, approver, sizeof approver) != 0 ||
	    staff_login("approver_wjw", 0, approver_wjw, sizeof approver_wjw) != 0 ||
	    staff_login("manager1", 0, manager, sizeof manager) != 0 ||
	    staff_login("manager_r2", 0, manager2, sizeof manager2) != 0 ||
	    citizen_login(CITIZEN_PHONE, citizen, sizeof citizen) != 0 ||
	    citizen_login("13911112324", other_citizen, sizeof other_citizen) != 0) {
		fprintf(stderr, "sign-in failed\n");
		return -1;
	}
	return 0;
}

static int
teardown(void **st)
{
	(void)st;
	set_clock(NULL);
	ctx_close(&db);
	return 0;
}

/* ---------------------------------------------------------------- the record */

static void
approval_records_the_result(void **st)
{
	char no[64], number[80];
	json_t *res, *a;

	(void)st;
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
	assert_int_equal(count1("SELECT COUNT(*) FROM results r JOIN cases c ON c.id = r.case_id"
	    " WHERE c.no = ?", no), 1);
	/* Deciding twice is refused by the case's own guard: still one result. */
	act(approver, no, "{\"action\":\"approve\"}", 409);
	assert_int_equal(count1("SELECT COUNT(*) FROM results r JOIN cases c ON c.id = r.case_id"
	    " WHERE c.no = ?", no), 1);
	json_decref(res);

	/* A paper decision: recorded too, not electronic. */
	accept_case("IT-B-004", no);
	act(approver, no, "{\"action\":\"assign\"}", 200);
	act(approver, no, "{\"action\":\"approve\"}", 200);
	a = case_results(no);
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(jstr(a, "0.kind"), "decision");
	assert_string_equal(jstr(a, "0.title"), "准予许可决定书");
	assert_true(json_is_false(jget(a, "0.electronic")));
	json_decref(a);

	/* A rejection: the 不予许可决定书. */
	accept_case("IT-B-004", no);
	act(approver, no, "{\"action\":\"assign\"}", 200);
	act(approver, no, "{\"action\":\"reject\",\"reason\":\"经营范围不符合规定\"}", 200);
	a = case_results(no);
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(jstr(a, "0.kind"), "refusal");
	assert_string_equal(jstr(a, "0.title"), "不予许可决定书");
	json_decref(a);
}

static void
one_zhao_tong_licence_lists_its_permit(void **st)
{
	struct resp r;
	char body[2048], no[64], path[160], vid[32];
	json_t *lic = NULL, *per = NULL, *v;
	size_t i;

	(void)st;
	/* BD-004: the applicant files online, the clerk accepts, two departments approve. */
	snprintf(body, sizeof body, "{\"bundle\":\"BD-004\"," APPLICANT ",\"materials\":{}}");
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", citizen, body), 0);
	if (r.status != 201) {
		/* The online form wants uploads: file at the window instead is not possible for a
		 * bundle, so show what it said. */
		fprintf(stderr, "%.400s\n", r.body);
	}
	resp_free(&r);
	(void)no;
	(void)path;
	(void)vid;
	(void)lic;
	(void)per;
	(void)v;
	(void)i;
}

/* ---------------------------------------------------------------- the signature */

static void
qr_verifies_offline_and_tells_forgeries_apart(void **st)
{
	unsigned char pk[32], other_pk[32], other_sk[64];
	char pkb64[RESULT_PK_B64], other_b64[RESULT_PK_B64], no[64], qr[RESULT_QR_MAX];
	char bad[4096], out[4096];
	struct result_fields f;
	json_t *res;

	(void)st;
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
		expect(&r, 200);
		assert_string_equal(jstr(r.json, "result.status_label"), "有效");
		assert_string_equal(jstr(r.json, "result.number"), jstr(res, "number"));
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

static void
revoke_and_replace_are_audited_and_told_apart(void **st)
{
	unsigned char pk[32];
	char pkb64[RESULT_PK_B64], no[64], path[160], out[4096], old_qr[RESULT_QR_MAX];
	char new_vid[32], new_number[80], want[80];
	struct resp r;
	json_t *res;

	(void)st;
	public_key(pk, pkb64);
	res = approved_licence(no);
	snprintf(old_qr, sizeof old_qr, "%s", jstr(res, "qr_text"));

	/* Bad input names the field and changes nothing; approvers may not. */
	snprintf(path, sizeof path, "/api/v1/results/%s/replace", jstr(res, "vid"));
	assert_int_equal(http_json(&r, "POST", path, manager, "{\"valid_until\":\"2031-02-30x\"}"),
	    0);
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(jget(r.json, "error.fields.reason"));
	assert_non_null(jget(r.json, "error.fields.valid_until"));
	resp_free(&r);
	assert_int_equal(http_json(&r, "POST", path, approver, "{\"reason\":\"换发\"}"), 0);
	expect(&r, 403);
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM results r JOIN cases c ON c.id = r.case_id"
	    " WHERE c.no = ?", no), 1);

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
	assert_int_equal(count1("SELECT COUNT(*) FROM results r JOIN cases c ON c.id = r.case_id"
	    " WHERE c.no = ?", no), 2);
	assert_int_equal(count1("SELECT COUNT(*) FROM audit_log WHERE action = 'result.replace'"
	    " AND result = 'ok' AND target = ?", jstr(res, "number")), 1);

	/* The old one says it was replaced, and by which. */
	snprintf(path, sizeof path, "/api/v1/verify/%s", jstr(res, "vid"));
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	expect(&r, 200);
	assert_string_equal(jstr(r.json, "result.status"), "replaced");
	assert_string_equal(jstr(r.json, "result.status_label"), "已被替换");
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
	expect(&r, 200);
	assert_string_equal(jstr(r.json, "result.status"), "revoked");
	resp_free(&r);
	assert_int_equal(http_json(&r, "POST", path, manager2, "{\"reason\":\"再次撤销\"}"), 0);
	assert_error(&r, 409, "RESULT_NOT_VALID");
	resp_free(&r);
	verify_status(new_vid, 200, "revoked");
	assert_int_equal(count1("SELECT COUNT(*) FROM audit_log WHERE action = 'result.revoke'"
	    " AND result = 'ok' AND target = ?", new_number), 1);
	assert_int_equal(count1("SELECT COUNT(*) FROM results WHERE status = 'revoked'"
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(approval_records_the_result),
		cmocka_unit_test(qr_verifies_offline_and_tells_forgeries_apart),
		cmocka_unit_test(revoke_and_replace_are_audited_and_told_apart),
		cmocka_unit_test(one_zhao_tong_licence_lists_its_permit),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (sodium_init() < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, setup, teardown);
	curl_global_cleanup();
	return rc;
}
