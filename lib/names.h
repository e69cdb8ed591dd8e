/* Names of files, folders and API keys (SPEC §2), usernames and emails. */
#ifndef NAMES_H
#define NAMES_H

#define NAME_MAX_BYTES	255

/* 1 if s is strict UTF-8 (no overlongs, surrogates or > U+10FFFF) of 1 to
 * 255 bytes without '/', '\\', C0/C1 controls or DEL, and not "." or "..". */
int	 name_valid(const char *s);
/* The last path component of an upload's filename ("C:\\x\\a.txt" ->
 * "a.txt"); heap, or NULL when that is not a valid name. */
char	*name_from_upload(const char *filename);
/* "a.txt", n -> "a (n).txt", shortening the stem on a character boundary
 * to stay within 255 bytes; heap. */
char	*name_with_suffix(const char *name, unsigned n);
/* 1 if s is 3 to 32 of [A-Za-z0-9_.-]. */
int	 username_valid(const char *s);
/* 1 if s looks like an address: one '@', a dot in the domain, 3 to 254
 * bytes, no spaces or controls. */
int	 email_valid(const char *s);
#endif
