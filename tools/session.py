#!/usr/bin/env python3
"""session.py - log in to a running memo through the development login
provider and print the session cookie, for curl and for running a CGI by
hand:

    C=$(python3 tools/session.py 영희)            # sessionId=…
    curl -b "$C" http://127.0.0.1:8080/memo
    HTTP_COOKIE="$C" REQUEST_METHOD=GET ./cgi-bin/memo.cgi

    python3 tools/session.py [--url http://127.0.0.1:8080/] NAME

It does what a browser does (GET /login, then /auth with the state and an
authorization code), with a code the development provider
(devlogin/naver_dev.py, started by `make run`) accepts for NAME: the same
NAME is the same user each time.  Against real Naver it cannot work: Naver
asks the person.  Standard library only.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

import lib  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", default=os.environ.get("MEMO_URL", "http://127.0.0.1:8080/"))
    p.add_argument("name")
    args = p.parse_args()
    b = lib.Browser(args.url)
    try:
        r = lib.login(b, args.name)
    except (OSError, lib.Failed, KeyError) as e:
        sys.exit(f"session.py: could not log in at {args.url}: {e} (is `make run` running?)")
    if r.status != 302 or "sessionId" not in b.cookies:
        sys.exit(f"session.py: /auth answered {r.status}: the development provider"
                 " (make run without NAVER_CLIENT_ID) is needed")
    print("sessionId=" + b.cookies["sessionId"])


if __name__ == "__main__":
    main()
