/*
 * db_int.h - what the db*.c files share, and nothing outside them sees:
 * the handle, the statement table's names, and the helpers that prepare,
 * bind, execute and fetch.
 */
#ifndef MEMO_DB_INT_H
#define MEMO_DB_INT_H

#include <mysql.h>
#include "buf.h"
#include "db.h"
#include "tags.h"

#define EXPORT_BATCH	200	/* memos per query of an export */

/* How much of the server's reason for failure n the log may hold: all of
 * it, but only the part before the first quote (at most 200 bytes) for
 * the errors that quote the row's values (a memo's bytes, a person's id),
 * which are the person's data, not a diagnosis. */
int	db_reason_len(unsigned int n, const char *msg);

/* Every statement (db_stmt.def: its SQL there, the table in db.c). */
enum stmt {
#define STMT(name, what, sql)	ST_ ## name,
#include "db_stmt.def"
#undef STMT
	ST__COUNT
};

/* The columns of a memo row, in the order struct db_row binds them
 * (updated_at is NULL until the text is edited: row_memo says created_at
 * then). */
#define MEMO_LIST_COLS \
	"m.id, m.text, m.created_at, m.updated_at, m.pinned"
#define MEMO_COLS	MEMO_LIST_COLS ", m.deleted_at, m.version"

/* A result row: up to seven columns, memo-shaped (others bind a prefix:
 * a revision is id, text, created; a tag count is id=count, text=name),
 * or eight: a memo and its search copy. */
struct db_row {
	MYSQL_BIND		 res[8];
	unsigned long long	 id;
	char			*text;
	size_t			 cap;
	unsigned long		 text_len;
	MYSQL_TIME		 created, updated, deleted;
	my_bool			 deleted_null, updated_null;
	signed char		 pinned;
	unsigned long long	 version;
	int			 with_body;	/* a search's copy too */
	char			*body;
	size_t			 body_cap;
	unsigned long		 body_len;
};

struct db {
	MYSQL		*conn;
	MYSQL_STMT	*st[ST__COUNT];
	int		 failed;	/* something failed: do not reuse */
	unsigned int	 last_error;	/* the server's, since the last BEGIN */
	int		 commit_unknown; /* the last COMMIT sent, answer lost */
	unsigned int	 read_timeout;	/* DB_READ_TIMEOUT, seconds */
	char		*opened_with;	/* the connection settings, joined */
	struct db_row	 row;		/* single-row answers */
};

/* The values a memo list's parameters point at. */
struct list_vals {
	unsigned long long	 before, limit;
	int			 trash, pin_lo, pin_hi;
};

/*
 * A memo list filtered as it streams (db_memo.c), by tag or by the search
 * words past the statement's: the statement runs again for the next
 * batch, from the last row read, until `want` rows passed or a batch came
 * back short.  With a tag, each row's tags are parsed into tl, which the
 * memo then carries to its JSON.
 */
struct list_batch {
	enum stmt		 k;
	MYSQL_BIND		 in[16];
	struct list_vals	 v;
	const struct tag_filter	*tag;		/* or NULL */
	const struct fold_query	*q;		/* words left to C, or NULL */
	struct tag_list		 tl;
	unsigned long long	 asked;		/* rows the list asked for */
	unsigned long long	 want;		/* rows still to hand out */
	unsigned long long	 want0;		/* want as this batch began */
	unsigned long long	 read;		/* rows read in this batch */
	unsigned long long	 seen;		/* rows read in earlier ones */
};

struct db_list {
	struct db		*db;
	MYSQL_STMT		*st;
	struct db_row		 row;
	int			 pending;	/* a fetched row not yet handed out */
	int			 done;
	enum err		 err;		/* why the rows broke off */
	struct list_batch	*batch;		/* NULL: the rows as they come */
	/* Frees batch: db_memo.c's, so that the programs that list no memo
	 * do not link the tag parser through db.c. */
	void			(*batch_free)(struct list_batch *);
};

/* Log a failure, mark the handle failed, and say what it means. */
enum err db_fail(struct db *db, MYSQL_STMT *st, const char *what);
/* db_fail, where the server's error `answer` (0: none) is an answer:
 * E_NOTFOUND then, not logged, the connection kept (db_exec_or). */
enum err db_fail_or(struct db *db, MYSQL_STMT *st, const char *what,
	    unsigned int answer);
/* Prepare (once), bind and execute statement k; end it with db_end. */
enum err db_run(struct db *db, enum stmt k, MYSQL_BIND *in,
	    MYSQL_STMT **out);
void	 db_end(MYSQL_STMT *st);
/* Run statement k, a GET_LOCK(name, 0): *got 1 if this connection now
 * holds the lock, 0 if another does; E_DB if the server answered NULL. */
enum err db_named_lock(struct db *db, enum stmt k, MYSQL_BIND *in, int *got);
/* Run statement k for whether it finds a row: E_OK if it does, `none` if
 * not (or the failure). */
enum err db_exists(struct db *db, enum stmt k, MYSQL_BIND *in,
	    enum err none);
/* Run a statement that returns no rows; *affected may be NULL. */
enum err db_exec(struct db *db, enum stmt k, MYSQL_BIND *in,
	    uint64_t *affected);
/* db_exec of statement k, for which the server's error n is an answer:
 * E_NOTFOUND then, not logged, the connection kept. */
enum err db_exec_or(struct db *db, enum stmt k, MYSQL_BIND *in,
	    unsigned int n);
