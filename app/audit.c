/* The audit log (SPEC §4 Admin): a table, not the log stream.  A failed
 * audit insert is logged but does not fail the request it records. */
#include "json.h"
#include "log.h"
#include "app.h"
#include "sql.h"

void
audit_as(struct req *r, long long actor_id, const char *actor,
    const char *action, const char *target_type, long long target_id,
    json_object *details)
{
	const char *d = details ? json_text(details, NULL) : NULL;

	/* 'n' binds NULL for an absent (0) actor or target. */
	if (db_exec(r->app->db, SQL_AUDIT_INSERT, "nsssnss", actor_id, actor,
	    action, target_type, target_id, r->ip, d) == -1)
		log_err("audit insert failed for %s", action);
	if (details)
		json_object_put(details);
}

void
audit(struct req *r, const char *action, const char *target_type,
    long long target_id, json_object *details)
{
	audit_as(r, r->authed ? r->user.id : 0,
	    r->authed ? r->user.username : NULL, action, target_type,
	    target_id, details);
}
