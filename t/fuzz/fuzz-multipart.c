/* libFuzzer target for lib/multipart.c.  Input: byte 0 seeds the chunk
 * sizes, byte 1 picks the boundary (bit 0) and which part_begin refuses
 * (bits 1-3, 0 for none); the rest is the body.  The body is parsed
 * whole, a byte at a time and in chunks, and the transcripts of the
 * callbacks must be the same: abort() if not.  The input as a whole is
 * also tried as a Content-Type header value. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

static const char *const cts[] = {
	"multipart/form-data; boundary=AaB03x",
	"multipart/form-data; boundary=\"------------------------d74496d66958873e\"",
};

struct tr {
	unsigned char	*p;
	size_t		 len, cap;
	int		 in;
	int		 begins, refuse;
};

static void
add(struct tr *t, const void *p, size_t len)
{
	if (t->len + len > t->cap) {
		t->cap = (t->len + len) * 2 + 64;
		if ((t->p = realloc(t->p, t->cap)) == NULL)
			abort();
	}
	memcpy(t->p + t->len, p, len);
	t->len += len;
}

static void
adds(struct tr *t, const char *s)
{
	add(t, s ? s : "(null)", strlen(s ? s : "(null)") + 1);
}

static int
on_begin(void *arg, const struct mp_part *p)
{
	struct tr *t = arg;

	if (t->in || p->name == NULL)
		abort();
	t->in = 1;
	add(t, "B", 1);
	adds(t, p->name);
	adds(t, p->filename);
	adds(t, p->content_type);
	return ++t->begins == t->refuse;
}

/* Data is recorded byte for byte; how it was split is not. */
static int
on_data(void *arg, const char *buf, size_t len)
{
	struct tr *t = arg;

	if (!t->in || len == 0)
		abort();
	add(t, buf, len);
	return 0;
}

static int
on_end(void *arg)
{
	struct tr *t = arg;

	if (!t->in)
		abort();
	t->in = 0;
	add(t, "\0E", 2);
	return 0;
}

static const struct mp_callbacks cb = { on_begin, on_data, on_end };

/* Parse body in chunks of 1..max bytes drawn from seed (max 0: whole). */
static void
parse(const char *ct, const uint8_t *body, size_t len, unsigned seed,
    size_t max, int refuse, struct tr *t)
{
	struct multipart *m;
	enum mp_err err;
	enum mp_rc rc = MP_AGAIN, rc2;
	size_t off = 0, n;
	char res[2];

	memset(t, 0, sizeof(*t));
	t->refuse = refuse;
	if ((m = multipart_new(ct, &cb, t, &err)) == NULL)
		abort();
	while (off < len && rc == MP_AGAIN) {
		if (max == 0)
			n = len;
		else {
			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 16) % max;
		}
		if (n > len - off)
			n = len - off;
		rc = multipart_feed(m, (const char *)body + off, n);
		off += n;
	}
	if (rc == MP_AGAIN)
		rc = multipart_finish(m);
	/* Results are final. */
	rc2 = multipart_feed(m, (const char *)body, len);
	if (rc2 != rc || multipart_finish(m) != rc)
		abort();
	if ((rc == MP_ERROR) != (multipart_error(m) != MP_ERR_NONE))
		abort();
	if (multipart_strerror(multipart_error(m)) == NULL)
		abort();
	res[0] = (char)rc;
	res[1] = (char)multipart_error(m);
	add(t, "R", 1);
	add(t, res, 2);
	multipart_free(m);
}

/* The libFuzzer entry point (declared for -Wmissing-prototypes). */
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t maxes[] = { 1, 2, 3, 7, 16, 64, 511 };
	struct tr whole, other;
	struct multipart *m;
	enum mp_err err;
	const char *ct;
	char *s;
	unsigned seed;
	size_t i;
	int refuse;

	/* The input as a Content-Type value. */
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	m = multipart_new(s, &cb, NULL, &err);
	if ((m == NULL) != (err == MP_ERR_BOUNDARY))
		abort();
	multipart_free(m);
	free(s);

	if (size < 2)
		return 0;
	seed = data[0];
	ct = cts[data[1] & 1];
	refuse = (data[1] >> 1) & 7;
	data += 2;
	size -= 2;

	parse(ct, data, size, 0, 0, refuse, &whole);
	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		parse(ct, data, size, seed + (unsigned)i, maxes[i], refuse,
		    &other);
		if (other.len != whole.len ||
		    memcmp(other.p, whole.p, whole.len) != 0) {
			fprintf(stderr, "transcript differs with chunks of "
			    "at most %zu bytes\n", maxes[i]);
			abort();
		}
		free(other.p);
	}
	free(whole.p);
	return 0;
}
