/*
 * handlers.h — the admin room's route handlers (routes.c says which path, method and roles
 * reach each).  Private to the room.
 */
#ifndef YC_ADMIN_HANDLERS_H
#define YC_ADMIN_HANDLERS_H

#include "../../fcgi/yc.h"

/* The region's catalog (catalog_api.c). */
int	h_adm_items(struct req *);
int	h_adm_item(struct req *);
int	h_adm_item_version(struct req *);
int	h_adm_item_put(struct req *);
int	h_adm_item_retire(struct req *);
int	h_adm_item_restore(struct req *);
int	h_adm_hall_items(struct req *);
int	h_adm_hall_item(struct req *);
int	h_adm_hall_item_put(struct req *);
int	h_adm_bundles(struct req *);
int	h_adm_bundle(struct req *);
int	h_adm_bundle_put(struct req *);
int	h_adm_bundle_retire(struct req *);
int	h_adm_bundle_restore(struct req *);
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
int	h_admin_window_restore(struct req *);

/* hall_catalog.c */
int	h_admin_categories(struct req *);
int	h_admin_category_put(struct req *);
int	h_admin_category_retire(struct req *);
int	h_admin_category_restore(struct req *);
int	h_admin_departments(struct req *);
int	h_admin_department_put(struct req *);
int	h_admin_department_retire(struct req *);
int	h_admin_department_restore(struct req *);

/* slots_api.c: a weekday's and a date's own plan */
int	h_admin_slot_plan_weekday_put(struct req *);
int	h_admin_slot_plan_weekday_delete(struct req *);
int	h_admin_slot_plan_date_put(struct req *);
int	h_admin_slot_plan_date_delete(struct req *);

#endif
