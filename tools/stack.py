#!/usr/bin/env python3
"""stack.py - start and stop memo's servers: MariaDB, the Naver stand-in,
lighttpd, and for the deployment tests Apache and haproxy.

Used by `make run` (python3 tools/stack.py run) and by the tests (import).
Every server listens on loopback only, on a socket or port of its own, and
is stopped by its pid when the run ends, failed or not.  The system MariaDB
service and port 3306 are never touched.

    python3 tools/stack.py run [--port 8080] [--prefix /memo] [--mode fastcgi]
                               [--state var/run]

--mode cgi (the default) runs each CGI per request through mod_cgi
(lighttpd.conf); --mode fastcgi runs the same executables as persistent
FastCGI responders through mod_fastcgi (lighttpd-fastcgi.conf), with
MEMO_FCGI_PROCS (from the environment, default 4) processes for the busy
routes.

The settings of common/cfg.c (DB_*, NAVER_*, SESSION_MAX_AGE, COOKIE_SECURE)
can be given in the environment; they are written into the dotenv file the
CGIs read.  Without NAVER_CLIENT_ID the development login provider
(devlogin/naver_dev.py) is started and the app pointed at it.  With DB_HOST
or DB_SOCKET the app uses that server instead of a private MariaDB.
"""
import argparse
import os
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SETTINGS = ("DB_HOST", "DB_PORT", "DB_SOCKET", "DB_DATABASE", "DB_USER",
            "DB_PASSWORD", "DB_CONNECT_TIMEOUT", "DB_READ_TIMEOUT",
            "DB_SSL_CA", "NAVER_CLIENT_ID", "NAVER_CLIENT_SECRET",
            "NAVER_REDIRECT_URI", "NAVER_AUTHORIZE_URL", "NAVER_TOKEN_URL",
            "NAVER_PROFILE_URL", "NAVER_CONNECT_TIMEOUT", "NAVER_TIMEOUT",
            "NAVER_CA_FILE", "SESSION_MAX_AGE", "COOKIE_SECURE", "TRASH_DAYS")


_HANDED_OUT = set()


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _port_range():
    """[first, end) for free_port: 10000 up to the ephemeral range, or the
    part of it MEMO_TEST_PORTS ("first-last") names: tests/run.py gives each
    of its two lanes, processes of their own, a range of its own, so that
    both cannot choose one port at the same moment."""
    end = max(_ephemeral_low(), 12000)
    m = re.fullmatch(r"(\d{4,5})-(\d{4,5})", os.environ.get("MEMO_TEST_PORTS", ""))
    if m and 1024 <= int(m.group(1)) < min(int(m.group(2)) + 1, end):
        return int(m.group(1)), min(int(m.group(2)) + 1, end)
    return 10000, end


def free_port():
    """A loopback port nobody listens on now, for a server started next.
    It is below the kernel's ephemeral range, so no outgoing connection
    (a test's client, a database connection) takes it in the meantime, and
    it is never handed out twice by this process: two servers started one
    after the other cannot be given one port (a port chosen "free" by
    binding port 0 could be, and another server then answered in place of
    the one a test started)."""
    rng = secrets.SystemRandom()
    first, end = _port_range()
    for _ in range(1000):
        port = rng.randrange(first, end)
        if port in _HANDED_OUT:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    raise RuntimeError("no free loopback port below the ephemeral range")


def _tree(pid):
    """pid and its descendants."""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        out.add(p)
        todo += kids.get(p, [])
    return out


def listening_by(port, pid):
    """A check for wait_for: the loopback port is listened on by pid or one
    of its children, not merely by someone."""
    def check():
        inodes = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with open(table) as f:
                    rows = f.read().splitlines()[1:]
            except OSError:
                continue
            for row in rows:
                f = row.split()
                if f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f[9])
        if not inodes:
            return False
        for p in _tree(pid):
            try:
                for fd in os.listdir(f"/proc/{p}/fd"):
                    link = os.readlink(f"/proc/{p}/fd/{fd}")
                    if link.startswith("socket:[") and link[8:-1] in inodes:
                        return True
            except OSError:
                continue
        return False
    return check


