/* Unit tests of lib/b64.c: exact output against an independent encoder,
 * round trips for every length 0..300 in the three alphabets, and strict
 * rejection of everything libb64 would silently accept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "tap.h"

/* Reference encoder, written from RFC 4648 without libb64. */
static char *
ref_encode(const unsigned char *p, size_t n, enum b64_alpha a)
{
	const char *al = a == B64_URL ?
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" :
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *s = malloc(n / 3 * 4 + 5), *o = s;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*o++ = al[p[i] >> 2];
		*o++ = al[(p[i] & 3) << 4 | p[i + 1] >> 4];
		*o++ = al[(p[i + 1] & 15) << 2 | p[i + 2] >> 6];
		*o++ = al[p[i + 2] & 63];
	}
	if (n - i == 1) {
		*o++ = al[p[i] >> 2];
		*o++ = al[(p[i] & 3) << 4];
		if (a == B64_STD) {
			*o++ = '=';
			*o++ = '=';
		}
	} else if (n - i == 2) {
		*o++ = al[p[i] >> 2];
		*o++ = al[(p[i] & 3) << 4 | p[i + 1] >> 4];
		*o++ = al[(p[i + 1] & 15) << 2];
		if (a == B64_STD)
			*o++ = '=';
	}
	*o = '\0';
	return s;
}

static const char *const names[] = { "std", "std-nopad", "url" };

static void
test_roundtrips(void)
{
	unsigned char buf[300], all[256], *out;
	size_t len, outlen;
	char *enc, *ref;
	int a, bad_enc, bad_dec;

	for (len = 0; len < sizeof(buf); len++)
		buf[len] = (unsigned char)(len * 131 + 7);
	for (a = B64_STD; a <= B64_URL; a++) {
		bad_enc = bad_dec = 0;
		for (len = 0; len <= sizeof(buf); len++) {
			enc = b64_encode(buf, len, a);
			ref = ref_encode(buf, len, a);
			if (strcmp(enc, ref) != 0) {
				if (!bad_enc++)
					printf("# %s len %zu: got %s want %s\n",
					    names[a], len, enc, ref);
			}
			if (b64_decode(enc, strlen(enc), a, &out, &outlen) != 0 ||
			    outlen != len || memcmp(out, buf, len) != 0 ||
			    out[len] != '\0')
				bad_dec++;
			free(out);
			free(enc);
			free(ref);
		}
		ok(bad_enc == 0, "%s: encode matches RFC 4648 for lengths 0..300",
		    names[a]);
		ok(bad_dec == 0, "%s: decode round trips lengths 0..300",
		    names[a]);

		for (len = 0; len < 256; len++)
			all[len] = (unsigned char)len;
		enc = b64_encode(all, sizeof(all), a);
		ok(strchr(enc, '\n') == NULL && strchr(enc, '\r') == NULL,
		    "%s: no line breaks in 256-byte output", names[a]);
		ok(a == B64_STD || strchr(enc, '=') == NULL,
		    "%s: padding only in the padded alphabet", names[a]);
		ok(b64_decode(enc, strlen(enc), a, &out, &outlen) == 0 &&
		    outlen == 256 && memcmp(out, all, 256) == 0,
		    "%s: all 256 byte values round trip", names[a]);
		free(out);
		free(enc);
	}
}

/* 1 if s is refused in alphabet a (and *out left NULL). */
static int
rejects(const char *s, size_t n, enum b64_alpha a)
{
	unsigned char *out = (unsigned char *)"x";
	size_t outlen = 99;
	int rc;

	rc = b64_decode(s, n, a, &out, &outlen);
	if (rc == 0)
		free(out);
	return rc == -1 && out == NULL && outlen == 0;
}

static int
decodes_to(const char *s, enum b64_alpha a, const char *want)
{
	unsigned char *out;
	size_t outlen;
	int r;

	if (b64_decode(s, strlen(s), a, &out, &outlen) != 0)
		return 0;
	r = outlen == strlen(want) && memcmp(out, want, outlen) == 0;
	free(out);
	return r;
}

#define REJ(s, a) rejects((s), sizeof(s) - 1, (a))

