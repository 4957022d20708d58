"""test_api.py - issue 9's memo API end to end through lighttpd: edit with
revisions and ETags, the trash, pins, #tags, search, /tags, every failure
answer, and the seed's contract.  Like test_e2e.py it reads env.web and
env.web_prefix, so tests/run.py runs it in CGI and in FastCGI mode (and
against the installed service); every write ends with a look at the rows
it should, or should not, have changed (memo, memo_tag, memo_revision,
memo_search).  Each test logs in users of its own."""
import contextlib
import json
import os
import re
import threading
import time
import unicodedata
import urllib.parse

import stack
from lib import (Browser, check, eq, http_get, login, naver_id, refused_by_web_server, sha256_hex,
                 sql_session, test)
from test_e2e import logged_in

JSON_TYPE = "application/json; charset=utf-8"
MEMO_KEYS = ["id", "text", "created_at", "updated_at", "pinned", "tags", "deleted_at"]
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
ETAG = re.compile(r'"[^"\s]+"')
NOT_FOUND = {"error": "not found"}
LOGIN_REQUIRED = {"error": "login required"}


# ---- requests ----

def send(b, method, path, obj=None, raw=None, ctype="application/json", headers=None,
         timeout=30):
    """method path with a JSON body (obj, or raw bytes) and extra headers."""
    h = dict(headers or {})
    body = None
    if obj is not None or raw is not None:
        body = raw if raw is not None else json.dumps(obj).encode()
        if ctype:
            h["Content-Type"] = ctype
    return b.request(method, path, body=body, headers=h, timeout=timeout)


def patch(b, mid, obj=None, if_match=None, **kw):
    return send(b, "PATCH", f"/memo/{mid}", obj,
                headers={"If-Match": if_match} if if_match else None, **kw)


def delete(b, path, if_match=None):
    return b.request("DELETE", path, headers={"If-Match": if_match} if if_match else None)


def trash_key(ids):
    """The trash_key of a trash holding ids: the XOR of id * A mod 2^61-1
    (common/db_stmt.def, htdocs/static/trash.js)."""
    key = 0
    for i in ids:
        key ^= i * 1181783497276652981 % (2 ** 61 - 1)
    return str(key)


def restore(b, mid, if_match=None):
    return b.request("POST", f"/memo/{mid}/restore",
                     headers={"If-Match": if_match} if if_match else None)


def live_and_trashed(env, user):
    """user's browser, a live memo with its ETag, and a memo in the trash."""
    b = logged_in(env, user)
    m, etag = new(b, "주인 있는 #메모")
    trashed, _ = new(b, "휴지통의 메모")
    eq(delete(b, f"/memo/{trashed['id']}").status, 204, "to the trash")
    return b, m, etag, trashed


def new(b, text, **extra):
    """POST /memo; returns (memo, ETag)."""
    r = b.post_json("/memo", dict(text=text, **extra))
    eq(r.status, 200, f"POST /memo {text[:30]!r}: {r.body[:200]!r}")
    return r.json(), r.header("ETag")


def get(b, mid):
    r = b.get(f"/memo/{mid}")
    eq(r.status, 200, f"GET /memo/{mid}")
    return r.json(), r.header("ETag")


def qs(**params):
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def listing(b, query=""):
    """The memos of GET /memo?query."""
    r = b.get("/memo" + ("?" + query if query else ""))
    eq(r.status, 200, f"GET /memo?{query}: {r.body[:200]!r}")
    eq(r.header("Content-Type"), JSON_TYPE, f"GET /memo?{query} type")
    return r.json()["memos"]


def ids(b, query=""):
    return [m["id"] for m in listing(b, query)]


def check_memo(m, what):
    """A memo object as the API documents it."""
    eq(list(m), MEMO_KEYS, f"{what}: keys in order")
    check(isinstance(m["id"], int) and m["id"] > 0, f"{what}: id {m['id']!r}")
    check(STAMP.fullmatch(m["created_at"]), f"{what}: created_at {m['created_at']!r}")
    check(STAMP.fullmatch(m["updated_at"]), f"{what}: updated_at {m['updated_at']!r}")
    check(m["pinned"] in (True, False), f"{what}: pinned {m['pinned']!r}")
    check(isinstance(m["tags"], list), f"{what}: tags {m['tags']!r}")
    check(m["deleted_at"] is None or STAMP.fullmatch(m["deleted_at"]),
          f"{what}: deleted_at {m['deleted_at']!r}")


def check_etag(r, what):
    e = r.header("ETag")
    check(e is not None and ETAG.fullmatch(e), f"{what}: a strong ETag, got {e!r}")
    return e


def check_error(r, status, what, body=None):
    eq(r.status, status, f"{what}: status ({r.body[:200]!r})")
    eq(r.header("Content-Type"), JSON_TYPE, f"{what}: type")
    got = r.json()
    check(isinstance(got.get("error"), str) and got["error"], f"{what}: error JSON {got!r}")
    if body is not None:
        eq(got, body, f"{what}: body")


# ---- the rows ----

def fold(s):
    """What a memo_search body holds: NFC of the case fold (common/fold.h), for the
    scripts these tests write (Hangul, CJK, ASCII)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", s).casefold())


def _iso(col):
    return f"IFNULL(DATE_FORMAT({col}, '%Y-%m-%dT%H:%i:%sZ'), 'NULL')"


def _unhex(h):
    return None if h == "NULL" else bytes.fromhex(h).decode("utf-8")


def memo_row(env, mid):
    """memo's row as a dict (None for NULL), with its search copy (the
    body of its memo_search row, None if it has none yet), or None if there
    is no such memo."""
    rows = env.db.query(
        f"SELECT HEX(m.text), IFNULL(HEX(x.body), 'NULL'), m.pinned, m.version, "
        f"{_iso('m.created_at')}, {_iso('m.updated_at')}, {_iso('m.deleted_at')}, "
        f"m.user_id, IFNULL(x.user_id, 'NULL') "
        f"FROM memo m LEFT JOIN memo_search x ON x.memo_id = m.id WHERE m.id = {int(mid)}")
    if not rows:
        return None
    t, s, p, v, c, u, d, user, suser = rows[0]
    return {"text": _unhex(t), "search": _unhex(s), "pinned": int(p), "version": int(v),
            "created_at": c, "updated_at": None if u == "NULL" else u,
            "deleted_at": None if d == "NULL" else d, "user_id": user,
            "search_user": None if suser == "NULL" else suser}


def tag_rows(env, mid):
    """memo_tag rows of a memo: sorted (tag_key, name, user_id)."""
    rows = env.db.query(f"SELECT HEX(tag_key), HEX(name), user_id FROM memo_tag "
                        f"WHERE memo_id = {int(mid)}")
    return sorted((_unhex(k), _unhex(n), u) for k, n, u in rows)


def revision_rows(env, mid):
    """memo_revision rows of a memo, oldest first: (id, text, created_at)."""
    rows = env.db.query(f"SELECT id, HEX(text), {_iso('created_at')} FROM memo_revision "
                        f"WHERE memo_id = {int(mid)} ORDER BY id")
    return [(int(i), _unhex(t), c) for i, t, c in rows]


def check_rows(env, m, user, what):
    """The rows of memo m (as the API answered it) agree with it: text,
    search copy (memo_search), pinned, times, and one memo_tag row per tag."""
    row = memo_row(env, m["id"])
    check(row is not None, f"{what}: memo {m['id']} has a row")
    eq(row["user_id"], naver_id(user), f"{what}: owner")
    eq(row["text"], m["text"], f"{what}: text column")
    eq((row["search"], row["search_user"]), (fold(m["text"]), naver_id(user)),
       f"{what}: memo_search row (the folded text, the owner)")
    eq(row["pinned"], int(m["pinned"]), f"{what}: pinned column")
    eq(row["created_at"], m["created_at"], f"{what}: created_at column")
    eq(row["updated_at"] or row["created_at"], m["updated_at"], f"{what}: updated_at column")
    eq(row["deleted_at"], m["deleted_at"], f"{what}: deleted_at column")
    eq(tag_rows(env, m["id"]), sorted((fold(t), t, naver_id(user)) for t in m["tags"]),
       f"{what}: memo_tag rows")
    return row


def sql(env, statement):
    env.db.client(database="memo", stdin=statement)


# ---- the table, row by row ----

@test
def api_memo_shape(env):
    """POST /memo (pinned too) and GET /memo/{id}: the memo's keys, ETag, 304 for If-None-Match (compared weakly: W/ too); rows"""
    user = "API 모양"
    b = logged_in(env, user)
    r = b.post_json("/memo", {"text": "고정된 #메모 입니다", "pinned": True})
    eq(r.status, 200, "POST with pinned")
    eq(r.header("Content-Type"), JSON_TYPE, "type")
    m = r.json()
    check_memo(m, "POST answer")
    etag = check_etag(r, "POST")
    eq((m["text"], m["pinned"], m["tags"], m["deleted_at"]),
       ("고정된 #메모 입니다", True, ["메모"], None), "POST answer")
    eq(m["updated_at"], m["created_at"], "updated_at = created_at until edited")
    row = check_rows(env, m, user, "after POST")
    eq((row["version"], row["updated_at"]), (0, None), "a new memo's version and updated_at")
    plain, etag2 = new(b, "고정 안 함")
    eq(plain["pinned"], False, "pinned defaults to false")
    check(etag2 != etag, "each memo its own ETag")
    eq(memo_row(env, plain["id"])["pinned"], 0, "pinned column")

    r = b.get(f"/memo/{m['id']}")
    eq(r.status, 200, "GET /memo/{id}")
    eq(r.json(), m, "GET answers what POST did")
    eq(r.header("ETag"), etag, "same ETag")
    eq(listing(b)[1], m, "the list item is the same object")
    check(r.header("ETag") and not r.header("ETag").startswith("W/"), "strong ETag")
    # If-None-Match compares weakly (RFC 9110 13.1.2), If-Match strongly.
    for inm in (etag, "*", f'"nope", {etag}', f"W/{etag}", f'"nope",W/{etag}'):
        r = b.get(f"/memo/{m['id']}", headers={"If-None-Match": inm})
        eq(r.status, 304, f"If-None-Match {inm}")
        eq(r.body, b"", "304 has no body")
        eq(r.header("ETag"), etag, "304 names the ETag")
    for inm in (etag2, f"W/{etag2}", f"w/{etag}", f"W/ {etag}", f"x{etag}",
                f"{etag}x", f'"{etag}', f"W/W/{etag}"):
        r = b.get(f"/memo/{m['id']}", headers={"If-None-Match": inm})
        eq((r.status, r.json()), (200, m), f"If-None-Match {inm}: not this memo")
    for what, body in (("a string", {"text": "x", "pinned": "yes"}),
                       ("a number", {"text": "x", "pinned": 1}),
                       ("null", {"text": "x", "pinned": None})):
        check_error(b.post_json("/memo", body), 400, f"POST pinned {what}")
    eq(len(listing(b)), 2, "nothing more written")


