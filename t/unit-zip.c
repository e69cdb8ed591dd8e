/* Unit tests of lib/zip.c: archives are written through the callback
 * and judged by Info-ZIP's unzip (-t for integrity, -p for contents);
 * the Zip64 records of a > 4 GiB archive are parsed from the head and
 * tail of a stream that is counted, not stored.  TCLOUD_ZIP_BIG=1 also
 * writes that archive as a sparse file in /tmp for unzip -t. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "xmalloc.h"
#include "zip.h"

#define MTIME	1700000000	/* 2023-11-14T22:13:20Z, even seconds */

static unsigned char zeros[1 << 20];

/* --- helpers ---------------------------------------------------------- */

struct fsink {
	FILE		*fp;
	uint64_t	 n;
	int		 failafter;	/* > 0: fail that call */
};

static int
to_file(void *arg, const void *buf, size_t len)
{
	struct fsink *s = arg;

	if (s->failafter > 0 && --s->failafter == 0)
		return -1;
	s->n += len;
	return fwrite(buf, 1, len, s->fp) == len ? 0 : -1;
}

static char *
tmpzip(struct fsink *s)
{
	char path[] = "/tmp/tcloud-zip-XXXXXX.zip";
	int fd = mkstemps(path, 4);

	if (fd == -1 || (s->fp = fdopen(fd, "w")) == NULL) {
		perror("mkstemps");
		exit(1);
	}
	s->n = 0;
	s->failafter = 0;
	return xstrdup(path);
}

/* Run a shell command: exit status, stdout+stderr in *out (heap). */
static int
run(const char *cmd, char **out, size_t *outlen)
{
	FILE *p = popen(cmd, "r");
	size_t cap = 65536, n = 0, r;
	char *buf = xmalloc(cap);
	int st;

	if (p == NULL) {
		perror("popen");
		exit(1);
	}
	while ((r = fread(buf + n, 1, cap - n, p)) > 0)
		if ((n += r) == cap)
			buf = xrealloc(buf, cap *= 2);
	st = pclose(p);
	buf = xrealloc(buf, n + 1);
	buf[n] = '\0';
	if (out != NULL) {
		*out = buf;
		*outlen = n;
	} else
		free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* unzip -t's verdict, its output as TAP diagnostics when it objects. */
static int
unzip_test(const char *path, const char *what)
{
	char *cmd = xasprintf("unzip -tqq '%s' 2>&1", path), *out;
	size_t len;
	int rc = run(cmd, &out, &len);

	if (!ok(rc == 0, "%s: unzip -t passes", what))
		printf("# exit %d: %.2000s\n", rc, out);
	free(cmd);
	free(out);
	return rc;
}

/* unzip -p path name must print exactly want[0..wantlen). */
static void
unzip_is(const char *path, const char *name, const void *want,
    size_t wantlen)
{
	char *cmd = xasprintf("unzip -p '%s' '%s'", path, name), *out;
	size_t len;
	int rc = run(cmd, &out, &len);

	if (!ok(rc == 0 && len == wantlen && memcmp(out, want, len) == 0,
	    "unzip -p %s: byte-exact", name))
		printf("# exit %d, %zu bytes, want %zu\n", rc, len, wantlen);
	free(cmd);
	free(out);
}

static uint16_t
rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
rd32(const unsigned char *p)
{
	return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t
rd64(const unsigned char *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) < 0)
		return NULL;
	rewind(fp);
	buf = xmalloc(n + 1);
	*len = fread(buf, 1, n, fp);
	fclose(fp);
	return buf;
}

/* Bitwise CRC-32, the definition the tables must agree with. */
static uint32_t
crc_slow(uint32_t crc, const unsigned char *p, size_t len)
{
	int k;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
	}
	return ~crc;
}

/* a * b modulo the CRC polynomial, bit-reflected (x^0 is bit 31). */
static uint32_t
multmodp(uint32_t a, uint32_t b)
{
	uint32_t m = 1u << 31, p = 0;

	for (;;) {
		if (a & m) {
			p ^= b;
			if ((a & (m - 1)) == 0)
				break;
		}
		m >>= 1;
		b = b & 1 ? (b >> 1) ^ 0xedb88320u : b >> 1;
	}
	return p;
}

