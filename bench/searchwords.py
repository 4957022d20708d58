#!/usr/bin/env python3
"""bench/searchwords.py - what the words past the search statement's 8 cost:
GET /memo?q= by hand (memo.cgi, CGI mode, mean of 5 runs) over one user's
10,000 memos of make bench's part 7 (bench.fill_search_memos), on a
private MariaDB under var/searchwords/ (stopped at the end).

    python3 bench/searchwords.py [MEMOS]

Every query finds nothing, so every memo its statement lets through is
read: 'none 2' lets none through; the others let every memo through (their
8 longest words are in each) and differ in how many words memo.cgi then
looks for in each memo's search copy (docs/performance.md)."""
import os
import sys
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT + "/tools", ROOT + "/tests"]
import bench  # noqa: E402  (tools/bench.py)

TEXT = ("회의록 1: project 1 meeting notes — 오늘 논의한 내용은 예산 검토와 일정 조정입니다."
        " the budget review for team 1 and the schedule for next week."
        " 다음 주까지 자료를 정리해 공유하기로 했다.")


def one_char_words():
    """Every character of the memos' text as a word, then 'q', in none."""
    seen = []
    for c in TEXT:
        if not (c.isspace() or c.isdigit() or c in seen):
            seen.append(c)
    return seen + ["q"]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    chars = one_char_words()
    queries = {
        "none 2": "없는말 zzz",
        "12 words (4 in C)": "회의록 schedule project meeting budget review 오늘 notes"
                             " team next and zz",
        f"{len(chars)} words ({len(chars) - 8} in C)": " ".join(chars),
    }
    with bench.backends("searchwords") as (base, db, config, started):
        empty = os.path.join(base, "empty")
        open(empty, "w").close()
        sink = os.path.join(base, "sink")
        env0 = {"PATH": "/usr/bin:/bin", "GATEWAY_INTERFACE": "CGI/1.1",
                "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
                "MEMO_CONFIG": config}
        token = bench.session_for(db, "searchwords", "검색")
        bench.fill_search_memos(db, "searchwords", n)
        print(f"{'query':24} {'ms':>8}  status")
        for label, q in queries.items():
            env = dict(env0, REQUEST_METHOD="GET", SCRIPT_NAME="/memo",
                       QUERY_STRING="q=" + urllib.parse.quote(q),
                       HTTP_COOKIE="sessionId=" + token)
            r = bench.spawn(os.path.join(ROOT, "cgi-bin", "memo.cgi"), env, empty, sink, 5)
            with open(sink, "rb") as f:
                status = f.readline().decode().strip()
            print(f"{label:24} {r['mean_us'] / 1000:8.1f}  {status}")


if __name__ == "__main__":
    main()
