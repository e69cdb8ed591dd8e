/* multipart/form-data (RFC 7578) over the framing of RFC 2046 §5.1:
 *
 *	preamble CRLF? "--" boundary padding CRLF
 *	    headers CRLF body CRLF "--" boundary padding CRLF
 *	    headers CRLF body CRLF "--" boundary "--" epilogue
 *
 * The parser is a state machine in the manner of nginx's: the state lives
 * in struct multipart, and each byte moves it on, so any split of the
 * input gives the same result.  A part's body is passed on as it comes;
 * only bytes that match a prefix of the delimiter are held back, and they
 * are not copied: they are the delimiter's own bytes. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "multipart.h"
#include "xmalloc.h"

#define BOUNDARY_MAX	70	/* RFC 2046 §5.1.1 */

enum mp_state {
	sw_body = 0,		/* preamble or body: matching the delimiter */
	sw_boundary_end,	/* all of CRLF "--" boundary matched */
	sw_close_dash,		/* ... and "-": a second one closes */
	sw_boundary_cr,		/* ... and CR: LF ends a delimiter line */
	sw_padding,		/* transport padding after a delimiter */
	sw_padding_cr,
	sw_header_start,	/* at the start of a header line */
	sw_header_line,
	sw_header_lf,		/* CR of a header line seen */
	sw_headers_lf,		/* CR of the empty line seen */
	sw_done,		/* closing delimiter seen: epilogue */
	sw_error
};

struct multipart {
	const struct mp_callbacks *cb;
	void		*arg;
	enum mp_state	 state;
	enum mp_err	 err;
	struct mp_limits lim;
	int		 in_part;	/* 0 in the preamble */
	unsigned	 parts;
	char		 delim[4 + BOUNDARY_MAX];	/* CRLF "--" boundary */
	size_t		 dlen;
	size_t		 matched;	/* delimiter bytes held back */
	char		*hdr;		/* header lines, each ended by '\n' */
	size_t		 hlen;		/* bytes in hdr */
	size_t		 hcap;
	size_t		 hbytes;	/* header bytes read, CRLFs included */
};

static const struct mp_callbacks no_callbacks;

const char *
multipart_strerror(enum mp_err e)
{
	switch (e) {
	case MP_ERR_NONE:
		return "No error.";
	case MP_ERR_BOUNDARY:
		return "The content type must be multipart/form-data with a "
		    "boundary of 1 to 70 characters.";
	case MP_ERR_SYNTAX:
		return "The multipart body is not well-formed.";
	case MP_ERR_HEADER_TOO_LARGE:
		return "The headers of a part are too large.";
	case MP_ERR_TOO_MANY_PARTS:
		return "The body has too many parts.";
	case MP_ERR_CALLBACK:
		return "A part of the body was refused.";
	case MP_ERR_TRUNCATED:
		return "The body ends before its closing boundary.";
	}
	return "Unknown multipart error.";
}

