/* The account service's rules (app/acct.h) and authentication verdicts
 * (auth.c) against the test database: the login throttle trips after
 * login_max_failures and a success clears the username's count, a
 * password change voids earlier tokens, a revoked jti and a suspended
 * user are refused, key names are unique per user, a read-only key may
 * only read, and the admin status rules.  Needs TCLOUD_TEST_DB_SOCKET
 * (as unit-db); skipped without a database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "log.h"
#include "app.h"
#include "acct.h"
#include "sql.h"
#include "tap.h"

static struct app app;
static struct db_conf dbc;
static char tag[24];	/* this run's names: unique per process */

/* A registered user name+suffix, made active unless pending; its id. */
static long long
new_user(const char *suffix, const char *pw, int pending)
{
	char name[33], email[80], client[40];
	long long id = 0, wait;
	struct acct_change c = { NULL, 1, -1, -1 };
	struct acct_state b, a;

	snprintf(name, sizeof(name), "%s%s", tag, suffix);
	snprintf(email, sizeof(email), "%s@unit.test", name);
	snprintf(client, sizeof(client), "reg-%s", name);
	if (acct_register(&app, name, email, pw, client, &wait, &id) != FS_OK)
		return 0;
	if (!pending && acct_user_change(&app, id, &c, &b, &a) != FS_OK)
		return 0;
	return id;
}

static enum fs_err
login(const char *suffix, const char *pw, const char *client,
    struct acct_login *in)
{
	char name[33];

	snprintf(name, sizeof(name), "%s%s", tag, suffix);
	free(in->token);
	in->token = NULL;
	return acct_login(&app, name, pw, client, in);
}

/* Verify a bearer token and/or an API key. */
static enum auth_verdict
verify(const char *token, const char *key, struct principal *p,
    const char **why)
{
	char hdr[1024];
	struct auth_creds cr = { NULL, key, 0 };

	if (token) {
		snprintf(hdr, sizeof(hdr), "Bearer %s", token);
		cr.bearer = hdr;
	}
	memset(p, 0, sizeof(*p));
	return auth_verify(&app, &cr, p, why);
}

