/*
 * memobody.h - the body of POST /memo: {"text":"…"} and its rules.
 *
 * Lives outside memo.cgi so the unit tests and the fuzzer reach the exact
 * code that decides what a request body may store.
 */
#ifndef MEMO_MEMOBODY_H
#define MEMO_MEMOBODY_H

#include <stddef.h>
#include <json-c/json.h>
#include "db.h"
#include "err.h"

/* Room for the longest text even if every character arrives escaped
 * (\uXXXX: 6 bytes for 1), plus the object around it. */
#define MEMO_MAX_BODY	(6 * MEMO_MAX_TEXT + 1024)

/*
 * Parse body[0..len) as a JSON object holding a non-empty "text" string of
 * at most MEMO_MAX_TEXT bytes of UTF-8 without NUL.  On E_OK *obj owns the
 * parsed object and text/tlen point into it (json_object_put(*obj) frees
 * both).  Otherwise *obj may still be set (put it), *why says what is
 * wrong, and the error is E_BADREQ or E_TOOLARGE.
 */
enum err memo_parse_body(const char *body, size_t len,
	    struct json_object **obj, const char **text, size_t *tlen,
	    const char **why);

#endif
