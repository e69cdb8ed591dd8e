// DOM helpers.  Every piece of user data reaches the page as text: h()
// turns strings into text nodes and sets attributes one by one, never
// innerHTML.  Styling is done with classes (the CSP forbids inline styles).

const PROPS = new Set(['value', 'checked', 'disabled', 'hidden', 'selected',
	'indeterminate', 'multiple', 'required', 'readOnly']);

function add(el, child) {
	if (child == null || child === false) return;
	if (Array.isArray(child)) {
		for (const c of child) add(el, c);
	} else if (child instanceof Node) {
		el.append(child);
	} else {
		el.append(document.createTextNode(String(child)));
	}
}

function setAttrs(el, attrs) {
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v == null || v === false) continue;
		if (k === 'style' || k === 'innerHTML' || k === 'outerHTML' ||
		    k === 'srcdoc')
			throw new Error(`h(): attribute ${k} is not allowed`);
		if (k.startsWith('on')) {
			if (typeof v !== 'function')
				throw new Error(`h(): ${k} must be a function`);
			el.addEventListener(k.slice(2), v);
		} else if (k === 'class') {
			el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
		} else if (k === 'dataset') {
			Object.assign(el.dataset, v);
		} else if (PROPS.has(k)) {
			el[k] = v;
		} else {
			el.setAttribute(k, v === true ? '' : String(v));
		}
	}
}

/** h('button', {class: 'x', onclick: fn}, 'text', child…) -> element */
export function h(tag, attrs, ...children) {
	const el = document.createElement(tag);
	setAttrs(el, attrs);
	add(el, children);
	return el;
}

const SVGNS = 'http://www.w3.org/2000/svg';

/** The same for SVG elements (charts). */
export function s(tag, attrs, ...children) {
	const el = document.createElementNS(SVGNS, tag);
	setAttrs(el, attrs);
	add(el, children);
	return el;
}

/** Replace el's children. */
export function put(el, ...children) {
	el.replaceChildren();
	add(el, children);
	return el;
}

let uid = 0;
/** A fresh id for label/for and aria-describedby pairs. */
export function newId(prefix = 'id') {
	return `${prefix}-${++uid}`;
}

/* ---- formatting ---- */

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function fmtSize(n) {
	if (n == null || Number.isNaN(Number(n))) return '—';
	n = Number(n);
	if (n === 1) return '1 byte';
	let i = 0;
	while (n >= 1024 && i < UNITS.length - 1) {
		n /= 1024;
		i++;
	}
	if (i === 0) return `${n} bytes`;
	return `${n < 10 ? n.toFixed(1) : Math.round(n)} ${UNITS[i]}`;
}

/** "YYYY-MM-DD HH:MM:SS" (UTC, as the API sends) -> Date, or null. */
export function parseUtc(t) {
	if (!t) return null;
	const d = new Date(t.replace(' ', 'T') + 'Z');
	return Number.isNaN(d.getTime()) ? null : d;
}

const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A <time> element in local time, the UTC value in its title. */
export function fmtTime(t, empty = '—') {
	const d = parseUtc(t);
	if (!d) return h('span', { class: 'muted' }, empty);
	return h('time', { datetime: d.toISOString(), title: `${t} UTC` }, dateFmt.format(d));
}

