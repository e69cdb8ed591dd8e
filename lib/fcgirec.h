/* FastCGI 1.0 record framing (the spec's §3.3): a resumable parser for
 * the records that follow FCGI_PARAMS on a connection, handing out the
 * content of one request's FCGI_STDIN stream, and the record header a
 * writer puts before FCGI_STDOUT content.  No I/O here: lib/http.c reads
 * and writes the socket. */
#ifndef FCGIREC_H
#define FCGIREC_H
#include <stddef.h>
#include <stdint.h>

#define FCGIREC_HEADER		8
#define FCGIREC_MAX_CONTENT	65535
#define FCGIREC_STDIN		5
#define FCGIREC_STDOUT		6

enum fcgirec_rc {
	FCGIREC_AGAIN,		/* all input consumed, feed more */
	FCGIREC_DATA,		/* *data, *dlen: FCGI_STDIN content */
	FCGIREC_END,		/* the empty FCGI_STDIN record (end of body) */
	FCGIREC_ERROR		/* protocol error or FCGI_ABORT_REQUEST */
};

struct fcgirec {
	unsigned	 reqid;		/* the request whose STDIN we want */
	int		 state;
	unsigned char	 hdr[FCGIREC_HEADER];
	size_t		 hlen;		/* header bytes gathered */
	size_t		 clen;		/* content bytes left in this record */
	size_t		 plen;		/* padding bytes left */
	int		 deliver;	/* this record's content is our STDIN */
	int		 last;		/* this record is the empty STDIN */
};

void	fcgirec_init(struct fcgirec *p, unsigned reqid);
/* Parse in[0..len) from where the last call stopped.  *used is how
 * many bytes were consumed.  FCGIREC_DATA points *data into in at
 * *dlen (> 0) content bytes, which end at in + *used.  FCGIREC_END is
 * returned once the empty FCGI_STDIN record and its padding are
 * consumed, and again (with *used 0) on every later call; bytes after
 * it belong to whatever the peer sends next.  Records of other
 * requests and management records (id 0) are skipped; any other type
 * for this request, or a version other than 1, is FCGIREC_ERROR, and
 * so is every later call. */
enum fcgirec_rc fcgirec_parse(struct fcgirec *p, const unsigned char *in,
	    size_t len, size_t *used, const unsigned char **data,
	    size_t *dlen);
/* Fill hdr with a record header: type, request id, content length
 * (at most FCGIREC_MAX_CONTENT), padding length (at most 255). */
void	fcgirec_header(unsigned char hdr[FCGIREC_HEADER], int type,
	    unsigned reqid, size_t clen, size_t plen);
#endif
