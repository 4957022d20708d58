/* db_account.c - the account: its user, its sessions, and withdrawal. */
#include <string.h>
#include "db_int.h"
#include "fault.h"
#include "utf8.h"

/* Bind a result column to a string buffer of size len. */
static void
res_str(MYSQL_BIND *b, char *buf, size_t len, unsigned long *got,
    my_bool *is_null)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = buf;
	b->buffer_length = (unsigned long)len;
	b->length = got;
	b->is_null = is_null;
}

static void
res_time(MYSQL_BIND *b, MYSQL_TIME *t)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_DATETIME;
	b->buffer = t;
}

/* NUL-terminate a fetched string of got bytes in buf[len], cut back to a
 * character if the column held more than fits. */
static void
str_end(char *buf, size_t len, unsigned long got)
{
	size_t n = got < len ? got : utf8_prefix(buf, len, len - 1);

	buf[n] = '\0';
}

enum err
db_account_user(struct db *db, const char *hash, struct db_account *out)
{
	MYSQL_BIND in[1], res[3];
	MYSQL_STMT *st;
	MYSQL_TIME created;
	unsigned long idlen = 0, namelen = 0;
	enum err e;
	int r;

	memset(out, 0, sizeof(*out));
	bind_cstr(&in[0], hash);
	if ((e = db_run(db, ST_ACCOUNT_USER, in, &st)) != E_OK)
		return e;
	res_str(&res[0], out->id, sizeof(out->id), &idlen, NULL);
	res_str(&res[1], out->name, sizeof(out->name), &namelen, NULL);
	res_time(&res[2], &created);
	if (mysql_stmt_bind_result(st, res) != 0) {
		e = db_fail(db, st, db_what(ST_ACCOUNT_USER));
		goto out;
	}
	r = FAULT("db_fetch_fails") ? 1 : mysql_stmt_fetch(st);
	if (r == MYSQL_NO_DATA)
		e = E_UNAUTH;
	else if (r == 1 || idlen >= sizeof(out->id))
		e = db_fail(db, st, db_what(ST_ACCOUNT_USER));
	else {
		str_end(out->id, sizeof(out->id), idlen);
		str_end(out->name, sizeof(out->name), namelen);
		stamp_format(out->created_at, &created);
	}
out:
	db_end(st);
	return e;
}

enum err
db_account_counts(struct db *db, const char *user_id, uint64_t *memos,
    uint64_t *trash)
{
	MYSQL_BIND in[1], res[2];
	MYSQL_STMT *st;
	unsigned long long live = 0, gone = 0;
	enum err e;

	bind_cstr(&in[0], user_id);
	if ((e = db_run(db, ST_ACCOUNT_COUNTS, in, &st)) != E_OK)
		return e;
	bind_u64(&res[0], &live);
	bind_u64(&res[1], &gone);
	if (mysql_stmt_bind_result(st, res) != 0 || mysql_stmt_fetch(st) != 0)
		e = db_fail(db, st, db_what(ST_ACCOUNT_COUNTS));
	db_end(st);
	*memos = live;
	*trash = gone;
	return e;
}

/* One row of the session list, as bound. */
struct session_row {
	MYSQL_BIND	 res[5];
	char		 ua[SESS_UA_MAX + 1];
	unsigned long	 idlen, ualen;
	my_bool		 ua_null;
	MYSQL_TIME	 created, expires;
	int		 current;
};

static void
session_row_bind(struct session_row *r, struct db_session *s)
{
	res_str(&r->res[0], s->id, sizeof(s->id), &r->idlen, NULL);
	res_time(&r->res[1], &r->created);
	res_time(&r->res[2], &r->expires);
	res_str(&r->res[3], r->ua, sizeof(r->ua), &r->ualen, &r->ua_null);
	bind_int(&r->res[4], &r->current);
}

