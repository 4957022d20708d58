/* db_memo.c - memos, their revisions, tags and trash. */
#include <stdlib.h>
#include <string.h>
#include <mysqld_error.h>
#include "db_int.h"
#include "fold.h"
#include "log.h"
#include "tags.h"
#include "utf8.h"

enum err
tags_store(struct db *db, unsigned long long *id, const struct tag_list *t)
{
	MYSQL_BIND in[3];
	enum err e;

	for (size_t i = 0; t != NULL && i < t->n; i++) {
		bind_cstr(&in[0], t->tag[i].key);
		bind_cstr(&in[1], t->tag[i].name);
		bind_u64(&in[2], id);
		if ((e = db_exec(db, ST_TAG_INSERT, in, NULL)) != E_OK)
			return e;
	}
	return E_OK;
}

/* The tag of l keyed key, or NULL. */
static const struct tag *
tag_by_key(const struct tag_list *l, const char *key)
{
	for (size_t i = 0; l != NULL && i < l->n; i++)
		if (strcmp(l->tag[i].key, key) == 0)
			return &l->tag[i];
	return NULL;
}

/* Rewrite a memo's tags from old (its text's, which memo_tag holds) to
 * new, each row by its key: the old ones new lacks deleted, a name
 * written otherwise renamed, the new ones inserted.  Not one DELETE of
 * every tag then an INSERT of each: that DELETE's scan locked the gap up
 * to the next memo's first tag, and two people editing neighbouring memos
 * at once each waited to insert into the other's gap (1213, a 503;
 * test_load writes_at_once).  A row found by its whole key locks no gap,
 * and an edit that keeps some tags sends fewer statements. */
static enum err
tags_rewrite(struct db *db, unsigned long long *id, const struct tag_list *old,
    const struct tag_list *new)
{
	const struct tag *o;
	MYSQL_BIND in[3];
	enum err e;

	for (size_t i = 0; i < old->n; i++) {
		if (tag_by_key(new, old->tag[i].key) != NULL)
			continue;
		bind_u64(&in[0], id);
		bind_cstr(&in[1], old->tag[i].key);
		if ((e = db_exec(db, ST_TAG_DROP, in, NULL)) != E_OK)
			return e;
	}
	for (size_t i = 0; new != NULL && i < new->n; i++) {
		if ((o = tag_by_key(old, new->tag[i].key)) == NULL) {
			bind_cstr(&in[0], new->tag[i].key);
			bind_cstr(&in[1], new->tag[i].name);
			bind_u64(&in[2], id);
			e = db_exec(db, ST_TAG_INSERT, in, NULL);
		} else if (strcmp(o->name, new->tag[i].name) != 0) {
			bind_cstr(&in[0], new->tag[i].name);
			bind_u64(&in[1], id);
			bind_cstr(&in[2], new->tag[i].key);
			e = db_exec(db, ST_TAG_RENAME, in, NULL);
		} else
			e = E_OK;
		if (e != E_OK)
			return e;
	}
	return E_OK;
}

struct memo_insert {
	const char		*hash;
	const struct memo_text	*t;
	int			 pinned;
	struct db_memo		*out;
};

static enum err
memo_insert(struct db *db, void *arg)
{
	struct memo_insert *a = arg;
	struct db_memo *out = a->out;
	MYSQL_BIND in[4];
	char stamp[20];
	unsigned long long id;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = stamp_now(stamp, out->created_at)) != E_OK)
		return e;
	bind_cstr(&in[0], a->hash);
	bind_str(&in[1], a->t->text, a->t->len);
	bind_int(&in[2], &a->pinned);
	bind_cstr(&in[3], stamp);
	if ((e = db_exec_or(db, ST_MEMO_INSERT, in, ER_BAD_NULL_ERROR)) != E_OK)
		return e == E_NOTFOUND ? E_UNAUTH : e;
	id = (unsigned long long)mysql_insert_id(db->conn);
	bind_str(&in[0], a->t->search, a->t->search_len);
	bind_u64(&in[1], &id);
	if ((e = db_exec(db, ST_SEARCH_INSERT, in, NULL)) != E_OK ||
	    (e = tags_store(db, &id, a->t->tags)) != E_OK)
		return e;
	out->id = id;
	out->text = a->t->text;
	out->text_len = a->t->len;
	memcpy(out->updated_at, out->created_at, DB_STAMP_LEN);
	out->pinned = a->pinned;
	return E_OK;
}

