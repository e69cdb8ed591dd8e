/* tcloudctl commands over the blob store (SPEC §6): fsck, gc,
 * rotate-key, quota-recalc, stats. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blob.h"
#include "crypto.h"
#include "log.h"
#include "store.h"
#include "json.h"
#include "app.h"
#include "acct.h"
#include "ctl.h"
#include "sql.h"

#define GC_AGE	3600	/* orphans younger than this may be uploads in flight */

int
ctl_init_store(struct app *a)
{
	if (store_init(a->conf.data_dir) == -1) {
		fprintf(stderr, "tcloudctl: %s: %s\n", a->conf.data_dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Call fn for every file row, in id order, a page at a time. */
static int
each_file(struct db *db, int (*fn)(struct app *, struct db *,
    const struct db_res *, size_t, void *), struct app *a, void *arg)
{
	long long last = 0;
	struct db_res *res;
	size_t i, n;

	do {
		if ((res = db_query(db, SQL_CTL_FILES_PAGE, "i", last)) == NULL)
			return -1;
		n = db_rows(res);
		for (i = 0; i < n; i++)
			if (fn(a, db, res, i, arg) == -1) {
				db_res_free(res);
				return -1;
			}
		if (n)
			last = db_int(res, n - 1, F_ID);
		db_res_free(res);
	} while (n);
	return 0;
}

struct fsck {
	long long	files, faults;
};

static int
fsck_one(struct app *a, struct db *db, const struct db_res *res, size_t i,
    void *arg)
{
	struct fsck *f = arg;
	struct fs_reader *rd;
	struct fs_file file;
	const char *why = NULL;
	unsigned bad = 0;
	enum fs_err e;

	(void)db;
	f->files++;
	fs_file_from_row(res, i, &file);
	if (db_len(res, i, F_BLOB) != 16) {
		printf("file %lld: blob missing\n", file.id);
		f->faults++;
		return 0;
	}
	if ((e = fs_open(a, &file, &rd, &why)) == FS_OK) {
		e = fs_verify(rd, &bad, &why);
		/* Readable through one slot while another, under a known key,
		 * is damaged: one more fault away from unreadable. */
		if (e == FS_OK && bad) {
			printf("file %lld: a key slot is damaged (the other "
			    "still opens the file)\n", file.id);
			f->faults++;
		}
		fs_close(rd);
	}
	if (e != FS_OK) {
		printf("file %lld: %s\n", file.id, why);
		f->faults++;
	}
	return 0;
}

/* fsck: every blob's header and tags against its row; exit 1 on a fault. */
int
ctl_fsck(struct app *a, int argc, char *argv[])
{
	struct db *db = ctl_db(a, 1);
	struct fsck f = { 0, 0 };

	(void)argc;
	(void)argv;
	if (each_file(db, fsck_one, a, &f) == -1)
		return 1;
	printf("fsck: %lld files checked, %lld faults\n", f.files, f.faults);
	db_close(db);
	return f.faults ? 1 : 0;
}

struct gc {
	struct store	*store;
	struct db	*db;
	time_t		 cutoff;
	long long	 removed, kept;
	int		 failed;
};

static int
gc_tmp(void *arg, const char *path, const unsigned char *id, time_t mtime)
{
	struct gc *g = arg;

	(void)id;
	if (mtime > g->cutoff) {
		g->kept++;
		return 0;
	}
	if (unlink(path) == 0) {
		printf("removed upload leftover %s\n", path);
		g->removed++;
	}
	return 0;
}

static int
gc_blob(void *arg, const char *path, const unsigned char *id, time_t mtime)
{
	struct gc *g = arg;
	struct db_res *res;
	size_t n;

	if (mtime > g->cutoff) {
		g->kept++;
		return 0;
	}
	if ((res = db_query(g->db, SQL_CTL_BLOB_EXISTS, "b", id,
	    (size_t)16)) == NULL) {
		g->failed = 1;
		return -1;
	}
	n = db_rows(res);
	db_res_free(res);
	if (n == 0 && g->store->ops->unlink(g->store, id) == 0) {
		printf("removed orphan blob %s\n", path);
		g->removed++;
	}
	return 0;
}

/* gc: upload leftovers and unreferenced blobs older than an hour, and
 * expired rows of the revocation and throttle tables. */
int
ctl_gc(struct app *a, int argc, char *argv[])
{
	struct gc g = { NULL, NULL, 0, 0, 0, 0 };
	long long age = GC_AGE;
	char *end;
	int i;

	/* A misread age would remove uploads in flight: only a whole number
	 * of seconds is taken, anything else is a usage error. */
	if (argc != 0 && (argc != 2 || strcmp(argv[0], "--older-than") ||
	    (age = strtoll(argv[1], &end, 10)) < 0 || end == argv[1] ||
	    *end != '\0' || age > 315360000)) {
		fprintf(stderr, "usage: tcloudctl gc [--older-than SECONDS]\n");
		return 2;
	}
	/* The store's walk takes a missing directory for an empty one: a
	 * data_dir that is not there (a typo in tcloud.conf) would pass. */
	for (i = 0; i < 2; i++) {
		char *p = xasprintf("%s/%s", a->conf.data_dir, i ? "tmp" :
		    "blobs");
		struct stat st;
		int r = stat(p, &st);

		if (r == -1 || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "tcloudctl: gc: %s: %s\n", p, r == -1 ?
			    strerror(errno) : "not a directory");
			free(p);
			return 1;
		}
		free(p);
	}
	g.db = ctl_db(a, 1);
	g.cutoff = time(NULL) - age;
	/* Temp objects are local files in every backend (an object store
	 * stages uploads on disk), so those are unlinked by path. */
	g.store = fs_store(a);
	if (g.store->ops->walk(g.store, STORE_TMP, gc_tmp, &g) == -1 ||
	    g.store->ops->walk(g.store, STORE_BLOBS, gc_blob, &g) == -1 ||
	    g.failed) {
		fprintf(stderr, "tcloudctl: gc: walking %s failed: %s\n",
		    a->conf.data_dir, g.failed ? "database error" :
		    strerror(errno));
		return 1;
	}
	db_exec(g.db, SQL_CTL_PURGE_TOKENS, "");
	db_exec(g.db, SQL_CTL_PURGE_FAILURES, "");
	printf("gc: %lld removed, %lld too young to judge\n", g.removed, g.kept);
	db_close(g.db);
	return 0;
}

struct rotate {
	long long	 done, failed;
};

static int
rotate_one(struct app *a, struct db *db, const struct db_res *res, size_t i,
    void *arg)
{
	struct rotate *rt = arg;
	const unsigned char *id = (const unsigned char *)db_str(res, i, F_BLOB);
	struct store *s = fs_store(a);
	struct store_obj *o;
	enum blob_err e;

	if (db_int(res, i, F_KEK) == (long long)a->keyring.active)
		return 0;
	if ((o = s->ops->open(s, id, 1)) == NULL) {
		printf("file %lld: blob missing\n", db_int(res, i, F_ID));
		rt->failed++;
		return 0;
	}
	e = blob_rewrap_io(o->io, &a->keyring, a->keyring.active);
	s->ops->close(s, o);
	if (e != BLOB_OK) {
		printf("file %lld: %s\n", db_int(res, i, F_ID), blob_strerror(e));
		rt->failed++;
		return 0;
	}
	/* The column records progress only: the blob's slots are the truth. */
	if (db_exec(db, SQL_CTL_SET_KEK, "ii", (long long)a->keyring.active,
	    db_int(res, i, F_ID)) == -1)
		return -1;
	rt->done++;
	return 0;
}

/* rotate-key: re-wrap every file key under the active KEK; segments are
 * not touched.  Afterwards the old KEK files are no longer needed. */
int
ctl_rotate_key(struct app *a, int argc, char *argv[])
{
	struct db *db = ctl_db(a, 1);
	struct rotate rt = { 0, 0 };

	(void)argc;
	(void)argv;
	if (each_file(db, rotate_one, a, &rt) == -1)
		return 1;
	if (ctl_rotate_links(a, db) == -1)
		return 1;
	printf("rotate-key: %lld files re-wrapped under key %u, %lld failed\n",
	    rt.done, a->keyring.active, rt.failed);
	db_close(db);
	return rt.failed ? 1 : 0;
}

/* quota-recalc: used_bytes from the rows (repairs stranded charges). */
int
ctl_quota_recalc(struct app *a, int argc, char *argv[])
{
	struct db *db = ctl_db(a, 1);
	struct db_res *res;
	size_t i;

	(void)argc;
	(void)argv;
	if ((res = db_query(db, SQL_CTL_QUOTA_DRIFT, "")) == NULL)
		return 1;
	for (i = 0; i < db_rows(res); i++)
		if (db_int(res, i, 2) != db_int(res, i, 3))
			printf("%s: used_bytes %lld -> %lld\n", db_str(res, i, 1),
			    db_int(res, i, 2), db_int(res, i, 3));
	db_res_free(res);
	if (db_exec(db, SQL_CTL_QUOTA_RECALC, "") == -1)
		return 1;
	db_close(db);
	return 0;
}

/* stats: GET /api/admin/stats's counters, one "name value" a line. */
int
ctl_stats(struct app *a, int argc, char *argv[])
{
	long long st[ACCT_STATS];
	json_object *o;

	(void)argc;
	(void)argv;
	a->db = ctl_db(a, 1);
	if (acct_stats(a, st) != FS_OK)
		return 1;
	o = acct_stats_json(st);
	json_object_object_foreach(o, name, val)
		printf("%s %lld\n", name, (long long)json_object_get_int64(val));
	json_object_put(o);
	db_close(a->db);
	a->db = NULL;
	return 0;
}

/* purge-pending DAYS: delete accounts still pending after DAYS days
 * (the admin route POST /api/admin/users/purge-pending does the same). */
int
ctl_purge_pending(struct app *a, int argc, char *argv[])
{
	long long days, n;
	char *end;

	if (argc != 1 || (days = strtoll(argv[0], &end, 10)) < 0 ||
	    *end != '\0' || end == argv[0] || days > 36500) {
		fprintf(stderr, "usage: tcloudctl purge-pending DAYS\n");
		return 2;
	}
	a->db = ctl_db(a, 1);
	if (acct_purge_pending(a, days, &n) != FS_OK)
		return 1;
	printf("purged %lld pending account%s\n", n, n == 1 ? "" : "s");
	db_close(a->db);
	a->db = NULL;
	return 0;
}

/* Re-seal every link token under the active KEK (after rotate-key the old
 * KEK file may go, and links must keep returning the same token). */
int
ctl_rotate_links(struct app *a, struct db *db)
{
	struct db_res *res;
	unsigned char *enc;
	size_t i, enclen;
	uint32_t kek;
	char *tok;
	int rc = 0;

	if ((res = db_query(db, SQL_LINK_ALL, "")) == NULL)
		return -1;
	for (i = 0; i < db_rows(res); i++) {
		tok = app_open_token(a, (const unsigned char *)db_str(res, i, 1),
		    db_len(res, i, 1), &kek);
		if (tok == NULL) {
			printf("link %lld: token does not open with any key\n",
			    db_int(res, i, 0));
			rc = -1;
			continue;
		}
		if (kek != a->keyring.active) {
			if (app_seal_token(a, tok, &enc, &enclen) == -1)
				rc = -1;
			else {
				if (db_exec(db, SQL_LINK_SET_ENC, "bi", enc,
				    enclen, db_int(res, i, 0)) == -1)
					rc = -1;
				free(enc);
			}
		}
		explicit_bzero(tok, strlen(tok));
		free(tok);
	}
	db_res_free(res);
	return rc;
}
