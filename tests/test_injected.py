"""test_injected.py - failures no outside event can make happen on time,
made by the fault-injection build (build-fault/cgi-bin, `make fault`:
common/fault.h; a request names the step to fail).  Each test runs in CGI
mode, every CGI run by hand with MEMO_FAULT in its environment, then again
(tests/run.py) through lighttpd serving the same build as FastCGI
processes, one per route, the fault named by the request's X-Memo-Fault
header, "[fastcgi, 1 process] …": there the process that failed serves
the next request, so each request there also checks that the process
lived on (the same pid), and the tests that fail a request and then make
another show it answers that one whole, on a connection of its own again,
counting "name:N" from the start of each request:

- a row that cannot be read after the statement ran, the database saying
  nothing about why (what libmariadb does when the connection is lost while
  rows arrive): GET /memo and the page answer 503, not 500 "internal error";
- the same in the middle of a list: a clean 503 while nothing of the
  answer has left the process; an unterminated JSON once it has, and the
  log line says why (the socket closed under libmariadb: its error, read
  from the connection); in a tag-filtered list's second batch, a tagged
  memo already written, a clean 503 too, and also when a memo's tags
  cannot be made (out of memory);
- making the answer of a stored memo failing: a 500 with its whole header
  block (a block without its blank line was a 502 from lighttpd), the memo
  stored;
- an export (JSON or Markdown) whose rows break off: a clean 503 while
  nothing has been sent; later, never a file that looks whole;
- every write cut at each of its statements in turn: a 503 and every row
  of every table as it was, until the cut falls past its last statement;
  and each write transaction's connection lost before its start and before
  its COMMIT: the same;
- each statement of a write transaction (POST, PATCH, a login, a
  withdrawal, an import) and DELETE /trash picked as a deadlock's victim:
  run once more and written once, the FastCGI process keeping its
  connection; a single read picked so: 503;
- a fault's name that is not a step's name and ":N", or too long, names no
  fault: it comes from a request header, untrusted even in a test build."""
import json
import os
import re
import socket
import struct
import subprocess
import time
import urllib.parse

import lib
from test_account import TABLES, everything, rows_of
from test_api import import_gate_held
from test_fastcgi import connections
from lib import Browser, check, code_for, eq, naver_id, run_cgi, sha256_hex, test, to_naver

FAULT_DIR = os.path.join(lib.ROOT, "build-fault", "cgi-bin")


def session(env, uid, memos=0,
            text="CONCAT('주입 시험 메모 ', n, ' — 오늘 할 일: 장보기, 운동, 책 읽기')"):
    """A user with a session and `memos` memos (SQL; text: their text, SQL
    over n, 1 to memos, oldest first); returns the cookie."""
    sid = "Inj" + uid[-10:].rjust(40, "x")
    env.db.client(database="memo", stdin=(
        f"INSERT IGNORE INTO `user` (id, name) VALUES ('{uid}', '주입');"
        "REPLACE INTO sessions (session_key, user_id, created_at, expires_at) VALUES"
        f" ('{sha256_hex(sid)}', '{uid}', UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 DAY);"
        f"DELETE FROM memo WHERE user_id = '{uid}';"
        "SET SESSION max_recursive_iterations = 100000;"
        "INSERT INTO memo (user_id, text, created_at) WITH RECURSIVE seq(n) AS"
        f" (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {max(memos, 1)})"
        f" SELECT '{uid}', {text}, UTC_TIMESTAMP() FROM seq WHERE {memos} > 0;"))
    return f"sessionId={sid}"


def by_hand(env, cgi, fault, body=None, **cgi_vars):
    """CGI mode: cgi run by hand, MEMO_FAULT naming the fault; returns the
    answer and what the CGI wrote to stderr."""
    e = {"MEMO_CONFIG": env.config, "MEMO_FAULT": fault}
    e.update(cgi_vars)
    check(os.path.exists(os.path.join(FAULT_DIR, cgi + ".cgi")),
          "the fault-injection build is there (make fault)")
    return run_cgi(cgi, e, body=body, cgi_dir=FAULT_DIR)


class ThroughFastCGI:
    """FastCGI mode: the request cgi_vars describe (REQUEST_METHOD,
    PATH_INFO, QUERY_STRING, CONTENT_TYPE, HTTP_*) sent over HTTP to web, a
    lighttpd serving FAULT_DIR's programs as FastCGI processes, one per
    route, with an X-Memo-Fault header naming the fault.  Returns the
    answer and what the processes wrote to stderr meanwhile (lighttpd.out:
    they inherit it; error.log too, should a lighttpd put it there).  Fails
    when the program's processes (one each, with MEMO_FCGI_PROCS=1, but
    auth's two) are not those that served its previous request: a fault
    must fail the request, never a process."""

    def __init__(self, web):
        self.web = web
        self.pids = {}
        self.logs = [os.path.join(web.state, f) for f in ("lighttpd.out", "error.log")]

    def _log_sizes(self):
        return [os.path.getsize(p) if os.path.exists(p) else 0 for p in self.logs]

    def _logged_since(self, sizes):
        out = ""
        for p, at in zip(self.logs, sizes):
            if os.path.exists(p):
                with open(p, "rb") as f:
                    f.seek(at)
                    out += f.read().decode("utf-8", "replace")
        return out

    def __call__(self, cgi, fault, body=None, **cgi_vars):
        method = cgi_vars.pop("REQUEST_METHOD", "GET")
        path = {"index": "/"}.get(cgi, "/" + cgi) + cgi_vars.pop("PATH_INFO", "")
        query = cgi_vars.pop("QUERY_STRING", "")
        cgi_vars.pop("SCRIPT_NAME", None)     # the URL's: /memo, /trash
        headers = {"X-Memo-Fault": fault}
        if "CONTENT_TYPE" in cgi_vars:
            headers["Content-Type"] = cgi_vars.pop("CONTENT_TYPE")
        for k, v in cgi_vars.items():
            check(k.startswith("HTTP_"), f"{k}: no header carries it through lighttpd")
            headers["-".join(w.capitalize() for w in k[5:].split("_"))] = v
        sizes = self._log_sizes()
        r = Browser(self.web.url).request(method, path + ("?" + query if query else ""),
                                          body=body, headers=headers)
        program = os.path.join(FAULT_DIR, cgi + ".cgi")
        pids = self.web.fastcgi_pids(program)
        check(pids, f"{cgi}.cgi processes from {FAULT_DIR} under the FastCGI lighttpd")
        eq(pids, self.pids.setdefault(cgi, pids),
           f"{cgi}.cgi: the processes of its previous request still serve")
        return r, self._logged_since(sizes)


def inject(env, cgi, fault, body=None, **cgi_vars):
    """A request to cgi with the step `fault` failing: by hand (CGI mode),
    or through env.fastcgi (a ThroughFastCGI) when tests/run.py sets one."""
    send = getattr(env, "fastcgi", None)
    if send is None:
        return by_hand(env, cgi, fault, body=body, **cgi_vars)
    return send(cgi, fault, body=body, **cgi_vars)


def memo_write(env, cookie, fault, method, path="", text=""):
    """A JSON write of text to /memo{path} (inject)."""
    return inject(env, "memo", fault, body=json.dumps({"text": text}).encode(),
                  REQUEST_METHOD=method, PATH_INFO=path, HTTP_COOKIE=cookie,
                  CONTENT_TYPE="application/json")


def export_to_nobody(env, cookie, fault):
    """GET /export with `fault`, its client gone as the answer starts:
    by hand, the CGI's stdout a pipe nobody reads (closed before it
    writes); through FastCGI, a client that reads the first bytes and
    resets the connection.  Returns what the program wrote to stderr,
    once it has ended (by hand) or its process has answered the next
    request (FastCGI: one process, a request at a time)."""
    send = getattr(env, "fastcgi", None)
    if send is None:
        r, w = os.pipe()
        os.close(r)
        try:
            p = subprocess.run(
                [os.path.join(FAULT_DIR, "export.cgi")], stdout=w, stderr=subprocess.PIPE,
                env={"PATH": "/usr/bin:/bin", "GATEWAY_INTERFACE": "CGI/1.1",
                     "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/export",
                     "SERVER_PROTOCOL": "HTTP/1.1", "MEMO_CONFIG": env.config,
                     "MEMO_FAULT": fault, "HTTP_COOKIE": cookie}, timeout=60)
        finally:
            os.close(w)
        err = p.stderr.decode("utf-8", "replace")
        eq(p.returncode, 0, f"export.cgi's exit: {err!r}")
        return err
    sizes = send._log_sizes()
    u = urllib.parse.urlsplit(send.web.url)
    with socket.create_connection((u.hostname, u.port), timeout=30) as c:
        c.sendall((f"GET {u.path}export HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
                   f"Cookie: {cookie}\r\nX-Memo-Fault: {fault}\r\n"
                   "Connection: close\r\n\r\n").encode())
        check(c.recv(100).startswith(b"HTTP/1.1 200"), "the export started")
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    r = Browser(send.web.url).get("/export?format=x")
    eq(r.status, 400, "the export's process answers the next request")
    return send._logged_since(sizes)


