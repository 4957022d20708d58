"""test_userdata.py - deploy/aws as far as a machine without AWS allows: the
scripts are shellcheck-clean; the launch template's user data installs,
configures, migrates and serves against a local MariaDB standing in for
RDS (over TCP, as RDS is reached); a baked AMI boots from settings in SSM
Parameter Store (an `aws` stand-in answers).  Everything goes under a
folder standing for the instance's /, with apt-get and systemctl skipped
(MEMO_ROOT_DIR, MEMO_SKIP_APT, MEMO_SKIP_SERVICE)."""
import glob
import importlib.machinery
import json
import os
import re
import shutil
import stat
import subprocess

import stack
from lib import Browser, check, eq, http_get, login, test

AWS = os.path.join(stack.ROOT, "deploy", "aws")
PASSWORD = 'rds "pw" $HOME \\ #1'
migrate_tool = importlib.machinery.SourceFileLoader(
    "migrate_tool", os.path.join(stack.ROOT, "tools", "migrate")).load_module()


def rds_database(env):
    """memo_aws and its user, reached over TCP like an RDS endpoint."""
    pw = PASSWORD.replace("\\", "\\\\").replace("'", "\\'")
    env.db.client(stdin="DROP DATABASE IF EXISTS memo_aws;\n"
                        "CREATE DATABASE memo_aws CHARACTER SET utf8mb4;\n"
                        f"CREATE USER IF NOT EXISTS 'memoaws'@'127.0.0.1' IDENTIFIED BY '{pw}';\n"
                        "GRANT ALL ON memo_aws.* TO 'memoaws'@'127.0.0.1';\n")


def values(env):
    v = {"DB_HOST": "127.0.0.1", "DB_PORT": str(env.db.port), "DB_DATABASE": "memo_aws",
         "DB_USER": "memoaws", "DB_PASSWORD": PASSWORD}
    v.update(env.naver.settings())
    return v


def run_script(script, root, extra, path_first=None):
    e = {"PATH": (path_first + ":" if path_first else "") + os.environ["PATH"],
         "HOME": os.environ.get("HOME", "/root"), "MEMO_ROOT_DIR": root,
         "MEMO_SKIP_APT": "1", "MEMO_SKIP_SERVICE": "1", "MEMO_SOURCE_DIR": stack.ROOT}
    e.update(extra)
    return subprocess.run(["sh", os.path.join(AWS, script)], env=e, capture_output=True,
                          text=True, timeout=300)


def serves(env, root, name):
    """The installed app, started the documented standalone way, answers and
    writes to memo_aws."""
    web = stack.Lighttpd(os.path.join(env.base, f"lighttpd-{name}"),
                         os.path.join(root, "etc", "memo", "memo.env"),
                         root=os.path.join(root, "usr", "local", "lib", "memo"),
                         conf=os.path.join(root, "usr", "local", "share", "memo",
                                           "lighttpd.conf"))
    try:
        r = http_get(web.url + "health")
        eq((r.status, r.json()), (200, {"status": "ok"}), "health")
        b = Browser(web.url)
        eq(login(b, f"클라우드 {name}").status, 302, "login")
        eq(b.post_json("/memo", {"text": f"EC2 {name}"}).status, 200, "POST /memo")
        eq(env.db.query(f"SELECT COUNT(*) FROM memo WHERE text = 'EC2 {name}'",
                        database="memo_aws"), [["1"]], "memo in the RDS stand-in")
    finally:
        web.stop()


@test
def scripts_are_shellcheck_clean(env):
    """deploy/aws/*.sh pass shellcheck (POSIX sh)"""
    scripts = sorted(glob.glob(os.path.join(AWS, "*.sh")))
    check(len(scripts) >= 3, scripts)
    p = subprocess.run(["shellcheck", "-s", "sh", *scripts], capture_output=True, text=True)
    eq((p.returncode, p.stdout), (0, ""), "shellcheck")


@test
def operator_files_are_consistent(env):
    """deploy/aws: README commands pass shellcheck; JSON files parse; health check and IAM match the scripts"""
    readme = open(os.path.join(AWS, "README.md")).read()
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    check(len(blocks) >= 10, f"{len(blocks)} command blocks")
    script = os.path.join(env.base, "aws-readme.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\n" + "\n".join(blocks))
    p = subprocess.run(["shellcheck", "-s", "sh", script], capture_output=True, text=True)
    eq((p.returncode, p.stdout), (0, ""), "shellcheck of the README's commands")
    for name in re.findall(r"file://deploy/aws/([\w.-]+)", readme):
        check(os.path.exists(os.path.join(AWS, name)), f"README names {name}")
    tg = json.load(open(os.path.join(AWS, "target-group.json")))
    eq((tg["HealthCheckPath"], tg["Matcher"], tg["Port"]), ("/health", {"HttpCode": "200"}, 80),
       "target group health check")
    check(tg["HealthCheckTimeoutSeconds"] < tg["HealthCheckIntervalSeconds"], "timeout < interval")
    policy = json.load(open(os.path.join(AWS, "iam-policy.json")))
    prefix = re.search(r'SSM_PREFIX=([^}"]+)', open(os.path.join(AWS, "user-data.sh")).read())[1]
    resources = [r for st in policy["Statement"] if st["Action"] == "ssm:GetParametersByPath"
                 for r in st["Resource"]]
    check(any(r.endswith(":parameter" + prefix) for r in resources), f"policy covers {prefix}")
    for key in re.findall(r"^put (\w+) ", readme, re.M):
        check(key in open(os.path.join(stack.ROOT, "memo.env.example")).read(),
              f"SSM parameter {key} is a setting")


