/*
 * db.h - every query the service makes, behind one opaque handle.
 *
 * A struct db owns a connection to MySQL/MariaDB and its prepared
 * statements, one per entry of the statement table in db.c (as kcgi's ksql
 * does): every statement the program can run is listed there, with every
 * value bound as a parameter, never built into SQL text.  Statements are
 * prepared on first use and kept until db_close, so a connection that
 * serves many requests (FastCGI) prepares each once.  No libmariadb type
 * appears outside db*.c.
 *
 * Sessions are addressed by the hex SHA-256 of their id (sess.h); a query
 * on a memo joins the session, so one round trip both authorizes and acts,
 * and only an empty answer asks which of "no session" (E_UNAUTH) and "no
 * such memo" (E_NOTFOUND) it was.  Failures to reach the server, lock
 * timeouts and deadlocks map to E_DB (503); other failures, which mean a bug
 * or a broken schema, to E_INTERNAL.  Any failure marks the handle as
 * failed: db_reusable then refuses it, so a FastCGI process drops the
 * connection before its next request.  The exception is a deadlock's
 * victim that a write runs again (db_int.h's db_txn and db_exec_alone):
 * its connection is sound.
 *
 * Results that point at text (struct db_memo, db_revision, db_tag_count)
 * point into buffers of the handle or the list, valid until the next call
 * on the same handle or list.
 */
#ifndef MEMO_DB_H
#define MEMO_DB_H

#include <stddef.h>
#include <stdint.h>
#include "cfg.h"
#include "err.h"
#include "sess.h"

#define MEMO_MAX_TEXT	65536		/* bytes of UTF-8 in one memo */
#define USER_MAX_ID	128
#define USER_MAX_NAME	255		/* bytes, cut on a character */
#define DB_STAMP_LEN	24		/* "2026-11-24T13:45:00Z" and NUL */
#define MEMO_REVISIONS_KEPT 50		/* at least this many per memo */
#define SESSIONS_KEPT	50		/* a user's newest sessions kept */

struct db;
struct db_list;
struct fold_query;
struct tag_filter;
struct tag_list;

/* Connect with the configured timeouts, utf8mb4, TCP or unix socket. */
enum err db_open(struct db **out, const struct cfg *cfg);
void	 db_close(struct db *db);
/* Release the client library's process-wide state, at exit. */
void	 db_client_end(void);
/* 1 if db may serve another request with cfg: opened with the same
 * settings, nothing failed on it, and the server has not closed it. */
int	 db_reusable(struct db *db, const struct cfg *cfg);
/* 1 if something failed on db: it must not serve another request. */
int	 db_failed(const struct db *db);
/* One round trip that proves the server answers. */
enum err db_ping(struct db *db);
/* 1 if the last write's COMMIT failed with the connection lost: the
 * server may have committed it (db_failed is 1 too). */
int	 db_commit_unknown(const struct db *db);

/* ---- users and sessions (db_user.c) ---- */

/* E_OK if the session is live, else E_UNAUTH. */
enum err db_session_live(struct db *db, const char *hash);
/* What a new session records besides its hash: its public id (GET
 * /account) and the browser's User-Agent (NULL if it sent none). */
struct db_session_new {
	const char	*hash;
	const char	*public_id;
	const char	*user_agent;
	long		 max_age;	/* seconds */
};
/* In one transaction: upsert the user, drop the browser's previous session
 * (old_hash may be NULL), create the new one.  Then, after it, delete the
 * user's sessions beyond the newest SESSIONS_KEPT (the new one always
 * kept; by created_at, a second's resolution) and sweep a batch of expired
 * sessions; a failure there is logged and the login stands. */
enum err db_login(struct db *db, const char *user_id, const char *name,
	    const struct db_session_new *s, const char *old_hash);
enum err db_session_delete(struct db *db, const char *hash);
/* Record the use of an OAuth state, by its hash (sess_hash of the state):
 * E_OK the first time, E_BADREQ if it was used before (a replay).  Then
 * forget a batch of records over a day old. */
enum err db_state_use(struct db *db, const char *hash);

/* ---- the account (db_account.c) ---- */

#define SESS_UA_MAX_CHARS	200
#define SESS_UA_MAX		(4 * SESS_UA_MAX_CHARS)	/* bytes */

