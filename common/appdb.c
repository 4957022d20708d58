/*
 * appdb.c - the request's database connection, opened on first use.
 * Apart from app.c so that CGIs without a database link no client.
 *
 * As a plain CGI the connection lives for the one request.  In FastCGI mode
 * (ctx->persistent) the process keeps one connection across requests:
 * connecting costs more than the query it serves.  Before a request reuses
 * it, we check it is still usable without a round trip (a server that went
 * away or killed the connection leaves the idle socket readable or hung
 * up: an idle client connection has nothing to read otherwise) and that it
 * was opened with the settings this request asks for; a connection that
 * failed during a request is dropped after it.  The connection carries no
 * per-request state: its prepared statements are kept (db_keep_statements)
 * but every execution binds its own parameters and results and frees its
 * result, and db_login ends its transaction (commit or rollback) and restores
 * autocommit before returning.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <errmsg.h>
#include "app.h"
#include "db.h"

/* The settings a connection is opened with; a request asking for other
 * ones (another MEMO_CONFIG) gets a new connection. */
static const enum cfg_key conn_keys[] = {
	CFG_DB_HOST, CFG_DB_PORT, CFG_DB_SOCKET, CFG_DB_DATABASE, CFG_DB_USER,
	CFG_DB_PASSWORD, CFG_DB_CONNECT_TIMEOUT, CFG_DB_READ_TIMEOUT,
	CFG_DB_SSL_CA,
};
#define NKEYS	(sizeof(conn_keys) / sizeof(conn_keys[0]))

/* The FastCGI process's connection and the settings it was opened with. */
static struct {
	MYSQL	*db;
	char	*val[NKEYS];
} held;

static void
close_db(struct st_mysql *db)
{
	db_close(db);
	mysql_library_end();
}

static void
held_drop(void)
{
	db_close(held.db);
	held.db = NULL;
	for (size_t i = 0; i < NKEYS; i++) {
		free(held.val[i]);
		held.val[i] = NULL;
	}
}

static int
held_matches(const struct cfg *cfg)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (held.val[i] == NULL ||
		    strcmp(held.val[i], cfg_str(cfg, conn_keys[i])) != 0)
			return 0;
	return 1;
}

/* 1 if the idle connection's socket shows the server closed it. */
static int
held_broken(void)
{
	struct pollfd pfd = { .events = POLLIN };

	pfd.fd = (int)mysql_get_socket(held.db);
	return pfd.fd < 0 || poll(&pfd, 1, 0) != 0;
}

/* After a FastCGI request: keep the connection unless it failed. */
static void
release_db(struct st_mysql *db)
{
	unsigned int n = mysql_errno(db);

	if (n >= CR_MIN_ERROR && n <= CR_MAX_ERROR)
		held_drop();
}

static enum err
held_db(struct ctx *ctx)
{
	enum err e;

	if (held.db != NULL && (!held_matches(&ctx->cfg) || held_broken()))
		held_drop();
	if (held.db == NULL) {
		if ((e = db_open(&held.db, &ctx->cfg)) != E_OK)
			return e;
		db_keep_statements(held.db);
		for (size_t i = 0; i < NKEYS; i++)
			if ((held.val[i] = strdup(cfg_str(&ctx->cfg,
			    conn_keys[i]))) == NULL) {
				held_drop();
				return E_NOMEM;
			}
	}
	ctx->db = held.db;
	ctx->db_close = release_db;
	return E_OK;
}

enum err
app_db(struct ctx *ctx)
{
	enum err e;

	if (ctx->db != NULL)
		return E_OK;
	if (ctx->persistent)
		return held_db(ctx);
	if ((e = db_open(&ctx->db, &ctx->cfg)) != E_OK)
		return e;
	ctx->db_close = close_db;
	return E_OK;
}
