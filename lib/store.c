/* The blob store: temp files, durable commits, lookups and walks. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>

#include "store.h"
#include "xmalloc.h"

void
store_id_to_hex(const unsigned char id[16], char hex[33])
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 16; i++) {
		hex[2 * i] = d[id[i] >> 4];
		hex[2 * i + 1] = d[id[i] & 15];
	}
	hex[32] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
store_hex_to_id(const char *hex, unsigned char id[16])
{
	unsigned char out[16];
	int hi, lo;
	size_t i;

	if (hex == NULL)
		return -1;
	for (i = 0; i < 16; i++) {
		/* hex[2i] is checked before hex[2i+1] is read: no overrun. */
		if ((hi = hexval(hex[2 * i])) == -1 ||
		    (lo = hexval(hex[2 * i + 1])) == -1)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	if (hex[32] != '\0')
		return -1;
	memcpy(id, out, 16);
	return 0;
}

/* mkdir 0700: 1 if created, 0 if it already was a directory, -1. */
static int
mkdir_new(const char *p)
{
	struct stat st;

	if (mkdir(p, 0700) == 0)
		return 1;
	if (errno != EEXIST)
		return -1;
	if (stat(p, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static int
fsync_dir(const char *p)
{
	int fd, rc, saved;

	if ((fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
store_init(const char *data_dir)
{
	char *t = xasprintf("%s/tmp", data_dir);
	char *b = xasprintf("%s/blobs", data_dir);
	int rc = -1, saved;

	if (mkdir_new(data_dir) == -1 || mkdir_new(t) == -1 ||
	    mkdir_new(b) == -1)
		goto out;
	rc = 0;
out:
	saved = errno;
	free(t);
	free(b);
	errno = saved;
	return rc;
}

int
store_tmp_open(const char *data_dir, char **tmp_path)
{
	unsigned char r[16];
	char h[33];
	int fd, tries;

	for (tries = 0; tries < 4; tries++) {
		gcry_create_nonce(r, sizeof(r));
		store_id_to_hex(r, h);
		*tmp_path = xasprintf("%s/tmp/%s", data_dir, h);
		fd = open(*tmp_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
		if (fd != -1)
			return fd;
		free(*tmp_path);
		*tmp_path = NULL;
		if (errno != EEXIST)
			break;
	}
	return -1;
}

char *
store_blob_path(const char *data_dir, const unsigned char id[16])
{
	char h[33];

	store_id_to_hex(id, h);
	return xasprintf("%s/blobs/%.2s/%.2s/%s", data_dir, h, h + 2, h);
}

int
store_commit(const char *data_dir, int fd, const char *tmp_path,
    const unsigned char id[16])
{
	char h[33], *top, *d1, *d2, *final;
	int rc = -1, made, saved;

	store_id_to_hex(id, h);
	top = xasprintf("%s/blobs", data_dir);
	d1 = xasprintf("%s/%.2s", top, h);
	d2 = xasprintf("%s/%.2s", d1, h + 2);
	final = xasprintf("%s/%s", d2, h);
	if (fsync(fd) == -1)
		goto out;
	/* A directory created here must be durable in its parent before
	 * the rename into it counts. */
	if ((made = mkdir_new(d1)) == -1 || (made && fsync_dir(top) == -1))
		goto out;
	if ((made = mkdir_new(d2)) == -1 || (made && fsync_dir(d1) == -1))
		goto out;
	if (rename(tmp_path, final) == -1 || fsync_dir(d2) == -1)
		goto out;
	rc = 0;
out:
	saved = errno;
	free(top);
	free(d1);
	free(d2);
	free(final);
	errno = saved;
	return rc;
}

static int
open_blob(const char *data_dir, const unsigned char id[16], int flags)
{
	char *p = store_blob_path(data_dir, id);
	int fd, saved;

	fd = open(p, flags | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	saved = errno;
	free(p);
	errno = saved;
	return fd;
}

int
store_open(const char *data_dir, const unsigned char id[16])
{
	return open_blob(data_dir, id, O_RDONLY);
}

int
store_open_rw(const char *data_dir, const unsigned char id[16])
{
	return open_blob(data_dir, id, O_RDWR);
}

int
store_unlink(const char *data_dir, const unsigned char id[16])
{
	char *p = store_blob_path(data_dir, id), *slash;
	int rc = 0, saved;

	if (unlink(p) == -1)
		rc = errno == ENOENT ? 0 : -1;
	else if ((slash = strrchr(p, '/')) != NULL) {
		*slash = '\0';
		rc = fsync_dir(p);
	}
	saved = errno;
	free(p);
	errno = saved;
	return rc;
}

/* Visit the regular files in dir; with blobs, only those named by 32 hex
 * digits.  A missing directory is empty. */
static int
walk_dir(const char *dir, int blobs, store_visit fn, void *arg)
{
	DIR *d;
	struct dirent *e;
	struct stat st;
	unsigned char id[16];
	int rc = 0, saved;
	char *p;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	for (;;) {
		errno = 0;
		if ((e = readdir(d)) == NULL) {
			if (errno != 0)
				rc = -1;
			break;
		}
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (blobs && store_hex_to_id(e->d_name, id) == -1)
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (lstat(p, &st) == -1) {
			free(p);
			if (errno == ENOENT)	/* removed meanwhile */
				continue;
			rc = -1;
			break;
		}
		if (S_ISREG(st.st_mode) &&
		    fn(arg, p, blobs ? id : NULL, st.st_mtime) != 0) {
			free(p);
			errno = 0;
			rc = -1;
			break;
		}
		free(p);
	}
	saved = errno;
	closedir(d);
	errno = saved;
	return rc;
}

static int
is_hex2(const char *s)
{
	return hexval(s[0]) != -1 && hexval(s[1]) != -1 && s[2] == '\0';
}

/* Walk blobs/ (depth 0) or blobs/xx (depth 1): every subdirectory named
 * by two lowercase hex digits, not following symlinks. */
static int
walk_hex2(const char *dir, int depth, store_visit fn, void *arg)
{
	DIR *d;
	struct dirent *e;
	struct stat st;
	int rc = 0, saved;
	char *p;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	for (;;) {
		errno = 0;
		if ((e = readdir(d)) == NULL) {
			if (errno != 0)
				rc = -1;
			break;
		}
		if (!is_hex2(e->d_name))
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (lstat(p, &st) == -1)
			rc = errno == ENOENT ? 0 : -1;
		else if (S_ISDIR(st.st_mode))
			rc = depth == 0 ? walk_hex2(p, 1, fn, arg) :
			    walk_dir(p, 1, fn, arg);
		free(p);
		if (rc != 0)
			break;
	}
	saved = errno;
	closedir(d);
	errno = saved;
	return rc;
}

/* Walk data_dir/sub with walk (keeping the walk's errno across free). */
static int
walk_under(const char *data_dir, const char *sub,
    int (*walk)(const char *, int, store_visit, void *), store_visit fn,
    void *arg)
{
	char *top = xasprintf("%s/%s", data_dir, sub);
	int rc, saved;

	rc = walk(top, 0, fn, arg);
	saved = errno;
	free(top);
	errno = saved;
	return rc;
}

int
store_walk_blobs(const char *data_dir, store_visit fn, void *arg)
{
	return walk_under(data_dir, "blobs", walk_hex2, fn, arg);
}

int
store_walk_tmp(const char *data_dir, store_visit fn, void *arg)
{
	return walk_under(data_dir, "tmp", walk_dir, fn, arg);
}
