/* A folder link's tree for a ZIP: planned against the caps of
 * fs-links.h and listed before the first byte, then walked folder by
 * folder, a page of files at a time, so memory is bounded by the caps and
 * never by the files' sizes.  The listing gives the archive's exact
 * length, so the front can send a Content-Length: a ZIP cut short is
 * then visibly short behind any front (mod_fcgid ends an aborted
 * response with a clean last chunk).  The archive itself is the front
 * end's (lib/zip.h). */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "zip.h"
#include "app.h"
#include "fs.h"
#include "fs-links.h"
#include "sql.h"

#define ZIP_MAX_NAMES	((uint64_t)FS_ZIP_MAX_NAMES_MIB << 20)
#define FILES_PAGE	500	/* SQL_FILES_OF_FOLDER_PAGE's LIMIT */

/* Tree row columns (SQL_FOLDER_SUBTREE_TREE). */
enum { T_ID, T_PARENT, T_NAME, T_DEPTH, T_NFILES, T_FNAMES, T_FNAMEMAX };

/* One listed file, in archive order. */
struct zipfile {
	long long	 id;
	uint64_t	 size;
	size_t		 namelen;	/* of its own name */
	size_t		 folder;	/* its folder's tree row */
};

struct fs_zip {
	struct app	*a;
	long long	 link_id;
	struct db_res	*tree;		/* parents before children */
	size_t		 n;
	size_t		*parent;	/* row of each row's parent */
	size_t		*chain;		/* zip_path's scratch */
	char		*path;		/* one buffer for every path */
	char		*name;
	struct zipfile	*files;		/* the listing, in archive order */
	size_t		 nfiles;
	uint64_t	 size;		/* the archive's length */
};

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

/* Folder row i's archive path ("<shared>/a/b/") into z->path, built from
 * its parents on demand: never one string per folder. */
static void
zip_path(struct fs_zip *z, size_t i)
{
	size_t n = 0, len = 0, l;

	for (;;) {
		z->chain[n++] = i;
		if (i == 0)
			break;
		i = z->parent[i];
	}
	while (n-- > 0) {
		l = db_len(z->tree, z->chain[n], T_NAME);
		memcpy(z->path + len, db_str(z->tree, z->chain[n], T_NAME), l);
		len += l;
		z->path[len++] = '/';
	}
	z->path[len] = '\0';
}

/* Check the tree against the caps and link each folder to its parent's
 * row. */
static enum fs_err
plan(struct fs_zip *z)
{
	const struct db_res *tree = z->tree;
	size_t n = z->n, i, *plen;
	struct zipdir *ix, key, *p;
	uint64_t entries = 0, names = 0;
	enum fs_err e = FS_OK;

	if (n > FS_ZIP_MAX_FOLDERS)
		return FS_ZIP_TOO_MANY_FOLDERS;
	if (db_int(tree, n - 1, T_DEPTH) >= SQL_WALK_MAX) {
		log_err("zip of folder %lld: tree deeper than %d levels",
		    db_int(tree, 0, T_ID), SQL_WALK_MAX);
		return FS_ZIP_TOO_DEEP;
	}
	ix = xcalloc(n, sizeof(*ix));
	plen = xcalloc(n, sizeof(*plen));
	for (i = 0; i < n; i++) {
		ix[i].id = db_int(tree, i, T_ID);
		ix[i].row = i;
	}
	qsort(ix, n, sizeof(*ix), zipdir_cmp);
	for (i = 0; i < n && e == FS_OK; i++) {
		plen[i] = db_len(tree, i, T_NAME) + 1;
		if (i > 0) {
			key.id = db_int(tree, i, T_PARENT);
			p = bsearch(&key, ix, n, sizeof(*ix), zipdir_cmp);
			/* Rows come parents first; anything else is a tree
			 * changing under us. */
			if (p == NULL || p->row >= i) {
				e = FS_INTERNAL;
				break;
			}
			z->parent[i] = p->row;
			plen[i] += plen[p->row];
		}
		entries += 1 + (uint64_t)db_int(tree, i, T_NFILES);
		names += plen[i] + plen[i] * (uint64_t)db_int(tree, i, T_NFILES) +
		    (uint64_t)db_int(tree, i, T_FNAMES);
		if (plen[i] + (size_t)db_int(tree, i, T_FNAMEMAX) >
		    FS_ZIP_MAX_PATH)
			e = FS_ZIP_PATH_TOO_LONG;
		else if (entries > FS_ZIP_MAX_ENTRIES || names > ZIP_MAX_NAMES)
			e = FS_ZIP_TOO_LARGE;
	}
	free(ix);
	free(plen);
	return e;
}

/* Over the caps with what a folder's files add to entries and names? */
static enum fs_err
caps(size_t plen, size_t namelen, uint64_t entries, uint64_t names)
{
	if (plen + namelen > FS_ZIP_MAX_PATH)
		return FS_ZIP_PATH_TOO_LONG;
	if (entries > FS_ZIP_MAX_ENTRIES || names > ZIP_MAX_NAMES)
		return FS_ZIP_TOO_LARGE;
	return FS_OK;
}

/* List every folder's files in archive order, under the caps again
 * (files added since the plan count), and size the archive. */
