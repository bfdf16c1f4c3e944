/*
 * flows.h — what a citizen or a clerk does in several steps, written once for the
 * integration tests: uploading a material, the materials a form asks for, a bundle's form.
 * Each step asserts its own replies, so a test that uses it fails where the step broke.
 */
#ifndef YC_TEST_FLOWS_H
#define YC_TEST_FLOWS_H

#include <stddef.h>
#include <jansson.h>

#include "http.h"

/* POST /api/v1/uploads with a binary body of type as the bearer of token. */
void	 upload(struct resp *out, const char *token, const char *type, const void *p,
	     size_t n);
/* A small valid PNG / PDF into b (room for 1 KiB); seed makes the bytes (and so the hash)
 * differ.  Its length. */
size_t	 make_png(unsigned char *b, int seed);
size_t	 make_pdf(unsigned char *b, int seed);
/* Upload a fresh file (a PDF for an odd seed, else a PNG), expect 201; its id into id. */
void	 upload_ok(const char *token, int seed, char *id, size_t isz);
/* {"B1":"<id>",…} for every required material of a form's materials (from /bundles or
 * /items), each a fresh upload. */
void	 materials_for(const char *token, json_t *mats, int seed, char *out, size_t osz);
/* The bundle with this id from GET /bundles?hall=demo (a new reference); fails without it. */
json_t	*bundle(const char *id);

#endif
