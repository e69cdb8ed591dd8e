/* The file-system service: the product's rules on folders, files and
 * their blobs, once, for every front end (the JSON API today; WebDAV and
 * resumable uploads next).  Each function takes the app and the acting
 * user's id and returns an outcome; none sees a request, a header or
 * JSON.  A front end renders outcomes with its own table (reply_fs for
 * the JSON API).  The database and the blob store are reached only
 * through here (and tcloudctl's maintenance commands).
 *
 *   fs-folders.c	check, create, move, delete, path, resolve-path
 *   fs-files.c		get, commit (the upload transaction), move,
 *			copy, delete, unlink of blobs
 *   fs-read.c		the verified blob open, for every reader
 *   fs-put.c		a byte stream -> an encrypted, durable, committed
 *			file (begin / write / finish / abort)
 *   fs-shares.c	user-to-user shares of a file
 *   fs-links.h		public links (fs-links.c, fs-linkread.c,
 *			fs-linkzip.c)
 */
#ifndef FS_H
#define FS_H
#include <stddef.h>
#include <stdint.h>

struct app;
struct db_res;
struct store;

enum fs_err {
	FS_OK,
	FS_NOT_FOUND,		/* no such object, or not the user's */
	FS_EXISTS,		/* the name is taken there */
	FS_CYCLE,		/* a folder into itself or below it */
	FS_TOO_DEEP,		/* over max_folder_depth */
	FS_WALK_CUT,		/* a legacy tree deeper than any walk */
	FS_QUOTA,		/* over the user's byte quota */
	FS_FILE_LIMIT,		/* max_files_per_user reached */
	FS_FOLDER_LIMIT,	/* max_folders_per_user reached */
	FS_NO_SPACE,		/* the disk (or its quota) is full */
	FS_TOO_LARGE,		/* over max_upload */
	FS_BAD_NAME,		/* not a valid name (lib/names.h) */
	FS_NO_USER,		/* a share's recipient does not exist */
	FS_SELF_SHARE,		/* a share with oneself */
	FS_ALREADY_SHARED,	/* that file with that user, again */
	FS_RETRY,		/* deadlocks outlasted every retry: try later */
	FS_UNAVAILABLE,		/* the database cannot be reached */
	FS_INTERNAL,		/* a bug or a damaged blob: logged */
	/* Public links (fs-links.h) */
	FS_LINK_NONE,		/* the object has no link */
	FS_LINK_GONE,		/* unknown, revoked, expired or used up */
	FS_LINK_CONTENT_GONE,	/* the linked object went */
	FS_LINK_NOT_IN,		/* not below the link's folder */
	FS_LINK_PASSWORD_REQUIRED,
	FS_LINK_WRONG_PASSWORD,
	FS_LINK_NO_DOWNLOAD,	/* the link does not allow downloads */
	FS_LINK_PASSWORD_POLICY, /* the server wants a password on links */
	FS_LINK_EXPIRY_TOO_FAR,	/* past link_max_lifetime */
	FS_ZIP_TOO_MANY_FOLDERS, /* a folder link's ZIP over its caps */
	FS_ZIP_TOO_DEEP,
	FS_ZIP_PATH_TOO_LONG,
	FS_ZIP_TOO_LARGE,
	/* Accounts (acct.h) */
	FS_BAD_USERNAME,	/* not a valid username (lib/names.h) */
	FS_BAD_EMAIL,		/* not an email address */
	FS_BAD_PASSWORD,	/* not ACCT_PW_MIN to ACCT_PW_MAX bytes */
	FS_USERNAME_TAKEN,	/* registered already */
	FS_EMAIL_TAKEN,		/* registered already */
	FS_ACCOUNT_TAKEN,	/* one of the two, lost to a racing register */
	FS_THROTTLED,		/* too many failures: wait (acct_throttled) */
	FS_BAD_CREDENTIALS,	/* wrong username or password */
	FS_PENDING,		/* the account awaits approval */
	FS_SUSPENDED,		/* the account is suspended */
	FS_WRONG_PASSWORD,	/* the current password, on a change */
	FS_BAD_KEY_NAME,	/* not a valid API key name */
	FS_BAD_EXPIRY,		/* an API key's expiry not in the future */
	FS_KEY_EXISTS,		/* the user has a key of that name */
	FS_LAST_ADMIN,		/* the change would leave no active admin */
	FS__MAX
};
const char *fs_strerror(enum fs_err);

