/*
 * db.c - the connection, the statement table, and the helpers every query
 * goes through (prepare once, bind, execute, fetch, fail in one way).
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <errmsg.h>
#include <openssl/crypto.h>
#include <mysqld_error.h>
#include <unistd.h>
#include "db_int.h"
#include "fault.h"
#include "log.h"

#define MYSQL_PORT_DEFAULT	3306
extern unsigned int mysql_port __attribute__((weak));

/* Rows of a text larger than our own limit can only come from an older
 * schema; we still send them, up to this much. */
#define DB_TEXT_HARD_MAX	(16u << 20)

/* The export's batches (db_export.c): 200 memos, their ids the
 * parameters of ST_EXPORT_REVISIONS. */
#define EXPORT_BATCH_STR	"200"
#define QS10			"?,?,?,?,?,?,?,?,?,?"
#define QS50			QS10 "," QS10 "," QS10 "," QS10 "," QS10
#define EXPORT_BATCH_QS		QS50 "," QS50 "," QS50 "," QS50
_Static_assert(EXPORT_BATCH == 200, "ST_EXPORT_MEMOS' LIMIT and "
    "ST_EXPORT_REVISIONS' parameters");

/* ST_REV_PRUNE keeps the newest 50 revisions (OFFSET 49). */
_Static_assert(MEMO_REVISIONS_KEPT == 50, "ST_REV_PRUNE's OFFSET");
/* ST_SESSION_CAP keeps the new session and the 49 newest others. */
_Static_assert(SESSIONS_KEPT == 50, "ST_SESSION_CAP's OFFSET");

/* The statement table, from db_stmt.def. */
static const struct {
	const char	*what;
	const char	*sql;
} stmts[ST__COUNT] = {
#define STMT(name, what, sql)	[ST_ ## name] = { what, sql },
#include "db_stmt.def"
#undef STMT
};

const char *
db_what(enum stmt k)
{
	return stmts[k].what;
}

/* MySQL's own numbers, absent from MariaDB's headers: a statement over
 * max_execution_time, a connection the server closed as idle, and a
 * locking read's NOWAIT refusal (MariaDB says 1205 for that). */
#define MYSQL_ER_QUERY_TIMEOUT			3024
#define MYSQL_ER_LOCK_NOWAIT			3572
#define MYSQL_ER_CLIENT_INTERACTION_TIMEOUT	4031

/* 1 if error n is the database's state, not a bug: worth a retry (503).
 * Client-side errors (CR_*) mean the server is gone or unreachable; lock
 * timeouts and deadlocks pass; a server shutting down, killing the
 * connection or its statement, out of connections, or read-only (RDS
 * and MariaDB set read_only while a failover or switchover runs) comes
 * back or is replaced. */
static int
db_retryable(unsigned int n)
{
	return n == 0 || (n >= CR_MIN_ERROR && n <= CR_MAX_ERROR) ||
	    n == ER_LOCK_WAIT_TIMEOUT || n == MYSQL_ER_LOCK_NOWAIT ||
	    n == ER_LOCK_DEADLOCK || n == ER_CHECKREAD ||
	    n == ER_SERVER_SHUTDOWN ||
	    n == ER_CON_COUNT_ERROR || n == ER_TOO_MANY_USER_CONNECTIONS ||
	    n == ER_QUERY_INTERRUPTED || n == ER_CONNECTION_KILLED ||
	    n == ER_STATEMENT_TIMEOUT || n == MYSQL_ER_QUERY_TIMEOUT ||
	    n == MYSQL_ER_CLIENT_INTERACTION_TIMEOUT ||
	    n == ER_OPTION_PREVENTS_STATEMENT || n == ER_READ_ONLY_MODE;
}

int
db_reason_len(unsigned int n, const char *msg)
{
	size_t len = strcspn(msg, "'");

	/* These quote the row's values: "Duplicate entry '<value>' for key",
	 * "Incorrect string value: '<bytes>'". */
	if ((n == ER_DUP_ENTRY || n == ER_DUP_ENTRY_WITH_KEY_NAME ||
	    n == ER_TRUNCATED_WRONG_VALUE ||
	    n == ER_TRUNCATED_WRONG_VALUE_FOR_FIELD ||
	    n == ER_INVALID_CHARACTER_STRING || n == ER_WRONG_VALUE ||
	    n == ER_WRONG_VALUE_FOR_TYPE) && msg[len] != '\0')
		return len > 200 ? 200 : (int)len;
	len = strlen(msg);
	return len > INT_MAX ? INT_MAX : (int)len;
}

