/* fuzz_import.c - an export file for POST /import: import_open's check of
 * the whole file, then every memo import_next builds from it. */
#include "fuzz.h"
#include "import.h"
#include "tags.h"
#include "utf8.h"

/* A time import_next hands the database: "YYYY-MM-DD HH:MM:SS". */
static void
sql_time(const char *t)
{
	FUZZ_ASSERT(t != NULL && strlen(t) == 19 && t[10] == ' ');
}

static void
check_memo(const struct db_import_memo *m)
{
	/* Empty is allowed: an upgraded account's export holds some. */
	FUZZ_ASSERT(m->t.len <= MEMO_MAX_TEXT);
	FUZZ_ASSERT(utf8_valid(m->t.text, m->t.len));
	FUZZ_ASSERT(memchr(m->t.text, '\0', m->t.len) == NULL);
	FUZZ_ASSERT(m->t.search != NULL && m->t.tags != NULL &&
	    m->t.tags->n <= TAG_MAX_PER_MEMO);
	sql_time(m->created_at);
	if (m->updated_at != NULL)
		sql_time(m->updated_at);
	if (m->deleted_at != NULL)
		sql_time(m->deleted_at);
	FUZZ_ASSERT(m->nrev <= IMPORT_MAX_REVISIONS);
	for (size_t i = 0; i < m->nrev; i++) {
		FUZZ_ASSERT(m->rev[i].len <= MEMO_MAX_TEXT);
		sql_time(m->rev[i].created_at);
	}
}

/* FNV-1a over a memo's created_at and text: what the duplicate check
 * keys a memo by (dupset.h), to compare import_next's and
 * import_next_key's. */
static uint64_t
memo_sum(const struct db_import_memo *m)
{
	uint64_t h = 14695981039346656037ULL;
	size_t n = strlen(m->created_at);

	for (size_t i = 0; i < n + 1 + m->t.len; i++) {
		h ^= (uint8_t)(i < n ? m->created_at[i] : i == n ? '|' :
		    m->t.text[i - n - 1]);
		h *= 1099511628211ULL;
	}
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct db_import_memo *m;
	struct import_file *f = NULL;
	char why[IMPORT_WHY_MAX];
	uint64_t *sums;
	size_t n = 0;
	enum err e;

	memset(why, 'X', sizeof(why));
	e = import_open((const char *)data, size, &f, why, sizeof(why));
	if (e != E_OK) {
		FUZZ_ASSERT(e == E_BADREQ && f == NULL);
		FUZZ_ASSERT(memchr(why, '\0', sizeof(why)) != NULL && why[0] != '\0');
		/* The 400's JSON answer: UTF-8 whatever the file held. */
		FUZZ_ASSERT(utf8_valid(why, strlen(why)));
		return 0;
	}
	if ((sums = calloc(import_count(f) + 1, sizeof(*sums))) == NULL)
		abort();
	/* What the check let through, import_next builds: never a failure. */
	while ((e = import_next(f, &m)) == E_OK && m != NULL) {
		check_memo(m);
		FUZZ_ASSERT(n < import_count(f));
		sums[n++] = memo_sum(m);
	}
	FUZZ_ASSERT(e == E_OK && n == import_count(f));
	/* The duplicate check's pass: the same texts and times, in the same
	 * order, as many (a memo keyed otherwise there than where it is
	 * taken would be imported twice). */
	import_rewind(f);
	n = 0;
	while ((e = import_next_key(f, &m)) == E_OK && m != NULL) {
		FUZZ_ASSERT(m->t.text != NULL &&
		    utf8_valid(m->t.text, m->t.len) && m->created_at != NULL &&
		    strlen(m->created_at) == 19);
		FUZZ_ASSERT(n < import_count(f) && sums[n++] == memo_sum(m));
	}
	FUZZ_ASSERT(e == E_OK && n == import_count(f));
	free(sums);
	import_close(f);
	return 0;
}
