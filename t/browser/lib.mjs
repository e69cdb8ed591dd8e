// Helpers for the dashboard's browser tests: Debian's chromium driven by
// playwright-core, a watch on every page for console errors, page errors
// and CSP violations, screenshots of failures, and a few direct API calls
// (through Node's fetch) for set-up that is not under test.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BASE = (process.env.TCLOUD_URL || `http://127.0.0.1:${process.env.TCLOUD_PORT || 8080}`).replace(/\/$/, '');
export const ADMIN_USER = process.env.TCLOUD_ADMIN_USER || 'admin';
export const ADMIN_PASSWORD = process.env.TCLOUD_ADMIN_PASSWORD;
if (!ADMIN_PASSWORD) throw new Error('TCLOUD_ADMIN_PASSWORD is not set (see t/browser/run)');

const SHOTS = join(process.env.TCLOUD_STATE || tmpdir(), 'browser-failures');

export const LAUNCH = {
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

export function launch() {
	return chromium.launch(LAUNCH);
}

/** A unique, valid username. */
export function uname(prefix) {
	return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export function sha256(buf) {
	return createHash('sha256').update(buf).digest('hex');
}

// Each context acts from its own documentation address (RFC 5737): the
// test stack trusts 127.0.0.1 as a proxy, so per-IP login and link
// throttles of one run never spill into another.
function clientIp() {
	return `203.0.113.${1 + (randomBytes(1)[0] % 250)}`;
}

/**
 * A fresh context and page, watched: every console error, uncaught page
 * error or CSP violation is recorded in page.problems.  A "Failed to load
 * resource" line for an HTTP status is accepted only while that status is
 * in page.allowed (a test expecting a 401 says so).
 */
export async function openPage(browser, { viewport = { width: 1280, height: 860 }, token } = {}) {
	const ip = clientIp();
	const context = await browser.newContext({
		viewport, acceptDownloads: true, extraHTTPHeaders: { 'X-Forwarded-For': ip },
		// A throwaway self-signed certificate (TCLOUD_FRONT=nginx-tls).
		ignoreHTTPSErrors: Boolean(process.env.TCLOUD_CA),
		deviceScaleFactor: 1,
	});
	await context.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (e) => {
			console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
		});
	});
	if (token) {
		await context.addInitScript((t) => {
			if (!sessionStorage.getItem('tcloud.test.seeded')) {
				localStorage.setItem('tcloud.token', t);
				sessionStorage.setItem('tcloud.test.seeded', '1');
			}
		}, token);
	}
	const page = await context.newPage();
	page.setDefaultTimeout(30000);	// a loaded CI machine is slow, not broken
	page.problems = [];
	page.allowed = new Set();
	page.ip = ip;
	page.on('console', (msg) => {
		if (msg.type() !== 'error' && !/Content.Security.Policy/i.test(msg.text())) return;
		const m = /status of (\d{3})/.exec(msg.text());
		if (m && page.allowed.has(Number(m[1]))) return;
		page.problems.push(`console ${msg.type()}: ${msg.text()} (${msg.location()?.url || '?'})`);
	});
	page.on('pageerror', (err) => page.problems.push(`page error: ${err.message}`));
	return { context, page };
}

/** Run fn with these HTTP error statuses accepted in the console. */
export async function allowing(page, statuses, fn) {
	for (const s of statuses) page.allowed.add(s);
	try {
		return await fn();
	} finally {
		// Late console lines of the same responses still count as allowed.
		await page.waitForTimeout(100);
		for (const s of statuses) page.allowed.delete(s);
	}
}

export function assertClean(page, where = '') {
	assert.deepEqual(page.problems, [], `console/page errors or CSP violations ${where}`);
}

/**
 * Wrap a test body: on failure, screenshot every open page of the given
 * contexts to the state dir (or /tmp), then rethrow.
 */
export async function withShots(name, pages, fn) {
	try {
		await fn();
	} catch (e) {
		mkdirSync(SHOTS, { recursive: true });
		let i = 0;
		for (const p of pages()) {
			if (!p || p.isClosed()) continue;
			const file = join(SHOTS, `${name.replace(/[^A-Za-z0-9_-]+/g, '_')}-${i++}.png`);
			try {
				await p.screenshot({ path: file, fullPage: true });
				console.error(`# screenshot: ${file}`);
			} catch { /* the page may be gone */ }
			if (p.problems?.length) console.error(`# problems on page: ${p.problems.join('\n# ')}`);
		}
		throw e;
	}
}

/* ---- direct API calls (set-up only) ---- */

export async function api(method, path, { token, key, json, ip } = {}) {
	const headers = { Accept: 'application/json', 'X-Forwarded-For': ip || '198.51.100.77' };
	if (token) headers.Authorization = `Bearer ${token}`;
	if (key) headers['X-API-Key'] = key;
	let body;
	if (json !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(json);
	}
	const res = await fetch(BASE + path, { method, headers, body, redirect: 'manual' });
	const text = await res.text();
	let data = null;
	try {
		data = JSON.parse(text);
	} catch { /* not JSON */ }
	return { status: res.status, json: data, headers: res.headers };
}

export async function login(username, password) {
	const r = await api('POST', '/api/auth/login', { json: { username, password } });
	assert.equal(r.status, 200, `login ${username}: ${JSON.stringify(r.json)}`);
	return r.json.token;
}

let adminToken = null;
export async function adminApiToken() {
	adminToken ||= await login(ADMIN_USER, ADMIN_PASSWORD);
	return adminToken;
}

/** Register and approve a user through the API; returns {username, password, id, token}. */
export async function makeUser(prefix) {
	const username = uname(prefix);
	const password = `pw-${randomBytes(6).toString('hex')}`;
	let r = await api('POST', '/api/auth/register', { json: { username, email: `${username}@example.test`, password } });
	assert.equal(r.status, 201, JSON.stringify(r.json));
	const admin = await adminApiToken();
	r = await api('GET', '/api/admin/users?status=pending', { token: admin });
	const u = r.json.find((x) => x.username === username);
	r = await api('PATCH', `/api/admin/users/${u.id}`, { token: admin, json: { approved: true } });
	assert.equal(r.status, 200);
	return { username, password, id: u.id, token: await login(username, password) };
}

/** Sign in through the form. */
export async function uiLogin(page, username, password) {
	await page.goto(`${BASE}/login`);
	await page.getByLabel('Username').fill(username);
	await page.getByLabel('Password', { exact: true }).fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForURL(/\/files$/);
	await page.getByRole('heading', { level: 1, name: 'My files' }).waitFor();
}

/** Random bytes that do not compress, as a file for setInputFiles. */
export function fileOf(name, size, mimeType = 'application/octet-stream') {
	return { name, mimeType, buffer: randomBytes(size) };
}
