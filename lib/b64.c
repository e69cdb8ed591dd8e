/* Base64 on libb64.  libb64 does the standard alphabet only, breaks its
 * output into 72-character lines (plus a final newline) and its decoder
 * skips any character it does not know, so this file removes the
 * newlines, maps the URL alphabet and validates every input byte before
 * libb64 sees it. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <b64/cdecode.h>
#include <b64/cencode.h>

#include "b64.h"
#include "xmalloc.h"

/* libb64 counts in int: feed it chunks well below INT_MAX.  Multiples
 * of 3 (encode) and 4 (decode) keep its state machine at a boundary. */
#define ENC_CHUNK	(3 * (1 << 28))
#define DEC_CHUNK	(4 * (1 << 28))

char *
b64_encode(const void *buf, size_t len, enum b64_alpha a)
{
	base64_encodestate st;
	const char *in = buf;
	size_t cap, n = 0, i, o, chunk;
	char *raw, *out;

	/* 4 per 3 bytes, one newline per 54 input bytes, final newline. */
	cap = (len / 3 + 1) * 4 + len / 54 + 8;
	raw = xmalloc(cap);
	base64_init_encodestate(&st);
	for (i = 0; i < len; i += chunk) {
		chunk = len - i < ENC_CHUNK ? len - i : ENC_CHUNK;
		n += base64_encode_block(in + i, (int)chunk, raw + n, &st);
	}
	n += base64_encode_blockend(raw + n, &st);
	out = xmalloc(n + 1);
	for (i = o = 0; i < n; i++) {
		char c = raw[i];

		if (c == '\n')
			continue;
		if (c == '=' && a != B64_STD)
			continue;
		if (a == B64_URL)
			c = c == '+' ? '-' : c == '/' ? '_' : c;
		out[o++] = c;
	}
	out[o] = '\0';
	free(raw);
	return out;
}

/* The 6-bit value of c in alphabet a, or -1. */
static int
value(unsigned char c, enum b64_alpha a)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (a == B64_URL)
		return c == '-' ? 62 : c == '_' ? 63 : -1;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

int
b64_decode(const char *s, size_t slen, enum b64_alpha a, unsigned char **out,
    size_t *outlen)
{
	base64_decodestate st;
	size_t data = slen, i, n, want, chunk;
	unsigned char *o;
	char *std;
	int last;

	*out = NULL;
	*outlen = 0;
	if (a != B64_STD && a != B64_STD_NOPAD && a != B64_URL)
		return -1;
	if (slen > 0 && s == NULL)
		return -1;
	if (a == B64_STD) {
		if (slen % 4)
			return -1;
		/* At most two '=', only at the very end. */
		while (data > 0 && slen - data < 2 && s[data - 1] == '=')
			data--;
	}
	if (data % 4 == 1)
		return -1;
	for (i = 0; i < data; i++)
		if (value((unsigned char)s[i], a) < 0)
			return -1;
	/* Canonical form: the bits below the last full byte are zero. */
	if (data % 4) {
		last = value((unsigned char)s[data - 1], a);
		if ((data % 4 == 2 && (last & 0x0f)) ||
		    (data % 4 == 3 && (last & 0x03)))
			return -1;
	}
	want = data / 4 * 3 + (data % 4 ? data % 4 - 1 : 0);

	/* libb64 only knows "+/" and wants whole quads. */
	std = xmalloc(data + 4);
	for (i = 0; i < data; i++)
		std[i] = a != B64_URL ? s[i] :
		    s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	while (i % 4)
		std[i++] = '=';
	o = xmalloc(want + 4);
	base64_init_decodestate(&st);
	for (n = 0, data = i, i = 0; i < data; i += chunk) {
		chunk = data - i < DEC_CHUNK ? data - i : DEC_CHUNK;
		n += base64_decode_block(std + i, (int)chunk, (char *)o + n, &st);
	}
	free(std);
	if (n != want) {
		free(o);
		return -1;
	}
	o[n] = '\0';
	*out = o;
	*outlen = n;
	return 0;
}
