/* db_user.c - users and sessions. */
#include <string.h>
#include "db_int.h"
#include "fault.h"
#include "utf8.h"

enum err
db_session_name(struct db *db, const char *hash, char *name, size_t namelen)
{
	MYSQL_BIND in[1], res[1];
	MYSQL_STMT *st;
	unsigned long len = 0;
	enum err e;
	int r;

	bind_cstr(&in[0], hash);
	if ((e = db_run(db, ST_SESSION_NAME, in, &st)) != E_OK)
		return e;
	memset(res, 0, sizeof(res));
	res[0].buffer_type = MYSQL_TYPE_STRING;
	res[0].buffer = name;
	res[0].buffer_length = (unsigned long)namelen;
	res[0].length = &len;
	if (mysql_stmt_bind_result(st, res) != 0) {
		e = db_fail(db, st, db_what(ST_SESSION_NAME));
		goto out;
	}
	r = FAULT("db_fetch_fails") ? 1 : mysql_stmt_fetch(st);
	if (r == MYSQL_NO_DATA)
		e = E_UNAUTH;
	else if (r == 1)
		e = db_fail(db, st, db_what(ST_SESSION_NAME));
	else {
		/* A name longer than ours (an older schema's) is cut back to a
		 * character boundary. */
		size_t n = len < namelen ? len :
		    utf8_prefix(name, namelen, namelen - 1);

		name[n] = '\0';
	}
out:
	db_end(st);
	return e;
}

enum err
db_session_live(struct db *db, const char *hash)
{
	MYSQL_BIND in[1];

	bind_cstr(&in[0], hash);
	return db_exists(db, ST_SESSION_LIVE, in, E_UNAUTH);
}

enum err
db_login(struct db *db, const char *user_id, const char *name,
    const struct db_session_new *s, const char *old_hash)
{
	MYSQL_BIND b[5];
	unsigned long long age = (unsigned long long)s->max_age;
	enum err e;

	if ((e = db_begin(db)) != E_OK)
		return e;
	bind_cstr(&b[0], user_id);
	bind_cstr(&b[1], name);
	bind_cstr(&b[2], name);
	if ((e = db_exec(db, ST_USER_UPSERT, b, NULL)) != E_OK)
		goto out;
	if (old_hash != NULL) {
		bind_cstr(&b[0], old_hash);
		if ((e = db_exec(db, ST_SESSION_DROP, b, NULL)) != E_OK)
			goto out;
	}
	bind_cstr(&b[0], s->hash);
	bind_cstr(&b[1], user_id);
	bind_u64(&b[2], &age);
	bind_cstr(&b[3], s->public_id);
	if (s->user_agent != NULL)
		bind_cstr(&b[4], s->user_agent);
	else
		bind_null(&b[4]);
	if ((e = db_exec(db, ST_SESSION_CREATE, b, NULL)) != E_OK)
		goto out;
	bind_cstr(&b[0], user_id);
	bind_cstr(&b[1], s->hash);
	if ((e = db_exec(db, ST_SESSION_CAP, b, NULL)) != E_OK)
		goto out;
	e = db_commit(db);
out:
	if (e != E_OK)
		db_rollback(db);
	/* Expired rows are dead weight; logins are rare enough to sweep a
	 * bounded batch each time (memo-maint sweeps them all).  A failed
	 * sweep does not fail the login. */
	if (e == E_OK)
		(void)db_exec(db, ST_SESSION_SWEEP, NULL, NULL);
	return e;
}

enum err
db_session_delete(struct db *db, const char *hash)
{
	return db_exec_str(db, ST_SESSION_DROP, hash, NULL);
}

enum err
db_state_use(struct db *db, const char *hash)
{
	uint64_t added = 0;
	enum err e;

	if ((e = db_exec_str(db, ST_STATE_USE, hash, &added)) != E_OK)
		return e;
	if (added == 0)
		return E_BADREQ;
	/* As for sessions at login: a bounded batch, and a failed sweep does
	 * not fail the login. */
	(void)db_exec(db, ST_STATE_SWEEP, NULL, NULL);
	return E_OK;
}
