/* The route tables joined into one: match, authenticate, check who may
 * call, parse the JSON body, dispatch.  Done once, here, for every route. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "crypto.h"
#include "json.h"
#include "log.h"
#include "xmalloc.h"
#include "app.h"
#include "acct.h"

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

static int
trusted(const char *tp, const char *ip, size_t iplen)
{
	const char *p;
	size_t len;

	for (p = tp; *p; p += len, p += strspn(p, " ,")) {
		len = strcspn(p, " ,");
		if (len == iplen && len > 0 && strncmp(p, ip, len) == 0)
			return 1;
	}
	return 0;
}

static int
printable(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

/* The throttle subject of an address: IPv6 clients count per /64 (one
 * host usually holds a whole /64), IPv4-mapped ones as IPv4. */
static void
ip_bucket(const char *ip, char *out, size_t size)
{
	unsigned char a[16];
	char buf[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET6, ip, a) != 1) {
		snprintf(out, size, "%s", ip);
		return;
	}
	if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)a)) {
		inet_ntop(AF_INET, a + 12, buf, sizeof(buf));
		snprintf(out, size, "%s", buf);
		return;
	}
	memset(a + 8, 0, 8);
	inet_ntop(AF_INET6, a, buf, sizeof(buf));
	snprintf(out, size, "%s/64", buf);
}

/* The client address: REMOTE_ADDR, or when that is a trusted proxy the
 * right-most X-Forwarded-For hop that is not a trusted proxy, reading
 * every X-Forwarded-For line in order (a proxy may add its own line
 * below the client's forged one). */
static void
client_ip(struct req *r)
{
	const char *ra = http_param(r->http, "REMOTE_ADDR");
	const char *tp = r->app->conf.trusted_proxies, **lines;
	const char *hop = NULL;
	size_t n, i, len = 0;
	char *all, *p;

	snprintf(r->ip, sizeof(r->ip), "%s", ra ? ra : "");
	n = http_header_all(r->http, "X-Forwarded-For", NULL, 0);
	if (ra != NULL && n > 0 && *tp != '\0' && trusted(tp, ra, strlen(ra))) {
		/* Every line: the proxy's own is the last one. */
		lines = xcalloc(n, sizeof(*lines));
		http_header_all(r->http, "X-Forwarded-For", lines, n);
		all = xstrdup("");
		for (i = 0; i < n; i++) {
			p = xasprintf("%s%s%s", all, i ? "," : "", lines[i]);
			free(all);
			all = p;
		}
		/* From the right: skip our own proxies, stop at the first
		 * other hop; if all are ours, the left-most one. */
		for (p = all + strlen(all); ; p--) {
			if (p == all || p[-1] == ',') {
				const char *s = p + strspn(p, " \t");
				size_t l = strcspn(s, " \t,");

				/* A hop that is not printable ASCII is no
				 * address (the audit's and the throttle's
				 * columns could not even store it): the
				 * proxy that passed it on is the client. */
				if (l > 0 && !printable(s, l))
					break;
				if (l > 0) {
					hop = s;
					len = l;
					if (!trusted(tp, s, l))
						break;
				}
			}
			if (p == all)
				break;
		}
		if (hop)
			snprintf(r->ip, sizeof(r->ip), "%.*s", (int)len, hop);
		free(all);
		free(lines);
	}
	ip_bucket(r->ip, r->ipkey, sizeof(r->ipkey));
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

/* The JSON API's rendering of authentication verdicts (SPEC §3). */
static const struct {
	int		 status;
	const char	*code, *msg;
} verdicts[AUTH__MAX] = {
	[AUTH_NO_CREDENTIALS] = { 401, "unauthorized",
	    "Missing or invalid credentials." },
	[AUTH_BAD_CREDENTIALS] = { 401, "unauthorized",
	    "Missing or invalid credentials." },
	[AUTH_PENDING] = { 403, "account_pending",
	    "This account is awaiting approval by an administrator." },
	[AUTH_SUSPENDED] = { 403, "account_suspended",
	    "This account is suspended." },
	[AUTH_READ_ONLY] = { 403, "forbidden", "This API key is read-only." },
	[AUTH_ADMIN_ONLY] = { 403, "forbidden", "Administrators only." },
	[AUTH_SESSION_REQUIRED] = { 403, "session_required", "This needs a "
	    "signed-in session (Bearer token), not an API key." },
};

/* Authenticate r for route rt: 0 (r->user set), else the status of the
 * verdict's reply. */
static int
authenticate(struct req *r, const struct route *rt)
{
	struct auth_creds cr;
	enum auth_verdict v;
	const char *v2[2], *why;

	cr.bearer = http_header(r->http, "Authorization");
	cr.key = http_header(r->http, "X-API-Key");
	cr.repeated = http_header_all(r->http, "Authorization", v2, 2) > 1 ||
	    http_header_all(r->http, "X-API-Key", v2, 2) > 1;
	if ((v = auth_verify(r->app, &cr, &r->user, &why)) == AUTH_OK) {
		r->authed = 1;
		v = auth_permit(&r->user, rt->who, rt->method);
	}
	switch (v) {
	case AUTH_OK:
		return 0;
	case AUTH_UNAVAILABLE:
		return reply_unavailable(r);
	case AUTH_INTERNAL:
	case AUTH__MAX:
		return reply_internal(r);
	case AUTH_NO_CREDENTIALS:
	case AUTH_BAD_CREDENTIALS:
		log_info("auth: %s", why);
		break;
	default:
		break;
	}
	return reply_error(r, verdicts[v].status, verdicts[v].code, "%s",
	    verdicts[v].msg);
}

static int
dispatch(struct req *r)
{
	const struct route *rt;
	char allow[128];
	int rc;

	/* Every answer under /api/share/, errors and 404/405 included. */
	if (strncmp(r->http->path, "/api/share/", 11) == 0 ||
	    strcmp(r->http->path, "/api/share") == 0) {
		http_set_header(r->http, "X-Content-Type-Options", "nosniff");
		http_set_header(r->http, "Content-Security-Policy",
		    "default-src 'none'");
		http_set_header(r->http, "Referrer-Policy", "no-referrer");
	}
	if (http_query_valid(r->http) == -1)
		return reply_error(r, 400, "invalid_query", "The query string "
		    "has a malformed percent-escape.");
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
	if (rt->who != WHO_ANYONE && (rc = authenticate(r, rt)) != 0)
		return rc;
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
	const char *pfx, *tail;
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
	/* Link tokens are credentials: masked as in nginx's access log. */
	if (strncmp(h->path, "/api/share/", 11) == 0) {
		tail = h->path + 11 + strcspn(h->path + 11, "/");
		pfx = "/api/share/[masked]";
	} else
		tail = h->path, pfx = "";
	status = dispatch(&r);
	if (!h->sent) {
		log_err("%s %s%s: handler sent no reply", h->method, pfx, tail);
		status = reply_internal(&r);
	}
	/* The log records what the client got, whatever a handler returned. */
	if (h->sent && h->status)
		status = h->status;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("%s %s%s %d %s %ldms", h->method, pfx, tail, status,
	    r.authed ? r.user.username : "-", (long)((t1.tv_sec - t0.tv_sec) *
	    1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	if (r.body)
		json_object_put(r.body);
	explicit_bzero(&r.user, sizeof(r.user));
	log_set_request(NULL);
}
