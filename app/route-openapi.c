/* GET /api/openapi.json: this API as an OpenAPI 3.1 document, generated
 * from the route tables (paths, methods, who may call, whether a JSON
 * body is read) joined with their prose in app/api-doc.c (summary, notes,
 * examples, statuses).  The /docs page renders it; the tests validate it
 * with a real OpenAPI validator.  A route in a table without an api-doc entry is
 * published with "x-tcloud-undocumented": true, which the tests refuse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "app.h"
#include "api-doc.h"

static const char *
status_text(int s)
{
	switch (s) {
	case 200: return "OK";
	case 201: return "Created";
	case 206: return "Partial content (a single Range)";
	case 302: return "Redirect to the link page (browsers)";
	case 304: return "Not modified (If-None-Match)";
	case 400: return "Invalid input";
	case 401: return "Not signed in, or a wrong link password";
	case 403: return "Not allowed";
	case 404: return "Not found, or not yours";
	case 405: return "Method not allowed";
	case 409: return "Conflict";
	case 411: return "Length required";
	case 413: return "Too large";
	case 415: return "Unsupported media type";
	case 416: return "Range not satisfiable";
	case 429: return "Too many attempts (Retry-After)";
	case 500: return "Internal error";
	case 503: return "Database unreachable";
	case 507: return "Quota exceeded";
	}
	return "Error";
}

static json_object *
jstr(const char *s)
{
	return json_object_new_string(s);
}

static json_object *
schema_type(const char *type)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type", jstr(type));
	return o;
}

/* A JSON Schema read off an example value: the example is the
 * contract's shape, so the two cannot drift apart. */
static json_object *
infer(json_object *v)
{
	json_object *o, *props;
	size_t n;

	switch (json_object_get_type(v)) {
	case json_type_null:
		return json_object_new_object();	/* any */
	case json_type_boolean:
		return schema_type("boolean");
	case json_type_int:
		return schema_type("integer");
	case json_type_double:
		return schema_type("number");
	case json_type_string:
		return schema_type("string");
	case json_type_array:
		o = schema_type("array");
		n = json_object_array_length(v);
		if (n > 0)
			json_object_object_add(o, "items",
			    infer(json_object_array_get_idx(v, 0)));
		return o;
	case json_type_object:
		o = schema_type("object");
		props = json_object_new_object();
		/* Any field may be null in some reply (folder_id at the
		 * root, expires_at unset, ...): say so, or client generators
		 * would refuse real answers. */
		json_object_object_foreach(v, key, val) {
			json_object *ps = infer(val), *t, *pair;

			t = json_object_object_get(ps, "type");
			if (t != NULL && json_object_is_type(t, json_type_string)) {
				pair = json_object_new_array();
				json_object_array_add(pair,
				    jstr(json_object_get_string(t)));
				json_object_array_add(pair, jstr("null"));
				json_object_object_add(ps, "type", pair);
			}
			json_object_object_add(props, key, ps);
		}
		json_object_object_add(o, "properties", props);
		return o;
	}
	return json_object_new_object();
}

/* {"application/json": {"schema": ..., "example": ...}} from an example
 * text; NULL when there is none. */
static json_object *
json_content(const char *example)
{
	json_object *ex, *media, *c;

	if (example == NULL ||
	    (ex = json_parse_strict(example, strlen(example))) == NULL)
		return NULL;
	media = json_object_new_object();
	json_object_object_add(media, "schema", infer(ex));
	json_object_object_add(media, "example", ex);
	c = json_object_new_object();
	json_object_object_add(c, "application/json", media);
	return c;
}

static json_object *
ref(const char *to)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "$ref", jstr(to));
	return o;
}

static json_object *
error_content(void)
{
	json_object *c = json_object_new_object(), *m = json_object_new_object();

	json_object_object_add(m, "schema", ref("#/components/schemas/Error"));
	json_object_object_add(c, "application/json", m);
	return c;
}

static const struct api_doc *
find_doc(const char *method, const char *path)
{
	const struct api_doc *d;

	for (d = api_docs; d->method; d++)
		if (!strcmp(d->method, method) && !strcmp(d->path, path))
			return d;
	return NULL;
}

static void
add_response(json_object *resp, int status, const struct api_doc *d)
{
	json_object *r = json_object_new_object(), *c = NULL, *m;
	char key[8];

	json_object_object_add(r, "description", jstr(status_text(status)));
	if (status >= 400)
		c = error_content();
	else if ((status == 200 || status == 201 || status == 206) && d &&
	    d->kind == DOC_BYTES) {
		c = json_object_new_object();
		m = json_object_new_object();
		json_object_object_add(m, "schema", schema_type("string"));
		json_object_object_add(json_object_object_get(m, "schema"),
		    "contentMediaType", jstr("application/octet-stream"));
		json_object_object_add(c, "application/octet-stream", m);
	} else if ((status == 200 || status == 201) && d)
		c = json_content(d->response);
	if (c)
		json_object_object_add(r, "content", c);
	snprintf(key, sizeof(key), "%d", status);
	json_object_object_add(resp, key, r);
}

