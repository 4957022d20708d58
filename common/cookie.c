/* cookie.c - Cookie header parsing and Set-Cookie formatting. */
#include <stdio.h>
#include <string.h>
#include "cookie.h"

int
cookie_get(const char *header, const char *name, char *out, size_t outlen)
{
	size_t nlen = strlen(name);
	const char *p = header;

	if (p == NULL || nlen == 0 || outlen == 0)
		return -1;
	while (*p != '\0') {
		const char *end, *eq;
		size_t plen;

		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		end = strchr(p, ';');
		plen = end ? (size_t)(end - p) : strlen(p);
		eq = memchr(p, '=', plen);
		if (eq != NULL && (size_t)(eq - p) == nlen &&
		    memcmp(p, name, nlen) == 0) {
			const char *v = eq + 1;
			size_t vlen = plen - nlen - 1;

			while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
				vlen--;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			if (vlen + 1 > outlen)
				return -1;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return (int)vlen;
		}
		p += plen;
	}
	return -1;
}

/* RFC 6265 cookie-octet, without quotes; also fits names and paths. */
static int
cookie_safe(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' ||
		    c == ';' || c == '\\')
			return 0;
	}
	return 1;
}

int
cookie_format(char *out, size_t outlen, const char *name, const char *value,
    const struct cookie_attr *attr)
{
	int n;

	if (!cookie_safe(name) || !cookie_safe(value) ||
	    !cookie_safe(attr->path) || attr->max_age < 0)
		return -1;
	n = snprintf(out, outlen, "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; "
	    "SameSite=Lax%s", name, value, attr->path, attr->max_age,
	    attr->secure ? "; Secure" : "");
	return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}
