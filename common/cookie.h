/*
 * cookie.h - reading the Cookie header and writing Set-Cookie values.
 *
 * Parsing follows RFC 6265 section 5.4 loosely: pairs split on ';', optional
 * spaces, the first pair with the name wins.  Values are copied into a
 * caller's fixed buffer; a value that does not fit is treated as absent.
 */
#ifndef MEMO_COOKIE_H
#define MEMO_COOKIE_H

#include <stddef.h>

/* Copy the value of cookie `name` from header (may be NULL) into out.
 * Returns its length, or -1 if absent, empty-named or too long. */
int	cookie_get(const char *header, const char *name, char *out,
	    size_t outlen);

struct cookie_attr {
	const char	*path;		/* "/" or the app's mount point */
	long		 max_age;	/* seconds; 0 expires the cookie */
	int		 secure;	/* add the Secure attribute */
};

/* Format a Set-Cookie value: name=value; Path; Max-Age; HttpOnly;
 * SameSite=Lax[; Secure].  Returns 0, or -1 if it does not fit or an
 * argument holds a byte that cannot appear in a cookie. */
int	cookie_format(char *out, size_t outlen, const char *name,
	    const char *value, const struct cookie_attr *attr);

#endif
