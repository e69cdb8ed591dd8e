/* libFuzzer target for lib/jwt.c.  Every input is verified as a token
 * (it must fail cleanly: the fuzzer cannot forge the MAC).  An input
 * holding a NUL byte is also taken as raw header JSON NUL payload JSON,
 * base64url-encoded and signed with the key, so the JSON and claim checks
 * behind the MAC get fuzzed too; whatever verifies must be sane. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "crypto.h"
#include "jwt.h"
#include "xmalloc.h"

#define NOW	1700000000LL
#define LIFE	86400LL

static const char key[] = "0123456789abcdef0123456789abcdef";

static void
verify(const char *tok)
{
	struct jwt_claims c;
	enum jwt_err e;

	e = jwt_verify(tok, key, 32, NOW, LIFE, &c);
	if (jwt_strerror(e) == NULL)
		abort();
	if (e != JWT_OK) {
		/* Nothing may leak out of a refused token. */
		if (c.sub != 0 || c.iat != 0 || c.exp != 0 || c.jti[0] != '\0')
			abort();
		return;
	}
	if (strlen(tok) > JWT_MAX_LEN || c.sub <= 0 || c.exp < c.iat ||
	    c.exp - c.iat > LIFE || c.iat > NOW + JWT_LEEWAY ||
	    c.exp + JWT_LEEWAY <= NOW || c.jti[0] == '\0' ||
	    strnlen(c.jti, sizeof(c.jti)) == sizeof(c.jti))
		abort();
}

/* Sign header JSON h and payload JSON p (n bytes each) with the key. */
static char *
sign_raw(const uint8_t *h, size_t hn, const uint8_t *p, size_t pn)
{
	unsigned char mac[32];
	char *hb, *pb, *signing, *s, *tok;

	hb = b64_encode(h, hn, B64_URL);
	pb = b64_encode(p, pn, B64_URL);
	signing = xasprintf("%s.%s", hb, pb);
	crypto_hmac_sha256(key, 32, signing, strlen(signing), mac);
	s = b64_encode(mac, sizeof(mac), B64_URL);
	tok = xasprintf("%s.%s", signing, s);
	free(hb);
	free(pb);
	free(s);
	free(signing);
	return tok;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The libFuzzer entry point (declared for -Wmissing-prototypes). */
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul;
	char *tok;

	if (crypto_init() == -1)
		abort();
	tok = xmalloc(size + 1);
	memcpy(tok, data, size);
	tok[size] = '\0';
	verify(tok);
	free(tok);

	if (size < 8192 && (nul = memchr(data, '\0', size)) != NULL) {
		tok = sign_raw(data, nul - data, nul + 1, size - (nul + 1 - data));
		verify(tok);
		free(tok);
	}
	return 0;
}
