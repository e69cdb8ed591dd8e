/* The one verified blob open: every reader of a file's bytes (downloads,
 * links, ZIP, copy, tcloudctl fsck) goes through here, so a wrong key,
 * a swapped blob or a truncated one is refused the same way everywhere
 * before a byte is released (SPEC §5). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "store.h"
#include "app.h"
#include "fs.h"

struct fs_reader {
	struct store		*st;
	struct store_obj	*obj;
	struct blob_reader	*br;
};

enum fs_err
fs_open(struct app *a, const struct fs_file *f, struct fs_reader **out,
    const char **why)
{
	struct fs_reader *rd = xcalloc(1, sizeof(*rd));
	enum blob_err be;

	*out = NULL;
	rd->st = fs_store(a);
	if ((rd->obj = rd->st->ops->open(rd->st, f->blob, 0)) == NULL) {
		*why = errno == ENOENT ? "blob missing" : "blob does not open";
		free(rd);
		return FS_INTERNAL;
	}
	/* Header, id and length against the row, DEK unwrap, last tag. */
	if ((rd->br = blob_reader_open_io(rd->obj->io, &a->keyring, f->blob,
	    f->size, &be)) == NULL) {
		*why = blob_strerror(be);
		fs_close(rd);
		return FS_INTERNAL;
	}
	*out = rd;
	return FS_OK;
}

enum fs_err
fs_read(struct fs_reader *rd, uint64_t off, uint64_t len, fs_sink sink,
    void *arg, const char **why)
{
	enum blob_err be;

	if ((be = blob_reader_read(rd->br, off, len, sink, arg)) == BLOB_OK)
		return FS_OK;
	*why = blob_strerror(be);
	return FS_INTERNAL;
}

enum fs_err
fs_verify(struct fs_reader *rd, unsigned *bad_slots, const char **why)
{
	enum blob_err be;

	be = blob_reader_verify_all(rd->br);
	*bad_slots = blob_reader_bad_slots(rd->br);
	if (be == BLOB_OK)
		return FS_OK;
	*why = blob_strerror(be);
	return FS_INTERNAL;
}

void
fs_close(struct fs_reader *rd)
{
	if (rd == NULL)
		return;
	blob_reader_free(rd->br);
	if (rd->obj)
		rd->st->ops->close(rd->st, rd->obj);
	free(rd);
}
