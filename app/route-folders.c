/* Folder routes (SPEC §4 Folders): list, create, path, rename/move with a
 * cycle check, recursive delete. */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "names.h"
#include "app.h"
#include "sql.h"

static json_object *
folder_json(const struct db_res *res, size_t i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_col_int(res, i, D_ID));
	json_object_object_add(o, "name", json_col(res, i, D_NAME));
	json_object_object_add(o, "parent_id", json_col_int(res, i, D_PARENT));
	json_object_object_add(o, "created_at", json_col(res, i, D_CREATED));
	return o;
}

int
folders_check(struct req *r, long long folder_id)
{
	struct db_res *res;
	size_t n;

	if (folder_id == 0)
		return 0;
	if ((res = db_query(r->app->db, SQL_FOLDER_GET, "ii", folder_id,
	    r->user.id)) == NULL)
		return reply_internal(r);
	n = db_rows(res);
	db_res_free(res);
	return n ? 0 : reply_error(r, 404, "not_found", "No such folder.");
}

static int
invalid_name(struct req *r)
{
	return reply_error(r, 400, "invalid_name", "A name is 1 to 255 bytes "
	    "of UTF-8 without '/', '\\' or control characters, not '.' or '..'.");
}

static int
too_deep(struct req *r)
{
	return reply_error(r, 409, "too_deep", "Folders may be nested at "
	    "most %lld levels deep.", r->app->conf.max_folder_depth);
}

static int
walk_cut(struct req *r, long long id)
{
	/* Only a tree made before the depth cap (or damaged) gets here. */
	log_err("folder %lld: tree deeper than %d levels, walk refused", id,
	    SQL_WALK_MAX);
	return reply_error(r, 409, "too_deep", "This folder tree is too deep "
	    "to handle at once; move or delete its deepest folders first.");
}

/* The depth of folder id (top level: 1) into *depth.  0 ok; else the
 * status of the reply sent (404 not the caller's, 409 walk cut, 500). */
static int
folder_depth(struct req *r, long long id, long long *depth)
{
	struct db_res *res;
	size_t n;
	int top;

	if ((res = db_query(r->app->db, SQL_FOLDER_PATH, "ii", id,
	    r->user.id)) == NULL)
		return reply_internal(r);
	n = db_rows(res);
	top = n && db_int(res, 0, 2) == 1;
	db_res_free(res);
	if (n == 0)
		return reply_error(r, 404, "not_found", "No such folder.");
	if (!top)
		return walk_cut(r, id);
	*depth = (long long)n;
	return 0;
}

/* Read an optional parent id: absent -> *has 0; null or -1 -> root (0). */
static int
read_parent(struct req *r, long long *parent, int *has)
{
	struct json_err e;

	*parent = 0;
	if (json_is_null(r->body, "parent_id")) {
		*has = 1;
		return 0;
	}
	if ((*has = json_get_int(r->body, "parent_id", 0, parent, &e)) < 0)
		return reply_invalid(r, &e);
	if (*has && *parent == -1)
		*parent = 0;
	else if (*has && *parent <= 0)
		return reply_error(r, 400, "invalid_field",
		    "'parent_id' is a folder id, or null for the root.");
	return 0;
}

/* GET /api/folders?parent_id= -> 200 [{id, name, parent_id, created_at}] */
static int
folders_list(struct req *r)
{
	long long parent = 0, limit, offset;
	int rc;

	if (query_id(r, "parent_id", &parent) == -1)
		return reply_error(r, 400, "invalid_parameter",
		    "'parent_id' must be a folder id.");
	if (query_paging(r, &limit, &offset))
		return 400;
	if (parent && (rc = folders_check(r, parent)) != 0)
		return rc;
	return reply_rows(r, db_query(r->app->db, SQL_FOLDER_LIST, "iiii",
	    r->user.id, parent, limit, offset), folder_json);
}

static int
reply_folder(struct req *r, int status, long long id)
{
	struct db_res *res;
	json_object *o;

	if ((res = db_query(r->app->db, SQL_FOLDER_GET, "ii", id,
	    r->user.id)) == NULL || db_rows(res) == 0) {
		db_res_free(res);
		return reply_internal(r);
	}
	o = folder_json(res, 0);
	db_res_free(res);
	return reply_json(r, status, o);
}

/* POST /api/folders {name, parent_id} -> 201 {folder} | 400 | 404 |
 * 409 (name taken, too deep) | 507 (folder count limit) */
