/*
 * export.cgi - GET /export: everything the person wrote, to take elsewhere.
 *
 * GET /export (or ?format=json)
 *   200, Content-Disposition: attachment; filename="memo-YYYYMMDD.json":
 *   {"format":"memo-export","version":1,"exported_at":"…Z",
 *    "user":{"name":"…"},"memos":[…],"trash":[…]}
 *   Each memo is as the API writes it (memojson.h) with its earlier texts
 *   added, newest first: "revisions":[{"id","text","created_at"},…].
 *   "memos" holds the live memos and "trash" those in the trash, each
 *   newest first by id.  POST /import reads this file back.
 * GET /export?format=md
 *   200 text/markdown; charset=utf-8, filename="memo-YYYYMMDD.md": the
 *   live memos as one Markdown file, newest first, each under a heading of
 *   its date and time; a text is as written, escaped only where it would
 *   make the file's own structure (mdtext.h).
 * Dates in the file names and the Markdown headings are Korea's (KST,
 * UTC+9), where the people using memo live; the JSON's times are UTC.
 * Both are streamed from one consistent snapshot of the database (the
 * JSON's rows a batch of 200 memos at a time, db.h): memory stays flat
 * however many memos there are.  A failure
 * while the first 16 KiB are still here is a clean 503; after they have
 * gone, never a silently short file: the JSON is left unterminated (it
 * does not parse) and the Markdown ends with a line saying it was cut.
 * 401 without a live session, 400 for another format, 503 when the
 * database is down.  HEAD answers as GET would begin, after the session
 * check alone: no memo is read for a body that is not sent.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "app.h"
#include "db.h"
#include "mdtext.h"
#include "memojson.h"
#include "query.h"
#include "sess.h"
#include "utf8.h"

#define JSON_TYPE	"application/json; charset=utf-8"
#define MD_TYPE		"text/markdown; charset=utf-8"

#define KST_OFFSET	((time_t)9 * 3600)

/* What an export is written with. */
struct writer {
	struct resp		*r;
	struct memo_json	 w;
	struct json_object	*scratch;	/* escapes other strings */
};

/* s as a JSON string (escaped by json-c), U+FFFD if not UTF-8. */
static enum err
put_string(struct writer *x, const char *s, size_t len)
{
	const char *out;
	size_t n;

	if (!utf8_valid(s, len)) {
		s = "\xEF\xBF\xBD";	/* never raw: as memojson */
		len = 3;
	}
	if (len == 0) {
		/* Not through json-c: 0.16 leaks a buffer set to "". */
		resp_write(x->r, "\"\"", 2);
		return E_OK;
	}
	if (len > (1u << 30) ||
	    json_object_set_string_len(x->scratch, s, (int)len) == 0 ||
	    (out = json_object_to_json_string_length(x->scratch,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
	    &n)) == NULL)
		return E_NOMEM;
	resp_write(x->r, out, n);
	return E_OK;
}

/* {"id":…,"text":…,"created_at":…} of a revision. */
static enum err
put_revision(struct writer *x, const struct db_revision *rev)
{
	char head[48];
	int n = snprintf(head, sizeof(head), "{\"id\":%llu,\"text\":",
	    (unsigned long long)rev->id);

	resp_write(x->r, head, (size_t)n);
	if (put_string(x, rev->text, rev->text_len) != E_OK)
		return E_NOMEM;
	resp_puts(x->r, ",\"created_at\":\"");
	resp_puts(x->r, rev->created_at);
	resp_puts(x->r, "\"}");
	return E_OK;
}

/* The rows of l (a memo per revision) as an array of memos, each with its
 * revisions: E_OK at the end, or when the client has gone (resp_gone);
 * why if it broke off. */
static enum err
put_memos(struct writer *x, struct db_export *l)
{
	struct db_memo m;
	struct db_revision rev;
	uint64_t open = 0;	/* the memo whose object is open */
	int r = 0, revs = 0;

	resp_write(x->r, "[", 1);
	while (!resp_gone(x->r) && (r = db_export_next(l, &m, &rev)) == 1) {
		if (m.id != open) {
			if (open != 0)
				resp_puts(x->r, "]},");
			if (memo_json_put_open(x->r, &x->w, &m) != E_OK)
				return E_NOMEM;
			resp_puts(x->r, ",\"revisions\":[");
			open = m.id;
			revs = 0;
		}
		if (rev.text == NULL)
			continue;
		if (revs++ > 0)
			resp_write(x->r, ",", 1);
		if (put_revision(x, &rev) != E_OK)
			return E_NOMEM;
	}
	if (resp_gone(x->r))
		return E_OK;
	if (r != 0)
		return db_export_err(l);
	resp_puts(x->r, open != 0 ? "]}]" : "]");
	return E_OK;
}

