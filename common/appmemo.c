/*
 * appmemo.c - what memo.cgi and trash.cgi share of the request's database:
 * whether a memo write whose COMMIT lost its answer was made.  Apart from
 * appdb.c, which every CGI with a database links: this one pulls in the
 * memos' code, and with it libunistring.
 */
#include "app.h"
#include "db.h"

enum err
app_memo_written(struct ctx *ctx, const char *hash, struct db_memo *m,
    const char *text, int purged)
{
	return app_db_anew(ctx) == E_OK ?
	    db_memo_written(ctx->db, hash, m, text, purged) : E_DB;
}
