/* A POSIX file as a struct blob_io: the I/O that blob.c once made on a
 * bare fd.  EINTR and short transfers are retried here.
 *
 * Direct mode (blob_fd_direct, for a new blob): appends gather in a
 * 1 MiB aligned buffer and go to the disk with O_DIRECT, past the page
 * cache.  On this platform's VMs a buffered write of 512 MiB plus its
 * writeback costs ~2 s of kernel CPU in the writer, a direct one ~0.2 s:
 * that CPU was what capped uploads.  Anything but an append (the
 * plaintext length patched into the header at the end, a read, a
 * truncate, sync) first writes out what is gathered and drops O_DIRECT,
 * so the rest is ordinary buffered I/O and sync is still fdatasync. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blob.h"

/* Start writeback each 8 MiB, so that the final fdatasync waits for
 * the tail only (durability is unchanged: that fdatasync decides). */
#define WRITEBACK_BYTES	((uint64_t)128 * BLOB_SEG_DISK)
#define STAGE_LEN	((size_t)1 << 20)
#define DIRECT_ALIGN	4096	/* covers every logical block size */

static int
pwrite_all(int fd, const unsigned char *p, size_t n, uint64_t off)
{
	ssize_t w;

	while (n > 0) {
		if ((w = pwrite(fd, p, n, (off_t)off)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

static int
set_direct(int fd, int on)
{
#ifdef O_DIRECT
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1)
		return -1;
	return fcntl(fd, F_SETFL, on ? fl | O_DIRECT : fl & ~O_DIRECT);
#else
	(void)fd;
	errno = on ? EINVAL : 0;
	return on ? -1 : 0;
#endif
}

/* n aligned bytes at an aligned offset; a file system that refuses
 * (EINVAL) gets them, and everything after, through the page cache. */
static int
direct_write(struct blob_fd *f, size_t n)
{
	if (pwrite_all(f->fd, f->stage, n, f->stage_off) == 0)
		return 0;
	if (errno != EINVAL || set_direct(f->fd, 0) == -1)
		return -1;
	return pwrite_all(f->fd, f->stage, n, f->stage_off);
}

/* Write out what is gathered and leave direct mode. */
static int
leave_direct(struct blob_fd *f)
{
	size_t aligned = f->stage_len & ~(size_t)(DIRECT_ALIGN - 1);
	int rc = -1;

	if (aligned > 0 && direct_write(f, aligned) == -1)
		goto out;
	if (set_direct(f->fd, 0) == -1 ||
	    pwrite_all(f->fd, f->stage + aligned, f->stage_len - aligned,
	    f->stage_off + aligned) == -1)
		goto out;
	rc = 0;
out:
	free(f->stage);
	f->stage = NULL;
	return rc;
}

static int
stage_append(struct blob_fd *f, const unsigned char *p, size_t n)
{
	size_t take;

	while (n > 0) {
		take = STAGE_LEN - f->stage_len;
		if (take > n)
			take = n;
		memcpy(f->stage + f->stage_len, p, take);
		f->stage_len += take;
		p += take;
		n -= take;
		if (f->stage_len == STAGE_LEN) {
			if (direct_write(f, STAGE_LEN) == -1)
				return -1;
			f->stage_off += STAGE_LEN;
			f->stage_len = 0;
		}
	}
	return 0;
}

static int
fd_pread(struct blob_io *io, void *buf, size_t n, uint64_t off)
{
	struct blob_fd *f = (struct blob_fd *)io;
	unsigned char *p = buf;
	ssize_t r;

	if (f->stage != NULL && leave_direct(f) == -1)
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
	uint64_t end;

	if (f->stage != NULL) {
		end = f->stage_off + f->stage_len;
		if (off == end)
			return stage_append(f, buf, n);
		if (off >= f->stage_off && n <= end - off) {
			memcpy(f->stage + (off - f->stage_off), buf, n);
			return 0;
		}
		if (leave_direct(f) == -1)
			return -1;
	}
	if (f->unsynced == 0)
		f->kick_off = off;
	if (pwrite_all(f->fd, buf, n, off) == -1)
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

	if (f->stage != NULL && leave_direct(f) == -1)
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
	if (f->stage != NULL && (size != 0 || f->stage_off != 0 || f->stage_len != 0) &&
	    leave_direct(f) == -1)
		return -1;
	return ftruncate(f->fd, (off_t)size);
}

static int
fd_sync(struct blob_io *io)
{
	struct blob_fd *f = (struct blob_fd *)io;

	if (f->stage != NULL && leave_direct(f) == -1)
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
	f->stage = NULL;
	f->stage_off = 0;
	f->stage_len = 0;
}

int
blob_fd_direct(struct blob_fd *f)
{
	struct stat st;
	void *p;

	/* Gathering starts at offset 0: an empty file only. */
	if (fstat(f->fd, &st) == -1 || st.st_size != 0 || f->stage != NULL) {
		errno = EINVAL;
		return -1;
	}
	if (posix_memalign(&p, DIRECT_ALIGN, STAGE_LEN) != 0) {
		errno = ENOMEM;
		return -1;
	}
	if (set_direct(f->fd, 1) == -1) {
		free(p);
		return -1;
	}
	f->stage = p;
	f->stage_off = 0;
	f->stage_len = 0;
	return 0;
}

void
blob_fd_release(struct blob_fd *f)
{
	free(f->stage);
	f->stage = NULL;
}
