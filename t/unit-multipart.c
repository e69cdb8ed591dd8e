/* lib/multipart.c: every body is parsed whole, a byte at a time, split
 * in two at every point, and in random chunks, and each way must give
 * the same transcript of callbacks as the one expected. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"
#include "tap.h"
#include "xmalloc.h"

#define CT	"multipart/form-data; boundary=------------------------d74496d66958873e"
#define B	"------------------------d74496d66958873e"

struct buf {
	char	*p;
	size_t	 len, cap;
};

static void
buf_add(struct buf *b, const void *p, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		b->cap = (b->len + len + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
	b->p[b->len] = '\0';
}

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	buf_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* What the callbacks saw, in a form that does not depend on how the
 * data calls were split. */
struct rec {
	struct buf	 t;		/* transcript */
	struct buf	 data;		/* the open part's bytes */
	int		 in;
	int		 begins;
	int		 abort_begin;	/* refuse the nth part_begin */
	size_t		 abort_after;	/* refuse data past this many bytes */
	size_t		 seen;		/* data bytes over all parts */
};

static int
cb_begin(void *arg, const struct mp_part *p)
{
	struct rec *r = arg;

	if (r->in)
		buf_printf(&r->t, "NESTED\n");
	r->in = 1;
	r->data.len = 0;
	buf_printf(&r->t, "begin name=%s filename=%s type=%s\n",
	    p->name ? p->name : "(null)",
	    p->filename ? p->filename : "(null)",
	    p->content_type ? p->content_type : "(null)");
	return ++r->begins == r->abort_begin;
}

static int
cb_data(void *arg, const char *p, size_t len)
{
	struct rec *r = arg;

	if (!r->in || len == 0)
		buf_printf(&r->t, "BAD DATA CALL\n");
	buf_add(&r->data, p, len);
	r->seen += len;
	return r->abort_after && r->seen > r->abort_after;
}

static int
cb_end(void *arg)
{
	struct rec *r = arg;

	if (!r->in)
		buf_printf(&r->t, "END WITHOUT BEGIN\n");
	buf_printf(&r->t, "data %zu:", r->data.len);
	buf_add(&r->t, r->data.p ? r->data.p : "", r->data.len);
	buf_printf(&r->t, "\nend\n");
	r->in = 0;
	r->data.len = 0;
	return 0;
}

static const struct mp_callbacks cbs = { cb_begin, cb_data, cb_end };

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

struct opts {
	int		 abort_begin;
	size_t		 abort_after;
	struct mp_limits lim;
};

/* Feed body in chunks: mode 0 whole, 1 a byte at a time, 2 split at
 * `split`, 3 random chunks from seed.  Returns the transcript (heap). */
static char *
run(const char *ct, const char *body, size_t len, int mode, size_t split,
    uint32_t seed, const struct opts *o, size_t *tlen)
{
	struct rec r;
	struct multipart *m;
	enum mp_err err;
	enum mp_rc rc = MP_AGAIN;
	size_t off = 0, n;

	memset(&r, 0, sizeof(r));
	if (o != NULL) {
		r.abort_begin = o->abort_begin;
		r.abort_after = o->abort_after;
	}
	if ((m = multipart_new(ct, &cbs, &r, &err)) == NULL) {
		buf_printf(&r.t, "new failed %d\n", err);
		free(r.data.p);
		*tlen = r.t.len;
		return r.t.p;
	}
	if (o != NULL)
		multipart_limits(m, &o->lim);
	while (off < len && rc == MP_AGAIN) {
		switch (mode) {
		case 0:
			n = len;
			break;
		case 1:
			n = 1;
			break;
		case 2:
			n = off < split ? split - off : len - off;
			break;
		default:
			n = 1 + rnd(&seed) % (rnd(&seed) % 4 == 0 ? 200 : 9);
			break;
		}
		if (n > len - off)
			n = len - off;
		rc = multipart_feed(m, body + off, n);
		off += n;
	}
	/* What follows a final result changes nothing. */
	if (rc != MP_AGAIN && off < len &&
	    multipart_feed(m, body + off, len - off) != rc)
		buf_printf(&r.t, "RESULT CHANGED\n");
	if (rc == MP_AGAIN)
		rc = multipart_finish(m);
	if (multipart_feed(m, "x", 1) != rc || multipart_finish(m) != rc)
		buf_printf(&r.t, "NOT STICKY\n");
	if (r.in) {
		buf_printf(&r.t, "open %zu:", r.data.len);
		buf_add(&r.t, r.data.p ? r.data.p : "", r.data.len);
		buf_printf(&r.t, "\n");
	}
	buf_printf(&r.t, "rc=%d err=%d\n", rc, multipart_error(m));
	multipart_free(m);
	free(r.data.p);
	*tlen = r.t.len;
	return r.t.p;
}

