/* The JSON API's rendering of the service layer: one table from each
 * fs outcome to SPEC §2's {status, code, message}, and the JSON objects
 * of files and folders.  A WebDAV front end has its own table. */
#include <stddef.h>
#include <stdio.h>

#include "json.h"
#include "log.h"
#include "app.h"
#include "fs.h"
#include "fs-links.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)

/* A message may name the object ("%s": "file", "folder") or a limit of
 * tcloud.conf ("%lld": the struct conf field at conf). */
enum arg { ARG_NONE, ARG_WHAT, ARG_CONF };

static const struct {
	int		 status;
	const char	*code;
	const char	*msg;
	enum arg	 arg;
	size_t		 conf;
} table[FS__MAX] = {
	[FS_OK] = { 200, "ok", "OK.", ARG_NONE, 0 },
	[FS_NOT_FOUND] = { 404, "not_found", "No such %s.", ARG_WHAT, 0 },
	[FS_EXISTS] = { 409, "name_exists",
	    "A %s with that name exists there.", ARG_WHAT, 0 },
	[FS_CYCLE] = { 409, "folder_cycle", "A folder cannot move into "
	    "itself or a folder below it.", ARG_NONE, 0 },
	[FS_TOO_DEEP] = { 409, "too_deep", "Folders may be nested at most "
	    "%lld levels deep.", ARG_CONF,
	    offsetof(struct conf, max_folder_depth) },
	[FS_WALK_CUT] = { 409, "too_deep", "This folder tree is too deep to "
	    "handle at once; move or delete its deepest folders first.",
	    ARG_NONE, 0 },
	[FS_QUOTA] = { 507, "quota_exceeded",
	    "The file does not fit in the remaining quota.", ARG_NONE, 0 },
	[FS_FILE_LIMIT] = { 507, "quota_exceeded", "You have reached the "
	    "limit of %lld files.", ARG_CONF,
	    offsetof(struct conf, max_files_per_user) },
	[FS_FOLDER_LIMIT] = { 507, "quota_exceeded", "You have reached the "
	    "limit of %lld folders.", ARG_CONF,
	    offsetof(struct conf, max_folders_per_user) },
	[FS_NO_SPACE] = { 507, "insufficient_storage", "The server has no "
	    "room left for this file; nothing was stored. Try again later.",
	    ARG_NONE, 0 },
	[FS_TOO_LARGE] = { 413, "too_large", "The file is larger than the "
	    "maximum upload of %lld bytes.", ARG_CONF,
	    offsetof(struct conf, max_upload) },
	[FS_BAD_NAME] = { 400, "invalid_name", "A name is 1 to 255 bytes of "
	    "UTF-8 without '/', '\\' or control characters, not '.' or "
	    "'..'.", ARG_NONE, 0 },
	[FS_NO_USER] = { 404, "user_not_found", "No such user.", ARG_NONE, 0 },
	[FS_SELF_SHARE] = { 400, "invalid_recipient",
	    "You cannot share a file with yourself.", ARG_NONE, 0 },
	[FS_ALREADY_SHARED] = { 409, "already_shared",
	    "This file is already shared with that user.", ARG_NONE, 0 },
	/* Rendered by reply_unavailable / reply_internal (request id). */
	[FS_RETRY] = { 503, "unavailable", NULL, ARG_NONE, 0 },
	[FS_UNAVAILABLE] = { 503, "unavailable", NULL, ARG_NONE, 0 },
	[FS_INTERNAL] = { 500, "internal", NULL, ARG_NONE, 0 },
	[FS_LINK_NONE] = { 404, "not_found", "This %s has no public link.",
	    ARG_WHAT, 0 },
	[FS_LINK_GONE] = { 404, "not_found",
	    "This link does not exist or has expired.", ARG_NONE, 0 },
	[FS_LINK_CONTENT_GONE] = { 404, "not_found",
	    "This link's content is gone.", ARG_NONE, 0 },
	[FS_LINK_NOT_IN] = { 404, "not_found", "No such %s in this link.",
	    ARG_WHAT, 0 },
	[FS_LINK_PASSWORD_REQUIRED] = { 401, "password_required", "This link "
	    "needs a password (X-Share-Password header).", ARG_NONE, 0 },
	[FS_LINK_WRONG_PASSWORD] = { 403, "wrong_password",
	    "The link password is wrong.", ARG_NONE, 0 },
	[FS_LINK_NO_DOWNLOAD] = { 403, "download_disabled",
	    "Downloads are disabled for this link.", ARG_NONE, 0 },
	[FS_LINK_PASSWORD_POLICY] = { 400, "password_required_by_policy",
	    "This server requires a password on every public link.",
	    ARG_NONE, 0 },
	[FS_LINK_EXPIRY_TOO_FAR] = { 400, "expiry_too_far", "Links on this "
	    "server expire within %lld seconds.", ARG_CONF,
	    offsetof(struct conf, link_max_lifetime) },
	[FS_ZIP_TOO_MANY_FOLDERS] = { 409, "zip_too_large", "This folder has "
	    "more than " STR(FS_ZIP_MAX_FOLDERS) " folders to put in one ZIP; "
	    "download its parts or its files one by one.", ARG_NONE, 0 },
	[FS_ZIP_TOO_DEEP] = { 409, "too_deep", "This folder tree is too deep "
	    "to put in one ZIP.", ARG_NONE, 0 },
	[FS_ZIP_PATH_TOO_LONG] = { 409, "zip_too_large", "A path in this "
	    "folder is longer than " STR(FS_ZIP_MAX_PATH) " bytes, too long "
	    "for a ZIP that can be extracted.", ARG_NONE, 0 },
	[FS_ZIP_TOO_LARGE] = { 409, "zip_too_large", "This folder holds too "
	    "many entries for one ZIP (at most " STR(FS_ZIP_MAX_ENTRIES) ", "
	    "with " STR(FS_ZIP_MAX_NAMES_MIB) " MiB of paths); download its "
	    "parts or its files one by one.", ARG_NONE, 0 },
	/* Accounts (acct.h). */
	[FS_BAD_USERNAME] = { 400, "invalid_username", "A username is 3 to 32 "
	    "characters of letters, digits, '_', '.' and '-'.", ARG_NONE, 0 },
	[FS_BAD_EMAIL] = { 400, "invalid_email",
	    "That is not an email address.", ARG_NONE, 0 },
	/* what: the field; the bounds are ACCT_PW_MIN and ACCT_PW_MAX. */
	[FS_BAD_PASSWORD] = { 400, "invalid_password",
	    "The field '%s' must be 8 to 1024 bytes long.", ARG_WHAT, 0 },
	[FS_USERNAME_TAKEN] = { 409, "username_taken",
	    "That username is taken.", ARG_NONE, 0 },
	[FS_EMAIL_TAKEN] = { 409, "email_taken",
	    "That email address is already registered.", ARG_NONE, 0 },
	[FS_ACCOUNT_TAKEN] = { 409, "username_taken",
	    "That username or email address is taken.", ARG_NONE, 0 },
	/* The routes say how long to wait (and set Retry-After). */
	[FS_THROTTLED] = { 429, "rate_limited",
	    "Too many failed attempts. Try again later.", ARG_NONE, 0 },
	[FS_BAD_CREDENTIALS] = { 401, "invalid_credentials",
	    "Wrong username or password.", ARG_NONE, 0 },
	[FS_PENDING] = { 403, "account_pending", "This account is awaiting "
	    "approval by an administrator.", ARG_NONE, 0 },
	[FS_SUSPENDED] = { 403, "account_suspended",
	    "This account is suspended.", ARG_NONE, 0 },
	[FS_WRONG_PASSWORD] = { 403, "wrong_password",
	    "The current password is wrong.", ARG_NONE, 0 },
	[FS_BAD_KEY_NAME] = { 400, "invalid_name", "A key name is 1 to 255 "
	    "bytes of UTF-8 without '/', '\\' or control characters.",
	    ARG_NONE, 0 },
	[FS_BAD_EXPIRY] = { 400, "invalid_field", "'expires_at' must be a "
	    "future UTC time, \"YYYY-MM-DD HH:MM:SS\".", ARG_NONE, 0 },
	[FS_KEY_EXISTS] = { 409, "name_exists",
	    "You already have a key with that name.", ARG_NONE, 0 },
	[FS_LAST_ADMIN] = { 409, "last_admin",
	    "This is the last active administrator.", ARG_NONE, 0 },
};

