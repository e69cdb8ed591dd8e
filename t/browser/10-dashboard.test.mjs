// The dashboard end to end, in one story: register -> an admin approves in
// the admin page -> sign in -> folder -> two uploads with progress ->
// download and compare bytes -> rename, move, delete -> API key shown once
// -> share with another user who sees it -> public link in a fresh
// browser context -> a password link asks for its password.
// Each step needs the ones before; after a failure the rest are skipped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import {
	BASE, ADMIN_USER, ADMIN_PASSWORD, launch, openPage, allowing, assertClean, withShots,
	uname, sha256, api, makeUser, uiLogin,
} from './lib.mjs';

let browser;
const pages = [];
const ctx = {};
let broken = false;

before(async () => {
	browser = await launch();
});
after(async () => {
	await browser?.close();
});

/** A step of the story: skipped after an earlier failure, screenshots on its own. */
function step(name, fn) {
	test(name, async (t) => {
		if (broken) {
			t.skip('an earlier step failed');
			return;
		}
		try {
			await withShots(name, () => pages.map((p) => p.page), fn);
			for (const p of pages) assertClean(p.page, `after "${name}" on ${p.name}`);
		} catch (e) {
			broken = true;
			throw e;
		}
	});
}

async function page(name, opts) {
	const p = await openPage(browser, opts);
	pages.push({ name, ...p });
	return p.page;
}

/** The <tr> of an item in the files table. */
const row = (pg, name) => pg.locator(`table.files tbody tr[data-name="${name.replace(/"/g, '\\"')}"]`);

/** A link of the main navigation. */
const nav = (pg, name) => pg.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

async function rowAction(pg, name, action) {
	await pg.getByRole('button', { name: `Actions for ${name}`, exact: true }).click();
	const sheet = pg.locator('dialog[open]');
	await sheet.getByRole('button', { name: action, exact: true }).click();
}

const user = { username: uname('ui'), password: `Pw-${randomBytes(6).toString('hex')}` };
const big = { name: 'photo-archive.bin', mimeType: 'application/octet-stream', buffer: randomBytes(3 * 1024 * 1024 + 123) };
const small = { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(`TCloud browser test ${randomBytes(8).toString('hex')}\n`) };

step('register shows the awaiting-approval outcome; a pending sign-in is refused', async () => {
	const pg = ctx.user = await page('user');
	await pg.goto(`${BASE}/`);
	await pg.waitForURL(/\/login$/);
	await pg.getByRole('link', { name: 'Create one' }).click();
	await pg.waitForURL(/\/register$/);
	await pg.getByLabel('Username').fill(user.username);
	await pg.getByLabel('Email').fill(`${user.username}@example.test`);
	await pg.getByLabel('Password', { exact: true }).fill(user.password);
	await pg.getByLabel('Repeat password').fill(user.password);
	await pg.getByRole('button', { name: 'Create account' }).click();
	await pg.getByRole('heading', { name: 'Awaiting approval' }).waitFor();
	await pg.getByText('Registered. Awaiting admin approval.').waitFor();

	await pg.getByRole('link', { name: 'Back to sign in' }).click();
	await pg.getByLabel('Username').fill(user.username);
	await pg.getByLabel('Password').fill(user.password);
	await allowing(pg, [403], async () => {
		await pg.getByRole('button', { name: 'Sign in' }).click();
		await pg.getByRole('alert').filter({ hasText: 'awaiting approval' }).waitFor();
	});
	assert.match(pg.url(), /\/login$/);
});

step('an admin approves the account in the admin page (pending first)', async () => {
	const pg = ctx.admin = await page('admin');
	await uiLogin(pg, ADMIN_USER, ADMIN_PASSWORD);
	await nav(pg, 'Admin').click();
	await pg.waitForURL(/\/admin$/);
	const pending = pg.locator('section.admin-pending');
	const card = pending.locator(`li[data-username="${user.username}"]`);
	await card.waitFor();
	// Pending approvals come before every other account on the page.
	const firstCard = pg.locator('li.user-card').first();
	assert.equal(await firstCard.getAttribute('class').then((c) => c.includes('status-pending')), true);
	await card.getByRole('button', { name: `Approve ${user.username}` }).click();
	const active = pg.locator(`li.user-card.status-active[data-username="${user.username}"]`);
	await active.waitFor();
	await active.locator('.badge-active').waitFor();
});