@test
def api_requires_login(env):
    """Every route without a live session is 401 {"error":"login required"}; nothing changes"""
    user = "API 로그인 필요"
    owner, m, etag, trashed = live_and_trashed(env, user)
    before = (memo_row(env, m["id"]), memo_row(env, trashed["id"]))
    routes = [("GET", "/memo", None), ("POST", "/memo", {"text": "몰래"}),
              ("GET", f"/memo/{m['id']}", None),
              ("PATCH", f"/memo/{m['id']}", {"text": "몰래 고침"}),
              ("DELETE", f"/memo/{m['id']}", None),
              ("POST", f"/memo/{trashed['id']}/restore", None),
              ("GET", f"/memo/{m['id']}/revisions", None),
              ("DELETE", f"/trash/{trashed['id']}", None),
              ("DELETE", "/trash", None), ("DELETE", "/trash?count=1", None),
              ("GET", "/tags", None),
              ("GET", "/memo?" + qs(q="메모", tag="메모", trash="true"), None)]
    expired = logged_in(env, user)
    sql(env, "UPDATE sessions SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND "
             f"WHERE session_key = SHA2('{expired.cookies['sessionId']}', 256)")
    for who, b in (("no cookie", Browser(env.web.url)),
                   ("unknown session", Browser(env.web.url)),
                   ("expired session", expired)):
        if who == "unknown session":
            b.cookies["sessionId"] = "Z" * 43
        # No cookie is 401 before a parameter is looked at; with one, a bad
        # parameter is 400 before the database is asked about the session.
        bad = [("DELETE", "/trash?count=x", None)] if who == "no cookie" else []
        for method, path, body in routes + bad:
            r = send(b, method, path, body, headers={"If-Match": etag})
            check_error(r, 401, f"{who}: {method} {path}", LOGIN_REQUIRED)
    eq((memo_row(env, m["id"]), memo_row(env, trashed["id"])), before, "rows unchanged")
    eq(len(listing(owner)), 1, "no memo written")


@test
def api_refusal_order(env):
    """The refusals in the README's order: the method first (405 with Allow, without a cookie too), then a request from another site (403, without a cookie too, and no cookie set), then no session (401), and with a session cookie, dead or unknown, a malformed request (400) before the session is asked about; nothing changes"""
    user = "API 거절 순서"
    owner, m, etag, trashed = live_and_trashed(env, user)
    before = (memo_row(env, m["id"]), memo_row(env, trashed["id"]))
    anon = Browser(env.web.url)
    for method, path, allow in (("PUT", "/memo", "GET, POST"), ("PUT", "/trash", "DELETE"),
                                ("POST", f"/memo/{m['id']}", "GET, PATCH, DELETE")):
        r = send(anon, method, path, {"text": "x"}, headers={"Sec-Fetch-Site": "cross-site"})
        check_error(r, 405, f"no cookie, another site: {method} {path}")
        eq(r.header("Allow"), allow, f"{method} {path}: Allow")
    for method, path in (("POST", "/memo"), ("DELETE", f"/memo/{m['id']}"),
                         ("DELETE", "/trash?count=x"), ("POST", "/logout")):
        r = send(anon, method, path, {"text": "x"} if method == "POST" else None,
                 headers={"Sec-Fetch-Site": "cross-site"})
        eq(r.status, 403, f"no cookie, another site: {method} {path} ({r.body[:120]!r})")
        eq(r.all("Set-Cookie"), [], f"{method} {path}: no cookie set")
    dead = Browser(env.web.url)
    dead.cookies["sessionId"] = "Z" * 43
    for method, path in (("GET", "/memo?limit=0"), ("GET", "/memo?pinned=maybe"),
                         ("DELETE", "/trash?count=x"), ("GET", "/memo?" + qs(q=" "))):
        check_error(send(dead, method, path), 400, f"an unknown session: {method} {path}")
    check_error(send(dead, "GET", "/memo?limit=5"), 401, "an unknown session, well formed")
    eq((memo_row(env, m["id"]), memo_row(env, trashed["id"])), before, "rows unchanged")
    eq(len(listing(owner)), 1, "no memo written")


@test
def api_not_found(env):
    """Another user's memo is 404 exactly as a missing id, on every route; bad ids are 404; nothing changes"""
    a = logged_in(env, "API 남의 주인")
    b = logged_in(env, "API 남의 손님")
    live, live_etag = new(a, "A의 #비밀 메모")
    patch(a, live["id"], {"text": "A의 #비밀 메모, 고침"})
    gone, _ = new(a, "A의 휴지통 메모")
    eq(delete(a, f"/memo/{gone['id']}").status, 204, "A trashes one")
    live_etag = get(a, live["id"])[1]
    before = {i: (memo_row(env, i), tag_rows(env, i), revision_rows(env, i))
              for i in (live["id"], gone["id"])}
    missing = str(2 ** 63 - 1)      # in range, never used

    def routes(i):
        return [("GET", f"/memo/{i}", None), ("PATCH", f"/memo/{i}", {"text": "B가 씀"}),
                ("PATCH", f"/memo/{i}", {"pinned": True}),
                ("DELETE", f"/memo/{i}", None), ("POST", f"/memo/{i}/restore", None),
                ("GET", f"/memo/{i}/revisions", None), ("DELETE", f"/trash/{i}", None)]
    for i in (live["id"], gone["id"], missing):
        for method, path, body in routes(i):
            # Even with the memo's real ETag: no 412 that would tell it exists.
            r = send(b, method, path, body, headers={"If-Match": live_etag,
                                                     "If-None-Match": live_etag})
            check_error(r, 404, f"B: {method} {path}", NOT_FOUND)
    eq({i: (memo_row(env, i), tag_rows(env, i), revision_rows(env, i))
        for i in (live["id"], gone["id"])}, before, "A's rows untouched")
    eq(b.request("DELETE", "/trash").json(), {"purged": 0}, "B's empty trash purges nothing")
    eq(memo_row(env, gone["id"]), before[gone["id"]][0], "A's trash kept")
    eq(listing(b) + listing(b, "trash=true"), [], "B sees none of A's memos")
    eq(b.get("/tags").json(), {"tags": []}, "nor A's tags")

    bad = ["abc", "0", "01", "007", str(2 ** 63), str(2 ** 64), "99999999999999999999",
           "-1", "+1", "1.0", "1e3", "%201", "0x10", "1%20"]
    for i in bad:
        for method, path, body in routes(i) if i in ("0", "01", str(2 ** 63), "abc") \
                else routes(i)[:1]:
            check_error(send(a, method, path, body), 404, f"{method} {path}", NOT_FOUND)
    for path in (f"/memo/{live['id']}/x", f"/memo/{live['id']}/restore/1",
                 "/trash/x", "/tags/1", "/tags/x",
                 f"/trash/{gone['id']}/x"):
        check_error(a.get(path), 404, f"GET {path}", NOT_FOUND)
    eq(memo_row(env, live["id"]), before[live["id"]][0], "bad ids changed nothing")


@test
def api_method_not_allowed(env):
    """A method a path does not take: 405 JSON with the path's exact Allow; nothing changes"""
    b = logged_in(env, "API 405")
    m, _ = new(b, "405 #시험")
    i = m["id"]
    before = memo_row(env, i)
    cases = {"/memo": (["PUT", "PATCH", "DELETE"], "GET, POST"),
             "/memo/": (["PUT", "DELETE"], "GET, POST"),
             f"/memo/{i}": (["POST", "PUT"], "GET, PATCH, DELETE"),
             f"/memo/{i}/restore": (["GET", "PATCH", "DELETE", "PUT"], "POST"),
             f"/memo/{i}/revisions": (["POST", "PATCH", "DELETE"], "GET"),
             "/trash": (["GET", "POST", "PATCH"], "DELETE"),
             f"/trash/{i}": (["GET", "POST", "PATCH"], "DELETE"),
             "/tags": (["POST", "PATCH", "DELETE", "PUT"], "GET")}
    for path, (methods, allow) in cases.items():
        for method in methods:
            # (lighttpd refuses a GET with a body itself: 400)
            body = None if method == "GET" else {"text": "405가 아니면 안 됨"}
            r = send(b, method, path, body)
            check_error(r, 405, f"{method} {path}")
            eq(r.header("Allow"), allow, f"{method} {path}: Allow")
    eq(memo_row(env, i), before, "row unchanged")
    eq([x["text"] for x in listing(b)], ["405 #시험"], "nothing written")
    eq(b.get("/memo/").status, 200, "/memo/ is /memo")


@test
def api_bad_parameters(env):
    """GET /memo: 400 JSON for limit=0, pinned/trash=maybe, empty, blank or 201-character q, a bad tag; the limits' reasons whole; 200 characters are counted composed: 200 Hangul syllables typed decomposed (NFD, 600 code points, 1,800 bytes) are a q that finds them"""
    b = logged_in(env, "API 400")
    new(b, "가" * 200 + " 하나 둘 셋 넷 다섯 여섯 일곱 여덟 #태그")
    long_nfd, _ = new(b, "각" * 200)
    r = b.get("/memo?" + qs(q=unicodedata.normalize("NFD", "각" * 200)))
    eq((r.status, [m["id"] for m in r.json().get("memos", [])]), (200, [long_nfd["id"]]),
       "200 syllables typed decomposed")
    bad = ["limit=0", "limit=1001", "before=0", "before=-5", "pinned=maybe", "pinned=",
           "pinned=TRUE", "pinned=1", "trash=maybe", "trash=", "trash=yes", "q=", "q=+",
           "q=%20%20", qs(q="가" * 201), qs(q="a" * 201),
           "tag=", "tag=%23", "tag=a%20b", "tag=123", "tag=a%23b",
           qs(tag="가" * 65), "tag=a.b", "tag=a%2Cb", "tag=%3Cb%3E"]
    for query in bad:
        check_error(b.get("/memo?" + query), 400, f"GET /memo?{query}")
    # The reasons that name a limit, whole: a q too long in characters
    # (fold.c) and one too long for memo.c's buffer (2,404 bytes).
    long_q = {"error": "q is longer than 200 characters"}
    for query, body in ((qs(q="가" * 201), long_q), (qs(q="a" * 2500), long_q),
                        (qs(q=unicodedata.normalize("NFD", "각" * 201)), long_q),
                        ("limit=1001", {"error": "limit must be a whole number from 1 to 1000"})):
        check_error(b.get("/memo?" + query), 400, f"GET /memo?{query[:20]}", body)
    # A malformed %-escape: Apache hands it to the CGI, which refuses it;
    # lighttpd re-encodes the stray % first (%25), so q is the text as typed.
    bad_escape = {"error": "q must be URL-encoded text (a bad %-escape or a NUL)"}
    pct, _ = new(b, "할인 100%zz a% 표기 %e")
    for query in ("q=%zz", "q=a%", "q=%e"):
        r = b.get("/memo?" + query)
        if isinstance(env.web, stack.Apache):
            check_error(r, 400, f"GET /memo?{query}", bad_escape)
        else:
            eq((r.status, [m["id"] for m in r.json()["memos"]]), (200, [pct["id"]]),
               f"GET /memo?{query} through lighttpd: a search for the text")
    # Invalid UTF-8 or NUL: lighttpd refuses it itself (an HTML 400), Apache
    # passes it on to the CGI (JSON 400).
    for query in ("q=%ff", "tag=%ff", "q=a%c3", "q=%00", "tag=a%00"):
        eq(b.get("/memo?" + query).status, 400, f"GET /memo?{query}")
    # The limits themselves are fine.
    for query in (qs(q="가" * 200), qs(q="하나 둘 셋 넷 다섯 여섯 일곱 여덟 아홉"),
                  qs(tag="가" * 64), "tag=%23%ED%83%9C%EA%B7%B8", "limit=1000",
                  "pinned=false", "trash=false", "trash=true", "q=%ED%95%98%EB%82%98+%EB%91%98"):
        r = b.get("/memo?" + query)
        eq(r.status, 200, f"GET /memo?{query}")
    eq(len(listing(b, qs(q="가" * 200))), 1, "a 200-character q finds the memo")
    eq(len(listing(b, qs(q="하나 둘 셋 넷 다섯 여섯 일곱 여덟"))), 1, "8 words find it")
    # 열, one of the shortest, is the word past the statement's 8.
    eq(len(listing(b, qs(q="하나 둘 셋 넷 다섯 여섯 일곱 여덟 열"))), 0, "a 9th word counts")
    eq(len(listing(b, qs(tag="#태그"))), 1, "tag=#태그 finds it")


