/*
 * handover.h — hand-overs (交接单) and custody of a case's paper file, as other rooms use
 * them.  Every movement of paper materials or of a result is a hand-over from the side that
 * holds the cases to another side; the receiver signs for it, noting any discrepancy.
 *
 * THE CONTRACT (stable: add to it, do not rename)
 *
 * A side (struct handover_end) is one of
 *   window      a window of a hall (hall, window): the clerk signed in at that window
 *   department  a department's back office at a hall (hall, department): its approvers there
 *   hall        a hall as a whole (hall): the hall's clerks and managers
 *   office      another province's office (office, a name; hall: the hall that deals with it):
 *               the clerks and managers of that hall record what the office sent or signed
 * handover_on_side(who, end) says whether the signed-in `who` acts for a side.
 *
 * A case's custody (who holds the file now) is its case_custody row once it was first handed
 * over; before that the accepting window (cases.window_no of cases.hall), or the accepting
 * hall for a case without one (online).  While a sheet is in transit the holder is still the
 * sender (accountable until the receiver signs) and custody.in_transit names the sheet.
 *
 * Every function runs inside the caller's transaction (db_tx) on c and writes nothing
 * outside it: the case history rows (handover_sent, handover_received, handover_discrepancy),
 * the custody rows, the audit rows (through r: handover.send, handover.receive).  They return
 * 0, a negative DB_* code (storage; DB_RETRY: let db_tx try again), or a positive E_* kind
 * (errors.h), a refusal:
 *   E_INVALID_INPUT       fields named on r (req_fail_field): reply with req_invalid(r)
 *   E_FORBIDDEN, E_NOT_FOUND, E_INVALID_STATE, E_NOT_IN_CUSTODY, E_HANDOVER_OPEN:
 *                         reply with req_err_msg(r, kind, why->msg)
 * The input is checked for shape by the caller (handover_parse does it for the JSON of the
 * API); the functions check it against the record.
 */
#ifndef YC_HANDOVER_H
#define YC_HANDOVER_H

#include <stddef.h>

#include <jansson.h>

#include "../../fcgi/yc.h"

#define HANDOVER_CASES_MAX	50	/* cases on one sheet */
#define HANDOVER_MATS_MAX	50	/* materials of one case on a sheet */
#define HANDOVER_PAGES_MAX	9999
#define HANDOVER_NOTE_MAX	200	/* characters */
#define HANDOVER_OFFICE_MAX	100	/* characters of an office's name */
#define HANDOVER_TOKEN_MAX	64
#define HANDOVER_RESULT_CODE	"RESULT"	/* the material code of a case's result */

enum handover_kind {
	HO_WINDOW,
	HO_DEPARTMENT,
	HO_HALL,
	HO_OFFICE,
	HO__MAX
};
extern const char *const handover_kind_names[HO__MAX + 1];

struct handover_end {
	enum handover_kind kind;
	char		 hall[32];
	char		 department[32];	/* HO_DEPARTMENT */
	int		 window;		/* HO_WINDOW */
	char		 office[404];		/* HO_OFFICE: up to 100 characters */
};

struct handover_mat_in {
	const char	*code;		/* a case_materials code of the case, or "RESULT" */
	long long	 pages;		/* 1..HANDOVER_PAGES_MAX */
};

struct handover_case_in {
	const char		*no;		/* cases.no */
	struct handover_mat_in	 mats[HANDOVER_MATS_MAX];
	size_t			 nmats;	/* 1..HANDOVER_MATS_MAX */
};

struct handover_in {
	struct handover_end	 to;
	struct handover_case_in	*cases;		/* the caller's */
	size_t			 ncases;	/* 1..HANDOVER_CASES_MAX */
	const char		*note;		/* NULL or up to HANDOVER_NOTE_MAX characters */
};

/* One discrepancy the receiver notes: a material's pages counted, a material missing (code
 * set, missing), or the whole file missing (code NULL, missing). */
