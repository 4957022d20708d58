"""sanitizers.py - the memory-safety passes of tests/run.py.

asan_pass: the CGI-by-hand tests (tests/bats) and the given end-to-end tests again,
with the CGIs built with AddressSanitizer, LeakSanitizer and UBSan (make
asan: build-asan/cgi-bin, options compiled in by tests/sanitizer_options.c),
served by a second pair of lighttpd servers (MEMO_CGI_DIR).  Any sanitizer report aborts the CGI, and
on top of that a test fails if a report appears in the stderr of a CGI run
by hand or in lighttpd's captured CGI stderr (lighttpd.out).

valgrind_pass: the CGI-by-hand tests tagged valgrind once more with every
CGI under valgrind memcheck (the real build): zero errors, nothing
definitely or indirectly lost; the summed figures are printed.

by_hand(label) runs the CGI-by-hand tests against lib.CGI_DIR with
lib.CGI_WRAPPER, adding each CGI's stderr to lib.CGI_STDERR.
"""
import glob
import os
import re
import shutil
import signal
import time

import lib
import stack

MARKERS = re.compile(r"(ERROR: (Address|Leak|Memory|Thread)Sanitizer|"
                     r"runtime error:|SUMMARY: (Address|Undefined|Leak)"
                     r"(Behavior)?Sanitizer)")


def reset_db(env):
    """Empty the tables so tests that count rows start as on a fresh run."""
    env.db.client(database="memo", stdin=(
        "SET FOREIGN_KEY_CHECKS=0; DELETE FROM memo_search; DELETE FROM memo_tag; "
        "DELETE FROM memo_revision; DELETE FROM memo; DELETE FROM sessions; "
        "DELETE FROM `user`; SET FOREIGN_KEY_CHECKS=1;"))


def sanitizer_reports(texts):
    return [(where, m.group(0)) for where, t in texts for m in MARKERS.finditer(t)]


def ran_tests(results, n0):
    """How many results since n0 really ran (skips do not count)."""
    return sum(1 for ok, _ in results[n0:] if ok is not None)


# What auth.cgi writes to stderr when it refuses a forged state (the
# probe request fastcgi_run also makes): proof that what the CGIs write
# lands where the pass looks for reports.
PROBE = "auth.cgi: login refused: state missing"


