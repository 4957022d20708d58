"""test_rolling.py - a rolling deploy, as an Auto Scaling group goes through
one: instances of the previous version (built from git by
tools/previous.py) keep serving against the database this version
migrated, while new instances serve the same users.

What must hold: the previous version's whole API works unchanged against
the new schema (its users log in, read and write); what it writes, the new
version lists at once and indexes (search copy, tags) with `memo-maint
index`; what the new version writes (edits, pins, trash), the previous
version still reads (it lists memos in the trash too, until its instances
are replaced: it knows no trash).  And for migration 004, the version
before it: the sessions it makes (without a public id or user agent) are
listed, ended and withdrawn like the others; for migration 005 (the states
/auth has spent), a login started on a node of either version completes
on the other.  And the migrations themselves run while the previous
version serves the database they change: none of its requests fails or
waits on them."""
import contextlib
import os
import shutil
import subprocess
import threading
import time
import urllib.parse

import previous
import stack
import test_migrate
from lib import (Browser, Skipped, check, code_for, eq, login, naver_id, sha256_hex,
                 start_login, test, to_naver)


def servers(env):
    """The previous version's lighttpd (CGI mode) on the test database,
    started once for this module."""
    if getattr(env, "previous_web", None) is None:
        try:
            cgi_dir = previous.build()
        except previous.Unavailable as e:
            raise Skipped(f"no previous version to run ({e}); a full clone of the"
                       " repository has it (git fetch --unshallow)")
        env.previous_web = stack.Lighttpd(os.path.join(env.base, "lighttpd-previous"),
                                          env.config, cgi_dir=cgi_dir)
        env.started.append(env.previous_web)
    return env.previous_web


def maint(env, *args):
    p = subprocess.run([os.path.join(stack.ROOT, "build", "memo-maint"), *args],
                       env={"PATH": "/usr/bin:/bin", "MEMO_CONFIG": env.config},
                       capture_output=True, text=True, timeout=120)
    eq(p.returncode, 0, f"memo-maint: {p.stderr}")
    return p.stdout


@test
def previous_version_serves_the_new_schema(env):
    """Rolling deploy: the previous version logs in, writes and reads against the migrated schema"""
    old = Browser(servers(env).url)
    eq(login(old, "이전 버전 사용자").status, 302, "login through the previous version")
    r = old.post_json("/memo", {"text": "이전 버전이 쓴 메모 #회의 Meeting"})
    eq(r.status, 200, "POST through the previous version")
    m = r.json()
    eq(sorted(m), ["created_at", "id", "text"], "the previous version's answer")
    r = old.get("/memo")
    eq((r.status, r.json()["memos"][0]["text"]), (200, "이전 버전이 쓴 메모 #회의 Meeting"),
       "GET through the previous version")
    row = env.db.query(f"SELECT pinned, deleted_at IS NULL, version, updated_at IS NULL"
                       f" FROM memo WHERE id = {m['id']}")
    eq(row, [["0", "1", "0", "1"]], "its row: live, not pinned, never edited")
    eq(env.db.query(f"SELECT COUNT(*) FROM memo_search WHERE memo_id = {m['id']}"),
       [["0"]], "no search copy yet (the previous version knows none)")


@test
def new_version_reads_and_indexes_what_the_previous_wrote(env):
    """Rolling deploy: a memo the previous version wrote is listed at once, searchable and tagged after memo-maint index"""
    old = Browser(servers(env).url)
    eq(login(old, "혼합 배포 사용자").status, 302, "login (previous version)")
    m = old.post_json("/memo", {"text": "혼합 배포 중에 쓴 메모 #배포 ABC"}).json()
    new = Browser(env.web.url)
    new.cookies = dict(old.cookies)         # one session, both versions
    r = new.get("/memo")
    eq(r.status, 200, "GET through the new version")
    got = r.json()["memos"][0]
    eq((got["id"], got["text"], got["tags"], got["updated_at"], got["deleted_at"]),
       (m["id"], m["text"], ["배포"], m["created_at"], None), "listed at once, tags shown")
    q = "/memo?" + urllib.parse.urlencode({"q": "abc 배포"})
    eq(new.get(q).json()["memos"], [], "not searchable before it is indexed")
    out = maint(env, "index")
    check("index:" in out, out)
    eq([x["id"] for x in new.get(q).json()["memos"]], [m["id"]], "searchable after memo-maint index")
    eq([x["id"] for x in new.get("/memo?tag=%EB%B0%B0%ED%8F%AC").json()["memos"]], [m["id"]],
       "its tag filters after memo-maint index")
    eq(env.db.query(f"SELECT tag_key FROM memo_tag WHERE memo_id = {m['id']}"), [["배포"]],
       "memo_tag row")


