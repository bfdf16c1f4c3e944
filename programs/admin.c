/*
 * admin.c — yichuang-admin, the operator's command line.
 *
 *   yichuang-admin -c CONF calendar-load FILE      load one year's holiday notice (JSON)
 *   yichuang-admin -c CONF calendar-status         which years are loaded, which are missing
 *   yichuang-admin -c CONF staff-create [--password-final] HALL USER ROLE NAME
 *                                  [WINDOW|DEPARTMENT]
 *                                                  password read from standard input: a
 *                                                  first one, which the person replaces at
 *                                                  the first sign-in; --password-final: kept
 *                                                  as it is (seeds, tests, kiosks)
 *   yichuang-admin -c CONF staff-passwd HALL USER  new password from standard input; the
 *                                                  account's sessions end, its lock is cleared
 *   yichuang-admin -c CONF staff-disable HALL USER switch the account off, end its sessions
 *   yichuang-admin -c CONF staff-enable HALL USER  switch it on again (and unlock it)
 *   yichuang-admin -c CONF staff-unlock HALL USER  lift its sign-in locks (every address)
 *   yichuang-admin -c CONF seed-demo [DIR]         demo calendar + demo catalog (DIR/
 *                                                  catalog-demo.json, through catalog-import)
 *                                                  + the city's hall choices (hall_items)
 *                                                  + demo staff of every hall + demo slots
 *   yichuang-admin -c CONF catalog-import [--dry-run] FILE
 *                                                  the region's catalog from FILE (.csv: CSV,
 *                                                  else JSON), all or nothing; every problem
 *                                                  listed; --dry-run: what it would do
 *   yichuang-admin -c CONF catalog-export [--csv]  the whole catalog to standard output
 *   yichuang-admin -c CONF migrate [SEED.sql ...]  apply pending migrations (migrations_dir),
 *                                                  then the seeds, then the app's grants
 *   yichuang-admin -c CONF grants                  the app account's grants alone
 *   yichuang-admin [-c CONF] [-k KEY] verify-result "<qr text>"
 *                                                  check a result's QR offline: its Ed25519
 *                                                  signature against KEY (base64url, as
 *                                                  GET /results/public-key gives it) or the
 *                                                  instance's own key (-c); with -c and the
 *                                                  database reachable, also its status.
 *                                                  Exit 0 genuine and valid, 1 forged or
 *                                                  malformed, 3 genuine but revoked/replaced
 *   yichuang-admin -c CONF backup [--passphrase-file F] [--mysql-defaults F] DIR
 *                                                  consistent online backup into DIR (new);
 *                                                  the key file sealed with the passphrase
 *   yichuang-admin -c CONF restore [--passphrase-file F] [--mysql-defaults F] [--force] DIR
 *                                                  bring a backup back into this instance
 *                                                  (modules/ops/backup.h)
 *
 * Exit status: 0 done, 1 failed, 2 usage; migrate and grants also 3 (another migrate is
 * running: nothing done) and 4 (MariaDB unreachable) — fcgi/migrate.h.
 *
 * Tables: calendar_years, calendar_days, staff, audit_log, schema_migrations.
 * Redis:  sess:<hash>, staff:sessions:<staff id> (ending an account's sessions), the
 *         sign-in throttle {signin:<hall>}:* (unlocking).
 * Production has no default passwords: staff accounts are made here, one by one.
 */
#include "../fcgi/init.h"
#include "assembly.h"
#include "../modules/ops/backup.h"
#include "../fcgi/clock.h"
#include "../fcgi/config.h"
#include "../fcgi/ctx.h"
#include "../fcgi/db.h"
#include "../fcgi/log.h"
#include "../fcgi/migrate.h"
#include "../fcgi/util.h"
#include "../modules/appointments/appointments.h"
#include "../modules/hall/calendar.h"
#include "../modules/cases/case_provisional.h"
#include "../modules/identity/identity.h"
#include "../modules/results/results.h"
#include "../modules/hall/staff.h"
#include "../modules/identity/staff_signin.h"
#include "../modules/hall/catalog.h"
#include "../modules/admin/catalog_admin.h"
#include "../fcgi/errors.h"

