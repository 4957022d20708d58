/*
 * index.cgi - GET /: the page.
 *
 * Returns 200 with htdocs/index.html (embedded at build time) filled in:
 * "<name>님의 메모장" and the memo form for a live session, the title and
 * the Naver login button for guests.  The name is HTML-escaped; memo texts
 * are loaded by the page's script and set with textContent.  data-user is
 * an opaque id of the person (sess_user_key): the page keeps its drafts
 * under it.
 * A stale sessionId cookie is expired.  Returns 503 (a Korean page) if the
 * visitor has a session cookie and the database is down.
 */
#include <stdio.h>
#include <string.h>
#include "app.h"
#include "db.h"
#include "html.h"
#include "sess.h"
#include "index_html.h"		/* generated: index_html[], index_html_len */

#define TITLE_SUFFIX	"님의 메모장"
#define GUEST_TITLE	"메모장"

/* Write the template, replacing {{state}}, {{title}}, {{user}} and
 * {{since}} (when the account was made: the page's drafts of an account
 * withdrawn since are not this one's); me is NULL for a guest. */
static void
render(struct resp *r, const struct db_account *me)
{
	const char *name = me != NULL ? me->name : NULL;
	const char *p = (const char *)index_html, *end = p + index_html_len;
	char uid[SESS_HASH_LEN + 1] = "";

	/* An id that does not fit gets no data-user: the page then keeps no
	 * drafts. */
	if (me != NULL)
		(void)sess_user_key(me->id, uid);

	while (p < end) {
		const char *m = memmem(p, (size_t)(end - p), "{{", 2);

		if (m == NULL) {
			resp_write(r, p, (size_t)(end - p));
			break;
		}
		resp_write(r, p, (size_t)(m - p));
		if ((size_t)(end - m) >= 9 && memcmp(m, "{{state}}", 9) == 0) {
			resp_puts(r, name ? "user" : "guest");
			p = m + 9;
		} else if ((size_t)(end - m) >= 8 &&
		    memcmp(m, "{{user}}", 8) == 0) {
			resp_puts(r, uid);		/* hex digits */
			p = m + 8;
		} else if ((size_t)(end - m) >= 9 &&
		    memcmp(m, "{{since}}", 9) == 0) {
			if (me != NULL)
				html_escape(r, me->created_at,
				    strlen(me->created_at));
			p = m + 9;
		} else if ((size_t)(end - m) >= 9 &&
		    memcmp(m, "{{title}}", 9) == 0) {
			if (name != NULL) {
				html_escape(r, name, strlen(name));
				resp_puts(r, TITLE_SUFFIX);
			} else
				resp_puts(r, GUEST_TITLE);
			p = m + 9;
		} else {
			resp_write(r, m, 2);
			p = m + 2;
		}
	}
}

static void
handle(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1], cookie[512];
	struct db_account me;
	int have = sess_from_request(&ctx->req, hash) == E_OK;
	enum err e = E_OK;

	if (have && ((e = app_db(ctx)) != E_OK ||
	    (e = db_account_user(ctx->db, hash, &me)) != E_OK)) {
		if (e != E_UNAUTH) {
			app_fail(ctx, e, NULL);
			return;
		}
		have = 0;	/* expired or unknown: a guest again */
	}
	resp_start(&ctx->resp, 200, "text/html; charset=utf-8");
	if (e == E_UNAUTH && sess_set_cookie(cookie, sizeof(cookie),
	    &ctx->req, &ctx->cfg, SESS_COOKIE, "", 0) == 0)
		resp_header(&ctx->resp, "Set-Cookie", cookie);
	resp_body(&ctx->resp);
	render(&ctx->resp, have ? &me : NULL);
}

APP_ENDPOINT("index.cgi", APP_HTML,
	    { "GET", "", handle });