int
main(void)
{
	const char *sock = getenv("TCLOUD_TEST_DB_SOCKET");
	struct acct_login in = { .token = NULL };
	struct acct_change c;
	struct acct_state before, after;
	struct acct_user u;
	struct acct_key k, k2;
	struct principal p;
	struct auth_creds none = { NULL, NULL, 0 };
	const char *why = "";
	char *secret = NULL, *secret2 = NULL, *old, name[64], client[40], q[256];
	char cx[40], cy[40];
	long long alice, bob, carol, wait = 0, id, files;
	unsigned char pw[32];
	int i;

	if (sock == NULL) {
		printf("1..0 # SKIP TCLOUD_TEST_DB_SOCKET not set (no database)\n");
		return 0;
	}
	log_init("unit-acct", LOG_ERR);
	crypto_init();
	dbc.socket = sock;
	dbc.user = getenv("TCLOUD_TEST_DB_USER");
	dbc.password = getenv("TCLOUD_TEST_DB_PASSWORD");
	dbc.name = getenv("TCLOUD_TEST_DB_NAME");
	if ((app.db = db_open(&dbc, sql, SQL__MAX, q, sizeof(q))) == NULL)
		return printf("Bail out! no database: %s\n", q), 1;
	snprintf(tag, sizeof(tag), "ua%d_%ld_", (int)getpid(),
	    (long)time(NULL) % 100000);
	snprintf(cx, sizeof(cx), "%sipx", tag);
	snprintf(cy, sizeof(cy), "%sipy", tag);
	crypto_random(app.jwt_key, 32);
	app.jwt_keylen = 32;
	/* Cheap hashes: the rules are under test, not argon2. */
	app.argon2.t_cost = 1;
	app.argon2.m_kib = 64;
	app.argon2.parallelism = 1;
	crypto_random(pw, sizeof(pw));
	app.dummy_hash = crypto_password_hash((char *)pw, sizeof(pw),
	    &app.argon2);
	app.conf.token_lifetime = 3600;
	app.conf.login_max_failures = 3;
	app.conf.login_window = 600;
	app.conf.register_max = 1000;
	app.conf.register_window = 60;
	app.conf.default_quota = 1000;

	/* Registration rules, in the order the API reports them. */
	is_int(acct_register(&app, "x", "a@b.c", "password1", "r", &wait, &id),
	    FS_BAD_USERNAME, "a 1-letter username: FS_BAD_USERNAME");
	is_int(acct_register(&app, "okname", "nope", "short", "r", &wait, &id),
	    FS_BAD_EMAIL, "a bad email before a bad password: FS_BAD_EMAIL");
	is_int(acct_register(&app, "okname", "a@b.c", "short", "r", &wait, &id),
	    FS_BAD_PASSWORD, "a 5-byte password: FS_BAD_PASSWORD");
	ok((alice = new_user("al", "alice-pass-1", 0)) > 0, "alice registered");
	ok((bob = new_user("bo", "bob-pass-12", 0)) > 0, "bob registered");
	ok((carol = new_user("ca", "carol-pass-1", 1)) > 0,
	    "carol registered, left pending");
	snprintf(name, sizeof(name), "%sal", tag);
	is_int(acct_register(&app, name, "other@unit.test", "password1", "r",
	    &wait, &id), FS_USERNAME_TAKEN, "alice's name again: taken");
	snprintf(q, sizeof(q), "%sal@unit.test", tag);
	snprintf(name, sizeof(name), "%sal2", tag);
	is_int(acct_register(&app, name, q, "password1", "r", &wait, &id),
	    FS_EMAIL_TAKEN, "alice's email again: taken");

	/* The login throttle: per username, whatever the address. */
	for (i = 0; i < 2; i++) {
		snprintf(client, sizeof(client), "%sc%d", tag, i);
		is_int(login("al", "wrong", client, &in), FS_BAD_CREDENTIALS,
		    "a wrong password: FS_BAD_CREDENTIALS");
	}
	snprintf(client, sizeof(client), "%sc9", tag);
	is_int(login("al", "alice-pass-1", client, &in), FS_OK,
	    "after 2 failures (max 3) the right password logs in");
	ok(in.token != NULL && in.user.id == alice, "a token for alice");
	for (i = 2; i < 4; i++) {
		snprintf(client, sizeof(client), "%sc%d", tag, i);
		login("AL", "wrong", client, &in);
	}
	snprintf(name, sizeof(name), "%sal", tag);
	is_int(acct_throttled(&app, "user", name, 3, 600), 0,
	    "a success cleared the count: 2 more failures do not throttle");
	snprintf(client, sizeof(client), "%sc5", tag);
	login("al", "wrong", client, &in);
	is_int(login("al", "alice-pass-1", client, &in), FS_THROTTLED,
	    "the third failure in a row throttles the username (any case)");
	ok(in.wait > 0 && in.wait <= 600, "with a wait (%lld s)", in.wait);
	snprintf(q, sizeof(q), "DELETE FROM auth_failures WHERE subject LIKE "
	    "'%s%%'", tag);
	db_exec_text(app.db, q);
	for (i = 0; i < 3; i++)
		login("nobody", "wrong", cx, &in);
	is_int(login("bo", "bob-pass-12", cx, &in), FS_THROTTLED,
	    "3 failures from one address throttle it for every username");
	db_exec_text(app.db, q);
	is_int(login("ca", "carol-pass-1", cy, &in), FS_PENDING,
	    "a pending account: FS_PENDING");

	/* Verdicts. */
	is_int(auth_verify(&app, &none, &p, &why), AUTH_NO_CREDENTIALS,
	    "no headers: AUTH_NO_CREDENTIALS");
	ok(login("al", "alice-pass-1", cy, &in) == FS_OK, "alice logs in");
	is_int(verify(in.token, NULL, &p, &why), AUTH_OK, "her token verifies");
	ok(p.id == alice && p.jti[0] && !p.read_only, "as alice, by a session");
	is_int(auth_permit(&p, WHO_SESSION, "POST"), AUTH_OK,
	    "a session may change her password");
	is_int(auth_permit(&p, WHO_ADMIN, "GET"), AUTH_ADMIN_ONLY,
	    "not an admin route: AUTH_ADMIN_ONLY");
	{
		struct auth_creds twice = { "Bearer x", NULL, 1 };

		is_int(auth_verify(&app, &twice, &p, &why),
		    AUTH_BAD_CREDENTIALS, "a header sent twice: refused");
	}

	/* A revoked jti. */
	verify(in.token, NULL, &p, &why);
	is_int(acct_revoke(&app, p.jti, p.token_exp), FS_OK, "logout");
	is_int(verify(in.token, NULL, &p, &why), AUTH_BAD_CREDENTIALS,
	    "a revoked jti: AUTH_BAD_CREDENTIALS");
	is_str(why, "token was logged out", "because it was logged out");

	/* A password change voids earlier tokens. */
	login("al", "alice-pass-1", cy, &in);
	old = in.token;
	in.token = NULL;
	is_int(acct_password(&app, alice, cy, "wrong-current", "new-pass-22",
	    &wait), FS_WRONG_PASSWORD, "a wrong current password");
	is_int(acct_password(&app, alice, cy, "alice-pass-1", "short",
	    &wait), FS_BAD_PASSWORD, "a 5-byte new password");
	is_int(acct_password(&app, alice, cy, "alice-pass-1", "new-pass-22",
	    &wait), FS_OK, "the password changed");
	is_int(verify(old, NULL, &p, &why), AUTH_BAD_CREDENTIALS,
	    "the token from before the change: refused");
	is_str(why, "token predates a password change", "because of it");
	free(old);
	is_int(login("al", "alice-pass-1", cy, &in), FS_BAD_CREDENTIALS,
	    "the old password no longer logs in");
	is_int(login("al", "new-pass-22", cy, &in), FS_OK,
	    "the new one does");
	is_int(verify(in.token, NULL, &p, &why), AUTH_OK,
	    "and its token verifies at once (issued after the change)");

	/* API keys: names unique per user, read-only keys read. */
	is_int(acct_key_create(&app, alice, "a/b", 0, 0, &k, &secret),
	    FS_BAD_KEY_NAME, "a key name with '/': FS_BAD_KEY_NAME");
	is_int(acct_key_create(&app, alice, "a/b", 0, 1, &k, &secret),
	    FS_BAD_KEY_NAME, "a bad name outranks a past expiry");
	is_int(acct_key_create(&app, alice, "ci", 0, 1, &k, &secret),
	    FS_BAD_EXPIRY, "an expiry in the past: FS_BAD_EXPIRY");
	is_int(acct_key_create(&app, alice, "ci", 1, 0, &k, &secret), FS_OK,
	    "alice's read-only key \"ci\"");
	ok(secret && strncmp(secret, "tck_", 4) == 0 && k.read_only &&
	    strcmp(k.name, "ci") == 0, "shown once, tck_..., read-only");
	is_int(acct_key_create(&app, alice, "ci", 0, 0, &k2, &secret2),
	    FS_KEY_EXISTS, "\"ci\" again for alice: FS_KEY_EXISTS");
	is_int(acct_key_create(&app, bob, "ci", 0, 0, &k2, &secret2), FS_OK,
	    "\"ci\" for bob: names are per user");
	is_int(verify(NULL, secret, &p, &why), AUTH_OK, "alice's key verifies");
	ok(p.id == alice && p.read_only && p.key_id == k.id && !p.jti[0],
	    "as alice, read-only, by key");
	is_int(auth_permit(&p, WHO_USER, "GET"), AUTH_OK, "it may GET");
	is_int(auth_permit(&p, WHO_USER, "DELETE"), AUTH_READ_ONLY,
	    "a write with it: AUTH_READ_ONLY");
	is_int(verify(in.token, secret2, &p, &why), AUTH_BAD_CREDENTIALS,
	    "alice's token with bob's key: refused");
	is_int(verify(in.token, secret, &p, &why), AUTH_OK,
	    "alice's token with her key");
	ok(p.read_only && p.jti[0], "is read-only (the key's limit holds)");
	is_int(acct_key_delete(&app, bob, k.id), FS_NOT_FOUND,
	    "bob cannot revoke alice's key");
	is_int(acct_key_delete(&app, alice, k.id), FS_OK, "alice revokes it");
	is_int(verify(NULL, secret, &p, &why), AUTH_BAD_CREDENTIALS,
	    "a revoked key: refused");
	is_int(verify(NULL, secret2, &p, &why), AUTH_OK, "bob's key verifies");
	is_int(auth_permit(&p, WHO_SESSION, "POST"), AUTH_SESSION_REQUIRED,
	    "a key where a session must be: AUTH_SESSION_REQUIRED");
	free(secret);
	free(secret2);

	/* Admin status rules; a suspended user's token is refused. */
	memset(&c, 0, sizeof(c));
	c.role = NULL, c.approved = 0, c.suspended = -1, c.quota = -1;
	is_int(acct_user_change(&app, carol, &c, &before, &after), FS_OK,
	    "approved: false on a pending account");
	is_str(after.status, "pending", "leaves it pending");
	c.approved = -1, c.suspended = 1, c.quota = 5000;
	is_int(acct_user_change(&app, alice, &c, &before, &after), FS_OK,
	    "suspend alice, quota 5000");
	ok(strcmp(before.status, "active") == 0 &&
	    strcmp(after.status, "suspended") == 0 && after.quota == 5000,
	    "active -> suspended, quota set");
	is_int(verify(in.token, NULL, &p, &why), AUTH_SUSPENDED,
	    "her token now: AUTH_SUSPENDED");
	is_int(login("al", "new-pass-22", cy, &in), FS_SUSPENDED,
	    "her login: FS_SUSPENDED");
	c.suspended = 0, c.quota = -1;
	acct_user_change(&app, alice, &c, &before, &after);
	is_str(after.status, "active", "suspended: false reactivates");
	ok(acct_user_get(&app, alice, &u) == FS_OK && u.quota == 5000 &&
	    strcmp(u.status, "active") == 0, "as the row says");
	is_int(acct_user_change(&app, -1, &c, &before, &after), FS_NOT_FOUND,
	    "no such user: FS_NOT_FOUND");

	/* Scratch users go the way admins delete them. */
	is_int(acct_user_delete(&app, alice, name, &files), FS_OK,
	    "alice deleted");
	ok(strncmp(name, tag, strlen(tag)) == 0 && files == 0,
	    "reported by name, with no files");
	is_int(acct_user_delete(&app, alice, name, &files), FS_NOT_FOUND,
	    "twice: FS_NOT_FOUND");
	acct_user_delete(&app, bob, name, &files);
	acct_user_delete(&app, carol, name, &files);
	free(in.token);
	snprintf(q, sizeof(q), "DELETE FROM auth_failures WHERE subject LIKE "
	    "'%s%%' OR subject LIKE 'reg-%s%%' OR (kind = 'password' AND "
	    "subject = '%lld')", tag, tag, alice);
	db_exec_text(app.db, q);
	free(app.dummy_hash);
	db_close(app.db);
	return done_testing();
}
