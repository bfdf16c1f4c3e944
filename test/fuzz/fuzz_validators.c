/*
 * fuzz_validators.c — libFuzzer target for the personal-data validators and maskers and
 * the UTF-8 checks every string input goes through.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../fcgi/util.h"
#include "../../modules/shared/pii.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), out[256];

	memcpy(s, data, size);
	s[size] = '\0';
	(void)utf8_ok(s, size);
	if (utf8_ok(s, strlen(s))) {
		(void)utf8_len(s, strlen(s));
		mask_name(s, out, sizeof out);
		mask_name(s, out, 3);
	}
	(void)idnum_ok(s);
	(void)phone_ok(s);
	mask_phone(s, out, sizeof out);
	mask_id(s, out, sizeof out);
	(void)token_ok(s, 64);
	free(s);
	return 0;
}
