/* forget.js - on the page after a withdrawal: this browser forgets the
 * person's unsaved drafts (drafts.js), kept under their opaque id, which
 * this page's script tag names (data-user).  Left there, they would come
 * back in the empty account a new login with the same Naver account
 * starts.  Every mount point's entry of that id goes; nobody else's. */
(function () {
	'use strict';

	const me = document.currentScript;
	const user = me && me.dataset.user;

	if (!user || !/^[0-9a-f]{64}$/.test(user))
		return;
	try {
		const gone = [];
		for (let i = 0; i < localStorage.length; i++) {
			const k = localStorage.key(i);
			if (k && k.indexOf('memo.drafts.v1:') === 0 &&
			    k.slice(-(user.length + 1)) === ':' + user)
				gone.push(k);
		}
		gone.forEach((k) => localStorage.removeItem(k));
	} catch (e) {
		/* no storage here (private mode): nothing was kept either */
	}
})();