/* The same with one string parameter. */
enum err db_exec_str(struct db *db, enum stmt k, const char *param,
	    uint64_t *affected);
/* The statement's name, for log lines. */
const char *db_what(enum stmt k);

/*
 * One write transaction: begin, body(db, arg), commit; any failure rolls
 * it back and is returned.  A deadlock's victim (1213: InnoDB rolled all
 * of it back) runs again from the begin, three times in all, so the body
 * starts from nothing each time: it resets what it returns and reads anew
 * what it checks (an If-Match, an import's first memo).  What the body
 * returns besides E_OK is returned after the rollback (E_PRECOND with the
 * memo it read, for one).
 */
typedef enum err (*db_txn_body)(struct db *db, void *arg);
enum err db_txn(struct db *db, db_txn_body body, void *arg);
/* This connection's lock waits from now on end on the server (1205,
 * 503) before the client's read timeout would end them (two seconds
 * before, one if DB_READ_TIMEOUT is 3 or less), not after
 * innodb_lock_wait_timeout (50 s by default): a request that gave up
 * left its statement waiting, and what its transaction held (an
 * import's lock too) held, long after its 503. */
enum err db_lock_wait_bounded(struct db *db);
/* This connection's transactions from now on: READ COMMITTED (on), or
 * back to REPEATABLE READ, the server's default. */
enum err db_read_committed(struct db *db, int on);
/* db_exec of a write that is a transaction of its own (autocommit), run
 * again as a deadlock's victim, which rolled all of it back. */
enum err db_exec_alone(struct db *db, enum stmt k, MYSQL_BIND *in,
	    uint64_t *affected);
/* The first column of statement k's one row, an id or a COUNT(*); 0 for
 * no row. */
enum err db_row_id(struct db *db, enum stmt k, MYSQL_BIND *in, uint64_t *id);

void	 bind_str(MYSQL_BIND *b, const char *s, size_t len);
void	 bind_cstr(MYSQL_BIND *b, const char *s);
void	 bind_u64(MYSQL_BIND *b, unsigned long long *v);
void	 bind_int(MYSQL_BIND *b, int *v);
void	 bind_time(MYSQL_BIND *b, MYSQL_TIME *t);
void	 bind_null(MYSQL_BIND *b);

/* Result rows: bind r to st's columns (as many as st has, up to
 * eight); fetch the next row (1, 0 at the end, -1 on error), growing r's
 * text buffers as needed. */
enum err row_bind(struct db *db, struct db_row *r, MYSQL_STMT *st);
int	 row_fetch(struct db_row *r, MYSQL_STMT *st);
void	 row_free(struct db_row *r);
/* The memo in r (text pointing into r). */
void	 row_memo(const struct db_row *r, struct db_memo *m);
/* "2026-11-24T13:45:00Z" from a DATETIME. */
void	 stamp_format(char out[DB_STAMP_LEN], const MYSQL_TIME *t);
/* Now, as a DATETIME parameter ("2026-11-24 13:45:00") and for answers. */
enum err stamp_now(char sql[20], char iso[DB_STAMP_LEN]);

/* The one memo row of statement k, just run as st, into db->row and out;
 * E_NOTFOUND if there is none.  Ends st. */
enum err memo_row_one(struct db *db, enum stmt k, MYSQL_STMT *st,
	    struct db_memo *out);
/* A list over statement k run with one string parameter (hash: as for
 * list_start). */
enum err list_by(struct db *db, enum stmt k, const char *param,
	    const char *hash, struct db_list **out);

/* Rows of one table written DB_BATCH_ROWS a statement (db_batch.c): a
 * row is a memo's id, user_id if not NULL, then strs (1 or 2) strings;
 * statement many takes DB_BATCH_ROWS rows, one takes one. */
#define DB_BATCH_ROWS	32	/* db_stmt.def's ROWS_32 */
#define DB_BATCH_BYTES	((size_t)1 << 20)	/* or fewer, a megabyte */
struct db_batch_row {
	unsigned long long	 id;
	size_t			 at[2], len[2];		/* in bytes */
};
struct db_batch {
	enum stmt		 one, many;
	const char		*user_id;
	unsigned int		 strs;
	size_t			 n;
	struct db_batch_row	 row[DB_BATCH_ROWS];
	struct buf		 bytes;			/* the rows' strings */
};
void	 db_batch_init(struct db_batch *b, enum stmt one, enum stmt many,
	    const char *user_id, unsigned int strs);
/* A row (its strings copied); a full batch is written at once. */
enum err db_batch_add(struct db *db, struct db_batch *b,
	    unsigned long long id, const char *s0, size_t len0,
	    const char *s1, size_t len1);
/* Write the rows gathered (one a statement: fewer than a batch). */
enum err db_batch_flush(struct db *db, struct db_batch *b);
/* Forget the rows gathered (a transaction that runs again). */
void	 db_batch_reset(struct db_batch *b);
void	 db_batch_free(struct db_batch *b);

/* Store a memo's tags (its rows in memo_tag are gone or never were). */
enum err tags_store(struct db *db, unsigned long long *id,
	    const struct tag_list *t);

/* A list over statement st's rows; *out is owned by the
 * caller (db_list_close).  On E_OK the first row has been fetched: if there
 * is none, check names the session to tell an empty list from none. */
enum err list_start(struct db *db, MYSQL_STMT *st, const char *hash,
	    struct db_list **out);
/* The step of every list: the next row into l->row; 1, 0 at the end, -1. */
int	 list_step(struct db_list *l);

#endif
