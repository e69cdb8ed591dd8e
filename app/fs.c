/* What every fs-*.c file shares: the outcome names, the database
 * failure to outcome mapping and the blob store. */
#include "store.h"
#include "app.h"
#include "fs.h"

static const char *const names[FS__MAX] = {
	[FS_OK] = "ok",
	[FS_NOT_FOUND] = "not found",
	[FS_EXISTS] = "name exists",
	[FS_CYCLE] = "folder cycle",
	[FS_TOO_DEEP] = "too deep",
	[FS_WALK_CUT] = "tree too deep to walk",
	[FS_QUOTA] = "over quota",
	[FS_FILE_LIMIT] = "file count limit",
	[FS_FOLDER_LIMIT] = "folder count limit",
	[FS_NO_SPACE] = "no space",
	[FS_TOO_LARGE] = "too large",
	[FS_BAD_NAME] = "bad name",
	[FS_NO_USER] = "no such user",
	[FS_SELF_SHARE] = "share with oneself",
	[FS_ALREADY_SHARED] = "already shared",
	[FS_RETRY] = "retry",
	[FS_UNAVAILABLE] = "database unavailable",
	[FS_INTERNAL] = "internal",
	[FS_LINK_NONE] = "no link",
	[FS_LINK_GONE] = "link gone",
	[FS_LINK_CONTENT_GONE] = "link content gone",
	[FS_LINK_NOT_IN] = "not in the link",
	[FS_LINK_PASSWORD_REQUIRED] = "link password required",
	[FS_LINK_WRONG_PASSWORD] = "wrong link password",
	[FS_LINK_NO_DOWNLOAD] = "link downloads disabled",
	[FS_LINK_PASSWORD_POLICY] = "link password required by policy",
	[FS_LINK_EXPIRY_TOO_FAR] = "link expiry too far",
	[FS_ZIP_TOO_MANY_FOLDERS] = "zip: too many folders",
	[FS_ZIP_TOO_DEEP] = "zip: too deep",
	[FS_ZIP_PATH_TOO_LONG] = "zip: path too long",
	[FS_ZIP_TOO_LARGE] = "zip: too many entries",
	[FS_BAD_USERNAME] = "bad username",
	[FS_BAD_EMAIL] = "bad email",
	[FS_BAD_PASSWORD] = "bad password",
	[FS_USERNAME_TAKEN] = "username taken",
	[FS_EMAIL_TAKEN] = "email taken",
	[FS_ACCOUNT_TAKEN] = "username or email taken",
	[FS_THROTTLED] = "throttled",
	[FS_BAD_CREDENTIALS] = "bad credentials",
	[FS_PENDING] = "account pending",
	[FS_SUSPENDED] = "account suspended",
	[FS_WRONG_PASSWORD] = "wrong password",
	[FS_BAD_KEY_NAME] = "bad key name",
	[FS_BAD_EXPIRY] = "bad expiry",
	[FS_KEY_EXISTS] = "key name exists",
	[FS_LAST_ADMIN] = "last admin",
};

const char *
fs_strerror(enum fs_err e)
{
	return (unsigned)e < FS__MAX ? names[e] : "?";
}

enum fs_err
fs_db_fail(struct app *a)
{
	switch (db_err(a->db)) {
	case DB_GONE:
		return FS_UNAVAILABLE;
	case DB_RETRY:
		return FS_RETRY;
	default:
		return FS_INTERNAL;
	}
}

struct store *
fs_store(struct app *a)
{
	/* Lives as long as the process's app. */
	if (a->store == NULL)
		a->store = store_local_new(a->conf.data_dir);
	return a->store;
}

int
fs_ping(struct app *a)
{
	return db_ping(a->db) == 0 ? 0 : -1;
}

/* The outcomes a failed statement maps to: the transaction may be worth
 * running again (db_tx_begin decides from db_err). */
static int
db_outcome(enum fs_err e)
{
	return e == FS_RETRY || e == FS_UNAVAILABLE || e == FS_INTERNAL;
}

enum fs_err
fs_tx(struct app *a, int flags, enum fs_err (*body)(struct app *, void *),
    void *arg)
{
	unsigned attempt = 0;
	enum fs_err e = FS_INTERNAL;
	int ran = 0;

	while (db_tx_begin(a->db, &attempt, flags) == 0) {
		ran = 1;
		if ((e = body(a, arg)) == FS_OK) {
			if (db_commit(a->db) == 0)
				return FS_OK;
			e = fs_db_fail(a);
		}
		db_rollback(a->db);
		if (!db_outcome(e))
			return e;	/* a decision, not a failure */
	}
	return ran ? e : fs_db_fail(a);
}
