/*
 * utf8.h - strict UTF-8 validation.
 *
 * Memo text is stored as utf8mb4 and sent back as JSON; anything that is not
 * well-formed UTF-8 (overlong forms, surrogates, code points past U+10FFFF,
 * truncated sequences) is refused at the door rather than mangled later.
 */
#ifndef MEMO_UTF8_H
#define MEMO_UTF8_H

#include <stddef.h>

/* 1 if s[0..len) is well-formed UTF-8, else 0.  NUL bytes are allowed. */
int	utf8_valid(const char *s, size_t len);

/* The longest prefix of s[0..len) of at most max bytes that ends on a
 * character boundary (s must be valid UTF-8). */
size_t	utf8_prefix(const char *s, size_t len, size_t max);

/* Copy any bytes s[0..len) into out (outlen bytes, NUL-terminated) as
 * well-formed UTF-8 of at most maxchars characters: a byte that starts no
 * character becomes U+FFFD, a control character a space.  For text from a
 * request header that is stored and shown (a User-Agent).  Returns the
 * bytes written. */
size_t	utf8_clean(const char *s, size_t len, size_t maxchars, char *out,
	    size_t outlen);

#endif
