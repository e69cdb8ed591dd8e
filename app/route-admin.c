/* Admin routes (SPEC §4 Admin): the account lifecycle. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "app.h"
#include "sql.h"

#define GIB	1073741824.0

static json_object *
user_json(const struct db_res *res, size_t i)
{
	json_object *o = json_object_new_object();
	const char *status = db_str(res, i, U_STATUS);

	json_object_object_add(o, "id", json_col_int(res, i, U_ID));
	json_object_object_add(o, "username", json_col(res, i, U_USERNAME));
	json_object_object_add(o, "email", json_col(res, i, U_EMAIL));
	json_object_object_add(o, "role", json_col(res, i, U_ROLE));
	json_add_str(o, "status", status);
	json_add_bool(o, "approved", strcmp(status, "active") == 0);
	json_object_object_add(o, "quota_bytes", json_col_int(res, i, U_QUOTA));
	json_object_object_add(o, "used_bytes", json_col_int(res, i, U_USED));
	json_object_object_add(o, "created_at", json_col(res, i, U_CREATED));
	json_object_object_add(o, "last_login_at",
	    json_col(res, i, U_LAST_LOGIN));
	return o;
}

/* GET /api/admin/users?status= -> 200 [{user}] */
static int
admin_users(struct req *r)
{
	long long limit, offset;
	struct db_res *res;
	char *status;

	if (query_paging(r, &limit, &offset))
		return 400;
	status = http_query(r->http, "status");
	if (status && strcmp(status, "pending") && strcmp(status, "active") &&
	    strcmp(status, "suspended")) {
		free(status);
		return reply_error(r, 400, "invalid_parameter",
		    "'status' is one of pending, active, suspended.");
	}
	if (status)
		res = db_query(r->app->db, SQL_ADMIN_USERS_BY_STATUS, "sii",
		    status, limit, offset);
	else
		res = db_query(r->app->db, SQL_ADMIN_USERS, "ii", limit, offset);
	free(status);
	return reply_rows(r, res, user_json);
}

struct user_change {
	char		 role[8], status[12];
	long long	 quota;
};

/* Read the PATCH body into c (which starts as the current values).
 * 0 ok, else the 400 replied. */
static int
read_change(struct req *r, struct user_change *c)
{
	struct json_err e;
	const char *role = NULL;
	int approved, suspended, has_a, has_s;
	long long qb;
	double qg;
	int has;

	if ((has_a = json_get_bool(r->body, "approved", 0, &approved, &e)) < 0 ||
	    (has_s = json_get_bool(r->body, "suspended", 0, &suspended, &e)) < 0 ||
	    json_get_string(r->body, "role", 0, &role, &e) < 0)
		return reply_invalid(r, &e);
	if (role) {
		if (strcmp(role, "user") && strcmp(role, "admin"))
			return reply_error(r, 400, "invalid_field",
			    "'role' is \"user\" or \"admin\".");
		snprintf(c->role, sizeof(c->role), "%s", role);
	}
	/* approved: true activates (and lifts a suspension); approved: false
	 * or suspended: true suspends; suspended: false reactivates. */
	if (has_a == 1 && approved)
		snprintf(c->status, sizeof(c->status), "active");
	if (has_s == 1 && !suspended && strcmp(c->status, "suspended") == 0)
		snprintf(c->status, sizeof(c->status), "active");
	/* approved: false suspends an active account; a pending one stays
	 * pending (it was never approved). */
	if ((has_a == 1 && !approved && strcmp(c->status, "active") == 0) ||
	    (has_s == 1 && suspended))
		snprintf(c->status, sizeof(c->status), "suspended");
	if ((has = json_get_number(r->body, "quota_gb", 0, &qg, &e)) < 0)
		return reply_invalid(r, &e);
	if (has == 1) {
		if (qg < 0 || qg > 1e9)
			return reply_error(r, 400, "invalid_field",
			    "'quota_gb' must be between 0 and 1e9.");
		c->quota = llround(qg * GIB);
	}
	if ((has = json_get_int(r->body, "quota_bytes", 0, &qb, &e)) < 0)
		return reply_invalid(r, &e);
	if (has == 1) {
		if (qb < 0 || qb > (1LL << 60))
			return reply_error(r, 400, "invalid_field",
			    "'quota_bytes' must be between 0 and 2^60.");
		c->quota = qb;
	}
	return 0;
}

static json_object *
change_json(const struct user_change *c)
{
	json_object *o = json_object_new_object();

	json_add_str(o, "role", c->role);
	json_add_str(o, "status", c->status);
	json_add_int(o, "quota_bytes", c->quota);
	return o;
}