#include <dirent.h>
#include <mysql.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct ctx ctx;

static int cmd_catalog_import(const char *path, int dry_run, int quiet);

static int
read_file(const char *path, char **out, size_t *len)
{
	struct buf b;
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		return -1;
	}
	buf_init(&b, 4 * 1024 * 1024);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (b.overflow) {
		buf_free(&b);
		return -1;
	}
	*out = b.data ? b.data : calloc(1, 1);
	*len = b.len;
	return 0;
}

static int
cmd_calendar_load(const char *path)
{
	char *text, err[256];
	size_t len;
	int rc;

	if (read_file(path, &text, &len) != 0)
		return 1;
	rc = calendar_load_json(&ctx, text, len, case_deadlines_confirm, err, sizeof err);
	free(text);
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", path, err);
		return 1;
	}
	printf("loaded %s\n", path);
	return 0;
}

static int
print_year(void *arg, size_t ncol, char **v, const size_t *lens)
{
	(void)arg;
	(void)ncol;
	(void)lens;
	printf("%s loaded %s (%s)\n", v[0], v[2], v[1]);
	return 0;
}

static int
cmd_calendar_status(void)
{
	int y, rc;
	int64_t today = hall_day(hall_now());
	unsigned m, d;

	rc = db_query(&ctx, "SELECT year, source, loaded_at FROM calendar_years ORDER BY year",
	    DBNOARGS, print_year, NULL);
	if (rc < 0)
		return 1;
	civil_from_days(today, &y, &m, &d);
	for (int yy = y; yy <= y + 1; yy++)
		if (calendar_year_loaded(&ctx, yy) == 0)
			printf("%d MISSING: deadlines reaching into %d are provisional (weekends and"
			    " statutory holidays only) until its notice is loaded\n", yy, yy);
	return 0;
}

static int
read_password(char *out, size_t osz)
{
	size_t n;

	if (fgets(out, (int)osz, stdin) == NULL)
		return -1;
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	return 0;
}

static int
cmd_staff_create(int argc, char **argv)
{
	struct staff_new s;
	char pw[256], err[200];
	long long w = 0;
	int final = 0;

	if (argc > 0 && strcmp(argv[0], "--password-final") == 0) {
		final = 1;
		argc--;
		argv++;
	}
	if (argc < 4) {
		fprintf(stderr, "staff-create [--password-final] HALL USER ROLE NAME"
		    " [WINDOW|DEPARTMENT]\n");
		return 2;
	}
	memset(&s, 0, sizeof s);
	/* The operator hands the person a first password; the person sets their own at the
	 * first sign-in (identity/auth.c), unless it is meant to stay. */
	s.must_change = !final;
	s.hall = argv[0];
	s.username = argv[1];
	s.role = argv[2];
	s.name = argv[3];
	if (argc > 4) {
		if (strcmp(s.role, "clerk") == 0) {
			if (parse_ll(argv[4], 1, 999, &w) != 0) {
				fprintf(stderr, "window must be a number\n");
				return 2;
			}
			s.window = (int)w;
		} else
			s.department = argv[4];
	}
	if (read_password(pw, sizeof pw) != 0) {
		fprintf(stderr, "password expected on standard input\n");
		return 2;
	}
	s.password = pw;
	if (staff_create(&ctx, &s, err, sizeof err) != 0) {
		fprintf(stderr, "staff-create %s: %s\n", s.username, err);
		return 1;
	}
	printf("created %s (%s) in %s\n", s.username, s.role, s.hall);
	return 0;
}

static int end_sessions(const char *hall, const char *user, const char *known_id);

/* Lift an account's sign-in locks (after a password reset, when it is enabled again, or on
 * its own). */
static int
unlock_sign_in(const char *hall, const char *user)
{
	char err[200];
	int addresses, account;

	if (staff_unlock(&ctx, hall, user, &addresses, &account, err, sizeof err) != 0) {
		fprintf(stderr, "%s: %s\n", user, err);
		return 1;
	}
	printf("sign-in of %s unlocked (%d locked address(es)%s)\n", user, addresses,
	    account ? ", and the account-wide lock" : "");
	return 0;
}

