/* memobody.c - validation of the memo request bodies. */
#include <string.h>
#include "jsonx.h"
#include "memobody.h"
#include "utf8.h"

/* json-c has already made a lone surrogate escape ("\ud800", which
 * JSON.stringify writes for half an emoji) U+FFFD: no UTF-8 can hold the
 * half, and a browser's own encoder makes the same of it, so it is kept,
 * not refused (README). */
static enum err
check_text(const char *text, size_t len, const char **why)
{
	if (len == 0) {
		*why = "text must not be empty";
		return E_BADREQ;
	}
	if (len > MEMO_MAX_TEXT) {
		*why = "text is longer than " ERR_STR(MEMO_MAX_TEXT) " bytes";
		return E_TOOLARGE;
	}
	if (!utf8_valid(text, len) || memchr(text, '\0', len) != NULL) {
		*why = "text must be valid UTF-8 without NUL characters";
		return E_BADREQ;
	}
	return E_OK;
}

/* A PATCH takes text and pinned, nothing else, and at least one. */
static enum err
check_patch_keys(struct json_object *obj, const char **why)
{
	struct json_object_iterator it = json_object_iter_begin(obj);
	struct json_object_iterator end = json_object_iter_end(obj);
	int n = 0;

	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *k = json_object_iter_peek_name(&it);

		if (strcmp(k, "text") != 0 && strcmp(k, "pinned") != 0) {
			*why = "only text and pinned can be changed";
			return E_BADREQ;
		}
		n++;
	}
	if (n == 0) {
		*why = "nothing to change: give text or pinned";
		return E_BADREQ;
	}
	return E_OK;
}

/* Why a body is not one JSON object: one that opens as an object is not
 * valid JSON; anything else is some other value (or not JSON either). */
static const char *
not_an_object(const char *body, size_t len)
{
	size_t i = 0;

	if (!utf8_valid(body, len))
		return "body is not valid UTF-8";
	while (i < len && (body[i] == ' ' || body[i] == '\t' ||
	    body[i] == '\n' || body[i] == '\r'))
		i++;
	return i < len && body[i] == '{' ? "body is not valid JSON" :
	    "body must be a JSON object";
}

enum err
memo_body_parse(const char *body, size_t len, enum memo_body_kind kind,
    struct memo_body *out, const char **why)
{
	struct json_object *v;
	enum err e;

	memset(out, 0, sizeof(*out));
	out->pinned = -1;
	if ((e = jsonx_parse_object(body, len, &out->obj)) != E_OK) {
		*why = not_an_object(body, len);
		return e;
	}
	if (kind == MEMO_BODY_PATCH &&
	    (e = check_patch_keys(out->obj, why)) != E_OK)
		return e;
	if (json_object_object_get_ex(out->obj, "text", &v) ||
	    kind == MEMO_BODY_NEW) {
		if (!jsonx_get_string(out->obj, "text", &out->text,
		    &out->len)) {
			*why = "text must be a string";
			return E_BADREQ;
		}
		if ((e = check_text(out->text, out->len, why)) != E_OK)
			return e;
	}
	if (json_object_object_get_ex(out->obj, "pinned", &v)) {
		if (!json_object_is_type(v, json_type_boolean)) {
			*why = "pinned must be true or false";
			return E_BADREQ;
		}
		out->pinned = json_object_get_boolean(v) ? 1 : 0;
	}
	return E_OK;
}

void
memo_body_free(struct memo_body *b)
{
	json_object_put(b->obj);
	memset(b, 0, sizeof(*b));
}