static enum fs_err
list(struct fs_zip *z)
{
	struct zip_sizeent *se;
	struct db_res *files;
	uint64_t entries = 0, names = 0;
	size_t i, j, n, cap = 0, nse = 0, plen, fl;
	long long last;
	enum fs_err e = FS_OK;

	se = xcalloc(z->n, sizeof(*se));
	for (i = 0; i < z->n && e == FS_OK; i++) {
		zip_path(z, i);
		plen = strlen(z->path);
		entries++;
		names += plen;
		se[nse++] = (struct zip_sizeent){ plen, 0, 1 };
		last = 0;
		do {
			if ((files = db_query(z->a->db, SQL_FILES_OF_FOLDER_PAGE,
			    "ii", db_int(z->tree, i, T_ID), last)) == NULL) {
				e = fs_db_fail(z->a);
				break;
			}
			n = db_rows(files);
			for (j = 0; j < n && e == FS_OK; j++) {
				fl = db_len(files, j, F_NAME);
				entries++;
				names += plen + fl;
				if ((e = caps(plen, fl, entries, names)) != FS_OK)
					break;
				if (z->nfiles == cap) {
					cap = cap ? 2 * cap : 64;
					z->files = xrealloc(z->files,
					    cap * sizeof(*z->files));
					se = xrealloc(se, (z->n + cap) * sizeof(*se));
				}
				z->files[z->nfiles++] = (struct zipfile){
				    db_int(files, j, F_ID),
				    (uint64_t)db_int(files, j, F_SIZE), fl, i };
				se[nse++] = (struct zip_sizeent){ plen + fl,
				    (uint64_t)db_int(files, j, F_SIZE), 0 };
			}
			if (n)
				last = db_int(files, n - 1, F_ID);
			db_res_free(files);
		} while (n == FILES_PAGE && e == FS_OK);
	}
	if (e == FS_OK)
		z->size = zip_size_for(se, nse);
	free(se);
	return e;
}

enum fs_err
fs_zip_plan(struct app *a, const struct fs_link *l, struct fs_zip **out)
{
	struct fs_zip *z = xcalloc(1, sizeof(*z));
	enum fs_err e;

	*out = NULL;
	z->a = a;
	z->link_id = l->id;
	if ((z->tree = db_query(a->db, SQL_FOLDER_SUBTREE_TREE, "iii",
	    l->folder, l->owner, (long long)FS_ZIP_MAX_FOLDERS + 1)) == NULL) {
		free(z);
		return fs_db_fail(a);
	}
	if ((z->n = db_rows(z->tree)) == 0) {
		fs_zip_free(z);
		return FS_LINK_CONTENT_GONE;
	}
	z->parent = xcalloc(z->n, sizeof(*z->parent));
	if ((e = plan(z)) != FS_OK) {
		fs_zip_free(z);
		return e;
	}
	z->path = xmalloc(FS_ZIP_MAX_PATH + 1);
	z->chain = xcalloc(SQL_WALK_MAX + 1, sizeof(*z->chain));
	z->name = xstrdup(db_str(z->tree, 0, T_NAME));
	if ((e = list(z)) != FS_OK) {
		fs_zip_free(z);
		return e;
	}
	*out = z;
	return FS_OK;
}

const char *
fs_zip_name(const struct fs_zip *z)
{
	return z->name;
}

uint64_t
fs_zip_size(const struct fs_zip *z)
{
	return z->size;
}

/* The listed files of folder row i, a page at a time, from *k on: one
 * added since the listing is left out; one gone or changed since stops
 * the walk (-1), since the archive's length is promised. */
static int
walk_files(struct fs_zip *z, size_t i, size_t *k,
    int (*file)(void *, const char *, const struct fs_file *), void *arg)
{
	const struct zipfile *want;
	struct db_res *files;
	struct fs_file f;
	long long last = 0;
	size_t j, n;
	int rc = 0;

	do {
		if ((files = db_query(z->a->db, SQL_FILES_OF_FOLDER_PAGE, "ii",
		    db_int(z->tree, i, T_ID), last)) == NULL)
			return -1;
		n = db_rows(files);
		for (j = 0; j < n && rc == 0; j++) {
			want = *k < z->nfiles ? &z->files[*k] : NULL;
			if (want == NULL || want->folder != i ||
			    want->id > db_int(files, j, F_ID))
				continue;	/* added since */
			/* Ids ascend: a listed one passed over is gone. */
			if (want->id < db_int(files, j, F_ID) ||
			    want->size != (uint64_t)db_int(files, j, F_SIZE) ||
			    want->namelen != db_len(files, j, F_NAME)) {
				log_err("zip of link %lld: file %lld changed "
				    "while streaming", z->link_id, want->id);
				rc = -1;
				break;
			}
			fs_file_from_row(files, j, &f);
			rc = file(arg, z->path, &f);
			(*k)++;
		}
		if (n)
			last = db_int(files, n - 1, F_ID);
		db_res_free(files);
	} while (n == FILES_PAGE && rc == 0);
	if (rc == 0 && *k < z->nfiles && z->files[*k].folder == i) {
		log_err("zip of link %lld: file %lld gone while streaming",
		    z->link_id, z->files[*k].id);
		rc = -1;
	}
	return rc;
}

enum fs_err
fs_zip_walk(struct fs_zip *z, int (*dir)(void *, const char *),
    int (*file)(void *, const char *, const struct fs_file *), void *arg)
{
	size_t i, k = 0;

	for (i = 0; i < z->n; i++) {
		zip_path(z, i);
		if (dir(arg, z->path) != 0 ||
		    walk_files(z, i, &k, file, arg) != 0)
			return FS_INTERNAL;
	}
	return FS_OK;
}

void
fs_zip_free(struct fs_zip *z)
{
	if (z == NULL)
		return;
	db_res_free(z->tree);
	free(z->parent);
	free(z->chain);
	free(z->path);
	free(z->name);
	free(z->files);
	free(z);
}
