/* POST /api/files/upload: the multipart body is streamed through the
 * parser into the blob writer, a few 64 KiB segments at a time, then the
 * blob is made durable and only then is the row committed and the quota
 * charged in one transaction (SPEC §5). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "blob.h"
#include "crypto.h"
#include "json.h"
#include "log.h"
#include "mime.h"
#include "multipart.h"
#include "names.h"
#include "store.h"
#include "app.h"
#include "sql.h"

#define READ_CHUNK	(64 * 1024)
/* Bytes of a request that cannot be file content: part headers, the
 * boundaries and the small fields, at their largest.  Used only to
 * refuse early; the exact checks run on the bytes themselves. */
#define FRAMING_SLACK	(256 * 1024)
#define FIELD_MAX	64

enum conflict { ON_RENAME, ON_REPLACE, ON_FAIL };

static int	parse_folder(const char *, long long *);

/* The disk (or the filesystem quota of data_dir) is full: SPEC §2's 507
 * insufficient_storage, not an internal error. */
static int
disk_full(int e)
{
	return e == ENOSPC || e == EDQUOT;
}

struct upload {
	struct req		*r;
	struct blob_writer	*bw;
	int			 fd;
	char			*tmp;
	char			*name;		/* cleaned file name */
	char			*mime;
	int			 in_file;	/* inside the file part */
	int			 in_folder;	/* inside a folder_id part */
	int			 files;		/* file parts seen */
	char			 field[FIELD_MAX + 1];
	size_t			 fieldlen;
	uint64_t		 limit;		/* max bytes the file may have */
	long long		 left;		/* quota left before the upload */
	long long		 folder;	/* from the query, 0 root */
	enum conflict		 on;
	int			 status;	/* error status, or 0 */
	const char		*code;
	char			 msg[160];
};

static int
fail(struct upload *u, int status, const char *code, const char *msg)
{
	if (u->status == 0) {
		u->status = status;
		u->code = code;
		snprintf(u->msg, sizeof(u->msg), "%s", msg);
	}
	return -1;
}

/* A replace may stream at most the quota left plus the size of the file
 * it replaces (the commit decides exactly): refuse now, before any byte
 * is encrypted, a body that cannot fit. */
static int
replace_limit(struct upload *u)
{
	struct req *r = u->r;
	struct db_res *res;
	long long folder = u->folder, old = 0, cap;

	/* A folder_id part sent before the file part names the folder. */
	if (folder == 0 && u->fieldlen) {
		u->field[u->fieldlen] = '\0';
		if (parse_folder(u->field, &folder) == -1)
			folder = 0;
	}
	if ((res = db_query(r->app->db, SQL_FILE_SIZE_BY_NAME, "iis",
	    r->user.id, folder, u->name)) == NULL)
		return fail(u, 500, "internal", "");
	if (db_rows(res))
		old = db_int(res, 0, 0);
	db_res_free(res);
	cap = (u->left > 0 ? u->left : 0) + old;
	if ((uint64_t)cap < u->limit)
		u->limit = (uint64_t)cap;
	if (r->http->content_length - FRAMING_SLACK > (long long)u->limit)
		return fail(u, r->http->content_length - FRAMING_SLACK >
		    r->app->conf.max_upload ? 413 : 507,
		    r->http->content_length - FRAMING_SLACK >
		    r->app->conf.max_upload ? "too_large" : "quota_exceeded", "");
	return 0;
}