/* A file's row. */
struct fs_file {
	long long	 id, user, folder;	/* folder 0: the root */
	long long	 size, kek;
	char		 name[256];
	char		 mime[256];
	char		 created[20], updated[20];	/* "YYYY-MM-DD HH:MM:SS" */
	unsigned char	 blob[16];
};

/* A folder's row. */
struct fs_folder {
	long long	 id, parent;		/* parent 0: the root */
	char		 name[256];
	char		 created[20];
};

/* Pass as a parent or folder to keep the object where it is. */
#define FS_KEEP		(-2LL)

enum fs_conflict { FS_RENAME, FS_REPLACE, FS_FAIL };

/* The outcome of the last failed database call of a: unavailable,
 * retry or internal (for fs-*.c). */
enum fs_err fs_db_fail(struct app *);
/* Run body in a transaction: commit when it returns FS_OK, else roll
 * back; a failed statement (body returns fs_db_fail) runs it again when
 * db_tx_begin says so (deadlocks; duplicates with DB_TX_RETRY_DUP).
 * body must undo its own effects on arg when it runs again. */
enum fs_err fs_tx(struct app *, int flags,
	    enum fs_err (*body)(struct app *, void *), void *arg);
/* The blob store of a, opened on first use. */
struct store *fs_store(struct app *);
/* 0 when the database answers (GET /api/health), else -1. */
int	fs_ping(struct app *);
/* A file row (FILE_COLS, sql.h) into f. */
void	fs_file_from_row(const struct db_res *, size_t row, struct fs_file *f);

/* --- Folders (fs-folders.c) */
/* Folder id is the user's (0, the root, always is). */
enum fs_err fs_folder_check(struct app *, long long uid, long long id);
enum fs_err fs_folder_get(struct app *, long long uid, long long id,
	    struct fs_folder *);
/* A page of the folders in parent, by name: rows for a renderer. */
enum fs_err fs_folder_list(struct app *, long long uid, long long parent,
	    long long limit, long long offset, struct db_res **rows);
/* Under the user's row lock: depth cap, count cap, unique name. */
enum fs_err fs_folder_create(struct app *, long long uid, long long parent,
	    const char *name, struct fs_folder *out);
/* Rename (name non-NULL) and/or move (parent not FS_KEEP) in one
 * transaction under the user's row lock, so that two crossing moves
 * cannot make a loop: FS_CYCLE, FS_TOO_DEEP, FS_EXISTS. */
enum fs_err fs_folder_move(struct app *, long long uid, long long id,
	    const char *name, long long parent, struct fs_folder *out);
/* The folder and everything below it: rows and quota commit first, the
 * blobs are unlinked after.  Counts of what went (may be NULL). */
enum fs_err fs_folder_delete(struct app *, long long uid, long long id,
	    long long *files, long long *folders);
/* Its ancestors and itself, top-level first: rows (id, name, is_top). */
enum fs_err fs_folder_path(struct app *, long long uid, long long id,
	    struct db_res **rows);
/* "/a/b/c" (slashes repeated or trailing are one) to what it names: the
 * root ("/", kind FS_ROOT, id 0), a folder or a file. */
enum fs_kind { FS_ROOT, FS_DIR, FS_FILE };
enum fs_err fs_resolve_path(struct app *, long long uid, const char *path,
	    enum fs_kind *kind, long long *id);

/* --- Files (fs-files.c) */
/* The user's own file. */
enum fs_err fs_file_get(struct app *, long long uid, long long id,
	    struct fs_file *);
/* A file the user owns or has been shared. */
enum fs_err fs_file_readable(struct app *, long long uid, long long id,
	    struct fs_file *);
enum fs_err fs_file_list(struct app *, long long uid, long long folder,
	    long long limit, long long offset, struct db_res **rows);
/* Bytes of quota left (negative when an admin lowered it below use). */
enum fs_err fs_quota_left(struct app *, long long uid, long long *left);
/* FS_FILE_LIMIT when the user may not add one more file. */
enum fs_err fs_file_count_ok(struct app *, long long uid);
/* Size of the file a replace of name in folder would overwrite (0:
 * none). */
enum fs_err fs_file_size_by_name(struct app *, long long uid,
	    long long folder, const char *name, long long *size);

