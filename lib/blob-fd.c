/* A POSIX file as a struct blob_io: the I/O that blob.c once made on a
 * bare fd.  EINTR and short transfers are retried here. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "blob.h"

/* Start writeback each 8 MiB, so that the final fdatasync waits for
 * the tail only (durability is unchanged: that fdatasync decides). */
#define WRITEBACK_BYTES	((uint64_t)128 * BLOB_SEG_DISK)

static int
fd_pread(struct blob_io *io, void *buf, size_t n, uint64_t off)
{
	struct blob_fd *f = (struct blob_fd *)io;
	unsigned char *p = buf;
	ssize_t r;

	while (n > 0) {
		if ((r = pread(f->fd, p, n, (off_t)off)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return -2;
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

static int
fd_pwrite(struct blob_io *io, const void *buf, size_t n, uint64_t off)
{
	struct blob_fd *f = (struct blob_fd *)io;
	const unsigned char *p = buf;
	ssize_t w;

	if (f->unsynced == 0)
		f->kick_off = off;
	while (n > 0) {
		if ((w = pwrite(f->fd, p, n, (off_t)off)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
		f->unsynced += (uint64_t)w;
	}
#ifdef SYNC_FILE_RANGE_WRITE
	if (f->unsynced >= WRITEBACK_BYTES) {
		(void)sync_file_range(f->fd, (off_t)f->kick_off,
		    (off_t)f->unsynced, SYNC_FILE_RANGE_WRITE);
		f->unsynced = 0;
	}
#endif
	return 0;
}

static int
fd_size(struct blob_io *io, uint64_t *size)
{
	struct blob_fd *f = (struct blob_fd *)io;
	struct stat st;

	if (fstat(f->fd, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode) || st.st_size < 0) {
		errno = EINVAL;
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

static int
fd_truncate(struct blob_io *io, uint64_t size)
{
	return ftruncate(((struct blob_fd *)io)->fd, (off_t)size);
}

static int
fd_sync(struct blob_io *io)
{
	struct blob_fd *f = (struct blob_fd *)io;

	f->unsynced = 0;
	return fdatasync(f->fd);
}

void
blob_fd_init(struct blob_fd *f, int fd)
{
	f->io.pread = fd_pread;
	f->io.pwrite = fd_pwrite;
	f->io.size = fd_size;
	f->io.truncate = fd_truncate;
	f->io.sync = fd_sync;
	f->fd = fd;
	f->unsynced = 0;
	f->kick_off = 0;
}
