/*
 * auth.cgi - GET /auth?code=…&state=…: Naver sends the browser back here,
 * from a login or from a withdrawal (login.cgi says which in the
 * oauthState cookie).
 *
 * Returns 302 home on error=access_denied (the person cancelled): nothing
 * is written or deleted; a cancelled withdrawal goes back to the page's
 * 계정 view (./#view=account&withdraw=cancelled, which says so).  Any
 * other error (server_error…) is Naver failing: 502, the log names it.
 * Returns 400 if state does not match the oauthState cookie (for a
 * withdrawal: was not made for this session), or code is missing, or the
 * state was used before: nothing is written.  A state is used once: every
 * state accepted here is recorded (its hash, kept a day: schema/005)
 * before Naver is asked anything, so the same callback sent again, even
 * with its cookie and a new code, is refused without a call to Naver.
 * Returns 502 (a Korean page with a link home) if Naver fails in any way
 * while the code is exchanged or the profile fetched: refused, timed out,
 * a TLS certificate not accepted, non-200, not JSON, error JSON, missing
 * fields.  Nothing is written; the log says why, in libcurl's words too.
 * Returns 500 if a Naver URL setting is neither https:// nor http:// to a
 * loopback host (naver_endpoints_check): no connection is made.
 * Returns 503 if the database is down (it is asked first, to spend the
 * state).
 * Returns 405 for HEAD: the callback acts, and HEAD must not.
 * Every answer clears the oauthState cookie.
 *
 * A login: 302 home with a new sessionId cookie once the user is upserted
 * and a session created (the browser's previous session, if any, ends).
 *
 * A withdrawal (탈퇴):
 * Returns 401 if the session it was started from is no longer live.
 * Returns 403 (a Korean page) if the Naver account that confirmed is not
 * the session's user: nothing is deleted, nothing unlinked.
 * Otherwise deletes the user and every row of theirs in one transaction,
 * then unlinks memo from the person's Naver account (grant_type=delete
 * with the fresh access token), and answers 200, a Korean page saying it
 * is done, with the sessionId cookie expired.  If the unlink fails the
 * data is deleted all the same (the person asked for it): the page says
 * the link is still there and how to remove it at Naver, the log says why.
 * If the database fails during the deletion nothing is deleted, nothing
 * unlinked (503).  A user deleted meanwhile by another withdrawal (another
 * device's) is withdrawn: this one unlinks and says it is done, as the
 * other may have failed to unlink.
 */
#include <stdio.h>
#include <string.h>
#include "app.h"
#include "db.h"
#include "html.h"
#include "log.h"
#include "naver.h"
#include "query.h"
#include "sess.h"
#include "utf8.h"

#define CODE_MAX	512

/* What the callback carries, checked against this browser's state. */
struct callback {
	char			code[CODE_MAX + 1];
	char			state[TOKEN_LEN + 2];
	int			cancelled;
	enum sess_intent	intent;
	char			hash[SESS_HASH_LEN + 1];  /* a withdrawal's */
	/* The state cookie's other entries, kept for the other tabs: none
	 * unless the callback's state was one of them. */
	char			rest[STATE_COOKIE_MAX + 1];
};

/* A callback refused for its state (used before, another browser's, an
 * old one) or without a code: what happened and what to do, for a person
 * who may simply have pressed Back or opened an old tab. */
#define STATE_REFUSED \
	"이 네이버 인증 요청은 확인할 수 없습니다. 이미 사용했거나, 다른 " \
	"브라우저에서 시작했거나, 오래된 요청입니다. 처음 화면으로 돌아가 " \
	"다시 시도해 주세요."

/* Which entry of this browser's oauthState cookie state (the query's) is:
 * a login's state itself, or the withdrawal's state made from its nonce
 * and the session.  E_OK, with cb->intent and the other entries in
 * cb->rest; else E_BADREQ (none), or E_UNAUTH if only a withdrawal's
 * could have been and there is no session cookie.  With no state, the
 * newest entry's intent (a cancel's redirect). */