@test
def export_stops_when_the_client_goes(env):
    """Injected: GET /export whose client has gone stops reading the account's memos: the statement of its 13th batch of 200 (made to fail here) is never run; an export read to its end does run it (the check can fail); in FastCGI mode the process, which nothing kills, read every batch for nobody"""
    cookie = session(env, "inj-export-gone", memos=3000)
    # The account, then each batch's memos and revisions: the 13th
    # batch's memos, a dozen flushes after lighttpd has seen the reset.
    fault = "db_run_fails:26"
    r, err = inject(env, "export", fault, HTTP_COOKIE=cookie)
    check(r.status == 200 and "database:" in err,
          f"read to its end, the export runs the statement: {r.status} {err!r}")
    err = export_to_nobody(env, cookie, fault)
    check("database:" not in err, f"its client gone, it did not: {err!r}")


@test
def list_cut_before_rows(env):
    """Injected: GET /memo's first row unreadable, no reason given by the database: 503 (was 500 'internal error')"""
    cookie = session(env, "inj-before", memos=3)
    # Twice: "name:1" is the first hit of each request (in FastCGI mode
    # one process serves both, and its count must start again).
    for attempt in ("first", "second"):
        r, err = inject(env, "memo", "db_fetch_fails:1", HTTP_COOKIE=cookie)
        eq((r.status, r.json()), (503, {"error": "database unavailable"}),
           f"GET /memo, {attempt} time")
        check("database: list: 0 (no reason given)" in err, f"the log: {err!r}")


@test
def page_cut_before_rows(env):
    """Injected: the page's session row unreadable, no reason given: the Korean 503 page (was 500)"""
    cookie = session(env, "inj-page")
    r, err = inject(env, "index", "db_fetch_fails:1", HTTP_COOKIE=cookie)
    eq(r.status, 503, f"GET / : {err}")
    check("잠시 후 다시 시도해 주세요" in r.text, "the Korean page")
    check("database: session lookup: 0" in err, f"the log: {err!r}")


@test
def list_cut_midway_before_flush(env):
    """Injected: GET /memo's 5th row unreadable, nothing sent yet: a clean 503, not a 200 cut short"""
    cookie = session(env, "inj-mid", memos=20)
    r, err = inject(env, "memo", "db_fetch_fails:5", HTTP_COOKIE=cookie)
    eq((r.status, r.json()), (503, {"error": "database unavailable"}), "GET /memo")
    check("database: list:" in err, f"the log: {err!r}")


@test
def list_row_refused(env):
    """Injected: GET /memo's 5th row refused by the database for a reason no retry mends (1105): 500 'internal error', not the 503 that asks to try again; the reason logged; the next GET whole"""
    cookie = session(env, "inj-refused", memos=20)
    r, err = inject(env, "memo", "db_fetch_refused:5", HTTP_COOKIE=cookie)
    eq((r.status, r.json()), (500, {"error": "internal error"}), "GET /memo")
    check("database: list: 1105 Unknown error (fault: row refused)" in err,
          f"the log: {err!r}")
    # In FastCGI mode the same process, its connection left mid-result.
    r, _ = inject(env, "memo", "none", HTTP_COOKIE=cookie)
    eq((r.status, len(r.json()["memos"])), (200, 20), "the next GET /memo")


@test
def search_many_words_cut(env):
    """Injected: GET /memo?q= of 9 words (one looked for in C)&count=true, a row unreadable while counting, then while listing: a clean 503 each time"""
    cookie = session(env, "inj-words", memos=20)
    env.db.client(database="memo", stdin=(
        "INSERT INTO memo_search (user_id, memo_id, body) SELECT user_id, id, text"
        " FROM memo WHERE user_id = 'inj-words'"))
    q = "q=" + "+".join(urllib.parse.quote(w) for w in
                        "주입 시험 메모 오늘 할 장보기 운동 책 읽기".split()) + "&count=true"
    r, _ = inject(env, "memo", "none", HTTP_COOKIE=cookie, QUERY_STRING=q)
    eq((r.status, r.json()["count"], len(r.json()["memos"])), (200, 20, 20),
       "without the fault: all 20, counted")
    # The count reads 20 rows and the end; the list's 4th row is hit 25.
    for hit in (5, 25):
        r, err = inject(env, "memo", f"db_fetch_fails:{hit}", HTTP_COOKIE=cookie,
                        QUERY_STRING=q)
        eq((r.status, r.json()), (503, {"error": "database unavailable"}),
           f"row unreadable at fetch {hit}")
        check("database: list:" in err, f"the log: {err!r}")


@test
def tag_list_cut_in_second_batch(env):
    """Injected: GET /memo?tag= whose second batch (a rare tag reads on) has a row unreadable, or does not run at all, one tagged memo already written: a clean 503, not a list missing the rest"""
    cookie = session(env, "inj-tagbatch", memos=100,
                     text="CONCAT('주입 메모 ', n, IF(n % 37 = 0, ' #드문', ''))")
    q = "tag=%EB%93%9C%EB%AC%B8&limit=5"
    r, _ = inject(env, "memo", "none", HTTP_COOKIE=cookie, QUERY_STRING=q)
    eq([m["text"] for m in r.json()["memos"]], ["주입 메모 74 #드문", "주입 메모 37 #드문"],
       "without the fault: the two tagged memos, the second from the second batch")
    # Fetch 33 ends the first batch of 32 (memos 100 to 69, one tagged);
    # fetch 40 is the second batch's seventh row.
    r, err = inject(env, "memo", "db_fetch_fails:40", HTTP_COOKIE=cookie, QUERY_STRING=q)
    eq((r.status, r.json()), (503, {"error": "database unavailable"}), "GET /memo?tag=")
    check("database: list:" in err, f"the log: {err!r}")
    # The second batch's statement failing to run at all.
    r, err = inject(env, "memo", "db_run_fails:2", HTTP_COOKIE=cookie, QUERY_STRING=q)
    eq((r.status, r.json()), (503, {"error": "database unavailable"}), "GET /memo?tag=, run")
    check("database: memo list: 0 (no reason given)" in err, f"the log: {err!r}")


@test
def memo_lookup_session_check_fails(env):
    """Injected: GET /memo/{id} of no memo of the user, where the second question, whether the session is live at all (401 or 404), cannot be answered: 503, not a 404 that says the memo does not exist"""
    cookie = session(env, "inj-lookup", memos=1)
    r, _ = inject(env, "memo", "none", HTTP_COOKIE=cookie, PATH_INFO="/999999999")
    eq((r.status, r.json()), (404, {"error": "not found"}), "without the fault")
    r, err = inject(env, "memo", "db_run_fails:2", HTTP_COOKIE=cookie, PATH_INFO="/999999999")
    eq((r.status, r.json()), (503, {"error": "database unavailable"}), "the session's check failing")
    check("database: session check: 0 (no reason given)" in err, f"the log: {err!r}")


@test
def tag_list_tags_nomem(env):
    """Injected: GET /memo?tag= where a memo's tags cannot be made (out of memory): a clean 500 'out of memory' and the reason logged, not a list that leaves the memo out as if untagged, nor a 503 blaming the database"""
    cookie = session(env, "inj-tagmem", memos=2, text="CONCAT('주입 메모 ', n, ' #주입')")
    q = "tag=%EC%A3%BC%EC%9E%85"
    r, _ = inject(env, "memo", "none", HTTP_COOKIE=cookie, QUERY_STRING=q)
    eq(len(r.json()["memos"]), 2, "without the fault: both tagged memos")
    r, err = inject(env, "memo", "tags_nomem:2", HTTP_COOKIE=cookie, QUERY_STRING=q)
    eq((r.status, r.json()), (500, {"error": "out of memory"}), "GET /memo?tag=")
    check("list: a memo's tags: out of memory" in err, f"the log: {err!r}")


