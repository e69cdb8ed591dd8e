/* Cryptographic primitives on libgcrypt: random bytes, SHA-256, HMAC,
 * HKDF (RFC 5869; libgcrypt 1.10 has none), constant-time compare,
 * Argon2id password strings and a small AES-256-GCM seal for secrets
 * kept in the database. */
#ifndef CRYPTO_H
#define CRYPTO_H
#include <stddef.h>

/* Initialise libgcrypt once per process (each spawn-fcgi worker execs
 * and calls this itself): version check, 64 KiB secure memory,
 * initialisation finished.  0 ok (also on repeated calls), -1 if the
 * library is older than 1.10.0. */
int	crypto_init(void);
/* Fill buf with GCRY_STRONG_RANDOM bytes: DEKs, salts, API keys, tokens. */
void	crypto_random(void *buf, size_t n);
/* Fill buf with GCRY_VERY_STRONG_RANDOM bytes: long-term keys made at init. */
void	crypto_random_very_strong(void *buf, size_t n);
/* Fill buf from gcry_create_nonce: unique, unpredictable, not secret. */
void	crypto_nonce(void *buf, size_t n);
/* out = SHA-256(buf[0..n)). */
void	crypto_sha256(const void *buf, size_t n, unsigned char out[32]);
/* out = HMAC-SHA256(key, msg); any key length, including 0. */
void	crypto_hmac_sha256(const void *key, size_t klen, const void *msg,
	    size_t mlen, unsigned char out[32]);
/* RFC 5869 HKDF-SHA256 into out[0..outlen) (salt may be NULL: zeros;
 * info may be NULL when infolen is 0).  0 ok, -1 if outlen > 8160. */
int	crypto_hkdf_sha256(const void *salt, size_t saltlen, const void *ikm,
	    size_t ikmlen, const void *info, size_t infolen, void *out,
	    size_t outlen);
/* 1 if a[0..n) equals b[0..n), else 0, in time independent of the
 * contents (n itself is public). */
int	crypto_ct_eq(const void *a, const void *b, size_t n);
/* Lowercase hex of buf[0..n) as a heap string (caller frees). */
char	*crypto_hex(const void *buf, size_t n);

struct argon2_params {
	unsigned	t_cost, m_kib, parallelism;
};
/* Parameter bounds accepted for hashing and from stored strings, so that
 * a hostile stored string cannot make a worker allocate gigabytes. */
#define ARGON2_M_MAX	(1024U * 1024)	/* KiB: 1 GiB */
#define ARGON2_T_MAX	16U
#define ARGON2_P_MAX	8U
/* OWASP's minimum: m = 19 MiB, t = 2, p = 1 (~25 ms here). */
extern const struct argon2_params crypto_argon2_default;
/* Raw Argon2id v19 (RFC 9106): out[0..outlen) from pw (pwlen >= 1;
 * libgcrypt refuses empty passwords), salt (>= 8 bytes), optional
 * secret K and associated data X (NULL, 0 for none).  0 ok, -1 on
 * out-of-bounds parameters or a libgcrypt error. */
int	crypto_argon2id(const void *pw, size_t pwlen, const void *salt,
	    size_t saltlen, const void *secret, size_t secretlen,
	    const void *ad, size_t adlen, const struct argon2_params *p,
	    void *out, size_t outlen);
/* "$argon2id$v=19$m=M,t=T,p=P$<salt>$<tag>" (PHC string, unpadded
 * standard base64, random 16-byte salt, 32-byte tag); heap string,
 * caller frees.  NULL on out-of-bounds parameters, an empty password
 * or a libgcrypt error. */
char	*crypto_password_hash(const char *pw, size_t pwlen,
	    const struct argon2_params *p);
/* 1 if pw matches stored, 0 if not (an empty pw never matches), -1 if
 * stored is malformed or its parameters are out of bounds.  The tag is
 * compared in constant time. */
int	crypto_password_verify(const char *stored, const char *pw,
	    size_t pwlen);
/* 1 if stored should be rehashed: its m or t is below want's, its salt
 * is shorter than 16 bytes, or it does not parse; else 0. */
int	crypto_password_needs_rehash(const char *stored,
	    const struct argon2_params *want);
/* AES-256-GCM with a fresh 12-byte nonce: *out = nonce(12) || ct(n) ||
 * tag(16), heap (caller frees), *outlen = n + 28.  0 ok, -1 on a
 * libgcrypt error (*out NULL). */
int	crypto_seal(const unsigned char key[32], const void *pt, size_t n,
	    unsigned char **out, size_t *outlen);
/* Inverse of crypto_seal: 0 with *pt (heap, caller frees, NUL after the
 * data) and *ptlen; -1 (*pt NULL) on input shorter than 28 bytes or a
 * bad tag (always checked at the full 16 bytes). */
int	crypto_open(const unsigned char key[32], const void *in,
	    size_t inlen, unsigned char **pt, size_t *ptlen);
#endif
