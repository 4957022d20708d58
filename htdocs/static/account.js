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
	let $ = null, seq = 0, account = null, starting = false;

	/* "Chrome · Windows" from a User-Agent, or the text itself.  The
	 * first that matches names it: the apps' own browsers and those built
	 * on Chrome or Safari say so besides (iOS's Chrome is CriOS). */
	function device(ua) {
		const browsers = [[/KAKAOTALK/i, '카카오톡'], [/NAVER\(inapp/, '네이버 앱'],
		    [/Edg(A|iOS)?\//, 'Edge'], [/OPR\//, 'Opera'], [/Whale\//, '웨일'],
		    [/SamsungBrowser\//, '삼성 인터넷'], [/Firefox\/|FxiOS\//, 'Firefox'],
		    [/Chrome\/|CriOS\//, 'Chrome'], [/Safari\//, 'Safari']];
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

		/* Until it is read again, 탈퇴's question names no count: one
		 * from the last visit may be long out of date. */
		account = null;
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
		if (!res.ok && !res.gone) {
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

	/* The members of an exported memo, as the person reads them. */
	const FIELDS = new Map([['text', '내용(text)'],
	    ['created_at', '작성 시각(created_at)'], ['updated_at', '수정 시각(updated_at)'],
	    ['deleted_at', '삭제 시각(deleted_at)'], ['pinned', '고정(pinned)'],
	    ['id', '번호(id)'], ['revisions', '수정 기록(revisions)']]);
	/* An import's 400 names what is wrong in English (common/import.c,
	 * for the log and the API): here it is said again in Korean, a
	 * table for a memo's member, one for a memo, one for the file.  Only
	 * the numbers of the server's text are taken ($1: digits, or a name
	 * the pattern lists); a reason not known is said in general words. */
	const MEMBER_WHY = [
		[/^missing or not a string$/, '값이 없거나 문자열이 아닙니다.'],
		[/^over 65536 bytes or holding a NUL/, '값이 64KB를 넘거나 NUL 문자를 ' +
		    '담고 있습니다.'],
		/* A server of the version before (a rolling deploy). */
		[/^empty, over 65536 bytes/, '값이 비어 있거나, 64KB를 넘거나, NUL 문자를 ' +
		    '담고 있습니다.'],
		[/^missing$/, '값이 없습니다.'],
		[/^not a time like /, '값이 2026-11-24T13:45:00Z 같은 시각(UTC)이 아닙니다.'],
		[/^not true or false$/, '값이 true나 false가 아닙니다.'],
		[/^not a positive integer$/, '값이 양의 정수가 아닙니다.'],
		[/^not an array$/, '값이 배열이 아닙니다.'],
		[/^more than (\d+)$/, '항목이 $1개를 넘습니다.'],
		[/^a memo in the trash belongs in /, '값이 있습니다. 휴지통의 메모는 ' +
		    'trash에 있어야 합니다.']
	];
	const MEMO_WHY = [
		[/^not an object$/, '항목이 JSON 객체가 아닙니다.'],
		[/^not valid JSON$/, '항목이 올바른 JSON이 아닙니다.'],
		[/^more than \d+ values in one memo$/, '항목에 값이 너무 많습니다.']
	];
	const FILE_WHY = [
		[/\(this is not a memo export file\)$/, '메모장에서 내보낸 파일이 아닙니다.'],
		[/^version: .* is not supported/, '이 메모장이 읽지 못하는 버전(version)의 ' +
		    '파일입니다. version 1인 파일만 가져올 수 있습니다.'],
		[/^not valid JSON at byte (\d+)$/, 'JSON 형식이 아닙니다($1바이트 근처).'],
		[/^something after the end of the object, at byte (\d+)$/,
		    'JSON 객체 뒤에 다른 내용이 있습니다($1바이트 근처).'],
		[/^more than (\d+) memos$/, '메모가 $1개를 넘습니다.'],
		[/^(format|version|memos|trash): given twice$/, '$1 항목이 두 번 있습니다.'],
		[/^(memos|trash): not an array$/, '$1 값이 배열이 아닙니다.']
	];

	/* table's Korean for what, or null. */
	function korean(table, what) {
		for (const [re, say] of table) {
			const m = re.exec(what);
			if (m)
				return say.replace(/\$(\d)/g, (x, i) => m[i]);
		}
		return null;
	}

	/* "memos[3].revisions[0].text: missing" as "4번째 메모의 1번째 수정
	 * 기록의 내용(text) 값이 없습니다.", or null. */
	function importWhy(why) {
		const m = /^(memos|trash)\[(\d+)\](?:\.revisions\[(\d+)\])?(?:\.(\w+))?: (.*)$/
		    .exec(typeof why === 'string' ? why : '');

		if (!m)
			return typeof why === 'string' ? korean(FILE_WHY, why) : null;
		const memo = (m[1] === 'trash' ? '휴지통(trash)의 ' : '') +
		    (Number(m[2]) + 1) + '번째 메모' + (m[3] === undefined ? '' :
		    '의 ' + (Number(m[3]) + 1) + '번째 수정 기록');
		if (m[4] === undefined) {
			const what = korean(MEMO_WHY, m[5]);
			return what && memo + ' ' + what;
		}
		const what = FIELDS.has(m[4]) ? korean(MEMBER_WHY, m[5]) : null;
		return what && memo + '의 ' + FIELDS.get(m[4]) + ' ' + what;
	}

	/* What an import refused for its file (400, 413, 415) or as a request
	 * (403) says, in Korean; other failures say what ui.failed says. */
	function refused(res) {
		/* data null: a page of the web server's or a proxy's, whose
		 * limit may be another than memo's 64MB. */
		if (res.status === 413 && res.data === null)
			return '가져오지 못했습니다: 파일이 너무 커서 서버가 거절했습니다 (413). ' +
			    '아무것도 가져오지 않았습니다.';
		if (res.status === 413)
			return '파일이 64MB를 넘어 가져오지 못했습니다.';
		let why = '메모장에서 내보낸 JSON 파일이 아니거나 잘못된 곳이 있습니다.';
		if (res.status === 415)
			why = '서버가 파일을 JSON으로 받지 않았습니다.';
		else if (res.status === 403)
			why = '이 메모장 페이지에서 보낸 요청인지 확인되지 않아 서버가 ' +
			    '거절했습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요.';
		else
			why = importWhy(res.data && res.data.error) || why;
		return '가져오지 못했습니다: ' + why + ' 아무것도 가져오지 않았습니다.';
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
		/* Taken, or refused as it is: picked again only if changed.
		 * Otherwise (a failure, another import running) it stays, to
		 * try again as it is. */
		if ([200, 400, 413, 415].indexOf(res.status) >= 0)
			$.file.value = '';
		if ([400, 403, 413, 415].indexOf(res.status) >= 0) {
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
		if (starting)
			return;
		starting = true;
		ui.status('네이버로 이동하는 중입니다…', '');
		const res = await net.request('POST', 'login?intent=withdraw');

		if (!res.ok || typeof res.data.location !== 'string') {
			starting = false;
			ui.failed(res, '탈퇴를 시작하지 못했습니다.');
			return;
		}
		ui.leaveOnPurpose();	/* asked twice already, here and in withdraw() */
		location.assign(res.data.location);
	}

	async function withdraw() {
		if (starting)		/* on its way to Naver already */
			return;
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
