/*
 * app.h - the request context and the driver every CGI's main() calls.
 *
 * A handler receives a struct ctx holding everything about one request:
 * the parsed request, the response being written, the configuration and
 * (once asked for) the database connection.  Nothing per request lives in
 * a global, so one process could serve many requests in turn.
 *
 * The driver does the front-line checks before a handler runs, as kcgi's
 * skeleton does: allowed method (405 with Allow), no stray PATH_INFO (404),
 * readable configuration (500).  Then the handler parses, authorizes, acts
 * and responds; any failure goes to app_fail, the one place that writes an
 * error response (JSON for the API, a Korean HTML page for the browser).
 */
#ifndef MEMO_APP_H
#define MEMO_APP_H

#include "cfg.h"
#include "cgi.h"
#include "err.h"
#include "resp.h"

struct ctx;

struct endpoint {
	const char	*prog;		/* "memo.cgi", for log lines */
	const char	*methods;	/* "GET, POST": also the Allow header */
	int		 html;		/* errors as HTML pages, not JSON */
	void		(*handle)(struct ctx *ctx);
};

struct st_mysql;

struct ctx {
	const struct endpoint	*ep;
	int			 persistent;	/* FastCGI: the process outlives us */
	struct cgi_req		 req;
	struct resp		 resp;
	struct cfg		 cfg;
	struct st_mysql		*db;		/* NULL until app_db */
	void			(*db_close)(struct st_mysql *);
};

/* Serve one request from env and the given I/O; returns the exit code.
 * persistent: the process serves more requests after this one (FastCGI),
 * so the database connection is kept for the next (appdb.c). */
int	 app_run(const struct endpoint *ep, char *const *env,
	    const struct cgi_io *io, int persistent);

/*
 * Every CGI's main(): one request as a plain CGI (environ, fds 0/1) when
 * started by a web server's mod_cgi or by hand, or, when started as a
 * FastCGI responder (fd 0 is a listening socket), a loop serving requests
 * until the server stops us (appmain.c).
 */
int	 app_main(const struct endpoint *ep, char **envp);

/* The database connection: once per request as a CGI; in FastCGI mode the
 * process's one connection, reused while it answers (appdb.c).  E_DB if
 * the server cannot be reached. */
enum err app_db(struct ctx *ctx);

/* Answer an error: why (or the error's text) in JSON, or a Korean page. */
void	 app_fail(struct ctx *ctx, enum err e, const char *why);

#endif