@test
def search_query_nomem(env):
    """Injected: GET /memo?q= whose search patterns cannot be made (out of memory): 500 'out of memory', not the reason of a malformed q"""
    cookie = session(env, "inj-qmem", memos=1)
    r, _ = inject(env, "memo", "query_nomem", HTTP_COOKIE=cookie, QUERY_STRING="q=%EC%A3%BC%EC%9E%85")
    eq((r.status, r.json()), (500, {"error": "out of memory"}), "GET /memo?q=주입")
    r, _ = inject(env, "memo", "none", HTTP_COOKIE=cookie, QUERY_STRING="q=%EC%A3%BC%EC%9E%85")
    eq((r.status, r.json()), (200, {"memos": []}),
       "without the fault: 200 (the memos made in SQL have no search copy)")


@test
def list_cut_after_flush(env):
    """Injected: the connection closed under libmariadb at row 500 of 1,000, 16 KiB already sent: unfinished JSON, the reason logged, a clean exit"""
    cookie = session(env, "inj-late", memos=1000)
    # Row 500: the rows after it are more than libmariadb has read ahead
    # (at row 900 the last hundred short rows were all in its buffer).
    r, err = inject(env, "memo", "db_cut_at_row:500", HTTP_COOKIE=cookie)
    eq(r.status, 200, "the status had left")
    try:
        json.loads(r.body)
        raise AssertionError("a cut answer parsed as whole JSON")
    except ValueError:
        pass
    check(r.body.count(b'"id":') >= 400, "the memos before the cut")
    check("database: list: 20" in err and "(no reason given)" not in err,
          f"libmariadb's reason, from the connection: {err!r}")
    print(f"saw: {err.strip()}")


@test
def answer_fails_after_store(env):
    """Injected: POST /memo whose answer cannot be made after the memo is stored: 500 JSON with a whole header block, the memo stored"""
    cookie = session(env, "inj-post")
    body = '{"text":"저장은 됐는데 답이 실패"}'.encode()
    r, err = inject(env, "memo", "answer_nomem", REQUEST_METHOD="POST", HTTP_COOKIE=cookie,
                     CONTENT_TYPE="application/json", body=body)
    eq(r.status, 500, "status")
    eq(r.json(), {"error": "out of memory"}, "a JSON body after the header block")
    eq(env.db.query("SELECT text FROM memo WHERE user_id = 'inj-post'"),
       [["저장은 됐는데 답이 실패"]], "the memo is stored")


@test
def answer_json_nomem(env):
    """Injected: an answer whose JSON text cannot be made (out of memory): 500 'out of memory', with no ETag, never the handler's 200 with an empty body (GET /memo/{id}, GET /tags, a 400's own body)"""
    cookie = session(env, "inj-jsonmem", memos=1)
    mid = env.db.query("SELECT id FROM memo WHERE user_id = 'inj-jsonmem'")[0][0]
    for cgi, kw, status, what in (
            ("memo", dict(PATH_INFO=f"/{mid}"), 200, "GET /memo/{id}"),
            ("tags", {}, 200, "GET /tags"),
            ("memo", dict(QUERY_STRING="limit=0"), 400, "GET /memo?limit=0")):
        r, _ = inject(env, cgi, "none", HTTP_COOKIE=cookie, **kw)
        eq(r.status, status, f"{what} without the fault")
        r, _ = inject(env, cgi, "json_nomem", HTTP_COOKIE=cookie, **kw)
        eq((r.status, r.json()), (500, {"error": "out of memory"}), what)
        eq(r.header("ETag"), None, f"{what}: no ETag of the answer taken back")


def import_at_one_time(env, cookie, texts, fault="none"):
    """POST /import of a file of these texts, all written at one second,
    with fault injected (inject)."""
    file = json.dumps({"format": "memo-export", "version": 1, "memos": [
        {"text": t, "created_at": "2026-11-01T00:00:00Z"} for t in texts]}).encode()
    return inject(env, "import", fault, body=file, REQUEST_METHOD="POST",
                  HTTP_COOKIE=cookie, CONTENT_TYPE="application/json")


@test
def import_batch_deadlock_runs_again(env):
    """Injected: an import of 40 memos (a tag and a revision each), each of its 32-row statements (search copies, tags, revisions; db_batch.c) in turn picked as a deadlock's victim: run again from the first memo, 200, every memo once with one search copy, one tag row and one revision (rows gathered before the victim and not written are forgotten: written, they would be the rolled-back memos')"""
    uid = "inj-dl-batch"
    cookie = session(env, uid)
    file = json.dumps({"format": "memo-export", "version": 1, "memos": [
        {"text": f"묶음 {i} #묶음", "created_at": "2026-11-01T00:00:00Z",
         "revisions": [{"text": f"묶음 {i} 전", "created_at": "2026-10-01T00:00:00Z"}]}
        for i in range(40)]}).encode()
    counts = " UNION ALL ".join(
        f"SELECT COUNT(*) FROM {t} x JOIN memo m ON m.id = x.memo_id WHERE m.user_id = '{uid}'"
        for t in ("memo_search", "memo_tag", "memo_revision"))
    seen = []
    # Session lookup, lock wait bound, gate, import lock, one duplicate
    # check, 32 memos: the 38th statement on are the three batches.
    for n in range(36, 44):
        r, err = inject(env, "import", f"db_deadlock:{n}", body=file, REQUEST_METHOD="POST",
                        HTTP_COOKIE=cookie, CONTENT_TYPE="application/json")
        victim = re.search(r"database: ([a-z ]+): 1213", err)
        check(victim is not None, f"statement {n} a victim: {err[-300:]!r}")
        eq((r.status, r.json()), (200, {"imported": 40, "skipped": 0}), f"{victim.group(1)}")
        check("runs again" in err, f"{victim.group(1)}: run again")
        eq(env.db.query(f"SELECT COUNT(*) FROM memo WHERE user_id = '{uid}'"), [["40"]],
           f"{victim.group(1)} a victim: each memo once")
        eq(env.db.query(counts), [["40"]] * 3,
           f"{victim.group(1)} a victim: a search copy, tag and revision each")
        seen.append(victim.group(1))
        env.db.query(f"DELETE FROM memo WHERE user_id = '{uid}'")
    check({"import search copies", "import tags", "import revisions"} <= set(seen),
          f"each 32-row statement a victim once: {seen}")


@test
def import_refused_keeps_connection(env):
    """Injected (no fault): POST /import while the account's import lock is held (as another import holds it): 409 at once, nothing written, nothing logged; the connection is sound, so a FastCGI process keeps it for its next import"""
    uid = "inj-import-held"
    cookie = session(env, uid)

    def send(text):
        return import_at_one_time(env, cookie, [text])
    # The first one opens the process's connection.
    eq(send("기다리지 않는 가져오기")[0].json(), {"imported": 1, "skipped": 0},
       "the first import")
    before = connections(env)
    # The refused import carries a memo of its own: had it written it, the
    # next import of the same file would skip it.
    with import_gate_held(env, uid):
        r, err = send("거절된 가져오기")
    eq((r.status, r.json()), (409, {"error": "another import into this account is still"
                                    " running: try again when it has finished"}), "refused")
    eq(err, "", "the log")
    eq(send("거절된 가져오기")[0].json(), {"imported": 1, "skipped": 0},
       "the next import: the refused one wrote nothing")
    if getattr(env, "fastcgi", None) is not None:
        # New connections meanwhile: the lock holder's and the count's own.
        eq(connections(env) - before, 2, "connections MariaDB accepted meanwhile")
    eq(env.db.query(f"SELECT text FROM memo WHERE user_id = '{uid}' ORDER BY id"),
       [["기다리지 않는 가져오기"], ["거절된 가져오기"]], "each memo once")


@test
def import_lock_null_gives_the_lock_back(env):
    """Injected: the import lock's GET_LOCK answering NULL (read after the lock was taken): 503, nothing written, and the lock free again, its connection closed (kept by a FastCGI process, it held the lock: every import of the user from another process 409)"""
    uid = "inj-import-null"
    cookie = session(env, uid)
    r, err = import_at_one_time(env, cookie, ["주인 없는 잠금"], fault="lock_null")
    eq((r.status, r.json()), (503, {"error": "database unavailable"}), "the NULL")
    check("import gate: the server gave no answer (NULL)" in err, f"the log: {err!r}")
    eq(env.db.query(f"SELECT COUNT(*) FROM memo WHERE user_id = '{uid}'"), [["0"]],
       "nothing written")
    name = f"CONCAT('memo-import.', SHA1(CONCAT(DATABASE(), '/', '{uid}')))"
    free = None
    for _ in range(40):         # the server ends a closed connection's thread
        free = env.db.query(f"SELECT IS_FREE_LOCK({name})")[0][0]
        if free == "1":
            break
        time.sleep(0.05)
    eq(free, "1", "the account's import lock is free")
    eq(import_at_one_time(env, cookie, ["주인 없는 잠금"])[0].json(),
       {"imported": 1, "skipped": 0}, "the next import")


