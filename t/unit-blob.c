/* Unit tests of lib/blob.c (the TCB1 format): round trips at segment
 * edges, ranged reads that touch only the segments they need, every bit
 * flip of a small blob and a sample of a larger one, truncation,
 * extension, reordering, splicing, header edits, wrong keys, key
 * rotation including interrupted rotations, and KEK file checks.
 * Plaintext is a position-derived pattern, so nothing is held whole. */
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
#include "keyfile.h"
#include "tap.h"
#include "xmalloc.h"

#define SEG	BLOB_SEG
#define SEGD	BLOB_SEG_DISK
#define HDR	BLOB_HEADER_LEN

static char dir[] = "/tmp/unit-blob.XXXXXX";
static struct blob_kek k1, k2, k3;
static struct blob_keyring kr1 = { &k1, 1, 1 };
static struct blob_keyring kr2 = { &k2, 1, 2 };
static struct blob_kek k12[2];
static struct blob_keyring kr12 = { k12, 2, 1 };

/* --- helpers ---------------------------------------------------------- */

static unsigned char
pat(uint64_t i, unsigned seed)
{
	uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull ^ (uint64_t)seed << 32;

	return (unsigned char)(x >> 29 ^ x >> 47);
}

static char *
fpath(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static int
mkfile(const char *name)
{
	char *p = fpath(name);
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);

	free(p);
	if (fd == -1) {
		perror(name);
		exit(2);
	}
	return fd;
}

static uint64_t
fsize(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (uint64_t)st.st_size : (uint64_t)-1;
}

static uint64_t
nseg(uint64_t p)
{
	return p == 0 ? 1 : (p + SEG - 1) / SEG;
}

/* Sink calls a read of [off, off+len) makes on a freshly opened reader:
 * up to 4 segments per call (one pread, contiguous plaintext), and the
 * final segment, verified at open and kept, in a call of its own. */
static unsigned
ncalls(uint64_t p, uint64_t off, uint64_t len)
{
	uint64_t first, last, fin = nseg(p) - 1, body;

	if (len == 0)
		return 0;
	first = off / SEG;
	last = (off + len - 1) / SEG;
	body = (last < fin ? last + 1 : fin) > first ?
	    (last < fin ? last + 1 : fin) - first : 0;
	return (unsigned)((body + 3) / 4 + (last == fin));
}

static uint64_t
want_size(uint64_t p)
{
	return HDR + p + 16 * nseg(p);
}

static const size_t chunks[] = { 1, 7, 65537, 4096, 65536, 13, 100003, 65535 };

/* Write a blob of the pattern in odd-sized chunks into fd. */
static enum blob_err
write_blob(int fd, const struct blob_keyring *kr, uint64_t size, unsigned seed,
    unsigned char id[16])
{
	static unsigned char buf[100003];
	struct blob_writer *w;
	enum blob_err e;
	uint64_t done = 0, plen = 12345;
	size_t c = 0, n, i;

	if ((w = blob_writer_new(fd, kr, &e)) == NULL)
		return e;
	while (done < size) {
		n = chunks[c++ % (sizeof(chunks) / sizeof(chunks[0]))];
		if (n > size - done)
			n = (size_t)(size - done);
		for (i = 0; i < n; i++)
			buf[i] = pat(done + i, seed);
		if ((e = blob_writer_write(w, buf, n)) != BLOB_OK)
			goto out;
		done += n;
		if (blob_writer_size(w) != done) {
			e = BLOB_ERR_RANGE;
			goto out;
		}
	}
	if ((e = blob_writer_finish(w, &plen)) == BLOB_OK && plen != size)
		e = BLOB_ERR_RANGE;
	if (id != NULL)
		memcpy(id, blob_writer_id(w), 16);
out:
	blob_writer_free(w);
	return e;
}

struct chk {
	uint64_t	pos;		/* next expected plaintext offset */
	uint64_t	bytes;
	unsigned	calls, seed;
	int		bad;
	int		stop_after;	/* > 0: stop on that call */
};

static int
chk_sink(void *arg, const void *buf, size_t len)
{
	struct chk *c = arg;
	const unsigned char *p = buf;
	size_t i;

	c->calls++;
	for (i = 0; i < len; i++)
		if (p[i] != pat(c->pos + i, c->seed))
			c->bad = 1;
	c->pos += len;
	c->bytes += len;
	return c->stop_after > 0 && c->calls == (unsigned)c->stop_after;
}

/* Open and read [off, off+len); returns the error, fills *c. */
static enum blob_err
read_range(int fd, const struct blob_keyring *kr, uint64_t off, uint64_t len,
    unsigned seed, struct chk *c)
{
	struct blob_reader *r;
	enum blob_err e;

	memset(c, 0, sizeof(*c));
	c->pos = off;
	c->seed = seed;
	if ((r = blob_reader_open(fd, kr, NULL, -1, &e)) == NULL)
		return e;
	e = blob_reader_read(r, off, len, chk_sink, c);
	blob_reader_free(r);
	return e;
}

