"""test_cgi.py - each CGI run by hand, as an operator debugs one:

    REQUEST_METHOD=GET HTTP_COOKIE=sessionId=… MEMO_CONFIG=… ./cgi-bin/memo.cgi

The CGI environment and a piped body go in; status, headers and body come
out on stdout; the database rows are checked afterwards."""
import os
import subprocess
import time

import lib
from lib import check, eq, run_cgi, sha256_hex, test

SID = "Cgi" + "A" * 40          # a well-formed session id (43 chars)


def bound(seconds):
    """A time limit for a CGI run by hand: under valgrind (the CGI_WRAPPER
    pass) starting a CGI alone takes seconds on a loaded machine."""
    return seconds + 8 if lib.CGI_WRAPPER else seconds


def base_env(env, **kw):
    e = {"MEMO_CONFIG": env.config}
    e.update(kw)
    return e


def seed_session(env, sid=SID, user="cgi-user", name="CGI 사용자", ttl="1 DAY"):
    env.db.client(database="memo", stdin=(
        f"INSERT INTO `user` (id, name) VALUES ('{user}', '{name}') "
        f"ON DUPLICATE KEY UPDATE name = VALUES(name);"
        f"REPLACE INTO sessions (session_key, user_id, created_at, expires_at)"
        f" VALUES ('{sha256_hex(sid)}', '{user}', "
        f"UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL {ttl});"))


def memo_count(env, user="cgi-user"):
    return int(env.db.query(f"SELECT COUNT(*) FROM memo WHERE user_id = '{user}'")[0][0])


SECURITY = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
            "Cache-Control": "no-store"}


@test
def health_by_hand(env):
    """health.cgi by hand: 200 with a database, 503 JSON without one"""
    r, err = run_cgi("health", base_env(env))
    eq(r.status, 200, "status")
    eq(r.json(), {"status": "ok"}, "body")
    for k, v in SECURITY.items():
        eq(r.header(k), v, k)
    t0 = time.monotonic()
    r, err = run_cgi("health", base_env(env, DB_SOCKET="/nonexistent/mysqld.sock"))
    eq(r.status, 503, "status with the socket gone")
    eq(r.json(), {"error": "database unavailable"}, "body")
    took = time.monotonic() - t0
    check(took < bound(3), f"503 comes quickly: {took:.1f}s")
    check("database: connect" in err, f"stderr says why: {err!r}")


@test
def health_live_by_hand(env):
    """health.cgi /live by hand: 200 without asking the database (it may be away), 500 with no settings"""
    for what, extra in (("database there", {}),
                        ("database away", {"DB_SOCKET": "/nonexistent/mysqld.sock"})):
        r, err = run_cgi("health", base_env(env, PATH_INFO="/live", **extra))
        eq((r.status, r.json()), (200, {"status": "ok"}), what)
        eq(err, "", f"{what}: nothing to say")
    r, _ = run_cgi("health", {"MEMO_CONFIG": "/nonexistent/memo.env", "PATH_INFO": "/live"})
    eq(r.status, 500, "a CGI that cannot read its settings cannot serve: not live")


@test
def request_id_on_every_error_line(env):
    """Each error line of a CGI carries the request's X-Amzn-Trace-Id; a forged one is bounded"""
    trace = "Root=1-67891233-abcdef012345678912345678;Sampled=1"
    away = {"DB_SOCKET": "/nonexistent/mysqld.sock"}
    r, err = run_cgi("health", base_env(env, HTTP_X_AMZN_TRACE_ID=trace, **away))
    eq(r.status, 503, "health without a database")
    lines = err.splitlines()
    check(lines and all(line.startswith(f"health.cgi [{trace}]: ") for line in lines),
          f"every line carries the id: {err!r}")
    for forged in ("Root=1-x\n\rfake: line", "Root=" + "a" * 300, "Root=<script>", "x y"):
        r, err = run_cgi("health", base_env(env, HTTP_X_AMZN_TRACE_ID=forged, **away))
        lines = err.splitlines()
        check(lines and all(line.startswith("health.cgi [invalid]: ") for line in lines),
              f"{forged[:40]!r}: {err!r}")
    r, err = run_cgi("health", base_env(env, **away))
    check(err.startswith("health.cgi: database: connect"), f"no id, no brackets: {err!r}")


@test
def memo_post_and_get_by_hand(env):
    """memo.cgi by hand: POST a piped JSON body, then GET lists it"""
    seed_session(env)
    before = memo_count(env)
    body = '{"text": "손으로 쓴 메모 ✍️"}'.encode()
    r, _ = run_cgi("memo", base_env(env, REQUEST_METHOD="POST",
                   HTTP_COOKIE=f"sessionId={SID}", CONTENT_TYPE="application/json"),
                   body=body)
    eq(r.status, 200, "POST status")
    m = r.json()
    eq(m["text"], "손으로 쓴 메모 ✍️", "echoed text")
    check(isinstance(m["id"], int) and m["created_at"].endswith("Z"), f"memo {m}")
    eq(memo_count(env), before + 1, "rows after POST")
    r, _ = run_cgi("memo", base_env(env, HTTP_COOKIE=f"sessionId={SID}"))
    eq(r.status, 200, "GET status")
    eq(r.json()["memos"][0], m, "newest memo first")


