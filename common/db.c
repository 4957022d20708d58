/*
 * db.c - the connection, the statement table, and the helpers every query
 * goes through (prepare once, bind, execute, fetch, fail in one way).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* The export's batches (db_export.c). */
#define EXPORT_BATCH_OFFSET	"199"
_Static_assert(EXPORT_BATCH == 200, "ST_EXPORT_BOUND's OFFSET");

/* ST_REV_PRUNE keeps the newest 50 revisions (OFFSET 49). */
_Static_assert(MEMO_REVISIONS_KEPT == 50, "ST_REV_PRUNE's OFFSET");
/* ST_SESSION_CAP keeps the new session and the 49 newest others. */
_Static_assert(SESSIONS_KEPT == 50, "ST_SESSION_CAP's OFFSET");

/* A live session's user, as the first table of a join. */
#define SESSION_JOIN(t) \
	" FROM sessions s JOIN " t " ON m.user_id = s.user_id" \
	" WHERE s.session_key = ? AND s.expires_at > UTC_TIMESTAMP()"
/* The filters every list takes: before, trash, pinned (any: 0 and 1). */
#define LIST_FILTERS \
	" AND (m.deleted_at IS NOT NULL) = ? AND m.pinned IN (?, ?)"
#define MEMO_LIST_FROM	SESSION_JOIN("memo m") " AND m.id < ?" LIST_FILTERS
#define MEMO_LIST_SQL	"SELECT " MEMO_COLS MEMO_LIST_FROM
/* A tag filter: the tag or one nested in it ("work", "work/…"). */
#define TAG_FILTER \
	" AND (? = 0 OR EXISTS (SELECT 1 FROM memo_tag t" \
	" WHERE t.memo_id = m.id AND (t.tag_key = ?" \
	" OR (t.tag_key >= ? AND t.tag_key < ?))))"
/* A session's public id (GET /account): its own, or, for a session the
 * previous version made (none), one derived from the stored hash by
 * another hash (schema/004_account.sql). */
#define SESSION_ID \
	"COALESCE(public_id, CONVERT(LEFT(SHA2(CONCAT('memo-session/'," \
	" session_key), 256), 32) USING ascii) COLLATE ascii_bin)"
/* One search word in the memo's search copy. */
#define TERM	" AND x.body LIKE ? ESCAPE '!'"
/* The user's search copies in a row, newest first; only a copy that has
 * every word reaches its memo. */
#define MEMO_FIND_FROM \
	" FROM sessions s JOIN memo_search x ON x.user_id = s.user_id" \
	" JOIN memo m ON m.id = x.memo_id" \
	" WHERE s.session_key = ? AND s.expires_at > UTC_TIMESTAMP()" \
	" AND x.memo_id < ?" LIST_FILTERS \
	TERM TERM TERM TERM TERM TERM TERM TERM TAG_FILTER
/* How many rows a list selects, with the list's own parameters (the page
 * passes no before and no limit). */
#define COUNT_OF(from)	"SELECT COUNT(*) FROM (SELECT m.id" from " LIMIT ?) AS c"

/*
 * Every statement the service runs.  The memo list walks memo_user_id
 * (user_id, id) backwards and streams, with no sort on the server; a row
 * can only come with a live session, so only an empty answer needs a
 * second look (docs/performance.md).
 */
