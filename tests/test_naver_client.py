"""test_naver_client.py - how auth.cgi and login.cgi reach Naver, end to
end through lighttpd in CGI mode and in FastCGI mode (one process serving
request after request):

- Naver over HTTPS: the double (devlogin/naver_dev.py) serving HTTPS with
  certificates made at test time (openssl, as test_tls.py makes the
  database's), the service given the test CA (NAVER_CA_FILE).  The right CA
  works for the login and for the withdrawal's unlink (the token endpoint,
  grant_type=delete); a certificate from another CA, or for another host
  name, is a 502 with libcurl's own reason in the log, and the double sees
  a failed handshake, never a request.
- An http:// endpoint that is not loopback (the client secret or a token
  in clear) is refused before any connection: a 500 Korean page, the log
  naming the setting.  The test's "not loopback" URL is http://0.0.0.0:PORT
  of the plain-HTTP double, which a connection would reach (Linux takes
  0.0.0.0 for this host): the double's own record shows that none was made.
- libcurl is started once per process (an LD_PRELOAD shim counts
  curl_global_init and curl_easy_perform per process, tests/curl_count.c).
"""
import http.client
import json
import os
import shutil
import ssl
import subprocess
import time
import urllib.parse

import lib
import stack
from lib import (Browser, Skipped, check, code_for, eq, http_get, http_post_form, naver_id,
                 run_cgi, start_login, test, to_naver)
from test_account import TABLES, rows_of
from test_tls import make_ca, openssl

MODES = ("cgi", "fastcgi")


def make_cert(ca_dir, name, san):
    """A certificate for san ("IP:127.0.0.1", "DNS:…") signed by the CA of
    ca_dir (test_tls.make_ca); its files as NaverDev's tls wants them."""
    with open(os.path.join(ca_dir, f"{name}.cnf"), "w") as f:
        f.write(f"subjectAltName={san}\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=ca_dir)
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", f"{name}.cnf",
            "-out", f"{name}.pem", cwd=ca_dir)
    return {"cert": os.path.join(ca_dir, f"{name}.pem"),
            "key": os.path.join(ca_dir, f"{name}.key")}


def shim(base):
    """tests/curl_count.c built as a preloadable library, or Skipped."""
    cc = shutil.which("cc")
    if cc is None:
        raise Skipped("cc not installed (apt-get install build-essential)")
    out = os.path.join(base, "curl_count.so")
    subprocess.run([cc, "-shared", "-fPIC", "-o", out,
                    os.path.join(os.path.dirname(os.path.abspath(__file__)), "curl_count.c"),
                    "-ldl"], check=True, capture_output=True, timeout=60)
    return out


def fixture(env):
    """Started once: a test CA and another, three HTTPS doubles (a good
    certificate; one from another CA; one of the test CA for another host
    name), and lighttpd in both modes reading one settings file that each
    test rewrites (the CGIs read it on every request, FastCGI ones too)."""
    if getattr(env, "naver_tls", None) is not None:
        return env.naver_tls
    if shutil.which("openssl") is None:
        raise Skipped("openssl not installed (apt-get install openssl)")
    base = os.path.join(env.base, "naver-tls")
    shutil.rmtree(base, ignore_errors=True)
    ca = make_ca(os.path.join(base, "ca"), "memo test CA")
    other = make_ca(os.path.join(base, "other-ca"), "another CA")
    certs = {"good": make_cert(os.path.dirname(ca), "good", "IP:127.0.0.1"),
             "otherca": make_cert(os.path.dirname(other), "otherca", "IP:127.0.0.1"),
             "wronghost": make_cert(os.path.dirname(ca), "wronghost", "DNS:nid.naver.com")}
    t = {"base": base, "ca": ca, "other_ca": other, "config": os.path.join(base, "memo.env"),
         "count": os.path.join(base, "curl-count.log"), "doubles": {}, "webs": {}}
    for name, files in certs.items():
        # The service's CA is the test CA whichever certificate a double has.
        d = stack.NaverDev(base, client_secret=env.naver.client_secret, hang_seconds=10,
                           tls=dict(files, ca=ca), log=os.path.join(base, f"naver-{name}.log"))
        env.started.append(d)
        t["doubles"][name] = d
    configure(env, t, t["doubles"]["good"])
    preload = {"LD_PRELOAD": shim(base), "MEMO_CURL_COUNT": t["count"]}
    for mode in MODES:
        # FastCGI processes inherit lighttpd's environment (the shim);
        # mod_cgi hands a CGI only the request's variables.
        w = stack.Lighttpd(os.path.join(base, f"lighttpd-{mode}"), t["config"], mode=mode,
                           extra_env=dict(preload, MEMO_FCGI_PROCS="1"))
        env.started.append(w)
        env.webs.append(w)          # test_logs searches its logs for secrets
        t["webs"][mode] = w
    env.naver_tls = t
    return t


