/* Public link routes (SPEC §4 Public links): no authentication; the
 * token is the credential.  A browser is sent to the dashboard's page
 * for the link, scripts get JSON and the bytes. */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "b64.h"
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

/* The link session's MAC: binds the link, the expiry and the password
 * hash, so a new password (or a new link) voids every session. */
static char *
session_mac(struct req *r, long long link_id, long long exp, const char *pwhash)
{
	unsigned char mac[32];
	char *msg, *b;

	msg = xasprintf("tcloud link-session v1|%lld|%lld|%s", link_id, exp,
	    pwhash);
	crypto_hmac_sha256(r->app->jwt_key, r->app->jwt_keylen, msg,
	    strlen(msg), mac);
	free(msg);
	b = b64_encode(mac, sizeof(mac), B64_URL);
	explicit_bzero(mac, sizeof(mac));
	return b;
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

/* 1 if the visitor holds a live session for this link's password. */
static int
session_valid(struct req *r, struct link *l, const char *pwhash)
{
	char *v = session_presented(r), *mac = NULL, *dot;
	long long exp, now = (long long)time(NULL);
	int ok = 0;

	if (v == NULL || (dot = strchr(v, '.')) == NULL || dot - v > 12 ||
	    dot == v || strspn(v, "0123456789") != (size_t)(dot - v))
		goto out;
	exp = strtoll(v, NULL, 10);
	if (exp <= now || exp > now + r->app->conf.link_session_lifetime)
		goto out;
	mac = session_mac(r, l->id, exp, pwhash);
	ok = strlen(dot + 1) == strlen(mac) &&
	    crypto_ct_eq(dot + 1, mac, strlen(mac));
out:
	free(mac);
	free(v);
	return ok;
}

/* After a correct password: a signed session for this link, as a header
 * for scripts and a cookie scoped to the link for browsers, so the page
 * and its downloads need no Argon2 hash per request. */
static void
session_issue(struct req *r, struct link *l, const char *pwhash)
{
	long long life = r->app->conf.link_session_lifetime;
	long long exp = (long long)time(NULL) + life;
	const char *https = http_param(r->http, "HTTPS");
	char *mac = session_mac(r, l->id, exp, pwhash);

	http_set_header(r->http, "X-Share-Session", "%lld.%s", exp, mac);
	http_set_header(r->http, "Set-Cookie", SESSION_COOKIE "=%lld.%s; "
	    "Path=/api/share/%s; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
	    exp, mac, r->m.strs[0], life,
	    https && strcmp(https, "on") == 0 ? "; Secure" : "");
	free(mac);
}

/* Look up the token, check life, throttles and password.  0 ok (l set;
 * the caller frees l->row), else the status of the reply already sent
 * (nothing to free).  Wrong passwords count per client address (IPv6
 * per /64) and per link; unknown tokens per client address. */
static int
link_open(struct req *r, struct link *l)
{
	const char *tok = r->m.strs[0], *pw, *stored;
	unsigned char hash[32];
	char *qpw = NULL, lid[24];
	long long wait;
	int rc = 0;

	memset(l, 0, sizeof(*l));
	if ((wait = auth_throttled(r, "link", r->ipkey)) > 0)
		return link_throttled(r, wait, 0, r->ipkey);
	crypto_sha256(tok, strlen(tok), hash);
	if ((l->row = db_query(r->app->db, SQL_LINK_BY_TOKEN, "b", hash,
	    sizeof(hash))) == NULL)
		return reply_internal(r);
	/* Unknown, revoked, expired and used-up links look alike. */
	if (db_rows(l->row) == 0 || db_int(l->row, 0, L_LIVE) == 0) {
		if (db_rows(l->row) == 0)
			auth_fail(r, "link", r->ipkey);
		db_res_free(l->row);
		l->row = NULL;
		return reply_error(r, 404, "not_found",
		    "This link does not exist or has expired.");
	}
	l->id = db_int(l->row, 0, L_ID);
	l->owner = db_int(l->row, 0, L_OWNER);
	l->file = db_int(l->row, 0, L_FILE);
	l->folder = db_int(l->row, 0, L_FOLDER);
	if ((stored = db_str(l->row, 0, L_PWHASH)) == NULL ||
	    session_valid(r, l, stored))
		return 0;
	snprintf(lid, sizeof(lid), "%lld", l->id);
	pw = http_header(r->http, "X-Share-Password");
	if (pw == NULL)
		pw = qpw = http_query(r->http, "password");
	if ((wait = auth_throttled(r, "link_id", lid)) > 0)
		rc = link_throttled(r, wait, l->id, lid);
	else if (pw == NULL || *pw == '\0')
		rc = reply_error(r, 401, "password_required",
		    "This link needs a password (X-Share-Password header).");
	else if (strlen(pw) > 1024 ||
	    crypto_password_verify(stored, pw, strlen(pw)) != 1) {
		auth_fail(r, "link", r->ipkey);
		auth_fail(r, "link_id", lid);
		rc = reply_error(r, 403, "wrong_password",
		    "The link password is wrong.");
	} else
		session_issue(r, l, stored);
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
	/* A failed or cut walk is "outside": the link never reaches more. */
	res = db_query(r->app->db, SQL_FOLDER_IS_BELOW, "ii", folder, l->folder);
	n = db_rows(res) ? (size_t)db_int(res, 0, 0) : 0;
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

/* What a GET of the body costs the link (README "Public links"): a
 * whole copy is UNITS_PER_COPY, a range its share of the file, rounded
 * up, so no mix of whole and ranged GETs yields more whole copies than
 * max_downloads.  Taken before sending, atomically, and given back if
 * nothing (or not all) was sent. */
#define UNITS_PER_COPY	1000000LL

struct take {
	long long	 units;		/* taken; 0 = nothing to give back */
	uint64_t	 first, last;	/* the range, when ranged */
	int		 ranged;
};

static int
take_download(struct req *r, struct link *l, long long size, struct take *t)
{
	long long n;

	memset(t, 0, sizeof(*t));
	if (r->http->head)
		return 0;
	t->units = UNITS_PER_COPY;
	/* size -1: a ZIP, which ignores Range.  An unusable Range gets the
	 * whole body and costs a whole copy; a 416 sends nothing. */
	if (size > 0) {
		switch (range_parse(http_header(r->http, "Range"),
		    (uint64_t)size, &t->first, &t->last)) {
		case RANGE_UNSATISFIABLE:
			t->units = 0;
			return 0;
		case RANGE_OK:
			t->ranged = 1;
			t->units = (long long)(((unsigned __int128)(t->last -
			    t->first + 1) * UNITS_PER_COPY + (uint64_t)size - 1) /
			    (uint64_t)size);
			break;
		case RANGE_NONE:
			break;
		}
	}
	n = db_exec(r->app->db, SQL_LINK_TAKE_DOWNLOAD, "iii", t->units, l->id,
	    t->units);
	if (n == -1) {
		t->units = 0;
		return reply_internal(r);
	}
	if (n == 0) {
		t->units = 0;
		return reply_error(r, 404, "not_found",
		    "This link does not exist or has expired.");
	}
	return 0;
}

/* After the response: give back what was not delivered, audit what was
 * (every link download, ranged ones with their range). */
static void
settle_download(struct req *r, struct link *l, struct take *t, int ok,
    const char *type, long long id)
{
	json_object *d;
	char buf[64];

	if (t->units == 0)
		return;
	if (!ok || r->http->broken) {
		db_exec(r->app->db, SQL_LINK_GIVE_BACK, "ii", t->units, l->id);
		return;
	}
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

static int
send_file(struct req *r, struct link *l, long long file_id, int in_folder)
{
	struct db_res *res;
	struct take t;
	int rc;

	res = db_query(r->app->db, in_folder ? SQL_FILE_IN_FOLDER : SQL_FILE_GET,
	    "ii", file_id, l->owner);
	if (res == NULL)
		return reply_internal(r);
	if (db_rows(res) == 0 || (in_folder &&
	    !inside(r, l, db_int(res, 0, F_FOLDER)))) {
		db_res_free(res);
		return reply_error(r, 404, "not_found", "No such file in this link.");
	}
	if ((rc = take_download(r, l, db_int(res, 0, F_SIZE), &t)) != 0) {
		db_res_free(res);
		return rc;
	}
	rc = files_send(r, res);
	settle_download(r, l, &t, rc == 200 || rc == 206, "file", file_id);
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
file_to_zip(void *arg, const void *buf, size_t len)
{
	return zip_file_data(arg, buf, len);
}

/* Stream one file of the tree into the archive. */
static int
zip_one(struct zipctx *c, const struct db_res *res, size_t i, const char *dir)
{
	struct fs_reader *rd;
	struct fs_file f;
	const char *why;
	long long mt = 0;
	char *path;
	int rc = -1;

	fs_file_from_row(res, i, &f);
	time_parse(f.updated, &mt);
	if (fs_open(c->r->app, &f, &rd, &why) != FS_OK) {
		log_err("zip: file %lld: %s", f.id, why);
		return -1;
	}
	path = xasprintf("%s%s", dir, f.name);
	if (zip_file_begin(c->z, path, (uint64_t)f.size, (time_t)mt) == 0 &&
	    (f.size == 0 || fs_read(rd, 0, (uint64_t)f.size, file_to_zip, c->z,
	    &why) == FS_OK) && zip_file_end(c->z) == 0)
		rc = 0;
	free(path);
	fs_close(rd);
	return rc;
}

/* What one ZIP may hold, checked before its first byte: the central
 * directory (every entry's path) stays in memory until the end, so its
 * size is what bounds the worker, whatever the tree's shape.  A path is
 * at most PATH_MAX long so that the archive can be extracted. */
#define ZIP_MAX_FOLDERS	10000
#define ZIP_MAX_ENTRIES	65535
#define ZIP_MAX_NAMES	(8 * 1024 * 1024)	/* sum of all paths */
#define ZIP_MAX_PATH	4096

/* Tree row columns (SQL_FOLDER_SUBTREE_TREE). */
enum { T_ID, T_PARENT, T_NAME, T_DEPTH, T_NFILES, T_FNAMES, T_FNAMEMAX };

struct zipdir {
	long long	 id;
	size_t		 row;
};

static int
zipdir_cmp(const void *a, const void *b)
{
	const struct zipdir *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Folder row i's archive path ("<shared>/a/b/") into buf, built from its
 * parents on demand: one buffer for the whole archive, never one string
 * per folder. */
static void
zip_path(const struct db_res *tree, const size_t *parent, size_t i,
    char *buf, size_t *chain)
{
	size_t n = 0, len = 0, l;

	for (;;) {
		chain[n++] = i;
		if (i == 0)
			break;
		i = parent[i];
	}
	while (n-- > 0) {
		l = db_len(tree, chain[n], T_NAME);
		memcpy(buf + len, db_str(tree, chain[n], T_NAME), l);
		len += l;
		buf[len++] = '/';
	}
	buf[len] = '\0';
}

/* Check the tree against the caps and link each folder to its parent's
 * row.  0 ok; else the status of the reply sent. */
static int
zip_plan(struct req *r, const struct db_res *tree, size_t *parent)
{
	size_t n = db_rows(tree), i, *plen;
	struct zipdir *ix, key, *p;
	uint64_t entries = 0, names = 0;
	int rc = 0;

	if (n > ZIP_MAX_FOLDERS)
		return reply_error(r, 409, "zip_too_large", "This folder has "
		    "more than %d folders to put in one ZIP; download its "
		    "parts or its files one by one.", ZIP_MAX_FOLDERS);
	if (db_int(tree, n - 1, T_DEPTH) >= SQL_WALK_MAX) {
		log_err("zip of folder %lld: tree deeper than %d levels",
		    db_int(tree, 0, T_ID), SQL_WALK_MAX);
		return reply_error(r, 409, "too_deep", "This folder tree is too "
		    "deep to put in one ZIP.");
	}
	ix = xcalloc(n, sizeof(*ix));
	plen = xcalloc(n, sizeof(*plen));
	for (i = 0; i < n; i++) {
		ix[i].id = db_int(tree, i, T_ID);
		ix[i].row = i;
	}
	qsort(ix, n, sizeof(*ix), zipdir_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		plen[i] = db_len(tree, i, T_NAME) + 1;
		if (i > 0) {
			key.id = db_int(tree, i, T_PARENT);
			p = bsearch(&key, ix, n, sizeof(*ix), zipdir_cmp);
			/* Rows come parents first; anything else is a tree
			 * changing under us. */
			if (p == NULL || p->row >= i) {
				rc = reply_internal(r);
				break;
			}
			parent[i] = p->row;
			plen[i] += plen[p->row];
		}
		entries += 1 + (uint64_t)db_int(tree, i, T_NFILES);
		names += plen[i] + plen[i] * (uint64_t)db_int(tree, i, T_NFILES) +
		    (uint64_t)db_int(tree, i, T_FNAMES);
		if (plen[i] + (size_t)db_int(tree, i, T_FNAMEMAX) > ZIP_MAX_PATH)
			rc = reply_error(r, 409, "zip_too_large", "A path in "
			    "this folder is longer than %d bytes, too long for "
			    "a ZIP that can be extracted.", ZIP_MAX_PATH);
		else if (entries > ZIP_MAX_ENTRIES || names > ZIP_MAX_NAMES)
			rc = reply_error(r, 409, "zip_too_large", "This folder "
			    "holds too many entries for one ZIP (at most %d, "
			    "with %d MiB of paths); download its parts or its "
			    "files one by one.", ZIP_MAX_ENTRIES,
			    ZIP_MAX_NAMES >> 20);
	}
	free(ix);
	free(plen);
	return rc;
}

/* One file of a ZIP's listing, in archive order. */
struct zipfile {
	long long	 id;
	uint64_t	 size;
	size_t		 namelen;	/* of the file's own name */
	size_t		 folder;	/* its row in the tree */
};

/* List the files of every folder of the tree, in the order the archive
 * takes them, under the caps (files added since the tree was read count
 * too), and the entries' sizes into *se for zip_size_for().  Returns
 * how many files, or -1 (logged) over a cap or on a database error. */
static ssize_t
zip_list(struct req *r, const struct db_res *tree, const size_t *parent,
    char *path, size_t *chain, struct zipfile **zf, struct zip_sizeent **se,
    size_t *nse)
{
	struct db_res *files;
	uint64_t names = 0;
	size_t i, j, n = db_rows(tree), nf = 0, cap = 0, plen, fl;
	long long last;

	*zf = NULL;
	*se = xcalloc(n, sizeof(**se));
	*nse = 0;
	for (i = 0; i < n; i++) {
		zip_path(tree, parent, i, path, chain);
		plen = strlen(path);
		names += plen;
		(*se)[(*nse)++] = (struct zip_sizeent){ plen, 0, 1 };
		last = 0;
		do {
			files = db_query(r->app->db, SQL_FILES_OF_FOLDER_PAGE,
			    "ii", db_int(tree, i, T_ID), last);
			if (files == NULL)
				return -1;
			for (j = 0; j < db_rows(files); j++) {
				fl = db_len(files, j, F_NAME);
				names += plen + fl;
				if (n + nf + 1 > ZIP_MAX_ENTRIES ||
				    names > ZIP_MAX_NAMES ||
				    plen + fl > ZIP_MAX_PATH) {
					log_err("zip of folder %lld: grew past "
					    "its caps", db_int(tree, 0, T_ID));
					db_res_free(files);
					return -1;
				}
				if (nf == cap) {
					cap = cap ? 2 * cap : 64;
					*zf = xrealloc(*zf, cap * sizeof(**zf));
					*se = xrealloc(*se, (n + cap) * sizeof(**se));
				}
				(*zf)[nf++] = (struct zipfile){ db_int(files, j,
				    F_ID), (uint64_t)db_int(files, j, F_SIZE), fl, i };
				(*se)[(*nse)++] = (struct zip_sizeent){ plen + fl,
				    (uint64_t)db_int(files, j, F_SIZE), 0 };
			}
			j = db_rows(files);
			if (j)
				last = db_int(files, j - 1, F_ID);
			db_res_free(files);
		} while (j == 500);
	}
	return (ssize_t)nf;
}

/* The folder as a stored ZIP, streamed.  Memory is bounded by the caps
 * above (checked before the first byte, on the tree and again on the
 * listing), never by the files' sizes.  The archive's exact length goes
 * out as Content-Length: a response cut short is then visibly short to
 * the client behind any front (mod_fcgid ends an aborted response with
 * a clean last chunk).  So the stream holds exactly the listed files:
 * one added since is left out; one gone, renamed or resized since
 * aborts it. */
static int
send_zip(struct req *r, struct link *l)
{
	struct db *db = r->app->db;
	struct db_res *tree, *files;
	struct zipctx c = { r, NULL, 0 };
	size_t *parent = NULL, *chain = NULL;
	struct zipfile *zf = NULL;
	struct zip_sizeent *se = NULL;
	char *path = NULL, *name;
	long long last, mt, id;
	size_t i, j, k = 0, n = 0, nse = 0, mark;
	ssize_t nf = 0;
	struct take t = { 0, 0, 0, 0 };
	int rc = 0;

	if ((tree = db_query(db, SQL_FOLDER_SUBTREE_TREE, "iii", l->folder,
	    l->owner, (long long)ZIP_MAX_FOLDERS + 1)) == NULL) {
		return reply_internal(r);
	}
	if ((n = db_rows(tree)) == 0) {
		db_res_free(tree);
		return reply_error(r, 404, "not_found", "This link's content is gone.");
	}
	parent = xcalloc(n, sizeof(*parent));
	if ((rc = zip_plan(r, tree, parent)) != 0)
		goto done;
	/* The ZIP ignores Range: every GET of it is a whole download. */
	if ((rc = take_download(r, l, -1, &t)) != 0)
		goto done;
	path = xmalloc(ZIP_MAX_PATH + 1);
	chain = xcalloc(SQL_WALK_MAX + 1, sizeof(*chain));
	name = xstrdup(db_str(tree, 0, T_NAME));
	for (char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\')
			*p = '_';
	mark = http_headers_mark(r->http);
	http_set_header(r->http, "Content-Type", "application/zip");
	http_set_header(r->http, "Content-Disposition",
	    "attachment; filename=\"%s.zip\"", name);
	http_set_header(r->http, "Cache-Control", "private, no-store");
	free(name);
	if (r->http->head) {
		http_send_headers(r->http, 200);
		rc = 200;
		goto done;
	}
	if ((nf = zip_list(r, tree, parent, path, chain, &zf, &se, &nse)) < 0) {
		http_headers_reset(r->http, mark);
		rc = reply_internal(r);
		goto done;
	}
	http_set_header(r->http, "Content-Length", "%llu",
	    (unsigned long long)zip_size_for(se, nse));
	c.z = zip_new(zip_sink, &c);
	for (i = 0; i < n && rc == 0; i++) {
		zip_path(tree, parent, i, path, chain);
		mt = time(NULL);
		if (zip_dir(c.z, path, (time_t)mt) == -1) {
			rc = -1;
			break;
		}
		last = 0;
		do {
			files = db_query(db, SQL_FILES_OF_FOLDER_PAGE, "ii",
			    db_int(tree, i, T_ID), last);
			if (files == NULL) {
				rc = -1;
				break;
			}
			for (j = 0; j < db_rows(files) && rc == 0; j++) {
				id = db_int(files, j, F_ID);
				if (k == (size_t)nf || zf[k].folder != i ||
				    zf[k].id > id)
					continue;	/* added since */
				/* Ids ascend: a listed one passed is gone. */
				if (zf[k].id < id || zf[k].size !=
				    (uint64_t)db_int(files, j, F_SIZE) ||
				    zf[k].namelen != db_len(files, j, F_NAME)) {
					log_err("zip of link %lld: file %lld "
					    "changed while streaming", l->id,
					    zf[k].id);
					rc = -1;
					break;
				}
				rc = zip_one(&c, files, j, path);
				k++;
			}
			j = db_rows(files);
			if (j)
				last = db_int(files, j - 1, F_ID);
			db_res_free(files);
		} while (j == 500 && rc == 0);
		if (rc == 0 && k < (size_t)nf && zf[k].folder == i) {
			log_err("zip of link %lld: file %lld gone while "
			    "streaming", l->id, zf[k].id);
			rc = -1;
		}
	}
	if (rc == 0)
		rc = zip_finish(c.z);
	if (rc != 0 && !c.started) {
		zip_free(c.z);
		c.z = NULL;
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
	free(zf);
	free(se);
	free(parent);
	free(chain);
	free(path);
	db_res_free(tree);
	return rc;
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