enum err
db_session_list(struct db *db, const char *user_id, const char *hash,
    int (*each)(void *arg, const struct db_session *s), void *arg)
{
	MYSQL_BIND in[2];
	MYSQL_STMT *st;
	struct session_row r;
	struct db_session s;
	enum err e;
	int got;

	memset(&r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	bind_cstr(&in[0], hash);
	bind_cstr(&in[1], user_id);
	if ((e = db_run(db, ST_SESSION_LIST, in, &st)) != E_OK)
		return e;
	session_row_bind(&r, &s);
	if (mysql_stmt_bind_result(st, r.res) != 0) {
		e = db_fail(db, st, db_what(ST_SESSION_LIST));
		goto out;
	}
	/* A row longer than its buffer (a user agent from another writer)
	 * is cut: MYSQL_DATA_TRUNCATED is a row like the others. */
	while ((got = mysql_stmt_fetch(st)) == 0 || got == MYSQL_DATA_TRUNCATED) {
		str_end(s.id, sizeof(s.id), r.idlen);
		str_end(r.ua, sizeof(r.ua), r.ua_null ? 0 : r.ualen);
		stamp_format(s.created_at, &r.created);
		stamp_format(s.expires_at, &r.expires);
		s.user_agent = r.ua_null ? NULL : r.ua;
		s.current = r.current != 0;
		if (each(arg, &s) != 0) {
			e = E_NOMEM;
			goto out;
		}
	}
	if (got != MYSQL_NO_DATA)
		e = db_fail(db, st, db_what(ST_SESSION_LIST));
out:
	db_end(st);
	return e;
}

enum err
db_session_end(struct db *db, const char *user_id, const char *id)
{
	MYSQL_BIND in[2];
	uint64_t n = 0;
	enum err e;

	bind_cstr(&in[0], user_id);
	bind_cstr(&in[1], id);
	if ((e = db_exec(db, ST_SESSION_END, in, &n)) != E_OK)
		return e;
	return n == 0 ? E_NOTFOUND : E_OK;
}

enum err
db_sessions_end_all(struct db *db, const char *user_id)
{
	return db_exec_str(db, ST_SESSIONS_END_ALL, user_id, NULL);
}

/* Lock the user's row: a login or a write of theirs waits for the erase,
 * then finds nobody. */
static enum err
user_lock(struct db *db, MYSQL_BIND *in)
{
	return db_exists(db, ST_USER_LOCK, in, E_NOTFOUND);
}

struct erase {
	const char	*session_hash;
	const char	*user_id;
	uint64_t	*memos;
};

/* The user's memos, a range of 100 at a time in the caller's transaction,
 * their revisions, tags and search copies going with them: ERASE_CUT
 * gives the range's end (no row: the rest), ERASE_MEMOS deletes it.
 * *total: memos deleted. */
static enum err
erase_memos(struct db *db, const char *user_id, uint64_t *total)
{
	MYSQL_BIND in[3];
	unsigned long long from = 0, to;
	uint64_t end, n;
	enum err e;

	*total = 0;
	for (;;) {
		bind_cstr(&in[0], user_id);
		bind_u64(&in[1], &from);
		if ((e = db_row_id(db, ST_ERASE_CUT, in, &end)) != E_OK)
			return e;
		to = end != 0 ? end : INT64_MAX;	/* none: the rest */
		bind_u64(&in[2], &to);
		if ((e = db_exec(db, ST_ERASE_MEMOS, in, &n)) != E_OK)
			return e;
		*total += n;
		if (end == 0)
			return E_OK;
		from = to;
	}
}

/* Every row of the user (db_txn's body): their memos a batch at a time
 * (their revisions, tags and search copies go with them), sessions, the
 * user. */
static enum err
erase_rows(struct db *db, void *arg)
{
	const struct erase *a = arg;
	MYSQL_BIND in[1], asked[2];
	enum err e;

	*a->memos = 0;
	bind_cstr(&in[0], a->user_id);
	bind_cstr(&asked[0], a->session_hash);
	bind_cstr(&asked[1], a->user_id);
	if ((e = user_lock(db, in)) != E_OK ||
	    (e = db_exists(db, ST_ERASE_SESSION, asked, E_UNAUTH)) != E_OK ||
	    (e = erase_memos(db, a->user_id, a->memos)) != E_OK ||
	    (e = db_exec(db, ST_SESSIONS_END_ALL, in, NULL)) != E_OK)
		return e;
	return db_exec(db, ST_USER_DELETE, in, NULL);
}

enum err
db_account_erase(struct db *db, const char *session_hash,
    const char *user_id, uint64_t *memos)
{
	struct erase a = { session_hash, user_id, memos };

	return db_txn(db, erase_rows, &a);
}

enum err
db_user_there(struct db *db, const char *user_id, const char *created_at)
{
	MYSQL_BIND in[1], res[1];
	MYSQL_STMT *st;
	MYSQL_TIME created;
	char stamp[DB_STAMP_LEN];
	enum err e;
	int r;

	bind_cstr(&in[0], user_id);
	if ((e = db_run(db, ST_USER_THERE, in, &st)) != E_OK)
		return e;
	res_time(&res[0], &created);
	if (mysql_stmt_bind_result(st, res) != 0) {
		e = db_fail(db, st, db_what(ST_USER_THERE));
		goto out;
	}
	if ((r = mysql_stmt_fetch(st)) == MYSQL_NO_DATA)
		e = E_NOTFOUND;
	else if (r == 1)
		e = db_fail(db, st, db_what(ST_USER_THERE));
	else {
		/* Another account of the same Naver id (a login since): the
		 * one being withdrawn is gone. */
		stamp_format(stamp, &created);
		e = strcmp(stamp, created_at) == 0 ? E_OK : E_NOTFOUND;
	}
out:
	db_end(st);
	return e;
}
