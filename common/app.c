/* app.c - the per-request driver: routing, front-line checks, cleanup. */
#include <stdio.h>
#include <string.h>
#include "app.h"
#include "fault.h"
#include "html.h"
#include "log.h"

/* An {id}: decimal, 1 to 2^63-1, no sign, no leading zero. */
static int
parse_id(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 19 || s[0] == '0')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > INT64_MAX)
		return 0;
	*out = v;
	return 1;
}

/* A {key}: 1 to APP_KEY_MAX letters, digits, '-' or '_'. */
static int
parse_key(const char *s, size_t n, char out[APP_KEY_MAX + 1])
{
	if (n == 0 || n > APP_KEY_MAX || strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") < n)
		return 0;
	memcpy(out, s, n);
	out[n] = '\0';
	return 1;
}

/* 1 if path matches pattern (both without the leading slash), filling the
 * route's parameters. */
static int
path_match(const char *pattern, const char *path, struct route_args *a)
{
	while (*pattern != '\0' || *path != '\0') {
		size_t pn = strcspn(pattern, "/"), n = strcspn(path, "/");

		if (pn == 4 && memcmp(pattern, "{id}", 4) == 0) {
			if (!parse_id(path, n, &a->id))
				return 0;
		} else if (pn == 5 && memcmp(pattern, "{key}", 5) == 0) {
			if (!parse_key(path, n, a->key))
				return 0;
		} else if (pn != n || memcmp(pattern, path, n) != 0)
			return 0;
		pattern += pn;
		path += n;
		if ((*pattern == '/') != (*path == '/'))
			return 0;
		if (*pattern == '/') {
			pattern++;
			path++;
		}
	}
	return 1;
}

/* Add method to the comma-separated list allow, once. */
static void
allow_add(char *allow, size_t allowlen, const char *method)
{
	size_t n = strlen(allow);

	if (strstr(allow, method) != NULL || n + strlen(method) + 3 > allowlen)
		return;
	(void)snprintf(allow + n, allowlen - n, "%s%s", n > 0 ? ", " : "",
	    method);
}

/*
 * The route for method and PATH_INFO, or NULL: then allow holds the
 * methods the path takes ("" if it takes none: 404).  "" and "/" are the
 * same path; HEAD goes where GET goes, but for an endpoint whose GET acts
 * (APP_NO_HEAD): HEAD must have no effect, so it is 405 there.
 */
static const struct route *
route_find(const struct endpoint *ep, const char *method, const char *path,
    struct route_args *args, char *allow, size_t allowlen)
{
	const struct route *r;
	int head = strcmp(method, "HEAD") == 0;

	if (head)
		method = "GET";
	allow[0] = '\0';
	if (*path != '\0' && *path++ != '/')
		return NULL;		/* not a path a server sends: 404 */
	for (r = ep->routes; r->method != NULL; r++) {
		const char *p = r->path[0] == '/' ? r->path + 1 : r->path;

		if (!path_match(p, path, args))
			continue;
		if (strcmp(r->method, method) == 0 &&
		    !(head && (ep->flags & APP_NO_HEAD)))
			return r;
		allow_add(allow, allowlen, r->method);
	}
	return NULL;
}

static const char *
html_message(enum err e)
{
	switch (e) {
	case E_BADREQ:	 return "잘못된 요청입니다.";
	case E_UNAUTH:	 return "로그인이 필요합니다. 다시 로그인해 주세요.";
	case E_FORBIDDEN: return "이 요청은 허용되지 않습니다.";
	case E_NOTFOUND: return "페이지를 찾을 수 없습니다.";
	case E_METHOD:	 return "허용되지 않는 요청 방식입니다.";
	case E_LENGTH:	 return "요청 본문의 길이(Content-Length)가 필요합니다.";
	case E_UPSTREAM: return "네이버 로그인 중 문제가 발생했습니다. "
			     "잠시 후 다시 시도해 주세요.";
	case E_DB:	 return "서비스를 잠시 사용할 수 없습니다. "
			     "잠시 후 다시 시도해 주세요.";
	default:	 return "서버에 문제가 발생했습니다.";
	}
}

void
app_fail(struct ctx *ctx, enum err e, const char *why)
{
	struct resp *r = &ctx->resp;

	if (r->status != 0 && r->in_body && resp_rewind(r) != 0)
		return;		/* too late: some of the answer has left */
	if (e == E_METHOD) {
		resp_start(r, 405, (ctx->ep->flags & APP_HTML) ? "text/html; charset=utf-8" :
		    "application/json; charset=utf-8");
		resp_header(r, "Allow", ctx->allow);
	}
	if ((ctx->ep->flags & APP_HTML))
		html_error_page(r, err_status(e), html_message(e));
	else
		resp_error(r, e, why);
}

enum err
app_read_json(struct ctx *ctx, size_t max, const char **why)
{
	if (!cgi_is_json(&ctx->req))
		return E_MEDIATYPE;
	return cgi_read_body(&ctx->req, max, why);
}

int
app_run(const struct endpoint *ep, char *const *env, const struct cgi_io *io,
    int persistent)
{
	const struct route *route;
	struct ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.ep = ep;
	ctx.persistent = persistent;
	log_init(ep->prog);
	log_request_id(cgi_getenv(env, "HTTP_X_AMZN_TRACE_ID"));
	/* The fault build only: this request's own fault (fault.h). */
	FAULT_REQUEST(env);
	cgi_req_init(&ctx.req, env, io);
	resp_init(&ctx.resp, io, strcmp(ctx.req.method, "HEAD") == 0);

	route = route_find(ep, ctx.req.method, ctx.req.path_info, &ctx.args,
	    ctx.allow, sizeof(ctx.allow));
	if (route == NULL)
		app_fail(&ctx, ctx.allow[0] ? E_METHOD : E_NOTFOUND, NULL);
	else if (strcmp(route->method, "GET") != 0 &&
	    !cgi_from_own_page(&ctx.req))
		/* Every route that acts, in one place (as the security
		 * headers): a handler cannot forget it. */
		app_fail(&ctx, E_FORBIDDEN, "not from this site's own page");
	else if (cfg_load(&ctx.cfg, env) != E_OK) {
		cfg_log_error(&ctx.cfg);
		app_fail(&ctx, E_INTERNAL, "configuration error");
	} else
		route->handle(&ctx);

	/* Whatever happened, a started answer ends its headers: a header
	 * block without its blank line would be a 502 for a done request. */
	if (ctx.resp.status != 0)
		resp_body(&ctx.resp);
	resp_flush(&ctx.resp);
	if (ctx.db != NULL)
		ctx.db_release(&ctx);
	cfg_free(&ctx.cfg);
	cgi_req_free(&ctx.req);
	return 0;
}
