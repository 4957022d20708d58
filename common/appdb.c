/*
 * appdb.c - the request's database connection, opened on first use.
 * Apart from app.c so that CGIs without a database link no client.
 *
 * As a plain CGI the connection lives for the one request.  In FastCGI mode
 * (ctx->persistent) the process keeps one connection, with its prepared
 * statements, across requests: connecting costs more than the query it
 * serves.  It is dropped as soon as anything failed on it, and before a
 * request reuses it db_reusable checks that it is still open and was
 * opened with the settings this request asks for.  It carries nothing of
 * one request into the next: every execution binds its own parameters and
 * every transaction ends (commit or rollback) inside the call that began it.
 */
#include "app.h"
#include "db.h"

/* The FastCGI process's connection. */
static struct db *kept;

/* After the request: close it (CGI), or keep it unless something failed
 * on it (whether the server still has it is asked before the next use:
 * asking now too was one more system call a request). */
static void
release(struct ctx *ctx)
{
	if (!ctx->persistent) {
		db_close(ctx->db);
		db_client_end();
	} else if (db_failed(kept)) {
		db_close(kept);
		kept = NULL;
	}
	ctx->db = NULL;
}

enum err
app_db(struct ctx *ctx)
{
	enum err e;

	if (ctx->db != NULL)
		return E_OK;
	ctx->db_release = release;
	if (ctx->persistent && kept != NULL) {
		if (db_reusable(kept, &ctx->cfg)) {
			ctx->db = kept;
			return E_OK;
		}
		db_close(kept);
		kept = NULL;
	}
	if ((e = db_open(&ctx->db, &ctx->cfg)) != E_OK)
		return e;
	if (ctx->persistent)
		kept = ctx->db;
	return E_OK;
}

enum err
app_db_anew(struct ctx *ctx)
{
	if (ctx->db != NULL) {
		if (ctx->db == kept)
			kept = NULL;
		db_close(ctx->db);
		ctx->db = NULL;
	}
	return app_db(ctx);
}
