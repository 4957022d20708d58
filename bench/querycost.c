/*
 * querycost.c - what one GET /memo query costs the client, three ways, on
 * one connection (the "prepared statements against escaped text queries"
 * lever of `make bench`):
 *   prepared  prepare + execute + fetch + close (a CGI: 2 round trips)
 *   text      the same SELECT as text, the session hash escaped by the
 *             connection (utf8mb4), mysql_use_result (1 round trip)
 *   kept      execute + fetch of a statement prepared once (FastCGI)
 *   union     kept, for the query shape used before (UNION ALL marker row)
 *   live      kept, the list of live memos as issue 9 runs it (five columns,
 *             "deleted_at IS NULL" written out, memo_user_id forced:
 *             db_stmt.def MEMO_LIVE)
 *   filtered  the same with its filters as parameters (then MEMO_LIST), which
 *             is what the plain list ran at first
 * Settings come from the environment (DB_SOCKET, DB_USER, DB_PASSWORD,
 * DB_DATABASE, and Q_HASH, a live session's hash), never from argv.
 * Prints: prepared_us=… text_us=… kept_us=… union_us=… live_us=…
 * filtered_us=… rows=…
 * Measuring tool only: it trusts its input (tools/bench.py makes it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mysql.h>

#define N	2000

static const char head[] =
    "SELECT m.id, m.text, m.created_at"
    " FROM sessions s JOIN memo m ON m.user_id = s.user_id"
    " WHERE s.session_key = '%s' AND s.expires_at > UTC_TIMESTAMP()"
    " AND m.id < 18446744073709551615 ORDER BY m.id DESC"
    " LIMIT 18446744073709551615";
static const char prep[] =
    "SELECT m.id, m.text, m.created_at"
    " FROM sessions s JOIN memo m ON m.user_id = s.user_id"
    " WHERE s.session_key = ? AND s.expires_at > UTC_TIMESTAMP()"
    " AND m.id < 18446744073709551615 ORDER BY m.id DESC"
    " LIMIT 18446744073709551615";
/* The shape used before: a marker row for the session, UNION ALL the
 * memos, the date formatted by the server. */
static const char prep_union[] =
    "SELECT 0, NULL, NULL FROM sessions"
    " WHERE session_key = ? AND expires_at > UTC_TIMESTAMP()"
    " UNION ALL (SELECT m.id, m.text,"
    " DATE_FORMAT(m.created_at, '%Y-%m-%dT%H:%i:%sZ')"
    " FROM sessions s JOIN memo m ON m.user_id = s.user_id"
    " WHERE s.session_key = ? AND s.expires_at > UTC_TIMESTAMP()"
    " AND m.id < 18446744073709551615 ORDER BY m.id DESC"
    " LIMIT 18446744073709551615)";

/* As db_stmt.def has them: the user's memos through memo_user_id, forced
 * (left to choose, MariaDB walked memo_deleted on a large table). */
#define LIST_FROM	" FROM sessions s JOIN memo m FORCE INDEX (memo_user_id)" \
	" ON m.user_id = s.user_id WHERE s.session_key = ?" \
	" AND s.expires_at > UTC_TIMESTAMP() AND m.id < 18446744073709551615"
static const char prep_live[] = "SELECT m.id, m.text, m.created_at,"
    " m.updated_at, m.pinned" LIST_FROM " AND m.deleted_at IS NULL"
    " ORDER BY m.id DESC LIMIT 18446744073709551615";
#define COLS9	"SELECT m.id, m.text, m.created_at, m.updated_at, m.pinned," \
	" m.deleted_at, m.version" LIST_FROM
static const char prep_filtered[] = COLS9 " AND (m.deleted_at IS NOT NULL) = ?"
    " AND m.pinned IN (?, ?) ORDER BY m.id DESC LIMIT 18446744073709551615";

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static const char *
env(const char *k)
{
	const char *v = getenv(k);

	return v ? v : "";
}

