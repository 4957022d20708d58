/* naver.c - Naver Login over libcurl, and parsing of its answers. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include "buf.h"
#include "jsonx.h"
#include "naver.h"
#include "query.h"
#include "utf8.h"

/* A token or id goes into a header or the database: printable ASCII only. */
static int
printable_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return len > 0;
}

int
naver_code(const char *s, size_t n)
{
	if (n == 0 || n > NAVER_CODE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

/*
 * what, then ": " and o's string member key if it is a code:
 * "invalid_client" and "invalid_grant", or resultcode 024 and 028, call
 * for different fixes, and the operator reads which in the log.  Nothing
 * else of the answer is kept (error_description may be any text).  The
 * result lives until the next call.
 */
static const char *
with_code(const char *what, struct json_object *o, const char *key)
{
	static char said[160];
	const char *s;
	size_t n;

	if (!jsonx_get_string(o, key, &s, &n) || !naver_code(s, n))
		return what;
	(void)snprintf(said, sizeof(said), "%s: %.*s", what, (int)n, s);
	return said;
}

/* Naver's answer as a JSON object that is no {"error":…}: E_UPSTREAM
 * with reason not_object or error (and Naver's code) otherwise. */
static enum err
answer_object(const char *body, size_t len, const char *not_object,
    const char *error, struct json_object **o, const char **why)
{
	if (jsonx_parse_object(body, len, o) != E_OK) {
		*why = not_object;
		return E_UPSTREAM;
	}
	if (json_object_object_get_ex(*o, "error", NULL)) {
		*why = with_code(error, *o, "error");
		json_object_put(*o);
		*o = NULL;
		return E_UPSTREAM;
	}
	return E_OK;
}

enum err
naver_parse_token(const char *body, size_t len,
    char token[NAVER_MAX_TOKEN + 1], const char **why)
{
	struct json_object *o, *v;
	const char *s;
	size_t n;
	enum err e = E_UPSTREAM;

	if (answer_object(body, len, "token response is not a JSON object",
	    "token endpoint answered an error", &o, why) != E_OK)
		return E_UPSTREAM;
	if (!jsonx_get_string(o, "access_token", &s, &n) || n == 0)
		*why = "token response has no access_token";
	else if (n > NAVER_MAX_TOKEN || !printable_ascii(s, n))
		*why = "access_token is malformed";
	else if (json_object_object_get_ex(o, "expires_in", &v) &&
	    !json_object_is_type(v, json_type_string) &&
	    !json_object_is_type(v, json_type_int))
		*why = "expires_in is neither a string nor a number";
	else {
		memcpy(token, s, n);
		token[n] = '\0';
		e = E_OK;
	}
	json_object_put(o);
	return e;
}

enum err
naver_parse_unlink(const char *body, size_t len, const char **why)
{
	struct json_object *o;
	int ok;

	if (answer_object(body, len, "unlink response is not a JSON object",
	    "unlink answered an error", &o, why) != E_OK)
		return E_UPSTREAM;
	if (!(ok = jsonx_string_is(o, "result", "success")))
		*why = "unlink response has no result \"success\"";
	json_object_put(o);
	return ok ? E_OK : E_UPSTREAM;
}

/* Copy a non-empty UTF-8 string field, cut to fit; 1 if copied. */
static int
take_name(struct json_object *r, const char *key, char *out, size_t outlen)
{
	const char *s;
	size_t n;

	if (!jsonx_get_string(r, key, &s, &n) || n == 0 || !utf8_valid(s, n) ||
	    memchr(s, '\0', n) != NULL)
		return 0;
	n = utf8_prefix(s, n, outlen - 1);
	memcpy(out, s, n);
	out[n] = '\0';
	return 1;
}

enum err
naver_parse_profile(const char *body, size_t len, struct naver_profile *out,
    const char **why)
{
	struct json_object *o, *r;
	const char *s;
	size_t n;
	enum err e = E_UPSTREAM;

	if (jsonx_parse_object(body, len, &o) != E_OK) {
		*why = "profile response is not a JSON object";
		return E_UPSTREAM;
	}
	if (!jsonx_get_string(o, "resultcode", &s, &n) || n != 2 ||
	    memcmp(s, "00", 2) != 0)
		*why = with_code("profile resultcode is not 00", o,
		    "resultcode");
	else if (!json_object_object_get_ex(o, "response", &r) ||
	    !json_object_is_type(r, json_type_object))
		*why = "profile has no response object";
	else if (!jsonx_get_string(r, "id", &s, &n) || n == 0)
		*why = "profile has no id string";
	else if (n > USER_MAX_ID || !printable_ascii(s, n))
		*why = "profile id is malformed";
	else {
		memcpy(out->id, s, n);
		out->id[n] = '\0';
		if (!take_name(r, "name", out->name, sizeof(out->name)) &&
		    !take_name(r, "nickname", out->name, sizeof(out->name)))
			memcpy(out->name, NAVER_DEFAULT_NAME,
			    sizeof(NAVER_DEFAULT_NAME));
		e = E_OK;
	}
	json_object_put(o);
	return e;
}

static size_t
collect(char *data, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;

	/* Returning less than given makes curl abort: the body is too big. */
	return buf_add(b, data, size * nmemb) == E_OK ? size * nmemb : 0;
}

/* Why a call failed, for the log: a fixed reason; for a failed transfer
 * also the endpoint, libcurl's code and its own words. */
struct failure {
	const char	*reason;
	const char	*where;		/* NULL unless the transfer failed */
	int		 code;
	char		 curl[CURL_ERROR_SIZE];
};

enum err
naver_start(void)
{
	/* Per process, not per request: libcurl's global state lives as
	 * long as the process and is freed with it. */
	static int started;

	if (!started && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
		started = 1;
	return started ? E_OK : E_INTERNAL;
}

/* Why a transfer failed, in words; libcurl's own follow in the log. */
static const char *
transfer_failure(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return "timed out";
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		return "the connection closed without an answer";
	case CURLE_WRITE_ERROR:
		return "answer too large";
	case CURLE_PEER_FAILED_VERIFICATION:
		return "its TLS certificate was not accepted";
	case CURLE_SSL_CONNECT_ERROR:
		return "the TLS handshake failed";
	case CURLE_SSL_CACERT_BADFILE:
		return "the CA bundle (NAVER_CA_FILE, or the system's) cannot be used";
	default:
		return "could not connect";
	}
}

/* A handle for one exchange with url (checked by naver_url_safe): only
 * its own scheme allowed, certificates verified (against NAVER_CA_FILE
 * alone when set), bounded in time, the answer collected into body. */
static CURL *
easy_new(const struct cfg *cfg, const char *url, struct buf *body,
    char errbuf[CURL_ERROR_SIZE])
{
	const char *ca = cfg_str(cfg, CFG_NAVER_CA_FILE);
	CURL *c;

	if ((c = curl_easy_init()) == NULL)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR,
	    strncasecmp(url, "https:", 6) == 0 ? "https" : "http");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (*ca != '\0') {
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");	/* no proxy from the env */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    1000L * cfg_num(cfg, CFG_NAVER_CONNECT_TIMEOUT, 1, 60));
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	    1000L * cfg_num(cfg, CFG_NAVER_TIMEOUT, 1, 120));
	curl_easy_setopt(c, CURLOPT_USERAGENT, "memo/1.0");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	return c;
}

/* One HTTP exchange with Naver's endpoint where (named for the log);
 * *status is the HTTP status. */
static enum err
naver_call(const struct cfg *cfg, const char *where, const char *url,
    const char *form, const char *bearer, struct buf *body, long *status,
    struct failure *f)
{
	struct curl_slist *hdrs = NULL, *h;
	struct buf auth;
	CURL *c;
	CURLcode rc;
	enum err e = E_OK;

	buf_init(&auth, NAVER_MAX_TOKEN + 64);
	f->reason = "libcurl would not start";
	if (naver_start() != E_OK)
		return E_INTERNAL;
	f->reason = "out of memory";
	f->curl[0] = '\0';
	if ((c = easy_new(cfg, url, body, f->curl)) == NULL)
		return E_NOMEM;
	if (form != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	if (bearer != NULL) {
		if ((e = buf_puts(&auth, "Authorization: Bearer ")) != E_OK ||
		    (e = buf_puts(&auth, bearer)) != E_OK)
			goto out;
		if ((h = curl_slist_append(hdrs, auth.p)) == NULL) {
			e = E_NOMEM;
			goto out;
		}
		hdrs = h;
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	}
	if ((rc = curl_easy_perform(c)) != CURLE_OK) {
		f->reason = transfer_failure(rc);
		f->where = where;
		f->code = (int)rc;
		if (f->curl[0] == '\0')
			(void)snprintf(f->curl, CURL_ERROR_SIZE, "%s",
			    curl_easy_strerror(rc));
		e = E_UPSTREAM;
	} else
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
out:
	curl_slist_free_all(hdrs);
	buf_wipe(&auth);
	curl_easy_cleanup(c);
	return e;
}

/* naver_call for an answer that must be HTTP 200: any other status is
 * E_UPSTREAM with non200 as the reason. */
static enum err
naver_call_200(const struct cfg *cfg, const char *where, const char *url,
    const char *form, const char *bearer, struct buf *body,
    const char *non200, struct failure *f)
{
	long status = 0;
	enum err e;

	if ((e = naver_call(cfg, where, url, form, bearer, body, &status,
	    f)) != E_OK)
		return e;
	if (status != 200) {
		f->reason = non200;
		return E_UPSTREAM;
	}
	return E_OK;
}

/* The failure in words, into why. */
static void
failure_text(const struct failure *f, char why[NAVER_WHY_MAX])
{
	if (f->where != NULL)
		(void)snprintf(why, NAVER_WHY_MAX, "%s: %s (curl %d: %s)",
		    f->where, f->reason, f->code, f->curl);
	else
		(void)snprintf(why, NAVER_WHY_MAX, "%s", f->reason);
}

/* The token request's form body; every value escaped. */
static enum err
token_form(const struct cfg *cfg, const char *code, const char *state,
    struct buf *form)
{
	const char *keys[] = { "grant_type=authorization_code&client_id=",
	    "&client_secret=", "&code=", "&state=" };
	const char *vals[] = { cfg_str(cfg, CFG_NAVER_CLIENT_ID),
	    cfg_str(cfg, CFG_NAVER_CLIENT_SECRET), code, state };

	return query_build(form, keys, vals, 4);
}

enum err
naver_login(const struct cfg *cfg, const char *code, const char *state,
    struct naver_profile *out, char token_out[NAVER_MAX_TOKEN + 1],
    char why[NAVER_WHY_MAX])
{
	char token[NAVER_MAX_TOKEN + 1] = "";
	struct failure f = { "out of memory", NULL, 0, "" };
	struct buf form, body;
	enum err e;

	buf_init(&form, 16384);
	buf_init(&body, NAVER_MAX_BODY);
	if ((e = naver_endpoints_check(cfg, &f.reason)) != E_OK ||
	    (e = token_form(cfg, code, state, &form)) != E_OK ||
	    (e = naver_call_200(cfg, "token endpoint",
	    cfg_str(cfg, CFG_NAVER_TOKEN_URL), form.p, NULL, &body,
	    "token endpoint answered a non-200 status", &f)) != E_OK ||
	    (e = naver_parse_token(body.p ? body.p : "", body.len, token,
	    &f.reason)) != E_OK)
		goto out;
	buf_wipe(&body);		/* it held the tokens */
	if ((e = naver_call_200(cfg, "profile endpoint",
	    cfg_str(cfg, CFG_NAVER_PROFILE_URL), NULL, token, &body,
	    "profile endpoint answered a non-200 status", &f)) != E_OK)
		goto out;
	e = naver_parse_profile(body.p ? body.p : "", body.len, out, &f.reason);
	if (e == E_OK && token_out != NULL)
		memcpy(token_out, token, sizeof(token));
out:
	if (e != E_OK)
		failure_text(&f, why);
	explicit_bzero(token, sizeof(token));
	buf_wipe(&form);		/* the client secret and the code */
	buf_wipe(&body);		/* on a failure, maybe the tokens */
	return e;
}

/* The unlink request's form body; every value escaped. */
static enum err
unlink_form(const struct cfg *cfg, const char *token, struct buf *form)
{
	const char *keys[] = { "grant_type=delete&client_id=",
	    "&client_secret=", "&access_token=", "&service_provider=" };
	const char *vals[] = { cfg_str(cfg, CFG_NAVER_CLIENT_ID),
	    cfg_str(cfg, CFG_NAVER_CLIENT_SECRET), token, "NAVER" };

	return query_build(form, keys, vals, 4);
}

enum err
naver_unlink(const struct cfg *cfg, const char *token, char why[NAVER_WHY_MAX])
{
	struct failure f = { "out of memory", NULL, 0, "" };
	struct buf form, body;
	enum err e;

	buf_init(&form, 16384);
	buf_init(&body, NAVER_MAX_BODY);
	if ((e = naver_endpoints_check(cfg, &f.reason)) == E_OK &&
	    (e = unlink_form(cfg, token, &form)) == E_OK &&
	    (e = naver_call_200(cfg, "token endpoint (unlink)",
	    cfg_str(cfg, CFG_NAVER_TOKEN_URL), form.p, NULL, &body,
	    "unlink answered a non-200 status", &f)) == E_OK)
		e = naver_parse_unlink(body.p ? body.p : "", body.len,
		    &f.reason);
	if (e != E_OK)
		failure_text(&f, why);
	buf_wipe(&form);
	buf_wipe(&body);		/* the answer repeats the token */
	return e;
}