enum err
db_memo_insert(struct db *db, const char *hash, const struct memo_text *t,
    int pinned, struct db_memo *out)
{
	struct memo_insert a = { hash, t, pinned, NULL };

	a.out = out;	/* not in the initializer: cppcheck takes it for a read */
	return db_txn(db, memo_insert, &a);
}

/* 1 if the search has words the statement has no room for. */
static int
words_left(const struct db_filter *f)
{
	return f->q != NULL && f->q->nwords > f->q->nterms;
}

/* The statement for a list's filters (count: the count of them), and its
 * parameters in in[] (which point at v).  The tag is left out: a list
 * filters by it as it streams, a count (tagged) binds it after these. */
static enum stmt
list_params(const char *hash, const struct db_filter *f, int count,
    MYSQL_BIND *in, struct list_vals *v, MYSQL_BIND **next)
{
	MYSQL_BIND *b = in;
	enum stmt k;

	v->before = f->before ? f->before : ~0ULL;
	v->limit = f->limit ? f->limit : ~0ULL;
	v->trash = f->trash != 0;
	v->pin_lo = f->pinned < 0 ? 0 : f->pinned;
	v->pin_hi = f->pinned < 0 ? 1 : f->pinned;
	bind_cstr(b++, hash);
	bind_u64(b++, &v->before);
	if (f->q != NULL) {
		bind_int(b++, &v->trash);
		k = words_left(f) ? ST_MEMO_FIND_BODY : ST_MEMO_FIND;
	} else if (count)
		k = f->trash ? ST_MEMO_TRASH_COUNT : ST_MEMO_LIVE_COUNT;
	else if (f->trash)
		k = ST_MEMO_TRASH;
	else if (f->pinned < 0)
		k = ST_MEMO_LIVE;	/* the page's plain list */
	else {
		bind_int(b++, &v->pin_lo);
		k = ST_MEMO_PINNED;
	}
	if (k != ST_MEMO_LIVE && k != ST_MEMO_PINNED) {
		bind_int(b++, &v->pin_lo);
		bind_int(b++, &v->pin_hi);
	}
	/* Unused words match anything: "%". */
	for (size_t i = 0; f->q != NULL && i < FOLD_SQL_TERMS; i++)
		bind_cstr(b++, i < f->q->nterms ? f->q->pattern[i] : "%");
	*next = b;
	return k;
}

/* A tag-filtered list's first batch: as many rows as it asks for, at
 * least 32; each next one four times the last, up to 4096 (a rare tag
 * reads far; a common one stops early).  After a batch that found some,
 * the next is sized by the share found so far instead, between the last
 * size and four times it: what a batch holds beyond the rows used is still
 * sent by the server and read to its end, but a batch is a statement,
 * and sizes never shrink, so a tag that thins out still grows them. */
#define BATCH_FIRST	32
#define BATCH_MAX	4096

static unsigned long long
batch_size(const struct list_batch *b)
{
	unsigned long long last = b->v.limit, found = b->asked - b->want;
	unsigned long long grown = last >= BATCH_MAX / 4 ? BATCH_MAX : last * 4;
	unsigned long long need;

	if (b->want == b->want0)	/* none in the last batch */
		return grown;
	/* The rows the rest needs at the share so far, and half again. */
	need = b->want * b->seen / found;
	need += need / 2;
	return need < last ? last : need < grown ? need : grown;
}

static void
batch_free(struct list_batch *b)
{
	tags_free(&b->tl);
	free(b);
}

static enum err
batch_run(struct db *db, struct list_batch *b, MYSQL_STMT **st)
{
	b->read = 0;
	b->want0 = b->want;
	return db_run(db, b->k, b->in, st);
}

enum err
db_memo_list(struct db *db, const char *hash, const struct db_filter *f,
    struct db_list **out)
{
	MYSQL_BIND in[16], *lim;
	struct list_vals v;
	struct list_batch *b = NULL;
	MYSQL_STMT *st;
	enum err e;

