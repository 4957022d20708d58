"""test_fastcgi.py - what only FastCGI mode can get wrong: one process
serving many requests in turn.  Run by tests/run.py after the end-to-end
suite in FastCGI mode (env.web is then served by lighttpd-fastcgi.conf)."""
import os
import time

from lib import Browser, check, eq, login, test


def children(env, program):
    """Pids of lighttpd's FastCGI children running cgi-bin/PROGRAM.cgi."""
    parent = env.web.server.proc.pid
    want = os.path.realpath(os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), "cgi-bin", program + ".cgi"))
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid == parent and os.path.realpath(f"/proc/{d}/exe") == want:
                pids.append(int(d))
        except (OSError, IndexError, ValueError):
            continue
    return pids


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def one_memo_process(env):
    b = Browser(env.web.url)
    b.get("/memo")                              # lighttpd starts it on demand
    pids = children(env, "memo")
    eq(len(pids), 1, "memo.cgi FastCGI processes under our lighttpd")
    return pids[0]


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
    r = b.get("/memo")
    eq(r.status, 200, "GET after the kill")
    eq([m["text"] for m in r.json()["memos"]], ["전"], "memos after the kill")
    eq(children(env, "memo"), [pid], "same process, new connection")


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
