/* Streaming ZIP writer; section numbers refer to PKWARE's APPNOTE.TXT
 * 6.3.x.  Layout of one archive:
 *
 *   per directory: local header (4.3.7)
 *   per file:      local header, data, data descriptor (4.3.9)
 *   central directory headers (4.3.12), one per entry
 *   [Zip64 end of central directory record (4.3.14) and locator (4.3.15)]
 *   end of central directory record (4.3.16)
 *
 * A file's CRC-32 and size are known only after its data, so files set
 * general purpose bit 3 and carry them in a data descriptor.  Whether a
 * file needs Zip64 is decided from its announced size before its header
 * is written: such a file gets a Zip64 extra field in its local header
 * and 8-byte sizes in its descriptor (4.3.9.2, 4.5.3).  Offsets beyond
 * 4 GiB only show in the central directory, which is written last. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xmalloc.h"
#include <zlib.h>

#include "zip.h"

#define SIG_LOCAL	0x04034b50	/* 4.3.7 */
#define SIG_DESC	0x08074b50	/* 4.3.9.3 */
#define SIG_CENTRAL	0x02014b50	/* 4.3.12 */
#define SIG_EOCD64	0x06064b50	/* 4.3.14 */
#define SIG_LOC64	0x07064b50	/* 4.3.15 */
#define SIG_EOCD	0x06054b50	/* 4.3.16 */

#define LOCAL_LEN	30		/* 4.3.7, before name and extra */
#define DESC_LEN	16		/* 4.3.9, with signature */
#define DESC64_LEN	24		/* 4.3.9, 8-byte sizes */
#define CENTRAL_LEN	46		/* 4.3.12, before name and extra */
#define EOCD64_LEN	56		/* 4.3.14 */
#define LOC64_LEN	20		/* 4.3.15 */
#define EOCD_LEN	22		/* 4.3.16 */
#define X64_LOCAL_LEN	20		/* 4.5.3: header + both sizes */
#define XUT_LEN		9		/* 4.6.1 0x5455: header, flags, mtime */

#define X64_TAG		0x0001		/* 4.5.3 Zip64 extended information */
#define XUT_TAG		0x5455		/* 4.6.1 extended timestamp */

#define FLAG_DESC	0x0008		/* 4.4.4 bit 3: data descriptor */
#define FLAG_UTF8	0x0800		/* 4.4.4 bit 11: UTF-8 names */
#define VERSION		20		/* 4.4.3.2: 2.0, folders */
#define VERSION64	45		/* 4.4.3.2: 4.5, Zip64 */
#define MADE_BY		(3 << 8 | VERSION64)	/* 4.4.2: UNIX */
#define MODE_FILE	0100644u	/* 4.4.15: UNIX mode in high 16 */
#define MODE_DIR	0040755u
#define DOS_DIR		0x10		/* 4.4.15: MS-DOS directory bit */

#define MAX16		0xffffu		/* 4.4.1.4: else Zip64 */
#define MAX32		0xffffffffu

struct zent {
	char		*name;
	size_t		 namelen;
	uint64_t	 off;		/* of the local header */
	uint64_t	 size;
	uint32_t	 crc;
	uint16_t	 dtime, ddate;
	uint32_t	 utime;
	int		 isdir;
};

enum zstate {
	ZS_IDLE,			/* between entries */
	ZS_FILE,			/* inside zip_file_begin/end */
	ZS_DONE,			/* finished */
	ZS_BROKEN			/* output failed or size mismatch */
};

struct zip {
	zip_out		 out;
	void		*arg;
	enum zstate	 state;
	uint64_t	 off;		/* bytes produced, buffered or not */
	struct zent	*ents;
	size_t		 nents, cap;
	uint64_t	 got;		/* bytes of the open file so far */
	uint32_t	 crc;
	size_t		 buflen;
	unsigned char	 buf[16384];	/* coalesces the small headers */
};

