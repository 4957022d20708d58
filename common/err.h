/*
 * err.h - the one error type every common/ module and handler returns.
 *
 * A function that can fail returns enum err; E_OK is zero so callers write
 * `if ((e = f()) != E_OK) goto out;`.  Each value maps to exactly one HTTP
 * status, so the single exit path of a handler can answer any failure.
 */
#ifndef MEMO_ERR_H
#define MEMO_ERR_H

/* A limit's macro as text, so that a reason naming the limit is made
 * from it: "at most " ERR_STR(LIST_MAX_LIMIT) is "at most 1000". */
#define ERR_STR_(x)	#x
#define ERR_STR(x)	ERR_STR_(x)

enum err {
	E_OK = 0,
	E_BADREQ,	/* 400: malformed input */
	E_UNAUTH,	/* 401: no session, or it expired */
	E_FORBIDDEN,	/* 403: proven to be someone else */
	E_NOTFOUND,	/* 404 */
	E_METHOD,	/* 405 */
	E_LENGTH,	/* 411: a body without a Content-Length */
	E_CONFLICT,	/* 409: the resource is not in a state for this */
	E_PRECOND,	/* 412: If-Match names another version */
	E_TOOLARGE,	/* 413 */
	E_MEDIATYPE,	/* 415 */
	E_INTERNAL,	/* 500: our bug or bad configuration */
	E_UPSTREAM,	/* 502: Naver failed */
	E_DB,		/* 503: the database is unreachable */
	E_NOMEM,	/* 500 */
};

/* The HTTP status for an error (200 for E_OK). */
int err_status(enum err e);

/* A short English reason for an API error body; never NULL. */
const char *err_text(enum err e);

/* The reason phrase for an HTTP status ("Not Found"). */
const char *http_reason(int status);

#endif