struct handover_disc {
	const char	*no;
	const char	*code;		/* NULL: the case's whole file */
	long long	 pages_received;	/* -1 when not given */
	int		 missing;
	const char	*note;		/* NULL or up to HANDOVER_NOTE_MAX characters */
};

struct handover_why {
	char		 msg[256];	/* the refusal's message for the reply */
};

struct handover_made {
	long long	 id;
	char		 token[HANDOVER_TOKEN_MAX];	/* the receive token: wipe after use */
};

/* Does who act for side e (see above)? */
int	handover_on_side(const struct session *who, const struct handover_end *e);

/*
 * The JSON of POST /handovers into in (cases: an array the request owns, r's arena).
 * Field errors are recorded on r ("to.department", "cases[1].materials[0].pages", …); the
 * caller checks in_has_errors.  0, or -1 when out of memory.
 */
int	handover_parse(struct req *r, json_t *body, struct handover_in *in);
/* The JSON {"discrepancies":[…],"note"?} of a receipt into d (up to dmax) and *nd. */
int	handover_parse_receipt(struct req *r, json_t *body, struct handover_disc *d, size_t dmax,
	    size_t *nd, const char **note);

/*
 * Send: a new sheet from the side that holds every case of in to in->to, by r's signed-in
 * staff, who must act for that side.  Refusals: a case unknown or a material not the case's
 * (E_INVALID_INPUT naming cases[i].no / cases[i].materials[j].code), a case held by another
 * side (E_NOT_IN_CUSTODY), a case already on an open sheet (E_HANDOVER_OPEN), a case not yet
 * accepted (E_INVALID_STATE), the same side as the holder's (E_INVALID_INPUT "to"), a
 * destination that does not exist (E_INVALID_INPUT naming to.*).  out: the sheet's id and
 * its receive token.
 */
int	handover_create_tx(struct ctx *c, struct req *r, const struct handover_in *in,
	    struct handover_made *out, struct handover_why *why);

/*
 * Receive (sign for) sheet id — or the sheet of token when id is 0 — with nd discrepancies,
 * by r's signed-in staff, who must act for the receiving side (E_FORBIDDEN).  Received
 * already: E_INVALID_STATE; no such sheet: E_NOT_FOUND; a discrepancy naming a case or a
 * material not on the sheet: E_INVALID_INPUT.  The holder of every case becomes the
 * receiving side, except a case whose whole file is missing: it stays with the sender.
 * *id_out: the sheet's id.
 */
int	handover_receive_tx(struct ctx *c, struct req *r, long long id, const char *token,
	    const struct handover_disc *d, size_t nd, const char *note, long long *id_out,
	    struct handover_why *why);

/*
 * The case's custody: who holds the file now (*out a new object):
 *   {"holder":{"kind","hall","hall_name","department"?,"department_name"?,"window"?,
 *    "window_name"?,"office"?,"label"},"since","in_transit":bool,"handover":id|null,
 *    "to":{…holder…}|absent}
 * With public_view, the plain-words form the citizen's tracking page shows (no staff names):
 *   {"where":"材料在…","in_transit":bool,"since"}.
 * 0 or a DB_* code.
 */
int	handover_custody_json(struct ctx *c, long long case_id, int public_view, json_t **out);

/* The side that holds case_id now into *e (and the sheet in transit, 0 none).  1, 0 no such
 * case, or a DB_* code. */
int	handover_custody_get(struct ctx *c, long long case_id, struct handover_end *e,
	    long long *in_transit);

/* The sheet as GET /handovers/{id} shows it (*out a new object); 1, 0 none, or DB_*. */
int	handover_json(struct ctx *c, long long id, json_t **out);

/* Worker job handover-overdue: sheets not received within handover_receive_hours working
 * hours of the receiving hall raise the hall alert handover:<id>, once. */
int	job_handover_overdue(struct ctx *c);

#endif
