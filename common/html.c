/* html.c - HTML escaping and error pages. */
#include <string.h>
#include "html.h"

void
html_escape(struct resp *r, const char *s, size_t len)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		const char *rep;

		switch (s[i]) {
		case '&':  rep = "&amp;"; break;
		case '<':  rep = "&lt;"; break;
		case '>':  rep = "&gt;"; break;
		case '"':  rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:   continue;
		}
		resp_write(r, s + run, i - run);
		resp_puts(r, rep);
		run = i + 1;
	}
	resp_write(r, s + run, len - run);
}

void
html_page_script(struct resp *r, int status, const char *heading,
    const char *const *paras, const char *script, const char *user)
{
	resp_start(r, status, "text/html; charset=utf-8");
	resp_body(r);
	resp_puts(r, "<!doctype html>\n<html lang=\"ko\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">"
	    "<title>메모장</title>"
	    "<link rel=\"stylesheet\" href=\"static/style.css\">");
	if (script != NULL) {
		resp_puts(r, "<script src=\"static/");
		html_escape(r, script, strlen(script));
		resp_puts(r, "\" data-user=\"");
		html_escape(r, user, strlen(user));
		resp_puts(r, "\" defer></script>");
	}
	resp_puts(r, "</head>\n"
	    "<body class=\"error\"><main class=\"page\"><h1>메모장</h1>");
	if (heading != NULL) {
		resp_puts(r, "<h2>");
		html_escape(r, heading, strlen(heading));
		resp_puts(r, "</h2>");
	}
	for (; *paras != NULL; paras++) {
		resp_puts(r, "<p>");
		html_escape(r, *paras, strlen(*paras));
		resp_puts(r, "</p>");
	}
	resp_puts(r, "<p><a href=\"./\">처음으로 돌아가기</a></p>"
	    "</main></body></html>\n");
}

void
html_page(struct resp *r, int status, const char *heading,
    const char *const *paras)
{
	html_page_script(r, status, heading, paras, NULL, NULL);
}

void
html_error_page(struct resp *r, int status, const char *message)
{
	const char *paras[] = { message, NULL };

	html_page(r, status, NULL, paras);
}
