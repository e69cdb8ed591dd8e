/* User-to-user shares (SPEC §4 Shares): read-only for the recipient, who
 * may download (files.c serves it) and nothing else. */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "names.h"
#include "app.h"
#include "sql.h"

/* POST /api/shares {file_id, shared_with} -> 201 {id, file_id,
 * shared_with, created_at} | 400 (self) | 404 | 409 already_shared */
static int
shares_create(struct req *r)
{
	struct db *db = r->app->db;
	const char *to;
	long long file_id, rid, id;
	struct json_err e;
	struct db_res *res;
	json_object *o;

	if (json_get_int(r->body, "file_id", 1, &file_id, &e) < 0 ||
	    json_get_string(r->body, "shared_with", 1, &to, &e) < 0)
		return reply_invalid(r, &e);
	if ((res = db_query(db, SQL_FILE_GET, "ii", file_id, r->user.id)) == NULL)
		return reply_internal(r);
	id = db_rows(res);
	db_res_free(res);
	if (id == 0)
		return reply_error(r, 404, "not_found", "No such file.");
	rid = 0;
	if (username_valid(to)) {
		if ((res = db_query(db, SQL_USER_ID_BY_NAME, "s", to)) == NULL)
			return reply_internal(r);
		rid = db_rows(res) ? db_int(res, 0, 0) : 0;
		db_res_free(res);
	}
	if (rid == 0)
		return reply_error(r, 404, "user_not_found", "No such user.");
	if (rid == r->user.id)
		return reply_error(r, 400, "invalid_recipient",
		    "You cannot share a file with yourself.");
	if (db_exec(db, SQL_SHARE_INSERT, "iii", file_id, r->user.id, rid) == -1) {
		if (db_err(db) == DB_DUPLICATE)
			return reply_error(r, 409, "already_shared",
			    "This file is already shared with that user.");
		return reply_internal(r);
	}
	id = db_insert_id(db);
	if ((res = db_query(db, SQL_SHARE_GET, "i", id)) == NULL ||
	    db_rows(res) == 0) {
		db_res_free(res);
		return reply_internal(r);
	}
	o = json_object_new_object();
	json_add_int(o, "file_id", file_id);
	json_add_str(o, "shared_with", db_str(res, 0, 2));
	audit(r, "share_create", "share", id, o);
	o = json_object_new_object();
	json_add_int(o, "id", id);
	json_add_int(o, "file_id", file_id);
	json_object_object_add(o, "shared_with", json_col(res, 0, 2));
	json_object_object_add(o, "created_at", json_col(res, 0, 3));
	db_res_free(res);
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

	if (query_paging(r, &limit, &offset))
		return 400;
	return reply_rows(r, db_query(r->app->db, SQL_SHARE_WITH_ME, "iii",
	    r->user.id, limit, offset), with_me_json);
}

/* GET /api/shares/by-me -> 200 [{id, file_id, name, shared_with,
 * created_at}] */
static int
shares_by_me(struct req *r)
{
	long long limit, offset;

	if (query_paging(r, &limit, &offset))
		return 400;
	return reply_rows(r, db_query(r->app->db, SQL_SHARE_BY_ME, "iii",
	    r->user.id, limit, offset), by_me_json);
}

/* DELETE /api/shares/{id} -> 200 {ok} | 404 (owner or recipient only) */
static int
shares_delete(struct req *r)
{
	long long n;

	n = db_exec(r->app->db, SQL_SHARE_DELETE, "iii", r->m.ids[0],
	    r->user.id, r->user.id);
	if (n == -1)
		return reply_internal(r);
	if (n == 0)
		return reply_error(r, 404, "not_found", "No such share.");
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
