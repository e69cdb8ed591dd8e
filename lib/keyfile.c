/* Key files (contract in keyfile.h).  One place, so that the JWT secret
 * and the KEKs cannot drift apart in how they are created or trusted. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>

#include "blob.h"
#include "keyfile.h"
#include "xmalloc.h"

/* The new name is durable only once its directory is. */
static int
fsync_parent(const char *path)
{
	char *copy = xstrdup(path);
	int fd, rc = -1;

	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) !=
	    -1) {
		rc = fsync(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

static int
write_all(int fd, const unsigned char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
keyfile_create(const char *path, size_t n)
{
	unsigned char key[64];
	int fd, saved;

	if (n == 0 || n > sizeof(key)) {
		errno = EINVAL;
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1)
		return -1;
	gcry_randomize(key, n, GCRY_VERY_STRONG_RANDOM);
	if (fchmod(fd, 0600) == -1 || write_all(fd, key, n) == -1 ||
	    fsync(fd) == -1)
		goto fail;
	explicit_bzero(key, sizeof(key));
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	if (fsync_parent(path) == -1) {
		saved = errno;
		unlink(path);
		errno = saved;
		return -1;
	}
	return 0;
fail:
	saved = errno;
	explicit_bzero(key, sizeof(key));
	if (fd != -1)
		close(fd);
	unlink(path);
	errno = saved;
	return -1;
}

int
keyfile_read(const char *path, unsigned char *buf, size_t min, size_t max,
    size_t *len)
{
	struct stat st;
	size_t got = 0;
	ssize_t r;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY)) ==
	    -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (st.st_mode & 077) {
		errno = EPERM;
		goto fail;
	}
	if (st.st_size < 0 || (size_t)st.st_size < min ||
	    (size_t)st.st_size > max) {
		errno = EINVAL;
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		if ((r = read(fd, buf + got, (size_t)st.st_size - got)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0) {
			errno = EINVAL;	/* shrank under us */
			goto fail;
		}
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return 0;
fail:
	saved = errno;
	explicit_bzero(buf, max);
	close(fd);
	errno = saved;
	return -1;
}

int
keyfile_kek_load(const char *path, uint32_t id, struct blob_kek *out)
{
	size_t len;

	if (keyfile_read(path, out->key, sizeof(out->key), sizeof(out->key),
	    &len) == -1)
		return -1;
	out->id = id;
	return 0;
}
