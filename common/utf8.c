/* utf8.c - strict UTF-8 validation (RFC 3629, Unicode table 3-7). */
#include <string.h>
#include "utf8.h"

/* The length of the well-formed character at s (left > 0 bytes there), or
 * 0 if there is none. */
static size_t
char_len(const unsigned char *s, size_t left)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 1;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 2;
		if (c == 0xE0)
			lo = 0xA0;	/* overlong */
		else if (c == 0xED)
			hi = 0x9F;	/* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3;
		if (c == 0xF0)
			lo = 0x90;	/* overlong */
		else if (c == 0xF4)
			hi = 0x8F;	/* past U+10FFFF */
	} else
		return 0;
	if (left - 1 < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t k = 2; k <= n; k++)
		if (s[k] < 0x80 || s[k] > 0xBF)
			return 0;
	return n + 1;
}

/*
 * Every memo of a list is checked as it leaves the database, so the two
 * runs most text is made of take a short path: ASCII, and the three-byte
 * characters from U+1000 to U+FFFF but the surrogates (Hangul, CJK: E1-EC
 * and EE-EF leads), whose second byte needs no range of its own.  The rest
 * goes through char_len.  About a sixth of the instructions of char_len
 * alone and a third of libunistring's u8_check, which the unit test holds
 * it to (same answer on every input it tries).
 */
int
utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;

	while (i < len) {
		unsigned char c = s[i];

		if (c < 0x80) {
			i++;
		} else if (c >= 0xE1 && c <= 0xEF && c != 0xED &&
		    len - i >= 3 && (s[i + 1] & 0xC0) == 0x80 &&
		    (s[i + 2] & 0xC0) == 0x80) {
			i += 3;
		} else if ((n = char_len(s + i, len - i)) == 0) {
			return 0;
		} else
			i += n;
	}
	return 1;
}

size_t
utf8_prefix(const char *str, size_t len, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;

	if (len <= max)
		return len;
	/* Step back over continuation bytes to the start of a character. */
	while (max > 0 && (s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

size_t
utf8_clean(const char *str, size_t len, size_t maxchars, char *out,
    size_t outlen)
{
	static const char replacement[] = "\xEF\xBF\xBD";	/* U+FFFD */
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, o = 0, chars = 0;

	if (outlen == 0)
		return 0;
	while (i < len && chars < maxchars) {
		size_t n = char_len(s + i, len - i);
		const char *put = str + i;
		size_t putlen = n;

		if (n == 0) {
			put = replacement;	/* one byte that is no character */
			putlen = 3;
			n = 1;
		} else if ((n == 1 && (s[i] < 0x20 || s[i] == 0x7f)) ||
		    (n == 2 && s[i] == 0xC2 && s[i + 1] < 0xA0)) {
			put = " ";		/* C0, DEL and C1 controls */
			putlen = 1;
		}
		if (o + putlen >= outlen)
			break;
		memcpy(out + o, put, putlen);
		o += putlen;
		i += n;
		chars++;
	}
	out[o] = '\0';
	return o;
}
