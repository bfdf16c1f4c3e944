/*
 * results_pdf.c — one-page A4 PDFs (a result, 受理通知书, 一次性告知书, 不予受理通知书) with
 * their QR code, drawn with cairo and the Noto Sans CJK SC font (Debian: libcairo2-dev,
 * fonts-noto-cjk).  No database: the callers hand over the text.
 *
 * The QR is drawn as filled squares from libqrencode's modules (vector, so it prints sharp
 * at any size), 3 mm of quiet zone around it, at least 0.5 mm a module.  Long values wrap by
 * characters (CJK has no spaces to wrap at), never cut through a UTF-8 sequence.
 */
#include "results.h"
#include "../../fcgi/log.h"

#include <cairo.h>
#include <cairo-pdf.h>
#include <qrencode.h>
#include <string.h>

#define A4_W   595.28
#define A4_H   841.89
#define MARGIN 56.0
#define FONT   "Noto Sans CJK SC"

static cairo_status_t
pdf_write(void *closure, const unsigned char *data, unsigned int len)
{
	struct buf *b = closure;

	return buf_add(b, data, len) == 0 && !b->overflow ? CAIRO_STATUS_SUCCESS :
	    CAIRO_STATUS_WRITE_ERROR;
}

/* Bytes of the UTF-8 character at s (1 for a stray byte). */
static size_t
u8len(const char *s)
{
	unsigned char c = (unsigned char)s[0];

	if (c >= 0xf0)
		return 4;
	if (c >= 0xe0)
		return 3;
	if (c >= 0xc0)
		return 2;
	return 1;
}

/* Draw text from (x, *y), wrapped at width; *y moves below it. */
static void
text_wrapped(cairo_t *cr, const char *s, double x, double *y, double width, double lh)
{
	char line[1024];
	size_t n = 0;

	while (*s) {
		size_t k = u8len(s);
		cairo_text_extents_t te;

		if (strnlen(s, k) < k)
			break;
		if (n + k >= sizeof line)
			break;
		memcpy(line + n, s, k);
		line[n + k] = '\0';
		cairo_text_extents(cr, line, &te);
		if (te.x_advance > width && n > 0) {
			line[n] = '\0';
			cairo_move_to(cr, x, *y);
			cairo_show_text(cr, line);
			*y += lh;
			n = 0;
			continue;
		}
		n += k;
		s += k;
	}
	if (n > 0) {
		line[n] = '\0';
		cairo_move_to(cr, x, *y);
		cairo_show_text(cr, line);
		*y += lh;
	}
}

/* The QR code of text, size pt wide (quiet zone included), top-left at (x, y). 0 or -1. */
static int
draw_qr(cairo_t *cr, const char *text, double x, double y, double size)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	double m;
	int i, j, w;

	if (q == NULL)
		return -1;
	w = q->width;
	m = size / (w + 8);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x, y, size, size);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (i = 0; i < w; i++)
		for (j = 0; j < w; j++)
			if (q->data[i * w + j] & 1)
				cairo_rectangle(cr, x + (j + 4) * m, y + (i + 4) * m, m, m);
	cairo_fill(cr);
	QRcode_free(q);
	return 0;
}

int
pdf_document(const char *heading, const char *const *lines, const char *qr_text,
    const char *qr_caption, const char *footer, struct buf *out)
{
	cairo_surface_t *s;
	cairo_t *cr;
	cairo_text_extents_t te;
	double y = MARGIN + 40, w = A4_W - 2 * MARGIN;
	size_t i;
	int rc = 0;

	s = cairo_pdf_surface_create_for_stream(pdf_write, out, A4_W, A4_H);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(s);
		return -1;
	}
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, heading);
	cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
	cairo_set_font_size(cr, 26);
	cairo_text_extents(cr, heading, &te);
	cairo_move_to(cr, (A4_W - te.x_advance) / 2, y);
	cairo_show_text(cr, heading);
	y += 24;
	cairo_set_line_width(cr, 1.2);
	cairo_move_to(cr, MARGIN, y);
	cairo_line_to(cr, A4_W - MARGIN, y);
	cairo_stroke(cr);
	y += 34;

	for (i = 0; lines[i] != NULL; i += 2) {
		double y0 = y;

		cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
		cairo_set_font_size(cr, 13);
		cairo_move_to(cr, MARGIN, y);
		cairo_show_text(cr, lines[i]);
		cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
		text_wrapped(cr, lines[i + 1] ? lines[i + 1] : "", MARGIN + 110, &y, w - 110, 20);
		if (y == y0)
			y += 20;
		y += 6;
		if (y > A4_H - 300)	/* leave room for the QR: the rest would not fit */
			break;
	}

	if (qr_text != NULL) {
		double qs = 200, qx = (A4_W - qs) / 2, qy = A4_H - MARGIN - qs - 70;

		if (draw_qr(cr, qr_text, qx, qy, qs) != 0)
			rc = -1;
		if (qr_caption) {
			cairo_set_font_size(cr, 11);
			cairo_text_extents(cr, qr_caption, &te);
			cairo_move_to(cr, (A4_W - te.x_advance) / 2, qy + qs + 18);
			cairo_show_text(cr, qr_caption);
		}
	}
	if (footer) {
		cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
		cairo_set_font_size(cr, 14);
		cairo_text_extents(cr, footer, &te);
		cairo_move_to(cr, A4_W - MARGIN - te.x_advance, A4_H - MARGIN - 16);
		cairo_show_text(cr, footer);
	}
	cairo_show_page(cr);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		rc = -1;
	cairo_destroy(cr);
	cairo_surface_finish(s);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		rc = -1;
	cairo_surface_destroy(s);
	if (rc != 0)
		log_err("cannot draw the PDF of %s", heading);
	return rc;
}
