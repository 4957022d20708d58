"""test_stack.py - the harness itself (tools/stack.py): a test is only as
good as the servers it talks to, so the harness must never mistake another
process's server for the one it started.

This was the race behind "Debian's apache2 layout … serves the app" failing
once in two fresh-clone runs (its /health answer was not JSON): a port
chosen "free" by binding port 0 is a port of the kernel's ephemeral range,
which any outgoing connection may take and which a second call may return
again, and a server was deemed up as soon as *anything* accepted on its
port.

Also the table of the time each phase took, which make test prints before
its counts (lib.phase_times)."""
import os
import re
import socket
import subprocess

import lib
import stack
from lib import check, eq, test


@test
def phase_times_table(env):
    """Harness: the time table gives each phase the time until the next one starts (the last, until the end), in the order they ran, leaving out those under a second"""
    table = lib.phase_times(100.0, [("build", 10.0), ("api", 12.6), ("tls", 13.0),
                                    ("browser", 40.0)])
    eq(table.splitlines(), ["", "time by phase:", "     3s  build", "    27s  tls",
                            "    60s  browser"], "the table")
    eq(lib.phase_times(5.0, []).splitlines(), ["", "time by phase:"], "no phase")


@test
def free_ports_are_distinct_and_not_ephemeral(env):
    """Harness: free_port never hands out a port twice, nor one of the kernel's ephemeral range, nor one outside its lane's range"""
    low = stack._ephemeral_low()
    ports = [stack.free_port() for _ in range(300)]
    eq(len(set(ports)), len(ports), "distinct ports")
    check(all(p < low for p in ports), f"below the ephemeral range ({low}): {max(ports)}")
    # run.py gives this lane its own range (MEMO_TEST_PORTS), the other
    # lane another: none of these may fall outside it.
    lane = os.environ.get("MEMO_TEST_PORTS", "")
    check(re.fullmatch(r"\d+-\d+", lane), f"this lane's range is set: {lane!r}")
    lo, hi = map(int, lane.split("-"))
    check(all(lo <= p <= hi for p in ports), f"in this lane's range {lane}: {min(ports)}-{max(ports)}")


@test
def a_server_is_up_only_when_it_listens_itself(env):
    """Harness: a server whose port another process holds is not taken for started"""
    port = stack.free_port()
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", port))
    squatter.listen()
    try:
        check(stack.port_open(port)(), "someone listens on the port")
        sleeper = subprocess.Popen(["sleep", "30"])
        try:
            check(not stack.listening_by(port, sleeper.pid)(),
                  "but not the process that was started")
            check(stack.listening_by(port, os.getpid())(), "the squatter is seen as itself")
        finally:
            sleeper.kill()
            sleeper.wait()
        # lighttpd cannot bind the port: starting it fails, at once.
        try:
            w = stack.Lighttpd(os.path.join(env.base, "lighttpd-squatted"), env.config,
                               port=port)
        except RuntimeError as e:
            check("exited" in str(e), f"lighttpd's start fails: {e}")
        else:
            w.stop()
            raise AssertionError("lighttpd was taken for started on another's port")
    finally:
        squatter.close()


@test
def kept_client_query_like_its_own(env):
    """The harness: env.db.query through the kept client answers as a client of its own would: no session state carried to the next query, an SQL error raised with its message (and the next query answered), a KILLed connection costing nothing, an unterminated quote given up after KeptClient.TIMEOUT"""
    db = stack.MariaDB(env.db.base)      # the same server, clients of its own
    try:
        eq(db.query("SET @left = 1; CREATE TEMPORARY TABLE left_behind (x INT);"
                    " BEGIN; USE mysql; SELECT @left"), [["1"]], "state made")
        eq(db.query("SELECT @left, @@in_transaction, DATABASE(),"
                    " (SELECT COUNT(*) FROM information_schema.TABLES"
                    "  WHERE TABLE_NAME = 'left_behind')"),
           [["NULL", "0", "memo", "0"]], "none of it seen by the next query")
        try:
            db.query("SELECT no_such_column")
            check(False, "an SQL error raised")
        except subprocess.CalledProcessError as e:
            check("Unknown column 'no_such_column'" in e.stderr, f"its message: {e.stderr!r}")
        eq(db.query("SELECT 2"), [["2"]], "the next query answered")
        cid = db.query("SELECT CONNECTION_ID()")[0][0]
        db.query_alone(f"KILL {int(cid)}")
        eq(db.query("SELECT 3"), [["3"]], "after its connection was killed")
        saved, stack.KeptClient.TIMEOUT = stack.KeptClient.TIMEOUT, 2
        try:
            db.query("SELECT 'unterminated")
            check(False, "an unterminated quote given up")
        except subprocess.TimeoutExpired:
            pass
        finally:
            stack.KeptClient.TIMEOUT = saved
        eq(db.query("SELECT 4"), [["4"]], "a client started anew after it")
    finally:
        db.forget_clients()