step('the user signs in; the session survives a reload', async () => {
	const pg = ctx.user;
	await uiLogin(pg, user.username, user.password);
	await pg.getByText(/0 bytes of 5\.0 GiB used/).waitFor();
	await pg.reload();
	await pg.getByRole('heading', { level: 1, name: 'My files' }).waitFor();
	assert.equal(await pg.locator('#userbox .username').textContent(), user.username);
});

step('create a folder and open it (breadcrumbs)', async () => {
	const pg = ctx.user;
	await pg.getByRole('button', { name: 'New folder' }).click();
	const dlg = pg.locator('dialog[open]');
	await dlg.getByLabel('Folder name').fill('Reports');
	await dlg.getByRole('button', { name: 'Create' }).click();
	await row(pg, 'Reports').waitFor();
	await row(pg, 'Reports').getByRole('link', { name: 'Reports' }).click();
	await pg.waitForURL(/\/files\/\d+$/);
	ctx.folderUrl = pg.url();
	await pg.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
	const crumbs = pg.getByRole('navigation', { name: 'Breadcrumb' });
	await crumbs.getByRole('link', { name: 'My files' }).waitFor();
	assert.equal((await crumbs.locator('[aria-current=page]').textContent()).trim(), 'Reports');
});

step('upload two files at once, each with its progress bar', async () => {
	const pg = ctx.user;
	// Record every progress value the bars take, to see them move.
	await pg.evaluate(() => {
		window.__progress = {};
		new MutationObserver((muts) => {
			for (const m of muts) {
				const li = m.target.closest && m.target.closest('li.upload');
				if (li && m.target.tagName === 'PROGRESS')
					(window.__progress[li.dataset.name] ||= []).push(Number(m.target.value));
			}
		}).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['value'] });
	});
	await pg.locator('#upload-input').setInputFiles([big, small]);
	for (const f of [big, small]) {
		const li = pg.locator(`li.upload[data-name="${f.name}"]`);
		await li.waitFor();
		await pg.locator(`li.upload[data-name="${f.name}"][data-state="done"]`).waitFor({ timeout: 30000 });
		assert.equal(await li.locator('progress').evaluate((p) => p.value), 100);
		assert.equal((await li.locator('.upload-status').textContent()).trim(), 'Uploaded.');
	}
	const seen = await pg.evaluate(() => window.__progress);
	for (const f of [big, small]) {
		const v = seen[f.name] || [];
		assert.ok(v.length && v[v.length - 1] === 100 && v.every((x, i) => i === 0 || x >= v[i - 1]),
			`progress of ${f.name} rises to 100: ${JSON.stringify(v)}`);
	}
	await row(pg, big.name).waitFor();
	await row(pg, small.name).waitFor();
	assert.equal((await row(pg, big.name).locator('td.col-size').textContent()).trim(), '3.0 MiB');
	assert.match(await row(pg, small.name).locator('td.col-type').textContent(), /Text/);
	// The quota bar follows.
	await pg.getByText(/3\.0 MiB of 5\.0 GiB used/).waitFor();
});

