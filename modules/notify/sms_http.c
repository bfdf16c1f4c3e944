/*
 * sms_http.c — how the notification channels use the runtime's HTTP client
 * (fcgi/http_client.h): their timeout (config sms_timeout_ms, default 5000; the connection
 * at most 2 s of it) and reply cap (256 KiB), and the real-UTC times their signatures need
 * (see notify_sms.h).
 *
 * utc_iso8601 stays here rather than in fcgi/clock.h: clock.h formats the hall's clock in
 * its own zone, while a provider checks a signature's time against the real UTC clock.
 */
#include "notify_sms.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/log.h"

#include <string.h>
#include <time.h>

#define REPLY_MAX (256 * 1024)

int
sms_http_post(const char *url, const char *const *headers, const char *body, size_t len,
    struct http_reply *reply)
{
	struct http_call call = {
		.url = url, .headers = headers, .body = body, .len = len,
		.timeout_ms = (long)config_int("sms_timeout_ms", 5000, 100, 120000),
		.connect_ms = 2000, .max_reply = REPLY_MAX,
	};

	return http_request(&call, reply) == HTTP_OK ? 0 : -1;
}

void
sms_no_reply(const char *who, const struct http_reply *rep, struct send_result *res)
{
	res->outcome = SEND_RETRY;
	res->unreachable = 1;
	str_copy(res->code, sizeof res->code, "NETWORK");
	log_warn("%s: %s", who, rep->reason);
}

void
sms_unreadable(long status, struct send_result *res)
{
	res->outcome = status >= 200 && status < 300 ? SEND_RETRY : SEND_FAIL;
	fmt(res->code, sizeof res->code, "HTTP_%ld", status);
}

void
sms_busy(long status, struct send_result *res)
{
	res->outcome = SEND_RETRY;
	res->unreachable = status >= 500;
	fmt(res->code, sizeof res->code, "HTTP_%ld", status);
}

void
sms_sent(const char *msg_id, struct send_result *res)
{
	res->outcome = SEND_OK;
	str_copy(res->msg_id, sizeof res->msg_id, msg_id ? msg_id : "");
}

void
sms_refused(const char *code, int transient, struct send_result *res)
{
	res->outcome = transient ? SEND_RETRY : SEND_FAIL;
	str_copy(res->code, sizeof res->code, code);
}

void
utc_iso8601(int64_t t, char *out, size_t osz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, osz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
utc_date(int64_t t, char *out, size_t osz)
{
	date_format_days(t >= 0 ? t / 86400 : (t - 86399) / 86400, out, osz);
}
