/* The public-link rules of the service layer (app/fs-links.h) against
 * the test database: one link per object with a stable token, the
 * server's link policy, the download cap counted in fractions of a copy
 * by ranges (and given back when not delivered), expired links refused,
 * the password verdict with the per-link failure limit, link sessions,
 * what a folder link reaches, and its ZIP walk.  Needs
 * TCLOUD_TEST_DB_SOCKET (as unit-db); skipped without a database. */
#include <time.h>

#include "fs-fixture.h"
#include "fs-links.h"

static char client[32];

/* Open the link of token as client with password pw (may be NULL). */
static enum fs_err
visit(const char *token, const char *who, const char *session,
    const char *pw, struct fs_link *l, char **new_session)
{
	struct fs_link_visit v = { who, session, pw, 0, NULL };
	struct fs_link scratch;
	enum fs_err e;

	if (l == NULL)
		l = &scratch;
	e = fs_link_open(&app, token, &v, l);
	if (new_session)
		*new_session = v.new_session;
	else
		free(v.new_session);
	if (e == FS_OK)
		fs_link_free(l);
	return e;
}

/* Take bytes [first, last] of a size-byte file (first < 0: whole). */
static enum fs_err
take(const struct fs_link *l, long long size, long long first,
    long long last, struct fs_link_take *t)
{
	memset(t, 0, sizeof(*t));
	if (first >= 0) {
		t->ranged = 1;
		t->first = (uint64_t)first;
		t->last = (uint64_t)last;
	}
	return fs_link_take(&app, l, size, t);
}

static int
count_dir(void *arg, const char *path)
{
	(void)path;
	((int *)arg)[0]++;
	return 0;
}

static int
count_file(void *arg, const char *dir, const struct fs_file *f)
{
	(void)dir; (void)f;
	((int *)arg)[1]++;
	return 0;
}

