#!/usr/bin/env python3
"""run.py - every test of memo: `make test` runs this.

1. unit tests of common/ (build/tests/unit, in C), and again built with
   ASan+UBSan (build-asan/tests/unit);
2. static analysis: `make lint` (cppcheck, clang-tidy) as one test;
3. the fuzzers: corpora and regressions replayed, then each target fuzzed
   for FUZZ_TEST_S seconds (default 5; `make fuzz` runs a minute each),
   printing executions and coverage (tests/fuzz/);
4. Naver over HTTPS: the double with a certificate of a test CA
   (NAVER_CA_FILE), another CA's and another host's refused with 502; an
   http:// endpoint that is not loopback refused before any connection;
   libcurl started once per process (tests/test_naver_client.py);
   CGI tests: each executable run by hand with CGI variables and a piped
   body, as an operator debugs one: the bats files tests/bats/*.bats
   (tests/bats_suite.py runs them, one result per bats test), and
   tests/test_account_cgi.py (export.cgi's memory at 100,000 memos);
   failures only the fault-injection build can make (build-fault/,
   tests/test_injected.py), by hand, then through FastCGI processes, each
   request naming its fault (X-Memo-Fault), "[fastcgi, 1 process] …"; the
   CGIs' login with MySQL 8.4's caching_sha2_password against a stand-in
   of its server side, and with MariaDB's ed25519 (tests/test_mysql_auth.py);
5. end-to-end tests through lighttpd, against a private MariaDB and the
   Naver double, with checks on the database rows (tests/test_e2e.py), the
   memo API: edits, revisions, ETags, trash, tags, search
   (tests/test_api.py), authorization and session attacks
   (tests/test_attack.py), the person's data: account, devices, export,
   import, withdrawal (tests/test_account.py); then the end-to-end and API
   tests again with the same executables as FastCGI processes
   (lighttpd-fastcgi.conf, as shipped: several processes per busy route),
   named "[fastcgi] …", and with one process per route what only FastCGI
   mode can get wrong (tests/test_fastcgi.py, "[fastcgi, 1 process] …");
6. fault injection: MariaDB stopped, killed and frozen, Naver hanging or
   failing, truncated bodies (tests/test_fault.py); then the outages again
   in FastCGI mode, "[fastcgi] …" (test_fault.FASTCGI);
7. no lost writes under load (tests/test_load.py);
8. a real browser: headless Chromium, the smoke test (tests/test_browser.py)
   and every action of the page (tests/test_page.py, its 계정 view:
   tests/test_account_page.py), in CGI and FastCGI mode (those marked
   lib.page_logic, about the page's own code, once);
9. with the CGIs built with ASan+UBSan (build-asan/), failing on any
   sanitizer report: 4's CGI tests by hand, and the attacks, imports and
   exports of 5 through lighttpd's CGIs, then every suite of 5 through
   ASan+UBSan FastCGI processes (an ASan CGI spends ~60 ms starting, a
   FastCGI process once); 4 once more under valgrind memcheck
   (the bats tests tagged valgrind) and the API tests with FastCGI
   processes under memcheck; each FastCGI process ended as at the end of
   its loop so the leak checks run (tests/sanitizers.py);
10. schema migrations and the upgrade of a seed database (test_migrate.py),
    then the previous version (tools/previous.py builds it from git) serving
    the migrated database beside this one, as in a rolling deploy
    (test_rolling.py), and memo-maint: trash expiry, session sweep,
    indexing, concurrent runs (test_maint.py);
11. make install into a DESTDIR (test_install.py), then the end-to-end
    suite again through lighttpd (CGI and FastCGI mode) and through Apache
    (with test_account.py: its routes and 64 MiB imports) serving that
    install;
12. deploy/aws: the CloudFormation template linted and deployed into
    moto_server, the README's deploy, roll-out and roll-back commands run
    against it (test_aws.py); the AMI bake and the instance boot from the
    template's user data (test_userdata.py);
13. scale-out: two installed nodes behind haproxy, one stopped while
    clients write (test_multinode.py);
14. last, every log of the whole run searched for the secrets it used.

Two lanes run at once, as most phases keep one of two cores busy (they
wait on servers and process starts): 8, 9's ASan+UBSan passes and
memcheck over the CGIs by hand, and 12's AMI bake run in a child, `run.py --lane b`, on servers of its own
(var/test/lane-b/: a MariaDB, a Naver double, lighttpds) and ports of its
own (MEMO_TEST_PORTS); the rest runs here, then waits for the child,
prints its output (also in var/test/lane-b.txt), takes its results and
the secrets it used, and searches both lanes' logs (14).

Servers listen on loopback ports of their own and are stopped by pid at
the end, failed or not, and also when the run is stopped: SIGTERM and
SIGHUP (a CI timeout, a closed terminal) stop it as Ctrl-C does.  A test whose tool is missing on this machine is
skipped (it says why and how to get it), never counted as passed.  The
last line is "N passed, N failed, N skipped".
Usage: tests/run.py [substring-of-test-name]
"""
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [HERE, os.path.join(ROOT, "tools")]