def wait_for(check, what, timeout=30.0, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not come up in {timeout:.0f}s")


def port_open(port):
    def check():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False
    return check


def threads_stopped(pid):
    """Whether every thread of process pid is stopped (state T in
    /proc/pid/task/*/stat, the field after the command's closing bracket)."""
    task = f"/proc/{pid}/task"
    for tid in os.listdir(task):
        try:
            with open(os.path.join(task, tid, "stat"), "rb") as f:
                state = f.read().rpartition(b")")[2].split()[0]
        except (FileNotFoundError, IndexError):
            continue        # a thread that ended meanwhile
        if state not in (b"T", b"t"):
            return False
    return True


class Server:
    """A child process stopped by its pid: TERM, then KILL after a grace."""

    def __init__(self, name, argv, log, env=None):
        self.name = name
        self.log = open(log, "ab")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL, env=env,
                                     start_new_session=True)

    def up(self, check, what, timeout=30.0):
        """Wait until check() holds; a server that does not come up is
        stopped here, as no caller holds it yet to stop it."""
        try:
            wait_for(check, what, timeout, proc=self.proc)
        except BaseException:
            self.stop(grace=5)
            raise

    def stop(self, grace=20.0):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reap_group()
        self.log.close()

    def reap_group(self):
        """The server started in a process group of its own (its pid):
        what is left of it once it has exited - a FastCGI child lighttpd
        was still spawning when it stopped - is stopped too, by group."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def kill(self):
        """Stop without grace (a crash, for fault tests)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reap_group()


def rows(out):
    return [line.split("\t") for line in out.splitlines()]


