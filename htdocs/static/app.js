/* app.js - starts the page and switches between its views.
 *
 * A view is one <section> of index.html and one script that, before this
 * one runs, adds itself to Memo.views:
 *
 *   (Memo.views = Memo.views || []).push({
 *     name: 'trash', label: '휴지통', section: 'view-trash',
 *     init() {},             // once, at start
 *     enter(params, switched) {},  // shown, or its URL changed
 *     leave() {}             // another view is shown
 *   });
 *
 * The first view is the default.  Each gets a tab in the navigation, in
 * the order they were added.  The URL's fragment says which view and its
 * parameters (#view=trash, #q=회의&tag=work), so reload, Back and links
 * work; Memo.app.go(params) changes it (pushState, or replaceState while
 * typing a search).  Adding a view (계정, say) is: a section in
 * index.html, a script pushing its view, a <script> tag before app.js. */
(function () {
	'use strict';

	const Memo = window.Memo = window.Memo || {};
	let views = [], current = null, links = [], appTitle = '';

	function params() {
		const p = new URLSearchParams(location.hash.replace(/^#/, ''));
		const out = {};
		p.forEach((v, k) => { out[k] = v; });
		return out;
	}

	/* The URL for params: "#view=trash", or no fragment at all. */
	function url(p) {
		const q = new URLSearchParams();

		Object.keys(p).forEach((k) => {
			if (p[k])
				q.set(k, p[k]);
		});
		const s = q.toString();
		return s ? '#' + s : location.pathname + location.search;
	}

	function find(name) {
		return views.find((v) => v.name === name) || views[0];
	}

	/* Show the view the URL names, and tell it its parameters. */
	function route() {
		const p = params();
		const v = find(p.view);
		const switched = v !== current;

		if (switched) {
			/* Back or Forward hides the view the focus is in: it goes
			 * to the new view's tab, not to the page's start.  Asked
			 * once the view has left: a dialog it closes gives the
			 * focus back into it. */
			if (current)
				current.leave();
			const lost = current && current.el.contains(document.activeElement);
			views.forEach((x) => { x.el.hidden = x !== v; });
			links.forEach((a) => {
				if (a.dataset.view === v.name) {
					a.setAttribute('aria-current', 'page');
					if (lost)
						a.focus();
				} else
					a.removeAttribute('aria-current');
			});
			current = v;
			document.title = (v === views[0] ? '' : v.label + ' · ') + appTitle;
		}
		v.enter(p, switched);
	}

	/* Go to the view and parameters p (view omitted: the current view;
	 * the default view's name is left out of the URL). */
	function go(p, replace) {
		const next = Object.assign({}, p);

		if (!('view' in next) && current && current !== views[0])
			next.view = current.name;
		if (next.view === views[0].name)
			delete next.view;
		const u = url(next);
		if (u !== url(params())) {
			if (replace)
				history.replaceState(null, '', u);
			else
				history.pushState(null, '', u);
		}
		route();
	}

	function nav() {
		const n = document.getElementById('nav');

		links = views.map((v, i) => {
			const a = document.createElement('a');
			a.textContent = v.label;
			a.href = i === 0 ? '#' : '#view=' + encodeURIComponent(v.name);
			a.dataset.view = v.name;
			a.className = 'tab';
			a.addEventListener('click', (e) => {
				e.preventDefault();
				go({ view: v.name }, false);
			});
			n.appendChild(a);
			return a;
		});
	}

	/* The header's 로그아웃: the drafts first (ui.leaving()). */
	async function logout(e) {
		const form = e.currentTarget;

		e.preventDefault();
		if (await Memo.ui.leaving())
			form.submit();
	}

	function start() {
		const title = document.getElementById('title');
		const name = title ? title.textContent.trim() : '';

		if (name)
			document.title = appTitle = name;
		if (!document.body.classList.contains('user')) {
			Memo.drafts.loggedOut();
			return;
		}
		Memo.drafts.init(document.body.dataset.user, document.body.dataset.since);
		Memo.net.onExpired(() => Memo.ui.expired());
		const out = document.getElementById('logout');
		if (out)
			out.addEventListener('submit', logout);
		views = (Memo.views || []).map((v) => Object.assign({}, v,
		    { el: document.getElementById(v.section) }));
		nav();
		views.forEach((v) => v.init());
		/* popstate comes for fragment changes too (Back, a #link, an
		 * edited URL); hashchange as well would route twice. */
		window.addEventListener('popstate', route);
		route();
	}

	Memo.app = { go };

	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', start);
	else
		start();
}());