/* Run body every way and compare each transcript with want. */
static void
check_opts(const char *name, const char *ct, const char *body, size_t len,
    const char *want, size_t wantlen, const struct opts *o)
{
	char *t;
	size_t k, tl;
	int bad = 0;
	uint32_t seed;

	t = run(ct, body, len, 0, 0, 0, o, &tl);
	if (!ok(tl == wantlen && memcmp(t, want, wantlen) == 0,
	    "%s: whole", name))
		printf("# got:\n%s# want:\n%.*s", t, (int)wantlen, want);
	free(t);
	t = run(ct, body, len, 1, 0, 0, o, &tl);
	ok(tl == wantlen && memcmp(t, want, wantlen) == 0,
	    "%s: byte by byte", name);
	free(t);
	for (k = 1; k < len && !bad; k++) {
		t = run(ct, body, len, 2, k, 0, o, &tl);
		if (tl != wantlen || memcmp(t, want, wantlen) != 0) {
			printf("# split at %zu differs:\n%s", k, t);
			bad = 1;
		}
		free(t);
	}
	ok(!bad, "%s: split at every point", name);
	for (seed = 1; seed <= 50 && !bad; seed++) {
		t = run(ct, body, len, 3, 0, seed * 2654435761u, o, &tl);
		if (tl != wantlen || memcmp(t, want, wantlen) != 0) {
			printf("# seed %u differs:\n%s", seed, t);
			bad = 1;
		}
		free(t);
	}
	ok(!bad, "%s: random chunks", name);
}

static void
check(const char *name, const char *ct, const char *body, const char *want)
{
	check_opts(name, ct, body, strlen(body), want, strlen(want), NULL);
}

/* The transcript of one complete part. */
static void
want_part(struct buf *w, const char *name, const char *fn, const char *ct,
    const char *data, size_t len)
{
	buf_printf(w, "begin name=%s filename=%s type=%s\n", name,
	    fn ? fn : "(null)", ct ? ct : "(null)");
	buf_printf(w, "data %zu:", len);
	buf_add(w, data, len);
	buf_printf(w, "\nend\n");
}

#define RC(rc, err)	"rc=" #rc " err=" #err "\n"

