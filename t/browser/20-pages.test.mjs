// The rest of the dashboard, page by page: the API reference against the
// route tables, the security headers and "text only" rendering, admin
// user management, stats and audit paging, a quota error on upload, the
// 375 px layout and keyboard focus.  Tests here are independent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
	BASE, ADMIN_USER, ADMIN_PASSWORD, launch, openPage, allowing, assertClean, withShots,
	api, makeUser, uiLogin, adminApiToken, fileOf,
} from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

let browser;
before(async () => {
	browser = await launch();
});
after(async () => {
	await browser?.close();
});

/** A test with its own watched pages; screenshots on failure. */
function ptest(name, fn) {
	test(name, async () => {
		const opened = [];
		const open = async (opts) => {
			const p = await openPage(browser, opts);
			opened.push(p);
			return p.page;
		};
		try {
			await withShots(name, () => opened.map((p) => p.page), () => fn(open));
			for (const p of opened) assertClean(p.page, `in "${name}"`);
		} finally {
			for (const p of opened) await p.context.close();
		}
	});
}

const nav = (pg, name) => pg.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** Every {"METHOD", "/api/..."} of app/route-*.c. */
async function routeTable() {
	const out = [];
	for (const f of (await readdir(join(ROOT, 'app'))).filter((n) => /^route-.*\.c$/.test(n))) {
		const src = await readFile(join(ROOT, 'app', f), 'utf8');
		for (const m of src.matchAll(/\{\s*"(GET|POST|PUT|PATCH|DELETE|HEAD)",\s*"(\/api\/[^"]*)"/g)) out.push(`${m[1]} ${m[2]}`);
	}
	return out.sort();
}

ptest('the API reference lists exactly the routes that exist, with the curl example', async (open) => {
	const pg = await open();
	await pg.goto(`${BASE}/docs`);
	await pg.getByRole('heading', { level: 1, name: 'TCloud API Reference' }).waitFor();
	const shown = (await pg.locator('[data-route]').evaluateAll((els) => els.map((e) => e.dataset.route))).sort();
	const routes = await routeTable();
	assert.ok(routes.length >= 30, `route tables read (${routes.length})`);
	assert.deepEqual(shown, routes);
	const text = (await pg.locator('main').innerText()).replace(/\\\n\s*/g, ' ').replace(/[ \t]+/g, ' ');
	assert.ok(text.includes(`curl -X POST ${BASE}/api/files/upload -H "X-API-Key: <key>" -F "file=@backup.db"`), 'curl upload example');
	assert.equal(await pg.getByTestId('base-url').textContent(), BASE);
	// "← Back to App" goes to the app (sign-in when signed out).
	await pg.getByRole('link', { name: '← Back to App' }).click();
	await pg.waitForURL(/\/login$/);
	// And the app links to the reference.
	await pg.getByRole('link', { name: 'API reference' }).click();
	await pg.waitForURL(/\/docs$/);
});

ptest('security headers on every dashboard page; the code never writes HTML', async () => {
	for (const path of ['/', '/index.html', '/files/12', '/s/abc', '/docs', '/js/main.js', '/css/app.css']) {
		const r = await fetch(BASE + path, { redirect: 'manual' });
		await r.arrayBuffer();
		assert.equal(r.status, 200, path);
		assert.equal(r.headers.get('content-security-policy'), CSP, `CSP on ${path}`);
		assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
		assert.equal(r.headers.get('referrer-policy'), 'no-referrer', path);
		assert.equal(r.headers.get('x-frame-options'), 'DENY', path);
	}
	// Source rules: no HTML from strings, no inline handlers/styles/scripts,
	// nothing from another origin.
	const files = [];
	const walk = async (d) => {
		for (const e of await readdir(d, { withFileTypes: true })) {
			if (e.isDirectory()) await walk(join(d, e.name));
			else files.push(join(d, e.name));
		}
	};
	await walk(join(ROOT, 'app', 'www'));
	for (const f of files.filter((n) => /\.(js|html|css)$/.test(n))) {
		const src = await readFile(f, 'utf8');
		const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
		for (const bad of [/\.innerHTML\b/, /\.outerHTML\b/, /insertAdjacentHTML/, /document\.write/, /\beval\s*\(/,
			/new Function\s*\(/, /\.style\.\w/, /\.cssText/, /setAttribute\(\s*['"](style|on\w+)['"]/, /(src|href)\s*=\s*["']?(https?:)?\/\//i,
			/url\(\s*['"]?(https?:)?\/\//i, /@import/])
			assert.doesNotMatch(code, bad, `${f}: ${bad}`);
		if (f.endsWith('.html')) {
			assert.doesNotMatch(src, /<script(?![^>]*\bsrc=)[^>]*>/i, `${f}: inline script`);
			assert.doesNotMatch(src, /\son\w+\s*=/i, `${f}: inline handler`);
			assert.doesNotMatch(src, /\sstyle\s*=|<style/i, `${f}: inline style`);
		}
	}
});

ptest('names are shown as text, never as markup', async (open) => {
	const u = await makeUser('xss');
	const evil = '<img src=x onerror=window.__xss=1>.txt';
	const fd = new FormData();
	fd.append('file', new Blob(['hi']), evil);
	const up = await fetch(`${BASE}/api/files/upload`, { method: 'POST', headers: { Authorization: `Bearer ${u.token}` }, body: fd });
	await up.arrayBuffer();
	assert.equal(up.status, 201);
	await api('POST', '/api/folders', { token: u.token, json: { name: '<b onclick=alert(1)>bold & "q"', parent_id: null } });
	const pg = await open({ token: u.token });
	await pg.goto(`${BASE}/files`);
	await pg.locator('table.files').waitFor();
	assert.equal(await pg.locator('table.files img, table.files b').count(), 0);
	await pg.getByText(evil, { exact: true }).waitFor();
	await pg.getByText('<b onclick=alert(1)>bold & "q"', { exact: true }).waitFor();
	assert.equal(await pg.evaluate(() => window.__xss), undefined);
});

/** Upload a file through the API (set-up only); returns the file object. */
async function uploadAs(token, name, body, folderId) {
	const fd = new FormData();
	fd.append('file', new Blob([body]), name);
	const r = await fetch(`${BASE}/api/files/upload${folderId ? `?folder_id=${folderId}` : ''}`,
		{ method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: fd });
	const j = await r.json();
	assert.equal(r.status, 201, JSON.stringify(j));
	return j;
}

ptest('names keep their spaces on the page ("a  b" is not "a b")', async (open) => {
	const u = await makeUser('spaces');
	const names = ['a  b.txt', ' lead.txt'];
	for (const n of names) await uploadAs(u.token, n, 'x');
	const folder = '  two  spaces';
	const d = await api('POST', '/api/folders', { token: u.token, json: { name: folder, parent_id: null } });
	assert.equal(d.status, 201);
	const pg = await open({ token: u.token });
	await pg.goto(`${BASE}/files`);
	await pg.locator('table.files').waitFor();
	// innerText is what the page shows, after CSS white-space rules.
	const shown = await pg.locator('table.files .name-text').allInnerTexts();
	assert.deepEqual(shown.sort(), [...names, folder].sort());
	await pg.goto(`${BASE}/files/${d.json.id}`);
	await pg.getByText('This folder is empty.').waitFor();
	assert.equal(await pg.locator('h1').innerText(), folder);
	assert.equal(await pg.locator('.crumbs [aria-current=page]').innerText(), folder);
});

ptest('a file name with double quotes uploads under that name', async (open) => {
	const u = await makeUser('quotes');
	const pg = await open({ token: u.token });
	await pg.goto(`${BASE}/files`);
	await pg.getByText('This folder is empty.').waitFor();
	// Chromium sends the name as say%22hi%22 (HTML's form encoding).
	const name = 'say "hi".txt';
	await pg.locator('#upload-input').setInputFiles([{ name, mimeType: 'text/plain', buffer: Buffer.from('hi') }]);
	const li = pg.locator('li.upload[data-state="done"]');
	await li.waitFor();
	assert.equal(await li.locator('.upload-status').textContent(), 'Uploaded.');
	await pg.locator('table.files').waitFor();
	assert.deepEqual(await pg.locator('table.files .name-text').allInnerTexts(), [name]);
	const [dl] = await Promise.all([pg.waitForEvent('download'), pg.getByRole('button', { name: `Download ${name}` }).click()]);
	assert.equal((await api('GET', '/api/files', { token: u.token })).json[0].name, name);
	assert.equal(dl.suggestedFilename(), 'say _hi_.txt'); // the browser's own rule for '"'
});

ptest('a folder link\'s ZIP keeps a non-ASCII folder name', async (open) => {
	const u = await makeUser('zipname');
	const name = 'Résumé & "CV" 2026';
	const d = await api('POST', '/api/folders', { token: u.token, json: { name, parent_id: null } });
	assert.equal(d.status, 201);
	await uploadAs(u.token, 'cv.txt', 'curriculum', d.json.id);
	const link = await api('POST', `/api/folders/${d.json.id}/share-link`, { token: u.token, json: {} });
	assert.equal(link.status, 201);
	const pg = await open();
	await pg.goto(link.json.url);
	await pg.getByRole('heading', { level: 1, name }).waitFor();
	const [zip] = await Promise.all([pg.waitForEvent('download'), pg.getByRole('button', { name: 'Download all (ZIP)' }).click()]);
	// The browser turns '"' into '_' itself; the rest arrives as named.
	assert.equal(zip.suggestedFilename(), 'Résumé & _CV_ 2026.zip');
});

ptest('admin: quota, role, suspend, reactivate and delete a user', async (open) => {
	const u = await makeUser('managed');
	const pg = await open();
	await uiLogin(pg, ADMIN_USER, ADMIN_PASSWORD);
	await nav(pg, 'Admin').click();
	const card = pg.locator(`li.user-card[data-username="${u.username}"]`);
	await card.getByLabel('Quota (GiB)').fill('2.5');
	await card.getByLabel('Role', { exact: true }).selectOption('admin');
	await card.getByRole('button', { name: 'Save' }).click();
	await pg.getByText(`${u.username} updated.`).waitFor();
	await pg.locator(`li.user-card[data-username="${u.username}"] .badge-admin`).waitFor();
	await card.getByText('0 bytes of 2.5 GiB').waitFor();
	let r = await api('GET', '/api/admin/users', { token: await adminApiToken() });
	let row = r.json.find((x) => x.id === u.id);
	assert.equal(row.quota_bytes, 2.5 * 1073741824);
	assert.equal(row.role, 'admin');

	await card.getByRole('button', { name: `Suspend ${u.username}` }).click();
	await pg.locator('dialog.dialog-confirm[open]').getByRole('button', { name: 'Suspend' }).click();
	await pg.locator(`li.user-card.status-suspended[data-username="${u.username}"]`).waitFor();
	await card.getByRole('button', { name: `Reactivate ${u.username}` }).click();
	await pg.locator(`li.user-card.status-active[data-username="${u.username}"]`).waitFor();

	await card.getByRole('button', { name: `Delete ${u.username}` }).click();
	const dlg = pg.locator('dialog.dialog-confirm[open]');
	await dlg.getByRole('heading', { name: `Delete ${u.username}?` }).waitFor();
	await dlg.getByRole('button', { name: 'Delete account' }).click();
	await card.waitFor({ state: 'detached' });
	r = await api('GET', '/api/admin/users', { token: await adminApiToken() });
	assert.equal(r.json.find((x) => x.id === u.id), undefined);
});

ptest('admin: stats with a storage chart; audit log filter and paging', async (open) => {
	const u = await makeUser('audited');
	// 55 key creations by one user: more than one page (50) of one action.
	for (let i = 0; i < 55; i++) {
		const r = await api('POST', '/api/apikeys', { token: u.token, json: { name: `k${i}` } });
		assert.equal(r.status, 201);
	}
	const pg = await open();
	await uiLogin(pg, ADMIN_USER, ADMIN_PASSWORD);
	await pg.goto(`${BASE}/admin/stats`);
	await pg.getByRole('heading', { name: 'Storage per user' }).waitFor();
	// One bar per user (the 20 largest), the largest first.
	const users = (await api('GET', '/api/admin/users', { token: await adminApiToken() })).json;
	assert.equal(await pg.locator('svg.chart rect.chart-used').count(), Math.min(20, users.length));
	const top = Math.max(...users.map((x) => x.used_bytes));
	const firstLabel = await pg.locator('svg.chart text.chart-label').first().textContent();
	assert.equal(users.find((x) => x.username.startsWith(firstLabel.replace(/…$/, ''))).used_bytes, top);
	assert.match(await pg.locator('.stat-cards').innerText(), /Users[\s\S]*Public links/);

	await pg.getByRole('link', { name: 'Audit log' }).click();
	await pg.waitForURL(/\/admin\/audit$/);
	await pg.getByLabel('Actor').fill(u.username);
	await pg.getByLabel('Action').selectOption('apikey_create');
	await pg.locator('table.audit tbody tr').first().waitFor();
	await pg.waitForFunction(() => document.querySelectorAll('table.audit tbody tr').length === 50);
	const actions = await pg.locator('table.audit tbody tr td:nth-child(3)').allInnerTexts();
	assert.ok(actions.every((a) => a === 'apikey_create'), 'filtered by action');
	const firstIds = await pg.locator('table.audit tbody tr').evaluateAll((rs) => rs.map((r) => Number(r.dataset.id)));
	assert.ok(firstIds.every((id, i) => i === 0 || id < firstIds[i - 1]), 'newest first');
	await pg.getByRole('button', { name: 'Older →' }).click();
	await pg.getByText('Page 2').waitFor();
	await pg.waitForFunction(() => document.querySelectorAll('table.audit tbody tr').length === 5);
	const older = await pg.locator('table.audit tbody tr').evaluateAll((rs) => rs.map((r) => Number(r.dataset.id)));
	assert.ok(Math.max(...older) < Math.min(...firstIds), 'keyset paging with before_id');
	assert.equal(await pg.getByRole('button', { name: 'Older →' }).isDisabled(), true);
	await pg.getByRole('button', { name: '← Newer' }).click();
	await pg.getByText('Page 1').waitFor();
});

ptest('an upload over quota says so clearly (507); non-admins get no admin page', async (open) => {
	const u = await makeUser('tight');
	await api('PATCH', `/api/admin/users/${u.id}`, { token: await adminApiToken(), json: { quota_bytes: 1000 } });
	const pg = await open();
	await uiLogin(pg, u.username, u.password);
	assert.equal(await nav(pg, 'Admin').count(), 0);
	await allowing(pg, [507], async () => {
		await pg.locator('#upload-input').setInputFiles([fileOf('big.bin', 5000)]);
		const st = pg.locator('li.upload[data-name="big.bin"][data-state="error"] .upload-status');
		await st.waitFor();
		assert.match(await st.textContent(), /^Not enough space: /);
	});
	await pg.goto(`${BASE}/admin`);
	await pg.getByRole('heading', { name: 'Administrators only' }).waitFor();
});

ptest('drag and drop uploads several files', async (open) => {
	const u = await makeUser('dropper');
	const pg = await open();
	await uiLogin(pg, u.username, u.password);
	// A real drop event carrying two files (what a desktop drag delivers).
	await pg.locator('#dropzone').evaluate((zone) => {
		const dt = new DataTransfer();
		dt.items.add(new File(['first dropped file'], 'dropped-1.txt', { type: 'text/plain' }));
		dt.items.add(new File([new Uint8Array(70000)], 'dropped-2.bin'));
		zone.dispatchEvent(new DragEvent('dragenter', { bubbles: true, cancelable: true, dataTransfer: dt }));
		zone.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
		zone.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
	});
	for (const n of ['dropped-1.txt', 'dropped-2.bin']) {
		await pg.locator(`li.upload[data-name="${n}"][data-state="done"]`).waitFor();
		await pg.locator(`table.files tr[data-name="${n}"]`).waitFor();
	}
	const files = (await api('GET', '/api/files', { token: u.token })).json;
	assert.deepEqual(files.map((f) => [f.name, f.size]), [['dropped-1.txt', 18], ['dropped-2.bin', 70000]]);
	assert.equal(await pg.locator('.view.dragging').count(), 0);
});

ptest('375 px wide: no sideways scrolling; actions reachable', async (open) => {
	const u = await makeUser('phone');
	await api('POST', '/api/folders', { token: u.token, json: { name: 'Holiday photos from the summer of 2026', parent_id: null } });
	const fd = new FormData();
	fd.append('file', new Blob(['x'.repeat(5000)]), 'a-rather-long-file-name-for-a-small-screen.txt');
	const up = await fetch(`${BASE}/api/files/upload`, { method: 'POST', headers: { Authorization: `Bearer ${u.token}` }, body: fd });
	await up.arrayBuffer();
	const pg = await open({ viewport: { width: 375, height: 740 } });
	await uiLogin(pg, u.username, u.password);
	const wide = async () => pg.evaluate(() => document.documentElement.scrollWidth);
	assert.ok(await wide() <= 375, `files page width ${await wide()}`);
	await pg.getByRole('button', { name: 'Actions for a-rather-long-file-name-for-a-small-screen.txt' }).click();
	const sheet = pg.locator('dialog[open]');
	await sheet.getByRole('button', { name: 'Download' }).waitFor();
	const box = await sheet.boundingBox();
	assert.ok(box.x >= 0 && box.x + box.width <= 375, 'the action sheet fits');
	await sheet.getByRole('button', { name: 'Close' }).click();
	for (const path of ['/shared', '/keys', '/account', '/docs']) {
		await pg.goto(BASE + path);
		await pg.locator('h1').first().waitFor();
		assert.ok(await wide() <= 375, `${path} width ${await wide()}`);
	}
});

ptest('keyboard: skip link first, visible focus, labelled controls', async (open) => {
	const pg = await open();
	await pg.goto(`${BASE}/login`);
	// The page puts the focus in the first field, with a visible ring.
	await pg.getByLabel('Username').waitFor();
	const focused = await pg.evaluate(() => {
		const el = document.activeElement;
		const cs = getComputedStyle(el);
		return { tag: el.tagName, outline: cs.outlineStyle, label: el.labels?.[0]?.textContent };
	});
	assert.deepEqual(focused, { tag: 'INPUT', outline: 'solid', label: 'Username' });
	// Backwards: the brand link, then the skip link, which shows itself.
	await pg.keyboard.press('Shift+Tab');
	await pg.keyboard.press('Shift+Tab');
	assert.equal(await pg.evaluate(() => document.activeElement.textContent), 'Skip to content');
	const box = await pg.getByRole('link', { name: 'Skip to content' }).boundingBox();
	assert.ok(box.y >= 0, 'the focused skip link is on screen');
	assert.notEqual(await pg.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none');
	await pg.keyboard.press('Enter');
	assert.equal(await pg.evaluate(() => document.activeElement.id), 'main');
	// Every form control of the signed-in pages has a label.
	await uiLogin(pg, ADMIN_USER, ADMIN_PASSWORD);
	for (const path of ['/files', '/keys', '/account', '/admin', '/admin/audit']) {
		await pg.goto(BASE + path);
		await pg.locator('h1').first().waitFor();
		await pg.locator('.loading').first().waitFor({ state: 'detached' }).catch(() => {});
		const unlabelled = await pg.evaluate(() => [...document.querySelectorAll('input:not([type=hidden]):not([aria-hidden=true]), select, textarea, button')]
			.filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.textContent.trim()))
			.map((el) => el.outerHTML.slice(0, 80)));
		assert.deepEqual(unlabelled, [], path);
	}
});