/* Today in Korea as YYYYMMDD, and now as the API writes times. */
static void
now_stamps(char day[9], char utc[DB_STAMP_LEN])
{
	time_t now = time(NULL), kst = now + KST_OFFSET;
	struct tm tm;

	if (gmtime_r(&kst, &tm) == NULL ||
	    strftime(day, 9, "%Y%m%d", &tm) == 0)
		memcpy(day, "00000000", 9);
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(utc, DB_STAMP_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		memcpy(utc, "1970-01-01T00:00:00Z", 21);
}

/* 200 with the download's headers: name "memo-YYYYMMDD.<ext>". */
static void
start_download(struct ctx *ctx, const char *type, const char *ext,
    const char *day)
{
	char disp[80];

	(void)snprintf(disp, sizeof(disp),
	    "attachment; filename=\"memo-%s.%s\"", day, ext);
	resp_start(&ctx->resp, 200, type);
	resp_header(&ctx->resp, "Content-Disposition", disp);
}

/* The JSON export.  *lp is the live memos' export, already open (the
 * first query runs before the answer starts, so that its failure is still
 * a 503); the caller closes whatever *lp is at the end.  E_OK when
 * whole, or why it broke off. */
static enum err
export_json(struct ctx *ctx, struct writer *x, const struct db_account *me,
    struct db_export **lp)
{
	char day[9], utc[DB_STAMP_LEN];
	enum err e;

	now_stamps(day, utc);
	start_download(ctx, JSON_TYPE, "json", day);
	resp_puts(x->r, "{\"format\":\"memo-export\",\"version\":1,"
	    "\"exported_at\":\"");
	resp_puts(x->r, utc);
	resp_puts(x->r, "\",\"user\":{\"name\":");
	if ((e = put_string(x, me->name, strlen(me->name))) != E_OK)
		return e;
	resp_puts(x->r, "},\"memos\":");
	if ((e = put_memos(x, *lp)) != E_OK || resp_gone(x->r))
		return e;
	db_export_close(*lp);
	*lp = NULL;
	if ((e = db_export_open(ctx->db, me->id, 1, lp)) != E_OK)
		return e;
	resp_puts(x->r, ",\"trash\":");
	if ((e = put_memos(x, *lp)) != E_OK)
		return e;
	resp_puts(x->r, "}\n");
	return E_OK;
}

/* The number in s[0..n), which db.c wrote as digits. */
static int
num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : 0);
	return v;
}

/* A time the database wrote ("2026-11-24T13:45:00Z", stamp_format) in
 * Korea: "2026-11-24" and "22:45". */
static void
kst(const char *stamp, char date[11], char hm[6])
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = num(stamp, 4) - 1900;
	tm.tm_mon = num(stamp + 5, 2) - 1;
	tm.tm_mday = num(stamp + 8, 2);
	tm.tm_hour = num(stamp + 11, 2);
	tm.tm_min = num(stamp + 14, 2);
	tm.tm_sec = num(stamp + 17, 2);
	t = timegm(&tm) + KST_OFFSET;
	if (strlen(stamp) != 20 || gmtime_r(&t, &tm) == NULL ||
	    strftime(date, 11, "%Y-%m-%d", &tm) == 0 ||
	    strftime(hm, 6, "%H:%M", &tm) == 0) {
		memcpy(date, "0000-00-00", 11);
		memcpy(hm, "00:00", 6);
	}
}

/* One memo under its date's heading (written when the date changes). */
static void
put_markdown_memo(struct resp *r, const struct db_memo *m, char day[11])
{
	char date[11], hm[6];

	kst(m->created_at, date, hm);
	if (strcmp(date, day) != 0) {
		resp_puts(r, "## ");
		resp_puts(r, date);
		resp_puts(r, "\n\n");
		memcpy(day, date, sizeof(date));
	}
	resp_puts(r, "### ");
	resp_puts(r, hm);
	resp_puts(r, m->pinned ? " · 고정\n\n" : "\n\n");
	if (utf8_valid(m->text, m->text_len))
		md_text(r, m->text, m->text_len);
	else
		resp_puts(r, "\xEF\xBF\xBD");
	resp_puts(r, m->text_len > 0 && m->text[m->text_len - 1] == '\n' ?
	    "\n" : "\n\n");
}

