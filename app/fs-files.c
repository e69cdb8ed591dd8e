/* Files: lookups, the upload transaction (conflict policy, quota charge
 * of growth only, count cap), rename/move, copy, delete, and unlinking
 * blobs whose rows are gone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "names.h"
#include "store.h"
#include "app.h"
#include "fs.h"
#include "sql.h"

/* How many " (n)" names a rename tries before saying the name exists. */
#define RENAME_TRIES	10000

void
fs_file_from_row(const struct db_res *res, size_t i, struct fs_file *f)
{
	const char *s;

	memset(f, 0, sizeof(*f));
	f->id = db_int(res, i, F_ID);
	f->user = db_int(res, i, F_USER);
	f->folder = db_int(res, i, F_FOLDER);
	f->size = db_int(res, i, F_SIZE);
	f->kek = db_int(res, i, F_KEK);
	snprintf(f->name, sizeof(f->name), "%s", db_str(res, i, F_NAME));
	snprintf(f->mime, sizeof(f->mime), "%s", db_str(res, i, F_MIME));
	if ((s = db_str(res, i, F_CREATED)) != NULL)
		snprintf(f->created, sizeof(f->created), "%s", s);
	if ((s = db_str(res, i, F_UPDATED)) != NULL)
		snprintf(f->updated, sizeof(f->updated), "%s", s);
	if (db_len(res, i, F_BLOB) == 16)
		memcpy(f->blob, db_str(res, i, F_BLOB), 16);
}

/* One file row of a statement taking (id, uid[, uid]). */
static enum fs_err
file_query(struct app *a, int stmt, const char *fmt, long long id,
    long long uid, struct fs_file *f)
{
	struct db_res *res;
	enum fs_err e = FS_OK;

	if ((res = db_query(a->db, stmt, fmt, id, uid, uid)) == NULL)
		return fs_db_fail(a);
	if (db_rows(res) == 0)
		e = FS_NOT_FOUND;
	else if (db_len(res, 0, F_BLOB) != 16) {
		log_err("file %lld: no blob id", id);
		e = FS_INTERNAL;
	} else if (f != NULL)
		fs_file_from_row(res, 0, f);
	db_res_free(res);
	return e;
}

enum fs_err
fs_file_get(struct app *a, long long uid, long long id, struct fs_file *f)
{
	return file_query(a, SQL_FILE_GET, "ii", id, uid, f);
}

enum fs_err
fs_file_readable(struct app *a, long long uid, long long id,
    struct fs_file *f)
{
	return file_query(a, SQL_FILE_READABLE, "iii", id, uid, f);
}

enum fs_err
fs_file_list(struct app *a, long long uid, long long folder, long long limit,
    long long offset, struct db_res **rows)
{
	enum fs_err e;

	if ((e = fs_folder_check(a, uid, folder)) != FS_OK)
		return e;
	if ((*rows = db_query(a->db, SQL_FILE_LIST, "iiii", uid, folder,
	    limit, offset)) == NULL)
		return fs_db_fail(a);
	return FS_OK;
}

/* One integer of a one-row statement taking (uid[, folder, name]). */
static enum fs_err
one_int(struct app *a, int stmt, const char *fmt, long long uid,
    long long folder, const char *name, long long *out)
{
	struct db_res *res;

	if ((res = db_query(a->db, stmt, fmt, uid, folder, name)) == NULL)
		return fs_db_fail(a);
	*out = db_rows(res) ? db_int(res, 0, 0) : 0;
	db_res_free(res);
	return FS_OK;
}

enum fs_err
fs_quota_left(struct app *a, long long uid, long long *left)
{
	return one_int(a, SQL_QUOTA_LEFT, "i", uid, 0, NULL, left);
}

enum fs_err
fs_file_count_ok(struct app *a, long long uid)
{
	long long n;
	enum fs_err e;

	if ((e = one_int(a, SQL_FILE_COUNT, "i", uid, 0, NULL, &n)) != FS_OK)
		return e;
	return n >= a->conf.max_files_per_user ? FS_FILE_LIMIT : FS_OK;
}

enum fs_err
fs_file_size_by_name(struct app *a, long long uid, long long folder,
    const char *name, long long *size)
{
	return one_int(a, SQL_FILE_SIZE_BY_NAME, "iis", uid, folder, name,
	    size);
}

/* --- The upload transaction */

struct commit {
	long long		 uid;
	const struct fs_commit	*c;
	long long		 size;
	const unsigned char	*blob;
	char			*name;		/* the name given, or " (n)" */
	struct fs_file		 old;		/* a replaced file's row */
	int			 replaced;
	long long		 id;
};

