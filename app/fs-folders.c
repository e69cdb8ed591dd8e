/* Folders: the owner check, create under the depth and count caps,
 * rename/move with the cycle check, recursive delete, the path to a
 * folder, and a path's object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "names.h"
#include "app.h"
#include "fs.h"
#include "sql.h"

static void
folder_from_row(const struct db_res *res, struct fs_folder *f)
{
	const char *s;

	memset(f, 0, sizeof(*f));
	f->id = db_int(res, 0, D_ID);
	f->parent = db_int(res, 0, D_PARENT);
	snprintf(f->name, sizeof(f->name), "%s", db_str(res, 0, D_NAME));
	if ((s = db_str(res, 0, D_CREATED)) != NULL)
		snprintf(f->created, sizeof(f->created), "%s", s);
}

enum fs_err
fs_folder_get(struct app *a, long long uid, long long id, struct fs_folder *f)
{
	struct db_res *res;
	enum fs_err e = FS_OK;

	if ((res = db_query(a->db, SQL_FOLDER_GET, "ii", id, uid)) == NULL)
		return fs_db_fail(a);
	if (db_rows(res) == 0)
		e = FS_NOT_FOUND;
	else if (f != NULL)
		folder_from_row(res, f);
	db_res_free(res);
	return e;
}

enum fs_err
fs_folder_check(struct app *a, long long uid, long long id)
{
	return id == 0 ? FS_OK : fs_folder_get(a, uid, id, NULL);
}

enum fs_err
fs_folder_list(struct app *a, long long uid, long long parent,
    long long limit, long long offset, struct db_res **rows)
{
	enum fs_err e;

	if ((e = fs_folder_check(a, uid, parent)) != FS_OK)
		return e;
	if ((*rows = db_query(a->db, SQL_FOLDER_LIST, "iiii", uid, parent,
	    limit, offset)) == NULL)
		return fs_db_fail(a);
	return FS_OK;
}

/* Only a tree made before the depth cap (or damaged) gets here. */
static enum fs_err
walk_cut(long long id)
{
	log_err("folder %lld: tree deeper than %d levels, walk refused", id,
	    SQL_WALK_MAX);
	return FS_WALK_CUT;
}

/* The depth of folder id (top level: 1) into *depth. */
static enum fs_err
folder_depth(struct app *a, long long uid, long long id, long long *depth)
{
	struct db_res *res;
	size_t n;
	int top;

	if ((res = db_query(a->db, SQL_FOLDER_PATH, "ii", id, uid)) == NULL)
		return fs_db_fail(a);
	n = db_rows(res);
	top = n && db_int(res, 0, 2) == 1;
	db_res_free(res);
	if (n == 0)
		return FS_NOT_FOUND;
	if (!top)
		return walk_cut(id);
	*depth = (long long)n;
	return FS_OK;
}

/* Take the user's row lock: serialises one user's tree changes. */
static int
user_lock(struct app *a, long long uid)
{
	struct db_res *res;

	if ((res = db_query(a->db, SQL_USER_LOCK, "i", uid)) == NULL)
		return -1;
	db_res_free(res);
	return 0;
}

struct create {
	long long	 uid, parent, id;
	const char	*name;
};

static enum fs_err
create_tx(struct app *a, void *arg)
{
	struct create *c = arg;
	struct db_res *res;
	long long depth = 0, count;
	enum fs_err e;

	/* Under the user's row lock: a concurrent move cannot deepen the
	 * parent between the depth check and the insert. */
	if (user_lock(a, c->uid) == -1)
		return fs_db_fail(a);
	if (c->parent &&
	    (e = folder_depth(a, c->uid, c->parent, &depth)) != FS_OK)
		return e;
	if (depth + 1 > a->conf.max_folder_depth)
		return FS_TOO_DEEP;
	if ((res = db_query(a->db, SQL_FOLDER_COUNT, "i", c->uid)) == NULL)
		return fs_db_fail(a);
	count = db_int(res, 0, 0);
	db_res_free(res);
	if (count >= a->conf.max_folders_per_user)
		return FS_FOLDER_LIMIT;
	if (db_exec(a->db, SQL_FOLDER_INSERT, "ins", c->uid, c->parent,
	    c->name) == -1)
		return db_err(a->db) == DB_DUPLICATE ? FS_EXISTS :
		    fs_db_fail(a);
	c->id = db_insert_id(a->db);
	return FS_OK;
}

