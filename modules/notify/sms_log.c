/*
 * sms_log.c — the local provider: one JSON line per message appended to config sms_log
 * (the stack sets var/<instance>/sms.log), for development and tests:
 *
 *   {"id":42,"phone":"13800138000","template":"login_code","params":{"code":"123456"},
 *    "text":"【一窗政务】您的登录验证码为123456，…"}
 *
 * WeChat rows without a configured wechat_base_url land here too, with "openid" instead of
 * "phone" and "channel":"wechat".  Each line is one write(2) on an O_APPEND descriptor, so
 * lines from several workers never interleave.  test/lib/http.h sms_log_find() reads it.
 * The file holds phone numbers in clear: it lives beside, not inside, var/<instance>/log/.
 */
#include "notify_sms.h"
#include "../../fcgi/config.h"
#include "../../fcgi/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
sms_log_send(const struct sms_out *m, const char *channel, struct send_result *res)
{
	const char *path = config_get("sms_log", "var/sms.log");
	int wechat = channel && strcmp(channel, "wechat") == 0;
	json_t *line;
	char *s;
	size_t n;
	ssize_t w;
	int fd;

	memset(res, 0, sizeof *res);
	line = json_pack("{s:I,s:s,s:s,s:O,s:s}", "id", (json_int_t)m->id,
	    wechat ? "openid" : "phone", m->to, "template", m->t->name, "params", m->params,
	    "text", m->r ? m->r->text : "");
	if (line && wechat)
		json_object_set_new(line, "channel", json_string("wechat"));
	s = line ? json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(line);
	if (s == NULL) {
		res->outcome = SEND_FAIL;
		str_copy(res->code, sizeof res->code, "LOG_ENCODE");
		return;
	}
	n = strlen(s);
	s[n] = '\n';	/* json_dumps' NUL becomes the newline; written as one piece */
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		log_err("cannot open sms_log %s: %s", path, strerror(errno));
		res->outcome = SEND_RETRY;
		res->unreachable = 1;
		str_copy(res->code, sizeof res->code, "LOG_OPEN");
		free(s);
		return;
	}
	w = write(fd, s, n + 1);
	close(fd);
	free(s);
	if (w != (ssize_t)(n + 1)) {
		res->outcome = SEND_RETRY;
		res->unreachable = 1;
		str_copy(res->code, sizeof res->code, "LOG_WRITE");
		return;
	}
	res->outcome = SEND_OK;
	fmt(res->msg_id, sizeof res->msg_id, "log-%llu", (unsigned long long)m->id);
}
