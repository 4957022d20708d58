"""test_multinode.py - scale-out on one machine: two lighttpd nodes serving
the installed service, haproxy in front health-checking /health/live as the
AWS target group does (standing in for the ELB and the Auto Scaling group's
ELB health check), one MariaDB (standing in for RDS).  run.py starts them
into env.nodes = {"a": Lighttpd, "b": Lighttpd} and env.lb (stack.HAProxy).

Sessions live in the database, so a login on one node holds on the other;
when node A stops, haproxy takes it out and every request goes to B.  With
the database down no node is taken out (an RDS failover must not replace
every instance), while a node whose CGI cannot run is."""
import os
import shutil
import threading
import time

import stack
from lib import Browser, check, eq, http_get, login, test


def wait_status(env, want, timeout=10.0):
    """Poll haproxy until its view of the nodes is `want`; returns when."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if env.lb.status() == want:
            return time.monotonic()
        time.sleep(0.02)
    raise AssertionError(f"haproxy never saw {want}: {env.lb.status()}")


@test
def session_shared_between_nodes(env):
    """Log in through node A; read and write through node B (sessions are in the database)"""
    wait_status(env, {"a": "UP", "b": "UP"})
    a = Browser(env.nodes["a"].url)
    eq(login(a, "두 노드").status, 302, "login on A")
    b = Browser(env.nodes["b"].url)
    b.cookies.update(a.cookies)
    r = b.get("/")
    eq(r.status, 200, "page on B")
    check("두 노드" in r.text, "B knows the session A created")
    r = b.post_json("/memo", {"text": "B에서 씀"})
    eq(r.status, 200, "POST on B")
    eq([m["text"] for m in a.get("/memo").json()["memos"]], ["B에서 씀"], "A reads B's memo")
    lb = Browser(env.lb.url)
    lb.cookies.update(a.cookies)
    served = {lb.get("/memo").header("X-Served-By") for _ in range(6)}
    eq(served, {"a", "b"}, "haproxy spreads requests over both nodes")


class Writer(threading.Thread):
    """A client that keeps POSTing numbered memos through the balancer and
    records every outcome with its start and end time."""

    def __init__(self, base, cookies, tag):
        super().__init__(daemon=True)
        self.b = Browser(base)
        self.b.cookies.update(cookies)
        self.tag = tag
        self.stop = threading.Event()
        self.log = []       # (text, started, ended, status or error, node)

    def run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            text = f"failover {self.tag} {n}"
            t0 = time.monotonic()
            try:
                r = self.b.post_json("/memo", {"text": text}, timeout=10)
                ok = r.status == 200 and r.json().get("text") == text
                outcome, node = (200 if ok else r.status), r.header("X-Served-By")
            except Exception as e:  # a reset connection is an outcome too
                outcome, node = repr(e), None
            self.log.append((text, t0, time.monotonic(), outcome, node))


@test
def node_stops_while_writing(env):
    """Node A stops while clients write: after haproxy notices, all succeed on B; no acknowledged memo lost

    Node A is stopped by its pid with SIGTERM (lighttpd's immediate
    shutdown).  POSTs it had already received then get a 502: haproxy
    resends no request a server has seen, and the test counts them instead
    of hiding them.  Refused connections are retried on B (retries +
    option redispatch), so they never fail."""
    wait_status(env, {"a": "UP", "b": "UP"})
    who = Browser(env.lb.url)
    eq(login(who, "장애 조치").status, 302, "login through haproxy")
    writers = [Writer(env.lb.url, who.cookies, t) for t in ("w1", "w2")]
    for w in writers:
        w.start()
    time.sleep(1.0)
    before = sum(len(w.log) for w in writers)
    t_stop = time.monotonic()
    env.nodes["a"].stop()                       # by its pid (SIGTERM)
    t_down = wait_status(env, {"a": "DOWN", "b": "UP"})
    time.sleep(1.5)                             # keep writing through B
    for w in writers:
        w.stop.set()
    for w in writers:
        w.join(15)
    log = [e for w in writers for e in w.log]
    acked = [e for e in log if e[3] == 200]
    failed = [e for e in log if e[3] != 200]
    after = [e for e in log if e[1] >= t_down]
    during = [e for e in log if e[2] >= t_stop and e[1] < t_down]
    texts = {r[0] for r in env.db.query(
        "SELECT text FROM memo WHERE text LIKE 'failover %'")}
    with open(os.path.join(env.lb.state, "haproxy.log"), errors="replace") as f:
        lb_log = [line for line in f if "POST /memo" in line]
    redispatched = sum("retries=+" in line for line in lb_log)
    # Termination states of the POSTs haproxy failed: "SH" = node A had
    # accepted the connection and got the request, then closed without an
    # answer; "SD" = the same while the request's body or the answer was
    # still on its way (seen once, in a full run); haproxy resends neither: A
    # may have applied them.  "SC" = the connection was refused and retries
    # ran out (redispatch prevents it).
    fields = [line.split() for line in lb_log]
    lb_failed = [f[7][:2] for f in fields if f[5] != "200"]
    print(f"    failover: {len(log)} POSTs by 2 clients ({before} before the stop, "
          f"{len(during)} during the switch, {len(after)} after); "
          f"{len(acked)} acknowledged, {len(failed)} failed "
          f"{sorted({str(e[3])[:60] for e in failed})}; haproxy marked A DOWN "
          f"{t_down - t_stop:.2f}s after the stop; "
          f"{len(texts)} failover memos in the database "
          f"({sum(e[0] in texts for e in failed)} of them unacknowledged); "
          f"{redispatched} POSTs refused by A were redispatched to B; "
          f"haproxy's failures by state: {sorted(lb_failed)}", flush=True)
    check(before >= 4, f"writes before the stop: {before}")
    check(len(after) >= 4, f"writes after haproxy noticed: {len(after)}")
    eq([e for e in after if e[3] != 200], [], "every request after haproxy noticed succeeds")
    eq({e[4] for e in after}, {"b"}, "served by B")
    missing = [e[0] for e in acked if e[0] not in texts]
    eq(missing, [], "acknowledged memos missing from the database")
    # What may fail is only a POST node A had already received when it
    # stopped: never a refused connection, never after haproxy noticed.
    check(all(e[1] < t_down for e in failed), f"failed after the switch: {failed}")
    eq(len(lb_failed), len(failed), "every failure is one haproxy answered")
    eq([st for st in lb_failed if st not in ("SH", "SD")], [],
       "failures other than a POST cut on A")
    check(t_down - t_stop < 2.0, f"failover took {t_down - t_stop:.2f}s")


@test
def node_comes_back(env):
    """Node A back on its port: haproxy puts it back after `rise` good checks"""
    a = env.nodes["a"]
    env.nodes["a"] = a.restart()
    t0 = time.monotonic()
    t_up = wait_status(env, {"a": "UP", "b": "UP"})
    print(f"    node A back in service {t_up - t0:.2f}s after it started", flush=True)
    eq(http_get(env.lb.url + "health").status, 200, "health through haproxy")


@test
def database_down_takes_no_node_out(env):
    """The database stops: haproxy, checking /health/live, keeps both nodes in (no instance would be replaced); /health says 503"""
    wait_status(env, {"a": "UP", "b": "UP"})
    # Beside it, a balancer checking /health, as the target group did
    # before: it takes every node out at once.
    old = stack.HAProxy(os.path.join(env.base, "haproxy-deep"),
                        [(n, w.port) for n, w in env.nodes.items()], check="/health")
    env.db.stop()
    try:
        t0 = time.monotonic()
        seen, old_seen = set(), set()
        # 15 checks per node (every 200 ms); 2 failures would take one out.
        while time.monotonic() - t0 < 3.0:
            seen.add(tuple(sorted(env.lb.status().items())))
            old_seen.add(tuple(sorted(old.status().items())))
            time.sleep(0.05)
        # "UP 1/2" is a node one failed check from leaving (a check slower
        # than haproxy's 200 ms on a loaded machine): still serving.
        out = sorted({(n, st) for view in seen for n, st in view if not st.startswith("UP")})
        eq(out, [], f"nodes out while the database is down (views: {sorted(seen)})")
        check((("a", "DOWN"), ("b", "DOWN")) in old_seen,
              f"checking /health, every node went out: {old_seen}")
        r = http_get(env.lb.url + "health")
        eq((r.status, r.json()), (503, {"error": "database unavailable"}),
           "/health, what the alarm and operators watch")
        eq(http_get(env.lb.url + "health/live").status, 200, "/health/live")
    finally:
        old.stop()
        env.db.start()
    eq(http_get(env.lb.url + "health").status, 200, "/health once the database is back")
    print("    saw: both nodes UP through 3 s without the database (about 15 checks "
          "each, 2 failures would have taken one out), while a balancer checking /health "
          "took both out; /health 503 meanwhile", flush=True)


@test
def node_that_cannot_serve_is_taken_out(env):
    """A node whose CGIs cannot run, or cannot read their settings, fails /health/live and leaves; a stopped one too (node_stops_while_writing)"""
    d = env.destdir
    cgi = os.path.join(env.base, "broken-cgi-bin")
    shutil.rmtree(cgi, ignore_errors=True)
    shutil.copytree(os.path.join(d, "usr", "local", "lib", "memo", "cgi-bin"), cgi)
    os.chmod(os.path.join(cgi, "health.cgi"), 0o644)        # cannot be run
    conf = os.path.join(d, "usr", "local", "share", "memo", "lighttpd.conf")
    root = os.path.join(d, "usr", "local", "lib", "memo")
    config = os.path.join(d, "etc", "memo", "memo.env")
    nodes = {"noexec": stack.Lighttpd(os.path.join(env.base, "node-noexec"), config, root=root,
                                      conf=conf, cgi_dir=cgi),
             "nosettings": stack.Lighttpd(os.path.join(env.base, "node-nosettings"),
                                          os.path.join(env.base, "no-such.env"), root=root,
                                          conf=conf)}
    lb = None
    try:
        lb = stack.HAProxy(os.path.join(env.base, "haproxy-broken"),
                           [("a", env.nodes["a"].port)] + [(n, w.port) for n, w in nodes.items()])
        deadline = time.monotonic() + 10
        while True:
            view = lb.status()
            if (view.get("a", "").startswith("UP") and view.get("noexec") == "DOWN"
                    and view.get("nosettings") == "DOWN"):
                break
            check(time.monotonic() < deadline, f"haproxy's view: {view}")
            time.sleep(0.05)
        for n, w in nodes.items():
            eq(http_get(w.url + "health/live").status, 500, f"{n}: /health/live")
        served = {Browser(lb.url).get("/health/live").header("X-Served-By") for _ in range(6)}
        eq(served, {"a"}, "only the good node serves")
    finally:
        for s in [lb, *nodes.values()]:
            if s is not None:
                s.stop()
