/*
 * fault.h - failures on demand, for the tests only.
 *
 * Some failures cannot be made to happen on time from outside: the
 * database connection lost after a list's statement ran but before its
 * rows are read, or memory running out after a memo is stored.  A build
 * with -DMEMO_FAULTS (`make fault`: build-fault/cgi-bin and memo-maint,
 * used only by tests/test_injected.py and test_maint.py) fails the step a
 * request (or a memo-maint run) names, as "name" (every time) or "name:N"
 * (the Nth time in that request only):
 *   db_fetch_fails   a result row cannot be read, and neither the statement
 *                    nor the connection says why (the worst case of a
 *                    connection lost while rows arrive)
 *   db_fetch_refused a result row cannot be read, and the statement says
 *                    why with an error no retry mends (1105, as from a bug)
 *   db_cut_at_row    the connection's socket is closed before a result row
 *                    is read: libmariadb fails when it next has to read it
 *   db_cut_at_query  the same before a transaction's start, COMMIT or
 *                    ROLLBACK is sent ("db_cut_at_query:2": a write's
 *                    COMMIT): libmariadb fails to send it, and the server,
 *                    its connection gone, rolls back
 *   db_commit_lost   a write's COMMIT is sent and carried out, then the
 *                    connection is lost before its answer is read
 *   db_commit_late   a write's COMMIT is carried out a second after its
 *                    answer's wait timed out (2013), as on a slow disk
 *   db_run_fails     a statement fails to run, no reason given (as when
 *                    the server is gone): "db_run_fails:2", the second
 *   db_deadlock      a statement fails as a deadlock's victim (1213), its
 *                    transaction rolled back
 *   db_record_changed a statement fails as a locking read of a row changed
 *                    since the snapshot (1020, MariaDB 11.6.2 and later)
 *   tags_nomem       making a text's tags runs out of memory
 *   query_nomem      making a search query's patterns runs out of memory
 *   answer_nomem     making the JSON of one memo's answer fails
 *   json_nomem       the text of a whole JSON answer cannot be made
 *                    (resp_json: GET /tags, an error's body, ...)
 *   index_time_up    memo-maint index's time budget (MEMO_INDEX_SECONDS)
 *                    is spent
 *   lock_null        a GET_LOCK (memo-maint's, an import's) answers NULL
 *                    (a server error, not another holder), read after
 *                    the lock was taken: the connection is closed
 * The request names it in an X-Memo-Fault header (HTTP_X_MEMO_FAULT), else
 * MEMO_FAULT in the process's environment does.  The header is for FastCGI
 * mode: there one process serves request after request, and its
 * environment, fixed when lighttpd started it, cannot name a fault for one
 * of them; a CGI run by hand can be given either.  app_run calls
 * fault_request at the start of every request, which also starts the count
 * of "name:N" again: otherwise a process's hits would run on from one
 * request into the next.  The value is a request header, untrusted even in
 * a test build: a step's name and an optional ":N", at most FAULT_NAME_MAX
 * characters, or no fault at all (and a log line saying so).
 * In every other build FAULT() is the constant 0, FAULT_REQUEST() nothing,
 * and no code is left: the shipped programs never look at the header.
 */
#ifndef MEMO_FAULT_H
#define MEMO_FAULT_H

#ifdef MEMO_FAULTS
#define FAULT_NAME_MAX	63

/* Take this request's fault from its environment env (or the process's)
 * and start its hit count at 0. */
void	 fault_request(char *const *env);
/* 1 if the request's fault names this step (and this is the hit it asks
 * for). */
int	 fault_hit(const char *name);
#define FAULT_REQUEST(env)	fault_request(env)
#define FAULT(name)	fault_hit(name)
#else
#define FAULT_REQUEST(env)	((void)0)
#define FAULT(name)	0
#endif

#endif
