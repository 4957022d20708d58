/*
 * unit.c - unit tests of common/: parsing of everything that comes from
 * outside (cookies, queries, dotenv, UTF-8, JSON, Naver's answers, request
 * bodies) and the pieces of every response (cookies, escaping, headers).
 *
 * Prints "ok - name" or "not ok - name: file:line: expression" per test;
 * tests/run.py counts them.  Exit status 1 if any failed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "buf.h"
#include "cfg.h"
#include "cgi.h"
#include "cookie.h"
#include <mysqld_error.h>
#include "db_int.h"
#include "dupset.h"
#include "fold.h"
#include "html.h"
#include "import.h"
#include "app.h"
#include "jsonx.h"
#include "mdtext.h"
#include "memobody.h"
#include "memojson.h"
#include "naver.h"
#include "query.h"
#include "resp.h"
#include "sess.h"
#include "tags.h"
#include "utf8.h"
#include <unistr.h>

static int failed_checks, tests_failed, tests_run;
static const char *fail_where;

#define CHECK(c) do { if (!(c)) { failed_checks++; \
	if (!fail_where) fail_where = #c; \
	fprintf(stderr, "  %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static void
run(const char *name, void (*fn)(void))
{
	int before = failed_checks;

	fail_where = NULL;
	fn();
	tests_run++;
	if (failed_checks != before) {
		tests_failed++;
		printf("not ok - %s: %s\n", name, fail_where);
	} else
		printf("ok - %s\n", name);
}

/* ---- a fake transport: input from a string, output into a buffer ---- */
struct fake { const char *in; size_t inlen, pos; struct buf out; };

static long
fake_read(void *ctx, char *b, size_t n)
{
	struct fake *f = ctx;
	size_t left = f->inlen - f->pos;

	if (n > left)
		n = left;
	memcpy(b, f->in + f->pos, n);
	f->pos += n;
	return (long)n;
}

static int
fake_write(void *ctx, const char *b, size_t n)
{
	struct fake *f = ctx;

	return buf_add(&f->out, b, n) == E_OK ? 0 : -1;
}

static void
t_query(void)
{
	char v[16];

	CHECK(query_get("a=1&code=x%2By+z&b", "code", v, sizeof(v)) == 5 &&
	    strcmp(v, "x+y z") == 0);
	CHECK(query_get("a=1&b", "b", v, sizeof(v)) == 0 && v[0] == '\0');
	CHECK(query_get("a=1", "code", v, sizeof(v)) == QUERY_MISSING);
	CHECK(query_get(NULL, "code", v, sizeof(v)) == QUERY_MISSING);
	CHECK(query_get("", "code", v, sizeof(v)) == QUERY_MISSING);
	CHECK(query_get("codex=1&code=2", "code", v, sizeof(v)) == 1 &&
	    strcmp(v, "2") == 0);
	CHECK(query_get("code=1&code=2", "code", v, sizeof(v)) == 1 &&
	    strcmp(v, "1") == 0);
	CHECK(query_get("code=%zz", "code", v, sizeof(v)) == QUERY_INVALID);
	CHECK(query_get("code=%4", "code", v, sizeof(v)) == QUERY_INVALID);
	CHECK(query_get("code=a%00b", "code", v, sizeof(v)) == QUERY_INVALID);
	CHECK(query_get("code=0123456789abcdef", "code", v, sizeof(v)) ==
	    QUERY_TOO_LONG);
	CHECK(query_get("code=0123456789abcde%zz", "code", v, sizeof(v)) ==
	    QUERY_INVALID);
	CHECK(query_get("code=0123456789abcde", "code", v, sizeof(v)) == 15);
	CHECK(query_get("%EC%95%88=x&k=%EC%95%88", "k", v, sizeof(v)) == 3 &&
	    strcmp(v, "안") == 0);
}

static void
t_query_build(void)
{
	const char *k[] = { "?a=", "&b=" }, *val[] = { "x y/&=", "안~" };
	struct buf b;

	buf_init(&b, 100);
	CHECK(query_build(&b, k, val, 2) == E_OK);
	CHECK(b.p && strcmp(b.p, "?a=x%20y%2F%26%3D&b=%EC%95%88~") == 0);
	buf_free(&b);
	buf_init(&b, 4);
	CHECK(query_build(&b, k, val, 2) == E_TOOLARGE);
	buf_free(&b);
}

static void
t_cookie_get(void)
{
	char v[50];

	CHECK(cookie_get("a=1; sessionId=abc; b=2", "sessionId", v,
	    sizeof(v)) == 3 && strcmp(v, "abc") == 0);
	CHECK(cookie_get("sessionId=abc", "sessionId", v, sizeof(v)) == 3);
	CHECK(cookie_get("xsessionId=evil; sessionId=good", "sessionId", v,
	    sizeof(v)) == 4 && strcmp(v, "good") == 0);
	CHECK(cookie_get("sessionIdx=evil", "sessionId", v, sizeof(v)) == -1);
	CHECK(cookie_get("a=1;sessionId=\"q\"", "sessionId", v, sizeof(v)) == 1 &&
	    strcmp(v, "q") == 0);
	CHECK(cookie_get("sessionId=first; sessionId=second", "sessionId", v,
	    sizeof(v)) == 5 && strcmp(v, "first") == 0);
	CHECK(cookie_get(NULL, "sessionId", v, sizeof(v)) == -1);
	CHECK(cookie_get("", "sessionId", v, sizeof(v)) == -1);
	CHECK(cookie_get(";;; ;", "sessionId", v, sizeof(v)) == -1);
	CHECK(cookie_get("sessionId", "sessionId", v, sizeof(v)) == -1);
	CHECK(cookie_get("sessionId=0123456789", "sessionId", v, 10) == -1);
	CHECK(cookie_get("sessionId=", "sessionId", v, sizeof(v)) == 0);
}

static void
t_cookie_format(void)
{
	char out[200];
	struct cookie_attr a = { "/memo/", 600, 0 };

	CHECK(cookie_format(out, sizeof(out), "s", "v", &a) == 0);
	CHECK(strcmp(out, "s=v; Path=/memo/; Max-Age=600; HttpOnly; "
	    "SameSite=Lax") == 0);
	a.secure = 1;
	a.max_age = 0;
	CHECK(cookie_format(out, sizeof(out), "s", "", &a) == 0);
	CHECK(strstr(out, "Max-Age=0;") && strstr(out, "; Secure"));
	CHECK(cookie_format(out, sizeof(out), "s", "a;b", &a) == -1);
	CHECK(cookie_format(out, sizeof(out), "s", "a\r\nX: y", &a) == -1);
	CHECK(cookie_format(out, 20, "s", "v", &a) == -1);
}

static void
t_utf8(void)
{
	CHECK(utf8_valid("", 0));
	CHECK(utf8_valid("plain", 5));
	CHECK(utf8_valid("한글 😀", strlen("한글 😀")));
	CHECK(utf8_valid("a\0b", 3));
	CHECK(!utf8_valid("\xC0\x80", 2));		/* overlong NUL */
	CHECK(!utf8_valid("\xE0\x80\xAF", 3));		/* overlong */
	CHECK(!utf8_valid("\xED\xA0\x80", 3));		/* surrogate */
	CHECK(!utf8_valid("\xF4\x90\x80\x80", 4));	/* > U+10FFFF */
	CHECK(!utf8_valid("\xF5\x80\x80\x80", 4));
	CHECK(!utf8_valid("\xEC\x95", 2));		/* truncated */
	CHECK(!utf8_valid("\x80", 1));			/* stray */
	CHECK(!utf8_valid("\xFF", 1));
	CHECK(utf8_valid("\xF4\x8F\xBF\xBF", 4));	/* U+10FFFF */
	CHECK(utf8_prefix("안녕", 6, 4) == 3);
	CHECK(utf8_prefix("안녕", 6, 6) == 6);
	CHECK(utf8_prefix("ab안", 5, 3) == 2);
}

/* utf8_valid's short paths against libunistring's u8_check: every string
 * of one to four bytes over the bytes where the rules change (each lead's
 * range ends, the continuation ranges' ends), at every offset after an
 * ASCII byte or a Hangul syllable, agree. */
static void
t_utf8_oracle(void)
{
	static const unsigned char edge[] = { 0x00, 0x41, 0x7F, 0x80, 0x8F,
	    0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC,
	    0xED, 0xEE, 0xEF, 0xF0, 0xF3, 0xF4, 0xF5, 0xFF };
	const size_t ne = sizeof(edge);
	unsigned char buf[8];
	size_t bad = 0;

	for (size_t len = 1; len <= 4; len++) {
		size_t total = 1;

		for (size_t k = 0; k < len; k++)
			total *= ne;
		for (size_t v = 0; v < total; v++) {
			size_t x = v;

			for (size_t k = 0; k < len; k++, x /= ne)
				buf[3 + k] = edge[x % ne];
			for (size_t pre = 0; pre <= 3; pre += 3) {
				/* nothing, or 한 before it */
				const char *s = (const char *)buf + 3 - pre;

				memcpy(buf, "\xED\x95\x9C", 3);
				if (utf8_valid(s, len + pre) !=
				    (u8_check((const uint8_t *)s, len + pre) == NULL))
					bad++;
			}
		}
	}
	CHECK(bad == 0);
}

