/*
 * fuzz_tmpl.c — libFuzzer target for SMS templates (modules/notify/notify_tmpl.c): parsing a
 * template file, then rendering it for every provider (log, Aliyun, Tencent) and as a
 * WeChat subscribe message, with fuzzed parameters.
 * Input: the template file's text, then a line "%%", then the parameters as a JSON object.
 * Without the "%%" line the whole input is the template and the parameters are {}.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../modules/notify/notify.h"

static const char SEP[] = "\n%%\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *sep;
	size_t tlen = size;
	json_t *params = NULL, *wx;
	struct tmpl *t = malloc(sizeof *t);
	struct rendered out;
	char err[128];
	int p;

	if (t == NULL)
		return 0;
	sep = memmem(data, size, SEP, sizeof SEP - 1);
	if (sep) {
		tlen = (size_t)(sep - text);
		params = json_loadb(sep + sizeof SEP - 1, size - tlen - (sizeof SEP - 1),
		    JSON_DECODE_ANY, NULL);
	}
	if (params == NULL)
		params = json_object();
	memset(t, 0, sizeof *t);
	if (tmpl_parse(text, tlen, t, err, sizeof err) == 0) {
		for (p = PROV_LOG; p <= PROV_TENCENT; p++) {
			if (tmpl_render(t, params, (enum provider)p, "一窗政务", &out) == 0) {
				/* A rendered text is bounded and counted. */
				if (strlen(out.text) >= sizeof out.text || out.segments < 1)
					abort();
			}
			rendered_free(&out);
		}
		wx = tmpl_wechat_data(t, params, err, sizeof err);
		json_decref(wx);
	}
	(void)sms_segments(tlen);
	json_decref(params);
	free(t);
	return 0;
}