def configure(env, t, double, **extra):
    """The settings file: the run's database, double's endpoints and CA."""
    settings = dict(env.settings)
    settings.update(double.settings())
    settings.update(extra)
    stack.write_env(t["config"], settings)


def stop(env):
    """Stop what fixture started (tests/run.py, after this module): kept
    database connections of FastCGI processes must not outlive it.  The
    logs stay for test_logs."""
    t = getattr(env, "naver_tls", None)
    for s in ([*t["webs"].values(), *t["doubles"].values()] if t else []):
        env.started.remove(s)
        s.stop()
    env.naver_tls = None


def double_request(double, method, path, ca):
    """(status, body) of a request to an HTTPS double, trusting ca."""
    u = urllib.parse.urlsplit(double.url)
    c = http.client.HTTPSConnection(u.hostname, u.port, timeout=10,
                                    context=ssl.create_default_context(cafile=ca))
    try:
        c.request(method, path, body=b"" if method == "POST" else None)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def double_get(double, path, ca):
    return double_request(double, "GET", path, ca)


def double_post(double, path, ca):
    return double_request(double, "POST", path, ca)[0]


def token_requests(double, ca):
    status, body = double_get(double, "/_double/token-requests", ca)
    eq(status, 200, "the double's record")
    return json.loads(body)


def log_of(web):
    """What the CGIs wrote to stderr through this server, so far."""
    out = ""
    for name in ("error.log", "lighttpd.out"):
        p = os.path.join(web.state, name)
        if os.path.exists(p):
            out += open(p, errors="replace").read()
    return out


def lines_since(web, start, marker):
    return [line for line in log_of(web)[start:].splitlines() if marker in line]


def sessions_of(env, name):
    return int(env.db.query("SELECT COUNT(*) FROM sessions WHERE user_id = "
                            f"'{naver_id(name)}'")[0][0])


def say(msg):
    print(f"    saw: {msg}", flush=True)


@test
def naver_https_login(env):
    """Naver over HTTPS with the test CA (NAVER_CA_FILE), CGI and FastCGI mode: the authorize URL is the double's https one, the token and profile calls verify its certificate, the login writes a session"""
    t = fixture(env)
    good = t["doubles"]["good"]
    configure(env, t, good)
    seen = []
    for mode in MODES:
        check(double_post(good, "/_double/reset", t["ca"]) == 200, "reset")
        b = Browser(t["webs"][mode].url)
        state, authorize = start_login(b)
        check(authorize.startswith(good.url + "/oauth2.0/authorize?"), authorize)
        u = urllib.parse.urlsplit(authorize)
        status, page = double_get(good, f"{u.path}?{u.query}", t["ca"])
        check(status == 200 and "개발용 네이버 로그인" in page.decode(), f"{mode}: the page")
        name = f"HTTPS 로그인 {mode}"
        r = b.get("/auth?" + urllib.parse.urlencode({"code": code_for(name), "state": state}))
        eq((r.status, r.header("Location")), (302, "./"), f"{mode}: the login: {r.text[:300]}")
        eq(b.get("/memo").status, 200, f"{mode}: the session works")
        eq(sessions_of(env, name), 1, f"{mode}: its session row")
        reqs = token_requests(good, t["ca"])
        eq([(x["method"], x["grant_type"]) for x in reqs], [("POST", "authorization_code")],
           f"{mode}: the double's token requests")
        seen.append(f"{mode}: {r.status} via {good.url}")
    say("; ".join(seen))


@test
def naver_https_withdrawal_unlink(env):
    """Naver over HTTPS: the withdrawal's unlink (token endpoint, grant_type=delete) verifies the certificate and succeeds, CGI and FastCGI mode; every row goes"""
    t = fixture(env)
    good = t["doubles"]["good"]
    configure(env, t, good)
    for mode in MODES:
        name = f"HTTPS 탈퇴 {mode}"
        b = Browser(t["webs"][mode].url)
        state, _ = start_login(b)
        r = b.get("/auth?" + urllib.parse.urlencode({"code": code_for(name), "state": state}))
        eq(r.status, 302, f"{mode}: login")
        # A row in every table for the withdrawal to delete: a memo with a
        # tag (its search copy), edited once (a revision).
        r = b.post_json("/memo", {"text": "탈퇴 전 메모 #태그"})
        eq(r.status, 200, f"{mode}: a memo")
        r = b.request("PATCH", f"/memo/{r.json()['id']}", body='{"text":"고친 메모 #태그"}'.encode(),
                      headers={"Content-Type": "application/json"})
        eq(r.status, 200, f"{mode}: an edit")
        before = rows_of(env, naver_id(name))
        eq([t for t in TABLES if not before[t]], [], f"{mode}: rows in every table: {before}")
        check(double_post(good, "/_double/reset", t["ca"]) == 200, "reset")
        r = b.request("POST", "/login?intent=withdraw")
        eq(r.status, 200, f"{mode}: the withdrawal starts")
        state = urllib.parse.parse_qs(urllib.parse.urlsplit(to_naver(r)).query)["state"][0]
        r = b.get("/auth?" + urllib.parse.urlencode({"code": code_for(name), "state": state}))
        eq(r.status, 200, f"{mode}: the withdrawal: {r.text[:300]}")
        check("연결도 해제했습니다" in r.text, f"{mode}: the page says the link is gone")
        reqs = token_requests(good, t["ca"])
        eq([(x["grant_type"], x.get("answer")) for x in reqs],
           [("authorization_code", None), ("delete", "success")], f"{mode}: the double's record")
        eq(rows_of(env, naver_id(name)), {t: 0 for t in TABLES},
           f"{mode}: no row of the user left")
    say("login, then unlink over HTTPS, in both modes")


