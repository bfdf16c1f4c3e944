/*
 * handlers.h — the admin room's route handlers (routes.c says which path, method and roles
 * reach each).  Private to the room.
 */
#ifndef YC_ADMIN_HANDLERS_H
#define YC_ADMIN_HANDLERS_H

#include "../../fcgi/yc.h"
#include "../../fcgi/db.h"

/* The region's catalog (catalog_api.c). */
int	h_adm_items(struct req *);
int	h_adm_item(struct req *);
int	h_adm_item_version(struct req *);
int	h_adm_item_put(struct req *);
int	h_adm_item_retire(struct req *);
int	h_adm_hall_items(struct req *);
int	h_adm_hall_item(struct req *);
int	h_adm_hall_item_put(struct req *);
int	h_adm_bundles(struct req *);
int	h_adm_bundle(struct req *);
int	h_adm_bundle_put(struct req *);
int	h_adm_bundle_retire(struct req *);
int	h_adm_export(struct req *);
int	h_adm_import(struct req *);

/* hours_api.c */
int	h_admin_hours_get(struct req *);
int	h_admin_hours_put(struct req *);
int	h_admin_hours_date_put(struct req *);
int	h_admin_hours_date_delete(struct req *);

/* staff_api.c */
int	h_admin_staff_create(struct req *);
int	h_admin_staff_change(struct req *);
int	h_admin_staff_lock(struct req *);
int	h_admin_staff_unlock(struct req *);
int	h_admin_staff_reset(struct req *);

/* slots_api.c */
int	h_admin_slot_plans_get(struct req *);
int	h_admin_slot_plan_put(struct req *);

/* hall_audit.c */
int	h_admin_audit(struct req *);

/* sms_api.c */
int	h_admin_sms_list(struct req *);
int	h_admin_sms_put(struct req *);

/* calendar_api.c */
int	h_admin_calendar_preview(struct req *);
int	h_admin_calendar_load(struct req *);

/* hall_windows.c */
int	h_admin_windows(struct req *);
int	h_admin_window_put(struct req *);
int	h_admin_window_retire(struct req *);

/* hall_catalog.c */
int	h_admin_categories(struct req *);
int	h_admin_category_put(struct req *);
int	h_admin_category_retire(struct req *);
int	h_admin_departments(struct req *);
int	h_admin_department_put(struct req *);
int	h_admin_department_retire(struct req *);
/* The path's {hall} for whom allowed lets in (identity.h: require_manager_of_hall to read,
 * require_admin_of_hall to change): 0, or the 403, then the 404, sent (admin_hall.c). */
int	admin_hall(struct req *r, const char *hall,
	    int (*allowed)(struct req *, const char *));
/* A list of the hall's console (admin_hall.c): admin_hall to read it (its manager or admin),
 * then the rows of sql, whose one argument is the hall, into a new array *out (names and
 * types as db_rows_json takes them).  0, or the status of the reply set (403, 404, 503). */
int	admin_hall_rows(struct req *r, const char *hall, const char *sql,
	    const char *const *names, const char *types, json_t **out);
/* 409 BOOKINGS_AFFECTED with msg, and "bookings": count beside the error (admin_hall.c):
 * a change that takes bookings away is saved only with "notify": true. */
int	admin_bookings_affected(struct req *r, long long count, const char *msg);
/*
 * Retire (retire 1: retired_at = now) or restore (0: retired_at = NULL) one row in a
 * transaction of its own; when it changed, audit action on target with the before and after
 * {"retired": …}.  sql is "UPDATE <table> SET retired_at = ? WHERE <key> AND (retired_at IS
 * NULL) = (? IS NOT NULL)" with the key's two values k1, k2: the first and last ? take the
 * instant (NULL to restore), so a row already retired (restored) is left as it is.
 * *changed says whether it was not.  0 or a DB_* code.  Categories and windows share it.
 */
int	admin_retire(struct req *r, int retire, const char *sql, struct dbv k1, struct dbv k2,
	    const char *action, const char *target, int *changed);

/* slots_api.c: a weekday's and a date's own plan */
int	h_admin_slot_plan_weekday_put(struct req *);
int	h_admin_slot_plan_weekday_delete(struct req *);
int	h_admin_slot_plan_date_put(struct req *);
int	h_admin_slot_plan_date_delete(struct req *);

#endif
