/*
 * routes.c — the routes the admin room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  fcgi/bin/rooms.c puts every room's table together for the router.
 * A plain list: each part of the console appends its own lines.
 */
#include "handlers.h"
#include "../rooms.h"

#define CAT_READ   (ROLE_REGION_ADMIN | ROLE_ADMIN)
#define CAT_WRITE  ROLE_REGION_ADMIN
#define HALL_ADMIN (ROLE_REGION_ADMIN | ROLE_ADMIN)

const struct route admin_routes[] = {
	/* The region's catalog: items, a hall's choice of them, bundles, import/export. */
	{ M_GET,  "/admin/items",                      h_adm_items,         CAT_READ, 0, 0 },
	{ M_GET,  "/admin/items/{id}",                 h_adm_item,          CAT_READ, 0, 0 },
	{ M_GET,  "/admin/items/{id}/versions/{version}", h_adm_item_version, CAT_READ, 0, 0 },
	{ M_PUT,  "/admin/items/{id}",                 h_adm_item_put,      CAT_WRITE, 0, 0 },
	{ M_POST, "/admin/items/{id}/retire",          h_adm_item_retire,   CAT_WRITE, 0, 0 },
	{ M_POST, "/admin/items/{id}/restore",         h_adm_item_restore,  CAT_WRITE, 0, 0 },
	{ M_GET,  "/admin/halls/{hall}/items",         h_adm_hall_items,    HALL_ADMIN, 0, 0 },
	{ M_GET,  "/admin/halls/{hall}/items/{id}",    h_adm_hall_item,     HALL_ADMIN, 0, 0 },
	{ M_PUT,  "/admin/halls/{hall}/items/{id}",    h_adm_hall_item_put, HALL_ADMIN, 0, 0 },
	{ M_GET,  "/admin/bundles",                    h_adm_bundles,       CAT_READ, 0, 0 },
	{ M_GET,  "/admin/bundles/{id}",               h_adm_bundle,        CAT_READ, 0, 0 },
	{ M_PUT,  "/admin/bundles/{id}",               h_adm_bundle_put,    CAT_WRITE, 0, 0 },
	{ M_POST, "/admin/bundles/{id}/retire",        h_adm_bundle_retire, CAT_WRITE, 0, 0 },
	{ M_POST, "/admin/bundles/{id}/restore",       h_adm_bundle_restore, CAT_WRITE, 0, 0 },
	{ M_GET,  "/admin/catalog/export",             h_adm_export,        CAT_WRITE, 0, 0 },
	{ M_POST, "/admin/catalog/import",             h_adm_import,        CAT_WRITE,
	  4 * 1024 * 1024, RF_RAW_BODY },
};
const size_t admin_nroutes = NELEM(admin_routes);
