#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gcrypt.h>

#include "store.h"
#include "xmalloc.h"

static void
hex(const unsigned char *id, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[id[i] >> 4];
		out[2 * i + 1] = d[id[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
mkdir_ok(const char *p)
{
	return mkdir(p, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

static int
fsync_dir(const char *p)
{
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
store_init(const char *data_dir)
{
	char *t = xasprintf("%s/tmp", data_dir), *b = xasprintf("%s/blobs", data_dir);
	int rc = mkdir_ok(data_dir) == 0 && mkdir_ok(t) == 0 && mkdir_ok(b) == 0 ?
	    0 : -1;

	free(t);
	free(b);
	return rc;
}

int
store_tmp_open(const char *data_dir, char **tmp_path)
{
	unsigned char r[16];
	char h[33];
	int fd;

	gcry_create_nonce(r, sizeof(r));
	hex(r, sizeof(r), h);
	*tmp_path = xasprintf("%s/tmp/%s", data_dir, h);
	fd = open(*tmp_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1) {
		free(*tmp_path);
		*tmp_path = NULL;
	}
	return fd;
}

char *
store_blob_path(const char *data_dir, const unsigned char id[16])
{
	char h[33];

	hex(id, 16, h);
	return xasprintf("%s/blobs/%.2s/%.2s/%s", data_dir, h, h + 2, h);
}

int
store_commit(const char *data_dir, int fd, const char *tmp_path,
    const unsigned char id[16])
{
	char h[33], *d1, *d2, *final;
	int rc = -1;

	hex(id, 16, h);
	d1 = xasprintf("%s/blobs/%.2s", data_dir, h);
	d2 = xasprintf("%s/%.2s", d1, h + 2);
	final = xasprintf("%s/%s", d2, h);
	if (fsync(fd) == -1)
		goto out;
	/* New directories must be durable too before the rename counts. */
	if (access(d2, F_OK) == -1) {
		if (mkdir_ok(d1) == -1 || mkdir_ok(d2) == -1)
			goto out;
		if (fsync_dir(d1) == -1)
			goto out;
	}
	if (rename(tmp_path, final) == -1 || fsync_dir(d2) == -1)
		goto out;
	rc = 0;
out:
	free(d1);
	free(d2);
	free(final);
	return rc;
}

static int
open_blob(const char *data_dir, const unsigned char id[16], int flags)
{
	char *p = store_blob_path(data_dir, id);
	int fd = open(p, flags | O_CLOEXEC | O_NOFOLLOW);

	free(p);
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
	int rc = 0;

	if (unlink(p) == -1)
		rc = errno == ENOENT ? 0 : -1;
	else if ((slash = strrchr(p, '/')) != NULL) {
		*slash = '\0';
		rc = fsync_dir(p);
	}
	free(p);
	return rc;
}

int
store_hex_to_id(const char *h, unsigned char id[16])
{
	size_t i;

	if (strlen(h) != 32)
		return -1;
	for (i = 0; i < 32; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
			return -1;
	for (i = 0; i < 16; i++) {
		unsigned hi = h[2 * i] <= '9' ? h[2 * i] - '0' : h[2 * i] - 'a' + 10;
		unsigned lo = h[2 * i + 1] <= '9' ? h[2 * i + 1] - '0' :
		    h[2 * i + 1] - 'a' + 10;

		id[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* Call fn for each regular file in dir whose name passes want. */
static int
walk_dir(const char *dir, int blobs, store_visit fn, void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	unsigned char id[16];
	int rc = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		char *p;

		if (e->d_name[0] == '.')
			continue;
		if (blobs && store_hex_to_id(e->d_name, id) == -1)
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
			rc = fn(arg, p, blobs ? id : NULL, st.st_mtime) ? -1 : 0;
		free(p);
	}
	closedir(d);
	return rc;
}

static int
is_hex2(const char *s)
{
	return strlen(s) == 2 && strspn(s, "0123456789abcdef") == 2;
}

int
store_walk_blobs(const char *data_dir, store_visit fn, void *arg)
{
	char *top = xasprintf("%s/blobs", data_dir);
	DIR *d1 = opendir(top), *d2;
	struct dirent *a, *b;
	int rc = 0;

	if (d1 == NULL) {
		free(top);
		return errno == ENOENT ? 0 : -1;
	}
	while (rc == 0 && (a = readdir(d1)) != NULL) {
		char *p1;

		if (!is_hex2(a->d_name))
			continue;
		p1 = xasprintf("%s/%s", top, a->d_name);
		if ((d2 = opendir(p1)) != NULL) {
			while (rc == 0 && (b = readdir(d2)) != NULL) {
				char *p2;

				if (!is_hex2(b->d_name))
					continue;
				p2 = xasprintf("%s/%s", p1, b->d_name);
				rc = walk_dir(p2, 1, fn, arg);
				free(p2);
			}
			closedir(d2);
		}
		free(p1);
	}
	closedir(d1);
	free(top);
	return rc;
}

int
store_walk_tmp(const char *data_dir, store_visit fn, void *arg)
{
	char *t = xasprintf("%s/tmp", data_dir);
	int rc = walk_dir(t, 0, fn, arg);

	free(t);
	return rc;
}
