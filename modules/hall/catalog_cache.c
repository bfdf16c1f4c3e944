/*
 * catalog_cache.c — each process's copy of the catalog's two busiest reads, dropped when the
 * catalog changes (issue 24, item 2).
 *
 * Routes: none here; GET /items and GET /halls/{hall}/categories (catalog_api.c) read
 *         through it.
 * Tables: those of catalog.c (read when a copy is missing or dropped).
 * Redis:  yc:catalog:gen (the catalog's generation: catalog_changed bumps it, every process
 *         reads it at most every catalog_check_ms); {hall:<code>}:waiting (read on every
 *         categories request: the waiting counts are never cached).
 *
 * What is kept, per process:
 *   - GET /items: the rendered reply ({"items":[…]}) per query shape (hall, category, q),
 *     at most CC_ITEMS entries and CC_ITEMS_BYTES bytes, the least recently used going first;
 *     a reply larger than an eighth of that is not kept.
 *   - GET /halls/{hall}/categories: per hall, the static part only — each category's fields
 *     rendered once, with its average service time and window count.  Every request still
 *     reads the hall's waiting counts from Redis (one HGETALL) and works out waiting and
 *     eta_minutes from them, so those stay live.  A hall that does not exist is not kept.
 *
 * When a copy goes: the process saw the generation change (catalog_changed anywhere, seen
 * within catalog_check_ms), catalog_changed ran in this process (at once), Redis could not
 * be read (the copies are not used until it can, and are all dropped then: a change made
 * meanwhile could not be signalled), or the copy is older than catalog_cache_ms (the
 * backstop for rows changed by hand, without catalog_changed).
 *
 * The generation is fcgi/kv_gen.h's (why a number in Redis rather than a message, and how
 * a Redis that lost the key starts it again, are said there).
 *
 * A load runs with no lock held; two threads that miss at once both load (a change costs a
 * process at most one load per thread that asks at that moment).  A load that began before
 * the copies were dropped answers its own request but is not kept.
 */
#include "catalog.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/kv_gen.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define CC_GEN_KEY	"yc:catalog:gen"
#define CC_KEY_MAX	320		/* hall (32) + category + q (50 characters) */
#define CC_ITEMS	128
#define CC_ITEMS_BYTES	(16u * 1024 * 1024)
#define CC_HALLS	64
#define CC_HALLS_BYTES	(2u * 1024 * 1024)

/* One kept value: freed when the cache and its last reader let go of it. */
struct cval {
	atomic_long		 refs;
	size_t			 len;
	alignas(max_align_t) unsigned char data[];
};

struct centry {
	char			 key[CC_KEY_MAX];
	struct cval		*v;		/* NULL: a free entry */
	uint64_t		 epoch;		/* cc_epoch when its load began */
	int64_t			 loaded_ms;	/* mono_ms when its load began */
	uint64_t		 used;		/* the least recently used goes first */
};

struct ccache {
	pthread_mutex_t		 mu;
	struct centry		*e;
	size_t			 n;
	size_t			 bytes, bytes_max;
	uint64_t		 tick;
};

static struct centry items_e[CC_ITEMS], halls_e[CC_HALLS];
static struct ccache items_cache = { PTHREAD_MUTEX_INITIALIZER, items_e, CC_ITEMS, 0,
	CC_ITEMS_BYTES, 0 };
static struct ccache halls_cache = { PTHREAD_MUTEX_INITIALIZER, halls_e, CC_HALLS, 0,
	CC_HALLS_BYTES, 0 };

/* Bumped whenever every copy must go; an entry of an older epoch is never read. */
static atomic_uint_fast64_t cc_epoch = 1;
/* The catalog's generation (fcgi/kv_gen.h); its check_ms is catalog_check_ms. */
static struct kv_gen cc_gen = KV_GEN_INIT(CC_GEN_KEY, 200);
/* Set while the generation cannot be read: logged once per outage. */
static atomic_int cc_blind;

static pthread_once_t cc_once = PTHREAD_ONCE_INIT;
static int64_t cc_max_age_ms;

