/*
 * uploads.c — files citizens (and clerks) hand in online.
 *
 * Routes: POST /uploads (citizen, clerk; raw body, route limit 12 MiB like nginx's),
 *         GET /uploads/{id} (the owner; staff of the hall the file's case belongs to)
 * Tables: uploads, online_materials + cases (who may read), audit_log
 * Redis:  none
 * Files:  <upload_dir>/<sha256[0..2]>/<sha256> — outside the web root, by content hash.
 *
 * The type is what the bytes say (JPEG FF D8 FF, PNG's 8-byte signature, PDF "%PDF-"), never
 * what the client claims; a declared Content-Type that disagrees is refused too.  Sizes: one
 * file ≤ upload_max_bytes (10 MiB), one case's files together ≤ upload_case_max_bytes
 * (30 MiB, checked when a case names them).  The bytes go to a temporary file that is
 * fsync'ed and then linked to its content name, so a reader never sees half a file and a
 * failed request leaves no file and no row.  There is no listing: an upload is reached only
 * by its unguessable id, and only by those allowed to read it (others get 404).
 */
#include "handlers.h"
#include "../shared/audit.h"
#include "../cases/cases.h"
#include "online.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

long long
upload_max_bytes(void)
{
	return config_int("upload_max_bytes", 10LL * 1024 * 1024, 1024, 12LL * 1024 * 1024);
}

long long
upload_case_max_bytes(void)
{
	return config_int("upload_case_max_bytes", 30LL * 1024 * 1024, 1024,
	    1024LL * 1024 * 1024);
}

/* The type by magic bytes, or NULL. */
static const char *
sniff(const unsigned char *p, size_t n)
{
	static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a };

	if (n >= 4 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (n >= 16 && memcmp(p, png, sizeof png) == 0)
		return "image/png";
	if (n >= 8 && memcmp(p, "%PDF-", 5) == 0)
		return "application/pdf";
	return NULL;
}

