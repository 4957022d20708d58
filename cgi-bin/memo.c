/*
 * memo.cgi - the memo API.
 *
 * GET /memo[?limit=N&before=ID]
 *   Returns 200 {"memos":[{"id":…,"text":"…","created_at":"…Z"},…]}, the
 *   user's memos newest first (all of them unless limit is given), streamed
 *   row by row.  Returns 400 for a malformed limit or before.
 * POST /memo with {"text":"…"} (Content-Type: application/json)
 *   Returns 200 with the stored memo as JSON.
 *   Returns 415 for another content type, 413 for a body or text over the
 *   limit (refused before reading when CONTENT_LENGTH says so), 400 for bad
 *   JSON, invalid UTF-8, or a missing, empty or non-string text.
 * Both: 401 without a live session, 503 when the database is down.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "app.h"
#include "db.h"
#include "log.h"
#include "memobody.h"
#include "query.h"
#include "sess.h"
#include "utf8.h"

#define LIST_MAX_LIMIT	1000

/*
 * One JSON object, {"id":…,"text":…,"created_at":…}, reused for every row
 * of a list: json-c still builds and escapes each memo, but setting three
 * members costs far less than building and freeing an object (and its hash
 * table) per memo, which was the larger part of a FastCGI GET /memo.
 */
struct memo_json {
	struct json_object	*obj;
	struct json_object	*id, *text, *created;	/* owned by obj */
};

static void
memo_json_free(struct memo_json *w)
{
	json_object_put(w->obj);	/* NULL is fine */
	memset(w, 0, sizeof(*w));
}

/* Add v to obj as key and keep a borrowed pointer to it; -1 (and v
 * freed) if it could not be made or added. */
static int
memo_json_member(struct json_object *obj, const char *key,
    struct json_object *v, struct json_object **out)
{
	if (v == NULL || json_object_object_add(obj, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	*out = v;
	return 0;
}

static enum err
memo_json_init(struct memo_json *w)
{
	memset(w, 0, sizeof(*w));
	if ((w->obj = json_object_new_object()) == NULL ||
	    memo_json_member(w->obj, "id", json_object_new_int64(0), &w->id) ||
	    memo_json_member(w->obj, "text", json_object_new_string(""),
	    &w->text) ||
	    memo_json_member(w->obj, "created_at", json_object_new_string(""),
	    &w->created)) {
		memo_json_free(w);
		return E_NOMEM;
	}
	return E_OK;
}

/* Write one memo as a JSON object. */
static enum err
put_memo(struct resp *r, struct memo_json *w, const struct db_memo *m)
{
	const char *s;
	size_t len;

	if (!utf8_valid(m->text, m->text_len)) {
		/* Cannot come from our own writes; never pass it on raw. */
		log_msg("memo %llu holds invalid UTF-8", m->id);
		m = &(struct db_memo){ m->id, "\xEF\xBF\xBD", 3, "" };
	}
	if (m->text_len > INT_MAX ||
	    json_object_set_int64(w->id, (int64_t)m->id) == 0 ||
	    json_object_set_string_len(w->text, m->text, (int)m->text_len) == 0 ||
	    json_object_set_string(w->created, m->created_at) == 0 ||
	    (s = json_object_to_json_string_length(w->obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
	    &len)) == NULL)
		return E_NOMEM;
	resp_write(r, s, len);
	return E_OK;
}

/* A query parameter as a positive integer; 0 if absent. */
static enum err
param_u64(const char *qs, const char *name, unsigned long long max,
    unsigned long long *out)
{
	char v[24], *end;
	int n = query_get(qs, name, v, sizeof(v));

	*out = 0;
	if (n == QUERY_MISSING)
		return E_OK;
	if (n <= 0 || v[0] < '0' || v[0] > '9')
		return E_BADREQ;
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (*end != '\0' || errno != 0 || *out == 0 || *out > max)
		return E_BADREQ;
	return E_OK;
}

static void
list(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1];
	unsigned long long limit, before;
	struct db_memo_list it;
	struct db_memo m;
	struct memo_json w = { 0 };
	const char *why = NULL;
	enum err e;
	int r, first = 1;

	if ((e = param_u64(ctx->req.query, "limit", LIST_MAX_LIMIT,
	    &limit)) != E_OK ||
	    (e = param_u64(ctx->req.query, "before", (1ULL << 63) - 1,
	    &before)) != E_OK) {
		why = "limit and before must be positive integers";
		goto out;
	}
	if ((e = sess_from_request(&ctx->req, hash)) != E_OK ||
	    (e = memo_json_init(&w)) != E_OK ||
	    (e = app_db(ctx)) != E_OK ||
	    (e = db_memo_list_open(ctx->db, hash, before, limit, &it)) != E_OK)
		goto out;
	resp_start(&ctx->resp, 200, "application/json; charset=utf-8");
	resp_puts(&ctx->resp, "{\"memos\":[");
	while ((r = db_memo_list_next(&it, &m)) == 1) {
		if (!first)
			resp_write(&ctx->resp, ",", 1);
		first = 0;
		if (put_memo(&ctx->resp, &w, &m) != E_OK) {
			r = -1;
			break;
		}
	}
	/* A failure mid-stream cannot change the status any more; the
	 * unterminated JSON tells the client the answer is incomplete. */
	if (r == 0)
		resp_puts(&ctx->resp, "]}\n");
	db_memo_list_close(&it);
out:
	if (e != E_OK)
		app_fail(ctx, e, why);
	memo_json_free(&w);
}

static void
create(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1];
	struct json_object *obj = NULL;
	struct db_memo m;
	struct memo_json w = { 0 };
	const char *text, *why = NULL;
	size_t len;
	enum err e;

	if ((e = sess_from_request(&ctx->req, hash)) != E_OK)
		goto out;
	if (!cgi_is_json(&ctx->req)) {
		e = E_MEDIATYPE;
		goto out;
	}
	if ((e = cgi_read_body(&ctx->req, MEMO_MAX_BODY)) != E_OK) {
		why = e == E_BADREQ ?
		    "body shorter than Content-Length or unreadable" : NULL;
		goto out;
	}
	if ((e = memo_parse_body(ctx->req.body, ctx->req.body_len, &obj,
	    &text, &len, &why)) != E_OK)
		goto out;
	/* The answer's object is made before the insert: once the memo is
	 * stored, nothing but the write of the answer is left to fail. */
	if ((e = memo_json_init(&w)) != E_OK ||
	    (e = app_db(ctx)) != E_OK ||
	    (e = db_memo_insert(ctx->db, hash, text, len, &m)) != E_OK)
		goto out;
	resp_start(&ctx->resp, 200, "application/json; charset=utf-8");
	if (put_memo(&ctx->resp, &w, &m) == E_OK)
		resp_write(&ctx->resp, "\n", 1);
out:
	if (e != E_OK)
		app_fail(ctx, e, why);
	memo_json_free(&w);
	json_object_put(obj);
}

static void
handle(struct ctx *ctx)
{
	if (strcmp(ctx->req.method, "POST") == 0)
		create(ctx);
	else
		list(ctx);
}

static const struct endpoint memo = { "memo.cgi", "GET, POST", 0, handle };

int
main(int argc, char *argv[], char *envp[])
{
	(void)argc;
	(void)argv;
	return app_main(&memo, envp);
}