def unstamped(body):
    """An export without the time it was made: two exports a second apart
    differ there (the JSON's exported_at, the Markdown's 내보낸 때)."""
    body = re.sub(rb'"exported_at":"[^"]*"', b'"exported_at":""', body, count=1)
    return re.sub("^내보낸 때: .*$".encode(), "내보낸 때:".encode(), body, count=1,
                  flags=re.M)


@test
def import_duplicate_check_cut(env):
    """Injected: an import whose duplicate check breaks off while reading the user's memos at a time of the file (a row unreadable: the check's own failure; the server gone mid-rows: the rows were whole, the next statement fails): 503 and nothing written; then the same file imports the one memo the account lacks and skips the three it has"""
    uid = "inj-import-dupcut"
    cookie = session(env, uid)

    def send(texts, fault="none"):
        return import_at_one_time(env, cookie, texts, fault)
    had = ["있던 하나", "있던 둘", "있던 셋"]
    eq(send(had)[0].json(), {"imported": 3, "skipped": 0}, "the account's memos")
    before = everything(env)
    # Fetch 1 is the account's row; 2 to 4 the memos it has at that time.
    # The rows came whole before the cut: the next statement finds it.
    for fault, said in (("db_fetch_fails:3", "import duplicate check: "),
                        ("db_cut_at_row:3", "2006 Server has gone away")):
        r, err = send(had + ["새 것"], fault)
        eq((r.status, r.json()), (503, {"error": "database unavailable"}), fault)
        check(said in err, f"{fault}: the log: {err!r}")
        eq(everything(env), before, f"{fault}: every table as it was")
    eq(send(had + ["새 것"])[0].json(), {"imported": 1, "skipped": 3}, "then whole")


@test
def export_revisions_cut(env):
    """Injected: a JSON export whose rows break off in its second batch, past 16 KiB, at a memo read again or at a revision (600 memos with 2 revisions each; three fetches in a row, one of each kind at least): 200, the JSON unterminated and the whole one's up to the cut, the failure logged"""
    uid = "inj-export-revs"
    cookie = session(env, uid, memos=600)
    for n in (1, 2):
        env.db.query("INSERT INTO memo_revision (memo_id, text, created_at)"
                     f" SELECT id, CONCAT('옛 판 {n} ', id), UTC_TIMESTAMP() FROM memo"
                     f" WHERE user_id = '{uid}'")
    whole, _ = inject(env, "export", "none", HTTP_COOKIE=cookie)
    eq(whole.status, 200, "the export without the fault")
    eq(sum(len(m["revisions"]) for m in json.loads(whole.body)["memos"]), 1200, "revisions")
    named = set()
    # Fetch 1 is the account's row, 2-201 the first batch's memos, then
    # its revisions beside each memo read again; the second batch the same.
    for n in (1100, 1101, 1102):
        r, err = inject(env, "export", f"db_fetch_fails:{n}", HTTP_COOKIE=cookie)
        eq(r.status, 200, f"fetch {n} failing: the status had left")
        check(16384 < len(r.body) < len(whole.body) and
              unstamped(whole.body).startswith(unstamped(r.body)),
              f"fetch {n}: {len(r.body)} bytes of {len(whole.body)}, the whole one's")
        try:
            json.loads(r.body)
            raise AssertionError(f"fetch {n} failing: the JSON parsed")
        except ValueError:
            pass
        said = re.search(r"database: ([a-z ]+): ", err)
        check(said is not None, f"fetch {n}: the log: {err!r}")
        named.add(said.group(1))
    eq(named, {"export", "list"}, "a memo read again and a revision, each failing")


@test
def export_cut(env):
    """Injected: an export whose rows break off: a clean 503 while nothing has been sent; once 16 KiB have gone (a row cut, or the JSON's next batch failing to start), the JSON unterminated and the Markdown ending with a line that says it was cut, never a file that looks whole"""
    cookie = session(env, "inj-export", memos=1000)
    cut_line = ("\n---\n\n**내보내기가 여기서 끊겼습니다.** 이 파일에는 메모가 다 들어 있지 "
                "않습니다. 잠시 후 다시 내보내 주세요.\n").encode()
    seen = []
    for fmt, q in (("JSON", ""), ("Markdown", "format=md")):
        whole, _ = inject(env, "export", "none", HTTP_COOKIE=cookie, QUERY_STRING=q)
        eq(whole.status, 200, f"{fmt} export without the fault")
        check(not whole.body.endswith(cut_line), f"{fmt}: a whole export says nothing of a cut")
        # Fetch 1 is the account's row, 2 the first memo's.
        r, err = inject(env, "export", "db_fetch_fails:3", HTTP_COOKIE=cookie, QUERY_STRING=q)
        eq((r.status, r.json()), (503, {"error": "database unavailable"}),
           f"{fmt} export, the second memo unreadable")
        check("database: " in err, f"the log: {err!r}")
        r, err = inject(env, "export", "db_cut_at_row:500", HTTP_COOKIE=cookie, QUERY_STRING=q)
        eq(r.status, 200, f"{fmt} export cut at row 500: the status had left")
        check(16384 < len(r.body) < len(whole.body), f"{fmt}: {len(r.body)} bytes of "
              f"{len(whole.body)}")
        check("database: " in err and "(no reason given)" not in err, f"the log: {err!r}")
        if fmt == "JSON":
            try:
                json.loads(r.body)
                raise AssertionError("a cut JSON export parsed as whole")
            except ValueError:
                pass
            check(unstamped(whole.body).startswith(unstamped(r.body)),
                  "the JSON up to the cut is the whole one's")
            # The JSON comes in batches of 200 memos: the second's two
            # statements (its memos, their revisions) fail to start, no
            # reason given.
            for n, what in ((4, "export"), (5, "export revisions")):
                cut, err = inject(env, "export", f"db_run_fails:{n}", HTTP_COOKIE=cookie)
                eq(cut.status, 200, f"JSON export, the 2nd batch's {what!r} failing: sent")
                check(16384 < len(cut.body) < len(whole.body) and
                      unstamped(whole.body).startswith(unstamped(cut.body)),
                      f"{len(cut.body)} bytes of {len(whole.body)}, the whole one's")
                check(f"database: {what}: 0 (no reason given)" in err, f"the log: {err!r}")
                try:
                    json.loads(cut.body)
                    raise AssertionError(f"the 2nd batch's {what!r} failing: JSON parsed")
                except ValueError:
                    pass
        else:
            check(r.body.endswith(cut_line), f"the Markdown's end: {r.body[-300:]!r}")
            kept = r.body[:-len(cut_line)]
            check(unstamped(whole.body).startswith(unstamped(kept[:kept.rfind(b"\n### ")])),
                  "the Markdown up to the cut is the whole one's")
        seen.append(f"{fmt} cut: {len(r.body)} of {len(whole.body)} bytes")
    print("saw: " + "; ".join(seen))


