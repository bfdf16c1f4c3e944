/*
 * assembly.h — the programs (app, worker, admin) put the rooms of modules/ together here: the
 * runtime (fcgi/) knows no room, and no room knows the programs.
 */
#ifndef YC_PROGRAMS_ASSEMBLY_H
#define YC_PROGRAMS_ASSEMBLY_H

#include <stddef.h>

struct job;

/*
 * Once per program, after app_init_global: the rooms' own start-up (the sealing key of
 * personal data), every room's routes handed to the router as one table, and the audit of
 * refusals hooked to the router.  0, or -1 after logging why.
 */
int	rooms_init(void);
/* The tables alone (rooms_init does it; the route tests and the fuzzer need no more).  0 or -1. */
int	rooms_assemble(void);
/*
 * The app and the worker, after rooms_init: what the installation must provide for the rooms
 * (the SMS templates of sms_templates_dir), then app_check_install (the schema).  0 or -1.
 */
int	rooms_check_install(void);
/* Every room's periodic jobs, in the order the worker runs them. */
const struct job *rooms_jobs(size_t *n);
/* rooms_init's tables are the process's until it exits; tests and ASan may free them. */
void	rooms_fini(void);

#endif
