#!/usr/bin/env python3
"""ec2_stub.py - what an EC2 instance has around memo-setup, for
test_userdata.py: the `aws` CLI answering from a JSON file (SSM, Secrets
Manager, RDS, and recording CloudFormation signals and health reports),
and `systemctl` starting lighttpd from the instance's /etc/lighttpd under a
test folder standing for the instance's / (paths re-rooted, loopback port).

    ec2_stub.py aws ARGS...        (the test puts `aws` and `systemctl`
    ec2_stub.py systemctl ARGS...   wrappers first on PATH)

MEMO_STUB names the JSON file: {"log": calls log, "ssm": {name: value},
"secrets": {id: SecretString}, "db_instances": {id: master secret id},
"root": the instance's /, "state": a folder of the stub's, "port": lighttpd's}.
Every call is appended to the log as one line (no secret is ever in argv)."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time


def conf():
    with open(os.environ["MEMO_STUB"]) as f:
        return json.load(f)


def record(c, argv):
    with open(c["log"], "a") as f:
        f.write(" ".join(argv) + "\n")


def opt(argv, name):
    i = argv.index(name)
    return argv[i + 1]


def aws(c, argv):
    service, op = argv[0], argv[1]
    # memo-setup asks the CLI to retry what AWS answers with a passing
    # error (a throttle, a 5xx, a dropped connection): one such answer
    # failed the boot, and with it a whole roll-out.
    if (os.environ.get("AWS_RETRY_MODE"), os.environ.get("AWS_MAX_ATTEMPTS")) != ("standard", "6"):
        sys.exit("ec2_stub: aws called without AWS_RETRY_MODE=standard AWS_MAX_ATTEMPTS=6")
    if (service, op) == ("ssm", "get-parameters"):
        i = argv.index("--names") + 1
        names = []
        while i < len(argv) and not argv[i].startswith("--"):
            names.append(argv[i])
            i += 1
        for n in names:
            if n in c["ssm"]:
                print(f"{n}\t{c['ssm'][n]}")
    elif (service, op) == ("ssm", "get-parameters-by-path"):
        path = opt(argv, "--path")
        for n, v in c["ssm"].items():
            if n.startswith(path):
                print(f"{n}\t{v}")
    elif (service, op) == ("secretsmanager", "get-secret-value"):
        sid = opt(argv, "--secret-id")
        if sid not in c["secrets"]:
            sys.exit(f"An error occurred (ResourceNotFoundException): {sid}")
        print(c["secrets"][sid])
    elif (service, op) == ("rds", "describe-db-instances"):
        print(c["db_instances"][opt(argv, "--db-instance-identifier")])
    elif (service, op) == ("elbv2", "describe-target-health"):
        # The states the balancer reports, one a call (the last repeats);
        # healthy unless the test says otherwise.
        states = c.get("target_states") or ["healthy"]
        count = os.path.join(c["state"], "target-health-asks")
        n = int(open(count).read()) if os.path.exists(count) else 0
        with open(count, "w") as f:
            f.write(str(n + 1))
        print(states[min(n, len(states) - 1)])
    elif (service, op) in (("cloudformation", "signal-resource"),
                           ("autoscaling", "set-instance-health")):
        pass    # recorded: the test reads the log
    else:
        sys.exit(f"ec2_stub: no answer for aws {service} {op}")


def reroot(root, state, port):
    """The instance's /etc/lighttpd as a configuration lighttpd can run
    here: every absolute path of the instance under `root`, Debian's
    port 80 and all-interfaces listening replaced by a loopback port, no
    user switch.  Returns the main file."""
    out = os.path.join(state, "etc-lighttpd")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "conf-enabled"))
    etc = os.path.join(root, "etc", "lighttpd")

    def fix(text):
        text = text.replace('"/etc/lighttpd/', f'"{out}/')
        for p in ("/var/log/lighttpd", "/run/lighttpd", "/var/cache/lighttpd", "/var/www",
                  "/usr/local/", "/etc/memo/"):
            text = text.replace('"' + p, '"' + root + p)
        return text
    main = fix(open(os.path.join(etc, "lighttpd.conf")).read())
    main = re.sub(r"^server\.(username|groupname)\b.*$", "", main, flags=re.M)
    main = re.sub(r"^include_shell \"/usr/share/lighttpd/use-ipv6.pl.*$", "", main, flags=re.M)
    main = re.sub(r"^server\.port\s*=.*$",
                  f'server.port = {port}\nserver.bind = "127.0.0.1"', main, flags=re.M)
    for name in sorted(os.listdir(os.path.join(etc, "conf-enabled"))):
        src = os.path.join(etc, "conf-enabled", name)
        with open(src) as f:
            text = fix(f.read())
        with open(os.path.join(out, "conf-enabled", name), "w") as f:
            f.write(text)
    path = os.path.join(out, "lighttpd.conf")
    with open(path, "w") as f:
        f.write(main)
    for d in ("var/log/lighttpd", "run/lighttpd", "var/cache/lighttpd/uploads"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    return path


def service_env(root):
    """lighttpd's environment under systemd: memo-setup's drop-in."""
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    dropin = os.path.join(root, "etc/systemd/system/lighttpd.service.d/memo.conf")
    if os.path.exists(dropin):
        for m in re.finditer(r"^Environment=(\w+)=(.*)$", open(dropin).read(), re.M):
            env[m.group(1)] = m.group(2)
    return env


def pid_of(root):
    try:
        with open(os.path.join(root, "run", "lighttpd.pid")) as f:
            return int(f.read())
    except (OSError, ValueError):
        return None


def stop(root):
    pid = pid_of(root)
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(200):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def systemctl(c, argv):
    if argv[:2] in (["restart", "lighttpd"], ["start", "lighttpd"]):
        stop(c["root"])
        main = reroot(c["root"], c["state"], c["port"])
        env = service_env(c["root"])
        # ExecStartPre, then lighttpd daemonized (its pid file is in root).
        subprocess.run(["lighttpd", "-tt", "-f", main], env=env, check=True)
        subprocess.run(["lighttpd", "-f", main], env=env, check=True,
                       stdin=subprocess.DEVNULL)
    elif argv[:2] == ["stop", "lighttpd"]:
        stop(c["root"])


def main():
    tool, argv = sys.argv[1], sys.argv[2:]
    c = conf()
    record(c, [tool] + argv)
    if tool == "aws":
        aws(c, argv)
    elif tool == "systemctl":
        systemctl(c, argv)
    else:
        sys.exit(f"ec2_stub: unknown tool {tool}")


if __name__ == "__main__":
    main()
