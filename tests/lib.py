"""lib.py - the test harness: registration, assertions, an HTTP client with a
cookie jar, and a runner for CGIs by hand.  Standard library only."""
import base64
import contextlib
import hashlib
import http.client
import io
import json
import os
import secrets
import shutil
import subprocess
import time
import traceback
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = []

# Which CGIs run_cgi runs, and how: the runner (tests/run.py) switches these
# between passes (the real build, the sanitizer build, under valgrind).
CGI_DIR = os.path.join(ROOT, "cgi-bin")
CGI_WRAPPER = []        # e.g. ["valgrind", ...]: argv put before the CGI
CGI_STDERR = []         # (cgi, stderr) of every run_cgi, for the log checks
# Every session id, OAuth state, authorization code and access token the
# tests used, by kind: test_logs.py checks no log of the run holds one.
SECRETS = {"session id": set(), "state": set(), "code": set(), "access token": set()}


# Each heading and when it was printed: the table at the end says where the
# run's time went (builds and servers between tests included, which the
# tests' own times leave out).
PHASES = []


def phase(name):
    """Print a phase's heading (run.py, sanitizers.py)."""
    PHASES.append((name, time.monotonic()))
    print("== " + name, flush=True)


def phase_times(end, phases=None):
    """The phases (PHASES: name, start) that took a second or more, in the
    order they ran: each until the next one's start, the last until end."""
    phases = PHASES if phases is None else phases
    ends = [t for _, t in phases[1:]] + [end]
    lines = [f"{e - t:6.0f}s  {name}" for (name, t), e in zip(phases, ends) if e - t >= 1]
    return "\n".join(["", "time by phase:"] + lines)


def test(fn):
    """Register a test: a function taking the shared fixture `env`."""
    TESTS.append(fn)
    return fn


def page_logic(fn):
    """Mark a page test whose subject is the page's own code (the order of
    cards, an IME composition, what it renders): the browser pass in FastCGI
    mode leaves it out, as the server's mode cannot change it.  Every test
    the server's answers matter to runs in both modes."""
    fn.page_logic = True
    return fn


@contextlib.contextmanager
def settings(env, **changed):
    """The service's settings file with `changed` for a while, then as
    run.py wrote it: a CGI reads it at each request, a FastCGI process
    once it changed (test_fastcgi.settings_file_changes_seen)."""
    import stack        # tools/, on the path run.py sets
    mode = os.stat(env.config).st_mode & 0o777     # an install's is 0640

    def write(values):
        stack.write_env(env.config, values)
        os.chmod(env.config, mode)
    write(dict(env.settings, **changed))
    try:
        yield
    finally:
        write(env.settings)


class Failed(AssertionError):
    pass


class Skipped(Exception):
    """A test that cannot run on this machine (a tool is missing): counted
    as skipped, never as passed."""


def skip_unless_tools(*tools, how):
    """Skip the test unless every command in `tools` is on PATH; the reason
    names what is missing and `how` says how to get it."""
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise Skipped(f"{', '.join(missing)} not installed ({how})")


def check(cond, what):
    if not cond:
        raise Failed(what)


def eq(got, want, what=""):
    if got != want:
        raise Failed(f"{what}: got {got!r}, want {want!r}")


def record(results, ok, name, detail=""):
    """A result that is not a @test function's (lint, fuzzing, a sanitizer
    pass): appended to results and printed as "ok - name" or "FAIL - name",
    with the last 40 lines of detail under a failure."""
    results.append((ok, name))
    print(f"{'ok' if ok else 'FAIL'} - {name}", flush=True)
    if not ok and detail:
        for line in detail.strip().splitlines()[-40:]:
            print(f"    {line}")


def run_tests(tests, env, results, only=None, label=""):
    """Run `tests` against `env`; `label` prefixes the names when one suite
    runs against several servers.  What a test prints ("saw: …") is shown
    under its result line.  Each result is (True, name), (False, name), or
    (None, name) for a test that raised Skipped."""
    for fn in tests:
        name = label + (fn.__doc__ or fn.__name__).strip().splitlines()[0]
        if only and only not in name and only not in fn.__name__:
            continue
        t0 = time.monotonic()
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                fn(env)
            results.append((True, name))
            print(f"ok - {name} ({time.monotonic() - t0:.2f}s)", flush=True)
            print(out.getvalue(), end="", flush=True)
        except Skipped as e:
            results.append((None, name))
            print(f"SKIP - {name}: {e}", flush=True)
            print(out.getvalue(), end="", flush=True)
        except Exception as e:  # a failed check or a crash both fail the test
            results.append((False, name))
            print(f"FAIL - {name} ({time.monotonic() - t0:.2f}s)", flush=True)
            print(out.getvalue(), end="", flush=True)
            detail = str(e) if isinstance(e, Failed) else traceback.format_exc()
            for line in detail.strip().splitlines():
                print(f"    {line}", flush=True)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers          # list of (name, value)
        self.body = body                # bytes

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.body[:200]!r}>"


def refused_by_web_server(r):
    """Whether an error answer is the web server's own page (the request
    never reached a CGI), not memo's JSON {"error": ...}: a CGI answers a
    body over its limit with 413 too, so the status alone cannot tell."""
    if (r.header("Content-Type") or "").startswith("application/json"):
        return False
    try:
        return not isinstance(json.loads(r.body).get("error"), str)
    except (ValueError, AttributeError):
        return True


