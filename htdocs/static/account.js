/* account.js - the 계정 view (#view=account): the person's data is theirs.
 *
 * Who is logged in and what they have (GET /account); export as JSON or
 * Markdown (plain links: the server names the file); import a JSON file
 * (POST /import, the file sent as it is); the sessions on every device,
 * ending another one (DELETE /account/sessions/{id}) or all of them
 * (POST /logout?all=1, a plain form); withdrawal (탈퇴), which asks here
 * first, then at Naver (POST /login?intent=withdraw gives Naver's address:
 * a link cannot start one).  A withdrawal cancelled at Naver comes back as
 * #view=account&withdraw=cancelled. */
(function () {
	'use strict';

	const Memo = window.Memo = window.Memo || {};
	const R = Memo.render, net = Memo.net, ui = Memo.ui;
	const MAX_IMPORT = 64 * 1024 * 1024;
	let $ = null, seq = 0, account = null;

	/* "Chrome · Windows" from a User-Agent, or the text itself. */
	function device(ua) {
		const browsers = [[/Edg\//, 'Edge'], [/Whale\//, '웨일'],
		    [/SamsungBrowser\//, '삼성 인터넷'], [/Firefox\//, 'Firefox'],
		    [/Chrome\//, 'Chrome'], [/Safari\//, 'Safari']];
		const systems = [[/Android/, 'Android'], [/iPhone|iPad/, 'iOS'],
		    [/Windows/, 'Windows'], [/Mac OS X/, 'macOS'], [/Linux/, 'Linux']];
		const pick = (list) => (list.find(([re]) => re.test(ua)) || [])[1];

		if (!ua)
			return '알 수 없는 기기';
		const b = pick(browsers), os = pick(systems);
		return b && os ? b + ' · ' + os : b || os || ua;
	}

	function session(s) {
		const li = R.el('li', 'session' + (s.current ? ' current' : ''));
		const what = R.el('div', 'session-what');
		const meta = R.el('div', 'meta');

		li.dataset.id = s.id;
		what.appendChild(R.el('strong', null, device(s.user_agent)));
		if (s.current)
			what.appendChild(R.el('span', 'badge', '지금 이 기기'));
		li.appendChild(what);
		li.appendChild(R.el('div', 'session-ua', s.user_agent ||
		    '브라우저 정보 없음 (이전 버전에서 로그인)'));
		meta.append(R.time(s.created_at, '로그인 '),
		    R.el('span', null, ' · '), R.time(s.expires_at, '만료 '));
		li.appendChild(meta);
		if (!s.current) {
			const b = R.el('button', 'secondary end', '로그아웃');
			b.type = 'button';
			b.appendChild(R.el('span', 'sr-only', ': ' + device(s.user_agent)));
			li.appendChild(b);
		}
		return li;
	}

	function show(a) {
		const joined = R.time(a.created_at);
		const d = R.parse(a.created_at);

		if (d)		/* a date, even for today ("오후 8:20" is no join date) */
			joined.textContent = R.day(d);
		account = a;
		$.summary.replaceChildren(R.el('strong', null, a.name + '님'),
		    R.el('span', null, ' · 메모 ' + a.memos + '개 · 휴지통의 메모 ' + a.trash +
		    '개 · 가입 '), joined);
		$.sessions.replaceChildren(...a.sessions.map(session));
	}

	async function load() {
		const mine = ++seq;
		const res = await net.request('GET', 'account');

		if (mine !== seq)
			return;
		if (!res.ok) {
			ui.failed(res, '계정 정보를 불러오지 못했습니다.');
			return;
		}
		show(res.data);
	}

	async function end(li) {
		const name = li.querySelector('strong').textContent;

		if (!await ui.confirm(name + '에서 로그아웃할까요?', name + '의 로그인을 ' +
		    '끝냅니다. 그 기기에서 다시 쓰려면 다시 로그인해야 합니다.', '로그아웃'))
			return;
		const res = await net.request('DELETE', 'account/sessions/' +
		    encodeURIComponent(li.dataset.id));
		if (!res.ok && res.status !== 404) {
			ui.failed(res, name + '의 로그인을 끝내지 못했습니다.');
			return;
		}
		ui.status(name + '에서 로그아웃했습니다.', 'ok');
		await load();
		/* Its 로그아웃 button went with the list drawn anew, and the
		 * focus with it: to the next device's, or 모든 기기에서 로그아웃. */
		const f = document.activeElement;
		if (!f || f === document.body)
			($.sessions.querySelector('button.end') ||
			    document.getElementById('logout-all-go')).focus();
	}

	/* What an import refused for its file (413 or 400) says, with the
	 * server's reason; other failures say what ui.failed says. */
	function refused(res) {
		if (res.status === 413)
			return '파일이 64MB를 넘어 가져오지 못했습니다.';
		return '가져오지 못했습니다: 메모장에서 내보낸 JSON 파일이 아니거나 ' +
		    '잘못된 곳이 있습니다. 아무것도 가져오지 않았습니다. (' +
		    (res.data && res.data.error || '알 수 없는 오류') + ')';
	}

	async function importFile(e) {
		const f = $.file.files[0];

		e.preventDefault();
		if (!f) {
			ui.status('가져올 JSON 파일을 먼저 골라 주세요.', 'error');
			return;
		}
		if (f.size > MAX_IMPORT) {
			ui.status(refused({ status: 413 }), 'error');
			return;
		}
		ui.status('가져오는 중…', '');
		/* 가져오기 off meanwhile, and its focus back after (ui.busy). */
		const res = await ui.busy([$.go], $.form, [$.go],
		    () => net.request('POST', 'import', { file: f }));
		$.file.value = '';	/* taken, or refused as it is */
		if (res.status === 400 || res.status === 413) {
			ui.status(refused(res), 'error');
			return;
		}
		if (res.status === 409) {
			ui.status('다른 가져오기가 아직 진행 중입니다. 그 가져오기가 끝난 ' +
			    '뒤 다시 시도해 주세요. 이번 파일에서는 아무것도 가져오지 ' +
			    '않았습니다.', 'error');
			return;
		}
		if (!res.ok) {
			ui.failed(res, '가져오지 못했습니다.');
			return;
		}
		ui.status('메모 ' + res.data.imported + '개를 가져왔습니다.' +
		    (res.data.skipped ? ' 이미 있던 메모 ' + res.data.skipped +
		    '개는 건너뛰었습니다.' : ''), 'ok');
		load();
	}

	async function logoutAll(e) {
		e.preventDefault();
		if (await ui.confirm('모든 기기에서 로그아웃할까요?', '이 기기를 포함해 ' +
		    '로그인한 모든 기기에서 로그아웃합니다.', '모두 로그아웃') &&
		    await ui.leaving())
			$.logoutAll.submit();
	}

	/* A POST, which no link on another site can make with this person's
	 * session, answers where Naver confirms it. */
	async function toNaver() {
		const res = await net.request('POST', 'login?intent=withdraw');

		if (!res.ok || typeof res.data.location !== 'string') {
			ui.failed(res, '탈퇴를 시작하지 못했습니다.');
			return;
		}
		location.assign(res.data.location);
	}

	async function withdraw() {
		const text = R.el('div');
		const n = account ? '메모 ' + account.memos + '개와 휴지통의 메모 ' +
		    account.trash + '개' : '모든 메모';

		text.append(R.el('p', null, '탈퇴하면 ' + n + ', 수정 기록과 태그, ' +
		    '모든 기기의 로그인이 바로 삭제되며 되돌릴 수 없습니다. 필요하면 ' +
		    '먼저 내보내기로 메모를 받아 두세요.'),
		    R.el('p', null, '계속하면 네이버에서 동의 화면을 한 번 더 거쳐 ' +
		    '본인임을 확인한 뒤 탈퇴가 끝나고, 네이버 계정과의 연결도 ' +
		    '해제됩니다.'));
		if (await ui.dialog('정말 탈퇴할까요?', text, [
			{ label: '취소', value: 'no' },
			{ label: '네이버에서 확인하고 탈퇴', value: 'yes', kind: 'danger' }
		]) === 'yes')
			toNaver();
	}

	function init() {
		$ = {};
		[['summary', 'account-summary'], ['sessions', 'sessions'],
		    ['file', 'import-file'], ['go', 'import-go'],
		    ['form', 'import-form'], ['logoutAll', 'logout-all'],
		    ['withdraw', 'withdraw']].forEach(
		    ([k, id]) => { $[k] = document.getElementById(id); });
		$.form.addEventListener('submit', importFile);
		$.logoutAll.addEventListener('submit', logoutAll);
		$.withdraw.addEventListener('click', withdraw);
		$.sessions.addEventListener('click', (ev) => {
			const b = ev.target.closest('button.end');
			if (b)
				end(b.closest('li'));
		});
	}

	(Memo.views = Memo.views || []).push({
		name: 'account', label: '계정', section: 'view-account',
		init,
		enter(params) {
			if (params.withdraw === 'cancelled') {
				Memo.app.go({ view: 'account' }, true);
				ui.status('탈퇴를 취소했습니다. 아무것도 삭제하지 않았습니다.', 'ok');
				return;
			}
			load();
		},
		leave() { ui.closeDialog(); }
	});
}());
