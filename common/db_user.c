/* db_user.c - users and sessions. */
#include <string.h>
#include "db_int.h"
#include "fault.h"
#include "utf8.h"

enum err
db_session_live(struct db *db, const char *hash)
{
	MYSQL_BIND in[1];

	bind_cstr(&in[0], hash);
	return db_exists(db, ST_SESSION_LIVE, in, E_UNAUTH);
}

struct login {
	const char			*user_id, *name, *old_hash;
	const struct db_session_new	*s;
};

/* The user, and the session replacing old_hash's (db_txn's body). */
static enum err
login_write(struct db *db, void *arg)
{
	const struct login *a = arg;
	const struct db_session_new *s = a->s;
	MYSQL_BIND b[5];
	unsigned long long age = (unsigned long long)s->max_age;
	enum err e;

	bind_cstr(&b[0], a->user_id);
	bind_cstr(&b[1], a->name);
	if ((e = db_exists(db, ST_USER_SAME, b, E_NOTFOUND)) == E_OK)
		e = db_exists(db, ST_USER_KEEP, b, E_NOTFOUND);
	if (e == E_NOTFOUND) {
		bind_cstr(&b[2], a->name);
		e = db_exec(db, ST_USER_UPSERT, b, NULL);
	}
	if (e != E_OK)
		return e;
	if (a->old_hash != NULL) {
		bind_cstr(&b[0], a->old_hash);
		if ((e = db_exec(db, ST_SESSION_DROP, b, NULL)) != E_OK)
			return e;
	}
	bind_cstr(&b[0], s->hash);
	bind_cstr(&b[1], a->user_id);
	bind_u64(&b[2], &age);
	bind_cstr(&b[3], s->public_id);
	if (s->user_agent != NULL)
		bind_cstr(&b[4], s->user_agent);
	else
		bind_null(&b[4]);
	return db_exec(db, ST_SESSION_CREATE, b, NULL);
}

enum err
db_login(struct db *db, const char *user_id, const char *name,
    const struct db_session_new *s, const char *old_hash)
{
	struct login a = { user_id, name, old_hash, s };
	MYSQL_BIND b[2];
	enum err e;

	e = db_txn(db, login_write, &a);
	if (e != E_OK)
		return e;
	/* The cap, then a bounded batch of expired rows (memo-maint sweeps
	 * them all), each a statement of its own after the login's commit,
	 * and neither fails it.  Within the login's transaction the cap's
	 * scan of the user's entries in sessions_user kept the gap up to the
	 * next user's locked, and two people with neighbouring ids logging
	 * in at once deadlocked: one of them got 503 (test_load
	 * logins_at_once).  Alone, it waits for a login in that gap to
	 * commit, holding nothing that login needs. */
	bind_cstr(&b[0], user_id);
	bind_cstr(&b[1], s->hash);
	(void)db_exec(db, ST_SESSION_CAP, b, NULL);
	(void)db_exec(db, ST_SESSION_SWEEP, NULL, NULL);
	return E_OK;
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
