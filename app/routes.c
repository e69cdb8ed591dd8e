/* The route tables joined into one: match, authenticate, check who may
 * call, parse the JSON body, dispatch.  Done once, here, for every route. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto.h"
#include "json.h"
#include "log.h"
#include "xmalloc.h"
#include "app.h"

#define MAX_JSON_BODY	(64 * 1024)
/* Any request body but an upload's: nginx refuses larger ones too
 * (conf/), this is the same line held by the worker. */
#define MAX_SMALL_BODY	(128 * 1024)

static const struct route *const tables[] = {
	routes_health, routes_auth, routes_apikeys, routes_files,
	routes_folders, routes_shares, routes_links, routes_public, routes_admin,
	routes_openapi,
};

static struct router_entry *entries;
static size_t nentries;

void
routes_init(void)
{
	size_t i, n = 0;
	const struct route *rt;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		for (rt = tables[i]; rt->method; rt++)
			n++;
	entries = xcalloc(n, sizeof(*entries));
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		for (rt = tables[i]; rt->method; rt++) {
			entries[nentries].method = rt->method;
			entries[nentries].pattern = rt->pattern;
			entries[nentries].data = rt;
			nentries++;
		}
}

void
routes_each(void (*fn)(const struct route *, void *), void *arg)
{
	const struct route *rt;
	size_t i;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		for (rt = tables[i]; rt->method; rt++)
			fn(rt, arg);
}

/* The client address: REMOTE_ADDR, or the last X-Forwarded-For hop when
 * REMOTE_ADDR is a configured trusted proxy. */
static void
client_ip(struct req *r)
{
	const char *ra = http_param(r->http, "REMOTE_ADDR");
	const char *xff = http_header(r->http, "X-Forwarded-For");
	const char *tp = r->app->conf.trusted_proxies, *p;
	size_t ralen;

	snprintf(r->ip, sizeof(r->ip), "%s", ra ? ra : "");
	if (ra == NULL || xff == NULL || *tp == '\0')
		return;
	ralen = strlen(ra);
	for (p = tp; *p; ) {
		size_t len = strcspn(p, " ,");

		if (len == ralen && strncmp(p, ra, len) == 0) {
			const char *last = strrchr(xff, ',');

			last = last ? last + 1 : xff;
			while (*last == ' ')
				last++;
			snprintf(r->ip, sizeof(r->ip), "%.*s",
			    (int)strcspn(last, " "), last);
			return;
		}
		p += len;
		p += strspn(p, " ,");
	}
}

static int
json_content_type(struct req *r)
{
	const char *ct = http_header(r->http, "Content-Type");
	size_t n = strlen("application/json");

	return ct && strncasecmp(ct, "application/json", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Read and parse a JSON object body.  0 ok, else status replied. */
static int
read_json(struct req *r)
{
	const char *ct;
	char *buf;
	size_t len;
	int rc;

	/* No body at all reads as {}: routes whose fields are all optional
	 * (POST .../share-link) then work with a bare curl -X POST, and the
	 * others say which field is missing. */
	ct = http_header(r->http, "Content-Type");
	if (r->http->content_length == 0 && (ct == NULL || *ct == '\0')) {
		r->body = json_object_new_object();
		return 0;
	}
	if (!json_content_type(r))
		return reply_error(r, 415, "unsupported_media_type",
		    "Send the body as application/json.");
	rc = http_read_body(r->http, MAX_JSON_BODY, &buf, &len);
	if (rc == -2)
		return reply_error(r, 413, "too_large",
		    "The JSON body is larger than %d bytes.", MAX_JSON_BODY);
	if (rc == -1)
		return reply_error(r, 400, "invalid_body",
		    "The request body could not be read.");
	r->body = json_parse_strict(buf, len);
	free(buf);
	if (r->body == NULL)
		return reply_error(r, 400, "invalid_json",
		    "The body is not valid JSON.");
	if (!json_object_is_type(r->body, json_type_object))
		return reply_error(r, 400, "invalid_json",
		    "The body must be a JSON object.");
	return 0;
}

static int
dispatch(struct req *r)
{
	const struct route *rt;
	char allow[128];
	int rc;

	switch (router_find(entries, nentries, r->http->method, r->http->path,
	    &r->m, allow, sizeof(allow))) {
	case ROUTER_NOT_FOUND:
		return reply_error(r, 404, "not_found", "No such route.");
	case ROUTER_BAD_METHOD:
		http_set_header(r->http, "Allow", "%s", allow);
		return reply_error(r, 405, "method_not_allowed",
		    "Method %s is not allowed here.", r->http->method);
	case ROUTER_FOUND:
		break;
	}
	rt = r->m.data;
	if (rt->json_body != BODY_STREAM &&
	    r->http->content_length > MAX_SMALL_BODY)
		return reply_error(r, 413, "too_large", "The request body is "
		    "larger than %d bytes.", MAX_SMALL_BODY);
	if (rt->who != WHO_ANYONE) {
		if ((rc = auth_request(r)) != 0)
			return rc;
		if (r->user.read_only && strcmp(rt->method, "GET") != 0)
			return reply_error(r, 403, "forbidden",
			    "This API key is read-only.");
		if (rt->who == WHO_ADMIN && !r->user.admin)
			return reply_error(r, 403, "forbidden",
			    "Administrators only.");
	}
	if (rt->json_body == 1 && (rc = read_json(r)) != 0)
		return rc;
	return rt->handler(r);
}

void
routes_dispatch(struct app *a, struct http *h)
{
	struct req r;
	unsigned char rid[8];
	struct timespec t0, t1;
	char *hex;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&r, 0, sizeof(r));
	r.app = a;
	r.http = h;
	crypto_nonce(rid, sizeof(rid));
	hex = crypto_hex(rid, sizeof(rid));
	snprintf(r.reqid, sizeof(r.reqid), "%s", hex);
	free(hex);
	log_set_request(r.reqid);
	client_ip(&r);
	http_set_header(h, "X-Request-Id", "%s", r.reqid);
	http_send_limits(h, (int)a->conf.send_timeout,
	    (uint64_t)a->conf.send_min_rate);
	status = dispatch(&r);
	if (!h->sent) {
		log_err("%s %s: handler sent no reply", h->method, h->path);
		status = reply_internal(&r);
	}
	/* The log records what the client got, whatever a handler returned. */
	if (h->sent && h->status)
		status = h->status;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("%s %s %d %s %ldms", h->method, h->path, status,
	    r.authed ? r.user.username : "-", (long)((t1.tv_sec - t0.tv_sec) *
	    1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	if (r.body)
		json_object_put(r.body);
	explicit_bzero(&r.user, sizeof(r.user));
	log_set_request(NULL);
}
