/* libFuzzer target for lib/range.c.  Input: 8 bytes of representation
 * size (little-endian), then the Range header value.  Checks that a
 * range is inside the representation and that surrounding white space
 * changes nothing; abort() otherwise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"

/* The libFuzzer entry point (declared for -Wmissing-prototypes). */
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t len = 0, first = 7, last = 7, f2 = 9, l2 = 9;
	enum range_rc rc, rc2;
	char *s;
	size_t i;

	if (size < 8)
		return 0;
	for (i = 0; i < 8; i++)
		len |= (uint64_t)data[i] << (8 * i);
	/* Small sizes are where the edges are. */
	if (data[7] & 0x80)
		len &= 0xffff;
	if ((s = malloc(size - 8 + 3)) == NULL)
		abort();
	s[0] = ' ';
	memcpy(s + 1, data + 8, size - 8);
	s[size - 8 + 1] = '\0';

	rc = range_parse(s + 1, len, &first, &last);
	switch (rc) {
	case RANGE_OK:
		if (first > last || last >= len)
			abort();
		break;
	case RANGE_UNSATISFIABLE:
	case RANGE_NONE:
		if (first != 7 || last != 7)
			abort();	/* set only on RANGE_OK */
		break;
	default:
		abort();
	}
	if (strlen(s + 1) == size - 8) {
		/* No NUL inside: the padded header must read the same. */
		s[size - 8 + 1] = '\t';
		s[size - 8 + 2] = '\0';
		rc2 = range_parse(s, len, &f2, &l2);
		if (rc2 != rc || (rc == RANGE_OK && (f2 != first ||
		    l2 != last)))
			abort();
	}
	if (range_parse(NULL, len, &f2, &l2) != RANGE_NONE)
		abort();
	free(s);
	return 0;
}
