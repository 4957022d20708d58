/*
 * memotext.h - a memo's text with what is stored beside it: its search
 * copy (fold.h) and its tags (tags.h), made together wherever a text is
 * stored (a new memo, an edit, an import, memo-maint's indexing).
 */
#ifndef MEMO_MEMOTEXT_H
#define MEMO_MEMOTEXT_H

#include <stddef.h>
#include "db.h"
#include "err.h"
#include "tags.h"

struct memo_text_parts {
	struct memo_text	 t;		/* what db.h stores */
	char			*search;	/* owned: t.search */
	struct tag_list		 tags;		/* owned: *t.tags */
};

/* Fill p for text[0..len) (borrowed: it must outlive p); E_NOMEM, or a
 * tag error, with p safe to free. */
enum err memo_text_make(const char *text, size_t len,
	    struct memo_text_parts *p);
void	 memo_text_free(struct memo_text_parts *p);

#endif
