/* Auth routes (SPEC §4 Auth): register, login, me, logout, password. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "json.h"
#include "jwt.h"
#include "log.h"
#include "names.h"
#include "app.h"
#include "sql.h"

#define PW_MIN	8
#define PW_MAX	1024

static int
check_password(struct req *r, const char *field, const char *pw)
{
	size_t n = strlen(pw);

	if (n < PW_MIN || n > PW_MAX)
		return reply_error(r, 400, "invalid_password",
		    "The field '%s' must be %d to %d bytes long.", field,
		    PW_MIN, PW_MAX);
	return 0;
}

static int
too_many(struct req *r, long long wait, const char *what, const char *subject)
{
	json_object *d = json_object_new_object();

	json_add_str(d, "subject", subject);
	audit_as(r, 0, NULL, "rate_limited", what, 0, d);
	http_set_header(r->http, "Retry-After", "%lld", wait);
	return reply_error(r, 429, "rate_limited",
	    "Too many failed attempts. Try again in %lld seconds.", wait);
}

/* POST /api/auth/register {username, email, password} -> 201 | 400 | 409 */
static int
auth_register(struct req *r)
{
	struct app *a = r->app;
	const char *user, *email, *pw;
	struct json_err e;
	struct db_res *res;
	json_object *o;
	char *hash;
	size_t taken;
	long long n, wait;

	if (json_get_string(r->body, "username", 1, &user, &e) < 0 ||
	    json_get_string(r->body, "email", 1, &email, &e) < 0 ||
	    json_get_string(r->body, "password", 1, &pw, &e) < 0)
		return reply_invalid(r, &e);
	if (!username_valid(user))
		return reply_error(r, 400, "invalid_username", "A username is "
		    "3 to 32 characters of letters, digits, '_', '.' and '-'.");
	if (!email_valid(email))
		return reply_error(r, 400, "invalid_email",
		    "That is not an email address.");
	if (check_password(r, "password", pw))
		return 400;
	/* Each registration costs a hash and a row: so many per client
	 * address and window (SPEC §3). */
	if ((wait = auth_throttled_n(r, "register", r->ipkey,
	    a->conf.register_max, a->conf.register_window)) > 0)
		return too_many(r, wait, "register", r->ipkey);
	/* Friendly codes for the common case; the unique keys decide races. */
	if ((res = db_query(a->db, SQL_USER_EXISTS_NAME, "s", user)) == NULL)
		return reply_internal(r);
	taken = db_rows(res);
	db_res_free(res);
	if (taken)
		return reply_error(r, 409, "username_taken",
		    "That username is taken.");
	if ((res = db_query(a->db, SQL_USER_EXISTS_EMAIL, "s", email)) == NULL)
		return reply_internal(r);
	taken = db_rows(res);
	db_res_free(res);
	if (taken)
		return reply_error(r, 409, "email_taken",
		    "That email address is already registered.");
	if ((hash = crypto_password_hash(pw, strlen(pw), &a->argon2)) == NULL)
		return reply_internal(r);
	n = db_exec(a->db, SQL_USER_INSERT, "sssssi", user, email, hash,
	    "user", "pending", a->conf.default_quota);
	free(hash);
	if (n == -1 && db_err(a->db) == DB_DUPLICATE)
		return reply_error(r, 409, "username_taken",
		    "That username or email address is taken.");
	if (n == -1)
		return reply_internal(r);
	n = db_insert_id(a->db);
	auth_fail(r, "register", r->ipkey);
	o = json_object_new_object();
	json_add_str(o, "username", user);
	audit_as(r, n, user, "register", "user", n, o);
	o = json_object_new_object();
	json_add_str(o, "message", "Registered. Awaiting admin approval.");
	return reply_json(r, 201, o);
}

/* POST /api/auth/login {username, password} -> 200 {token, user} | 401 |
 * 403 | 429 */
