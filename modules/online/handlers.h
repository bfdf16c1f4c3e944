/*
 * handlers.h — the online room's route handlers (routes.c says which path, method and roles
 * reach each).  Private to the room: other rooms call its functions, not its handlers.
 */
#ifndef YC_ONLINE_HANDLERS_H
#define YC_ONLINE_HANDLERS_H

#include "../../fcgi/yc.h"

int	h_upload_create(struct req *);
int	h_upload_get(struct req *);
int	h_bundles(struct req *);
int	h_my_cases(struct req *);
int	h_my_reusable(struct req *);
int	h_my_case(struct req *);
int	h_my_case_pickup(struct req *);
int	h_case_uploads(struct req *);

#endif
