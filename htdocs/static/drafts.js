/* drafts.js - what the person is writing, kept in this browser
 * (localStorage) on every keystroke: the new memo, and each memo being
 * edited with the version the edit started from.  A reload, a crash or an
 * expired session followed by logging in again brings it back; saving (or
 * cancelling an edit) clears it, and so does logging out from the page
 * (forget(); ui.leaving() asks first when something is not saved).
 * The person's other tabs here follow a logout: the page it lands on says
 * so (loggedOut()), and they reload to the login page, forgetting their
 * drafts too when the person chose to (leave()).
 *
 * One entry per user and mount point ("memo.drafts.v1:/memo/:<id>", the
 * opaque id index.cgi writes as data-user), so people sharing a browser
 * do not see each other's drafts; without an id nothing is kept.  Inside it,
 * each tab keeps its own drafts under an id that survives its reloads
 * (sessionStorage), so two tabs editing the same memo never overwrite
 * each other's text.  A tab says it is alive every few seconds and says
 * goodbye when the page goes away; at start, a tab takes over the drafts
 * of tabs that are gone (closed, crashed, or the browser restarted),
 * losing nothing typed (adopt()).
 * The entry names when the account was made (index.cgi's data-since): one
 * of an account withdrawn since, in a browser other than the one the
 * withdrawal was made in (forget.js clears that one), is not this
 * account's, though its user id and so its key are the same, and is
 * dropped.  An entry an earlier version wrote without it is kept.
 * Drafts older than DRAFT_DAYS are dropped.  If storage is unavailable
 * (private mode, full), drafts are not kept: writing still works. */
