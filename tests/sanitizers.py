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
