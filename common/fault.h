/*
 * fault.h - failures on demand, for the tests only.
 *
 * Some failures cannot be made to happen on time from outside: the
 * database connection lost after a list's statement ran but before its
 * rows are read, or memory running out after a memo is stored.  A build
 * with -DMEMO_FAULTS (`make fault`: build-fault/cgi-bin, used only by
 * tests/test_injected.py) fails the step that MEMO_FAULT in its
 * environment names, as "name" (every time) or "name:N" (the Nth time only):
 *   db_fetch_fails   a result row cannot be read, and neither the statement
 *                    nor the connection says why (the worst case of a
 *                    connection lost while rows arrive)
 *   db_cut_at_row    the connection's socket is closed before a result row
 *                    is read: libmariadb fails when it next has to read it
 *   db_run_fails     a statement fails to run, no reason given (as when
 *                    the server is gone): "db_run_fails:2", the second
 *   tags_nomem       making a text's tags runs out of memory
 *   answer_nomem     making the JSON of one memo's answer fails
 * In every other build FAULT() is the constant 0 and no code is left.
 */
#ifndef MEMO_FAULT_H
#define MEMO_FAULT_H

#ifdef MEMO_FAULTS
/* 1 if MEMO_FAULT names this step (and this is the hit it asks for). */
int	 fault_hit(const char *name);
#define FAULT(name)	fault_hit(name)
#else
#define FAULT(name)	0
#endif

#endif
