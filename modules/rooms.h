/*
 * rooms.h — what each room of modules/ offers the programs: its routes (for the app's router)
 * and its periodic jobs (for the worker).  programs/assembly.c puts them together; nothing in
 * fcgi/ includes this file, so the runtime knows no room.
 *
 * A room's routes are in modules/<room>/routes.c; its jobs, where it has any, in the table
 * next to the jobs themselves (named below).
 */
#ifndef YC_ROOMS_H
#define YC_ROOMS_H

#include "../fcgi/yc.h"
#include "../fcgi/jobs.h"

#define ROOM_ROUTES(room) \
	extern const struct route room##_routes[]; \
	extern const size_t room##_nroutes
#define ROOM_JOBS(room) \
	extern const struct job room##_jobs[]; \
	extern const size_t room##_njobs

ROOM_ROUTES(ops);		/* health */
ROOM_ROUTES(hall);		/* halls, catalog, calendar, staff directory */
ROOM_ROUTES(identity);		/* sign-in of staff and citizens, 实名 and proxies */
ROOM_ROUTES(notify);		/* notices, SMS receipts, hall alerts */
ROOM_ROUTES(queue);		/* tickets, windows, the display board */
ROOM_ROUTES(appointments);	/* slots, bookings, check-in */
ROOM_ROUTES(online);		/* online applications, uploads, bundles */
ROOM_ROUTES(cases);		/* the window's cases and their notices */
ROOM_ROUTES(tracking);		/* QR codes */
ROOM_ROUTES(results);		/* signed results, verification */
ROOM_ROUTES(reviews);		/* 好差评 and rectifications */
ROOM_ROUTES(stats);		/* the hall's figures */
ROOM_ROUTES(consult);		/* 咨询导办 referrals (首问负责) */
ROOM_ROUTES(handover);		/* 交接单: hand-overs of paper files, custody */
ROOM_ROUTES(xprov);		/* 跨省通办 收受分离: the steps of cross-province cases */
ROOM_ROUTES(admin);		/* the administration console */

ROOM_JOBS(hall);		/* hall/calendar_jobs.c */
ROOM_JOBS(notify);		/* notify/notify.c */
ROOM_JOBS(queue);		/* queue/queue_jobs.c */
ROOM_JOBS(appointments);	/* appointments/appointments_jobs.c */
ROOM_JOBS(shared);		/* shared/idempotency.c */
ROOM_JOBS(cases);		/* cases/cases_jobs.c */
ROOM_JOBS(reviews);		/* reviews/reviews_jobs.c */
ROOM_JOBS(handover);		/* handover/routes.c (handover_jobs.c) */
ROOM_JOBS(stats);		/* stats/routes.c (stats_days.c) */

#endif
