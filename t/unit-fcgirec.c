/* lib/fcgirec.c: FCGI_STDIN records out of a FastCGI byte stream, fed in
 * chunks of every size, as the socket may deliver them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgirec.h"
#include "tap.h"

static unsigned char stream[200000];
static size_t slen;

static void
rec(int version, int type, unsigned id, const unsigned char *c, size_t clen,
    size_t plen)
{
	fcgirec_header(stream + slen, type, id, clen, plen);
	stream[slen] = (unsigned char)version;
	slen += FCGIREC_HEADER;
	if (clen)
		memcpy(stream + slen, c, clen);
	slen += clen;
	memset(stream + slen, 0xee, plen);
	slen += plen;
}

/* Parse stream[0..len) in chunks of size chunk; the STDIN content goes
 * to out.  Returns the last rc; *endpos is where END was seen. */
static enum fcgirec_rc
run(unsigned id, size_t len, size_t chunk, unsigned char *out, size_t *olen,
    size_t *endpos)
{
	struct fcgirec p;
	const unsigned char *d;
	size_t off = 0, used, dl, n;
	enum fcgirec_rc rc = FCGIREC_AGAIN;

	fcgirec_init(&p, id);
	*olen = 0;
	*endpos = 0;
	while (off < len) {
		n = len - off < chunk ? len - off : chunk;
		rc = fcgirec_parse(&p, stream + off, n, &used, &d, &dl);
		if (used > n || (rc == FCGIREC_DATA && (dl == 0 ||
		    d + dl != stream + off + used)))
			return -1;
		if (rc == FCGIREC_DATA) {
			memcpy(out + *olen, d, dl);
			*olen += dl;
		}
		off += used;
		if (rc == FCGIREC_END) {
			*endpos = off;
			return rc;
		}
		if (rc == FCGIREC_ERROR)
			return rc;
	}
	return rc;
}

int
main(void)
{
	static unsigned char body[150000], out[200000];
	unsigned char h[FCGIREC_HEADER];
	size_t i, olen, endpos, end, chunks[] = { 1, 2, 3, 7, 8, 9, 4096,
	    65535, 65544, 262144 };
	int good;

	fcgirec_header(h, FCGIREC_STDOUT, 0x1234, 65535, 7);
	ok(h[0] == 1 && h[1] == 6 && h[2] == 0x12 && h[3] == 0x34 &&
	    h[4] == 0xff && h[5] == 0xff && h[6] == 7 && h[7] == 0,
	    "record header layout (version, type, id, length, padding)");

	for (i = 0; i < sizeof(body); i++)
		body[i] = (unsigned char)(i * 7 + (i >> 9));
	/* STDIN in records of assorted sizes and padding, with a
	 * management record and another request's records in between. */
	rec(1, FCGIREC_STDIN, 1, body, 5, 3);
	rec(1, 9, 0, (const unsigned char *)"\0\0", 2, 6);	/* GET_VALUES */
	rec(1, FCGIREC_STDIN, 2, body, 100, 4);		/* not ours */
	rec(1, FCGIREC_STDIN, 1, body + 5, 65535, 1);
	rec(1, FCGIREC_STDIN, 1, body + 65540, 0, 0);	/* the end */
	end = slen;
	rec(1, FCGIREC_STDIN, 1, body, 10, 0);		/* after the end */
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		enum fcgirec_rc rc = run(1, slen, chunks[i], out, &olen,
		    &endpos);

		ok(rc == FCGIREC_END && olen == 65540 &&
		    memcmp(out, body, olen) == 0 && endpos == end,
		    "chunks of %zu: 65540 bytes of STDIN, END right after "
		    "the empty record", chunks[i]);
	}

	/* Padding on the empty record is consumed before END. */
	slen = 0;
	rec(1, FCGIREC_STDIN, 7, body, 3000, 0);
	rec(1, FCGIREC_STDIN, 7, body, 0, 5);
	end = slen;
	rec(1, 4, 1, body, 8, 0);
	good = 1;
	for (i = 1; i <= 20; i++)
		good &= run(7, slen, i, out, &olen, &endpos) == FCGIREC_END &&
		    endpos == end && olen == 3000;
	ok(good, "padding of the empty STDIN record is part of it");

	/* A body cut short: never END. */
	slen = 0;
	rec(1, FCGIREC_STDIN, 1, body, 1000, 0);
	{
		enum fcgirec_rc rc = run(1, slen - 10, 64, out, &olen, &endpos);

		ok((rc == FCGIREC_AGAIN || rc == FCGIREC_DATA) && olen == 990,
		    "a truncated record: 990 bytes, then wants more");
	}

	/* Errors: ABORT_REQUEST, other types, bad version; they stick. */
	slen = 0;
	rec(1, FCGIREC_STDIN, 3, body, 10, 0);
	rec(1, 2, 3, NULL, 0, 0);			/* ABORT_REQUEST */
	ok(run(3, slen, 5, out, &olen, &endpos) == FCGIREC_ERROR &&
	    olen == 10, "FCGI_ABORT_REQUEST is an error");
	slen = 0;
	rec(1, 4, 3, body, 10, 0);			/* PARAMS again */
	ok(run(3, slen, 100, out, &olen, &endpos) == FCGIREC_ERROR,
	    "a PARAMS record after the params is an error");
	slen = 0;
	rec(2, FCGIREC_STDIN, 3, body, 10, 0);
	ok(run(3, slen, 100, out, &olen, &endpos) == FCGIREC_ERROR &&
	    olen == 0, "version 2 is an error");
	{
		struct fcgirec p;
		const unsigned char *d;
		size_t used, dl;

		fcgirec_init(&p, 3);
		fcgirec_parse(&p, stream, slen, &used, &d, &dl);
		ok(fcgirec_parse(&p, stream, slen, &used, &d, &dl) ==
		    FCGIREC_ERROR && used == 0, "an error sticks");
		slen = 0;
		rec(1, FCGIREC_STDIN, 3, NULL, 0, 0);
		fcgirec_init(&p, 3);
		ok(fcgirec_parse(&p, stream, slen, &used, &d, &dl) ==
		    FCGIREC_END && used == 8 && fcgirec_parse(&p, stream,
		    slen, &used, &d, &dl) == FCGIREC_END && used == 0,
		    "END sticks and consumes nothing more");
	}
	return done_testing();
}
