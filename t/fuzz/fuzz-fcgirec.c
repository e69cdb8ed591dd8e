/* libFuzzer target for lib/fcgirec.c.  Input: 1 byte of chunk size,
 * 1 byte of request id, then the raw record stream.  Parses it whole and
 * again in chunks; both must hand out the same STDIN bytes and stop at
 * the same place with the same result, every DATA must lie inside its
 * chunk and end where *used says; abort() otherwise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcgirec.h"

/* The libFuzzer entry point (declared for -Wmissing-prototypes). */
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct result {
	enum fcgirec_rc	 rc;
	size_t		 stop;	/* offset after the last call */
	size_t		 olen;
	unsigned char	*out;
};

static void
parse(const uint8_t *in, size_t len, unsigned id, size_t chunk,
    struct result *r)
{
	struct fcgirec p;
	const unsigned char *d;
	size_t off = 0, n, used, dl;

	fcgirec_init(&p, id);
	r->rc = FCGIREC_AGAIN;
	r->olen = 0;
	while (off < len) {
		n = len - off < chunk ? len - off : chunk;
		r->rc = fcgirec_parse(&p, in + off, n, &used, &d, &dl);
		if (used > n)
			abort();
		if (r->rc == FCGIREC_DATA) {
			if (dl == 0 || d < in + off || d + dl != in + off + used)
				abort();
			memcpy(r->out + r->olen, d, dl);
			r->olen += dl;
		} else if (d != NULL || dl != 0)
			abort();
		if (r->rc == FCGIREC_AGAIN && used != n)
			abort();
		off += used;
		if (r->rc == FCGIREC_END || r->rc == FCGIREC_ERROR)
			break;
	}
	r->stop = off;
	if (r->rc == FCGIREC_DATA)
		r->rc = FCGIREC_AGAIN;	/* input ran out after data */
	/* END and ERROR stick and consume nothing. */
	if (r->rc == FCGIREC_END || r->rc == FCGIREC_ERROR) {
		if (fcgirec_parse(&p, in, len, &used, &d, &dl) != r->rc ||
		    used != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result a, b;
	size_t chunk;
	unsigned id;

	if (size < 2)
		return 0;
	chunk = data[0] ? data[0] : 1;
	id = data[1] & 3;	/* 0 never matches; 1..3 often do */
	data += 2;
	size -= 2;
	if ((a.out = malloc(size + 1)) == NULL ||
	    (b.out = malloc(size + 1)) == NULL)
		abort();
	parse(data, size, id, size ? size : 1, &a);
	parse(data, size, id, chunk, &b);
	if (a.rc != b.rc || a.olen != b.olen ||
	    memcmp(a.out, b.out, a.olen) != 0)
		abort();
	if ((a.rc == FCGIREC_END || a.rc == FCGIREC_ERROR) && a.stop != b.stop)
		abort();
	if (a.olen > size)
		abort();
	free(a.out);
	free(b.out);
	return 0;
}
