/* db_export.c - a user's memos out (export) and in (import). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mysqld_error.h>
#include "db_int.h"
#include "dupset.h"
#include "tags.h"

struct db_export {
	struct db		*db;
	char			 user_id[USER_MAX_ID + 1];
	int			 trash;
	unsigned long long	 before;	/* the next batch: ids below */
	int			 last;		/* this batch is the last */
	MYSQL_STMT		*memos;		/* this batch's, kept whole */
	struct db_row		 memo;		/* the one handed out */
	int			 memo_open;	/* its revisions being handed out */
	int			 memo_revs;	/* how many of them so far */
	unsigned long long	 ids[EXPORT_BATCH];	/* 0: none */
	struct db_list		*revs;		/* the batch's revisions */
	enum err		 err;		/* why the rows broke off */
};

/* The end of this batch's stored memos.  libmariadb's
 * mysql_stmt_free_result frees a stored result only while rows are left
 * to fetch (madb_reset_stmt: result_cursor); read to the end, the rows
 * would stay until the statement runs again, in a FastCGI process from one
 * export to the next (up to EXPORT_BATCH memos).  Rewound, they go now.
 * The revisions' statement is closed first: that free marks the
 * connection ready. */
static void
batch_memos_end(struct db_export *x)
{
	if (x->memos != NULL && mysql_stmt_num_rows(x->memos) > 0)
		mysql_stmt_data_seek(x->memos, 0);
	db_end(x->memos);
	x->memos = NULL;
}

/* This batch's memos, kept by the client (the revisions' statement runs
 * while they are handed out), their ids in x->ids. */
static enum err
batch_memos(struct db_export *x, size_t *n)
{
	MYSQL_BIND in[3];
	MYSQL_STMT *st;
	enum err e;
	int r = 0;

	*n = 0;
	bind_cstr(&in[0], x->user_id);
	bind_int(&in[1], &x->trash);
	bind_u64(&in[2], &x->before);
	if ((e = db_run(x->db, ST_EXPORT_MEMOS, in, &st)) != E_OK)
		return e;
	x->memos = st;
	if (mysql_stmt_store_result(st) != 0)
		return db_fail(x->db, st, db_what(ST_EXPORT_MEMOS));
	if ((e = row_bind(x->db, &x->memo, st)) != E_OK)
		return e;
	while (*n < EXPORT_BATCH && (r = row_fetch(&x->memo, st)) == 1)
		x->ids[(*n)++] = x->memo.id;
	if (r < 0)
		return db_fail(x->db, st, db_what(ST_EXPORT_MEMOS));
	/* Rewound only if there are rows: libmariadb's seek marks the
	 * statement as fetching, and one fetching with no rows stored is
	 * taken by its next mysql_stmt_execute for unread unbuffered rows,
	 * which it waits for on the socket until the read timeout (an
	 * export of no memos closed unread: handle()'s memo_json_init
	 * failing).  Without rows the stored result is at its end already. */
	if (*n > 0)
		mysql_stmt_data_seek(st, 0);
	return E_OK;
}

/* Start the next batch: its memos, then their revisions. */
static enum err
batch_open(struct db_export *x)
{
	MYSQL_BIND in[EXPORT_BATCH];
	MYSQL_STMT *st;
	size_t n;
	enum err e;

	db_list_close(x->revs);
	x->revs = NULL;
	batch_memos_end(x);
	memset(x->ids, 0, sizeof(x->ids));
	if ((e = batch_memos(x, &n)) != E_OK)
		return e;
	x->last = n < EXPORT_BATCH;
	if (n == 0)
		return E_OK;
	x->before = x->ids[n - 1];
	for (size_t i = 0; i < EXPORT_BATCH; i++)
		bind_u64(&in[i], &x->ids[i]);
	if ((e = db_run(x->db, ST_EXPORT_REVISIONS, in, &st)) != E_OK)
		return e;
	return list_start(x->db, st, NULL, &x->revs);
}

enum err
db_export_open(struct db *db, const char *user_id, int trash,
    struct db_export **out)
{
	struct db_export *x;
	enum err e;

	if ((*out = x = calloc(1, sizeof(*x))) == NULL)
		return E_NOMEM;
	x->db = db;
	(void)snprintf(x->user_id, sizeof(x->user_id), "%s", user_id);
	x->trash = trash != 0;
	x->before = ~0ULL;
	if ((e = batch_open(x)) != E_OK) {
		db_export_close(x);
		*out = NULL;
	}
	return e;
}

/* The next memo of the batches into x->memo: 1, 0 at the end, -1. */
static int
memo_next(struct db_export *x)
{
	int r;

	while ((r = x->memos != NULL ? row_fetch(&x->memo, x->memos) : 0) == 0 &&
	    !x->last)
		if ((x->err = batch_open(x)) != E_OK)
			return -1;
	if (r < 0)
		x->err = db_fail(x->db, x->memos, db_what(ST_EXPORT_MEMOS));
	return r;
}

