// The dashboard's shared state: the signed-in user and the two things
// views ask of the shell (go somewhere, re-read the user).  Views import
// this, never main.js; main.js plugs its renderer in at start, so no
// import runs from a view back up to the shell.
import { get } from './api.js';

export const state = { user: null };

let renderer = () => {};
let userChanged = () => {};

/** The shell's hooks: render(notice) draws the current path; changed()
 * redraws what shows the user. */
export function setShell({ render, userChanged: changed }) {
	renderer = render;
	userChanged = changed;
}

/** Go to path (pushState) and render it. */
export function navigate(path, { replace = false, notice } = {}) {
	if (replace) history.replaceState(null, '', path);
	else history.pushState(null, '', path);
	renderer(notice);
}

/** The current user, re-read (quota after uploads and deletes). */
export async function refreshMe() {
	try {
		state.user = await get('/api/auth/me');
		userChanged();
	} catch { /* 401 is handled globally; others keep the old figures */ }
	return state.user;
}
