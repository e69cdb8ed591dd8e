#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <poll.h>
#include <time.h>
#include <sys/time.h>

#include "http.h"
#include "xmalloc.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

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

/*
 * Request bodies.  libfcgi reads its input 8 KiB at a time (the buffer
 * size is fixed inside the library), so a 1 GiB upload costs 131,072
 * read(2)s and as many wake-ups.  After libfcgi has read the params, we
 * take the connection over: the bytes libfcgi already buffered past the
 * params (the start of the FCGI_STDIN records) are copied out, and the
 * rest is read from the socket RBUF_SIZE at a time and parsed by
 * lib/fcgirec.c.  Finding those buffered bytes needs the leading fields
 * of libfcgi's private stream state; they have not changed since 1996,
 * and every field is checked for sanity before use: if anything looks
 * unexpected, the request is read through libfcgi as before.
 */
#define RBUF_SIZE	(256 * 1024)
#define FCGI_STDIN_TYPE	5

/* fcgiapp.c's FCGX_Stream_Data, its leading fields. */
struct fcgx_stream_data {
	unsigned char	*buff;
	int		 bufflen;
	unsigned char	*mBuff;
	unsigned char	*buffStop;
	int		 type;
	int		 eorStop;
	int		 skip;
	int		 contentLen;
	int		 paddingLen;
};

/* One read buffer for the worker's life: it serves one request at a
 * time, and a constant 256 KiB keeps the worker's memory flat. */
static unsigned char	*rbuf;
static size_t		 rbeg, rend;

static int
raw_begin(struct http *h)
{
	FCGX_Stream *in = h->fcgi->in;
	struct fcgx_stream_data *d;
	size_t n;

	if (in == NULL || !in->isReader || in->isClosed || in->FCGI_errno ||
	    (d = in->data) == NULL || h->fcgi->ipcFd < 0)
		return -1;
	/* Just after FCGX_Accept_r: a STDIN reader at a record boundary
	 * (SetReaderType), the unread bytes in [rdNext, buffStop). */
	if (d->type != FCGI_STDIN_TYPE || d->eorStop || d->skip ||
	    d->contentLen != 0 || d->paddingLen != 0 ||
	    in->rdNext != in->stop || d->bufflen <= 0 ||
	    d->bufflen > RBUF_SIZE || d->buff == NULL ||
	    in->rdNext < d->buff || d->buffStop < in->rdNext ||
	    d->buffStop > d->buff + d->bufflen)
		return -1;
	if (rbuf == NULL)
		rbuf = xmalloc(RBUF_SIZE);
	n = d->buffStop - in->rdNext;
	memcpy(rbuf, in->rdNext, n);
	rbeg = 0;
	rend = n;
	/* libfcgi's stream is spent: nothing reads it again, and a closed
	 * stream answers EOF without touching the socket. */
	in->rdNext = in->stop = d->buffStop;
	in->isClosed = 1;
	fcgirec_init(&h->rec, (unsigned)h->fcgi->requestId);
	return 0;
}

/* Make h->dptr/dlen hold STDIN content, reading the socket if needed.
 * 0, or -1 at the end of the records (in_end) or on an error. */
static int
raw_fill(struct http *h)
{
	ssize_t got;
	size_t used;

	while (h->dlen == 0 && !h->in_end) {
		if (rbeg < rend) {
			switch (fcgirec_parse(&h->rec, rbuf + rbeg, rend - rbeg,
			    &used, &h->dptr, &h->dlen)) {
			case FCGIREC_DATA:
			case FCGIREC_AGAIN:
				rbeg += used;
				continue;
			case FCGIREC_END:
				rbeg += used;
				h->in_end = 1;
				return -1;
			case FCGIREC_ERROR:
				return -1;
			}
		}
		do
			got = read(h->fcgi->ipcFd, rbuf, RBUF_SIZE);
		while (got == -1 && errno == EINTR);
		if (got <= 0)
			return -1;
		rbeg = 0;
		rend = (size_t)got;
	}
	return h->dlen > 0 ? 0 : -1;
}

int
http_input_done(const struct http *h)
{
	FCGX_Stream *in;
	struct fcgx_stream_data *d;
	struct fcgirec rec;
	const unsigned char *dp;
	size_t used, dl;

	if (h->fcgi == NULL)
		return 0;
	if (h->raw == 1)
		return h->in_end && rbeg == rend;
	if (h->raw != 0 || h->content_length != 0)
		return 0;
	/* No body, never read: done if what libfcgi holds past the params
	 * is exactly the empty FCGI_STDIN record (the same checks on its
	 * private state as raw_begin). */
	in = h->fcgi->in;
	if (in == NULL || !in->isReader || in->isClosed || in->FCGI_errno ||
	    (d = in->data) == NULL)
		return 0;
	if (d->type != FCGI_STDIN_TYPE || d->eorStop || d->skip ||
	    d->contentLen != 0 || d->paddingLen != 0 ||
	    in->rdNext != in->stop || d->bufflen <= 0 || d->buff == NULL ||
	    in->rdNext < d->buff || d->buffStop < in->rdNext ||
	    d->buffStop > d->buff + d->bufflen)
		return 0;
	fcgirec_init(&rec, (unsigned)h->fcgi->requestId);
	return fcgirec_parse(&rec, in->rdNext, (size_t)(d->buffStop -
	    in->rdNext), &used, &dp, &dl) == FCGIREC_END &&
	    in->rdNext + used == d->buffStop;
}