/* The next revision of x->memo into rev: 1, or 0 when it has no more
 * (the next one, another memo's, kept for it), -1. */
static int
revision_next(struct db_export *x, struct db_revision *rev)
{
	const struct db_row *row;
	int r;

	while ((r = x->revs != NULL ? list_step(x->revs) : 0) == 1) {
		row = &x->revs->row;
		if (row->version > x->memo.id)
			continue;	/* of none of these memos */
		if (row->version < x->memo.id) {
			x->revs->pending = 1;
			return 0;
		}
		rev->id = row->id;
		rev->text = row->text;
		rev->text_len = row->text_len;
		stamp_format(rev->created_at, &row->created);
		return 1;
	}
	if (r < 0)
		x->err = db_list_err(x->revs);
	return r;
}

int
db_export_next(struct db_export *x, struct db_memo *m,
    struct db_revision *rev)
{
	int r;

	memset(rev, 0, sizeof(*rev));
	for (;;) {
		if (!x->memo_open) {
			if ((r = memo_next(x)) != 1)
				return r;
			x->memo_open = 1;
			x->memo_revs = 0;
		}
		row_memo(&x->memo, m);
		if ((r = revision_next(x, rev)) != 0) {
			x->memo_revs += r == 1;
			return r;
		}
		x->memo_open = 0;
		if (x->memo_revs == 0)
			return 1;	/* a memo without revisions */
	}
}

enum err
db_export_err(const struct db_export *x)
{
	return x->err != E_OK ? x->err : E_DB;
}

void
db_export_close(struct db_export *x)
{
	if (x == NULL)
		return;
	db_list_close(x->revs);
	batch_memos_end(x);
	row_free(&x->memo);
	free(x);
}

enum err
db_export_by_date(struct db *db, const char *user_id, struct db_list **out)
{
	return list_by(db, ST_EXPORT_MD, user_id, NULL, out);
}

/* Mark in ds the memos the user has written at created. */
static enum err
import_have_at(struct db *db, const char *user_id, const char *created,
    struct dupset *ds)
{
	MYSQL_BIND in[2];
	MYSQL_STMT *st;
	enum err e;
	int r = 0;

	bind_cstr(&in[0], user_id);
	bind_cstr(&in[1], created);
	if ((e = db_run(db, ST_IMPORT_HAVE, in, &st)) != E_OK)
		return e;
	if ((e = row_bind(db, &db->row, st)) == E_OK) {
		while ((r = row_fetch(&db->row, st)) == 1)
			dupset_have(ds, created, db->row.text,
			    db->row.text_len);
		if (r < 0)
			e = db_fail(db, st, db_what(ST_IMPORT_HAVE));
	}
	db_end(st);
	return e;
}

/* The set of the file's memos, those the user has marked (dupset.h's
 * steps 1 and 2). */
static enum err
import_dupset(struct db *db, const char *user_id,
    const struct db_import_source *src, struct dupset *ds)
{
	const struct db_import_memo *m;
	char created[DUPSET_TIME_LEN];
	enum err e;
	size_t n;

	src->rewind(src->arg);
	while ((e = src->next_key(src->arg, &m)) == E_OK && m != NULL)
		if ((e = dupset_add(ds, m->created_at, m->t.text,
		    m->t.len)) != E_OK)
			return e;
	if (e != E_OK)
		return e;
	n = dupset_times(ds);
	for (size_t i = 0; i < n && e == E_OK; i++) {
		dupset_time(ds, i, created);
		e = import_have_at(db, user_id, created, ds);
	}
	return e;
}

static void
bind_opt(MYSQL_BIND *b, const char *s)
{
	if (s != NULL)
		bind_cstr(b, s);
	else
		bind_null(b);
}

/* What an import writes after each memo's row, gathered (db_batch.c),
 * written in this order. */
enum { ROWS_SEARCH, ROWS_TAGS, ROWS_REVS, ROWS__COUNT };
struct import_rows {
	struct db_batch	 b[ROWS__COUNT];
};

/* Store one memo of the file; its search copy, tags and revisions go
 * into rows, written with others'. */