static int
cmd_staff_unlock(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "staff-unlock HALL USER\n");
		return 2;
	}
	return unlock_sign_in(argv[0], argv[1]);
}

static int
cmd_staff_passwd(int argc, char **argv)
{
	char pw[256], err[200];

	if (argc < 2) {
		fprintf(stderr, "staff-passwd HALL USER\n");
		return 2;
	}
	if (read_password(pw, sizeof pw) != 0)
		return 2;
	if (staff_set_password(&ctx, argv[0], argv[1], pw, err, sizeof err) != 0) {
		fprintf(stderr, "staff-passwd %s: %s\n", argv[1], err);
		return 1;
	}
	printf("password of %s reset\n", argv[1]);
	return end_sessions(argv[0], argv[1], NULL) | unlock_sign_in(argv[0], argv[1]);
}

/* End every session of an account (after a password reset or when it is disabled). */
static int
end_sessions(const char *hall, const char *user, const char *known_id)
{
	char id[24];
	int n;

	if (known_id)
		str_copy(id, sizeof id, known_id);
	else if (staff_id_of(&ctx, hall, user, id, sizeof id) != 1) {
		fprintf(stderr, "%s: account not found\n", user);
		return 1;
	}
	if ((n = staff_sessions_kill(&ctx, id)) < 0) {
		fprintf(stderr, "Redis is not reachable: the sessions of %s could not be ended\n",
		    user);
		return 1;
	}
	printf("%d session(s) of %s ended\n", n, user);
	return 0;
}

static int
cmd_staff_disable(int argc, char **argv, int disabled)
{
	char id[24], err[200];

	if (argc < 2) {
		fprintf(stderr, "%s HALL USER\n", disabled ? "staff-disable" : "staff-enable");
		return 2;
	}
	if (staff_set_disabled(&ctx, argv[0], argv[1], disabled, id, sizeof id, err,
	    sizeof err) != 0) {
		fprintf(stderr, "%s %s: %s\n", disabled ? "staff-disable" : "staff-enable", argv[1],
		    err);
		return 1;
	}
	printf("%s %s\n", argv[1], disabled ? "disabled" : "enabled");
	return disabled ? end_sessions(argv[0], argv[1], id) : unlock_sign_in(argv[0], argv[1]);
}

/*
 * The demo city's halls each with their own staff (the same demo password everywhere; the
 * sign-in names the hall).  approver1 of chengbei decides 不动产登记 there (就近办).
 */
static const struct demo_staff {
	const char *hall, *user, *role, *name, *extra;
} demo_staff[] = {
	{ "demo", "clerk1", "clerk", "王晓明", "1" }, { "demo", "clerk2", "clerk", "李娜", "2" },
	{ "demo", "clerk3", "clerk", "张伟", "3" }, { "demo", "clerk4", "clerk", "刘洋", "4" },
	{ "demo", "clerk5", "clerk", "陈静", "5" }, { "demo", "clerk6", "clerk", "杨帆", "6" },
	{ "demo", "clerk7", "clerk", "赵敏", "7" }, { "demo", "clerk8", "clerk", "黄磊", "8" },
	{ "demo", "clerk9", "clerk", "郑洁", "9" },
	{ "demo", "approver1", "approver", "周建国", "scjg" },
	{ "demo", "manager1", "manager", "吴秀兰", NULL },
	{ "demo", "admin", "admin", "系统管理员", NULL },
	{ "demo", "kiosk1", "kiosk", "大厅取号机 1", NULL },
	{ "demo", "helper1", "helper", "孙志愿", NULL },
	{ "demo", "region1", "region_admin", "区域事项管理员", NULL },
	{ "demo", "city1", "city_manager", "市政务服务管理办", NULL },
	{ "chengbei", "clerk1", "clerk", "钱文", "1" },
	{ "chengbei", "clerk2", "clerk", "孙丽", "2" },
	{ "chengbei", "clerk5", "clerk", "冯涛", "5" },
	{ "chengbei", "approver1", "approver", "卫东", "bdc" },
	{ "chengbei", "manager1", "manager", "蒋芳", NULL },
	{ "chengbei", "admin", "admin", "城北区系统管理员", NULL },
	{ "chengnan", "clerk1", "clerk", "沈冰", "1" },
	{ "chengnan", "clerk2", "clerk", "韩雪", "2" },
	{ "chengnan", "clerk5", "clerk", "杨光", "5" },
	{ "chengnan", "approver1", "approver", "朱华", "mzj" },
	{ "chengnan", "manager1", "manager", "秦岚", NULL },
	{ "chengnan", "admin", "admin", "城南区系统管理员", NULL },
	{ "qiaotou", "clerk1", "clerk", "许梅", "1" },
	{ "qiaotou", "clerk2", "clerk", "何平", "2" },
	{ "qiaotou", "approver1", "approver", "吕强", "rsj" },
	{ "qiaotou", "manager1", "manager", "施红", NULL },
	{ "qiaotou", "admin", "admin", "桥头镇系统管理员", NULL },
};

