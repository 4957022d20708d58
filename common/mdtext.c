/* mdtext.c - a person's text in the Markdown export (mdtext.h). */
#include "mdtext.h"

/* 1 if s[j] is where a tag name may stop: "/", ">", the end, or any
 * byte that some renderer takes for a blank.  cmark-gfm counts \v and
 * \f, markdown-it JavaScript's \s (U+00A0, U+3000…): so every control
 * byte and every non-ASCII one, at the cost of escaping a harmless
 * "<b한" now and then.  What is left (':', '@', '.') keeps autolinks. */
static int
tag_end(const char *s, size_t n, size_t j)
{
	unsigned char c;

	if (j == n)
		return 1;
	c = (unsigned char)s[j];
	return c <= 0x20 || c >= 0x7f || c == '/' || c == '>';
}

/* 1 if s[i] ('<') could begin HTML: an end tag ("</"), a comment or
 * declaration ("<!"), a processing instruction ("<?"), or a tag: a
 * letter, then letters, digits or '-', then a blank, '/', '>' or the
 * line's end.  An autolink (<https://…>, <a@b.kr>) is not HTML and
 * stays as written. */
static int
html_at(const char *s, size_t n, size_t i)
{
	size_t j = i + 1;

	if (j == n)
		return 0;
	if (s[j] == '/' || s[j] == '!' || s[j] == '?')
		return 1;
	if (!((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')))
		return 0;
	while (j < n && ((s[j] >= 'a' && s[j] <= 'z') ||
	    (s[j] >= 'A' && s[j] <= 'Z') || (s[j] >= '0' && s[j] <= '9') ||
	    s[j] == '-'))
		j++;
	return tag_end(s, n, j);
}

/* s[0..n) of one line, each '<' that could begin HTML escaped.  A '<'
 * after an odd run of backslashes is escaped already; after an even one
 * (a written "\\<b>": the backslashes are each other's), one more. */
static void
put_escaped(struct resp *r, const char *s, size_t n)
{
	size_t from = 0, run = 0;

	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] == '<' && run % 2 == 0 && html_at(s, n, i)) {
			resp_write(r, s + from, i - from);
			resp_write(r, "\\", 1);
			from = i;
		}
		run = s[i] == '\\' ? run + 1 : 0;
	}
	resp_write(r, s + from, n - from);
}

/* Past the blanks at s[i]. */
static size_t
blanks(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* Past a blockquote's '>' or a list item's marker ("-", "+", "*", "1."
 * or "1)" then a blank) at s[i], and the blanks after it; i if none. */
static size_t
container(const char *s, size_t n, size_t i)
{
	size_t j = i;

	if (i < n && s[i] == '>')
		return blanks(s, n, i + 1);
	if (i < n && (s[i] == '-' || s[i] == '+' || s[i] == '*'))
		j++;
	else {
		while (j < n && j - i < 9 && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j == i || j == n || (s[j] != '.' && s[j] != ')'))
			return i;
		j++;
	}
	if (j == n || (s[j] != ' ' && s[j] != '\t'))
		return i;
	return blanks(s, n, j);
}

/* 1 if s[i..n) is one of = - * _ repeated, blanks between: a setext
 * heading's underline or a rule. */
static int
rule(const char *s, size_t n, size_t i)
{
	char c;

	if (i == n || (s[i] != '=' && s[i] != '-' && s[i] != '*' &&
	    s[i] != '_'))
		return 0;
	for (c = s[i]; i < n; i++)
		if (s[i] != c && s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* 1 if s[i..n) opens a heading (1 to 6 '#', then a blank or the end) or
 * a code fence (three '`' or '~'). */
static int
opener(const char *s, size_t n, size_t i)
{
	size_t j = i;

	if (i == n)
		return 0;
	if (s[i] == '#') {
		while (j < n && s[j] == '#')
			j++;
		return j - i <= 6 && (j == n || s[j] == ' ' || s[j] == '\t');
	}
	if (s[i] != '`' && s[i] != '~')
		return 0;
	while (j < n && s[j] == s[i])
		j++;
	return j - i >= 3;
}

/* One line s[0..n), without its end. */
static void
put_line(struct resp *r, const char *s, size_t n)
{
	size_t i = blanks(s, n, 0), j;
	int escape = rule(s, n, i);

	if (!escape) {
		while ((j = container(s, n, i)) != i)
			i = j;
		escape = rule(s, n, i) || opener(s, n, i);
	}
	if (!escape) {
		put_escaped(r, s, n);
		return;
	}
	put_escaped(r, s, i);
	resp_write(r, "\\", 1);
	put_escaped(r, s + i, n - i);
}

/* How long the line at s[i] is, up to its "\r", "\n" or the end. */
static size_t
line_len(const char *s, size_t len, size_t i)
{
	size_t n = 0;

	while (i + n < len && s[i + n] != '\n' && s[i + n] != '\r')
		n++;
	return n;
}

void
md_text(struct resp *r, const char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		n = line_len(s, len, i);
		put_line(r, s + i, n);
		i += n;
		if (i < len) {
			n = s[i] == '\r' && i + 1 < len && s[i + 1] == '\n' ? 2 : 1;
			resp_write(r, s + i, n);
			i += n;
		}
	}
}

void
md_inline(struct resp *r, const char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		n = line_len(s, len, i);
		put_escaped(r, s + i, n);
		i += n;
		for (; i < len && (s[i] == '\n' || s[i] == '\r'); i++)
			resp_write(r, " ", 1);
	}
}
