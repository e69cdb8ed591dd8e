/* The JSON API's objects of the account service: users, API keys, the
 * admin counters and audit rows (SPEC §4). */
#include <string.h>

#include "app.h"
#include "acct.h"

json_object *
acct_user_json(const struct acct_user *u)
{
	json_object *o = json_object_new_object();

	json_add_int(o, "id", u->id);
	json_add_str(o, "username", u->username);
	json_add_str(o, "email", u->email);
	json_add_str(o, "role", u->role);
	json_add_str(o, "status", u->status);
	json_add_bool(o, "approved", strcmp(u->status, "active") == 0);
	json_add_int(o, "quota_bytes", u->quota);
	json_add_int(o, "used_bytes", u->used);
	json_add_opt(o, "created_at", u->created);
	json_add_opt(o, "last_login_at", u->last_login);
	return o;
}

json_object *
acct_user_row_json(const struct db_res *res, size_t i)
{
	struct acct_user u;

	acct_user_from_row(res, i, &u);
	return acct_user_json(&u);
}

json_object *
acct_key_json(const struct acct_key *k)
{
	json_object *o = json_object_new_object();

	json_add_int(o, "id", k->id);
	json_add_str(o, "name", k->name);
	json_add_opt(o, "created_at", k->created);
	json_add_opt(o, "last_used_at", k->last_used);
	json_add_opt(o, "expires_at", k->expires);
	json_add_bool(o, "read_only", k->read_only);
	return o;
}

json_object *
acct_key_row_json(const struct db_res *res, size_t i)
{
	struct acct_key k;

	acct_key_from_row(res, i, &k);
	return acct_key_json(&k);
}

json_object *
acct_stats_json(const long long stats[ACCT_STATS])
{
	static const char *const names[ACCT_STATS] = { "total_users",
	    "pending_users", "active_users", "suspended_users", "total_files",
	    "total_folders", "total_bytes", "public_links" };
	json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < ACCT_STATS; i++)
		json_add_int(o, names[i], stats[i]);
	return o;
}

json_object *
acct_audit_row_json(const struct db_res *res, size_t i)
{
	enum { A_ID, A_CREATED, A_ACTOR_ID, A_ACTOR, A_ACTION, A_TTYPE, A_TID,
	    A_IP, A_DETAILS };
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_col_int(res, i, A_ID));
	json_object_object_add(o, "created_at", json_col(res, i, A_CREATED));
	json_object_object_add(o, "actor_id", json_col_int(res, i, A_ACTOR_ID));
	json_object_object_add(o, "actor", json_col(res, i, A_ACTOR));
	json_object_object_add(o, "action", json_col(res, i, A_ACTION));
	json_object_object_add(o, "target_type", json_col(res, i, A_TTYPE));
	json_object_object_add(o, "target_id", json_col_int(res, i, A_TID));
	json_object_object_add(o, "ip", json_col(res, i, A_IP));
	/* details was written by audit() as JSON: give it back as such. */
	json_object_object_add(o, "details", db_null(res, i, A_DETAILS) ? NULL :
	    json_tokener_parse(db_str(res, i, A_DETAILS)));
	return o;
}