int
reply_fs_status(enum fs_err e)
{
	return (unsigned)e < FS__MAX ? table[e].status : 500;
}

int
reply_fs(struct req *r, enum fs_err e, const char *what)
{
	long long n;

	if ((unsigned)e >= FS__MAX || e == FS_OK || e == FS_INTERNAL)
		return reply_internal(r);
	if (e == FS_RETRY || e == FS_UNAVAILABLE)
		/* Busy (deadlocks outlasted the retries) or the database is
		 * down: either way the client should come back shortly. */
		return reply_unavailable(r);
	switch (table[e].arg) {
	case ARG_WHAT:
		return reply_error(r, table[e].status, table[e].code,
		    table[e].msg, what ? what : "object");
	case ARG_CONF:
		n = *(const long long *)((const char *)&r->app->conf +
		    table[e].conf);
		return reply_error(r, table[e].status, table[e].code,
		    table[e].msg, n);
	default:
		return reply_error(r, table[e].status, table[e].code, "%s",
		    table[e].msg);
	}
}

json_object *
fs_file_json(const struct fs_file *f)
{
	json_object *o = json_object_new_object();

	json_add_int(o, "id", f->id);
	json_add_str(o, "name", f->name);
	json_add_int(o, "size", f->size);
	json_add_str(o, "mime_type", f->mime);
	json_object_object_add(o, "folder_id",
	    f->folder ? json_object_new_int64(f->folder) : NULL);
	json_add_opt(o, "created_at", f->created);
	json_add_opt(o, "updated_at", f->updated);
	return o;
}

json_object *
fs_folder_json(const struct fs_folder *f)
{
	json_object *o = json_object_new_object();

	json_add_int(o, "id", f->id);
	json_add_str(o, "name", f->name);
	json_object_object_add(o, "parent_id",
	    f->parent ? json_object_new_int64(f->parent) : NULL);
	json_add_opt(o, "created_at", f->created);
	return o;
}

json_object *
fs_rows_json(struct db_res *rows,
    json_object *(*row)(const struct db_res *, size_t))
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < db_rows(rows); i++)
		json_object_array_add(a, row(rows, i));
	db_res_free(rows);
	return a;
}
