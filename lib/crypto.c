#include <stdlib.h>
#include <string.h>
#include <gcrypt.h>

#include "b64.h"
#include "crypto.h"
#include "xmalloc.h"

#define SALT_LEN	16
#define TAG_LEN		32
#define GCM_NONCE	12
#define GCM_TAG		16

const struct argon2_params crypto_argon2_default = { 2, 19456, 1 };

int
crypto_init(void)
{
	static int done;

	if (done)
		return 0;
	if (gcry_check_version("1.10.0") == NULL)
		return -1;
	/* Someone else in the process may have done it already. */
	if (!gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		gcry_control(GCRYCTL_SUSPEND_SECMEM_WARN);
		gcry_control(GCRYCTL_INIT_SECMEM, 65536, 0);
		gcry_control(GCRYCTL_RESUME_SECMEM_WARN);
		gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	}
	done = 1;
	return 0;
}

void
crypto_random(void *buf, size_t n)
{
	gcry_randomize(buf, n, GCRY_STRONG_RANDOM);
}

void
crypto_random_very_strong(void *buf, size_t n)
{
	gcry_randomize(buf, n, GCRY_VERY_STRONG_RANDOM);
}

void
crypto_nonce(void *buf, size_t n)
{
	gcry_create_nonce(buf, n);
}

void
crypto_sha256(const void *buf, size_t n, unsigned char out[32])
{
	gcry_md_hash_buffer(GCRY_MD_SHA256, out, buf, n);
}

/* out = HMAC-SHA256 of msg through h, keyed. */
static void
hmac_run(gcry_mac_hd_t h, const void *msg, size_t mlen, unsigned char out[32])
{
	size_t outlen = 32;

	if (gcry_mac_write(h, mlen ? msg : "", mlen) != 0 ||
	    gcry_mac_read(h, out, &outlen) != 0 || outlen != 32)
		abort();
}

/* A new handle keyed with key.  Only fails on allocation or a broken
 * library: like xmalloc. */
static gcry_mac_hd_t
hmac_open(const void *key, size_t klen)
{
	gcry_mac_hd_t h;

	if (gcry_mac_open(&h, GCRY_MAC_HMAC_SHA256, GCRY_MAC_FLAG_SECURE,
	    NULL) != 0 || gcry_mac_setkey(h, klen ? key : "", klen) != 0)
		abort();
	return h;
}

/* One MAC, its handle closed at once (HKDF's passing keys). */
static void
hmac_once(const void *key, size_t klen, const void *msg, size_t mlen,
    unsigned char out[32])
{
	gcry_mac_hd_t h = hmac_open(key, klen);

	hmac_run(h, msg, mlen, out);
	gcry_mac_close(h);
}

/* crypto_hmac_sha256 keeps the handle of the last key, reset for each
 * MAC: gcry_mac_open stirs libgcrypt's random pool (getrusage, a CPU
 * clock and a pool mix per open), and the worker MACs with one key, its
 * JWT key, on every request with a token.  The key's copy and the handle
 * are in secure memory.  Not thread-safe: only a request's thread MACs. */
static struct {
	gcry_mac_hd_t	 h;
	unsigned char	*key;
	size_t		 klen;
} hmac_last;

void
crypto_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
    unsigned char out[32])
{
	if (hmac_last.h != NULL && hmac_last.klen == klen &&
	    crypto_ct_eq(hmac_last.key, key, klen)) {
		if (gcry_mac_reset(hmac_last.h) != 0)
			abort();
	} else {
		if (hmac_last.h != NULL) {
			gcry_mac_close(hmac_last.h);
			gcry_free(hmac_last.key);	/* wipes it */
		}
		if ((hmac_last.key = gcry_malloc_secure(klen ? klen : 1)) == NULL)
			abort();
		if (klen)
			memcpy(hmac_last.key, key, klen);
		hmac_last.klen = klen;
		hmac_last.h = hmac_open(key, klen);
	}
	hmac_run(hmac_last.h, msg, mlen, out);
}

int
crypto_hkdf_sha256(const void *salt, size_t saltlen, const void *ikm,
    size_t ikmlen, const void *info, size_t infolen, void *out, size_t outlen)
{
	static const unsigned char zero[32];
	unsigned char prk[32], t[32], *msg;
	size_t done = 0, tlen = 0, n;
	unsigned int i;

	if (outlen > 255 * 32)
		return -1;
	/* Extract: PRK = HMAC(salt, IKM); no salt means HashLen zeros. */
	if (salt == NULL || saltlen == 0)
		hmac_once(zero, sizeof(zero), ikm, ikmlen, prk);
	else
		hmac_once(salt, saltlen, ikm, ikmlen, prk);
	/* Expand: T(i) = HMAC(PRK, T(i-1) || info || i). */
	msg = xmalloc(32 + infolen + 1);
	for (i = 1; done < outlen; i++) {
		if (tlen)
			memcpy(msg, t, tlen);
		if (infolen)
			memcpy(msg + tlen, info, infolen);
		msg[tlen + infolen] = (unsigned char)i;
		hmac_once(prk, sizeof(prk), msg, tlen + infolen + 1, t);
		tlen = 32;
		n = outlen - done < 32 ? outlen - done : 32;
		memcpy((unsigned char *)out + done, t, n);
		done += n;
	}
	explicit_bzero(prk, sizeof(prk));
	explicit_bzero(t, sizeof(t));
	explicit_bzero(msg, 32 + infolen + 1);
	free(msg);
	return 0;
}

