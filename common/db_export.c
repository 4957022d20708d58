/* db_export.c - a user's memos out (export) and in (import). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_int.h"
#include "tags.h"

struct db_export {
	struct db		*db;
	char			 user_id[USER_MAX_ID + 1];
	int			 trash;
	unsigned long long	 before;	/* the next batch: ids below */
	int			 last;		/* this batch is the last */
	struct db_list		*l;		/* this batch's rows */
	enum err		 err;		/* why the next would not start */
};

/* The lowest id of the next batch (of all the user's memos: a batch of
 * the live ones or of the trash holds at most that many); 0 if the rest
 * fits in one. */
static enum err
batch_low(struct db_export *x, unsigned long long *low)
{
	MYSQL_BIND in[2], res[1];
	MYSQL_STMT *st;
	enum err e;
	int r;

	*low = 0;
	bind_cstr(&in[0], x->user_id);
	bind_u64(&in[1], &x->before);
	if ((e = db_run(x->db, ST_EXPORT_BOUND, in, &st)) != E_OK)
		return e;
	bind_u64(&res[0], low);
	if (mysql_stmt_bind_result(st, res) != 0 ||
	    ((r = mysql_stmt_fetch(st)) != 0 && r != MYSQL_NO_DATA))
		e = db_fail(x->db, st, db_what(ST_EXPORT_BOUND));
	db_end(st);
	return e;
}

/* Start the next batch: the memos from the next bound to x->before. */
static enum err
batch_open(struct db_export *x)
{
	MYSQL_BIND in[4];
	unsigned long long low;
	MYSQL_STMT *st;
	enum err e;

	if ((e = batch_low(x, &low)) != E_OK)
		return e;
	bind_cstr(&in[0], x->user_id);
	bind_int(&in[1], &x->trash);
	bind_u64(&in[2], &x->before);
	bind_u64(&in[3], &low);
	if ((e = db_run(x->db, ST_EXPORT, in, &st)) != E_OK)
		return e;
	x->before = low;
	x->last = low == 0;
	return list_start_revisions(x->db, st, &x->l);
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

int
db_export_next(struct db_export *x, struct db_memo *m,
    struct db_revision *rev)
{
	int r;

	while ((r = list_step(x->l)) == 0 && !x->last) {
		db_list_close(x->l);
		x->l = NULL;
		if ((x->err = batch_open(x)) != E_OK)
			return -1;
	}
	if (r != 1)
		return r;
	row_memo(&x->l->row, m);
	memset(rev, 0, sizeof(*rev));
	if (!x->l->row.rev_null) {
		rev->id = x->l->row.rev_id;
		rev->text = x->l->row.rev_text;
		rev->text_len = x->l->row.rev_len;
		stamp_format(rev->created_at, &x->l->row.rev_created);
	}
	return 1;
}

enum err
db_export_err(const struct db_export *x)
{
	if (x->err != E_OK)
		return x->err;
	return x->l != NULL ? db_list_err(x->l) : E_DB;
}

void
db_export_close(struct db_export *x)
{
	if (x == NULL)
		return;
	db_list_close(x->l);
	free(x);
}

enum err
db_export_by_date(struct db *db, const char *user_id, struct db_list **out)
{
	return list_by(db, ST_EXPORT_MD, user_id, NULL, out);
}

/* *dup: whether the user has a memo with m's text and created_at. */
static enum err
import_is_duplicate(struct db *db, const char *user_id,
    const struct db_import_memo *m, int *dup)
{
	MYSQL_BIND in[3];
	enum err e;

	bind_cstr(&in[0], user_id);
	bind_cstr(&in[1], m->created_at);
	bind_str(&in[2], m->t.text, m->t.len);
	e = db_exists(db, ST_IMPORT_DUP, in, E_NOTFOUND);
	*dup = e == E_OK;
	return e == E_NOTFOUND ? E_OK : e;
}

static void
bind_opt(MYSQL_BIND *b, const char *s)
{
	if (s != NULL)
		bind_cstr(b, s);
	else
		bind_null(b);
}

/* Store one memo of the file with its search copy, tags and revisions. */
static enum err
import_store(struct db *db, const char *user_id,
    const struct db_import_memo *m)
{
	MYSQL_BIND in[6];
	unsigned long long id;
	int pinned = m->pinned != 0;
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
	bind_str(&in[0], m->t.search, m->t.search_len);
	bind_u64(&in[1], &id);
	if ((e = db_exec(db, ST_SEARCH_INSERT, in, NULL)) != E_OK ||
	    (e = tags_store(db, &id, m->t.tags)) != E_OK)
		return e;
	for (size_t i = 0; i < m->nrev; i++) {
		bind_u64(&in[0], &id);
		bind_str(&in[1], m->rev[i].text, m->rev[i].len);
		bind_cstr(&in[2], m->rev[i].created_at);
		if ((e = db_exec(db, ST_IMPORT_REVISION, in, NULL)) != E_OK)
			return e;
	}
	return E_OK;
}

struct import {
	const char			*session_hash;
	const char			*user_id;
	const struct db_import_source	*src;
	uint64_t			*imported, *skipped;
};

/* db_txn's body.  It starts from the first memo: run again after a
 * deadlock, the first run has used the source up. */
static enum err
import_all(struct db *db, void *arg)
{
	const struct import *a = arg;
	const struct db_import_memo *m;
	MYSQL_BIND in[2];
	enum err e;
	int dup;

	*a->imported = *a->skipped = 0;
	bind_cstr(&in[0], a->user_id);
	bind_cstr(&in[1], a->session_hash);
	if ((e = db_lock_refused(db, db_exists(db, ST_IMPORT_LOCK, in,
	    E_UNAUTH))) != E_OK)
		return e;
	a->src->rewind(a->src->arg);
	while ((e = a->src->next(a->src->arg, &m)) == E_OK && m != NULL) {
		if ((e = import_is_duplicate(db, a->user_id, m, &dup)) != E_OK)
			return e;
		if (dup) {
			(*a->skipped)++;
			continue;
		}
		if ((e = import_store(db, a->user_id, m)) != E_OK)
			return e;
		(*a->imported)++;
	}
	return e;
}

enum err
db_import(struct db *db, const char *session_hash, const char *user_id,
    const struct db_import_source *src, uint64_t *imported, uint64_t *skipped)
{
	struct import a = { session_hash, user_id, src, imported, skipped };
	enum err e = db_txn(db, import_all, &a);

	if (e != E_OK)
		*imported = *skipped = 0;
	return e;
}
