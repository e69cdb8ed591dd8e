/* libFuzzer: any method and path against a route table with id and
 * token captures; a match must hold only well-formed captures. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

/* The libFuzzer entry point (declared for -Wmissing-prototypes). */
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct router_entry tab[] = {
		{ "GET", "/api/files", "a" },
		{ "GET", "/api/files/{id}/download", "b" },
		{ "DELETE", "/api/files/{id}", "c" },
		{ "GET", "/api/share/{token}/files/{id}/download", "d" },
	};
	static const char *methods[] = { "GET", "HEAD", "POST", "DELETE" };
	struct router_match m;
	char allow[64], *path;
	int i;

	if (size < 1)
		return 0;
	path = malloc(size);
	memcpy(path, data + 1, size - 1);
	path[size - 1] = '\0';
	if (router_find(tab, 4, methods[data[0] & 3], path, &m, allow,
	    sizeof(allow)) == ROUTER_FOUND)
		for (i = 0; i < m.nids; i++)
			if (m.ids[i] <= 0)
				abort();
	free(path);
	return 0;
}