@test
def api_bad_bodies(env):
    """POST and PATCH bodies: 415 if not JSON, 413 if too large, 400 if malformed; nothing changes"""
    b = logged_in(env, "API 본문")
    m, etag = new(b, "원래 #본문")
    i = m["id"]
    before = (memo_row(env, i), tag_rows(env, i), revision_rows(env, i))
    for method, path in (("POST", "/memo"), ("PATCH", f"/memo/{i}")):
        for what, kw in (("text/plain", dict(raw=b'{"text":"x"}', ctype="text/plain")),
                         ("a form", dict(raw=b"text=x",
                                         ctype="application/x-www-form-urlencoded")),
                         ("no type", dict(raw=b'{"text":"x"}', ctype=None)),
                         ("json-ish", dict(raw=b'{"text":"x"}', ctype="text/json"))):
            check_error(send(b, method, path, **kw), 415, f"{method} {path}: {what}")
        for what, kw in (("65537 bytes", dict(obj={"text": "a" * 65537})),
                         ("21846 Hangul (65538 bytes)", dict(obj={"text": "가" * 21846})),):
            check_error(send(b, method, path, **kw), 413, f"{method} {path}: {what}")
        r = send(b, method, path, raw=b'{"text":"' + b"a" * 600000 + b'"}')
        eq(r.status, 413, f"{method} {path}: 600 KB body")
        check(refused_by_web_server(r), f"{method} {path}: 600 KB refused by the web server"
              f" (server.max-request-size, LimitRequestBody): {r.body[:120]!r}")
    cases = [("not JSON", dict(raw=b"{text:")), ("an array", dict(obj=["text"])),
             ("a string", dict(obj="text")), ("{}", dict(obj={})),
             ("another key", dict(obj={"text": "x", "color": "red"})),
             ("only another key", dict(obj={"id": 5})),
             ("empty text", dict(obj={"text": ""})), ("number text", dict(obj={"text": 5})),
             ("null text", dict(obj={"text": None})),
             ("pinned a string", dict(obj={"pinned": "true"})),
             ("pinned a number", dict(obj={"pinned": 0})),
             ("pinned null", dict(obj={"pinned": None})),
             ("invalid UTF-8", dict(raw=b'{"text":"\xff\xfe"}')),
             ("NUL", dict(raw=b'{"text":"a\\u0000b"}')),
             ("trailing junk", dict(raw=b'{"text":"x"} {}'))]
    # Not JSON, though json-c's strict mode takes them (jsonx.c tokens_ok).
    lenient = [("a single-quoted key", dict(raw=b"{'text':\"x\"}")),
               ("NaN", dict(raw=b'{"text":"x","n":NaN}')),
               ("-Infinity", dict(raw=b'{"pinned":true,"n":-Infinity}')),
               ("1.", dict(raw=b'{"text":"x","n":1.}')),
               ("a raw newline in a string", dict(raw=b'{"text":"a\nb"}')),
               ("a raw tab in a string", dict(raw=b'{"text":"a\tb"}'))]
    for what, kw in cases + lenient:
        check_error(send(b, "PATCH", f"/memo/{i}", headers={"If-Match": etag}, **kw), 400,
                    f"PATCH: {what}")
    # The reason tells a broken object from another value.
    for what, raw, why in (("not JSON", b'{"text":', "body is not valid JSON"),
                           ("NaN", b'{"text":"x","n":NaN}', "body is not valid JSON"),
                           ("an array", b'["text"]', "body must be a JSON object"),
                           ("words", b"hello", "body must be a JSON object")):
        for method, path in (("POST", "/memo"), ("PATCH", f"/memo/{i}")):
            r = send(b, method, path, raw=raw, headers={"If-Match": etag})
            eq((r.status, r.json()), (400, {"error": why}), f"{method}: {what}")
    for what, kw in lenient:
        check_error(send(b, "POST", "/memo", **kw), 400, f"POST: {what}")
    eq((memo_row(env, i), tag_rows(env, i), revision_rows(env, i)), before,
       "memo, tags and revisions unchanged")
    eq(get(b, i)[1], etag, "ETag unchanged")
    eq(len(listing(b)), 1, "no memo written")
    big = "가" * 21845 + "a"            # exactly 65,536 bytes
    r = patch(b, i, {"text": big})
    eq(r.status, 200, "PATCH to the largest text")
    eq(memo_row(env, i)["text"], big, "stored whole")


@test
def api_other_pages_refused(env):
    """Every route that acts (POST, PATCH, DELETE) answers 403 to a request another page sent, before it acts: Sec-Fetch-Site cross-site, same-site (a sibling subdomain's form, which the SameSite=Lax cookie goes with) or none; without Sec-Fetch-Site, an Origin of another host or "null".  Our own page (same-origin, or our own Origin) and curl (neither) act"""
    user = "API 다른 페이지"
    b, m, etag, trashed = live_and_trashed(env, user)
    i, t = m["id"], trashed["id"]
    other = logged_in(env, user)
    sess = b.get("/account").json()["sessions"]
    other_key = next(x["id"] for x in sess if not x["current"])
    uid = naver_id(user)
    count = f"SELECT COUNT(*) FROM memo WHERE user_id = '{uid}'"
    before = (memo_row(env, i), memo_row(env, t), env.db.query(count),
              env.db.query(f"SELECT COUNT(*) FROM sessions WHERE public_id = '{other_key}'"))
    acting = (("POST /memo", lambda h: send(b, "POST", "/memo", {"text": "끼워 넣기"}, headers=h)),
              ("PATCH", lambda h: send(b, "PATCH", f"/memo/{i}", {"text": "덮어쓰기"},
                                       headers=dict(h, **{"If-Match": etag}))),
              ("DELETE /memo/{id}", lambda h: send(b, "DELETE", f"/memo/{i}", headers=h)),
              ("restore", lambda h: send(b, "POST", f"/memo/{t}/restore", headers=h)),
              ("DELETE /trash/{id}", lambda h: send(b, "DELETE", f"/trash/{t}", headers=h)),
              ("DELETE /trash", lambda h: send(b, "DELETE", "/trash", headers=h)),
              ("POST /import", lambda h: send(b, "POST", "/import", {"format": "memo-export", "version": 1, "memos": [
                  {"text": "가져옴", "created_at": "2020-01-01T00:00:00Z"}]},
                                              headers=h)),
              ("DELETE /account/sessions/{id}",
               lambda h: send(b, "DELETE", f"/account/sessions/{other_key}", headers=h)))
    own = urllib.parse.urlsplit(env.web.url)
    elsewhere = ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                 {"Sec-Fetch-Site": "none"},
                 {"Sec-Fetch-Site": "cross-site", "Origin": f"{own.scheme}://{own.netloc}"},
                 {"Origin": "https://evil.example"}, {"Origin": f"{own.scheme}://x.{own.netloc}"},
                 {"Origin": "null"})
    for what, send_it in acting:
        for h in elsewhere:
            check_error(send_it(h), 403, f"{what} with {h}",
                        {"error": "not from this site's own page"})
    eq((memo_row(env, i), memo_row(env, t), env.db.query(count),
        env.db.query(f"SELECT COUNT(*) FROM sessions WHERE public_id = '{other_key}'")),
       before, "nothing changed")
    eq(other.get("/memo").status, 200, "the other session still works")
    # Our own page, by either word, and curl acting.
    r = send(b, "PATCH", f"/memo/{i}", {"pinned": True},
             headers={"Sec-Fetch-Site": "same-origin", "If-Match": etag})
    eq(r.status, 200, "PATCH from our own page")
    r = send(b, "POST", f"/memo/{t}/restore", headers={"Origin": f"{own.scheme}://{own.netloc}"})
    eq(r.status, 200, "restore with our own Origin, no Sec-Fetch-Site")
    eq(memo_row(env, t)["deleted_at"], None, "restored")
    eq(send(b, "DELETE", f"/account/sessions/{other_key}").status, 204, "curl: no word")


@test
def api_patch(env):
    """PATCH /memo/{id}: text (revision, tags, search copy, updated_at, ETag), pinned alone, the same again changes nothing"""
    user = "API 고치기"
    b = logged_in(env, user)
    m, e0 = new(b, "처음 글 #하나 #둘")
    i = m["id"]
    # Written long ago, so the edit's times are told apart.
    sql(env, f"UPDATE memo SET created_at = '2020-01-02 03:04:05' WHERE id = {i}")
    r = patch(b, i, {"text": "고친 글 #둘 #셋 ABC"})
    eq(r.status, 200, "PATCH text")
    p = r.json()
    check_memo(p, "PATCH answer")
    e1 = check_etag(r, "PATCH")
    check(e1 != e0, "the ETag changed")
    eq((p["id"], p["text"], p["tags"], p["pinned"], p["deleted_at"]),
       (i, "고친 글 #둘 #셋 ABC", ["둘", "셋"], False, None), "the new memo")
    eq(p["created_at"], "2020-01-02T03:04:05Z", "created_at kept")
    check(p["updated_at"] > p["created_at"], f"updated_at {p['updated_at']} set")
    eq(get(b, i), (p, e1), "GET answers the same memo and ETag")
    row = check_rows(env, p, user, "after the edit")
    eq(row["version"], 1, "version")
    eq([(t, c) for _, t, c in revision_rows(env, i)],
       [("처음 글 #하나 #둘", "2020-01-02T03:04:05Z")], "the old text is a revision")

    # The same text again: nothing changes.
    r = patch(b, i, {"text": "고친 글 #둘 #셋 ABC"})
    eq((r.status, r.json(), r.header("ETag")), (200, p, e1), "same text: same memo, same ETag")
    r = patch(b, i, {"text": "고친 글 #둘 #셋 ABC", "pinned": False})
    eq((r.status, r.json(), r.header("ETag")), (200, p, e1), "same text and pinned")
    eq(memo_row(env, i), row, "row unchanged")
    eq(len(revision_rows(env, i)), 1, "no revision")

    # pinned alone: a new ETag, no revision, updated_at kept.
    r = patch(b, i, {"pinned": True})
    eq(r.status, 200, "PATCH pinned")
    q = r.json()
    e2 = check_etag(r, "PATCH pinned")
    check(e2 not in (e0, e1), "the ETag changed")
    eq(q, dict(p, pinned=True), "only pinned changed")
    eq(memo_row(env, i), dict(row, pinned=1, version=2), "row: pinned, version")
    eq(len(revision_rows(env, i)), 1, "no revision for a pin")
    r = patch(b, i, {"pinned": True})
    eq((r.status, r.header("ETag")), (200, e2), "pinned again changes nothing")
    eq(ids(b, "pinned=true"), [i], "listed as pinned")
    eq(ids(b, "pinned=false"), [], "not as unpinned")

    # text and pinned together, with If-Match: the current ETag, "*", a list.
    for n in range(3):
        im = (e2, "*", f'"0-0", {e2}, "x"')[n]
        text = f"셋째 판 {n} #넷"
        r = patch(b, i, {"text": text, "pinned": n % 2 == 1}, if_match=im)
        eq(r.status, 200, f"If-Match {im}")
        e2 = check_etag(r, f"If-Match {im}")
        eq((r.json()["text"], r.json()["pinned"], r.json()["tags"]), (text, n % 2 == 1, ["넷"]),
           f"If-Match {im}: the memo")
        check_rows(env, r.json(), user, f"If-Match {im}")
    eq(len(revision_rows(env, i)), 4, "one revision per text change")
    eq(memo_row(env, i)["version"], 5, "version counts the changes")