@test
def write_deadlock_run_again(env):
    """Injected: a POST and a PATCH whose transaction InnoDB picks as a deadlock's victim (1213) once: run again, 200, written once (one memo; one revision, tags and search copy as the text says); picked every time: run three times in all, then 503 and nothing written; a PATCH failing with 1020 (a row changed since the snapshot, which MariaDB 11.6.2 on rolls back as a deadlock) the same way, not as a 500"""
    cookie = session(env, "inj-deadlock")

    def call(fault, method, path="", text=""):
        return memo_write(env, cookie, fault, method, path, text)

    def rows():
        return [env.db.query("SELECT id, text FROM memo WHERE user_id = 'inj-deadlock'"),
                env.db.query("SELECT r.text FROM memo_revision r JOIN memo m"
                             " ON m.id = r.memo_id WHERE m.user_id = 'inj-deadlock'"),
                env.db.query("SELECT tag_key FROM memo_tag WHERE user_id = 'inj-deadlock'"
                             " ORDER BY tag_key"),
                env.db.query("SELECT COUNT(*) FROM memo_search WHERE user_id = 'inj-deadlock'")]
    r, err = call("db_deadlock", "POST", text="교착 #가")
    eq((r.status, r.json()), (503, {"error": "database unavailable"}), "POST, a victim every time")
    eq(err.count("runs again"), 2, f"run three times in all: {err!r}")
    eq(rows(), [[], [], [], [["0"]]], "nothing written")
    # The 1st statement of the POST (the memo's INSERT) is the victim.
    r, err = call("db_deadlock:1", "POST", text="교착 #가")
    eq(r.status, 200, "POST, a victim once")
    mid = r.json()["id"]
    check("1213 (fault: deadlock)" in err and "runs again" in err, f"the log: {err!r}")
    eq(rows(), [[[str(mid), "교착 #가"]], [], [["가"]], [["1"]]], "one memo, its tag and copy")
    # The PATCH's 2nd (its revision, after the locked read).
    before = connections(env)
    r, err = call("db_deadlock:2", "PATCH", f"/{mid}", text="교착 풀림 #나")
    eq((r.status, r.json()["text"], r.json()["tags"]), (200, "교착 풀림 #나", ["나"]),
       "PATCH, a victim once")
    check("runs again" in err, f"the log: {err!r}")
    if getattr(env, "fastcgi", None) is not None:
        # A deadlock leaves the connection sound: the process keeps it
        # for its next request (the one new connection is the count's own).
        eq(inject(env, "memo", "none", HTTP_COOKIE=cookie)[0].status, 200, "GET after")
        eq(connections(env) - before, 1, "connections MariaDB accepted meanwhile")
    eq(rows(), [[[str(mid), "교착 풀림 #나"]], [["교착 #가"]], [["나"]], [["1"]]],
       "the memo edited once: one revision, the new tag")
    r, err = call("db_deadlock", "PATCH", f"/{mid}", text="다시 #다")
    eq(r.status, 503, "PATCH, a victim every time")
    eq(err.count("runs again"), 2, f"run three times in all: {err!r}")
    eq(rows(), [[[str(mid), "교착 풀림 #나"]], [["교착 #가"]], [["나"]], [["1"]]],
       "nothing written")
    # 1020, a locking read of a row changed since the snapshot (MariaDB
    # 11.6.2 on rolls the transaction back as a deadlock): run again too,
    # not a 500.
    r, err = call("db_record_changed:1", "PATCH", f"/{mid}", text="다시 #다")
    eq((r.status, r.json()["text"]), (200, "다시 #다"), "PATCH, its locked read 1020 once")
    check("1020 (fault: record changed)" in err and
          "a row changed since its snapshot: the transaction runs again" in err, f"the log: {err!r}")
    r, err = call("db_record_changed", "PATCH", f"/{mid}", text="또 다시 #라")
    eq((r.status, r.json()), (503, {"error": "database unavailable"}), "1020 every time: 503")
    eq(err.count("runs again"), 2, f"run three times in all: {err!r}")
    eq(rows()[0], [[str(mid), "다시 #다"]], "edited once")


@test
def trash_writes_deadlock_run_again(env):
    """Injected: DELETE /memo/{id}, POST /memo/{id}/restore and DELETE /trash/{id} whose transaction is a deadlock's victim once: run again, answered as without it and done once; a victim every time: 503, the memo as it was"""
    cookie = session(env, "inj-deadlock-trash", memos=1)
    mid = int(env.db.query("SELECT id FROM memo WHERE user_id = 'inj-deadlock-trash'")[0][0])

    def state():
        rows = env.db.query("SELECT deleted_at IS NOT NULL, version FROM memo WHERE id = "
                            f"{mid}")
        return tuple(rows[0]) if rows else None

    def call(fault, cgi, method, path):
        return inject(env, cgi, fault, REQUEST_METHOD=method, PATH_INFO=path,
                      HTTP_COOKIE=cookie)

    steps = [("DELETE /memo", "memo", "DELETE", f"/{mid}", 204, ("1", "1")),
             ("restore", "memo", "POST", f"/{mid}/restore", 200, ("0", "2"))]
    for what, cgi, method, path, status, after in steps:
        before = state()
        r, err = call("db_deadlock", cgi, method, path)
        eq(r.status, 503, f"{what}, a victim every time ({r.body[:120]!r})")
        eq(err.count("runs again"), 2, f"{what}: run three times in all: {err!r}")
        eq(state(), before, f"{what}: the memo as it was")
        r, err = call("db_deadlock:1", cgi, method, path)
        eq(r.status, status, f"{what}, a victim once ({r.body[:120]!r})")
        check("1213 (fault: deadlock)" in err and "runs again" in err, f"{what}: {err!r}")
        eq(state(), after, f"{what}: done once (trashed, version)")
    r, _ = call("none", "memo", "DELETE", f"/{mid}")
    eq(r.status, 204, "to the trash again")
    before = state()
    r, err = call("db_deadlock", "trash", "DELETE", f"/{mid}")
    eq(r.status, 503, f"DELETE /trash, a victim every time ({r.body[:120]!r})")
    eq(err.count("runs again"), 2, f"DELETE /trash: run three times in all: {err!r}")
    eq(state(), before, "DELETE /trash: the memo still in the trash")
    r, err = call("db_deadlock:1", "trash", "DELETE", f"/{mid}")
    eq(r.status, 204, f"DELETE /trash, a victim once ({r.body[:120]!r})")
    check("runs again" in err, f"DELETE /trash: {err!r}")
    eq(state(), None, "deleted for good")


def login_attempt(env, name, fault, *cookies, **query):
    """A login as name (query: the /login's, intent=withdraw for a
    withdrawal) through login.cgi and then auth.cgi, the step `fault`
    failing in auth.cgi; returns its answer and log."""
    qs = urllib.parse.urlencode(query)
    method = "POST" if query.get("intent") == "withdraw" else "GET"
    r, _ = inject(env, "login", "none", REQUEST_METHOD=method, HTTP_HOST="127.0.0.1:8080",
                  QUERY_STRING=qs,
                  **({"HTTP_COOKIE": "; ".join(cookies)} if cookies else {}))
    eq(r.status, 200 if method == "POST" else 302, f"{method} /login?{qs}")
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(to_naver(r)).query)["state"][0]
    nonce = [c for c in r.all("Set-Cookie") if c.startswith("oauthState=")][0].split(";")[0]
    return inject(env, "auth", fault, HTTP_COOKIE="; ".join(cookies + (nonce,)),
                  QUERY_STRING=urllib.parse.urlencode({"code": code_for(name), "state": state}))


def session_count(env, name):
    return int(env.db.query(
        f"SELECT COUNT(*) FROM sessions WHERE user_id = '{naver_id(name)}'")[0][0])


def new_session(r):
    """The session cookie a login's answer sets (a secret: kept out of logs)."""
    sid = [c for c in r.all("Set-Cookie") if c.startswith("sessionId=")][0].split(";")[0]
    lib.SECRETS["session id"].add(sid.split("=", 1)[1])
    return sid


@test
def login_stands_when_cap_fails(env):
    """Injected: a login whose session cap (run after its commit) fails: 302 with a session that works, the failure logged; a statement of the login's own transaction failing instead (the state's use, the user, the session): 503 and no session; a sweep failing: 302 with one that works"""
    name = "주입 로그인"
    # The cap is the statement after the session's: find it by the log.
    create, seen = None, []
    for n in range(1, 9):
        before = session_count(env, name)
        r, err = login_attempt(env, name, f"db_run_fails:{n}")
        failed = re.search(r"database: ([a-z ]+):", err)
        if "database: session cap:" in err:
            break
        check(failed is not None, f"statement {n} failing is logged: {err[-300:]}")
        what, written = failed.group(1), session_count(env, name) - before
        seen.append((what, r.status, written))
        # A sweep, which nothing waits for, is the login's only other
        # statement that may fail with the login standing.
        eq((r.status, written), (302, 1) if "sweep" in what else (503, 0),
           f"{what} (statement {n}) failing: status, sessions written")
        if r.status == 302:
            eq(inject(env, "memo", "none", HTTP_COOKIE=new_session(r))[0].status, 200,
               f"{what} failing: the session works")
        if what == "session create":
            create = n
    else:
        raise AssertionError("the login never reached its session cap")
    check(create is not None and create < n, f"the session's INSERT ({create}) before the cap")
    print(f"    saw: before the cap {seen}", flush=True)
    eq(r.status, 302, f"the cap (statement {n}) failing: the login stands")
    eq(session_count(env, name), before + 1, "the session written")
    r, _ = inject(env, "memo", "none", HTTP_COOKIE=new_session(r))
    eq(r.status, 200, "the new session works")


