/*
 * memo-maint - the service's periodic maintenance, run by a systemd timer
 * (or cron) on every instance:
 *
 *   memo-maint [all | purge | sweep | index]
 *
 *   purge   delete for good the memos in the trash for over TRASH_DAYS
 *           days (default 30), with their revisions and tags;
 *   sweep   delete expired sessions, and forget the login states used
 *           over a day ago;
 *   index   make the search copy and tags of memos that have none: those
 *           the previous version wrote during a rolling deploy, and those
 *           older than migration 003 (tools/migrate runs it after
 *           migrating);
 *   all     the three (the default).
 *
 * MEMO_INDEX_SECONDS (environment), if a positive number, bounds the index
 * step: past it the step stops between two memos and the next run goes on.
 * A boot sets it (deploy/aws/memo-setup.sh): the first roll-out onto a
 * large table of memos older than migration 003 must not spend the boot's
 * time limit on them and fail; search finds those memos once indexed.
 *
 * Settings come from the same dotenv file as the CGIs' (MEMO_CONFIG, else
 * /etc/memo/memo.env).  Safe to run on every instance of an Auto Scaling
 * group at once: a run first takes a named lock on the database (GET_LOCK,
 * without waiting) and a run that does not get it does nothing and exits 0.
 * Every step is a bounded batch at a time, each its own transaction.
 * Prints what it did; exits 1 (with the reason on stderr) if it failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cfg.h"
#include "db.h"
#include "fault.h"
#include "memotext.h"
#include "log.h"

#define INDEX_BATCH	200
#define INDEX_WINDOW	10000	/* ids a query looks at */

extern char **environ;

/* Index one memo the previous version wrote; *made 0 if it was indexed
 * or changed meanwhile. */
static enum err
index_one(struct db *db, uint64_t id, int *made)
{
	struct db_memo m;
	struct memo_text_parts p;
	enum err e;

	*made = 0;
	if ((e = db_maint_text(db, id, &m)) != E_OK)
		return e == E_NOTFOUND ? E_OK : e;	/* deleted meanwhile */
	if ((e = memo_text_make(m.text, m.text_len, &p)) == E_OK)
		e = db_maint_reindex(db, id, m.version, &p.t, made);
	memo_text_free(&p);
	return e;
}

static time_t
now_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* MEMO_INDEX_SECONDS: the index step's budget in seconds, 0 for none. */
static long
index_budget(void)
{
	const char *v = getenv("MEMO_INDEX_SECONDS");
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return 0;
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < 0 || n > 86400) {
		log_msg("MEMO_INDEX_SECONDS is not a number of seconds from 0 to "
		    "86400: no bound");
		return 0;
	}
	return n;
}

/* 1 if the budget (0: none) ends at until.  The fault build's
 * "index_time_up:N" says so before the Nth memo, as a slow database
 * would. */
static int
time_up(long budget, time_t until, int before_memo)
{
	return budget > 0 && ((before_memo && FAULT("index_time_up")) ||
	    now_s() >= until);
}

/* Up to the highest id when the run starts, INDEX_WINDOW ids a query: each
 * query stays short however large the table (see MAINT_UNINDEXED).  *cut
 * 1 if the budget ended it first. */
static enum err
index_all(struct db *db, long budget, uint64_t *done, int *cut)
{
	uint64_t ids[INDEX_BATCH], top, from = 0;
	time_t until = now_s() + budget;
	size_t n;
	enum err e;

	*done = 0;
	*cut = 0;
	if ((e = db_maint_top(db, &top)) != E_OK)
		return e;
	while (from < top && !(*cut = time_up(budget, until, 0))) {
		uint64_t upto = top - from > INDEX_WINDOW ?
		    from + INDEX_WINDOW : top;

		if ((e = db_maint_unindexed(db, from, upto, ids, INDEX_BATCH,
		    &n)) != E_OK)
			return e;
		for (size_t i = 0; i < n; i++) {
			int made;

			if ((*cut = time_up(budget, until, 1)))
				return E_OK;
			if ((e = index_one(db, ids[i], &made)) != E_OK)
				return e;
			*done += (uint64_t)made;
		}
		/* A full batch may leave more of this window. */
		from = n == INDEX_BATCH ? ids[n - 1] : upto;
	}
	return E_OK;
}

static enum err
run(struct db *db, const struct cfg *cfg, const char *what)
{
	int all = strcmp(what, "all") == 0;
	long days = cfg_trash_days(cfg);
	uint64_t n;
	enum err e;

	if (all || strcmp(what, "purge") == 0) {
		if ((e = db_maint_purge(db, days, &n)) != E_OK)
			return e;
		printf("purge: %llu memos deleted for good (in the trash over "
		    "%ld days)\n", (unsigned long long)n, days);
	}
	if (all || strcmp(what, "sweep") == 0) {
		uint64_t states;

		if ((e = db_maint_sweep(db, &n, &states)) != E_OK)
			return e;
		printf("sweep: %llu expired sessions deleted\n"
		    "sweep: %llu login states used over a day ago forgotten\n",
		    (unsigned long long)n, (unsigned long long)states);
	}
	if (all || strcmp(what, "index") == 0) {
		long budget = index_budget();
		int cut;

		if ((e = index_all(db, budget, &n, &cut)) != E_OK)
			return e;
		printf("index: %llu memos given their search copy and tags\n",
		    (unsigned long long)n);
		if (cut)
			printf("index: stopped after %ld s (MEMO_INDEX_SECONDS): "
			    "the rest at the next run\n", budget);
	}
	return E_OK;
}

int
main(int argc, char *argv[])
{
	const char *what = argc > 1 ? argv[1] : "all";
	struct cfg cfg;
	struct db *db = NULL;
	enum err e;
	int got;

	log_init("memo-maint");
	/* A line as each step ends: to the file systemd appends both streams
	 * to, fully buffered stdout came out at exit, after the failure's
	 * stderr lines, and not at all if the run was killed. */
	(void)setvbuf(stdout, NULL, _IOLBF, 0);
	FAULT_REQUEST(environ);		/* MEMO_FAULT, in the fault build only */
	if (argc > 2 || (strcmp(what, "all") != 0 &&
	    strcmp(what, "purge") != 0 && strcmp(what, "sweep") != 0 &&
	    strcmp(what, "index") != 0)) {
		(void)fprintf(stderr,
		    "usage: memo-maint [all | purge | sweep | index]\n");
		return 2;
	}
	if (cfg_load(&cfg, environ) != E_OK) {
		cfg_log_error(&cfg);
		/* The line the stack's MaintFailures filter counts. */
		log_msg("failed: the settings were not read");
		return 1;
	}
	if ((e = db_open(&db, &cfg)) == E_OK &&
	    (e = db_maint_lock(db, &got)) == E_OK) {
		if (got)
			e = run(db, &cfg, what);
		else
			printf("another instance is running memo-maint: "
			    "nothing to do\n");
	}
	if (e != E_OK)
		log_msg("failed: %s", err_text(e));
	db_close(db);
	db_client_end();
	cfg_free(&cfg);
	return e == E_OK ? 0 : 1;
}
