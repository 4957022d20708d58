"""test_e2e.py - the service through lighttpd, as a browser and an API
client use it, against the private MariaDB and the Naver double (which
plays Naver's failures: see devlogin/naver_dev.py).  Every flow ends with
a look at the database rows it should, or should not, have written."""
import os
import re
import urllib.parse

from lib import (Browser, check, code_for, eq, http_get, http_post_form, refused_by_web_server,
                 login, naver_id, settings, sha256_hex, start_login, test)


def say(msg):
    print(f"    saw: {msg}", flush=True)


def count(env, table, where="1=1"):
    return int(env.db.query(f"SELECT COUNT(*) FROM `{table}` WHERE {where}")[0][0])


def counts(env):
    return {t: count(env, t) for t in ("user", "sessions", "memo")}


def logged_in(env, name, web=None):
    b = Browser((web or env.web).url)
    r = login(b, name)
    eq(r.status, 302, f"login of {name}")
    return b


@test
def health(env):
    """GET /health is 200 JSON while the database answers"""
    r = http_get(env.web.url + "health")
    eq(r.status, 200, "status")
    eq(r.json(), {"status": "ok"}, "body")
    eq(r.header("Content-Type"), "application/json; charset=utf-8", "type")


@test
def guest_page(env):
    """GET / for a guest: Korean page, title, Naver login button, security headers"""
    r = http_get(env.web.url)
    eq(r.status, 200, "status")
    eq(r.header("Content-Type"), "text/html; charset=utf-8", "type")
    t = r.text
    check('<html lang="ko">' in t, "Korean page")
    check('class="guest"' in t, "guest state")
    check('href="login"' in t and "네이버 로그인" in t, "relative login button")
    check("{{" not in t, "no template marker left")
    check("http://" not in t and "https://" not in t.replace("http://www.w3.org", ""),
          "no external resource (works offline)")
    csp = r.header("Content-Security-Policy")
    check(csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, csp)
    eq(r.header("X-Content-Type-Options"), "nosniff", "nosniff")
    # No Referer to other sites; not no-referrer, under which our own
    # logout form's POST says "Origin: null", refused as another page's.
    eq(r.header("Referrer-Policy"), "same-origin", "Referrer-Policy")
    for path in ("static/app.js", "static/style.css"):
        s = http_get(env.web.url + path)
        eq(s.status, 200, path)
        eq((s.header("X-Content-Type-Options"), s.header("Referrer-Policy")),
           ("nosniff", "same-origin"), path + " headers")


@test
def page_user_id_not_the_name(env):
    """GET / logged in: data-user is an opaque id of the person (their drafts' key), not the name: two people of one name get two; data-since when the account was made; a guest gets neither"""
    import re
    from lib import naver_id, sha256_hex
    a, b = logged_in(env, "초안 주인 갑"), logged_in(env, "초안 주인 을")
    # Naver names are not unique: the second takes the first's.
    env.db.query(f"UPDATE `user` SET name = '초안 주인 갑' WHERE id = '{naver_id('초안 주인 을')}'")
    seen = []
    for who, br in (("초안 주인 갑", a), ("초안 주인 을", b)):
        t = br.get("/").text
        check("초안 주인 갑님의 메모장" in t, "the shared name as the title")
        m = re.search(r'<body class="user" data-user="([0-9a-f]{64})" data-since="([^"]*)">', t)
        check(m is not None, "an opaque id on the page")
        eq(m.group(1), sha256_hex("memo-user/" + naver_id(who)), "a hash of the person's user id")
        eq(m.group(2), br.get("/account").json()["created_at"],
           "and when the account was made (a withdrawn account's drafts are not this one's)")
        seen.append(m.group(1))
    check(seen[0] != seen[1], "two people of one name: two ids")
    check('data-user="" data-since=""' in http_get(env.web.url).text, "a guest: none")


@test
def template_not_served_raw(env):
    """The page template and the CGI files are not served as files"""
    for path in ("index.html", "htdocs/index.html", "cgi-bin/memo.cgi", "memo.cgi"):
        r = http_get(env.web.url + path)
        check(r.status == 404, f"{path}: {r.status}")
    # A path after a route reaches the CGI (404 for anything but "/"),
    # never the program file itself.
    for path in ("memo/x", "health/x", "login/x", "memo/", "health/"):
        r = http_get(env.web.url + path)
        check(not r.body.startswith(b"\x7fELF"), f"{path}: the program was served")
        check(r.status in (404, 401, 200) and
              (r.header("Content-Type") or "").startswith(("application/json", "text/html")),
              f"{path}: {r.status} {r.header('Content-Type')}")
        if path.endswith("/x"):
            eq(r.status, 404, path)