struct db_account {
	char	id[USER_MAX_ID + 1];
	char	name[USER_MAX_NAME + 1];
	char	created_at[DB_STAMP_LEN];
};
/* The user holding a live session; E_UNAUTH if none. */
enum err db_account_user(struct db *db, const char *hash,
	    struct db_account *out);
/* How many memos the user has, live and in the trash. */
enum err db_account_counts(struct db *db, const char *user_id,
	    uint64_t *memos, uint64_t *trash);

struct db_session {
	char		 id[SESS_PUBLIC_ID_LEN + 1];
	char		 created_at[DB_STAMP_LEN];
	char		 expires_at[DB_STAMP_LEN];
	const char	*user_agent;	/* NULL: not recorded */
	int		 current;	/* the session of hash */
};
/* Call each(arg, s) for every live session of the user, newest first;
 * hash names the current one.  A non-zero each stops with E_NOMEM. */
enum err db_session_list(struct db *db, const char *user_id,
	    const char *hash,
	    int (*each)(void *arg, const struct db_session *s), void *arg);
/* End the user's live session with public id `id`; E_NOTFOUND if the user
 * has none (another user's id included). */
enum err db_session_end(struct db *db, const char *user_id, const char *id);
/* End every session of the user, on every device. */
enum err db_sessions_end_all(struct db *db, const char *user_id);
/* Withdrawal asked for by session session_hash: delete the user and
 * every row of theirs (memos, their revisions, tags and search copies,
 * sessions on every device) in one transaction: all of it or, on any
 * failure, nothing.  *memos deleted; E_NOTFOUND if the user is already
 * gone; E_UNAUTH, nothing deleted, if the user is there but the session
 * is not (ended meanwhile, or the user withdrew on another device and
 * has logged in again since: a new account). */
enum err db_account_erase(struct db *db, const char *session_hash,
	    const char *user_id, uint64_t *memos);
/* E_OK if the user of this id created at created_at (db_account's form)
 * is there, E_NOTFOUND if not (none, or another account of the id). */
enum err db_user_there(struct db *db, const char *user_id,
	    const char *created_at);

/* ---- memos (db_memo.c) ---- */

struct db_memo {
	uint64_t	 id;
	const char	*text;
	size_t		 text_len;
	char		 created_at[DB_STAMP_LEN];
	char		 updated_at[DB_STAMP_LEN];	/* = created_at until edited */
	char		 deleted_at[DB_STAMP_LEN];	/* "" unless in the trash */
	int		 pinned;
	uint64_t	 version;	/* grows on every change: the ETag */
	/* Its tags, when a list parsed them already (a tag filter), else
	 * NULL; they are the list's, good until its next row. */
	const struct tag_list *tags;
};

/* What a new memo or an edit stores: its text, the text's folded form
 * (fold.h) and its tags (tags.h). */
struct memo_text {
	const char		*text;
	size_t			 len;
	const char		*search;
	size_t			 search_len;
	const struct tag_list	*tags;
};

/* Store a memo for the session's user (one transaction with its tags, run
 * again if InnoDB rolled it back as a deadlock's victim); E_UNAUTH if
 * the session is not live.  out->text is t->text. */
enum err db_memo_insert(struct db *db, const char *hash,
	    const struct memo_text *t, int pinned, struct db_memo *out);

/* Which memos a list holds: newest first, ids below before (0: no bound),
 * at most limit (0: all); the trash or the live memos; pinned -1 (any), 0
 * or 1; q and tag NULL or filters. */
struct db_filter {
	uint64_t		 before;
	uint64_t		 limit;
	int			 trash;
	int			 pinned;
	const struct fold_query	*q;
	const struct tag_filter	*tag;
};

/* Start a list streamed from the server (constant memory); E_UNAUTH if the
 * session is not live.  Then db_memo_next until 0, then db_list_close. */
enum err db_memo_list(struct db *db, const char *hash,
	    const struct db_filter *f, struct db_list **out);
/* How many memos f selects, all pages (before and limit ignored); 0
 * without a live session (the list that follows tells). */
enum err db_memo_count(struct db *db, const char *hash,
	    const struct db_filter *f, uint64_t *n);
