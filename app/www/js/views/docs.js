// The API reference (/docs): every route in app/route-*.c.  The browser
// tests compare this list with the route tables, so a new route that is
// not documented here fails them.
import { h, put, copyText } from '../dom.js';

const AUTH = 'Bearer token or API key';

// [group id, title, note, routes]; a route: [method, path, summary,
// auth, {params, body, response, notes}]
const GROUPS = [
	['auth', 'Auth', null, [
		['POST', '/api/auth/register', 'Register a new account', 'none', {
			notes: 'New accounts are pending until an admin approves them (login answers 403 account_pending until then). username: 3–32 of [A-Za-z0-9_.-]; password: 8–1024 bytes.',
			body: '{ "username": "alice", "email": "alice@example.com", "password": "secret123" }',
			response: '201 { "message": "Registered. Awaiting admin approval." }',
		}],
		['POST', '/api/auth/login', 'Log in and get a JWT token', 'none', {
			notes: 'Failed logins are limited per username and per client address (429 with Retry-After).',
			body: '{ "username": "alice", "password": "secret123" }',
			response: '{ "token": "eyJ...", "user": { "id": 1, "username": "alice", "role": "user", "quota_bytes": 5368709120 } }',
		}],
		['GET', '/api/auth/me', 'Current user', AUTH, {
			response: '{ "id": 1, "username": "alice", "email": "alice@example.com", "role": "user", "quota_bytes": 5368709120, "used_bytes": 204800 }',
		}],
		['POST', '/api/auth/logout', 'Revoke the presented token', 'Bearer token', {
			response: '{ "ok": true }',
		}],
		['POST', '/api/auth/password', 'Change password', 'Bearer token', {
			notes: 'Every token issued before the change stops working; API keys stay valid. An API key gets 403 session_required. Wrong current passwords are limited like logins (429).',
			body: '{ "current_password": "secret123", "new_password": "longer-secret-456" }',
			response: '{ "ok": true }',
		}],
	]],
	['apikeys', 'API Keys', null, [
		['POST', '/api/apikeys', 'Create an API key', 'Bearer token', {
			notes: 'Needs a signed-in session: an API key gets 403 session_required. The raw key is returned only once — store it immediately. A read_only key may call GET routes only; an expired key is 401.',
			body: '{ "name": "my-backup-script", "expires_at": "2027-01-01 00:00:00", "read_only": false }',
			response: '201 { "id": 1, "name": "my-backup-script", "key": "tck_…", "expires_at": "2027-01-01 00:00:00", "read_only": false }',
		}],
		['GET', '/api/apikeys', 'List your API keys — metadata only', AUTH, {
			response: '[ { "id": 1, "name": "my-script", "created_at": "2026-06-07 10:00:00", "last_used_at": null, "expires_at": null, "read_only": false } ]',
		}],
		['DELETE', '/api/apikeys/{id}', 'Revoke a key', 'Bearer token', { response: '{ "ok": true }' }],
	]],
	['files', 'Files', null, [
		['GET', '/api/files', 'List files', AUTH, {
			params: [['folder_id', 'integer — folder id; omit for the root'], ['limit, offset', 'paging (default 1000, max 1000)']],
			response: '[ { "id": 1, "name": "report.pdf", "size": 204800, "mime_type": "application/pdf", "folder_id": null, "created_at": "…", "updated_at": "…" } ]',
		}],
		['POST', '/api/files/upload', 'Upload & encrypt a file — multipart/form-data, max 2 GB', AUTH, {
			params: [['folder_id', 'integer — target folder (optional; also accepted as a form part)'],
				['on_conflict', 'rename (default: a.txt → a (1).txt) · replace · fail (409)']],
			body: '# multipart/form-data\nfile: <binary>\nfolder_id: 5   # optional',
			response: '201 { "id": 42, "name": "photo.jpg", "size": 1024000, "mime_type": "image/jpeg", "folder_id": 5 }',
			notes: 'Too large: 413 too_large. Over quota: 507 quota_exceeded (nothing is stored).',
		}],
		['GET', '/api/files/{id}/download', 'Download & decrypt — returns binary', AUTH, {
			notes: 'Owner and users it is shared with. Supports a single Range (206), If-None-Match (304).',
		}],
		['PATCH', '/api/files/{id}', 'Rename or move', AUTH, {
			body: '{ "name": "new.pdf", "folder_id": 3 }  // folder_id: -1 moves to root',
			response: 'the file object',
		}],
		['DELETE', '/api/files/{id}', 'Delete a file', AUTH, {
			notes: 'Its shares and public link go with it; its size leaves your used quota.',
			response: '{ "ok": true }',
		}],
	]],
	['folders', 'Folders', null, [
		['GET', '/api/folders', 'List folders', AUTH, {
			params: [['parent_id', 'integer — parent id; omit for the root']],
			response: '[ { "id": 3, "name": "Backups", "parent_id": null, "created_at": "…" } ]',
		}],
		['POST', '/api/folders', 'Create a folder', AUTH, {
			body: '{ "name": "Backups", "parent_id": null }',
			response: '201 { "id": 3, "name": "Backups", "parent_id": null, "created_at": "…" }',
		}],
		['GET', '/api/folders/{id}/path', 'Breadcrumb path to root', AUTH, {
			response: '[ { "id": 3, "name": "Backups" }, { "id": 7, "name": "2026" } ]',
		}],
		['PATCH', '/api/folders/{id}', 'Rename or move a folder', AUTH, {
			body: '{ "name": "Archived", "parent_id": 3 }  // parent_id: null moves to root',
			notes: 'Moving a folder into itself or below it is 409.',
		}],
		['DELETE', '/api/folders/{id}', 'Delete folder & all contents recursively', AUTH, {
			response: '{ "ok": true, "deleted_files": 12, "deleted_folders": 3 }',
		}],
	]],
	['shares', 'Shares', 'User to user; read-only for the recipient.', [
		['POST', '/api/shares', 'Share a file with another user', AUTH, {
			body: '{ "file_id": 42, "shared_with": "bob" }',
			response: '201 { "id": 9, "file_id": 42, "shared_with": "bob", "created_at": "…" }',
		}],
		['GET', '/api/shares/with-me', 'Files shared with you', AUTH, {
			response: '[ { "id": 9, "file_id": 42, "name": "photo.jpg", "size": 1024000, "mime_type": "image/jpeg", "owner": "alice", "created_at": "…" } ]',
		}],
		['GET', '/api/shares/by-me', 'Files you have shared', AUTH, {
			response: '[ { "id": 9, "file_id": 42, "name": "photo.jpg", "shared_with": "bob", "created_at": "…" } ]',
		}],
		['DELETE', '/api/shares/{id}', 'Revoke a share (owner or recipient)', AUTH, { response: '{ "ok": true }' }],
	]],
	['links', 'Public Links', 'One link per file or folder; posting again updates its settings and returns the same token.', [
		['POST', '/api/files/{id}/share-link', 'Create or update a public file link', AUTH, {
			body: '{ "allow_download": true, "expires_at": "2026-12-31 23:59:59", "password": "optional", "max_downloads": 10 }',
			response: '201 { "token": "abc123…", "url": "<base>/api/share/abc123…", "allow_download": true, "expires_at": null, "max_downloads": null, "password_protected": false, "downloads": 0 }',
		}],
		['GET', '/api/files/{id}/share-link', "A file's public link, if it has one (404 otherwise)", AUTH, {
			response: '{ "token": "abc123…", "url": "<base>/api/share/abc123…", "allow_download": true, "expires_at": null, "max_downloads": 10, "password_protected": true, "downloads": 3 }',
		}],
		['DELETE', '/api/files/{id}/share-link', 'Revoke a public file link', AUTH, { response: '{ "ok": true }' }],
		['POST', '/api/folders/{id}/share-link', 'Create or update a public folder link', AUTH, {
			body: '{ "allow_download": true }',
		}],
		['GET', '/api/folders/{id}/share-link', "A folder's public link, if it has one (404 otherwise)", AUTH, {}],
		['DELETE', '/api/folders/{id}/share-link', 'Revoke a public folder link', AUTH, { response: '{ "ok": true }' }],
		['GET', '/api/share/{token}', 'Link metadata — no auth required', 'none (link password if set)', {
			params: [['folder_id', 'browse below a shared folder']],
			notes: 'A browser that prefers text/html is redirected to the link page /s/{token}. Password links: X-Share-Password header (401 password_required, 403 wrong_password); a correct one returns X-Share-Session (and a cookie for the link) that stands in for the password for a while.',
			response: '{ "type": "file", "name": "a.pdf", "size": 1234, "mime_type": "application/pdf", "allow_download": true }\n{ "type": "folder", "name": "Photos", "allow_download": true, "folders": [ … ], "files": [ … ] }',
		}],
		['GET', '/api/share/{token}/download', 'Download via public link — no auth required', 'none (link password if set)', {
			notes: 'A file, or a shared folder as a streamed ZIP. 403 download_disabled when downloads are off; 404 once expired or used up.',
		}],
		['GET', '/api/share/{token}/files/{id}/download', 'One file inside a shared folder', 'none (link password if set)', {}],
	]],
	['admin', 'Admin', 'Requires role: admin token or API key.', [
		['GET', '/api/admin/users', 'List all users', 'admin', {
			params: [['status', 'pending · active · suspended']],
			response: '[ { "id": 2, "username": "bob", "email": "…", "role": "user", "status": "pending", "approved": false, "quota_bytes": 5368709120, "used_bytes": 0, "created_at": "…", "last_login_at": null } ]',
		}],
		['PATCH', '/api/admin/users/{id}', 'Approve / suspend / set role or quota', 'admin', {
			body: '{ "approved": true, "suspended": false, "role": "user", "quota_gb": 10.0 }  // all optional; or quota_bytes',
			notes: 'The last active admin cannot be demoted, suspended or deleted (409 last_admin).',
		}],
		['DELETE', '/api/admin/users/{id}', 'Delete user & all their files', 'admin', { response: '{ "ok": true }' }],
		['POST', '/api/admin/users/purge-pending', 'Delete accounts still pending after N days', 'admin', {
			body: '{ "older_than_days": 30 }',
			response: '{ "ok": true, "purged": 3 }',
		}],
		['GET', '/api/admin/stats', 'System-wide stats', 'admin', {
			response: '{ "total_users": 12, "pending_users": 2, "active_users": 9, "suspended_users": 1, "total_files": 340, "total_folders": 40, "total_bytes": 1073741824, "public_links": 5 }',
		}],
		['GET', '/api/admin/audit', 'Admin audit log, newest first', 'admin', {
			params: [['limit', 'integer — max events (default 200, max 1000)'], ['before_id', 'integer — the page below this id'],
				['actor', 'username'], ['action', 'e.g. login_failed'], ['since', '"YYYY-MM-DD HH:MM:SS" (UTC)']],
		}],
	]],
	['health', 'Health', null, [
		['GET', '/api/health', 'Liveness and database check — no auth', 'none', {
			response: '{ "status": "ok", "version": "0.1.0", "db": "ok" }   // 503 when the database is unreachable',
		}],
	]],
];