/* Open, read everything and verify every tag: OK only if all pass. */
static enum blob_err
read_all(int fd, const struct blob_keyring *kr, unsigned seed, int *bad)
{
	struct blob_reader *r;
	struct chk c;
	enum blob_err e;

	memset(&c, 0, sizeof(c));
	c.seed = seed;
	*bad = 0;
	if ((r = blob_reader_open(fd, kr, NULL, -1, &e)) == NULL)
		return e;
	if ((e = blob_reader_read(r, 0, blob_reader_length(r), chk_sink, &c)) ==
	    BLOB_OK)
		e = blob_reader_verify_all(r);
	*bad = c.bad;
	blob_reader_free(r);
	return e;
}

static void
pread_n(int fd, void *buf, size_t n, off_t off)
{
	if (pread(fd, buf, n, off) != (ssize_t)n) {
		perror("pread");
		exit(2);
	}
}

static void
pwrite_n(int fd, const void *buf, size_t n, off_t off)
{
	if (pwrite(fd, buf, n, off) != (ssize_t)n) {
		perror("pwrite");
		exit(2);
	}
}

static void
flip(int fd, uint64_t bit)
{
	unsigned char b;

	pread_n(fd, &b, 1, (off_t)(bit / 8));
	b ^= (unsigned char)(1u << (bit % 8));
	pwrite_n(fd, &b, 1, (off_t)(bit / 8));
}

static void
set_plen(int fd, uint64_t p)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(p >> (56 - 8 * i));
	pwrite_n(fd, b, 8, 40);
}

/* Copy all of src into a new file named name. */
static int
copy_file(int src, const char *name)
{
	static unsigned char buf[1 << 16];
	int fd = mkfile(name);
	off_t off = 0;
	ssize_t n;

	while ((n = pread(src, buf, sizeof(buf), off)) > 0) {
		pwrite_n(fd, buf, (size_t)n, off);
		off += n;
	}
	return fd;
}

static void
copy_range(int from, off_t foff, int to, off_t toff, size_t n)
{
	unsigned char *b = xmalloc(n);

	pread_n(from, b, n, foff);
	pwrite_n(to, b, n, toff);
	free(b);
}

static int
rm_cb(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(p);
}

/* --- tests ------------------------------------------------------------ */

static void
test_roundtrip(void)
{
	static const uint64_t sizes[] = { 0, 1, 65535, 65536, 65537,
	    3 * 65536 + 5, 5 * 1024 * 1024 + 12345 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t p = sizes[i];
		unsigned char id[16];
		struct blob_reader *r;
		enum blob_err e;
		struct chk c;
		int fd = mkfile("rt"), bad;

		e = write_blob(fd, &kr1, p, (unsigned)i, id);
		is_int(e, BLOB_OK, "write");
		ok(fsize(fd) == want_size(p), "P=%llu: blob size %llu == 160 + P + 16n",
		    (unsigned long long)p, (unsigned long long)fsize(fd));
		r = blob_reader_open(fd, &kr1, id, (int64_t)p, &e);
		ok(r != NULL, "P=%llu: open with expected id and length (%s)",
		    (unsigned long long)p, blob_strerror(e));
		if (r == NULL) {
			close(fd);
			continue;
		}
		is_int(blob_reader_length(r), p, "length");
		ok(memcmp(blob_reader_id(r), id, 16) == 0, "id");
		memset(&c, 0, sizeof(c));
		c.seed = (unsigned)i;
		e = blob_reader_read(r, 0, p, chk_sink, &c);
		ok(e == BLOB_OK && !c.bad && c.bytes == p && c.calls ==
		    ncalls(p, 0, p), "P=%llu: full read, %u sink call(s)",
		    (unsigned long long)p, ncalls(p, 0, p));
		is_int(blob_reader_verify_all(r), BLOB_OK, "verify_all");
		is_int(blob_reader_bad_slots(r), 0, "no bad slots");
		blob_reader_free(r);
		is_int(read_all(fd, &kr1, (unsigned)i, &bad), BLOB_OK, "read_all");
		close(fd);
	}
}

