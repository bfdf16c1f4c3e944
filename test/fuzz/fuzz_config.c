/*
 * fuzz_config.c — libFuzzer target for the configuration parser.
 */
#include <stdint.h>
#include <stddef.h>

#include "../../fcgi/config.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)config_load_text((const char *)data, size);
	(void)config_int("app_threads", 8, 1, 256);
	return 0;
}
