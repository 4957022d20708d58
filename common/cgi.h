/*
 * cgi.h - the CGI request: environment, method, cookies, and a bounded body.
 *
 * The request never reads global state: it is built from an environment
 * array and an I/O pair handed in by the driver (app.c), so the same code
 * serves a plain CGI (environ, fds 0 and 1) and, later, a FastCGI request.
 */
#ifndef MEMO_CGI_H
#define MEMO_CGI_H

#include <stddef.h>
#include "err.h"

/* Where a request's bytes come from and its response goes to. */
struct cgi_io {
	/* Read up to n bytes: count, 0 at end of input, -1 on error/timeout. */
	long	(*read)(void *ctx, char *buf, size_t n);
	/* Write all n bytes: 0, or -1 if the peer is gone. */
	int	(*write)(void *ctx, const char *buf, size_t n);
	void	 *ctx;
};

/* The standard CGI pair: fd 0 (with a read timeout) and fd 1. */
extern const struct cgi_io cgi_stdio;

struct cgi_req {
	char *const	*env;
	const struct cgi_io *io;
	const char	*method;	/* never NULL ("" if unset) */
	const char	*script_name;	/* never NULL */
	const char	*path_info;	/* never NULL */
	const char	*query;		/* never NULL */
	const char	*cookie;	/* NULL if no Cookie header */
	const char	*content_type;	/* NULL if absent */
	char		*body;		/* after cgi_read_body; NUL-terminated */
	size_t		 body_len;
};

/* Look a variable up in a CGI environment array; NULL if absent. */
const char *cgi_getenv(char *const *env, const char *name);

void	cgi_req_init(struct cgi_req *req, char *const *env,
	    const struct cgi_io *io);
void	cgi_req_free(struct cgi_req *req);

/*
 * Read exactly CONTENT_LENGTH bytes of body, refusing more than max before
 * reading anything.  E_BADREQ for a missing or malformed CONTENT_LENGTH or a
 * body shorter than announced (or input that stalls), *why (if why is not
 * NULL) then saying which; E_TOOLARGE past max.
 */
enum err cgi_read_body(struct cgi_req *req, size_t max, const char **why);

/* 1 if the Content-Type is application/json (charset utf-8 or none). */
int	cgi_is_json(const struct cgi_req *req);

/* 1 if the client reached us over HTTPS: HTTPS=on, as the web server sets
 * it (behind a TLS-ending balancer, lighttpd's mod_extforward sets it from
 * X-Forwarded-Proto for trusted forwarders only; the header itself is never
 * read here). */
int	cgi_is_https(const struct cgi_req *req);
/* 0 if the browser says the request comes from another page than ours
 * (Sec-Fetch-Site other than same-origin: another site, a sibling one,
 * or opened from outside the browser); 1 if it says ours.  A browser that
 * sends no Sec-Fetch-Site (older ones; none over plain HTTP to a host
 * that is not local) is judged by Origin instead: its host must be the
 * request's Host ("null", which browsers send under Referrer-Policy
 * no-referrer even for our own forms, is refused: resp.c's policy is
 * same-origin).  1 when neither is sent: not a page's request (curl,
 * the seed's clients). */
int	cgi_from_own_page(const struct cgi_req *req);

/* The path the app is mounted at, with a trailing slash: the directory of
 * SCRIPT_NAME ("/" for "/memo", "/memo/" for "/memo/memo"), percent-encoded
 * as a URL path ("/%EB%A9%94%EB%AA%A8/" for "/메모/memo"); 0, or -1 (and
 * "/") if it does not fit in outlen. */
int	cgi_base_path(const struct cgi_req *req, char *out, size_t outlen);

#endif
