/*
 * catalog.h — hall and item lookups other modules share.
 */
#ifndef YC_CATALOG_H
#define YC_CATALOG_H

#include "../../fcgi/yc.h"

int	hall_code_ok(const char *s);
int	category_code_ok(const char *s);
/* 0 when the hall exists; otherwise the failure status (404, 503) is set on r. */
int	hall_find(struct req *r, const char *hall);
/* Waiting counts per category into counts (object). 0, or -1 when Redis is down. */
int	catalog_waiting(struct ctx *c, const char *hall, json_t *counts);
/* The item as the API shows it (with materials). 1 found, 0 not, or a DB_* code. */
int	catalog_item_json(struct ctx *c, const char *id, json_t **out);

#endif
