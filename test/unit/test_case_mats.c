/*
 * test_case_mats.c — the materials rows of the case rooms (modules/cases/case_mats.c): the one
 * row loader every materials query feeds (column order, NULL columns, the list's cap), the
 * lookup by code, the labels of a form, and the list of names an SMS variable and a notice
 * carry ("A、B等5项", cut by characters, never inside a name).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/tests.h"
#include "../../modules/cases/case_mats.h"

/* One row as the database hands it: 11 columns, NULL where the query has no value. */
static int
feed(struct case_mats *l, const char *code, const char *name, const char *required,
    const char *state, const char *upload, const char *size)
{
	char *v[11] = { (char *)code, (char *)name, (char *)required, (char *)"1",
	    (char *)"copy", (char *)"2", (char *)"盖章", (char *)state, (char *)"QT1:M1",
	    (char *)upload, (char *)size };
	size_t lens[11] = { 0 };

	return case_mat_row(l, 11, v, lens);
}

TEST(row_loader)
{
	struct case_mats *l = calloc(1, sizeof *l);
	struct case_mat *m;

	assert_int_equal(feed(l, "M1", "居民身份证", "1", NULL, NULL, NULL), 0);
	assert_int_equal(feed(l, "M2", "营业执照", "0", "waived", "upl-abc", "2048"), 0);
	assert_int_equal(l->n, 2);
	m = case_mats_find(l, "M1");
	assert_non_null(m);
	assert_string_equal(m->name, "居民身份证");
	assert_true(m->required);
	assert_true(m->waivable);
	assert_string_equal(m->form, "copy");
	assert_int_equal(m->copies, 2);
	assert_string_equal(m->state, "");	/* NULL: no state in the case */
	assert_string_equal(m->upload, "");
	assert_int_equal(m->size, 0);
	m = case_mats_find(l, "M2");
	assert_non_null(m);
	assert_false(m->required);
	assert_string_equal(m->state, "waived");
	assert_string_equal(m->upload, "upl-abc");
	assert_int_equal(m->size, 2048);
	assert_string_equal(m->parts, "QT1:M1");
	assert_null(case_mats_find(l, "M3"));
	free(l);
}

TEST(row_loader_cap)
{
	struct case_mats *l = calloc(1, sizeof *l);
	char code[16];
	int i;

	l->cap = 3;
	for (i = 0; i < 3; i++) {
		code[0] = 'M';
		code[1] = (char)('1' + i);
		code[2] = '\0';
		assert_int_equal(feed(l, code, "材料", "1", NULL, NULL, NULL), 0);
	}
	/* the fourth row stops the query instead of writing past the list */
	assert_int_equal(feed(l, "M4", "材料", "1", NULL, NULL, NULL), 1);
	assert_int_equal(l->n, 3);
	memset(l, 0, sizeof *l);	/* cap 0: the whole list */
	for (i = 0; i < CASE_MATS_MAX; i++)
		assert_int_equal(feed(l, "M", "材料", "1", NULL, NULL, NULL), 0);
	assert_int_equal(feed(l, "M", "材料", "1", NULL, NULL, NULL), 1);
	assert_int_equal(l->n, CASE_MATS_MAX);
	free(l);
}

TEST(form_labels)
{
	assert_string_equal(case_mat_form_label("original"), "原件");
	assert_string_equal(case_mat_form_label("copy"), "复印件");
	assert_string_equal(case_mat_form_label("original_and_copy"), "原件及复印件");
	assert_string_equal(case_mat_form_label("electronic"), "电子件");
	assert_string_equal(case_mat_form_label("fax"), "fax");
}

TEST(names_sms)
{
	struct case_names n;
	char out[256];

	/* 5 + 1 + 4 + 1 + 6 = 17 characters, then 17 + 8 + 1 > 24: the fourth is left out */
	case_names_start(&n, out, sizeof out, 24);
	assert_int_equal(case_names_add(&n, "居民身份证"), 1);
	assert_int_equal(case_names_add(&n, "营业执照"), 1);
	assert_int_equal(case_names_add(&n, "不动产权证书"), 1);
	assert_int_equal(case_names_add(&n, "房屋买卖合同原件"), 0);
	/* once full, a short name after it is not added either: the list keeps its order */
	assert_int_equal(case_names_add(&n, "照片"), 0);
	case_names_end(&n, 5);
	assert_string_equal(out, "居民身份证、营业执照、不动产权证书等5项");

	/* everything shown: no tail */
	case_names_start(&n, out, sizeof out, 24);
	case_names_add(&n, "居民身份证");
	case_names_add(&n, "照片");
	case_names_end(&n, 2);
	assert_string_equal(out, "居民身份证、照片");

	/* the first name always goes in, however long */
	case_names_start(&n, out, sizeof out, 24);
	assert_int_equal(case_names_add(&n, "中华人民共和国境外投资企业备案证明文件及附件材料清单"), 1);
	assert_int_equal(case_names_add(&n, "照片"), 0);
	case_names_end(&n, 2);
	assert_string_equal(out, "中华人民共和国境外投资企业备案证明文件及附件材料清单等2项");
}

TEST(names_notice)
{
	struct case_names n;
	char out[24];
	char big[256];
	int i;

	/* no character limit: as many as the buffer holds, never a name cut in half */
	case_names_start(&n, big, sizeof big, 0);
	for (i = 0; i < 6; i++)
		assert_int_equal(case_names_add(&n, "营业执照"), 1);
	case_names_end(&n, 6);
	assert_string_equal(big, "营业执照、营业执照、营业执照、营业执照、营业执照、营业执照");

	case_names_start(&n, out, sizeof out, 0);
	assert_int_equal(case_names_add(&n, "营业执照"), 1);	/* 12 bytes */
	assert_int_equal(case_names_add(&n, "身份证"), 0);	/* 12 + 9 + 4 ≥ 24 bytes */
	case_names_end(&n, 2);
	assert_string_equal(out, "营业执照等2项");
}

UNIT_MAIN("case_mats", NULL, NULL)
