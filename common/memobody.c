/* memobody.c - validation of the POST /memo request body. */
#include <string.h>
#include "jsonx.h"
#include "memobody.h"
#include "utf8.h"

enum err
memo_parse_body(const char *body, size_t len, struct json_object **obj,
    const char **text, size_t *tlen, const char **why)
{
	enum err e;

	if ((e = jsonx_parse_object(body, len, obj)) != E_OK) {
		*why = utf8_valid(body, len) ?
		    "body must be a JSON object" : "body is not valid UTF-8";
		return e;
	}
	if (!jsonx_get_string(*obj, "text", text, tlen)) {
		*why = "text must be a string";
		return E_BADREQ;
	}
	if (*tlen == 0) {
		*why = "text must not be empty";
		return E_BADREQ;
	}
	if (*tlen > MEMO_MAX_TEXT) {
		*why = "text is longer than 65536 bytes";
		return E_TOOLARGE;
	}
	if (!utf8_valid(*text, *tlen) || memchr(*text, '\0', *tlen) != NULL) {
		*why = "text must be valid UTF-8 without NUL characters";
		return E_BADREQ;
	}
	return E_OK;
}
