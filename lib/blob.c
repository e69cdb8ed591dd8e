#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gcrypt.h>

#include "blob.h"
#include "xmalloc.h"

#define SEG_DISK	(BLOB_SEG + BLOB_TAG)
#define SLOT0		64
#define SLOT_LEN	48
#define WRAP_LEN	40
#define AAD_LEN		(64 + 1 + 8)

static const unsigned char magic[8] = { 0x89, 'T', 'C', 'B', '\r', '\n', 0x1a, '\n' };

struct blob_writer {
	int			 fd;
	gcry_cipher_hd_t	 gcm;
	unsigned char		 hdr[BLOB_HEADER_LEN];
	unsigned char		*seg;		/* BLOB_SEG + tag */
	size_t			 fill;		/* plaintext bytes in seg */
	uint32_t		 index;		/* next segment index */
	uint64_t		 total;
};

struct blob_reader {
	int			 fd;
	gcry_cipher_hd_t	 gcm;
	unsigned char		 hdr[BLOB_HEADER_LEN];
	unsigned char		*seg;
	uint64_t		 len;
	uint32_t		 nseg;
};

const char *
blob_strerror(enum blob_err e)
{
	switch (e) {
	case BLOB_OK: return "ok";
	case BLOB_ERR_IO: return "I/O error";
	case BLOB_ERR_FORMAT: return "not a TCB1 blob (bad header or size)";
	case BLOB_ERR_MISMATCH: return "blob id or length does not match its row";
	case BLOB_ERR_NOKEY: return "no key slot unwraps with a known key";
	case BLOB_ERR_TAG: return "authentication tag mismatch (corrupt or tampered)";
	case BLOB_ERR_SINK: return "output stopped";
	case BLOB_ERR_RANGE: return "read outside the file";
	}
	return "unknown error";
}

static void
be32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
be64(unsigned char *p, uint64_t v)
{
	be32(p, (uint32_t)(v >> 32));
	be32(p + 4, (uint32_t)v);
}

