"""test_migrate.py - schema migrations (tools/migrate): applied once, in
order, recorded; concurrent runners serialize; a failed migration is not
recorded; the password never reaches a command line; a database of the
seed's Flask service is upgraded in place and the app then serves its
users' memos.  Each test works in a database of its own on the shared
private MariaDB."""
import os
import re
import shutil
import subprocess
import sys

import stack
from lib import Browser, check, eq, login, naver_id, test

MIGRATE = os.path.join(stack.ROOT, "tools", "migrate")
SCHEMA = os.path.join(stack.ROOT, "schema")


def create_db(env, name, sql=""):
    """A fresh database `name` the memo user may change, with `sql` run in it."""
    env.db.client(stdin=f"DROP DATABASE IF EXISTS `{name}`;\n"
                        f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4;\n"
                        f"GRANT ALL ON `{name}`.* TO 'memo'@'localhost';\n")
    if sql:
        env.db.client(database=name, stdin=sql)


def config_for(env, database, **extra):
    path = os.path.join(env.base, f"migrate-test-{database}.env")
    settings = {"DB_SOCKET": env.db.socket, "DB_USER": "memo",
                "DB_PASSWORD": env.db.password, "DB_DATABASE": database}
    settings.update(extra)
    stack.write_env(path, settings)
    return path


def migrate(config, *args, path_env=None):
    env = dict(os.environ)
    if path_env:
        env["PATH"] = path_env
    return subprocess.run([sys.executable, MIGRATE, "--config", config, *args],
                          capture_output=True, text=True, env=env, timeout=120)


def schema_files():
    """The migrations of schema/, in order."""
    return sorted(f for f in os.listdir(os.path.join(stack.ROOT, "schema"))
                  if re.match(r"^[0-9]{3,}_\w+\.sql$", f))


def applied(env, database):
    return env.db.query("SELECT version, name, applied_at FROM schema_migrations "
                        "ORDER BY version", database=database)


def shape(env, database):
    """Columns, indexes and foreign keys of the app's tables, comparable
    between two databases."""
    q = lambda sql: env.db.query(sql.replace("@DB", f"'{database}'"), database=database)
    return {
        "columns": q("SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, "
                     "IS_NULLABLE, IFNULL(COLUMN_DEFAULT, 'none'), "
                     "IFNULL(CHARACTER_SET_NAME, ''), IFNULL(COLLATION_NAME, ''), EXTRA "
                     "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = @DB "
                     "AND TABLE_NAME IN ('user', 'sessions', 'memo') "
                     "ORDER BY TABLE_NAME, ORDINAL_POSITION"),
        "indexes": q("SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE "
                     "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = @DB "
                     "AND TABLE_NAME IN ('user', 'sessions', 'memo') "
                     "ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"),
        "keys": q("SELECT TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE "
                  "FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = @DB "
                  "AND TABLE_NAME IN ('user', 'sessions', 'memo') "
                  "ORDER BY TABLE_NAME, CONSTRAINT_NAME"),
        "tables": q("SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES "
                    "WHERE TABLE_SCHEMA = @DB AND TABLE_NAME IN ('user', 'sessions', 'memo') "
                    "ORDER BY TABLE_NAME"),
    }


@test
def migrations_applied_once(env):
    """make test's database is migrated and recorded; a second run changes nothing"""
    before = applied(env, "memo")
    eq([r[1] for r in before], sorted(f for f in os.listdir(SCHEMA) if f.endswith(".sql")),
       "every migration recorded")
    p = migrate(config_for(env, "memo"))
    eq(p.returncode, 0, f"second run: {p.stderr}")
    check("schema up to date" in p.stdout, p.stdout)
    eq(applied(env, "memo"), before, "nothing re-applied")
    p = migrate(config_for(env, "memo"), "--status")
    eq(p.stdout.split("\n")[0], "applied 001_initial.sql", "--status")
    p = subprocess.run(["make", "--no-print-directory", "-C", stack.ROOT, "migrate",
                        f"MEMO_CONFIG={config_for(env, 'memo')}"],
                       capture_output=True, text=True, timeout=120)
    eq(p.returncode, 0, p.stderr)
    check("schema up to date" in p.stdout, f"make migrate: {p.stdout}")


