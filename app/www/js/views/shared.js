// Shared with me / shared by me.
import { get, del, download } from '../api.js';
import { h, put, busy, toast, errorBox, loading, fmtSize, fmtTime, confirmDialog } from '../dom.js';

export async function sharedView({ el, params }) {
	const tab = params[0] === 'by-me' ? 'by-me' : 'with-me';
	document.title = `${tab === 'by-me' ? 'Shared by me' : 'Shared with me'} · TCloud`;
	const body = h('div', { class: 'listing' }, loading());
	const tabLink = (t, label) => h('a', { href: `/shared/${t}`, 'data-nav': true, class: ['tab', t === tab ? 'active' : null],
		'aria-current': t === tab ? 'page' : null }, label);
	put(el,
		h('h1', null, 'Shared files'),
		h('nav', { class: 'tabs', 'aria-label': 'Shared files' }, tabLink('with-me', 'Shared with me'), tabLink('by-me', 'Shared by me')),
		h('p', { class: 'hint' }, tab === 'by-me'
			? 'Files of yours that other users can download. Public links are managed from each file’s “Public link…” action.'
			: 'Files other users shared with you: you can download them, or remove them from this list.'),
		body);

	async function load() {
		put(body, loading());
		try {
			const rows = await get(`/api/shares/${tab}`);
			if (!rows.length) {
				put(body, h('div', { class: 'empty' }, h('p', null, tab === 'by-me' ? 'You have not shared any file.' : 'Nobody has shared a file with you yet.')));
				return;
			}
			put(body, h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
				h('thead', null, h('tr', null,
					h('th', { scope: 'col' }, 'Name'),
					tab === 'with-me' ? h('th', { scope: 'col', class: 'col-size' }, 'Size') : null,
					h('th', { scope: 'col' }, tab === 'with-me' ? 'Owner' : 'Shared with'),
					h('th', { scope: 'col', class: 'col-date' }, 'Shared'),
					h('th', { scope: 'col', class: 'col-actions' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
				h('tbody', null, rows.map((s) => row(s))))));
		} catch (e) {
			if (!e.handled) put(body, errorBox(e, load));
		}
	}

	function row(s) {
		const actions = h('div', { class: 'row-actions' });
		if (tab === 'with-me') {
			const dl = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Download ${s.name}` }, 'Download');
			dl.addEventListener('click', () => busy(dl, 'Downloading…', () => download(`/api/files/${s.file_id}/download`, { name: s.name })));
			actions.append(dl);
		}
		const rm = h('button', { type: 'button', class: 'btn btn-small btn-danger',
			'aria-label': tab === 'with-me' ? `Remove ${s.name} from my list` : `Stop sharing ${s.name} with ${s.shared_with}` },
		tab === 'with-me' ? 'Remove' : 'Revoke');
		rm.addEventListener('click', async () => {
			const ok = await confirmDialog(tab === 'with-me'
				? { title: 'Remove shared file?', message: `You will no longer see “${s.name}” from ${s.owner}. The owner keeps the file.`, confirmLabel: 'Remove' }
				: { title: 'Stop sharing?', message: `${s.shared_with} loses access to “${s.name}” at once.`, confirmLabel: 'Revoke' });
			if (!ok) return;
			await busy(rm, 'Working…', async () => {
				await del(`/api/shares/${s.id}`);
				toast(tab === 'with-me' ? 'Removed.' : 'Share revoked.');
				load();
			});
		});
		actions.append(rm);
		return h('tr', { dataset: { name: s.name } },
			h('td', { class: 'col-name' }, h('span', { class: 'item-name' }, h('span', { class: 'icon icon-file', 'aria-hidden': 'true' }), h('span', { class: 'name-text' }, s.name))),
			tab === 'with-me' ? h('td', { class: 'col-size' }, fmtSize(s.size)) : null,
			h('td', null, tab === 'with-me' ? s.owner : s.shared_with),
			h('td', { class: 'col-date' }, fmtTime(s.created_at)),
			h('td', { class: 'col-actions' }, actions));
	}

	await load();
}
