/* The key files the app uses: the JWT secret and the master keys (KEKs),
 * made at init and read at start.  How a key file is created and trusted
 * is lib/keyfile.c's job; this file names them and logs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyfile.h"
#include "log.h"
#include "xmalloc.h"
#include "app.h"
#include "keys.h"

int
keys_read_secret(const char *path, unsigned char *buf, size_t min,
    size_t max, size_t *len)
{
	if (keyfile_read(path, buf, min, max, len) == 0)
		return 0;
	if (errno == EPERM || errno == ELOOP || errno == EINVAL)
		log_err("%s: must be a regular file of mode 0600 holding %zu "
		    "to %zu bytes", path, min, max);
	else
		log_err("open %s: %s", path, strerror(errno));
	return -1;
}

int
keys_create_secret(const char *path, size_t n)
{
	if (keyfile_create(path, n) == 0)
		return 1;
	return errno == EEXIST ? 0 : -1;
}

/* Parse "id:path, id:path" into the keyring after the active key. */
static int
load_old_keys(struct app *a)
{
	char *list = xstrdup(a->conf.old_key_files), *save = NULL, *item;
	int rc = 0;

	for (item = strtok_r(list, ", \t", &save); item;
	    item = strtok_r(NULL, ", \t", &save)) {
		char *colon = strchr(item, ':'), *end;
		long long id;

		if (colon == NULL) {
			log_err("old_key_files: '%s' is not id:path", item);
			rc = -1;
			break;
		}
		*colon = '\0';
		id = strtoll(item, &end, 10);
		if (*end || id < 1 || id > 4294967295LL ||
		    id == a->conf.master_key_id) {
			log_err("old_key_files: bad key id '%s'", item);
			rc = -1;
			break;
		}
		a->keyring.keks = xrealloc(a->keyring.keks,
		    (a->keyring.n + 1) * sizeof(*a->keyring.keks));
		if (keyfile_kek_load(colon + 1, (uint32_t)id,
		    &a->keyring.keks[a->keyring.n]) == -1) {
			log_err("old key %lld (%s): %s", id, colon + 1,
			    strerror(errno));
			rc = -1;
			break;
		}
		a->keyring.n++;
	}
	free(list);
	return rc;
}

int
app_load_keys(struct app *a)
{
	a->keyring.keks = xcalloc(1, sizeof(*a->keyring.keks));
	a->keyring.active = (uint32_t)a->conf.master_key_id;
	if (keyfile_kek_load(a->conf.master_key_file, a->keyring.active,
	    &a->keyring.keks[0]) == -1) {
		log_err("master key %s: %s (must be 32 bytes, mode 0600)",
		    a->conf.master_key_file, strerror(errno));
		return -1;
	}
	a->keyring.n = 1;
	return load_old_keys(a);
}

/* Link tokens are sealed under a key derived from a KEK, so the raw KEK
 * never encrypts anything but data keys. */
static int
link_key(struct app *a, uint32_t kek_id, unsigned char out[32])
{
	size_t i;

	for (i = 0; i < a->keyring.n; i++)
		if (a->keyring.keks[i].id == kek_id)
			return crypto_hkdf_sha256(NULL, 0, a->keyring.keks[i].key,
			    32, "tcloud share-token v1", 21, out, 32);
	return -1;
}

int
app_seal_token(struct app *a, const char *token, unsigned char **out,
    size_t *outlen)
{
	unsigned char key[32], *sealed;
	size_t n;
	int rc;

	if (link_key(a, a->keyring.active, key) == -1)
		return -1;
	rc = crypto_seal(key, token, strlen(token), &sealed, &n);
	explicit_bzero(key, sizeof(key));
	if (rc == -1)
		return -1;
	/* kek id (BE32) || nonce || ciphertext || tag */
	*out = xmalloc(n + 4);
	(*out)[0] = a->keyring.active >> 24;
	(*out)[1] = a->keyring.active >> 16;
	(*out)[2] = a->keyring.active >> 8;
	(*out)[3] = a->keyring.active;
	memcpy(*out + 4, sealed, n);
	*outlen = n + 4;
	free(sealed);
	return 0;
}

char *
app_open_token(struct app *a, const unsigned char *in, size_t inlen,
    uint32_t *kek_id)
{
	unsigned char key[32], *pt;
	size_t n;
	char *tok;
	int rc;

	if (inlen < 4)
		return NULL;
	*kek_id = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 |
	    (uint32_t)in[2] << 8 | in[3];
	if (link_key(a, *kek_id, key) == -1)
		return NULL;
	rc = crypto_open(key, in + 4, inlen - 4, &pt, &n);
	explicit_bzero(key, sizeof(key));
	if (rc == -1)
		return NULL;
	tok = xstrndup((char *)pt, n);
	free(pt);
	return tok;
}
