/* Unit tests of lib/store.c: directory set-up, exclusive private temp
 * files, the blobs/xx/yy/<id> layout of commits, opening, unlinking,
 * walking and strict hex ids; and one upload through lib/blob.c. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* nftw */
#endif
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>

#include "blob.h"
#include "store.h"
#include "tap.h"
#include "xmalloc.h"

static char tmpl[] = "/tmp/unit-store.XXXXXX";
static char *dd;		/* data_dir, inside tmpl */

static int
rm_cb(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(p);
}

static int
mode_is(const char *p, mode_t want)
{
	struct stat st;

	return lstat(p, &st) == 0 && (st.st_mode & 07777) == want;
}

static int
exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

static void
touch(const char *p)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd == -1) {
		perror(p);
		exit(2);
	}
	close(fd);
}

/* Commit a small file with id and content c. */
static int
commit_one(const unsigned char id[16], const char *c)
{
	char *tmp;
	int fd, rc;

	if ((fd = store_tmp_open(dd, &tmp)) == -1)
		return -1;
	if (write(fd, c, strlen(c)) != (ssize_t)strlen(c)) {
		close(fd);
		free(tmp);
		return -1;
	}
	rc = store_commit(dd, fd, tmp, id);
	close(fd);
	free(tmp);
	return rc;
}

struct seen {
	int		n, nulls, stop_at;
	unsigned char	ids[8][16];
	char		paths[8][512];
	time_t		mtime;
};

static int
visit(void *arg, const char *path, const unsigned char *id, time_t mtime)
{
	struct seen *s = arg;

	if (s->n < 8) {
		if (id != NULL)
			memcpy(s->ids[s->n], id, 16);
		snprintf(s->paths[s->n], sizeof(s->paths[0]), "%s", path);
	}
	if (id == NULL)
		s->nulls++;
	s->mtime = mtime;
	s->n++;
	return s->stop_at > 0 && s->n == s->stop_at;
}

static int
seen_id(const struct seen *s, const unsigned char id[16])
{
	int i;

	for (i = 0; i < s->n && i < 8; i++)
		if (memcmp(s->ids[i], id, 16) == 0)
			return 1;
	return 0;
}

static void
test_hex(void)
{
	unsigned char id[16], back[16];
	char h[33];
	int i;

	for (i = 0; i < 16; i++)
		id[i] = (unsigned char)(i * 17 + 0x0f);
	store_id_to_hex(id, h);
	is_str(h, "0f2031425364758697a8b9cadbecfd0e", "id to hex");
	ok(store_hex_to_id(h, back) == 0 && memcmp(id, back, 16) == 0,
	    "hex round trip");
	ok(store_hex_to_id("00000000000000000000000000000000", back) == 0,
	    "zeros");
	ok(store_hex_to_id("ffffffffffffffffffffffffffffffff", back) == 0 &&
	    back[0] == 0xff && back[15] == 0xff, "ffs");
	memset(back, 0x55, 16);
	ok(store_hex_to_id("0F203142536475869708192a3b4c5d6e", back) == -1,
	    "uppercase refused");
	ok(back[0] == 0x55, "  output untouched on failure");
	ok(store_hex_to_id("0f203142536475869708192a3b4c5d6", back) == -1,
	    "31 digits refused");
	ok(store_hex_to_id("0f203142536475869708192a3b4c5d6e0", back) == -1,
	    "33 digits refused");
	ok(store_hex_to_id("0f203142536475869708192a3b4c5d6g", back) == -1,
	    "non-hex refused");
	ok(store_hex_to_id("0f203142536475869708192a3b4c5d6 ", back) == -1,
	    "space refused");
	ok(store_hex_to_id("", back) == -1, "empty refused");
	ok(store_hex_to_id("0x203142536475869708192a3b4c5d6e", back) == -1,
	    "0x refused");
	ok(store_hex_to_id(NULL, back) == -1, "NULL refused");
}

