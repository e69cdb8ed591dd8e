/* All SQL of the worker, indexed by enum stmt (sql.h).  Parameters are
 * always '?': nothing from a request is ever spliced into a statement. */
#include "sql.h"

#define FILE_COLS "f.id, f.name, f.size, f.mime_type, f.folder_id, " \
	"f.created_at, f.updated_at, f.blob_id, f.kek_id, f.user_id"
/* Every recursive walk stops at this depth and reports that it did, so
 * a cut walk fails closed.  The session raises MariaDB's own silent cap
 * (max_recursive_iterations, 1000 by default) above it: see db.c. */
#define WALK_MAX "1000"
#define FOLDER_COLS "id, name, parent_id, created_at"
#define USER_COLS "id, username, email, role, status, quota_bytes, " \
	"used_bytes, created_at, last_login_at, tokens_valid_after, password_hash"

const char *const sql[SQL__MAX] = {
[SQL_USER_BY_ID] =
	"SELECT " USER_COLS " FROM users WHERE id = ?",
[SQL_USER_LOGIN] =
	"SELECT " USER_COLS " FROM users WHERE username = ?",
[SQL_USER_EXISTS_NAME] =
	"SELECT 1 FROM users WHERE username = ?",
[SQL_USER_EXISTS_EMAIL] =
	"SELECT 1 FROM users WHERE email = ?",
[SQL_USER_INSERT] =
	"INSERT INTO users (username, email, password_hash, role, status, "
	"quota_bytes) VALUES (?, ?, ?, ?, ?, ?)",
[SQL_USER_SET_LOGIN] =
	"UPDATE users SET last_login_at = UTC_TIMESTAMP() WHERE id = ?",
/* Tokens issued before now + 1 s stop working (iat has 1 s resolution). */
[SQL_USER_SET_PASSWORD] =
	"UPDATE users SET password_hash = ?, "
	"tokens_valid_after = UNIX_TIMESTAMP() + 1 WHERE id = ?",
[SQL_USER_SET_HASH] =
	"UPDATE users SET password_hash = ? WHERE id = ?",

/* Authentication is one round trip: the credential joined with its user
 * (the columns of USER_COLS before password_hash). */
#define AUTH_USER_COLS "u.id, u.username, u.email, u.role, u.status, " \
	"u.quota_bytes, u.used_bytes, u.created_at, u.last_login_at, " \
	"u.tokens_valid_after"
[SQL_AUTH_TOKEN] =
	"SELECT " AUTH_USER_COLS ", "
	"EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ?) "
	"FROM users u WHERE u.id = ?",
[SQL_TOKEN_REVOKE] =
	"INSERT IGNORE INTO revoked_tokens (jti, expires_at) VALUES (?, ?)",
[SQL_TOKEN_PURGE] =
	"DELETE FROM revoked_tokens WHERE expires_at < UTC_TIMESTAMP() LIMIT 1000",
/* The last column says whether last_used_at is a minute old: only then
 * is SQL_KEY_TOUCH run. */
[SQL_AUTH_KEY] =
	"SELECT " AUTH_USER_COLS ", k.id, k.read_only, "
	"k.expires_at IS NOT NULL AND k.expires_at <= UTC_TIMESTAMP(), "
	"k.last_used_at IS NULL OR "
	"k.last_used_at < UTC_TIMESTAMP() - INTERVAL 60 SECOND "
	"FROM api_keys k JOIN users u ON u.id = k.user_id "
	"WHERE k.key_hash = ?",
/* last_used_at: at most one write a minute per key (SPEC §3); the WHERE
 * keeps it so when several workers see the same stale key. */
[SQL_KEY_TOUCH] =
	"UPDATE api_keys SET last_used_at = UTC_TIMESTAMP() WHERE id = ? AND "
	"(last_used_at IS NULL OR "
	"last_used_at < UTC_TIMESTAMP() - INTERVAL 60 SECOND)",
[SQL_KEY_INSERT] =
	"INSERT INTO api_keys (user_id, name, key_hash, read_only, expires_at) "
	"VALUES (?, ?, ?, ?, ?)",
[SQL_KEY_LIST] =
	"SELECT id, name, created_at, last_used_at, expires_at, read_only "
	"FROM api_keys WHERE user_id = ? ORDER BY id LIMIT ? OFFSET ?",
[SQL_KEY_GET] =
	"SELECT id, name, created_at, last_used_at, expires_at, read_only "
	"FROM api_keys WHERE id = ? AND user_id = ?",
[SQL_KEY_DELETE] =
	"DELETE FROM api_keys WHERE id = ? AND user_id = ?",

[SQL_FAIL_COUNT] =
	"SELECT COUNT(*), "
	"COALESCE(TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), "
	"MIN(created_at) + INTERVAL ? SECOND), 0) "
	"FROM auth_failures WHERE kind = ? AND subject = ? "
	"AND created_at > UTC_TIMESTAMP() - INTERVAL ? SECOND",
[SQL_FAIL_INSERT] =
	"INSERT INTO auth_failures (kind, subject) VALUES (?, ?)",
[SQL_FAIL_CLEAR] =
	"DELETE FROM auth_failures WHERE kind = ? AND subject = ?",
[SQL_FAIL_PURGE] =
	"DELETE FROM auth_failures WHERE created_at < "
	"UTC_TIMESTAMP() - INTERVAL ? SECOND LIMIT 1000",

[SQL_AUDIT_INSERT] =
	"INSERT INTO audit_log (actor_id, actor, action, target_type, "
	"target_id, ip, details) VALUES (?, ?, ?, ?, ?, ?, ?)",

[SQL_ADMIN_USERS] =
	"SELECT " USER_COLS " FROM users ORDER BY id LIMIT ? OFFSET ?",
[SQL_ADMIN_USERS_BY_STATUS] =
	"SELECT " USER_COLS " FROM users WHERE status = ? "
	"ORDER BY id LIMIT ? OFFSET ?",
[SQL_ADMIN_USER_LOCK] =
	"SELECT " USER_COLS " FROM users WHERE id = ? FOR UPDATE",
/* Locks every active admin row so two admins cannot demote each other
 * at once and leave none (SPEC §4 last_admin). */
[SQL_ADMIN_ACTIVE_ADMINS] =
	"SELECT id FROM users WHERE role = 'admin' AND status = 'active' "
	"FOR UPDATE",
[SQL_ADMIN_USER_UPDATE] =
	"UPDATE users SET role = ?, status = ?, quota_bytes = ? WHERE id = ?",
/* Optional filters bind NULL (or 0 for before_id) to switch off.  The
 * action filter is converted to the column's ascii: a non-ASCII one then
 * matches nothing instead of failing on the mix of collations. */
[SQL_ADMIN_AUDIT] =
	"SELECT id, created_at, actor_id, actor, action, target_type, "
	"target_id, ip, details FROM audit_log "
	"WHERE (? = 0 OR id < ?) AND (? IS NULL OR actor = ?) "
	"AND (? IS NULL OR action = CONVERT(? USING ascii)) "
	"AND (? IS NULL OR created_at >= ?) "
	"ORDER BY id DESC LIMIT ?",
[SQL_HEALTH] =
	"SELECT 1",

[SQL_FOLDER_GET] =
	"SELECT " FOLDER_COLS " FROM folders WHERE id = ? AND user_id = ?",
/* Serialises one user's folder moves: two crossing moves checked on
 * their own snapshots could otherwise make a loop. */
[SQL_USER_LOCK] =
	"SELECT id FROM users WHERE id = ? FOR UPDATE",
[SQL_FOLDER_LIST] =
	"SELECT " FOLDER_COLS " FROM folders WHERE user_id = ? AND parent_key = ? "
	"ORDER BY name LIMIT ? OFFSET ?",
[SQL_FOLDER_INSERT] =
	"INSERT INTO folders (user_id, parent_id, name) VALUES (?, ?, ?)",
[SQL_FOLDER_COUNT] =
	"SELECT COUNT(*) FROM folders WHERE user_id = ?",
/* From the folder up to its top-level ancestor; depth orders it.  The
 * walk is complete only when its last row (the top) has no parent: a walk
 * cut at WALK_MAX (legacy trees, loops) must not pass for a whole one. */
[SQL_FOLDER_PATH] =
	"WITH RECURSIVE up (id, name, parent_id, depth) AS ("
	" SELECT id, name, parent_id, 0 FROM folders WHERE id = ? AND user_id = ?"
	" UNION ALL SELECT f.id, f.name, f.parent_id, up.depth + 1 FROM folders f"
	" JOIN up ON f.id = up.parent_id WHERE up.depth < " WALK_MAX ")"
	" SELECT id, name, parent_id IS NULL FROM up ORDER BY depth DESC",
/* One row: is folder ? (arg 1) the folder ? (arg 2) or below it; did the
 * walk reach the top (0: cut short, the answer is unknown). */
[SQL_FOLDER_IS_BELOW] =
	"WITH RECURSIVE up (id, parent_id, depth) AS ("
	" SELECT id, parent_id, 0 FROM folders WHERE id = ?"
	" UNION ALL SELECT f.id, f.parent_id, up.depth + 1 FROM folders f"
	" JOIN up ON f.id = up.parent_id WHERE up.depth < " WALK_MAX ")"
	" SELECT COALESCE(MAX(id = ?), 0), COALESCE(MAX(parent_id IS NULL), 0)"
	" FROM up",
[SQL_FOLDER_UPDATE] =
	"UPDATE folders SET name = ?, parent_id = ?, updated_at = UTC_TIMESTAMP() "
	"WHERE id = ? AND user_id = ?",
/* The folder and every folder below it, deepest first, with the depth
 * below the folder: WALK_MAX in row 0 means the walk was cut. */
[SQL_FOLDER_SUBTREE] =
	"WITH RECURSIVE down (id, depth) AS ("
	" SELECT id, 0 FROM folders WHERE id = ? AND user_id = ?"
	" UNION ALL SELECT f.id, down.depth + 1 FROM folders f"
	" JOIN down ON f.parent_id = down.id WHERE down.depth < " WALK_MAX ")"
	" SELECT id, MAX(depth) FROM down GROUP BY id ORDER BY MAX(depth) DESC",
[SQL_FOLDER_SUBTREE_FILES] =
	"WITH RECURSIVE down (id, depth) AS ("
	" SELECT id, 0 FROM folders WHERE id = ? AND user_id = ?"
	" UNION ALL SELECT f.id, down.depth + 1 FROM folders f"
	" JOIN down ON f.parent_id = down.id WHERE down.depth < " WALK_MAX ")"
	" SELECT f.id, f.size, f.blob_id FROM files f"
	" WHERE f.folder_id IN (SELECT id FROM down) FOR UPDATE",
[SQL_FOLDER_DELETE_ONE] =
	"DELETE FROM folders WHERE id = ? AND user_id = ?",
/* One step of a path walk (fs_resolve_path): a name in a folder. */
[SQL_FOLDER_BY_NAME] =
	"SELECT " FOLDER_COLS " FROM folders WHERE user_id = ? AND parent_key = ? "
	"AND name = ?",
[SQL_FILE_BY_NAME] =
	"SELECT " FILE_COLS " FROM files f WHERE f.user_id = ? AND "
	"f.folder_key = ? AND f.name = ?",

[SQL_FILE_GET] =
	"SELECT " FILE_COLS " FROM files f WHERE f.id = ? AND f.user_id = ?",
[SQL_FILE_GET_LOCK] =
	"SELECT " FILE_COLS " FROM files f WHERE f.id = ? AND f.user_id = ? "
	"FOR UPDATE",
/* The owner, or a user it is shared with, may read a file. */
[SQL_FILE_READABLE] =
	"SELECT " FILE_COLS " FROM files f WHERE f.id = ? AND (f.user_id = ? OR "
	"EXISTS (SELECT 1 FROM shares s JOIN users o ON o.id = s.owner_id "
	"WHERE s.file_id = f.id AND s.recipient_id = ? AND o.status = 'active'))",
[SQL_FILE_LIST] =
	"SELECT " FILE_COLS " FROM files f WHERE f.user_id = ? AND f.folder_key = ? "
	"ORDER BY f.name LIMIT ? OFFSET ?",
[SQL_FILE_BY_NAME_LOCK] =
	"SELECT " FILE_COLS " FROM files f WHERE f.user_id = ? AND "
	"f.folder_key = ? AND f.name = ? FOR UPDATE",
[SQL_FILE_INSERT] =
	"INSERT INTO files (user_id, folder_id, name, size, mime_type, blob_id, "
	"kek_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
[SQL_FILE_REPLACE] =
	"UPDATE files SET size = ?, mime_type = ?, blob_id = ?, kek_id = ?, "
	"updated_at = UTC_TIMESTAMP() WHERE id = ?",
[SQL_FILE_UPDATE] =
	"UPDATE files SET name = ?, folder_id = ?, updated_at = UTC_TIMESTAMP() "
	"WHERE id = ? AND user_id = ?",
[SQL_FILE_DELETE] =
	"DELETE FROM files WHERE id = ? AND user_id = ?",
[SQL_FILE_NAME_TAKEN] =
	"SELECT 1 FROM files WHERE user_id = ? AND folder_key = ? AND name = ?",
/* Size of the file a replace would overwrite (none: no row). */
[SQL_FILE_SIZE_BY_NAME] =
	"SELECT size FROM files WHERE user_id = ? AND folder_key = ? AND name = ?",
[SQL_FILE_COUNT] =
	"SELECT COUNT(*) FROM files WHERE user_id = ?",

/* Quota is checked and charged in this one statement (SPEC §5): zero
 * rows changed means it would not fit. */
[SQL_QUOTA_CHARGE] =
	"UPDATE users SET used_bytes = used_bytes + ? WHERE id = ? AND "
	"used_bytes + ? <= quota_bytes",
[SQL_QUOTA_REFUND] =
	"UPDATE users SET used_bytes = GREATEST(used_bytes - ?, 0) WHERE id = ?",
[SQL_QUOTA_LEFT] =
	"SELECT quota_bytes - used_bytes FROM users WHERE id = ?",

[SQL_SHARE_INSERT] =
	"INSERT INTO shares (file_id, owner_id, recipient_id) VALUES (?, ?, ?)",
[SQL_SHARE_WITH_ME] =
	"SELECT s.id, f.id, f.name, f.size, f.mime_type, u.username, s.created_at "
	"FROM shares s JOIN files f ON f.id = s.file_id "
	"JOIN users u ON u.id = s.owner_id WHERE s.recipient_id = ? "
	"AND u.status = 'active' ORDER BY f.name, s.id LIMIT ? OFFSET ?",
[SQL_SHARE_BY_ME] =
	"SELECT s.id, f.id, f.name, u.username, s.created_at "
	"FROM shares s JOIN files f ON f.id = s.file_id "
	"JOIN users u ON u.id = s.recipient_id WHERE s.owner_id = ? "
	"ORDER BY f.name, u.username LIMIT ? OFFSET ?",
[SQL_SHARE_GET] =
	"SELECT s.id, s.file_id, u.username, s.created_at FROM shares s "
	"JOIN users u ON u.id = s.recipient_id WHERE s.id = ?",
/* The owner or the recipient may revoke. */
[SQL_SHARE_DELETE] =
	"DELETE FROM shares WHERE id = ? AND (owner_id = ? OR recipient_id = ?)",
[SQL_USER_ID_BY_NAME] =
	"SELECT id FROM users WHERE username = ?",

#define LINK_COLS "id, owner_id, file_id, folder_id, token_enc, allow_download, " \
	"expires_at, password_hash, max_downloads, downloads, " \
	"(expires_at IS NULL OR expires_at > UTC_TIMESTAMP()) AND " \
	"(max_downloads IS NULL OR download_units < max_downloads * 1000000)"
[SQL_LINK_BY_OBJECT] =
	"SELECT " LINK_COLS " FROM share_links WHERE owner_id = ? AND "
	"(file_id = ? OR folder_id = ?) FOR UPDATE",
[SQL_LINK_OF_OBJECT] =
	"SELECT " LINK_COLS " FROM share_links WHERE owner_id = ? AND "
	"(file_id = ? OR folder_id = ?)",
[SQL_LINK_INSERT] =
	"INSERT INTO share_links (owner_id, file_id, folder_id, token_hash, "
	"token_enc, allow_download, expires_at, password_hash, max_downloads) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
/* A new max_downloads (the flag passed twice) restarts the count. */
[SQL_LINK_UPDATE] =
	"UPDATE share_links SET allow_download = ?, expires_at = ?, "
	"password_hash = ?, max_downloads = ?, updated_at = UTC_TIMESTAMP(), "
	"downloads = IF(?, 0, downloads), "
	"download_units = IF(?, 0, download_units) WHERE id = ?",
[SQL_LINK_DELETE_OBJECT] =
	"DELETE FROM share_links WHERE owner_id = ? AND (file_id = ? OR folder_id = ?)",
/* The owner must still be active for a link to work. */
[SQL_LINK_BY_TOKEN] =
	"SELECT " LINK_COLS " FROM share_links WHERE token_hash = ? AND "
	"owner_id IN (SELECT id FROM users WHERE status = 'active')",
/* A GET of the body takes its cost (units: 1000000 = one whole copy)
 * before sending, atomically; downloads = whole copies begun, rounded up.
 * MariaDB assigns left to right, so downloads sees the new units. */
[SQL_LINK_TAKE_DOWNLOAD] =
	"UPDATE share_links SET download_units = download_units + ?, "
	"downloads = CEILING(download_units / 1000000) WHERE id = ? AND "
	"(max_downloads IS NULL OR "
	"download_units + ? <= max_downloads * 1000000) AND "
	"(expires_at IS NULL OR expires_at > UTC_TIMESTAMP())",
[SQL_LINK_GIVE_BACK] =
	"UPDATE share_links SET download_units = GREATEST(download_units - ?, 0), "
	"downloads = CEILING(download_units / 1000000) WHERE id = ?",
[SQL_LINK_ALL] =
	"SELECT id, token_enc FROM share_links",
[SQL_LINK_SET_ENC] =
	"UPDATE share_links SET token_enc = ? WHERE id = ?",
[SQL_FOLDER_LIST_ALL] =
	"SELECT " FOLDER_COLS " FROM folders WHERE user_id = ? AND parent_key = ? "
	"ORDER BY name LIMIT 1000",
[SQL_FILE_IN_FOLDER] =
	"SELECT " FILE_COLS " FROM files f WHERE f.id = ? AND f.user_id = ? AND "
	"f.folder_id IS NOT NULL",
/* Every folder below (and with) a folder, parents before children: id,
 * parent, name, depth, and of its files the count, the sum and the
 * maximum of their name lengths (to bound a ZIP before sending it).
 * LIMIT ?: one more row than the caller accepts. */
[SQL_FOLDER_SUBTREE_TREE] =
	"WITH RECURSIVE down (id, parent_id, name, depth) AS ("
	" SELECT id, parent_id, name, 0 FROM folders WHERE id = ? AND user_id = ?"
	" UNION ALL SELECT f.id, f.parent_id, f.name, down.depth + 1 FROM folders f"
	" JOIN down ON f.parent_id = down.id WHERE down.depth < " WALK_MAX ")"
	" SELECT d.id, d.parent_id, d.name, d.depth, COUNT(f.id),"
	" COALESCE(SUM(LENGTH(f.name)), 0), COALESCE(MAX(LENGTH(f.name)), 0)"
	" FROM down d LEFT JOIN files f ON f.folder_id = d.id"
	" GROUP BY d.id, d.parent_id, d.name, d.depth"
	" ORDER BY d.depth, d.name LIMIT ?",
[SQL_FILES_OF_FOLDER_PAGE] =
	"SELECT " FILE_COLS " FROM files f WHERE f.folder_id = ? AND f.id > ? "
	"ORDER BY f.id LIMIT 500",

[SQL_ADMIN_USER_FILES] =
	"SELECT blob_id FROM files WHERE user_id = ? FOR UPDATE",
/* Pending accounts never logged in; the file check is belt and braces. */
[SQL_ADMIN_PURGE_PENDING] =
	"DELETE FROM users WHERE status = 'pending' AND "
	"created_at < UTC_TIMESTAMP() - INTERVAL ? DAY AND "
	"NOT EXISTS (SELECT 1 FROM files f WHERE f.user_id = users.id)",
[SQL_ADMIN_USER_DELETE] =
	"DELETE FROM users WHERE id = ?",
[SQL_ADMIN_STATS] =
	"SELECT (SELECT COUNT(*) FROM users), "
	"(SELECT COUNT(*) FROM users WHERE status = 'pending'), "
	"(SELECT COUNT(*) FROM users WHERE status = 'active'), "
	"(SELECT COUNT(*) FROM users WHERE status = 'suspended'), "
	"(SELECT COUNT(*) FROM files), (SELECT COUNT(*) FROM folders), "
	"(SELECT COALESCE(SUM(size), 0) FROM files), "
	"(SELECT COUNT(*) FROM share_links)",

/* tcloudctl: keyset paging over every file. */
[SQL_CTL_FILES_PAGE] =
	"SELECT " FILE_COLS " FROM files f WHERE f.id > ? ORDER BY f.id LIMIT 500",
[SQL_CTL_BLOB_EXISTS] =
	"SELECT 1 FROM files WHERE blob_id = ?",
[SQL_CTL_SET_KEK] =
	"UPDATE files SET kek_id = ? WHERE id = ?",
[SQL_CTL_QUOTA_DRIFT] =
	"SELECT u.id, u.username, u.used_bytes, "
	"(SELECT COALESCE(SUM(size), 0) FROM files WHERE user_id = u.id) "
	"FROM users u",
[SQL_CTL_QUOTA_RECALC] =
	"UPDATE users u SET used_bytes = "
	"(SELECT COALESCE(SUM(size), 0) FROM files WHERE user_id = u.id)",
[SQL_CTL_PURGE_TOKENS] =
	"DELETE FROM revoked_tokens WHERE expires_at < UTC_TIMESTAMP()",
[SQL_CTL_PURGE_FAILURES] =
	"DELETE FROM auth_failures WHERE created_at < "
	"UTC_TIMESTAMP() - INTERVAL 2 DAY",
};
