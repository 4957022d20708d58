/* cgi.c - CGI request parsing and the stdio transport. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "cgi.h"

/* How long a CGI waits for request body bytes before giving up.  lighttpd
 * and Apache hand over bodies they have already received, so only a
 * stalled pipe (someone testing by hand) ever waits this long. */
#define CGI_READ_TIMEOUT_MS	10000

static long
stdio_read(void *ctx, char *buf, size_t n)
{
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	ssize_t r;

	(void)ctx;
	for (;;) {
		int pr = poll(&pfd, 1, CGI_READ_TIMEOUT_MS);

		if (pr == 0)
			return -1;
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		r = read(0, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		return (long)r;
	}
}

static int
stdio_write(void *ctx, const char *buf, size_t n)
{
	(void)ctx;
	while (n > 0) {
		ssize_t w = write(1, buf, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

const struct cgi_io cgi_stdio = { stdio_read, stdio_write, NULL };

const char *
cgi_getenv(char *const *env, const char *name)
{
	size_t n = strlen(name);

	/* The first byte first: a FastCGI process looks up each setting in
	 * its request's environment of some 40 variables, every request. */
	for (; env != NULL && *env != NULL; env++)
		if (**env == *name && strncmp(*env, name, n) == 0 &&
		    (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

static const char *
env_or_empty(char *const *env, const char *name)
{
	const char *v = cgi_getenv(env, name);

	return v ? v : "";
}

void
cgi_req_init(struct cgi_req *req, char *const *env, const struct cgi_io *io)
{
	memset(req, 0, sizeof(*req));
	req->env = env;
	req->io = io;
	req->method = env_or_empty(env, "REQUEST_METHOD");
	req->script_name = env_or_empty(env, "SCRIPT_NAME");
	req->path_info = env_or_empty(env, "PATH_INFO");
	req->query = env_or_empty(env, "QUERY_STRING");
	req->cookie = cgi_getenv(env, "HTTP_COOKIE");
	req->content_type = cgi_getenv(env, "CONTENT_TYPE");
}

void
cgi_req_free(struct cgi_req *req)
{
	free(req->body);
	req->body = NULL;
	req->body_len = 0;
}

/* Strict decimal: digits only, no sign or spaces, no overflow past max.
 * None at all is 411: a chunked body (Apache's mod_cgi passes one on with
 * no CONTENT_LENGTH) is not read to its end, which a CGI run by hand from
 * a terminal would wait for. */
static enum err
parse_length(const char *s, size_t max, size_t *out)
{
	size_t v = 0;

	if (s == NULL || *s == '\0')
		return E_LENGTH;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return E_BADREQ;
		if (v > max)
			continue;	/* keep scanning so junk still says 400 */
		v = v * 10 + (size_t)(*s - '0');
	}
	if (v > max)
		return E_TOOLARGE;
	*out = v;
	return E_OK;
}

enum err
cgi_read_body(struct cgi_req *req, size_t max, const char **why)
{
	size_t len, got = 0;
	enum err e;

	if ((e = parse_length(cgi_getenv(req->env, "CONTENT_LENGTH"), max,
	    &len)) != E_OK) {
		if (e == E_BADREQ && why != NULL)
			*why = "Content-Length is not a number";
		else if (e == E_LENGTH && why != NULL)
			*why = "Content-Length is missing (a chunked body is not taken)";
		return e;
	}
	if ((req->body = malloc(len + 1)) == NULL)
		return E_NOMEM;
	while (got < len) {
		long r = req->io->read(req->io->ctx, req->body + got, len - got);

		if (r <= 0) {		/* short body, closed or stalled */
			if (why != NULL)
				*why = "body shorter than Content-Length"
				    " or unreadable";
			return E_BADREQ;
		}
		got += (size_t)r;
	}
	req->body[len] = '\0';
	req->body_len = len;
	return E_OK;
}

int
cgi_is_json(const struct cgi_req *req)
{
	const char *ct = req->content_type, *p;
	static const char json[] = "application/json";

	if (ct == NULL || strncasecmp(ct, json, sizeof(json) - 1) != 0)
		return 0;
	p = ct + sizeof(json) - 1;
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return 1;
	if (*p++ != ';')
		return 0;
	while (*p == ' ')
		p++;
	return strcasecmp(p, "charset=utf-8") == 0 ||
	    strcasecmp(p, "charset=\"utf-8\"") == 0;
}

int
cgi_is_https(const struct cgi_req *req)
{
	const char *https = cgi_getenv(req->env, "HTTPS");

	/* Only the server's word: X-Forwarded-Proto is a header anyone can
	 * send.  Behind a balancer, lighttpd's mod_extforward sets HTTPS=on
	 * from it for the balancer's addresses alone. */
	return https != NULL && strcasecmp(https, "on") == 0;
}

int
cgi_from_own_page(const struct cgi_req *req)
{
	const char *site = cgi_getenv(req->env, "HTTP_SEC_FETCH_SITE");
	const char *origin, *host, *sep;

	if (site != NULL)
		return strcmp(site, "same-origin") == 0;
	if ((origin = cgi_getenv(req->env, "HTTP_ORIGIN")) == NULL)
		return 1;
	/* The host, not the scheme: whether the client came over HTTPS is
	 * not known the same way behind every proxy, and a sibling site or
	 * another one has another host anyway.  "null" has none. */
	host = cgi_getenv(req->env, "HTTP_HOST");
	sep = strstr(origin, "://");
	return host != NULL && sep != NULL && strcasecmp(sep + 3, host) == 0;
}

/* A byte that may stand for itself in both a URL path and a cookie Path:
 * RFC 3986 unreserved and '/', plus the sub-delims cookies allow. */
static int
path_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("-._~/!$&'()*+=:@", c) != NULL;
}

int
cgi_base_path(const struct cgi_req *req, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *sn = req->script_name, *slash = strrchr(sn, '/');
	size_t n = slash ? (size_t)(slash - sn) + 1 : 0, o = 0;

	/* SCRIPT_NAME is the decoded path: encode it again, so that a mount
	 * point like "/메모/" gives the URL and cookie Path the browser sees
	 * ("/%EB%A9%94%EB%AA%A8/") and nothing raw reaches either. */
	if (outlen < 2)
		return -1;
	memcpy(out, "/", 2);
	if (n == 0 || sn[0] != '/')
		return 0;	/* no path at all: the whole site */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)sn[i];

		if (c != '\0' && path_safe(c)) {
			if (o + 1 >= outlen)
				goto long_path;
			out[o++] = (char)c;
		} else {
			if (o + 3 >= outlen)
				goto long_path;
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return 0;
long_path:
	/* Not "/": a cookie for the whole site, and a callback URL that is
	 * not ours.  The caller refuses. */
	memcpy(out, "/", 2);
	return -1;
}