/*
 * Which region items the other halls of the demo city accept, decide, and in which queue
 * (hall_items; the centre keeps the default: every item of its own).  The districts take
 * the 无差别受理, 不动产登记 and 社会事务 items; chengbei decides 不动产登记 itself (就近办),
 * everything else goes to the centre's departments (全市通办).  The town station takes
 * 即办件 and a few low-risk 承诺件 and decides none.
 */
static const struct demo_choice {
	const char *hall, *item, *category;
	int decides;
} demo_choices[] = {
	{ "chengbei", "IT-A-001", "A", 0 }, { "chengbei", "IT-A-002", "A", 0 },
	{ "chengbei", "IT-A-003", "A", 0 }, { "chengbei", "IT-D-001", "D", 1 },
	{ "chengbei", "IT-D-002", "D", 1 }, { "chengbei", "IT-D-003", "D", 1 },
	{ "chengbei", "IT-D-004", "D", 1 }, { "chengbei", "IT-E-002", "E", 0 },
	{ "chengbei", "IT-E-003", "E", 0 }, { "chengbei", "IT-E-004", "E", 0 },
	{ "chengnan", "IT-A-001", "A", 0 }, { "chengnan", "IT-A-002", "A", 0 },
	{ "chengnan", "IT-A-003", "A", 0 }, { "chengnan", "IT-D-001", "D", 0 },
	{ "chengnan", "IT-D-002", "D", 0 }, { "chengnan", "IT-D-003", "D", 0 },
	{ "chengnan", "IT-D-004", "D", 0 }, { "chengnan", "IT-E-002", "E", 0 },
	{ "chengnan", "IT-E-003", "E", 0 }, { "chengnan", "IT-E-004", "E", 0 },
	{ "qiaotou", "IT-A-001", "A", 0 }, { "qiaotou", "IT-A-002", "A", 0 },
	{ "qiaotou", "IT-A-003", "A", 0 }, { "qiaotou", "IT-D-003", "A", 0 },
	{ "qiaotou", "IT-D-004", "A", 0 }, { "qiaotou", "IT-E-004", "A", 0 },
};

/* One hall choice of the seed, through the admin API's own code (audited as "seed"). */
static int
seed_choice_tx(struct ctx *c, void *arg)
{
	const struct demo_choice *d = arg;
	struct cat_choice ch = { 1, d->decides, d->category };
	json_t *errs = json_object(), *after = NULL;
	char one[8];
	int rc;

	rc = db_scalar(c, "SELECT 1 FROM hall_items WHERE hall = ? AND item = ?",
	    DBARGS(DBS(d->hall), DBS(d->item)), one, sizeof one);
	if (rc == 0)	/* idempotent: a choice made (or changed by the hall) is kept */
		rc = cat_hall_choose(c, "seed", d->hall, d->item, &ch, errs, &after);
	else if (rc == 1)
		rc = 0;
	json_decref(after);
	json_decref(errs);
	return rc;
}

/* The demo city's calendar files, catalog, halls' choices, staff and slots.  Idempotent:
 * existing accounts and choices are kept. */