/* 1 and a row, 0 at the end, -1 if the rows broke off (logged). */
int	 db_memo_next(struct db_list *l, struct db_memo *m);
/* Why a list's rows broke off (a -1 from its _next): E_DB (the server,
 * worth a retry), E_INTERNAL or E_NOMEM. */
enum err db_list_err(const struct db_list *l);
void	 db_list_close(struct db_list *l);

/* One memo of the session's user, live or in the trash; E_NOTFOUND. */
enum err db_memo_get(struct db *db, const char *hash, uint64_t id,
	    struct db_memo *out);

/*
 * A change to one memo, made in one transaction with the memo locked:
 *   MEMO_EDIT     new text (NULL: keep) and/or pinned (-1: keep); the old
 *                 text becomes a revision, tags and search copy follow;
 *                 the same values again change nothing.  E_CONFLICT if the
 *                 memo is in the trash.
 *   MEMO_TRASH    into the trash (already there: nothing changes).
 *   MEMO_RESTORE  out of the trash (not there: nothing changes).
 *   MEMO_PURGE    deleted for good, with its revisions and tags;
 *                 E_CONFLICT if it is not in the trash.
 * precondition (may be NULL) sees the memo as it is under the lock; if it
 * returns 0 nothing changes and the answer is E_PRECOND.  out receives the
 * memo after the change (on E_PRECOND and E_CONFLICT: as it is).
 * E_NOTFOUND for another user's memo or none; E_UNAUTH without a session.
 * One transaction, run again (twice at most) if InnoDB rolled it back as
 * a deadlock's victim.
 */
enum memo_op { MEMO_EDIT, MEMO_TRASH, MEMO_RESTORE, MEMO_PURGE };
struct memo_change {
	enum memo_op		 op;
	const struct memo_text	*text;
	int			 pinned;
	int			(*precondition)(const struct db_memo *cur,
				    void *arg);
	void			*arg;
};
enum err db_memo_change(struct db *db, const char *hash, uint64_t id,
	    const struct memo_change *c, struct db_memo *out);
/* After db_memo_insert or db_memo_change failed with its COMMIT's answer
 * lost (db_commit_unknown), on a new connection: E_OK, with the memo read
 * into *m, if it shows the write (the version, times, state and length m
 * has after it, and text, the text it wrote, if not NULL; purged: no such
 * memo), else E_DB (not written, or nobody can say).  Logged. */
enum err db_memo_written(struct db *db, const char *hash, struct db_memo *m,
	    const char *text, int purged);

/* Which memos the session's user's trash holds, as one number (the ids'
 * XOR; 0 for none or no live session). */
enum err db_trash_key(struct db *db, const char *hash, uint64_t *key);
/* Empty the session's user's trash; *purged memos deleted for good.  With
 * shown > 0, only if it holds that many memos (the number the person
 * confirmed) and, with key not NULL, those memos (db_trash_key's number
 * when they were shown): otherwise E_PRECOND, nothing deleted, and *now
 * what it holds. */
enum err db_trash_empty(struct db *db, const char *hash, uint64_t shown,
	    const uint64_t *key, uint64_t *purged, uint64_t *now);

struct db_revision {
	uint64_t	 id;
	const char	*text;
	size_t		 text_len;
	char		 created_at[DB_STAMP_LEN];	/* when it was written */
};
/* A memo's earlier texts, newest first; E_NOTFOUND, E_UNAUTH. */
enum err db_revision_list(struct db *db, const char *hash, uint64_t memo_id,
	    struct db_list **out);
int	 db_revision_next(struct db_list *l, struct db_revision *r);

struct db_tag_count {
	const char	*name;
	uint64_t	 count;
};
/* The tags of the live memos, most used first, then by key. */
enum err db_tag_counts(struct db *db, const char *hash,
	    struct db_list **out);
int	 db_tag_next(struct db_list *l, struct db_tag_count *t);

/* ---- export and import (db_export.c) ---- */

/* A read-only transaction over one consistent snapshot, so that an export
 * made of several queries shows one moment; db_read_end ends it. */
