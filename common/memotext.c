/* memotext.c - a memo's text, search copy and tags (memotext.h). */
#include <stdlib.h>
#include <string.h>
#include "fold.h"
#include "memotext.h"

enum err
memo_text_make(const char *text, size_t len, struct memo_text_parts *p)
{
	enum err e;

	memset(p, 0, sizeof(*p));
	if ((e = fold_text(text, len, &p->search, &p->t.search_len)) != E_OK ||
	    (e = tags_parse(text, len, &p->tags)) != E_OK)
		return e;
	p->t.text = text;
	p->t.len = len;
	p->t.search = p->search;
	p->t.tags = &p->tags;
	return E_OK;
}

void
memo_text_free(struct memo_text_parts *p)
{
	free(p->search);
	tags_free(&p->tags);
	p->search = NULL;
}
