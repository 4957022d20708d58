"""test_fastcgi.py - what only FastCGI mode can get wrong: one process
serving many requests in turn.  Run by tests/run.py after the end-to-end
suite in FastCGI mode (env.web is then served by lighttpd-fastcgi.conf)."""
import os
import time

from lib import Browser, check, eq, login, sql_session, test
from stack import rss_kib


def children(env, program):
    return env.web.fastcgi_pids(program)


def one_memo_process(env):
    b = Browser(env.web.url)
    b.get("/memo")                              # lighttpd starts it on demand
    pids = children(env, "memo")
    eq(len(pids), 1, "memo.cgi FastCGI processes under our lighttpd")
    return pids[0]


def connections(env):
    """How many connections MariaDB has accepted since it started."""
    return int(env.db.query_alone("SHOW GLOBAL STATUS LIKE 'Connections'",
                                  database=None)[0][1])


@test
def routes_served_by_kept_processes(env):
    """Every route is answered by its FastCGI process on its kept connection (no mod_cgi, no reconnect)"""
    b = Browser(env.web.url)
    eq(login(b, "상주").status, 302, "login")
    routes = (("index", lambda: b.get("/")), ("index", lambda: b.get("/?x=1")),
              ("memo", lambda: b.get("/memo")),
              ("memo", lambda: b.post_json("/memo", {"text": "상주"})),
              ("health", lambda: Browser(env.web.url).get("/health")))
    for _, fn in routes:                        # start them all
        eq(fn().status, 200, "warm-up")
    pids = {prog: children(env, prog) for prog, _ in routes}
    c0 = connections(env)
    for prog, fn in routes * 5:
        eq(fn().status, 200, prog)
    c1 = connections(env)
    eq(c1 - c0, 1, "new database connections (only this test's own query)")
    for prog, _ in routes:
        eq(len(pids[prog]), 1, f"one {prog}.cgi FastCGI process")
        eq(children(env, prog), pids[prog], f"{prog}.cgi kept its process")


@test
def interleaved_users_share_nothing(env):
    """One FastCGI process serving two users in turn: no cookie, user or buffer crosses over"""
    a, b = Browser(env.web.url), Browser(env.web.url)
    eq(login(a, "교대 가").status, 302, "login a")
    pid = one_memo_process(env)
    eq(login(b, "교대 나").status, 302, "login b")
    guest = Browser(env.web.url)
    big = "가" * 20000                          # 60 KB: more than the 16 KiB buffer
    want = {id(a): [], id(b): []}
    for i in range(6):
        for who, text in ((a, big + str(i) if i % 2 == 0 else f"가 {i}"),
                          (b, f"나 {i}")):
            r = who.post_json("/memo", {"text": text})
            eq(r.status, 200, f"POST {i}")
            eq(r.json()["text"], text, f"POST {i} echoes its own text only")
            eq(r.all("Set-Cookie"), [], "no cookie set by POST /memo")
            want[id(who)].insert(0, text)
            # A guest right after a logged-in request is still a guest.
            r = guest.get("/memo")
            eq(r.status, 401, "guest after a user")
            eq(r.all("Set-Cookie"), [], "no cookie handed to the guest")
            for other in (a, b):
                r = other.get("/memo")
                eq(r.status, 200, "GET")
                eq([m["text"] for m in r.json()["memos"]], want[id(other)],
                   "each user sees exactly their own memos")
    # A short body after a long one: nothing of the long one is left over.
    r = b.post_json("/memo", raw=b'{"text":"x"}')
    eq(r.json()["text"], "x", "short body after long ones")
    r = b.post_json("/memo", raw=b'{"text":')
    eq(r.status, 400, "truncated JSON after a long body is still truncated")
    eq(children(env, "memo"), [pid], "the same single process served all of it")


