/*
 * trash.cgi - the trash: /trash and /trash/{id}.
 *
 * DELETE /trash/{id}
 *   204: the memo, which is in the trash, is deleted for good with its
 *   revisions and tags.  409 if it is not in the trash (a live memo is
 *   never deleted for good by mistake); 404 if it is not the user's; 412
 *   for an If-Match that is not its ETag.
 * DELETE /trash[?count=N[&key=K]]
 *   200 {"purged": N}: every memo in the trash deleted for good.  With
 *   count (the number of memos the person was shown and confirmed), only
 *   if the trash holds that many, and with key (the "trash_key" of the
 *   list that showed them: GET /memo?trash=true&count=true) only if it
 *   holds those memos: otherwise 412 {"error", "count": what it holds
 *   now} and nothing deleted, so that a memo another device put there
 *   meanwhile is not purged unseen, also when another left it.  400 for a
 *   count not from 1, or a key that is not a number or comes without
 *   count.
 * Both: 401 without a live session, 503 when the database is down.
 * (The trash is listed by GET /memo?trash=true; memo-maint purges what
 * has been in it for TRASH_DAYS.)
 */
#include <limits.h>
#include <json-c/json.h>
#include "app.h"
#include "db.h"
#include "jsonx.h"
#include "memojson.h"
#include "query.h"
#include "sess.h"

static void
purge_one(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1];
	struct memo_change c = { .op = MEMO_PURGE, .precondition = memo_if_match };
	struct db_memo m;
	enum err e;

	c.arg = (void *)(uintptr_t)cgi_getenv(ctx->req.env, "HTTP_IF_MATCH");
	if ((e = sess_from_request(&ctx->req, hash)) == E_OK &&
	    (e = app_db(ctx)) == E_OK) {
		e = db_memo_change(ctx->db, hash, ctx->args.id, &c, &m);
		/* Its COMMIT's answer lost: purged if the memo is gone. */
		if (db_commit_unknown(ctx->db))
			e = app_memo_written(ctx, hash, &m, NULL, 1);
	}
	if (e != E_OK) {
		if (e == E_PRECOND && memo_answer_stale(&ctx->resp, &m) == E_OK)
			return;
		/* As memo.c: a 412 that cannot carry the memo is a failure. */
		app_fail(ctx, e == E_PRECOND ? E_NOMEM : e, e == E_CONFLICT ?
		    "the memo is not in the trash: delete it (to the trash) "
		    "first" : NULL);
		return;
	}
	resp_start(&ctx->resp, 204, NULL);
}

/* The answer to DELETE /trash: {"purged": n}, or the 412's. */
static enum err
emptied(struct ctx *ctx, enum err e, uint64_t purged, uint64_t now)
{
	struct json_object *o;
	int stale = e == E_PRECOND, bad;

	if ((o = json_object_new_object()) == NULL)
		return E_NOMEM;
	if (stale)
		bad = jsonx_add(o, "error", json_object_new_string("the trash "
		    "has changed since it was counted")) != 0 ||
		    jsonx_add(o, "count", json_object_new_int64((int64_t)now)) != 0;
	else
		bad = jsonx_add(o, "purged",
		    json_object_new_int64((int64_t)purged)) != 0;
	if (!bad)
		resp_json(&ctx->resp, stale ? 412 : 200, o);
	json_object_put(o);
	return bad ? E_NOMEM : E_OK;
}

static void
empty(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1];
	unsigned long long shown = 0, key = 0;
	uint64_t n = 0, now = 0, k;
	int have_key = 0;
	enum err e;

	/* No session cookie is 401 before a parameter is looked at, as in
	 * memo.cgi. */
	if ((e = sess_from_request(&ctx->req, hash)) != E_OK ||
	    (e = query_u64(ctx->req.query, "count", INT64_MAX, &shown)) != E_OK ||
	    (e = query_u64_in(ctx->req.query, "key", 0, ULLONG_MAX, &key,
	    &have_key)) != E_OK)
		goto out;
	if (have_key && shown == 0) {	/* a key names the memos counted */
		e = E_BADREQ;
		goto out;
	}
	if ((e = app_db(ctx)) != E_OK)
		goto out;
	k = key;
	e = db_trash_empty(ctx->db, hash, shown, have_key ? &k : NULL, &n, &now);
	if (e == E_OK || e == E_PRECOND)
		e = emptied(ctx, e, n, now);
out:
	if (e != E_OK)
		app_fail(ctx, e, e == E_BADREQ ? "count: a whole number from 1; "
		    "key: a whole number, with count" : NULL);
}

APP_ENDPOINT("trash.cgi", 0,
	    { "DELETE", "", empty }, { "DELETE", "/{id}", purge_one });
