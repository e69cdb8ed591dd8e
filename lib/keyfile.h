/* Key files: the KEKs and the JWT secret, one set of guarantees for all.
 *
 *   create: O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600 (fchmod, whatever the
 *           umask), GCRY_VERY_STRONG_RANDOM bytes, fsync of the file and
 *           of its directory; never overwrites; on failure nothing is
 *           left behind.
 *   read:   O_NOFOLLOW (a symlink is refused: ELOOP), a regular file
 *           that only its owner may access, of an expected length, read
 *           whole; the buffer is wiped on failure.
 *
 * libgcrypt must be initialised first. */
#ifndef KEYFILE_H
#define KEYFILE_H
#include <stddef.h>
#include <stdint.h>

struct blob_kek;

/* A new key file of n random bytes (n <= 64).  0, or -1 with errno
 * (EEXIST: it exists and was left alone). */
int	keyfile_create(const char *path, size_t n);
/* Read a key file of min..max bytes into buf; its length in *len.  0,
 * or -1 with errno: EPERM (group or other bits set), EINVAL (not a
 * regular file, or a length out of range), ELOOP (a symlink). */
int	keyfile_read(const char *path, unsigned char *buf, size_t min,
	    size_t max, size_t *len);
/* A KEK file (exactly 32 bytes) into *out, with id. */
int	keyfile_kek_load(const char *path, uint32_t id, struct blob_kek *out);
#endif
