/* fuzz_front.c - the driver's routing (method, HEAD, PATH_INFO, {id})
 * through app_run with a fake transport, for an API and an HTML endpoint,
 * and what a handler then makes of the request's headers: the session
 * cookie, a query parameter, the callback URL from Host/SCRIPT_NAME/
 * X-Forwarded-Proto and a Set-Cookie for the app's path.
 *
 * Input: fields separated by '\n': REQUEST_METHOD, PATH_INFO,
 * QUERY_STRING, HTTP_COOKIE, HTTP_HOST, SCRIPT_NAME, HTTP_X_FORWARDED_PROTO;
 * the first byte picks the endpoint.  Checked: the response always starts
 * with a Status line; the handler runs only for a method and path of a
 * route, with an {id} from 1 to 2^63-1; a callback URL is http(s)://host/…auth with no
 * byte outside the Host rules; a cookie never carries a ';' or space from
 * SCRIPT_NAME into its Path. */
#include "app.h"
#include "fuzz.h"
#include "naver.h"
#include "query.h"
#include "sess.h"

#define NFIELDS	7

static int handled;
static uint64_t handled_id;

static void
handle(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1], v[32], uri[512], cookie[512];
	const char *path;

	handled = 1;
	handled_id = ctx->args.id;
	(void)sess_from_request(&ctx->req, hash);
	(void)query_get(ctx->req.query, "limit", v, sizeof(v));
	if (naver_redirect_uri(&ctx->cfg, &ctx->req, uri, sizeof(uri)) == E_OK) {
		size_t n = strlen(uri);

		FUZZ_ASSERT(strncmp(uri, "http://", 7) == 0 ||
		    strncmp(uri, "https://", 8) == 0);
		FUZZ_ASSERT(n >= 4 && strcmp(uri + n - 4, "auth") == 0);
		FUZZ_ASSERT(strcspn(uri, " \t\r\n\"<>\\;,") == n);
	}
	if (sess_set_cookie(cookie, sizeof(cookie), &ctx->req, &ctx->cfg,
	    SESS_COOKIE, "v", 60) == 0) {
		FUZZ_ASSERT((path = strstr(cookie, "; Path=/")) != NULL);
		path += 7;
		FUZZ_ASSERT(strcspn(path, "; \t\r\n,\"") ==
		    strcspn(path, ";"));
	}
	resp_start(&ctx->resp, 200, "application/json; charset=utf-8");
	resp_puts(&ctx->resp, "{}\n");
}

static const struct route api_routes[] = {
	{ "GET", "", handle }, { "POST", "", handle }, { "GET", "/{id}", handle },
	{ "DELETE", "/{id}", handle }, { "POST", "/{id}/restore", handle },
	{ NULL, NULL, NULL },
};
static const struct route page_routes[] = {
	{ "POST", "", handle }, { NULL, NULL, NULL },
};
static const struct endpoint api = { "fuzz.cgi", 0, api_routes };
static const struct endpoint page = { "fuzz.cgi", 1, page_routes };

/* 1 if path is "/" + a plain decimal id + suffix (suffix may be ""). */
static int
id_path(const char *path, const char *suffix)
{
	size_t n;

	if (path[0] != '/' || path[1] < '1' || path[1] > '9')
		return 0;
	n = strspn(path + 1, "0123456789");
	return n <= 19 && strcmp(path + 1 + n, suffix) == 0;
}

struct out { char head[16]; size_t len; };

static long
no_read(void *ctx, char *buf, size_t n)
{
	(void)ctx;
	(void)buf;
	(void)n;
	return 0;
}

static int
keep_write(void *ctx, const char *buf, size_t n)
{
	struct out *o = ctx;

	while (n > 0 && o->len < sizeof(o->head)) {
		o->head[o->len++] = *buf++;
		n--;
	}
	return 0;
}

/* "NAME=" + the next field of the input. */
static char *
field(const char *name, const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = (size_t)((nl ? nl : end) - *p), k = strlen(name);
	char *s = malloc(k + n + 2);

	if (s == NULL)
		abort();
	memcpy(s, name, k);
	s[k] = '=';
	memcpy(s + k + 1, *p, n);
	s[k + 1 + n] = '\0';
	*p = nl ? nl + 1 : end;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	const struct endpoint *ep;
	struct out o = { "", 0 };
	struct cgi_io io = { no_read, keep_write, &o };
	char *env[NFIELDS + 2] = { NULL };
	static const char *const names[NFIELDS] = { "REQUEST_METHOD",
	    "PATH_INFO", "QUERY_STRING", "HTTP_COOKIE", "HTTP_HOST",
	    "SCRIPT_NAME", "HTTP_X_FORWARDED_PROTO" };
	const char *method, *path;

	if (size == 0)
		return 0;
	ep = (*p++ & 1) ? &page : &api;
	for (int i = 0; i < NFIELDS; i++)
		env[i] = field(names[i], &p, end);
	env[NFIELDS] = (char *)"MEMO_CONFIG=/dev/null";
	method = env[0] + sizeof("REQUEST_METHOD");
	path = env[1] + sizeof("PATH_INFO");
	handled = 0;
	handled_id = 0;
	FUZZ_ASSERT(app_run(ep, env, &io, 0) == 0);
	FUZZ_ASSERT(o.len >= 11 && memcmp(o.head, "Status: ", 8) == 0);
	if (handled && (path[0] == '\0' || strcmp(path, "/") == 0)) {
		FUZZ_ASSERT(strcmp(method, "POST") == 0 ||
		    (ep == &api && (strcmp(method, "GET") == 0 ||
		    strcmp(method, "HEAD") == 0)));
		FUZZ_ASSERT(handled_id == 0);
	} else if (handled) {
		FUZZ_ASSERT(ep == &api);
		FUZZ_ASSERT(handled_id >= 1 && handled_id <= INT64_MAX);
		FUZZ_ASSERT(id_path(path, "") ? strcmp(method, "POST") != 0 :
		    id_path(path, "/restore") && strcmp(method, "POST") == 0);
	}
	for (int i = 0; i < NFIELDS; i++)
		free(env[i]);
	return 0;
}
