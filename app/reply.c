/* JSON replies and the error shape of SPEC §2: {"error", "code"}. */
#include <stdarg.h>
#include <stdio.h>

#include "json.h"
#include "log.h"
#include "app.h"

/* Seconds a client should wait while the database is unreachable:
 * workers reconnect on the next request, so a restart is this short. */
#define RETRY_AFTER_DB	5

int
reply_json(struct req *r, int status, json_object *obj)
{
	size_t len;
	const char *txt = json_text(obj, &len);

	http_set_header(r->http, "Content-Type", "application/json");
	http_set_header(r->http, "Content-Length", "%zu", len);
	http_set_header(r->http, "Cache-Control", "no-store");
	if (http_send_headers(r->http, status) == 0)
		http_write(r->http, txt, len);
	json_object_put(obj);
	return status;
}

int
reply_error(struct req *r, int status, const char *code, const char *fmt, ...)
{
	json_object *o = json_object_new_object();
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_add_str(o, "error", msg);
	json_add_str(o, "code", code);
	return reply_json(r, status, o);
}

int
reply_rows(struct req *r, struct db_res *res,
    json_object *(*row)(const struct db_res *, size_t))
{
	json_object *a;
	size_t i;

	if (res == NULL)
		return reply_internal(r);
	a = json_object_new_array();
	for (i = 0; i < db_rows(res); i++)
		json_object_array_add(a, row(res, i));
	db_res_free(res);
	return reply_json(r, 200, a);
}

int
reply_ok(struct req *r)
{
	json_object *o = json_object_new_object();

	json_add_bool(o, "ok", 1);
	return reply_json(r, 200, o);
}

int
reply_unavailable(struct req *r)
{
	http_set_header(r->http, "Retry-After", "%d", RETRY_AFTER_DB);
	return reply_error(r, 503, "unavailable", "The service is briefly "
	    "unavailable (request %s). Try again shortly.", r->reqid);
}

int
reply_internal(struct req *r)
{
	/* A database that cannot be reached is an outage, not a bug: the
	 * client should come back (SPEC §2 503 unavailable). */
	if (db_gone(r->app->db))
		return reply_unavailable(r);
	/* The cause is in the log, under this request id; never in the reply. */
	return reply_error(r, 500, "internal",
	    "Something went wrong on the server (request %s).", r->reqid);
}

int
reply_invalid(struct req *r, const struct json_err *e)
{
	return reply_error(r, 400, e->code, "%s", e->msg);
}
