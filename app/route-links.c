/* Public links, the owner's side (SPEC §4 Public links): one link per
 * file or folder; POST again updates it and returns the same token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b64.h"
#include "crypto.h"
#include "json.h"
#include "log.h"
#include "app.h"
#include "sql.h"

#define LINK_PW_MAX	1024
/* download_units (max_downloads x 1000000) must stay far from BIGINT. */
#define LINK_MAX_DOWNLOADS	1000000

struct link_opts {
	int		 allow, has_allow;
	long long	 expires;	/* epoch, 0 = never */
	int		 has_expires;
	const char	*password;	/* NULL: unchanged; "": remove */
	long long	 max;		/* 0 = unlimited */
	int		 has_max;
};

/* Read the body into o.  0 ok, else the 400 replied. */
static int
read_opts(struct req *r, struct link_opts *o)
{
	struct json_err e;
	const char *exps = NULL;
	int rc;

	memset(o, 0, sizeof(*o));
	o->allow = 1;
	if ((o->has_allow = json_get_bool(r->body, "allow_download", 0,
	    &o->allow, &e)) < 0 ||
	    json_get_string(r->body, "expires_at", 0, &exps, &e) < 0 ||
	    json_get_string(r->body, "password", 0, &o->password, &e) < 0 ||
	    (o->has_max = json_get_int(r->body, "max_downloads", 0, &o->max,
	    &e)) < 0)
		return reply_invalid(r, &e);
	o->has_expires = exps != NULL || json_is_null(r->body, "expires_at");
	if (exps && (time_parse(exps, &o->expires) == -1 ||
	    o->expires <= time(NULL)))
		return reply_error(r, 400, "invalid_field", "'expires_at' must "
		    "be a future UTC time, \"YYYY-MM-DD HH:MM:SS\".");
	if (json_is_null(r->body, "password"))
		o->password = "";
	if (o->password && strlen(o->password) > LINK_PW_MAX)
		return reply_error(r, 400, "invalid_field",
		    "'password' is at most %d bytes.", LINK_PW_MAX);
	if (json_is_null(r->body, "max_downloads"))
		o->has_max = 1, o->max = 0;
	else if (o->has_max && (o->max < 1 || o->max > LINK_MAX_DOWNLOADS))
		return reply_error(r, 400, "invalid_field", "'max_downloads' "
		    "is an integer from 1 to %d, or null.", LINK_MAX_DOWNLOADS);
	rc = 0;
	return rc;
}

/* Apply the server-wide policy (tcloud.conf) to the final settings. */
static int
check_policy(struct req *r, long long *expires, int has_password)
{
	const struct conf *c = &r->app->conf;
	long long maxt = c->link_max_lifetime ? time(NULL) + c->link_max_lifetime : 0;

	if (c->link_require_password && !has_password)
		return reply_error(r, 400, "password_required_by_policy",
		    "This server requires a password on every public link.");
	if (maxt && *expires == 0)
		*expires = maxt;
	if (maxt && *expires > maxt)
		return reply_error(r, 400, "expiry_too_far", "Links on this "
		    "server expire within %lld seconds.", c->link_max_lifetime);
	return 0;
}

static json_object *
link_json(struct req *r, const char *token, int allow, long long expires,
    long long max, int has_password, long long downloads)
{
	json_object *o = json_object_new_object();
	char buf[20];
	char *url = xasprintf("%s/api/share/%s", r->app->conf.public_base_url,
	    token);

	json_add_str(o, "token", token);
	json_add_str(o, "url", url);
	json_add_bool(o, "allow_download", allow);
	if (expires) {
		time_format(expires, buf);
		json_add_str(o, "expires_at", buf);
	} else
		json_add_str(o, "expires_at", NULL);
	if (max)
		json_add_int(o, "max_downloads", max);
	else
		json_add_str(o, "max_downloads", NULL);
	json_add_bool(o, "password_protected", has_password);
	json_add_int(o, "downloads", downloads);
	free(url);
	return o;
}

