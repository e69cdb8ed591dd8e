/* Secret key files (SPEC §3, §5): made at init, 0600, read at start. */
#ifndef KEYS_H
#define KEYS_H
#include <stddef.h>

/* Read a secret file of min..max bytes that only its owner may read.
 * 0 ok, -1 (logged) otherwise. */
int	keys_read_secret(const char *path, unsigned char *buf, size_t min,
	    size_t max, size_t *len);
/* Create path with n very strong random bytes, mode 0600, O_EXCL.
 * 1 created, 0 already there, -1 error (errno). */
int	keys_create_secret(const char *path, size_t n);
#endif
