/* libFuzzer: strict base64 decoding; whatever decodes must re-encode to
 * exactly the input (canonical form), in every alphabet. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum b64_alpha as[] = { B64_STD, B64_STD_NOPAD, B64_URL };
	unsigned char *out;
	size_t n, i;
	char *re;

	for (i = 0; i < 3; i++) {
		if (b64_decode((const char *)data, size, as[i], &out, &n) == -1)
			continue;
		re = b64_encode(out, n, as[i]);
		if (strlen(re) != size || memcmp(re, data, size) != 0)
			abort();
		free(re);
		free(out);
	}
	return 0;
}
