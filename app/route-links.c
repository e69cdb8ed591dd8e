/* Public links, the owner's side (SPEC §4 Public links): one link per
 * file or folder; POST again updates it and returns the same token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "log.h"
#include "app.h"
#include "fs-links.h"

#define LINK_PW_MAX	1024
/* download_units (max_downloads x 1000000) must stay far from BIGINT. */
#define LINK_MAX_DOWNLOADS	1000000

/* Read the body into o.  0 ok, else the 400 replied. */
static int
read_opts(struct req *r, struct fs_link_set *o)
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

static json_object *
link_json(struct req *r, const struct fs_link *l)
{
	json_object *o = json_object_new_object();
	char buf[20];
	char *url = xasprintf("%s/api/share/%s", r->app->conf.public_base_url,
	    l->token);

	json_add_str(o, "token", l->token);
	json_add_str(o, "url", url);
	json_add_bool(o, "allow_download", l->allow);
	if (l->expires) {
		time_format(l->expires, buf);
		json_add_str(o, "expires_at", buf);
	} else
		json_add_str(o, "expires_at", NULL);
	if (l->max)
		json_add_int(o, "max_downloads", l->max);
	else
		json_add_str(o, "max_downloads", NULL);
	json_add_bool(o, "password_protected", l->pwhash != NULL);
	json_add_int(o, "downloads", l->downloads);
	free(url);
	return o;
}

/* POST /api/{files,folders}/{id}/share-link {allow_download?, expires_at?,
 * password?, max_downloads?} -> 201 {token, url, allow_download,
 * expires_at, max_downloads} | 400 | 404 */
static int
link_upsert(struct req *r, int is_folder)
{
	const char *what = is_folder ? "folder" : "file";
	long long id = r->m.ids[0];
	struct fs_link_set o;
	struct fs_link l;
	json_object *d;
	enum fs_err e;
	int rc, existed;

	if ((rc = read_opts(r, &o)) != 0)
		return rc;
	if ((e = fs_link_upsert(r->app, r->user.id, is_folder, id, &o, &l,
	    &existed)) != FS_OK)
		return reply_fs(r, e, what);
	d = json_object_new_object();
	json_add_bool(d, "allow_download", l.allow);
	json_add_bool(d, "password", l.pwhash != NULL);
	json_add_int(d, "max_downloads", l.max);
	json_add_int(d, "expires", l.expires);
	audit(r, existed ? "link_update" : "link_create", what, id, d);
	rc = reply_json(r, 201, link_json(r, &l));
	fs_link_free(&l);
	return rc;
}

/* GET /api/{files,folders}/{id}/share-link -> 200 {token, url,
 * allow_download, expires_at, max_downloads, password_protected,
 * downloads} | 404 (no link, or not the caller's object) */
static int
link_get(struct req *r, int is_folder)
{
	struct fs_link l;
	enum fs_err e;
	int rc;

	if ((e = fs_link_get(r->app, r->user.id, is_folder, r->m.ids[0],
	    &l)) != FS_OK)
		return reply_fs(r, e, is_folder ? "folder" : "file");
	rc = reply_json(r, 200, link_json(r, &l));
	fs_link_free(&l);
	return rc;
}

/* DELETE /api/{files,folders}/{id}/share-link -> 200 {ok} | 404 */
static int
link_delete(struct req *r, int is_folder)
{
	long long id = r->m.ids[0];
	enum fs_err e;

	if ((e = fs_link_delete(r->app, r->user.id, is_folder, id)) != FS_OK)
		return reply_fs(r, e, "link");
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
