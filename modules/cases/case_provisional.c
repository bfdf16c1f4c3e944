/*
 * case_provisional.c — the provisional mark of a case's deadline, and the recount once the
 * holiday notice is loaded (see case_provisional.h).
 *
 * Tables: cases (deadline, deadline_provisional), case_parts (deadline), case_history.
 */
#include "case_provisional.h"
#include "cases.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most cases one load recounts; more is a hall the table was not sized for (logged). */
#define CONFIRM_MAX 20000

int
case_provisional_get(struct ctx *c, long long case_id)
{
	char v[4] = "";
	int rc;

	rc = db_scalar(c, "SELECT deadline_provisional FROM cases WHERE id = ?",
	    DBARGS(DBI(case_id)), v, sizeof v);
	if (rc < 0)
		return rc;
	return rc == 1 && v[0] == '1';
}

int
case_provisional_set(struct ctx *c, long long case_id, int on)
{
	return db_exec(c, "UPDATE cases SET deadline_provisional = ? WHERE id = ?",
	    DBARGS(DBI(on ? 1 : 0), DBI(case_id)), NULL, NULL);
}

struct pcase {
	long long	id;
	int		open;
	int64_t		accepted;	/* the acceptance day */
	int64_t		deadline;	/* -1 when none */
	int		paused;		/* working days the clock stood still */
	char		status[24];
};

struct pcases {
	struct pcase	*v;
	size_t		 n, cap;
};

static int
pcase_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct pcases *l = arg;
	struct pcase *p;
	long long n = 0;

	(void)ncol;
	(void)lens;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct pcase *nv;

		if (cap > CONFIRM_MAX)
			cap = CONFIRM_MAX;
		if (l->n == cap)
			return 1;	/* the rest stay marked; logged by the caller */
		if ((nv = realloc(l->v, cap * sizeof *nv)) == NULL)
			return 1;
		l->v = nv;
		l->cap = cap;
	}
	p = &l->v[l->n];
	memset(p, 0, sizeof *p);
	if (parse_ll(v[0], 1, INT64_MAX, &p->id) != 0)
		return 0;
	str_copy(p->status, sizeof p->status, v[1]);
	p->open = strcmp(v[1], "accepted") == 0 || strcmp(v[1], "processing") == 0 ||
	    strcmp(v[1], "supplement_needed") == 0;
	if (v[2] == NULL || date_parse(v[2], &p->accepted) != 0)
		p->open = 0;
	if (v[3] == NULL || date_parse(v[3], &p->deadline) != 0) {
		p->deadline = -1;
		p->open = 0;
	}
	parse_ll(v[4], 0, 10000, &n);
	p->paused = (int)n;
	l->n++;
	return 0;
}

struct ppart {
	int	seq;
	int	days;
	int64_t	deadline;
};

struct pparts {
	struct ppart	v[32];
	size_t		n;
};

static int
ppart_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct pparts *l = arg;
	long long seq = 0, days = 0;

	(void)ncol;
	(void)lens;
	if (l->n >= sizeof l->v / sizeof l->v[0])
		return 1;
	parse_ll(v[0], 0, 255, &seq);
	parse_ll(v[1], 0, 10000, &days);
	l->v[l->n].seq = (int)seq;
	l->v[l->n].days = (int)days;
	if (v[2] == NULL || date_parse(v[2], &l->v[l->n].deadline) != 0)
		l->v[l->n].deadline = -1;
	l->n++;
	return 0;
}

/* One open case counted again; its history row when the date moved.  0 or a DB_* code. */
static int
confirm_one(struct ctx *c, const struct workcal *w, int year, const struct pcase *p,
    const char *now)
{
	struct pparts parts;
	int64_t due = p->deadline, nd;
	char ds[12], olds[12], note[300];
	size_t i;
	int rc, missing = 0, still;

	memset(&parts, 0, sizeof parts);
	rc = db_query(c, "SELECT seq, promised_days, DATE_FORMAT(deadline, '%Y-%m-%d')"
	    " FROM case_parts WHERE case_id = ? ORDER BY seq", DBARGS(DBI(p->id)), ppart_row,
	    &parts);
	if (rc < 0)
		return rc;
	for (i = 0; i < parts.n; i++) {
		if (workcal_add(w, p->accepted, parts.v[i].days + p->paused, &nd, &missing) != 0)
			continue;	/* beyond the calendar: the part keeps what it had */
		if (nd <= parts.v[i].deadline)
			nd = parts.v[i].deadline;	/* never earlier than what was told */
		if (nd > due)
			due = nd;
		if (nd == parts.v[i].deadline)
			continue;
		date_format_days(nd, ds, sizeof ds);
		rc = db_exec(c, "UPDATE case_parts SET deadline = ? WHERE case_id = ? AND seq = ?",
		    DBARGS(DBS(ds), DBI(p->id), DBI(parts.v[i].seq)), NULL, NULL);
		if (rc != 0)
			return rc;
	}
	still = workcal_provisional_in(w, p->accepted, due) != 0;
	date_format_days(due, ds, sizeof ds);
	rc = db_exec(c, "UPDATE cases SET deadline = ?, deadline_provisional = ?,"
	    " version = version + 1, updated_at = ? WHERE id = ?",
	    DBARGS(DBS(ds), DBI(still), DBS(now), DBI(p->id)), NULL, NULL);
	if (rc != 0 || due == p->deadline) {
		case_changed(c, p->id);	/* the mark is on the tracking page */
		return rc;
	}
	date_format_days(p->deadline, olds, sizeof olds);
	fmt(note, sizeof note, "%d 年节假日安排已导入，办结期限由暂定的 %s 调整为 %s%s", year,
	    olds, ds, still ? "（仍为暂定）" : "");
	rc = db_exec(c, "INSERT INTO case_history (case_id, at, action, from_status, to_status,"
	    " actor_kind, actor, actor_name, note, public_note) VALUES (?, ?, 'deadline', ?, ?,"
	    " 'system', '', '工作日历', ?, ?)", DBARGS(DBI(p->id), DBS(now), DBS(p->status),
	    DBS(p->status), DBS(note), DBS(note)), NULL, NULL);
	case_changed(c, p->id);
	return rc;
}

int
case_deadlines_confirm(struct ctx *c, const struct workcal *w, int year)
{
	struct pcases l = { NULL, 0, 0 };
	char now[20];
	size_t i;
	int rc;

	sql_now(now, sizeof now);
	/* Locked until the load commits: an action on one of them waits for the recount. */
	rc = db_query(c, "SELECT id, status, DATE_FORMAT(accepted_at, '%Y-%m-%d'),"
	    " DATE_FORMAT(deadline, '%Y-%m-%d'), paused_days FROM cases"
	    " WHERE deadline_provisional = 1 ORDER BY id FOR UPDATE", DBNOARGS, pcase_row, &l);
	if (rc >= 0 && (size_t)rc > l.n)
		log_warn("calendar %d: %d provisional deadlines, %zu recounted; load again for the"
		    " rest", year, rc, l.n);
	for (i = 0; rc >= 0 && i < l.n; i++) {
		if (l.v[i].open)
			rc = confirm_one(c, w, year, &l.v[i], now);
		else if (l.v[i].deadline < 0 ||
		    workcal_provisional_in(w, l.v[i].accepted, l.v[i].deadline) == 0)
			rc = case_provisional_set(c, l.v[i].id, 0);
	}
	free(l.v);
	if (rc > 0)
		rc = 0;
	if (rc == 0)
		log_info("calendar %d loaded: %zu provisional deadlines recounted", year, l.n);
	return rc;
}
