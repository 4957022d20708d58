"""test_load.py - no lost writes: 32 concurrent clients post memos as 50
users through lighttpd, then the database is compared with what the
clients were told.  Every memo text carries a unique id, so each one is
found (or not) exactly.

A 200 is only sent after POST /memo's single autocommit INSERT ... SELECT
has returned, so every acknowledged memo must be stored exactly once; a
refused one (503, or a broken connection) must not be stored while the
database is up.  With MariaDB restarted in the middle, refused ones may be
missing (or, if the server committed just before going away, present:
counted and printed as "refused but stored"), acknowledged ones may not.

Logins and writes at once: people whose rows neighbour each other in an
index (ids taken round-robin) log in, or write, at the same time; every
answer must be the one a person alone would get, none a 503 because two
transactions' locks (InnoDB's gap locks in REPEATABLE READ) crossed, and
the CGI log (lighttpd.out) must hold no "Deadlock"."""
import http.client
import json
import os
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from lib import Browser, check, eq, login, test

CLIENTS = 32
USERS = 50
POSTS = 3000


def say(msg):
    print(f"    saw: {msg}", flush=True)


def login_users(env, tag):
    """Log USERS users in through the Naver double (in parallel)."""
    def one(i):
        b = Browser(env.web.url)
        r = login(b, f"부하 {tag} {i:02d}")
        eq(r.status, 302, f"login of user {i}")
        return b.cookies["sessionId"]
    with ThreadPoolExecutor(8) as ex:
        return list(ex.map(one, range(USERS)))


def post(port, sid, text):
    """One POST /memo on its own connection: (status, memo id or None)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/memo", body=json.dumps({"text": text}).encode(),
                     headers={"Content-Type": "application/json",
                              "Cookie": f"sessionId={sid}"})
        r = conn.getresponse()
        body = r.read()
        if r.status == 200:
            m = json.loads(body)
            return 200, m["id"] if m.get("text") == text else None
        return r.status, None
    finally:
        conn.close()


def drive(env, sids, run, during=None):
    """Send POSTS memos from CLIENTS threads; returns the outcome per text."""
    lock = threading.Lock()
    outcome = {}                    # text -> (status or error, id, user index, sent at)
    next_n = [0]
    acked = [0]

    def worker():
        while True:
            with lock:
                n = next_n[0]
                if n >= POSTS:
                    return
                next_n[0] += 1
            u = n % USERS
            text = f"load-{run}-{n:05d} 사용자{u:02d}"
            sent = time.monotonic()
            try:
                status, mid = post(env.web.port, sids[u], text)
            except Exception as e:  # connection refused/reset: a refusal
                status, mid = type(e).__name__, None
            with lock:
                outcome[text] = (status, mid, u, sent)
                if status == 200:
                    acked[0] += 1
    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    if during:
        during(acked)
    for t in threads:
        t.join(300)
    return outcome, time.monotonic() - t0


def tally(env, run, outcome, uids):
    rows = env.db.query(f"SELECT text, id, user_id FROM memo WHERE text LIKE 'load-{run}-%'")
    stored = {}
    for text, mid, uid in rows:
        stored.setdefault(text, []).append((int(mid), uid))
    acked = {t: o for t, o in outcome.items() if o[0] == 200}
    refused = {t: o for t, o in outcome.items() if o[0] != 200}
    f = {"sent": len(outcome), "acknowledged": len(acked), "refused": len(refused),
         "stored": len(rows),
         "duplicated": sum(len(v) - 1 for v in stored.values() if len(v) > 1),
         "lost": sum(1 for t in acked if t not in stored),
         "refused but stored": sum(1 for t in refused if t in stored),
         "wrong id or user": sum(1 for t, (s, mid, u, _) in acked.items() if t in stored and
                                 stored[t] != [(mid, uids[u])])}
    codes = {}
    for s, *_ in refused.values():
        codes[s] = codes.get(s, 0) + 1
    return f, codes


def user_ids(env, sids):
    """The user id behind each session, from the sessions table."""
    import hashlib
    out = []
    for sid in sids:
        h = hashlib.sha256(sid.encode()).hexdigest()
        out.append(env.db.query(f"SELECT user_id FROM sessions WHERE session_key = '{h}'")[0][0])
    return out


def report(f, codes, took):
    say(", ".join(f"{k} {v}" for k, v in f.items()) +
        f"; refusals by status {codes or '{}'}; {f['sent'] / took:.0f} posts/s over {took:.1f}s")


@test
def logins_at_once(env):
    """Logins at once: 300 people (6 rounds of 50, 25 at a time) log in, and every one gets in (302 and a live session), none gets a 503 because their logins' locks crossed"""
    for rnd in range(6):
        tag = f"동시 {secrets.token_hex(2)} {rnd}"

        def one(i):
            b = Browser(env.web.url)
            r = login(b, f"{tag} {i:02d}")
            return r.status, b.get("/memo").status
        with ThreadPoolExecutor(25) as ex:
            got = list(ex.map(one, range(USERS)))
        eq([g for g in got if g != (302, 200)], [], f"round {rnd}: logins refused")


