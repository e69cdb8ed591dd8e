#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "multipart.h"
#include "xmalloc.h"

#define BOUNDARY_MAX	70	/* RFC 2046 §5.1.1 */

enum state {
	S_PREAMBLE,	/* discard until the first delimiter */
	S_AFTER,	/* after a delimiter: "--", padding, or CRLF */
	S_DASH,		/* saw one '-' of the closing "--" */
	S_PADDING,	/* transport padding before CRLF */
	S_LF,		/* saw CR, want LF, then headers */
	S_HEADERS,	/* collecting a part's header block */
	S_DATA,		/* part body */
	S_EPILOGUE,
	S_ERROR
};

struct multipart {
	const struct mp_callbacks *cb;
	void		*arg;
	enum state	 state;
	enum mp_err	 err;
	char		 delim[BOUNDARY_MAX + 5];	/* "\r\n--" boundary */
	size_t		 dlen;
	size_t		 matched;	/* delimiter bytes matched so far */
	char		*hdr;		/* header block being collected */
	size_t		 hlen;
	int		 parts;
};

const char *
multipart_strerror(enum mp_err e)
{
	switch (e) {
	case MP_ERR_NONE: return "no error";
	case MP_ERR_BOUNDARY: return "the content type needs a valid boundary";
	case MP_ERR_SYNTAX: return "the body is not well-formed multipart";
	case MP_ERR_HEADER_TOO_LARGE: return "a part's headers are too large";
	case MP_ERR_TOO_MANY_PARTS: return "too many parts";
	case MP_ERR_CALLBACK: return "a part was refused";
	case MP_ERR_TRUNCATED: return "the body ends before its closing boundary";
	}
	return "unknown error";
}

/* RFC 2046 bcharsnospace plus space (not last). */
static int
bchar(int c)
{
	return isalnum(c) || (c && strchr("'()+_,-./:=? ", c));
}

/* Read a token or quoted-string (RFC 9110 §5.6) at *p into a heap
 * string; NULL if malformed.  Advances *p. */
static char *
param_value(const char **p)
{
	const char *s = *p;
	char *out;
	size_t o = 0;

	if (*s == '"') {
		out = xmalloc(strlen(s) + 1);
		/* Browsers and curl send backslashes unescaped (HTML's
		 * form encoding), so only \" and \\ are escapes here. */
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			out[o++] = *s;
		}
		if (*s != '"') {
			free(out);
			return NULL;
		}
		out[o] = '\0';
		*p = s + 1;
		return out;
	}
	o = strcspn(s, ";, \t");
	if (o == 0)
		return NULL;
	*p = s + o;
	return xstrndup(s, o);
}

/* Find parameter `name` in a header value "type; a=b; c="d"". */
static char *
param(const char *v, const char *name)
{
	size_t n = strlen(name);
	const char *p = v;
	char *val;

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		p += strspn(p, " \t");
		if (strncasecmp(p, name, n) == 0) {
			const char *q = p + n;

			q += strspn(q, " \t");
			if (*q == '=') {
				q++;
				q += strspn(q, " \t");
				return param_value(&q);
			}
		}
		/* Skip this parameter's value, quoted or not. */
		if ((p = strchr(p, '=')) == NULL)
			return NULL;
		p++;
		p += strspn(p, " \t");
		if ((val = param_value(&p)) == NULL)
			return NULL;
		free(val);
	}
	return NULL;
}

struct multipart *
multipart_new(const char *ct, const struct mp_callbacks *cb, void *arg,
    enum mp_err *err)
{
	struct multipart *m;
	char *b;
	size_t n, i;

