/* db_export.c - a user's memos out (export) and in (import). */
#include <string.h>
#include "db_int.h"
#include "tags.h"

enum err
db_export_list(struct db *db, const char *user_id, int trash,
    struct db_list **out)
{
	MYSQL_BIND in[2];
	MYSQL_STMT *st;
	int t = trash != 0;
	enum err e;

	bind_cstr(&in[0], user_id);
	bind_int(&in[1], &t);
	if ((e = db_run(db, ST_EXPORT, in, &st)) != E_OK)
		return e;
	return list_start_revisions(db, st, out);
}

int
db_export_next(struct db_list *l, struct db_memo *m, struct db_revision *rev)
{
	int r = list_step(l);

	if (r != 1)
		return r;
	row_memo(&l->row, m);
	memset(rev, 0, sizeof(*rev));
	if (!l->row.rev_null) {
		rev->id = l->row.rev_id;
		rev->text = l->row.rev_text;
		rev->text_len = l->row.rev_len;
		stamp_format(rev->created_at, &l->row.rev_created);
	}
	return 1;
}

enum err
db_export_by_date(struct db *db, const char *user_id, struct db_list **out)
{
	MYSQL_BIND in[1];
	MYSQL_STMT *st;
	enum err e;

	bind_cstr(&in[0], user_id);
	if ((e = db_run(db, ST_EXPORT_MD, in, &st)) != E_OK)
		return e;
	return list_start(db, st, NULL, out);
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

enum err
db_import(struct db *db, const char *user_id,
    enum err (*next)(void *arg, const struct db_import_memo **m), void *arg,
    uint64_t *imported, uint64_t *skipped)
{
	const struct db_import_memo *m;
	enum err e;
	int dup;

	*imported = *skipped = 0;
	if ((e = db_begin(db)) != E_OK)
		return e;
	while ((e = next(arg, &m)) == E_OK && m != NULL) {
		if ((e = import_is_duplicate(db, user_id, m, &dup)) != E_OK)
			break;
		if (dup) {
			(*skipped)++;
			continue;
		}
		if ((e = import_store(db, user_id, m)) != E_OK)
			break;
		(*imported)++;
	}
	if (e == E_OK)
		e = db_commit(db);
	if (e != E_OK) {
		db_rollback(db);
		*imported = *skipped = 0;
	}
	return e;
}
