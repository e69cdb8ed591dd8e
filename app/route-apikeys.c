/* API key routes (SPEC §4 API keys): create (shown once), list, revoke. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "names.h"
#include "app.h"
#include "sql.h"

enum { K_ID, K_NAME, K_CREATED, K_USED, K_EXPIRES, K_RO };

static json_object *
key_json(const struct db_res *res, size_t i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_col_int(res, i, K_ID));
	json_object_object_add(o, "name", json_col(res, i, K_NAME));
	json_object_object_add(o, "created_at", json_col(res, i, K_CREATED));
	json_object_object_add(o, "last_used_at", json_col(res, i, K_USED));
	json_object_object_add(o, "expires_at", json_col(res, i, K_EXPIRES));
	json_object_object_add(o, "read_only", json_col_bool(res, i, K_RO));
	return o;
}

/* POST /api/apikeys {name, expires_at?, read_only?} -> 201 {id, name, key,
 * expires_at, read_only} | 400 | 409 */
static int
apikey_create(struct req *r)
{
	const char *name, *exps = NULL;
	long long exp = 0, id;
	unsigned char hash[32];
	struct json_err e;
	struct db_res *res;
	json_object *o;
	int ro = 0;
	char *key, tbuf[20];

	if (json_get_string(r->body, "name", 1, &name, &e) < 0 ||
	    json_get_string(r->body, "expires_at", 0, &exps, &e) < 0 ||
	    json_get_bool(r->body, "read_only", 0, &ro, &e) < 0)
		return reply_invalid(r, &e);
	if (!name_valid(name))
		return reply_error(r, 400, "invalid_name", "A key name is 1 to "
		    "255 bytes of UTF-8 without '/', '\\' or control characters.");
	if (exps && (time_parse(exps, &exp) == -1 || exp <= time(NULL)))
		return reply_error(r, 400, "invalid_field", "'expires_at' must "
		    "be a future UTC time, \"YYYY-MM-DD HH:MM:SS\".");
	key = auth_new_key(hash);
	if (db_exec(r->app->db, SQL_KEY_INSERT, "isbis", r->user.id, name,
	    hash, sizeof(hash), (long long)ro, time_sql(exp, tbuf)) == -1) {
		free(key);
		if (db_err(r->app->db) == DB_DUPLICATE)
			return reply_error(r, 409, "name_exists",
			    "You already have a key with that name.");
		return reply_internal(r);
	}
	id = db_insert_id(r->app->db);
	if ((res = db_query(r->app->db, SQL_KEY_GET, "ii", id, r->user.id)) ==
	    NULL || db_rows(res) != 1) {
		db_res_free(res);
		free(key);
		return reply_internal(r);
	}
	o = json_object_new_object();
	json_add_str(o, "name", name);
	json_add_bool(o, "read_only", ro);
	audit(r, "apikey_create", "apikey", id, o);
	o = key_json(res, 0);
	json_add_str(o, "key", key);
	db_res_free(res);
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

	if (query_paging(r, &limit, &offset))
		return 400;
	return reply_rows(r, db_query(r->app->db, SQL_KEY_LIST, "iii",
	    r->user.id, limit, offset), key_json);
}

/* DELETE /api/apikeys/{id} -> 200 {ok} | 404 (not the caller's) */
static int
apikey_delete(struct req *r)
{
	long long id = r->m.ids[0], n;

	n = db_exec(r->app->db, SQL_KEY_DELETE, "ii", id, r->user.id);
	if (n == -1)
		return reply_internal(r);
	if (n == 0)
		return reply_error(r, 404, "not_found", "No such API key.");
	audit(r, "apikey_revoke", "apikey", id, NULL);
	return reply_ok(r);
}

const struct route routes_apikeys[] = {
	{ "POST", "/api/apikeys", WHO_SESSION, 1, apikey_create },
	{ "GET", "/api/apikeys", WHO_USER, 0, apikey_list },
	{ "DELETE", "/api/apikeys/{id}", WHO_SESSION, 0, apikey_delete },
	{ NULL, NULL, 0, 0, NULL }
};
