"""test_mysql_auth.py - the CGIs' login to MySQL 8.4 as RDS ships it, whose
users authenticate with caching_sha2_password, as far as this machine
allows: no MySQL server can be installed here.

The CGIs link libmariadb statically; its static library has only
mysql_native_password built in and loads other authentication plugins at
run time from libmariadb3's plugin folder (the image keeps that package:
test_userdata.py checks the purge plan).  Shown here, with health.cgi as
built (GET /health: a login and SELECT 1):
- against tests/mysql_standin.py, which plays MySQL 8.4's side of the
  caching_sha2_password exchange (and is itself checked against the
  mariadb client): the fast path, a wrong password refused, and the full
  authentication a server asks for after a restart, over TLS with the
  server's certificate verified (DB_SSL_CA), as on RDS; without TLS the
  CGI does not hand its password over;
- against the tests' MariaDB: a user of MariaDB's ed25519 plugin, another
  plugin loaded at run time the same way, logs in.
Not shown: a login to a real MySQL 8.4 server."""
import os
import shutil
import subprocess
import sys

import stack
from lib import check, eq, run_cgi, test

STANDIN = os.path.join(stack.ROOT, "tests", "mysql_standin.py")
PLUGIN_DIR = "/usr/lib/x86_64-linux-gnu/libmariadb3/plugin"
USER, PASSWORD = "sha2user", "Secr3t-pw!x"


class Standin:
    def __init__(self, base, name, *extra):
        self.port = stack.free_port()
        self.out = os.path.join(base, f"mysql-standin-{name}.out")
        self.server = stack.Server("mysql-standin", [
            sys.executable, STANDIN, "--port", str(self.port), "--user", USER,
            "--password", PASSWORD, *extra], self.out)
        stack.wait_for(stack.port_open(self.port), "mysql standin", proc=self.server.proc)

    def said(self):
        self.server.log.flush()
        return open(self.out).read()

    def stop(self):
        self.server.stop(grace=5)


def health(port, password=PASSWORD, ca="", debug=False):
    env = {"MEMO_CONFIG": "/dev/null", "DB_HOST": "127.0.0.1", "DB_PORT": str(port),
           "DB_USER": USER, "DB_PASSWORD": password, "DB_DATABASE": "memo",
           "DB_SSL_CA": ca, "DB_CONNECT_TIMEOUT": "3", "DB_READ_TIMEOUT": "3"}
    if debug:
        env["LD_DEBUG"] = "files"
    return run_cgi("health", env)


def tls_files(base):
    d = os.path.join(base, "mysql-standin-tls")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


def mariadb_client(port, *extra):
    return subprocess.run(["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", str(port),
                           "-u", USER, f"-p{PASSWORD}", *extra, "-e", "SELECT 1"],
                          capture_output=True, text=True)


@test
def caching_sha2_fast_path(env):
    """health.cgi logs in with caching_sha2_password (fast path) through libmariadb3's plugin; a wrong password is 503"""
    owner = subprocess.run(["dpkg", "-S", f"{PLUGIN_DIR}/caching_sha2_password.so"],
                           capture_output=True, text=True).stdout
    check(owner.startswith("libmariadb3:"), f"the plugin's package: {owner}")
    s = Standin(env.base, "fast")
    try:
        # The stand-in first, with the mariadb client (its own libmariadb).
        p = mariadb_client(s.port, "--skip-ssl")
        eq((p.returncode, p.stdout.split()), (0, ["1", "1"]), f"mariadb client: {p.stderr}")
        r, err = health(s.port, debug=True)
        eq((r.status, r.json()), (200, {"status": "ok"}), "health.cgi")
        check(f"file={PLUGIN_DIR}/caching_sha2_password.so" in err,
              "the CGI loaded libmariadb3's caching_sha2_password.so")
        r, err = health(s.port, password="not-the-password")
        eq(r.status, 503, "a wrong password")
        check("1045" in err, f"MySQL's access denied: {err}")
        said = s.said()
        eq((said.count("fast ok sha2user plain"), said.count("denied sha2user")), (2, 1),
           f"the stand-in saw: {said}")
    finally:
        s.stop()


@test
def caching_sha2_full_authentication_over_tls(env):
    """caching_sha2_password's full authentication (after a server restart) over TLS with DB_SSL_CA, as on RDS; never in the clear"""
    cert, key = tls_files(env.base)
    s = Standin(env.base, "full", "--full", "--cert", cert, "--key", key)
    try:
        p = mariadb_client(s.port, f"--ssl-ca={cert}", "--ssl-verify-server-cert")
        eq((p.returncode, p.stdout.split()), (0, ["1", "1"]), f"mariadb client: {p.stderr}")
        r, _ = health(s.port, ca=cert)
        eq((r.status, r.json()), (200, {"status": "ok"}), "health.cgi over TLS")
        r, _ = health(s.port)
        eq(r.status, 503, "without TLS the password is not sent")
        other = os.path.join(os.path.dirname(cert), "other.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        other + ".key", "-out", other, "-days", "2", "-subj", "/CN=127.0.0.1"],
                       check=True, capture_output=True)
        r, _ = health(s.port, ca=other)
        eq(r.status, 503, "a server whose certificate another CA signed")
        said = s.said()
        eq(said.count("full ok sha2user tls"), 2, f"the stand-in saw: {said}")
        check("denied sha2user full plain" in said, said)
    finally:
        s.stop()


@test
def ed25519_login_to_mariadb(env):
    """health.cgi logs in as a MariaDB ed25519 user: a plugin loaded at run time, against a real server"""
    env.db.client(stdin="INSTALL SONAME 'auth_ed25519';\n", check=False)
    env.db.client(stdin=(
        "DROP USER IF EXISTS 'memo_ed'@'127.0.0.1';\n"
        f"CREATE USER 'memo_ed'@'127.0.0.1' IDENTIFIED VIA ed25519 USING PASSWORD('{PASSWORD}');\n"
        "GRANT SELECT ON memo.* TO 'memo_ed'@'127.0.0.1';\n"))
    env_ = {"MEMO_CONFIG": "/dev/null", "DB_HOST": "127.0.0.1", "DB_PORT": str(env.db.port),
            "DB_USER": "memo_ed", "DB_PASSWORD": PASSWORD, "DB_DATABASE": "memo",
            "LD_DEBUG": "files"}
    r, err = run_cgi("health", env_)
    eq((r.status, r.json()), (200, {"status": "ok"}), "health.cgi as an ed25519 user")
    check(f"file={PLUGIN_DIR}/client_ed25519.so" in err, "client_ed25519.so loaded")
    r, _ = run_cgi("health", dict(env_, DB_PASSWORD="wrong", LD_DEBUG=""))
    eq(r.status, 503, "a wrong password")


@test
def localhost_is_tcp_to_db_port(env):
    """DB_HOST=localhost without DB_SOCKET is TCP to DB_PORT, as memo-migrate's: libmariadb alone takes localhost for its built-in socket and ignores the port"""
    settings = {"MEMO_CONFIG": "/dev/null", "DB_HOST": "localhost", "DB_USER": "memo",
                "DB_PASSWORD": env.db.password, "DB_DATABASE": "memo"}
    r, err = run_cgi("health", dict(settings, DB_PORT=str(env.db.port)))
    eq((r.status, r.json()), (200, {"status": "ok"}), f"localhost, the tests' port: {err}")
    r, err = run_cgi("health", dict(settings, DB_PORT=str(stack.free_port())))
    eq(r.status, 503, "localhost, a port nothing listens on")
    check("mysqld.sock" not in err and "socket" not in err.lower(), err)