static void
test_ranges(void)
{
	static const struct { uint64_t off, len; unsigned calls; } rg[] = {
		{ 0, 0, 0 }, { 0, 1, 1 }, { 65535, 1, 1 }, { 65535, 2, 1 },
		{ 65536, 1, 1 }, { 65536, 65536, 1 }, { 65536, 65537, 1 },
		{ 100000, 50, 1 }, { 131071, 65541, 2 }, { 196608, 5, 1 },
		{ 196612, 1, 1 }, { 1, 196611, 2 }, { 0, 196613, 2 },
		{ 196613, 0, 0 },
	};
	uint64_t p = 3 * 65536 + 5;
	struct blob_reader *r;
	enum blob_err e;
	struct chk c;
	size_t i;
	int fd = mkfile("ranges");

	write_blob(fd, &kr1, p, 7, NULL);
	for (i = 0; i < sizeof(rg) / sizeof(rg[0]); i++) {
		e = read_range(fd, &kr1, rg[i].off, rg[i].len, 7, &c);
		ok(e == BLOB_OK && !c.bad && c.bytes == rg[i].len &&
		    c.calls == rg[i].calls, "range %llu+%llu: %u call(s), right bytes",
		    (unsigned long long)rg[i].off, (unsigned long long)rg[i].len,
		    rg[i].calls);
	}
	is_int(read_range(fd, &kr1, p, 1, 7, &c), BLOB_ERR_RANGE, "range past end");
	is_int(read_range(fd, &kr1, p + 1, 0, 7, &c), BLOB_ERR_RANGE,
	    "empty range past end");
	is_int(read_range(fd, &kr1, 10, UINT64_MAX - 5, 7, &c), BLOB_ERR_RANGE,
	    "overflowing range");
	is_int(read_range(fd, &kr1, UINT64_MAX, 2, 7, &c), BLOB_ERR_RANGE,
	    "huge offset");

	/* The sink can stop the read. */
	r = blob_reader_open(fd, &kr1, NULL, -1, &e);
	memset(&c, 0, sizeof(c));
	c.seed = 7;
	c.stop_after = 2;
	is_int(blob_reader_read(r, 0, p, chk_sink, &c), BLOB_ERR_SINK, "sink stops");
	is_int(c.calls, 2, "no call after the stop");
	blob_reader_free(r);

	/* Only the needed segments are touched: corrupt segment 0, then
	 * ranges in 1..3 still read, and one touching 0 releases nothing
	 * of it. */
	flip(fd, (HDR + 100) * 8);
	is_int(read_range(fd, &kr1, 65536, p - 65536, 7, &c), BLOB_OK,
	    "segments 1..3 read with segment 0 corrupt");
	ok(!c.bad && c.calls == 2, "  their bytes are right");
	is_int(read_range(fd, &kr1, 65000, 1000, 7, &c), BLOB_ERR_TAG,
	    "range over segment 0 fails");
	is_int(c.bytes, 0, "  nothing released");
	flip(fd, (HDR + 100) * 8);

	/* A bad tag in the middle: earlier segments go out but the held
	 * bytes, nothing after. */
	flip(fd, (HDR + SEGD + SEG + 3) * 8);	/* segment 1's tag */
	is_int(read_range(fd, &kr1, 0, p, 7, &c), BLOB_ERR_TAG, "bad tag mid-read");
	ok(c.bytes == 65536 - BLOB_HOLD && !c.bad,
	    "  only segment 0 was released, less the held bytes");
	/* A range that ends 30 bytes into the bad segment still leaves
	 * more than BLOB_HOLD bytes unsent (mod_fcgid's error document). */
	is_int(read_range(fd, &kr1, 100, 65536 + 30 - 100, 7, &c),
	    BLOB_ERR_TAG, "range ending 30 bytes into the bad segment");
	ok(c.bytes == 65536 - 100 - BLOB_HOLD && !c.bad,
	    "  BLOB_HOLD + 30 bytes owed");
	is_int(read_range(fd, &kr1, 65536 - 10, 40, 7, &c), BLOB_ERR_TAG,
	    "10 good bytes, then the bad segment");
	is_int(c.bytes, 0, "  nothing released");
	flip(fd, (HDR + SEGD + SEG + 3) * 8);
	is_int(read_range(fd, &kr1, 0, p, 7, &c), BLOB_OK, "restored");
	close(fd);

	/* The same in a later batch of a longer blob: segments 4 and 5 of
	 * the batch 4..7 verified before 6 failed, so 0..5 are out. */
	fd = mkfile("ranges10");
	p = 10 * (uint64_t)SEG + 7;
	write_blob(fd, &kr1, p, 9, NULL);
	is_int(read_range(fd, &kr1, 0, p, 9, &c), BLOB_OK, "10 segments read");
	ok(!c.bad && c.bytes == p && c.calls == 4, "  in 4 calls");
	flip(fd, (HDR + 6 * (uint64_t)SEGD + 10) * 8);
	is_int(read_range(fd, &kr1, 100, p - 100, 9, &c), BLOB_ERR_TAG,
	    "segment 6 corrupt");
	ok(c.bytes == 6 * (uint64_t)SEG - 100 - BLOB_HOLD && !c.bad,
	    "  exactly segments 0..5 were released, less the held bytes");
	close(fd);
}