static int
cmd_seed_demo(const char *datadir)
{
	char err[200], path[512];
	struct dirent *de;
	DIR *dir;
	size_t i;
	int rc = 0;

	if ((dir = opendir(datadir)) == NULL) {
		fprintf(stderr, "cannot open %s\n", datadir);
		return 1;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, "cn-holidays-", 12) != 0 ||
		    strstr(de->d_name, ".json") == NULL)
			continue;
		if (fmt(path, sizeof path, "%s/%s", datadir, de->d_name) < 0)
			continue;
		rc |= cmd_calendar_load(path);
	}
	closedir(dir);
	/* The demo catalog goes through the same import as a region's published list. */
	if (fmt(path, sizeof path, "%s/catalog-demo.json", datadir) >= 0 &&
	    access(path, R_OK) == 0)
		rc |= cmd_catalog_import(path, 0, 1);
	for (i = 0; i < NELEM(demo_choices); i++) {
		int r = db_tx(&ctx, seed_choice_tx, (void *)&demo_choices[i]);

		if (r != 0) {
			fprintf(stderr, "demo choice %s/%s: %d\n", demo_choices[i].hall,
			    demo_choices[i].item, r);
			rc = 1;
		}
	}
	for (i = 0; i < NELEM(demo_staff); i++) {
		struct staff_new s;
		long long w = 0;

		memset(&s, 0, sizeof s);
		s.hall = demo_staff[i].hall;
		s.username = demo_staff[i].user;
		s.role = demo_staff[i].role;
		s.name = demo_staff[i].name;
		s.password = "yichuang-demo";
		if (strcmp(s.role, "clerk") == 0 &&
		    parse_ll(demo_staff[i].extra, 1, 99, &w) == 0)
			s.window = (int)w;
		else
			s.department = demo_staff[i].extra;
		if (staff_exists(&ctx, s.hall, s.username) == 1)
			continue;
		if (staff_create(&ctx, &s, err, sizeof err) != 0) {
			fprintf(stderr, "demo staff %s/%s: %s\n", s.hall, s.username, err);
			rc = 1;
		}
	}
	/* The demo halls' appointment slot templates (modules/appointments/appointments.h). */
	if (appt_seed_demo(&ctx) != 0) {
		fprintf(stderr, "demo appointment slots not seeded\n");
		rc = 1;
	}
	return rc;
}

static int
status_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	char *out = arg;

	(void)ncol;
	(void)lens;
	str_copy(out, 16, v[0] ? v[0] : "");
	return 1;
}

/*
 * verify-result: the signature first, with nothing but the public key (what a third party
 * does); then, when this is an instance's own machine (-c) and its database answers, the
 * result's current status, since a revocation is news no signature can carry.
 */
static int
cmd_verify_result(const char *conf, const char *key, const char *qr)
{
	struct result_fields f;
	unsigned char pk[32];
	char status[16] = "";
	enum result_check rc;

	if (key != NULL ? result_pk_parse(key, pk) != 0 : result_public_key(pk) != 0) {
		fprintf(stderr, "verify-result: no public key (give -k KEY, or -c CONF of the instance)\n");
		return 2;
	}
	rc = result_qr_check(qr, pk, &f);
	if (rc == RC_MALFORMED) {
		printf("无效：不是本系统的办理结果二维码 (malformed)\n");
		return 1;
	}
	if (rc == RC_FORGED) {
		printf("无效：签名不符，内容被改动或并非本机构签发 (forged)\n");
		return 1;
	}
	printf("签名有效 (genuine)\n  %s %s\n  编号 %s\n  持有人 %s\n  发证机关 %s\n"
	    "  发证日期 %s\n  有效期至 %s\n", result_kind_label(f.kind), f.title, f.number,
	    f.holder, f.issuer, f.issued_on, f.valid_until[0] ? f.valid_until : "长期");
	if (conf == NULL || app_init_global() != 0 || rooms_init() != 0)
		return 0;
	ctx_init(&ctx, 0);
	if (db_ping(&ctx) == 0 && db_query(&ctx, "SELECT status FROM results WHERE vid = ?",
	    DBARGS(DBS(f.vid)), status_row, status) > 0) {
		printf("  状态 %s (%s)\n", strcmp(status, "valid") == 0 ? "有效" :
		    strcmp(status, "revoked") == 0 ? "已撤销" : "已被替换", status);
		ctx_close(&ctx);
		return strcmp(status, "valid") == 0 ? 0 : 3;
	}
	printf("  状态 未能查询（离线核验只证明内容未被改动）\n");
	ctx_close(&ctx);
	return 0;
}