def asan_pass(env, results, only, by_hand, e2e_tests):
    """The CGI-by-hand tests and e2e_tests with the ASan+UBSan build (by
    hand and behind a pair of lighttpd).  Fails on any sanitizer report in
    the CGIs' stderr, and also if nothing was searched: by-hand tests ran
    but no CGI run's stderr came back, or a probe line (PROBE) the servers'
    CGIs were made to write is not in their lighttpd.out."""
    cgi_dir = os.path.join(lib.ROOT, "build-asan", "cgi-bin")
    lib.phase("sanitizers: CGI tests by hand and the attacks with ASan+UBSan CGIs "
              f"({os.path.relpath(cgi_dir, lib.ROOT)})")
    saved = (env.web, env.web_prefix, lib.CGI_DIR)
    first = len(lib.CGI_STDERR)
    webs = []
    try:
        env.web = stack.Lighttpd(os.path.join(env.base, "lighttpd-asan"),
                                 env.config, cgi_dir=cgi_dir)
        webs.append(env.web)
        env.web_prefix = stack.Lighttpd(os.path.join(env.base, "lighttpd-asan-prefix"),
                                        env.config, prefix="/memo", cgi_dir=cgi_dir)
        webs.append(env.web_prefix)
        env.webs += webs
        lib.CGI_DIR = cgi_dir
        for w in webs:      # the servers really run the sanitizer build
            conf = w.resolved_config()
            lib.check(f'"{cgi_dir}/memo.cgi"' in conf, f"lighttpd aliases: {conf[-800:]}")
        for cgi in ("index", "login", "auth", "memo", "logout", "health", "trash", "tags"):
            with open(os.path.join(cgi_dir, cgi + ".cgi"), "rb") as f:
                lib.check(b"__asan_default_options" in f.read(),
                          f"{cgi}.cgi is built with ASan and the test options")
        reset_db(env)
        for w in webs:
            lib.http_get(w.url + "auth?code=probe&state=" + "P" * 43, timeout=60)
        n0 = len(results)
        by_hand("asan: ")
        hand_ran = ran_tests(results, n0)
        lib.run_tests(e2e_tests, env, results, only, label="asan: ")
        ran = ran_tests(results, n0)
    finally:
        env.web, env.web_prefix, lib.CGI_DIR = saved
        for w in webs:
            w.stop()
    if only and not ran:
        return
    texts = [(f"{cgi}.cgi by hand", err) for cgi, err in lib.CGI_STDERR[first:]]
    for w in webs:
        p = os.path.join(w.state, "lighttpd.out")
        texts.append((p, open(p, errors="replace").read() if os.path.exists(p) else ""))
    reports = sanitizer_reports(texts)
    runs = len(texts) - len(webs)
    unprobed = [where for where, t in texts[runs:] if PROBE not in t]
    name = (f"asan: no sanitizer report in {runs} CGI runs by hand "
            f"and lighttpd's CGI stderr ({ran} tests ran)")
    ok = not reports and ran > 0 and (runs > 0 or hand_ran == 0) and not unprobed
    if ok and not only and hand_ran == 0:
        # A whole run whose by-hand half was skipped (no bats): not a pass.
        results.append((None, name))
        print(f"SKIP - {name}: no CGI test by hand ran (bats missing: make deps)", flush=True)
    else:
        lib.record(results, ok, name)
    if hand_ran and not runs:
        print(f"    {hand_ran} CGI-by-hand tests ran, but no CGI run's stderr came back")
    for where in unprobed:
        print(f"    the probe's line is not in {where}: the CGIs' stderr is not searched")
    for where, what in reports[:20]:
        print(f"    {where}: {what}")


