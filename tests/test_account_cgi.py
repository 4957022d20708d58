"""test_account_cgi.py - GET /export's memory, export.cgi run by hand as
tools/bench.py part 3 measures GET /memo: the peak RSS of export.cgi for a
user with 100,000 memos against one with 1,000, which must stay flat.  (The
account's other by-hand checks are shell tests: tests/bats/account.bats.)"""
import json
import os
import secrets

import lib
from lib import Skipped, check, eq, sha256_hex, test

SPAWN = os.path.join(lib.ROOT, "build", "bench", "spawn")


def user_with_memos(env, uid, n, revisions):
    """A user with n memos (one revision each for the first `revisions`),
    made in SQL; returns the session id."""
    sid = secrets.token_urlsafe(32)
    env.db.client(database="memo", stdin=(
        f"INSERT INTO `user` (id, name) VALUES ('{uid}', '메모 {n}개');"
        "INSERT INTO sessions (session_key, user_id, created_at, expires_at) VALUES "
        f"('{sha256_hex(sid)}', '{uid}', UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 DAY);"
        "SET SESSION max_recursive_iterations = 1000000;"
        "INSERT INTO memo (user_id, text, created_at)"
        " WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL"
        f" SELECT n + 1 FROM seq WHERE n < {n})"
        f" SELECT '{uid}', CONCAT('메모 ', n, ' — 오늘 할 일: 장보기, 운동 #할일'),"
        " UTC_TIMESTAMP() FROM seq;"
        "INSERT INTO memo_revision (memo_id, text, created_at)"
        f" SELECT id, CONCAT('이전 ', text), created_at FROM memo WHERE user_id = '{uid}'"
        f" ORDER BY id LIMIT {revisions};"
        # Every 100th in the trash: batches hold both kinds.
        f"UPDATE memo SET deleted_at = UTC_TIMESTAMP() WHERE user_id = '{uid}'"
        " AND MOD(id, 100) = 0;"))
    return sid


def peak_rss(env, sid, query, out):
    """Peak RSS (KiB) of one export.cgi run by hand (bench/spawn)."""
    import subprocess
    e = {"MEMO_CONFIG": env.config, "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/export",
         "QUERY_STRING": query, "HTTP_COOKIE": "sessionId=" + sid, "PATH": "/usr/bin:/bin"}
    p = subprocess.run([SPAWN, "1", "/dev/null", out, os.path.join(lib.CGI_DIR, "export.cgi")],
                       env=e, capture_output=True, text=True, check=True, timeout=300)
    got = {k: float(v) for k, v in (kv.split("=") for kv in p.stdout.split())}
    eq(got["status"], 0, "export.cgi's exit status")
    return int(got["maxrss_kib"]), got["min_us"] / 1e6


@test
def export_memory_is_flat(env):
    """GET /export streams: export.cgi's peak RSS for 100,000 memos (with 10,000 revisions) stays within 10 % of that for 1,000, in JSON and Markdown, and the answer holds every memo"""
    if not os.path.exists(SPAWN):
        raise Skipped("build/bench/spawn is not built (make test builds it)")
    sizes = {1000: 100, 100000: 10000}
    sids = {n: user_with_memos(env, f"export-rss-{n}", n, r) for n, r in sizes.items()}
    out = os.path.join(env.base, "export-rss.out")
    seen, rss = [], {}
    try:
        for fmt in ("", "format=md"):
            for n, sid in sids.items():
                rss[(fmt, n)], took = peak_rss(env, sid, fmt, out)
                with open(out, "rb") as f:
                    head, _, body = f.read().partition(b"\r\n\r\n")
                check(head.startswith(b"Status: 200"), head[:80])
                trash = int(env.db.query("SELECT COUNT(*) FROM memo WHERE user_id ="
                                         f" 'export-rss-{n}' AND deleted_at IS NOT NULL")[0][0])
                check(trash > 0, "some memos in the trash")
                if fmt == "":
                    x = json.loads(body)
                    for part, want in (("memos", n - trash), ("trash", trash)):
                        ids = [m["id"] for m in x[part]]
                        eq(len(ids), want, f"every memo of {part}, once")
                        # Strictly: a memo sent again at a batch boundary
                        # sits next to itself.
                        eq([(i, j) for i, j in zip(ids, ids[1:]) if i <= j][:3], [],
                           f"{part}: newest first across batches, none twice")
                    eq(sum(len(m["revisions"]) for m in x["memos"] + x["trash"]), sizes[n],
                       "revisions")
                else:
                    eq(body.count(b"\n### "), n - trash, "every live memo in the Markdown")
                seen.append(f"{fmt or 'json'} {n:,} memos: {len(body):,} bytes, "
                            f"peak RSS {rss[(fmt, n)]:,} KiB, {took:.2f}s")
    finally:
        for n in sids:
            env.db.client(database="memo", stdin=(
                f"DELETE FROM memo WHERE user_id = 'export-rss-{n}';"
                f"DELETE FROM `user` WHERE id = 'export-rss-{n}';"))
    print("    saw: " + "; ".join(seen))
    for fmt in ("", "format=md"):
        small, big = rss[(fmt, 1000)], rss[(fmt, 100000)]
        check(big <= small * 1.10, f"{fmt or 'json'}: {big} KiB for 100,000 memos against "
                                   f"{small} KiB for 1,000 (flat: within 10 %)")