static int
part_begin(void *arg, const struct mp_part *p)
{
	struct upload *u = arg;
	enum blob_err be;

	if (p->name && strcmp(p->name, "folder_id") == 0) {
		u->in_folder = 1;
		u->fieldlen = 0;
		return 0;
	}
	if (p->name == NULL || strcmp(p->name, "file") != 0)
		return 0;	/* other fields are ignored, as forms have them */
	if (u->files++ > 0)
		return fail(u, 400, "too_many_files",
		    "Send one part named 'file' per upload.");
	if (p->filename == NULL || (u->name = name_from_upload(p->filename)) == NULL)
		return fail(u, 400, "invalid_name", "The file part needs a "
		    "filename: 1 to 255 bytes of UTF-8 without '/', '\\' or "
		    "control characters.");
	if (p->content_type && mime_valid(p->content_type) &&
	    strncasecmp(p->content_type, "application/octet-stream", 24) != 0)
		u->mime = xstrdup(p->content_type);
	else
		u->mime = xstrdup(mime_from_name(u->name));
	if (u->on == ON_REPLACE && replace_limit(u) == -1)
		return -1;
	if ((u->fd = store_tmp_open(u->r->app->conf.data_dir, &u->tmp)) == -1) {
		log_err("upload temp file: %s", strerror(errno));
		return disk_full(errno) ? fail(u, 507, "insufficient_storage",
		    "") : fail(u, 500, "internal", "");
	}
	if ((u->bw = blob_writer_new(u->fd, &u->r->app->keyring, &be)) == NULL) {
		int e = errno;

		log_err("blob writer: %s", blob_strerror(be));
		return be == BLOB_ERR_IO && disk_full(e) ? fail(u, 507,
		    "insufficient_storage", "") : fail(u, 500, "internal", "");
	}
	u->in_file = 1;
	return 0;
}

static int
part_data(void *arg, const char *buf, size_t len)
{
	struct upload *u = arg;
	enum blob_err be;

	if (u->in_folder) {
		if (u->fieldlen + len > FIELD_MAX)
			return fail(u, 400, "invalid_parameter",
			    "'folder_id' must be a folder id.");
		memcpy(u->field + u->fieldlen, buf, len);
		u->fieldlen += len;
		return 0;
	}
	if (!u->in_file)
		return 0;
	/* Stop as soon as the bytes seen exceed what may be kept. */
	if (blob_writer_size(u->bw) + len > u->limit)
		return fail(u, blob_writer_size(u->bw) + len >
		    (uint64_t)u->r->app->conf.max_upload ? 413 : 507,
		    blob_writer_size(u->bw) + len >
		    (uint64_t)u->r->app->conf.max_upload ? "too_large" :
		    "quota_exceeded", "");
	if ((be = blob_writer_write(u->bw, buf, len)) != BLOB_OK) {
		int e = errno;

		log_err("blob write: %s: %s", blob_strerror(be), strerror(e));
		return be == BLOB_ERR_IO && disk_full(e) ? fail(u, 507,
		    "insufficient_storage", "") : fail(u, 500, "internal", "");
	}
	return 0;
}

static int
part_end(void *arg)
{
	struct upload *u = arg;

	if (u->in_folder)
		u->field[u->fieldlen] = '\0';
	u->in_folder = u->in_file = 0;
	return 0;
}

static void
upload_discard(struct upload *u)
{
	if (u->bw)
		blob_writer_free(u->bw);
	if (u->fd != -1)
		close(u->fd);
	if (u->tmp) {
		unlink(u->tmp);
		free(u->tmp);
	}
	free(u->name);
	free(u->mime);
}

/* 507: over the user's quota, or the server's disk is full. */
static int
storage_error(struct req *r, const char *code)
{
	if (strcmp(code, "insufficient_storage") == 0)
		return reply_error(r, 507, code, "The server has no room left "
		    "for this file; nothing was stored. Try again later.");
	return reply_error(r, 507, code, "The file does not fit in the "
	    "remaining quota.");
}

static int
parse_conflict(struct req *r, enum conflict *c)
{
	char *v = http_query(r->http, "on_conflict");
	int rc = 0;

	*c = ON_RENAME;
	if (v == NULL || !strcmp(v, "rename"))
		;
	else if (!strcmp(v, "replace"))
		*c = ON_REPLACE;
	else if (!strcmp(v, "fail"))
		*c = ON_FAIL;
	else
		rc = -1;
	free(v);
	return rc;
}

/* Parse a folder id given as a query parameter or form field: 0 root. */
static int
parse_folder(const char *s, long long *out)
{
	char *end;

	*out = 0;
	if (s == NULL || *s == '\0' || !strcmp(s, "-1") || !strcmp(s, "null"))
		return 0;
	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno || *end || *out <= 0 || s[0] == '+' || s[0] == ' ')
		return -1;
	return 0;
}

