/* The blob store under data_dir: uploads are written to tmp/ (O_EXCL,
 * 0600), made durable, then renamed to blobs/xx/yy/<id> on the same
 * filesystem (rename is atomic; the directory is fsynced after). */
#ifndef STORE_H
#define STORE_H
#include <time.h>

/* mkdir data_dir, tmp/ and blobs/ (0700) as needed.  0/-1 (errno). */
int	 store_init(const char *data_dir);
/* A new temp file data_dir/tmp/<32 hex>; fd, *tmp_path heap; -1. */
int	 store_tmp_open(const char *data_dir, char **tmp_path);
/* data_dir/blobs/xx/yy/<32 hex id>; heap. */
char	*store_blob_path(const char *data_dir, const unsigned char id[16]);
/* fsync fd, create blobs/xx/yy, rename tmp into place, fsync the
 * directory.  0/-1 (errno). */
int	 store_commit(const char *data_dir, int fd, const char *tmp_path,
	    const unsigned char id[16]);
/* Open a blob read-only (or read-write, for rotation); -1 (errno). */
int	 store_open(const char *data_dir, const unsigned char id[16]);
int	 store_open_rw(const char *data_dir, const unsigned char id[16]);
/* Unlink a blob and fsync its directory; a missing blob is success. */
int	 store_unlink(const char *data_dir, const unsigned char id[16]);
/* 32 lowercase hex digits to 16 bytes.  0/-1. */
int	 store_hex_to_id(const char *hex, unsigned char id[16]);

/* Visitor: path, the blob id (NULL for tmp entries) and mtime; nonzero
 * stops the walk. */
typedef int (*store_visit)(void *arg, const char *path,
	    const unsigned char *id, time_t mtime);
/* Every blobs/xx/yy/<32 hex> file.  0, or -1 on error or a stop. */
int	 store_walk_blobs(const char *data_dir, store_visit fn, void *arg);
/* Every regular file in tmp/. */
int	 store_walk_tmp(const char *data_dir, store_visit fn, void *arg);
#endif
