#!/usr/bin/env python3
"""fuzz/run.py - run the libFuzzer harnesses (make fuzz), or replay their
corpora (make test, through tests/run.py).

    tests/fuzz/run.py --seconds 60 cookie query ...

Fuzzing: each target runs --seconds seconds, starting from its checked-in
seed corpus (tests/fuzz/corpus/TARGET) and regressions
(tests/fuzz/regressions/TARGET); new inputs go to var/fuzz/TARGET and a
crash to var/fuzz/crashes/TARGET/.  Per target it prints executions,
executions per second, edge coverage and features from libFuzzer's final
statistics.  A crash fails the run: fix it in the service, then copy the
input into tests/fuzz/regressions/TARGET/ so `make test` replays it.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.join(ROOT, "build-fuzz", "fuzz")


def inputs(target):
    """The checked-in files of a target: seeds and regressions."""
    out = []
    for kind in ("corpus", "regressions"):
        d = os.path.join(HERE, kind, target)
        if os.path.isdir(d):
            out += sorted(os.path.join(d, f) for f in os.listdir(d))
    return out


def replay(target, timeout=120):
    """Run the harness once over every checked-in input (no fuzzing).
    Returns (ok, number of inputs, output tail)."""
    files = inputs(target)
    if not files:
        return False, 0, "no inputs"
    p = subprocess.run([os.path.join(BIN, "fuzz_" + target)] + files,
                       capture_output=True, text=True, timeout=timeout,
                       errors="replace")
    ran = len(re.findall(r"^Running: ", p.stderr, re.M))
    ok = p.returncode == 0 and ran == len(files)
    return ok, ran, p.stderr[-3000:]


def fuzz(target, seconds):
    work = os.path.join(ROOT, "var", "fuzz", target)
    crashes = os.path.join(ROOT, "var", "fuzz", "crashes", target)
    os.makedirs(work, exist_ok=True)
    os.makedirs(crashes, exist_ok=True)
    dirs = [work] + [os.path.join(HERE, k, target) for k in ("corpus", "regressions")
                     if os.path.isdir(os.path.join(HERE, k, target))]
    argv = [os.path.join(BIN, "fuzz_" + target), *dirs,
            f"-max_total_time={seconds}", "-print_final_stats=1",
            "-max_len=4096", "-timeout=10", "-rss_limit_mb=1024",
            f"-artifact_prefix={crashes}/"]
    p = subprocess.run(argv, capture_output=True, text=True, errors="replace")
    stats = dict(re.findall(r"^stat::(\w+):\s+(\d+)", p.stderr, re.M))
    cov = re.findall(r"cov: (\d+) ft: (\d+)", p.stderr)
    found = sorted(os.listdir(crashes))
    return {"target": target, "rc": p.returncode,
            "execs": int(stats.get("number_of_executed_units", 0)),
            "per_s": int(stats.get("average_exec_per_sec", 0)),
            "cov": int(cov[-1][0]) if cov else 0,
            "ft": int(cov[-1][1]) if cov else 0,
            "crashes": found, "log": p.stderr[-4000:]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("targets", nargs="+")
    args = ap.parse_args()
    bad = 0
    print(f"{'target':<14} {'executions':>12} {'exec/s':>8} {'cov':>6} {'ft':>7}  result")
    for t in args.targets:
        r = fuzz(t, args.seconds)
        ok = r["rc"] == 0 and not r["crashes"] and r["execs"] > 0
        bad += not ok
        print(f"{t:<14} {r['execs']:>12} {r['per_s']:>8} {r['cov']:>6} {r['ft']:>7}  "
              + ("ok" if ok else f"FAILED (exit {r['rc']}, crashes: {r['crashes']})"),
              flush=True)
        if not ok:
            print(r["log"])
    print(f"{len(args.targets) - bad} targets clean, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