static int
folders_create(struct req *r)
{
	struct db *db = r->app->db;
	struct db_res *res;
	const char *name;
	struct json_err e;
	long long parent, depth = 0, count, id;
	int has, rc;

	if (json_get_string(r->body, "name", 1, &name, &e) < 0)
		return reply_invalid(r, &e);
	if (!name_valid(name))
		return invalid_name(r);
	if ((rc = read_parent(r, &parent, &has)) != 0)
		return rc;
	/* Under the user's row lock: a concurrent move cannot deepen the
	 * parent between the depth check and the insert. */
	if (db_begin(db) == -1)
		return reply_internal(r);
	if ((res = db_query(db, SQL_USER_LOCK, "i", r->user.id)) == NULL)
		goto fail;
	db_res_free(res);
	if (parent && (rc = folder_depth(r, parent, &depth)) != 0)
		goto out;
	if (depth + 1 > r->app->conf.max_folder_depth) {
		rc = too_deep(r);
		goto out;
	}
	if ((res = db_query(db, SQL_FOLDER_COUNT, "i", r->user.id)) == NULL)
		goto fail;
	count = db_int(res, 0, 0);
	db_res_free(res);
	if (count >= r->app->conf.max_folders_per_user) {
		rc = reply_error(r, 507, "quota_exceeded", "You have reached the "
		    "limit of %lld folders.", r->app->conf.max_folders_per_user);
		goto out;
	}
	if (db_exec(db, SQL_FOLDER_INSERT, "ins", r->user.id, parent,
	    name) == -1) {
		if (db_err(db) == DB_DUPLICATE) {
			rc = reply_error(r, 409, "name_exists",
			    "A folder with that name exists here.");
			goto out;
		}
		goto fail;
	}
	id = db_insert_id(db);
	if (db_commit(db) == -1)
		goto fail;
	return reply_folder(r, 201, id);
fail:
	rc = reply_internal(r);
out:
	db_rollback(db);
	return rc;
}

static json_object *
crumb_json(const struct db_res *res, size_t i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_col_int(res, i, 0));
	json_object_object_add(o, "name", json_col(res, i, 1));
	return o;
}

/* GET /api/folders/{id}/path -> 200 [{id, name}] top-level first | 404 */
static int
folders_path(struct req *r)
{
	struct db_res *res;

	if ((res = db_query(r->app->db, SQL_FOLDER_PATH, "ii", r->m.ids[0],
	    r->user.id)) == NULL)
		return reply_internal(r);
	if (db_rows(res) == 0) {
		db_res_free(res);
		return reply_error(r, 404, "not_found", "No such folder.");
	}
	if (db_int(res, 0, 2) != 1) {
		db_res_free(res);
		return walk_cut(r, r->m.ids[0]);
	}
	return reply_rows(r, res, crumb_json);
}

/* PATCH /api/folders/{id} {name?, parent_id?} -> 200 {folder} | 400 |
 * 404 | 409 (name taken, a move into itself or below, too deep) */
static int
folders_patch(struct req *r)
{
	struct db *db = r->app->db;
	long long id = r->m.ids[0], parent, depth = 0, height, cycle, complete;
	const char *name = NULL;
	struct json_err e;
	struct db_res *res = NULL, *below;
	int has, rc = 0;

	if (json_get_string(r->body, "name", 0, &name, &e) < 0)
		return reply_invalid(r, &e);
	if (name && !name_valid(name))
		return invalid_name(r);
	if ((rc = read_parent(r, &parent, &has)) != 0)
		return rc;
	/* The move and its cycle check in one transaction, under the user's
	 * row lock, so two crossing moves cannot make a loop. */
	if (db_begin(db) == -1)
		return reply_internal(r);
	if ((res = db_query(db, SQL_USER_LOCK, "i", r->user.id)) == NULL)
		goto fail;
	db_res_free(res);
	if ((res = db_query(db, SQL_FOLDER_GET, "ii", id, r->user.id)) == NULL)
		goto fail;
	if (db_rows(res) == 0) {
		rc = reply_error(r, 404, "not_found", "No such folder.");
		goto out;
	}
	if (!has)
		parent = db_int(res, 0, D_PARENT);
	if (name == NULL)
		name = db_str(res, 0, D_NAME);
	if (parent && (rc = folders_check(r, parent)) != 0)
		goto out;
	if (parent) {
		if ((below = db_query(db, SQL_FOLDER_IS_BELOW, "ii", parent,
		    id)) == NULL)
			goto fail;
		cycle = db_int(below, 0, 0);
		complete = db_int(below, 0, 1);
		db_res_free(below);
		if (cycle) {
			rc = reply_error(r, 409, "folder_cycle", "A folder "
			    "cannot move into itself or a folder below it.");
			goto out;
		}
		if (!complete) {
			rc = walk_cut(r, parent);
			goto out;
		}
	}
	if (parent != db_int(res, 0, D_PARENT)) {
		/* The deepest folder moved must stay within the cap. */
		if (parent && (rc = folder_depth(r, parent, &depth)) != 0)
			goto out;
		if ((below = db_query(db, SQL_FOLDER_SUBTREE, "ii", id,
		    r->user.id)) == NULL)
			goto fail;
		height = db_int(below, 0, 1);
		db_res_free(below);
		if (height >= SQL_WALK_MAX) {
			rc = walk_cut(r, id);
			goto out;
		}
		if (depth + 1 + height > r->app->conf.max_folder_depth) {
			rc = too_deep(r);
			goto out;
		}
	}
	if (db_exec(db, SQL_FOLDER_UPDATE, "snii", name, parent, id,
	    r->user.id) == -1) {
		if (db_err(db) == DB_DUPLICATE) {
			rc = reply_error(r, 409, "name_exists",
			    "A folder with that name exists there.");
			goto out;
		}
		goto fail;
	}
	if (db_commit(db) == -1)
		goto fail;
	db_res_free(res);
	return reply_folder(r, 200, id);
fail:
	rc = reply_internal(r);
out:
	db_rollback(db);
	db_res_free(res);
	return rc;
}

