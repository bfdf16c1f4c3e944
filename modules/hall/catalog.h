/*
 * catalog.h — the hall and its service guide: lookups other rooms share, and what the
 * public routes (catalog_api.c) show.  Functions return 0 (or what they say), a DB_* code
 * (negative), or an E_* kind (positive, fcgi/errors.h).
 */
#ifndef YC_CATALOG_H
#define YC_CATALOG_H

#include "../../fcgi/yc.h"

int	hall_code_ok(const char *s);
struct ctx;
int	category_code_ok(const char *s);
/* 0 when the hall exists, E_NOT_FOUND, or a DB_* code. */
int	hall_exists(struct ctx *c, const char *hall);
/* For handlers (catalog_api.c): 0 when the hall exists; otherwise the reply (404
 * "没有这个政务服务中心", 503) is set on r and its status returned. */
int	hall_find(struct req *r, const char *hall);
/* For handlers: the query's category (?category=), when given, into *cat; not one capital
 * letter: the field error ("须为一个大写字母"), seen by in_has_errors. */
void	catalog_q_category(struct req *r, const char **cat);
/* Every hall with its opening periods (GET /halls).  0 or a DB_* code; *out owned. */
int	catalog_halls(struct ctx *c, json_t **out);
/* Minutes until a new ticket is served: the waiting tickets' average service shared among
 * the windows that serve them, rounded up; 0 when no window does. */
long long catalog_eta_minutes(long long waiting, long long avg_minutes, long long windows);
/* "%q%" for LIKE, with q's own % _ \ escaped.  0, or -1 when it does not fit osz. */
int	catalog_like_pattern(const char *q, char *out, size_t osz);
/* Items (with materials) of a hall and category (NULL: any) that q finds (like: its
 * catalog_like_pattern).  0 or a DB_* code; *out owned. */
int	catalog_items(struct ctx *c, const char *hall, const char *cat, const char *q,
	    const char *like, json_t **out);
/* Waiting counts per category into counts (object). 0, or -1 when Redis is down. */
int	catalog_waiting(struct ctx *c, const char *hall, json_t *counts);
/* The item as the API shows it (with materials). 1 found, 0 not, or a DB_* code. */
int	catalog_item_json(struct ctx *c, const char *id, json_t **out);

/*
 * The catalog changed.  A writer calls this after committing any change to what GET /halls,
 * /halls/{hall}/categories, /items or /items/{id} show: it bumps the Redis key
 * yc:catalog:gen, and every app process drops its copies (catalog_cache.c) — this one at
 * once, the others within catalog_check_ms (200 ms).  Redis down: logged; the other
 * processes drop theirs when they can read Redis again, or catalog_cache_ms after loading.
 */
void	catalog_changed(struct ctx *c);
/* Drop this process's copies (tests). */
void	catalog_cache_clear(void);
/* GET /items's reply body ({"items":[…]}, as catalog_items finds them) into out, from this
 * process's copy when it has one.  0 or a DB_* code. */
int	catalog_items_reply(struct ctx *c, const char *hall, const char *cat, const char *q,
	    const char *like, struct buf *out);
/* GET /halls/{hall}/categories's reply body into out: the categories from this process's
 * copy, their waiting counts live from Redis.  0, E_NOT_FOUND (no such hall), E_UNAVAILABLE
 * (Redis down), or a DB_* code. */
int	catalog_categories_reply(struct ctx *c, const char *hall, struct buf *out);

#endif