static uint64_t
get64(const unsigned char *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static int
pwrite_all(int fd, const void *buf, size_t n, off_t off)
{
	const char *p = buf;
	ssize_t w;

	while (n > 0) {
		if ((w = pwrite(fd, p, n, off)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= w;
		off += w;
	}
	return 0;
}

/* Read exactly n bytes; -1 on error or a short file. */
static int
pread_all(int fd, void *buf, size_t n, off_t off)
{
	char *p = buf;
	ssize_t r;

	while (n > 0) {
		if ((r = pread(fd, p, n, off)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return -1;
		p += r;
		n -= r;
		off += r;
	}
	return 0;
}

static const struct blob_kek *
find_kek(const struct blob_keyring *kr, uint32_t id)
{
	size_t i;

	for (i = 0; i < kr->n; i++)
		if (kr->keks[i].id == id)
			return &kr->keks[i];
	return NULL;
}

static int
aeswrap(int encrypt, const unsigned char kek[32], const unsigned char *in,
    size_t inlen, unsigned char *out, size_t outlen)
{
	gcry_cipher_hd_t h;
	int rc;

	if (gcry_cipher_open(&h, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_AESWRAP,
	    GCRY_CIPHER_SECURE) != 0)
		return -1;
	rc = gcry_cipher_setkey(h, kek, 32) == 0 && (encrypt ?
	    gcry_cipher_encrypt(h, out, outlen, in, inlen) :
	    gcry_cipher_decrypt(h, out, outlen, in, inlen)) == 0 ? 0 : -1;
	gcry_cipher_close(h);
	return rc;
}

/* Unwrap the DEK from whichever slot a known KEK opens; slot index or -1. */
static int
unwrap(const unsigned char *hdr, const struct blob_keyring *kr,
    unsigned char dek[32])
{
	const struct blob_kek *k;
	int s;

	for (s = 0; s < 2; s++) {
		const unsigned char *slot = hdr + SLOT0 + s * SLOT_LEN;
		uint32_t id = get32(slot);

		if (id == 0 || (k = find_kek(kr, id)) == NULL)
			continue;
		if (aeswrap(0, k->key, slot + 4, WRAP_LEN, dek, 32) == 0)
			return s;
	}
	return -1;
}

static int
open_gcm(gcry_cipher_hd_t *h, const unsigned char dek[32])
{
	if (gcry_cipher_open(h, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM,
	    GCRY_CIPHER_SECURE) != 0)
		return -1;
	if (gcry_cipher_setkey(*h, dek, 32) != 0) {
		gcry_cipher_close(*h);
		return -1;
	}
	return 0;
}

/* Nonce and AAD of segment i; returns the AAD length. */
static size_t
seg_params(const unsigned char *hdr, uint32_t i, int final, uint64_t plen,
    unsigned char nonce[12], unsigned char aad[AAD_LEN])
{
	memcpy(nonce, hdr + 32, 8);
	be32(nonce + 8, i);
	memcpy(aad, hdr, 64);
	memset(aad + 40, 0, 8);
	aad[64] = final ? 1 : 0;
	if (!final)
		return 65;
	be64(aad + 65, plen);
	return AAD_LEN;
}

/* Encrypt w->seg[0..fill) in place as segment index and write it. */
static enum blob_err
seal(struct blob_writer *w, int final)
{
	unsigned char nonce[12], aad[AAD_LEN];
	size_t aadlen = seg_params(w->hdr, w->index, final, w->total, nonce, aad);
	off_t off = BLOB_HEADER_LEN + (off_t)w->index * SEG_DISK;

	if (gcry_cipher_setiv(w->gcm, nonce, 12) != 0 ||
	    gcry_cipher_authenticate(w->gcm, aad, aadlen) != 0 ||
	    gcry_cipher_encrypt(w->gcm, w->seg, w->fill, NULL, 0) != 0 ||
	    gcry_cipher_gettag(w->gcm, w->seg + w->fill, BLOB_TAG) != 0)
		return BLOB_ERR_IO;
	if (pwrite_all(w->fd, w->seg, w->fill + BLOB_TAG, off) == -1)
		return BLOB_ERR_IO;
	w->index++;
	w->fill = 0;
	return BLOB_OK;
}

struct blob_writer *
blob_writer_new(int fd, const struct blob_keyring *kr, enum blob_err *err)
{
	const struct blob_kek *k = find_kek(kr, kr->active);
	struct blob_writer *w;
	unsigned char dek[32];

	if (k == NULL || kr->active == 0) {
		*err = BLOB_ERR_NOKEY;
		return NULL;
	}
	w = xcalloc(1, sizeof(*w));
	w->fd = fd;
	w->seg = xmalloc(SEG_DISK);
	memcpy(w->hdr, magic, 8);
	w->hdr[8] = 0; w->hdr[9] = 1;		/* version 1 */
	w->hdr[10] = 1;				/* AES-256-GCM */
	w->hdr[11] = 16;			/* 64 KiB segments */
	be32(w->hdr + 12, BLOB_HEADER_LEN);
	gcry_randomize(w->hdr + 16, 16, GCRY_STRONG_RANDOM);
	gcry_create_nonce(w->hdr + 32, 8);
	gcry_randomize(dek, sizeof(dek), GCRY_STRONG_RANDOM);
	be32(w->hdr + SLOT0, k->id);
	if (aeswrap(1, k->key, dek, 32, w->hdr + SLOT0 + 4, WRAP_LEN) == -1 ||
	    open_gcm(&w->gcm, dek) == -1) {
		explicit_bzero(dek, sizeof(dek));
		free(w->seg);
		free(w);
		*err = BLOB_ERR_IO;
		return NULL;
	}
	explicit_bzero(dek, sizeof(dek));
	if (pwrite_all(fd, w->hdr, BLOB_HEADER_LEN, 0) == -1) {
		blob_writer_free(w);
		*err = BLOB_ERR_IO;
		return NULL;
	}
	*err = BLOB_OK;
	return w;
}

const unsigned char *
blob_writer_id(const struct blob_writer *w)
{
	return w->hdr + 16;
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
	enum blob_err e;
	size_t n;

	while (len > 0) {
		/* A full segment is sealed only when more data follows, so
		 * the last one can still be sealed as final. */
		if (w->fill == BLOB_SEG && (e = seal(w, 0)) != BLOB_OK)
			return e;
		n = BLOB_SEG - w->fill < len ? BLOB_SEG - w->fill : len;
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
	enum blob_err e;

	if ((e = seal(w, 1)) != BLOB_OK)
		return e;
	be64(p, w->total);
	if (pwrite_all(w->fd, p, 8, 40) == -1 || fdatasync(w->fd) == -1)
		return BLOB_ERR_IO;
	*plain_len = w->total;
	return BLOB_OK;
}

void
blob_writer_free(struct blob_writer *w)
{
	if (w == NULL)
		return;
	gcry_cipher_close(w->gcm);
	explicit_bzero(w->seg, SEG_DISK);
	free(w->seg);
	free(w);
}

static uint32_t
nsegs(uint64_t p)
{
	return p == 0 ? 1 : (uint32_t)((p + BLOB_SEG - 1) / BLOB_SEG);
}

/* Decrypt and authenticate segment i into r->seg; its plaintext length
 * goes to *n.  Nothing of it may be used unless this returns BLOB_OK. */
static enum blob_err
open_seg(struct blob_reader *r, uint32_t i, size_t *n)
{
	unsigned char nonce[12], aad[AAD_LEN];
	int final = i == r->nseg - 1;
	size_t plen = final ? (size_t)(r->len - (uint64_t)i * BLOB_SEG) : BLOB_SEG;
	size_t aadlen = seg_params(r->hdr, i, final, r->len, nonce, aad);

	if (pread_all(r->fd, r->seg, plen + BLOB_TAG,
	    BLOB_HEADER_LEN + (off_t)i * SEG_DISK) == -1)
		return BLOB_ERR_IO;
	if (gcry_cipher_setiv(r->gcm, nonce, 12) != 0 ||
	    gcry_cipher_authenticate(r->gcm, aad, aadlen) != 0 ||
	    gcry_cipher_decrypt(r->gcm, r->seg, plen, NULL, 0) != 0)
		return BLOB_ERR_IO;
	/* Always the full 16 bytes: checktag accepts truncated tags. */
	if (gcry_cipher_checktag(r->gcm, r->seg + plen, BLOB_TAG) != 0) {
		explicit_bzero(r->seg, plen);
		return BLOB_ERR_TAG;
	}
	*n = plen;
	return BLOB_OK;
}

static enum blob_err
check_header(const unsigned char *h, uint64_t *plen)
{
	static const unsigned char zero[16];

	if (memcmp(h, magic, 8) != 0 || h[8] != 0 || h[9] != 1 || h[10] != 1 ||
	    h[11] != 16 || get32(h + 12) != BLOB_HEADER_LEN ||
	    memcmp(h + 48, zero, 16) != 0)
		return BLOB_ERR_FORMAT;
	*plen = get64(h + 40);
	if (*plen > (uint64_t)1 << 46)
		return BLOB_ERR_FORMAT;
	return BLOB_OK;
}

struct blob_reader *
blob_reader_open(int fd, const struct blob_keyring *kr,
    const unsigned char expect_id[16], int64_t expect_len, enum blob_err *err)
{
	struct blob_reader *r = xcalloc(1, sizeof(*r));
	unsigned char dek[32];
	struct stat st;
	size_t n;

	r->fd = fd;
	r->seg = xmalloc(SEG_DISK);
	if (pread_all(fd, r->hdr, BLOB_HEADER_LEN, 0) == -1) {
		*err = BLOB_ERR_FORMAT;
		goto fail;
	}
	if ((*err = check_header(r->hdr, &r->len)) != BLOB_OK)
		goto fail;
	r->nseg = nsegs(r->len);
	if (fstat(fd, &st) == -1 || (uint64_t)st.st_size != BLOB_HEADER_LEN +
	    r->len + (uint64_t)BLOB_TAG * r->nseg) {
		*err = BLOB_ERR_FORMAT;
		goto fail;
	}
	if ((expect_id && memcmp(expect_id, r->hdr + 16, 16) != 0) ||
	    (expect_len >= 0 && (uint64_t)expect_len != r->len)) {
		*err = BLOB_ERR_MISMATCH;
		goto fail;
	}
	if (unwrap(r->hdr, kr, dek) == -1) {
		*err = BLOB_ERR_NOKEY;
		goto fail;
	}
	if (open_gcm(&r->gcm, dek) == -1) {
		explicit_bzero(dek, sizeof(dek));
		*err = BLOB_ERR_IO;
		goto fail;
	}
	explicit_bzero(dek, sizeof(dek));
	/* The final segment authenticates P, on which sizes and ranges rest. */
	if ((*err = open_seg(r, r->nseg - 1, &n)) != BLOB_OK)
		goto fail;
	return r;
fail:
	blob_reader_free(r);
	return NULL;
}

uint64_t
blob_reader_length(const struct blob_reader *r)
{
	return r->len;
}

const unsigned char *
blob_reader_id(const struct blob_reader *r)
{
	return r->hdr + 16;
}

enum blob_err
blob_reader_read(struct blob_reader *r, uint64_t off, uint64_t len,
    blob_sink sink, void *arg)
{
	uint64_t end = off + len, segstart;
	uint32_t i;
	size_t n, from, to;
	enum blob_err e;

	if (len == 0)
		return BLOB_OK;
	if (off > r->len || len > r->len - off)
		return BLOB_ERR_RANGE;
	for (i = (uint32_t)(off / BLOB_SEG); i <= (end - 1) / BLOB_SEG; i++) {
		if ((e = open_seg(r, i, &n)) != BLOB_OK)
			return e;
		segstart = (uint64_t)i * BLOB_SEG;
		from = off > segstart ? (size_t)(off - segstart) : 0;
		to = end < segstart + n ? (size_t)(end - segstart) : n;
		if (sink(arg, r->seg + from, to - from) != 0)
			return BLOB_ERR_SINK;
	}
	return BLOB_OK;
}

enum blob_err
blob_reader_verify_all(struct blob_reader *r)
{
	enum blob_err e;
	uint32_t i;
	size_t n;

	for (i = 0; i < r->nseg; i++)
		if ((e = open_seg(r, i, &n)) != BLOB_OK)
			return e;
	return BLOB_OK;
}

void
blob_reader_free(struct blob_reader *r)
{
	if (r == NULL)
		return;
	if (r->gcm)
		gcry_cipher_close(r->gcm);
	explicit_bzero(r->seg, SEG_DISK);
	free(r->seg);
	free(r);
}

int
blob_slot_ids(int fd, uint32_t ids[2])
{
	unsigned char hdr[BLOB_HEADER_LEN];

	if (pread_all(fd, hdr, sizeof(hdr), 0) == -1)
		return -1;
	ids[0] = get32(hdr + SLOT0);
	ids[1] = get32(hdr + SLOT0 + SLOT_LEN);
	return 0;
}

enum blob_err
blob_rewrap(int fd, const struct blob_keyring *kr, uint32_t new_id)
{
	static const unsigned char zero[SLOT_LEN];
	const struct blob_kek *k = find_kek(kr, new_id);
	unsigned char hdr[BLOB_HEADER_LEN], dek[32], slot[SLOT_LEN];
	uint64_t plen;
	int from, to;
	enum blob_err e = BLOB_OK;

	if (k == NULL || new_id == 0)
		return BLOB_ERR_NOKEY;
	if (pread_all(fd, hdr, sizeof(hdr), 0) == -1)
		return BLOB_ERR_IO;
	if ((e = check_header(hdr, &plen)) != BLOB_OK)
		return e;
	if ((from = unwrap(hdr, kr, dek)) == -1)
		return BLOB_ERR_NOKEY;
	/* Already under new_id in slot `from`: just clear the other slot. */
	if (get32(hdr + SLOT0 + from * SLOT_LEN) == new_id) {
		to = from;
		goto clear;
	}
	to = 1 - from;
	memset(slot, 0, sizeof(slot));
	be32(slot, new_id);
	if (aeswrap(1, k->key, dek, 32, slot + 4, WRAP_LEN) == -1) {
		e = BLOB_ERR_IO;
		goto out;
	}
	if (pwrite_all(fd, slot, SLOT_LEN, SLOT0 + to * SLOT_LEN) == -1 ||
	    fdatasync(fd) == -1) {
		e = BLOB_ERR_IO;
		goto out;
	}
clear:
	if (memcmp(hdr + SLOT0 + (1 - to) * SLOT_LEN, zero, SLOT_LEN) != 0 &&
	    (pwrite_all(fd, zero, SLOT_LEN, SLOT0 + (1 - to) * SLOT_LEN) == -1 ||
	    fdatasync(fd) == -1))
		e = BLOB_ERR_IO;
out:
	explicit_bzero(dek, sizeof(dek));
	return e;
}

int
blob_kek_create(const char *path)
{
	unsigned char key[32];
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1)
		return -1;
	gcry_randomize(key, sizeof(key), GCRY_VERY_STRONG_RANDOM);
	if (write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) || fsync(fd) == -1)
		rc = -1;
	explicit_bzero(key, sizeof(key));
	if (close(fd) == -1)
		rc = -1;
	return rc;
}

int
blob_kek_load(const char *path, uint32_t id, struct blob_kek *out)
{
	struct stat st;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto out;
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		errno = EPERM;
		goto out;
	}
	if (st.st_size != 32 || pread_all(fd, out->key, 32, 0) == -1) {
		errno = EINVAL;
		goto out;
	}
	out->id = id;
	rc = 0;
out:
	close(fd);
	return rc;
}
