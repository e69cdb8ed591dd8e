/* The store interface over the local disk: today's layout (store.c's
 * primitives) with objects as POSIX files under a blob_fd. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "blob.h"
#include "store.h"
#include "xmalloc.h"

struct local {
	struct store	 s;
	char		*dir;
};

struct local_obj {
	struct store_obj o;
	struct blob_fd	 f;
	char		*tmp;		/* path, until committed */
};

static struct store_obj *
wrap(int fd, char *tmp)
{
	struct local_obj *lo = xcalloc(1, sizeof(*lo));

	blob_fd_init(&lo->f, fd);
	lo->o.io = &lo->f.io;
	lo->o.tmp = lo->tmp = tmp;
	return &lo->o;
}

static struct store_obj *
local_tmp_open(struct store *s)
{
	struct store_obj *o;
	char *tmp;
	int fd;

	if ((fd = store_tmp_open(((struct local *)s)->dir, &tmp)) == -1)
		return NULL;
	o = wrap(fd, tmp);
	/* A new blob is written once, front to back: past the page cache
	 * (blob-fd.c says why); where O_DIRECT is refused, buffered. */
	(void)blob_fd_direct(&((struct local_obj *)o)->f);
	return o;
}

static int
local_commit(struct store *s, struct store_obj *o, const unsigned char id[16])
{
	struct local_obj *lo = (struct local_obj *)o;

	if (lo->tmp == NULL) {
		errno = EINVAL;
		return -1;
	}
	/* Gathered appends reach the file before it is named. */
	if (lo->f.direct != NULL && lo->f.io.sync(&lo->f.io) == -1)
		return -1;
	if (store_commit(((struct local *)s)->dir, lo->f.fd, lo->tmp,
	    id) == -1)
		return -1;
	free(lo->tmp);
	lo->o.tmp = lo->tmp = NULL;
	return 0;
}

static struct store_obj *
local_open(struct store *s, const unsigned char id[16], int writable)
{
	const char *dir = ((struct local *)s)->dir;
	int fd;

	fd = writable ? store_open_rw(dir, id) : store_open(dir, id);
	return fd == -1 ? NULL : wrap(fd, NULL);
}

static void
local_close(struct store *s, struct store_obj *o)
{
	struct local_obj *lo = (struct local_obj *)o;

	(void)s;
	if (lo == NULL)
		return;
	blob_fd_release(&lo->f);
	close(lo->f.fd);
	if (lo->tmp != NULL)
		(void)unlink(lo->tmp);
	free(lo->tmp);
	free(lo);
}

static int
local_unlink(struct store *s, const unsigned char id[16])
{
	return store_unlink(((struct local *)s)->dir, id);
}

static int
local_walk(struct store *s, enum store_area area, store_visit fn, void *arg)
{
	const char *dir = ((struct local *)s)->dir;

	return area == STORE_TMP ? store_walk_tmp(dir, fn, arg) :
	    store_walk_blobs(dir, fn, arg);
}

static void
local_free(struct store *s)
{
	if (s == NULL)
		return;
	free(((struct local *)s)->dir);
	free(s);
}

static const struct store_ops local_ops = {
	"local", local_tmp_open, local_commit, local_open, local_close,
	local_unlink, local_walk, local_free
};

struct store *
store_local_new(const char *data_dir)
{
	struct local *l = xcalloc(1, sizeof(*l));

	l->s.ops = &local_ops;
	l->dir = xstrdup(data_dir);
	return &l->s;
}
