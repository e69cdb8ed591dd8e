/* TCB1 blobs: streaming AES-256-GCM segments under a per-file DEK that
 * is stored only wrapped by a KEK.  The format is documented in blob.h.
 * The codec only: bytes go through a struct blob_io (blob-fd.c for
 * POSIX files), key files live in keyfile.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "blob.h"
#include "xmalloc.h"

#define OFF_ID		16
#define OFF_PREFIX	32
#define OFF_PLEN	40
#define OFF_RESERVED	48
#define OFF_SLOT	64
#define SLOT_LEN	48
#define WRAP_LEN	40
#define H_LEN		64
#define AAD_MAX		(H_LEN + 1 + 8)
#define NONE		UINT32_MAX

static const unsigned char magic[8] = {
	0x89, 'T', 'C', 'B', '\r', '\n', 0x1a, '\n'
};

struct blob_writer {
	struct blob_io		*io;
	struct blob_fd		 fdio;		/* io, for blob_writer_new */
	gcry_cipher_hd_t	 gcm;
	unsigned char		 hdr[BLOB_HEADER_LEN];
	unsigned char		*seg;		/* BLOB_SEG_DISK */
	size_t			 fill;		/* plaintext bytes in seg */
	uint32_t		 index;		/* index of the segment in seg */
	uint64_t		 total;
	enum blob_err		 err;		/* sticky */
	int			 done;
};

struct blob_reader {
	struct blob_io		*io;
	struct blob_fd		 fdio;		/* io, for blob_reader_open */
	gcry_cipher_hd_t	 gcm;
	unsigned char		 hdr[BLOB_HEADER_LEN];
	/* seg and bout have BLOB_HOLD bytes of room before them, where
	 * release() puts the held bytes back in front of new ones. */
	unsigned char		*seg;		/* BLOB_SEG_DISK */
	uint32_t		 cached;	/* verified segment in seg */
	unsigned char		*bin;		/* a batch's ciphertext, and */
	unsigned char		*bout;		/* its plaintext, contiguous */
	unsigned char		 hold[BLOB_HOLD]; /* verified, not released */
	size_t			 hlen;
	uint32_t		 bcap;		/* segments a batch holds */
	uint64_t		 len;
	uint32_t		 nseg;
	int			 slot;		/* slot the DEK came from */
	unsigned		 bad_slots;
};

