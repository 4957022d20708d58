/* naver_url.c - the browser-facing half of Naver Login: the callback URL
 * and the authorize URL.  Kept apart from naver.c so that login.cgi links
 * no HTTP client. */
#include <stdio.h>
#include <string.h>
#include "buf.h"
#include "cgi.h"
#include "naver.h"
#include "query.h"

enum err
naver_redirect_uri(const struct cfg *cfg, const struct cgi_req *req,
    char *out, size_t outlen)
{
	const char *conf = cfg_str(cfg, CFG_NAVER_REDIRECT_URI);
	const char *host = cgi_getenv(req->env, "HTTP_HOST");
	char base[256];
	int n;

	if (*conf != '\0')
		n = snprintf(out, outlen, "%s", conf);
	else {
		/* A host name, an IPv4 or [IPv6] literal, and a port. */
		if (host == NULL || *host == '\0' || strlen(host) > 255 ||
		    strspn(host, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") != strlen(host))
			return E_BADREQ;
		cgi_base_path(req, base, sizeof(base));
		n = snprintf(out, outlen, "%s://%s%sauth",
		    cgi_is_https(req) ? "https" : "http", host, base);
	}
	return (n < 0 || (size_t)n >= outlen) ? E_INTERNAL : E_OK;
}

char *
naver_authorize_url(const struct cfg *cfg, const char *redirect_uri,
    const char *state, int reprompt)
{
	const char *keys[] = { "?response_type=code&client_id=",
	    "&redirect_uri=", "&state=", "&auth_type=" };
	const char *vals[] = { cfg_str(cfg, CFG_NAVER_CLIENT_ID), redirect_uri,
	    state, "reprompt" };
	struct buf b;

	buf_init(&b, 8192);
	if (buf_puts(&b, cfg_str(cfg, CFG_NAVER_AUTHORIZE_URL)) != E_OK ||
	    query_build(&b, keys, vals, reprompt ? 4 : 3) != E_OK) {
		buf_free(&b);
		return NULL;
	}
	return b.p;
}
