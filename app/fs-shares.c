/* User-to-user shares of a file: read-only for the recipient (who reads
 * through fs_file_readable), revocable by either side. */
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "app.h"
#include "fs.h"
#include "sql.h"

enum fs_err
fs_share_create(struct app *a, long long uid, long long file_id,
    const char *to, struct fs_share *out)
{
	struct db_res *res;
	long long rid = 0;
	enum fs_err e;

	if ((e = fs_file_get(a, uid, file_id, NULL)) != FS_OK)
		return e;
	if (username_valid(to)) {
		if ((res = db_query(a->db, SQL_USER_ID_BY_NAME, "s", to)) == NULL)
			return fs_db_fail(a);
		rid = db_rows(res) ? db_int(res, 0, 0) : 0;
		db_res_free(res);
	}
	if (rid == 0)
		return FS_NO_USER;
	if (rid == uid)
		return FS_SELF_SHARE;
	if (db_exec(a->db, SQL_SHARE_INSERT, "iii", file_id, uid, rid) == -1)
		return db_err(a->db) == DB_DUPLICATE ? FS_ALREADY_SHARED :
		    fs_db_fail(a);
	memset(out, 0, sizeof(*out));
	out->id = db_insert_id(a->db);
	if ((res = db_query(a->db, SQL_SHARE_GET, "i", out->id)) == NULL)
		return fs_db_fail(a);
	if (db_rows(res) == 0)
		e = FS_NOT_FOUND;	/* revoked meanwhile */
	else {
		out->file_id = db_int(res, 0, 1);
		snprintf(out->shared_with, sizeof(out->shared_with), "%s",
		    db_str(res, 0, 2));
		snprintf(out->created, sizeof(out->created), "%s",
		    db_str(res, 0, 3) ? db_str(res, 0, 3) : "");
	}
	db_res_free(res);
	return e;
}

enum fs_err
fs_share_list(struct app *a, long long uid, int with_me, long long limit,
    long long offset, struct db_res **rows)
{
	if ((*rows = db_query(a->db, with_me ? SQL_SHARE_WITH_ME :
	    SQL_SHARE_BY_ME, "iii", uid, limit, offset)) == NULL)
		return fs_db_fail(a);
	return FS_OK;
}

enum fs_err
fs_share_delete(struct app *a, long long uid, long long id)
{
	long long n;

	if ((n = db_exec(a->db, SQL_SHARE_DELETE, "iii", id, uid, uid)) == -1)
		return fs_db_fail(a);
	return n ? FS_OK : FS_NOT_FOUND;
}
