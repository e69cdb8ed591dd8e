/* The put stream: bytes -> an encrypted temp blob -> durable under its
 * id -> the file's row (fs_file_commit).  Multipart uploads feed it
 * today; WebDAV PUT, resumable uploads and copies are its other
 * callers.  Plaintext never touches the disk, and until the commit
 * nothing is charged: an abort (or any failure) leaves nothing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "log.h"
#include "store.h"
#include "app.h"
#include "fs.h"

struct fs_put {
	struct app		*a;
	struct store		*st;
	struct store_obj	*obj;
	struct blob_writer	*bw;
	uint64_t		 limit;
};

/* The disk (or the filesystem quota of data_dir) is full: no space, not
 * an internal error. */
static enum fs_err
io_fail(const char *what, const char *why, int e)
{
	log_err("%s: %s: %s", what, why, strerror(e));
	return e == ENOSPC || e == EDQUOT ? FS_NO_SPACE : FS_INTERNAL;
}

enum fs_err
fs_put_begin(struct app *a, uint64_t limit, struct fs_put **out)
{
	struct fs_put *p = xcalloc(1, sizeof(*p));
	enum blob_err be;

	*out = NULL;
	p->a = a;
	p->st = fs_store(a);
	p->limit = limit;
	if ((p->obj = p->st->ops->tmp_open(p->st)) == NULL) {
		int e = errno;

		free(p);
		return io_fail("upload temp file", "open", e);
	}
	if ((p->bw = blob_writer_new_io(p->obj->io, &a->keyring, &be)) == NULL) {
		int e = errno;

		fs_put_abort(p);
		return be == BLOB_ERR_IO ? io_fail("blob writer",
		    blob_strerror(be), e) : io_fail("blob writer",
		    blob_strerror(be), 0);
	}
	*out = p;
	return FS_OK;
}

enum fs_err
fs_put_write(struct fs_put *p, const void *buf, size_t len)
{
	uint64_t n = blob_writer_size(p->bw) + len;
	enum blob_err be;

	/* Stop as soon as the bytes seen exceed what may be kept. */
	if (n > p->limit)
		return n > (uint64_t)p->a->conf.max_upload ? FS_TOO_LARGE :
		    FS_QUOTA;
	if ((be = blob_writer_write(p->bw, buf, len)) != BLOB_OK)
		return io_fail("blob write", blob_strerror(be),
		    be == BLOB_ERR_IO ? errno : 0);
	return FS_OK;
}

uint64_t
fs_put_size(const struct fs_put *p)
{
	return blob_writer_size(p->bw);
}

enum fs_err
fs_put_finish(struct fs_put *p, long long uid, const struct fs_commit *c,
    struct fs_file *out)
{
	unsigned char id[16];
	uint64_t size = 0;
	enum blob_err be;
	enum fs_err e;

	if ((be = blob_writer_finish(p->bw, &size)) != BLOB_OK) {
		e = io_fail("blob finish", blob_strerror(be),
		    be == BLOB_ERR_IO ? errno : 0);
		goto fail;
	}
	memcpy(id, blob_writer_id(p->bw), 16);
	/* Durable under its final name before any row names it. */
	if (p->st->ops->commit(p->st, p->obj, id) == -1) {
		e = io_fail("store commit", "commit", errno);
		goto fail;
	}
	if ((e = fs_file_commit(p->a, uid, c, size, id, out)) != FS_OK) {
		/* The row was not written: the blob must go. */
		if (p->st->ops->unlink(p->st, id) == -1)
			log_warn("unlink blob: %s (gc will retry)",
			    strerror(errno));
	}
fail:
	fs_put_abort(p);
	return e;
}

void
fs_put_abort(struct fs_put *p)
{
	if (p == NULL)
		return;
	blob_writer_free(p->bw);
	/* A temp object that was not committed is dropped with it. */
	if (p->obj)
		p->st->ops->close(p->st, p->obj);
	free(p);
}
