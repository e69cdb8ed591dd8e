// Files: breadcrumbs, the folder's folders and files, sorting, create /
// rename / move / delete, uploads (picker and drag-and-drop, a progress
// bar per file), downloads, and the sharing dialogs.
import { get, post, patch, del, qs, upload, download } from '../api.js';
import { h, put, busy, toast, errorBox, loading, fmtSize, fmtTime, fmtType, formDialog,
	confirmDialog, panelDialog, parseUtc } from '../dom.js';
import { navigate, refreshMe } from '../state.js';
import { shareDialog, linkDialog } from './sharing.js';

const SORT_KEY = 'tcloud.sort';
const UPLOAD_PARALLEL = 2;

function loadSort() {
	try {
		const s = JSON.parse(localStorage.getItem(SORT_KEY));
		if (s && ['name', 'size', 'date'].includes(s.key) && (s.dir === 1 || s.dir === -1)) return s;
	} catch { /* default */ }
	return { key: 'name', dir: 1 };
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function sorted(items, sort, isFolder) {
	const key = (x) => {
		if (sort.key === 'size') return isFolder ? 0 : x.size;
		if (sort.key === 'date') return parseUtc(x.updated_at || x.created_at)?.getTime() ?? 0;
		return 0;
	};
	return [...items].sort((a, b) => {
		let c = sort.key === 'name' ? 0 : key(a) - key(b);
		if (c === 0) c = collator.compare(a.name, b.name);
		return c * sort.dir;
	});
}

/** The folder picker for "Move": browse from the root, pick "Move here". */
function moveDialog(item, isFolder, startFolder) {
	return new Promise((resolve) => {
		const dlg = panelDialog(`Move “${item.name}”`, 'dialog-move');
		const where = h('p', { class: 'move-where' });
		const list = h('ul', { class: 'plain-list folder-pick' });
		const err = h('div', { class: 'form-error' });
		const here = h('button', { type: 'button', class: 'btn btn-primary' }, 'Move here');
		let trail = []; // [{id, name}] from the top
		let done = false;

		async function show(folderId) {
			put(list, h('li', null, loading()));
			try {
				trail = folderId ? await get(`/api/folders/${folderId}/path`) : [];
				const subs = await get(`/api/folders${qs({ parent_id: folderId })}`);
				put(where, 'Destination: ',
					h('button', { type: 'button', class: 'linklike', onclick: () => show(null) }, 'My files'),
					trail.map((p) => [' / ', h('button', { type: 'button', class: 'linklike', onclick: () => show(p.id) }, p.name)]));
				const choices = sorted(subs, { key: 'name', dir: 1 }, true).filter((f) => !(isFolder && f.id === item.id));
				put(list, choices.length ? choices.map((f) => h('li', null,
					h('button', { type: 'button', class: 'folder-choice', onclick: () => show(f.id) }, h('span', { class: 'icon icon-folder', 'aria-hidden': 'true' }), f.name)))
					: h('li', { class: 'muted' }, 'No folders inside.'));
			} catch (e) {
				if (!e.handled) put(list, h('li', null, errorBox(e)));
			}
		}
		here.addEventListener('click', () => busy(here, 'Moving…', async () => {
			const dest = trail.length ? trail[trail.length - 1].id : null;
			if (isFolder) await patch(`/api/folders/${item.id}`, { parent_id: dest });
			else await patch(`/api/files/${item.id}`, { folder_id: dest ?? -1 });
			done = true;
			toast(`Moved “${item.name}” to ${trail.length ? trail[trail.length - 1].name : 'My files'}.`);
			dlg.close();
		}, err));
		dlg.body.append(where, list, err,
			h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, 'Cancel'), here));
		dlg.addEventListener('close', () => resolve(done));
		dlg.showModal();
		show(startFolder);
		here.focus();
	});
}

