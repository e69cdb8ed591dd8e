/* Public link routes (SPEC §4 Public links): no authentication; the
 * token is the credential.  A browser is sent to the dashboard's page
 * for the link, scripts get JSON and the bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "log.h"
#include "range.h"
#include "zip.h"
#include "app.h"
#include "fs-links.h"
#include "sql.h"

#define SESSION_COOKIE	"tcloud_link"

/* 429 for a tripped link throttle; the trip is audited. */
static int
link_throttled(struct req *r, long long wait, long long link_id,
    const char *subject)
{
	json_object *d = json_object_new_object();

	json_add_str(d, "subject", subject);
	audit_as(r, 0, NULL, "rate_limited", "link", link_id, d);
	http_set_header(r->http, "Retry-After", "%lld", wait);
	return reply_error(r, 429, "rate_limited", "Too many failed "
	    "attempts. Try again in %lld seconds.", wait);
}

/* The session the visitor presents (X-Share-Session, or the cookie the
 * link set), or NULL. */
static char *
session_presented(struct req *r)
{
	const char *v = http_header(r->http, "X-Share-Session"), *c, *p;
	size_t n = strlen(SESSION_COOKIE);

	if (v)
		return xstrdup(v);
	if ((c = http_header(r->http, "Cookie")) == NULL)
		return NULL;
	for (p = c; *p; p += strcspn(p, ";"), p += strspn(p, "; ")) {
		p += strspn(p, " ");
		if (strncmp(p, SESSION_COOKIE, n) == 0 && p[n] == '=')
			return xstrndup(p + n + 1, strcspn(p + n + 1, ";"));
	}
	return NULL;
}

/* After a correct password: the link session, as a header for scripts
 * and a cookie scoped to the link for browsers, so the page and its
 * downloads need no Argon2 hash per request. */
static void
session_issue(struct req *r, const char *session)
{
	const char *https = http_param(r->http, "HTTPS");

	http_set_header(r->http, "X-Share-Session", "%s", session);
	http_set_header(r->http, "Set-Cookie", SESSION_COOKIE "=%s; "
	    "Path=/api/share/%s; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
	    session, r->m.strs[0], r->app->conf.link_session_lifetime,
	    https && strcmp(https, "on") == 0 ? "; Secure" : "");
}

/* Open the link of the token for this visitor.  0 ok (the caller frees
 * l), else the status of the reply already sent. */
static int
link_open(struct req *r, struct fs_link *l)
{
	struct fs_link_visit v = { r->ipkey, NULL, NULL, 0, NULL };
	char *session = session_presented(r), *qpw = NULL, lid[24];
	enum fs_err e;

	v.session = session;
	if ((v.password = http_header(r->http, "X-Share-Password")) == NULL)
		v.password = qpw = http_query(r->http, "password");
	e = fs_link_open(r->app, r->m.strs[0], &v, l);
	free(session);
	free(qpw);
	if (e == FS_THROTTLED && l->id == 0)
		return link_throttled(r, v.wait, 0, r->ipkey);
	if (e == FS_THROTTLED) {
		snprintf(lid, sizeof(lid), "%lld", l->id);
		return link_throttled(r, v.wait, l->id, lid);
	}
	if (e != FS_OK)
		return reply_fs(r, e, NULL);
	if (v.new_session) {
		session_issue(r, v.new_session);
		free(v.new_session);
	}
	return 0;
}

/* Prefers text/html over JSON: a person's browser (SPEC §4). */
static int
wants_html(struct req *r)
{
	const char *acc = http_header(r->http, "Accept");
	const char *html, *json;

	if (acc == NULL || (html = strstr(acc, "text/html")) == NULL)
		return 0;
	json = strstr(acc, "application/json");
	return json == NULL || html < json;
}

static json_object *
item_json(const struct db_res *res, size_t i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_col_int(res, i, D_ID));
	json_object_object_add(o, "name", json_col(res, i, D_NAME));
	json_object_object_add(o, "parent_id", json_col_int(res, i, D_PARENT));
	return o;
}

/* GET /api/share/{token}?folder_id= -> 200 {type, name, ...} | 302 to
 * /s/{token} for browsers | 401 | 403 | 404 */
