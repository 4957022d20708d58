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

/* The same with one of the page's own scripts (static/<script>, a
 * constant) run in it, given data-user="user" (hex digits). */
void	html_page_script(struct resp *r, int status, const char *heading,
	    const char *const *paras, const char *script, const char *user);

/* A whole small HTML page for an error: a Korean message and a link home. */
void	html_error_page(struct resp *r, int status, const char *message);

#endif
