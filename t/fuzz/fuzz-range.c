/* libFuzzer: Range headers against a few sizes; an accepted range must
 * lie inside the representation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t sizes[] = { 0, 1, 65536, 300001, UINT64_MAX };
	uint64_t a, b;
	char *h = malloc(size + 1);
	size_t i;

	memcpy(h, data, size);
	h[size] = '\0';
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (range_parse(h, sizes[i], &a, &b) == RANGE_OK &&
		    (a > b || b >= sizes[i]))
			abort();
	free(h);
	return 0;
}