@test
def api_precondition(env):
    """If-Match not the current ETag: 412 with {"error","memo": current} and the current ETag; PATCH, DELETE, restore and purge change nothing"""
    user = "API 412"
    b = logged_in(env, user)
    m, e0 = new(b, "첫 판 #조건")
    i = m["id"]
    r = patch(b, i, {"text": "둘째 판 #조건"})
    cur, e1 = r.json(), r.header("ETag")
    before = (memo_row(env, i), tag_rows(env, i), revision_rows(env, i))
    for what, send_it in (
            ("PATCH text", lambda im: patch(b, i, {"text": "덮어쓰기"}, if_match=im)),
            ("PATCH pinned", lambda im: patch(b, i, {"pinned": True}, if_match=im)),
            ("DELETE", lambda im: delete(b, f"/memo/{i}", if_match=im)),
            ("restore", lambda im: restore(b, i, if_match=im))):
        for im in (e0, '"garbage"', f"W/{e1}", e1.strip('"'), f'{e0}, "x"',
                   f"W/ {e1}", f"{e1}x", f"x{e1}"):
            r = send_it(im)
            check_error(r, 412, f"{what} with If-Match {im}")
            eq(r.json(), {"error": "the memo has changed since it was read", "memo": cur},
               f"{what}: the current memo in the answer")
            eq(r.header("ETag"), e1, f"{what}: the current ETag")
    eq((memo_row(env, i), tag_rows(env, i), revision_rows(env, i)), before, "nothing changed")
    eq(delete(b, f"/memo/{i}", if_match=e1).status, 204, "DELETE with the current ETag")
    trashed, e2 = get(b, i)
    check(trashed["deleted_at"], "in the trash")
    before = (memo_row(env, i), tag_rows(env, i), revision_rows(env, i))
    r = delete(b, f"/trash/{i}", if_match=e1)
    check_error(r, 412, "DELETE /trash/{id} with a stale ETag")
    eq(r.json(), {"error": "the memo has changed since it was read", "memo": trashed},
       "DELETE /trash/{id}: the current memo in the answer")
    eq(r.header("ETag"), e2, "DELETE /trash/{id}: the current ETag")
    eq((memo_row(env, i), tag_rows(env, i), revision_rows(env, i)), before, "not purged")
    eq(delete(b, f"/trash/{i}", if_match=e2).status, 204, "purged with the current ETag")
    eq(memo_row(env, i), None, "gone")


@test
def api_revisions(env):
    """GET /memo/{id}/revisions: the earlier texts newest first with when each was written; the newest 50 kept"""
    b = logged_in(env, "API 판")
    m, _ = new(b, "판 0")
    i = m["id"]
    eq(b.get(f"/memo/{i}/revisions").json(), {"revisions": []}, "never edited")
    sql(env, f"UPDATE memo SET created_at = '2026-01-01 10:00:00' WHERE id = {i}")
    stamps = ["2026-01-01T10:00:00Z"]
    for n in range(1, 4):
        eq(patch(b, i, {"text": f"판 {n}"}).status, 200, f"edit {n}")
        # When this text was written, told apart from the next.
        sql(env, f"UPDATE memo SET updated_at = '2026-01-0{n + 1} 10:00:00' WHERE id = {i}")
        stamps.append(f"2026-01-0{n + 1}T10:00:00Z")
    r = b.get(f"/memo/{i}/revisions")
    eq(r.status, 200, "status")
    eq(r.header("Content-Type"), JSON_TYPE, "type")
    revs = r.json()["revisions"]
    for v in revs:
        eq(list(v), ["id", "text", "created_at"], "revision keys")
    eq([(v["text"], v["created_at"]) for v in revs],
       [("판 2", stamps[2]), ("판 1", stamps[1]), ("판 0", stamps[0])], "newest first")
    eq([v["id"] for v in revs], sorted((v["id"] for v in revs), reverse=True), "ids descending")
    eq([(v["id"], v["text"], v["created_at"]) for v in revs],
       list(reversed(revision_rows(env, i))), "the memo_revision rows")
    eq(get(b, i)[0]["text"], "판 3", "the memo holds the newest text")
    eq(delete(b, f"/memo/{i}").status, 204, "to the trash")
    eq(len(b.get(f"/memo/{i}/revisions").json()["revisions"]), 3, "listed in the trash too")
    eq(restore(b, i).status, 200, "restored")

    # Many edits: at least the newest 50 are kept, newest first.
    k, _ = new(b, "긴 이력 0")
    for n in range(1, 71):
        eq(patch(b, k["id"], {"text": f"긴 이력 {n}"}).status, 200, f"edit {n}")
    revs = b.get(f"/memo/{k['id']}/revisions").json()["revisions"]
    check(50 <= len(revs) <= 65, f"{len(revs)} revisions kept (50 to 65)")
    eq([v["text"] for v in revs], [f"긴 이력 {n}" for n in range(69, 69 - len(revs), -1)],
       "the newest ones, newest first")
    eq(len(revision_rows(env, k["id"])), len(revs), "rows")
    # The same with a pin after every edit: each edit at an even version,
    # none at a 15th (which alone pruned, and kept all 70).
    k, _ = new(b, "섞인 이력 0")
    for n in range(1, 71):
        eq(patch(b, k["id"], {"text": f"섞인 이력 {n}"}).status, 200, f"edit {n}")
        eq(patch(b, k["id"], {"pinned": n % 2 == 1}).status, 200, f"pin {n}")
    revs = b.get(f"/memo/{k['id']}/revisions").json()["revisions"]
    check(50 <= len(revs) <= 65, f"{len(revs)} revisions kept between pins (50 to 65)")
    eq([v["text"] for v in revs], [f"섞인 이력 {n}" for n in range(69, 69 - len(revs), -1)],
       "the newest ones, newest first, between pins")


@test
def api_trash(env):
    """The trash: DELETE 204 (twice), listed with trash=true, 409 for PATCH, restore, purge one, empty it ({"purged": N}; with ?count= only if it holds that many: else 412 with the count, nothing purged)"""
    user = "API 휴지통"
    b = logged_in(env, user)
    m, e0 = new(b, "버릴 #메모")
    keep, _ = new(b, "남길 #메모")
    i = m["id"]
    patch(b, i, {"text": "버릴 #메모 고침"})
    r = delete(b, f"/memo/{i}")
    eq((r.status, r.body), (204, b""), "DELETE: 204, no body")
    row = memo_row(env, i)
    check(row["deleted_at"] and STAMP.fullmatch(row["deleted_at"]), f"deleted_at {row}")
    eq(row["version"], 2, "version")
    eq(ids(b), [keep["id"]], "not among the live memos")
    t = listing(b, "trash=true")
    eq([x["id"] for x in t], [i], "in the trash")
    check_memo(t[0], "trash item")
    eq(t[0]["deleted_at"], row["deleted_at"], "deleted_at in the answer")
    got, etag = get(b, i)
    eq(got, t[0], "GET /memo/{id} of a memo in the trash")
    eq(tag_rows(env, i), [("메모", "메모", naver_id(user))], "its tag rows kept")
    eq(b.get("/tags").json(), {"tags": [{"name": "메모", "count": 1}]}, "not counted in /tags")
    r = delete(b, f"/memo/{i}")
    eq((r.status, r.body), (204, b""), "DELETE again: 204")
    eq(memo_row(env, i), row, "nothing changed by the second DELETE")
    eq(get(b, i)[1], etag, "nor its ETag")

    before = (memo_row(env, i), revision_rows(env, i))
    for body in ({"text": "휴지통에서 고침"}, {"pinned": True}):
        r = patch(b, i, body)
        check_error(r, 409, f"PATCH {body} of a memo in the trash")
    eq((memo_row(env, i), revision_rows(env, i)), before, "unchanged by the 409")
    live = (memo_row(env, keep["id"]), tag_rows(env, keep["id"]),
            revision_rows(env, keep["id"]))
    check(live[0] is not None, "a live memo to purge")
    check_error(delete(b, f"/trash/{keep['id']}"), 409, "DELETE /trash/{id} of a live memo")
    eq((memo_row(env, keep["id"]), tag_rows(env, keep["id"]), revision_rows(env, keep["id"])),
       live, "the live memo, its tags and revisions unchanged by the 409")

    r = restore(b, i)
    eq(r.status, 200, "restore")
    back = r.json()
    check_memo(back, "restored")
    check(check_etag(r, "restore") != etag, "new ETag")
    eq(back, dict(got, deleted_at=None), "out of the trash, otherwise the same")
    check_rows(env, back, user, "restored")
    eq(ids(b), [keep["id"], i], "live again")
    eq(ids(b, "trash=true"), [], "trash empty")
    r2 = restore(b, i)
    eq((r2.status, r2.json(), r2.header("ETag")), (200, back, r.header("ETag")),
       "restore of a live memo: 200, nothing changes")

    # Purge one: memo, revisions and tags gone for good.
    eq(delete(b, f"/memo/{i}").status, 204, "to the trash again")
    r = delete(b, f"/trash/{i}")
    eq((r.status, r.body), (204, b""), "DELETE /trash/{id}")
    eq((memo_row(env, i), tag_rows(env, i), revision_rows(env, i)), (None, [], []),
       "memo, tags and revisions deleted")
    check_error(b.get(f"/memo/{i}"), 404, "GET after the purge", NOT_FOUND)
    check_error(delete(b, f"/trash/{i}"), 404, "purge again", NOT_FOUND)
    check_error(restore(b, i), 404, "restore after the purge", NOT_FOUND)

    # Empty the trash: only this user's trash, only the trash.
    other = logged_in(env, "API 휴지통 이웃")
    theirs, _ = new(other, "이웃의 #버린 메모")
    delete(other, f"/memo/{theirs['id']}")
    trashed = [new(b, f"버릴 것 {n} #묶음")[0]["id"] for n in range(3)]
    for n, t_id in enumerate(trashed):
        patch(b, t_id, {"text": f"버릴 것 {n} #묶음 고침"})
        eq(delete(b, f"/memo/{t_id}").status, 204, "to the trash")
    # With the count the person confirmed: another number (a memo put
    # there meanwhile, or one restored) is 412 with the count now, and
    # nothing is purged; a count not from 1 is 400.
    rows = [(memo_row(env, t_id), tag_rows(env, t_id), revision_rows(env, t_id))
            for t_id in trashed]
    for shown in (2, 4):
        check_error(b.request("DELETE", f"/trash?count={shown}"), 412,
                    f"DELETE /trash?count={shown} of 3",
                    {"error": "the trash has changed since it was counted", "count": 3})
    for bad in ("0", "-1", "x", "3x", ""):
        check_error(b.request("DELETE", f"/trash?count={bad}"), 400, f"count={bad!r}")
    eq([(memo_row(env, t_id), tag_rows(env, t_id), revision_rows(env, t_id))
        for t_id in trashed], rows, "nothing purged by the 412s and 400s")
    check_error(Browser(env.web.url).request("DELETE", "/trash?count=3"), 401,
                "no session")
    # The key of the list that showed them: which memos, not only how
    # many.  One restored and another put there since: the same count,
    # another key, 412 (the count alone purged the one never shown).
    listed = b.get("/memo?trash=true&count=true&limit=2").json()
    key = listed["trash_key"]
    eq((listed["count"], key), (3, trash_key(trashed)),
       "count and trash_key: the XOR of the ids' hashes, a string")
    eq(restore(b, trashed[0]).status, 200, "one restored elsewhere")
    unseen, _ = new(b, "본 적 없는 메모")
    eq(delete(b, f"/memo/{unseen['id']}").status, 204, "another put there")
    check_error(b.request("DELETE", f"/trash?count=3&key={key}"), 412,
                "the same count, other memos",
                {"error": "the trash has changed since it was counted", "count": 3})
    check(memo_row(env, unseen["id"]) is not None, "the memo never shown is kept")
    for bad in ("x", "-1", "1" * 21, "18446744073709551616", ""):
        check_error(b.request("DELETE", f"/trash?count=3&key={bad}"), 400, f"key={bad!r}")
    check_error(b.request("DELETE", f"/trash?key={key}"), 400, "a key without count")
    eq(delete(b, f"/trash/{unseen['id']}").status, 204, "that one purged by itself")
    eq(delete(b, f"/memo/{trashed[0]}").status, 204, "and the restored one back")
    r = b.request("DELETE", f"/trash?count=3&key={key}")
    eq((r.status, r.header("Content-Type"), r.json()), (200, JSON_TYPE, {"purged": 3}),
       "DELETE /trash?count=3&key=…: the memos confirmed")
    # Two swapped for two of consecutive ids: the ids' own XOR pairs off
    # (2k ^ 2k+1 = 1 for every k); their hashes' does not.
    made = [new(b, f"짝 {n}")[0]["id"] for n in range(5)]
    run = made[made[0] % 2:][:4]
    check(run[1] - run[0] == 1 and run[3] - run[2] == 1 and run[0] % 2 == 0,
          f"consecutive ids from an even one: {run}")
    for t_id in run[:2]:
        eq(delete(b, f"/memo/{t_id}").status, 204, "to the trash")
    key = b.get("/memo?trash=true&count=true").json()["trash_key"]
    for t_id in run[:2]:
        eq(restore(b, t_id).status, 200, "restored elsewhere")
    for t_id in run[2:]:
        eq(delete(b, f"/memo/{t_id}").status, 204, "and two others put there")
    check_error(b.request("DELETE", f"/trash?count=2&key={key}"), 412,
                "two swapped for two", {"error": "the trash has changed since it was counted",
                                        "count": 2})
    eq(b.request("DELETE", "/trash").json(), {"purged": 2}, "emptied without a count")
    for t_id in set(made) - set(run[2:]):
        eq(delete(b, f"/memo/{t_id}").status, 204, "the others to the trash")
    eq(b.request("DELETE", "/trash").json(), {"purged": 3}, "and out of it")
    for t_id in trashed:
        eq((memo_row(env, t_id), tag_rows(env, t_id), revision_rows(env, t_id)), (None, [], []),
           f"memo {t_id} gone with its rows")
    eq(ids(b), [keep["id"]], "the live memo kept")
    eq(b.request("DELETE", "/trash").json(), {"purged": 0},
       "an empty trash, with no count (as the seed-era clients send it)")
    check(memo_row(env, theirs["id"])["deleted_at"], "the neighbour's trash kept")

    # Trashed and restored, a memo never edited still has updated_at =
    # created_at: only its text changes updated_at.
    plain, _ = new(b, "고친 적 없는 메모")
    eq(delete(b, f"/memo/{plain['id']}").status, 204, "a memo never edited, to the trash")
    in_trash = get(b, plain["id"])[0]
    back = restore(b, plain["id"]).json()
    eq([(x["created_at"], x["updated_at"]) for x in (in_trash, back)],
       [(plain["created_at"], plain["created_at"])] * 2, "updated_at in the trash and restored")


