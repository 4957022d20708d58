"""test_logs.py - run last: no log of the whole run holds a secret.

Searched: every log file under the run's directory (var/test, the second
lane's under var/test/lane-b), whatever wrote it: each lighttpd of the run
(CGI and FastCGI mode, ASan and valgrind, the installed and the Debian-
layout ones, the multi-node nodes, the previous version's), their captured
CGI stderr (lighttpd.out), Apache's logs, haproxy's, every Naver double's,
every MariaDB's error log, moto's, make run's (README examples), the EC2
instance's logs and boot output, the bats and valgrind logs; and the
stderr of every CGI run by hand. A log is a file named *.log, *.log.N,
*.out or *.err; a new server's logs are searched without a change here.
Looked for: every session id, OAuth state, authorization code and access
token the tests used (collected by tests/lib.py as they went), the
instance's database user passwords, the client secret and the database
password."""
import os
import re

import lib
from lib import check, test

LOG_NAME = re.compile(r"\.(log|out|err)(\.\d+)?$")
# The kinds of server whose logs must be among those searched after a full
# run (a directory of the run, as its tests name it): if one is renamed,
# this test says so instead of searching less.
SERVERS = {"lighttpd, CGI mode": "lighttpd/", "lighttpd, FastCGI mode": "lighttpd-fastcgi/",
           "lighttpd serving the install": "lighttpd-installed/",
           "lighttpd, installed, FastCGI mode": "lighttpd-installed-fastcgi/",
           "Apache": "apache/", "multi-node nodes": "node-a/", "haproxy": "haproxy/",
           "the Naver double": "naver_dev.log", "the Naver double over HTTPS": "naver-tls/",
           "MariaDB": "mariadb/mysqld.err", "ASan FastCGI processes": "lighttpd-asan-fastcgi/",
           "the previous version": "lighttpd-prev/", "make run": "readme-run/",
           "the EC2 instance": "ec2-image/var/log/"}


def run_logs(base):
    """Every log file under base, but the databases' own files."""
    found = []
    for top, dirs, files in os.walk(base):
        # A MariaDB data directory holds tables and redo logs, not logs.
        dirs[:] = [d for d in dirs if d != "data"]
        found += [os.path.join(top, f) for f in files if LOG_NAME.search(f)]
    return sorted(found)


@test
def no_secret_in_any_log(env):
    """After the full run: no log of any server holds a session id, state, code, access token, the client secret or the DB password"""
    files = run_logs(env.base)
    texts = []
    for p in files:
        with open(p, "rb") as f:
            texts.append((p, f.read()))
    texts += [(f"{cgi}.cgi stderr", err.encode("utf-8", "replace"))
              for cgi, err in lib.CGI_STDERR]
    secrets = [(k, v) for k, vs in lib.SECRETS.items() for v in vs if len(v) >= 8]
    secrets += [("client secret", env.naver.client_secret), ("db password", env.db.password)]
    size = sum(len(t) for _, t in texts)
    rel = [os.path.relpath(p, env.base) for p in files]
    # At any depth: the second lane's servers are under lane-b/.
    missing = [kind for kind, where in SERVERS.items()
               if not any(("/" + where) in ("/" + r) for r in rel)]
    print(f"    saw: {len(files)} log files of {len({os.path.dirname(r) for r in rel})} "
          f"directories and {len(lib.CGI_STDERR)} CGI stderrs, {size} bytes; searched for " +
          ", ".join(f"{len(v)} {k}s" for k, v in lib.SECRETS.items()) +
          ", the client secret, the DB password")
    check(any(b"/memo" in t for p, t in texts if p.endswith("access.log")),
          "the access logs were read")
    check(not missing, f"no logs of: {missing} (renamed? SERVERS in test_logs.py)")
    check(len(lib.SECRETS["session id"]) >= 50 and len(lib.SECRETS["code"]) >= 50,
          "secrets were collected over the run")
    found = [(what, os.path.relpath(p, env.base) if p.startswith("/") else p)
             for what, v in secrets for p, t in texts if v.encode() in t]
    check(not found, f"secrets in logs: {found[:10]}")
