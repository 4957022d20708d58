/*
 * db_batch.c - rows of one table gathered and written DB_BATCH_ROWS at a
 * time, with one multi-row INSERT (an import's search copies, tags and
 * revisions: one statement a row, 20,000 memos with two tags each took
 * 4.4 s, now 2.5; docs/performance.md).  A row is a memo's id, the user's
 * id if the table has it, and one or two strings, copied: the caller's
 * may be gone by the write.
 */
#include <string.h>
#include "db_int.h"

/* The statements' rows (db_stmt.def) are as many as a batch's. */
_Static_assert(DB_BATCH_ROWS == 32, "db_stmt.def's ROWS_32 writes 32 rows");

void
db_batch_init(struct db_batch *b, enum stmt one, enum stmt many,
    const char *user_id, unsigned int strs)
{
	memset(b, 0, sizeof(*b));
	b->one = one;
	b->many = many;
	b->user_id = user_id;
	b->strs = strs < 2 ? strs : 2;
	/* Each string is at most a memo's 64 KiB (or its search copy's, or a
	 * revision's): a batch is far below this; the ceiling only bounds. */
	buf_init(&b->bytes, (size_t)256 << 20);
}

void
db_batch_free(struct db_batch *b)
{
	buf_free(&b->bytes);
	b->n = 0;
}

void
db_batch_reset(struct db_batch *b)
{
	b->n = 0;
	b->bytes.len = 0;
}

/* Bind rows [from, from + n) into in: per row the id, the user's id (if
 * any) and the strings, in the statements' column order. */
static void
bind_rows(struct db_batch *b, size_t from, size_t n, MYSQL_BIND *in)
{
	for (size_t i = from; i < from + n; i++) {
		struct db_batch_row *r = &b->row[i];

		bind_u64(in++, &r->id);
		if (b->user_id != NULL)
			bind_cstr(in++, b->user_id);
		for (unsigned int s = 0; s < b->strs && s < 2; s++)
			bind_str(in++, b->bytes.p + r->at[s], r->len[s]);
	}
}

enum err
db_batch_flush(struct db *db, struct db_batch *b)
{
	MYSQL_BIND in[DB_BATCH_ROWS * 4];
	enum err e = E_OK;

	if (b->n == DB_BATCH_ROWS) {
		bind_rows(b, 0, b->n, in);
		e = db_exec(db, b->many, in, NULL);
	} else
		for (size_t i = 0; i < b->n && e == E_OK; i++) {
			bind_rows(b, i, 1, in);
			e = db_exec(db, b->one, in, NULL);
		}
	db_batch_reset(b);
	return e;
}

enum err
db_batch_add(struct db *db, struct db_batch *b, unsigned long long id,
    const char *s0, size_t len0, const char *s1, size_t len1)
{
	struct db_batch_row *r = &b->row[b->n];
	const char *s[2] = { s0, s1 };
	size_t len[2] = { len0, len1 };
	enum err e;

	r->id = id;
	for (unsigned int i = 0; i < b->strs && i < 2; i++) {
		r->at[i] = b->bytes.len;
		r->len[i] = len[i];
		if ((e = buf_add(&b->bytes, s[i], len[i])) != E_OK)
			return e;
	}
	/* Written also once the rows hold a megabyte (one a statement, then:
	 * long rows cost their bytes more than their statements), so that
	 * no statement nears a server's max_allowed_packet (4 MiB in MySQL
	 * 5.7; 32 search copies of 64 KiB memos, case-folded, could pass
	 * it). */
	if (++b->n == DB_BATCH_ROWS || b->bytes.len >= DB_BATCH_BYTES)
		return db_batch_flush(db, b);
	return E_OK;
}