step('sort by size and by name', async () => {
	const pg = ctx.user;
	const names = () => pg.locator('table.files tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.name));
	await pg.getByRole('button', { name: 'Size' }).click(); // largest first
	assert.deepEqual(await names(), [big.name, small.name]);
	await pg.getByRole('button', { name: 'Size' }).click();
	assert.deepEqual(await names(), [small.name, big.name]);
	await pg.getByRole('button', { name: 'Name' }).click();
	assert.deepEqual(await names(), [small.name, big.name].sort());
	assert.equal(await pg.locator('th.col-name').getAttribute('aria-sort'), 'ascending');
});

step('download a file and compare its bytes', async () => {
	const pg = ctx.user;
	const [dl] = await Promise.all([
		pg.waitForEvent('download'),
		row(pg, big.name).getByRole('button', { name: `Download ${big.name}` }).click(),
	]);
	assert.equal(dl.suggestedFilename(), big.name);
	const got = await readFile(await dl.path());
	assert.equal(got.length, big.buffer.length);
	assert.equal(sha256(got), sha256(big.buffer));
});

step('rename, move to the root, and delete (after a confirm dialog)', async () => {
	const pg = ctx.user;
	await rowAction(pg, small.name, 'Rename…');
	let dlg = pg.locator('dialog[open]');
	await dlg.getByLabel('New name').fill('minutes.txt');
	await dlg.getByRole('button', { name: 'Rename' }).click();
	await row(pg, 'minutes.txt').waitFor();
	assert.equal(await row(pg, small.name).count(), 0);

	await rowAction(pg, 'minutes.txt', 'Move…');
	dlg = pg.locator('dialog[open]');
	await dlg.getByText('Destination:').waitFor();
	await dlg.getByRole('button', { name: 'My files' }).click();
	await dlg.getByRole('button', { name: 'Reports' }).waitFor(); // the root lists the folder
	await dlg.getByRole('button', { name: 'Move here' }).click();
	await row(pg, 'minutes.txt').waitFor({ state: 'detached' });
	await pg.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'My files' }).click();
	await pg.waitForURL(/\/files$/);
	await row(pg, 'minutes.txt').waitFor();

	await rowAction(pg, 'minutes.txt', 'Delete…');
	dlg = pg.locator('dialog.dialog-confirm[open]');
	await dlg.getByText('“minutes.txt”').waitFor();
	assert.equal(await dlg.evaluate((d) => d instanceof HTMLDialogElement && d.open), true);
	await dlg.getByRole('button', { name: 'Cancel' }).click();
	await row(pg, 'minutes.txt').waitFor(); // still there
	await rowAction(pg, 'minutes.txt', 'Delete…');
	await pg.locator('dialog.dialog-confirm[open]').getByRole('button', { name: 'Delete' }).click();
	await row(pg, 'minutes.txt').waitFor({ state: 'detached' });
	await pg.getByText('Deleted “minutes.txt”.').waitFor();
});

step('create an API key: shown once with a copy button and a warning', async () => {
	const pg = ctx.user;
	await nav(pg, 'API keys').click();
	await pg.waitForURL(/\/keys$/);
	await pg.getByLabel('Name').fill('backup-script');
	await pg.getByRole('button', { name: 'Create key' }).click();
	const shown = pg.getByLabel('API key', { exact: true });
	await shown.waitFor();
	const key = await shown.inputValue();
	assert.match(key, /^tck_[A-Za-z0-9_-]{43}$/);
	await pg.getByText('Copy it now: it is shown only this once.').waitFor();
	await pg.locator('.fresh-key').getByRole('button', { name: 'Copy' }).waitFor();
	const keyRow = pg.locator('table.keys tr[data-name="backup-script"]');
	await keyRow.waitFor();
	assert.equal((await keyRow.locator('td[data-label="Last used"]').textContent()).trim(), 'Never');
	// The key works, and after a reload it is nowhere on the page.
	const me = await api('GET', '/api/auth/me', { key });
	assert.equal(me.json.username, user.username);
	await pg.reload();
	await keyRow.waitFor();
	assert.equal(await pg.getByLabel('API key', { exact: true }).count(), 0);
	assert.ok(!(await pg.content()).includes(key), 'the key is shown once only');
	assert.notEqual((await keyRow.locator('td[data-label="Last used"]').textContent()).trim(), 'Never');
});