/* Every bit of a one-segment blob; a sample of a four-segment one. */
static void
test_bitflips(void)
{
	uint64_t bit, nbits, fails = 0, n = 0, why[BLOB_ERR_RANGE + 1] = { 0 };
	enum blob_err e;
	int fd = mkfile("flip1"), bad;

	write_blob(fd, &kr1, 100, 3, NULL);
	nbits = fsize(fd) * 8;
	for (bit = 0; bit < nbits; bit++) {
		flip(fd, bit);
		e = read_all(fd, &kr1, 3, &bad);
		why[e]++;
		if (e == BLOB_OK || bad) {
			if (fails++ < 5)
				printf("# bit %llu not detected\n",
				    (unsigned long long)bit);
		}
		flip(fd, bit);
		n++;
	}
	ok(fails == 0, "all %llu single-bit flips of a 100-byte blob detected",
	    (unsigned long long)n);
	printf("# by error: format %llu, nokey %llu, tag %llu\n",
	    (unsigned long long)why[BLOB_ERR_FORMAT],
	    (unsigned long long)why[BLOB_ERR_NOKEY],
	    (unsigned long long)why[BLOB_ERR_TAG]);
	is_int(read_all(fd, &kr1, 3, &bad), BLOB_OK, "restored blob reads");
	close(fd);

	/* 2-slot keyring too: a flip in a known KEK id must not pass. */
	fd = mkfile("flip2");
	write_blob(fd, &kr12, 3 * 65536 + 5, 4, NULL);
	nbits = fsize(fd) * 8;
	fails = n = 0;
	for (bit = 0; bit < HDR * 8; bit++, n++) {
		flip(fd, bit);
		if (read_all(fd, &kr12, 4, &bad) == BLOB_OK || bad)
			fails++;
		flip(fd, bit);
	}
	ok(fails == 0, "all %llu header bit flips of a 4-segment blob detected",
	    (unsigned long long)n);
	fails = n = 0;
	srand(42);
	for (bit = HDR * 8; bit < nbits; bit += 977 + (uint64_t)(rand() % 400), n++) {
		flip(fd, bit);
		if (read_all(fd, &kr12, 4, &bad) == BLOB_OK || bad)
			fails++;
		flip(fd, bit);
	}
	/* and the last bit of each tag */
	for (bit = 0; bit < 4; bit++, n++) {
		uint64_t end = bit < 3 ? HDR + (bit + 1) * SEGD : fsize(fd);

		flip(fd, end * 8 - 1);
		if (read_all(fd, &kr12, 4, &bad) == BLOB_OK || bad)
			fails++;
		flip(fd, end * 8 - 1);
	}
	ok(fails == 0, "%llu sampled segment bit flips detected",
	    (unsigned long long)n);
	is_int(read_all(fd, &kr12, 4, &bad), BLOB_OK, "restored blob reads");
	close(fd);
}

static void
test_structure(void)
{
	uint64_t p = 3 * 65536 + 5, p2 = 2 * 65536;
	unsigned char a_id[16], seg[SEGD];
	struct blob_reader *r;
	struct chk c;
	enum blob_err e;
	int a, b, t, bad;

	a = mkfile("a");
	write_blob(a, &kr1, p, 5, a_id);
	b = mkfile("b");
	write_blob(b, &kr1, p, 5, NULL);	/* same KEK, same plaintext */

	/* Truncation. */
	t = copy_file(a, "t");
	if (ftruncate(t, (off_t)(fsize(t) - 21)) != 0)
		perror("ftruncate");
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_FORMAT, "last segment dropped");
	set_plen(t, 3 * 65536);
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_TAG,
	    "last segment dropped and P fixed up");
	close(t);
	t = copy_file(a, "t");
	if (ftruncate(t, (off_t)(fsize(t) - 1)) != 0)
		perror("ftruncate");
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_FORMAT, "one byte dropped");
	set_plen(t, p - 1);
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_TAG,
	    "one byte dropped and P fixed up");
	close(t);
	t = mkfile("t");
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_FORMAT, "empty file");
	close(t);

	/* Extension. */
	t = copy_file(a, "t");
	pwrite_n(t, "x", 1, (off_t)fsize(t));
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_FORMAT, "one byte appended");
	set_plen(t, p + 1);
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_TAG,
	    "one byte appended and P fixed up");
	close(t);
	t = mkfile("t");
	write_blob(t, &kr1, p2, 5, NULL);
	copy_range(t, HDR, t, (off_t)fsize(t), SEGD);
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_FORMAT, "segment appended");
	set_plen(t, p2 + SEG);
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_TAG,
	    "segment appended and P fixed up");
	close(t);
	t = mkfile("t");
	write_blob(t, &kr1, p2, 5, NULL);
	copy_range(t, HDR + SEGD, t, (off_t)fsize(t), SEGD);	/* final again */
	set_plen(t, p2 + SEG);
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_TAG,
	    "final segment repeated and P fixed up");
	close(t);

	/* Reordering. */
	t = copy_file(a, "t");
	copy_range(a, HDR, t, HDR + SEGD, SEGD);
	copy_range(a, HDR + SEGD, t, HDR, SEGD);
	r = blob_reader_open(t, &kr1, NULL, -1, &e);
	ok(r != NULL, "swapped segments 0 and 1: opens (final intact)");
	if (r != NULL) {
		is_int(blob_reader_verify_all(r), BLOB_ERR_TAG, "  verify_all fails");
		blob_reader_free(r);
	}
	is_int(read_range(t, &kr1, 0, 10, 5, &c), BLOB_ERR_TAG,
	    "  reading segment 0 fails");
	is_int(c.bytes, 0, "  nothing released");
	is_int(read_range(t, &kr1, 2 * SEG, 10, 5, &c), BLOB_OK,
	    "  segment 2 still reads");
	close(t);
	t = copy_file(a, "t");
	copy_range(a, HDR + 2 * SEGD, t, HDR + 3 * SEGD, 5 + 16);
	copy_range(a, HDR + 3 * SEGD, t, HDR + 2 * SEGD, 5 + 16);
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_TAG,
	    "final and previous segment heads swapped");
	close(t);

	/* Splicing from another file under the same KEK. */
	t = copy_file(a, "t");
	copy_range(b, HDR + SEGD, t, HDR + SEGD, SEGD);
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_TAG, "segment 1 spliced from b");
	close(t);
	t = copy_file(a, "t");
	copy_range(b, HDR + 3 * SEGD, t, HDR + 3 * SEGD, 5 + 16);
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_TAG, "final segment spliced");
	close(t);
	t = copy_file(a, "t");
	copy_range(b, 0, t, 0, HDR);
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_TAG, "header spliced from b");
	close(t);
	t = copy_file(a, "t");
	copy_range(b, 64, t, 64, 96);
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_TAG, "key slots spliced from b");
	close(t);
	t = copy_file(a, "t");
	copy_range(b, 16, t, 16, 24);
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_TAG,
	    "id and nonce prefix spliced from b");
	close(t);

	/* Header P replaced. */
	t = copy_file(a, "t");
	set_plen(t, p - 2);
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_FORMAT, "P changed");
	if (ftruncate(t, (off_t)want_size(p - 2)) != 0)
		perror("ftruncate");
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_TAG, "P changed, size to match");
	set_plen(t, UINT64_MAX);
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_FORMAT, "P huge");
	close(t);
	t = copy_file(a, "t");
	set_plen(t, 0);
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_FORMAT, "P zeroed (unfinished)");
	close(t);

	/* A blob whose writer never finished. */
	t = mkfile("t");
	{
		struct blob_writer *w = blob_writer_new(t, &kr1, &e);

		memset(seg, 'z', sizeof(seg));
		blob_writer_write(w, seg, sizeof(seg));
		blob_writer_free(w);
	}
	is_int(read_all(t, &kr1, 5, &bad), BLOB_ERR_FORMAT, "unfinished blob");
	close(t);

	/* Keys. */
	is_int(read_all(a, &kr2, 5, &bad), BLOB_ERR_NOKEY, "other KEK id");
	{
		struct blob_kek wrong = k2;
		struct blob_keyring krw = { &wrong, 1, 1 };

		wrong.id = 1;
		is_int(read_all(a, &krw, 5, &bad), BLOB_ERR_NOKEY,
		    "same id, wrong key bytes");
		krw.n = 0;
		is_int(read_all(a, &krw, 5, &bad), BLOB_ERR_NOKEY, "empty keyring");
	}
	{
		struct blob_keyring none = { &k1, 1, 9 };

		ok(blob_writer_new(a, &none, &e) == NULL && e == BLOB_ERR_NOKEY,
		    "writer without the active KEK: NOKEY");
	}

	/* Expectations from the row. */
	r = blob_reader_open(a, &kr1, a_id, (int64_t)p, &e);
	ok(r != NULL, "expected id and length");
	blob_reader_free(r);
	a_id[15] ^= 1;
	r = blob_reader_open(a, &kr1, a_id, -1, &e);
	ok(r == NULL && e == BLOB_ERR_MISMATCH, "other expected id: MISMATCH");
	a_id[15] ^= 1;
	r = blob_reader_open(a, &kr1, a_id, (int64_t)p + 1, &e);
	ok(r == NULL && e == BLOB_ERR_MISMATCH, "other expected length: MISMATCH");
	r = blob_reader_open(a, &kr1, NULL, 0, &e);
	ok(r == NULL && e == BLOB_ERR_MISMATCH, "expected length 0: MISMATCH");
	close(a);
	close(b);
}

