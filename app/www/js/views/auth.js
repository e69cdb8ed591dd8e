// Sign in, register, account (password change).
import { get, post, session } from '../api.js';
import { h, put, newId, busy, fmtSize } from '../dom.js';
import { navigate, state } from '../state.js';

function field(label, attrs, hint) {
	const id = newId('f');
	const hintId = hint ? newId('hint') : null;
	return h('div', { class: 'field' },
		h('label', { for: id }, label),
		h('input', { id, 'aria-describedby': hintId, ...attrs }),
		hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
}

/** Only a local path may follow sign-in (no open redirect). */
function safeNext(q) {
	const n = q.get('next');
	return n && n.startsWith('/') && !n.startsWith('//') && !n.startsWith('/\\') && !n.startsWith('/login') ? n : '/files';
}

export async function loginView({ el, query }) {
	document.title = 'Sign in · TCloud';
	const err = h('div', { class: 'form-error' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-wide' }, 'Sign in');
	const form = h('form', { class: 'card auth-card', 'aria-labelledby': 'login-title' },
		h('h1', { id: 'login-title' }, 'Sign in to TCloud'),
		field('Username', { name: 'username', type: 'text', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' }),
		field('Password', { name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
		err, submit,
		h('p', { class: 'muted' }, 'No account yet? ', h('a', { href: '/register', 'data-nav': true }, 'Create one'), '.'),
		h('p', { class: 'muted small' }, h('a', { href: '/docs', 'data-nav': true }, 'API reference')));
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		const username = form.elements.username.value.trim();
		const password = form.elements.password.value;
		busy(submit, 'Signing in…', async () => {
			const r = await post('/api/auth/login', { username, password }, { auth: false });
			session.set(r.token);
			state.user = await get('/api/auth/me');
			navigate(safeNext(query), { replace: true });
		}, err);
	});
	put(el, h('div', { class: 'auth-wrap' }, el.querySelector('.notice'), form));
	form.elements.username.focus();
}

export async function registerView({ el }) {
	document.title = 'Create an account · TCloud';
	const err = h('div', { class: 'form-error' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-wide' }, 'Create account');
	const form = h('form', { class: 'card auth-card', 'aria-labelledby': 'reg-title' },
		h('h1', { id: 'reg-title' }, 'Create an account'),
		field('Username', { name: 'username', type: 'text', autocomplete: 'username', required: true, minlength: 3, maxlength: 32,
			pattern: '[A-Za-z0-9_.\\-]{3,32}', autocapitalize: 'none', spellcheck: 'false' }, '3 to 32 letters, digits, dots, dashes or underscores.'),
		field('Email', { name: 'email', type: 'email', autocomplete: 'email', required: true }),
		field('Password', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 }, 'At least 8 characters.'),
		field('Repeat password', { name: 'password2', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 }),
		err, submit,
		h('p', { class: 'muted' }, 'Already registered? ', h('a', { href: '/login', 'data-nav': true }, 'Sign in'), '.'));
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		const f = form.elements;
		if (f.password.value !== f.password2.value) {
			put(err, h('div', { class: 'error', role: 'alert' }, 'The two passwords differ.'));
			f.password2.focus();
			return;
		}
		busy(submit, 'Creating…', async () => {
			const r = await post('/api/auth/register', {
				username: f.username.value.trim(), email: f.email.value.trim(), password: f.password.value,
			}, { auth: false });
			put(el, h('div', { class: 'auth-wrap' }, h('div', { class: 'card auth-card' },
				h('h1', { tabindex: '-1' }, 'Awaiting approval'),
				h('p', { class: 'success', role: 'status' }, r.message || 'Registered. Awaiting admin approval.'),
				h('p', null, 'An administrator has to approve the account before you can sign in.'),
				h('a', { href: '/login', 'data-nav': true, class: 'btn btn-primary' }, 'Back to sign in'))));
			el.querySelector('h1').focus();
		}, err);
	});
	put(el, h('div', { class: 'auth-wrap' }, form));
	form.elements.username.focus();
}

export async function accountView({ el }) {
	document.title = 'Account · TCloud';
	const u = state.user;
	const err = h('div', { class: 'form-error' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Change password');
	const form = h('form', { class: 'card', 'aria-labelledby': 'pw-title' },
		h('h2', { id: 'pw-title' }, 'Change password'),
		h('p', { class: 'hint' }, 'Every signed-in session ends, this one included; API keys keep working.'),
		field('Current password', { name: 'current', type: 'password', autocomplete: 'current-password', required: true }),
		field('New password', { name: 'next', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 }, 'At least 8 characters.'),
		field('Repeat new password', { name: 'next2', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 }),
		err, submit);
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		const f = form.elements;
		if (f.next.value !== f.next2.value) {
			put(err, h('div', { class: 'error', role: 'alert' }, 'The two new passwords differ.'));
			return;
		}
		busy(submit, 'Changing…', async () => {
			await post('/api/auth/password', { current_password: f.current.value, new_password: f.next.value });
			session.clear();
			state.user = null;
			navigate('/login', { replace: true, notice: 'Password changed. Sign in with the new password.' });
		}, err);
	});
	const pct = u.quota_bytes > 0 ? (100 * u.used_bytes) / u.quota_bytes : 100;
	put(el,
		h('h1', null, 'Account'),
		h('div', { class: 'grid-2' },
			h('div', { class: 'card' },
				h('h2', null, 'Profile'),
				h('dl', { class: 'props' },
					h('dt', null, 'Username'), h('dd', null, u.username),
					h('dt', null, 'Email'), h('dd', null, u.email || '—'),
					h('dt', null, 'Role'), h('dd', null, u.role),
					h('dt', null, 'Storage'), h('dd', null,
						h('progress', { max: 100, value: Math.min(100, pct).toFixed(1), 'aria-label': 'Storage used' }), ' ',
						`${fmtSize(u.used_bytes)} of ${fmtSize(u.quota_bytes)} (${pct.toFixed(1)} %)`)),
				h('p', null, h('a', { href: '/keys', 'data-nav': true }, 'Manage API keys'), ' · ',
					h('a', { href: '/docs', 'data-nav': true }, 'API reference'))),
			form));
}
