/* tags.c - finding #tags in memo text (libunistring character classes). */
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>
#include "fault.h"
#include "fold.h"
#include "tags.h"
#include "utf8.h"

/* Letters of any script, marks (Hangul NFD, Indic vowel signs), digits,
 * and the three marks of a tag. */
static int
tag_char(ucs4_t c)
{
	if (c < 0x80)	/* most text: no table lookup */
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '/';
	if (c >= 0xAC00 && c <= 0xD7A3)
		return 1;	/* Hangul syllables: letters (Lo) */
	return
	    uc_is_general_category(c, UC_CATEGORY_L) ||
	    uc_is_general_category(c, UC_CATEGORY_M) ||
	    uc_is_general_category(c, UC_CATEGORY_Nd);
}

/* What may stand before '#': white space, an opening bracket or quote. */
static int
tag_opener(ucs4_t c)
{
	if (c < 0x80)	/* the ASCII white space, brackets (Ps) and quotes */
		return c == ' ' || (c >= '\t' && c <= '\r') || c == '(' ||
		    c == '[' || c == '{' || c == '"' || c == '\'';
	return uc_is_property_white_space(c) ||
	    uc_is_general_category(c, UC_CATEGORY_Ps) ||
	    uc_is_general_category(c, UC_CATEGORY_Pi);
}

/*
 * The run of tag characters at s[0..n): its length in bytes, or 0 if it
 * is not a tag (empty, too long, digits only).
 */
static size_t
tag_run(const uint8_t *s, size_t n)
{
	size_t i = 0, chars = 0;
	int other = 0;

	while (i < n) {
		ucs4_t c;
		int len = u8_mbtouc_unsafe(&c, s + i, n - i);

		if (!tag_char(c))
			break;
		if (c < 0x80 ? c < '0' || c > '9' :
		    !uc_is_general_category(c, UC_CATEGORY_Nd))
			other = 1;
		i += (size_t)len;
		chars++;
	}
	/* A run past the limit counts as written in NFD (two or three
	 * characters a syllable): judged again after composing below. */
	return other && chars > 0 && chars <= (size_t)3 * TAG_MAX_CHARS ? i : 0;
}

/* Fill t from the run s[0..n); 0 if it is not a tag after all. */
static int
tag_make(const uint8_t *s, size_t n, struct tag *t)
{
	size_t len = TAG_NAME_MAX;
	uint8_t *r;

	if (fold_is_simple((const char *)s, n)) {
		/* ASCII and Hangul syllables: NFC as written, and the key
		 * only lower-cases ASCII (the same as below, far cheaper). */
		if (n > TAG_NAME_MAX || (n > TAG_MAX_CHARS &&
		    u8_mbsnlen(s, n) > TAG_MAX_CHARS))
			return 0;	/* (a character is a byte at least) */
		memcpy(t->name, s, n);
		t->name[n] = '\0';
		fold_simple_copy((const char *)s, n, t->key);
		return 1;
	}
	r = u8_normalize(UNINORM_NFC, s, n, (uint8_t *)t->name, &len);
	if (r == NULL || r != (uint8_t *)t->name ||
	    u8_mbsnlen(r, len) > TAG_MAX_CHARS) {
		if (r != (uint8_t *)t->name)
			free(r);
		return 0;
	}
	t->name[len] = '\0';
	len = TAG_KEY_MAX;
	r = u8_casefold((const uint8_t *)t->name, strlen(t->name), NULL,
	    UNINORM_NFC, (uint8_t *)t->key, &len);
	if (r == NULL || r != (uint8_t *)t->key) {
		if (r != (uint8_t *)t->key)
			free(r);
		return 0;
	}
	t->key[len] = '\0';
	return 1;
}

/* 1 if key is among the first l->n tags. */
static int
tag_seen(const struct tag_list *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->tag[i].key, key) == 0)
			return 1;
	return 0;
}

/* Room for more tags: a few at first (a tag is 1 KiB; room for all
 * TAG_MAX_PER_MEMO each time made every listed memo allocate 100 KiB, and
 * a FastCGI process's heap grow and shrink for every list). */
static enum err
grow(struct tag_list *l)
{
	size_t n = l->cap == 0 ? 4 : l->cap * 2;
	struct tag *p;

	if (n > TAG_MAX_PER_MEMO)
		n = TAG_MAX_PER_MEMO;
	if ((p = realloc(l->tag, n * sizeof(*p))) == NULL) {
		tags_free(l);
		return E_NOMEM;
	}
	l->tag = p;
	l->cap = n;
	return E_OK;
}

enum err
tags_parse(const char *text, size_t len, struct tag_list *out)
{
	const uint8_t *s = (const uint8_t *)text, *end = s + len, *p = s;

	out->n = 0;
	if (FAULT("tags_nomem"))
		return E_NOMEM;
	while (out->n < TAG_MAX_PER_MEMO &&
	    (p = memchr(p, '#', (size_t)(end - p))) != NULL) {
		const uint8_t *after = p + 1;
		ucs4_t before = ' ';
		size_t run;

		if (p > s && p[-1] < 0x80)
			before = p[-1];
		else if (p > s)
			(void)u8_prev(&before, p, s);
		p = after;
		if (!tag_opener(before) ||
		    (run = tag_run(after, (size_t)(end - after))) == 0)
			continue;
		/* Made in its place in the list (a tag is 1 KiB), and kept
		 * there only if it is one and new. */
		if (out->n == out->cap && grow(out) != E_OK)
			return E_NOMEM;
		if (!tag_make(after, run, &out->tag[out->n]))
			continue;
		p = after + run;
		if (!tag_seen(out, out->tag[out->n].key))
			out->n++;
	}
	return E_OK;
}

void
tags_free(struct tag_list *l)
{
	free(l->tag);
	memset(l, 0, sizeof(*l));
}

int
tags_same(const struct tag_list *a, const struct tag_list *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->tag[i].key, b->tag[i].key) != 0 ||
		    strcmp(a->tag[i].name, b->tag[i].name) != 0)
			return 0;
	return 1;
}

enum err
tags_filter(const char *s, size_t len, struct tag_filter *out)
{
	struct tag t;
	size_t n;

	if (len > 0 && s[0] == '#') {
		s++;
		len--;
	}
	if (len == 0 || !utf8_valid(s, len) ||
	    tag_run((const uint8_t *)s, len) != len ||
	    !tag_make((const uint8_t *)s, len, &t))
		return E_BADREQ;
	n = strlen(t.key);
	memcpy(out->key, t.key, n + 1);
	memcpy(out->lo, t.key, n);
	memcpy(out->hi, t.key, n);
	out->lo[n] = '/';
	out->hi[n] = '0';
	out->lo[n + 1] = out->hi[n + 1] = '\0';
	out->len = n;
	return E_OK;
}

int
tags_filter_match(const struct tag_filter *f, const struct tag_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (strncmp(l->tag[i].key, f->key, f->len) == 0 &&
		    (l->tag[i].key[f->len] == '\0' ||
		    l->tag[i].key[f->len] == '/'))
			return 1;
	return 0;
}
