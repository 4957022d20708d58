/*
 * memojson.h - a memo as the API writes it, and its ETag.
 *
 *   {"id":7,"text":"…","created_at":"…Z","updated_at":"…Z","pinned":false,
 *    "tags":["회의","work/plan"],"deleted_at":null}
 *
 * The seed's keys (id, text, created_at) come first and keep their meaning.
 * tags are computed from the text (tags.h): the same rules that index them.
 * One writer is reused for every row of a list: json-c still builds and
 * escapes each memo, but setting members costs far less than building and
 * freeing an object (and its hash table) per memo.
 */
#ifndef MEMO_MEMOJSON_H
#define MEMO_MEMOJSON_H

#include <json-c/json.h>
#include "db.h"
#include "err.h"
#include "resp.h"
#include "tags.h"

struct memo_json {
	struct json_object	*obj;
	/* owned by obj: */
	struct json_object	*id, *text, *created, *updated, *pinned, *tags;
	struct json_object	*deleted;	/* NULL while it is null */
	struct json_object	*tag;		/* its own, made at a list's first
						 * tag: the one being written */
	struct tag_list		 tl;		/* its own: the memo's tags */
};

#define MEMO_ETAG_LEN	48

enum err memo_json_init(struct memo_json *w);
void	 memo_json_free(struct memo_json *w);
/* Set w to memo m; E_NOMEM.  w->obj is then the memo. */
enum err memo_json_set(struct memo_json *w, const struct db_memo *m);
/* Write memo m as one JSON object (no newline): the bytes w->obj would
 * give after memo_json_set, written without building the whole object. */
enum err memo_json_put(struct resp *r, struct memo_json *w,
	    const struct db_memo *m);
/* memo_json_put without the closing brace: the caller adds members of
 * its own, then closes the object (the export adds "revisions"). */
enum err memo_json_put_open(struct resp *r, struct memo_json *w,
	    const struct db_memo *m);
/* Write one revision as {"id":…,"text":…,"created_at":…} (no newline). */
enum err memo_json_put_revision(struct resp *r, const struct db_revision *rev);
/* The memo's strong ETag, quotes included: it changes with every change
 * of the memo (db_memo.version). */
void	 memo_etag(const struct db_memo *m, char out[MEMO_ETAG_LEN]);

/* One memo as the whole answer, with its ETag: the object is made whole
 * first, so a failure (E_NOMEM) has written nothing. */
enum err memo_answer(struct resp *r, int status, const struct db_memo *m);
/* 412 {"error":…,"memo":<cur>} with cur's ETag: a change refused because
 * the memo is no longer the one the client read; it gets the one there is,
 * to merge with.  E_NOMEM, nothing written. */
enum err memo_answer_stale(struct resp *r, const struct db_memo *cur);

/* 1 if the If-Match (or If-None-Match) value `list` names m: "*", or one
 * of its comma-separated ETags.  If-Match compares strongly (weak 0: a
 * W/"…" never matches); If-None-Match weakly (weak 1: W/"1-0" is "1-0"),
 * as RFC 9110 has them (13.1.1, 13.1.2).  A malformed list names
 * nothing: a 412 for If-Match, the whole answer for If-None-Match. */
int	 memo_etag_listed(const char *list, const struct db_memo *m,
	    int weak);
/* A memo_change precondition (db.h): arg is the request's If-Match value,
 * or NULL for none (then any memo will do). */
int	 memo_if_match(const struct db_memo *cur, void *arg);

#endif
