"""test_install.py - make install / make uninstall with DESTDIR, and Debian's
lighttpd serving the installed app through the installed conf-available
snippet.  run.py installs once into env.destdir (then runs the end-to-end
suite against lighttpd and Apache serving that install); these tests check
the install itself and make installs of their own."""
import grp
import os
import pwd
import re
import shutil
import stat
import subprocess

import stack
from lib import check, eq, http_get, test

PREFIX = "/usr/local"


def make(*args):
    return subprocess.run(["make", "--no-print-directory", "-C", stack.ROOT, *args],
                          capture_output=True, text=True, timeout=300)


def files_under(root):
    """Every file and symlink below root, as paths relative to it."""
    out = set()
    for d, dirs, files in os.walk(root):
        for name in files + [x for x in dirs if os.path.islink(os.path.join(d, x))]:
            out.add(os.path.relpath(os.path.join(d, name), root))
    return out


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def serves_the_app(base):
    """A server at `base` answers as memo: health, page, static file, CGI."""
    r = http_get(base + "health")
    eq((r.status, r.json()), (200, {"status": "ok"}), "health")
    r = http_get(base)
    check(r.status == 200 and 'class="guest"' in r.text, f"the app's page: {r}")
    r = http_get(base + "static/app.js")
    eq((r.status, r.header("X-Content-Type-Options")), (200, "nosniff"), "static")
    eq(http_get(base + "auth?code=secret-code&state=x").status, 400, "auth without state")


INSTALLED = {
    *(f"usr/local/lib/memo/cgi-bin/{c}.cgi"
      for c in ("index", "login", "auth", "memo", "logout", "health", "trash", "tags",
                "account", "export", "import")),
    "usr/local/lib/memo/htdocs",
    # The page's scripts and stylesheets, all of them (index.html names them).
    *(f"usr/local/share/memo/htdocs/static/{f}"
      for f in os.listdir(os.path.join(stack.ROOT, "htdocs", "static"))),
    "usr/local/share/memo/schema/001_initial.sql",
    "usr/local/share/memo/schema/002_upgrade_seed.sql",
    "usr/local/share/memo/lighttpd.conf",
    "usr/local/share/memo/lighttpd-memo.conf",
    "usr/local/share/memo/lighttpd-fastcgi.conf",
    "usr/local/share/memo/fastcgi.conf",
    "usr/local/sbin/memo-migrate",
    "usr/local/sbin/memo-maint",
    "etc/systemd/system/memo-maint.service",
    "etc/systemd/system/memo-maint.timer",
    "etc/memo/memo.env", "etc/memo/memo.env.example",
    "etc/lighttpd/conf-available/50-memo.conf",
    "etc/lighttpd/conf-available/51-memo-fastcgi.conf",
    "etc/apache2/conf-available/memo.conf",
}


@test
def install_layout(env):
    """make install DESTDIR=…: the files, their modes, snippets naming the final paths"""
    d = env.destdir
    got = files_under(d)
    schema = {f"usr/local/share/memo/schema/{f}"
              for f in os.listdir(os.path.join(stack.ROOT, "schema")) if f.endswith(".sql")}
    eq(got, INSTALLED | schema, "installed files")
    for c in ("index", "memo", "health"):
        eq(mode(f"{d}/usr/local/lib/memo/cgi-bin/{c}.cgi"), 0o755, c)
    eq(mode(f"{d}/etc/memo/memo.env.example"), 0o644, "memo.env.example")
    eq(os.path.realpath(f"{d}/usr/local/lib/memo/htdocs"),
       os.path.realpath(f"{d}/usr/local/share/memo/htdocs"), "htdocs link")
    for snippet in ("etc/lighttpd/conf-available/50-memo.conf",
                    "etc/apache2/conf-available/memo.conf"):
        text = open(os.path.join(d, snippet)).read()
        check(not re.search(r"@[A-Z]+@", text), f"{snippet}: a placeholder left")
        check(d not in text, f"{snippet} names DESTDIR paths")
        check('"/usr/local/lib/memo/cgi-bin"' in text and '"/etc/memo/memo.env"' in text,
              f"{snippet}: install paths")
    text = open(f"{d}/etc/lighttpd/conf-available/51-memo-fastcgi.conf").read()
    check('include "/usr/local/share/memo/fastcgi.conf"' in text and d not in text,
          "51-memo-fastcgi.conf includes the installed fastcgi.conf")