	*err = MP_ERR_BOUNDARY;
	if (ct == NULL || strncasecmp(ct, "multipart/form-data", 19) != 0 ||
	    (ct[19] != '\0' && ct[19] != ';' && ct[19] != ' '))
		return NULL;
	if ((b = param(ct, "boundary")) == NULL)
		return NULL;
	n = strlen(b);
	for (i = 0; i < n; i++)
		if (!bchar((unsigned char)b[i]))
			break;
	if (n == 0 || n > BOUNDARY_MAX || i != n || b[n - 1] == ' ') {
		free(b);
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	m->cb = cb;
	m->arg = arg;
	memcpy(m->delim, "\r\n--", 4);
	memcpy(m->delim + 4, b, n);
	m->dlen = n + 4;
	free(b);
	/* The first delimiter may open the body without a CRLF before it:
	 * start as if the CRLF had been seen. */
	m->matched = 2;
	m->state = S_PREAMBLE;
	m->hdr = xmalloc(MP_MAX_HEADER + 1);
	*err = MP_ERR_NONE;
	return m;
}

static enum mp_rc
fail(struct multipart *m, enum mp_err e)
{
	m->state = S_ERROR;
	m->err = e;
	return MP_ERROR;
}

/* RFC 8187 ext-value "UTF-8''percent-encoded"; heap or NULL. */
static char *
ext_value(const char *v)
{
	const char *p;
	char *out;
	size_t o = 0;

	if (strncasecmp(v, "UTF-8'", 6) != 0 || (p = strchr(v + 6, '\'')) == NULL)
		return NULL;
	out = xmalloc(strlen(p) + 1);
	for (p++; *p; p++) {
		if (*p == '%' && isxdigit((unsigned char)p[1]) &&
		    isxdigit((unsigned char)p[2])) {
			char h[3] = { p[1], p[2], 0 };

			out[o] = (char)strtol(h, NULL, 16);
			p += 2;
		} else
			out[o] = *p;
		if (out[o] == '\0') {
			free(out);
			return NULL;
		}
		o++;
	}
	out[o] = '\0';
	return out;
}

/* Parse the collected header block and start the part. */
static enum mp_rc
begin_part(struct multipart *m)
{
	struct mp_part part = { NULL, NULL, NULL };
	char *line, *next, *ctype = NULL, *name = NULL, *fn = NULL, *fnx = NULL;
	int rc;

	if (++m->parts > MP_MAX_PARTS)
		return fail(m, MP_ERR_TOO_MANY_PARTS);
	m->hdr[m->hlen] = '\0';
	for (line = m->hdr; line && *line; line = next) {
		char *colon, *v;

		if ((next = strstr(line, "\r\n")) != NULL) {
			*next = '\0';
			next += 2;
		}
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		v = colon + 1;
		v += strspn(v, " \t");
		if (strcasecmp(line, "Content-Disposition") == 0) {
			if (strncasecmp(v, "form-data", 9) != 0)
				goto syntax;
			free(name);
			free(fn);
			free(fnx);
			name = param(v, "name");
			fn = param(v, "filename");
			if ((fnx = param(v, "filename*")) != NULL) {
				char *dec = ext_value(fnx);

				free(fnx);
				fnx = dec;
			}
		} else if (strcasecmp(line, "Content-Type") == 0) {
			free(ctype);
			ctype = xstrdup(v);
		}
	}
	part.name = name;
	part.filename = fnx ? fnx : fn;
	part.content_type = ctype;
	rc = m->cb->part_begin ? m->cb->part_begin(m->arg, &part) : 0;
	free(name);
	free(fn);
	free(fnx);
	free(ctype);
	if (rc != 0)
		return fail(m, MP_ERR_CALLBACK);
	m->state = S_DATA;
	m->matched = 0;
	return MP_AGAIN;
syntax:
	free(name);
	free(fn);
	free(fnx);
	free(ctype);
	return fail(m, MP_ERR_SYNTAX);
}

static int
emit(struct multipart *m, const char *p, size_t n)
{
	if (n == 0 || m->cb->part_data == NULL)
		return 0;
	return m->cb->part_data(m->arg, p, n);
}

enum mp_rc
multipart_feed(struct multipart *m, const char *buf, size_t len)
{
	const char *p = buf, *last = buf + len, *run, *cr;
	enum mp_rc rc;
	char c;

	if (m->state == S_ERROR)
		return MP_ERROR;
	while (p < last) {
		switch (m->state) {
		case S_PREAMBLE:
		case S_DATA:
			/* Fast path: body bytes up to the next CR go out in
			 * one call when no delimiter is half-matched. */
			if (m->matched == 0) {
				cr = memchr(p, '\r', last - p);
				run = cr ? cr : last;
				if (m->state == S_DATA && emit(m, p, run - p))
					return fail(m, MP_ERR_CALLBACK);
				p = run;
				if (p == last)
					break;
			}
			c = *p;
			if (c == m->delim[m->matched]) {
				p++;
				if (++m->matched == m->dlen) {
					m->matched = 0;
					if (m->state == S_DATA && m->cb->part_end &&
					    m->cb->part_end(m->arg))
						return fail(m, MP_ERR_CALLBACK);
					m->state = S_AFTER;
				}
				break;
			}
			/* Mismatch: the held-back bytes were data.  Only a CR
			 * can restart a match (it occurs once, first). */
			if (m->state == S_DATA &&
			    emit(m, m->delim, m->matched))
				return fail(m, MP_ERR_CALLBACK);
			m->matched = 0;
			if (c != '\r') {
				if (m->state == S_DATA && emit(m, p, 1))
					return fail(m, MP_ERR_CALLBACK);
				p++;
			}
			break;
		case S_AFTER:
			c = *p++;
			if (c == '-')
				m->state = S_DASH;
			else if (c == '\r')
				m->state = S_LF;
			else if (c == ' ' || c == '\t')
				m->state = S_PADDING;
			else
				return fail(m, MP_ERR_SYNTAX);
			break;
		case S_DASH:
			if (*p++ != '-')
				return fail(m, MP_ERR_SYNTAX);
			m->state = S_EPILOGUE;
			return MP_DONE;
		case S_PADDING:
			c = *p++;
			if (c == '\r')
				m->state = S_LF;
			else if (c != ' ' && c != '\t')
				return fail(m, MP_ERR_SYNTAX);
			break;
		case S_LF:
			if (*p++ != '\n')
				return fail(m, MP_ERR_SYNTAX);
			m->state = S_HEADERS;
			m->hlen = 0;
			break;
		case S_HEADERS:
			if (m->hlen == MP_MAX_HEADER)
				return fail(m, MP_ERR_HEADER_TOO_LARGE);
			m->hdr[m->hlen++] = *p++;
			/* The block ends with an empty line. */
			if ((m->hlen == 2 && memcmp(m->hdr, "\r\n", 2) == 0) ||
			    (m->hlen >= 4 &&
			    memcmp(m->hdr + m->hlen - 4, "\r\n\r\n", 4) == 0)) {
				m->hlen -= 2;
				if ((rc = begin_part(m)) != MP_AGAIN)
					return rc;
			}
			break;
		case S_EPILOGUE:
			return MP_DONE;
		case S_ERROR:
			return MP_ERROR;
		}
	}
	return m->state == S_EPILOGUE ? MP_DONE : MP_AGAIN;
}

enum mp_rc
multipart_finish(struct multipart *m)
{
	if (m->state == S_EPILOGUE)
		return MP_DONE;
	if (m->state != S_ERROR)
		fail(m, MP_ERR_TRUNCATED);
	return MP_ERROR;
}

enum mp_err
multipart_error(const struct multipart *m)
{
	return m->err;
}

void
multipart_free(struct multipart *m)
{
	if (m == NULL)
		return;
	free(m->hdr);
	free(m);
}
