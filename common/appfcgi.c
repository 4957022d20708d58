/*
 * appfcgi.c - app_main: one request as a plain CGI, or a FastCGI loop.
 *
 * libfcgi tells which mode: under mod_cgi (or run by hand) fd 0 is a pipe
 * or a file and we serve exactly one request from environ and fds 0/1.
 * Under lighttpd's mod_fastcgi fd 0 is the listening socket the server made
 * for us, and we accept requests on it until the server stops us.  Each
 * FastCGI request gets a fresh struct ctx (app_run), its environment from
 * the request's own parameters and its I/O from the request's streams:
 * nothing but the database connection (appdb.c) and libfcgi's stream
 * buffers survives from one request to the next.
 */
#include <limits.h>
#include <fcgiapp.h>
#include "app.h"

static long
fcgi_read(void *ctx, char *buf, size_t n)
{
	FCGX_Request *req = ctx;
	int got;

	if (n > INT_MAX)
		n = INT_MAX;
	got = FCGX_GetStr(buf, (int)n, req->in);
	/* A short count with an error on the stream is an error, not EOF. */
	if (got == 0 && FCGX_GetError(req->in) != 0)
		return -1;
	return got;
}

static int
fcgi_write(void *ctx, const char *buf, size_t n)
{
	FCGX_Request *req = ctx;

	while (n > 0) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;

		if (FCGX_PutStr(buf, chunk, req->out) != chunk)
			return -1;
		buf += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

int
app_main(const struct endpoint *ep, char **envp)
{
	FCGX_Request req;

	if (FCGX_IsCGI())
		return app_run(ep, envp, &cgi_stdio, 0);
	if (FCGX_InitRequest(&req, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		struct cgi_io io = { fcgi_read, fcgi_write, &req };

		app_run(ep, req.envp, &io, 1);
		FCGX_Finish_r(&req);
	}
	return 0;
}