@test
def full_login_flow(env):
    """Login through the double's authorize form: user and hashed session rows, cookie attributes"""
    b = Browser(env.web.url)
    before = counts(env)
    state, authorize = start_login(b)
    check(authorize.startswith(env.naver.url + "/oauth2.0/authorize?"), authorize)
    page = http_get(authorize)
    eq(page.status, 200, "authorize page")
    check("개발용 네이버 로그인" in page.text, "dev provider page")
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(authorize).query)
    eq(q["redirect_uri"], [env.web.url + "auth"], "redirect_uri")
    r = http_post_form(env.naver.url + "/oauth2.0/authorize",
                       {"name": "김철수", "redirect_uri": q["redirect_uri"][0],
                        "state": state, "action": "login"})
    eq(r.status, 302, "provider redirects back")
    back = urllib.parse.urlsplit(r.header("Location"))
    r = b.get("/auth?" + back.query)
    eq(r.status, 302, "auth status")
    eq(r.header("Location"), "./", "home")
    cookies = {c.split("=", 1)[0]: c for c in r.all("Set-Cookie")}
    sc = cookies["sessionId"]
    sid = sc.split("=", 1)[1].split(";", 1)[0]
    check(re.fullmatch(r"[A-Za-z0-9_-]{43}", sid), f"session id shape {sid!r}")
    for attr in ("Path=/", "Max-Age=1209600", "HttpOnly", "SameSite=Lax"):
        check(attr in sc, f"{attr} in {sc}")
    check("Secure" not in sc, "no Secure over plain HTTP")
    check("Max-Age=0" in cookies["oauthState"], "state cookie cleared")
    uid = naver_id("김철수")
    eq(env.db.query(f"SELECT name FROM `user` WHERE id = '{uid}'"), [["김철수"]], "user row")
    rows = env.db.query(f"SELECT session_key, expires_at > UTC_TIMESTAMP() + INTERVAL 13 DAY "
                        f"FROM sessions WHERE user_id = '{uid}'")
    eq(rows, [[sha256_hex(sid), "1"]], "session row holds the hash, 14 days")
    check(count(env, "sessions", f"session_key = '{sid}'") == 0, "raw id not stored")
    eq(count(env, "user"), before["user"] + 1, "one user more")
    r = b.get("/")
    check("김철수님의 메모장" in r.text and 'class="user"' in r.text, "user page")


@test
def session_max_age_setting(env):
    """SESSION_MAX_AGE=120: the session cookie's Max-Age and the session row's expiry are 120 s, and the server ends the session at its expiry though the browser still sends the cookie (401); 5 is raised to its bound, 60"""
    with settings(env, SESSION_MAX_AGE="120"):
        b = Browser(env.web.url)
        r = login(b, "짧은 세션")
        eq(r.status, 302, "login")
        sc = next(c for c in r.all("Set-Cookie") if c.startswith("sessionId="))
        check(re.search(r"Max-Age=120(;|$)", sc), sc)
        uid = naver_id("짧은 세션")
        left = env.db.query("SELECT MAX(TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), expires_at))"
                            f" FROM sessions WHERE user_id = '{uid}'")[0][0]
        check(100 <= int(left) <= 120, f"the row ends in {left} s")
        eq(b.get("/memo").status, 200, "the session serves")
        env.db.query("UPDATE sessions SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND"
                     f" WHERE user_id = '{uid}'")
        eq(b.get("/memo").status, 401, "past its expiry, the cookie still sent")
    with settings(env, SESSION_MAX_AGE="5"):
        r = login(Browser(env.web.url), "더 짧은 세션")
        sc = next(c for c in r.all("Set-Cookie") if c.startswith("sessionId="))
        check(re.search(r"Max-Age=60(;|$)", sc), f"5 raised to 60: {sc}")


