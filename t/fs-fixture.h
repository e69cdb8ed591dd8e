/* What the service layer's unit tests (t/unit-fs*.c) share: the test
 * database named by TCLOUD_TEST_DB_* (as unit-db), a scratch data_dir
 * under a random KEK, scratch users and files.  Header-only, as tap.h. */
#ifndef FS_FIXTURE_H
#define FS_FIXTURE_H
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "log.h"
#include "store.h"
#include "app.h"
#include "fs.h"
#include "sql.h"
#include "tap.h"

static struct app app;
static struct db_conf dbc;
static struct blob_kek kek = { 1, { 0 } };
static char dir[64];	/* the scratch data_dir */

static struct db *
test_db(void)
{
	char err[256];
	struct db *db = db_open(&dbc, sql, SQL__MAX, err, sizeof(err));

	if (db == NULL)
		fprintf(stderr, "# db_open: %s\n", err);
	return db;
}

/* Set app up for a test named name: 0 ok; 1 skipped (no database) or
 * bailed out, the test's exit status then being *status. */
static int
fixture_init(const char *name, int *status)
{
	const char *sock = getenv("TCLOUD_TEST_DB_SOCKET");

	*status = 0;
	if (sock == NULL) {
		printf("1..0 # SKIP TCLOUD_TEST_DB_SOCKET not set (no database)\n");
		return 1;
	}
	*status = 1;
	log_init(name, LOG_ERR);
	crypto_init();
	srandom((unsigned)getpid());
	dbc.socket = sock;
	dbc.user = getenv("TCLOUD_TEST_DB_USER");
	dbc.password = getenv("TCLOUD_TEST_DB_PASSWORD");
	dbc.name = getenv("TCLOUD_TEST_DB_NAME");
	snprintf(dir, sizeof(dir), "/tmp/%s.XXXXXX", name);
	if (mkdtemp(dir) == NULL || store_init(dir) == -1)
		return printf("Bail out! data_dir\n"), 1;
	crypto_random(kek.key, sizeof(kek.key));
	app.keyring.keks = &kek;
	app.keyring.n = 1;
	app.keyring.active = 1;
	app.conf.data_dir = dir;
	if ((app.db = test_db()) == NULL)
		return printf("Bail out! no database\n"), 1;
	return 0;
}

/* A fresh user with quota bytes; its id. */
static long long
new_user(long long quota)
{
	char name[32], email[64];

	snprintf(name, sizeof(name), "unitfs%d_%u", (int)getpid(),
	    (unsigned)random() % 100000);
	snprintf(email, sizeof(email), "%s@unit.test", name);
	if (db_exec(app.db, SQL_USER_INSERT, "sssssi", name, email, "x",
	    "user", "active", quota) != 1)
		return 0;
	return db_insert_id(app.db);
}

/* Put len bytes of c as name in folder; the outcome, *out filled. */
static enum fs_err
put(long long uid, long long folder, const char *name, size_t len, int c,
    enum fs_conflict on, struct fs_file *out)
{
	struct fs_commit cm = { folder, name, "text/plain", on };
	struct fs_put *p;
	char buf[4096];
	enum fs_err e;

	memset(buf, c, sizeof(buf));
	if ((e = fs_put_begin(&app, app.conf.max_upload, &p)) != FS_OK)
		return e;
	while (len > 0) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		if ((e = fs_put_write(p, buf, n)) != FS_OK) {
			fs_put_abort(p);
			return e;
		}
		len -= n;
	}
	return fs_put_finish(p, uid, &cm, out);
}

static int
rm_cb(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st; (void)type; (void)f;
	return remove(path);
}

/* Remove user uid with its files and folders (links and shares go with
 * them), close app, remove the data_dir; the TAP exit status. */
static int
fixture_done(long long uid)
{
	char q[128];

	snprintf(q, sizeof(q), "DELETE FROM files WHERE user_id = %lld", uid);
	db_exec_text(app.db, q);
	snprintf(q, sizeof(q), "DELETE FROM folders WHERE user_id = %lld", uid);
	db_exec_text(app.db, q);
	snprintf(q, sizeof(q), "DELETE FROM users WHERE id = %lld", uid);
	ok(db_exec_text(app.db, q) == 0, "scratch user removed");
	db_close(app.db);
	if (app.store)
		app.store->ops->free(app.store);
	nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
#endif