static enum err
state_match(const struct cgi_req *req, struct callback *cb, const char *state)
{
	struct sess_state st[STATE_KEEP];
	char expected[TOKEN_LEN + 1];
	int n = sess_state_cookies(req, st), found = -1, no_session = 0;

	if (n > 0)
		cb->intent = st[0].intent;
	for (int i = 0; i < n && found < 0 && state != NULL; i++) {
		if (st[i].intent == INTENT_LOGIN)
			memcpy(expected, st[i].token, sizeof(expected));
		else if (sess_from_request(req, cb->hash) == E_OK)
			sess_withdraw_state(st[i].token, cb->hash, expected);
		else {
			no_session = 1;
			continue;
		}
		if (sess_token_equal(state, expected))
			found = i;
	}
	explicit_bzero(expected, sizeof(expected));
	if (found >= 0) {
		cb->intent = st[found].intent;
		memmove(&st[found], &st[found + 1],
		    (size_t)(n - found - 1) * sizeof(st[0]));
		sess_state_join(st, n - 1, cb->rest, sizeof(cb->rest));
	}
	explicit_bzero(st, sizeof(st));
	return found >= 0 ? E_OK : no_session ? E_UNAUTH : E_BADREQ;
}

/* Spend the state: record that it was used, before anything acts on it
 * (schema/005_oauth_state.sql); E_BADREQ if it was used before. */
static enum err
state_spend(struct ctx *ctx, const struct callback *cb)
{
	char hash[SESS_HASH_LEN + 1];
	enum err e;

	sess_hash(cb->state, hash);
	if ((e = app_db(ctx)) == E_OK &&
	    (e = db_state_use(ctx->db, hash)) == E_BADREQ)
		log_msg("%s refused: state already used",
		    cb->intent == INTENT_WITHDRAW ? "withdrawal" : "login");
	return e;
}

/* Parse and check the query: E_BADREQ unless it is this browser's state,
 * never used before, with a code (or Naver's refusal, which needs no
 * check: nothing is written). */
static enum err
callback_parse(struct ctx *ctx, struct callback *cb)
{
	const struct cgi_req *req = &ctx->req;
	char error[64];
	enum err e = E_BADREQ;
	int n, s;

	memset(cb, 0, sizeof(*cb));
	s = query_get(req->query, "state", cb->state, sizeof(cb->state));
	if ((n = query_get(req->query, "error", error, sizeof(error))) !=
	    QUERY_MISSING) {
		(void)state_match(req, cb, s == TOKEN_LEN ? cb->state : NULL);
		if (n > 0 && strcmp(error, "access_denied") == 0) {
			cb->cancelled = 1;	/* the person said no */
			return E_OK;
		}
		/* Naver failing (server_error…) is not the person cancelling:
		 * a 502, and the log says which. */
		log_msg("%s refused by Naver: error=%s",
		    cb->intent == INTENT_WITHDRAW ? "withdrawal" : "login",
		    n > 0 && naver_code(error, (size_t)n) ? error :
		    "(not a code)");
		return E_UPSTREAM;
	}
	if (s != TOKEN_LEN || (e = state_match(req, cb, cb->state)) != E_OK) {
		log_msg("%s refused: state missing or not this browser's",
		    cb->intent == INTENT_WITHDRAW ? "withdrawal" : "login");
		return e == E_UNAUTH ? E_UNAUTH : E_BADREQ;
	}
	if (query_get(req->query, "code", cb->code, sizeof(cb->code)) <= 0)
		return E_BADREQ;
	return state_spend(ctx, cb);
}

/* Ask Naver who this is; token (may be NULL) keeps the access token. */
static enum err
naver_who(const struct cfg *cfg, struct callback *cb,
    struct naver_profile *who, char token[NAVER_MAX_TOKEN + 1])
{
	char why[NAVER_WHY_MAX];
	enum err e;

	e = naver_login(cfg, cb->code, cb->state, who, token, why);
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
	char old_hash[SESS_HASH_LEN + 1], pid[SESS_PUBLIC_ID_LEN + 1];
	char ua[SESS_UA_MAX + 1];
	const char *agent = cgi_getenv(ctx->req.env, "HTTP_USER_AGENT");
	struct db_session_new s = { new_hash, pid, NULL,
	    cfg_num(&ctx->cfg, CFG_SESSION_MAX_AGE, 60, 31536000) };
	int have_old = sess_from_request(&ctx->req, old_hash) == E_OK;
	enum err e;

	if ((e = sess_token_new(sid)) != E_OK ||
	    (e = sess_public_id_new(pid)) != E_OK)
		return e;
	if (agent != NULL && *agent != '\0') {
		(void)utf8_clean(agent, strlen(agent), SESS_UA_MAX_CHARS, ua,
		    sizeof(ua));
		s.user_agent = ua;
	}
	sess_hash(sid, new_hash);
	if ((e = app_db(ctx)) == E_OK &&
	    (e = db_login(ctx->db, who->id, who->name, &s,
	    have_old ? old_hash : NULL)) == E_OK &&
	    sess_set_cookie(sess_cookie, len, &ctx->req, &ctx->cfg,
	    SESS_COOKIE, sid, s.max_age) != 0)
		e = E_INTERNAL;
	explicit_bzero(sid, sizeof(sid));
	return e;
}