@test
def memo_without_session_by_hand(env):
    """memo.cgi by hand: no cookie, a malformed one, or an unknown one is 401"""
    for cookie in (None, "sessionId=short", "sessionId=" + "B" * 43, "other=1"):
        e = base_env(env)
        if cookie:
            e["HTTP_COOKIE"] = cookie
        r, _ = run_cgi("memo", e)
        eq(r.status, 401, f"status for {cookie!r}")
        eq(r.json(), {"error": "login required"}, "body")


@test
def memo_hostile_bodies_by_hand(env):
    """memo.cgi by hand: short, closed, negative and 2^64 bodies get 400/413, never a hang"""
    seed_session(env)
    before = memo_count(env)
    post = base_env(env, REQUEST_METHOD="POST", HTTP_COOKIE=f"sessionId={SID}",
                    CONTENT_TYPE="application/json")
    cases = [("short body", dict(CONTENT_LENGTH="100"), b'{"text":"x"}', 400),
             ("CONTENT_LENGTH -1", dict(CONTENT_LENGTH="-1"), b'{"text":"x"}', 400),
             ("CONTENT_LENGTH 2^64", dict(CONTENT_LENGTH="18446744073709551616"), b"", 413),
             ("CONTENT_LENGTH junk", dict(CONTENT_LENGTH="12abc"), b"", 400),
             ("no CONTENT_LENGTH", dict(CONTENT_LENGTH=""), b"", 400),
             ("over the limit", dict(CONTENT_LENGTH=str(1 << 20)), b"", 413)]
    for what, extra, body, want in cases:
        t0 = time.monotonic()
        r, _ = run_cgi("memo", dict(post, **extra), body=body, timeout=15)
        eq(r.status, want, what)
        check("error" in r.json(), f"{what}: JSON error body")
        took = time.monotonic() - t0
        check(took < bound(5), f"{what}: answered quickly: {took:.1f}s")
    # stdin closed outright
    r, _ = run_cgi("memo", dict(post, CONTENT_LENGTH="10"), stdin=subprocess.DEVNULL)
    eq(r.status, 400, "closed stdin")
    eq(memo_count(env), before, "nothing written")


@test
def method_and_path_by_hand(env):
    """CGIs by hand: wrong method is 405 with Allow, stray PATH_INFO is 404"""
    r, _ = run_cgi("memo", base_env(env, REQUEST_METHOD="DELETE"))
    eq(r.status, 405, "DELETE /memo")
    eq(r.header("Allow"), "GET, POST", "Allow")
    r, _ = run_cgi("logout", base_env(env, REQUEST_METHOD="GET"))
    eq(r.status, 405, "GET /logout")
    eq(r.header("Allow"), "POST", "Allow")
    check("<html lang=\"ko\">" in r.text, "an HTML page for the browser endpoint")
    r, _ = run_cgi("memo", base_env(env, PATH_INFO="/../../etc/passwd"))
    eq(r.status, 404, "PATH_INFO")


@test
def config_errors_by_hand(env):
    """CGIs by hand: a missing or malformed config file is a clean 500"""
    r, err = run_cgi("health", {"MEMO_CONFIG": "/nonexistent/memo.env"})
    eq(r.status, 500, "missing file")
    eq(r.json(), {"error": "configuration error"}, "body")
    bad = os.path.join(env.base, "bad.env")
    with open(bad, "w") as f:
        f.write("DB_HOST=ok\nthis is not a setting\n")
    r, err = run_cgi("health", {"MEMO_CONFIG": bad})
    eq(r.status, 500, "syntax error")
    check("line 2" in err, f"stderr names the line: {err!r}")


@test
def env_overrides_file_by_hand(env):
    """CGIs by hand: a variable in the environment wins over the file"""
    r, _ = run_cgi("health", base_env(env, DB_PASSWORD="wrong"))
    eq(r.status, 503, "wrong password from the environment")
    r, _ = run_cgi("health", base_env(env))
    eq(r.status, 200, "file's password")


