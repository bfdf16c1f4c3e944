/*
 * qr.h — QR codes (libqrencode) rendered as SVG and as PNG (libpng).
 *
 * Every code uses error correction level M, 8-bit mode (the text is a URL with mixed case,
 * so alphanumeric mode cannot carry it) and a quiet zone of 4 modules on each side, as the
 * standard asks.  The SVG is one <path> of the dark modules on a white square, sized by its
 * viewBox so any page can scale it; the PNG is 1-bit greyscale, `module_px` pixels a module:
 * 6 px suits a 203 dpi receipt printer (0.75 mm a module) and a phone screen alike.
 */
#ifndef YC_QR_H
#define YC_QR_H

#include <stddef.h>

#include "../../fcgi/util.h"

#define QR_QUIET      4		/* modules of white border on each side */
#define QR_TEXT_MAX   512	/* longest text we encode (a URL) */
#define QR_PX_MIN     1
#define QR_PX_MAX     20
#define QR_PX_DEFAULT 6		/* PNG module size: 203 dpi receipt printers and phones */
#define QR_OUT_MAX    (2 * 1024 * 1024)

enum qr_format { QR_SVG, QR_PNG };

/*
 * Append the QR code for text to out.  module_px: SVG: the width/height attributes in px
 * per module (the viewBox is in modules either way); PNG: pixels per module.
 * 0, or -1 (text empty or too long, encoding failed, out of memory or out->max reached).
 */
int	qr_svg(const char *text, int module_px, struct buf *out);
int	qr_png(const char *text, int module_px, struct buf *out);
int	qr_render(enum qr_format f, const char *text, int module_px, struct buf *out);

/* Width in modules, quiet zone included, of the code for text; -1 when it cannot be encoded. */
int	qr_modules(const char *text);

/*
 * A strong ETag (with its quotes) for the image of text in format f at module_px: the same
 * text always gives the same bytes, so the tag is a hash of what determines them.
 * out needs QR_ETAG_SIZE.
 */
#define QR_ETAG_SIZE 48
void	qr_etag(enum qr_format f, const char *text, int module_px, char *out);
/* True when an If-None-Match header value matches etag (weak comparison, lists, "*"). */
int	qr_etag_match(const char *if_none_match, const char *etag);

#endif