/* POST /api/{files,folders}/{id}/share-link {allow_download?, expires_at?,
 * password?, max_downloads?} -> 201 {token, url, allow_download,
 * expires_at, max_downloads} | 400 | 404 */
static int
link_upsert(struct req *r, int is_folder)
{
	struct app *a = r->app;
	struct db *db = a->db;
	long long id = r->m.ids[0], expires, max;
	struct link_opts o;
	struct db_res *res = NULL, *obj;
	unsigned char raw[32], hash[32], *enc = NULL;
	size_t enclen, n;
	uint32_t kek;
	char *token = NULL, *pwhash = NULL, tbuf[20];
	const char *keep_hash;
	json_object *d;
	int rc, allow, existed;

	if ((rc = read_opts(r, &o)) != 0)
		return rc;
	obj = db_query(db, is_folder ? SQL_FOLDER_GET : SQL_FILE_GET, "ii", id,
	    r->user.id);
	if (obj == NULL)
		return reply_internal(r);
	n = db_rows(obj);
	db_res_free(obj);
	if (n == 0)
		return reply_error(r, 404, "not_found", "No such %s.",
		    is_folder ? "folder" : "file");
	if (o.password && *o.password &&
	    (pwhash = crypto_password_hash(o.password, strlen(o.password),
	    &a->argon2)) == NULL)
		return reply_internal(r);
	if (db_begin(db) == -1) {
		free(pwhash);
		return reply_internal(r);
	}
	if ((res = db_query(db, SQL_LINK_BY_OBJECT, "iii", r->user.id,
	    is_folder ? 0 : id, is_folder ? id : 0)) == NULL)
		goto fail;
	existed = db_rows(res) > 0;
	/* Start from the stored settings; the body changes what it names. */
	allow = o.has_allow || !existed ? o.allow : db_int(res, 0, L_ALLOW) != 0;
	expires = 0;
	if (o.has_expires || !existed)
		expires = o.expires;
	else if (!db_null(res, 0, L_EXPIRES))
		time_parse(db_str(res, 0, L_EXPIRES), &expires);
	max = o.has_max || !existed ? o.max : db_int(res, 0, L_MAX);
	keep_hash = existed && o.password == NULL ? db_str(res, 0, L_PWHASH) : NULL;
	if ((rc = check_policy(r, &expires, pwhash || keep_hash)) != 0)
		goto out;
	if (existed) {
		token = app_open_token(a, (const unsigned char *)db_str(res, 0,
		    L_ENC), db_len(res, 0, L_ENC), &kek);
		if (token == NULL) {
			log_err("link %lld: token does not open", db_int(res, 0, L_ID));
			goto fail;
		}
		if (db_exec(db, SQL_LINK_UPDATE, "issniii", (long long)allow,
		    time_sql(expires, tbuf), pwhash ? pwhash : keep_hash, max,
		    (long long)o.has_max, (long long)o.has_max,
		    db_int(res, 0, L_ID)) == -1)
			goto fail;
	} else {
		crypto_random(raw, sizeof(raw));
		token = b64_encode(raw, sizeof(raw), B64_URL);
		crypto_sha256(token, strlen(token), hash);
		if (app_seal_token(a, token, &enc, &enclen) == -1)
			goto fail;
		if (db_exec(db, SQL_LINK_INSERT, "innbbissn", r->user.id,
		    is_folder ? 0 : id, is_folder ? id : 0, hash, sizeof(hash),
		    enc, enclen, (long long)allow, time_sql(expires, tbuf), pwhash,
		    max) == -1)
			goto fail;
	}
	if (db_commit(db) == -1)
		goto fail;
	d = json_object_new_object();
	json_add_bool(d, "allow_download", allow);
	json_add_bool(d, "password", pwhash || keep_hash);
	json_add_int(d, "max_downloads", max);
	json_add_int(d, "expires", expires);
	audit(r, existed ? "link_update" : "link_create",
	    is_folder ? "folder" : "file", id, d);
	rc = reply_json(r, 201, link_json(r, token, allow, expires, max,
	    pwhash || keep_hash, existed && !o.has_max ?
	    db_int(res, 0, L_DOWNLOADS) : 0));
	goto done;
fail:
	rc = reply_internal(r);
out:
	db_rollback(db);
done:
	db_res_free(res);
	free(token);
	free(enc);
	free(pwhash);
	return rc;
}

