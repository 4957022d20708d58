/*
 * health.cgi - the health checks.
 *
 * GET /health/live: liveness, what the load balancer and the Auto Scaling
 * group act on.  200 {"status":"ok"} once lighttpd ran this CGI and its
 * settings loaded (else 500, from the driver); it asks no database, so a
 * database failover (every instance failing at once) replaces no instance.
 *
 * GET /health: the database too, what an operator or an alarm watches.
 * 200 {"status":"ok"} when the database answers a query; 503
 * {"error":"database unavailable"} when it does not, within
 * DB_CONNECT_TIMEOUT / DB_READ_TIMEOUT.
 */
#include <json-c/json.h>
#include "app.h"
#include "db.h"

static void
ok(struct ctx *ctx)
{
	resp_start(&ctx->resp, 200, "application/json; charset=utf-8");
	resp_puts(&ctx->resp, "{\"status\":\"ok\"}\n");
}

static void
handle(struct ctx *ctx)
{
	enum err e;

	if ((e = app_db(ctx)) != E_OK || (e = db_ping(ctx->db)) != E_OK) {
		app_fail(ctx, e == E_INTERNAL ? E_DB : e, NULL);
		return;
	}
	ok(ctx);
}

APP_ENDPOINT("health.cgi", 0,
	    { "GET", "", handle }, { "GET", "/live", ok });