@test
def token_request_is_a_post_form(env):
    """The token request is a POST form body: the secret is never in a URL"""
    http_post_form(env.naver.url + "/_double/reset", {})
    logged_in(env, "폼 확인")
    reqs = http_get(env.naver.url + "/_double/token-requests").json()
    check(reqs, "the double saw a token request")
    for r in reqs:
        eq(r["method"], "POST", "method")
        eq(r["secret_in_query"], False, "secret in query")
        eq(r["grant_type"], "authorization_code", "grant_type")


@test
def korean_memo_with_emoji(env):
    """POST a Korean memo with an emoji, GET it back newest first, row stored once"""
    b = logged_in(env, "이영희")
    uid = naver_id("이영희")
    text = "오늘의 할 일: 장보기 🛒 그리고 \"따옴표\" <b>태그</b>\n둘째 줄"
    r = b.post_json("/memo", {"text": text})
    eq(r.status, 200, "POST status")
    eq(r.header("Content-Type"), "application/json; charset=utf-8", "type")
    m = r.json()
    eq(m["text"], text, "echoed")
    r2 = b.post_json("/memo", {"text": "두 번째"})
    eq(r2.status, 200, "second POST")
    r = b.get("/memo")
    eq(r.status, 200, "GET status")
    memos = r.json()["memos"]
    eq([x["text"] for x in memos], ["두 번째", text], "newest first")
    eq(memos[1], m, "same object as POST answered")
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m["created_at"]), m["created_at"])
    eq(env.db.query("SELECT DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') FROM memo"
                    f" WHERE id = {m['id']}"), [[memos[1]["created_at"]]],
       "GET's created_at is the row's")
    eq(env.db.query(f"SELECT text FROM memo WHERE id = {m['id']} AND user_id = '{uid}'"),
       [[text.replace("\n", "\\n")]], "row")


@test
def empty_list(env):
    """A new user's GET /memo is {"memos": []}"""
    b = logged_in(env, "빈 목록")
    r = b.get("/memo")
    eq((r.status, r.json()), (200, {"memos": []}), "empty list")


@test
def paging(env):
    """GET /memo?limit=&before= pages newest first; bad values are 400"""
    b = logged_in(env, "페이지")
    ids = [b.post_json("/memo", {"text": f"메모 {i}"}).json()["id"] for i in range(5)]
    r = b.get("/memo?limit=2")
    eq([m["id"] for m in r.json()["memos"]], ids[:-3:-1], "first page")
    r = b.get(f"/memo?limit=2&before={ids[3]}")
    eq([m["id"] for m in r.json()["memos"]], [ids[2], ids[1]], "second page")
    eq(len(b.get("/memo").json()["memos"]), 5, "plain GET returns all")
    for q in ("limit=0", "limit=-1", "limit=abc", "limit=1001", "before=x", "limit=1e3"):
        r = b.get("/memo?" + q)
        eq(r.status, 400, q)


@test
def memo_requires_login(env):
    """GET and POST /memo without a session are 401 JSON, nothing written"""
    before = count(env, "memo")
    b = Browser(env.web.url)
    r = b.get("/memo")
    eq((r.status, r.json()), (401, {"error": "login required"}), "GET")
    r = b.post_json("/memo", {"text": "x"})
    eq(r.status, 401, "POST")
    b.cookies["sessionId"] = "A" * 43
    eq(b.get("/memo").status, 401, "unknown session")
    eq(count(env, "memo"), before, "nothing written")