/* RFC 9110 §5.6.2 tchar. */
static int
tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z') || (c != '\0' && strchr("!#$%&'*+-.^_`|~",
	    c) != NULL);
}

/* RFC 2046 §5.1.1 bcharsnospace, plus the space allowed before the end. */
static int
bchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z') || (c != '\0' && strchr("'()+_,-./:=? ",
	    c) != NULL);
}

/* RFC 2045 §5.1 tspecials. */
static int
tspecial(unsigned char c)
{
	return c != '\0' && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

/* The next parameter of a header value at *sp, after the type token:
 * *( OWS ";" OWS [ name "=" value ] ) with the value a token or a
 * quoted-string (RFC 9110 §5.6.4, §5.6.6).  Returns 1 with *attr, *alen
 * and *val (heap, unquoted) set, 0 at the end, -1 on bad syntax.  Empty
 * parameters ("a;;b", a final ';') are skipped, as senders make them.
 *
 * Unquoted values are taken up to ';' or white space, a little wider than
 * a token.  In a quoted-string a backslash escapes only a tspecial: MSIE
 * sends a full path unescaped, "C:\dir\a.txt", and no known sender
 * escapes a letter (the rule of Go's mime package). */
static int
param_next(const char **sp, const char **attr, size_t *alen, char **val)
{
	const char *s = *sp;
	char *out;
	size_t n;

	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0') {
			*sp = s;
			return 0;
		}
		if (*s++ != ';')
			return -1;
		s += strspn(s, " \t");
		if (*s != ';' && *s != '\0')
			break;
	}
	for (n = 0; tchar((unsigned char)s[n]); n++)
		continue;
	if (n == 0)
		return -1;
	*attr = s;
	*alen = n;
	s += n;
	s += strspn(s, " \t");
	if (*s++ != '=')
		return -1;
	s += strspn(s, " \t");
	if (*s == '"') {
		out = xmalloc(strlen(s));
		for (n = 0, s++; *s != '"'; s++) {
			if (*s == '\0') {
				free(out);
				return -1;
			}
			if (*s == '\\' && tspecial((unsigned char)s[1]))
				s++;
			out[n++] = *s;
		}
		out[n] = '\0';
		s++;
	} else {
		n = strcspn(s, "; \t\"");
		if (n == 0)
			return -1;
		out = xstrndup(s, n);
		s += n;
	}
	*val = out;
	*sp = s;
	return 1;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode an RFC 8187 ext-value, charset "'" [language] "'" value-chars,
 * with charset UTF-8 or ISO-8859-1 (made UTF-8).  Heap, or NULL if it is
 * malformed, of another charset, or decodes to a NUL. */
static char *
ext_value(const char *v)
{
	const char *p, *q;
	char *out;
	size_t n = 0;
	int latin1, hi, lo;
	unsigned char c;

	if ((p = strchr(v, '\'')) == NULL || (q = strchr(p + 1, '\'')) == NULL)
		return NULL;
	if (p - v == 5 && strncasecmp(v, "UTF-8", 5) == 0)
		latin1 = 0;
	else if (p - v == 10 && strncasecmp(v, "ISO-8859-1", 10) == 0)
		latin1 = 1;
	else
		return NULL;
	out = xmalloc(2 * strlen(q) + 1);
	for (p = q + 1; *p != '\0'; p++) {
		c = (unsigned char)*p;
		if (c == '%') {
			if ((hi = hexval(p[1])) == -1 ||
			    (lo = hexval(p[2])) == -1)
				goto bad;
			c = (unsigned char)(hi << 4 | lo);
			p += 2;
			if (c == '\0')
				goto bad;
		} else if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z') || strchr("!#$&+-.^_`|~", c)))
			goto bad;	/* RFC 8187 §3.2.1 attr-char */
		if (latin1 && c >= 0x80) {
			out[n++] = (char)(0xc0 | c >> 6);
			out[n++] = (char)(0x80 | (c & 0x3f));
		} else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

struct multipart *
multipart_new(const char *ct, const struct mp_callbacks *cb, void *arg,
    enum mp_err *err)
{
	struct multipart *m;
	const char *p = ct, *attr;
	char *val, *b = NULL;
	size_t alen, n, i;
	int rc;