@test
def install_config_is_private_and_kept(env):
    """memo.env is 0640, starts as the example with no setting on an example host, and is never overwritten; uninstall removes all else, not an edited memo.env"""
    d = os.path.join(env.base, "destdir-again")
    shutil.rmtree(d, ignore_errors=True)
    p = make("install", f"DESTDIR={d}")
    eq(p.returncode, 0, p.stderr)
    conf = f"{d}/etc/memo/memo.env"
    eq(mode(conf), 0o640, "memo.env mode")
    # The settings file starts as the example (the harness's install
    # writes its own over it: this one is untouched): a placeholder set in
    # it (NAVER_REDIRECT_URI=https://memo.example.com/auth) would send
    # every login there instead of the derived Callback URL.
    text = open(conf).read()
    eq(text, open(os.path.join(stack.ROOT, "memo.env.example")).read(), "memo.env is the example")
    eq(re.findall(r"^[A-Z_]+=.*example\.(?:com|org|net).*$", text, re.M), [],
       "settings set to an example host in the installed memo.env")
    with open(conf, "a") as f:
        f.write("NAVER_CLIENT_ID=edited\n")
    eq(make("install", f"DESTDIR={d}").returncode, 0, "second install")
    check("NAVER_CLIENT_ID=edited" in open(conf).read(), "an edited memo.env is kept")
    p = make("uninstall", f"DESTDIR={d}")
    eq(p.returncode, 0, p.stderr)
    eq(files_under(d), {"etc/memo/memo.env"}, "only the edited memo.env is left")
    check("kept" in p.stdout, "uninstall says it kept memo.env")


@test
def installed_maint_and_its_timer(env):
    """The installed memo-maint runs against the installed settings; its systemd units verify"""
    d = env.destdir
    maint = f"{d}/usr/local/sbin/memo-maint"
    eq(mode(maint), 0o755, "memo-maint mode")
    p = subprocess.run([maint], env={"PATH": "/usr/bin:/bin",
                                     "MEMO_CONFIG": f"{d}/etc/memo/memo.env"},
                       capture_output=True, text=True, timeout=60)
    eq(p.returncode, 0, f"memo-maint: {p.stderr}")
    for step in ("purge:", "sweep:", "index:"):
        check(step in p.stdout, f"memo-maint says what {step} did: {p.stdout!r}")
    unit = open(f"{d}/etc/systemd/system/memo-maint.service").read()
    for line in ("User=www-data", "Environment=MEMO_CONFIG=/etc/memo/memo.env",
                 "ExecStart=/usr/local/sbin/memo-maint all", "Type=oneshot"):
        check(line in unit.splitlines(), f"memo-maint.service has {line}")
    timer = open(f"{d}/etc/systemd/system/memo-maint.timer").read()
    check("OnCalendar=hourly" in timer and "WantedBy=timers.target" in timer, timer)
    # systemd's own check, with ExecStart pointing into the DESTDIR (it
    # looks the program up on this machine).
    vdir = os.path.join(env.base, "units")
    os.makedirs(vdir, exist_ok=True)
    with open(f"{vdir}/memo-maint.service", "w") as f:
        f.write(unit.replace("/usr/local/sbin/memo-maint", maint))
    shutil.copy(f"{d}/etc/systemd/system/memo-maint.timer", vdir)
    p = subprocess.run(["systemd-analyze", "verify", "--man=no",
                        f"{vdir}/memo-maint.service", f"{vdir}/memo-maint.timer"],
                       capture_output=True, text=True, timeout=60)
    eq((p.returncode, p.stderr.strip()), (0, ""), "systemd-analyze verify")


@test
def uninstall_removes_what_install_put(env):
    """make install then make uninstall leaves no file behind"""
    d = os.path.join(env.base, "destdir-round")
    shutil.rmtree(d, ignore_errors=True)
    eq(make("install", f"DESTDIR={d}").returncode, 0, "install")
    check(len(files_under(d)) >= len(INSTALLED), "installed")
    p = make("uninstall", f"DESTDIR={d}")
    eq(p.returncode, 0, p.stderr)
    eq(files_under(d), set(), "left after uninstall")
    check(not os.path.exists(f"{d}/usr/local/share/memo"), "share/memo removed")
    check(not os.path.exists(f"{d}/etc/memo"), "etc/memo removed")


