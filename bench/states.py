#!/usr/bin/env python3
"""bench/states.py - the lists by state for one big account, by hand.

    python3 bench/states.py [MEMOS]          (default 100,000)

One user gets MEMOS memos (bench.fill_memos), a few of them pinned and a
few in the trash, on a private MariaDB (var/states/, stopped at the end).
Each list the page asks for (the pinned memos, a counted page of the
others, the trash) runs memo.cgi by hand, as an operator would; printed:
the best of 3 wall times and the rows MariaDB read for it (Handler_read_*
around the run).  docs/performance.md quotes it for schema/006."""
import os, sys, shutil, time, subprocess
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT + "/tools", ROOT + "/tests"]
import importlib.util
spec = importlib.util.spec_from_file_location("bench", ROOT + "/tools/bench.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

QUERIES = ("limit=50", "pinned=true", "pinned=false&limit=50",
           "pinned=false&limit=50&count=true", "trash=true",
           "trash=true&limit=50&count=true", "limit=50&count=true")


def reads(db):
    return sum(int(v) for _, v in db.query("SHOW GLOBAL STATUS LIKE 'Handler_read%'"))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    base = os.path.join(ROOT, "var", "states")
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    started = []
    try:
        db, config = bench.start_backends(base, started)
        token = bench.session_for(db, "big", "많은 메모")
        bench.fill_memos(db, "big", n)
        db.query("UPDATE memo SET pinned = 1 WHERE user_id = 'big' AND id % 30000 = 7;"
                 "UPDATE memo SET deleted_at = UTC_TIMESTAMP()"
                 " WHERE user_id = 'big' AND id % 20000 = 9; ANALYZE TABLE memo")
        env = {"PATH": "/usr/bin:/bin", "GATEWAY_INTERFACE": "CGI/1.1",
               "SERVER_PROTOCOL": "HTTP/1.1", "REQUEST_METHOD": "GET",
               "SCRIPT_NAME": "/memo", "MEMO_CONFIG": config,
               "HTTP_COOKIE": "sessionId=" + token}
        print(f"{n:,} memos; GET /memo?…  (best of 3, rows MariaDB read)")
        for qs in QUERIES:
            best = float("inf")
            for _ in range(3):
                before = reads(db)
                t = time.monotonic()
                p = subprocess.run([os.path.join(ROOT, "cgi-bin", "memo.cgi")],
                                   env=dict(env, QUERY_STRING=qs), capture_output=True)
                best = min(best, time.monotonic() - t)
                read = reads(db) - before
            status = p.stdout.split(b"\r\n", 1)[0].decode("latin-1")
            print(f"{qs:34} {best * 1000:8.1f} ms {read:9,} rows  {status}")
    finally:
        for s in reversed(started):
            s.stop()


if __name__ == "__main__":
    main()
