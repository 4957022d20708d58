/*
 * app.h - the request context, the route table, and the driver every CGI
 * runs.
 *
 * Each executable serves one family of URLs (memo.cgi: /memo…) and
 * declares it as data: a table of routes, method + path pattern ->
 * handler, as kcgi's skeleton dispatches on a table.  Adding an endpoint
 * is a row and a function.  A pattern is the path after the executable's
 * own (PATH_INFO): "" (also "/"), "/{id}", "/{id}/restore"; {id} matches
 * a decimal id from 1 to 2^63-1 written without leading zeros, handed to
 * the handler as ctx->args.id; {key} matches 1 to 64 letters, digits, '-'
 * and '_' (an opaque id such as a session's), handed over as
 * ctx->args.key.
 *
 * The driver does the front-line checks before any handler runs: a path
 * no route has is 404, a method the path does not take is 405 with Allow
 * (HEAD goes where GET goes, with the body dropped), a route other than a
 * GET (one that acts) asked for by another page than ours
 * (cgi_from_own_page) is 403, an unreadable configuration is 500.  Then
 * the handler parses, authorizes, acts and responds; any failure goes to
 * app_fail, the one place that writes an error (JSON for the API, a
 * Korean HTML page for the browser).
 *
 * A handler receives a struct ctx holding everything about one request;
 * nothing per request lives in a global, so one process serves many
 * requests in turn (FastCGI).
 */
#ifndef MEMO_APP_H
#define MEMO_APP_H

#include <stdint.h>
#include "cfg.h"
#include "cgi.h"
#include "err.h"
#include "resp.h"

struct ctx;
struct db;

struct route {
	const char	*method;	/* "GET", "POST", "PATCH", "DELETE" */
	const char	*path;		/* "", "/{id}", "/{id}/restore" */
	void		(*handle)(struct ctx *ctx);
};

#define APP_HTML	0x1	/* errors as pages, not JSON */
#define APP_NO_HEAD	0x2	/* its GET acts (an OAuth callback): HEAD is 405 */

struct endpoint {
	const char		*prog;		/* "memo.cgi", for log lines */
	int			 flags;		/* APP_HTML, APP_NO_HEAD */
	const struct route	*routes;	/* ends with a NULL method */
};

/* Each executable defines its endpoint; appmain.c's main() serves it. */
extern const struct endpoint app_endpoint;

/*
 * An executable's routes and its endpoint, in one statement at the end of
 * its file:
 *	APP_ENDPOINT("memo.cgi", 0,
 *	    { "GET", "", list }, { "POST", "", create },
 *	    { "GET", "/{id}", get });
 */
#define APP_ENDPOINT(prog, flags, ...)					\
	static const struct route app_routes[] = { __VA_ARGS__,		\
	    { NULL, NULL, NULL } };					\
	const struct endpoint app_endpoint = { prog, flags, app_routes }

#define APP_KEY_MAX	64

/* What a route's pattern took from the path. */
struct route_args {
	uint64_t	 id;			/* {id} */
	char		 key[APP_KEY_MAX + 1];	/* {key} */
};

struct ctx {
	const struct endpoint	*ep;
	int			 persistent;	/* FastCGI: the process outlives us */
	struct cgi_req		 req;
	struct resp		 resp;
	struct cfg		 cfg;
	struct route_args	 args;		/* all of the route's parameters */
	char			 allow[64];	/* the path's methods, for 405 */
	struct db		*db;		/* NULL until app_db */
	void			(*db_release)(struct ctx *);	/* set by app_db */
};

/* Serve one request from env and the given I/O; returns the exit code.
 * persistent: the process serves more requests after this one (FastCGI),
 * so the database connection is kept for the next (appdb.c). */
int	 app_run(const struct endpoint *ep, char *const *env,
	    const struct cgi_io *io, int persistent);

/*
 * main(): one request as a plain CGI (environ, fds 0/1) when started by a
 * web server's mod_cgi or by hand, or, when started as a FastCGI responder
 * (fd 0 is a listening socket), a loop serving requests until the server
 * stops us (appmain.c).
 */
int	 app_main(const struct endpoint *ep, char **envp);

/* The database connection: once per request as a CGI; in FastCGI mode the
 * process's one connection, reused while nothing fails on it (appdb.c).
 * E_DB if the server cannot be reached. */
enum err app_db(struct ctx *ctx);
/* A new connection in place of the request's failed one: to ask what a
 * write whose COMMIT lost its answer left. */
enum err app_db_anew(struct ctx *ctx);
/* db_memo_written on a new connection (app_db_anew): whether a memo write
 * whose COMMIT lost its answer was made; E_DB if nobody can say. */
struct db_memo;
enum err app_memo_written(struct ctx *ctx, const char *hash,
	    struct db_memo *m, const char *text, int purged);
/* Read the request's JSON body, at most max bytes: E_MEDIATYPE if it is
 * not application/json, E_TOOLARGE, E_BADREQ (*why says so). */
enum err app_read_json(struct ctx *ctx, size_t max, const char **why);

/* Answer an error: why (or the error's text) in JSON, or a Korean page.
 * An answer already under way (a streamed list or export that broke off)
 * is taken back while none of it has left, its first 16 KiB; later only
 * its unfinished body can tell the client, and this writes nothing. */
void	 app_fail(struct ctx *ctx, enum err e, const char *why);

#endif