def debian_lighttpd(env, snippets):
    """Debian's lighttpd layout (main conf, conf-enabled/) on a loopback port
    with these installed snippets enabled: serves the app, and its access
    log keeps query strings out.  Returns nothing; fails by check."""
    d = env.destdir
    state = os.path.join(env.base, "lighttpd-debian-" + "-".join(snippets))
    shutil.rmtree(state, ignore_errors=True)
    os.makedirs(os.path.join(state, "www"), exist_ok=True)
    os.makedirs(os.path.join(state, "run"), exist_ok=True)
    enabled = os.path.join(state, "conf-enabled")
    os.makedirs(enabled, exist_ok=True)
    # The installed snippets name /usr/local, /etc and /run; here they live
    # under DESTDIR and the test's folder, so copies with the paths
    # re-rooted stand in for them.
    for name in snippets:
        text = open(f"{d}/etc/lighttpd/conf-available/{name}.conf").read()
        text = text.replace(f'"{PREFIX}/', f'"{d}{PREFIX}/').replace(
            '"/etc/memo/', f'"{d}/etc/memo/').replace('"/run/lighttpd"', f'"{state}/run"')
        with open(os.path.join(enabled, f"{name}.conf"), "w") as f:
            f.write(text)
    shutil.copy("/etc/lighttpd/conf-available/10-cgi.conf", enabled)
    port = stack.free_port()
    main = os.path.join(state, "lighttpd.conf")
    with open(main, "w") as f:
        f.write(f"""# like Debian's /etc/lighttpd/lighttpd.conf, on a loopback port
server.modules = ( "mod_indexfile", "mod_access", "mod_alias", "mod_redirect" )
server.document-root = "{state}/www"
server.errorlog      = "{state}/error.log"
server.pid-file      = "{state}/lighttpd.pid"
server.bind          = "127.0.0.1"
server.port          = {port}
index-file.names     = ( "index.html" )
url.access-deny      = ( "~", ".inc" )
include_shell "/usr/share/lighttpd/create-mime.conf.pl"
include "{enabled}/*.conf"
server.modules += ( "mod_staticfile" )
accesslog.filename = "{state}/access.log"
""")
    p = subprocess.run(["lighttpd", "-tt", "-f", main], capture_output=True, text=True)
    eq((p.returncode, p.stderr), (0, ""), "lighttpd -tt: no error, no warning")
    srv = stack.Server("lighttpd", ["lighttpd", "-D", "-f", main],
                       os.path.join(state, "lighttpd.out"))
    try:
        stack.wait_for(stack.listening_by(port, srv.proc.pid), "lighttpd", proc=srv.proc)
        serves_the_app(f"http://127.0.0.1:{port}/")
        memo = os.path.realpath(f"{d}{PREFIX}/lib/memo/cgi-bin/memo.cgi")
        fcgi = [p for p in children(srv.proc.pid) if exe(p) == memo]
        if "51-memo-fastcgi" in snippets:
            eq(len(fcgi), 4, "installed memo.cgi FastCGI processes")
            check(os.path.exists(f"{state}/run/memo.sock-0"), "sockets in the run folder")
        else:
            eq(fcgi, [], "no FastCGI processes without 51-memo-fastcgi.conf")
    finally:
        srv.stop()
    log = open(os.path.join(state, "access.log")).read()
    check("/auth" in log and "secret-code" not in log, "access log without query strings")


def children(ppid):
    pids = []
    for p in os.listdir("/proc"):
        try:
            with open(f"/proc/{p}/stat") as f:
                if p.isdigit() and int(f.read().rsplit(")", 1)[1].split()[1]) == ppid:
                    pids.append(int(p))
        except (OSError, IndexError, ValueError):
            continue
    return pids


def exe(pid):
    try:
        return os.path.realpath(f"/proc/{pid}/exe")
    except OSError:
        return None


@test
def debian_lighttpd_snippet(env):
    """Debian's lighttpd layout: main conf + 10-cgi + the installed 50-memo.conf serve the app"""
    debian_lighttpd(env, ("50-memo",))


