/*
 * tags.h - the #tags of a memo's text.
 *
 * A tag is written as in every hashtag app: '#' at the start of the text or
 * after white space, an opening bracket or a quote, then letters of any
 * script, combining marks, digits, '_', '-' or '/' (nesting: #work/plan),
 * at most TAG_MAX_CHARS of them and at least one that is not a digit.  So
 * "# 제목" (a heading), "##", "#1" and the "#frag" of a URL are not tags.
 * Character classes come from libunistring.
 *
 * Each tag has its name as written (in NFC) and its key, the case-folded
 * form (fold.h) that matching, counting and the tag filter use: #Work and
 * #work are one tag.  A memo's tags are listed in order of first
 * appearance without duplicates (by key), at most TAG_MAX_PER_MEMO of them.
 */
#ifndef MEMO_TAGS_H
#define MEMO_TAGS_H

#include <stddef.h>
#include "err.h"

#define TAG_MAX_CHARS		64
#define TAG_MAX_PER_MEMO	100
/* Bytes: 64 characters of UTF-8; a key may grow threefold in folding. */
#define TAG_NAME_MAX		((size_t)4 * TAG_MAX_CHARS)
#define TAG_KEY_MAX		((size_t)3 * TAG_NAME_MAX)

struct tag {
	char	name[TAG_NAME_MAX + 1];
	char	key[TAG_KEY_MAX + 1];
};

struct tag_list {
	struct tag	*tag;		/* malloc'd array of cap */
	size_t		 n, cap;
};

/* The tags of valid UTF-8 text[0..len).  out is zeroed ({ 0 }) or holds
 * an earlier result, whose room is reused (a list's writer parses every
 * memo into one).  E_NOMEM; out is then empty. */
enum err tags_parse(const char *text, size_t len, struct tag_list *out);
void	 tags_free(struct tag_list *l);
/* 1 if both lists hold the same tags, keys and names as written, in the
 * same order (#Work -> #WORK changes the name memo_tag keeps). */
int	 tags_same(const struct tag_list *a, const struct tag_list *b);

/*
 * A tag filter from a request (tag=work, or tag=#work): its key, and the
 * bounds of its nested tags (key "/" <= k < key "0", '0' being the byte
 * after '/').  E_BADREQ if it is not one tag's characters.
 */
struct tag_filter {
	char	key[TAG_KEY_MAX + 1];
	char	lo[TAG_KEY_MAX + 2];
	char	hi[TAG_KEY_MAX + 2];
	size_t	len;			/* of key */
};
enum err tags_filter(const char *s, size_t len, struct tag_filter *out);
/* 1 if one of l's tags is f's tag or nested in it (the bounds above). */
int	 tags_filter_match(const struct tag_filter *f, const struct tag_list *l);

#endif
