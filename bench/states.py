#!/usr/bin/env python3
"""bench/states.py - the page's lists for one big account, by hand.

    python3 bench/states.py [MEMOS]          (default 100,000)

What `make bench` prints under part 3 (tools/bench.py state_lists), alone:
one user gets MEMOS memos (bench.fill_memos), a few pinned and a few in
the trash, on a private MariaDB (var/states/, stopped at the end); each
list the page asks for (the pinned memos, a counted page of the others,
the trash) runs memo.cgi by hand, as an operator would.  Printed: the mean
of 3 runs and the rows MariaDB read for one.  docs/performance.md quotes
it for schema/006."""
import os, sys, subprocess
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT + "/tools", ROOT + "/tests"]
import bench      # tools/bench.py (tools/ is first on the path)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    subprocess.run(["make", "-s", "-C", ROOT, "all", "build/bench/spawn"], check=True)
    with bench.backends("states") as (base, db, config, _):
        token = bench.session_for(db, "big", "많은 메모")
        bench.fill_memos(db, "big", n)
        empty, sink = os.path.join(base, "empty"), os.path.join(base, "out")
        open(empty, "wb").close()
        cgi_env = {"PATH": "/usr/bin:/bin", "GATEWAY_INTERFACE": "CGI/1.1",
                   "SERVER_PROTOCOL": "HTTP/1.1", "MEMO_CONFIG": config}
        bench.state_lists(bench.Table(), db, cgi_env, empty, sink, "big", token)


if __name__ == "__main__":
    main()
