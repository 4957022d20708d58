/*
 * db.h - every query the service makes, through the libmysqlclient API.
 *
 * Each function is one statement (or one transaction) with every value bound
 * as a prepared-statement parameter: no SQL text is ever built from input.
 * On a kept connection (db_keep_statements) each statement is prepared once
 * and then only executed: one round trip per query.
 * Sessions are addressed by the hex SHA-256 of their id (see sess.h).
 * Failures to reach the server map to E_DB (503); other failures, which
 * mean a bug or a broken schema, to E_INTERNAL.
 */
#ifndef MEMO_DB_H
#define MEMO_DB_H

#include <stddef.h>
#include <mysql.h>
#include "cfg.h"
#include "err.h"

#define MEMO_MAX_TEXT	65536		/* bytes of UTF-8 in one memo */
#define USER_MAX_ID	128
#define USER_MAX_NAME	255		/* bytes, cut on a character */

/* Connect with the configured timeouts, utf8mb4, TCP or unix socket. */
enum err db_open(MYSQL **out, const struct cfg *cfg);
void	 db_close(MYSQL *db);
/* Keep this connection's prepared statements for reuse until db_close:
 * for a connection that serves many requests (FastCGI).  One at a time. */
void	 db_keep_statements(MYSQL *db);
/* One round trip that proves the server answers. */
enum err db_ping(MYSQL *db);

/* The name of the user holding a live session; E_UNAUTH if none. */
enum err db_session_name(MYSQL *db, const char *hash, char *name,
	    size_t namelen);
/* In one transaction: upsert the user, drop the browser's previous session
 * (old_hash may be NULL), create the new one for max_age seconds.  Then
 * sweep a batch of expired sessions. */
enum err db_login(MYSQL *db, const char *user_id, const char *name,
	    const char *new_hash, const char *old_hash, long max_age);
enum err db_session_delete(MYSQL *db, const char *hash);

struct db_memo {
	unsigned long long	 id;
	const char		*text;
	size_t			 text_len;
	char			 created_at[24];	/* 2026-11-24T13:45:00Z */
};

/* Store a memo for the session's user; E_UNAUTH if the session is not
 * live.  Fills out (text points at the caller's text). */
enum err db_memo_insert(MYSQL *db, const char *hash, const char *text,
	    size_t len, struct db_memo *out);

/* A memo list streamed row by row from the server (constant memory). */
struct db_memo_list {
	MYSQL_STMT		*stmt;
	MYSQL_BIND		 res[3];
	unsigned long long	 id;
	char			*text;
	size_t			 text_cap;
	unsigned long		 text_len;
	MYSQL_TIME		 created;
	int			 pending;	/* a fetched row not yet read */
};

/*
 * Start listing the session's memos, newest first: only ids below `before`
 * (0: no bound), at most `limit` (0: all).  E_UNAUTH if the session is not
 * live; on E_OK call db_memo_list_next until it returns 0, then close.
 */
enum err db_memo_list_open(MYSQL *db, const char *hash,
	    unsigned long long before, unsigned long long limit,
	    struct db_memo_list *it);
/* 1 and a row, 0 at the end, -1 on error (logged). */
int	 db_memo_list_next(struct db_memo_list *it, struct db_memo *row);
void	 db_memo_list_close(struct db_memo_list *it);

#endif
