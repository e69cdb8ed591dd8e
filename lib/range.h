/* The HTTP Range header (RFC 9110 §14.1.2), single ranges only. */
#ifndef RANGE_H
#define RANGE_H
#include <stdint.h>

enum range_rc {
	RANGE_NONE,		/* absent, invalid or multiple: send it all */
	RANGE_OK,		/* [*first, *last] inclusive */
	RANGE_UNSATISFIABLE	/* 416 */
};

/* Parse hdr (may be NULL) against a representation of size bytes. */
enum range_rc range_parse(const char *hdr, uint64_t size, uint64_t *first,
	    uint64_t *last);
#endif
