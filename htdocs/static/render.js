/* render.js - a memo's text as DOM nodes, and times in Korean.
 *
 * The text stays plain text with its line breaks; only three things are
 * interpreted: http(s) URLs become links (rel="noopener noreferrer", made
 * only after new URL() says http: or https:), #tags the server also found
 * become buttons, and lines "- [ ] 할 일" / "- [x] 한 일" become checkboxes.
 * Search words are marked.  Every character reaches the page through
 * text nodes (createTextNode, textContent), never as HTML. */
(function () {
	'use strict';

	const Memo = window.Memo = window.Memo || {};

	/* "- [ ] text" with optional indent; the mark is at indent + 3. */
	const CHECK = /^([ \t]*)- \[([ xX])\](?:[ \t]+(.*?))?\r?$/;
	/* Scheme, an ASCII host and port, then anything up to white space or
	 * a character that cannot end a URL in running text. */
	const URL_RE = /\bhttps?:\/\/[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#][^\s<>"]*)?/gi;
	const TRAILING = '.,;:!?\'"’”。、…';
	const CLOSERS = { ')': '(', ']': '[', '}': '{', '>': '<' };
	/* A particle closing a URL right after an ASCII letter, digit or
	 * bracket is the sentence's ('…/123에서', '…/Foo_(bar)를'); other
	 * Hangul there is the path's own ('/w/LG전자', '/w/2호선', '/w/회의').
	 * No lookbehind: Safari before 16.4 refuses the whole script. */
	const PARTICLE = /([A-Za-z0-9)\]])(에서|에게|한테|으로|로|을|를|이랑|이나|이|가|은|는|의|에|와|과|랑|나|도|만|까지|부터|처럼|보다)$/u;
	/* The server's tag rule (README.md): '#' at the start or after white
	 * space, an opening bracket or quote; 1..64 letters, marks, digits,
	 * _ - / with one that is not a digit. */
	const TAG_RE = /#([\p{L}\p{M}\p{Nd}_\-/]+)/gu;
	const TAG_BEFORE = /[\s\p{Ps}\p{Pi}"']/u;
	let ids = 0;

	function el(tag, cls, text) {
		const e = document.createElement(tag);

		if (cls)
			e.className = cls;
		if (text !== undefined && text !== null)
			e.textContent = text;
		return e;
	}

	/* ---- times ---- */

	const FULL = new Intl.DateTimeFormat('ko-KR', { year: 'numeric',
	    month: 'long', day: 'numeric', weekday: 'short', hour: 'numeric',
	    minute: '2-digit' });
	const TODAY = new Intl.DateTimeFormat('ko-KR', { hour: 'numeric',
	    minute: '2-digit' });
	const THIS_YEAR = new Intl.DateTimeFormat('ko-KR', { month: 'long',
	    day: 'numeric', hour: 'numeric', minute: '2-digit' });
	/* With the time of day, as the others: the title (FULL) is a
	 * tooltip, which keyboard, touch and screen readers do not reach. */
	const OTHER_YEAR = new Intl.DateTimeFormat('ko-KR', { year: 'numeric',
	    month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit' });
	const DAY = new Intl.DateTimeFormat('ko-KR', { year: 'numeric',
	    month: 'long', day: 'numeric' });

	function parse(iso) {
		const d = new Date(iso);
		return isNaN(d.getTime()) ? null : d;
	}

	/* A <time> for iso: short ("오후 1:32", "12월 1일 오후 1:32",
	 * "2025년 3월 4일"), the full date as its title. */
	function time(iso, prefix) {
		const t = el('time');
		const d = parse(iso);
		const now = new Date();

		t.dateTime = String(iso || '');
		if (!d) {
			t.textContent = (prefix || '') + String(iso || '');
			return t;
		}
		let f = OTHER_YEAR;
		if (d.toDateString() === now.toDateString())
			f = TODAY;
		else if (d.getFullYear() === now.getFullYear())
			f = THIS_YEAR;
		t.textContent = (prefix || '') + f.format(d);
		t.title = FULL.format(d);
		return t;
	}

	function day(date) {
		return DAY.format(date);
	}

	/* ---- search marks ---- */

	/* Append s to parent, wrapping the search words (lower-cased NFC) in
	 * <mark>. */
	function marked(parent, s, terms) {
		const lower = s.toLowerCase();
		const spans = [];

		if (terms && terms.length && lower.length === s.length) {
			terms.forEach((t) => {
				for (let i = lower.indexOf(t); t && i >= 0;
				    i = lower.indexOf(t, i + t.length))
					spans.push([i, i + t.length]);
			});
		}
		spans.sort((a, b) => a[0] - b[0]);
		let at = 0;
		spans.forEach(([a, b]) => {
			if (b <= at)
				return;
			a = Math.max(a, at);
			if (a > at)
				parent.appendChild(document.createTextNode(s.slice(at, a)));
			parent.appendChild(el('mark', null, s.slice(a, b)));
			at = b;
		});
		if (at < s.length)
			parent.appendChild(document.createTextNode(s.slice(at)));
	}

	/* ---- links and tags ---- */

	/* u up to its first closing bracket that it did not open: the
	 * sentence's ('자료(https://example.com/doc)를'), not the URL's. */
	function cutUnopened(u) {
		const open = {};

		for (let i = 0; i < u.length; i++) {
			const c = u.charAt(i);
			if (c === '(' || c === '[' || c === '{')
				open[c] = (open[c] || 0) + 1;
			else if (CLOSERS[c] && !open[CLOSERS[c]])
				return u.slice(0, i);
			else if (CLOSERS[c])
				open[CLOSERS[c]]--;
		}
		return u;
	}

	/* u without the sentence's end after it: punctuation, a particle,
	 * punctuation ('…/123에서.', '…/Foo_(bar)를,'). */
	function sentenceCut(u) {
		const bare = (v) => {
			while (v && TRAILING.indexOf(v.charAt(v.length - 1)) >= 0)
				v = v.slice(0, -1);
			return v;
		};

		return bare(bare(u).replace(PARTICLE, '$1'));
	}

	/* The URLs in s: [{start, end, href}]. */
	function urls(s) {
		const out = [];
		let m;

		URL_RE.lastIndex = 0;
		while ((m = URL_RE.exec(s)) !== null) {
			const u = sentenceCut(cutUnopened(m[0]));
			let href = null;
			try {
				const p = new URL(u);
				if (p.protocol === 'http:' || p.protocol === 'https:')
					href = p.href;
			} catch (e) { /* not a URL after all: text */ }
			if (href)
				out.push({ start: m.index, end: m.index + u.length, href });
		}
		return out;
	}

	/* The #tags in s outside the ranges taken: [{start, end, name}];
	 * known: lower-cased names the server found (null: any). */
	function tags(s, taken, known) {
		const out = [];
		let m;

		TAG_RE.lastIndex = 0;
		while ((m = TAG_RE.exec(s)) !== null) {
			const start = m.index, end = start + m[0].length;
			const name = m[1];
			if (start > 0 && !TAG_BEFORE.test(s.charAt(start - 1)))
				continue;
			if (Array.from(name).length > 64 || /^[0-9\p{Nd}]+$/u.test(name))
				continue;
			if (taken.some((r) => start < r.end && end > r.start))
				continue;
			if (known && !known.has(name.toLowerCase()))
				continue;
			out.push({ start, end, name });
		}
		return out;
	}

	/* Append the inline content of s (one line or a run of lines). */
	function inline(parent, s, o) {
		const links = urls(s);
		const found = tags(s, links, o.tags).map((t) => Object.assign(t,
		    { tag: true }));
		const tokens = links.concat(found).sort((a, b) => a.start - b.start);
		let at = 0;

		tokens.forEach((t) => {
			marked(parent, s.slice(at, t.start), o.terms);
			const text = s.slice(t.start, t.end);
			if (t.tag) {
				const b = el(o.onTag ? 'button' : 'span', 'tag');
				if (o.onTag) {
					b.type = 'button';
					b.dataset.tag = t.name;
					b.title = '#' + t.name + ' 태그만 보기';
				}
				marked(b, text, o.terms);
				parent.appendChild(b);
			} else {
				const a = el('a', 'link');
				a.href = t.href;
				a.rel = 'noopener noreferrer';
				a.target = '_blank';
				marked(a, text, o.terms);
				parent.appendChild(a);
			}
			at = t.end;
		});
		marked(parent, s.slice(at), o.terms);
	}

	/* ---- the memo body ---- */

	/* The body of a memo: runs of text (white-space: pre-wrap) and
	 * checklist lines.  o: {tags: [names] | undefined, terms: [words],
	 * onTag: bool, checks: bool (clickable checkboxes)}.  Each checkbox
	 * carries data-line, its line's index in text.split("\n"). */
	function body(text, o) {
		const opts = Object.assign({}, o || {});
		const b = el('div', 'body');
		const lines = String(text).normalize('NFC').split('\n');
		let run = [];

		opts.tags = Array.isArray(opts.tags) ? new Set(opts.tags.map((t) =>
		    String(t).normalize('NFC').toLowerCase())) : null;
		opts.terms = (opts.terms || []).map((t) =>
		    t.normalize('NFC').toLowerCase()).filter((t) => t);
		function flush() {
			if (run.length === 0)
				return;
			const r = el('div', 'run');
			let s = run.join('\n');
			/* pre-wrap drops one final line break: keep the blank line */
			if (s.endsWith('\n'))
				s += '\n';
			inline(r, s, opts);
			b.appendChild(r);
			run = [];
		}
		lines.forEach((line, i) => {
			const m = CHECK.exec(line);
			if (!m) {
				run.push(line);
				return;
			}
			flush();
			b.appendChild(checkLine(m, i, opts));
		});
		flush();
		return b;
	}

	function checkLine(m, index, o) {
		const row = el('div', 'check');
		const box = el('input');
		const label = el('span', 'check-text');
		const indent = m[1].replace(/\t/g, '  ').length;

		box.type = 'checkbox';
		box.checked = m[2] !== ' ';
		box.disabled = !o.checks;
		box.dataset.line = String(index);
		label.id = 'check-' + (++ids);
		/* "- [ ]" with nothing after it: an empty label names nothing. */
		if ((m[3] || '').trim() === '')
			box.setAttribute('aria-label', '빈 할 일');
		else
			box.setAttribute('aria-labelledby', label.id);
		if (indent > 0)
			row.style.paddingInlineStart = Math.min(indent, 12) * 0.5 + 'em';
		if (box.checked)
			row.classList.add('done');
		inline(label, m[3] || '', o);
		row.appendChild(box);
		row.appendChild(label);
		return row;
	}

	/* text with the checkbox of line index set to checked; null if that
	 * line is not a checklist line. */
	function toggle(text, index, checked) {
		const lines = String(text).split('\n');
		const m = CHECK.exec(lines[index] || '');

		if (!m)
			return null;
		const at = m[1].length + 3;
		lines[index] = lines[index].slice(0, at) + (checked ? 'x' : ' ') +
		    lines[index].slice(at + 1);
		return lines.join('\n');
	}

	/* The first line, cut, for labels ("수정: 장보기 목록…"). */
	function summary(text, max) {
		const first = String(text).trim().split('\n')[0].trim();
		const chars = Array.from(first);
		const n = max || 30;
		return chars.length > n ? chars.slice(0, n).join('') + '…' : first;
	}

	Memo.render = { el, body, time, day, parse, toggle, summary,
	    CHECK };
}());
