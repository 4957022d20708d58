/*
 * mdtext.h - a person's text in the Markdown export (GET /export?format=md).
 *
 * The text goes out as written, with its line breaks, lists, "- [ ]"
 * checkboxes and emphasis, but it cannot make the file's own structure: a
 * memo must not show what looks like another date's or another memo's
 * heading, hide the memos after it, or a line saying the export was cut.
 * A backslash (Markdown's escape, which renders as nothing) goes before
 *   - a heading's '#' (1 to 6, then a blank or the line's end), a code
 *     fence (``` or ~~~), and a line of one of = - * _ (a setext heading's
 *     underline or a rule), at the start of a line or after a
 *     blockquote's '>' or a list item's marker;
 *   - every '<' that could begin HTML (a tag: a name then a blank, '/',
 *     '>' or the line's end; </, <!-- or <!, <?), not an autolink's
 *     (<https://…>, <me@example.kr>), which is not HTML: an HTML
 *     block would run on over the memos after it, and inline HTML could
 *     draw a heading.  One already escaped by the text (after an odd
 *     run of backslashes) is left; after an even run, which would
 *     otherwise escape the added backslash instead, it is escaped.
 * "\r", "\r\n" and "\n" all end a line, as in Markdown.
 */
#ifndef MEMO_MDTEXT_H
#define MEMO_MDTEXT_H

#include <stddef.h>
#include "resp.h"

/* A memo's text s[0..len), line by line. */
void	md_text(struct resp *r, const char *s, size_t len);
/* Text inside a heading's line (a name): line breaks become spaces. */
void	md_inline(struct resp *r, const char *s, size_t len);

#endif
