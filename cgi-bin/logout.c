/*
 * logout.cgi - POST /logout: end the session.
 *
 * Returns 303 home after deleting the session row (if any) and expiring the
 * sessionId cookie.  Returns 503 if the database is down: the session is
 * then still live, and the page says so rather than pretend.
 */
#include "app.h"
#include "db.h"
#include "sess.h"

static void
handle(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1], cookie[512];
	const char *cookies[] = { cookie, NULL };
	enum err e = E_OK;

	if (sess_from_request(&ctx->req, hash) == E_OK &&
	    ((e = app_db(ctx)) != E_OK ||
	    (e = db_session_delete(ctx->db, hash)) != E_OK))
		goto out;
	if (sess_set_cookie(cookie, sizeof(cookie), &ctx->req, &ctx->cfg,
	    SESS_COOKIE, "", 0) != 0) {
		e = E_INTERNAL;
		goto out;
	}
	resp_redirect(&ctx->resp, 303, "./", cookies);
out:
	if (e != E_OK)
		app_fail(ctx, e, NULL);
}

static const struct route routes[] = {
	{ "POST", "", handle },
	{ NULL, NULL, NULL },
};

const struct endpoint app_endpoint = { "logout.cgi", 1, routes };
