/* memos.js - the 메모 view: write, list, search, tags, pin, edit, delete.
 *
 * Pinned memos (고정됨) are loaded whole at the top; the others 50 at a
 * time (limit/before) as the person scrolls or presses 더 보기.  Search
 * and tag filters live in the URL (#q=…&tag=…: app.js), so reload and Back
 * work; a search runs 300 ms after the last keystroke, and an answer to an
 * older query is dropped (aborted, and checked by sequence number).  The
 * list answers carry no ETag: an action that needs one (a checkbox, an
 * edit) reads the memo first and compares it with what the card shows. */
(function () {
	'use strict';

	const Memo = window.Memo = window.Memo || {};
	const R = Memo.render, net = Memo.net, ui = Memo.ui;
	const drafts = Memo.drafts;
	const PAGE = 50, TAGS_SHOWN = 12, SEARCH_DELAY = 300, TAGS_WAIT = 1000;

	const st = {
		q: '', tag: '',
		seq: 0, ctl: null,	/* the current load and its abort */
		cursor: 0, more: false, loading: false,
		late: new Map(),	/* id -> entry left for the page loading */
		count: 0, loaded: false,
		shown: { q: '', tag: '' },	/* the filter of the cards (stale()) */
		entries: new Map(),	/* id -> {memo, etag, li} */
		/* The highest memo id the page has seen (a list, a new memo),
		 * and whether a list without filters was shown: then no memo
		 * live then has a higher one (madeMeanwhile()).  A filtered
		 * list, or none, says nothing of the newest memo. */
		newest: 0, whole: false,
		tags: [], tagsOpen: false, tagTimer: 0
	};
	let $ = null;		/* the view's elements, by id */

	function terms() {
		return st.q ? st.q.split(/\s+/) : [];
	}

	/* ---- cards ---- */

	function button(cls, label, what) {
		const b = R.el('button', cls, label);
		b.type = 'button';
		b.appendChild(R.el('span', 'sr-only', ': ' + what));
		return b;
	}

	/* (Re)draw the card of entry e, leaving an open editor alone. */
	function fill(e) {
		const m = e.memo, li = e.li;
		const what = R.summary(m.text);
		const meta = R.el('div', 'meta');
		const acts = R.el('div', 'card-actions');
		const pin = button('pin', m.pinned ? '고정 해제' : '고정', what);

		Array.from(li.children).forEach((c) => {
			if (!c.classList.contains('editor'))
				c.remove();
		});
		meta.appendChild(R.time(m.created_at));
		if (m.updated_at && m.updated_at !== m.created_at) {
			const h = R.el('button', 'edited link-button');
			h.type = 'button';
			h.appendChild(R.time(m.updated_at, '수정됨 · '));
			h.appendChild(R.el('span', 'sr-only', ' (수정 기록 보기)'));
			meta.appendChild(h);
		}
		/* Its label says the state (고정 해제: pinned); aria-pressed
		 * as well made a screen reader say "고정 해제, 눌림", which
		 * does not tell whether the memo is pinned. */
		pin.classList.toggle('on', !!m.pinned);
		acts.append(pin, button('edit', '수정', what),
		    button('delete', '삭제', what));
		const body = R.body(m.text, { tags: m.tags, terms: terms(),
		    onTag: true, checks: true });
		const foot = R.el('div', 'foot');
		foot.append(meta, acts);
		li.insertBefore(foot, li.firstChild);
		li.insertBefore(body, foot);
		li.classList.toggle('pinned', !!m.pinned);
		if (e.aside)
			li.insertBefore(asideNote(e), li.firstChild);
	}

	/* The note above the editor of a card kept aside (relist()): why its
	 * memo is not in the list.  The text being typed is described by it,
	 * so a screen reader says it too. */
	function asideNote(e) {
		const m = e.memo;
		const note = R.el('p', 'aside-note');
		let why = '지금 목록에 없는 메모입니다.';

		if (e.gone)
			why = '다른 곳에서 삭제된 메모입니다.';
		else if (!m.pinned && st.more && m.id < st.cursor)
			why = '목록에서는 더 아래에 있는 메모입니다.';
		else if (st.q || st.tag)
			why = '지금 필터(' + filterName() + ')에 맞지 않는 메모입니다.';
		note.textContent = why + ' 수정을 마칠 때까지 여기에 둡니다.';
		note.id = 'aside-' + m.id;
		if (e.li.editor)
			e.li.editor.text.setAttribute('aria-describedby', note.id);
		return note;
	}

	/* aside: a card kept on top for its draft, as relist() keeps one
	 * (reopenDrafts()). */
	function add(memo, etag, aside) {
		const li = R.el('li', 'memo');
		const e = { memo, etag: etag || null, li };

		li.dataset.id = String(memo.id);
		li.id = 'memo-' + memo.id;
		if (aside) {
			setAside(e, true);
			e.gone = !!memo.deleted_at;
		}
		st.entries.set(memo.id, e);
		fill(e);
		place(e);
		if (drafts.edit(memo.id))
			edit(e, !draftFocus(aside), aside);
		return e;
	}

	/* An editor reopened from its draft takes the focus only on the
	 * page's first load (late: just after it, read apart), and only if
	 * nothing has it yet: after a reload or a new login that is where
	 * the person was typing.  On any later load (a search being typed,
	 * Back, a tag, the next page) the keys stay where they go: taking
	 * them would cut the syllable an IME is composing and send what
	 * follows into the memo. */
	function draftFocus(late) {
		const f = document.activeElement;
		return (late || !st.loaded) && (!f || f === document.body);
	}

	/* The edits this tab's drafts hold of memos the first list has not
	 * (further down, left out by the filter the page opened with, in the
	 * trash): each read, its editor comes back on top, kept aside as
	 * relist() keeps one, instead of waiting unseen for a page or a
	 * filter that may never come.  A memo deleted for good (404) has no
	 * card to come back in: its edit's text goes to the new memo, once
	 * the person is not writing there (boxFree(), orphaned()). */
	async function reopenDrafts() {
		const orphans = [];

		for (const id of drafts.edits()) {
			if (st.entries.has(id))
				continue;
			const res = await net.get(id);
			if (res.ok && !st.entries.has(id) && drafts.edit(id)) {
				add(res.data, res.etag, true);
				show();
			} else if (res.gone) {
				orphans.push(id);
			}
		}
		if (!orphans.length)
			return;
		if ($.text.value.trim() !== '')
			ui.status('영구 삭제된 메모를 고치던 내용이 있습니다. 지금 쓰는 ' +
			    '새 메모를 저장하거나 비우면 새 메모 칸에 옮겨 둡니다.', '');
		await boxFree();
		if (orphaned(orphans.filter((id) => !st.entries.has(id))))
			ui.status('영구 삭제된 메모를 고치던 내용을 새 메모 칸에 옮겨 ' +
			    '두었습니다.', '');
	}

	/* Settles once no IME composition is under way in the new memo's
	 * box: changed meanwhile, the syllable being composed would be typed
	 * twice. */
	function composed() {
		return composingNew() ? new Promise((ok) => $.text.addEventListener(
		    'compositionend', ok, { once: true })) : Promise.resolve();
	}

	/* Settles once the new memo's box is empty and the person's alone:
	 * nothing written, composed or being saved there (a save ends with
	 * its own word on the status line).  Text added to what is being
	 * written would go with it: a click on 저장 that ends a composition,
	 * or a Ctrl+Enter held through one (ui.keys()), saves it unseen. */
	async function boxFree() {
		for (;;) {
			await composed();
			await new Promise((ok) => setTimeout(ok, 0));
			if (!newSaves && !composingNew() && $.text.value.trim() === '')
				return;
			await new Promise((ok) => setTimeout(ok, 250));
		}
	}

	/* The edits of memos deleted for good (ids), called once the new
	 * memo's box is empty (boxFree()): their texts go there, a blank line
	 * between two, as drafts.js's adopt() keeps another tab's edit and the
	 * editor's 새 메모로 저장 keeps one whose memo went while it was open:
	 * there the person sees them and chooses.  An edit that changed
	 * nothing goes, and so does one whose text another has brought.  The
	 * new memo is stored before the edits are dropped, so a tab closed
	 * between keeps a text twice, never nowhere.  How many moved. */
	function orphaned(ids) {
		const texts = [];

		for (const id of ids) {
			const d = drafts.edit(id);
			const s = d && d.text !== d.base ? d.text.replace(/\s+$/, '') : '';

			if (s.trim() !== '' && texts.indexOf(s) < 0)
				texts.push(s);
		}
		if (texts.length) {
			$.text.value = texts.join('\n\n');
			drafts.setFresh($.text.value);
		}
		ids.forEach((id) => drafts.clearEdit(id));
		return texts.length;
	}

	/* Put e's card in its list, newest (highest id) first, below the
	 * cards kept aside (relist()).  An unpinned memo older than the last
	 * page loaded comes with a later page. */
	function place(e) {
		const ul = e.memo.pinned ? $.pinned : $.memos;
		const id = e.memo.id;

		if (e.dropped)
			return;

		if (e.aside) {
			if (e.li.parentNode !== ul)
				ul.insertBefore(e.li, ul.firstChild);
			sections();
			return;
		}
		if (!e.memo.pinned && st.more && id < st.cursor) {
			/* Being edited (unpinned elsewhere, read as its editor
			 * opened): kept aside on top as relist() keeps one, not
			 * taken off the screen with the editor and its focus. */
			if (e.li.editor) {
				const t = e.li.editor.text;
				const had = document.activeElement === t;
				const [a, z] = [t.selectionStart, t.selectionEnd];

				setAside(e, true);
				fill(e);
				place(e);
				if (st.loading)	/* may belong in that page's range */
					st.late.set(id, e);
				if (had) {	/* moved, the card lost it */
					t.focus();
					t.setSelectionRange(a, z);
				}
				return;
			}
			e.li.remove();
			st.entries.delete(id);
			/* The page on its way (loadMore()) may have been read
			 * before this change (an unpin, an undo) and lack it. */
			if (st.loading)
				st.late.set(id, e);
			return;
		}
		const after = Array.from(ul.children).find((c) =>
		    !c.classList.contains('aside') && Number(c.dataset.id) < id);
		if (after !== e.li)
			ul.insertBefore(e.li, after || null);
		sections();
	}

	/* 고정됨 and the others' title show while they have cards.  Set as a
	 * card moves, not later: the focus given back to a card just pinned
	 * (update()) does not land in a section still hidden, where it fell
	 * to the page's start. */
	function sections() {
		const pinned = $.pinned.children.length;

		$.pinnedSection.hidden = pinned === 0;
		$.othersHeading.hidden = pinned === 0 || $.memos.children.length === 0;
	}

	/* The server's memo m (and its ETag) replaces what e shows. */
	function update(e, m, etag) {
		const moved = !!m.pinned !== !!e.memo.pinned;
		const retold = m.text !== e.memo.text;	/* the tags come from it */
		const focused = document.activeElement;
		const line = focused && e.li.contains(focused) &&
		    focused.dataset ? focused.dataset.line : undefined;
		const cls = focused && e.li.contains(focused) ?
		    focused.classList[0] : null;

		e.memo = m;
		e.etag = etag || null;
		fill(e);
		if (moved)
			place(e);
		/* keep the keyboard where it was */
		let back = null;
		if (line !== undefined)
			back = e.li.querySelector('input[data-line="' + line + '"]');
		else if (cls && !e.li.editor)
			back = e.li.querySelector('.card-actions .' + cls);
		if (back)
			back.focus();
		if (retold)
			refreshTags();
	}

	/* ---- loading ---- */

	function filterParams(extra) {
		return Object.assign({ q: st.q, tag: st.tag }, extra);
	}

	/* keep: leave the status line alone (it says what was just done).
	 * The first load does too: it may say what came back of the drafts
	 * (restored()).  Resolves to true once the list is shown (not when
	 * it failed, or a newer load took over).  tags: the tag bar's load,
	 * which the list waits for up to TAGS_WAIT ms, so that the bar,
	 * coming in above it, does not push the cards down under the
	 * person's pointer a moment after they were drawn. */
	async function load(keep, tags) {
		const seq = ++st.seq;
		const first = !st.loaded;
		if (st.ctl)
			st.ctl.abort();
		const ctl = st.ctl = new AbortController();
		let pinned, page;

		$.view.setAttribute('aria-busy', 'true');
		if (!st.loaded)
			$.count.textContent = '불러오는 중…';
		try {
			[pinned, page] = await Promise.all([
				net.list(filterParams({ pinned: 'true' }), ctl.signal),
				net.list(filterParams({ pinned: 'false', limit: PAGE,
				    count: 'true' }), ctl.signal),
				tags && Promise.race([tags, new Promise((ok) =>
				    setTimeout(ok, TAGS_WAIT))])]);
		} catch (e) {
			return;		/* aborted: a newer load is running */
		}
		if (seq !== st.seq)
			return;
		$.view.removeAttribute('aria-busy');
		if (!pinned.ok || !page.ok) {
			const res = pinned.ok ? page : pinned;
			if (res.status === 400)
				ui.status('이 검색어나 태그로는 찾을 수 없습니다. 필터를 지우고 다시 해 보세요.', 'error');
			else
				ui.failed(res, '메모를 불러오지 못했습니다.');
			if (!st.loaded)
				$.count.textContent = '';
			$.more.hidden = !st.more || stale();
			return;
		}
		st.shown = { q: st.q, tag: st.tag };	/* a new one: remove() */
		relist(pinned.data.memos, page.data.memos);
		pinned.data.memos.concat(page.data.memos).forEach((m) => known(m.id));
		if (!st.q && !st.tag)
			st.whole = true;
		st.count = pinned.data.memos.length + (page.data.count || 0);
		st.loaded = true;
		show();
		if (!keep && !first &&
		    document.getElementById('status').className !== 'error')
			ui.status('', '');
		nearEnd();
		if (first)
			reopenDrafts();
		return true;
	}

	/* Whether the cards are of another filter than the one asked for (its
	 * list failed): they get no next page of it (loadMore()), and the
	 * same search or tag asked again loads (enter()). */
	function stale() {
		return st.shown.q !== st.q || st.shown.tag !== st.tag;
	}

	/* A new list (the pinned memos, the first page of the others) in
	 * place of the old one.  The cards being edited stay (editing()):
	 * those whose memo it has as they are, the others kept aside, on top
	 * and out of the count, until their editor closes (closed in edit()). */
	function relist(pinned, page) {
		const open = editing();
		const ids = new Set(pinned.concat(page).map((m) => m.id));
		const last = page[page.length - 1];

		st.entries.clear();
		clearLists(open);
		open.forEach((e, id) => setAside(e, !ids.has(id)));
		st.more = false;	/* place() keeps every card of this page */
		pinned.forEach((m) => shown(m, open));
		page.forEach((m) => shown(m, open));
		st.cursor = last ? last.id : 0;
		st.more = page.length === PAGE;
		order($.pinned);
		order($.memos);
		renote();
		open.forEach((e) => {
			if (e.aside)
				checkGone(e);
		});
	}

	/* Whether the memo of e, kept aside, was deleted elsewhere (to the
	 * trash, or for good): its note then says so, where it said the
	 * filter, or the page, or nothing it knew.  One read per card a new
	 * list leaves out; an answer that tells nothing changes nothing. */
	async function checkGone(e) {
		const res = await net.get(e.memo.id);
		const deleted = res.gone || (res.ok && !!res.data.deleted_at);

		if ((!res.ok && !res.gone) || deleted === !!e.gone ||
		    !e.aside || !e.li.isConnected)
			return;
		e.gone = deleted;
		fill(e);
	}

	/* The cards kept aside drawn anew: their notes say why, as the list
	 * now is (a next page may have ended it). */
	function renote() {
		st.entries.forEach((e) => {
			if (e.aside)
				fill(e);
		});
	}

	/* ul's cards in order: those kept aside on top, as they were, then
	 * the list's, newest first (a card kept stays where it was, which
	 * need not be there).  The card holding the focus does not move, the
	 * others go around it: moving it would take the focus, and end an
	 * IME composition in it. */
	function order(ul) {
		const cards = Array.from(ul.children);
		const aside = (li) => li.classList.contains('aside');
		const want = cards.filter(aside).concat(cards.filter((li) =>
		    !aside(li)).sort((a, b) => b.dataset.id - a.dataset.id));
		const k = Math.max(0, want.findIndex((li) =>
		    li.contains(document.activeElement)));

		for (let i = k - 1; i >= 0; i--) {
			if (want[i].nextSibling !== want[i + 1])
				ul.insertBefore(want[i], want[i + 1]);
		}
		for (let i = k + 1; i < want.length; i++) {
			if (want[i].previousSibling !== want[i - 1])
				ul.insertBefore(want[i], want[i - 1].nextSibling);
		}
	}

	/* The entries with an editor open, by id.  A new list keeps their
	 * cards: what is typed there may be nowhere else (a browser that
	 * keeps no drafts), and a card that never leaves the page keeps the
	 * focus and an IME composition in it. */
	function editing() {
		const open = new Map();

		st.entries.forEach((e, id) => {
			if (e.li.editor)
				open.set(id, e);
		});
		return open;
	}

	/* Card e, being edited, is kept aside (on: the new list has not its
	 * memo) or is one of the list's. */
	function setAside(e, on) {
		e.aside = on;
		e.gone = on && e.gone;	/* listed, it is not deleted */
		e.li.classList.toggle('aside', on);
		if (!on && e.li.editor)
			e.li.editor.text.removeAttribute('aria-describedby');
		st.entries.set(e.memo.id, e);
	}

	/* Take every card out of the lists but those kept (open). */
	function clearLists(open) {
		[$.pinned, $.memos].forEach((ul) => {
			Array.from(ul.children).forEach((li) => {
				if (!open.has(Number(li.dataset.id)))
					li.remove();
			});
		});
	}

	/* Memo m of a new list: in its card still being edited (open, from
	 * editing()), which stays where it is unless m moved between the
	 * pinned and the others, or in a new card. */
	function shown(m, open) {
		const e = open.get(m.id);

		if (!e) {
			add(m);
			return;
		}
		const moved = !!m.pinned !== !!e.memo.pinned;
		if (m.text !== e.memo.text || m.updated_at !== e.memo.updated_at)
			e.etag = null;	/* the list has none: version() reads it */
		e.memo = m;
		st.entries.set(m.id, e);
		fill(e);
		if (moved)
			place(e);
	}

	/* Not while a new list loads (aria-busy): its cursor is the old
	 * list's, its filter the new one's, and an answer that came after the
	 * new list would skip the memos between the two cursors.  The new
	 * list asks for its next page itself when it ends near (nearEnd()). */
	async function loadMore() {
		if (st.loading || !st.more || stale() ||
		    $.view.hasAttribute('aria-busy'))
			return;
		const seq = st.seq;
		const held = document.activeElement === $.more;
		/* Not disabled: a disabled button loses the focus to the page's
		 * start; st.loading refuses a second press. */
		st.loading = true;
		$.more.setAttribute('aria-disabled', 'true');
		$.more.textContent = '불러오는 중…';
		let res;
		try {
			res = await net.list(filterParams({ pinned: 'false', limit: PAGE,
			    before: st.cursor }), st.ctl && st.ctl.signal);
		} catch (e) {
			res = null;	/* aborted by a new search */
		}
		st.loading = false;
		const late = st.late;
		st.late = new Map();
		$.more.removeAttribute('aria-disabled');
		$.more.textContent = '더 보기';
		if (!res || seq !== st.seq)
			return;
		if (!res.ok) {
			ui.failed(res, '메모를 더 불러오지 못했습니다.');
			return;
		}
		const memos = res.data.memos;
		st.more = false;	/* place() appends everything of this page */
		memos.forEach((m) => {
			const e = st.entries.get(m.id);
			if (!e)
				add(m);
			else if (e.aside)
				rejoin(e, m);
		});
		if (memos.length)
			st.cursor = memos[memos.length - 1].id;
		st.more = memos.length === PAGE;
		/* Cards left for this page that it lacks (read before they
		 * came down to it): placed now, or left for a later page. */
		late.forEach((e, id) => {
			if (!st.entries.has(id)) {
				st.entries.set(id, e);
				place(e);
			} else if (e.aside && st.entries.get(id) === e &&
			    !(st.more && id < st.cursor)) {
				rejoin(e, e.memo);	/* set aside being edited */
			}
		});
		renote();
		show();
		if (held && $.more.hidden)
			focusAfterMore(memos[0]);
		nearEnd();
	}

	/* The focus 더 보기 had when the list ended and hid it: on the first
	 * card the last page brought (first: its memo). */
	function focusAfterMore(first) {
		const e = first && st.entries.get(first.id);
		const b = e && e.li.querySelector('.card-actions button');

		if (b)
			b.focus();
	}

	/* Card e, kept aside for a memo further down, and m, that memo in the
	 * page just loaded: one of the list's now, where its id puts it. */
	function rejoin(e, m) {
		setAside(e, false);
		shown(m, new Map([[m.id, e]]));
		order(e.li.parentNode);
	}

	/* Load the next page while 더 보기 is on (or near) the screen. */
	function nearEnd() {
		requestAnimationFrame(() => {
			const r = $.more.getBoundingClientRect();
			if (st.more && !$.more.hidden && r.top < innerHeight + 600)
				loadMore();
		});
	}

	/* ---- what the view says: count, empty state, filters ---- */

	function show() {
		const n = st.count;
		const filtered = st.q || st.tag;

		sections();
		$.more.hidden = !st.more || stale();
		if (st.q)
			$.count.textContent = '검색 결과 ' + n + '개';
		else if (st.tag)
			$.count.textContent = '#' + st.tag + ' 메모 ' + n + '개';
		else
			$.count.textContent = '메모 ' + n + '개';
		$.empty.hidden = listed() !== 0;
		$.empty.classList.toggle('no-results', !!filtered);
		if (filtered) {
			$.empty.textContent = '결과 없음 — ' + (st.q ? '‘' + st.q + '’' :
			    '#' + st.tag) + '에 맞는 메모가 없습니다.';
		} else {
			$.empty.textContent = '아직 메모가 없습니다. 위 입력란에 첫 메모를 적어 보세요.';
		}
		showFilter();
	}

	/* The cards of the list: not those kept aside. */
	function listed() {
		return Array.from(st.entries.values()).filter((e) => !e.aside).length;
	}

	function showFilter() {
		const f = $.filter;

		f.replaceChildren();
		f.hidden = !st.q && !st.tag;
		if (f.hidden)
			return;
		f.appendChild(R.el('span', 'filter-label', '필터'));
		if (st.tag)
			f.appendChild(filterChip('#' + st.tag, '태그 필터 #' + st.tag +
			    ' 지우기', { tag: '' }));
		if (st.q)
			f.appendChild(filterChip('검색: ' + st.q, '검색: ' + st.q +
			    ' 지우기', { q: '' }));
		if (st.q && st.tag)
			f.appendChild(filterChip('모두 지우기', '필터 모두 지우기',
			    { q: '', tag: '' }));
	}

	function filterChip(text, label, change) {
		const b = R.el('button', 'chip active', text);
		b.type = 'button';
		b.setAttribute('aria-label', label);
		b.appendChild(R.el('span', 'chip-x', '×'));
		b.addEventListener('click', () => {
			if ('q' in change)
				$.search.value = '';
			go(Object.assign(current(), change), false);
			$.search.focus();
		});
		return b;
	}

	function current() {
		return { q: st.q, tag: st.tag };
	}

	/* Filters go through the URL (app.js), which calls enter(). */
	function go(params, replace) {
		Memo.app.go({ q: params.q, tag: params.tag }, replace);
	}

	/* ---- tags ---- */

	function refreshTags() {
		clearTimeout(st.tagTimer);
		st.tagTimer = setTimeout(() => {
			st.tagTimer = 0;
			loadTags();
		}, 400);
	}

	async function loadTags() {
		const res = await net.tags();

		if (!res.ok || !Array.isArray(res.data.tags))
			return;		/* the list still works without them */
		st.tags = res.data.tags;
		showTags();
	}

	/* The chips are drawn anew (pressed one, counts); the one that had
	 * the focus gets it back, so a keyboard user pressing #회의 stays on
	 * it instead of falling to the page's start. */
	function showTags() {
		const list = st.tagsOpen ? st.tags : st.tags.slice(0, TAGS_SHOWN);
		const active = st.tag.toLowerCase();
		const f = document.activeElement;
		const focused = f && $.tagList.contains(f) && f.dataset.tag;

		$.tags.hidden = st.tags.length === 0;
		$.tagList.replaceChildren();
		list.forEach((t) => {
			const li = R.el('li');
			const b = R.el('button', 'chip', '#' + t.name);
			b.type = 'button';
			b.dataset.tag = t.name;
			b.setAttribute('aria-pressed',
			    String(t.name).toLowerCase() === active ? 'true' : 'false');
			b.appendChild(R.el('span', 'chip-count', String(t.count)));
			b.setAttribute('aria-label', '#' + t.name + ' 태그, 메모 ' + t.count + '개');
			li.appendChild(b);
			$.tagList.appendChild(li);
			if (focused && focused === t.name)
				b.focus();
		});
		$.tagsMore.hidden = st.tags.length <= TAGS_SHOWN;
		$.tagsMore.textContent = st.tagsOpen ? '태그 접기' :
		    '태그 모두 보기 (' + st.tags.length + '개)';
		$.tagsMore.setAttribute('aria-expanded', String(st.tagsOpen));
	}

	function byTag(name) {
		const same = st.tag.toLowerCase() === String(name).toLowerCase();
		go({ q: st.q, tag: same ? '' : name }, false);
	}

	/* ---- search ---- */

	let searchTimer = 0;

	/* The search the box holds, as the URL has it: its words, composed
	 * (NFC), at most the server's Q_MAX characters.  The box takes 600
	 * code units: Hangul typed decomposed (NFD, as macOS writes it) is 2
	 * or 3 a syllable, and the box would cut 200 syllables to 66. */
	const Q_MAX = 200;

	function boxWords() {
		const q = $.search.value.normalize('NFC').trim().split(/\s+/)
		    .filter((w) => w).join(' ');

		return [...q].slice(0, Q_MAX).join('').trim();
	}

	/* composing: an IME was composing as the box was typed in.  A lone
	 * jamo at the end is then a syllable on its way ('회ㅇ' of '회의'):
	 * searched for, it found nothing and the list said so.  compositionend
	 * searches for what the box holds once the syllable is done. */
	function searchNow(composing) {
		clearTimeout(searchTimer);
		let q = boxWords();
		if (composing === true) {
			const done = q.replace(/[\u1100-\u11ff\u3131-\u318e]+$/u, '').trim();
			if (!done && q)
				return;
			q = done;
		}
		if (q === st.q && !stale())
			return;
		/* The first keystroke of a search is a new history entry (Back
		 * leaves the search); the rest replace it. */
		go({ q, tag: st.tag }, !!st.q && !!q);
	}

	/* ---- writing a new memo ---- */

	let saving = false;
	let newSaves = 0;	/* submitNew()s not over yet, to their last word */
	let composingNew = () => false;	/* ui.keys() tells */
	/* A new memo's save whose answer never came ({text, after}): the
	 * network failed or the answer was cut, and the server may have the
	 * memo.  Saved again unchanged, it is looked for first among the
	 * memos newer than the newest this page knew then, so a lost answer
	 * does not make the memo twice. */
	let unsure = null;

	function known(id) {
		st.newest = Math.max(st.newest, id);
	}

	function unanswered(res) {
		return res.status === 0 || res.status === 502 || res.status === 504 ||
		    (!res.ok && res.status >= 200 && res.status < 300);
	}

	/* The memo an unanswered save of value made, as a create's answer,
	 * or null (not there, or the server cannot say). */
	async function madeMeanwhile(value, after) {
		const res = await net.list({ limit: 20 });
		const m = res.ok && res.data.memos.find((x) =>
		    x.id > after && x.text === value);

		return m ? { ok: true, status: 200, data: m, etag: null } : null;
	}

	async function submitNew() {
		const value = $.text.value;

		if (saving)
			return;
		if (value.trim() === '') {
			ui.status('메모 내용을 입력해 주세요.', 'error');
			$.text.focus();
			return;
		}
		if (ui.tooLong(value)) {
			ui.status('메모가 너무 깁니다 (최대 64KB).', 'error');
			return;
		}
		newSaves++;
		try {
			await saveNew(value);
		} finally {
			newSaves--;
		}
	}

	async function saveNew(value) {
		saving = true;
		$.save.disabled = true;
		$.form.setAttribute('aria-busy', 'true');
		ui.status('저장하는 중…', '');
		/* after: null when the page cannot tell which memos are older
		 * than this save (the list filtered, or not loaded): a memo of
		 * the same text there may be an earlier one, not this. */
		const again = unsure && unsure.text === value ? unsure : null;
		const after = again ? again.after : st.whole ? st.newest : null;
		const res = again && after !== null &&
		    await madeMeanwhile(value, after) || await net.create(value);
		unsure = unanswered(res) ? { text: value, after } : null;
		/* Typed on while the save ran: what was sent is saved, and what
		 * came after it stays for the next memo, as it would have after
		 * a save that answered at once.  A change inside the text sent
		 * leaves all of it (the person sees both and chooses).  A syllable
		 * an IME is composing there is let finish first: setting the box
		 * would cut it, or type it twice.  Until then this save is not
		 * over, so a Ctrl+Enter held for that syllable's end cannot send
		 * the saved text again. */
		if (res.ok)
			await composed();
		saving = false;
		$.save.disabled = false;
		$.form.removeAttribute('aria-busy');
		if (!res.ok) {
			/* 저장, turned off while it ran, lost the focus. */
			if (focusLost())
				$.save.focus();
			ui.failed(res, '저장하지 못했습니다.',
			    '쓴 내용은 이 브라우저에 남아 있습니다.');
			return;
		}
		const now = $.text.value;
		$.text.value = now.indexOf(value) === 0 ?
		    now.slice(value.length).replace(/^\s+/, '') : now;
		const more = $.text.value === '' ? '' :
		    ' 저장하는 동안 더 쓴 내용은 아직 저장하지 않았습니다.';
		drafts.setFresh($.text.value);
		/* Not from where the person went while a slow save ran. */
		if (focusLost() || $.form.contains(document.activeElement))
			$.text.focus();
		const what = filterName();
		if (await created(res.data, res.etag) === false)
			ui.status('저장했습니다. 지금 필터(' + what + ')에 맞지 않아 ' +
			    '목록에는 보이지 않습니다.' + more, 'ok');
		else
			ui.status('저장했습니다.' + more, 'ok');
	}

	/* The filters on, for a sentence: "검색어 ‘회의’, #회사". */
	function filterName() {
		return [st.q ? '검색어 ‘' + st.q + '’' : '', st.tag ? '#' + st.tag : '']
		    .filter(Boolean).join(', ');
	}

	/* A new memo goes on top.  While a search or tag filter is on, only if
	 * it matches: the server answers that (its search folds case and
	 * Hangul as the page cannot) for the filter asked for the one memo,
	 * before its id + 1, and the pages already loaded stay.  Resolves to
	 * true (in the list), false (the filter leaves it out) or null (the
	 * filter changed meanwhile: the new list shows it or not). */
	async function created(memo, etag, settle) {
		const seq = st.seq;
		let res = null;

		known(memo.id);
		refreshTags();
		if (st.q || st.tag) {
			try {
				res = await net.list(filterParams({ before: memo.id + 1,
				    limit: 1 }), st.ctl && st.ctl.signal);
			} catch (e) {
				return null;	/* aborted: a new filter loads anew */
			}
			if (seq !== st.seq)
				return null;
			if (!res.ok) {
				load(true);	/* cannot tell: the list anew */
				return null;
			}
			if (!res.data.memos.length || res.data.memos[0].id !== memo.id)
				return false;
		}
		if (!st.entries.has(memo.id)) {
			add(memo, etag);
			st.count++;
			show();
		}
		/* A list on its way was read before this memo was there (made,
		 * or put back by 실행 취소): it would drop the card.  Read anew;
		 * settle: waited for, so that the caller gives the focus to the
		 * card that list draws, not to one it replaces. */
		if ($.view.hasAttribute('aria-busy')) {
			const reread = load(true);
			if (settle)
				await reread;
		}
		return true;
	}

	/* ---- card actions ---- */

	/* quiet: leave the focus where it is (draftFocus()); still: take it
	 * without moving the page (an editor reopened late, on top). */
	function edit(e, quiet, still) {
		if (e.li.editor)
			return;
		let made = null;	/* a memo 새 메모로 저장 made */

		Memo.editor.open(e.li, e, {
			saved: (m, etag) => update(e, m, etag),
			created: (m, etag) => {
				made = m.id;
				return created(m, etag);
			},
			closed: (gone, ours) => {
				if (e.aside) {
					putBack(e);
					return;
				}
				if (gone) {
					/* Its card goes with the focus: to the new
					 * memo's, if it is on the list. */
					const n = made && st.entries.get(made);
					const b = n && n.li.querySelector('.card-actions .edit');

					drop(e);
					if (ours)
						(b || $.search).focus();
					return;
				}
				const b = e.li.querySelector('.card-actions .edit');
				if (b && ours)
					b.focus();
			}
		}, quiet, still);
	}

	/* The editor of a card kept aside (relist()) closed: the card goes,
	 * and the list is loaded anew, which shows the memo if it belongs
	 * there now (the edit may have made it match the filter).  The focus
	 * the card took with it waits in the search box, where it stays if
	 * the load fails or another takes over (it fell to the page's start),
	 * and goes on to the memo's 수정 if the memo is back. */
	async function putBack(e) {
		const id = e.memo.id;
		const f = document.activeElement;
		const lost = !f || f === document.body || e.li.contains(f);

		if (lost)
			$.search.focus();
		e.li.remove();
		st.entries.delete(id);
		show();
		if (!await load(true) || !lost || document.activeElement !== $.search)
			return;
		const back = st.entries.get(id);
		const b = back && back.li.querySelector('.card-actions .edit');
		if (b)
			b.focus();
	}

	function drop(e) {
		e.dropped = true;	/* a pin or a tick answered later leaves it */
		e.li.remove();
		st.entries.delete(e.memo.id);
		st.count = Math.max(0, st.count - 1);
		show();
	}

	/* Deletes by the order they were pressed in, and the last whose
	 * toast showed (remove()). */
	let deletes = 0, toasted = 0;

	/* The card the focus goes to when li's goes: the next, else the one
	 * before, not one being edited (its buttons are hidden). */
	function neighbour(li) {
		const ok = (c) => c && !c.classList.contains('editing');
		let c = li.nextElementSibling;

		while (c && !ok(c))
			c = c.nextElementSibling;
		if (c)
			return c;
		c = li.previousElementSibling;
		while (c && !ok(c))
			c = c.previousElementSibling;
		return c;
	}

	async function remove(e) {
		const ul = e.li.parentNode;
		const next = neighbour(e.li);
		const mine = ++deletes;
		const seq = st.seq, before = $.view.hasAttribute('aria-busy');
		const shown = st.shown;

		drop(e);
		const focus = next && next.querySelector('.card-actions .delete');
		(focus || $.search).focus();
		const res = await net.trash(e.memo.id);
		/* A list loaded (or loading) meanwhile may have been read before
		 * this delete: it is read again, which shows the memo as the
		 * server has it now, live or not. */
		const relisted = before || seq !== st.seq;
		/* Deleted for good elsewhere (another tab emptied the trash):
		 * there is nothing to put back, nor to undo. */
		if (res.gone) {
			ui.status('이미 영구 삭제된 메모입니다.', '');
			if (relisted)
				load(true);
			return;
		}
		if (!res.ok) {
			/* Put back as it was, unless a list shown since has it,
			 * or left it out (of another filter): the database down,
			 * the list read anew fails too. */
			if (relisted)
				await load(true);
			if (st.shown === shown) {
				e.dropped = false;
				fill(e);	/* as a pin or tick meanwhile left it */
				ul.appendChild(e.li);
				st.entries.set(e.memo.id, e);
				place(e);
				st.count++;
				show();
			}
			ui.failed(res, '삭제하지 못했습니다.');
			return;
		}
		if (relisted)
			load(true);
		refreshTags();
		/* An earlier delete answered last does not take over the toast
		 * of a later one: 실행 취소 (Ctrl+Z) undoes the last delete. */
		if (mine < toasted)
			return;
		toasted = mine;
		offerUndo(e);
	}

	/* The toast names the memo its 실행 취소 puts back. */
	function offerUndo(e) {
		ui.toast('‘' + R.summary(e.memo.text, 20) + '’ 메모를 휴지통으로 옮겼습니다.',
		    { label: '실행 취소', run: () => undo(e) });
	}

	/* A restore that failed offers 실행 취소 again: the toast, gone with
	 * the click, was the only way back short of the 휴지통 view.  The
	 * focus its button took with it goes to the new one. */
	async function undo(e) {
		const from = document.activeElement;
		const res = await net.restore(e.memo.id);

		if (!res.ok) {
			ui.failed(res, '되돌리지 못했습니다.');
			if (res.status === 401 || res.gone) {
				focusBack();
				return;
			}
			offerUndo(e);
			const again = document.querySelector('#toast .toast-action');
			if (again && focusLost())
				again.focus();
			return;
		}
		/* The list may have another filter by now: as for a new memo,
		 * the server says whether the memo belongs in it (created()). */
		const what = filterName();
		if (await created(res.data, res.etag, true) === false) {
			ui.status('삭제를 취소했습니다. 지금 필터(' + what + ')에 맞지 ' +
			    '않아 목록에는 보이지 않습니다.', 'ok');
			focusBack();
			return;
		}
		ui.status('삭제를 취소했습니다.', 'ok');
		const back = st.entries.get(res.data.id);
		const b = back && back.li.querySelector('.card-actions .edit');
		/* Not from where the person went meanwhile (Ctrl+Z, then a
		 * click in a box to type: the keys would leave it, and cut the
		 * syllable an IME is composing). */
		if (b && (focusLost() || document.activeElement === from))
			b.focus();
		else if (!b)
			focusBack();
	}

	/* Whether nothing has the focus: the toast's button held it, and
	 * went with the toast. */
	function focusLost() {
		const f = document.activeElement;

		return !f || f === document.body;
	}

	/* With no card to give it to, the search box has the focus 실행 취소
	 * took with it, not the page's start. */
	function focusBack() {
		if (focusLost())
			$.search.focus();
	}

	/* 1 if e's card was deleted before the answer res (a pin's, a
	 * tick's) came: the card stays gone (a 409 says only that the delete
	 * got there first), and 실행 취소 brings the memo back as the server
	 * has it; a delete that fails puts it back as this answer left it. */
	function droppedMeanwhile(e, res) {
		if (!e.dropped)
			return false;
		if (res && res.ok) {
			e.memo = res.data;
			e.etag = res.etag || null;
		}
		return true;
	}

	async function pin(e) {
		const want = !e.memo.pinned;
		const seq = st.seq, before = $.view.hasAttribute('aria-busy');
		const res = await net.patch(e.memo.id, { pinned: want });

		if (droppedMeanwhile(e, res))
			return;
		if (!res.ok) {
			ui.failed(res, want ? '고정하지 못했습니다.' : '고정을 해제하지 못했습니다.');
			return;
		}
		/* A list loaded meanwhile, or on its way, may have read the memo
		 * before this PATCH: e's card is then not the list's (a second
		 * card would come back), or the list would put back the old pin.
		 * The list is loaded anew, as the server now has it; if that
		 * fails, the card the list has shows this answer. */
		if (before || seq !== st.seq || $.view.hasAttribute('aria-busy')) {
			ui.status(want ? '고정했습니다.' : '고정을 해제했습니다.', 'ok');
			const cur = await load(true) ? null : st.entries.get(e.memo.id);
			if (cur)
				update(cur, res.data, res.etag);
			refocusPin(e.memo.id);
			return;
		}
		update(e, res.data, res.etag);
		show();
		if (!e.li.isConnected) {
			/* Unpinned, it belongs below the pages loaded (place()): its
			 * pin button is gone with it, and the focus with that. */
			if (focusLost())
				$.more.focus();
			ui.status('고정을 해제했습니다. 이 메모는 목록 아래쪽에 있어 ‘더 보기’로 ' +
			    '볼 수 있습니다.', 'ok');
			return;
		}
		ui.status(want ? '고정했습니다.' : '고정을 해제했습니다.', 'ok');
	}

	/* The focus the pin button of memo id lost with the list drawn anew:
	 * on its new card's, or, without one, in the search box. */
	function refocusPin(id) {
		const e = st.entries.get(id);
		const b = e && e.li.querySelector('.card-actions .pin');

		if (b && focusLost())
			b.focus();
		else
			focusBack();
	}

	/* The ETag of what e shows, or null after redrawing e with the memo
	 * as it now is (it changed elsewhere). */
	async function version(e) {
		if (e.etag)
			return e.etag;
		const res = await net.get(e.memo.id);
		if (!res.ok) {
			ui.failed(res, '메모를 확인하지 못했습니다.');
			return null;
		}
		if (res.data.text !== e.memo.text) {
			update(e, res.data, res.etag);
			ui.status('다른 곳에서 바뀐 메모를 새로 불러왔습니다. 확인하고 다시 눌러 주세요.', 'error');
			return null;
		}
		e.etag = res.etag;
		return e.etag;
	}

	/* A checkbox: PATCH the memo's text with that line's box changed. */
	async function check(e, box) {
		const want = box.checked;
		const from = e.memo.text;
		const text = R.toggle(from, Number(box.dataset.line), want);
		const boxes = e.li.querySelectorAll('.body input[type="checkbox"]');

		if (text === null) {
			box.checked = !want;
			return;
		}
		/* A box turned off loses the focus (a keyboard's Space on it):
		 * its line's box, drawn anew, takes it back. */
		const held = document.activeElement === box;
		boxes.forEach((b) => { b.disabled = true; });
		e.li.setAttribute('aria-busy', 'true');
		const etag = await version(e);
		let res = null;
		if (etag)
			res = await net.patch(e.memo.id, { text }, etag);
		/* Changed meanwhile, but not its text (pinned on another device,
		 * or by 고정 pressed a moment after): the line is still the one
		 * the person ticked, so the tick goes on the new version. */
		if (res && res.status === 412 && res.data && res.data.memo &&
		    res.data.memo.text === from && res.etag)
			res = await net.patch(e.memo.id, { text }, res.etag);
		e.li.removeAttribute('aria-busy');
		if (droppedMeanwhile(e, res))
			return;
		if (res && res.ok) {
			update(e, res.data, res.etag);
		} else if (res && res.status === 412 && res.data && res.data.memo) {
			update(e, res.data.memo, res.etag);
			ui.status('다른 곳에서 바뀐 메모를 새로 불러왔습니다. 확인하고 다시 눌러 주세요.', 'error');
		} else {
			if (res)
				ui.failed(res, '체크 표시를 저장하지 못했습니다.');
			if (e.li.isConnected)
				fill(e);
		}
		const again = held && focusLost() && e.li.querySelector(
		    '.body input[data-line="' + box.dataset.line + '"]');
		if (again)
			again.focus();
	}

	/* The history dialog of e's memo.  What it reads redraws the card if
	 * the memo changed; a restore is an edit with If-Match (the version
	 * the dialog shows: editor.js says what a 412 means there). */
	async function history(e) {
		await Memo.editor.history(e, {
			seen: (m, etag) => seen(e, m, etag),
			restore: async (text, etag) => {
				const res = await net.patch(e.memo.id, { text }, etag);
				if (res.ok) {
					update(e, res.data, res.etag);
					ui.status('이전 내용으로 되돌렸습니다.', 'ok');
				}
				return res;
			}
		});
		/* The card may have been drawn anew under the dialog, and the
		 * 수정됨 that opened it, where the focus went back, with it. */
		const f = document.activeElement;
		const h = e.li.isConnected && e.li.querySelector('.edited');
		if (h && (!f || f === document.body ||
		    document.getElementById('dialog').contains(f)))
			h.focus();
	}

	/* Memo m (and its ETag) as read elsewhere: e is drawn anew only if
	 * m differs from what it shows. */
	function seen(e, m, etag) {
		if (m.text === e.memo.text && m.updated_at === e.memo.updated_at &&
		    !!m.pinned === !!e.memo.pinned) {
			e.etag = etag;
			return;
		}
		update(e, m, etag);
	}

	/* One listener for every card and chip of the view. */
	function onClick(ev) {
		const t = ev.target;
		const tag = t.closest('button[data-tag]');
		if (tag) {
			const inCard = !$.tagList.contains(tag);
			byTag(tag.dataset.tag);
			/* A card's tag button goes with the list drawn anew: the
			 * focus goes to that tag's chip above it (or the search
			 * box), not to the page's start. */
			if (inCard) {
				const name = tag.dataset.tag.toLowerCase();
				const chip = Array.from($.tagList.querySelectorAll(
				    'button[data-tag]')).find((c) =>
				    c.dataset.tag.toLowerCase() === name);
				(chip || $.search).focus();
			}
			return;
		}
		const li = t.closest('li.memo');
		const e = li && st.entries.get(Number(li.dataset.id));
		if (!e)
			return;
		const b = t.closest('button');
		if (b && b.closest('.card-actions')) {
			if (b.classList.contains('edit'))
				edit(e);
			else if (b.classList.contains('delete'))
				remove(e);
			else if (b.classList.contains('pin'))
				pin(e);
		} else if (b && b.classList.contains('edited')) {
			history(e);
		} else if (t.classList.contains('check-text') && !li.editor) {
			const box = t.parentNode.querySelector('input');
			if (box && !box.disabled)
				box.click();
		}
	}

	/* Say that a draft came back, and what was joined or moved when this
	 * tab took over a closed tab's drafts (drafts.js, adopt()). */
	function restored(taken) {
		if (taken.moved)
			ui.status('같은 메모를 고치던 다른 탭의 내용을 새 메모 칸에 옮겨 ' +
			    '두었습니다. 나중에 고친 내용은 그 메모의 수정 칸에 있습니다.', '');
		else if (taken.joined)
			ui.status('저장하지 않은 메모를 되살렸습니다. 여러 탭에서 쓰던 ' +
			    '내용을 빈 줄로 나눠 이어 붙였습니다.', '');
		else if ($.text.value)
			ui.status('저장하지 않은 메모를 되살렸습니다.', '');
	}

	function init() {
		const ids = { view: 'view-memos', form: 'memo-form', text: 'memo-text',
		    save: 'memo-save', hint: 'memo-hint', search: 'search',
		    tags: 'tags', tagList: 'tag-list', tagsMore: 'tags-more',
		    filter: 'filter', count: 'count', pinned: 'pinned',
		    pinnedSection: 'pinned-section', memos: 'memos',
		    othersHeading: 'others-heading', empty: 'empty', more: 'more' };
		$ = {};
		Object.keys(ids).forEach((k) => { $[k] = document.getElementById(ids[k]); });

		$.hint.textContent = ui.shortcut() + '로 저장';
		$.text.value = drafts.fresh();
		restored(drafts.taken());
		$.text.addEventListener('input', () => drafts.setFresh($.text.value));
		$.form.addEventListener('submit', (ev) => {
			ev.preventDefault();
			submitNew();
		});
		composingNew = ui.keys($.text, submitNew, null);

		$.search.addEventListener('input', (ev) => {
			clearTimeout(searchTimer);
			searchTimer = setTimeout(() => searchNow(ev.isComposing),
			    SEARCH_DELAY);
		});
		$.search.addEventListener('compositionend', () => {
			clearTimeout(searchTimer);
			searchTimer = setTimeout(searchNow, SEARCH_DELAY);
		});
		$.search.addEventListener('keydown', (ev) => {
			if (ui.composing(ev))
				return;
			if (ev.key === 'Enter') {
				ev.preventDefault();
				searchNow();
			} else if (ev.key === 'Escape' && $.search.value) {
				ev.preventDefault();
				$.search.value = '';
				searchNow();
			}
		});
		$.tagsMore.addEventListener('click', () => {
			st.tagsOpen = !st.tagsOpen;
			showTags();
		});
		$.view.addEventListener('click', onClick);
		$.view.addEventListener('change', (ev) => {
			const box = ev.target;
			const li = box.closest && box.closest('li.memo');
			const e = li && st.entries.get(Number(li.dataset.id));
			if (e && box.matches('.body input[type="checkbox"]'))
				check(e, box);
		});
		$.more.addEventListener('click', loadMore);
		addEventListener('beforeunload', (ev) => {
			if (!ui.leavingOnPurpose() && unkept()) {
				ev.preventDefault();
				ev.returnValue = '';
			}
		});
		if ('IntersectionObserver' in window)
			new IntersectionObserver((es) => {
				if (es.some((x) => x.isIntersecting))
					loadMore();
			}, { rootMargin: '600px 0px' }).observe($.more);
	}

	/* Text typed here and not saved that this browser could not keep
	 * (its storage refused it, or there is no user id): the browser asks
	 * before the page goes, as the status line asks not to close the tab
	 * when the login expires (ui.expired()). */
	function unkept() {
		if (drafts.kept())
			return false;
		if ($.text.value.trim() !== '')
			return true;
		return [...editing().values()].some((e) =>
		    e.li.editor.text.value !== e.li.editor.base);
	}

	/* The URL says which filters: load if they changed, or if the view
	 * was just switched to (a memo may have come back from the trash, or
	 * come in by an import: the tags too). */
	function enter(params, switched) {
		const q = (params.q || '').trim();
		const tag = (params.tag || '').replace(/^#/, '');

		/* The box shows the search the list is filtered by.  The one
		 * being typed in is left alone while it holds that search (its
		 * own keys brought this URL: setting it would cut an IME
		 * composition); Back or Forward, the focus in it, changes it. */
		if (document.activeElement !== $.search || boxWords() !== q)
			$.search.value = q;
		if (st.loaded && !stale() && !switched && q === st.q &&
		    tag === st.tag)
			return;
		st.q = q;
		st.tag = tag;
		const tags = switched ? loadTags() : null;
		showTags();
		load(false, tags);
	}

	/* A search typed just before switching must not land in the other
	 * view's URL; the tags are loaded again on coming back.  A dialog
	 * (the history, 수정을 취소할까요?) goes with the view, as the other
	 * views' do: left open over another view, its 되돌리기 changed a
	 * memo out of sight. */
	function leave() {
		ui.closeDialog();
		clearTimeout(searchTimer);
		searchTimer = 0;
		clearTimeout(st.tagTimer);
		st.tagTimer = 0;
	}

	Memo.memos = { unkept };

	(Memo.views = Memo.views || []).push({
		name: 'memos', label: '메모', section: 'view-memos',
		init, enter, leave
	});
}());