def parse_set_cookie(value):
    parts = [p.strip() for p in value.split(";")]
    name, _, val = parts[0].partition("=")
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.lower()] = v
    return name, val, attrs


class Browser:
    """An HTTP client that keeps cookies the way a browser would (by name;
    Max-Age=0 deletes) and never follows redirects by itself."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.prefix = u.path.rstrip("/")
        self.cookies = {}

    def request(self, method, path, body=None, headers=None, timeout=30):
        h = {"Host": f"{self.host}:{self.port}"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(headers or {})
        if path.startswith("/"):
            path = self.prefix + path
        for code in urllib.parse.parse_qs(urllib.parse.urlsplit(path).query).get("code", []):
            SECRETS["code"].add(code)
            SECRETS["access token"].add("AT." + code)
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            resp = Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()
        for v in resp.all("Set-Cookie"):
            name, val, attrs = parse_set_cookie(v)
            if val and name in ("sessionId", "oauthState"):
                SECRETS["session id" if name == "sessionId" else "state"].add(val)
            if attrs.get("max-age") == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = val
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post_json(self, path, obj=None, raw=None, ctype="application/json", **kw):
        body = raw if raw is not None else json.dumps(obj).encode()
        return self.request("POST", path, body=body,
                            headers={"Content-Type": ctype}, **kw)

    def patch_json(self, path, obj, **kw):
        return self.request("PATCH", path, body=json.dumps(obj).encode(),
                            headers={"Content-Type": "application/json"}, **kw)


def http_get(url, headers=None, timeout=30):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        path = u.path + ("?" + u.query if u.query else "")
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return Response(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


def http_post_form(url, fields, timeout=30):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.request("POST", u.path, body=urllib.parse.urlencode(fields),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        return Response(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


def to_naver(r, what="/login"):
    """Where login.cgi sends the browser: a login's 302 Location, or the
    URL of a withdrawal's 200 {"location": …} (POST /login?intent=withdraw)."""
    if r.status == 302:
        return r.header("Location")
    eq(r.status, 200, f"{what}: {r.body[:200]!r}")
    return r.json()["location"]


def code_for(name, scenario="ok"):
    """An authorization code the Naver double understands (see naver_dev.py)."""
    b64 = base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")
    code = f"{scenario}.{b64}.{secrets.token_urlsafe(9)}"
    SECRETS["code"].add(code)
    SECRETS["access token"].add("AT." + code)   # how the double makes tokens
    return code


def naver_id(name):
    return "dev" + hashlib.sha256(name.encode()).hexdigest()[:32]


def sql_session(db, database="memo"):
    """A mariadb client of its own on db (a stack.MariaDB) as root, reading
    statements from its stdin and answering a line each as they run: a
    second session that holds a transaction open while a test works."""
    return subprocess.Popen(
        ["mariadb", "--no-defaults", "-S", db.socket, "-u", "root", "--batch",
         "--skip-column-names", "--unbuffered", database],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def logs_of(env):
    """What the CGIs wrote to stderr through this server, so far."""
    out = ""
    for name in ("error.log", "lighttpd.out"):
        p = os.path.join(env.web.state, name)
        if os.path.exists(p):
            out += open(p, errors="replace").read()
    return out


def sha256_hex(s):
    return hashlib.sha256(s.encode()).hexdigest()


def start_login(b):
    """GET /login; returns (state, authorize URL)."""
    r = b.get("/login")
    eq(r.status, 302, "GET /login status")
    loc = r.header("Location")
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
    return q["state"][0], loc


def login(b, name, scenario="ok"):
    """The whole login as a browser does it; returns the /auth response."""
    state, _ = start_login(b)
    code = code_for(name, scenario)
    return b.get("/auth?" + urllib.parse.urlencode({"code": code, "state": state}))


def run_cgi(name, env, body=None, stdin=None, timeout=30, cgi_dir=None):
    """Run cgi-bin/NAME.cgi by hand as an operator would: CGI variables in
    the environment and the body on stdin.  Returns (Response, stderr).
    cgi_dir (default CGI_DIR) picks another build; CGI_WRAPPER is put in
    front (valgrind)."""
    argv = CGI_WRAPPER + [os.path.join(cgi_dir or CGI_DIR, name + ".cgi")]
    full = {"PATH": "/usr/bin:/bin", "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1", "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "/" + name}
    full.update(env)
    if body is not None and "CONTENT_LENGTH" not in full:
        full["CONTENT_LENGTH"] = str(len(body))
    p = subprocess.run(argv, env=full, input=body if stdin is None else None,
                       stdin=stdin, capture_output=True, timeout=timeout)
    CGI_STDERR.append((name, p.stderr.decode("utf-8", "replace")))
    check(p.returncode == 0, f"{name}.cgi exited with {p.returncode}: {p.stderr!r}")
    head, sep, payload = p.stdout.partition(b"\r\n\r\n")
    check(sep, f"{name}.cgi printed no header block: {p.stdout[:200]!r}")
    lines = head.decode("latin-1").split("\r\n")
    check(lines[0].startswith("Status: "), f"first line is not Status: {lines[0]!r}")
    status = int(lines[0].split()[1])
    headers = [tuple(x.strip() for x in l.split(":", 1)) for l in lines[1:]]
    return Response(status, headers, payload), p.stderr.decode("utf-8", "replace")
