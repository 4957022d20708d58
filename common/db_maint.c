/* db_maint.c - the queries of memo-maint: purge, sweep, reindex. */
#include <string.h>
#include "db_int.h"
#include "fault.h"
#include "log.h"
#include "tags.h"

/* A GET_LOCK answering NULL is E_DB, not "another runner": read as
 * busy, a server that failed it every hour kept every memo-maint quiet,
 * exit 0. */
enum err
db_maint_lock(struct db *db, int *got)
{
	return db_named_lock(db, ST_MAINT_LOCK, NULL, got);
}

/* Run statement k (a bounded DELETE, a transaction of its own) until it
 * deletes less than batch. */
static enum err
delete_batches(struct db *db, enum stmt k, MYSQL_BIND *in, uint64_t batch,
    uint64_t *total)
{
	uint64_t n;
	enum err e;

	*total = 0;
	do {
		if ((e = db_exec_alone(db, k, in, &n)) != E_OK)
			return e;
		*total += n;
	} while (n >= batch);
	return E_OK;
}

/* delete_batches under READ COMMITTED, then back.  Under REPEATABLE
 * READ a DELETE's range scan also locks the gaps it passes, the first one
 * before the oldest deleted_at: in memo_deleted that is where every new
 * memo's (NULL, id) goes, so each batch held up every user's POST /memo
 * while it ran, and as long as it waited for a row another transaction
 * held.  Read committed, it locks the rows it deletes and no gap; a memo
 * restored meanwhile is checked again under its row lock and kept.  The
 * index step stays REPEATABLE READ: its version check needs that lock. */
static enum err
delete_committed(struct db *db, enum stmt k, MYSQL_BIND *in, uint64_t batch,
    uint64_t *total)
{
	enum err e;

	*total = 0;
	if ((e = db_read_committed(db, 1)) != E_OK ||
	    (e = delete_batches(db, k, in, batch, total)) != E_OK)
		return e;	/* memo-maint stops there */
	return db_read_committed(db, 0);
}

enum err
db_maint_purge(struct db *db, long days, uint64_t *purged)
{
	MYSQL_BIND in[1];
	unsigned long long d = (unsigned long long)days;

	bind_u64(&in[0], &d);
	return delete_committed(db, ST_MAINT_PURGE, in, 100, purged);
}

enum err
db_maint_sweep(struct db *db, uint64_t *sessions, uint64_t *states)
{
	enum err e;

	*states = 0;
	if ((e = delete_committed(db, ST_SESSION_SWEEP, NULL, 1000,
	    sessions)) != E_OK)
		return e;
	return delete_committed(db, ST_STATE_SWEEP, NULL, 100, states);
}

enum err
db_maint_top(struct db *db, uint64_t *top)
{
	return db_row_id(db, ST_MAINT_TOP, NULL, top);
}

enum err
db_maint_unindexed(struct db *db, uint64_t after, uint64_t upto,
    uint64_t *ids, size_t max, size_t *n)
{
	MYSQL_BIND in[3];
	MYSQL_STMT *st;
	unsigned long long from = after, to = upto, lim = max;
	enum err e;
	int r;

	*n = 0;
	bind_u64(&in[0], &from);
	bind_u64(&in[1], &to);
	bind_u64(&in[2], &lim);
	if ((e = db_run(db, ST_MAINT_UNINDEXED, in, &st)) != E_OK)
		return e;
	if ((e = row_bind(db, &db->row, st)) == E_OK) {
		while ((r = row_fetch(&db->row, st)) == 1 && *n < max)
			ids[(*n)++] = db->row.id;
		if (r < 0)
			e = db_fail(db, st, db_what(ST_MAINT_UNINDEXED));
	}
	db_end(st);
	return e;
}

enum err
db_maint_text(struct db *db, uint64_t id, struct db_memo *out)
{
	MYSQL_BIND in[1];
	unsigned long long mid = id;
	MYSQL_STMT *st;
	enum err e;

	bind_u64(&in[0], &mid);
	if ((e = db_run(db, ST_MAINT_TEXT, in, &st)) != E_OK)
		return e;
	return memo_row_one(db, ST_MAINT_TEXT, st, out);
}

struct reindex {
	unsigned long long	 id, version;
	const struct memo_text	*t;
	int			*made;
};

/* db_txn's body. */
static enum err
reindex(struct db *db, void *arg)
{
	struct reindex *a = arg;
	MYSQL_BIND in[3];
	uint64_t n = 0;
	enum err e;

	*a->made = 0;
	bind_str(&in[0], a->t->search, a->t->search_len);
	bind_u64(&in[1], &a->id);
	bind_u64(&in[2], &a->version);
	if ((e = db_exec(db, ST_MAINT_REINDEX, in, &n)) != E_OK)
		return e;
	/* Indexed meanwhile, or edited since we read it (its text is no
	 * longer t's): leave it. */
	if (n != 1)
		return E_OK;
	bind_u64(&in[0], &a->id);
	if ((e = db_exec(db, ST_TAG_CLEAR, in, NULL)) != E_OK ||
	    (e = tags_store(db, &a->id, a->t->tags)) != E_OK)
		return e;
	*a->made = 1;
	return E_OK;
}

enum err
db_maint_reindex(struct db *db, uint64_t id, uint64_t version,
    const struct memo_text *t, int *made)
{
	struct reindex a = { id, version, t, made };
	enum err e = db_txn(db, reindex, &a);

	if (e != E_OK)
		*made = 0;
	return e;
}