@test
def debian_lighttpd_fastcgi_snippet(env):
    """Debian's lighttpd with 50-memo.conf and 51-memo-fastcgi.conf: the installed CGIs serve as FastCGI processes"""
    debian_lighttpd(env, ("50-memo", "51-memo-fastcgi"))


@test
def debian_apache_conf(env):
    """Debian's apache2 layout (a2enmod mpm_prefork cgi headers, a2enconf memo) serves the app"""
    d = env.destdir
    state = os.path.join(env.base, "apache-debian")
    shutil.rmtree(state, ignore_errors=True)
    etc = os.path.join(state, "etc")
    shutil.copytree("/etc/apache2", etc, symlinks=True)
    for name in os.listdir(os.path.join(etc, "mods-enabled")):      # a2dismod mpm_event
        if name.startswith("mpm_"):
            os.remove(os.path.join(etc, "mods-enabled", name))
    for name in ("mpm_prefork.load", "mpm_prefork.conf", "cgi.load", "headers.load"):
        link = os.path.join(etc, "mods-enabled", name)                # a2enmod
        if not os.path.lexists(link):
            os.symlink("../mods-available/" + name, link)
    # The CGIs run as www-data here (when the test runs as root): a copy of
    # the settings it may read, in place of root:www-data /etc/memo/memo.env.
    config = os.path.join(state, "memo.env")
    stack.write_env(config, env.settings)
    os.chmod(config, 0o644)
    text = open(f"{d}/etc/apache2/conf-available/memo.conf").read()
    text = text.replace(f'"{PREFIX}/', f'"{d}{PREFIX}/').replace('"/etc/memo/memo.env"',
                                                               f'"{config}"')
    with open(os.path.join(etc, "conf-available", "memo.conf"), "w") as f:
        f.write(text)
    os.symlink("../conf-available/memo.conf", os.path.join(etc, "conf-enabled", "memo.conf"))
    port = stack.free_port()
    with open(os.path.join(etc, "ports.conf"), "w") as f:
        f.write(f"Listen 127.0.0.1:{port}\nServerName 127.0.0.1\n")
    # As memo.conf's header says: the site logs in the "memo" format, and
    # Debian's catch-all log of other vhosts (with query strings) is off.
    os.remove(os.path.join(etc, "conf-enabled", "other-vhosts-access-log.conf"))
    site = os.path.join(etc, "sites-available", "000-default.conf")
    text = open(site).read().replace("access.log combined", "access.log memo")
    text = text.replace("<VirtualHost *:80>", f"<VirtualHost *:{port}>")
    check("access.log memo" in text and f"*:{port}" in text, "the default site edited")
    with open(site, "w") as f:
        f.write(text)
    run = {k: os.path.join(state, k) for k in ("run", "lock", "log")}
    for p in run.values():
        os.makedirs(p)
    if os.getuid() == 0:
        user = group = "www-data"
    else:   # not root: Apache cannot switch users; name the one it runs as
        user, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
    e = {"PATH": os.environ["PATH"], "LANG": "C", "APACHE_RUN_USER": user,
         "APACHE_RUN_GROUP": group, "APACHE_PID_FILE": os.path.join(run["run"], "apache2.pid"),
         "APACHE_RUN_DIR": run["run"], "APACHE_LOCK_DIR": run["lock"],
         "APACHE_LOG_DIR": run["log"]}
    argv = ["apache2", "-d", etc, "-f", os.path.join(etc, "apache2.conf")]
    p = subprocess.run(argv + ["-t"], env=e, capture_output=True, text=True)
    eq((p.returncode, p.stderr.strip()), (0, "Syntax OK"), "apache2 -t")
    srv = stack.Server("apache2", argv + ["-DFOREGROUND"],
                       os.path.join(state, "apache2.out"), env=e)
    try:
        stack.wait_for(stack.listening_by(port, srv.proc.pid), "apache2", proc=srv.proc)
        serves_the_app(f"http://127.0.0.1:{port}/")
    finally:
        srv.stop()
    logs = "".join(open(os.path.join(run["log"], n), errors="replace").read()
                   for n in os.listdir(run["log"]))
    check("/auth" in logs and "secret-code" not in logs, "access logs without query strings")
