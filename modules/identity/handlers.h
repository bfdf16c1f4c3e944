/*
 * handlers.h — the identity room's route handlers (routes.c says which path, method and roles
 * reach each).  Private to the room: other rooms call its functions, not its handlers.
 */
#ifndef YC_IDENTITY_HANDLERS_H
#define YC_IDENTITY_HANDLERS_H

#include "../../fcgi/yc.h"

int	h_staff_login(struct req *);
int	h_logout(struct req *);
int	h_me(struct req *);
int	h_sms_code(struct req *);
int	h_sms_login(struct req *);
int	h_wx_login(struct req *);
int	h_wx_phone(struct req *);
int	h_me_identity(struct req *);
int	h_principal_code(struct req *);
int	h_principal_add(struct req *);
int	h_principal_drop(struct req *);
int	h_proxy_drop(struct req *);
int	h_identity_rebind(struct req *);
int	h_identity_proxy_register(struct req *);
/* staff_api.c */
int	h_staff_list(struct req *);
int	h_staff_unlock(struct req *);
int	h_staff_phone(struct req *);

#endif