/* The statuses of one operation: the handler's own (from the doc), then
 * what the dispatcher adds for every route of its kind (routes.c). */
static json_object *
responses(const struct route *rt, const struct api_doc *d)
{
	json_object *resp = json_object_new_object();
	const char *p = d ? d->statuses : "200";
	char *end;
	int s;

	while (*p) {
		s = (int)strtol(p, &end, 10);
		if (s < 100 || s > 599)
			break;
		add_response(resp, s, d);
		p = end;
	}
	if (rt->who != WHO_ANYONE) {
		add_response(resp, 401, d);
		add_response(resp, 403, d);
	}
	if (rt->json_body) {
		add_response(resp, 400, d);
		add_response(resp, 413, d);
		add_response(resp, 415, d);
	}
	add_response(resp, 500, d);
	return resp;
}

static json_object *
parameters(const char *path, const struct api_doc *d)
{
	json_object *a = json_object_new_array(), *p;
	const struct api_param *q;
	const char *s, *e;

	/* Path parameters, from the pattern: {id} is a number. */
	for (s = strchr(path, '{'); s && (e = strchr(s, '}')); s = strchr(e, '{')) {
		char *name = strndup(s + 1, (size_t)(e - s - 1));

		p = json_object_new_object();
		json_object_object_add(p, "name", jstr(name));
		json_object_object_add(p, "in", jstr("path"));
		json_object_object_add(p, "required", json_object_new_boolean(1));
		json_object_object_add(p, "schema",
		    schema_type(strcmp(name, "id") == 0 ? "integer" : "string"));
		json_object_array_add(a, p);
		free(name);
	}
	for (q = d && d->params ? d->params : NULL; q && q->name; q++) {
		p = json_object_new_object();
		json_object_object_add(p, "name", jstr(q->name));
		json_object_object_add(p, "in", jstr(q->in));
		json_object_object_add(p, "description", jstr(q->description));
		json_object_object_add(p, "schema", schema_type(q->type));
		json_object_array_add(a, p);
	}
	return a;
}

static json_object *
request_body(const struct route *rt, const struct api_doc *d)
{
	json_object *b, *c, *m, *s, *props, *f;

	if (d && d->kind == DOC_MULTIPART) {
		props = json_object_new_object();
		f = schema_type("string");
		json_object_object_add(f, "contentMediaType",
		    jstr("application/octet-stream"));
		json_object_object_add(props, "file", f);
		json_object_object_add(props, "folder_id", schema_type("integer"));
		s = schema_type("object");
		json_object_object_add(s, "properties", props);
		json_object_object_add(s, "required", json_object_new_array());
		json_object_array_add(json_object_object_get(s, "required"),
		    jstr("file"));
		m = json_object_new_object();
		json_object_object_add(m, "schema", s);
		c = json_object_new_object();
		json_object_object_add(c, "multipart/form-data", m);
	} else if (rt->json_body) {
		if ((c = d ? json_content(d->body) : NULL) == NULL) {
			/* A body is read, but no example: any object. */
			m = json_object_new_object();
			json_object_object_add(m, "schema", schema_type("object"));
			c = json_object_new_object();
			json_object_object_add(c, "application/json", m);
		}
	} else
		return NULL;
	b = json_object_new_object();
	json_object_object_add(b, "required",
	    json_object_new_boolean(d == NULL || d->kind == DOC_MULTIPART ||
	    d->body != NULL));
	if (d && d->body_note)
		json_object_object_add(b, "description", jstr(d->body_note));
	json_object_object_add(b, "content", c);
	return b;
}

