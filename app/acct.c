/* Users: the failure throttle, register, login, password change and
 * token revocation (SPEC §3).  The routes in route-auth.c parse the
 * JSON, write the audit rows and render the outcomes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "jwt.h"
#include "log.h"
#include "names.h"
#include "app.h"
#include "acct.h"
#include "sql.h"

void
acct_user_from_row(const struct db_res *res, size_t i, struct acct_user *u)
{
	u->id = db_int(res, i, U_ID);
	db_copy(res, i, U_USERNAME, u->username, sizeof(u->username));
	db_copy(res, i, U_EMAIL, u->email, sizeof(u->email));
	db_copy(res, i, U_ROLE, u->role, sizeof(u->role));
	db_copy(res, i, U_STATUS, u->status, sizeof(u->status));
	u->quota = db_int(res, i, U_QUOTA);
	u->used = db_int(res, i, U_USED);
	db_copy(res, i, U_CREATED, u->created, sizeof(u->created));
	db_copy(res, i, U_LAST_LOGIN, u->last_login, sizeof(u->last_login));
	u->tokens_after = db_int(res, i, U_TOKENS_AFTER);
}

long long
acct_throttled(struct app *a, const char *kind, const char *subject,
    long long max, long long window)
{
	long long wait;
	struct db_res *res;

	res = db_query(a->db, SQL_FAIL_COUNT, "issi", window, kind, subject,
	    window);
	if (res == NULL)
		return 0;	/* fail open on a DB hiccup: the hash still runs */
	if (db_int(res, 0, 0) < max) {
		db_res_free(res);
		return 0;
	}
	wait = db_int(res, 0, 1);
	db_res_free(res);
	return wait > 0 ? wait : 1;
}

void
acct_fail(struct app *a, const char *kind, const char *subject)
{
	if (db_exec(a->db, SQL_FAIL_INSERT, "ss", kind, subject) == -1)
		log_err("could not record a failed attempt");
}

long long
acct_login_throttled(struct app *a, const char *kind, const char *subject)
{
	return acct_throttled(a, kind, subject, a->conf.login_max_failures,
	    a->conf.login_window);
}

static int
password_ok(const char *pw)
{
	size_t n = strlen(pw);

	return n >= ACCT_PW_MIN && n <= ACCT_PW_MAX;
}

/* 1 when statement st (one string parameter) finds a row, 0 none, -1 a
 * failed query. */
static int
exists(struct app *a, enum stmt st, const char *s)
{
	struct db_res *res;
	int n;

	if ((res = db_query(a->db, st, "s", s)) == NULL)
		return -1;
	n = db_rows(res) > 0;
	db_res_free(res);
	return n;
}

enum fs_err
acct_register(struct app *a, const char *user, const char *email,
    const char *pw, const char *client, long long *wait, long long *id)
{
	char *hash;
	long long n;
	int taken;

	if (!username_valid(user))
		return FS_BAD_USERNAME;
	if (!email_valid(email))
		return FS_BAD_EMAIL;
	if (!password_ok(pw))
		return FS_BAD_PASSWORD;
	/* Each registration costs a hash and a row: so many per client
	 * address and window (SPEC §3). */
	if ((*wait = acct_throttled(a, "register", client, a->conf.register_max,
	    a->conf.register_window)) > 0)
		return FS_THROTTLED;
	/* Friendly codes for the common case; the unique keys decide races. */
	if ((taken = exists(a, SQL_USER_EXISTS_NAME, user)) != 0)
		return taken < 0 ? fs_db_fail(a) : FS_USERNAME_TAKEN;
	if ((taken = exists(a, SQL_USER_EXISTS_EMAIL, email)) != 0)
		return taken < 0 ? fs_db_fail(a) : FS_EMAIL_TAKEN;
	if ((hash = crypto_password_hash(pw, strlen(pw), &a->argon2)) == NULL)
		return FS_INTERNAL;
	n = db_exec(a->db, SQL_USER_INSERT, "sssssi", user, email, hash,
	    "user", "pending", a->conf.default_quota);
	free(hash);
	if (n == -1)
		return db_err(a->db) == DB_DUPLICATE ? FS_ACCOUNT_TAKEN :
		    fs_db_fail(a);
	*id = db_insert_id(a->db);
	acct_fail(a, "register", client);
	return FS_OK;
}

