/* libFuzzer: JWT verification on any token must fail cleanly, and a
 * token it accepts must carry sane claims. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "jwt.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char key[] = "0123456789abcdef0123456789abcdef";
	struct jwt_claims c;
	char *tok;

	crypto_init();
	tok = malloc(size + 1);
	memcpy(tok, data, size);
	tok[size] = '\0';
	if (jwt_verify(tok, key, 32, 1700000000, 86400, &c) == JWT_OK &&
	    (c.sub <= 0 || c.exp - c.iat > 86400 || c.jti[0] == '\0'))
		abort();
	free(tok);
	return 0;
}
