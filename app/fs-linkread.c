/* Public links, the visitor's side: the token is the credential, a
 * password (when set) is checked once and then carried as a signed link
 * session, and every download is paid for before it is sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b64.h"
#include "crypto.h"
#include "log.h"
#include "app.h"
#include "acct.h"
#include "fs.h"
#include "fs-links.h"
#include "sql.h"

#define LINK_PW_MAX	1024

/* The session's MAC binds the link, the expiry and the password hash,
 * so a new password (or a new link) voids every session. */
static char *
session_mac(struct app *a, long long link_id, long long exp,
    const char *pwhash)
{
	unsigned char mac[32];
	char *msg, *b;

	msg = xasprintf("tcloud link-session v1|%lld|%lld|%s", link_id, exp,
	    pwhash);
	crypto_hmac_sha256(a->jwt_key, a->jwt_keylen, msg, strlen(msg), mac);
	free(msg);
	b = b64_encode(mac, sizeof(mac), B64_URL);
	explicit_bzero(mac, sizeof(mac));
	return b;
}

char *
fs_link_session(struct app *a, const struct fs_link *l)
{
	long long exp = (long long)time(NULL) + a->conf.link_session_lifetime;
	char *mac = session_mac(a, l->id, exp, l->pwhash), *v;

	v = xasprintf("%lld.%s", exp, mac);
	free(mac);
	return v;
}

/* Is v ("exp.mac") a live session for l's password? */
static int
session_valid(struct app *a, const struct fs_link *l, const char *v)
{
	long long exp, now = (long long)time(NULL);
	const char *dot;
	char *mac;
	int ok;

	if (v == NULL || (dot = strchr(v, '.')) == NULL || dot - v > 12 ||
	    dot == v || strspn(v, "0123456789") != (size_t)(dot - v))
		return 0;
	exp = strtoll(v, NULL, 10);
	if (exp <= now || exp > now + a->conf.link_session_lifetime)
		return 0;
	mac = session_mac(a, l->id, exp, l->pwhash);
	ok = strlen(dot + 1) == strlen(mac) &&
	    crypto_ct_eq(dot + 1, mac, strlen(mac));
	free(mac);
	return ok;
}

/* The password verdict for a link that has one. */
static enum fs_err
check_password(struct app *a, const struct fs_link *l,
    struct fs_link_visit *v)
{
	const char *pw = v->password;
	char lid[24];

	snprintf(lid, sizeof(lid), "%lld", l->id);
	if ((v->wait = acct_login_throttled(a, "link_id", lid)) > 0)
		return FS_THROTTLED;
	if (pw == NULL || *pw == '\0')
		return FS_LINK_PASSWORD_REQUIRED;
	if (strlen(pw) > LINK_PW_MAX ||
	    crypto_password_verify(l->pwhash, pw, strlen(pw)) != 1) {
		/* Per client and per link: many addresses guessing one
		 * link's password are slowed down too. */
		acct_fail(a, "link", v->client);
		acct_fail(a, "link_id", lid);
		return FS_LINK_WRONG_PASSWORD;
	}
	v->new_session = fs_link_session(a, l);
	return FS_OK;
}

enum fs_err
fs_link_open(struct app *a, const char *token, struct fs_link_visit *v,
    struct fs_link *l)
{
	unsigned char hash[32];
	struct db_res *res;
	enum fs_err e = FS_OK;

	memset(l, 0, sizeof(*l));
	v->new_session = NULL;
	if ((v->wait = acct_login_throttled(a, "link", v->client)) > 0)
		return FS_THROTTLED;
	crypto_sha256(token, strlen(token), hash);
	if ((res = db_query(a->db, SQL_LINK_BY_TOKEN, "b", hash,
	    sizeof(hash))) == NULL)
		return fs_db_fail(a);
	/* Unknown, revoked, expired and used-up links look alike. */
	if (db_rows(res) == 0 || db_int(res, 0, L_LIVE) == 0) {
		if (db_rows(res) == 0)
			acct_fail(a, "link", v->client);
		db_res_free(res);
		return FS_LINK_GONE;
	}
	fs_link_from_row(res, l);
	db_res_free(res);
	if (l->pwhash && !session_valid(a, l, v->session) &&
	    (e = check_password(a, l, v)) != FS_OK)
		fs_link_free(l);	/* l->id stays, for the throttle */
	return e;
}

int
fs_link_reaches(struct app *a, const struct fs_link *l, long long folder)
{
	struct db_res *res;
	long long n;

	if (folder == l->folder)
		return 1;
	/* A failed or cut walk is "outside": the link never reaches more. */
	res = db_query(a->db, SQL_FOLDER_IS_BELOW, "ii", folder, l->folder);
	n = db_rows(res) ? db_int(res, 0, 0) : 0;
	db_res_free(res);
	return n > 0;
}

enum fs_err
fs_link_file(struct app *a, const struct fs_link *l, long long id,
    struct fs_file *out)
{
	struct db_res *res;
	enum fs_err e = FS_OK;

	if (id && l->folder == 0)
		return FS_LINK_NOT_IN;
	if ((res = db_query(a->db, id ? SQL_FILE_IN_FOLDER : SQL_FILE_GET,
	    "ii", id ? id : l->file, l->owner)) == NULL)
		return fs_db_fail(a);
	if (db_rows(res) == 0 ||
	    (id && !fs_link_reaches(a, l, db_int(res, 0, F_FOLDER))))
		e = FS_LINK_NOT_IN;
	else if (db_len(res, 0, F_BLOB) != 16) {
		log_err("file %lld: no blob id", db_int(res, 0, F_ID));
		e = FS_INTERNAL;
	} else
		fs_file_from_row(res, 0, out);
	db_res_free(res);
	return e;
}

enum fs_err
fs_link_folder(struct app *a, const struct fs_link *l, long long folder,
    struct fs_folder *out, struct db_res **folders, struct db_res **files)
{
	*folders = *files = NULL;
	if (folder && !fs_link_reaches(a, l, folder))
		return FS_LINK_NOT_IN;
	if (folder == 0)
		folder = l->folder;
	if (fs_folder_get(a, l->owner, folder, out) != FS_OK)
		return FS_LINK_CONTENT_GONE;
	/* A failed list shows as empty, as a page of a link always has. */
	*folders = db_query(a->db, SQL_FOLDER_LIST_ALL, "ii", l->owner, folder);
	*files = db_query(a->db, SQL_FILE_LIST, "iiii", l->owner, folder,
	    1000LL, 0LL);
	return FS_OK;
}

enum fs_err
fs_link_take(struct app *a, const struct fs_link *l, long long size,
    struct fs_link_take *t)
{
	long long n;

	t->units = FS_UNITS_PER_COPY;
	if (t->ranged && size > 0)
		t->units = (long long)(((unsigned __int128)(t->last - t->first +
		    1) * FS_UNITS_PER_COPY + (uint64_t)size - 1) /
		    (uint64_t)size);
	else
		t->ranged = 0;
	/* Atomic: only if the cap still has room and the link is live. */
	n = db_exec(a->db, SQL_LINK_TAKE_DOWNLOAD, "iii", t->units, l->id,
	    t->units);
	if (n > 0)
		return FS_OK;
	t->units = 0;
	return n == 0 ? FS_LINK_GONE : fs_db_fail(a);
}

int
fs_link_settle(struct app *a, const struct fs_link *l,
    struct fs_link_take *t, int delivered)
{
	if (t->units == 0)
		return 0;
	if (delivered)
		return 1;
	db_exec(a->db, SQL_LINK_GIVE_BACK, "ii", t->units, l->id);
	t->units = 0;
	return 0;
}