int
crypto_ct_eq(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	volatile unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

char *
crypto_hex(const void *buf, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = buf;
	char *s = xmalloc(n * 2 + 1);
	size_t i;

	for (i = 0; i < n; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	s[2 * n] = '\0';
	return s;
}

/* 1 if p is within the bounds we are willing to compute. */
static int
params_ok(const struct argon2_params *p)
{
	return p != NULL && p->t_cost >= 1 && p->t_cost <= ARGON2_T_MAX &&
	    p->parallelism >= 1 && p->parallelism <= ARGON2_P_MAX &&
	    p->m_kib >= 8 * p->parallelism && p->m_kib <= ARGON2_M_MAX;
}

int
crypto_argon2id(const void *pw, size_t pwlen, const void *salt,
    size_t saltlen, const void *secret, size_t secretlen, const void *ad,
    size_t adlen, const struct argon2_params *p, void *out, size_t outlen)
{
	unsigned long param[4];
	gcry_kdf_hd_t h;
	int rc = -1;

	if (!params_ok(p) || pw == NULL || pwlen == 0 || salt == NULL ||
	    saltlen < 8 || outlen < 4 || outlen > 1024)
		return -1;
	param[0] = outlen;
	param[1] = p->t_cost;
	param[2] = p->m_kib;
	param[3] = p->parallelism;
	/* libgcrypt keeps pointers to pw, salt, secret and ad until final:
	 * they are the caller's and outlive this call. */
	if (gcry_kdf_open(&h, GCRY_KDF_ARGON2, GCRY_KDF_ARGON2ID, param, 4,
	    pw, pwlen, salt, saltlen, secretlen ? secret : NULL, secretlen,
	    adlen ? ad : NULL, adlen) != 0)
		return -1;
	if (gcry_kdf_compute(h, NULL) == 0 &&
	    gcry_kdf_final(h, outlen, out) == 0)
		rc = 0;
	gcry_kdf_close(h);
	return rc;
}

char *
crypto_password_hash(const char *pw, size_t pwlen, const struct argon2_params *p)
{
	unsigned char salt[SALT_LEN], tag[TAG_LEN];
	char *s64, *t64, *out;

	if (!params_ok(p))
		return NULL;
	crypto_random(salt, sizeof(salt));
	if (crypto_argon2id(pw, pwlen, salt, sizeof(salt), NULL, 0, NULL, 0, p,
	    tag, sizeof(tag)) == -1)
		return NULL;
	s64 = b64_encode(salt, sizeof(salt), B64_STD_NOPAD);
	t64 = b64_encode(tag, sizeof(tag), B64_STD_NOPAD);
	out = xasprintf("$argon2id$v=19$m=%u,t=%u,p=%u$%s$%s", p->m_kib,
	    p->t_cost, p->parallelism, s64, t64);
	free(s64);
	free(t64);
	explicit_bzero(tag, sizeof(tag));
	return out;
}

/* Read "<prefix><decimal>" at *sp: digits only, no sign, no leading
 * zero, at most 7 digits.  0 ok (*sp advanced), -1 otherwise. */
static int
parse_uint(const char **sp, const char *prefix, unsigned *v)
{
	const char *s = *sp;
	size_t plen = strlen(prefix);
	unsigned n = 0;
	int digits = 0;

	if (strncmp(s, prefix, plen) != 0)
		return -1;
	s += plen;
	if (*s == '0')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++digits > 7)
			return -1;
		n = n * 10 + (unsigned)(*s - '0');
	}
	if (digits == 0)
		return -1;
	*v = n;
	*sp = s;
	return 0;
}

/* Parse a PHC string strictly and bound its parameters.  0 ok (*salt
 * and *tag heap, caller frees), -1 otherwise (both NULL). */