int
main(void)
{
	struct fs_link_set set;
	struct fs_link l, m;
	struct fs_link_take t, t2;
	struct fs_folder top, sub, other;
	struct fs_file f, g, h;
	struct fs_zip *z;
	char *token, *sess, q[256], who[64];
	long long uid, lid = 0;
	int existed, i, counts[2] = { 0, 0 };
	enum fs_err e;

	if (fixture_init("unit-fs-links", &i))
		return i;
	crypto_random(app.jwt_key, sizeof(app.jwt_key));
	app.jwt_keylen = sizeof(app.jwt_key);
	app.argon2.t_cost = 1;
	app.argon2.m_kib = 64;
	app.argon2.parallelism = 1;
	app.conf.max_upload = 1 << 20;
	app.conf.max_folder_depth = 5;
	app.conf.max_files_per_user = 50;
	app.conf.max_folders_per_user = 50;
	app.conf.login_max_failures = 3;
	app.conf.login_window = 600;
	app.conf.link_session_lifetime = 3600;
	snprintf(client, sizeof(client), "unit-%d", (int)getpid());
	ok((uid = new_user(1000000)) > 0, "a user");
	ok(put(uid, 0, "hundred.bin", 100, 'x', FS_FAIL, &f) == FS_OK,
	    "a 100-byte file");

	/* One link per object, the same token on update. */
	memset(&set, 0, sizeof(set));
	set.allow = 1;
	set.max = 1;
	is_int(fs_link_get(&app, uid, 0, f.id, &l), FS_LINK_NONE,
	    "no link yet: FS_LINK_NONE");
	ok(fs_link_upsert(&app, uid, 0, f.id, &set, &l, &existed) == FS_OK &&
	    !existed && l.token && l.max == 1 && l.allow, "create a link, "
	    "one download");
	token = strdup(l.token);
	fs_link_free(&l);
	set.has_allow = 1;
	set.allow = 0;
	ok(fs_link_upsert(&app, uid, 0, f.id, &set, &l, &existed) == FS_OK &&
	    existed && strcmp(l.token, token) == 0 && !l.allow && l.max == 1,
	    "a second create updates it, same token, cap kept");
	fs_link_free(&l);
	set.allow = 1;
	ok(fs_link_upsert(&app, uid, 0, f.id, &set, &l, &existed) == FS_OK &&
	    fs_link_get(&app, uid, 0, f.id, &m) == FS_OK &&
	    strcmp(m.token, token) == 0 && m.allow, "get shows it");
	fs_link_free(&m);
	is_int(fs_link_upsert(&app, uid, 0, 999999999, &set, &m, &existed),
	    FS_NOT_FOUND, "a link on no such file: FS_NOT_FOUND");

	/* The cap in fractions of a copy: two halves are one download. */
	ok(visit(token, client, NULL, NULL, &m, NULL) == FS_OK, "it opens");
	lid = l.id;
	is_int(take(&l, 100, 0, 49, &t), FS_OK, "take bytes 0-49");
	is_int(t.units, FS_UNITS_PER_COPY / 2, "half a copy");
	is_int(take(&l, 100, 50, 99, &t2), FS_OK, "take bytes 50-99");
	is_int(fs_link_settle(&app, &l, &t2, 1), 1, "delivered: it stands");
	is_int(take(&l, 100, 0, 0, &t), FS_LINK_GONE,
	    "one more byte past the cap: FS_LINK_GONE");
	is_int(t.units, 0, "and nothing taken");
	is_int(visit(token, client, NULL, NULL, NULL, NULL), FS_LINK_GONE,
	    "a used-up link no longer opens");
	ok(fs_link_get(&app, uid, 0, f.id, &m) == FS_OK && m.downloads == 1,
	    "downloads: 1 whole copy");
	fs_link_free(&m);

	/* A new cap restarts the count; an undelivered take is given back. */
	set.has_max = 1;
	set.max = 1;
	fs_link_free(&l);
	ok(fs_link_upsert(&app, uid, 0, f.id, &set, &l, &existed) == FS_OK &&
	    l.downloads == 0, "a new cap restarts the count");
	ok(take(&l, 100, -1, -1, &t) == FS_OK && t.units == FS_UNITS_PER_COPY,
	    "a whole GET takes a whole copy");
	is_int(fs_link_settle(&app, &l, &t, 0), 0, "not delivered: given back");
	is_int(take(&l, 100, -1, -1, &t), FS_OK, "so another whole GET fits");
	ok(take(&l, 3, 0, 0, &t) == FS_LINK_GONE, "but not one more byte");
	set.max = 2;
	fs_link_free(&l);
	ok(fs_link_upsert(&app, uid, 0, f.id, &set, &l, &existed) == FS_OK &&
	    take(&l, 3, 1, 1, &t) == FS_OK, "a cap of 2, 1 byte of 3 taken");
	is_int(t.units, 333334, "a third of a copy, rounded up");
	ok(take(&l, 0, -1, -1, &t) == FS_OK && t.units == FS_UNITS_PER_COPY,
	    "an empty file costs a whole copy");
	ok(take(&l, -1, -1, -1, &t) == FS_LINK_GONE,
	    "a ZIP (whole) past what is left: FS_LINK_GONE");

	/* Expired links are refused, both to open and to take. */
	snprintf(q, sizeof(q), "UPDATE share_links SET expires_at = "
	    "UTC_TIMESTAMP() - INTERVAL 1 SECOND, max_downloads = NULL "
	    "WHERE id = %lld", l.id);
	ok(db_exec_text(app.db, q) == 0, "the link expires");
	is_int(visit(token, client, NULL, NULL, NULL, NULL), FS_LINK_GONE,
	    "an expired link: FS_LINK_GONE");
	is_int(take(&l, 100, -1, -1, &t), FS_LINK_GONE,
	    "and a download from it is refused");
	is_int(visit("no-such-token", client, NULL, NULL, NULL, NULL),
	    FS_LINK_GONE, "an unknown token: FS_LINK_GONE");
	fs_link_free(&l);

	/* The server's policy. */
	app.conf.link_require_password = 1;
	memset(&set, 0, sizeof(set));
	set.has_max = set.has_expires = 1;
	is_int(fs_link_upsert(&app, uid, 0, f.id, &set, &l, &existed),
	    FS_LINK_PASSWORD_POLICY, "a required password missing");
	app.conf.link_require_password = 0;
	app.conf.link_max_lifetime = 60;
	set.expires = (long long)time(NULL) + 3600;
	is_int(fs_link_upsert(&app, uid, 0, f.id, &set, &l, &existed),
	    FS_LINK_EXPIRY_TOO_FAR, "an expiry past link_max_lifetime");
	set.expires = 0;
	ok(fs_link_upsert(&app, uid, 0, f.id, &set, &l, &existed) == FS_OK &&
	    l.expires > time(NULL) && l.expires <= time(NULL) + 60,
	    "no expiry gets the longest allowed");
	fs_link_free(&l);
	app.conf.link_max_lifetime = 0;

	/* Passwords: a wrong one counts against the link, from anywhere. */
	set.password = "right horse";
	set.expires = 0;
	ok(fs_link_upsert(&app, uid, 0, f.id, &set, &l, &existed) == FS_OK &&
	    l.pwhash != NULL && l.expires == 0, "a password on the link");
	fs_link_free(&l);
	is_int(visit(token, client, NULL, NULL, NULL, NULL),
	    FS_LINK_PASSWORD_REQUIRED, "no password: FS_LINK_PASSWORD_REQUIRED");
	ok(visit(token, client, NULL, "right horse", &l, &sess) == FS_OK &&
	    sess != NULL, "the right one opens it and hands out a session");
	ok(visit(token, client, sess, NULL, &l, NULL) == FS_OK,
	    "the session opens it without the password");
	is_int(visit(token, client, "1.AAAA", NULL, NULL, NULL),
	    FS_LINK_PASSWORD_REQUIRED, "a forged session does not");
	for (i = 0; i < 3; i++) {
		snprintf(who, sizeof(who), "%s-%d", client, i);
		e = visit(token, who, NULL, "wrong", NULL, NULL);
		if (e != FS_LINK_WRONG_PASSWORD)
			break;
	}
	ok(i == 3, "three wrong passwords from three addresses: "
	    "FS_LINK_WRONG_PASSWORD");
	snprintf(who, sizeof(who), "%s-x", client);
	{
		struct fs_link_visit v = { who, NULL, "right horse", 0, NULL };

		is_int(fs_link_open(&app, token, &v, &l), FS_THROTTLED,
		    "then even the right one from a fourth: FS_THROTTLED");
		ok(v.wait > 0 && l.id > 0, "with a wait (%lld s) and the link "
		    "named", v.wait);
	}
	ok(visit(token, client, sess, NULL, &l, NULL) == FS_OK,
	    "a live session still opens it");
	set.password = "new";
	ok(fs_link_upsert(&app, uid, 0, f.id, &set, &l, &existed) == FS_OK,
	    "a new password");
	fs_link_free(&l);
	is_int(visit(token, client, sess, NULL, NULL, NULL),
	    FS_THROTTLED, "voids the old session: back to the (still "
	    "throttled) password check");
	free(sess);

	/* A folder link reaches its tree and nothing else. */
	ok(fs_folder_create(&app, uid, 0, "top", &top) == FS_OK &&
	    fs_folder_create(&app, uid, top.id, "sub", &sub) == FS_OK &&
	    fs_folder_create(&app, uid, 0, "other", &other) == FS_OK &&
	    put(uid, sub.id, "in.txt", 10, 'i', FS_FAIL, &g) == FS_OK &&
	    put(uid, other.id, "out.txt", 10, 'o', FS_FAIL, &h) == FS_OK, "a small tree");
	memset(&set, 0, sizeof(set));
	set.allow = 1;
	ok(fs_link_upsert(&app, uid, 1, top.id, &set, &m, &existed) == FS_OK,
	    "a folder link");
	ok(fs_link_reaches(&app, &m, sub.id) &&
	    !fs_link_reaches(&app, &m, other.id), "it reaches sub, not other");
	ok(fs_link_file(&app, &m, g.id, &f) == FS_OK && f.id == g.id,
	    "a file below it");
	is_int(fs_link_file(&app, &m, h.id, &f), FS_LINK_NOT_IN,
	    "a file outside: FS_LINK_NOT_IN");
	ok(fs_zip_plan(&app, &m, &z) == FS_OK &&
	    strcmp(fs_zip_name(z), "top") == 0, "its ZIP plan");
	ok(fs_zip_walk(z, count_dir, count_file, counts) == FS_OK &&
	    counts[0] == 2 && counts[1] == 1, "walks 2 folders, 1 file");
	fs_zip_free(z);
	/* The listing promises the archive's length (its Content-Length). */
	ok(fs_zip_plan(&app, &m, &z) == FS_OK && fs_zip_size(z) > 10,
	    "the ZIP's length is known before a byte");
	ok(put(uid, sub.id, "late.txt", 10, 'l', FS_FAIL, &f) == FS_OK,
	    "a file added after the listing");
	counts[0] = counts[1] = 0;
	ok(fs_zip_walk(z, count_dir, count_file, counts) == FS_OK &&
	    counts[1] == 1, "  is left out of that ZIP");
	fs_zip_free(z);
	ok(fs_zip_plan(&app, &m, &z) == FS_OK, "listed in the next one");
	is_int(fs_file_delete(&app, uid, f.id), FS_OK, "  then deleted");
	is_int(fs_zip_walk(z, count_dir, count_file, counts), FS_INTERNAL,
	    "  a listed file gone: the walk stops (the length would lie)");
	fs_zip_free(z);
	is_int(fs_link_delete(&app, uid, 1, top.id), FS_OK, "revoke it");
	is_int(fs_link_delete(&app, uid, 1, top.id), FS_NOT_FOUND,
	    "twice: FS_NOT_FOUND");
	fs_link_free(&m);

	snprintf(q, sizeof(q), "DELETE FROM auth_failures WHERE subject LIKE "
	    "'%s%%' OR (kind = 'link_id' AND "
	    "subject = '%lld')", client, lid);
	db_exec_text(app.db, q);
	free(token);
	return fixture_done(uid);
}
