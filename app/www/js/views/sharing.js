// Dialogs for sharing one file with users, and for the public link of a
// file or folder.
import { get, post, del } from '../api.js';
import { h, put, newId, busy, toast, panelDialog, confirmDialog, copyField, fmtTime,
	localInputToUtc, utcToLocalInput, errorBox, loading } from '../dom.js';

/** Share a file with other users; lists and revokes its current shares. */
export function shareDialog(file) {
	const dlg = panelDialog(`Share “${file.name}”`, 'dialog-share');
	const err = h('div', { class: 'form-error' });
	const list = h('div', { class: 'share-list' });
	const id = newId('f');
	const input = h('input', { id, name: 'username', type: 'text', required: true, autocomplete: 'off',
		autocapitalize: 'none', spellcheck: 'false', placeholder: 'username' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Share');
	const form = h('form', { class: 'inline-form' },
		h('div', { class: 'field grow' }, h('label', { for: id }, 'Share with user'), input),
		submit);

	async function refresh() {
		put(list, loading());
		try {
			const all = await get('/api/shares/by-me');
			const mine = all.filter((s) => s.file_id === file.id);
			if (!mine.length) {
				put(list, h('p', { class: 'muted' }, 'Not shared with anyone yet.'));
				return;
			}
			put(list, h('h3', null, 'Shared with'), h('ul', { class: 'plain-list' }, mine.map((s) => {
				const btn = h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Stop sharing with ${s.shared_with}` }, 'Revoke');
				btn.addEventListener('click', () => busy(btn, 'Revoking…', async () => {
					await del(`/api/shares/${s.id}`);
					toast(`No longer shared with ${s.shared_with}.`);
					await refresh();
				}, err));
				return h('li', null, h('span', { class: 'grow' }, h('strong', null, s.shared_with), ' · since ', fmtTime(s.created_at)), btn);
			})));
		} catch (e) {
			if (!e.handled) put(list, errorBox(e, refresh));
		}
	}

	form.addEventListener('submit', (e) => {
		e.preventDefault();
		const who = input.value.trim();
		if (!who) return;
		busy(submit, 'Sharing…', async () => {
			await post('/api/shares', { file_id: file.id, shared_with: who });
			toast(`Shared “${file.name}” with ${who}.`);
			input.value = '';
			await refresh();
		}, err);
	});
	dlg.body.append(
		h('p', { class: 'hint' }, 'The other user can view and download the file, not change it.'),
		form, err, list,
		h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, 'Done')));
	dlg.showModal();
	input.focus();
	refresh();
	return dlg;
}

/**
 * The public link of a file or folder (kind: 'files' | 'folders').  The
 * API has no call that reads a link without creating it, so the dialog
 * starts with the form; saving creates the link or updates it (same
 * token) and shows it.
 */
export function linkDialog(kind, obj) {
	const what = kind === 'folders' ? 'folder' : 'file';
	const base = `/api/${kind}/${obj.id}/share-link`;
	const dlg = panelDialog(`Public link for “${obj.name}”`, 'dialog-link');
	const err = h('div', { class: 'form-error' });
	const out = h('div', { class: 'link-out', 'aria-live': 'polite' });
	const ids = { allow: newId('f'), exp: newId('f'), pw: newId('f'), nopw: newId('f'), max: newId('f') };
	const allow = h('input', { id: ids.allow, name: 'allow_download', type: 'checkbox', checked: true });
	const expires = h('input', { id: ids.exp, name: 'expires_at', type: 'datetime-local' });
	const pw = h('input', { id: ids.pw, name: 'password', type: 'password', autocomplete: 'new-password', maxlength: 1024 });
	const nopw = h('input', { id: ids.nopw, name: 'remove_password', type: 'checkbox' });
	const max = h('input', { id: ids.max, name: 'max_downloads', type: 'number', min: 1, step: 1, inputmode: 'numeric' });
	const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create or update link');
	const revoke = h('button', { type: 'button', class: 'btn btn-danger' }, 'Revoke link');
	const form = h('form', { class: 'dialog-form-grid' },
		h('div', { class: 'field field-check' }, allow, h('label', { for: ids.allow }, 'Allow downloads'),
			h('p', { class: 'hint' }, what === 'folder' ? 'Off: visitors can browse the list but not download.' : 'Off: visitors see the name and size only.')),
		h('div', { class: 'field' }, h('label', { for: ids.exp }, 'Expires (your local time)'), expires,
			h('p', { class: 'hint' }, 'Empty: never.')),
		h('div', { class: 'field' }, h('label', { for: ids.pw }, 'Password'), pw,
			h('p', { class: 'hint' }, 'Empty: keep the current password (none for a new link).')),
		h('div', { class: 'field field-check' }, nopw, h('label', { for: ids.nopw }, 'Remove the password')),
		h('div', { class: 'field' }, h('label', { for: ids.max }, 'Maximum downloads'), max,
			h('p', { class: 'hint' }, 'Empty: unlimited. Counts complete downloads only.')),
		err,
		h('div', { class: 'dialog-actions' }, revoke, save));

	// The API does not say whether a link has a password: what this dialog
	// set is known, otherwise it is shown as unchanged.
	function showLink(r, pwState) {
		allow.checked = !!r.allow_download;
		expires.value = utcToLocalInput(r.expires_at);
		max.value = r.max_downloads ?? '';
		pw.value = '';
		nopw.checked = false;
		const page = `${location.origin}/s/${r.token}`;
		put(out,
			h('p', { class: 'success' }, 'The link is active.', r.expires_at ? [' Expires ', fmtTime(r.expires_at), '.'] : null,
				r.max_downloads ? ` At most ${r.max_downloads} downloads.` : null,
				r.allow_download ? null : ' Downloads are off.',
				pwState === 'set' ? ' Protected by a password.' : pwState === 'removed' ? ' No password.' : null),
			copyField('Link', r.url, { 'data-testid': 'link-url' }),
			h('p', { class: 'hint' }, 'People opening it in a browser land on ',
				h('a', { href: page, target: '_blank', rel: 'noopener noreferrer' }, 'the link page'),
				'; scripts get JSON and the bytes.'));
		out.scrollIntoView({ block: 'nearest' });
		out.querySelector('.copy-row button').focus();
	}

	form.addEventListener('submit', (e) => {
		e.preventDefault();
		const body = {
			allow_download: allow.checked,
			expires_at: expires.value ? localInputToUtc(expires.value) : null,
			max_downloads: max.value ? Number(max.value) : null,
		};
		let pwState = null;
		if (nopw.checked) {
			body.password = null;
			pwState = 'removed';
		} else if (pw.value) {
			body.password = pw.value;
			pwState = 'set';
		}
		busy(save, 'Saving…', async () => {
			const r = await post(base, body);
			showLink(r, pwState);
			toast('Public link saved.');
		}, err);
	});
	revoke.addEventListener('click', async () => {
		const ok = await confirmDialog({ title: 'Revoke public link?', message: `The link to “${obj.name}” stops working at once for everyone who has it.`, confirmLabel: 'Revoke' });
		if (!ok) return;
		busy(revoke, 'Revoking…', async () => {
			try {
				await del(base);
				toast('Public link revoked.');
			} catch (e2) {
				if (e2.status !== 404) throw e2;
				toast(`This ${what} has no public link.`);
			}
			put(out, h('p', { class: 'muted' }, 'No active link.'));
		}, err);
	});
	dlg.body.append(h('p', { class: 'hint' }, `Anyone with the link can open this ${what} without an account.`), form, out);
	dlg.showModal();
	allow.focus();
	return dlg;
}