static void
test_writer_misuse(void)
{
	struct blob_writer *w;
	enum blob_err e;
	uint64_t p;
	int fd = mkfile("w"), bad;

	/* Old contents are replaced. */
	pwrite_n(fd, "junkjunk", 8, 300000);
	w = blob_writer_new(fd, &kr1, &e);
	blob_writer_write(w, "a", 1);
	is_int(blob_writer_finish(w, &p), BLOB_OK, "finish");
	is_int(p, 1, "P = 1");
	is_int(blob_writer_write(w, "b", 1), BLOB_ERR_RANGE, "write after finish");
	is_int(blob_writer_finish(w, NULL), BLOB_ERR_RANGE, "finish twice");
	blob_writer_free(w);
	is_int(fsize(fd), want_size(1), "old contents truncated away");
	close(fd);

	fd = open("/dev/null", O_RDONLY);
	w = blob_writer_new(fd, &kr1, &e);
	ok(w == NULL && e == BLOB_ERR_IO, "unwritable fd: IO");
	close(fd);
	blob_writer_free(NULL);
	blob_reader_free(NULL);
	(void)bad;
}

static void
test_rotation(void)
{
	unsigned char h0[HDR], h1[HDR], slot[48];
	uint32_t ids[2];
	struct blob_keyring only1 = { &k12[0], 1, 1 }, only2 = { &k12[1], 1, 2 };
	struct blob_keyring kr12b = { k12, 2, 2 }, with3 = { &k3, 1, 3 };
	struct blob_reader *r;
	enum blob_err e;
	uint64_t p = 65536 + 77;
	int a, t, bad;

	a = mkfile("rot");
	write_blob(a, &only1, p, 9, NULL);
	ok(blob_slot_ids(a, ids) == 0 && ids[0] == 1 && ids[1] == 0,
	    "new blob: slots 1, 0");
	pread_n(a, h0, HDR, 0);

	is_int(blob_rewrap(a, &only1, 2), BLOB_ERR_NOKEY, "rewrap to unknown KEK");
	is_int(blob_rewrap(a, &kr12b, 2), BLOB_OK, "rewrap 1 -> 2");
	ok(blob_slot_ids(a, ids) == 0 && ids[0] == 0 && ids[1] == 2,
	    "  slots now 0, 2");
	is_int(read_all(a, &only2, 9, &bad), BLOB_OK, "  reads with KEK 2 only");
	ok(!bad, "  right bytes");
	is_int(read_all(a, &only1, 9, &bad), BLOB_ERR_NOKEY,
	    "  KEK 1 alone no longer opens it");
	pread_n(a, h1, HDR, 0);
	ok(memcmp(h0, h1, 64) == 0, "  header bytes 0..63 unchanged");
	is_int(blob_rewrap(a, &only2, 2), BLOB_OK, "rewrap to 2 again");
	pread_n(a, h0, HDR, 0);
	ok(memcmp(h0, h1, HDR) == 0, "  idempotent: header unchanged");
	is_int(blob_rewrap(a, &kr12, 1), BLOB_OK, "rewrap 2 -> 1");
	ok(blob_slot_ids(a, ids) == 0 && ids[0] == 1 && ids[1] == 0,
	    "  slots now 1, 0");
	is_int(read_all(a, &only1, 9, &bad), BLOB_OK, "  reads with KEK 1 only");

	/* Crash after the new slot was written, before the old was zeroed. */
	t = copy_file(a, "crash");
	blob_rewrap(t, &kr12b, 2);			/* slots 0, 2 */
	copy_range(a, 64, t, 64, 48);			/* restore slot 0 = 1 */
	ok(blob_slot_ids(t, ids) == 0 && ids[0] == 1 && ids[1] == 2,
	    "crash state: slots 1, 2");
	is_int(read_all(t, &only1, 9, &bad), BLOB_OK, "  reads with KEK 1 only");
	is_int(read_all(t, &only2, 9, &bad), BLOB_OK, "  reads with KEK 2 only");
	r = blob_reader_open(t, &kr12, NULL, -1, &e);
	ok(r != NULL && blob_reader_bad_slots(r) == 0, "  both slots good");
	blob_reader_free(r);
	is_int(blob_rewrap(t, &kr12b, 2), BLOB_OK, "  rewrap finishes the job");
	ok(blob_slot_ids(t, ids) == 0 && ids[0] == 0 && ids[1] == 2,
	    "  slots now 0, 2");
	is_int(read_all(t, &only2, 9, &bad), BLOB_OK, "  reads with KEK 2 only");

	/* Crash with a torn new slot: the old one still opens it. */
	copy_range(a, 64, t, 64, 48);			/* slots 1, 2 */
	pread_n(t, slot, 48, 112);
	slot[20] ^= 0x40;
	pwrite_n(t, slot, 48, 112);
	is_int(read_all(t, &kr12, 9, &bad), BLOB_OK,
	    "torn new slot: reads with the old KEK");
	r = blob_reader_open(t, &kr12, NULL, -1, &e);
	ok(r != NULL && blob_reader_bad_slots(r) == 2, "  slot 1 reported bad");
	blob_reader_free(r);
	is_int(read_all(t, &only2, 9, &bad), BLOB_ERR_NOKEY,
	    "  KEK 2 alone cannot open it");
	is_int(blob_rewrap(t, &kr12b, 2), BLOB_OK, "  rewrap repairs it");
	is_int(read_all(t, &only2, 9, &bad), BLOB_OK, "  reads with KEK 2 only");
	close(t);

	/* Slot 0 spliced from another blob under the same KEK, slot 1 good:
	 * the reader falls through to slot 1 and reports slot 0. */
	t = copy_file(a, "crash");
	blob_rewrap(t, &kr12b, 2);			/* slots 0, 2 */
	{
		int o = mkfile("other");

		write_blob(o, &only1, 10, 1, NULL);
		copy_range(o, 64, t, 64, 48);		/* slots 1', 2 */
		close(o);
	}
	is_int(read_all(t, &only1, 9, &bad), BLOB_ERR_TAG,
	    "foreign slot 0 alone: TAG");
	r = blob_reader_open(t, &kr12, NULL, -1, &e);
	ok(r != NULL && blob_reader_bad_slots(r) == 1,
	    "foreign slot 0 + good slot 1: opens, slot 0 reported bad");
	blob_reader_free(r);
	is_int(blob_rewrap(t, &kr12b, 2), BLOB_OK, "  rewrap clears it");
	ok(blob_slot_ids(t, ids) == 0 && ids[0] == 0 && ids[1] == 2,
	    "  slots now 0, 2");
	close(t);

	/* A slot with a KEK not in the keyring is overwritten. */
	t = copy_file(a, "crash");			/* slots 1, 0 */
	pread_n(t, slot, 48, 64);
	slot[3] = 7;					/* kek id 7, garbage */
	pwrite_n(t, slot, 48, 112);
	is_int(read_all(t, &only1, 9, &bad), BLOB_OK, "unknown KEK in slot 1 ignored");
	{
		struct blob_kek kk[2] = { k12[0], k3 };
		struct blob_keyring kr13 = { kk, 2, 3 };

		is_int(blob_rewrap(t, &kr13, 3), BLOB_OK, "rewrap over it to KEK 3");
		ok(blob_slot_ids(t, ids) == 0 && ids[0] == 0 && ids[1] == 3,
		    "  slots now 0, 3");
	}
	is_int(read_all(t, &with3, 9, &bad), BLOB_OK, "  reads with KEK 3 only");
	close(t);

	/* A corrupt blob is not re-wrapped. */
	t = copy_file(a, "crash");
	flip(t, (HDR + SEGD + 3) * 8);			/* final segment */
	pread_n(t, h0, HDR, 0);
	ok(blob_rewrap(t, &kr12b, 2) == BLOB_ERR_TAG, "rewrap refuses a bad blob");
	pread_n(t, h1, HDR, 0);
	ok(memcmp(h0, h1, HDR) == 0, "  and leaves it alone");
	close(t);
	t = open("/dev/null", O_RDONLY);
	ok(blob_slot_ids(t, ids) == -1, "slot ids of a non-blob: -1");
	close(t);
	close(a);
}

