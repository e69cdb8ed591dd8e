/* API key routes (SPEC §4 API keys): create (shown once), list, revoke. */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "app.h"
#include "acct.h"

/* POST /api/apikeys {name, expires_at?, read_only?} -> 201 {id, name, key,
 * expires_at, read_only} | 400 | 409 */
static int
apikey_create(struct req *r)
{
	const char *name, *exps = NULL;
	long long exp = 0;
	struct acct_key k;
	struct json_err e;
	json_object *o;
	enum fs_err fe;
	int ro = 0;
	char *key;

	if (json_get_string(r->body, "name", 1, &name, &e) < 0 ||
	    json_get_string(r->body, "expires_at", 0, &exps, &e) < 0 ||
	    json_get_bool(r->body, "read_only", 0, &ro, &e) < 0)
		return reply_invalid(r, &e);
	/* 1970-01-01 00:00:00 would read as "never": it is past. */
	if (exps && (time_parse(exps, &exp) == -1 || exp == 0))
		exp = -1;
	if ((fe = acct_key_create(r->app, r->user.id, name, ro, exp, &k,
	    &key)) != FS_OK)
		return reply_fs(r, fe, "API key");
	o = json_object_new_object();
	json_add_str(o, "name", name);
	json_add_bool(o, "read_only", ro);
	audit(r, "apikey_create", "apikey", k.id, o);
	o = acct_key_json(&k);
	json_add_str(o, "key", key);
	explicit_bzero(key, strlen(key));
	free(key);
	return reply_json(r, 201, o);
}

/* GET /api/apikeys -> 200 [{id, name, created_at, last_used_at,
 * expires_at, read_only}] */
static int
apikey_list(struct req *r)
{
	long long limit, offset;
	struct db_res *rows;
	enum fs_err fe;

	if (query_paging(r, &limit, &offset))
		return 400;
	if ((fe = acct_key_list(r->app, r->user.id, limit, offset, &rows)) !=
	    FS_OK)
		return reply_fs(r, fe, "API key");
	return reply_rows(r, rows, acct_key_row_json);
}

/* DELETE /api/apikeys/{id} -> 200 {ok} | 404 (not the caller's) */
static int
apikey_delete(struct req *r)
{
	long long id = r->m.ids[0];
	enum fs_err fe;

	if ((fe = acct_key_delete(r->app, r->user.id, id)) != FS_OK)
		return reply_fs(r, fe, "API key");
	audit(r, "apikey_revoke", "apikey", id, NULL);
	return reply_ok(r);
}

const struct route routes_apikeys[] = {
	{ "POST", "/api/apikeys", WHO_SESSION, 1, apikey_create },
	{ "GET", "/api/apikeys", WHO_USER, 0, apikey_list },
	{ "DELETE", "/api/apikeys/{id}", WHO_SESSION, 0, apikey_delete },
	{ NULL, NULL, 0, 0, NULL }
};