@test
def api_etag_changes(env):
    """The ETag changes with every change (edit, pin, trash, restore), never otherwise; If-None-Match follows it"""
    b = logged_in(env, "API 태그값")
    m, e = new(b, "변하는 메모")
    i = m["id"]
    seen = [e]
    for what, act in (("edit", lambda: patch(b, i, {"text": "변한 메모"})),
                      ("pin", lambda: patch(b, i, {"pinned": True})),
                      ("unpin", lambda: patch(b, i, {"pinned": False})),
                      ("trash", lambda: delete(b, f"/memo/{i}")),
                      ("restore", lambda: restore(b, i))):
        r = act()
        check(r.status in (200, 204), f"{what}: {r.status}")
        cur = get(b, i)[1]
        check(cur not in seen, f"{what}: a new ETag {cur} (had {seen})")
        if r.status == 200:
            eq(r.header("ETag"), cur, f"{what}: the answer's ETag is the memo's")
        check_error(patch(b, i, {"pinned": True}, if_match=seen[-1]), 412,
                    f"{what}: the previous ETag is stale")
        eq(b.get(f"/memo/{i}", headers={"If-None-Match": seen[-1]}).status, 200,
           f"{what}: If-None-Match of the previous ETag")
        eq(b.get(f"/memo/{i}", headers={"If-None-Match": cur}).status, 304,
           f"{what}: If-None-Match of the current one")
        seen.append(cur)
    for _ in range(2):
        eq(get(b, i)[1], seen[-1], "reading changes nothing")
        listing(b)


@test
def api_seed_contract(env):
    """A client written for the seed works unchanged: POST /memo -> 200 with text, GET /memo -> memos[i].text (also under /memo/)"""
    for web in (env.web, env.web_prefix):
        b = Browser(web.url)
        eq(login(b, "API 옛 클라이언트").status, 302, "login")
        before = len(listing(b))
        for text in ("옛 클라이언트의 첫 메모", "둘째 #메모 😀"):
            # Exactly what the seed's page sent.
            r = b.request("POST", "/memo", body=json.dumps({"text": text}).encode(),
                          headers={"Content-Type": "application/json"})
            eq(r.status, 200, "POST /memo is 200 (not 201)")
            eq(r.json()["text"], text, "the answer's text")
        r = b.post_json("/memo", {"text": "모르는 키도", "color": "red", "id": 1})
        eq((r.status, r.json()["text"]), (200, "모르는 키도"), "extra keys ignored as before")
        r = b.request("POST", "/memo", body=json.dumps({"text": "charset"}).encode(),
                      headers={"Content-Type": "application/json; charset=UTF-8"})
        eq(r.status, 200, "application/json with a charset")
        r = b.get("/memo")
        eq(r.status, 200, "GET /memo")
        body = r.json()
        eq(list(body), ["memos"], "the list is {\"memos\": [...]}")
        eq([x["text"] for x in body["memos"][:4]],
           ["charset", "모르는 키도", "둘째 #메모 😀", "옛 클라이언트의 첫 메모"], "memos[i].text")
        eq(len(body["memos"]), before + 4, "every memo")
    # Every memo, however many: without limit the list has no cap (the
    # page's paging asks at most 1000 at a time; a seed client asks none).
    b = logged_in(env, "API 옛 클라이언트 많은 메모")
    uid = naver_id("API 옛 클라이언트 많은 메모")
    env.db.client(database="memo", stdin=(
        f"DELETE FROM memo WHERE user_id = '{uid}';"    # each mode runs it again
        "SET SESSION max_recursive_iterations = 100000;"
        "INSERT INTO memo (user_id, text, created_at) WITH RECURSIVE seq(n) AS"
        " (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 1500)"
        f" SELECT '{uid}', CONCAT('많은 메모 ', n), UTC_TIMESTAMP() FROM seq;"))
    texts = [x["text"] for x in listing(b)]
    eq((len(texts), texts[0], texts[-1]), (1500, "많은 메모 1500", "많은 메모 1"),
       "GET /memo without limit: all 1,500 memos, newest first")


# ---- tags ----

TAG_TEXT = ('#회의 준비 #日本 여행 (#괄호) "#인용" 「#꺾쇠」 #work/plan #Work 그리고 #work '
            "# 제목 ## #1 #2024 https://x.example/#frag a#b #123abc #_x-y, #끝. #회의 "
            "#" + "가" * 64 + " #" + "나" * 65 + " " +
            unicodedata.normalize("NFD", "#분해된태그") + " #\u0928\u092e\u0938\u094d\u0924\u0947")
TAG_NAMES = ["회의", "日本", "괄호", "인용", "꺾쇠", "work/plan", "Work", "123abc", "_x-y", "끝",
             "가" * 64, "분해된태그", "\u0928\u092e\u0938\u094d\u0924\u0947"]


@test
def api_tag_rules(env):
    """#tags as users see them: Korean, CJK, nesting, brackets and quotes, case-insensitive; "# 제목", "##", "#1", a URL's #frag are not tags"""
    user = "API 태그 규칙"
    b = logged_in(env, user)
    m, _ = new(b, TAG_TEXT)
    eq(m["tags"], TAG_NAMES, "tags in order of first appearance, without duplicates")
    check_rows(env, m, user, "memo_tag rows")
    eq(get(b, m["id"])[0]["tags"], TAG_NAMES, "GET")
    others = {"workshop": new(b, "#workshop 은 다른 태그")[0],
              "lower": new(b, "소문자 #work 만")[0],
              "nested": new(b, "깊은 #work/plan/q1 태그")[0],
              "none": new(b, "태그 없음: # 제목, ##, #1, https://x.example/#frag, a#b")[0],
              "nfc": new(b, "#분해된태그 조합형으로")[0]}
    eq(others["none"]["tags"], [], "none of these is a tag")
    eq(tag_rows(env, others["none"]["id"]), [], "no memo_tag row")
    eq(others["nfc"]["tags"], ["분해된태그"], "NFC and NFD: the same tag")
    want = {"work": [others["nested"], others["lower"], m],
            "WORK": [others["nested"], others["lower"], m],
            "#Work": [others["nested"], others["lower"], m],
            "work/plan": [others["nested"], m], "work/plan/q1": [others["nested"]],
            "workshop": [others["workshop"]], "wor": [], "회의": [m], "日本": [m],
            "괄호": [m], "인용": [m], "꺾쇠": [m], "123abc": [m], "_x-y": [m], "끝": [m],
            "가" * 64: [m], "나" * 20: [], "제목": [], "frag": [], "b": [],
            "분해된태그": [others["nfc"], m],
            unicodedata.normalize("NFD", "분해된태그"): [others["nfc"], m]}
    for tag, memos in want.items():
        eq(ids(b, qs(tag=tag)), [x["id"] for x in memos], f"tag={tag}")
    # An edit recomputes the tags and their rows.
    r = patch(b, others["lower"]["id"], {"text": "바뀐 #Work 와 #새태그 (#work 중복)"})
    eq(r.json()["tags"], ["Work", "새태그"], "tags after an edit")
    check_rows(env, r.json(), user, "memo_tag rows after an edit")
    eq(ids(b, qs(tag="새태그")), [others["lower"]["id"]], "the new tag matches")
    r = patch(b, others["lower"]["id"], {"text": "태그를 모두 지움"})
    eq(r.json()["tags"], [], "no tags left")
    eq(tag_rows(env, others["lower"]["id"]), [], "no memo_tag rows left")
    eq(ids(b, qs(tag="새태그")), [], "the old tag no longer matches")


@test
def api_tag_counts(env):
    """GET /tags: the user's tags over live memos, most used first then by name; #Work and #work one tag"""
    user = "API 태그 수"
    b = logged_in(env, user)
    eq(b.get("/tags").json(), {"tags": []}, "no memo, no tag")
    for text in ("#회의 #b", "#회의 #B #c", "#회의", "#work 하나", "#Work 둘", "#c",
                 "#a", "#work/plan", "#zz 숫자 #1 는 아님"):
        new(b, text)
    gone, _ = new(b, "#a #버림 #회의")
    delete(b, f"/memo/{gone['id']}")
    neighbour = logged_in(env, "API 태그 수 이웃")
    new(neighbour, "#회의 #이웃 #a")
    r = b.get("/tags")
    eq((r.status, r.header("Content-Type")), (200, JSON_TYPE), "GET /tags")
    eq(r.json(), {"tags": [{"name": "회의", "count": 3}, {"name": "B", "count": 2},
                           {"name": "c", "count": 2}, {"name": "Work", "count": 2},
                           {"name": "a", "count": 1}, {"name": "work/plan", "count": 1},
                           {"name": "zz", "count": 1}]},
       "counts over live memos, most used first, then by name")
    restore(b, gone["id"])
    tags = {t["name"]: t["count"] for t in b.get("/tags").json()["tags"]}
    eq((tags["회의"], tags["a"], tags["버림"]), (4, 2, 1), "restored: counted again")
    eq(neighbour.get("/tags").json()["tags"][0]["count"], 1, "the neighbour's own counts")


@test
def api_tag_case_edit(env):
    """An edit that only changes a tag's case (#Work -> #WORK) updates the name /tags shows"""
    user = "API 태그 대소문자"
    b = logged_in(env, user)
    m, _ = new(b, "#Work 계획")
    eq(b.get("/tags").json()["tags"], [{"name": "Work", "count": 1}], "as written")
    r = patch(b, m["id"], {"text": "#WORK 계획"})
    eq(r.json()["tags"], ["WORK"], "the memo's tags")
    check_rows(env, r.json(), user, "memo_tag name follows the text")
    eq(b.get("/tags").json()["tags"], [{"name": "WORK", "count": 1}], "the name as now written")


