#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "b64.h"
#include "crypto.h"
#include "json.h"
#include "jwt.h"
#include "xmalloc.h"

static const char header_json[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

char *
jwt_sign(const void *key, size_t keylen, const struct jwt_claims *c)
{
	unsigned char mac[32];
	char *h, *p, *s, *signing, *tok, payload[256];

	snprintf(payload, sizeof(payload),
	    "{\"sub\":%lld,\"iat\":%lld,\"exp\":%lld,\"jti\":\"%s\"}",
	    c->sub, c->iat, c->exp, c->jti);
	h = b64_encode(header_json, strlen(header_json), B64_URL);
	p = b64_encode(payload, strlen(payload), B64_URL);
	signing = xasprintf("%s.%s", h, p);
	crypto_hmac_sha256(key, keylen, signing, strlen(signing), mac);
	s = b64_encode(mac, sizeof(mac), B64_URL);
	tok = xasprintf("%s.%s", signing, s);
	free(h);
	free(p);
	free(s);
	free(signing);
	return tok;
}

/* Decode one part as a JSON object; NULL if it is not one. */
static json_object *
part_json(const char *s, size_t len)
{
	unsigned char *raw;
	size_t n;
	json_object *o;

	if (b64_decode(s, len, B64_URL, &raw, &n) == -1)
		return NULL;
	o = json_parse_strict((char *)raw, n);
	free(raw);
	if (o && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int
int_claim(json_object *o, const char *k, int required, long long *v)
{
	json_object *x;

	if (!json_object_object_get_ex(o, k, &x))
		return required ? -1 : 0;
	/* json-c would turn "123" or 1e3 into a number: only integers. */
	if (x == NULL || !json_object_is_type(x, json_type_int))
		return -1;
	*v = json_object_get_int64(x);
	return 1;
}

enum jwt_err
jwt_verify(const char *token, const void *key, size_t keylen, long long now,
    long long max_lifetime, struct jwt_claims *out)
{
	const char *d1, *d2, *alg;
	unsigned char mac[32], *sig = NULL;
	size_t len, siglen;
	json_object *hdr = NULL, *pl = NULL, *x;
	enum jwt_err e = JWT_MALFORMED;
	long long nbf;

	memset(out, 0, sizeof(*out));
	len = strlen(token);
	if (len == 0 || len > JWT_MAX_LEN)
		return JWT_MALFORMED;
	if ((d1 = strchr(token, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL)
		return JWT_MALFORMED;
	/* The header names the algorithm; only the pinned one is accepted. */
	if ((hdr = part_json(token, d1 - token)) == NULL)
		goto out;
	e = JWT_BAD_ALG;
	if (!json_object_object_get_ex(hdr, "alg", &x) || x == NULL ||
	    !json_object_is_type(x, json_type_string) ||
	    strcmp((alg = json_object_get_string(x)), "HS256") != 0 ||
	    json_object_object_get_ex(hdr, "jku", NULL) ||
	    json_object_object_get_ex(hdr, "x5u", NULL) ||
	    json_object_object_get_ex(hdr, "jwk", NULL) ||
	    json_object_object_get_ex(hdr, "crit", NULL))
		goto out;
	/* MAC over the exact bytes received; exactly 32 bytes, because
	 * gcry_mac_verify would accept a truncated one. */
	e = JWT_BAD_SIGNATURE;
	if (b64_decode(d2 + 1, strlen(d2 + 1), B64_URL, &sig, &siglen) == -1 ||
	    siglen != sizeof(mac))
		goto out;
	crypto_hmac_sha256(key, keylen, token, d2 - token, mac);
	if (!crypto_ct_eq(mac, sig, sizeof(mac)))
		goto out;
	e = JWT_BAD_CLAIMS;
	if ((pl = part_json(d1 + 1, d2 - d1 - 1)) == NULL)
		goto out;
	if (int_claim(pl, "sub", 1, &out->sub) != 1 ||
	    int_claim(pl, "iat", 1, &out->iat) != 1 ||
	    int_claim(pl, "exp", 1, &out->exp) != 1 ||
	    int_claim(pl, "nbf", 0, &nbf) == -1)
		goto out;
	if (!json_object_object_get_ex(pl, "jti", &x) || x == NULL ||
	    !json_object_is_type(x, json_type_string) ||
	    json_object_get_string_len(x) < 1 ||
	    json_object_get_string_len(x) >= (int)sizeof(out->jti))
		goto out;
	snprintf(out->jti, sizeof(out->jti), "%s", json_object_get_string(x));
	if (out->sub <= 0 || out->iat > now + JWT_LEEWAY ||
	    out->exp - out->iat > max_lifetime || out->exp < out->iat ||
	    (json_object_object_get_ex(pl, "nbf", NULL) && nbf > now + JWT_LEEWAY))
		goto out;
	e = now < out->exp + JWT_LEEWAY ? JWT_OK : JWT_EXPIRED;
out:
	if (hdr)
		json_object_put(hdr);
	if (pl)
		json_object_put(pl);
	free(sig);
	if (e != JWT_OK)
		memset(out, 0, sizeof(*out));
	return e;
}

const char *
jwt_strerror(enum jwt_err e)
{
	switch (e) {
	case JWT_OK: return "valid";
	case JWT_MALFORMED: return "token is malformed";
	case JWT_BAD_ALG: return "token algorithm is not HS256";
	case JWT_BAD_SIGNATURE: return "token signature is invalid";
	case JWT_EXPIRED: return "token has expired";
	case JWT_BAD_CLAIMS: return "token claims are invalid";
	}
	return "token is invalid";
}