enum fs_err
fs_folder_create(struct app *a, long long uid, long long parent,
    const char *name, struct fs_folder *out)
{
	struct create c = { uid, parent, 0, name };
	enum fs_err e;

	if (!name_valid(name))
		return FS_BAD_NAME;
	if ((e = fs_tx(a, 0, create_tx, &c)) != FS_OK)
		return e;
	return out ? fs_folder_get(a, uid, c.id, out) : FS_OK;
}

struct move {
	long long	 uid, id, parent;
	const char	*name;
};

static enum fs_err
move_tx(struct app *a, void *arg)
{
	struct move *m = arg;
	struct fs_folder cur;
	struct db_res *res;
	long long uid = m->uid, id = m->id, parent = m->parent;
	long long depth = 0, height, cycle, complete;
	const char *name = m->name;
	enum fs_err e;

	/* The move and its cycle check in one transaction, under the user's
	 * row lock, so two crossing moves cannot make a loop. */
	if (user_lock(a, uid) == -1)
		return fs_db_fail(a);
	if ((e = fs_folder_get(a, uid, id, &cur)) != FS_OK)
		return e;
	if (parent == FS_KEEP)
		parent = cur.parent;
	if (name == NULL)
		name = cur.name;
	if ((e = fs_folder_check(a, uid, parent)) != FS_OK)
		return e;
	if (parent) {
		if ((res = db_query(a->db, SQL_FOLDER_IS_BELOW, "ii", parent,
		    id)) == NULL)
			return fs_db_fail(a);
		cycle = db_int(res, 0, 0);
		complete = db_int(res, 0, 1);
		db_res_free(res);
		if (cycle)
			return FS_CYCLE;
		if (!complete)
			return walk_cut(parent);
	}
	if (parent != cur.parent) {
		/* The deepest folder moved must stay within the cap. */
		if (parent && (e = folder_depth(a, uid, parent, &depth)) != FS_OK)
			return e;
		if ((res = db_query(a->db, SQL_FOLDER_SUBTREE, "ii", id,
		    uid)) == NULL)
			return fs_db_fail(a);
		height = db_int(res, 0, 1);
		db_res_free(res);
		if (height >= SQL_WALK_MAX)
			return walk_cut(id);
		if (depth + 1 + height > a->conf.max_folder_depth)
			return FS_TOO_DEEP;
	}
	if (db_exec(a->db, SQL_FOLDER_UPDATE, "snii", name, parent, id,
	    uid) == -1)
		return db_err(a->db) == DB_DUPLICATE ? FS_EXISTS :
		    fs_db_fail(a);
	return FS_OK;
}

enum fs_err
fs_folder_move(struct app *a, long long uid, long long id, const char *name,
    long long parent, struct fs_folder *out)
{
	struct move m = { uid, id, parent, name };
	enum fs_err e;

	if (name != NULL && !name_valid(name))
		return FS_BAD_NAME;
	if ((e = fs_tx(a, 0, move_tx, &m)) != FS_OK)
		return e;
	return out ? fs_folder_get(a, uid, id, out) : FS_OK;
}

struct delete {
	long long	 uid, id;
	struct db_res	*folders, *files;
};

