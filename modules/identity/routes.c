/*
 * routes.c — the routes the identity room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  programs/assembly.c puts every room's table together for the router.
 */
#include "handlers.h"
#include "../rooms.h"

const struct route identity_routes[] = {
	{ M_POST, "/staff/login",             h_staff_login, ROLE_ANY, 0, 0 },
	{ M_POST, "/auth/logout",             h_logout,     ROLE_ALL, 0, 0 },
	{ M_GET,  "/me",                      h_me,         ROLE_ALL, 0, 0 },
	{ M_POST, "/auth/sms-code",           h_sms_code,   ROLE_ANY, 0, 0 },
	{ M_POST, "/auth/sms-login",          h_sms_login,  ROLE_ANY, 0, 0 },
	{ M_POST, "/auth/wx-login",           h_wx_login,   ROLE_ANY, 0, 0 },
	{ M_POST, "/auth/wx-phone",           h_wx_phone,   ROLE_CITIZEN, 0, 0 },
	{ M_GET,    "/me/identity",               h_me_identity,     ROLE_CITIZEN, 0, 0 },
	{ M_POST,   "/me/principals/sms-code",    h_principal_code,  ROLE_CITIZEN, 0, 0 },
	{ M_POST,   "/me/principals",             h_principal_add,   ROLE_CITIZEN, 0, 0 },
	{ M_DELETE, "/me/principals/{id}",        h_principal_drop,  ROLE_CITIZEN, 0, 0 },
	{ M_DELETE, "/me/proxies/{id}",           h_proxy_drop,      ROLE_CITIZEN, 0, 0 },
	{ M_POST,   "/identity-bindings/rebind",  h_identity_rebind, ROLE_CLERK, 0, 0 },
	{ M_POST,   "/identity-bindings/proxies", h_identity_proxy_register, ROLE_CLERK, 0, 0 },
	{ M_GET,  "/halls/{hall}/staff",      h_staff_list, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_POST, "/halls/{hall}/staff/{username}/unlock", h_staff_unlock,
	  ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_PUT,  "/staff/me/phone",          h_staff_phone, ROLE_STAFF, 0, 0 },
};
const size_t identity_nroutes = NELEM(identity_routes);