# ---- search ----

NFD_TEXT = unicodedata.normalize("NFD", "맥에서 쓴 한글 분해 메모")


@test
def api_search(env):
    """Search (q): substrings, case, %, _, \\ and ! literal, NFC finds NFD and back, every word, own memos only, trash apart"""
    user = "API 검색"
    b = logged_in(env, user)
    texts = {"meeting": "오늘 회의록을 정리했다", "upper": "ABC 보고서",
             "lower": "abc 소문자", "percent": "진행률 100% 완료", "under": "변수 snake_case 이름",
             "slash": "경로 C:\\Users\\메모", "bang": "느낌표! 강조", "nfd": NFD_TEXT,
             "quote": "작은따옴표 ' 와 \" 큰따옴표"}
    m = {k: new(b, t)[0] for k, t in texts.items()}
    check_rows(env, m["nfd"], user, "the NFD memo's search copy is composed")
    eq(memo_row(env, m["nfd"]["id"])["text"], NFD_TEXT, "the text is stored as sent (NFD)")
    other = logged_in(env, "API 검색 이웃")
    new(other, "이웃의 회의록 ABC 100% snake_case")

    def found(q, query=""):
        return sorted(x["id"] for x in listing(b, qs(q=q) + query))

    def want(*keys):
        return sorted(m[k]["id"] for k in keys)
    cases = [("회의", ("meeting",)), ("회의록을", ("meeting",)), ("록을 정리", ("meeting",)),
             ("ABC", ("upper", "lower")), ("abc", ("upper", "lower")), ("aBc", ("upper", "lower")),
             ("보고서", ("upper",)), ("%", ("percent",)), ("100%", ("percent",)),
             ("진%완료", ()), ("0% 완", ("percent",)), ("_", ("under",)),
             ("e_c", ("under",)), ("sn_ke", ()), ("\\", ("slash",)), ("C:\\Users", ("slash",)),
             ("\\메", ("slash",)), ("c:\\users", ("slash",)), ("!", ("bang",)), ("표!", ("bang",)),
             ("'", ("quote",)), ('"', ("quote",)),
             ("분해", ("nfd",)), ("한글 분해", ("nfd",)),
             (unicodedata.normalize("NFD", "분해"), ("nfd",)),
             (unicodedata.normalize("NFD", "정리"), ("meeting",)),
             (unicodedata.normalize("NFD", "회의록을 정리했다"), ("meeting",)),
             ("회의 정리", ("meeting",)), ("정리 회의", ("meeting",)), ("회의 없는말", ()),
             ("회의 ABC", ()), ("  회의   정리  ", ("meeting",)), ("이웃의", ()),
             ("없는말", ())]
    for q, keys in cases:
        eq(found(q), want(*keys), f"q={q!r}")
    # The trash is searched only with trash=true.
    delete(b, f"/memo/{m['meeting']['id']}")
    eq(found("회의"), [], "a memo in the trash is not found among the live ones")
    eq(found("회의", "&trash=true"), want("meeting"), "trash=true searches the trash")
    eq(found("ABC", "&trash=true"), [], "and only the trash")
    eq(found("ABC", "&trash=false"), want("upper", "lower"), "trash=false: the live memos")
    # An edit re-makes the search copy.
    r = patch(b, m["lower"]["id"], {"text": "이제 XYZ 소문자"})
    check_rows(env, r.json(), user, "search copy after an edit")
    eq(found("abc"), want("upper"), "the old text is no longer found")
    eq(found("xyz"), want("lower"), "the new one is")


@test
def api_search_long_text_and_copy(env):
    """Search of nine words, the ninth looked for in C past the first 64 KiB of the search copy, finds a memo whose text (grown by SQL, as a seed-era memo may be) and copy both pass 64 KiB: both columns of that row fetched again whole, the text given back whole"""
    b = logged_in(env, "API 긴 본문 검색")
    long = "월요일아침 주간회의록 예산안검토 채용계획안 사무실이전 워크숍장소 분기목표치 회식날짜"
    text = long + " " + "가나다라" * 5000
    mid = new(b, text)[0]["id"]
    # Hangul is its own search copy (NFC, no case): the same tail on both.
    env.db.query(f"UPDATE memo SET text = CONCAT(text, REPEAT('마', 3000), ' 끝')"
                 f" WHERE id = {mid}; UPDATE memo_search SET body = CONCAT(body,"
                 f" REPEAT('마', 3000), ' 끝') WHERE memo_id = {mid}")
    text += "마" * 3000 + " 끝"
    body = int(env.db.query(f"SELECT LENGTH(body) FROM memo_search WHERE memo_id = {mid}")[0][0])
    check(len(text.encode()) > 65537 and body > 65537,
          f"text {len(text.encode())} bytes, copy {body}: both past the buffers")
    new(b, long + " 끝 아님")               # 끝 in the copy's first bytes: found too
    got = listing(b, qs(q=long + " 끝"))
    eq(len(got), 2, "both memos")
    eq(got[1]["id"], mid, "the long one")
    eq(got[1]["text"], text, "its text, whole")


@test
def api_search_many_words(env):
    """Search with more words than the statement's 8 (up to 100): the rest are looked for in C, with the same rules (case, NFD, literal %); count, paging, tag and trash agree"""
    user = "API 긴 검색"
    b = logged_in(env, user)
    long = "월요일 주간회의 예산안검토 채용계획 사무실이전 워크숍장소 분기목표 회식날짜"
    # The 8 long words go to the statement; xy, 팀 (sent NFD) and % are
    # the shortest once folded, so C looks for them; 회의 and 예산 are
    # inside longer words.
    query = long + " xy " + unicodedata.normalize("NFD", "팀") + " % 회의 예산"
    full = long + " 담당 XY팀 분담 100%"
    texts = [full, long + " 담당 팀 분담 100%", full.replace("채용계획", "채용"),
             full + " #회의", long + " 담당 XY팀 분담 100", full, full.replace("XY팀", "XY조")]
    mids = [new(b, t)[0]["id"] for t in texts]
    other = logged_in(env, "API 긴 검색 이웃")
    new(other, full)
    hits = [mids[5], mids[3], mids[0]]

    def found(extra=""):
        return [x["id"] for x in listing(b, qs(q=query) + extra)]
    eq(found(), hits, "13 words: only the memos with every one, newest first")
    eq(b.get("/memo?" + qs(q=query) + "&count=true").json()["count"], 3, "count=true")
    eq(found("&limit=1"), hits[:1], "limit=1")
    eq(found(f"&limit=1&before={hits[0]}"), hits[1:2], "the next page")
    eq(found(f"&limit=5&before={hits[1]}"), hits[2:], "the last page")
    eq(found("&" + qs(tag="회의")), [mids[3]], "with a tag")
    r = b.get("/memo?" + qs(q=query, tag="회의") + "&count=true")
    eq((r.status, r.json()["count"]), (200, 1), "count with a tag")
    delete(b, f"/memo/{mids[0]}")
    eq(found(), hits[:2], "a memo in the trash leaves the live list")
    eq(found("&trash=true"), [mids[0]], "and is found in the trash")
    # 100 one-syllable words, the most 200 characters hold.
    syl = [chr(0xAC00 + 28 * 4 * i) for i in range(100)]
    every = new(b, "".join(syl))[0]["id"]
    new(b, "".join(syl[:-1]))
    eq([x["id"] for x in listing(b, qs(q=" ".join(syl)))], [every], "100 words")
    # Words inside others say nothing more: the same answer.
    apart = new(b, "주간 회의 예정")[0]["id"]
    eq([x["id"] for x in listing(b, qs(q="회의 주간회의 주간 의 주간회의"))], mids[:0:-1],
       "repeated and nested words: as 주간회의 alone (not the memo with 주간 and 회의 apart)")
    eq([x["id"] for x in listing(b, qs(q="주간 회의"))][0], apart, "which 주간 회의 finds")
    # A search copy longer than the longest text (İ folds to i and a dot
    # above, 2 bytes to 3): the word past the statement's 8 is at its end.
    wide = new(b, "\u0130" * 32000 + " a b c d e f g h j")[0]["id"]
    eq(len(memo_row(env, wide)["text"].encode()), 64018, "the text: under 64 KiB")
    eq([x["id"] for x in listing(b, qs(q="a b c d e f g h j"))], [wide],
       "the 9th word found at the end of a 96 KB search copy")
    # Past a batch: the 40 newest memos have the 8 long words but not xy,
    # so the list reads on after the first batch (32 rows) for its one hit.
    c = logged_in(env, "API 긴 검색 묶음")
    hit = new(c, full)[0]["id"]
    for _ in range(40):
        new(c, long)
    eq([x["id"] for x in listing(c, qs(q=query) + "&limit=1")], [hit], "limit=1, past a batch")
    eq(c.get("/memo?" + qs(q=query) + "&count=true").json()["count"], 1, "its count")


@test
def api_filters_combined(env):
    """q, tag, pinned and trash combine; limit and before page through a filtered list"""
    b = logged_in(env, "API 조합")
    mids = []
    for n in range(12):
        text = f"항목 {n} " + ("#일" if n % 2 == 0 else "#놀이/야외") + (" 중요" if n % 3 == 0 else "")
        mids.append(new(b, text, pinned=n % 4 == 0)[0]["id"])

    def pick(cond):
        return [mids[n] for n in range(11, -1, -1) if cond(n)]
    cases = {qs(tag="일"): pick(lambda n: n % 2 == 0),
             qs(tag="놀이"): pick(lambda n: n % 2 == 1),
             qs(tag="일") + "&pinned=true": pick(lambda n: n % 4 == 0),
             qs(tag="놀이") + "&pinned=true": [],
             qs(q="중요", tag="일"): pick(lambda n: n % 6 == 0),
             qs(q="중요", tag="일") + "&pinned=false": pick(lambda n: n % 6 == 0 and n % 4 != 0),
             qs(q="중요") + "&pinned=true": pick(lambda n: n % 12 == 0),
             qs(q="항목 중요"): pick(lambda n: n % 3 == 0),
             "pinned=false": pick(lambda n: n % 4 != 0),
             qs(q="중요", tag="놀이/야외"): pick(lambda n: n % 2 == 1 and n % 3 == 0)}
    for query, want in cases.items():
        eq(ids(b, query), want, query)
        # Paging through it two at a time gives the same memos.
        got, before = [], None
        for _ in range(10):
            page = ids(b, query + "&limit=2" + (f"&before={before}" if before else ""))
            check(len(page) <= 2, f"{query}: page of {len(page)}")
            got += page
            if len(page) < 2:
                break
            before = page[-1]
        eq(got, want, f"{query}: paged")
    eq(ids(b, qs(tag="일") + f"&limit=3&before={mids[8]}"), [mids[6], mids[4], mids[2]],
       "limit and before with a tag")
    for n in (2, 3, 4):
        delete(b, f"/memo/{mids[n]}")
    eq(ids(b, qs(tag="일") + "&trash=true"), [mids[4], mids[2]], "tag in the trash")
    eq(ids(b, qs(tag="일") + "&trash=true&pinned=true"), [mids[4]], "tag, pinned, trash")
    eq(ids(b, qs(q="항목 3") + "&trash=true"), [mids[3]], "q in the trash")
    eq(ids(b, qs(tag="일")), pick(lambda n: n % 2 == 0 and n not in (2, 4)), "live ones")
    eq(ids(b, "trash=true&limit=1"), [mids[4]], "limit in the trash")
    eq(ids(b, f"trash=true&before={mids[4]}"), [mids[3], mids[2]], "before in the trash")



