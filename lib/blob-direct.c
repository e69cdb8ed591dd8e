/* Appends to a new file with O_DIRECT, the disk written while the
 * caller goes on (lib/blob-direct.h says why).
 *
 * Two aligned 1 MiB buffers: the caller fills one while a thread
 * writes the other.  A full buffer is handed over only when the thread
 * is idle, so at most one write is in flight and the caller waits only
 * when the disk is slower than it.  An error of the thread's write is
 * returned by the caller's next call. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blob-direct.h"

#define BUF_LEN		((size_t)1 << 20)
#define DIRECT_ALIGN	4096	/* covers every logical block size */

struct blob_direct {
	int		 fd;
	unsigned char	*buf[2];
	int		 cur;		/* the buffer being filled */
	size_t		 len;		/* bytes in it */
	uint64_t	 off;		/* its file offset */

	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 busy;		/* a write is handed over */
	int		 quit;
	int		 err;		/* errno of a failed write, sticky */
	const unsigned char *job;
	size_t		 job_len;
	uint64_t	 job_off;
};

int
blob_pwrite_all(int fd, const void *buf, size_t n, uint64_t off)
{
	const unsigned char *p = buf;
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

/* Aligned bytes at an aligned offset; a file system that refuses them
 * (EINVAL) gets them, and everything after, through the page cache. */
static int
write_aligned(int fd, const unsigned char *p, size_t n, uint64_t off)
{
	if (blob_pwrite_all(fd, p, n, off) == 0)
		return 0;
	if (errno != EINVAL || set_direct(fd, 0) == -1)
		return -1;
	return blob_pwrite_all(fd, p, n, off);
}

static void *
writer(void *arg)
{
	struct blob_direct *d = arg;
	int rc, e;

	pthread_mutex_lock(&d->mu);
	for (;;) {
		while (!d->busy && !d->quit)
			pthread_cond_wait(&d->cv, &d->mu);
		if (!d->busy)
			break;
		pthread_mutex_unlock(&d->mu);
		rc = write_aligned(d->fd, d->job, d->job_len, d->job_off);
		e = errno;
		pthread_mutex_lock(&d->mu);
		if (rc == -1 && d->err == 0)
			d->err = e ? e : EIO;
		d->busy = 0;
		pthread_cond_broadcast(&d->cv);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

/* Wait until no write is in flight; -1 with errno if one failed. */
static int
idle(struct blob_direct *d)
{
	int e;

	pthread_mutex_lock(&d->mu);
	while (d->busy)
		pthread_cond_wait(&d->cv, &d->mu);
	e = d->err;
	pthread_mutex_unlock(&d->mu);
	if (e != 0) {
		errno = e;
		return -1;
	}
	return 0;
}

struct blob_direct *
blob_direct_new(int fd)
{
	struct blob_direct *d;
	void *a = NULL, *b = NULL;
	sigset_t all, old;
	int e;

	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    posix_memalign(&a, DIRECT_ALIGN, BUF_LEN) != 0 ||
	    posix_memalign(&b, DIRECT_ALIGN, BUF_LEN) != 0) {
		free(a);
		free(d);
		errno = ENOMEM;
		return NULL;
	}
	d->fd = fd;
	d->buf[0] = a;
	d->buf[1] = b;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	/* The thread takes no signal: the worker's handlers (graceful stop,
	 * deadlines) must run on, and interrupt, the request's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (set_direct(fd, 1) == 0)
		e = pthread_create(&d->thread, NULL, writer, d);
	else
		e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		(void)set_direct(fd, 0);
		pthread_cond_destroy(&d->cv);
		pthread_mutex_destroy(&d->mu);
		free(a);
		free(b);
		free(d);
		errno = e;
		return NULL;
	}
	return d;
}

uint64_t
blob_direct_end(const struct blob_direct *d)
{
	return d->off + d->len;
}

int
blob_direct_append(struct blob_direct *d, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	size_t take;

	while (n > 0) {
		take = BUF_LEN - d->len;
		if (take > n)
			take = n;
		memcpy(d->buf[d->cur] + d->len, p, take);
		d->len += take;
		p += take;
		n -= take;
		if (d->len < BUF_LEN)
			continue;
		/* The other buffer is free once the thread is idle. */
		if (idle(d) == -1)
			return -1;
		pthread_mutex_lock(&d->mu);
		d->job = d->buf[d->cur];
		d->job_len = BUF_LEN;
		d->job_off = d->off;
		d->busy = 1;
		pthread_cond_broadcast(&d->cv);
		pthread_mutex_unlock(&d->mu);
		d->cur ^= 1;
		d->off += BUF_LEN;
		d->len = 0;
	}
	return 0;
}

int
blob_direct_patch(struct blob_direct *d, const void *buf, size_t n,
    uint64_t off)
{
	if (off < d->off || off > d->off + d->len || n > d->off + d->len - off)
		return 0;
	memcpy(d->buf[d->cur] + (off - d->off), buf, n);
	return 1;
}

void
blob_direct_free(struct blob_direct *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	d->quit = 1;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->thread, NULL);	/* after any write in flight */
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
	free(d->buf[0]);
	free(d->buf[1]);
	free(d);
}

int
blob_direct_finish(struct blob_direct *d)
{
	size_t aligned = d->len & ~(size_t)(DIRECT_ALIGN - 1);
	int rc = -1, e;

	if (idle(d) == -1)
		goto out;
	if (aligned > 0 &&
	    write_aligned(d->fd, d->buf[d->cur], aligned, d->off) == -1)
		goto out;
	if (set_direct(d->fd, 0) == -1 ||
	    blob_pwrite_all(d->fd, d->buf[d->cur] + aligned, d->len - aligned,
	    d->off + aligned) == -1)
		goto out;
	rc = 0;
out:
	e = errno;
	blob_direct_free(d);
	errno = e;
	return rc;
}
