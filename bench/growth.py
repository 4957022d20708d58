#!/usr/bin/env python3
"""bench/growth.py - the RSS of one FastCGI memo.cgi over many requests:
`make bench` part 4's mix (GET /memo of 20 memos, POST /memo), for as
long as one asks, on a private MariaDB and lighttpd (var/growth/,
stopped at the end).

    REQ=400000 python3 bench/growth.py

Prints requests served and RSS in KiB as it goes (tools/bench.py
rss_growth, which part 4 runs too), and fails if the process changed.
Part 4 stops at 100,000 requests; a leak keeps growing with them, a
heap settling does not (docs/performance.md)."""
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT + "/tools", ROOT + "/tests"]
import bench  # noqa: E402  (tools/bench.py)
import lib    # noqa: E402

base = os.path.join(ROOT, "var", "growth")
shutil.rmtree(base, ignore_errors=True)
static = os.path.join(base, "static")
os.makedirs(static)
started = []
try:
    db, config = bench.start_backends(base, started)
    web = bench.bench_server(base, config, static, "fastcgi", 1, None)
    started.append(web)
    reader = lib.Browser(web.url)
    lib.eq(lib.login(reader, "벤치 독자").status, 302, "login")
    for i in range(20):
        lib.eq(reader.post_json("/memo", {"text": f"벤치 메모 {i}: 오늘 할 일 #할일"}).status,
               200, "POST")
    writer = lib.Browser(web.url)
    lib.eq(lib.login(writer, "벤치 작성자").status, 302, "login")
    mix = ((web.url + "memo", "sessionId=" + reader.cookies["sessionId"], None),
           (web.url + "memo", "sessionId=" + writer.cookies["sessionId"],
            '{"text":"벤치마크가 쓴 메모 한 줄"}'))
    got = bench.rss_growth(web, mix, int(os.environ.get("REQ", "400000")),
                           say=lambda n, rss: print(f"{n:9,} {rss:7,} KiB", flush=True))
    if got is None:
        sys.exit("no FastCGI memo.cgi process")
    if not got[1]:
        sys.exit("THE PROCESS CHANGED: its RSS is not one process's")
finally:
    bench.stop_all(started)
