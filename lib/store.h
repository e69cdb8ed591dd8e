/* The blob store under data_dir (SPEC §5):
 *
 *   data_dir/tmp/<32 hex random>        uploads in progress (O_EXCL, 0600)
 *   data_dir/blobs/xx/yy/<32 hex id>    committed blobs; xx, yy = the
 *                                       first two id bytes in hex
 *
 * Directories are 0700.  A commit makes the temp file durable, renames it
 * into place on the same filesystem (atomic) and fsyncs the directory, so
 * a crash leaves either a temp orphan or the complete blob.  Ids are
 * always written and accepted as 32 lowercase hex digits.  Temp names
 * come from gcry_create_nonce: initialise libgcrypt first.
 *
 * Two levels: the functions on a data_dir below are the local disk's
 * primitives; struct store (at the end) is the interface a second
 * backend implements, with the local disk as store_local_new.
 */
#ifndef STORE_H
#define STORE_H
#include <time.h>

/* mkdir data_dir, data_dir/tmp and data_dir/blobs (0700) where missing.
 * 0, or -1 with errno. */
int	 store_init(const char *data_dir);
/* Create data_dir/tmp/<32 hex random> (O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC|
 * O_NOFOLLOW, 0600).  The fd, with *tmp_path a heap string; -1 (errno). */
int	 store_tmp_open(const char *data_dir, char **tmp_path);
/* data_dir/blobs/xx/yy/<32 hex id>, a heap string. */
char	*store_blob_path(const char *data_dir, const unsigned char id[16]);
/* fsync fd, create blobs/xx/yy (fsyncing the parent of each directory it
 * creates), rename tmp_path into place and fsync the final directory.
 * Does not close fd.  0, or -1 with errno. */
int	 store_commit(const char *data_dir, int fd, const char *tmp_path,
	    const unsigned char id[16]);
/* Open a blob O_RDONLY|O_CLOEXEC|O_NOFOLLOW; the fd or -1 (errno). */
int	 store_open(const char *data_dir, const unsigned char id[16]);
/* Open a blob O_RDWR (for key rotation); the fd or -1 (errno). */
int	 store_open_rw(const char *data_dir, const unsigned char id[16]);
/* Unlink a blob and fsync its directory; a missing blob is success.
 * 0, or -1 with errno. */
int	 store_unlink(const char *data_dir, const unsigned char id[16]);
/* Exactly 32 lowercase hex digits (NUL-terminated) to 16 bytes.  0/-1. */
int	 store_hex_to_id(const char *hex32, unsigned char id[16]);
/* 16 bytes to 32 lowercase hex digits and a NUL. */
void	 store_id_to_hex(const unsigned char id[16], char hex[33]);

/* Visitor: the entry's path, its blob id (NULL for tmp entries) and
 * mtime; a nonzero return stops the walk. */
typedef int (*store_visit)(void *arg, const char *path,
	    const unsigned char *id, time_t mtime);
/* Visit every regular file blobs/xx/yy/<32 hex> (xx, yy: 2 lowercase
 * hex); other entries are skipped.  A missing blobs/ is empty.  0, or
 * -1 on an error (errno) or when the visitor stopped the walk. */
int	 store_walk_blobs(const char *data_dir, store_visit fn, void *arg);
/* Visit every regular file in tmp/ (dot files included, "." and ".."
 * not).  Return value as store_walk_blobs. */
int	 store_walk_tmp(const char *data_dir, store_visit fn, void *arg);

/* --- The store interface ---------------------------------------------
 * What the app needs of a place that keeps blobs, so that an object
 * store can sit beside the local disk without touching TCB1: an open
 * object's blob_io carries the codec (blob_writer_new_io,
 * blob_reader_open_io).  A temp object is written once, then committed
 * under its blob id (durably: after commit returns, a crash keeps it) or
 * dropped; a committed object is read, rewritten in place only by key
 * rotation (writable open), and unlinked.  An object store would stage
 * the temp object in a local file, upload it at commit, and read with
 * range requests.  Calls return 0 or an object; -1 or NULL with errno. */
enum store_area { STORE_BLOBS, STORE_TMP };

struct blob_io;
struct store_obj {
	struct blob_io	*io;
	const char	*tmp;		/* a temp object's name, else NULL */
};

struct store;
struct store_ops {
	const char	*name;
	/* A new, empty temp object, open for reading and writing. */
	struct store_obj *(*tmp_open)(struct store *);
	/* Make temp object o durable as blob id; o stays open and is no
	 * longer a temp object (o->tmp becomes NULL). */
	int	(*commit)(struct store *, struct store_obj *o,
		    const unsigned char id[16]);
	/* Open a committed blob (ENOENT: none). */
	struct store_obj *(*open)(struct store *, const unsigned char id[16],
		    int writable);
	/* Close o; a temp object that was not committed is dropped. */
	void	(*close)(struct store *, struct store_obj *o);
	/* Remove a blob durably; a missing blob is success. */
	int	(*unlink)(struct store *, const unsigned char id[16]);
	/* Visit the blobs or the temp objects, as store_walk_blobs. */
	int	(*walk)(struct store *, enum store_area, store_visit fn,
		    void *arg);
	void	(*free)(struct store *);
};
struct store {
	const struct store_ops	*ops;
};

/* The local disk under data_dir, as laid out above (store-local.c). */
struct store	*store_local_new(const char *data_dir);
#endif