/** A datetime-local input's value (local time) -> API UTC string. */
export function localInputToUtc(v) {
	if (!v) return null;
	const d = new Date(v);
	if (Number.isNaN(d.getTime())) return null;
	return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** API UTC string -> a datetime-local input's value. */
export function utcToLocalInput(t) {
	const d = parseUtc(t);
	if (!d) return '';
	const p = (x) => String(x).padStart(2, '0');
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

const KINDS = [
	[/^application\/pdf$/, 'PDF'],
	[/(zip|x-7z|x-tar|gzip|x-bzip2|x-xz|x-rar|zstd)/, 'Archive'],
	[/(spreadsheet|ms-excel|text\/csv)/, 'Spreadsheet'],
	[/(wordprocessing|msword|opendocument\.text|rtf)/, 'Document'],
	[/(presentation|ms-powerpoint)/, 'Presentation'],
	[/sqlite/, 'Database'],
	[/json$/, 'JSON'],
	[/xml$/, 'XML'],
	[/javascript$/, 'JavaScript'],
	[/^text\/markdown$/, 'Markdown'],
	[/^text\/html$/, 'HTML'],
	[/^text\/plain$/, 'Text'],
];

/** The kind of a file for people, from its MIME type (and extension). */
export function fmtType(mime, name) {
	if (!mime) return '—';
	for (const [re, label] of KINDS) if (re.test(mime)) return label;
	const [top, sub = ''] = mime.split('/');
	if (top === 'image' || top === 'video' || top === 'audio' || top === 'text')
		return `${top[0].toUpperCase()}${top.slice(1)} (${sub.replace(/^(x-|vnd\.)/, '').toUpperCase().slice(0, 12)})`;
	const ext = /\.([A-Za-z0-9]{1,8})$/.exec(name || '');
	if (ext) return `${ext[1].toUpperCase()} file`;
	return mime === 'application/octet-stream' ? 'Binary' : sub.replace(/^(x-|vnd\.)/, '').slice(0, 20);
}

/* ---- feedback ---- */

/** A short message in the live region (status, not errors of a form). */
export function toast(msg, kind = 'ok') {
	const box = document.getElementById('toasts');
	const t = h('p', { class: ['toast', `toast-${kind}`] }, msg);
	box.append(t);
	setTimeout(() => t.remove(), kind === 'error' ? 9000 : 4500);
}

/** An inline error box (role=alert) showing the API's sentence. */
export function errorBox(err, retry) {
	const msg = err && err.message ? err.message : String(err);
	return h('div', { class: 'error', role: 'alert' },
		h('span', null, msg),
		retry ? h('button', { type: 'button', class: 'btn btn-small', onclick: retry }, 'Try again') : null);
}

export function loading(text = 'Loading…') {
	return h('p', { class: 'loading', 'aria-busy': 'true' }, text);
}

/**
 * Run an async action with a button showing its busy state; errors go
 * to errEl (if given) or a toast.  Returns the action's result or
 * undefined on error.
 */
export async function busy(btn, busyText, fn, errEl) {
	const old = btn ? btn.textContent : '';
	if (btn) {
		btn.disabled = true;
		btn.setAttribute('aria-busy', 'true');
		if (busyText) btn.textContent = busyText;
	}
	if (errEl) errEl.replaceChildren();
	try {
		return await fn();
	} catch (e) {
		if (e && e.handled) return undefined;
		if (errEl) put(errEl, errorBox(e));
		else toast(e.message || String(e), 'error');
		return undefined;
	} finally {
		if (btn) {
			btn.disabled = false;
			btn.removeAttribute('aria-busy');
			if (busyText) btn.textContent = old;
		}
	}
}

/* ---- dialogs (real <dialog> elements, modal) ---- */

function makeDialog(title, cls) {
	const titleId = newId('dlg');
	const dlg = h('dialog', { class: ['dialog', cls], 'aria-labelledby': titleId });
	const head = h('div', { class: 'dialog-head' },
		h('h2', { id: titleId }, title),
		h('button', { type: 'button', class: 'btn-icon', 'aria-label': 'Close', onclick: () => dlg.close() }, '×'));
	dlg.append(head);
	dlg.addEventListener('close', () => setTimeout(() => dlg.remove(), 0));
	return dlg;
}

/** Ask before a destructive action.  Resolves true when confirmed. */
export function confirmDialog({ title, message, confirmLabel = 'Delete', danger = true }) {
	return new Promise((resolve) => {
		const dlg = makeDialog(title, 'dialog-confirm');
		let ok = false;
		const yes = h('button', { type: 'submit', class: ['btn', danger ? 'btn-danger' : 'btn-primary'] }, confirmLabel);
		const form = h('form', { method: 'dialog', class: 'dialog-body' },
			...(Array.isArray(message) ? message : [message]).map((m) => (m instanceof Node ? m : h('p', null, m))),
			h('div', { class: 'dialog-actions' },
				h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, 'Cancel'),
				yes));
		form.addEventListener('submit', (e) => {
			e.preventDefault();
			ok = true;
			dlg.close();
		});
		dlg.append(form);
		dlg.addEventListener('close', () => resolve(ok));
		document.body.append(dlg);
		dlg.showModal();
		yes.focus();
	});
}

/**
 * A modal form.  fields: [{name, label, type, value, required, hint,
 * attrs, options}].  onSubmit(values) may throw: the dialog stays open
 * and shows the error.  Resolves with onSubmit's result, or null if
 * cancelled.
 */
export function formDialog({ title, fields, submitLabel = 'Save', busyLabel = 'Saving…', onSubmit, intro }) {
	return new Promise((resolve) => {
		const dlg = makeDialog(title, 'dialog-form');
		let result = null;
		const err = h('div', { class: 'form-error' });
		const inputs = {};
		const rows = fields.map((f) => {
			const id = newId('f');
			let input;
			if (f.type === 'checkbox') {
				input = h('input', { id, name: f.name, type: 'checkbox', checked: !!f.value, ...f.attrs });
				inputs[f.name] = input;
				return h('div', { class: 'field field-check' }, input, h('label', { for: id }, f.label),
					f.hint ? h('p', { class: 'hint' }, f.hint) : null);
			}
			if (f.type === 'select') {
				input = h('select', { id, name: f.name, ...f.attrs },
					f.options.map(([v, l]) => h('option', { value: v, selected: v === f.value }, l)));
			} else {
				input = h('input', { id, name: f.name, type: f.type || 'text', value: f.value ?? '',
					required: !!f.required, ...f.attrs });
			}
			inputs[f.name] = input;
			const hintId = f.hint ? newId('hint') : null;
			if (hintId) input.setAttribute('aria-describedby', hintId);
			return h('div', { class: 'field' }, h('label', { for: id }, f.label), input,
				f.hint ? h('p', { class: 'hint', id: hintId }, f.hint) : null);
		});
		const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, submitLabel);
		const form = h('form', { class: 'dialog-body', novalidate: false },
			intro ? (Array.isArray(intro) ? intro : [intro]).map((m) => (m instanceof Node ? m : h('p', null, m))) : null,
			rows, err,
			h('div', { class: 'dialog-actions' },
				h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, 'Cancel'),
				submit));
		form.addEventListener('submit', async (e) => {
			e.preventDefault();
			const values = {};
			for (const [k, el] of Object.entries(inputs))
				values[k] = el.type === 'checkbox' ? el.checked : el.value;
			const r = await busy(submit, busyLabel, async () => {
				const v = await onSubmit(values, inputs);
				return { v };
			}, err);
			if (r) {
				result = r.v === undefined ? true : r.v;
				dlg.close();
			}
		});
		dlg.append(form);
		dlg.addEventListener('close', () => resolve(result));
		document.body.append(dlg);
		dlg.showModal();
		const first = Object.values(inputs)[0];
		if (first) {
			first.focus();
			if (first.select && first.type === 'text') {
				// Select the name without its extension, like file managers do.
				const dot = first.value.lastIndexOf('.');
				if (dot > 0) first.setSelectionRange(0, dot);
				else first.select();
			}
		}
	});
}