PEOPLE = 16
CYCLES = 10


def long_text(i, k):
    """Person i's long-lived memo after its k-th edit."""
    return f"긴 {'#c' if k % 2 else '#a #b'} {i} {k}"


def cgi_log(env):
    """The CGIs' stderr through env.web (lighttpd.out), so far."""
    with open(os.path.join(env.web.state, "lighttpd.out"), encoding="utf-8",
              errors="replace") as f:
        return f.read()


@test
def writes_at_once(env):
    """Writes at once: 16 people whose memos' ids neighbour each other post, rewrite tags (a memo with 48 revisions edited 60 times: three prunes), pin, trash, restore, delete for good and empty their trash at the same time, four of them logging out and in again; every answer is the one a person alone would get, none a 503 because their transactions' locks crossed (no Deadlock in the log)"""
    run = secrets.token_hex(2)
    log_from = len(cgi_log(env))
    people = [Browser(env.web.url) for _ in range(PEOPLE)]
    names = [f"쓰기 {run} {i:02d}" for i in range(PEOPLE)]
    with ThreadPoolExecutor(PEOPLE) as ex:
        eq(list(ex.map(lambda i: login(people[i], names[i]).status, range(PEOPLE))),
           [302] * PEOPLE, "logins")
    bad = []                    # answers other than the one expected
    count = [0]
    lock = threading.Lock()
    start = threading.Barrier(PEOPLE, timeout=60)
    seeded = threading.Barrier(PEOPLE + 1, timeout=60)     # the people and the test
    long_ids = [None] * PEOPLE

    def ask(i, what, want, method, path, obj=None):
        body = json.dumps(obj).encode() if obj is not None else None
        r = people[i].request(method, path, body=body, headers=(
            {"Content-Type": "application/json"} if body else None))
        with lock:
            count[0] += 1
            if r.status != want:
                bad.append(f"person {i}: {what}: {r.status} {r.body[:100]!r}")
        return r

    def person(i):
        # Round-robin: everyone's first memo, then everyone's second, so
        # the ids of different people's memos neighbour each other.
        start.wait()
        r = ask(i, "POST the long-lived memo", 200, "POST", "/memo", {"text": f"긴 #a #b {i}"})
        long_ids[i] = mid = r.json()["id"] if r.status == 200 else 0
        seeded.wait()       # the test gives it a history of 48 revisions
        seeded.wait()
        edits = [0]

        def edit_long():
            """The long-lived memo's tags rewritten: "#c", then "#a #b"."""
            k = edits[0] = edits[0] + 1
            ask(i, f"PATCH the long-lived memo's text ({k})", 200, "PATCH",
                f"/memo/{mid}", {"text": long_text(i, k)})
        for c in range(CYCLES):
            r = ask(i, "POST", 200, "POST", "/memo", {"text": f"새 #a #b {i} {c}"})
            n = r.json()["id"] if r.status == 200 else 0
            edit_long()
            ask(i, "PATCH the text, tags changed", 200, "PATCH", f"/memo/{n}",
                {"text": f"고침 #c {i} {c}"})
            edit_long()
            ask(i, "PATCH the pin", 200, "PATCH", f"/memo/{n}", {"pinned": True})
            edit_long()
            ask(i, "DELETE to the trash", 204, "DELETE", f"/memo/{n}")
            edit_long()
            ask(i, "restore", 200, "POST", f"/memo/{n}/restore")
            edit_long()
            ask(i, "DELETE to the trash again", 204, "DELETE", f"/memo/{n}")
            edit_long()
            if c % 3 == 2:
                r = ask(i, "DELETE /trash", 200, "DELETE", "/trash")
                if r.status == 200 and r.json() != {"purged": 1}:
                    bad.append(f"person {i}: DELETE /trash: {r.json()}, want purged 1")
            else:
                ask(i, "DELETE /trash/{id}", 204, "DELETE", f"/trash/{n}")
            if c == CYCLES // 2 and i % 4 == 0:
                ask(i, "logout", 303, "POST", "/logout")
                s = login(people[i], names[i]).status
                with lock:
                    count[0] += 1
                    if s != 302:
                        bad.append(f"person {i}: login again: {s}")

    t0 = time.monotonic()
    with ThreadPoolExecutor(PEOPLE) as ex:
        done = [ex.submit(person, i) for i in range(PEOPLE)]
        seeded.wait()
        # 48 revisions each: the 16th edit's REV_PRUNE deletes the oldest.
        if all(long_ids):
            env.db.query("INSERT INTO memo_revision (memo_id, text, created_at)"
                         " SELECT m.id, CONCAT('옛 ', s.seq), m.created_at FROM memo m"
                         " JOIN seq_1_to_48 s WHERE m.id IN"
                         f" ({', '.join(map(str, long_ids))})")
        seeded.wait()
        for d in done:
            d.result()
    took = time.monotonic() - t0
    ids = sorted(long_ids)
    say(f"{count[0]} requests from {PEOPLE} people in {took:.1f}s; long-lived memos' ids "
        f"{ids[0]}..{ids[-1]}")
    deadlocks = [l for l in cgi_log(env)[log_from:].splitlines() if "Deadlock" in l]
    for l in deadlocks[:5]:
        say(l)
    eq(bad, [], "answers not the expected ones")
    eq(len(deadlocks), 0, "deadlocks in the CGI log")
    eq(ids[-1] - ids[0], PEOPLE - 1, "the long-lived memos' ids neighbour each other")
    for i, mid in enumerate(long_ids):
        rows = env.db.query(f"SELECT COUNT(*) FROM memo_revision WHERE memo_id = {mid}")
        check(50 <= int(rows[0][0]) <= 65, f"person {i}: {rows[0][0]} revisions kept")
        memos = people[i].get("/memo").json()["memos"]
        eq([(m["id"], m["text"]) for m in memos], [(mid, long_text(i, 6 * CYCLES))],
           f"person {i}: what is left")
        eq(people[i].get("/memo?trash=true").json()["memos"], [], f"person {i}: the trash")
        eq(env.db.query(f"SELECT tag_key FROM memo_tag WHERE memo_id = {mid} ORDER BY tag_key"),
           [["a"], ["b"]], f"person {i}: the long-lived memo's tags")