static int
auth_login(struct req *r)
{
	struct app *a = r->app;
	const char *user, *pw, *stored, *status;
	char subject[64];
	struct json_err e;
	struct db_res *res;
	json_object *o, *u;
	long long wait, uid = 0, exp;
	char *token, *rehash;
	int match;

	if (json_get_string(r->body, "username", 1, &user, &e) < 0 ||
	    json_get_string(r->body, "password", 1, &pw, &e) < 0)
		return reply_invalid(r, &e);
	/* Usernames compare case-insensitively: so does their counter. */
	snprintf(subject, sizeof(subject), "%.32s", user);
	for (char *p = subject; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	/* Check the limits before hashing: each hash costs ~20 MiB. */
	if ((wait = auth_throttled(r, "ip", r->ipkey)) > 0 ||
	    (wait = auth_throttled(r, "user", subject)) > 0)
		return too_many(r, wait, "login", subject);
	/* A name that cannot exist is not looked up (the column is ASCII):
	 * it verifies against the dummy hash like any unknown user. */
	if (!username_valid(user) || strlen(pw) > PW_MAX)
		res = NULL, stored = a->dummy_hash;
	else {
		if ((res = db_query(a->db, SQL_USER_LOGIN, "s", user)) == NULL)
			return reply_internal(r);
		stored = db_rows(res) ? db_str(res, 0, U_HASH) : a->dummy_hash;
	}
	/* Unknown users verify against a dummy hash: same time either way. */
	match = crypto_password_verify(stored, pw, strlen(pw)) == 1 &&
	    stored != a->dummy_hash;
	if (!match) {
		db_res_free(res);
		auth_fail(r, "ip", r->ipkey);
		auth_fail(r, "user", subject);
		o = json_object_new_object();
		json_add_str(o, "username", subject);
		audit_as(r, 0, NULL, "login_failed", "user", 0, o);
		return reply_error(r, 401, "invalid_credentials",
		    "Wrong username or password.");
	}
	uid = db_int(res, 0, U_ID);
	status = db_str(res, 0, U_STATUS);
	if (strcmp(status, "active") != 0) {
		int pending = strcmp(status, "pending") == 0;

		db_res_free(res);
		return reply_error(r, 403, pending ? "account_pending" :
		    "account_suspended", pending ? "This account is awaiting "
		    "approval by an administrator." : "This account is suspended.");
	}
	if (crypto_password_needs_rehash(stored, &a->argon2) == 1 &&
	    (rehash = crypto_password_hash(pw, strlen(pw), &a->argon2))) {
		db_exec(a->db, SQL_USER_SET_HASH, "si", rehash, uid);
		free(rehash);
	}
	db_exec(a->db, SQL_FAIL_CLEAR, "ss", "user", subject);
	db_exec(a->db, SQL_USER_SET_LOGIN, "i", uid);
	/* A token issued right after a password change must post-date it. */
	if ((token = auth_issue_token(a, uid, db_int(res, 0, U_TOKENS_AFTER),
	    &exp)) == NULL) {
		db_res_free(res);
		return reply_internal(r);
	}
	u = json_object_new_object();
	json_add_int(u, "id", uid);
	json_add_str(u, "username", db_str(res, 0, U_USERNAME));
	json_add_str(u, "role", db_str(res, 0, U_ROLE));
	json_add_int(u, "quota_bytes", db_int(res, 0, U_QUOTA));
	audit_as(r, uid, db_str(res, 0, U_USERNAME), "login", "user", uid, NULL);
	db_res_free(res);
	o = json_object_new_object();
	json_add_str(o, "token", token);
	json_object_object_add(o, "user", u);
	free(token);
	return reply_json(r, 200, o);
}

/* GET /api/auth/me -> 200 {id, username, email, role, quota_bytes,
 * used_bytes} */
static int
auth_me(struct req *r)
{
	json_object *o = json_object_new_object();

	json_add_int(o, "id", r->user.id);
	json_add_str(o, "username", r->user.username);
	json_add_str(o, "email", r->user.email);
	json_add_str(o, "role", r->user.admin ? "admin" : "user");
	json_add_int(o, "quota_bytes", r->user.quota_bytes);
	json_add_int(o, "used_bytes", r->user.used_bytes);
	return reply_json(r, 200, o);
}

/* POST /api/auth/logout -> 200 {ok} (the presented token dies) */
static int
auth_logout(struct req *r)
{
	char tbuf[20];

	if (r->user.jti[0] == '\0')
		return reply_error(r, 400, "not_a_token", "Log out ends a "
		    "Bearer token; revoke an API key with DELETE /api/apikeys/{id}.");
	db_exec(r->app->db, SQL_TOKEN_PURGE, "");
	/* Denied until jwt_verify would refuse it anyway: exp + leeway. */
	if (db_exec(r->app->db, SQL_TOKEN_REVOKE, "ss", r->user.jti,
	    time_sql(r->user.token_exp + JWT_LEEWAY, tbuf)) == -1)
		return reply_internal(r);
	audit(r, "logout", "user", r->user.id, NULL);
	return reply_ok(r);
}

/* POST /api/auth/password {current_password, new_password} -> 200 {ok} |
 * 400 | 403 */
static int
auth_password(struct req *r)
{
	struct app *a = r->app;
	const char *cur, *new;
	struct json_err e;
	struct db_res *res;
	char *hash, subject[24];
	long long wait;
	json_object *d;
	int match;

	if (json_get_string(r->body, "current_password", 1, &cur, &e) < 0 ||
	    json_get_string(r->body, "new_password", 1, &new, &e) < 0)
		return reply_invalid(r, &e);
	if (check_password(r, "new_password", new))
		return 400;
	/* Guessing the current password with a stolen session is limited
	 * like logins: per account and per client address, before hashing. */
	snprintf(subject, sizeof(subject), "%lld", r->user.id);
	if ((wait = auth_throttled(r, "ip", r->ipkey)) > 0 ||
	    (wait = auth_throttled(r, "password", subject)) > 0)
		return too_many(r, wait, "password", r->user.username);
	if ((res = db_query(a->db, SQL_USER_BY_ID, "i", r->user.id)) == NULL)
		return reply_internal(r);
	match = db_rows(res) && strlen(cur) <= PW_MAX &&
	    crypto_password_verify(db_str(res, 0, U_HASH), cur, strlen(cur)) == 1;
	db_res_free(res);
	if (!match) {
		auth_fail(r, "ip", r->ipkey);
		auth_fail(r, "password", subject);
		d = json_object_new_object();
		json_add_str(d, "reason", "wrong current password");
		audit(r, "password_change_failed", "user", r->user.id, d);
		return reply_error(r, 403, "wrong_password",
		    "The current password is wrong.");
	}
	db_exec(a->db, SQL_FAIL_CLEAR, "ss", "password", subject);
	if ((hash = crypto_password_hash(new, strlen(new), &a->argon2)) == NULL)
		return reply_internal(r);
	if (db_exec(a->db, SQL_USER_SET_PASSWORD, "si", hash, r->user.id) == -1) {
		free(hash);
		return reply_internal(r);
	}
	free(hash);
	audit(r, "password_change", "user", r->user.id, NULL);
	return reply_ok(r);
}

const struct route routes_auth[] = {
	{ "POST", "/api/auth/register", WHO_ANYONE, 1, auth_register },
	{ "POST", "/api/auth/login", WHO_ANYONE, 1, auth_login },
	{ "GET", "/api/auth/me", WHO_USER, 0, auth_me },
	{ "POST", "/api/auth/logout", WHO_USER, 0, auth_logout },
	{ "POST", "/api/auth/password", WHO_SESSION, 1, auth_password },
	{ NULL, NULL, 0, 0, NULL }
};