/** An empty modal with a title; the caller fills dlg.body. */
export function panelDialog(title, cls) {
	const dlg = makeDialog(title, cls);
	const body = h('div', { class: 'dialog-body' });
	dlg.append(body);
	document.body.append(dlg);
	dlg.body = body;
	return dlg;
}

/** Copy text; falls back to selecting an input for older browsers. */
export async function copyText(text, input) {
	try {
		await navigator.clipboard.writeText(text);
		toast('Copied to the clipboard.');
		return true;
	} catch {
		if (input) {
			input.focus();
			input.select();
			try {
				if (document.execCommand('copy')) {
					toast('Copied to the clipboard.');
					return true;
				}
			} catch { /* fall through */ }
		}
		toast('Copy failed: select the text and copy it by hand.', 'error');
		return false;
	}
}

/** A read-only input with a Copy button (keys, links). */
export function copyField(label, value, extra = {}) {
	const id = newId('copy');
	const input = h('input', { id, type: 'text', readonly: true, value, class: 'copy-input', spellcheck: 'false', ...extra });
	const btn = h('button', { type: 'button', class: 'btn btn-primary', onclick: () => copyText(input.value, input) }, 'Copy');
	return h('div', { class: 'field copy-field' },
		h('label', { for: id }, label),
		h('div', { class: 'copy-row' }, input, btn));
}

/** Save a Blob under a file name (object URL + <a download>). */
export function saveBlob(blob, name) {
	const url = URL.createObjectURL(blob);
	const a = h('a', { href: url, download: name || 'download', class: 'hidden' });
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60000);
}
