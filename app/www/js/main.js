// The dashboard's shell: routes on location.pathname (History API; nginx
// answers every unknown path with index.html), the top bar, the session.
import { get, post, session, setUnauthorizedHandler } from './api.js';
import { h, put, fmtSize, toast, errorBox, loading } from './dom.js';
import { loginView, registerView, accountView } from './views/auth.js';
import { filesView } from './views/files.js';
import { sharedView } from './views/shared.js';
import { keysView } from './views/keys.js';
import { adminView } from './views/admin.js';
import { publicView } from './views/public.js';
import { docsView } from './views/docs.js';
import { state, navigate, setShell } from './state.js';

// [pattern, view, {open: no sign-in needed, bare: no app chrome, admin}]
const ROUTES = [
	[/^\/login\/?$/, loginView, { open: true, guestOnly: true }],
	[/^\/register\/?$/, registerView, { open: true, guestOnly: true }],
	[/^\/(?:files\/?)?$/, filesView, {}],
	[/^\/files\/(\d+)\/?$/, filesView, {}],
	[/^\/shared(?:\/(with-me|by-me))?\/?$/, sharedView, {}],
	[/^\/keys\/?$/, keysView, {}],
	[/^\/account\/?$/, accountView, {}],
	[/^\/admin(?:\/(users|stats|audit))?\/?$/, adminView, { admin: true }],
	[/^\/docs\/?$/, docsView, { open: true, bare: true }],
	[/^\/s\/([A-Za-z0-9_-]{1,128})\/?$/, publicView, { open: true, bare: true }],
];

const NAV = [
	['/files', 'Files', /^\/(files|$)/],
	['/shared', 'Shared', /^\/shared/],
	['/keys', 'API keys', /^\/keys/],
	['/admin', 'Admin', /^\/admin/, true],
	['/docs', 'API docs', /^\/docs/],
];

export async function signOut() {
	try {
		await post('/api/auth/logout', undefined);
	} catch { /* the token is dropped either way */ }
	session.clear();
	state.user = null;
	navigate('/login', { notice: 'You are signed out.' });
}

function drawNav() {
	const nav = document.getElementById('mainnav');
	const path = location.pathname;
	const items = NAV.filter(([, , , admin]) => !admin || state.user?.role === 'admin')
		.map(([href, label, re]) => {
			const cur = re.test(path);
			return h('a', { href, 'data-nav': true, class: cur ? 'active' : null, 'aria-current': cur ? 'page' : null }, label);
		});
	put(nav, items);
	nav.hidden = false;
}

function drawUserbox() {
	const box = document.getElementById('userbox');
	const u = state.user;
	if (!u) {
		box.hidden = true;
		return;
	}
	const pct = u.quota_bytes > 0 ? Math.min(100, (100 * u.used_bytes) / u.quota_bytes) : 100;
	put(box,
		h('div', { class: 'quota', title: `${u.used_bytes} of ${u.quota_bytes} bytes` },
			h('progress', { max: 100, value: pct.toFixed(1), 'aria-label': 'Storage used', class: pct > 90 ? 'full' : null }),
			h('span', { class: 'quota-text', id: 'quota-text' }, `${fmtSize(u.used_bytes)} of ${fmtSize(u.quota_bytes)} used`)),
		h('a', { href: '/account', 'data-nav': true, class: 'username', title: 'Account settings' }, u.username),
		h('button', { type: 'button', class: 'btn btn-small', onclick: signOut }, 'Sign out'));
	box.hidden = false;
}

let renderSeq = 0;
// A view may take back/forward within its own path (query changes).
let popHandler = null;
let renderedPath = null;