static void
test_layout(void)
{
	unsigned char id[16] = { 0xab, 0xcd, 0x01, 0x02 }, id2[16] = { 0xab,
	    0xcd, 0x09 }, id3[16] = { 0x00, 0x11, 0xff };
	char *p, *tmp, *tmp2, *want, buf[64];
	struct stat st;
	mode_t old;
	int fd, fd2, fl;
	ssize_t n;

	p = xasprintf("%s/tmp", dd);
	ok(!exists(dd), "data_dir absent before init");
	old = umask(0);
	is_int(store_init(dd), 0, "store_init");
	ok(mode_is(dd, 0700) && mode_is(p, 0700), "  data_dir and tmp 0700");
	free(p);
	p = xasprintf("%s/blobs", dd);
	ok(mode_is(p, 0700), "  blobs 0700");
	free(p);
	is_int(store_init(dd), 0, "store_init again");

	/* Temp files. */
	fd = store_tmp_open(dd, &tmp);
	ok(fd >= 0 && tmp != NULL, "tmp open");
	ok(strncmp(tmp, dd, strlen(dd)) == 0 && strlen(tmp) == strlen(dd) + 5 + 32 &&
	    strncmp(tmp + strlen(dd), "/tmp/", 5) == 0,
	    "  path is data_dir/tmp/<32 hex>: %s", tmp);
	ok(mode_is(tmp, 0600), "  mode 0600 (umask 0)");
	fl = fcntl(fd, F_GETFL);
	ok((fl & O_ACCMODE) == O_RDWR, "  O_RDWR");
	ok(fcntl(fd, F_GETFD) & FD_CLOEXEC, "  close-on-exec");
	fd2 = store_tmp_open(dd, &tmp2);
	ok(fd2 >= 0 && strcmp(tmp, tmp2) != 0, "  a second one has another name");
	close(fd2);
	/* O_EXCL|O_NOFOLLOW: an existing name or a planted symlink is never
	 * opened; shown with the same flags on the names just made. */
	ok(open(tmp2, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600) == -1 &&
	    errno == EEXIST, "  (O_EXCL on an existing name fails)");
	unlink(tmp2);
	free(tmp2);
	umask(old);

	/* Commit. */
	if (write(fd, "hello", 5) != 5)
		perror("write");
	is_int(store_commit(dd, fd, tmp, id), 0, "commit");
	close(fd);
	want = xasprintf("%s/blobs/ab/cd/abcd0102000000000000000000000000", dd);
	p = store_blob_path(dd, id);
	is_str(p, want, "blob path blobs/xx/yy/<hex>");
	ok(stat(want, &st) == 0 && st.st_size == 5, "  file there");
	ok(!exists(tmp), "  temp name gone");
	free(tmp);
	free(want);
	free(p);
	p = xasprintf("%s/blobs/ab", dd);
	ok(mode_is(p, 0700), "  blobs/ab 0700");
	free(p);
	p = xasprintf("%s/blobs/ab/cd", dd);
	ok(mode_is(p, 0700), "  blobs/ab/cd 0700");
	free(p);
	is_int(commit_one(id2, "second"), 0, "commit into existing dirs");
	is_int(commit_one(id3, "third"), 0, "commit into new dirs");
	fd = store_tmp_open(dd, &tmp);
	ok(store_commit(dd, fd, "/nonexistent/x", id3) == -1 && errno == ENOENT,
	    "commit of a missing temp name fails");
	close(fd);
	unlink(tmp);
	free(tmp);

	/* Open. */
	fd = store_open(dd, id2);
	ok(fd >= 0, "store_open");
	n = read(fd, buf, sizeof(buf));
	ok(n == 6 && memcmp(buf, "second", 6) == 0, "  content");
	ok(write(fd, "x", 1) == -1, "  read-only");
	close(fd);
	fd = store_open_rw(dd, id2);
	ok(fd >= 0 && pwrite(fd, "S", 1, 0) == 1, "store_open_rw writes");
	close(fd);
	{
		unsigned char none[16] = { 0x12 };

		ok(store_open(dd, none) == -1 && errno == ENOENT,
		    "open missing: ENOENT");
		/* A symlink in place of a blob is not followed. */
		p = store_blob_path(dd, none);
		tmp = xasprintf("%s/blobs/12", dd);
		mkdir(tmp, 0700);
		free(tmp);
		tmp = xasprintf("%s/blobs/12/00", dd);
		mkdir(tmp, 0700);
		free(tmp);
		if (symlink("/etc/passwd", p) == -1)
			perror("symlink");
		ok(store_open(dd, none) == -1 && errno == ELOOP,
		    "symlinked blob refused (ELOOP)");
		unlink(p);
		free(p);
	}

	/* Unlink. */
	is_int(store_unlink(dd, id3), 0, "unlink");
	p = store_blob_path(dd, id3);
	ok(!exists(p), "  gone");
	free(p);
	is_int(store_unlink(dd, id3), 0, "unlink again (ENOENT is success)");
}

