/* query.c - form/query decoding into bounded buffers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "query.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
query_decode(const char *src, size_t len, char *out, size_t outlen)
{
	size_t i, o = 0;

	if (outlen == 0)
		return QUERY_TOO_LONG;
	for (i = 0; i < len; i++) {
		int c = (unsigned char)src[i];

		if (c == '+')
			c = ' ';
		else if (c == '%') {
			int h, l;

			if (len - i < 3 || (h = hexval(src[i + 1])) < 0 ||
			    (l = hexval(src[i + 2])) < 0)
				return QUERY_INVALID;
			c = h * 16 + l;
			i += 2;
		}
		if (c == 0)
			return QUERY_INVALID;
		if (o + 1 >= outlen)
			return QUERY_TOO_LONG;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (int)o;
}

int
query_get(const char *qs, const char *name, char *out, size_t outlen)
{
	size_t nlen = strlen(name);
	const char *p = qs;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, '&');
		size_t plen = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', plen);
		size_t klen = eq ? (size_t)(eq - p) : plen;

		if (klen == nlen && memcmp(p, name, nlen) == 0) {
			if (eq == NULL)
				return query_decode("", 0, out, outlen);
			return query_decode(eq + 1, plen - klen - 1, out, outlen);
		}
		p = end ? end + 1 : NULL;
	}
	return QUERY_MISSING;
}

enum err
query_build(struct buf *out, const char *const *keys,
    const char *const *vals, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	enum err e = E_OK;

	for (size_t i = 0; i < n && e == E_OK; i++) {
		e = buf_puts(out, keys[i]);
		for (const char *p = vals[i]; *p && e == E_OK; p++) {
			unsigned char c = (unsigned char)*p;
			char enc[3] = { '%', hex[c >> 4], hex[c & 15] };

			if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
			    c == '_' || c == '~')
				e = buf_add(out, p, 1);
			else
				e = buf_add(out, enc, 3);
		}
	}
	return e;
}

enum err
query_u64_in(const char *qs, const char *name, unsigned long long min,
    unsigned long long max, unsigned long long *out, int *given)
{
	char v[24], *end;
	int n = query_get(qs, name, v, sizeof(v));

	*out = 0;
	if (given != NULL)
		*given = n != QUERY_MISSING;
	if (n == QUERY_MISSING)
		return E_OK;
	if (n <= 0 || v[0] < '0' || v[0] > '9')
		return E_BADREQ;
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (*end != '\0' || errno != 0 || *out < min || *out > max)
		return E_BADREQ;
	return E_OK;
}

enum err
query_u64(const char *qs, const char *name, unsigned long long max,
    unsigned long long *out)
{
	return query_u64_in(qs, name, 1, max, out, NULL);
}

enum err
query_bool(const char *qs, const char *name, int *out)
{
	char v[8];
	int n = query_get(qs, name, v, sizeof(v));

	*out = -1;
	if (n == QUERY_MISSING)
		return E_OK;
	if (n == 4 && memcmp(v, "true", 4) == 0)
		*out = 1;
	else if (n == 5 && memcmp(v, "false", 5) == 0)
		*out = 0;
	else
		return E_BADREQ;
	return E_OK;
}
