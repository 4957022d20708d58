"""test_tls.py - TLS to the database, end to end (DB_SSL_CA, as RDS is
reached): a private MariaDB serving TLS with a certificate made at test
time (openssl), a user that the server admits only over TLS, and the CGIs
connecting by hand and through lighttpd in FastCGI mode (a kept
connection).  The right CA works; a wrong CA, or none against a server
that requires TLS, is a 503 whose reason is in the log."""
import os
import shutil
import subprocess

import stack
from lib import Skipped, check, eq, http_get, run_cgi, sha256_hex, test

USER = "memo_tls"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(folder, name):
    os.makedirs(folder, exist_ok=True)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            f"/CN={name}", "-keyout", "ca.key", "-out", "ca.pem", cwd=folder)
    return os.path.join(folder, "ca.pem")


def make_server_cert(folder):
    """A certificate for 127.0.0.1, signed by folder's CA."""
    with open(os.path.join(folder, "san.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", "server.key", "-out", "server.csr", cwd=folder)
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "san.cnf", "-out", "server.pem",
            cwd=folder)
    return {"ca": os.path.join(folder, "ca.pem"), "cert": os.path.join(folder, "server.pem"),
            "key": os.path.join(folder, "server.key")}


def tls_db(env):
    """The TLS MariaDB, started once; a user admitted only over TLS."""
    if getattr(env, "tls", None) is None:
        if shutil.which("openssl") is None:
            raise Skipped("openssl not installed (apt-get install openssl)")
        base = os.path.join(env.base, "tls")
        shutil.rmtree(base, ignore_errors=True)
        files = make_server_cert(os.path.dirname(make_ca(os.path.join(base, "ca"), "memo test CA")))
        other = make_ca(os.path.join(base, "other-ca"), "another CA")
        db = stack.MariaDB(os.path.join(base, "mariadb"), tls=files).start()
        env.started.append(db)
        db.bootstrap()
        pw = db.password.replace("'", "''")
        db.client(stdin=f"CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{pw}' REQUIRE SSL;"
                        f"GRANT SELECT, INSERT, UPDATE, DELETE ON memo.* TO '{USER}'@'127.0.0.1';")
        env.tls = {"db": db, "ca": files["ca"], "other_ca": other, "base": base}
    return env.tls


def tls_env(t, **kw):
    """The CGI settings for the TLS database over TCP (no socket)."""
    e = {"MEMO_CONFIG": "/dev/null", "DB_HOST": "127.0.0.1", "DB_PORT": str(t["db"].port),
         "DB_SOCKET": "", "DB_USER": USER, "DB_PASSWORD": t["db"].password,
         "DB_DATABASE": "memo", "DB_SSL_CA": t["ca"], "DB_CONNECT_TIMEOUT": "2",
         "DB_READ_TIMEOUT": "2"}
    e.update(kw)
    return e


@test
def tls_right_ca(env):
    """TLS to the database: with the server's CA the CGIs connect (the user is admitted only over TLS) and read and write"""
    t = tls_db(env)
    r, err = run_cgi("health", tls_env(t))
    eq((r.status, r.json()), (200, {"status": "ok"}), f"health over TLS: {err}")
    sid = "Tls" + "T" * 40
    t["db"].client(database="memo", stdin=(
        "INSERT IGNORE INTO `user` (id, name) VALUES ('tls-user', 'TLS');"
        "REPLACE INTO sessions (session_key, user_id, created_at, expires_at)"
        f" VALUES ('{sha256_hex(sid)}', 'tls-user', UTC_TIMESTAMP(),"
        " UTC_TIMESTAMP() + INTERVAL 1 DAY);"))
    body = '{"text":"TLS로 쓴 메모"}'.encode()
    r, err = run_cgi("memo", tls_env(t, REQUEST_METHOD="POST", HTTP_COOKIE=f"sessionId={sid}",
                                     CONTENT_TYPE="application/json"), body=body)
    eq(r.status, 200, f"POST over TLS: {err}")
    r, err = run_cgi("memo", tls_env(t, HTTP_COOKIE=f"sessionId={sid}"))
    eq((r.status, r.json()["memos"][0]["text"]), (200, "TLS로 쓴 메모"), "GET over TLS")


@test
def tls_wrong_ca(env):
    """TLS to the database: a CA that did not sign the server's certificate is 503, and the log says why"""
    t = tls_db(env)
    r, err = run_cgi("health", tls_env(t, DB_SSL_CA=t["other_ca"]))
    eq((r.status, r.json()), (503, {"error": "database unavailable"}), "wrong CA")
    print(f"saw: {err.strip()}")
    check("database: connect" in err and ("certificate" in err.lower() or "tls" in err.lower()
                                          or "ssl" in err.lower()), f"the reason: {err!r}")


@test
def tls_required_by_the_server(env):
    """TLS to the database: without DB_SSL_CA, a server that admits the user only over TLS refuses: 503 with the reason"""
    t = tls_db(env)
    r, err = run_cgi("health", tls_env(t, DB_SSL_CA=""))
    eq((r.status, r.json()), (503, {"error": "database unavailable"}), "no TLS")
    print(f"saw: {err.strip()}")
    check("database: connect" in err and "denied" in err.lower(), f"the reason: {err!r}")


@test
def tls_fastcgi(env):
    """TLS to the database: FastCGI processes keep a TLS connection across requests; with a CA that did not sign the server's certificate they answer 503 and log why"""
    t = tls_db(env)
    config = os.path.join(t["base"], "memo.env")
    settings = tls_env(t)
    settings.pop("MEMO_CONFIG")
    stack.write_env(config, settings)
    web = stack.Lighttpd(os.path.join(t["base"], "lighttpd"), config, mode="fastcgi",
                         extra_env={"MEMO_FCGI_PROCS": "1"})
    def connections():
        """How many connections the TLS MariaDB has accepted (this query's own too)."""
        return int(t["db"].query_alone("SHOW GLOBAL STATUS LIKE 'Connections'",
                                       database=None)[0][1])
    try:
        r = http_get(web.url + "health")           # the process starts and connects
        eq((r.status, r.json()), (200, {"status": "ok"}), "health over TLS")
        c0 = connections()
        for i in range(5):
            r = http_get(web.url + "health")
            eq((r.status, r.json()), (200, {"status": "ok"}), f"health {i} over TLS")
        eq(len(web.fastcgi_pids("health")), 1, "one process served them all")
        eq(connections() - c0, 1, "new connections to the TLS MariaDB (only this test's own"
           " query): the process kept its TLS connection")
    finally:
        web.stop()
    # A CA that did not sign the server's certificate: 503 from the
    # process, which says why and serves the next request the same way.
    settings["DB_SSL_CA"] = t["other_ca"]
    stack.write_env(config, settings)
    web = stack.Lighttpd(os.path.join(t["base"], "lighttpd-wrong-ca"), config, mode="fastcgi",
                         extra_env={"MEMO_FCGI_PROCS": "1"})
    try:
        for i in range(2):
            r = http_get(web.url + "health")
            eq((r.status, r.json()), (503, {"error": "database unavailable"}),
               f"wrong CA, request {i}")
        err = open(os.path.join(web.state, "lighttpd.out"), errors="replace").read()
        check("database: connect" in err and ("certificate" in err.lower() or "tls" in
                                              err.lower() or "ssl" in err.lower()),
              f"the reason in the process's log: {err[-600:]!r}")
        eq(len(web.fastcgi_pids("health")), 1, "one process, still serving")
    finally:
        web.stop()
