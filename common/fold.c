/* fold.c - case folding and normalization for search (libunistring). */
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>
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
	if (fold_chars(q, n) > FOLD_MAX_QUERY) {
		*why = "q is longer than 200 characters";
		return E_BADREQ;
	}
	while (s < end) {
		const uint8_t *start;
		char *folded;
		size_t flen;

		while (s < end && is_space_at(s, (size_t)(end - s), &len))
			s += len;
		if (s == end)
			break;
		start = s;
		while (s < end && !is_space_at(s, (size_t)(end - s), &len))
			s += len;
		if (out->nterms == FOLD_MAX_TERMS) {
			*why = "q has more than 8 words";
			e = E_BADREQ;
			goto fail;
		}
		if ((e = fold_text((const char *)start, (size_t)(s - start),
		    &folded, &flen)) != E_OK)
			goto fail;
		out->pattern[out->nterms] = like_pattern(folded, flen);
		free(folded);
		if (out->pattern[out->nterms++] == NULL) {
			e = E_NOMEM;
			goto fail;
		}
	}
	if (out->nterms == 0) {
		*why = "q must hold a word";
		return E_BADREQ;
	}
	return E_OK;
fail:
	fold_query_free(out);
	return e;
}

void
fold_query_free(struct fold_query *fq)
{
	for (size_t i = 0; i < FOLD_MAX_TERMS; i++)
		free(fq->pattern[i]);
	memset(fq, 0, sizeof(*fq));
}
