/* Media types (RFC 9110 §8.3.1): guessed from a file name's extension,
 * and a sanity check for the types clients send with their uploads. */
#ifndef MIME_H
#define MIME_H

/* The media type for name's last extension, compared case-insensitively,
 * or "application/octet-stream" when it has none or it is unknown; a
 * static string. */
const char	*mime_from_name(const char *name);
/* 1 if ct is type "/" subtype of RFC 9110 tokens with optional
 * parameters (token "=" token / quoted-string), at most 255 bytes of
 * printable ASCII: fit to be stored and sent back; else 0. */
int		 mime_valid(const char *ct);
#endif
