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
	struct db_res *rows;
	enum fs_err e;

	if (query_id(r, "parent_id", &parent) == -1)
		return reply_error(r, 400, "invalid_parameter",
		    "'parent_id' must be a folder id.");
	if (query_paging(r, &limit, &offset))
		return 400;
	if ((e = fs_folder_list(r->app, r->user.id, parent, limit, offset,
	    &rows)) != FS_OK)
		return reply_fs(r, e, "folder");
	return reply_rows(r, rows, folder_json);
}

/* POST /api/folders {name, parent_id} -> 201 {folder} | 400 | 404 |
 * 409 (name taken, too deep) | 507 (folder count limit) */
static int
folders_create(struct req *r)
{
	const char *name;
	struct json_err je;
	struct fs_folder f;
	long long parent;
	enum fs_err e;
	int has, rc;

	if (json_get_string(r->body, "name", 1, &name, &je) < 0)
		return reply_invalid(r, &je);
	/* Before the parent is read: a bad name is the error reported (the
	 * service checks it again for its other callers). */
	if (!name_valid(name))
		return reply_fs(r, FS_BAD_NAME, NULL);
	if ((rc = read_parent(r, &parent, &has)) != 0)
		return rc;
	if ((e = fs_folder_create(r->app, r->user.id, parent, name,
	    &f)) != FS_OK)
		return reply_fs(r, e, "folder");
	return reply_json(r, 201, fs_folder_json(&f));
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
	struct db_res *rows;
	enum fs_err e;

	if ((e = fs_folder_path(r->app, r->user.id, r->m.ids[0],
	    &rows)) != FS_OK)
		return reply_fs(r, e, "folder");
	return reply_rows(r, rows, crumb_json);
}

/* PATCH /api/folders/{id} {name?, parent_id?} -> 200 {folder} | 400 |
 * 404 | 409 (name taken, a move into itself or below, too deep) */
static int
folders_patch(struct req *r)
{
	const char *name = NULL;
	struct json_err je;
	struct fs_folder f;
	long long parent;
	enum fs_err e;
	int has, rc;

	if (json_get_string(r->body, "name", 0, &name, &je) < 0)
		return reply_invalid(r, &je);
	/* Before the parent is read: a bad name is the error reported (the
	 * service checks it again for its other callers). */
	if (name && !name_valid(name))
		return reply_fs(r, FS_BAD_NAME, NULL);
	if ((rc = read_parent(r, &parent, &has)) != 0)
		return rc;
	if ((e = fs_folder_move(r->app, r->user.id, r->m.ids[0], name,
	    has ? parent : FS_KEEP, &f)) != FS_OK)
		return reply_fs(r, e, "folder");
	return reply_json(r, 200, fs_folder_json(&f));
}

/* DELETE /api/folders/{id} -> 200 {ok, deleted_files, deleted_folders} |
 * 404 | 409 (a tree too deep to walk whole) */
static int
folders_delete(struct req *r)
{
	long long files = 0, folders = 0;
	json_object *o;
	enum fs_err e;

	if ((e = fs_folder_delete(r->app, r->user.id, r->m.ids[0], &files,
	    &folders)) != FS_OK)
		return reply_fs(r, e, "folder");
	o = json_object_new_object();
	json_add_bool(o, "ok", 1);
	json_add_int(o, "deleted_files", files);
	json_add_int(o, "deleted_folders", folders);
	return reply_json(r, 200, o);
}

const struct route routes_folders[] = {
	{ "GET", "/api/folders", WHO_USER, 0, folders_list },
	{ "POST", "/api/folders", WHO_USER, 1, folders_create },
	{ "GET", "/api/folders/{id}/path", WHO_USER, 0, folders_path },
	{ "PATCH", "/api/folders/{id}", WHO_USER, 1, folders_patch },
	{ "DELETE", "/api/folders/{id}", WHO_USER, 0, folders_delete },
	{ NULL, NULL, 0, 0, NULL }
};