/* Commit: row and quota in one transaction, retried on deadlock.  The
 * blob is already durable under its final name. */
static int
commit(struct upload *u, long long folder, enum conflict on, uint64_t size,
    const unsigned char *id, long long *file_id, struct db_res **replaced)
{
	struct req *r = u->r;
	struct db *db = r->app->db;
	struct db_res *res = NULL, *t;
	long long n, old = 0;
	char *name = xstrdup(u->name);
	unsigned i, attempt = 0;
	int rc = 500;

	/* Concurrent uploads into one folder contend for the same index
	 * gap and users row (deadlocks, DB_RETRY); a racing insert of the
	 * same name (DB_DUPLICATE) is retried too: the next attempt sees
	 * and locks its row. */
	while (db_tx_begin(db, &attempt, DB_TX_RETRY_DUP) == 0) {
		rc = 500;
		if (folder && (rc = folders_check(r, folder)) != 0) {
			db_rollback(db);
			free(name);
			return -rc;	/* replied already (404, or 500) */
		}
		res = db_query(db, SQL_FILE_BY_NAME_LOCK, "iis", r->user.id,
		    folder, name);
		if (res == NULL)
			goto retry;
		if (db_rows(res) && on == ON_FAIL) {
			rc = 409;
			goto out;
		}
		if (db_rows(res) && on == ON_RENAME) {
			/* "a.txt" -> "a (1).txt", "a (2).txt", ... */
			for (i = 1; i <= 10000; i++) {
				char *cand = name_with_suffix(u->name, i);

				t = db_query(db, SQL_FILE_NAME_TAKEN, "iis",
				    r->user.id, folder, cand);
				if (t == NULL) {
					free(cand);
					goto retry;
				}
				n = db_rows(t);
				db_res_free(t);
				if (n == 0) {
					free(name);
					name = cand;
					break;
				}
				free(cand);
			}
			if (i > 10000) {
				rc = 409;
				goto out;
			}
			db_res_free(res);
			res = NULL;
		}
		old = res && db_rows(res) ? db_int(res, 0, F_SIZE) : 0;
		if (res == NULL || db_rows(res) == 0) {
			/* A new row: the user's file count and, for an empty
			 * file that charges nothing, the quota itself. */
			if ((t = db_query(db, SQL_USER_LOCK, "i",
			    r->user.id)) == NULL)
				goto retry;
			db_res_free(t);
			if ((t = db_query(db, SQL_FILE_COUNT, "i",
			    r->user.id)) == NULL)
				goto retry;
			n = db_int(t, 0, 0);
			db_res_free(t);
			if (n >= r->app->conf.max_files_per_user) {
				rc = -reply_error(r, 507, "quota_exceeded",
				    "You have reached the limit of %lld files.",
				    r->app->conf.max_files_per_user);
				goto out;
			}
			if ((t = db_query(db, SQL_QUOTA_LEFT, "i",
			    r->user.id)) == NULL)
				goto retry;
			n = db_int(t, 0, 0);
			db_res_free(t);
			if (n < 0 || (long long)size > n) {
				rc = 507;
				goto out;
			}
		}
		/* Charge only the growth; a replace that shrinks refunds. */
		if ((long long)size - old > 0) {
			n = db_exec(db, SQL_QUOTA_CHARGE, "iii",
			    (long long)size - old, r->user.id,
			    (long long)size - old);
			if (n == -1)
				goto retry;
			if (n == 0) {
				rc = 507;
				goto out;
			}
		} else if (old - (long long)size > 0 &&
		    db_exec(db, SQL_QUOTA_REFUND, "ii", old - (long long)size,
		    r->user.id) == -1)
			goto retry;
		if (res && db_rows(res)) {
			*file_id = db_int(res, 0, F_ID);
			if (db_exec(db, SQL_FILE_REPLACE, "isbii", (long long)size,
			    u->mime, id, (size_t)16,
			    (long long)r->app->keyring.active, *file_id) != 1)
				goto retry;
		} else {
			if (db_exec(db, SQL_FILE_INSERT, "insisbi", r->user.id,
			    folder, name, (long long)size, u->mime, id, (size_t)16,
			    (long long)r->app->keyring.active) != 1) {
				if (db_err(db) == DB_DUPLICATE && on != ON_REPLACE) {
					/* Another upload took the name. */
					db_rollback(db);
					db_res_free(res);
					res = NULL;
					continue;
				}
				goto retry;
			}
			*file_id = db_insert_id(db);
		}
		if (db_commit(db) == -1)
			goto retry;
		free(u->name);
		u->name = name;
		*replaced = res && db_rows(res) ? res : NULL;
		if (*replaced == NULL)
			db_res_free(res);
		return 0;
retry:
		db_rollback(db);
		db_res_free(res);
		res = NULL;
	}
	rc = 500;	/* out of tries, or not retryable */
out:
	db_rollback(db);
	db_res_free(res);
	free(name);
	return rc;
}

