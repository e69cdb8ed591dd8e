/* tcloudctl backup DIR and restore DIR [--force] (SPEC §8).
 *
 * A backup directory (0700) holds:
 *   db.sql               every table of the database: its CREATE TABLE and
 *                        its rows, read in ONE consistent-snapshot
 *                        transaction; plain SQL (`mariadb DB < db.sql`
 *                        loads it too)
 *   blobs/xx/yy/<id>     the blobs the dumped files rows name (data_dir's
 *                        layout), copied after the snapshot
 *   keys/master-<id>.key every configured KEK;  keys/jwt.secret
 *   MANIFEST             written last: a directory without it is partial
 *
 * Why a snapshot plus a copy is consistent: a blob is durable before the
 * row naming it commits, and is never rewritten (a replace makes a new
 * blob; rotate-key only rewraps header slots, see blob.h), so every blob a
 * snapshot row names exists unless a later delete or replace unlinked it.
 * Such a blob shows up as ENOENT while copying; the backup then takes a
 * new snapshot and copies what is new, until a snapshot's blobs are all
 * there.  Blobs are copied, never hardlinked: rotate-key rewrites headers
 * in place, which would change a hardlinked backup under a KEK it may not
 * hold.
 *
 * Restore copies the blobs in first, then replaces the database, then the
 * key files, so the rows never name a blob that is not there. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
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
#include "migrations.h"

#define BATCH		(256 * 1024)	/* bytes of one INSERT statement */
#define ATTEMPTS	8		/* snapshots tried before giving up */
#define MANIFEST_MAGIC	"tcloud-backup 1"

static void
bk_err(const char *what, const char *obj)
{
	fprintf(stderr, "tcloudctl: %s %s: %s\n", what, obj ? obj : "",
	    strerror(errno));
}

static MYSQL *
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

static int
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

/* The base tables of the database, as a NULL-terminated array. */
static char **
list_tables(MYSQL *m)
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

static void
free_list(char **v)
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
	    "READ ONLY") == -1 || (tables = list_tables(m)) == NULL)
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
	free_list(tables);
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

/* Copy the blobs listed in DIR/.blobs that DIR does not have yet.  0 all
 * there, 1 some were deleted since the snapshot, -1 error. */
static int
copy_blobs(struct app *a, const char *dir, long long *nblobs,
    long long *bytes)
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
			if (errno == ENOENT)
				rc = 1;
			else {
				bk_err("open", src);
				rc = -1;
			}
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
id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

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

/* Copy one key file (a secret: 0600) from src to dst, through a temp
 * name; dst gets uid/gid when they are not -1. */
static int
copy_secret(const char *src, const char *dst, uid_t uid, gid_t gid)
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

/* The configured key files: ids[i] and paths[i]; ids 0 is the JWT secret.
 * Returns the count. */
#define MAXKEYS 32
static size_t
configured_keys(struct app *a, long long ids[], char *paths[])
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

static char *
key_name(long long id)
{
	return id ? xasprintf("master-%lld.key", id) : xstrdup("jwt.secret");
}

/* backup DIR: see the top of this file. */
int
ctl_backup(struct app *a, int argc, char *argv[])
{
	long long ids[MAXKEYS], rows = 0, nblobs = 0, bytes = 0;
	char *paths[MAXKEYS], *p, *q, *keydir = NULL, *mpath = NULL;
	const char *dir;
	size_t nkeys, i;
	int attempt, schema = 0, rc = 1, r = -1;
	MYSQL *m = NULL;
	FILE *mf;
	DIR *d;

	if (argc != 1) {
		fprintf(stderr, "usage: tcloudctl backup DIR\n");
		return 2;
	}
	dir = argv[0];
	umask(077);
	nkeys = configured_keys(a, ids, paths);
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
	}
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
		if ((r = copy_blobs(a, dir, &nblobs, &bytes)) != 1)
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
		p = key_name(ids[i]);
		q = xasprintf("%s/%s", keydir, p);
		free(p);
		r = copy_secret(paths[i], q, (uid_t)-1, (gid_t)-1);
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
	for (i = 0; i < nkeys; i++)
		free(paths[i]);
	free(keydir);
	free(mpath);
	return rc;
}

