"""test_userdata.py - the AMI bake and an instance's boot, as far as a
machine without AWS allows.

The bake (deploy/aws/bake-ami.sh) installs its Debian packages for real
with apt-get, builds, and installs into a folder standing for the image's
/ (MEMO_ROOT_DIR), with Debian's /etc/lighttpd copied in as the lighttpd
package leaves it; its package purge is simulated (apt-get -s).  Then the
stack's own user data, taken from deploy/aws/memo.yaml with the stack's
values filled in, boots that folder: tests/ec2_stub.py stands for the AWS
CLI (SSM, Secrets Manager, RDS, the CloudFormation signal) and systemd
(lighttpd started from the instance's /etc/lighttpd, paths re-rooted, on a
loopback port), and a database of the tests' MariaDB stands for RDS, over
TCP.  What the test itself changes in the user data is listed in
user_data(): the database name, no TLS (the stand-in has none), the Naver
double's URLs, and where memo-setup is."""
import glob
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import lib
import stack
from lib import Browser, check, eq, http_get, login, test

AWS = os.path.join(stack.ROOT, "deploy", "aws")
SETUP = os.path.join(AWS, "memo-setup.sh")
STUB = os.path.join(stack.ROOT, "tests", "ec2_stub.py")
migrate_tool = __import__("importlib.machinery").machinery.SourceFileLoader(
    "migrate_tool", os.path.join(stack.ROOT, "tools", "migrate")).load_module()
STACK = "memo-test"
INSTANCE = "i-0123456789test"
TARGET_GROUP = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/memo/0123"


def packages(kind):
    return subprocess.run(["sh", SETUP, "packages", kind], capture_output=True, text=True,
                          check=True).stdout.split()


def user_data_template():
    """The launch template's user data in memo.yaml: (text, its variables)."""
    import test_aws
    t = test_aws.template()
    sub = t["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateData"]["UserData"]
    text, variables = sub["Fn::Base64"]["!Sub"]
    return text, variables


def fill(text, values):
    """${Name} and ${AWS::X} filled in as CloudFormation does; every one."""
    out = re.sub(r"\$\{([A-Za-z0-9:]+)\}", lambda m: values[m.group(1)], text)
    check("${" not in out, f"unfilled: {out}")
    return out


def edit(text, old, new):
    check(old in text, f"the user data has {old!r}")
    return text.replace(old, new)


def user_data(env, root, mode="cgi", procs="4", db_port=None):
    """The stack's user data for this test's instance."""
    text, _ = user_data_template()
    text = fill(text, {
        "AWS::Region": "ap-northeast-2", "AWS::StackName": STACK, "MemoMode": mode,
        "FastCgiProcesses": procs, "BalancerCidrs": "127.0.0.2/32",
        "DbHost": "127.0.0.1", "DbPort": str(db_port or env.db.port),
        "AppDbSecret": "arn:app", "MigrateDbSecret": "arn:migrate", "Database": "memo-db",
        "CreateDbUsers": "true", "NaverClientIdParameter": "/memo/test/NAVER_CLIENT_ID",
        "NaverClientSecretParameter": "/memo/test/NAVER_CLIENT_SECRET",
        "DomainName": "memo.example.com", "TrashDays": "21",
        "TargetGroup": TARGET_GROUP})
    # The test's own changes: its database, no TLS, the Naver double, and
    # memo-setup where the bake put it.
    text = edit(text, "export DB_DATABASE=memo\n", "export DB_DATABASE=memo_aws\n")
    text = edit(text, "export DB_SSL_CA=/etc/memo/rds-global-bundle.pem\n", "export DB_SSL_CA=\n")
    text = edit(text, "exec /usr/local/sbin/memo-setup boot",
                "".join(f"export {k}='{v}'\n" for k, v in env.naver.settings().items()
                        if k.endswith("_URL")) +
                f"exec {root}/usr/local/sbin/memo-setup boot")
    return text


class Instance:
    """The stub's configuration and the environment of a boot of `root`."""

    def __init__(self, env, root, name):
        self.root = root
        self.dir = os.path.join(env.base, f"ec2-stub-{name}")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(os.path.join(self.dir, "bin"))
        self.port = stack.free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = os.path.join(self.dir, "calls.log")
        self.passwords = {k: secrets.token_urlsafe(18) for k in ("app", "migrate", "master")}
        # RDS makes the master password itself, of any printable character
        # but / " @ (a quote, a backslash, a glob, an option file's comment);
        # \n, \s and \\ are escapes to the client's option file (a \ must
        # reach it doubled: sh's echo would undo that).
        self.passwords["master"] += "'\\*?[$#;`!&\\n\\s\\\\"
        # test_logs.py checks no log of the run holds one.
        lib.SECRETS.setdefault("database user password", set()).update(self.passwords.values())
        naver = env.naver.settings()
        self.conf = {
            "log": self.log, "root": root, "state": self.dir, "port": self.port,
            "ssm": {"/memo/test/NAVER_CLIENT_ID": naver["NAVER_CLIENT_ID"],
                    "/memo/test/NAVER_CLIENT_SECRET": naver["NAVER_CLIENT_SECRET"]},
            "secrets": {f"arn:{k}": json.dumps({"username": u, "password": self.passwords[k]})
                        for k, u in (("app", "memo_app"), ("migrate", "memo_migrate"),
                                     ("master", "rdsmaster"))},
            "db_instances": {"memo-db": "arn:master"}}
        with open(os.path.join(self.dir, "stub.json"), "w") as f:
            json.dump(self.conf, f)
        for tool in ("aws", "systemctl"):
            path = os.path.join(self.dir, "bin", tool)
            with open(path, "w") as f:
                f.write(f'#!/bin/sh\nexec {sys.executable} {STUB} {tool} "$@"\n')
            os.chmod(path, 0o755)

    def run(self, script, extra=None, timeout=600):
        path = os.path.join(self.dir, "user-data.sh")
        with open(path, "w") as f:
            f.write(script)
        e = {"PATH": os.path.join(self.dir, "bin") + ":" + os.environ["PATH"],
             "HOME": self.dir, "MEMO_ROOT_DIR": self.root, "MEMO_STUB": os.path.join(
                 self.dir, "stub.json"), "MEMO_INSTANCE_ID": INSTANCE,
             "MEMO_HEALTH_URL": self.url, "MEMO_DB_RETRY": "1"}
        e.update(extra or {})
        return subprocess.run(["sh", path], env=e, capture_output=True, text=True,
                              timeout=timeout)

    def calls(self):
        return open(self.log).read().splitlines() if os.path.exists(self.log) else []

    def lighttpd_pid(self):
        try:
            return int(open(os.path.join(self.root, "run", "lighttpd.pid")).read())
        except (OSError, ValueError):
            return None

    def stop(self):
        subprocess.run([sys.executable, STUB, "systemctl", "stop", "lighttpd"],
                       env={"MEMO_STUB": os.path.join(self.dir, "stub.json"),
                            "PATH": os.environ["PATH"]})


