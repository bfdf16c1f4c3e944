/*
 * config.h — the key = value configuration file.
 *
 * One file per instance (ops/stack.sh writes var/<instance>/yichuang.conf).  Every key is
 * kept as text; modules read what they need through the typed getters, which take a default
 * and a range so a bad value is refused at start-up rather than misbehaving later.
 */
#ifndef YC_CONFIG_H
#define YC_CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_ENTRIES 160
#define CONFIG_MAX_KEY     64
#define CONFIG_MAX_VALUE   512

/* Load path into the process-wide configuration.  Returns 0, or -1 with a message on stderr. */
int         config_load(const char *path);
/* Parse text (for tests and fuzzing); same rules as config_load. */
int         config_load_text(const char *text, size_t len);
void        config_set(const char *key, const char *value);
const char *config_get(const char *key, const char *dflt);
long long   config_int(const char *key, long long dflt, long long min, long long max);
/* <public_base_url> (its trailing slashes dropped), then path, then arg: the absolute link a
 * message or a QR code carries.  "" when it does not fit osz. */
void        config_public_url(const char *path, const char *arg, char *out, size_t osz);

#endif