@test
def login_deadlock_run_again(env):
    """Injected: each statement of a login in turn picked as a deadlock's victim: in the login's transaction (the user, the session), run again, 302 with one session that works; the state's use, alone, 503 and no session; the sweeps and the cap, which nothing waits for, 302"""
    name = "주입 교착 로그인"
    seen = []
    for n in range(1, 12):
        before = session_count(env, name)
        r, err = login_attempt(env, name, f"db_deadlock:{n}")
        victim = re.search(r"database: ([a-z ]+): 1213", err)
        if victim is None:                  # past the last statement
            eq(r.status, 302, "no victim")
            break
        again = "runs again" in err
        seen.append((victim.group(1), r.status, again))
        written = session_count(env, name) - before
        eq(written, 1 if r.status == 302 else 0, f"{victim.group(1)}: sessions written")
        if r.status == 302:
            eq(inject(env, "memo", "none", HTTP_COOKIE=new_session(r))[0].status, 200,
               f"{victim.group(1)} a victim: the new session works")
    # The user known by this name (from the second login on): checked and
    # its row shared, not upserted (USER_SAME, USER_KEEP).
    eq(seen, [("state use", 503, False), ("state sweep", 302, False),
              ("user check", 302, True), ("user share", 302, True),
              ("session create", 302, True),
              ("session cap", 302, False), ("session sweep", 302, False)],
       "each statement a victim: (statement, status, run again)")


@test
def withdrawal_deadlock_run_again(env):
    """Injected: each statement of a withdrawal in turn picked as a deadlock's victim: in the erase's transaction, run again, 200, every row of the user gone and Naver unlinked; the state's use or the session's lookup, alone, 503 and nothing deleted; the sweep of old states, 200"""
    name = "주입 교착 탈퇴"
    uid = naver_id(name)
    seen, cookie = [], None

    def write(cookie, method, path, text):
        r, _ = memo_write(env, cookie, "none", method, path, text)
        eq(r.status, 200, f"{method} /memo{path}")
        return r.json()["id"]
    for n in range(1, 16):
        if cookie is None:                  # a member with a row in every table
            cookie = session(env, uid)
            mid = write(cookie, "POST", "", "탈퇴 전 #메모")
            write(cookie, "PATCH", f"/{mid}", "탈퇴 전 #메모 고침")
            whole = rows_of(env, uid)
            check(all(whole.values()), f"rows of the member: {whole}")
        r, err = login_attempt(env, name, f"db_deadlock:{n}", cookie, intent="withdraw")
        victim = re.search(r"database: ([a-z ]+): 1213", err)
        if victim is None:                  # past the last statement
            break
        seen.append((victim.group(1), r.status, "runs again" in err))
        if r.status != 200:
            eq(rows_of(env, uid), whole, f"{victim.group(1)} a victim: nothing deleted")
            continue
        check("탈퇴가 완료되었습니다" in r.text and "연결도 해제했습니다" in r.text,
              f"{victim.group(1)} a victim: the page says it is done, Naver unlinked")
        eq(rows_of(env, uid), {t: 0 for t in TABLES}, f"{victim.group(1)}: no row left")
        cookie = None
    # One memo: one range (its end not found, then the rest deleted).
    erase = ("user lock", "withdrawal session", "erase range", "erase memos", "sessions end",
             "user delete")
    eq(seen, [("state use", 503, False), ("state sweep", 200, False),
              ("session lookup", 503, False)] +
       [(what, 200, True) for what in erase], "each statement a victim: (statement, status, run again)")


@test
def withdrawal_commit_answer_lost(env):
    """Injected: a withdrawal whose COMMIT the server carried out but whose answer was lost (the connection cut after it, or the answer's wait timed out while the COMMIT still ran): asked again on a new connection, the user is gone, so 200, done, Naver unlinked, no row left; one cut before its COMMIT is sent: the user is still there, 503 and every row as it was"""
    name = "주입 커밋 응답 분실"
    uid = naver_id(name)
    cookie = session(env, uid)
    r, _ = memo_write(env, cookie, "none", "POST", "", "탈퇴 전 #메모")
    eq(r.status, 200, "a memo")
    whole = rows_of(env, uid)
    check(whole["user"] and whole["memo"] and whole["memo_search"], f"rows of the member: {whole}")
    r, err = login_attempt(env, name, "db_cut_at_query:2", cookie, intent="withdraw")
    eq(r.status, 503, "cut before its COMMIT is sent")
    check("the user is still there: nothing deleted" in err, f"the log: {err[-400:]!r}")
    eq(rows_of(env, uid), whole, "cut before its COMMIT: nothing deleted")
    for fault in ("db_commit_lost", "db_commit_late"):
        if fault == "db_commit_late":           # a member again
            cookie = session(env, uid)
            eq(memo_write(env, cookie, "none", "POST", "", "또 #메모")[0].status, 200, "a memo")
        r, err = login_attempt(env, name, fault, cookie, intent="withdraw")
        check(re.search(r"database: commit: 2013 ", err), f"{fault}: 2013 logged: {err[-400:]!r}")
        check("the user is gone: it was written" in err, f"{fault}: the log: {err[-400:]!r}")
        eq(r.status, 200, f"{fault}: the user gone: done")
        check("탈퇴가 완료되었습니다" in r.text and "연결도 해제했습니다" in r.text,
              f"{fault}: the page says it is done, Naver unlinked")
        eq(rows_of(env, uid), {t: 0 for t in TABLES}, f"{fault}: no row left")