import chromium  # noqa: E402
import lib      # noqa: E402
import stack    # noqa: E402
import bats_suite  # noqa: E402
import test_stack  # noqa: E402,F401  (registers tests)
import test_tls  # noqa: E402,F401
import test_injected  # noqa: E402
import test_readme  # noqa: E402,F401
import test_naver_client  # noqa: E402
import test_mysql_auth  # noqa: E402,F401
import test_e2e  # noqa: E402,F401
import test_account  # noqa: E402,F401
import test_account_cgi  # noqa: E402,F401
import test_api  # noqa: E402,F401
import test_fastcgi  # noqa: E402,F401
import test_migrate  # noqa: E402,F401
import test_rolling  # noqa: E402,F401
import test_maint  # noqa: E402,F401
import test_install  # noqa: E402,F401
import test_userdata  # noqa: E402,F401
import test_aws  # noqa: E402,F401
import test_multinode  # noqa: E402,F401
import test_attack  # noqa: E402,F401
import test_fault  # noqa: E402
import test_load  # noqa: E402,F401
import test_browser  # noqa: E402,F401
import test_page  # noqa: E402,F401
import test_account_page  # noqa: E402,F401
import test_logs  # noqa: E402,F401
import sanitizers  # noqa: E402

def _load(name, path):
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


fuzz = _load("fuzz_run", os.path.join(HERE, "fuzz", "run.py"))

FUZZ_TARGETS = ["cookie", "query", "front", "memobody", "dotenv", "naver_token", "tags",
                "naver_profile", "body", "import"]


class Env:
    """What the tests share: the servers and the settings the CGIs read."""




# The suites that run again against every other server: the end-to-end
# tests and the memo API's (test_api.py).
E2E_SUITES = ("test_e2e", "test_api")
# test_account's tests run under ASan through CGIs too (lane_b_tests).
ASAN_CGI_ACCOUNT = ("export_batches_with_revisions", "export_import_round_trip",
                    "import_in_batches", "import_malformed", "import_size_limit")


def e2e_against(env, label, web, web_prefix, results, only, suites=E2E_SUITES,
                again=lambda t: True, config=None):
    """The end-to-end suite (or other suites) again, against another server
    (same database and Naver double): the tests read env.web and
    env.web_prefix, and env.config, the settings file that server reads
    (config, if not the usual one).  again(test) says whether a test runs
    again."""
    # The suite expects the empty database it first ran on.
    env.db.client(database="memo", stdin="DELETE FROM memo; DELETE FROM sessions; "
                                          "DELETE FROM `user`;")
    other = Env()
    other.__dict__.update(env.__dict__)
    other.web, other.web_prefix = web, web_prefix
    other.config = config or env.config
    for module in suites:
        lib.run_tests([t for t in modules(module) if again(t)], other, results, only,
                      label=label)


