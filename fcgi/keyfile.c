/*
 * keyfile.c — reading the instance key (see keyfile.h).
 */
#include "keyfile.h"

#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

int
keyfile_read_text(const char *path, unsigned char *out, size_t osz, size_t *n)
{
	int fd;
	ssize_t r = 0;

	*n = 0;
	if (path == NULL || *path == '\0' || osz == 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while (*n < osz && (r = read(fd, out + *n, osz - *n)) > 0)
		*n += (size_t)r;
	close(fd);
	if (r < 0 || *n == osz) {
		sodium_memzero(out, osz);	/* unreadable, or larger than it may be */
		*n = 0;
		return -1;
	}
	return 0;
}

int
keyfile_load(const char *path, unsigned char key[KEYFILE_BYTES])
{
	unsigned char text[KEYFILE_MAX];
	size_t n = 0, line, bin = 0;
	int rc = KEYFILE_BAD;

	if (keyfile_read_text(path, text, sizeof text, &n) != 0)
		return KEYFILE_UNREADABLE;
	for (line = 0; line < n && text[line] != '\n' && text[line] != '\r'; line++)
		;
	if (sodium_hex2bin(key, KEYFILE_BYTES, (const char *)text, line, NULL, &bin, NULL) == 0 &&
	    bin == KEYFILE_BYTES)
		rc = KEYFILE_OK;
	else
		sodium_memzero(key, KEYFILE_BYTES);
	sodium_memzero(text, sizeof text);
	return rc;
}
