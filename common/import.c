/* import.c - the export file read back: a scan of its structure, each
 * memo parsed by json-c (jsonx) and checked on its own (import.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "import.h"
#include "jsonx.h"
#include "memotext.h"
#include "utf8.h"

#define SQL_TIME_LEN	20	/* "2026-11-24 13:45:00" and NUL */

/* Where a memo's object is in the file, and where it goes in the order. */
struct item {
	uint64_t	 id;		/* the export's id; 0 if none */
	size_t		 off, len;
	size_t		 seq;		/* position in the file */
	int		 trash;
};

/* A memo's fields as read from its object (pointing into it). */
struct fields {
	const char		*text;
	size_t			 len;
	const char		*created, *updated, *deleted;	/* NULL: none */
	int			 pinned;
	uint64_t		 id;
	struct json_object	*revisions;	/* NULL: none */
};

struct import_file {
	const char		*body;
	size_t			 len;
	struct item		*items;
	size_t			 n, cap, next;
	/* the memo handed out last, and what it owns */
	struct json_object	*obj;
	struct memo_text_parts	 text;		/* its text, search copy, tags */
	struct db_import_revision *rev;
	char			(*rev_times)[SQL_TIME_LEN];
	char			 created[SQL_TIME_LEN], updated[SQL_TIME_LEN];
	char			 deleted[SQL_TIME_LEN];
	struct db_import_memo	 memo;
};

/* The text of an error, "where: what". */
static enum err why_set(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum err
why_set(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, whylen, fmt, ap);	/* cut is fine */
	va_end(ap);
	return E_BADREQ;
}

/* ---- times ---- */

static int
digits(const char *s, size_t n, int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

/* "2026-11-24T13:45:00Z" (a real date, years 1000-9999) as the SQL
 * DATETIME "2026-11-24 13:45:00"; 0 if it is not one. */
static int
stamp_to_sql(const char *s, size_t len, char out[SQL_TIME_LEN])
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, mo, d, h, mi, se;

	if (len != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != 'Z' ||
	    !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
	    !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) ||
	    !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
		return 0;
	if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0))) || h > 23 || mi > 59 || se > 59)
		return 0;
	memcpy(out, s, 19);
	out[10] = ' ';
	out[19] = '\0';
	return 1;
}

/* ---- one memo ---- */

/* A text member: a string of at most MEMO_MAX_TEXT bytes without NUL
 * (json-c checked the UTF-8).  Empty is allowed, unlike POST's: an
 * account upgraded from the seed may hold one (002 made its NULL ''),
 * and its own export must come back whole. */
static enum err
text_of(struct json_object *o, const char *key, const char **s, size_t *n,
    const char *where, char *why, size_t whylen)
{
	if (!jsonx_get_string(o, key, s, n))
		return why_set(why, whylen, "%s.%s: missing or not a string",
		    where, key);
	if (*n > MEMO_MAX_TEXT || memchr(*s, '\0', *n) != NULL)
		return why_set(why, whylen, "%s.%s: over 65536 bytes or holding "
		    "a NUL", where, key);
	return E_OK;
}

/* A time member (a stamp; null or absent allowed unless required): *s
 * the stamp or NULL. */
static enum err
time_of(struct json_object *o, const char *key, int required,
    const char **s, const char *where, char *why, size_t whylen)
{
	struct json_object *v = NULL;
	char sql[SQL_TIME_LEN];

	*s = NULL;
	if (!json_object_object_get_ex(o, key, &v) || v == NULL) {
		if (!required)
			return E_OK;
		return why_set(why, whylen, "%s.%s: missing", where, key);
	}
	if (!json_object_is_type(v, json_type_string) ||
	    !stamp_to_sql(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v), sql))
		return why_set(why, whylen, "%s.%s: not a time like "
		    "2026-11-24T13:45:00Z", where, key);
	*s = json_object_get_string(v);
	return E_OK;
}

/* The optional "pinned" and "id" members. */
static enum err
pin_and_id(struct json_object *o, struct fields *f, const char *where,
    char *why, size_t whylen)
{
	struct json_object *v;

	f->pinned = 0;
	f->id = 0;
	if (json_object_object_get_ex(o, "pinned", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return why_set(why, whylen, "%s.pinned: not true or "
			    "false", where);
		f->pinned = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(o, "id", &v) && v != NULL) {
		int64_t id = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || id <= 0)
			return why_set(why, whylen, "%s.id: not a positive "
			    "integer", where);
		f->id = (uint64_t)id;
	}
	return E_OK;
}

