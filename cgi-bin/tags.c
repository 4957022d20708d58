/*
 * tags.cgi - GET /tags: the user's tags.
 *
 * 200 {"tags":[{"name":"회의","count":3},…]} over the live memos, most
 * used first, then by name (its case-folded key).  A tag written in
 * several cases (#Work, #work) is one tag.  401 without a live session,
 * 503 when the database is down.
 */
#include <json-c/json.h>
#include "app.h"
#include "db.h"
#include "jsonx.h"
#include "sess.h"

/* {"name":…,"count":…} of t; NULL if it could not be made. */
static struct json_object *
tag_json(const struct db_tag_count *t)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL ||
	    jsonx_add(o, "name", json_object_new_string(t->name)) != 0 ||
	    jsonx_add(o, "count", json_object_new_int64((int64_t)t->count)) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static void
list(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1];
	struct db_list *l = NULL;
	struct db_tag_count t;
	struct json_object *o = NULL, *arr;
	enum err e;
	int r;

	if ((e = sess_from_request(&ctx->req, hash)) != E_OK ||
	    (e = app_db(ctx)) != E_OK ||
	    (e = db_tag_counts(ctx->db, hash, &l)) != E_OK)
		goto out;
	/* A person's tags are few: one object, then one write. */
	if ((o = json_object_new_object()) == NULL ||
	    jsonx_add(o, "tags", arr = json_object_new_array()) != 0) {
		e = E_NOMEM;
		goto out;
	}
	while ((r = db_tag_next(l, &t)) == 1) {
		struct json_object *v = tag_json(&t);

		if (v == NULL || json_object_array_add(arr, v) != 0) {
			json_object_put(v);
			e = E_NOMEM;
			break;
		}
	}
	if (e == E_OK && r < 0)
		e = db_list_err(l);	/* logged by db.c */
	if (e == E_OK)
		resp_json(&ctx->resp, 200, o);
out:
	if (e != E_OK)
		app_fail(ctx, e, NULL);
	json_object_put(o);
	db_list_close(l);
}

APP_ENDPOINT("tags.cgi", 0,
	    { "GET", "", list });
