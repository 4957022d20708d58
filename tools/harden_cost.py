#!/usr/bin/env python3
"""harden_cost.py - what the hardening flags cost per CGI execution, in
callgrind instruction counts (repeatable, unlike timings).

Builds the CGIs three times, all -O2: as `make` does (HARDEN:
_FORTIFY_SOURCE=3, stack protector, stack-clash protection, CET, PIE, full
RELRO with BIND_NOW) into build-hardened/; without those flags into
build-plain/; and with all of them but -z now (lazy binding) into
build-lazy/.  Starts a private MariaDB (tools/stack.py), seeds a
user with a session and 20 memos, then runs each CGI once under
valgrind --tool=callgrind and prints instructions executed (Ir): in the
whole process, and in the program's own code (common/ and cgi-bin/).

    python3 tools/harden_cost.py        (about a minute)

The performance issue owns the benchmark; this only measures the flags.
"""
import hashlib
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import stack  # noqa: E402

# "lazy" keeps every flag but -z now: it shows what eager binding costs.
VARIANTS = {"hardened": {}, "plain": {"HARDEN": "", "LDHARDEN": "-Wl,--as-needed"},
            "lazy": {"LDHARDEN": "-pie -Wl,-z,relro -Wl,-z,noexecstack -Wl,--as-needed"}}
SID = "Cost" + "A" * 39


def build(name, extra):
    b = f"build-{name}"
    args = ["make", "-s", "--no-print-directory", f"B={b}", f"CGIOUT={b}/cgi-bin"]
    args += [f"{k}={v}" for k, v in extra.items()]
    args += [f"{b}/cgi-bin/{c}.cgi" for c in ("memo", "health", "index")]
    subprocess.run(args, cwd=ROOT, check=True)
    return os.path.join(ROOT, b, "cgi-bin")


def callgrind(exe, env, tmp):
    out = os.path.join(tmp, "cg.out")
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                    exe], env=env, check=True, capture_output=True)
    ann = subprocess.run(["callgrind_annotate", "--threshold=100", out],
                         capture_output=True, text=True, check=True).stdout
    total = int(re.search(r"^([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", ann, re.M)
                .group(1).replace(",", ""))
    own = 0
    for m in re.finditer(r"^\s*([\d,]+) \([\d. ]+%\)\s+(\S+):", ann, re.M):
        if m.group(2).startswith(("common/", "cgi-bin/", ROOT + "/common/",
                                  ROOT + "/cgi-bin/")):
            own += int(m.group(1).replace(",", ""))
    return total, own


def main():
    dirs = {n: build(n, e) for n, e in VARIANTS.items()}
    with tempfile.TemporaryDirectory(prefix="memo-cost-") as tmp:
        db = stack.MariaDB(os.path.join(tmp, "mariadb")).start()
        try:
            db.bootstrap()
            h = hashlib.sha256(SID.encode()).hexdigest()
            sql = ("INSERT INTO `user` (id, name) VALUES ('cost', '비용');"
                   "INSERT INTO sessions (session_key, user_id, created_at, expires_at)"
                   f" VALUES ('{h}', 'cost', UTC_TIMESTAMP(),"
                   " UTC_TIMESTAMP() + INTERVAL 1 DAY);")
            sql += "".join(f"INSERT INTO memo (user_id, text, created_at) VALUES "
                           f"('cost', '메모 {i} 내용', UTC_TIMESTAMP());" for i in range(20))
            db.client(database="memo", stdin=sql)
            conf = os.path.join(tmp, "memo.env")
            stack.write_env(conf, {"DB_SOCKET": db.socket, "DB_USER": "memo",
                                   "DB_PASSWORD": db.password, "DB_DATABASE": "memo"})
            cases = [("memo.cgi GET (20 memos)", "memo", {"HTTP_COOKIE": f"sessionId={SID}"}),
                     ("health.cgi", "health", {}),
                     ("index.cgi with a session", "index", {"HTTP_COOKIE": f"sessionId={SID}"})]
            print(f"{'CGI execution':<28} {'variant':<9} {'Ir total':>12} {'Ir own code':>12}")
            for what, cgi, extra in cases:
                env = {"PATH": "/usr/bin:/bin", "REQUEST_METHOD": "GET",
                       "SCRIPT_NAME": "/" + cgi, "MEMO_CONFIG": conf, **extra}
                got = {}
                for n, d in dirs.items():
                    callgrind(os.path.join(d, cgi + ".cgi"), env, tmp)   # warm caches
                    got[n] = callgrind(os.path.join(d, cgi + ".cgi"), env, tmp)
                    print(f"{what:<28} {n:<9} {got[n][0]:>12,} {got[n][1]:>12,}")
                (ht, ho), (pt, po) = got["hardened"], got["plain"]
                print(f"{'':<28} {'cost':<9} {ht - pt:>+12,} {ho - po:>+12,}   "
                      f"({100.0 * (ht - pt) / pt:+.2f}% of the process, "
                      f"{100.0 * (ho - po) / max(po, 1):+.2f}% of own code; "
                      f"-z now alone: {ht - got['lazy'][0]:+,})")
        finally:
            db.stop()


if __name__ == "__main__":
    main()