class MetadataDouble:
    """The instance metadata service as IMDSv2 answers (the launch template
    requires its token): PUT api/token with a TTL header gives a token,
    meta-data/instance-id answers only with that token (401 otherwise).
    The first `hang` token requests get no answer for 6 s."""

    def __init__(self, hang=0):
        self.token = secrets.token_urlsafe(24)
        self.asked = []
        self.hang = hang
        double = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self, status, body=b""):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_PUT(self):
                double.asked.append(("PUT", self.path))
                if double.hang > 0:
                    double.hang -= 1
                    time.sleep(6)
                    return
                if self.path != "/latest/api/token" or not self.headers.get(
                        "X-aws-ec2-metadata-token-ttl-seconds", "").isdigit():
                    return self.answer(400)
                self.answer(200, double.token.encode())

            def do_GET(self):
                double.asked.append(("GET", self.path))
                if self.headers.get("X-aws-ec2-metadata-token") != double.token:
                    return self.answer(401)
                if self.path != "/latest/meta-data/instance-id":
                    return self.answer(404)
                self.answer(200, INSTANCE.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/latest"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def rds_database(env, inst):
    """memo_aws on the tests' MariaDB, empty, and RDS's master user."""
    pw = inst.passwords["master"].replace("\\", "\\\\").replace("'", "\\'")
    env.db.client(stdin="DROP DATABASE IF EXISTS memo_aws;\n"
                        "DROP USER IF EXISTS 'memo_app'@'%', 'memo_migrate'@'%', "
                        "'rdsmaster'@'%';\n"
                        f"CREATE USER 'rdsmaster'@'%' IDENTIFIED BY '{pw}';\n"
                        "GRANT ALL ON *.* TO 'rdsmaster'@'%' WITH GRANT OPTION;\n")


def prepare_image(env, root):
    """A Debian 12 builder as the bake finds it, under root: lighttpd's
    /etc/lighttpd and placeholder page, SSH keys, a machine id, shell
    history, memo's source in the admin user's home."""
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    shutil.copytree("/etc/lighttpd", os.path.join(root, "etc", "lighttpd"), symlinks=True)
    www = os.path.join(root, "var", "www", "html")
    os.makedirs(www)
    with open(os.path.join(www, "index.lighttpd.html"), "w") as f:
        f.write("Debian placeholder page\n")
    files = {"etc/ssh/ssh_host_ed25519_key": "builder host key",
             "home/admin/.ssh/authorized_keys": "ssh-ed25519 AAAA builder@laptop",
             "root/.ssh/authorized_keys": "ssh-ed25519 AAAA builder@laptop",
             "home/admin/.bash_history": "sudo sh memo/deploy/aws/bake-ami.sh",
             "etc/machine-id": "0123456789abcdef0123456789abcdef"}
    for rel, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        with open(os.path.join(root, rel), "w") as f:
            f.write(text + "\n")
    # The source with its build (timestamps kept: make finds it up to date).
    src = os.path.join(root, "home", "admin", "memo")
    shutil.copytree(stack.ROOT, src, ignore=shutil.ignore_patterns(
        ".git", "var", "build-asan", "build-fuzz", "build-*"), symlinks=True)
    return src


def header_owners():
    """The Debian packages owning every header and library the build uses."""
    flags = subprocess.run(["pkg-config", "--cflags", "libmariadb", "json-c"],
                           capture_output=True, text=True, check=True).stdout.split()
    sources = [s for d in ("common", "cgi-bin", "maint")
               for s in glob.glob(os.path.join(stack.ROOT, d, "*.c"))]
    p = subprocess.run(["cc", "-M", "-D_GNU_SOURCE", "-I" + os.path.join(stack.ROOT, "common"),
                        "-I" + os.path.join(stack.ROOT, "build"), *flags, *sources],
                       capture_output=True, text=True, check=True)
    headers = {w for w in p.stdout.replace("\\\n", " ").split() if w.startswith("/usr/include/")}
    libs = set()
    for name in ("mariadb", "ssl", "crypto", "z", "json-c", "nettle", "fcgi", "unistring", "curl"):
        for ext in (".a", ".so"):
            path = subprocess.run(["cc", f"-print-file-name=lib{name}{ext}"],
                                  capture_output=True, text=True).stdout.strip()
            if os.path.isabs(path):
                libs.add(os.path.normpath(path))

    def owned(paths):
        out = subprocess.run(["dpkg", "-S", *paths], capture_output=True, text=True).stdout
        return {line.split(": ", 1)[1]: line.split(":")[0].split(",")[0].strip()
                for line in out.splitlines() if ": " in line}
    # dpkg knows a file by the path its package ships (a link, or /lib
    # rather than /usr/lib): the path, then where it leads.
    found = owned(sorted(headers | libs))
    rest = [p for p in headers | libs if p not in found]
    real = owned(sorted({os.path.realpath(p) for p in rest})) if rest else {}
    owners = {}
    for path in sorted(headers | libs):
        pkg = found.get(path) or real.get(os.path.realpath(path))
        check(pkg, f"no package owns {path}")
        owners.setdefault(pkg, path)
    return owners, len(headers), len(libs)


def closure(names):
    """The packages `names` bring in (Depends and Pre-Depends, recursively)."""
    p = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                        "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances",
                        "--installed", *names], capture_output=True, text=True, check=True)
    return {line.split(":")[0] for line in p.stdout.splitlines()
            if line and not line.startswith(" ") and not line.startswith("<")}


def missing_from_bake(owners, build):
    have = closure(build)
    return sorted(pkg for pkg in owners if pkg not in have)


@test
def scripts_are_shellcheck_clean(env):
    """deploy/aws: the scripts, the stack's user data and the README's commands pass shellcheck (POSIX sh)"""
    scripts = sorted(glob.glob(os.path.join(AWS, "*.sh")))
    eq([os.path.basename(s) for s in scripts], ["bake-ami.sh", "memo-setup.sh"], "scripts")
    text, variables = user_data_template()
    ud = os.path.join(env.base, "aws-user-data.sh")
    with open(ud, "w") as f:
        f.write(re.sub(r"\$\{[A-Za-z0-9:]+\}", "value", text))
    import test_aws
    blocks = [b for bs in test_aws.readme_sections().values() for b in bs]
    check(len(blocks) >= 6, f"{len(blocks)} command blocks in the README")
    readme = os.path.join(env.base, "aws-readme.sh")
    with open(readme, "w") as f:
        f.write("#!/bin/sh\n" + "\n".join(blocks))
    p = subprocess.run(["shellcheck", "-s", "sh", *scripts, ud, readme], capture_output=True,
                       text=True)
    eq((p.returncode, p.stdout), (0, ""), "shellcheck")


