/* naver_url.c - the browser-facing half of Naver Login: the callback URL,
 * the authorize URL, and which endpoint URLs may be used at all.  Kept
 * apart from naver.c so that login.cgi links no HTTP client. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
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
		if (cgi_base_path(req, base, sizeof(base)) != 0)
			return E_INTERNAL;	/* the mount point: too long */
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

/* 1 if host (len bytes, no port) is a loopback host: localhost, an IPv4
 * literal in 127.0.0.0/8 written as four decimal numbers, or [::1].
 * inet_pton takes no other spelling (no "127.1", no leading zeros, which
 * some parsers read as octal), so what is loopback here is loopback to
 * libcurl and to a browser alike. */
static int
loopback_host(const char *host, size_t len)
{
	char lit[INET6_ADDRSTRLEN + 2];
	unsigned char a[16];

	if (len == 9 && strncasecmp(host, "localhost", 9) == 0)
		return 1;
	if (len == 0 || len >= sizeof(lit))
		return 0;
	memcpy(lit, host, len);
	lit[len] = '\0';
	if (lit[0] == '[' && lit[len - 1] == ']') {
		lit[len - 1] = '\0';
		return inet_pton(AF_INET6, lit + 1, a) == 1 &&
		    memcmp(a, &in6addr_loopback, 16) == 0;
	}
	return inet_pton(AF_INET, lit, a) == 1 && a[0] == 127;
}

int
naver_url_safe(const char *url)
{
	const char *auth, *colon;
	size_t n;

	/* A blank or a control character (a settings file's "\n" escape):
	 * no URL holds one, and in a Location header the answer would
	 * lose the header, not say why. */
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	if (strncasecmp(url, "https://", 8) == 0)
		return url[8] != '\0';
	if (strncasecmp(url, "http://", 7) != 0)
		return 0;
	/* The authority, up to the path, query or fragment: a host and an
	 * optional port, nothing else (no user info: "http://127.0.0.1@host"
	 * goes to host; no backslash, which browsers read as a slash). */
	auth = url + 7;
	n = strcspn(auth, "/?#");
	if (strspn(auth, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-:[]") < n)
		return 0;
	colon = auth[0] == '[' ? memchr(auth, ']', n) : auth;
	if (colon == NULL)
		return 0;
	colon = memchr(colon, ':', n - (size_t)(colon - auth));
	if (colon != NULL && (colon + 1 == auth + n ||
	    strspn(colon + 1, "0123456789") != (size_t)(auth + n - colon - 1)))
		return 0;
	return loopback_host(auth, colon ? (size_t)(colon - auth) : n);
}

enum err
naver_endpoints_check(const struct cfg *cfg, const char **why)
{
	static const struct {
		enum cfg_key	 key;
		const char	*why;
	} urls[] = {
	    { CFG_NAVER_AUTHORIZE_URL, "NAVER_AUTHORIZE_URL is refused: "
		"neither https:// nor http:// to a loopback host, or it holds "
		"a blank or a control character" },
	    { CFG_NAVER_TOKEN_URL, "NAVER_TOKEN_URL is refused: neither "
		"https:// nor http:// to a loopback host (the client secret "
		"would travel in clear), or it holds a blank or a control "
		"character" },
	    { CFG_NAVER_PROFILE_URL, "NAVER_PROFILE_URL is refused: neither "
		"https:// nor http:// to a loopback host (the access token "
		"would travel in clear), or it holds a blank or a control "
		"character" },
	};

	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
		if (!naver_url_safe(cfg_str(cfg, urls[i].key))) {
			*why = urls[i].why;
			return E_INTERNAL;
		}
	return E_OK;
}