@test
def login_by_hand(env):
    """login.cgi by hand: 302 to the authorize URL, state also in the cookie"""
    r, _ = run_cgi("login", base_env(env, HTTP_HOST="127.0.0.1:8080"))
    eq(r.status, 302, "status")
    loc = r.header("Location")
    check(loc.startswith(env.naver.url + "/oauth2.0/authorize?response_type=code&"), loc)
    check("client_id=dev-client-id" in loc, "client_id")
    check("redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fauth" in loc, "redirect_uri")
    check(env.naver.client_secret not in loc, "no secret in the URL")
    state = loc.rsplit("state=", 1)[1]
    eq(len(state), 43, "state length")
    c = r.header("Set-Cookie")
    eq(c, f"oauthState={state}; Path=/; Max-Age=600; HttpOnly; SameSite=Lax",
       "state cookie")
    r2, _ = run_cgi("login", base_env(env, HTTP_HOST="127.0.0.1:8080"))
    check(r2.header("Location") != loc, "a fresh state every time")
    r, _ = run_cgi("login", base_env(env, HTTP_HOST="evil.com/x?"))
    eq(r.status, 400, "malformed Host")
    r, _ = run_cgi("login", base_env(env, NAVER_CLIENT_ID=""))
    eq(r.status, 500, "no client id configured")


@test
def auth_naver_refused_by_hand(env):
    """auth.cgi by hand: Naver refusing connections is 502, nothing written"""
    users = env.db.query("SELECT COUNT(*) FROM `user`")[0][0]
    sessions = env.db.query("SELECT COUNT(*) FROM sessions")[0][0]
    state = "S" * 43
    t0 = time.monotonic()
    r, err = run_cgi("auth", base_env(env, QUERY_STRING=f"code=ok.x.y&state={state}",
                     HTTP_COOKIE=f"oauthState={state}",
                     NAVER_TOKEN_URL="http://127.0.0.1:9/oauth2.0/token"))
    eq(r.status, 502, "status")
    check("네이버 로그인 중 문제가 발생했습니다" in r.text, "Korean message")
    check('href="./"' in r.text, "a link home")
    # The timeouts: 1 s to connect, 2 s in all.
    took = time.monotonic() - t0
    check(took < bound(4), f"within the timeouts: {took:.1f}s")
    check("could not connect" in err, f"stderr: {err!r}")
    check("oauthState=;" in (r.header("Set-Cookie") or ""), "state cookie cleared")
    eq(env.db.query("SELECT COUNT(*) FROM `user`")[0][0], users, "users")
    eq(env.db.query("SELECT COUNT(*) FROM sessions")[0][0], sessions, "sessions")


@test
def index_by_hand(env):
    """index.cgi by hand: the guest page, and the user's page with a session"""
    r, _ = run_cgi("index", base_env(env))
    eq(r.status, 200, "status")
    check('class="guest"' in r.text and "<h1 id=\"title\">메모장</h1>" in r.text, "guest page")
    seed_session(env, name="<i>이름</i>")
    r, _ = run_cgi("index", base_env(env, HTTP_COOKIE=f"sessionId={SID}"))
    check("&lt;i&gt;이름&lt;/i&gt;님의 메모장" in r.text, "escaped name in the title")
    check("<i>이름" not in r.text, "no raw HTML from the name")
    seed_session(env, name="a" + "가" * 200)  # 601 bytes: longer than we keep
    r, _ = run_cgi("index", base_env(env, HTTP_COOKIE=f"sessionId={SID}"))
    check(("a" + "가" * 84 + "님의 메모장") in r.body.decode("utf-8"),
          "a long name cut on a character boundary")
    r, _ = run_cgi("index", base_env(env, REQUEST_METHOD="HEAD"))
    eq(r.status, 200, "HEAD")
    eq(r.body, b"", "HEAD has no body")


@test
def secure_cookies_behind_tls(env):
    """Secure cookies and an https callback behind a TLS-ending load balancer (COOKIE_SECURE)"""
    # Behind the balancer lighttpd's mod_extforward turns a trusted
    # forwarder's X-Forwarded-Proto: https into HTTPS=on (test_e2e.py shows
    # it); the header alone, which anyone can send, is never trusted.
    lb = dict(HTTP_HOST="memo.example.com", HTTPS="on", HTTP_X_FORWARDED_PROTO="https")
    forged = dict(HTTP_HOST="memo.example.com", HTTP_X_FORWARDED_PROTO="https")
    cases = [("auto, HTTPS=on", lb, True),
             ("auto, X-Forwarded-Proto: https alone (anyone can send it)", forged, False),
             ("auto, plain HTTP", dict(HTTP_HOST="memo.example.com"), False),
             ("COOKIE_SECURE=1, plain HTTP",
              dict(HTTP_HOST="memo.example.com", COOKIE_SECURE="1"), True),
             ("COOKIE_SECURE=0 behind TLS", dict(lb, COOKIE_SECURE="0"), False)]
    for what, extra, secure in cases:
        r, _ = run_cgi("login", base_env(env, **extra))
        eq(r.status, 302, what)
        cookie = r.header("Set-Cookie")
        eq(cookie.endswith("; Secure"), secure, f"{what}: {cookie}")
    r, _ = run_cgi("login", base_env(env, **lb))
    check("redirect_uri=https%3A%2F%2Fmemo.example.com%2Fauth" in r.header("Location"),
          "the derived callback is https behind the balancer")
