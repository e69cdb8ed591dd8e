/* Media types: from a file name's extension, and a sanity check for the
 * types clients send. */
#ifndef MIME_H
#define MIME_H

/* The type for name's extension (case-insensitive), or
 * "application/octet-stream". */
const char	*mime_from_name(const char *name);
/* 1 if ct is "type/subtype" of RFC 9110 token characters, with optional
 * parameters, at most 255 bytes and without control characters. */
int		 mime_valid(const char *ct);
#endif
