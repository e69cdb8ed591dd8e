/* libFuzzer target for lib/blob.c.  Two modes, by the first byte:
 *
 *   even: the rest is a blob file (in a memfd), opened, read, verified
 *         and re-wrapped with a fixed keyring; it must fail cleanly (the
 *         fuzzer cannot forge a tag or an AESWRAP check).
 *   odd:  a real blob of a pattern is written (length and write chunk
 *         from the input), then mutated by the input's operations (flip
 *         a bit, set a byte, truncate, extend, copy a range, set P) and
 *         read back.  Oracle: every byte a reader releases equals the
 *         original plaintext at its offset, and a read that succeeds
 *         returns exactly the original length.
 *
 * Any abort, sanitizer report or leak is a finding. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memfd_create */
#endif
#include <sys/mman.h>
#include <sys/stat.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>

#include "blob.h"

#define MAX_PLAIN	(4 * BLOB_SEG + 100)

static struct blob_kek keks[2] = {
	{ 1, "0123456789abcdef0123456789abcdef" },
	{ 2, "fedcba9876543210fedcba9876543210" },
};
static struct blob_keyring kr = { keks, 2, 1 };
static struct blob_keyring kr_new = { &keks[1], 1, 2 };

static unsigned char
pat(uint64_t i, unsigned seed)
{
	uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull ^ (uint64_t)seed << 40;

	return (unsigned char)(x >> 29 ^ x >> 47);
}

struct sink {
	uint64_t	off, got;
	unsigned	seed;
	int		check;
};

static int
sink(void *arg, const void *buf, size_t len)
{
	struct sink *s = arg;
	const unsigned char *p = buf;
	size_t i;

	if (s->check)
		for (i = 0; i < len; i++)
			if (p[i] != pat(s->off + i, s->seed))
				abort();	/* unauthenticated bytes released */
	s->off += len;
	s->got += len;
	return 0;
}

static void
sane(enum blob_err e)
{
	if ((int)e < BLOB_OK || e > BLOB_ERR_RANGE || blob_strerror(e) == NULL)
		abort();
}

/* Open, read a range and everything, verify; with check, apply the
 * oracle.  Returns the open/read result. */
