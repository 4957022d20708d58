/*
 * auth.cgi - GET /auth?code=…&state=…: Naver sends the browser back here.
 *
 * Returns 302 home on error=access_denied (the person cancelled).
 * Returns 400 if state does not match the oauthState cookie, or code is
 * missing: nothing is written.
 * Returns 502 (a Korean page with a link home) if Naver fails in any way:
 * refused, timed out, non-200, not JSON, error JSON, missing fields.  No
 * user and no session is written.
 * Returns 503 if the database is down.
 * Returns 302 home with a new sessionId cookie once the user is upserted
 * and a session created (the browser's previous session, if any, ends).
 */
#include <string.h>
#include <curl/curl.h>
#include "app.h"
#include "db.h"
#include "log.h"
#include "naver.h"
#include "query.h"
#include "sess.h"

#define CODE_MAX	512

static void
handle(struct ctx *ctx)
{
	char code[CODE_MAX + 1], state[TOKEN_LEN + 2], error[64];
	char expected[TOKEN_LEN + 1], sid[TOKEN_LEN + 1];
	char new_hash[SESS_HASH_LEN + 1], old_hash[SESS_HASH_LEN + 1];
	char sess_cookie[512], clear_state[512];
	const char *cookies[] = { clear_state, NULL, NULL };
	const char *why = NULL;
	struct naver_profile who;
	int have_old;
	enum err e = E_OK;

	/* The state is single-use: every answer below clears its cookie. */
	if (sess_set_cookie(clear_state, sizeof(clear_state), &ctx->req,
	    &ctx->cfg, STATE_COOKIE, "", 0) != 0) {
		e = E_INTERNAL;
		goto out;
	}

	/* Parse. */
	if (query_get(ctx->req.query, "error", error, sizeof(error)) !=
	    QUERY_MISSING) {
		/* Cancelled (or any refusal by Naver): home, nothing written. */
		resp_redirect(&ctx->resp, 302, "./", cookies);
		goto out;
	}
	if (query_get(ctx->req.query, "state", state, sizeof(state)) !=
	    TOKEN_LEN || sess_cookie_token(&ctx->req, STATE_COOKIE,
	    expected) != 0 || !sess_token_equal(state, expected)) {
		log_msg("login refused: state missing or not this browser's");
		e = E_BADREQ;
		goto out;
	}
	if (query_get(ctx->req.query, "code", code, sizeof(code)) <= 0) {
		e = E_BADREQ;
		goto out;
	}

	/* Act: ask Naver who this is, then record the login. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		e = E_INTERNAL;
		goto out;
	}
	e = naver_login(&ctx->cfg, code, state, &who, &why);
	curl_global_cleanup();
	explicit_bzero(code, sizeof(code));
	if (e != E_OK) {
		log_msg("naver login failed: %s", why);
		goto out;
	}
	have_old = sess_from_request(&ctx->req, old_hash) == E_OK;
	if ((e = sess_token_new(sid)) != E_OK)
		goto out;
	sess_hash(sid, new_hash);
	if ((e = app_db(ctx)) != E_OK ||
	    (e = db_login(ctx->db, who.id, who.name, new_hash,
	    have_old ? old_hash : NULL,
	    cfg_num(&ctx->cfg, CFG_SESSION_MAX_AGE, 60, 31536000))) != E_OK)
		goto out;

	/* Respond. */
	if (sess_set_cookie(sess_cookie, sizeof(sess_cookie), &ctx->req,
	    &ctx->cfg, SESS_COOKIE, sid,
	    cfg_num(&ctx->cfg, CFG_SESSION_MAX_AGE, 60, 31536000)) != 0) {
		e = E_INTERNAL;
		goto out;
	}
	cookies[1] = sess_cookie;
	resp_redirect(&ctx->resp, 302, "./", cookies);
out:
	explicit_bzero(sid, sizeof(sid));
	explicit_bzero(sess_cookie, sizeof(sess_cookie));
	if (e != E_OK) {
		resp_start(&ctx->resp, err_status(e), "text/html; charset=utf-8");
		resp_header(&ctx->resp, "Set-Cookie", clear_state);
		app_fail(ctx, e, why);
	}
}

static const struct route routes[] = {
	{ "GET", "", handle },
	{ NULL, NULL, NULL },
};

const struct endpoint app_endpoint = { "auth.cgi", 1, routes };