async function render(notice) {
	const seq = ++renderSeq;
	const path = location.pathname;
	popHandler = null;
	renderedPath = path;
	const main = document.getElementById('main');
	document.querySelectorAll('dialog[open]').forEach((d) => d.close());
	let match = null;
	let route = null;
	for (const r of ROUTES) {
		match = r[0].exec(path);
		if (match) {
			route = r;
			break;
		}
	}
	const body = document.body;
	if (!route) {
		body.classList.remove('bare');
		put(main, h('section', { class: 'view' },
			h('h1', { tabindex: '-1' }, 'Page not found'),
			h('p', null, 'There is nothing at this address. ', h('a', { href: '/files', 'data-nav': true }, 'Go to your files'), '.')));
		document.title = 'Not found · TCloud';
		return;
	}
	const [, view, opts] = route;
	body.classList.toggle('bare', !!opts.bare);
	if (!opts.open && !session.token) {
		const next = path + location.search;
		history.replaceState(null, '', `/login${next !== '/' && next !== '/files' ? `?next=${encodeURIComponent(next)}` : ''}`);
		return render(notice);
	}
	if (opts.guestOnly && session.token) {
		history.replaceState(null, '', '/files');
		return render(notice);
	}
	if (session.token && !state.user && !opts.bare) {
		put(main, loading());
		try {
			state.user = await get('/api/auth/me');
		} catch (e) {
			if (e.handled || seq !== renderSeq) return;
			put(main, h('section', { class: 'view' }, h('h1', null, 'TCloud'), errorBox(e, () => render())));
			return;
		}
		if (seq !== renderSeq) return;
	}
	if (!session.token) state.user = null;
	document.getElementById('topbar').hidden = !!opts.bare;
	if (state.user && !opts.bare) {
		drawNav();
		drawUserbox();
	} else {
		document.getElementById('mainnav').hidden = true;
		document.getElementById('userbox').hidden = true;
	}
	if (opts.admin && state.user?.role !== 'admin') {
		put(main, h('section', { class: 'view' }, h('h1', { tabindex: '-1' }, 'Administrators only'),
			h('p', null, 'This page is for administrators.')));
		return;
	}
	const section = h('section', { class: 'view' });
	put(main, section);
	if (notice) section.append(h('p', { class: 'notice', role: 'status' }, notice));
	try {
		await view({ el: section, params: match.slice(1), query: new URLSearchParams(location.search), user: state.user,
			setPopHandler: (fn) => {
				if (seq === renderSeq) popHandler = fn;
			} });
	} catch (e) {
		if (!e.handled) section.append(errorBox(e, () => render()));
	}
	if (seq === renderSeq) {
		// Move the focus to the new page's heading unless the page put it
		// somewhere itself (e.g. the first field of a form).
		const h1 = section.querySelector('h1');
		const ae = document.activeElement;
		if (h1 && (!ae || ae === document.body || !document.contains(ae) || ae.closest('#topbar'))) {
			h1.setAttribute('tabindex', '-1');
			h1.focus({ preventScroll: true });
		}
	}
}

// A 401 on any signed-in call: back to sign-in, then back here.
setUnauthorizedHandler((err) => {
	state.user = null;
	const next = location.pathname + location.search;
	const notice = err.status === 401 ? 'Your session has ended. Please sign in again.' : err.message;
	navigate(`/login${next.startsWith('/login') ? '' : `?next=${encodeURIComponent(next)}`}`, { replace: true, notice });
});

// Same-origin links marked data-nav are handled here (no reload).
document.addEventListener('click', (e) => {
	const a = e.target.closest('a[data-nav]');
	if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
	const url = new URL(a.href, location.href);
	if (url.origin !== location.origin) return;
	e.preventDefault();
	if (url.pathname + url.search !== location.pathname + location.search)
		navigate(url.pathname + url.search);
});

// A file dropped outside a drop zone must not replace the app with it.
for (const type of ['dragover', 'drop']) {
	window.addEventListener(type, (e) => {
		if (e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files')) e.preventDefault();
	});
}

window.addEventListener('popstate', () => {
	if (popHandler && location.pathname === renderedPath) popHandler();
	else render();
});
window.addEventListener('storage', (e) => {
	// Signed out (or in) in another tab.
	if (e.key === 'tcloud.token' && !e.newValue && state.user) {
		state.user = null;
		navigate('/login', { replace: true, notice: 'You signed out in another tab.' });
	}
});

setShell({ render, userChanged: drawUserbox });
render().catch((e) => toast(e.message || String(e), 'error'));
