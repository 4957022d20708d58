/* app.c - the per-request driver: front-line checks, dispatch, cleanup. */
#include <string.h>
#include "app.h"
#include "html.h"
#include "log.h"

/* 1 if method is one of the comma-separated names in list. */
static int
method_allowed(const char *list, const char *method)
{
	size_t n = strlen(method);

	while (n > 0 && *list != '\0') {
		size_t len = strcspn(list, ",");

		if (len == n && strncmp(list, method, n) == 0)
			return 1;
		list += len;
		while (*list == ',' || *list == ' ')
			list++;
	}
	return 0;
}

static const char *
html_message(enum err e)
{
	switch (e) {
	case E_BADREQ:	 return "잘못된 요청입니다.";
	case E_NOTFOUND: return "페이지를 찾을 수 없습니다.";
	case E_METHOD:	 return "허용되지 않는 요청 방식입니다.";
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

	if (r->status != 0 && r->in_body)
		return;		/* too late: the answer is under way */
	if (ctx->ep->html)
		html_error_page(r, err_status(e), html_message(e));
	else {
		if (e == E_METHOD) {
			resp_start(r, 405, "application/json; charset=utf-8");
			resp_header(r, "Allow", ctx->ep->methods);
		}
		resp_error(r, e, why);
	}
}

int
app_run(const struct endpoint *ep, char *const *env, const struct cgi_io *io,
    int persistent)
{
	struct ctx ctx;
	const char *method;
	int head;

	memset(&ctx, 0, sizeof(ctx));
	ctx.ep = ep;
	ctx.persistent = persistent;
	log_init(ep->prog);
	cgi_req_init(&ctx.req, env, io);
	method = ctx.req.method;
	head = strcmp(method, "HEAD") == 0;
	resp_init(&ctx.resp, io, head);

	if (!method_allowed(ep->methods, head ? "GET" : method)) {
		if (ep->html) {
			resp_start(&ctx.resp, 405, "text/html; charset=utf-8");
			resp_header(&ctx.resp, "Allow", ep->methods);
		}
		app_fail(&ctx, E_METHOD, NULL);
	} else if (ctx.req.path_info[0] != '\0' &&
	    strcmp(ctx.req.path_info, "/") != 0)
		app_fail(&ctx, E_NOTFOUND, NULL);
	else if (cfg_load(&ctx.cfg, env) != E_OK) {
		log_msg("configuration cannot be read (MEMO_CONFIG, line %d)",
		    ctx.cfg.errline);
		app_fail(&ctx, E_INTERNAL, "configuration error");
	} else
		ep->handle(&ctx);

	resp_flush(&ctx.resp);
	if (ctx.db != NULL && ctx.db_close != NULL)
		ctx.db_close(ctx.db);
	cfg_free(&ctx.cfg);
	cgi_req_free(&ctx.req);
	return 0;
}
