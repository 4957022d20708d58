/*
 * query.h - application/x-www-form-urlencoded decoding.
 *
 * Serves QUERY_STRING and form bodies alike.  Values are decoded into a
 * caller's fixed buffer, so a hostile query can never make us allocate.
 */
#ifndef MEMO_QUERY_H
#define MEMO_QUERY_H

#include <stddef.h>
#include "err.h"

struct buf;

#define QUERY_MISSING	(-1)	/* no such parameter */
#define QUERY_INVALID	(-2)	/* a bad %-escape, or a NUL */
#define QUERY_TOO_LONG	(-3)	/* longer than out holds */

/*
 * Find the first parameter called `name` in qs (may be NULL) and decode its
 * value ('+' is a space, %XX a byte) into out, NUL-terminated.  Returns the
 * decoded length, QUERY_MISSING, QUERY_INVALID or QUERY_TOO_LONG (a caller
 * that names a limit in its reason needs to tell the two apart).
 */
int	query_get(const char *qs, const char *name, char *out, size_t outlen);

/* Decode src[0..len) into out (outlen bytes incl. NUL); as query_get. */
int	query_decode(const char *src, size_t len, char *out, size_t outlen);

/* Append keys[i] followed by the percent-encoded vals[i] for each i
 * (everything but A-Z a-z 0-9 - . _ ~ is encoded).  E_OK or the buf error. */
enum err query_build(struct buf *out, const char *const *keys,
	    const char *const *vals, size_t n);

/* Parameter `name` as a whole number from min to max: E_OK and *out (0 if
 * absent; *given, if not NULL, says which), or E_BADREQ. */
enum err query_u64_in(const char *qs, const char *name, unsigned long long min,
	    unsigned long long max, unsigned long long *out, int *given);
/* Parameter `name` as an integer from 1 to max: E_OK and *out (0 if
 * absent), or E_BADREQ. */
enum err query_u64(const char *qs, const char *name, unsigned long long max,
	    unsigned long long *out);
/* Parameter `name` as "true" or "false": E_OK and *out 1 or 0 (-1 if
 * absent), or E_BADREQ. */
enum err query_bool(const char *qs, const char *name, int *out);

#endif
