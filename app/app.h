/* TCloud application: the worker's shared types and the prototypes of
 * each app/ file, in sections by file. */
#ifndef APP_H
#define APP_H
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "blob.h"
#include "crypto.h"
#include "db.h"
#include "fs.h"
#include "json.h"
#include "http.h"
#include "router.h"
#include "xmalloc.h"

#include <autoconfig.h>
#define TCLOUD_VERSION	PACKAGE_VERSION

/* conf.c: the settings of tcloud.conf (SPEC §6). */
struct conf {
	char		*db_socket, *db_host, *db_user, *db_password, *db_name;
	long long	 db_port;
	char		*data_dir;
	char		*master_key_file;
	long long	 master_key_id;
	char		*old_key_files;		/* "id:path, id:path" */
	char		*jwt_secret_file;
	long long	 token_lifetime;	/* seconds */
	long long	 default_quota;		/* bytes */
	long long	 max_upload;		/* bytes */
	long long	 max_folder_depth;	/* a top-level folder is 1 */
	long long	 max_files_per_user, max_folders_per_user;
	long long	 send_timeout;		/* seconds without progress */
	long long	 send_min_rate;		/* bytes/s after send_timeout */
	char		*public_base_url;
	char		*trusted_proxies;	/* space/comma list of IPs */
	long long	 login_max_failures, login_window;
	long long	 register_max, register_window;	/* per client address */
	long long	 link_session_lifetime;	/* seconds */
	long long	 argon2_m_kib, argon2_t;
	long long	 link_max_lifetime;	/* seconds, 0 = none */
	int		 link_require_password;
	char		*log_level;
	char		*log_file;		/* "" = stderr */
};
int	conf_load(struct conf *, const char *path, char *err, size_t errlen);
void	conf_free(struct conf *);

/* The process: config, keys and the database connection. */
struct app {
	struct conf	 conf;
	struct db	*db;
	unsigned char	 jwt_key[64];
	size_t		 jwt_keylen;
	struct blob_keyring keyring;	/* KEKs: the active one and old ones */
	struct argon2_params argon2;	/* for new password hashes */
	char		*dummy_hash;	/* unknown users verify against it */
	struct store	*store;		/* blobs: fs.c opens it on first use */
};

/* Who is calling: filled by auth.c for protected routes. */
struct principal {
	long long	 id;
	char		 username[64];
	char		 email[256];
	int		 admin;
	long long	 quota_bytes, used_bytes;
	long long	 key_id;	/* > 0 when by API key */
	int		 read_only;	/* a read-only API key */
	char		 jti[64];	/* when by JWT */
	long long	 token_exp;
	long long	 tokens_after;	/* tokens with iat before are void */
};

struct req {
	struct app		*app;
	struct http		*http;
	struct router_match	 m;
	struct principal	 user;
	int			 authed;
	char			 ip[64];	/* the client, for the audit */
	char			 ipkey[72];	/* its throttle subject: IPv6 /64 */
	char			 reqid[20];
	json_object		*body;	/* JSON routes: the parsed object */
};

#define BODY_STREAM	2

/* Who may call a route; a read-only key may only call GET routes.
 * WHO_SESSION: a user signed in with a JWT; an API key gets 403
 * session_required (password change, key management: SPEC §3). */
enum who { WHO_ANYONE, WHO_USER, WHO_ADMIN, WHO_SESSION };

struct route {
	const char	*method;
	const char	*pattern;
	enum who	 who;
	int		 json_body;	/* 1: parse a JSON object body first;
					 * BODY_STREAM: the handler reads a
					 * large body itself (uploads) */
	int		(*handler)(struct req *);
};

/* route-*.c: each exports one table. */
extern const struct route routes_health[], routes_auth[], routes_apikeys[],
	    routes_admin[], routes_files[], routes_folders[], routes_shares[],
	    routes_links[], routes_public[], routes_openapi[];
/* routes.c: call fn on every route of every table (route-openapi.c). */
void	routes_each(void (*fn)(const struct route *, void *), void *arg);

/* files.c: the file operations shared by routes (files, shares, links,
 * admin).  Each replies itself and returns the HTTP status. */
/* Stream the file of row 0 of res (a FILE_COLS result) to the client,
 * honouring Range, If-None-Match and HEAD. */