/* Log failure n of what, mark the handle failed, and say what it means. */
static enum err
fail_as(struct db *db, unsigned int n, const char *msg, const char *what)
{
	const char *why = *msg ? msg : "(no reason given)";
	int len = db_reason_len(n, why);

	log_msg("database: %s: %u %.*s%s", what, n, len, why,
	    why[len] != '\0' ? "(values withheld)" : "");
	if (db != NULL) {
		db->failed = 1;
		db->last_error = n;
	}
	return db_retryable(n) ? E_DB : E_INTERNAL;
}

enum err
db_fail_or(struct db *db, MYSQL_STMT *st, const char *what, unsigned int answer)
{
	unsigned int n = st ? mysql_stmt_errno(st) : 0;
	const char *msg = st ? mysql_stmt_error(st) : "";

	/* libmariadb leaves some failures (a connection lost while rows
	 * arrive) on the connection, not on the statement. */
	if (n == 0 && db != NULL && db->conn != NULL) {
		n = mysql_errno(db->conn);
		msg = mysql_error(db->conn);
	}
	if (db != NULL && n != 0 && n == answer) {
		db->last_error = n;
		return E_NOTFOUND;
	}
	return fail_as(db, n, msg, what);
}

enum err
db_fail(struct db *db, MYSQL_STMT *st, const char *what)
{
	return db_fail_or(db, st, what, 0);
}

/* The settings a connection is opened with, joined: a request asking for
 * other ones (another MEMO_CONFIG) needs another connection. */
static const enum cfg_key conn_keys[] = {
	CFG_DB_HOST, CFG_DB_PORT, CFG_DB_SOCKET, CFG_DB_DATABASE, CFG_DB_USER,
	CFG_DB_PASSWORD, CFG_DB_CONNECT_TIMEOUT, CFG_DB_READ_TIMEOUT,
	CFG_DB_SSL_CA,
};

static char *
conn_settings(const struct cfg *cfg)
{
	size_t n = 1;
	char *s, *p;

	for (size_t i = 0; i < sizeof(conn_keys) / sizeof(conn_keys[0]); i++)
		n += strlen(cfg_str(cfg, conn_keys[i])) + 1;
	if ((s = p = malloc(n)) == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(conn_keys) / sizeof(conn_keys[0]); i++) {
		const char *v = cfg_str(cfg, conn_keys[i]);
		size_t len = strlen(v);

		/* NUL-separated: no value can run into the next. */
		memcpy(p, v, len + 1);
		p += len + 1;
	}
	*p = '\0';
	return s;
}

static int
settings_equal(const char *a, const struct cfg *cfg)
{
	for (size_t i = 0; i < sizeof(conn_keys) / sizeof(conn_keys[0]); i++) {
		const char *v = cfg_str(cfg, conn_keys[i]);

		if (strcmp(a, v) != 0)
			return 0;
		a += strlen(a) + 1;
	}
	return 1;
}

/*
 * mysql_init starts OpenSSL (libmariadb always does), which by default reads
 * and applies the system configuration (openssl.cnf) and registers every
 * cipher and digest by name: 60 % of the instructions a linked-in memo.cgi
 * runs (docs/performance.md), for a connection that uses no TLS at all.
 * Starting OpenSSL first without those steps skips them: OpenSSL runs each
 * once per process, whichever call comes first.  With DB_SSL_CA set, TLS is
 * used and OpenSSL starts as usual, with the system's TLS policy.
 * MEMO_OPENSSL_FULL_INIT keeps the default, for the benchmark only.
 * Without a default port libmariadb asks getservbyname("mysql"), parsing
 * /etc/services on every start; mysql.h declares mysql_port, but only
 * libmariadb.a defines it (hence the weak reference).
 */
static void
client_start(const char *ca)
{
#ifndef MEMO_OPENSSL_FULL_INIT
	if (*ca == '\0')
		OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG |
		    OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
		    OPENSSL_INIT_NO_ADD_ALL_DIGESTS, NULL);
#else
	(void)ca;
#endif
	if (&mysql_port != NULL && mysql_port == 0)
		mysql_port = MYSQL_PORT_DEFAULT;
}