@test
def boot_passes_every_setting(env):
    """memo-setup boot writes every setting of common/cfg_keys.def it is given (TRASH_DAYS and NAVER_CA_FILE were dropped, from the environment and from SSM_PREFIX alike)"""
    keys = re.findall(r"^CFG\((\w+),", open(os.path.join(stack.ROOT, "common",
                                                          "cfg_keys.def")).read(), re.M)
    m = re.search(r'^SETTINGS="([^"]*)"', open(SETUP).read(), re.M)
    check(m, "memo-setup's SETTINGS")
    eq(sorted(set(keys) - set(m.group(1).split())), [], "settings memo-setup drops")
    # memo-setup boot itself, given every setting, from the environment
    # and then from SSM_PREFIX: the memo.env it writes (before it waits for
    # a database there is none of: MEMO_DB_WAIT=0, no memo-migrate).
    given = {k: f"v-{k.lower()}" for k in keys}
    for how in ("environment", "SSM_PREFIX"):
        d = os.path.join(env.base, f"boot-settings-{how}")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(os.path.join(d, "bin"))
        stub = os.path.join(d, "stub.json")
        with open(stub, "w") as f:
            json.dump({"log": os.path.join(d, "calls.log"),
                       "ssm": {f"/memo/boot/{k}": v for k, v in given.items()}}, f)
        with open(os.path.join(d, "bin", "aws"), "w") as f:
            f.write(f'#!/bin/sh\nexec {sys.executable} {STUB} aws "$@"\n')
        os.chmod(os.path.join(d, "bin", "aws"), 0o755)
        e = {"PATH": os.path.join(d, "bin") + ":" + os.environ["PATH"], "HOME": d,
             "MEMO_ROOT_DIR": os.path.join(d, "root"), "MEMO_STUB": stub,
             "MEMO_DB_WAIT": "0"}
        e.update(given if how == "environment" else {"SSM_PREFIX": "/memo/boot"})
        p = subprocess.run(["sh", SETUP, "boot"], env=e, capture_output=True, text=True,
                           timeout=60)
        check("the database was not ready" in p.stderr, f"{how}: {p.stderr[-1500:]}")
        written = migrate_tool.parse_dotenv(open(os.path.join(d, "root/etc/memo/memo.env")).read())
        eq({k: written.get(k) for k in keys}, given, f"memo.env, every setting from the {how}")


@test
def boot_refuses_a_setting_with_a_line_break(env):
    """memo-setup boot stops, naming the setting (not its value), when a setting holds a line break, before any settings file is written (the refusal ran inside $(...) and only ended that subshell: DB_PASSWORD was written empty and the boot went on)"""
    d = os.path.join(env.base, "boot-line-break")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for value in ("first\nsecond", "first\rsecond"):
        e = {"PATH": os.environ["PATH"], "HOME": d, "MEMO_ROOT_DIR": os.path.join(d, "root"),
             "MEMO_DB_WAIT": "0", "DB_HOST": "127.0.0.1", "NAVER_CLIENT_ID": "id",
             "DB_PASSWORD": value}
        p = subprocess.run(["sh", SETUP, "boot"], env=e, capture_output=True, text=True,
                           timeout=60)
        check(p.returncode != 0 and "setting DB_PASSWORD holds a line break" in p.stderr,
              f"{value!r}: {p.stderr[-1500:]}")
        check("second" not in p.stderr, "the value is not in the log")
        check("the database was not ready" not in p.stderr, "the boot stopped there")
        eq(sorted(os.listdir(os.path.join(d, "root", "etc", "memo")))
           if os.path.isdir(os.path.join(d, "root", "etc", "memo")) else [], [],
           f"{value!r}: no settings file written")


@test
def bake_packages_cover_the_build(env):
    """The bake's package list brings every header and library the build uses (libfcgi-dev was missing)"""
    owners, nh, nl = header_owners()
    build = packages("build")
    eq(missing_from_bake(owners, build), [], "packages the build needs that the bake lacks")
    # The check catches the defect it is for.
    eq(missing_from_bake(owners, [p for p in build if p != "libfcgi-dev"]), ["libfcgi-dev"],
       "without libfcgi-dev")
    print(f"    saw: {nh} headers and {nl} libraries from {len(owners)} packages, "
          f"all brought by: {' '.join(build)}")


@test
def bake_ami_for_real(env):
    """bake-ami.sh: a CloudWatch agent it cannot download fails the bake, before it builds (it used to say so and go on, baking an image that ships no logs); with MEMO_CWAGENT_URL empty it bakes without the agent: apt-get installs for real, builds, installs; the image keeps no key, source, machine id, compiler, or setting"""
    root = os.path.join(env.base, "ec2-image")
    src = prepare_image(env, root)
    ca = os.path.join(env.base, "rds-ca.pem")
    shutil.copy("/etc/ssl/certs/ca-certificates.crt", ca)
    t0 = time.monotonic()

    def bake(agent_url):
        # (The environment reaches memo-setup through bake-ami.sh as it is:
        # an empty MEMO_CWAGENT_URL stays empty.)
        return subprocess.run(["sh", os.path.join(src, "deploy", "aws", "bake-ami.sh")],
                              env=dict(os.environ, MEMO_ROOT_DIR=root, MEMO_SOURCE_DIR=src,
                                       MEMO_RDS_CA_URL="file://" + ca,
                                       MEMO_CWAGENT_URL=agent_url),
                              capture_output=True, text=True, timeout=1200)

    # No route to AWS from here: an agent it cannot download stops the
    # bake, in memo-setup's packages step, before build_install (so no
    # memo-setup in the image), saying how to bake without it on purpose.
    p = bake(f"http://127.0.0.1:{stack.free_port()}/agent.deb")
    with open(os.path.join(env.base, "bake-no-agent.log"), "w") as f:
        f.write(p.stdout + p.stderr)
    check(p.returncode != 0, f"a bake without the agent it was told to install fails: "
                             f"{p.stderr[-3000:]}")
    check("CloudWatch agent: cannot download" in p.stderr and
          "to bake without the CloudWatch agent on purpose, set MEMO_CWAGENT_URL empty"
          in p.stderr, f"said why and how: {p.stderr[-3000:]}")
    check(not os.path.exists(os.path.join(root, "usr/local/sbin/memo-setup")),
          "stopped before build_install: no memo-setup in the image")
    check(os.path.exists(src), "stopped before the cleanup: the source is still there")
    # Without the agent on purpose (MEMO_CWAGENT_URL=, empty): the bake.
    p = bake("")
    with open(os.path.join(env.base, "bake.log"), "w") as f:
        f.write(p.stdout + p.stderr)
    eq(p.returncode, 0, f"bake-ami.sh: {p.stderr[-3000:]}")
    # apt-get ran: every package of both lists is installed now.
    for pkg in packages("build") + packages("run"):
        st = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True,
                            text=True).stdout
        eq(st, "install ok installed", pkg)
    check(re.search(r"(is already the newest version|Setting up|0 upgraded)", p.stdout),
          "apt-get install ran")
    check("CloudWatch agent: not installed (MEMO_CWAGENT_URL is empty)" in p.stderr and
          "cannot download" not in p.stderr, "no agent, on purpose: said so")
    check(os.access(os.path.join(root, "usr/local/sbin/memo-setup"), os.X_OK), "memo-setup")
    check(os.path.exists(os.path.join(root, "etc/memo/rds-global-bundle.pem")), "RDS CA bundle")
    eq(open(os.path.join(root, "etc/memo/memo.env")).read(),
       open(os.path.join(stack.ROOT, "memo.env.example")).read(), "the image holds no setting")
    # The purge (simulated here): the build goes, what runs stays.
    plan = {m.group(2) for m in re.finditer(r"^(Purg|Remv) (\S+)", p.stdout, re.M)}
    kept = set(re.search(r"keeping: (.*)", p.stderr).group(1).split())
    check({"libfcgi-dev", "libmariadb-dev", "build-essential"} <= plan, f"purged: {plan}")
    check({"libmariadb3", "lighttpd", "mariadb-client", "python3", "awscli"} <= kept, kept)
    check({"libcurl4", "libjson-c5"} <= kept, f"auth.cgi's shared libraries kept: {kept}")
    eq(sorted(plan & kept), [], "nothing kept is purged")
    for lib in ("libmariadb3", "libcurl4", "libc6", "lighttpd", "python3"):
        check(lib not in plan, f"{lib} survives the purge")
    # What the image must not carry.
    check(not os.path.exists(src), "the source is gone")
    eq(glob.glob(os.path.join(root, "etc/ssh/ssh_host_*")), [], "SSH host keys")
    for home in ("home/admin", "root"):
        check(not os.path.exists(os.path.join(root, home, ".ssh/authorized_keys")),
              f"{home}: authorized_keys")
    check(not os.path.exists(os.path.join(root, "home/admin/.bash_history")), "shell history")
    eq(open(os.path.join(root, "etc/machine-id")).read(), "", "machine-id emptied")
    env.baked_root = root
    print(f"    saw: bake in {time.monotonic() - t0:.0f}s; purge plan: {len(plan)} packages "
          f"(the compiler and -dev ones), kept: {' '.join(sorted(kept))}")