/* --- restore ------------------------------------------------------------ */

struct manifest {
	int		schema;
	long long	blobs, active;
	long long	keys[MAXKEYS];
	size_t		nkeys;
};

static int
read_manifest(const char *dir, struct manifest *mf)
{
	char *path = xasprintf("%s/MANIFEST", dir), line[256];
	FILE *f;
	int ok = 0;

	memset(mf, 0, sizeof(*mf));
	if ((f = fopen(path, "re")) == NULL) {
		fprintf(stderr, "tcloudctl: restore: %s: %s (not a complete "
		    "backup)\n", path, strerror(errno));
		free(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		long long v;

		if (!strcmp(line, MANIFEST_MAGIC "\n"))
			ok = 1;
		else if (sscanf(line, "schema %lld", &v) == 1)
			mf->schema = (int)v;
		else if (sscanf(line, "blobs %lld", &v) == 1)
			mf->blobs = v;
		else if (sscanf(line, "active_key %lld", &v) == 1)
			mf->active = v;
		else if (sscanf(line, "key %lld", &v) == 1 &&
		    mf->nkeys < MAXKEYS)
			mf->keys[mf->nkeys++] = v;
	}
	fclose(f);
	free(path);
	if (!ok || mf->active == 0) {
		fprintf(stderr, "tcloudctl: restore: %s is not a TCloud "
		    "backup\n", dir);
		return -1;
	}
	return 0;
}

static long long
count_rows(MYSQL *m, const char *table)
{
	char sql[128];
	MYSQL_RES *r;
	MYSQL_ROW row;
	long long n = -1;

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM `%s`", table);
	if (mysql_query(m, sql) != 0)
		return mysql_errno(m) == 1146 ? 0 : -1;	/* no such table */
	if ((r = mysql_store_result(m)) != NULL) {
		if ((row = mysql_fetch_row(r)) != NULL)
			n = atoll(row[0]);
		mysql_free_result(r);
	}
	return n;
}

static int
count_blob(void *arg, const char *path, const unsigned char *id,
    time_t mtime)
{
	(void)path;
	(void)id;
	(void)mtime;
	(*(long long *)arg)++;
	return 0;
}

/* Owner for what restore writes: data_dir's (so that a restore run as
 * root leaves files the workers' user can use).  -1 when not root. */
struct owner {
	uid_t	uid;
	gid_t	gid;
};

struct put {
	struct app	*a;
	const char	*dir;
	struct owner	 own;
	long long	 n, bytes;
	int		 failed;
};

static void
own_path(const struct owner *o, const char *path)
{
	if (o->uid != (uid_t)-1 && lchown(path, o->uid, o->gid) == -1)
		bk_err("chown", path);
}

/* One backup blob into data_dir: temp file, fsync, atomic rename. */
static int
put_blob(void *arg, const char *path, const unsigned char *id, time_t mtime)
{
	struct put *p = arg;
	char *tmp = NULL, *dst, *d1, *d2;
	unsigned char buf[1 << 16];
	ssize_t n;
	int in, out;

	(void)mtime;
	if ((in = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1 ||
	    (out = store_tmp_open(p->a->conf.data_dir, &tmp)) == -1) {
		bk_err("copy", path);
		if (in != -1)
			close(in);
		p->failed = 1;
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			n = -1;
			break;
		}
	if (p->own.uid != (uid_t)-1)
		(void)fchown(out, p->own.uid, p->own.gid);
	if (n < 0 || store_commit(p->a->conf.data_dir, out, tmp, id) == -1) {
		bk_err("restore blob", path);
		unlink(tmp);
		p->failed = 1;
	} else {
		struct stat st;

		if (fstat(in, &st) == 0)
			p->bytes += st.st_size;
		p->n++;
		/* store_commit may have made blobs/xx and blobs/xx/yy. */
		dst = store_blob_path(p->a->conf.data_dir, id);
		d1 = xstrdup(dirname(dst));
		d2 = xstrdup(d1);
		own_path(&p->own, d1);
		own_path(&p->own, dirname(d2));
		free(d1);
		free(d2);
		free(dst);
	}
	close(in);
	close(out);
	free(tmp);
	return p->failed ? -1 : 0;
}

/* Remove data_dir blobs the backup does not have (restore --force). */
static int
drop_extra(void *arg, const char *path, const unsigned char *id,
    time_t mtime)
{
	struct put *p = arg;
	struct stat st;
	char *b = store_blob_path(p->dir, id);

	(void)mtime;
	if (stat(b, &st) == -1 && errno == ENOENT)
		unlink(path);
	free(b);
	return 0;
}

/* Drop every table, then run db.sql one statement at a time (a statement
 * ends with ';' at the end of a line, as the dump writes them). */
static int
load_sql(MYSQL *m, const char *dir)
{
	char *path = xasprintf("%s/db.sql", dir), *line = NULL, *stmt = NULL;
	size_t cap = 0, slen = 0;
	char **tables = NULL, sql[160];
	ssize_t n;
	FILE *f = NULL, *sf = NULL;
	size_t i;
	int rc = -1;

	if ((f = fopen(path, "re")) == NULL) {
		bk_err("open", path);
		goto out;
	}
	if (bk_query(m, "SET FOREIGN_KEY_CHECKS = 0") == -1 ||
	    (tables = list_tables(m)) == NULL)
		goto out;
	for (i = 0; tables[i]; i++) {
		snprintf(sql, sizeof(sql), "DROP TABLE `%s`", tables[i]);
		if (bk_query(m, sql) == -1)
			goto out;
	}
	sf = open_memstream(&stmt, &slen);
	while ((n = getline(&line, &cap, f)) != -1) {
		if (line[0] == '-' && line[1] == '-' && slen == 0)
			continue;
		fwrite(line, 1, n, sf);
		if (n >= 2 && line[n - 2] == ';' && line[n - 1] == '\n') {
			fflush(sf);
			stmt[slen - 2] = '\0';
			if (mysql_real_query(m, stmt, slen - 2) != 0) {
				fprintf(stderr, "tcloudctl: restore: %.80s: %s\n",
				    stmt, mysql_error(m));
				goto out;
			}
			rewind(sf);
			fflush(sf);
		}
	}
	if (ferror(f))
		goto out;
	rc = 0;
out:
	if (sf)
		fclose(sf);
	free(stmt);
	free(line);
	free_list(tables);
	if (f)
		fclose(f);
	free(path);
	return rc;
}

/* Every files row names a blob that is now in data_dir. */
static int
check_rows(struct app *a, MYSQL *m)
{
	MYSQL_RES *r;
	MYSQL_ROW row;
	unsigned char id[16];
	struct stat st;
	long long missing = 0;

	if (bk_query(m, "SELECT blob_id FROM files") == -1 ||
	    (r = mysql_use_result(m)) == NULL)
		return -1;
	while ((row = mysql_fetch_row(r)) != NULL) {
		char *p, hex[33];

		if (mysql_fetch_lengths(r)[0] != 16) {
			missing++;
			continue;
		}
		memcpy(id, row[0], 16);
		store_id_to_hex(id, hex);
		p = store_blob_path(a->conf.data_dir, id);
		if (stat(p, &st) == -1) {
			fprintf(stderr, "tcloudctl: restore: blob %s of a files "
			    "row is missing\n", hex);
			missing++;
		}
		free(p);
	}
	mysql_free_result(r);
	return missing ? -1 : 0;
}

/* restore DIR [--force]: into an empty install (no users, files or
 * blobs) unless --force, which replaces what is there. */
int
ctl_restore(struct app *a, int argc, char *argv[])
{
	long long ids[MAXKEYS], users, files, blobs = 0;
	char *paths[MAXKEYS], *src, *name;
	struct manifest mf;
	struct put p;
	struct stat st;
	size_t nkeys = 0, i, k;
	const char *dir = NULL;
	int force = 0, rc = 1, j;
	MYSQL *m = NULL;

	for (j = 0; j < argc; j++)
		if (!strcmp(argv[j], "--force"))
			force = 1;
		else if (dir == NULL)
			dir = argv[j];
		else
			dir = "";
	if (dir == NULL || *dir == '\0') {
		fprintf(stderr, "usage: tcloudctl restore DIR [--force]\n");
		return 2;
	}
	if (read_manifest(dir, &mf) == -1)
		return 1;
	if (nmigrations && mf.schema > migrations[nmigrations - 1].version) {
		fprintf(stderr, "tcloudctl: restore: the backup has schema %d, "
		    "newer than this tcloudctl knows; use a newer tcloudctl\n",
		    mf.schema);
		return 1;
	}
	/* Every key of the backup needs a place in tcloud.conf: checked
	 * before anything is written. */
	nkeys = configured_keys(a, ids, paths);
	for (k = 0; k < mf.nkeys; k++) {
		for (i = 1; i < nkeys && ids[i] != mf.keys[k]; i++)
			;
		if (i == nkeys) {
			fprintf(stderr, "tcloudctl: restore: the backup holds "
			    "master key %lld, which tcloud.conf does not name: "
			    "set master_key_id = %lld (the backup's active key) "
			    "and list any other key ids in old_key_files\n",
			    mf.keys[k], mf.active);
			goto out;
		}
	}
	if (a->conf.master_key_id != mf.active)
		fprintf(stderr, "tcloudctl: restore: note: the backup's active "
		    "key was %lld, tcloud.conf's is %lld\n", mf.active,
		    a->conf.master_key_id);
	if (ctl_init_store(a) != 0 || (m = bk_connect(a)) == NULL)
		goto out;
	users = count_rows(m, "users");
	files = count_rows(m, "files");
	store_walk_blobs(a->conf.data_dir, count_blob, &blobs);
	if (users < 0 || files < 0)
		goto out;
	if ((users || files || blobs) && !force) {
		fprintf(stderr, "tcloudctl: restore: this install is not empty "
		    "(%lld users, %lld files, %lld blobs); restore --force "
		    "replaces all of it\n", users, files, blobs);
		goto out;
	}
	memset(&p, 0, sizeof(p));
	p.a = a;
	p.dir = dir;
	p.own.uid = (uid_t)-1;
	p.own.gid = (gid_t)-1;
	if (geteuid() == 0 && stat(a->conf.data_dir, &st) == 0) {
		p.own.uid = st.st_uid;
		p.own.gid = st.st_gid;
	}
	if (store_walk_blobs(dir, put_blob, &p) == -1 || p.failed)
		goto out;
	if (p.n != mf.blobs) {
		fprintf(stderr, "tcloudctl: restore: %lld blobs in %s, the "
		    "manifest says %lld\n", p.n, dir, mf.blobs);
		goto out;
	}
	if (load_sql(m, dir) == -1 || check_rows(a, m) == -1)
		goto out;
	if (force)
		store_walk_blobs(a->conf.data_dir, drop_extra, &p);
	/* Keys last: the JWT secret and each master key to its configured
	 * file, owned like the file it replaces. */
	for (i = 0; i < nkeys; i++) {
		for (k = 0; i > 0 && k < mf.nkeys && mf.keys[k] != ids[i]; k++)
			;
		if (i > 0 && k == mf.nkeys)
			continue;	/* configured, not in the backup */
		name = key_name(ids[i]);
		src = xasprintf("%s/keys/%s", dir, name);
		free(name);
		if (stat(paths[i], &st) == -1) {
			st.st_uid = p.own.uid;
			st.st_gid = p.own.gid;
		}
		j = copy_secret(src, paths[i], geteuid() == 0 ? st.st_uid :
		    (uid_t)-1, st.st_gid);
		free(src);
		if (j == -1)
			goto out;
	}
	printf("restore: %lld blobs (%lld bytes) and the database from %s\n",
	    p.n, p.bytes, dir);
	if (nmigrations && mf.schema < migrations[nmigrations - 1].version)
		printf("restore: the backup's schema is older: run "
		    "`tcloudctl migrate`\n");
	printf("restore: restart the workers so they read the restored keys\n");
	rc = 0;
out:
	if (m)
		mysql_close(m);
	for (i = 0; i < nkeys; i++)
		free(paths[i]);
	return rc;
}

