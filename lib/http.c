#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "xmalloc.h"

int
http_init(struct http *h, FCGX_Request *r)
{
	const char *uri, *cl, *q;
	char *end;
	long long n;

	memset(h, 0, sizeof(*h));
	h->fcgi = r;
	h->content_length = -1;
	h->method = FCGX_GetParam("REQUEST_METHOD", r->envp);
	if (h->method == NULL)
		return -1;
	h->head = strcmp(h->method, "HEAD") == 0;
	/* DOCUMENT_URI is nginx's decoded, normalised path; fall back to
	 * REQUEST_URI minus the query for other servers. */
	if ((uri = FCGX_GetParam("DOCUMENT_URI", r->envp)) != NULL)
		h->path = xstrdup(uri);
	else if ((uri = FCGX_GetParam("REQUEST_URI", r->envp)) != NULL) {
		size_t len = strcspn(uri, "?");

		if ((h->path = http_urldecode(uri, len, 0)) == NULL)
			h->path = xstrdup("/");
	} else
		return -1;
	q = FCGX_GetParam("QUERY_STRING", r->envp);
	h->query = q ? q : "";
	if ((cl = FCGX_GetParam("CONTENT_LENGTH", r->envp)) != NULL && *cl) {
		errno = 0;
		n = strtoll(cl, &end, 10);
		if (errno == 0 && *end == '\0' && n >= 0 && isdigit((unsigned char)*cl))
			h->content_length = n;
	} else if (FCGX_GetParam("HTTP_TRANSFER_ENCODING", r->envp) != NULL)
		h->content_length = -1;	/* chunked, unbuffered: length unknown */
	else
		h->content_length = 0;
	/* mod_fcgid replaces CONTENT_LENGTH by what it read, which is 0 when
	 * Apache's LimitRequestBody emptied the body; the recipe passes the
	 * client's declared length.  Expecting that many bytes makes a body
	 * that is short or missing a broken one, never an empty success. */
	if ((cl = FCGX_GetParam("TCLOUD_DECLARED_LENGTH", r->envp)) != NULL &&
	    isdigit((unsigned char)*cl)) {
		errno = 0;
		n = strtoll(cl, &end, 10);
		if (errno == 0 && *end == '\0' && n > h->content_length &&
		    h->content_length >= 0)
			h->content_length = n;
	}
	return 0;
}

void
http_clear(struct http *h)
{
	size_t i;

	for (i = 0; i < h->nhdr; i++)
		free(h->hdr[i]);
	free(h->path);
	memset(h, 0, sizeof(*h));
}

const char *
http_param(const struct http *h, const char *name)
{
	return FCGX_GetParam(name, h->fcgi->envp);
}

const char *
http_header(const struct http *h, const char *name)
{
	char key[128];
	size_t i, n;

	if (strcasecmp(name, "Content-Type") == 0)
		return http_param(h, "CONTENT_TYPE");
	n = snprintf(key, sizeof(key), "HTTP_");
	for (i = 0; name[i] && n < sizeof(key) - 1; i++, n++)
		key[n] = name[i] == '-' ? '_' : toupper((unsigned char)name[i]);
	key[n] = '\0';
	return http_param(h, key);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *
http_urldecode(const char *s, size_t len, int plus_space)
{
	char *out = xmalloc(len + 1);
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len)
				goto bad;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			out[o] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus_space)
			out[o] = ' ';
		else
			out[o] = s[i];
		if (out[o] == '\0')
			goto bad;
		o++;
	}
	out[o] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

char *
http_query(const struct http *h, const char *name)
{
	const char *p = h->query, *amp, *eq;
	size_t nlen = strlen(name);

	while (*p) {
		amp = strchr(p, '&');
		if (amp == NULL)
			amp = p + strlen(p);
		eq = memchr(p, '=', amp - p);
		if ((size_t)((eq ? eq : amp) - p) == nlen &&
		    strncmp(p, name, nlen) == 0)
			return eq ? http_urldecode(eq + 1, amp - eq - 1, 1) :
			    xstrdup("");
		p = *amp ? amp + 1 : amp;
	}
	return NULL;
}

long
http_read(struct http *h, void *buf, size_t n)
{
	uint64_t left;
	int got;

	if (h->broken)
		return -1;
	if (h->content_length < 0)
		return -1;
	left = (uint64_t)h->content_length - h->body_read;
	if (left == 0)
		return 0;
	if (n > left)
		n = left;
	if (n > INT32_MAX)
		n = INT32_MAX;
	got = FCGX_GetStr(buf, (int)n, h->fcgi->in);
	/* A short read before CONTENT_LENGTH means the client (or an
	 * unbuffered proxy) went away: the body is incomplete. */
	if (got <= 0 || FCGX_GetError(h->fcgi->in) != 0) {
		h->broken = 1;
		return -1;
	}
	h->body_read += got;
	return got;
}

int
http_read_body(struct http *h, size_t max, char **buf, size_t *len)
{
	size_t cap, n = 0;
	char *b;
	long r;

	*buf = NULL;
	*len = 0;
	if (h->content_length < 0)
		return -1;
	if ((uint64_t)h->content_length > max)
		return -2;
	cap = (size_t)h->content_length;
	b = xmalloc(cap + 1);
	while (n < cap) {
		if ((r = http_read(h, b + n, cap - n)) <= 0) {
			free(b);
			return -1;
		}
		n += r;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

void
http_set_header(struct http *h, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *v;

	if (h->sent || h->nhdr == HTTP_MAX_HEADERS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&v, fmt, ap) < 0)
		v = NULL;
	va_end(ap);
	if (v == NULL)
		return;
	/* Header values never carry CR or LF: no response splitting. */
	for (char *p = v; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	h->hdr[h->nhdr++] = xasprintf("%s: %s", name, v);
	free(v);
}

int
http_send_headers(struct http *h, int status)
{
	size_t i;

	if (h->sent)
		return 0;
	h->sent = 1;
	h->status = status;
	FCGX_FPrintF(h->fcgi->out, "Status: %d %s\r\n", status,
	    http_reason(status));
	for (i = 0; i < h->nhdr; i++)
		FCGX_FPrintF(h->fcgi->out, "%s\r\n", h->hdr[i]);
	if (FCGX_PutStr("\r\n", 2, h->fcgi->out) < 0) {
		h->broken = 1;
		return -1;
	}
	return 0;
}

int
http_write(struct http *h, const void *buf, size_t n)
{
	if (h->head)
		return 0;
	while (n > 0) {
		int chunk = n > (1 << 30) ? (1 << 30) : (int)n;

		if (FCGX_PutStr(buf, chunk, h->fcgi->out) != chunk) {
			h->broken = 1;
			return -1;
		}
		buf = (const char *)buf + chunk;
		n -= chunk;
	}
	return 0;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 507: return "Insufficient Storage";
	default: return "Unknown";
	}
}
