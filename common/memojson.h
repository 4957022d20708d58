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

struct memo_json {
	struct json_object	*obj;
	/* owned by obj: */
	struct json_object	*id, *text, *created, *updated, *pinned, *tags;
	struct json_object	*deleted;	/* NULL while it is null */
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
/* The memo's strong ETag, quotes included: it changes with every change
 * of the memo (db_memo.version). */
void	 memo_etag(const struct db_memo *m, char out[MEMO_ETAG_LEN]);

#endif