class KeptClient:
    """A mariadb client reading statements from a pipe, kept to run query
    after query for one database.  Each query gets a connection of its own,
    as `mariadb -e` gives it: the client's `connect` first (a connection
    costs a fraction of a process start), so nothing of a query's session
    (variables, temporary tables, USE, a transaction left open, locks) is
    seen by the next.  After it the client is asked to print a marker of
    this query's own: what came before is the query's output.  On an error
    the client exits (batch mode without --force), its message in a file (a
    pipe no one reads could fill and stop it).  A query not done within
    TIMEOUT seconds (an unterminated quote takes the marker into its
    string and waits for more) kills the client."""

    TIMEOUT = 300

    def __init__(self, argv, database, base):
        self.argv = argv
        self.database = database
        self.lock = threading.Lock()
        self.err = tempfile.TemporaryFile(dir=base)
        # --unbuffered: its output flushed after each statement, not at exit.
        self.proc = subprocess.Popen(argv + ["--unbuffered"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.err,
                                     start_new_session=True)

    def run(self, sql):
        marker = ("memo-harness-" + secrets.token_hex(8)).encode()
        out = b""
        try:
            self.proc.stdin.write(f"connect {self.database};\n{sql}\n;\n".encode() +
                                  b"SELECT '" + marker + b"';\n")
            self.proc.stdin.flush()
        except BrokenPipeError:     # it had exited: its reason is in err
            pass
        else:
            fd, deadline = self.proc.stdout.fileno(), time.monotonic() + self.TIMEOUT
            while not (b"\n" + out).endswith(b"\n" + marker + b"\n"):
                if not select.select([fd], [], [], max(0, deadline - time.monotonic()))[0]:
                    self.proc.kill()
                    raise subprocess.TimeoutExpired(self.argv + ["-e", sql], self.TIMEOUT,
                                                    out.decode(errors="replace"))
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                out += chunk
            else:
                return out[:-len(marker) - 1].decode()
        rc = self.proc.wait()
        self.err.seek(0)
        raise subprocess.CalledProcessError(rc, self.argv + ["-e", sql],
                                            out.decode(errors="replace"),
                                            self.err.read().decode(errors="replace"))

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class MariaDB:
    """A private MariaDB: data, socket and logs under `base`, loopback port.
    tls: a dict with the server's "ca", "cert" and "key" files (PEM) to
    serve TLS on its port."""

    def __init__(self, base, port=None, tls=None):
        self.base = base
        self.tls = tls
        self.data = os.path.join(base, "data")
        self.socket = os.path.join(base, "mysqld.sock")
        self.port = port or free_port()
        self.server = None
        self.kept = {}
        self.kept_lock = threading.Lock()
        pwfile = os.path.join(base, "db-password")
        os.makedirs(base, exist_ok=True)
        if not os.path.exists(pwfile):
            fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT, 0o600)
            os.write(fd, secrets.token_urlsafe(18).encode())
            os.close(fd)
        with open(pwfile) as f:
            self.password = f.read().strip()

    def client_argv(self, database=None):
        argv = ["mariadb", "--no-defaults", "-S", self.socket, "-u", "root",
                "--batch", "--skip-column-names", "--default-character-set=utf8mb4"]
        return argv + [database] if database else argv

    def client(self, *args, database=None, stdin=None, check=True):
        """Run the mariadb client as root over the private socket, on a
        connection of its own."""
        return subprocess.run(self.client_argv(database) + list(args), input=stdin,
                              check=check, capture_output=True, text=True)

    def query(self, sql, database="memo"):
        """Rows of a query as lists of strings, as `client -e` gives them
        (raising CalledProcessError if it fails), on a connection of its
        own, through a client kept per database (KeptClient): starting one
        costs 16-23 ms of CPU on the test machine, and the tests make
        thousands of queries.  A query asked while another thread's is
        running, or of no database, gets a client of its own."""
        if not database:
            return self.query_alone(sql, database)
        with self.kept_lock:
            kept = self.kept.get(database)
            if kept is None:
                kept = self.kept[database] = KeptClient(self.client_argv(database),
                                                        database, self.base)
        if not kept.lock.acquire(blocking=False):
            return self.query_alone(sql, database)
        try:
            return rows(kept.run(sql))
        except BaseException:
            kept.close()
            with self.kept_lock:
                if self.kept.get(database) is kept:
                    del self.kept[database]
            raise
        finally:
            kept.lock.release()

    def query_alone(self, sql, database="memo"):
        """Rows of a query made on a connection of its own (a test counting
        the server's connections counts it)."""
        return rows(self.client("-e", sql, database=database).stdout)

    def forget_clients(self):
        """The kept clients closed: the server stops or restarts."""
        with self.kept_lock:
            kept, self.kept = self.kept, {}
        for k in kept.values():
            k.close()

    def start(self):
        self.forget_clients()
        user = os.environ.get("USER") or subprocess.run(
            ["id", "-un"], capture_output=True, text=True).stdout.strip()
        if not os.path.isdir(os.path.join(self.data, "mysql")):
            os.makedirs(self.data, exist_ok=True)
            p = subprocess.run(["mariadb-install-db", "--no-defaults",
                                f"--datadir={self.data}", f"--user={user}",
                                "--auth-root-authentication-method=socket",
                                f"--auth-root-socket-user={user}",
                                "--skip-test-db",
                                # Its bootstrap server's temporary tables
                                # under base, not /tmp: a MariaDB that
                                # starts deletes every #sql file in its
                                # tmpdir, and another lane's install-db or
                                # server starting there meanwhile made this
                                # one fail ("Error on delete of
                                # '/tmp/#sql-temptable-...'").
                                f"--tmpdir={self.base}"],
                               capture_output=True, text=True)
            if p.returncode != 0:
                # Its reason, not only its exit status.
                raise RuntimeError(f"mariadb-install-db exited {p.returncode}: "
                                   f"{(p.stdout + p.stderr).strip()[-2000:]}")
        argv = ["mariadbd", "--no-defaults", f"--datadir={self.data}",
                f"--socket={self.socket}", f"--port={self.port}",
                "--bind-address=127.0.0.1", f"--user={user}",
                f"--pid-file={os.path.join(self.base, 'mysqld.pid')}",
                f"--log-error={os.path.join(self.base, 'mysqld.err')}",
                f"--tmpdir={self.base}", "--skip-log-bin",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_unicode_ci",
                "--innodb-buffer-pool-size=64M", "--max-connections=600",
                "--skip-name-resolve"]
        if self.tls:
            argv += [f"--ssl-ca={self.tls['ca']}", f"--ssl-cert={self.tls['cert']}",
                     f"--ssl-key={self.tls['key']}"]
        self.server = Server("mariadb", argv, os.path.join(self.base, "mysqld.out"))
        self.server.up(lambda: self.client("-e", "SELECT 1", check=False).returncode == 0,
                       "MariaDB", timeout=60)
        return self

    def bootstrap(self, database="memo", user="memo"):
        pw = self.password.replace("'", "''")
        sql = f"CREATE DATABASE IF NOT EXISTS `{database}` CHARACTER SET utf8mb4;\n"
        for host in ("localhost", "127.0.0.1"):
            sql += (f"CREATE USER IF NOT EXISTS '{user}'@'{host}' IDENTIFIED BY '{pw}';\n"
                    f"GRANT ALL ON `{database}`.* TO '{user}'@'{host}';\n")
        self.client(stdin=sql)
        self.apply_schema(database, user)

    def apply_schema(self, database="memo", user="memo"):
        """Apply schema/ with tools/migrate as `user` (bootstrap made it),
        exactly as `make migrate` and a deployed instance do."""
        config = os.path.join(self.base, f"migrate-{database}.env")
        write_env(config, {"DB_SOCKET": self.socket, "DB_USER": user,
                           "DB_PASSWORD": self.password, "DB_DATABASE": database})
        p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "migrate"),
                            "--config", config], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"migrate: {p.stdout}{p.stderr}")
        return p.stdout

    def stop(self):
        self.forget_clients()
        if self.server:
            self.server.stop(grace=60)
            self.server = None

    def kill(self):
        self.forget_clients()
        if self.server:
            self.server.kill()
            self.server = None

    def pause(self):
        """Freeze the server (SIGSTOP): it accepts connections, answers none.
        Returns once every thread is stopped: kill() returns with the signal
        only queued, and the threads stop when the one the kernel picked to
        take it next runs; on a busy machine another thread could answer a
        query meanwhile (a test saw /health 200 in 0.02 s)."""
        pid = self.server.proc.pid
        os.kill(pid, signal.SIGSTOP)
        wait_for(lambda: threads_stopped(pid), "MariaDB's every thread stopped",
                 timeout=20)

    def resume(self):
        os.kill(self.server.proc.pid, signal.SIGCONT)


