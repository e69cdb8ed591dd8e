/* tcloudctl backup DIR (SPEC §8): the layout of DIR, and why a snapshot
 * plus a copy is consistent, are in ctl-backup.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>

#include "store.h"
#include "xmalloc.h"
#include "app.h"
#include "ctl.h"
#include "ctl-backup.h"

#define BATCH		(256 * 1024)	/* bytes of one INSERT statement */
#define ATTEMPTS	8		/* snapshots tried before giving up */

void
bk_err(const char *what, const char *obj)
{
	fprintf(stderr, "tcloudctl: %s %s: %s\n", what, obj ? obj : "",
	    strerror(errno));
}

MYSQL *
bk_connect(struct app *a)
{
	const struct conf *c = &a->conf;
	MYSQL *m = mysql_init(NULL);
	int sock = c->db_socket && *c->db_socket;

	if (m == NULL)
		abort();
	if (mysql_real_connect(m, sock ? NULL : c->db_host, c->db_user,
	    c->db_password, c->db_name, (unsigned)c->db_port,
	    sock ? c->db_socket : NULL, 0) == NULL) {
		fprintf(stderr, "tcloudctl: database: %s\n", mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	/* Bytes travel unconverted: each column gets back exactly its bytes. */
	if (mysql_query(m, "SET NAMES binary") != 0) {
		fprintf(stderr, "tcloudctl: database: %s\n", mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

int
bk_query(MYSQL *m, const char *sql)
{
	if (mysql_real_query(m, sql, strlen(sql)) != 0) {
		fprintf(stderr, "tcloudctl: %.80s: %s\n", sql, mysql_error(m));
		return -1;
	}
	return 0;
}

/* Table names come from information_schema; they are spliced into SQL,
 * so only plain identifiers are accepted. */
static int
ident_ok(const char *s)
{
	return *s && strlen(s) < 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == strlen(s);
}

char **
bk_tables(MYSQL *m)
{
	MYSQL_RES *r;
	MYSQL_ROW row;
	char **v;
	size_t n = 0;

	if (bk_query(m, "SELECT TABLE_NAME FROM information_schema.TABLES "
	    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' "
	    "ORDER BY TABLE_NAME") == -1 || (r = mysql_store_result(m)) == NULL)
		return NULL;
	v = xcalloc(mysql_num_rows(r) + 1, sizeof(*v));
	while ((row = mysql_fetch_row(r)) != NULL) {
		if (!ident_ok(row[0])) {
			fprintf(stderr, "tcloudctl: unusual table name skipped\n");
			continue;
		}
		v[n++] = xstrdup(row[0]);
	}
	mysql_free_result(r);
	return v;
}

void
bk_free_list(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Append one value as an SQL literal: NULL, a number as is, a time as a
 * quoted string, anything else as X'hex' (which any byte survives). */
static void
put_value(FILE *out, const MYSQL_FIELD *f, const char *v, unsigned long len)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned long i;

	if (v == NULL) {
		fputs("NULL", out);
		return;
	}
	if (IS_NUM(f->type) && f->type != MYSQL_TYPE_BIT && len > 0 &&
	    strspn(v, "0123456789.-+eE") == len) {
		fwrite(v, 1, len, out);
		return;
	}
	switch (f->type) {
	case MYSQL_TYPE_DATE: case MYSQL_TYPE_TIME: case MYSQL_TYPE_DATETIME:
	case MYSQL_TYPE_TIMESTAMP: case MYSQL_TYPE_NEWDATE:
		if (strspn(v, "0123456789-: .") == len) {
			fprintf(out, "'%.*s'", (int)len, v);
			return;
		}
		break;
	default:
		break;
	}
	fputs("X'", out);
	for (i = 0; i < len; i++) {
		putc(hex[(unsigned char)v[i] >> 4], out);
		putc(hex[(unsigned char)v[i] & 15], out);
	}
	putc('\'', out);
}

/* One table: its CREATE TABLE, then its rows as INSERTs of about BATCH
 * bytes, streamed (mysql_use_result) so memory does not grow with it.
 * Generated columns are left out: the server computes them. */
static int
dump_table(MYSQL *m, FILE *out, const char *t, long long *rows)
{
	char sql[512], *cols = NULL, *sel;
	size_t colslen = 0;
	MYSQL_RES *r;
	MYSQL_ROW row;
	MYSQL_FIELD *f;
	unsigned long *len;
	unsigned i, nf;
	long start;
	FILE *cf;

	snprintf(sql, sizeof(sql), "SHOW CREATE TABLE `%s`", t);
	if (bk_query(m, sql) == -1 || (r = mysql_store_result(m)) == NULL)
		return -1;
	if ((row = mysql_fetch_row(r)) == NULL) {
		mysql_free_result(r);
		return -1;
	}
	fprintf(out, "%s;\n", row[1]);
	mysql_free_result(r);

	snprintf(sql, sizeof(sql), "SELECT COLUMN_NAME FROM "
	    "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
	    "TABLE_NAME = '%s' AND IS_GENERATED = 'NEVER' "
	    "ORDER BY ORDINAL_POSITION", t);
	if (bk_query(m, sql) == -1 || (r = mysql_store_result(m)) == NULL)
		return -1;
	cf = open_memstream(&cols, &colslen);
	for (i = 0; (row = mysql_fetch_row(r)) != NULL; i++)
		fprintf(cf, "%s`%s`", i ? "," : "", row[0]);
	fclose(cf);
	mysql_free_result(r);
	if (colslen == 0) {
		free(cols);
		return -1;
	}
	sel = xasprintf("SELECT %s FROM `%s`", cols, t);
	i = bk_query(m, sel) == -1 || (r = mysql_use_result(m)) == NULL;
	free(sel);
	if (i) {
		free(cols);
		return -1;
	}
	nf = mysql_num_fields(r);
	f = mysql_fetch_fields(r);
	start = -1;
	while ((row = mysql_fetch_row(r)) != NULL) {
		len = mysql_fetch_lengths(r);
		if (start < 0) {
			fprintf(out, "INSERT INTO `%s` (%s) VALUES\n(", t, cols);
			start = ftell(out);
		} else
			fputs(",\n(", out);
		for (i = 0; i < nf; i++) {
			if (i)
				putc(',', out);
			put_value(out, &f[i], row[i], len[i]);
		}
		putc(')', out);
		(*rows)++;
		if (ftell(out) - start > BATCH) {
			fputs(";\n", out);
			start = -1;
		}
	}
	if (start >= 0)
		fputs(";\n", out);
	free(cols);
	if (mysql_errno(m)) {
		fprintf(stderr, "tcloudctl: reading %s: %s\n", t, mysql_error(m));
		mysql_free_result(r);
		return -1;
	}
	mysql_free_result(r);
	return ferror(out) ? -1 : 0;
}

/* Write DIR/db.sql and DIR/.blobs (the blob ids the snapshot's files rows
 * name, 32 hex a line) from one consistent snapshot. */
static int
snapshot(MYSQL *m, const char *dir, long long *rows, int *schema)
{
	char *path = xasprintf("%s/db.sql", dir), *lpath;
	char **tables = NULL;
	MYSQL_RES *r = NULL;
	MYSQL_ROW row;
	FILE *out, *list = NULL;
	size_t i;
	int rc = -1;

	lpath = xasprintf("%s/.blobs", dir);
	*rows = 0;
	*schema = 0;
	if ((out = fopen(path, "we")) == NULL) {
		bk_err("create", path);
		goto out;
	}
	if ((list = fopen(lpath, "we")) == NULL) {
		bk_err("create", lpath);
		goto out;
	}
	/* REPEATABLE READ: every SELECT below sees the snapshot taken at
	 * START TRANSACTION WITH CONSISTENT SNAPSHOT, whatever commits since. */
	if (bk_query(m, "SET SESSION TRANSACTION ISOLATION LEVEL "
	    "REPEATABLE READ") == -1 ||
	    bk_query(m, "START TRANSACTION WITH CONSISTENT SNAPSHOT, "
	    "READ ONLY") == -1 || (tables = bk_tables(m)) == NULL)
		goto out;
	fputs("-- TCloud backup: tcloudctl restore loads it (or: mariadb DB "
	    "< db.sql into an empty database)\n"
	    "SET NAMES binary;\nSET FOREIGN_KEY_CHECKS = 0;\n"
	    "SET UNIQUE_CHECKS = 0;\n", out);
	for (i = 0; tables[i]; i++)
		if (dump_table(m, out, tables[i], rows) == -1)
			goto out;
	fputs("SET FOREIGN_KEY_CHECKS = 1;\nSET UNIQUE_CHECKS = 1;\n", out);
	if (bk_query(m, "SELECT blob_id FROM files") == -1 ||
	    (r = mysql_use_result(m)) == NULL)
		goto out;
	while ((row = mysql_fetch_row(r)) != NULL) {
		char hex[33];

		if (mysql_fetch_lengths(r)[0] != 16)
			goto out;
		store_id_to_hex((const unsigned char *)row[0], hex);
		fprintf(list, "%s\n", hex);
	}
	if (mysql_errno(m))
		goto out;
	mysql_free_result(r);
	r = NULL;
	if (bk_query(m, "SELECT COALESCE(MAX(version), 0) FROM "
	    "schema_version") == -1 || (r = mysql_store_result(m)) == NULL ||
	    (row = mysql_fetch_row(r)) == NULL)
		goto out;
	*schema = atoi(row[0]);
	rc = 0;
out:
	if (r)
		mysql_free_result(r);
	mysql_query(m, "COMMIT");
	bk_free_list(tables);
	if (out && (fflush(out) || fsync(fileno(out)) || ferror(out)))
		rc = -1;
	if (list && (fflush(list) || ferror(list)))
		rc = -1;
	if (out)
		fclose(out);
	if (list)
		fclose(list);
	free(path);
	free(lpath);
	return rc;
}

/* Copy from fd to a new file at dst (0600), fsynced.  0, or -1 (errno). */
static int
copy_fd(int in, const char *dst, long long *bytes)
{
	char buf[1 << 16];
	ssize_t n;
	int out, rc = 0;

	if ((out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1)
		return -1;
	for (;;) {
		/* copy_file_range may share extents (reflink) where the
		 * filesystem can; read/write elsewhere. */
		n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == -1 && (errno == EXDEV || errno == ENOSYS ||
		    errno == EINVAL || errno == EOPNOTSUPP)) {
			while ((n = read(in, buf, sizeof(buf))) > 0)
				if (write(out, buf, n) != n) {
					n = -1;
					break;
				} else
					*bytes += n;
			break;
		}
		if (n <= 0)
			break;
		*bytes += n;
	}
	if (n < 0 || fdatasync(out) == -1)
		rc = -1;
	if (close(out) == -1)
		rc = -1;
	return rc;
}

static void
mkdirs_for(const char *path)
{
	char *p = xstrdup(path), *s;

	for (s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		(void)mkdir(p, 0700);
		*s = '/';
	}
	free(p);
}

static int
id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* The blob ids one round found missing, sorted for the next round. */
struct missing {
	unsigned char	*ids;
	size_t		 n, cap;
};

/* Copy the blobs listed in DIR/.blobs that DIR does not have yet.  0 all
 * there, 1 some were deleted since the snapshot (each in *now), -1 error.
 * A blob is unlinked only after the delete of its row commits, so one
 * that was already missing in the previous round (*prev) and that this
 * later snapshot still names was not deleted: it is lost, and retrying
 * cannot help. */
static int
copy_blobs(struct app *a, const char *dir, long long *nblobs,
    long long *bytes, const struct missing *prev, struct missing *now)
{
	char line[64], *lpath = xasprintf("%s/.blobs", dir);
	unsigned char id[16];
	struct stat st;
	int rc = 0, fd;
	FILE *list;

	*nblobs = 0;
	if ((list = fopen(lpath, "re")) == NULL) {
		bk_err("open", lpath);
		free(lpath);
		return -1;
	}
	while (rc != -1 && fgets(line, sizeof(line), list)) {
		char *src, *dst, *tail;

		line[strcspn(line, "\n")] = '\0';
		if (store_hex_to_id(line, id) == -1) {
			fprintf(stderr, "tcloudctl: backup: bad blob list\n");
			rc = -1;
			break;
		}
		(*nblobs)++;
		src = store_blob_path(a->conf.data_dir, id);
		dst = store_blob_path(dir, id);
		tail = xasprintf("%s.part", dst);
		if (stat(dst, &st) == 0)
			;	/* copied in an earlier round */
		else if ((fd = open(src, O_RDONLY | O_CLOEXEC |
		    O_NOFOLLOW)) == -1) {
			if (errno == ENOENT && prev->n && bsearch(id,
			    prev->ids, prev->n, 16, id_cmp) != NULL) {
				fprintf(stderr, "tcloudctl: backup: blob %s, named by "
				    "a files row, is missing from %s (tcloudctl "
				    "fsck names the file)\n", line, a->conf.data_dir);
				rc = -1;
			} else if (errno == ENOENT) {
				if (now->n == now->cap) {
					now->cap = now->cap ? now->cap * 2 : 64;
					now->ids = xrealloc(now->ids, now->cap * 16);
				}
				memcpy(now->ids + 16 * now->n++, id, 16);
				rc = 1;
			} else {
				bk_err("open", src);
				rc = -1;
			}
		} else if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
			/* A directory where a blob should be: name the source,
			 * not the copy that read(2) would fail on. */
			fprintf(stderr, "tcloudctl: backup: %s is not a regular "
			    "file\n", src);
			rc = -1;
			close(fd);
		} else {
			mkdirs_for(dst);
			if (copy_fd(fd, tail, bytes) == -1 ||
			    rename(tail, dst) == -1) {
				bk_err("copy to", dst);
				rc = -1;
			}
			close(fd);
		}
		free(src);
		free(dst);
		free(tail);
	}
	fclose(list);
	free(lpath);
	if (now->n)
		qsort(now->ids, now->n, 16, id_cmp);
	return rc;
}

/* Remove DIR's blobs that the final snapshot does not name (copied in an
 * earlier round for rows deleted since).  Runs only after a retry; the
 * final list is held sorted, 16 bytes a file. */
struct prune {
	unsigned char	*ids;
	size_t		 n;
};

static int
prune_one(void *arg, const char *path, const unsigned char *id,
    time_t mtime)
{
	struct prune *p = arg;

	(void)mtime;
	if (bsearch(id, p->ids, p->n, 16, id_cmp) == NULL)
		unlink(path);
	return 0;
}

static int
prune_blobs(const char *dir)
{
	char *lpath = xasprintf("%s/.blobs", dir), line[64];
	struct prune p = { NULL, 0 };
	size_t cap = 0;
	FILE *f;
	int rc;

	if ((f = fopen(lpath, "re")) == NULL) {
		free(lpath);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (p.n == cap) {
			cap = cap ? cap * 2 : 1024;
			p.ids = xrealloc(p.ids, cap * 16);
		}
		if (store_hex_to_id(line, p.ids + 16 * p.n) == 0)
			p.n++;
	}
	fclose(f);
	qsort(p.ids, p.n, 16, id_cmp);
	rc = store_walk_blobs(dir, prune_one, &p);
	free(p.ids);
	free(lpath);
	return rc;
}

int
bk_copy_secret(const char *src, const char *dst, uid_t uid, gid_t gid)
{
	char *tmp = xasprintf("%s.tcloud-restore", dst);
	long long n = 0;
	int fd, rc = -1;

	if ((fd = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		bk_err("open", src);
		goto out;
	}
	unlink(tmp);
	if (copy_fd(fd, tmp, &n) == -1) {
		/* The workers' user may own its key files in a directory it
		 * cannot write (/etc/tcloud): then rewrite the file in place. */
		if (errno == EACCES && lseek(fd, 0, SEEK_SET) == 0 &&
		    access(dst, W_OK) == 0 && copy_fd(fd, dst, &n) == 0) {
			close(fd);
			rc = 0;
			goto out;
		}
		bk_err("write", tmp);
		close(fd);
		goto out;
	}
	close(fd);
	if (uid != (uid_t)-1 && chown(tmp, uid, gid) == -1) {
		bk_err("chown", tmp);
		goto out;
	}
	if (rename(tmp, dst) == -1) {
		bk_err("rename to", dst);
		goto out;
	}
	rc = 0;
out:
	unlink(tmp);
	free(tmp);
	return rc;
}

size_t
bk_keys(struct app *a, long long ids[], char *paths[])
{
	char *list = xstrdup(a->conf.old_key_files), *save = NULL, *item;
	size_t n = 0;

	ids[n] = 0;
	paths[n++] = xstrdup(a->conf.jwt_secret_file);
	ids[n] = a->conf.master_key_id;
	paths[n++] = xstrdup(a->conf.master_key_file);
	for (item = strtok_r(list, ", \t", &save); item && n < MAXKEYS;
	    item = strtok_r(NULL, ", \t", &save)) {
		char *colon = strchr(item, ':');

		if (colon == NULL)
			continue;	/* conf_load's key loading reports it */
		*colon = '\0';
		ids[n] = strtoll(item, NULL, 10);
		paths[n++] = xstrdup(colon + 1);
	}
	free(list);
	return n;
}

char *
bk_key_name(long long id)
{
	return id ? xasprintf("master-%lld.key", id) : xstrdup("jwt.secret");
}

static int
rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	if (ftw->level > 0)
		(void)(type == FTW_DP ? rmdir(path) : unlink(path));
	return 0;
}

/* A failed backup takes away what it wrote (DIR was new or empty), so
 * that the same command can be run again once the cause is fixed. */
static void
remove_partial(const char *dir, int made)
{
	(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (made)
		(void)rmdir(dir);
}

/* backup DIR: see the top of this file. */
int
ctl_backup(struct app *a, int argc, char *argv[])
{
	long long ids[MAXKEYS], rows = 0, nblobs = 0, bytes = 0;
	char *paths[MAXKEYS], *p, *q, *keydir = NULL, *mpath = NULL;
	const char *dir;
	size_t nkeys, i;
	int attempt, schema = 0, rc = 1, r = -1, made = 1, mine = 0;
	struct missing miss[2] = { { NULL, 0, 0 }, { NULL, 0, 0 } };
	MYSQL *m = NULL;
	FILE *mf;
	DIR *d;

	if (argc != 1) {
		fprintf(stderr, "usage: tcloudctl backup DIR\n");
		return 2;
	}
	dir = argv[0];
	umask(077);
	nkeys = bk_keys(a, ids, paths);
	/* A new or empty directory: a backup never mixes with another. */
	if (mkdir(dir, 0700) == -1) {
		struct dirent *e;
		int n = 0;

		if (errno != EEXIST || (d = opendir(dir)) == NULL) {
			bk_err("mkdir", dir);
			goto out;
		}
		while ((e = readdir(d)) != NULL)
			n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
		closedir(d);
		if (n) {
			fprintf(stderr, "tcloudctl: backup: %s is not empty\n",
			    dir);
			goto out;
		}
		chmod(dir, 0700);
		made = 0;
	}
	mine = 1;
	keydir = xasprintf("%s/keys", dir);
	p = xasprintf("%s/blobs", dir);
	if (mkdir(keydir, 0700) == -1 || mkdir(p, 0700) == -1) {
		bk_err("mkdir in", dir);
		free(p);
		goto out;
	}
	free(p);
	if ((m = bk_connect(a)) == NULL)
		goto out;
	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		bytes = 0;
		if (snapshot(m, dir, &rows, &schema) == -1)
			goto out;
		/* For t/25-backup.t: a window in which to delete a file the
		 * first snapshot names, so the retry is exercised. */
		if (attempt == 0 && getenv("TCLOUD_BACKUP_TEST_PAUSE"))
			sleep((unsigned)atoi(getenv("TCLOUD_BACKUP_TEST_PAUSE")));
		miss[attempt % 2].n = 0;
		if ((r = copy_blobs(a, dir, &nblobs, &bytes,
		    &miss[(attempt + 1) % 2], &miss[attempt % 2])) != 1)
			break;
		fprintf(stderr, "tcloudctl: backup: files were deleted while "
		    "copying; taking a new snapshot\n");
	}
	if (r != 0) {
		if (r == 1)
			fprintf(stderr, "tcloudctl: backup: the files change too "
			    "fast for %d snapshots\n", ATTEMPTS);
		goto out;
	}
	if (attempt > 0 && prune_blobs(dir) == -1)
		goto out;
	for (i = 0; i < nkeys; i++) {
		p = bk_key_name(ids[i]);
		q = xasprintf("%s/%s", keydir, p);
		free(p);
		r = bk_copy_secret(paths[i], q, (uid_t)-1, (gid_t)-1);
		free(q);
		if (r == -1)
			goto out;
	}
	p = xasprintf("%s/.blobs", dir);
	unlink(p);
	free(p);
	/* The manifest last, durably: its presence means complete. */
	mpath = xasprintf("%s/MANIFEST", dir);
	p = xasprintf("%s.tmp", mpath);
	if ((mf = fopen(p, "we")) == NULL) {
		bk_err("create", p);
		free(p);
		goto out;
	}
	fprintf(mf, MANIFEST_MAGIC "\ncreated %lld\nschema %d\nrows %lld\n"
	    "blobs %lld\nactive_key %lld\n", (long long)time(NULL), schema,
	    rows, nblobs, a->conf.master_key_id);
	for (i = 1; i < nkeys; i++)
		fprintf(mf, "key %lld\n", ids[i]);
	if (fflush(mf) || fsync(fileno(mf)) || fclose(mf) || rename(p, mpath)) {
		bk_err("write", mpath);
		free(p);
		goto out;
	}
	free(p);
	if ((d = opendir(dir)) != NULL) {
		fsync(dirfd(d));
		closedir(d);
	}
	printf("backup: %lld rows, %lld blobs (%lld bytes copied), %zu keys "
	    "in %s\n", rows, nblobs, bytes, nkeys, dir);
	rc = 0;
out:
	if (m)
		mysql_close(m);
	if (rc != 0 && mine)
		remove_partial(dir, made);
	free(miss[0].ids);
	free(miss[1].ids);
	for (i = 0; i < nkeys; i++)
		free(paths[i]);
	free(keydir);
	free(mpath);
	return rc;
}
