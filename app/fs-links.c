/* Public links, the owner's side: one link per file or folder; a second
 * create updates it and keeps its token.  The token is stored as a hash
 * (for lookups) and sealed under the active KEK (to show it again), never
 * in plaintext (SPEC §5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b64.h"
#include "crypto.h"
#include "log.h"
#include "app.h"
#include "fs.h"
#include "fs-links.h"
#include "sql.h"

void
fs_link_free(struct fs_link *l)
{
	if (l->token)
		explicit_bzero(l->token, strlen(l->token));
	free(l->token);
	free(l->pwhash);
	l->token = l->pwhash = NULL;
}

void
fs_link_from_row(const struct db_res *res, struct fs_link *l)
{
	memset(l, 0, sizeof(*l));
	l->id = db_int(res, 0, L_ID);
	l->owner = db_int(res, 0, L_OWNER);
	l->file = db_int(res, 0, L_FILE);
	l->folder = db_int(res, 0, L_FOLDER);
	l->allow = db_int(res, 0, L_ALLOW) != 0;
	if (!db_null(res, 0, L_EXPIRES))
		time_parse(db_str(res, 0, L_EXPIRES), &l->expires);
	l->max = db_int(res, 0, L_MAX);
	l->downloads = db_int(res, 0, L_DOWNLOADS);
	if (!db_null(res, 0, L_PWHASH))
		l->pwhash = xstrdup(db_str(res, 0, L_PWHASH));
}

/* The token sealed in row 0: FS_INTERNAL (logged) if no KEK opens it. */
static enum fs_err
open_token(struct app *a, const struct db_res *res, struct fs_link *l)
{
	uint32_t kek;

	l->token = app_open_token(a, (const unsigned char *)db_str(res, 0,
	    L_ENC), db_len(res, 0, L_ENC), &kek);
	if (l->token == NULL) {
		log_err("link %lld: token does not open", l->id);
		return FS_INTERNAL;
	}
	return FS_OK;
}

/* The server-wide policy (tcloud.conf) on the final settings; a link
 * without an expiry gets the longest allowed. */
static enum fs_err
check_policy(struct app *a, struct fs_link *l)
{
	const struct conf *c = &a->conf;
	long long maxt = c->link_max_lifetime ?
	    (long long)time(NULL) + c->link_max_lifetime : 0;

	if (c->link_require_password && l->pwhash == NULL)
		return FS_LINK_PASSWORD_POLICY;
	if (maxt && l->expires == 0)
		l->expires = maxt;
	if (maxt && l->expires > maxt)
		return FS_LINK_EXPIRY_TOO_FAR;
	return FS_OK;
}

struct upsert {
	long long		 uid, id;
	int			 is_folder;
	const struct fs_link_set *s;
	const char		*pwhash;	/* a new password's, or NULL */
	struct fs_link		*l;
	int			 existed;
};

/* Start from the stored settings; s changes what it names. */
static enum fs_err
upsert_tx(struct app *a, void *arg)
{
	struct upsert *u = arg;
	const struct fs_link_set *s = u->s;
	struct fs_link *l = u->l;
	struct db_res *res;
	unsigned char raw[32], hash[32], *enc = NULL;
	size_t enclen;
	char tbuf[20];
	enum fs_err e;

	fs_link_free(l);	/* a previous attempt's */
	if ((res = db_query(a->db, SQL_LINK_BY_OBJECT, "iii", u->uid,
	    u->is_folder ? 0 : u->id, u->is_folder ? u->id : 0)) == NULL)
		return fs_db_fail(a);
	if ((u->existed = db_rows(res) > 0))
		fs_link_from_row(res, l);
	else {
		memset(l, 0, sizeof(*l));
		l->owner = u->uid;
		l->file = u->is_folder ? 0 : u->id;
		l->folder = u->is_folder ? u->id : 0;
	}
	if (s->has_allow || !u->existed)
		l->allow = s->allow;
	if (s->has_expires || !u->existed)
		l->expires = s->expires;
	if (s->has_max || !u->existed) {
		l->max = s->max;
		l->downloads = 0;	/* a new cap restarts the count */
	}
	if (s->password) {
		free(l->pwhash);
		l->pwhash = u->pwhash ? xstrdup(u->pwhash) : NULL;
	}
	if ((e = check_policy(a, l)) != FS_OK)
		goto out;
	if (u->existed) {
		if ((e = open_token(a, res, l)) != FS_OK)
			goto out;
		if (db_exec(a->db, SQL_LINK_UPDATE, "issniii",
		    (long long)l->allow, time_sql(l->expires, tbuf), l->pwhash,
		    l->max, (long long)s->has_max, (long long)s->has_max,
		    l->id) == -1)
			e = fs_db_fail(a);
		goto out;
	}
	crypto_random(raw, sizeof(raw));
	l->token = b64_encode(raw, sizeof(raw), B64_URL);
	explicit_bzero(raw, sizeof(raw));
	crypto_sha256(l->token, strlen(l->token), hash);
	if (app_seal_token(a, l->token, &enc, &enclen) == -1)
		e = FS_INTERNAL;
	else if (db_exec(a->db, SQL_LINK_INSERT, "innbbissn", u->uid,
	    l->file, l->folder, hash, sizeof(hash), enc, enclen,
	    (long long)l->allow, time_sql(l->expires, tbuf), l->pwhash,
	    l->max) == -1)
		e = fs_db_fail(a);
	else
		l->id = db_insert_id(a->db);
	free(enc);
out:
	db_res_free(res);
	return e;
}

enum fs_err
fs_link_upsert(struct app *a, long long uid, int is_folder, long long id,
    const struct fs_link_set *s, struct fs_link *out, int *existed)
{
	struct upsert u = { uid, id, is_folder, s, NULL, out, 0 };
	char *pwhash = NULL;
	enum fs_err e;

	memset(out, 0, sizeof(*out));
	if ((e = is_folder ? fs_folder_get(a, uid, id, NULL) :
	    fs_file_get(a, uid, id, NULL)) != FS_OK)
		return e;
	/* Hashed outside the transaction: Argon2 is slow by design. */
	if (s->password && *s->password &&
	    (pwhash = crypto_password_hash(s->password, strlen(s->password),
	    &a->argon2)) == NULL)
		return FS_INTERNAL;
	u.pwhash = pwhash;
	/* A racing create of the same link: the next attempt updates it. */
	e = fs_tx(a, DB_TX_RETRY_DUP, upsert_tx, &u);
	free(pwhash);
	*existed = u.existed;
	if (e != FS_OK)
		fs_link_free(out);
	return e;
}

enum fs_err
fs_link_get(struct app *a, long long uid, int is_folder, long long id,
    struct fs_link *out)
{
	struct db_res *res;
	enum fs_err e = FS_LINK_NONE;

	memset(out, 0, sizeof(*out));
	if ((res = db_query(a->db, SQL_LINK_OF_OBJECT, "iii", uid,
	    is_folder ? 0 : id, is_folder ? id : 0)) == NULL)
		return fs_db_fail(a);
	if (db_rows(res) > 0) {
		fs_link_from_row(res, out);
		if ((e = open_token(a, res, out)) != FS_OK)
			fs_link_free(out);
	}
	db_res_free(res);
	return e;
}

enum fs_err
fs_link_delete(struct app *a, long long uid, int is_folder, long long id)
{
	long long n;

	if ((n = db_exec(a->db, SQL_LINK_DELETE_OBJECT, "iii", uid,
	    is_folder ? 0 : id, is_folder ? id : 0)) == -1)
		return fs_db_fail(a);
	return n ? FS_OK : FS_NOT_FOUND;
}