def fastcgi_children(web):
    """Pids of web's FastCGI processes: every child of that lighttpd (in
    FastCGI mode it starts nothing else).  By parent, not by executable:
    under valgrind the executable is valgrind's."""
    pids = []
    for d in os.listdir("/proc"):
        try:
            with open(f"/proc/{d}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == web.server.proc.pid:
                    pids.append(int(d))
        except (OSError, IndexError, ValueError):
            continue    # not a process, or exited while we looked
    return pids


def catches_usr1(pid, timeout=30.0):
    """Wait until pid has a handler for SIGUSR1 (libfcgi installs it as the
    process starts its loop): sent before, the signal's default action
    kills the process, which then reads as a crash ("child signalled: 10").
    A process lighttpd started just before the tests ended (a short,
    filtered run; ASan's start-up) may not be there yet."""
    bit = 1 << (signal.SIGUSR1 - 1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/status") as f:
                caught = next(int(line.split()[1], 16) for line in f
                              if line.startswith("SigCgt:"))
        except (OSError, StopIteration, ValueError):
            return      # gone: nothing to wait for
        if caught & bit:
            return
        time.sleep(0.05)


def end_fastcgi_processes(webs, timeout=60.0):
    """Ask every FastCGI process of webs to end as its program does at the
    end of its accept loop: SIGUSR1 makes libfcgi's FCGX_Accept_r fail, so
    app_main returns and the process exits normally, running the checks a
    process makes at exit (LeakSanitizer's, valgrind's leak check); a kill
    by SIGTERM, what lighttpd sends when it stops, would skip them.  Returns
    (the pids asked, [(how, status, socket)] of the exits lighttpd logged,
    pids that did not end).  lighttpd may start new processes in their
    place; those are stopped with it, unchecked."""
    asked = {w: fastcgi_children(w) for w in webs}
    logs = [os.path.join(w.state, "error.log") for w in webs]
    # Only what lighttpd logs from now on: earlier exits (processes it
    # replaced during the tests) must not count for these.
    start = [os.path.getsize(p) if os.path.exists(p) else 0 for p in logs]
    for pids in asked.values():
        for pid in pids:
            catches_usr1(pid)
            os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    left = [p for pids in asked.values() for p in pids]
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = {p for w in webs for p in fastcgi_children(w)}
        left = [p for p in left if p in alive]
    exits = []
    for log, at in zip(logs, start):
        text = ""
        if os.path.exists(log):
            with open(log, errors="replace") as f:
                f.seek(at)
                text = f.read()
        # lighttpd's gw_backend: "child exited: STATUS SOCKET", "child
        # signalled: SIGNAL" (no socket), "child died somehow".
        for m in re.finditer(r"child (exited): (\d+) (\S+)|child (signall?ed): (\d+)"
                             r"|child (died) somehow", text):
            exits.append(("exited", m.group(2), m.group(3)) if m.group(1) else
                         ("signalled", m.group(5), "") if m.group(4) else ("died", "?", ""))
    return [p for pids in asked.values() for p in pids], exits, left


def fastcgi_run(env, results, only, name, cgi_dir, tests, label):
    """The tests through a pair of lighttpd (at / and under /memo) serving
    cgi_dir's executables as FastCGI processes, one per route
    (MEMO_FCGI_PROCS=1, so each serves request after request: memory
    misused across requests is seen, a leak grows with each request), then
    every process ended as at the end of its loop (end_fastcgi_processes).
    Before the tests a FastCGI process is made to write a line (auth.cgi
    refusing a forged state), to prove that what they write lands where the
    caller's search looks.  Returns None if only filtered every test out,
    else a dict: ran (tests that ran), wired (lighttpd runs cgi_dir's
    memo.cgi), pids (the processes ended), asked (how many), exits, left
    (end_fastcgi_processes), texts [(path,
    text)] of the servers' logs (the processes' stderr is lighttpd.out),
    probe (the forged state's line is there)."""
    webs, out = [], {"ran": 0, "wired": False, "pids": [], "asked": 0, "exits": [], "left": []}
    try:
        webs = [stack.Lighttpd(os.path.join(env.base, f"{name}{p}"), env.config,
                               prefix=p, cgi_dir=cgi_dir, mode="fastcgi",
                               extra_env={"MEMO_FCGI_PROCS": "1"}) for p in ("", "/memo")]
        env.webs += webs
        out["wired"] = all(re.search(r'"bin-path"\s*=>\s*"' +
                                     re.escape(cgi_dir + "/memo.cgi") + '"',
                                     w.resolved_config()) for w in webs)
        reset_db(env)
        lib.http_get(webs[0].url + "auth?code=probe&state=" + "P" * 43, timeout=60)
        other = type(env)()
        other.__dict__.update(env.__dict__)
        other.web, other.web_prefix = webs
        n0 = len(results)
        lib.run_tests(tests, other, results, only, label=label)
        out["ran"] = ran_tests(results, n0)
        if only and not out["ran"]:
            return None
        out["pids"], out["exits"], out["left"] = end_fastcgi_processes(webs)
        out["asked"] = len(out["pids"])
    finally:
        for w in webs:
            w.stop()
    out["texts"] = []
    for w in webs:
        for f in ("lighttpd.out", "error.log"):
            p = os.path.join(w.state, f)
            out["texts"].append((p, open(p, errors="replace").read()
                                 if os.path.exists(p) else ""))
    out["probe"] = any("auth.cgi: login refused: state missing" in t for _, t in out["texts"])
    out["bad_exits"] = [x for x in out["exits"] if x[:2] != ("exited", "0")]
    out["ok"] = out["wired"] and out["probe"] and out["ran"] > 0 and out["asked"] > 0 and \
        not out["left"] and not out["bad_exits"] and len(out["exits"]) >= out["asked"]
    return out


def fastcgi_report(out, cgi_dir, findings):
    if not out["wired"]:
        print(f"    lighttpd's FastCGI routes do not run {cgi_dir}/memo.cgi (lighttpd -p)")
    if not out["probe"]:
        print("    the forged state's log line is not in the servers' logs")
    for where, what in findings[:20]:
        print(f"    {where}: {what}")
    for how, code, sock in out["bad_exits"][:20]:
        print(f"    a FastCGI process {how} {code}: {sock}")
    if out["left"]:
        print(f"    still running after SIGUSR1: {out['left']}")


def asan_fastcgi_pass(env, results, only, e2e_tests):
    """The end-to-end suites again with the ASan build as FastCGI
    processes (fastcgi_run), LeakSanitizer checking each at its exit.
    Fails on any sanitizer report in the servers' logs, on a process that
    did not exit 0, or if the probe's line is not there."""
    cgi_dir = os.path.join(lib.ROOT, "build-asan", "cgi-bin")
    lib.phase("sanitizers, FastCGI mode: every end-to-end suite with ASan+UBSan FastCGI "
              "processes, LeakSanitizer at each one's exit")
    out = fastcgi_run(env, results, only, "lighttpd-asan-fastcgi", cgi_dir, e2e_tests,
                      "asan, fastcgi: ")
    if out is None:
        return
    reports = sanitizer_reports(out["texts"])
    ok = out["ok"] and not reports
    name = (f"asan, fastcgi: no sanitizer report from the FastCGI processes ({out['ran']} "
            f"tests ran; {out['asked']} processes ended, "
            f"{len(out['exits']) - len(out['bad_exits'])} exited 0 after LeakSanitizer's check)")
    lib.record(results, ok, name)
    fastcgi_report(out, cgi_dir, reports)


# Without --track-origins=yes: it finds the same errors, only not where an
# uninitialised value came from, and costs a third more per CGI run; a
# failure's message says to run it again with it.
VALGRIND = ["valgrind", "--tool=memcheck", "--error-exitcode=99",
            "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect",
            "--child-silent-after-fork=yes"]
ORIGINS = ("    (where an uninitialised value came from: run the test again with"
           " --track-origins=yes added to sanitizers.VALGRIND)")


def valgrind_figures(logs):
    """Sum memcheck's summaries over the per-process log files."""
    f = {"runs": 0, "errors": 0, "definitely": 0, "indirectly": 0, "possibly": 0}
    for p in logs:
        if not os.path.exists(p):
            continue        # counted as a run missing (runs < logs)
        with open(p, errors="replace") as fh:
            t = fh.read()
        m = re.search(r"ERROR SUMMARY: ([\d,]+) errors", t)
        if not m:
            continue
        f["runs"] += 1
        f["errors"] += int(m.group(1).replace(",", ""))
        for kind in ("definitely", "indirectly", "possibly"):
            m = re.search(kind + r" lost: ([\d,]+) bytes", t)
            if m:
                f[kind] += int(m.group(1).replace(",", ""))
    return f


def valgrind_missing(results, name):
    """True, and a SKIP recorded, if valgrind is not installed."""
    if shutil.which("valgrind"):
        return False
    results.append((None, name))
    print(f"SKIP - {name}: valgrind is not installed (apt-get install valgrind, or make deps)")
    return True


def valgrind_pass(env, results, only, by_hand):
    if valgrind_missing(results, "valgrind: memcheck over the CGI runs"):
        return
    d = os.path.join(env.base, "valgrind")
    os.makedirs(d, exist_ok=True)
    lib.phase("valgrind memcheck: the CGI-by-hand tests tagged valgrind once more")
    saved = lib.CGI_WRAPPER
    lib.CGI_WRAPPER = VALGRIND + [f"--log-file={d}/%p.log"]
    try:
        n0 = len(results)
        by_hand("valgrind: ")
        ran = ran_tests(results, n0)
    finally:
        lib.CGI_WRAPPER = saved
    if not ran and len(results) > n0:   # all skipped: bats is missing
        name = "valgrind: memcheck over the CGI runs"
        results.append((None, name))
        print(f"SKIP - {name}: no CGI test ran (see the skips above)")
        return
    if only and not ran:
        return
    logs = glob.glob(os.path.join(d, "*.log"))
    f = valgrind_figures(logs)
    ok = ran > 0 and f["runs"] == len(logs) and f["runs"] > 0 and \
        f["errors"] == 0 and f["definitely"] == 0 and f["indirectly"] == 0
    name = (f"valgrind: {f['runs']} CGI runs, {f['errors']} errors, "
            f"definitely lost {f['definitely']} B, indirectly lost {f['indirectly']} B "
            f"(possibly lost {f['possibly']} B)")
    lib.record(results, ok, name)
    if not ok:
        for p in logs:
            t = open(p, errors="replace").read()
            if not re.search(r"ERROR SUMMARY: 0 errors", t):
                print(f"    {p}:\n" + "\n".join("      " + l for l in t.splitlines()[-30:]))
                print(ORIGINS)
                break


def valgrind_fastcgi_pass(env, results, only, tests):
    """The API tests through FastCGI processes run under valgrind memcheck
    (fastcgi_run; each route's bin-path a script that execs valgrind on the
    build's executable), memcheck's leak check at each process's exit.
    Fails on any memcheck error or definite/indirect leak, on a process
    whose log has no summary, or as fastcgi_run says."""
    if valgrind_missing(results, "valgrind, fastcgi: memcheck over the FastCGI processes"):
        return
    d = os.path.join(env.base, "valgrind-fastcgi")
    wrappers = os.path.join(d, "cgi-bin")
    os.makedirs(wrappers, exist_ok=True)
    for p in glob.glob(os.path.join(d, "*.log")):
        os.unlink(p)
    built = lib.CGI_DIR
    for cgi in sorted(os.listdir(built)):
        if cgi.endswith(".cgi"):
            w = os.path.join(wrappers, cgi)
            with open(w, "w") as f:
                f.write("#!/bin/sh\nexec " + " ".join(VALGRIND) +
                        f" --log-file={d}/%p.log {built}/{cgi}\n")
            os.chmod(w, 0o755)
    lib.phase("valgrind memcheck, FastCGI mode: the API tests with each FastCGI process "
              "under memcheck, its leak check at exit")
    out = fastcgi_run(env, results, only, "lighttpd-valgrind-fastcgi", wrappers, tests,
                      "valgrind, fastcgi: ")
    if out is None:
        return
    logs = [os.path.join(d, f"{pid}.log") for pid in out["pids"]]
    f = valgrind_figures(logs)
    ok = out["ok"] and f["runs"] == len(logs) == out["asked"] and \
        f["errors"] == 0 and f["definitely"] == 0 and f["indirectly"] == 0
    name = (f"valgrind, fastcgi: {f['runs']} FastCGI processes over {out['ran']} tests, "
            f"{f['errors']} errors, definitely lost {f['definitely']} B, indirectly lost "
            f"{f['indirectly']} B (possibly lost {f['possibly']} B)")
    lib.record(results, ok, name)
    fastcgi_report(out, wrappers, [])
    if not ok:
        for p in logs:
            t = open(p, errors="replace").read() if os.path.exists(p) else ""
            if not re.search(r"ERROR SUMMARY: 0 errors", t) or \
                    re.search(r"(definitely|indirectly) lost: [1-9]", t):
                print(f"    {p}:\n" + "\n".join("      " + l for l in t.splitlines()[-30:]))
                print(ORIGINS)
                break
