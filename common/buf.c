/* buf.c - bounded growable buffer. */
#include <stdlib.h>
#include <string.h>
#include "buf.h"

void
buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

enum err
buf_add(struct buf *b, const void *data, size_t len)
{
	size_t	 need, ncap;
	char	*np;

	if (len > b->max || b->len > b->max - len)
		return E_TOOLARGE;
	need = b->len + len + 1;
	if (need > b->cap) {
		ncap = b->cap ? b->cap : 256;
		while (ncap < need)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL)
			return E_NOMEM;
		b->p = np;
		b->cap = ncap;
	}
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return E_OK;
}

enum err
buf_puts(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

void
buf_free(struct buf *b)
{
	free(b->p);
	buf_init(b, b->max);
}

void
buf_wipe(struct buf *b)
{
	if (b->p != NULL)
		explicit_bzero(b->p, b->cap);
	buf_free(b);
}
