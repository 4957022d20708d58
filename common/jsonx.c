/* jsonx.c - strict JSON parsing over json-c. */
#include <string.h>
#include "jsonx.h"
#include "utf8.h"

enum err
jsonx_parse_object(const char *buf, size_t len, struct json_object **out)
{
	enum err e;

	if ((e = jsonx_parse_value(buf, len, out)) == E_OK &&
	    !json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		e = E_BADREQ;
	}
	return e;
}

enum err
jsonx_parse_value(const char *buf, size_t len, struct json_object **out)
{
	struct json_tokener *tok;
	struct json_object *obj;
	size_t end;

	*out = NULL;
	/* json-c takes an int length; our bodies are far below INT_MAX. */
	if (len == 0 || len > (1u << 30) || !utf8_valid(buf, len))
		return E_BADREQ;
	if ((tok = json_tokener_new_ex(JSONX_MAX_DEPTH)) == NULL)
		return E_NOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	while (obj != NULL && end < len && (buf[end] == ' ' ||
	    buf[end] == '\t' || buf[end] == '\r' || buf[end] == '\n'))
		end++;
	if (obj == NULL || end != len) {
		json_object_put(obj);
		return E_BADREQ;
	}
	*out = obj;
	return E_OK;
}

int
jsonx_get_string(struct json_object *obj, const char *key, const char **s,
    size_t *len)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return 0;
	*s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	return 1;
}

int
jsonx_string_is(struct json_object *obj, const char *key, const char *want)
{
	const char *s;
	size_t n;

	return jsonx_get_string(obj, key, &s, &n) && n == strlen(want) &&
	    memcmp(s, want, n) == 0;
}

int
jsonx_add(struct json_object *obj, const char *key, struct json_object *v)
{
	if (v == NULL || json_object_object_add(obj, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}