static enum err
import_store(struct db *db, const char *user_id,
    const struct db_import_memo *m, struct import_rows *rows)
{
	MYSQL_BIND in[6];
	unsigned long long id;
	int pinned = m->pinned != 0;
	const struct tag_list *t = m->t.tags;
	enum err e;

	bind_cstr(&in[0], user_id);
	bind_str(&in[1], m->t.text, m->t.len);
	bind_int(&in[2], &pinned);
	bind_cstr(&in[3], m->created_at);
	bind_opt(&in[4], m->updated_at);
	bind_opt(&in[5], m->deleted_at);
	if ((e = db_exec(db, ST_IMPORT_MEMO, in, NULL)) != E_OK)
		return e;
	id = (unsigned long long)mysql_insert_id(db->conn);
	if ((e = db_batch_add(db, &rows->b[ROWS_SEARCH], id, m->t.search,
	    m->t.search_len, NULL, 0)) != E_OK)
		return e;
	for (size_t i = 0; t != NULL && i < t->n; i++)
		if ((e = db_batch_add(db, &rows->b[ROWS_TAGS], id, t->tag[i].key,
		    strlen(t->tag[i].key), t->tag[i].name,
		    strlen(t->tag[i].name))) != E_OK)
			return e;
	for (size_t i = 0; i < m->nrev; i++)
		if ((e = db_batch_add(db, &rows->b[ROWS_REVS], id, m->rev[i].text,
		    m->rev[i].len, m->rev[i].created_at,
		    strlen(m->rev[i].created_at))) != E_OK)
			return e;
	return E_OK;
}

struct import {
	const char			*session_hash;
	const char			*user_id;
	const struct db_import_source	*src;
	uint64_t			*imported, *skipped;
	struct import_rows		*rows;
};

/* db_txn's body.  It starts from the first memo: run again after a
 * deadlock, the first run has used the source up (and its rows not
 * written yet are forgotten). */
static enum err
import_all(struct db *db, void *arg)
{
	const struct import *a = arg;
	struct import_rows *rows = a->rows;
	const struct db_import_memo *m;
	struct dupset *ds = NULL;
	MYSQL_BIND in[2];
	enum err e;

	*a->imported = *a->skipped = 0;
	for (size_t i = 0; i < ROWS__COUNT; i++)
		db_batch_reset(&rows->b[i]);
	bind_cstr(&in[0], a->user_id);
	bind_cstr(&in[1], a->session_hash);
	if ((e = db_exists(db, ST_IMPORT_LOCK, in, E_UNAUTH)) != E_OK ||
	    (e = dupset_new(&ds)) != E_OK ||
	    (e = import_dupset(db, a->user_id, a->src, ds)) != E_OK)
		goto out;
	a->src->rewind(a->src->arg);
	while ((e = a->src->next(a->src->arg, &m)) == E_OK && m != NULL) {
		if (dupset_take(ds, m->created_at, m->t.text, m->t.len)) {
			(*a->skipped)++;
			continue;
		}
		if ((e = import_store(db, a->user_id, m, rows)) != E_OK)
			goto out;
		(*a->imported)++;
	}
	for (size_t i = 0; i < ROWS__COUNT && e == E_OK; i++)
		e = db_batch_flush(db, &rows->b[i]);
out:
	dupset_free(ds);
	return e;
}

enum err
db_import(struct db *db, const char *session_hash, const char *user_id,
    const struct db_import_source *src, uint64_t *imported, uint64_t *skipped)
{
	struct import_rows rows;
	struct import a = { session_hash, user_id, src, imported, skipped,
	    &rows };
	MYSQL_BIND in[1];
	int got;
	enum err e;

	*imported = *skipped = 0;
	bind_cstr(&in[0], user_id);
	/* Bounded, an import that waited (for a withdrawal, say) and gave up
	 * gives its gate back before it answers: a retry is served, not
	 * refused as "another import running" for up to 50 s. */
	if ((e = db_lock_wait_bounded(db)) != E_OK ||
	    (e = db_named_lock(db, ST_IMPORT_GATE, in, &got)) != E_OK)
		return e;
	if (!got)
		return E_CONFLICT;
	db_batch_init(&rows.b[ROWS_SEARCH], ST_IMPORT_SEARCH,
	    ST_IMPORT_SEARCHES, user_id, 1);
	db_batch_init(&rows.b[ROWS_TAGS], ST_IMPORT_TAG, ST_IMPORT_TAGS,
	    user_id, 2);
	db_batch_init(&rows.b[ROWS_REVS], ST_IMPORT_REVISION,
	    ST_IMPORT_REVISIONS, NULL, 2);
	if ((e = db_txn(db, import_all, &a)) != E_OK)
		*imported = *skipped = 0;
	for (size_t i = 0; i < ROWS__COUNT; i++)
		db_batch_free(&rows.b[i]);
	/* Given back whatever came of it (a FastCGI process keeps its
	 * connection), before the answer goes: a retry must find it free.  A
	 * connection that failed is closed, and with it the lock, once the
	 * server sees it go; a lock wait that timed out (1205) leaves the
	 * connection sound, and is what a retry follows at once. */
	if (!db->failed || db->last_error == ER_LOCK_WAIT_TIMEOUT)
		(void)db_exec(db, ST_IMPORT_GATE_END, in, NULL);
	return e;
}