def many_memos(env, b, n, text="CONCAT('메모 ', n)", after=""):
    """n memos for b's user in one statement (POSTing them would be most of
    a test): text is SQL over n, 1 to n, oldest first; after, SQL run next
    ({uid} in it: the user's id).  Returns [(id, text)] newest first."""
    key = sha256_hex(b.cookies["sessionId"])
    uid = env.db.query(f"SELECT user_id FROM sessions WHERE session_key = '{key}'")[0][0]
    env.db.query(f"SET SESSION max_recursive_iterations = {n + 1};"
                 "INSERT INTO memo (user_id, text, created_at)"
                 f" WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {n})"
                 f" SELECT '{uid}', {text}, UTC_TIMESTAMP() FROM seq;" + after.format(uid=uid))
    return [(int(i), t) for i, t in env.db.query(
        f"SELECT id, text FROM memo WHERE user_id = '{uid}' ORDER BY id DESC")]


@test
def api_tag_rare(env):
    """A rare tag among 400 memos: the list reads on in batches and finds each tagged memo, newest first, paged by limit and before; #드문/가지 too, #드문것 not"""
    b = logged_in(env, "API 드문 태그")
    # Every 37th carries #드문, every 53rd #드문/가지, every 50th #드문것.
    # Their search copies too (the text is its own folded form), for the
    # words below.
    rows = many_memos(env, b, 400, "CONCAT('메모 ', n, IF(n % 37 = 0, ' #드문', ''),"
                      " IF(n % 53 = 0, ' #드문/가지', ''), IF(n % 50 = 0, ' #드문것', ''))",
                      "INSERT INTO memo_search (user_id, memo_id, body)"
                      " SELECT user_id, id, text FROM memo WHERE user_id = '{uid}'")
    want = [i for i, text in rows if "#드문 " in text + " " or "#드문/" in text]
    eq(len(want), 17, "the tagged memos made")
    listed = listing(b, qs(tag="드문"))
    eq([m["id"] for m in listed], want, "all of them, newest first")
    for m in listed:    # each with its own tags, not the row's before
        eq(m["tags"], get(b, m["id"])[0]["tags"], f"memo {m['id']}'s tags")
    eq(ids(b, qs(tag="드문/가지")), [int(i) for i, t in rows if "#드문/가지" in t], "the nested tag")
    eq(ids(b, qs(tag="드문것")), [int(i) for i, t in rows if "#드문것" in t], "another tag")
    got, before = [], None
    for _ in range(20):
        page = ids(b, qs(tag="드문") + "&limit=2" + (f"&before={before}" if before else ""))
        check(len(page) <= 2, f"page of {len(page)}")
        got += page
        if len(page) < 2:
            break
        before = page[-1]
    eq(got, want, "paged two at a time")
    eq(ids(b, qs(tag="드문") + "&limit=1"), want[:1], "limit=1")
    # With words too: the search reads its copies in batches the same way.
    found = [i for i, t in rows if ("#드문 " in t + " " or "#드문/" in t) and "1" in t.split()[1]]
    check(len(found) >= 4, f"memos with the tag and the word: {found}")
    got, before = [], None
    for _ in range(20):
        page = ids(b, qs(tag="드문", q="메모 1") + "&limit=2" + (f"&before={before}" if before else ""))
        got += page
        if len(page) < 2:
            break
        before = page[-1]
    eq(got, found, "the tag and words, paged two at a time")
    eq(ids(b, qs(tag="없는태그") + "&limit=5"), [], "a tag no memo has")


@test
def api_tag_common_batches(env):
    """A tag on every other memo of 1,000, a page of 50: the next batch is sized by the share the first found (about 75 rows, not 200 read and thrown away), and the page is the 50 newest tagged"""
    b = logged_in(env, "API 흔한 태그")
    rows = many_memos(env, b, 1000, "CONCAT('메모 ', n, IF(n % 2 = 0, ' #반쪽', ''))",
                      "ANALYZE TABLE memo")
    want = [i for i, t in rows if t.endswith("#반쪽")]
    idle = handler_reads(env)
    idle = handler_reads(env) - idle
    before = handler_reads(env)
    eq(ids(b, qs(tag="반쪽") + "&limit=50"), want[:50], "the 50 newest tagged")
    read = handler_reads(env) - before - idle
    # First batch 50 rows (25 tagged), the next 25 * 50/25 * 1.5 = 75.
    check(read <= 140, f"{read} rows read, at most 140 (four times the first batch: 250)")
    print(f"GET /memo?tag=반쪽&limit=50: {read} rows read")
    eq(ids(b, qs(tag="반쪽") + f"&limit=300&before={want[49]}"), want[50:350], "the next 300")


def handler_reads(env):
    """MariaDB's rows read through any index or table so far (all sessions)."""
    return sum(int(v) for k, v in env.db.query("SHOW GLOBAL STATUS LIKE 'Handler_read%'")
               if k != "Handler_read_key")


def com_counts(env, *names):
    """MariaDB's counters of these commands so far (all sessions)."""
    rows = dict(env.db.query("SHOW GLOBAL STATUS WHERE Variable_name IN (" +
                             ", ".join(f"'{n}'" for n in names) + ")"))
    return [int(rows[n]) for n in names]


@test
def api_no_statement_close_at_exit(env):
    """A POST, a PATCH and a GET cost the server no COM_STMT_CLOSE: a CGI ends its connection before freeing its statements (the server frees them with it), a FastCGI process keeps them"""
    b = logged_in(env, "API 문장 닫기")
    mid = new(b, "닫기 전")[0]["id"]
    before = com_counts(env, "Com_stmt_prepare", "Com_stmt_close")
    eq(patch(b, mid, {"text": "닫은 뒤"}).status, 200, "PATCH")
    new(b, "하나 더")
    eq(len(ids(b)), 2, "GET /memo")
    prepared, closed = (a - z for a, z in zip(com_counts(env, "Com_stmt_prepare",
                                                         "Com_stmt_close"), before))
    eq(closed, 0, "COM_STMT_CLOSE sent")
    # CGI: 7 prepared (each process anew); FastCGI: fewer, kept ones reused.
    print(f"    {prepared} statements prepared, {closed} closed")


@test
def api_list_reads_own_memos(env):
    """GET /memo reads the user's own memos, newest first, and stops at limit: beside another user's 3,000 memos, a list of 30 reads about 30 rows, a page of 50 of 3,000 about 50, a tag no memo has its own 3,000 and no more"""
    big = logged_in(env, "API 많은 메모")
    small = logged_in(env, "API 적은 메모")
    for b, n in ((big, 3000), (small, 30)):
        many_memos(env, b, n)
    # Statistics as MariaDB keeps them after such a change (it would
    # recompute them in the background, a moment later).
    env.db.query("ANALYZE TABLE memo")
    idle = handler_reads(env)
    idle = handler_reads(env) - idle       # what asking costs by itself
    for b, query, n, most in ((small, "", 30, 40), (small, "limit=50", 30, 40),
                              (big, "limit=50", 50, 60), (big, "limit=50&tag=x", 0, 3010)):
        before = handler_reads(env)
        eq(len(ids(b, query)), n, f"GET /memo?{query}")
        read = handler_reads(env) - before - idle
        check(read <= most, f"GET /memo?{query}: {read} rows read, at most {most}")
        print(f"GET /memo?{query}: {read} rows read")


@test
def api_state_lists_read_their_own(env):
    """The pinned memos, a page of the others and the trash read those memos, not all the user's: of 3,000 memos with 7 pinned and 8 in the trash (old ones and the newest), pinned=true reads about 7 rows, trash=true about 8, a page of 50 unpinned about 50; the pin filter holds in the trash and its counts"""
    b = logged_in(env, "API 고정과 휴지통")
    mine = [i for i, _ in reversed(many_memos(env, b, 3000))]
    # Old and newest ones both: a page of the unpinned then starts among
    # pinned and trashed memos.  One trashed memo is pinned too.
    pinned = mine[100:3000:1000] + mine[-5:-1]
    trashed = mine[50:3000:800] + mine[-12:-8]
    for i in pinned:
        eq(patch(b, i, {"pinned": True}).status, 200, "pin")
    eq(patch(b, trashed[-1], {"pinned": True}).status, 200, "pin one to be trashed")
    for i in trashed:
        eq(delete(b, f"/memo/{i}").status, 204, "trash")
    env.db.query("ANALYZE TABLE memo")
    idle = handler_reads(env)
    idle = handler_reads(env) - idle
    live_unpinned = sorted(set(mine) - set(pinned) - set(trashed), reverse=True)
    for query, want, most in (("pinned=true", sorted(pinned, reverse=True), 14),
                              ("trash=true", sorted(trashed, reverse=True), 20),
                              ("trash=true&pinned=false", sorted(trashed[:-1], reverse=True), 20),
                              ("trash=true&pinned=true", [trashed[-1]], 20),
                              # 50, where memo_user_id read 58 (skipping 8)
                              ("pinned=false&limit=50", live_unpinned[:50], 54),
                              (f"pinned=false&limit=50&before={live_unpinned[49]}",
                               live_unpinned[50:100], 54)):
        before = handler_reads(env)
        eq(ids(b, query), want, f"GET /memo?{query}")
        read = handler_reads(env) - before - idle
        check(read <= most, f"GET /memo?{query}: {read} rows read, at most {most}")
        print(f"GET /memo?{query}: {read} rows read")
    r = b.get("/memo?pinned=false&limit=1&count=true")
    eq(r.json()["count"], len(live_unpinned), "count of the unpinned live memos")
    r = b.get("/memo?trash=true&limit=1&count=true")
    eq(r.json()["count"], len(trashed), "count of the trash")
    r = b.get("/memo?trash=true&pinned=true&limit=1&count=true")
    eq(r.json()["count"], 1, "count of the pinned in the trash")
    r = b.get("/memo?pinned=true&limit=1&count=true")
    eq(r.json()["count"], len(pinned), "count of the pinned")


# ---- no lost edits ----

@test
def api_two_tabs(env):
    """Two tabs of one user edit one memo: the second save with the first ETag is 412 with the current memo; no text is lost"""
    user = "API 두 탭"
    tab1, tab2 = logged_in(env, user), logged_in(env, user)
    check(tab1.cookies["sessionId"] != tab2.cookies["sessionId"], "two sessions")
    m, _ = new(tab1, "회의 메모 #초안")
    i = m["id"]
    (m1, e1), (m2, e2) = get(tab1, i), get(tab2, i)
    eq((m1, e1), (m2, e2), "both tabs read the same version")
    r = patch(tab1, i, {"text": "회의 메모 #초안 - 첫 탭이 고침"}, if_match=e1)
    eq(r.status, 200, "the first tab saves")
    saved, saved_etag = r.json(), r.header("ETag")
    r = patch(tab2, i, {"text": "회의 메모 #초안 - 둘째 탭이 고침"}, if_match=e2)
    check_error(r, 412, "the second tab, with the first ETag")
    eq(r.json()["memo"], saved, "the answer carries the current memo")
    eq(r.header("ETag"), saved_etag, "and its ETag")
    row = check_rows(env, saved, user, "the first save is intact")
    eq(row["text"], "회의 메모 #초안 - 첫 탭이 고침", "text in the row")
    r = delete(tab2, f"/memo/{i}", if_match=e2)
    check_error(r, 412, "the second tab cannot trash it with the old ETag either")
    eq(memo_row(env, i)["deleted_at"], None, "still live")
    # The second tab merges and saves with the current ETag.
    r = patch(tab2, i, {"text": "회의 메모 #초안 - 두 탭을 합침"}, if_match=r.header("ETag"))
    eq(r.status, 200, "the second tab saves after merging")
    r = patch(tab1, i, {"pinned": True}, if_match=saved_etag)
    check_error(r, 412, "now the first tab's ETag is stale")
    revs = tab1.get(f"/memo/{i}/revisions").json()["revisions"]
    eq([v["text"] for v in revs], ["회의 메모 #초안 - 첫 탭이 고침", "회의 메모 #초안"],
       "every earlier text is a revision, newest first")
    eq(get(tab1, i)[0]["text"], "회의 메모 #초안 - 두 탭을 합침", "the current text")


