/* Base64 (RFC 4648) on libb64, with the strictness libb64 lacks: its
 * encoder's line breaks are removed and decoding validates the alphabet,
 * padding and the final bits itself (libb64 skips bad characters). */
#ifndef B64_H
#define B64_H
#include <stddef.h>

enum b64_alpha {
	B64_STD,	/* "+/", padded */
	B64_STD_NOPAD,	/* "+/", no padding (Argon2 PHC strings) */
	B64_URL		/* "-_", no padding (JWT, keys, tokens) */
};

/* Encode len bytes into a NUL-terminated heap string (caller frees);
 * never NULL (allocation failure aborts). */
char	*b64_encode(const void *buf, size_t len, enum b64_alpha a);
/* Decode s[0..slen) strictly: 0 with *out (heap, caller frees, with a NUL
 * after the data) and *outlen, or -1 with *out NULL for any character
 * outside the alphabet (newlines included), '=' where the alphabet has no
 * padding or wrong padding, slen % 4 == 1 (or != 0 when padded), or
 * non-zero trailing bits (non-canonical encoding). */
int	 b64_decode(const char *s, size_t slen, enum b64_alpha a,
	    unsigned char **out, size_t *outlen);
#endif