static enum err
connect_with(struct db *db, const struct cfg *cfg)
{
	MYSQL *conn = db->conn;
	unsigned int ct = (unsigned int)cfg_num(cfg, CFG_DB_CONNECT_TIMEOUT, 1, 60);
	unsigned int rt = (unsigned int)cfg_num(cfg, CFG_DB_READ_TIMEOUT, 1, 600);
	const char *sock = cfg_str(cfg, CFG_DB_SOCKET);
	const char *ca = cfg_str(cfg, CFG_DB_SSL_CA);
	my_bool on = 1;
	unsigned int tcp = MYSQL_PROTOCOL_TCP;

	mysql_options(conn, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	/* Without a socket the settings name a host and port: libmariadb
	 * would take DB_HOST=localhost for its built-in socket and ignore
	 * DB_PORT (and memo-migrate, which says protocol=TCP, would reach
	 * another server than the CGIs). */
	if (*sock == '\0')
		mysql_options(conn, MYSQL_OPT_PROTOCOL, &tcp);
	db->read_timeout = rt;
	mysql_options(conn, MYSQL_OPT_READ_TIMEOUT, &rt);
	mysql_options(conn, MYSQL_OPT_WRITE_TIMEOUT, &rt);
	mysql_options(conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (*ca != '\0') {
		mysql_options(conn, MYSQL_OPT_SSL_CA, ca);
		mysql_options(conn, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
	}
	if (mysql_real_connect(conn, *sock ? NULL : cfg_str(cfg, CFG_DB_HOST),
	    cfg_str(cfg, CFG_DB_USER), cfg_str(cfg, CFG_DB_PASSWORD),
	    cfg_str(cfg, CFG_DB_DATABASE),
	    (unsigned int)cfg_num(cfg, CFG_DB_PORT, 0, 65535),
	    *sock ? sock : NULL, 0) == NULL) {
		unsigned int n = mysql_errno(conn);

		/* Run by hand with no settings file, every setting is its
		 * default: say so, or the server's refusal points elsewhere. */
		log_msg("database: connect: %u %s%s", n, mysql_error(conn),
		    cfg_no_file_note(cfg));
		/* Refused credentials or a missing database are still "the
		 * database cannot serve us": 503, so the balancer sees it. */
		return E_DB;
	}
	return E_OK;
}

enum err
db_open(struct db **out, const struct cfg *cfg)
{
	struct db *db;
	enum err e;

	*out = NULL;
	client_start(cfg_str(cfg, CFG_DB_SSL_CA));
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return E_NOMEM;
	if ((db->opened_with = conn_settings(cfg)) == NULL ||
	    (db->conn = mysql_init(NULL)) == NULL) {
		db_close(db);
		return E_NOMEM;
	}
	if ((e = connect_with(db, cfg)) != E_OK) {
		db_close(db);
		return e;
	}
	*out = db;
	return E_OK;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	/* The connection first: the server frees its statements as the
	 * connection ends, and a statement closed after it is freed here
	 * alone.  Closed first, each would cost the server a COM_STMT_CLOSE
	 * (every CGI's exit: four of them after a PATCH). */
	if (db->conn != NULL)
		mysql_close(db->conn);
	for (size_t i = 0; i < ST__COUNT; i++)
		if (db->st[i] != NULL)
			mysql_stmt_close(db->st[i]);
	row_free(&db->row);
	free(db->opened_with);
	free(db);
}

void
db_client_end(void)
{
	mysql_library_end();
}

int
db_reusable(struct db *db, const struct cfg *cfg)
{
	struct pollfd pfd = { .events = POLLIN };

	if (db->failed || !settings_equal(db->opened_with, cfg))
		return 0;
	/* A server that went away or killed the connection leaves the idle
	 * socket readable or hung up: an idle client connection has nothing
	 * to read otherwise.  No round trip. */
	pfd.fd = (int)mysql_get_socket(db->conn);
	return pfd.fd >= 0 && poll(&pfd, 1, 0) == 0;
}

int
db_failed(const struct db *db)
{
	return db->failed;
}

enum err
db_ping(struct db *db)
{
	MYSQL_RES *res;

	if (mysql_real_query(db->conn, "SELECT 1", 8) != 0 ||
	    (res = mysql_store_result(db->conn)) == NULL)
		return db_fail(db, NULL, "ping");
	mysql_free_result(res);
	return E_OK;
}

/* ---- statements ---- */

/* db_run, where the server's error `answer` is an answer (db_fail_or). */
static enum err
run_or(struct db *db, enum stmt k, MYSQL_BIND *in, MYSQL_STMT **out,
    unsigned int answer)
{
	MYSQL_STMT *st = db->st[k];
	enum err e;

	*out = NULL;
	if (FAULT("db_run_fails")) {	/* as a server gone: no reason given */
		(void)db_fail(db, NULL, stmts[k].what);
		return E_DB;
	}
	if (FAULT("db_deadlock"))	/* chosen as a deadlock's victim */
		return fail_as(db, ER_LOCK_DEADLOCK, "(fault: deadlock)",
		    stmts[k].what);
	if (FAULT("db_record_changed"))	/* a locking read past the snapshot */
		return fail_as(db, ER_CHECKREAD, "(fault: record changed)",
		    stmts[k].what);
	if (st == NULL) {
		if ((st = mysql_stmt_init(db->conn)) == NULL)
			return db_fail(db, NULL, stmts[k].what);
		if (mysql_stmt_prepare(st, stmts[k].sql,
		    (unsigned long)strlen(stmts[k].sql)) != 0)
			goto fail;
		db->st[k] = st;
	}
	if ((in != NULL && mysql_stmt_bind_param(st, in) != 0) ||
	    mysql_stmt_execute(st) != 0)
		goto fail;
	*out = st;
	return E_OK;
fail:
	/* A statement that failed is never used again. */
	e = db_fail_or(db, st, stmts[k].what, answer);
	mysql_stmt_close(st);
	db->st[k] = NULL;
	return e;
}

enum err
db_run(struct db *db, enum stmt k, MYSQL_BIND *in, MYSQL_STMT **out)
{
	return run_or(db, k, in, out, 0);
}

enum err
db_named_lock(struct db *db, enum stmt k, MYSQL_BIND *in, int *got)
{
	MYSQL_BIND res[1];
	MYSQL_STMT *st;
	long long v = 0;
	my_bool is_null = 0;
	enum err e;

	*got = 0;
	if ((e = db_run(db, k, in, &st)) != E_OK)
		return e;
	memset(res, 0, sizeof(res));
	res[0].buffer_type = MYSQL_TYPE_LONGLONG;
	res[0].buffer = &v;
	res[0].is_null = &is_null;
	if (mysql_stmt_bind_result(st, res) != 0 || mysql_stmt_fetch(st) != 0)
		e = db_fail(db, st, stmts[k].what);
	else if (is_null || FAULT("lock_null")) {
		/* 0 is another holder; NULL an error on the server (out of
		 * memory, the thread killed): a failure, not "busy".  The
		 * connection is not kept (failed): whatever the server holds
		 * for it, a lock too, goes with it. */
		log_msg("%s: the server gave no answer (NULL)", stmts[k].what);
		db->failed = 1;
		e = E_DB;
	} else
		*got = v == 1;
	db_end(st);
	return e;
}

enum err
db_exists(struct db *db, enum stmt k, MYSQL_BIND *in, enum err none)
{
	MYSQL_STMT *st;
	enum err e;
	int r;

	if ((e = db_run(db, k, in, &st)) != E_OK)
		return e;
	r = mysql_stmt_fetch(st);
	if (r == MYSQL_NO_DATA)
		e = none;
	else if (r == 1)
		e = db_fail(db, st, stmts[k].what);
	db_end(st);
	return e;
}

void
db_end(MYSQL_STMT *st)
{
	if (st != NULL)
		mysql_stmt_free_result(st);
}

enum err
db_exec(struct db *db, enum stmt k, MYSQL_BIND *in, uint64_t *affected)
{
	MYSQL_STMT *st;
	enum err e;

	if ((e = db_run(db, k, in, &st)) != E_OK)
		return e;
	if (affected != NULL)
		*affected = (uint64_t)mysql_stmt_affected_rows(st);
	db_end(st);
	return E_OK;
}

enum err
db_exec_or(struct db *db, enum stmt k, MYSQL_BIND *in, unsigned int n)
{
	MYSQL_STMT *st;
	enum err e;

	if ((e = run_or(db, k, in, &st, n)) != E_OK)
		return e;
	db_end(st);
	return E_OK;
}

enum err
db_lock_wait_bounded(struct db *db)
{
	MYSQL_BIND in[1];
	/* Two seconds before where it can: MySQL looks at its lock waits
	 * once a second (MariaDB times each), so its 1205 comes up to a
	 * second after the bound. */
	int rt = (int)db->read_timeout, s = rt > 3 ? rt - 2 : rt > 1 ? rt - 1 : 1;

	bind_int(&in[0], &s);
	return db_exec(db, ST_LOCK_WAIT, in, NULL);
}

enum err
db_exec_str(struct db *db, enum stmt k, const char *param, uint64_t *affected)
{
	MYSQL_BIND in[1];

	bind_cstr(&in[0], param);
	return db_exec(db, k, in, affected);
}

/* For the fault build (FAULT is 0 in every other, and this goes with
 * it).  The server gone: the connection's socket closed, what it had received
 * with it, so that libmariadb's next read fails.  Its number stays taken
 * (by /dev/null, which reads as the end) until mysql_close: a FastCGI
 * process lives on, and the next file it opened could get the number of a
 * socket libmariadb still holds. */
static void
cut_socket(MYSQL *conn)
{
	int fd = (int)mysql_get_socket(conn), nul = open("/dev/null", O_RDONLY);

	if (nul < 0 || dup2(nul, fd) < 0)
		(void)close(fd);
	if (nul >= 0)
		(void)close(nul);
}

/* For the fault build, as cut_socket: a row the server refuses with a
 * reason no retry mends (1105, its "unknown error", as from a bug), set
 * on the statement where libmariadb sets a server's error. */
static int
refuse_fetch(MYSQL_STMT *st)
{
	/* As at row_fetch's cut_socket: a NULL st only on the analyzer's
	 * path where db_fail returned E_OK. */
	st->last_errno = ER_UNKNOWN_ERROR;	/* NOLINT(clang-analyzer-core.NullDereference) */
	(void)snprintf(st->last_error, sizeof(st->last_error), "%s",
	    "Unknown error (fault: row refused)");
	return 1;
}

/* A statement without parameters or rows, sent as text: a transaction's
 * start, COMMIT and ROLLBACK. */
static enum err
db_query(struct db *db, const char *sql, const char *what)
{
	if (FAULT("db_cut_at_query"))
		cut_socket(db->conn);
	if (mysql_real_query(db->conn, sql, (unsigned long)strlen(sql)) != 0)
		return db_fail(db, NULL, what);
	return E_OK;
}

static enum err
txn_begin(struct db *db)
{
	db->last_error = 0;
	db->commit_unknown = 0;
	return db_query(db, "START TRANSACTION", "begin");
}

/* For the fault build: COMMIT sent and carried out, then the connection
 * lost before its answer is read.  The answer is waited for first, so
 * that the server has committed when the socket goes. */
static enum err
commit_answer_lost(struct db *db)
{
	struct pollfd p = { (int)mysql_get_socket(db->conn), POLLIN, 0 };

	if (mysql_send_query(db->conn, "COMMIT", 6) != 0)
		return db_fail(db, NULL, "commit");
	(void)poll(&p, 1, 10000);
	cut_socket(db->conn);
	if (mysql_read_query_result(db->conn) != 0)
		return db_fail(db, NULL, "commit");
	return E_OK;
}

/* For the fault build: the answer's wait timed out while the COMMIT still
 * runs on the server (a slow disk, a replica's acknowledgement): a process
 * of its own sends it a second later on this connection, whose socket this
 * one lets go of, and this one fails as a read timeout does (2013).  The
 * grandchild is nobody's to wait for. */
static enum err
commit_answer_late(struct db *db)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (fork() == 0) {
			(void)sleep(1);
			(void)mysql_real_query(db->conn, "COMMIT", 6);
		}
		_exit(0);
	}
	if (pid > 0)
		(void)waitpid(pid, NULL, 0);
	cut_socket(db->conn);
	return fail_as(db, CR_SERVER_LOST,
	    "Lost connection to server during query (fault: commit late)",
	    "commit");
}

/* COMMIT.  A connection lost on the way (the answer's wait timed out,
 * the server went) leaves it unknown whether the server committed: it
 * may have, and only its answer was lost (db_commit_unknown). */
static enum err
txn_commit(struct db *db)
{
	enum err e;

	if (FAULT("db_commit_lost"))
		e = commit_answer_lost(db);
	else if (FAULT("db_commit_late"))
		e = commit_answer_late(db);
	else
		e = db_query(db, "COMMIT", "commit");
	db->commit_unknown = e != E_OK &&
	    (db->last_error == CR_SERVER_LOST ||
	    db->last_error == CR_SERVER_GONE_ERROR);
	return e;
}

int
db_commit_unknown(const struct db *db)
{
	return db != NULL && db->commit_unknown;
}

/* 1 (logged) if a write failed with e because InnoDB chose it as a
 * deadlock's victim (1213): the server rolled all of its transaction
 * back, so running it once more cannot write twice.  InnoDB's manual asks
 * callers to be ready for that whatever the statements; two people's
 * writes that lock neighbouring rows can meet so (test_load
 * writes_at_once).  So is 1020, a locking read of a row changed since
 * the transaction's snapshot: MariaDB from 11.6.2 on
 * (innodb_snapshot_isolation, on by default) rolls it back as a
 * deadlock; a run from the start reads the row anew. */
static int
db_deadlocked(struct db *db, enum err e)
{
	if (e != E_DB || (db->last_error != ER_LOCK_DEADLOCK &&
	    db->last_error != ER_CHECKREAD))
		return 0;
	log_msg("database: %s: the transaction runs again",
	    db->last_error == ER_CHECKREAD ? "a row changed since its "
	    "snapshot" : "a deadlock's victim");
	/* InnoDB rolled the whole transaction back, and the caller's
	 * ROLLBACK, if it sent one, went through (a failed one would have
	 * replaced last_error): the connection is sound, so a FastCGI
	 * process keeps it. */
	db->failed = 0;
	return 1;
}

static enum err
txn_once(struct db *db, db_txn_body body, void *arg)
{
	enum err e;

	if ((e = txn_begin(db)) != E_OK)
		return e;
	if ((e = body(db, arg)) == E_OK)
		e = txn_commit(db);
	/* A failed rollback leaves the handle marked failed: the connection
	 * is closed, which rolls back on the server. */
	if (e != E_OK)
		(void)db_query(db, "ROLLBACK", "rollback");
	return e;
}

/* How many times a deadlock's victim is run in all: the transactions that
 * met run again side by side and may meet once more (16 first logins of
 * one person at once did, in a test run). */
#define DEADLOCK_TRIES	3

enum err
db_txn(struct db *db, db_txn_body body, void *arg)
{
	enum err e;
	int n = 0;

	do
		e = txn_once(db, body, arg);
	while (++n < DEADLOCK_TRIES && db_deadlocked(db, e));
	return e;
}

enum err
db_exec_alone(struct db *db, enum stmt k, MYSQL_BIND *in, uint64_t *affected)
{
	enum err e;
	int n = 0;

	do
		e = db_exec(db, k, in, affected);
	while (++n < DEADLOCK_TRIES && db_deadlocked(db, e));
	return e;
}

enum err
db_row_id(struct db *db, enum stmt k, MYSQL_BIND *in, uint64_t *id)
{
	MYSQL_STMT *st;
	enum err e;
	int r;

	*id = 0;
	if ((e = db_run(db, k, in, &st)) != E_OK)
		return e;
	/* A COUNT(*) too: one BIGINT, bound as the row's first column, id. */
	if ((e = row_bind(db, &db->row, st)) == E_OK) {
		if ((r = row_fetch(&db->row, st)) < 0)
			e = db_fail(db, st, stmts[k].what);
		else if (r == 1)
			*id = db->row.id;
	}
	db_end(st);
	return e;
}

enum err
db_read_committed(struct db *db, int on)
{
	return db_query(db, on ?
	    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED" :
	    "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
	    "isolation level");
}

enum err
db_read_begin(struct db *db)
{
	return db_query(db, "START TRANSACTION WITH CONSISTENT SNAPSHOT,"
	    " READ ONLY", "begin read");
}

void
db_read_end(struct db *db)
{
	/* Nothing was written: a failed commit only marks the handle. */
	(void)db_query(db, "COMMIT", "end read");
}

void
bind_str(MYSQL_BIND *b, const char *s, size_t len)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = (void *)(uintptr_t)s;
	b->buffer_length = (unsigned long)len;
}