/* CRC-32 of n zero bytes, without reading them: a zero byte multiplies
 * the register by x^8, so n of them by x^(8n). */
static uint32_t
crc_zeros(uint64_t n)
{
	uint32_t r = 1u << 31, x8 = 1u << 23;

	for (; n; n >>= 1, x8 = multmodp(x8, x8))
		if (n & 1)
			r = multmodp(r, x8);
	return ~multmodp(r, 0xffffffffu);
}

static uint32_t
rnd(void)
{
	static uint32_t s = 2463534242u;

	s ^= s << 13;
	s ^= s >> 17;
	s ^= s << 5;
	return s;
}

/* --- cases ------------------------------------------------------------ */

static void
test_crc(void)
{
	unsigned char buf[1000], z[100] = { 0 };
	uint32_t c;
	size_t i, off, len;
	int good = 1;

	is_int(zip_crc32(0, "123456789", 9), 0xcbf43926u,
	    "CRC-32 of \"123456789\" is 0xCBF43926");
	is_int(zip_crc32(0, "", 0), 0, "CRC-32 of nothing is 0");
	c = zip_crc32(0, "1234", 4);
	is_int(zip_crc32(c, "56789", 5), 0xcbf43926u, "CRC-32 continues");
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = rnd();
	for (i = 0; i < 2000 && good; i++) {
		off = rnd() % 16;
		len = rnd() % (sizeof(buf) - off);
		good = zip_crc32(i, buf + off, len) ==
		    crc_slow(i, buf + off, len);
	}
	ok(good, "slicing-by-8 agrees with bitwise at any offset/length");
	{
		/* Long runs go through the folding path where the CPU has
		 * PCLMULQDQ: any length, offset and split point. */
		size_t big = 70000, cut;
		unsigned char *b = xmalloc(big + 16);

		for (i = 0; i < big + 16; i++)
			b[i] = rnd();
		for (i = 0, good = 1; i < 40 && good; i++) {
			off = rnd() % 16;
			len = rnd() % big;
			cut = len ? rnd() % len : 0;
			c = zip_crc32((uint32_t)i, b + off, cut);
			c = zip_crc32(c, b + off + cut, len - cut);
			good = c == crc_slow((uint32_t)i, b + off, len);
		}
		ok(good, "long runs, split anywhere, agree with bitwise");
		free(b);
	}
	for (i = 0, good = 1; i <= sizeof(z); i++)
		good &= crc_zeros(i) == zip_crc32(0, z, i);
	ok(good, "CRC-32 of zeros by polynomial arithmetic agrees");
}

static void
test_empty(void)
{
	static const unsigned char eocd[22] = { 'P', 'K', 5, 6 };
	struct fsink s;
	char *path = tmpzip(&s), *cmd, *out;
	unsigned char *buf;
	struct zip *z = zip_new(to_file, &s);
	size_t len;

	is_int(zip_finish(z), 0, "empty: zip_finish");
	fclose(s.fp);
	buf = slurp(path, &len);
	ok(len == 22 && memcmp(buf, eocd, 22) == 0,
	    "empty: a lone end of central directory record");
	is_int(zip_size_for(NULL, 0), 22, "empty: zip_size_for");
	/* Info-ZIP exits 1 with a warning on a valid empty archive (and
	 * 9 when it finds no end record). */
	cmd = xasprintf("unzip -t '%s' 2>&1", path);
	ok(run(cmd, &out, &len) == 1 && strstr(out, "zipfile is empty"),
	    "empty: unzip -t sees an empty zipfile");
	is_int(zip_finish(z), -1, "empty: second zip_finish fails");
	is_int(zip_dir(z, "late", 0), -1, "empty: no entry after finish");
	free(out);
	free(cmd);
	free(buf);
	zip_free(z);
	unlink(path);
	free(path);
}