@test
def previous_version_reads_what_the_new_one_changed(env):
    """Rolling deploy: after the new version edits, pins and trashes, the previous version still answers 200 with the current texts"""
    new = Browser(env.web.url)
    eq(login(new, "새 버전 편집자").status, 302, "login (new version)")
    a = new.post_json("/memo", {"text": "고칠 메모"}).json()
    b = new.post_json("/memo", {"text": "버릴 메모"}).json()
    r = new.request("PATCH", f"/memo/{a['id']}", body='{"text":"고친 메모","pinned":true}'.encode(),
                    headers={"Content-Type": "application/json"})
    eq(r.status, 200, "PATCH")
    eq(new.request("DELETE", f"/memo/{b['id']}").status, 204, "DELETE")
    old = Browser(servers(env).url)
    old.cookies = dict(new.cookies)
    r = old.get("/memo")
    eq(r.status, 200, "GET through the previous version")
    texts = [x["text"] for x in r.json()["memos"]]
    eq(texts, ["버릴 메모", "고친 메모"], "the current texts (the trashed one too: it knows no trash)")
    r = old.post_json("/memo", {"text": "이전 버전의 새 메모"})
    eq(r.status, 200, "POST through the previous version after the new one wrote")
    eq([x["text"] for x in new.get("/memo").json()["memos"]], ["이전 버전의 새 메모", "고친 메모"],
       "the new version's list: the trashed memo left out")


# ---- migration 004: the version before it, on the migrated schema ----

def before_004(env):
    """The version deployed before migration 004 (the parent of the commit
    that added it), built from git: its lighttpd on the test database,
    started once for this module."""
    if getattr(env, "before_004_web", None) is None:
        git = ["git", "-C", stack.ROOT]
        added = subprocess.run(git + ["log", "--diff-filter=A", "--format=%H", "--",
                                      "schema/004_account.sql"],
                               capture_output=True, text=True).stdout.split()
        ref = added and subprocess.run(git + ["rev-parse", "--short", added[-1] + "^"],
                                       capture_output=True, text=True).stdout.strip()
        if not ref:
            raise Skipped("the commit before migration 004 is not in this clone"
                          " (git fetch --unshallow)")
        try:
            cgi_dir = previous.build(ref)
        except previous.Unavailable as e:
            raise Skipped(f"no version before 004 to run ({e})")
        env.before_004_web = stack.Lighttpd(os.path.join(env.base, "lighttpd-before-004"),
                                            env.config, cgi_dir=cgi_dir)
        env.started.append(env.before_004_web)
    return env.before_004_web


def session_row(env, b):
    h = sha256_hex(b.cookies["sessionId"])
    return env.db.query("SELECT public_id IS NULL, user_agent IS NULL FROM sessions"
                        f" WHERE session_key = '{h}'")


