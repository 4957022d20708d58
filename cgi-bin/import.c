/*
 * import.cgi - POST /import: an export file (GET /export's JSON) read back
 * into the person's memos.
 *
 * Returns 200 {"imported":N,"skipped":N}: every memo of "memos" and
 * "trash" added with its text, times, pin and revisions (tags and search
 * copy made again), oldest first; a memo whose text and created_at equal
 * one the user already has (or one earlier in the file) is skipped, so
 * importing the same file twice adds nothing.  All of it is one
 * transaction: on any failure nothing is imported.
 * Returns 400 {"error": what is wrong and where} for a file that is not
 * JSON or not an export (import.h has the rules): the whole file is
 * checked before anything is written.
 * Returns 413 for a body over 64 MiB (IMPORT_MAX_BODY), 415 for one that
 * is not application/json, 401 without a live session and 503 when the
 * database is down (both before the body is read; a session ended while
 * the file was read is 401 too, with nothing written).
 * Returns 409 while another import into the account runs (nothing is
 * written: side by side, neither would see the other's memos to skip).
 */
#include <json-c/json.h>
#include "app.h"
#include "db.h"
#include "jsonx.h"
#include "import.h"
#include "sess.h"

/* {"imported":N,"skipped":N} */
static enum err
answer(struct ctx *ctx, uint64_t imported, uint64_t skipped)
{
	struct json_object *o = json_object_new_object();
	enum err e = E_NOMEM;

	if (o != NULL &&
	    jsonx_add(o, "imported", json_object_new_int64((int64_t)imported)) == 0 &&
	    jsonx_add(o, "skipped", json_object_new_int64((int64_t)skipped)) == 0) {
		resp_json(&ctx->resp, 200, o);
		e = E_OK;
	}
	json_object_put(o);
	return e;
}

static void
handle(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1], why[IMPORT_WHY_MAX] = "";
	const char *reason = NULL;
	struct import_file *f = NULL;
	struct db_import_source src = { import_next, import_next_key,
	    import_rewind, NULL };
	struct db_account me;
	uint64_t imported = 0, skipped = 0;
	enum err e;

	/* Who it is first: a dead session never has 64 MiB read for it. */
	if ((e = sess_from_request(&ctx->req, hash)) != E_OK ||
	    (e = app_db(ctx)) != E_OK ||
	    (e = db_account_user(ctx->db, hash, &me)) != E_OK ||
	    (e = app_read_json(ctx, IMPORT_MAX_BODY, &reason)) != E_OK)
		goto out;
	if ((e = import_open(ctx->req.body, ctx->req.body_len, &f, why,
	    sizeof(why))) != E_OK) {
		reason = why[0] != '\0' ? why : NULL;
		goto out;
	}
	src.arg = f;
	if ((e = db_import(ctx->db, hash, me.id, &src, &imported,
	    &skipped)) != E_OK) {
		if (e == E_CONFLICT)
			reason = "another import into this account is still"
			    " running: try again when it has finished";
		goto out;
	}
	e = answer(ctx, imported, skipped);
out:
	if (e != E_OK)
		app_fail(ctx, e, e == E_TOOLARGE ?
		    "the file is over 64 MiB (67108864 bytes)" : reason);
	import_close(f);
}

APP_ENDPOINT("import.cgi", 0,
	    { "POST", "", handle });