static enum blob_err
exercise(int fd, const struct blob_keyring *k, int check, unsigned seed,
    uint64_t want_len, uint64_t roff, uint64_t rlen)
{
	struct blob_reader *r;
	struct sink s = { 0, 0, seed, check };
	enum blob_err e;
	uint64_t len;

	r = blob_reader_open(fd, k, NULL, -1, &e);
	sane(e);
	if (r == NULL)
		return e;
	len = blob_reader_length(r);
	if (check && len != want_len)
		abort();			/* P was forged */
	(void)blob_reader_bad_slots(r);
	if (len > 0) {
		roff %= len;
		rlen %= len - roff + 1;
		s.off = roff;
		e = blob_reader_read(r, roff, rlen, sink, &s);
		sane(e);
		if (e == BLOB_OK && s.got != rlen)
			abort();
	}
	s.off = 0;
	s.got = 0;
	e = blob_reader_read(r, 0, len, sink, &s);
	sane(e);
	if (e == BLOB_OK && s.got != len)
		abort();
	if (e == BLOB_OK) {
		e = blob_reader_verify_all(r);
		sane(e);
	}
	sane(blob_reader_read(r, len, 1, sink, &s));
	blob_reader_free(r);
	return e;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
raw_mode(int fd, const uint8_t *data, size_t size)
{
	uint32_t ids[2];

	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	exercise(fd, &kr, 0, 0, 0, size, size / 3);
	(void)blob_slot_ids(fd, ids);
	sane(blob_rewrap(fd, &kr, 2));
	exercise(fd, &kr_new, 0, 0, 0, 0, 0);
}

static void
pwrite_n(int fd, const void *b, size_t n, off_t off)
{
	if (pwrite(fd, b, n, off) != (ssize_t)n)
		abort();
}

static void
mutate_mode(int fd, const uint8_t *data, size_t size)
{
	static unsigned char buf[BLOB_SEG_DISK];
	struct blob_writer *w;
	struct stat st;
	enum blob_err e;
	uint64_t plen, done = 0, fsz, roff;
	size_t chunk, n, i;
	unsigned seed;
	int mutated = 0;

	if (size < 8)
		return;
	plen = get32(data) % (MAX_PLAIN + 1);
	chunk = 1 + (data[4] << 8 | data[5]) * 7;
	seed = data[6];
	roff = (uint64_t)data[7] * 1031;
	data += 8;
	size -= 8;
	if ((w = blob_writer_new(fd, &kr, &e)) == NULL)
		abort();
	while (done < plen) {
		n = chunk < sizeof(buf) ? chunk : sizeof(buf);
		if (n > plen - done)
			n = (size_t)(plen - done);
		for (i = 0; i < n; i++)
			buf[i] = pat(done + i, seed);
		if (blob_writer_write(w, buf, n) != BLOB_OK)
			abort();
		done += n;
	}
	if (blob_writer_finish(w, &done) != BLOB_OK || done != plen)
		abort();
	blob_writer_free(w);
	if (exercise(fd, &kr, 1, seed, plen, 0, plen) != BLOB_OK)
		abort();			/* a clean blob must read */

	/* Operations of 6 bytes: op, 4-byte position, value. */
	for (; size >= 6; data += 6, size -= 6) {
		uint32_t pos = get32(data + 1);
		unsigned char v = data[5], b;

		if (fstat(fd, &st) == -1)
			abort();
		fsz = (uint64_t)st.st_size;
		mutated = 1;
		switch (data[0] % 7) {
		case 0:		/* flip a bit */
		case 1:
			if (fsz == 0)
				break;
			pos %= fsz;
			if (pread(fd, &b, 1, pos) != 1)
				abort();
			b ^= (unsigned char)(1u << (v & 7));
			pwrite_n(fd, &b, 1, pos);
			break;
		case 2:		/* set a byte */
			if (fsz == 0)
				break;
			pwrite_n(fd, &v, 1, pos % fsz);
			break;
		case 3:		/* truncate */
			if (ftruncate(fd, (off_t)(pos % (fsz + 1))) == -1)
				abort();
			break;
		case 4:		/* extend by up to 255 bytes of v */
			memset(buf, v, v);
			pwrite_n(fd, buf, v, (off_t)fsz);
			break;
		case 5:		/* copy a segment-sized range (within file) */
			if (fsz <= BLOB_HEADER_LEN)
				break;
			{
				uint64_t from = BLOB_HEADER_LEN +
				    (pos & 0xff) % 5 * (uint64_t)BLOB_SEG_DISK;
				uint64_t to = BLOB_HEADER_LEN +
				    (pos >> 8 & 0xff) % 6 * (uint64_t)BLOB_SEG_DISK;
				ssize_t got = pread(fd, buf, sizeof(buf), from);

				if (got > 0)
					pwrite_n(fd, buf, (size_t)got, to);
			}
			break;
		case 6:		/* set P */
			{
				unsigned char p8[8];
				uint64_t np = plen + (int32_t)pos % 70000;
				int k;

				for (k = 0; k < 8; k++)
					p8[k] = (unsigned char)(np >> (56 - 8 * k));
				pwrite_n(fd, p8, 8, 40);
			}
			break;
		}
	}
	if (!mutated)
		return;
	exercise(fd, &kr, 1, seed, plen, roff, plen / 2);
	sane(blob_rewrap(fd, &kr, 2));
	exercise(fd, &kr_new, 1, seed, plen, 0, plen);
}

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!gcry_check_version(GCRYPT_VERSION))
		abort();
	gcry_control(GCRYCTL_SUSPEND_SECMEM_WARN);
	gcry_control(GCRYCTL_INIT_SECMEM, 65536, 0);
	gcry_control(GCRYCTL_RESUME_SECMEM_WARN);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	return 0;
}

/* The libFuzzer entry point (declared for -Wmissing-prototypes). */
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd;

	if (size == 0 || size > (1 << 20))
		return 0;
	if ((fd = memfd_create("fuzz-blob", MFD_CLOEXEC)) == -1)
		abort();
	if ((data[0] & 1) == 0)
		raw_mode(fd, data + 1, size - 1);
	else
		mutate_mode(fd, data + 1, size - 1);
	close(fd);
	return 0;
}