class NaverDev:
    """devlogin/naver_dev.py: the development provider and test double.
    tls: a dict with the "cert" and "key" files (PEM) to serve HTTPS with,
    and the "ca" that signed them (NAVER_CA_FILE in settings()); log: its
    log file (default base/naver_dev.log)."""

    def __init__(self, base, port=None, client_id="dev-client-id",
                 client_secret=None, hang_seconds=30, tls=None, log=None):
        self.port = port or free_port()
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(16)
        self.tls = tls
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.log = log or os.path.join(base, "naver_dev.log")
        argv = [sys.executable, os.path.join(ROOT, "devlogin", "naver_dev.py"),
                # "--opt=value": a random secret may start with "-", which
                # argparse would take for an option.
                "--port", str(self.port), f"--client-id={self.client_id}",
                f"--client-secret={self.client_secret}",
                "--hang-seconds", str(hang_seconds)]
        if tls:
            argv += [f"--tls-cert={tls['cert']}", f"--tls-key={tls['key']}"]
        self.server = Server("naver_dev", argv, self.log)
        self.server.up(listening_by(self.port, self.server.proc.pid), "naver_dev")

    def settings(self):
        out = {"NAVER_CLIENT_ID": self.client_id,
               "NAVER_CLIENT_SECRET": self.client_secret,
               "NAVER_AUTHORIZE_URL": self.url + "/oauth2.0/authorize",
               "NAVER_TOKEN_URL": self.url + "/oauth2.0/token",
               "NAVER_PROFILE_URL": self.url + "/v1/nid/me"}
        if self.tls:
            out["NAVER_CA_FILE"] = self.tls["ca"]
        return out

    def stop(self):
        self.server.stop(grace=5)


