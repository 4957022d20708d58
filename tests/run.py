#!/usr/bin/env python3
"""run.py - every test of memo: `make test` runs this.

1. unit tests of common/ (build/tests/unit, in C);
2. CGI tests: each executable run by hand with CGI variables and a piped
   body, as an operator debugs one (tests/test_cgi.py);
3. end-to-end tests through lighttpd, against a private MariaDB and the
   Naver double, with checks on the database rows (tests/test_e2e.py),
   once with the CGIs under mod_cgi and once with the same executables as
   FastCGI processes (lighttpd-fastcgi.conf), each named "[fastcgi] …"
   the second time; tests/test_fastcgi.py only in FastCGI mode.

Servers listen on loopback ports of their own and are stopped by pid at
the end, failed or not.  The last line is "N passed, N failed".
Usage: tests/run.py [substring-of-test-name]
"""
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [HERE, os.path.join(ROOT, "tools")]

import lib      # noqa: E402
import stack    # noqa: E402
import test_cgi  # noqa: E402,F401  (registers tests)
import test_e2e  # noqa: E402,F401
import test_fastcgi  # noqa: E402,F401


class Env:
    """What the tests share: the servers and the settings the CGIs read."""


def unit_tests(results, only):
    if only:
        return
    p = subprocess.run([os.path.join(ROOT, "build", "tests", "unit")],
                       capture_output=True, text=True)
    for line in p.stdout.splitlines():
        if line.startswith("ok - "):
            results.append((True, "unit: " + line[5:]))
            print("ok - unit: " + line[5:])
        elif line.startswith("not ok - "):
            results.append((False, "unit: " + line[9:]))
            print("FAIL - unit: " + line[9:])
    if p.returncode not in (0, 1) or not any(r[1].startswith("unit:") for r in results):
        results.append((False, "unit: the unit test binary ran"))
        print(f"FAIL - unit test binary exited {p.returncode}\n{p.stderr}")
    elif p.stderr:
        print(p.stderr, end="")


def main():
    only = sys.argv[1] if len(sys.argv) > 1 else None
    results = []
    t0 = time.monotonic()
    print("== unit tests of common/")
    unit_tests(results, only)

    base = os.path.join(ROOT, "var", "test")
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    env = Env()
    env.base = base
    started = []
    try:
        env.db = stack.MariaDB(os.path.join(base, "mariadb")).start()
        started.append(env.db)
        env.db.bootstrap()
        env.naver = stack.NaverDev(base, hang_seconds=10)
        started.append(env.naver)
        env.settings = {"DB_SOCKET": env.db.socket, "DB_USER": "memo",
                        "DB_PASSWORD": env.db.password, "DB_DATABASE": "memo",
                        "NAVER_TIMEOUT": "2", "NAVER_CONNECT_TIMEOUT": "1",
                        "DB_CONNECT_TIMEOUT": "2", "DB_READ_TIMEOUT": "2"}
        env.settings.update(env.naver.settings())
        env.config = os.path.join(base, "memo.env")
        stack.write_env(env.config, env.settings)
        print("== CGI tests: each executable by hand")
        lib.run_tests([t for t in lib.TESTS if t.__module__ == "test_cgi"],
                      env, results, only)
        for mode in ("cgi", "fastcgi"):
            # Each pass starts from empty tables, as the tests expect.
            env.db.query("DELETE FROM memo; DELETE FROM sessions; DELETE FROM `user`")
            web = stack.Lighttpd(os.path.join(base, f"lighttpd-{mode}"),
                                 env.config, mode=mode)
            started.append(web)
            web_prefix = stack.Lighttpd(os.path.join(base, f"lighttpd-{mode}-prefix"),
                                        env.config, prefix="/memo", mode=mode)
            started.append(web_prefix)
            env.web, env.web_prefix, env.mode = web, web_prefix, mode
            label = "" if mode == "cgi" else "[fastcgi] "
            print(f"== end-to-end tests through lighttpd, {mode} mode")
            mods = ("test_e2e",) if mode == "cgi" else ("test_e2e", "test_fastcgi")
            lib.run_tests([t for t in lib.TESTS if t.__module__ in mods],
                          env, results, only, label)
            for s in (web_prefix, web):
                started.remove(s)
                s.stop()
    except Exception as e:
        results.append((False, "test fixtures started"))
        print(f"FAIL - test fixtures: {e!r}")
        for name in ("mariadb/mysqld.err", "naver_dev.log", "lighttpd-cgi/error.log",
                     "lighttpd-fastcgi/error.log"):
            p = os.path.join(base, name)
            if os.path.exists(p):
                print(f"--- {p}:\n" + open(p, errors="replace").read()[-3000:])
    finally:
        for s in reversed(started):
            try:
                s.stop()
            except Exception as e:  # keep stopping the others
                print(f"stopping {s}: {e!r}")
    passed = sum(1 for ok, _ in results if ok)
    failed = len(results) - passed
    print(f"\n(took {time.monotonic() - t0:.0f}s; logs under {base})")
    for ok, name in results:
        if not ok:
            print(f"failed: {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
