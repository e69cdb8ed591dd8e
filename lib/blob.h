/*
 * The encrypted blob format "TCB1" (SPEC §5).  One file per stored file,
 * named by its blob id.  All integers are big-endian.
 *
 *   off len field
 *     0   8 magic 89 54 43 42 0D 0A 1A 0A ("\x89TCB\r\n\x1a\n")
 *     8   2 version = 1                 10 1 suite = 1 (AES-256-GCM,
 *    11   1 log2 segment size = 16           12-byte nonce, 16-byte tag)
 *    12   4 header length = 160
 *    16  16 blob id (random; also the file name and files.blob_id)
 *    32   8 nonce prefix (gcry_create_nonce)
 *    40   8 plaintext length P (written last, by blob_writer_finish)
 *    48  16 reserved, zero
 *    64  48 key slot 0: kek_id (4) || AESWRAP(KEK, DEK) (40) || 4 zero
 *   112  48 key slot 1: the same, or all zero (used during rotation)
 *   160     segments: ciphertext || 16-byte tag
 *
 * n = max(1, ceil(P / 65536)) segments; segment i holds plaintext bytes
 * [i*65536, min(P, (i+1)*65536)) and sits at file offset 160 + i*65552.
 * Every segment but the last holds exactly 65536 bytes; an empty file is
 * one empty final segment.  Blob size = 160 + P + 16n, exactly.
 *
 * Segments: AES-256-GCM under the file's own random 256-bit DEK,
 * nonce_i = prefix (8) || BE32(i).  Let H = header bytes 0..63 with bytes
 * 40..47 (P) zeroed.  AAD of a non-final segment = H || 0x00; AAD of the
 * final segment = H || 0x01 || BE64(P).  Hence:
 *   reordering or swapping segments   -> wrong nonce   -> tag fails
 *   truncation / extension            -> final flag or P differs -> tag
 *   a segment spliced from another file (even under the same KEK)
 *                                     -> other DEK and H -> tag fails
 *   any edit of header bytes 0..63    -> format check or tag fails
 *   any bit flip in a segment or tag  -> tag fails
 * P stays out of the common AAD because it is known only at the end of
 * the stream: the writer keeps one segment of look-ahead, seals the last
 * one with flag 1 and P, then pwrites P at offset 40 and fdatasyncs.
 *
 * Key slots: outside the AAD, so that rotation re-wraps the DEK without
 * touching a segment.  A slot is either all zero (free) or kek_id != 0,
 * a non-zero 40-byte RFC 3394 wrap (GCRY_CIPHER_MODE_AESWRAP, with its own
 * 64-bit integrity check) and 4 zero bytes; anything else is a format
 * error, and a wrong DEK fails every tag anyway.  At least one slot must
 * be in use.
 *
 * Rotation (blob_rewrap): verify the blob (header, size, final tag) with
 * a known KEK; unwrap the DEK; wrap it under the new KEK into the other
 * slot (free, or holding a KEK not in the keyring, or stale); fdatasync;
 * zero the old slot; fdatasync.  A crash at any point leaves a slot that
 * unwraps (given sector-atomic 48-byte writes), and re-running it
 * finishes the job.  Readers take the DEK from the first slot that both
 * unwraps with a KEK they hold and authenticates the final segment, and
 * report slots that name a known KEK but do not give that DEK
 * (blob_reader_bad_slots, for fsck).
 *
 * Reads: the header is checked (magic, version, suite, segment size,
 * header length, reserved bytes, slot layout), then the expected id and
 * length, then the file size against P, then the DEK is unwrapped and
 * the final segment authenticated (it authenticates P).  A range decrypts
 * only the segments that hold it.  GCM decryption writes plaintext
 * before the tag is checked, so each segment is decrypted into a private
 * buffer, checked with a full 16-byte tag (gcry_cipher_checktag accepts
 * truncated ones), and only then handed to the sink; on failure the
 * buffer is wiped and nothing of that segment is released.
 *
 * I/O: the codec reaches a blob's bytes only through a struct blob_io
 * (pread, pwrite, size, truncate, sync), so any backend that can read and
 * write at an offset holds TCB1 unchanged: a POSIX file (blob_fd_init,
 * lib/blob-fd.c; the int fd entry points use it), memory in the unit
 * tests, a local staging file for an object store.
 *
 * Memory: a writer holds one 64 KiB segment buffer whatever the file
 * size; a reader one, plus, for reads of several segments, up to four
 * segments of ciphertext and of plaintext (one pread and one sink call
 * per four segments; each is still verified before any is released),
 * and BLOB_HOLD bytes held back (three copies at most).  DEKs live only inside libgcrypt's secure-memory cipher
 * handles (GCRY_CIPHER_SECURE) and briefly on the stack, wiped after
 * use.  libgcrypt must be initialised first, with a secure memory pool
 * (GCRYCTL_INIT_SECMEM; 64 KiB holds dozens of open readers/writers).
 * No global state: separate readers and writers are independent.
 */
