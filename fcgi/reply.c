/*
 * reply.c — one place renders every reply and every error in the API's shape:
 *   {"error":{"code":"SLOT_FULL","message":"该时段已约满","fields":{...}}}
 * Handlers only say what went wrong (req_fail and friends) and return the status.
 */
#include "yc.h"
#include "log.h"

#include <fcgiapp.h>
#include <string.h>

static const char *
status_text(int s)
{
	switch (s) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 423: return "Locked";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

int
req_fail(struct req *r, int status, const char *code, const char *msg)
{
	r->status = status;
	r->err_code = code;
	str_copy(r->err_msg, sizeof r->err_msg, msg);
	return status;
}

int
req_fail_field(struct req *r, const char *field, const char *msg)
{
	/* The error is recorded whatever the text: a field name or message that is not UTF-8
	 * (a bug upstream) would make jansson drop it, and a request with no field error
	 * recorded would go on as if its input were good. */
	if (!utf8_ok(field, strlen(field)))
		field = "input";
	if (!utf8_ok(msg, strlen(msg)))
		msg = "输入有误";
	if (r->err_fields == NULL)
		r->err_fields = json_object();
	if (json_object_get(r->err_fields, field) == NULL)
		json_object_set_new(r->err_fields, field, json_string(msg));
	return -1;
}

int
in_has_errors(const struct req *r)
{
	return r->err_fields != NULL && json_object_size(r->err_fields) > 0;
}

int
req_invalid(struct req *r)
{
	return req_fail(r, 400, "INVALID_INPUT", "输入有误，请检查标出的项目");
}

int
req_unavailable(struct req *r)
{
	req_header(r, "Retry-After", "5");
	return req_fail(r, 503, "UNAVAILABLE", "服务暂时不可用，请稍后再试");
}

int
req_bug(struct req *r, const char *what)
{
	log_err("%s %s: %s (rid %s)", r->method_str, r->route ? r->route->pattern : r->path, what,
	    r->rid);
	return req_fail(r, 500, "INTERNAL", "系统内部错误，请稍后再试");
}

int
req_ok(struct req *r, int status, json_t *body)
{
	json_decref(r->reply);
	r->reply = body;
	r->status = status;
	r->err_code = NULL;
	return status;
}

void
req_header(struct req *r, const char *name, const char *value)
{
	/* Header values come from code, never from request input; still refuse CR/LF. */
	if (strpbrk(name, "\r\n") || strpbrk(value, "\r\n"))
		return;
	buf_addf(&r->headers, "%s: %s\r\n", name, value);
}

int
reply_render(struct req *r, struct buf *out)
{
	char *json = NULL;
	const char *type = "application/json; charset=utf-8";
	const char *body = NULL;
	size_t blen = 0;
	int status = r->status ? r->status : 500;

	if (r->err_code != NULL) {
		json_t *e = json_object(), *top = json_object();

		json_object_set_new(e, "code", json_string(r->err_code));
		json_object_set_new(e, "message", json_string(r->err_msg));
		if (r->err_fields && json_object_size(r->err_fields) > 0)
			json_object_set(e, "fields", r->err_fields);
		if (r->err_extra)
			json_object_update(e, r->err_extra);
		json_object_set_new(top, "error", e);
		json = json_dumps(top, JSON_COMPACT);
		json_decref(top);
	} else if (r->reply != NULL) {
		json = json_dumps(r->reply, JSON_COMPACT);
	} else if (r->raw_reply.len > 0 || r->raw_type) {
		body = r->raw_reply.data ? r->raw_reply.data : "";
		blen = r->raw_reply.len;
		type = r->raw_type ? r->raw_type : "application/octet-stream";
	}
	if (json) {
		body = json;
		blen = strlen(json);
	}
	if (status == 204 || status == 304) {
		body = NULL;
		blen = 0;
	}
	buf_addf(out, "Status: %d %s\r\n", status, status_text(status));
	if (body)
		buf_addf(out, "Content-Type: %s\r\nContent-Length: %zu\r\n", type, blen);
	if (r->rid[0])
		buf_addf(out, "X-Request-Id: %s\r\n", r->rid);
	if (r->headers.len)
		buf_add(out, r->headers.data, r->headers.len);
	if (r->headers.len == 0 || strstr(r->headers.data, "Cache-Control:") == NULL)
		buf_adds(out, "Cache-Control: no-store\r\n");
	buf_adds(out, "\r\n");
	/* HEAD: the GET's head, Content-Length included, without its body. */
	if (body && r->method != M_HEAD)
		buf_add(out, body, blen);
	free(json);
	return out->overflow ? -1 : 0;
}

void
reply_send(struct req *r)
{
	struct buf out;

	buf_init(&out, 20 * 1024 * 1024);
	if (r->err_code && r->status >= 500)
		log_warn("%s %s -> %d %s (rid %s)", r->method_str,
		    r->route ? r->route->pattern : "-", r->status, r->err_code, r->rid);
	if (reply_render(r, &out) == 0 && r->fx)
		FCGX_PutStr(out.data, (int)out.len, ((FCGX_Request *)r->fx)->out);
	buf_free(&out);
}