static void
test_one_empty_file(void)
{
	struct fsink s;
	char *path = tmpzip(&s);
	struct zip *z = zip_new(to_file, &s);
	struct zip_sizeent se = { 9, 0, 0 };

	is_int(zip_file_begin(z, "empty.txt", 0, MTIME), 0, "one: begin");
	is_int(zip_file_end(z), 0, "one: end");
	is_int(zip_finish(z), 0, "one: finish");
	fclose(s.fp);
	unzip_test(path, "one empty file");
	unzip_is(path, "empty.txt", "", 0);
	is_int(s.n, zip_size_for(&se, 1), "one: zip_size_for is exact");
	zip_free(z);
	unlink(path);
	free(path);
}

/* Feed buf in chunks of random sizes up to max. */
static int
feed(struct zip *z, const unsigned char *buf, size_t len, size_t max)
{
	size_t n;

	for (; len > 0; buf += n, len -= n) {
		n = rnd() % max + 1;
		if (n > len)
			n = len;
		if (zip_file_data(z, buf, n) == -1)
			return -1;
	}
	return 0;
}

static void
test_tree(void)
{
	struct ent {
		const char	*name;		/* as given */
		const char	*stored;
		size_t		 size;
		size_t		 chunk;
	} ents[] = {
		{ "docs", "docs/", 0, 0 },
		{ "docs/empty/", "docs/empty/", 0, 0 },
		{ "docs/readme.txt", NULL, 13, 5 },
		{ "docs/all256.bin", NULL, 3 * 256, 3 },
		{ "empty-top", "empty-top/", 0, 0 },
		{ "résumé.txt", NULL, 20, 20 },
		{ "日本語/", "日本語/", 0, 0 },
		{ "日本語/ファイル.bin", NULL, (1 << 20) + 7, 70000 },
		{ "zero.bin", NULL, 0, 1 },
	};
	const size_t n = sizeof(ents) / sizeof(ents[0]);
	struct zip_sizeent se[sizeof(ents) / sizeof(ents[0])];
	unsigned char *data[sizeof(ents) / sizeof(ents[0])];
	struct fsink s;
	struct stat st;
	char *path = tmpzip(&s), *cmd, *out, *want, *dir, *p;
	struct zip *z = zip_new(to_file, &s);
	size_t i, j, len;
	int good = 1, rc;

	for (i = 0; i < n; i++) {
		data[i] = xmalloc(ents[i].size + 1);
		for (j = 0; j < ents[i].size; j++)
			data[i][j] = i == 3 ? j % 256 : rnd();
		if (i == 2)
			memcpy(data[i], "hello, world\n", 13);
		if (i == 5)
			memcpy(data[i], "curriculum vitæ ☺\n", 20);
		se[i].isdir = ents[i].stored != NULL;
		se[i].namelen = strlen(se[i].isdir ?
		    ents[i].stored : ents[i].name);
		se[i].size = ents[i].size;
		if (se[i].isdir)
			rc = zip_dir(z, ents[i].name, MTIME);
		else if ((rc = zip_file_begin(z, ents[i].name, ents[i].size,
		    MTIME)) == 0 &&
		    (rc = feed(z, data[i], ents[i].size, ents[i].chunk)) == 0)
			rc = zip_file_end(z);
		good &= rc == 0;
	}
	ok(good, "tree: every entry written");
	is_int(zip_finish(z), 0, "tree: finish");
	fclose(s.fp);
	is_int(s.n, zip_size_for(se, n), "tree: zip_size_for is exact");
	unzip_test(path, "tree");
	for (i = 0; i < n; i++)
		if (!se[i].isdir)
			unzip_is(path, ents[i].name, data[i], ents[i].size);

	/* The listing, in order, with the directories' trailing '/'. */
	want = xstrdup("");
	for (i = 0; i < n; i++) {
		p = xasprintf("%s%s\n", want,
		    se[i].isdir ? ents[i].stored : ents[i].name);
		free(want);
		want = p;
	}
	cmd = xasprintf("zipinfo -1 '%s'", path);
	rc = run(cmd, &out, &len);
	ok(rc == 0 && strcmp(out, want) == 0, "tree: names and order");
	free(cmd);
	free(out);
	free(want);

	/* Extracted: empty directories exist, mtimes survive exactly. */
	dir = xstrdup("/tmp/tcloud-unzip-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	cmd = xasprintf("unzip -qq -d '%s' '%s' 2>&1", dir, path);
	is_int(run(cmd, NULL, NULL), 0, "tree: unzip extracts");
	free(cmd);
	p = xasprintf("%s/docs/empty", dir);
	ok(stat(p, &st) == 0 && S_ISDIR(st.st_mode), "tree: empty dir made");
	free(p);
	p = xasprintf("%s/empty-top", dir);
	ok(stat(p, &st) == 0 && S_ISDIR(st.st_mode), "tree: empty top dir");
	free(p);
	p = xasprintf("%s/日本語/ファイル.bin", dir);
	ok(stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size == (1 << 20) + 7 && st.st_mtime == MTIME &&
	    (st.st_mode & 0777) == 0644, "tree: unicode file, mtime, mode");
	free(p);
	cmd = xasprintf("rm -rf '%s'", dir);
	run(cmd, NULL, NULL);
	free(cmd);
	free(dir);

	for (i = 0; i < n; i++)
		free(data[i]);
	zip_free(z);
	unlink(path);
	free(path);
}

static void
test_many(void)
{
	const size_t n = 70000;
	struct zip_sizeent *se = xcalloc(n, sizeof(*se));
	struct fsink s;
	char *path = tmpzip(&s), *cmd, *out, name[32];
	unsigned char *buf, *e;
	struct zip *z = zip_new(to_file, &s);
	size_t i, len, lines;
	int good;

	good = zip_dir(z, "m/", MTIME) == 0;
	se[0] = (struct zip_sizeent){ 2, 0, 1 };
	for (i = 1; i < n && good; i++) {
		snprintf(name, sizeof(name), "m/%05zu", i);
		se[i] = (struct zip_sizeent){ strlen(name), i % 3, 0 };
		good = zip_file_begin(z, name, i % 3, MTIME) == 0 &&
		    zip_file_data(z, "ab", i % 3) == 0 && zip_file_end(z) == 0;
	}
	ok(good, "many: %zu entries written", n);
	is_int(zip_finish(z), 0, "many: finish");
	fclose(s.fp);
	is_int(s.n, zip_size_for(se, n), "many: zip_size_for is exact");

	/* 4.4.1.4: the count needs the Zip64 end records. */
	buf = slurp(path, &len);
	e = buf + len - 22;
	ok(rd32(e) == 0x06054b50 && rd16(e + 8) == 0xffff &&
	    rd16(e + 10) == 0xffff, "many: EOCD count reads 0xffff");
	ok(rd32(e - 20) == 0x07064b50 && rd64(e - 20 + 8) == len - 22 - 20 - 56,
	    "many: Zip64 locator points at the Zip64 EOCD");
	e -= 20 + 56;
	ok(rd32(e) == 0x06064b50 && rd64(e + 24) == n && rd64(e + 32) == n &&
	    rd64(e + 48) + rd64(e + 40) == len - 22 - 20 - 56,
	    "many: Zip64 EOCD has the count and the directory");
	free(buf);

	unzip_test(path, "many");
	cmd = xasprintf("zipinfo -1 '%s'", path);
	good = run(cmd, &out, &len) == 0;
	for (i = lines = 0; i < len; i++)
		lines += out[i] == '\n';
	ok(good && lines == n, "many: zipinfo lists %zu entries", lines);
	free(cmd);
	free(out);
	unzip_is(path, "m/69998", "ab", 2);
	zip_free(z);
	free(se);
	unlink(path);
	free(path);
}

static void
test_misuse(void)
{
	static const char *bad[] = {
		"", "/", "/etc/passwd", "../x", "a/../b", "a/..", "..",
		"a\\b", "a//b", "./a", "a/./b", ".", "a/",
		"\xff", "a\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a\xe6\x97",
	};
	static const char *baddir[] = { "", "/", "//", "/abs/", "a/../", "..",
	    "a\\b/", "a//" };
	struct fsink s;
	char *path = tmpzip(&s), *long_name;
	struct zip *z = zip_new(to_file, &s);
	size_t i;
	int good = 1;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (zip_file_begin(z, bad[i], 1, MTIME) != -1) {
			printf("# accepted file name %zu\n", i);
			good = 0;
		}
	ok(good, "bad file names rejected");
	for (i = 0, good = 1; i < sizeof(baddir) / sizeof(baddir[0]); i++)
		if (zip_dir(z, baddir[i], MTIME) != -1) {
			printf("# accepted dir name %zu\n", i);
			good = 0;
		}
	ok(good, "bad directory names rejected");
	long_name = xmalloc(70000);
	memset(long_name, 'a', 69999);
	long_name[69999] = '\0';
	is_int(zip_file_begin(z, long_name, 0, MTIME), -1,
	    "name over 65535 bytes rejected");
	free(long_name);
	is_int(s.n, 0, "nothing written for rejected names");
	is_int(zip_file_begin(z, "a..b/.c/..d", 0, MTIME), 0,
	    "dots inside components are fine");
	is_int(zip_file_end(z), 0, "...and the writer still works");

	is_int(zip_file_data(z, "x", 1), -1, "data outside a file fails");
	is_int(zip_file_end(z), -1, "end outside a file fails");
	is_int(zip_file_begin(z, "f", 3, MTIME), 0, "begin f (3 bytes)");
	is_int(zip_file_begin(z, "g", 3, MTIME), -1, "begin inside a file");
	is_int(zip_dir(z, "d", MTIME), -1, "dir inside a file fails");
	is_int(zip_finish(z), -1, "finish inside a file fails");
	is_int(zip_file_data(z, "xyz", 3), 0, "3 bytes");
	is_int(zip_file_end(z), 0, "end f");
	is_int(zip_finish(z), 0, "finish after misuse");
	fclose(s.fp);
	unzip_test(path, "after rejected calls");
	unzip_is(path, "f", "xyz", 3);
	zip_free(z);
	unlink(path);
	free(path);

	/* Short and long files break the archive for good. */
	path = tmpzip(&s);
	z = zip_new(to_file, &s);
	zip_file_begin(z, "short", 10, MTIME);
	zip_file_data(z, "12345", 5);
	is_int(zip_file_end(z), -1, "zip_file_end with a wrong size fails");
	is_int(zip_dir(z, "d", MTIME), -1, "...and nothing works after");
	is_int(zip_finish(z), -1, "...not even finish");
	zip_free(z);
	z = zip_new(to_file, &s);
	zip_file_begin(z, "long", 3, MTIME);
	is_int(zip_file_data(z, "12345", 5), -1,
	    "zip_file_data past expected_size fails");
	is_int(zip_file_end(z), -1, "...and so does end");
	zip_free(z);

	/* A refusing sink stops the writer. */
	z = zip_new(to_file, &s);
	s.failafter = 1;
	zip_file_begin(z, "x", sizeof(zeros), MTIME);
	is_int(zip_file_data(z, zeros, sizeof(zeros)), -1,
	    "sink failure reported");
	is_int(zip_file_end(z), -1, "...and sticks");
	zip_free(z);
	zip_free(NULL);
	fclose(s.fp);
	unlink(path);
	free(path);
}

/* --- Zip64 sizes and offsets: a > 4 GiB stream ------------------------ */

#define BIG	((UINT64_C(1) << 32) + (1 << 20) + 3)
#define WIN	65536

/* Keeps the first and last WIN bytes of the stream and counts it. */
struct csink {
	uint64_t	 n;
	unsigned char	 head[WIN];
	unsigned char	 ring[WIN];
	int		 fd;		/* >= 0: also write, sparse */
	int		 err;
};

static int
to_counter(void *arg, const void *buf, size_t len)
{
	struct csink *s = arg;
	const unsigned char *b = buf;
	size_t i, k, m;
	ssize_t w;

	if (s->fd >= 0 && b == zeros) {
		if (lseek(s->fd, len, SEEK_CUR) == -1)
			s->err = errno;
	} else if (s->fd >= 0) {
		for (i = 0; i < len; i += w)
			if ((w = write(s->fd, b + i, len - i)) <= 0) {
				s->err = errno;
				return -1;
			}
	}
	if (s->n < WIN)
		memcpy(s->head + s->n, b, len < WIN - s->n ? len : WIN - s->n);
	i = len > WIN ? len - WIN : 0;
	while (i < len) {
		k = (s->n + i) % WIN;
		m = WIN - k < len - i ? WIN - k : len - i;
		memcpy(s->ring + k, b + i, m);
		i += m;
	}
	s->n += len;
	return 0;
}

/* dir "big/", BIG zero bytes, a small file and a dir past 4 GiB. */
static int
stream_big(struct csink *s)
{
	struct zip *z = zip_new(to_counter, s);
	uint64_t left;
	size_t n;
	int rc = -1;

	if (zip_dir(z, "big", MTIME) == -1 ||
	    zip_file_begin(z, "big/zeros.bin", BIG, MTIME) == -1)
		goto out;
	for (left = BIG; left > 0; left -= n) {
		n = left < sizeof(zeros) ? left : sizeof(zeros);
		if (zip_file_data(z, zeros, n) == -1)
			goto out;
	}
	if (zip_file_end(z) == -1 ||
	    zip_file_begin(z, "big/after.txt", 6, MTIME) == -1 ||
	    zip_file_data(z, "hello\n", 6) == -1 || zip_file_end(z) == -1 ||
	    zip_dir(z, "big/z", MTIME) == -1 || zip_finish(z) == -1)
		goto out;
	rc = 0;
out:
	zip_free(z);
	return rc;
}

static void
test_big(void)
{
	static const char *names[] = {
	    "big/", "big/zeros.bin", "big/after.txt", "big/z/" };
	struct zip_sizeent se[] = {
		{ 4, 0, 1 }, { 13, BIG, 0 }, { 13, 6, 0 }, { 6, 0, 1 } };
	struct csink *s = xcalloc(1, sizeof(*s));
	unsigned char *t = xmalloc(WIN), *p, *x;
	uint64_t base, e64, cdoff, cdlen, off[4];
	size_t i;
	int good;

	s->fd = -1;
	ok(stream_big(s) == 0, "big: %llu bytes streamed",
	    (unsigned long long)BIG);
	is_int(s->n, zip_size_for(se, 4), "big: zip_size_for is exact");

	/* Head: "big/" then the Zip64 local header of zeros.bin. */
	p = s->head + 30 + 4 + 9;
	ok(rd32(p) == 0x04034b50 && rd16(p + 4) == 45 &&
	    rd16(p + 6) == 0x0808 && rd32(p + 14) == 0 &&
	    rd32(p + 18) == 0xffffffff && rd32(p + 22) == 0xffffffff &&
	    rd16(p + 28) == 20 + 9, "big: local header says Zip64 (4.5.3)");
	x = p + 30 + 13;
	ok(rd16(x) == 1 && rd16(x + 2) == 16 && rd64(x + 4) == 0 &&
	    rd64(x + 12) == 0, "big: local Zip64 extra with zero sizes");

	/* Tail, linearised: base is the offset of t[0]. */
	base = s->n - WIN;
	for (i = 0; i < WIN; i++)
		t[i] = s->ring[(base + i) % WIN];
#define AT(o)	(t + ((o) - base))
	p = AT(s->n - 22);
	ok(rd32(p) == 0x06054b50 && rd16(p + 8) == 4 && rd16(p + 10) == 4 &&
	    rd32(p + 16) == 0xffffffff && rd16(p + 20) == 0,
	    "big: EOCD sends the offset to Zip64 (4.4.1.4)");
	p = AT(s->n - 22 - 20);
	e64 = rd64(p + 8);
	ok(rd32(p) == 0x07064b50 && rd32(p + 4) == 0 &&
	    e64 == s->n - 22 - 20 - 56 && rd32(p + 16) == 1,
	    "big: Zip64 locator (4.3.15)");
	p = AT(e64);
	cdlen = rd64(p + 40);
	cdoff = rd64(p + 48);
	ok(rd32(p) == 0x06064b50 && rd64(p + 4) == 44 && rd16(p + 14) == 45 &&
	    rd64(p + 24) == 4 && rd64(p + 32) == 4 && cdoff + cdlen == e64 &&
	    cdoff > 0xffffffffu && rd32(AT(s->n - 22) + 12) == cdlen,
	    "big: Zip64 EOCD record (4.3.14)");

	/* Central directory: names, offsets, Zip64 fields where needed. */
	p = AT(cdoff);
	for (i = 0, good = 1; i < 4 && good; i++) {
		uint16_t nl = rd16(p + 28), xl = rd16(p + 30);

		good = rd32(p) == 0x02014b50 && nl == strlen(names[i]) &&
		    memcmp(p + 46, names[i], nl) == 0;
		x = p + 46 + nl;
		off[i] = rd32(p + 42);
		if (i == 1)
			good &= rd32(p + 20) == 0xffffffff &&
			    rd32(p + 24) == 0xffffffff && rd16(x) == 1 &&
			    rd16(x + 2) == 16 && rd64(x + 4) == BIG &&
			    rd64(x + 12) == BIG && rd16(p + 6) == 45 &&
			    rd32(p + 16) == crc_zeros(BIG);
		if (i >= 2) {
			good &= off[i] == 0xffffffff && rd16(x) == 1 &&
			    rd16(x + 2) == 8 && rd16(p + 6) == 45;
			off[i] = rd64(x + 4);
		}
		if (i == 2)
			good &= rd32(p + 16) == zip_crc32(0, "hello\n", 6) &&
			    rd32(p + 20) == 6 && rd32(p + 24) == 6;
		if (!good)
			printf("# central entry %zu\n", i);
		p = x + xl;
	}
	ok(good, "big: central directory with Zip64 sizes and offsets");
	ok(off[0] == 0 && off[1] == 43 &&
	    off[2] == off[1] + 30 + 13 + 29 + BIG + 24 &&
	    off[3] == off[2] + 30 + 13 + 9 + 6 + 16,
	    "big: local header offsets");
	p = AT(off[2] - 24);
	ok(rd32(p) == 0x08074b50 && rd32(p + 4) == crc_zeros(BIG) &&
	    rd64(p + 8) == BIG && rd64(p + 16) == BIG,
	    "big: data descriptor with 8-byte sizes (4.3.9.2)");
	p = AT(off[3] - 16);
	ok(rd32(p) == 0x08074b50 && rd32(p + 8) == 6 && rd32(p + 12) == 6,
	    "big: small file's descriptor has 4-byte sizes");
	p = AT(off[2]);
	ok(rd32(p) == 0x04034b50 && rd16(p + 4) == 20 && rd32(p + 18) == 0,
	    "big: small file past 4 GiB has no local Zip64");
#undef AT
	free(t);
	free(s);
}

/* The same archive as a sparse file, for unzip itself (slow). */
static void
test_big_file(void)
{
	struct csink *s = xcalloc(1, sizeof(*s));
	char path[] = "/tmp/tcloud-zipbig-XXXXXX.zip";

	if ((s->fd = mkstemps(path, 4)) == -1) {
		perror("mkstemps");
		exit(1);
	}
	ok(stream_big(s) == 0 && s->err == 0 && close(s->fd) == 0,
	    "big file: written (sparse)");
	unzip_test(path, "big file");
	unzip_is(path, "big/after.txt", "hello\n", 6);
	unlink(path);
	free(s);
}

int
main(void)
{
	/* unzip maps UTF-8 names through the locale. */
	setenv("LC_ALL", "C.UTF-8", 1);
	test_crc();
	test_empty();
	test_one_empty_file();
	test_tree();
	test_many();
	test_misuse();
	test_big();
	if (getenv("TCLOUD_ZIP_BIG") != NULL)
		test_big_file();
	else
		ok(1, "# SKIP big file: set TCLOUD_ZIP_BIG=1 for a sparse "
		    "4 GiB archive and unzip -t");
	return done_testing();
}
