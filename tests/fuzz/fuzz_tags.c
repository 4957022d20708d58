/* fuzz_tags.c - memo text as tags.c and fold.c read it: tags_parse,
 * fold_text, and a query line as fold_query_parse and tags_filter read
 * it.  Checked: every tag is a non-empty NUL-terminated name of at most 64
 * characters with a key; no two tags share a key; a folded text is valid
 * UTF-8 and, for ASCII and Hangul syllables, what libunistring gives
 * (fold.c's shortcut); query patterns are "%…%" with every % and _ inside escaped. */
#include <string.h>
#include <unicase.h>
#include <uninorm.h>
#include "fold.h"
#include "fuzz.h"
#include "tags.h"
#include "utf8.h"

static void
check_pattern(const char *p)
{
	size_t n = strlen(p);

	FUZZ_ASSERT(n >= 2 && p[0] == '%' && p[n - 1] == '%');
	for (size_t i = 1; i + 1 < n; i++) {
		if (p[i] == '!') {
			FUZZ_ASSERT(i + 2 < n);
			i++;
			continue;
		}
		FUZZ_ASSERT(p[i] != '%' && p[i] != '_');
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *why;
	struct tag_list l = { 0 };
	struct fold_query q;
	struct tag_filter f;
	char *folded;
	size_t n;

	if (!utf8_valid(s, size)) {
		FUZZ_ASSERT(fold_query_parse(s, size, &q, &why) == E_BADREQ);
		return 0;
	}
	FUZZ_ASSERT(tags_parse(s, size, &l) == E_OK);
	FUZZ_ASSERT(l.n <= TAG_MAX_PER_MEMO);
	for (size_t i = 0; i < l.n; i++) {
		FUZZ_ASSERT(l.tag[i].name[0] != '\0' && l.tag[i].key[0] != '\0');
		FUZZ_ASSERT(fold_chars(l.tag[i].name, strlen(l.tag[i].name)) <=
		    TAG_MAX_CHARS);
		for (size_t j = 0; j < i; j++)
			FUZZ_ASSERT(strcmp(l.tag[i].key, l.tag[j].key) != 0);
	}
	tags_free(&l);
	FUZZ_ASSERT(fold_text(s, size, &folded, &n) == E_OK);
	FUZZ_ASSERT(utf8_valid(folded, n));
	if (size > 0 && fold_is_simple(s, size)) {
		/* The shortcut gives what libunistring gives. */
		size_t m = 0;
		uint8_t *u = u8_casefold(data, size, NULL, UNINORM_NFC, NULL, &m);

		FUZZ_ASSERT(u != NULL && m == n && memcmp(u, folded, n) == 0);
		free(u);
	}
	free(folded);
	if (fold_query_parse(s, size, &q, &why) == E_OK) {
		FUZZ_ASSERT(q.nwords >= 1 && q.nwords <= FOLD_MAX_WORDS);
		FUZZ_ASSERT(q.nterms == (q.nwords < FOLD_SQL_TERMS ?
		    q.nwords : FOLD_SQL_TERMS));
		for (size_t i = 0; i < q.nterms; i++)
			check_pattern(q.pattern[i]);
		/* Longest first, none inside another, each found in itself. */
		for (size_t i = 0; i < q.nwords; i++) {
			FUZZ_ASSERT(i == 0 || q.len[i] <= q.len[i - 1]);
			for (size_t j = 0; j < i; j++)
				FUZZ_ASSERT(memmem(q.word[j], q.len[j],
				    q.word[i], q.len[i]) == NULL);
		}
		FUZZ_ASSERT(q.nwords <= FOLD_SQL_TERMS ||
		    fold_query_rest_found(&q, q.word[FOLD_SQL_TERMS],
		    q.len[FOLD_SQL_TERMS]) == (q.nwords == FOLD_SQL_TERMS + 1));
		fold_query_free(&q);
	}
	if (memchr(s, '\0', size) == NULL &&
	    tags_filter(s, size, &f) == E_OK)
		FUZZ_ASSERT(strlen(f.lo) == strlen(f.key) + 1);
	return 0;
}