@test
def import_and_trash_deadlock_run_again(env):
    """Injected: each statement of an import in turn picked as a deadlock's victim: in its transaction, run again from the first memo, 200 and every memo written once, with its revision, tags and search copy; the session's lookup before it, alone, 503 and nothing written; DELETE /trash?count= of another number, its count a victim once: run again, 412 and nothing purged; DELETE /trash's one statement a victim once: run again, 200 with the count, the trash empty"""
    uid = "inj-dl-import"
    cookie = session(env, uid)
    file = json.dumps({"format": "memo-export", "version": 1, "memos": [
        {"id": 2, "text": "가져온 둘 #둘", "created_at": "2026-11-02T00:00:00Z",
         "revisions": [{"text": "옛 글", "created_at": "2026-11-01T12:00:00Z"}]},
        {"id": 1, "text": "가져온 하나 #하나", "created_at": "2026-11-01T00:00:00Z"}],
        "trash": [{"id": 3, "text": "버린 셋 #셋", "created_at": "2026-11-03T00:00:00Z",
                   "deleted_at": "2026-11-04T00:00:00Z"}]}).encode()

    def rows():
        return [env.db.query(f"SELECT text, deleted_at IS NULL FROM memo WHERE user_id = '{uid}'"
                             " ORDER BY id"),
                env.db.query("SELECT r.text FROM memo_revision r JOIN memo m ON m.id = r.memo_id"
                             f" WHERE m.user_id = '{uid}'"),
                env.db.query(f"SELECT tag_key FROM memo_tag WHERE user_id = '{uid}' ORDER BY 1"),
                env.db.query(f"SELECT COUNT(*) FROM memo_search WHERE user_id = '{uid}'")]
    whole = [[["가져온 하나 #하나", "1"], ["가져온 둘 #둘", "1"], ["버린 셋 #셋", "0"]],
             [["옛 글"]], [["둘"], ["셋"], ["하나"]], [["3"]]]
    seen = []
    for n in range(1, 30):
        r, err = inject(env, "import", f"db_deadlock:{n}", body=file, REQUEST_METHOD="POST",
                        HTTP_COOKIE=cookie, CONTENT_TYPE="application/json")
        victim = re.search(r"database: ([a-z ]+): 1213", err)
        if victim is None:                  # past the last statement: kept
            eq((r.status, r.json(), rows()), (200, {"imported": 3, "skipped": 0}, whole),
               "no victim")
            break
        seen.append((victim.group(1), r.status, "runs again" in err))
        if r.status != 200:
            eq(rows(), [[], [], [], [["0"]]], f"{victim.group(1)} a victim: nothing written")
            continue
        eq(r.json(), {"imported": 3, "skipped": 0}, f"{victim.group(1)} a victim once")
        eq(rows(), whole, f"{victim.group(1)} a victim once: each memo written once")
        env.db.query(f"DELETE FROM memo WHERE user_id = '{uid}'")
    # Before the transaction, the bound on lock waits and the account's
    # import lock (not run again: a deadlock there ends the request,
    # nothing written).  In it, the user's row shared (and the session
    # seen live) first; then the user's memos at each of the file's three
    # times (dupset.h); then the memos, oldest first; then what was
    # gathered for them (db_batch.c: fewer than a batch, one row a
    # statement): search copies, tags, the revision.  The lock given back
    # after the COMMIT: failing, it closes the connection, which gives it
    # back (the next request's import takes it).
    statements = (["import lock"] + ["import duplicate check"] * 3 + ["import memo"] * 3 +
                  ["import search copy"] * 3 + ["import tag"] * 3 + ["import revision"])
    eq(seen, [("session lookup", 503, False), ("lock wait bound", 503, False),
              ("import gate", 503, False)] +
       [(what, 200, True) for what in statements] + [("import gate release", 200, False)],
       "each statement a victim: (statement, status, run again)")
    r, err = inject(env, "trash", "db_deadlock:1", REQUEST_METHOD="DELETE",
                    SCRIPT_NAME="/trash", QUERY_STRING="count=2", HTTP_COOKIE=cookie)
    eq((r.status, r.json()), (412, {"error": "the trash has changed since it was counted",
                                    "count": 1}),
       "DELETE /trash?count=2 of 1, its count a victim once: run again, 412")
    check("trash count lock: 1213" in err and "runs again" in err, f"the log: {err!r}")
    eq(rows(), whole, "nothing purged by the 412")
    r, err = inject(env, "trash", "db_deadlock:1", REQUEST_METHOD="DELETE",
                    SCRIPT_NAME="/trash", HTTP_COOKIE=cookie)
    eq((r.status, r.json()), (200, {"purged": 1}), "DELETE /trash, a victim once")
    check("trash empty: 1213" in err and "runs again" in err, f"the log: {err!r}")
    eq(rows()[0], whole[0][:2], "the trash empty, the live memos kept")
    # With the key the page was shown (trash_key): the key's locking read
    # (the second statement) a victim once, or failing.
    r, _ = memo_write(env, cookie, "none", "POST", "", "버릴 넷")
    eq(memo_write(env, cookie, "none", "DELETE", f"/{r.json()['id']}")[0].status, 204, "to the trash")
    r, _ = inject(env, "memo", "none", REQUEST_METHOD="GET", SCRIPT_NAME="/memo",
                  QUERY_STRING="trash=true&count=true", HTTP_COOKIE=cookie)
    key, trashed = int(r.json()["trash_key"]), rows()

    def empty(fault, key):
        return inject(env, "trash", fault, REQUEST_METHOD="DELETE", SCRIPT_NAME="/trash",
                      QUERY_STRING=f"count=1&key={key}", HTTP_COOKIE=cookie)
    r, err = empty("db_deadlock:2", key ^ 1)
    eq((r.status, r.json()), (412, {"error": "the trash has changed since it was counted",
                                    "count": 1}),
       "DELETE /trash?count=1&key= of another trash, its key a victim once: run again, 412")
    check("trash key lock: 1213" in err and "runs again" in err, f"the log: {err!r}")
    r, err = empty("db_run_fails:2", key)
    eq(r.status, 503, "the key's read failing: 503")
    check("trash key lock:" in err, f"the log: {err!r}")
    eq(rows(), trashed, "nothing purged by the 412 or the 503")
    r, err = empty("db_deadlock:2", key)
    eq((r.status, r.json()), (200, {"purged": 1}), "the key a victim once: run again, purged")
    check("trash key lock: 1213" in err and "runs again" in err, f"the log: {err!r}")
    eq(rows()[0], whole[0][:2], "the trash empty again, the live memos kept")


def request_of(env, cookie, method, path, body, cgi, **cgi_vars):
    """A request to cgi (memo.cgi: /memo…, trash.cgi: /trash…) as a
    function of the fault to inject (inject): for the cut_at_* helpers."""
    e = dict(REQUEST_METHOD=method, PATH_INFO=path, SCRIPT_NAME="/" + cgi,
             HTTP_COOKIE=cookie, **cgi_vars)
    if body is not None:
        e["CONTENT_TYPE"] = "application/json"
    return lambda fault: inject(env, cgi, fault, body=body, **e)


def cut_at_each_statement(env, what, run, most=12):
    """run(fault) with its 1st, 2nd, … statement failing: each a 503 with
    every row of every table as it was, until the cut falls past the last
    statement; returns that answer and how many statements it ran."""
    before = everything(env)
    for n in range(1, most + 1):
        r, err = run(f"db_run_fails:{n}")
        if r.status != 503:
            # A cut that fell nowhere would pass every check below.
            check(n > 1, f"{what}: cut at its first statement, {r.status}, not 503")
            return r, n - 1
        eq(r.json(), {"error": "database unavailable"}, f"{what} cut at statement {n}")
        check("(no reason given)" in err, f"{what} cut at statement {n}: the log: {err!r}")
        eq(everything(env), before, f"{what} cut at statement {n}: every table as it was")
    raise AssertionError(f"{what}: still cut after {most} statements")


@test
def writes_cut_at_each_statement(env):
    """Injected: POST, PATCH, DELETE, restore, DELETE /trash/{id} and DELETE /trash, each cut at every one of its statements in turn: 503 and nothing written (memo, revision, tags, search copy), then whole"""
    cookie = session(env, "inj-writes")
    uid = "inj-writes"

    def call(method, path="", body=None, cgi="memo", **kw):
        return request_of(env, cookie, method, path, body, cgi, **kw)

    def rows(mid):
        return [env.db.query(f"SELECT text, pinned, deleted_at IS NULL FROM memo WHERE id = {mid}"),
                env.db.query(f"SELECT name FROM memo_tag WHERE memo_id = {mid} ORDER BY name"),
                env.db.query(f"SELECT COUNT(*) FROM memo_search WHERE memo_id = {mid}"),
                env.db.query(f"SELECT text FROM memo_revision WHERE memo_id = {mid}")]
    seen = []
    r, n = cut_at_each_statement(env, "POST /memo", call(
        "POST", body=json.dumps({"text": "주입 #가 #나/다", "pinned": True}).encode()))
    eq(r.status, 200, "POST past its last statement")
    mid = r.json()["id"]
    eq(rows(mid), [[["주입 #가 #나/다", "1", "1"]], [["가"], ["나/다"]], [["1"]], []],
       "the memo, its tags and search copy")
    seen.append(f"POST {n}")
    etag = r.header("ETag")
    r, n = cut_at_each_statement(env, "PATCH /memo/{id}", call(
        "PATCH", f"/{mid}", json.dumps({"text": "고침 #라", "pinned": False}).encode(),
        HTTP_IF_MATCH=etag))
    eq(r.status, 200, "PATCH past its last statement")
    eq(rows(mid), [[["고침 #라", "0", "1"]], [["라"]], [["1"]], [["주입 #가 #나/다"]]],
       "the memo, its new tags, search copy and revision")
    seen.append(f"PATCH {n}")
    for what, run, want in (
            ("DELETE /memo/{id}", call("DELETE", f"/{mid}"), 204),
            ("POST /memo/{id}/restore", call("POST", f"/{mid}/restore", b""), 200),
            ("DELETE /memo/{id}, again", call("DELETE", f"/{mid}"), 204),
            ("DELETE /trash/{id}", call("DELETE", f"/{mid}", cgi="trash"), 204)):
        r, n = cut_at_each_statement(env, what, run)
        eq(r.status, want, f"{what} past its last statement")
        seen.append(f"{what.split(',')[0]} {n}")
    eq(rows(mid), [[], [], [["0"]], []], "deleted for good: nothing of it left")
    env.db.client(database="memo", stdin=(
        "INSERT INTO memo (user_id, text, created_at, deleted_at) VALUES"
        f" ('{uid}', '휴지 1', UTC_TIMESTAMP(), UTC_TIMESTAMP()),"
        f" ('{uid}', '휴지 2', UTC_TIMESTAMP(), UTC_TIMESTAMP());"))
    r, n = cut_at_each_statement(env, "DELETE /trash", call("DELETE", cgi="trash"))
    eq((r.status, r.json()), (200, {"purged": 2}), "DELETE /trash past its last statement")
    seen.append(f"DELETE /trash {n}")
    print("saw statements: " + ", ".join(seen))


