/*
 * case_actions.h — the back office, the unified pickup window and mail: what one action on a
 * case carries (struct action), and the transaction step of each (case_actions.c).  The
 * handler (case_actions_api.c) parses and checks, then runs case_act_run in a transaction.
 */
#ifndef YC_CASE_ACTIONS_H
#define YC_CASE_ACTIONS_H

#include <stdint.h>

#include <jansson.h>

#include "cases.h"
#include "case_mats.h"
#include "case_rules.h"

/* What the clerk checked to hand a result over without the pickup code. */
enum checked { CHK_NONE, CHK_ID_CARD, CHK_AGENT_PAPERS, CHK__MAX };

extern const char *const checked_names[CHK__MAX + 1];



#define MAX_CODES 40

struct action {
	enum case_act	 act;
	const char	*note, *reason, *carrier, *tracking_no, *assignee, *pickup_code, *address;
	int		 checked;		/* enum checked: how a hand-over was verified */
	json_t		*codes;			/* material codes (array) or NULL */
	struct case_row	 cr;
	char		 now[20];
	int64_t		 today;
	long long	 staff;
	char		 dept[32];		/* the part acted on */
	long long	 assignee_id;
	char		 assignee_name[204];	/* staff.name: up to 50 characters */
	struct case_mats mats;			/* the case's materials (for codes) */
	char		 notice[CASE_TOKEN_MAX];	/* 补正告知书 */
	char		 new_deadline[12];
	int		 new_provisional;	/* it runs through a provisional year */
	int		 paused;
};

/* The case's materials (every item material of its parts, with its state in the case). */
int	case_action_mats(struct ctx *c, struct action *a);
/* The material of code among them, or NULL. */
struct case_mat *case_action_mat(struct action *a, const char *code);
/*
 * The action's writes, inside the caller's transaction, who acting: the guarded transition,
 * the parts, history, outbox rows.  0, a DB_* code, E_INVALID_TRANSITION (the guarded
 * UPDATE found another status: someone acted first) or E_NO_PICKUP_WINDOW.
 */
int	case_act_run(struct ctx *c, const struct session *who, struct action *a);
/*
 * A new applicant tracking token (hash, sealed: n bytes) for the case, every earlier one
 * revoked, and the history row, inside the caller's transaction.  0 or a DB_* code.
 */
int	case_track_renew(struct ctx *c, const struct session *who, const struct case_row *cr,
	    const char *now, const char *hash, const unsigned char *sealed, size_t n);

#endif