enum err db_read_begin(struct db *db);
void	 db_read_end(struct db *db);
/* The user's live memos (trash 0) or trash (1), newest first by id, each
 * as many times as it has revisions (newest first): a batch of memos at a
 * time (EXPORT_BATCH, kept here), their revisions streamed beside them,
 * nothing sorted by the server, so that neither memory grows with the
 * number of memos or of revisions.  Then db_export_next until 0, then
 * db_export_close. */
struct db_export;
enum err db_export_open(struct db *db, const char *user_id, int trash,
	    struct db_export **out);
/* 1 and a row: the memo, and one of its revisions (rev->text NULL when it
 * has none); 0 at the end, -1 if the rows broke off (logged). */
int	 db_export_next(struct db_export *x, struct db_memo *m,
	    struct db_revision *rev);
/* Why they broke off, as db_list_err. */
enum err db_export_err(const struct db_export *x);
void	 db_export_close(struct db_export *x);
/* The user's live memos by created_at, newest first (db_memo_next). */
enum err db_export_by_date(struct db *db, const char *user_id,
	    struct db_list **out);

/* One memo of an import file, checked: times are SQL DATETIMEs
 * ("2026-11-24 13:45:00"). */
struct db_import_revision {
	const char	*text;
	size_t		 len;
	const char	*created_at;
};
struct db_import_memo {
	struct memo_text		 t;
	int				 pinned;
	const char			*created_at;
	const char			*updated_at;	/* NULL: never edited */
	const char			*deleted_at;	/* NULL: not in the trash */
	const struct db_import_revision	*rev;		/* oldest first */
	size_t				 nrev;
};
/* The memos of an import: next gives one (E_OK and a memo, E_OK and NULL
 * at the end); next_key the same with only t.text, t.len and created_at
 * (no search copy, tags or revisions: the duplicate check's first pass);
 * rewind goes back to the first, for the next pass or a transaction that
 * runs again (import.h: import_next, import_next_key, import_rewind). */
struct db_import_source {
	enum err	(*next)(void *arg, const struct db_import_memo **m);
	enum err	(*next_key)(void *arg, const struct db_import_memo **m);
	void		(*rewind)(void *arg);
	void		 *arg;
};
/*
 * Add the memos src gives to the user's, in one transaction: a memo whose
 * text and created_at equal one the user has (or one added before it) is
 * skipped (dupset.h: in time linear in the file, whatever its times).
 * E_CONFLICT while another import of theirs still runs (the account's
 * import lock, IMPORT_GATE), E_UNAUTH if the session (by its hash) has
 * ended by then: nothing is written.  Any failure, an error from next() included,
 * rolls everything back; a deadlock's victim runs again from the
 * first memo.
 */
enum err db_import(struct db *db, const char *session_hash,
	    const char *user_id,
	    const struct db_import_source *src, uint64_t *imported,
	    uint64_t *skipped);

/* ---- maintenance (db_maint.c), for memo-maint ---- */

/* Try to become the one maintenance run (a named lock held by this
 * connection); *got 0 if another instance holds it. */
enum err db_maint_lock(struct db *db, int *got);
/* Delete for good what has been in the trash over days days. */
enum err db_maint_purge(struct db *db, long days, uint64_t *purged);
/* Delete expired sessions (*sessions of them) and forget the login
 * states used over a day ago (*states): /auth forgets 100 a login, and
 * anyone can make one a request (schema/005). */
enum err db_maint_sweep(struct db *db, uint64_t *sessions, uint64_t *states);
/* The highest memo id (0: none); memos written later have copies, or
 * are left for the next run. */
enum err db_maint_top(struct db *db, uint64_t *top);
/* Memos written without a search copy (by the previous version, or before
 * migration 003) with an id in (after, upto]: up to max of them, in
 * order.  *n found. */
enum err db_maint_unindexed(struct db *db, uint64_t after, uint64_t upto,
	    uint64_t *ids, size_t max, size_t *n);
/* Read one memo's text for reindexing (any user, live or not). */
enum err db_maint_text(struct db *db, uint64_t id, struct db_memo *out);
/* Set its search copy and tags from t, its text at version, in one
 * transaction (run again if it was a deadlock's victim): unless it was
 * indexed or changed meanwhile (then *made is 0). */
enum err db_maint_reindex(struct db *db, uint64_t id, uint64_t version,
	    const struct memo_text *t, int *made);

#endif
