/*
 * flows.h — what a citizen or a clerk does in several steps, written once for the
 * integration tests: uploading a material, the materials a form asks for, a bundle's form.
 * Each step asserts its own replies, so a test that uses it fails where the step broke.
 */
#ifndef YC_TEST_FLOWS_H
#define YC_TEST_FLOWS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "http.h"

/* Sign a demo staff member / a citizen (by SMS) in, trying again for a while (a sign-in
 * throttle, or Redis or MariaDB coming back: each app thread answers 503 once before it
 * reconnects); the test fails when they cannot.  The token into tok. */
void	 staff_in(const char *user, int window, char *tok, size_t tsz);
/* The same for a member of staff of another hall of the demo city (chengbei, qiaotou, …). */
void	 staff_in_hall(const char *hall, const char *user, int window, char *tok, size_t tsz);
void	 citizen_in(const char *phone, char *tok, size_t tsz);
/*
 * Who a suite signs in before its tests: a staff member at a window (of the demo hall, or of
 * another hall of the demo city), or a citizen by SMS (user NULL); the token into tok (tsz
 * bytes).  A table of these, written with STAFF, STAFF_AT, NEW_STAFF and CITIZEN, goes to
 * sign_in_all, or with the suite's set-up to suite_sign_in.
 */
struct signer {
	const char	*user;		/* staff username; NULL for a citizen */
	int		 window;
	const char	*phone;		/* the citizen's phone when user is NULL */
	char		*tok;
	size_t		 tsz;
	const char	*hall;		/* NULL: demo */
	const char	*name, *role, *dept;	/* NEW_STAFF: the account suite_sign_in makes */
};
#define STAFF(user, window, tok)	{ (user), (window), NULL, (tok), sizeof (tok), NULL, \
					  NULL, NULL, NULL }
#define STAFF_AT(hall, user, window, tok) { (user), (window), NULL, (tok), sizeof (tok), \
					  (hall), NULL, NULL, NULL }
/* A demo staff account that need not be in the seed: suite_sign_in makes it (ensure_staff). */
#define NEW_STAFF(user, name, role, dept, window, tok) { (user), (window), NULL, (tok), \
					  sizeof (tok), NULL, (name), (role), (dept) }
#define CITIZEN(phone, tok)		{ NULL, 0, (phone), (tok), sizeof (tok), NULL, NULL, \
					  NULL, NULL }
/* Sign in everyone of the table who is not yet (tok ""), again every 100 ms for up to 10 s
 * while anyone fails (the stack starting, a sign-in throttle, or each app thread's one 503
 * after Redis or MariaDB came back).  0, or -1 with a line on stderr naming who could not:
 * for a suite's setup, where an assertion cannot fail the suite. */
#define sign_in_all(who)	sign_in_table((who), sizeof (who) / sizeof (who)[0])
int	 sign_in_table(const struct signer *who, size_t n);
/* What most suites do before their tests, in one: suite_setup, the NEW_STAFF accounts of
 * the table made, the hall clock at when (NULL: where the stack has it), and everyone of the
 * table signed in (sign_in_all).  0 or -1. */
#define suite_sign_in(st, when, who) \
	suite_sign_in_table((st), (when), (who), sizeof (who) / sizeof (who)[0])
int	 suite_sign_in_table(void **st, const char *when, const struct signer *who, size_t n);
/* A staff account of the demo hall (password yichuang-demo) made in the record unless it
 * exists; dept may be NULL.  Needs test_db (suite.h). */
void	 ensure_staff(const char *user, const char *name, const char *role, const char *dept);

/* A valid 18-digit resident ID number: 110105, the birth date birth8 ("19800101"), a
 * sequence (seq % 1000) and the GB 11643 check digit. */
void	 make_id(char out[19], const char *birth8, int seq);
/* A new citizen (a row in the record) and a session for it made the way sign-in makes one,
 * without an SMS: for tests that need many citizens.  The token into tok; the citizen's id.
 * Needs test_db. */
uint64_t citizen_session(char *tok, size_t tsz);

/* The material codes of an item from GET /items/<item>: every one, or only the required
 * ones, and optionally not the waivable ones; a JSON array (a new reference). */
json_t	*material_codes(const char *item, int required_only, int skip_waivable);
/* The same as compact JSON text into out: ["B1","B2"]. */
void	 material_codes_text(const char *item, int required_only, int skip_waivable, char *out,
	     size_t osz);

/* The required materials of item as a handover sheet lists them, each with this many pages,
 * and the JSON object extra (NULL: none) after them: [{"code":"M1","pages":3},…] into out. */
void	 sheet_materials(const char *item, int pages, const char *extra, char *out, size_t osz);
/* How many slots GET /api/v1/halls/demo/slots?<query> lists (it must answer 200). */
size_t	 slot_count(const char *query);
/* The first slot with places left of GET /api/v1/halls/demo/slots?<query> into out; the
 * test fails when there is none. */
void	 free_slot(const char *query, char *out, size_t osz);

/* POST /api/v1/cases as the clerk token: item with every required material
 * (material_codes_text) and the JSON members more (the applicant, "\"applicant\":{…}", and
 * any others).  It must answer 201 with the case "accepted"; its number into no and its
 * tracking token into tok (NULL: not wanted), 64 bytes each.  The reply into r, or freed
 * when r is NULL. */
void	 case_accept(struct resp *r, const char *clerk, const char *item, const char *more,
	     char *no, char *tok);
/* POST /api/v1/cases/<no>/actions with body as the bearer of token; the reply into r. */
void	 case_act(struct resp *r, const char *token, const char *no, const char *body);
/* The same, which must answer status; the reply is freed. */
void	 case_act_expect(const char *token, const char *no, const char *body, long status);
/* The same, which must be refused with status and the error code; the reply is freed. */
void	 case_act_refused(const char *token, const char *no, const char *body, long status,
	     const char *code);
/* The same, which must answer 200 with the case now in status. */
void	 case_act_ok(const char *token, const char *no, const char *body, const char *status);
/* POST /api/v1/windows/<w>/<action> (call-next, finish, …) with body as the bearer of
 * token; the reply into r. */
void	 window_post(struct resp *r, const char *token, int w, const char *action,
	     const char *body);
/* window_post that must answer 200 with the string want at member ("ticket.status"), or
 * be refused with status and code; the reply is freed. */
void	 window_ok(const char *token, int w, const char *action, const char *body,
	     const char *member, const char *want);
void	 window_refused(const char *token, int w, const char *action, const char *body,
	     long status, const char *code);

/* POST /api/v1/uploads with a binary body of type as the bearer of token. */
void	 upload(struct resp *out, const char *token, const char *type, const void *p,
	     size_t n);
/* A small valid PNG / PDF into b (room for 1 KiB); seed makes the bytes (and so the hash)
 * differ.  Its length. */
size_t	 make_png(unsigned char *b, int seed);
size_t	 make_pdf(unsigned char *b, int seed);
/* Upload n bytes of type, expect 201; the upload's id into id. */
void	 upload_file(const char *token, const char *type, const void *p, size_t n, char *id,
	     size_t isz);
/* Upload a fresh file (a PDF for an odd seed, else a PNG), expect 201; its id into id. */
void	 upload_ok(const char *token, int seed, char *id, size_t isz);
/* {"B1":"<id>",…} for every required material of a form's materials (from /bundles or
 * /items), each a fresh upload. */
void	 materials_for(const char *token, json_t *mats, int seed, char *out, size_t osz);
/* The bundle with this id from GET /bundles?hall=demo (a new reference); fails without it. */
json_t	*bundle(const char *id);

#endif