#ifndef BLOB_H
#define BLOB_H
#include <stddef.h>
#include <stdint.h>

#define BLOB_HEADER_LEN	160
#define BLOB_SEG	65536
#define BLOB_TAG	16
#define BLOB_SEG_DISK	(BLOB_SEG + BLOB_TAG)
#define BLOB_MAX_LEN	((uint64_t)1 << 46)	/* 64 TiB: 2^30 segments */
/* A read holds back the last BLOB_HOLD bytes it has verified until the
 * rest of its range verifies too (blob_reader_read). */
#define BLOB_HOLD	4096

enum blob_err {
	BLOB_OK = 0,
	BLOB_ERR_IO,
	BLOB_ERR_FORMAT,	/* magic, version, suite, slots or sizes */
	BLOB_ERR_MISMATCH,	/* blob id or length differ from the row */
	BLOB_ERR_NOKEY,		/* no slot unwraps with a known KEK */
	BLOB_ERR_TAG,		/* authentication failed */
	BLOB_ERR_SINK,		/* the sink asked to stop */
	BLOB_ERR_RANGE		/* outside the plaintext, or misuse */
};

struct blob_kek {
	uint32_t	id;		/* 0 is never a valid id */
	unsigned char	key[32];
};

struct blob_keyring {
	struct blob_kek	*keks;
	size_t		 n;
	uint32_t	 active;	/* id used for new blobs */
};

/* The five calls the codec makes on a blob's bytes.  Each returns 0, or
 * -1 with errno; pread returns -2 when the object ends before n bytes. */
struct blob_io {
	int	(*pread)(struct blob_io *, void *buf, size_t n, uint64_t off);
	int	(*pwrite)(struct blob_io *, const void *buf, size_t n,
		    uint64_t off);
	/* The object's size; -1 with EINVAL when it cannot hold a blob
	 * (a POSIX fd that is not a regular file). */
	int	(*size)(struct blob_io *, uint64_t *size);
	int	(*truncate)(struct blob_io *, uint64_t size);
	/* Everything written so far is durable (fdatasync). */
	int	(*sync)(struct blob_io *);
};

/* A POSIX file as a blob_io (lib/blob-fd.c).  Does not own the fd.  Its
 * pwrite starts the kernel's writeback every 8 MiB, so that the final
 * sync waits for the tail only.  blob_fd_direct (an empty file only)
 * sends appends to the disk past the page cache (lib/blob-direct.h)
 * until anything else is asked; -1 where O_DIRECT is refused, and the fd
 * stays buffered.  blob_fd_release ends that (unwritten appends are
 * dropped: sync first). */
struct blob_direct;
struct blob_fd {
	struct blob_io	 io;
	int		 fd;
	uint64_t	 unsynced;	/* bytes written since the last kick */
	uint64_t	 kick_off;	/* start of those bytes */
	struct blob_direct *direct;	/* direct mode, or NULL */
};
void	blob_fd_init(struct blob_fd *, int fd);
int	blob_fd_direct(struct blob_fd *);
void	blob_fd_release(struct blob_fd *);

struct blob_writer;
struct blob_reader;

