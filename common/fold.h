/*
 * fold.h - the searchable form of text: Unicode NFC of the case fold.
 *
 * Search compares this form byte by byte, so that "ABC" finds "abc" and
 * Hangul typed composed (NFC) finds text stored decomposed (NFD, as macOS
 * writes it) and the other way round.  The fold is libunistring's canonical
 * caseless form, NFC(toCasefold(NFD(s))); no compatibility mapping, so
 * Hangul compatibility jamo (ㅋㅋ) stay what they are.  Each memo keeps this
 * form beside its text (table memo_search), made on every write.
 */
#ifndef MEMO_FOLD_H
#define MEMO_FOLD_H

#include <stddef.h>
#include "err.h"

#define FOLD_MAX_QUERY	200	/* characters in one query */
/* The reason a 400 gives for a longer query, its number the limit's. */
#define FOLD_TOO_LONG	"q is longer than " ERR_STR(FOLD_MAX_QUERY) " characters"
/* Words one query can hold: a character and a space each. */
#define FOLD_MAX_WORDS	(FOLD_MAX_QUERY / 2 + 1)
/* Words the search statement takes as LIKE patterns; a query's further
 * words are looked for in C, in the memos those found (db_memo.c). */
#define FOLD_SQL_TERMS	8

/* The folded form of valid UTF-8 s[0..n): *out is malloc'd (NUL-terminated,
 * free it), *outlen its length.  E_NOMEM. */
enum err fold_text(const char *s, size_t n, char **out, size_t *outlen);

/*
 * A search query: its whitespace-separated words, each folded.  A word
 * inside another ("회의" in "회의록") is dropped: the other finds only
 * texts that have it.  The rest go longest first (the likeliest to be
 * rare), the first FOLD_SQL_TERMS also as LIKE patterns "%word%" with '!'
 * as the escape character (so %, _, \ and ! are literal).  E_BADREQ (with
 * *why) for invalid UTF-8, no word or more than FOLD_MAX_QUERY characters;
 * E_NOMEM.
 */
struct fold_query {
	char	*word[FOLD_MAX_WORDS];		/* malloc'd; NULL past nwords */
	size_t	 len[FOLD_MAX_WORDS];
	size_t	 nwords;
	char	*pattern[FOLD_SQL_TERMS];	/* malloc'd; NULL past nterms */
	size_t	 nterms;
};
enum err fold_query_parse(const char *q, size_t n, struct fold_query *out,
	    const char **why);
void	 fold_query_free(struct fold_query *fq);
/* 1 if folded text s[0..n) holds every word past the patterns' ones. */
int	 fold_query_rest_found(const struct fold_query *fq, const char *s,
	    size_t n);

/* 1 if valid UTF-8 s[0..n) is only ASCII and precomposed Hangul syllables
 * (U+AC00-U+D7A3, not followed by a jamo): text that is NFC as it is and
 * whose fold only lower-cases ASCII, which most memos are.  The fold then
 * skips libunistring (fold_simple_copy); the result is the same. */
int	 fold_is_simple(const char *s, size_t n);
/* out[0..n) = s[0..n) with ASCII lower-cased, and a NUL. */
void	 fold_simple_copy(const char *s, size_t n, char *out);

/* The number of characters (code points) of valid UTF-8 s[0..n). */
size_t	 fold_chars(const char *s, size_t n);

#endif
