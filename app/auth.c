/* Authentication (SPEC §3): Bearer JWT or X-API-Key, the user re-read on
 * every request, into a verdict the front end renders (routes.c for the
 * JSON API); the tokens and keys it checks are made here too. */
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
#include "acct.h"
#include "sql.h"

#define KEY_PREFIX	"tck_"
#define KEY_LEN		(4 + 43)

/* Fill p from the user columns of row 0 of res (SQL_AUTH_*) and check
 * the account may act now. */
static enum auth_verdict
fill_user(const struct db_res *res, struct principal *p)
{
	const char *status = db_str(res, 0, U_STATUS);

	if (strcmp(status, "pending") == 0)
		return AUTH_PENDING;
	if (strcmp(status, "suspended") == 0)
		return AUTH_SUSPENDED;
	p->id = db_int(res, 0, U_ID);
	snprintf(p->username, sizeof(p->username), "%s",
	    db_str(res, 0, U_USERNAME));
	snprintf(p->email, sizeof(p->email), "%s", db_str(res, 0, U_EMAIL));
	p->admin = strcmp(db_str(res, 0, U_ROLE), "admin") == 0;
	p->quota_bytes = db_int(res, 0, U_QUOTA);
	p->used_bytes = db_int(res, 0, U_USED);
	p->tokens_after = db_int(res, 0, U_TOKENS_AFTER);
	return AUTH_OK;
}

/* A failed query: an outage or a bug. */
static enum auth_verdict
db_fail(struct app *a, const char **why)
{
	*why = "database query failed";
	return db_gone(a->db) ? AUTH_UNAVAILABLE : AUTH_INTERNAL;
}

/* Validate a Bearer token into p: one statement reads the user and the
 * revocation list. */
static enum auth_verdict
check_jwt(struct app *a, const char *hdr, struct principal *p,
    const char **why)
{
	struct jwt_claims c;
	struct db_res *res;
	enum auth_verdict v = AUTH_BAD_CREDENTIALS;
	enum jwt_err e;

	if (strncmp(hdr, "Bearer ", 7) != 0) {
		*why = "Authorization is not Bearer";
		return AUTH_BAD_CREDENTIALS;
	}
	e = jwt_verify(hdr + 7, a->jwt_key, a->jwt_keylen,
	    (long long)time(NULL), a->conf.token_lifetime, &c);
	if (e != JWT_OK) {
		*why = jwt_strerror(e);
		return AUTH_BAD_CREDENTIALS;
	}
	if ((res = db_query(a->db, SQL_AUTH_TOKEN, "si", c.jti, c.sub)) == NULL)
		return db_fail(a, why);
	if (db_rows(res) == 0)
		*why = "user no longer exists";
	else if (db_int(res, 0, A_REVOKED) != 0)
		*why = "token was logged out";
	else
		v = fill_user(res, p);
	db_res_free(res);
	if (v != AUTH_OK)
		return v;
	snprintf(p->jti, sizeof(p->jti), "%s", c.jti);
	p->token_exp = c.exp;
	/* Password change: tokens issued before it stop working. */
	if (c.iat < p->tokens_after) {
		*why = "token predates a password change";
		return AUTH_BAD_CREDENTIALS;
	}
	return AUTH_OK;
}

/* Validate an API key into p: one statement reads the key with its user;
 * last_used_at is written only when a minute old. */
static enum auth_verdict
check_key(struct app *a, const char *key, struct principal *p,
    const char **why)
{
	unsigned char hash[32];
	struct db_res *res;
	enum auth_verdict v = AUTH_BAD_CREDENTIALS;
	int stale;

	if (strlen(key) != KEY_LEN || strncmp(key, KEY_PREFIX, 4) != 0) {
		*why = "malformed API key";
		return AUTH_BAD_CREDENTIALS;
	}
	crypto_sha256(key, KEY_LEN, hash);
	if ((res = db_query(a->db, SQL_AUTH_KEY, "b", hash,
	    sizeof(hash))) == NULL)
		return db_fail(a, why);
	if (db_rows(res) == 0)
		*why = "unknown API key";
	else if (db_int(res, 0, A_KEY_EXPIRED) != 0)
		*why = "API key expired";
	else
		v = fill_user(res, p);
	if (v != AUTH_OK) {
		db_res_free(res);
		return v;
	}
	p->key_id = db_int(res, 0, A_KEY_ID);
	p->read_only = db_int(res, 0, A_KEY_RO) != 0;
	stale = db_int(res, 0, A_KEY_STALE) != 0;
	db_res_free(res);
	if (stale && db_exec(a->db, SQL_KEY_TOUCH, "i", p->key_id) == -1)
		log_warn("could not record API key use");
	return AUTH_OK;
}

enum auth_verdict
auth_verify(struct app *a, const struct auth_creds *cr, struct principal *p,
    const char **why)
{
	struct principal pj, pk;
	enum auth_verdict v;

	memset(&pj, 0, sizeof(pj));
	memset(&pk, 0, sizeof(pk));
	*why = "";
	if (cr->bearer == NULL && cr->key == NULL) {
		*why = "no credentials";
		return AUTH_NO_CREDENTIALS;
	}
	/* Two lines of one credential header: which one counts would
	 * depend on the server in front, so neither does. */
	if (cr->repeated) {
		*why = "a credential header sent twice";
		return AUTH_BAD_CREDENTIALS;
	}
	/* Every credential presented must be valid (SPEC §3). */
	if (cr->bearer && (v = check_jwt(a, cr->bearer, &pj, why)) != AUTH_OK)
		return v;
	if (cr->key && (v = check_key(a, cr->key, &pk, why)) != AUTH_OK)
		return v;
	if (cr->bearer && cr->key && pj.id != pk.id) {
		*why = "token and key name different users";
		return AUTH_BAD_CREDENTIALS;
	}
	*p = cr->bearer ? pj : pk;
	if (cr->bearer && cr->key) {
		p->key_id = pk.key_id;
		p->read_only = pk.read_only;
	}
	return AUTH_OK;
}

enum auth_verdict
auth_permit(const struct principal *p, int who, const char *method)
{
	if (p->read_only && strcmp(method, "GET") != 0)
		return AUTH_READ_ONLY;
	if (who == WHO_ADMIN && !p->admin)
		return AUTH_ADMIN_ONLY;
	if (who == WHO_SESSION && p->jti[0] == '\0')
		return AUTH_SESSION_REQUIRED;
	return AUTH_OK;
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