def write_env(path, settings):
    """Write a dotenv file the CGIs read (0600: it holds secrets).  Values
    are double-quoted with \\ and " escaped, as cfg.c reads them (a
    checkout path may hold either); a line break cannot be written."""
    for k, v in settings.items():
        if "\n" in str(v) or "\r" in str(v):
            raise ValueError(f"setting {k} holds a line break")
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("# generated by tools/stack.py\n")
        for k, v in settings.items():
            quoted = str(v).replace("\\", "\\\\").replace('"', '\\"')
            f.write(f"{k}=\"{quoted}\"\n" if v else f"{k}=\n")
    os.replace(path + ".tmp", path)


MODES = {"cgi": "lighttpd.conf", "fastcgi": "lighttpd-fastcgi.conf"}


class Lighttpd:
    """lighttpd with the project's lighttpd.conf (mode "cgi") or
    lighttpd-fastcgi.conf (mode "fastcgi"), in the foreground (-D).
    cgi_dir serves the CGIs of another build (MEMO_CGI_DIR)."""

    def __init__(self, state, config, port=None, prefix="", root=ROOT,
                 conf=None, bind="127.0.0.1", cgi_dir=None, mode="cgi",
                 extra_env=None):
        self.mode = mode
        self.port = port or free_port()
        self.state = state
        self.prefix = prefix
        self.url = f"http://127.0.0.1:{self.port}{prefix}/"
        self.args = dict(state=state, config=config, port=self.port, prefix=prefix,
                         root=root, conf=conf, bind=bind, cgi_dir=cgi_dir,
                         mode=mode, extra_env=extra_env)
        os.makedirs(state, exist_ok=True)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "MEMO_ROOT": root, "MEMO_STATE": state,
               "MEMO_PORT": str(self.port), "MEMO_BIND": bind,
               "MEMO_PREFIX": prefix, "MEMO_CONFIG": config}
        if cgi_dir:
            env["MEMO_CGI_DIR"] = cgi_dir
        env.update(extra_env or {})
        self.env = env
        self.conf = conf or os.path.join(ROOT, MODES[mode])
        argv = ["lighttpd", "-D", "-f", self.conf]
        self.server = Server("lighttpd", argv, os.path.join(state, "lighttpd.out"), env=env)
        self.server.up(listening_by(self.port, self.server.proc.pid), "lighttpd")

    def fastcgi_pids(self, program):
        """Pids of our FastCGI children running cgi-bin/PROGRAM.cgi, or
        PROGRAM itself if it is a path (none in CGI mode, or before the
        first request starts them)."""
        want = os.path.realpath(program if "/" in program else
                                os.path.join(ROOT, "cgi-bin", program + ".cgi"))
        pids = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                if ppid == self.server.proc.pid and \
                        os.path.realpath(f"/proc/{d}/exe") == want:
                    pids.append(int(d))
            except (OSError, IndexError, ValueError):
                continue    # exited while we looked
        return pids

    def stop(self):
        self.server.stop(grace=10)

    def restart(self):
        """The same server again (same port and files), once stopped."""
        self.stop()
        return Lighttpd(**self.args)

    def resolved_config(self):
        """The configuration as lighttpd resolved it (lighttpd -p)."""
        return subprocess.run(["lighttpd", "-p", "-f", self.conf], env=self.env,
                              capture_output=True, text=True, check=True).stdout


