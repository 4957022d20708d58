"""test_account.py - the person owns their data (issue 10), through lighttpd:
GET /account and its sessions, ending another device's session, logout
everywhere, GET /export (JSON and Markdown), POST /import, and withdrawal
(탈퇴) in each of its paths, with the Naver double's log and every table
checked afterwards.  Run in CGI and in FastCGI mode (tests/run.py)."""
import datetime
import hashlib
import json
import os
import re
import subprocess
import threading
import time
import urllib.parse

import lib
from lib import (Browser, check, code_for, eq, http_get, http_post_form, logs_of, naver_id,
                 sha256_hex, start_login, test)
from test_api import (check_error, fold, handler_reads, import_gate_held, many_memos,
                      request_held, row_held)
from test_e2e import logged_in
from test_fault import error_answer, raw_request

UA = "Mozilla/5.0 (X11; Linux x86_64) memo-test/1.0"
KST = datetime.timezone(datetime.timedelta(hours=9))
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
# Every table that holds rows of a user (schema/001, 003, 004).
TABLES = ("user", "sessions", "memo", "memo_revision", "memo_tag", "memo_search")


def say(msg):
    print(f"    saw: {msg}", flush=True)


def rows_of(env, uid):
    """How many rows of each table belong to user uid."""
    q = {"user": f"SELECT COUNT(*) FROM `user` WHERE id = '{uid}'",
         "sessions": f"SELECT COUNT(*) FROM sessions WHERE user_id = '{uid}'",
         "memo": f"SELECT COUNT(*) FROM memo WHERE user_id = '{uid}'",
         "memo_revision": "SELECT COUNT(*) FROM memo_revision r JOIN memo m"
                          f" ON m.id = r.memo_id WHERE m.user_id = '{uid}'",
         "memo_tag": f"SELECT COUNT(*) FROM memo_tag WHERE user_id = '{uid}'",
         "memo_search": f"SELECT COUNT(*) FROM memo_search WHERE user_id = '{uid}'"}
    return {t: int(env.db.query(q[t])[0][0]) for t in TABLES}


def everything(env):
    """Every row of every table, for "nothing changed" checks."""
    return {t: env.db.query(f"SELECT * FROM `{t}` ORDER BY 1, 2") for t in TABLES}


def login_as(env, name, ua=UA, scenario="ok"):
    """A browser logged in as name, sending User-Agent ua at login."""
    b = Browser(env.web.url)
    state, _ = start_login(b)
    r = b.get("/auth?" + urllib.parse.urlencode({"code": code_for(name, scenario),
                                                 "state": state}),
              headers={"User-Agent": ua.encode()} if ua is not None else None)
    eq(r.status, 302, f"login of {name}")
    return b


def patch(b, mid, obj):
    r = b.request("PATCH", f"/memo/{mid}", body=json.dumps(obj).encode(),
                  headers={"Content-Type": "application/json"})
    eq(r.status, 200, f"PATCH /memo/{mid}")
    return r.json()


def fill(b):
    """A user's memos of every kind: plain, pinned, tagged, edited twice
    (two revisions), and two in the trash (one edited first)."""
    ids = {}
    ids["plain"] = b.post_json("/memo", {"text": "그냥 메모"}).json()["id"]
    ids["pinned"] = b.post_json("/memo", {"text": "고정 #중요", "pinned": True}).json()["id"]
    ids["edited"] = b.post_json("/memo", {"text": "초안 #회의"}).json()["id"]
    patch(b, ids["edited"], {"text": "둘째 판 #회의 #work/plan"})
    patch(b, ids["edited"], {"text": "셋째 판 #회의\n여러 줄 \"따옴표\" <b>"})
    ids["trash"] = b.post_json("/memo", {"text": "버린 메모 #휴지통"}).json()["id"]
    ids["trash_edited"] = b.post_json("/memo", {"text": "고친 뒤 버림"}).json()["id"]
    patch(b, ids["trash_edited"], {"text": "고친 뒤 버림 (2)", "pinned": True})
    for k in ("trash", "trash_edited"):
        eq(b.request("DELETE", f"/memo/{ids[k]}").status, 204, f"DELETE {k}")
    return ids


def export(b, query=""):
    r = b.get("/export" + query)
    eq(r.status, 200, f"GET /export{query}: {r.body[:300]!r}")
    return r


def kst_days():
    """Today in Korea (and a minute ago, for a run across midnight)."""
    now = datetime.datetime.now(KST)
    return {now.strftime("%Y%m%d"), (now - datetime.timedelta(minutes=1)).strftime("%Y%m%d")}


def without_ids(memos):
    """Memos as a round trip must give them back: everything but ids."""
    out = []
    for m in memos:
        m = {k: v for k, v in m.items() if k != "id"}
        m["revisions"] = [{k: v for k, v in r.items() if k != "id"} for r in m["revisions"]]
        out.append(m)
    return out


# ---- GET /account, sessions, logout everywhere ----