/*
 * backup / restore (modules/ops/backup.h).  The passphrase comes from --passphrase-file or standard
 * input, never the command line (ps shows it to everyone).  --mysql-defaults names an option
 * file for the mariadb tools (a DBA account for restore, which creates tables — e.g. Debian's
 * /etc/mysql/debian.cnf); without it they use the app's account from the configuration.
 */
static const struct backup_sample sealed_samples[] = {
	{ "cases.applicant_phone_enc",
	  "SELECT applicant_phone_enc FROM cases ORDER BY id DESC LIMIT 50" },
	{ "cases.applicant_id_enc", "SELECT applicant_id_enc FROM cases ORDER BY id DESC LIMIT 50" },
	{ "citizens.phone_enc",
	  "SELECT phone_enc FROM citizens WHERE phone_enc IS NOT NULL ORDER BY id DESC LIMIT 50" },
	{ "appointments.idnum_enc",
	  "SELECT idnum_enc FROM appointments ORDER BY id DESC LIMIT 50" },
	{ "queue_tickets.phone_enc",
	  "SELECT phone_enc FROM queue_tickets WHERE phone_enc IS NOT NULL ORDER BY id DESC LIMIT 50" },
	{ NULL, NULL }
};

static int
backup_args(int argc, char **argv, int restore, struct backup_opts *o, const char **passfile)
{
	int i, bad = 0;

	memset(o, 0, sizeof *o);
	*passfile = NULL;
	for (i = 0; i < argc && !bad; i++) {
		if (strcmp(argv[i], "--passphrase-file") == 0 && i + 1 < argc)
			*passfile = argv[++i];
		else if (strcmp(argv[i], "--mysql-defaults") == 0 && i + 1 < argc)
			o->mysql_defaults = argv[++i];
		else if (restore && strcmp(argv[i], "--force") == 0)
			o->force = 1;
		else if (argv[i][0] != '-' && o->dir == NULL)
			o->dir = argv[i];
		else
			bad = 1;
	}
	if (bad || o->dir == NULL) {
		fprintf(stderr, "%s [--passphrase-file FILE] [--mysql-defaults FILE]%s DIR\n",
		    restore ? "restore" : "backup", restore ? " [--force]" : "");
		return -1;
	}
	o->samples = sealed_samples;
	o->records_sql = "SELECT (SELECT COUNT(*) FROM queue_tickets) + (SELECT COUNT(*) FROM"
	    " appointments) + (SELECT COUNT(*) FROM cases) + (SELECT COUNT(*) FROM citizens) +"
	    " (SELECT COUNT(*) FROM reviews) + (SELECT COUNT(*) FROM outbox) +"
	    " (SELECT COUNT(*) FROM uploads)";
	return 0;
}

static int
cmd_backup(int argc, char **argv)
{
	struct backup_opts o;
	const char *passfile;
	char pass[512];
	int rc;

	if (backup_args(argc, argv, 0, &o, &passfile) != 0)
		return 2;
	if (backup_passphrase(passfile, pass, sizeof pass, 1) != 0)
		return 2;
	o.passphrase = pass;
	rc = backup_create(&ctx, &o);
	sodium_memzero(pass, sizeof pass);
	return rc;
}

static int
cmd_restore(int argc, char **argv)
{
	struct backup_opts o;
	const char *passfile;
	char pass[512];
	int rc;

	if (backup_args(argc, argv, 1, &o, &passfile) != 0)
		return 2;
	if (backup_passphrase(passfile, pass, sizeof pass, 0) != 0)
		return 2;
	o.passphrase = pass;
	rc = backup_restore(&ctx, &o);
	sodium_memzero(pass, sizeof pass);
	return rc;
}

static int
verb_calendar_load(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "calendar-load FILE\n");
		return 2;
	}
	return cmd_calendar_load(argv[1]);
}

static int
verb_calendar_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cmd_calendar_status();
}