void
bind_cstr(MYSQL_BIND *b, const char *s)
{
	bind_str(b, s, strlen(s));
}

void
bind_u64(MYSQL_BIND *b, unsigned long long *v)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = v;
	b->is_unsigned = 1;
}

void
bind_int(MYSQL_BIND *b, int *v)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_LONG;
	b->buffer = v;
}

void
bind_time(MYSQL_BIND *b, MYSQL_TIME *t)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_DATETIME;
	b->buffer = t;
}

void
bind_null(MYSQL_BIND *b)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_NULL;
}

/* ---- rows ---- */

/* A text column's buffer: made the first time, as large as a memo. */
static enum err
text_buffer(char **p, size_t *cap)
{
	if (*p == NULL) {
		if ((*p = malloc(MEMO_MAX_TEXT + 1)) == NULL)
			return E_NOMEM;
		*cap = MEMO_MAX_TEXT + 1;
	}
	return E_OK;
}

/* A result column into a text buffer of cap bytes (its length in *len). */
static void
bind_text_out(MYSQL_BIND *b, char *buf, size_t cap, unsigned long *len)
{
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = buf;
	b->buffer_length = (unsigned long)cap;
	b->length = len;
}

/* A DATETIME result column. */
static void
bind_time_out(MYSQL_BIND *b, MYSQL_TIME *t)
{
	b->buffer_type = MYSQL_TYPE_DATETIME;
	b->buffer = t;
}