/* The "revisions" member: an array of {"text","created_at"}. */
static enum err
revisions_of(struct json_object *o, struct fields *f, const char *where,
    char *why, size_t whylen)
{
	struct json_object *v = NULL;
	char at[64];
	size_t n;
	enum err e;

	f->revisions = NULL;
	if (!json_object_object_get_ex(o, "revisions", &v) || v == NULL)
		return E_OK;
	if (!json_object_is_type(v, json_type_array))
		return why_set(why, whylen, "%s.revisions: not an array", where);
	if ((n = json_object_array_length(v)) > IMPORT_MAX_REVISIONS)
		return why_set(why, whylen, "%s.revisions: more than %d", where,
		    IMPORT_MAX_REVISIONS);
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(v, i);
		const char *s;
		size_t len;

		(void)snprintf(at, sizeof(at), "%s.revisions[%zu]", where, i);
		if (!json_object_is_type(r, json_type_object))
			return why_set(why, whylen, "%s: not an object", at);
		if ((e = text_of(r, "text", &s, &len, at, why, whylen)) != E_OK ||
		    (e = time_of(r, "created_at", 1, &s, at, why, whylen)) != E_OK)
			return e;
	}
	f->revisions = v;
	return E_OK;
}

/* Check memo object o (of the trash or not) and read its fields. */
static enum err
fields_of(struct json_object *o, int trash, struct fields *f,
    const char *where, char *why, size_t whylen)
{
	enum err e;

	if ((e = text_of(o, "text", &f->text, &f->len, where, why,
	    whylen)) != E_OK ||
	    (e = time_of(o, "created_at", 1, &f->created, where, why,
	    whylen)) != E_OK ||
	    (e = time_of(o, "updated_at", 0, &f->updated, where, why,
	    whylen)) != E_OK ||
	    (e = time_of(o, "deleted_at", trash, &f->deleted, where, why,
	    whylen)) != E_OK ||
	    (e = pin_and_id(o, f, where, why, whylen)) != E_OK ||
	    (e = revisions_of(o, f, where, why, whylen)) != E_OK)
		return e;
	if (!trash && f->deleted != NULL)
		return why_set(why, whylen, "%s.deleted_at: a memo in the trash "
		    "belongs in \"trash\"", where);
	return E_OK;
}

/* ---- the scan of the file ---- */

/* A check of JSON that allocates nothing: the file is checked for UTF-8
 * once, then every value is walked here (containers with a stack of at
 * most SCAN_MAX_DEPTH), so that nothing a file holds outside its memos
 * ever becomes a json-c tree, and a memo becomes one only when it is small
 * enough (IMPORT_MAX_VALUES). */
#define SCAN_MAX_DEPTH		64
#define IMPORT_MAX_VALUES	20000

struct scan {
	const char	*start, *p, *end;
};

static void
ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
at(const struct scan *s, char c)
{
	return s->p < s->end && *s->p == c;
}

/* Past the JSON string at s->p: escapes as JSON has them, no control
 * character; 0 if it is not one. */
static int
string_skip(struct scan *s)
{
	if (!at(s, '"'))
		return 0;
	for (s->p++; s->p < s->end; s->p++) {
		unsigned char c = (unsigned char)*s->p;

		if (c == '"') {
			s->p++;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c != '\\')
			continue;
		if (++s->p == s->end || strchr("\"\\/bfnrtu", *s->p) == NULL ||
		    *s->p == '\0')
			return 0;
		if (*s->p == 'u') {
			if (s->end - s->p < 5)
				return 0;
			for (int i = 1; i <= 4; i++)
				if (strchr("0123456789abcdefABCDEF", s->p[i]) == NULL ||
				    s->p[i] == '\0')
					return 0;
			s->p += 4;
		}
	}
	return 0;
}

/* Past the digits at s->p; how many. */
static size_t
digit_run(struct scan *s)
{
	const char *q = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return (size_t)(s->p - q);
}

/* Past the number or literal (true, false, null) at s->p; 0 if none. */
static int
scalar_skip(struct scan *s)
{
	static const char *const lit[] = { "true", "false", "null" };
	const char *q;

	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(lit[i]);

		if ((size_t)(s->end - s->p) >= n && memcmp(s->p, lit[i], n) == 0) {
			s->p += n;
			return 1;
		}
	}
	if (at(s, '-'))
		s->p++;
	q = s->p;
	if (digit_run(s) == 0 || (*q == '0' && s->p - q > 1))
		return 0;
	if (at(s, '.')) {
		s->p++;
		if (digit_run(s) == 0)
			return 0;
	}
	if (at(s, 'e') || at(s, 'E')) {
		s->p++;
		if (at(s, '+') || at(s, '-'))
			s->p++;
		if (digit_run(s) == 0)
			return 0;
	}
	return 1;
}

