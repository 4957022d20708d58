/*
 * account.cgi - the person's account: /account and /account/sessions/{id}.
 *
 * GET /account
 *   200 {"name","created_at","memos":N,"trash":N,"sessions":[{"id",
 *   "created_at","expires_at","user_agent","current"},…]}: the live
 *   sessions of the user on every device, newest first.  "id" is the
 *   session's public id (neither the cookie's value nor its hash);
 *   "user_agent" is what the browser sent at login, cut to 200 characters
 *   (null for a session made by the previous version, which kept none).
 * DELETE /account/sessions/{id}
 *   204: that session has ended (the browser holding it gets 401 from now
 *   on; if it is this one, its cookie is expired too).  404 for an id
 *   that is not one of the user's live sessions (another user's included).
 * Both: 401 without a live session, 503 when the database is down.
 * (POST /logout?all=1 ends them all: logout.cgi; the withdrawal starts at
 * POST /login?intent=withdraw: login.cgi.)
 */
#include <json-c/json.h>
#include "app.h"
#include "db.h"
#include "jsonx.h"
#include "sess.h"

/* db_session_list's callback: one session into the array arg. */
static int
session_add(void *arg, const struct db_session *s)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL || jsonx_add(o, "id", json_object_new_string(s->id)) ||
	    jsonx_add(o, "created_at", json_object_new_string(s->created_at)) ||
	    jsonx_add(o, "expires_at", json_object_new_string(s->expires_at)) ||
	    (s->user_agent != NULL ? jsonx_add(o, "user_agent",
	    json_object_new_string(s->user_agent)) :
	    json_object_object_add(o, "user_agent", NULL)) != 0 ||
	    jsonx_add(o, "current", json_object_new_boolean(s->current)) ||
	    json_object_array_add(arg, o) != 0) {
		json_object_put(o);
		return -1;
	}
	return 0;
}

/* The account object of user me, whose session is hash. */
static enum err
account_json(struct db *db, const struct db_account *me, const char *hash,
    struct json_object *o)
{
	struct json_object *sessions = NULL;
	uint64_t memos, trash;
	enum err e;

	if (jsonx_add(o, "name", json_object_new_string(me->name)) ||
	    jsonx_add(o, "created_at", json_object_new_string(me->created_at)))
		return E_NOMEM;
	if ((e = db_account_counts(db, me->id, &memos, &trash)) != E_OK)
		return e;
	/* Made as it is added: o owns it (or it is freed) at once. */
	if (jsonx_add(o, "memos", json_object_new_int64((int64_t)memos)) ||
	    jsonx_add(o, "trash", json_object_new_int64((int64_t)trash)) ||
	    jsonx_add(o, "sessions", sessions = json_object_new_array()))
		return E_NOMEM;
	return db_session_list(db, me->id, hash, session_add, sessions);
}

static void
show(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1];
	struct db_account me;
	struct json_object *o = NULL;
	enum err e;

	if ((e = sess_from_request(&ctx->req, hash)) != E_OK ||
	    (e = app_db(ctx)) != E_OK ||
	    (e = db_account_user(ctx->db, hash, &me)) != E_OK)
		goto out;
	if ((o = json_object_new_object()) == NULL) {
		e = E_NOMEM;
		goto out;
	}
	if ((e = account_json(ctx->db, &me, hash, o)) == E_OK)
		resp_json(&ctx->resp, 200, o);
out:
	if (e != E_OK)
		app_fail(ctx, e, NULL);
	json_object_put(o);
}

static void
end_session(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1], cookie[512];
	struct db_account me;
	enum err e;

	if ((e = sess_from_request(&ctx->req, hash)) != E_OK ||
	    (e = app_db(ctx)) != E_OK ||
	    (e = db_account_user(ctx->db, hash, &me)) != E_OK ||
	    (e = db_session_end(ctx->db, me.id, ctx->args.key)) != E_OK) {
		app_fail(ctx, e, e == E_NOTFOUND ? "no such session" : NULL);
		return;
	}
	resp_start(&ctx->resp, 204, NULL);
	/* This very session ended: its cookie goes too. */
	if (db_session_live(ctx->db, hash) == E_UNAUTH &&
	    sess_set_cookie(cookie, sizeof(cookie), &ctx->req, &ctx->cfg,
	    SESS_COOKIE, "", 0) == 0)
		resp_header(&ctx->resp, "Set-Cookie", cookie);
}

APP_ENDPOINT("account.cgi", 0,
	    { "GET", "", show }, { "DELETE", "/sessions/{key}", end_session });
