/* The account service: users, API keys, administration and
 * authentication, for every front end.  Like fs.h, each function takes
 * the app and the acting user's id (or the values it needs) and returns
 * an outcome (enum fs_err, the account ones at its end); none sees a
 * request, a header or JSON.  Audit rows and HTTP headers stay with the
 * front end.
 *
 *   acct.c		the failure throttle, register, login, password
 *			change, token revocation
 *   acct-keys.c	API keys: create (name rules), list, revoke
 *   acct-admin.c	users list, change, delete, purge-pending, stats,
 *			the audit log's rows
 *   auth.c		credentials -> a verdict and a principal
 *   acct-json.c	the JSON objects of users, keys and audit rows
 */
#ifndef ACCT_H
#define ACCT_H
#include <stddef.h>

#include "fs.h"
#include "json.h"

struct principal;
struct db_res;

/* Password length in bytes (SPEC §3; fs-json.c's message says so). */
#define ACCT_PW_MIN	8
#define ACCT_PW_MAX	1024

/* A user's row (USER_COLS, sql.h).  Empty strings are SQL NULLs. */
struct acct_user {
	long long	 id, quota, used, tokens_after;
	char		 username[64], email[256], role[8], status[12];
	char		 created[20], last_login[20];
};
/* Row i of a USER_COLS result into u. */
void	acct_user_from_row(const struct db_res *, size_t i, struct acct_user *u);

/* --- The failure throttle (acct.c): rows of auth_failures by kind and
 * subject ("ip" + a client address, "user" + a username, ...). */
/* Seconds to wait when max failures fell in the last window seconds,
 * else 0.  A database hiccup answers 0: the hash still runs. */
long long acct_throttled(struct app *, const char *kind, const char *subject,
	    long long max, long long window);
/* acct_throttled with tcloud.conf's login limits (logins, password
 * changes, link passwords). */
long long acct_login_throttled(struct app *, const char *kind,
	    const char *subject);
/* Record one failure. */
void	acct_fail(struct app *, const char *kind, const char *subject);

/* --- Users (acct.c); client is the throttle subject of the caller's
 * address. */
/* A pending account: FS_BAD_USERNAME, FS_BAD_EMAIL, FS_BAD_PASSWORD,
 * FS_THROTTLED (*wait set), FS_USERNAME_TAKEN, FS_EMAIL_TAKEN,
 * FS_ACCOUNT_TAKEN; *id on FS_OK. */
enum fs_err acct_register(struct app *, const char *username,
	    const char *email, const char *password, const char *client,
	    long long *wait, long long *id);
struct acct_login {
	char		 subject[33];	/* the username's throttle subject */
	long long	 wait;		/* FS_THROTTLED: seconds */
	struct acct_user user;		/* FS_OK */
	char		*token;		/* FS_OK: a JWT, the caller frees */
	long long	 exp;
};
/* Check the throttles, then the password (unknown users against a
 * dummy hash, in the same time); FS_BAD_CREDENTIALS records a failure
 * for the client and the username, FS_OK clears the username's. */
enum fs_err acct_login(struct app *, const char *username,
	    const char *password, const char *client, struct acct_login *out);
/* Change the password of uid: tokens issued before stop working.
 * FS_BAD_PASSWORD (the new one), FS_THROTTLED (*wait),
 * FS_WRONG_PASSWORD. */
enum fs_err acct_password(struct app *, long long uid, const char *client,
	    const char *current, const char *new_password, long long *wait);
/* Deny the token jti from now until exp (its expiry). */
enum fs_err acct_revoke(struct app *, const char *jti, long long exp);

/* --- API keys (acct-keys.c) */
struct acct_key {
	long long	 id;
	int		 read_only;
	char		 name[256];
	char		 created[20], last_used[20], expires[20];
};
/* A key named name for uid (expires: epoch seconds, 0 never, -1 an
 * unreadable time); *secret is the key, shown once (heap, the caller
 * wipes and frees it).  FS_BAD_KEY_NAME, then FS_BAD_EXPIRY (not in the
 * future), FS_KEY_EXISTS. */
enum fs_err acct_key_create(struct app *, long long uid, const char *name,
	    int read_only, long long expires, struct acct_key *out,
	    char **secret);