/* In an object, before a member: "key" and ':' (its value follows). */
static int
member_key(struct scan *s)
{
	ws(s);
	if (!string_skip(s))
		return 0;
	ws(s);
	if (!at(s, ':'))
		return 0;
	s->p++;
	return 1;
}

/* After a value inside the containers stack[0..*depth): close those that
 * end here; then 1 with s->p at the next value (or *depth 0: done). */
static int
value_end(struct scan *s, const char *stack, size_t *depth)
{
	while (*depth > 0) {
		ws(s);
		if (at(s, stack[*depth - 1])) {
			s->p++;
			(*depth)--;
			continue;
		}
		if (!at(s, ','))
			return 0;
		s->p++;
		return stack[*depth - 1] == '}' ? member_key(s) : 1;
	}
	return 1;
}

/* Past the one JSON value at s->p, checked; *values counts the values in
 * it (itself included).  0 if it is not JSON. */
static int
json_skip(struct scan *s, size_t *values)
{
	char stack[SCAN_MAX_DEPTH];	/* the closing bracket each awaits */
	size_t depth = 0;

	for (;;) {
		ws(s);
		if (s->p >= s->end)
			return 0;
		(*values)++;
		if (*s->p == '{' || *s->p == '[') {
			if (depth == SCAN_MAX_DEPTH)
				return 0;
			stack[depth++] = *s->p == '{' ? '}' : ']';
			s->p++;
			ws(s);
			if (!at(s, stack[depth - 1])) {
				if (stack[depth - 1] == '}' && !member_key(s))
					return 0;
				continue;
			}
			s->p++;
			depth--;
		} else if (*s->p == '"' ? !string_skip(s) : !scalar_skip(s))
			return 0;
		if (!value_end(s, stack, &depth))
			return 0;
		if (depth == 0)
			return 1;
	}
}

static enum err
not_json(struct scan *s, char *why, size_t whylen)
{
	return why_set(why, whylen, "not valid JSON at byte %zu",
	    (size_t)(s->p - s->start));
}

/* One element of "memos" or "trash" at s->p: checked and recorded. */
static enum err
element(struct import_file *f, struct scan *s, int trash, size_t i,
    char *why, size_t whylen)
{
	const char *v = s->p;
	struct json_object *o;
	struct fields fl;
	size_t values = 0;
	char where[32];
	enum err e;

	(void)snprintf(where, sizeof(where), "%s[%zu]", trash ? "trash" :
	    "memos", i);
	if (*v != '{')
		return why_set(why, whylen, "%s: not an object", where);
	if (!json_skip(s, &values))
		return not_json(s, why, whylen);
	if (values > IMPORT_MAX_VALUES)
		return why_set(why, whylen, "%s: more than %d values in one memo",
		    where, IMPORT_MAX_VALUES);
	if (jsonx_parse_object(v, (size_t)(s->p - v), &o) != E_OK)
		return why_set(why, whylen, "%s: not valid JSON", where);
	e = fields_of(o, trash, &fl, where, why, whylen);
	json_object_put(o);
	if (e != E_OK)
		return e;
	if (f->n == IMPORT_MAX_MEMOS)
		return why_set(why, whylen, "more than %d memos",
		    IMPORT_MAX_MEMOS);
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 256;
		struct item *p = realloc(f->items, cap * sizeof(*p));

		if (p == NULL)
			return E_NOMEM;
		f->items = p;
		f->cap = cap;
	}
	f->items[f->n] = (struct item){ fl.id, (size_t)(v - s->start),
	    (size_t)(s->p - v), f->n, trash };
	f->n++;
	return E_OK;
}

/* The array of "memos" (trash 0) or "trash" at s->p. */
static enum err
memo_array(struct import_file *f, struct scan *s, int trash, char *why,
    size_t whylen)
{
	enum err e;

	if (s->p >= s->end || *s->p != '[')
		return why_set(why, whylen, "%s: not an array", trash ? "trash" :
		    "memos");
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return E_OK;
	}
	for (size_t i = 0;; i++) {
		if (s->p >= s->end)
			return not_json(s, why, whylen);
		if ((e = element(f, s, trash, i, why, whylen)) != E_OK)
			return e;
		ws(s);
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return E_OK;
		}
		if (s->p >= s->end || *s->p != ',')
			return not_json(s, why, whylen);
		s->p++;
		ws(s);
	}
}

/* What the top level held so far. */
struct top {
	int	format, version, memos, trash;
};

