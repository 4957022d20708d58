/*
 * memobody.h - the JSON bodies of POST /memo and PATCH /memo/{id}, and
 * their rules.
 *
 * Lives outside memo.cgi so the unit tests and the fuzzer reach the exact
 * code that decides what a request body may store.
 *   POST   {"text": "…", "pinned": true?}: text required; other keys are
 *          ignored, as they always were.
 *   PATCH  {"text": "…"?, "pinned": bool?}: at least one of the two, and
 *          nothing else.
 * text is a non-empty string of at most MEMO_MAX_TEXT bytes of UTF-8
 * without NUL; pinned a boolean.
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

enum memo_body_kind { MEMO_BODY_NEW, MEMO_BODY_PATCH };

struct memo_body {
	struct json_object	*obj;	/* owns text */
	const char		*text;	/* NULL if absent (PATCH) */
	size_t			 len;
	int			 pinned;	/* -1 if absent */
};

/* Parse body[0..len).  On anything but E_OK, *why says what is wrong and
 * the error is E_BADREQ or E_TOOLARGE.  memo_body_free in every case. */
enum err memo_body_parse(const char *body, size_t len,
	    enum memo_body_kind kind, struct memo_body *out, const char **why);
void	 memo_body_free(struct memo_body *b);

#endif
