/*
 * html.h - HTML output: escaping, and the short Korean error pages.
 */
#ifndef MEMO_HTML_H
#define MEMO_HTML_H

#include <stddef.h>
#include "resp.h"

/* Write s[0..len) with & < > " ' escaped. */
void	html_escape(struct resp *r, const char *s, size_t len);

/* A whole small Korean page: an optional heading, paragraphs (a NULL-
 * terminated list, escaped) and a link home. */
void	html_page(struct resp *r, int status, const char *heading,
	    const char *const *paras);

/* A whole small HTML page for an error: a Korean message and a link home. */
void	html_error_page(struct resp *r, int status, const char *message);

#endif