def http_raw(port, path, headers=None, source="127.0.0.1"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                   source_address=(source, 0))
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, dict(r.getheaders()), body


def log_line(path, trace, timeout=10.0):
    """The access log line ending with `trace` (lighttpd writes the access
    log in batches: wait for it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            for line in open(path).read().splitlines():
                if line.endswith(" " + trace):
                    return line
        time.sleep(0.1)
    raise AssertionError(f"no line for {trace} in {path}")


def lighttpd_config(inst):
    """The running configuration as lighttpd resolved it."""
    main = os.path.join(inst.dir, "etc-lighttpd", "lighttpd.conf")
    import ec2_stub
    return subprocess.run(["lighttpd", "-p", "-f", main], env=ec2_stub.service_env(inst.root),
                          capture_output=True, text=True, check=True).stdout


def keep_alive_past(port, seconds):
    """Two requests on one connection, `seconds` apart: True if the second
    is answered on it."""
    req = b"GET /health/live HTTP/1.1\r\nHost: memo\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        for i in range(2):
            if i:
                time.sleep(seconds)
            try:
                s.sendall(req)
                data = s.recv(65536)
            except OSError:
                return False
            if not data.startswith(b"HTTP/1.1 200"):
                return False
    return True


def booting(env, name):
    """The baked image (the bake test's) and an instance of it named name,
    with its RDS stand-in."""
    root = getattr(env, "baked_root", None)
    check(root, "the bake test ran first")
    inst = Instance(env, root, name)
    rds_database(env, inst)
    return root, inst


@test
def boot_from_the_stack_user_data(env):
    """The stack's user data boots the baked image: database users, migrations, lighttpd as on an instance, health check, SUCCESS signal"""
    root, inst = booting(env, "boot")
    try:
        p = inst.run(user_data(env, root))
        with open(os.path.join(env.base, "boot.log"), "w") as f:
            f.write(p.stdout + p.stderr)
        eq(p.returncode, 0, f"boot: {p.stderr[-3000:]}")
        calls = inst.calls()
        check(f"aws cloudformation signal-resource --stack-name {STACK} --logical-resource-id "
              f"Group --unique-id {INSTANCE} --status SUCCESS" in calls, calls)
        check("systemctl restart lighttpd" in calls and "systemctl enable lighttpd" in calls, calls)
        check("applied 003_memo_manage.sql" in p.stdout, "migrations ran")

        # Settings: the CGIs get the application user, migrations the other.
        conf = migrate_tool.parse_dotenv(open(os.path.join(root, "etc/memo/memo.env")).read())
        mig = migrate_tool.parse_dotenv(open(os.path.join(root, "etc/memo/migrate.env")).read())
        eq((conf["DB_USER"], conf["DB_PASSWORD"], mig["DB_USER"], mig["DB_PASSWORD"]),
           ("memo_app", inst.passwords["app"], "memo_migrate", inst.passwords["migrate"]),
           "database users")
        eq((stat.S_IMODE(os.stat(os.path.join(root, "etc/memo/memo.env")).st_mode),
            stat.S_IMODE(os.stat(os.path.join(root, "etc/memo/migrate.env")).st_mode)),
           (0o640, 0o600), "modes")
        eq((conf["NAVER_CLIENT_ID"], conf["COOKIE_SECURE"], conf.get("TRASH_DAYS")),
           (env.naver.client_id, "1", "21"), "Naver id from SSM, Secure cookies, the stack's TrashDays")
        for dirpath, _, files in os.walk(os.path.join(root, "etc")):
            for name in files:
                path = os.path.join(dirpath, name)
                if not os.path.islink(path):
                    check(inst.passwords["master"] not in open(path, errors="replace").read(),
                          f"the master password is in {path}")
        grants = " ".join(r[0] for r in env.db.query("SHOW GRANTS FOR 'memo_app'@'%'"))
        check("GRANT SELECT, INSERT, UPDATE, DELETE ON `memo_aws`.*" in grants and
              "CREATE" not in grants, grants)
        app = subprocess.run(["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", str(env.db.port),
                              "-u", "memo_app", "-p" + inst.passwords["app"], "memo_aws",
                              "-e", "CREATE TABLE nope (id INT)"], capture_output=True, text=True)
        check(app.returncode != 0 and "denied" in app.stderr, f"memo_app may CREATE: {app.stderr}")

        # Served as on an instance.
        for path in ("health/live", "health"):
            r = http_get(inst.url + path)
            eq((r.status, r.json()), (200, {"status": "ok"}), path)
        b = Browser(inst.url)
        eq(login(b, "클라우드 인스턴스").status, 302, "login")
        eq(b.post_json("/memo", {"text": "EC2 boot"}).status, 200, "POST /memo")
        eq(env.db.query("SELECT COUNT(*) FROM memo WHERE text = 'EC2 boot'", database="memo_aws"),
           [["1"]], "memo in the RDS stand-in")
        # Debian's extras are gone (7).
        eq(http_raw(inst.port, "/index.lighttpd.html")[0], 404, "Debian's page")
        check(os.path.exists("/usr/share/javascript/jquery/jquery.js"), "jquery to ask for")
        eq(http_raw(inst.port, "/javascript/jquery/jquery.js")[0], 404, "the /javascript alias")
        resolved = lighttpd_config(inst)
        check('"/javascript"' not in resolved, "no /javascript alias configured")
        # Keep-alive longer than the balancer's idle timeout (3).
        check(re.search(r"server\.max-keep-alive-idle\s*=\s*320", resolved), "keep-alive idle 320 s")
        check(keep_alive_past(inst.port, 6), "a kept connection still answers after 6 s idle")
        # The request id in the access log and the CGI's error line, the
        # CGIs' stderr in cgi.log, through a rotation (5).
        logs = os.path.join(root, "var/log/lighttpd")
        trace = "Root=1-5759e988-bd862e3fe1be46a994272793"
        http_raw(inst.port, "/auth?code=x&state=y", {"X-Amzn-Trace-Id": trace})
        time.sleep(0.2)
        check(f"auth.cgi [{trace}]: login refused" in open(os.path.join(logs, "cgi.log")).read(),
              "the CGI's line, with the id, in cgi.log")
        check("GET /auth HTTP/1.1" in log_line(os.path.join(logs, "access.log"), trace),
              "the id at the end of the access log line, no query string")
        os.rename(os.path.join(logs, "cgi.log"), os.path.join(logs, "cgi.log.1"))
        os.kill(inst.lighttpd_pid(), 10)     # SIGUSR1: the unit's ExecReload
        time.sleep(0.3)
        http_raw(inst.port, "/auth?code=x&state=y", {"X-Amzn-Trace-Id": "Root=1-after"})
        time.sleep(0.2)
        check("[Root=1-after]" in open(os.path.join(logs, "cgi.log")).read(),
              "a new cgi.log after the rotation")
        # X-Forwarded-For/-Proto believed from the balancer's addresses only (6),
        # HSTS on HTTPS (10).
        for source, trusted in (("127.0.0.2", True), ("127.0.0.1", False)):
            trace = f"Root=1-forwarded-{source}"
            fwd = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
                   "X-Amzn-Trace-Id": trace}
            status, headers, _ = http_raw(inst.port, "/login", fwd, source=source)
            line = log_line(os.path.join(logs, "access.log"), trace)
            # (The callback URL is the stack's https one either way:
            # test_cgi.py shows the CGIs take the scheme from HTTPS only.)
            eq((status, "Strict-Transport-Security" in headers, line.split()[0]),
               (302, trusted, "203.0.113.7" if trusted else source),
               f"from {source}: HSTS (the scheme lighttpd believes), the client logged")
        # The CloudWatch agent's configuration: the files lighttpd writes,
        # the log groups the stack makes.
        agent = json.load(open(os.path.join(root, "etc/memo/cloudwatch-agent.json")))
        files = {c["file_path"]: c["log_group_name"]
                 for c in agent["logs"]["logs_collected"]["files"]["collect_list"]}
        import test_aws
        groups = {v["Properties"]["LogGroupName"]["!Sub"].replace("${AWS::StackName}", STACK)
                  for v in test_aws.template()["Resources"].values() if v["Type"] == "AWS::Logs::LogGroup"}
        eq(set(files.values()), groups, "log groups")
        eq(sorted(files), ["/var/log/cloud-init-output.log", "/var/log/lighttpd/access.log",
                           "/var/log/lighttpd/cgi.log", "/var/log/lighttpd/error.log",
                           "/var/log/memo/maint.log"], "files")
        for path in files:
            if "lighttpd" in path:
                check(f'"{root}{path}"' in resolved, f"lighttpd writes {path}")
        # memo-maint writes the file the agent ships (its journal is not),
        # for the stack's MaintFailingAlarm; rotated weekly.
        dropin = open(os.path.join(root, "etc/systemd/system/memo-maint.service.d/log.conf")).read()
        for stream in ("StandardOutput", "StandardError"):
            check(f"\n{stream}=append:/var/log/memo/maint.log\n" in dropin,
                  f"memo-maint's {stream} in maint.log: {dropin!r}")
        check(os.path.isdir(os.path.join(root, "var/log/memo")), "its folder made")
        check(open(os.path.join(root, "etc/logrotate.d/memo-maint")).read().startswith(
            "/var/log/memo/maint.log {"), "maint.log rotated")
        rotate = open(os.path.join(root, "etc/logrotate.d/lighttpd")).read()
        stanzas = dict(re.findall(r"^(/\S.*?) \{\n(.*?)^\}", rotate, re.S | re.M))
        eq(sorted(stanzas), ["/var/log/lighttpd/access.log /var/log/lighttpd/error.log",
                             "/var/log/lighttpd/cgi.log"], "the logs rotated")
        for files, body in stanzas.items():
            check("\tdaily\n" in body and "\tmaxsize 200M\n" in body and
                  "\trotate 7\n" in body, f"{files}: daily, bounded: {body!r}")
        check("\tcopytruncate\n" in stanzas["/var/log/lighttpd/cgi.log"] and
              "reopen-logs" not in stanzas["/var/log/lighttpd/cgi.log"],
              "cgi.log cut in place (FastCGI processes keep writing to it)")
        # make install puts the timer in every image: memo-setup's "no
        # memo-maint.timer unit" is for installs made otherwise; here it
        # would be a bake that lost it, instances that never purge the trash.
        check(os.path.exists(os.path.join(root, "etc/systemd/system/memo-maint.timer")),
              "the image holds memo-maint.timer (make install's UNITDIR)")
        check("systemctl enable --now memo-maint.timer" in calls, "memo-maint's timer enabled")
        print(f"    saw: {len(calls)} calls to aws/systemctl; memo-maint.timer enabled")
    finally:
        inst.stop()