/* The seven memo columns into r->res[0..6]. */
static enum err
bind_memo_cols(struct db_row *r)
{
	MYSQL_BIND *b = r->res;

	if (text_buffer(&r->text, &r->cap) != E_OK)
		return E_NOMEM;
	memset(b, 0, sizeof(r->res));
	bind_u64(&b[0], &r->id);
	bind_text_out(&b[1], r->text, r->cap, &r->text_len);
	bind_time_out(&b[2], &r->created);
	bind_time_out(&b[3], &r->updated);
	b[3].is_null = &r->updated_null;
	b[4].buffer_type = MYSQL_TYPE_TINY;
	b[4].buffer = &r->pinned;
	bind_time_out(&b[5], &r->deleted);
	b[5].is_null = &r->deleted_null;
	bind_u64(&b[6], &r->version);
	r->deleted_null = 1;
	return E_OK;
}

enum err
row_bind(struct db *db, struct db_row *r, MYSQL_STMT *st)
{
	/* A memo's columns and one more: the search copy (MEMO_FIND_BODY). */
	r->with_body = mysql_stmt_field_count(st) == 8;
	if (bind_memo_cols(r) != E_OK ||
	    (r->with_body && text_buffer(&r->body, &r->body_cap) != E_OK))
		return E_NOMEM;
	if (r->with_body)
		bind_text_out(&r->res[7], r->body, r->body_cap, &r->body_len);
	if (mysql_stmt_bind_result(st, r->res) != 0)
		return db_fail(db, st, "result binding");
	return E_OK;
}