/* PATCH /api/admin/users/{id} {approved?, suspended?, role?, quota_gb?,
 * quota_bytes?} -> 200 {user} | 400 | 404 | 409 last_admin */
static int
admin_user_patch(struct req *r)
{
	struct db *db = r->app->db;
	long long id = r->m.ids[0];
	struct user_change before, after;
	struct db_res *res = NULL, *admins = NULL;
	json_object *d;
	int rc, was_admin, is_admin;

	if (db_begin(db) == -1)
		return reply_internal(r);
	/* Lock the admins first, then the target: one order for everyone. */
	if ((admins = db_query(db, SQL_ADMIN_ACTIVE_ADMINS, "")) == NULL ||
	    (res = db_query(db, SQL_ADMIN_USER_LOCK, "i", id)) == NULL) {
		db_res_free(admins);
		db_rollback(db);
		return reply_internal(r);
	}
	if (db_rows(res) == 0) {
		rc = reply_error(r, 404, "not_found", "No such user.");
		goto fail;
	}
	memset(&before, 0, sizeof(before));
	snprintf(before.role, sizeof(before.role), "%s", db_str(res, 0, U_ROLE));
	snprintf(before.status, sizeof(before.status), "%s",
	    db_str(res, 0, U_STATUS));
	before.quota = db_int(res, 0, U_QUOTA);
	after = before;
	db_res_free(res);
	res = NULL;
	if ((rc = read_change(r, &after)) != 0)
		goto fail;
	was_admin = !strcmp(before.role, "admin") && !strcmp(before.status, "active");
	is_admin = !strcmp(after.role, "admin") && !strcmp(after.status, "active");
	if (was_admin && !is_admin && db_rows(admins) <= 1) {
		rc = reply_error(r, 409, "last_admin",
		    "This is the last active administrator.");
		goto fail;
	}
	if (db_exec(db, SQL_ADMIN_USER_UPDATE, "ssii", after.role, after.status,
	    after.quota, id) == -1 || db_commit(db) == -1) {
		rc = reply_internal(r);
		goto fail;
	}
	db_res_free(admins);
	d = json_object_new_object();
	json_object_object_add(d, "before", change_json(&before));
	json_object_object_add(d, "after", change_json(&after));
	audit(r, "admin_user_update", "user", id, d);
	if ((res = db_query(db, SQL_USER_BY_ID, "i", id)) == NULL ||
	    db_rows(res) == 0) {
		db_res_free(res);
		return reply_internal(r);
	}
	d = user_json(res, 0);
	db_res_free(res);
	return reply_json(r, 200, d);
fail:
	db_res_free(res);
	db_res_free(admins);
	db_rollback(db);
	return rc;
}

static json_object *
audit_json(const struct db_res *res, size_t i)
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

/* GET /api/admin/audit?limit=&before_id=&actor=&action=&since= -> 200
 * [{id, created_at, actor_id, actor, action, target_type, target_id, ip,
 * details}], newest first */
static int
admin_audit(struct req *r)
{
	long long limit = 200, before = 0, since_t;
	char *actor = http_query(r->http, "actor");
	char *action = http_query(r->http, "action");
	char *since = http_query(r->http, "since");
	char *lim = http_query(r->http, "limit");
	char sincebuf[20];
	int rc;

	if (lim && ((limit = atoll(lim)) < 1 || limit > 1000 ||
	    strspn(lim, "0123456789") != strlen(lim))) {
		rc = reply_error(r, 400, "invalid_parameter",
		    "'limit' must be between 1 and 1000.");
		goto out;
	}
	if (query_id(r, "before_id", &before) == -1) {
		rc = reply_error(r, 400, "invalid_parameter",
		    "'before_id' must be a positive integer.");
		goto out;
	}
	if (since && time_parse(since, &since_t) == -1) {
		rc = reply_error(r, 400, "invalid_parameter",
		    "'since' must be a UTC time \"YYYY-MM-DD HH:MM:SS\".");
		goto out;
	}
	if (since)
		time_format(since_t, sincebuf);
	rc = reply_rows(r, db_query(r->app->db, SQL_ADMIN_AUDIT, "iissssssi",
	    before, before, actor, actor, action, action,
	    since ? sincebuf : NULL, since ? sincebuf : NULL, limit), audit_json);
out:
	free(actor);
	free(action);
	free(since);
	free(lim);
	return rc;
}