static const struct {
	const char	*what;
	const char	*sql;
} stmts[ST__COUNT] = {
	[ST_SESSION_NAME] = { "session lookup",
	    "SELECT u.name FROM sessions s JOIN `user` u ON u.id = s.user_id"
	    " WHERE s.session_key = ? AND s.expires_at > UTC_TIMESTAMP()" },
	[ST_SESSION_LIVE] = { "session check",
	    "SELECT 1 FROM sessions"
	    " WHERE session_key = ? AND expires_at > UTC_TIMESTAMP()" },
	[ST_USER_UPSERT] = { "user upsert",
	    "INSERT INTO `user` (id, name, created_at)"
	    " VALUES (?, ?, UTC_TIMESTAMP()) ON DUPLICATE KEY UPDATE name = ?" },
	[ST_SESSION_DROP] = { "session delete",
	    "DELETE FROM sessions WHERE session_key = ?" },
	[ST_SESSION_CREATE] = { "session create",
	    "INSERT INTO sessions (session_key, user_id, created_at, expires_at,"
	    " public_id, user_agent) VALUES (?, ?, UTC_TIMESTAMP(),"
	    " UTC_TIMESTAMP() + INTERVAL ? SECOND, ?, ?)" },
	/* The old ones come from a derived table (materialized: it has a
	 * LIMIT) read through the user's index, and are deleted by primary
	 * key: only the user's own sessions are locked, those kept in share
	 * mode (a POST /memo in flight reads its session so too).  At most
	 * 1000 a login: one login adds one session. */
	[ST_SESSION_CAP] = { "session cap",
	    "DELETE s FROM sessions s JOIN (SELECT session_key FROM sessions"
	    " FORCE INDEX (sessions_user) WHERE user_id = ? AND session_key <> ?"
	    " ORDER BY created_at DESC, session_key DESC LIMIT 1000 OFFSET 49)"
	    " AS old ON old.session_key = s.session_key" },
	[ST_SESSION_SWEEP] = { "session sweep",
	    "DELETE FROM sessions WHERE expires_at < UTC_TIMESTAMP() LIMIT 1000" },
	[ST_MEMO_INSERT] = { "memo insert",
	    "INSERT INTO memo (user_id, text, pinned, created_at)"
	    " SELECT user_id, ?, ?, ? FROM sessions"
	    " WHERE session_key = ? AND expires_at > UTC_TIMESTAMP()" },
	[ST_SEARCH_INSERT] = { "search copy insert",
	    "INSERT INTO memo_search (user_id, memo_id, body)"
	    " SELECT user_id, id, ? FROM memo WHERE id = ?" },
	[ST_TAG_INSERT] = { "tag insert",
	    "INSERT INTO memo_tag (memo_id, user_id, tag_key, name)"
	    " SELECT id, user_id, ?, ? FROM memo WHERE id = ?" },
	[ST_TAG_CLEAR] = { "tag clear",
	    "DELETE FROM memo_tag WHERE memo_id = ?" },
	[ST_MEMO_LIST] = { "memo list",
	    MEMO_LIST_SQL " ORDER BY m.id DESC LIMIT ?" },
	[ST_MEMO_TAGGED] = { "memo tag list",
	    MEMO_LIST_SQL TAG_FILTER " ORDER BY m.id DESC LIMIT ?" },
	[ST_MEMO_FIND] = { "memo search",
	    "SELECT " MEMO_COLS MEMO_FIND_FROM " ORDER BY x.memo_id DESC LIMIT ?" },
	[ST_MEMO_LIST_COUNT] = { "memo count",
	    COUNT_OF(MEMO_LIST_FROM) },
	[ST_MEMO_TAGGED_COUNT] = { "memo tag count",
	    COUNT_OF(MEMO_LIST_FROM TAG_FILTER) },
	[ST_MEMO_FIND_COUNT] = { "memo search count",
	    COUNT_OF(MEMO_FIND_FROM) },
	[ST_MEMO_GET] = { "memo get",
	    "SELECT " MEMO_COLS SESSION_JOIN("memo m") " AND m.id = ?" },
	[ST_MEMO_LOCK] = { "memo lock",
	    "SELECT " MEMO_COLS SESSION_JOIN("memo m") " AND m.id = ?"
	    " FOR UPDATE" },
	/* A memo without a search copy (the previous version wrote it)
	 * keeps none: memo-maint index makes it from the new text. */
	[ST_MEMO_UPDATE] = { "memo update",
	    "UPDATE memo m LEFT JOIN memo_search x ON x.memo_id = m.id"
	    " SET m.text = COALESCE(?, m.text), x.body = COALESCE(?, x.body),"
	    " m.updated_at = COALESCE(?, m.updated_at), m.pinned = ?,"
	    " m.version = m.version + 1 WHERE m.id = ?" },
	[ST_MEMO_SET_DELETED] = { "memo trash",
	    "UPDATE memo SET deleted_at = ?, version = version + 1 WHERE id = ?" },
	[ST_MEMO_DELETE] = { "memo delete",
	    "DELETE FROM memo WHERE id = ?" },
	[ST_REV_SAVE] = { "revision save",
	    "INSERT INTO memo_revision (memo_id, text, created_at)"
	    " SELECT id, text, COALESCE(updated_at, created_at) FROM memo"
	    " WHERE id = ?" },
	[ST_REV_PRUNE] = { "revision prune",
	    "DELETE FROM memo_revision WHERE memo_id = ? AND id < (SELECT id FROM"
	    " (SELECT id FROM memo_revision WHERE memo_id = ? ORDER BY id DESC"
	    " LIMIT 1 OFFSET 49) AS k)" },
	[ST_REV_LIST] = { "revision list",
	    "SELECT r.id, r.text, r.created_at"
	    " FROM sessions s JOIN memo m ON m.user_id = s.user_id"
	    " JOIN memo_revision r ON r.memo_id = m.id"
	    " WHERE s.session_key = ? AND s.expires_at > UTC_TIMESTAMP()"
	    " AND m.id = ? ORDER BY r.id DESC" },
	[ST_TRASH_EMPTY] = { "trash empty",
	    "DELETE m" SESSION_JOIN("memo m") " AND m.deleted_at IS NOT NULL" },
	[ST_TAG_COUNTS] = { "tag counts",
	    "SELECT COUNT(*) AS n, MIN(t.name)"
	    " FROM sessions s JOIN memo_tag t ON t.user_id = s.user_id"
	    " JOIN memo m ON m.id = t.memo_id"
	    " WHERE s.session_key = ? AND s.expires_at > UTC_TIMESTAMP()"
	    " AND m.deleted_at IS NULL GROUP BY t.tag_key ORDER BY n DESC, t.tag_key" },
	[ST_MAINT_PURGE] = { "trash purge",
	    "DELETE FROM memo WHERE deleted_at < UTC_TIMESTAMP() - INTERVAL ? DAY"
	    " LIMIT 500" },
	[ST_MAINT_UNINDEXED] = { "unindexed memos",
	    "SELECT m.id FROM memo m LEFT JOIN memo_search x ON x.memo_id = m.id"
	    " WHERE m.id > ? AND x.memo_id IS NULL ORDER BY m.id LIMIT ?" },
	[ST_MAINT_TEXT] = { "memo read",
	    "SELECT " MEMO_COLS " FROM memo m WHERE m.id = ?" },
	/* IGNORE: a copy made meanwhile (by an edit) stays.  The version
	 * read: a memo changed since then is left for the next run. */
	[ST_MAINT_REINDEX] = { "memo reindex",
	    "INSERT IGNORE INTO memo_search (user_id, memo_id, body)"
	    " SELECT user_id, id, ? FROM memo WHERE id = ? AND version = ?" },
	[ST_MAINT_LOCK] = { "maintenance lock",
	    "SELECT GET_LOCK('memo-maint', 0)" },

	/* ---- the account (db_account.c) ---- */
	[ST_ACCOUNT_USER] = { "account user",
	    "SELECT u.id, u.name, u.created_at FROM sessions s"
	    " JOIN `user` u ON u.id = s.user_id"
	    " WHERE s.session_key = ? AND s.expires_at > UTC_TIMESTAMP()" },
	[ST_ACCOUNT_COUNTS] = { "account counts",
	    "SELECT COALESCE(SUM(deleted_at IS NULL), 0),"
	    " COALESCE(SUM(deleted_at IS NOT NULL), 0) FROM memo WHERE user_id = ?" },
	[ST_SESSION_LIST] = { "session list",
	    "SELECT " SESSION_ID ", created_at, expires_at, user_agent,"
	    " session_key = ? FROM sessions"
	    " WHERE user_id = ? AND expires_at > UTC_TIMESTAMP()"
	    " ORDER BY created_at DESC, session_key" },
	[ST_SESSION_END] = { "session end",
	    "DELETE FROM sessions WHERE user_id = ?"
	    " AND expires_at > UTC_TIMESTAMP() AND " SESSION_ID " = ?" },
	[ST_SESSIONS_END_ALL] = { "sessions end",
	    "DELETE FROM sessions WHERE user_id = ?" },
	/* Withdrawal: every row of the user's, children first (the foreign
	 * keys would cascade too; naming each table says what goes). */
	[ST_USER_LOCK] = { "user lock",
	    "SELECT id FROM `user` WHERE id = ? FOR UPDATE" },
	[ST_ERASE_SEARCH] = { "erase search copies",
	    "DELETE FROM memo_search WHERE user_id = ?" },
	[ST_ERASE_TAGS] = { "erase tags",
	    "DELETE FROM memo_tag WHERE user_id = ?" },
	[ST_ERASE_REVISIONS] = { "erase revisions",
	    "DELETE r FROM memo m JOIN memo_revision r ON r.memo_id = m.id"
	    " WHERE m.user_id = ?" },
	[ST_ERASE_MEMOS] = { "erase memos",
	    "DELETE FROM memo WHERE user_id = ?" },
	[ST_USER_DELETE] = { "user delete",
	    "DELETE FROM `user` WHERE id = ?" },

	/* ---- export and import (db_export.c) ---- */
	/* The export goes by batches of EXPORT_BATCH memos, newest first: the
	 * lowest id of the next batch, live or not (none: the rest is the
	 * last batch; read from the index alone), then each memo of the batch
	 * that is (or is not) in the trash with each of its revisions (or
	 * none), newest first - a join the server sorts, but never more than
	 * a batch of it, whatever the number of memos. */
	[ST_EXPORT_BOUND] = { "export batch",
	    "SELECT id FROM memo FORCE INDEX (memo_user_id) WHERE user_id = ?"
	    " AND id < ? ORDER BY id DESC LIMIT 1 OFFSET " EXPORT_BATCH_OFFSET },
	[ST_EXPORT] = { "export",
	    "SELECT " MEMO_COLS ", r.id, r.text, r.created_at FROM memo m"
	    " LEFT JOIN memo_revision r ON r.memo_id = m.id"
	    " WHERE m.user_id = ? AND (m.deleted_at IS NOT NULL) = ?"
	    " AND m.id < ? AND m.id >= ? ORDER BY m.id DESC, r.id DESC" },
	/* By date, newest first: memo_user_created backwards, streamed with
	 * no sort (the optimizer would sort a table of one user's memos). */
	[ST_EXPORT_MD] = { "export markdown",
	    "SELECT " MEMO_COLS " FROM memo m FORCE INDEX (memo_user_created)"
	    " WHERE m.user_id = ? AND m.deleted_at IS NULL"
	    " ORDER BY m.created_at DESC, m.id DESC" },
	/* The same text, byte for byte (the column's collation would ignore
	 * case and trailing spaces), written at the same second. */
	[ST_IMPORT_DUP] = { "import duplicate check",
	    "SELECT 1 FROM memo WHERE user_id = ? AND created_at = ?"
	    " AND CAST(text AS BINARY) = CAST(? AS BINARY) LIMIT 1" },
	[ST_IMPORT_MEMO] = { "import memo",
	    "INSERT INTO memo (user_id, text, pinned, created_at, updated_at,"
	    " deleted_at) VALUES (?, ?, ?, ?, ?, ?)" },
	[ST_IMPORT_REVISION] = { "import revision",
	    "INSERT INTO memo_revision (memo_id, text, created_at)"
	    " VALUES (?, ?, ?)" },
};

