// Admin: users (pending approvals first), stats with a storage chart, and
// the audit log (keyset paging by before_id, filter by action / actor).
import { get, patch, del, qs } from '../api.js';
import { h, s, put, newId, busy, toast, errorBox, loading, fmtSize, fmtTime, confirmDialog } from '../dom.js';
import { state, refreshMe } from '../state.js';

const GIB = 1073741824;

const ACTIONS = ['register', 'login', 'login_failed', 'rate_limited', 'logout', 'password_change',
	'apikey_create', 'apikey_revoke', 'admin_user_update', 'admin_user_delete',
	'share_create', 'share_revoke', 'link_create', 'link_update', 'link_revoke', 'link_download'];

export async function adminView({ el, params }) {
	const tab = params[0] || 'users';
	const titles = { users: 'Users', stats: 'Statistics', audit: 'Audit log' };
	document.title = `Admin: ${titles[tab]} · TCloud`;
	const tabLink = (t) => h('a', { href: t === 'users' ? '/admin' : `/admin/${t}`, 'data-nav': true,
		class: ['tab', t === tab ? 'active' : null], 'aria-current': t === tab ? 'page' : null }, titles[t]);
	const body = h('div', null, loading());
	put(el, h('h1', null, 'Administration'),
		h('nav', { class: 'tabs', 'aria-label': 'Administration' }, tabLink('users'), tabLink('stats'), tabLink('audit')),
		body);
	if (tab === 'stats') return statsTab(body);
	if (tab === 'audit') return auditTab(body);
	return usersTab(body);
}

const STATUS_ORDER = { pending: 0, suspended: 1, active: 2 };

