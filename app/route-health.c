/* GET /api/health: liveness and database reachability (no auth). */
#include "json.h"
#include "app.h"

/* GET /api/health -> 200 {status, version, db} | 503 */
static int
health(struct req *r)
{
	json_object *o = json_object_new_object();
	int up = fs_ping(r->app) == 0;

	json_add_str(o, "status", up ? "ok" : "unavailable");
	json_add_str(o, "version", TCLOUD_VERSION);
	json_add_str(o, "db", up ? "ok" : "unreachable");
	if (!up) {
		json_add_str(o, "error", "The database is unreachable.");
		json_add_str(o, "code", "db_unavailable");
		http_set_header(r->http, "Retry-After", "5");
	}
	return reply_json(r, up ? 200 : 503, o);
}

const struct route routes_health[] = {
	{ "GET", "/api/health", WHO_ANYONE, 0, health },
	{ NULL, NULL, 0, 0, NULL }
};
