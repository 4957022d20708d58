/*
 * jsonx.h - strict parsing of JSON from outside (request bodies, Naver),
 * and adding members to the JSON we build without losing a failure.
 *
 * json-c does the parsing; this module adds the rules we want everywhere:
 * a depth limit, strict syntax (RFC 8259's tokens only: json-c's strict
 * mode still takes NaN, a single-quoted key or a raw newline in a string),
 * valid UTF-8, one whole object and nothing after it but white space.
 */
#ifndef MEMO_JSONX_H
#define MEMO_JSONX_H

#include <stddef.h>
#include <json-c/json.h>
#include "err.h"

#define JSONX_MAX_DEPTH	16

/* Parse buf[0..len) as one JSON object; E_BADREQ for anything else. */
enum err jsonx_parse_object(const char *buf, size_t len,
	    struct json_object **out);

/* The same for one string, array or object: a value that ends with its
 * own delimiter (json-c cannot tell a number at the end of its input from
 * one that goes on). */
enum err jsonx_parse_value(const char *buf, size_t len,
	    struct json_object **out);

/* If obj[key] is a string, set s and len and return 1; else 0. */
int	 jsonx_get_string(struct json_object *obj, const char *key,
	    const char **s, size_t *len);

/* 1 if obj[key] is the string want, exactly. */
int	 jsonx_string_is(struct json_object *obj, const char *key,
	    const char *want);

/* Add v (just made: NULL if making it failed) to obj as key; -1, and v
 * freed, if v is NULL or could not be added.  For building answers:
 * json-c would add a NULL as JSON null and keep a value it failed to add. */
int	 jsonx_add(struct json_object *obj, const char *key,
	    struct json_object *v);

#endif
