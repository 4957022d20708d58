"""test_fault.py - fault injection through lighttpd: MariaDB stopped, killed
or frozen under traffic, Naver hanging or failing, request bodies cut
short.  Every test prints what it saw (statuses, timings)."""
import json
import os
import re
import socket
import subprocess
import threading
import time
import urllib.parse

from lib import (Browser, Failed, check, eq, http_get, http_post_form, login, logs_of,
                 sql_session, test)
from test_e2e import count, counts, logged_in

# DB_CONNECT_TIMEOUT and DB_READ_TIMEOUT are 2 s in the tests' settings: a
# request must be answered within them plus the CGI's own start.
DB_DEADLINE = 3.0


def say(msg):
    print(f"    saw: {msg}", flush=True)


def is_json_error(r):
    try:
        return "error" in r.json()
    except ValueError:
        return False


DB_DOWN = {"error": "database unavailable"}


def bad_answer(what, r, text=None):
    """Why r is not a good answer to `what` ("health", "GET /memo", "POST
    /memo", "PATCH", "DELETE", "restore"), or None.  A status alone proves
    nothing: a 200 whose body was cut short (a server that failed after its
    first bytes went out) is a broken answer.  So a 200 counts only with a
    complete JSON body of the shape the API documents (a list of memos, the
    memo with the text sent), a 204 only with no body, a 503 only with
    {"error": "database unavailable"}."""
    from test_api import check_memo
    if r.status == 204:
        return None if r.body == b"" else f"{what}: 204 with a body {r.body[:80]!r}"
    try:
        body = r.json()
    except ValueError:
        return f"{what}: {r.status} with a body that is not (complete) JSON: {r.body[-80:]!r}"
    try:
        if r.status == 503:
            eq(body, DB_DOWN, f"{what}: 503 body")
        elif r.status != 200:
            check(isinstance(body, dict) and isinstance(body.get("error"), str),
                  f"{what}: {r.status} without a JSON error: {body!r:.80}")
        elif what == "health":
            eq(body, {"status": "ok"}, "health: 200 body")
        elif what == "GET /memo":
            check(isinstance(body, dict) and list(body) == ["memos"] and
                  isinstance(body["memos"], list), f"GET /memo: not a list: {body!r:.80}")
            for m in body["memos"]:
                check_memo(m, "GET /memo: a listed memo")
        else:
            check_memo(body, f"{what}: 200 body")
            if text is not None:
                eq(body["text"], text, f"{what}: the memo's text")
    except Failed as e:
        return str(e)
    return None


def cut_list(what, r):
    """A list the database failed in the middle of, after its first 16 KiB
    (the response buffer, headers included) had gone out: a 200 whose body
    starts as the list and is not complete JSON.  The status cannot be
    taken back by then; the unterminated JSON is how the client learns the
    answer is incomplete (memo.c, stream_memos).  Not a good answer, and
    allowed only for a list in flight when the database went (db_outage)."""
    return (what == "GET /memo" and r.status == 200 and len(r.body) >= 16384 - 2048 and
            r.body.startswith(b'{"memos":[') and bad_answer(what, r) is not None)


class Traffic:
    """Clients sending health, GET /memo and POST /memo in a loop until
    stopped; every answer is kept as (start, seconds, what, status, why it
    is not a good answer or None: bad_answer, whether it is a cut_list)."""

    def __init__(self, env, b, clients=4):
        self.env, self.b = env, b
        self.log, self.errors = [], []
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(clients)]

    def one(self, i, n):
        """(what, response, the text sent)."""
        kind = (i + n) % 3
        if kind == 0:
            return "health", http_get(self.env.web.url + "health", timeout=15), None
        if kind == 1:
            return "GET /memo", self.b.get("/memo", timeout=15), None
        text = f"장애 중 {i}-{n}"
        return "POST /memo", self.b.post_json("/memo", {"text": text}, timeout=15), text

    def run(self, i):
        n = 0
        while not self.stop_flag.is_set():
            t0 = time.monotonic()
            try:
                what, r, text = self.one(i, n)
                with self.lock:
                    self.log.append((t0, time.monotonic() - t0, what, r.status,
                                     bad_answer(what, r, text), cut_list(what, r)))
            except Exception as e:  # a timeout or a dropped connection
                with self.lock:
                    self.errors.append((time.monotonic() - t0, repr(e)))
            n += 1

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        for t in self.threads:
            t.join(30)


