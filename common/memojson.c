/* memojson.c - memos as JSON (json-c), one reusable object per list. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "fault.h"
#include "jsonx.h"
#include "log.h"
#include "memojson.h"
#include "tags.h"
#include "utf8.h"

void
memo_json_free(struct memo_json *w)
{
	json_object_put(w->obj);	/* NULL is fine */
	json_object_put(w->tag);
	tags_free(&w->tl);
	memset(w, 0, sizeof(*w));
}

/* Add v to obj as key and keep a borrowed pointer to it; -1 (and v
 * freed) if it could not be made or added. */
static int
member(struct json_object *obj, const char *key, struct json_object *v,
    struct json_object **out)
{
	if (jsonx_add(obj, key, v) != 0)
		return -1;
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

/* m's tags: those a tag filter parsed already, or the text's, parsed
 * into the writer's one list (no allocation per memo). */
static enum err
memo_tags(struct memo_json *w, const struct db_memo *m, const char *text,
    size_t len, const struct tag_list **out)
{
	if ((*out = m->tags) != NULL)
		return E_OK;
	*out = &w->tl;
	w->tl.n = 0;
	if (memchr(text, '#', len) == NULL)
		return E_OK;		/* most memos: no tag to look for */
	return tags_parse(text, len, &w->tl);
}

/* The tags array, refilled in place from the text. */
static enum err
set_tags(struct memo_json *w, const struct db_memo *m, const char *text,
    size_t len)
{
	const struct tag_list *tl;
	size_t n = json_object_array_length(w->tags);
	enum err e;

	if (n > 0 && json_object_array_del_idx(w->tags, 0, n) != 0)
		return E_NOMEM;
	if ((e = memo_tags(w, m, text, len, &tl)) != E_OK)
		return e;
	for (size_t i = 0; i < tl->n && e == E_OK; i++) {
		struct json_object *s = json_object_new_string(tl->tag[i].name);

		if (s == NULL || json_object_array_add(w->tags, s) != 0) {
			json_object_put(s);
			e = E_NOMEM;
		}
	}
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

/* The text (U+FFFD for one that is not UTF-8); *text and *len are then
 * what was set, the text the tags come from. */
static enum err
set_text(struct memo_json *w, const struct db_memo *m, const char **text,
    size_t *len)
{
	*text = m->text;
	*len = m->text_len;
	if (!utf8_valid(*text, *len)) {
		/* Cannot come from our own writes; never pass it on raw. */
		log_msg("memo %llu holds invalid UTF-8",
		    (unsigned long long)m->id);
		*text = "\xEF\xBF\xBD";
		*len = 3;
	}
	/* json-c 0.16 loses a string's own buffer when it is set to ""
	 * (its length -0 reads as "inline"): a leak a memo a time in a
	 * FastCGI process.  An empty text gets a new member instead. */
	if (*len == 0)
		return member(w->obj, "text", json_object_new_string(""),
		    &w->text) ? E_NOMEM : E_OK;
	if (*len > INT_MAX ||
	    json_object_set_string_len(w->text, *text, (int)*len) == 0)
		return E_NOMEM;
	return E_OK;
}

enum err
memo_json_set(struct memo_json *w, const struct db_memo *m)
{
	const char *text;
	size_t len;

	if (set_text(w, m, &text, &len) != E_OK ||
	    set_tags(w, m, text, len) != E_OK ||
	    json_object_set_int64(w->id, (int64_t)m->id) == 0 ||
	    json_object_set_string(w->created, m->created_at) == 0 ||
	    json_object_set_string(w->updated, m->updated_at) == 0 ||
	    json_object_set_boolean(w->pinned, m->pinned) == 0 ||
	    set_deleted(w, m->deleted_at) != E_OK)
		return E_NOMEM;
	return E_OK;
}

/* One json-c value, serialized, into the answer. */
static enum err
put_value(struct resp *r, struct json_object *v)
{
	size_t len;
	const char *s = json_object_to_json_string_length(v,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);

	if (s == NULL)
		return E_NOMEM;
	resp_write(r, s, len);
	return E_OK;
}

/* The tags of text, comma-separated, each escaped by json-c through the
 * writer's one scratch string, parsed into the writer's one list: no
 * array filled and emptied, nothing allocated, per memo. */
static enum err
put_tags(struct resp *r, struct memo_json *w, const struct db_memo *m,
    const char *text, size_t len)
{
	const struct tag_list *tl;
	enum err e;

	if ((e = memo_tags(w, m, text, len, &tl)) != E_OK)
		return e;
	if (tl->n > 0 && w->tag == NULL &&
	    (w->tag = json_object_new_string("")) == NULL)
		return E_NOMEM;
	for (size_t i = 0; i < tl->n && e == E_OK; i++) {
		if (i > 0)
			resp_write(r, ",", 1);
		if (json_object_set_string(w->tag, tl->tag[i].name) == 0)
			e = E_NOMEM;
		else
			e = put_value(r, w->tag);
	}
	return e;
}

/* Append the n bytes of s to out at *o (the caller sized out). */
static void
add(char *out, size_t *o, const char *s, size_t n)
{
	memcpy(out + *o, s, n);
	*o += n;
}

#define ADD(out, o, lit)	add(out, o, lit, sizeof(lit) - 1)

/* Decimal digits of v. */
static void
add_u64(char *out, size_t *o, unsigned long long v)
{
	char d[20];
	size_t n = 0;

	do
		d[sizeof(d) - ++n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	add(out, o, d + sizeof(d) - n, n);
}

/* A stamp (digits and -T:Z only, made by db.c) in quotes. */
static void
add_stamp(char *out, size_t *o, const char *stamp)
{
	out[(*o)++] = '"';
	add(out, o, stamp, strnlen(stamp, DB_STAMP_LEN - 1));
	out[(*o)++] = '"';
}

/*
 * The same bytes as w->obj would give, written member by member: the text
 * and the tags - what came from a person - are escaped by json-c (the
 * string objects of w); the keys are constants and the other values are
 * ours (numbers, booleans, stamps), put together in a buffer and written
 * in one go.  A list writes many memos: this skips json-c's walk of the
 * object and the escaping of seven keys per memo, half its cost
 * (callgrind, docs/performance.md).
 */
enum err
memo_json_put(struct resp *r, struct memo_json *w, const struct db_memo *m)
{
	if (memo_json_put_open(r, w, m) != E_OK)
		return E_NOMEM;
	resp_write(r, "}", 1);
	return E_OK;
}

enum err
memo_json_put_open(struct resp *r, struct memo_json *w,
    const struct db_memo *m)
{
	char mid[160];		/* room for the longest of the parts below */
	const char *text;
	size_t o = 0, len;

	if (set_text(w, m, &text, &len) != E_OK)
		return E_NOMEM;
	ADD(mid, &o, "{\"id\":");
	add_u64(mid, &o, (unsigned long long)m->id);
	ADD(mid, &o, ",\"text\":");
	resp_write(r, mid, o);
	if (put_value(r, w->text) != E_OK)
		return E_NOMEM;
	o = 0;
	ADD(mid, &o, ",\"created_at\":");
	add_stamp(mid, &o, m->created_at);
	ADD(mid, &o, ",\"updated_at\":");
	add_stamp(mid, &o, m->updated_at);
	if (m->pinned)
		ADD(mid, &o, ",\"pinned\":true,\"tags\":[");
	else
		ADD(mid, &o, ",\"pinned\":false,\"tags\":[");
	resp_write(r, mid, o);
	if (put_tags(r, w, m, text, len) != E_OK)
		return E_NOMEM;
	o = 0;
	ADD(mid, &o, "],\"deleted_at\":");
	if (m->deleted_at[0] == '\0')
		ADD(mid, &o, "null");
	else
		add_stamp(mid, &o, m->deleted_at);
	resp_write(r, mid, o);
	return E_OK;
}

enum err
memo_json_put_revision(struct resp *r, const struct db_revision *rev)
{
	const char *text = rev->text, *s;
	size_t len = rev->text_len, n;
	struct json_object *o;
	enum err e = E_NOMEM;

	if (!utf8_valid(text, len)) {
		text = "\xEF\xBF\xBD";	/* never raw: as memos */
		len = 3;
	}
	if (len <= INT_MAX && (o = json_object_new_object()) != NULL) {
		if (jsonx_add(o, "id",
		    json_object_new_int64((int64_t)rev->id)) == 0 &&
		    jsonx_add(o, "text",
		    json_object_new_string_len(text, (int)len)) == 0 &&
		    jsonx_add(o, "created_at",
		    json_object_new_string(rev->created_at)) == 0 &&
		    (s = json_object_to_json_string_length(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
		    &n)) != NULL) {
			resp_write(r, s, n);
			e = E_OK;
		}
		json_object_put(o);
	}
	return e;
}

void
memo_etag(const struct db_memo *m, char out[MEMO_ETAG_LEN])
{
	(void)snprintf(out, MEMO_ETAG_LEN, "\"%llu-%llu\"",
	    (unsigned long long)m->id, (unsigned long long)m->version);
}

int
memo_etag_listed(const char *list, const struct db_memo *m, int weak)
{
	char etag[MEMO_ETAG_LEN];
	size_t n;

	memo_etag(m, etag);
	n = strlen(etag);
	for (;;) {
		const char *close;
		size_t len;
		int skip = 0;

		list += strspn(list, " \t,");
		if (*list == '\0')
			return 0;
		if (*list == '*')
			len = 1;
		else {
			/* A weak tag is well formed in either list; compared
			 * strongly (If-Match) it names nothing, but the tags
			 * after it are still read. */
			if (strncmp(list, "W/", 2) == 0) {
				list += 2;
				skip = !weak;
			}
			/* A list that is not RFC 9110's names nothing:
			 * "W/ x", a bare x, an unclosed quote. */
			if (*list != '"' ||
			    (close = strchr(list + 1, '"')) == NULL)
				return 0;
			len = (size_t)(close - list) + 1;
		}
		/* strchr finds the '\0' too: the list's end is a separator. */
		if (strchr(" \t,", list[len]) == NULL)
			return 0;
		if (!skip && (*list == '*' ||
		    (len == n && memcmp(list, etag, n) == 0)))
			return 1;
		list += len;
	}
}

int
memo_if_match(const struct db_memo *cur, void *arg)
{
	const char *want = arg;

	return want == NULL || memo_etag_listed(want, cur, 0);
}

/* obj as the answer with m's ETag. */
static void
answer(struct resp *r, int status, struct json_object *obj,
    const struct db_memo *m)
{
	char etag[MEMO_ETAG_LEN];

	memo_etag(m, etag);
	resp_start(r, status, "application/json; charset=utf-8");
	resp_header(r, "ETag", etag);
	resp_json(r, status, obj);
}

enum err
memo_answer(struct resp *r, int status, const struct db_memo *m)
{
	struct memo_json w;
	enum err e;

	if (FAULT("answer_nomem") || memo_json_init(&w) != E_OK)
		return E_NOMEM;
	if ((e = memo_json_set(&w, m)) == E_OK)
		answer(r, status, w.obj, m);
	memo_json_free(&w);
	return e;
}

enum err
memo_answer_stale(struct resp *r, const struct db_memo *cur)
{
	struct json_object *o = json_object_new_object();
	struct memo_json w = { 0 };
	enum err e = E_NOMEM;

	if (o != NULL && memo_json_init(&w) == E_OK &&
	    memo_json_set(&w, cur) == E_OK &&
	    jsonx_add(o, "error",
	    json_object_new_string(err_text(E_PRECOND))) == 0 &&
	    jsonx_add(o, "memo", json_object_get(w.obj)) == 0) {
		answer(r, 412, o, cur);
		e = E_OK;
	}
	memo_json_free(&w);
	json_object_put(o);
	return e;
}