/* Receives verified plaintext; return nonzero to stop the read. */
typedef int (*blob_sink)(void *arg, const void *buf, size_t len);

/* A static, human-readable description of e. */
const char *blob_strerror(enum blob_err e);

/* Start a blob on io (writable; its old contents are replaced): random
 * id, DEK and nonce prefix, DEK wrapped under the active KEK, header
 * written with P = 0.  io must outlive the writer.  NULL with *err on
 * failure. */
struct blob_writer *blob_writer_new_io(struct blob_io *io,
	    const struct blob_keyring *kr, enum blob_err *err);
/* The same on a POSIX fd. */
struct blob_writer *blob_writer_new(int fd, const struct blob_keyring *kr,
	    enum blob_err *err);
/* The writer's 16-byte blob id. */
const unsigned char *blob_writer_id(const struct blob_writer *w);
/* Plaintext bytes accepted so far. */
uint64_t blob_writer_size(const struct blob_writer *w);
/* Append plaintext; a full segment is sealed once more data follows.
 * After any error the writer is dead and returns that error again. */
enum blob_err blob_writer_write(struct blob_writer *w, const void *buf,
	    size_t len);
/* Seal the final segment, write P at offset 40, truncate the object to
 * its exact size and sync it.  *plain_len = P (may be NULL). */
enum blob_err blob_writer_finish(struct blob_writer *w, uint64_t *plain_len);
/* Wipe the keys and buffer and free; does not close the fd or io.  NULL
 * is ok. */
void	blob_writer_free(struct blob_writer *w);

/* Check the header, that id and length match the row (expect_id NULL or
 * expect_len -1: not checked), the object's size, unwrap the DEK and
 * authenticate the final segment.  io must outlive the reader.  NULL
 * with *err on failure. */
struct blob_reader *blob_reader_open_io(struct blob_io *io,
	    const struct blob_keyring *kr, const unsigned char expect_id[16],
	    int64_t expect_len, enum blob_err *err);
/* The same on a POSIX fd. */
struct blob_reader *blob_reader_open(int fd, const struct blob_keyring *kr,
	    const unsigned char expect_id[16], int64_t expect_len,
	    enum blob_err *err);
/* The authenticated plaintext length P. */
uint64_t blob_reader_length(const struct blob_reader *r);
/* The blob's 16-byte id. */
const unsigned char *blob_reader_id(const struct blob_reader *r);
/* Bit i set: slot i names a KEK in the keyring but does not unwrap to
 * the DEK that authenticated the blob (fsck should report it). */
unsigned blob_reader_bad_slots(const struct blob_reader *r);
/* Send plaintext [off, off+len) to sink, decrypting only the segments
 * that hold it, each verified before any of its bytes are released.
 * The last BLOB_HOLD bytes released so far wait until the next segment
 * verifies: a read that fails leaves more than BLOB_HOLD bytes of its
 * range unsent, so a front that ends an aborted response with an error
 * document (mod_fcgid) cannot make it look complete. */
enum blob_err blob_reader_read(struct blob_reader *r, uint64_t off,
	    uint64_t len, blob_sink sink, void *arg);
/* Authenticate every segment, releasing nothing (fsck). */
enum blob_err blob_reader_verify_all(struct blob_reader *r);
/* Wipe the buffer and free; does not close the fd or io.  NULL is ok. */
void	blob_reader_free(struct blob_reader *r);

/* Re-wrap the DEK under KEK new_id (must be in kr) as described above:
 * the blob is verified first; idempotent once only new_id is left. */
enum blob_err blob_rewrap_io(struct blob_io *io, const struct blob_keyring *kr,
	    uint32_t new_id);
enum blob_err blob_rewrap(int fd, const struct blob_keyring *kr,
	    uint32_t new_id);
/* The kek ids in the two slots (0 = empty) of a TCB1 object.  0, or -1
 * with errno (EINVAL: not a TCB1 header). */
int	blob_slot_ids_io(struct blob_io *io, uint32_t ids[2]);
int	blob_slot_ids(int fd, uint32_t ids[2]);

/* KEK files are key files: lib/keyfile.h. */
#endif