@test
def bad_memo_requests(env):
    """Bad POST /memo: 415, 400 (JSON, text, UTF-8), 413, 405 — nothing written"""
    b = logged_in(env, "나쁜 요청")
    before = count(env, "memo")
    cases = [
        ("text/plain", dict(raw=b'{"text":"x"}', ctype="text/plain"), 415),
        ("form", dict(raw=b"text=x", ctype="application/x-www-form-urlencoded"), 415),
        ("not JSON", dict(raw=b"{text:", ctype="application/json"), 400),
        ("array", dict(obj=["text"]), 400),
        ("no text", dict(obj={"memo": "x"}), 400),
        ("empty text", dict(obj={"text": ""}), 400),
        ("number text", dict(obj={"text": 5}), 400),
        ("null text", dict(obj={"text": None}), 400),
        ("invalid UTF-8", dict(raw=b'{"text":"\xff\xfe"}'), 400),
        ("NUL", dict(raw=b'{"text":"a\\u0000b"}'), 400),
        ("trailing junk", dict(raw=b'{"text":"x"} {}'), 400),
        ("65537 bytes", dict(obj={"text": "a" * 65537}), 413),
        ("600 KB body", dict(raw=b'{"text":"' + b"a" * 600000 + b'"}'), 413),
    ]
    for what, kw, want in cases:
        r = b.post_json("/memo", **kw)
        eq(r.status, want, what)
        if what == "600 KB body":   # the web server refuses that one itself
            check(refused_by_web_server(r), f"{what}: the web server's own page, not"
                  f" memo's: {r.header('Content-Type')} {r.body[:120]!r}")
        else:
            eq(r.header("Content-Type"), "application/json; charset=utf-8", what)
            check("error" in r.json(), f"{what}: error JSON")
    r = b.request("PUT", "/memo", body=b"{}")
    eq(r.status, 405, "PUT")
    eq(r.header("Allow"), "GET, POST", "Allow")
    eq(count(env, "memo"), before, "nothing written")
    big = "가" * (65536 // 3) + "a"        # exactly 65,536 bytes of UTF-8
    eq(len(big.encode()), 65536, "size of the largest memo")
    r = b.post_json("/memo", {"text": big})
    eq(r.status, 200, "the largest memo")
    r = b.post_json("/memo", {"text": "\u00e9" * 65536})      # 131 KB: too long
    eq(r.status, 413, "65536 characters but 131072 bytes")
    eq(count(env, "memo"), before + 1, "the largest memo written, the 131 KB one not")
    # json-c decodes a lone surrogate escape to U+FFFD: valid UTF-8 is stored.
    r = b.post_json("/memo", raw=b'{"text":"a\\ud800b"}')
    eq((r.status, r.json()["text"]), (200, "a\ufffdb"), "lone surrogate")


@test
def users_are_isolated(env):
    """One user never sees another's memos"""
    a = logged_in(env, "사용자A")
    bb = logged_in(env, "사용자B")
    a.post_json("/memo", {"text": "A의 비밀"})
    eq(bb.get("/memo").json(), {"memos": []}, "B sees nothing of A's")
    check("A의 비밀" in a.get("/memo").text, "A sees its own")


@test
def name_escaped_on_page(env):
    """A hostile display name reaches the page as text, never as HTML"""
    b = logged_in(env, '<script>alert(1)</script>&"\'')
    t = b.get("/").text
    check("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;님의 메모장" in t, "escaped")
    check("<script>alert" not in t, "not raw")


@test
def logout(env):
    """POST /logout deletes the session row and expires the cookie; the old cookie stays dead"""
    b = logged_in(env, "로그아웃")
    sid = b.cookies["sessionId"]
    eq(count(env, "sessions", f"session_key = '{sha256_hex(sid)}'"), 1, "session row")
    r = b.request("POST", "/logout")
    eq(r.status, 303, "status")
    eq(r.header("Location"), "./", "home")
    check("sessionId=;" in r.header("Set-Cookie") and "Max-Age=0" in r.header("Set-Cookie"),
          "cookie expired")
    eq(count(env, "sessions", f"session_key = '{sha256_hex(sid)}'"), 0, "row deleted")
    t = b.get("/").text
    check('class="guest"' in t and 'href="login"' in t, "login button again")
    old = Browser(env.web.url)
    old.cookies["sessionId"] = sid
    eq(old.get("/memo").status, 401, "old cookie is dead")
    eq(b.get("/logout").status, 405, "GET /logout")


@test
def expired_session(env):
    """An expired session is 401 for the API and a guest page that clears the cookie"""
    b = logged_in(env, "만료")
    sid = b.cookies["sessionId"]
    env.db.client(database="memo", stdin=(
        f"UPDATE sessions SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND "
        f"WHERE session_key = '{sha256_hex(sid)}'"))
    eq(b.get("/memo").status, 401, "GET /memo")
    eq(b.post_json("/memo", {"text": "늦음"}).status, 401, "POST /memo")
    r = b.get("/")
    check('class="guest"' in r.text, "guest page")
    check("sessionId" not in b.cookies, "stale cookie cleared")
    eq(count(env, "sessions", f"session_key = '{sha256_hex(sid)}'"), 1, "row still there")
    logged_in(env, "만료 다음")
    eq(count(env, "sessions", "expires_at < UTC_TIMESTAMP()"), 0, "swept at the next login")


@test
def state_is_checked(env):
    """/auth refuses a forged, missing or short state, or one without its cookie, with 400 and writes nothing"""
    before = counts(env)
    b = Browser(env.web.url)
    state, _ = start_login(b)
    code = code_for("공격자")
    for what, st, cookie in (("forged", "X" * 43, state), ("missing", None, state),
                             ("no cookie", state, None), ("short", state[:-1], state)):
        c = Browser(env.web.url)
        if cookie:
            c.cookies["oauthState"] = cookie
        q = {"code": code}
        if st:
            q["state"] = st
        r = c.get("/auth?" + urllib.parse.urlencode(q))
        eq(r.status, 400, what)
        check("이 네이버 인증 요청은 확인할 수 없습니다." in r.text, f"{what}: the Korean page says what happened")
    # Looked at before the real login, which writes the same user (the
    # same code): a refusal that wrote it would be hidden by that login.
    eq(counts(env), before, "the refusals wrote no user, session or memo")
    r = b.get("/auth?" + urllib.parse.urlencode({"code": code, "state": state}))
    eq(r.status, 302, "the right state works")
    eq(counts(env)["user"], before["user"] + 1, "only the real login wrote a user")


def auth_with(web, cookies, code, state):
    """GET /auth from a browser holding exactly `cookies`; (response, the
    browser)."""
    c = Browser(web.url)
    c.cookies = dict(cookies)
    return c.get("/auth?" + urllib.parse.urlencode({"code": code, "state": state})), c


@test
def login_begun_in_two_tabs(env):
    """Two logins begun in one browser (two tabs): each tab's return from Naver logs in, the first one's too (the second's state replaced the cookie's, and the first tab got 400); the cookie keeps the other tab's state until it is used, and holds the newest three: the return of a fourth-newest is refused"""
    b = Browser(env.web.url)
    first, second = start_login(b)[0], start_login(b)[0]
    eq(b.cookies.get("oauthState"), f"{second}~{first}", "both states, the newest first")
    r = b.get("/auth?" + urllib.parse.urlencode({"code": code_for("두 탭"), "state": first}))
    eq(r.status, 302, "the first tab's return: logged in")
    eq(b.cookies.get("oauthState"), second, "the second tab's state kept")
    eq(b.get("/memo").status, 200, "the session serves")
    r = b.get("/auth?" + urllib.parse.urlencode({"code": code_for("두 탭"), "state": second}))
    eq(r.status, 302, "the second tab's return: logged in too")
    check("oauthState" not in b.cookies, "no state left: the cookie expired")
    states = [start_login(b)[0] for _ in range(4)]
    eq(b.cookies.get("oauthState"), "~".join(reversed(states[1:])), "the newest three")
    r = b.get("/auth?" + urllib.parse.urlencode({"code": code_for("두 탭"), "state": states[0]}))
    eq(r.status, 400, "the fourth-newest: refused")


@test
def replayed_state_is_refused(env):
    """A state is used once: after the login it made, the same state with its oauthState cookie and a new code is 400 from any browser, before any call to Naver; nothing written, the login's session unharmed"""
    b = Browser(env.web.url)
    state, _ = start_login(b)
    cookie = b.cookies["oauthState"]
    r = b.get("/auth?" + urllib.parse.urlencode({"code": code_for("한 번만"), "state": state}))
    eq(r.status, 302, "the login")
    sid = b.cookies["sessionId"]
    before = counts(env)
    http_post_form(env.naver.url + "/_double/reset", {})
    seen = []
    # The callback again, as an attacker who saw it (URL and cookie) would
    # send it with a code of his own: from the browser that logged in (its
    # new session cookie too) and from one with no session at all.
    for who, cookies in (("the same browser", {"sessionId": sid, "oauthState": cookie}),
                         ("another browser", {"oauthState": cookie})):
        r, c = auth_with(env.web, cookies, code_for("재사용 공격자"), state)
        seen.append(f"{who}: {r.status}")
        eq(r.status, 400, f"{who}: the replayed state")
        check("이 네이버 인증 요청은 확인할 수 없습니다." in r.text, f"{who}: the Korean 400 page says what happened")
        eq(c.cookies.get("sessionId"), cookies.get("sessionId"), f"{who}: no new session cookie")
        check("oauthState" not in c.cookies, f"{who}: the state cookie cleared")
    eq(http_get(env.naver.url + "/_double/token-requests").json(), [],
       "no token exchange for a replay")
    eq(counts(env), before, "nothing written")
    eq(count(env, "user", f"id = '{naver_id('재사용 공격자')}'"), 0, "no user for the replay")
    eq(b.get("/memo").status, 200, "the login's own session still works")
    say("; ".join(seen) + "; no token request reached Naver")


@test
def spent_states_forgotten_after_a_day(env):
    """Spent states are kept a day (far longer than the 10-minute state cookie), then forgotten by a later login, a batch at a time"""
    old, recent = sha256_hex("오래된 상태"), sha256_hex("최근 상태")
    env.db.client(database="memo", stdin=(
        f"REPLACE INTO oauth_state_used VALUES ('{old}', UTC_TIMESTAMP() - INTERVAL 25 HOUR),"
        f" ('{recent}', UTC_TIMESTAMP() - INTERVAL 23 HOUR);"))
    b = Browser(env.web.url)
    state, _ = start_login(b)
    eq(b.get("/auth?" + urllib.parse.urlencode({"code": code_for("잊기"), "state": state}))
       .status, 302, "a login")
    kept = env.db.query("SELECT state_hash FROM oauth_state_used WHERE state_hash IN "
                        f"('{old}', '{recent}', '{sha256_hex(state)}') ORDER BY used_at")
    eq([k[0] for k in kept], [recent, sha256_hex(state)],
       "the 25-hour-old record forgotten, the 23-hour-old one and the new one kept")


@test
def state_used_once_under_a_race(env):
    """The same state and cookie sent to /auth twice at once (two codes): exactly one login, the other 400"""
    from concurrent.futures import ThreadPoolExecutor
    b = Browser(env.web.url)
    state, _ = start_login(b)
    cookies = dict(b.cookies)
    names = ("경주 하나", "경주 둘")
    before = [count(env, "sessions", f"user_id = '{naver_id(n)}'") for n in names]
    with ThreadPoolExecutor(2) as ex:
        got = list(ex.map(lambda n: auth_with(env.web, cookies, code_for(n), state)[0].status,
                          names))
    say(f"statuses {got}")
    eq(sorted(got), [302, 400], "one login, one refusal")
    after = [count(env, "sessions", f"user_id = '{naver_id(n)}'") for n in names]
    eq([a - b for a, b in zip(after, before)], [1 if s == 302 else 0 for s in got],
       "a session for the login only")


@test
def cancel_goes_home(env):
    """error=access_denied (the person cancelled) goes home and writes nothing"""
    before = counts(env)
    b = Browser(env.web.url)
    state, authorize = start_login(b)
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(authorize).query)
    r = http_post_form(env.naver.url + "/oauth2.0/authorize",
                       {"name": "", "redirect_uri": q["redirect_uri"][0],
                        "state": state, "action": "cancel"})
    back = urllib.parse.urlsplit(r.header("Location"))
    check("error=access_denied" in back.query, back.query)
    r = b.get("/auth?" + back.query)
    eq(r.status, 302, "status")
    eq(r.header("Location"), "./", "home")
    eq(counts(env), before, "nothing written")


