/*
 * querycost.c - what one GET /memo query costs the client, three ways, on
 * one connection (the "prepared statements against escaped text queries"
 * lever of `make bench`):
 *   prepared  prepare + execute + fetch + close (a CGI: 2 round trips)
 *   text      the same SELECT as text, the session hash escaped by the
 *             connection (utf8mb4), mysql_use_result (1 round trip)
 *   kept      execute + fetch of a statement prepared once (FastCGI)
 * Settings come from the environment (DB_SOCKET, DB_USER, DB_PASSWORD,
 * DB_DATABASE, and Q_HASH, a live session's hash), never from argv.
 * Prints: prepared_us=… text_us=… kept_us=… rows=…
 * Measuring tool only: it trusts its input (tools/bench.py makes it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mysql.h>

#define N	2000

static const char head[] =
    "SELECT 0, NULL, NULL FROM sessions"
    " WHERE session_key = '%s' AND expires_at > UTC_TIMESTAMP()"
    " UNION ALL (SELECT m.id, m.text,"
    " DATE_FORMAT(m.created_at, '%%Y-%%m-%%dT%%H:%%i:%%sZ')"
    " FROM sessions s JOIN memo m ON m.user_id = s.user_id"
    " WHERE s.session_key = '%s' AND s.expires_at > UTC_TIMESTAMP()"
    " AND m.id < 18446744073709551615 ORDER BY m.id DESC"
    " LIMIT 18446744073709551615)";
static const char prep[] =
    "SELECT 0, NULL, NULL FROM sessions"
    " WHERE session_key = ? AND expires_at > UTC_TIMESTAMP()"
    " UNION ALL (SELECT m.id, m.text,"
    " DATE_FORMAT(m.created_at, '%Y-%m-%dT%H:%i:%sZ')"
    " FROM sessions s JOIN memo m ON m.user_id = s.user_id"
    " WHERE s.session_key = ? AND s.expires_at > UTC_TIMESTAMP()"
    " AND m.id < 18446744073709551615 ORDER BY m.id DESC"
    " LIMIT 18446744073709551615)";

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
run_stmt(MYSQL_STMT *st, MYSQL_BIND *in)
{
	MYSQL_BIND out[3];
	unsigned long long id;
	char text[70000], created[24];
	unsigned long tl, cl;
	int rows = 0;

	memset(out, 0, sizeof(out));
	out[0].buffer_type = MYSQL_TYPE_LONGLONG;
	out[0].buffer = &id;
	out[1].buffer_type = MYSQL_TYPE_STRING;
	out[1].buffer = text;
	out[1].buffer_length = sizeof(text);
	out[1].length = &tl;
	out[2].buffer_type = MYSQL_TYPE_STRING;
	out[2].buffer = created;
	out[2].buffer_length = sizeof(created);
	out[2].length = &cl;
	if (mysql_stmt_bind_param(st, in) || mysql_stmt_execute(st) ||
	    mysql_stmt_bind_result(st, out))
		return -1;
	while (mysql_stmt_fetch(st) == 0)
		rows++;
	mysql_stmt_free_result(st);
	return rows;
}

int
main(void)
{
	MYSQL *db = mysql_init(NULL);
	MYSQL_STMT *st;
	MYSQL_BIND in[2];
	const char *hash = env("Q_HASH");
	char esc[200], sql[2048];
	double t0, prepared, text, kept;
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
		    (rows = run_stmt(st, in)) < 0)
			return 1;
		mysql_stmt_close(st);
	}
	prepared = (now_us() - t0) / N;

	t0 = now_us();
	for (int i = 0; i < N; i++) {
		MYSQL_RES *res;

		mysql_real_escape_string(db, esc, hash, strlen(hash));
		snprintf(sql, sizeof(sql), head, esc, esc);
		if (mysql_query(db, sql) || (res = mysql_use_result(db)) == NULL)
			return 1;
		while (mysql_fetch_row(res) != NULL)
			;
		mysql_free_result(res);
	}
	text = (now_us() - t0) / N;

	st = mysql_stmt_init(db);
	if (mysql_stmt_prepare(st, prep, sizeof(prep) - 1))
		return 1;
	t0 = now_us();
	for (int i = 0; i < N; i++)
		if (run_stmt(st, in) < 0)
			return 1;
	kept = (now_us() - t0) / N;
	mysql_stmt_close(st);
	mysql_close(db);
	printf("prepared_us=%.1f text_us=%.1f kept_us=%.1f rows=%d\n",
	    prepared, text, kept, rows);
	return 0;
}
