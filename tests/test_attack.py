"""test_attack.py - authorization and session attacks through lighttpd.

What test_e2e.py already covers is not repeated here: reading another's
memos (users_are_isolated), logout and expiry (logout, expired_session),
forged/missing state (state_is_checked), a replayed one
(replayed_state_is_refused), fixation
(no_session_fixation).  Added: changing another's memos, a dead cookie on
every endpoint, a stolen table row used as a cookie, hostile cookies."""
import urllib.parse

from lib import Browser, check, eq, http_get, sha256_hex, test
from test_e2e import count, counts, logged_in


def rows_of(env, uid):
    return env.db.query(f"SELECT id, text, created_at FROM memo WHERE user_id = '{uid}' "
                        "ORDER BY id")


def uid_of(env, b):
    h = sha256_hex(b.cookies["sessionId"])
    return env.db.query(f"SELECT user_id FROM sessions WHERE session_key = '{h}'")[0][0]


@test
def cannot_change_others_memos(env):
    """User B cannot change A's memos: POST with A's id/user fields makes B's own memo; B's PATCH, DELETE, restore, purge and revisions of A's memo are 404; A's rows untouched"""
    a = logged_in(env, "주인 A")
    b = logged_in(env, "침입자 B")
    ua, ub = uid_of(env, a), uid_of(env, b)
    m = a.post_json("/memo", {"text": "A의 원본"}).json()
    before = rows_of(env, ua)
    # Fields naming A's memo or A himself are ignored: B only ever adds to B.
    r = b.post_json("/memo", {"text": "B가 덮어씀", "id": m["id"], "user_id": ua,
                              "created_at": m["created_at"]})
    eq(r.status, 200, "POST with extra fields")
    check(r.json()["id"] != m["id"], "a new id, not A's")
    for q in (f"id={m['id']}", f"user_id={urllib.parse.quote(ua)}"):
        r = b.post_json("/memo?" + q, {"text": "B의 쿼리 시도"})
        eq(r.status, 200, q)
    for method in ("PUT", "PATCH", "DELETE"):
        for path in ("/memo", f"/memo?id={m['id']}"):
            r = b.request(method, path, body=b'{"text":"B"}',
                          headers={"Content-Type": "application/json"})
            eq(r.status, 405, f"{method} {path}")
    # A's memo by id: the same 404 as for an id nobody has.
    nobody = m["id"] + 100000
    for method, path in (("GET", "/memo/{}"), ("PATCH", "/memo/{}"), ("DELETE", "/memo/{}"),
                         ("POST", "/memo/{}/restore"), ("GET", "/memo/{}/revisions"),
                         ("DELETE", "/trash/{}")):
        got = []
        for mid in (m["id"], nobody):
            body = None if method == "GET" else b'{"text":"B","pinned":true}'
            r = b.request(method, path.format(mid), body=body,
                          headers={"Content-Type": "application/json", "If-Match": "*"})
            got.append((r.status, r.body))
        eq(got[0], got[1], f"{method} {path}: A's memo answers as no memo")
        eq(got[0][0], 404, f"{method} {path}")
    eq(b.request("POST", f"/memo/{m['id']}").status, 405, "POST /memo/ID")
    eq(rows_of(env, ua), before, "A's rows unchanged")
    eq(env.db.query(f"SELECT text, pinned, deleted_at IS NULL, version FROM memo"
                    f" WHERE id = {m['id']}"), [["A의 원본", "0", "1", "0"]], "A's memo as it was")
    eq([x[1] for x in rows_of(env, ub)], ["B가 덮어씀", "B의 쿼리 시도", "B의 쿼리 시도"],
       "B's posts went to B")
    eq([x["text"] for x in a.get("/memo").json()["memos"]], ["A의 원본"], "A sees only A's")
    # B paging past A's id still lists only B's.
    r = b.get(f"/memo?before={m['id'] + 1000}&limit=1000")
    eq(r.status, 200, "B's list past A's id")
    eq([x["text"] for x in r.json()["memos"]], ["B의 쿼리 시도", "B의 쿼리 시도", "B가 덮어씀"],
       "B's list past A's id: B's memos, newest first")


@test
def dead_cookie_everywhere(env):
    """After logout the old cookie is dead on every endpoint: 401 API, guest page, nothing written"""
    b = logged_in(env, "죽은 쿠키")
    uid = uid_of(env, b)
    sid = b.cookies["sessionId"]
    eq(b.request("POST", "/logout").status, 303, "logout")
    old = Browser(env.web.url)
    old.cookies["sessionId"] = sid
    before = counts(env)
    eq(old.get("/memo").status, 401, "GET /memo")
    eq(old.post_json("/memo", {"text": "유령"}).status, 401, "POST /memo")
    r = old.get("/")
    check('class="guest"' in r.text, "GET / is the guest page")
    check("sessionId" not in old.cookies, "GET / clears the dead cookie")
    old.cookies["sessionId"] = sid
    eq(old.request("HEAD", "/memo").status, 401, "HEAD /memo")
    eq(old.request("POST", "/logout").status, 303, "logout again is harmless")
    old.cookies["sessionId"] = sid
    eq(old.get("/memo").status, 401, "still dead after a second logout")
    eq(counts(env), before, "nothing written")
    eq(count(env, "memo", f"user_id = '{uid}'"), 0, "no memo for the user")


@test
def stolen_session_row_is_not_a_cookie(env):
    """The sessions table holds hashes: a stolen session_key (or its prefix) used as a cookie is 401"""
    b = logged_in(env, "해시 도용")
    h = sha256_hex(b.cookies["sessionId"])
    for val in (h, h[:43]):
        c = Browser(env.web.url)
        c.cookies["sessionId"] = val
        eq(c.get("/memo").status, 401, f"cookie {val[:10]}…")


@test
def hostile_cookies(env):
    """Hostile session cookies (SQL, wildcards, duplicates, huge) are 401 and never reach another user"""
    b = logged_in(env, "정상 사용자")
    sid = b.cookies["sessionId"]
    before = count(env, "memo")
    for what, header in (
            ("SQL", "sessionId=' OR '1'='1' -- " + "x" * 20),
            ("wildcard", "sessionId=" + "%" * 43),
            ("underscores", "sessionId=" + "_" * 43),
            ("one char off", "sessionId=" + sid[:-1] + ("A" if sid[-1] != "A" else "B")),
            ("huge", "sessionId=" + "A" * 8000),
            ("NUL-ish", "sessionId=" + sid[:20] + "%00" + sid[23:])):
        r = http_get(env.web.url + "memo", headers={"Cookie": header})
        eq(r.status, 401, what)
        r = Browser(env.web.url).request("POST", "/memo", body=b'{"text":"x"}',
                                         headers={"Cookie": header,
                                                  "Content-Type": "application/json"})
        eq(r.status, 401, what + " POST")
    # The first sessionId wins (RFC 6265 order); a junk one before a good one
    # does not let the good one through, a good one first does.
    r = http_get(env.web.url + "memo", headers={"Cookie": f"sessionId={'A' * 43}; sessionId={sid}"})
    eq(r.status, 401, "junk first")
    r = http_get(env.web.url + "memo", headers={"Cookie": f"sessionId={sid}; sessionId={'A' * 43}"})
    eq(r.status, 200, "good first")
    eq(count(env, "memo"), before, "nothing written")
