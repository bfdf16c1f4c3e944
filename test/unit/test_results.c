/*
 * test_results.c — the signature of a result's QR (modules/results/results_sign.c) and its PDF
 * (modules/results/results_pdf.c), without a server: a QR made with the instance's key verifies with
 * its public key and only with it; any changed byte of the fields or of the signature, a
 * signature by another key, or text that is not a result QR at all is told apart; Chinese
 * fields travel whole; a field with a line break cannot be signed (it would forge a line).
 * The PDF is one A4 page whose rendered QR (pdftoppm, zbarimg) is the text given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/tests.h"
#include "../lib/expect.h"
#include "../../fcgi/config.h"
#include "../../modules/results/results.h"

static char keyfile[64];

static void
fields(struct result_fields *f)
{
	memset(f, 0, sizeof *f);
	snprintf(f->vid, sizeof f->vid, "0123456789abcdef0123");
	snprintf(f->kind, sizeof f->kind, "permit");
	snprintf(f->title, sizeof f->title, "公共场所卫生许可证");
	snprintf(f->number, sizeof f->number, "DEMO-20261123-0001-2");
	snprintf(f->holder, sizeof f->holder, "欧阳**");
	snprintf(f->issuer, sizeof f->issuer, "卫生健康委员会");
	snprintf(f->issued_on, sizeof f->issued_on, "2026-11-23");
	snprintf(f->valid_until, sizeof f->valid_until, "2030-11-22");
}

FIXTURE(setup)
{
	unsigned char seed[32];
	char hex[65];
	FILE *f;

	if (sodium_init() < 0)
		return -1;
	randombytes_buf(seed, sizeof seed);
	sodium_bin2hex(hex, sizeof hex, seed, sizeof seed);
	snprintf(keyfile, sizeof keyfile, "/tmp/test_results_%d.key", (int)getpid());
	if ((f = fopen(keyfile, "w")) == NULL)
		return -1;
	fputs(hex, f);
	fclose(f);
	config_set("result_key_file", keyfile);
	config_set("public_base_url", "https://zwfw.example.gov.cn/");
	return result_key_load();
}

FIXTURE(teardown)
{
	unlink(keyfile);
	return 0;
}

TEST(genuine_round_trip)
{
	struct result_fields f, g;
	unsigned char pk[32];
	char qr[RESULT_QR_MAX];

	fields(&f);
	assert_int_equal(result_qr_text(&f, qr, sizeof qr), 0);
	assert_true(strncmp(qr, "https://zwfw.example.gov.cn/v.html#", 35) == 0);
	assert_int_equal(result_public_key(pk), 0);
	assert_int_equal(result_qr_check(qr, pk, &g), RC_GENUINE);
	assert_memory_equal(&f, &g, sizeof f);
	/* Just the payload (what follows '#') verifies the same. */
	assert_int_equal(result_qr_check(strchr(qr, '#') + 1, pk, &g), RC_GENUINE);
	/* No end date: an empty last field. */
	f.valid_until[0] = '\0';
	assert_int_equal(result_qr_text(&f, qr, sizeof qr), 0);
	assert_int_equal(result_qr_check(qr, pk, &g), RC_GENUINE);
	assert_string_equal(g.valid_until, "");
}

