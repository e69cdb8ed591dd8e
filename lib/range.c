/* Range: bytes=... (RFC 9110 §14.1.1, §14.2):
 *
 *	ranges-specifier = range-unit "=" range-set
 *	range-set        = 1#range-spec
 *	range-spec       = int-range / suffix-range / other-range
 *	int-range        = first-pos "-" [ last-pos ]
 *	suffix-range     = "-" suffix-length
 *
 * The list rule (RFC 9110 §5.6.1) allows OWS around the commas and empty
 * elements, which a recipient must skip. */
#include <stddef.h>
#include <strings.h>

#include "range.h"

#define OWS(c)	((c) == ' ' || (c) == '\t')

/* 1*DIGIT at *p into *v, advancing *p; -1 if there are none or the value
 * does not fit 64 bits. */
static int
digits(const char **p, uint64_t *v)
{
	const char *s = *p;
	unsigned d;

	if (*s < '0' || *s > '9')
		return -1;
	for (*v = 0; *s >= '0' && *s <= '9'; s++) {
		d = (unsigned)(*s - '0');
		if (*v > (UINT64_MAX - d) / 10)
			return -1;
		*v = *v * 10 + d;
	}
	*p = s;
	return 0;
}

enum range_rc
range_parse(const char *hdr, uint64_t size, uint64_t *first, uint64_t *last)
{
	const char *p = hdr;
	uint64_t a = 0, b = 0;
	int n = 0, suffix = 0, open = 0;

	if (p == NULL)
		return RANGE_NONE;
	while (OWS(*p))
		p++;
	/* RFC 9110 §14.1: range units are case-insensitive.  Spaces
	 * around the '=' are not in the grammar, but harmless to allow. */
	if (strncasecmp(p, "bytes", 5) != 0)
		return RANGE_NONE;
	for (p += 5; OWS(*p); p++)
		continue;
	if (*p++ != '=')
		return RANGE_NONE;
	for (;;) {
		while (OWS(*p))
			p++;
		if (*p == ',') {
			p++;
			continue;	/* an empty element */
		}
		if (*p == '\0')
			break;
		if (++n > 1)
			return RANGE_NONE;	/* several: ignore them all */
		if (*p == '-') {
			p++;
			suffix = 1;
			if (digits(&p, &b) == -1)
				return RANGE_NONE;
		} else {
			if (digits(&p, &a) == -1 || *p++ != '-')
				return RANGE_NONE;
			if (*p >= '0' && *p <= '9') {
				if (digits(&p, &b) == -1)
					return RANGE_NONE;
			} else
				open = 1;
		}
		while (OWS(*p))
			p++;
		if (*p != ',' && *p != '\0')
			return RANGE_NONE;
	}
	if (n == 0)
		return RANGE_NONE;
	if (suffix) {
		/* §14.1.3: the last b bytes, all of them if b >= size;
		 * a suffix of zero, or of an empty body, selects nothing. */
		if (b == 0 || size == 0)
			return RANGE_UNSATISFIABLE;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return RANGE_OK;
	}
	/* §14.1.1: last-pos < first-pos makes the range invalid. */
	if (!open && b < a)
		return RANGE_NONE;
	/* §14.1.2: satisfiable only if first-pos < size. */
	if (a >= size)
		return RANGE_UNSATISFIABLE;
	*first = a;
	*last = open || b >= size ? size - 1 : b;
	return RANGE_OK;
}
