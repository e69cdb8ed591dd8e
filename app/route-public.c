/* Public link routes (SPEC §4 Public links): no authentication; the
 * token is the credential.  A browser is sent to the dashboard's page
 * for the link, scripts get JSON and the bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "blob.h"
#include "crypto.h"
#include "json.h"
#include "log.h"
#include "range.h"
#include "store.h"
#include "zip.h"
#include "app.h"
#include "sql.h"

#include <errno.h>
#include <unistd.h>

struct link {
	struct db_res	*row;
	long long	 id, owner, file, folder;
};

static void
link_headers(struct http *h)
{
	http_set_header(h, "X-Content-Type-Options", "nosniff");
	http_set_header(h, "Content-Security-Policy", "default-src 'none'");
	http_set_header(h, "Referrer-Policy", "no-referrer");
}

/* Look up the token, check life, throttle and password.  0 ok (l set;
 * the caller frees l->row), else the status of the reply already sent
 * (nothing to free). */
static int
link_open(struct req *r, struct link *l)
{
	const char *tok = r->m.strs[0], *pw, *stored;
	unsigned char hash[32];
	char *qpw = NULL;
	long long wait;
	int rc = 0;

	memset(l, 0, sizeof(*l));
	link_headers(r->http);
	if ((wait = auth_throttled(r, "link", r->ip)) > 0) {
		http_set_header(r->http, "Retry-After", "%lld", wait);
		return reply_error(r, 429, "rate_limited", "Too many failed "
		    "attempts. Try again in %lld seconds.", wait);
	}
	crypto_sha256(tok, strlen(tok), hash);
	if ((l->row = db_query(r->app->db, SQL_LINK_BY_TOKEN, "b", hash,
	    sizeof(hash))) == NULL)
		return reply_internal(r);
	/* Unknown, revoked, expired and used-up links look alike. */
	if (db_rows(l->row) == 0 || db_int(l->row, 0, L_LIVE) == 0) {
		if (db_rows(l->row) == 0)
			auth_fail(r, "link", r->ip);
		db_res_free(l->row);
		l->row = NULL;
		return reply_error(r, 404, "not_found",
		    "This link does not exist or has expired.");
	}
	l->id = db_int(l->row, 0, L_ID);
	l->owner = db_int(l->row, 0, L_OWNER);
	l->file = db_int(l->row, 0, L_FILE);
	l->folder = db_int(l->row, 0, L_FOLDER);
	if ((stored = db_str(l->row, 0, L_PWHASH)) == NULL)
		return 0;
	pw = http_header(r->http, "X-Share-Password");
	if (pw == NULL)
		pw = qpw = http_query(r->http, "password");
	if (pw == NULL || *pw == '\0')
		rc = reply_error(r, 401, "password_required",
		    "This link needs a password (X-Share-Password header).");
	else if (strlen(pw) > 1024 ||
	    crypto_password_verify(stored, pw, strlen(pw)) != 1) {
		auth_fail(r, "link", r->ip);
		rc = reply_error(r, 403, "wrong_password",
		    "The link password is wrong.");
	}
	free(qpw);
	if (rc != 0) {
		/* Only an open link hands its row to the caller. */
		db_res_free(l->row);
		l->row = NULL;
	}
	return rc;
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
folder_items(struct req *r, struct link *l, long long folder, int files)
{
	json_object *a = json_object_new_array(), *o;
	struct db_res *res;
	size_t i;

	res = files ? db_query(r->app->db, SQL_FILE_LIST, "iiii", l->owner,
	    folder, 1000LL, 0LL) : db_query(r->app->db, SQL_FOLDER_LIST_ALL, "ii",
	    l->owner, folder);
	for (i = 0; i < db_rows(res); i++) {
		if (files) {
			o = files_json(res, i);
		} else {
			o = json_object_new_object();
			json_object_object_add(o, "id", json_col_int(res, i, D_ID));
			json_object_object_add(o, "name", json_col(res, i, D_NAME));
			json_object_object_add(o, "parent_id",
			    json_col_int(res, i, D_PARENT));
		}
		json_object_array_add(a, o);
	}
	db_res_free(res);
	return a;
}

/* Is folder (the owner's) the shared folder or below it? */
static int
inside(struct req *r, struct link *l, long long folder)
{
	struct db_res *res;
	size_t n;

	if (folder == l->folder)
		return 1;
	res = db_query(r->app->db, SQL_FOLDER_IS_BELOW, "ii", folder, l->folder);
	n = db_rows(res);
	db_res_free(res);
	return n > 0;
}

/* GET /api/share/{token}?folder_id= -> 200 {type, name, ...} | 302 to
 * /s/{token} for browsers | 401 | 403 | 404 */
static int
public_info(struct req *r)
{
	struct link l;
	struct db_res *res;
	json_object *o;
	long long folder = 0;
	int rc;

	if (wants_html(r)) {
		link_headers(r->http);
		http_set_header(r->http, "Location", "/s/%s", r->m.strs[0]);
		http_set_header(r->http, "Content-Length", "0");
		http_send_headers(r->http, 302);
		return 302;
	}
	if ((rc = link_open(r, &l)) != 0)
		return rc;
	o = json_object_new_object();
	if (l.file) {
		res = db_query(r->app->db, SQL_FILE_GET, "ii", l.file, l.owner);
		if (res == NULL || db_rows(res) == 0)
			goto gone;
		json_add_str(o, "type", "file");
		json_object_object_add(o, "name", json_col(res, 0, F_NAME));
		json_object_object_add(o, "size", json_col_int(res, 0, F_SIZE));
		json_object_object_add(o, "mime_type", json_col(res, 0, F_MIME));
	} else {
		if (query_id(r, "folder_id", &folder) == -1 ||
		    (folder && !inside(r, &l, folder))) {
			json_object_put(o);
			db_res_free(l.row);
			return reply_error(r, 404, "not_found", "No such folder "
			    "in this link.");
		}
		if (folder == 0)
			folder = l.folder;
		res = db_query(r->app->db, SQL_FOLDER_GET, "ii", folder, l.owner);
		if (res == NULL || db_rows(res) == 0)
			goto gone;
		json_add_str(o, "type", "folder");
		json_object_object_add(o, "name", json_col(res, 0, D_NAME));
		json_add_int(o, "folder_id", folder);
		json_object_object_add(o, "folders", folder_items(r, &l, folder, 0));
		json_object_object_add(o, "files", folder_items(r, &l, folder, 1));
	}
	json_add_bool(o, "allow_download", db_int(l.row, 0, L_ALLOW) != 0);
	json_add_bool(o, "password_protected", !db_null(l.row, 0, L_PWHASH));
	db_res_free(res);
	db_res_free(l.row);
	return reply_json(r, 200, o);
gone:
	db_res_free(res);
	db_res_free(l.row);
	json_object_put(o);
	return reply_error(r, 404, "not_found", "This link's content is gone.");
}

/* A whole-body GET uses one of max_downloads, taken before sending and
 * given back if the transfer fails: atomic under concurrency. */
static int
take_download(struct req *r, struct link *l, long long size, int *taken)
{
	uint64_t a, b;
	long long n;

	*taken = 0;
	/* Partial only when the Range will be honoured: an unusable one
	 * gets the whole body, and that counts. */
	if (r->http->head || (size >= 0 && range_parse(http_header(r->http,
	    "Range"), (uint64_t)size, &a, &b) == RANGE_OK))
		return 0;
	n = db_exec(r->app->db, SQL_LINK_TAKE_DOWNLOAD, "i", l->id);
	if (n == -1)
		return reply_internal(r);
	if (n == 0)
		return reply_error(r, 404, "not_found",
		    "This link does not exist or has expired.");
	*taken = 1;
	return 0;
}

static int
send_file(struct req *r, struct link *l, long long file_id, int in_folder)
{
	struct db_res *res;
	json_object *d;
	int rc, taken;

	res = db_query(r->app->db, in_folder ? SQL_FILE_IN_FOLDER : SQL_FILE_GET,
	    "ii", file_id, l->owner);
	if (res == NULL)
		return reply_internal(r);
	if (db_rows(res) == 0 || (in_folder &&
	    !inside(r, l, db_int(res, 0, F_FOLDER)))) {
		db_res_free(res);
		return reply_error(r, 404, "not_found", "No such file in this link.");
	}
	if ((rc = take_download(r, l, db_int(res, 0, F_SIZE), &taken)) != 0) {
		db_res_free(res);
		return rc;
	}
	rc = files_send(r, res);
	if (taken && (rc != 200 || r->http->broken))
		db_exec(r->app->db, SQL_LINK_GIVE_BACK, "i", l->id);
	else if (taken) {
		d = json_object_new_object();
		json_add_int(d, "link_id", l->id);
		audit_as(r, 0, NULL, "link_download", "file", file_id, d);
	}
	db_res_free(res);
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
blob_to_zip(void *arg, const void *buf, size_t len)
{
	return zip_file_data(arg, buf, len);
}

/* Stream one file of the tree into the archive. */
static int
zip_one(struct zipctx *c, const struct db_res *res, size_t i, const char *dir)
{
	struct app *a = c->r->app;
	const unsigned char *id = (const unsigned char *)db_str(res, i, F_BLOB);
	long long size = db_int(res, i, F_SIZE), mt = 0;
	struct blob_reader *br;
	enum blob_err e;
	char *path;
	int fd, rc = -1;

	time_parse(db_str(res, i, F_UPDATED), &mt);
	if ((fd = store_open(a->conf.data_dir, id)) == -1)
		return -1;
	if ((br = blob_reader_open(fd, &a->keyring, id, size, &e)) == NULL) {
		log_err("zip: file %lld: %s", db_int(res, i, F_ID), blob_strerror(e));
		close(fd);
		return -1;
	}
	path = xasprintf("%s%s", dir, db_str(res, i, F_NAME));
	if (zip_file_begin(c->z, path, (uint64_t)size, (time_t)mt) == 0 &&
	    (size == 0 || blob_reader_read(br, 0, size, blob_to_zip, c->z) ==
	    BLOB_OK) && zip_file_end(c->z) == 0)
		rc = 0;
	free(path);
	blob_reader_free(br);
	close(fd);
	return rc;
}

/* The folder as a stored ZIP, streamed: memory is bounded by the number
 * of entries (the central directory), never by their size. */
static int
send_zip(struct req *r, struct link *l)
{
	struct db *db = r->app->db;
	struct db_res *tree, *files;
	struct zipctx c = { r, NULL, 0 };
	char **paths;
	long long last, mt;
	size_t i, j, n;
	int rc = 0, taken;
	char *name;

	if ((tree = db_query(db, SQL_FOLDER_SUBTREE_TREE, "ii", l->folder,
	    l->owner)) == NULL || db_rows(tree) == 0) {
		db_res_free(tree);
		return reply_error(r, 404, "not_found", "This link's content is gone.");
	}
	/* The ZIP ignores Range: every GET of it is a whole download. */
	if ((rc = take_download(r, l, -1, &taken)) != 0) {
		db_res_free(tree);
		return rc;
	}
	/* Paths relative to the archive root "<shared name>/": parents come
	 * before children (ordered by depth). */
	n = db_rows(tree);
	paths = xcalloc(n, sizeof(*paths));
	for (i = 0; i < n; i++) {
		const char *parent = "";

		for (j = 0; j < i; j++)
			if (db_int(tree, j, 0) == db_int(tree, i, 1))
				parent = paths[j];
		paths[i] = xasprintf("%s%s/", parent, db_str(tree, i, 2));
	}
	name = xstrdup(db_str(tree, 0, 2));
	for (char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\')
			*p = '_';
	http_set_header(r->http, "Content-Type", "application/zip");
	http_set_header(r->http, "Content-Disposition",
	    "attachment; filename=\"%s.zip\"", name);
	http_set_header(r->http, "Cache-Control", "private, no-store");
	free(name);
	if (r->http->head) {
		http_send_headers(r->http, 200);
		goto done;
	}
	c.z = zip_new(zip_sink, &c);
	for (i = 0; i < n && rc == 0; i++) {
		mt = time(NULL);
		if (zip_dir(c.z, paths[i], (time_t)mt) == -1) {
			rc = -1;
			break;
		}
		last = 0;
		do {
			files = db_query(db, SQL_FILES_OF_FOLDER_PAGE, "ii",
			    db_int(tree, i, 0), last);
			if (files == NULL) {
				rc = -1;
				break;
			}
			for (j = 0; j < db_rows(files) && rc == 0; j++)
				rc = zip_one(&c, files, j, paths[i]);
			j = db_rows(files);
			if (j)
				last = db_int(files, j - 1, F_ID);
			db_res_free(files);
		} while (j == 500 && rc == 0);
	}
	if (rc == 0)
		rc = zip_finish(c.z);
	if (rc != 0 && !c.started) {
		zip_free(c.z);
		c.z = NULL;
		rc = reply_internal(r);
		goto done;
	}
	if (rc != 0) {
		/* Headers are out: the archive ends without its directory,
		 * and the download is not counted as completed. */
		log_err("zip of link %lld cut short", l->id);
		r->http->broken = 1;
	}
	rc = 200;
done:
	if (c.z)
		zip_free(c.z);
	if (taken && (r->http->broken || rc != 200))
		db_exec(db, SQL_LINK_GIVE_BACK, "i", l->id);
	else if (taken)
		audit_as(r, 0, NULL, "link_download", "folder", l->folder, NULL);
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	db_res_free(tree);
	return rc == 0 ? 200 : rc;
}

/* GET /api/share/{token}/download -> the file, or the folder as ZIP |
 * 401 | 403 download_disabled | 404 */
static int
public_download(struct req *r)
{
	struct link l;
	int rc;

	if ((rc = link_open(r, &l)) != 0)
		return rc;
	if (db_int(l.row, 0, L_ALLOW) == 0)
		rc = reply_error(r, 403, "download_disabled",
		    "Downloads are disabled for this link.");
	else
		rc = l.file ? send_file(r, &l, l.file, 0) : send_zip(r, &l);
	db_res_free(l.row);
	return rc;
}

/* GET /api/share/{token}/files/{id}/download -> one file inside a shared
 * folder | 401 | 403 | 404 */
static int
public_file_download(struct req *r)
{
	struct link l;
	int rc;

	if ((rc = link_open(r, &l)) != 0)
		return rc;
	if (l.folder == 0)
		rc = reply_error(r, 404, "not_found", "No such file in this link.");
	else if (db_int(l.row, 0, L_ALLOW) == 0)
		rc = reply_error(r, 403, "download_disabled",
		    "Downloads are disabled for this link.");
	else
		rc = send_file(r, &l, r->m.ids[0], 1);
	db_res_free(l.row);
	return rc;
}

const struct route routes_public[] = {
	{ "GET", "/api/share/{token}", WHO_ANYONE, 0, public_info },
	{ "GET", "/api/share/{token}/download", WHO_ANYONE, 0, public_download },
	{ "GET", "/api/share/{token}/files/{id}/download", WHO_ANYONE, 0,
	    public_file_download },
	{ NULL, NULL, 0, 0, NULL }
};
