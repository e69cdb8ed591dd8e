#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "xmalloc.h"

/* Length of the UTF-8 sequence at s (RFC 3629), or 0 if invalid.  Sets
 * *cp to the code point. */
static size_t
utf8_seq(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0], need, min, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		need = 1, min = 0x80, *cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2, min = 0x800, *cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3, min = 0x10000, *cp = c & 0x07;
	} else
		return 0;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return need + 1;
}

int
name_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n;
	unsigned cp;

	if (len == 0 || len > NAME_MAX_BYTES || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	while (*p) {
		if ((n = utf8_seq(p, &cp)) == 0)
			return 0;
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
		    cp == '/' || cp == '\\')
			return 0;
		p += n;
	}
	return 1;
}

char *
name_from_upload(const char *filename)
{
	const char *base = filename, *p;

	for (p = filename; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	return name_valid(base) ? xstrdup(base) : NULL;
}

char *
name_with_suffix(const char *name, unsigned n)
{
	const char *dot = strrchr(name, '.');
	char suffix[24];
	size_t stem, ext, slen;
	char *out;

	/* A leading dot (".bashrc") is part of the name, not an extension. */
	if (dot == name)
		dot = NULL;
	stem = dot ? (size_t)(dot - name) : strlen(name);
	ext = dot ? strlen(dot) : 0;
	slen = (size_t)snprintf(suffix, sizeof(suffix), " (%u)", n);
	if (ext + slen >= NAME_MAX_BYTES)
		ext = 0, stem = strlen(name);
	while (stem + slen + ext > NAME_MAX_BYTES) {
		stem--;
		/* Back up to the start of a UTF-8 character. */
		while (stem > 0 && ((unsigned char)name[stem] & 0xc0) == 0x80)
			stem--;
	}
	out = xmalloc(stem + slen + ext + 1);
	memcpy(out, name, stem);
	memcpy(out + stem, suffix, slen);
	memcpy(out + stem + slen, name + strlen(name) - ext, ext);
	out[stem + slen + ext] = '\0';
	return out;
}

int
username_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 3 || n > 32)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") == n;
}

int
email_valid(const char *s)
{
	const char *at = strchr(s, '@'), *p;
	size_t n = strlen(s);

	if (n < 3 || n > 254 || at == NULL || at == s || strchr(at + 1, '@'))
		return 0;
	for (p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return 0;
	p = strrchr(at + 1, '.');
	return p != NULL && p > at + 1 && p[1] != '\0';
}