static int
public_info(struct req *r)
{
	struct db_res *folders, *files;
	struct fs_folder d;
	struct fs_file f;
	struct fs_link l;
	json_object *o;
	long long folder = 0;
	enum fs_err e;
	int rc;

	if (wants_html(r)) {
		http_set_header(r->http, "Location", "/s/%s", r->m.strs[0]);
		http_set_header(r->http, "Content-Length", "0");
		http_send_headers(r->http, 302);
		return 302;
	}
	if ((rc = link_open(r, &l)) != 0)
		return rc;
	o = json_object_new_object();
	if (l.file) {
		if (fs_link_file(r->app, &l, 0, &f) != FS_OK) {
			e = FS_LINK_CONTENT_GONE;
			goto fail;
		}
		json_add_str(o, "type", "file");
		json_add_str(o, "name", f.name);
		json_add_int(o, "size", f.size);
		json_add_str(o, "mime_type", f.mime);
	} else {
		if (query_id(r, "folder_id", &folder) == -1)
			e = FS_LINK_NOT_IN;
		else
			e = fs_link_folder(r->app, &l, folder, &d, &folders,
			    &files);
		if (e != FS_OK)
			goto fail;
		json_add_str(o, "type", "folder");
		json_add_str(o, "name", d.name);
		json_add_int(o, "folder_id", d.id);
		json_object_object_add(o, "folders",
		    fs_rows_json(folders, item_json));
		json_object_object_add(o, "files", fs_rows_json(files,
		    files_json));
	}
	json_add_bool(o, "allow_download", l.allow);
	json_add_bool(o, "password_protected", l.pwhash != NULL);
	fs_link_free(&l);
	return reply_json(r, 200, o);
fail:
	fs_link_free(&l);
	json_object_put(o);
	return reply_fs(r, e, "folder");
}

/* Take what a GET of a size-byte body (-1: a ZIP) costs the link.  0 ok,
 * else the status of the reply sent.  HEAD and a 416 cost nothing; an
 * unusable Range gets the whole body and costs a whole copy. */
static int
take_download(struct req *r, struct fs_link *l, long long size,
    struct fs_link_take *t)
{
	enum fs_err e;

	memset(t, 0, sizeof(*t));
	if (r->http->head)
		return 0;
	if (size > 0)
		switch (range_parse(http_header(r->http, "Range"),
		    (uint64_t)size, &t->first, &t->last)) {
		case RANGE_UNSATISFIABLE:
			return 0;
		case RANGE_OK:
			t->ranged = 1;
			break;
		case RANGE_NONE:
			break;
		}
	if ((e = fs_link_take(r->app, l, size, t)) != FS_OK)
		return reply_fs(r, e, NULL);
	return 0;
}

/* After the response: give back what was not delivered, audit what was
 * (every link download, ranged ones with their range). */
static void
settle_download(struct req *r, struct fs_link *l, struct fs_link_take *t,
    int ok, const char *type, long long id)
{
	json_object *d;
	char buf[64];

	if (!fs_link_settle(r->app, l, t, ok && !r->http->broken))
		return;
	d = json_object_new_object();
	json_add_int(d, "link_id", l->id);
	if (t->ranged) {
		snprintf(buf, sizeof(buf), "%llu-%llu",
		    (unsigned long long)t->first, (unsigned long long)t->last);
		json_add_str(d, "range", buf);
	}
	json_add_int(d, "units", t->units);
	audit_as(r, 0, NULL, "link_download", type, id, d);
}

/* The link's file (id 0) or one inside its folder. */
static int
send_file(struct req *r, struct fs_link *l, long long id)
{
	struct fs_link_take t;
	struct fs_file f;
	enum fs_err e;
	int rc;

	if ((e = fs_link_file(r->app, l, id, &f)) != FS_OK)
		return reply_fs(r, e, "file");
	if ((rc = take_download(r, l, f.size, &t)) != 0)
		return rc;
	rc = files_send_file(r, &f);
	settle_download(r, l, &t, rc == 200 || rc == 206, "file", f.id);
	return rc;
}

struct zipctx {
	struct req	*r;
	struct zip	*z;
	int		 started;
};

static int
zip_sink(void *arg, const void *buf, size_t len)
{
	struct zipctx *c = arg;

	if (!c->started) {
		c->started = 1;
		if (http_send_headers(c->r->http, 200) == -1)
			return -1;
	}
	return http_write(c->r->http, buf, len);
}

static int
file_to_zip(void *arg, const void *buf, size_t len)
{
	return zip_file_data(arg, buf, len);
}

static int
zip_folder(void *arg, const char *path)
{
	struct zipctx *c = arg;

	return zip_dir(c->z, path, time(NULL));
}

/* Stream one file of the tree into the archive, through the verified
 * open. */
