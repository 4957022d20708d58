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

/* The length of the number at s (RFC 8259: -?(0|[1-9][0-9]*)(.[0-9]+)?
 * ([eE][+-]?[0-9]+)?), or 0 if it is not one. */
static size_t
number_len(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i;
}

/*
 * 1 if every token of buf[0..len) is one RFC 8259 allows: json-c's strict
 * mode still takes a single-quoted key, NaN and Infinity, "1." and control
 * characters inside a string, and a body that is not JSON must be 400.
 * json-c checks the structure and the escapes; this, what it lets by.
 */
static int
tokens_ok(const char *buf, size_t len)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t i = 0, n, w;

	while (i < len) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '"') {
			for (i++; i < len && buf[i] != '"'; i++) {
				if ((unsigned char)buf[i] < 0x20)
					return 0;
				if (buf[i] == '\\')
					i++;	/* the escaped byte: json-c checks it */
			}
			i++;
		} else if (strchr("{}[]:, \t\r\n", c) != NULL && c != '\0')
			i++;
		else if (c == '-' || (c >= '0' && c <= '9')) {
			if ((n = number_len(buf + i, len - i)) == 0)
				return 0;
			i += n;
		} else {
			for (w = 0; w < 3; w++) {
				n = strlen(words[w]);
				if (len - i >= n && memcmp(buf + i, words[w], n) == 0)
					break;
			}
			if (w == 3)
				return 0;
			i += n;
		}
	}
	return 1;
}

enum err
jsonx_parse_value(const char *buf, size_t len, struct json_object **out)
{
	struct json_tokener *tok;
	struct json_object *obj;
	size_t end;

	*out = NULL;
	/* json-c takes an int length; our bodies are far below INT_MAX. */
	if (len == 0 || len > (1u << 30) || !utf8_valid(buf, len) ||
	    !tokens_ok(buf, len))
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