@test
def naver_quirks(env):
    """expires_in as a number; name falls back to nickname, then a neutral default"""
    r = login(Browser(env.web.url), "숫자만료", "tokennumber")
    eq(r.status, 302, "numeric expires_in")
    r = login(Browser(env.web.url), "닉네임만", "profilenoname")
    eq(r.status, 302, "no name")
    eq(env.db.query(f"SELECT name FROM `user` WHERE id = '{naver_id('닉네임만')}'"),
       [["닉네임만"]], "nickname used")
    b = Browser(env.web.url)
    r = login(b, "이름없음", "profilenonames")
    eq(r.status, 302, "no name, no nickname")
    eq(env.db.query(f"SELECT name FROM `user` WHERE id = '{naver_id('이름없음')}'"),
       [["네이버 사용자"]], "default name")
    check("네이버 사용자님의 메모장" in b.get("/").text, "default on the page")


@test
def relogin_updates_name_and_keeps_memos(env):
    """Logging in again upserts the user: the name Naver gives now replaces the old one (same row, memos kept)"""
    b = logged_in(env, "다시")
    eq(b.post_json("/memo", {"text": "남아 있어야 함"}).status, 200, "POST /memo")
    uid = naver_id("다시")
    name = f"SELECT name FROM `user` WHERE id = '{uid}'"
    eq(env.db.query(name), [["다시"]], "the name of the first login")
    # The same Naver id, now with no name or nickname (the double's
    # profilenonames): another name for the upsert to write.
    b2 = Browser(env.web.url)
    eq(login(b2, "다시", "profilenonames").status, 302, "second login")
    eq(env.db.query(name), [["네이버 사용자"]], "the name replaced, in the one user row")
    check("네이버 사용자님의 메모장" in b2.get("/").text, "the new name on the page")
    eq([m["text"] for m in b2.get("/memo").json()["memos"]], ["남아 있어야 함"], "memos kept")