(function () {
	'use strict';

	const Memo = window.Memo = window.Memo || {};
	const DRAFT_DAYS = 30, BEAT = 5000, GONE = 120000;
	/* A logout, from the tab that made it to the person's others: in
	 * this tab's sessionStorage until the page it lands on, then for a
	 * moment in localStorage, whose change the other tabs hear. */
	const OUT = 'memo.out.v1';
	let key = null, me = null, since = '', mount = '', who = '';
	/* What taking over other tabs' drafts did, for the page to say. */
	const taken = { joined: false, moved: 0 };

	function newId() {
		return Date.now().toString(36) + Math.random().toString(36).slice(2);
	}

	/* This tab's id; renew: a new one (see mine()). */
	function tabId(renew) {
		try {
			let id = renew ? null : sessionStorage.getItem('memo.tab');
			if (!id) {
				id = newId();
				sessionStorage.setItem('memo.tab', id);
			}
			return id;
		} catch (e) {
			return renew ? newId() : 'tab';
		}
	}

	/* An entry an earlier version kept under the page's whole path
	 * (/memo/index.cgi): its tabs join the mount point's entry as tabs of
	 * their own (adopt() takes over those that are gone), and it goes. */
	function joinOld(old) {
		try {
			const o = JSON.parse(localStorage.getItem(old) || 'null');

			if (o && o.tabs && typeof o.tabs === 'object' &&
			    !(since && o.since && o.since !== since)) {
				const v = read();
				Object.keys(o.tabs).forEach((id) => {
					if (o.tabs[id] && typeof o.tabs[id] === 'object')
						v.tabs[v.tabs[id] || id === me ? newId() : id] =
						    Object.assign(o.tabs[id], { inst: null });
				});
				write(v);
				if (!stored)
					return;	/* the storage full: left where it is */
			}
			localStorage.removeItem(old);
		} catch (e) { /* no storage, or not ours to read: left */ }
	}

	function read() {
		try {
			const v = JSON.parse(localStorage.getItem(key) || 'null');
			if (v && typeof v === 'object' && v.tabs &&
			    typeof v.tabs === 'object' &&
			    !(since && v.since && v.since !== since))
				return v;
		} catch (e) { /* unreadable: start over */ }
		return { tabs: {} };
	}

	function empty(t) {
		return !t.fresh && !(t.edits && Object.keys(t.edits).length > 0);
	}

	/* Whether the last write reached the storage: then what this tab
	 * holds is kept (a failed write's text goes with the next one). */
	let stored = false;

	function write(v) {
		try {
			Object.keys(v.tabs).forEach((id) => {
				if (id !== me && empty(v.tabs[id]))
					delete v.tabs[id];
			});
			if (Object.keys(v.tabs).every((id) => empty(v.tabs[id])))
				localStorage.removeItem(key);
			else {
				if (since)
					v.since = since;
				localStorage.setItem(key, JSON.stringify(v));
			}
			stored = true;
		} catch (e) {
			stored = false;		/* quota or disabled: nothing kept */
		}
	}

	/* This tab's part of the entry as it last wrote it.  Every tab reads
	 * the whole entry, changes its own part and writes it all back, and
	 * another tab's copy may predate this tab's last write (a heartbeat a
	 * moment after a keystroke): its write then puts an older version of
	 * this part back.  So this tab writes its part from here, and its
	 * next write (a keystroke, a heartbeat, leaving) mends it.  A part
	 * missing from the entry was taken over by another tab (adopt()), or
	 * was empty: then the entry's word stands. */
	let own = null;
	/* This page's mark on its part (inst), and the marks it took its part
	 * over from (the page this tab showed before a reload).  A part under
	 * this tab's id with another mark was written by another page that
	 * has the same id: a duplicated tab, whose sessionStorage is a copy.
	 * Writing over each other's part from memory, one would lose what
	 * the other keeps (a closed one's drafts, at the next heartbeat), so
	 * this page takes an id of its own for its part. */
	const inst = newId(), known = [inst];

	function mine(v) {
		const found = v.tabs[me];

		if (own && found && found.inst && known.indexOf(found.inst) < 0)
			me = tabId(true);
		const t = own && found ? own : found || { fresh: null, edits: {} };

		t.inst = inst;
		t.fresh = t.fresh || null;
		t.edits = t.edits && typeof t.edits === 'object' ? t.edits : {};
		v.tabs[me] = t;
		own = t;
		return t;
	}

	function stale(d) {
		return !d || typeof d.text !== 'string' ||
		    Date.now() - (d.at || 0) > DRAFT_DAYS * 86400000;
	}

	/* The drafts of ds still worth keeping, oldest first. */
	function kept(ds) {
		return ds.filter((d) => !stale(d))
		    .sort((a, b) => (a.at || 0) - (b.at || 0));
	}

	/* One new-memo draft from several: each text once, oldest first, a
	 * blank line between, so they read in the order they were written
	 * and the newest is at the end, where one goes on typing. */
	function join(ds) {
		const all = kept(ds), texts = [];

		all.forEach((d) => {
			const s = d.text.replace(/\s+$/, '');
			if (texts.indexOf(s) < 0)
				texts.push(s);
		});
		taken.joined = texts.length > 1;
		if (!taken.joined)
			return all.pop() || null;	/* as it was typed */
		return { text: texts.join('\n\n'), at: all[all.length - 1].at };
	}

	/* Take over the drafts of tabs that are gone and drop old drafts,
	 * losing nothing typed.  New memos are joined (join()).  Of several
	 * edits of one memo the newest stays the edit; another's text, if it
	 * differs and was changed at all, goes to the new memo, as 새 메모로
	 * 저장 keeps it in a conflict: there the person sees it and chooses. */
	function adopt(v) {
		const t = mine(v);
		const gone = Object.keys(v.tabs).filter((id) => id !== me &&
		    v.tabs[id] && Date.now() - (v.tabs[id].seen || 0) >= GONE);
		const tabs = [t].concat(gone.map((id) => v.tabs[id]));
		const fresh = [], edits = {};

		tabs.forEach((o) => {
			fresh.push(o.fresh);
			if (o.edits && typeof o.edits === 'object')
				Object.keys(o.edits).forEach((m) => {
					(edits[m] = edits[m] || []).push(o.edits[m]);
				});
		});
		gone.forEach((id) => { delete v.tabs[id]; });
		t.edits = {};
		Object.keys(edits).forEach((m) => {
			const ds = kept(edits[m]);
			const keep = ds.pop();
			if (!keep)
				return;
			t.edits[m] = keep;
			ds.forEach((d) => {
				if (d.text === keep.text || d.text === d.base ||
				    d.text.trim() === '')
					return;
				fresh.push(d);
				taken.moved++;
			});
		});
		t.fresh = join(fresh);
	}

	/* Change this tab's drafts with f(tab) and store them. */
	function change(f) {
		if (!key)
			return;
		const v = read();
		const t = mine(v);
		f(t);
		t.seen = Date.now();
		write(v);
	}

	function beat(seen) {
		change((t) => { t.seen = seen; });
	}

	/* Another tab of this person logged out, and its page has loaded: the
	 * session is gone, so this one shows the login page too, not the
	 * memos, and keeps no draft once the person chose to forget them
	 * (wiped again: this tab may have written since). */
	function followLogout(e) {
		let v = null;

		if (e.key !== OUT || !e.newValue || !key)
			return;
		try {
			v = JSON.parse(e.newValue);
		} catch (err) { return; }
		if (!v || v.key !== key)
			return;
		/* Text this tab could not keep (the storage refused it) is not
		 * the person's answer to forget: the browser still asks. */
		const lost = Memo.memos && Memo.memos.unkept();
		if (v.forget) {
			try {
				localStorage.removeItem(key);
			} catch (err) { /* no storage: nothing kept */ }
			key = null;
			own = null;
		}
		if (!lost)
			Memo.ui.leaveOnPurpose();	/* the person logged out */
		location.reload();
	}

	Memo.drafts = {
		/* user: an opaque id of the logged-in person (index.cgi's
		 * data-user), not the name, which two people can share;
		 * made: when their account was made (data-since). */
		init(user, made) {
			if (!user)
				return;		/* nothing kept rather than shared */
			since = made || '';
			/* The mount point: the page is "/memo/" and "/memo/index.cgi"
			 * alike, and one address must not hide the other's drafts
			 * (nor keep them past a logout made at the other). */
			mount = location.pathname.replace(/[^/]*$/, '');
			who = user;
			key = 'memo.drafts.v1:' + mount + ':' + user;
			me = tabId();
			if (location.pathname !== mount)
				joinOld('memo.drafts.v1:' + location.pathname + ':' + user);
			const v = read();
			if (v.tabs[me] && v.tabs[me].inst)
				known.push(v.tabs[me].inst);
			adopt(v);
			v.tabs[me].seen = Date.now();
			write(v);
			setInterval(() => beat(Date.now()), BEAT);
			/* Gone now: another tab may take the drafts at once (this
			 * tab's reload finds them under its own id anyway). */
			addEventListener('pagehide', () => {
				const v2 = read();
				if (v2.tabs[me]) {
					mine(v2).seen = 0;
					write(v2);
				}
			});
			addEventListener('storage', followLogout);
			/* Back from the page cache: another tab may have taken
			 * this one's drafts meanwhile; the entry says. */
			addEventListener('pageshow', () => {
				own = null;
				beat(Date.now());
			});
		},
		/* Whether this browser holds text of this person's not saved
		 * yet, in any tab's part. */
		unsaved() {
			if (!key)
				return false;
			const tabs = read().tabs;
			return Object.keys(tabs).some((id) => tabs[id] &&
			    !empty(tabs[id]));
		},
		/* Logging out: this browser forgets the person's drafts, which
		 * the next person at a shared computer could read, and this
		 * page keeps no more. */
		forget() {
			if (!key)
				return;
			try {
				/* this mount point's entry, and any an earlier version
				 * kept under a page of it (joinOld()): "/memo/index.cgi",
				 * not a mount point below it ("/memo/sub/") */
				const pre = 'memo.drafts.v1:' + mount, end = ':' + who;
				for (let i = localStorage.length - 1; i >= 0; i--) {
					const k = localStorage.key(i);
					if (k && k.startsWith(pre) && k.endsWith(end) &&
					    k.length >= pre.length + end.length &&
					    k.slice(pre.length, k.length - end.length)
					    .indexOf('/') < 0)
						localStorage.removeItem(k);
				}
			} catch (e) { /* no storage: nothing was kept */ }
			key = null;
			own = null;
		},
		/* About to log out, the drafts forgotten or kept: noted for the
		 * page the logout lands on to tell the other tabs (loggedOut). */
		leave(forgetting) {
			const was = key;

			if (forgetting)
				this.forget();
			if (!was)
				return;
			try {
				sessionStorage.setItem(OUT, JSON.stringify(
				    { key: was, forget: !!forgetting, at: Date.now() }));
			} catch (e) { /* no storage: the other tabs learn later */ }
		},
		/* On a page without a session: a logout this tab made has just
		 * landed here, so the person's other tabs hear of it now, when
		 * their reload finds the session gone. */
		loggedOut() {
			try {
				const v = sessionStorage.getItem(OUT);
				const at = v ? JSON.parse(v).at : 0;

				sessionStorage.removeItem(OUT);
				/* A minute old: a logout that never landed, not
				 * this page's (an expired session, later). */
				if (v && Date.now() - at < 60000) {
					localStorage.setItem(OUT, v);
					localStorage.removeItem(OUT);
				}
			} catch (e) { /* no storage: nothing to tell */ }
		},
		/* Whether what is being written here is kept in this browser
		 * (there is an id, and the storage took the last write). */
		kept() {
			return key !== null && stored;
		},
		/* What init() did with the drafts of tabs that are gone:
		 * {joined: new memos of several tabs joined in one, moved: how
		 * many edits' texts went to the new memo}. */
		taken() {
			return { joined: taken.joined, moved: taken.moved };
		},
		/* The new memo being written: its text, or "". */
		fresh() {
			const t = key ? mine(read()) : null;
			return t && t.fresh ? t.fresh.text : '';
		},
		setFresh(text) {
			change((t) => {
				t.fresh = text.trim() === '' ? null : { text, at: Date.now() };
			});
		},
		/* The edit of memo id: {text, base, etag} or null.  base is the
		 * text the edit started from, etag that version's ETag. */
		edit(id) {
			const t = key ? mine(read()) : null;
			return t && t.edits[id] ? t.edits[id] : null;
		},
		/* The ids of the memos this tab holds an edit of. */
		edits() {
			const t = key ? mine(read()) : null;
			return t ? Object.keys(t.edits).map(Number) : [];
		},
		setEdit(id, text, base, etag) {
			change((t) => {
				t.edits[id] = { text, base, etag: etag || null, at: Date.now() };
			});
		},
		clearEdit(id) {
			change((t) => { delete t.edits[id]; });
		}
	};
}());