static int
verb_staff_create(int argc, char **argv)
{
	return cmd_staff_create(argc - 1, argv + 1);
}

static int
verb_staff_passwd(int argc, char **argv)
{
	return cmd_staff_passwd(argc - 1, argv + 1);
}

static int
verb_staff_disable(int argc, char **argv)
{
	return cmd_staff_disable(argc - 1, argv + 1, 1);
}

static int
verb_staff_enable(int argc, char **argv)
{
	return cmd_staff_disable(argc - 1, argv + 1, 0);
}

static int
verb_staff_unlock(int argc, char **argv)
{
	return cmd_staff_unlock(argc - 1, argv + 1);
}

static int
verb_seed_demo(int argc, char **argv)
{
	return cmd_seed_demo(argc > 1 ? argv[1] : "sql/data");
}

/* Every problem on standard error, one a line: where (line or record), field, message. */
static void
print_problems(const char *path, json_t *problems)
{
	json_t *p;
	size_t i;

	json_array_foreach(problems, i, p) {
		long long line = json_integer_value(json_object_get(p, "line"));
		const char *rec = json_string_value(json_object_get(p, "record"));

		if (line > 0)
			fprintf(stderr, "%s:%lld: %s: %s\n", path, line,
			    json_string_value(json_object_get(p, "field")),
			    json_string_value(json_object_get(p, "message")));
		else
			fprintf(stderr, "%s: %s%s%s: %s\n", path, rec ? rec : "",
			    rec && *rec ? " " : "", json_string_value(json_object_get(p, "field")),
			    json_string_value(json_object_get(p, "message")));
	}
}

static int
cmd_catalog_import(const char *path, int dry_run, int quiet)
{
	char *text, actor[64];
	const char *base = strrchr(path, '/'), *dot;
	json_t *report = NULL, *problems = NULL, *counts;
	size_t len;
	int rc;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	if (read_file(path, &text, &len) != 0)
		return 1;
	/* A file name may be Chinese: cut by characters, never inside one. */
	fmt(actor, sizeof actor, "import:%.*s", (int)utf8_cut(base, strlen(base), 50, 50), base);
	rc = cat_import(&ctx, actor, text, len, dot && strcmp(dot, ".csv") == 0 ? CAT_CSV :
	    CAT_JSON, dry_run, &report, &problems);
	free(text);
	if (rc == E_INVALID_INPUT) {
		print_problems(path, problems);
		fprintf(stderr, "%s: %zu problem(s); nothing imported\n", path,
		    json_array_size(problems));
	} else if (rc != 0)
		fprintf(stderr, "%s: not imported (database error %d)\n", path, rc);
	else if (!quiet || dry_run) {
		counts = json_object_get(report, "counts");
		printf("%s%s: %lld created, %lld changed, %lld unchanged, %lld retired, "
		    "%lld restored; %zu bundles\n", dry_run ? "dry run, nothing written: " : "",
		    path, (long long)json_integer_value(json_object_get(counts, "created")),
		    (long long)json_integer_value(json_object_get(counts, "changed")),
		    (long long)json_integer_value(json_object_get(counts, "unchanged")),
		    (long long)json_integer_value(json_object_get(counts, "retired")),
		    (long long)json_integer_value(json_object_get(counts, "restored")),
		    json_array_size(json_object_get(report, "bundles")));
	}
	if (rc == 0 && !dry_run)
		catalog_changed(&ctx);
	json_decref(report);
	json_decref(problems);
	return rc == 0 ? 0 : 1;
}

static int
verb_catalog_import(int argc, char **argv)
{
	int dry = argc == 3 && strcmp(argv[1], "--dry-run") == 0;

	if (argc != 2 + dry) {
		fprintf(stderr, "usage: catalog-import [--dry-run] FILE\n");
		return 2;
	}
	return cmd_catalog_import(argv[1 + dry], dry, 0);
}

