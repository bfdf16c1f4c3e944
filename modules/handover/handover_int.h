/*
 * handover_int.h — what the files of the handover room share (not for other rooms: they
 * use handover.h).
 */
#ifndef YC_HANDOVER_INT_H
#define YC_HANDOVER_INT_H

#include <jansson.h>

#include "handover.h"
#include "../../fcgi/db.h"

/* HO_* of a kind name, or -1. */
int	handover_kind_parse(const char *s);
/* The same side? */
int	handover_end_same(const struct handover_end *a, const struct handover_end *b);
/* A side from the five columns kind, hall, department, window, office (NULL-safe). */
void	handover_end_from(struct handover_end *e, char **v);
/* db_row_fn: the five columns into *(struct handover_end **)arg. */
int	handover_end_row(void *arg, size_t ncol, char **v, const size_t *lens);
/* A side as JSON (*out new): kind, hall, hall_name, department/window/office and their names,
 * label.  0 or DB_*. */
int	handover_end_json(struct ctx *c, const struct handover_end *e, json_t **out);
/* The receive URL a sheet's QR carries: <public_base_url>/staff/handover-receive.html#t=… (a fragment: never sent to a server, never in a log) */
void	handover_receive_url(const char *token, char *out, size_t osz);
/* SHA-256 hex of a receive token. */
void	handover_token_hash(const char *token, char out[65]);
/* The sheet's receive token opened into out ("" when it cannot be).  0 or DB_*. */
int	handover_token_open(struct ctx *c, long long id, char out[HANDOVER_TOKEN_MAX]);

#endif