@test
def reconnects_after_connection_killed(env):
    """The process's database connection killed by the server: the next request reconnects"""
    b = Browser(env.web.url)
    eq(login(b, "재연결").status, 302, "login")
    pid = one_memo_process(env)
    eq(b.post_json("/memo", {"text": "전"}).status, 200, "before")
    ids = [r[0] for r in env.db.query(
        "SELECT id FROM information_schema.processlist WHERE user = 'memo'",
        database=None)]
    check(ids, "the FastCGI processes hold connections")
    for i in ids:
        env.db.client("-e", f"KILL {int(i)}", check=False)
    time.sleep(0.2)
    c0 = connections(env)
    r = b.get("/memo")
    eq(r.status, 200, "GET after the kill")
    eq([m["text"] for m in r.json()["memos"]], ["전"], "memos after the kill")
    # (connections() itself connects once: that one counts too.)
    eq(connections(env) - c0 - 1, 1, "the GET came on a new connection (the old one killed)")
    eq(children(env, "memo"), [pid], "same process, new connection")


@test
def settings_file_changes_seen(env):
    """The settings file changed under a running process, however quickly: broken, 500 at once; fixed, 200; a wrong DB_PASSWORD put in place by rename, 503; back, 200; the same process throughout"""
    b = Browser(env.web.url)
    eq(login(b, "설정 변경").status, 302, "login")
    pid = one_memo_process(env)
    with open(env.config) as f:
        good = f.read()

    def put(text, rename=False):
        path = env.config + (".new" if rename else "")
        with open(path, "w") as f:
            f.write(text)
        if rename:
            os.replace(path, env.config)
    try:
        put(good + 'DB_HOST="unclosed\n')
        r = b.get("/memo")
        eq((r.status, r.json()), (500, {"error": "configuration error"}), "a broken file")
        put(good)
        eq(b.get("/memo").status, 200, "the file fixed")
        put(good + "DB_PASSWORD=wrong\n", rename=True)
        r = b.get("/memo")
        eq((r.status, r.json()), (503, {"error": "database unavailable"}), "a wrong password")
        put(good, rename=True)
        eq(b.get("/memo").status, 200, "the right one again")
    finally:
        put(good, rename=True)
    eq(children(env, "memo"), [pid], "one process throughout")


@test
def memory_does_not_grow(env):
    """1,500 requests in one FastCGI process: its RSS does not grow (short version of make bench)"""
    b = Browser(env.web.url)
    eq(login(b, "메모리").status, 302, "login")
    for i in range(20):
        b.post_json("/memo", {"text": f"메모 {i} " + "가" * 100})
    pid = one_memo_process(env)
    for _ in range(300):                        # warm up: malloc arenas settle
        b.get("/memo")
    before = rss_kib(pid)
    for i in range(1500):
        r = b.get("/memo") if i % 10 else b.post_json("/memo", {"text": "더"})
        check(r.status == 200, f"request {i}: {r.status}")
    after = rss_kib(pid)
    eq(children(env, "memo"), [pid], "same process")
    check(after - before <= 64, f"RSS grew {after - before} KiB ({before} -> {after})")


@test
def shipped_process_count(env):
    """As shipped, the busy routes get MEMO_FCGI_PROCS processes (default 4) serving at once; a bad count stops lighttpd with a clear message"""
    import concurrent.futures
    import os
    import stack
    base = os.path.join(env.base, "fastcgi-procs")
    web = stack.Lighttpd(base, env.config, mode="fastcgi")
    try:
        b = Browser(web.url)
        eq(login(b, "여럿").status, 302, "login")
        eq(b.post_json("/memo", {"text": "동시에"}).status, 200, "POST")
        eq(len(web.fastcgi_pids("memo")), 4, "memo.cgi FastCGI processes (default)")
        eq(len(web.fastcgi_pids("health")), 4, "health.cgi FastCGI processes")
        eq(len(web.fastcgi_pids("login")), 1, "login.cgi FastCGI processes")

        def get(_):
            c = Browser(web.url)
            c.cookies = dict(b.cookies)
            r = c.get("/memo")
            return r.status, [m["text"] for m in r.json()["memos"]]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            got = list(pool.map(get, range(64)))
        eq(set(s for s, _ in got), {200}, "64 GETs over 8 connections at once")
        eq(set(tuple(t) for _, t in got), {("동시에",)}, "every answer the user's own memo")
    finally:
        web.stop()
    for bad in ("0", "four", "-1"):
        # A state directory per value: lighttpd.out is appended to, so a shared
        # one would let a later value match an earlier value's message.
        bad_base = os.path.join(env.base, "fastcgi-bad-" + bad.replace("-", "minus"))
        try:
            stack.Lighttpd(bad_base, env.config,
                           mode="fastcgi", extra_env={"MEMO_FCGI_PROCS": bad}).stop()
            check(False, f"lighttpd started with MEMO_FCGI_PROCS={bad}")
        except RuntimeError as e:
            check("exited" in str(e), f"MEMO_FCGI_PROCS={bad}: {e}")
        with open(os.path.join(bad_base, "lighttpd.out"),
                  errors="replace") as f:
            check("MEMO_FCGI_PROCS must be a positive number" in f.read(),
                  f"MEMO_FCGI_PROCS={bad}: the message is in lighttpd's output")