static int
verb_catalog_export(int argc, char **argv)
{
	int csv = argc == 2 && strcmp(argv[1], "--csv") == 0, rc;
	json_t *doc;
	char *text;
	size_t len;

	if (argc != 1 + csv) {
		fprintf(stderr, "usage: catalog-export [--csv]\n");
		return 2;
	}
	if (csv)
		rc = cat_export_csv(&ctx, &text, &len);
	else if ((rc = cat_export_json(&ctx, &doc)) == 0) {
		text = json_dumps(doc, JSON_INDENT(1));
		json_decref(doc);
		len = text ? strlen(text) : 0;
		rc = text ? 0 : DB_FAIL;
	}
	if (rc != 0) {
		fprintf(stderr, "catalog not exported (database error %d)\n", rc);
		return 1;
	}
	fwrite(text, 1, len, stdout);
	if (!csv)
		fputc('\n', stdout);
	free(text);
	return ferror(stdout) ? 1 : 0;
}

static int
verb_migrate(int argc, char **argv)
{
	return migrate_run((const char *const *)argv + 1, (size_t)(argc - 1));
}

static int
verb_grants(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "grants takes no arguments\n");
		return 2;
	}
	return migrate_grants();
}

static int
verb_backup(int argc, char **argv)
{
	return cmd_backup(argc - 1, argv + 1);
}

static int
verb_restore(int argc, char **argv)
{
	return cmd_restore(argc - 1, argv + 1);
}

/*
 * The verbs, one row each.  app_db: the verb works as the app's account (mysql_user), which
 * must answer before it runs; migrate and grants connect as migrate_user themselves (the
 * database may not even exist yet).
 */
static const struct verb {
	const char	*name;
	int		 app_db;
	int		(*run)(int argc, char **argv);	/* argv[0] is the verb */
} verbs[] = {
	{ "calendar-load",	1, verb_calendar_load },
	{ "calendar-status",	1, verb_calendar_status },
	{ "staff-create",	1, verb_staff_create },
	{ "staff-passwd",	1, verb_staff_passwd },
	{ "staff-disable",	1, verb_staff_disable },
	{ "staff-enable",	1, verb_staff_enable },
	{ "staff-unlock",	1, verb_staff_unlock },
	{ "seed-demo",		1, verb_seed_demo },
	{ "catalog-import",	1, verb_catalog_import },
	{ "catalog-export",	1, verb_catalog_export },
	{ "migrate",		0, verb_migrate },
	{ "grants",		0, verb_grants },
	{ "backup",		1, verb_backup },
	{ "restore",		1, verb_restore },
};

int
main(int argc, char **argv)
{
	const struct verb *v = NULL;
	const char *conf = NULL, *key = NULL;
	size_t i;
	int ch, rc;

	/* "+": stop at the command, whose own options (backup --passphrase-file …) follow it. */
	while ((ch = getopt(argc, argv, "+c:k:")) != -1) {
		if (ch == 'c')
			conf = optarg;
		else if (ch == 'k')
			key = optarg;
		else
			return 2;
	}
	argc -= optind;
	argv += optind;
	if (argc == 2 && strcmp(argv[0], "verify-result") == 0) {
		if (conf != NULL && config_load(conf) != 0) {
			fprintf(stderr, "cannot read %s\n", conf);
			return 2;
		}
		if (sodium_init() < 0)
			return 2;
		rc = cmd_verify_result(conf, key, argv[1]);
		mysql_library_end();
		return rc;
	}
	if (conf == NULL || argc < 1 || config_load(conf) != 0) {
		fprintf(stderr, "usage: yichuang-admin -c CONF COMMAND ...\n");
		return 2;
	}
	for (i = 0; i < NELEM(verbs); i++)
		if (strcmp(verbs[i].name, argv[0]) == 0)
			v = &verbs[i];
	if (v == NULL) {
		fprintf(stderr, "unknown command %s\n", argv[0]);
		return 2;
	}
	/* The operator's commands are not requests: no access log (run as root, opening it
	 * would also leave a root-owned file the app's user cannot append to). */
	config_set("access_log", "");
	if (app_init_global() != 0 || rooms_init() != 0)
		return 1;
	ctx_init(&ctx, 0);
	if (v->app_db && db_ping(&ctx) != 0) {
		fprintf(stderr, "MariaDB is not reachable\n");
		rc = 1;
	} else
		rc = v->run(argc, argv);
	ctx_close(&ctx);
	mysql_library_end();
	return rc;
}