enum fs_err
acct_login(struct app *a, const char *user, const char *pw,
    const char *client, struct acct_login *out)
{
	struct db_res *res = NULL;
	const char *stored;
	char *rehash;
	size_t n = strlen(user);
	int match;

	memset(out, 0, sizeof(*out));
	/* Usernames compare case-insensitively: so does their counter.  At
	 * most 32 bytes, cut between characters (as name_with_suffix cuts):
	 * the subject and the audit's copy of it are utf8mb4 columns, which
	 * refuse a broken one. */
	if (n > 32) {
		n = 32;
		while (n > 0 && ((unsigned char)user[n] & 0xc0) == 0x80)
			n--;
	}
	snprintf(out->subject, sizeof(out->subject), "%.*s", (int)n, user);
	for (char *p = out->subject; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	/* Check the limits before hashing: each hash costs ~20 MiB. */
	if ((out->wait = acct_login_throttled(a, "ip", client)) > 0 ||
	    (out->wait = acct_login_throttled(a, "user", out->subject)) > 0)
		return FS_THROTTLED;
	/* A name that cannot exist is not looked up (the column is ASCII):
	 * it verifies against the dummy hash like any unknown user. */
	if (!username_valid(user) || strlen(pw) > ACCT_PW_MAX)
		stored = a->dummy_hash;
	else {
		if ((res = db_query(a->db, SQL_USER_LOGIN, "s", user)) == NULL)
			return fs_db_fail(a);
		stored = db_rows(res) ? db_str(res, 0, U_HASH) : a->dummy_hash;
	}
	/* Unknown users verify against a dummy hash: same time either way. */
	match = crypto_password_verify(stored, pw, strlen(pw)) == 1 &&
	    stored != a->dummy_hash;
	if (!match) {
		db_res_free(res);
		acct_fail(a, "ip", client);
		acct_fail(a, "user", out->subject);
		return FS_BAD_CREDENTIALS;
	}
	acct_user_from_row(res, 0, &out->user);
	if (strcmp(out->user.status, "active") != 0) {
		db_res_free(res);
		return strcmp(out->user.status, "pending") == 0 ? FS_PENDING :
		    FS_SUSPENDED;
	}
	if (crypto_password_needs_rehash(stored, &a->argon2) == 1 &&
	    (rehash = crypto_password_hash(pw, strlen(pw), &a->argon2))) {
		db_exec(a->db, SQL_USER_SET_HASH, "si", rehash, out->user.id);
		free(rehash);
	}
	db_res_free(res);
	db_exec(a->db, SQL_FAIL_CLEAR, "ss", "user", out->subject);
	db_exec(a->db, SQL_USER_SET_LOGIN, "i", out->user.id);
	/* A token issued right after a password change must post-date it. */
	if ((out->token = auth_issue_token(a, out->user.id,
	    out->user.tokens_after, &out->exp)) == NULL)
		return FS_INTERNAL;
	return FS_OK;
}

enum fs_err
acct_password(struct app *a, long long uid, const char *client,
    const char *cur, const char *new, long long *wait)
{
	struct db_res *res;
	char *hash, subject[24];
	int match;

	if (!password_ok(new))
		return FS_BAD_PASSWORD;
	/* Guessing the current password with a stolen session is limited
	 * like logins: per account and per client address, before hashing. */
	snprintf(subject, sizeof(subject), "%lld", uid);
	if ((*wait = acct_login_throttled(a, "ip", client)) > 0 ||
	    (*wait = acct_login_throttled(a, "password", subject)) > 0)
		return FS_THROTTLED;
	if ((res = db_query(a->db, SQL_USER_BY_ID, "i", uid)) == NULL)
		return fs_db_fail(a);
	match = db_rows(res) && strlen(cur) <= ACCT_PW_MAX &&
	    crypto_password_verify(db_str(res, 0, U_HASH), cur, strlen(cur)) == 1;
	db_res_free(res);
	if (!match) {
		acct_fail(a, "ip", client);
		acct_fail(a, "password", subject);
		return FS_WRONG_PASSWORD;
	}
	db_exec(a->db, SQL_FAIL_CLEAR, "ss", "password", subject);
	if ((hash = crypto_password_hash(new, strlen(new), &a->argon2)) == NULL)
		return FS_INTERNAL;
	if (db_exec(a->db, SQL_USER_SET_PASSWORD, "si", hash, uid) == -1) {
		free(hash);
		return fs_db_fail(a);
	}
	free(hash);
	return FS_OK;
}

enum fs_err
acct_revoke(struct app *a, const char *jti, long long exp)
{
	char tbuf[20];

	db_exec(a->db, SQL_TOKEN_PURGE, "");
	/* Denied until jwt_verify would refuse it anyway: exp + leeway. */
	if (db_exec(a->db, SQL_TOKEN_REVOKE, "ss", jti,
	    time_sql(exp + JWT_LEEWAY, tbuf)) == -1)
		return fs_db_fail(a);
	return FS_OK;
}
