/* fold.c - case folding and normalization for search (libunistring). */
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>
#include "fault.h"
#include "fold.h"
#include "utf8.h"

int
fold_is_simple(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		unsigned int c;

		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (n - i < 3 || p[i] < 0xEA || p[i] > 0xED)
			return 0;
		c = (p[i] & 0x0Fu) << 12 | (p[i + 1] & 0x3Fu) << 6 |
		    (p[i + 2] & 0x3Fu);
		if (c < 0xAC00 || c > 0xD7A3)
			return 0;
		i += 3;
	}
	return 1;
}

void
fold_simple_copy(const char *s, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c + ('a' - 'A'));
		out[i] = c;
	}
	out[n] = '\0';
}

enum err
fold_text(const char *s, size_t n, char **out, size_t *outlen)
{
	uint8_t *r;
	size_t len = 0;

	*out = NULL;
	*outlen = 0;
	if (fold_is_simple(s, n)) {
		if ((*out = malloc(n + 1)) == NULL)
			return E_NOMEM;
		fold_simple_copy(s, n, *out);
		*outlen = n;
		return E_OK;
	}
	/* Not simple, so not empty: u8_casefold returns memory of its own. */
	r = u8_casefold((const uint8_t *)s, n, NULL, UNINORM_NFC, NULL, &len);
	if (r == NULL)
		return E_NOMEM;
	/* u8_casefold's result is not terminated; room for the NUL. */
	{
		uint8_t *t = realloc(r, len + 1);

		if (t == NULL) {
			free(r);
			return E_NOMEM;
		}
		r = t;
	}
	r[len] = '\0';
	*out = (char *)r;
	*outlen = len;
	return E_OK;
}

size_t
fold_chars(const char *s, size_t n)
{
	return u8_mbsnlen((const uint8_t *)s, n);
}

/* Characters in s[0..n) once composed (NFC): Hangul typed decomposed
 * (NFD, as macOS writes it) is 2 or 3 code points a syllable, and must
 * not count more than the same words typed composed.  The raw count if
 * memory runs out (the caller's limit then errs on the safe side). */
static size_t
nfc_chars(const char *s, size_t n)
{
	size_t len = 0, chars;
	uint8_t *c = u8_normalize(UNINORM_NFC, (const uint8_t *)s, n, NULL,
	    &len);

	if (c == NULL)
		return fold_chars(s, n);
	chars = u8_mbsnlen(c, len);
	free(c);
	return chars;
}

/* "%term%" with %, _ and ! escaped by '!' (the statement's ESCAPE). */
static char *
like_pattern(const char *t, size_t n)
{
	char *p = malloc(2 * n + 3), *o = p;

	if (p == NULL)
		return NULL;
	*o++ = '%';
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '%' || t[i] == '_' || t[i] == '!')
			*o++ = '!';
		*o++ = t[i];
	}
	*o++ = '%';
	*o = '\0';
	return p;
}

static int
is_space_at(const uint8_t *s, size_t n, int *len)
{
	ucs4_t c;

	*len = u8_mbtouc_unsafe(&c, s, n);
	return uc_is_property_white_space(c);
}

/* Add the folded word s[0..n) to q. */
static enum err
add_word(struct fold_query *q, const uint8_t *s, size_t n)
{
	size_t i = q->nwords;

	if (i == FOLD_MAX_WORDS)	/* cannot be: 200 characters */
		return E_BADREQ;
	q->nwords++;
	return fold_text((const char *)s, n, &q->word[i], &q->len[i]);
}

/* 1 if word i says nothing word j does not: it is inside j (the first of
 * two equal ones stays). */
static int
implied(const struct fold_query *q, size_t i, size_t j)
{
	size_t li = q->len[i], lj = q->len[j];

	/* j dropped already: a word inside it is inside the one it was in. */
	if (q->word[i] == NULL || q->word[j] == NULL ||
	    li > lj || (li == lj && i < j))
		return 0;
	return memmem(q->word[j], q->len[j], q->word[i], q->len[i]) != NULL;
}

/* Drop the implied words and put the others longest first (an insertion
 * sort, stable: at most FOLD_MAX_WORDS short words). */
static void
sort_words(struct fold_query *q)
{
	size_t kept = 0;

	for (size_t i = 0; i < q->nwords; i++) {
		size_t j = 0;

		while (j < q->nwords && (j == i || !implied(q, i, j)))
			j++;
		if (j < q->nwords) {
			free(q->word[i]);
			q->word[i] = NULL;
		}
	}
	for (size_t i = 0; i < q->nwords; i++) {
		char *w = q->word[i];
		size_t len = q->len[i], at = kept;

		if (w == NULL)
			continue;
		for (; at > 0 && q->len[at - 1] < len; at--) {
			q->word[at] = q->word[at - 1];
			q->len[at] = q->len[at - 1];
		}
		q->word[at] = w;
		q->len[at] = len;
		kept++;
	}
	for (size_t i = kept; i < q->nwords; i++)
		q->word[i] = NULL;
	q->nwords = kept;
}

enum err
fold_query_parse(const char *q, size_t n, struct fold_query *out,
    const char **why)
{
	const uint8_t *s = (const uint8_t *)q, *end = s + n;
	enum err e = E_OK;
	int len;

	memset(out, 0, sizeof(*out));
	if (!utf8_valid(q, n) || memchr(q, '\0', n) != NULL) {
		*why = "q must be UTF-8 text";
		return E_BADREQ;
	}
	if (fold_chars(q, n) > FOLD_MAX_QUERY && nfc_chars(q, n) >
	    FOLD_MAX_QUERY) {
		*why = FOLD_TOO_LONG;
		return E_BADREQ;
	}
	while (s < end) {
		const uint8_t *start;

		while (s < end && is_space_at(s, (size_t)(end - s), &len))
			s += len;
		if (s == end)
			break;
		start = s;
		while (s < end && !is_space_at(s, (size_t)(end - s), &len))
			s += len;
		if ((e = add_word(out, start, (size_t)(s - start))) != E_OK) {
			if (e == E_BADREQ)
				*why = "q has too many words";
			goto fail;
		}
	}
	if (out->nwords == 0) {
		*why = "q must hold a word";
		return E_BADREQ;
	}
	sort_words(out);
	for (; out->nterms < out->nwords && out->nterms < FOLD_SQL_TERMS;
	    out->nterms++) {
		size_t i = out->nterms;

		if (FAULT("query_nomem") || (out->pattern[i] =
		    like_pattern(out->word[i], out->len[i])) == NULL) {
			e = E_NOMEM;
			goto fail;
		}
	}
	return E_OK;
fail:
	fold_query_free(out);
	return e;
}

int
fold_query_rest_found(const struct fold_query *fq, const char *s, size_t n)
{
	for (size_t i = fq->nterms; i < fq->nwords; i++)
		if (memmem(s, n, fq->word[i], fq->len[i]) == NULL)
			return 0;
	return 1;
}

void
fold_query_free(struct fold_query *fq)
{
	for (size_t i = 0; i < FOLD_MAX_WORDS; i++)
		free(fq->word[i]);
	for (size_t i = 0; i < FOLD_SQL_TERMS; i++)
		free(fq->pattern[i]);
	memset(fq, 0, sizeof(*fq));
}