	/* A list filtered in C keeps its parameters for the next batches. */
	if ((f->tag != NULL || words_left(f)) &&
	    (b = calloc(1, sizeof(*b))) == NULL)
		return E_NOMEM;
	if (b == NULL) {
		enum stmt k = list_params(hash, f, 0, in, &v, &lim);

		bind_u64(lim, &v.limit);
		e = db_run(db, k, in, &st);
	} else {
		b->k = list_params(hash, f, 0, b->in, &b->v, &lim);
		bind_u64(lim, &b->v.limit);
		b->tag = f->tag;
		b->q = words_left(f) ? f->q : NULL;
		b->asked = b->want = b->v.limit;
		if (b->v.limit != ~0ULL && b->v.limit < BATCH_FIRST)
			b->v.limit = BATCH_FIRST;
		e = batch_run(db, b, &st);
	}
	if (e != E_OK || (e = list_start(db, st, hash, out)) != E_OK) {
		free(b);
		return e;
	}
	if (((*out)->batch = b) != NULL)
		(*out)->batch_free = batch_free;
	return E_OK;
}

/* 1 if the row's text carries the list's tag or one nested in it, 0 if
 * not, -1 if its tags could not be made (E_NOMEM: the list breaks off
 * rather than leave the memo out as if it had no tag). */
static int
row_tagged(struct list_batch *b, const struct db_row *r)
{
	b->tl.n = 0;
	/* Text that is not UTF-8 has no tags (its JSON is U+FFFD). */
	if (memchr(r->text, '#', r->text_len) == NULL ||
	    !utf8_valid(r->text, r->text_len))
		return 0;
	if (tags_parse(r->text, r->text_len, &b->tl) != E_OK)
		return -1;
	return tags_filter_match(b->tag, &b->tl);
}

/* 1 if the row's search copy holds the words the statement left out. */
static int
row_has_words(const struct list_batch *b, const struct db_row *r)
{
	return r->with_body &&
	    fold_query_rest_found(b->q, r->body, r->body_len);
}

/* 1 if the row passes the list's filters in C, 0 if not, -1 (logged). */
static int
row_passes(struct list_batch *b, const struct db_row *r)
{
	int found = b->tag != NULL ? row_tagged(b, r) : 1;

	if (found < 0)
		log_msg("list: a memo's tags: out of memory");
	return found == 1 && b->q != NULL ? row_has_words(b, r) : found;
}

/* The next batch after a full one: 1 (started), 0 (none), -1. */
static int
batch_next(struct db_list *l)
{
	struct list_batch *b = l->batch;
	MYSQL_STMT *st;
	enum err e;

	if (b->want == 0 || b->v.limit == ~0ULL || b->read < b->v.limit)
		return 0;
	db_end(l->st);
	l->st = NULL;
	b->v.before = l->row.id;
	b->seen += b->read;
	b->v.limit = batch_size(b);
	if ((e = batch_run(l->db, b, &st)) != E_OK ||
	    (e = row_bind(l->db, &l->row, st)) != E_OK) {
		db_end(st);
		l->err = e;
		return -1;
	}
	l->st = st;
	l->done = 0;
	return 1;
}

int
db_memo_next(struct db_list *l, struct db_memo *m)
{
	struct list_batch *b = l->batch;
	int r;

	while (b == NULL || b->want > 0) {	/* else as many as asked for */
		if ((r = list_step(l)) == 0 && b != NULL &&
		    (r = batch_next(l)) == 1)
			continue;
		if (r == 1 && b != NULL) {
			b->read++;
			if ((r = row_passes(b, &l->row)) == 0)
				continue;
			if (r == 1)
				b->want--;
			else
				l->err = E_NOMEM;
		}
		if (r == 1) {
			row_memo(&l->row, m);
			m->tags = b != NULL && b->tag != NULL ? &b->tl : NULL;
		}
		return r;
	}
	return 0;
}

/* The count of a list filtered in C: its rows, read to the end. */
static enum err
count_listed(struct db *db, const char *hash, const struct db_filter *all,
    uint64_t *n)
{
	struct db_list *l;
	struct db_memo m;
	enum err e;
	int r;

	*n = 0;
	if ((e = db_memo_list(db, hash, all, &l)) != E_OK)
		return e == E_UNAUTH ? E_OK : e;
	while ((r = db_memo_next(l, &m)) == 1)
		(*n)++;
	e = r == 0 ? E_OK : db_list_err(l);
	db_list_close(l);
	return e;
}

