/* fuzz_front.c - the driver's front-line checks (method, HEAD, PATH_INFO)
 * through app_run with a fake transport, for an API and an HTML endpoint.
 *
 * Input: fields separated by '\n': REQUEST_METHOD, PATH_INFO,
 * QUERY_STRING, HTTP_COOKIE; the first byte picks the endpoint.  Checked:
 * the response always starts with a Status line, and the handler runs only
 * for an allowed method with no PATH_INFO beyond "/". */
#include "app.h"
#include "fuzz.h"
#include "query.h"
#include "sess.h"

static int handled;

static void
handle(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1], v[32];

	handled = 1;
	(void)sess_from_request(&ctx->req, hash);
	(void)query_get(ctx->req.query, "limit", v, sizeof(v));
	resp_start(&ctx->resp, 200, "application/json; charset=utf-8");
	resp_puts(&ctx->resp, "{}\n");
}

static const struct endpoint api = { "fuzz.cgi", "GET, POST", 0, handle };
static const struct endpoint page = { "fuzz.cgi", "POST", 1, handle };

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
	char *env[] = { NULL, NULL, NULL, NULL,
	    (char *)"MEMO_CONFIG=/dev/null", NULL };
	static const char *const names[] = { "REQUEST_METHOD", "PATH_INFO",
	    "QUERY_STRING", "HTTP_COOKIE" };
	const char *method, *path;

	if (size == 0)
		return 0;
	ep = (*p++ & 1) ? &page : &api;
	for (int i = 0; i < 4; i++)
		env[i] = field(names[i], &p, end);
	method = env[0] + sizeof("REQUEST_METHOD");
	path = env[1] + sizeof("PATH_INFO");
	handled = 0;
	FUZZ_ASSERT(app_run(ep, env, &io) == 0);
	FUZZ_ASSERT(o.len >= 11 && memcmp(o.head, "Status: ", 8) == 0);
	if (handled) {
		FUZZ_ASSERT(strcmp(method, "POST") == 0 ||
		    (ep == &api && (strcmp(method, "GET") == 0 ||
		    strcmp(method, "HEAD") == 0)));
		FUZZ_ASSERT(path[0] == '\0' || strcmp(path, "/") == 0);
	}
	for (int i = 0; i < 4; i++)
		free(env[i]);
	return 0;
}