/* POST /api/files/upload?folder_id=&on_conflict= (multipart: file,
 * folder_id?) -> 201 {id, name, size, mime_type, folder_id} | 400 | 404 |
 * 409 | 411 | 413 | 415 | 507 */
int
upload_handle(struct req *r)
{
	static const struct mp_callbacks cb = { part_begin, part_data, part_end };
	struct app *a = r->app;
	struct http *h = r->http;
	struct upload u;
	struct multipart *mp = NULL;
	struct db_res *res, *replaced = NULL;
	enum mp_err me;
	enum blob_err be;
	enum mp_rc mrc = MP_AGAIN;
	enum conflict on;
	long long folder = 0, left, file_id = 0;
	uint64_t size = 0;
	unsigned char id[16];
	char *q, *buf = NULL;
	json_object *o;
	int rc;
	long n;

	memset(&u, 0, sizeof(u));
	u.r = r;
	u.fd = -1;
	if (parse_conflict(r, &on) == -1)
		return reply_error(r, 400, "invalid_parameter",
		    "'on_conflict' is rename, replace or fail.");
	q = http_query(h, "folder_id");
	rc = parse_folder(q, &folder);
	free(q);
	if (rc == -1)
		return reply_error(r, 400, "invalid_parameter",
		    "'folder_id' must be a folder id.");
	if (folder && (rc = folders_check(r, folder)) != 0)
		return rc;
	if (h->content_length < 0)
		return reply_error(r, 411, "length_required",
		    "The upload needs a Content-Length.");
	/* A proxy that dropped the body (mod_fcgid over LimitRequestBody)
	 * sends none: that is an error, never an empty file. */
	if (h->content_length == 0)
		return reply_error(r, 400, "incomplete_body",
		    "The upload has no body.");
	/* Refuse early what cannot fit even if all but the framing is file. */
	if (h->content_length > a->conf.max_upload + FRAMING_SLACK)
		return reply_error(r, 413, "too_large", "The file is larger "
		    "than the maximum upload of %lld bytes.", a->conf.max_upload);
	if ((res = db_query(a->db, SQL_QUOTA_LEFT, "i", r->user.id)) == NULL)
		return reply_internal(r);
	left = db_int(res, 0, 0);
	db_res_free(res);
	/* Over quota (an admin lowered it): nothing more, not even an empty
	 * file.  A replace frees the old file's bytes: its cap is set when
	 * the part names the file (replace_limit). */
	if (left < 0 || (on != ON_REPLACE &&
	    h->content_length - FRAMING_SLACK > left))
		return reply_error(r, 507, "quota_exceeded",
		    "The file does not fit in the remaining quota (%lld bytes).",
		    left > 0 ? left : 0);
	if (on != ON_REPLACE) {
		if ((res = db_query(a->db, SQL_FILE_COUNT, "i",
		    r->user.id)) == NULL)
			return reply_internal(r);
		n = db_int(res, 0, 0);
		db_res_free(res);
		if (n >= a->conf.max_files_per_user)
			return reply_error(r, 507, "quota_exceeded", "You have "
			    "reached the limit of %lld files.",
			    a->conf.max_files_per_user);
	}
	u.left = left;
	u.folder = folder;
	u.on = on;
	u.limit = a->conf.max_upload;
	if (on != ON_REPLACE && left < (long long)u.limit)
		u.limit = left > 0 ? left : 0;
	if ((mp = multipart_new(http_header(h, "Content-Type"), &cb, &u,
	    &me)) == NULL)
		return reply_error(r, 415, "unsupported_media_type",
		    "Upload with multipart/form-data and a boundary.");
	buf = xmalloc(READ_CHUNK);
	while (mrc == MP_AGAIN || mrc == MP_DONE) {
		if ((n = http_read(h, buf, READ_CHUNK)) <= 0)
			break;
		mrc = multipart_feed(mp, buf, n);
		if (mrc == MP_ERROR)
			break;
	}
	free(buf);
	if (h->broken) {
		/* The client went away mid-body: keep nothing, say so to the
		 * log; any reply is for a closed connection. */
		log_warn("upload aborted after %llu bytes",
		    (unsigned long long)h->body_read);
		rc = reply_error(r, 400, "incomplete_body",
		    "The upload ended before its Content-Length.");
		goto out;
	}
	if (u.status) {
		rc = u.status == 500 ? reply_internal(r) :
		    u.status == 413 ? reply_error(r, 413, u.code, "The file is "
		    "larger than the maximum upload of %lld bytes.",
		    a->conf.max_upload) :
		    u.status == 507 ? storage_error(r, u.code) :
		    reply_error(r, u.status, u.code, "%s", u.msg);
		goto out;
	}
	if (mrc != MP_DONE && multipart_finish(mp) != MP_DONE) {
		rc = reply_error(r, 400, "invalid_multipart", "The multipart "
		    "body is malformed: %s", multipart_strerror(
		    multipart_error(mp)));
		goto out;
	}
	if (u.files == 0) {
		rc = reply_error(r, 400, "missing_field",
		    "The part 'file' is required.");
		goto out;
	}
	if (u.fieldlen && folder == 0 && parse_folder(u.field, &folder) == -1) {
		rc = reply_error(r, 400, "invalid_parameter",
		    "'folder_id' must be a folder id.");
		goto out;
	}
	if ((be = blob_writer_finish(u.bw, &size)) != BLOB_OK) {
		int e = errno;

		log_err("blob finish: %s: %s", blob_strerror(be), strerror(e));
		rc = be == BLOB_ERR_IO && disk_full(e) ?
		    storage_error(r, "insufficient_storage") : reply_internal(r);
		goto out;
	}
	memcpy(id, blob_writer_id(u.bw), 16);
	if (store_commit(a->conf.data_dir, u.fd, u.tmp, id) == -1) {
		/* The temp file stays in tmp/ and goes in upload_discard:
		 * nothing was charged. */
		log_err("store commit: %s", strerror(errno));
		rc = disk_full(errno) ? storage_error(r,
		    "insufficient_storage") : reply_internal(r);
		goto out;
	}
	free(u.tmp);
	u.tmp = NULL;	/* renamed: nothing to unlink in tmp/ */
	rc = commit(&u, folder, on, size, id, &file_id, &replaced);
	if (rc != 0) {
		/* The row was not written: the blob must go. */
		store_unlink(a->conf.data_dir, id);
		if (rc < 0)
			rc = -rc;
		else if (rc == 409)
			rc = reply_error(r, 409, "name_exists",
			    "A file with that name exists in this folder.");
		else if (rc == 507)
			rc = reply_error(r, 507, "quota_exceeded",
			    "The file does not fit in the remaining quota.");
		else
			rc = reply_internal(r);
		goto out;
	}
	if (replaced) {
		files_unlink_blobs(a, replaced, F_BLOB);
		db_res_free(replaced);
	}
	o = json_object_new_object();
	json_add_int(o, "id", file_id);
	json_add_str(o, "name", u.name);
	json_add_int(o, "size", (long long)size);
	json_add_str(o, "mime_type", u.mime);
	if (folder)
		json_add_int(o, "folder_id", folder);
	else
		json_add_str(o, "folder_id", NULL);
	rc = reply_json(r, 201, o);
out:
	multipart_free(mp);
	upload_discard(&u);
	return rc;
}
