// The API reference (/docs), rendered from GET /api/openapi.json, which
// the server generates from its route tables.  Only documented
// operations get a data-route: the browser tests compare those with the
// route tables, so a route without prose in app/api-doc.c fails.
import { get } from '../api.js';
import { h, put, copyText, errorBox, loading } from '../dom.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function codeBlock(text, label) {
	const pre = h('pre', { class: 'code' }, h('code', null, text));
	if (!label) return pre;
	return h('div', { class: 'code-wrap' }, pre,
		h('button', { type: 'button', class: 'btn btn-small code-copy', 'aria-label': `Copy ${label}`, onclick: () => copyText(text) }, 'Copy'));
}

const pretty = (v) => JSON.stringify(v, null, 1).replace(/\n\s*/g, ' ');

function params(op) {
	const ps = (op.parameters || []).filter((p) => p.in !== 'path');
	if (!ps.length) return null;
	return [h('h5', null, 'Parameters'), h('dl', { class: 'params' }, ps.map((p) => [
		h('dt', null, h('code', null, p.name)),
		h('dd', null, `${p.in === 'header' ? 'header' : p.schema?.type || 'string'} — ${p.description || ''}`)]))];
}

function body(op) {
	const rb = op.requestBody;
	if (!rb) return null;
	const json = rb.content?.['application/json'];
	const form = rb.content?.['multipart/form-data'];
	let text;
	if (json && json.example !== undefined) text = pretty(json.example);
	else if (form) text = `# multipart/form-data\n${Object.entries(form.schema?.properties || {})
		.map(([k, v]) => `${k}: ${v.contentMediaType ? '<binary>' : v.type}${form.schema.required?.includes(k) ? '' : '   # optional'}`).join('\n')}`;
	else text = '{ … }';
	return [h('h5', null, 'Request Body'), rb.description ? h('p', null, rb.description) : null, codeBlock(text)];
}

function response(op) {
	const codes = Object.keys(op.responses || {});
	const ok = codes.find((c) => /^2/.test(c));
	const ex = ok && op.responses[ok].content?.['application/json']?.example;
	return [ex !== undefined ? [h('h5', null, 'Response'), codeBlock(`${ok === '200' ? '' : `${ok} `}${pretty(ex)}`)] : null,
		h('p', { class: 'muted small statuses' }, 'Statuses: ', codes.map((c, i) => [i ? ' · ' : '',
			h('abbr', { title: op.responses[c].description }, c)]))];
}

function route(path, method, op) {
	const m = method.toUpperCase();
	return h('article', { class: 'route', id: `${m}-${path}`.replace(/[^A-Za-z0-9]+/g, '-'), dataset: { route: `${m} ${path}` } },
		h('h4', null, h('span', { class: ['method', `method-${method}`] }, m), ' ',
			h('code', { class: 'path' }, path), ' ', h('span', { class: 'summary' }, op.summary)),
		h('p', { class: 'muted small' }, `Auth: ${op['x-tcloud-auth'] || op['x-tcloud-who']}`),
		op.description ? h('p', null, op.description) : null,
		params(op), body(op), response(op));
}

/** The documented operations of spec, grouped by tag in the tags' order. */
function groups(spec) {
	const by = new Map((spec.tags || []).map((t) => [t.name, { tag: t, ops: [] }]));
	for (const [path, item] of Object.entries(spec.paths || {}))
		for (const method of METHODS) {
			const op = item[method];
			if (!op || op['x-tcloud-undocumented'] || !op.summary) continue;
			const g = by.get(op.tags?.[0]);
			if (g) g.ops.push([path, method, op]);
		}
	return [...by.values()].filter((g) => g.ops.length);
}

export async function docsView({ el }) {
	document.title = 'API Reference · TCloud';
	const base = location.origin;
	const curl = `curl -X POST ${base}/api/files/upload \\\n  -H "X-API-Key: <key>" \\\n  -F "file=@backup.db"`;
	put(el, loading());
	let spec;
	try {
		spec = await get('/api/openapi.json', { auth: false });
	} catch (e) {
		put(el, errorBox(e, () => docsView({ el })));
		return;
	}
	const gs = groups(spec);
	put(el, h('div', { class: 'docs' },
		h('p', null, h('a', { href: '/', 'data-nav': true, class: 'back' }, '← Back to App')),
		h('h1', null, 'TCloud API Reference'),
		h('p', { class: 'lead' }, 'Base URL: ', h('code', { 'data-testid': 'base-url' }, base), ' · All routes prefixed with ', h('code', null, '/api'),
			' · All responses are JSON, except downloads. Errors: ', h('code', null, '{"error": "<sentence>", "code": "<snake_case>"}'),
			'. Times are UTC "YYYY-MM-DD HH:MM:SS". Machine-readable: ',
			h('a', { href: '/api/openapi.json', 'data-testid': 'openapi-link' }, `OpenAPI ${spec.openapi}`), '.'),
		h('nav', { class: 'docs-toc', 'aria-label': 'Sections' }, h('a', { href: '#authentication' }, 'Authentication'),
			gs.map(({ tag }) => h('a', { href: `#${tag.name}` }, tag['x-displayName'] || tag.name))),
		h('section', { id: 'authentication' },
			h('h2', null, 'Authentication'),
			h('h3', null, 'Bearer Token (JWT)'),
			h('p', null, 'Get a token from ', h('code', null, 'POST /api/auth/login'), '. Pass it on every protected request:'),
			codeBlock('Authorization: Bearer <token>'),
			h('h3', null, 'API Key'),
			h('p', null, 'Create a key from the ', h('a', { href: '/keys', 'data-nav': true }, 'API Keys page'), ' inside the dashboard. Use it instead of a Bearer token:'),
			codeBlock('X-API-Key: <your-api-key>'),
			h('p', null, 'Upload example with curl:'),
			codeBlock(curl, 'curl example')),
		gs.map(({ tag, ops }) => h('section', { id: tag.name },
			h('h2', null, `${tag['x-displayName'] || tag.name} Routes`),
			tag.description ? h('p', null, tag.description) : null,
			ops.map(([path, method, op]) => route(path, method, op))))));
}
