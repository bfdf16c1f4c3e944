/*
 * migrate.h — schema migrations: `yichuang-admin migrate` and the programs' start-up check.
 *
 * The migrations are the files NNN_name.sql of the folder named by the configuration key
 * migrations_dir (default sql/migrations, the repository's; an installed hall has
 * /usr/share/yichuang/migrations).  Each is applied once, in byte order of its name, and
 * recorded in schema_migrations (version = the name without .sql; once the table has the
 * columns of 107_migration_checksums, also the file's SHA-256 and the release applying it)
 * only when every statement of it succeeded.  Whatever files the folder holds is what a
 * release brings: there is no list to keep.  A recorded file that has changed since is
 * reported (a released migration is never edited).
 *
 * The rule that lets a hall upgrade without stopping (docs/INSTALL.md): a migration only
 * adds — tables, columns with a default or NULL, indexes, rows — so the previous release's
 * programs keep working on the migrated schema while the hosts restart one by one; taking
 * something away is a later release's migration, once no running program uses it.
 *
 * Migrations change the schema, which the app's account may not do (it has table-level
 * SELECT/INSERT/UPDATE/DELETE only): migrate connects as migrate_user (default root, by the
 * server's unix_socket authentication) with the password in migrate_password_file if one
 * is set, on the same server (mysql_socket, or mysql_host and mysql_port) and database
 * (mysql_db, created when missing).  After the migrations it gives the app's account
 * (mysql_user, at every host it is defined for) exactly the privileges it needs on every
 * table, and takes back those on tables that are gone.
 *
 * One at a time: migrate holds the MariaDB user lock "yichuang-migrate:<mysql_db>"
 * (GET_LOCK) from before it reads what was applied until it has finished.  A second
 * migrate finds it taken and stops at once without touching anything (exit MIG_BUSY).  The
 * server releases the lock when the connection ends, so a migrate that was killed leaves
 * nothing stuck behind.
 */
#ifndef YC_MIGRATE_H
#define YC_MIGRATE_H

#include <stddef.h>

struct ctx;

/* Exit codes of yichuang-admin migrate and grants. */
enum {
	MIG_OK = 0,		/* done (or nothing to do) */
	MIG_FAILED = 1,		/* a migration or a grant failed: what failed is not recorded */
	MIG_USAGE = 2,		/* bad configuration or arguments */
	MIG_BUSY = 3,		/* another migrate holds the lock: nothing was done */
	MIG_DOWN = 4		/* MariaDB could not be reached or refused the account */
};

/*
 * Apply every pending migration, then each seed file (recorded as "seed:<name>"), then the
 * grants.  Progress on stdout, errors on stderr.  Returns a MIG_* code.
 */
int	migrate_run(const char *const *seeds, size_t nseeds);
/* The grants alone (after the app's account was made again, or a database restored). */
int	migrate_grants(void);
/*
 * For the app and the worker at start: how many migrations of migrations_dir the database
 * has not recorded (0: the schema is what this release expects); the first of them goes
 * into first.  -1 when it cannot tell (folder unreadable, MariaDB down), logged.
 */
int	migrate_pending(struct ctx *c, char *first, size_t fsz);

#endif
