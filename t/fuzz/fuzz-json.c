/* libFuzzer: request bodies through the strict JSON parser and the
 * typed getters every route uses; must fail cleanly, never crash. */
#include <stdint.h>
#include <stdlib.h>

#include "json.h"

/* The libFuzzer entry point (declared for -Wmissing-prototypes). */
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *keys[] = { "name", "folder_id", "approved", "quota_gb" };
	json_object *o = json_parse_strict((const char *)data, size);
	struct json_err e;
	const char *s;
	long long n;
	double d;
	int b;
	size_t i;

	if (o == NULL)
		return 0;
	if (json_object_is_type(o, json_type_object))
		for (i = 0; i < 4; i++) {
			json_get_string(o, keys[i], i & 1, &s, &e);
			json_get_int(o, keys[i], 0, &n, &e);
			json_get_bool(o, keys[i], 1, &b, &e);
			json_get_number(o, keys[i], 0, &d, &e);
			json_is_null(o, keys[i]);
		}
	json_text(o, NULL);
	json_object_put(o);
	return 0;
}