static void
test_basic(void)
{
	check("one part (curl -F)", CT,
	    "--" B "\r\n"
	    "Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "hello\n"
	    "\r\n--" B "--\r\n",
	    "begin name=file filename=a.txt type=text/plain\n"
	    "data 6:hello\n\nend\n" RC(1, 0));

	check("two parts and a field", CT,
	    "--" B "\r\n"
	    "Content-Disposition: form-data; name=\"folder_id\"\r\n"
	    "\r\n"
	    "42\r\n"
	    "--" B "\r\n"
	    "Content-Disposition: form-data; name=\"file\"; filename=\"b.bin\"\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "\r\n"
	    "\x01\x02\r\n\x03"
	    "\r\n--" B "--",
	    "begin name=folder_id filename=(null) type=(null)\n"
	    "data 2:42\nend\n"
	    "begin name=file filename=b.bin type=application/octet-stream\n"
	    "data 5:\x01\x02\r\n\x03\nend\n" RC(1, 0));

	check("empty file", CT,
	    "--" B "\r\n"
	    "Content-Disposition: form-data; name=\"file\"; filename=\"e\"\r\n"
	    "\r\n"
	    "\r\n--" B "--\r\n",
	    "begin name=file filename=e type=(null)\n"
	    "data 0:\nend\n" RC(1, 0));

	check("preamble, padding, epilogue", CT,
	    "This is a preamble.\r\n--not the boundary\r\n"
	    "--" B " \t \r\n"
	    "content-disposition: FORM-DATA; NAME=x\r\n"
	    "CONTENT-TYPE:  text/plain; charset=utf-8  \r\n"
	    "X-Other: ignored\r\n"
	    "\r\n"
	    "v\r\n--" B "--\r\nepilogue\r\n--" B "\r\nmore",
	    "begin name=x filename=(null) type=text/plain; charset=utf-8\n"
	    "data 1:v\nend\n" RC(1, 0));

	check("CRLF before the first delimiter", CT,
	    "\r\n--" B "\r\n"
	    "Content-Disposition: form-data; name=a\r\n\r\n"
	    "1\r\n--" B "--",
	    "begin name=a filename=(null) type=(null)\n"
	    "data 1:1\nend\n" RC(1, 0));

	check("folded header", CT,
	    "--" B "\r\n"
	    "Content-Disposition: form-data;\r\n"
	    "\tname=\"f\";\r\n filename=\"x y\"\r\n\r\n"
	    "z\r\n--" B "--",
	    "begin name=f filename=x y type=(null)\n"
	    "data 1:z\nend\n" RC(1, 0));

	check("close delimiter with no parts", CT,
	    "--" B "--\r\n",
	    RC(1, 0));

	check("short boundary", "multipart/form-data; boundary=b",
	    "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n"
	    "-b\r\n-b\r\n--\r\n--c\r\n--b-\r\n--b\r--b--\r\n--b--",
	    "begin name=a filename=(null) type=(null)\n"
	    "data 32:-b\r\n-b\r\n--\r\n--c\r\n--b-\r\n--b\r--b--\nend\n"
	    RC(1, 0));
}

static void
test_binary(void)
{
	static const char *tricks[] = {
		"\r", "\r\n", "\r\n-", "\r\n--", "\r\n--" B "x",
		"\r\n--" B "-x", "\r\n--" B "\rx", "\r\n--" B "\r\r",
		"--" B "\r\n", "\r\r\n--", "\n--" B "--", "\r\n--------",
		"\r\n--" B, "\r\n--" B "-", "\r\n--" B "\r",
	};
	struct buf data = { 0 }, body = { 0 }, want = { 0 };
	size_t i;
	char c;

	for (i = 0; i < 256; i++) {
		c = (char)i;
		buf_add(&data, &c, 1);
	}
	for (i = 0; i < sizeof(tricks) / sizeof(tricks[0]); i++) {
		buf_add(&data, tricks[i], strlen(tricks[i]));
		buf_add(&data, "\x00\xff", 2);
	}
	/* Ending in what might start a delimiter. */
	buf_add(&data, "\r\n--" B, strlen("\r\n--" B) - 1);

	buf_printf(&body, "--" B "\r\nContent-Disposition: form-data; "
	    "name=\"file\"; filename=\"all.bin\"\r\n\r\n");
	buf_add(&body, data.p, data.len);
	buf_printf(&body, "\r\n--" B "\r\nContent-Disposition: form-data; "
	    "name=\"tail\"\r\n\r\n");
	buf_add(&body, data.p, data.len);
	buf_printf(&body, "\r\n--" B "--");

	want_part(&want, "file", "all.bin", NULL, data.p, data.len);
	want_part(&want, "tail", NULL, NULL, data.p, data.len);
	buf_printf(&want, RC(1, 0));
	check_opts("binary: all bytes, CRLFs, fake delimiters", CT, body.p,
	    body.len, want.p, want.len, NULL);
	free(data.p);
	free(body.p);
	free(want.p);
}