void
http_clear(struct http *h)
{
	size_t i;

	/* A kept-alive FastCGI connection must stand at the next request's
	 * first record.  If we read part of the body, or past its end,
	 * libfcgi cannot find that boundary: close instead (the server
	 * opens another connection). */
	if (h->raw == 1 && h->fcgi && h->fcgi->keepConnection &&
	    (!h->in_end || rbeg != rend))
		h->fcgi->keepConnection = 0;

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

/* "X-API-Key" -> "HTTP_X_API_KEY" */
static void
header_key(const char *name, char *key, size_t size)
{
	size_t i, n;

	n = snprintf(key, size, "HTTP_");
	for (i = 0; name[i] && n < size - 1; i++, n++)
		key[n] = name[i] == '-' ? '_' : toupper((unsigned char)name[i]);
	key[n] = '\0';
}

const char *
http_header(const struct http *h, const char *name)
{
	char key[128];

	if (strcasecmp(name, "Content-Type") == 0)
		return http_param(h, "CONTENT_TYPE");
	header_key(name, key, sizeof(key));
	return http_param(h, key);
}

size_t
http_header_all(const struct http *h, const char *name, const char **out,
    size_t max)
{
	char key[128];
	size_t klen, n = 0;
	char **e;

	header_key(name, key, sizeof(key));
	klen = strlen(key);
	for (e = h->fcgi->envp; e && *e; e++)
		if (strncmp(*e, key, klen) == 0 && (*e)[klen] == '=') {
			if (n < max)
				out[n] = *e + klen + 1;
			n++;
		}
	return n;
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

int
http_query_valid(const struct http *h)
{
	const char *p = h->query, *amp;
	char *d;

	for (; *p; p = *amp ? amp + 1 : amp) {
		amp = p + strcspn(p, "&");
		if ((d = http_urldecode(p, amp - p, 1)) == NULL)
			return -1;
		free(d);
	}
	return 0;
}

/* Past the last body byte on a kept-alive connection, consume the end
 * record if it is there (http_clear keeps the connection only then).
 * It may read into rbuf: never while the caller holds a pointer there. */
static void
raw_end(struct http *h)
{
	if (h->raw == 1 && h->body_read == (uint64_t)h->content_length &&
	    h->dlen == 0 && !h->in_end && h->fcgi->keepConnection)
		raw_fill(h);
}

long
http_read(struct http *h, void *buf, size_t n)
{
	const void *p;
	long got;

	if ((got = http_read_ptr(h, buf, n, &p)) > 0 && p != buf) {
		memcpy(buf, p, (size_t)got);
		raw_end(h);
	}
	return got;
}

long
http_read_ptr(struct http *h, void *buf, size_t n, const void **out)
{
	uint64_t left;
	int got;

	*out = buf;
	if (h->broken)
		return -1;
	if (h->content_length < 0)
		return -1;
	left = (uint64_t)h->content_length - h->body_read;
	if (left == 0) {
		raw_end(h);
		return 0;
	}
	if (n > left)
		n = left;
	if (h->raw == 0)
		h->raw = raw_begin(h) == 0 ? 1 : -1;
	if (h->raw == 1) {
		if (raw_fill(h) == -1) {
			/* The records ended (or broke) before CONTENT_LENGTH. */
			h->broken = 1;
			return -1;
		}
		if (n > h->dlen)
			n = h->dlen;
		*out = h->dptr;
		h->dptr += n;
		h->dlen -= n;
		h->body_read += n;
		return (long)n;
	}
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

/* Bytes handed to libfcgi per step: the deadline is checked between
 * steps, and one step at min_rate is the most it can overshoot. */
#define SEND_STEP	8192

/* Wait until the socket takes bytes or the deadline passes: 0 writable,
 * -1 deadline (or error).  Only time spent waiting on the client counts,
 * never the worker's own (a ZIP walking many folders is not slow
 * reading). */
static int
send_wait(struct http *h)
{
	double left = h->send_timeout, t;
	struct pollfd pfd;
	int rc;

	pfd.fd = h->fcgi->ipcFd;
	pfd.events = POLLOUT;
	if (h->send_timeout <= 0) {	/* no deadline: wait as long as it takes */
		while (poll(&pfd, 1, -1) == -1 && errno == EINTR)
			;
		return 0;
	}
	if (h->send_min_rate)
		left += (double)h->body_sent / h->send_min_rate;
	left -= h->send_waited;
	if (left > h->send_timeout)
		left = h->send_timeout;	/* no progress for that long */
	if (left <= 0)
		return -1;
	t = now();
	do
		rc = poll(&pfd, 1, (int)(left * 1000) + 1);
	while (rc == -1 && errno == EINTR);
	h->send_waited += now() - t;
	return rc == 1 ? 0 : -1;
}

/* Writes this large go straight to the socket; smaller ones are copied
 * into libfcgi's 8 KiB buffer, which is cheaper for JSON replies. */
#define RAW_WRITE_MIN	(16 * 1024)
/* Content per record: the largest multiple of 8 a record can carry. */
#define REC_CONTENT	65528
#define REC_PER_CALL	16
#define BULK_SNDBUF	(1 << 20)	/* the kernel doubles it */

/* Send buf[0..n) as FCGI_STDOUT records: one sendmsg per REC_PER_CALL
 * records, the headers interleaved with the caller's bytes (no copy).
 * 0, or -1 if the connection is gone.  The one place a response body
 * leaves the worker in bulk. */
static int
raw_write(struct http *h, const unsigned char *buf, size_t n)
{
	unsigned char hdr[REC_PER_CALL][FCGIREC_HEADER];
	struct iovec iov[2 * REC_PER_CALL], *v;
	struct msghdr msg;
	size_t i, cnt, c;
	ssize_t w;

	/* A body in bulk (a download, a ZIP): a larger socket buffer lets
	 * the web server take more per wake-up (512 MiB here: ~15% less
	 * CPU, worker and nginx together).  Once per response; ignored
	 * where the fd is no socket. */
	if (h->body_sent == 0)
		(void)setsockopt(h->fcgi->ipcFd, SOL_SOCKET, SO_SNDBUF,
		    &(int){ BULK_SNDBUF }, sizeof(int));
	while (n > 0) {
		for (cnt = 0, i = 0; i < REC_PER_CALL && n > 0; i++) {
			c = n < REC_CONTENT ? n : REC_CONTENT;
			fcgirec_header(hdr[i], FCGIREC_STDOUT,
			    (unsigned)h->fcgi->requestId, c, 0);
			iov[cnt].iov_base = hdr[i];
			iov[cnt++].iov_len = FCGIREC_HEADER;
			iov[cnt].iov_base = (void *)buf;
			iov[cnt++].iov_len = c;
			buf += c;
			n -= c;
		}
		v = iov;
		while (cnt > 0) {
			memset(&msg, 0, sizeof(msg));
			msg.msg_iov = v;
			msg.msg_iovlen = cnt;
			/* Non-blocking, so that a slow reader meets the send
			 * deadline here too: take what fits, and only when
			 * nothing does, wait (a poll per call would cost a
			 * system call each time the socket has room). */
			w = sendmsg(h->fcgi->ipcFd, &msg,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w == -1 && errno == ENOTSOCK)
				w = writev(h->fcgi->ipcFd, v, (int)cnt);
			if (w == -1 && errno == EAGAIN) {
				if (send_wait(h) == -1) {
					h->abort = 1;
					return -1;
				}
				continue;
			}
			if (w == -1 && errno == EINTR)
				continue;
			if (w <= 0)
				return -1;
			h->body_sent += (uint64_t)w;
			/* A short write: skip what went out. */
			while (cnt > 0 && (size_t)w >= v->iov_len) {
				w -= v->iov_len;
				v++;
				cnt--;
			}
			if (cnt > 0) {
				v->iov_base = (char *)v->iov_base + w;
				v->iov_len -= w;
			}
		}
	}
	return 0;
}

int
http_write(struct http *h, const void *buf, size_t n)
{
	if (h->head)
		return 0;
	if (n >= RAW_WRITE_MIN && h->fcgi->ipcFd >= 0) {
		/* What libfcgi holds (the headers) goes first. */
		if (FCGX_FFlush(h->fcgi->out) == -1 ||
		    raw_write(h, buf, n) == -1) {
			h->broken = 1;
			return -1;
		}
		return 0;
	}
	while (n > 0) {
		int chunk = n > SEND_STEP ? SEND_STEP : (int)n;

		if (send_wait(h) == -1) {
			h->broken = 1;
			h->abort = 1;
			return -1;
		}
		if (FCGX_PutStr(buf, chunk, h->fcgi->out) != chunk) {
			h->broken = 1;
			return -1;
		}
		buf = (const char *)buf + chunk;
		n -= chunk;
		h->body_sent += chunk;
	}
	return 0;
}

void
http_send_limits(struct http *h, int timeout, uint64_t min_rate)
{
	struct timeval tv;

	h->send_timeout = timeout;
	h->send_min_rate = min_rate;
	/* A single write that libfcgi flushes blocks at most this long. */
	tv.tv_sec = timeout;
	tv.tv_usec = 0;
	if (timeout > 0)
		(void)setsockopt(h->fcgi->ipcFd, SOL_SOCKET, SO_SNDTIMEO, &tv,
		    sizeof(tv));
}

void
http_abort(struct http *h)
{
	h->broken = 1;
	h->abort = 1;
}

size_t
http_headers_mark(const struct http *h)
{
	return h->nhdr;
}

void
http_headers_reset(struct http *h, size_t mark)
{
	if (h->sent)
		return;
	while (h->nhdr > mark)
		free(h->hdr[--h->nhdr]);
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
