/* editor.js - editing a memo in place, conflicts, and its history.
 *
 * 수정 turns the card into an editor.  The save sends If-Match with the
 * ETag of the version the edit started from; if the memo changed since
 * (another tab, another device), the server answers 412 with the memo as
 * it is, and the editor shows both versions: the person keeps theirs
 * (saved over it; the other becomes a revision), keeps the server's,
 * saves theirs as a new memo, or copies it.  Nothing typed is lost: the
 * text is a draft (drafts.js) until it is saved or cancelled.
 *
 * History (수정됨): the memo's earlier texts, newest first; restoring one
 * is an edit like any other (If-Match, a new revision). */
(function () {
	'use strict';

	const Memo = window.Memo = window.Memo || {};
	const R = Memo.render, net = Memo.net, ui = Memo.ui;
	const drafts = Memo.drafts;

	/*
	 * Open the editor in card li for entry {memo, etag}.  hooks:
	 *   saved(memo, etag)  the memo changed (saved, or the server's kept)
	 *   created(memo)      the text was saved as a new memo
	 *   closed(gone, ours) the editor is gone; the card shows the memo
	 *                      (ours: the focus was the editor's to give back)
	 * A draft of this memo (after a reload or a new login) is restored.
	 * quiet: the focus stays where it is (the person types elsewhere, as
	 * when a list loaded meanwhile reopens an editor from its draft).
	 * still: the focus taken leaves the page where it is (an editor
	 * reopened after the list, on top: the person may be reading further
	 * down by then).
	 */
	function open(li, entry, hooks, quiet, still) {
		const id = entry.memo.id;
		const draft = drafts.edit(id);
		const ed = {
			li, hooks, id,
			base: draft ? draft.base : entry.memo.text,
			etag: draft ? draft.etag : entry.etag,
			server: null,	/* {memo, etag}: newer than base */
			saving: false,
			sent: null,	/* the text of a save never answered */
			reads: 0	/* reads and saves begun: the last one's holds */
		};
		const form = R.el('form', 'editor');
		const label = R.el('label', 'sr-only', '메모 수정');
		const text = R.el('textarea', 'edit-text');
		const note = R.el('p', 'editor-note');
		const conflict = R.el('div', 'conflict');
		const mineTitle = R.el('h4', 'mine-title', '내가 쓴 내용');
		const choices = R.el('div', 'conflict-actions');
		const acts = R.el('div', 'actions');
		const hint = R.el('span', 'hint kbd-hint',
		    ui.shortcut() + '로 저장 · Esc로 취소');
		const cancel = R.el('button', 'secondary', '취소');
		const save = R.el('button', 'primary', '저장');

		text.id = 'edit-' + id;
		label.htmlFor = text.id;
		text.value = draft ? draft.text : entry.memo.text;
		text.rows = rows(text.value);
		form.setAttribute('aria-label', '메모 수정');
		note.hidden = !draft;
		note.textContent = draft ? '저장하지 않은 수정 내용을 되살렸습니다.' : '';
		conflict.hidden = mineTitle.hidden = choices.hidden = true;
		cancel.type = 'button';
		save.type = 'submit';
		acts.append(hint, cancel, save);
		form.append(label, note, conflict, mineTitle, text, choices, acts);
		Object.assign(ed, { form, text, note, conflict, mineTitle, choices,
		    acts, save, cancel });
		li.classList.add('editing');
		li.appendChild(form);
		if (!quiet) {
			text.focus({ preventScroll: !!still });
			text.setSelectionRange(text.value.length, text.value.length);
		}

		text.addEventListener('input', () => {
			text.rows = rows(text.value);
			drafts.setEdit(id, text.value, ed.base, ed.etag);
		});
		form.addEventListener('submit', (e) => {
			e.preventDefault();
			submit(ed);
		});
		cancel.addEventListener('click', () => leave(ed));
		ui.keys(text, () => submit(ed), () => leave(ed));
		if (draft)
			drafts.setEdit(id, text.value, ed.base, ed.etag);
		fetchVersion(ed);
		li.editor = ed;
		return ed;
	}

	function rows(v) {
		return Math.min(20, Math.max(4, v.split('\n').length + 1));
	}

	/* Read the memo as it is now (the list carries no ETags, and what the
	 * card shows may be old).  If it changed since the card was drawn, an
	 * untouched editor takes the new text; one whose text the server now
	 * has (its save's answer was lost before a reload brought the draft
	 * back) has nothing left to save; any other keeps the person's and
	 * shows the conflict on save.  Resolves to the answer. */
	async function fetchVersion(ed) {
		const n = ++ed.reads;
		const res = await net.get(ed.id);

		/* A read answered after a later read or save began says less
		 * than it: taken as the server's version, it made a saved edit
		 * look like a conflict. */
		if (!res.ok || !ed.form.isConnected || n !== ed.reads)
			return res;
		ed.form.dataset.read = 'true';	/* the version is known */
		if (res.data.text === ed.base) {
			ed.etag = res.etag;
		} else if (res.data.text === ed.text.value) {
			ed.base = res.data.text;
			ed.etag = res.etag;
			drafts.clearEdit(ed.id);
			if (!ed.note.hidden)
				ed.note.textContent = '되살린 수정 내용은 이미 저장되어 있습니다.';
			ed.hooks.saved(res.data, res.etag);
		} else if (ed.text.value === ed.base) {
			ed.base = ed.text.value = res.data.text;
			ed.etag = res.etag;
			ed.hooks.saved(res.data, res.etag);
		} else {
			ed.server = { memo: res.data, etag: res.etag };
		}
		return res;
	}

	async function submit(ed) {
		const value = ed.text.value;

		if (ed.saving)
			return;
		if (value.trim() === '') {
			ui.status('내용이 비어 있습니다. 메모를 지우려면 삭제를 눌러 주세요.', 'error');
			return;
		}
		if (ui.tooLong(value)) {
			ui.status('메모가 너무 깁니다 (최대 64KB).', 'error');
			return;
		}
		/* Typed and put back: nothing to save, nor a draft to offer
		 * after a reload (it would be the memo itself).  Unless a save
		 * of another text went unanswered: the server may have that. */
		if (value === ed.base && !ed.server && ed.sent === null) {
			drafts.clearEdit(ed.id);
			close(ed);
			return;
		}
		if (ed.server) {
			showConflict(ed, ed.server.memo, ed.server.etag);
			return;
		}
		await busy(ed, () => {
			ui.status('저장하는 중…', '');
			return send(ed, value);
		});
	}

	/* While a save runs, a second one is refused (ed.saving) and the
	 * buttons that would send it are off (ui.busy), and so is 취소 (and
	 * Esc, leave()): the edit it would throw away is on its way.  After a failure they
	 * are back, and so is the focus a disabled button lost (or it goes to
	 * the text). */
	async function busy(ed, send) {
		const buttons = [ed.save, ed.cancel,
		    ...ed.choices.querySelectorAll('button')];

		ed.saving = true;
		ed.form.setAttribute('aria-busy', 'true');
		try {
			return await ui.busy(buttons, ed.form,
			    [document.activeElement, ed.text], send);
		} finally {
			ed.saving = false;
			ed.form.removeAttribute('aria-busy');
		}
	}

	/* PATCH with If-Match; on 412 either retry (only the pin changed) or
	 * show both versions. */
	async function send(ed, value) {
		if (!ed.etag) {
			const read = await fetchVersion(ed);
			if (!ed.form.isConnected)
				return;
			if (ed.server) {
				ui.status('', '');
				showConflict(ed, ed.server.memo, ed.server.etag);
				return;
			}
			if (read.gone) {
				ui.status('', '');
				showConflict(ed, null, null);
				return;
			}
			/* The version this edit replaces is still unknown (the
			 * memo could not be read): sent without If-Match, the
			 * save would write over a change made elsewhere unseen. */
			if (!ed.etag) {
				ui.failed(read.ok ? { ok: false, status: 200 } : read,
				    '저장하지 못했습니다.', '쓴 내용은 이 브라우저에 남아 있습니다.');
				return;
			}
		}
		++ed.reads;
		let res = await net.patch(ed.id, { text: value }, ed.etag);
		/* Changed only in its pin, or to this editor's own save whose
		 * answer never came (the person typed on after it): sent again
		 * on that version, not shown as someone else's change. */
		if (res.status === 412 && res.data && res.data.memo &&
		    (res.data.memo.text === ed.base ||
		    (ed.sent !== null && ed.sent !== value &&
		    res.data.memo.text === ed.sent))) {
			ed.base = res.data.memo.text;
			ed.etag = res.etag;
			res = await net.patch(ed.id, { text: value }, ed.etag);
		}
		/* (503 too: the server says so when it could not tell whether a
		 * write whose COMMIT lost its answer was made.) */
		ed.sent = res.status === 0 || res.status === 502 ||
		    res.status === 503 || res.status === 504 ? value : null;
		/* The server's text is already this one: a save whose answer was
		 * lost (the network failed after the server had it), or the same
		 * text saved in another tab.  Saved, with nothing to choose. */
		if (res.status === 412 && res.data && res.data.memo &&
		    res.data.memo.text === value)
			res = { ok: true, status: 200, data: res.data.memo,
			    etag: res.etag };
		/* Closed meanwhile (its memo gone from the list): the card
		 * shows what was saved; the drafts, maybe a new editor's of the
		 * same memo, are not this one's to touch. */
		if (ed.li.editor !== ed) {
			if (res.ok)
				ed.hooks.saved(res.data, res.etag);
			return;
		}
		if (res.ok && ed.text.value !== value) {
			/* Typed on while the save ran: what was sent is saved, the
			 * rest stays in the editor (and its draft), now an edit of
			 * the version just saved. */
			ed.base = res.data.text;
			ed.etag = res.etag;
			drafts.setEdit(ed.id, ed.text.value, ed.base, ed.etag);
			ed.hooks.saved(res.data, res.etag);
			ui.status('저장했습니다. 저장하는 동안 더 쓴 내용은 아직 ' +
			    '저장하지 않았습니다.', 'ok');
		} else if (res.ok) {
			drafts.clearEdit(ed.id);
			ed.hooks.saved(res.data, res.etag);
			ui.status('저장했습니다.', 'ok');
			close(ed);
		} else if (res.status === 412 && res.data && res.data.memo) {
			ui.status('', '');
			showConflict(ed, res.data.memo, res.etag);
		} else if (res.gone) {
			ui.status('', '');
			showConflict(ed, null, null);
		} else {
			ui.failed(res, '저장하지 못했습니다.',
			    '쓴 내용은 이 브라우저에 남아 있습니다.');
		}
	}

	/* Both versions, the server's above the person's; server null: the
	 * memo is gone for good, so only a new memo or a copy keeps the text. */
	function showConflict(ed, server, etag) {
		const c = ed.conflict;
		const h = R.el('p', 'conflict-title');

		c.replaceChildren(h);
		ed.server = null;
		c.setAttribute('role', 'alert');
		if (server) {
			const theirs = R.el('section', 'version server');
			h.textContent = '다른 곳에서 먼저 이 메모를 고쳤습니다. 어느 내용을 남길지 골라 주세요.';
			theirs.append(R.el('h4', null, '서버에 저장된 내용'),
			    R.time(server.updated_at, '수정 '),
			    R.body(server.text, { tags: server.tags }));
			c.append(theirs);
		} else {
			h.textContent = '이 메모는 영구 삭제되었습니다. 쓴 내용은 새 메모로 저장하거나 복사할 수 있습니다.';
		}
		const buttons = [];
		if (server) {
			buttons.push(['내 내용으로 저장', 'primary keep-mine', () => {
				ed.base = server.text;
				ed.etag = etag;
				conflicted(ed, false);
				submit(ed);
			}]);
			buttons.push(['서버 내용 유지', 'secondary keep-server', () => {
				drafts.clearEdit(ed.id);
				ed.hooks.saved(server, etag);
				ui.status('서버에 저장된 내용을 남겼습니다.', 'ok');
				close(ed);
			}]);
		}
		/* With no version left to keep, a new memo is the way on. */
		buttons.push(['새 메모로 저장',
		    (server ? 'secondary' : 'primary') + ' save-new', () =>
		    saveAsNew(ed, server, etag)]);
		buttons.push(['내 내용 복사', 'secondary copy-mine', () =>
		    ui.copy(ed.text.value, ed.text)]);
		ed.choices.replaceChildren();
		buttons.forEach(([label, cls, run]) => {
			const b = R.el('button', cls, label);
			b.type = 'button';
			b.addEventListener('click', run);
			ed.choices.appendChild(b);
		});
		conflicted(ed, true);
		ed.choices.firstChild.focus();
	}

	/* Show or hide the conflict's parts; the usual 저장 goes meanwhile. */
	function conflicted(ed, on) {
		ed.conflict.hidden = ed.mineTitle.hidden = ed.choices.hidden = !on;
		ed.acts.hidden = on;
		ed.form.classList.toggle('conflicted', on);
	}

	async function saveAsNew(ed, server, etag) {
		if (ed.saving)
			return;
		const res = await busy(ed, () => net.create(ed.text.value));
		if (!res.ok) {
			ui.failed(res, '새 메모로 저장하지 못했습니다.');
			return;
		}
		if (ed.li.editor !== ed) {	/* closed meanwhile, as in send() */
			ed.hooks.created(res.data, res.etag);
			return;
		}
		drafts.clearEdit(ed.id);
		ed.hooks.created(res.data, res.etag);
		if (server)
			ed.hooks.saved(server, etag);
		ui.status('내 내용을 새 메모로 저장했습니다.', 'ok');
		close(ed, !server);
	}

	/* 취소 / Esc: ask first if there is something to lose. */
	async function leave(ed) {
		if (ed.saving)
			return;
		if (ed.text.value !== ed.base && !await ui.confirm(
		    '수정을 취소할까요?', '고친 내용은 저장되지 않고 사라집니다.',
		    '수정 내용 버리기', '계속 수정', true)) {
			ed.text.focus();
			return;
		}
		drafts.clearEdit(ed.id);
		close(ed);
	}

	/* gone: the memo no longer exists (its card goes too). */
	/* ours: the focus was in the editor, or nowhere (a button turned off
	 * while saving drops it): the card may take it back.  Not when the
	 * person went on elsewhere while a slow save ran. */
	function close(ed, gone) {
		const f = document.activeElement;
		const ours = !f || f === document.body || ed.form.contains(f);

		ed.form.remove();
		ed.li.classList.remove('editing');
		ed.li.editor = null;
		ed.hooks.closed(gone, ours);
	}

	/* ---- history ---- */

	/*
	 * The memo as the server has it now (the card may be older) and its
	 * earlier texts, in the dialog.  hooks:
	 *   seen(memo, etag)     the memo as the dialog read it
	 *   restore(text, etag)  PATCH text with If-Match: etag; resolves to
	 *                        the answer
	 * A restore replaces only the text the dialog shows: if the memo
	 * changed since (another tab), the server refuses it (412) and the
	 * dialog says so and shows the memo and its revisions anew, so no
	 * text the person has not seen is overwritten.  Resolves once the
	 * dialog is closed.
	 */
	async function history(entry, hooks) {
		const h = { id: entry.memo.id, hooks, etag: null,
		    alert: R.el('p', 'history-alert'), list: R.el('ol', 'revisions') };
		const box = R.el('div', 'history');

		h.alert.setAttribute('role', 'alert');
		h.alert.hidden = true;
		box.append(h.alert, h.list);
		const res = await reread(h);
		/* Read while the view was left (Back: memos.js leave() closed
		 * no dialog then) or another dialog opened: it is not opened
		 * over another view, where 되돌리기 would change a memo out of
		 * sight, nor over that dialog.  (A card the read took off the
		 * list, its memo unpinned past the page, still has it.) */
		const view = entry.li.closest('.view');
		if ((view && view.hidden) || document.getElementById('dialog').open)
			return;
		if (!res.ok) {
			ui.failed(res, '수정 기록을 불러오지 못했습니다.');
			return;
		}
		await ui.dialog('수정 기록', box, [{ label: '닫기', value: '' }], true);
	}

	/* Read the memo (its ETag is what a restore replaces) and its
	 * revisions, and draw them.  Resolves to the answer that failed, or
	 * the memo's. */
	async function reread(h) {
		const [memo, revs] = await Promise.all([net.get(h.id),
		    net.revisions(h.id)]);

		if (!memo.ok || !revs.ok)
			return memo.ok ? revs : memo;
		h.etag = memo.etag;
		h.hooks.seen(memo.data, memo.etag);
		drawRevisions(h, memo.data, Array.isArray(revs.data.revisions) ?
		    revs.data.revisions : []);
		return memo;
	}

	function drawRevisions(h, memo, revs) {
		const now = R.el('li', 'revision current');

		now.append(R.time(memo.updated_at, '지금 내용 · '),
		    R.body(memo.text, { tags: memo.tags }));
		h.list.replaceChildren(now);
		revs.forEach((rev) => {
			const li = R.el('li', 'revision');
			const b = R.el('button', 'secondary restore-revision',
			    '이 내용으로 되돌리기');
			b.type = 'button';
			b.dataset.revision = String(rev.id);
			b.addEventListener('click', () => restoreTo(h, rev, b));
			li.append(R.time(rev.created_at, '이전 내용 · '),
			    R.body(rev.text, {}), b);
			h.list.appendChild(li);
		});
		if (revs.length === 0)
			h.list.appendChild(R.el('li', 'revision', '이전 내용이 없습니다.'));
	}

	/* 이 내용으로 되돌리기 (b) of revision rev, over the text shown.  The
	 * dialog's buttons are off until the answer, and, after a 412, until
	 * the memo as it now is has been drawn. */
	async function restoreTo(h, rev, b) {
		const buttons = Array.from(h.list.querySelectorAll('button'));
		let again = null;
		const res = await ui.busy(buttons, h.list, [b], async () => {
			const r = await h.hooks.restore(rev.text, h.etag);
			if (r.status === 412)
				again = await reread(h);
			return r;
		});

		if (res.ok) {
			ui.closeDialog();
		} else if (again) {
			stale(h, rev, again);
		} else {
			say(h, '되돌리지 못했습니다.', res);
		}
	}

	/* The memo changed since the dialog showed it: nothing was restored.
	 * Say so above the memo as it now is, and leave the focus on the same
	 * revision's button, for the person to choose again. */
	function stale(h, rev, again) {
		if (!again.ok) {
			say(h, '이 메모가 다른 곳에서 바뀌어 되돌리지 않았습니다. 바뀐 ' +
			    '내용을 불러오지 못했습니다.', again);
			return;
		}
		say(h, '이 메모가 다른 곳에서 바뀌어 되돌리지 않았습니다. 바뀐 내용을 ' +
		    '다시 불러왔으니 확인한 뒤 다시 골라 주세요.');
		const b = h.list.querySelector('[data-revision="' + rev.id + '"]');
		if (b)
			b.focus();
	}

	/* msg above the memo, then why res failed, if given.  A 401 too: the
	 * page's status line says it with 다시 로그인, but while this modal
	 * dialog is open the page under it is inert (the link cannot be
	 * reached, a screen reader does not hear it): here it says to close
	 * the dialog first. */
	function say(h, msg, res) {
		let why = res ? ' ' + net.problem(res) : '';

		if (res && res.status === 401)
			why += ' ‘닫기’를 누른 뒤 다시 로그인해 주세요.';
		h.alert.textContent = msg + why;
		h.alert.hidden = false;
	}

	Memo.editor = { open, history };
}());