/* DELETE /api/admin/users/{id} -> 200 {ok} | 404 | 409 last_admin.
 * The user and everything they own; rows first, blob files after (a
 * crash between leaves orphans for gc). */
static int
admin_user_delete(struct req *r)
{
	struct db *db = r->app->db;
	long long id = r->m.ids[0];
	struct db_res *admins = NULL, *user = NULL, *blobs = NULL;
	json_object *d;
	int rc;

	if (db_begin(db) == -1)
		return reply_internal(r);
	if ((admins = db_query(db, SQL_ADMIN_ACTIVE_ADMINS, "")) == NULL ||
	    (user = db_query(db, SQL_ADMIN_USER_LOCK, "i", id)) == NULL)
		goto fail;
	if (db_rows(user) == 0) {
		rc = reply_error(r, 404, "not_found", "No such user.");
		goto out;
	}
	if (!strcmp(db_str(user, 0, U_ROLE), "admin") &&
	    !strcmp(db_str(user, 0, U_STATUS), "active") && db_rows(admins) <= 1) {
		rc = reply_error(r, 409, "last_admin",
		    "This is the last active administrator.");
		goto out;
	}
	if ((blobs = db_query(db, SQL_ADMIN_USER_FILES, "i", id)) == NULL ||
	    db_exec(db, SQL_ADMIN_USER_DELETE, "i", id) != 1 ||
	    db_commit(db) == -1)
		goto fail;
	fs_unlink_blobs(r->app, blobs, 0);
	d = json_object_new_object();
	json_object_object_add(d, "username", json_col(user, 0, U_USERNAME));
	json_add_int(d, "files", (long long)db_rows(blobs));
	audit(r, "admin_user_delete", "user", id, d);
	db_res_free(admins);
	db_res_free(user);
	db_res_free(blobs);
	return reply_ok(r);
fail:
	rc = reply_internal(r);
out:
	db_rollback(db);
	db_res_free(admins);
	db_res_free(user);
	db_res_free(blobs);
	return rc;
}

/* POST /api/admin/users/purge-pending {older_than_days} -> 200 {ok,
 * purged} | 400.  Deletes accounts still pending (never approved, so
 * they own no files) registered more than that many days ago: squatted
 * names and email addresses come free again. */
static int
admin_purge_pending(struct req *r)
{
	struct json_err e;
	json_object *d;
	long long days, n;

	if (json_get_int(r->body, "older_than_days", 1, &days, &e) < 0)
		return reply_invalid(r, &e);
	if (days < 0 || days > 36500)
		return reply_error(r, 400, "invalid_field",
		    "'older_than_days' is an integer from 0 to 36500.");
	if ((n = db_exec(r->app->db, SQL_ADMIN_PURGE_PENDING, "i", days)) == -1)
		return reply_internal(r);
	d = json_object_new_object();
	json_add_int(d, "older_than_days", days);
	json_add_int(d, "purged", n);
	audit(r, "admin_purge_pending", "user", 0, d);
	d = json_object_new_object();
	json_add_bool(d, "ok", 1);
	json_add_int(d, "purged", n);
	return reply_json(r, 200, d);
}

/* GET /api/admin/stats -> 200 {total_users, pending_users, active_users,
 * suspended_users, total_files, total_folders, total_bytes, public_links} */
static int
admin_stats(struct req *r)
{
	static const char *names[] = { "total_users", "pending_users",
	    "active_users", "suspended_users", "total_files", "total_folders",
	    "total_bytes", "public_links" };
	struct db_res *res;
	json_object *o;
	size_t i;

	if ((res = db_query(r->app->db, SQL_ADMIN_STATS, "")) == NULL)
		return reply_internal(r);
	o = json_object_new_object();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		json_add_int(o, names[i], db_int(res, 0, i));
	db_res_free(res);
	return reply_json(r, 200, o);
}

const struct route routes_admin[] = {
	{ "DELETE", "/api/admin/users/{id}", WHO_ADMIN, 0, admin_user_delete },
	{ "GET", "/api/admin/stats", WHO_ADMIN, 0, admin_stats },
	{ "GET", "/api/admin/audit", WHO_ADMIN, 0, admin_audit },
	{ "GET", "/api/admin/users", WHO_ADMIN, 0, admin_users },
	{ "PATCH", "/api/admin/users/{id}", WHO_ADMIN, 1, admin_user_patch },
	{ "POST", "/api/admin/users/purge-pending", WHO_ADMIN, 1,
	    admin_purge_pending },
	{ NULL, NULL, 0, 0, NULL }
};
