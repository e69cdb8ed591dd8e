/* Auth routes (SPEC §4 Auth): register, login, me, logout, password. */
#include <stdlib.h>

#include "json.h"
#include "app.h"
#include "acct.h"

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
	const char *user, *email, *pw;
	struct json_err e;
	json_object *o;
	long long id = 0, wait = 0;
	enum fs_err fe;

	if (json_get_string(r->body, "username", 1, &user, &e) < 0 ||
	    json_get_string(r->body, "email", 1, &email, &e) < 0 ||
	    json_get_string(r->body, "password", 1, &pw, &e) < 0)
		return reply_invalid(r, &e);
	fe = acct_register(r->app, user, email, pw, r->ipkey, &wait, &id);
	if (fe == FS_THROTTLED)
		return too_many(r, wait, "register", r->ipkey);
	if (fe != FS_OK)	/* "password": the field FS_BAD_PASSWORD names */
		return reply_fs(r, fe, "password");
	o = json_object_new_object();
	json_add_str(o, "username", user);
	audit_as(r, id, user, "register", "user", id, o);
	o = json_object_new_object();
	json_add_str(o, "message", "Registered. Awaiting admin approval.");
	return reply_json(r, 201, o);
}

/* POST /api/auth/login {username, password} -> 200 {token, user} | 401 |
 * 403 | 429 */
static int
auth_login(struct req *r)
{
	const char *user, *pw;
	struct acct_login in;
	struct json_err e;
	json_object *o, *u;
	enum fs_err fe;

	if (json_get_string(r->body, "username", 1, &user, &e) < 0 ||
	    json_get_string(r->body, "password", 1, &pw, &e) < 0)
		return reply_invalid(r, &e);
	fe = acct_login(r->app, user, pw, r->ipkey, &in);
	if (fe == FS_THROTTLED)
		return too_many(r, in.wait, "login", in.subject);
	if (fe == FS_BAD_CREDENTIALS) {
		o = json_object_new_object();
		json_add_str(o, "username", in.subject);
		audit_as(r, 0, NULL, "login_failed", "user", 0, o);
	}
	if (fe != FS_OK)
		return reply_fs(r, fe, NULL);
	u = json_object_new_object();
	json_add_int(u, "id", in.user.id);
	json_add_str(u, "username", in.user.username);
	json_add_str(u, "role", in.user.role);
	json_add_int(u, "quota_bytes", in.user.quota);
	audit_as(r, in.user.id, in.user.username, "login", "user", in.user.id,
	    NULL);
	o = json_object_new_object();
	json_add_str(o, "token", in.token);
	json_object_object_add(o, "user", u);
	free(in.token);
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
	enum fs_err fe;

	if (r->user.jti[0] == '\0')
		return reply_error(r, 400, "not_a_token", "Log out ends a "
		    "Bearer token; revoke an API key with DELETE /api/apikeys/{id}.");
	if ((fe = acct_revoke(r->app, r->user.jti, r->user.token_exp)) != FS_OK)
		return reply_fs(r, fe, NULL);
	audit(r, "logout", "user", r->user.id, NULL);
	return reply_ok(r);
}

/* POST /api/auth/password {current_password, new_password} -> 200 {ok} |
 * 400 | 403 | 429 */
static int
auth_password(struct req *r)
{
	const char *cur, *new;
	struct json_err e;
	long long wait = 0;
	json_object *d;
	enum fs_err fe;

	if (json_get_string(r->body, "current_password", 1, &cur, &e) < 0 ||
	    json_get_string(r->body, "new_password", 1, &new, &e) < 0)
		return reply_invalid(r, &e);
	fe = acct_password(r->app, r->user.id, r->ipkey, cur, new, &wait);
	if (fe == FS_THROTTLED)
		return too_many(r, wait, "password", r->user.username);
	if (fe == FS_WRONG_PASSWORD) {
		d = json_object_new_object();
		json_add_str(d, "reason", "wrong current password");
		audit(r, "password_change_failed", "user", r->user.id, d);
	}
	if (fe != FS_OK)
		return reply_fs(r, fe, "new_password");
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