def fastcgi_pass(env, started, results, only, tests, name, label, set_up=None, **web_kw):
    """tests again through a FastCGI lighttpd (state folder `name`, the
    other settings web_kw), named label + their name; set_up(other, web)
    readies their env.  Stopped at the end: its processes and their kept
    connections must not outlive the pass."""
    web = stack.Lighttpd(os.path.join(env.base, name), env.config, mode="fastcgi", **web_kw)
    started.append(web)
    other = Env()
    other.__dict__.update(env.__dict__)
    other.web = web
    if set_up is not None:
        set_up(other, web)
    try:
        lib.run_tests(tests, other, results, only, label=label)
    finally:
        started.remove(web)
        web.stop()


def fastcgi_faults(env, started, results, only):
    """test_fault.FASTCGI again through a FastCGI lighttpd as shipped
    (MEMO_FCGI_PROCS processes for the busy routes), named "[fastcgi] …":
    there a process and its database connection outlive each request."""
    fastcgi_pass(env, started, results, only, test_fault.FASTCGI,
                 "lighttpd-fault-fastcgi", "[fastcgi] ")


def fastcgi_injected(env, started, results, only):
    """test_injected again through a lighttpd serving build-fault/cgi-bin
    as FastCGI processes, one per route (so the process a fault failed is
    the one that serves the next request), each request naming its fault
    in an X-Memo-Fault header: "[fastcgi, 1 process] …"."""
    def set_up(other, web):
        other.fastcgi = test_injected.ThroughFastCGI(web)
    fastcgi_pass(env, started, results, only, modules("test_injected"),
                 "lighttpd-injected-fastcgi", "[fastcgi, 1 process] ", set_up,
                 cgi_dir=test_injected.FAULT_DIR, extra_env={"MEMO_FCGI_PROCS": "1"})


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

    def serve(conf_name, tag):
        """The install served by lighttpd with one of its configurations,
        at / and at /memo/ (what the end-to-end suite expects)."""
        conf = os.path.join(env.destdir, "usr", "local", "share", "memo", conf_name)
        root = os.path.join(env.destdir, "usr", "local", "lib", "memo")
        pair = [stack.Lighttpd(os.path.join(env.base, f"lighttpd-{tag}{p or ''}"),
                               config, root=root, conf=conf, prefix=p)
                for p in ("", "/memo")]
        started.extend(pair)
        return pair

    webs = serve("lighttpd.conf", "installed")
    lib.phase("install (make install DESTDIR=…)")
    lib.run_tests(modules("test_install"), env, results, only)
    lib.phase("end-to-end tests through lighttpd serving the install")
    e2e_against(env, "[installed] ", webs[0], webs[1], results, only, config=config)
    for w in webs:          # their pass is done; FastCGI mode of the install next
        started.remove(w)
        w.stop()
    fwebs = serve("lighttpd-fastcgi.conf", "installed-fastcgi")
    lib.phase("end-to-end tests through lighttpd serving the install, FastCGI mode")
    e2e_against(env, "[installed, fastcgi] ", fwebs[0], fwebs[1], results, only,
                config=config)
    for w in fwebs:         # kept connections must not outlive the pass
        started.remove(w)
        w.stop()
    apache = stack.Apache(os.path.join(env.base, "apache"), env.destdir, config)
    started.append(apache)
    lib.phase("end-to-end tests through Apache (prefork, mod_cgi) serving the install")
    e2e_against(env, "[apache] ", apache, apache.prefixed, results, only,
                suites=E2E_SUITES + ("test_account",), config=config,
                again=lambda t: not getattr(t, "lighttpd_only", False))