static void
test_known(void)
{
	char *s;

	/* RFC 4648 §10. */
	ok(decodes_to("", B64_STD, ""), "empty decodes");
	ok(decodes_to("Zg==", B64_STD, "f"), "Zg== is f");
	ok(decodes_to("Zm8=", B64_STD, "fo"), "Zm8= is fo");
	ok(decodes_to("Zm9vYmFy", B64_STD, "foobar"), "Zm9vYmFy is foobar");
	ok(decodes_to("Zg", B64_STD_NOPAD, "f"), "nopad Zg is f");
	ok(decodes_to("Zm8", B64_URL, "fo"), "url Zm8 is fo");
	s = b64_encode("\xfb\xff", 2, B64_URL);
	is_str(s, "-_8", "url alphabet uses - and _");
	free(s);
	s = b64_encode("\xfb\xff", 2, B64_STD);
	is_str(s, "+/8=", "std alphabet uses + and / with padding");
	free(s);
	s = b64_encode(NULL, 0, B64_STD);
	is_str(s, "", "empty input encodes to empty string");
	free(s);
}

static void
test_rejects(void)
{
	/* Characters outside the alphabet: libb64 would skip them. */
	ok(REJ("Zm9v!mFy", B64_STD), "'!' rejected");
	ok(REJ("Zm9v*mFy", B64_URL), "'*' rejected");
	ok(REJ("Zm9v mFy", B64_STD), "space rejected");
	ok(REJ("Zm9v\nYmFy", B64_STD), "newline rejected (std)");
	ok(REJ("Zm9vYmFy\n", B64_URL), "trailing newline rejected (url)");
	ok(REJ("Zm9vYmFy\r\n", B64_STD_NOPAD), "CRLF rejected");
	ok(REJ("Zm9v\0mFy", B64_STD), "embedded NUL rejected");
	ok(REJ("Zm9v\xc3\xa9mF", B64_URL), "non-ASCII rejected");
	ok(REJ("-_8=", B64_STD), "'-' '_' rejected in std");
	ok(REJ("-_8", B64_STD_NOPAD), "'-' '_' rejected in std-nopad");
	ok(REJ("+/8", B64_URL), "'+' '/' rejected in url");
	/* Padding. */
	ok(REJ("Zg==", B64_URL), "'=' rejected in url");
	ok(REJ("Zm8=", B64_URL), "single '=' rejected in url");
	ok(REJ("Zg==", B64_STD_NOPAD), "'=' rejected in std-nopad");
	ok(REJ("Zg", B64_STD), "missing padding rejected in std");
	ok(REJ("Zg=", B64_STD), "short padding rejected in std");
	ok(REJ("Zg===", B64_STD), "extra padding rejected in std");
	ok(REJ("Z===", B64_STD), "three '=' rejected");
	ok(REJ("====", B64_STD), "only padding rejected");
	ok(REJ("Zg==Zg==", B64_STD), "padding in the middle rejected");
	ok(REJ("Z=g=", B64_STD), "'=' inside a quad rejected");
	/* Lengths. */
	ok(REJ("Z", B64_URL), "length 1 rejected");
	ok(REJ("Zm9vY", B64_URL), "length 5 rejected");
	ok(REJ("Zm9vY", B64_STD_NOPAD), "length 5 rejected (nopad)");
	ok(REJ("Zm9vYm", B64_STD), "std length not a multiple of 4 rejected");
	/* Non-canonical trailing bits. */
	ok(REJ("Zh==", B64_STD), "non-zero bits after 1 byte rejected (std)");
	ok(REJ("Zh", B64_URL), "non-zero bits after 1 byte rejected (url)");
	ok(REJ("Zm9=", B64_STD), "non-zero bits after 2 bytes rejected (std)");
	ok(REJ("Zm9", B64_STD_NOPAD), "non-zero bits after 2 bytes rejected");
	ok(REJ("-_9", B64_URL), "non-canonical url rejected");
	ok(!REJ("-_8", B64_URL), "canonical neighbour accepted");
	ok(!REJ("AQ", B64_URL) && REJ("AB", B64_URL) && REJ("AR", B64_URL),
	    "after 1 byte only the top 2 bits of the last char may be set");
	ok(!REJ("AAE", B64_URL) && REJ("AAB", B64_URL) && REJ("AAF", B64_URL),
	    "after 2 bytes only the top 4 bits of the last char may be set");
}

int
main(void)
{
	test_roundtrips();
	test_known();
	test_rejects();
	return done_testing();
}
