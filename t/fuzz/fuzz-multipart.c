/* libFuzzer: the multipart parser on any body, fed whole and in chunks
 * whose sizes come from the input; both must give the same transcript
 * of callbacks (a boundary straddling two reads is the classic bug). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

struct transcript {
	char	*buf;
	size_t	 len, cap;
};

static void
add(struct transcript *t, char tag, const char *s, size_t n)
{
	if (t->len + n + 2 > t->cap) {
		t->cap = (t->len + n + 2) * 2;
		t->buf = realloc(t->buf, t->cap);
	}
	t->buf[t->len++] = tag;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len++] = 0;
}

static int
begin(void *arg, const struct mp_part *p)
{
	add(arg, 'B', p->name ? p->name : "-", strlen(p->name ? p->name : "-"));
	add(arg, 'F', p->filename ? p->filename : "-",
	    strlen(p->filename ? p->filename : "-"));
	return 0;
}

static int
data(void *arg, const char *buf, size_t len)
{
	struct transcript *t = arg;

	/* Data may arrive split differently: record bytes, not calls. */
	if (t->len + len + 1 > t->cap) {
		t->cap = (t->len + len + 1) * 2;
		t->buf = realloc(t->buf, t->cap);
	}
	memcpy(t->buf + t->len, buf, len);
	t->len += len;
	return 0;
}

static int
end(void *arg)
{
	add(arg, 'E', "", 0);
	return 0;
}

static const struct mp_callbacks cb = { begin, data, end };
#define CT "multipart/form-data; boundary=XyZ"

static enum mp_rc
run(const uint8_t *d, size_t n, const uint8_t *splits, size_t nsplits,
    struct transcript *t)
{
	enum mp_err e;
	struct multipart *m = multipart_new(CT, &cb, t, &e);
	enum mp_rc rc = MP_AGAIN;
	size_t off = 0, i = 0;

	while (off < n && rc != MP_ERROR) {
		size_t step = nsplits ? 1 + splits[i++ % nsplits] % 97 : n;

		if (step > n - off)
			step = n - off;
		rc = multipart_feed(m, (const char *)d + off, step);
		off += step;
	}
	if (rc != MP_ERROR)
		rc = multipart_finish(m);
	multipart_free(m);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data_, size_t size)
{
	struct transcript a = { 0 }, b = { 0 };
	size_t nsplits = size ? data_[0] % 8 : 0;
	enum mp_rc ra, rb;

	if (size < 1 + nsplits)
		return 0;
	ra = run(data_ + 1 + nsplits, size - 1 - nsplits, NULL, 0, &a);
	rb = run(data_ + 1 + nsplits, size - 1 - nsplits, data_ + 1,
	    nsplits ? nsplits : 1, &b);
	/* Identical outcome, and identical transcripts when both succeed. */
	if (ra != rb || (ra == MP_DONE && (a.len != b.len ||
	    memcmp(a.buf, b.buf, a.len) != 0)))
		abort();
	free(a.buf);
	free(b.buf);
	return 0;
}
