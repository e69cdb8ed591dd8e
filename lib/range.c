#include <string.h>

#include "range.h"

/* Digits to uint64; -1 on none or overflow.  Advances *p. */
static int
number(const char **p, uint64_t *v)
{
	const char *s = *p;

	*v = 0;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (*v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	return 0;
}

enum range_rc
range_parse(const char *hdr, uint64_t size, uint64_t *first, uint64_t *last)
{
	const char *p = hdr;
	uint64_t a, b;
	int suffix = 0, open = 0;

	if (p == NULL)
		return RANGE_NONE;
	p += strspn(p, " \t");
	if (strncmp(p, "bytes", 5) != 0)
		return RANGE_NONE;
	p += 5;
	p += strspn(p, " \t");
	if (*p++ != '=')
		return RANGE_NONE;
	p += strspn(p, " \t");
	if (*p == '-') {
		suffix = 1;
		p++;
		if (number(&p, &b) == -1)
			return RANGE_NONE;
	} else {
		if (number(&p, &a) == -1 || *p++ != '-')
			return RANGE_NONE;
		if (*p >= '0' && *p <= '9') {
			if (number(&p, &b) == -1)
				return RANGE_NONE;
		} else
			open = 1;
	}
	p += strspn(p, " \t");
	if (*p != '\0')
		return RANGE_NONE;	/* several ranges, or junk: ignore */
	if (suffix) {
		if (b == 0 || size == 0)
			return RANGE_UNSATISFIABLE;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return RANGE_OK;
	}
	if (!open && b < a)
		return RANGE_NONE;
	if (a >= size)
		return RANGE_UNSATISFIABLE;
	*first = a;
	*last = open || b >= size ? size - 1 : b;
	return RANGE_OK;
}