/* "a.txt" -> "a (1).txt", "a (2).txt", ...: the first free name. */
static enum fs_err
free_name(struct app *a, struct commit *m)
{
	struct db_res *t;
	unsigned i;
	size_t n;

	for (i = 1; i <= RENAME_TRIES; i++) {
		char *cand = name_with_suffix(m->c->name, i);

		if ((t = db_query(a->db, SQL_FILE_NAME_TAKEN, "iis", m->uid,
		    m->c->folder, cand)) == NULL) {
			free(cand);
			return fs_db_fail(a);
		}
		n = db_rows(t);
		db_res_free(t);
		if (n == 0) {
			free(m->name);
			m->name = cand;
			return FS_OK;
		}
		free(cand);
	}
	return FS_EXISTS;
}

/* A new row: the user's file count and, for an empty file that charges
 * nothing, the quota itself. */
static enum fs_err
room_for_new(struct app *a, struct commit *m)
{
	struct db_res *t;
	long long left;
	enum fs_err e;

	if ((t = db_query(a->db, SQL_USER_LOCK, "i", m->uid)) == NULL)
		return fs_db_fail(a);
	db_res_free(t);
	if ((e = fs_file_count_ok(a, m->uid)) != FS_OK)
		return e;
	if ((e = fs_quota_left(a, m->uid, &left)) != FS_OK)
		return e;
	return left < 0 || m->size > left ? FS_QUOTA : FS_OK;
}

static enum fs_err
commit_tx(struct app *a, void *arg)
{
	struct commit *m = arg;
	const struct fs_commit *c = m->c;
	struct db_res *res;
	long long grow, n;
	enum fs_err e;

	free(m->name);
	m->name = xstrdup(c->name);
	m->replaced = 0;
	if ((e = fs_folder_check(a, m->uid, c->folder)) != FS_OK)
		return e;
	if ((res = db_query(a->db, SQL_FILE_BY_NAME_LOCK, "iis", m->uid,
	    c->folder, m->name)) == NULL)
		return fs_db_fail(a);
	if (db_rows(res) && c->on == FS_REPLACE) {
		fs_file_from_row(res, 0, &m->old);
		m->replaced = 1;
	}
	n = (long long)db_rows(res);
	db_res_free(res);
	if (n && c->on == FS_FAIL)
		return FS_EXISTS;
	if (n && c->on == FS_RENAME && (e = free_name(a, m)) != FS_OK)
		return e;
	if (!m->replaced && (e = room_for_new(a, m)) != FS_OK)
		return e;
	/* Charge only the growth; a replace that shrinks refunds. */
	grow = m->size - (m->replaced ? m->old.size : 0);
	if (grow > 0) {
		if ((n = db_exec(a->db, SQL_QUOTA_CHARGE, "iii", grow, m->uid,
		    grow)) == -1)
			return fs_db_fail(a);
		if (n == 0)
			return FS_QUOTA;
	} else if (grow < 0 && db_exec(a->db, SQL_QUOTA_REFUND, "ii", -grow,
	    m->uid) == -1)
		return fs_db_fail(a);
	if (m->replaced) {
		m->id = m->old.id;
		if (db_exec(a->db, SQL_FILE_REPLACE, "isbii", m->size, c->mime,
		    m->blob, (size_t)16, (long long)a->keyring.active,
		    m->id) != 1)
			return fs_db_fail(a);
		return FS_OK;
	}
	/* A racing upload that took the name fails here as a duplicate:
	 * the next attempt sees (and locks) its row. */
	if (db_exec(a->db, SQL_FILE_INSERT, "insisbi", m->uid, c->folder,
	    m->name, m->size, c->mime, m->blob, (size_t)16,
	    (long long)a->keyring.active) != 1)
		return fs_db_fail(a);
	m->id = db_insert_id(a->db);
	return FS_OK;
}

enum fs_err
fs_file_commit(struct app *a, long long uid, const struct fs_commit *c,
    uint64_t size, const unsigned char blob[16], struct fs_file *out)
{
	struct commit m;
	enum fs_err e;

	if (!name_valid(c->name))
		return FS_BAD_NAME;
	memset(&m, 0, sizeof(m));
	m.uid = uid;
	m.c = c;
	m.size = (long long)size;
	m.blob = blob;
	/* Concurrent uploads into one folder contend for the same index
	 * gap and users row (deadlocks); a racing insert of the same name
	 * (a duplicate) is retried too. */
	e = fs_tx(a, DB_TX_RETRY_DUP, commit_tx, &m);
	if (e == FS_OK && m.replaced)
		/* The old bytes go once the row no longer names them. */
		if (fs_store(a)->ops->unlink(fs_store(a), m.old.blob) == -1)
			log_warn("unlink blob: %s (gc will retry)",
			    strerror(errno));
	if (e == FS_OK && out != NULL) {
		memset(out, 0, sizeof(*out));
		out->id = m.id;
		out->user = uid;
		out->folder = c->folder;
		out->size = m.size;
		out->kek = a->keyring.active;
		snprintf(out->name, sizeof(out->name), "%s", m.name);
		snprintf(out->mime, sizeof(out->mime), "%s", c->mime);
		memcpy(out->blob, blob, 16);
	}
	free(m.name);
	return e;
}

