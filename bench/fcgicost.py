#!/usr/bin/env python3
"""bench/fcgicost.py - instructions a FastCGI request costs memo.cgi
(valgrind --tool=callgrind), this version and the previous one.

    N=30 python3 bench/fcgicost.py [get tag post patch prevget prevpost]

memo.cgi runs as a FastCGI process on a socket of its own (fd 0, as
mod_fastcgi starts it) under callgrind, against a private MariaDB
(var/fcgicost/, stopped at the end); this script speaks FastCGI to it.
Each kind of request is sent N times to one process and 2N times to
another: the difference over N is what one request costs, start-up and
exit cancelled.  GET /memo and GET /memo?tag= list 20 tagged memos, as
`make bench` does.  Repeatable where wall time is not (docs/performance.md
quotes it); callgrind's files stay in var/fcgicost/ for callgrind_annotate.
"""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT + "/tools", ROOT + "/tests"]
import stack     # noqa: E402
import previous  # noqa: E402

import bench      # tools/bench.py (tools/ is first on the path)
BASE = os.path.join(ROOT, "var", "fcgicost")
N = int(os.environ.get("N", "30"))


def record(kind, content):
    """One FastCGI record of request 1."""
    return struct.pack(">BBHHBx", 1, kind, 1, len(content), 0) + content


def pair(k, v):
    k, v = k.encode(), v.encode()

    def size(x):
        return bytes([len(x)]) if len(x) < 128 else struct.pack(">I", len(x) | 0x80000000)
    return size(k) + size(v) + k + v


def request(path, params, body=b""):
    """Send one request on the socket at path; return its stdout."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(record(1, struct.pack(">HB5x", 1, 0)) +
              record(4, b"".join(pair(k, v) for k, v in params.items())) + record(4, b"") +
              (record(5, body) if body else b"") + record(5, b""))
    got = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        got += d
    s.close()
    out, i = b"", 0
    while i + 8 <= len(got):
        _, kind, _, n, pad = struct.unpack(">BBHHB", got[i:i + 7])
        if kind == 6:
            out += got[i + 8:i + 8 + n]
        i += 8 + n + pad
    return out


def run(prog, config, requests, label):
    """prog as a FastCGI process under callgrind serving requests; returns
    (its instructions, the first answer)."""
    sock = os.path.join(BASE, label + ".sock")
    if os.path.exists(sock):
        os.unlink(sock)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(sock)
    listener.listen(16)
    out = os.path.join(BASE, "cg." + label)
    with open(os.path.join(BASE, label + ".err"), "w") as err:
        p = subprocess.Popen(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, prog],
                             stdin=listener.fileno(), stdout=subprocess.DEVNULL, stderr=err,
                             env={"PATH": "/usr/bin:/bin", "MEMO_CONFIG": config})
    listener.close()
    try:
        time.sleep(0.5)
        first = None
        for params, body in requests:
            answer = request(sock, params, body)
            first = first if first is not None else answer
    finally:
        p.send_signal(signal.SIGUSR1)   # leaves the accept loop
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    with open(out) as f:
        total = [line for line in f if line.startswith(("summary:", "totals:"))][0]
    return int(total.split()[1]), first


def main():
    shutil.rmtree(BASE, ignore_errors=True)
    os.makedirs(BASE)
    db = stack.MariaDB(os.path.join(BASE, "mariadb")).start()
    try:
        db.bootstrap()
        config = os.path.join(BASE, "memo.env")
        stack.write_env(config, {"DB_SOCKET": db.socket, "DB_USER": "memo",
                                 "DB_PASSWORD": db.password, "DB_DATABASE": "memo"})
        # Settled: a config file read within 2 s of its change (ctime too,
        # which utime sets to now) is read again, as on no real server.
        past = time.time() - 60
        os.utime(config, (past, past))
        changed = time.time()
        cur = os.path.join(ROOT, "cgi-bin", "memo.cgi")
        prev = os.path.join(previous.build(bench.BASELINE), "memo.cgi")
        reader, editor, writer = (bench.session_for(db, u, u) for u in ("r", "e", "w"))
        # (cfg.c compares whole seconds: up to 3 s.)
        time.sleep(max(0.0, 3.1 - (time.time() - changed)))

        def params(token, method="GET", qs="", path="", body=b""):
            p = {"REQUEST_METHOD": method, "SCRIPT_NAME": "/memo", "PATH_INFO": path,
                 "REQUEST_URI": "/memo" + path + ("?" + qs if qs else ""), "QUERY_STRING": qs,
                 "HTTP_COOKIE": "sessionId=" + token, "CONTENT_LENGTH": str(len(body)),
                 "SERVER_PROTOCOL": "HTTP/1.1", "MEMO_CONFIG": config}
            if body:
                p["CONTENT_TYPE"] = "application/json"
            return p, body

        def by_hand(token, body):
            p, b = params(token, "POST", body=body)
            r = subprocess.run([cur], input=b, env=dict(p, PATH="/usr/bin:/bin"),
                               check=True, capture_output=True)
            return json.loads(r.stdout.split(b"\r\n\r\n", 1)[1])

        for i in range(20):
            tags = " #work/plan" if i % 2 else ""
            by_hand(reader, json.dumps({"text": f"벤치 메모 {i}: 오늘 할 일 — 장보기, 운동, 책 읽기 #할일{tags}"}).encode())
        ids = [by_hand(editor, json.dumps({"text": f"고칠 메모 {i}"}).encode())["id"] for i in range(8)]
        edits = iter(range(10 ** 9))
        post = json.dumps({"text": "벤치마크가 쓴 메모 한 줄"}).encode()
        kinds = {
            "get": (cur, lambda i: params(reader)),
            "tag": (cur, lambda i: params(reader, qs="tag=%ED%95%A0%EC%9D%BC")),
            "post": (cur, lambda i: params(writer, "POST", body=post)),
            "patch": (cur, lambda i: params(editor, "PATCH", path=f"/{ids[i % 8]}", body=json.dumps(
                {"text": f"벤치마크가 고친 메모 {next(edits)}"}).encode())),
            "prevget": (prev, lambda i: params(reader)),
            "prevpost": (prev, lambda i: params(writer, "POST", body=post)),
        }
        for kind in sys.argv[1:] or list(kinds):
            prog, make = kinds[kind]
            a, first = run(prog, config, [make(i) for i in range(N)], kind + "1")
            b, _ = run(prog, config, [make(i) for i in range(2 * N)], kind + "2")
            status = first.split(b"\r\n", 1)[0].decode()
            print(f"{kind:9} {(b - a) / N:10,.0f} instructions a request  ({status})",
                  flush=True)
    finally:
        db.stop()


if __name__ == "__main__":
    main()