/*
 * CRC-32.  zlib's is the same polynomial and conditioning as APPNOTE's,
 * but Debian's zlib computes it a byte-table at a time (about 1 GB/s),
 * which made it a fifth of a ZIP worker's time.  On x86-64 with PCLMULQDQ
 * the bulk is folded with carry-less multiplication instead (Gopal et
 * al., "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ",
 * Intel 2009: four 128-bit lanes folded 64 bytes at a time, then to one
 * lane, then Barrett-reduced), several times faster; zlib does the
 * unaligned tail and every CPU without it.  t/unit-zip checks both
 * against the bitwise definition.
 */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* x^k mod P(x), bit-reflected and shifted left by one: k1 = x^(4*128+32),
 * k2 = x^(4*128-32), k3 = x^(128+32), k4 = x^(128-32), k5 = x^64; then
 * P(x) and its Barrett constant mu. */
static const uint64_t crc_k12[2] __attribute__((aligned(16))) =
    { 0x0154442bd4ULL, 0x01c6e41596ULL };
static const uint64_t crc_k34[2] __attribute__((aligned(16))) =
    { 0x01751997d0ULL, 0x00ccaa009eULL };
static const uint64_t crc_k5[2] __attribute__((aligned(16))) =
    { 0x0163cd6124ULL, 0 };
static const uint64_t crc_pmu[2] __attribute__((aligned(16))) =
    { 0x01db710641ULL, 0x01f7011641ULL };

/* One 128-bit fold: a's halves times the two constants in k, plus b. */
__attribute__((target("pclmul,sse4.1")))
static inline __m128i
fold(__m128i a, __m128i k, __m128i b)
{
	return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x00),
	    _mm_clmulepi64_si128(a, k, 0x11)), b);
}

/* The raw (uncomplemented) CRC register over p[0..len): len >= 64 and a
 * multiple of 16. */
__attribute__((target("pclmul,sse4.1")))
static uint32_t
crc_fold(uint32_t crc, const unsigned char *p, size_t len)
{
	const __m128i mask = _mm_setr_epi32(~0, 0, ~0, 0);
	__m128i k, x1, x2, x3, x4, t;

	x1 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p),
	    _mm_cvtsi32_si128((int)crc));
	x2 = _mm_loadu_si128((const __m128i *)(p + 16));
	x3 = _mm_loadu_si128((const __m128i *)(p + 32));
	x4 = _mm_loadu_si128((const __m128i *)(p + 48));
	p += 64;
	len -= 64;
	k = _mm_load_si128((const __m128i *)crc_k12);
	for (; len >= 64; p += 64, len -= 64) {
		x1 = fold(x1, k, _mm_loadu_si128((const __m128i *)p));
		x2 = fold(x2, k, _mm_loadu_si128((const __m128i *)(p + 16)));
		x3 = fold(x3, k, _mm_loadu_si128((const __m128i *)(p + 32)));
		x4 = fold(x4, k, _mm_loadu_si128((const __m128i *)(p + 48)));
	}
	k = _mm_load_si128((const __m128i *)crc_k34);
	x1 = fold(x1, k, x2);
	x1 = fold(x1, k, x3);
	x1 = fold(x1, k, x4);
	for (; len >= 16; p += 16, len -= 16)
		x1 = fold(x1, k, _mm_loadu_si128((const __m128i *)p));
	/* 128 bits to 64, then Barrett to 32. */
	t = _mm_clmulepi64_si128(x1, k, 0x10);
	x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), t);
	k = _mm_loadl_epi64((const __m128i *)crc_k5);
	t = _mm_srli_si128(x1, 4);
	x1 = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x1, mask), k,
	    0x00), t);
	k = _mm_load_si128((const __m128i *)crc_pmu);
	t = _mm_and_si128(x1, mask);
	t = _mm_clmulepi64_si128(t, k, 0x10);
	t = _mm_and_si128(t, mask);
	t = _mm_clmulepi64_si128(t, k, 0x00);
	x1 = _mm_xor_si128(x1, t);
	return (uint32_t)_mm_extract_epi32(x1, 1);
}

