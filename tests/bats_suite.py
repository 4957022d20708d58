"""bats_suite.py - the shell tests (tests/bats/*.bats) in tests/run.py.

Each bats test is one result, named "bats: FILE: TEST" (after the pass's
label: "asan: bats: …").  A file runs with `bats --tap` and the environment
tests/bats/helper.bash reads: MEMO_CONFIG, the private MariaDB's client
command (MEMO_DB_CLIENT), the CGIs of the pass (MEMO_CGI_DIR = lib.CGI_DIR)
and a wrapper (MEMO_CGI_WRAPPER = lib.CGI_WRAPPER: valgrind).  Every CGI's
stderr comes back (MEMO_CGI_LOG) into lib.CGI_STDERR, as with run_cgi, for
the sanitizer pass and the secrets-in-logs test.

tag="valgrind" runs only the tests marked `# bats test_tags=valgrind` (the
valgrind pass: a CGI costs about a second under memcheck).  Without bats,
bats-assert, jq, mariadb or curl, every test is reported SKIP with how to
get them.
"""
import os
import re
import shutil
import signal
import subprocess
import time

import lib

DIR = os.path.join(lib.ROOT, "tests", "bats")
LIBS = ["/usr/lib/bats/bats-support/load.bash", "/usr/lib/bats/bats-assert/load.bash"]
HOW = "apt-get install bats bats-assert jq mariadb-client curl, or make deps"
MARK = "=== memo-bats: "        # helper.bash's line before each CGI's stderr

TEST_RE = re.compile(r'^\s*@test\s+"(.*)"\s+\{\s*$')
TAGS_RE = re.compile(r"^\s*#\s*bats\s+test_tags=(.*)$")
# bats 1.8 writes "# skip REASON"; others "# skip (REASON)".
TAP_RE = re.compile(r"^(ok|not ok) \d+ (.*?)( # skip(?: \((.*)\)| (.*))?)?$")


def tests_in(path):
    """[(raw, shown, tags)]: each @test's name as written (what --filter
    matches) and as bats shows it (double-quote escapes undone)."""
    found, tags = [], set()
    for line in open(path, encoding="utf-8"):
        m = TAGS_RE.match(line)
        if m:
            tags = {t.strip() for t in m.group(1).split(",")}
            continue
        m = TEST_RE.match(line)
        if m:
            raw = m.group(1)
            found.append((raw, re.sub(r'\\([\\"$`])', r"\1", raw), tags))
            tags = set()
    return found


def missing_tools():
    why = [t for t in ("bats", "jq", "mariadb", "curl") if shutil.which(t) is None]
    why += [os.path.basename(os.path.dirname(p)) for p in LIBS if not os.path.exists(p)]
    return why


def ere(text):
    """text as a literal in a bash (POSIX extended) regular expression."""
    return re.sub(r"([\\.\[\]()*+?{}|^$])", r"\\\1", text)


def cgi_stderr(log):
    """The (cgi, stderr) pairs helper.bash appended to log."""
    if not os.path.exists(log):
        return []
    runs = []
    for chunk in open(log, encoding="utf-8", errors="replace").read().split(MARK)[1:]:
        head, _, err = chunk.partition("\n")
        runs.append((head.split(" ")[0].removesuffix(".cgi"), err))
    return runs


def run_file(env, path, selected, tag, label, results):
    """bats --tap over the selected tests of path; one result per test."""
    name = os.path.basename(path)
    prefix = f"{label}bats: {name}: "
    log = os.path.join(env.base, "bats", f"{label.strip(': ') or 'cgi'}-{name}.log")
    tmp = os.path.join(env.base, "bats", "tmp")
    os.makedirs(tmp, exist_ok=True)
    run_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": env.base,
               "LANG": "C.UTF-8", "TMPDIR": tmp, "MEMO_CONFIG": env.config,
               "MEMO_CGI_DIR": lib.CGI_DIR, "MEMO_CGI_WRAPPER": " ".join(lib.CGI_WRAPPER),
               "MEMO_CGI_LOG": log,
               "MEMO_DB_CLIENT": f"mariadb --no-defaults -S {env.db.socket} -u root memo"}
    argv = ["bats", "--tap"]
    if tag:
        argv += ["--filter-tags", tag]
    if len(selected) < len(tests_in(path)):
        argv += ["--filter", "^(" + "|".join(ere(raw) for raw, _, _ in selected) + ")$"]
    t0 = time.monotonic()
    p = subprocess.Popen(argv + [path], env=run_env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        out += "\n# bats timed out after 900 s"
    lib.CGI_STDERR.extend(cgi_stderr(log))
    seen, last = set(), None
    for line in out.splitlines():
        m = TAP_RE.match(line)
        if m:
            ok = None if m.group(3) else m.group(1) == "ok"
            seen.add(m.group(2))
            last = prefix + m.group(2)
            results.append((ok, last))
            print(f"{'SKIP' if ok is None else 'ok' if ok else 'FAIL'} - {last}"
                  + (f": {m.group(4) or m.group(5)}" if ok is None else ""), flush=True)
        elif line.startswith("# ") and last and results[-1] == (False, last):
            print(f"    {line[2:]}", flush=True)
    lost = [shown for _, shown, _ in selected if shown not in seen]
    for shown in lost:
        results.append((False, prefix + shown))
        print(f"FAIL - {prefix}{shown}: no result from bats", flush=True)
    if lost or p.returncode not in (0, 1):
        print("\n".join(f"    {line}" for line in out.splitlines()[-20:]), flush=True)
    print(f"    ({name}: {len(seen)} tests in {time.monotonic() - t0:.1f}s)", flush=True)


def run(env, results, only=None, label="", tag=None):
    """Every bats file (only the tests whose name holds `only`; with tag,
    only the tests tagged so)."""
    why = missing_tools()
    for path in sorted(os.path.join(DIR, f) for f in os.listdir(DIR) if f.endswith(".bats")):
        prefix = f"{label}bats: {os.path.basename(path)}: "
        selected = [t for t in tests_in(path) if (not tag or tag in t[2]) and
                    (not only or only in prefix + t[1])]
        if not selected:
            continue
        if why:
            for _, shown, _ in selected:
                results.append((None, prefix + shown))
                print(f"SKIP - {prefix}{shown}: {', '.join(why)} not installed ({HOW})")
            continue
        run_file(env, path, selected, tag, label, results)
