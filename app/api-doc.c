/* The API's prose, by route (contract in api-doc.h).  A new route needs
 * an entry here, or GET /api/openapi.json marks it undocumented and the
 * tests fail.  Examples are JSON: the schemas are read off them. */
#include <stddef.h>

#include "api-doc.h"

const struct api_tag api_tags[] = {
	{ "auth", "Auth", NULL },
	{ "apikeys", "API Keys", NULL },
	{ "files", "Files", NULL },
	{ "folders", "Folders", NULL },
	{ "shares", "Shares", "User to user; read-only for the recipient." },
	{ "links", "Public Links", "One link per file or folder; posting again updates its "
	    "settings and returns the same token." },
	{ "admin", "Admin", "Requires role: admin token or API key." },
	{ "health", "Health", NULL },
	{ "meta", "API description", NULL },
	{ NULL, NULL, NULL }
};

const struct api_doc api_docs[] = {
	{ "POST", "/api/auth/register", "auth", "Register a new account",
	    "none", DOC_JSON,
	    "New accounts are pending until an admin approves them "
	    "(login answers 403 account_pending until then). username: "
	    "3–32 of [A-Za-z0-9_.-]; password: 8–1024 bytes.",
	    "{ \"username\": \"alice\", \"email\": "
	    "\"alice@example.com\", \"password\": \"secret123\" }", NULL,
	    "{ \"message\": \"Registered. Awaiting admin approval.\" }",
	    "201 400 409", NULL },
	{ "POST", "/api/auth/login", "auth", "Log in and get a JWT token",
	    "none", DOC_JSON,
	    "Failed logins are limited per username and per client "
	    "address (429 with Retry-After).",
	    "{ \"username\": \"alice\", \"password\": \"secret123\" }", NULL,
	    "{ \"token\": \"eyJ...\", \"user\": { \"id\": 1, "
	    "\"username\": \"alice\", \"role\": \"user\", "
	    "\"quota_bytes\": 5368709120 } }",
	    "200 400 401 403 429", NULL },
	{ "GET", "/api/auth/me", "auth", "Current user",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "{ \"id\": 1, \"username\": \"alice\", \"email\": "
	    "\"alice@example.com\", \"role\": \"user\", \"quota_bytes\": "
	    "5368709120, \"used_bytes\": 204800 }",
	    "200", NULL },
	{ "POST", "/api/auth/logout", "auth", "Revoke the presented token",
	    "Bearer token", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "{ \"ok\": true }",
	    "200", NULL },
	{ "POST", "/api/auth/password", "auth", "Change password",
	    "Bearer token", DOC_JSON,
	    "Every token issued before the change stops working; API "
	    "keys stay valid. An API key gets 403 session_required. "
	    "Wrong current passwords are limited like logins (429).",
	    "{ \"current_password\": \"secret123\", \"new_password\": "
	    "\"longer-secret-456\" }", NULL,
	    "{ \"ok\": true }",
	    "200 400 403", NULL },
	{ "POST", "/api/apikeys", "apikeys", "Create an API key",
	    "Bearer token", DOC_JSON,
	    "Needs a signed-in session: an API key gets 403 "
	    "session_required. The raw key is returned only once — store it immediately. A "
	    "read_only key may call GET routes only; an expired key is "
	    "401.",
	    "{ \"name\": \"my-backup-script\", \"expires_at\": "
	    "\"2027-01-01 00:00:00\", \"read_only\": false }", NULL,
	    "{ \"id\": 1, \"name\": \"my-backup-script\", \"key\": "
	    "\"tck_…\", \"expires_at\": \"2027-01-01 00:00:00\", "
	    "\"read_only\": false }",
	    "201 400 409", NULL },
	{ "GET", "/api/apikeys", "apikeys", "List your API keys — metadata only",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "[ { \"id\": 1, \"name\": \"my-script\", \"created_at\": "
	    "\"2026-06-07 10:00:00\", \"last_used_at\": null, "
	    "\"expires_at\": null, \"read_only\": false } ]",
	    "200", NULL },
	{ "DELETE", "/api/apikeys/{id}", "apikeys", "Revoke a key",
	    "Bearer token", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "{ \"ok\": true }",
	    "200 404", NULL },
	{ "GET", "/api/files", "files", "List files",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "[ { \"id\": 1, \"name\": \"report.pdf\", \"size\": 204800, "
	    "\"mime_type\": \"application/pdf\", \"folder_id\": null, "
	    "\"created_at\": \"…\", \"updated_at\": \"…\" } ]",
	    "200 404", (const struct api_param[]){
	    { "folder_id", "query", "integer", "folder id; omit for the root" },
	    { "limit", "query", "integer", "paging (default 1000, max 1000)" },
	    { "offset", "query", "integer", "paging (default 1000, max 1000)" },
	    { NULL, NULL, NULL, NULL } } },
	{ "POST", "/api/files/upload", "files", "Upload & encrypt a file — multipart/form-data, max 2 GB",
	    "Bearer token or API key", DOC_MULTIPART,
	    "Too large: 413 too_large. Over quota: 507 quota_exceeded "
	    "(nothing is stored).",
	    NULL, "# multipart/form-data\nfile: <binary>\nfolder_id: 5   # "
	    "optional",
	    "{ \"id\": 42, \"name\": \"photo.jpg\", \"size\": 1024000, "
	    "\"mime_type\": \"image/jpeg\", \"folder_id\": 5 }",
	    "201 400 404 409 411 413 415 507", (const struct api_param[]){
	    { "folder_id", "query", "integer", "target folder (optional; also accepted as a form part)" },
	    { "on_conflict", "query", "string", "rename (default: a.txt → a (1).txt) · replace · fail (409)" },
	    { NULL, NULL, NULL, NULL } } },
	{ "GET", "/api/files/{id}/download", "files", "Download & decrypt — returns binary",
	    "Bearer token or API key", DOC_BYTES,
	    "Owner and users it is shared with. Supports a single Range "
	    "(206), If-None-Match (304).",
	    NULL, NULL,
	    NULL,
	    "200 206 304 404 416", NULL },
	{ "PATCH", "/api/files/{id}", "files", "Rename or move",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    "{ \"name\": \"new.pdf\", \"folder_id\": 3 }", "folder_id -1 (or null) moves the file to the root.",
	    "{ \"id\": 1, \"name\": \"new.pdf\", \"size\": 204800, "
	    "\"mime_type\": \"application/pdf\", \"folder_id\": 3, "
	    "\"created_at\": \"2026-06-07 10:00:00\", \"updated_at\": "
	    "\"2026-06-07 10:00:00\" }",
	    "200 400 404 409", NULL },
	{ "POST", "/api/files/{id}/copy", "files", "Copy a file",
	    "Bearer token or API key", DOC_JSON,
	    "The copy is re-encrypted under its own data key. It is charged "
	    "like an upload: over quota or over the file count, 507 "
	    "quota_exceeded.",
	    "{ \"folder_id\": 3, \"name\": \"copy.pdf\", \"on_conflict\": "
	    "\"rename\" }", "All optional: by default beside the original, "
	    "under its name, renamed \" (1)\" when taken; folder_id -1 (or "
	    "null) is the root; on_conflict rename · replace · fail (409).",
	    "{ \"id\": 2, \"name\": \"copy.pdf\", \"size\": 204800, "
	    "\"mime_type\": \"application/pdf\", \"folder_id\": 3, "
	    "\"created_at\": \"2026-06-07 10:00:00\", \"updated_at\": "
	    "\"2026-06-07 10:00:00\" }",
	    "201 400 404 409 503 507", NULL },
	{ "DELETE", "/api/files/{id}", "files", "Delete a file",
	    "Bearer token or API key", DOC_JSON,
	    "Its shares and public link go with it; its size leaves your "
	    "used quota.",
	    NULL, NULL,
	    "{ \"ok\": true }",
	    "200 404", NULL },
	{ "GET", "/api/folders", "folders", "List folders",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "[ { \"id\": 3, \"name\": \"Backups\", \"parent_id\": null, "
	    "\"created_at\": \"…\" } ]",
	    "200 404", (const struct api_param[]){
	    { "parent_id", "query", "integer", "parent id; omit for the root" },
	    { NULL, NULL, NULL, NULL } } },
	{ "POST", "/api/folders", "folders", "Create a folder",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    "{ \"name\": \"Backups\", \"parent_id\": null }", NULL,
	    "{ \"id\": 3, \"name\": \"Backups\", \"parent_id\": null, "
	    "\"created_at\": \"…\" }",
	    "201 400 404 409", NULL },
	{ "GET", "/api/folders/{id}/path", "folders", "Breadcrumb path to root",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "[ { \"id\": 3, \"name\": \"Backups\" }, { \"id\": 7, "
	    "\"name\": \"2026\" } ]",
	    "200 404", NULL },
	{ "PATCH", "/api/folders/{id}", "folders", "Rename or move a folder",
	    "Bearer token or API key", DOC_JSON,
	    "Moving a folder into itself or below it is 409.",
	    "{ \"name\": \"Archived\", \"parent_id\": 3 }", "parent_id null moves the folder to the root.",
	    NULL,
	    "200 400 404 409", NULL },
	{ "DELETE", "/api/folders/{id}", "folders", "Delete folder & all contents recursively",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "{ \"ok\": true, \"deleted_files\": 12, \"deleted_folders\": "
	    "3 }",
	    "200 404", NULL },
	{ "POST", "/api/shares", "shares", "Share a file with another user",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    "{ \"file_id\": 42, \"shared_with\": \"bob\" }", NULL,
	    "{ \"id\": 9, \"file_id\": 42, \"shared_with\": \"bob\", "
	    "\"created_at\": \"…\" }",
	    "201 400 404 409", NULL },
	{ "GET", "/api/shares/with-me", "shares", "Files shared with you",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "[ { \"id\": 9, \"file_id\": 42, \"name\": \"photo.jpg\", "
	    "\"size\": 1024000, \"mime_type\": \"image/jpeg\", "
	    "\"owner\": \"alice\", \"created_at\": \"…\" } ]",
	    "200", NULL },
	{ "GET", "/api/shares/by-me", "shares", "Files you have shared",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "[ { \"id\": 9, \"file_id\": 42, \"name\": \"photo.jpg\", "
	    "\"shared_with\": \"bob\", \"created_at\": \"…\" } ]",
	    "200", NULL },
	{ "DELETE", "/api/shares/{id}", "shares", "Revoke a share (owner or recipient)",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "{ \"ok\": true }",
	    "200 404", NULL },
	{ "POST", "/api/files/{id}/share-link", "links", "Create or update a public file link",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    "{ \"allow_download\": true, \"expires_at\": \"2026-12-31 "
	    "23:59:59\", \"password\": \"optional\", \"max_downloads\": "
	    "10 }", NULL,
	    "{ \"token\": \"abc123…\", \"url\": "
	    "\"<base>/api/share/abc123…\", \"allow_download\": true, "
	    "\"expires_at\": null, \"max_downloads\": null, "
	    "\"password_protected\": false, \"downloads\": 0 }",
	    "201 400 404", NULL },
	{ "GET", "/api/files/{id}/share-link", "links", "A file's public link, if it has one (404 otherwise)",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "{ \"token\": \"abc123…\", \"url\": "
	    "\"<base>/api/share/abc123…\", \"allow_download\": true, "
	    "\"expires_at\": null, \"max_downloads\": 10, "
	    "\"password_protected\": true, \"downloads\": 3 }",
	    "200 404", NULL },
	{ "DELETE", "/api/files/{id}/share-link", "links", "Revoke a public file link",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "{ \"ok\": true }",
	    "200 404", NULL },
	{ "POST", "/api/folders/{id}/share-link", "links", "Create or update a public folder link",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    "{ \"allow_download\": true }", NULL,
	    NULL,
	    "201 400 404", NULL },
	{ "GET", "/api/folders/{id}/share-link", "links", "A folder's public link, if it has one (404 otherwise)",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    NULL,
	    "200 404", NULL },
	{ "DELETE", "/api/folders/{id}/share-link", "links", "Revoke a public folder link",
	    "Bearer token or API key", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "{ \"ok\": true }",
	    "200 404", NULL },
	{ "GET", "/api/share/{token}", "links", "Link metadata — no auth required",
	    "none (link password if set)", DOC_JSON,
	    "A browser that prefers text/html is redirected to the link "
	    "page /s/{token}. Password links: X-Share-Password header "
	    "(401 password_required, 403 wrong_password); a correct one "
	    "returns X-Share-Session (and a cookie for the link) that "
	    "stands in for the password for a while. A shared "
	    "folder answers { \"type\": \"folder\", \"name\": "
	    "\"Photos\", \"allow_download\": true, \"folders\": [ … ], "
	    "\"files\": [ … ] }.",
	    NULL, NULL,
	    "{ \"type\": \"file\", \"name\": \"a.pdf\", \"size\": 1234, "
	    "\"mime_type\": \"application/pdf\", \"allow_download\": "
	    "true }",
	    "200 302 401 403 404", (const struct api_param[]){
	    { "folder_id", "query", "string", "browse below a shared folder" },
	    { "X-Share-Password", "header", "string", "the link password, when the link has one" },
	    { NULL, NULL, NULL, NULL } } },
	{ "GET", "/api/share/{token}/download", "links", "Download via public link — no auth required",
	    "none (link password if set)", DOC_BYTES,
	    "A file, or a shared folder as a streamed ZIP. 403 "
	    "download_disabled when downloads are off; 404 once expired "
	    "or used up.",
	    NULL, NULL,
	    NULL,
	    "200 206 401 403 404 416", (const struct api_param[]){
	    { "X-Share-Password", "header", "string", "the link password, when the link has one" },
	    { NULL, NULL, NULL, NULL } } },
	{ "GET", "/api/share/{token}/files/{id}/download", "links", "One file inside a shared folder",
	    "none (link password if set)", DOC_BYTES,
	    NULL,
	    NULL, NULL,
	    NULL,
	    "200 206 401 403 404 416", (const struct api_param[]){
	    { "X-Share-Password", "header", "string", "the link password, when the link has one" },
	    { NULL, NULL, NULL, NULL } } },
	{ "GET", "/api/admin/users", "admin", "List all users",
	    "admin", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "[ { \"id\": 2, \"username\": \"bob\", \"email\": \"…\", "
	    "\"role\": \"user\", \"status\": \"pending\", \"approved\": "
	    "false, \"quota_bytes\": 5368709120, \"used_bytes\": 0, "
	    "\"created_at\": \"…\", \"last_login_at\": null } ]",
	    "200 400", (const struct api_param[]){
	    { "status", "query", "string", "pending · active · suspended" },
	    { NULL, NULL, NULL, NULL } } },
	{ "PATCH", "/api/admin/users/{id}", "admin", "Approve / suspend / set role or quota",
	    "admin", DOC_JSON,
	    "The last active admin cannot be demoted, suspended or "
	    "deleted (409 last_admin).",
	    "{ \"approved\": true, \"suspended\": false, \"role\": "
	    "\"user\", \"quota_gb\": 10.0 }", "All fields are optional; quota_bytes may be given instead "
	    "of quota_gb.",
	    NULL,
	    "200 400 404 409", NULL },
	{ "DELETE", "/api/admin/users/{id}", "admin", "Delete user & all their files",
	    "admin", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "{ \"ok\": true }",
	    "200 404 409", NULL },
	{ "POST", "/api/admin/users/purge-pending", "admin",
	    "Delete accounts still pending after N days",
	    "admin", DOC_JSON,
	    "Accounts never approved and owning no files, registered more "
	    "than older_than_days days ago; audited.",
	    "{ \"older_than_days\": 30 }", NULL,
	    "{ \"ok\": true, \"purged\": 3 }",
	    "200 400", NULL },
	{ "GET", "/api/admin/stats", "admin", "System-wide stats",
	    "admin", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    "{ \"total_users\": 12, \"pending_users\": 2, "
	    "\"active_users\": 9, \"suspended_users\": 1, "
	    "\"total_files\": 340, \"total_folders\": 40, "
	    "\"total_bytes\": 1073741824, \"public_links\": 5 }",
	    "200", NULL },
	{ "GET", "/api/admin/audit", "admin", "Admin audit log, newest first",
	    "admin", DOC_JSON,
	    NULL,
	    NULL, NULL,
	    NULL,
	    "200 400", (const struct api_param[]){
	    { "limit", "query", "integer", "max events (default 200, max 1000)" },
	    { "before_id", "query", "integer", "the page below this id" },
	    { "actor", "query", "string", "username" },
	    { "action", "query", "string", "e.g. login_failed" },
	    { "since", "query", "string", "\"YYYY-MM-DD HH:MM:SS\" (UTC)" },
	    { NULL, NULL, NULL, NULL } } },
	{ "GET", "/api/health", "health", "Liveness and database check — no auth",
	    "none", DOC_JSON,
	    "503 when the database is unreachable.",
	    NULL, NULL,
	    "{ \"status\": \"ok\", \"version\": \"0.1.0\", \"db\": "
	    "\"ok\" }",
	    "200 503", NULL },
	{ "GET", "/api/openapi.json", "meta", "This API as an OpenAPI 3.1 document",
	    "none", DOC_JSON,
	    "Generated from the route tables: paths, methods, who may "
	    "call, request bodies and statuses. The /docs page is "
	    "rendered from it.",
	    NULL, NULL,
	    NULL,
	    "200", NULL },
	{ NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL }
};
