#!/usr/bin/env python3
"""mysql_standin.py - the login of a MySQL 8.4 server, for the test of the
CGIs' caching_sha2_password login (test_mysql_auth.py): no MySQL server can
be installed on this machine.  Only what a client sees of MySQL 8.4's
default authentication is played, from the protocol's documentation:

- the server greets with the plugin caching_sha2_password and a 20-byte
  nonce;
- fast authentication: the client's answer must be
  SHA256(password) XOR SHA256(SHA256(SHA256(password)) + nonce); the
  server says "fast auth success" (0x01 0x03), then OK;
- with --full: the server asks for full authentication (0x01 0x04) as
  MySQL does when the password is not in its cache (after a restart, a
  failover), and the client must send the password itself, which it does
  only over TLS (--cert/--key: the connection is upgraded when the client
  asks);
- a wrong answer gets MySQL's error 1045 (access denied);
- then any query gets one row with one column, 1 (what `SELECT 1` gets).

    mysql_standin.py --port N --user U --password P [--full] [--cert C --key K]

Listens on 127.0.0.1 only; one thread per connection; a line per login on
stdout ("fast ok user", "full ok user tls", "denied user")."""
import argparse
import hashlib
import os
import socket
import socketserver
import ssl
import struct

CAPS = (0x1 | 0x2 | 0x4 | 0x8 | 0x200 | 0x2000 | 0x8000 | (1 << 16) | (1 << 17) |
        (1 << 18) | (1 << 19) | (1 << 20) | (1 << 21))
CLIENT_SSL = 0x800
PLUGIN = b"caching_sha2_password"


def sha256(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.digest()


def scramble(password, nonce):
    stage1 = sha256(password)
    return bytes(a ^ b for a, b in zip(stage1, sha256(sha256(stage1), nonce)))


def lenenc(n):
    if n < 251:
        return bytes([n])
    if n < 1 << 16:
        return b"\xfc" + struct.pack("<H", n)
    return b"\xfd" + struct.pack("<I", n)[:3]


def lenenc_str(b):
    return lenenc(len(b)) + b


def read_lenenc(data, i):
    first = data[i]
    if first < 251:
        return first, i + 1
    if first == 0xfc:
        return struct.unpack_from("<H", data, i + 1)[0], i + 3
    if first == 0xfd:
        return int.from_bytes(data[i + 1:i + 4], "little"), i + 4
    return struct.unpack_from("<Q", data, i + 1)[0], i + 9


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.seq = 0

    def recv_exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise EOFError
            out += chunk
        return out

    def read(self):
        head = self.recv_exact(4)
        n = int.from_bytes(head[:3], "little")
        self.seq = (head[3] + 1) & 0xff
        return self.recv_exact(n)

    def send(self, payload):
        self.sock.sendall(len(payload).to_bytes(3, "little") + bytes([self.seq]) + payload)
        self.seq = (self.seq + 1) & 0xff

    def ok(self):
        self.send(b"\x00\x00\x00\x02\x00\x00\x00")

    def eof(self):
        self.send(b"\xfe\x00\x00\x02\x00")

    def error(self, code, state, message):
        self.send(b"\xff" + struct.pack("<H", code) + b"#" + state + message.encode())


def parse_response(data):
    """HandshakeResponse41: (user, auth response, plugin name)."""
    caps = struct.unpack_from("<I", data, 0)[0]
    i = 32
    end = data.index(b"\0", i)
    user, i = data[i:end].decode(), end + 1
    if caps & (1 << 21):
        n, i = read_lenenc(data, i)
    else:
        n, i = data[i], i + 1
    auth, i = data[i:i + n], i + n
    if caps & 0x8 and i < len(data):
        i = data.index(b"\0", i) + 1
    plugin = b""
    if caps & (1 << 19) and i < len(data):
        plugin = data[i:data.index(b"\0", i)]
    return user, auth, plugin


def answer_query(c):
    """One column, one row: 1."""
    c.seq = 1
    c.send(lenenc(1))
    c.send(lenenc_str(b"def") + lenenc_str(b"") * 3 + lenenc_str(b"1") + lenenc_str(b"") +
           b"\x0c" + struct.pack("<HIBHB", 63, 1, 0x08, 0x81, 0) + b"\0\0")
    c.eof()
    c.send(lenenc_str(b"1"))
    c.eof()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        o = self.server.opts
        c = Conn(self.request)
        nonce = os.urandom(20).replace(b"\0", b"\1")
        caps = CAPS | (CLIENT_SSL if o.cert else 0)
        c.send(b"\x0a" + b"8.4.7-standin\0" + struct.pack("<I", 1) + nonce[:8] + b"\0" +
               struct.pack("<H", caps & 0xffff) + b"\x2d" + struct.pack("<H", 2) +
               struct.pack("<H", caps >> 16) + bytes([21]) + b"\0" * 10 + nonce[8:] + b"\0" +
               PLUGIN + b"\0")
        try:
            data = c.read()
            tls = False
            if len(data) == 32 and struct.unpack_from("<I", data, 0)[0] & CLIENT_SSL:
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(o.cert, o.key)
                c.sock = ctx.wrap_socket(c.sock, server_side=True)
                tls = True
                data = c.read()
            user, auth, plugin = parse_response(data)
            pw = o.password.encode()
            if plugin != PLUGIN or user != o.user or auth != scramble(pw, nonce):
                print(f"denied {user} {plugin.decode()}", flush=True)
                c.error(1045, b"28000", f"Access denied for user '{user}'@'127.0.0.1'")
                return
            if o.full:
                c.send(b"\x01\x04")             # perform full authentication
                sent = c.read()
                if not tls or sent != pw + b"\0":
                    print(f"denied {user} full {'tls' if tls else 'plain'}", flush=True)
                    c.error(1045, b"28000", "Access denied (full authentication)")
                    return
                print(f"full ok {user} tls", flush=True)
            else:
                c.send(b"\x01\x03")             # fast auth success
                print(f"fast ok {user} {'tls' if tls else 'plain'}", flush=True)
            c.ok()
            while True:
                cmd = c.read()
                if cmd[:1] == b"\x01":          # COM_QUIT
                    return
                if cmd[:1] == b"\x03":          # COM_QUERY
                    answer_query(c)
                else:
                    c.ok()
        except (EOFError, ConnectionError, ssl.SSLError):
            return


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--full", action="store_true")
    p.add_argument("--cert")
    p.add_argument("--key")
    o = p.parse_args()
    srv = Server(("127.0.0.1", o.port), Handler)
    srv.opts = o
    srv.serve_forever()


if __name__ == "__main__":
    main()