/** Every documented route as "METHOD /path" (the tests read this). */
export const DOCUMENTED = GROUPS.flatMap(([, , , routes]) => routes.map(([m, p]) => `${m} ${p}`));

function codeBlock(text, label) {
	const pre = h('pre', { class: 'code' }, h('code', null, text));
	if (!label) return pre;
	return h('div', { class: 'code-wrap' }, pre,
		h('button', { type: 'button', class: 'btn btn-small code-copy', 'aria-label': `Copy ${label}`, onclick: () => copyText(text) }, 'Copy'));
}

function route([method, path, summary, auth, d]) {
	return h('article', { class: 'route', id: `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-'), dataset: { route: `${method} ${path}` } },
		h('h4', null, h('span', { class: ['method', `method-${method.toLowerCase()}`] }, method), ' ',
			h('code', { class: 'path' }, path), ' ', h('span', { class: 'summary' }, summary)),
		h('p', { class: 'muted small' }, `Auth: ${auth}`),
		d.notes ? h('p', null, d.notes) : null,
		d.params ? [h('h5', null, 'Parameters'), h('dl', { class: 'params' }, d.params.map(([k, v]) => [h('dt', null, h('code', null, k)), h('dd', null, v)]))] : null,
		d.body ? [h('h5', null, 'Request Body'), codeBlock(d.body)] : null,
		d.response ? [h('h5', null, 'Response'), codeBlock(d.response)] : null);
}

export async function docsView({ el }) {
	document.title = 'API Reference · TCloud';
	const base = location.origin;
	const curl = `curl -X POST ${base}/api/files/upload \\\n  -H "X-API-Key: <key>" \\\n  -F "file=@backup.db"`;
	put(el, h('div', { class: 'docs' },
		h('p', null, h('a', { href: '/', 'data-nav': true, class: 'back' }, '← Back to App')),
		h('h1', null, 'TCloud API Reference'),
		h('p', { class: 'lead' }, 'Base URL: ', h('code', { 'data-testid': 'base-url' }, base), ' · All routes prefixed with ', h('code', null, '/api'),
			' · All responses are JSON, except downloads. Errors: ', h('code', null, '{"error": "<sentence>", "code": "<snake_case>"}'),
			'. Times are UTC "YYYY-MM-DD HH:MM:SS".'),
		h('nav', { class: 'docs-toc', 'aria-label': 'Sections' }, h('a', { href: '#authentication' }, 'Authentication'),
			GROUPS.map(([id, title]) => h('a', { href: `#${id}` }, title))),
		h('section', { id: 'authentication' },
			h('h2', null, 'Authentication'),
			h('h3', null, 'Bearer Token (JWT)'),
			h('p', null, 'Get a token from ', h('code', null, 'POST /api/auth/login'), '. Pass it on every protected request:'),
			codeBlock('Authorization: Bearer <token>'),
			h('h3', null, 'API Key'),
			h('p', null, 'Create a key from the ', h('a', { href: '/keys', 'data-nav': true }, 'API Keys page'), ' inside the dashboard. Use it instead of a Bearer token:'),
			codeBlock('X-API-Key: <your-api-key>'),
			h('p', null, 'Upload example with curl:'),
			codeBlock(curl, 'curl example')),
		GROUPS.map(([id, title, note, routes]) => h('section', { id },
			h('h2', null, `${title} Routes`),
			note ? h('p', null, note) : null,
			routes.map(route)))));
}
