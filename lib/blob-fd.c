/* A POSIX file as a struct blob_io: the I/O that blob.c once made on a
 * bare fd.  EINTR and short transfers are retried here.
 *
 * Direct mode (blob_fd_direct, for a new blob): appends go to the disk
 * past the page cache through lib/blob-direct.c.  Anything but an
 * append (the plaintext length patched into the header at the end, a
 * read, a truncate, sync) first writes out what is gathered and leaves
 * direct mode, so the rest is ordinary buffered I/O and sync is still
 * fdatasync. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "blob-direct.h"
#include "blob.h"

/* Start writeback each 8 MiB, so that the final fdatasync waits for
 * the tail only (durability is unchanged: that fdatasync decides). */
#define WRITEBACK_BYTES	((uint64_t)128 * BLOB_SEG_DISK)

/* Write out what direct mode gathered and leave it (no-op outside it). */
static int
leave_direct(struct blob_fd *f)
{
	struct blob_direct *d = f->direct;

	if (d == NULL)
		return 0;
	f->direct = NULL;
	return blob_direct_finish(d);
}

static int
fd_pread(struct blob_io *io, void *buf, size_t n, uint64_t off)
{
	struct blob_fd *f = (struct blob_fd *)io;
	unsigned char *p = buf;
	ssize_t r;

	if (leave_direct(f) == -1)
		return -1;
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

	if (f->direct != NULL) {
		if (off == blob_direct_end(f->direct))
			return blob_direct_append(f->direct, buf, n);
		if (blob_direct_patch(f->direct, buf, n, off))
			return 0;
		if (leave_direct(f) == -1)
			return -1;
	}
	if (f->unsynced == 0)
		f->kick_off = off;
	if (blob_pwrite_all(f->fd, buf, n, off) == -1)
		return -1;
	f->unsynced += n;
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

	if (leave_direct(f) == -1)
		return -1;
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
	struct blob_fd *f = (struct blob_fd *)io;

	/* The writer's truncate(0) on a new file leaves direct mode on. */
	if (f->direct != NULL && (size != 0 || blob_direct_end(f->direct) != 0) &&
	    leave_direct(f) == -1)
		return -1;
	return ftruncate(f->fd, (off_t)size);
}

static int
fd_sync(struct blob_io *io)
{
	struct blob_fd *f = (struct blob_fd *)io;

	if (leave_direct(f) == -1)
		return -1;
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
	f->direct = NULL;
}

int
blob_fd_direct(struct blob_fd *f)
{
	struct stat st;

	/* Appends start at offset 0: an empty file only. */
	if (fstat(f->fd, &st) == -1 || st.st_size != 0 || f->direct != NULL) {
		errno = EINVAL;
		return -1;
	}
	return (f->direct = blob_direct_new(f->fd)) == NULL ? -1 : 0;
}

void
blob_fd_release(struct blob_fd *f)
{
	blob_direct_free(f->direct);
	f->direct = NULL;
}
