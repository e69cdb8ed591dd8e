/* POST /api/files/upload: the multipart framing.  The file part's bytes
 * go into a put stream (app/fs-put.c) a few 64 KiB segments at a time;
 * it makes the blob durable and only then commits the row and charges
 * the quota in one transaction (SPEC §5). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "json.h"
#include "log.h"
#include "mime.h"
#include "multipart.h"
#include "names.h"
#include "app.h"

#define READ_CHUNK	(64 * 1024)
/* Bytes of a request that cannot be file content: part headers, the
 * boundaries and the small fields, at their largest.  Used only to
 * refuse early; the exact checks run on the bytes themselves. */
#define FRAMING_SLACK	(256 * 1024)
#define FIELD_MAX	64

static int	parse_folder(const char *, long long *);

struct upload {
	struct req		*r;
	struct fs_put		*put;
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
	enum fs_conflict	 on;
	enum fs_err		 fe;		/* a service outcome, or */
	int			 status;	/* a framing error status */
	const char		*code;
	char			 msg[160];
};

static int
fail(struct upload *u, int status, const char *code, const char *msg)
{
	if (u->status == 0 && u->fe == FS_OK) {
		u->status = status;
		u->code = code;
		snprintf(u->msg, sizeof(u->msg), "%s", msg);
	}
	return -1;
}

/* Stop the body on a service outcome (rendered by the table). */
static int
fail_fs(struct upload *u, enum fs_err e)
{
	if (u->status == 0 && u->fe == FS_OK)
		u->fe = e;
	return -1;
}

/* A replace may stream at most the quota left plus the size of the file
 * it replaces (the commit decides exactly): refuse now, before any byte
 * is encrypted, a body that cannot fit. */
static int
replace_limit(struct upload *u)
{
	struct req *r = u->r;
	long long folder = u->folder, old = 0, cap;
	enum fs_err e;

	/* A folder_id part sent before the file part names the folder. */
	if (folder == 0 && u->fieldlen) {
		u->field[u->fieldlen] = '\0';
		if (parse_folder(u->field, &folder) == -1)
			folder = 0;
	}
	if ((e = fs_file_size_by_name(r->app, r->user.id, folder, u->name,
	    &old)) != FS_OK)
		return fail_fs(u, e);
	cap = (u->left > 0 ? u->left : 0) + old;
	if ((uint64_t)cap < u->limit)
		u->limit = (uint64_t)cap;
	if (r->http->content_length - FRAMING_SLACK > (long long)u->limit)
		return fail_fs(u, r->http->content_length - FRAMING_SLACK >
		    r->app->conf.max_upload ? FS_TOO_LARGE : FS_QUOTA);
	return 0;
}

static int
part_begin(void *arg, const struct mp_part *p)
{
	struct upload *u = arg;
	enum fs_err e;

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
	if (u->on == FS_REPLACE && replace_limit(u) == -1)
		return -1;
	if ((e = fs_put_begin(u->r->app, u->limit, &u->put)) != FS_OK)
		return fail_fs(u, e);
	u->in_file = 1;
	return 0;
}

static int
part_data(void *arg, const char *buf, size_t len)
{
	struct upload *u = arg;
	enum fs_err e;

	if (u->in_folder) {
		/* A NUL would end the id early: "1", NUL, "2" is no id, not 1. */
		if (u->fieldlen + len > FIELD_MAX || memchr(buf, '\0', len))
			return fail(u, 400, "invalid_parameter",
			    "'folder_id' must be a folder id.");
		memcpy(u->field + u->fieldlen, buf, len);
		u->fieldlen += len;
		return 0;
	}
	if (!u->in_file)
		return 0;
	/* Stops as soon as the bytes seen exceed what may be kept. */
	if ((e = fs_put_write(u->put, buf, len)) != FS_OK)
		return fail_fs(u, e);
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
	fs_put_abort(u->put);
	free(u->name);
	free(u->mime);
}

static int
parse_conflict(struct req *r, enum fs_conflict *c)
{
	char *v = http_query(r->http, "on_conflict");
	int rc = 0;

	*c = FS_RENAME;
	if (v == NULL || !strcmp(v, "rename"))
		;
	else if (!strcmp(v, "replace"))
		*c = FS_REPLACE;
	else if (!strcmp(v, "fail"))
		*c = FS_FAIL;
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
	struct fs_commit c;
	struct fs_file f;
	enum mp_err me;
	enum mp_rc mrc = MP_AGAIN;
	enum fs_conflict on;
	enum fs_err e;
	long long folder = 0, left;
	char *q, *buf = NULL;
	const void *data;
	json_object *o;
	int rc;
	long n;

	memset(&u, 0, sizeof(u));
	u.r = r;
	if (parse_conflict(r, &on) == -1)
		return reply_error(r, 400, "invalid_parameter",
		    "'on_conflict' is rename, replace or fail.");
	q = http_query(h, "folder_id");
	rc = parse_folder(q, &folder);
	free(q);
	if (rc == -1)
		return reply_error(r, 400, "invalid_parameter",
		    "'folder_id' must be a folder id.");
	if ((e = fs_folder_check(a, r->user.id, folder)) != FS_OK)
		return reply_fs(r, e, "folder");
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
		return reply_fs(r, FS_TOO_LARGE, NULL);
	if ((e = fs_quota_left(a, r->user.id, &left)) != FS_OK)
		return reply_fs(r, e, NULL);
	/* Over quota (an admin lowered it): nothing more, not even an empty
	 * file.  A replace frees the old file's bytes: its cap is set when
	 * the part names the file (replace_limit). */
	if (left < 0 || (on != FS_REPLACE &&
	    h->content_length - FRAMING_SLACK > left))
		return reply_error(r, reply_fs_status(FS_QUOTA),
		    "quota_exceeded", "The file does not fit in the remaining "
		    "quota (%lld bytes).", left > 0 ? left : 0);
	if (on != FS_REPLACE && (e = fs_file_count_ok(a, r->user.id)) != FS_OK)
		return reply_fs(r, e, NULL);
	u.left = left;
	u.folder = folder;
	u.on = on;
	u.limit = a->conf.max_upload;
	if (on != FS_REPLACE && left < (long long)u.limit)
		u.limit = left > 0 ? left : 0;
	if ((mp = multipart_new(http_header(h, "Content-Type"), &cb, &u,
	    &me)) == NULL)
		return reply_error(r, 415, "unsupported_media_type",
		    "Upload with multipart/form-data and a boundary.");
	buf = xmalloc(READ_CHUNK);
	while (mrc == MP_AGAIN || mrc == MP_DONE) {
		/* Parsed where it lies when it can: no copy of the body. */
		if ((n = http_read_ptr(h, buf, READ_CHUNK, &data)) <= 0)
			break;
		mrc = multipart_feed(mp, data, n);
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
	if (u.fe != FS_OK) {
		rc = reply_fs(r, u.fe, "folder");
		goto out;
	}
	if (u.status) {
		rc = reply_error(r, u.status, u.code, "%s", u.msg);
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
	c.folder = folder;
	c.name = u.name;
	c.mime = u.mime;
	c.on = on;
	e = fs_put_finish(u.put, r->user.id, &c, &f);
	u.put = NULL;	/* finished or dropped: nothing left behind */
	if (e != FS_OK) {
		rc = reply_fs(r, e, e == FS_EXISTS ? "file" : "folder");
		goto out;
	}
	o = json_object_new_object();
	json_add_int(o, "id", f.id);
	json_add_str(o, "name", f.name);
	json_add_int(o, "size", f.size);
	json_add_str(o, "mime_type", f.mime);
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