	*err = MP_ERR_BOUNDARY;
	if (p == NULL)
		return NULL;
	/* RFC 9110 §8.3.1: type and subtype are case-insensitive. */
	p += strspn(p, " \t");
	if (strncasecmp(p, "multipart/form-data", 19) != 0)
		return NULL;
	p += 19;
	if (*p != '\0' && *p != ';' && *p != ' ' && *p != '\t')
		return NULL;
	while ((rc = param_next(&p, &attr, &alen, &val)) == 1) {
		if (alen == 8 && strncasecmp(attr, "boundary", 8) == 0 &&
		    b == NULL)
			b = val;
		else if (alen == 8 && strncasecmp(attr, "boundary", 8) == 0)
			rc = -1, free(val);	/* twice: which one? */
		else
			free(val);
		if (rc == -1)
			break;
	}
	if (rc == -1 || b == NULL) {
		free(b);
		return NULL;
	}
	/* RFC 2046 §5.1.1: 1 to 70 bchars, the last not a space. */
	n = strlen(b);
	for (i = 0; i < n && bchar((unsigned char)b[i]); i++)
		continue;
	if (n == 0 || n > BOUNDARY_MAX || i != n || b[n - 1] == ' ') {
		free(b);
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	m->cb = cb != NULL ? cb : &no_callbacks;
	m->arg = arg;
	m->lim.max_header = MP_MAX_HEADER;
	m->lim.max_parts = MP_MAX_PARTS;
	memcpy(m->delim, "\r\n--", 4);
	memcpy(m->delim + 4, b, n);
	m->dlen = 4 + n;
	free(b);
	/* The first delimiter may open the body with no CRLF before it
	 * (RFC 2046 §5.1.1: the CRLF belongs to the preamble): start as if
	 * a CRLF had just been seen. */
	m->state = sw_body;
	m->matched = 2;
	*err = MP_ERR_NONE;
	return m;
}

void
multipart_limits(struct multipart *m, const struct mp_limits *lim)
{
	m->lim.max_header = lim->max_header ? lim->max_header : MP_MAX_HEADER;
	m->lim.max_parts = lim->max_parts ? lim->max_parts : MP_MAX_PARTS;
	if (m->hdr != NULL && m->hcap < m->lim.max_header + 1) {
		m->hcap = m->lim.max_header + 1;
		m->hdr = xrealloc(m->hdr, m->hcap);
	}
}

/* Pass len bytes of a part's body on; preamble bytes are dropped.
 * -1 if the callback refused them. */
static int
emit(struct multipart *m, const char *p, size_t len)
{
	if (!m->in_part || len == 0 || m->cb->part_data == NULL)
		return 0;
	return m->cb->part_data(m->arg, p, len) != 0 ? -1 : 0;
}

/* A delimiter was confirmed: it ends the current part, if any. */
static int
delimiter(struct multipart *m)
{
	int was = m->in_part;

	m->in_part = 0;
	m->matched = 0;
	if (!was || m->cb->part_end == NULL)
		return 0;
	return m->cb->part_end(m->arg) != 0 ? -1 : 0;
}

/* A delimiter line ended: a part's headers follow. */
static enum mp_err
part_next(struct multipart *m)
{
	if (++m->parts > m->lim.max_parts)
		return MP_ERR_TOO_MANY_PARTS;
	if (m->hcap < m->lim.max_header + 1) {
		m->hcap = m->lim.max_header + 1;
		m->hdr = xrealloc(m->hdr, m->hcap);
	}
	m->hlen = 0;
	m->hbytes = 0;
	return MP_ERR_NONE;
}

/* Parse the header block of a part (RFC 7578 §4.2, §4.4) and call
 * part_begin.  Content-Disposition must be form-data with a name; other
 * headers than it and Content-Type are ignored (§4.7, §4.8). */
static enum mp_err
part_begin(struct multipart *m)
{
	struct mp_part part;
	char *line, *next, *colon, *v, *e, *val, **slot;
	char *name = NULL, *fn = NULL, *fnx = NULL, *ctype = NULL, *dec;
	const char *p, *attr;
	enum mp_err err = MP_ERR_SYNTAX;
	size_t alen;
	int disp = 0, rc;

	m->hdr[m->hlen] = '\0';
	for (line = m->hdr; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		/* RFC 9110 §5.1: a token, then the colon, no space between. */
		for (colon = line; tchar((unsigned char)*colon); colon++)
			continue;
		if (colon == line || *colon != ':')
			goto out;
		*colon = '\0';
		v = colon + 1;
		v += strspn(v, " \t");
		for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = '\0';
		if (strcasecmp(line, "Content-Type") == 0) {
			if (ctype != NULL)
				goto out;
			ctype = xstrdup(v);
			continue;
		}
		if (strcasecmp(line, "Content-Disposition") != 0)
			continue;
		if (disp++)
			goto out;
		/* RFC 7578 §4.2, RFC 2183 §2: the type is case-insensitive. */
		if (strncasecmp(v, "form-data", 9) != 0 || (v[9] != '\0' &&
		    v[9] != ';' && v[9] != ' ' && v[9] != '\t'))
			goto out;
		p = v + 9;
		while ((rc = param_next(&p, &attr, &alen, &val)) == 1) {
			slot = NULL;
			if (alen == 4 && strncasecmp(attr, "name", 4) == 0)
				slot = &name;
			else if (alen == 8 &&
			    strncasecmp(attr, "filename", 8) == 0)
				slot = &fn;
			else if (alen == 9 &&
			    strncasecmp(attr, "filename*", 9) == 0)
				slot = &fnx;
			if (slot == NULL) {
				free(val);
				continue;
			}
			if (*slot != NULL) {
				free(val);	/* a parameter twice */
				goto out;
			}
			*slot = val;
		}
		if (rc == -1)
			goto out;
	}
	if (name == NULL)
		goto out;
	/* filename* (RFC 8187) wins over filename when it can be read;
	 * RFC 7578 §4.2 tells senders not to use it, but some do. */
	if (fnx != NULL && (dec = ext_value(fnx)) != NULL) {
		free(fn);
		fn = dec;
	}
	part.name = name;
	part.filename = fn;
	part.content_type = ctype != NULL && *ctype != '\0' ? ctype : NULL;
	err = MP_ERR_NONE;
	if (m->cb->part_begin != NULL && m->cb->part_begin(m->arg, &part) != 0)
		err = MP_ERR_CALLBACK;
out:
	free(name);
	free(fn);
	free(fnx);
	free(ctype);
	return err;
}

/* A byte a header line may hold: not a control but HTAB; obs-text is
 * allowed, as raw UTF-8 in filenames is what browsers send (RFC 7578
 * §4.2 and HTML's form submission). */
static int
hchar(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

enum mp_rc
multipart_feed(struct multipart *m, const char *buf, size_t len)
{
	const char *p, *q, *s, *last = buf + len;
	enum mp_state state = m->state;
	size_t n;
	enum mp_err err;
	unsigned char c;

	if (state == sw_error)
		return MP_ERROR;
	if (state == sw_done)
		return MP_DONE;

	for (p = buf; p < last; p++) {
		c = (unsigned char)*p;
again:
		switch (state) {
		case sw_body:
			if (m->matched == 0) {
				/* No delimiter under way: everything up to
				 * the next CR is body, and so is a CR whose
				 * following bytes, all at hand, already differ
				 * from the delimiter (in binary data, most of
				 * them: one emit per buffer, not per CR). */
				for (s = p;; s = q + 1) {
					q = memchr(s, '\r', (size_t)(last - s));
					if (q == NULL) {
						q = last;
						break;
					}
					n = (size_t)(last - q) < m->dlen ?
					    (size_t)(last - q) : m->dlen;
					if (memcmp(q, m->delim, n) == 0)
						break;
				}
				if (emit(m, p, (size_t)(q - p)) == -1)
					goto callback;
				if (q == last) {
					p = last - 1;
					break;
				}
				p = q;
				m->matched = 1;
				break;
			}
			if (c == (unsigned char)m->delim[m->matched]) {
				if (++m->matched == m->dlen)
					state = sw_boundary_end;
				break;
			}
			/* The held-back bytes were body after all.  They
			 * hold no CR but the first, so no later part of them
			 * can start a delimiter: only c can. */
			if (emit(m, m->delim, m->matched) == -1)
				goto callback;
			m->matched = 0;
			goto again;

		case sw_boundary_end:
			/* RFC 2046 §5.1.1: a delimiter is followed by "--"
			 * or by padding and CRLF.  Anything else means these
			 * bytes were body that only looked like one. */
			switch (c) {
			case '-':
				state = sw_close_dash;
				break;
			case '\r':
				state = sw_boundary_cr;
				break;
			case ' ':
			case '\t':
				if (delimiter(m) == -1)
					goto callback;
				state = sw_padding;
				break;
			default:
				if (emit(m, m->delim, m->dlen) == -1)
					goto callback;
				m->matched = 0;
				state = sw_body;
				goto again;
			}
			break;

		case sw_close_dash:
			if (c == '-') {
				if (delimiter(m) == -1)
					goto callback;
				goto done;
			}
			if (emit(m, m->delim, m->dlen) == -1 ||
			    emit(m, "-", 1) == -1)
				goto callback;
			m->matched = 0;
			state = sw_body;
			goto again;

		case sw_boundary_cr:
			if (c == '\n') {
				if (delimiter(m) == -1)
					goto callback;
				if ((err = part_next(m)) != MP_ERR_NONE)
					goto error;
				state = sw_header_start;
				break;
			}
			/* A CR not followed by LF cannot start a delimiter
			 * either: it is body, and c is looked at anew. */
			if (emit(m, m->delim, m->dlen) == -1 ||
			    emit(m, "\r", 1) == -1)
				goto callback;
			m->matched = 0;
			state = sw_body;
			goto again;

		case sw_padding:
			/* RFC 2046 §5.1.1 transport-padding: LWSP. */
			if (c == ' ' || c == '\t')
				break;
			if (c != '\r')
				goto syntax;
			state = sw_padding_cr;
			break;

		case sw_padding_cr:
			if (c != '\n')
				goto syntax;
			if ((err = part_next(m)) != MP_ERR_NONE)
				goto error;
			state = sw_header_start;
			break;

		case sw_header_start:
			if (c == '\r') {
				state = sw_headers_lf;
				break;
			}
			if (++m->hbytes > m->lim.max_header)
				goto too_large;
			if (c == ' ' || c == '\t') {
				/* obs-fold (RFC 5322 §2.2.3): unfold. */
				if (m->hlen == 0)
					goto syntax;
				m->hdr[m->hlen - 1] = ' ';
			} else if (hchar(c))
				m->hdr[m->hlen++] = (char)c;
			else
				goto syntax;
			state = sw_header_line;
			break;

		case sw_header_line:
			if (++m->hbytes > m->lim.max_header)
				goto too_large;
			if (c == '\r')
				state = sw_header_lf;
			else if (hchar(c))
				m->hdr[m->hlen++] = (char)c;
			else
				goto syntax;
			break;

		case sw_header_lf:
			if (++m->hbytes > m->lim.max_header)
				goto too_large;
			if (c != '\n')
				goto syntax;
			m->hdr[m->hlen++] = '\n';
			state = sw_header_start;
			break;

		case sw_headers_lf:
			if (c != '\n')
				goto syntax;
			if ((err = part_begin(m)) != MP_ERR_NONE)
				goto error;
			m->in_part = 1;
			m->matched = 0;
			state = sw_body;
			break;

		case sw_done:
		case sw_error:
			/* Not reached: both leave the loop. */
			abort();
		}
	}
	m->state = state;
	return MP_AGAIN;

done:
	m->state = sw_done;
	return MP_DONE;
too_large:
	err = MP_ERR_HEADER_TOO_LARGE;
	goto error;
callback:
	err = MP_ERR_CALLBACK;
	goto error;
syntax:
	err = MP_ERR_SYNTAX;
error:
	m->state = sw_error;
	m->err = err;
	return MP_ERROR;
}

enum mp_rc
multipart_finish(struct multipart *m)
{
	if (m->state == sw_done)
		return MP_DONE;
	if (m->state != sw_error) {
		m->state = sw_error;
		m->err = MP_ERR_TRUNCATED;
	}
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