static int
have_pclmul(void)
{
	static int have = -1;

	if (have == -1)
		have = __builtin_cpu_supports("pclmul") &&
		    __builtin_cpu_supports("sse4.1");
	return have;
}
#endif

uint32_t
zip_crc32(uint32_t crc, const void *buf, size_t len)
{
#if defined(__x86_64__) && defined(__GNUC__)
	size_t bulk = len & ~(size_t)15;

	if (len >= 64 && have_pclmul()) {
		crc = ~crc_fold(~crc, buf, bulk);
		buf = (const unsigned char *)buf + bulk;
		len -= bulk;
	}
#endif
	return (uint32_t)crc32_z(crc, buf, len);
}

/* All fields are little-endian (4.4.1.1). */
static unsigned char *
put16(unsigned char *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
	return p + 2;
}

static unsigned char *
put32(unsigned char *p, uint32_t v)
{
	p = put16(p, v & 0xffff);
	return put16(p, v >> 16);
}

static unsigned char *
put64(unsigned char *p, uint64_t v)
{
	p = put32(p, v & 0xffffffff);
	return put32(p, v >> 32);
}

static uint32_t
clamp32(uint64_t v)
{
	return v >= MAX32 ? MAX32 : (uint32_t)v;
}

/* 4.4.5/4.5.3: a file whose size does not fit 32 bits (0xffffffff
 * itself means "see Zip64") uses Zip64 from its local header on. */
static int
big(uint64_t size)
{
	return size >= MAX32;
}

/* 4.5.3: length of the central Zip64 extra field: 8 bytes for each of
 * uncompressed and compressed size when big, 8 for the offset. */
static size_t
central_x64len(uint64_t size, uint64_t off)
{
	size_t n = (big(size) ? 16 : 0) + (off >= MAX32 ? 8 : 0);

	return n ? 4 + n : 0;
}

/* 4.4.1.4: any field of the end record that overflows wants Zip64. */
static int
need_eocd64(uint64_t nents, uint64_t cdoff, uint64_t cdlen)
{
	return nents >= MAX16 || cdoff >= MAX32 || cdlen >= MAX32;
}

/* 4.4.6: MS-DOS date and time in local time, 2-second resolution,
 * clamped to the representable 1980..2107. */
static void
dostime(time_t t, uint16_t *dtime, uint16_t *ddate)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || tm.tm_year < 80) {
		*dtime = 0;
		*ddate = 1 << 5 | 1;
		return;
	}
	if (tm.tm_year > 207) {
		*dtime = 23 << 11 | 59 << 5 | 29;
		*ddate = 127 << 9 | 12 << 5 | 31;
		return;
	}
	*dtime = tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2;
	*ddate = (tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday;
}

/* 4.6.1 0x5455 holds a signed 32-bit UNIX time. */
static uint32_t
unixtime(time_t t)
{
	if (t < 0)
		return 0;
	if ((uint64_t)t > INT32_MAX)
		return INT32_MAX;
	return (uint32_t)t;
}

/* One UTF-8 sequence at s (4.4.4 bit 11, Appendix D): its length, or 0
 * for an ill-formed one (overlong, surrogate, above U+10FFFF). */
static size_t
utf8len(const unsigned char *s)
{
	uint32_t c;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return n;
}

/* 4.4.17.1: a relative path with forward slashes.  Refuse what could
 * escape the extraction directory or be read differently elsewhere:
 * a leading '/', backslashes, empty, "." and ".." components, and
 * ill-formed UTF-8.  len counts the bytes of name to look at. */