/* --- blob_io: the codec over something that is not a file ------------ */

struct mem_io {
	struct blob_io	 io;
	unsigned char	*buf;
	uint64_t	 len, cap;
	unsigned	 syncs;
	int		 fail_write;	/* > 0: that many pwrites succeed */
};

static int
mem_pread(struct blob_io *io, void *buf, size_t n, uint64_t off)
{
	struct mem_io *m = (struct mem_io *)io;

	if (off > m->len || n > m->len - off)
		return -2;
	memcpy(buf, m->buf + off, n);
	return 0;
}

static int
mem_pwrite(struct blob_io *io, const void *buf, size_t n, uint64_t off)
{
	struct mem_io *m = (struct mem_io *)io;

	if (m->fail_write && --m->fail_write == 0) {
		errno = ENOSPC;
		return -1;
	}
	if (off + n > m->cap) {
		m->cap = (off + n) * 2;
		m->buf = xrealloc(m->buf, m->cap);
	}
	if (off > m->len)
		memset(m->buf + m->len, 0, off - m->len);
	memcpy(m->buf + off, buf, n);
	if (off + n > m->len)
		m->len = off + n;
	return 0;
}

static int
mem_size(struct blob_io *io, uint64_t *size)
{
	*size = ((struct mem_io *)io)->len;
	return 0;
}