static int
run_stmt(MYSQL_STMT *st, MYSQL_BIND *in, int date_as_text)
{
	MYSQL_BIND out[7];
	MYSQL_TIME created;
	unsigned long long id;
	char text[70000], stamp[24];
	unsigned long tl, sl;
	int rows = 0;

	memset(out, 0, sizeof(out));
	out[0].buffer_type = MYSQL_TYPE_LONGLONG;
	out[0].buffer = &id;
	out[1].buffer_type = MYSQL_TYPE_STRING;
	out[1].buffer = text;
	out[1].buffer_length = sizeof(text);
	out[1].length = &tl;
	out[2].buffer_type = MYSQL_TYPE_DATETIME;
	out[2].buffer = &created;
	out[2].buffer_length = sizeof(created);
	for (int i = 3; i < 7; i++)	/* the columns we do not read */
		out[i].buffer_type = MYSQL_TYPE_NULL;
	if (date_as_text) {
		out[2].buffer_type = MYSQL_TYPE_STRING;
		out[2].buffer = stamp;
		out[2].buffer_length = sizeof(stamp);
		out[2].length = &sl;
	}
	if (mysql_stmt_bind_param(st, in) || mysql_stmt_execute(st) ||
	    mysql_stmt_bind_result(st, out))
		return -1;
	while (mysql_stmt_fetch(st) == 0)
		rows++;
	mysql_stmt_free_result(st);
	return rows;
}

/* Mean microseconds of one execution of sql prepared once; -1 on error. */
static double
time_kept(MYSQL *db, const char *sql, MYSQL_BIND *in, int date_as_text)
{
	MYSQL_STMT *st = mysql_stmt_init(db);
	double t0;

	if (st == NULL || mysql_stmt_prepare(st, sql, strlen(sql)))
		return -1;
	t0 = now_us();
	for (int i = 0; i < N; i++)
		if (run_stmt(st, in, date_as_text) < 0)
			return -1;
	t0 = (now_us() - t0) / N;
	mysql_stmt_close(st);
	return t0;
}

int
main(void)
{
	MYSQL *db = mysql_init(NULL);
	MYSQL_STMT *st;
	MYSQL_BIND in[2], in4[4];
	int zero = 0, one = 1;
	const char *hash = env("Q_HASH");
	char esc[200], sql[2048];
	double t0, prepared, text, kept, with_union, live, filtered;
	int rows = 0;

	mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (strlen(hash) > 64 || !mysql_real_connect(db, NULL, env("DB_USER"),
	    env("DB_PASSWORD"), env("DB_DATABASE"), 0, env("DB_SOCKET"), 0)) {
		fprintf(stderr, "connect: %s\n", mysql_error(db));
		return 1;
	}
	memset(in, 0, sizeof(in));
	for (int i = 0; i < 2; i++) {
		in[i].buffer_type = MYSQL_TYPE_STRING;
		in[i].buffer = (void *)hash;
		in[i].buffer_length = strlen(hash);
	}
	t0 = now_us();
	for (int i = 0; i < N; i++) {
		st = mysql_stmt_init(db);
		if (mysql_stmt_prepare(st, prep, sizeof(prep) - 1) ||
		    (rows = run_stmt(st, in, 0)) < 0)
			return 1;
		mysql_stmt_close(st);
	}
	prepared = (now_us() - t0) / N;

	t0 = now_us();
	for (int i = 0; i < N; i++) {
		MYSQL_RES *res;

		mysql_real_escape_string(db, esc, hash, strlen(hash));
		snprintf(sql, sizeof(sql), head, esc);
		if (mysql_query(db, sql) || (res = mysql_use_result(db)) == NULL)
			return 1;
		while (mysql_fetch_row(res) != NULL)
			;
		mysql_free_result(res);
	}
	text = (now_us() - t0) / N;

	memset(in4, 0, sizeof(in4));
	in4[0] = in[0];
	in4[1].buffer_type = in4[2].buffer_type = in4[3].buffer_type =
	    MYSQL_TYPE_LONG;
	in4[1].buffer = &zero;
	in4[2].buffer = &zero;
	in4[3].buffer = &one;
	if ((kept = time_kept(db, prep, in, 0)) < 0 ||
	    (with_union = time_kept(db, prep_union, in, 1)) < 0 ||
	    (live = time_kept(db, prep_live, in, 0)) < 0 ||
	    (filtered = time_kept(db, prep_filtered, in4, 0)) < 0)
		return 1;
	mysql_close(db);
	printf("prepared_us=%.1f text_us=%.1f kept_us=%.1f union_us=%.1f"
	    " live_us=%.1f filtered_us=%.1f rows=%d\n", prepared, text, kept,
	    with_union, live, filtered, rows);
	return 0;
}