const char *
blob_strerror(enum blob_err e)
{
	switch (e) {
	case BLOB_OK:
		return "ok";
	case BLOB_ERR_IO:
		return "blob I/O error";
	case BLOB_ERR_FORMAT:
		return "not a valid TCB1 blob (header or size)";
	case BLOB_ERR_MISMATCH:
		return "blob id or length does not match its row";
	case BLOB_ERR_NOKEY:
		return "no key slot unwraps with a known key";
	case BLOB_ERR_TAG:
		return "blob authentication failed (corrupt or tampered)";
	case BLOB_ERR_SINK:
		return "blob output stopped";
	case BLOB_ERR_RANGE:
		return "blob read out of range";
	}
	return "unknown blob error";
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint64_t
get64(const unsigned char *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static int
all_zero(const unsigned char *p, size_t n)
{
	unsigned char acc = 0;

	while (n-- > 0)
		acc |= *p++;
	return acc == 0;
}

static const struct blob_kek *
find_kek(const struct blob_keyring *kr, uint32_t id)
{
	size_t i;

	if (kr == NULL || id == 0)
		return NULL;
	for (i = 0; i < kr->n; i++)
		if (kr->keks[i].id == id)
			return &kr->keks[i];
	return NULL;
}

/* AESWRAP the 32-byte DEK into 40 bytes, or unwrap 40 into 32.  0/-1. */
static int
aeswrap(int wrap, const unsigned char kek[32], const unsigned char *in,
    unsigned char *out)
{
	gcry_cipher_hd_t h;
	gcry_error_t e;

	if (gcry_cipher_open(&h, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_AESWRAP,
	    GCRY_CIPHER_SECURE) != 0)
		return -1;
	if ((e = gcry_cipher_setkey(h, kek, 32)) == 0)
		e = wrap ? gcry_cipher_encrypt(h, out, WRAP_LEN, in, 32) :
		    gcry_cipher_decrypt(h, out, 32, in, WRAP_LEN);
	gcry_cipher_close(h);
	if (e != 0 && !wrap)
		explicit_bzero(out, 32);
	return e == 0 ? 0 : -1;
}

static const unsigned char *
slot_at(const unsigned char *hdr, int s)
{
	return hdr + OFF_SLOT + s * SLOT_LEN;
}

/* Unwrap slot s with a known KEK.  0, or -1 (free, unknown or bad). */
static int
unwrap_slot(const unsigned char *hdr, int s, const struct blob_keyring *kr,
    unsigned char dek[32])
{
	const unsigned char *slot = slot_at(hdr, s);
	const struct blob_kek *k = find_kek(kr, get32(slot));

	if (k == NULL)
		return -1;
	return aeswrap(0, k->key, slot + 4, dek);
}

static int
open_gcm(gcry_cipher_hd_t *h, const unsigned char dek[32])
{
	if (gcry_cipher_open(h, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM,
	    GCRY_CIPHER_SECURE) != 0) {
		*h = NULL;
		return -1;
	}
	if (gcry_cipher_setkey(*h, dek, 32) != 0) {
		gcry_cipher_close(*h);
		*h = NULL;
		return -1;
	}
	return 0;
}

/* Nonce and AAD of segment i (P only counts for the final one); returns
 * the AAD length. */
static size_t
seg_params(const unsigned char *hdr, uint32_t i, int final, uint64_t plen,
    unsigned char nonce[12], unsigned char aad[AAD_MAX])
{
	memcpy(nonce, hdr + OFF_PREFIX, 8);
	put32(nonce + 8, i);
	memcpy(aad, hdr, H_LEN);
	memset(aad + OFF_PLEN, 0, 8);
	aad[H_LEN] = final ? 0x01 : 0x00;
	if (!final)
		return H_LEN + 1;
	put64(aad + H_LEN + 1, plen);
	return AAD_MAX;
}

static uint32_t
nsegs(uint64_t plen)
{
	return plen == 0 ? 1 : (uint32_t)((plen + BLOB_SEG - 1) / BLOB_SEG);
}

static uint64_t
blob_size(uint64_t plen)
{
	return BLOB_HEADER_LEN + plen + (uint64_t)BLOB_TAG * nsegs(plen);
}

/* Everything about a header that needs no key: fixed fields, reserved
 * bytes, P's range and the slot layout.  *plen = P. */
static enum blob_err
check_header(const unsigned char *h, uint64_t *plen)
{
	int s, used = 0;

	if (memcmp(h, magic, sizeof(magic)) != 0 || h[8] != 0 || h[9] != 1 ||
	    h[10] != 1 || h[11] != 16 || get32(h + 12) != BLOB_HEADER_LEN ||
	    !all_zero(h + OFF_RESERVED, 16))
		return BLOB_ERR_FORMAT;
	*plen = get64(h + OFF_PLEN);
	if (*plen > BLOB_MAX_LEN)
		return BLOB_ERR_FORMAT;
	for (s = 0; s < 2; s++) {
		const unsigned char *slot = slot_at(h, s);

		if (all_zero(slot, SLOT_LEN))
			continue;
		if (get32(slot) == 0 || all_zero(slot + 4, WRAP_LEN) ||
		    !all_zero(slot + 4 + WRAP_LEN, 4))
			return BLOB_ERR_FORMAT;
		used++;
	}
	return used > 0 ? BLOB_OK : BLOB_ERR_FORMAT;
}

/* --- writer ----------------------------------------------------------- */

/* Encrypt w->seg[0..fill) in place as segment w->index and write it. */
static enum blob_err
seal(struct blob_writer *w, int final)
{
	unsigned char nonce[12], aad[AAD_MAX];
	size_t aadlen;
	uint64_t off = BLOB_HEADER_LEN + (uint64_t)w->index * BLOB_SEG_DISK;

	aadlen = seg_params(w->hdr, w->index, final, w->total, nonce, aad);
	if (gcry_cipher_setiv(w->gcm, nonce, sizeof(nonce)) != 0 ||
	    gcry_cipher_authenticate(w->gcm, aad, aadlen) != 0 ||
	    gcry_cipher_encrypt(w->gcm, w->seg, w->fill, NULL, 0) != 0 ||
	    gcry_cipher_gettag(w->gcm, w->seg + w->fill, BLOB_TAG) != 0)
		return BLOB_ERR_IO;
	if (w->io->pwrite(w->io, w->seg, w->fill + BLOB_TAG, off) == -1)
		return BLOB_ERR_IO;
	w->index++;
	w->fill = 0;
	return BLOB_OK;
}

struct blob_writer *
blob_writer_new(int fd, const struct blob_keyring *kr, enum blob_err *err)
{
	struct blob_writer *w;
	struct blob_fd tmp;

	blob_fd_init(&tmp, fd);
	if ((w = blob_writer_new_io(&tmp.io, kr, err)) != NULL) {
		w->fdio = tmp;
		w->io = &w->fdio.io;
	}
	return w;
}

struct blob_writer *
blob_writer_new_io(struct blob_io *io, const struct blob_keyring *kr,
    enum blob_err *err)
{
	const struct blob_kek *k;
	struct blob_writer *w;
	unsigned char dek[32];
	enum blob_err e = BLOB_ERR_IO;

	if (kr == NULL || (k = find_kek(kr, kr->active)) == NULL) {
		*err = BLOB_ERR_NOKEY;
		return NULL;
	}
	w = xcalloc(1, sizeof(*w));
	w->io = io;
	w->seg = xmalloc(BLOB_SEG_DISK);
	memcpy(w->hdr, magic, sizeof(magic));
	w->hdr[9] = 1;				/* version 1 */
	w->hdr[10] = 1;				/* AES-256-GCM */
	w->hdr[11] = 16;			/* 64 KiB segments */
	put32(w->hdr + 12, BLOB_HEADER_LEN);
	gcry_randomize(w->hdr + OFF_ID, 16, GCRY_STRONG_RANDOM);
	gcry_create_nonce(w->hdr + OFF_PREFIX, 8);
	gcry_randomize(dek, sizeof(dek), GCRY_STRONG_RANDOM);
	put32(w->hdr + OFF_SLOT, k->id);
	if (aeswrap(1, k->key, dek, w->hdr + OFF_SLOT + 4) == -1 ||
	    open_gcm(&w->gcm, dek) == -1)
		goto fail;
	if (io->truncate(io, 0) == -1 ||
	    io->pwrite(io, w->hdr, BLOB_HEADER_LEN, 0) == -1)
		goto fail;
	explicit_bzero(dek, sizeof(dek));
	*err = BLOB_OK;
	return w;
fail:
	explicit_bzero(dek, sizeof(dek));
	blob_writer_free(w);
	*err = e;
	return NULL;
}

const unsigned char *
blob_writer_id(const struct blob_writer *w)
{
	return w->hdr + OFF_ID;
}

uint64_t
blob_writer_size(const struct blob_writer *w)
{
	return w->total;
}

enum blob_err
blob_writer_write(struct blob_writer *w, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t n;

	if (w->err != BLOB_OK)
		return w->err;
	if (w->done)
		return w->err = BLOB_ERR_RANGE;
	if (len > BLOB_MAX_LEN - w->total)
		return w->err = BLOB_ERR_RANGE;
	while (len > 0) {
		/* A full segment is sealed only once more data follows, so
		 * that the last one can still be sealed as final. */
		if (w->fill == BLOB_SEG && (w->err = seal(w, 0)) != BLOB_OK)
			return w->err;
		n = BLOB_SEG - w->fill;
		if (n > len)
			n = len;
		memcpy(w->seg + w->fill, p, n);
		w->fill += n;
		w->total += n;
		p += n;
		len -= n;
	}
	return BLOB_OK;
}

enum blob_err
blob_writer_finish(struct blob_writer *w, uint64_t *plain_len)
{
	unsigned char p[8];

	if (w->err != BLOB_OK)
		return w->err;
	if (w->done)
		return w->err = BLOB_ERR_RANGE;
	w->done = 1;
	if ((w->err = seal(w, 1)) != BLOB_OK)
		return w->err;
	put64(p, w->total);
	memcpy(w->hdr + OFF_PLEN, p, 8);
	if (w->io->pwrite(w->io, p, sizeof(p), OFF_PLEN) == -1 ||
	    w->io->truncate(w->io, blob_size(w->total)) == -1 ||
	    w->io->sync(w->io) == -1)
		return w->err = BLOB_ERR_IO;
	if (plain_len != NULL)
		*plain_len = w->total;
	return BLOB_OK;
}

void
blob_writer_free(struct blob_writer *w)
{
	if (w == NULL)
		return;
	if (w->gcm != NULL)
		gcry_cipher_close(w->gcm);	/* wipes the key schedule */
	explicit_bzero(w->seg, BLOB_SEG_DISK);
	free(w->seg);
	explicit_bzero(w, sizeof(*w));
	free(w);
}

/* --- reader ----------------------------------------------------------- */

/* Segment i's plaintext length. */
static size_t
seg_plen(const struct blob_reader *r, uint32_t i)
{
	return i == r->nseg - 1 ? (size_t)(r->len - (uint64_t)i * BLOB_SEG) :
	    BLOB_SEG;
}

/* Decrypt and authenticate segment i (plen bytes and its tag, as on
 * disk) from in into out, or in place in out when in is NULL.  Nothing
 * of out may be used unless this returns OK. */
static enum blob_err
decrypt_seg(struct blob_reader *r, uint32_t i, size_t plen,
    unsigned char *out, const unsigned char *in)
{
	unsigned char nonce[12], aad[AAD_MAX];
	const unsigned char *tag = (in != NULL ? in : out) + plen;
	size_t aadlen;

	aadlen = seg_params(r->hdr, i, i == r->nseg - 1, r->len, nonce, aad);
	if (gcry_cipher_setiv(r->gcm, nonce, sizeof(nonce)) != 0 ||
	    gcry_cipher_authenticate(r->gcm, aad, aadlen) != 0 ||
	    gcry_cipher_decrypt(r->gcm, out, plen, in,
	    in != NULL ? plen : 0) != 0) {
		explicit_bzero(out, plen);
		return BLOB_ERR_IO;
	}
	/* Always the full 16 bytes: checktag accepts truncated tags. */
	if (gcry_cipher_checktag(r->gcm, tag, BLOB_TAG) != 0) {
		explicit_bzero(out, plen);
		return BLOB_ERR_TAG;
	}
	return BLOB_OK;
}

/* Decrypt and authenticate segment i into r->seg; its plaintext length
 * goes to *n.  Nothing of r->seg may be used unless this returns OK. */
static enum blob_err
open_seg(struct blob_reader *r, uint32_t i, size_t *n)
{
	size_t plen = seg_plen(r, i);
	enum blob_err e;
	int rc;

	if (r->cached == i) {
		*n = plen;
		return BLOB_OK;
	}
	r->cached = NONE;
	rc = r->io->pread(r->io, r->seg, plen + BLOB_TAG,
	    BLOB_HEADER_LEN + (uint64_t)i * BLOB_SEG_DISK);
	if (rc != 0)
		return rc == -2 ? BLOB_ERR_FORMAT : BLOB_ERR_IO;
	if ((e = decrypt_seg(r, i, plen, r->seg, NULL)) != BLOB_OK)
		return e;
	r->cached = i;
	*n = plen;
	return BLOB_OK;
}

/* Segments per read in blob_reader_read: one pread and one sink call
 * for up to 256 KiB instead of four of each (downloads and ZIPs spend
 * most of their time in the wake-ups that each call costs). */
#define BATCH	4

/* Decrypt segments [i, i+k) with one pread, each into its place in
 * r->bout, so that their plaintext is contiguous; *ok = how many
 * verified in order before any failure.  Only those may be used. */
static enum blob_err
open_batch(struct blob_reader *r, uint32_t i, uint32_t k, uint32_t *ok)
{
	uint64_t end = (uint64_t)(i + k) * BLOB_SEG;
	enum blob_err e;
	size_t disk;
	uint32_t j;
	int rc;

	*ok = 0;
	if (end > r->len)
		end = r->len;
	disk = (size_t)(end - (uint64_t)i * BLOB_SEG) + (size_t)k * BLOB_TAG;
	rc = r->io->pread(r->io, r->bin, disk,
	    BLOB_HEADER_LEN + (uint64_t)i * BLOB_SEG_DISK);
	if (rc != 0)
		return rc == -2 ? BLOB_ERR_FORMAT : BLOB_ERR_IO;
	for (j = 0; j < k; j++) {
		if ((e = decrypt_seg(r, i + j, seg_plen(r, i + j),
		    r->bout + (size_t)j * BLOB_SEG,
		    r->bin + (size_t)j * BLOB_SEG_DISK)) != BLOB_OK)
			return e;
		*ok = j + 1;
	}
	return BLOB_OK;
}

/* Read and check a blob up to its final tag; on success the verified
 * DEK is left in dek when that is not NULL. */
static struct blob_reader *
reader_open(struct blob_io *io, const struct blob_keyring *kr,
    const unsigned char expect_id[16], int64_t expect_len, enum blob_err *err,
    unsigned char *dek_out)
{
	struct blob_reader *r;
	unsigned char dek[32], other[32];
	uint64_t size;
	size_t n;
	int rc, s;

	r = xcalloc(1, sizeof(*r));
	r->io = io;
	r->cached = NONE;
	r->slot = -1;
	r->seg = (unsigned char *)xmalloc(BLOB_HOLD + BLOB_SEG_DISK) +
	    BLOB_HOLD;
	if ((rc = io->pread(io, r->hdr, BLOB_HEADER_LEN, 0)) != 0) {
		*err = rc == -2 ? BLOB_ERR_FORMAT : BLOB_ERR_IO;
		goto fail;
	}
	if ((*err = check_header(r->hdr, &r->len)) != BLOB_OK)
		goto fail;
	if ((expect_id != NULL &&
	    memcmp(expect_id, r->hdr + OFF_ID, 16) != 0) ||
	    (expect_len >= 0 && (uint64_t)expect_len != r->len)) {
		*err = BLOB_ERR_MISMATCH;
		goto fail;
	}
	r->nseg = nsegs(r->len);
	if (io->size(io, &size) == -1) {
		*err = errno == EINVAL ? BLOB_ERR_FORMAT : BLOB_ERR_IO;
		goto fail;
	}
	if (size != blob_size(r->len)) {
		*err = BLOB_ERR_FORMAT;
		goto fail;
	}
	/* The DEK comes from the first slot that unwraps and authenticates
	 * the final segment (which also authenticates P, on which sizes and
	 * ranges rest).  Trying each slot keeps a blob readable whatever
	 * state an interrupted rotation or a bad slot left behind. */
	*err = BLOB_ERR_NOKEY;
	for (s = 0; s < 2 && r->slot == -1; s++) {
		if (unwrap_slot(r->hdr, s, kr, dek) == -1)
			continue;
		if (open_gcm(&r->gcm, dek) == -1) {
			*err = BLOB_ERR_IO;
			goto fail;
		}
		if ((*err = open_seg(r, r->nseg - 1, &n)) == BLOB_OK)
			r->slot = s;
		else {
			gcry_cipher_close(r->gcm);
			r->gcm = NULL;
			if (*err != BLOB_ERR_TAG)
				goto fail;
		}
	}
	if (r->slot == -1)
		goto fail;
	for (s = 0; s < 2; s++) {
		if (s == r->slot ||
		    find_kek(kr, get32(slot_at(r->hdr, s))) == NULL)
			continue;
		if (unwrap_slot(r->hdr, s, kr, other) == -1 ||
		    memcmp(other, dek, sizeof(dek)) != 0)
			r->bad_slots |= 1u << s;
	}
	if (dek_out != NULL)
		memcpy(dek_out, dek, sizeof(dek));
	explicit_bzero(dek, sizeof(dek));
	explicit_bzero(other, sizeof(other));
	return r;
fail:
	explicit_bzero(dek, sizeof(dek));
	blob_reader_free(r);
	return NULL;
}

struct blob_reader *
blob_reader_open_io(struct blob_io *io, const struct blob_keyring *kr,
    const unsigned char expect_id[16], int64_t expect_len, enum blob_err *err)
{
	return reader_open(io, kr, expect_id, expect_len, err, NULL);
}

struct blob_reader *
blob_reader_open(int fd, const struct blob_keyring *kr,
    const unsigned char expect_id[16], int64_t expect_len, enum blob_err *err)
{
	struct blob_reader *r;
	struct blob_fd tmp;

	blob_fd_init(&tmp, fd);
	if ((r = reader_open(&tmp.io, kr, expect_id, expect_len, err,
	    NULL)) != NULL) {
		r->fdio = tmp;
		r->io = &r->fdio.io;
	}
	return r;
}

uint64_t
blob_reader_length(const struct blob_reader *r)
{
	return r->len;
}

const unsigned char *
blob_reader_id(const struct blob_reader *r)
{
	return r->hdr + OFF_ID;
}

unsigned
blob_reader_bad_slots(const struct blob_reader *r)
{
	return r->bad_slots;
}

/* Release verified bytes p[0..n) (BLOB_HOLD bytes of room before p),
 * after those held back, keeping the last BLOB_HOLD back unless this is
 * the end of the range.  Why: mod_fcgid ends a response cut mid-stream
 * with its error document and a clean end, so only the Content-Length
 * shows it short; holding back more than any such document means a
 * failure always leaves that many bytes owed, even when the failing
 * segment holds only a few bytes of the range.  One sink call. */
static int
release(struct blob_reader *r, unsigned char *p, size_t n, int end,
    blob_sink sink, void *arg)
{
	size_t keep;

	p -= r->hlen;
	memcpy(p, r->hold, r->hlen);
	n += r->hlen;
	keep = end ? 0 : n < BLOB_HOLD ? n : BLOB_HOLD;
	memcpy(r->hold, p + n - keep, keep);
	r->hlen = keep;
	return n > keep ? sink(arg, p, n - keep) : 0;
}

enum blob_err
blob_reader_read(struct blob_reader *r, uint64_t off, uint64_t len,
    blob_sink sink, void *arg)
{
	uint64_t end, start;
	uint32_t i, k, ok, last;
	size_t n, from, to;
	enum blob_err e;

	if (off > r->len || len > r->len - off)
		return BLOB_ERR_RANGE;
	if (len == 0)
		return BLOB_OK;
	end = off + len;
	last = (uint32_t)((end - 1) / BLOB_SEG);
	r->hlen = 0;
	for (i = (uint32_t)(off / BLOB_SEG); i <= last; i += k) {
		/* Several segments at once, but not the cached one (the
		 * final segment, verified at open). */
		k = last - i + 1 < BATCH ? last - i + 1 : BATCH;
		if (r->cached != NONE && r->cached >= i && r->cached < i + k)
			k = r->cached - i;
		start = (uint64_t)i * BLOB_SEG;
		from = off > start ? (size_t)(off - start) : 0;
		if (k <= 1) {
			k = 1;
			if ((e = open_seg(r, i, &n)) != BLOB_OK)
				goto done;
			to = end < start + n ? (size_t)(end - start) : n;
			if (release(r, r->seg + from, to - from, i == last,
			    sink, arg) != 0) {
				e = BLOB_ERR_SINK;
				goto done;
			}
			continue;
		}
		if (r->bin == NULL) {
			r->bcap = r->nseg < BATCH ? r->nseg : BATCH;
			r->bin = xmalloc((size_t)r->bcap * BLOB_SEG_DISK);
			r->bout = (unsigned char *)xmalloc(BLOB_HOLD +
			    (size_t)r->bcap * BLOB_SEG) + BLOB_HOLD;
		}
		if (k > r->bcap)
			k = r->bcap;
		e = open_batch(r, i, k, &ok);
		/* What verified before a bad tag still goes out, as it would
		 * have segment by segment (but the held bytes); then the
		 * error.  A short read (a truncated blob) fails the whole
		 * batch before any tag. */
		n = (size_t)ok * BLOB_SEG;
		if (start + n > r->len)
			n = (size_t)(r->len - start);
		to = end < start + n ? (size_t)(end - start) : n;
		if (ok > 0 && release(r, r->bout + from, to - from,
		    e == BLOB_OK && i + k > last, sink, arg) != 0) {
			e = BLOB_ERR_SINK;
			goto done;
		}
		if (e != BLOB_OK)
			goto done;
	}
	return BLOB_OK;
done:
	explicit_bzero(r->seg - BLOB_HOLD, BLOB_HOLD + BLOB_SEG_DISK);
	r->cached = NONE;
	if (r->bout != NULL)
		explicit_bzero(r->bout - BLOB_HOLD,
		    BLOB_HOLD + (size_t)r->bcap * BLOB_SEG);
	explicit_bzero(r->hold, sizeof(r->hold));
	r->hlen = 0;
	return e;
}

enum blob_err
blob_reader_verify_all(struct blob_reader *r)
{
	enum blob_err e;
	uint32_t i;
	size_t n;

	for (i = 0; i < r->nseg; i++) {
		/* Force a real check even of the cached final segment. */
		r->cached = NONE;
		if ((e = open_seg(r, i, &n)) != BLOB_OK)
			return e;
	}
	return BLOB_OK;
}

void
blob_reader_free(struct blob_reader *r)
{
	if (r == NULL)
		return;
	if (r->gcm != NULL)
		gcry_cipher_close(r->gcm);
	explicit_bzero(r->seg - BLOB_HOLD, BLOB_HOLD + BLOB_SEG_DISK);
	free(r->seg - BLOB_HOLD);
	if (r->bout != NULL) {
		explicit_bzero(r->bout - BLOB_HOLD,
		    BLOB_HOLD + (size_t)r->bcap * BLOB_SEG);
		free(r->bout - BLOB_HOLD);
	}
	free(r->bin);
	explicit_bzero(r, sizeof(*r));
	free(r);
}

/* --- rotation --------------------------------------------------------- */

int
blob_slot_ids(int fd, uint32_t ids[2])
{
	struct blob_fd io;

	blob_fd_init(&io, fd);
	return blob_slot_ids_io(&io.io, ids);
}

int
blob_slot_ids_io(struct blob_io *io, uint32_t ids[2])
{
	unsigned char hdr[BLOB_HEADER_LEN];
	int rc;

	if ((rc = io->pread(io, hdr, sizeof(hdr), 0)) != 0) {
		if (rc == -2)
			errno = EINVAL;
		return -1;
	}
	if (memcmp(hdr, magic, sizeof(magic)) != 0) {
		errno = EINVAL;
		return -1;
	}
	ids[0] = get32(slot_at(hdr, 0));
	ids[1] = get32(slot_at(hdr, 1));
	return 0;
}

static enum blob_err
put_slot(struct blob_io *io, int s, const unsigned char slot[SLOT_LEN])
{
	if (io->pwrite(io, slot, SLOT_LEN, OFF_SLOT + s * SLOT_LEN) == -1 ||
	    io->sync(io) == -1)
		return BLOB_ERR_IO;
	return BLOB_OK;
}

enum blob_err
blob_rewrap(int fd, const struct blob_keyring *kr, uint32_t new_id)
{
	struct blob_fd io;

	blob_fd_init(&io, fd);
	return blob_rewrap_io(&io.io, kr, new_id);
}

enum blob_err
blob_rewrap_io(struct blob_io *io, const struct blob_keyring *kr,
    uint32_t new_id)
{
	static const unsigned char zero[SLOT_LEN];
	const struct blob_kek *k = find_kek(kr, new_id);
	struct blob_reader *r;
	unsigned char dek[32], chk[32], slot[SLOT_LEN];
	enum blob_err e;
	int keep = -1, s;

	if (k == NULL)
		return BLOB_ERR_NOKEY;
	/* Only a blob that authenticates is re-wrapped. */
	if ((r = reader_open(io, kr, NULL, -1, &e, dek)) == NULL)
		return e;
	/* A slot already holding the DEK under new_id stays. */
	for (s = 0; s < 2 && keep == -1; s++)
		if (get32(slot_at(r->hdr, s)) == new_id &&
		    unwrap_slot(r->hdr, s, kr, chk) == 0 &&
		    memcmp(chk, dek, sizeof(dek)) == 0)
			keep = s;
	if (keep == -1) {
		/* Into the slot the DEK did not come from: free, unknown
		 * or stale; the source slot still unwraps meanwhile. */
		keep = 1 - r->slot;
		memset(slot, 0, sizeof(slot));
		put32(slot, new_id);
		if (aeswrap(1, k->key, dek, slot + 4) == -1) {
			e = BLOB_ERR_IO;
			goto out;
		}
		if ((e = put_slot(io, keep, slot)) != BLOB_OK)
			goto out;
	}
	s = 1 - keep;
	e = all_zero(slot_at(r->hdr, s), SLOT_LEN) ? BLOB_OK :
	    put_slot(io, s, zero);
out:
	explicit_bzero(dek, sizeof(dek));
	explicit_bzero(chk, sizeof(chk));
	explicit_bzero(slot, sizeof(slot));
	blob_reader_free(r);
	return e;
}