static int
name_ok(const char *name, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t i, n, comp = 0;

	if (len == 0 || len >= MAX16)
		return 0;
	for (i = 0; i <= len; i += n) {
		if (i == len || s[i] == '/') {
			if (comp == 0 || (comp == 1 && s[i - 1] == '.') ||
			    (comp == 2 && s[i - 1] == '.' && s[i - 2] == '.'))
				return 0;
			comp = 0;
			n = 1;
			continue;
		}
		if (s[i] == '\\' || (n = utf8len(s + i)) == 0 || i + n > len)
			return 0;
		comp += n;
	}
	return 1;
}

static int
flush(struct zip *z)
{
	if (z->buflen == 0)
		return 0;
	if (z->out(z->arg, z->buf, z->buflen) != 0) {
		z->state = ZS_BROKEN;
		return -1;
	}
	z->buflen = 0;
	return 0;
}

/* Append to the output: small pieces gather in z->buf, large ones
 * (file data) go straight out after what is buffered. */
static int
emit(struct zip *z, const void *p, size_t n)
{
	int large = n >= sizeof(z->buf) / 4;

	if (z->state == ZS_BROKEN)
		return -1;
	if ((large || n > sizeof(z->buf) - z->buflen) && flush(z) == -1)
		return -1;
	if (large) {
		if (z->out(z->arg, p, n) != 0) {
			z->state = ZS_BROKEN;
			return -1;
		}
	} else {
		memcpy(z->buf + z->buflen, p, n);
		z->buflen += n;
	}
	z->off += n;
	return 0;
}

struct zip *
zip_new(zip_out out, void *arg)
{
	struct zip *z = xcalloc(1, sizeof(*z));

	z->out = out;
	z->arg = arg;
	z->state = ZS_IDLE;
	return z;
}

/* Record a new entry for the central directory and write its local
 * header (4.3.7); directories are complete after it. */
static int
add(struct zip *z, const char *name, size_t len, int isdir, uint64_t size,
    time_t mtime)
{
	unsigned char h[LOCAL_LEN + X64_LOCAL_LEN + XUT_LEN], *p, *x;
	struct zent *e;
	int x64 = !isdir && big(size);

	if (z->nents == z->cap) {
		z->cap = z->cap ? z->cap * 2 : 64;
		z->ents = xrealloc(z->ents, z->cap * sizeof(*z->ents));
	}
	e = &z->ents[z->nents++];
	memset(e, 0, sizeof(*e));
	e->namelen = len + isdir;
	e->name = xmalloc(e->namelen + 1);
	memcpy(e->name, name, len);
	if (isdir)
		e->name[len] = '/';
	e->name[e->namelen] = '\0';
	e->off = z->off;
	e->size = size;
	e->isdir = isdir;
	dostime(mtime, &e->dtime, &e->ddate);
	e->utime = unixtime(mtime);

	/* Extra fields, after the name: Zip64 with both sizes zero, as
	 * they follow in the descriptor (4.5.3), then the mtime (4.6.1). */
	x = h + LOCAL_LEN;
	if (x64) {
		x = put16(x, X64_TAG);
		x = put16(x, 16);
		x = put64(x, 0);
		x = put64(x, 0);
	}
	x = put16(x, XUT_TAG);
	x = put16(x, 5);
	*x++ = 1;			/* mtime present */
	x = put32(x, e->utime);

	p = put32(h, SIG_LOCAL);
	p = put16(p, x64 ? VERSION64 : VERSION);
	p = put16(p, FLAG_UTF8 | (isdir ? 0 : FLAG_DESC));
	p = put16(p, 0);		/* 4.4.5: stored */
	p = put16(p, e->dtime);
	p = put16(p, e->ddate);
	/* 4.4.4 bit 3: CRC and sizes zero here, except that Zip64 sizes
	 * read 0xffffffff to point at the extra field (4.5.3). */
	p = put32(p, 0);
	p = put32(p, x64 ? MAX32 : 0);
	p = put32(p, x64 ? MAX32 : 0);
	p = put16(p, (uint16_t)e->namelen);
	put16(p, (uint16_t)(x - (h + LOCAL_LEN)));
	if (emit(z, h, LOCAL_LEN) == -1 ||
	    emit(z, e->name, e->namelen) == -1 ||
	    emit(z, h + LOCAL_LEN, x - (h + LOCAL_LEN)) == -1)
		return -1;
	return 0;
}