enum err
db_memo_count(struct db *db, const char *hash, const struct db_filter *f,
    uint64_t *n)
{
	MYSQL_BIND in[18], *b;
	struct list_vals v;
	struct db_filter all = *f;
	enum stmt k;

	all.before = all.limit = 0;
	if (words_left(f))
		return count_listed(db, hash, &all, n);
	k = list_params(hash, &all, 1, in, &v, &b);
	if (f->tag != NULL) {
		bind_cstr(b++, f->tag->key);
		bind_cstr(b++, f->tag->lo);
		bind_cstr(b++, f->tag->hi);
	}
	if (k == ST_MEMO_FIND)
		k = f->tag ? ST_MEMO_FIND_TAGGED_COUNT : ST_MEMO_FIND_COUNT;
	else if (f->tag != NULL)
		k = k == ST_MEMO_TRASH_COUNT ? ST_MEMO_TRASH_TAGGED_COUNT :
		    ST_MEMO_LIVE_TAGGED_COUNT;
	return db_row_id(db, k, in, n);
}

/* Read one memo of the session's user with statement k (GET or LOCK) into
 * db->row; E_NOTFOUND or E_UNAUTH if there is none. */
static enum err
memo_read(struct db *db, enum stmt k, const char *hash, uint64_t id,
    struct db_memo *out)
{
	MYSQL_BIND in[2];
	unsigned long long mid = id;
	MYSQL_STMT *st;
	enum err e;

	bind_cstr(&in[0], hash);
	bind_u64(&in[1], &mid);
	if ((e = db_run(db, k, in, &st)) != E_OK)
		return e;
	e = memo_row_one(db, k, st, out);
	/* No row: no such memo of this user, or no session at all (or no
	 * answer to the question: 503, not 404). */
	if (e == E_NOTFOUND) {
		enum err s = db_session_live(db, hash);

		if (s != E_OK)
			e = s;
	}
	return e;
}

enum err
db_memo_get(struct db *db, const char *hash, uint64_t id, struct db_memo *out)
{
	return memo_read(db, ST_MEMO_GET, hash, id, out);
}

/* Save the text being replaced, cur's, as a revision written when that
 * text was (written). */
static enum err
revision_save(struct db *db, unsigned long long *id, const struct db_memo *cur,
    MYSQL_TIME *written)
{
	MYSQL_BIND in[3];

	bind_u64(&in[0], id);
	bind_str(&in[1], cur->text, cur->text_len);
	bind_time(&in[2], written);
	return db_exec(db, ST_REV_SAVE, in, NULL);
}

/*
 * Keep the memo's newest revisions: pruning every 16th change keeps 50 to
 * 65, cheaper than every time.  Every change counts (version is the
 * memo's before this one), not only the edits of its text: done at the
 * text's edits alone, an edit at every other version (each followed by a
 * pin, or a trip to the trash) never met a 15th and kept every revision,
 * where an import takes a memo's newest MEMO_REVISIONS_KEPT.
 */
static enum err
revision_prune(struct db *db, unsigned long long *id, uint64_t version)
{
	MYSQL_BIND in[2];

	if (version % 16 != 15)
		return E_OK;
	bind_u64(&in[0], id);
	bind_u64(&in[1], id);
	return db_exec(db, ST_REV_PRUNE, in, NULL);
}

/* The edit of a locked, live memo cur, its text written at written:
 * what changes, and the new memo. */