@contextlib.contextmanager
def row_held(env, select, what, release="ROLLBACK"):
    """Another transaction holding the row(s) that `select` (a SELECT
    'held' ... FOR UPDATE) locks, for the body of the with; checked still
    held at its end, then released by `release`."""
    holder = sql_session(env.db)
    try:
        holder.stdin.write(f"BEGIN; {select};\n")
        holder.stdin.flush()
        eq(holder.stdout.readline().strip(), "held", f"{what} is held")
        yield
        check(holder.poll() is None, "the other transaction still held the row throughout")
        # Released here, not by closing the client: MariaDB notices a
        # closed connection, and rolls its transaction back, a moment
        # later, and a test's next request could still find the row held
        # (an import's NOWAIT lock did: 409).
        holder.stdin.write(f"{release}; SELECT 'released';\n")
        holder.stdin.flush()
        eq(holder.stdout.readline().strip(), "released", f"{what} released")
    finally:
        holder.stdin.close()
        holder.wait(30)
        holder.stdout.close()
        holder.stderr.close()


@test
def api_edit_locks_its_memo_only(env):
    """An edit locks its memo's row, not its session's: with the session's row held by another transaction, PATCH, DELETE, restore and purge answer at once"""
    b = logged_in(env, "API 잠금")
    m, etag = new(b, "잠금 시험 메모")
    i = m["id"]
    gone = new(b, "지울 메모")[0]["id"]
    # The session's row held FOR UPDATE, as a change made with the same
    # session would hold it if changes locked it (they did: the memo was
    # read joined to its session, FOR UPDATE, and a person's tabs and a
    # client's parallel requests waited for each other).
    key = sha256_hex(b.cookies["sessionId"])
    with row_held(env, f"SELECT 'held' FROM sessions WHERE session_key = '{key}' FOR UPDATE",
                  "the session's row"):
        # Waiting for the row would take innodb_lock_wait_timeout (50 s).
        r = patch(b, i, {"text": "잠금 시험 메모, 고침"}, if_match=etag, timeout=15)
        eq(r.status, 200, "PATCH with the session's row held")
        r = delete(b, f"/memo/{i}", if_match=r.header("ETag"))
        eq(r.status, 204, "DELETE with the session's row held")
        eq(restore(b, i).status, 200, "restore with the session's row held")
        eq(delete(b, f"/memo/{gone}").status, 204, "DELETE another")
        eq(delete(b, f"/trash/{gone}").status, 204, "purge with the session's row held")
    eq(memo_row(env, i)["text"], "잠금 시험 메모, 고침", "the edit is stored")


def import_gate_held(env, uid):
    """Another connection holding the lock an import into user uid's
    account takes (common/db_stmt.def IMPORT_GATE), as a running import
    holds it, for the body of the with."""
    name = f"CONCAT('memo-import.', SHA1(CONCAT(DATABASE(), '/', '{uid}')))"
    return row_held(env, f"SELECT IF(GET_LOCK({name}, 0) = 1, 'held', 'not held')",
                    "the account's import lock", release=f"DO RELEASE_LOCK({name})")


@contextlib.contextmanager
def request_held(env, select, what, request, waits_at, release="ROLLBACK"):
    """request() in a thread of its own while another transaction holds
    what `select` locks (row_held); the body of the with runs once the
    request waits at its statement starting `waits_at`.  The request's
    answer is answer["r"] after the with: the lock is released (by
    `release`), then the thread joined."""
    answer = {}
    t = threading.Thread(target=lambda: answer.update(r=request()))
    try:
        with row_held(env, select, what, release):
            t.start()
            waiting = False
            for _ in range(200):
                if env.db.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                                f" WHERE INFO LIKE '{waits_at}%'")[0][0] != "0":
                    waiting = True
                    break
                time.sleep(0.05)
            check(waiting, f"the request waits at {waits_at}")
            yield answer
    finally:
        if t.is_alive():
            t.join(20)


@test
def api_trash_empty_leaves_session_unlocked(env):
    """Emptying the trash with the count shown locks the trash, not the session's row: with that row held in share mode (as a POST with the same session holds it), DELETE /trash?count= answers at once"""
    b = logged_in(env, "API 비우기 잠금")
    gone = new(b, "비울 메모")[0]["id"]
    eq(delete(b, f"/memo/{gone}").status, 204, "to the trash")
    key = sha256_hex(b.cookies["sessionId"])
    # A POST reads its session in share mode (INSERT ... SELECT); the
    # count read the session joined, FOR UPDATE, and waited on it.
    with row_held(env, f"SELECT 'held' FROM sessions WHERE session_key = '{key}'"
                  " LOCK IN SHARE MODE", "the session's row, shared"):
        r = b.request("DELETE", "/trash?count=1", timeout=15)
        eq((r.status, r.json()), (200, {"purged": 1}), "emptied with the session's row shared")
    eq(memo_row(env, gone), None, "the memo is gone")


@test
def api_prune_locks_its_memo_only(env):
    """Keeping a memo's newest 50 revisions deletes only its own: with another memo's revision held by another transaction, 70 edits (four prunes, one deleting) answer at once; the neighbour keeps its revision"""
    other = logged_in(env, "API 잠금 이웃")
    o, oe = new(other, "이웃 메모")
    eq(patch(other, o["id"], {"text": "이웃 메모, 고침"}, if_match=oe).status, 200, "neighbour's edit")
    b = logged_in(env, "API 잠금 가지치기")
    m, etag = new(b, "가지치기 0")
    i = m["id"]
    # By its primary key: that row alone, no gap (a lock on the
    # neighbour's range would hold up the inserts after it too).
    rev = env.db.query(f"SELECT id FROM memo_revision WHERE memo_id = {int(o['id'])}")[0][0]
    with row_held(env, f"SELECT 'held' FROM memo_revision WHERE id = {int(rev)} FOR UPDATE",
                  "the neighbour's revision"):
        # A prune that scanned the table waited for that row (then 503).
        for n in range(1, 71):
            r = patch(b, i, {"text": f"가지치기 {n}"}, if_match=etag, timeout=15)
            eq(r.status, 200, f"edit {n}")
            etag = r.header("ETag")
    revs = b.get(f"/memo/{i}/revisions").json()["revisions"]
    eq([r["text"] for r in revs[:2]], ["가지치기 69", "가지치기 68"], "newest first")
    # Pruned at its 64th edit to the newest 50, then 6 more.
    eq(len(revs), 56, "the newest 50 kept at the prune, and the edits since")
    eq(revs[-1]["text"], "가지치기 14", "the oldest kept")
    eq(len(other.get(f"/memo/{o['id']}/revisions").json()["revisions"]), 1,
       "the neighbour's revision kept")


@test
def api_edit_leaves_other_users_free(env):
    """An edit of the newest memo held open (waiting at its tags, its revision, memo and search copy written) holds up no one else: another user's POST, PATCH, DELETE and purge answer at once"""
    other = logged_in(env, "API 잠금 남")
    mine = new(other, "#남 먼저")[0]
    b = logged_in(env, "API 잠금 편집")
    m, etag = new(b, "#가 가장 새 메모")

    def edit():
        return patch(b, m["id"], {"text": "#나 가장 새 메모, 고침"}, if_match=etag, timeout=15)
    # Its one tag row by its whole key: that row alone, no gap.
    with request_held(env, f"SELECT 'held' FROM memo_tag WHERE memo_id = {int(m['id'])}"
                      " AND tag_key = '가' FOR UPDATE", "the edited memo's tag", edit,
                      "DELETE FROM memo_tag") as answer:
        # Its search copy was updated through an index on memo_id not
        # unique (schema/007): the gap after the newest memo was locked
        # with it, and a POST's search copy (a higher id) waited (503).
        r = other.post_json("/memo", {"text": "#남 나중에"}, timeout=15)
        eq(r.status, 200, f"another user's POST: {r.body[:200]!r}")
        r = patch(other, r.json()["id"], {"text": "#다른 나중에, 고침"}, timeout=15)
        eq(r.status, 200, f"another user's PATCH: {r.body[:200]!r}")
        eq(delete(other, f"/memo/{mine['id']}").status, 204, "another user's DELETE")
        eq(delete(other, f"/trash/{mine['id']}").status, 204, "another user's purge")
    # On a slow machine, held past its read timeout (2 s here), the edit
    # gives up, whole.
    r = answer["r"]
    check(r.status in (200, 503), f"the held edit: {r.status} {r.body[:200]!r}")
    want = "#나 가장 새 메모, 고침" if r.status == 200 else m["text"]
    eq(get(b, m["id"])[0]["text"], want, "the held edit's memo")


@test
def api_post_waits_for_no_other_user(env):
    """A POST whose user's row is held (as a withdrawal or an import holds it) waits alone: another user's POST goes through; with no live session a POST is 401, not a failure in the log"""
    held = logged_in(env, "API 잠긴 사용자")
    b = logged_in(env, "API 잠기지 않은 사용자")
    with request_held(env, f"SELECT 'held' FROM `user` WHERE id = '{naver_id('API 잠긴 사용자')}'"
                      " FOR UPDATE", "the user's row",
                      lambda: held.post_json("/memo", {"text": "기다리는 메모"}, timeout=15),
                      "INSERT INTO memo ") as answer:
        # As INSERT ... SELECT it held memo's AUTO_INCREMENT lock while it
        # waited, and this one waited for that (503 after 2 s, the read
        # timeout).  Not timed: with one FastCGI process (valgrind,
        # sanitizers) this one also waits for the process.
        r = b.post_json("/memo", {"text": "남의 메모"}, timeout=15)
        eq(r.status, 200, f"another user's POST: {r.body[:200]!r}")
    check(answer["r"].status in (200, 503), f"the held user's POST: {answer['r'].status}")
    # The statement fails then (a NULL user), an answer not to be logged.
    logged = cgi_log(env)
    gone = Browser(env.web.url)
    gone.cookies["sessionId"] = "A" * 43
    r = gone.post_json("/memo", {"text": "세션 없음"})
    eq((r.status, r.json()), (401, {"error": "login required"}), "no live session")
    eq(cgi_log(env)[len(logged):], "", "nothing logged")


def cgi_log(env):
    """What the programs behind env.web wrote to stderr, so far."""
    out, read = "", 0
    for name in ("lighttpd.out", "error.log", "apache2.out"):
        p = os.path.join(env.web.state, name)
        if os.path.exists(p):
            out += open(p, errors="replace").read()
            read += 1
    check(read > 0, f"a log of the server under {env.web.state}")
    return out


@test
def api_under_prefix(env):
    """Every API path under the /memo/ mount: /memo/memo/{id}…, /memo/trash, /memo/tags"""
    b = Browser(env.web_prefix.url)
    eq(login(b, "API 접두사").status, 302, "login under the prefix")
    m, e = new(b, "접두사 #아래")
    i = m["id"]
    eq(get(b, i)[0], m, "GET /memo/memo/{id}")
    r = patch(b, i, {"text": "접두사 #아래 고침"}, if_match=e)
    eq(r.status, 200, "PATCH")
    eq(b.get(f"/memo/{i}/revisions").json()["revisions"][0]["text"], "접두사 #아래", "revisions")
    eq(ids(b, qs(tag="아래", q="고침")), [i], "filters")
    eq(b.get("/tags").json(), {"tags": [{"name": "아래", "count": 1}]}, "GET /memo/tags")
    eq(delete(b, f"/memo/{i}").status, 204, "DELETE")
    eq(restore(b, i).status, 200, "restore")
    eq(delete(b, f"/memo/{i}").status, 204, "DELETE")
    eq(delete(b, f"/trash/{i}").status, 204, "DELETE /memo/trash/{id}")
    eq(b.request("DELETE", "/trash").json(), {"purged": 0}, "DELETE /memo/trash")
    r = b.request("PUT", "/trash")
    eq((r.status, r.header("Allow")), (405, "DELETE"), "405 under the prefix")
    eq(http_get(env.web_prefix.url + "tags").status, 401, "401 under the prefix")
