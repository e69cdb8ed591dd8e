/* tcloudctl restore DIR [--force] (SPEC §8): a backup (ctl-backup.h)
 * into an empty install, or over one with --force.  The blobs go in
 * first, then the database is replaced, then the key files, so the rows
 * never name a blob that is not there. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mysql.h>

#include "store.h"
#include "xmalloc.h"
#include "app.h"
#include "ctl.h"
#include "ctl-backup.h"
#include "migrations.h"

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

/* The dump's last line (ctl-backup.c writes it after every table): a
 * db.sql without it was cut short, and is refused before anything is
 * written, since load_sql drops every table first. */
#define DUMP_END	"SET UNIQUE_CHECKS = 1;\n"

static int
dump_complete(const char *dir)
{
	char *path = xasprintf("%s/db.sql", dir), tail[sizeof(DUMP_END)];
	size_t n = sizeof(DUMP_END) - 1;
	int ok = 0;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		bk_err("open", path);
	else {
		ok = fseek(f, -(long)n, SEEK_END) == 0 &&
		    fread(tail, 1, n, f) == n && memcmp(tail, DUMP_END, n) == 0;
		fclose(f);
		if (!ok)
			fprintf(stderr, "tcloudctl: restore: %s is truncated "
			    "(it does not end as a dump ends)\n", path);
	}
	free(path);
	return ok ? 0 : -1;
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
	    (tables = bk_tables(m)) == NULL)
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
	bk_free_list(tables);
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
	if (read_manifest(dir, &mf) == -1 || dump_complete(dir) == -1)
		return 1;
	if (nmigrations && mf.schema > migrations[nmigrations - 1].version) {
		fprintf(stderr, "tcloudctl: restore: the backup has schema %d, "
		    "newer than this tcloudctl knows; use a newer tcloudctl\n",
		    mf.schema);
		return 1;
	}
	/* Every key of the backup needs a place in tcloud.conf: checked
	 * before anything is written. */
	nkeys = bk_keys(a, ids, paths);
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
	/* And every key file the manifest names is in the backup: else the
	 * rows and blobs would be restored under keys that are not. */
	for (k = 0; k <= mf.nkeys; k++) {
		name = bk_key_name(k < mf.nkeys ? mf.keys[k] : 0);
		src = xasprintf("%s/keys/%s", dir, name);
		free(name);
		j = stat(src, &st);
		if (j == -1 || !S_ISREG(st.st_mode))
			fprintf(stderr, "tcloudctl: restore: %s: %s (not a "
			    "complete backup)\n", src, j == -1 ?
			    strerror(errno) : "not a regular file");
		free(src);
		if (j == -1 || !S_ISREG(st.st_mode))
			goto out;
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
	/* Counted before any is copied: a backup short of blobs leaves the
	 * install as it was (and an empty one empty, for the next try). */
	blobs = 0;
	if (store_walk_blobs(dir, count_blob, &blobs) == -1 ||
	    blobs != mf.blobs) {
		fprintf(stderr, "tcloudctl: restore: %lld blobs in %s, the "
		    "manifest says %lld\n", blobs, dir, mf.blobs);
		goto out;
	}
	if (store_walk_blobs(dir, put_blob, &p) == -1 || p.failed)
		goto out;
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
		name = bk_key_name(ids[i]);
		src = xasprintf("%s/keys/%s", dir, name);
		free(name);
		if (stat(paths[i], &st) == -1) {
			st.st_uid = p.own.uid;
			st.st_gid = p.own.gid;
		}
		j = bk_copy_secret(src, paths[i], geteuid() == 0 ? st.st_uid :
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

