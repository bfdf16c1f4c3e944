/*
 * case_provisional.h — deadlines counted on the provisional calendar (issue 19, item 9).
 *
 * A deadline that runs through a year whose State Council holiday notice is not loaded is
 * counted on the provisional calendar (hall/workdays.h) and marked: cases.deadline_provisional,
 * "provisional": true wherever the deadline is shown (the case, the tracking page, the
 * 受理通知书), 暂定 on the staff pages.  When the notice is loaded (yichuang-admin
 * calendar-load, calendar_load_json) case_deadlines_confirm recomputes them in the load's
 * transaction: never earlier than what the citizen was told (the later of the two), the mark
 * gone, a changed deadline written to the case's history.
 * Tables: cases, case_parts, case_history.
 */
#ifndef YC_CASE_PROVISIONAL_H
#define YC_CASE_PROVISIONAL_H

#include "../../fcgi/ctx.h"
#include "../hall/workdays.h"

/* 1 when the case's deadline is provisional, 0 not, or a DB_* code. */
int	case_provisional_get(struct ctx *c, long long case_id);
/* Mark (on = 1) or unmark the case's deadline provisional, in the caller's transaction.
 * 0 or a DB_* code. */
int	case_provisional_set(struct ctx *c, long long case_id, int on);
/*
 * The notice of `year` was loaded and w is the calendar with it (calendar_loaded_fn): every
 * provisional deadline of an open case (accepted, processing, supplement_needed) counted
 * again from its acceptance day (the promised working days of each part plus the working
 * days its clock stood still), kept when the new one would be earlier; the mark stays only
 * while the deadline still runs through a year without its notice.  A case no longer open
 * just loses the mark (its deadline no longer runs).  0 or a DB_* code.
 */
int	case_deadlines_confirm(struct ctx *c, const struct workcal *w, int year);

#endif
