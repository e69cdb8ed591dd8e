/* Admin routes (SPEC §4 Admin): the account lifecycle. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "app.h"
#include "acct.h"

#define GIB	1073741824.0

/* GET /api/admin/users?status= -> 200 [{user}] */
static int
admin_users(struct req *r)
{
	long long limit, offset;
	struct db_res *rows;
	enum fs_err fe;
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
	fe = acct_user_list(r->app, status, limit, offset, &rows);
	free(status);
	if (fe != FS_OK)
		return reply_fs(r, fe, "user");
	return reply_rows(r, rows, acct_user_row_json);
}

static int
field_err(struct json_err *e, const char *msg)
{
	e->code = "invalid_field";
	snprintf(e->msg, sizeof(e->msg), "%s", msg);
	return -1;
}

/* Read the PATCH body into c.  0 ok, else -1 with e set. */
static int
read_change(struct req *r, struct acct_change *c, struct json_err *e)
{
	int approved, suspended, has;
	long long qb;
	double qg;

	c->role = NULL;
	c->approved = c->suspended = -1;
	c->quota = -1;
	if ((has = json_get_bool(r->body, "approved", 0, &approved, e)) < 0)
		return -1;
	if (has == 1)
		c->approved = approved;
	if ((has = json_get_bool(r->body, "suspended", 0, &suspended, e)) < 0)
		return -1;
	if (has == 1)
		c->suspended = suspended;
	if (json_get_string(r->body, "role", 0, &c->role, e) < 0)
		return -1;
	if (c->role && strcmp(c->role, "user") && strcmp(c->role, "admin"))
		return field_err(e, "'role' is \"user\" or \"admin\".");
	if ((has = json_get_number(r->body, "quota_gb", 0, &qg, e)) < 0)
		return -1;
	if (has == 1) {
		if (qg < 0 || qg > 1e9)
			return field_err(e,
			    "'quota_gb' must be between 0 and 1e9.");
		c->quota = llround(qg * GIB);
	}
	if ((has = json_get_int(r->body, "quota_bytes", 0, &qb, e)) < 0)
		return -1;
	if (has == 1) {
		if (qb < 0 || qb > (1LL << 60))
			return field_err(e,
			    "'quota_bytes' must be between 0 and 2^60.");
		c->quota = qb;
	}
	return 0;
}

static json_object *
state_json(const struct acct_state *s)
{
	json_object *o = json_object_new_object();

	json_add_str(o, "role", s->role);
	json_add_str(o, "status", s->status);
	json_add_int(o, "quota_bytes", s->quota);
	return o;
}

/* PATCH /api/admin/users/{id} {approved?, suspended?, role?, quota_gb?,
 * quota_bytes?} -> 200 {user} | 400 | 404 | 409 last_admin */
static int
admin_user_patch(struct req *r)
{
	long long id = r->m.ids[0];
	struct acct_state before, after;
	struct acct_change c;
	struct acct_user u;
	struct json_err e;
	json_object *d;
	enum fs_err fe;

	/* A missing user outranks a bad body (404 before 400). */
	if (read_change(r, &c, &e) == -1)
		return (fe = acct_user_get(r->app, id, &u)) == FS_OK ?
		    reply_invalid(r, &e) : reply_fs(r, fe, "user");
	if ((fe = acct_user_change(r->app, id, &c, &before, &after)) != FS_OK)
		return reply_fs(r, fe, "user");
	d = json_object_new_object();
	json_object_object_add(d, "before", state_json(&before));
	json_object_object_add(d, "after", state_json(&after));
	audit(r, "admin_user_update", "user", id, d);
	if ((fe = acct_user_get(r->app, id, &u)) != FS_OK)
		return reply_fs(r, fe == FS_NOT_FOUND ? FS_INTERNAL : fe, "user");
	return reply_json(r, 200, acct_user_json(&u));
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
	struct acct_audit_query q;
	struct db_res *rows;
	char sincebuf[20];
	enum fs_err fe;
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
	q.before_id = before;
	q.limit = limit;
	q.actor = actor;
	q.action = action;
	q.since = since ? sincebuf : NULL;
	if ((fe = acct_audit_list(r->app, &q, &rows)) != FS_OK)
		rc = reply_fs(r, fe, NULL);
	else
		rc = reply_rows(r, rows, acct_audit_row_json);
out:
	free(actor);
	free(action);
	free(since);
	free(lim);
	return rc;
}

/* DELETE /api/admin/users/{id} -> 200 {ok} | 404 | 409 last_admin.
 * The user and everything they own (acct_user_delete). */
static int
admin_user_delete(struct req *r)
{
	long long id = r->m.ids[0], files;
	char username[64];
	json_object *d;
	enum fs_err fe;

	if ((fe = acct_user_delete(r->app, id, username, &files)) != FS_OK)
		return reply_fs(r, fe, "user");
	d = json_object_new_object();
	json_add_str(d, "username", username);
	json_add_int(d, "files", files);
	audit(r, "admin_user_delete", "user", id, d);
	return reply_ok(r);
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
	enum fs_err fe;

	if (json_get_int(r->body, "older_than_days", 1, &days, &e) < 0)
		return reply_invalid(r, &e);
	if (days < 0 || days > 36500)
		return reply_error(r, 400, "invalid_field",
		    "'older_than_days' is an integer from 0 to 36500.");
	if ((fe = acct_purge_pending(r->app, days, &n)) != FS_OK)
		return reply_fs(r, fe, NULL);
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
	long long stats[ACCT_STATS];
	enum fs_err fe;

	if ((fe = acct_stats(r->app, stats)) != FS_OK)
		return reply_fs(r, fe, NULL);
	return reply_json(r, 200, acct_stats_json(stats));
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