int
zip_dir(struct zip *z, const char *name, time_t mtime)
{
	size_t len = strlen(name);

	if (z->state != ZS_IDLE)
		return -1;
	if (len > 0 && name[len - 1] == '/')
		len--;
	if (!name_ok(name, len))
		return -1;
	return add(z, name, len, 1, 0, mtime);
}

int
zip_file_begin(struct zip *z, const char *name, uint64_t expected_size,
    time_t mtime)
{
	size_t len = strlen(name);

	if (z->state != ZS_IDLE || !name_ok(name, len))
		return -1;
	if (add(z, name, len, 0, expected_size, mtime) == -1)
		return -1;
	z->state = ZS_FILE;
	z->got = 0;
	z->crc = 0;
	return 0;
}

int
zip_file_data(struct zip *z, const void *buf, size_t len)
{
	struct zent *e;

	if (z->state != ZS_FILE)
		return -1;
	e = &z->ents[z->nents - 1];
	if (len > e->size - z->got) {
		/* The header promised less; 32-bit sizes may not fit. */
		z->state = ZS_BROKEN;
		return -1;
	}
	if (len == 0)
		return 0;
	z->crc = zip_crc32(z->crc, buf, len);
	z->got += len;
	return emit(z, buf, len);
}

int
zip_file_end(struct zip *z)
{
	unsigned char d[DESC64_LEN], *p;
	struct zent *e;

	if (z->state != ZS_FILE)
		return -1;
	e = &z->ents[z->nents - 1];
	if (z->got != e->size) {
		z->state = ZS_BROKEN;
		return -1;
	}
	e->crc = z->crc;
	z->state = ZS_IDLE;
	/* 4.3.9: signature, CRC-32, compressed then uncompressed size;
	 * 8 bytes each when the local header has Zip64 (4.3.9.2). */
	p = put32(d, SIG_DESC);
	p = put32(p, e->crc);
	if (big(e->size)) {
		p = put64(p, e->size);
		p = put64(p, e->size);
	} else {
		p = put32(p, (uint32_t)e->size);
		p = put32(p, (uint32_t)e->size);
	}
	return emit(z, d, p - d);
}

/* 4.3.12 central directory header of e, with 4.5.3 Zip64 fields in
 * their fixed order (uncompressed, compressed, offset) for those whose
 * 32-bit field reads 0xffffffff. */
static int
central(struct zip *z, const struct zent *e)
{
	unsigned char h[CENTRAL_LEN + 4 + 24 + XUT_LEN], *p, *x;
	size_t x64 = central_x64len(e->isdir ? 0 : e->size, e->off);

	x = h + CENTRAL_LEN;
	if (x64) {
		x = put16(x, X64_TAG);
		x = put16(x, (uint16_t)(x64 - 4));
		if (big(e->size)) {
			x = put64(x, e->size);
			x = put64(x, e->size);
		}
		if (e->off >= MAX32)
			x = put64(x, e->off);
	}
	x = put16(x, XUT_TAG);
	x = put16(x, 5);
	*x++ = 1;
	x = put32(x, e->utime);

	p = put32(h, SIG_CENTRAL);
	p = put16(p, MADE_BY);
	p = put16(p, x64 ? VERSION64 : VERSION);
	p = put16(p, FLAG_UTF8 | (e->isdir ? 0 : FLAG_DESC));
	p = put16(p, 0);
	p = put16(p, e->dtime);
	p = put16(p, e->ddate);
	p = put32(p, e->crc);
	p = put32(p, clamp32(e->size));
	p = put32(p, clamp32(e->size));
	p = put16(p, (uint16_t)e->namelen);
	p = put16(p, (uint16_t)(x - (h + CENTRAL_LEN)));
	p = put16(p, 0);		/* comment */
	p = put16(p, 0);		/* disk number start */
	p = put16(p, 0);		/* internal attributes */
	p = put32(p, e->isdir ? MODE_DIR << 16 | DOS_DIR : MODE_FILE << 16);
	put32(p, clamp32(e->off));
	if (emit(z, h, CENTRAL_LEN) == -1 ||
	    emit(z, e->name, e->namelen) == -1 ||
	    emit(z, h + CENTRAL_LEN, x - (h + CENTRAL_LEN)) == -1)
		return -1;
	return 0;
}