/* The Markdown export of the live memos in l, by date: E_OK when whole,
 * the list's reason (db_list_err) if it broke off. */
static enum err
export_markdown(struct ctx *ctx, const struct db_account *me,
    struct db_list *l)
{
	char day[9], utc[DB_STAMP_LEN], date[11], hm[6], shown[11] = "";
	struct db_memo m;
	int r = 0;

	now_stamps(day, utc);
	kst(utc, date, hm);
	start_download(ctx, MD_TYPE, "md", day);
	resp_puts(&ctx->resp, "# ");
	md_inline(&ctx->resp, me->name, strlen(me->name));
	resp_puts(&ctx->resp, "님의 메모\n\n내보낸 때: ");
	resp_puts(&ctx->resp, date);
	resp_puts(&ctx->resp, " ");
	resp_puts(&ctx->resp, hm);
	resp_puts(&ctx->resp, " (한국 시간)\n\n");
	while (!resp_gone(&ctx->resp) && (r = db_memo_next(l, &m)) == 1)
		put_markdown_memo(&ctx->resp, &m, shown);
	return r == 0 || resp_gone(&ctx->resp) ? E_OK : db_list_err(l);
}

/* The end of a Markdown file cut short once the status had gone: nothing
 * else in Markdown would tell a person that memos are missing. */
static void
put_markdown_cut(struct resp *r)
{
	resp_puts(r, "\n---\n\n**내보내기가 여기서 끊겼습니다.** 이 파일에는 "
	    "메모가 다 들어 있지 않습니다. 잠시 후 다시 내보내 주세요.\n");
}

/* HEAD: a GET's headers, without reading a row for a body nobody gets. */
static void
export_head(struct ctx *ctx, int md)
{
	char day[9], utc[DB_STAMP_LEN];

	now_stamps(day, utc);
	if (md)
		start_download(ctx, MD_TYPE, "md", day);
	else
		start_download(ctx, JSON_TYPE, "json", day);
}

static void
handle(struct ctx *ctx)
{
	char hash[SESS_HASH_LEN + 1], format[8];
	struct db_account me;
	struct db_list *l = NULL;		/* Markdown */
	struct db_export *jl = NULL;		/* JSON */
	struct writer x = { &ctx->resp, { 0 }, NULL };
	int n = query_get(ctx->req.query, "format", format, sizeof(format));
	int md = n > 0 && strcmp(format, "md") == 0;
	enum err e;

	if (n != QUERY_MISSING && !md && (n <= 0 || strcmp(format, "json") != 0)) {
		app_fail(ctx, E_BADREQ, "format must be json or md");
		return;
	}
	if ((e = sess_from_request(&ctx->req, hash)) != E_OK ||
	    (e = app_db(ctx)) != E_OK ||
	    (e = db_read_begin(ctx->db)) != E_OK)
		goto out;
	e = db_account_user(ctx->db, hash, &me);
	if (e == E_OK && ctx->resp.head_only)
		export_head(ctx, md);
	else if (e == E_OK &&
	    (e = md ? db_export_by_date(ctx->db, me.id, &l) :
	    db_export_open(ctx->db, me.id, 0, &jl)) == E_OK &&
	    (e = memo_json_init(&x.w)) == E_OK &&
	    (x.scratch = json_object_new_string("")) == NULL)
		e = E_NOMEM;
	/* Broken off: app_fail takes the answer back while none of it has
	 * left; later the JSON stays unterminated and the Markdown says so. */
	if (e == E_OK && !ctx->resp.head_only &&
	    (e = md ? export_markdown(ctx, &me, l) :
	    export_json(ctx, &x, &me, &jl)) != E_OK && md)
		put_markdown_cut(&ctx->resp);
	db_list_close(l);
	db_export_close(jl);
	db_read_end(ctx->db);
out:
	if (e != E_OK)
		app_fail(ctx, e, NULL);
	memo_json_free(&x.w);
	json_object_put(x.scratch);
}

APP_ENDPOINT("export.cgi", 0,
	    { "GET", "", handle });