/* GET /api/{files,folders}/{id}/share-link -> 200 {token, url,
 * allow_download, expires_at, max_downloads, password_protected,
 * downloads} | 404 (no link, or not the caller's object) */
static int
link_get(struct req *r, int is_folder)
{
	long long id = r->m.ids[0], expires = 0;
	struct db_res *res;
	uint32_t kek;
	char *token;
	int rc;

	if ((res = db_query(r->app->db, SQL_LINK_OF_OBJECT, "iii", r->user.id,
	    is_folder ? 0 : id, is_folder ? id : 0)) == NULL)
		return reply_internal(r);
	if (db_rows(res) == 0) {
		db_res_free(res);
		return reply_error(r, 404, "not_found", "This %s has no public "
		    "link.", is_folder ? "folder" : "file");
	}
	token = app_open_token(r->app, (const unsigned char *)db_str(res, 0,
	    L_ENC), db_len(res, 0, L_ENC), &kek);
	if (token == NULL) {
		log_err("link %lld: token does not open", db_int(res, 0, L_ID));
		db_res_free(res);
		return reply_internal(r);
	}
	if (!db_null(res, 0, L_EXPIRES))
		time_parse(db_str(res, 0, L_EXPIRES), &expires);
	rc = reply_json(r, 200, link_json(r, token, db_int(res, 0, L_ALLOW) != 0,
	    expires, db_int(res, 0, L_MAX), !db_null(res, 0, L_PWHASH),
	    db_int(res, 0, L_DOWNLOADS)));
	explicit_bzero(token, strlen(token));
	free(token);
	db_res_free(res);
	return rc;
}

/* DELETE /api/{files,folders}/{id}/share-link -> 200 {ok} | 404 */
static int
link_delete(struct req *r, int is_folder)
{
	long long id = r->m.ids[0], n;

	n = db_exec(r->app->db, SQL_LINK_DELETE_OBJECT, "iii", r->user.id,
	    is_folder ? 0 : id, is_folder ? id : 0);
	if (n == -1)
		return reply_internal(r);
	if (n == 0)
		return reply_error(r, 404, "not_found", "No such link.");
	audit(r, "link_revoke", is_folder ? "folder" : "file", id, NULL);
	return reply_ok(r);
}

static int file_link_get(struct req *r) { return link_get(r, 0); }
static int folder_link_get(struct req *r) { return link_get(r, 1); }
static int file_link(struct req *r) { return link_upsert(r, 0); }
static int folder_link(struct req *r) { return link_upsert(r, 1); }
static int file_unlink(struct req *r) { return link_delete(r, 0); }
static int folder_unlink(struct req *r) { return link_delete(r, 1); }

const struct route routes_links[] = {
	{ "GET", "/api/files/{id}/share-link", WHO_USER, 0, file_link_get },
	{ "POST", "/api/files/{id}/share-link", WHO_USER, 1, file_link },
	{ "DELETE", "/api/files/{id}/share-link", WHO_USER, 0, file_unlink },
	{ "GET", "/api/folders/{id}/share-link", WHO_USER, 0, folder_link_get },
	{ "POST", "/api/folders/{id}/share-link", WHO_USER, 1, folder_link },
	{ "DELETE", "/api/folders/{id}/share-link", WHO_USER, 0, folder_unlink },
	{ NULL, NULL, 0, 0, NULL }
};