int	files_send(struct req *, const struct db_res *res);
/* The same for a file the caller may read. */
int	files_send_file(struct req *, const struct fs_file *);
/* Content-Disposition: attachment with filename and filename* (RFC 8187). */
void	files_disposition(struct http *, const char *name);
/* The JSON object of a file row. */
json_object *files_json(const struct db_res *, size_t row);
/* upload.c: POST /api/files/upload, routed from route-files.c. */
int	upload_handle(struct req *);

/* routes.c: match, authenticate, dispatch one request. */
void	routes_init(void);
void	routes_dispatch(struct app *, struct http *);

/* auth.c */
/* auth_verify and auth_permit: acct.h. */
/* Issue a JWT for user id, issued no earlier than not_before (the
 * user's tokens_valid_after); heap string. */
char	*auth_issue_token(struct app *, long long uid, long long not_before,
	    long long *exp);
/* "tck_" + 43 base64url: heap string, SHA-256 in hash. */
char	*auth_new_key(unsigned char hash[32]);

/* reply.c: every response body goes through here. */
int	reply_json(struct req *, int status, json_object *obj);
int	reply_error(struct req *, int status, const char *code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int	reply_ok(struct req *);
/* 200 with a JSON array, one row(res, i) per row; frees res; NULL res
 * (a failed query) is a 500. */
int	reply_rows(struct req *, struct db_res *res,
	    json_object *(*row)(const struct db_res *, size_t));
/* 500 internal; 503 unavailable (Retry-After) when the cause is an
 * unreachable database (db_gone). */
int	reply_internal(struct req *);
int	reply_unavailable(struct req *);
int	reply_invalid(struct req *, const struct json_err *);

/* fs-json.c: the JSON API's table of fs outcomes (SPEC §2).  Reply the
 * error for e (what: "file" or "folder", for the messages that name
 * it); FS_OK there is a bug (500). */
int	reply_fs(struct req *, enum fs_err e, const char *what);
/* The status reply_fs gives e. */
int	reply_fs_status(enum fs_err e);
json_object *fs_file_json(const struct fs_file *);
json_object *fs_folder_json(const struct fs_folder *);
/* A JSON array of row(rows, i) for each row; frees rows (NULL: []). */
json_object *fs_rows_json(struct db_res *rows,
	    json_object *(*row)(const struct db_res *, size_t));

/* audit.c: rows of the audit log (SPEC §4 Admin). */
void	audit(struct req *, const char *action, const char *target_type,
	    long long target_id, json_object *details);
void	audit_as(struct req *, long long actor_id, const char *actor,
	    const char *action, const char *target_type, long long target_id,
	    json_object *details);

/* keys.c (see keys.h): the keyring, and link tokens sealed under a key
 * derived from the active KEK (SPEC §5: never stored in plaintext). */
int	app_load_keys(struct app *);
/* kek_id(BE32) || AES-GCM(HKDF(KEK), token); heap.  0/-1. */
int	app_seal_token(struct app *, const char *token, unsigned char **out,
	    size_t *outlen);
/* The token, or NULL if no known KEK opens it; *kek_id says which. */
char	*app_open_token(struct app *, const unsigned char *in, size_t inlen,
	    uint32_t *kek_id);

/* util.c */
/* Parse "YYYY-MM-DD HH:MM:SS" (or ISO 8601 with T and optional Z) as
 * UTC.  0 ok, -1 malformed. */
int	time_parse(const char *s, long long *epoch);
/* Format epoch seconds as "YYYY-MM-DD HH:MM:SS" into buf[20]. */
void	time_format(long long epoch, char buf[20]);
/* A DATETIME parameter: buf formatted, or NULL (SQL NULL) for epoch 0.
 * Bound as a string, not FROM_UNIXTIME(), which stops at 2038. */
const char *time_sql(long long epoch, char buf[20]);
/* Parse a positive id from a query parameter: 1 ok, 0 absent, -1 bad. */
int	query_id(struct req *, const char *name, long long *out);
/* limit/offset of list routes (SPEC §2): 0 ok, else error replied. */
int	query_paging(struct req *, long long *limit, long long *offset);
/* JSON value for a DB column: string, or null. */
json_object *json_col(const struct db_res *, size_t row, size_t col);
json_object *json_col_int(const struct db_res *, size_t row, size_t col);
json_object *json_col_bool(const struct db_res *, size_t row, size_t col);
#endif