int
zip_finish(struct zip *z)
{
	unsigned char t[EOCD64_LEN + LOC64_LEN + EOCD_LEN], *p = t;
	uint64_t cdoff, cdlen, eocd64;
	size_t i;

	if (z->state != ZS_IDLE)
		return -1;
	cdoff = z->off;
	for (i = 0; i < z->nents; i++)
		if (central(z, &z->ents[i]) == -1)
			return -1;
	cdlen = z->off - cdoff;
	if (need_eocd64(z->nents, cdoff, cdlen)) {
		eocd64 = z->off;
		p = put32(p, SIG_EOCD64);	/* 4.3.14 */
		p = put64(p, EOCD64_LEN - 12);	/* 4.3.14.1 */
		p = put16(p, MADE_BY);
		p = put16(p, VERSION64);
		p = put32(p, 0);		/* this disk */
		p = put32(p, 0);		/* disk with the directory */
		p = put64(p, z->nents);		/* here */
		p = put64(p, z->nents);		/* in all */
		p = put64(p, cdlen);
		p = put64(p, cdoff);
		p = put32(p, SIG_LOC64);	/* 4.3.15 */
		p = put32(p, 0);		/* disk with the record */
		p = put64(p, eocd64);
		p = put32(p, 1);		/* disks */
	}
	p = put32(p, SIG_EOCD);			/* 4.3.16 */
	p = put16(p, 0);
	p = put16(p, 0);
	/* 4.4.1.4: 0xffff / 0xffffffff send readers to the Zip64 record. */
	p = put16(p, z->nents >= MAX16 ? MAX16 : (uint16_t)z->nents);
	p = put16(p, z->nents >= MAX16 ? MAX16 : (uint16_t)z->nents);
	p = put32(p, clamp32(cdlen));
	p = put32(p, clamp32(cdoff));
	p = put16(p, 0);			/* comment */
	if (emit(z, t, p - t) == -1 || flush(z) == -1)
		return -1;
	z->state = ZS_DONE;
	return 0;
}

uint64_t
zip_size_for(const struct zip_sizeent *ents, size_t n)
{
	const struct zip_sizeent *e;
	uint64_t off = 0, cdlen = 0, size;
	size_t i;

	for (i = 0; i < n; i++) {
		e = &ents[i];
		size = e->isdir ? 0 : e->size;
		cdlen += CENTRAL_LEN + e->namelen + XUT_LEN +
		    central_x64len(size, off);
		off += LOCAL_LEN + e->namelen + XUT_LEN;
		if (!e->isdir)
			off += size + (big(size) ?
			    X64_LOCAL_LEN + DESC64_LEN : DESC_LEN);
	}
	return off + cdlen + (need_eocd64(n, off, cdlen) ?
	    EOCD64_LEN + LOC64_LEN : 0) + EOCD_LEN;
}

void
zip_free(struct zip *z)
{
	size_t i;

	if (z == NULL)
		return;
	for (i = 0; i < z->nents; i++)
		free(z->ents[i].name);
	free(z->ents);
	free(z);
}
