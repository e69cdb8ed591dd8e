/* HTTP request and response helpers over one libfcgi request: CGI
 * parameters, query strings, a bounded body reader, and a response that
 * collects headers until the status line is sent. */
#ifndef HTTP_H
#define HTTP_H
#include <stddef.h>
#include <stdint.h>
#include <fcgiapp.h>

#include "fcgirec.h"

#define HTTP_MAX_HEADERS 24

struct http {
	FCGX_Request	*fcgi;
	const char	*method;	/* REQUEST_METHOD */
	char		*path;		/* DOCUMENT_URI or SCRIPT_NAME+PATH_INFO */
	const char	*query;		/* QUERY_STRING, "" if none */
	int64_t		 content_length; /* -1 if absent or malformed */
	int		 head;		/* HEAD: headers only */
	int		 sent;		/* headers written */
	int		 status;	/* status sent (for the access log) */
	int		 broken;	/* client went away or input error */
	int		 abort;		/* end the connection, not the response */
	uint64_t	 body_read;
	/* Send deadline (http_send_limits): 0 timeout = none. */
	int		 send_timeout;	/* seconds without progress */
	uint64_t	 send_min_rate;	/* bytes/s once send_timeout passed */
	uint64_t	 body_sent;
	double		 send_waited;	/* seconds blocked on the client */
	/* The body's FCGI_STDIN records are read from the socket by
	 * http_read itself, in large reads, not through libfcgi's 8 KiB
	 * stream (see http.c); raw is 0 until the first read. */
	int		 raw;		/* 1 raw reads, -1 libfcgi's stream */
	int		 in_end;	/* the empty FCGI_STDIN record was read */
	struct fcgirec	 rec;
	const unsigned char *dptr;	/* STDIN content not yet handed out */
	size_t		 dlen;
	size_t		 nhdr;
	char		*hdr[HTTP_MAX_HEADERS];	/* "Name: value" */
};

/* Fill h from the FastCGI request.  Returns 0, -1 if required CGI
 * parameters are missing (the server is misconfigured). */
int	http_init(struct http *h, FCGX_Request *r);
/* Free what http_init and the response allocated. */
void	http_clear(struct http *h);

/* CGI parameter (e.g. "REMOTE_ADDR") or NULL. */
const char *http_param(const struct http *h, const char *name);
/* Request header by its HTTP name ("X-API-Key"), or NULL. */
const char *http_header(const struct http *h, const char *name);
/* Every line of a request header sent several times (nginx passes each
 * line as its own parameter), in order: up to max values into out.
 * Returns how many lines there are, which may exceed max. */
size_t	http_header_all(const struct http *h, const char *name,
	    const char **out, size_t max);
/* 0 when every name=value pair of the query string percent-decodes
 * (no bad escape, no NUL), else -1: such a request is a 400. */
int	http_query_valid(const struct http *h);
/* Query parameter, percent-decoded into a heap string; NULL if absent
 * or if it does not decode (bad escape or embedded NUL). */
char	*http_query(const struct http *h, const char *name);
/* Percent-decode s[0..len) into a heap string; NULL on bad escapes or
 * NUL.  plus_space turns '+' into ' ' (form encoding). */
char	*http_urldecode(const char *s, size_t len, int plus_space);

/* Read up to n body bytes.  Returns bytes read (0 at the end of the
 * body), or -1 when the connection broke (FCGX_GetError, short body). */
long	http_read(struct http *h, void *buf, size_t n);
/* 1 when the request's input is read to its end (the empty FCGI_STDIN
 * record included) and nothing more is buffered: the peer has nothing
 * left to send, so the connection may close without lingering. */
int	http_input_done(const struct http *h);
/* The same without a copy where it can: *out points at the bytes read,
 * inside the worker's own read buffer (valid until the next read) or,
 * when the body comes through libfcgi, in buf. */
long	http_read_ptr(struct http *h, void *buf, size_t n, const void **out);
/* Read the whole body if it is at most max bytes, into a heap buffer
 * with a NUL after it.  Returns 0; -1 read error; -2 too large. */
int	http_read_body(struct http *h, size_t max, char **buf, size_t *len);

/* The response's send deadline: a client that takes no bytes for
 * timeout seconds, or that has kept the worker waiting longer than
 * timeout + bytes sent / min_rate seconds in all, is cut off (http_write
 * fails, abort set), so a slow reader cannot hold a worker for long. */
void	http_send_limits(struct http *h, int timeout, uint64_t min_rate);
/* A response whose headers are out failed: the connection must end
 * without the end-of-request record, so the client sees an error rather
 * than a clean, short body (the caller then frees the FastCGI request
 * with FCGX_Free(r, 1) instead of FCGX_Finish_r). */
void	http_abort(struct http *h);
/* Headers collected so far; http_headers_reset() drops the later ones
 * (a reply that changes its mind before sending, e.g. a JSON error
 * instead of a file). */
size_t	http_headers_mark(const struct http *h);
void	http_headers_reset(struct http *h, size_t mark);
/* Add a response header (copied); ignored once headers are sent. */
void	http_set_header(struct http *h, const char *name, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Write "Status:" and the collected headers. */
int	http_send_headers(struct http *h, int status);
/* Write body bytes (dropped for HEAD).  0, or -1 if the client is gone.
 * Large writes go to the socket as FCGI_STDOUT records in one sendmsg,
 * after whatever libfcgi still buffers. */
int	http_write(struct http *h, const void *buf, size_t n);
/* Reason phrase for a status code. */
const char *http_reason(int status);
#endif