/* Part data reaches the callback before the rest of the body arrives:
 * at most the delimiter and one byte are held back. */
static void
test_streaming(void)
{
	static const char head[] = "--" B "\r\n"
	    "Content-Disposition: form-data; name=\"file\"\r\n\r\n";
	struct rec r;
	struct multipart *m;
	enum mp_err err;
	size_t i, dlen = strlen("\r\n--" B), worst = 0, fed = 0;
	char c;
	int rc = 1;

	memset(&r, 0, sizeof(r));
	m = multipart_new(CT, &cbs, &r, &err);
	multipart_feed(m, head, strlen(head));
	for (i = 0; i < 5000 && rc; i++) {
		/* Body that keeps starting delimiters and breaking off. */
		c = "\r\n--------------------x"[i % 23];
		rc = multipart_feed(m, &c, 1) == MP_AGAIN;
		fed++;
		if (fed - r.seen > worst)
			worst = fed - r.seen;
	}
	ok(rc, "streaming: fed 5000 bytes");
	ok(worst <= dlen + 1, "streaming: at most %zu bytes held back (%zu)",
	    dlen + 1, worst);
	multipart_free(m);
	free(r.t.p);
	free(r.data.p);
}

static void
test_filenames(void)
{
	check("quoted filename with an escaped quote", CT,
	    "--" B "\r\nContent-Disposition: form-data; name=\"file\"; "
	    "filename=\"a\\\"b \\\\ c.txt\"\r\n\r\nx\r\n--" B "--",
	    "begin name=file filename=a\"b \\ c.txt type=(null)\n"
	    "data 1:x\nend\n" RC(1, 0));

	check("MSIE full path keeps its backslashes", CT,
	    "--" B "\r\nContent-Disposition: form-data; name=\"file\"; "
	    "filename=\"C:\\dir\\a.txt\"\r\n\r\nx\r\n--" B "--",
	    "begin name=file filename=C:\\dir\\a.txt type=(null)\n"
	    "data 1:x\nend\n" RC(1, 0));

	check("token filename, ';' in a quoted one", CT,
	    "--" B "\r\nContent-Disposition: form-data; name=a;filename=x.txt"
	    "\r\n\r\n\r\n--" B "\r\nContent-Disposition: form-data; "
	    "name=\"b;c\"; filename=\"y; z=1.txt\"; size=3\r\n\r\n\r\n--" B "--",
	    "begin name=a filename=x.txt type=(null)\ndata 0:\nend\n"
	    "begin name=b;c filename=y; z=1.txt type=(null)\ndata 0:\nend\n"
	    RC(1, 0));

	check("filename* takes precedence", CT,
	    "--" B "\r\nContent-Disposition: form-data; name=\"file\"; "
	    "filename=\"fallback.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt"
	    "\r\n\r\nx\r\n--" B "--",
	    "begin name=file filename=\xe2\x82\xac rates.txt type=(null)\n"
	    "data 1:x\nend\n" RC(1, 0));

	check("filename* before filename, language tag", CT,
	    "--" B "\r\nContent-Disposition: form-data; name=\"file\"; "
	    "filename*=utf-8'en'a%2Fb.txt; filename=\"fallback.txt\""
	    "\r\n\r\nx\r\n--" B "--",
	    "begin name=file filename=a/b.txt type=(null)\n"
	    "data 1:x\nend\n" RC(1, 0));

	check("filename* in ISO-8859-1", CT,
	    "--" B "\r\nContent-Disposition: form-data; name=\"file\"; "
	    "filename*=ISO-8859-1''%A3%20rates"
	    "\r\n\r\nx\r\n--" B "--",
	    "begin name=file filename=\xc2\xa3 rates type=(null)\n"
	    "data 1:x\nend\n" RC(1, 0));

	check("bad filename* falls back to filename", CT,
	    "--" B "\r\nContent-Disposition: form-data; name=\"file\"; "
	    "filename=\"ok.txt\"; filename*=UTF-8''a%00b\r\n\r\n\r\n--" B
	    "\r\nContent-Disposition: form-data; name=\"file\"; "
	    "filename=\"ok.txt\"; filename*=KOI8-R''abc\r\n\r\n\r\n--" B
	    "\r\nContent-Disposition: form-data; name=\"file\"; "
	    "filename=\"ok.txt\"; filename*=UTF-8''%zz\r\n\r\n\r\n--" B
	    "\r\nContent-Disposition: form-data; name=\"file\"; "
	    "filename*=UTF-8''a%2\r\n\r\n\r\n--" B "--",
	    "begin name=file filename=ok.txt type=(null)\ndata 0:\nend\n"
	    "begin name=file filename=ok.txt type=(null)\ndata 0:\nend\n"
	    "begin name=file filename=ok.txt type=(null)\ndata 0:\nend\n"
	    "begin name=file filename=(null) type=(null)\ndata 0:\nend\n"
	    RC(1, 0));

	check("raw UTF-8 filename", CT,
	    "--" B "\r\nContent-Disposition: form-data; name=\"file\"; "
	    "filename=\"r\xc3\xa9sum\xc3\xa9.pdf\"\r\n\r\nx\r\n--" B "--",
	    "begin name=file filename=r\xc3\xa9sum\xc3\xa9.pdf type=(null)\n"
	    "data 1:x\nend\n" RC(1, 0));
}

