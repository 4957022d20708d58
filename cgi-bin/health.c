/*
 * health.cgi - GET /health: the load balancer's health check.
 *
 * Returns 200 {"status":"ok"} when the database answers a query.
 * Returns 503 {"error":"database unavailable"} when it does not, within
 * DB_CONNECT_TIMEOUT / DB_READ_TIMEOUT.
 */
#include <json-c/json.h>
#include "app.h"
#include "db.h"

static void
handle(struct ctx *ctx)
{
	enum err e;

	if ((e = app_db(ctx)) != E_OK || (e = db_ping(ctx->db)) != E_OK) {
		app_fail(ctx, e == E_INTERNAL ? E_DB : e, NULL);
		return;
	}
	resp_start(&ctx->resp, 200, "application/json; charset=utf-8");
	resp_puts(&ctx->resp, "{\"status\":\"ok\"}\n");
}

static const struct route routes[] = {
	{ "GET", "", handle },
	{ NULL, NULL, NULL },
};

const struct endpoint app_endpoint = { "health.cgi", 0, routes };
