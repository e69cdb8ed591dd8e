/* libFuzzer target for lib/b64.c: any input is decoded in every
 * alphabet, and whatever decodes must re-encode to exactly the input
 * (strict means canonical).  The input is also encoded and must decode
 * back to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The libFuzzer entry point (declared for -Wmissing-prototypes). */
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum b64_alpha as[] = { B64_STD, B64_STD_NOPAD, B64_URL };
	unsigned char *out;
	size_t n, i;
	char *re;

	for (i = 0; i < sizeof(as) / sizeof(as[0]); i++) {
		if (b64_decode((const char *)data, size, as[i], &out, &n) == 0) {
			if (out == NULL || out[n] != '\0')
				abort();
			re = b64_encode(out, n, as[i]);
			if (strlen(re) != size || memcmp(re, data, size) != 0)
				abort();
			free(re);
			free(out);
		} else if (out != NULL || n != 0)
			abort();

		re = b64_encode(data, size, as[i]);
		if (b64_decode(re, strlen(re), as[i], &out, &n) != 0 ||
		    n != size || memcmp(out, data, size) != 0)
			abort();
		free(out);
		free(re);
	}
	return 0;
}
