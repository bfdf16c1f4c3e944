/*
 * handlers.h — every route handler, by module.  The route table (fcgi/routes.c) is the one
 * place that says which path, method and role reach each of them.
 */
#ifndef YC_HANDLERS_H
#define YC_HANDLERS_H

#include "../fcgi/yc.h"

/* health.c */
int	h_health(struct req *);

/* catalog.c */
int	h_halls(struct req *);
int	h_categories(struct req *);
int	h_items(struct req *);
int	h_item(struct req *);

/* auth.c */
int	h_staff_login(struct req *);
int	h_logout(struct req *);
int	h_me(struct req *);

/* calendar_api.c */
int	h_deadline(struct req *);

/* identity: handlers */

/* notify: handlers */

/* queue: handlers */

/* appointments: handlers */

/* cases: handlers */

/* tracking: handlers */

/* reviews: handlers */

#endif
