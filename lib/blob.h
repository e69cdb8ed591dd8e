/* The encrypted blob format "TCB1" (SPEC §5).  One file per stored file:
 *
 *   off len field
 *     0   8 magic 89 54 43 42 0D 0A 1A 0A ("\x89TCB\r\n\x1a\n")
 *     8   2 version, BE16 = 1           10 1 suite, 1 = AES-256-GCM
 *    11   1 log2 segment size = 16      12 4 header length, BE32 = 160
 *    16  16 blob id (random; also the file name on disk)
 *    32   8 nonce prefix (random)
 *    40   8 plaintext length P, BE64 (written last)
 *    48  16 reserved, zero
 *    64  48 key slot 0: kek_id BE32 || AESWRAP(KEK, DEK) (40 B) || 4 zero
 *   112  48 key slot 1: the same, or all zero (used during rotation)
 *   160     segments: ciphertext || 16-byte tag; n = max(1, ceil(P/65536))
 *
 * Blob size = 160 + P + 16n.  Segment i (plaintext bytes i*65536 on)
 * sits at 160 + i*65552 and is AES-256-GCM under the file's random DEK
 * with nonce = prefix || BE32(i).  Let H = header bytes 0..63 with 40..47
 * zeroed; the AAD of a non-final segment is H || 0x00, of the final one
 * H || 0x01 || BE64(P).  So reordering (nonce), truncation and extension
 * (final flag, P), splicing between files (DEK), header edits and bit
 * flips (tag) are all detected.  P stays outside the common AAD because
 * it is known only when the stream ends; the final tag authenticates it.
 * The key slots stay outside the AAD so that rotation can re-wrap the DEK
 * without touching a segment: AESWRAP (RFC 3394) has its own integrity
 * check, and a wrong DEK fails every tag.  Rotation writes the new wrap
 * into the free slot, fdatasyncs, then zeroes the old slot: a crash at
 * any point leaves one slot that unwraps.  An empty file is one empty
 * final segment.  Readers verify a segment's tag before releasing any of
 * its bytes (GCM decrypt writes plaintext before checktag runs). */
#ifndef BLOB_H
#define BLOB_H
#include <stddef.h>
#include <stdint.h>

#define BLOB_HEADER_LEN	160
#define BLOB_SEG	65536
#define BLOB_TAG	16

enum blob_err {
	BLOB_OK = 0,
	BLOB_ERR_IO,
	BLOB_ERR_FORMAT,	/* magic, version, suite or sizes */
	BLOB_ERR_MISMATCH,	/* blob id or length differ from the row */
	BLOB_ERR_NOKEY,		/* no slot unwraps with a known KEK */
	BLOB_ERR_TAG,		/* authentication failed */
	BLOB_ERR_SINK,		/* the sink asked to stop */
	BLOB_ERR_RANGE		/* read outside the plaintext */
};

struct blob_kek {
	uint32_t	id;
	unsigned char	key[32];
};

struct blob_keyring {
	struct blob_kek	*keks;
	size_t		 n;
	uint32_t	 active;	/* id used for new blobs */
};

typedef int (*blob_sink)(void *arg, const void *buf, size_t len);

const char *blob_strerror(enum blob_err);

/* Start a blob on fd (empty, writable): random id, DEK and nonce prefix,
 * header written with P = 0.  NULL with *err on failure. */
struct blob_writer *blob_writer_new(int fd, const struct blob_keyring *,
	    enum blob_err *err);
const unsigned char *blob_writer_id(const struct blob_writer *);
/* Plaintext bytes accepted so far. */
uint64_t blob_writer_size(const struct blob_writer *);
/* Append plaintext; full segments are sealed once more data follows. */
enum blob_err blob_writer_write(struct blob_writer *, const void *buf,
	    size_t len);
/* Seal the final segment, write P, fdatasync.  *plain_len = P. */
enum blob_err blob_writer_finish(struct blob_writer *, uint64_t *plain_len);
/* Wipe keys and free; does not close fd. */
void	blob_writer_free(struct blob_writer *);

/* Check the header (and, when given, that id and length match the row),
 * unwrap the DEK and authenticate the final segment.  NULL with *err. */
struct blob_reader *blob_reader_open(int fd, const struct blob_keyring *,
	    const unsigned char expect_id[16], int64_t expect_len,
	    enum blob_err *err);
uint64_t blob_reader_length(const struct blob_reader *);
const unsigned char *blob_reader_id(const struct blob_reader *);
/* Send plaintext [off, off+len) to sink, decrypting only the segments
 * that hold it, each verified before any of its bytes are released. */
enum blob_err blob_reader_read(struct blob_reader *, uint64_t off,
	    uint64_t len, blob_sink sink, void *arg);
/* Authenticate every segment (fsck). */
enum blob_err blob_reader_verify_all(struct blob_reader *);
void	blob_reader_free(struct blob_reader *);

/* Re-wrap the DEK under KEK new_id (rotation, crash-safe as above). */
enum blob_err blob_rewrap(int fd, const struct blob_keyring *, uint32_t new_id);
/* The kek ids in the two slots (0 = empty).  0/-1. */
int	blob_slot_ids(int fd, uint32_t ids[2]);

/* A new KEK file: 32 very strong random bytes, mode 0600, O_EXCL.  0/-1. */
int	blob_kek_create(const char *path);
/* Load a KEK file of exactly 32 bytes that only its owner may read;
 * -1 with errno (EPERM for loose permissions, EINVAL for a bad size). */
int	blob_kek_load(const char *path, uint32_t id, struct blob_kek *out);
#endif