static enum err
memo_edit(struct db *db, const struct memo_change *c, struct db_memo *cur,
    MYSQL_TIME *written)
{
	const struct memo_text *t = c->text;
	MYSQL_BIND in[4];
	unsigned long long id = cur->id;
	int pinned = c->pinned < 0 ? cur->pinned : c->pinned;
	int new_text = t != NULL && (t->len != cur->text_len ||
	    memcmp(t->text, cur->text, t->len) != 0);
	struct tag_list old = { 0 };
	char stamp[20], iso[DB_STAMP_LEN];
	enum err e;

	if (!new_text && pinned == cur->pinned)
		return E_OK;		/* the same again: nothing changes */
	if ((e = stamp_now(stamp, iso)) != E_OK)
		return e;
	if ((new_text && (e = revision_save(db, &id, cur, written)) != E_OK) ||
	    (e = revision_prune(db, &id, cur->version)) != E_OK)
		return e;
	if (new_text) {
		bind_str(&in[0], t->text, t->len);
		bind_cstr(&in[1], stamp);
	} else {
		bind_null(&in[0]);
		bind_null(&in[1]);
	}
	bind_int(&in[2], &pinned);
	bind_u64(&in[3], &id);
	if ((e = db_exec(db, ST_MEMO_UPDATE, in, NULL)) != E_OK)
		return e;
	if (new_text) {
		bind_str(&in[0], t->search, t->search_len);
		bind_u64(&in[1], &id);
		if ((e = db_exec(db, ST_SEARCH_UPDATE, in, NULL)) != E_OK)
			return e;
	}
	/* Tags are rewritten only when they differ (also in case). */
	if (new_text && (e = tags_parse(cur->text, cur->text_len, &old)) == E_OK &&
	    !tags_same(&old, t->tags))
		e = tags_rewrite(db, &id, &old, t->tags);
	tags_free(&old);
	if (e != E_OK)
		return e;
	if (new_text) {
		cur->text = t->text;
		cur->text_len = t->len;
		memcpy(cur->updated_at, iso, DB_STAMP_LEN);
	}
	cur->pinned = pinned;
	cur->version++;
	return E_OK;
}

/* Into the trash (deleted: 1) or out of it (0); nothing if already so. */
static enum err
memo_set_deleted(struct db *db, int deleted, struct db_memo *cur)
{
	MYSQL_BIND in[2];
	unsigned long long id = cur->id;
	char stamp[20], iso[DB_STAMP_LEN];
	enum err e;

	if ((cur->deleted_at[0] != '\0') == deleted)
		return E_OK;
	if ((e = stamp_now(stamp, iso)) != E_OK ||
	    (e = revision_prune(db, &id, cur->version)) != E_OK)
		return e;
	if (deleted)
		bind_cstr(&in[0], stamp);
	else
		bind_null(&in[0]);
	bind_u64(&in[1], &id);
	if ((e = db_exec(db, ST_MEMO_SET_DELETED, in, NULL)) != E_OK)
		return e;
	memcpy(cur->deleted_at, deleted ? iso : "", deleted ? DB_STAMP_LEN : 1);
	cur->version++;
	return E_OK;
}

static enum err
memo_purge(struct db *db, const struct db_memo *cur)
{
	MYSQL_BIND in[1];
	unsigned long long id = cur->id;

	if (cur->deleted_at[0] == '\0')
		return E_CONFLICT;
	bind_u64(&in[0], &id);
	return db_exec(db, ST_MEMO_DELETE, in, NULL);
}

struct memo_change_run {
	const char			*hash;
	uint64_t			 id;
	const struct memo_change	*c;
	struct db_memo			*out;
};

static enum err
memo_change(struct db *db, void *arg)
{
	const struct memo_change_run *a = arg;
	const struct memo_change *c = a->c;
	struct db_memo *out = a->out;
	MYSQL_TIME written;	/* when the locked row's text was written */
	enum err e;

	/* A run again after a deadlock starts here too: an If-Match is
	 * checked anew against the row as it is then. */
	if ((e = memo_read(db, ST_MEMO_LOCK, a->hash, a->id, out)) != E_OK)
		return e;
	/* out->text stays in db->row, which only a statement that reads rows
	 * refills (none of a change does); its time is copied out here. */
	written = db->row.updated_null ? db->row.created : db->row.updated;
	if (c->precondition != NULL && !c->precondition(out, c->arg))
		return E_PRECOND;
	switch (c->op) {
	case MEMO_EDIT:
		return out->deleted_at[0] != '\0' ? E_CONFLICT :
		    memo_edit(db, c, out, &written);
	case MEMO_TRASH:
	case MEMO_RESTORE:
		return memo_set_deleted(db, c->op == MEMO_TRASH, out);
	case MEMO_PURGE:
		return memo_purge(db, out);
	}
	return E_INTERNAL;
}

enum err
db_memo_change(struct db *db, const char *hash, uint64_t id,
    const struct memo_change *c, struct db_memo *out)
{
	struct memo_change_run a = { hash, id, c, NULL };

	a.out = out;	/* as in db_memo_insert */
	return db_txn(db, memo_change, &a);
}

/* 1 if the memo read, now, is the memo the write made, want (whose text
 * pointer may be gone with the old connection: the write's text, if it
 * wrote one, is text). */