@test
def boot_in_fastcgi_mode(env):
    """MemoMode=fastcgi: the user data serves through FastCGI processes; 3P + 10 database connections per instance, as the README counts"""
    root, inst = booting(env, "fastcgi")
    try:
        p = inst.run(user_data(env, root, mode="fastcgi", procs="2"))
        eq(p.returncode, 0, f"boot: {p.stderr[-3000:]}")
        check(os.path.islink(os.path.join(root, "etc/lighttpd/conf-enabled/51-memo-fastcgi.conf")),
              "51-memo-fastcgi.conf enabled")
        b = Browser(inst.url)
        eq(login(b, "패스트 CGI").status, 302, "login")
        eq(b.post_json("/memo", {"text": "EC2 fastcgi"}).status, 200, "POST /memo")
        memo = os.path.realpath(os.path.join(root, "usr/local/lib/memo/cgi-bin/memo.cgi"))
        import test_install
        procs = [q for q in test_install.children(inst.lighttpd_pid())
                 if test_install.exe(q) == memo]
        eq(len(procs), 2, "memo.cgi FastCGI processes (FastCgiProcesses=2)")
        # The count: each route's max-procs as lighttpd resolved them, for
        # the programs that link a database client.
        resolved = lighttpd_config(inst)
        total = 0
        cgi_dir = os.path.join(root, "usr/local/lib/memo/cgi-bin")
        per_route = {}
        for m in re.finditer(r'"bin-path"\s*=>\s*"([^"]+)".*?"max-procs"\s*=>\s*(\d+)',
                             resolved, re.S):
            prog, n = os.path.basename(m.group(1)), int(m.group(2))
            syms = subprocess.run(["nm", "-A", os.path.join(cgi_dir, prog)], capture_output=True,
                                  text=True).stdout + subprocess.run(
                ["nm", "-D", os.path.join(cgi_dir, prog)], capture_output=True, text=True).stdout
            db = "mysql_real_connect" in syms
            per_route[prog] = (n, db)
            total += n if db else 0
        eq(len(per_route), 11, f"routes: {per_route}")
        eq(total, 3 * 2 + 10, f"connections per instance: {per_route}")
        # cgi.log rotated as logrotate does it here (copytruncate, then
        # lighttpd's logs reopened): the FastCGI processes' lines, written
        # to the file they were started with, still land in cgi.log.
        logs = os.path.join(root, "var/log/lighttpd")
        cgi_log = os.path.join(logs, "cgi.log")
        http_raw(inst.port, "/auth?code=x&state=y", {"X-Amzn-Trace-Id": "Root=1-before"})
        time.sleep(0.2)
        check("[Root=1-before]: login refused" in open(cgi_log).read(), "a FastCGI line")
        shutil.copyfile(cgi_log, cgi_log + ".1")
        os.truncate(cgi_log, 0)
        os.kill(inst.lighttpd_pid(), signal.SIGHUP)     # reopen-logs
        time.sleep(0.3)
        http_raw(inst.port, "/auth?code=x&state=y", {"X-Amzn-Trace-Id": "Root=1-after"})
        time.sleep(0.2)
        check("[Root=1-after]: login refused" in open(cgi_log).read(),
              "the FastCGI line after the rotation, in cgi.log")
        readme = open(os.path.join(AWS, "README.md")).read()
        check("**3P + 10**" in readme, "the README says 3P + 10")
        print(f"    saw: {per_route}; {total} connections with P = 2")
    finally:
        inst.stop()


