/*
 * test_qr.c — QR images: what we render must scan back to exactly the text we encoded.
 *
 * The PNG goes straight to zbarimg; the SVG is rasterised by rsvg-convert (librsvg2-bin)
 * first, then scanned.  Both tools are installed by `ops/deps.sh test`.  The PNG is also
 * read back with libpng to check its format: 1-bit greyscale, (modules + 8) × px square,
 * a white quiet zone of 4 modules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/tests.h"
#include "../../modules/tracking/qr.h"
#include "../lib/proc.h"

static const char *const texts[] = {
	"https://yichuang.example.gov.cn/t/Zq3-_x9KpLmN0aBcDeFgHw",
	"http://127.0.0.1:18080/t/AAAAAAAAAAAAAAAAAAAAAA",
	"https://host/q/abcDEF123_-xyzXYZ789abcdEFGH0123456789ab",
	/* Long: version 6+ with several alignment patterns. */
	("https://zwfw.example.gov.cn/t/0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-"
	"0123456789abcdefghijklmnopqrstuvwxyz"),
};

/* Run a shell command and return its standard output (caller frees), exit status in *rc. */
static char *
run(const char *cmd, int *rc)
{
	char *out = calloc(1, 4096);
	size_t n = 0, k;
	FILE *p = popen(cmd, "r");

	assert_non_null(out);
	assert_non_null(p);
	while ((k = fread(out + n, 1, 4095 - n, p)) > 0 && n < 4095)
		n += k;
	*rc = pclose(p);
	return out;
}

/* zbarimg --raw prints each symbol's data followed by a newline. */
static void
assert_scans_to(const char *file, const char *text)
{
	char cmd[256], *got;
	int rc;

	snprintf(cmd, sizeof cmd, "zbarimg --raw -q -Sdisable -Sqrcode.enable '%s' 2>/dev/null", file);
	got = run(cmd, &rc);
	if (rc != 0 || strlen(got) != strlen(text) + 1 || strncmp(got, text, strlen(text)) != 0)
		fprintf(stderr, "zbarimg %s (rc %d): got [%s], want [%s]\n", file, rc, got, text);
	assert_int_equal(rc, 0);
	assert_int_equal(strlen(got), strlen(text) + 1);
	assert_memory_equal(got, text, strlen(text));
	assert_int_equal(got[strlen(text)], '\n');
	free(got);
}

TEST(png_decodes)
{
	size_t i;
	int px;

	for (i = 0; i < NELEM(texts); i++)
		for (px = 2; px <= 8; px += 4) {
			struct buf b;
			char path[64];

			buf_init(&b, QR_OUT_MAX);
			assert_int_equal(qr_png(texts[i], px, &b), 0);
			assert_memory_equal(b.data, "\x89PNG\r\n\x1a\n", 8);
			proc_temp_file("test_qr", b.data, b.len, ".png", path);
			assert_scans_to(path, texts[i]);
			unlink(path);
			buf_free(&b);
		}
}

TEST(svg_rasterised_decodes)
{
	size_t i;

	for (i = 0; i < NELEM(texts); i++) {
		struct buf b;
		char svg[64], png[80], cmd[256], *out;
		int rc;

		buf_init(&b, QR_OUT_MAX);
		assert_int_equal(qr_svg(texts[i], 4, &b), 0);
		proc_temp_file("test_qr", b.data, b.len, ".svg", svg);
		snprintf(png, sizeof png, "%s.png", svg);
		/* Rasterise at an awkward width too: crispEdges must keep modules sharp. */
		snprintf(cmd, sizeof cmd, "rsvg-convert -w %d -b white -o '%s' '%s' 2>&1",
		    i % 2 ? 333 : 400, png, svg);
		out = run(cmd, &rc);
		if (rc != 0)
			fprintf(stderr, "rsvg-convert: %s\n", out);
		assert_int_equal(rc, 0);
		free(out);
		assert_scans_to(png, texts[i]);
		unlink(svg);
		unlink(png);
		buf_free(&b);
	}
}

TEST(svg_shape)
{
	struct buf b;
	char want[64];
	int w;

	buf_init(&b, QR_OUT_MAX);
	w = qr_modules(texts[0]);
	assert_true(w >= 21 + 8);
	assert_int_equal((w - 8 - 17) % 4, 0);	/* 17 + 4 × version */
	assert_int_equal(qr_svg(texts[0], 5, &b), 0);
	buf_add(&b, "", 1);
	snprintf(want, sizeof want, "viewBox=\"0 0 %d %d\"", w, w);
	assert_non_null(strstr(b.data, want));
	snprintf(want, sizeof want, "width=\"%d\" height=\"%d\"", w * 5, w * 5);
	assert_non_null(strstr(b.data, want));
	assert_non_null(strstr(b.data, "shape-rendering=\"crispEdges\""));
	/* One path of dark modules; the first run starts inside the quiet zone's corner. */
	assert_non_null(strstr(b.data, "<path"));
	assert_null(strstr(strstr(b.data, "<path") + 1, "<path"));
	assert_non_null(strstr(b.data, "d=\"M4 4h7v1h-7z"));	/* finder pattern's top edge */
	assert_true(strncmp(b.data, "<svg ", 5) == 0);
	buf_free(&b);
}