static void
t_utf8_clean(void)
{
	/* ASCII, a Hangul syllable, a stray continuation byte, an emoji, a
	 * truncated lead, a tab, a surrogate, a C1 control, a cut 3-byte
	 * character: every kind of piece utf8_clean writes. */
	static const char mixed[] = "a\xff\xea\xb0\x80\x80\xf0\x9f\x98\x80"
	    "\xc3\t\xed\xa0\x80z\xc2\x85\xe2\x82";
	char out[64];
	size_t bad = 0;

	/* Characters, not bytes, are counted; bytes that start none become
	 * U+FFFD, control characters a space; the output always fits. */
	CHECK(utf8_clean("안녕 abc", 10, 4, out, sizeof(out)) == 8 &&
	    strcmp(out, "안녕 a") == 0);
	CHECK(utf8_clean("a\xff" "b\xed\xa0\x80", 6, 10, out, sizeof(out)) > 0 &&
	    strcmp(out, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD") ==
	    0);
	CHECK(utf8_clean("a\tb\r\n\x7f", 6, 10, out, sizeof(out)) == 6 &&
	    strcmp(out, "a b   ") == 0);
	/* C1 controls (U+0080..U+009F) too; U+00A0 is a character. */
	CHECK(utf8_clean("a\xc2\x85" "b\xc2\x9f\xc2\xa0", 8, 10, out,
	    sizeof(out)) == 6 && strcmp(out, "a b \xc2\xa0") == 0);
	CHECK(utf8_clean("한글", 6, 10, out, 5) == 3 && strcmp(out, "한") == 0);
	CHECK(utf8_clean("x", 1, 10, out, 1) == 0 && out[0] == '\0');
	/* Wherever out or maxchars ends it, what is written is well-formed
	 * UTF-8 of at most maxchars characters, NUL-terminated: a cut falls
	 * between characters, a U+FFFD's three bytes included. */
	for (size_t outlen = 1; outlen <= sizeof(out); outlen++) {
		for (size_t maxc = 0; maxc <= 16; maxc++) {
			size_t r, chars = 0;

			r = utf8_clean(mixed, sizeof(mixed) - 1, maxc, out, outlen);
			for (size_t i = 0; i < r; i++)
				chars += ((unsigned char)out[i] & 0xC0) != 0x80;
			if (r >= outlen || strlen(out) != r || !utf8_valid(out, r) ||
			    chars > maxc)
				bad++;
		}
	}
	CHECK(bad == 0);
}

struct kv { char k[8][64]; char v[8][128]; int n; };

static int
collect_kv(void *arg, const char *k, const char *v)
{
	struct kv *kv = arg;

	if (kv->n < 8) {
		snprintf(kv->k[kv->n], 64, "%s", k);
		snprintf(kv->v[kv->n], 128, "%s", v);
		kv->n++;
	}
	return 0;
}

static void
t_dotenv(void)
{
	static const char text[] =
	    "# comment\n"
	    "\n"
	    "DB_HOST=db.example\n"
	    "export DB_PORT = 3307  # the port\n"
	    "DB_PASSWORD=\"p#ss \\\"w\\\"\"\r\n"
	    "NAVER_CLIENT_SECRET='raw\\n#'\n"
	    "EMPTY=\n"
	    "URL=http://x/#frag\n";
	struct kv kv = { .n = 0 };

	CHECK(dotenv_parse(text, sizeof(text) - 1, collect_kv, &kv) == 0);
	CHECK(kv.n == 6);
	CHECK(strcmp(kv.k[0], "DB_HOST") == 0 && strcmp(kv.v[0], "db.example") == 0);
	CHECK(strcmp(kv.k[1], "DB_PORT") == 0 && strcmp(kv.v[1], "3307") == 0);
	CHECK(strcmp(kv.v[2], "p#ss \"w\"") == 0);
	CHECK(strcmp(kv.v[3], "raw\\n#") == 0);
	CHECK(strcmp(kv.k[4], "EMPTY") == 0 && kv.v[4][0] == '\0');
	CHECK(strcmp(kv.v[5], "http://x/#frag") == 0);
	kv.n = 0;
	CHECK(dotenv_parse("A=1\nnot a line\n", 16, collect_kv, &kv) == 2);
	CHECK(dotenv_parse("A=\"open\n", 8, collect_kv, &kv) == 1);
	CHECK(dotenv_parse("1A=x\n", 5, collect_kv, &kv) == 1);
	CHECK(dotenv_parse("A=\"x\" junk\n", 11, collect_kv, &kv) == 1);
	CHECK(dotenv_parse("A=a\0b\n", 6, collect_kv, &kv) == 1);
	/* A lone \r ends a line, as \n and \r\n do (python-dotenv). */
	kv.n = 0;
	CHECK(dotenv_parse("A=x\rB=y\r\nC=z\r", 13, collect_kv, &kv) == 0);
	CHECK(kv.n == 3 && strcmp(kv.v[0], "x") == 0 &&
	    strcmp(kv.k[1], "B") == 0 && strcmp(kv.v[1], "y") == 0 &&
	    strcmp(kv.k[2], "C") == 0 && strcmp(kv.v[2], "z") == 0);
	CHECK(dotenv_parse("A=1\rnot a line\n", 15, collect_kv, &kv) == 2);
}

/* What python-dotenv (the seed's reader of the same file) makes of each. */
static void
t_dotenv_as_python(void)
{
	static const struct { const char *line, *want; } c[] = {
		{ "A=#abc", "#abc" },		/* not a comment: a password */
		{ "A= #abc", "#abc" },
		{ "A=ab#c", "ab#c" },
		{ "A=ab #c", "ab" },
		{ "A=ab\t#c", "ab" },
		{ "A=\"p\\dw\"", "p\\dw" },	/* no escape: kept */
		{ "A=\"a\\\\b\\\"c\\'d\\te\"", "a\\b\"c'd\te" },
		{ "A=\"\\a\\b\\f\\v\\r\\n\"", "\a\b\f\v\r\n" },
		{ "A='it\\'s'", "it's" },
		{ "A='a\\\\b'", "a\\b" },
		{ "A='a\\nb'", "a\\nb" },
		{ "A=\"x\" # c", "x" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct kv kv = { .n = 0 };

		CHECK(dotenv_parse(c[i].line, strlen(c[i].line), collect_kv,
		    &kv) == 0);
		CHECK(kv.n == 1 && strcmp(kv.v[0], c[i].want) == 0);
	}
}

static void
t_cfg(void)
{
	char path[] = "/tmp/memo-unit-XXXXXX", envvar[64];
	static const char text[] = "DB_HOST=from-file\nDB_USER=fileuser\n"
	    "NAVER_TIMEOUT=abc\nSESSION_MAX_AGE=99999999999\n";
	char *env[4];
	struct cfg cfg;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK(write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1);
	close(fd);
	snprintf(envvar, sizeof(envvar), "MEMO_CONFIG=%s", path);
	env[0] = envvar;
	env[1] = "DB_USER=fromenv";
	env[2] = "HTTP_DB_HOST=attacker";
	env[3] = NULL;
	CHECK(cfg_load(&cfg, env) == E_OK);
	CHECK(strcmp(cfg_str(&cfg, CFG_DB_HOST), "from-file") == 0);
	CHECK(strcmp(cfg_str(&cfg, CFG_DB_USER), "fromenv") == 0);
	CHECK(strcmp(cfg_str(&cfg, CFG_DB_DATABASE), "memo") == 0);
	CHECK(strcmp(cfg_str(&cfg, CFG_NAVER_TOKEN_URL),
	    "https://nid.naver.com/oauth2.0/token") == 0);
	CHECK(cfg_num(&cfg, CFG_NAVER_TIMEOUT, 1, 120) == 5);	/* default */
	CHECK(cfg_num(&cfg, CFG_SESSION_MAX_AGE, 60, 31536000) == 31536000);
	cfg_free(&cfg);
	unlink(path);
	CHECK(cfg_load(&cfg, env) == E_INTERNAL);	/* named file missing */
}

/* Write text to path (replacing it), optionally with its modification
 * time set back ago seconds. */
static void
cfg_write(const char *path, const char *text, int ago)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL && fputs(text, f) >= 0 && fclose(f) == 0);
	if (ago > 0) {
		struct timespec t[2];

		clock_gettime(CLOCK_REALTIME, &t[0]);
		t[0].tv_sec -= ago;
		t[1] = t[0];
		CHECK(utimensat(AT_FDCWD, path, t, 0) == 0);
	}
}

/* The value of DB_HOST that cfg_load gives now. */
static const char *
cfg_host(char **env)
{
	static char out[64];
	struct cfg cfg;

	if (cfg_load(&cfg, env) != E_OK)
		return "(error)";
	snprintf(out, sizeof(out), "%s", cfg_str(&cfg, CFG_DB_HOST));
	cfg_free(&cfg);
	return out;
}

/* A FastCGI process loads the settings for every request but reads the
 * file only when it changed: each change below, however quick, is seen. */
static void
t_cfg_reread(void)
{
	char path[] = "/tmp/memo-unit-XXXXXX", other[64], envvar[64];
	char *env[2] = { envvar, NULL };
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	snprintf(envvar, sizeof(envvar), "MEMO_CONFIG=%s", path);
	snprintf(other, sizeof(other), "%s.new", path);
	cfg_write(path, "DB_HOST=aaaa\n", 0);
	CHECK(strcmp(cfg_host(env), "aaaa") == 0);
	cfg_write(path, "DB_HOST=bbbb\n", 0);	/* same size, same tick */
	CHECK(strcmp(cfg_host(env), "bbbb") == 0);
	cfg_write(path, "DB_HOST=cccc\n", 0);
	sleep(3);	/* settled (its change time cannot be set back) */
	CHECK(strcmp(cfg_host(env), "cccc") == 0);	/* read, then kept */
	CHECK(strcmp(cfg_host(env), "cccc") == 0);
	unlink(path);				/* the kept file gone */
	CHECK(strcmp(cfg_host(env), "(error)") == 0);
	cfg_write(path, "DB_HOST=dddd\n", 0);	/* written again */
	CHECK(strcmp(cfg_host(env), "dddd") == 0);
	cfg_write(other, "DB_HOST=eeee\n", 60);	/* replaced by rename */
	CHECK(rename(other, path) == 0);
	CHECK(strcmp(cfg_host(env), "eeee") == 0);
	cfg_write(path, "DB_HOST=\"unclosed\n", 60);	/* broken: an error */
	CHECK(strcmp(cfg_host(env), "(error)") == 0);
	cfg_write(path, "DB_HOST=gggg\n", 60);	/* mended */
	CHECK(strcmp(cfg_host(env), "gggg") == 0);
	unlink(path);
	CHECK(strcmp(cfg_host(env), "(error)") == 0);	/* gone */
}

/* {"a":[[…[1]…]]} with n arrays into buf; its length. */
static size_t
nested(char *buf, int n)
{
	size_t k = 5;

	memcpy(buf, "{\"a\":", 5);
	memset(buf + k, '[', (size_t)n);
	k += (size_t)n;
	buf[k++] = '1';
	memset(buf + k, ']', (size_t)n);
	k += (size_t)n;
	buf[k++] = '}';
	return k;
}