static void
cc_init(void)
{
	cc_max_age_ms = config_int("catalog_cache_ms", 60000, 0, 3600000);
	cc_gen.check_ms = config_int("catalog_check_ms", 200, 10, 1000);
}

static void
cval_put(struct cval *v)
{
	if (v && atomic_fetch_sub(&v->refs, 1) == 1)
		free(v);
}

/* A value of len bytes (copied from p when not NULL), held once (its maker's). */
static struct cval *
cval_new(const void *p, size_t len)
{
	struct cval *v = malloc(sizeof *v + len);

	if (v == NULL)
		return NULL;
	atomic_init(&v->refs, 1);
	v->len = len;
	if (p)
		memcpy(v->data, p, len);
	return v;
}

/* With k->mu held. */
static void
entry_drop_locked(struct ccache *k, struct centry *e)
{
	if (e->v == NULL)
		return;
	k->bytes -= e->v->len;
	cval_put(e->v);
	e->v = NULL;
	e->key[0] = '\0';
}

/* The value kept for key, pinned (cval_put it), or NULL. */
static struct cval *
ccache_get(struct ccache *k, const char *key)
{
	uint64_t ep = atomic_load(&cc_epoch);
	int64_t now = mono_ms();
	struct cval *v = NULL;
	size_t i;

	pthread_mutex_lock(&k->mu);
	for (i = 0; i < k->n; i++) {
		struct centry *e = &k->e[i];

		if (e->v == NULL || strcmp(e->key, key) != 0)
			continue;
		if (e->epoch != ep || now - e->loaded_ms >= cc_max_age_ms) {
			entry_drop_locked(k, e);
			break;
		}
		v = e->v;
		atomic_fetch_add(&v->refs, 1);
		e->used = ++k->tick;
		break;
	}
	pthread_mutex_unlock(&k->mu);
	return v;
}

/* Keep v (the cache takes its own hold) for key, loaded from epoch ep at loaded_ms —
 * unless the copies were dropped since, or v is too large. */
static void
ccache_keep(struct ccache *k, const char *key, struct cval *v, uint64_t ep, int64_t loaded_ms)
{
	struct centry *slot = NULL;
	size_t i;

	if (v->len > k->bytes_max / 8)
		return;
	pthread_mutex_lock(&k->mu);
	if (atomic_load(&cc_epoch) != ep)
		goto out;
	for (i = 0; i < k->n; i++)
		if (k->e[i].v && strcmp(k->e[i].key, key) == 0) {
			entry_drop_locked(k, &k->e[i]);	/* a newer load of the same shape */
			slot = &k->e[i];
			break;
		}
	/* Room: a free entry, and the bytes, the least recently used going first. */
	for (;;) {
		struct centry *lru = NULL;

		if (slot == NULL)
			for (i = 0; i < k->n; i++)
				if (k->e[i].v == NULL) {
					slot = &k->e[i];
					break;
				}
		if (slot && k->bytes + v->len <= k->bytes_max)
			break;
		for (i = 0; i < k->n; i++)
			if (k->e[i].v && (lru == NULL || k->e[i].used < lru->used))
				lru = &k->e[i];
		if (lru == NULL)
			goto out;	/* cannot happen: v fits an empty cache */
		entry_drop_locked(k, lru);
		if (slot == NULL)
			slot = lru;
	}
	memcpy(slot->key, key, strlen(key) + 1);
	atomic_fetch_add(&v->refs, 1);
	slot->v = v;
	slot->epoch = ep;
	slot->loaded_ms = loaded_ms;
	slot->used = ++k->tick;
	k->bytes += v->len;
out:
	pthread_mutex_unlock(&k->mu);
}

/* Every copy goes (readers keep what they hold until they let go). */
static void
cc_drop_all(void)
{
	atomic_fetch_add(&cc_epoch, 1);
}

/*
 * May the copies be read?  At most every catalog_check_ms one thread of the process reads
 * the generation; a new one drops the copies.  While it cannot be read the copies are not
 * used, and they all go when it can be read again (a change made meanwhile could not be
 * signalled).
 */
