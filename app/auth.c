/* Authentication (SPEC §3): Bearer JWT or X-API-Key, the user re-read on
 * every request, and the failed-login throttle kept in MariaDB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b64.h"
#include "crypto.h"
#include "jwt.h"
#include "log.h"
#include "xmalloc.h"
#include "app.h"
#include "sql.h"

#define KEY_PREFIX	"tck_"
#define KEY_LEN		(4 + 43)

static int
unauthorized(struct req *r, const char *why)
{
	log_info("auth: %s", why);
	return reply_error(r, 401, "unauthorized",
	    "Missing or invalid credentials.");
}

/* Load the user and check the account may act now. */
static int
load_user(struct req *r, long long uid, struct principal *p)
{
	struct db_res *res;
	const char *status;
	int rc = 0;

	if ((res = db_query(r->app->db, SQL_USER_BY_ID, "i", uid)) == NULL)
		return reply_internal(r);
	if (db_rows(res) == 0) {
		rc = unauthorized(r, "user no longer exists");
		goto out;
	}
	status = db_str(res, 0, U_STATUS);
	if (strcmp(status, "pending") == 0) {
		rc = reply_error(r, 403, "account_pending",
		    "This account is awaiting approval by an administrator.");
		goto out;
	}
	if (strcmp(status, "suspended") == 0) {
		rc = reply_error(r, 403, "account_suspended",
		    "This account is suspended.");
		goto out;
	}
	p->id = uid;
	snprintf(p->username, sizeof(p->username), "%s",
	    db_str(res, 0, U_USERNAME));
	snprintf(p->email, sizeof(p->email), "%s", db_str(res, 0, U_EMAIL));
	p->admin = strcmp(db_str(res, 0, U_ROLE), "admin") == 0;
	p->quota_bytes = db_int(res, 0, U_QUOTA);
	p->used_bytes = db_int(res, 0, U_USED);
	p->tokens_after = db_int(res, 0, U_TOKENS_AFTER);
out:
	db_res_free(res);
	return rc;
}

/* Validate a Bearer token into p.  0 ok, else the status replied. */
static int
check_jwt(struct req *r, const char *hdr, struct principal *p)
{
	struct jwt_claims c;
	struct db_res *res;
	enum jwt_err e;
	int rc;

	if (strncmp(hdr, "Bearer ", 7) != 0)
		return unauthorized(r, "Authorization is not Bearer");
	e = jwt_verify(hdr + 7, r->app->jwt_key, r->app->jwt_keylen,
	    (long long)time(NULL), r->app->conf.token_lifetime, &c);
	if (e != JWT_OK)
		return unauthorized(r, jwt_strerror(e));
	if ((res = db_query(r->app->db, SQL_TOKEN_REVOKED, "s", c.jti)) == NULL)
		return reply_internal(r);
	rc = db_rows(res) > 0;
	db_res_free(res);
	if (rc)
		return unauthorized(r, "token was logged out");
	snprintf(p->jti, sizeof(p->jti), "%s", c.jti);
	p->token_exp = c.exp;
	if ((rc = load_user(r, c.sub, p)) != 0)
		return rc;
	/* Password change: tokens issued before it stop working. */
	if (c.iat < p->tokens_after)
		return unauthorized(r, "token predates a password change");
	return 0;
}

/* Validate an API key into p.  0 ok, else the status replied. */
static int
check_key(struct req *r, const char *key, struct principal *p)
{
	unsigned char hash[32];
	struct db_res *res;
	long long uid;
	int rc;

	if (strlen(key) != KEY_LEN || strncmp(key, KEY_PREFIX, 4) != 0)
		return unauthorized(r, "malformed API key");
	crypto_sha256(key, KEY_LEN, hash);
	if ((res = db_query(r->app->db, SQL_KEY_LOOKUP, "b", hash,
	    sizeof(hash))) == NULL)
		return reply_internal(r);
	if (db_rows(res) == 0 || db_int(res, 0, 3) != 0) {
		rc = db_rows(res) ? 1 : 0;
		db_res_free(res);
		return unauthorized(r, rc ? "API key expired" : "unknown API key");
	}
	p->key_id = db_int(res, 0, 0);
	uid = db_int(res, 0, 1);
	p->read_only = db_int(res, 0, 2) != 0;
	db_res_free(res);
	if ((rc = load_user(r, uid, p)) != 0)
		return rc;
	if (db_exec(r->app->db, SQL_KEY_TOUCH, "i", p->key_id) == -1)
		log_warn("could not record API key use");
	return 0;
}

int
auth_request(struct req *r)
{
	const char *bearer = http_header(r->http, "Authorization");
	const char *key = http_header(r->http, "X-API-Key"), *v[2];
	struct principal pj, pk;
	int rc;

	memset(&pj, 0, sizeof(pj));
	memset(&pk, 0, sizeof(pk));
	if (bearer == NULL && key == NULL)
		return unauthorized(r, "no credentials");
	/* Two lines of one credential header: which one counts would
	 * depend on the server in front, so neither does. */
	if (http_header_all(r->http, "Authorization", v, 2) > 1 ||
	    http_header_all(r->http, "X-API-Key", v, 2) > 1)
		return unauthorized(r, "a credential header sent twice");
	/* Every credential presented must be valid (SPEC §3). */
	if (bearer && (rc = check_jwt(r, bearer, &pj)) != 0)
		return rc;
	if (key && (rc = check_key(r, key, &pk)) != 0)
		return rc;
	if (bearer && key && pj.id != pk.id)
		return unauthorized(r, "token and key name different users");
	r->user = bearer ? pj : pk;
	if (bearer && key) {
		r->user.key_id = pk.key_id;
		r->user.read_only = pk.read_only;
	}
	r->authed = 1;
	return 0;
}

char *
auth_issue_token(struct app *a, long long uid, long long not_before,
    long long *exp)
{
	struct jwt_claims c;
	unsigned char jti[16];
	char *hex;

	memset(&c, 0, sizeof(c));
	crypto_random(jti, sizeof(jti));
	hex = crypto_hex(jti, sizeof(jti));
	snprintf(c.jti, sizeof(c.jti), "%s", hex);
	free(hex);
	c.sub = uid;
	c.iat = (long long)time(NULL);
	if (c.iat < not_before)
		c.iat = not_before;
	c.exp = c.iat + a->conf.token_lifetime;
	*exp = c.exp;
	return jwt_sign(a->jwt_key, a->jwt_keylen, &c);
}

long long
auth_throttled(struct req *r, const char *kind, const char *subject)
{
	return auth_throttled_n(r, kind, subject,
	    r->app->conf.login_max_failures, r->app->conf.login_window);
}

long long
auth_throttled_n(struct req *r, const char *kind, const char *subject,
    long long max, long long window)
{
	long long wait;
	struct db_res *res;

	res = db_query(r->app->db, SQL_FAIL_COUNT, "issi", window, kind,
	    subject, window);
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
auth_fail(struct req *r, const char *kind, const char *subject)
{
	if (db_exec(r->app->db, SQL_FAIL_INSERT, "ss", kind, subject) == -1)
		log_err("could not record a failed attempt");
}

char *
auth_new_key(unsigned char hash[32])
{
	unsigned char raw[32];
	char *b, *key;

	crypto_random(raw, sizeof(raw));
	b = b64_encode(raw, sizeof(raw), B64_URL);
	key = xasprintf(KEY_PREFIX "%s", b);
	free(b);
	crypto_sha256(key, strlen(key), hash);
	return key;
}
