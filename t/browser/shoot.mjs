// Regenerates the README's screenshots (t/browser/screenshots/*.png) from
// a running stack, with a little demo data.  Not a test; run it by hand:
//   TCLOUD_URL=http://127.0.0.1:8080 TCLOUD_ADMIN_PASSWORD=… node t/browser/shoot.mjs [dir]
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE, ADMIN_USER, ADMIN_PASSWORD, launch, openPage, api, adminApiToken, uiLogin, uname } from './lib.mjs';

const OUT = process.argv[2] || join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(OUT, { recursive: true });

/** An approved demo user: the plain name when free, else a suffixed one. */
async function demoUser(name, { approve = true } = {}) {
	const password = `${name}-demo-password`;
	let username = name;
	let r = await api('POST', '/api/auth/register', { json: { username, email: `${username}@example.org`, password } });
	if (r.status === 409 && !approve) return { username, password };
	if (r.status === 409) {
		const t = await api('POST', '/api/auth/login', { json: { username, password } });
		if (t.status === 200) return { username, password, token: t.json.token };
		username = uname(name);
		r = await api('POST', '/api/auth/register', { json: { username, email: `${username}@example.org`, password } });
	}
	if (!approve) return { username, password };
	const admin = await adminApiToken();
	const u = (await api('GET', '/api/admin/users', { token: admin })).json.find((x) => x.username === username);
	await api('PATCH', `/api/admin/users/${u.id}`, { token: admin, json: { approved: true } });
	const t = await api('POST', '/api/auth/login', { json: { username, password } });
	return { username, password, token: t.json.token, fresh: true };
}

async function put(token, name, size, type, folderId) {
	const fd = new FormData();
	const bytes = new Uint8Array(size);
	for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
	fd.append('file', new Blob([bytes], { type }), name);
	const r = await fetch(`${BASE}/api/files/upload${folderId ? `?folder_id=${folderId}` : ''}`, {
		method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: fd,
	});
	return r.json();
}

const alice = await demoUser('alice');
const bob = await demoUser('bob');
let photos;
if (alice.fresh) {
	const mk = async (name) => (await api('POST', '/api/folders', { token: alice.token, json: { name, parent_id: null } })).json;
	await mk('Backups');
	photos = await mk('Photos');
	await mk('Projects');
	await put(alice.token, 'budget-2026.xlsx', 48213, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
	await put(alice.token, 'quarterly-report.pdf', 1288490, 'application/pdf');
	await put(alice.token, 'meeting-notes.md', 3172, 'text/markdown');
	await put(alice.token, 'server-backup.db', 5 * 1048576 + 4242, 'application/octet-stream');
	await put(alice.token, 'lake-at-dawn.jpg', 843211, 'image/jpeg', photos.id);
	await put(alice.token, 'mountains.jpg', 1120456, 'image/jpeg', photos.id);
	await put(alice.token, 'city-lights.png', 2206112, 'image/png', photos.id);
	if (bob.fresh) await put(bob.token, 'thesis-draft.pdf', 2516582, 'application/pdf');
} else {
	photos = (await api('GET', '/api/folders', { token: alice.token })).json.find((f) => f.name === 'Photos');
}
await demoUser('carol', { approve: false });
const link = (await api('POST', `/api/folders/${photos.id}/share-link`, { token: alice.token, json: { allow_download: true } })).json;

const browser = await launch();
try {
	let { page } = await openPage(browser, { viewport: { width: 1200, height: 720 } });
	await uiLogin(page, alice.username, alice.password);
	await page.locator('table.files').waitFor();
	await page.mouse.move(600, 700);
	await page.screenshot({ path: join(OUT, 'files.png') });

	({ page } = await openPage(browser, { viewport: { width: 375, height: 740 } }));
	await uiLogin(page, alice.username, alice.password);
	await page.locator('table.files').waitFor();
	await page.screenshot({ path: join(OUT, 'mobile-375.png') });

	({ page } = await openPage(browser, { viewport: { width: 1200, height: 820 } }));
	await uiLogin(page, ADMIN_USER, ADMIN_PASSWORD);
	await page.goto(`${BASE}/admin`);
	await page.locator('li.user-card').first().waitFor();
	await page.screenshot({ path: join(OUT, 'admin.png') });
	await page.goto(`${BASE}/admin/stats`);
	await page.locator('svg.chart').waitFor();
	await page.screenshot({ path: join(OUT, 'admin-stats.png') });

	({ page } = await openPage(browser, { viewport: { width: 1000, height: 600 } }));
	await page.goto(link.url);
	await page.locator('table.files').waitFor();
	await page.screenshot({ path: join(OUT, 'public-link.png') });
} finally {
	await browser.close();
}
console.log(`screenshots in ${OUT}`);
