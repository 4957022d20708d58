#!/usr/bin/env python3
"""bench/patchcost.py - MariaDB's CPU for what a PATCH and a POST run,
statement by statement: 640 edits of 64 memos replayed as text SQL on a
private MariaDB (var/patchcost/, stopped at the end), each shape twice.

    python3 bench/patchcost.py          (REPS=5 N=2000: steadier medians)
    ONLY="post|PATCH as shipped" python3 bench/patchcost.py   (those rows)

The figures docs/performance.md quotes for PATCH (the joined UPDATE
against two UPDATEs, the revision prune that scanned the table against
the one through the memo's index, PATCH against POST, and the redesigns
that are not shipped: the revision written by a trigger, the search copy
kept in memo, no locked read) come from here."""
import os, sys, shutil, subprocess, time
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT + "/tools", ROOT + "/tests"]
import bench      # tools/bench.py (tools/ is first on the path)
import stack, lib
base = ROOT + "/var/patchcost"; shutil.rmtree(base, ignore_errors=True); os.makedirs(base)
db = stack.MariaDB(base + "/mariadb").start()
TICK = 1e6 / os.sysconf("SC_CLK_TCK")
def cpu(pid):
    v = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split(); return (int(v[11]) + int(v[12])) * TICK
try:
    db.bootstrap()
    tok = bench.session_for(db, "p", "p"); h = lib.sha256_hex(tok)
    uid = db.query(f"SELECT user_id FROM sessions WHERE session_key='{h}'")[0][0]
    for i in range(64):
        db.query(f"INSERT INTO memo (user_id, text, pinned, created_at) VALUES ('{uid}', '고칠 메모 {i}', 0, UTC_TIMESTAMP()); INSERT INTO memo_search (user_id, memo_id, body) VALUES ('{uid}', LAST_INSERT_ID(), '고칠 메모 {i}')")
    ids = [int(r[0]) for r in db.query("SELECT id FROM memo ORDER BY id")]
    LOCKJ = "SELECT m.id, m.text, m.created_at, m.updated_at, m.pinned, m.deleted_at, m.version FROM sessions s JOIN memo m ON m.user_id = s.user_id WHERE s.session_key = '{h}' AND s.expires_at > UTC_TIMESTAMP() AND m.id = {i} FOR UPDATE"
    LOCKS = "SELECT m.id, m.text, m.created_at, m.updated_at, m.pinned, m.deleted_at, m.version FROM memo m WHERE m.user_id = (SELECT s.user_id FROM sessions s WHERE s.session_key = '{h}' AND s.expires_at > UTC_TIMESTAMP()) AND m.id = {i} FOR UPDATE"
    # The text being replaced, as the locked read gave it (common/db_stmt.def
    # REV_SAVE; until 2026-12-01 an INSERT ... SELECT from memo).
    REV = "INSERT INTO memo_revision (memo_id, text, created_at) VALUES ({i}, '고칠 메모 {n}', UTC_TIMESTAMP())"
    PRUNE_SCAN = "DELETE FROM memo_revision WHERE memo_id = {i} AND id < (SELECT id FROM (SELECT id FROM memo_revision WHERE memo_id = {i} ORDER BY id DESC LIMIT 1 OFFSET 49) AS k)"
    PRUNE = "DELETE r FROM memo_revision r FORCE INDEX (memo_revision_memo) JOIN (SELECT id FROM memo_revision WHERE memo_id = {i} ORDER BY id DESC LIMIT 1 OFFSET 49) AS k ON r.memo_id = {i} AND r.id < k.id"
    UPJ = "UPDATE memo m LEFT JOIN memo_search x ON x.memo_id = m.id SET m.text = COALESCE('고친 글 {n}', m.text), x.body = COALESCE('고친 글 {n}', x.body), m.updated_at = COALESCE(UTC_TIMESTAMP(), m.updated_at), m.pinned = 0, m.version = m.version + 1 WHERE m.id = {i}"
    UP2 = "UPDATE memo SET text = '고친 글 {n}', updated_at = UTC_TIMESTAMP(), pinned = 0, version = version + 1 WHERE id = {i}; UPDATE memo_search SET body = '고친 글 {n}' WHERE memo_id = {i}"
    # The session's user as a value (common/db_stmt.def MEMO_INSERT; until
    # 2026-12-04 an INSERT ... SELECT FROM sessions).
    POST = "INSERT INTO memo (user_id, text, pinned, created_at) VALUES ((SELECT user_id FROM sessions WHERE session_key = '{h}' AND expires_at > UTC_TIMESTAMP()), '새 글 {n}', 0, UTC_TIMESTAMP()); INSERT INTO memo_search (user_id, memo_id, body) SELECT user_id, id, '새 글 {n}' FROM memo WHERE id = LAST_INSERT_ID()"
    shapes = {
      "begin commit": [],
      "lock (join)": [LOCKJ], "lock (subquery)": [LOCKS],
      "lock + rev": [LOCKS, REV],
      "lock + rev + prune/16 (scan)": [LOCKS, REV, "SCAN16"],
      "lock + rev + prune/16": [LOCKS, REV, "PRUNE16"],
      "PATCH as shipped": [LOCKS, REV, UP2, "PRUNE16"],
      "lock + rev + update(join)": [LOCKS, REV, UPJ],
      "lock + rev + 2 updates": [LOCKS, REV, UP2],
      "update(join) only": [UPJ],
      "post": [POST],
    }
    # Two redesigns, for what they would buy (neither is shipped): the
    # revision written by a trigger on memo, and the search copy kept in
    # memo itself (a POST is then one INSERT, needing no transaction).
    UPB = "UPDATE memo SET text = '고친 글 {n}', body = '고친 글 {n}', updated_at = UTC_TIMESTAMP(), pinned = 0, version = version + 1 WHERE id = {i}"
    POSTB = "INSERT INTO memo (user_id, text, body, pinned, created_at) SELECT user_id, '새 글 {n}', '새 글 {n}', 0, UTC_TIMESTAMP() FROM sessions WHERE session_key = '{h}' AND expires_at > UTC_TIMESTAMP()"
    TRIGGER = ("CREATE TRIGGER memo_keeps_revision AFTER UPDATE ON memo FOR EACH ROW"
               " INSERT INTO memo_revision (memo_id, text, created_at)"
               " SELECT OLD.id, OLD.text, COALESCE(OLD.updated_at, OLD.created_at)"
               " FROM DUAL WHERE BINARY NEW.text <> BINARY OLD.text")
    # No locked read: the UPDATE itself checks the session, the state and
    # the version (If-Match), and keeps the text it replaces in user
    # variables, which the revision's INSERT writes and RETURNING hands
    # back (the old text's tags are needed).  Measured 2026-12-02, not
    # shipped: docs/performance.md.
    SUBQ = ("(SELECT s.user_id FROM sessions s WHERE s.session_key = '{h}'"
            " AND s.expires_at > UTC_TIMESTAMP())")
    CAPTURE = ("UPDATE memo SET version = version + 1 + 0 * LENGTH(@old := text)"
               " + 0 * UNIX_TIMESTAMP(@oldt := COALESCE(updated_at, created_at)),"
               " text = '고친 글 {n}', updated_at = UTC_TIMESTAMP(), pinned = 0"
               " WHERE id = {i} AND user_id = " + SUBQ +
               " AND deleted_at IS NULL AND version >= 0")
    REV_RETURNING = ("INSERT INTO memo_revision (memo_id, text, created_at)"
                     " VALUES ({i}, @old, @oldt) RETURNING text, created_at")
    SEARCH = "UPDATE memo_search SET body = '고친 글 {n}' WHERE memo_id = {i}"
    redesigns = {
      "PATCH, no locked read": (None, [CAPTURE, REV_RETURNING, SEARCH, "PRUNE16"]),
      "PATCH, revision by trigger": (TRIGGER, [LOCKS, UP2, "PRUNE16"]),
      "PATCH, search copy in memo": (None, [LOCKS, REV, UPB, "PRUNE16"]),
      "PATCH, both": (TRIGGER, [LOCKS, UPB, "PRUNE16"]),
      "POST, search copy in memo": (None, [POSTB]),
      "the same, no transaction": (None, ["AUTOCOMMIT", POSTB]),
    }
    db.query("ALTER TABLE memo ADD COLUMN body MEDIUMBLOB NULL")
    N = int(os.environ.get("N", "640"))
    REPS = int(os.environ.get("REPS", "2"))
    seen = {}

    def run(name, stmts):
        lines = []
        for n in range(N):
            i = ids[n % 64]
            body = []
            for s in stmts:
                if s in ("PRUNE16", "SCAN16"):
                    if n % 16 == 15:
                        body.append((PRUNE if s == "PRUNE16" else PRUNE_SCAN).format(i=i))
                elif s != "AUTOCOMMIT":
                    body.append(s.format(h=h, i=i, n=n))
            if "AUTOCOMMIT" in stmts:
                lines.append("; ".join(body) + ";")
            else:
                lines.append("START TRANSACTION; " + "; ".join(body) + ("; " if body else "") + "COMMIT;")
        f = base + "/q.sql"; open(f, "w").write("\n".join(lines) + "\n")
        c0 = cpu(db.server.proc.pid); t0 = time.monotonic()
        subprocess.run(["mariadb", "--no-defaults", "-S", db.socket, "-u", "root", "memo"], stdin=open(f), stdout=subprocess.DEVNULL, check=True)
        us = (cpu(db.server.proc.pid) - c0) / N
        seen.setdefault(name, []).append(us)
        print(f"{name:28} {us:7.0f} us server CPU, {(time.monotonic()-t0)/N*1e6:7.0f} us wall")

    if os.environ.get("ONLY"):
        keep = os.environ["ONLY"].split("|")
        shapes = {k: v for k, v in shapes.items() if k in keep}
        redesigns = {k: v for k, v in redesigns.items() if k in keep}
    for rep in range(REPS):
        for name, stmts in shapes.items():
            run(name, stmts)
        for name, (trigger, stmts) in redesigns.items():
            if trigger:
                db.query(trigger)
            run(name, stmts)
            if trigger:
                db.query("DROP TRIGGER memo_keeps_revision")
        print(db.query("SELECT COUNT(*) FROM memo_revision"))
    print(f"median of {REPS}:")
    for name, v in seen.items():
        print(f"{name:28} {sorted(v)[len(v) // 2]:7.0f} us server CPU")
finally:
    db.stop()
