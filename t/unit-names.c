/* lib/names.c: names (SPEC §2), usernames, email addresses. */
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "tap.h"

static void
valid(const char *s, int want, const char *why)
{
	ok(name_valid(s) == want, "name_valid: %s -> %d", why, want);
}

static void
upload(const char *fn, const char *want)
{
	char *got = name_from_upload(fn);

	if (want == NULL)
		ok(got == NULL, "name_from_upload('%s') -> NULL", fn);
	else
		is_str(got, want, fn);
	free(got);
}

static void
suffix(const char *name, unsigned n, const char *want)
{
	char *got = name_with_suffix(name, n);

	is_str(got, want, want);
	free(got);
}

int
main(void)
{
	char buf[600], *s;
	size_t i;

	valid("a.txt", 1, "plain");
	valid("a", 1, "one byte");
	valid("...", 1, "three dots");
	valid(".bashrc", 1, "leading dot");
	valid(" spaced name ", 1, "spaces");
	valid("r\xc3\xa9sum\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 1,
	    "2, 3 and 4 byte UTF-8");
	valid("\xef\xbf\xbf", 1, "U+FFFF");
	valid("\xf4\x8f\xbf\xbf", 1, "U+10FFFF");
	valid("\xc2\xa0", 1, "U+00A0 (past C1)");
	valid("", 0, "empty");
	valid(NULL, 0, "NULL");
	valid(".", 0, "dot");
	valid("..", 0, "dot dot");
	valid("a/b", 0, "slash");
	valid("a\\b", 0, "backslash");
	valid("a\tb", 0, "tab");
	valid("a\nb", 0, "newline");
	valid("\x1f", 0, "C0 control");
	valid("a\x7f", 0, "DEL");
	valid("\xe2\x80\xaegnp.exe", 0, "U+202E right-to-left override");
	/* Unicode's other Bidi_Control: "x\u061c2026-11-30.pdf" shows as
	 * "x30-11-2026.pdf" in Chromium. */
	valid("x\xd8\x9c" "2026-11-30.pdf", 0, "U+061C arabic letter mark");
	valid("a\xd8\x9b", 1, "U+061B arabic semicolon");
	valid("a\xe2\x80\x8b" "b", 0, "U+200B zero width space");
	valid("a\xe2\x80\x8f", 0, "U+200F right-to-left mark");
	valid("a\xe2\x81\xa0", 0, "U+2060 word joiner");
	valid("a\xe2\x81\xa9", 0, "U+2069 pop directional isolate");
	valid("\xef\xbb\xbf" "a", 0, "U+FEFF byte order mark");
	valid("a\xe2\x80\xaf", 1, "U+202F narrow no-break space");
	valid("a\xe2\x81\xa5", 1, "U+2065 (unassigned, not a format char)");
	valid("\xc2\x80", 0, "U+0080 (C1)");
	valid("\xc2\x9f", 0, "U+009F (C1)");
	valid("\xc0\xaf", 0, "overlong '/'");
	valid("\xe0\x80\xaf", 0, "3-byte overlong");
	valid("\xf0\x80\x80\xaf", 0, "4-byte overlong");
	valid("\xed\xa0\x80", 0, "surrogate U+D800");
	valid("\xed\xbf\xbf", 0, "surrogate U+DFFF");
	valid("\xf4\x90\x80\x80", 0, "U+110000");
	valid("\xf5\x80\x80\x80", 0, "0xf5 lead");
	valid("\xff", 0, "0xff");
	valid("\x80", 0, "lone continuation");
	valid("a\xc3", 0, "cut sequence at the end");
	valid("\xe2\x82", 0, "cut 3-byte sequence");
	valid("\xe2\x82x", 0, "broken 3-byte sequence");
	memset(buf, 'a', 255);
	buf[255] = '\0';
	valid(buf, 1, "255 bytes");
	buf[255] = 'a';
	buf[256] = '\0';
	valid(buf, 0, "256 bytes");
	/* 127 two-byte characters and one byte: 255 bytes. */
	for (i = 0; i < 127; i++)
		memcpy(buf + 2 * i, "\xc3\xa9", 2);
	strcpy(buf + 254, "x");
	valid(buf, 1, "255 bytes of UTF-8");

	upload("a.txt", "a.txt");
	upload("C:\\x\\a.txt", "a.txt");
	upload("/home/u/b.pdf", "b.pdf");
	upload("dir/sub\\mixed/c", "c");
	upload("../../etc/passwd", "passwd");
	upload("dir/", NULL);
	upload("C:\\", NULL);
	upload("..", NULL);
	upload("x/..", NULL);
	upload("x/.", NULL);
	upload("", NULL);
	upload("a\x01.txt", NULL);
	upload("\xc0\xae\xc0\xae", NULL);
	/* HTML's form encoding (and curl's) sends '"' as %22. */
	upload("say %22hi%22.txt", "say \"hi\".txt");
	upload("C:\\x\\%22.txt", "\".txt");
	upload("100%25 %2 %2.txt", "100%25 %2 %2.txt");
	upload("%22", "\"");
	ok(name_from_upload(NULL) == NULL, "name_from_upload(NULL) -> NULL");

	suffix("a.txt", 1, "a (1).txt");
	suffix("a", 1, "a (1)");
	suffix(".bashrc", 2, ".bashrc (2)");
	suffix("a.tar.gz", 3, "a.tar (3).gz");
	suffix("a.", 1, "a. (1)");
	suffix("Mr. Smith", 1, "Mr. Smith (1)");
	suffix("archive.averyveryverylongext", 1,
	    "archive.averyveryverylongext (1)");
	suffix("x.docx", 4294967295u, "x (4294967295).docx");
	suffix("r\xc3\xa9sum\xc3\xa9.pdf", 10, "r\xc3\xa9sum\xc3\xa9 (10).pdf");

	/* Shortened to 255 bytes, on a character boundary. */
	memset(buf, 'a', 251);
	strcpy(buf + 251, ".txt");
	s = name_with_suffix(buf, 1);
	ok(strlen(s) == 255 && strcmp(s + 247, " (1).txt") == 0 &&
	    name_valid(s), "255-byte name: stem cut to fit");
	free(s);
	for (i = 0; i < 125; i++)
		memcpy(buf + 2 * i, "\xc3\xa9", 2);
	strcpy(buf + 250, ".txt");	/* 254 bytes */
	s = name_with_suffix(buf, 12);
	ok(strlen(s) <= 255 && name_valid(s) &&
	    strcmp(s + strlen(s) - 9, " (12).txt") == 0,
	    "UTF-8 stem cut between characters (%zu bytes)", strlen(s));
	free(s);
	for (i = 0; i < 85; i++)
		memcpy(buf + 3 * i, "\xe2\x82\xac", 3);
	buf[255] = '\0';		/* 255 bytes, no extension */
	for (i = 1; i <= 100000; i *= 10) {
		s = name_with_suffix(buf, (unsigned)i);
		ok(strlen(s) <= 255 && name_valid(s),
		    "3-byte characters, suffix %zu: valid, %zu bytes", i,
		    strlen(s));
		free(s);
	}

	ok(username_valid("bob"), "username bob");
	ok(username_valid("A.b_c-9"), "username A.b_c-9");
	ok(username_valid("abcdefghijklmnopqrstuvwxyz012345"), "32 chars");
	ok(!username_valid("abcdefghijklmnopqrstuvwxyz0123456"), "33 chars");
	ok(!username_valid("ab"), "2 chars");
	ok(!username_valid(""), "empty username");
	ok(!username_valid(NULL), "NULL username");
	ok(!username_valid("bob smith"), "space");
	ok(!username_valid("bob@x"), "'@'");
	ok(!username_valid("b\xc3\xb6" "b"), "non-ASCII");

	ok(email_valid("a@b.c"), "a@b.c");
	ok(email_valid("first.last+tag@example.co.uk"), "plus and dots");
	ok(!email_valid("a@b"), "no dot in the domain");
	ok(!email_valid("@b.c"), "empty local part");
	ok(!email_valid("a@"), "empty domain");
	ok(!email_valid("a@@b.c"), "two '@'");
	ok(!email_valid("a@b@c.d"), "'@' in the domain");
	ok(!email_valid("a b@c.d"), "space");
	ok(!email_valid("a@c.d\n"), "newline");
	ok(!email_valid("a\x7f@c.d"), "DEL");
	ok(!email_valid("a@.c"), "domain starts with a dot");
	ok(!email_valid("a@c."), "domain ends with a dot");
	ok(!email_valid("a@c..d"), "empty label");
	ok(!email_valid("ab"), "too short");
	ok(!email_valid(""), "empty");
	ok(!email_valid(NULL), "NULL");
	memset(buf, 'a', 250);
	strcpy(buf + 250, "@b.c");
	ok(email_valid(buf), "254 bytes");
	memset(buf, 'a', 251);
	strcpy(buf + 251, "@b.c");
	ok(!email_valid(buf), "255 bytes");
	return done_testing();
}
