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

#endif