@test
def user_data_on_plain_debian(env):
    """user-data.sh on a plain instance: installs, writes memo.env (0640), migrates, serves"""
    rds_database(env)
    root = os.path.join(env.base, "ec2-plain")
    shutil.rmtree(root, ignore_errors=True)
    p = run_script("user-data.sh", root, dict(values(env), SSM_PREFIX=""))
    eq(p.returncode, 0, f"user-data.sh: {p.stderr[-2000:]}")
    check("applied 002_upgrade_seed.sql" in p.stdout, "migrations ran")
    check("Entering directory" in p.stdout, "a plain instance builds memo")
    conf = os.path.join(root, "etc", "memo", "memo.env")
    eq(stat.S_IMODE(os.stat(conf).st_mode), 0o640, "memo.env mode")
    written = migrate_tool.parse_dotenv(open(conf).read())
    eq(written, dict(values(env), DB_PORT=str(env.db.port), COOKIE_SECURE="auto"),
       "memo.env holds the values, quoted so they read back the same")
    eq(len(env.db.query("SELECT version FROM schema_migrations", database="memo_aws")),
       len([f for f in os.listdir(os.path.join(stack.ROOT, "schema")) if f.endswith(".sql")]),
       "migrations recorded")
    check(os.access(os.path.join(root, "usr", "local", "sbin", "memo-setup"), os.X_OK),
          "memo-setup installed for later boots")
    serves(env, root, "plain")


@test
def baked_ami_boots_from_ssm(env):
    """bake-ami.sh, then user data on the baked AMI: settings from SSM, migrations not re-applied"""
    rds_database(env)
    root = os.path.join(env.base, "ec2-baked")
    shutil.rmtree(root, ignore_errors=True)
    p = run_script("bake-ami.sh", root, {})
    eq(p.returncode, 0, f"bake-ami.sh: {p.stderr[-2000:]}")
    conf = os.path.join(root, "etc", "memo", "memo.env")
    example = open(os.path.join(stack.ROOT, "memo.env.example")).read()
    eq(open(conf).read(), example, "the AMI holds no setting")

    # Booting without any setting fails clearly and writes nothing.
    p = run_script("user-data.sh", root, {"SSM_PREFIX": ""})
    check(p.returncode != 0 and "DB_HOST is not set" in p.stderr, p.stderr)
    eq(open(conf).read(), example, "memo.env untouched")

    fake = os.path.join(env.base, "fake-aws")
    os.makedirs(fake, exist_ok=True)
    log = os.path.join(fake, "calls.log")
    params = "".join(f"/memo/test/{k}\t{v}\n" for k, v in values(env).items())
    params += "/memo/test/NOT_A_SETTING\tignored\n"
    with open(os.path.join(fake, "params"), "w") as f:
        f.write(params)
    with open(os.path.join(fake, "aws"), "w") as f:
        f.write(f"#!/bin/sh\nprintf '%s\\n' \"$*\" >> {log}\ncat {fake}/params\n")
    os.chmod(os.path.join(fake, "aws"), 0o755)
    # First an instance of the plain user data migrated memo_aws; this one
    # finds the schema up to date.
    run_script("user-data.sh", os.path.join(env.base, "ec2-first"),
               dict(values(env), SSM_PREFIX=""))
    p = run_script("user-data.sh", root, {"SSM_PREFIX": "/memo/test/"}, path_first=fake)
    eq(p.returncode, 0, f"boot: {p.stderr[-2000:]}")
    check("Entering directory" not in p.stdout, "the baked AMI builds nothing at boot")
    eq(open(log).read().split("\n")[0],
       "ssm get-parameters-by-path --path /memo/test/ --with-decryption "
       "--query Parameters[].[Name,Value] --output text", "the AWS CLI call")
    check("schema up to date" in p.stdout, "migrations applied once, not again")
    written = migrate_tool.parse_dotenv(open(conf).read())
    eq(written, dict(values(env), COOKIE_SECURE="auto"), "memo.env from SSM")
    eq(stat.S_IMODE(os.stat(conf).st_mode), 0o640, "memo.env mode")
    serves(env, root, "baked")
