/* API keys (SPEC §3): a key is shown once and stored as its SHA-256;
 * names follow the file name rules and are unique per user. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "names.h"
#include "app.h"
#include "acct.h"
#include "sql.h"

enum { K_ID, K_NAME, K_CREATED, K_USED, K_EXPIRES, K_RO };

void
acct_key_from_row(const struct db_res *res, size_t i, struct acct_key *k)
{
	k->id = db_int(res, i, K_ID);
	db_copy(res, i, K_NAME, k->name, sizeof(k->name));
	db_copy(res, i, K_CREATED, k->created, sizeof(k->created));
	db_copy(res, i, K_USED, k->last_used, sizeof(k->last_used));
	db_copy(res, i, K_EXPIRES, k->expires, sizeof(k->expires));
	k->read_only = db_int(res, i, K_RO) != 0;
}

enum fs_err
acct_key_create(struct app *a, long long uid, const char *name, int ro,
    long long expires, struct acct_key *out, char **secret)
{
	unsigned char hash[32];
	struct db_res *res;
	char tbuf[20], *key;
	enum fs_err e;

	*secret = NULL;
	if (!name_valid(name))
		return FS_BAD_KEY_NAME;
	if (expires == -1 || (expires != 0 && expires <= time(NULL)))
		return FS_BAD_EXPIRY;
	key = auth_new_key(hash);
	if (db_exec(a->db, SQL_KEY_INSERT, "isbis", uid, name, hash,
	    sizeof(hash), (long long)ro, time_sql(expires, tbuf)) == -1) {
		e = db_err(a->db) == DB_DUPLICATE ? FS_KEY_EXISTS : fs_db_fail(a);
		goto fail;
	}
	if ((res = db_query(a->db, SQL_KEY_GET, "ii", db_insert_id(a->db),
	    uid)) == NULL || db_rows(res) != 1) {
		e = res ? FS_INTERNAL : fs_db_fail(a);
		db_res_free(res);
		goto fail;
	}
	acct_key_from_row(res, 0, out);
	db_res_free(res);
	*secret = key;
	return FS_OK;
fail:
	explicit_bzero(key, strlen(key));
	free(key);
	return e;
}

enum fs_err
acct_key_list(struct app *a, long long uid, long long limit,
    long long offset, struct db_res **rows)
{
	if ((*rows = db_query(a->db, SQL_KEY_LIST, "iii", uid, limit,
	    offset)) == NULL)
		return fs_db_fail(a);
	return FS_OK;
}

enum fs_err
acct_key_delete(struct app *a, long long uid, long long id)
{
	long long n = db_exec(a->db, SQL_KEY_DELETE, "ii", id, uid);

	if (n == -1)
		return fs_db_fail(a);
	return n == 0 ? FS_NOT_FOUND : FS_OK;
}
