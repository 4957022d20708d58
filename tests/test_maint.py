"""test_maint.py - memo-maint (build/memo-maint), as the timer on every
instance runs it with the service's settings (MEMO_CONFIG): memos in the
trash for over TRASH_DAYS are deleted for good with their revisions and
tags, expired sessions are swept, memos the previous version wrote get
their search copy and tags, and runs on several instances at once are
safe.  A memo's indexing, or a purge's or sweep's batch, that InnoDB
picks as a deadlock's victim runs again (the fault build's memo-maint,
build-fault/: common/fault.h).  Rows
are set up through the API (and SQL for the clock), checked in the
database and through the API afterwards."""
import os
import re
import subprocess
import time
import unicodedata

import stack
from lib import Failed, check, eq, naver_id, sha256_hex, test
from test_api import delete, fold, ids, memo_row, new, patch, qs, revision_rows, tag_rows
from test_e2e import logged_in

MAINT = os.path.join(stack.ROOT, "build", "memo-maint")
BUSY = "another instance is running memo-maint: nothing to do\n"


FAULT_MAINT = os.path.join(stack.ROOT, "build-fault", "memo-maint")


def maint(env, *args, config=None, fault=None, **more):
    """memo-maint with the service's settings; fault: the step the fault
    build (make fault) fails, MEMO_FAULT (common/fault.h); more: other
    environment variables."""
    e = {"PATH": "/usr/bin:/bin", "MEMO_CONFIG": config or env.config, **more}
    if fault is not None:
        e["MEMO_FAULT"] = fault
    return subprocess.run([FAULT_MAINT if fault else MAINT, *args], env=e,
                          capture_output=True, text=True, timeout=60)


def settle(env, step="index", config=None):
    """Index what other tests left unindexed (the rolling deploy's previous
    version writes memos), or purge the old trash they left (an import
    brings memos deleted long ago), so that the counts a test sees are its
    own."""
    eq(maint(env, step, config=config).returncode, 0, f"memo-maint {step} before the test")


def deleted_days_ago(env, mid, days):
    env.db.client(database="memo", stdin=(
        f"UPDATE memo SET deleted_at = UTC_TIMESTAMP() - INTERVAL {days} DAY "
        f"WHERE id = {int(mid)}"))


def trashed_memo(env, b, text, days):
    """A memo with a revision and tags, in the trash for `days` days."""
    m, _ = new(b, text)
    eq(patch(b, m["id"], {"text": text + " #고침"}).status, 200, "edit")
    eq(delete(b, f"/memo/{m['id']}").status, 204, "to the trash")
    deleted_days_ago(env, m["id"], days)
    check(tag_rows(env, m["id"]) and revision_rows(env, m["id"]), "it has tags and a revision")
    return m["id"]


def gone(env, mid):
    return memo_row(env, mid) is None and not tag_rows(env, mid) and not revision_rows(env, mid)


def kept(env, mid):
    return memo_row(env, mid) is not None and bool(tag_rows(env, mid)) and \
        bool(revision_rows(env, mid))


def purged_count(out):
    m = re.search(r"^purge: (\d+) memos deleted for good", out, re.M)
    return int(m.group(1)) if m else None