static void
test_walk(void)
{
	unsigned char id[16] = { 0xab, 0xcd, 0x01, 0x02 }, id2[16] = { 0xab,
	    0xcd, 0x09 }, idx[16] = { 0x77 };
	struct seen s;
	char *p, *tmp;
	int fd;

	/* Noise that must be skipped. */
	p = xasprintf("%s/blobs/ab/cd/not-a-blob", dd);
	touch(p);
	free(p);
	p = xasprintf("%s/blobs/ab/cd/ABCD0102000000000000000000000000", dd);
	touch(p);
	free(p);
	p = xasprintf("%s/blobs/ab/cd/abcd0102000000000000000000000000.tmp", dd);
	touch(p);
	free(p);
	p = xasprintf("%s/blobs/ab/cd/abcd0300000000000000000000000000", dd);
	mkdir(p, 0700);					/* a directory */
	free(p);
	p = xasprintf("%s/blobs/ab/cd/abcd0400000000000000000000000000", dd);
	if (symlink("/etc/passwd", p) == -1)		/* a symlink */
		perror("symlink");
	free(p);
	p = xasprintf("%s/blobs/zz", dd);
	mkdir(p, 0700);
	free(p);
	p = xasprintf("%s/blobs/zz/77000000000000000000000000000000", dd);
	touch(p);
	free(p);
	p = xasprintf("%s/blobs/77", dd);
	touch(p);					/* a file, not a dir */
	free(p);
	p = xasprintf("%s/blobs/ab/cd/77000000000000000000000000000000", dd);
	touch(p);					/* misplaced but valid name */
	free(p);

	memset(&s, 0, sizeof(s));
	is_int(store_walk_blobs(dd, visit, &s), 0, "walk blobs");
	is_int(s.n, 3, "  three blob files visited");
	ok(seen_id(&s, id) && seen_id(&s, id2) && seen_id(&s, idx),
	    "  with their ids");
	ok(s.nulls == 0 && s.mtime > 0, "  ids and mtime given");
	memset(&s, 0, sizeof(s));
	s.stop_at = 1;
	is_int(store_walk_blobs(dd, visit, &s), -1, "walk stopped by the visitor");
	is_int(s.n, 1, "  after one visit");
	/* Gone again: test_interface commits a random id, 1 in 256 of which
	 * start with 77 and need blobs/77 to be a directory. */
	p = xasprintf("%s/blobs/77", dd);
	unlink(p);
	free(p);

	fd = store_tmp_open(dd, &tmp);
	close(fd);
	p = xasprintf("%s/tmp/.hidden", dd);
	touch(p);
	free(p);
	p = xasprintf("%s/tmp/subdir", dd);
	mkdir(p, 0700);
	free(p);
	memset(&s, 0, sizeof(s));
	is_int(store_walk_tmp(dd, visit, &s), 0, "walk tmp");
	ok(s.n == 2 && s.nulls == 2, "  two files, id NULL");
	ok(!strcmp(s.paths[0], tmp) || !strcmp(s.paths[1], tmp), "  the temp file");
	free(tmp);

	memset(&s, 0, sizeof(s));
	p = xasprintf("%s/nowhere", dd);
	ok(store_walk_blobs(p, visit, &s) == 0 && store_walk_tmp(p, visit, &s) == 0 &&
	    s.n == 0, "walks of a missing store are empty");
	free(p);
}

/* An upload end to end: tmp, blob writer, commit, open, read. */
static int
cmp_sink(void *arg, const void *buf, size_t len)
{
	const char **want = arg;
	int r = memcmp(*want, buf, len);

	*want += len;
	return r != 0;
}

