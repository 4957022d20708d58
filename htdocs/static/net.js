/* net.js - the memo API as the page calls it (README.md, HTTP API).
 *
 * Every URL is relative, so the page works wherever it is mounted (/ or
 * /memo/).  A call never throws for an HTTP or network failure: it
 * resolves to {ok, status, data, etag, gone} (status 0: the network
 * failed; gone: the server's own 404, its JSON error, where a proxy's or
 * a load balancer's page may say 404 of a memo that is there), and the
 * caller says what went wrong with problem().  A 401 also tells
 * the page once (onExpired), which offers to log in again; what the
 * person was writing stays in the drafts (drafts.js).  A request that has
 * no answer in time ends as a network failure (status 0, timedOut): a
 * hung connection would otherwise leave 저장하는 중… up for good. */
(function () {
	'use strict';

	const Memo = window.Memo = window.Memo || {};
	const expiredHandlers = [];

	/* How long a request may wait for its whole answer: an import's file
	 * may be large and its work long.  (The tests shorten them.) */
	const limits = { ms: 30000, importMs: 300000 };

	/* The caller's signal (a newer search aborts an older one), ending
	 * too after ms, with the reason of the one that ended first.
	 * Browsers without AbortSignal.timeout wait as long as the network
	 * does.  Without AbortSignal.any (Chrome before 116, Safari before
	 * 17.4) a controller follows both: the list's loads, the only
	 * requests with a signal of their own, were left with no time limit. */
	function deadline(signal, ms) {
		if (typeof AbortSignal.timeout !== 'function')
			return signal;
		const t = AbortSignal.timeout(ms);
		if (!signal)
			return t;
		if (typeof AbortSignal.any === 'function')
			return AbortSignal.any([signal, t]);
		const both = new AbortController();
		if (signal.aborted) {
			both.abort(signal.reason);
			return both.signal;
		}
		[signal, t].forEach((s) => s.addEventListener('abort',
		    () => both.abort(s.reason), { once: true }));
		return both.signal;
	}

	async function request(method, path, opts) {
		const o = opts || {};
		const headers = { Accept: 'application/json' };
		const init = { method, headers, credentials: 'same-origin',
		    cache: 'no-store' };
		let r;

		if (o.body !== undefined || o.file !== undefined) {
			headers['Content-Type'] = 'application/json';
			/* A file the person chose goes as it is (an import). */
			init.body = o.file !== undefined ? o.file :
			    JSON.stringify(o.body);
		}
		if (o.ifMatch)
			headers['If-Match'] = o.ifMatch;
		const signal = deadline(o.signal,
		    o.file !== undefined ? limits.importMs : limits.ms);
		if (signal)
			init.signal = signal;
		/* Only the caller's own abort is thrown; the deadline's is a
		 * failure to say, as a network's is. */
		const timedOut = () => signal && signal.aborted &&
		    !(o.signal && o.signal.aborted);
		const unanswered = () => ({ ok: false, status: 0, data: null,
		    etag: null, gone: false, timedOut: timedOut() });
		try {
			r = await fetch(path, init);
		} catch (e) {
			if (e && e.name === 'AbortError' && !timedOut())
				throw e;
			return unanswered();
		}
		let data = null;
		if (r.status !== 204 && r.status !== 304) {
			try {
				data = await r.json();
			} catch (e) {
				if (timedOut())
					return unanswered();
				if (e && e.name === 'AbortError')
					throw e;
				data = null;	/* cut or not JSON: see ok */
			}
		}
		const res = { ok: r.ok && (data !== null || r.status === 204),
		    status: r.status, data, etag: r.headers.get('ETag'),
		    gone: r.status === 404 && data !== null &&
		    typeof data.error === 'string' };
		if (r.status === 401)
			expiredHandlers.forEach((f) => f());
		return res;
	}

	/* "memo?limit=50&q=…" from {limit: 50, q: "…"}, leaving out empty
	 * values. */
	function withQuery(path, params) {
		const q = new URLSearchParams();

		Object.keys(params || {}).forEach((k) => {
			const v = params[k];
			if (v !== undefined && v !== null && v !== '')
				q.set(k, String(v));
		});
		const s = q.toString();
		return s ? path + '?' + s : path;
	}

	function memoPath(id, rest) {
		return 'memo/' + encodeURIComponent(String(id)) + (rest || '');
	}

	/* What went wrong, in Korean, for a failed answer. */
	function problem(res) {
		switch (res.status) {
		case 0:
			if (res.timedOut)
				return '서버가 제때 응답하지 않았습니다. 연결을 확인하고 다시 시도해 주세요.';
			return '네트워크 오류로 서버에 닿지 못했습니다. 연결을 확인하고 다시 시도해 주세요.';
		case 401:
			return '로그인이 만료되었습니다.';
		case 404:
			if (res.gone)
				return '메모를 찾을 수 없습니다. 이미 영구 삭제되었을 수 있습니다.';
			return '서버가 요청을 거절했습니다 (404).';
		case 409:
			return '휴지통에 있는 메모입니다. 먼저 복원해 주세요.';
		/* The app's own words only for the app's own answer (JSON): a
		 * load balancer with no instance to send to, or a proxy's size
		 * limit, answers with a page of its own. */
		case 413:
			if (res.data === null)
				return '요청이 너무 커서 서버가 거절했습니다 (413).';
			return '메모가 너무 깁니다 (최대 64KB).';
		case 503:
			if (res.data === null)
				return '서버가 지금 요청을 처리할 수 없습니다 (503). 잠시 후 다시 ' +
				    '시도해 주세요.';
			return '서버가 데이터베이스에 연결하지 못했습니다. 잠시 후 다시 시도해 주세요.';
		default:
			if (res.ok === false && res.status >= 200 && res.status < 300)
				return '서버의 응답이 중간에 끊겼습니다. 다시 시도해 주세요.';
			/* 400, 415 and the like: the server refused this request as
			 * it is, and sending it again gets the same answer. */
			if (res.status >= 400 && res.status < 500)
				return '서버가 요청을 거절했습니다 (' + res.status + ').';
			return '서버 오류가 났습니다 (' + res.status + '). 잠시 후 다시 시도해 주세요.';
		}
	}

	Memo.net = {
		request,
		problem,
		limits,
		onExpired(f) { expiredHandlers.push(f); },

		list(params, signal) {
			return request('GET', withQuery('memo', params), { signal });
		},
		get(id) { return request('GET', memoPath(id)); },
		create(text) {
			return request('POST', 'memo', { body: { text } });
		},
		/* body: {text} and/or {pinned}; etag: If-Match, or none. */
		patch(id, body, etag) {
			return request('PATCH', memoPath(id), { body, ifMatch: etag });
		},
		trash(id) { return request('DELETE', memoPath(id)); },
		restore(id) { return request('POST', memoPath(id, '/restore')); },
		revisions(id) { return request('GET', memoPath(id, '/revisions')); },
		/* 409 here means the memo is live (restored meanwhile), not
		 * that it is in the trash as problem() says: trash.js tells it. */
		purge(id) {
			return request('DELETE', 'trash/' + encodeURIComponent(String(id)));
		},
		/* count: what the person confirmed; 412 {count} if the trash
		 * holds another number now (nothing purged). */
		emptyTrash(count, key) {
			return request('DELETE', withQuery('trash', { count, key }));
		},
		tags() { return request('GET', 'tags'); }
	};
}());