def double_log(d, start, want=None):
    """The double's log lines after offset start; with want, waits up to
    5 s for a line holding it (the double writes as the client hangs up)."""
    deadline = time.monotonic() + 5
    while True:
        lines = open(d.log, errors="replace").read()[start:].splitlines()
        if want is None or any(want in x for x in lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def bad_certificate(env, which, reason, handshake):
    """A login against the double `which`: 502, nothing written, the log
    holds libcurl's reason (matching `reason`), the double never saw a
    request (with handshake: its log says the client refused the
    handshake; libcurl checks the host name once the handshake is done, so
    the double then only sees it hang up); returns the logged lines."""
    t = fixture(env)
    d = t["doubles"][which]
    configure(env, t, d)
    logged = []
    for mode in MODES:
        web = t["webs"][mode]
        start = len(log_of(web))
        dlog = len(open(d.log, errors="replace").read())
        b = Browser(web.url)
        state, _ = start_login(b)
        name = f"인증서 {which} {mode}"
        r = b.get("/auth?" + urllib.parse.urlencode({"code": code_for(name), "state": state}))
        eq(r.status, 502, f"{mode}: {which}")
        check("네이버 로그인 중 문제가 발생했습니다" in r.text, f"{mode}: Korean page")
        check("sessionId" not in b.cookies, f"{mode}: no session cookie")
        eq(sessions_of(env, name), 0, f"{mode}: no session row")
        lines = lines_since(web, start, "naver login failed:")
        check(len(lines) == 1, f"{mode}: one log line: {log_of(web)[start:][-500:]!r}")
        check("token endpoint: its TLS certificate was not accepted (curl 60: " in lines[0] and
              reason in lines[0], f"{mode}: libcurl's reason: {lines[0]!r}")
        check("could not connect" not in lines[0], f"{mode}: not 'could not connect'")
        dlines = double_log(d, dlog, "TLS handshake failed" if handshake else None)
        check(not any("/oauth2.0/" in x or "/v1/" in x for x in dlines),
              f"{mode}: no request reached the double: {dlines}")
        check(not handshake or any("TLS handshake failed" in x for x in dlines),
              f"{mode}: the double saw the handshake refused: {dlines}")
        logged.append(lines[0].split("naver login failed: ", 1)[1])
    return logged


@test
def naver_https_other_ca(env):
    """Naver over HTTPS: a certificate from another CA is a 502 with libcurl's reason in the log (not "could not connect"), CGI and FastCGI mode; nothing written, no request reached the double"""
    say(bad_certificate(env, "otherca", "certificate", True)[0])


@test
def naver_https_wrong_host(env):
    """Naver over HTTPS: a certificate of the right CA for another host name is a 502 with libcurl's reason in the log, CGI and FastCGI mode; nothing written, no request reached the double"""
    say(bad_certificate(env, "wronghost", "name", False)[0])


@test
def naver_http_not_loopback_refused(env):
    """An http:// Naver URL to a host that is not loopback (authorize, token, profile) is refused before any connection: GET /login and GET /auth answer a 500 Korean page, the log names the setting, the double saw nothing, nothing written; CGI and FastCGI mode"""
    t = fixture(env)
    plain = env.naver                       # http://127.0.0.1:PORT
    elsewhere = plain.url.replace("127.0.0.1", "0.0.0.0")
    urls = {"NAVER_AUTHORIZE_URL": elsewhere + "/oauth2.0/authorize",
            "NAVER_TOKEN_URL": elsewhere + "/oauth2.0/token",
            "NAVER_PROFILE_URL": elsewhere + "/v1/nid/me"}
    seen = []
    for mode in MODES:
        web = t["webs"][mode]
        for key, url in urls.items():
            configure(env, t, plain)        # a state from a good login start
            b = Browser(web.url)
            state, _ = start_login(b)
            configure(env, t, plain, **{key: url})
            http_post_form(plain.url + "/_double/reset", {})
            start = len(log_of(web))
            r = Browser(web.url).get("/login")
            eq(r.status, 500, f"{mode} {key}: GET /login")
            check(r.header("Location") is None and "서버에 문제가 발생했습니다" in r.text,
                  f"{mode} {key}: a Korean page, no redirect")
            name = f"평문 {key} {mode}"
            r = b.get("/auth?" + urllib.parse.urlencode({"code": code_for(name),
                                                         "state": state}))
            eq(r.status, 500, f"{mode} {key}: GET /auth: {r.text[:200]}")
            check("서버에 문제가 발생했습니다" in r.text, f"{mode} {key}: Korean page")
            eq(sessions_of(env, name), 0, f"{mode} {key}: no session")
            log = log_of(web)[start:]
            check(f"login refused: {key} is refused" in log and
                  f"naver login failed: {key} is refused" in log, f"{mode} {key}: log: {log!r}")
            eq(http_get(plain.url + "/_double/token-requests").json(), [],
               f"{mode} {key}: nothing reached the double")
            seen.append(f"{mode} {key}: 500/500")
    configure(env, t, t["doubles"]["good"])
    say("; ".join(seen))


def count_lines(t):
    """{pid: {"init": n, "perform": n}} from the shim's file."""
    out = {}
    if os.path.exists(t["count"]):
        for line in open(t["count"]):
            pid, what = line.split()
            out.setdefault(pid, {"init": 0, "perform": 0})[what] += 1
    return out


@test
def libcurl_started_once_per_process(env):
    """auth.cgi starts libcurl once per process: a withdrawal by hand (three calls to Naver) calls curl_global_init once; a FastCGI process serving login after login, once in all"""
    t = fixture(env)
    configure(env, t, env.naver)        # plain HTTP: what is counted is the same
    # By hand: a login, then a withdrawal whose callback makes three calls
    # (token, profile, unlink) in one process.
    cfg = {"MEMO_CONFIG": t["config"], "HTTP_HOST": "127.0.0.1:8080",
           "NAVER_REDIRECT_URI": "http://127.0.0.1:8080/auth"}
    name = "한 번만 시작"
    r, _ = run_cgi("login", cfg)
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(r.header("Location")).query)["state"][0]
    r, err = run_cgi("auth", dict(cfg, QUERY_STRING=urllib.parse.urlencode(
        {"code": code_for(name), "state": state}), HTTP_COOKIE=f"oauthState={state}"))
    eq(r.status, 302, f"login by hand: {err}")
    sid = [c for c in r.all("Set-Cookie") if c.startswith("sessionId=")][0].split(";")[0]
    lib.SECRETS["session id"].add(sid.split("=", 1)[1])
    r, _ = run_cgi("login", dict(cfg, REQUEST_METHOD="POST", QUERY_STRING="intent=withdraw",
                                 HTTP_COOKIE=sid))
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(to_naver(r)).query)["state"][0]
    nonce = [c for c in r.all("Set-Cookie") if c.startswith("oauthState=")][0].split(";")[0]
    hand = os.path.join(t["base"], "curl-count-by-hand.log")
    if os.path.exists(hand):
        os.unlink(hand)
    r, err = run_cgi("auth", dict(cfg, LD_PRELOAD=shim(t["base"]), MEMO_CURL_COUNT=hand,
                                  QUERY_STRING=urllib.parse.urlencode(
                                      {"code": code_for(name), "state": state}),
                                  HTTP_COOKIE=f"{nonce}; {sid}"))
    eq(r.status, 200, f"the withdrawal by hand: {err}")
    check("연결도 해제했습니다" in r.text, "unlinked")
    counts = count_lines({"count": hand})
    eq(list(counts.values()), [{"init": 1, "perform": 3}], "one process: one start, three calls")
    # FastCGI: logins and a withdrawal through the same auth.cgi processes.
    web = t["webs"]["fastcgi"]
    for i in range(3):
        b = Browser(web.url)
        state, _ = start_login(b)
        r = b.get("/auth?" + urllib.parse.urlencode({"code": code_for(f"{name} {i}"),
                                                     "state": state}))
        eq(r.status, 302, f"FastCGI login {i}")
    pids = set(str(p) for p in web.fastcgi_pids("auth"))
    check(pids, "auth.cgi runs as FastCGI processes")
    counts = count_lines(t)
    mine = {p: c for p, c in counts.items() if p in pids}
    check(mine and all(c["init"] == 1 for c in mine.values()),
          f"each process started libcurl once: {mine}")
    check(sum(c["perform"] for c in mine.values()) >= 6 and
          any(c["perform"] >= 4 for c in mine.values()),
          f"and made several requests' calls: {mine}")
    say(f"by hand: {counts and list(count_lines({'count': hand}).values())}; FastCGI: {mine}")