@test
def fault_judge_refuses_broken_answers(env):
    """The fault tests' judge: a 200 cut short anywhere, a 200 of another shape or text, a 503 or 204 with the wrong body are not good answers"""
    from lib import Response
    b = logged_in(env, "판정")
    text = "판정용 #메모"
    posted = b.post_json("/memo", {"text": text})
    listed = b.get("/memo")
    health = http_get(env.web.url + "health")
    for what, r, t in (("POST /memo", posted, text), ("GET /memo", listed, None),
                       ("health", health, None)):
        eq(bad_answer(what, r, t), None, f"{what}: the whole answer is good")
        cuts = [n for n in range(len(r.body) - 1)
                if bad_answer(what, Response(200, r.headers, r.body[:n]), t) is None]
        eq(cuts, [], f"{what}: a 200 cut after N of {len(r.body)} bytes counted as good")
    for what, status, body, t in (
            ("POST /memo", 200, posted.body, "다른 글"),
            ("GET /memo", 200, posted.body, None),
            ("GET /memo", 200, b'{"memos": [{"id": 1}]}', None),
            ("health", 200, b'{"status": "down"}', None),
            ("GET /memo", 503, b'{"error": "internal error"}', None),
            ("GET /memo", 503, b"<html>503</html>", None),
            ("DELETE", 204, b"{}", None)):
        check(bad_answer(what, Response(status, [], body), t) is not None,
              f"{what}: {status} {body[:40]!r} counted as good")
    # A list cut after its first 16 KiB went out is told apart (db_outage
    # allows it only for a list in flight as the database went); one cut
    # sooner could still have been a clean 503.
    memo = json.dumps(listed.json()["memos"][0], ensure_ascii=False).encode()
    whole = b'{"memos":[' + b",".join([memo] * (20000 // len(memo) + 1)) + b"]}\n"
    eq(bad_answer("GET /memo", Response(200, [], whole)), None, "a long list, whole")
    check(not cut_list("GET /memo", Response(200, [], whole)), "a whole list is not cut")
    check(cut_list("GET /memo", Response(200, [], whole[:16384])), "a list cut at 16 KiB")
    check(not cut_list("GET /memo", Response(200, [], whole[:8000])), "a list cut at 8000 B")
    say(f"every cut of {len(posted.body)}, {len(listed.body)} and {len(health.body)} byte "
        f"answers refused, and 7 answers of the wrong shape; a {len(whole)} byte list cut "
        "at 16 KiB seen as cut short, at 8000 B as wrong")


def fastcgi_processes(env):
    """{route: its FastCGI processes' pids} for the routes the traffic
    uses ({} in CGI mode), once each has all MEMO_FCGI_PROCS of them
    (lighttpd starts them one after another: a test right after its start
    saw three of four, and the fourth later as one restarted)."""
    if env.web.mode != "fastcgi":
        return {}
    want = int((env.web.args.get("extra_env") or {}).get("MEMO_FCGI_PROCS", "4"))
    deadline = time.monotonic() + 10
    while True:
        procs = {p: sorted(env.web.fastcgi_pids(p)) for p in ("memo", "health")}
        if all(len(v) >= want for v in procs.values()) or time.monotonic() > deadline:
            return procs
        time.sleep(0.1)


def every_process_serves(env, b, want=0, width=16, most=20):
    """Rounds of `width` concurrent GET /memo, POST /memo and health, until
    MariaDB holds `want` connections of the app (in FastCGI mode: every
    process of those routes has served one; lighttpd gives a request to the
    least busy process, so it takes a few rounds) or for one round.  MariaDB
    is up: every answer must be a good 200.  Returns how many were sent."""
    from concurrent.futures import ThreadPoolExecutor

    def one(k):
        text = None
        if k % 3 == 0:
            what, r = "health", http_get(env.web.url + "health", timeout=15)
        elif k % 3 == 1:
            what, r = "GET /memo", b.get("/memo", timeout=15)
        else:
            text = f"복구 확인 {k}"
            what, r = "POST /memo", b.post_json("/memo", {"text": text}, timeout=15)
        # bad_answer also takes a 503 "database unavailable" and any JSON
        # error: good answers while MariaDB is down, failures now.
        if r.status != 200:
            return f"{what}: {r.status} {r.body[:80]!r}"
        return bad_answer(what, r, text)
    sent = 0
    with ThreadPoolExecutor(width) as ex:
        for _ in range(most):
            bad = [x for x in ex.map(one, range(width * 3)) if x]
            sent += width * 3
            eq(bad, [], "answers with MariaDB up (before an outage, or once it is back)")
            if db_connections(env) >= want:
                break
    check(db_connections(env) >= want, f"each of the {want} FastCGI processes connected: "
          f"{db_connections(env)} connections after {sent} requests")
    return sent


def db_connections(env):
    """The app's connections MariaDB holds now (user memo)."""
    return int(env.db.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                            "WHERE USER = 'memo'")[0][0])


def db_outage(env, name, break_db, mend_db):
    b = logged_in(env, name)
    web_pid = env.web.server.proc.pid
    procs = fastcgi_processes(env)
    # Each FastCGI process holds a connection when MariaDB goes.
    every_process_serves(env, b, sum(len(p) for p in procs.values()))
    with Traffic(env, b) as tr:
        time.sleep(0.5)
        t_break = time.monotonic()
        try:
            break_db()
            time.sleep(0.5)
            # The page itself, for a visitor with a session: a Korean 503 page.
            page = b.get("/", timeout=10)
            time.sleep(3.5)             # requests keep coming while it is down
        finally:
            t_mend = time.monotonic()
            mend_db()
        t_back = time.monotonic()
        time.sleep(1)
    eq(page.status, 503, "GET / with a session while the database is down")
    check((page.header("Content-Type") or "").startswith("text/html") and
          "서비스를 잠시 사용할 수 없습니다. 잠시 후 다시 시도해 주세요." in page.text,
          f"GET / while down: the Korean page: {page.body[:200]!r}")
    check(not tr.errors, f"requests that hung or broke: {tr.errors[:5]}")
    during = [x for x in tr.log if x[0] > t_break + 0.2 and x[0] + x[1] < t_mend]
    statuses = sorted({x[3] for x in tr.log})
    slowest = max((x[1] for x in tr.log), default=0)
    say(f"{len(tr.log)} requests, statuses {statuses}, slowest {slowest:.2f}s; "
        f"{len(during)} while down: {sorted({x[3] for x in during})}; "
        f"{len([x for x in tr.log if x[5]])} lists cut short (200, unterminated JSON) "
        "by MariaDB going while they streamed")
    check(len(during) >= 4, "requests were made while the database was down")
    cut = [x for x in tr.log if x[5]]
    for t0, took, what, status, bad, is_cut in tr.log:
        check(status in (200, 503), f"{what}: status {status} (a crash is 500)")
        check(took < DB_DEADLINE, f"{what}: {status} took {took:.2f}s")
        if is_cut:
            check(t0 < t_mend and t0 + took > t_break,
                  f"a list cut short while MariaDB was up: {bad}")
        else:
            check(bad is None, bad)
    check(len(cut) <= len(tr.threads), f"{len(cut)} lists cut short: more than were in "
          "flight when MariaDB went")
    check(all(x[3] == 503 for x in during if not x[5]), "every request while down is 503")
    # Back: the next request succeeds, on the same lighttpd.
    t0 = time.monotonic()
    r = b.post_json("/memo", {"text": "복구 후"})
    eq(r.status, 200, "POST after MariaDB is back")
    eq(http_get(env.web.url + "health").status, 200, "health after MariaDB is back")
    check(env.web.server.proc.poll() is None and env.web.server.proc.pid == web_pid,
          "lighttpd was not restarted")
    say(f"MariaDB back after {t_back - t_mend:.1f}s; next POST 200 in "
        f"{time.monotonic() - t0:.2f}s; lighttpd pid {web_pid} unchanged")
    # Every process, not only the one that took the next request, serves
    # again: none kept a dead connection.
    want = sum(len(p) for p in procs.values())
    n = every_process_serves(env, b, want)
    if procs:
        eq(fastcgi_processes(env), procs, "the same FastCGI processes (none died or restarted)")
        say(f"then {n} concurrent requests all good, every FastCGI process among them "
            f"({db_connections(env)} new connections to the restarted MariaDB); the same "
            f"processes ({', '.join(f'{k} {len(v)}' for k, v in procs.items())})")
    else:
        say(f"then {n} concurrent requests all good")


@test
def db_stopped_under_traffic(env):
    """MariaDB stopped under traffic: every request 200 or 503 JSON within ~2 s (a list streaming as it went: cut short, unterminated); back: every process serves, same lighttpd"""
    db_outage(env, "정지", env.db.stop, env.db.start)


@test
def db_killed_under_traffic(env):
    """MariaDB killed (SIGKILL) under traffic: 503 JSON within ~2 s, none hangs (a list streaming as it went: cut short, unterminated); restarted: every process serves"""
    db_outage(env, "강제종료", env.db.kill, env.db.start)


@test
def db_frozen(env):
    """MariaDB frozen (SIGSTOP: accepts, never answers): 503 JSON within the timeouts, not a hang"""
    b = logged_in(env, "멈춘 DB")
    env.db.pause()
    try:
        seen = []
        for what, fn in (("health", lambda: http_get(env.web.url + "health", timeout=15)),
                         ("GET /memo", lambda: b.get("/memo", timeout=15)),
                         ("POST /memo", lambda: b.post_json("/memo", {"text": "x"}, timeout=15))):
            t0 = time.monotonic()
            r = fn()
            took = time.monotonic() - t0
            seen.append(f"{what} {r.status} in {took:.2f}s")
            eq(r.status, 503, what)
            eq(bad_answer(what, r), None, f"{what}: the answer")
            check(took < DB_DEADLINE, f"{what}: took {took:.2f}s")
    finally:
        env.db.resume()
    say(", ".join(seen))
    eq(b.post_json("/memo", {"text": "풀림"}).status, 200, "POST once it runs again")
    say(f"then {every_process_serves(env, b)} concurrent requests all good")


@test
def db_read_only(env):
    """MariaDB read-only (as RDS and MariaDB are while a failover or switchover runs): writes answer 503 JSON, retryable, not 500 'internal error'; lists still 200; writable again: writes succeed"""
    b = logged_in(env, "읽기 전용")
    r = b.post_json("/memo", {"text": "읽기 전용 전"})
    eq(r.status, 200, "POST before")
    mid = r.json()["id"]
    before = env.db.query("SELECT id, text, version FROM memo ORDER BY id")
    env.db.query("SET GLOBAL read_only = ON", database=None)
    try:
        seen = []
        for what, fn in (
                ("POST /memo", lambda: b.post_json("/memo", {"text": "못 쓰는 메모"})),
                ("PATCH /memo/{id}", lambda: b.request(
                    "PATCH", f"/memo/{mid}", json.dumps({"text": "못 고침"}).encode(),
                    {"Content-Type": "application/json"})),
                ("DELETE /memo/{id}", lambda: b.request("DELETE", f"/memo/{mid}"))):
            r = fn()
            seen.append(f"{what} {r.status}")
            eq((r.status, r.json()), (503, {"error": "database unavailable"}), what)
        r = b.get("/memo")
        seen.append(f"GET /memo {r.status}")
        eq(r.status, 200, "GET /memo reads a read-only database")
        texts = {m["id"]: m["text"] for m in r.json()["memos"]}
        eq((texts.get(mid), "못 쓰는 메모" in texts.values()), ("읽기 전용 전", False), "the list")
        eq(env.db.query("SELECT id, text, version FROM memo ORDER BY id"), before,
           "nothing written")
    finally:
        env.db.query("SET GLOBAL read_only = OFF", database=None)
    # The CGIs' stderr, which lighttpd passes on to its own.
    log = open(os.path.join(env.web.state, "lighttpd.out"), encoding="utf-8",
               errors="replace").read()
    check("database: memo insert: 1290 " in log, "the log names MariaDB's error")
    say(", ".join(seen))
    eq(b.post_json("/memo", {"text": "다시 씀"}).status, 200, "POST once writable again")


@test
def naver_hangs(env):
    """Naver hanging past the timeout (token or profile) is a 502 after NAVER_TIMEOUT and not much later, the log saying it timed out, nothing written"""
    seen = []
    for scenario in ("tokenhang", "profilehang"):
        before = counts(env)
        log_start = len(logs_of(env))
        t0 = time.monotonic()
        r = login(Browser(env.web.url), "멈춤", scenario)
        took = time.monotonic() - t0
        seen.append(f"{scenario}: {r.status} in {took:.2f}s")
        eq(r.status, 502, scenario)
        check("네이버 로그인 중 문제가 발생했습니다" in r.text and 'href="./"' in r.text,
              f"{scenario}: Korean page with a link home")
        # Waited for Naver (not a quick 502 of another cause), then gave up.
        check(1.8 <= took < 4.5, f"{scenario}: answered in {took:.1f}s (timeout 2s)")
        log = logs_of(env)[log_start:]
        check("naver login failed:" in log and "timed out" in log,
              f"{scenario}: the log says Naver timed out: {log[-300:]!r}")
        eq(counts(env), before, f"{scenario}: nothing written")
    # The process that gave up on Naver serves the next login.
    eq(login(Browser(env.web.url), "멈춤 뒤").status, 302, "a login after them")
    say("; ".join(seen) + " (NAVER_TIMEOUT=2); the next login 302")


NAVER_FAILURES = ["tokenerror", "token500", "tokennotjson", "tokennoaccess",
                  "profile024", "profile500", "profilenotjson", "profile00bad",
                  "profilenoid", "profilenumberid"]


@test
def naver_failures(env):
    """Naver failing (error JSON, 024, HTTP 500, not JSON, missing fields) is a 502 page; no user or session row"""
    seen = []
    for scenario in NAVER_FAILURES:
        before = counts(env)
        b = Browser(env.web.url)
        r = login(b, "실패 " + scenario, scenario)
        seen.append(f"{scenario} {r.status}")
        eq(r.status, 502, scenario)
        check("네이버 로그인 중 문제가 발생했습니다" in r.text and 'href="./"' in r.text,
              f"{scenario}: Korean page with a link home")
        check("sessionId" not in b.cookies, f"{scenario}: no session cookie")
        eq(counts(env), before, f"{scenario}: nothing written")
    eq(login(Browser(env.web.url), "실패 뒤").status, 302, "a login after them")
    say(", ".join(seen) + "; user, sessions and memo counts unchanged; the next login 302")


def raw_request(env, head, body=b"", close_after=True, timeout=10):
    """Send bytes to lighttpd on a plain socket (to lie about the body),
    optionally half-close, and read what comes back until it closes."""
    s = socket.create_connection(("127.0.0.1", env.web.port), timeout=timeout)
    t0 = time.monotonic()
    try:
        s.sendall(head + body)
        if close_after:
            s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else None
    return status, data, time.monotonic() - t0


def raw_body(data):
    """The body of a raw HTTP/1.1 answer (de-chunked if need be)."""
    head, _, body = data.partition(b"\r\n\r\n")
    if re.search(rb"(?im)^transfer-encoding:\s*chunked", head):
        out = b""
        while body:
            size, _, body = body.partition(b"\r\n")
            n = int(size.split(b";")[0], 16)
            if n == 0:
                break
            out, body = out + body[:n], body[n + 2:]
        body = out
    return body


def error_answer(data):
    """Who answered an error: "app" (a JSON {"error": ...} from a CGI),
    "lighttpd" (its own 4xx page: the request never reached a CGI), or
    None (neither: a broken answer)."""
    body = raw_body(data)
    try:
        j = json.loads(body)
        if isinstance(j, dict) and isinstance(j.get("error"), str):
            return "app"
    except ValueError:
        pass
    if re.search(rb"<title>4\d\d [A-Za-z ]+</title>", body):
        return "lighttpd"
    return None


@test
def short_bodies_through_lighttpd(env):
    """Through lighttpd: body shorter than Content-Length then closed, Content-Length -1 or 2^64: 4xx or closed, never a hang, nothing written"""
    b = logged_in(env, "짧은 본문")
    sid = b.cookies["sessionId"]
    before = count(env, "memo")

    def head(cl):
        return (f"POST /memo HTTP/1.1\r\nHost: 127.0.0.1:{env.web.port}\r\n"
                f"Cookie: sessionId={sid}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {cl}\r\nConnection: close\r\n\r\n").encode()
    seen = []
    for what, h, body, want in (
            ("10 of 100 bytes, then closed", head(100), b'{"text":"', (None, 400)),
            ("Content-Length -1", head(-1), b'{"text":"x"}', (400,)),
            ("Content-Length 2^64", head(2 ** 64), b'{"text":"x"}', (400, 413)),
            ("Content-Length 2^63", head(2 ** 63), b"", (400, 413)),
            ("Content-Length junk", head("12abc"), b'{"text":"x"}', (400,))):
        status, data, took = raw_request(env, h, body)
        by = error_answer(data) if status else None
        seen.append(f"{what}: {status or 'closed'}{f' ({by})' if by else ''} in {took:.2f}s")
        check(status in want, f"{what}: {status} {data[:200]!r}")
        if status:
            check(by is not None, f"{what}: {status} neither a JSON error nor "
                  f"lighttpd's own page: {data[-200:]!r}")
        check(took < 5, f"{what}: took {took:.1f}s")
    say("; ".join(seen))
    eq(count(env, "memo"), before, "nothing written")
    eq(b.post_json("/memo", {"text": "그 뒤에도"}).status, 200, "the server still serves")


@test
def stalled_body_by_hand(env):
    """memo.cgi by hand: a body that stops coming (stdin left open) is 400 after the CGI's read timeout, not a hang"""
    import lib
    sid = "Stall" + "A" * 38        # a well-formed session id (43 chars)
    env.db.client(database="memo", stdin=(
        "INSERT INTO `user` (id, name) VALUES ('stall-user', '멈춘 본문') "
        "ON DUPLICATE KEY UPDATE name = VALUES(name);"
        f"REPLACE INTO sessions (session_key, user_id, created_at, expires_at)"
        f" VALUES ('{lib.sha256_hex(sid)}', 'stall-user', "
        "UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 DAY);"))
    before = count(env, "memo", "user_id = 'stall-user'")
    argv = lib.CGI_WRAPPER + [lib.CGI_DIR + "/memo.cgi"]
    e = {"MEMO_CONFIG": env.config, "REQUEST_METHOD": "POST",
         "HTTP_COOKIE": f"sessionId={sid}", "CONTENT_TYPE": "application/json",
         "CONTENT_LENGTH": "100", "SCRIPT_NAME": "/memo", "PATH": "/usr/bin:/bin"}
    t0 = time.monotonic()
    p = subprocess.Popen(argv, env=e, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    p.stdin.write(b'{"text":"')
    p.stdin.flush()                 # stdin stays open: the rest never comes
    watchdog = threading.Timer(20, p.kill)
    watchdog.start()
    try:
        out = p.stdout.read()
        p.wait()
    finally:
        watchdog.cancel()
        p.stdin.close()
        p.stderr.close()
    took = time.monotonic() - t0
    status = out.split(b"\r\n", 1)[0].decode()
    say(f"{status!r} after {took:.1f}s")
    eq(status, "Status: 400 Bad Request", "status")
    check(9 <= took < 15, f"answered after the 10 s read timeout, took {took:.1f}s")
    eq(count(env, "memo", "user_id = 'stall-user'"), before, "nothing written")


@test
def concurrent_logins_of_one_user(env):
    """16 simultaneous first logins of one new user, while others post: all succeed, one user row, 16 sessions"""
    from concurrent.futures import ThreadPoolExecutor
    from lib import naver_id
    name = "동시 로그인"
    poster = logged_in(env, "동시 작성자")

    def one(i):
        b = Browser(env.web.url)
        r = login(b, name)
        return r.status, b

    def posts(i):
        out = []
        for k in range(10):
            text = f"동시 {i}-{k}"
            r = poster.post_json("/memo", {"text": text})
            out.append((r.status, bad_answer("POST /memo", r, text)))
        return out
    with ThreadPoolExecutor(20) as ex:
        pf = [ex.submit(posts, i) for i in range(4)]
        got = list(ex.map(one, range(16)))
        posted = [x for f in pf for x in f.result()]
    statuses = [s for s, _ in got]
    say(f"login statuses {sorted(statuses)}; concurrent posts {sorted({s for s, _ in posted})}")
    eq(statuses, [302] * 16, "every login")
    eq(posted, [(200, None)] * 40, "every concurrent post: 200 with its memo")
    uid = naver_id(name)
    eq(count(env, "user", f"id = '{uid}'"), 1, "one user row")
    eq(count(env, "sessions", f"user_id = '{uid}'"), 16, "one session per login")
    for s, b in got:
        eq(b.get("/memo").status, 200, "each session works")


@test
def login_with_db_down(env):
    """MariaDB down at /auth (it is asked first, to spend the state), or failing once Naver has answered (the user's row held past DB_READ_TIMEOUT): a 503 page within ~2 s, no session; the next login works"""
    from lib import naver_id, start_login, code_for
    b = Browser(env.web.url)
    state, _ = start_login(b)
    env.db.kill()
    try:
        t0 = time.monotonic()
        r = b.get("/auth?" + urllib.parse.urlencode({"code": code_for("DB 없는 로그인"),
                                                     "state": state}))
        took = time.monotonic() - t0
    finally:
        env.db.start()
    say(f"/auth {r.status} in {took:.2f}s, cookies after: {sorted(b.cookies)}")
    eq(r.status, 503, "status")
    check("잠시 후 다시 시도해 주세요" in r.text, "the Korean 'try again later' page")
    check(took < DB_DEADLINE, f"took {took:.2f}s")
    check("sessionId" not in b.cookies and "oauthState" not in b.cookies,
          "no session cookie, the state cookie cleared")
    eq(count(env, "user", f"id = '{naver_id('DB 없는 로그인')}'"), 0, "no user row")
    # The process whose connection failed serves the next login.
    name = "DB 늦은 로그인"
    eq(login(Browser(env.web.url), name).status, 302, "a login once it is back")
    # Now MariaDB fails after Naver said who it is: the user's row is held
    # by another transaction, so the login's upsert waits past the read
    # timeout (the state was spent before, and Naver asked).
    uid = naver_id(name)
    before = count(env, "sessions", f"user_id = '{uid}'")
    http_post_form(env.naver.url + "/_double/reset", {})
    lock = RowLock(env, uid, table="user", column="id")
    b = Browser(env.web.url)
    try:
        t0 = time.monotonic()
        r = login(b, name)
        took = time.monotonic() - t0
    finally:
        lock.close()
    asked = len(http_get(env.naver.url + "/_double/token-requests").json())
    say(f"with the user's row held: /auth {r.status} in {took:.2f}s after {asked} token "
        "request to Naver")
    eq(r.status, 503, "status, MariaDB failing after Naver")
    eq(asked, 1, "Naver was asked")
    check(took < DB_DEADLINE, f"took {took:.2f}s")
    check("sessionId" not in b.cookies, "no session cookie")
    eq(count(env, "sessions", f"user_id = '{uid}'"), before, "no new session")
    eq(login(Browser(env.web.url), name).status, 302, "the next login works")


@test
def chunked_bodies_through_lighttpd(env):
    """Through lighttpd: a chunked POST /memo is stored whole; a chunked body cut short stores nothing"""
    b = logged_in(env, "청크")
    sid = b.cookies["sessionId"]
    before = count(env, "memo")
    head = (f"POST /memo HTTP/1.1\r\nHost: 127.0.0.1:{env.web.port}\r\n"
            f"Cookie: sessionId={sid}\r\nContent-Type: application/json\r\n"
            f"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    body = json.dumps({"text": "청크 전송 ✓"}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 7]), body[i:i + 7])
                      for i in range(0, len(body), 7)) + b"0\r\n\r\n"
    status, data, took = raw_request(env, head, chunks)
    say(f"chunked: {status} in {took:.2f}s")
    eq(status, 200, f"chunked POST: {data[-200:]!r}")
    try:
        stored = json.loads(raw_body(data))
    except ValueError:
        stored = None
    check(isinstance(stored, dict) and stored.get("text") == "청크 전송 ✓",
          f"chunked POST: the memo back as JSON: {data[-200:]!r}")
    eq(count(env, "memo"), before + 1, "stored")
    status, data, took = raw_request(env, head, chunks[:len(chunks) // 2])
    say(f"chunked, cut short: {status or 'closed'} in {took:.2f}s")
    check(status in (None, 400), f"cut short: {status}")
    if status:
        check(error_answer(data) is not None, f"cut short: {status} neither a JSON error "
              f"nor lighttpd's own page: {data[-200:]!r}")
    check(took < 5, f"took {took:.1f}s")
    eq(count(env, "memo"), before + 1, "nothing more stored")


# ---- edits cut by a database kill (issue 9: every write all or nothing) ----

def edit_state(env, mid):
    """Everything an edit changes, from the database."""
    from test_api import memo_row, revision_rows, tag_rows
    return memo_row(env, mid), tag_rows(env, mid), revision_rows(env, mid)


def fcgi_server(env, tag, config=None, mode="fastcgi"):
    """A lighttpd of this test's own, FastCGI mode unless told (stopped by
    the caller)."""
    import os
    import stack
    web = stack.Lighttpd(os.path.join(env.base, f"lighttpd-fault-{tag}"),
                         config or env.config, mode=mode)
    env.webs.append(web)
    return web


class RowLock:
    """A session of our own holding rows FOR UPDATE: by default memo_tag's
    rows of one memo, so that an edit changing that memo's tags waits at
    that step, after it has written its revision and the memo itself; or
    column = value of another table."""

    def __init__(self, env, value, table="memo_tag", column="memo_id"):
        self.p = sql_session(env.db)
        literal = str(int(value)) if column == "memo_id" else "'" + value.replace("'", "''") + "'"
        self.p.stdin.write(f"BEGIN; SELECT {column} FROM `{table}` WHERE {column} = {literal} "
                           "FOR UPDATE;\n")
        self.p.stdin.flush()
        eq(self.p.stdout.readline().strip(), str(value), f"{table} rows locked")

    def close(self):
        if self.p.poll() is None:
            self.p.kill()           # our own client; MariaDB is gone anyway
        self.p.wait(10)
        for f in (self.p.stdin, self.p.stdout, self.p.stderr):
            f.close()


def waiting_edit(env, deadline):
    """(rows the edit has written, its transaction's state) once the edit
    is blocked at its tags (its DELETE FROM memo_tag is running) having
    written its revision and memo rows, or None.  InnoDB refreshes
    INNODB_TRX only when it was not read for 0.1 s: hence the pause."""
    while time.monotonic() < deadline:
        rows = env.db.query(
            "SELECT IFNULL(t.trx_rows_modified, -1), IFNULL(t.trx_state, '-') "
            "FROM information_schema.PROCESSLIST p LEFT JOIN information_schema.INNODB_TRX t "
            "ON t.trx_mysql_thread_id = p.ID WHERE p.INFO LIKE 'DELETE FROM memo_tag%'")
        if rows and int(rows[0][0]) >= 2:
            return int(rows[0][0]), rows[0][1]
        time.sleep(0.15)
    return None


@test
def edit_cut_by_db_kill(env):
    """A PATCH cut mid-transaction by a MariaDB kill (revision, memo and search copy written, tags not yet): 503 JSON, none of it kept; CGI and FastCGI"""
    import os
    import stack
    from test_api import fold, get, new, patch
    # A read timeout long enough that the edit is still waiting at its tags
    # when we find it there, however loaded the machine is.
    config = os.path.join(env.base, "memo-slow-read.env")
    stack.write_env(config, dict(env.settings, DB_READ_TIMEOUT="20"))
    webs = [fcgi_server(env, "edit-cut-cgi", config, mode="cgi"),
            fcgi_server(env, "edit-cut", config)]
    seen = []
    try:
        for mode, web in (("CGI", webs[0]), ("FastCGI", webs[1])):
            b = Browser(web.url)
            eq(login(b, "편집 중 종료").status, 302, "login")
            m, etag = new(b, "#가 원래 글 " + mode)
            eq(get(b, m["id"]), (m, etag), "warm: the process holds a connection")
            before = edit_state(env, m["id"])
            lock = RowLock(env, m["id"])
            answer = {}

            def edit():
                answer["r"] = patch(b, m["id"], {"text": "#나 바뀐 글 " + mode}, if_match=etag)
                answer["done"] = time.monotonic()
            t = threading.Thread(target=edit)
            try:
                t.start()
                t_start = time.monotonic()
                waiting = waiting_edit(env, t_start + 25)
                if waiting is None:
                    t.join(20)
                    r = answer.get("r")
                    raise Failed(f"{mode}: the edit did not wait at its tags: it answered "
                                 f"{r and (r.status, r.body[:200])} "
                                 f"{edit_state(env, m['id'])}")
                modified, state = waiting
                t_wait = time.monotonic() - t_start
                check(modified >= 2, f"it has written its revision and the memo row "
                      f"({modified} rows, {state})")
                t_kill = time.monotonic()
                env.db.kill()
            finally:
                t.join(20)
                lock.close()
                if env.db.server is None:
                    env.db.start()
            r = answer["r"]
            answer["took"] = answer["done"] - t_kill
            seen.append(f"{mode}: blocked at its tags after {t_wait:.2f}s ({state}, {modified} "
                        f"rows written), killed: {r.status} {answer['took']:.2f}s later")
            eq(r.status, 503, f"{mode}: the cut edit's answer")
            eq(bad_answer("PATCH", r), None, f"{mode}: the cut edit's body")
            check(answer["took"] < DB_DEADLINE, f"{mode}: took {answer['took']:.2f}s")
            eq(edit_state(env, m["id"]), before, f"{mode}: memo, tags and revisions as before")
            # Once MariaDB is back the same edit goes through, whole.
            for _ in range(3):      # a FastCGI process may first drop its dead connection
                r = patch(b, m["id"], {"text": "#나 바뀐 글 " + mode}, if_match=etag)
                if r.status != 503:
                    break
            eq(r.status, 200, f"{mode}: the edit again, MariaDB back")
            eq(bad_answer("PATCH", r, "#나 바뀐 글 " + mode), None, f"{mode}: its body")
            row, tags, revs = edit_state(env, m["id"])
            eq((row["text"], row["search"], row["version"]),
               ("#나 바뀐 글 " + mode, fold("#나 바뀐 글 " + mode), 1), f"{mode}: memo row")
            eq([x[:2] for x in tags], [("나", "나")], f"{mode}: tag rows")
            eq([x[1] for x in revs], ["#가 원래 글 " + mode], f"{mode}: one revision")
    finally:
        for w in webs:
            w.stop()
    say("; ".join(seen))


def user_memos(env, name):
    """Every memo of user `name` with its tag keys and revisions, read in
    three queries: {id: (row, [tag keys], [(revision text, created_at)])}."""
    from test_api import _iso, _unhex
    where = f"m.user_id = (SELECT id FROM `user` WHERE name = '{name}')"
    out = {}
    for i, t, s, v, u in env.db.query(
            f"SELECT m.id, HEX(m.text), IFNULL(HEX(x.body), 'NULL'), m.version, "
            f"{_iso('m.updated_at')} FROM memo m LEFT JOIN memo_search x "
            f"ON x.memo_id = m.id WHERE {where}"):
        out[int(i)] = ({"text": _unhex(t), "search": _unhex(s), "version": int(v),
                        "updated_at": None if u == "NULL" else u}, [], [])
    for i, k in env.db.query(f"SELECT t.memo_id, HEX(t.tag_key) FROM memo_tag t "
                             f"JOIN memo m ON m.id = t.memo_id WHERE {where}"):
        out[int(i)][1].append(_unhex(k))
    for i, t, c in env.db.query(f"SELECT r.memo_id, HEX(r.text), r.created_at FROM "
                                f"memo_revision r JOIN memo m ON m.id = r.memo_id "
                                f"WHERE {where} ORDER BY r.id"):
        out[int(i)][2].append((_unhex(t), c))
    return out


def memo_consistent(mid, state):
    """A memo's rows agree with each other: search copy = the folded text,
    memo_tag rows = the text's tags, one revision per change of text."""
    from test_api import fold
    row, tags, revs = state
    eq(row["search"], fold(row["text"]), f"memo {mid}: search copy")
    want = sorted({fold(t) for t in re.findall(r"(?:^|\s)#(\w+)", row["text"])})
    eq(sorted(tags), want, f"memo {mid}: tag rows")
    eq(row["updated_at"] is not None, len(revs) > 0, f"memo {mid}: updated_at")
    return row, revs


@test
def writes_cut_by_db_kill(env):
    """PATCH, POST, DELETE and restore in a loop while MariaDB is killed and restarted: 200/204/503 JSON, never a hang or a 500; every memo consistent, every acknowledged edit kept"""
    from test_api import delete, new, patch, restore
    # A user of its own each run: the FastCGI pass's texts are the CGI
    # pass's, and "stored once" counts the user's memos.
    name = f"종료 중 쓰기 {time.monotonic_ns()}"
    b = logged_in(env, name)
    editors, per_memo = 3, 30          # under 50 edits a memo: no revision pruned
    chains = {}                        # memo id -> [(text, status)] in order
    # Enough memos that the edits outlast the kill in FastCGI mode too
    # (30 edits each of 6 ended before it there).
    for e in range(editors):
        for j in range(25):
            m, _ = new(b, f"편집 {e}-{j} 시작 #처음")
            chains[m["id"]] = [(m["text"], 200)]
    toggled = [new(b, f"휴지통 오감 {k} #왕복")[0]["id"] for k in range(2)]
    posted, log, errors = [], [], []
    stop = threading.Event()
    lock = threading.Lock()

    def record(what, r, t0, allowed, text=None):
        """(what, status, seconds, why it is not a good answer or None)."""
        took = time.monotonic() - t0
        bad = bad_answer(what, r, text) if r.status in allowed else \
            f"{what}: status {r.status}"
        with lock:
            log.append((what, r.status, took, bad))

    def editor(e):
        mids = [i for i in chains if chains[i][0][0].startswith(f"편집 {e}-")]
        n = 0
        while not stop.is_set() and n < per_memo * len(mids):
            mid = mids[n // per_memo]
            text = f"편집 {e}-{n} #태그{n % 3} ABC"
            t0 = time.monotonic()
            try:
                r = patch(b, mid, {"text": text}, timeout=15)
                chains[mid].append((text, r.status))
                record("PATCH", r, t0, (200, 503), text)
            except Exception as ex:     # a hang or a dropped connection
                chains[mid].append((text, None))
                errors.append(("PATCH", repr(ex)))
            n += 1

    def poster(k):
        n = 0
        while not stop.is_set():
            text = f"새 글 {k}-{n} #새글 가나다"
            t0 = time.monotonic()
            try:
                r = b.post_json("/memo", {"text": text}, timeout=15)
                posted.append((text, r.status))
                record("POST /memo", r, t0, (200, 503), text)
            except Exception as ex:
                errors.append(("POST", repr(ex)))
            n += 1

    def toggler(k):
        n = 0
        while not stop.is_set():
            t0 = time.monotonic()
            try:
                if n % 2 == 0:
                    record("DELETE", delete(b, f"/memo/{toggled[k]}"), t0, (204, 503))
                else:
                    record("restore", restore(b, toggled[k]), t0, (200, 503))
            except Exception as ex:
                errors.append(("DELETE/restore", repr(ex)))
            n += 1

    threads = [threading.Thread(target=editor, args=(e,)) for e in range(editors)]
    threads += [threading.Thread(target=poster, args=(0,))]
    threads += [threading.Thread(target=toggler, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)
        t_kill = time.monotonic()
        env.db.kill()
        time.sleep(1.5)
        env.db.start()
        t_back = time.monotonic()
        time.sleep(1.0)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
        if env.db.server is None:
            env.db.start()
    statuses = sorted({(w, s) for w, s, _, _ in log})
    slowest = max(x[2] for x in log)
    say(f"{len(log)} requests, {statuses}, slowest {slowest:.2f}s; MariaDB down "
        f"{t_back - t_kill:.1f}s")
    check(not errors, f"requests that hung or broke: {errors[:5]}")
    for what, status, took, bad in log:
        check(bad is None, f"{bad} (allowed: 200/204 with the memo or nothing, or a 503 "
              "JSON error)")
        check(took < DB_DEADLINE + 1, f"{what}: {status} took {took:.2f}s")
    check(any(s == 503 for _, s, _, _ in log), "some requests met the dead database")
    check({"PATCH", "POST /memo"} <= {w for w, s, _, _ in log if s == 503},
          f"edits and new memos among them: {statuses}")
    check(sum(1 for _, s, _, _ in log if s in (200, 204)) > 20, "and many succeeded")

    memos = user_memos(env, name)
    for mid, state in memos.items():
        memo_consistent(mid, state)
    cut = 0
    for mid, chain in chains.items():
        row, revs = memos[mid][0], memos[mid][2]
        # Revisions then the current text: the texts that were applied, in
        # the order they were sent; each acknowledged one among them.
        applied = [x[0] for x in revs] + [row["text"]]
        attempted = [t for t, _ in chain]
        eq(applied[0], attempted[0], f"memo {mid}: the first text is the oldest revision")
        it = iter(attempted)
        check(all(t in it for t in applied), f"memo {mid}: applied texts in order: {applied}")
        acked = [t for t, s in chain[1:] if s == 200]
        check(set(acked) <= set(applied), f"memo {mid}: every acknowledged edit kept: "
              f"missing {set(acked) - set(applied)}")
        cut += len(set(applied[1:]) - set(acked))
        eq(row["version"], len(revs), f"memo {mid}: one revision per change, no half edit")
    texts = [state[0]["text"] for state in memos.values()]
    for text, status in posted:
        if status == 200:
            eq(texts.count(text), 1, f"acknowledged POST {text!r} stored once")
        else:
            check(texts.count(text) <= 1, f"unacknowledged POST {text!r} at most once")
    check(all(mid in memos for mid in toggled), "the trashed and restored memos are there")
    say(f"{sum(len(c) - 1 for c in chains.values())} edits, {cut} applied though cut "
        f"before their answer; {len(posted)} POSTs; every memo consistent")


@test
def api_routes_with_db_down(env):
    """Every memo API route with MariaDB down: 503 {"error":"database unavailable"} within the timeouts; CGI and FastCGI"""
    from test_api import new, send
    fcgi = fcgi_server(env, "routes-down")
    seen = []
    try:
        for mode, web in (("CGI", env.web), ("FastCGI", fcgi)):
            b = Browser(web.url)
            eq(login(b, "DB 없는 API").status, 302, "login")
            m, etag = new(b, "#장애 메모")
            i = m["id"]
            eq(b.get("/tags").status, 200, "warm: the processes hold connections")
            routes = [("GET", "/memo?" + urllib.parse.urlencode({"q": "장애", "tag": "장애"}), None),
                      ("POST", "/memo", {"text": "x"}), ("GET", f"/memo/{i}", None),
                      ("PATCH", f"/memo/{i}", {"text": "y"}), ("DELETE", f"/memo/{i}", None),
                      ("POST", f"/memo/{i}/restore", None), ("GET", f"/memo/{i}/revisions", None),
                      ("DELETE", f"/trash/{i}", None), ("DELETE", "/trash", None),
                      ("DELETE", "/trash?count=1", None),
                      ("GET", "/tags", None)]
            env.db.kill()
            try:
                worst = 0.0
                for method, path, body in routes:
                    t0 = time.monotonic()
                    r = send(b, method, path, body, headers={"If-Match": etag}, timeout=15)
                    took = time.monotonic() - t0
                    worst = max(worst, took)
                    eq((r.status, r.json()), (503, {"error": "database unavailable"}),
                       f"{mode}: {method} {path}")
                    check(took < DB_DEADLINE, f"{mode}: {method} {path} took {took:.2f}s")
            finally:
                env.db.start()
            seen.append(f"{mode}: {len(routes)} routes 503 JSON, slowest {worst:.2f}s")
            for _ in range(3):      # a FastCGI process may first drop its dead connection
                r = b.get(f"/memo/{i}")
                if r.status != 503:
                    break
            eq((r.status, r.header("ETag")), (200, etag), f"{mode}: back, the memo unchanged")
    finally:
        fcgi.stop()
    say("; ".join(seen))


# Run again against a FastCGI lighttpd by tests/run.py ("[fastcgi] …"):
# the outages, where a process and its database connection (and auth.cgi's
# libcurl) outlive each request.
FASTCGI = [db_stopped_under_traffic, db_killed_under_traffic, db_frozen, db_read_only,
           writes_cut_by_db_kill, naver_hangs,
           naver_failures, login_with_db_down, short_bodies_through_lighttpd,
           chunked_bodies_through_lighttpd]