@test
def connection_dropped_after_a_failed_statement(env):
    """A statement that failed (a lock wait timeout) drops the process's connection: the next request gets a new one"""
    b = Browser(env.web.url)
    eq(login(b, "잠금 대기").status, 302, "login")
    pid = one_memo_process(env)
    m = b.post_json("/memo", {"text": "잠길 메모"}).json()
    env.db.query("SET GLOBAL innodb_lock_wait_timeout = 1", database=None)
    holder = None
    try:
        # The process's next connection waits 1 s for a lock, not 50.
        for i in [r[0] for r in env.db.query(
                "SELECT id FROM information_schema.processlist WHERE user = 'memo'",
                database=None)]:
            env.db.client("-e", f"KILL {int(i)}", check=False)
        time.sleep(0.2)
        eq(b.get("/memo").status, 200, "GET on a fresh connection")
        holder = sql_session(env.db)
        holder.stdin.write(f"BEGIN; SELECT id FROM memo WHERE id = {m['id']} FOR UPDATE;"
                           " SELECT 'locked';\n")
        holder.stdin.flush()
        eq([holder.stdout.readline().strip() for _ in range(2)], [str(m["id"]), "locked"],
           "a test session holds the memo's row")
        c0 = connections(env)
        r = b.request("PATCH", f"/memo/{m['id']}", body='{"text":"못 고침"}'.encode(),
                      headers={"Content-Type": "application/json"})
        eq((r.status, r.json()), (503, {"error": "database unavailable"}), "PATCH waiting")
        holder.stdin.write("ROLLBACK;\n")
        holder.stdin.close()
        holder.wait(10)
        holder.stdout.close()
        holder.stderr.close()
        holder = None
        eq(b.get("/memo").status, 200, "the next request")
        # (connections() itself connects once: that one counts too.)
        eq(connections(env) - c0 - 1, 1, "it came on a new connection")
        eq(children(env, "memo"), [pid], "from the same process")
        eq(env.db.query(f"SELECT text FROM memo WHERE id = {m['id']}"), [["잠길 메모"]],
           "nothing changed")
    finally:
        if holder is not None:
            holder.kill()
            holder.wait()
        env.db.query("SET GLOBAL innodb_lock_wait_timeout = 50", database=None)


@test
def fastcgi_process_environment(env):
    """A setting in the FastCGI processes' own environment (lighttpd's bin-environment, or what lighttpd itself was started with) is read, below the request's parameters and above the file: SESSION_MAX_AGE=120 there gives a 120 s session cookie (it was never looked at: the file's or the default's value served)"""
    import os
    import re
    import stack
    base = os.path.join(env.base, "fastcgi-process-env")
    web = stack.Lighttpd(base, env.config, mode="fastcgi",
                         extra_env={"MEMO_FCGI_PROCS": "1", "SESSION_MAX_AGE": "120"})
    try:
        r = login(Browser(web.url), "프로세스 환경")
        eq(r.status, 302, "login")
        sc = next(c for c in r.all("Set-Cookie") if c.startswith("sessionId="))
        check(re.search(r"Max-Age=120(;|$)", sc), f"the process's SESSION_MAX_AGE: {sc}")
    finally:
        web.stop()
