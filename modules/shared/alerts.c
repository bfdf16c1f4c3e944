/*
 * alerts.c — raising and clearing the hall's alerts, for every room that tells the managers
 * of something (an overdue waiver, a handover not received, a notice not delivered…).
 *
 * Tables: hall_alerts.
 */
#include "alerts.h"

int
hall_alert_raise(struct ctx *c, const char *hall, const char *key, const char *level,
    const char *msg, const char *now)
{
	return db_exec(c, "INSERT INTO hall_alerts (hall, akey, level, message, raised_at)"
	    " VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE level = VALUES(level),"
	    " message = VALUES(message), raised_at = VALUES(raised_at), cleared_at = NULL",
	    DBARGS(DBS(hall), DBS(key), DBS(level), DBS(msg), DBS(now)), NULL, NULL);
}

int
hall_alert_clear(struct ctx *c, const char *hall, const char *key, const char *now,
    uint64_t *cleared)
{
	return db_exec(c, "UPDATE hall_alerts SET cleared_at = ? WHERE hall = ? AND akey = ?"
	    " AND cleared_at IS NULL", DBARGS(DBS(now), DBS(hall), DBS(key)), cleared, NULL);
}
