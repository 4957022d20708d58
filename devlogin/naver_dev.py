#!/usr/bin/env python3
"""naver_dev.py - an offline stand-in for Naver Login (네이버 로그인).

It speaks Naver's wire format (see shared/naver-login.md) on the same paths,
and has two uses:

1. Development login provider: `make run` starts it, and a developer logs in
   by typing a display name on its authorize page instead of going to Naver.
   The same name always gives the same user id ("dev" + 32 hex digits of the
   SHA-256 of the name); different names give different users.
2. Test double for the end-to-end tests, which can also make it play Naver's
   failures: a test sends the service's callback a code whose first
   dot-separated part names a SCENARIO (codes are SCENARIO.NAME.RANDOM, NAME
   being the base64url of the UTF-8 name without padding; the authorize page
   issues "ok." codes).  The access token is "AT." + the code, so the profile
   endpoint recovers scenario and name without keeping state.

    scenario         token endpoint (/oauth2.0/token)
    tokenhang        sleeps --hang-seconds, then answers success
    tokenerror       200 {"error":"invalid_request","error_description":"no valid data in session"}
    token500         HTTP 500, plain text
    tokennotjson     200, text/html body "<html><body>점검 중</body></html>"
    tokennoaccess    200 JSON without access_token
    tokennumber      success, but expires_in is the number 3600
    (anything else)  success; expires_in is the string "3600", as Naver sends it

    scenario         unlink (token endpoint, grant_type=delete, with "AT." + code)
    deleteerror      200 {"error":"invalid_request","error_description":"..."}
    delete500        HTTP 500, plain text
    deletenotjson    200, text/html body
    deletenoresult   200 JSON without "result"
    deletehang       sleeps --hang-seconds, then answers success
    deletedrop       closes the connection without answering (refused)
    (anything else)  200 {"access_token":…,"result":"success"}: the access
                     token is revoked (the profile endpoint answers 024 for
                     it, and a second unlink with it is an error)

    scenario         profile endpoint (/v1/nid/me)
    profile024       HTTP 401 {"resultcode":"024",...}
    profile500       HTTP 500, plain text
    profilenotjson   200, body "not json"
    profilehang      sleeps --hang-seconds, then answers success
    profile00bad     200 {"resultcode":"024","message":"Authentication failed"}
    profilenoid      200, "00", response without id
    profilenoname    200, "00", response with id and nickname, no name
    profilenonames   200, "00", response with id only
    profilenumberid  200, "00", id is the JSON number 12345
    (anything else)  200, "00", id, nickname, name, email

Token requests are checked in this order, failures answered with HTTP 200 and
Naver's {"error":..,"error_description":..}: grant_type is authorization_code
or delete (else invalid_request), client_id/client_secret match (else
invalid_client); for authorization_code, code present (else
invalid_request), code not already exchanged (else invalid_grant); for
delete (연동 해제), service_provider is NAVER and access_token one this
double handed out and did not revoke yet (else invalid_request).  Only
answers that hand out an access token use up the code.

The authorize page takes auth_type=reprompt (Naver shows its consent page
again: the page says so) or reauthenticate; another auth_type is a 400.

Test helpers: GET /_double/token-requests lists every token request (the
last 10000) as {"method","secret_in_query","grant_type"} (an unlink also
with "token_in_query", "service_provider", "token_known": the token was a
live one of this double's, and "answer": success, error or the scenario),
never the code, token or secret values; GET /_double/authorize-requests
lists every authorize page shown as {"auth_type"}; POST /_double/reset
clears both lists, the used codes and the revoked tokens.  Anything else is
a plain-text 404; POST bodies over 64 KiB get 413.

Usage: naver_dev.py --port PORT [--host 127.0.0.1] [--client-id ID]
       [--client-secret SECRET] [--pidfile FILE] [--hang-seconds 30] [--log FILE]
       [--tls-cert FILE --tls-key FILE]
--port 0 picks a free port; the "listening on" line tells which.  Standard
library only.  The log has one line per request: method, path (no query),
status.  --host must be a loopback IP literal (127.0.0.1, ::1), not a name.
With --tls-cert and --tls-key (PEM: the certificate, then any intermediates;
its key) it serves HTTPS, as Naver does: the tests make a certificate with a
CA of their own and give the service that CA (NAVER_CA_FILE).  A client
that rejects the certificate leaves one "TLS handshake failed" line in the
log and never reaches an endpoint.
"""
import argparse, base64, hashlib, html, ipaddress, json, os, secrets, signal
import socket, ssl, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 64 * 1024
ERR_024 = {"resultcode": "024", "message": "Authentication failed / 인증에 실패했습니다."}
ERR_028 = {"resultcode": "028", "message": "Authentication header not exists"}
PAGE = """<!DOCTYPE html>
<html lang="ko">
<head><meta charset="utf-8"><title>개발용 네이버 로그인</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>개발용 네이버 로그인</h1>
{reprompt}<p>이 페이지는 네이버 로그인을 대신하는 오프라인 개발용 로그인입니다.
네이버에 연결하지 않으며, 입력한 표시 이름이 같으면 언제나 같은 사용자로 로그인됩니다.</p>
<form method="post" action="/oauth2.0/authorize">
<p><label for="name">표시 이름</label>
<input type="text" id="name" name="name" required maxlength="100" autofocus></p>
<input type="hidden" name="redirect_uri" value="{redirect_uri}">
<input type="hidden" name="state" value="{state}">
<p><button type="submit" id="login" name="action" value="login">로그인</button>
<button type="submit" id="cancel" name="action" value="cancel" formnovalidate>취소</button></p>
</form>
</body>
</html>
"""
REPROMPT = """<p id="reprompt"><strong>다시 동의</strong>: 서비스가 동의를 다시 요청했습니다
(auth_type=reprompt). 탈퇴처럼 본인의 확인이 필요한 단계입니다.
같은 네이버 계정(같은 표시 이름)으로 계속하거나 취소하세요.</p>
"""