def unit_tests(results, only):
    """build/tests/unit, then the same tests built with ASan+UBSan (make
    asan), where a read past a buffer stops the binary.  A run counts only
    if it ends with its own "unit: N passed, M failed" line, agreeing with
    the lines before it and with its exit status: a sanitizer that stops the
    binary exits 1 as failed checks do (UBSan does unless abort_on_error is
    set, as tests/sanitizer_options.c sets it for the CGIs), and the tests
    it never reached print nothing."""
    if only:
        return
    asan = dict(os.environ, ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:"
                "strict_string_checks=1",
                UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1")
    for build, label, env in (("build", "unit", None), ("build-asan", "unit, ASan+UBSan", asan)):
        binary = os.path.join(ROOT, build, "tests", "unit")
        if not os.path.exists(binary):
            results.append((False, f"{label}: {binary} built"))
            print(f"FAIL - {label}: {binary} is missing (make {'asan' if env else 'all'})")
            continue
        p = subprocess.run([binary], capture_output=True, text=True, env=env)
        ran = failed = 0
        for line in p.stdout.splitlines():
            if line.startswith("ok - "):
                results.append((True, f"{label}: " + line[5:]))
                print(f"ok - {label}: " + line[5:])
                ran += 1
            elif line.startswith("not ok - "):
                results.append((False, f"{label}: " + line[9:]))
                print(f"FAIL - {label}: " + line[9:])
                ran += 1
                failed += 1
        lines = p.stdout.splitlines()
        end = re.fullmatch(r"unit: (\d+) passed, (\d+) failed", lines[-1] if lines else "")
        whole = (end is not None and ran > 0 and
                 (int(end.group(1)), int(end.group(2))) == (ran - failed, failed) and
                 p.returncode == (1 if failed else 0))
        if not whole:
            results.append((False, f"{label}: the unit test binary ran to its end"))
            print(f"FAIL - {label}: the binary exited {p.returncode} after {ran} tests,"
                  f" without its summary agreeing\n{p.stderr[-3000:]}")
        elif p.stderr and env is None:
            print(p.stderr, end="")


def lint(results, only):
    if only:
        return
    t0 = time.monotonic()
    p = subprocess.run(["make", "-s", "--no-print-directory", "lint"], cwd=ROOT,
                       capture_output=True, text=True)
    last = (p.stdout.strip().splitlines() or [""])[-1]
    lib.record(results, p.returncode == 0,
               f"make {last} ({time.monotonic() - t0:.1f}s)",
               p.stdout + p.stderr)


def fuzz_replay(results, only):
    if only:
        return
    for t in FUZZ_TARGETS:
        ok, n, tail = fuzz.replay(t)
        lib.record(results, ok, f"fuzz replay: {t} ({n} seed and regression inputs)", tail)
    seconds = int(os.environ.get("FUZZ_TEST_S", "5"))
    # Two at a time, one a core: the same seconds each, half the wait.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda t: fuzz.fuzz(t, seconds), FUZZ_TARGETS))
    for t, r in zip(FUZZ_TARGETS, runs):
        ok = r["rc"] == 0 and not r["crashes"] and r["execs"] > 0
        lib.record(results, ok, f"fuzz {t} for {seconds}s: {r['execs']} executions, "
                   f"cov {r['cov']}, ft {r['ft']}, crashes {len(r['crashes'])}",
                   r["log"] + f"\ncrash inputs: var/fuzz/crashes/{t}/ {r['crashes']}")


def modules(*names):
    return [t for t in lib.TESTS if t.__module__ in names]


def interrupted(signum, frame):
    """Stop the run as Ctrl-C does: the servers started so far are stopped
    by their pids on the way out.  Without this, SIGTERM would end Python
    at once and leave them running (each has a session of its own)."""
    raise KeyboardInterrupt(signal.Signals(signum).name)


# The second lane: its own servers under var/test/lane-b/, its output in
# var/test/lane-b.txt, what it found in lane-b/results.json.
LANE_B = "lane-b"
LANE_B_TIMEOUT = 2400       # seconds: a lane that hangs fails the run
# Each lane's servers take ports from a range of their own (stack.free_port):
# two processes choosing "free" ports at once could otherwise choose one.
LANE_PORTS = {"a": "10000-20999", "b": "21000-32767"}


def set_up(base, started):
    """The servers the tests of a lane share, under base: a MariaDB, the
    Naver double, lighttpd at / and under /memo; each added to started as
    it starts, so that it is stopped whatever happens next."""
    env = Env()
    env.base = base
    env.started = started
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
    env.webs = [env.web, env.web_prefix]
    return env


def lane_a(env, started, results, only, lane_b):
    """Everything but what lane_b runs; at the end, after waiting for the
    other lane, the logs of both searched for secrets."""
    lib.phase("the harness: ports and servers are the test's own")
    lib.run_tests(modules("test_stack"), env, results, only)
    lib.phase("TLS to the database (DB_SSL_CA), by hand and in FastCGI mode")
    lib.run_tests(modules("test_tls"), env, results, only)
    lib.phase("Naver over HTTPS (NAVER_CA_FILE), refused http:// endpoints, libcurl once"
              " per process: CGI and FastCGI mode")
    lib.run_tests(modules("test_naver_client"), env, results, only)
    test_naver_client.stop(env)
    lib.phase("CGI tests: each executable by hand (tests/bats/*.bats)")
    bats_suite.run(env, results, only)
    lib.run_tests(modules("test_account_cgi"), env, results, only)
    lib.phase("failures injected where no outside event can make them (build-fault/)")
    lib.run_tests(modules("test_injected"), env, results, only)
    lib.phase("the same failures injected, FastCGI mode: the request names its fault "
              "(X-Memo-Fault), the process serves the next")
    fastcgi_injected(env, started, results, only)
    lib.phase("the CGIs' login to MySQL 8.4 (caching_sha2_password) and other auth plugins")
    lib.run_tests(modules("test_mysql_auth"), env, results, only)
    lib.phase("end-to-end tests through lighttpd")
    lib.run_tests(modules("test_e2e", "test_attack", "test_account", "test_api"), env,
                  results, only)
    lib.phase("end-to-end tests through lighttpd, FastCGI mode")
    # As shipped (fastcgi.conf: MEMO_FCGI_PROCS processes per busy
    # route), then with one process per route for test_fastcgi, which
    # watches a single process serve request after request.
    for label, procs, suites in (("[fastcgi] ", None,
                                  E2E_SUITES + ("test_account", "test_attack")),
                                 ("[fastcgi, 1 process] ", "1", ("test_fastcgi",))):
        extra = {"MEMO_FCGI_PROCS": procs} if procs else None
        fcgi = [stack.Lighttpd(os.path.join(env.base, f"lighttpd-fastcgi{procs or ''}{p or ''}"),
                               env.config, prefix=p, mode="fastcgi", extra_env=extra)
                for p in ("", "/memo")]
        started.extend(fcgi)
        e2e_against(env, label, fcgi[0], fcgi[1], results, only, suites=suites)
        for s in fcgi:    # their kept connections must not outlive the pass
            started.remove(s)
            s.stop()
    lib.phase("fault injection")
    lib.run_tests(modules("test_fault"), env, results, only)
    lib.phase("fault injection, FastCGI mode: MariaDB stopped, killed, frozen; Naver "
              "failing and hanging")
    fastcgi_faults(env, started, results, only)
    lib.phase("no lost writes under load")
    lib.run_tests(modules("test_load"), env, results, only)
    sanitizers.valgrind_fastcgi_pass(env, results, only, modules("test_api"))
    lib.phase("schema migrations (tools/migrate, seed upgrade)")
    lib.run_tests(modules("test_migrate"), env, results, only)
    lib.phase("rolling deploy: the previous version (built from git) on the migrated schema")
    lib.run_tests(modules("test_rolling"), env, results, only)
    lib.phase("maintenance: memo-maint (trash expiry, session sweep, indexing)")
    lib.run_tests(modules("test_maint"), env, results, only)
    install(env, started, results, only)
    lib.phase("deploy/aws: the CloudFormation template (cfn-lint, moto_server)")
    lib.run_tests(modules("test_aws"), env, results, only)
    lib.phase("multi-node: two installed lighttpd nodes behind haproxy, one MariaDB")
    started.append(Cluster(env))
    lib.run_tests(modules("test_multinode"), env, results, only)
    lib.phase("README.md's examples, run as written against make run's service")
    lib.run_tests(modules("test_readme"), env, results, only)
    lib.phase("waiting for the other lane (var/test/lane-b.txt)")
    lane_b.finish(results)
    lib.phase("the logs of the whole run (both lanes)")
    lib.run_tests(modules("test_logs"), env, results, only)


def lane_b_tests(env, started, results, only):
    """The second lane (run.py --lane b, started by the first): the page in
    a real browser, the ASan+UBSan passes, memcheck over the CGIs by hand
    and the AMI bake, beside the first lane's tests, which leave one of
    the machine's two cores idle most of the time (they wait on servers
    and process starts).  What runs in which lane is chosen for the two
    to end together (2026-12-04, with both memcheck passes here: this
    lane 760 s, the other 720 s and waiting 51 s; memcheck in FastCGI
    mode, 26 s, went back to it)."""
    lib.phase("a real browser: the page in headless Chromium, CGI then FastCGI mode")
    lib.run_tests(modules("test_browser", "test_page", "test_account_page"), env, results,
                  only)
    fcgi = [stack.Lighttpd(os.path.join(env.base, f"lighttpd-browser-fastcgi{p or ''}"),
                           env.config, prefix=p, mode="fastcgi") for p in ("", "/memo")]
    started.extend(fcgi)
    # What the page does on its own (lib.page_logic) runs once: the
    # server's mode does not change it.
    e2e_against(env, "[fastcgi] ", fcgi[0], fcgi[1], results, only,
                suites=("test_browser", "test_page", "test_account_page"),
                again=lambda t: not getattr(t, "page_logic", False))
    for s in fcgi:
        started.remove(s)
        s.stop()
    chromium.IDLE.stop()        # its memory back for the passes that follow
    # Under ASan through CGIs: the by-hand tests (every endpoint in CGI
    # mode, small bodies read from a file), the attacks, and the imports
    # and exports (bodies of megabytes through lighttpd's pipe, read in
    # parts: code only CGI mode runs); every end-to-end suite through
    # FastCGI processes.  An ASan CGI spends ~60 ms starting, per request:
    # all of them through CGIs took 290 s of this lane's 1,200.
    sanitizers.asan_pass(env, results, only,
                         lambda label: bats_suite.run(env, results, only, label),
                         modules("test_attack") + [t for t in modules("test_account")
                                                   if t.__name__ in ASAN_CGI_ACCOUNT])
    sanitizers.asan_fastcgi_pass(env, results, only,
                                 modules(*E2E_SUITES, "test_account", "test_attack"))
    sanitizers.valgrind_pass(env, results, only, lambda label: bats_suite.run(
        env, results, only, label, tag="valgrind"))
    lib.phase("deploy/aws: the AMI bake and the instance boot against a local RDS stand-in")
    lib.run_tests(modules("test_userdata"), env, results, only)


class LaneB:
    """The second lane as a child process: `run.py --lane b` with its own
    servers under base/lane-b and its own ports, its output kept in
    base/lane-b.txt and printed when it is done, its results, secrets and
    CGI stderr handed over in lane-b/results.json (not a log: the secrets
    are what test_logs looks for in the logs)."""

    def __init__(self, base, only):
        self.dir = os.path.join(base, LANE_B)
        self.out_path = os.path.join(base, LANE_B + ".txt")
        # A server of stack's kind: a session of its own, stopped by its
        # pid (SIGTERM, on which it stops its own servers, then SIGKILL).
        self.proc = stack.Server(
            "lane b", [sys.executable, os.path.abspath(__file__), "--lane", "b"] +
            ([only] if only else []), self.out_path,
            env=dict(os.environ, MEMO_TEST_PORTS=LANE_PORTS["b"]))

    def finish(self, results):
        """Wait for the lane, print its output, take its results."""
        try:
            rc = self.proc.proc.wait(LANE_B_TIMEOUT)
        except subprocess.TimeoutExpired:
            rc = None
        self.stop()
        print(f"-- the other lane (run.py --lane b), its output ({self.out_path}):")
        with open(self.out_path, errors="replace") as f:
            print(f.read(), end="", flush=True)
        print("-- the other lane's output ends here")
        try:
            with open(os.path.join(self.dir, "results.json")) as f:
                got = json.load(f)
            os.unlink(os.path.join(self.dir, "results.json"))
        except (OSError, ValueError) as e:
            got = None
            print(f"FAIL - the other lane's results: {e!r}")
        if got is None or rc is None:
            results.append((False, f"the other lane finished (exit {rc}), its results read"))
            return
        results.extend((ok, name) for ok, name in got["results"])
        for kind, values in got["secrets"].items():
            lib.SECRETS.setdefault(kind, set()).update(values)
        lib.CGI_STDERR.extend((cgi, err) for cgi, err in got["cgi_stderr"])

    def stop(self):
        """Stopped as a run is (its handler stops its servers), if it runs."""
        self.proc.stop(grace=60)


def lane_b_main(only):
    """run.py --lane b: lane_b_tests on servers of its own; the results
    go to results.json for the first lane (LaneB.finish)."""
    base = os.path.join(ROOT, "var", "test", LANE_B)
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    results, started = [], []
    t0 = time.monotonic()
    # The browsers lent from test to test are quit with the servers.
    started.append(chromium.IDLE)
    try:
        env = set_up(base, started)
        lib.SECRETS["db password"] = {env.db.password}
        lib.SECRETS["client secret"] = {env.naver.client_secret}
        lane_b_tests(env, started, results, only)
    except Exception as e:
        results.append((False, "lane b: test fixtures started"))
        print(f"FAIL - lane b: test fixtures: {e!r}")
        print_fixture_logs(base)
    finally:
        stop_all(started)
    end = time.monotonic()
    print(lib.phase_times(end))
    print(f"\n(lane b took {end - t0:.0f}s; logs under {base})", flush=True)
    with open(os.path.join(base, "results.json"), "w") as f:
        json.dump({"results": results,
                   "secrets": {k: sorted(v) for k, v in lib.SECRETS.items()},
                   "cgi_stderr": lib.CGI_STDERR}, f)
    return 0


def print_fixture_logs(base):
    for name in ("mariadb/mysqld.err", "naver_dev.log", "lighttpd/error.log",
                 "lighttpd-fastcgi/error.log",
                 "apache/error.log", "apache/apache2.out"):
        p = os.path.join(base, name)
        if os.path.exists(p):
            print(f"--- {p}:\n" + open(p, errors="replace").read()[-3000:])


def stop_all(started):
    for s in reversed(started):
        try:
            s.stop()
        except Exception as e:  # keep stopping the others
            print(f"stopping {s}: {e!r}")


def main():
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    args = sys.argv[1:]
    if args[:2] == ["--lane", "b"]:
        return lane_b_main(args[2] if len(args) > 2 else None)
    only = args[0] if args else None
    os.environ["MEMO_TEST_PORTS"] = LANE_PORTS["a"]
    results = []
    t0 = time.monotonic()
    base = os.path.join(ROOT, "var", "test")
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    # The other lane starts first: it runs beside everything here.
    lane_b = LaneB(base, only)
    started = []
    try:
        lib.phase("unit tests of common/")
        unit_tests(results, only)
        lib.phase("static analysis")
        lint(results, only)
        lib.phase("fuzz corpora and regressions replayed")
        fuzz_replay(results, only)
        env = set_up(base, started)
        lane_a(env, started, results, only, lane_b)
    except Exception as e:
        results.append((False, "test fixtures started"))
        print(f"FAIL - test fixtures: {e!r}")
        print_fixture_logs(base)
    finally:
        lane_b.stop()
        stop_all(started)
    passed = sum(1 for ok, _ in results if ok is True)
    failed = sum(1 for ok, _ in results if ok is False)
    skipped = len(results) - passed - failed
    end = time.monotonic()
    print(lib.phase_times(end))
    print(f"\n(took {end - t0:.0f}s; logs under {base})")
    for ok, name in results:
        if ok is None:
            print(f"skipped: {name}")
    for ok, name in results:
        if ok is False:
            print(f"failed: {name}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as e:
        print(f"\ninterrupted ({e or 'SIGINT'}); the servers the run started are stopped",
              file=sys.stderr)
        sys.exit(130)