@test
def no_session_fixation(env):
    """A session id planted before login is not the one used after it"""
    b = Browser(env.web.url)
    planted = "P" * 43
    b.cookies["sessionId"] = planted
    r = login(b, "고정")
    eq(r.status, 302, "login")
    check(b.cookies["sessionId"] != planted, "a new session id")
    eq(count(env, "sessions", f"session_key = '{sha256_hex(planted)}'"), 0, "planted id unknown")


@test
def mounted_under_prefix(env):
    """Mounted at /memo/ (as the seed was): redirect, relative URLs, cookie Path, API"""
    base = env.web_prefix.url                  # http://127.0.0.1:PORT/memo/
    r = http_get(base.rstrip("/"))
    check(r.status in (301, 302), f"/memo redirects: {r.status}")
    check(r.header("Location").endswith("/memo/"), r.header("Location"))
    r = http_get(base)
    eq(r.status, 200, "page")
    check('href="login"' in r.text, "relative login link")
    eq(http_get(base + "static/app.js").status, 200, "static under prefix")
    b = Browser(base)
    state, authorize = start_login(b)
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(authorize).query)
    eq(q["redirect_uri"], [base + "auth"], "redirect_uri under the prefix")
    r = b.get("/auth?" + urllib.parse.urlencode({"code": code_for("접두사"), "state": state}))
    eq(r.status, 302, "auth")
    cookies = {c.split("=", 1)[0]: c for c in r.all("Set-Cookie")}
    for name in ("sessionId", "oauthState"):
        check("; Path=/memo/;" in cookies.get(name, ""),
              f"{name} cookie scoped to /memo/: {cookies.get(name)!r}")
    eq(b.post_json("/memo", {"text": "접두사 아래"}).status, 200, "POST /memo/memo")
    eq(b.get("/memo").json()["memos"][0]["text"], "접두사 아래", "GET /memo/memo")
    eq(http_get(base + "health").status, 200, "health")


