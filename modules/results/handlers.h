/*
 * handlers.h — the results room's route handlers (routes.c says which path, method and roles
 * reach each).  Private to the room: other rooms call its functions, not its handlers.
 */
#ifndef YC_RESULTS_HANDLERS_H
#define YC_RESULTS_HANDLERS_H

#include "../../fcgi/yc.h"

int	h_result_public_key(struct req *);
int	h_result_verify(struct req *);
int	h_case_results(struct req *);
int	h_result_pdf(struct req *);
int	h_result_change(struct req *);
int	h_my_case_results(struct req *);
int	h_my_result_pdf(struct req *);
int	h_notice_pdf(struct req *);
int	h_notice_refuse(struct req *);

#endif
