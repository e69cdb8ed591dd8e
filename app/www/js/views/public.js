// The page a public link's url lands a person on: /s/{token}.  No account;
// the link password (when there is one) travels in X-Share-Password.
import { ApiError, api, download, qs } from '../api.js';
import { h, put, newId, busy, errorBox, loading, fmtSize, fmtTime, fmtType } from '../dom.js';

export async function publicView({ el, params, query, setPopHandler }) {
	const token = params[0];
	const base = `/api/share/${encodeURIComponent(token)}`;
	let password = null;
	document.title = 'Shared with you · TCloud';

	const box = h('div', { class: 'card public-card' }, loading());
	put(el, h('div', { class: 'public-wrap' },
		h('header', { class: 'public-head' }, h('a', { class: 'brand', href: '/' }, 'TCloud')),
		box,
		h('p', { class: 'muted small public-foot' }, 'Shared through TCloud. Files are stored encrypted.')));

	const headers = () => (password ? { 'X-Share-Password': password } : {});

	async function info(folderId) {
		return api('GET', `${base}${qs({ folder_id: folderId })}`, { auth: false, headers: headers() });
	}

	function folderParam() {
		const f = new URLSearchParams(location.search).get('folder_id');
		return f && /^\d+$/.test(f) ? Number(f) : null;
	}

	async function show(folderId) {
		put(box, loading());
		let r;
		try {
			r = await info(folderId);
		} catch (e) {
			if (e.status === 401 && e.code === 'password_required') return askPassword(folderId, null);
			if (e.status === 403 && e.code === 'wrong_password') return askPassword(folderId, e);
			if (e.status === 404) {
				put(box, h('h1', { tabindex: '-1' }, 'Link not available'),
					h('p', null, e.message),
					h('p', { class: 'muted' }, 'It may have expired, reached its download limit, or been revoked by its owner.'));
				return;
			}
			put(box, h('h1', { tabindex: '-1' }, 'Shared link'), errorBox(e, () => show(folderId)));
			return;
		}
		if (r.type === 'folder') drawFolder(r, folderId);
		else drawFile(r);
	}

	function dlButton(label, path, name, aria) {
		const err = h('div', { class: 'form-error' });
		const b = h('button', { type: 'button', class: 'btn btn-primary', 'aria-label': aria || null }, label);
		b.addEventListener('click', () => busy(b, 'Downloading…', async () => {
			try {
				await download(path, { name, auth: false, headers: headers() });
			} catch (e) {
				if (e.status === 401 || (e.status === 403 && e.code === 'wrong_password')) {
					password = null;
					askPassword(folderParam(), e);
					return;
				}
				throw e;
			}
		}, err));
		return [b, err];
	}

	function drawFile(r) {
		document.title = `${r.name} · TCloud`;
		const [btn, err] = r.allow_download ? dlButton('Download', `${base}/download`, r.name) : [null, null];
		put(box,
			h('p', { class: 'muted small' }, 'Someone shared a file with you'),
			h('h1', { class: 'public-name', tabindex: '-1' }, h('span', { class: 'icon icon-file', 'aria-hidden': 'true' }), r.name),
			h('dl', { class: 'props' },
				h('dt', null, 'Size'), h('dd', { 'data-testid': 'public-size' }, `${fmtSize(r.size)}`, r.size >= 1024 ? h('span', { class: 'muted' }, ` (${r.size.toLocaleString()} bytes)`) : null),
				h('dt', null, 'Type'), h('dd', null, fmtType(r.mime_type, r.name))),
			r.allow_download ? h('div', { class: 'public-actions' }, btn, err)
				: h('p', { class: 'notice' }, 'The owner has turned downloads off for this link.'));
	}

	function drawFolder(r, folderId) {
		document.title = `${r.name} · TCloud`;
		// The folders above this one, from the shared folder down: kept in
		// history.state; a page loaded deep starts from "Top".
		const trail = (history.state && history.state.trail) || (folderId ? [{ id: null, name: 'Top' }] : []);
		const go = (id, newTrail) => {
			history.pushState({ trail: newTrail }, '', `/s/${token}${id ? `?folder_id=${id}` : ''}`);
			show(id);
		};
		const crumbs = trail.length ? h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('ol', null,
			trail.map((t, i) => h('li', null, h('button', { type: 'button', class: 'linklike', onclick: () => go(t.id, trail.slice(0, i)) }, t.name))),
			h('li', null, h('span', { 'aria-current': 'page' }, r.name)))) : null;
		const rootName = trail.length && trail[0].name !== 'Top' ? trail[0].name : r.name;
		const [zip, zipErr] = r.allow_download ? dlButton('Download all (ZIP)', `${base}/download`, `${rootName}.zip`) : [null, null];
		const rows = [
			...r.folders.map((f) => h('tr', { dataset: { name: f.name } },
				h('td', { class: 'col-name' }, h('button', { type: 'button', class: 'linklike item-name',
					onclick: () => go(f.id, [...trail, { id: folderId, name: r.name }]) },
				h('span', { class: 'icon icon-folder', 'aria-hidden': 'true' }), f.name)),
				h('td', { class: 'col-size' }, '—'),
				h('td', { class: 'col-actions' }))),
			...r.files.map((f) => {
				const [b] = r.allow_download ? dlButton('Download', `${base}/files/${f.id}/download`, f.name, `Download ${f.name}`) : [null];
				if (b) b.classList.replace('btn-primary', 'btn-small');
				return h('tr', { dataset: { name: f.name } },
					h('td', { class: 'col-name' }, h('span', { class: 'item-name' }, h('span', { class: 'icon icon-file', 'aria-hidden': 'true' }), f.name),
						h('span', { class: 'meta-mobile' }, `${fmtSize(f.size)} · `, fmtTime(f.updated_at))),
					h('td', { class: 'col-size' }, fmtSize(f.size)),
					h('td', { class: 'col-actions' }, b));
			}),
		];
		put(box,
			h('p', { class: 'muted small' }, 'Someone shared a folder with you'),
			crumbs,
			h('h1', { class: 'public-name', tabindex: '-1' }, h('span', { class: 'icon icon-folder', 'aria-hidden': 'true' }), r.name),
			r.allow_download ? h('div', { class: 'public-actions' }, zip, zipErr)
				: h('p', { class: 'notice' }, 'The owner has turned downloads off for this link.'),
			rows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'files' },
				h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col', class: 'col-size' }, 'Size'),
					h('th', { scope: 'col', class: 'col-actions' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
				h('tbody', null, rows))) : h('p', { class: 'muted' }, 'This folder is empty.'));
	}

	function askPassword(folderId, err) {
		const id = newId('f');
		const input = h('input', { id, type: 'password', name: 'password', required: true, autocomplete: 'off' });
		const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Open');
		const errEl = h('div', { class: 'form-error' }, err ? errorBox(err) : null);
		const form = h('form', { class: 'password-form' },
			h('h1', { tabindex: '-1' }, 'This link is protected'),
			h('p', null, 'Enter the password you were given with the link.'),
			h('div', { class: 'field' }, h('label', { for: id }, 'Link password'), input),
			errEl, submit);
		form.addEventListener('submit', (e) => {
			e.preventDefault();
			busy(submit, 'Checking…', async () => {
				password = input.value;
				try {
					const r = await info(folderId);
					if (r.type === 'folder') drawFolder(r, folderId);
					else drawFile(r);
				} catch (e2) {
					password = null;
					if (e2.status === 401) throw new ApiError(401, e2.code, 'Enter the password.');
					throw e2;
				}
			}, errEl);
		});
		put(box, form);
		input.focus();
	}

	// Back/forward between folders of this link: stay on this page (and
	// keep the password) instead of a full render.
	setPopHandler(() => show(folderParam()));
	await show(query.get('folder_id') && /^\d+$/.test(query.get('folder_id')) ? Number(query.get('folder_id')) : null);
}
