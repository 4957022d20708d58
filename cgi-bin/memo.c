/*
 * memo.cgi - the memo API: /memo and /memo/{id}…
 *
 * A memo is {"id","text","created_at","updated_at","pinned","tags",
 * "deleted_at"} (memojson.h); an answer carrying one memo also sends its
 * ETag.  Every route: 401 without a live session, 404 for a memo that is
 * not the user's (the same answer as for none), 503 when the database is
 * down.
 *
 * GET /memo[?q=…&tag=…&pinned=true|false&trash=true&limit=N&before=ID
 *          &count=true]
 *   200 {"memos":[…]}: the live memos (the trash with trash=true), newest
 *   first by id, streamed row by row; q: every word occurs in the text
 *   (case-insensitive, NFC = NFD); tag: that tag and its nested ones.
 *   count=true adds "count": how many memos the filters select over all
 *   pages (the page shows it), and with trash=true "trash_key", which
 *   memos the whole trash holds (DELETE /trash?count=N&key=K); the trash
 *   also says "trash_days", how long a memo stays there before memo-maint
 *   purges it.
 *   400 for a malformed parameter.
 * POST /memo {"text":"…","pinned":bool?}
 *   200 with the stored memo.  415 if not application/json, 413 for a
 *   body or text over the limit, 400 for anything else wrong.
 * GET /memo/{id}
 *   200 with the memo, live or in the trash (304 for If-None-Match).
 * PATCH /memo/{id} {"text":"…"?,"pinned":bool?}
 *   200 with the memo after the change; the replaced text becomes a
 *   revision.  412 {"error","memo"} if If-Match is not its ETag, 409 if it
 *   is in the trash; nothing changes then.
 * DELETE /memo/{id}
 *   204: in the trash (again 204 if it was); honours If-Match (412).
 * POST /memo/{id}/restore
 *   200 with the memo, out of the trash.
 * GET /memo/{id}/revisions
 *   200 {"revisions":[{"id","text","created_at"},…]}, newest first.
 */
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "db.h"
#include "fold.h"
#include "log.h"
#include "memobody.h"
#include "memojson.h"
#include "query.h"
#include "memotext.h"
#include "sess.h"
#include "tags.h"

#define LIST_MAX_LIMIT	1000
#define JSON_TYPE	"application/json; charset=utf-8"

/* What a list answer carries besides its memos. */
struct list_extra {
	int		 count;		/* count=true: send "count" */
	uint64_t	 n;
	uint64_t	 key;		/* the trash's, with count */
};

/* The list's filters from the query string. */
static enum err
list_filter(const char *qs, struct db_filter *f, struct fold_query *fq,
    struct tag_filter *tf, struct list_extra *x, const char **why)
{
	/* 200 characters composed: up to 3 code points of 4 bytes each
	 * decomposed (NFD Hangul: 9 bytes a syllable). */
	char v[12 * FOLD_MAX_QUERY + 4];
	unsigned long long n;
	int b, len;
	enum err e;

	memset(f, 0, sizeof(*f));
	*why = "limit must be a whole number from 1 to " ERR_STR(LIST_MAX_LIMIT);
	if ((e = query_u64(qs, "limit", LIST_MAX_LIMIT, &n)) != E_OK)
		return e;
	f->limit = n;
	*why = "before must be a memo id (a positive whole number)";
	if ((e = query_u64(qs, "before", INT64_MAX, &n)) != E_OK)
		return e;
	f->before = n;
	*why = "pinned and trash must be true or false";
	if ((e = query_bool(qs, "pinned", &f->pinned)) != E_OK ||
	    (e = query_bool(qs, "trash", &b)) != E_OK)
		return e;
	*why = "count must be true or false";
	if ((e = query_bool(qs, "count", &x->count)) != E_OK)
		return e;
	x->count = x->count == 1;
	f->trash = b == 1;
	if ((len = query_get(qs, "q", v, sizeof(v))) != QUERY_MISSING) {
		*why = len == QUERY_TOO_LONG ? FOLD_TOO_LONG :
		    "q must be URL-encoded text (a bad %-escape or a NUL)";
		if (len < 0 || (e = fold_query_parse(v, (size_t)len, fq,
		    why)) != E_OK)
			return len < 0 ? E_BADREQ : e;
		f->q = fq;
	}
	if ((len = query_get(qs, "tag", v, sizeof(v))) != QUERY_MISSING) {
		*why = "tag must be one tag's letters, digits, _, - or /";
		if (len < 0 || tags_filter(v, (size_t)len, tf) != E_OK)
			return E_BADREQ;
		f->tag = tf;
	}
	*why = NULL;
	return E_OK;
}

