/* trash.js - the 휴지통 view (#view=trash): deleted memos, newest first,
 * each with the day it will be purged for good (the server's trash_days
 * after it was deleted), 복원 and 영구 삭제; 휴지통 비우기 after a
 * confirmation.  50 at a time, like the memo list. */
(function () {
	'use strict';

	const Memo = window.Memo = window.Memo || {};
	const R = Memo.render, net = Memo.net, ui = Memo.ui;
	const PAGE = 50;
	/* key: which memos the trash held when counted (the server's
	 * "trash_key", the XOR of their ids' hashes: idHash), for 휴지통
	 * 비우기. */
	const st = { seq: 0, cursor: 0, more: false, loading: false, count: 0,
	    key: null, days: 30, entries: new Map(), emptying: false };
	let $ = null;

	/* An id's hash in the trash's key, as the server computes it
	 * (common/db_stmt.def, TRASH_KEY). */
	function idHash(id) {
		return BigInt(id) * 1181783497276652981n % 2305843009213693951n;
	}

	/* "2026년 12월 31일 이후 영구 삭제" */
	function purgeNote(m) {
		const d = R.parse(m.deleted_at);

		if (!d)
			return '';
		const when = new Date(d.getTime() + st.days * 86400000);
		if (when.getTime() <= Date.now())
			return '곧 영구 삭제됩니다';
		return R.day(when) + ' 이후 영구 삭제';
	}

	function card(m) {
		const li = R.el('li', 'memo trashed');
		const meta = R.el('div', 'meta');
		const acts = R.el('div', 'card-actions');
		const what = R.summary(m.text);

		li.dataset.id = String(m.id);
		li.id = 'trash-' + m.id;
		meta.append(R.time(m.deleted_at, '삭제 · '),
		    R.el('span', 'purge-when', purgeNote(m)));
		[['restore primary', '복원'], ['purge danger', '영구 삭제']].forEach(
		    ([cls, label]) => {
			const b = R.el('button', cls, label);
			b.type = 'button';
			b.appendChild(R.el('span', 'sr-only', ': ' + what));
			acts.appendChild(b);
		});
		const foot = R.el('div', 'foot');
		foot.append(meta, acts);
		li.append(R.body(m.text, { tags: m.tags }), foot);
		st.entries.set(m.id, { memo: m, li });
		return li;
	}

	function show() {
		$.count.textContent = '휴지통 메모 ' + st.count + '개';
		$.none.hidden = st.entries.size !== 0;
		$.empty.hidden = st.count === 0;
		$.more.hidden = !st.more;
		$.note.textContent = '휴지통의 메모는 삭제하고 ' + st.days +
		    '일이 지나면 자동으로 영구 삭제됩니다.';
	}

	/* A next page (more) waits for nothing but is refused while any load
	 * runs; a fresh list takes over from any.  Only the load still
	 * current says it is over: a next page overtaken by a fresh list, had
	 * it cleared st.loading, let another be asked with the old list's
	 * cursor, whose page came after the fresh one and skipped the pages
	 * between. */
	async function load(more) {
		if (more && (st.loading || !st.more))
			return;
		const seq = more ? st.seq : ++st.seq;

		st.loading = true;
		const res = await net.list({ trash: 'true', limit: PAGE,
		    count: more ? '' : 'true', before: more ? st.cursor : '' });
		if (seq !== st.seq)
			return;
		st.loading = false;
		if (!res.ok) {
			ui.failed(res, '휴지통을 불러오지 못했습니다.');
			return;
		}
		if (!more) {
			st.entries.clear();
			$.list.replaceChildren();
			st.count = res.data.count || 0;
			/* A server of the version before sends none. */
			st.key = typeof res.data.trash_key === 'string' ?
			    res.data.trash_key : null;
		}
		if (res.data.trash_days > 0)
			st.days = res.data.trash_days;
		res.data.memos.forEach((m) => {
			if (!st.entries.has(m.id))
				$.list.appendChild(card(m));
		});
		const last = res.data.memos[res.data.memos.length - 1];
		if (last)
			st.cursor = last.id;
		st.more = res.data.memos.length === PAGE;
		show();
	}

	/* Card e's memo left the trash (복원, 영구 삭제, or found gone). */
	function gone(e) {
		/* The list was read anew while its request ran: whether the new
		 * one holds the memo depends on when it was read, and its count
		 * and key are not this card's to change.  Read it once more. */
		if (st.entries.get(e.memo.id) !== e) {
			load(false);
			return;
		}
		const next = e.li.nextElementSibling || e.li.previousElementSibling;

		e.li.remove();
		st.entries.delete(e.memo.id);
		st.count = Math.max(0, st.count - 1);
		/* It left the trash: out of the key as the server would take it. */
		if (st.key !== null)
			st.key = (BigInt(st.key) ^ idHash(e.memo.id)).toString();
		show();
		const b = next && next.querySelector('.restore');
		(b || $.heading).focus();
	}

	/* Request send() for card e, whose button b was pressed: the card's
	 * buttons are off meanwhile and b has the focus back after (ui.busy),
	 * and e.busy refuses a second request. */
	async function busy(e, b, send) {
		e.busy = true;
		try {
			return await ui.busy(e.li.querySelectorAll('.card-actions button'),
			    e.li, [b], send);
		} finally {
			e.busy = false;
		}
	}

	async function restore(e, b) {
		const res = await busy(e, b, () => net.restore(e.memo.id));

		/* 404: another tab purged it (or 휴지통 비우기 did) meanwhile:
		 * nothing is left to restore, and its card does not belong here. */
		if (res.gone) {
			gone(e);
			ui.status('이미 영구 삭제된 메모입니다.', '');
			return;
		}
		if (!res.ok) {
			ui.failed(res, '복원하지 못했습니다.');
			return;
		}
		gone(e);
		ui.status('복원했습니다. 메모 목록에서 볼 수 있습니다.', 'ok');
	}

	async function purge(e, b) {
		if (!await ui.confirm('영구 삭제할까요?', '‘' + R.summary(e.memo.text) +
		    '’ 메모를 영구 삭제합니다. 되돌릴 수 없습니다.', '영구 삭제', '취소',
		    true))
			return;
		const res = await busy(e, b, () => net.purge(e.memo.id));
		/* 409: it is no longer in the trash (another tab restored it),
		 * so there is nothing to purge and its card does not belong here. */
		if (res.status === 409) {
			gone(e);
			ui.status('이미 복원된 메모입니다. 메모 목록에서 볼 수 있습니다.', '');
			return;
		}
		if (!res.ok && !res.gone) {
			ui.failed(res, '영구 삭제하지 못했습니다.');
			return;
		}
		gone(e);
		ui.status('영구 삭제했습니다.', 'ok');
	}

	/* The purge names the count confirmed and which memos they were: if
	 * the trash changed since this view counted it (another device put a
	 * memo there, also while another left it), nothing is purged (412)
	 * and the person sees it anew. */
	async function emptyAll() {
		const told = st.count, key = st.key;

		/* One at a time: a second, sent with the same count, was told
		 * the trash had changed (to none) after the first emptied it. */
		if (st.emptying || !await ui.confirm('휴지통을 비울까요?', '휴지통의 메모 ' +
		    told + '개를 모두 영구 삭제합니다. 되돌릴 수 없습니다.',
		    '휴지통 비우기', '취소', true) || st.emptying)
			return;
		st.emptying = $.empty.disabled = true;
		let res;
		try {
			res = await net.emptyTrash(told, key);
		} finally {
			st.emptying = $.empty.disabled = false;
		}
		if (res.status === 412) {
			/* The count now is the answer's: the list read again may
			 * fail, or be overtaken. */
			const now = res.data && typeof res.data.count === 'number' ?
			    res.data.count : null;
			await load(false);
			if (now === 0)
				ui.status('휴지통이 이미 비어 있습니다.', '');
			else
				ui.status('그사이에 휴지통이 바뀌어 비우지 않았습니다' +
				    (now === null ? '' : ' (지금 ' + now + '개)') +
				    '. 확인한 뒤 다시 비워 주세요.', 'error');
			$.heading.focus();
			return;
		}
		if (!res.ok) {
			ui.failed(res, '휴지통을 비우지 못했습니다.');
			return;
		}
		/* Emptied: shown so at once, whatever the list read again does. */
		st.seq++;
		st.loading = false;
		st.entries.clear();
		$.list.replaceChildren();
		st.count = 0;
		st.key = '0';
		st.more = false;
		show();
		ui.status('메모 ' + (res.data.purged || 0) + '개를 영구 삭제했습니다.', 'ok');
		load(false);
		$.heading.focus();
	}

	function init() {
		$ = {};
		[['list', 'trash-list'], ['count', 'trash-count'], ['note', 'trash-note'],
		    ['none', 'trash-none'], ['empty', 'trash-empty'],
		    ['more', 'trash-more'], ['heading', 'trash-heading']].forEach(
		    ([k, id]) => { $[k] = document.getElementById(id); });
		$.heading.tabIndex = -1;
		$.empty.addEventListener('click', emptyAll);
		$.more.addEventListener('click', () => load(true));
		$.list.addEventListener('click', (ev) => {
			const b = ev.target.closest('button');
			const li = b && b.closest('li.memo');
			const e = li && st.entries.get(Number(li.dataset.id));
			if (!e || e.busy)
				return;
			if (b.classList.contains('restore'))
				restore(e, b);
			else if (b.classList.contains('purge'))
				purge(e, b);
		});
		if ('IntersectionObserver' in window)
			new IntersectionObserver((es) => {
				if (es.some((x) => x.isIntersecting))
					load(true);
			}, { rootMargin: '600px 0px' }).observe($.more);
	}

	(Memo.views = Memo.views || []).push({
		name: 'trash', label: '휴지통', section: 'view-trash',
		init,
		enter() { load(false); },
		leave() { ui.closeDialog(); }
	});
}());
