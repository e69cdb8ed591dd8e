/* Names of files, folders and API keys (SPEC §2); usernames and email
 * addresses.  The checks take NUL-terminated strings; NULL is invalid. */
#ifndef NAMES_H
#define NAMES_H

#define NAME_MAX_BYTES	255

/* 1 if s is strict UTF-8 (RFC 3629: no overlongs, surrogates or code
 * points past U+10FFFF) of 1 to 255 bytes, without '/', '\\', C0 or C1
 * controls or DEL, bidi controls or invisible format characters
 * (U+061C, U+200B-200F, U+202A-202E, U+2060-2064, U+2066-2069, U+FEFF), and is
 * not "." or ".."; else 0. */
int	 name_valid(const char *s);
/* The last path component of an upload's filename, after any '/' or '\\'
 * ("C:\\x\\a.txt" -> "a.txt"), with each "%22" back to '"': a heap
 * string, or NULL if it is not name_valid(). */
char	*name_from_upload(const char *filename);
/* name with " (n)" before its last extension ("a.txt" -> "a (n).txt",
 * "a" and ".bashrc" have none), the stem shortened on a UTF-8 character
 * boundary so that the result stays within 255 bytes: a heap string. */
char	*name_with_suffix(const char *name, unsigned n);
/* 1 if s is 3 to 32 of [A-Za-z0-9_.-]; else 0. */
int	 username_valid(const char *s);
/* 1 if s looks like an address: 3 to 254 bytes without spaces or
 * controls, one '@' with a local part before it and a domain after it
 * holding a '.' between labels; else 0. */
int	 email_valid(const char *s);
#endif