def decode_name(code):
    """The UTF-8 name in a code's second part, or None."""
    parts = code.split(".")
    if len(parts) < 2 or not parts[1] or parts[1].strip(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"):
        return None
    try:
        name = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)).decode("utf-8")
    except ValueError:              # binascii.Error and UnicodeDecodeError
        return None
    return name or None


def redirect_ok(uri):
    """An absolute http(s) URL of printable ASCII without a fragment."""
    if not uri or not uri.isascii() or not uri.isprintable() or " " in uri or "#" in uri:
        return False
    u = urllib.parse.urlsplit(uri)
    return u.scheme in ("http", "https") and bool(u.netloc)


class Handler(BaseHTTPRequestHandler):
    server_version = "naver_dev/1.0"

    # --- plumbing -------------------------------------------------------
    def log_message(self, fmt, *args):          # silence http.server's own log,
        pass                                    # which would include queries

    def log_request(self, code="-", size="-"):
        path = urllib.parse.urlsplit(getattr(self, "path", "") or "").path
        path = urllib.parse.quote(path, safe="/%:@!$&'()*+,;=-._~")
        self.server.log("%s %s %s" % (getattr(self, "command", None) or "-", path or "-",
                                      getattr(code, "value", code)))

    def reply(self, status, body, ctype="text/plain; charset=utf-8", headers=()):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def reply_json(self, status, obj):
        self.reply(status, json.dumps(obj, ensure_ascii=False),
                   "application/json;charset=utf-8")

    def query(self):
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query,
                                     keep_blank_values=True, max_num_fields=100)

    def form(self):
        """The form body as parse_qs dict; None after answering 400/411/413."""
        if self.headers.get("Transfer-Encoding"):
            self.reply(411, "Content-Length가 필요합니다.\n")
            return None
        try:
            n = int(self.headers.get("Content-Length") or 0)
            if n < 0:
                raise ValueError
        except ValueError:
            self.reply(400, "잘못된 Content-Length입니다.\n")
            return None
        if n > MAX_BODY:
            self.reply(413, "요청 본문이 너무 큽니다.\n")
            return None
        body = self.rfile.read(n).decode("utf-8", "replace")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return {}
        try:
            return urllib.parse.parse_qs(body, keep_blank_values=True, max_num_fields=100)
        except ValueError:
            return {}

    def route(self):
        return urllib.parse.urlsplit(self.path).path

    # --- dispatch ---------------------------------------------------------
    def do_GET(self):
        path = self.route()
        if path == "/oauth2.0/authorize":
            self.authorize_page(self.query())
        elif path == "/oauth2.0/token":
            self.token(self.query())
        elif path == "/v1/nid/me":
            self.profile()
        elif path in ("/_double/token-requests", "/_double/authorize-requests"):
            with self.server.lock:
                records = list(self.server.token_requests if "token" in path
                               else self.server.authorize_requests)
            self.reply_json(200, records)
        else:
            self.reply(404, "찾을 수 없습니다.\n")

    def do_POST(self):
        path = self.route()
        if path not in ("/oauth2.0/authorize", "/oauth2.0/token", "/_double/reset"):
            self.reply(404, "찾을 수 없습니다.\n")
            return
        f = self.form()
        if f is None:
            return
        if path == "/oauth2.0/authorize":
            self.authorize_post(f)
        elif path == "/oauth2.0/token":
            self.token({**self.query(), **f})     # body wins
        else:
            with self.server.lock:
                self.server.token_requests.clear()
                self.server.authorize_requests.clear()
                self.server.used_codes.clear()
                self.server.revoked.clear()
            self.reply_json(200, {"reset": True})

    # --- endpoints --------------------------------------------------------
    def authorize_page(self, q):
        g = lambda k: q.get(k, [""])[0]
        if g("response_type") != "code":
            return self.reply(400, "잘못된 요청: response_type은 code여야 합니다.\n")
        if g("client_id") != self.server.client_id:
            return self.reply(400, "잘못된 요청: 등록되지 않은 client_id입니다.\n")
        if not redirect_ok(g("redirect_uri")):
            return self.reply(400, "잘못된 요청: redirect_uri가 없거나 http(s) 주소가 아닙니다.\n")
        if not g("state"):
            return self.reply(400, "잘못된 요청: state가 없습니다.\n")
        if g("auth_type") not in ("", "reprompt", "reauthenticate"):
            return self.reply(400, "잘못된 요청: auth_type은 reprompt 또는 reauthenticate여야 합니다.\n")
        with self.server.lock:
            self.server.authorize_requests.append({"auth_type": g("auth_type")})
            del self.server.authorize_requests[:-10000]
        self.reply(200, PAGE.format(redirect_uri=html.escape(g("redirect_uri"), quote=True),
                                    state=html.escape(g("state"), quote=True),
                                    reprompt=REPROMPT if g("auth_type") == "reprompt" else ""),
                   "text/html; charset=utf-8")

    def authorize_post(self, f):
        g = lambda k: f.get(k, [""])[0]
        uri, state, action, name = g("redirect_uri"), g("state"), g("action"), g("name").strip()
        if not redirect_ok(uri) or not state:
            return self.reply(400, "잘못된 요청: redirect_uri 또는 state가 올바르지 않습니다.\n")
        if action == "cancel":
            params = {"error": "access_denied", "error_description": "Canceled By User",
                      "state": state}
        elif action == "login":
            if not name or len(name) > 100:
                return self.reply(400, "표시 이름을 1자에서 100자 사이로 입력하세요.\n")
            b64 = base64.urlsafe_b64encode(name.encode("utf-8")).decode("ascii").rstrip("=")
            params = {"code": "ok.%s.%s" % (b64, secrets.token_urlsafe(12)), "state": state}
        else:
            return self.reply(400, "잘못된 요청: action은 login 또는 cancel이어야 합니다.\n")
        location = uri + ("&" if "?" in uri else "?") + urllib.parse.urlencode(params)
        self.reply(302, "", headers=[("Location", location)])

    def fault(self, scenario, prefix, description):
        """The canned failures <prefix>error, <prefix>500 and <prefix>notjson;
        True if scenario was one of them (and answered)."""
        if scenario == prefix + "error":
            self.reply_json(200, {"error": "invalid_request", "error_description": description})
        elif scenario == prefix + "500":
            self.reply(500, "Internal Server Error (naver_dev %s500)\n" % prefix)
        elif scenario == prefix + "notjson":
            self.reply(200, "<html><body>점검 중</body></html>", "text/html; charset=utf-8")
        else:
            return False
        return True

    def token(self, p):
        g = lambda k: p.get(k, [""])[0]
        srv = self.server
        secret_in_query = "client_secret" in self.query()
        record = {"method": self.command, "secret_in_query": secret_in_query,
                  "grant_type": g("grant_type")}
        with srv.lock:
            srv.token_requests.append(record)
            del srv.token_requests[:-10000]
        code = g("code")
        if g("grant_type") not in ("authorization_code", "delete"):
            return self.reply_json(200, {"error": "invalid_request",
                                         "error_description": "unsupported grant_type"})
        if not (secrets.compare_digest(g("client_id").encode(), srv.client_id.encode()) and
                secrets.compare_digest(g("client_secret").encode(), srv.client_secret.encode())):
            return self.reply_json(200, {"error": "invalid_client",
                                         "error_description": "client authentication failed"})
        if g("grant_type") == "delete":
            return self.unlink(p, record)
        if not code:
            return self.reply_json(200, {"error": "invalid_request",
                                         "error_description": "no code"})
        scenario = code.split(".")[0]
        if self.fault(scenario, "token", "no valid data in session"):
            return None
        answer = {"access_token": "AT." + code, "refresh_token": "RT." + secrets.token_urlsafe(24),
                  "token_type": "bearer", "expires_in": "3600"}
        if scenario == "tokennoaccess":
            del answer["access_token"]
            return self.reply_json(200, answer)
        with srv.lock:                          # check and use up atomically
            used = code in srv.used_codes
            srv.used_codes.add(code)
        if used:
            return self.reply_json(200, {"error": "invalid_grant",
                                         "error_description": "code already used"})
        if scenario == "tokennumber":
            answer["expires_in"] = 3600
        if scenario == "tokenhang":
            time.sleep(srv.hang_seconds)
        self.reply_json(200, answer)

    def unlink(self, p, record):
        """grant_type=delete (연동 해제): revoke a live access token.
        record (in the token requests' list) learns what was asked."""
        g = lambda k: p.get(k, [""])[0]
        srv, token = self.server, g("access_token")
        scenario = token[3:].split(".")[0] if token.startswith("AT.") else ""
        naver = g("service_provider") == "NAVER"
        fails = scenario in ("deletedrop", "deleteerror", "delete500", "deletenotjson")
        with srv.lock:                          # check and revoke at once: one unlink wins
            known = decode_name(token[3:]) is not None and token not in srv.revoked
            if known and naver and not fails:
                srv.revoked.add(token)          # deletehang: revoked before its sleep
            if scenario.startswith("delete"):
                answer = scenario
            elif known and naver:
                answer = "success"
            else:
                answer = "error"
            record.update({"token_in_query": "access_token" in self.query(),
                           "service_provider": g("service_provider"), "token_known": known,
                           "answer": answer})
        if scenario == "deletedrop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        if self.fault(scenario, "delete", "naver_dev deleteerror"):
            return None
        if not naver or not known:
            return self.reply_json(200, {"error": "invalid_request",
                                         "error_description": "invalid service_provider or "
                                                              "access_token"})
        if scenario == "deletehang":
            time.sleep(srv.hang_seconds)
        if scenario == "deletenoresult":
            return self.reply_json(200, {"access_token": token})
        self.reply_json(200, {"access_token": token, "result": "success"})

    def profile(self):
        auth = self.headers.get("Authorization") or ""
        scheme, _, token = auth.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return self.reply_json(401, ERR_028)
        code = token[3:] if token.startswith("AT.") else ""
        name = decode_name(code)
        with self.server.lock:
            revoked = token in self.server.revoked
        if name is None or revoked:
            return self.reply_json(401, ERR_024)
        scenario = code.split(".")[0]
        if scenario == "profile024":
            return self.reply_json(401, ERR_024)
        if scenario == "profile500":
            return self.reply(500, "Internal Server Error (naver_dev profile500)\n")
        if scenario == "profilenotjson":
            return self.reply(200, "not json")
        if scenario == "profile00bad":
            return self.reply_json(200, {"resultcode": "024", "message": "Authentication failed"})
        uid = "dev" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]
        r = {"id": uid, "nickname": name, "name": name, "email": "dev@example.invalid"}
        if scenario == "profilenoid":
            del r["id"]
        elif scenario == "profilenoname":
            del r["name"]
        elif scenario == "profilenonames":
            r = {"id": uid}
        elif scenario == "profilenumberid":
            r["id"] = 12345
        elif scenario == "profilehang":
            time.sleep(self.server.hang_seconds)
        self.reply_json(200, {"resultcode": "00", "message": "success", "response": r})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver listens with a backlog of 5: 16 logins at once on a
    # loaded machine overflowed it, and a dropped SYN is a 1 s connect
    # timeout, a 502 (test_fault's concurrent logins).
    request_queue_size = 128

    def __init__(self, args, logf):
        self.address_family = (socket.AF_INET6 if ":" in args.host else socket.AF_INET)
        self.client_id, self.client_secret = args.client_id, args.client_secret
        self.hang_seconds, self.logf = args.hang_seconds, logf
        self.lock, self.token_requests, self.used_codes = threading.Lock(), [], set()
        self.authorize_requests, self.revoked = [], set()
        self.log_lock = threading.Lock()        # never reply while holding self.lock
        self.tls = None
        if args.tls_cert:
            self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.minimum_version = ssl.TLSVersion.TLSv1_2
            self.tls.load_cert_chain(args.tls_cert, args.tls_key)
        super().__init__((args.host, args.port), Handler)

    def get_request(self):
        # The handshake runs in the request's own thread, on its first
        # read: a client that stalls in it holds up nobody else.
        conn, addr = super().get_request()
        if self.tls is not None:
            conn = self.tls.wrap_socket(conn, server_side=True,
                                        do_handshake_on_connect=False)
        return conn, addr

    def handle_error(self, request, client_address):
        # One line, not a traceback: a client that timed out during a hang is
        # routine, and exception messages could carry request values.
        e = sys.exc_info()[1]
        if isinstance(e, ssl.SSLError):
            # The reason is OpenSSL's ("tlsv1 alert unknown ca"), not the client's.
            self.log("TLS handshake failed: %s" % (e.reason or type(e).__name__))
        else:
            self.log("client went away" if isinstance(e, ConnectionError)
                     else "error: %s while handling a request" % type(e).__name__)

    def log(self, line):
        with self.log_lock:
            self.logf.write("%s naver_dev %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), line))
            self.logf.flush()


def main():
    ap = argparse.ArgumentParser(description="Offline Naver Login stand-in (dev + tests).")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--client-id", default="dev-client-id")
    ap.add_argument("--client-secret", default="dev-client-secret")
    ap.add_argument("--pidfile")
    ap.add_argument("--hang-seconds", type=float, default=30.0)
    ap.add_argument("--log")
    ap.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    ap.add_argument("--tls-key", help="the certificate's private key (PEM)")
    args = ap.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    try:
        loopback = ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        ap.error("--host must be a loopback address such as 127.0.0.1 or ::1")
    if not 0 <= args.port <= 65535:
        ap.error("--port must be between 0 and 65535")

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    logf = open(args.log, "a", encoding="utf-8") if args.log else sys.stderr
    try:
        server = Server(args, logf)
    except ssl.SSLError as e:               # an OSError too: first
        print("naver_dev: bad TLS certificate or key (%s, %s): %s"
              % (args.tls_cert, args.tls_key, e), file=sys.stderr)
        return 1
    except OSError as e:
        print("naver_dev: cannot listen on %s port %d: %s" % (args.host, args.port, e),
              file=sys.stderr)
        return 1
    serving = None
    try:
        if args.pidfile:
            tmp = "%s.%d.tmp" % (args.pidfile, os.getpid())
            with open(tmp, "w") as f:
                f.write("%d\n" % os.getpid())
            os.replace(tmp, args.pidfile)
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        serving.start()
        host = "[%s]" % args.host if ":" in args.host else args.host
        print("naver_dev listening on %s://%s:%d" % ("https" if server.tls else "http", host,
                                                     server.server_address[1]), flush=True)
        while not stop.wait(1.0):
            pass
    finally:
        if serving is not None:
            server.shutdown()               # waits for serve_forever, not handlers
        server.server_close()
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except FileNotFoundError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
