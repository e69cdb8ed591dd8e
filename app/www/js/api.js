// The JSON API, and nothing else: fetch with the Bearer token, errors as
// ApiError carrying the API's {"error", "code"} sentence, uploads by
// XMLHttpRequest (for upload progress), downloads as Blobs.
import { saveBlob } from './dom.js';

const TOKEN_KEY = 'tcloud.token';

export const session = {
	get token() {
		try {
			return localStorage.getItem(TOKEN_KEY);
		} catch {
			return null;
		}
	},
	set(token) {
		localStorage.setItem(TOKEN_KEY, token);
	},
	clear() {
		try {
			localStorage.removeItem(TOKEN_KEY);
		} catch { /* storage disabled: nothing to clear */ }
	},
};

export class ApiError extends Error {
	constructor(status, code, message) {
		super(message);
		this.status = status;
		this.code = code;
	}
}

const FALLBACK = {
	0: 'The server could not be reached. Check the connection and try again.',
	400: 'The request was not accepted.',
	401: 'Please sign in.',
	403: 'You are not allowed to do that.',
	404: 'Not found.',
	409: 'That conflicts with something that already exists.',
	413: 'The file is larger than this server accepts.',
	429: 'Too many attempts. Wait a moment and try again.',
	500: 'The server had a problem. Try again later.',
	502: 'The server is not answering. Try again later.',
	503: 'The service is unavailable right now. Try again later.',
	507: 'Not enough storage space left in your quota.',
};

function fallback(status) {
	return FALLBACK[status] || `The server answered ${status}.`;
}

function errorFromBody(status, text) {
	let j = null;
	try {
		j = JSON.parse(text);
	} catch { /* not JSON (e.g. a proxy's HTML page) */ }
	const msg = j && typeof j.error === 'string' ? j.error : fallback(status);
	const code = j && typeof j.code === 'string' ? j.code : `http_${status}`;
	return new ApiError(status, code, msg);
}

let onUnauthorized = () => {};
/** fn(err) runs when a signed-in call gets 401: the session is over. */
export function setUnauthorizedHandler(fn) {
	onUnauthorized = fn;
}

/** A signed-in call whose answer ends the session: 401, or an account
 * that an admin suspended (or un-approved) meanwhile. */
function sessionOver(err) {
	return err.status === 401 || (err.status === 403 &&
	    (err.code === 'account_suspended' || err.code === 'account_pending'));
}

function unauthorized(err) {
	session.clear();
	err.handled = true;
	onUnauthorized(err);
}

function authHeaders(headers = {}) {
	const t = session.token;
	return t ? { ...headers, Authorization: `Bearer ${t}` } : headers;
}

async function send(method, path, { body, auth = true, headers = {} } = {}) {
	const hdrs = { Accept: 'application/json', ...headers };
	const opts = { method, headers: auth ? authHeaders(hdrs) : hdrs, cache: 'no-store', credentials: 'omit' };
	if (body !== undefined) {
		opts.headers['Content-Type'] = 'application/json';
		opts.body = JSON.stringify(body);
	}
	let res;
	try {
		res = await fetch(path, opts);
	} catch {
		throw new ApiError(0, 'network', fallback(0));
	}
	if (!res.ok) {
		const err = errorFromBody(res.status, await res.text().catch(() => ''));
		if (auth && opts.headers.Authorization && sessionOver(err)) unauthorized(err);
		throw err;
	}
	return res;
}

/** A JSON call.  Throws ApiError. */
export async function api(method, path, opts) {
	const res = await send(method, path, opts);
	const text = await res.text();
	return text ? JSON.parse(text) : null;
}

export const get = (path, opts) => api('GET', path, opts);
export const post = (path, body, opts) => api('POST', path, { ...opts, body });
export const patch = (path, body, opts) => api('PATCH', path, { ...opts, body });
export const del = (path, opts) => api('DELETE', path, opts);

/** "query string" from an object, skipping null/undefined/''. */
export function qs(params) {
	const u = new URLSearchParams();
	for (const [k, v] of Object.entries(params))
		if (v != null && v !== '') u.set(k, String(v));
	const s = u.toString();
	return s ? `?${s}` : '';
}

function filenameFrom(res, fallbackName) {
	const cd = res.headers.get('Content-Disposition') || '';
	let m = /filename\*=UTF-8''([^;]+)/i.exec(cd);
	if (m) {
		try {
			return decodeURIComponent(m[1]);
		} catch { /* fall through */ }
	}
	m = /filename="([^"]+)"/i.exec(cd);
	return m ? m[1] : fallbackName;
}

/**
 * Download with fetch (so the token / link password travels in a header,
 * never in the URL), then save the Blob.  auth: send the Bearer token.
 */
export async function download(path, { name, auth = true, headers = {} } = {}) {
	const res = await send('GET', path, { auth, headers: { Accept: '*/*', ...headers } });
	const blob = await res.blob();
	const fname = filenameFrom(res, name);
	saveBlob(blob, fname);
	return { name: fname, size: blob.size };
}

/**
 * Upload one File to folderId (null: the root).  onProgress(loaded,
 * total).  Returns {promise, abort}; the promise gives the file object
 * or rejects with ApiError (413 too_large, 507 quota_exceeded, …).
 */
export function upload(file, folderId, onProgress) {
	const xhr = new XMLHttpRequest();
	const promise = new Promise((resolve, reject) => {
		xhr.open('POST', `/api/files/upload${qs({ folder_id: folderId })}`);
		xhr.setRequestHeader('Accept', 'application/json');
		const t = session.token;
		if (t) xhr.setRequestHeader('Authorization', `Bearer ${t}`);
		xhr.upload.addEventListener('progress', (e) => {
			if (e.lengthComputable) onProgress(e.loaded, e.total);
		});
		xhr.addEventListener('load', () => {
			if (xhr.status === 201 || xhr.status === 200) {
				try {
					resolve(JSON.parse(xhr.responseText));
				} catch {
					reject(new ApiError(xhr.status, 'bad_reply', 'The server sent an unreadable answer.'));
				}
				return;
			}
			const err = errorFromBody(xhr.status, xhr.responseText);
			if (t && sessionOver(err)) unauthorized(err);
			reject(err);
		});
		xhr.addEventListener('error', () => reject(new ApiError(0, 'network', 'The upload was interrupted (connection lost, or the server refused the size).')));
		xhr.addEventListener('abort', () => reject(new ApiError(0, 'aborted', 'Upload cancelled.')));
		const fd = new FormData();
		fd.append('file', file, file.name);
		xhr.send(fd);
	});
	return { promise, abort: () => xhr.abort() };
}