@test
def sessions_of_the_version_before_004(env):
    """Rolling deploy (004): sessions the previous version makes (no public id, no user agent) are listed by GET /account and ended by DELETE /account/sessions/{id}"""
    name = "004 이전 로그인"
    old = Browser(before_004(env).url)
    eq(login(old, name).status, 302, "login through the previous version")
    eq(session_row(env, old), [["1", "1"]], "its session row lacks the new columns")
    eq(old.post_json("/memo", {"text": "이전 버전"}).status, 200, "it writes")
    new = Browser(env.web.url)
    eq(login(new, name).status, 302, "login through this version")
    eq(session_row(env, new), [["0", "1"]], "a public id (no User-Agent sent)")
    sess = new.get("/account").json()["sessions"]
    legacy = [s for s in sess if not s["current"]]
    eq(len(legacy), 1, "the previous version's session is listed")
    check(len(legacy[0]["id"]) == 32 and legacy[0]["user_agent"] is None, str(legacy[0]))
    old_new = Browser(before_004(env).url)
    old_new.cookies = dict(new.cookies)
    eq(old_new.get("/memo").status, 200, "this version's session works on the previous one")
    eq(new.request("DELETE", f"/account/sessions/{legacy[0]['id']}").status, 204, "ended")
    eq(old.get("/memo").status, 401, "the previous version's browser is logged out")
    eq(old_new.get("/memo").status, 200, "the other one is not")


@test
def withdrawal_ends_the_previous_versions_sessions(env):
    """Rolling deploy (004): a withdrawal through this version deletes the sessions and memos the previous version made too"""
    name = "004 이전 탈퇴"
    old = Browser(before_004(env).url)
    eq(login(old, name).status, 302, "login through the previous version")
    eq(old.post_json("/memo", {"text": "이전 버전이 쓴 메모 #태그"}).status, 200, "it writes")
    new = Browser(env.web.url)
    eq(login(new, name).status, 302, "login through this version")
    r = new.request("POST", "/login?intent=withdraw")
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(to_naver(r)).query)["state"][0]
    r = new.get("/auth?" + urllib.parse.urlencode({"code": code_for(name), "state": state}))
    eq(r.status, 200, "withdrawn")
    uid = naver_id(name)
    for table, where in (("user", f"id = '{uid}'"), ("sessions", f"user_id = '{uid}'"),
                         ("memo", f"user_id = '{uid}'")):
        eq(env.db.query(f"SELECT COUNT(*) FROM `{table}` WHERE {where}"), [["0"]], table)
    eq(old.get("/memo").status, 401, "the previous version's browser is logged out")


# ---- migration 005: this version spends each state; one before it does not ----

@test
def logins_across_versions_005(env):
    """Rolling deploy (005): a login started on a node of a version before 005 completes on this one and one started here completes there; the state is recorded where this version takes it"""
    # The version before 004 is before 005 too: neither reads nor writes
    # oauth_state_used, and its login cookie is the state, as here.
    old, new = before_004(env), env.web
    seen = []
    for start, finish, name in ((old, new, "005 이전에서 시작"), (new, old, "005 이후에서 시작")):
        b = Browser(start.url)
        state, _ = start_login(b)
        c = Browser(finish.url)
        c.cookies = dict(b.cookies)
        r = c.get("/auth?" + urllib.parse.urlencode({"code": code_for(name), "state": state}))
        eq(r.status, 302, f"{name}: the login completes")
        eq(c.get("/memo").status, 200, f"{name}: its session works")
        spent = env.db.query("SELECT COUNT(*) FROM oauth_state_used WHERE state_hash = "
                             f"'{sha256_hex(state)}'")[0][0]
        eq(spent, "1" if finish is new else "0", f"{name}: the state recorded as spent")
        seen.append(f"{'previous' if start is old else 'this'} -> "
                    f"{'this' if finish is new else 'previous'}: 302, spent {spent}")
    print("    saw: " + "; ".join(seen))


# ---- the migrations, under the previous version's traffic ----

@contextlib.contextmanager
def running(client, stop, clients):
    """client(k) in threads for the with block's duration (until stop)."""
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    try:
        yield
    finally:
        stop.set()
        for t in threads:
            t.join(30)