static int
cc_usable(struct ctx *c)
{
	pthread_once(&cc_once, cc_init);
	if (cc_max_age_ms == 0)
		return 0;
	if (kv_gen_check(c, &cc_gen))
		cc_drop_all();
	if (!kv_gen_known(&cc_gen)) {
		if (!atomic_exchange(&cc_blind, 1))
			log_warn("catalog cache: the generation cannot be read; reading the record");
		return 0;
	}
	atomic_store(&cc_blind, 0);
	return 1;
}

void
catalog_changed(struct ctx *c)
{
	pthread_once(&cc_once, cc_init);
	cc_drop_all();		/* this process: at once */
	if (kv_gen_bump(c, &cc_gen) != 0)
		log_warn("catalog changed, but %s could not be bumped: other processes show the "
		    "old catalog until they can read Redis again or for %lld ms at most",
		    CC_GEN_KEY, (long long)cc_max_age_ms);
}

void
catalog_cache_clear(void)
{
	cc_drop_all();
}

int
catalog_items_reply(struct ctx *c, const char *hall, const char *cat, const char *q,
    const char *like, struct buf *out)
{
	char key[CC_KEY_MAX];
	int use, rc;
	struct cval *v;
	json_t *items, *o;
	char *s;
	uint64_t ep = atomic_load(&cc_epoch);
	int64_t began = mono_ms();

	/* A hall or category left out is "*", which no code is. */
	use = cc_usable(c) && fmt(key, sizeof key, "%s\037%s\037%s", hall ? hall : "*",
	    cat ? cat : "*", q) >= 0;
	if (use && (v = ccache_get(&items_cache, key)) != NULL) {
		rc = buf_add(out, v->data, v->len);
		cval_put(v);
		return rc == 0 ? 0 : DB_FAIL;
	}
	if (use)
		ep = atomic_load(&cc_epoch);
	if ((rc = catalog_items(c, hall, cat, q, like, &items)) < 0)
		return rc;
	o = json_pack("{s:o}", "items", items);
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (s == NULL)
		return DB_FAIL;
	rc = buf_add(out, s, strlen(s));
	if (rc == 0 && use && (v = cval_new(s, strlen(s))) != NULL) {
		ccache_keep(&items_cache, key, v, ep, began);
		cval_put(v);
	}
	free(s);
	return rc == 0 ? 0 : DB_FAIL;
}

/*
 * A hall's categories as kept: n of these, then the text they point into — each category's
 * fields rendered as JSON without the closing brace ({"code":"A",…,"kind":"…").
 */
struct cat_static {
	char			 code[8];
	long long		 avg, windows;
	size_t			 off, len;
};

struct cats_head {
	size_t			 n;
	struct cat_static	 cat[];
};