static void
test_with_blob(void)
{
	static struct blob_kek k = { 1, { 1, 2, 3 } };
	struct blob_keyring kr = { &k, 1, 1 };
	const char *msg = "an upload through the store", *cur = msg;
	struct blob_writer *w;
	struct blob_reader *r;
	enum blob_err e;
	unsigned char id[16];
	uint64_t plen;
	char *tmp;
	int fd;

	fd = store_tmp_open(dd, &tmp);
	w = blob_writer_new(fd, &kr, &e);
	blob_writer_write(w, msg, strlen(msg));
	ok(blob_writer_finish(w, &plen) == BLOB_OK, "blob written to a temp file");
	memcpy(id, blob_writer_id(w), 16);
	blob_writer_free(w);
	is_int(store_commit(dd, fd, tmp, id), 0, "  committed under its id");
	close(fd);
	free(tmp);
	fd = store_open(dd, id);
	r = blob_reader_open(fd, &kr, id, (int64_t)plen, &e);
	ok(r != NULL && blob_reader_read(r, 0, plen, cmp_sink, &cur) == BLOB_OK &&
	    cur == msg + strlen(msg), "  read back");
	blob_reader_free(r);
	close(fd);
	is_int(store_unlink(dd, id), 0, "  unlinked");
}

/* The store interface over the local disk: the same upload through
 * store_ops, an aborted temp object, rotation through a writable open,
 * and walks of both areas. */
static int
count_visit(void *arg, const char *path, const unsigned char *id,
    time_t mtime)
{
	(void)path;
	(void)id;
	(void)mtime;
	(*(int *)arg)++;
	return 0;
}

static void
test_interface(void)
{
	static struct blob_kek k[2] = { { 1, { 1, 2, 3 } }, { 2, { 4, 5, 6 } } };
	struct blob_keyring kr = { k, 2, 1 };
	const char *msg = "an upload through the interface", *cur = msg;
	struct store *st = store_local_new(dd);
	const struct store_ops *op = st->ops;
	struct store_obj *o;
	struct blob_writer *w;
	struct blob_reader *r;
	enum blob_err e;
	unsigned char id[16];
	uint32_t ids[2];
	uint64_t plen;
	char *tmp;
	int n, before_blobs = 0, before_tmp = 0;

	/* Earlier tests leave entries behind: count from here. */
	op->walk(st, STORE_BLOBS, count_visit, &before_blobs);
	op->walk(st, STORE_TMP, count_visit, &before_tmp);
	is_str(op->name, "local", "local backend");
	o = op->tmp_open(st);
	ok(o && o->tmp && strstr(o->tmp, "/tmp/"), "temp object under tmp/");
	w = blob_writer_new_io(o->io, &kr, &e);
	blob_writer_write(w, msg, strlen(msg));
	ok(blob_writer_finish(w, &plen) == BLOB_OK, "  blob written through its io");
	memcpy(id, blob_writer_id(w), 16);
	blob_writer_free(w);
	tmp = xstrdup(o->tmp);
	ok(op->commit(st, o, id) == 0 && o->tmp == NULL, "  committed: no longer temp");
	ok(access(tmp, F_OK) == -1 && errno == ENOENT, "  the temp name is gone");
	free(tmp);
	op->close(st, o);
	n = 0;
	ok(op->walk(st, STORE_BLOBS, count_visit, &n) == 0 && n == before_blobs + 1,
	    "walk finds the blob");

	o = op->open(st, id, 0);
	r = o ? blob_reader_open_io(o->io, &kr, id, (int64_t)plen, &e) : NULL;
	ok(r != NULL && blob_reader_read(r, 0, plen, cmp_sink, &cur) == BLOB_OK &&
	    cur == msg + strlen(msg), "open and read back");
	blob_reader_free(r);
	op->close(st, o);

	kr.n = 2;
	o = op->open(st, id, 1);
	ok(o && blob_rewrap_io(o->io, &kr, 2) == BLOB_OK &&
	    blob_slot_ids_io(o->io, ids) == 0 && ids[1] == 2, "rotation through a writable open");
	op->close(st, o);

	o = op->tmp_open(st);
	tmp = o ? xstrdup(o->tmp) : NULL;
	n = 0;
	ok(o && op->walk(st, STORE_TMP, count_visit, &n) == 0 &&
	    n == before_tmp + 1, "an open temp object is walked");
	op->close(st, o);
	ok(tmp && access(tmp, F_OK) == -1 && errno == ENOENT, "closing it uncommitted drops it");
	free(tmp);
	ok(op->commit(st, (o = op->open(st, id, 0)), id) == -1 && errno == EINVAL,
	    "committing a non-temp object refused");
	op->close(st, o);

	ok(op->unlink(st, id) == 0 && op->open(st, id, 0) == NULL && errno == ENOENT,
	    "unlinked: open says ENOENT");
	is_int(op->unlink(st, id), 0, "  unlinking again is success");
	op->free(st);
}


