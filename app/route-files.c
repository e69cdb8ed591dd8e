/* File routes (SPEC §4 Files): list, upload (upload.c), download,
 * rename/move, delete.  Another user's file is a 404 everywhere. */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "names.h"
#include "app.h"

/* GET /api/files?folder_id= -> 200 [{file}] sorted by name | 404 */
static int
files_list(struct req *r)
{
	long long folder = 0, limit, offset;
	struct db_res *rows;
	enum fs_err e;

	if (query_id(r, "folder_id", &folder) == -1)
		return reply_error(r, 400, "invalid_parameter",
		    "'folder_id' must be a folder id.");
	if (query_paging(r, &limit, &offset))
		return 400;
	if ((e = fs_file_list(r->app, r->user.id, folder, limit, offset,
	    &rows)) != FS_OK)
		return reply_fs(r, e, "folder");
	return reply_rows(r, rows, files_json);
}

/* GET /api/files/{id}/download -> 200/206 bytes | 304 | 404 | 416 */
static int
files_download(struct req *r)
{
	struct fs_file f;
	enum fs_err e;

	if ((e = fs_file_readable(r->app, r->user.id, r->m.ids[0],
	    &f)) != FS_OK)
		return reply_fs(r, e, "file");
	return files_send_file(r, &f);
}

/* Read the optional folder_id of a body: absent -> FS_KEEP; null or
 * -1 -> the root (0).  0 ok, else the status of the reply sent. */
static int
read_folder(struct req *r, long long *folder)
{
	struct json_err je;
	int has;

	if (json_is_null(r->body, "folder_id")) {
		*folder = 0;
		return 0;
	}
	if ((has = json_get_int(r->body, "folder_id", 0, folder, &je)) < 0)
		return reply_invalid(r, &je);
	if (has == 0)
		*folder = FS_KEEP;
	else if (*folder == -1)
		*folder = 0;
	else if (*folder <= 0)
		return reply_error(r, 400, "invalid_field",
		    "'folder_id' is a folder id, or -1 for the root.");
	return 0;
}

/* PATCH /api/files/{id} {name?, folder_id?} -> 200 {file} | 400 | 404 |
 * 409 (folder_id -1 or null: the root) */
static int
files_patch(struct req *r)
{
	const char *name = NULL;
	struct json_err je;
	struct fs_file f;
	long long folder;
	enum fs_err e;
	int rc;

	if (json_get_string(r->body, "name", 0, &name, &je) < 0)
		return reply_invalid(r, &je);
	/* Before the parent is read: a bad name is the error reported (the
	 * service checks it again for its other callers). */
	if (name && !name_valid(name))
		return reply_fs(r, FS_BAD_NAME, NULL);
	if ((rc = read_folder(r, &folder)) != 0)
		return rc;
	if ((e = fs_file_move(r->app, r->user.id, r->m.ids[0], name, folder,
	    &f)) != FS_OK)
		return reply_fs(r, e, "file");
	return reply_json(r, 200, fs_file_json(&f));
}

/* POST /api/files/{id}/copy {folder_id?, name?, on_conflict?} -> 201
 * {file} | 400 | 404 | 409 | 507: a new file with its own data key. */
static int
files_copy(struct req *r)
{
	const char *name = NULL, *on = NULL;
	struct fs_commit c = { 0, NULL, NULL, FS_RENAME };
	struct json_err je;
	struct fs_file f;
	long long folder;
	enum fs_err e;
	int rc;

	if (json_get_string(r->body, "name", 0, &name, &je) < 0 ||
	    json_get_string(r->body, "on_conflict", 0, &on, &je) < 0)
		return reply_invalid(r, &je);
	if (on == NULL || !strcmp(on, "rename"))
		c.on = FS_RENAME;
	else if (!strcmp(on, "replace"))
		c.on = FS_REPLACE;
	else if (!strcmp(on, "fail"))
		c.on = FS_FAIL;
	else
		return reply_error(r, 400, "invalid_field",
		    "'on_conflict' is rename, replace or fail.");
	if ((rc = read_folder(r, &folder)) != 0)
		return rc;
	if (folder == FS_KEEP) {
		/* Beside the original by default. */
		if ((e = fs_file_get(r->app, r->user.id, r->m.ids[0],
		    &f)) != FS_OK)
			return reply_fs(r, e, "file");
		folder = f.folder;
	}
	c.folder = folder;
	c.name = name;
	if ((e = fs_file_copy(r->app, r->user.id, r->m.ids[0], &c,
	    &f)) != FS_OK)
		return reply_fs(r, e, e == FS_NOT_FOUND ? "file or folder" :
		    "file");
	if ((e = fs_file_get(r->app, r->user.id, f.id, &f)) != FS_OK)
		return reply_fs(r, e, "file");
	return reply_json(r, 201, fs_file_json(&f));
}

/* DELETE /api/files/{id} -> 200 {ok} | 404.  Row and quota first, bytes
 * after: a crash between leaves an orphan blob for gc (SPEC §5). */
static int
files_delete(struct req *r)
{
	enum fs_err e;

	if ((e = fs_file_delete(r->app, r->user.id, r->m.ids[0])) != FS_OK)
		return reply_fs(r, e, "file");
	return reply_ok(r);
}

const struct route routes_files[] = {
	{ "GET", "/api/files", WHO_USER, 0, files_list },
	{ "POST", "/api/files/upload", WHO_USER, BODY_STREAM, upload_handle },
	{ "GET", "/api/files/{id}/download", WHO_USER, 0, files_download },
	{ "PATCH", "/api/files/{id}", WHO_USER, 1, files_patch },
	{ "POST", "/api/files/{id}/copy", WHO_USER, 1, files_copy },
	{ "DELETE", "/api/files/{id}", WHO_USER, 0, files_delete },
	{ NULL, NULL, 0, 0, NULL }
};