static void
t_json(void)
{
	struct json_object *o;
	const char *s;
	size_t n;
	char deep[2 * JSONX_MAX_DEPTH + 8];

	CHECK(jsonx_parse_object("{\"text\":\"a\\u0000b\"} \n", 21, &o) == E_OK);
	CHECK(jsonx_get_string(o, "text", &s, &n) && n == 3 && s[1] == '\0');
	json_object_put(o);
	CHECK(jsonx_parse_object("{\"text\":1}", 10, &o) == E_OK);
	CHECK(!jsonx_get_string(o, "text", &s, &n));
	json_object_put(o);
	CHECK(jsonx_parse_object("[1]", 3, &o) == E_BADREQ && o == NULL);
	CHECK(jsonx_parse_object("{} x", 4, &o) == E_BADREQ);
	CHECK(jsonx_parse_object("{}{}", 4, &o) == E_BADREQ);
	CHECK(jsonx_parse_object("{\"a\":", 5, &o) == E_BADREQ);
	CHECK(jsonx_parse_object("", 0, &o) == E_BADREQ);
	CHECK(jsonx_parse_object("{\"a\":\"\xff\"}", 9, &o) == E_BADREQ);
	CHECK(jsonx_parse_object("{\"a\":'x'}", 9, &o) == E_BADREQ);
	CHECK(jsonx_parse_object("{\"a\":01}", 8, &o) == E_BADREQ);
	CHECK(jsonx_parse_object("{\"a\":1,}", 8, &o) == E_BADREQ);
	/* What json-c's strict mode takes and RFC 8259 does not. */
	{
		static const char *const bad[] = { "{'a':1}", "{\"a\":NaN}",
		    "{\"a\":Infinity}", "{\"a\":-Infinity}", "{\"a\":1.}",
		    "{\"a\":1.e5}", "{\"a\":\"x\ny\"}", "{\"a\":\"x\ty\"}",
		    "{\"a\":\"\x01\"}", "{\"a\":\"\x1f\"}", "{\"a\":truex}",
		    "{\"a\":-}", "{\"a\":1e}", "{\"a\":1e+}", "\xef\xbb\xbf{}",
		    "{\"a\":1}\f", "{\"a\\" };
		static const char *const good[] = { "{\"a\":-0.5e+3}",
		    "{\"a\":[true,false,null,0,1E2,-1.25]}",
		    "{\"a\":\"\\\"'\\n\\u0001 NaN\"}", "\t{ \"b\" : {} }\r\n" };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			o = NULL;
			CHECK(jsonx_parse_object(bad[i], strlen(bad[i]), &o) ==
			    E_BADREQ && o == NULL);
		}
		for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
			CHECK(jsonx_parse_object(good[i], strlen(good[i]), &o) ==
			    E_OK);
			json_object_put(o);
		}
	}
	/* json-c counts each value as a level, the innermost 1 too: the
	 * object, JSONX_MAX_DEPTH - 2 arrays and the 1 are at the limit, one
	 * array more is over it.  Balanced, so nothing but the depth refuses
	 * (an unclosed one is refused at any limit). */
	n = nested(deep, JSONX_MAX_DEPTH - 2);
	CHECK(jsonx_parse_object(deep, n, &o) == E_OK);
	json_object_put(o);
	n = nested(deep, JSONX_MAX_DEPTH - 1);
	CHECK(jsonx_parse_object(deep, n, &o) == E_BADREQ && o == NULL);
}

static void
t_naver_token(void)
{
	char tok[NAVER_MAX_TOKEN + 1];
	const char *why = NULL;
#define TOK(s) naver_parse_token(s, strlen(s), tok, &why)

	CHECK(TOK("{\"access_token\":\"AAA\",\"refresh_token\":\"r\","
	    "\"token_type\":\"bearer\",\"expires_in\":\"3600\"}") == E_OK &&
	    strcmp(tok, "AAA") == 0);
	CHECK(TOK("{\"access_token\":\"B\",\"expires_in\":3600}") == E_OK);
	CHECK(TOK("{\"access_token\":\"B\",\"expires_in\":[]}") == E_UPSTREAM);
	CHECK(TOK("{\"error\":\"invalid_request\",\"error_description\":"
	    "\"no\"}") == E_UPSTREAM && why != NULL);
	/* Naver's code is named (invalid_client: the secret; invalid_grant:
	 * the code), nothing else of its answer, and only a code. */
	CHECK(TOK("{\"error\":\"invalid_client\",\"error_description\":"
	    "\"client secret\"}") == E_UPSTREAM &&
	    strcmp(why, "token endpoint answered an error: invalid_client") == 0);
	CHECK(TOK("{\"error\":\"a b\\r\\nX\"}") == E_UPSTREAM &&
	    strcmp(why, "token endpoint answered an error") == 0);
	CHECK(TOK("{\"error\":true}") == E_UPSTREAM &&
	    strcmp(why, "token endpoint answered an error") == 0);
	CHECK(TOK("{\"access_token\":\"\"}") == E_UPSTREAM);
	CHECK(TOK("{\"access_token\":5}") == E_UPSTREAM);
	CHECK(TOK("{\"access_token\":\"a\\r\\nX-Evil: 1\"}") == E_UPSTREAM);
	CHECK(TOK("{\"access_token\":\"a b\"}") == E_UPSTREAM);
	CHECK(TOK("<html>점검 중</html>") == E_UPSTREAM);
	CHECK(TOK("") == E_UPSTREAM);
#undef TOK
}

static void
t_naver_unlink(void)
{
	static const struct { const char *body; enum err want; } cases[] = {
		{ "{\"access_token\":\"AAA\",\"result\":\"success\"}", E_OK },
		{ "{\"result\":\"success\"}", E_OK },
		{ "{\"error\":\"invalid_request\",\"result\":\"success\"}",
		  E_UPSTREAM },
		{ "{\"access_token\":\"AAA\"}", E_UPSTREAM },
		{ "{\"result\":\"successful\"}", E_UPSTREAM },
		{ "{\"result\":true}", E_UPSTREAM }, { "<html>점검 중</html>", E_UPSTREAM },
		{ "", E_UPSTREAM },
	};
	const char *why = NULL;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(naver_parse_unlink(cases[i].body, strlen(cases[i].body),
		    &why) == cases[i].want);
	CHECK(naver_parse_unlink(cases[2].body, strlen(cases[2].body), &why) ==
	    E_UPSTREAM && strstr(why, "error") != NULL);
}

static void
t_naver_profile(void)
{
	struct naver_profile p;
	const char *why = NULL;
#define PROF(s) naver_parse_profile(s, strlen(s), &p, &why)

	CHECK(PROF("{\"resultcode\":\"00\",\"message\":\"success\",\"response\":"
	    "{\"id\":\"abc123\",\"nickname\":\"닉\",\"name\":\"홍길동\"}}") == E_OK);
	CHECK(strcmp(p.id, "abc123") == 0 && strcmp(p.name, "홍길동") == 0);
	CHECK(PROF("{\"resultcode\":\"00\",\"response\":{\"id\":\"x\","
	    "\"nickname\":\"닉\"}}") == E_OK && strcmp(p.name, "닉") == 0);
	CHECK(PROF("{\"resultcode\":\"00\",\"response\":{\"id\":\"x\","
	    "\"name\":\"\"}}") == E_OK &&
	    strcmp(p.name, NAVER_DEFAULT_NAME) == 0);
	CHECK(PROF("{\"resultcode\":\"024\",\"message\":\"Authentication "
	    "failed\"}") == E_UPSTREAM &&
	    strcmp(why, "profile resultcode is not 00: 024") == 0);
	CHECK(PROF("{\"resultcode\":\"00\",\"response\":{\"name\":\"n\"}}") ==
	    E_UPSTREAM);
	CHECK(PROF("{\"resultcode\":\"00\",\"response\":{\"id\":12345}}") ==
	    E_UPSTREAM);
	CHECK(PROF("{\"resultcode\":\"00\",\"response\":{\"id\":\"a b\"}}") ==
	    E_UPSTREAM);
	CHECK(PROF("{\"resultcode\":\"00\",\"response\":\"x\"}") == E_UPSTREAM);
	CHECK(PROF("{\"resultcode\":0}") == E_UPSTREAM);
	CHECK(PROF("not json") == E_UPSTREAM);
	{
		char big[600];
		int n = snprintf(big, sizeof(big), "{\"resultcode\":\"00\","
		    "\"response\":{\"id\":\"%0200d\"}}", 1);
		CHECK(naver_parse_profile(big, (size_t)n, &p, &why) == E_UPSTREAM);
	}
#undef PROF
}

/* The reason the last read_body gave for its E_BADREQ. */
static const char *body_why;

static enum err
read_body(const char *cl, const char *in, size_t max, struct cgi_req *req)
{
	static struct fake f;
	static struct cgi_io io = { fake_read, fake_write, &f };
	static char clvar[96];
	static char *env[2];
	enum err e;

	f.in = in;
	f.inlen = strlen(in);
	f.pos = 0;
	env[0] = NULL;
	if (cl != NULL) {
		snprintf(clvar, sizeof(clvar), "CONTENT_LENGTH=%s", cl);
		env[0] = clvar;
	}
	env[1] = NULL;
	cgi_req_init(req, env, &io);
	body_why = NULL;
	e = cgi_read_body(req, max, &body_why);
	return e;
}

static void
t_body(void)
{
	struct cgi_req r;

	CHECK(read_body("5", "hello", 10, &r) == E_OK && r.body_len == 5 &&
	    strcmp(r.body, "hello") == 0);
	cgi_req_free(&r);
	CHECK(read_body("5", "hel", 10, &r) == E_BADREQ);	/* short */
	CHECK(body_why != NULL &&
	    strcmp(body_why, "body shorter than Content-Length or unreadable") == 0);
	cgi_req_free(&r);
	CHECK(read_body("11", "hello", 10, &r) == E_TOOLARGE);
	CHECK(r.body == NULL);				/* refused unread */
	CHECK(read_body("18446744073709551616", "", 10, &r) == E_TOOLARGE);
	CHECK(read_body("-1", "", 10, &r) == E_BADREQ);
	CHECK(body_why != NULL &&
	    strcmp(body_why, "Content-Length is not a number") == 0);
	CHECK(read_body(" 5", "hello", 10, &r) == E_BADREQ);
	CHECK(read_body("5x", "hello", 10, &r) == E_BADREQ);
	CHECK(read_body("", "", 10, &r) == E_LENGTH);
	CHECK(read_body(NULL, "", 10, &r) == E_LENGTH);	/* Apache: chunked */
	CHECK(body_why != NULL && strcmp(body_why,
	    "Content-Length is missing (a chunked body is not taken)") == 0);
	CHECK(read_body("99999999999999999999999999x", "", 10, &r) == E_BADREQ);
	CHECK(read_body("0", "", 10, &r) == E_OK && r.body_len == 0);
	cgi_req_free(&r);
}

static void
t_request(void)
{
	char *env[] = { "CONTENT_TYPE=application/json; charset=UTF-8",
	    "SCRIPT_NAME=/memo/memo", "HTTP_X_FORWARDED_PROTO=https", NULL };
	char base[64];
	struct cgi_req r;

	cgi_req_init(&r, env, &cgi_stdio);
	CHECK(cgi_is_json(&r));
	CHECK(!cgi_is_https(&r));	/* X-Forwarded-Proto alone: anyone's */
	cgi_base_path(&r, base, sizeof(base));
	CHECK(strcmp(base, "/memo/") == 0);
	CHECK(strcmp(r.method, "") == 0 && strcmp(r.path_info, "") == 0);
	r.content_type = "application/jsonx";
	CHECK(!cgi_is_json(&r));
	r.content_type = "text/plain";
	CHECK(!cgi_is_json(&r));
	r.content_type = "application/json;charset=latin1";
	CHECK(!cgi_is_json(&r));
	r.content_type = "APPLICATION/JSON";
	CHECK(cgi_is_json(&r));
	r.script_name = "/memo";
	cgi_base_path(&r, base, sizeof(base));
	CHECK(strcmp(base, "/") == 0);
	r.script_name = "/a;b c,d\"e\\f/memo";	/* never raw in a cookie */
	cgi_base_path(&r, base, sizeof(base));
	CHECK(strcmp(base, "/a%3Bb%20c%2Cd%22e%5Cf/") == 0);
	r.script_name = "/\xeb\xa9\x94\xeb\xaa\xa8/<x>/login";
	cgi_base_path(&r, base, sizeof(base));
	CHECK(strcmp(base, "/%EB%A9%94%EB%AA%A8/%3Cx%3E/") == 0);
	r.script_name = "/\xeb\xa9\x94\xeb\xaa\xa8/login";	/* 20 chars out */
	cgi_base_path(&r, base, 21);
	CHECK(strcmp(base, "/%EB%A9%94%EB%AA%A8/") == 0);
	cgi_base_path(&r, base, 20);		/* does not fit: the site */
	CHECK(strcmp(base, "/") == 0);
	r.script_name = "";
	cgi_base_path(&r, base, sizeof(base));
	CHECK(strcmp(base, "/") == 0);
}