static int
zip_one(void *arg, const char *dir, const struct fs_file *f)
{
	struct zipctx *c = arg;
	struct fs_reader *rd;
	const char *why;
	long long mt = 0;
	char *path;
	int rc = -1;

	time_parse(f->updated, &mt);
	if (fs_open(c->r->app, f, &rd, &why) != FS_OK) {
		log_err("zip: file %lld: %s", f->id, why);
		return -1;
	}
	path = xasprintf("%s%s", dir, f->name);
	if (zip_file_begin(c->z, path, (uint64_t)f->size, (time_t)mt) == 0 &&
	    (f->size == 0 || fs_read(rd, 0, (uint64_t)f->size, file_to_zip,
	    c->z, &why) == FS_OK) && zip_file_end(c->z) == 0)
		rc = 0;
	free(path);
	fs_close(rd);
	return rc;
}

/* The folder as a stored ZIP, streamed: the tree is checked against
 * the caps (fs-links.h) before the first byte, and memory stays bounded
 * by them, never by the files' sizes.  Its exact length goes out as
 * Content-Length, so a ZIP cut short is visibly short behind any front. */
static int
send_zip(struct req *r, struct fs_link *l)
{
	struct zipctx c = { r, NULL, 0 };
	struct fs_link_take t = { 0, 0, 0, 0 };
	struct fs_zip *z;
	enum fs_err e;
	size_t mark;
	char *name;
	int rc;

	if ((e = fs_zip_plan(r->app, l, &z)) != FS_OK)
		return reply_fs(r, e, NULL);
	/* The ZIP ignores Range: every GET of it is a whole download. */
	if ((rc = take_download(r, l, -1, &t)) != 0)
		goto done;
	/* The folder's name may be non-ASCII: filename* as for a file, or
	 * a script reading the header gets the raw UTF-8 bytes. */
	name = xasprintf("%s.zip", fs_zip_name(z));
	mark = http_headers_mark(r->http);
	http_set_header(r->http, "Content-Type", "application/zip");
	files_disposition(r->http, name);
	http_set_header(r->http, "Cache-Control", "private, no-store");
	http_set_header(r->http, "Content-Length", "%llu",
	    (unsigned long long)fs_zip_size(z));
	free(name);
	if (r->http->head) {
		http_send_headers(r->http, 200);
		rc = 200;
		goto done;
	}
	c.z = zip_new(zip_sink, &c);
	rc = fs_zip_walk(z, zip_folder, zip_one, &c) == FS_OK ?
	    zip_finish(c.z) : -1;
	if (rc != 0 && !c.started) {
		http_headers_reset(r->http, mark);
		rc = reply_internal(r);
		goto done;
	}
	if (rc != 0) {
		/* Headers are out: abort the connection so the client sees
		 * an error, not a clean end; the download is not counted. */
		log_err("zip of link %lld cut short", l->id);
		http_abort(r->http);
	}
	rc = 200;
done:
	if (c.z)
		zip_free(c.z);
	settle_download(r, l, &t, rc == 200, "folder", l->folder);
	fs_zip_free(z);
	return rc;
}

/* GET /api/share/{token}/download -> the file, or the folder as ZIP |
 * 401 | 403 download_disabled | 404 */
static int
public_download(struct req *r)
{
	struct fs_link l;
	int rc;

	if ((rc = link_open(r, &l)) != 0)
		return rc;
	if (!l.allow)
		rc = reply_fs(r, FS_LINK_NO_DOWNLOAD, NULL);
	else
		rc = l.file ? send_file(r, &l, 0) : send_zip(r, &l);
	fs_link_free(&l);
	return rc;
}

/* GET /api/share/{token}/files/{id}/download -> one file inside a shared
 * folder | 401 | 403 | 404 */
static int
public_file_download(struct req *r)
{
	struct fs_link l;
	int rc;

	if ((rc = link_open(r, &l)) != 0)
		return rc;
	if (l.folder == 0)
		rc = reply_fs(r, FS_LINK_NOT_IN, "file");
	else if (!l.allow)
		rc = reply_fs(r, FS_LINK_NO_DOWNLOAD, NULL);
	else
		rc = send_file(r, &l, r->m.ids[0]);
	fs_link_free(&l);
	return rc;
}

const struct route routes_public[] = {
	{ "GET", "/api/share/{token}", WHO_ANYONE, 0, public_info },
	{ "GET", "/api/share/{token}/download", WHO_ANYONE, 0, public_download },
	{ "GET", "/api/share/{token}/files/{id}/download", WHO_ANYONE, 0,
	    public_file_download },
	{ NULL, NULL, 0, 0, NULL }
};