static void
add_operation(const struct route *rt, void *arg)
{
	json_object *paths = arg, *item, *op, *sec, *req, *tags;
	const struct api_doc *d = find_doc(rt->method, rt->pattern);
	/* indexed by enum who (app.h) */
	static const char *const who[] = { "anyone", "user", "admin", "session" };
	char id[160], *m, *p;
	size_t i;

	if (strncmp(rt->pattern, "/api/", 5) != 0)
		return;
	if ((item = json_object_object_get(paths, rt->pattern)) == NULL) {
		item = json_object_new_object();
		json_object_object_add(paths, rt->pattern, item);
	}
	op = json_object_new_object();
	/* operationId: get_api_files_id_download */
	snprintf(id, sizeof(id), "%s%s", rt->method, rt->pattern);
	for (p = id, i = 0; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9'))
			id[i++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		else if (i > 0 && id[i - 1] != '_')
			id[i++] = '_';
	}
	while (i > 0 && id[i - 1] == '_')
		i--;
	id[i] = '\0';
	json_object_object_add(op, "operationId", jstr(id));
	if (d) {
		tags = json_object_new_array();
		json_object_array_add(tags, jstr(d->tag));
		json_object_object_add(op, "tags", tags);
		json_object_object_add(op, "summary", jstr(d->summary));
		if (d->notes)
			json_object_object_add(op, "description", jstr(d->notes));
		json_object_object_add(op, "x-tcloud-auth", jstr(d->auth));
	} else
		json_object_object_add(op, "x-tcloud-undocumented",
		    json_object_new_boolean(1));
	json_object_object_add(op, "x-tcloud-who", jstr(who[rt->who]));
	json_object_object_add(op, "parameters", parameters(rt->pattern, d));
	if ((req = request_body(rt, d)) != NULL)
		json_object_object_add(op, "requestBody", req);
	json_object_object_add(op, "responses", responses(rt, d));
	sec = json_object_new_array();
	if (rt->who != WHO_ANYONE) {
		json_object *b = json_object_new_object(), *k = json_object_new_object();

		json_object_object_add(b, "bearerAuth", json_object_new_array());
		json_object_object_add(k, "apiKey", json_object_new_array());
		json_object_array_add(sec, b);
		if (rt->who == WHO_SESSION)	/* an API key gets 403 there */
			json_object_put(k);
		else
			json_object_array_add(sec, k);
	}
	json_object_object_add(op, "security", sec);
	m = strdup(rt->method);
	for (p = m; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	json_object_object_add(item, m, op);
	free(m);
}

static json_object *
components(void)
{
	json_object *c = json_object_new_object(), *schemas, *err, *props,
	    *req, *sec, *b, *k;

	err = schema_type("object");
	props = json_object_new_object();
	json_object_object_add(props, "error", schema_type("string"));
	json_object_object_add(props, "code", schema_type("string"));
	json_object_object_add(err, "properties", props);
	req = json_object_new_array();
	json_object_array_add(req, jstr("error"));
	json_object_array_add(req, jstr("code"));
	json_object_object_add(err, "required", req);
	json_object_object_add(err, "description", jstr("Every error: a "
	    "sentence for people and a snake_case code for programs."));
	schemas = json_object_new_object();
	json_object_object_add(schemas, "Error", err);
	json_object_object_add(c, "schemas", schemas);

	sec = json_object_new_object();
	b = json_object_new_object();
	json_object_object_add(b, "type", jstr("http"));
	json_object_object_add(b, "scheme", jstr("bearer"));
	json_object_object_add(b, "bearerFormat", jstr("JWT"));
	json_object_object_add(b, "description",
	    jstr("A token from POST /api/auth/login."));
	k = json_object_new_object();
	json_object_object_add(k, "type", jstr("apiKey"));
	json_object_object_add(k, "in", jstr("header"));
	json_object_object_add(k, "name", jstr("X-API-Key"));
	json_object_object_add(k, "description", jstr("A key from POST "
	    "/api/apikeys; a read-only key may call GET routes only."));
	json_object_object_add(sec, "bearerAuth", b);
	json_object_object_add(sec, "apiKey", k);
	json_object_object_add(c, "securitySchemes", sec);
	return c;
}

static json_object *
openapi_document(void)
{
	json_object *doc = json_object_new_object(), *info, *paths, *tags,
	    *t, *servers, *srv;
	const struct api_tag *tg;

	json_object_object_add(doc, "openapi", jstr("3.1.0"));
	info = json_object_new_object();
	json_object_object_add(info, "title", jstr("TCloud API"));
	json_object_object_add(info, "version", jstr(TCLOUD_VERSION));
	json_object_object_add(info, "description", jstr("Encrypted file "
	    "storage.  All responses are JSON except downloads; errors are "
	    "{\"error\", \"code\"}.  Times are UTC \"YYYY-MM-DD HH:MM:SS\"."));
	json_object_object_add(doc, "info", info);
	servers = json_object_new_array();
	srv = json_object_new_object();
	json_object_object_add(srv, "url", jstr("/"));
	json_object_array_add(servers, srv);
	json_object_object_add(doc, "servers", servers);
	tags = json_object_new_array();
	for (tg = api_tags; tg->id; tg++) {
		t = json_object_new_object();
		json_object_object_add(t, "name", jstr(tg->id));
		json_object_object_add(t, "x-displayName", jstr(tg->title));
		if (tg->note)
			json_object_object_add(t, "description", jstr(tg->note));
		json_object_array_add(tags, t);
	}
	json_object_object_add(doc, "tags", tags);
	paths = json_object_new_object();
	routes_each(add_operation, paths);
	json_object_object_add(doc, "paths", paths);
	json_object_object_add(doc, "components", components());
	return doc;
}

/* GET /api/openapi.json -> 200 {the document} */
static int
openapi_get(struct req *r)
{
	return reply_json(r, 200, openapi_document());
}

const struct route routes_openapi[] = {
	{ "GET", "/api/openapi.json", WHO_ANYONE, 0, openapi_get },
	{ NULL, NULL, 0, 0, NULL }
};
