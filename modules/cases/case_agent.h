/*
 * case_agent.h — 代办 at the window: the agent a clerk records on POST /cases (from the
 * agent's ID card), the authorisation material (授权委托书) the checklist gains with an agent,
 * and the agent's part of the acceptance (its own tracking token and case_accepted SMS).
 *
 * The agent's name and phone live in the online agent's columns (080_online.sql: sealed,
 * masked, the phone's keyed hash), so a window agent follows the case under /me/cases and
 * gets the case's SMS exactly as an online agent does; the ID number and the relation are
 * 116_window_agent.sql's.
 */
#ifndef YC_CASE_AGENT_H
#define YC_CASE_AGENT_H

#include <jansson.h>

#include "../../fcgi/yc.h"
#include "case_mats.h"

/* The material code and name the checklist gains when the case has an agent. */
#define CASE_AGENT_AUTH_CODE "AUTH"
#define CASE_AGENT_AUTH_NAME "授权委托书"

struct case_agent {
	int		 present;
	const char	*name, *id_number, *phone;
	int		 relation;	/* index into case_agent_relations */
};

/*
 * The body's "applicant" {name, id_number, phone}, which every case filed at a window or
 * online has, into name, id_number and phone: a name of 1–20 characters, a valid ID number
 * and mobile number; field errors named applicant.name, applicant.id_number,
 * applicant.phone (applicant when it is not an object) on r.
 */
void	case_applicant_parse(struct req *r, const char **name, const char **id_number,
	    const char **phone);

/* "spouse", "parent", "child", "relative", "employee", "other"; NULL-terminated. */
extern const char *const case_agent_relations[];

/*
 * The body's "agent" (absent or null: none) into ag, its field errors named agent.name,
 * agent.id_number, agent.phone, agent.relation on r (the agent is not the applicant: an
 * ID number or phone equal to the applicant's is refused).  0 or -1 (errors recorded).
 */
int	case_agent_parse(struct req *r, const char *applicant_id, const char *applicant_phone,
	    struct case_agent *ag);
/* Append the 授权委托书 row (required, not waivable) to a checklist.  0, or -1 when full. */
int	case_agent_checklist(struct case_mats *m);
/* Write the agent into the cases row, inside the caller's transaction.  0 or a DB_* code. */
int	case_agent_store(struct ctx *c, long long case_id, const struct case_agent *ag);
/*
 * The agent's part of an acceptance, inside the caller's transaction: a tracking token of
 * holder "agent" and the case_accepted SMS to the agent's phone with that link.  0 or DB_*.
 */
int	case_agent_accepted(struct ctx *c, const char *hall, long long case_id,
	    const char *case_no, const char *title, const char *deadline, const char *now,
	    const char *phone);
/* "agent": {"name","id_number","phone","relation","relation_label"} (masked) into o when
 * the case has one (an online agent: id_number and relation null).  0 or a DB_* code. */
int	case_agent_json_add(struct ctx *c, long long case_id, json_t *o);

#endif