/* --- Move, delete */

enum fs_err
fs_file_move(struct app *a, long long uid, long long id, const char *name,
    long long folder, struct fs_file *out)
{
	struct fs_file cur;
	enum fs_err e;

	if (name != NULL && !name_valid(name))
		return FS_BAD_NAME;
	if ((e = fs_file_get(a, uid, id, &cur)) != FS_OK)
		return e;
	if (folder == FS_KEEP)
		folder = cur.folder;
	if (name == NULL)
		name = cur.name;
	if ((e = fs_folder_check(a, uid, folder)) != FS_OK)
		return e;
	/* One statement: the unique key settles a race for the name. */
	if (db_exec(a->db, SQL_FILE_UPDATE, "snii", name, folder, id,
	    uid) == -1)
		return db_err(a->db) == DB_DUPLICATE ? FS_EXISTS :
		    fs_db_fail(a);
	return out ? fs_file_get(a, uid, id, out) : FS_OK;
}

struct del {
	long long	 uid, id;
	struct fs_file	 f;
};

static enum fs_err
delete_tx(struct app *a, void *arg)
{
	struct del *d = arg;
	enum fs_err e;

	if ((e = file_query(a, SQL_FILE_GET_LOCK, "ii", d->id, d->uid,
	    &d->f)) != FS_OK)
		return e;
	if (db_exec(a->db, SQL_FILE_DELETE, "ii", d->id, d->uid) != 1 ||
	    db_exec(a->db, SQL_QUOTA_REFUND, "ii", d->f.size, d->uid) == -1)
		return fs_db_fail(a);
	return FS_OK;
}

enum fs_err
fs_file_delete(struct app *a, long long uid, long long id)
{
	struct del d = { uid, id, { 0 } };
	enum fs_err e;

	/* Row and quota first, bytes after: a crash between leaves an
	 * orphan blob for gc (SPEC §5). */
	if ((e = fs_tx(a, 0, delete_tx, &d)) != FS_OK)
		return e;
	if (fs_store(a)->ops->unlink(fs_store(a), d.f.blob) == -1)
		log_warn("unlink blob: %s (gc will retry)", strerror(errno));
	return FS_OK;
}

void
fs_unlink_blobs(struct app *a, const struct db_res *res, size_t col)
{
	struct store *st = fs_store(a);
	size_t i;

	for (i = 0; i < db_rows(res); i++) {
		if (db_len(res, i, col) != 16)
			continue;
		if (st->ops->unlink(st, (const unsigned char *)db_str(res, i,
		    col)) == -1)
			log_warn("unlink blob: %s (gc will retry)",
			    strerror(errno));
	}
}

/* --- Copy: a fresh data key, as the files_blob unique key requires */

struct copy {
	struct fs_put	*p;
	enum fs_err	 e;	/* why the put stream refused */
};

static int
copy_sink(void *arg, const void *buf, size_t len)
{
	struct copy *k = arg;

	return (k->e = fs_put_write(k->p, buf, len)) == FS_OK ? 0 : -1;
}

enum fs_err
fs_file_copy(struct app *a, long long uid, long long id,
    const struct fs_commit *c, struct fs_file *out)
{
	struct fs_file src;
	struct fs_commit cc = *c;
	struct fs_reader *rd = NULL;
	struct copy k = { NULL, FS_OK };
	const char *why;
	long long left;
	enum fs_err e;

	if ((e = fs_file_get(a, uid, id, &src)) != FS_OK)
		return e;
	if (cc.name == NULL)
		cc.name = src.name;
	if (cc.mime == NULL)
		cc.mime = src.mime;
	if ((e = fs_folder_check(a, uid, cc.folder)) != FS_OK ||
	    (e = fs_quota_left(a, uid, &left)) != FS_OK)
		return e;
	/* Refuse before copying a byte what cannot fit (the commit checks
	 * again, exactly, under the lock). */
	if (cc.on != FS_REPLACE && (left < 0 || src.size > left))
		return FS_QUOTA;
	if ((e = fs_open(a, &src, &rd, &why)) != FS_OK) {
		log_err("copy of file %lld: %s", id, why);
		return e;
	}
	if ((e = fs_put_begin(a, (uint64_t)src.size, &k.p)) != FS_OK)
		goto out;
	if (src.size > 0 && (e = fs_read(rd, 0, (uint64_t)src.size, copy_sink,
	    &k, &why)) != FS_OK) {
		if (k.e != FS_OK)
			e = k.e;	/* the disk is full, say */
		else
			log_err("copy of file %lld: %s", id, why);
		goto out;
	}
	e = fs_put_finish(k.p, uid, &cc, out);
	k.p = NULL;
out:
	fs_put_abort(k.p);
	fs_close(rd);
	return e;
}