/* DELETE /api/folders/{id} -> 200 {ok, deleted_files, deleted_folders} |
 * 404 | 409 (a tree too deep to walk whole).  Rows and quota commit first; blobs are unlinked after. */
static int
folders_delete(struct req *r)
{
	struct db *db = r->app->db;
	long long id = r->m.ids[0], bytes = 0;
	struct db_res *folders = NULL, *files = NULL;
	json_object *o;
	size_t i;
	unsigned attempt = 0;

	while (db_tx_begin(db, &attempt, 0) == 0) {
		/* The user's row lock keeps moves out of the subtree while it
		 * is walked twice (folders, then files). */
		if ((folders = db_query(db, SQL_USER_LOCK, "i",
		    r->user.id)) == NULL)
			goto retry;
		db_res_free(folders);
		folders = db_query(db, SQL_FOLDER_SUBTREE, "ii", id, r->user.id);
		if (folders == NULL)
			goto retry;
		if (db_rows(folders) == 0) {
			db_rollback(db);
			db_res_free(folders);
			return reply_error(r, 404, "not_found", "No such folder.");
		}
		if (db_int(folders, 0, 1) >= SQL_WALK_MAX) {
			/* Deleting part of it and saying ok would leave files
			 * charged and reachable below the cut. */
			db_rollback(db);
			db_res_free(folders);
			return walk_cut(r, id);
		}
		if ((files = db_query(db, SQL_FOLDER_SUBTREE_FILES, "ii", id,
		    r->user.id)) == NULL)
			goto retry;
		bytes = 0;
		for (i = 0; i < db_rows(files); i++)
			bytes += db_int(files, i, 1);
		/* Deepest first: no folder goes before its children.  Files
		 * go with their folder (ON DELETE CASCADE). */
		for (i = 0; i < db_rows(folders); i++)
			if (db_exec(db, SQL_FOLDER_DELETE_ONE, "ii",
			    db_int(folders, i, 0), r->user.id) == -1)
				goto retry;
		if (db_exec(db, SQL_QUOTA_REFUND, "ii", bytes, r->user.id) == -1 ||
		    db_commit(db) == -1)
			goto retry;
		files_unlink_blobs(r->app, files, 2);
		o = json_object_new_object();
		json_add_bool(o, "ok", 1);
		json_add_int(o, "deleted_files", (long long)db_rows(files));
		json_add_int(o, "deleted_folders", (long long)db_rows(folders));
		db_res_free(files);
		db_res_free(folders);
		return reply_json(r, 200, o);
retry:
		db_rollback(db);
		db_res_free(files);
		db_res_free(folders);
		files = folders = NULL;
	}
	return reply_internal(r);
}

const struct route routes_folders[] = {
	{ "GET", "/api/folders", WHO_USER, 0, folders_list },
	{ "POST", "/api/folders", WHO_USER, 1, folders_create },
	{ "GET", "/api/folders/{id}/path", WHO_USER, 0, folders_path },
	{ "PATCH", "/api/folders/{id}", WHO_USER, 1, folders_patch },
	{ "DELETE", "/api/folders/{id}", WHO_USER, 0, folders_delete },
	{ NULL, NULL, 0, 0, NULL }
};