/* Unlink at Naver; 1 if done.  A failure is logged (never the token): the
 * data is already deleted, and the page says how to unlink at Naver. */
static int
unlink_at_naver(const struct cfg *cfg, const char *token)
{
	char why[NAVER_WHY_MAX];
	enum err e;

	e = naver_unlink(cfg, token, why);
	if (e != E_OK)
		log_msg("withdrawal: naver unlink failed: %s", why);
	return e == E_OK;
}

/* What the page after a withdrawal says of Naver's link. */
enum link_state {
	LINK_REMOVED,		/* unlinked */
	LINK_KEPT,		/* the unlink failed */
	LINK_UNKNOWN		/* it failed, after another device's
				 * withdrawal, whose unlink may have worked:
				 * then this token was revoked with it */
};

/* The page after a withdrawal: done, and whether Naver's link is gone.
 * Its script (static/forget.js) has this browser forget the person's
 * unsaved drafts: kept under the same key, they would come back in the
 * empty account a new login with the same Naver account starts. */
static void
withdrawn_page(struct resp *r, enum link_state link, const char *user_id)
{
	char key[SESS_HASH_LEN + 1];
	/* The second paragraph, of the link, by link_state. */
	static const char *const of_link[] = {
	    [LINK_REMOVED] = "네이버 계정과 메모장의 연결도 해제했습니다.",
	    [LINK_KEPT] =
	    "다만 네이버 계정과 메모장의 연결은 해제하지 못했습니다. 네이버에 "
	    "로그인한 뒤 네이버ID(https://nid.naver.com) › 이력관리 › 연결된 "
	    "서비스 관리에서 ‘메모장’을 찾아 ‘동의 철회’를 눌러 주세요. 연결이 "
	    "남아 있어도 메모장에는 회원님의 데이터가 남아 있지 않습니다.",
	    [LINK_UNKNOWN] =
	    "다른 기기에서 먼저 진행된 탈퇴가 데이터를 삭제했습니다. 네이버 계정과 "
	    "메모장의 연결은 그 탈퇴에서 이미 해제되었을 수 있지만, 여기서는 "
	    "확인하지 못했습니다. 네이버ID(https://nid.naver.com) › 이력관리 › "
	    "연결된 서비스 관리에 ‘메모장’이 남아 있다면 ‘동의 철회’를 눌러 주세요.",
	};
	const char *paras[] = {
	    "메모장에 있던 회원님의 데이터를 모두 삭제했습니다: 메모, 휴지통, "
	    "수정 기록, 태그, 그리고 모든 기기의 로그인.",
	    of_link[link],
	    "같은 네이버 계정으로 다시 로그인하면 빈 메모장으로 새로 시작합니다.",
	    NULL };

	if (sess_user_key(user_id, key) != 0)
		html_page(r, 200, "탈퇴가 완료되었습니다", paras);
	else
		html_page_script(r, 200, "탈퇴가 완료되었습니다", paras,
		    "forget.js", key);
}

/* 403: another Naver account confirmed; nothing happened. */
static void
other_account_page(struct resp *r)
{
	const char *paras[] = {
	    "지금 메모장에 로그인한 계정과 다른 네이버 계정으로 확인하셨습니다. "
	    "아무것도 삭제하지 않았습니다.",
	    "탈퇴하려면 메모장에 로그인할 때 쓴 네이버 계정으로 다시 "
	    "시도해 주세요.", NULL };

	html_page(r, 403, "탈퇴하지 않았습니다", paras);
}

/* A withdrawal whose COMMIT lost its answer: E_OK if the user is gone
 * (it was written: the link is to go as well), E_DB if the user is
 * still there (nothing was) or nobody can say. */
static enum err
erase_checked(struct ctx *ctx, const struct db_account *me)
{
	enum err e;

	if ((e = app_db_anew(ctx)) == E_OK)
		e = db_user_there(ctx->db, me->id, me->created_at);
	log_msg("withdrawal: the commit's answer was lost; %s",
	    e == E_NOTFOUND ? "the user is gone: it was written" :
	    e == E_OK ? "the user is still there: nothing deleted" :
	    "whether it was written is unknown");
	return e == E_NOTFOUND ? E_OK : E_DB;
}