static void
test_errors(void)
{
	struct opts o;
	struct buf body = { 0 }, want = { 0 };
	int i;

	check("missing closing delimiter", CT,
	    "--" B "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"
	    "abc\r\n--" B,
	    "begin name=file filename=(null) type=(null)\n"
	    "open 3:abc\n" RC(2, 6));
	check("ends inside headers", CT,
	    "--" B "\r\nContent-Disposition: form-da", RC(2, 6));
	check("ends before the first delimiter", CT, "just text", RC(2, 6));
	check("empty body", CT, "", RC(2, 6));
	check("closing delimiter cut short", CT,
	    "--" B "\r\nContent-Disposition: form-data; name=a\r\n\r\n"
	    "\r\n--" B "-",
	    "begin name=a filename=(null) type=(null)\n"
	    "open 0:\n" RC(2, 6));

	check("header without colon", CT,
	    "--" B "\r\nContent-Disposition form-data\r\n\r\n", RC(2, 2));
	check("no Content-Disposition", CT,
	    "--" B "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" B "--",
	    RC(2, 2));
	check("no headers", CT, "--" B "\r\n\r\nx\r\n--" B "--", RC(2, 2));
	check("no name", CT,
	    "--" B "\r\nContent-Disposition: form-data; filename=a\r\n\r\n",
	    RC(2, 2));
	check("not form-data", CT,
	    "--" B "\r\nContent-Disposition: attachment; name=a\r\n\r\n",
	    RC(2, 2));
	check("name twice", CT,
	    "--" B "\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\n",
	    RC(2, 2));
	check("unterminated quote", CT,
	    "--" B "\r\nContent-Disposition: form-data; name=\"a\r\n\r\n",
	    RC(2, 2));
	check("parameter without value", CT,
	    "--" B "\r\nContent-Disposition: form-data; name\r\n\r\n",
	    RC(2, 2));
	check("space before colon", CT,
	    "--" B "\r\nContent-Disposition : form-data; name=a\r\n\r\n",
	    RC(2, 2));
	check("bare LF in headers", CT,
	    "--" B "\r\nContent-Disposition: form-data; name=a\n\n", RC(2, 2));
	check_opts("NUL in a header", CT,
	    "--" B "\r\nContent-Disposition: form-data; name=a\0b\r\n\r\n",
	    strlen("--" B "\r\nContent-Disposition: form-data; name=a") + 6,
	    RC(2, 2), strlen(RC(2, 2)), NULL);
	check("junk after a delimiter", CT,
	    "--" B "\r\nContent-Disposition: form-data; name=a\r\n\r\n"
	    "x\r\n--" B " x\r\n", "begin name=a filename=(null) type=(null)\n"
	    "data 1:x\nend\n" RC(2, 2));
	check("padding then CR without LF", CT,
	    "--" B " \r \r\n", RC(2, 2));
	check("garbage", CT,
	    "\xff\xfe\r\n\r\n--\r\n--x--\r\n\x80\x81\r\n--" B "\r\n\x01\r\n\r\n",
	    RC(2, 2));

	/* Headers: the limit counts the header lines with their CRLFs,
	 * here 41 + 23 = 64 bytes. */
	memset(&o, 0, sizeof(o));
	o.lim.max_header = 64;
	for (i = 23; i <= 24; i++) {
		body.len = want.len = 0;
		buf_printf(&body, "--" B "\r\nContent-Disposition: form-data; "
		    "name=\"%.*s\"\r\n\r\n\r\n--" B "--", i,
		    "abcdefghijklmnopqrstuvwxyz");
		if (i == 23)
			buf_printf(&want, "begin name=%.*s filename=(null) "
			    "type=(null)\ndata 0:\nend\n" RC(1, 0), i,
			    "abcdefghijklmnopqrstuvwxyz");
		else
			buf_printf(&want, RC(2, 3));
		check_opts(i == 23 ? "headers at the limit" :
		    "headers one byte over", CT, body.p, body.len, want.p,
		    want.len, &o);
	}
	body.len = want.len = 0;
	buf_printf(&body, "--" B "\r\nContent-Disposition: form-data; "
	    "name=big\r\nX-Pad: ");
	for (i = 0; i < MP_MAX_HEADER; i++)
		buf_add(&body, "a", 1);
	buf_printf(&body, "\r\n\r\nx\r\n--" B "--");
	check_opts("oversized headers (default limit)", CT, body.p, body.len,
	    RC(2, 3), strlen(RC(2, 3)), NULL);

	/* Parts: the limit, then one more. */
	body.len = 0;
	for (i = 0; i < MP_MAX_PARTS; i++) {
		buf_printf(&body, "--" B "\r\nContent-Disposition: form-data; "
		    "name=p%d\r\n\r\n%d\r\n", i, i % 10);
		buf_printf(&want, "begin name=p%d filename=(null) type=(null)\n"
		    "data 1:%d\nend\n", i, i % 10);
	}
	buf_printf(&body, "--" B "--");
	buf_printf(&want, RC(1, 0));
	check_opts("16 parts", CT, body.p, body.len, want.p, want.len, NULL);
	body.len -= strlen("--" B "--");
	want.len -= strlen(RC(1, 0));
	buf_printf(&body, "--" B "\r\nContent-Disposition: form-data; "
	    "name=p16\r\n\r\nx\r\n--" B "--");
	buf_printf(&want, RC(2, 4));
	check_opts("17 parts", CT, body.p, body.len, want.p, want.len, NULL);
	o.lim.max_header = 0;
	o.lim.max_parts = 2;
	check_opts("3 parts over a limit of 2", CT, body.p, body.len,
	    "begin name=p0 filename=(null) type=(null)\ndata 1:0\nend\n"
	    "begin name=p1 filename=(null) type=(null)\ndata 1:1\nend\n"
	    RC(2, 4), strlen(
	    "begin name=p0 filename=(null) type=(null)\ndata 1:0\nend\n"
	    "begin name=p1 filename=(null) type=(null)\ndata 1:1\nend\n"
	    RC(2, 4)), &o);

	/* Callbacks that refuse. */
	memset(&o, 0, sizeof(o));
	o.abort_begin = 2;
	check_opts("part_begin refuses", CT, body.p, body.len,
	    "begin name=p0 filename=(null) type=(null)\ndata 1:0\nend\n"
	    "begin name=p1 filename=(null) type=(null)\n"
	    "open 0:\n" RC(2, 5), strlen(
	    "begin name=p0 filename=(null) type=(null)\ndata 1:0\nend\n"
	    "begin name=p1 filename=(null) type=(null)\n"
	    "open 0:\n" RC(2, 5)), &o);
	free(body.p);
	free(want.p);
}