@test
def migrations_under_the_previous_versions_traffic(env):
    """Rolling deploy: migrations 003-006 and memo-maint index run on a previous-version database (001+002, 1,000 memos) while the previous version writes and reads it: every request 200 within 2 s, every memo kept, then this version serves them all"""
    servers(env)                                # Skipped without the previous version
    db = "memo_online"
    test_migrate.create_db(env, db)
    old_schema = os.path.join(env.base, "schema-online")
    shutil.rmtree(old_schema, ignore_errors=True)
    os.makedirs(old_schema)
    for f in test_migrate.MIGRATIONS:
        if f < "003":
            shutil.copy(os.path.join(test_migrate.SCHEMA, f), old_schema)
    # The test's settings (the Naver double included), on that database.
    settings = {}
    for line in open(env.config, encoding="utf-8"):
        k, sep, v = line.strip().partition("=")
        if sep and not k.startswith("#"):
            settings[k] = v.strip('"')
    settings["DB_DATABASE"] = db
    config = os.path.join(env.base, "online.env")
    stack.write_env(config, settings)
    p = test_migrate.migrate(config, "--schema", old_schema)
    eq(p.returncode, 0, f"the previous version's schema: {p.stdout}{p.stderr}")
    web = stack.Lighttpd(os.path.join(env.base, "lighttpd-previous-online"), config,
                         cgi_dir=previous.build())
    env.started.append(web)
    b = Browser(web.url)
    name = "이주 중 사용자"
    eq(login(b, name).status, 302, "login through the previous version")
    env.db.client(database=db, stdin=(
        "SET SESSION max_recursive_iterations = 100000;"
        "INSERT INTO memo (user_id, text, created_at) WITH RECURSIVE seq(n) AS"
        " (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 1000)"
        f" SELECT '{naver_id(name)}', CONCAT('이주 전 메모 ', n, ' #이주'), UTC_TIMESTAMP()"
        " FROM seq;"))

    log, errors, stop = [], [], threading.Event()

    def traffic(k):
        c = Browser(web.url)
        c.cookies = dict(b.cookies)
        n = 0

        def one(what, send):
            t0 = time.monotonic()
            try:
                r = send()
            except Exception as e:  # a timeout or a dropped connection: the worst answer
                errors.append((what, f"{time.monotonic() - t0:.2f}s", repr(e)))
                return
            log.append((t0, time.monotonic() - t0, what, r.status))
        while not stop.is_set():
            n += 1
            one("POST", lambda: c.post_json("/memo", {"text": f"이주 중 메모 {k}-{n} #이주"},
                                            timeout=10))
            one("GET", lambda: c.get("/memo?limit=20", timeout=10))
    with running(traffic, stop, clients=2):
        time.sleep(0.5)
        t0 = time.monotonic()
        p = test_migrate.migrate(config)
        t1 = time.monotonic()
        time.sleep(0.5)
    eq(p.returncode, 0, f"migrate: {p.stdout}{p.stderr}")
    eq(test_migrate.applied_lines(p.stdout),
       [m for m in test_migrate.MIGRATIONS if m >= "003"], "every new migration applied")
    check(p.stdout.splitlines()[-1].startswith("index: "), f"then the memos indexed: {p.stdout}")
    during = [x for x in log if x[0] < t1 and x[0] + x[1] > t0]
    eq(errors, [], "requests of the previous version that timed out or broke")
    check(len(during) >= 4, f"requests while it migrated: {len(during)}")
    eq(sorted({x[3] for x in log}), [200], "every request of the previous version answered 200")
    slowest = max(x[1] for x in log)
    check(slowest < 2, f"none waited on the migration: the slowest took {slowest:.2f}s")
    posted = len([x for x in log if x[2] == "POST"])
    new = stack.Lighttpd(os.path.join(env.base, "lighttpd-online"), config)
    env.started.append(new)
    c = Browser(new.url)
    c.cookies = dict(b.cookies)
    test_migrate.migrate(config)                # index what was written meanwhile
    r = c.get("/memo?tag=%EC%9D%B4%EC%A3%BC&count=true&limit=1")
    eq((r.status, r.json().get("count")), (200, 1000 + posted),
       "this version: every memo, tagged, the ones written while it migrated too")
    print(f"    saw: migrations took {t1 - t0:.2f}s; {len(log)} requests, {len(during)} while it"
          f" ran, slowest {slowest:.2f}s; {posted} memos written meanwhile, all kept")