step('share a file with another user, who sees and downloads it', async () => {
	const pg = ctx.user;
	const bob = await makeUser('bob');
	await nav(pg, 'Files').click();
	await pg.getByRole('link', { name: 'Reports' }).click();
	await rowAction(pg, big.name, 'Share with a user…');
	const dlg = pg.locator('dialog.dialog-share[open]');
	await dlg.getByLabel('Share with user').fill(bob.username);
	await dlg.getByRole('button', { name: 'Share', exact: true }).click();
	await dlg.getByRole('button', { name: `Stop sharing with ${bob.username}` }).waitFor();
	await dlg.getByRole('button', { name: 'Done' }).click();

	const bp = ctx.bob = await page('bob');
	await uiLogin(bp, bob.username, bob.password);
	await nav(bp, 'Shared').click();
	await bp.waitForURL(/\/shared$/);
	const r = bp.locator(`tr[data-name="${big.name}"]`);
	await r.waitFor();
	assert.match(await r.textContent(), new RegExp(user.username));
	const [dl] = await Promise.all([bp.waitForEvent('download'), r.getByRole('button', { name: `Download ${big.name}` }).click()]);
	assert.equal(sha256(await readFile(await dl.path())), sha256(big.buffer));

	await nav(pg, 'Shared').click();
	await pg.getByRole('link', { name: 'Shared by me' }).click();
	await pg.locator(`tr[data-name="${big.name}"]`).getByText(bob.username).waitFor();
});

step('a public link opened in a fresh browser context downloads the file', async () => {
	const pg = ctx.user;
	await nav(pg, 'Files').click();
	await pg.getByRole('link', { name: 'Reports' }).click();
	await rowAction(pg, big.name, 'Public link…');
	const dlg = pg.locator('dialog.dialog-link[open]');
	await dlg.getByRole('button', { name: 'Create or update link' }).click();
	const urlInput = dlg.getByLabel('Link', { exact: true });
	await urlInput.waitFor();
	const url = await urlInput.inputValue();
	assert.match(url, /\/api\/share\/[A-Za-z0-9_-]{43}$/);
	await dlg.getByRole('button', { name: 'Copy' }).waitFor();
	ctx.linkUrl = url;
	await dlg.getByRole('button', { name: 'Close' }).click();

	const vp = ctx.visitor = await page('visitor'); // no session, no storage
	await vp.goto(url); // the API sends a browser on to /s/{token}
	await vp.waitForURL(/\/s\/[A-Za-z0-9_-]{43}$/);
	await vp.getByRole('heading', { level: 1, name: big.name }).waitFor();
	assert.match(await vp.getByTestId('public-size').textContent(), /3\.0 MiB/);
	const [dl] = await Promise.all([vp.waitForEvent('download'), vp.getByRole('button', { name: 'Download' }).click()]);
	assert.equal(dl.suggestedFilename(), big.name);
	assert.equal(sha256(await readFile(await dl.path())), sha256(big.buffer));
	assert.equal(await vp.evaluate(() => localStorage.getItem('tcloud.token')), null);
});

step('a password link asks for the password (wrong one refused)', async () => {
	const pg = ctx.user;
	await rowAction(pg, big.name, 'Public link…');
	const dlg = pg.locator('dialog.dialog-link[open]');
	await dlg.getByLabel('Password', { exact: true }).fill('open sesame');
	await dlg.getByLabel('Maximum downloads').fill('5');
	await dlg.getByRole('button', { name: 'Create or update link' }).click();
	await dlg.getByText('At most 5 downloads.').waitFor();
	assert.equal(await dlg.getByLabel('Link', { exact: true }).inputValue(), ctx.linkUrl, 'same token on update');
	await dlg.getByRole('button', { name: 'Close' }).click();

	const vp = await page('visitor2');
	const token = ctx.linkUrl.split('/').pop();
	await allowing(vp, [401, 403], async () => {
		await vp.goto(`${BASE}/s/${token}`);
		await vp.getByRole('heading', { name: 'This link is protected' }).waitFor();
		await vp.getByLabel('Link password').fill('wrong guess');
		await vp.getByRole('button', { name: 'Open' }).click();
		await vp.getByRole('alert').filter({ hasText: 'The link password is wrong.' }).waitFor();
	});
	await vp.getByLabel('Link password').fill('open sesame');
	await vp.getByRole('button', { name: 'Open' }).click();
	await vp.getByRole('heading', { level: 1, name: big.name }).waitFor();
	const [dl] = await Promise.all([vp.waitForEvent('download'), vp.getByRole('button', { name: 'Download' }).click()]);
	assert.equal(sha256(await readFile(await dl.path())), sha256(big.buffer));
});