/* 1 if the JSON string s[0..n) (quotes included) is name, escapes and
 * all ("\u006demos" is "memos").  Longer ones cannot be. */
static int
string_is(const char *s, size_t n, const char *name)
{
	struct json_object *o;
	int same;

	if (n > 6 * strlen(name) + 2 || jsonx_parse_value(s, n, &o) != E_OK)
		return 0;
	same = json_object_is_type(o, json_type_string) &&
	    (size_t)json_object_get_string_len(o) == strlen(name) &&
	    memcmp(json_object_get_string(o), name, strlen(name)) == 0;
	json_object_put(o);
	return same;
}

/* A top-level member other than the memos, its value v[0..n) checked to
 * be JSON: format and version must be right, others are ignored. */
static enum err
top_value(const char *k, size_t kn, const char *v, size_t n, struct top *t,
    char *why, size_t whylen)
{
	if (string_is(k, kn, "format")) {
		if (t->format++)
			return why_set(why, whylen, "format: given twice");
		if (!string_is(v, n, "memo-export"))
			return why_set(why, whylen, "format: not \"memo-export\" "
			    "(this is not a memo export file)");
	} else if (string_is(k, kn, "version")) {
		if (t->version++)
			return why_set(why, whylen, "version: given twice");
		/* At most 16 bytes of it, cut at a character: the answer
		 * is JSON, which must stay UTF-8. */
		if (n != 1 || v[0] != '1')
			return why_set(why, whylen, "version: %.*s is not "
			    "supported (this service reads version 1)",
			    (int)utf8_prefix(v, n, 16), v);
	}
	return E_OK;
}

/* One member "key": value of the top level, at s->p. */
static enum err
top_member(struct import_file *f, struct scan *s, struct top *t, char *why,
    size_t whylen)
{
	const char *k = s->p, *v;
	size_t kn, values = 0;
	int trash;

	if (!member_key(s))
		return not_json(s, why, whylen);
	kn = (size_t)(s->p - 1 - k);
	while (kn > 0 && k[kn - 1] != '"')	/* white space before ':' */
		kn--;
	ws(s);
	v = s->p;
	if ((trash = string_is(k, kn, "trash")) || string_is(k, kn, "memos")) {
		if (trash ? t->trash++ : t->memos++)
			return why_set(why, whylen, "%s: given twice",
			    trash ? "trash" : "memos");
		return memo_array(f, s, trash, why, whylen);
	}
	if (!json_skip(s, &values))
		return not_json(s, why, whylen);
	return top_value(k, kn, v, (size_t)(s->p - v), t, why, whylen);
}

/* The whole file: one object, its members, nothing after it. */
static enum err
scan_file(struct import_file *f, char *why, size_t whylen)
{
	struct scan s = { f->body, f->body, f->body + f->len };
	struct top t = { 0, 0, 0, 0 };
	enum err e;

	if (!utf8_valid(f->body, f->len))
		return why_set(why, whylen, "not UTF-8 text (this is not a memo "
		    "export file)");
	/* An editor that saved the file again may have put a byte order
	 * mark first; RFC 8259 lets a reader skip it. */
	if (f->len >= 3 && memcmp(s.p, "\xef\xbb\xbf", 3) == 0)
		s.p += 3;
	ws(&s);
	if (s.p >= s.end || *s.p++ != '{')
		return why_set(why, whylen, "not a JSON object (this is not a "
		    "memo export file)");
	ws(&s);
	if (s.p < s.end && *s.p == '}')
		s.p++;
	else
		for (;;) {
			if (s.p >= s.end)
				return not_json(&s, why, whylen);
			if ((e = top_member(f, &s, &t, why, whylen)) != E_OK)
				return e;
			ws(&s);
			if (s.p < s.end && *s.p == ',') {
				s.p++;
				ws(&s);
			} else if (s.p < s.end && *s.p == '}') {
				s.p++;
				break;
			} else
				return not_json(&s, why, whylen);
		}
	ws(&s);
	if (s.p != s.end)
		return why_set(why, whylen, "something after the end of the "
		    "object, at byte %zu", (size_t)(s.p - s.start));
	if (!t.format || !t.version || !t.memos)
		return why_set(why, whylen, "%s: missing (this is not a memo "
		    "export file)", !t.format ? "format" : !t.version ?
		    "version" : "memos");
	return E_OK;
}

/* The export's order: by id (what the list is ordered by), a memo
 * without an id by its place in the file, newest first as exported. */
static int
item_order(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->seq < y->seq ? 1 : x->seq > y->seq ? -1 : 0;
}