static int
declared_ok(const char *ct, const char *type)
{
	size_t n;

	if (ct == NULL || *ct == '\0' || strncasecmp(ct, "application/octet-stream", 24) == 0)
		return 1;
	n = strlen(type);
	return strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static int
path_of(const char *sha, char *dir, size_t dsz, char *file, size_t fsz)
{
	const char *base = config_get("upload_dir", NULL);

	if (base == NULL || *base == '\0')
		return -1;
	if (fmt(dir, dsz, "%s/%.2s", base, sha) < 0 || fmt(file, fsz, "%s/%s", dir, sha) < 0)
		return -1;
	return 0;
}

/* Write the bytes under their content name.  *created: this call made the file.  0 or -1. */
static int
store(const char *sha, const unsigned char *p, size_t n, int *created)
{
	char dir[600], file[700], tmp[700], rnd[32];
	const char *base = config_get("upload_dir", NULL);
	size_t off = 0;
	int fd, rc = -1;

	*created = 0;
	if (path_of(sha, dir, sizeof dir, file, sizeof file) != 0 ||
	    token_new(rnd, sizeof rnd, 12) != 0 ||
	    fmt(tmp, sizeof tmp, "%s/.tmp-%s", base, rnd) < 0)
		return -1;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		log_err("uploads: mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		log_err("uploads: open %s: %s", tmp, strerror(errno));
		return -1;
	}
	while (off < n) {
		ssize_t w = write(fd, p + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off == n && fsync(fd) == 0)
		rc = 0;
	if (close(fd) != 0)
		rc = -1;
	if (rc == 0) {
		if (link(tmp, file) == 0)
			*created = 1;
		else if (errno != EEXIST) {
			log_err("uploads: link %s: %s", file, strerror(errno));
			rc = -1;
		}
	}
	unlink(tmp);
	return rc;
}

int
h_upload_create(struct req *r)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	char sha[65], id[UPLOAD_ID_MAX], now[20], msg[160];
	const char *type;
	int created = 0, rc;
	long long max = upload_max_bytes();

	if (r->body_len == 0)
		return req_fail_field(r, "file", "请选择要上传的文件"), req_invalid(r);
	if ((long long)r->body_len > max) {
		fmt(msg, sizeof msg, "文件过大：每个文件不能超过 %lld MB，请压缩或分页后重新上传",
		    max / (1024 * 1024));
		return req_fail(r, 413, "TOO_LARGE", msg);
	}
	type = sniff((const unsigned char *)r->raw_body, r->body_len);
	if (type == NULL || !declared_ok(r->content_type, type))
		return req_fail(r, 415, "UNSUPPORTED_TYPE",
		    "只能上传 JPG、PNG 图片或 PDF 文件，请换一个文件");
	crypto_hash_sha256(digest, (const unsigned char *)r->raw_body, r->body_len);
	hex_encode(sha, digest, sizeof digest);
	if (token_new(id, sizeof id, 32) != 0)
		return req_bug(r, "token_new");
	if (store(sha, (const unsigned char *)r->raw_body, r->body_len, &created) != 0)
		return req_unavailable(r);
	case_now(now);
	rc = db_exec(r->ctx, "INSERT INTO uploads (id, sha256, type, size, owner_kind, owner, hall,"
	    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	    DBARGS(DBS(id), DBS(sha), DBS(type), DBI(r->body_len),
	    DBS(r->sess.role == ROLE_CITIZEN ? "citizen" : "staff"), DBS(r->sess.subject),
	    r->sess.role == ROLE_CITIZEN ? DBN : DBS(r->sess.hall), DBS(now)), NULL, NULL);
	if (rc != 0) {
		/* Nothing half-done: the file goes again unless an earlier upload had it. */
		if (created) {
			char dir[600], file[700];

			if (path_of(sha, dir, sizeof dir, file, sizeof file) == 0)
				unlink(file);
		}
		return db_fail(r, rc);
	}
	audit(r, "upload.create", id, "ok", type);
	return req_ok(r, 201, json_pack("{s:{s:s,s:s,s:s,s:I}}", "upload", "id", id, "sha256", sha,
	    "type", type, "size", (json_int_t)r->body_len));
}

struct up_row {
	char	 sha[65];
	char	 type[24];
	long long size;
	char	 owner_kind[12];
	char	 owner[48];
	int	 hall_ok;
};

static const struct db_col up_cols[] = {
	DBC_S(struct up_row, sha), DBC_S(struct up_row, type),
	DBC_I(struct up_row, size, 0, INT64_MAX), DBC_S(struct up_row, owner_kind),
	DBC_S(struct up_row, owner), DBC_B(struct up_row, hall_ok),
};

int
upload_info(struct ctx *c, const char *id, struct upload_info *out)
{
	struct up_row u;
	int rc;

	memset(out, 0, sizeof *out);
	memset(&u, 0, sizeof u);
	if (!token_ok(id, UPLOAD_ID_MAX - 1))
		return 0;
	rc = db_row_into(c, "SELECT sha256, type, size, owner_kind, owner, 0 FROM uploads"
	    " WHERE id = ?", DBARGS(DBS(id)), DB_COLS(up_cols), &u);
	if (rc < 0)
		return rc;
	out->found = rc;
	str_copy(out->owner_kind, sizeof out->owner_kind, u.owner_kind);
	str_copy(out->owner, sizeof out->owner, u.owner);
	str_copy(out->type, sizeof out->type, u.type);
	out->size = u.size;
	return 0;
}

static int
not_found(struct req *r)
{
	return req_fail(r, 404, "NOT_FOUND", "没有这个文件");
}

int
h_upload_get(struct req *r)
{
	const char *id = r->pathv[0];
	struct up_row u;
	char dir[600], file[700], disp[120];
	unsigned char buf[65536];
	int fd, rc, citizen = r->sess.role == ROLE_CITIZEN;
	ssize_t n;

	memset(&u, 0, sizeof u);
	if (!token_ok(id, UPLOAD_ID_MAX - 1))
		return not_found(r);
	rc = db_row_into(r->ctx, "SELECT u.sha256, u.type, u.size, u.owner_kind, u.owner,"
	    " (u.owner_kind = 'staff' AND u.hall = ?) OR EXISTS (SELECT 1 FROM online_materials om"
	    "  JOIN cases c ON c.id = om.case_id WHERE om.upload_id = u.id AND c.hall = ?)"
	    " FROM uploads u WHERE u.id = ?",
	    DBARGS(DBS(r->sess.hall), DBS(r->sess.hall), DBS(id)), DB_COLS(up_cols), &u);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return not_found(r);
	/* Someone else's file is as unknown as a file that does not exist. */
	if (citizen && (strcmp(u.owner_kind, "citizen") != 0 || strcmp(u.owner, r->sess.subject) != 0))
		return not_found(r);
	if (!citizen && !u.hall_ok) {
		audit(r, "upload.read", id, "forbidden", "");
		return not_found(r);
	}
	if (path_of(u.sha, dir, sizeof dir, file, sizeof file) != 0)
		return req_bug(r, "upload_dir is not set");
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		/* By the content name, never the id: an upload id is a credential. */
		log_err("uploads: file %.16s… missing: %s", u.sha, strerror(errno));
		return req_unavailable(r);
	}
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (buf_add(&r->raw_reply, buf, (size_t)n) != 0) {
			n = -1;
			break;
		}
	close(fd);
	if (n < 0) {
		r->raw_reply.len = 0;
		return req_bug(r, "upload read");
	}
	if (!citizen)
		audit(r, "upload.read", id, "ok", "");
	r->raw_type = strcmp(u.type, "image/jpeg") == 0 ? "image/jpeg" :
	    strcmp(u.type, "image/png") == 0 ? "image/png" : "application/pdf";
	fmt(disp, sizeof disp, "inline; filename=\"%.43s.%s\"", id,
	    strcmp(u.type, "image/jpeg") == 0 ? "jpg" : strcmp(u.type, "image/png") == 0 ? "png" : "pdf");
	req_header(r, "Content-Disposition", disp);
	req_header(r, "Cache-Control", "private, no-store");
	r->status = 200;
	return 200;
}