static void
t_response(void)
{
	struct fake f = { 0 };
	struct cgi_io io = { fake_read, fake_write, &f };
	static struct resp r;

	buf_init(&f.out, 1 << 20);
	resp_init(&r, &io, 0);
	resp_start(&r, 200, "text/html; charset=utf-8");
	resp_header(&r, "X-Test", "evil\r\nSet-Cookie: a=b");
	resp_header(&r, "X-Ok", "fine");
	resp_body(&r);
	html_escape(&r, "<b>\"x\" & 'y'</b>", strlen("<b>\"x\" & 'y'</b>"));
	resp_flush(&r);
	CHECK(f.out.p && strncmp(f.out.p, "Status: 200 OK\r\n", 16) == 0);
	CHECK(strstr(f.out.p, "X-Content-Type-Options: nosniff\r\n"));
	CHECK(strstr(f.out.p, "Content-Security-Policy: default-src 'self'"));
	CHECK(strstr(f.out.p, "X-Ok: fine\r\n"));
	CHECK(!strstr(f.out.p, "evil"));
	/* All of it, and nothing after (the body is its last bytes). */
	CHECK(f.out.len >= 54 && memcmp(f.out.p + f.out.len - 54, "\r\n\r\n"
	    "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;", 54) == 0);
	buf_free(&f.out);

	/* A body larger than the buffer streams out whole. */
	buf_init(&f.out, 1 << 20);
	resp_init(&r, &io, 0);
	resp_start(&r, 200, "text/plain");
	for (int i = 0; i < 5000; i++)
		resp_puts(&r, "0123456789");
	resp_flush(&r);
	CHECK(f.out.p && strlen(strstr(f.out.p, "\r\n\r\n") + 4) == 50000);
	buf_free(&f.out);

	/* HEAD: headers only. */
	buf_init(&f.out, 1 << 20);
	resp_init(&r, &io, 1);
	resp_error(&r, E_UNAUTH, NULL);
	resp_flush(&r);
	CHECK(f.out.p && strncmp(f.out.p, "Status: 401 Unauthorized", 24) == 0);
	CHECK(f.out.p && strcmp(f.out.p + f.out.len - 4, "\r\n\r\n") == 0);
	buf_free(&f.out);
}