export async function filesView({ el, params }) {
	const folderId = params[0] ? Number(params[0]) : null;
	let sort = loadSort();
	let folders = [];
	let files = [];

	const title = h('h1', null, 'My files');
	const crumbs = h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' });
	const listing = h('div', { class: 'listing' }, loading());
	const uploads = h('ul', { class: 'uploads', 'aria-label': 'Uploads' });
	const picker = h('input', { type: 'file', multiple: true, class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true', id: 'upload-input' });
	const uploadBtn = h('button', { type: 'button', class: 'btn btn-primary' }, 'Upload files');
	const newFolderBtn = h('button', { type: 'button', class: 'btn' }, 'New folder');
	const sortSel = h('select', { id: 'sort-select', 'aria-label': 'Sort by' },
		h('option', { value: 'name:1' }, 'Name A–Z'), h('option', { value: 'name:-1' }, 'Name Z–A'),
		h('option', { value: 'size:-1' }, 'Largest first'), h('option', { value: 'size:1' }, 'Smallest first'),
		h('option', { value: 'date:-1' }, 'Newest first'), h('option', { value: 'date:1' }, 'Oldest first'));
	const drop = h('div', { class: 'dropzone', id: 'dropzone' },
		h('p', null, 'Drag files here to upload them', folderId ? ' into this folder' : '', ', or use “Upload files”.'));
	const toolbar = h('div', { class: 'toolbar' },
		uploadBtn, newFolderBtn,
		folderId ? h('button', { type: 'button', class: 'btn', onclick: () => linkDialog('folders', { id: folderId, name: title.textContent }) }, 'Public link') : null,
		h('span', { class: 'grow' }),
		h('span', { class: 'sort-group' }, h('label', { class: 'sort-label', for: 'sort-select' }, 'Sort'), sortSel));

	put(el, crumbs, title, toolbar, drop, picker, uploads, listing);
	document.title = 'Files · TCloud';

	async function loadCrumbs() {
		if (!folderId) {
			put(crumbs, h('ol', null, h('li', null, h('span', { 'aria-current': 'page' }, 'My files'))));
			return;
		}
		const path = await get(`/api/folders/${folderId}/path`);
		const last = path[path.length - 1];
		title.textContent = last ? last.name : 'Folder';
		document.title = `${title.textContent} · TCloud`;
		put(crumbs, h('ol', null,
			h('li', null, h('a', { href: '/files', 'data-nav': true }, 'My files')),
			path.map((p, i) => h('li', null, i === path.length - 1
				? h('span', { 'aria-current': 'page' }, p.name)
				: h('a', { href: `/files/${p.id}`, 'data-nav': true }, p.name)))));
	}

	async function load() {
		put(listing, loading());
		try {
			[folders, files] = await Promise.all([
				get(`/api/folders${qs({ parent_id: folderId })}`),
				get(`/api/files${qs({ folder_id: folderId })}`),
			]);
			draw();
		} catch (e) {
			if (!e.handled) put(listing, errorBox(e, load));
		}
	}

	function sortButton(key, label) {
		const active = sort.key === key;
		const th = h('th', { scope: 'col', class: `col-${key}`, 'aria-sort': active ? (sort.dir === 1 ? 'ascending' : 'descending') : null },
			h('button', { type: 'button', class: 'th-sort', onclick: () => setSort(key, active ? -sort.dir : (key === 'name' ? 1 : -1)) },
				label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (sort.dir === 1 ? ' ▲' : ' ▼') : '')));
		return th;
	}

	function setSort(key, dir) {
		sort = { key, dir };
		try {
			localStorage.setItem(SORT_KEY, JSON.stringify(sort));
		} catch { /* not kept */ }
		draw();
	}

	sortSel.addEventListener('change', () => {
		const [k, d] = sortSel.value.split(':');
		setSort(k, Number(d));
	});

	function actionsButton(item, isFolder) {
		return h('button', { type: 'button', class: 'btn btn-small btn-more', 'aria-label': `Actions for ${item.name}`, 'aria-haspopup': 'dialog',
			onclick: () => actionSheet(item, isFolder) }, 'More…');
	}

	function actionSheet(item, isFolder) {
		const dlg = panelDialog(item.name, 'dialog-actions-sheet');
		const act = (label, fn, cls) => h('button', { type: 'button', class: ['btn', 'btn-block', cls], onclick: () => {
			dlg.close();
			fn();
		} }, label);
		dlg.body.append(
			isFolder ? h('p', { class: 'muted' }, 'Folder · created ', fmtTime(item.created_at))
				: h('p', { class: 'muted' }, `${fmtSize(item.size)} · ${item.mime_type} · `, fmtTime(item.updated_at)),
			h('div', { class: 'sheet' },
				isFolder ? act('Open', () => navigate(`/files/${item.id}`)) : act('Download', () => doDownload(item)),
				act('Rename…', () => doRename(item, isFolder)),
				act('Move…', () => doMove(item, isFolder)),
				isFolder ? null : act('Share with a user…', () => shareDialog(item)),
				act('Public link…', () => linkDialog(isFolder ? 'folders' : 'files', item)),
				act('Delete…', () => doDelete(item, isFolder), 'btn-danger')));
		dlg.showModal();
		dlg.body.querySelector('.sheet button').focus();
	}

	async function doDownload(item, btn) {
		await busy(btn, 'Downloading…', async () => {
			await download(`/api/files/${item.id}/download`, { name: item.name });
		});
	}

	async function doRename(item, isFolder) {
		const r = await formDialog({
			title: `Rename ${isFolder ? 'folder' : 'file'}`,
			fields: [{ name: 'name', label: 'New name', value: item.name, required: true, attrs: { maxlength: 255, autocomplete: 'off' } }],
			submitLabel: 'Rename', busyLabel: 'Renaming…',
			onSubmit: async ({ name }) => {
				if (name === item.name) return true;
				return patch(`/api/${isFolder ? 'folders' : 'files'}/${item.id}`, { name });
			},
		});
		if (r) {
			toast('Renamed.');
			load();
		}
	}

	async function doMove(item, isFolder) {
		if (await moveDialog(item, isFolder, folderId)) load();
	}

	async function doDelete(item, isFolder) {
		const ok = await confirmDialog({
			title: `Delete ${isFolder ? 'folder' : 'file'}?`,
			message: isFolder
				? [`“${item.name}” and everything inside it will be deleted for good.`, 'Public links inside it stop working.']
				: [`“${item.name}” (${fmtSize(item.size)}) will be deleted for good.`, 'Its shares and public link go with it.'],
		});
		if (!ok) return;
		await busy(null, null, async () => {
			const r = await del(`/api/${isFolder ? 'folders' : 'files'}/${item.id}`);
			toast(isFolder ? `Deleted “${item.name}” (${r.deleted_files} files, ${r.deleted_folders} folders).` : `Deleted “${item.name}”.`);
			load();
			refreshMe();
		});
	}

	function draw() {
		sortSel.value = `${sort.key}:${sort.dir}`;
		if (!folders.length && !files.length) {
			put(listing, h('div', { class: 'empty' }, h('p', null, 'This folder is empty.'),
				h('p', { class: 'muted' }, 'Upload files or create a folder to get started.')));
			return;
		}
		const rows = [];
		for (const f of sorted(folders, sort, true)) {
			rows.push(h('tr', { class: 'row-folder', dataset: { name: f.name } },
				h('td', { class: 'col-name' },
					h('a', { href: `/files/${f.id}`, 'data-nav': true, class: 'item-name' },
						h('span', { class: 'icon icon-folder', 'aria-hidden': 'true' }), h('span', { class: 'name-text' }, f.name)),
					h('span', { class: 'meta-mobile' }, 'Folder · ', fmtTime(f.created_at))),
				h('td', { class: 'col-size' }, h('span', { class: 'muted' }, '—')),
				h('td', { class: 'col-type' }, 'Folder'),
				h('td', { class: 'col-date' }, fmtTime(f.created_at)),
				h('td', { class: 'col-actions' }, actionsButton(f, true))));
		}
		for (const f of sorted(files, sort, false)) {
			const dl = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Download ${f.name}` }, 'Download');
			dl.addEventListener('click', () => doDownload(f, dl));
			rows.push(h('tr', { class: 'row-file', dataset: { name: f.name } },
				h('td', { class: 'col-name' },
					h('span', { class: 'item-name' }, h('span', { class: 'icon icon-file', 'aria-hidden': 'true' }), h('span', { class: 'name-text' }, f.name)),
					h('span', { class: 'meta-mobile' }, `${fmtSize(f.size)} · `, fmtTime(f.updated_at))),
				h('td', { class: 'col-size', title: `${f.size} bytes` }, fmtSize(f.size)),
				h('td', { class: 'col-type', title: f.mime_type }, fmtType(f.mime_type, f.name)),
				h('td', { class: 'col-date' }, fmtTime(f.updated_at)),
				h('td', { class: 'col-actions' }, h('div', { class: 'row-actions' }, dl, actionsButton(f, false)))));
		}
		put(listing, h('div', { class: 'table-wrap' }, h('table', { class: 'files' },
			h('caption', { class: 'visually-hidden' }, `Contents of ${title.textContent}, ${folders.length} folders and ${files.length} files`),
			h('thead', null, h('tr', null,
				sortButton('name', 'Name'), sortButton('size', 'Size'),
				h('th', { scope: 'col', class: 'col-type' }, 'Type'),
				sortButton('date', 'Modified'),
				h('th', { scope: 'col', class: 'col-actions' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
			h('tbody', null, rows))),
		h('p', { class: 'muted small' }, `${folders.length} folder${folders.length === 1 ? '' : 's'}, ${files.length} file${files.length === 1 ? '' : 's'}, ${fmtSize(files.reduce((a, f) => a + f.size, 0))}`));
	}

	newFolderBtn.addEventListener('click', async () => {
		const r = await formDialog({
			title: 'New folder',
			fields: [{ name: 'name', label: 'Folder name', required: true, attrs: { maxlength: 255, autocomplete: 'off' } }],
			submitLabel: 'Create', busyLabel: 'Creating…',
			onSubmit: ({ name }) => post('/api/folders', { name: name.trim(), parent_id: folderId }),
		});
		if (r) {
			toast(`Created folder “${r.name}”.`);
			load();
		}
	});

	/* ---- uploads ---- */
	const queue = [];
	let active = 0;
	let reloadTimer = null;

	function scheduleReload() {
		clearTimeout(reloadTimer);
		reloadTimer = setTimeout(() => {
			load();
			refreshMe();
		}, 150);
	}

	function enqueue(fileList) {
		for (const file of fileList) {
			const bar = h('progress', { max: 100, value: 0, 'aria-label': `Upload progress of ${file.name}` });
			const status = h('span', { class: 'upload-status' }, 'Waiting…');
			const cancel = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Cancel upload of ${file.name}` }, 'Cancel');
			const li = h('li', { class: 'upload', dataset: { name: file.name, state: 'waiting' } },
				h('span', { class: 'upload-name' }, file.name), bar, status, cancel);
			uploads.append(li);
			const job = { file, li, bar, status, cancel, abort: null, cancelled: false };
			cancel.addEventListener('click', () => {
				if (job.abort) job.abort();
				else {
					job.cancelled = true;
					li.dataset.state = 'cancelled';
					status.textContent = 'Cancelled.';
					cancel.remove();
				}
			});
			queue.push(job);
		}
		pump();
	}

	function pump() {
		while (active < UPLOAD_PARALLEL && queue.length) {
			const job = queue.shift();
			if (job.cancelled) continue;
			active++;
			run(job).finally(() => {
				active--;
				pump();
			});
		}
	}

	async function run(job) {
		const { file, li, bar, status, cancel } = job;
		li.dataset.state = 'uploading';
		status.textContent = `0 of ${fmtSize(file.size)}`;
		const up = upload(file, folderId, (loaded, total) => {
			bar.value = total ? Math.floor((100 * loaded) / total) : 100;
			status.textContent = `${fmtSize(loaded)} of ${fmtSize(total)}`;
		});
		job.abort = up.abort;
		try {
			const r = await up.promise;
			bar.value = 100;
			li.dataset.state = 'done';
			status.textContent = r.name !== file.name ? `Uploaded as “${r.name}”.` : 'Uploaded.';
			cancel.remove();
			scheduleReload();
			setTimeout(() => li.classList.add('fade'), 8000);
		} catch (e) {
			li.dataset.state = 'error';
			li.classList.add('upload-error');
			cancel.remove();
			if (e.handled) return;
			let msg = e.message;
			if (e.status === 413) msg = `Too large: ${e.message}`;
			else if (e.status === 507) msg = `Not enough space: ${e.message}`;
			status.textContent = msg;
			status.setAttribute('role', 'alert');
			refreshMe();
		}
	}

	uploadBtn.addEventListener('click', () => picker.click());
	picker.addEventListener('change', () => {
		if (picker.files.length) enqueue([...picker.files]);
		picker.value = '';
	});

	let depth = 0;
	el.addEventListener('dragenter', (e) => {
		if (!e.dataTransfer || ![...e.dataTransfer.types].includes('Files')) return;
		e.preventDefault();
		depth++;
		el.classList.add('dragging');
	});
	el.addEventListener('dragover', (e) => {
		if (!e.dataTransfer || ![...e.dataTransfer.types].includes('Files')) return;
		e.preventDefault();
		e.dataTransfer.dropEffect = 'copy';
	});
	el.addEventListener('dragleave', () => {
		depth = Math.max(0, depth - 1);
		if (!depth) el.classList.remove('dragging');
	});
	el.addEventListener('drop', (e) => {
		if (!e.dataTransfer) return;
		e.preventDefault();
		depth = 0;
		el.classList.remove('dragging');
		// Entries must be read during the event; items and files line up
		// once non-file items are left out.
		const items = [...(e.dataTransfer.items || [])].filter((it) => it.kind === 'file');
		const isDir = items.map((it) => !!(it.webkitGetAsEntry && it.webkitGetAsEntry()?.isDirectory));
		const dirs = isDir.filter(Boolean).length;
		const list = [...e.dataTransfer.files].filter((f, i) => !isDir[i]);
		if (dirs) toast('Folders cannot be dropped: create the folder, then drop its files into it.', 'error');
		if (list.length) enqueue(list);
	});

	try {
		await loadCrumbs();
	} catch (e) {
		if (e.handled) return;
		if (e.status === 404) {
			put(el, h('h1', null, 'Folder not found'), h('p', null, 'It may have been deleted or moved. ',
				h('a', { href: '/files', 'data-nav': true }, 'Back to My files'), '.'));
			return;
		}
		put(crumbs, errorBox(e));
	}
	await load();
}
