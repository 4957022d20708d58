#!/usr/bin/env python3
"""run.py - every test of memo: `make test` runs this.

1. unit tests of common/ (build/tests/unit, in C);
2. CGI tests: each executable run by hand with CGI variables and a piped
   body, as an operator debugs one (tests/test_cgi.py);
3. end-to-end tests through lighttpd, against a private MariaDB and the
   Naver double, with checks on the database rows (tests/test_e2e.py),
   then again with the same executables as FastCGI processes
   (lighttpd-fastcgi.conf), named "[fastcgi] …", with what only FastCGI
   mode can get wrong (tests/test_fastcgi.py);
4. schema migrations and the upgrade of a seed database (test_migrate.py);
5. make install into a DESTDIR (test_install.py), then the end-to-end
   suite again through lighttpd and through Apache serving that install;
6. deploy/aws: the user data and AMI bake scripts (test_userdata.py);
7. scale-out: two installed nodes behind haproxy, one stopped while
   clients write (test_multinode.py).

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
import test_migrate  # noqa: E402,F401
import test_install  # noqa: E402,F401
import test_userdata  # noqa: E402,F401
import test_multinode  # noqa: E402,F401


class Env:
    """What the tests share: the servers and the settings the CGIs read."""


def suite(module):
    return [t for t in lib.TESTS if t.__module__ == module]


def e2e_against(env, label, web, web_prefix, results, only, more=()):
    """The end-to-end suite again, against another server (same database
    and Naver double): the tests read env.web and env.web_prefix.  `more`:
    other suites to run against it too."""
    # The suite expects the empty database it first ran on.
    env.db.client(database="memo", stdin="DELETE FROM memo; DELETE FROM sessions; "
                                          "DELETE FROM `user`;")
    other = Env()
    other.__dict__.update(env.__dict__)
    other.web, other.web_prefix = web, web_prefix
    for module in ("test_e2e", *more):
        lib.run_tests(suite(module), other, results, only, label=label)


class Cluster:
    """Two installed lighttpd nodes behind haproxy (test_multinode.py)."""

    def __init__(self, env):
        d = env.destdir
        self.env = env
        env.nodes = {}
        env.lb = None
        for name in ("a", "b"):
            env.nodes[name] = stack.Lighttpd(
                os.path.join(env.base, f"node-{name}"),
                os.path.join(d, "etc", "memo", "memo.env"),
                root=os.path.join(d, "usr", "local", "lib", "memo"),
                conf=os.path.join(d, "usr", "local", "share", "memo", "lighttpd.conf"))
        env.lb = stack.HAProxy(os.path.join(env.base, "haproxy"),
                               [(n, w.port) for n, w in env.nodes.items()])

    def stop(self):
        # The tests stop and restart nodes: stop whatever runs now.
        for s in [self.env.lb, *self.env.nodes.values()]:
            if s is not None:
                s.stop()


def install(env, started, results, only):
    """make install DESTDIR=…, then the end-to-end suite through lighttpd
    and through Apache, both serving that install with the documented
    commands, then the install's own tests."""
    env.destdir = os.path.join(env.base, "destdir")
    p = subprocess.run(["make", "--no-print-directory", "-C", ROOT, "install",
                        f"DESTDIR={env.destdir}"], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"make install failed: {p.stderr}")
    # The installed settings file, filled in as an operator would.
    config = os.path.join(env.destdir, "etc", "memo", "memo.env")
    stack.write_env(config, env.settings)
    os.chmod(config, 0o640)
    lib_root = os.path.join(env.destdir, "usr", "local", "lib", "memo")
    conf = os.path.join(env.destdir, "usr", "local", "share", "memo", "lighttpd.conf")
    webs = [stack.Lighttpd(os.path.join(env.base, f"lighttpd-installed{p or ''}"),
                           config, root=lib_root, conf=conf, prefix=p)
            for p in ("", "/memo")]
    started.extend(webs)
    print("== install (make install DESTDIR=…)")
    lib.run_tests(suite("test_install"), env, results, only)
    print("== end-to-end tests through lighttpd serving the install")
    e2e_against(env, "[installed] ", webs[0], webs[1], results, only)
    apache = stack.Apache(os.path.join(env.base, "apache"), env.destdir, config)
    started.append(apache)
    print("== end-to-end tests through Apache (prefork, mod_cgi) serving the install")
    e2e_against(env, "[apache] ", apache, apache.prefixed, results, only)


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
        env.web = stack.Lighttpd(os.path.join(base, "lighttpd"), env.config)
        started.append(env.web)
        env.web_prefix = stack.Lighttpd(os.path.join(base, "lighttpd-prefix"),
                                        env.config, prefix="/memo")
        started.append(env.web_prefix)

        print("== CGI tests: each executable by hand")
        lib.run_tests([t for t in lib.TESTS if t.__module__ == "test_cgi"],
                      env, results, only)
        print("== end-to-end tests through lighttpd")
        lib.run_tests([t for t in lib.TESTS if t.__module__ == "test_e2e"],
                      env, results, only)
        print("== end-to-end tests through lighttpd, FastCGI mode")
        fcgi = [stack.Lighttpd(os.path.join(base, f"lighttpd-fastcgi{p or ''}"),
                               env.config, prefix=p, mode="fastcgi") for p in ("", "/memo")]
        started.extend(fcgi)
        e2e_against(env, "[fastcgi] ", fcgi[0], fcgi[1], results, only,
                    more=("test_fastcgi",))
        for s in fcgi:        # their kept connections must not outlive the pass
            started.remove(s)
            s.stop()
        print("== schema migrations (tools/migrate, seed upgrade)")
        lib.run_tests(suite("test_migrate"), env, results, only)
        install(env, started, results, only)
        print("== deploy/aws: user data and AMI bake against a local RDS stand-in")
        lib.run_tests(suite("test_userdata"), env, results, only)
        print("== multi-node: two installed lighttpd nodes behind haproxy, one MariaDB")
        started.append(Cluster(env))
        lib.run_tests(suite("test_multinode"), env, results, only)
    except Exception as e:
        results.append((False, "test fixtures started"))
        print(f"FAIL - test fixtures: {e!r}")
        for name in ("mariadb/mysqld.err", "naver_dev.log", "lighttpd/error.log",
                     "lighttpd-fastcgi/error.log",
                     "apache/error.log", "apache/apache2.out"):
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