/* A page of uid's keys: rows for acct_key_row_json. */
enum fs_err acct_key_list(struct app *, long long uid, long long limit,
	    long long offset, struct db_res **rows);
void	acct_key_from_row(const struct db_res *, size_t i, struct acct_key *);
/* Revoke one of uid's keys; FS_NOT_FOUND when not theirs. */
enum fs_err acct_key_delete(struct app *, long long uid, long long id);

/* --- Administration (acct-admin.c) */
/* A page of the users (status NULL: all): rows for acct_user_row_json. */
enum fs_err acct_user_list(struct app *, const char *status, long long limit,
	    long long offset, struct db_res **rows);
enum fs_err acct_user_get(struct app *, long long id, struct acct_user *);
/* What a change asks for; -1 (NULL for role): left as it is. */
struct acct_change {
	const char	*role;		/* "user" or "admin" */
	int		 approved, suspended;
	long long	 quota;
};
/* The fields a change touches, before and after. */
struct acct_state {
	char		 role[8], status[12];
	long long	 quota;
};
/* Apply c to user id under the admins' and the user's row locks:
 * FS_NOT_FOUND, FS_LAST_ADMIN.  approved: true activates (and lifts a
 * suspension), false suspends an active account; suspended: true
 * suspends, false reactivates. */
enum fs_err acct_user_change(struct app *, long long id,
	    const struct acct_change *c, struct acct_state *before,
	    struct acct_state *after);
/* The user and everything they own; rows first, blobs after (a crash
 * between leaves orphans for gc).  FS_NOT_FOUND, FS_LAST_ADMIN; the
 * gone user's name and file count for the audit. */
enum fs_err acct_user_delete(struct app *, long long id, char username[64],
	    long long *files);
/* Delete accounts still pending after days days: their count. */
enum fs_err acct_purge_pending(struct app *, long long days, long long *n);
/* The counters of GET /api/admin/stats, in SQL_ADMIN_STATS's order. */
#define ACCT_STATS	8
enum fs_err acct_stats(struct app *, long long out[ACCT_STATS]);
/* Audit rows, newest first; filters NULL or 0 are off. */
struct acct_audit_query {
	long long	 before_id, limit;
	const char	*actor, *action, *since;	/* since: SQL time */
};
enum fs_err acct_audit_list(struct app *, const struct acct_audit_query *,
	    struct db_res **rows);

/* --- Authentication (auth.c): a verdict the front end renders */
enum auth_verdict {
	AUTH_OK,
	AUTH_NO_CREDENTIALS,	/* neither header */
	AUTH_BAD_CREDENTIALS,	/* malformed, unknown, expired, revoked... */
	AUTH_PENDING,
	AUTH_SUSPENDED,
	AUTH_READ_ONLY,		/* a read-only key on a write */
	AUTH_ADMIN_ONLY,
	AUTH_SESSION_REQUIRED,	/* an API key where a session must be */
	AUTH_UNAVAILABLE,	/* the database cannot be reached */
	AUTH_INTERNAL,
	AUTH__MAX
};
/* The credential headers of a request (NULL: absent). */
struct auth_creds {
	const char	*bearer;	/* Authorization */
	const char	*key;		/* X-API-Key */
	int		 repeated;	/* either header sent more than once */
};
/* Every credential presented must be valid and name one user (SPEC
 * §3); on AUTH_OK p is that user.  *why: a static text for the log. */
enum auth_verdict auth_verify(struct app *, const struct auth_creds *,
	    struct principal *p, const char **why);
/* May p call a route for who (enum who) with method? */
enum auth_verdict auth_permit(const struct principal *p, int who,
	    const char *method);

/* --- The JSON API's objects (acct-json.c) */
json_object *acct_user_json(const struct acct_user *);
json_object *acct_key_json(const struct acct_key *);
json_object *acct_stats_json(const long long stats[ACCT_STATS]);
/* Row renderers for reply_rows. */
json_object *acct_user_row_json(const struct db_res *, size_t i);
json_object *acct_key_row_json(const struct db_res *, size_t i);
json_object *acct_audit_row_json(const struct db_res *, size_t i);
#endif