static int
mem_truncate(struct blob_io *io, uint64_t size)
{
	struct mem_io *m = (struct mem_io *)io;

	if (size > m->len) {
		if (size > m->cap) {
			m->cap = size;
			m->buf = xrealloc(m->buf, m->cap);
		}
		memset(m->buf + m->len, 0, size - m->len);
	}
	m->len = size;
	return 0;
}

static int
mem_sync(struct blob_io *io)
{
	((struct mem_io *)io)->syncs++;
	return 0;
}

static void
test_mem_io(void)
{
	struct mem_io m = { { mem_pread, mem_pwrite, mem_size, mem_truncate,
	    mem_sync }, NULL, 0, 0, 0, 0 };
	static unsigned char buf[3 * SEG];
	struct blob_writer *w;
	struct blob_reader *r;
	struct chk c;
	enum blob_err e;
	uint32_t ids[2];
	uint64_t i, size = 2 * SEG + 777;
	int fd;

	for (i = 0; i < size; i++)
		buf[i] = pat(i, 9);
	w = blob_writer_new_io(&m.io, &kr1, &e);
	ok(w && blob_writer_write(w, buf, (size_t)size) == BLOB_OK &&
	    blob_writer_finish(w, NULL) == BLOB_OK, "a blob written to memory");
	ok(m.len == want_size(size) && m.syncs == 1, "  exact size, synced once");
	r = blob_reader_open_io(&m.io, &kr1, blob_writer_id(w), (int64_t)size, &e);
	blob_writer_free(w);
	memset(&c, 0, sizeof(c));
	c.seed = 9;
	ok(r && blob_reader_read(r, 0, size, chk_sink, &c) == BLOB_OK &&
	    c.bytes == size && !c.bad, "  read back whole");
	blob_reader_free(r);

	/* The same bytes in a file read the same: the format does not
	 * depend on the backend. */
	fd = mkfile("from-mem");
	pwrite_n(fd, m.buf, (size_t)m.len, 0);
	r = blob_reader_open(fd, &kr1, NULL, (int64_t)size, &e);
	ok(r != NULL, "  and as a file, byte for byte");
	blob_reader_free(r);
	close(fd);

	ok(blob_rewrap_io(&m.io, &kr12, 2) == BLOB_OK &&
	    blob_slot_ids_io(&m.io, ids) == 0 && ids[0] == 0 && ids[1] == 2,
	    "rewrap in memory: slots 0, 2");
	r = blob_reader_open_io(&m.io, &kr2, NULL, -1, &e);
	ok(r != NULL, "  readable with the new KEK only");
	blob_reader_free(r);

	m.buf[m.len - 1] ^= 1;
	r = blob_reader_open_io(&m.io, &kr2, NULL, -1, &e);
	ok(r == NULL && e == BLOB_ERR_TAG, "a flipped tag bit: TAG");
	m.len--;
	r = blob_reader_open_io(&m.io, &kr2, NULL, -1, &e);
	ok(r == NULL && e == BLOB_ERR_FORMAT, "one byte short: FORMAT");

	m.len = 0;
	m.fail_write = 3;
	w = blob_writer_new_io(&m.io, &kr1, &e);
	ok(w && blob_writer_write(w, buf, (size_t)size) == BLOB_ERR_IO,
	    "a failing pwrite: IO from write");
	ok(blob_writer_finish(w, NULL) == BLOB_ERR_IO, "  and sticks");
	blob_writer_free(w);
	free(m.buf);
}

