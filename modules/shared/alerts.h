/*
 * alerts.h — the hall's alerts (hall_alerts): the rows a manager sees on the dashboard until
 * they are cleared.  One row per (hall, akey); raising a key again revives it.
 */
#ifndef YC_ALERTS_H
#define YC_ALERTS_H

#include <stdint.h>

#include "../../fcgi/db.h"

/* The hall's alert key ("waiver:<no>", "handover:<id>", "notice:<id>"…) raised with level
 * ("warning", "critical") and msg at now — raised again, uncleared, when it exists.  0 or
 * a DB_* code (DB_FAIL for a hall that is not in halls). */
int	hall_alert_raise(struct ctx *c, const char *hall, const char *key, const char *level,
	    const char *msg, const char *now);
/* The hall's alert key cleared at now when it stands; *cleared (may be NULL) is 1 when it
 * stood, else 0.  0 or a DB_* code. */
int	hall_alert_clear(struct ctx *c, const char *hall, const char *key, const char *now,
	    uint64_t *cleared);

#endif
