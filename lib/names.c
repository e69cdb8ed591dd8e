/* Names (SPEC §2).  Names are stored and compared as bytes, so the only
 * normalisation is none: what is valid is kept as sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "xmalloc.h"

#define EXT_MAX	16	/* longest extension kept after a " (n)" */

/* The length of the UTF-8 sequence at s (RFC 3629 §4), with its code
 * point in *cp; 0 if it is not well-formed. */
static size_t
utf8_seq(const unsigned char *s, unsigned long *cp)
{
	size_t need, i;
	unsigned long min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1, min = 0x80, *cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 2, min = 0x800, *cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 3, min = 0x10000, *cp = s[0] & 0x07;
	else
		return 0;	/* a continuation byte, 0xc0, 0xc1, >= 0xf5 */
	for (i = 1; i <= need; i++) {
		/* A NUL fails here too, so this never reads past it. */
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
	unsigned long cp;
	size_t n;

	if (s == NULL || s[0] == '\0' || strlen(s) > NAME_MAX_BYTES ||
	    strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (; *p != '\0'; p += n) {
		if ((n = utf8_seq(p, &cp)) == 0)
			return 0;
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
		    cp == '/' || cp == '\\')
			return 0;
		/* Bidi controls and invisible format characters make a name
		 * display as another one ("\u202egnp.exe" shows "exe.png"). */
		if (cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
		    (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2060 && cp <= 0x2064) ||
		    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff)
			return 0;
	}
	return 1;
}

char *
name_from_upload(const char *filename)
{
	const char *base, *p;
	char *out, *o;

	if (filename == NULL)
		return NULL;
	for (base = p = filename; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	/* Browsers and curl send '"' as "%22" (HTML's multipart/form-data
	 * encoding); a literal "%22" cannot be told apart, and is rarer. */
	out = o = xstrdup(base);
	for (p = base; *p != '\0'; p++) {
		if (strncmp(p, "%22", 3) == 0) {
			*o++ = '"';
			p += 2;
		} else
			*o++ = *p;
	}
	*o = '\0';
	if (!name_valid(out)) {
		free(out);
		return NULL;
	}
	return out;
}

char *
name_with_suffix(const char *name, unsigned n)
{
	const char *dot = strrchr(name, '.');
	char suffix[32];
	size_t len = strlen(name), stem, ext, slen;
	char *out;

	/* The extension is the last '.' and what follows, unless the dot
	 * leads (".bashrc") or ends the name, or what follows is long or
	 * has spaces ("Mr. Smith"): then there is none. */
	ext = dot != NULL ? len - (size_t)(dot - name) : 0;
	if (dot == name || ext < 2 || ext > EXT_MAX + 1 ||
	    strpbrk(dot, " \t") != NULL)
		ext = 0;
	stem = len - ext;
	slen = (size_t)snprintf(suffix, sizeof(suffix), " (%u)", n);
	if (stem + slen + ext > NAME_MAX_BYTES) {
		stem = NAME_MAX_BYTES - slen - ext;
		/* Do not split a character: back up over continuation
		 * bytes to the start of the one that would be cut. */
		while (stem > 0 && ((unsigned char)name[stem] & 0xc0) == 0x80)
			stem--;
	}
	out = xmalloc(stem + slen + ext + 1);
	memcpy(out, name, stem);
	memcpy(out + stem, suffix, slen);
	memcpy(out + stem + slen, name + len - ext, ext);
	out[stem + slen + ext] = '\0';
	return out;
}

int
username_valid(const char *s)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = strlen(s);
	return n >= 3 && n <= 32 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

int
email_valid(const char *s)
{
	const char *at, *dom, *p;
	size_t n;

	if (s == NULL || (n = strlen(s)) < 3 || n > 254)
		return 0;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 0;
	if ((at = strchr(s, '@')) == NULL || at == s ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	dom = at + 1;
	/* A dot, neither first nor last, and no empty label. */
	return strchr(dom, '.') != NULL && dom[0] != '.' &&
	    s[n - 1] != '.' && strstr(dom, "..") == NULL;
}
