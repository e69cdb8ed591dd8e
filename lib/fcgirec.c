#include <string.h>

#include "fcgirec.h"

enum { S_HEADER, S_CONTENT, S_PADDING, S_END, S_ERROR };

#define FCGI_VERSION_1		1

void
fcgirec_init(struct fcgirec *p, unsigned reqid)
{
	memset(p, 0, sizeof(*p));
	p->reqid = reqid;
	p->state = S_HEADER;
}

/* A complete header is in p->hdr: decide what its content is. */
static int
header_done(struct fcgirec *p)
{
	unsigned id = (unsigned)p->hdr[2] << 8 | p->hdr[3];
	int type = p->hdr[1];

	if (p->hdr[0] != FCGI_VERSION_1)
		return -1;
	p->clen = (size_t)p->hdr[4] << 8 | p->hdr[5];
	p->plen = p->hdr[6];
	p->hlen = 0;
	/* Another request's records (a server multiplexing on one
	 * connection, which nginx and Apache never do) and management
	 * records (id 0) are not ours to read: skip them. */
	if (id != p->reqid || id == 0) {
		p->deliver = 0;
		p->last = 0;
		return 0;
	}
	if (type != FCGIREC_STDIN)
		return -1;	/* ABORT_REQUEST, a second BEGIN, PARAMS... */
	p->deliver = 1;
	p->last = p->clen == 0;
	return 0;
}

enum fcgirec_rc
fcgirec_parse(struct fcgirec *p, const unsigned char *in, size_t len,
    size_t *used, const unsigned char **data, size_t *dlen)
{
	size_t off = 0, n;

	*data = NULL;
	*dlen = 0;
	for (;;) {
		switch (p->state) {
		case S_END:
			*used = off;
			return FCGIREC_END;
		case S_ERROR:
			*used = off;
			return FCGIREC_ERROR;
		case S_HEADER:
			if (off == len) {
				*used = off;
				return FCGIREC_AGAIN;
			}
			n = FCGIREC_HEADER - p->hlen;
			if (n > len - off)
				n = len - off;
			memcpy(p->hdr + p->hlen, in + off, n);
			p->hlen += n;
			off += n;
			if (p->hlen < FCGIREC_HEADER)
				break;
			if (header_done(p) == -1) {
				p->state = S_ERROR;
				break;
			}
			p->state = S_CONTENT;
			break;
		case S_CONTENT:
			if (p->clen == 0) {
				p->state = S_PADDING;
				break;
			}
			if (off == len) {
				*used = off;
				return FCGIREC_AGAIN;
			}
			n = p->clen < len - off ? p->clen : len - off;
			p->clen -= n;
			off += n;
			if (p->deliver) {
				*data = in + off - n;
				*dlen = n;
				*used = off;
				return FCGIREC_DATA;
			}
			break;
		case S_PADDING:
			if (p->plen > 0) {
				if (off == len) {
					*used = off;
					return FCGIREC_AGAIN;
				}
				n = p->plen < len - off ? p->plen : len - off;
				p->plen -= n;
				off += n;
				break;
			}
			p->state = p->deliver && p->last ? S_END : S_HEADER;
			break;
		}
	}
}

void
fcgirec_header(unsigned char hdr[FCGIREC_HEADER], int type, unsigned reqid,
    size_t clen, size_t plen)
{
	hdr[0] = FCGI_VERSION_1;
	hdr[1] = (unsigned char)type;
	hdr[2] = (unsigned char)(reqid >> 8);
	hdr[3] = (unsigned char)reqid;
	hdr[4] = (unsigned char)(clen >> 8);
	hdr[5] = (unsigned char)clen;
	hdr[6] = (unsigned char)plen;
	hdr[7] = 0;
}
