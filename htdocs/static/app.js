/* memo - the page's script: loads, shows and saves the user's memos.
 * Every URL is relative (the app may be mounted under a prefix), and text
 * from the server is only ever set with textContent. */
(function () {
	'use strict';

	var MAX_BYTES = 65536;	/* the server's limit: bytes of UTF-8 */
	var EXPIRED = '로그인이 만료되었습니다. 다시 로그인해 주세요.';

	function init() {
		var title = document.getElementById('title');

		if (title && title.textContent.trim() !== '')
			document.title = title.textContent.trim();
		if (!document.body.classList.contains('user'))
			return;

		var form = document.getElementById('memo-form');
		var text = document.getElementById('memo-text');
		var save = document.getElementById('memo-save');
		var status = document.getElementById('status');
		var list = document.getElementById('memos');
		var empty = document.getElementById('empty');
		var hint = document.querySelector('#memo-form .hint');
		var saving = false;
		var clearTimer = 0;

		if (hint && /Mac|iPhone|iPad/.test(navigator.platform || ''))
			hint.textContent = '⌘+Enter로 저장';

		/* Show msg in the status line; kind is "error", "ok" or "". */
		function setStatus(msg, kind) {
			clearTimeout(clearTimer);
			status.textContent = msg;
			status.className = kind || '';
			if (kind === 'ok')
				clearTimer = setTimeout(function () {
					if (status.textContent === msg)
						setStatus('', '');
				}, 4000);
		}

		function showExpired() {
			var a = document.createElement('a');

			setStatus(EXPIRED + ' ', 'error');
			a.href = './';
			a.textContent = '다시 로그인';
			status.appendChild(a);
		}

		function updateEmpty() {
			empty.hidden = list.children.length !== 0;
		}

		function formatTime(iso) {
			var d = new Date(iso);

			return isNaN(d.getTime()) ? String(iso) : d.toLocaleString('ko-KR');
		}

		function memoItem(m) {
			var li = document.createElement('li');
			var p = document.createElement('p');
			var t = document.createElement('time');

			li.className = 'memo';
			if (m.id != null)
				li.dataset.id = String(m.id);
			p.className = 'text';
			p.textContent = typeof m.text === 'string' ? m.text : '';
			t.dateTime = String(m.created_at || '');
			t.textContent = m.created_at ? formatTime(m.created_at) : '';
			li.appendChild(p);
			li.appendChild(t);
			return li;
		}

		/* The JSON body of r, or null if it has none. */
		function body(r) {
			return r.json().catch(function () { return null; });
		}

		function logError(what, r, data) {
			if (data && data.error && window.console)
				console.warn(what + ' ' + r.status + ': ' + data.error);
		}

		function load() {
			list.setAttribute('aria-busy', 'true');
			setStatus('불러오는 중…', '');
			return fetch('memo', {
				credentials: 'same-origin',
				headers: { Accept: 'application/json' }
			}).then(function (r) {
				return body(r).then(function (data) {
					if (r.status === 401) {
						showExpired();
						return;
					}
					if (!r.ok || !data || !Array.isArray(data.memos)) {
						logError('GET memo', r, data);
						setStatus('메모를 불러오지 못했습니다 (' +
						    r.status + ').', 'error');
						return;
					}
					var frag = document.createDocumentFragment();

					data.memos.forEach(function (m) {
						frag.appendChild(memoItem(m));
					});
					while (list.firstChild)
						list.removeChild(list.firstChild);
					list.appendChild(frag);
					updateEmpty();
					setStatus('', '');
				});
			}).catch(function () {
				setStatus('메모를 불러오지 못했습니다 (네트워크 오류).',
				    'error');
			}).then(function () {
				list.removeAttribute('aria-busy');
			});
		}

		function submit() {
			var value = text.value;

			if (saving)
				return;
			if (/^\s*$/.test(value)) {
				setStatus('메모 내용을 입력해 주세요.', 'error');
				text.focus();
				return;
			}
			if (window.TextEncoder &&
			    new TextEncoder().encode(value).length > MAX_BYTES) {
				setStatus('메모가 너무 깁니다 (최대 64KB).', 'error');
				return;
			}
			saving = true;
			save.disabled = true;
			form.setAttribute('aria-busy', 'true');
			setStatus('저장하는 중…', '');
			fetch('memo', {
				method: 'POST',
				credentials: 'same-origin',
				headers: {
					'Content-Type': 'application/json',
					Accept: 'application/json'
				},
				body: JSON.stringify({ text: value })
			}).then(function (r) {
				return body(r).then(function (data) {
					if (r.ok && data && data.id != null) {
						list.insertBefore(memoItem(data),
						    list.firstChild);
						updateEmpty();
						if (text.value === value)
							text.value = '';
						setStatus('저장했습니다.', 'ok');
						text.focus();
					} else if (r.status === 401) {
						showExpired();
					} else if (r.status === 413) {
						setStatus('메모가 너무 깁니다 (최대 64KB).',
						    'error');
					} else {
						logError('POST memo', r, data);
						setStatus('저장하지 못했습니다 (' +
						    r.status + ').', 'error');
					}
				});
			}).catch(function () {
				setStatus('저장하지 못했습니다 (네트워크 오류).', 'error');
			}).then(function () {
				saving = false;
				save.disabled = false;
				form.removeAttribute('aria-busy');
			});
		}

		form.addEventListener('submit', function (e) {
			e.preventDefault();
			submit();
		});
		/* Ctrl+Enter (⌘+Enter) saves.  With a Korean IME the last
		 * syllable is usually still being composed: save once the
		 * composition ends, so that syllable is in the memo. */
		var pending = 0;

		text.addEventListener('keydown', function (e) {
			if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey))
				return;
			e.preventDefault();
			if (e.isComposing) {
				clearTimeout(pending);
				pending = setTimeout(function () {
					pending = 0;
				}, 1000);
				return;
			}
			submit();
		});
		text.addEventListener('compositionend', function () {
			if (pending === 0)
				return;
			clearTimeout(pending);
			pending = 0;
			setTimeout(submit, 0);
		});
		load();
	}

	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', init);
	else
		init();
}());