@test
def no_lost_writes(env):
    """No lost writes: 3,000 posts from 32 clients as 50 users — every 200 stored exactly once, no refused one stored"""
    run = secrets.token_hex(4)
    sids = login_users(env, run)
    uids = user_ids(env, sids)
    outcome, took = drive(env, sids, run)
    f, codes = tally(env, run, outcome, uids)
    report(f, codes, took)
    eq(f["sent"], POSTS, "sent")
    eq(f["duplicated"], 0, "duplicated")
    eq(f["lost"], 0, "lost")
    eq(f["refused but stored"], 0, "refused but stored")
    eq(f["wrong id or user"], 0, "stored under another id or user")
    eq(f["stored"], f["acknowledged"], "stored = acknowledged")
    check(f["acknowledged"] == POSTS, f"every post acknowledged with the database up: {codes}")


@test
def no_lost_writes_db_restart(env):
    """No lost writes with MariaDB restarted mid-run: every acknowledged memo stored exactly once (lost = 0)"""
    run = secrets.token_hex(4)
    sids = login_users(env, run)
    uids = user_ids(env, sids)
    restart = {}

    def during(acked):
        while acked[0] < POSTS // 3:
            time.sleep(0.01)
        t0 = time.monotonic()
        try:
            env.db.stop()
        finally:
            env.db.start()
        restart["up"] = time.monotonic()
        restart["at"] = acked[0]
        restart["took"] = time.monotonic() - t0
    outcome, took = drive(env, sids, run, during)
    f, codes = tally(env, run, outcome, uids)
    report(f, codes, took)
    # Acknowledgements keep arriving while MariaDB stops, so only posts
    # sent once it was back show that the service recovered.
    after = [o[0] for o in outcome.values() if o[3] >= restart["up"]]
    say(f"MariaDB stopped after {restart['at']} acknowledgements, back in {restart['took']:.1f}s; "
        f"{len(after)} posts sent after that, {after.count(200)} acknowledged")
    eq(f["sent"], POSTS, "sent")
    eq(f["lost"], 0, "lost")
    eq(f["duplicated"], 0, "duplicated")
    eq(f["wrong id or user"], 0, "stored under another id or user")
    check(f["refused"] > 0, "the restart refused some posts (it really happened mid-run)")
    check(all(c == 503 for c in codes), f"refusals are 503s, not crashes: {codes}")
    check(200 in after, "posts sent after the restart acknowledged again: "
          f"{ {s: after.count(s) for s in set(after)} }")
