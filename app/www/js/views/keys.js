// API keys: create (shown once), list, revoke.
import { get, post, del } from '../api.js';
import { h, put, newId, busy, toast, errorBox, loading, fmtTime, confirmDialog, copyField, localInputToUtc } from '../dom.js';

export async function keysView({ el }) {
	document.title = 'API keys · TCloud';
	const list = h('div', { class: 'listing' }, loading());
	const fresh = h('div', { class: 'fresh-key' });
	const err = h('div', { class: 'form-error' });
	const ids = { name: newId('f'), exp: newId('f'), ro: newId('f') };
	const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create key');
	const form = h('form', { class: 'card', 'aria-labelledby': 'newkey-title' },
		h('h2', { id: 'newkey-title' }, 'New API key'),
		h('div', { class: 'form-row' },
			h('div', { class: 'field grow' }, h('label', { for: ids.name }, 'Name'),
				h('input', { id: ids.name, name: 'name', type: 'text', required: true, maxlength: 255, autocomplete: 'off', placeholder: 'backup-script' })),
			h('div', { class: 'field' }, h('label', { for: ids.exp }, 'Expires (optional)'),
				h('input', { id: ids.exp, name: 'expires', type: 'datetime-local' }))),
		h('div', { class: 'field field-check' }, h('input', { id: ids.ro, name: 'read_only', type: 'checkbox' }),
			h('label', { for: ids.ro }, 'Read-only'), h('p', { class: 'hint' }, 'A read-only key may only call GET routes: for monitoring and restore scripts.')),
		err, submit);

	put(el,
		h('h1', null, 'API keys'),
		h('p', null, 'Scripts use a key instead of signing in, in the ', h('code', null, 'X-API-Key'), ' header. A key acts with your rights. See the ',
			h('a', { href: '/docs', 'data-nav': true }, 'API reference'), '.'),
		fresh, form, h('h2', null, 'Your keys'), list);

	form.addEventListener('submit', (e) => {
		e.preventDefault();
		const f = form.elements;
		const body = { name: f.name.value.trim() };
		if (f.expires.value) body.expires_at = localInputToUtc(f.expires.value);
		if (f.read_only.checked) body.read_only = true;
		busy(submit, 'Creating…', async () => {
			const k = await post('/api/apikeys', body);
			form.reset();
			put(fresh, h('div', { class: 'card card-warn', role: 'alert', 'aria-labelledby': 'key-once' },
				h('h2', { id: 'key-once' }, `Key “${k.name}” created`),
				h('p', { class: 'warn' }, h('strong', null, 'Copy it now: it is shown only this once.'), ' TCloud stores only a hash of it; if it is lost, revoke it and create another.'),
				copyField('API key', k.key, { 'data-testid': 'new-key' }),
				h('p', { class: 'hint' }, 'Example: ', h('code', null, `curl -H "X-API-Key: <key>" ${location.origin}/api/files`)),
				h('button', { type: 'button', class: 'btn', onclick: () => fresh.replaceChildren() }, 'I have stored it, hide the key')));
			fresh.querySelector('input').select();
			load();
		}, err);
	});

	async function load() {
		try {
			const keys = await get('/api/apikeys');
			if (!keys.length) {
				put(list, h('div', { class: 'empty' }, h('p', null, 'No API keys yet.')));
				return;
			}
			put(list, h('div', { class: 'table-wrap' }, h('table', { class: 'list keys stack-mobile' },
				h('thead', null, h('tr', null,
					h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Created'), h('th', { scope: 'col' }, 'Last used'),
					h('th', { scope: 'col' }, 'Expires'), h('th', { scope: 'col' }, 'Access'),
					h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
				h('tbody', null, keys.map((k) => {
					const rv = h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Revoke key ${k.name}` }, 'Revoke');
					rv.addEventListener('click', async () => {
						const ok = await confirmDialog({ title: 'Revoke API key?', message: `Scripts using “${k.name}” stop working at once.`, confirmLabel: 'Revoke' });
						if (!ok) return;
						await busy(rv, 'Revoking…', async () => {
							await del(`/api/apikeys/${k.id}`);
							toast(`Key “${k.name}” revoked.`);
							load();
						});
					});
					return h('tr', { dataset: { name: k.name } },
						h('td', { 'data-label': 'Name' }, k.name),
						h('td', { 'data-label': 'Created' }, fmtTime(k.created_at)),
						h('td', { 'data-label': 'Last used' }, fmtTime(k.last_used_at, 'Never')),
						h('td', { 'data-label': 'Expires' }, fmtTime(k.expires_at, 'Never')),
						h('td', { 'data-label': 'Access' }, k.read_only ? 'Read-only' : 'Full'),
						h('td', { class: 'col-actions' }, rv));
				})))));
		} catch (e) {
			if (!e.handled) put(list, errorBox(e, load));
		}
	}
	await load();
}
