/*
 * login.cgi - GET /login: start logging in with Naver; POST
 * /login?intent=withdraw: start a withdrawal (탈퇴), which Naver must
 * confirm.
 *
 * Returns 302 to Naver's authorize URL (response_type=code, client_id,
 * redirect_uri, state) and sets a short-lived HttpOnly, SameSite=Lax
 * oauthState cookie, which auth.cgi checks on the way back:
 *   - a login: the cookie is the fresh state itself;
 *   - a withdrawal: the URL also asks Naver to show its consent page again
 *     (auth_type=reprompt), the cookie is "w." and a fresh nonce, and the
 *     state is bound to that nonce, to the intent and to this session
 *     (sess_withdraw_state), so only this browser, withdrawing, with this
 *     session can complete it.
 * A withdrawal is a POST, which the page sends after asking, and its
 * answer is 200 {"location": Naver's URL}, which the page goes to: a link
 * (in a mail, on another site) is a GET, and Naver's consent page looks
 * like any login's, so a GET must not lead anyone there.  (A 302 after a
 * form's POST would need Naver in the page's CSP form-action.)  A GET with
 * intent=withdraw is sent to the 계정 view (303), where withdrawing starts.
 * A cross-site POST carries no session cookie (SameSite=Lax), cannot read
 * the answer, and one that says it is not from our own page
 * (Sec-Fetch-Site) is refused too.
 * Returns 401 (a Korean page) for a withdrawal without a live session;
 * 403 for one from another site's page; 503 if the database is down.
 * Returns 400 for another intent, or if the redirect URI must be derived
 * from a malformed Host header; 500 if NAVER_CLIENT_ID is not configured,
 * or if a Naver URL setting is neither https:// nor http:// to a loopback
 * host (naver_endpoints_check; the log says which): a misconfiguration
 * shows at the first step, before the person is sent anywhere.
 */
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "db.h"
#include "jsonx.h"
#include "log.h"
#include "naver.h"
#include "query.h"
#include "sess.h"

/* What the browser asks for: 0 a login, 1 a withdrawal; E_BADREQ. */
static enum err
intent_parse(const struct cgi_req *req, int *withdraw)
{
	char v[16];
	int n = query_get(req->query, "intent", v, sizeof(v));

	*withdraw = n >= 0 && strcmp(v, "withdraw") == 0;
	return n == QUERY_MISSING || *withdraw ? E_OK : E_BADREQ;
}

/*
 * A withdrawal starts only from a live session and from our own page
 * (a POST: app_run refused it already if another page sent it).
 */
static enum err
withdraw_allowed(struct ctx *ctx, char hash[SESS_HASH_LEN + 1])
{
	enum err e;

	if ((e = sess_from_request(&ctx->req, hash)) != E_OK)
		return e;
	if ((e = app_db(ctx)) != E_OK)
		return e;
	return db_session_live(ctx->db, hash);
}

/* The state to send and the cookie that will prove it (cookie: its
 * value, cookielen bytes). */
static enum err
state_make(struct ctx *ctx, int withdraw, char state[TOKEN_LEN + 1],
    char *cookie, size_t cookielen, const char **why)
{
	char hash[SESS_HASH_LEN + 1];
	char value[STATE_COOKIE_MAX + 1];
	/* This one first, then those of logins begun in other tabs. */
	struct sess_state st[STATE_KEEP + 1];
	int n = sess_state_cookies(&ctx->req, st + 1);
	enum err e;

	if (!withdraw) {
		st[0].intent = INTENT_LOGIN;
		if ((e = sess_token_new(st[0].token)) != E_OK)
			goto no_random;
		memcpy(state, st[0].token, TOKEN_LEN + 1);
	} else {
		if ((e = withdraw_allowed(ctx, hash)) != E_OK)
			return e;
		st[0].intent = INTENT_WITHDRAW;
		if ((e = sess_token_new(st[0].token)) != E_OK)
			goto no_random;
		sess_withdraw_state(st[0].token, hash, state);
	}
	sess_state_join(st, n + 1 < STATE_KEEP ? n + 1 : STATE_KEEP, value,
	    sizeof(value));
	explicit_bzero(st, sizeof(st));
	if (sess_set_cookie(cookie, cookielen, &ctx->req, &ctx->cfg,
	    STATE_COOKIE, value, STATE_MAX_AGE) != 0) {
		*why = "the login state's cookie does not fit (its path is too long)";
		return E_INTERNAL;
	}
	return E_OK;
no_random:
	*why = "getrandom failed";
	return e;
}

/* 200 {"location": url}, setting cookie. */
static enum err
answer_location(struct resp *r, const char *url, const char *cookie)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL || jsonx_add(o, "location",
	    json_object_new_string(url)) != 0) {
		json_object_put(o);
		return E_NOMEM;
	}
	resp_start(r, 200, "application/json; charset=utf-8");
	resp_header(r, "Set-Cookie", cookie);
	resp_json(r, 200, o);
	json_object_put(o);
	return E_OK;
}

/* To Naver's authorize URL, for a login or a withdrawal. */
static void
start(struct ctx *ctx, int withdraw)
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
	/* Found only at /auth, after the person agreed at Naver. */
	if (*cfg_str(&ctx->cfg, CFG_NAVER_CLIENT_SECRET) == '\0') {
		why = "NAVER_CLIENT_SECRET is not set";
		e = E_INTERNAL;
		goto out;
	}
	if ((e = naver_endpoints_check(&ctx->cfg, &why)) != E_OK)
		goto out;
	if ((e = naver_redirect_uri(&ctx->cfg, &ctx->req, redirect,
	    sizeof(redirect))) != E_OK) {
		why = e == E_BADREQ ? "the Host header is not a host name" :
		    "the callback URL does not fit: over 1023 bytes"
		    " (NAVER_REDIRECT_URI, or the Host and the path), or its"
		    " mount point over 255 bytes as a URL path";
		goto out;
	}
	if ((e = state_make(ctx, withdraw, state, cookie,
	    sizeof(cookie), &why)) != E_OK)
		goto out;
	if ((url = naver_authorize_url(&ctx->cfg, redirect, state,
	    withdraw)) == NULL) {
		why = "out of memory for Naver's address";
		e = E_INTERNAL;
		goto out;
	}
	if (!withdraw)
		resp_redirect(&ctx->resp, 302, url, cookies);
	else
		e = answer_location(&ctx->resp, url, cookie);
out:
	/* The page says only that something is wrong: the log says what,
	 * for the operator (a setting missing shows at the first step). */
	if (e != E_OK && why != NULL)
		log_msg("login refused: %s", why);
	if (e != E_OK)
		app_fail(ctx, e, why);
	free(url);
}

/* GET: a login; a withdrawal's old link goes to where one starts. */
static void
login(struct ctx *ctx)
{
	int withdraw;

	if (intent_parse(&ctx->req, &withdraw) != E_OK)
		app_fail(ctx, E_BADREQ, NULL);
	else if (withdraw)
		resp_redirect(&ctx->resp, 303, "./#view=account", NULL);
	else
		start(ctx, 0);
}

/* POST: a withdrawal, and nothing else. */
static void
withdrawal(struct ctx *ctx)
{
	int withdraw;

	if (intent_parse(&ctx->req, &withdraw) != E_OK || !withdraw)
		app_fail(ctx, E_BADREQ, NULL);	/* an HTML page: no reason */
	else
		start(ctx, 1);
}

APP_ENDPOINT("login.cgi", APP_HTML,
	    { "GET", "", login }, { "POST", "", withdrawal });
