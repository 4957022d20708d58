/*
 * login.cgi - GET /login: start logging in with Naver.
 *
 * Returns 302 to Naver's authorize URL (response_type=code, client_id,
 * redirect_uri, state) and sets the same fresh state in a short-lived
 * HttpOnly, SameSite=Lax cookie, which auth.cgi checks on the way back.
 * Returns 500 if NAVER_CLIENT_ID is not configured, 400 if the redirect
 * URI must be derived from a malformed Host header.
 */
#include <stdlib.h>
#include "app.h"
#include "naver.h"
#include "sess.h"

static void
handle(struct ctx *ctx)
{
	char state[TOKEN_LEN + 1], redirect[1024], cookie[512];
	const char *cookies[] = { cookie, NULL };
	const char *why = NULL;
	char *url = NULL;
	enum err e;

	if (*cfg_str(&ctx->cfg, CFG_NAVER_CLIENT_ID) == '\0') {
		why = "NAVER_CLIENT_ID is not set";
		e = E_INTERNAL;
		goto out;
	}
	if ((e = sess_token_new(state)) != E_OK ||
	    (e = naver_redirect_uri(&ctx->cfg, &ctx->req, redirect,
	    sizeof(redirect))) != E_OK)
		goto out;
	if ((url = naver_authorize_url(&ctx->cfg, redirect, state)) == NULL ||
	    sess_set_cookie(cookie, sizeof(cookie), &ctx->req, &ctx->cfg,
	    STATE_COOKIE, state, STATE_MAX_AGE) != 0) {
		e = E_INTERNAL;
		goto out;
	}
	resp_redirect(&ctx->resp, 302, url, cookies);
out:
	if (e != E_OK)
		app_fail(ctx, e, why);
	free(url);
}

static const struct route routes[] = {
	{ "GET", "", handle },
	{ NULL, NULL, NULL },
};

const struct endpoint app_endpoint = { "login.cgi", 1, routes };
