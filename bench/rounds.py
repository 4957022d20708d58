#!/usr/bin/env python3
"""bench/rounds.py - issue 9's ratios alone, in interleaved rounds.

    python3 bench/rounds.py [ROUNDS] [SECONDS]     (default 4 rounds of 2 s)

What `make bench` prints as part 1b (tools/bench.py interleaved()), alone
and quicker, to try a change: one mode at a time (BENCH_MODES, default
fastcgi), against the previous version built from git.  Each round runs
GET /memo, GET /memo?tag=, the previous version's GET /memo, POST /memo
and PATCH /memo/{id}, in an order that turns each round; the last lines
give the median of every ratio.  On 2 shared cores one run of a few
seconds moves by a tenth or more; the median of interleaved rounds moves
less.  Servers start under var/rounds and stop at the end."""
import os, sys, statistics
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT + "/tools", ROOT + "/tests"]
import bench      # tools/bench.py (tools/ is first on the path)
import lib

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 4
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0


def main():
    with bench.backends("rounds") as (base, db, config, started):
        prev_bin = bench.build_previous()

        def server(mode, cgi_dir=None):
            w = bench.bench_server(base, config, base, mode, cgi_dir=cgi_dir)
            started.append(w)
            return w

        for mode in os.environ.get("BENCH_MODES", "fastcgi").split():
            web = server(mode)
            reader = lib.Browser(web.url)
            lib.eq(lib.login(reader, f"벤치 독자 {mode}").status, 302, "login")
            for i in range(20):
                text = f"벤치 메모 {i}: 오늘 할 일 — 장보기, 운동, 책 읽기 #할일"
                lib.eq(reader.post_json("/memo", {"text": text + (" #work/plan" if i % 2 else "")}).status, 200, "POST")
            writer = lib.Browser(web.url)
            lib.eq(lib.login(writer, f"벤치 작성자 {mode}").status, 302, "login")
            editor = lib.Browser(web.url)
            lib.eq(lib.login(editor, f"벤치 편집자 {mode}").status, 302, "login")
            paths = []
            for i in range(64):
                r = editor.post_json("/memo", {"text": f"고칠 메모 {i}"})
                paths.append(f"/memo/{r.json()['id']}")
            rc = "sessionId=" + reader.cookies["sessionId"]
            wc = "sessionId=" + writer.cookies["sessionId"]
            ec = "sessionId=" + editor.cookies["sessionId"]
            pweb = server(mode, cgi_dir=prev_bin) if prev_bin else None
            fcgi = [p for prog in ("memo", "tags", "trash") for p in web.fastcgi_pids(prog)]
            runs = {
                "get": (web, web.url + "memo", rc, None, fcgi),
                "tag": (web, web.url + "memo?tag=%ED%95%A0%EC%9D%BC", rc, None, fcgi),
                "post": (web, web.url + "memo", wc, '{"text":"벤치마크가 쓴 메모 한 줄"}', fcgi),
                "patch": (web, web.url + paths[0][1:], ec,
                          ('{"text":"벤치마크가 고친 메모 %d"}', "PATCH", paths), fcgi),
            }
            if pweb:
                runs["prev"] = (pweb, pweb.url + "memo", rc, None,
                                pweb.fastcgi_pids(os.path.join(prev_bin, "memo.cgi")))
            if mode == "fastcgi":
                bench.wrk(web.url + "memo", rc, seconds=2)
                if pweb:
                    bench.wrk(pweb.url + "memo", rc, seconds=2)
            ratios, cpu = bench.interleaved(db, runs, ROUNDS, SECONDS,
                                            say=lambda line: print(f"{mode} {line}", flush=True))
            for k, v in ratios.items():
                print(f"{mode} median {k}: {statistics.median(v):.2f}"
                      f"  (of {len(v)}: {min(v):.2f}-{max(v):.2f})")
            for n, m in cpu.items():
                print(f"{mode} CPU us/req {n:6}: lighttpd {m[0]:5.0f}  fcgi/cgi {m[1]:5.0f}"
                      f"  mariadb {m[2]:5.0f}  ({m[3]:.1f} statements)")
            for w in (web, pweb):
                if w:
                    w.stop()
                    started.remove(w)


if __name__ == "__main__" and not os.environ.get("ROUNDS_IMPORT"):
    main()
