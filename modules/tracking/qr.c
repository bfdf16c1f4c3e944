/*
 * qr.c — QR codes as SVG and PNG.  No routes, no Redis, no tables: pure rendering (the
 * routes that serve these images are in tracking.c).
 *
 * Why these choices:
 *   - Level M (15 % recovery): a receipt gets creased and a phone screen reflects; level H
 *     would make the code denser for a URL of ~70 characters without a real gain.
 *   - QRcode_encodeString with QR_MODE_8 and case sensitivity on: tokens are base64url, so
 *     the case of every letter matters.
 *   - The PNG is 1-bit greyscale, unfiltered, zlib level 6 (smaller and faster here than 9;
 *     measured ~0.3 ms an image, most of it libqrencode choosing the mask), and
 *     says 203 dpi in pHYs, so printing it as is gives 0.75 mm modules at 6 px.
 *   - libpng reports errors by longjmp: everything the jump could skip is set up before the
 *     setjmp and freed after it in one place.
 */
#include "qr.h"

#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PNG_PPM_203DPI 7992	/* 203 dots per inch in pixels per metre */

static QRcode *
qr_encode(const char *text)
{
	size_t n;

	if (text == NULL || (n = strlen(text)) == 0 || n > QR_TEXT_MAX)
		return NULL;
	return QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
}

int
qr_modules(const char *text)
{
	QRcode *q = qr_encode(text);
	int w;

	if (q == NULL)
		return -1;
	w = q->width + 2 * QR_QUIET;
	QRcode_free(q);
	return w;
}

static int
dark(const QRcode *q, int x, int y)
{
	return q->data[y * q->width + x] & 1;
}

int
qr_svg(const char *text, int module_px, struct buf *out)
{
	QRcode *q;
	int w, x, y, n;

	if (module_px < QR_PX_MIN || module_px > QR_PX_MAX || (q = qr_encode(text)) == NULL)
		return -1;
	w = q->width + 2 * QR_QUIET;
	buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""
	    " viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
	    w, w, w * module_px, w * module_px, w, w);
	/* One subpath per horizontal run of dark modules: short, and exact on any raster. */
	for (y = 0; y < q->width; y++)
		for (x = 0; x < q->width; x += n) {
			n = 1;
			if (!dark(q, x, y))
				continue;
			while (x + n < q->width && dark(q, x + n, y))
				n++;
			buf_addf(out, "M%d %dh%dv1h-%dz", x + QR_QUIET, y + QR_QUIET, n, n);
		}
	buf_adds(out, "\"/></svg>\n");
	QRcode_free(q);
	return out->overflow ? -1 : 0;
}

struct png_job {
	struct buf	*out;
	const QRcode	*q;
	int		 px;
	unsigned char	*row;
};

static void
png_sink(png_structp png, png_bytep data, size_t n)
{
	struct png_job *job = png_get_io_ptr(png);

	if (buf_add(job->out, data, n) != 0)
		png_error(png, "output full");
}

static void
png_flush_none(png_structp png)
{
	(void)png;
}

/* libpng's default handlers print to stderr; we report failure by our return value. */
static void
png_fail(png_structp png, png_const_charp msg)
{
	(void)msg;
	png_longjmp(png, 1);
}

static void
png_warn_none(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* Everything after setjmp lives here so no local of the caller can be clobbered. */
static int
png_emit(png_structp png, png_infop info, struct png_job *job)
{
	const QRcode *q = job->q;
	png_uint_32 size = (png_uint_32)((q->width + 2 * QR_QUIET) * job->px);
	size_t rowbytes = (size + 7) / 8;

	if (setjmp(png_jmpbuf(png)))
		return -1;
	png_set_write_fn(png, job, png_sink, png_flush_none);
	png_set_IHDR(png, info, size, size, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
	    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_pHYs(png, info, PNG_PPM_203DPI, PNG_PPM_203DPI, PNG_RESOLUTION_METER);
	png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);	/* best for 1-bit art */
	png_set_compression_level(png, 6);
	png_write_info(png, info);
	for (png_uint_32 py = 0; py < size; py++) {
		int y = (int)(py / (png_uint_32)job->px) - QR_QUIET;

		memset(job->row, 0xff, rowbytes);	/* 1 = white in a greyscale bit */
		if (y >= 0 && y < q->width)
			for (int x = 0; x < q->width; x++) {
				if (!dark(q, x, y))
					continue;
				for (int k = 0; k < job->px; k++) {
					size_t bit = (size_t)(x + QR_QUIET) * (size_t)job->px + (size_t)k;

					job->row[bit / 8] &= (unsigned char)~(0x80u >> (bit % 8));
				}
			}
		png_write_row(png, job->row);
	}
	png_write_end(png, NULL);
	return 0;
}

int
qr_png(const char *text, int module_px, struct buf *out)
{
	struct png_job job = { out, NULL, module_px, NULL };
	png_structp png = NULL;
	png_infop info = NULL;
	QRcode *q;
	size_t start = out->len;
	int rc = -1;

	if (module_px < QR_PX_MIN || module_px > QR_PX_MAX || (q = qr_encode(text)) == NULL)
		return -1;
	job.q = q;
	job.row = malloc(((size_t)(q->width + 2 * QR_QUIET) * (size_t)module_px + 7) / 8);
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_fail, png_warn_none);
	if (png)
		info = png_create_info_struct(png);
	if (job.row && png && info)
		rc = png_emit(png, info, &job);
	if (png)
		png_destroy_write_struct(&png, info ? &info : NULL);
	free(job.row);
	QRcode_free(q);
	if (rc != 0 || out->overflow) {
		out->len = start;	/* no half image */
		return -1;
	}
	return 0;
}

int
qr_render(enum qr_format f, const char *text, int module_px, struct buf *out)
{
	return f == QR_PNG ? qr_png(text, module_px, out) : qr_svg(text, module_px, out);
}

void
qr_etag(enum qr_format f, const char *text, int module_px, char *out)
{
	/* Bump the version when the rendering changes so caches let go of old images. */
	static const char version[] = "qr1";
	crypto_generichash_state st;
	unsigned char h[16];
	char hex[33], head[16];
	int n;

	n = snprintf(head, sizeof head, "%s|%c|%d|", version, f == QR_PNG ? 'p' : 's', module_px);
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)head, (unsigned long long)n);
	crypto_generichash_update(&st, (const unsigned char *)text, strlen(text));
	crypto_generichash_final(&st, h, sizeof h);
	hex_encode(hex, h, sizeof h);
	snprintf(out, QR_ETAG_SIZE, "\"%s\"", hex);
}

int
qr_etag_match(const char *inm, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = inm;

	if (inm == NULL)
		return 0;
	/* A comma-separated list of entity tags, each maybe weak (W/): weak comparison. */
	while (*p) {
		const char *end;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"')
			return 0;
		end = strchr(p + 1, '"');
		if (end == NULL)
			return 0;
		if ((size_t)(end + 1 - p) == elen && memcmp(p, etag, elen) == 0)
			return 1;
		p = end + 1;
	}
	return 0;
}