class Apache:
    """Debian's apache2 in the foreground with a config of its own (ServerRoot,
    pid file, logs all under `state`), prefork + mod_cgi, serving an installed
    memo through the installed conf-available/memo.conf: at / on one port
    and at /memo/ on another.  `destdir` is the root of that install."""

    MODULES = ("mpm_prefork", "authz_core", "alias", "cgi", "headers", "env",
               "mime", "dir")

    def __init__(self, state, destdir, config, prefix="/usr/local",
                 sysconfdir="/etc"):
        self.state = state
        self.port, port2 = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        # The /memo/ mount, shaped like a Lighttpd for the tests (url, state).
        self.prefixed = types.SimpleNamespace(url=f"http://127.0.0.1:{port2}/memo/",
                                              state=state)
        os.makedirs(os.path.join(state, "empty"), exist_ok=True)
        mods = "".join(f"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so\n"
                       for m in self.MODULES)
        site = f'''Include "{destdir}{sysconfdir}/apache2/conf-available/memo.conf"
    CustomLog "{state}/access.log" memo'''
        conf = f'''# generated by tools/stack.py
ServerRoot "{state}"
ServerName 127.0.0.1
DefaultRuntimeDir "{state}"
PidFile "{state}/apache2.pid"
ErrorLog "{state}/error.log"
LogLevel warn
Mutex file:{state} default
{mods}TypesConfig /etc/mime.types
DocumentRoot "{state}/empty"
StartServers 2
MinSpareServers 2
MaxSpareServers 8
MaxRequestWorkers 32
Listen 127.0.0.1:{self.port}
Listen 127.0.0.1:{port2}
Define MEMO_CGI_DIR "{destdir}{prefix}/lib/memo/cgi-bin"
Define MEMO_STATIC_DIR "{destdir}{prefix}/share/memo/htdocs/static"
Define MEMO_CONFIG "{config}"
<VirtualHost 127.0.0.1:{self.port}>
    {site}
</VirtualHost>
Define MEMO_MOUNT "/memo"
<VirtualHost 127.0.0.1:{port2}>
    {site}
</VirtualHost>
'''
        self.conf = os.path.join(state, "apache2.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        argv = ["apache2", "-d", state, "-f", self.conf, "-DFOREGROUND"]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C"}
        self.server = Server("apache2", argv, os.path.join(state, "apache2.out"), env=env)
        for port in (self.port, port2):
            self.server.up(listening_by(port, self.server.proc.pid), "apache2")

    def stop(self):
        self.server.stop(grace=10)


class HAProxy:
    """haproxy in front of web nodes, health-checking GET `check` (by
    default /health/live, as the AWS target group does), standing in for an
    ELB.  `backends` is a list of (name, port)."""

    def __init__(self, state, backends, inter_ms=200, fall=2, rise=2, check="/health/live"):
        os.makedirs(state, exist_ok=True)
        self.state = state
        self.port = free_port()
        self.stats_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        servers = "".join(
            f"    server {name} 127.0.0.1:{port} check inter {inter_ms} "
            f"fall {fall} rise {rise}\n" for name, port in backends)
        conf = f'''# generated by tools/stack.py
global
    pidfile {state}/haproxy.pid
    log stderr format short local0 info
defaults
    mode http
    log global
    # %HPO: the path without the query string (/auth?code=… is secret);
    # %rc: how many times the request was retried on another node.
    log-format "%ci [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %tsc %HM %HPO retries=%rc"
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    # A node that refuses the connection (stopped) is skipped: each retry
    # goes to another node.  A request a node has received is never sent
    # again (a POST could be applied twice).
    retries 3
    option redispatch 1
frontend web
    bind 127.0.0.1:{self.port}
    default_backend memo
frontend stats
    bind 127.0.0.1:{self.stats_port}
    stats enable
    stats uri /stats
backend memo
    balance roundrobin
    option httpchk GET {check}
    http-check expect status 200
    # Which node answered (for the tests' counts; an ELB has no such thing).
    http-response set-header X-Served-By %s
{servers}'''
        self.conf = os.path.join(state, "haproxy.cfg")
        with open(self.conf, "w") as f:
            f.write(conf)
        argv = ["haproxy", "-db", "-f", self.conf]
        self.server = Server("haproxy", argv, os.path.join(state, "haproxy.log"))
        self.server.up(listening_by(self.port, self.server.proc.pid), "haproxy")

    def status(self):
        """{server name: "UP"/"DOWN"/…} from the stats page's CSV."""
        with socket.create_connection(("127.0.0.1", self.stats_port), timeout=2) as c:
            c.sendall(b"GET /stats;csv HTTP/1.0\r\n\r\n")
            data = b""
            while chunk := c.recv(65536):
                data += chunk
        out = {}
        for line in data.decode().split("\r\n\r\n", 1)[-1].splitlines():
            f = line.split(",")
            if len(f) > 17 and f[0] == "memo" and f[1] not in ("BACKEND", "FRONTEND"):
                out[f[1]] = f[17]
        return out

    def stop(self):
        self.server.stop(grace=5)