/* "key":n, into the answer ("key":"n" if quoted). */
static void
put_member_as(struct resp *r, const char *key, unsigned long long n,
    int quoted)
{
	char num[24];
	size_t i = sizeof(num);

	do {
		num[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n != 0);
	resp_puts(r, "\"");
	resp_puts(r, key);
	resp_puts(r, quoted ? "\":\"" : "\":");
	resp_write(r, num + i, sizeof(num) - i);
	resp_puts(r, quoted ? "\"," : ",");
}

static void
put_member(struct resp *r, const char *key, unsigned long long n)
{
	put_member_as(r, key, n, 0);
}

/* Stream the list l as {["count":N,]["trash_days":N,]"memos":[…]}. */
static enum err
stream_memos(struct ctx *ctx, struct db_list *l, const struct db_filter *f,
    const struct list_extra *x)
{
	struct memo_json w;
	struct db_memo m;
	enum err e;
	int r = 0, first = 1;

	if ((e = memo_json_init(&w)) != E_OK)
		return e;
	resp_start(&ctx->resp, 200, JSON_TYPE);
	resp_puts(&ctx->resp, "{");
	if (x->count)
		put_member(&ctx->resp, "count", x->n);
	/* A string: an id's XOR may pass 2^53, past a JavaScript number. */
	if (x->count && f->trash)
		put_member_as(&ctx->resp, "trash_key", x->key, 1);
	if (f->trash)
		put_member(&ctx->resp, "trash_days", (unsigned long long)
		    cfg_trash_days(&ctx->cfg));
	resp_puts(&ctx->resp, "\"memos\":[");
	while (!resp_gone(&ctx->resp) && (r = db_memo_next(l, &m)) == 1) {
		if (!first)
			resp_write(&ctx->resp, ",", 1);
		first = 0;
		if ((e = memo_json_put(&ctx->resp, &w, &m)) != E_OK) {
			r = -1;
			break;
		}
	}
	memo_json_free(&w);
	if (resp_gone(&ctx->resp))
		return E_OK;	/* nobody to tell */
	if (r != 0)	/* the list's, unless the answer's own */
		return e != E_OK ? e : db_list_err(l);
	resp_puts(&ctx->resp, "]}\n");
	return E_OK;
}

static void
list(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1];
	struct db_filter f;
	struct fold_query fq = { 0 };
	struct tag_filter tf;
	struct db_list *l = NULL;
	struct list_extra x = { 0 };
	const char *why = NULL;
	enum err e;

	/* No session cookie is 401 before a parameter is looked at.  The
	 * count first: the list then streams from the server. */
	if ((e = sess_from_request(&ctx->req, hash)) != E_OK ||
	    (e = list_filter(ctx->req.query, &f, &fq, &tf, &x, &why)) != E_OK ||
	    (e = app_db(ctx)) != E_OK ||
	    (x.count && (e = db_memo_count(ctx->db, hash, &f, &x.n)) != E_OK) ||
	    (x.count && f.trash &&
	    (e = db_trash_key(ctx->db, hash, &x.key)) != E_OK) ||
	    (e = db_memo_list(ctx->db, hash, &f, &l)) != E_OK ||
	    (e = stream_memos(ctx, l, &f, &x)) != E_OK)
		app_fail(ctx, e, e == E_BADREQ ? why : NULL);	/* a parameter's */
	db_list_close(l);
	fold_query_free(&fq);
}

/* The request's memo body of this kind, and the parts of its text (if it
 * has one): what POST and PATCH store. */
static enum err
read_memo(struct ctx *ctx, enum memo_body_kind kind, struct memo_body *body,
    struct memo_text_parts *p, const char **why)
{
	enum err e;

	if ((e = app_read_json(ctx, MEMO_MAX_BODY, why)) != E_OK ||
	    (e = memo_body_parse(ctx->req.body, ctx->req.body_len, kind, body,
	    why)) != E_OK)
		return e;
	return body->text != NULL ? memo_text_make(body->text, body->len, p) :
	    E_OK;
}

static void
create(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1];
	struct memo_body body = { 0 };
	struct memo_text_parts p = { 0 };
	struct db_memo m;
	const char *why = NULL;
	enum err e;

	if ((e = sess_from_request(&ctx->req, hash)) != E_OK ||
	    (e = read_memo(ctx, MEMO_BODY_NEW, &body, &p, &why)) != E_OK ||
	    (e = app_db(ctx)) != E_OK)
		goto out;
	e = db_memo_insert(ctx->db, hash, &p.t, body.pinned == 1, &m);
	if (db_commit_unknown(ctx->db))
		e = app_memo_written(ctx, hash, &m, p.t.text, 0);
	if (e == E_OK)
		e = memo_answer(&ctx->resp, 200, &m);
out:
	if (e != E_OK)
		app_fail(ctx, e, why);
	memo_text_free(&p);
	memo_body_free(&body);
}