static void
t_sess(void)
{
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1], h[SESS_HASH_LEN + 1];

	CHECK(sess_token_new(a) == E_OK && sess_token_new(b) == E_OK);
	CHECK(strlen(a) == TOKEN_LEN && sess_token_valid(a));
	CHECK(strcmp(a, b) != 0);
	CHECK(!sess_token_valid("short"));
	CHECK(!sess_token_valid("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
	sess_hash("abc", h);
	CHECK(strcmp(h, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad") == 0);
	CHECK(sess_token_equal("abc", "abc"));
	CHECK(!sess_token_equal("abc", "abd"));
	CHECK(!sess_token_equal("abc", "abcd"));
	CHECK(sess_public_id_new(a) == E_OK && strlen(a) == SESS_PUBLIC_ID_LEN &&
	    strspn(a, "0123456789abcdef") == SESS_PUBLIC_ID_LEN);
}

static void
t_withdraw_state(void)
{
	char nonce[TOKEN_LEN + 1], s1[TOKEN_LEN + 1], s2[TOKEN_LEN + 1];
	char cookie[256];
	char h1[SESS_HASH_LEN + 1], h2[SESS_HASH_LEN + 1];
	char *env[] = { cookie, NULL };
	char joined[STATE_COOKIE_MAX + 1], want[STATE_COOKIE_MAX + 1];
	struct sess_state st[STATE_KEEP];
	struct cgi_req r;

	CHECK(sess_token_new(nonce) == E_OK);
	sess_hash("session one", h1);
	sess_hash("session two", h2);
	sess_withdraw_state(nonce, h1, s1);
	CHECK(sess_token_valid(s1) && strcmp(s1, nonce) != 0);
	sess_withdraw_state(nonce, h1, s2);
	CHECK(strcmp(s1, s2) == 0);		/* the same inputs, the same */
	sess_withdraw_state(nonce, h2, s2);
	CHECK(strcmp(s1, s2) != 0);		/* another session, another */
	/* The cookie: a login's state, or the mark and a withdrawal's nonce;
	 * several, newest first, '~' between two, at most STATE_KEEP. */
	snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=oauthState=w.%s", nonce);
	cgi_req_init(&r, env, &cgi_stdio);
	CHECK(sess_state_cookies(&r, st) == 1 &&
	    st[0].intent == INTENT_WITHDRAW && strcmp(st[0].token, nonce) == 0);
	snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=oauthState=%s", nonce);
	cgi_req_init(&r, env, &cgi_stdio);
	CHECK(sess_state_cookies(&r, st) == 1 &&
	    st[0].intent == INTENT_LOGIN && strcmp(st[0].token, nonce) == 0);
	snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=oauthState=x.%s", nonce);
	cgi_req_init(&r, env, &cgi_stdio);
	CHECK(sess_state_cookies(&r, st) == 0);
	snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=oauthState=w.%.42s=", nonce);
	cgi_req_init(&r, env, &cgi_stdio);
	CHECK(sess_state_cookies(&r, st) == 0);
	snprintf(cookie, sizeof(cookie),
	    "HTTP_COOKIE=oauthState=%s~w.%s~%s~%s", s1, nonce, s2, s1);
	cgi_req_init(&r, env, &cgi_stdio);
	CHECK(sess_state_cookies(&r, st) == STATE_KEEP &&
	    strcmp(st[0].token, s1) == 0 && st[1].intent == INTENT_WITHDRAW &&
	    strcmp(st[1].token, nonce) == 0 && strcmp(st[2].token, s2) == 0);
	sess_state_join(st, STATE_KEEP, joined, sizeof(joined));
	snprintf(want, sizeof(want), "%s~w.%s~%s", s1, nonce, s2);
	CHECK(strcmp(joined, want) == 0);
	sess_state_join(st, STATE_KEEP, joined, TOKEN_LEN * 2);	/* one fits */
	CHECK(strcmp(joined, s1) == 0);
	snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=oauthState=%s~bad~%s",
	    s1, s2);
	cgi_req_init(&r, env, &cgi_stdio);
	CHECK(sess_state_cookies(&r, st) == 1);		/* up to a bad one */
}

static void
t_authorize_url(void)
{
	char *env[] = { "NAVER_CLIENT_ID=id&x", "HTTP_HOST=example.com:8080",
	    "SCRIPT_NAME=/memo/login", NULL };
	char *bad[] = { "HTTP_HOST=evil.com/x?", "SCRIPT_NAME=/login", NULL };
	char redirect[256];
	struct cgi_req r;
	struct cfg cfg;
	char *url;

	CHECK(cfg_load(&cfg, (char *[]){ "MEMO_CONFIG=/dev/null",
	    "NAVER_CLIENT_ID=id&x", NULL }) == E_OK);
	cgi_req_init(&r, env, &cgi_stdio);
	CHECK(naver_redirect_uri(&cfg, &r, redirect, sizeof(redirect)) == E_OK);
	CHECK(strcmp(redirect, "http://example.com:8080/memo/auth") == 0);
	url = naver_authorize_url(&cfg, redirect, "STATE", 0);
	CHECK(url && strcmp(url, "https://nid.naver.com/oauth2.0/authorize"
	    "?response_type=code&client_id=id%26x&redirect_uri=http%3A%2F%2F"
	    "example.com%3A8080%2Fmemo%2Fauth&state=STATE") == 0);
	free(url);
	/* A withdrawal asks Naver for its consent page again. */
	url = naver_authorize_url(&cfg, redirect, "STATE", 1);
	CHECK(url && strstr(url, "&state=STATE&auth_type=reprompt") != NULL &&
	    url[strlen(url) - 1] == 't');
	free(url);
	cgi_req_init(&r, bad, &cgi_stdio);
	CHECK(naver_redirect_uri(&cfg, &r, redirect, sizeof(redirect)) ==
	    E_BADREQ);
	cfg_free(&cfg);
}

/* Which Naver URLs may carry the client secret or a token. */
static void
t_naver_url_safe(void)
{
	const char *safe[] = { "https://nid.naver.com/oauth2.0/token",
	    "HTTPS://openapi.naver.com/v1/nid/me", "http://127.0.0.1:9/x",
	    "http://127.255.255.254/", "http://localhost:8080/oauth2.0/token",
	    "http://LocalHost", "http://[::1]:443/x", "http://[::1]?q",
	    "http://[0:0::1]/", "http://127.0.0.1#f", NULL };
	const char *refused[] = { "", "https://", "http://nid.naver.com/x",
	    "http://128.0.0.1/", "http://0.0.0.0:80/", "http://10.0.0.1/",
	    "http://127.1/", "http://0177.0.0.1/", "http://127.000.0.1/",
	    "http://127.0.0.1.nip.io/", "http://localhost.evil.com/",
	    "http://127.0.0.1@evil.com/", "http://evil.com@127.0.0.1/",
	    "http://127.0.0.1\\@evil.com/", "http://127.0.0.1:/",
	    "http://127.0.0.1:80:81/", "http://127.0.0.1:8o/",
	    "http://[::2]/", "http://[::ffff:127.0.0.1]/", "http://[::1/",
	    "http://[::1]x/", "http://[::1%25lo]/", "http://:80/", "http:///x",
	    "ftp://127.0.0.1/", "file:///etc/passwd", " http://127.0.0.1/",
	    "http:/127.0.0.1/", "//127.0.0.1/", "http://127.0.0.1 /",
	    "https://nid.naver.com/x\n", "https://nid.naver.com/a b",
	    "https://nid.naver.com/\r\nX-A: 1", "https://nid.naver.com/\x7f",
	    "https://nid.naver.com/\t", NULL };
	struct cfg cfg;
	const char *why = NULL;

	for (int i = 0; safe[i] != NULL; i++) {
		int ok = naver_url_safe(safe[i]);

		if (!ok)
			fprintf(stderr, "  refused: %s\n", safe[i]);
		CHECK(ok);
	}
	for (int i = 0; refused[i] != NULL; i++) {
		int taken = naver_url_safe(refused[i]);

		if (taken)
			fprintf(stderr, "  taken: %s\n", refused[i]);
		CHECK(!taken);
	}
	/* The defaults are Naver's https URLs; one http:// elsewhere and
	 * the check names its setting. */
	CHECK(cfg_load(&cfg, (char *[]){ "MEMO_CONFIG=/dev/null", NULL }) ==
	    E_OK);
	CHECK(naver_endpoints_check(&cfg, &why) == E_OK);
	cfg_free(&cfg);
	CHECK(cfg_load(&cfg, (char *[]){ "MEMO_CONFIG=/dev/null",
	    "NAVER_PROFILE_URL=http://openapi.naver.com/v1/nid/me", NULL }) ==
	    E_OK);
	CHECK(naver_endpoints_check(&cfg, &why) == E_INTERNAL &&
	    strncmp(why, "NAVER_PROFILE_URL ", 18) == 0);
	cfg_free(&cfg);
}

static void
t_memo_body(void)
{
	/* "N" (POST) or "P" (PATCH) and the body; then what it gives: "400",
	 * or "ok", whether it has a text, and pinned (-1: absent). */
	static const char *const cases[] = {
		"N" "{\"text\":\"\xec\x95\x88\xeb\x85\x95\"}", "ok text -1",
		"N" " {\"text\":\"x\",\"id\":5}\r\n", "ok text -1",
		"N" "{\"text\":\"x\",\"pinned\":true}", "ok text 1",
		"N" "{\"text\":\"x\",\"pinned\":1}", "400",
		"N" "{\"pinned\":true}", "400",
		"N" "{\"text\":\"\"}", "400",
		"N" "{\"text\":5}", "400",
		"N" "{\"text\":null}", "400",
		"N" "[\"text\"]", "400",
		"N" "{\"text\":\"a\\u0000b\"}", "400",
		"N" "{\"text\":\"\xff\"}", "400",
		"N" "{\"text\":\"x\"} {}", "400",
		"N" "", "400",
		"P" "{\"text\":\"y\"}", "ok text -1",
		"P" "{\"pinned\":false}", "ok none 0",
		"P" "{\"text\":\"y\",\"pinned\":true}", "ok text 1",
		"P" "{}", "400",
		"P" "{\"text\":\"y\",\"id\":5}", "400",
		"P" "{\"deleted_at\":null}", "400",
		"P" "{\"text\":\"\"}", "400",
		"P" "{\"pinned\":\"true\"}", "400",
		"P" "{\"text\":null}", "400",
	};
	struct memo_body b;
	const char *why;
	size_t n = 6 * MEMO_MAX_TEXT;
	char *big;

	for (size_t i = 0; i + 1 < sizeof(cases) / sizeof(cases[0]); i += 2) {
		const char *body = cases[i] + 1, *want = cases[i + 1];
		int ok = strncmp(want, "ok ", 3) == 0;

		why = NULL;
		CHECK(memo_body_parse(body, strlen(body), cases[i][0] == 'N' ?
		    MEMO_BODY_NEW : MEMO_BODY_PATCH, &b, &why) ==
		    (ok ? E_OK : E_BADREQ));
		CHECK(ok == (why == NULL));
		if (ok) {
			CHECK((b.text != NULL) == (strncmp(want + 3, "text", 4) == 0));
			CHECK(b.pinned == atoi(strrchr(want, ' ') + 1));
		}
		memo_body_free(&b);
	}
	CHECK(memo_body_parse("{\"text\":\"\xec\x95\x88\"}", 14, MEMO_BODY_NEW,
	    &b, &why) == E_OK && b.len == 3 &&
	    memcmp(b.text, "\xec\x95\x88", 3) == 0);
	memo_body_free(&b);
	/* One byte over the limit is 413; the limit itself is fine. */
	big = malloc(n);
	CHECK(big != NULL);
	if (big == NULL)
		return;
	for (size_t max = MEMO_MAX_TEXT; max <= MEMO_MAX_TEXT + 1; max++) {
		memcpy(big, "{\"text\":\"", 9);
		memset(big + 9, 'a', max);
		memcpy(big + 9 + max, "\"}", 2);
		CHECK(memo_body_parse(big, max + 11, MEMO_BODY_PATCH, &b, &why) ==
		    (max == MEMO_MAX_TEXT ? E_OK : E_TOOLARGE));
		memo_body_free(&b);
	}
	free(big);
}

/* The tags of text, joined by spaces ("" for none). */
static const char *
tags_of(const char *text, int keys)
{
	static char out[1024];
	struct tag_list l = { 0 };
	size_t o = 0;

	out[0] = '\0';
	if (tags_parse(text, strlen(text), &l) != E_OK)
		return "(error)";
	for (size_t i = 0; i < l.n; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s",
		    i ? " " : "", keys ? l.tag[i].key : l.tag[i].name);
	tags_free(&l);
	return out;
}

/* One list parsed into again and again (a list's writer does): it grows
 * past its first room, then holds only the newest memo's tags, up to
 * TAG_MAX_PER_MEMO. */
static void
t_tags_reuse(void)
{
	struct tag_list l = { 0 };
	char many[2048];
	size_t o = 0;

	CHECK(tags_parse("#a #b #c #d #e #f", 17, &l) == E_OK && l.n == 6 &&
	    strcmp(l.tag[5].name, "f") == 0);
	CHECK(tags_parse("#x 그리고 #Y", strlen("#x 그리고 #Y"), &l) == E_OK &&
	    l.n == 2 && strcmp(l.tag[0].name, "x") == 0 &&
	    strcmp(l.tag[1].key, "y") == 0);
	CHECK(tags_parse("없음", strlen("없음"), &l) == E_OK && l.n == 0);
	for (int i = 0; i < 150; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "#t%d ", i);
	CHECK(tags_parse(many, o, &l) == E_OK && l.n == TAG_MAX_PER_MEMO &&
	    strcmp(l.tag[99].name, "t99") == 0);
	tags_free(&l);
	CHECK(l.tag == NULL && l.n == 0 && l.cap == 0);
}

static void
t_tags(void)
{
	char long_tag[80];
	struct tag_filter f;

	CHECK(strcmp(tags_of("#회의 준비", 0), "회의") == 0);
	CHECK(strcmp(tags_of("오늘 #회의, (#日本) \"#quote\" '#q2'", 0),
	    "회의 日本 quote q2") == 0);
	CHECK(strcmp(tags_of("#work/plan and #Work", 0), "work/plan Work") == 0);
	CHECK(strcmp(tags_of("#Work #work #WORK", 0), "Work") == 0);
	CHECK(strcmp(tags_of("#Work", 1), "work") == 0);
	CHECK(strcmp(tags_of("#a_b-c #v1 #2024년", 0), "a_b-c v1 2024년") == 0);
	/* Not tags: a heading, ##, digits only, a URL fragment, mid-word. */
	CHECK(strcmp(tags_of("# 제목", 0), "") == 0);
	CHECK(strcmp(tags_of("## 제목 ##", 0), "") == 0);
	CHECK(strcmp(tags_of("#1 #2024", 0), "") == 0);
	CHECK(strcmp(tags_of("https://x.example/#frag", 0), "") == 0);
	CHECK(strcmp(tags_of("abc#def 이메일#태그", 0), "") == 0);
	CHECK(strcmp(tags_of("#tag.", 0), "tag") == 0);
	t_tags_reuse();
	/* Hangul written decomposed (NFD, as macOS writes it) is one tag with
	 * the composed one. */
	CHECK(strcmp(tags_of("#\xe1\x84\x92\xe1\x85\xac\xe1\x84\x8b\xe1\x85\xb4 "
	    "#회의", 0), "회의") == 0);
	/* 64 characters is a tag; 65 is not. */
	memset(long_tag, 'a', sizeof(long_tag));
	long_tag[0] = '#';
	long_tag[65] = '\0';
	CHECK(strlen(tags_of(long_tag, 0)) == 64);
	long_tag[65] = 'a';
	long_tag[66] = '\0';
	CHECK(strcmp(tags_of(long_tag, 0), "") == 0);
	/* The filter: key, and the range of its nested tags. */
	CHECK(tags_filter("#Work", 5, &f) == E_OK && strcmp(f.key, "work") == 0 &&
	    strcmp(f.lo, "work/") == 0 && strcmp(f.hi, "work0") == 0);
	CHECK(tags_filter("a b", 3, &f) == E_BADREQ);
	CHECK(tags_filter("", 0, &f) == E_BADREQ);
	CHECK(tags_filter("123", 3, &f) == E_BADREQ);
}

static void
t_fold(void)
{
	struct fold_query q;
	const char *why;
	char *s, big[900];
	size_t n;

	CHECK(fold_text("ABC Straße", 11, &s, &n) == E_OK &&
	    strcmp(s, "abc strasse") == 0 && n == 11);
	free(s);
	/* NFD Hangul folds to NFC. */
	CHECK(fold_text("\xe1\x84\x92\xe1\x85\xac", 6, &s, &n) == E_OK &&
	    strcmp(s, "회") == 0);
	free(s);
	CHECK(fold_query_parse("  회의  ABC ", 14, &q, &why) == E_OK &&
	    q.nterms == 2 && strcmp(q.pattern[0], "%회의%") == 0 &&
	    strcmp(q.pattern[1], "%abc%") == 0);
	fold_query_free(&q);
	/* LIKE's wildcards and the escape are literal. */
	CHECK(fold_query_parse("50%_a!b\\", 8, &q, &why) == E_OK &&
	    strcmp(q.pattern[0], "%50!%!_a!!b\\%") == 0);
	fold_query_free(&q);
	CHECK(fold_query_parse("   ", 3, &q, &why) == E_BADREQ);
	/* Past 8 words: the statement's patterns, then the words C looks
	 * for (fold_query_rest_found). */
	CHECK(fold_query_parse("a b c d e f g h i", 17, &q, &why) == E_OK &&
	    q.nwords == 9 && q.nterms == 8 &&
	    strcmp(q.pattern[7], "%h%") == 0 && strcmp(q.word[8], "i") == 0 &&
	    fold_query_rest_found(&q, "xiy", 3) &&
	    !fold_query_rest_found(&q, "abcdefgh", 8));
	fold_query_free(&q);
	/* Longest first; a word inside another, or again, is dropped. */
	CHECK(fold_query_parse("a bbb cc", 8, &q, &why) == E_OK &&
	    q.nwords == 3 && strcmp(q.word[0], "bbb") == 0 &&
	    strcmp(q.word[1], "cc") == 0 && strcmp(q.word[2], "a") == 0);
	fold_query_free(&q);
	CHECK(fold_query_parse("회의 회의록 록 회의 ABC abc", 35, &q, &why) == E_OK &&
	    q.nwords == 2 && strcmp(q.word[0], "회의록") == 0 &&
	    strcmp(q.word[1], "abc") == 0 && q.nterms == 2);
	fold_query_free(&q);
	/* 100 words, the most 200 characters hold. */
	for (size_t i = 0; i < 100; i++) {
		unsigned int c = 0xAC00 + 112 * (unsigned int)i;

		big[4 * i] = (char)(0xE0 | c >> 12);
		big[4 * i + 1] = (char)(0x80 | (c >> 6 & 0x3F));
		big[4 * i + 2] = (char)(0x80 | (c & 0x3F));
		big[4 * i + 3] = ' ';
	}
	CHECK(fold_query_parse(big, 399, &q, &why) == E_OK &&
	    q.nwords == 100 && q.nterms == 8);
	fold_query_free(&q);
	CHECK(fold_query_parse("\xff", 1, &q, &why) == E_BADREQ);
	memset(big, 'a', 201);
	CHECK(fold_query_parse(big, 201, &q, &why) == E_BADREQ);
	CHECK(fold_query_parse(big, 200, &q, &why) == E_OK);
	fold_query_free(&q);
	/* 200 Korean characters are 600 bytes and still fine. */
	for (size_t i = 0; i < 200; i++)
		memcpy(big + 3 * i, "가", 3);
	CHECK(fold_query_parse(big, 600, &q, &why) == E_OK);
	fold_query_free(&q);
}

/* If-Match (strong) and If-None-Match (weak) lists, as RFC 9110 writes
 * them; a malformed one names nothing. */
static void
t_etag_listed(void)
{
	static const struct db_memo m = { 1, "", 0, "", "", "", 0, 1, NULL };

	CHECK(memo_etag_listed("\"1-1\"", &m, 0) == 1);
	CHECK(memo_etag_listed("\"1-0\", \"1-1\"", &m, 0) == 1);
	CHECK(memo_etag_listed("*", &m, 0) == 1);
	/* A weak tag never matches strongly, but is well formed: the
	 * tags after it still count. */
	CHECK(memo_etag_listed("W/\"1-1\"", &m, 0) == 0);
	CHECK(memo_etag_listed("W/\"1-0\", \"1-1\"", &m, 0) == 1);
	CHECK(memo_etag_listed("W/\"1-1\", \"1-1\"", &m, 0) == 1);
	CHECK(memo_etag_listed("W/\"1-1\"", &m, 1) == 1);
	CHECK(memo_etag_listed("\"2-0\",W/\"1-1\"", &m, 1) == 1);
	/* Malformed: nothing, whatever follows. */
	CHECK(memo_etag_listed("W/ \"1-1\"", &m, 1) == 0);
	CHECK(memo_etag_listed("w/\"1-1\"", &m, 1) == 0);
	CHECK(memo_etag_listed("x, \"1-1\"", &m, 0) == 0);
	CHECK(memo_etag_listed("\"1-1\"x", &m, 0) == 0);
	CHECK(memo_etag_listed("\"1-1", &m, 0) == 0);
	CHECK(memo_etag_listed("W/W/\"1-1\"", &m, 1) == 0);
	CHECK(memo_etag_listed("", &m, 0) == 0);
}

/* memo_json_put streams the very bytes of memo_json_set's object. */
static void
t_memojson(void)
{
	static struct db_memo memos[] = {
		{ 7, "\xed\x9a\x8c\xec\x9d\x98 #\xed\x9a\x8c\xec\x9d\x98 #Work/plan #work/plan",
		  33, "2026-11-24T13:45:00Z", "2026-11-24T13:50:12Z", "", 1, 3, NULL },
		{ 8, "\"quotes\" \\ </script> \n\t\x01", 27, "2026-11-24T13:45:00Z",
		  "2026-11-24T13:45:00Z", "2026-11-25T00:00:00Z", 0, 9, NULL },
		{ 9, "\xff\xfe not UTF-8", 15, "2026-11-24T13:45:00Z",
		  "2026-11-24T13:45:00Z", "", 0, 0, NULL },
		{ 9223372036854775807ULL, "#a", 2, "9999-12-31T23:59:59Z",
		  "9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z", 1, 1, NULL },
	};
	struct fake f = { 0 };
	struct cgi_io io = { fake_read, fake_write, &f };
	static struct resp r;
	struct memo_json w;

	CHECK(memo_json_init(&w) == E_OK);
	for (size_t i = 0; i < sizeof(memos) / sizeof(memos[0]); i++) {
		const char *want, *got;

		memos[i].text_len = strlen(memos[i].text);

		buf_init(&f.out, 1 << 16);
		resp_init(&r, &io, 0);
		resp_start(&r, 200, NULL);
		resp_body(&r);
		CHECK(memo_json_put(&r, &w, &memos[i]) == E_OK);
		resp_flush(&r);
		CHECK(memo_json_set(&w, &memos[i]) == E_OK);
		want = json_object_to_json_string_ext(w.obj,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		got = f.out.p ? strstr(f.out.p, "\r\n\r\n") : NULL;
		CHECK(got != NULL && want != NULL && strcmp(got + 4, want) == 0);
		if (got && want && strcmp(got + 4, want) != 0)
			fprintf(stderr, "  got  %s\n  want %s\n", got + 4, want);
		buf_free(&f.out);
	}
	CHECK(strstr(json_object_to_json_string(w.obj), "\"tags\": [ \"a\" ]") != NULL);
	memo_json_free(&w);
}

/* ---- app_run's front-line checks, through a fake transport ---- */
static int front_handled;

static void
front_handle(struct ctx *ctx)
{
	front_handled = 1;
	resp_start(&ctx->resp, 200, "text/plain");
}

static void
front_handle_id(struct ctx *ctx)
{
	front_handled = (int)ctx->args.id;
	resp_start(&ctx->resp, 200, "text/plain");
}

static char front_key[APP_KEY_MAX + 1];

static void
front_handle_key(struct ctx *ctx)
{
	front_handled = 1;
	memcpy(front_key, ctx->args.key, sizeof(front_key));
	resp_start(&ctx->resp, 200, "text/plain");
}

/* Routes shaped like memo.cgi's, and like the HTML endpoints'. */
static const struct route api_routes[] = {
	{ "GET", "", front_handle }, { "POST", "", front_handle },
	{ "GET", "/{id}", front_handle_id }, { "PATCH", "/{id}", front_handle_id },
	{ "POST", "/{id}/restore", front_handle_id },
	{ "DELETE", "/sessions/{key}", front_handle_key }, { NULL, NULL, NULL },
};
static const struct route page_routes[] = {
	{ "POST", "", front_handle }, { NULL, NULL, NULL },
};

/* The request's Sec-Fetch-Site (NULL: none sent). */
static const char *front_site;

/* The status app_run answers (negative: the handler ran); allow, if not
 * NULL, must be the Allow header's value. */
static int
front(const struct route *routes, int html, const char *method,
    const char *path, const char *allow)
{
	const struct endpoint ep = { "unit", html, routes };
	char m[64], p[160], want[80], site[64];
	char *env[] = { m, p, "MEMO_CONFIG=/dev/null", front_site ? site : NULL,
	    NULL };
	struct fake f = { "", 0, 0, { 0 } };
	struct cgi_io io = { fake_read, fake_write, &f };
	int status = 0;

	snprintf(m, sizeof(m), "REQUEST_METHOD=%s", method);
	snprintf(p, sizeof(p), "PATH_INFO=%s", path);
	snprintf(site, sizeof(site), "HTTP_SEC_FETCH_SITE=%s",
	    front_site ? front_site : "");
	buf_init(&f.out, 1 << 16);
	front_handled = 0;
	app_run(&ep, env, &io, 0);
	if (f.out.p && strncmp(f.out.p, "Status: ", 8) == 0)
		status = atoi(f.out.p + 8);
	if (allow != NULL) {
		snprintf(want, sizeof(want), "Allow: %s\r\n", allow);
		CHECK(f.out.p && strstr(f.out.p, want) != NULL);
	}
	buf_free(&f.out);
	return front_handled ? -status : status;
}

static void
t_front(void)
{
	const struct route *a = api_routes, *pg = page_routes;

	/* A negative status: the handler ran and answered it. */
	CHECK(front(a, 0, "GET", "", NULL) == -200);
	CHECK(front(a, 0, "POST", "/", NULL) == -200);
	CHECK(front(a, 0, "HEAD", "", NULL) == -200);
	CHECK(front(a, 0, "DELETE", "", "GET, POST") == 405);
	CHECK(front(a, 0, "GE", "", "GET, POST") == 405);
	CHECK(front(a, 0, "GET, POST", "", NULL) == 405);
	CHECK(front(a, 0, "", "", NULL) == 405);
	CHECK(front(a, 0, "get", "", NULL) == 405);
	CHECK(front(pg, 1, "GET", "", "POST") == 405);
	CHECK(front(pg, 1, "HEAD", "", "POST") == 405);
	CHECK(front(a, 0, "GET", "/x", NULL) == 404);
	CHECK(front(a, 0, "GET", "//", NULL) == 404);
	CHECK(front(pg, 1, "POST", "/../etc", NULL) == 404);
	/* {id}: 1 to 2^63-1 in plain decimal; anything else is 404. */
	CHECK(front(a, 0, "GET", "/7", NULL) == -200 && front_handled == 7);
	CHECK(front(a, 0, "PATCH", "/9223372036854775807", NULL) == -200);
	CHECK(front(a, 0, "DELETE", "/7", "GET, PATCH") == 405);
	CHECK(front(a, 0, "POST", "/7/restore", NULL) == -200);
	CHECK(front(a, 0, "GET", "/7/restore", "POST") == 405);
	CHECK(front(a, 0, "GET", "/9223372036854775808", NULL) == 404);
	CHECK(front(a, 0, "GET", "/0", NULL) == 404);
	CHECK(front(a, 0, "GET", "/07", NULL) == 404);
	CHECK(front(a, 0, "GET", "/-7", NULL) == 404);
	CHECK(front(a, 0, "GET", "/7x", NULL) == 404);
	CHECK(front(a, 0, "GET", "/7/", NULL) == 404);
	CHECK(front(a, 0, "GET", "/7/restore/x", NULL) == 404);
	CHECK(front(a, 0, "GET", "/99999999999999999999999", NULL) == 404);
	/* {key}: 1 to 64 letters, digits, - and _. */
	CHECK(front(a, 0, "DELETE", "/sessions/0a-Z_9", NULL) == -200 &&
	    strcmp(front_key, "0a-Z_9") == 0);
	CHECK(front(a, 0, "DELETE", "/sessions/"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    NULL) == -200);
	CHECK(front(a, 0, "DELETE", "/sessions/"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    NULL) == 404);
	CHECK(front(a, 0, "GET", "/sessions/abc", "DELETE") == 405);
	CHECK(front(a, 0, "DELETE", "/sessions/", NULL) == 404);
	CHECK(front(a, 0, "DELETE", "/sessions/a.b", NULL) == 404);
	CHECK(front(a, 0, "DELETE", "/sessions/a%20", NULL) == 404);
	CHECK(front(a, 0, "DELETE", "/sessions/a/b", NULL) == 404);
	/* A route that acts (not a GET), asked for by another page than
	 * ours, is 403 before its handler: POST /memo/{id}/restore took
	 * none, and a sibling site's form reached it with the SameSite=Lax
	 * session cookie.  Our own page, or no word at all (curl), passes;
	 * a GET (the OAuth callback comes from Naver's page) too. */
	for (size_t i = 0; i < 3; i++) {
		static const char *const other[] = { "cross-site",
		    "same-site", "none" };

		front_site = other[i];
		CHECK(front(a, 0, "POST", "/7/restore", NULL) == 403 &&
		    front_handled == 0);
		CHECK(front(a, 0, "PATCH", "/7", NULL) == 403);
		CHECK(front(a, 0, "DELETE", "/sessions/abc", NULL) == 403);
		CHECK(front(pg, 1, "POST", "", NULL) == 403);
		CHECK(front(a, 0, "GET", "/7", NULL) == -200);
		CHECK(front(a, 0, "HEAD", "/7", NULL) == -200);
		CHECK(front(a, 0, "DELETE", "/7", "GET, PATCH") == 405);
	}
	front_site = "same-origin";
	CHECK(front(a, 0, "POST", "/7/restore", NULL) == -200);
	CHECK(front(pg, 1, "POST", "", NULL) == -200);
	front_site = NULL;
}

/* What md_text (or md_inline) writes for text: 1 if it is want. */
static int
md_gives(int inline_text, const char *text, const char *want)
{
	struct fake f = { 0 };
	struct cgi_io io = { fake_read, fake_write, &f };
	static struct resp r;
	const char *body;
	int same;

	buf_init(&f.out, 1 << 20);
	resp_init(&r, &io, 0);
	resp_start(&r, 200, "text/markdown; charset=utf-8");
	resp_body(&r);
	if (inline_text)
		md_inline(&r, text, strlen(text));
	else
		md_text(&r, text, strlen(text));
	resp_flush(&r);
	body = f.out.p ? strstr(f.out.p, "\r\n\r\n") : NULL;
	same = body != NULL && strcmp(body + 4, want) == 0;
	if (!same)
		fprintf(stderr, "  md: %s\n", body ? body + 4 : "(none)");
	buf_free(&f.out);
	return same;
}

/* An import's duplicates: same created_at and the same bytes, whether the
 * user had it or the file had it before; each time of the file once, in
 * order, as the database reads it; many memos at one time. */
static void
t_dupset(void)
{
	static const char t1[] = "2020-01-01 00:00:00", t2[] = "2021-06-30 23:59:59",
	    t0[] = "1000-01-01 00:00:00";
	char out[DUPSET_TIME_LEN], text[32];
	struct dupset *ds;
	int dups = 0;

	CHECK(dupset_new(&ds) == E_OK && ds != NULL);
	if (ds == NULL)
		return;
	CHECK(dupset_add(ds, t2, "하나", strlen("하나")) == E_OK);
	CHECK(dupset_add(ds, t1, "하나", strlen("하나")) == E_OK);
	CHECK(dupset_add(ds, t1, "둘", strlen("둘")) == E_OK);
	CHECK(dupset_add(ds, t1, "하나", strlen("하나")) == E_OK);
	CHECK(dupset_add(ds, t0, "A", 1) == E_OK);
	CHECK(dupset_add(ds, t0, "a", 1) == E_OK);
	CHECK(dupset_add(ds, t0, "a ", 2) == E_OK);
	CHECK(dupset_times(ds) == 3);
	dupset_time(ds, 0, out);
	CHECK(strcmp(out, t0) == 0);
	dupset_time(ds, 1, out);
	CHECK(strcmp(out, t1) == 0);
	dupset_time(ds, 2, out);
	CHECK(strcmp(out, t2) == 0);
	/* The user has 하나 at t1 once, a twice, and memos the file does
	 * not hold. */
	dupset_have(ds, t1, "하나", strlen("하나"));
	dupset_have(ds, t1, "셋", strlen("셋"));
	dupset_have(ds, t0, "a", 1);
	dupset_have(ds, t0, "a", 1);
	CHECK(dupset_take(ds, t2, "하나", strlen("하나")) == 0);
	/* The file's two 하나 at t1: one the user has, one new. */
	CHECK(dupset_take(ds, t1, "하나", strlen("하나")) == 1);
	CHECK(dupset_take(ds, t1, "하나", strlen("하나")) == 0);
	CHECK(dupset_take(ds, t1, "둘", strlen("둘")) == 0);
	CHECK(dupset_take(ds, t1, "둘", strlen("둘")) == 0);	/* twice: two */
	CHECK(dupset_take(ds, t1, "셋", strlen("셋")) == 0);	/* not added */
	CHECK(dupset_take(ds, t0, "A", 1) == 0);
	CHECK(dupset_take(ds, t0, "a", 1) == 1);
	CHECK(dupset_take(ds, t0, "a", 1) == 1);
	CHECK(dupset_take(ds, t0, "a", 1) == 0);		/* a third */
	CHECK(dupset_take(ds, t0, "a ", 2) == 0);
	CHECK(dupset_take(ds, t2, "하나", strlen("하나")) == 0);
	dupset_free(ds);

	/* A file without memos (an empty account's export): no times, and
	 * none of the account's memos is the file's. */
	CHECK(dupset_new(&ds) == E_OK && ds != NULL);
	if (ds == NULL)
		return;
	CHECK(dupset_times(ds) == 0);
	dupset_have(ds, t1, "하나", strlen("하나"));
	CHECK(dupset_take(ds, t1, "하나", strlen("하나")) == 0);
	dupset_free(ds);

	/* 20,000 memos at one time (the table grows), the user has every
	 * other one. */
	CHECK(dupset_new(&ds) == E_OK && ds != NULL);
	if (ds == NULL)
		return;
	for (int i = 0; i < 20000; i++) {
		(void)snprintf(text, sizeof(text), "메모 %d", i);
		CHECK(dupset_add(ds, t1, text, strlen(text)) == E_OK);
	}
	CHECK(dupset_times(ds) == 1);
	for (int i = 0; i < 40000; i += 2) {
		(void)snprintf(text, sizeof(text), "메모 %d", i);
		dupset_have(ds, t1, text, strlen(text));
	}
	for (int i = 0; i < 20000; i++) {
		(void)snprintf(text, sizeof(text), "메모 %d", i);
		dups += dupset_take(ds, t1, text, strlen(text));
	}
	CHECK(dups == 10000);
	dupset_free(ds);
}

/* A memo's text in the Markdown export cannot make the file's headings,
 * hide the memos after it, or draw a rule; everything else is as
 * written. */
static void
t_mdtext(void)
{
	/* Another date's and another memo's headings, forged. */
	CHECK(md_gives(0, "보통 줄\n## 2024-03-02\n\n### 00:30 · 고정\n\n가짜",
	    "보통 줄\n\\## 2024-03-02\n\n\\### 00:30 · 고정\n\n가짜"));
	CHECK(md_gives(0, "> ## 인용\n- ### 목록\n1. # 번호\n  - > ## 안쪽\n#",
	    "> \\## 인용\n- \\### 목록\n1. \\# 번호\n  - > \\## 안쪽\n\\#"));
	/* Setext underlines and rules (the cut line's ---). */
	CHECK(md_gives(0, "제목\n===\n또\n- \n---\n- - -\n* * *\n> ___\n=",
	    "제목\n\\===\n또\n\\- \n\\---\n\\- - -\n\\* * *\n> \\___\n\\="));
	/* A fence or an HTML block would run on over the memos after it. */
	CHECK(md_gives(0, "```\n~~~~\n  ```js\n<!-- 숨김\n<pre>",
	    "\\```\n\\~~~~\n  \\```js\n\\<!-- 숨김\n\\<pre>"));
	CHECK(md_gives(0, "x <h3>09:00</h3> <b>굵게</b> a < b <3 <? <",
	    "x \\<h3>09:00\\</h3> \\<b>굵게\\</b> a < b <3 \\<? <"));
	/* A backslash written before '<' cannot undo the escape: "\\<b>"
	 * would be a literal backslash, then raw HTML; an odd run escapes
	 * the '<' already. */
	CHECK(md_gives(0, "\\<h2>가짜</h2>\n\\\\<!-- 숨김\n\\\\\\<b>",
	    "\\<h2>가짜\\</h2>\n\\\\\\<!-- 숨김\n\\\\\\<b>"));
	/* Autolinks are not HTML: as written (escaped, "<https://…>" showed
	 * as text, or linked with its '>').  Tags still are. */
	CHECK(md_gives(0, "<https://example.com/a?b=1> <mailto:a@b.kr> "
	    "<me@example.kr> <a:b>\n<br/> <img src=x> <my-tag\t<div",
	    "<https://example.com/a?b=1> <mailto:a@b.kr> "
	    "<me@example.kr> <a:b>\n\\<br/> \\<img src=x> \\<my-tag\t\\<div"));
	/* Any byte a renderer may take for a blank ends the tag's name:
	 * \v and \f (cmark-gfm), U+00A0 and U+3000 (markdown-it's \s). */
	CHECK(md_gives(0, "<pre\f>\n<style\v>\n<h2\xc2\xa0>가짜\n<b\xe3\x80\x80x",
	    "\\<pre\f>\n\\<style\v>\n\\<h2\xc2\xa0>가짜\n\\<b\xe3\x80\x80x"));
	/* \r ends a line as \n does. */
	CHECK(md_gives(0, "a\r## b\r\n### c\n", "a\r\\## b\r\n\\### c\n"));
	/* Tags, lists, checkboxes, emphasis: as written. */
	CHECK(md_gives(0, "#태그 첫 줄\n#1\n####### 일곱\n- [ ] 할 일\n- [x] 한 일\n"
	    "**굵게** _기울임_\n2024. 회의 -- 끝 ==",
	    "#태그 첫 줄\n#1\n####### 일곱\n- [ ] 할 일\n- [x] 한 일\n"
	    "**굵게** _기울임_\n2024. 회의 -- 끝 =="));
	/* A name in the title's line stays on it. */
	CHECK(md_gives(1, "홍\n## 길동\r\n<b>", "홍 ## 길동  \\<b>"));
}

/* import_open's verdict on text: E_OK, or the error with why holding want. */
static int
import_says(const char *text, const char *want)
{
	struct import_file *f = NULL;
	char why[IMPORT_WHY_MAX] = "";
	enum err e = import_open(text, strlen(text), &f, why, sizeof(why));

	import_close(f);
	if (want == NULL)
		return e == E_OK;
	if (e != E_BADREQ || strstr(why, want) == NULL)
		fprintf(stderr, "  import: %s\n", why);
	return e == E_BADREQ && strstr(why, want) != NULL;
}

static void
t_import(void)
{
	static const char file[] = "{\"format\":\"memo-export\",\"version\":1,"
	    "\"user\":{\"name\":\"홍\"},\"\\u006demos\" : [ {\"id\":2,\"text\":\"둘 #태그\","
	    "\"created_at\":\"2020-01-02T03:04:05Z\",\"updated_at\":"
	    "\"2020-01-02T03:04:05Z\",\"revisions\":[{\"text\":\"new\",\"created_at\":"
	    "\"2020-01-01T00:00:02Z\"},{\"text\":\"old\",\"created_at\":"
	    "\"2020-01-01T00:00:01Z\"}]}, {\"id\":1,\"text\":\"하나\",\"pinned\":true,"
	    "\"created_at\":\"2019-12-31T23:59:59Z\",\"updated_at\":"
	    "\"2020-02-29T12:00:00Z\"} ],\"trash\":[{\"id\":3,\"text\":\"셋\","
	    "\"created_at\":\"2020-01-03T00:00:00Z\",\"deleted_at\":"
	    "\"2020-01-04T00:00:00Z\"}],\"x\":[-1.5e+3,true,null,\"\\n\"]}\n";
	const struct db_import_memo *m;
	struct import_file *f;
	char why[IMPORT_WHY_MAX];

	CHECK(import_open(file, strlen(file), &f, why, sizeof(why)) == E_OK);
	if (f == NULL)
		return;
	CHECK(import_count(f) == 3);
	/* Oldest first: by the export's ids. */
	CHECK(import_next(f, &m) == E_OK && m && strcmp(m->t.text, "하나") == 0 &&
	    m->pinned && strcmp(m->created_at, "2019-12-31 23:59:59") == 0 &&
	    strcmp(m->updated_at, "2020-02-29 12:00:00") == 0 &&
	    m->deleted_at == NULL && m->nrev == 0);
	CHECK(import_next(f, &m) == E_OK && m && strcmp(m->t.text, "둘 #태그") == 0 &&
	    !m->pinned && m->updated_at == NULL && m->t.tags->n == 1 &&
	    m->t.search != NULL && m->nrev == 2 &&
	    strcmp(m->rev[0].text, "old") == 0 &&
	    strcmp(m->rev[1].created_at, "2020-01-01 00:00:02") == 0);
	CHECK(import_next(f, &m) == E_OK && m && strcmp(m->t.text, "셋") == 0 &&
	    strcmp(m->deleted_at, "2020-01-04 00:00:00") == 0);
	CHECK(import_next(f, &m) == E_OK && m == NULL);
	/* The duplicate check's pass: texts and times only, in that order. */
	import_rewind(f);
	CHECK(import_next_key(f, &m) == E_OK && m && strcmp(m->t.text, "하나") == 0 &&
	    m->t.len == strlen("하나") && m->t.search == NULL && m->nrev == 0 &&
	    strcmp(m->created_at, "2019-12-31 23:59:59") == 0);
	CHECK(import_next_key(f, &m) == E_OK && m &&
	    strcmp(m->t.text, "둘 #태그") == 0 && m->t.tags == NULL &&
	    strcmp(m->created_at, "2020-01-02 03:04:05") == 0);
	CHECK(import_next_key(f, &m) == E_OK && m && strcmp(m->t.text, "셋") == 0);
	CHECK(import_next_key(f, &m) == E_OK && m == NULL);
	import_close(f);
	CHECK(import_says("{\"format\":\"memo-export\",\"version\":1,\"memos\":[]}",
	    NULL));
	CHECK(import_says("", "not a JSON object"));
	/* A byte order mark, put first by an editor, is skipped; once. */
	CHECK(import_says("\xef\xbb\xbf{\"format\":\"memo-export\",\"version\":1,"
	    "\"memos\":[]}", NULL));
	CHECK(import_says("\xef\xbb\xbf\xef\xbb\xbf{\"format\":\"memo-export\","
	    "\"version\":1,\"memos\":[]}", "not a JSON object"));
	CHECK(import_says("{\"format\":\"memo-export\",\"version\":1}", "memos: "
	    "missing"));
	CHECK(import_says("{\"format\":\"memo-export\",\"version\":1.0,"
	    "\"memos\":[]}", "version: 1.0 is not supported"));
	/* The value is quoted cut at a character, never mid-way (the
	 * 16th byte here is the second of 마's three). */
	CHECK(import_says("{\"format\":\"memo-export\",\"version\":"
	    "\"a가나다라마\",\"memos\":[]}", "version: \"a가나다라 is not"));
	CHECK(import_says("{\"format\":\"memo-exports\",\"version\":1,"
	    "\"memos\":[]}", "format: not"));
	CHECK(import_says("{\"format\":\"memo-export\",\"version\":1,\"memos\":["
	    "{\"text\":\"a\",\"created_at\":\"2021-02-29T00:00:00Z\"}]}",
	    "memos[0].created_at"));
	CHECK(import_says("{\"format\":\"memo-export\",\"version\":1,\"memos\":["
	    "{\"text\":\"a\",\"created_at\":\"0999-01-01T00:00:00Z\"}]}",
	    "memos[0].created_at"));
	CHECK(import_says("{\"format\":\"memo-export\",\"version\":1,\"memos\":["
	    "{\"text\":\"a\",\"created_at\":\"2021-01-01T00:00:00Z\",\"id\":0}]}",
	    "memos[0].id"));
	CHECK(import_says("{\"format\":\"memo-export\",\"version\":1,\"memos\":["
	    "{\"text\":\"a\\u0000\",\"created_at\":\"2021-01-01T00:00:00Z\"}]}",
	    "memos[0].text"));
	CHECK(import_says("{\"format\":\"memo-export\",\"version\":1,\"memos\":"
	    "[{}],}", "memos[0].text"));
	CHECK(import_says("{\"format\":\"memo-export\",\"version\":1,\"memos\":[],}",
	    "not valid JSON"));
	CHECK(import_says("{\"format\":\"memo-export\",\"version\":1,\"memos\":[],"
	    "\"x\":\"\\q\"}", "not valid JSON"));
	CHECK(import_says("{\"format\":\"memo-export\",\"version\":1,\"memos\":[],"
	    "\"x\":[1 2]}", "not valid JSON"));
	CHECK(import_says("{\"format\":\"memo-export\",\"version\":1,\"memos\":[],"
	    "\"x\":{\"a\"}}", "not valid JSON"));
	CHECK(import_says("{\"format\":\"memo-export\",\"version\":1,\"memos\":[],"
	    "\"x\":tru}", "not valid JSON"));
	CHECK(import_says("{\"format\":\"memo-export\",\"version\":1,\"memos\":[]"
	    "", "not valid JSON"));
}

/* A server error's text in the log: whole, but never the row's values
 * some errors quote. */
static void
t_db_reason(void)
{
	static const char dup[] = "Duplicate entry 'naver-id-123' for key "
	    "'PRIMARY'";
	static const char bytes[] = "Incorrect string value: '\\xF0\\x9F' "
	    "for column `memo`.`memo`.`text` at row 1";
	static const char lost[] = "Lost connection to server during query";
	static const char quoted[] = "Table 'memo.x' doesn't exist";

	CHECK(db_reason_len(ER_DUP_ENTRY, dup) == 16);
	CHECK(db_reason_len(ER_DUP_ENTRY_WITH_KEY_NAME, dup) == 16);
	CHECK(db_reason_len(ER_TRUNCATED_WRONG_VALUE_FOR_FIELD, bytes) == 24);
	CHECK(db_reason_len(ER_WRONG_VALUE, "Incorrect DATETIME value: "
	    "'x'") == 26);
	CHECK(db_reason_len(2013, lost) == (int)strlen(lost));
	/* Other errors' quotes name tables and columns: kept. */
	CHECK(db_reason_len(ER_NO_SUCH_TABLE, quoted) == (int)strlen(quoted));
	CHECK(db_reason_len(ER_DUP_ENTRY, "") == 0);
}

/* Statement st failing with error n, as db_run takes it in a db_exec_or
 * for which error `answer` is an answer. */
static enum err
failed_with(unsigned int n, unsigned int answer, int *failed)
{
	struct db d;
	MYSQL_STMT st;
	enum err e;

	memset(&d, 0, sizeof(d));
	memset(&st, 0, sizeof(st));
	st.last_errno = n;
	(void)snprintf(st.last_error, sizeof(st.last_error), "error %u", n);
	e = db_fail_or(&d, &st, "memo insert", answer);
	*failed = d.failed;
	return e;
}

/* A POST's NULL user (1048: no live session) is an answer, E_NOTFOUND,
 * and the connection is kept; any other error stays a failure. */
static void
t_db_answer_error(void)
{
	int failed;

	CHECK(failed_with(ER_BAD_NULL_ERROR, ER_BAD_NULL_ERROR, &failed) ==
	    E_NOTFOUND && !failed);
	CHECK(failed_with(ER_LOCK_DEADLOCK, ER_BAD_NULL_ERROR, &failed) ==
	    E_DB && failed);
	CHECK(failed_with(ER_BAD_NULL_ERROR, 0, &failed) == E_INTERNAL &&
	    failed);
	CHECK(failed_with(ER_NO_SUCH_TABLE, ER_BAD_NULL_ERROR, &failed) ==
	    E_INTERNAL && failed);
}

int
main(void)
{
	run("query: decoding, bounds, bad escapes", t_query);
	run("query: percent-encoding builder", t_query_build);
	run("cookie: parsing the Cookie header", t_cookie_get);
	run("cookie: Set-Cookie attributes and refusals", t_cookie_format);
	run("utf8: strict validation and prefixes", t_utf8);
	run("utf8: the short paths agree with libunistring's u8_check", t_utf8_oracle);
	run("dotenv: syntax, quotes, comments, errors", t_dotenv);
	run("dotenv: values as python-dotenv reads them", t_dotenv_as_python);
	run("cfg: a changed file is read again, however quick the change", t_cfg_reread);
	run("cfg: file, environment override, defaults", t_cfg);
	run("json: strict object parsing", t_json);
	run("naver: token responses", t_naver_token);
	run("naver: profile responses", t_naver_profile);
	run("naver: unlink responses", t_naver_unlink);
	run("utf8: cleaning a header for storage", t_utf8_clean);
	run("sess: public ids, the withdrawal's state and cookie", t_withdraw_state);
	run("import: the export file's rules, the scan, the order", t_import);
	run("dupset: an import's duplicates, its times, a growing table",
	    t_dupset);
	run("mdtext: a memo cannot make the Markdown export's structure",
	    t_mdtext);
	run("cgi: bounded body reading", t_body);
	run("cgi: content type, https, base path", t_request);
	run("resp: headers, escaping, streaming, HEAD", t_response);
	run("sess: tokens, hashes, comparison", t_sess);
	run("naver: redirect and authorize URLs", t_authorize_url);
	run("naver: https, or http:// to loopback only", t_naver_url_safe);
	run("memobody: the POST and PATCH /memo body rules", t_memo_body);
	run("tags: what is a #tag, names and keys, the filter", t_tags);
	run("memojson: a streamed memo is the object's very bytes", t_memojson);
	run("memojson: ETag lists, a weak tag in If-Match skipped", t_etag_listed);
	run("fold: case folding, NFC/NFD, search terms", t_fold);
	run("app: routes, {id}, 404 and 405 with Allow before a handler", t_front);
	run("db: a server error's reason logged without the row's values",
	    t_db_reason);
	run("db: an error that is an answer (db_exec_or) is not a failure",
	    t_db_answer_error);
	printf("unit: %d passed, %d failed\n", tests_run - tests_failed,
	    tests_failed);
	return tests_failed ? 1 : 0;
}