@test
def mounted_under_korean_path(env):
    """Mounted at /메모/: login works, cookie Path and redirect_uri percent-encoded (was a 500: fuzz regression)"""
    import stack
    # The server the suite runs against (its mode, build, configuration
    # and install), again at /메모/: a lighttpd, as run.py leaves this test
    # out of the Apache pass (lighttpd_only).
    check(isinstance(env.web, stack.Lighttpd), f"a lighttpd to copy: {env.web!r}")
    web = stack.Lighttpd(**dict(env.web.args, port=None, prefix="/메모", state=os.path.join(
        env.base, "lighttpd-korean-" + str(len(env.webs)))))
    env.webs.append(web)
    try:
        enc = "/%EB%A9%94%EB%AA%A8/"
        base = f"http://127.0.0.1:{web.port}{enc}"
        r = http_get(base)
        eq(r.status, 200, "page")
        b = Browser(base)
        state, authorize = start_login(b)
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(authorize).query)
        eq(q["redirect_uri"], [base + "auth"], "redirect_uri, percent-encoded")
        r = b.get("/auth?" + urllib.parse.urlencode({"code": code_for("한글 경로"),
                                                     "state": state}))
        eq(r.status, 302, "auth")
        check(any(c.startswith("sessionId=") and f"Path={enc};" in c
                  for c in r.all("Set-Cookie")), f"cookie Path: {r.all('Set-Cookie')}")
        eq(b.post_json("/memo", {"text": "한글 경로 아래"}).status, 200, "POST")
        eq(b.get("/memo").json()["memos"][0]["text"], "한글 경로 아래", "GET")
    finally:
        web.stop()


mounted_under_korean_path.lighttpd_only = True
