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
 * Returns 405 for HEAD: the callback acts, and HEAD must not.
 * Every answer clears the oauthState cookie: a state is used once.
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

/* What the callback carries, checked against this browser's state. */
struct callback {
	char	code[CODE_MAX + 1];
	char	state[TOKEN_LEN + 2];
	int	cancelled;
};

/* Parse and check the query: E_BADREQ unless it is this browser's state
 * with a code (or Naver's refusal, which needs no check: nothing is
 * written). */
static enum err
callback_parse(const struct cgi_req *req, struct callback *cb)
{
	char error[64], expected[TOKEN_LEN + 1];

	memset(cb, 0, sizeof(*cb));
	if (query_get(req->query, "error", error, sizeof(error)) !=
	    QUERY_MISSING) {
		cb->cancelled = 1;
		return E_OK;
	}
	if (query_get(req->query, "state", cb->state, sizeof(cb->state)) !=
	    TOKEN_LEN || sess_cookie_token(req, STATE_COOKIE, expected) != 0 ||
	    !sess_token_equal(cb->state, expected)) {
		log_msg("login refused: state missing or not this browser's");
		return E_BADREQ;
	}
	if (query_get(req->query, "code", cb->code, sizeof(cb->code)) <= 0)
		return E_BADREQ;
	return E_OK;
}

/* Ask Naver who this is. */
static enum err
naver_who(const struct cfg *cfg, struct callback *cb,
    struct naver_profile *who)
{
	const char *why = NULL;
	enum err e;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return E_INTERNAL;
	e = naver_login(cfg, cb->code, cb->state, who, &why);
	curl_global_cleanup();
	explicit_bzero(cb->code, sizeof(cb->code));
	if (e != E_OK)
		log_msg("naver login failed: %s", why);
	return e;
}

/* Record the login: a new session (the browser's old one ends) and its
 * cookie, in sess_cookie. */
static enum err
session_start(struct ctx *ctx, const struct naver_profile *who,
    char *sess_cookie, size_t len)
{
	char sid[TOKEN_LEN + 1], new_hash[SESS_HASH_LEN + 1];
	char old_hash[SESS_HASH_LEN + 1];
	long max_age = cfg_num(&ctx->cfg, CFG_SESSION_MAX_AGE, 60, 31536000);
	int have_old = sess_from_request(&ctx->req, old_hash) == E_OK;
	enum err e;

	if ((e = sess_token_new(sid)) != E_OK)
		return e;
	sess_hash(sid, new_hash);
	if ((e = app_db(ctx)) == E_OK &&
	    (e = db_login(ctx->db, who->id, who->name, new_hash,
	    have_old ? old_hash : NULL, max_age)) == E_OK &&
	    sess_set_cookie(sess_cookie, len, &ctx->req, &ctx->cfg,
	    SESS_COOKIE, sid, max_age) != 0)
		e = E_INTERNAL;
	explicit_bzero(sid, sizeof(sid));
	return e;
}

static void
handle(struct ctx *ctx)
{
	char sess_cookie[512], clear_state[512] = "";
	const char *cookies[] = { clear_state, NULL, NULL };
	struct callback cb;
	struct naver_profile who;
	enum err e;

	if (strcmp(ctx->req.method, "HEAD") == 0) {
		(void)snprintf(ctx->allow, sizeof(ctx->allow), "GET");
		app_fail(ctx, E_METHOD, NULL);
		return;
	}
	if (sess_set_cookie(clear_state, sizeof(clear_state), &ctx->req,
	    &ctx->cfg, STATE_COOKIE, "", 0) != 0)
		e = E_INTERNAL;
	else if ((e = callback_parse(&ctx->req, &cb)) == E_OK && cb.cancelled)
		resp_redirect(&ctx->resp, 302, "./", cookies);
	else if (e == E_OK && (e = naver_who(&ctx->cfg, &cb, &who)) == E_OK &&
	    (e = session_start(ctx, &who, sess_cookie,
	    sizeof(sess_cookie))) == E_OK) {
		cookies[1] = sess_cookie;
		resp_redirect(&ctx->resp, 302, "./", cookies);
	}
	explicit_bzero(sess_cookie, sizeof(sess_cookie));
	if (e != E_OK) {
		resp_start(&ctx->resp, err_status(e), "text/html; charset=utf-8");
		if (clear_state[0] != '\0')
			resp_header(&ctx->resp, "Set-Cookie", clear_state);
		app_fail(ctx, e, NULL);
	}
}

static const struct route routes[] = {
	{ "GET", "", handle },
	{ NULL, NULL, NULL },
};

const struct endpoint app_endpoint = { "auth.cgi", 1, routes };
