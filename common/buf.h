/*
 * buf.h - a growable byte buffer with a hard ceiling.
 *
 * Used wherever outside input is collected (Naver's answers) or strings are
 * built (URLs, form bodies).  The ceiling makes every such buffer bounded:
 * an append past `max` fails instead of growing.  The contents are always
 * NUL-terminated so they can be handed to APIs that want C strings.
 */
#ifndef MEMO_BUF_H
#define MEMO_BUF_H

#include <stddef.h>
#include "err.h"

struct buf {
	char	*p;	/* NUL-terminated; NULL until the first append */
	size_t	 len;
	size_t	 cap;
	size_t	 max;	/* appends that would pass this fail with E_TOOLARGE */
};

void	 buf_init(struct buf *b, size_t max);
enum err buf_add(struct buf *b, const void *data, size_t len);
enum err buf_puts(struct buf *b, const char *s);
void	 buf_free(struct buf *b);
/* buf_free for a buffer that held a secret: its bytes overwritten first
 * (what a realloc along the way left behind is out of reach). */
void	 buf_wipe(struct buf *b);

#endif
