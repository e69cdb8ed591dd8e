/* Administration (SPEC §4 Admin): the account lifecycle, the counters
 * and the audit log's rows.  Every change that could leave no active
 * administrator locks the admin rows first, then the target: one order
 * for everyone, so two admins cannot demote each other at once. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "acct.h"
#include "sql.h"

enum fs_err
acct_user_list(struct app *a, const char *status, long long limit,
    long long offset, struct db_res **rows)
{
	if (status)
		*rows = db_query(a->db, SQL_ADMIN_USERS_BY_STATUS, "sii",
		    status, limit, offset);
	else
		*rows = db_query(a->db, SQL_ADMIN_USERS, "ii", limit, offset);
	return *rows ? FS_OK : fs_db_fail(a);
}

/* The user id by statement st (SQL_USER_BY_ID or its locking twin). */
static enum fs_err
one_user(struct app *a, enum stmt st, long long id, struct acct_user *u)
{
	struct db_res *res;
	enum fs_err e = FS_NOT_FOUND;

	if ((res = db_query(a->db, st, "i", id)) == NULL)
		return fs_db_fail(a);
	if (db_rows(res) > 0) {
		acct_user_from_row(res, 0, u);
		e = FS_OK;
	}
	db_res_free(res);
	return e;
}

enum fs_err
acct_user_get(struct app *a, long long id, struct acct_user *u)
{
	return one_user(a, SQL_USER_BY_ID, id, u);
}

/* In a transaction: lock the active admins, then user id into u.
 * *admins: how many active admins there are. */
static enum fs_err
lock_user(struct app *a, long long id, struct acct_user *u, size_t *admins)
{
	struct db_res *res;

	if ((res = db_query(a->db, SQL_ADMIN_ACTIVE_ADMINS, "")) == NULL)
		return fs_db_fail(a);
	*admins = db_rows(res);
	db_res_free(res);
	return one_user(a, SQL_ADMIN_USER_LOCK, id, u);
}

static int
active_admin(const char *role, const char *status)
{
	return strcmp(role, "admin") == 0 && strcmp(status, "active") == 0;
}

/* The status after c: the order of these rules is the API's. */
static void
apply(const struct acct_change *c, struct acct_state *s)
{
	if (c->role)
		snprintf(s->role, sizeof(s->role), "%s", c->role);
	if (c->approved == 1)
		snprintf(s->status, sizeof(s->status), "active");
	if (c->suspended == 0 && strcmp(s->status, "suspended") == 0)
		snprintf(s->status, sizeof(s->status), "active");
	/* approved: false suspends an active account; a pending one stays
	 * pending (it was never approved). */
	if ((c->approved == 0 && strcmp(s->status, "active") == 0) ||
	    c->suspended == 1)
		snprintf(s->status, sizeof(s->status), "suspended");
	if (c->quota >= 0)
		s->quota = c->quota;
}

struct change {
	long long		 id;
	const struct acct_change *c;
	struct acct_state	*before, *after;
};

static enum fs_err
change_tx(struct app *a, void *arg)
{
	struct change *ch = arg;
	struct acct_user u;
	size_t admins;
	enum fs_err e;

	if ((e = lock_user(a, ch->id, &u, &admins)) != FS_OK)
		return e;
	memset(ch->before, 0, sizeof(*ch->before));
	snprintf(ch->before->role, sizeof(ch->before->role), "%s", u.role);
	snprintf(ch->before->status, sizeof(ch->before->status), "%s",
	    u.status);
	ch->before->quota = u.quota;
	*ch->after = *ch->before;
	apply(ch->c, ch->after);
	if (active_admin(ch->before->role, ch->before->status) &&
	    !active_admin(ch->after->role, ch->after->status) && admins <= 1)
		return FS_LAST_ADMIN;
	if (db_exec(a->db, SQL_ADMIN_USER_UPDATE, "ssii", ch->after->role,
	    ch->after->status, ch->after->quota, ch->id) == -1)
		return fs_db_fail(a);
	return FS_OK;
}

enum fs_err
acct_user_change(struct app *a, long long id, const struct acct_change *c,
    struct acct_state *before, struct acct_state *after)
{
	struct change ch = { id, c, before, after };

	return fs_tx(a, 0, change_tx, &ch);
}

struct removal {
	long long	 id;
	char		*username;
	struct db_res	*blobs;
};

static enum fs_err
delete_tx(struct app *a, void *arg)
{
	struct removal *rm = arg;
	struct acct_user u;
	size_t admins;
	enum fs_err e;
	long long n;

	db_res_free(rm->blobs);		/* a deadlocked attempt's */
	rm->blobs = NULL;
	if ((e = lock_user(a, rm->id, &u, &admins)) != FS_OK)
		return e;
	if (active_admin(u.role, u.status) && admins <= 1)
		return FS_LAST_ADMIN;
	snprintf(rm->username, 64, "%s", u.username);
	if ((rm->blobs = db_query(a->db, SQL_ADMIN_USER_FILES, "i",
	    rm->id)) == NULL)
		return fs_db_fail(a);
	if ((n = db_exec(a->db, SQL_ADMIN_USER_DELETE, "i", rm->id)) != 1)
		return n == -1 ? fs_db_fail(a) : FS_INTERNAL;
	return FS_OK;
}

enum fs_err
acct_user_delete(struct app *a, long long id, char username[64],
    long long *files)
{
	struct removal rm = { id, username, NULL };
	enum fs_err e;

	*username = '\0';
	*files = 0;
	if ((e = fs_tx(a, 0, delete_tx, &rm)) == FS_OK &&
	    (*files = (long long)db_rows(rm.blobs)) > 0)
		fs_unlink_blobs(a, rm.blobs, 0);
	db_res_free(rm.blobs);
	return e;
}

enum fs_err
acct_purge_pending(struct app *a, long long days, long long *n)
{
	if ((*n = db_exec(a->db, SQL_ADMIN_PURGE_PENDING, "i", days)) == -1)
		return fs_db_fail(a);
	return FS_OK;
}

enum fs_err
acct_stats(struct app *a, long long out[ACCT_STATS])
{
	struct db_res *res;
	size_t i;

	if ((res = db_query(a->db, SQL_ADMIN_STATS, "")) == NULL)
		return fs_db_fail(a);
	for (i = 0; i < ACCT_STATS; i++)
		out[i] = db_int(res, 0, i);
	db_res_free(res);
	return FS_OK;
}

enum fs_err
acct_audit_list(struct app *a, const struct acct_audit_query *q,
    struct db_res **rows)
{
	*rows = db_query(a->db, SQL_ADMIN_AUDIT, "iissssssi", q->before_id,
	    q->before_id, q->actor, q->actor, q->action, q->action, q->since,
	    q->since, q->limit);
	return *rows ? FS_OK : fs_db_fail(a);
}