def failed_and_marked(calls):
    """The boot's FAILURE signal and its instance marked unhealthy, now
    (not within the group's grace period), in the AWS calls it made."""
    check(f"aws cloudformation signal-resource --stack-name {STACK} --logical-resource-id Group "
          f"--unique-id {INSTANCE} --status FAILURE" in calls, calls)
    check(f"aws autoscaling set-instance-health --instance-id {INSTANCE} "
          "--health-status Unhealthy --no-should-respect-grace-period" in calls, calls)


@test
def boot_waits_for_the_database_then_fails(env):
    """With the database away the boot retries for MEMO_DB_WAIT, then signals FAILURE and marks the instance unhealthy; the CloudWatch agent was started first of all, and is given MEMO_LOG_FLUSH to send the failure's log before the signal ends the instance (it was started after the database, so a boot failing there left no log once the instance was gone)"""
    root, inst = booting(env, "nodb")
    ctl = os.path.join(inst.dir, "bin", "amazon-cloudwatch-agent-ctl")
    with open(ctl, "w") as f:
        f.write(f'#!/bin/sh\necho "amazon-cloudwatch-agent-ctl $*" >> {inst.log}\n')
    os.chmod(ctl, 0o755)
    t0 = time.monotonic()
    p = inst.run(user_data(env, root, db_port=stack.free_port()),
                 {"MEMO_DB_WAIT": "3", "MEMO_CWAGENT_CTL": ctl, "MEMO_LOG_FLUSH": "1"})
    took = time.monotonic() - t0
    check(p.returncode != 0, "the boot fails")
    check("database not ready; again in 1s" in p.stderr and
          "the database was not ready in 3s" in p.stderr, p.stderr[-1500:])
    calls = inst.calls()
    failed_and_marked(calls)
    agent = [i for i, c in enumerate(calls) if c.startswith("amazon-cloudwatch-agent-ctl -a fetch-config")]
    signalled = [i for i, c in enumerate(calls) if "signal-resource" in c]
    check(len(agent) == 1 and signalled and agent[0] < signalled[0],
          f"the agent started once, before the signal: {calls}")
    check("waiting 1s for the CloudWatch agent to send this log" in
          p.stderr.split("the database was not ready in 3s")[-1], p.stderr[-1500:])
    check("systemctl restart lighttpd" not in calls, "lighttpd not started")
    check(3 <= took < 60, f"took {took:.1f}s")
    print(f"    saw: failed after {took:.1f}s of retries; FAILURE signalled, instance "
          f"marked unhealthy")


@test
def boot_waits_for_the_balancer(env):
    """The boot signals SUCCESS only once the balancer sees the instance healthy (asked every MEMO_BALANCER_POLL s: initial, unhealthy, then healthy), and one the balancer never sees healthy fails after MEMO_BALANCER_WAIT, signalling FAILURE and marking the instance unhealthy; signalled on the local check alone, a roll-out's batch ran one instance short meanwhile"""
    root, inst = booting(env, "balancer")
    asks = f"aws elbv2 describe-target-health --target-group-arn {TARGET_GROUP} --targets Id={INSTANCE}"
    try:
        for states, wait in ((["initial", "unhealthy", "healthy"], "30"), (["unhealthy"], "2")):
            inst.conf["target_states"] = states
            with open(os.path.join(inst.dir, "stub.json"), "w") as f:
                json.dump(inst.conf, f)
            for name in ("calls.log", "target-health-asks"):
                if os.path.exists(os.path.join(inst.dir, name)):
                    os.remove(os.path.join(inst.dir, name))
            p = inst.run(user_data(env, root), {"MEMO_BALANCER_POLL": "0.2",
                                                "MEMO_BALANCER_WAIT": wait})
            calls = inst.calls()
            n = sum(1 for c in calls if c.startswith(asks))
            signals = [c for c in calls if "signal-resource" in c]
            if states[-1] == "healthy":
                eq(p.returncode, 0, f"boot: {p.stderr[-1500:]}")
                eq(n, 3, f"asked until healthy: {calls}")
                check(calls.index(signals[0]) > max(i for i, c in enumerate(calls)
                                                    if c.startswith(asks)),
                      f"SUCCESS after the balancer's healthy: {calls}")
                check(signals[0].endswith("--status SUCCESS"), signals)
                check(f"the balancer sees {INSTANCE} healthy" in p.stderr, p.stderr[-800:])
            else:
                check(p.returncode != 0, "the boot fails")
                check(f"the balancer did not see {INSTANCE} healthy in 2s (last: unhealthy)"
                      in p.stderr, p.stderr[-800:])
                check(n >= 2, f"asked more than once: {n}")
                failed_and_marked(calls)
            inst.stop()
        print(f"    saw: SUCCESS after the balancer's third answer; never healthy: FAILURE")
    finally:
        inst.stop()


