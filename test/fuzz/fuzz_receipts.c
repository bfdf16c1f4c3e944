/*
 * fuzz_receipts.c — libFuzzer target for the SMS delivery-receipt parsers
 * (sms_receipts_each in modules/notify/notify_api.c): Aliyun SmsReport and Tencent status
 * callback bodies, exactly as the providers POST them.  The first byte picks the provider
 * (even: Aliyun, odd: Tencent); the rest is the body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../modules/notify/notify.h"

static int
check(const struct sms_receipt *rc, void *arg)
{
	int *n = arg;

	/* What the handler stores: bounded, NUL-terminated, status always set. */
	if (rc->msg_key && strlen(rc->msg_key) >= sizeof rc->b_key)
		abort();
	if (rc->out_id && strlen(rc->out_id) >= sizeof rc->b_out)
		abort();
	if (rc->reported && strlen(rc->reported) != 19)
		abort();
	if (strncmp(rc->status, "DELIVERED", 9) != 0 && strncmp(rc->status, "FAILED:", 7) != 0)
		abort();
	if (++*n > 1000)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int n = 0, rc;

	if (size < 1)
		return 0;
	rc = sms_receipts_each(data[0] & 1 ? PROV_TENCENT : PROV_ALIYUN,
	    (const char *)data + 1, size - 1, check, &n);
	if (rc != 0 && rc != 1)
		abort();
	return 0;
}
