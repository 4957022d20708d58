#!/usr/bin/env python3
"""previous.py - the previous version of memo, built from git, for what must
keep working across a rolling deploy: `make test` serves its CGIs against
the migrated schema (tests/test_rolling.py) and `make bench` measures it
beside the current one.

    python3 tools/previous.py [REF]     builds it, prints its cgi-bin folder

REF (default: PREVIOUS, or $MEMO_PREVIOUS) is the version deployed before
this one: the last commit before migration 003.  It is extracted with `git
archive` into build-previous/REF/ and built there with its own Makefile;
CGIs it did not have are linked to the current ones, so that a lighttpd
configuration of this version (fastcgi.conf's routes) starts.
"""
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREVIOUS = os.environ.get("MEMO_PREVIOUS", "6bef78c")


class Unavailable(Exception):
    """git cannot give the previous version (a shallow clone, no git)."""


def build(ref=PREVIOUS):
    """Build ref once; returns the folder of its CGIs."""
    src = os.path.join(ROOT, "build-previous", ref)
    bindir = os.path.join(src, "cgi-bin")
    stamp = os.path.join(src, ".built")
    if not os.path.exists(stamp):
        shutil.rmtree(src, ignore_errors=True)
        os.makedirs(src)
        try:
            tar = subprocess.run(["git", "-C", ROOT, "archive", ref], capture_output=True)
        except OSError as e:
            raise Unavailable(f"git: {e}") from e
        if tar.returncode != 0:
            raise Unavailable(f"git archive {ref}: {tar.stderr.decode().strip()}")
        subprocess.run(["tar", "-x", "-C", src], input=tar.stdout, check=True)
        p = subprocess.run(["make", "-s", "-C", src, "all"], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"building {ref}: {p.stderr[-2000:]}")
        open(stamp, "w").close()
    for name in os.listdir(os.path.join(ROOT, "cgi-bin")):
        link = os.path.join(bindir, name)
        if name.endswith(".cgi") and not os.path.lexists(link):
            os.symlink(os.path.join(ROOT, "cgi-bin", name), link)
    return bindir


if __name__ == "__main__":
    try:
        print(build(sys.argv[1] if len(sys.argv) > 1 else PREVIOUS))
    except Unavailable as e:
        sys.exit(f"previous.py: {e}")