static void
test_new(void)
{
	static const struct {
		const char	*ct;
		int		 good;
	} t[] = {
		{ "multipart/form-data; boundary=abc", 1 },
		{ "Multipart/Form-Data; BOUNDARY=abc", 1 },
		{ "multipart/form-data;boundary=\"a b:c\"", 1 },
		{ "multipart/form-data; charset=utf-8; boundary=x", 1 },
		{ "multipart/form-data ; boundary = x ; ", 1 },
		{ "multipart/form-data; boundary=\"a=b\"", 1 },
		{ "multipart/form-data; boundary="
		  "0123456789012345678901234567890123456789012345678901234567890123456789", 1 },
		{ "multipart/form-data; boundary="
		  "01234567890123456789012345678901234567890123456789012345678901234567890", 0 },
		{ "multipart/form-data", 0 },
		{ "multipart/form-data;", 0 },
		{ "multipart/form-data; boundary=", 0 },
		{ "multipart/form-data; boundary=\"\"", 0 },
		{ "multipart/form-data; boundary=\"ab \"", 0 },
		{ "multipart/form-data; boundary=\"a\"b\"", 0 },
		{ "multipart/form-data; boundary=a*b", 0 },
		{ "multipart/form-data; boundary=\"a\\\"b\"", 0 },
		{ "multipart/form-data; boundary=a; boundary=b", 0 },
		{ "multipart/form-data; boundary=\"unterminated", 0 },
		{ "multipart/form-data-x; boundary=a", 0 },
		{ "multipart/mixed; boundary=a", 0 },
		{ "application/x-www-form-urlencoded", 0 },
		{ "text/plain; boundary=a", 0 },
		{ "", 0 },
		{ NULL, 0 },
	};
	struct multipart *m;
	enum mp_err err;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err = MP_ERR_SYNTAX;
		m = multipart_new(t[i].ct, &cbs, NULL, &err);
		ok((m != NULL) == t[i].good && err ==
		    (t[i].good ? MP_ERR_NONE : MP_ERR_BOUNDARY),
		    "multipart_new(%s) %s", t[i].ct ? t[i].ct : "NULL",
		    t[i].good ? "works" : "fails");
		multipart_free(m);
	}
	multipart_free(NULL);
	for (i = MP_ERR_NONE; i <= MP_ERR_TRUNCATED; i++)
		ok(multipart_strerror(i)[0] != '\0' &&
		    strchr(multipart_strerror(i), '.') != NULL,
		    "strerror %zu is a sentence", i);
}

/* No callbacks at all: the parser still runs. */
static void
test_null_callbacks(void)
{
	static const char body[] = "--b\r\nContent-Disposition: form-data; "
	    "name=a\r\n\r\nx\r\n--b--";
	struct multipart *m;
	enum mp_err err;

	m = multipart_new("multipart/form-data; boundary=b", NULL, NULL, &err);
	is_int(multipart_feed(m, body, sizeof(body) - 1), MP_DONE,
	    "NULL callbacks: done");
	is_int(multipart_finish(m), MP_DONE, "NULL callbacks: finish done");
	multipart_free(m);
}

int
main(void)
{
	test_new();
	test_basic();
	test_binary();
	test_streaming();
	test_filenames();
	test_errors();
	test_null_callbacks();
	return done_testing();
}
