"""test_readme.py - README.md's examples run as written.

Every ```sh block of the README is run, in order, with bash -e, against the
service as `make run` starts it (tools/stack.py run, on a port and in a
folder of this test's own: the README's http://127.0.0.1:8080 and
var/run/memo.env are replaced by them, nothing else).  A block that cannot
run here - it needs real Naver, RDS, root, or it is `make run` itself -
says so in a comment just above it:

    <!-- not run by tests/test_readme.py: the reason -->

so a new example is tested unless someone writes down why not.  A block
passes when every command succeeds, no answer is one of lighttpd's own
error pages (a request the server refused before any CGI ran: 400, 411),
and every curl gets the status the README says: the one in its comment
("# 412: the old ETag", "# → 303"), or else a 2xx.  curl -s exits 0 on any
status, so without this a 404 or a 412 where the README shows success
would pass."""
import os
import re
import shutil
import subprocess
import sys

import stack
from lib import check, eq, test

README = os.path.join(stack.ROOT, "README.md")
SKIP = re.compile(r"<!-- not run by tests/test_readme\.py: (.+?) -->\s*$")
# The status a command's comment says it gets: "# 412: …", "# → 303".
SAYS = re.compile(r"\s#\s*(?:→\s*)?([1-5]\d\d)\b")
# Each curl reports its status on stderr, where no example reads.
CURL = "curl() { command curl -w '%{stderr}@@ status %{http_code}\\n' \"$@\"; }\n"


def expected_statuses(code):
    """The status each curl of a block should get, in order: its
    comment's, or "2xx"."""
    out = []
    for cmd in code.replace("\\\n", " ").split("\n"):
        said = SAYS.search(cmd)
        words = cmd.split(" #", 1)[0]
        out += [said.group(1) if said else "2xx"] * len(re.findall(r"(?:^|[\s(])curl\s", words))
    return out


def blocks():
    """(line, code, skip reason or None) for each ```sh block."""
    lines = open(README, encoding="utf-8").read().split("\n")
    out, i = [], 0
    while i < len(lines):
        if lines[i].strip() == "```sh":
            j = i + 1
            while lines[j].strip() != "```":
                j += 1
            prev = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
            m = SKIP.search(prev)
            out.append((i + 1, "\n".join(lines[i + 1:j]), m.group(1) if m else None))
            i = j
        i += 1
    return out


def make_run(env):
    """`make run`'s stack (tools/stack.py run) on a port and folder of its own."""
    port = stack.free_port()
    state = os.path.join(env.base, "readme-run")
    shutil.rmtree(state, ignore_errors=True)
    os.makedirs(state)
    srv = stack.Server("make run", [sys.executable, os.path.join(stack.ROOT, "tools", "stack.py"),
                                    "run", "--port", str(port), "--state", state],
                       os.path.join(state, "stack.out"),
                       env={k: v for k, v in os.environ.items()
                            if not k.startswith(("DB_", "NAVER_"))})
    env.started.append(srv)
    stack.wait_for(stack.port_open(port), "make run's lighttpd", timeout=90, proc=srv.proc)
    return port, os.path.join(state, "memo.env")


@test
def readme_examples_run(env):
    """README.md: every shell example runs as written against make run's service"""
    found = blocks()
    check(len(found) >= 5, f"the README's examples: {len(found)}")
    port, config = make_run(env)
    work = os.path.join(env.base, "readme-work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    # One shell for all of them, in order, as a reader types them: a block
    # may use what an earlier one set ("from the same shell").
    parts, ran, want = [CURL], [], []
    for line, code, skip in found:
        if skip:
            ran.append(f"line {line}: not run ({skip})")
            continue
        parts.append(f'echo "@@ README line {line}" >&2\n{code}')
        ran.append(f"line {line}: ran ({len(code.splitlines())} lines)")
        want += [(line, w) for w in expected_statuses(code)]
    script = ("\n".join(parts).replace("http://127.0.0.1:8080", f"http://127.0.0.1:{port}")
              .replace("$PWD/var/run/memo.env", config)
              # The commands name checkout paths: run from the checkout's
              # files, with what they write (curl -OJ) kept apart.
              .replace("./cgi-bin/", stack.ROOT + "/cgi-bin/")
              .replace("tools/", stack.ROOT + "/tools/")
              .replace("tests/bats/", stack.ROOT + "/tests/bats/"))
    # No MEMO_URL: tools/session.py must find the port (not the README's
    # 8080) as a reader's does, in the settings file the README exports.
    p = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=work,
                       env={k: v for k, v in os.environ.items()
                            if k not in ("MEMO_URL", "MEMO_CONFIG")},
                       capture_output=True, text=True, timeout=600)
    where = ([l for l in p.stderr.splitlines() if l.startswith("@@ ")] or ["@@ ?"])[-1][3:]
    eq(p.returncode, 0, f"{where}: {p.stderr[-1500:]}\n{p.stdout[-1500:]}")
    check(not re.search(r"<title>(400|411|413|5\d\d) ", p.stdout),
          f"lighttpd refused a request: {p.stdout[-800:]}")
    got = re.findall(r"^@@ status (\d+)$", p.stderr, re.M)
    eq(len(got), len(want), f"curl commands run, against those in the README: {got}")
    for (line, w), g in zip(want, got):
        check(g == w or (w == "2xx" and g.startswith("2")),
              f"a curl of the block at README line {line}: status {g}, the README says {w}")
    ran.append(f"curl statuses {' '.join(got)}")
    print("saw: " + "; ".join(ran))