step('a folder link browses and offers a ZIP; revoking ends it', async () => {
	const pg = ctx.user;
	await pg.getByRole('button', { name: 'Public link' }).click(); // the open folder's own link
	const dlg = pg.locator('dialog.dialog-link[open]');
	await dlg.getByRole('button', { name: 'Create or update link' }).click();
	const url = await dlg.getByLabel('Link', { exact: true }).inputValue();
	await dlg.getByRole('button', { name: 'Close' }).click();
	const vp = await page('visitor3');
	await vp.goto(url);
	await vp.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
	await vp.getByRole('button', { name: `Download ${big.name}` }).waitFor();
	const [zip] = await Promise.all([vp.waitForEvent('download'), vp.getByRole('button', { name: 'Download all (ZIP)' }).click()]);
	assert.equal(zip.suggestedFilename(), 'Reports.zip');
	const z = await readFile(await zip.path());
	assert.equal(z.readUInt32LE(0), 0x04034b50, 'a ZIP archive');

	await pg.getByRole('button', { name: 'Public link' }).click();
	await pg.locator('dialog.dialog-link[open]').getByRole('button', { name: 'Revoke link' }).click();
	await pg.locator('dialog.dialog-confirm[open]').getByRole('button', { name: 'Revoke' }).click();
	await pg.locator('dialog.dialog-link[open]').getByText('No active link.').waitFor();
	await pg.locator('dialog.dialog-link[open]').getByRole('button', { name: 'Close' }).click();
	await allowing(vp, [404], async () => {
		await vp.reload();
		await vp.getByRole('heading', { name: 'Link not available' }).waitFor();
	});
});

step('delete the folder with its contents; quota is freed', async () => {
	const pg = ctx.user;
	await pg.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'My files' }).click();
	await rowAction(pg, 'Reports', 'Delete…');
	await pg.locator('dialog.dialog-confirm[open]').getByRole('button', { name: 'Delete' }).click();
	await pg.getByText('Deleted “Reports” (1 files, 1 folders).').waitFor();
	await pg.getByText('This folder is empty.').waitFor();
	await pg.getByText(/0 bytes of 5\.0 GiB used/).waitFor();
});

step('sign out; a dead session (401) sends the user back to sign-in', async () => {
	const pg = ctx.user;
	await pg.getByRole('button', { name: 'Sign out' }).click();
	await pg.waitForURL(/\/login$/);
	await pg.getByText('You are signed out.').waitFor();
	assert.equal(await pg.evaluate(() => localStorage.getItem('tcloud.token')), null);
	// A token that the server no longer honours: the first call gets 401.
	const stale = await api('POST', '/api/auth/login', { json: { username: user.username, password: user.password } });
	await api('POST', '/api/auth/logout', { token: stale.json.token });
	await pg.evaluate((t) => localStorage.setItem('tcloud.token', t), stale.json.token);
	await allowing(pg, [401], async () => {
		await pg.goto(`${BASE}/keys`);
		await pg.waitForURL(/\/login\?next=%2Fkeys$/);
		await pg.getByText('Your session has ended. Please sign in again.').waitFor();
	});
	await pg.getByLabel('Username').fill(user.username);
	await pg.getByLabel('Password').fill(user.password);
	await pg.getByRole('button', { name: 'Sign in' }).click();
	await pg.waitForURL(/\/keys$/); // back where the user was going
});