TEST(every_changed_byte_is_told_apart)
{
	struct result_fields f, g;
	unsigned char pk[32], msg[1024], sig[64];
	char qr[RESULT_QR_MAX], bad[4096], m64[1500], s64[100];
	const char *hash, *dot;
	size_t n = 0, i, genuine = 0;

	fields(&f);
	assert_int_equal(result_qr_text(&f, qr, sizeof qr), 0);
	assert_int_equal(result_public_key(pk), 0);
	hash = strchr(qr, '#');
	dot = strchr(hash, '.');
	assert_int_equal(sodium_base642bin(msg, sizeof msg, hash + 1, (size_t)(dot - hash - 1),
	    NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	assert_int_equal(sodium_base642bin(sig, sizeof sig, dot + 1, strlen(dot + 1), NULL, NULL,
	    NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	/* Each byte of the message flipped in turn, re-encoded: never genuine. */
	for (i = 0; i < n; i++) {
		msg[i] ^= 0x01;
		sodium_bin2base64(m64, sizeof m64, msg, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		snprintf(bad, sizeof bad, "%.*s%s%s", (int)(hash + 1 - qr), qr, m64, dot);
		if (result_qr_check(bad, pk, &g) == RC_GENUINE)
			genuine++;
		msg[i] ^= 0x01;
	}
	assert_int_equal(genuine, 0);
	/* Each byte of the signature. */
	sodium_bin2base64(m64, sizeof m64, msg, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	for (i = 0; i < sizeof sig; i++) {
		sig[i] ^= 0x80;
		sodium_bin2base64(s64, sizeof s64, sig, sizeof sig,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		snprintf(bad, sizeof bad, "%.*s%s.%s", (int)(hash + 1 - qr), qr, m64, s64);
		assert_int_equal(result_qr_check(bad, pk, &g), RC_FORGED);
		sig[i] ^= 0x80;
	}
}

TEST(another_key_is_forged)
{
	struct result_fields f, g;
	unsigned char pk[32], opk[32], osk[64], sig[64], msg[1024];
	char qr[RESULT_QR_MAX], bad[4096], s64[100];
	const char *hash, *dot;
	size_t n = 0;

	fields(&f);
	assert_int_equal(result_qr_text(&f, qr, sizeof qr), 0);
	assert_int_equal(result_public_key(pk), 0);
	crypto_sign_keypair(opk, osk);
	/* The real QR against another public key. */
	assert_int_equal(result_qr_check(qr, opk, &g), RC_FORGED);
	/* The same fields signed by another key, against ours. */
	hash = strchr(qr, '#');
	dot = strchr(hash, '.');
	assert_int_equal(sodium_base642bin(msg, sizeof msg, hash + 1, (size_t)(dot - hash - 1),
	    NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	crypto_sign_detached(sig, NULL, msg, n, osk);
	sodium_bin2base64(s64, sizeof s64, sig, sizeof sig, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(bad, sizeof bad, "%.*s%s", (int)(dot + 1 - qr), qr, s64);
	assert_int_equal(result_qr_check(bad, pk, &g), RC_FORGED);
	assert_int_equal(result_qr_check(bad, opk, &g), RC_GENUINE);
}

TEST(not_a_result_qr_is_malformed)
{
	static const char *const bad[] = {
		"", "#", "https://zwfw.example.gov.cn/t/abcdef", "v.html#a.b.c", "v.html#@@@.AAAA",
		"v.html#WUNSMQ.AAAA",		/* "YCR1" alone, a short signature */
	};
	struct result_fields g;
	unsigned char pk[32];
	size_t i;

	assert_int_equal(result_public_key(pk), 0);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(result_qr_check(bad[i], pk, &g), RC_MALFORMED);
	assert_int_equal(result_pk_parse("too-short", pk), -1);
}

TEST(a_line_break_cannot_be_signed)
{
	struct result_fields f;
	char qr[RESULT_QR_MAX];

	fields(&f);
	snprintf(f.holder, sizeof f.holder, "张*\n2099-01-01");
	assert_int_equal(result_qr_text(&f, qr, sizeof qr), -1);
}

TEST(pdf_page_carries_the_qr)
{
	static const char *const lines[] = { "编号", "DEMO-20261123-0001-2", "持有人", "欧阳**",
	    "说明", "很长的说明文字会在页面宽度处按字符换行，不会从一个汉字中间断开。很长的说明文字会在页面宽度处按字符换行，不会从一个汉字中间断开。",
	    NULL, NULL };
	struct result_fields f;
	char qr[RESULT_QR_MAX], path[80], cmd[1024], got[RESULT_QR_MAX];
	struct buf b;
	FILE *fp;
	size_t n;

	fields(&f);
	assert_int_equal(result_qr_text(&f, qr, sizeof qr), 0);
	buf_init(&b, 4 * 1024 * 1024);
	assert_int_equal(pdf_document("公共场所卫生许可证", lines, qr, "扫码核验", "卫生健康委员会",
	    &b), 0);
	pdf_saved(b.data, b.len, "test_results", path, sizeof path);
	buf_free(&b);
	snprintf(cmd, sizeof cmd, "pdftoppm -r 150 -png -singlefile '%s' '%s-p' && "
	    "zbarimg --quiet --raw -Sbinary '%s-p.png' 2>/dev/null; rm -f '%s' '%s-p.png'",
	    path, path, path, path, path);
	assert_non_null(fp = popen(cmd, "r"));
	n = fread(got, 1, sizeof got - 1, fp);
	pclose(fp);
	got[n] = '\0';
	while (n > 0 && got[n - 1] == '\n')
		got[--n] = '\0';
	assert_string_equal(got, qr);
}

UNIT_MAIN("results", setup, teardown)
