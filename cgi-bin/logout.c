/*
 * logout.cgi - POST /logout: end the session; POST /logout?all=1: end
 * every session of the user, on every device, this one included.
 *
 * Returns 303 home after deleting the session row (or, with all=1, every
 * session row of the user) and expiring the sessionId cookie.
 * Returns 401 (a Korean page) for all=1 without a live session: there is
 * no user whose sessions could be ended.  (A plain logout without one
 * still answers 303 and expires the cookie.)
 * Returns 400 for an all other than 1 or 0.
 * Returns 403 (a Korean page, from app_run, as for every POST) for a POST
 * another site's page sent: it carries no session cookie (SameSite=Lax),
 * but its answer would expire this browser's, logging the person out
 * unasked.
 * Returns 503 if the database is down: the sessions are then still live,
 * and the page says so rather than pretend.
 */
#include <string.h>
#include "app.h"
#include "db.h"
#include "query.h"
#include "sess.h"

/* all=1: 1; absent or all=0: 0; anything else E_BADREQ. */
static enum err
all_parse(const char *qs, int *all)
{
	char v[4];
	int n = query_get(qs, "all", v, sizeof(v));

	*all = n == 1 && v[0] == '1';
	return n == QUERY_MISSING || (n == 1 && (v[0] == '1' || v[0] == '0')) ?
	    E_OK : E_BADREQ;
}

/* End the user's every session: the one of hash must be live. */
static enum err
end_all(struct ctx *ctx, const char *hash)
{
	struct db_account me;
	enum err e;

	if ((e = db_account_user(ctx->db, hash, &me)) != E_OK)
		return e;
	return db_sessions_end_all(ctx->db, me.id);
}

static void
handle(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1], cookie[512];
	const char *cookies[] = { cookie, NULL };
	int all = 0, have;
	enum err e;

	if ((e = all_parse(ctx->req.query, &all)) != E_OK)
		goto out;
	have = sess_from_request(&ctx->req, hash) == E_OK;
	if (all && !have) {
		e = E_UNAUTH;
		goto out;
	}
	if (have && ((e = app_db(ctx)) != E_OK ||
	    (e = all ? end_all(ctx, hash) :
	    db_session_delete(ctx->db, hash)) != E_OK))
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

APP_ENDPOINT("logout.cgi", APP_HTML,
	    { "POST", "", handle });