@test
def concurrent_runners_serialize(env):
    """Three instances booting at once: each migration is applied exactly once"""
    create_db(env, "memo_conc")
    config = config_for(env, "memo_conc")
    procs = [subprocess.Popen([sys.executable, MIGRATE, "--config", config],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    outs = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    for out, err, rc in outs:
        eq(rc, 0, f"a runner failed: {err}")
    joined = "".join(o for o, _, _ in outs)
    eq(joined.count("applied 001_initial.sql"), 1, joined)
    eq(joined.count("applied 002_upgrade_seed.sql"), 1, joined)
    eq(joined.count("schema up to date"), 2, joined)
    eq(len(applied(env, "memo_conc")), len(schema_files()), "rows in schema_migrations")
    eq(shape(env, "memo_conc"), shape(env, "memo"), "same schema as make test's database")


@test
def failed_migration_not_recorded(env):
    """A migration that fails stops the run, is not recorded, and runs again once fixed"""
    create_db(env, "memo_fail")
    config = config_for(env, "memo_fail")
    schema = os.path.join(env.base, "schema-broken")
    shutil.rmtree(schema, ignore_errors=True)
    shutil.copytree(SCHEMA, schema)
    # The next number after schema/'s own migrations.
    versions = [f.split("_")[0] for f in schema_files()]
    name = f"{int(versions[-1]) + 1:03d}_add_tags.sql"
    broken = os.path.join(schema, name)
    with open(broken, "w") as f:
        f.write("CREATE TABLE IF NOT EXISTS tag (id INT PRIMARY KEY);\n"
                "SELECT no_such_column FROM memo;\n")
    p = migrate(config, "--schema", schema)
    check(p.returncode != 0, "a failing migration fails the run")
    check(name in p.stderr and "no_such_column" in p.stderr, p.stderr)
    eq([r[0] for r in applied(env, "memo_fail")], versions, f"{name} not recorded")
    with open(broken, "w") as f:
        f.write("CREATE TABLE IF NOT EXISTS tag (id INT PRIMARY KEY);\n")
    p = migrate(config, "--schema", schema)
    eq(p.returncode, 0, p.stderr)
    eq([line for line in p.stdout.splitlines() if line.startswith("applied ")],
       [f"applied {name}"], "only the fixed one runs")


@test
def password_never_on_a_command_line(env):
    """The client gets credentials from a 0600 defaults file, removed after; odd passwords work"""
    create_db(env, "memo_pw")
    pw = 'a"b\\c #e f$(x)'
    env.db.client(stdin="CREATE USER IF NOT EXISTS 'migpw'@'localhost' IDENTIFIED BY "
                        "'a\"b\\\\c #e f$(x)';\n"
                        "GRANT ALL ON `memo_pw`.* TO 'migpw'@'localhost';\n")
    config = os.path.join(env.base, "migrate-pw.env")
    with open(config, "w") as f:
        f.write(f"DB_SOCKET={env.db.socket}\nDB_USER=migpw\nDB_DATABASE=memo_pw\n"
                f"DB_PASSWORD='{pw}'\n")
    p = migrate(config)
    eq(p.returncode, 0, f"migrate with an odd password: {p.stderr}")
    eq(len(applied(env, "memo_pw")), len(schema_files()), "applied")
    # Now a stand-in client that records how it was called.
    fake = os.path.join(env.base, "fakebin")
    os.makedirs(fake, exist_ok=True)
    log = os.path.join(env.base, "fake-client.log")
    with open(os.path.join(fake, "mariadb"), "w") as f:
        f.write(f"""#!/bin/sh
printf 'argv: %s\\n' "$*" >> {log}
cnf=${{1#--defaults-extra-file=}}
printf 'mode: %s\\n' "$(stat -c %a "$cnf")" >> {log}
printf 'cnf: %s\\n' "$cnf" >> {log}
grep -c '^password=' "$cnf" | sed 's/^/password lines: /' >> {log}
read -r line
case $line in *GET_LOCK*) echo 1 ;; esac
cat >/dev/null
""")
    os.chmod(os.path.join(fake, "mariadb"), 0o755)
    p = migrate(config, path_env=fake + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
    eq(p.returncode, 0, p.stderr)
    text = open(log).read()
    check("argv: --defaults-extra-file=" in text, text)
    check(pw not in text and "a\"b" not in text, "the password is not in argv")
    modes = {line.split()[1] for line in text.splitlines() if line.startswith("mode:")}
    eq(modes, {"600"}, "defaults file mode")
    check("password lines: 1" in text, "the password went through the file")
    cnf = [line.split(" ", 1)[1] for line in text.splitlines() if line.startswith("cnf:")][0]
    check(not os.path.exists(cnf) and not os.path.exists(os.path.dirname(cnf)),
          "the defaults file and its folder are removed")


# What the seed's Flask service created (memo.py used these tables and
# columns; its DDL was not published: plain VARCHAR ids, TEXT, utf8, no key
# but the primary keys of user and sessions).
SEED_DDL = """
CREATE TABLE user (id VARCHAR(255) NOT NULL, name VARCHAR(255),
                   PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE sessions (session_key VARCHAR(255) NOT NULL, user_id VARCHAR(255),
                       PRIMARY KEY (session_key)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE TABLE memo (user_id VARCHAR(255), text TEXT) ENGINE=InnoDB DEFAULT CHARSET=utf8;
"""
OLD, OTHER = "김옛날", "박예전"
OLD_MEMOS = ["첫 메모입니다", "둘째 메모 — 한글과 English", "셋째: 따옴표 ' \" 그리고 <b>"]


@test
def seed_database_upgraded(env):
    """A seed (Flask) database is upgraded in place: users and memos kept, the app serves them"""
    a, b = naver_id(OLD), naver_id(OTHER)
    rows = [f"INSERT INTO user VALUES ('{a}', '{OLD}'), ('{b}', '{OTHER}');",
            "INSERT INTO sessions VALUES ('raw-seed-session-id', '" + a + "');"]
    rows += [f"INSERT INTO memo VALUES ('{a}', '{t.replace(chr(39), chr(39) * 2)}');"
             for t in OLD_MEMOS[:2]]
    rows += [f"INSERT INTO memo VALUES ('{b}', '남의 메모');",
             "INSERT INTO memo VALUES ('gone-user', '주인 없는 메모');",
             f"INSERT INTO memo VALUES ('{a}', '{OLD_MEMOS[2].replace(chr(39), chr(39) * 2)}');"]
    create_db(env, "memo_seed", SEED_DDL + "\n".join(rows) + "\n")
    config = config_for(env, "memo_seed")
    p = migrate(config)
    eq(p.returncode, 0, f"migrate: {p.stderr}")
    eq([line for line in p.stdout.splitlines() if line.startswith("applied ")],
       [f"applied {f}" for f in schema_files()], "every migration ran")
    eq(shape(env, "memo_seed"), shape(env, "memo"), "the same schema as a fresh database")
    q = lambda sql: env.db.query(sql, database="memo_seed")
    eq(q(f"SELECT name FROM user WHERE id IN ('{a}', '{b}') ORDER BY name"),
       [[OLD], [OTHER]], "users kept")
    eq(q("SELECT name FROM user WHERE id = 'gone-user'"), [[""]],
       "a memo's missing user is created (empty name)")
    eq(q(f"SELECT text FROM memo WHERE user_id = '{a}' ORDER BY id"),
       [[t.replace("\\", "\\\\")] for t in OLD_MEMOS], "memos kept, ids in written order")
    eq(q("SELECT COUNT(*) FROM memo")[0][0], "5", "every memo kept")
    eq(q("SELECT COUNT(*) FROM sessions")[0][0], "0", "seed sessions (raw ids) are gone")
    again = migrate(config)
    eq((again.returncode, again.stdout.splitlines()[0]), (0, "schema up to date"), "second run")

    # The app on the upgraded database.
    settings = dict(env.settings, DB_DATABASE="memo_seed")
    cfg = os.path.join(env.base, "memo-seed.env")
    stack.write_env(cfg, settings)
    web = stack.Lighttpd(os.path.join(env.base, "lighttpd-seed"), cfg)
    try:
        br = Browser(web.url)
        br.cookies["sessionId"] = "raw-seed-session-id"
        r = br.get("/")
        eq(r.status, 200, "page with a seed session cookie")
        check('class="guest"' in r.text, "a seed session no longer logs in")
        eq(login(br, OLD).status, 302, "login as the seed user")
        r = br.get("/")
        check(OLD in r.text, "the seed user's name on the page")
        memos = br.get("/memo").json()["memos"]
        eq(sorted(m["text"] for m in memos), sorted(OLD_MEMOS), "the seed user's memos")
        eq(br.post_json("/memo", {"text": "업그레이드 후 😀"}).status, 200, "new memo (emoji)")
        eq(q(f"SELECT text FROM memo WHERE user_id = '{a}' ORDER BY id DESC LIMIT 1"),
           [["업그레이드 후 😀"]], "stored in utf8mb4")
        other = Browser(web.url)
        eq(login(other, OTHER).status, 302, "the other seed user")
        eq([m["text"] for m in other.get("/memo").json()["memos"]], ["남의 메모"],
           "each user sees only their memos")
    finally:
        web.stop()


@test
def seed_upgrade_is_resumable(env):
    """Half-upgraded seed database (a run stopped mid-way): running again completes it"""
    a = naver_id(OLD)
    create_db(env, "memo_half", SEED_DDL +
              f"INSERT INTO user VALUES ('{a}', '{OLD}');\n"
              f"INSERT INTO memo VALUES ('{a}', '반쯤');\n"
              # as if 002 stopped after its user and sessions steps
              "ALTER TABLE user CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n"
              "ALTER TABLE user ADD COLUMN created_at DATETIME NOT NULL "
              "DEFAULT CURRENT_TIMESTAMP;\n")
    p = migrate(config_for(env, "memo_half"))
    eq(p.returncode, 0, p.stderr)
    eq(shape(env, "memo_half"), shape(env, "memo"), "schema completed")
    eq(env.db.query("SELECT text FROM memo", database="memo_half"), [["반쯤"]], "memo kept")
