/* The HTTP Range request header (RFC 9110 §14.2), for one range of bytes.
 * Several ranges are legal but rare and costly; RFC 9110 §14.2 lets a
 * server ignore the header, and this one does. */
#ifndef RANGE_H
#define RANGE_H
#include <stdint.h>

enum range_rc {
	RANGE_NONE,		/* absent, invalid, other unit or several
				 * ranges: send it all, 200 */
	RANGE_OK,		/* send [*first, *last], inclusive: 206 */
	RANGE_UNSATISFIABLE	/* nothing of size bytes is in range: 416 */
};

/* Parse the Range header hdr (NULL if absent) against a representation
 * of size bytes.  *first and *last are set only with RANGE_OK, and then
 * *first <= *last < size. */
enum range_rc range_parse(const char *hdr, uint64_t size, uint64_t *first,
	    uint64_t *last);
#endif
