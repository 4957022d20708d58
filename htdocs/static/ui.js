/* ui.js - what every view shares: the status line, the toast with its
 * one action (실행 취소), the dialog (confirmations, history), buttons
 * off while their request runs, copying to the clipboard, and the
 * keyboard rule for Korean input. */
(function () {
	'use strict';

	const Memo = window.Memo = window.Memo || {};
	const R = Memo.render;
	let statusTimer = 0, toastTimer = 0;

	/* ---- status line ---- */

	/* Show msg; kind "error", "ok" (fades after a few seconds) or "". */
	function status(msg, kind) {
		const s = document.getElementById('status');

		clearTimeout(statusTimer);
		s.textContent = msg || '';
		s.className = kind || '';
		/* An "ok" goes out of sight after a while but keeps its
		 * line (.spent): emptying it would move the page up under
		 * the pointer.  The next status takes the line. */
		if (kind === 'ok')
			statusTimer = setTimeout(() => {
				if (s.textContent === msg)
					s.classList.add('spent');
				statusPad();
			}, 4000);
		statusPad();
	}

	/* A focused control scrolled into view stops short of the status
	 * line stuck on top (WCAG 2.4.11): by its height as shown.  The
	 * stylesheet's 6rem was two lines; a long error on a phone is five,
	 * and the control landed under it. */
	function statusPad() {
		const s = document.getElementById('status');
		const shown = s.textContent !== '' && !s.classList.contains('spent');

		document.documentElement.style.scrollPaddingTop = shown ?
		    Math.ceil(s.getBoundingClientRect().height + 16) + 'px' : '';
	}
	addEventListener('resize', statusPad);

	/* The session is gone: say so, with a link to log in again.  What
	 * was being written is in the drafts and comes back after.  Where
	 * the browser keeps no drafts (storage blocked or full, no user id),
	 * only this page holds it: the login goes to a new tab, and this
	 * one saves once it is done. */
	function expired() {
		const s = document.getElementById('status');
		const a = R.el('a', null, '다시 로그인');

		if (Memo.drafts.kept()) {
			status('로그인이 만료되었습니다. 쓰던 내용은 이 브라우저에 남아 있으니 ' +
			    '다시 로그인하면 그대로 돌아옵니다. ', 'error');
		} else {
			status('로그인이 만료되었습니다. 이 브라우저에는 쓰던 내용을 보관할 수 ' +
			    '없으니 이 탭은 닫지 말고, 새 탭에서 다시 로그인한 뒤 여기서 다시 ' +
			    '저장해 주세요. ', 'error');
			a.textContent = '새 탭에서 다시 로그인';
			a.target = '_blank';
		}
		a.href = 'login';
		a.id = 'relogin';
		s.appendChild(a);
		statusPad();
	}

	/* A request failed: what, why, and then what is left (after, if
	 * any).  A 401 has already said so (net.js calls expired() on every
	 * one). */
	function failed(res, what, after) {
		if (res.status !== 401)
			status(what + ' ' + Memo.net.problem(res) +
			    (after ? ' ' + after : ''), 'error');
	}

	/* ---- toast ---- */

	/* msg with an action button for ms milliseconds.  The time stops
	 * while the pointer is on the toast or the focus in it (a keyboard
	 * user may need many Tabs to reach 실행 취소, and it must not vanish
	 * under them), and starts again, whole, when they leave.  Ctrl/⌘+Z
	 * runs the action from anywhere but a text field: the toast is the
	 * page's last stop, hundreds of Tabs away in a long list. */
	function toast(msg, action, ms) {
		const t = document.getElementById('toast');

		if (!t.dataset.held) {
			t.dataset.held = '1';
			t.addEventListener('mouseenter', () => clearTimeout(toastTimer));
			t.addEventListener('focusin', () => clearTimeout(toastTimer));
			t.addEventListener('mouseleave', armToast);
			/* After the focus has moved: where it went decides. */
			t.addEventListener('focusout', () => setTimeout(armToast, 0));
			document.addEventListener('keydown', undoKey);
		}
		t.dataset.ms = String(ms || 6000);
		clearTimeout(toastTimer);
		while (t.firstChild)
			t.removeChild(t.firstChild);
		t.appendChild(R.el('span', 'toast-text', msg));
		if (action) {
			const b = R.el('button', 'toast-action', action.label);
			b.type = 'button';
			b.title = mac() ? '⌘+Z' : 'Ctrl+Z';
			b.setAttribute('aria-keyshortcuts',
			    mac() ? 'Meta+Z' : 'Control+Z');
			b.addEventListener('click', () => {
				hideToast();
				action.run();
			});
			t.appendChild(b);
		}
		t.classList.add('show');
		armToast();
	}

	/* Start the toast's time, unless the pointer or the focus holds it. */
	function armToast() {
		const t = document.getElementById('toast');

		clearTimeout(toastTimer);
		if (!t.classList.contains('show') || t.matches(':hover') ||
		    t.contains(document.activeElement))
			return;
		toastTimer = setTimeout(hideToast, Number(t.dataset.ms) || 6000);
	}

	/* Ctrl/⌘+Z outside the fields (there it undoes typing) and outside a
	 * dialog: the shown toast's action.  Not a key held down: its repeats
	 * would run a failed 실행 취소's new toast again as soon as it shows,
	 * while the key is down.  (A keydown without a key, which a browser
	 * may send for an autofill, is let be.) */
	function undoKey(e) {
		const b = document.querySelector('#toast.show .toast-action');
		const el = e.target;

		if (!b || !el.closest || e.repeat ||
		    String(e.key).toLowerCase() !== 'z' || e.shiftKey || e.altKey ||
		    !(mac() ? e.metaKey : e.ctrlKey) || composing(e) ||
		    el.closest('input, textarea, select, [contenteditable], dialog'))
			return;
		e.preventDefault();
		b.click();
	}

	function hideToast() {
		const t = document.getElementById('toast');

		clearTimeout(toastTimer);
		t.classList.remove('show');
		while (t.firstChild)
			t.removeChild(t.firstChild);
	}

	/* ---- dialog ---- */

	/* The promise of the dialog last opened, until it is settled.  A
	 * dialog's close event comes a frame after it closed: a dialog opened
	 * within that frame (a click on the next button right after 취소) got
	 * the event of the one before and was settled as closed by it.  So the
	 * event settles only a closed dialog, and a dialog opened before the
	 * one before had its event settles that one first, with its value. */
	let unsettled = null;

	function settle(d) {
		const done = unsettled;

		unsettled = null;
		if (done)
			done(d.returnValue);
	}

	/* One listener for every dialog (the scripts are deferred: the
	 * dialog is in the document by now). */
	document.getElementById('dialog').addEventListener('close', (ev) => {
		if (!ev.target.open)
			settle(ev.target);
	});

	/*
	 * Open the dialog: title, content (a node or text), buttons
	 * [{label, value, kind}] (kind "danger", "primary" or none).  Resolves
	 * to the value of the button pressed, or "" (Esc, 닫기).  The content
	 * is read with the title as the dialog opens (aria-describedby), unless
	 * long is set: a screen reader then reads it as the person goes (the
	 * history: every revision's text read at once, before 닫기).  The
	 * focus goes to the first button, or for a long content to the title,
	 * with the content shown from its start: on 닫기, below it all, a
	 * dialog longer than the screen opened scrolled to its end.
	 */
	function dialog(title, content, buttons, long) {
		const d = document.getElementById('dialog');
		const c = document.getElementById('dialog-content');
		const acts = document.getElementById('dialog-actions');
		const h = document.getElementById('dialog-title');

		h.textContent = title;
		h.tabIndex = -1;
		if (long)
			d.removeAttribute('aria-describedby');
		else
			d.setAttribute('aria-describedby', 'dialog-content');
		while (c.firstChild)
			c.removeChild(c.firstChild);
		while (acts.firstChild)
			acts.removeChild(acts.firstChild);
		c.appendChild(typeof content === 'string' ?
		    R.el('p', null, content) : content);
		buttons.forEach((b) => {
			const e = R.el('button', b.kind || 'secondary', b.label);
			e.value = b.value;
			e.type = 'submit';
			acts.appendChild(e);
		});
		if (!d.open)
			settle(d);
		d.returnValue = '';
		return new Promise((resolve) => {
			d.showModal();	/* throws if one is open: that one stays */
			unsettled = resolve;
			const first = acts.querySelector('button');
			if (long) {
				h.focus({ preventScroll: true });
				d.scrollTop = 0;
			} else if (first)
				first.focus();
		});
	}

	function closeDialog() {
		const d = document.getElementById('dialog');
		if (d.open)
			d.close('');
	}

	/* Yes or no; resolves to true for yes. */
	async function confirm(title, text, yes, no, danger) {
		const v = await dialog(title, text, [
			{ label: no || '취소', value: 'no' },
			{ label: yes, value: 'yes', kind: danger ? 'danger' : 'primary' }
		]);
		return v === 'yes';
	}

	/* ---- a request in flight ---- */

	/*
	 * Resolve to what send() resolves to, with buttons off meanwhile: a
	 * double click sends one request (two 복원 took two off the count,
	 * two 새 메모로 저장 made two memos).  They are back for the answer.
	 * A button turned off loses the focus to the page's start: if it is
	 * there then, and home (the card or form sent from) is still on the
	 * page, it goes to the first of back that takes it.
	 */
	async function busy(buttons, home, back, send) {
		buttons.forEach((b) => { b.disabled = true; });
		try {
			return await send();
		} finally {
			buttons.forEach((b) => { b.disabled = false; });
			if (home.isConnected)
				back.some((x) => {
					if (x && document.activeElement === document.body)
						x.focus();
					return document.activeElement !== document.body;
				});
		}
	}

	/* ---- clipboard ---- */

	/* Copy text; falls back to selecting it in field for Ctrl+C. */
	async function copy(text, field) {
		try {
			await navigator.clipboard.writeText(text);
			status('내 내용을 클립보드에 복사했습니다.', 'ok');
			return;
		} catch (e) { /* not allowed here: select it */ }
		if (field) {
			field.focus();
			field.select();
		}
		status('복사할 수 없는 환경입니다. 내용을 선택해 두었으니 Ctrl+C(⌘+C)로 복사해 주세요.', '');
	}

	/* ---- keys and Korean input ---- */

	/* 1 while an IME composition is in progress: Enter, Ctrl+Enter and
	 * Esc then belong to the IME (keyCode 229: Safari sends the key that
	 * ends a composition after compositionend). */
	function composing(e) {
		return e.isComposing || e.keyCode === 229;
	}

	/* Ctrl/⌘+Enter in field runs save; Esc runs cancel (if given); neither
	 * acts while composing.  A Ctrl+Enter pressed during a composition
	 * saves once it has ended, with its last syllable; one that comes
	 * after the composition ended (Safari: keyCode 229 after
	 * compositionend) saves at once, as no compositionend follows it.
	 * Returns a function telling whether a composition is in progress in
	 * field. */
	function keys(field, save, cancel) {
		let pending = false, inside = false, listAfter = false;

		field.addEventListener('compositionstart', () => { inside = true; });
		field.addEventListener('keydown', (e) => {
			/* An Enter the IME had (a line's last syllable was still
			 * being composed, as it mostly is in Korean): the browser
			 * breaks the line itself, and the input event that says so
			 * continues the list (below). */
			listAfter = e.key === 'Enter' && !e.shiftKey && !e.altKey &&
			    !e.ctrlKey && !e.metaKey && composing(e);
			if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
				e.preventDefault();
				if (e.isComposing || inside)
					pending = true;
				else
					save();
			} else if (e.key === 'Escape' && cancel && !composing(e)) {
				e.preventDefault();
				cancel();
			} else if (e.key === 'Enter' && !e.shiftKey && !e.altKey &&
			    !composing(e) && continueList(field)) {
				e.preventDefault();
			}
		});
		field.addEventListener('input', (e) => {
			if (!listAfter || (e.inputType !== 'insertLineBreak' &&
			    e.inputType !== 'insertParagraph'))
				return;
			listAfter = false;
			continueAfterBreak(field);
		});
		field.addEventListener('compositionend', () => {
			inside = false;
			if (!pending)
				return;
			pending = false;
			setTimeout(save, 0);
		});
		return () => inside;
	}


	/* Where the line the caret ends starts: the caret collapsed, nothing
	 * after it on its line; -1 if not so. */
	function lineEnded(field) {
		const at = field.selectionStart, v = field.value;
		const end = v.indexOf('\n', at);

		if (at !== field.selectionEnd || (end >= 0 && end !== at))
			return -1;
		return v.lastIndexOf('\n', at - 1) + 1;
	}

	/* The item after checklist line `line`: "- [ ] " with its indent, ''
	 * after an empty one (the list ends), null after any other line. */
	function nextItem(line) {
		const m = R.CHECK.exec(line);

		return !m ? null : m[3] ? m[1] + '- [ ] ' : '';
	}

	/* Enter at the end of a checklist line starts the next one ("- [ ] ");
	 * on an empty one, ends the list.  1 if it acted. */
	function continueList(field) {
		const start = lineEnded(field), at = field.selectionStart;
		const next = start < 0 ? null : nextItem(field.value.slice(start, at));

		if (next === null)
			return false;
		if (next === '')
			field.setRangeText('', start, at, 'end');
		else
			field.setRangeText('\n' + next, at, at, 'end');
		field.dispatchEvent(new Event('input', { bubbles: true }));
		return true;
	}

	/* A line break the browser made at the end of a checklist line with
	 * words (the caret at the start of the empty line it made): the next
	 * line starts "- [ ] " as with continueList(). */
	function continueAfterBreak(field) {
		const at = field.selectionStart, v = field.value;

		if (at === 0 || lineEnded(field) !== at)
			return;
		const next = nextItem(v.slice(v.lastIndexOf('\n', at - 2) + 1, at - 1));
		if (!next)
			return;
		field.setRangeText(next, at, at, 'end');
		field.dispatchEvent(new Event('input', { bubbles: true }));
	}

	/* The Ctrl+Enter hint says ⌘ on Apple keyboards (touch devices hide
	 * it: style.css). */
	function shortcut() {
		return mac() ? '⌘+Enter' : 'Ctrl+Enter';
	}

	function mac() {
		return /Mac|iPhone|iPad/.test(navigator.platform || '');
	}

	/* UTF-8 bytes of text: the server's limit is 64 KiB. */
	function tooLong(text) {
		return new TextEncoder().encode(text).length > 65536;
	}

	/* The page is going on the person's word (a logout they answered,
	 * another tab's logout followed, a withdrawal): the browser's own
	 * question before leaving (memos.js, text it cannot keep) would ask
	 * again what was just answered. */
	let onPurpose = false;

	function leaveOnPurpose() {
		onPurpose = true;
	}

	function leavingOnPurpose() {
		return onPurpose;
	}

	/* Before logging out: this browser forgets the person's drafts (on
	 * a computer others use, the next person could read them).  Text not
	 * saved yet is asked about: kept, it comes back at the next login
	 * here; where the browser cannot keep it, it is lost, and said so.
	 * Resolves to false if the person stays; else the page goes on the
	 * person's word (onPurpose). */
	async function leaving() {
		const go = await asked();

		if (go)
			onPurpose = true;
		return go;
	}

	async function asked() {
		const unkept = Memo.memos && Memo.memos.unkept();

		if (unkept) {
			const go = await confirm('저장하지 않은 내용이 있습니다',
			    '이 브라우저는 쓰던 내용을 보관할 수 없어 로그아웃하면 사라집니다. ' +
			    '남기려면 취소하고 먼저 저장하세요.', '버리고 로그아웃', '취소', true);
			if (go)
				Memo.drafts.leave(true);
			return go;
		}
		if (!Memo.drafts.unsaved()) {
			Memo.drafts.leave(true);
			return true;
		}
		const v = await dialog('저장하지 않은 내용이 있습니다',
		    '이 브라우저에 아직 저장하지 않은 메모 내용이 남아 있습니다. ' +
		    '다른 사람도 쓰는 기기라면 지우고 로그아웃하세요. 남겨 두면 ' +
		    '이 브라우저에서 다시 로그인할 때 돌아옵니다.', [
			{ label: '취소', value: 'no' },
			{ label: '남겨 두고 로그아웃', value: 'keep' },
			{ label: '지우고 로그아웃', value: 'forget', kind: 'primary' }
		]);
		if (v === 'forget' || v === 'keep')
			Memo.drafts.leave(v === 'forget');
		return v === 'forget' || v === 'keep';
	}

	Memo.ui = { status, expired, failed, toast, dialog, closeDialog,
	    confirm, busy, copy, keys, composing, shortcut, tooLong, leaving,
	    leaveOnPurpose, leavingOnPurpose };
}());