/* Column col's text (in *p, *cap) was cut: grow the buffer to len and
 * fetch the column again.  0, or -1. */
static int
text_regrow(struct db_row *r, MYSQL_STMT *st, unsigned int col, char **p,
    size_t *cap, unsigned long len)
{
	char *q;

	if (len >= DB_TEXT_HARD_MAX || (q = realloc(*p, len + 1)) == NULL)
		return -1;
	*p = q;
	*cap = len + 1;
	r->res[col].buffer = q;
	r->res[col].buffer_length = (unsigned long)*cap;
	return mysql_stmt_fetch_column(st, &r->res[col], col, 0) != 0 ? -1 : 0;
}

/* A row with a text cut: each such column fetched again into a larger
 * buffer, and only then the binds given back (the library keeps its own
 * copy: rebound, later rows land in the new buffers too), since rebinding
 * forgets where this row's columns are.  1, or -1. */
static int
row_regrow(struct db_row *r, MYSQL_STMT *st)
{
	int text = r->text_len >= r->cap;
	int body = r->with_body && r->body_len >= r->body_cap;

	if ((text &&
	    text_regrow(r, st, 1, &r->text, &r->cap, r->text_len) != 0) ||
	    (body &&
	    text_regrow(r, st, 7, &r->body, &r->body_cap, r->body_len) != 0) ||
	    ((text || body) && mysql_stmt_bind_result(st, r->res) != 0))
		return -1;
	return 1;
}

