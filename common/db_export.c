/* db_export.c - a user's memos out (export) and in (import). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_int.h"
#include "dupset.h"
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
	struct dupset *ds = NULL;
	MYSQL_BIND in[2];
	enum err e;

	*a->imported = *a->skipped = 0;
	bind_cstr(&in[0], a->user_id);
	bind_cstr(&in[1], a->session_hash);
	if ((e = db_lock_refused(db, db_exists(db, ST_IMPORT_LOCK, in,
	    E_UNAUTH))) != E_OK ||
	    (e = dupset_new(&ds)) != E_OK ||
	    (e = import_dupset(db, a->user_id, a->src, ds)) != E_OK)
		goto out;
	a->src->rewind(a->src->arg);
	while ((e = a->src->next(a->src->arg, &m)) == E_OK && m != NULL) {
		if (dupset_take(ds, m->created_at, m->t.text, m->t.len)) {
			(*a->skipped)++;
			continue;
		}
		if ((e = import_store(db, a->user_id, m)) != E_OK)
			goto out;
		(*a->imported)++;
	}
out:
	dupset_free(ds);
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