@test
def account_lists_sessions(env):
    """GET /account: name, created_at, memo and trash counts, every live session with an opaque id, its User-Agent (cut to 200 characters) and which is current"""
    name = "계정 보기"
    long_ua = "한국어 브라우저 \t " + "가" * 300
    a = login_as(env, name)
    other = login_as(env, name, ua=long_ua)
    fill(a)
    r = a.get("/account")
    eq(r.status, 200, "status")
    eq(r.header("Content-Type"), "application/json; charset=utf-8", "type")
    acc = r.json()
    eq(list(acc), ["name", "created_at", "memos", "trash", "sessions"], "keys in order")
    eq((acc["name"], acc["memos"], acc["trash"]), (name, 3, 2), "name and counts")
    check(STAMP.match(acc["created_at"]), acc["created_at"])
    made = datetime.datetime.strptime(acc["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)
    check(abs((datetime.datetime.now(datetime.timezone.utc) - made).total_seconds()) < 600,
          f"created_at is now, in UTC: {acc['created_at']}")
    sess = acc["sessions"]
    eq(len(sess), 2, "two sessions")
    # Both were made within the second: which comes first is not said.
    sess.sort(key=lambda s: not s["current"])
    eq([s["current"] for s in sess], [True, False], "one is current")
    uid = naver_id(name)
    rows = dict(env.db.query(f"SELECT session_key, public_id FROM sessions WHERE user_id = '{uid}'"))
    cookies = {a.cookies["sessionId"], other.cookies["sessionId"]}
    for s in sess:
        eq(list(s), ["id", "created_at", "expires_at", "user_agent", "current"], "session keys")
        check(re.fullmatch(r"[0-9a-f]{32}", s["id"]), f"opaque id {s['id']!r}")
        check(s["id"] not in cookies and s["id"] not in {sha256_hex(c) for c in cookies} and
              all(s["id"] not in c and s["id"] not in sha256_hex(c) for c in cookies),
              "the id is neither a cookie nor its hash, nor part of one")
        check(s["id"] in rows.values(), "the id is the row's public_id")
        check(STAMP.match(s["created_at"]) and STAMP.match(s["expires_at"]), str(s))
        check(s["expires_at"] > s["created_at"], "expires after it was made")
    eq(sess[0]["user_agent"], UA, "this browser's User-Agent")
    want = ("한국어 브라우저   " + "가" * 300)[:200]
    eq(sess[1]["user_agent"], want, "the other's, cut to 200 characters, control character a space")
    eq(len(sess[1]["user_agent"]), 200, "200 characters")
    # The other browser sees the same list with itself current.
    eq({s["user_agent"]: s["current"] for s in other.get("/account").json()["sessions"]},
       {UA: False, want: True}, "current from the other browser")
    say(f"{len(sess)} sessions, ids {[s['id'][:8] + '…' for s in sess]}")


@test
def account_requires_session_and_methods(env):
    """/account, /export, /import: 401 JSON without a live session; 405 with Allow; 404 for unknown paths and malformed ids"""
    b = Browser(env.web.url)
    for method, path in (("GET", "/account"), ("DELETE", "/account/sessions/" + "a" * 32),
                         ("GET", "/export"), ("GET", "/export?format=md"),
                         ("POST", "/import")):
        r = b.request(method, path, body=b"{}" if method == "POST" else None,
                      headers={"Content-Type": "application/json"})
        eq((r.status, r.json()), (401, {"error": "login required"}), f"{method} {path}")
    b.cookies["sessionId"] = "D" * 43          # well-formed, but nobody's
    for method, path in (("GET", "/account"), ("GET", "/export")):
        eq(b.request(method, path).status, 401, f"{method} {path} with a dead cookie")
    u = logged_in(env, "계정 방법")
    for method, path, allow in (("POST", "/account", "GET"), ("PUT", "/account", "GET"),
                                ("GET", "/account/sessions/" + "a" * 32, "DELETE"),
                                ("POST", "/export", "GET"), ("DELETE", "/export", "GET"),
                                ("GET", "/import", "POST"), ("PUT", "/import", "POST")):
        r = u.request(method, path)
        check_error(r, 405, f"{method} {path}", {"error": "method not allowed"})
        eq(r.header("Allow"), allow, f"{method} {path} Allow")
    for path in ("/account/x", "/account/sessions", "/account/sessions/", "/account/sessions/a/b",
                 "/account/sessions/" + "a" * 65, "/account/sessions/a%21b", "/export/x"):
        r = u.request("DELETE" if "sessions" in path else "GET", path)
        check_error(r, 404, path, {"error": "not found"})
    check_error(u.get("/export?format=pdf"), 400, "unknown format",
                {"error": "format must be json or md"})


@test
def end_another_devices_session(env):
    """DELETE /account/sessions/{id}: that browser gets 401; another user's or an unknown id is 404; ending this one expires its cookie"""
    name = "다른 기기"
    phone, laptop = login_as(env, name, ua="phone"), login_as(env, name, ua="laptop")
    intruder = login_as(env, "남의 세션")
    sess = phone.get("/account").json()["sessions"]
    lap = next(s for s in sess if s["user_agent"] == "laptop")
    mine = next(s for s in sess if s["current"])
    # Another user cannot end it, and learns nothing: the same 404 as none.
    r1 = intruder.request("DELETE", f"/account/sessions/{lap['id']}")
    r2 = intruder.request("DELETE", "/account/sessions/" + "0" * 32)
    eq((r1.status, r1.body), (r2.status, r2.body), "another user's id answers as no id")
    check_error(r1, 404, "another user's id", {"error": "no such session"})
    eq(laptop.get("/memo").status, 200, "the laptop still works")
    r = phone.request("DELETE", f"/account/sessions/{lap['id']}")
    eq(r.status, 204, "end the laptop's session")
    eq(r.body, b"", "no body")
    check(not r.all("Set-Cookie"), "the phone's cookie is left alone")
    for path in ("/memo", "/account", "/export"):
        eq(laptop.get(path).status, 401, f"the laptop: {path}")
    eq(env.db.query(f"SELECT COUNT(*) FROM sessions WHERE public_id = '{lap['id']}'"), [["0"]],
       "its row is gone")
    eq(phone.request("DELETE", f"/account/sessions/{lap['id']}").status, 404, "again: 404")
    eq(phone.get("/memo").status, 200, "the phone still works")
    eq([s["id"] for s in phone.get("/account").json()["sessions"]], [mine["id"]],
       "only the phone is left")
    r = phone.request("DELETE", f"/account/sessions/{mine['id']}")
    eq(r.status, 204, "end this very session")
    check(any(c.startswith("sessionId=;") and "Max-Age=0" in c for c in r.all("Set-Cookie")),
          f"its cookie expired: {r.all('Set-Cookie')}")
    eq(rows_of(env, naver_id(name))["sessions"], 0, "no session left")
    eq(intruder.get("/memo").status, 200, "the other user is untouched")


@test
def session_of_the_previous_version(env):
    """A session row without public_id or user_agent (the previous version's): listed with a derived id and user_agent null, and ended by that id"""
    name = "이전 버전 세션"
    b = login_as(env, name)
    uid = naver_id(name)
    sid = "Old" + "x" * 40
    key = sha256_hex(sid)
    env.db.client(database="memo", stdin=(
        "INSERT INTO sessions (session_key, user_id, created_at, expires_at) VALUES "
        f"('{key}', '{uid}', UTC_TIMESTAMP() - INTERVAL 1 HOUR,"
        " UTC_TIMESTAMP() + INTERVAL 1 DAY)"))
    old = Browser(env.web.url)
    old.cookies["sessionId"] = sid
    sess = b.get("/account").json()["sessions"]
    eq(len(sess), 2, "both listed")
    legacy = sess[1]
    derived = hashlib.sha256(("memo-session/" + key).encode()).hexdigest()[:32]
    eq((legacy["id"], legacy["user_agent"], legacy["current"]), (derived, None, False),
       "derived id, no user agent")
    check(legacy["id"] != key[:32], "not the hash")
    eq([s["current"] for s in old.get("/account").json()["sessions"]], [False, True],
       "the old session sees itself as current")
    eq(b.request("DELETE", f"/account/sessions/{derived}").status, 204, "ended by that id")
    eq(old.get("/memo").status, 401, "that browser is logged out")
    eq(b.get("/memo").status, 200, "this one is not")


@test
def logout_everywhere(env):
    """POST /logout?all=1 ends every session of the user (this one too) and answers as logout does; others' sessions stay; another site's POST /logout is 403 and expires no cookie"""
    name = "모든 기기 로그아웃"
    browsers = [login_as(env, name, ua=f"기기 {i}") for i in range(3)]
    bystander = logged_in(env, "구경꾼")
    uid = naver_id(name)
    eq(rows_of(env, uid)["sessions"], 3, "three sessions")
    r = browsers[0].request("POST", "/logout?all=1")
    eq(r.status, 303, "status as logout")
    eq(r.header("Location"), "./", "home")
    check("Max-Age=0" in r.header("Set-Cookie"), "cookie expired")
    eq(rows_of(env, uid)["sessions"], 0, "every session row gone")
    for i, b in enumerate(browsers[1:], 1):
        b2 = Browser(env.web.url)
        b2.cookies = dict(b.cookies)
        eq(b2.get("/memo").status, 401, f"device {i}")
    eq(bystander.get("/memo").status, 200, "another user's session stays")
    eq(rows_of(env, uid)["user"], 1, "the user stays")
    # Without a session there is nobody to log out everywhere.
    r = Browser(env.web.url).request("POST", "/logout?all=1")
    eq(r.status, 401, "all=1 without a session")
    check("로그인이 필요합니다" in r.text, "Korean page")
    eq(bystander.request("POST", "/logout?all=2").status, 400, "all=2")
    r = bystander.request("GET", "/logout?all=1")
    eq((r.status, r.header("Allow")), (405, "POST"), "GET")
    # Another site's form (its POST carries no cookie, SameSite=Lax): its
    # answer must not expire this browser's cookie either.
    for q in ("", "?all=1"):
        for site in ("cross-site", "same-site", "none"):
            r = bystander.request("POST", "/logout" + q, headers={"Sec-Fetch-Site": site})
            eq((r.status, r.all("Set-Cookie")), (403, []), f"POST /logout{q} from {site}")
            check('lang="ko"' in r.text, f"{site}: a Korean page")
    eq(bystander.get("/memo").status, 200, "still logged in after the refusals")
    r = bystander.request("POST", "/logout", headers={"Sec-Fetch-Site": "same-origin"})
    eq(r.status, 303, "from our own page: logged out")


@test
def sessions_capped_per_user(env):
    """A user keeps the newest 50 sessions: the 51st login deletes the oldest (its browser gets 401, its row is gone); the newest and every other device still work"""
    name = "세션 상한"
    uid = naver_id(name)
    first = login_as(env, name, ua="첫 기기")
    first_key = sha256_hex(first.cookies["sessionId"])
    time.sleep(1.1)     # created_at counts seconds: the first is then the oldest
    others = [login_as(env, name, ua=f"기기 {i}") for i in range(49)]
    eq(rows_of(env, uid)["sessions"], 50, "50 logins, 50 sessions")
    eq(first.get("/memo").status, 200, "the 50th login ends nothing")
    newest = login_as(env, name, ua="51번째 기기")
    eq(rows_of(env, uid)["sessions"], 50, "51 logins, 50 sessions")
    eq(env.db.query(f"SELECT COUNT(*) FROM sessions WHERE session_key = '{first_key}'"),
       [["0"]], "the oldest session's row is gone")
    r = first.get("/memo")
    eq(r.status, 401, "the oldest browser is logged out")
    eq(newest.get("/memo").status, 200, "the newest works")
    eq([b.get("/memo").status for b in (others[0], others[-1])], [200, 200],
       "the other devices work")
    sessions = newest.get("/account").json()["sessions"]
    eq((len(sessions), [x["user_agent"] for x in sessions if x["current"]]),
       (50, ["51번째 기기"]), "GET /account: 50 sessions, this one among them")
    check("첫 기기" not in [x["user_agent"] for x in sessions], "the first device is not listed")
    say(f"51 logins: {rows_of(env, uid)['sessions']} session rows, the oldest 401")


# ---- export ----

@test
def export_json(env):
    """GET /export: an attachment memo-YYYYMMDD.json with every live memo and the trash, each with its revisions, exactly as the API shows them"""
    name = "내보내기"
    b = logged_in(env, name)
    ids = fill(b)
    r = export(b)
    eq(r.header("Content-Type"), "application/json; charset=utf-8", "type")
    disp = r.header("Content-Disposition")
    m = re.fullmatch(r'attachment; filename="memo-(\d{8})\.json"', disp or "")
    check(m and m.group(1) in kst_days(), f"Content-Disposition {disp!r}")
    x = r.json()
    eq(list(x), ["format", "version", "exported_at", "user", "memos", "trash"], "keys")
    eq((x["format"], x["version"], x["user"]), ("memo-export", 1, {"name": name}), "header")
    check(STAMP.match(x["exported_at"]), x["exported_at"])

    def with_revisions(memos):
        return [dict(m, revisions=b.get(f"/memo/{m['id']}/revisions").json()["revisions"])
                for m in memos]
    eq(x["memos"], with_revisions(b.get("/memo").json()["memos"]), "memos as GET /memo")
    eq(x["trash"], with_revisions(b.get("/memo?trash=true").json()["memos"]),
       "trash as GET /memo?trash=true")
    edited = next(m for m in x["memos"] if m["id"] == ids["edited"])
    eq([v["text"] for v in edited["revisions"]], ["둘째 판 #회의 #work/plan", "초안 #회의"],
       "revisions newest first")
    eq(len(x["trash"]), 2, "two in the trash")
    eq(logged_in(env, "빈 내보내기").get("/export").json()["memos"], [], "an empty account")
    say(f"{len(r.body)} bytes, {len(x['memos'])} memos, {len(x['trash'])} in the trash")


@test
def export_markdown(env):
    """GET /export?format=md: text/markdown, memo-YYYYMMDD.md, the live memos under their (Korean) dates, not the trash"""
    b = logged_in(env, "마크다운")
    fill(b)
    # A memo that forges a date's and a memo's heading, then opens a
    # comment and a fence that would hide every memo after it.
    forged = "위조\n## 2024-03-02\n\n### 00:30\n\n가짜 메모\n<!-- 숨김\n```"
    eq(b.post_json("/memo", {"text": forged}).status, 200, "the forging memo")
    env.db.client(database="memo", stdin=(
        "UPDATE memo SET created_at = '2024-03-01 15:30:00' WHERE text = '그냥 메모'"
        f" AND user_id = '{naver_id('마크다운')}'"))
    r = export(b, "?format=md")
    eq(r.header("Content-Type"), "text/markdown; charset=utf-8", "type")
    m = re.fullmatch(r'attachment; filename="memo-(\d{8})\.md"', r.header("Content-Disposition"))
    check(m and m.group(1) in kst_days(), r.header("Content-Disposition"))
    t = r.text
    check(t.startswith("# 마크다운님의 메모\n\n내보낸 때: "), t[:80])
    check("## 2024-03-02\n\n### 00:30\n\n그냥 메모\n" in t,
          "a memo written 2024-03-01 15:30 UTC is under 2024-03-02, 00:30 in Korea")
    check("### " in t and " · 고정\n\n고정 #중요\n" in t, "the pinned one is marked")
    # As written, but for a backslash where Markdown would make HTML of it.
    check("셋째 판 #회의\n여러 줄 \"따옴표\" \\<b>\n" in t, "texts as written")
    check("위조\n\\## 2024-03-02\n\n\\### 00:30\n\n가짜 메모\n\\<!-- 숨김\n\\```\n\n"
          in t, "no heading, comment or fence of a memo's own")
    eq(len(re.findall(r"^## 2024-03-02$", t, re.M)), 1, "2024-03-02's heading once")
    check("버린 메모" not in t and "고친 뒤 버림" not in t, "nothing from the trash")
    check(t.index("셋째 판") < t.index("그냥 메모"), "newest first")
    eq(len(re.findall(r"^## ", t, re.M)), 2, "one heading per date")


@test
def export_head(env):
    """HEAD /export and HEAD /export?format=md: GET's status, type and attachment name, no body, and no memo read (of an account's 1,000 memos MariaDB reads none: only the session's key lookups); without a session 401"""
    b = logged_in(env, "내보내기 머리")
    many_memos(env, b, 1000)
    idle = handler_reads(env)
    idle = handler_reads(env) - idle       # what asking costs by itself
    for q, ext in (("", "json"), ("?format=md", "md")):
        g = export(b, q)
        check(len(g.body) > 10000, f"GET /export{q}: {len(g.body)} bytes")
        before = handler_reads(env)
        r = b.request("HEAD", "/export" + q)
        read = handler_reads(env) - before - idle
        eq((r.status, r.header("Content-Type")), (200, g.header("Content-Type")),
           f"HEAD /export{q}")
        check(re.fullmatch(rf'attachment; filename="memo-\d{{8}}\.{ext}"',
                           r.header("Content-Disposition") or ""),
              f"HEAD /export{q}: {r.header('Content-Disposition')!r}")
        eq(r.body, b"", f"HEAD /export{q}: no body")
        check(read <= 20, f"HEAD /export{q}: {read} rows read, at most 20 (GET: over 1,000)")
        say(f"HEAD /export{q}: {read} rows read")
    r = Browser(env.web.url).request("HEAD", "/export")
    eq(r.status, 401, "HEAD /export without a session")


@test
def export_batches_with_revisions(env):
    """GET /export of 400 live memos (two full batches of 200, then an empty one) and 230 in the trash among them (two batches), with revisions on memos at the batches' edges and a 64 KiB memo with 64 KiB revisions: every memo once in its array, newest first, each with its own revisions, newest first, every byte; MariaDB sorts nothing and makes no temporary table for it (before, one a batch, sorted on disk)"""
    b = logged_in(env, "내보내기 묶음")

    def memo(i, trash):
        m = {"id": 2 * i + 1 + trash, "text": f"{'버린' if trash else '묶음'} 메모 {i}",
             "created_at": "2022-02-02T02:02:02Z"}
        # Newest first the batches are 399-200 and 199-0 (the trash:
        # 229-30 and 29-0).
        if i % 7 in (0, 3) or i in (29, 30, 199, 200):
            m["revisions"] = [{"text": f"{m['text']}의 판 {k}",
                               "created_at": f"2021-01-01T00:00:{k:02d}Z"}
                              for k in range(i % 4 + 1, 0, -1)]
        if i == 200 and not trash:      # the largest, at an edge
            m["text"] += " " + "큰" * ((65536 - len(m["text"].encode()) - 1) // 3)
            for k, v in enumerate(m["revisions"]):
                v["text"] = f"{k} " + "판" * 21844
        if trash:
            m["deleted_at"] = "2023-03-03T03:03:03Z"
        return m
    live = [memo(i, 0) for i in range(400)]
    trash = [memo(i, 1) for i in range(230)]
    check(len(live[200]["text"].encode()) > 65500, "a 64 KiB memo")
    r = import_file(b, {"format": "memo-export", "version": 1, "memos": live, "trash": trash})
    eq(r.json(), {"imported": 630, "skipped": 0}, "the memos")

    def shape(memos):
        return [(m["text"], [(v["text"], v["created_at"]) for v in m.get("revisions", [])])
                for m in memos]

    def sorting():
        """MariaDB's temporary tables made and rows sorted so far."""
        return sum(int(v) for _, v in env.db.query(
            "SHOW GLOBAL STATUS WHERE Variable_name LIKE 'Created_tmp%tables'"
            " OR Variable_name = 'Sort_rows'"))
    idle = sorting()
    idle = sorting() - idle                # what asking costs by itself
    before = sorting()
    got = export(b).json()
    made = sorting() - before - idle
    eq(shape(got["memos"]), shape(reversed(live)), "the live memos")
    eq(shape(got["trash"]), shape(reversed(trash)), "the trash")
    eq(sum(len(m["revisions"]) for m in got["memos"] + got["trash"]),
       sum(len(m.get("revisions", [])) for m in live + trash), "the revisions, each once")
    eq(made, 0, "temporary tables MariaDB made and rows it sorted for the export")


# ---- import ----

def import_file(b, data, ctype="application/json"):
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return b.request("POST", "/import", body=body, headers={"Content-Type": ctype})


@test
def export_import_round_trip(env):
    """Export -> a new account -> import gives back every memo, pin, revision and trash item exactly; importing twice adds nothing"""
    a = logged_in(env, "원래 계정")
    fill(a)
    a.post_json("/memo", {"text": "x" * 65536})           # the largest memo
    before = export(a).json()
    n = len(before["memos"]) + len(before["trash"])
    b = logged_in(env, "새 계정")
    uid = naver_id("새 계정")
    r = import_file(b, before)
    eq(r.status, 200, f"import: {r.body[:300]!r}")
    eq(r.json(), {"imported": n, "skipped": 0}, "answer")
    after = export(b).json()
    eq(without_ids(after["memos"]), without_ids(before["memos"]), "memos, pins, revisions")
    eq(without_ids(after["trash"]), without_ids(before["trash"]), "the trash")
    # Compared with the original account's answers, which must not be
    # empty themselves: [] == [] would pass with no tag or copy made.
    tags = a.get("/tags").json()
    eq(sorted(t["name"] for t in tags["tags"]), ["중요", "회의"], "the original's tags")
    eq(b.get("/tags").json(), tags, "tags made again")
    q = "/memo?q=" + urllib.parse.quote("셋째 판")
    found = [m["text"] for m in a.get(q).json()["memos"]]
    eq(found, ["셋째 판 #회의\n여러 줄 \"따옴표\" <b>"], "the original's search")
    eq([m["text"] for m in b.get(q).json()["memos"]], found, "searchable: search copies made")
    rows = rows_of(env, uid)
    eq((rows["memo"], rows["memo_search"]), (n, n), "a search copy per memo")
    eq(rows["memo_revision"], sum(len(m["revisions"]) for m in before["memos"] + before["trash"]),
       "revision rows")
    r = import_file(b, before)
    eq(r.json(), {"imported": 0, "skipped": n}, "the same file twice")
    eq(rows_of(env, uid), rows, "nothing added")
    # Into the account it came from: every memo is already there.
    eq(import_file(a, before).json(), {"imported": 0, "skipped": n}, "into the original")
    say(f"{n} memos and {rows['memo_revision']} revisions there and back")


def memos_file(texts, created_at):
    """An import file of live memos with these texts, all written at one time."""
    return {"format": "memo-export", "version": 1, "memos": [
        {"text": t, "created_at": created_at} for t in texts]}


@test
def import_one_at_a_time(env):
    """POST /import while another import into the account runs (its lock held, as an import holds it): 409 at once with the reason, nothing written; afterwards the same file imports (a session ended while the file is read: account.bats)"""
    b = logged_in(env, "가져오기 차례")
    uid = naver_id("가져오기 차례")
    f = memos_file([f"차례 {i}" for i in range(300)], "2020-01-01T00:00:00Z")
    with import_gate_held(env, uid):
        t0 = time.monotonic()
        r = import_file(b, f)
        check_error(r, 409, "an import while another runs", {
            "error": "another import into this account is still running:"
                     " try again when it has finished"})
        check(time.monotonic() - t0 < 1.5, "refused at once, not after a wait")
        eq(rows_of(env, uid)["memo"], 0, "nothing written")
    eq(import_file(b, f).json(), {"imported": 300, "skipped": 0}, "once the other is done")
    eq(import_file(b, f).json(), {"imported": 0, "skipped": 300}, "and again: all skipped")
    eq(rows_of(env, uid)["memo"], 300, "each memo once")


@test
def import_gives_up_with_its_lock(env):
    """POST /import waiting for the account's row (held, as a withdrawal holds it): 503 before the read timeout, and its import lock goes with it: a retry meanwhile waits too, 503, not 409 "another import running" (the first's statement went on waiting on the server for up to 50 s, the lock held); once the row is free, the file imports"""
    b = logged_in(env, "가져오기 재시도")
    uid = naver_id("가져오기 재시도")
    f = memos_file(["다시 가져올 메모"], "2022-01-01T00:00:00Z")
    read_timeout = float(env.settings["DB_READ_TIMEOUT"])
    with row_held(env, f"SELECT 'held' FROM `user` WHERE id = '{uid}' FOR UPDATE",
                  "the user's row"):
        for attempt in ("the import", "a retry at once"):
            t0 = time.monotonic()
            r = import_file(b, f)
            took = time.monotonic() - t0
            check_error(r, 503, f"{attempt} while the row is held",
                        {"error": "database unavailable"})
            check(took < read_timeout + 2, f"{attempt}: answered after {took:.1f} s")
        eq(rows_of(env, uid)["memo"], 0, "nothing written")
    eq(import_file(b, f).json(), {"imported": 1, "skipped": 0}, "once the row is free")


@test
def import_in_batches(env):
    """POST /import of 100 memos with tags and revisions, whose search copies, tags and revisions are written 32 rows a statement, or fewer once they hold a megabyte (db_batch.c; the first 40 memos are 60 KB): each row is its own memo's (a search copy of its text, its tags, its revisions), and search, GET /tags and the revisions answer as for memos written one by one"""
    name = "가져오기 묶음"
    b = logged_in(env, name)
    uid = naver_id(name)

    def text(i):        # the first 40 of 60 KB: a megabyte at the 18th, written then
        return f"묶음 메모 {i:03d} #묶음{i % 7} #Common" + (" 긴" * 15000 if i < 40 else "")

    def revs(i):        # newest first
        return [f"묶음 {i:03d}의 옛 글 {k}" for k in range(i % 3)]
    f = {"format": "memo-export", "version": 1, "memos": [
        {"text": text(i), "created_at": f"2021-01-01T00:{i // 60:02d}:{i % 60:02d}Z",
         "revisions": [{"text": t, "created_at": f"2020-12-{20 - k}T00:00:00Z"}
                       for k, t in enumerate(revs(i))]}
        for i in range(100)]}
    eq(import_file(b, f).json(), {"imported": 100, "skipped": 0}, "the import")
    where = f"m.user_id = '{uid}'"
    eq(env.db.query(f"SELECT m.text, s.body FROM memo m JOIN memo_search s"
                    f" ON s.memo_id = m.id AND s.user_id = m.user_id WHERE {where} ORDER BY 1"),
       [[text(i), fold(text(i))] for i in range(100)], "each memo's search copy, its own")
    eq(env.db.query(f"SELECT m.text, GROUP_CONCAT(t.tag_key, '=', t.name ORDER BY t.tag_key)"
                    f" FROM memo m JOIN memo_tag t ON t.memo_id = m.id AND t.user_id = m.user_id"
                    f" WHERE {where} GROUP BY m.id, m.text ORDER BY 1"),
       [[text(i), f"common=Common,묶음{i % 7}=묶음{i % 7}"] for i in range(100)],
       "each memo's tags, its own")
    eq(env.db.query(f"SELECT m.text, r.text FROM memo m JOIN memo_revision r"
                    f" ON r.memo_id = m.id WHERE {where} ORDER BY 1, 2"),
       [[text(i), t] for i in range(100) for t in revs(i)], "each memo's revisions, its own")
    q = "/memo?q=" + urllib.parse.quote("메모 077")
    eq([m["text"] for m in b.get(q).json()["memos"]], [text(77)], "a search")
    eq(b.get("/tags").json()["tags"][:2], [{"name": "Common", "count": 100},
                                          {"name": "묶음0", "count": 15}], "GET /tags")
    m77 = b.get(q).json()["memos"][0]
    eq([v["text"] for v in b.get(f"/memo/{m77['id']}/revisions").json()["revisions"]],
       revs(77), "GET /memo/{id}/revisions, newest first")


@test
def import_leaves_the_account_usable(env):
    """While an import runs (held at its first memo's tags), the same person's POST from another tab goes through: the import shares the user's row, as a POST does, and locks only other imports out; then the import completes"""
    b = logged_in(env, "가져오는 동안")
    uid = naver_id("가져오는 동안")
    f = memos_file([f"#가져옴 메모 {i}" for i in range(3)], "2021-01-01T00:00:00Z")
    top = int(env.db.query("SELECT IFNULL(MAX(memo_id), 0) FROM memo_tag")[0][0])
    # The gap above every memo's tags: the import's first tag goes there.
    # The import gives up a lock wait 2 s before its read timeout, 1 s at
    # the tests' 2: on a loaded machine the POST and the release could
    # take longer than that, so the import waits up to 4 s here.
    gap = f"SELECT memo_id FROM memo_tag WHERE memo_id > {top} FOR UPDATE; SELECT 'held'"
    with lib.settings(env, DB_READ_TIMEOUT="6"), \
            request_held(env, gap, "the tags' last gap", lambda: import_file(b, f),
                         "INSERT INTO memo_tag") as answer:
        # It held the user's row FOR UPDATE: the POST waited for it (the
        # foreign key's check), 503 after the read timeout.
        r = b.post_json("/memo", {"text": "가져오는 중에 쓴 메모"}, timeout=15)
        eq(r.status, 200, f"a POST meanwhile: {r.body[:200]!r}")
    eq((answer["r"].status, answer["r"].json()), (200, {"imported": 3, "skipped": 0}),
       "the import, once its tags could go in")
    eq(rows_of(env, uid)["memo"], 4, "its three memos and the POST's")


@test
def login_while_the_user_row_is_shared(env):
    """Logging in again by the same name while the user's row is shared (as an import shares it for its whole run): 302 with a session, the row unchanged; it was upserted, which waited for the row (503)"""
    name = "가져오는 중 로그인"
    login_as(env, name)
    uid = naver_id(name)
    row = f"SELECT id, name, created_at FROM `user` WHERE id = '{uid}'"
    before = env.db.query(row)
    with row_held(env, f"SELECT 'held' FROM `user` WHERE id = '{uid}' LOCK IN SHARE MODE",
                  "the user's row, shared"):
        b = login_as(env, name, ua="다른 기기")
        eq(b.get("/memo").status, 200, "the new session serves")
    eq(env.db.query(row), before, "the user's row as it was")
    eq(rows_of(env, uid)["sessions"], 2, "a session on each device")


@test
def import_rules(env):
    """POST /import: duplicates by text and created_at only (against the account, its trash included, which the import leaves as it is; each of its memos stands for one of the file's), order kept by id, times and pins as given, over-512-KiB files accepted, a file without memos"""
    b = logged_in(env, "가져오기 규칙")
    uid = naver_id("가져오기 규칙")
    f = {"format": "memo-export", "version": 1, "extra": {"ignored": [1, 2.5e3, None]},
         "memos": [
             {"id": 30, "text": "셋", "created_at": "2020-01-03T00:00:00Z"},
             {"id": 10, "text": "하나", "created_at": "2020-01-01T00:00:00Z", "pinned": True,
              "updated_at": "2021-05-05T05:05:05Z", "tags": ["무시됨"],
              "revisions": [{"text": "하나 전", "created_at": "2020-06-01T00:00:00Z"},
                            {"text": "하나 처음", "created_at": "2020-01-01T00:00:00Z"}]},
             {"text": "하나 ", "created_at": "2020-01-01T00:00:00Z"},     # not one
             {"text": "HANA", "created_at": "2020-01-01T00:00:00Z"},
             {"text": "hana", "created_at": "2020-01-01T00:00:00Z"}],
         "trash": [{"id": 20, "text": "둘", "created_at": "2020-01-02T00:00:00Z",
                    "deleted_at": "2022-02-02T02:02:02Z"}]}
    r = import_file(b, f)
    eq((r.status, r.json()), (200, {"imported": 6, "skipped": 0}), "answer")
    memos = b.get("/memo").json()["memos"]
    # Added in the export's order: those without an id first (the last
    # in the file first), then by id; listed newest first.
    eq([m["text"] for m in memos], ["셋", "하나", "하나 ", "HANA", "hana"], "the order")
    one = next(m for m in memos if m["text"] == "하나")
    eq((one["pinned"], one["created_at"], one["updated_at"], one["tags"]),
       (True, "2020-01-01T00:00:00Z", "2021-05-05T05:05:05Z", []), "as given, tags from the text")
    revs = b.get(f"/memo/{one['id']}/revisions").json()["revisions"]
    eq([(v["text"], v["created_at"]) for v in revs],
       [("하나 전", "2020-06-01T00:00:00Z"), ("하나 처음", "2020-01-01T00:00:00Z")], "revisions")
    three = next(m for m in memos if m["text"] == "셋")
    eq(three["updated_at"], three["created_at"], "never edited")
    eq(env.db.query(f"SELECT updated_at IS NULL FROM memo WHERE id = {three['id']}"), [["1"]],
       "stored as never edited")
    trash = b.get("/memo?trash=true").json()["memos"]
    eq([(m["text"], m["deleted_at"]) for m in trash], [("둘", "2022-02-02T02:02:02Z")], "trash")
    # More than lighttpd's 512 KiB for the other routes.
    big = {"format": "memo-export", "version": 1, "memos": [
        {"text": f"{i} " + "큰 파일 " * 2000, "created_at": "2023-01-01T00:00:00Z"}
        for i in range(40)]}
    body = json.dumps(big, ensure_ascii=False).encode()
    check(len(body) > 600 << 10, f"{len(body)} bytes")
    eq(import_file(b, body).json(), {"imported": 40, "skipped": 0}, "an 860 KiB file")
    eq(rows_of(env, uid)["memo"], 46, "rows")
    # Against the account's memos too, not only the file's: case and a
    # trailing space make another memo.
    r = import_file(b, {"format": "memo-export", "version": 1, "memos": [
        {"text": t, "created_at": "2020-01-01T00:00:00Z"} for t in ("Hana", "hana ", "hana")]})
    eq(r.json(), {"imported": 2, "skipped": 1}, "Hana and 'hana ' beside the account's hana")
    # An empty account's export: nothing to add (and no set of times to sort).
    r = import_file(b, {"format": "memo-export", "version": 1, "memos": [], "trash": []})
    eq((r.status, r.json()), (200, {"imported": 0, "skipped": 0}), "a file without memos")
    eq(rows_of(env, uid)["memo"], 48, "rows")
    # A memo the account has in its trash, live in the file: skipped, and
    # it stays in the trash (restore brings it back, not an import).
    r = import_file(b, {"format": "memo-export", "version": 1, "memos": [
        {"text": "둘", "created_at": "2020-01-02T00:00:00Z"}]})
    eq(r.json(), {"imported": 0, "skipped": 1}, "the trash's 둘, live in the file")
    eq([m["text"] for m in b.get("/memo?trash=true").json()["memos"]], ["둘"], "still in the trash")
    # Each of the account's memos stands for one of the file's: the file's
    # second 하나 of that second is another memo, and then both are had.
    same = {"format": "memo-export", "version": 1, "memos": [
        {"id": i, "text": "하나", "created_at": "2020-01-01T00:00:00Z"} for i in (10, 40)]}
    eq(import_file(b, same).json(), {"imported": 1, "skipped": 1}, "하나 twice, the account's once")
    eq(import_file(b, same).json(), {"imported": 0, "skipped": 2}, "하나 twice, the account's twice")
    eq([m["text"] for m in b.get("/memo").json()["memos"]].count("하나"), 2, "하나 twice")


@test
def import_keeps_newest_revisions(env):
    """POST /import of a memo with 60 revisions (a file may carry 1,000): its newest 50, what an edit keeps, are stored, newest first as the file lists them; a memo with 50 keeps them all"""
    b = logged_in(env, "가져온 판 50")
    uid = naver_id("가져온 판 50")

    def memo(text, n):
        return {"text": text, "created_at": "2020-01-01T00:00:00Z",
                "revisions": [{"text": f"{text} 판 {k}",
                               "created_at": f"2020-01-01T00:{k // 60:02d}:{k % 60:02d}Z"}
                              for k in range(n, 0, -1)]}
    r = import_file(b, {"format": "memo-export", "version": 1,
                        "memos": [memo("예순 판", 60), memo("쉰 판", 50)]})
    eq(r.json(), {"imported": 2, "skipped": 0}, "both memos")
    got = {m["text"]: b.get(f"/memo/{m['id']}/revisions").json()["revisions"]
           for m in b.get("/memo").json()["memos"]}
    eq([v["text"] for v in got["예순 판"]], [f"예순 판 판 {k}" for k in range(60, 10, -1)],
       "the newest 50 of 60, newest first")
    eq(got["예순 판"][-1]["created_at"], "2020-01-01T00:00:11Z", "each with its own time")
    eq(len(got["쉰 판"]), 50, "50 of 50")
    eq(rows_of(env, uid)["memo_revision"], 100, "rows: 50 and 50")


@test
def import_takes_back_an_upgraded_accounts_empty_memo(env):
    """An account upgraded from the seed has every old memo at the upgrade's second, may hold one text twice, and an empty memo (002 made the Flask version's NULL text '') whose edit left an empty revision: its own export imports back whole into a new account (before, 400 for the whole file, "empty text"; and one of the two same memos was skipped as a duplicate), and a second time adds nothing"""
    a = logged_in(env, "빈 메모 내보내기")
    ids = [a.post_json("/memo", {"text": t}).json()["id"]
           for t in ("곧 빔", "나중에 채움", "장보기", "장보기")]
    env.db.query("UPDATE memo SET created_at = '2025-01-01 00:00:00' WHERE id IN"
                 f" ({', '.join(map(str, ids))})")
    env.db.query(f"UPDATE memo SET text = '' WHERE id IN ({ids[0]}, {ids[1]})")
    eq(a.patch_json(f"/memo/{ids[1]}", {"text": "이제 채움"}).status, 200, "the edit")
    exported = a.get("/export").json()
    b = logged_in(env, "빈 메모 가져오기")
    r = import_file(b, exported)
    eq((r.status, r.json()), (200, {"imported": 4, "skipped": 0}), "the upgraded account's export")
    memos = b.get("/memo").json()["memos"]
    eq(sorted(m["text"] for m in memos), ["", "이제 채움", "장보기", "장보기"], "every memo")
    filled = next(m for m in memos if m["text"] == "이제 채움")
    eq([v["text"] for v in b.get(f"/memo/{filled['id']}/revisions").json()["revisions"]],
       [""], "its empty revision")
    eq(import_file(b, exported).json(), {"imported": 0, "skipped": 4}, "again: every one skipped")
    eq(len(b.get("/memo").json()["memos"]), 4, "still four")


BAD_FILES = [
    ("not JSON", b"{\"format\": \"memo-export\", ", "not valid JSON"),
    ("an array", b"[]", "not a JSON object"),
    ("another JSON", {"memos": []}, "format: missing"),
    ("another format", {"format": "keep", "version": 1, "memos": []}, "format"),
    ("version 2", {"format": "memo-export", "version": 2, "memos": []}, "version: 2"),
    ("no memos", {"format": "memo-export", "version": 1}, "memos: missing"),
    ("memos not an array", {"format": "memo-export", "version": 1, "memos": {}},
     "memos: not an array"),
    ("a memo not an object", {"format": "memo-export", "version": 1, "memos": ["x"]},
     "memos[0]: not an object"),
    ("a bad time", {"format": "memo-export", "version": 1, "memos": [
        {"text": "좋음", "created_at": "2020-01-01T00:00:00Z"},
        {"text": "나쁨", "created_at": "2020-02-30T00:00:00Z"}]}, "memos[1].created_at"),
    ("no text", {"format": "memo-export", "version": 1, "memos": [
        {"created_at": "2020-01-01T00:00:00Z"}]}, "memos[0].text"),
    ("text too long", {"format": "memo-export", "version": 1, "memos": [
        {"text": "x" * 65537, "created_at": "2020-01-01T00:00:00Z"}]}, "memos[0].text"),
    ("pinned not boolean", {"format": "memo-export", "version": 1, "memos": [
        {"text": "a", "created_at": "2020-01-01T00:00:00Z", "pinned": "yes"}]},
     "memos[0].pinned"),
    ("trash without deleted_at", {"format": "memo-export", "version": 1, "memos": [],
                                  "trash": [{"text": "a", "created_at": "2020-01-01T00:00:00Z"}]},
     "trash[0].deleted_at: missing"),
    ("deleted memo among the live", {"format": "memo-export", "version": 1, "memos": [
        {"text": "a", "created_at": "2020-01-01T00:00:00Z",
         "deleted_at": "2020-01-02T00:00:00Z"}]}, "memos[0].deleted_at"),
    ("a bad revision", {"format": "memo-export", "version": 1, "memos": [
        {"text": "a", "created_at": "2020-01-01T00:00:00Z",
         "revisions": [{"text": "b", "created_at": "어제"}]}]},
     "memos[0].revisions[0].created_at"),
    ("memos twice", b'{"format":"memo-export","version":1,"memos":[],"memos":[]}',
     "memos: given twice"),
    ("junk after", b'{"format":"memo-export","version":1,"memos":[]} x', "after the end"),
    ("a bad number", b'{"format":"memo-export","version":1,"x":01,"memos":[]}',
     "not valid JSON"),
    ("invalid UTF-8", b'{"format":"memo-export","version":1,"memos":[{"text":"\xff",'
                      b'"created_at":"2020-01-01T00:00:00Z"}]}', "not UTF-8"),
    ("a control character", b'{"format":"memo-export","version":1,"memos":[{"text":"a\x01",'
                            b'"created_at":"2020-01-01T00:00:00Z"}]}', "not valid JSON"),
    ("a huge memo object", {"format": "memo-export", "version": 1, "memos": [
        {"text": "a", "created_at": "2020-01-01T00:00:00Z", "x": [0] * 30000}]},
     "memos[0]: more than 20000 values"),
    ("too deep", b'{"format":"memo-export","version":1,"x":' + b"[" * 100 + b"]" * 100 +
                 b',"memos":[]}', "not valid JSON"),
]


@test
def import_malformed(env):
    """POST /import of a malformed file: 400 naming what is wrong, and nothing imported (one transaction); 415 for another type, 401 before it without a live session"""
    b = logged_in(env, "잘못된 파일")
    b.post_json("/memo", {"text": "원래 있던 것"})
    before = everything(env)
    seen = []
    for what, data, want in BAD_FILES:
        r = import_file(b, data)
        eq(r.status, 400, f"{what}: {r.body[:200]!r}")
        eq(r.header("Content-Type"), "application/json; charset=utf-8", what)
        msg = r.json()["error"]
        check(want in msg, f"{what}: {msg!r} names {want!r}")
        seen.append(msg)
    r = import_file(b, {"format": "memo-export", "version": 1, "memos": []}, ctype="text/plain")
    eq(r.status, 415, "text/plain")
    # The session asked first (README): no file is read for a dead one.
    gone = Browser(env.web.url)
    gone.cookies["sessionId"] = "A" * 43
    r = import_file(gone, b"not even JSON", ctype="text/plain")
    eq((r.status, r.json()), (401, {"error": "login required"}), "text/plain, no live session")
    eq(everything(env), before, "no table changed")
    say("; ".join(seen[:6]) + " …")


@test
def import_many_at_one_second(env):
    """POST /import of memos all written at one second reads each of the user's rows at that second about once, not once per memo of the file (before, a file of a million such memos held its transaction for hours): 2,000 into an empty account, then 2,005 (1,000 it has, 1,000 new, 5 of them twice: two memos) into it, each answer counted right"""
    b = logged_in(env, "같은 초 가져오기")
    uid = naver_id("같은 초 가져오기")
    at = "2020-05-05T05:05:05Z"

    def memos(texts):
        return {"format": "memo-export", "version": 1,
                "memos": [{"text": t, "created_at": at} for t in texts]}

    idle = handler_reads(env)
    idle = handler_reads(env) - idle       # what asking costs by itself
    before = handler_reads(env)
    r = import_file(b, memos([f"있던 메모 {i}" for i in range(2000)]))
    first = handler_reads(env) - before - idle
    eq((r.status, r.json()), (200, {"imported": 2000, "skipped": 0}), "the first file")
    texts = ([f"있던 메모 {i}" for i in range(0, 2000, 2)] +
             [f"새 메모 {i}" for i in range(1000)] + [f"새 메모 {i}" for i in range(5)])
    before = handler_reads(env)
    r = import_file(b, memos(texts))
    second = handler_reads(env) - before - idle
    eq((r.status, r.json()), (200, {"imported": 1005, "skipped": 1000}), "the second file")
    eq(rows_of(env, uid)["memo"], 3005, "each memo as often as the files have it")
    eq(env.db.query("SELECT COUNT(*), COUNT(DISTINCT text) FROM memo WHERE user_id ="
                    f" '{uid}' AND text LIKE '새 메모 %'"), [["1005", "1000"]],
       "the new ones, five of them twice")
    r = import_file(b, memos(texts))
    eq(r.json(), {"imported": 0, "skipped": 2005}, "the second file again")
    say(f"rows read: {first} for the first file, {second} for the second")
    # Memo by memo, the first file read about 2,000 * 2,000 / 2 rows and the
    # second about 3,000,000.
    check(first <= 1000, f"the first file: {first} rows read, at most 1,000")
    check(second <= 3 * 2000, f"the second file: {second} rows read, at most 6,000"
          " (3 per row at that second)")


@test
def import_size_limit(env):
    """POST /import: a file of 64 MiB less 1 KiB is imported; over 64 MiB is 413 and nothing is written"""
    b = logged_in(env, "큰 가져오기")
    uid = naver_id("큰 가져오기")
    head = b'{"format":"memo-export","version":1,"padding":"'
    tail = '","memos":[{"text":"큰 파일 끝","created_at":"2020-01-01T00:00:00Z"}]}'.encode()
    size = (64 << 20) - 1024
    body = head + b"p" * (size - len(head) - len(tail)) + tail
    t0 = time.monotonic()
    r = import_file(b, body)
    took = time.monotonic() - t0
    eq((r.status, r.json()), (200, {"imported": 1, "skipped": 0}), f"{len(body)} bytes")
    eq(rows_of(env, uid)["memo"], 1, "one memo")
    prefix = urllib.parse.urlsplit(env.web.url).path.rstrip("/")
    head = (f"POST {prefix}/import HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Cookie: sessionId={b.cookies['sessionId']}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {(64 << 20) + 1}\r\n"
            "Connection: close\r\n\r\n").encode()
    status, data, _ = raw_request(env, head, b"{" * 65536)
    say(f"{len(body)} bytes imported in {took:.1f}s; 64 MiB + 1: {status}")
    eq(status, 413, f"over 64 MiB: {data[:200]!r}")
    check(error_answer(data) != "app",
          f"over 64 MiB refused by the web server before import.cgi ran: {data[:200]!r}")
    eq(rows_of(env, uid)["memo"], 1, "nothing more")


# ---- withdrawal (탈퇴) ----

def withdraw_start(b):
    """POST /login?intent=withdraw, as the page sends it; returns (state,
    authorize URL)."""
    r = b.request("POST", "/login?intent=withdraw")
    eq((r.status, r.header("Content-Type")), (200, "application/json; charset=utf-8"),
       f"POST /login?intent=withdraw: {r.body[:200]!r}")
    eq(list(r.json()), ["location"], "the answer says where to go, and nothing else")
    loc = r.json()["location"]
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
    return q["state"][0], loc


def withdraw(b, name, scenario="ok", timeout=30):
    """The whole withdrawal as the browser does it, confirming at Naver as
    name; returns the /auth response."""
    state, loc = withdraw_start(b)
    eq(http_get(loc).status, 200, "Naver's consent page")
    return b.get("/auth?" + urllib.parse.urlencode({"code": code_for(name, scenario),
                                                    "state": state}), timeout=timeout)


def double_requests(env, kind="token"):
    return http_get(f"{env.naver.url}/_double/{kind}-requests").json()


def double_reset(env):
    http_post_form(env.naver.url + "/_double/reset", {})


def unlinks(env):
    return [r for r in double_requests(env) if r["grant_type"] == "delete"]


def member(env, name, devices=2):
    """A user with memos of every kind and sessions on `devices` devices;
    returns (browsers, user id)."""
    browsers = [login_as(env, name, ua=f"기기 {i}") for i in range(devices)]
    fill(browsers[0])
    uid = naver_id(name)
    rows = rows_of(env, uid)
    check(all(rows[t] > 0 for t in TABLES), f"rows in every table: {rows}")
    eq(rows["sessions"], devices, "sessions")
    return browsers, uid


@test
def withdraw_start_rules(env):
    """POST /login?intent=withdraw: 401 without a session; 200 with Naver's URL (auth_type=reprompt) and a state bound to the session (not the cookie's nonce); 403 unless from our own page (Sec-Fetch-Site); a GET (a link) only leads to the account view"""
    r = Browser(env.web.url).request("POST", "/login?intent=withdraw")
    eq(r.status, 401, "without a session")
    check("로그인이 필요합니다" in r.text and 'lang="ko"' in r.text, "Korean page")
    b = logged_in(env, "탈퇴 시작")
    double_reset(env)
    state, loc = withdraw_start(b)
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
    eq(q["auth_type"], ["reprompt"], "auth_type")
    eq(q["response_type"], ["code"], "response_type")
    cookie = b.cookies["oauthState"]
    check(re.fullmatch(r"w\.[A-Za-z0-9_-]{43}", cookie), f"cookie {cookie!r}")
    check(re.fullmatch(r"[A-Za-z0-9_-]{43}", state) and state not in cookie,
          "the state is not the nonce")
    page = http_get(loc)
    eq(page.status, 200, "Naver's page")
    check("다시 동의" in page.text, "the consent page shown again")
    eq(double_requests(env, "authorize"), [{"auth_type": "reprompt"}], "the double saw reprompt")
    # Only our own page: another site's, a sibling site's, or a request
    # opened from outside the browser ("none") is refused.
    for site in ("cross-site", "same-site", "none"):
        r = b.request("POST", "/login?intent=withdraw", headers={"Sec-Fetch-Site": site})
        eq(r.status, 403, f"Sec-Fetch-Site: {site}")
        check("<!doctype html>" in r.text.lower() and 'lang="ko"' in r.text, f"{site}: a Korean page")
    r = b.request("POST", "/login?intent=withdraw", headers={"Sec-Fetch-Site": "same-origin"})
    eq(r.status, 200, "from our own page")
    # A link (a GET, even from our own page) starts nothing: it leads to
    # the account view, where withdrawing starts with a question.
    cookie = b.cookies["oauthState"]
    seen = len(double_requests(env, "authorize"))
    for site in (None, "none", "same-origin", "cross-site"):
        r = b.get("/login?intent=withdraw", headers={"Sec-Fetch-Site": site} if site else {})
        eq((r.status, r.header("Location"), r.all("Set-Cookie")),
           (303, "./#view=account", []), f"GET, Sec-Fetch-Site {site}")
    eq(b.cookies["oauthState"], cookie, "no new state")
    eq(len(double_requests(env, "authorize")), seen, "nothing asked of Naver")
    for method, path in (("GET", "/login?intent=delete"), ("POST", "/login?intent=delete"),
                         ("POST", "/login")):
        eq(b.request(method, path).status, 400, f"{method} {path}")
    eq(Browser(env.web.url).get("/login").status, 302, "a plain login needs no session")


@test
def withdraw_success(env):
    """Withdrawal: Naver confirms, memo unlinks (POST form, grant_type=delete) and deletes the user and every row of theirs on every device (over 350 memos, in ranges of 100); the cookie expires; logging in again starts an empty account"""
    name = "탈퇴 성공"
    (b, phone), uid = member(env, name)
    bystander = logged_in(env, "남는 사람")
    bystander.post_json("/memo", {"text": "남는 메모 #남음"})
    # 350 more, live and in the trash, with revisions: their deletion takes
    # four ranges of at most 100, each a statement of its own.
    env.db.client(database="memo", stdin=(
        "INSERT INTO memo (user_id, text, created_at, deleted_at)"
        f" SELECT '{uid}', CONCAT('지울 메모 ', seq), UTC_TIMESTAMP(),"
        " IF(seq % 3 = 0, UTC_TIMESTAMP(), NULL) FROM seq_1_to_350;"
        "INSERT INTO memo_revision (memo_id, text, created_at) SELECT id, '판', UTC_TIMESTAMP()"
        f" FROM memo WHERE user_id = '{uid}'"))
    before, mine = everything(env), rows_of(env, uid)
    check(350 < mine["memo"] < 400, f"{mine['memo']} memos to go")
    double_reset(env)

    def deletes():
        return int(env.db.query("SHOW GLOBAL STATUS LIKE 'Com_delete_multi'")[0][1])
    n = deletes()
    r = withdraw(b, name)
    eq(deletes() - n, 4, "multi-table DELETEs: the memos in 4 ranges (before: 1, the revisions)")
    eq(r.status, 200, f"status: {r.text[:300]}")
    check("탈퇴가 완료되었습니다" in r.text and "연결도 해제했습니다" in r.text and
          'lang="ko"' in r.text, "the Korean page says it is done")
    cookies = r.all("Set-Cookie")
    check(any(c.startswith("sessionId=;") and "Max-Age=0" in c for c in cookies),
          f"session cookie expired: {cookies}")
    check(any(c.startswith("oauthState=;") for c in cookies), "state cookie cleared")
    eq(rows_of(env, uid), {t: 0 for t in TABLES}, "no row of the user in any table")
    after = everything(env)
    for t in TABLES:
        eq(len(after[t]), len(before[t]) - mine[t], f"{t}: the user's rows gone, no other")
        check(all(row in before[t] for row in after[t]), f"{t}: no other row changed")
    eq(phone.get("/memo").status, 401, "the other device is logged out")
    eq(b.get("/account").status, 401, "this one too")
    eq(bystander.get("/memo").json()["memos"][0]["text"], "남는 메모 #남음", "others keep theirs")
    eq(rows_of(env, naver_id("남는 사람")),
       {"user": 1, "sessions": 1, "memo": 1, "memo_revision": 0, "memo_tag": 1,
        "memo_search": 1}, "the other user's rows")
    reqs = double_requests(env)
    eq([x["grant_type"] for x in reqs], ["authorization_code", "delete"], "the double's log")
    d = reqs[1]
    eq((d["method"], d["secret_in_query"], d["token_in_query"], d["service_provider"],
        d["token_known"], d["answer"]), ("POST", False, False, "NAVER", True, "success"),
       "the unlink request")
    eq(double_requests(env, "authorize"), [{"auth_type": "reprompt"}], "reprompted")
    say(f"tables after: {rows_of(env, uid)}; unlink {d}")
    again = login_as(env, name)
    eq(again.get("/memo").json(), {"memos": []}, "logging in again: an empty account")
    acc = again.get("/account").json()
    eq((acc["memos"], acc["trash"], len(acc["sessions"])), (0, 0, 1), "a new account")


@test
def withdraw_on_two_devices_at_once(env):
    """Two devices withdrawing at once: the second, waiting for the user's row while the first deletes it, finds the user gone and still unlinks at Naver (the first's unlink may have failed) and says it is done, 200; if its own unlink fails, the page says the link may be gone already and how to check"""
    for name, scenario, says in (
            ("두 기기 탈퇴", "ok", "연결도 해제했습니다"),
            ("두 기기 탈퇴, 해제 실패", "deleteerror", "이미 해제되었을 수 있지만")):
        (b, phone), uid = member(env, name)
        double_reset(env)
        gone = (f"DELETE FROM memo WHERE user_id = '{uid}'; DELETE FROM sessions WHERE"
                f" user_id = '{uid}'; DELETE FROM `user` WHERE id = '{uid}'; COMMIT")
        # The other device's withdrawal, as it holds the row, then commits.
        with request_held(env, f"SELECT 'held' FROM `user` WHERE id = '{uid}' FOR UPDATE",
                          "the user's row", lambda: withdraw(phone, name, scenario),
                          "SELECT id FROM `user`", release=gone) as answer:
            pass
        r = answer["r"]
        # Before, it answered 404 (the user gone) and left the link.
        eq(r.status, 200, f"{scenario}: status: {r.text[:300]}")
        check("탈퇴가 완료되었습니다" in r.text and says in r.text,
              f"{scenario}: the Korean page says {says!r}")
        eq(len(unlinks(env)), 1, f"{scenario}: an unlink asked of Naver")
        eq(rows_of(env, uid), {t: 0 for t in TABLES}, f"{scenario}: nothing of the user left")
        eq(b.get("/memo").status, 401, f"{scenario}: the first device logged out")


@test
def withdraw_after_another_and_a_new_login(env):
    """A withdrawal whose device's session ended while it waited (another device's withdrawal deleted every session, and the person has since logged in again: a new account of the same Naver id, with a memo): 401, nothing of the new account deleted, nothing unlinked (it erased the new account)"""
    name = "탈퇴 뒤 새 가입"
    (b, phone), uid = member(env, name)
    double_reset(env)
    # The first device's withdrawal, as it holds the row, and the new
    # login and memo after it, as the person starts again: committed at
    # once, so that the waiting one finds the new account.
    again = (f"DELETE FROM memo WHERE user_id = '{uid}'; DELETE FROM sessions WHERE"
             f" user_id = '{uid}'; DELETE FROM `user` WHERE id = '{uid}';"
             f" INSERT INTO `user` (id, name) VALUES ('{uid}', '{name}');"
             f" INSERT INTO memo (user_id, text, created_at) VALUES ('{uid}', '새로 쓴 메모',"
             " UTC_TIMESTAMP()); COMMIT")
    with request_held(env, f"SELECT 'held' FROM `user` WHERE id = '{uid}' FOR UPDATE",
                      "the user's row", lambda: withdraw(phone, name),
                      "SELECT id FROM `user`", release=again) as answer:
        pass
    r = answer["r"]
    eq(r.status, 401, f"status: {r.text[:300]}")
    check("로그인이 필요합니다" in r.text, "the Korean page asks to log in")
    eq(env.db.query(f"SELECT text FROM memo WHERE user_id = '{uid}'"), [["새로 쓴 메모"]],
       "the new account's memo kept")
    eq(rows_of(env, uid)["user"], 1, "the new account kept")
    eq(unlinks(env), [], "nothing unlinked at Naver")


@test
def withdraw_other_account(env):
    """Withdrawal confirmed at Naver by another account: 403 Korean page, nothing deleted, nothing unlinked"""
    name = "진짜 주인"
    (b, _), uid = member(env, name)
    before = everything(env)
    double_reset(env)
    r = withdraw(b, "다른 네이버 계정")
    eq(r.status, 403, "status")
    check("다른 네이버 계정" in r.text and "아무것도 삭제하지 않았습니다" in r.text, "Korean page")
    check(not any(c.startswith("sessionId=") for c in r.all("Set-Cookie")), "session kept")
    eq(everything(env), before, "no table changed")
    eq(unlinks(env), [], "no unlink at Naver")
    eq(b.get("/memo").status, 200, "still logged in")


@test
def withdraw_unlink_fails(env):
    """Withdrawal when Naver's unlink fails (error JSON, HTTP 500, not JSON, no result, timeout, connection cut): data deleted all the same, the page says how to unlink at Naver, the log says why without the token"""
    seen, reasons = [], set()
    for scenario in ("deleteerror", "delete500", "deletenotjson", "deletenoresult",
                     "deletehang", "deletedrop"):
        name = f"해제 실패 {scenario}"
        [b], uid = member(env, name, devices=1)
        double_reset(env)
        log_start = len(logs_of(env))
        t0 = time.monotonic()
        r = withdraw(b, name, scenario)
        took = time.monotonic() - t0
        seen.append(f"{scenario} {r.status} {took:.1f}s")
        eq(r.status, 200, scenario)
        check("AT." not in r.text, f"{scenario}: no token on the page")
        check("탈퇴가 완료되었습니다" in r.text and "해제하지 못했습니다" in r.text and
              "연결된 서비스 관리" in r.text, f"{scenario}: the page says how to unlink")
        eq(rows_of(env, uid), {t: 0 for t in TABLES}, f"{scenario}: deleted all the same")
        eq([x["answer"] for x in unlinks(env)], [scenario], f"{scenario}: the double's log")
        check(took < 4.5, f"{scenario}: {took:.1f}s (NAVER_TIMEOUT=2)")
        log = logs_of(env)[log_start:]      # the CGIs' stderr, through lighttpd
        check("withdrawal: naver unlink failed:" in log, f"{scenario}: log says why: {log[-300:]!r}")
        check("AT." not in log, f"{scenario}: no token in the log")
        reasons.add(log.split("naver unlink failed: ", 1)[1].split("\n", 1)[0])
    say("; ".join(seen) + f"; logged reasons: {sorted(reasons)}")


@test
def withdraw_cancelled(env):
    """Withdrawal cancelled at Naver (error=access_denied): back to the page's 계정 view, nothing deleted, still logged in"""
    name = "탈퇴 취소"
    [b], uid = member(env, name, devices=1)
    before = everything(env)
    double_reset(env)
    state, loc = withdraw_start(b)
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
    r = http_post_form(env.naver.url + "/oauth2.0/authorize",
                       {"name": "", "redirect_uri": q["redirect_uri"][0], "state": state,
                        "action": "cancel"})
    back = urllib.parse.urlsplit(r.header("Location"))
    check("error=access_denied" in back.query, back.query)
    r = b.get("/auth?" + back.query)
    eq((r.status, r.header("Location")), (302, "./#view=account&withdraw=cancelled"),
       "back to the 계정 view")
    check("oauthState" not in b.cookies, "state cookie cleared")
    eq(everything(env), before, "nothing deleted")
    eq(double_requests(env), [], "no call to Naver's token endpoint")
    eq(b.get("/memo").status, 200, "still logged in")


@test
def withdraw_state_is_bound(env):
    """A withdrawal's state works only for its intent and its session: from another session, with the nonce as state, or without a session, refused and nothing deleted; in a login's cookie it is only a login"""
    name = "상태 묶음"
    (b, other), uid = member(env, name)
    before_rows = rows_of(env, uid)
    state, _ = withdraw_start(b)
    nonce = b.cookies["oauthState"][2:]
    code = code_for(name)
    # The same browser's cookie with another session (it logged in again
    # on another tab): the state was made for the old one.
    c = Browser(env.web.url)
    c.cookies = {"oauthState": b.cookies["oauthState"], "sessionId": other.cookies["sessionId"]}
    r = c.get("/auth?" + urllib.parse.urlencode({"code": code, "state": state}))
    eq(r.status, 400, "another session")
    for what, st, cookie in (("the nonce as state", nonce, "w." + nonce),
                             ("as a login", state, state)):
        c = Browser(env.web.url)
        c.cookies = {"oauthState": cookie, "sessionId": b.cookies["sessionId"]}
        r = c.get("/auth?" + urllib.parse.urlencode({"code": code, "state": st}))
        eq(r.status, 400 if what != "as a login" else 302, what)
    c = Browser(env.web.url)
    c.cookies = {"oauthState": b.cookies["oauthState"]}
    r = c.get("/auth?" + urllib.parse.urlencode({"code": code, "state": state}))
    eq(r.status, 401, "no session cookie at all")
    # Every table, not the memos alone: the login ended b's session and
    # made one (the same count); the other device's is untouched.
    eq(rows_of(env, uid), before_rows, "nothing deleted: memos, revisions, tags, "
       "search copies, sessions")
    eq(other.get("/memo").status, 200, "the other device's session kept")


def locker(env, sql):
    """A client holding rows locked by `sql` (a SELECT ... FOR UPDATE), in
    a transaction left open: the withdrawal's DELETE of them waits on it."""
    argv = ["mariadb", "--no-defaults", "-S", env.db.socket, "-u", "root", "memo"]
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, text=True)
    p.stdin.write(f"START TRANSACTION; {sql}; SELECT SLEEP(60);\n")
    p.stdin.flush()
    return p


def withdraw_cut(env, name, lock_sql, waits_in, extra_memos=0):
    """The withdrawal of a member (with extra_memos more memos), killed by
    the database dying while it waits on rows that lock_sql(uid, other)
    holds (other: the hash of the session of the member's other device), in
    a statement starting with waits_in: a 503 page and, once the database
    is back, every row still there and no unlink sent; tried again, both
    go.  Returns the user's rows before and how many rows the withdrawal
    had changed when the server died."""
    (b, phone), uid = member(env, name)
    if extra_memos:
        env.db.client(database="memo", stdin=(
            "INSERT INTO memo (user_id, text, created_at)"
            f" SELECT '{uid}', CONCAT('남을 메모 ', seq), UTC_TIMESTAMP()"
            f" FROM seq_1_to_{extra_memos}"))
    before = everything(env)
    rows = rows_of(env, uid)
    lock = locker(env, lock_sql(uid, sha256_hex(phone.cookies["sessionId"])))
    result = {}

    def run():
        result["r"] = withdraw(b, name, timeout=30)
    t = threading.Thread(target=run)

    def waiting(where):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            got = env.db.query(where, database=None)
            if got:
                return got[0]
            # MariaDB refreshes what INNODB_TRX shows only when it was
            # not read for 0.1 s: a faster loop kept reading a stale copy.
            time.sleep(0.2)
        raise lib.Failed(f"timed out waiting for: {where}")
    try:
        waiting("SELECT 1 FROM information_schema.PROCESSLIST"
                " WHERE INFO = 'SELECT SLEEP(60)'")
        double_reset(env)
        t.start()
        # InnoDB's own view of the withdrawal's transaction: waiting on
        # the held rows, and how many rows it has changed before them.
        changed = waiting("SELECT trx_rows_modified FROM information_schema.INNODB_TRX"
                          " WHERE trx_state = 'LOCK WAIT' AND trx_query LIKE"
                          f" '{waits_in}%'")
        env.db.kill()
        t.join(30)
    finally:
        lock.kill()
        lock.wait()
        if env.db.server is None:
            env.db.start()
    r = result.get("r")
    check(r is not None, "the withdrawal answered")
    eq(r.status, 503, f"status: {r.text[:200]}")
    check("잠시 후 다시 시도해 주세요" in r.text, "Korean page")
    check(not any(c.startswith("sessionId=;") for c in r.all("Set-Cookie")), "cookie kept")
    eq(rows_of(env, uid), rows, "every row of the user is still there")
    eq(everything(env), before, "every table as before")
    eq(phone.get("/memo").status, 200, "the other device still works")
    eq([x["grant_type"] for x in double_requests(env)], ["authorization_code"],
       "no unlink sent: the person is still linked to what memo still keeps")
    double_reset(env)
    r = withdraw(b, name)
    eq(r.status, 200, "the withdrawal, tried again, completes")
    eq([x["grant_type"] for x in double_requests(env)], ["authorization_code", "delete"],
       "and unlinks")
    eq(rows_of(env, uid), {t: 0 for t in TABLES}, "then everything is gone")
    return rows, int(changed[0])


@test
def withdraw_db_down_midway(env):
    """Withdrawal with the database killed in the middle of the deletion (the memos gone, the sessions next): a 503 page and, once it is back, every row still there (nothing half-deleted) and the Naver link kept (no unlink sent); tried again, both go"""
    rows, changed = withdraw_cut(
        env, "중간에 끊긴 탈퇴",
        # The other device's session: the withdrawing one's is locked
        # first (the session that asked for it, still live).
        lambda uid, other: f"SELECT * FROM sessions WHERE session_key = '{other}' FOR UPDATE",
        "DELETE FROM sessions WHERE user_id")
    check(changed >= rows["memo"], f"the memos deleted before the cut: {changed} rows changed")
    say(f"rows kept through the kill: {rows}")


@test
def withdraw_db_down_between_ranges(env):
    """Withdrawal of 250 more memos killed between two of its ranges of 100 (the first deleted, the second waiting): once the database is back, every row still there and no unlink sent; tried again, both go"""
    def the_150th(uid, other):
        """The user's 150th memo by id, locked by its id alone: in the
        second range, which waits on it."""
        mid = env.db.query(f"SELECT id FROM memo WHERE user_id = '{uid}'"
                           " ORDER BY id LIMIT 1 OFFSET 149")[0][0]
        return f"SELECT id FROM memo WHERE id = {int(mid)} FOR UPDATE"
    rows, changed = withdraw_cut(
        env, "범위 사이에 끊긴 탈퇴", the_150th,
        "DELETE m FROM memo m", extra_memos=250)
    # The first range's 100 memos with what went with them; not the rest.
    check(100 <= changed < rows["memo"], f"cut after the first range: {changed} rows "
          f"changed of {rows['memo']} memos")
    say(f"{changed} rows changed before the cut; rows kept through the kill: {rows}")


# common/app.c html_message(E_DB): the page the HTML endpoints answer with.
DB_DOWN_PAGE = "서비스를 잠시 사용할 수 없습니다. 잠시 후 다시 시도해 주세요."


@test
def account_routes_with_db_down(env):
    """Database down: GET /account, DELETE /account/sessions/{id}, POST /logout?all=1, GET /export (both formats), POST /import and POST /login?intent=withdraw answer 503; the withdrawal calls nobody"""
    name = "DB 없는 계정"
    b = logged_in(env, name)
    sid = b.get("/account").json()["sessions"][0]["id"]
    f = json.dumps({"format": "memo-export", "version": 1, "memos": []}).encode()
    double_reset(env)
    state, _ = withdraw_start(b)
    env.db.kill()
    try:
        got = []
        for method, path, body in (("GET", "/account", None),
                                   ("DELETE", f"/account/sessions/{sid}", None),
                                   ("POST", "/logout?all=1", None), ("GET", "/export", None),
                                   ("GET", "/export?format=md", None), ("POST", "/import", f),
                                   ("POST", "/login?intent=withdraw", None)):
            t0 = time.monotonic()
            r = b.request(method, path, body=body, headers={"Content-Type": "application/json"})
            got.append(f"{method} {path} {r.status} {time.monotonic() - t0:.1f}s")
            if path.startswith(("/logout", "/login")):      # HTML endpoints
                eq(r.status, 503, f"{method} {path}")
                check(DB_DOWN_PAGE in r.text, f"{method} {path}: the Korean page {r.text[:200]!r}")
            else:
                check_error(r, 503, f"{method} {path}", {"error": "database unavailable"})
        r = b.get("/auth?" + urllib.parse.urlencode({"code": code_for(name), "state": state}))
        eq(r.status, 503, "the withdrawal's callback")
        check(DB_DOWN_PAGE in r.text, f"the withdrawal's callback: the Korean page {r.text[:200]!r}")
    finally:
        env.db.start()
    # Nobody: neither the token exchange (the state is spent first, in the
    # database) nor the unlink.
    eq(double_requests(env), [], "no call to Naver's token endpoint without the database")
    eq(rows_of(env, naver_id(name))["sessions"], 1, "the session is still there")
    eq(b.get("/account").status, 200, "back")
    say("; ".join(got))