static int
memo_same(const struct db_memo *now, const struct db_memo *want,
    const char *text)
{
	return now->version == want->version &&
	    now->text_len == want->text_len && now->pinned == want->pinned &&
	    strcmp(now->updated_at, want->updated_at) == 0 &&
	    strcmp(now->deleted_at, want->deleted_at) == 0 &&
	    (text == NULL || now->text_len == 0 ||
	    memcmp(now->text, text, now->text_len) == 0);
}

/* A locking read (in autocommit: its lock goes at once): if the COMMIT is
 * still running on the server (the answer's wait timed out), the write's
 * locks make it wait for the outcome, where a plain read saw the memo as
 * it was before.  Another write of the same version since (this one rolled
 * back) differs in its time, text or state. */
enum err
db_memo_written(struct db *db, const char *hash, struct db_memo *m,
    const char *text, int purged)
{
	const struct db_memo want = *m;
	enum err e = memo_read(db, ST_MEMO_LOCK, hash, want.id, m);
	int written = purged ? e == E_NOTFOUND :
	    e == E_OK && memo_same(m, &want, text);

	log_msg("database: a write's COMMIT lost its answer: %s",
	    written ? "read again, it was written" :
	    e == E_OK || e == E_NOTFOUND ? "read again, it was not written" :
	    "whether it was written is unknown");
	return written ? E_OK : E_DB;
}

struct trash_empty {
	const char	*hash;
	uint64_t	 shown;
	const uint64_t	*key;
	uint64_t	*purged, *now;
};

/* db_txn's body: the trash emptied, if it still holds the number of
 * memos the person was shown (none named: whatever it holds). */
static enum err
trash_empty(struct db *db, void *arg)
{
	const struct trash_empty *a = arg;
	MYSQL_BIND in[1];
	enum err e;

	bind_cstr(&in[0], a->hash);
	if (a->shown > 0) {
		if ((e = db_row_id(db, ST_TRASH_COUNT_LOCK, in, a->now)) != E_OK)
			return e;
		/* None counted: an empty trash, or no live session (401). */
		if (*a->now == 0 && (e = db_session_live(db, a->hash)) != E_OK)
			return e;
		if (*a->now != a->shown)
			return E_PRECOND;
		/* A locking read: the rows as they are, not as the
		 * transaction's snapshot had them. */
		if (a->key != NULL) {
			uint64_t key;

			if ((e = db_row_id(db, ST_TRASH_KEY_LOCK, in, &key)) !=
			    E_OK)
				return e;
			if (key != *a->key)
				return E_PRECOND;
		}
	}
	return db_exec(db, ST_TRASH_EMPTY, in, a->purged);
}

enum err
db_trash_key(struct db *db, const char *hash, uint64_t *key)
{
	MYSQL_BIND in[1];

	bind_cstr(&in[0], hash);
	return db_row_id(db, ST_TRASH_KEY, in, key);
}

enum err
db_trash_empty(struct db *db, const char *hash, uint64_t shown,
    const uint64_t *key, uint64_t *purged, uint64_t *now)
{
	struct trash_empty a = { hash, shown, key, purged, now };
	enum err e;

	*purged = *now = 0;
	if ((e = db_txn(db, trash_empty, &a)) != E_OK)
		return e;
	return *purged == 0 ? db_session_live(db, hash) : E_OK;
}

enum err
db_revision_list(struct db *db, const char *hash, uint64_t memo_id,
    struct db_list **out)
{
	MYSQL_BIND in[2];
	unsigned long long id = memo_id;
	MYSQL_STMT *st;
	struct db_memo m;
	enum err e;

	bind_cstr(&in[0], hash);
	bind_u64(&in[1], &id);
	if ((e = db_run(db, ST_REV_LIST, in, &st)) != E_OK ||
	    (e = list_start(db, st, NULL, out)) != E_OK)
		return e;
	/* No revisions: a memo never edited, or no such memo. */
	if ((*out)->done && (e = db_memo_get(db, hash, memo_id, &m)) != E_OK) {
		db_list_close(*out);
		*out = NULL;
	}
	return e;
}

enum err
db_tag_counts(struct db *db, const char *hash, struct db_list **out)
{
	return list_by(db, ST_TAG_COUNTS, hash, hash, out);
}