int
row_fetch(struct db_row *r, MYSQL_STMT *st)
{
	int n;

	/* The analyzer takes a path on which db_fail returned E_OK (it
	 * never does) and db_run's NULL statement reached a list. */
	if (FAULT("db_cut_at_row"))
		cut_socket(st->mysql);	/* NOLINT(clang-analyzer-core.NullDereference) */
	if (FAULT("db_fetch_refused"))
		n = refuse_fetch(st);
	else
		n = FAULT("db_fetch_fails") ? 1 : mysql_stmt_fetch(st);

	if (n == MYSQL_NO_DATA)
		return 0;
	if (n == 1)
		return -1;
	return n == MYSQL_DATA_TRUNCATED ? row_regrow(r, st) : 1;
}

void
row_free(struct db_row *r)
{
	free(r->text);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* Two decimal digits of v (its last two). */
static void
put2(char *p, unsigned int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

/*
 * "2026-11-24T13:45:00Z" with the digits written here: snprintf took 2,800
 * instructions a row, a fifth of a FastCGI GET /memo (callgrind).  Every
 * field is cut to its width, so even a value outside the type's range
 * fills exactly the 20 characters.
 */
void
stamp_format(char out[DB_STAMP_LEN], const MYSQL_TIME *t)
{
	const unsigned int v[7] = { t->year / 100, t->year, t->month, t->day,
	    t->hour, t->minute, t->second };
	static const char after[7] = { 0, '-', '-', 'T', ':', ':', 'Z' };
	char *p = out;

	for (size_t i = 0; i < 7; i++) {
		put2(p, v[i]);
		p += 2;
		if (after[i] != 0)
			*p++ = after[i];
	}
	*p = '\0';
}

enum err
stamp_now(char sql[20], char iso[DB_STAMP_LEN])
{
	struct tm tm;
	time_t now = time(NULL);

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(sql, 20, "%Y-%m-%d %H:%M:%S", &tm) == 0 ||
	    strftime(iso, DB_STAMP_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return E_INTERNAL;	/* a clock past year 9999 */
	return E_OK;
}

void
row_memo(const struct db_row *r, struct db_memo *m)
{
	m->id = r->id;
	m->tags = NULL;
	m->text = r->text;
	m->text_len = r->text_len;
	stamp_format(m->created_at, &r->created);
	if (r->updated_null)	/* never edited: most memos */
		memcpy(m->updated_at, m->created_at, DB_STAMP_LEN);
	else
		stamp_format(m->updated_at, &r->updated);
	if (r->deleted_null)
		m->deleted_at[0] = '\0';
	else
		stamp_format(m->deleted_at, &r->deleted);
	m->pinned = r->pinned != 0;
	m->version = r->version;
}

/* ---- lists ---- */

enum err
list_start(struct db *db, MYSQL_STMT *st, const char *hash,
    struct db_list **out)
{
	struct db_list *l;
	enum err e;
	int r;

	*out = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		db_end(st);
		return E_NOMEM;
	}
	l->db = db;
	l->st = st;
	if ((e = row_bind(db, &l->row, st)) != E_OK)
		goto fail;
	if ((r = row_fetch(&l->row, st)) < 0) {
		e = db_fail(db, st, "list");
		goto fail;
	}
	if (r == 0) {
		/* No rows, or no live session: ask which. */
		db_end(st);
		l->st = NULL;
		l->done = 1;
		if (hash != NULL && (e = db_session_live(db, hash)) != E_OK)
			goto fail;
	}
	l->pending = r == 1;
	*out = l;
	return E_OK;
fail:
	db_list_close(l);
	return e;
}

enum err
memo_row_one(struct db *db, enum stmt k, MYSQL_STMT *st, struct db_memo *out)
{
	enum err e;
	int r;

	if ((e = row_bind(db, &db->row, st)) == E_OK) {
		if ((r = row_fetch(&db->row, st)) < 0)
			e = db_fail(db, st, db_what(k));
		else if (r == 0)
			e = E_NOTFOUND;
		else
			row_memo(&db->row, out);
	}
	db_end(st);
	return e;
}

enum err
list_by(struct db *db, enum stmt k, const char *param, const char *hash,
    struct db_list **out)
{
	MYSQL_BIND in[1];
	MYSQL_STMT *st;
	enum err e;

	*out = NULL;
	bind_cstr(&in[0], param);
	if ((e = db_run(db, k, in, &st)) != E_OK)
		return e;
	return list_start(db, st, hash, out);
}

int
list_step(struct db_list *l)
{
	int r;

	if (l->pending) {
		l->pending = 0;
		return 1;
	}
	if (l->done)
		return 0;
	if ((r = row_fetch(&l->row, l->st)) <= 0) {
		l->done = 1;
		if (r < 0)
			l->err = db_fail(l->db, l->st, "list");
	}
	return r;
}

enum err
db_list_err(const struct db_list *l)
{
	return l->err != E_OK ? l->err : E_DB;
}

int
db_revision_next(struct db_list *l, struct db_revision *rev)
{
	int r = list_step(l);

	if (r == 1) {
		rev->id = l->row.id;
		rev->text = l->row.text;
		rev->text_len = l->row.text_len;
		stamp_format(rev->created_at, &l->row.created);
	}
	return r;
}

int
db_tag_next(struct db_list *l, struct db_tag_count *t)
{
	int r = list_step(l);

	if (r == 1) {
		/* A name is a short tag; longer can only be a broken row. */
		size_t n = l->row.text_len < l->row.cap ? l->row.text_len :
		    l->row.cap - 1;

		l->row.text[n] = '\0';
		t->name = l->row.text;
		t->count = l->row.id;
	}
	return r;
}

void
db_list_close(struct db_list *l)
{
	if (l == NULL)
		return;
	db_end(l->st);
	row_free(&l->row);
	if (l->batch != NULL)
		l->batch_free(l->batch);
	free(l);
}
