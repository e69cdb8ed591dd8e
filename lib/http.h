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
	uint64_t	 body_read;
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
/* Query parameter, percent-decoded into a heap string; NULL if absent
 * or if it does not decode (bad escape or embedded NUL). */
char	*http_query(const struct http *h, const char *name);
/* Percent-decode s[0..len) into a heap string; NULL on bad escapes or
 * NUL.  plus_space turns '+' into ' ' (form encoding). */
char	*http_urldecode(const char *s, size_t len, int plus_space);

/* Read up to n body bytes.  Returns bytes read (0 at the end of the
 * body), or -1 when the connection broke (FCGX_GetError, short body). */
long	http_read(struct http *h, void *buf, size_t n);
/* Read the whole body if it is at most max bytes, into a heap buffer
 * with a NUL after it.  Returns 0; -1 read error; -2 too large. */
int	http_read_body(struct http *h, size_t max, char **buf, size_t *len);

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