def cut_at_begin_and_commit(env, what, run, seen):
    """run(fault) with the connection lost just before its transaction's
    start, then just before its COMMIT: each a 503 whose log gives
    libmariadb's reason (added to seen), every row of every table as it
    was (the server rolled back what the transaction had written); returns
    run("none")."""
    before = everything(env)
    for n, step in ((1, "begin"), (2, "commit")):
        r, err = run(f"db_cut_at_query:{n}")
        eq(r.status, 503, f"{what}, the connection lost before its {step}")
        reason = re.search(rf"database: {step}: 20[0-9][0-9] [A-Z][^\n]*", err)
        check(reason, f"{what}, cut before its {step}: libmariadb's reason logged: {err!r}")
        seen.add(reason.group(0))
        eq(everything(env), before, f"{what}, cut before its {step}: every table as it was")
    return run("none")


@test
def writes_cut_at_begin_and_commit(env):
    """Injected: the connection lost just before a write's transaction starts, then just before its COMMIT (POST, PATCH, DELETE, restore, DELETE /trash/{id}, an import, a login, a withdrawal): 503, libmariadb's reason logged, every row of every table as it was; then the write whole"""
    name = "주입 커밋 끊김"
    uid = naver_id(name)
    env.db.query(f"DELETE FROM memo WHERE user_id = '{uid}'")     # a run before
    seen = set()

    def cut(what, run):
        return cut_at_begin_and_commit(env, what, run, seen)
    r, _ = cut("a login", lambda f: login_attempt(env, name, f))
    eq(r.status, 302, "the login, whole")
    cookie = new_session(r)

    def call(method, path="", body=None, cgi="memo", **kw):
        return request_of(env, cookie, method, path, body, cgi, **kw)
    r, _ = cut("POST /memo", call(
        "POST", body=json.dumps({"text": "끊김 #가"}).encode()))
    eq(r.status, 200, "POST, whole")
    mid = r.json()["id"]
    r, _ = cut("PATCH /memo/{id}", call(
        "PATCH", f"/{mid}", json.dumps({"text": "고침 #나"}).encode(),
        HTTP_IF_MATCH=r.header("ETag")))
    eq((r.status, r.json()["text"], r.json()["tags"]), (200, "고침 #나", ["나"]), "PATCH, whole")
    for what, run, want in (
            ("DELETE /memo/{id}", call("DELETE", f"/{mid}"), 204),
            ("POST /memo/{id}/restore", call("POST", f"/{mid}/restore", b""), 200),
            ("DELETE /memo/{id}, again", call("DELETE", f"/{mid}"), 204),
            ("DELETE /trash/{id}", call("DELETE", f"/{mid}", cgi="trash"), 204)):
        r, _ = cut(what, run)
        eq(r.status, want, f"{what}, whole")
    file = json.dumps({"format": "memo-export", "version": 1, "memos": [
        {"id": 1, "text": "가져온 #다", "created_at": "2026-11-01T00:00:00Z",
         "revisions": [{"text": "옛 글", "created_at": "2026-10-31T00:00:00Z"}]}]}).encode()
    r, _ = cut("an import", lambda f: inject(
        env, "import", f, body=file, REQUEST_METHOD="POST", HTTP_COOKIE=cookie,
        CONTENT_TYPE="application/json"))
    eq((r.status, r.json()), (200, {"imported": 1, "skipped": 0}), "the import, whole")
    check(all(rows_of(env, uid).values()), f"rows of the member: {rows_of(env, uid)}")
    r, _ = cut("a withdrawal", lambda f: login_attempt(
        env, name, f, cookie, intent="withdraw"))
    eq(r.status, 200, "the withdrawal, whole")
    check("탈퇴가 완료되었습니다" in r.text, "the page says it is done")
    eq(rows_of(env, uid), {t: 0 for t in TABLES}, "the withdrawal: no row left")
    print("saw: " + "; ".join(sorted(seen)))


@test
def writes_commit_answer_lost(env):
    """Injected: a write whose COMMIT the server carried out but whose answer was lost (POST, PATCH, DELETE, restore, DELETE /trash/{id}; and a POST and a PATCH whose COMMIT still ran as the answer's wait timed out): the memo read again on a new connection, with a locking read that waits for such a COMMIT, shows it, so the answer is the write's own (200 with the memo as stored, or 204), not a 503 whose retry would write a second memo; the log says so"""
    uid = "inj-commit-lost"
    cookie = session(env, uid)

    def call(fault, method, path="", body=None, cgi="memo", **kw):
        r, err = request_of(env, cookie, method, path, body, cgi, **kw)(fault)
        check("COMMIT lost its answer: read again, it was written" in err,
              f"{method} {cgi}{path}: the log: {err[-300:]!r}")
        return r

    def row(mid):
        got = env.db.query(f"SELECT text, deleted_at IS NOT NULL, version FROM memo WHERE id = {mid}")
        return tuple(got[0]) if got else None
    r = call("db_commit_lost", "POST", body=json.dumps({"text": "응답 분실 #가"}).encode())
    eq((r.status, r.json()["text"], r.json()["tags"]), (200, "응답 분실 #가", ["가"]), "POST")
    mid = r.json()["id"]
    eq(env.db.query(f"SELECT COUNT(*) FROM memo WHERE user_id = '{uid}'")[0][0], "1", "one memo")
    etag = r.header("ETag")
    r = call("db_commit_lost", "PATCH", f"/{mid}", json.dumps({"text": "고침 #나"}).encode(),
             HTTP_IF_MATCH=etag)
    eq((r.status, r.json()["text"], r.json()["tags"]), (200, "고침 #나", ["나"]), "PATCH")
    check(r.header("ETag") not in (None, etag), f"PATCH: a new ETag {r.header('ETag')!r}")
    eq(row(mid), ("고침 #나", "0", "1"), "PATCH: the row")
    eq(call("db_commit_lost", "DELETE", f"/{mid}").status, 204, "DELETE")
    eq(row(mid)[1:], ("1", "2"), "DELETE: in the trash")
    r = call("db_commit_lost", "POST", f"/{mid}/restore", b"")
    eq((r.status, r.json()["deleted_at"]), (200, None), "restore")
    eq(row(mid)[1:], ("0", "3"), "restore: out of the trash")
    r, _ = request_of(env, cookie, "DELETE", f"/{mid}", None, "memo")("none")
    eq(r.status, 204, "DELETE again")
    eq(call("db_commit_lost", "DELETE", f"/{mid}", cgi="trash").status, 204, "DELETE /trash/{id}")
    eq(row(mid), None, "purged")
    # The answer's wait timed out while the COMMIT still ran: the locking
    # read waits for it (a plain one saw no memo yet: 503, and a retry
    # made it twice).
    r = call("db_commit_late", "POST", body=json.dumps({"text": "늦은 커밋"}).encode())
    eq((r.status, r.json()["text"]), (200, "늦은 커밋"), "POST, its COMMIT late")
    eq(env.db.query(f"SELECT text FROM memo WHERE user_id = '{uid}'"), [["늦은 커밋"]],
       "one memo, written once")
    etag = r.header("ETag")
    r = call("db_commit_late", "PATCH", f"/{r.json()['id']}",
             json.dumps({"pinned": True}).encode(), HTTP_IF_MATCH=etag)
    eq((r.status, r.json()["pinned"]), (200, True), "PATCH, its COMMIT late")


@test
def fault_name_bounded(env):
    """Injected: a fault's name that is not a step's and ':N', or longer than 63 characters, fails nothing (it is a request header in FastCGI mode: untrusted even in a test build) and the log says it was ignored"""
    cookie = session(env, "inj-name", memos=1)
    r, _ = inject(env, "memo", "db_fetch_fails:1", HTTP_COOKIE=cookie)
    eq(r.status, 503, "a step's name and :N: the fault falls")
    for bad in ("db_fetch_fails:1" + "0" * 48, "db_fetch_fails:" + "1" * 49,
                "db_fetch_fails:1;x", "db_fetch_fails:", "DB_FETCH_FAILS", ":1"):
        r, err = inject(env, "memo", bad, HTTP_COOKIE=cookie)
        eq(r.status, 200, f"{bad!r}: no fault")
        check("X-Memo-Fault or MEMO_FAULT ignored" in err, f"{bad!r}: the log: {err!r}")
    # The longest taken: 63 characters, a hit that never comes.
    r, err = inject(env, "memo", "db_fetch_fails:" + "9" * 48, HTTP_COOKIE=cookie)
    eq((r.status, err), (200, ""), "63 characters: taken, and quiet")
