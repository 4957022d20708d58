/* appdb.c - the request's database connection, opened on first use.
 * Apart from app.c so that CGIs without a database link no client. */
#include "app.h"
#include "db.h"

static void
close_db(struct st_mysql *db)
{
	db_close(db);
	mysql_library_end();
}

enum err
app_db(struct ctx *ctx)
{
	enum err e;

	if (ctx->db != NULL)
		return E_OK;
	if ((e = db_open(&ctx->db, &ctx->cfg)) != E_OK)
		return e;
	ctx->db_close = close_db;
	return E_OK;
}