def rss_kib(pid):
    """A process's resident memory now (VmRSS), in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def settings_from_env():
    return {k: os.environ[k] for k in SETTINGS if k in os.environ}


def run(args):
    base = os.path.abspath(args.state)
    os.makedirs(base, exist_ok=True)
    started = []
    stop_now = []

    def on_signal(signum, frame):
        stop_now.append(signum)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        settings = {"DB_DATABASE": "memo", "DB_USER": "memo"}
        own = settings_from_env()
        if "DB_HOST" not in own and "DB_SOCKET" not in own:
            db = MariaDB(os.path.join(base, "mariadb"),
                         port=int(os.environ.get("DB_PRIVATE_PORT", "0")) or None)
            started.append(db.start())
            db.bootstrap()
            settings.update(DB_SOCKET=db.socket, DB_HOST="127.0.0.1",
                            DB_PORT=str(db.port), DB_PASSWORD=db.password)
            print(f"MariaDB (private): socket {db.socket}, port {db.port}")
        if "NAVER_CLIENT_ID" not in own:
            naver = NaverDev(base)
            started.append(naver)
            settings.update(naver.settings())
            print(f"development login provider: {naver.url}/ (type any name)")
        settings.update(own)
        prefix = args.prefix.rstrip("/")
        settings.setdefault("NAVER_REDIRECT_URI",
                            f"http://127.0.0.1:{args.port}{prefix}/auth")
        config = os.path.join(base, "memo.env")
        write_env(config, settings)
        procs = os.environ.get("MEMO_FCGI_PROCS")
        web = Lighttpd(os.path.join(base, "lighttpd"), config, port=args.port,
                       prefix=prefix, mode=args.mode,
                       extra_env={"MEMO_FCGI_PROCS": procs} if procs else None)
        started.append(web)
        print(f"\nmemo is serving {web.url} as {args.mode}   (Ctrl-C stops everything)")
        # The CGIs' stderr (their one-line reasons) is lighttpd's own
        # stderr, which Server captures in lighttpd.out, not error.log.
        print(f"logs: {web.state}/lighttpd.out (the CGIs' error lines), error.log"
              f" (lighttpd's), access.log; settings: {config}")
        sys.stdout.flush()
        while not stop_now:
            if any(getattr(s, "server", None) and s.server and
                   s.server.proc.poll() is not None for s in started):
                print("a server exited; stopping", file=sys.stderr)
                return 1
            time.sleep(0.3)
        return 0
    finally:
        print("\nstopping…")
        for s in reversed(started):
            s.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="serve the app until Ctrl-C")
    r.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    r.add_argument("--prefix", default=os.environ.get("PREFIX", ""))
    r.add_argument("--state", default=os.path.join(ROOT, "var", "run"),
                   help="folder of the servers' data, logs and memo.env")
    r.add_argument("--mode", choices=sorted(MODES),
                   default=os.environ.get("MODE") or "cgi")
    args = p.parse_args()
    if shutil.which("lighttpd") is None or shutil.which("mariadbd") is None:
        sys.exit("lighttpd and mariadb-server are needed: run `make deps`")
    sys.exit(run(args))


if __name__ == "__main__":
    main()
