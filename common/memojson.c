/* memojson.c - memos as JSON (json-c), one reusable object per list. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "log.h"
#include "memojson.h"
#include "tags.h"
#include "utf8.h"

void
memo_json_free(struct memo_json *w)
{
	json_object_put(w->obj);	/* NULL is fine */
	memset(w, 0, sizeof(*w));
}

/* Add v to obj as key and keep a borrowed pointer to it; -1 (and v
 * freed) if it could not be made or added. */
static int
member(struct json_object *obj, const char *key, struct json_object *v,
    struct json_object **out)
{
	if (v == NULL || json_object_object_add(obj, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	*out = v;
	return 0;
}

enum err
memo_json_init(struct memo_json *w)
{
	memset(w, 0, sizeof(*w));
	if ((w->obj = json_object_new_object()) == NULL ||
	    member(w->obj, "id", json_object_new_int64(0), &w->id) ||
	    member(w->obj, "text", json_object_new_string(""), &w->text) ||
	    member(w->obj, "created_at", json_object_new_string(""),
	    &w->created) ||
	    member(w->obj, "updated_at", json_object_new_string(""),
	    &w->updated) ||
	    member(w->obj, "pinned", json_object_new_boolean(0), &w->pinned) ||
	    member(w->obj, "tags", json_object_new_array(), &w->tags) ||
	    json_object_object_add(w->obj, "deleted_at", NULL) != 0) {
		memo_json_free(w);
		return E_NOMEM;
	}
	return E_OK;
}

/* The tags array, refilled in place from the text. */
static enum err
set_tags(struct memo_json *w, const char *text, size_t len)
{
	struct tag_list tl;
	size_t n = json_object_array_length(w->tags);
	enum err e;

	if (n > 0 && json_object_array_del_idx(w->tags, 0, n) != 0)
		return E_NOMEM;
	if (memchr(text, '#', len) == NULL)
		return E_OK;		/* most memos: no tag to look for */
	if ((e = tags_parse(text, len, &tl)) != E_OK)
		return e;
	for (size_t i = 0; i < tl.n && e == E_OK; i++) {
		struct json_object *s = json_object_new_string(tl.tag[i].name);

		if (s == NULL || json_object_array_add(w->tags, s) != 0) {
			json_object_put(s);
			e = E_NOMEM;
		}
	}
	tags_free(&tl);
	return e;
}

/* deleted_at: null, or the time; the member is replaced only when it
 * changes between the two. */
static enum err
set_deleted(struct memo_json *w, const char *deleted_at)
{
	if (deleted_at[0] == '\0') {
		if (w->deleted != NULL &&
		    json_object_object_add(w->obj, "deleted_at", NULL) != 0)
			return E_NOMEM;
		w->deleted = NULL;
		return E_OK;
	}
	if (w->deleted != NULL)
		return json_object_set_string(w->deleted, deleted_at) ? E_OK :
		    E_NOMEM;
	return member(w->obj, "deleted_at", json_object_new_string(deleted_at),
	    &w->deleted) ? E_NOMEM : E_OK;
}

enum err
memo_json_set(struct memo_json *w, const struct db_memo *m)
{
	struct db_memo replaced;

	if (!utf8_valid(m->text, m->text_len)) {
		/* Cannot come from our own writes; never pass it on raw. */
		log_msg("memo %llu holds invalid UTF-8",
		    (unsigned long long)m->id);
		replaced = (struct db_memo){ .id = m->id,
		    .text = "\xEF\xBF\xBD", .text_len = 3 };
		m = &replaced;
	}
	if (m->text_len > INT_MAX ||
	    json_object_set_int64(w->id, (int64_t)m->id) == 0 ||
	    json_object_set_string_len(w->text, m->text, (int)m->text_len) == 0 ||
	    json_object_set_string(w->created, m->created_at) == 0 ||
	    json_object_set_string(w->updated, m->updated_at) == 0 ||
	    json_object_set_boolean(w->pinned, m->pinned) == 0 ||
	    set_tags(w, m->text, m->text_len) != E_OK ||
	    set_deleted(w, m->deleted_at) != E_OK)
		return E_NOMEM;
	return E_OK;
}

enum err
memo_json_put(struct resp *r, struct memo_json *w, const struct db_memo *m)
{
	const char *s;
	size_t len;

	if (memo_json_set(w, m) != E_OK ||
	    (s = json_object_to_json_string_length(w->obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
	    &len)) == NULL)
		return E_NOMEM;
	resp_write(r, s, len);
	return E_OK;
}

void
memo_etag(const struct db_memo *m, char out[MEMO_ETAG_LEN])
{
	(void)snprintf(out, MEMO_ETAG_LEN, "\"%llu-%llu\"",
	    (unsigned long long)m->id, (unsigned long long)m->version);
}