class LockHolder:
    """Another instance's memo-maint, as far as the database sees it: a
    session holding the named lock until released."""

    def __init__(self, env, name=None):
        name = name or "memo-maint." + env.settings["DB_DATABASE"]
        self.p = subprocess.Popen(
            ["mariadb", "--no-defaults", "-S", env.db.socket, "-u", "root", "--batch",
             "--skip-column-names", "--unbuffered"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.p.stdin.write(f"SELECT GET_LOCK('{name}', 10);\n")
        self.p.stdin.flush()
        eq(self.p.stdout.readline().strip(), "1", "the lock is held")

    def release(self):
        self.p.stdin.close()        # ending the session releases the lock
        self.p.wait(30)
        self.p.stdout.close()
        self.p.stderr.close()


@test
def maint_purges_old_trash(env):
    """memo-maint purge: memos in the trash over 30 days go for good with revisions and tags; 29 days stay"""
    b = logged_in(env, "휴지통 정리")
    settle(env, "purge")
    old = trashed_memo(env, b, "한 달 넘은 #휴지", 31)
    recent = trashed_memo(env, b, "아직 남을 #휴지", 29)
    live, _ = new(b, "살아 있는 #메모")
    p = maint(env, "purge")
    eq((p.returncode, p.stdout, p.stderr),
       (0, "purge: 1 memos deleted for good (in the trash over 30 days)\n", ""), "memo-maint purge")
    check(gone(env, old), "the 31-day-old memo is gone with its revisions and tags")
    check(kept(env, recent), "the 29-day-old one is kept with its rows")
    check(memo_row(env, live["id"]) is not None, "a live memo is kept")
    eq(ids(b, "trash=true"), [recent], "the trash as the user sees it")
    eq(ids(b), [live["id"]], "the live memos")
    p = maint(env, "purge")
    eq((p.returncode, purged_count(p.stdout)), (0, 0), "a second run has nothing to do")
    eq(delete(b, f"/trash/{recent}").status, 204, "the user empties it (for the next test)")


@test
def maint_trash_days_setting(env):
    """TRASH_DAYS=2 in the settings: a memo trashed 3 days ago is purged, 1 day ago kept"""
    b = logged_in(env, "이틀 휴지통")
    config = os.path.join(env.base, "memo-trash2.env")
    stack.write_env(config, dict(env.settings, TRASH_DAYS="2"))
    settle(env, "purge", config)
    three = trashed_memo(env, b, "사흘 전 #버림", 3)
    one = trashed_memo(env, b, "하루 전 #버림", 1)
    p = maint(env, "purge", config=config)
    eq((p.returncode, p.stdout), (0, "purge: 1 memos deleted for good (in the trash over 2 days)\n"),
       "memo-maint purge with TRASH_DAYS=2")
    check(gone(env, three), "3 days in the trash: gone")
    check(kept(env, one), "1 day: kept")
    p = maint(env, "purge")
    eq((p.returncode, purged_count(p.stdout)), (0, 0), "the default 30 days keeps it")
    check(kept(env, one), "still kept")


@test
def maint_sweeps_sessions(env):
    """memo-maint sweep: expired sessions deleted, live ones kept and still working; login states used over a day ago forgotten, newer ones kept"""
    user = "세션 청소"
    gone_b, live_b = logged_in(env, user), logged_in(env, user)
    dead, alive = (sha256_hex(x.cookies["sessionId"]) for x in (gone_b, live_b))
    env.db.client(database="memo", stdin=(
        "UPDATE sessions SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 MINUTE "
        f"WHERE session_key = '{dead}'"))
    # /auth records each state it accepts, and anyone can make it record
    # one; 250 over a day old take the sweep three batches of 100.
    env.db.client(database="memo", stdin=(
        "INSERT INTO oauth_state_used (state_hash, used_at) SELECT SHA2(CONCAT('old', seq), 256),"
        " UTC_TIMESTAMP() - INTERVAL 25 HOUR FROM seq_1_to_250;"
        "INSERT INTO oauth_state_used (state_hash, used_at)"
        " VALUES (SHA2('recent', 256), UTC_TIMESTAMP() - INTERVAL 23 HOUR)"))
    p = maint(env, "sweep")
    eq(p.returncode, 0, f"memo-maint sweep: {p.stderr}")
    check(re.fullmatch(r"sweep: [1-9]\d* expired sessions deleted\n"
                       r"sweep: 250 login states used over a day ago forgotten\n", p.stdout),
          p.stdout)
    eq(env.db.query("SELECT COUNT(*) FROM oauth_state_used WHERE used_at <"
                    " UTC_TIMESTAMP() - INTERVAL 1 DAY"), [["0"]], "no old state left")
    eq(env.db.query("SELECT COUNT(*) FROM oauth_state_used WHERE state_hash = SHA2('recent', 256)"),
       [["1"]], "the state used 23 hours ago is kept")
    eq(env.db.query(f"SELECT COUNT(*) FROM sessions WHERE session_key = '{dead}'"), [["0"]],
       "the expired session is gone")
    eq(env.db.query("SELECT COUNT(*) FROM sessions WHERE expires_at < UTC_TIMESTAMP()"),
       [["0"]], "no expired session left")
    eq(env.db.query(f"SELECT user_id FROM sessions WHERE session_key = '{alive}'"),
       [[naver_id(user)]], "the live session is kept")
    eq(live_b.get("/memo").status, 200, "and works")
    eq(gone_b.get("/memo").status, 401, "the expired one does not")


PREVIOUS = ["#회의 이전 버전이 쓴 메모", unicodedata.normalize("NFD", "#분해 맥에서 쓴 한글 메모"),
            "ABC #Work 대문자 100%"]


def previous_version_insert(env, sid, text, beyond=None):
    """The previous version's INSERT (common/db.c before issue 9): no search
    copy, no tags.  beyond: its id that many past the highest (the ids
    in between used and gone)."""
    mid = "NULL" if beyond is None else f"(SELECT MAX(id) + {int(beyond)} FROM memo AS t)"
    env.db.client(database="memo", stdin=(
        f"INSERT INTO memo (id, user_id, text, created_at) SELECT {mid}, user_id, "
        f"UNHEX('{text.encode().hex()}'), UTC_TIMESTAMP() FROM sessions "
        f"WHERE session_key = '{sha256_hex(sid)}' AND expires_at > UTC_TIMESTAMP()"))


@test
def maint_indexes_previous_version_memos(env):
    """memo-maint index: memos the previous version wrote (no search copy, no tags) get their search copy and tags; the API then finds them"""
    user = "정리 전의 이전 버전 사용자"
    b = logged_in(env, user)
    settle(env)
    for text in PREVIOUS:
        previous_version_insert(env, b.cookies["sessionId"], text)
    mids = ids(b)[::-1]
    eq(len(mids), 3, "three memos written the old way")
    for mid in mids:
        eq((memo_row(env, mid)["search"], tag_rows(env, mid)), (None, []), "not indexed yet")
    p = maint(env, "index")
    eq((p.returncode, p.stdout, p.stderr),
       (0, "index: 3 memos given their search copy and tags\n", ""), "memo-maint index")
    want_tags = [["회의"], ["분해"], ["Work"]]
    for mid, text, tags in zip(mids, PREVIOUS, want_tags):
        row = memo_row(env, mid)
        eq((row["text"], row["search"], row["version"], row["updated_at"]),
           (text, fold(text), 0, None), f"memo {mid}: text kept, search copy made")
        eq(tag_rows(env, mid), [(fold(t), t, naver_id(user)) for t in tags], f"memo {mid}: tags")
    eq(ids(b, qs(tag="회의")), [mids[0]], "found by tag")
    eq(ids(b, qs(tag="분해")), [mids[1]], "an NFD tag, found by its NFC name")
    eq(ids(b, qs(q="분해")), [mids[1]], "NFD text found by an NFC query")
    eq(ids(b, qs(tag="work", q="abc 100%")), [mids[2]], "case-insensitive tag and search")
    eq(b.get("/tags").json()["tags"], [{"name": "Work", "count": 1}, {"name": "분해", "count": 1},
                                       {"name": "회의", "count": 1}], "GET /tags")
    p = maint(env, "index")
    eq((p.returncode, p.stdout), (0, "index: 0 memos given their search copy and tags\n"),
       "a second run has nothing to do")


@test
def maint_runs_at_once(env):
    """memo-maint on every instance at once: a run that finds another holding the lock does nothing and exits 0; concurrent runs purge and index exactly once"""
    b = logged_in(env, "동시 정리")
    settle(env)
    settle(env, "purge")
    old = [trashed_memo(env, b, f"오래된 #휴지 {n}", 40) for n in range(3)]
    # Another deployment's memo-maint on the same server (its database
    # another) does not stop this one's: the lock is named by database.
    other = LockHolder(env, "memo-maint.memo_staging")
    try:
        p = maint(env, "sweep")
        check(p.returncode == 0 and p.stdout.startswith("sweep: "),
              f"another database's lock held: runs ({p.stdout!r})")
    finally:
        other.release()
    holder = LockHolder(env)
    try:
        p = maint(env)
        eq((p.returncode, p.stdout, p.stderr), (0, BUSY, ""), "while another instance runs")
        check(all(kept(env, mid) for mid in old), "nothing purged by it")
    finally:
        holder.release()
    previous_version_insert(env, b.cookies["sessionId"], "#동시 이전 버전 메모")
    unindexed = ids(b)[0]
    procs = [subprocess.Popen([MAINT], env={"PATH": "/usr/bin:/bin", "MEMO_CONFIG": env.config},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    outs = [p.communicate(timeout=60) + (p.returncode,) for p in procs]
    for out, err, rc in outs:
        eq((rc, err), (0, ""), f"every run exits 0: {out!r}")
        check(out == BUSY or out.startswith("purge: "), f"a whole run or nothing: {out!r}")
    ran = [out for out, _, _ in outs if out != BUSY]
    print(f"    saw: {len(ran)} of 4 runs did the work, {4 - len(ran)} found it busy")
    check(ran, "at least one run did the work")
    eq(sum(purged_count(out) for out in ran), 3, "the old trash purged exactly once in all")
    eq(sum(int(re.search(r"^index: (\d+)", out, re.M).group(1)) for out in ran), 1,
       "the unindexed memo indexed once in all")
    check(all(gone(env, mid) for mid in old), "the old trash is gone with its rows")
    eq(tag_rows(env, unindexed), [("동시", "동시", naver_id("동시 정리"))], "indexed")


@test
def maint_lock_null_is_a_failure(env):
    """memo-maint (fault build) whose GET_LOCK answers NULL, a server error and not another holder: exit 1 with the reason on stderr and the alarm's failure line, not 'another instance is running' and exit 0; nothing purged"""
    b = logged_in(env, "잠금 NULL")
    settle(env, "purge")
    old = trashed_memo(env, b, "잠금이 NULL일 때 #휴지", 40)
    p = maint(env, fault="lock_null")
    eq((p.returncode, p.stdout), (1, ""), "exit 1, no step run")
    check("maintenance lock: the server gave no answer (NULL)" in p.stderr and
          "failed: " in p.stderr, f"stderr says why: {p.stderr!r}")
    check(kept(env, old), "nothing purged")
    eq(purged_count(maint(env, "purge").stdout), 1, "the next run purges it")


@test
def maint_purge_batches_of_100(env):
    """memo-maint purge of 250 old memos in the trash, each with 3 revisions: three DELETEs of at most 100 memos (each its own transaction, its revisions, tags and search copy going with it), not one of 500, so a batch of memos full of revisions stays short; all gone"""
    b = logged_in(env, "백 개씩 정리")
    uid = naver_id("백 개씩 정리")
    settle(env, "purge")
    live, _ = new(b, "남을 #메모")
    env.db.client(database="memo", stdin=(
        "INSERT INTO memo (user_id, text, created_at, deleted_at)"
        f" SELECT '{uid}', CONCAT('버린 #묶음 ', seq), '2020-01-01',"
        " UTC_TIMESTAMP() - INTERVAL 31 DAY FROM seq_1_to_250;"
        "INSERT INTO memo_revision (memo_id, text, created_at)"
        " SELECT m.id, CONCAT(m.text, ' 판 ', s.seq), '2019-01-01' FROM memo m"
        f" JOIN seq_1_to_3 s WHERE m.user_id = '{uid}' AND m.deleted_at IS NOT NULL"))
    eq(maint(env, "index").returncode, 0, "their tags and search copies")
    trashed = [r[0] for r in env.db.query(
        f"SELECT id FROM memo WHERE user_id = '{uid}' AND deleted_at IS NOT NULL")]
    eq(len(trashed), 250, "250 in the trash")
    check(all(tag_rows(env, mid) for mid in trashed[::50]), "with tags")

    def deletes():
        return int(env.db.query("SHOW GLOBAL STATUS LIKE 'Com_delete'")[0][1])
    before = deletes()
    p = maint(env, "purge")
    eq((p.returncode, p.stdout), (0, "purge: 250 memos deleted for good (in the trash over 30 days)\n"),
       "memo-maint purge")
    eq(deletes() - before, 3, "three DELETEs: 100, 100 and 50")
    check(all(gone(env, mid) for mid in trashed[::25]), "gone with their revisions and tags")
    each = ", ".join(trashed)
    eq([env.db.query(f"SELECT COUNT(*) FROM {t} WHERE {c} IN ({each})")
        for t, c in (("memo", "id"), ("memo_revision", "memo_id"), ("memo_tag", "memo_id"),
                     ("memo_search", "memo_id"))],
       [[["0"]]] * 4, "none of the 250, nor a revision, tag or search copy of theirs")
    eq(ids(b), [live["id"]], "the live memo stays")


@test
def maint_usage_and_failures(env):
    """memo-maint: an unknown step is exit 2 with the usage; no database is exit 1 with the reason, quickly, and the reason says when no settings file was read"""
    p = maint(env, "everything")
    eq((p.returncode, p.stdout), (2, ""), "unknown step")
    check("usage: memo-maint [all | purge | sweep | index]" in p.stderr, p.stderr)
    eq(maint(env, "purge", "sweep").returncode, 2, "two steps")
    config = os.path.join(env.base, "memo-nodb.env")
    stack.write_env(config, dict(env.settings, DB_SOCKET=os.path.join(env.base, "no.sock")))
    t0 = time.monotonic()
    p = maint(env, config=config)
    took = time.monotonic() - t0
    eq((p.returncode, p.stdout), (1, ""), "database unreachable")
    check("database" in p.stderr and "failed" in p.stderr, f"stderr says why: {p.stderr!r}")
    # No socket there: nothing to wait for, not even DB_CONNECT_TIMEOUT.
    limit = int(env.settings["DB_CONNECT_TIMEOUT"]) + 3
    check(took < limit, f"it gave up quickly: {took:.1f}s (under {limit}s)")
    # What the stack's MaintFailures metric filter (memo.yaml) counts.
    pattern = re.search(r"MaintFailures:.*?FilterPattern: '\"([^\"]+)\"'",
                        open(os.path.join(stack.ROOT, "deploy/aws/memo.yaml")).read(), re.S)
    check(pattern and pattern.group(1) in p.stderr,
          f"the alarm's filter {pattern and pattern.group(1)!r} matches {p.stderr!r}")
    # A settings file it cannot read is a failure the alarm sees too.
    bad = os.path.join(env.base, "memo-bad.env")
    with open(bad, "w") as f:
        f.write("this is not a setting\n")
    p = maint(env, config=bad)
    check(p.returncode == 1 and pattern and pattern.group(1) in p.stderr and "line 1" in p.stderr,
          f"an unreadable settings file: {p.returncode} {p.stderr!r}")
    check(env.db.password not in p.stderr, "no password in the message")
    check("no settings file" not in p.stderr, f"a settings file was read: {p.stderr!r}")
    # By hand without MEMO_CONFIG: the default file, which a machine
    # without an install does not have; then every setting is a default.
    p = subprocess.run([MAINT], env={"PATH": "/usr/bin:/bin",
                                     "DB_SOCKET": os.path.join(env.base, "no.sock")},
                       capture_output=True, text=True, timeout=60)
    eq(p.returncode, 1, "no database")
    hint = "no settings file was read: MEMO_CONFIG is not set and /etc/memo/memo.env does not exist"
    eq(hint in p.stderr, not os.path.exists("/etc/memo/memo.env"),
       f"the log says no settings file was read, when none was: {p.stderr!r}")


@test
def maint_index_spans_id_windows(env):
    """memo-maint index asks for the memos without a search copy 10,000 ids a query (INDEX_WINDOW: over the whole table one query outlasted the read timeout once it was large, and failed every boot), up to the highest id at its start: memos of the previous version with ids 25,000 and 60,000 apart, windows with none, and 250 in a row (more than a batch in one window) are all indexed; a memo of this version among them is left as it is"""
    b = logged_in(env, "정리 구간 사용자")
    sid = b.cookies["sessionId"]
    settle(env)
    previous_version_insert(env, sid, "#구간 첫째")
    previous_version_insert(env, sid, "#구간 둘째", beyond=25000)
    r = b.post_json("/memo", {"text": "#구간 이번 버전"})
    eq(r.status, 200, "POST")
    previous_version_insert(env, sid, "#구간 셋째", beyond=60000)
    mids = ids(b)[::-1]
    eq(len(mids), 4, "four memos")
    check(mids[1] - mids[0] >= 25000 and mids[3] - mids[2] >= 60000, f"ids apart: {mids}")
    # And 250 in a row, more than a batch (200) in one window.
    env.db.client(database="memo", stdin=(
        "INSERT INTO memo (user_id, text, created_at) WITH RECURSIVE seq(n) AS"
        " (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 250)"
        " SELECT user_id, CONCAT('#구간묶음 ', n), UTC_TIMESTAMP() FROM seq, sessions"
        f" WHERE session_key = '{sha256_hex(sid)}'"))
    p = maint(env, "index")
    eq((p.returncode, p.stdout, p.stderr),
       (0, "index: 253 memos given their search copy and tags\n", ""), "memo-maint index")
    for mid, text in zip(mids, ("#구간 첫째", "#구간 둘째", "#구간 이번 버전", "#구간 셋째")):
        eq(memo_row(env, mid)["search"], fold(text), f"memo {mid}: its search copy")
    eq(sorted(ids(b, qs(tag="구간"))), mids, "all four found by their tag")
    eq(len(ids(b, qs(tag="구간묶음"))), 250, "the 250 found by theirs")
    eq(maint(env, "index").stdout, "index: 0 memos given their search copy and tags\n",
       "a second run has nothing to do")


@test
def maint_index_time_budget(env):
    """memo-maint index with MEMO_INDEX_SECONDS (a boot sets it: the first roll-out onto many memos older than migration 003 must not spend the boot's time limit on them and fail) stops between two memos once it is spent (the fault build's index_time_up), says so, exits 0, and the next run does the rest; a value that is not a number of seconds is no bound, and the log says so"""
    b = logged_in(env, "정리 예산 사용자")
    sid = b.cookies["sessionId"]
    settle(env)
    for i in range(5):
        previous_version_insert(env, sid, f"#예산 {i}")
    # Spent before the second memo.
    p = maint(env, "index", fault="index_time_up:2", MEMO_INDEX_SECONDS="60")
    eq((p.returncode, p.stdout, p.stderr),
       (0, "index: 1 memos given their search copy and tags\n"
           "index: stopped after 60 s (MEMO_INDEX_SECONDS): the rest at the next run\n", ""),
       "cut after one memo")
    mids = ids(b)[::-1]

    def copies():
        return [memo_row(env, mid)["search"] is not None for mid in mids]
    eq(copies(), [True, False, False, False, False], "the oldest has its search copy")
    p = maint(env, "index", fault="index_time_up:2")
    eq(p.stdout, "index: 4 memos given their search copy and tags\n", "no budget: no cut")
    eq(copies(), [True] * 5, "all five have theirs")
    previous_version_insert(env, sid, "#예산 더")
    p = maint(env, "index", MEMO_INDEX_SECONDS="1m")
    eq((p.returncode, p.stdout), (0, "index: 1 memos given their search copy and tags\n"),
       "1m: no bound")
    check("MEMO_INDEX_SECONDS is not a number of seconds" in p.stderr, p.stderr)


@test
def maint_index_deadlock_run_again(env):
    """memo-maint index (fault build), each statement in turn picked as a deadlock's victim: in a memo's transaction (search copy, tags), run again, the memo indexed once, exit 0; a read before it, alone, exit 1 saying why, the memo left for the next run"""
    b = logged_in(env, "정리 교착 사용자")
    sid = b.cookies["sessionId"]
    settle(env)
    seen, mid = [], None
    # The unindexed memos are asked for a window of ids at a time: one
    # query for each window below this memo's (how many depends on the
    # ids the tests before have used).
    top = int(env.db.query("SELECT COALESCE(MAX(id), 0) FROM memo", database="memo")[0][0])
    for n in range(1, top // 10000 + 20):
        if mid is None:                     # a memo the previous version wrote
            previous_version_insert(env, sid, "#교착 이전 버전 메모")
            mid = ids(b)[0]
        p = maint(env, "index", fault=f"db_deadlock:{n}")
        victim = re.search(r"database: ([a-z ]+): 1213", p.stderr)
        if victim is None:                  # past the last statement
            eq((p.returncode, p.stdout), (0, "index: 1 memos given their search copy and tags\n"),
               "no victim")
            break
        what = victim.group(1)
        seen.append((what, p.returncode, "runs again" in p.stderr))
        row = memo_row(env, mid)
        if p.returncode != 0:
            eq((p.stdout, row["search"], tag_rows(env, mid)), ("", None, []),
               f"{what} a victim: nothing printed, nothing written")
            check("failed" in p.stderr, f"{what} a victim: stderr says so: {p.stderr!r}")
            continue
        eq(p.stdout, "index: 1 memos given their search copy and tags\n", f"{what}: the count")
        eq((row["search"], tag_rows(env, mid)),
           (fold("#교착 이전 버전 메모"), [("교착", "교착", naver_id("정리 교착 사용자"))]),
           f"{what} a victim: the search copy and one tag row")
        mid = None
    seen = [w for i, w in enumerate(seen) if i == 0 or w != seen[i - 1]]
    eq(seen, [("maintenance lock", 1, False), ("memo id top", 1, False),
              ("unindexed memos", 1, False),
              ("memo read", 1, False), ("memo reindex", 0, True), ("tag clear", 0, True),
              ("tag insert", 0, True)],
       "each statement a victim: (statement, exit, run again)")


@test
def maint_purge_leaves_new_memos_alone(env):
    """memo-maint purge waiting for a row another transaction holds (the second of two memos over 30 days in the trash) holds up no one's new memo: POST /memo answers at once (under REPEATABLE READ the purge's scan locked the gap before the oldest deleted_at, where every new memo goes, and the POST waited); once the row is let go, both are purged"""
    b = logged_in(env, "정리 중 새 메모")
    settle(env, "purge")
    first = trashed_memo(env, b, "먼저 버린 #정리중", 40)
    held = trashed_memo(env, b, "나중에 버린 #정리중", 35)
    lock = TextLock(env, held)
    took, r = None, None
    try:
        run = maint_waiting(env, "purge")
        check(lock_wait(env, run, "DELETE FROM memo WHERE deleted_at"),
              "memo-maint purge waits for the held row")
        time.sleep(0.5)                     # its scan well into the index
        t0 = time.monotonic()
        r = b.post_json("/memo", {"text": "정리하는 동안 쓴 메모"}, timeout=15)
        took = time.monotonic() - t0
    finally:
        lock.close()                        # lets the purge go on
    out, err = run.communicate(timeout=60)
    eq(r.status, 200, f"POST /memo during the purge: {r.body[:200]!r}")
    check(took < 2, f"answered at once: {took:.1f} s")
    eq((run.returncode, out, err),
       (0, "purge: 2 memos deleted for good (in the trash over 30 days)\n", ""),
       "memo-maint purge, once the row was let go")
    check(gone(env, first) and gone(env, held), "both purged")
    eq([m["text"] for m in b.get("/memo").json()["memos"]], ["정리하는 동안 쓴 메모"],
       "the new memo is there")
    print(f"    saw: POST /memo during the purge's wait: {took:.2f} s")


@test
def maint_purge_isolation_cut(env):
    """memo-maint purge (fault build) with the server gone at its switch to READ COMMITTED: exit 1 naming it, nothing deleted; gone at the switch back, after the batches: exit 1 naming it, the purge done (the next run has nothing to do)"""
    b = logged_in(env, "정리 격리 끊김")
    settle(env, "purge")
    old = trashed_memo(env, b, "격리 전 #끊김", 31)
    p = maint(env, "purge", fault="db_cut_at_query:1")
    eq((p.returncode, p.stdout), (1, ""), "cut at the switch")
    check("database: isolation level: " in p.stderr, f"the log: {p.stderr!r}")
    check(kept(env, old), "nothing deleted")
    p = maint(env, "purge", fault="db_cut_at_query:2")
    eq((p.returncode, p.stdout), (1, ""), "cut at the switch back")
    check("database: isolation level: " in p.stderr, f"the log: {p.stderr!r}")
    check(gone(env, old), "the purge was done")
    p = maint(env, "purge", fault="db_cut_at_query:3")
    eq((p.returncode, purged_count(p.stdout)), (0, 0), "past the last query: nothing left to do")


@test
def maint_purge_sweep_deadlock_run_again(env):
    """memo-maint purge and sweep (fault build), each statement in turn picked as a deadlock's victim: a batch's DELETE, its own transaction, runs again and deletes once, exit 0; the lock before it, exit 1 and nothing deleted"""
    user = "정리 교착 휴지통"
    b = logged_in(env, user)
    for step in ("purge", "sweep"):
        settle(env, step)
        seen, victim_of = [], None
        for n in range(1, 6):
            if victim_of is None:           # something for the step to delete
                b2 = logged_in(env, user)
                old = trashed_memo(env, b, "오래된 #교착", 31)
                dead = sha256_hex(b2.cookies["sessionId"])
                env.db.client(database="memo", stdin=(
                    "UPDATE sessions SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 MINUTE "
                    f"WHERE session_key = '{dead}'"))
                victim_of = (old, dead)
            p = maint(env, step, fault=f"db_deadlock:{n}")
            victim = re.search(r"database: ([a-z ]+): 1213", p.stderr)
            if victim is None:              # past the last statement
                eq(p.returncode, 0, f"{step}: no victim")
                break
            seen.append((victim.group(1), p.returncode, "runs again" in p.stderr))
            old, dead = victim_of
            left = (memo_row(env, old) is not None,
                    env.db.query(f"SELECT COUNT(*) FROM sessions WHERE session_key = '{dead}'"))
            if p.returncode != 0:
                eq((p.stdout, left), ("", (True, [["1"]])), f"{step}: nothing deleted")
                continue
            want = {"purge": "purge: 1 memos deleted for good (in the trash over 30 days)\n",
                    "sweep": "sweep: 1 expired sessions deleted\n"
                             "sweep: 0 login states used over a day ago forgotten\n"}[step]
            eq(p.stdout, want, f"{step}: deleted once")
            if step == "purge":
                check(gone(env, old), "purge: the memo gone with its revisions and tags")
            else:
                eq(left[1], [["0"]], "sweep: the session gone")
            victim_of = None
        eq(seen, [("maintenance lock", 1, False)] + (
                  [("trash purge", 0, True)] if step == "purge" else
                  [("session sweep", 0, True), ("state sweep", 0, True)]),
           f"{step}: each statement a victim: (statement, exit, run again)")
    settle(env, "all")


@test
def edit_of_previous_version_memo(env):
    """A memo the previous version wrote, edited before memo-maint ran: memo-maint gives it the search copy and tags of its new text"""
    user = "이전 메모 고치기"
    b = logged_in(env, user)
    settle(env)
    for text in ("#회의 옛 글", "#메모 #회의 옛 글 둘"):
        previous_version_insert(env, b.cookies["sessionId"], text)
    same, other = ids(b)[::-1]
    # The same tags in the new text, and other ones.
    edits = {same: "#회의 새 버전에서 고침", other: "#할일 로 바꿈"}
    for mid, text in edits.items():
        r = patch(b, mid, {"text": text})
        eq(r.status, 200, "PATCH")
        eq(r.json()["tags"], [t.lstrip("#") for t in text.split() if t.startswith("#")],
           "the answer's tags")
    p = maint(env, "index")
    eq((p.returncode, p.stdout), (0, "index: 2 memos given their search copy and tags\n"),
       "memo-maint index")
    for mid, text in edits.items():
        row = memo_row(env, mid)
        eq((row["text"], row["search"]), (text, fold(text)), "the new text's search copy")
        eq(tag_rows(env, mid), [(fold(t), t, naver_id(user)) for t in
                                [w.lstrip("#") for w in text.split() if w.startswith("#")]],
           f"memo_tag rows of {text!r}")
    eq(ids(b, qs(tag="회의")), [same], "found by its tag")
    eq(ids(b, qs(q="고침")), [same], "found by a word of its new text")
    eq(ids(b, qs(q="옛")), [], "not by its old text")


class TextLock:
    """A writer of our own holding a memo's row FOR UPDATE: memo-maint's
    write of that memo's search copy waits for it."""

    def __init__(self, env, mid):
        self.p = subprocess.Popen(
            ["mariadb", "--no-defaults", "-S", env.db.socket, "-u", "root", "--batch",
             "--skip-column-names", "--unbuffered", "memo"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.mid = int(mid)
        self.say(f"BEGIN; SELECT id FROM memo WHERE id = {self.mid} FOR UPDATE;")
        eq(self.p.stdout.readline().strip(), str(self.mid), "the memo row is locked")

    def say(self, sql):
        self.p.stdin.write(sql + "\n")
        self.p.stdin.flush()

    def edit_and_commit(self, text):
        """What an edit by the new version writes to a memo without a
        search copy (ST_MEMO_UPDATE, ST_REV_SAVE), then COMMIT."""
        self.say("INSERT INTO memo_revision (memo_id, text, created_at) SELECT id, text, "
                 f"COALESCE(updated_at, created_at) FROM memo WHERE id = {self.mid}; "
                 f"UPDATE memo SET text = UNHEX('{text.encode().hex()}'), "
                 "updated_at = UTC_TIMESTAMP(), version = version + 1 "
                 f"WHERE id = {self.mid}; COMMIT; SELECT 'done';")
        eq(self.p.stdout.readline().strip(), "done", "committed")

    def close(self):
        self.p.stdin.close()
        self.p.wait(30)
        self.p.stdout.close()
        self.p.stderr.close()


def lock_wait(env, proc, sql="INSERT IGNORE INTO memo_search", seconds=20):
    """True once memo-maint's statement starting with sql (by default its
    write of a search copy) is running, blocked by our lock; False if proc
    ended first or it did not within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        if env.db.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                        f"WHERE INFO LIKE '{sql}%'") != [["0"]]:
            return True
        time.sleep(0.05)
    return False


def maint_waiting(env, step):
    """memo-maint step started in the background, with a read timeout long
    enough that it still waits for our lock when we find it waiting,
    however loaded the machine is."""
    config = os.path.join(env.base, "memo-maint-slow-read.env")
    stack.write_env(config, dict(env.settings, DB_READ_TIMEOUT="20"))
    return subprocess.Popen([MAINT, step], env={"PATH": "/usr/bin:/bin", "MEMO_CONFIG": config},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@test
def maint_index_races_an_edit(env):
    """memo-maint index and an edit committed between its read and its write: the search copy is never the replaced text's"""
    user = "인덱스 경합"
    b = logged_in(env, user)
    previous_version_insert(env, b.cookies["sessionId"], "#옛태그 바뀌기 전의 글")
    mid = ids(b)[0]
    lock = TextLock(env, mid)
    try:
        run = maint_waiting(env, "index")
        if not lock_wait(env, run):
            lock.close()
            out, err = run.communicate(timeout=60)
            raise Failed(f"memo-maint did not wait to write its copy: rc {run.returncode}, "
                         f"{out!r} {err!r}")
        lock.edit_and_commit("#새태그 바뀐 뒤의 글")
        out, err = run.communicate(timeout=60)
    finally:
        lock.close()
    eq((run.returncode, err), (0, ""), f"memo-maint index: {out!r}")
    row = memo_row(env, mid)
    eq(row["text"], "#새태그 바뀐 뒤의 글", "the edit is kept")
    check(row["search"] in (None, fold(row["text"])),
          f"the search copy is the new text's or not made yet: {row['search']!r}")
    check(tag_rows(env, mid) in ([], [("새태그", "새태그", naver_id(user))]),
          f"no tag row of the replaced text: {tag_rows(env, mid)}")
    print(f"    saw: memo-maint said {out.strip()!r}; copy "
          f"{'made' if row['search'] else 'left for the next run'}")
    p = maint(env, "index")
    eq(p.returncode, 0, "the next run")
    eq(memo_row(env, mid)["search"], fold("#새태그 바뀐 뒤의 글"), "then the copy is made")
    eq(tag_rows(env, mid), [("새태그", "새태그", naver_id(user))], "with the new text's tags")
    eq(ids(b, qs(tag="새태그")), [mid], "found by its new tag")
    eq(ids(b, qs(tag="옛태그")), [], "not by the old one")