/* The withdrawal, once Naver sent the person back with a code. */
static enum err
withdraw(struct ctx *ctx, struct callback *cb, const char **cookies)
{
	char token[NAVER_MAX_TOKEN + 1] = "", expire[512];
	struct db_account me;
	struct naver_profile who;
	uint64_t memos = 0;
	enum link_state link;
	enum err e;

	if ((e = app_db(ctx)) != E_OK ||
	    (e = db_account_user(ctx->db, cb->hash, &me)) != E_OK ||
	    (e = naver_who(&ctx->cfg, cb, &who, token)) != E_OK)
		goto out;
	if (strcmp(who.id, me.id) != 0) {
		log_msg("withdrawal refused: another Naver account confirmed");
		resp_start(&ctx->resp, 403, "text/html; charset=utf-8");
		resp_header(&ctx->resp, "Set-Cookie", cookies[0]);
		other_account_page(&ctx->resp);
		goto out;
	}
	/* The data first, then the link: an erase that fails leaves both as
	 * they were (the person can simply try again), and a link that
	 * cannot be removed is what the page explains how to remove. */
	e = db_account_erase(ctx->db, cb->hash, me.id, &memos);
	if (db_commit_unknown(ctx->db))
		e = erase_checked(ctx, &me);
	if (e != E_OK && e != E_NOTFOUND) {
		log_msg("withdrawal: nothing deleted, naver link kept (%s)",
		    err_text(e));
		goto out;
	}
	link = unlink_at_naver(&ctx->cfg, token) ? LINK_REMOVED :
	    e == E_NOTFOUND ? LINK_UNKNOWN : LINK_KEPT;
	explicit_bzero(token, sizeof(token));
	if (e == E_NOTFOUND)
		log_msg("withdrawal: the user was deleted meanwhile (another "
		    "withdrawal), naver link %s", link == LINK_REMOVED ?
		    "removed" : "not removed here");
	else
		log_msg("withdrawal: a user and %llu memos deleted, naver link "
		    "%s", (unsigned long long)memos, link == LINK_REMOVED ?
		    "removed" : "kept");
	e = E_OK;
	if (sess_set_cookie(expire, sizeof(expire), &ctx->req, &ctx->cfg,
	    SESS_COOKIE, "", 0) != 0)
		expire[0] = '\0';
	resp_start(&ctx->resp, 200, "text/html; charset=utf-8");
	resp_header(&ctx->resp, "Set-Cookie", cookies[0]);
	if (expire[0] != '\0')
		resp_header(&ctx->resp, "Set-Cookie", expire);
	withdrawn_page(&ctx->resp, link, me.id);
out:
	explicit_bzero(token, sizeof(token));
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

	/* libcurl before the database, once per process: see naver_start.
	 * A failure comes back from the call to Naver that needs it. */
	(void)naver_start();
	e = callback_parse(ctx, &cb);
	/* The state cookie keeps the other tabs' entries; with none left
	 * (or this one not among them), it is expired. */
	if (sess_set_cookie(clear_state, sizeof(clear_state), &ctx->req,
	    &ctx->cfg, STATE_COOKIE, cb.rest, cb.rest[0] != '\0' ?
	    STATE_MAX_AGE : 0) != 0) {
		clear_state[0] = '\0';
		e = E_INTERNAL;
	} else if (e == E_OK && cb.cancelled)
		resp_redirect(&ctx->resp, 302, cb.intent == INTENT_WITHDRAW ?
		    "./#view=account&withdraw=cancelled" : "./",
		    cookies);
	else if (e == E_OK && cb.intent == INTENT_WITHDRAW)
		e = withdraw(ctx, &cb, cookies);
	else if (e == E_OK && (e = naver_who(&ctx->cfg, &cb, &who,
	    NULL)) == E_OK && (e = session_start(ctx, &who, sess_cookie,
	    sizeof(sess_cookie))) == E_OK) {
		cookies[1] = sess_cookie;
		resp_redirect(&ctx->resp, 302, "./", cookies);
	}
	explicit_bzero(sess_cookie, sizeof(sess_cookie));
	if (e != E_OK) {
		resp_start(&ctx->resp, err_status(e), "text/html; charset=utf-8");
		if (clear_state[0] != '\0')
			resp_header(&ctx->resp, "Set-Cookie", clear_state);
		if (e == E_BADREQ)	/* a state refused, or no code */
			html_error_page(&ctx->resp, 400, STATE_REFUSED);
		else
			app_fail(ctx, e, NULL);
	}
}

APP_ENDPOINT("auth.cgi", APP_HTML | APP_NO_HEAD,
	    { "GET", "", handle });
