#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "b64.h"
#include "crypto.h"
#include "jwt.h"
#include "xmalloc.h"

#define MAC_LEN	32

static const char header_json[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

/* Header members that would let the token pick its own key. */
static const char *const forbidden[] = { "jku", "x5u", "x5c", "jwk", "crit" };

char *
jwt_sign(const void *key, size_t keylen, const struct jwt_claims *c)
{
	unsigned char mac[MAC_LEN];
	json_object *o;
	const char *payload;
	char *h, *p, *s, *signing, *tok;
	size_t jtilen;

	if (key == NULL || keylen < JWT_MIN_KEY || c == NULL)
		return NULL;
	jtilen = strnlen(c->jti, sizeof(c->jti));
	if (jtilen == 0 || jtilen == sizeof(c->jti))
		return NULL;
	/* json-c escapes the jti, so no claim can be injected. */
	if ((o = json_object_new_object()) == NULL)
		abort();
	json_object_object_add(o, "sub", json_object_new_int64(c->sub));
	json_object_object_add(o, "iat", json_object_new_int64(c->iat));
	json_object_object_add(o, "exp", json_object_new_int64(c->exp));
	json_object_object_add(o, "jti",
	    json_object_new_string_len(c->jti, (int)jtilen));
	payload = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (payload == NULL)
		abort();
	h = b64_encode(header_json, strlen(header_json), B64_URL);
	p = b64_encode(payload, strlen(payload), B64_URL);
	json_object_put(o);
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

/* Parse exactly len bytes as one JSON object: json_tokener_parse would
 * accept trailing garbage.  New reference, or NULL. */
static json_object *
parse_object(const unsigned char *buf, size_t len)
{
	struct json_tokener *tok;
	json_object *o;

	if (len == 0 || len > INT_MAX)
		return NULL;
	if ((tok = json_tokener_new()) == NULL)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, (const char *)buf, (int)len);
	if (o != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* Read member k as a JSON integer (not a string, not a double) into *v.
 * 1 read, 0 absent (or explicit null) and not required, -1 error. */
static int
int_claim(json_object *o, const char *k, int required, long long *v)
{
	json_object *x;

	if (!json_object_object_get_ex(o, k, &x) || x == NULL)
		return required ? -1 : 0;
	if (!json_object_is_type(x, json_type_int))
		return -1;
	*v = json_object_get_int64(x);
	return 1;
}

/* 1 if t is a plausible time: json-c saturates huge numbers, and
 * bounded values keep the arithmetic below free of overflow. */
static int
time_ok(long long t)
{
	return t >= 0 && t <= JWT_TIME_MAX;
}

/* The checks on the (authenticated) header. */
static enum jwt_err
check_header(json_object *hdr)
{
	json_object *x;
	size_t i;

	if (!json_object_object_get_ex(hdr, "alg", &x) || x == NULL ||
	    !json_object_is_type(x, json_type_string) ||
	    json_object_get_string_len(x) != 5 ||
	    memcmp(json_object_get_string(x), "HS256", 5) != 0)
		return JWT_BAD_ALG;
	for (i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
		if (json_object_object_get_ex(hdr, forbidden[i], NULL))
			return JWT_BAD_ALG;
	return JWT_OK;
}

/* The checks on the (authenticated) payload; fills *out. */
static enum jwt_err
check_claims(json_object *pl, long long now, long long max_lifetime,
    struct jwt_claims *out)
{
	json_object *x;
	const char *jti;
	long long nbf;
	int len, has_nbf;

	if (int_claim(pl, "sub", 1, &out->sub) != 1 ||
	    int_claim(pl, "iat", 1, &out->iat) != 1 ||
	    int_claim(pl, "exp", 1, &out->exp) != 1 ||
	    (has_nbf = int_claim(pl, "nbf", 0, &nbf)) == -1)
		return JWT_BAD_CLAIMS;
	if (out->sub <= 0 || out->sub == INT64_MAX || !time_ok(out->iat) ||
	    !time_ok(out->exp) || (has_nbf && !time_ok(nbf)))
		return JWT_BAD_CLAIMS;
	if (!json_object_object_get_ex(pl, "jti", &x) || x == NULL ||
	    !json_object_is_type(x, json_type_string))
		return JWT_BAD_CLAIMS;
	jti = json_object_get_string(x);
	len = json_object_get_string_len(x);
	/* A "\u0000" inside would make the C string shorter than the claim. */
	if (len < 1 || len >= (int)sizeof(out->jti) || strlen(jti) != (size_t)len)
		return JWT_BAD_CLAIMS;
	memcpy(out->jti, jti, len + 1);
	/* Times are bounded, so these forms cannot overflow whatever now is. */
	if (out->iat - JWT_LEEWAY > now || (has_nbf && nbf - JWT_LEEWAY > now))
		return JWT_BAD_CLAIMS;
	if (out->exp < out->iat || out->exp - out->iat > max_lifetime)
		return JWT_BAD_CLAIMS;
	if (out->exp + JWT_LEEWAY <= now)
		return JWT_EXPIRED;
	return JWT_OK;
}

enum jwt_err
jwt_verify(const char *token, const void *key, size_t keylen, long long now,
    long long max_lifetime, struct jwt_claims *out)
{
	const char *d1, *d2;
	unsigned char mac[MAC_LEN], *hraw = NULL, *praw = NULL, *sig = NULL;
	size_t len, hlen, plen, siglen;
	json_object *hdr = NULL, *pl = NULL;
	enum jwt_err e = JWT_MALFORMED;

	memset(out, 0, sizeof(*out));
	if (token == NULL)
		return JWT_MALFORMED;
	len = strnlen(token, JWT_MAX_LEN + 1);
	if (len == 0 || len > JWT_MAX_LEN)
		return JWT_MALFORMED;
	/* Exactly three non-empty parts, each strict unpadded base64url. */
	if ((d1 = memchr(token, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', len - (d1 + 1 - token))) == NULL ||
	    memchr(d2 + 1, '.', len - (d2 + 1 - token)) != NULL ||
	    d1 == token || d2 == d1 + 1 || d2 + 1 == token + len)
		return JWT_MALFORMED;
	if (b64_decode(token, d1 - token, B64_URL, &hraw, &hlen) == -1 ||
	    b64_decode(d1 + 1, d2 - d1 - 1, B64_URL, &praw, &plen) == -1 ||
	    b64_decode(d2 + 1, len - (d2 + 1 - token), B64_URL, &sig,
	    &siglen) == -1)
		goto out;
	/* MAC over the exact bytes received, before any JSON is looked
	 * at.  Exactly 32 bytes: gcry_mac_verify would take a prefix. */
	e = JWT_BAD_SIGNATURE;
	if (key == NULL || keylen < JWT_MIN_KEY || siglen != MAC_LEN)
		goto out;
	crypto_hmac_sha256(key, keylen, token, d2 - token, mac);
	if (!crypto_ct_eq(mac, sig, MAC_LEN))
		goto out;
	e = JWT_MALFORMED;
	if ((hdr = parse_object(hraw, hlen)) == NULL)
		goto out;
	if ((e = check_header(hdr)) != JWT_OK)
		goto out;
	e = JWT_MALFORMED;
	if ((pl = parse_object(praw, plen)) == NULL)
		goto out;
	e = check_claims(pl, now, max_lifetime, out);
out:
	if (hdr)
		json_object_put(hdr);
	if (pl)
		json_object_put(pl);
	free(hraw);
	free(praw);
	free(sig);
	explicit_bzero(mac, sizeof(mac));
	if (e != JWT_OK)
		memset(out, 0, sizeof(*out));
	return e;
}

const char *
jwt_strerror(enum jwt_err e)
{
	switch (e) {
	case JWT_OK:
		return "valid";
	case JWT_MALFORMED:
		return "token is malformed";
	case JWT_BAD_ALG:
		return "token algorithm is not HS256";
	case JWT_BAD_SIGNATURE:
		return "token signature is invalid";
	case JWT_EXPIRED:
		return "token has expired";
	case JWT_BAD_CLAIMS:
		return "token claims are invalid";
	}
	return "token is invalid";
}