static enum fs_err
delete_tx(struct app *a, void *arg)
{
	struct delete *d = arg;
	struct db *db = a->db;
	long long bytes = 0;
	size_t i;

	db_res_free(d->folders);
	db_res_free(d->files);
	d->folders = d->files = NULL;
	/* The user's row lock keeps moves out of the subtree while it is
	 * walked twice (folders, then files). */
	if (user_lock(a, d->uid) == -1 ||
	    (d->folders = db_query(db, SQL_FOLDER_SUBTREE, "ii", d->id,
	    d->uid)) == NULL)
		return fs_db_fail(a);
	if (db_rows(d->folders) == 0)
		return FS_NOT_FOUND;
	/* Deleting part of a tree too deep to walk and saying ok would
	 * leave files charged and reachable below the cut. */
	if (db_int(d->folders, 0, 1) >= SQL_WALK_MAX)
		return walk_cut(d->id);
	if ((d->files = db_query(db, SQL_FOLDER_SUBTREE_FILES, "ii", d->id,
	    d->uid)) == NULL)
		return fs_db_fail(a);
	for (i = 0; i < db_rows(d->files); i++)
		bytes += db_int(d->files, i, 1);
	/* Deepest first: no folder goes before its children.  Files go
	 * with their folder (ON DELETE CASCADE). */
	for (i = 0; i < db_rows(d->folders); i++)
		if (db_exec(db, SQL_FOLDER_DELETE_ONE, "ii",
		    db_int(d->folders, i, 0), d->uid) == -1)
			return fs_db_fail(a);
	if (db_exec(db, SQL_QUOTA_REFUND, "ii", bytes, d->uid) == -1)
		return fs_db_fail(a);
	return FS_OK;
}

enum fs_err
fs_folder_delete(struct app *a, long long uid, long long id,
    long long *nfiles, long long *nfolders)
{
	struct delete d = { uid, id, NULL, NULL };
	enum fs_err e;

	if ((e = fs_tx(a, 0, delete_tx, &d)) == FS_OK) {
		/* Rows and quota are committed: now the bytes. */
		fs_unlink_blobs(a, d.files, 2);
		if (nfiles)
			*nfiles = (long long)db_rows(d.files);
		if (nfolders)
			*nfolders = (long long)db_rows(d.folders);
	}
	db_res_free(d.files);
	db_res_free(d.folders);
	return e;
}

enum fs_err
fs_folder_path(struct app *a, long long uid, long long id,
    struct db_res **rows)
{
	struct db_res *res;

	if ((res = db_query(a->db, SQL_FOLDER_PATH, "ii", id, uid)) == NULL)
		return fs_db_fail(a);
	if (db_rows(res) == 0) {
		db_res_free(res);
		return FS_NOT_FOUND;
	}
	if (db_int(res, 0, 2) != 1) {
		db_res_free(res);
		return walk_cut(id);
	}
	*rows = res;
	return FS_OK;
}

enum fs_err
fs_resolve_path(struct app *a, long long uid, const char *path,
    enum fs_kind *kind, long long *id)
{
	char *copy = xstrdup(path), *p = copy, *seg, *next;
	struct db_res *res;
	long long folder = 0;
	enum fs_err e = FS_OK;
	int depth = 0;

	*kind = FS_ROOT;
	*id = 0;
	for (seg = strtok_r(p, "/", &next); seg != NULL;
	    seg = strtok_r(NULL, "/", &next)) {
		if (*kind == FS_FILE || ++depth > SQL_WALK_MAX) {
			e = FS_NOT_FOUND;	/* below a file, or absurd */
			break;
		}
		if (!name_valid(seg)) {
			e = FS_BAD_NAME;
			break;
		}
		if ((res = db_query(a->db, SQL_FOLDER_BY_NAME, "iis", uid,
		    folder, seg)) == NULL) {
			e = fs_db_fail(a);
			break;
		}
		if (db_rows(res)) {
			folder = db_int(res, 0, D_ID);
			*kind = FS_DIR;
			*id = folder;
			db_res_free(res);
			continue;
		}
		db_res_free(res);
		if ((res = db_query(a->db, SQL_FILE_BY_NAME, "iis", uid, folder,
		    seg)) == NULL) {
			e = fs_db_fail(a);
			break;
		}
		if (db_rows(res) == 0)
			e = FS_NOT_FOUND;
		else {
			*kind = FS_FILE;
			*id = db_int(res, 0, F_ID);
		}
		db_res_free(res);
		if (e != FS_OK)
			break;
	}
	free(copy);
	return e;
}