enum err
import_open(const char *body, size_t len, struct import_file **out,
    char *why, size_t whylen)
{
	struct import_file *f;
	enum err e;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return E_NOMEM;
	f->body = body;
	f->len = len;
	if ((e = scan_file(f, why, whylen)) != E_OK) {
		import_close(f);
		return e;
	}
	if (f->n > 1)
		qsort(f->items, f->n, sizeof(*f->items), item_order);
	*out = f;
	return E_OK;
}

size_t
import_count(const struct import_file *f)
{
	return f->n;
}

/* Free what the memo handed out last owns. */
static void
release(struct import_file *f)
{
	json_object_put(f->obj);
	f->obj = NULL;
	memo_text_free(&f->text);
	free(f->rev);
	f->rev = NULL;
	free(f->rev_times);
	f->rev_times = NULL;
}

/* A time for the database: NULL for none, or one equal to `same` (an
 * updated_at equal to created_at means never edited). */
static const char *
sql_time(const char *stamp, const char *same, char out[SQL_TIME_LEN])
{
	if (stamp == NULL || (same != NULL && strcmp(stamp, same) == 0))
		return NULL;
	return stamp_to_sql(stamp, strlen(stamp), out) ? out : NULL;
}

/* The newest MEMO_REVISIONS_KEPT revisions of fl, oldest first (the file
 * lists them newest first).  The older ones are left: the memo's next
 * edits would prune them anyway, and a purge of the trash deletes each
 * memo with what it keeps, so a batch of 100 memos cannot carry a
 * file's 1,000 revisions each. */
static enum err
revisions_build(struct import_file *f, const struct fields *fl)
{
	size_t n = fl->revisions ? json_object_array_length(fl->revisions) : 0;

	if (n > MEMO_REVISIONS_KEPT)
		n = MEMO_REVISIONS_KEPT;
	f->memo.nrev = n;
	if (n == 0)
		return E_OK;
	if ((f->rev = calloc(n, sizeof(*f->rev))) == NULL ||
	    (f->rev_times = calloc(n, sizeof(*f->rev_times))) == NULL)
		return E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(
		    fl->revisions, n - 1 - i);
		struct json_object *t = json_object_object_get(r, "text");
		struct json_object *c = json_object_object_get(r, "created_at");

		f->rev[i].text = json_object_get_string(t);
		f->rev[i].len = (size_t)json_object_get_string_len(t);
		f->rev[i].created_at = sql_time(json_object_get_string(c), NULL,
		    f->rev_times[i]);
	}
	f->memo.rev = f->rev;
	return E_OK;
}

/* The next memo's fields (pointing into f->obj), its text and created_at
 * in f->memo; 0 at the end. */
static int
item_next(struct import_file *f, struct fields *fl, enum err *e)
{
	struct db_import_memo *d = &f->memo;
	const struct item *it;
	char why[IMPORT_WHY_MAX];

	release(f);
	*e = E_OK;
	if (f->next == f->n)
		return 0;
	it = &f->items[f->next++];
	memset(d, 0, sizeof(*d));
	/* import_open checked it: a failure now is ours. */
	if (jsonx_parse_object(f->body + it->off, it->len, &f->obj) != E_OK ||
	    fields_of(f->obj, it->trash, fl, "memo", why, sizeof(why)) != E_OK) {
		*e = E_INTERNAL;
		return 0;
	}
	d->t.text = fl->text;
	d->t.len = fl->len;
	d->created_at = sql_time(fl->created, NULL, f->created);
	return 1;
}

enum err
import_next_key(void *arg, const struct db_import_memo **m)
{
	struct import_file *f = arg;
	struct fields fl;
	enum err e;

	*m = item_next(f, &fl, &e) ? &f->memo : NULL;
	return e;
}

enum err
import_next(void *arg, const struct db_import_memo **m)
{
	struct import_file *f = arg;
	struct db_import_memo *d = &f->memo;
	struct fields fl;
	enum err e;

	*m = NULL;
	if (!item_next(f, &fl, &e))
		return e;
	if ((e = memo_text_make(fl.text, fl.len, &f->text)) != E_OK ||
	    (e = revisions_build(f, &fl)) != E_OK)
		return e;
	d->t = f->text.t;
	d->pinned = fl.pinned;
	d->updated_at = sql_time(fl.updated, fl.created, f->updated);
	d->deleted_at = sql_time(fl.deleted, NULL, f->deleted);
	*m = d;
	return E_OK;
}

void
import_rewind(void *arg)
{
	struct import_file *f = arg;

	f->next = 0;
}

void
import_close(struct import_file *f)
{
	if (f == NULL)
		return;
	release(f);
	free(f->items);
	free(f);
}