static void
get(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1], etag[MEMO_ETAG_LEN];
	const char *inm = cgi_getenv(ctx->req.env, "HTTP_IF_NONE_MATCH");
	struct db_memo m;
	enum err e;

	if ((e = sess_from_request(&ctx->req, hash)) != E_OK ||
	    (e = app_db(ctx)) != E_OK ||
	    (e = db_memo_get(ctx->db, hash, ctx->args.id, &m)) != E_OK) {
		app_fail(ctx, e, NULL);
		return;
	}
	if (inm != NULL && memo_etag_listed(inm, &m, 1)) {
		memo_etag(&m, etag);
		resp_start(&ctx->resp, 304, NULL);
		resp_header(&ctx->resp, "ETag", etag);
		return;
	}
	if ((e = memo_answer(&ctx->resp, 200, &m)) != E_OK)
		app_fail(ctx, e, NULL);
}

/* Make change c to the memo of the route; answer with the memo (status
 * 200), or 204 with no body (status 204). */
static void
change(struct ctx *ctx, struct memo_change *c, int status)
{
	char hash[SESS_HASH_LEN + 1];
	struct db_memo m;
	const char *why = NULL;
	enum err e;

	c->precondition = memo_if_match;
	c->arg = (void *)(uintptr_t)cgi_getenv(ctx->req.env, "HTTP_IF_MATCH");
	if ((e = sess_from_request(&ctx->req, hash)) != E_OK ||
	    (e = app_db(ctx)) != E_OK)
		goto out;
	e = db_memo_change(ctx->db, hash, ctx->args.id, c, &m);
	if (db_commit_unknown(ctx->db))
		e = app_memo_written(ctx, hash, &m,
		    c->text != NULL ? c->text->text : NULL, 0);
	if (e == E_PRECOND) {
		if (memo_answer_stale(&ctx->resp, &m) != E_OK)
			app_fail(ctx, E_NOMEM, NULL);
		return;
	}
	if (e == E_CONFLICT)
		why = c->op == MEMO_EDIT ? "the memo is in the trash: restore it "
		    "first" : "the memo is not in the trash";
	if (e == E_OK && status == 204) {
		resp_start(&ctx->resp, 204, NULL);
		return;
	}
	if (e == E_OK)
		e = memo_answer(&ctx->resp, 200, &m);
out:
	if (e != E_OK)
		app_fail(ctx, e, why);
}

static void
patch(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1];
	struct memo_body body = { 0 };
	struct memo_text_parts p = { 0 };
	struct memo_change c = { .op = MEMO_EDIT };
	const char *why = NULL;
	enum err e;

	/* No session: 401 before the body is even read. */
	if ((e = sess_from_request(&ctx->req, hash)) != E_OK ||
	    (e = read_memo(ctx, MEMO_BODY_PATCH, &body, &p, &why)) != E_OK)
		app_fail(ctx, e, why);
	else {
		c.text = body.text != NULL ? &p.t : NULL;
		c.pinned = body.pinned;
		change(ctx, &c, 200);
	}
	memo_text_free(&p);
	memo_body_free(&body);
}

static void
trash(struct ctx *ctx)
{
	change(ctx, &(struct memo_change){ .op = MEMO_TRASH }, 204);
}

static void
restore(struct ctx *ctx)
{
	change(ctx, &(struct memo_change){ .op = MEMO_RESTORE }, 200);
}

static void
revisions(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1];
	struct db_list *l = NULL;
	struct db_revision rev;
	enum err e;
	int r, first = 1;

	if ((e = sess_from_request(&ctx->req, hash)) != E_OK ||
	    (e = app_db(ctx)) != E_OK ||
	    (e = db_revision_list(ctx->db, hash, ctx->args.id, &l)) != E_OK)
		goto out;
	resp_start(&ctx->resp, 200, JSON_TYPE);
	resp_puts(&ctx->resp, "{\"revisions\":[");
	while ((r = db_revision_next(l, &rev)) == 1) {
		if (!first)
			resp_write(&ctx->resp, ",", 1);
		first = 0;
		if ((e = memo_json_put_revision(&ctx->resp, &rev)) != E_OK)
			goto out;
	}
	if (r != 0)
		e = db_list_err(l);
	else
		resp_puts(&ctx->resp, "]}\n");
out:
	if (e != E_OK)
		app_fail(ctx, e, NULL);
	db_list_close(l);
}

APP_ENDPOINT("memo.cgi", 0,
	    { "GET", "", list }, { "POST", "", create }, { "GET", "/{id}", get },
	    { "PATCH", "/{id}", patch }, { "DELETE", "/{id}", trash },
	    { "POST", "/{id}/restore", restore },
	    { "GET", "/{id}/revisions", revisions });
