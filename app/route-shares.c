/* User-to-user shares (SPEC §4 Shares): read-only for the recipient, who
 * may download (files.c serves it) and nothing else. */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "names.h"
#include "app.h"

/* POST /api/shares {file_id, shared_with} -> 201 {id, file_id,
 * shared_with, created_at} | 400 (self) | 404 | 409 already_shared */
static int
shares_create(struct req *r)
{
	const char *to;
	long long file_id;
	struct json_err je;
	struct fs_share sh;
	json_object *o;
	enum fs_err e;

	if (json_get_int(r->body, "file_id", 1, &file_id, &je) < 0 ||
	    json_get_string(r->body, "shared_with", 1, &to, &je) < 0)
		return reply_invalid(r, &je);
	if ((e = fs_share_create(r->app, r->user.id, file_id, to,
	    &sh)) != FS_OK)
		return reply_fs(r, e, "file");
	o = json_object_new_object();
	json_add_int(o, "file_id", file_id);
	json_add_str(o, "shared_with", sh.shared_with);
	audit(r, "share_create", "share", sh.id, o);
	o = json_object_new_object();
	json_add_int(o, "id", sh.id);
	json_add_int(o, "file_id", file_id);
	json_add_str(o, "shared_with", sh.shared_with);
	json_add_str(o, "created_at", sh.created[0] ? sh.created : NULL);
	return reply_json(r, 201, o);
}

static json_object *
with_me_json(const struct db_res *res, size_t i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_col_int(res, i, 0));
	json_object_object_add(o, "file_id", json_col_int(res, i, 1));
	json_object_object_add(o, "name", json_col(res, i, 2));
	json_object_object_add(o, "size", json_col_int(res, i, 3));
	json_object_object_add(o, "mime_type", json_col(res, i, 4));
	json_object_object_add(o, "owner", json_col(res, i, 5));
	json_object_object_add(o, "created_at", json_col(res, i, 6));
	return o;
}

static json_object *
by_me_json(const struct db_res *res, size_t i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_col_int(res, i, 0));
	json_object_object_add(o, "file_id", json_col_int(res, i, 1));
	json_object_object_add(o, "name", json_col(res, i, 2));
	json_object_object_add(o, "shared_with", json_col(res, i, 3));
	json_object_object_add(o, "created_at", json_col(res, i, 4));
	return o;
}

/* GET /api/shares/with-me -> 200 [{id, file_id, name, size, mime_type,
 * owner, created_at}] */
static int
shares_with_me(struct req *r)
{
	long long limit, offset;
	struct db_res *rows;
	enum fs_err e;

	if (query_paging(r, &limit, &offset))
		return 400;
	if ((e = fs_share_list(r->app, r->user.id, 1, limit, offset,
	    &rows)) != FS_OK)
		return reply_fs(r, e, NULL);
	return reply_rows(r, rows, with_me_json);
}

/* GET /api/shares/by-me -> 200 [{id, file_id, name, shared_with,
 * created_at}] */
static int
shares_by_me(struct req *r)
{
	long long limit, offset;
	struct db_res *rows;
	enum fs_err e;

	if (query_paging(r, &limit, &offset))
		return 400;
	if ((e = fs_share_list(r->app, r->user.id, 0, limit, offset,
	    &rows)) != FS_OK)
		return reply_fs(r, e, NULL);
	return reply_rows(r, rows, by_me_json);
}

/* DELETE /api/shares/{id} -> 200 {ok} | 404 (owner or recipient only) */
static int
shares_delete(struct req *r)
{
	enum fs_err e;

	if ((e = fs_share_delete(r->app, r->user.id, r->m.ids[0])) != FS_OK)
		return reply_fs(r, e, "share");
	audit(r, "share_revoke", "share", r->m.ids[0], NULL);
	return reply_ok(r);
}

const struct route routes_shares[] = {
	{ "POST", "/api/shares", WHO_USER, 1, shares_create },
	{ "GET", "/api/shares/with-me", WHO_USER, 0, shares_with_me },
	{ "GET", "/api/shares/by-me", WHO_USER, 0, shares_by_me },
	{ "DELETE", "/api/shares/{id}", WHO_USER, 0, shares_delete },
	{ NULL, NULL, 0, 0, NULL }
};
