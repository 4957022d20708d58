/*
 * trash.cgi - the trash: /trash and /trash/{id}.
 *
 * DELETE /trash/{id}
 *   204: the memo, which is in the trash, is deleted for good with its
 *   revisions and tags.  409 if it is not in the trash (a live memo is
 *   never deleted for good by mistake); 404 if it is not the user's; 412
 *   for an If-Match that is not its ETag.
 * DELETE /trash
 *   200 {"purged": N}: every memo in the trash deleted for good.
 * Both: 401 without a live session, 503 when the database is down.
 * (The trash is listed by GET /memo?trash=true; memo-maint purges what
 * has been in it for TRASH_DAYS.)
 */
#include <json-c/json.h>
#include "app.h"
#include "db.h"
#include "jsonx.h"
#include "memojson.h"
#include "sess.h"

static void
purge_one(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1];
	struct memo_change c = { .op = MEMO_PURGE, .precondition = memo_if_match };
	struct db_memo m;
	enum err e;

	c.arg = (void *)(uintptr_t)cgi_getenv(ctx->req.env, "HTTP_IF_MATCH");
	if ((e = sess_from_request(&ctx->req, hash)) != E_OK ||
	    (e = app_db(ctx)) != E_OK ||
	    (e = db_memo_change(ctx->db, hash, ctx->args.id, &c, &m)) != E_OK) {
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

static void
empty(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1];
	struct json_object *o = NULL;
	uint64_t n = 0;
	enum err e;

	if ((e = sess_from_request(&ctx->req, hash)) != E_OK ||
	    (e = app_db(ctx)) != E_OK ||
	    (e = db_trash_empty(ctx->db, hash, &n)) != E_OK)
		goto out;
	if ((o = json_object_new_object()) == NULL ||
	    jsonx_add(o, "purged", json_object_new_int64((int64_t)n)) != 0) {
		e = E_NOMEM;
		goto out;
	}
	resp_json(&ctx->resp, 200, o);
out:
	if (e != E_OK)
		app_fail(ctx, e, NULL);
	json_object_put(o);
}

APP_ENDPOINT("trash.cgi", 0,
	    { "DELETE", "", empty }, { "DELETE", "/{id}", purge_one });
