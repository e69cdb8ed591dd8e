/* JSON Web Tokens (RFC 7519), HS256 only (RFC 7518 §3.2; RFC 8725).  The
 * algorithm is pinned by the server; the MAC must be exactly 32 bytes
 * and is checked in constant time over the bytes received before any
 * JSON is parsed. */
#ifndef JWT_H
#define JWT_H
#include <stddef.h>

#define JWT_MAX_LEN	4096	/* longest token accepted */
#define JWT_LEEWAY	30	/* seconds of clock skew tolerated */
#define JWT_MIN_KEY	32	/* RFC 7518 §3.2: key >= hash output */
/* iat, exp and nbf must lie in [0, JWT_TIME_MAX] (year 36812). */
#define JWT_TIME_MAX	(1LL << 40)

struct jwt_claims {
	long long	sub, iat, exp;
	char		jti[64];	/* 1..63 bytes, NUL-terminated */
};

enum jwt_err {
	JWT_OK = 0,
	JWT_MALFORMED,		/* not 3 base64url parts, or not JSON */
	JWT_BAD_ALG,		/* alg not "HS256"; jku/x5u/x5c/jwk/crit */
	JWT_BAD_SIGNATURE,	/* MAC not 32 bytes or wrong; short key */
	JWT_EXPIRED,		/* now >= exp + leeway */
	JWT_BAD_CLAIMS		/* claim missing, mistyped, out of range */
};

/* Sign claims with key (keylen >= JWT_MIN_KEY) under the header
 * {"alg":"HS256","typ":"JWT"}: heap string "header.payload.signature",
 * caller frees.  NULL if the key is too short or c->jti is not 1..63
 * bytes. */
char	*jwt_sign(const void *key, size_t keylen, const struct jwt_claims *c);
/* Verify token at time now: JWT_OK fills *out; any other value leaves
 * *out zeroed.  Requires sub > 0, iat <= now + leeway, now < exp +
 * leeway, 0 <= exp - iat <= max_lifetime and nbf (if any) <= now +
 * leeway, all as JSON integers, and jti a string of 1..63 bytes. */
enum jwt_err jwt_verify(const char *token, const void *key, size_t keylen,
	    long long now, long long max_lifetime, struct jwt_claims *out);
/* Static English description of e, for logs and 401 bodies. */
const char *jwt_strerror(enum jwt_err e);
#endif
