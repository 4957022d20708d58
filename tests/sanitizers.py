"""sanitizers.py - the memory-safety passes of tests/run.py.

asan_pass: the CGI-by-hand tests (tests/bats) and end-to-end tests again,
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


def asan_pass(env, results, only, by_hand, e2e_tests):
    cgi_dir = os.path.join(lib.ROOT, "build-asan", "cgi-bin")
    print("== sanitizers: CGI and end-to-end tests with ASan+UBSan CGIs "
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
        n0 = len(results)
        by_hand("asan: ")
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
    name = (f"asan: no sanitizer report in {len(texts) - len(webs)} CGI runs by hand "
            f"and lighttpd's CGI stderr ({ran} tests ran)")
    ok = not reports and ran > 0
    results.append((ok, name))
    print(f"{'ok' if ok else 'FAIL'} - {name}")
    for where, what in reports[:20]:
        print(f"    {where}: {what}")


def fastcgi_children(web, cgi_dir):
    """Pids of web's FastCGI processes running an executable of cgi_dir."""
    return [pid for cgi in sorted(os.listdir(cgi_dir)) if cgi.endswith(".cgi")
            for pid in web.fastcgi_pids(os.path.join(cgi_dir, cgi))]


def end_fastcgi_processes(webs, cgi_dir, timeout=30.0):
    """Ask every FastCGI process of webs to end as its program does at the
    end of its accept loop: SIGUSR1 makes libfcgi's FCGX_Accept_r fail, so
    app_main returns and the process exits normally, running the checks a
    process makes at exit (LeakSanitizer's, valgrind's leak check); a kill
    by SIGTERM, what lighttpd sends when it stops, would skip them.  Returns
    (how many were asked, [(status, socket)] of the exits lighttpd logged,
    pids that did not end)."""
    asked = {w: fastcgi_children(w, cgi_dir) for w in webs}
    for pids in asked.values():
        for pid in pids:
            os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    left = [p for pids in asked.values() for p in pids]
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = {p for w in webs for p in fastcgi_children(w, cgi_dir)}
        left = [p for p in left if p in alive]
    exits = []
    for w in webs:
        log = os.path.join(w.state, "error.log")
        text = open(log, errors="replace").read() if os.path.exists(log) else ""
        exits += re.findall(r"child (exited|signaled|signalled): (\d+) (\S+)", text)
    return sum(len(p) for p in asked.values()), exits, left


def asan_fastcgi_pass(env, results, only, e2e_tests):
    """The end-to-end suites again through a pair of lighttpd serving the
    ASan build as FastCGI processes (MEMO_FCGI_PROCS=2): there one process
    serves request after request, so memory misused across requests is
    reported, and a leak grows with each request; then every process ends
    as at the end of its loop, so LeakSanitizer checks it at exit.  Fails
    on any sanitizer report in the servers' logs (the FastCGI processes'
    stderr is lighttpd's, lighttpd.out), on a process that did not exit 0,
    or if a line a FastCGI process was made to write (auth.cgi refusing a
    forged state) is not in lighttpd.out (then the search would see
    nothing)."""
    cgi_dir = os.path.join(lib.ROOT, "build-asan", "cgi-bin")
    print("== sanitizers, FastCGI mode: the end-to-end suites with ASan+UBSan FastCGI "
          "processes, LeakSanitizer at each one's exit")
    webs, ran, wired = [], 0, False
    try:
        webs = [stack.Lighttpd(os.path.join(env.base, f"lighttpd-asan-fastcgi{p}"), env.config,
                               prefix=p, cgi_dir=cgi_dir, mode="fastcgi",
                               extra_env={"MEMO_FCGI_PROCS": "2"}) for p in ("", "/memo")]
        env.webs += webs
        # The servers really run the sanitizer build, as FastCGI.
        wired = all(re.search(r'"bin-path"\s*=>\s*"' + re.escape(cgi_dir + "/memo.cgi") + '"',
                              w.resolved_config()) for w in webs)
        reset_db(env)
        # A line a FastCGI process writes to its stderr (a refused state),
        # to prove that what they write lands where the search looks.
        lib.http_get(webs[0].url + "auth?code=probe&state=" + "P" * 43)
        other = type(env)()
        other.__dict__.update(env.__dict__)
        other.web, other.web_prefix = webs
        n0 = len(results)
        lib.run_tests(e2e_tests, other, results, only, label="asan, fastcgi: ")
        ran = ran_tests(results, n0)
        if only and not ran:
            return
        asked, exits, left = end_fastcgi_processes(webs, cgi_dir)
    finally:
        for w in webs:
            w.stop()
    texts = []
    for w in webs:
        for f in ("lighttpd.out", "error.log"):
            p = os.path.join(w.state, f)
            texts.append((p, open(p, errors="replace").read() if os.path.exists(p) else ""))
    reports = sanitizer_reports(texts)
    bad_exits = [(how, code, sock) for how, code, sock in exits if how != "exited" or code != "0"]
    heard = sum(len(re.findall(r"^\w+\.cgi: ", t, re.M)) for p, t in texts
                if p.endswith("lighttpd.out"))
    probe = any("auth.cgi: login refused: state missing" in t for _, t in texts)
    name = (f"asan, fastcgi: no sanitizer report from the FastCGI processes ({ran} tests ran; "
            f"{asked} processes ended, {sum(1 for x in exits if x[:2] == ('exited', '0'))} "
            f"exited 0 after LeakSanitizer's check; {heard} of their log lines in "
            "lighttpd.out, the probe's among them)")
    ok = wired and not reports and not bad_exits and not left and ran > 0 and asked > 0 and \
        len(exits) >= asked and probe
    results.append((ok, name))
    print(f"{'ok' if ok else 'FAIL'} - {name}")
    if not wired:
        print(f"    lighttpd's FastCGI routes do not run {cgi_dir}/memo.cgi (lighttpd -p)")
    for where, what in reports[:20]:
        print(f"    {where}: {what}")
    for how, code, sock in bad_exits[:20]:
        print(f"    a FastCGI process {how} {code}: {sock}")
    if left:
        print(f"    still running after SIGUSR1: {left}")


VALGRIND = ["valgrind", "--tool=memcheck", "--error-exitcode=99",
            "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect", "--track-origins=yes",
            "--child-silent-after-fork=yes"]


def valgrind_figures(logs):
    """Sum memcheck's summaries over the per-process log files."""
    f = {"runs": 0, "errors": 0, "definitely": 0, "indirectly": 0, "possibly": 0}
    for p in logs:
        t = open(p, errors="replace").read()
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


def valgrind_pass(env, results, only, by_hand):
    d = os.path.join(env.base, "valgrind")
    os.makedirs(d, exist_ok=True)
    print("== valgrind memcheck: the CGI-by-hand tests tagged valgrind once more")
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
    results.append((ok, name))
    print(f"{'ok' if ok else 'FAIL'} - {name}")
    if not ok:
        for p in logs:
            t = open(p, errors="replace").read()
            if not re.search(r"ERROR SUMMARY: 0 errors", t):
                print(f"    {p}:\n" + "\n".join("      " + l for l in t.splitlines()[-30:]))
                break
