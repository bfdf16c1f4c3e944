/*
 * assembly.c — one route table and one job table from the rooms of modules/ (modules/rooms.h).
 *
 * The route table is the rooms' tables one after another, in the order below; the router
 * takes the first route whose pattern and method match, and no two routes of the API match
 * the same path and method, so the order only decides how an Allow header lists methods.
 */
#include "assembly.h"
#include "../fcgi/init.h"
#include "../fcgi/config.h"
#include "../fcgi/log.h"
#include "../modules/rooms.h"
#include "../modules/appointments/appointments.h"
#include "../modules/cases/cases.h"
#include "../modules/handover/handover.h"
#include "../modules/identity/realname.h"
#include "../modules/notify/notify.h"
#include "../modules/online/online_api.h"
#include "../modules/results/results.h"
#include "../modules/shared/audit.h"
#include "../modules/shared/pii.h"
#include "../modules/tracking/track_cache.h"

#include <stdlib.h>
#include <string.h>

struct route_set {
	const struct route	*t;
	const size_t		*n;
};
#define SET(room) { room##_routes, &room##_nroutes }
static const struct route_set route_sets[] = {
	SET(ops), SET(hall), SET(identity), SET(notify), SET(queue), SET(appointments),
	SET(cases), SET(tracking), SET(online), SET(results), SET(reviews), SET(stats),
	SET(consult), SET(handover), SET(xprov),
	SET(admin),
};
#undef SET

struct job_set {
	const struct job	*t;
	const size_t		*n;
};
#define SET(room) { room##_jobs, &room##_njobs }
static const struct job_set job_sets[] = {
	SET(hall), SET(notify), SET(queue), SET(appointments), SET(shared), SET(cases),
	SET(reviews), SET(handover), SET(stats),
};
#undef SET

static struct route	*all_routes;
static struct job	*all_jobs;
static size_t		 nall_jobs;

int
rooms_assemble(void)
{
	size_t i, n = 0, k = 0;

	if (all_routes)
		return 0;

	for (i = 0; i < NELEM(route_sets); i++)
		n += *route_sets[i].n;
	if ((all_routes = calloc(n, sizeof *all_routes)) == NULL)
		return -1;
	for (i = 0; i < NELEM(route_sets); i++) {
		memcpy(all_routes + k, route_sets[i].t, *route_sets[i].n * sizeof *all_routes);
		k += *route_sets[i].n;
	}
	router_set_routes(all_routes, n);

	for (i = 0, n = 0; i < NELEM(job_sets); i++)
		n += *job_sets[i].n;
	if ((all_jobs = calloc(n, sizeof *all_jobs)) == NULL)
		return -1;
	for (i = 0, k = 0; i < NELEM(job_sets); i++) {
		memcpy(all_jobs + k, job_sets[i].t, *job_sets[i].n * sizeof *all_jobs);
		k += *job_sets[i].n;
	}
	nall_jobs = n;
	return 0;
}

int
rooms_init(void)
{
	if (pii_init() != 0)
		return -1;
	if (rooms_assemble() != 0) {
		log_err("out of memory putting the route table together");
		return -1;
	}
	/* Every refusal is on the audit trail: who was turned away from what. */
	router_on_refusal(audit_refusal);
	/* Where a lower room's change asks for work of a higher one (docs/ARCHITECTURE.md). */
	realname_on_rebind(appt_cancel_identity);
	cases_on_change(track_forget);
	cases_on_custody(handover_custody_json);
	cases_on_online(online_apply, online_review);
	cases_on_decided(results_record);
	if (notify_on_resend("case", "pickup_code", case_renew_pickup) != 0 ||
	    notify_on_resend("appointment", "code", appt_renew_code) != 0 ||
	    notify_on_resend("case", "url", case_renew_track_url) != 0)
		return -1;
	return 0;
}

int
rooms_check_install(void)
{
	if (tmpl_load_all() <= 0) {
		log_err("no SMS templates in sms_templates_dir = %s",
		    config_get("sms_templates_dir", "sms-templates"));
		return -1;
	}
	return app_check_install();
}

const struct job *
rooms_jobs(size_t *n)
{
	*n = nall_jobs;
	return all_jobs;
}

void
rooms_fini(void)
{
	router_set_routes(NULL, 0);
	free(all_routes);
	free(all_jobs);
	all_routes = NULL;
	all_jobs = NULL;
	nall_jobs = 0;
}