@test
def boot_health_check_is_bounded(env):
    """A local health check that never answers (a server that takes the connection and says nothing) fails the boot after MEMO_HEALTH_WAIT in all, signalling FAILURE and marking the instance unhealthy; thirty tries of each path took up to 6 minutes, past the boot's budget"""
    root, inst = booting(env, "mute-health")
    mute = socket.socket()
    mute.bind(("127.0.0.1", 0))
    mute.listen(8)                  # connections queue; none is answered
    try:
        t0 = time.monotonic()
        p = inst.run(user_data(env, root), {
            "MEMO_HEALTH_URL": f"http://127.0.0.1:{mute.getsockname()[1]}/",
            "MEMO_HEALTH_WAIT": "3"})
        took = time.monotonic() - t0
        check(p.returncode != 0, "the boot fails")
        check("health/live does not answer 200 (asked for 3s)" in p.stderr, p.stderr[-1500:])
        calls = inst.calls()
        failed_and_marked(calls)
        check(took < 120, f"took {took:.1f}s")
        # Each try is a connection, cut after curl's 5 s: 3 s allow one
        # (the default's 60 s, or tries counted, would make ten or more).
        mute.setblocking(False)
        asked = 0
        while True:
            try:
                mute.accept()[0].close()
                asked += 1
            except BlockingIOError:
                break
        check(1 <= asked <= 2, f"{asked} tries in MEMO_HEALTH_WAIT=3 (curl's --max-time 5)")
        print(f"    saw: the boot failed after {took:.1f}s, its health check bounded: "
              f"{asked} tries")
    finally:
        mute.close()
        inst.stop()


def boot_ending_hung_clients(e, pids):
    """memo-setup boot with environment e, whose mariadb stand-in never
    answers and writes its pid to pids.  Never stopped (the defect), the
    boot's stand-in clients are ended before the timeout is raised."""
    try:
        return subprocess.run(["sh", SETUP, "boot"], env=e, capture_output=True, text=True,
                              timeout=120)
    except subprocess.TimeoutExpired:
        for pid in open(pids).read().split() if os.path.exists(pids) else []:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
        raise