/* New blobs go to the disk with O_DIRECT through a 1 MiB buffer
 * (blob-fd.c): sizes around and across that buffer, written in odd
 * pieces, come back byte-exact at the exact TCB1 size, and the file is
 * back to buffered I/O once it is committed. */
static unsigned char
pat(uint64_t i)
{
	return (unsigned char)((i * 2654435761u) >> 13);
}

static int
pat_sink(void *arg, const void *buf, size_t len)
{
	uint64_t *pos = arg;
	const unsigned char *b = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != pat((*pos)++))
			return 1;
	return 0;
}

static void
test_direct(void)
{
	static struct blob_kek k = { 1, { 7, 7, 7 } };
	struct blob_keyring kr = { &k, 1, 1 };
	static const uint64_t sizes[] = { 0, 1000, (1 << 20) - 160 - 16 * 16,
	    1 << 20, (3 << 20) + 17 };
	static unsigned char chunk[7777];
	struct store *st = store_local_new(dd);
	struct store_obj *o;
	struct blob_writer *w;
	struct blob_reader *r;
	enum blob_err e;
	unsigned char id[16];
	uint64_t plen, pos, i;
	size_t n, k2;
	struct stat sb;
	int direct = 0, buffered_after = 1;
	char *path;

	for (k2 = 0; k2 < sizeof(sizes) / sizeof(sizes[0]); k2++) {
		o = st->ops->tmp_open(st);
		if (o == NULL) {
			ok(0, "tmp_open");
			continue;
		}
		direct += (fcntl(((struct blob_fd *)o->io)->fd, F_GETFL) & O_DIRECT) != 0;
		w = blob_writer_new_io(o->io, &kr, &e);
		for (pos = 0; pos < sizes[k2]; pos += n) {
			n = sizes[k2] - pos < sizeof(chunk) ? sizes[k2] - pos : sizeof(chunk);
			for (i = 0; i < n; i++)
				chunk[i] = pat(pos + i);
			blob_writer_write(w, chunk, n);
		}
		ok(blob_writer_finish(w, &plen) == BLOB_OK && plen == sizes[k2],
		    "a %llu-byte blob written", (unsigned long long)sizes[k2]);
		memcpy(id, blob_writer_id(w), 16);
		blob_writer_free(w);
		ok(st->ops->commit(st, o, id) == 0, "  committed");
		buffered_after &= (fcntl(((struct blob_fd *)o->io)->fd, F_GETFL) & O_DIRECT) == 0;
		st->ops->close(st, o);
		path = store_blob_path(dd, id);
		ok(stat(path, &sb) == 0 && (uint64_t)sb.st_size == 160 + plen +
		    16 * (plen ? (plen + 65535) / 65536 : 1), "  exact TCB1 size");
		free(path);
		o = st->ops->open(st, id, 0);
		r = o ? blob_reader_open_io(o->io, &kr, id, (int64_t)plen, &e) : NULL;
		pos = 0;
		ok(r != NULL && blob_reader_read(r, 0, plen, pat_sink, &pos) == BLOB_OK &&
		    pos == plen, "  read back byte-exact");
		blob_reader_free(r);
		st->ops->close(st, o);
		st->ops->unlink(st, id);
	}
	/* tmpfs and some others refuse O_DIRECT: buffered there, same bytes. */
	if (direct == 0)
		printf("# O_DIRECT refused under %s: buffered writes were tested\n", dd);
	else
		is_int(direct, (int)(sizeof(sizes) / sizeof(sizes[0])), "every new blob in direct mode");
	ok(buffered_after, "  and buffered again once committed");
	st->ops->free(st);
}

int
main(void)
{
	gcry_check_version(NULL);
	gcry_control(GCRYCTL_SUSPEND_SECMEM_WARN);
	gcry_control(GCRYCTL_INIT_SECMEM, 65536, 0);
	gcry_control(GCRYCTL_RESUME_SECMEM_WARN);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	dd = xasprintf("%s/data", tmpl);
	test_hex();
	test_layout();
	test_walk();
	test_with_blob();
	test_interface();
	test_direct();
	nftw(tmpl, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(dd);
	return done_testing();
}