async function usersTab(body) {
	async function load() {
		try {
			const users = await get('/api/admin/users');
			users.sort((a, b) => (STATUS_ORDER[a.status] ?? 3) - (STATUS_ORDER[b.status] ?? 3) ||
				a.username.localeCompare(b.username));
			const pending = users.filter((u) => u.status === 'pending');
			const others = users.filter((u) => u.status !== 'pending');
			put(body,
				h('section', { class: 'admin-pending', 'aria-labelledby': 'pending-title' },
					h('h2', { id: 'pending-title' }, `Pending approval (${pending.length})`),
					pending.length ? h('ul', { class: 'user-cards' }, pending.map(card))
						: h('p', { class: 'muted' }, 'No account is waiting for approval.')),
				h('section', { 'aria-labelledby': 'users-title' },
					h('h2', { id: 'users-title' }, `Accounts (${others.length})`),
					h('ul', { class: 'user-cards' }, others.map(card))));
		} catch (e) {
			if (!e.handled) put(body, errorBox(e, load));
		}
	}

	async function change(btn, u, what, label) {
		await busy(btn, 'Saving…', async () => {
			await patch(`/api/admin/users/${u.id}`, what);
			toast(label);
			if (u.id === state.user.id) await refreshMe();
			await load();
		});
	}

	function card(u) {
		const me = u.id === state.user.id;
		const pct = u.quota_bytes > 0 ? Math.min(100, (100 * u.used_bytes) / u.quota_bytes) : 100;
		const buttons = h('div', { class: 'card-actions' });
		if (u.status === 'pending' || u.status === 'suspended') {
			const b = h('button', { type: 'button', class: 'btn btn-primary btn-small', 'aria-label': `${u.status === 'pending' ? 'Approve' : 'Reactivate'} ${u.username}` },
				u.status === 'pending' ? 'Approve' : 'Reactivate');
			b.addEventListener('click', () => change(b, u, { approved: true }, `${u.username} can sign in now.`));
			buttons.append(b);
		} else {
			const b = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Suspend ${u.username}` }, 'Suspend');
			b.addEventListener('click', async () => {
				const ok = await confirmDialog({ title: `Suspend ${u.username}?`, message: 'Their sessions and API keys stop working until the account is reactivated. Files are kept.', confirmLabel: 'Suspend' });
				if (ok) change(b, u, { suspended: true }, `${u.username} is suspended.`);
			});
			buttons.append(b);
		}
		const rm = h('button', { type: 'button', class: 'btn btn-danger btn-small', 'aria-label': `Delete ${u.username}` }, 'Delete');
		rm.addEventListener('click', async () => {
			const ok = await confirmDialog({
				title: `Delete ${u.username}?`,
				message: [`The account, its ${fmtSize(u.used_bytes)} of files, its folders, shares, public links and API keys are deleted for good.`,
					me ? 'This is your own account: you will be signed out.' : null].filter(Boolean),
				confirmLabel: 'Delete account',
			});
			if (!ok) return;
			await busy(rm, 'Deleting…', async () => {
				await del(`/api/admin/users/${u.id}`);
				toast(`${u.username} deleted.`);
				load();
			});
		});
		buttons.append(rm);

		const ids = { role: newId('f'), quota: newId('f') };
		const role = h('select', { id: ids.role, name: 'role' },
			h('option', { value: 'user', selected: u.role === 'user' }, 'User'),
			h('option', { value: 'admin', selected: u.role === 'admin' }, 'Administrator'));
		const quota = h('input', { id: ids.quota, name: 'quota_gb', type: 'number', min: 0, step: 'any', inputmode: 'decimal',
			value: +(u.quota_bytes / GIB).toFixed(3) });
		const save = h('button', { type: 'submit', class: 'btn btn-small' }, 'Save');
		const form = h('form', { class: 'card-form', 'aria-label': `Role and quota of ${u.username}` },
			h('div', { class: 'field' }, h('label', { for: ids.role }, 'Role'), role),
			h('div', { class: 'field' }, h('label', { for: ids.quota }, 'Quota (GiB)'), quota),
			save);
		form.addEventListener('submit', (e) => {
			e.preventDefault();
			const what = {};
			if (role.value !== u.role) what.role = role.value;
			const q = Number(quota.value);
			if (quota.value === '' || !(q >= 0)) {
				toast('The quota is a number of GiB, 0 or more.', 'error');
				return;
			}
			if (Math.round(q * GIB) !== u.quota_bytes) what.quota_bytes = Math.round(q * GIB);
			if (!Object.keys(what).length) {
				toast('Nothing changed.');
				return;
			}
			change(save, u, what, `${u.username} updated.`);
		});

		return h('li', { class: ['card', 'user-card', `status-${u.status}`], dataset: { username: u.username } },
			h('div', { class: 'user-head' },
				h('h3', null, u.username, me ? h('span', { class: 'muted' }, ' (you)') : null),
				h('span', { class: ['badge', `badge-${u.status}`] }, u.status),
				u.role === 'admin' ? h('span', { class: 'badge badge-admin' }, 'admin') : null),
			h('p', { class: 'muted small' }, u.email),
			h('div', { class: 'quota' },
				h('progress', { max: 100, value: pct.toFixed(1), 'aria-label': `Storage used by ${u.username}` }),
				h('span', { class: 'small' }, `${fmtSize(u.used_bytes)} of ${fmtSize(u.quota_bytes)}`)),
			h('p', { class: 'muted small' }, 'Registered ', fmtTime(u.created_at), ' · last sign-in ', fmtTime(u.last_login_at, 'never')),
			buttons, form);
	}
	await load();
}

async function statsTab(body) {
	async function load() {
		try {
			const [st, users] = await Promise.all([get('/api/admin/stats'), get('/api/admin/users')]);
			const items = [
				['Users', st.total_users], ['Pending', st.pending_users], ['Active', st.active_users],
				['Suspended', st.suspended_users], ['Files', st.total_files], ['Folders', st.total_folders],
				['Stored', fmtSize(st.total_bytes)], ['Public links', st.public_links],
			];
			put(body,
				h('ul', { class: 'stat-cards' }, items.map(([k, v]) => h('li', { class: 'card stat' },
					h('span', { class: 'stat-value' }, String(v)), h('span', { class: 'stat-label' }, k)))),
				h('h2', { id: 'chart-title' }, 'Storage per user'),
				chart(users));
		} catch (e) {
			if (!e.handled) put(body, errorBox(e, load));
		}
	}
	await load();
}

/** Horizontal bars, built with DOM APIs (SVG), largest first, top 20;
 * lengths relative to the largest user, the quota share as text. */
function chart(users) {
	const rows = [...users].sort((a, b) => b.used_bytes - a.used_bytes || a.username.localeCompare(b.username)).slice(0, 20);
	if (!rows.length) return h('p', { class: 'muted' }, 'No users.');
	const max = Math.max(1, ...rows.map((u) => u.used_bytes));
	const W = 640, labelW = 130, valueW = 190, barH = 20, gap = 8;
	const barW = W - labelW - valueW;
	const H = rows.length * (barH + gap) + gap;
	const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-labelledby': 'chart-title chart-desc' },
		s('desc', { id: 'chart-desc' }, 'Bytes stored by each user, the largest first.'));
	rows.forEach((u, i) => {
		const y = gap + i * (barH + gap);
		const used = u.used_bytes > 0 ? Math.max(2, (barW * u.used_bytes) / max) : 0;
		const pct = u.quota_bytes > 0 ? (100 * u.used_bytes) / u.quota_bytes : 0;
		svg.append(s('g', { class: 'chart-row' },
			s('title', null, `${u.username}: ${fmtSize(u.used_bytes)} of ${fmtSize(u.quota_bytes)} quota`),
			s('text', { x: labelW - 8, y: y + barH / 2, class: 'chart-label', 'text-anchor': 'end', 'dominant-baseline': 'middle' },
				u.username.length > 16 ? `${u.username.slice(0, 15)}…` : u.username),
			s('rect', { x: labelW, y, width: barW, height: barH, rx: 3, class: 'chart-track' }),
			s('rect', { x: labelW, y, width: used.toFixed(1), height: barH, rx: 3, class: 'chart-used' }),
			s('text', { x: labelW + barW + 8, y: y + barH / 2, class: 'chart-value', 'dominant-baseline': 'middle' },
				u.used_bytes ? `${fmtSize(u.used_bytes)} (${pct < 0.1 ? '<0.1' : pct.toFixed(1)} % of quota)` : '0 bytes')));
	});
	// The same numbers as a table for screen readers and narrow screens.
	const table = h('table', { class: 'list visually-hidden' },
		h('caption', null, 'Storage per user'),
		h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'User'), h('th', { scope: 'col' }, 'Used'), h('th', { scope: 'col' }, 'Quota'))),
		h('tbody', null, rows.map((u) => h('tr', null, h('td', null, u.username), h('td', null, fmtSize(u.used_bytes)), h('td', null, fmtSize(u.quota_bytes))))));
	return h('div', { class: 'chart-wrap' }, svg, table,
		users.length > rows.length ? h('p', { class: 'muted small' }, `The ${rows.length} largest of ${users.length} accounts.`) : null);
}

async function auditTab(body) {
	const PAGE = 50;
	const ids = { action: newId('f'), actor: newId('f') };
	const action = h('select', { id: ids.action, name: 'action' }, h('option', { value: '' }, 'All actions'),
		ACTIONS.map((a) => h('option', { value: a }, a)));
	const actor = h('input', { id: ids.actor, name: 'actor', type: 'text', autocomplete: 'off', placeholder: 'username', autocapitalize: 'none' });
	const apply = h('button', { type: 'submit', class: 'btn btn-small' }, 'Filter');
	const filter = h('form', { class: 'form-row filter', 'aria-label': 'Filter the audit log' },
		h('div', { class: 'field' }, h('label', { for: ids.action }, 'Action'), action),
		h('div', { class: 'field' }, h('label', { for: ids.actor }, 'Actor'), actor),
		apply);
	const out = h('div', { class: 'listing' });
	const pager = h('div', { class: 'pager' });
	put(body, filter, out, pager);
	const pages = []; // before_id of each page shown (0 = newest)

	async function load(before) {
		put(out, loading());
		pager.replaceChildren();
		try {
			const rows = await get(`/api/admin/audit${qs({ limit: PAGE, before_id: before || null, action: action.value, actor: actor.value.trim() })}`);
			if (!rows.length) {
				put(out, h('div', { class: 'empty' }, h('p', null, before ? 'No older entries.' : 'No entries match.')));
			} else {
				put(out, h('div', { class: 'table-wrap' }, h('table', { class: 'list audit stack-mobile' },
					h('thead', null, h('tr', null, ['Time', 'Actor', 'Action', 'Target', 'IP', 'Details'].map((c) => h('th', { scope: 'col' }, c)))),
					h('tbody', null, rows.map((r) => h('tr', { dataset: { id: r.id } },
						h('td', { 'data-label': 'Time' }, fmtTime(r.created_at)),
						h('td', { 'data-label': 'Actor' }, r.actor ?? (r.actor_id ? `#${r.actor_id}` : h('span', { class: 'muted' }, 'anonymous'))),
						h('td', { 'data-label': 'Action' }, h('code', null, r.action)),
						h('td', { 'data-label': 'Target' }, r.target_type ? `${r.target_type} ${r.target_id ?? ''}` : '—'),
						h('td', { 'data-label': 'IP' }, r.ip || '—'),
						h('td', { class: 'details', 'data-label': 'Details' }, r.details == null ? '—' : h('code', null, JSON.stringify(r.details)))))))));
			}
			const newer = h('button', { type: 'button', class: 'btn btn-small', disabled: pages.length === 0 }, '← Newer');
			newer.addEventListener('click', () => {
				pages.pop();
				load(pages.length ? pages[pages.length - 1] : 0);
			});
			const older = h('button', { type: 'button', class: 'btn btn-small', disabled: rows.length < PAGE }, 'Older →');
			older.addEventListener('click', () => {
				const last = rows[rows.length - 1].id;
				pages.push(last);
				load(last);
			});
			put(pager, newer, h('span', { class: 'muted small' }, `Page ${pages.length + 1}`), older);
		} catch (e) {
			if (!e.handled) put(out, errorBox(e, () => load(before)));
		}
	}
	filter.addEventListener('submit', (e) => {
		e.preventDefault();
		pages.length = 0;
		load(0);
	});
	action.addEventListener('change', () => {
		pages.length = 0;
		load(0);
	});
	await load(0);
}