/* What a new file's row says besides its blob. */
struct fs_commit {
	long long	 folder;	/* 0: the root */
	const char	*name;		/* a valid name */
	const char	*mime;
	enum fs_conflict on;		/* when name is taken in folder */
};
/* The upload transaction, retried on deadlock: a durable blob of size
 * plaintext bytes becomes the file.  On a taken name: FS_RENAME tries
 * "a (1).txt", "a (2).txt", ...; FS_REPLACE swaps the blob in (the
 * old blob is unlinked after the commit); FS_FAIL is FS_EXISTS.  Charges
 * only growth (a shrinking replace refunds); a new row needs room under
 * the count cap.  On failure nothing changed and the caller still owns
 * the blob. */
enum fs_err fs_file_commit(struct app *, long long uid,
	    const struct fs_commit *, uint64_t size, const unsigned char blob[16],
	    struct fs_file *out);
/* Rename (name non-NULL) and/or move (folder not FS_KEEP). */
enum fs_err fs_file_move(struct app *, long long uid, long long id,
	    const char *name, long long folder, struct fs_file *out);
/* A copy with a fresh data key: re-encrypted through a put stream, then
 * committed as c says (name NULL: the source's). */
enum fs_err fs_file_copy(struct app *, long long uid, long long id,
	    const struct fs_commit *c, struct fs_file *out);
/* Refund, remove the row, then unlink the blob (a crash between leaves
 * an orphan for `tcloudctl gc`, never a row without bytes). */
enum fs_err fs_file_delete(struct app *, long long uid, long long id);
/* Unlink the blob ids in column col of rows whose rows are committed
 * away; failures are logged and left to gc. */
void	fs_unlink_blobs(struct app *, const struct db_res *rows, size_t col);

/* --- Shares (fs-shares.c) */
struct fs_share {
	long long	 id, file_id;
	char		 shared_with[64];
	char		 created[20];
};
/* Share the user's file with the user named to. */
enum fs_err fs_share_create(struct app *, long long uid, long long file_id,
	    const char *to, struct fs_share *out);
/* A page of the shares with the user (with_me) or by the user: rows
 * for a renderer (sql.c SQL_SHARE_WITH_ME, SQL_SHARE_BY_ME). */
enum fs_err fs_share_list(struct app *, long long uid, int with_me,
	    long long limit, long long offset, struct db_res **rows);
/* Revoke: the owner or the recipient. */
enum fs_err fs_share_delete(struct app *, long long uid, long long id);

/* --- Reading (fs-read.c): the one verified open */
struct fs_reader;
/* Verified plaintext; return nonzero to stop the read. */
typedef int (*fs_sink)(void *arg, const void *buf, size_t len);
/* Open f's blob and authenticate its header, id, length and last
 * segment.  FS_INTERNAL (missing, damaged, no key) with why set to a
 * static text for the log. */
enum fs_err fs_open(struct app *, const struct fs_file *f,
	    struct fs_reader **, const char **why);
/* Send plaintext [off, off+len) to sink, each segment verified first.
 * FS_INTERNAL on a damaged segment or when the sink stopped. */
enum fs_err fs_read(struct fs_reader *, uint64_t off, uint64_t len,
	    fs_sink sink, void *arg, const char **why);
/* Authenticate every segment; *bad_slots as blob_reader_bad_slots. */
enum fs_err fs_verify(struct fs_reader *, unsigned *bad_slots,
	    const char **why);
void	fs_close(struct fs_reader *);

/* --- Writing (fs-put.c): bytes -> temp blob -> durable -> commit */
struct fs_put;
/* A temp blob that takes at most limit bytes: a write past it is
 * FS_TOO_LARGE when past max_upload, else FS_QUOTA. */
enum fs_err fs_put_begin(struct app *, uint64_t limit, struct fs_put **);
enum fs_err fs_put_write(struct fs_put *, const void *buf, size_t len);
/* Plaintext bytes taken so far. */
uint64_t fs_put_size(const struct fs_put *);
/* Seal, make durable, commit as c says (fs_file_commit); the stream is
 * freed, and on any failure nothing is left behind. */
enum fs_err fs_put_finish(struct fs_put *, long long uid,
	    const struct fs_commit *c, struct fs_file *out);
/* Drop the stream and its temp blob.  NULL is ok. */
void	fs_put_abort(struct fs_put *);
#endif