struct png_read {
	const struct buf *b;
	size_t pos;
};

static void
png_src(png_structp png, png_bytep data, size_t n)
{
	struct png_read *rd = png_get_io_ptr(png);

	if (rd->pos + n > rd->b->len)
		png_error(png, "short");
	memcpy(data, rd->b->data + rd->pos, n);
	rd->pos += n;
}

TEST(png_format)
{
	struct buf b;
	struct png_read rd;
	png_structp png;
	png_infop info;
	png_uint_32 w, h, x, y, rx, ry;
	int depth, type, px = 6, unit, modules;
	unsigned char *row;

	buf_init(&b, QR_OUT_MAX);
	assert_int_equal(qr_png(texts[0], px, &b), 0);
	modules = qr_modules(texts[0]);
	rd.b = &b;
	rd.pos = 0;
	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png_create_info_struct(png);
	assert_non_null(info);
	if (setjmp(png_jmpbuf(png)))
		fail_msg("libpng could not read our PNG");
	png_set_read_fn(png, &rd, png_src);
	png_read_info(png, info);
	png_get_IHDR(png, info, &w, &h, &depth, &type, NULL, NULL, NULL);
	assert_int_equal(w, (png_uint_32)(modules * px));
	assert_int_equal(h, w);
	assert_int_equal(depth, 1);
	assert_int_equal(type, PNG_COLOR_TYPE_GRAY);
	assert_true(png_get_pHYs(png, info, &rx, &ry, &unit) != 0);
	assert_int_equal(rx, 7992);	/* 203 dpi */
	assert_int_equal(unit, PNG_RESOLUTION_METER);
	row = malloc(png_get_rowbytes(png, info));
	assert_non_null(row);
	for (y = 0; y < h; y++) {
		png_read_row(png, row, NULL);
		for (x = 0; x < w; x++) {
			int white = (row[x / 8] >> (7 - x % 8)) & 1;
			int quiet = x < (png_uint_32)(4 * px) || y < (png_uint_32)(4 * px) ||
			    x >= w - (png_uint_32)(4 * px) || y >= h - (png_uint_32)(4 * px);

			if (quiet)
				assert_int_equal(white, 1);
			/* The top-left finder pattern's corner module is dark. */
			if (x / px == 4 && y / px == 4)
				assert_int_equal(white, 0);
		}
	}
	free(row);
	png_destroy_read_struct(&png, &info, NULL);
	buf_free(&b);
}

TEST(bad_input)
{
	struct buf b;
	char big[QR_TEXT_MAX + 2];

	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_init(&b, QR_OUT_MAX);
	assert_int_equal(qr_png("", 6, &b), -1);
	assert_int_equal(qr_svg("", 6, &b), -1);
	assert_int_equal(qr_png(big, 6, &b), -1);
	assert_int_equal(qr_png(texts[0], 0, &b), -1);
	assert_int_equal(qr_png(texts[0], QR_PX_MAX + 1, &b), -1);
	assert_int_equal(qr_svg(texts[0], 0, &b), -1);
	assert_int_equal(qr_modules(""), -1);
	assert_int_equal(b.len, 0);
	buf_free(&b);

	/* An output buffer too small: a failure, and nothing half-written is left. */
	buf_init(&b, 200);
	buf_adds(&b, "kept");
	assert_int_equal(qr_png(texts[0], 6, &b), -1);
	assert_int_equal(b.len, 4);
	buf_free(&b);
	buf_init(&b, 200);
	assert_int_equal(qr_svg(texts[0], 6, &b), -1);
	buf_free(&b);
}

TEST(etags)
{
	char a[QR_ETAG_SIZE], b[QR_ETAG_SIZE], c[QR_ETAG_SIZE], d[QR_ETAG_SIZE], list[160];

	qr_etag(QR_PNG, texts[0], 6, a);
	qr_etag(QR_PNG, texts[0], 6, b);
	qr_etag(QR_SVG, texts[0], 6, c);
	qr_etag(QR_PNG, texts[1], 6, d);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	qr_etag(QR_PNG, texts[0], 4, d);
	assert_string_not_equal(a, d);
	assert_int_equal(a[0], '"');
	assert_int_equal(a[strlen(a) - 1], '"');
	assert_int_equal(strlen(a), 34);

	assert_true(qr_etag_match(a, a));
	assert_false(qr_etag_match(c, a));
	assert_false(qr_etag_match(NULL, a));
	assert_false(qr_etag_match("", a));
	assert_true(qr_etag_match("*", a));
	snprintf(list, sizeof list, "W/%s", a);	/* nginx weakens tags it gzips */
	assert_true(qr_etag_match(list, a));
	snprintf(list, sizeof list, "%s, W/%s", c, a);
	assert_true(qr_etag_match(list, a));
	snprintf(list, sizeof list, "%s,%s", c, d);
	assert_false(qr_etag_match(list, a));
	assert_false(qr_etag_match("\"unterminated", a));
	assert_false(qr_etag_match("garbage", a));
}

UNIT_MAIN("qr", NULL, NULL)
