"""test_logs.py - run last: no log of the whole run holds a secret.

Searched: every lighttpd's error log, access log and captured CGI stderr
(lighttpd.out), the stderr of every CGI run by hand, the Naver double's log,
MariaDB's error log, and the EC2 instance's logs and boot output
(test_userdata.py).  Looked for: every session id, OAuth state,
authorization code and access token the tests used (collected by
tests/lib.py as they went), the instance's database user passwords, the
client secret and the database password."""
import glob
import os

import lib
from lib import check, test


@test
def no_secret_in_any_log(env):
    """After the full run: no log line holds a session id, state, code, access token, the client secret or the DB password"""
    files = []
    for w in env.webs:
        for name in ("error.log", "access.log", "lighttpd.out"):
            files.append(os.path.join(w.state, name))
    files += [os.path.join(env.base, "naver_dev.log"),
              os.path.join(env.base, "mariadb", "mysqld.err")]
    # The EC2 instance of test_userdata.py: its lighttpd logs, the bake's
    # and the boots' output (cloud-init's log on an instance).
    files += glob.glob(os.path.join(env.base, "ec2-image", "var", "log", "lighttpd", "*.log*"))
    files += [os.path.join(env.base, n) for n in ("bake.log", "boot.log")]
    texts = [(p, open(p, errors="replace").read()) for p in files if os.path.exists(p)]
    texts += [(f"{cgi}.cgi stderr", err) for cgi, err in lib.CGI_STDERR]
    secrets = [(k, v) for k, vs in lib.SECRETS.items() for v in vs if len(v) >= 8]
    secrets += [("client secret", env.naver.client_secret), ("db password", env.db.password)]
    size = sum(len(t) for _, t in texts)
    print(f"    saw: {len(files)} log files and {len(lib.CGI_STDERR)} CGI stderrs, "
          f"{size} bytes; searched for " +
          ", ".join(f"{len(v)} {k}s" for k, v in lib.SECRETS.items()) +
          ", the client secret, the DB password")
    check(any("/memo" in t for p, t in texts if p.endswith("access.log")),
          "the access logs were read")
    check(len(lib.SECRETS["session id"]) >= 50 and len(lib.SECRETS["code"]) >= 50,
          "secrets were collected over the run")
    found = [(what, p) for what, v in secrets for p, t in texts if v in t]
    check(not found, f"secrets in logs: {found[:10]}")