static int
parse_phc(const char *s, struct argon2_params *p, unsigned char **salt,
    size_t *saltlen, unsigned char **tag, size_t *taglen)
{
	static const char head[] = "$argon2id$v=19$";
	const char *dollar;

	*salt = *tag = NULL;
	if (s == NULL || strncmp(s, head, sizeof(head) - 1) != 0)
		return -1;
	s += sizeof(head) - 1;
	if (parse_uint(&s, "m=", &p->m_kib) == -1 ||
	    parse_uint(&s, ",t=", &p->t_cost) == -1 ||
	    parse_uint(&s, ",p=", &p->parallelism) == -1 || *s++ != '$' ||
	    !params_ok(p))
		return -1;
	if ((dollar = strchr(s, '$')) == NULL)
		return -1;
	if (b64_decode(s, dollar - s, B64_STD_NOPAD, salt, saltlen) == -1 ||
	    *saltlen < 8 || *saltlen > 64)
		goto bad;
	s = dollar + 1;
	if (b64_decode(s, strlen(s), B64_STD_NOPAD, tag, taglen) == -1 ||
	    *taglen != TAG_LEN)
		goto bad;
	return 0;
bad:
	free(*salt);
	free(*tag);
	*salt = *tag = NULL;
	return -1;
}

int
crypto_password_verify(const char *stored, const char *pw, size_t pwlen)
{
	struct argon2_params p;
	unsigned char *salt, *tag, got[TAG_LEN];
	size_t saltlen, taglen;
	int rc = -1;

	if (parse_phc(stored, &p, &salt, &saltlen, &tag, &taglen) == -1)
		return -1;
	if (pw == NULL || pwlen == 0)
		rc = 0;	/* libgcrypt cannot hash it, so it never matched */
	else if (crypto_argon2id(pw, pwlen, salt, saltlen, NULL, 0, NULL, 0,
	    &p, got, sizeof(got)) == 0)
		rc = crypto_ct_eq(got, tag, TAG_LEN);
	explicit_bzero(got, sizeof(got));
	free(salt);
	free(tag);
	return rc;
}

int
crypto_password_needs_rehash(const char *stored, const struct argon2_params *want)
{
	struct argon2_params p;
	unsigned char *salt, *tag;
	size_t saltlen, taglen;

	if (parse_phc(stored, &p, &salt, &saltlen, &tag, &taglen) == -1)
		return 1;
	free(salt);
	free(tag);
	return p.m_kib < want->m_kib || p.t_cost < want->t_cost ||
	    saltlen < SALT_LEN;
}

int
crypto_seal(const unsigned char key[32], const void *pt, size_t n,
    unsigned char **out, size_t *outlen)
{
	gcry_cipher_hd_t h;
	unsigned char *o;

	*out = NULL;
	*outlen = 0;
	o = xmalloc(GCM_NONCE + n + GCM_TAG);
	crypto_nonce(o, GCM_NONCE);
	if (gcry_cipher_open(&h, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM,
	    GCRY_CIPHER_SECURE) != 0) {
		free(o);
		return -1;
	}
	if (gcry_cipher_setkey(h, key, 32) != 0 ||
	    gcry_cipher_setiv(h, o, GCM_NONCE) != 0 ||
	    gcry_cipher_final(h) != 0 ||
	    gcry_cipher_encrypt(h, o + GCM_NONCE, n, n ? pt : "", n) != 0 ||
	    gcry_cipher_gettag(h, o + GCM_NONCE + n, GCM_TAG) != 0) {
		gcry_cipher_close(h);
		free(o);
		return -1;
	}
	gcry_cipher_close(h);
	*out = o;
	*outlen = GCM_NONCE + n + GCM_TAG;
	return 0;
}

int
crypto_open(const unsigned char key[32], const void *in, size_t inlen,
    unsigned char **pt, size_t *ptlen)
{
	const unsigned char *p = in;
	gcry_cipher_hd_t h;
	unsigned char *o;
	size_t n;

	*pt = NULL;
	*ptlen = 0;
	if (in == NULL || inlen < GCM_NONCE + GCM_TAG)
		return -1;
	n = inlen - GCM_NONCE - GCM_TAG;
	o = xmalloc(n + 1);
	if (gcry_cipher_open(&h, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM,
	    GCRY_CIPHER_SECURE) != 0) {
		free(o);
		return -1;
	}
	/* Always the full 16-byte tag: checktag accepts 4, 8 and 12. */
	if (gcry_cipher_setkey(h, key, 32) != 0 ||
	    gcry_cipher_setiv(h, p, GCM_NONCE) != 0 ||
	    gcry_cipher_final(h) != 0 ||
	    gcry_cipher_decrypt(h, o, n, p + GCM_NONCE, n) != 0 ||
	    gcry_cipher_checktag(h, p + GCM_NONCE + n, GCM_TAG) != 0) {
		gcry_cipher_close(h);
		explicit_bzero(o, n + 1);
		free(o);
		return -1;
	}
	gcry_cipher_close(h);
	o[n] = '\0';
	*pt = o;
	*ptlen = n;
	return 0;
}