static void
test_kek_files(void)
{
	struct blob_kek k;
	struct stat st;
	unsigned char raw[33];
	char *p = fpath("kek"), *q = fpath("kek-bad");
	mode_t old = umask(0);
	int fd;

	is_int(keyfile_create(p, 32), 0, "kek create");
	ok(stat(p, &st) == 0 && (st.st_mode & 07777) == 0600 && st.st_size == 32,
	    "  mode 0600, 32 bytes");
	ok(keyfile_create(p, 32) == -1 && errno == EEXIST, "  never overwritten");
	memset(&k, 0, sizeof(k));
	is_int(keyfile_kek_load(p, 5, &k), 0, "kek load");
	fd = open(p, O_RDONLY);
	pread_n(fd, raw, 32, 0);
	close(fd);
	ok(k.id == 5 && memcmp(k.key, raw, 32) == 0, "  id and key bytes");
	chmod(p, 0640);
	ok(keyfile_kek_load(p, 5, &k) == -1 && errno == EPERM, "  0640 refused (EPERM)");
	chmod(p, 0604);
	ok(keyfile_kek_load(p, 5, &k) == -1 && errno == EPERM, "  0604 refused (EPERM)");
	chmod(p, 0610);
	ok(keyfile_kek_load(p, 5, &k) == -1 && errno == EPERM, "  0610 refused (EPERM)");
	chmod(p, 0400);
	is_int(keyfile_kek_load(p, 5, &k), 0, "  0400 accepted");

	fd = open(q, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	pwrite_n(fd, raw, 31, 0);
	ok(keyfile_kek_load(q, 1, &k) == -1 && errno == EINVAL, "31 bytes refused");
	pwrite_n(fd, raw, 33, 0);
	ok(keyfile_kek_load(q, 1, &k) == -1 && errno == EINVAL, "33 bytes refused");
	close(fd);
	ok(keyfile_kek_load(dir, 1, &k) == -1, "a directory refused");
	unlink(q);
	ok(keyfile_kek_load(q, 1, &k) == -1 && errno == ENOENT, "missing file");
	ok(symlink(p, q) == 0 && keyfile_kek_load(q, 1, &k) == -1 && errno == ELOOP,
	    "a symlink to a good key refused (ELOOP)");
	ok(keyfile_create(q, 32) == -1 && errno == EEXIST, "create refuses a symlink's name");
	unlink(q);
	{
		char *target = fpath("kek-target");

		ok(symlink(target, q) == 0 && keyfile_create(q, 32) == -1 &&
		    access(target, F_OK) == -1, "  a dangling one too, creating nothing");
		free(target);
	}
	unlink(q);
	umask(077);
	ok(keyfile_create(q, 48) == 0 && stat(q, &st) == 0 &&
	    (st.st_mode & 07777) == 0600 && st.st_size == 48, "any length, 0600 under umask 077");
	{
		unsigned char sec[64];
		size_t len = 0;

		ok(keyfile_read(q, sec, 32, 64, &len) == 0 && len == 48, "  read back 48 of 32..64");
		ok(keyfile_read(q, sec, 49, 64, &len) == -1 && errno == EINVAL, "  too short for 49..64");
		ok(keyfile_read(q, sec, 16, 32, &len) == -1 && errno == EINVAL, "  too long for 16..32");
	}
	ok(keyfile_create(q, 0) == -1 && errno == EINVAL && keyfile_create(q, 65) == -1,
	    "lengths 0 and 65 refused");
	unlink(q);
	umask(old);
	free(p);
	free(q);
}

int
main(void)
{
	if (!gcry_check_version(GCRYPT_VERSION)) {
		fprintf(stderr, "libgcrypt version mismatch\n");
		return 2;
	}
	gcry_control(GCRYCTL_SUSPEND_SECMEM_WARN);
	gcry_control(GCRYCTL_INIT_SECMEM, 65536, 0);
	gcry_control(GCRYCTL_RESUME_SECMEM_WARN);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	k1.id = 1;
	gcry_randomize(k1.key, 32, GCRY_STRONG_RANDOM);
	k2.id = 2;
	gcry_randomize(k2.key, 32, GCRY_STRONG_RANDOM);
	k3.id = 3;
	gcry_randomize(k3.key, 32, GCRY_STRONG_RANDOM);
	k12[0] = k1;
	k12[1] = k2;

	test_roundtrip();
	test_ranges();
	test_bitflips();
	test_structure();
	test_writer_misuse();
	test_rotation();
	test_mem_io();
	test_kek_files();

	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