def still_running(pids, wait=10):
    """Those of pids still running (not gone, not a zombie waiting for
    init) after up to `wait` seconds: a process signalled a moment ago
    may not have ended yet on a busy machine."""
    def running(pid):
        try:
            return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False
    deadline = time.monotonic() + wait
    while any(running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [pid for pid in pids if running(pid)]


@test
def boot_stops_a_migration_that_hangs(env):
    """A migration left waiting on a dead connection (the database failed over in the middle of it) is stopped after MEMO_MIGRATE_TIMEOUT: the boot says so and fails at once, signalling FAILURE and marking the instance unhealthy, without a retry (it waited, unbounded, for CloudFormation's 25-minute timeout); memo-migrate's client is ended and its password file removed; memo-migrate is given MEMO_INDEX_SECONDS (60)"""
    d = os.path.join(env.base, "boot-migrate-hangs")
    shutil.rmtree(d, ignore_errors=True)
    for sub in ("bin", "tmp", "root/usr/local/sbin"):
        os.makedirs(os.path.join(d, sub))
    stub = os.path.join(d, "stub.json")
    with open(stub, "w") as f:
        json.dump({"log": os.path.join(d, "calls.log")}, f)
    pids = os.path.join(d, "mariadb.pids")
    scripts = {
        "bin/aws": f'exec {sys.executable} {STUB} aws "$@"',
        # The database client on a connection whose server is gone: it
        # never answers (and never reads its input).
        "bin/mariadb": f"echo $$ >>{pids}\nexec sleep 600",
        # memo-migrate as installed: tools/migrate (it finds the checkout's
        # schema/), driving that client.
        "root/usr/local/sbin/memo-migrate":
            f'echo "${{MEMO_INDEX_SECONDS-unset}}" >{d}/index-seconds\n'
            f'exec {sys.executable} {os.path.join(stack.ROOT, "tools", "migrate")} "$@"'}
    for rel, body in scripts.items():
        with open(os.path.join(d, rel), "w") as f:
            f.write(f"#!/bin/sh\n{body}\n")
        os.chmod(os.path.join(d, rel), 0o755)
    password = secrets.token_urlsafe(18)
    e = {"PATH": os.path.join(d, "bin") + ":" + os.environ["PATH"], "HOME": d,
         "TMPDIR": os.path.join(d, "tmp"), "MEMO_ROOT_DIR": os.path.join(d, "root"),
         "MEMO_STUB": stub, "MEMO_STACK": STACK, "MEMO_INSTANCE_ID": INSTANCE,
         "MEMO_MIGRATE_TIMEOUT": "3", "DB_HOST": "127.0.0.1",
         "DB_PORT": str(stack.free_port()), "DB_USER": "memo_migrate", "DB_PASSWORD": password,
         "NAVER_CLIENT_ID": "id", "NAVER_CLIENT_SECRET": "secret"}
    t0 = time.monotonic()
    p = boot_ending_hung_clients(e, pids)
    took = time.monotonic() - t0
    check(p.returncode != 0, f"the boot fails: {p.stderr[-1500:]}")
    check("memo-migrate did not finish in 3s" in p.stderr and "boot failed (1)" in p.stderr,
          p.stderr[-1500:])
    check("migrate: stopped by signal SIGTERM" in p.stderr, p.stderr[-1500:])
    check("database not ready" not in p.stderr, "no retry after a timeout")
    check(password not in p.stdout + p.stderr, "the password is not in the log")
    calls = open(os.path.join(d, "calls.log")).read().splitlines()
    failed_and_marked(calls)
    check(3 <= took < 30, f"took {took:.1f}s")
    # The client memo-migrate held the lock with is ended (gone, or a
    # zombie waiting for init), and the folder with its password file is gone.
    waited = [int(x) for x in open(pids).read().split()]
    check(waited, "memo-migrate ran the client")
    eq(still_running(waited), [], "clients still running")
    eq(os.listdir(os.path.join(d, "tmp")), [], "memo-migrate's temporary files")
    # The index step inside it (memo-maint index) is bounded too.
    eq(open(os.path.join(d, "index-seconds")).read(), "60\n", "MEMO_INDEX_SECONDS for memo-migrate")
    print(f"    saw: stopped after {took:.1f}s, FAILURE signalled, {len(waited)} client ended, "
          f"no password file left")


@test
def boot_stops_a_database_user_statement_that_hangs(env):
    """The master user's statements (CreateDbUsers) left waiting on a dead connection are stopped after MEMO_MASTER_TIMEOUT: the boot says so and fails, signalling FAILURE; the client is ended and the option file with the master password removed"""
    d = os.path.join(env.base, "boot-master-hangs")
    shutil.rmtree(d, ignore_errors=True)
    for sub in ("bin", "tmp"):
        os.makedirs(os.path.join(d, sub))
    pw = {k: secrets.token_urlsafe(18) for k in ("app", "migrate", "master")}
    stub = os.path.join(d, "stub.json")
    with open(stub, "w") as f:
        json.dump({"log": os.path.join(d, "calls.log"),
                   "secrets": {f"arn:{k}": json.dumps({"username": f"u_{k}", "password": pw[k]})
                               for k in pw},
                   "db_instances": {"memo-db": "arn:master"}}, f)
    pids = os.path.join(d, "mariadb.pids")
    for name, body in (("aws", f'exec {sys.executable} {STUB} aws "$@"'),
                       # a client whose server is gone: it never answers
                       ("mariadb", f"echo $$ >>{pids}\nexec sleep 600")):
        with open(os.path.join(d, "bin", name), "w") as f:
            f.write(f"#!/bin/sh\n{body}\n")
        os.chmod(os.path.join(d, "bin", name), 0o755)
    e = {"PATH": os.path.join(d, "bin") + ":" + os.environ["PATH"], "HOME": d,
         "TMPDIR": os.path.join(d, "tmp"), "MEMO_ROOT_DIR": os.path.join(d, "root"),
         "MEMO_STUB": stub, "MEMO_STACK": STACK, "MEMO_INSTANCE_ID": INSTANCE,
         "MEMO_MASTER_TIMEOUT": "2", "MEMO_DB_WAIT": "0", "DB_HOST": "127.0.0.1",
         "DB_PORT": str(stack.free_port()), "DB_CREATE_USERS": "true", "DB_INSTANCE_ID": "memo-db",
         "DB_APP_SECRET": "arn:app", "DB_MIGRATE_SECRET": "arn:migrate",
         "NAVER_CLIENT_ID": "id", "NAVER_CLIENT_SECRET": "secret"}
    t0 = time.monotonic()
    p = boot_ending_hung_clients(e, pids)
    took = time.monotonic() - t0
    check(p.returncode != 0 and "statements did not finish in 2s" in p.stderr and
          "boot failed (1)" in p.stderr, p.stderr[-1500:])
    check(not any(x in p.stdout + p.stderr for x in pw.values()), "no password in the log")
    calls = open(os.path.join(d, "calls.log")).read().splitlines()
    check(f"aws cloudformation signal-resource --stack-name {STACK} --logical-resource-id Group "
          f"--unique-id {INSTANCE} --status FAILURE" in calls, calls)
    check(took < 30, f"took {took:.1f}s")
    waited = [int(x) for x in open(pids).read().split()]
    eq(still_running(waited), [], "clients still running")
    eq(os.listdir(os.path.join(d, "tmp")), [], "the master password's option file removed")
    print(f"    saw: stopped after {took:.1f}s, FAILURE signalled, {len(waited)} client ended")


def boot_without_database(env, name, imds_url):
    """memo-setup boot from the source, of a stack, with no database to
    reach (MEMO_DB_WAIT=0): it fails and signals FAILURE at once."""
    d = os.path.join(env.base, f"boot-{name}")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "bin"))
    stub = os.path.join(d, "stub.json")
    with open(stub, "w") as f:
        json.dump({"log": os.path.join(d, "calls.log")}, f)
    with open(os.path.join(d, "bin", "aws"), "w") as f:
        f.write(f'#!/bin/sh\nexec {sys.executable} {STUB} aws "$@"\n')
    os.chmod(os.path.join(d, "bin", "aws"), 0o755)
    e = {"PATH": os.path.join(d, "bin") + ":" + os.environ["PATH"], "HOME": d,
         "MEMO_ROOT_DIR": os.path.join(d, "root"), "MEMO_STUB": stub, "MEMO_DB_WAIT": "0",
         "DB_HOST": "127.0.0.1", "DB_PORT": str(stack.free_port()), "MEMO_STACK": STACK,
         "MEMO_IMDS_URL": imds_url, "NAVER_CLIENT_ID": "id",
         "NAVER_CLIENT_SECRET": "secret"}
    t0 = time.monotonic()
    p = subprocess.run(["sh", SETUP, "boot"], env=e, capture_output=True, text=True,
                       timeout=120)
    took = time.monotonic() - t0
    check(p.returncode != 0 and "the database was not ready" in p.stderr, p.stderr[-1500:])
    log = os.path.join(d, "calls.log")
    calls = open(log).read().splitlines() if os.path.exists(log) else []
    return p, calls, took


@test
def boot_asks_the_metadata_service_again(env):
    """The instance id comes from the metadata service with an IMDSv2 token; a token request that hangs is cut after 3 s and asked again, and the FAILURE signal still names the instance"""
    imds = MetadataDouble(hang=1)
    try:
        p, calls, took = boot_without_database(env, "imds", imds.url)
    finally:
        imds.close()
    eq(imds.asked, [("PUT", "/latest/api/token"), ("PUT", "/latest/api/token"),
                    ("GET", "/latest/meta-data/instance-id")], "asked of the metadata service")
    failed_and_marked(calls)
    check(3 <= took < 30, f"took {took:.1f}s")
    print(f"    saw: {len(imds.asked)} asks (the first hung), FAILURE signalled for "
          f"{INSTANCE} after {took:.1f}s")


@test
def boot_without_a_metadata_service(env):
    """With no metadata service answering, the failed boot ends within seconds, logs that it cannot signal, and makes no AWS call naming an instance"""
    p, calls, took = boot_without_database(
        env, "noimds", f"http://127.0.0.1:{stack.free_port()}/latest")
    check("no instance id: no signal" in p.stderr, p.stderr[-1500:])
    check(not any("signal-resource" in c or "set-instance-health" in c for c in calls), calls)
    check(took < 30, f"took {took:.1f}s")
    print(f"    saw: 'no instance id: no signal' after {took:.1f}s, no AWS call")