/* Load the hall's categories into a new value.  0, E_NOT_FOUND, or a DB_* code. */
static int
cats_load(struct ctx *c, const char *hall, struct cval **out)
{
	static const char *const cols[] = { "code", "name", "description", "cross_province",
	    "avg", "windows", "kind" };
	json_t *cats;
	struct buf text;
	struct cats_head *h;
	size_t i, n, head;
	int rc;

	*out = NULL;
	if ((rc = hall_exists(c, hall)) != 0)
		return rc;
	cats = json_array();
	rc = db_rows_json(c,
	    "SELECT c.code, c.name, c.description, c.cross_province, c.avg_service_minutes,"
	    " (SELECT COUNT(*) FROM window_categories wc JOIN windows w ON w.hall = wc.hall AND"
	    "  w.number = wc.window_no AND w.retired_at IS NULL WHERE wc.hall = c.hall AND"
	    "  wc.category = c.code), c.kind"
	    " FROM categories c WHERE c.hall = ? AND c.retired_at IS NULL"	/* retired: no new */
	    " ORDER BY c.sort, c.code",
	    DBARGS(DBS(hall)), cols, "sssbiis", cats);
	if (rc < 0) {
		json_decref(cats);
		return rc;
	}
	n = json_array_size(cats);
	head = sizeof(struct cats_head) + n * sizeof(struct cat_static);
	buf_init(&text, CC_HALLS_BYTES / 8);
	h = calloc(1, head);
	rc = h ? 0 : DB_FAIL;
	for (i = 0; rc == 0 && i < n; i++) {
		json_t *cat = json_array_get(cats, i);
		struct cat_static *cs = &h->cat[i];
		char *s;

		str_copy(cs->code, sizeof cs->code, json_string_value(json_object_get(cat,
		    "code")));
		cs->avg = json_integer_value(json_object_get(cat, "avg"));
		cs->windows = json_integer_value(json_object_get(cat, "windows"));
		json_object_del(cat, "avg");
		json_object_del(cat, "windows");
		s = json_dumps(cat, JSON_COMPACT);
		if (s == NULL || strlen(s) < 2) {
			free(s);
			rc = DB_FAIL;
			break;
		}
		cs->off = text.len;
		cs->len = strlen(s) - 1;	/* without the closing brace */
		if (buf_add(&text, s, cs->len) != 0)
			rc = DB_FAIL;
		free(s);
	}
	json_decref(cats);
	if (rc == 0) {
		h->n = n;
		if ((*out = cval_new(NULL, head + text.len)) == NULL)
			rc = DB_FAIL;
		else {
			memcpy((*out)->data, h, head);
			if (text.len)
				memcpy((*out)->data + head, text.data, text.len);
		}
	}
	free(h);
	buf_free(&text);
	return rc;
}

/* The waiting count of code in an HGETALL reply (0 when it has none). */
static long long
waiting_of(const redisReply *rep, const char *code)
{
	size_t i;
	long long n;

	if (rep->type != REDIS_REPLY_ARRAY)
		return 0;
	for (i = 0; i + 1 < rep->elements; i += 2)
		if (rep->element[i]->str && rep->element[i + 1]->str &&
		    strcmp(rep->element[i]->str, code) == 0 &&
		    parse_ll(rep->element[i + 1]->str, 0, 1000000, &n) == 0)
			return n;
	return 0;
}

int
catalog_categories_reply(struct ctx *c, const char *hall, struct buf *out)
{
	const struct cats_head *h;
	const char *text;
	struct cval *v = NULL;
	redisReply *rep;
	uint64_t ep;
	int64_t began;
	size_t i;
	int rc, use;

	if (!hall_code_ok(hall))
		return E_NOT_FOUND;
	use = cc_usable(c);
	if (use)
		v = ccache_get(&halls_cache, hall);
	if (v == NULL) {
		ep = atomic_load(&cc_epoch);
		began = mono_ms();
		if ((rc = cats_load(c, hall, &v)) != 0)
			return rc;
		if (use)
			ccache_keep(&halls_cache, hall, v, ep, began);
	}
	rep = kv_cmd(c, "HGETALL {hall:%s}:waiting", hall);
	if (rep == NULL) {
		cval_put(v);
		return E_UNAVAILABLE;
	}
	h = (const struct cats_head *)(const void *)v->data;
	text = (const char *)v->data + sizeof(struct cats_head) + h->n * sizeof(struct cat_static);
	rc = buf_adds(out, "{\"categories\":[");
	for (i = 0; rc == 0 && i < h->n; i++) {
		const struct cat_static *cs = &h->cat[i];
		long long waiting = waiting_of(rep, cs->code);

		if (i > 0)
			rc |= buf_adds(out, ",");
		rc |= buf_add(out, text + cs->off, cs->len);
		rc |= buf_addf(out, ",\"waiting\":%lld,\"eta_minutes\":%lld}", waiting,
		    catalog_eta_minutes(waiting, cs->avg, cs->windows));
	}
	if (rc == 0)
		rc = buf_adds(out, "]}");
	freeReplyObject(rep);
	cval_put(v);
	return rc == 0 ? 0 : DB_FAIL;
}
