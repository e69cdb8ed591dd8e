/* File routes (SPEC §4 Files): list, upload (upload.c), download,
 * rename/move, delete.  Another user's file is a 404 everywhere. */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "names.h"
#include "app.h"
#include "sql.h"

/* GET /api/files?folder_id= -> 200 [{file}] sorted by name | 404 */
static int
files_list(struct req *r)
{
	long long folder = 0, limit, offset;
	int rc;

	if (query_id(r, "folder_id", &folder) == -1)
		return reply_error(r, 400, "invalid_parameter",
		    "'folder_id' must be a folder id.");
	if (query_paging(r, &limit, &offset))
		return 400;
	if (folder && (rc = folders_check(r, folder)) != 0)
		return rc;
	return reply_rows(r, db_query(r->app->db, SQL_FILE_LIST, "iiii",
	    r->user.id, folder, limit, offset), files_json);
}

/* GET /api/files/{id}/download -> 200/206 bytes | 304 | 404 | 416 */
static int
files_download(struct req *r)
{
	struct db_res *res;
	int rc;

	if ((res = db_query(r->app->db, SQL_FILE_READABLE, "iii", r->m.ids[0],
	    r->user.id, r->user.id)) == NULL)
		return reply_internal(r);
	if (db_rows(res) == 0) {
		db_res_free(res);
		return reply_error(r, 404, "not_found", "No such file.");
	}
	rc = files_send(r, res);
	db_res_free(res);
	return rc;
}

/* PATCH /api/files/{id} {name?, folder_id?} -> 200 {file} | 400 | 404 |
 * 409 (folder_id -1 or null: the root) */
static int
files_patch(struct req *r)
{
	struct db *db = r->app->db;
	long long id = r->m.ids[0], folder;
	const char *name = NULL;
	struct json_err e;
	struct db_res *res;
	json_object *o;
	int has_folder, rc;

	if (json_get_string(r->body, "name", 0, &name, &e) < 0 ||
	    (has_folder = json_get_int(r->body, "folder_id", 0, &folder, &e)) < 0)
		return reply_invalid(r, &e);
	if (name && !name_valid(name))
		return reply_error(r, 400, "invalid_name", "A name is 1 to 255 "
		    "bytes of UTF-8 without '/', '\\' or control characters.");
	if (has_folder == 1 && (folder < -1 || folder == 0))
		return reply_error(r, 400, "invalid_field",
		    "'folder_id' is a folder id, or -1 for the root.");
	if ((res = db_query(db, SQL_FILE_GET, "ii", id, r->user.id)) == NULL)
		return reply_internal(r);
	if (db_rows(res) == 0) {
		db_res_free(res);
		return reply_error(r, 404, "not_found", "No such file.");
	}
	if (json_is_null(r->body, "folder_id"))
		folder = 0;
	else if (has_folder == 0)
		folder = db_int(res, 0, F_FOLDER);
	else if (folder == -1)
		folder = 0;
	if (name == NULL)
		name = db_str(res, 0, F_NAME);
	if (folder && (rc = folders_check(r, folder)) != 0) {
		db_res_free(res);
		return rc;
	}
	if (db_exec(db, SQL_FILE_UPDATE, "snii", name, folder, id,
	    r->user.id) == -1) {
		db_res_free(res);
		if (db_err(db) == DB_DUPLICATE)
			return reply_error(r, 409, "name_exists",
			    "A file with that name exists in that folder.");
		return reply_internal(r);
	}
	db_res_free(res);
	if ((res = db_query(db, SQL_FILE_GET, "ii", id, r->user.id)) == NULL ||
	    db_rows(res) == 0) {
		db_res_free(res);
		return reply_internal(r);
	}
	o = files_json(res, 0);
	db_res_free(res);
	return reply_json(r, 200, o);
}

/* DELETE /api/files/{id} -> 200 {ok} | 404.  Row and quota first, bytes
 * after: a crash between leaves an orphan blob for gc (SPEC §5). */
static int
files_delete(struct req *r)
{
	struct db *db = r->app->db;
	long long id = r->m.ids[0];
	struct db_res *res = NULL;

	if (db_begin(db) == -1)
		return reply_internal(r);
	if ((res = db_query(db, SQL_FILE_GET_LOCK, "ii", id, r->user.id)) == NULL)
		goto fail;
	if (db_rows(res) == 0) {
		db_rollback(db);
		db_res_free(res);
		return reply_error(r, 404, "not_found", "No such file.");
	}
	if (db_exec(db, SQL_FILE_DELETE, "ii", id, r->user.id) != 1 ||
	    db_exec(db, SQL_QUOTA_REFUND, "ii", db_int(res, 0, F_SIZE),
	    r->user.id) == -1 || db_commit(db) == -1)
		goto fail;
	files_unlink_blobs(r->app, res, F_BLOB);
	db_res_free(res);
	return reply_ok(r);
fail:
	db_rollback(db);
	db_res_free(res);
	return reply_internal(r);
}

const struct route routes_files[] = {
	{ "GET", "/api/files", WHO_USER, 0, files_list },
	{ "POST", "/api/files/upload", WHO_USER, BODY_STREAM, upload_handle },
	{ "GET", "/api/files/{id}/download", WHO_USER, 0, files_download },
	{ "PATCH", "/api/files/{id}", WHO_USER, 1, files_patch },
	{ "DELETE", "/api/files/{id}", WHO_USER, 0, files_delete },
	{ NULL, NULL, 0, 0, NULL }
};