const char *
db_what(enum stmt k)
{
	return stmts[k].what;
}

enum err
db_fail(struct db *db, MYSQL_STMT *st, const char *what)
{
	unsigned int n = st ? mysql_stmt_errno(st) : 0;
	const char *msg = st ? mysql_stmt_error(st) : "";

	/* libmariadb leaves some failures (a connection lost while rows
	 * arrive) on the connection, not on the statement. */
	if (n == 0 && db != NULL && db->conn != NULL) {
		n = mysql_errno(db->conn);
		msg = mysql_error(db->conn);
	}
	log_msg("database: %s: %u %s", what, n, *msg ? msg : "(no reason given)");
	if (db != NULL)
		db->failed = 1;
	/* Client-side errors (CR_*) mean the server is gone or unreachable;
	 * lock timeouts, deadlocks and shutdowns are worth a retry too. */
	if (n == 0 || (n >= CR_MIN_ERROR && n <= CR_MAX_ERROR) ||
	    n == ER_LOCK_WAIT_TIMEOUT || n == ER_LOCK_DEADLOCK ||
	    n == ER_SERVER_SHUTDOWN || n == ER_CON_COUNT_ERROR ||
	    n == ER_TOO_MANY_USER_CONNECTIONS ||
	    n == ER_QUERY_INTERRUPTED)
		return E_DB;
	return E_INTERNAL;
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
connect_with(MYSQL *conn, const struct cfg *cfg)
{
	unsigned int ct = (unsigned int)cfg_num(cfg, CFG_DB_CONNECT_TIMEOUT, 1, 60);
	unsigned int rt = (unsigned int)cfg_num(cfg, CFG_DB_READ_TIMEOUT, 1, 600);
	const char *sock = cfg_str(cfg, CFG_DB_SOCKET);
	const char *ca = cfg_str(cfg, CFG_DB_SSL_CA);
	my_bool on = 1;

	mysql_options(conn, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
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

		log_msg("database: connect: %u %s", n, mysql_error(conn));
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
	if ((e = connect_with(db->conn, cfg)) != E_OK) {
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
	for (size_t i = 0; i < ST__COUNT; i++)
		if (db->st[i] != NULL)
			mysql_stmt_close(db->st[i]);
	row_free(&db->row);
	if (db->conn != NULL)
		mysql_close(db->conn);
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

enum err
db_run(struct db *db, enum stmt k, MYSQL_BIND *in, MYSQL_STMT **out)
{
	MYSQL_STMT *st = db->st[k];
	enum err e;

	*out = NULL;
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
	e = db_fail(db, st, stmts[k].what);
	mysql_stmt_close(st);
	db->st[k] = NULL;
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

static enum err
db_query(struct db *db, const char *sql, const char *what)
{
	if (mysql_real_query(db->conn, sql, (unsigned long)strlen(sql)) != 0)
		return db_fail(db, NULL, what);
	return E_OK;
}

enum err
db_begin(struct db *db)
{
	return db_query(db, "START TRANSACTION", "begin");
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

enum err
db_commit(struct db *db)
{
	return db_query(db, "COMMIT", "commit");
}

void
db_rollback(struct db *db)
{
	/* A failed rollback leaves the connection marked failed: it is
	 * closed, which rolls back on the server. */
	(void)db_query(db, "ROLLBACK", "rollback");
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

/* The seven memo columns into r->res[0..6]. */
static enum err
bind_memo_cols(struct db_row *r)
{
	MYSQL_BIND *b = r->res;

	if (text_buffer(&r->text, &r->cap) != E_OK)
		return E_NOMEM;
	memset(b, 0, sizeof(r->res));
	bind_u64(&b[0], &r->id);
	b[1].buffer_type = MYSQL_TYPE_STRING;
	b[1].buffer = r->text;
	b[1].buffer_length = (unsigned long)r->cap;
	b[1].length = &r->text_len;
	b[2].buffer_type = MYSQL_TYPE_DATETIME;
	b[2].buffer = &r->created;
	b[3].buffer_type = MYSQL_TYPE_DATETIME;
	b[3].buffer = &r->updated;
	b[4].buffer_type = MYSQL_TYPE_TINY;
	b[4].buffer = &r->pinned;
	b[5].buffer_type = MYSQL_TYPE_DATETIME;
	b[5].buffer = &r->deleted;
	b[5].is_null = &r->deleted_null;
	bind_u64(&b[6], &r->version);
	r->deleted_null = 1;
	return E_OK;
}

enum err
row_bind(struct db *db, struct db_row *r, MYSQL_STMT *st)
{
	r->with_revision = 0;
	if (bind_memo_cols(r) != E_OK)
		return E_NOMEM;
	if (mysql_stmt_bind_result(st, r->res) != 0)
		return db_fail(db, st, "result binding");
	return E_OK;
}

enum err
row_bind_revision(struct db *db, struct db_row *r, MYSQL_STMT *st)
{
	MYSQL_BIND *b = r->res;

	r->with_revision = 1;
	if (bind_memo_cols(r) != E_OK ||
	    text_buffer(&r->rev_text, &r->rev_cap) != E_OK)
		return E_NOMEM;
	bind_u64(&b[7], &r->rev_id);
	b[7].is_null = &r->rev_null;
	b[8].buffer_type = MYSQL_TYPE_STRING;
	b[8].buffer = r->rev_text;
	b[8].buffer_length = (unsigned long)r->rev_cap;
	b[8].length = &r->rev_len;
	b[9].buffer_type = MYSQL_TYPE_DATETIME;
	b[9].buffer = &r->rev_created;
	if (mysql_stmt_bind_result(st, b) != 0)
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
	/* The library keeps its own copy of the binds: rebind so later rows
	 * land in the new buffer too. */
	if (mysql_stmt_fetch_column(st, &r->res[col], col, 0) != 0 ||
	    mysql_stmt_bind_result(st, r->res) != 0)
		return -1;
	return 0;
}

int
row_fetch(struct db_row *r, MYSQL_STMT *st)
{
	int n;

	if (FAULT("db_cut_at_row"))	/* the server gone: libmariadb's next read fails */
		(void)close((int)mysql_get_socket(st->mysql));
	n = FAULT("db_fetch_fails") ? 1 : mysql_stmt_fetch(st);

	if (n == MYSQL_NO_DATA)
		return 0;
	if (n == 1)
		return -1;
	if (n == MYSQL_DATA_TRUNCATED && r->text_len >= r->cap &&
	    text_regrow(r, st, 1, &r->text, &r->cap, r->text_len) != 0)
		return -1;
	if (n == MYSQL_DATA_TRUNCATED && r->with_revision && !r->rev_null &&
	    r->rev_len >= r->rev_cap &&
	    text_regrow(r, st, 8, &r->rev_text, &r->rev_cap, r->rev_len) != 0)
		return -1;
	return 1;
}

void
row_free(struct db_row *r)
{
	free(r->text);
	free(r->rev_text);
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
	m->text = r->text;
	m->text_len = r->text_len;
	stamp_format(m->created_at, &r->created);
	stamp_format(m->updated_at, &r->updated);
	if (r->deleted_null)
		m->deleted_at[0] = '\0';
	else
		stamp_format(m->deleted_at, &r->deleted);
	m->pinned = r->pinned != 0;
	m->version = r->version;
}

/* ---- lists ---- */

/* list_start, binding rows with or without a revision. */
static enum err
list_open(struct db *db, MYSQL_STMT *st, const char *hash, int revisions,
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
	if ((e = revisions ? row_bind_revision(db, &l->row, st) :
	    row_bind(db, &l->row, st)) != E_OK)
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
list_start(struct db *db, MYSQL_STMT *st, const char *hash,
    struct db_list **out)
{
	return list_open(db, st, hash, 0, out);
}

enum err
list_start_revisions(struct db *db, MYSQL_STMT *st, struct db_list **out)
{
	return list_open(db, st, NULL, 1, out);
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
			db_fail(l->db, l->st, "list");
	}
	return r;
}

int
db_memo_next(struct db_list *l, struct db_memo *m)
{
	int r = list_step(l);

	if (r == 1)
		row_memo(&l->row, m);
	return r;
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
	free(l);
}
