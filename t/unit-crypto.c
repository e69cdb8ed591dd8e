/* Unit tests of lib/crypto.c: known-answer vectors (FIPS 180-2, RFC 4231,
 * RFC 5869, RFC 9106), Argon2id PHC strings including hostile ones,
 * constant-time compare and the AES-256-GCM seal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "crypto.h"
#include "tap.h"

/* GCRY_VERY_STRONG_RANDOM makes libgcrypt keep a 128 KiB buffer for the
 * life of the process, which LeakSanitizer reports at exit (t/lsan.supp
 * says the same for the HTTP tests). */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libgcrypt.so\n";
}

const char *__lsan_default_options(void);
const char *
__lsan_default_options(void)
{
	return "print_suppressions=0";
}

static int
hexeq(const void *b, size_t n, const char *hex)
{
	char *h = crypto_hex(b, n);
	int r = strcmp(h, hex) == 0;

	if (!r)
		printf("#   got  %s\n#   want %s\n", h, hex);
	free(h);
	return r;
}

static void
fill(unsigned char *b, size_t n, unsigned char start)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(start + i);
}

static void
test_hashes(void)
{
	unsigned char out[32], key[20];

	crypto_sha256("abc", 3, out);
	ok(hexeq(out, 32, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad"), "SHA-256(\"abc\")");
	crypto_sha256(NULL, 0, out);
	ok(hexeq(out, 32, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855"), "SHA-256(\"\")");
	memset(key, 0x0b, sizeof(key));
	crypto_hmac_sha256(key, 20, "Hi There", 8, out);
	ok(hexeq(out, 32, "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7"), "HMAC-SHA256 RFC 4231 case 1");
	crypto_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, out);
	ok(hexeq(out, 32, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843"), "HMAC-SHA256 RFC 4231 case 2");
	crypto_hmac_sha256(NULL, 0, NULL, 0, out);
	ok(hexeq(out, 32, "b613679a0814d9ec772f95d778c35fc5"
	    "ff1697c493715653c6c712144292c5ad"), "HMAC-SHA256 empty key, empty msg");
}

/* crypto_hmac_sha256 keeps the last key's handle and resets it: the
 * same key twice, another key of the same length, and back. */
static void
test_hmac_reuse(void)
{
	unsigned char out[32], k1[20], k3[20], d3[50];
	static const char *case1 = "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7";
	static const char *case3 = "773ea91e36800e46854db8ebd09181a7"
	    "2959098b3ef8c122d9635514ced565fe";
	int i;

	memset(k1, 0x0b, sizeof(k1));
	memset(k3, 0xaa, sizeof(k3));
	memset(d3, 0xdd, sizeof(d3));
	for (i = 0; i < 2; i++) {
		crypto_hmac_sha256(k1, 20, "Hi There", 8, out);
		ok(hexeq(out, 32, case1), "RFC 4231 case 1, key used before (%d)", i);
		crypto_hmac_sha256(k1, 20, "Hi There", 8, out);
		ok(hexeq(out, 32, case1), "  again: the handle was reset");
		crypto_hmac_sha256(k3, 20, d3, sizeof(d3), out);
		ok(hexeq(out, 32, case3), "  case 3: same length, other key");
	}
}

static void
test_hkdf(void)
{
	unsigned char ikm[80], salt[80], info[80], out[82];
	static unsigned char big[8161];

	memset(ikm, 0x0b, 22);
	fill(salt, 13, 0x00);
	fill(info, 10, 0xf0);
	ok(crypto_hkdf_sha256(salt, 13, ikm, 22, info, 10, out, 42) == 0 &&
	    hexeq(out, 42, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db0"
	    "2d56ecc4c5bf34007208d5b887185865"), "HKDF RFC 5869 case 1");
	fill(ikm, 80, 0x00);
	fill(salt, 80, 0x60);
	fill(info, 80, 0xb0);
	ok(crypto_hkdf_sha256(salt, 80, ikm, 80, info, 80, out, 82) == 0 &&
	    hexeq(out, 82, "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050"
	    "cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9"
	    "aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"),
	    "HKDF RFC 5869 case 2 (long inputs, 82 bytes)");
	memset(ikm, 0x0b, 22);
	ok(crypto_hkdf_sha256(NULL, 0, ikm, 22, NULL, 0, out, 42) == 0 &&
	    hexeq(out, 42, "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec345"
	    "4e5f3c738d2d9d201395faa4b61a96c8"),
	    "HKDF RFC 5869 case 3 (no salt, no info)");
	ok(crypto_hkdf_sha256("", 0, ikm, 22, "", 0, out, 42) == 0 &&
	    hexeq(out, 42, "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec345"
	    "4e5f3c738d2d9d201395faa4b61a96c8"), "empty salt is the zero salt");
	ok(crypto_hkdf_sha256(NULL, 0, ikm, 22, NULL, 0, big, 8160) == 0,
	    "HKDF gives 255 blocks");
	ok(crypto_hkdf_sha256(NULL, 0, ikm, 22, NULL, 0, big, 8161) == -1,
	    "HKDF refuses more than 255 blocks");
	ok(crypto_hkdf_sha256(NULL, 0, ikm, 22, NULL, 0, NULL, 0) == 0,
	    "HKDF with zero output");
}

static void
test_misc(void)
{
	unsigned char a[32], b[32];
	char *h;

	ok(crypto_ct_eq("abcd", "abcd", 4) == 1, "ct_eq equal");
	ok(crypto_ct_eq("abcd", "abce", 4) == 0, "ct_eq last byte differs");
	ok(crypto_ct_eq("xbcd", "abcd", 4) == 0, "ct_eq first byte differs");
	ok(crypto_ct_eq("\x80", "\x00", 1) == 0, "ct_eq high bit differs");
	ok(crypto_ct_eq("a", "b", 0) == 1, "ct_eq of nothing is equal");
	h = crypto_hex("\x00\x01\xab\xff", 4);
	is_str(h, "0001abff", "hex is lowercase");
	free(h);
	h = crypto_hex(NULL, 0);
	is_str(h, "", "hex of nothing");
	free(h);
	crypto_random(a, sizeof(a));
	crypto_random(b, sizeof(b));
	ok(!crypto_ct_eq(a, b, 32), "two random draws differ");
	crypto_random_very_strong(a, 16);
	crypto_nonce(b, 16);
	ok(!crypto_ct_eq(a, b, 16), "very strong random and nonce work");
}

/* Argon2id itself: RFC 9106 §5.3 with secret and associated data. */
static void
test_argon2_raw(void)
{
	const struct argon2_params rfc = { 3, 32, 4 }, fast = { 1, 64, 1 };
	unsigned char pw[32], salt[16], secret[8], ad[12], tag[32], t2[32];

	memset(pw, 0x01, sizeof(pw));
	memset(salt, 0x02, sizeof(salt));
	memset(secret, 0x03, sizeof(secret));
	memset(ad, 0x04, sizeof(ad));
	ok(crypto_argon2id(pw, 32, salt, 16, secret, 8, ad, 12, &rfc, tag,
	    32) == 0 && hexeq(tag, 32, "0d640df58d78766c08c037a34a8b53c9"
	    "d01ef0452d75b65eb52520e96b01e659"), "Argon2id RFC 9106 5.3 vector");
	/* Reference implementation's test vector (phc-winner-argon2). */
	ok(crypto_argon2id("password", 8, "somesalt", 8, NULL, 0, NULL, 0,
	    &(struct argon2_params){ 2, 256, 1 }, tag, 32) == 0 &&
	    hexeq(tag, 32, "9dfeb910e80bad0311fee20f9c0e2b12"
	    "c17987b4cac90c2ef54d5b3021c68bfe"),
	    "Argon2id m=256 t=2 p=1 reference vector");
	ok(crypto_argon2id("pw", 0, salt, 16, NULL, 0, NULL, 0, &fast, tag,
	    32) == -1, "empty password refused (libgcrypt cannot)");
	ok(crypto_argon2id("pw", 2, salt, 7, NULL, 0, NULL, 0, &fast, tag,
	    32) == -1, "salt under 8 bytes refused");
	ok(crypto_argon2id("pw", 2, salt, 16, NULL, 0, NULL, 0,
	    &(struct argon2_params){ 1, 15, 2 }, tag, 32) == -1,
	    "m < 8p refused");
	ok(crypto_argon2id("pw", 2, salt, 16, NULL, 0, NULL, 0,
	    &(struct argon2_params){ 0, 64, 1 }, tag, 32) == -1, "t = 0 refused");
	ok(crypto_argon2id("pw", 2, salt, 16, NULL, 0, NULL, 0, &fast, tag,
	    32) == 0 && crypto_argon2id("pw", 2, salt, 16, NULL, 0, NULL, 0,
	    &fast, t2, 32) == 0 && crypto_ct_eq(tag, t2, 32),
	    "Argon2id is deterministic");
}

static void
test_passwords(void)
{
	const struct argon2_params fast = { 1, 64, 1 };
	static const char *const hostile[] = {
		/* memory, time and lanes out of bounds */
		"$argon2id$v=19$m=99999999,t=1,p=1$c29tZXNhbHQ$",
		"$argon2id$v=19$m=1048577,t=1,p=1$c29tZXNhbHQ$",
		"$argon2id$v=19$m=64,t=17,p=1$c29tZXNhbHQ$",
		"$argon2id$v=19$m=64,t=1,p=9$c29tZXNhbHQ$",
		"$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHQ$",
		"$argon2id$v=19$m=64,t=1,p=0$c29tZXNhbHQ$",
		"$argon2id$v=19$m=15,t=1,p=2$c29tZXNhbHQ$",
		"$argon2id$v=19$m=4294967360,t=1,p=1$c29tZXNhbHQ$",
		/* sloppy numbers sscanf would take */
		"$argon2id$v=19$m=-64,t=1,p=1$c29tZXNhbHQ$",
		"$argon2id$v=19$m=+64,t=1,p=1$c29tZXNhbHQ$",
		"$argon2id$v=19$m= 64,t=1,p=1$c29tZXNhbHQ$",
		"$argon2id$v=19$m=064,t=1,p=1$c29tZXNhbHQ$",
		"$argon2id$v=19$m=64,t=1,p=1,x=1$c29tZXNhbHQ$",
		"$argon2id$v=19$t=1,m=64,p=1$c29tZXNhbHQ$",
		/* other variants and versions */
		"$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$",
		"$argon2d$v=19$m=64,t=1,p=1$c29tZXNhbHQ$",
		"$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHQ$",
		"$argon2id$m=64,t=1,p=1$c29tZXNhbHQ$",
		/* salt */
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$",
		"$argon2id$v=19$m=64,t=1,p=1$$",
		"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ=$",
		"$argon2id$v=19$m=64,t=1,p=1$c29tZX*hbHQ$",
	};
	char *h, *s, buf[256];
	unsigned char tag[32];
	size_t i;
	int bad;

	h = crypto_password_hash("correct horse", 13, &crypto_argon2_default);
	ok(h && strncmp(h, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0 &&
	    strlen(h) == 31 + 22 + 1 + 43, "default PHC string: %s", h);
	is_int(crypto_password_verify(h, "correct horse", 13), 1,
	    "right password verifies (default params)");
	is_int(crypto_password_verify(h, "correct horsf", 13), 0,
	    "wrong password fails");
	is_int(crypto_password_verify(h, "correct hors", 12), 0, "prefix fails");
	is_int(crypto_password_verify(h, "correct horse!", 14), 0,
	    "extension fails");
	is_int(crypto_password_verify(h, "", 0), 0, "empty password fails");
	is_int(crypto_password_needs_rehash(h, &crypto_argon2_default), 0,
	    "no rehash at the same params");
	free(h);

	h = crypto_password_hash("pw", 2, &fast);
	is_int(crypto_password_verify(h, "pw", 2), 1, "fast params verify");
	is_int(crypto_password_verify(h, "pW", 2), 0, "fast params, wrong pw");
	is_int(crypto_password_needs_rehash(h, &crypto_argon2_default), 1,
	    "weaker m and t need a rehash");
	is_int(crypto_password_needs_rehash(h, &(struct argon2_params){ 2, 64,
	    1 }), 1, "weaker t alone needs a rehash");
	is_int(crypto_password_needs_rehash(h, &(struct argon2_params){ 1, 128,
	    1 }), 1, "weaker m alone needs a rehash");
	is_int(crypto_password_needs_rehash(h, &(struct argon2_params){ 1, 32,
	    1 }), 0, "stronger stored params need none");
	s = crypto_password_hash("pw", 2, &fast);
	ok(s && strcmp(h, s) != 0, "salt is random: two hashes differ");
	free(s);
	/* Tamper with the stored tag. */
	h[strlen(h) - 2] = h[strlen(h) - 2] == 'A' ? 'B' : 'A';
	is_int(crypto_password_verify(h, "pw", 2), 0, "tampered tag fails");
	free(h);

	/* A stored string built by hand from the raw KDF verifies. */
	crypto_argon2id("password", 8, "somesalt", 8, NULL, 0, NULL, 0,
	    &(struct argon2_params){ 2, 256, 1 }, tag, 32);
	s = b64_encode(tag, 32, B64_STD_NOPAD);
	snprintf(buf, sizeof(buf), "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$%s",
	    s);
	free(s);
	is_str(buf, "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$"
	    "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	    "PHC string of the reference vector");
	is_int(crypto_password_verify(buf, "password", 8), 1,
	    "reference PHC string verifies");
	is_int(crypto_password_needs_rehash(buf, &(struct argon2_params){ 1,
	    64, 1 }), 1, "an 8-byte salt asks for a rehash");

	/* Malformed and hostile strings: refused before any hashing. */
	bad = 0;
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		snprintf(buf, sizeof(buf), "%s%s", hostile[i],
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
		if (crypto_password_verify(buf, "x", 1) != -1) {
			printf("#   accepted %s\n", buf);
			bad++;
		}
		if (crypto_password_needs_rehash(buf, &fast) != 1)
			bad++;
	}
	ok(bad == 0, "%zu hostile or malformed strings refused",
	    sizeof(hostile) / sizeof(hostile[0]));
	is_int(crypto_password_verify(NULL, "x", 1), -1, "NULL refused");
	is_int(crypto_password_verify("", "x", 1), -1, "empty refused");
	is_int(crypto_password_verify("garbage", "x", 1), -1, "garbage refused");
	is_int(crypto_password_verify("$argon2id$v=19$m=64,t=1,p=1$"
	    "c29tZXNhbHQ$AAAA", "x", 1), -1, "short tag refused");
	is_int(crypto_password_verify("$argon2id$v=19$m=64,t=1,p=1$"
	    "c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "x", 1),
	    -1, "padded tag refused");
	is_int(crypto_password_verify("$argon2id$v=19$m=64,t=1,p=1$"
	    "c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA$", "x", 1),
	    -1, "extra field refused");
	is_int(crypto_password_verify("$argon2id$v=19$m=64,t=1,p=1$"
	    "c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", "x", 1),
	    -1, "non-canonical tag refused");
	is_int(crypto_password_verify("$argon2id$v=19$m=64,t=1,p=1$"
	    "c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x", 1),
	    0, "well-formed string with a wrong tag is a mismatch");
	ok(crypto_password_hash("pw", 2, &(struct argon2_params){ 1,
	    2 * 1024 * 1024, 1 }) == NULL, "hash refuses out-of-bounds m");
	ok(crypto_password_hash("pw", 2, &(struct argon2_params){ 0, 64,
	    1 }) == NULL, "hash refuses t = 0");
	ok(crypto_password_hash("", 0, &fast) == NULL,
	    "hash refuses an empty password");
}

static void
test_seal(void)
{
	unsigned char key[32], *sealed, *s2, *opened;
	size_t sl, sl2, ol, i;
	int bad;

	crypto_random(key, sizeof(key));
	ok(crypto_seal(key, "secret token", 12, &sealed, &sl) == 0 &&
	    sl == 12 + 12 + 16, "seal: nonce + ct + tag");
	ok(crypto_open(key, sealed, sl, &opened, &ol) == 0 && ol == 12 &&
	    memcmp(opened, "secret token", 12) == 0 && opened[12] == '\0',
	    "open round trip, NUL-terminated");
	free(opened);
	ok(crypto_seal(key, "secret token", 12, &s2, &sl2) == 0 &&
	    memcmp(sealed, s2, sl) != 0, "fresh nonce per seal");
	free(s2);
	bad = 0;
	for (i = 0; i < sl; i++) {
		sealed[i] ^= 0x01;
		if (crypto_open(key, sealed, sl, &opened, &ol) != -1 ||
		    opened != NULL)
			bad++;
		sealed[i] ^= 0x01;
	}
	ok(bad == 0, "a flipped bit anywhere (nonce, ct, tag) is refused");
	ok(crypto_open(key, sealed, sl - 1, &opened, &ol) == -1,
	    "truncated tag refused");
	ok(crypto_open(key, sealed, 27, &opened, &ol) == -1,
	    "input shorter than nonce + tag refused");
	ok(crypto_open(key, sealed, 0, &opened, &ol) == -1, "empty refused");
	key[0] ^= 1;
	ok(crypto_open(key, sealed, sl, &opened, &ol) == -1, "wrong key refused");
	key[0] ^= 1;
	free(sealed);
	ok(crypto_seal(key, NULL, 0, &sealed, &sl) == 0 && sl == 28 &&
	    crypto_open(key, sealed, sl, &opened, &ol) == 0 && ol == 0,
	    "empty plaintext round trips");
	free(opened);
	free(sealed);
}

int
main(void)
{
	ok(crypto_init() == 0, "libgcrypt initialises");
	ok(crypto_init() == 0, "and again (idempotent)");
	test_hashes();
	test_hmac_reuse();
	test_hkdf();
	test_misc();
	test_argon2_raw();
	test_passwords();
	test_seal();
	return done_testing();
}
